import { Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { StaticSite, StaticSiteProps } from '../../lib/caching/static-site';
import { testApp } from '../support/app';

function synth(props: StaticSiteProps = {}): { site: StaticSite; template: Template } {
  const stack = new Stack(testApp(), 'Stack');
  const site = new StaticSite(stack, 'Site', props);
  return { site, template: Template.fromStack(stack) };
}

function distributionConfig(template: Template) {
  return Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
}

function cachePolicyTtl(template: Template, logicalIdPart: string): number {
  const [, policy] = Object.entries(template.findResources('AWS::CloudFront::CachePolicy')).find(([id]) => id.includes(logicalIdPart))!;
  return policy.Properties.CachePolicyConfig.DefaultTTL;
}

describe('StaticSite defaults', () => {
  let template: Template;
  beforeAll(() => ({ template } = synth()));

  test('a private bucket: public access blocked, TLS only, encrypted, retained, read through Origin Access Control', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: Match.anyValue(),
        LoggingConfiguration: Match.anyValue(),
      }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', { PolicyDocument: { Statement: Match.arrayWith([
      Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      Match.objectLike({ Effect: 'Allow', Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } }),
    ]) } });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', { OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' }) });
  });

  test('index.html is the root object; no SPA error responses unless asked', () => {
    const config = distributionConfig(template);
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.CustomErrorResponses).toBeUndefined();
    expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'], Compress: true });
  });

  test('hashed assets are cached 365 days, everything else (index.html) 60 s', () => {
    const config = distributionConfig(template);
    expect(config.CacheBehaviors).toEqual([expect.objectContaining({ PathPattern: '/assets/*' })]);
    expect(cachePolicyTtl(template, 'AssetCachePolicy')).toBe(365 * 24 * 3600);
    expect(cachePolicyTtl(template, 'HtmlCachePolicy')).toBe(60);
    expect(config.DefaultCacheBehavior.CachePolicyId).toEqual({ Ref: expect.stringMatching(/HtmlCachePolicy/) });
    expect(config.CacheBehaviors[0].CachePolicyId).toEqual({ Ref: expect.stringMatching(/AssetCachePolicy/) });
  });

  test('security headers on every behavior', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', { ResponseHeadersPolicyConfig: Match.objectLike({
      SecurityHeadersConfig: Match.objectLike({
        StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true },
        ContentTypeOptions: { Override: true },
        FrameOptions: { FrameOption: 'DENY', Override: true },
        ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
        ContentSecurityPolicy: { ContentSecurityPolicy: "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'", Override: true },
      }),
    }) });
    const config = distributionConfig(template);
    for (const b of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(b.ResponseHeadersPolicyId).toEqual({ Ref: expect.stringMatching(/SecurityHeaders/) });
    }
  });
});

