import { App, CfnParameter, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import * as lib from '../../lib';
import { testApp } from '../support/app';
import { describeTokenMatrix, longTags, stackDependencies, synthesizeAll, twoStacks, validatingApp } from '../support/input-matrix';
import { schemaStringFindings } from '../support/schema-strings/schema-findings';
import { INPUTS } from './caching.cases';

const ENV = { account: '123456789012', region: 'us-east-1' };

function stack(): Stack {
  return new Stack(testApp({ failOnWarnings: false }), 'Caching', { env: ENV });
}

/** Dependencies between the app's stacks (asset manifests left out). */
const stackDeps = (app: App) => Object.fromEntries(Object.entries(stackDependencies(app)).map(([k, v]) => [k, v.filter((d) => !d.endsWith('.assets'))]));

const environmentOf = (template: Template) => Object.values(template.findResources('AWS::Lambda::Function'))
  .map((f) => f.Properties.Environment?.Variables).find((v) => v?.CACHE_TTL_SECONDS);

describe('tokens for every validated prop', () => {
  describeTokenMatrix(INPUTS);

  test('CachedApi: token TTL and cache timeout (in the units the handler takes) reach it as tokens', () => {
    const s = stack();
    const ttl = new CfnParameter(s, 'Ttl', { type: 'Number', default: 300 }).valueAsNumber;
    const timeout = new CfnParameter(s, 'Timeout', { type: 'Number', default: 100 }).valueAsNumber;
    new lib.CachedApi(s, 'Api', { cacheTtl: Duration.seconds(ttl), cacheTimeout: Duration.millis(timeout) });
    expect(environmentOf(Template.fromStack(s))).toMatchObject({ CACHE_TTL_SECONDS: { Ref: 'Ttl' }, CACHE_TIMEOUT_MS: { Ref: 'Timeout' } });
  });

  test('CachedApi: a token apiCacheSize is passed on, unchecked (API Gateway checks it at deploy)', () => {
    const s = stack();
    const size = new CfnParameter(s, 'Size', { default: '1.6' }).valueAsString;
    new lib.CachedApi(s, 'Api', { apiCacheTtl: Duration.seconds(60), apiCacheSize: size });
    Template.fromStack(s).hasResourceProperties('AWS::ApiGateway::Stage', { CacheClusterSize: { Ref: 'Size' } });
  });

  test('CachedApi: token elements in cachedPathPatterns, cacheKeyHeaders and domainNames are accepted', () => {
    const s = stack();
    const pattern = new CfnParameter(s, 'Pattern', { default: '/items/*' }).valueAsString;
    const domain = new CfnParameter(s, 'Domain', { default: 'api.example.com' }).valueAsString;
    const certificate = acm.Certificate.fromCertificateArn(s, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
    expect(() => new lib.CachedApi(s, 'Api', { cachedPathPatterns: [pattern], cacheKeyHeaders: [Lazy.string({ produce: () => 'Accept-Language' })], domainNames: [domain], certificate })).not.toThrow();
    expect(() => Template.fromStack(s)).not.toThrow();
  });
});

describe('long and awkward IDs: comments and descriptions within their limits', () => {
  /** A construct path over 300 characters, past CloudFront's 128-character comments and Lambda's 256-character descriptions. */
  function longPath(build: (scope: Construct) => void): string[] {
    const app = testApp();
    const s = new Stack(app, 'LongIds', { env: ENV });
    build(new Construct(s, `2nd_${'Very_Long_Scope_'.repeat(20)}`));
    return [...schemaStringFindings(s).map((f) => `${f.resourceType} ${f.propertyPath}: ${f.message.slice(0, 120)}`), ...longTags(Template.fromStack(s).toJSON())];
  }

  test('CachedApi: distribution and policy comments, function and security group descriptions', () => {
    expect(longPath((scope) => new lib.CachedApi(scope, 'Api_1', { apiCacheTtl: Duration.seconds(60) }))).toEqual([]);
  });

  test('StaticSite: distribution, policy and origin access control comments', () => {
    expect(longPath((scope) => new lib.StaticSite(scope, 'Site_1', { spa: true }))).toEqual([]);
  });
});

describe('documented ranges: at the limit accepted, one past it rejected', () => {
  const api = (props: lib.CachedApiProps) => () => new lib.CachedApi(stack(), 'Api', props);

  test.each<[string, lib.CachedApiProps, lib.CachedApiProps, RegExp]>([
    ['cacheMaxDataStorageGb (ElastiCache: 1-5000 GB)', { cacheMaxDataStorageGb: 5000 }, { cacheMaxDataStorageGb: 5001 },
      /CachedApi: cacheMaxDataStorageGb '5001': must be a whole number from 1 to 5000 GB \(ElastiCache API DataStorage, Maximum\)/],
    ['cacheMaxDataStorageGb, lower end', { cacheMaxDataStorageGb: 1 }, { cacheMaxDataStorageGb: 0 }, /cacheMaxDataStorageGb '0': must be a whole number from 1 to 5000 GB/],
    ['cacheMaxEcpuPerSecond (ElastiCache: 1000-15,000,000)', { cacheMaxEcpuPerSecond: 15_000_000 }, { cacheMaxEcpuPerSecond: 15_000_001 },
      /cacheMaxEcpuPerSecond '15000001': must be a whole number from 1000 to 15000000 ECPUs per second \(ElastiCache API ECPUPerSecond, Maximum\)/],
    ['cacheMaxEcpuPerSecond, lower end', { cacheMaxEcpuPerSecond: 1000 }, { cacheMaxEcpuPerSecond: 999 }, /cacheMaxEcpuPerSecond '999'/],
    ['apiCacheTtl (API Gateway: 0-3600 s)', { apiCacheTtl: Duration.seconds(3600), maxStaleness: Duration.hours(2) }, { apiCacheTtl: Duration.seconds(3601), maxStaleness: Duration.hours(2) },
      /apiCacheTtl '1 hour 1 second': must be a whole number from 0 to 3600 seconds \(API Gateway developer guide, "Enable API caching", TTL\)/],
    ['cacheHitRatioAlarmThreshold (a percentage)', { cacheHitRatioAlarmThreshold: 100 }, { cacheHitRatioAlarmThreshold: 100.5 }, /cacheHitRatioAlarmThreshold '100.5': must be from 0 to 100 percent/],
  ])('%s', (_, atLimit, past, message) => {
    expect(api(atLimit)).not.toThrow();
    expect(api(past)).toThrow(message);
  });

  test('the handler\'s fixed timeout lies inside Lambda\'s range', () => {
    const template = Template.fromStack(Stack.of(api({})()));
    const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment?.Variables?.CACHE_TTL_SECONDS);
    expect(fn?.Properties.Timeout).toBeGreaterThanOrEqual(1);
    expect(fn?.Properties.Timeout).toBeLessThanOrEqual(900);
  });
});

describe('imported resources', () => {
  const lookupContext = {
    'vpc-provider:account=123456789012:filter.vpc-id=vpc-0123456789abcdef0:region=us-east-1:returnAsymmetricSubnets=true': {
      vpcId: 'vpc-0123456789abcdef0', vpcCidrBlock: '10.0.0.0/16', ownerAccountId: '123456789012', availabilityZones: [],
      subnetGroups: [{ name: 'Isolated', type: 'Isolated', subnets: [
        { subnetId: 'subnet-000000000000000a1', cidr: '10.0.0.0/24', availabilityZone: 'us-east-1a', routeTableId: 'rtb-000000000000000a1' },
        { subnetId: 'subnet-000000000000000b1', cidr: '10.0.1.0/24', availabilityZone: 'us-east-1b', routeTableId: 'rtb-000000000000000b1' }] }],
    },
  };

  test('CachedApi: Vpc.fromLookup and an imported table (with its key) synthesize a valid template', () => {
    const app = validatingApp(lookupContext);
    const s = new Stack(app, 'Imported', { env: ENV });
    const vpc = ec2.Vpc.fromLookup(s, 'Vpc', { vpcId: 'vpc-0123456789abcdef0' });
    const encryptionKey = kms.Key.fromKeyArn(s, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/0b9a1e1e-1111-2222-3333-444455556666');
    const table = dynamodb.Table.fromTableAttributes(s, 'Table', { tableName: 'items', encryptionKey });
    new lib.CachedApi(s, 'Api', { vpc, table });
    expect(synthesizeAll(app)).toEqual([]);
    const template = Template.fromStack(s);
    template.hasResourceProperties('AWS::ElastiCache::ServerlessCache', { SubnetIds: ['subnet-000000000000000a1', 'subnet-000000000000000b1'] });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['kms:Decrypt']), Resource: encryptionKey.keyArn })]) },
    });
  });

  test('CachedApi: a looked-up VPC without isolated subnets: its own error naming vpcSubnets, not aws-cdk-lib\'s', () => {
    const app = testApp({ context: { ...lookupContext, 'vpc-provider:account=123456789012:filter.vpc-id=vpc-0123456789abcdef0:region=us-east-1:returnAsymmetricSubnets=true': {
      ...lookupContext['vpc-provider:account=123456789012:filter.vpc-id=vpc-0123456789abcdef0:region=us-east-1:returnAsymmetricSubnets=true'],
      subnetGroups: [{ ...lookupContext['vpc-provider:account=123456789012:filter.vpc-id=vpc-0123456789abcdef0:region=us-east-1:returnAsymmetricSubnets=true'].subnetGroups[0], name: 'Private', type: 'Private' }],
    } } });
    const s = new Stack(app, 'Imported', { env: ENV });
    const vpc = ec2.Vpc.fromLookup(s, 'Vpc', { vpcId: 'vpc-0123456789abcdef0' });
    expect(() => new lib.CachedApi(s, 'Api', { vpc })).toThrow(/CachedApi: vpcSubnets 'subnetType Isolated': the VPC has no subnets of the required type/);
    expect(() => new lib.CachedApi(s, 'Api2', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } })).not.toThrow();
  });

  test('StaticSite: an imported bucket works; aws-cdk-lib warns that its policy needs the statement for the distribution', () => {
    const s = stack();
    new lib.StaticSite(s, 'Site', { bucket: s3.Bucket.fromBucketName(s, 'Bucket', 'my-site') });
    Template.fromStack(s).resourceCountIs('AWS::S3::BucketPolicy', 0);
    Annotations.fromStack(s).hasWarning('*', Match.stringLikeRegexp('Cannot update bucket policy of an imported bucket'));
  });
});

