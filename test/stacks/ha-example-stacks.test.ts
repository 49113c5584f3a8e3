import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BastionStack } from '../../lib/stacks/bastion-stack';
import { HaInstanceStack } from '../../lib/stacks/ha-instance-stack';
import { testApp } from '../support/app';
import { synthesizeThroughHarness } from '../support/harness';

/**
 * Every variant of the HA example stacks through the same harness as `example-stacks.test.ts`
 * (which synthesizes only the default variant of each stack): the strict CloudFormation validator,
 * cdk-nag AwsSolutions and Serverless, and a snapshot.
 */
const VARIANTS: Record<string, { context: Record<string, string>; build: (app: ReturnType<typeof testApp>) => Stack }> = {
  'HaInstance -c haInstanceMode=ebs': { context: { haInstanceMode: 'ebs' }, build: (app) => new HaInstanceStack(app, 'HaInstance') },
  'HaInstance -c haInstanceMode=eip': { context: { haInstanceMode: 'eip' }, build: (app) => new HaInstanceStack(app, 'HaInstance') },
  'Bastion -c bastionMode=eip': { context: { bastionMode: 'eip' }, build: (app) => new BastionStack(app, 'Bastion') },
  'Bastion -c bastionMode=nlb': { context: { bastionMode: 'nlb' }, build: (app) => new BastionStack(app, 'Bastion') },
};

/** The variants bin/app.ts builds without context. */
const DEFAULT_VARIANTS = new Set(['HaInstance -c haInstanceMode=ebs', 'Bastion -c bastionMode=eip']);

describe.each(Object.keys(VARIANTS))('%s', (name) => {
  let template: Template;
  beforeAll(() => {
    template = synthesizeThroughHarness(VARIANTS[name].build, { context: VARIANTS[name].context });
  });

  test('passes template validation and cdk-nag', () => {
    expect(template.toJSON().Resources).toBeDefined();
  });

  // The default variants are snapshotted once, in example-stacks.test.ts (bin/app.ts's stacks).
  (DEFAULT_VARIANTS.has(name) ? test.skip : test)('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('every launch template requires IMDSv2 and encrypts its volumes', () => {
    const templates = Object.values(template.findResources('AWS::EC2::LaunchTemplate'));
    expect(templates.length).toBeGreaterThan(0);
    for (const lt of templates) {
      expect(lt.Properties.LaunchTemplateData.MetadataOptions).toMatchObject({ HttpTokens: 'required' });
      for (const device of lt.Properties.LaunchTemplateData.BlockDeviceMappings) {
        expect(device.Ebs.Encrypted).toBe(true);
      }
    }
  });

  test('no security group allows inbound traffic from the internet', () => {
    for (const sg of Object.values(template.findResources('AWS::EC2::SecurityGroup'))) {
      for (const rule of sg.Properties.SecurityGroupIngress ?? []) {
        expect(rule.CidrIp).not.toBe('0.0.0.0/0');
        expect(rule.CidrIpv6).not.toBe('::/0');
      }
    }
    for (const rule of Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))) {
      expect(rule.Properties.CidrIp).not.toBe('0.0.0.0/0');
    }
  });

  test('no NAT gateway', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
  });
});

test('an unknown mode in the context fails with the allowed values', () => {
  const app = testApp({ context: { bastionMode: 'alb' } });
  expect(() => new BastionStack(app, 'Bastion')).toThrow(/Context bastionMode 'alb' is not one of eip, nlb/);
});
