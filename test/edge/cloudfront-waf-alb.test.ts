import { Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CloudFrontOriginMode, CloudFrontWafAlb } from '../../lib/edge/cloudfront-waf-alb';
import { EdgeWebAcl } from '../../lib/edge/edge-web-acl';
import { IpBlocklist, WebAclScope } from '../../lib/edge/ip-blocklist';
import { testApp, testStack } from '../support/app';

const blocklist = new IpBlocklist({ cidrs: ['203.0.113.0/24'] });
const CLOUDFRONT_ACL = 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/edge/abc';
const REGIONAL_ACL = 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/edge/abc';

function distribution(template: Template): any {
  const [d] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
  return d.Properties.DistributionConfig;
}

/** Every inbound rule of a security group: inline ones and separate AWS::EC2::SecurityGroupIngress resources. */
function ingressOf(template: Template, groupLogicalId: string): any[] {
  const group = template.toJSON().Resources[groupLogicalId];
  const separate = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
    .map((r) => r.Properties)
    .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify({ 'Fn::GetAtt': [groupLogicalId, 'GroupId'] }));
  return [...(group.Properties.SecurityGroupIngress ?? []), ...separate];
}

function logicalId(template: Template, type: string, pattern: RegExp): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => pattern.test(id));
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** The custom resource's SDK call (its Create property, a JSON string possibly joined with references). */
function sdkCall(resource: any): any {
  const create = resource.Properties.Create;
  const text = typeof create === 'string' ? create
    : create['Fn::Join'][1].map((p: any) => (typeof p === 'string' ? p : `<${JSON.stringify(p).replace(/"/g, "'")}>`)).join('');
  return JSON.parse(text);
}

const webAcl = EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL);

