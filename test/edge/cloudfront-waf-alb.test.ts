import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { CloudFrontWafAlb } from '../../lib/edge/cloudfront-waf-alb';
import { EdgeWebAcl } from '../../lib/edge/edge-web-acl';
import { IpBlocklist, WebAclScope } from '../../lib/edge/ip-blocklist';
import { testApp } from '../support/app';

const blocklist = new IpBlocklist({ cidrs: ['203.0.113.0/24'] });
const CLOUDFRONT_ACL = 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/edge/abc';
const REGIONAL_ACL = 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/edge/abc';

function newStack(region = 'eu-west-1', app: App = testApp()): Stack {
  return new Stack(app, 'TestStack', { env: { region } });
}

function distribution(template: Template): any {
  const [d] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
  return d.Properties.DistributionConfig;
}

describe('CloudFrontWafAlb', () => {
  describe('defaults with a CLOUDFRONT web ACL from us-east-1', () => {
    let template: Template;
    beforeAll(() => {
      const stack = newStack();
      new CloudFrontWafAlb(stack, 'Site', { webAcl: EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL), geoRestriction: { deny: ['KP'] } });
      template = Template.fromStack(stack);
    });

    test('the distribution uses the web ACL and the geo deny-list', () => {
      expect(distribution(template)).toMatchObject({
        WebACLId: CLOUDFRONT_ACL,
        Restrictions: { GeoRestriction: { RestrictionType: 'blacklist', Locations: ['KP'] } },
      });
    });

    test('viewers are redirected to HTTPS and get the security headers', () => {
      expect(distribution(template).DefaultCacheBehavior).toMatchObject({
        ViewerProtocolPolicy: 'redirect-to-https',
        ResponseHeadersPolicyId: '67f7725c-6f97-4210-82d7-5512b31e9d03', // managed SecurityHeadersPolicy
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // managed CachingDisabled
      });
    });

    test('standard logs go to a retained bucket with ACLs enabled (legacy logging writes through an ACL grant)', () => {
      expect(distribution(template).Logging).toMatchObject({ Bucket: { 'Fn::GetAtt': [expect.stringMatching(/^SiteDistributionLogs/), 'RegionalDomainName'] }, Prefix: 'cloudfront/' });
      template.hasResource('AWS::S3::Bucket', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
          BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
          PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true }),
        }),
      });
    });

    test('the ALB is internal, in private subnets, reached through a CloudFront VPC origin over HTTP', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        Scheme: 'internal', Subnets: [{ Ref: Match.stringLikeRegexp('^SiteVpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('^SiteVpcPrivateSubnet2') }],
        LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }]),
      });
      template.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
        VpcOriginEndpointConfig: Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^SiteLoadBalancer') }, OriginProtocolPolicy: 'http-only', HTTPPort: 80 }),
      });
    });

    test('the ALB accepts port 80 from the VPC only; nothing accepts traffic from the internet', () => {
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: Match.stringLikeRegexp('LoadBalancer: listener ports only'),
        SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 80 })],
      });
      const json = JSON.stringify(template.findResources('AWS::EC2::SecurityGroup')) + JSON.stringify(template.findResources('AWS::EC2::SecurityGroupIngress'));
      expect(json).not.toContain('0.0.0.0/0');
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
    });

    test('the instance accepts port 80 from the ALB security group only', () => {
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: 80, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SiteLoadBalancerSecurityGroup'), 'GroupId'] },
      });
    });

    test('no web ACL is created in the regional stack', () => {
      template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    });
  });

  test('geo allow-list', () => {
    const stack = newStack();
    new CloudFrontWafAlb(stack, 'Site', { webAcl: EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL), geoRestriction: { allow: ['DE', 'FR'] } });
    expect(distribution(Template.fromStack(stack)).Restrictions).toEqual({ GeoRestriction: { RestrictionType: 'whitelist', Locations: ['DE', 'FR'] } });
  });

  test('in us-east-1 it creates its own CLOUDFRONT web ACL with the blocklist', () => {
    const stack = newStack('us-east-1');
    new CloudFrontWafAlb(stack, 'Site', { blocklist });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' });
    template.hasResourceProperties('AWS::WAFv2::IPSet', { Scope: 'CLOUDFRONT', Addresses: ['203.0.113.0/24'] });
    expect(distribution(template).WebACLId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SiteWebAcl/), 'Arn'] });
  });

  test('with a us-east-1 certificate: the domain names and TLS 1.2 for viewers', () => {
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/x');
    new CloudFrontWafAlb(stack, 'Site', { webAcl: EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL), certificate, domainNames: ['www.example.com'] });
    expect(distribution(Template.fromStack(stack))).toMatchObject({
      Aliases: ['www.example.com'], ViewerCertificate: { MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
    });
  });

  test('the web ACL crosses regions from a us-east-1 stack (weak reference: Fn::GetStackOutput, no custom resource)', () => {
    const app = testApp();
    const aclStack = new Stack(app, 'Acl', { env: { region: 'us-east-1' }, crossRegionReferences: true });
    const webAcl = new EdgeWebAcl(aclStack, 'WebAcl', { scope: WebAclScope.CLOUDFRONT, blocklist });
    const stack = new Stack(app, 'Site', { env: { region: 'eu-west-1' }, crossRegionReferences: true });
    new CloudFrontWafAlb(stack, 'Site', { webAcl });
    const template = Template.fromStack(stack);
    expect(distribution(template).WebACLId).toEqual({ 'Fn::GetStackOutput': { StackName: 'Acl', Region: 'us-east-1', OutputName: expect.any(String) } });
    template.resourceCountIs('Custom::CrossRegionExportReader', 0);
    Template.fromStack(aclStack).resourceCountIs('Custom::CrossRegionExportWriter', 0);
    Template.fromStack(aclStack).hasOutput('*', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebAcl'), 'Arn'] } });
  });

  describe('validation', () => {
    test('fails if the web ACL is REGIONAL', () => {
      expect(() => new CloudFrontWafAlb(newStack(), 'Site', { webAcl: EdgeWebAcl.fromWebAclArn(REGIONAL_ACL) }))
        .toThrow(/webAcl '.*regional\/webacl.*': is a REGIONAL web ACL; a distribution only takes a CLOUDFRONT-scope web ACL/);
    });

    test('fails if a REGIONAL EdgeWebAcl is passed', () => {
      const stack = newStack();
      const webAcl = new EdgeWebAcl(stack, 'Acl');
      expect(() => new CloudFrontWafAlb(stack, 'Site', { webAcl })).toThrow(/is a REGIONAL web ACL/);
    });

    test('fails if no web ACL is given outside us-east-1', () => {
      expect(() => new CloudFrontWafAlb(newStack('eu-west-1'), 'Site', {}))
        .toThrow(/webAcl \(not set\): a distribution's web ACL must be CLOUDFRONT-scope and live in us-east-1, but this stack is in eu-west-1/);
    });

    test('fails if no web ACL is given in an environment-agnostic stack', () => {
      expect(() => new CloudFrontWafAlb(new Stack(testApp(), 'Agnostic'), 'Site', {})).toThrow(/but this stack is in an unspecified region/);
    });

    test('fails if blocklist is given with a web ACL', () => {
      expect(() => new CloudFrontWafAlb(newStack(), 'Site', { webAcl: EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL), blocklist }))
        .toThrow(/blocklist 'IpBlocklist': only applies to a web ACL created here/);
    });

    test.each([
      [{ allow: ['DE'], deny: ['FR'] }, /CloudFront takes either an allow-list or a deny-list/],
      [{}, /CloudFront takes either an allow-list or a deny-list/],
      [{ deny: [] }, /an empty country list/],
      [{ deny: ['de', 'DEU'] }, /'de': is not an ISO 3166-1 alpha-2 country code. Fix: use two upper-case letters, e.g. 'DE'[\s\S]*'DEU'/],
    ])('fails if geoRestriction is %j', (geoRestriction, message) => {
      expect(() => new CloudFrontWafAlb(newStack(), 'Site', { webAcl: EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL), geoRestriction })).toThrow(message);
    });

    test('fails if the certificate is not from us-east-1', () => {
      const stack = newStack();
      const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/x');
      expect(() => new CloudFrontWafAlb(stack, 'Site', { webAcl: EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL), certificate, domainNames: ['a.example.com'] }))
        .toThrow(/CloudFront only uses ACM certificates from us-east-1/);
    });

    test('fails if a certificate comes without domain names, or domain names without a certificate', () => {
      const stack = newStack();
      const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/x');
      expect(() => new CloudFrontWafAlb(stack, 'Site', { webAcl: EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL), certificate })).toThrow(/domainNames \(not set\)/);
      expect(() => new CloudFrontWafAlb(stack, 'Site2', { webAcl: EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL), domainNames: ['a.example.com'] })).toThrow(/certificate \(not set\)/);
    });
  });
});
