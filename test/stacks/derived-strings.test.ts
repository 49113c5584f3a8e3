import { App, Aws, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import * as lib from '../../lib';
import { EXAMPLE_STACKS } from '../../lib/stacks';
import { testApp } from '../support/app';
import { EXAMPLE_VARIANTS } from '../support/example-variants';
import { SchemaFinding, schemaStringFindings, schemaStringFindingsOfTemplate } from '../support/schema-strings/schema-findings';

/**
 * Finding 9's class check: every string the constructs derive from construct paths or user-given
 * names (names, descriptions, comments, tags) must satisfy the resource schema's pattern and length,
 * whatever IDs and names users choose. Awkward inputs: underscores, digits first, paths of 200+
 * characters, user names with underscores and spaces.
 */

/** A 190-character stack ID with underscores (stack names start with a letter): the example constructs' paths are about 200 characters. */
const AWKWARD_STACK_ID = `Awkward_Stack_2nd_${'Very_Long_Scope_9'.repeat(11)}`.slice(0, 190);
/** The ID of a construct under test: digits first, underscores. */
const AWKWARD_ID = '2nd_Construct_Id_3';
/** Scopes above it, digits first, padded so that its path is exactly 200 characters. */
const awkwardScopes = (stackId: string) => {
  const fixed = `${stackId}/0_Deep_Scope/1_/${AWKWARD_ID}`.length;
  return ['0_Deep_Scope', `1_${'Nested_Level_'.repeat(20).slice(0, 200 - fixed)}`];
};
/** A user-chosen name with underscores, digits and a space. */
const AWKWARD_NAME = 'Office_IPs 2nd_list';

const describeFinding = (f: SchemaFinding) =>
  `${f.logicalId.length > 40 ? `…${f.logicalId.slice(-36)}` : f.logicalId} (${f.resourceType}) ${f.propertyPath}: ${f.message.slice(0, 160)}`;

/**
 * The findings of every stack `build` puts in the app, as readable lines. A construct or
 * aws-cdk-lib refusing the derived string at synth (e.g. a Lambda description over 256 characters)
 * is a finding too: users with such IDs cannot synthesize.
 */
function findings(build: () => App): string[] {
  try {
    const app = build();
    return app.node.findAll().filter((c): c is Stack => Stack.isStack(c)).flatMap((s) => schemaStringFindings(s)).map(describeFinding);
  } catch (error) {
    return [`synth fails: ${(error as Error).message.split('\n')[0].slice(0, 300)}`];
  }
}

/** The example stack that creates a variant's stack (CloudFrontWafAlbWebAcl comes with CloudFrontWafAlb). */
function baseStack(stackName: string): string {
  return Object.keys(EXAMPLE_STACKS).filter((name) => stackName.startsWith(name)).sort((a, b) => b.length - a.length)[0];
}

type Factory = (scope: Construct, id: string) => void;

const handler = (scope: Construct, id: string) => new lambda.Function(scope, id, {
  runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};'),
});
const vpc = (scope: Construct) => new ec2.Vpc(scope, 'Vpc_1', { maxAzs: 2, natGateways: 0 });
const blocklist = () => new lib.IpBlocklist({ name: AWKWARD_NAME, cidrs: ['203.0.113.0/24', '2001:db8:bad::/48'] });

