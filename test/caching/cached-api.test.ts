import { CfnParameter, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CachedApi, CachedApiProps } from '../../lib/caching/cached-api';
import { testApp } from '../support/app';
import { PolicyDocumentJson, simulate } from '../support/policy-simulator';

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

  test('every member of the Valkey user group authenticates with a password or IAM, and one is named default (what ElastiCache accepts)', () => {
    const users = template.findResources('AWS::ElastiCache::User');
    const [group] = Object.values(template.findResources('AWS::ElastiCache::UserGroup'));
    expect(group.Properties.Engine).toBe('valkey');
    const members = (group.Properties.UserIds as Array<{ Ref: string }>).map(({ Ref }) => users[Ref].Properties);
    expect(members).toHaveLength(2);
    for (const member of members) {
      expect(['password', 'iam']).toContain(member.AuthenticationMode.Type);
      expect(member.NoPasswordRequired).not.toBe(true);
    }
    expect(members.map((m) => m.UserName)).toContain('default');
  });

  test('the disabled default user\'s password comes from Secrets Manager, never in clear in the template', () => {
    template.hasResourceProperties('AWS::ElastiCache::User', {
      UserName: 'default', Engine: 'valkey',
      AuthenticationMode: { Type: 'password', Passwords: [{ 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: Match.stringLikeRegexp('CacheDefaultUserSecret') }, ':SecretString:::}}']] }] },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
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

  test('reads require the API key, which CloudFront sends from Secrets Manager (never in clear in the template); writes require AWS_IAM and no key', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    const byMethod = Object.fromEntries(methods.map((m) => [m.Properties.HttpMethod, m.Properties]));
    expect(Object.keys(byMethod).sort()).toEqual(['DELETE', 'GET', 'PUT']);
    expect(byMethod.GET).toMatchObject({ ApiKeyRequired: true, AuthorizationType: 'NONE' });
    for (const write of [byMethod.PUT, byMethod.DELETE]) {
      expect(write.AuthorizationType).toBe('AWS_IAM');
      expect(write.ApiKeyRequired).toBe(false);
    }
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

  test('CloudFront caches /items/* for 60 s keyed on query strings; everything else is uncached; only GET, HEAD and OPTIONS are forwarded', () => {
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', { CachePolicyConfig: {
      DefaultTTL: 60, MaxTTL: 60, MinTTL: 0,
      ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({ QueryStringsConfig: { QueryStringBehavior: 'all' }, HeadersConfig: { HeaderBehavior: 'none' } }),
    } });
    const config = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    const readMethods = ['GET', 'HEAD', 'OPTIONS'];
    const allViewerExceptHost = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
    const cachingDisabled = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
    expect(config.DefaultCacheBehavior).toMatchObject({
      AllowedMethods: readMethods, CachePolicyId: cachingDisabled, OriginRequestPolicyId: allViewerExceptHost,
    });
    expect(config.CacheBehaviors).toEqual([expect.objectContaining({
      PathPattern: '/items/*', AllowedMethods: readMethods, CachedMethods: ['GET', 'HEAD'], OriginRequestPolicyId: allViewerExceptHost,
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
    expect(() => synth({
      cdnCacheTtl: Duration.minutes(2), apiCacheTtl: Duration.minutes(5), cacheTtl: Duration.minutes(5), maxStaleness: Duration.minutes(10),
    }))
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
    ['cacheMaxDataStorageGb is 0', { cacheMaxDataStorageGb: 0 }, /cacheMaxDataStorageGb '0': must be a whole number from 1 to 5000 GB \(ElastiCache API DataStorage, Maximum\)/],
    ['cacheMaxEcpuPerSecond is below 1000', { cacheMaxEcpuPerSecond: 10 }, /cacheMaxEcpuPerSecond '10': must be a whole number from 1000 to 15000000 ECPUs per second/],
    ['apiCacheTtl is above 3600 s', { apiCacheTtl: Duration.seconds(3601), maxStaleness: Duration.hours(2) }, /apiCacheTtl '1 hour 1 second': must be a whole number from 0 to 3600 seconds \(API Gateway/],
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

const ACCOUNT = '111111111111';
const REST_API_ID = 'a1b2c3d4e5';

/** Resolves the intrinsics of a synthesized policy for a stack with a concrete account and Region: the REST API's Ref becomes REST_API_ID. */
function resolveIntrinsics(value: unknown, refs: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, refs));
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if ('Ref' in obj) {
      const ref = refs[obj.Ref as string];
      if (ref === undefined) throw new Error(`unresolved Ref ${String(obj.Ref)}`);
      return ref;
    }
    if ('Fn::Join' in obj) {
      const [sep, parts] = obj['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => resolveIntrinsics(p, refs)).join(sep);
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolveIntrinsics(v, refs)]));
  }
  return value;
}

describe('CachedApi writes', () => {
  function synthWithWriter(props: CachedApiProps = {}) {
    const stack = new Stack(testApp(), 'Stack', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const api = new CachedApi(stack, 'Api', props);
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });
    return { stack, api, writer };
  }

  describe('grantWrite, evaluated with the policy simulator', () => {
    let identityPolicies: PolicyDocumentJson[];
    const methodArn = (method: string, path = 'items/42', stage = 'api') =>
      `arn:aws:execute-api:eu-west-1:${ACCOUNT}:${REST_API_ID}/${stage}/${method}/${path}`;
    const invoke = (resource: string) => simulate({
      principal: `arn:aws:iam::${ACCOUNT}:role/writer`, action: 'execute-api:Invoke', resource, resourceAccount: ACCOUNT, identityPolicies,
    });

    beforeAll(() => {
      const { stack, api, writer } = synthWithWriter();
      api.grantWrite(writer);
      const template = Template.fromStack(stack);
      const refs: Record<string, string> = { 'AWS::Partition': 'aws' };
      for (const id of Object.keys(template.findResources('AWS::ApiGateway::RestApi'))) refs[id] = REST_API_ID;
      for (const id of Object.keys(template.findResources('AWS::ApiGateway::Stage'))) refs[id] = 'api';
      const writerRef = { Ref: stack.getLogicalId(writer.node.defaultChild as iam.CfnRole) };
      identityPolicies = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([writerRef]))
        .map((p) => resolveIntrinsics(p.Properties.PolicyDocument, refs) as PolicyDocumentJson);
      expect(identityPolicies).toHaveLength(1);
    });

    test('allows PUT and DELETE on any item of the stage', async () => {
      expect(await invoke(methodArn('PUT'))).toBe('Allowed');
      expect(await invoke(methodArn('DELETE', 'items/a-b'))).toBe('Allowed');
    });

    test('does not allow reads (they come through CloudFront with the API key), other methods or another stage', async () => {
      expect(await invoke(methodArn('GET'))).toBe('ImplicitlyDenied');
      expect(await invoke(methodArn('POST'))).toBe('ImplicitlyDenied');
      expect(await invoke(methodArn('PUT', 'items/42', 'other'))).toBe('ImplicitlyDenied');
    });
  });

  test('fails if grantWrite is called with a writeAuthorizer (IAM is not checked then)', () => {
    const stack = new Stack(testApp(), 'Stack');
    const authorizer = new apigateway.CognitoUserPoolsAuthorizer(stack, 'Auth', { cognitoUserPools: [new cognito.UserPool(stack, 'Pool')] });
    const api = new CachedApi(stack, 'Api', { writeAuthorizer: authorizer });
    expect(() => api.grantWrite(new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() })))
      .toThrow(/CachedApi at 'Stack\/Api': grantWrite grants execute-api:Invoke, which only AWS_IAM-authorized writes check, but writeAuthorizer is set/);
  });

  test('writeAuthorizer alone: writes use it on the API endpoint, without the API key; CloudFront stays read-only', () => {
    const stack = new Stack(testApp(), 'Stack');
    const authorizer = new apigateway.CognitoUserPoolsAuthorizer(stack, 'Auth', { cognitoUserPools: [new cognito.UserPool(stack, 'Pool')] });
    new CachedApi(stack, 'Api', { writeAuthorizer: authorizer });
    const template = Template.fromStack(stack);
    for (const method of ['PUT', 'DELETE']) {
      template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: method, AuthorizationType: 'COGNITO_USER_POOLS', ApiKeyRequired: false });
    }
    const config = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS']);
  });

  test('writesThroughCloudFront with a writeAuthorizer: CloudFront forwards every method, and writes need the authorizer and the API key', () => {
    const stack = new Stack(testApp(), 'Stack');
    const authorizer = new apigateway.CognitoUserPoolsAuthorizer(stack, 'Auth', { cognitoUserPools: [new cognito.UserPool(stack, 'Pool')] });
    const api = new CachedApi(stack, 'Api', { writeAuthorizer: authorizer, writesThroughCloudFront: true });
    expect(api.writesThroughCloudFront).toBe(true);
    const template = Template.fromStack(stack);
    for (const method of ['PUT', 'DELETE']) {
      template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: method, AuthorizationType: 'COGNITO_USER_POOLS', ApiKeyRequired: true });
    }
    const config = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    const allMethods = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'];
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(allMethods);
    expect(config.CacheBehaviors[0].AllowedMethods).toEqual(allMethods);
  });

  test('fails if writesThroughCloudFront is set without a writeAuthorizer (SigV4 signs the Host header CloudFront replaces)', () => {
    expect(() => synth({ writesThroughCloudFront: true }))
      .toThrow(/CachedApi: writesThroughCloudFront 'true': writes would be authorized with AWS_IAM, whose SigV4 signature covers the Host header that CloudFront replaces.*Fix: pass a writeAuthorizer/);
  });
});