describe('CloudFrontWafAlb', () => {
  describe('defaults with a CLOUDFRONT web ACL from us-east-1', () => {
    let template: Template;
    beforeAll(() => {
      const stack = testStack({ region: 'eu-west-1' });
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

    test('the ALB admits port 80 from CloudFront\'s VPC-origin service security group only, nothing else in the VPC', () => {
      const albGroup = logicalId(template, 'AWS::EC2::SecurityGroup', /^SiteLoadBalancerSecurityGroup/);
      const lookup = logicalId(template, 'Custom::AWS', /^SiteVpcOriginSecurityGroupLookup/);
      expect(ingressOf(template, albGroup)).toEqual([{
        IpProtocol: 'tcp', FromPort: 80, ToPort: 80, Description: 'CloudFront VPC origin on 80',
        GroupId: { 'Fn::GetAtt': [albGroup, 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [lookup, 'SecurityGroups.0.GroupId'] },
      }]);
      const json = JSON.stringify(template.findResources('AWS::EC2::SecurityGroup')) + JSON.stringify(template.findResources('AWS::EC2::SecurityGroupIngress'));
      expect(json).not.toContain('0.0.0.0/0');
      expect(json).not.toContain('10.0.0.0/16');
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
    });

    test('the service security group is looked up by name in this VPC, after the distribution (which creates it), and left unchanged', () => {
      const lookup = template.toJSON().Resources[logicalId(template, 'Custom::AWS', /^SiteVpcOriginSecurityGroupLookup/)];
      expect(sdkCall(lookup)).toMatchObject({
        service: 'EC2', action: 'DescribeSecurityGroups',
        parameters: { Filters: [{ Name: 'vpc-id', Values: [expect.stringContaining('SiteVpc')] }, { Name: 'group-name', Values: ['CloudFront-VPCOrigins-Service-SG'] }] },
      });
      expect(lookup.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^SiteDistribution[0-9A-F]{8}$/), expect.stringMatching(/^SiteDistributionOrigin1VpcOrigin/)]));
      // CloudFront owns the group: no rule is added to it
      for (const egress of Object.values(template.findResources('AWS::EC2::SecurityGroupEgress'))) {
        expect(JSON.stringify(egress.Properties.GroupId)).not.toContain('VpcOriginSecurityGroupLookup');
      }
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: [{ Action: 'ec2:DescribeSecurityGroups', Effect: 'Allow', Resource: '*' }] },
      });
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
    const stack = testStack({ region: 'eu-west-1' });
    new CloudFrontWafAlb(stack, 'Site', { webAcl: EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL), geoRestriction: { allow: ['DE', 'FR'] } });
    expect(distribution(Template.fromStack(stack)).Restrictions).toEqual({ GeoRestriction: { RestrictionType: 'whitelist', Locations: ['DE', 'FR'] } });
  });

  test('in us-east-1 it creates its own CLOUDFRONT web ACL with the blocklist', () => {
    const stack = testStack({ region: 'us-east-1' });
    new CloudFrontWafAlb(stack, 'Site', { blocklist });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' });
    template.hasResourceProperties('AWS::WAFv2::IPSet', { Scope: 'CLOUDFRONT', Addresses: ['203.0.113.0/24'] });
    expect(distribution(template).WebACLId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SiteWebAcl/), 'Arn'] });
  });

  test('with a us-east-1 certificate: the domain names and TLS 1.2 for viewers', () => {
    const stack = testStack({ region: 'eu-west-1' });
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

  test('originPeer replaces the default source', () => {
    const stack = testStack({ region: 'eu-west-1' });
    new CloudFrontWafAlb(stack, 'Site', { webAcl, originPeer: ec2.Peer.prefixList('pl-12345678') });
    const template = Template.fromStack(stack);
    expect(ingressOf(template, logicalId(template, 'AWS::EC2::SecurityGroup', /^SiteLoadBalancerSecurityGroup/)))
      .toEqual([expect.objectContaining({ SourcePrefixListId: 'pl-12345678', FromPort: 80 })]);
    template.resourceCountIs('Custom::AWS', 0);
  });

  describe('originMode PUBLIC_ALB', () => {
    let template: Template;
    let site: CloudFrontWafAlb;
    beforeAll(() => {
      const stack = testStack({ region: 'eu-west-1' });
      site = new CloudFrontWafAlb(stack, 'Site', { webAcl, originMode: CloudFrontOriginMode.PUBLIC_ALB, geoRestriction: { deny: ['KP'] } });
      template = Template.fromStack(stack);
    });

    test('an internet-facing ALB in the public subnets, with access logs', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        Scheme: 'internet-facing', Subnets: [{ Ref: Match.stringLikeRegexp('^SiteVpcPublicSubnet1') }, { Ref: Match.stringLikeRegexp('^SiteVpcPublicSubnet2') }],
        LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }]),
      });
      template.resourceCountIs('AWS::CloudFront::VpcOrigin', 0);
    });

    test('its security group admits only the CloudFront origin-facing prefix list, looked up by name at deploy time', () => {
      const albGroup = logicalId(template, 'AWS::EC2::SecurityGroup', /^SiteLoadBalancerSecurityGroup/);
      const lookup = logicalId(template, 'Custom::AWS', /^SiteOriginFacingPrefixList/);
      expect(ingressOf(template, albGroup)).toEqual([expect.objectContaining({
        IpProtocol: 'tcp', FromPort: 80, ToPort: 80, SourcePrefixListId: { 'Fn::GetAtt': [lookup, 'PrefixLists.0.PrefixListId'] },
      })]);
      expect(ingressOf(template, albGroup)[0]).not.toHaveProperty('CidrIp');
      expect(sdkCall(template.toJSON().Resources[lookup])).toMatchObject({
        service: 'EC2', action: 'DescribeManagedPrefixLists',
        parameters: { Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.global.cloudfront.origin-facing'] }] },
      });
    });

    test('the listener answers 403 by default and forwards only with the secret header', () => {
      const secret = logicalId(template, 'AWS::SecretsManager::Secret', /^SiteOriginSecret/);
      const dynamicReference = { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secret }, ':SecretString:::}}']] };
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80, Protocol: 'HTTP',
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403', ContentType: 'text/plain', MessageBody: 'Forbidden' } }],
      });
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        Priority: 1,
        Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Origin-Verify', Values: [dynamicReference] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^SiteLoadBalancerHttpInstanceGroup') } }],
      });
      expect(distribution(template).Origins).toEqual([expect.objectContaining({
        DomainName: { 'Fn::GetAtt': [expect.stringMatching(/^SiteLoadBalancer[0-9A-F]{8}$/), 'DNSName'] },
        OriginCustomHeaders: [{ HeaderName: 'X-Origin-Verify', HeaderValue: dynamicReference }],
        CustomOriginConfig: expect.objectContaining({ OriginProtocolPolicy: 'http-only', HTTPPort: 80 }),
      })]);
    });

    test('the secret is generated by Secrets Manager, never written in the template', () => {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: { PasswordLength: 32, ExcludePunctuation: true },
        SecretString: Match.absent(),
      });
      expect(site.originSecret).toBeDefined();
      expect(site.originHeaderName).toBe('X-Origin-Verify');
    });

    test('the instance still admits the ALB security group only, in a private subnet', () => {
      const instanceGroup = logicalId(template, 'AWS::EC2::SecurityGroup', /^SiteInstanceSecurityGroup/);
      expect(ingressOf(template, instanceGroup)).toEqual([expect.objectContaining({
        FromPort: 80, SourceSecurityGroupId: { 'Fn::GetAtt': [logicalId(template, 'AWS::EC2::SecurityGroup', /^SiteLoadBalancerSecurityGroup/), 'GroupId'] },
      })]);
      template.hasResourceProperties('AWS::EC2::Instance', { SubnetId: { Ref: Match.stringLikeRegexp('^SiteVpcPrivateSubnet1') } });
    });

    test('geo restriction and the CLOUDFRONT web ACL apply as in the default mode', () => {
      expect(distribution(template)).toMatchObject({ WebACLId: CLOUDFRONT_ACL, Restrictions: { GeoRestriction: { RestrictionType: 'blacklist', Locations: ['KP'] } } });
    });

    test('with originCertificate and originDomainName: HTTPS 443 on the ALB, and CloudFront connects with TLS 1.2', () => {
      const stack = testStack({ region: 'eu-west-1' });
      const originCertificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/x');
      new CloudFrontWafAlb(stack, 'Site', { webAcl, originMode: CloudFrontOriginMode.PUBLIC_ALB, originCertificate, originDomainName: 'origin.example.com' });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/x' }],
        DefaultActions: [Match.objectLike({ Type: 'fixed-response' })],
      });
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
      expect(distribution(t).Origins[0]).toMatchObject({
        DomainName: 'origin.example.com',
        CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'], HTTPSPort: 443 },
      });
      expect(ingressOf(t, logicalId(t, 'AWS::EC2::SecurityGroup', /^SiteLoadBalancerSecurityGroup/))).toEqual([expect.objectContaining({ FromPort: 443, ToPort: 443 })]);
    });

    describe('security-group rules quota (the prefix list counts as 55 of the 60 inbound rules)', () => {
      function withExtraRules(n: number, securityGroupRuleQuota?: number): () => Template {
        const stack = testStack({ region: 'eu-west-1' });
        const s = new CloudFrontWafAlb(stack, 'Site', { webAcl, originMode: CloudFrontOriginMode.PUBLIC_ALB, securityGroupRuleQuota });
        for (let i = 0; i < n; i++) s.loadBalancer.connections.allowFrom(ec2.Peer.ipv4(`198.51.100.${i}/32`), ec2.Port.tcp(80));
        return () => Template.fromStack(stack);
      }

      test('5 more rules fit', () => {
        expect(withExtraRules(5)).not.toThrow();
      });

      test('fails at synth if rules added by the user push the group past the quota', () => {
        expect(withExtraRules(6)).toThrow(/CloudFrontWafAlb at 'TestStack\/Site': the load balancer's security group has 7 inbound rules that count as 61 IPv4 rules \(a prefix list counts as its 55 maximum entries\), above the quota of 60 per security group.*Fix: remove the rules added to loadBalancer.connections, or raise/);
      });

      test('a raised quota passed as securityGroupRuleQuota is used', () => {
        expect(withExtraRules(6, 100)).not.toThrow();
      });

      test('a token quota skips the check (synth still works)', () => {
        expect(withExtraRules(6, Lazy.number({ produce: () => 100 }))).not.toThrow();
      });
    });
  });

  describe('validation', () => {
    test('fails if the web ACL is REGIONAL', () => {
      expect(() => new CloudFrontWafAlb(testStack({ region: 'eu-west-1' }), 'Site', { webAcl: EdgeWebAcl.fromWebAclArn(REGIONAL_ACL) }))
        .toThrow(/webAcl '.*regional\/webacl.*': is a REGIONAL web ACL; a distribution only takes a CLOUDFRONT-scope web ACL/);
    });

    test('fails if a REGIONAL EdgeWebAcl is passed', () => {
      const stack = testStack({ region: 'eu-west-1' });
      const webAcl = new EdgeWebAcl(stack, 'Acl');
      expect(() => new CloudFrontWafAlb(stack, 'Site', { webAcl })).toThrow(/is a REGIONAL web ACL/);
    });

    test('fails if no web ACL is given outside us-east-1', () => {
      expect(() => new CloudFrontWafAlb(testStack({ region: 'eu-west-1' }), 'Site', {}))
        .toThrow(/webAcl \(not set\): a distribution's web ACL must be CLOUDFRONT-scope and live in us-east-1, but this stack is in eu-west-1/);
    });

    test('fails if no web ACL is given in an environment-agnostic stack', () => {
      expect(() => new CloudFrontWafAlb(new Stack(testApp(), 'Agnostic'), 'Site', {})).toThrow(/but this stack is in an unspecified region/);
    });

    test('fails if blocklist is given with a web ACL', () => {
      expect(() => new CloudFrontWafAlb(testStack({ region: 'eu-west-1' }), 'Site', { webAcl: EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL), blocklist }))
        .toThrow(/blocklist 'IpBlocklist': only applies to a web ACL created here/);
    });

    test.each([
      [{ allow: ['DE'], deny: ['FR'] }, /CloudFront takes either an allow-list or a deny-list/],
      [{}, /CloudFront takes either an allow-list or a deny-list/],
      [{ deny: [] }, /an empty country list/],
      [{ deny: ['de', 'DEU'] }, /'de': is not an ISO 3166-1 alpha-2 country code. Fix: use two upper-case letters, e.g. 'DE'[\s\S]*'DEU'/],
    ])('fails if geoRestriction is %j', (geoRestriction, message) => {
      expect(() => new CloudFrontWafAlb(testStack({ region: 'eu-west-1' }), 'Site', { webAcl: EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL), geoRestriction })).toThrow(message);
    });

    test('fails if PUBLIC_ALB-only props are given in VPC_ORIGIN mode', () => {
      expect(() => new CloudFrontWafAlb(testStack({ region: 'eu-west-1' }), 'Site', { webAcl, originHeaderName: 'X-Secret', securityGroupRuleQuota: 100, originDomainName: 'o.example.com' }))
        .toThrow(/originHeaderName 'X-Secret': only applies to originMode PUBLIC_ALB[\s\S]*securityGroupRuleQuota '100': only applies to originMode PUBLIC_ALB[\s\S]*originDomainName '\(given\)': only applies to originMode PUBLIC_ALB/);
    });

    test('fails if originCertificate comes without originDomainName, or from another region', () => {
      const stack = testStack({ region: 'eu-west-1' });
      const originCertificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/x');
      expect(() => new CloudFrontWafAlb(stack, 'Site', { webAcl, originMode: CloudFrontOriginMode.PUBLIC_ALB, originCertificate }))
        .toThrow(/originDomainName \(not set\): an HTTPS origin needs both[\s\S]*originCertificate '.*us-east-1.*': an ALB only uses ACM certificates from its own region \(eu-west-1\)/);
    });

    test('fails if the header name is not a valid ALB header condition name', () => {
      expect(() => new CloudFrontWafAlb(testStack({ region: 'eu-west-1' }), 'Site', { webAcl, originMode: CloudFrontOriginMode.PUBLIC_ALB, originHeaderName: 'X Origin: secret' }))
        .toThrow(/originHeaderName 'X Origin: secret': an ALB header condition takes a header name of 1-40 token characters/);
    });

    test('fails if securityGroupRuleQuota leaves no room for the prefix list', () => {
      expect(() => new CloudFrontWafAlb(testStack({ region: 'eu-west-1' }), 'Site', { webAcl, originMode: CloudFrontOriginMode.PUBLIC_ALB, securityGroupRuleQuota: 50 }))
        .toThrow(/securityGroupRuleQuota '50': the quota is a whole number up to 1000, and the origin-facing prefix list alone counts as 55 rules/);
    });

    test('fails if the certificate is not from us-east-1', () => {
      const stack = testStack({ region: 'eu-west-1' });
      const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/x');
      expect(() => new CloudFrontWafAlb(stack, 'Site', { webAcl: EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL), certificate, domainNames: ['a.example.com'] }))
        .toThrow(/CloudFront only uses ACM certificates from us-east-1/);
    });

    test('fails if a certificate comes without domain names, or domain names without a certificate', () => {
      const stack = testStack({ region: 'eu-west-1' });
      const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/x');
      expect(() => new CloudFrontWafAlb(stack, 'Site', { webAcl: EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL), certificate })).toThrow(/domainNames \(not set\)/);
      expect(() => new CloudFrontWafAlb(stack, 'Site2', { webAcl: EdgeWebAcl.fromWebAclArn(CLOUDFRONT_ACL), domainNames: ['a.example.com'] })).toThrow(/certificate \(not set\)/);
    });
  });
});