/** Every construct `lib/index.ts` exports, with the smallest props that build it (and awkward user names). */
const FACTORIES: Record<string, Factory> = {
  FanOutTopic: (scope, id) => { new lib.FanOutTopic(scope, id).addSubscriber('3rd_Subscriber_X', {}); },
  QueueWorker: (scope, id) => { new lib.QueueWorker(scope, id, { handler: handler(scope, 'Handler_1') }); },
  TopicSubscriber: (scope, id) => { new lib.TopicSubscriber(scope, id, { topic: new sns.Topic(scope, 'Topic_1'), handler: handler(scope, 'Handler_1') }); },
  BucketEvents: (scope, id) => { new lib.BucketEvents(scope, id); },
  S3ThumbnailPipeline: (scope, id) => { new lib.S3ThumbnailPipeline(scope, id); },
  HaBastion: (scope, id) => { new lib.HaBastion(scope, id, { vpc: vpc(scope) }); },
  HaInstance: (scope, id) => { new lib.HaInstance(scope, id, { vpc: vpc(scope), dataVolume: {} }); },
  BlocklistNetworkAcl: (scope, id) => { new lib.BlocklistNetworkAcl(scope, id, { blocklist: blocklist(), vpc: vpc(scope) }); },
  EdgeWebAcl: (scope, id) => { new lib.EdgeWebAcl(scope, id, { blocklist: blocklist() }); },
  PublicInstanceIpBlocking: (scope, id) => { new lib.PublicInstanceIpBlocking(scope, id, { blocklist: blocklist(), allowedCidrs: ['192.0.2.0/24'] }); },
  AlbIpBlocking: (scope, id) => { new lib.AlbIpBlocking(scope, id, { blocklist: blocklist() }); },
  NlbIpBlocking: (scope, id) => { new lib.NlbIpBlocking(scope, id, { blocklist: blocklist() }); },
  WafProtectedAlb: (scope, id) => {
    new lib.WafProtectedAlb(scope, id, { blocklist: blocklist() }).listener!.addAction('Default', { action: elbv2.ListenerAction.fixedResponse(200) });
  },
  CloudFrontWafAlb: (scope, id) => { new lib.CloudFrontWafAlb(scope, id, { blocklist: blocklist() }); },
  CloudFrontDistributionAlarms: (scope, id) => {
    const distribution = cloudfront.Distribution.fromDistributionAttributes(scope, 'Distribution_1', { distributionId: 'E1234567890ABC', domainName: 'd111111abcdef8.cloudfront.net' });
    new lib.CloudFrontDistributionAlarms(scope, id, { distribution });
  },
  HpcCluster: (scope, id) => { hpcCluster(scope, id); },
  HpcBatchJobs: (scope, id) => {
    new lib.HpcBatchJobs(scope, id, { nodes: hpcCluster(scope, 'Cluster_1'), image: ecs.ContainerImage.fromRegistry('public.ecr.aws/amazonlinux/amazonlinux:2023') });
  },
  DataSyncTransfer: (scope, id) => {
    const cluster = hpcCluster(scope, 'Cluster_1');
    new lib.DataSyncTransfer(scope, id, {
      bucket: new s3.Bucket(scope, 'Bucket_1'),
      fsxLustre: { fileSystemArn: Stack.of(scope).formatArn({ service: 'fsx', resource: 'file-system', resourceName: cluster.fileSystem.ref }), securityGroups: [cluster.fileSystemSecurityGroup] },
    });
  },
  CachedApi: (scope, id) => { new lib.CachedApi(scope, id); },
  StaticSite: (scope, id) => { new lib.StaticSite(scope, id); },
};

/** Exported constructs that users get from another one's method (built by that one's factory). */
const BUILT_BY: Record<string, string> = { FanOutSubscriber: 'FanOutTopic.addSubscriber', HaGroupBase: 'HaInstance and HaBastion (an abstract base)' };

function hpcCluster(scope: Construct, id: string): lib.HpcCluster {
  const network = vpc(scope);
  return new lib.HpcCluster(scope, id, {
    vpc: network, vpcSubnets: { subnets: [network.publicSubnets[0]] }, associatePublicIpAddress: true, lustre: { storageCapacityGiB: 1200 },
  });
}

/** Builds `factory` under the awkward scopes in a stack of its own (us-east-1, where CLOUDFRONT-scope resources may live). */
function buildAwkward(name: string, factory: Factory): App {
  const app = testApp();
  const stack = new Stack(app, `DerivedStrings${name}`, { env: { region: 'us-east-1', account: '123456789012' } });
  const scope = awkwardScopes(stack.node.id).reduce<Construct>((parent, id) => new Construct(parent, id), stack);
  factory(scope, AWKWARD_ID);
  return app;
}