describe('CachedApi cacheUsers', () => {
  function user(scope: Construct, id: string, props: Partial<elasticache.CfnUserProps>): elasticache.CfnUser {
    return new elasticache.CfnUser(scope, id, { engine: 'valkey', userId: id.toLowerCase(), userName: id.toLowerCase(), accessString: 'on ~* +@read', ...props });
  }

  test('extra password and IAM users join the user group', () => {
    const stack = new Stack(testApp(), 'Stack');
    const operator = user(stack, 'Operator', { authenticationMode: { Type: 'iam' } });
    const reporter = user(stack, 'Reporter', { authenticationMode: { Type: 'password', Passwords: ['x'.repeat(20)] } });
    new CachedApi(stack, 'Api', { cacheUsers: [operator, reporter] });
    Template.fromStack(stack).hasResourceProperties('AWS::ElastiCache::UserGroup', {
      UserIds: Match.arrayWith([{ Ref: stack.getLogicalId(operator) }, { Ref: stack.getLogicalId(reporter) }]),
    });
  });

  test.each<[string, (s: Stack) => elasticache.CfnUser[], RegExp]>([
    ['a user needs no password', (s) => [user(s, 'Open', { authenticationMode: { Type: 'no-password-required' } })],
      /CachedApi: cacheUsers 'open': a Valkey user group accepts only users that authenticate with a password or IAM/],
    ['a user sets noPasswordRequired', (s) => [user(s, 'Open', { noPasswordRequired: true })],
      /cacheUsers 'open': a Valkey user group accepts only users that authenticate with a password or IAM/],
    ['an IAM user\'s name is not its id', (s) => [user(s, 'Ops', { userName: 'operator', authenticationMode: { Type: 'iam' } })],
      /cacheUsers 'ops': IAM authentication requires userName equal to userId, but userName is 'operator'. Fix: set userName: 'ops'/],
    ['a user is named default', (s) => [user(s, 'Admin', { userName: 'default', authenticationMode: { Type: 'password', Passwords: ['x'.repeat(20)] } })],
      /cacheUsers 'admin': the user group already has its own disabled user named 'default'/],
    ['two users share a name', (s) => [
      user(s, 'A', { userName: 'reader', authenticationMode: { Type: 'password', Passwords: ['x'.repeat(20)] } }),
      user(s, 'B', { userName: 'reader', authenticationMode: { Type: 'password', Passwords: ['x'.repeat(20)] } })],
    /cacheUsers 'b': another user of the group is named 'reader'/],
  ])('fails if %s', (_, users, message) => {
    const stack = new Stack(testApp(), 'Stack');
    expect(() => new CachedApi(stack, 'Api', { cacheUsers: users(stack) })).toThrow(message);
  });

  test('tokens are not checked', () => {
    const stack = new Stack(testApp(), 'Stack');
    const name = new CfnParameter(stack, 'Name');
    const mode = new CfnParameter(stack, 'Mode');
    const u = user(stack, 'U', { userName: name.valueAsString, authenticationMode: { Type: mode.valueAsString } });
    expect(() => new CachedApi(stack, 'Api', { cacheUsers: [u] })).not.toThrow();
  });
});

