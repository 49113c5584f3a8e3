import { Lazy } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { IpBlocklist } from '../../lib/edge/ip-blocklist';
import { NlbIpBlocking } from '../../lib/edge/nlb-ip-blocking';
import { testStack } from '../support/app';
import { expectConsoleOutput } from '../support/console-guard';
import { aclEntries, evaluateAcl } from '../support/network-acl';

const blocklist = new IpBlocklist({ cidrs: ['203.0.113.0/24', '2001:db8:bad::/48'] });

describe('NlbIpBlocking', () => {
  describe('defaults', () => {
    let template: Template;
    beforeAll(() => {
      const stack = testStack();
      new NlbIpBlocking(stack, 'Tcp', { blocklist });
      template = Template.fromStack(stack);
    });

    test('an internet-facing NLB created with a security group open on the listener port only', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        Type: 'network', Scheme: 'internet-facing',
        SecurityGroups: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^TcpLoadBalancerSecurityGroup'), 'GroupId'] }],
      });
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: Match.stringLikeRegexp('listener port 80'),
        SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80 })],
      });
    });

    test('the targets see the client IP (client IP preservation on)', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        Protocol: 'TCP', TargetType: 'instance', TargetGroupAttributes: [{ Key: 'preserve_client_ip.enabled', Value: 'true' }],
      });
    });

    test('the instance accepts the port from the NLB security group only', () => {
      const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'));
      expect(ingress).toHaveLength(1);
      expect(ingress[0].Properties).toMatchObject({
        FromPort: 80, SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^TcpLoadBalancerSecurityGroup/), 'GroupId'] },
      });
    });

    test('the blocklist is denied at the network ACL of the NLB subnets', () => {
      expect(Object.values(template.findResources('AWS::EC2::SubnetNetworkAclAssociation'))
        .map((a) => a.Properties.SubnetId.Ref).every((ref: string) => ref.startsWith('TcpVpcPublicSubnet'))).toBe(true);
      const entries = aclEntries(template);
      expect(evaluateAcl(entries, '2001:db8:bad::7', 'inbound')).toBe('deny');
      expect(evaluateAcl(entries, '203.0.113.7', 'inbound')).toBe('deny');
      expect(evaluateAcl(entries, '198.51.100.7', 'inbound')).toBe('allow');
    });

    test('access logs are on (written for TLS listeners only)', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }, { Key: 'access_logs.s3.prefix', Value: 'nlb' }]),
      });
    });
  });

  test('warns, and opens the instance to all clients, when the NLB has no security group', () => {
    const printed = expectConsoleOutput();
    const stack = testStack({ failOnWarnings: false });
    new NlbIpBlocking(stack, 'Tcp', { blocklist, securityGroup: false });
    const template = Template.fromStack(stack);
    Annotations.fromStack(stack).hasWarning('/TestStack/Tcp', Match.stringLikeRegexp('cannot be added later without replacing the NLB'));
    expect(printed.text()).toContain('cannot be added later without replacing the NLB');
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { SecurityGroups: [] });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80 })] });
  });

  test('no warning with the default security group', () => {
    const stack = testStack({ failOnWarnings: false });
    new NlbIpBlocking(stack, 'Tcp', { blocklist });
    Annotations.fromStack(stack).hasNoWarning('/TestStack/Tcp', Match.anyValue());
  });

  test('a token port is accepted', () => {
    const stack = testStack();
    new NlbIpBlocking(stack, 'Tcp', { blocklist, port: Lazy.number({ produce: () => 8443 }) });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8443, Protocol: 'TCP' });
  });

  test('fails if the port is out of range', () => {
    expect(() => new NlbIpBlocking(testStack(), 'Tcp', { blocklist, port: 0 })).toThrow(/NlbIpBlocking: port '0': TCP ports are whole numbers from 1 to 65535/);
  });

  test('cross-zone load balancing is on: the NLB node in the AZ without the instance still forwards', () => {
    const stack = testStack();
    new NlbIpBlocking(stack, 'Tcp', { blocklist });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }]),
    });
  });
});