describe('derived strings against the resource schemas', () => {
  test('the awkward IDs give construct paths of 200 characters', () => {
    expect(AWKWARD_STACK_ID.length).toBe(190);
    const app = testApp();
    const scope = awkwardScopes('DerivedStringsX').reduce<Construct>((parent, id) => new Construct(parent, id), new Stack(app, 'DerivedStringsX'));
    expect(new Construct(scope, AWKWARD_ID).node.path.length).toBe(200);
  });

  describe('every example variant, built with a 190-character stack ID with underscores', () => {
    test.each(Object.keys(EXAMPLE_VARIANTS))('%s', (key) => {
      const variant = EXAMPLE_VARIANTS[key];
      expect(findings(() => {
        const app = testApp({ context: variant.context });
        EXAMPLE_STACKS[baseStack(variant.stackName)].build(app, AWKWARD_STACK_ID);
        return app;
      })).toEqual([]);
    });
  });

  describe('every exported construct, with digits-first IDs, underscores, a deep scope and awkward user names', () => {
    test('every exported construct has a factory', () => {
      const exported = Object.entries(lib).filter(([name, v]) => typeof v === 'function' && v.prototype instanceof Construct && !(name in BUILT_BY)).map(([name]) => name).sort();
      expect(Object.keys(FACTORIES).sort()).toEqual(exported);
    });

    test.each(Object.keys(FACTORIES))('%s', (name) => {
      expect(findings(() => buildAwkward(name, FACTORIES[name]))).toEqual([]);
    });
  });

  describe('the check itself', () => {
    test('fails on a broken copy: a WAF IP set description with an underscore', () => {
      const app = testApp();
      const stack = new Stack(app, 'Broken');
      new wafv2.CfnIPSet(stack, 'Set', { scope: 'REGIONAL', ipAddressVersion: 'IPV4', addresses: [], description: 'Office_IPs: blocked IPv4 ranges' });
      expect(schemaStringFindings(stack)).toEqual([expect.objectContaining({ logicalId: 'Set', propertyPath: 'Properties.Description', ruleId: 'F3031' })]);
    });

    test('checks the API limits the bundled schemas lack (a launch template name over 128 characters)', () => {
      const app = testApp();
      const stack = new Stack(app, 'LongName');
      new ec2.CfnLaunchTemplate(stack, 'Template', { launchTemplateName: 'x'.repeat(129), launchTemplateData: {} });
      new ec2.CfnLaunchTemplate(stack, 'Fine', { launchTemplateName: 'x'.repeat(128), launchTemplateData: {} });
      expect(schemaStringFindings(stack)).toEqual([expect.objectContaining({ logicalId: 'Template', propertyPath: 'Properties.LaunchTemplateName', ruleId: 'API' })]);
    });

    test('checks strings joined from the stack name (a log group name over 512 characters)', () => {
      const app = testApp();
      const stack = new Stack(app, 'Joined');
      new logs.CfnLogGroup(stack, 'Logs', { logGroupName: `${Aws.STACK_NAME}-${'x'.repeat(600)}` });
      expect(schemaStringFindings(stack).map((f) => f.ruleId)).toContain('F3033');
    });

    test('skips strings that depend on other resources (unknown before deploy)', () => {
      const template = { Resources: { Set: { Type: 'AWS::WAFv2::IPSet', Properties: { Scope: 'REGIONAL', IPAddressVersion: 'IPV4', Addresses: [], Description: { 'Fn::Join': ['', ['a_', { Ref: 'Other' }]] } } } } };
      expect(schemaStringFindingsOfTemplate(template, 'S')).toEqual([]);
      const literal = { Resources: { Set: { Type: 'AWS::WAFv2::IPSet', Properties: { Scope: 'REGIONAL', IPAddressVersion: 'IPV4', Addresses: [], Description: { 'Fn::Join': ['', ['a_', { Ref: 'AWS::Region' }]] } } } } };
      expect(schemaStringFindingsOfTemplate(literal, 'S')).toHaveLength(1);
    });
  });
});
