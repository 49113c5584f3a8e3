import { CfnParameter, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CachedApi, CachedApiProps } from '../../lib/caching/cached-api';
import { testApp } from '../support/app';

function synth(props: CachedApiProps = {}): { stack: Stack; api: CachedApi; template: Template } {
  const stack = new Stack(testApp(), 'Stack');
  const api = new CachedApi(stack, 'Api', props);
  return { stack, api, template: Template.fromStack(stack) };
}

function fnEnv(template: Template): Record<string, unknown> {
  const fns = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { CACHE_TLS: 'true' } } } }));
  expect(fns).toHaveLength(1);
  return fns[0].Properties.Environment.Variables;
}

describe('CachedApi defaults', () => {
  let template: Template;
  let api: CachedApi;
  beforeAll(() => ({ template, api } = synth()));

  test('a serverless Valkey cache in the isolated subnets, with a user group whose only enabled user authenticates with IAM', () => {
    template.hasResourceProperties('AWS::ElastiCache::ServerlessCache', {
      Engine: 'valkey',
      MajorEngineVersion: '8',
      SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('IsolatedSubnet1') }]),
      CacheUsageLimits: { DataStorage: { Maximum: 1, Unit: 'GB' }, ECPUPerSecond: { Maximum: 5000 } },
      UserGroupId: { Ref: Match.stringLikeRegexp('CacheUserGroup') },
    });
    template.hasResourceProperties('AWS::ElastiCache::User', { AuthenticationMode: { Type: 'iam' }, AccessString: Match.stringLikeRegexp('^on ~item:\\* -@all ') });
    template.hasResourceProperties('AWS::ElastiCache::User', { UserName: 'default', AccessString: 'off -@all' });
  });

  test('the cache accepts only the function security group, on the Valkey ports', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp', FromPort: 6379, ToPort: 6380,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('FunctionSecurityGroup'), 'GroupId'] },
    });
    const cacheSg = Object.values(template.findResources('AWS::EC2::SecurityGroup'))
      .find((sg) => String(sg.Properties.GroupDescription).startsWith('Valkey'));
    expect(cacheSg?.Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('no NAT gateway; DynamoDB through a gateway endpoint', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway', ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.dynamodb']] },
    });
  });

  test('the function runs in the VPC with the documented TTL and timeout, and may connect as its cache user only', () => {
    expect(fnEnv(template)).toMatchObject({ CACHE_TTL_SECONDS: '300', CACHE_TIMEOUT_MS: '100', CACHE_IAM_USER: expect.any(String) });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { CACHE_TLS: 'true' } },
      VpcConfig: { SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('FunctionSecurityGroup'), 'GroupId'] }] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'] })]) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([
        Match.objectLike({ Action: 'elasticache:Connect', Resource: [
          { 'Fn::GetAtt': [Match.stringLikeRegexp('Cache'), 'ARN'] }, { 'Fn::GetAtt': [Match.stringLikeRegexp('CacheUser'), 'Arn'] }] }),
      ]) },
    });
    expect(api.cacheTtl.toSeconds()).toBe(300);
  });

  test('an on-demand table keyed by id, with point-in-time recovery, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('every API method requires the API key; CloudFront sends it from Secrets Manager, never in clear in the template', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods.map((m) => m.Properties.HttpMethod).sort()).toEqual(['DELETE', 'GET', 'PUT']);
    for (const m of methods) expect(m.Properties.ApiKeyRequired).toBe(true);
    const secretRef = { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: Match.stringLikeRegexp('OriginSecret') }, ':SecretString:::}}']] };
    template.hasResourceProperties('AWS::ApiGateway::ApiKey', { Value: secretRef });
    template.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: { Origins: [Match.objectLike({
      OriginCustomHeaders: [{ HeaderName: 'x-api-key', HeaderValue: secretRef }],
    })] } });
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 1);
  });

  test('no stage cache, stage throttled, logs on, and no account-wide logging role', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      CacheClusterEnabled: Match.absent(),
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: [Match.objectLike({ LoggingLevel: 'INFO', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 })],
    });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('CloudFront caches /items/* for 60 s keyed on query strings; everything else is uncached; all methods forwarded', () => {
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', { CachePolicyConfig: {
      DefaultTTL: 60, MaxTTL: 60, MinTTL: 0,
      ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({ QueryStringsConfig: { QueryStringBehavior: 'all' }, HeadersConfig: { HeaderBehavior: 'none' } }),
    } });
    const config = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    const allMethods = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'];
    const allViewerExceptHost = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
    const cachingDisabled = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
    expect(config.DefaultCacheBehavior).toMatchObject({ AllowedMethods: allMethods, CachePolicyId: cachingDisabled, OriginRequestPolicyId: allViewerExceptHost });
    expect(config.CacheBehaviors).toEqual([expect.objectContaining({
      PathPattern: '/items/*', AllowedMethods: allMethods, CachedMethods: ['GET', 'HEAD'], OriginRequestPolicyId: allViewerExceptHost,
      CachePolicyId: { Ref: expect.stringMatching(/CachePolicy/) }, ViewerProtocolPolicy: 'redirect-to-https',
    })]);
  });
});