describe('StaticSite options', () => {
  test('spa: 403 and 404 answer the root object with 200, cached like HTML', () => {
    const { template } = synth({ spa: true, htmlTtl: Duration.seconds(30), defaultRootObject: 'app.html' });
    expect(distributionConfig(template).CustomErrorResponses).toEqual([
      { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/app.html', ErrorCachingMinTTL: 30 },
      { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/app.html', ErrorCachingMinTTL: 30 },
    ]);
  });

  test('custom TTLs and asset paths', () => {
    const { template } = synth({ assetTtl: Duration.days(30), htmlTtl: Duration.seconds(10), assetPathPatterns: ['/static/*', '/_next/*'] });
    expect(cachePolicyTtl(template, 'AssetCachePolicy')).toBe(30 * 24 * 3600);
    expect(cachePolicyTtl(template, 'HtmlCachePolicy')).toBe(10);
    expect(distributionConfig(template).CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern)).toEqual(['/static/*', '/_next/*']);
  });

  test('an existing bucket and response headers policy are used as given', () => {
    const stack = new Stack(testApp(), 'Stack');
    const bucket = new s3.Bucket(stack, 'Mine', { enforceSSL: true });
    const policy = cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS;
    const site = new StaticSite(stack, 'Site', { bucket, responseHeadersPolicy: policy });
    expect(site.bucket).toBe(bucket);
    expect(site.accessLogsBucket).toBeUndefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.resourceCountIs('AWS::CloudFront::ResponseHeadersPolicy', 0);
  });

  test('a certificate raises the viewer TLS minimum to 1.2', () => {
    const stack = new Stack(testApp(), 'Stack');
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc');
    new StaticSite(stack, 'Site', { domainNames: ['www.example.com'], certificate });
    expect(distributionConfig(Template.fromStack(stack)).ViewerCertificate).toMatchObject({ MinimumProtocolVersion: 'TLSv1.2_2021' });
  });

  test('tokens are not validated', () => {
    expect(() => synth({
      htmlTtl: Duration.seconds(Lazy.number({ produce: () => 30 })), assetTtl: Duration.seconds(Lazy.number({ produce: () => 60 })),
    })).not.toThrow();
  });
});

describe('StaticSite validation', () => {
  test.each<[string, StaticSiteProps, RegExp]>([
    ['defaultRootObject starts with a slash', { defaultRootObject: '/index.html' }, /defaultRootObject '\/index.html': CloudFront expects an object name without a leading slash/],
    ['assetTtl is above 365 days', { assetTtl: Duration.days(400) }, /assetTtl '400 days': CloudFront caches at most 365 days/],
    ['htmlTtl is above 365 days', { htmlTtl: Duration.days(366), assetTtl: Duration.days(365) }, /htmlTtl '366 days': CloudFront caches at most 365 days/],
    ['assetTtl is shorter than htmlTtl', { assetTtl: Duration.minutes(1), htmlTtl: Duration.hours(1) }, /assetTtl '1 minute': is shorter than htmlTtl \(1 hour\)/],
    ['assetPathPatterns covers everything', { assetPathPatterns: ['/*'] }, /assetPathPatterns '\/\*': would give index.html the long asset TTL too/],
    ['domainNames are set without a certificate', { domainNames: ['www.example.com'] }, /domainNames 'www.example.com': CloudFront needs a certificate/],
    ['contentSecurityPolicy is set with a responseHeadersPolicy', { contentSecurityPolicy: "default-src 'none'", responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS }, /contentSecurityPolicy .*: only applies to the default response headers policy/],
  ])('fails if %s', (_, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test('fails if removalPolicy is set with an existing bucket', () => {
    const stack = new Stack(testApp(), 'Stack');
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'my-site');
    expect(() => new StaticSite(stack, 'Site', { bucket, removalPolicy: RemovalPolicy.DESTROY }))
      .toThrow(/StaticSite: removalPolicy 'destroy': only applies to a new bucket/);
  });
});

describe('StaticSite account-wide names', () => {
  /** Every CloudFront name that is unique per account: response headers policy, cache policies, origin access control. */
  function accountWideNames(stack: Stack): Record<string, unknown> {
    const template = Template.fromStack(stack);
    const names: Record<string, unknown> = {};
    for (const [id, r] of Object.entries(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'))) names[id] = r.Properties.ResponseHeadersPolicyConfig.Name;
    for (const [id, r] of Object.entries(template.findResources('AWS::CloudFront::CachePolicy'))) names[id] = r.Properties.CachePolicyConfig.Name;
    for (const [id, r] of Object.entries(template.findResources('AWS::CloudFront::OriginAccessControl'))) names[id] = r.Properties.OriginAccessControlConfig.Name;
    return names;
  }

  test('the same stack in two Regions of one app gets different names, each with the stack name and Region', () => {
    const app = testApp();
    const stacks = ['eu-west-1', 'us-east-1'].map((region) => {
      const stack = new Stack(app, `Site-${region}`, { stackName: 'Site', env: { account: '111111111111', region } });
      new StaticSite(stack, 'Site');
      return stack;
    });
    const [eu, us] = stacks.map(accountWideNames);
    expect(Object.keys(eu)).toHaveLength(4);
    for (const [id, name] of Object.entries(eu)) {
      expect(name).toMatch(/^Site-Site-.*-eu-west-1$/);
      expect(us[id]).toMatch(/^Site-Site-.*-us-east-1$/);
    }
    const all = [...Object.values(eu), ...Object.values(us)];
    expect(new Set(all).size).toBe(all.length);
  });

  test('one construct path under two stack names in one Region gets different names', () => {
    const names = ['SiteA', 'SiteB'].map((stackName) => {
      const stack = new Stack(testApp(), 'Stack', { stackName, env: { account: '111111111111', region: 'eu-west-1' } });
      new StaticSite(stack, 'Site');
      return accountWideNames(stack);
    });
    for (const id of Object.keys(names[0])) expect(names[0][id]).not.toBe(names[1][id]);
  });

  test('an environment-agnostic stack puts AWS::Region in every name', () => {
    const { site } = synth();
    for (const name of Object.values(accountWideNames(Stack.of(site)))) {
      expect(name).toEqual({ 'Fn::Join': ['', [expect.stringMatching(/^Stack-Site-[A-Za-z0-9_-]+-$/), { Ref: 'AWS::Region' }]] });
    }
  });

  test('a 200-character construct path stays within each name\'s length and pattern, and each comment\'s length', () => {
    const stack = new Stack(testApp(), 'Stack');
    let scope: Construct = stack;
    while (scope.node.path.length < 190) scope = new Construct(scope, 'Level0123456789');
    const site = new StaticSite(scope, 'S'.repeat(200 - scope.node.path.length - 1));
    expect(site.node.path).toHaveLength(200);
    const template = Template.fromStack(stack);
    const longestRegion = 'ap-southeast-77';
    const concrete = (name: unknown) => (typeof name === 'string' ? name
      : ((name as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]).map((p) => (typeof p === 'string' ? p : longestRegion)).join(''));
    const limits: Array<[string, string, number]> = [
      ['AWS::CloudFront::ResponseHeadersPolicy', 'ResponseHeadersPolicyConfig', 128],
      ['AWS::CloudFront::CachePolicy', 'CachePolicyConfig', 128],
      ['AWS::CloudFront::OriginAccessControl', 'OriginAccessControlConfig', 64],
    ];
    for (const [type, config, max] of limits) {
      for (const r of Object.values(template.findResources(type))) {
        const name = concrete(r.Properties[config].Name);
        expect(name.length).toBeLessThanOrEqual(max);
        expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
        const comment = r.Properties[config].Comment ?? r.Properties[config].Description;
        expect(comment.length).toBeLessThanOrEqual(128);
      }
    }
    expect(distributionConfig(template).Comment.length).toBeLessThanOrEqual(128);
  });
});

describe('StaticSite alarms', () => {
  function inRegion(region: string | undefined, props: StaticSiteProps = {}) {
    const stack = new Stack(testApp(), 'Stack', region ? { env: { region, account: '111111111111' } } : {});
    const site = new StaticSite(stack, 'Site', props);
    return { stack, site, template: Template.fromStack(stack) };
  }
  const alarmProps = (template: Template) => Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a);

  test('in us-east-1: a 5xx error rate alarm above 5% in 2 of 3 five-minute periods, on this distribution (Region Global), unconditional', () => {
    const { site, template } = inRegion('us-east-1');
    const [alarm] = alarmProps(template);
    expect(alarmProps(template)).toHaveLength(1);
    expect(alarm.Condition).toBeUndefined();
    expect(alarm.Properties.Metrics).toEqual([expect.objectContaining({ MetricStat: { Period: 300, Stat: 'Average', Metric: {
      Namespace: 'AWS/CloudFront', MetricName: '5xxErrorRate',
      Dimensions: [{ Name: 'DistributionId', Value: { Ref: expect.stringMatching(/^SiteDistribution/) } }, { Name: 'Region', Value: 'Global' }],
    } } })]);
    expect(alarm.Properties).toMatchObject({
      Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 3, DatapointsToAlarm: 2, TreatMissingData: 'notBreaching',
    });
    expect(alarm.Properties.AlarmActions).toBeUndefined();
    expect(site.alarms).toEqual([site.serverErrorRateAlarm]);
  });

  test('in another Region: no alarm (it could not see CloudFront\'s metrics)', () => {
    const { site, template } = inRegion('eu-west-1');
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(site.alarms).toEqual([]);
    expect(site.serverErrorRateAlarm).toBeUndefined();
  });

  test('environment-agnostic: the alarm exists under a condition AWS::Region = us-east-1', () => {
    const { site, template } = inRegion(undefined);
    const [alarm] = alarmProps(template);
    expect(alarm.Condition).toBeDefined();
    expect(template.toJSON().Conditions[alarm.Condition]).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] });
    expect(site.serverErrorRateAlarmCondition).toBeDefined();
  });

  test('distributionAlarms: false creates none, even in us-east-1', () => {
    inRegion('us-east-1', { distributionAlarms: false }).template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('fails if distributionAlarms is true in a stack of another Region', () => {
    expect(() => inRegion('eu-west-1', { distributionAlarms: true }))
      .toThrow(/StaticSite at 'Stack\/Site'.*distributionAlarms 'true': CloudFront publishes its metrics in us-east-1 only, and an alarm in eu-west-1 cannot see them\. Fix: deploy the stack to us-east-1/s);
  });

  test('alarmActions and addAlarmActions reach the alarm', () => {
    const stack = new Stack(testApp(), 'Stack', { env: { region: 'us-east-1', account: '111111111111' } });
    const first = new sns.Topic(stack, 'First');
    const second = new sns.Topic(stack, 'Second');
    const site = new StaticSite(stack, 'Site', { alarmActions: [new cwActions.SnsAction(first)] });
    site.addAlarmActions(new cwActions.SnsAction(second));
    const [alarm] = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(alarm.Properties.AlarmActions).toEqual([
      { Ref: stack.getLogicalId(first.node.defaultChild as sns.CfnTopic) },
      { Ref: stack.getLogicalId(second.node.defaultChild as sns.CfnTopic) },
    ]);
  });

  test('metric methods read from us-east-1 with DistributionId and Region Global, whatever the stack\'s Region', () => {
    const { stack, site } = inRegion('eu-west-1');
    for (const [metric, name, stat] of [[site.metric5xxErrorRate(), '5xxErrorRate', 'Average'], [site.metric4xxErrorRate(), '4xxErrorRate', 'Average'],
      [site.metricRequests(), 'Requests', 'Sum'], [site.metricBytesDownloaded(), 'BytesDownloaded', 'Sum']] as const) {
      expect(stack.resolve(metric.toMetricConfig().metricStat)).toMatchObject({
        namespace: 'AWS/CloudFront', metricName: name, statistic: stat, region: 'us-east-1',
        dimensions: [{ name: 'DistributionId', value: { Ref: expect.stringMatching(/^SiteDistribution/) } }, { name: 'Region', value: 'Global' }],
      });
    }
  });
});