describe('cross-stack: references point one way', () => {
  test('CachedApi in the consumer; VPC, table (customer-managed key), cache user, certificate and alarm topic in the producer', () => {
    const app = validatingApp();
    const { producer, consumer } = twoStacks(app);
    const vpc = new ec2.Vpc(producer, 'Vpc', {
      maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      gatewayEndpoints: { DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB } },
    });
    const table = new dynamodb.Table(producer, 'Table', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    });
    const operator = new elasticache.CfnUser(producer, 'Operator', { engine: 'valkey', userId: 'operator', userName: 'operator', accessString: 'on ~* +@read', authenticationMode: { Type: 'iam' } });
    const certificate = new acm.Certificate(producer, 'Cert', { domainName: 'api.example.com' });
    const topic = new sns.Topic(producer, 'Alarms');
    const api = new lib.CachedApi(consumer, 'Api', { vpc, table, cacheUsers: [operator], domainNames: ['api.example.com'], certificate, alarmActions: [new actions.SnsAction(topic)] });
    expect(synthesizeAll(app)).toEqual([]);
    expect(stackDeps(app)).toEqual({ Producer: [], Consumer: ['Producer'] });
    // the function may use the table's key (reads decrypt, writes encrypt), granted on its own role
    const policies = Object.values(Template.fromStack(consumer).findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(policies).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']), Resource: consumer.resolve(table.encryptionKey!.keyArn) }));
    expect(api.table).toBe(table);
  });

  test('the other direction: CachedApi in the producer; a writer role, a dashboard and an alarm in the consumer', () => {
    const app = validatingApp();
    const { producer, consumer } = twoStacks(app);
    const api = new lib.CachedApi(producer, 'Api');
    api.grantWrite(new iam.Role(consumer, 'Importer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    new cloudwatch.Dashboard(consumer, 'Dashboard').addWidgets(new cloudwatch.GraphWidget({ left: [api.metricCacheHitRatio(), api.metricApiLatencyP99()] }));
    new cloudwatch.Alarm(consumer, 'Errors', { metric: api.metricHandlerErrors(), threshold: 1, evaluationPeriods: 1 });
    expect(synthesizeAll(app)).toEqual([]);
    expect(stackDeps(app)).toEqual({ Producer: [], Consumer: ['Producer'] });
  });

  test('CachedApi with a user pool of the producer and its write authorizer beside the API: one way', () => {
    const app = validatingApp();
    const { producer, consumer } = twoStacks(app);
    const pool = new cognito.UserPool(producer, 'Pool');
    new lib.CachedApi(consumer, 'Api', { writeAuthorizer: new apigateway.CognitoUserPoolsAuthorizer(consumer, 'Auth', { cognitoUserPools: [pool] }) });
    expect(synthesizeAll(app)).toEqual([]);
    expect(stackDeps(app)).toEqual({ Producer: [], Consumer: ['Producer'] });
  });

  test('fails if the write authorizer is defined in another stack (aws-cdk-lib creates it there, a cycle)', () => {
    const { producer, consumer } = twoStacks(testApp());
    const writeAuthorizer = new apigateway.CognitoUserPoolsAuthorizer(producer, 'Auth', { cognitoUserPools: [new cognito.UserPool(producer, 'Pool')] });
    expect(() => new lib.CachedApi(consumer, 'Api', { writeAuthorizer }))
      .toThrow(/CachedApi: writeAuthorizer 'Producer\/Auth': is defined in stack 'Producer', but API Gateway creates an authorizer as part of the API.*Fix: create the authorizer .* in the CachedApi's stack/);
  });

  test('StaticSite with a bucket defined in another stack: a clear error instead of a dependency cycle', () => {
    const app = testApp();
    const { producer, consumer } = twoStacks(app);
    const bucket = new s3.Bucket(producer, 'Bucket');
    expect(() => new lib.StaticSite(consumer, 'Site', { bucket }))
      .toThrow(/StaticSite: bucket 'Producer\/Bucket': is defined in stack 'Producer' and the distribution in 'Consumer': Origin Access Control needs the bucket's policy to name the distribution, and the distribution names the bucket, so each stack would depend on the other\. Fix: create the StaticSite in the bucket's stack, or pass the bucket imported/);
  });

  test('StaticSite with a bucket imported into its stack by name: no dependency on the bucket\'s stack', () => {
    const app = validatingApp();
    const { producer, consumer } = twoStacks(app);
    new s3.Bucket(producer, 'Bucket', { bucketName: 'my-site-bucket' });
    new lib.StaticSite(consumer, 'Site', { bucket: s3.Bucket.fromBucketName(consumer, 'Bucket', 'my-site-bucket') });
    expect(synthesizeAll(app)).toEqual([]);
    expect(stackDeps(app)).toEqual({ Producer: [], Consumer: [] });
  });

  test('the other direction: StaticSite in the producer; a deployer role, a dashboard and an alarm on its metrics in the consumer', () => {
    const app = validatingApp();
    const { producer, consumer } = twoStacks(app);
    const site = new lib.StaticSite(producer, 'Site');
    const deployer = new iam.Role(consumer, 'Deployer', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    site.bucket.grantReadWrite(deployer);
    site.distribution.grantCreateInvalidation(deployer);
    new cloudwatch.Dashboard(consumer, 'Dashboard').addWidgets(new cloudwatch.GraphWidget({ left: [site.metric5xxErrorRate(), site.metricRequests()] }));
    new cloudwatch.Alarm(consumer, 'FourXx', { metric: site.metric4xxErrorRate({ region: undefined }), threshold: 10, evaluationPeriods: 3 });
    expect(synthesizeAll(app)).toEqual([]);
    expect(stackDeps(app)).toEqual({ Producer: [], Consumer: ['Producer'] });
  });
});
