import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EXAMPLE_STACKS } from '../../lib/stacks';
import { testApp } from '../support/app';
import { SYNTH_TIMEOUT_MS, synthesizedVariant, synthesizeVariants } from '../support/synth-cache';

/**
 * The verification harness over every example stack that `bin/app.ts` deploys: AWS's
 * CloudFormation validator with the strict flags of cdk.json, cdk-nag's AwsSolutions pack (and
 * Serverless wherever a Lambda function is), and a snapshot with asset hashes normalised (each stack
 * synthesized once for every test file, `test/support/synth-cache.ts`). The class checks over every
 * stack and mode are in contracts.test.ts.
 */
/** Read-only EC2 calls that support no resource-level permissions, so IAM needs Resource * for them. */
const DESCRIBE_WITHOUT_RESOURCE_LEVEL = new Set(['ec2:DescribeAddresses', 'ec2:DescribeInstances', 'ec2:DescribeVolumes', 'ec2:DescribeSnapshots',
  'ec2:DescribeSecurityGroups', 'ec2:DescribeManagedPrefixLists']);

beforeAll(() => synthesizeVariants(Object.keys(EXAMPLE_STACKS)), SYNTH_TIMEOUT_MS);

describe.each(Object.keys(EXAMPLE_STACKS))('example stack %s', (name) => {
  let template: Template;
  beforeAll(() => {
    // Throws on any validator finding, any unacknowledged cdk-nag error or warning,
    // and any unacknowledged construct warning.
    template = synthesizedVariant(name).template;
  });

  test('passes template validation and cdk-nag', () => {
    expect(template.toJSON().Resources).toBeDefined();
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('only X-Ray and EC2 describe actions are granted on Resource * (what the IAM5 acknowledgements claim)', () => {
    const offending: string[] = [];
    for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        const resources = [statement.Resource].flat();
        const actions: string[] = [statement.Action].flat();
        if (resources.includes('*') && actions.some((a) => !a.startsWith('xray:') && !DESCRIBE_WITHOUT_RESOURCE_LEVEL.has(a))) {
          offending.push(`${id}: ${actions.join(', ')}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });

  test('every function of ours runs Node.js 24 on arm64 with JSON logs and tracing', () => {
    // aws-cdk-lib's own custom resources (bucket notifications, default security group, AwsCustomResource) are not ours to configure
    const functions = Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(([logicalId]) => !logicalId.startsWith('BucketNotificationsHandler') && !logicalId.startsWith('CustomVpcRestrictDefaultSG')
        && !logicalId.startsWith('AWS679f53fac002430cb0da5b7982bd2287'))
      .map(([, fn]) => fn);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x', Architectures: ['arm64'], LoggingConfig: { LogFormat: 'JSON' }, TracingConfig: { Mode: 'Active' },
      });
    }
  });

  test('every queue is encrypted with a customer-managed key and retained', () => {
    for (const queue of Object.values(template.findResources('AWS::SQS::Queue'))) {
      expect(queue.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
      expect(queue.DeletionPolicy).toBe('Retain');
    }
  });
});

describe('the harness itself', () => {
  test('fails synth on a template validator finding (deprecated runtime)', () => {
    const app = testApp({ validation: true });
    const stack = new Stack(app, 'Bad');
    new lambda.Function(stack, 'Old', {
      runtime: lambda.Runtime.NODEJS_16_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1'),
    });
    expect(() => app.synth()).toThrow(/nodejs16\.x' was deprecated[\s\S]*CloudFormation Validate/);
  });

  test('fails synth on an unacknowledged cdk-nag finding', () => {
    const app = testApp();
    const stack = new Stack(app, 'Bad');
    new sqs.Queue(stack, 'Unencrypted', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });
});
