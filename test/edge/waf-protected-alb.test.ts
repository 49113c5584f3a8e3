import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IpBlocklist } from '../../lib/edge/ip-blocklist';
import { WafProtectedAlb } from '../../lib/edge/waf-protected-alb';
import { testStack } from '../support/app';

const blocklist = new IpBlocklist({ cidrs: ['203.0.113.0/24'] });
const CERT = 'arn:aws:acm:eu-west-1:111111111111:certificate/abc';

describe('WafProtectedAlb', () => {
  describe('a new ALB', () => {
    let template: Template;
    beforeAll(() => {
      const stack = testStack();
      const waf = new WafProtectedAlb(stack, 'Web', { blocklist });
      waf.listener!.addAction('Ok', { action: elbv2.ListenerAction.fixedResponse(200) });
      template = Template.fromStack(stack);
    });

    test('the REGIONAL web ACL is associated with the ALB', () => {
      template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
        ResourceArn: { Ref: Match.stringLikeRegexp('^WebLoadBalancer') },
        WebACLArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebWebAcl'), 'Arn'] },
      });
      template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL' });
      template.hasResourceProperties('AWS::WAFv2::IPSet', { Addresses: ['203.0.113.0/24'], Scope: 'REGIONAL' });
    });

    test('internet-facing, in public subnets, dropping invalid headers, logging to the log bucket', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        Scheme: 'internet-facing',
        LoadBalancerAttributes: Match.arrayWith([
          { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
          { Key: 'access_logs.s3.enabled', Value: 'true' },
          { Key: 'access_logs.s3.bucket', Value: { Ref: Match.stringLikeRegexp('^WebLogs') } },
        ]),
        Subnets: [{ Ref: Match.stringLikeRegexp('^WebVpcPublicSubnet1') }, { Ref: Match.stringLikeRegexp('^WebVpcPublicSubnet2') }],
      });
    });

    test('the log bucket is retained, SSE-S3 (the only encryption ALB logs support), private, and expires logs', () => {
      template.hasResource('AWS::S3::Bucket', {
        DeletionPolicy: 'Retain',
        Properties: {
          BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
          PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
          LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90 })] },
        },
      });
    });

    test('the log bucket lets the ELB log writer of any region put objects under alb/', () => {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Sid: 'ElbAccessLogsOlderRegions',
            Principal: { AWS: { 'Fn::If': ['ElbLogDeliveryOlderRegion', Match.anyValue(), Match.anyValue()] } },
            Resource: { 'Fn::Join': ['', Match.arrayWith(['/alb/AWSLogs/'])] },
          }), Match.objectLike({
            Sid: 'ElbAccessLogsNewerRegions',
            Principal: { Service: { 'Fn::If': ['ElbLogDeliveryOlderRegion', 'delivery.logs.amazonaws.com', 'logdelivery.elasticloadbalancing.amazonaws.com'] } },
          })]),
        },
      });
      const mapping = template.toJSON().Mappings.ElbLogDeliveryAccounts;
      expect(mapping['eu-west-1']).toEqual({ account: '156460612806' });
      expect(mapping['ap-southeast-5']).toEqual({ account: 'none' });
    });

    test('HTTP on 80 without a certificate, open to the internet only on the listener port', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: Match.stringLikeRegexp('LoadBalancer: listener ports only'),
        SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80 })],
      });
    });

    test('a new VPC without NAT gateways, with flow logs', () => {
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
      template.hasResourceProperties('AWS::EC2::FlowLog', { LogDestinationType: 's3', TrafficType: 'ALL' });
    });
  });

  test('with a certificate: HTTPS on 443 with a TLS 1.2+ policy, and HTTP 80 redirecting to it', () => {
    const stack = testStack();
    const waf = new WafProtectedAlb(stack, 'Web', { certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERT) });
    waf.listener!.addAction('Ok', { action: elbv2.ListenerAction.fixedResponse(200) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: CERT }], SslPolicy: Match.stringLikeRegexp('TLS13'),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80, Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
    expect(waf.redirectListener).toBeDefined();
  });

  test('an existing ALB only gets the web ACL', () => {
    const stack = testStack();
    const loadBalancer = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Existing', {
      loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/web/123', securityGroupId: 'sg-12345678',
    });
    const waf = new WafProtectedAlb(stack, 'Web', { loadBalancer, countOnly: true });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { ResourceArn: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/web/123' });
    expect(waf.listener).toBeUndefined();
  });

  test('fails if new-ALB props are given with an existing ALB', () => {
    const stack = testStack();
    const loadBalancer = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Existing', {
      loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/web/123', securityGroupId: 'sg-12345678',
    });
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
    expect(() => new WafProtectedAlb(stack, 'Web', { loadBalancer, vpc }))
      .toThrow(/WafProtectedAlb: vpc '\(given\)': only applies to a new load balancer/);
  });

  test('web ACL validation errors surface through it', () => {
    expect(() => new WafProtectedAlb(testStack(), 'Web', { rateLimit: 5 })).toThrow(/EdgeWebAcl: rateLimit '5'/);
  });
});
