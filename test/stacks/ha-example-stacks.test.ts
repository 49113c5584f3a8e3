import { Template } from 'aws-cdk-lib/assertions';
import { BastionStack } from '../../lib/stacks/bastion-stack';
import { testApp } from '../support/app';
import { EXAMPLE_VARIANTS } from '../support/example-variants';
import { SYNTH_TIMEOUT_MS, synthesizedVariant, synthesizeVariants } from '../support/synth-cache';

/**
 * Every variant of the HA example stacks through the same harness as `example-stacks.test.ts`
 * (which synthesizes only the default variant of each stack): the strict CloudFormation validator,
 * cdk-nag AwsSolutions and Serverless, and a snapshot. Each variant is synthesized once for every
 * test file (`test/support/synth-cache.ts`).
 */
/** Each mode, by its `-c` option, as the `EXAMPLE_VARIANTS` key that builds it (the default mode is the stack without context). */
const VARIANTS: Record<string, string> = {
  'HaInstance -c haInstanceMode=ebs': 'HaInstance',
  'HaInstance -c haInstanceMode=eip': 'HaInstance -c haInstanceMode=eip',
  'Bastion -c bastionMode=eip': 'Bastion',
  'Bastion -c bastionMode=nlb': 'Bastion -c bastionMode=nlb',
};

/** The variants bin/app.ts builds without context. */
const DEFAULT_VARIANTS = new Set(['HaInstance -c haInstanceMode=ebs', 'Bastion -c bastionMode=eip']);

beforeAll(() => synthesizeVariants(Object.values(VARIANTS)), SYNTH_TIMEOUT_MS);

test.each([['HaInstance', 'haInstanceMode', 'ebs'], ['Bastion', 'bastionMode', 'eip']])('%s: -c %s=%s builds the same template as no context', (name, key, mode) => {
  const build = (context: Record<string, string>) => Template.fromStack(EXAMPLE_VARIANTS[name].build(testApp({ context }))).toJSON();
  expect(build({ [key]: mode })).toEqual(build({}));
});

describe.each(Object.keys(VARIANTS))('%s', (name) => {
  let template: Template;
  beforeAll(() => {
    template = synthesizedVariant(VARIANTS[name]).template;
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

  test('every alarm publishes to the stack\'s alarm topic', () => {
    const [topic] = Object.keys(template.findResources('AWS::SNS::Topic'));
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBe(EXPECTED_ALARMS[name]);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic }]);
  });

  test('a dashboard whose every metric\'s dimensions point at resources of this stack', () => {
    const metrics = dashboardMetrics(template);
    const names = metrics.map((m) => `${m.namespace} ${m.metricName}`);
    expect(names).toEqual(expect.arrayContaining(EXPECTED_METRICS[name]));
    const resources = template.toJSON().Resources;
    for (const m of metrics) {
      expect(Object.keys(m.dimensions).length).toBeGreaterThan(0);
      for (const refs of Object.values(m.dimensions)) {
        expect(refs.length).toBeGreaterThan(0);
        for (const ref of refs) expect(resources[ref]).toBeDefined();
      }
    }
    const alarmWidget = dashboardWidgets(template).find((w) => w.type === 'alarm');
    expect(alarmWidget?.properties.alarms).toHaveLength(EXPECTED_ALARMS[name]);
  });
});

const EXPECTED_ALARMS: Record<string, number> = {
  'HaInstance -c haInstanceMode=ebs': 4, 'HaInstance -c haInstanceMode=eip': 2, 'Bastion -c bastionMode=eip': 2, 'Bastion -c bastionMode=nlb': 3,
};
const INSTANCE_METRICS = ['AWS/EC2 NetworkIn', 'AWS/EC2 CPUUtilization', 'AWS/AutoScaling GroupInServiceInstances', 'AWS/EC2 StatusCheckFailed'];
const EXPECTED_METRICS: Record<string, string[]> = {
  'HaInstance -c haInstanceMode=ebs': [...INSTANCE_METRICS, 'AWS/Lambda Invocations', 'AWS/Lambda Errors', 'AWS/Lambda Duration', 'AWS/SQS ApproximateNumberOfMessagesVisible'],
  'HaInstance -c haInstanceMode=eip': INSTANCE_METRICS,
  'Bastion -c bastionMode=eip': INSTANCE_METRICS,
  'Bastion -c bastionMode=nlb': ['AWS/NetworkELB NewFlowCount', 'AWS/NetworkELB ActiveFlowCount', 'AWS/EC2 CPUUtilization', 'AWS/AutoScaling GroupInServiceInstances',
    'AWS/NetworkELB HealthyHostCount', 'AWS/NetworkELB UnHealthyHostCount', 'AWS/EC2 StatusCheckFailed', 'AWS/NetworkELB ProcessedBytes'],
};

interface DashboardWidget { type: string; properties: { metrics?: unknown[][]; alarms?: string[] } }

/** The widgets of the template's one dashboard, with every CloudFormation reference replaced by `@ref:<logical ID>@`. */
function dashboardWidgets(template: Template): DashboardWidget[] {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0].Properties.DashboardBody;
  const text = (value: unknown): string => {
    if (typeof value === 'string') return value;
    // a reference (possibly inside Fn::Join/Select/Split): name every resource it points at
    return JSON.stringify(value).match(/"Ref":"([^"]+)"|"Fn::GetAtt":\["([^"]+)"/g)!
      .map((r) => `@ref:${r.replace(/^"Ref":"|^"Fn::GetAtt":\["|"$/g, '')}@`).join('');
  };
  const joined = typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map(text).join('');
  return JSON.parse(joined).widgets;
}

/** Every metric of the dashboard's graphs: namespace, name, and per dimension the resources its value refers to. */
function dashboardMetrics(template: Template): { namespace: string; metricName: string; dimensions: Record<string, string[]> }[] {
  return dashboardWidgets(template).flatMap((w) => w.properties.metrics ?? []).map((m) => {
    const parts = m.filter((p) => typeof p === 'string') as string[];
    const [namespace, metricName, ...dims] = parts;
    const dimensions: Record<string, string[]> = {};
    for (let i = 0; i + 1 < dims.length; i += 2) {
      dimensions[dims[i]] = [...dims[i + 1].matchAll(/@ref:([^@]+)@/g)].map((x) => x[1]);
    }
    return { namespace, metricName, dimensions };
  });
}

test('an unknown mode in the context fails with the allowed values', () => {
  const app = testApp({ context: { bastionMode: 'alb' } });
  expect(() => new BastionStack(app, 'Bastion')).toThrow(/Context bastionMode 'alb' is not one of eip, nlb/);
});
