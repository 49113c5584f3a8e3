import { Lazy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AlbIpBlocking } from '../../lib/edge/alb-ip-blocking';
import { NlbIpBlocking } from '../../lib/edge/nlb-ip-blocking';
import { IpBlocklist } from '../../lib/edge/ip-blocklist';
import { testStack } from '../support/app';
import { aclEntries, evaluateAcl } from '../support/network-acl';

const blocklist = new IpBlocklist({ cidrs: ['203.0.113.0/24'] });

describe('AlbIpBlocking', () => {
  describe('defaults', () => {
    let template: Template;
    beforeAll(() => {
      const stack = testStack();
      new AlbIpBlocking(stack, 'Web', { blocklist });
      template = Template.fromStack(stack);
    });

    test('an internet-facing ALB in the public subnets with access logs', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        Scheme: 'internet-facing',
        Subnets: [{ Ref: Match.stringLikeRegexp('^WebVpcPublicSubnet1') }, { Ref: Match.stringLikeRegexp('^WebVpcPublicSubnet2') }],
        LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }]),
      });
    });

    test('the instance is in an isolated subnet, without a public IP, IMDSv2 and encrypted root volume', () => {
      template.hasResourceProperties('AWS::EC2::Instance', {
        SubnetId: { Ref: Match.stringLikeRegexp('^WebVpcPrivateSubnet1') },
        NetworkInterfaces: Match.absent(),
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: Match.objectLike({ Encrypted: true }) }],
      });
      template.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required' } } });
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
    });

    test('the instance accepts port 80 from the ALB security group only', () => {
      const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'));
      expect(ingress).toHaveLength(1);
      expect(ingress[0].Properties).toMatchObject({
        FromPort: 80, ToPort: 80,
        GroupId: { 'Fn::GetAtt': [expect.stringMatching(/^WebInstanceSecurityGroup/), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^WebLoadBalancerSecurityGroup/), 'GroupId'] },
      });
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: Match.stringLikeRegexp('from the load balancer only'), SecurityGroupIngress: Match.absent(),
      });
    });

    test('the blocklist is denied at the network ACL of the ALB (public) subnets, not the instance subnets', () => {
      template.hasResourceProperties('AWS::EC2::SubnetNetworkAclAssociation', { SubnetId: { Ref: Match.stringLikeRegexp('^WebVpcPublicSubnet1') } });
      template.resourceCountIs('AWS::EC2::SubnetNetworkAclAssociation', 2);
      expect(Object.values(template.findResources('AWS::EC2::SubnetNetworkAclAssociation'))
        .every((a) => /^WebVpcPublicSubnet/.test(a.Properties.SubnetId.Ref))).toBe(true);
      const entries = aclEntries(template);
      expect(evaluateAcl(entries, '203.0.113.1', 'inbound')).toBe('deny');
      expect(evaluateAcl(entries, '192.0.2.1', 'inbound')).toBe('allow');
    });

    test('HTTP listener forwarding to the instance when there is no certificate', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: Match.anyValue() }],
      });
    });
  });

  test('with a certificate: HTTPS forwards, HTTP redirects', () => {
    const stack = testStack();
    new AlbIpBlocking(stack, 'Web', { blocklist, certificate: acm.Certificate.fromCertificateArn(stack, 'C', 'arn:aws:acm:eu-west-1:111111111111:certificate/x') });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS', DefaultActions: [Match.objectLike({ Type: 'forward' })] });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80, DefaultActions: [{ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443' }) }],
    });
  });

  test('a token instance port is accepted', () => {
    const stack = testStack();
    new AlbIpBlocking(stack, 'Web', { blocklist, instancePort: Lazy.number({ produce: () => 8080 }) });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8080 });
  });

  test.each([0, 70000])('fails if instancePort is %s', (instancePort) => {
    expect(() => new AlbIpBlocking(testStack(), 'Web', { blocklist, instancePort }))
      .toThrow(/AlbIpBlocking: instancePort '\d+': TCP ports are whole numbers from 1 to 65535/);
  });

  describe('instance image', () => {
    test('the default image follows the instance type\'s architecture: x86_64 for t3.micro', () => {
      const stack = testStack();
      new AlbIpBlocking(stack, 'Web', { blocklist, instanceType: new ec2.InstanceType('t3.micro') });
      Template.fromStack(stack).hasResourceProperties('AWS::EC2::Instance', {
        InstanceType: 't3.micro', ImageId: { Ref: Match.stringLikeRegexp('al2023amikernel.*x8664') },
      });
      expect(JSON.stringify(Template.fromStack(stack).toJSON().Parameters)).not.toContain('arm64');
    });

    test('and arm64 for the default t4g.nano', () => {
      const stack = testStack();
      new AlbIpBlocking(stack, 'Web', { blocklist });
      Template.fromStack(stack).hasResourceProperties('AWS::EC2::Instance', {
        InstanceType: 't4g.nano', ImageId: { Ref: Match.stringLikeRegexp('al2023amikernel.*arm64') },
      });
    });

    test('fails if the instance type is a token and no image is given (the architecture is unknown)', () => {
      const stack = testStack();
      expect(() => new AlbIpBlocking(stack, 'Web', { blocklist, instanceType: new ec2.InstanceType(Lazy.string({ produce: () => 't3.micro' })) }))
        .toThrow(/AlbIpBlocking at 'TestStack\/Web': instanceType is a token, so its CPU architecture.*Fix: pass machineImage as well/);
    });
  });

  test('fails if another edge pattern on the same VPC associates its network ACL with the same public subnets', () => {
    const stack = testStack();
    const web = new AlbIpBlocking(stack, 'Web', { blocklist });
    new NlbIpBlocking(stack, 'Tcp', { blocklist, vpc: web.vpc });
    expect(() => Template.fromStack(stack)).toThrow(/BlocklistNetworkAcl at 'TestStack\/Web\/NetworkAcl': subnet .* is also associated with the network ACL of 'TestStack\/Tcp\/NetworkAcl\/.*'; a subnet has exactly one network ACL/);
  });
});