describe('CachedApi options', () => {
  test('apiCacheTtl turns on an encrypted stage cache for GET only, keyed on the item id', () => {
    const { template } = synth({ apiCacheTtl: Duration.seconds(30), cdnCacheTtl: Duration.seconds(30), cacheTtl: Duration.seconds(60) });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      CacheClusterEnabled: true, CacheClusterSize: '0.5',
      MethodSettings: Match.arrayWith([Match.objectLike({ HttpMethod: 'GET', ResourcePath: '/*', CachingEnabled: true, CacheTtlInSeconds: 30, CacheDataEncrypted: true })]),
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', Integration: { CacheKeyParameters: ['method.request.path.id'] } });
  });

  test('cloudWatchRole: true registers the account-wide API Gateway logging role', () => {
    synth({ cloudWatchRole: true }).template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  test('cdnCacheTtl 0 disables edge caching on the cached paths too', () => {
    const { template } = synth({ cdnCacheTtl: Duration.seconds(0) });
    template.resourceCountIs('AWS::CloudFront::CachePolicy', 0);
  });

  test('custom TTLs, timeout, limits, paths and cache-key headers reach the template', () => {
    const { template } = synth({
      cacheTtl: Duration.seconds(45), cacheTimeout: Duration.millis(250), cacheMaxDataStorageGb: 5, cacheMaxEcpuPerSecond: 2000,
      cdnCacheTtl: Duration.seconds(10), cachedPathPatterns: ['/items/*', '/catalog/*'], cacheKeyHeaders: ['Accept-Language'],
    });
    expect(fnEnv(template)).toMatchObject({ CACHE_TTL_SECONDS: '45', CACHE_TIMEOUT_MS: '250' });
    template.hasResourceProperties('AWS::ElastiCache::ServerlessCache', { CacheUsageLimits: { DataStorage: { Maximum: 5, Unit: 'GB' }, ECPUPerSecond: { Maximum: 2000 } } });
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', { CachePolicyConfig: Match.objectLike({ DefaultTTL: 10,
      ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({ HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Accept-Language'] } }) }) });
    const config = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    expect(config.CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern)).toEqual(['/items/*', '/catalog/*']);
  });

  test('an existing VPC and table are used as given', () => {
    const stack = new Stack(testApp(), 'Stack');
    const vpc = new ec2.Vpc(stack, 'Mine', { natGateways: 0, subnetConfiguration: [{ name: 'I', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const table = dynamodb.Table.fromTableName(stack, 'Existing', 'existing-items');
    const api = new CachedApi(stack, 'Api', { vpc, table });
    expect(api.vpc).toBe(vpc);
    expect(api.table).toBe(table);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(fnEnv(template).TABLE_NAME).toBe('existing-items');
  });

  test('a certificate raises the viewer TLS minimum to 1.2', () => {
    const stack = new Stack(testApp(), 'Stack');
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc');
    new CachedApi(stack, 'Api', { domainNames: ['api.example.com'], certificate });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: Match.objectLike({
      ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021' }) }) });
  });

  test('tokens are not validated (CfnParameter, Lazy)', () => {
    const stack = new Stack(testApp(), 'Stack');
    const storage = new CfnParameter(stack, 'Storage', { type: 'Number' });
    new CachedApi(stack, 'Api', {
      cacheMaxDataStorageGb: storage.valueAsNumber,
      cacheTtl: Duration.seconds(Lazy.number({ produce: () => 9999 })),
      apiCacheTtl: Duration.seconds(Lazy.number({ produce: () => 9999 })),
    });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});

describe('CachedApi maxStaleness', () => {
  test('the default TTLs (60 s + 0 s + 300 s) fit the default 10 minutes', () => {
    expect(() => synth()).not.toThrow();
  });

  test('fails if the stacked TTLs exceed maxStaleness, naming each layer\'s share', () => {
    expect(() => synth({ cdnCacheTtl: Duration.minutes(2), apiCacheTtl: Duration.minutes(5), cacheTtl: Duration.minutes(5), maxStaleness: Duration.minutes(10) }))
      .toThrow(/CachedApi: maxStaleness '10 minutes': the TTLs that can stack up add to 720 s \(CloudFront cdnCacheTtl 120 s \+ API Gateway stage cache apiCacheTtl 300 s \+ cache-aside \(Valkey\) cacheTtl 300 s\), more than maxStaleness 600 s\. Fix: lower one of those TTLs or raise maxStaleness/);
  });

  test('fails if the default TTLs exceed a tighter maxStaleness', () => {
    expect(() => synth({ maxStaleness: Duration.minutes(1) })).toThrow(/add to 360 s \(CloudFront cdnCacheTtl 60 s \+ API Gateway stage cache apiCacheTtl 0 s \+ cache-aside \(Valkey\) cacheTtl 300 s\)/);
  });
});

describe('CachedApi validation', () => {
  test.each<[string, CachedApiProps, RegExp]>([
    ['removalPolicy is set with an existing table', { removalPolicy: RemovalPolicy.DESTROY }, /removalPolicy 'destroy': only applies to a new table/],
    ['vpcSubnets is set without a vpc', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }, /vpcSubnets .*: only applies to an existing vpc/],
    ['cacheTtl is below 1 s', { cacheTtl: Duration.millis(500) }, /cacheTtl '500 millis': Valkey expiries are set in whole seconds, at least 1/],
    ['cacheTtl is not whole seconds', { cacheTtl: Duration.millis(1500) }, /cacheTtl '1 second 500 millis': Valkey expiries are set in whole seconds/],
    ['cacheTimeout reaches the function timeout', { cacheTimeout: Duration.seconds(10) }, /cacheTimeout '10 seconds': must be from 1 ms to below the function timeout \(10 seconds\)/],
    ['cacheMaxDataStorageGb is 0', { cacheMaxDataStorageGb: 0 }, /cacheMaxDataStorageGb '0': ElastiCache Serverless allows a whole number of GB from 1 to 5000/],
    ['cacheMaxEcpuPerSecond is below 1000', { cacheMaxEcpuPerSecond: 10 }, /cacheMaxEcpuPerSecond '10': ElastiCache Serverless allows 1000 to 15,000,000/],
    ['apiCacheTtl is above 3600 s', { apiCacheTtl: Duration.seconds(3601), maxStaleness: Duration.hours(2) }, /apiCacheTtl '1 hour 1 second': API Gateway stage caches allow a TTL from 0 to 3600 seconds/],
    ['apiCacheSize is set without apiCacheTtl', { apiCacheSize: '1.6' }, /apiCacheSize '1.6': only applies with a stage cache/],
    ['apiCacheSize is not offered', { apiCacheTtl: Duration.seconds(10), apiCacheSize: '2' }, /apiCacheSize '2': API Gateway offers 0.5, 1.6/],
    ['cachedPathPatterns is empty', { cachedPathPatterns: [] }, /cachedPathPatterns '\[\]': at least one path must be cacheable/],
    ['cachedPathPatterns lists the default behavior', { cachedPathPatterns: ['/*'] }, /cachedPathPatterns '\/\*': the default behavior/],
    ['domainNames are set without a certificate', { domainNames: ['api.example.com'] }, /domainNames 'api.example.com': CloudFront needs a certificate exactly when custom domain names are set/],
  ])('fails if %s', (_, props, message) => {
    const stack = new Stack(testApp(), 'Stack');
    const table = props.removalPolicy ? { table: dynamodb.Table.fromTableName(stack, 'T', 't') } : {};
    expect(() => new CachedApi(stack, 'Api', { ...props, ...table })).toThrow(message);
  });

  test('fails once with every problem listed', () => {
    expect(() => synth({ cacheTtl: Duration.millis(1), cacheMaxEcpuPerSecond: 1, maxStaleness: Duration.seconds(1) }))
      .toThrow(/CachedApi at 'Stack\/Api' has 3 configuration error\(s\)/);
  });
});