describe('CachedApi account-wide names', () => {
  function cachePolicyName(stack: Stack): unknown {
    const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::CloudFront::CachePolicy'));
    return policy.Properties.CachePolicyConfig.Name;
  }

  test('the same stack in two Regions of one app gets two cache policy names, each with the stack name and Region', () => {
    const app = testApp();
    const stacks = ['eu-west-1', 'us-east-1'].map((region) => {
      const stack = new Stack(app, `Items-${region}`, { stackName: 'Items', env: { account: ACCOUNT, region } });
      new CachedApi(stack, 'Api');
      return stack;
    });
    const names = stacks.map((stack) => cachePolicyName(stack) as string);
    expect(names[0]).toMatch(/^Items-.*-eu-west-1$/);
    expect(names[1]).toMatch(/^Items-.*-us-east-1$/);
    expect(names[0]).not.toBe(names[1]);
  });

  test('a 200-character construct path stays within the name and comment limits', () => {
    const stack = new Stack(testApp(), 'Stack');
    let scope: Construct = stack;
    while (scope.node.path.length < 190) scope = new Construct(scope, 'Level0123456789');
    const api = new CachedApi(scope, 'A'.repeat(200 - scope.node.path.length - 1));
    expect(api.node.path).toHaveLength(200);
    const template = Template.fromStack(stack);
    const [policy] = Object.values(template.findResources('AWS::CloudFront::CachePolicy'));
    const name = Stack.of(api).resolve(policy.Properties.CachePolicyConfig.Name);
    // the Region is a token here: count it as the longest Region name
    const joined = (name['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : 'ap-southeast-77')).join('');
    expect(joined.length).toBeLessThanOrEqual(128);
    expect(joined).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(policy.Properties.CachePolicyConfig.Comment.length).toBeLessThanOrEqual(128);
    const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
    expect(distribution.Properties.DistributionConfig.Comment.length).toBeLessThanOrEqual(128);
  });
});

describe('CachedApi alarms', () => {
  let template: Template;
  let api: CachedApi;
  beforeAll(() => ({ template, api } = synth()));

  /** The alarm whose logical ID starts with `Api<name>` (construct ID 'Api' + the alarm's ID). */
  function alarm(t: Template, name: string): Record<string, any> {
    const found = Object.entries(t.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith(`Api${name}`));
    expect(found).toHaveLength(1);
    return found[0][1].Properties;
  }
  /** The single metric (plain or inside a math expression) an alarm reads, with its stat and period. */
  function stats(
    props: Record<string, any>,
  ): Array<{ namespace: string; metric: string; dims: Record<string, unknown>; stat: string; period: number }> {
    if (props.MetricName) {
      return [{
        namespace: props.Namespace, metric: props.MetricName, dims: Object.fromEntries(props.Dimensions.map((d: any) => [d.Name, d.Value])),
        stat: props.ExtendedStatistic ?? props.Statistic, period: props.Period,
      }];
    }
    return props.Metrics.filter((m: any) => m.MetricStat).map((m: any) => ({
      namespace: m.MetricStat.Metric.Namespace, metric: m.MetricStat.Metric.MetricName,
      dims: Object.fromEntries(m.MetricStat.Metric.Dimensions.map((d: any) => [d.Name, d.Value])),
      stat: m.MetricStat.Stat, period: m.MetricStat.Period,
    }));
  }
  const fnRef = () => ({ Ref: Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { CACHE_TLS: 'true' } } } }))[0] });
  const cacheRef = () => ({ Ref: Object.keys(template.findResources('AWS::ElastiCache::ServerlessCache'))[0] });

  test('seven alarms, exposed as members and in alarms, none with actions by default', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
    expect(api.alarms).toEqual([api.apiServerErrorAlarm, api.apiLatencyAlarm, api.handlerErrorsAlarm, api.handlerThrottlesAlarm,
      api.cacheHitRatioAlarm, api.cacheThrottledAlarm, api.cacheEcpuAlarm]);
    for (const a of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(a.Properties.AlarmActions).toBeUndefined();
      expect(a.Properties.AlarmName).toBeUndefined(); // CloudFormation names them after the stack (the alarm topic's key policy relies on it)
      expect(a.Properties.AlarmDescription).toMatch(/Stack\/Api/);
    }
  });

  test('API 5xx: above 5% of requests (5XXError Average x 100) in 2 of 3 five-minute periods', () => {
    const props = alarm(template, 'ApiServerErrorAlarm');
    expect(props).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 3, DatapointsToAlarm: 2, TreatMissingData: 'notBreaching' });
    expect(props.Metrics.find((m: any) => m.Expression).Expression).toBe('100 * errors');
    const restApiName = Object.values(template.findResources('AWS::ApiGateway::RestApi'))[0].Properties.Name;
    expect(stats(props)).toEqual([{ namespace: 'AWS/ApiGateway', metric: '5XXError', stat: 'Average', period: 300,
      dims: { ApiName: restApiName, Stage: { Ref: Object.keys(template.findResources('AWS::ApiGateway::Stage'))[0] } } }]);
  });

  test('API p99 latency above 2 s for 3 five-minute periods', () => {
    const props = alarm(template, 'ApiLatencyAlarm');
    expect(props).toMatchObject({ Threshold: 2000, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 3, TreatMissingData: 'notBreaching' });
    expect(stats(props)).toEqual([expect.objectContaining({ namespace: 'AWS/ApiGateway', metric: 'Latency', stat: 'p99', period: 300 })]);
  });

  test('function errors and throttles: any in 5 minutes, on this function', () => {
    for (const [name, metric] of [['HandlerErrorsAlarm', 'Errors'], ['HandlerThrottlesAlarm', 'Throttles']]) {
      const props = alarm(template, name);
      expect(props).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
      expect(stats(props)).toEqual([{ namespace: 'AWS/Lambda', metric, stat: 'Sum', period: 300, dims: { FunctionName: fnRef() } }]);
    }
  });

  test('cache hit ratio below 50% for 3 five-minute periods, judged only with at least 20 reads, from the handler\'s EMF metrics', () => {
    const props = alarm(template, 'CacheHitRatioAlarm');
    expect(props).toMatchObject({ Threshold: 50, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 3, TreatMissingData: 'notBreaching' });
    expect(props.Metrics.find((m: any) => m.Expression).Expression).toMatch(/^IF\(\(FILL\(hit, 0\) \+ FILL\(miss, 0\) \+ FILL\(error, 0\)\) >= 20, 100 \* FILL\(hit, 0\) \//);
    expect(stats(props)).toEqual(['CacheHit', 'CacheMiss', 'CacheError'].map((metric) =>
      ({ namespace: 'CachedApi', metric, stat: 'Sum', period: 300, dims: { service: fnRef() } })));
    // the handler reads its namespace from the environment the construct sets
    expect(fnEnv(template).POWERTOOLS_METRICS_NAMESPACE).toBe(CachedApi.METRICS_NAMESPACE);
  });

  test('Valkey throttling: any throttled command in 3 of 5 minutes, dimension clusterId = the serverless cache', () => {
    const props = alarm(template, 'CacheThrottledAlarm');
    expect(props).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 5, DatapointsToAlarm: 3, TreatMissingData: 'notBreaching' });
    expect(stats(props)).toEqual([{ namespace: 'AWS/ElastiCache', metric: 'ThrottledCmds', stat: 'Sum', period: 60, dims: { clusterId: cacheRef() } }]);
  });

  test('Valkey ECPU: above 80% of the ECPU/s limit for 5 minutes (ECPUs per minute / 60)', () => {
    const props = alarm(template, 'CacheEcpuAlarm');
    expect(props).toMatchObject({ Threshold: 4000, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 5, TreatMissingData: 'notBreaching' });
    expect(props.Metrics.find((m: any) => m.Expression).Expression).toBe('ecpu / PERIOD(ecpu)');
    expect(stats(props)).toEqual([{ namespace: 'AWS/ElastiCache', metric: 'ElastiCacheProcessingUnits', stat: 'Sum', period: 60, dims: { clusterId: cacheRef() } }]);
    expect(alarm(synth({ cacheMaxEcpuPerSecond: 20_000 }).template, 'CacheEcpuAlarm').Threshold).toBe(16_000);
  });

  test('thresholds follow apiLatencyAlarmThreshold and cacheHitRatioAlarmThreshold', () => {
    const { template: t } = synth({ apiLatencyAlarmThreshold: Duration.millis(750), cacheHitRatioAlarmThreshold: 80 });
    expect(alarm(t, 'ApiLatencyAlarm').Threshold).toBe(750);
    expect(alarm(t, 'CacheHitRatioAlarm').Threshold).toBe(80);
  });

  test('a token ECPU limit: no ECPU alarm (80% of it is not known at synth time), the rest as usual', () => {
    const stack = new Stack(testApp(), 'Stack');
    const ecpu = new CfnParameter(stack, 'Ecpu', { type: 'Number' });
    const withToken = new CachedApi(stack, 'Api', { cacheMaxEcpuPerSecond: ecpu.valueAsNumber });
    expect(withToken.cacheEcpuAlarm).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 6);
  });

  test('alarmActions reach every alarm; addAlarmActions adds to every alarm', () => {
    const stack = new Stack(testApp(), 'Stack');
    const topic = new sns.Topic(stack, 'Topic');
    const later = new sns.Topic(stack, 'Later');
    const a = new CachedApi(stack, 'Api', { alarmActions: [new cwActions.SnsAction(topic)] });
    a.addAlarmActions(new cwActions.SnsAction(later));
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(7);
    const actions = [topic, later].map((t) => ({ Ref: stack.getLogicalId(t.node.defaultChild as sns.CfnTopic) }));
    for (const x of alarms) expect(x.Properties.AlarmActions).toEqual(actions);
  });

  test('metric methods: cache results by name, CloudFront from us-east-1 with Region Global, ECPU per second', () => {
    const stack = Stack.of(api);
    const resolve = (m: cloudwatch.IMetric) => stack.resolve(m.toMetricConfig());
    expect(resolve(api.metricCacheResult('miss')).metricStat).toMatchObject({ namespace: 'CachedApi', metricName: 'CacheMiss', statistic: 'Sum' });
    expect(() => api.metricCacheResult('hits')).toThrow(/metricCacheResult result 'hits' is not a cache result; use one of hit, miss, error, bypass/);
    const cf = resolve(api.metricDistribution('5xxErrorRate'));
    expect(cf.metricStat).toMatchObject({ namespace: 'AWS/CloudFront', region: 'us-east-1', dimensions: [{ name: 'DistributionId', value: { Ref: expect.stringMatching(/^ApiDistribution/) } }, { name: 'Region', value: 'Global' }] });
    expect(api.metricCacheEcpuPerSecond().expression).toBe('ecpu / PERIOD(ecpu)');
    expect(resolve(api.metricCache('BytesUsedForCache')).metricStat.dimensions).toEqual([{ name: 'clusterId', value: cacheRef() }]);
    expect(resolve(api.metricApiRequests()).metricStat).toMatchObject({ namespace: 'AWS/ApiGateway', metricName: 'Count', statistic: 'Sum' });
  });

  test('the REST API has a name of its own (API Gateway metrics are keyed by name), stable and within the stack', () => {
    const name = Object.values(template.findResources('AWS::ApiGateway::RestApi'))[0].Properties.Name;
    expect(name).toMatch(/^StackApi[A-F0-9]{8}$|^Stack-Api-[A-F0-9]{8}$/);
    const other = new Stack(testApp(), 'Other');
    new CachedApi(other, 'Api');
    expect(Object.values(Template.fromStack(other).findResources('AWS::ApiGateway::RestApi'))[0].Properties.Name).not.toBe(name);
  });

  test.each<[string, CachedApiProps, RegExp]>([
    ['cacheHitRatioAlarmThreshold is above 100', { cacheHitRatioAlarmThreshold: 120 }, /cacheHitRatioAlarmThreshold '120': must be from 0 to 100 percent/],
    ['apiLatencyAlarmThreshold is above API Gateway\'s 29 s', { apiLatencyAlarmThreshold: Duration.seconds(30) }, /apiLatencyAlarmThreshold '30 seconds': API Gateway answers within its 29 s integration timeout/],
  ])('fails if %s', (_, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test('alarm thresholds given as tokens are not validated', () => {
    const stack = new Stack(testApp(), 'Stack');
    const ratio = new CfnParameter(stack, 'Ratio', { type: 'Number' });
    expect(() => new CachedApi(stack, 'Api', { cacheHitRatioAlarmThreshold: ratio.valueAsNumber, apiLatencyAlarmThreshold: Duration.millis(Lazy.number({ produce: () => 99_999 })) })).not.toThrow();
  });
});
