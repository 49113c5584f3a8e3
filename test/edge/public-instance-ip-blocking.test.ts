import { Lazy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IpBlocklist } from '../../lib/edge/ip-blocklist';
import { PublicInstanceIpBlocking } from '../../lib/edge/public-instance-ip-blocking';
import { testStack } from '../support/app';
import { aclEntries, evaluateAcl } from '../support/network-acl';

const blocklist = new IpBlocklist({ cidrs: ['203.0.113.0/24', '2001:db8:bad::/48'] });

function userData(template: Template): string {
  const [instance] = Object.values(template.findResources('AWS::EC2::Instance'));
  return instance.Properties.UserData['Fn::Base64'];
}

describe('PublicInstanceIpBlocking', () => {
  describe('defaults', () => {
    let template: Template;
    beforeAll(() => {
      const stack = testStack();
      new PublicInstanceIpBlocking(stack, 'Web', { blocklist, allowedCidrs: ['198.51.100.0/24', '2001:db8:1::/48'] });
      template = Template.fromStack(stack);
    });

    test('a t4g.nano with a public IP in a public subnet', () => {
      template.hasResourceProperties('AWS::EC2::Instance', {
        InstanceType: 't4g.nano',
        NetworkInterfaces: [Match.objectLike({ AssociatePublicIpAddress: true, SubnetId: { Ref: Match.stringLikeRegexp('^WebVpcPublicSubnet1') } })],
        ImageId: { Ref: Match.stringLikeRegexp('al2023amikernel.*arm64') },
      });
    });

    test('IMDSv2 required and the root volume encrypted', () => {
      template.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required' } } });
      template.hasResourceProperties('AWS::EC2::Instance', {
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: Match.objectLike({ Encrypted: true, VolumeType: 'gp3' }) }],
      });
    });

    test('the security group allows only port 80 from the allowed ranges (IPv4 and IPv6)', () => {
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        SecurityGroupIngress: [
          Match.objectLike({ CidrIp: '198.51.100.0/24', FromPort: 80, ToPort: 80, IpProtocol: 'tcp' }),
          Match.objectLike({ CidrIpv6: '2001:db8:1::/48', FromPort: 80, ToPort: 80, IpProtocol: 'tcp' }),
        ],
      });
    });

    test('no NAT gateway, only public subnets, and the blocklist denied at their network ACL', () => {
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
      template.resourceCountIs('AWS::EC2::Subnet', 2);
      template.resourceCountIs('AWS::EC2::SubnetNetworkAclAssociation', 2);
      const entries = aclEntries(template);
      expect(evaluateAcl(entries, '203.0.113.50', 'inbound')).toBe('deny');
      expect(evaluateAcl(entries, '198.51.100.1', 'inbound')).toBe('allow');
    });

    test('no host firewall unless asked', () => {
      expect(JSON.stringify(userData(template))).not.toContain('nft');
    });
  });

  test('the host firewall drops the blocklist with nftables, both families, both directions', () => {
    const stack = testStack();
    new PublicInstanceIpBlocking(stack, 'Web', { blocklist, allowedCidrs: ['198.51.100.0/24'], hostFirewall: true });
    const script = userData(Template.fromStack(stack));
    expect(script).toContain('dnf install -y nftables');
    expect(script).toContain('set blocked_v4 { type ipv4_addr; flags interval; elements = { 203.0.113.0/24 } }');
    expect(script).toContain('set blocked_v6 { type ipv6_addr; flags interval; elements = { 2001:db8:bad::/48 } }');
    expect(script).toMatch(/chain input \{[^}]*ip saddr @blocked_v4 drop\n\s*ip6 saddr @blocked_v6 drop/);
    expect(script).toMatch(/chain output \{[^}]*ip daddr @blocked_v4 drop/);
    expect(script).toContain('systemctl enable --now nftables');
  });

  test('the host firewall leaves out an empty family (nft rejects empty elements)', () => {
    const commands = PublicInstanceIpBlocking.hostFirewallCommands(new IpBlocklist({ cidrs: ['203.0.113.0/24'] })).join('\n');
    expect(commands).not.toContain('blocked_v6');
  });

  test('the host firewall commands are added to given user data', () => {
    const stack = testStack();
    const custom = ec2.UserData.forLinux();
    custom.addCommands('echo mine');
    new PublicInstanceIpBlocking(stack, 'Web', { blocklist, allowedCidrs: ['198.51.100.0/24'], hostFirewall: true, userData: custom, ports: [443] });
    const script = userData(Template.fromStack(stack));
    expect(script).toContain('echo mine');
    expect(script).toContain('nftables');
    expect(script).not.toContain('http.server');
  });

  test('a token port is accepted', () => {
    const stack = testStack();
    new PublicInstanceIpBlocking(stack, 'Web', { blocklist, allowedCidrs: ['198.51.100.0/24'], ports: [Lazy.number({ produce: () => 8080 })] });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', { CidrIp: '198.51.100.0/24', FromPort: 8080, ToPort: 8080 });
  });

  describe('validation', () => {
    test.each(['0.0.0.0/0', '::/0'])('fails if %s may connect (only load balancers face the whole internet)', (cidr) => {
      expect(() => new PublicInstanceIpBlocking(testStack(), 'Web', { blocklist, allowedCidrs: [cidr] }))
        .toThrow(/an instance must not be open to the whole internet[\s\S]*Fix: list the client ranges, or put AlbIpBlocking or NlbIpBlocking in front/);
    });

    test('fails if an allowed range is not a valid CIDR or has host bits set', () => {
      expect(() => new PublicInstanceIpBlocking(testStack(), 'Web', { blocklist, allowedCidrs: ['198.51.100.7/24', 'x'] }))
        .toThrow(/allowedCidrs\[0\] '198.51.100.7\/24': has host bits set .* Fix: use the network address '198.51.100.0\/24'[\s\S]*allowedCidrs\[1\] 'x': is not in CIDR notation/);
    });

    test('fails if no one is allowed', () => {
      expect(() => new PublicInstanceIpBlocking(testStack(), 'Web', { blocklist, allowedCidrs: [] })).toThrow(/the security group would allow no one/);
    });

    test.each([0, 65536, 80.5])('fails if a port is %s', (port) => {
      expect(() => new PublicInstanceIpBlocking(testStack(), 'Web', { blocklist, allowedCidrs: ['198.51.100.0/24'], ports: [port] }))
        .toThrow(/ports '[\d.]+': TCP ports are whole numbers from 1 to 65535/);
    });

    test('fails if logsBucket is given with a VPC', () => {
      const stack = testStack();
      const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
      const logsBucket = new s3.Bucket(stack, 'B');
      expect(() => new PublicInstanceIpBlocking(stack, 'Web', { blocklist, allowedCidrs: ['198.51.100.0/24'], vpc, logsBucket }))
        .toThrow(/logsBucket '\(given\)': only applies to a new VPC/);
    });
  });

  test('the default image follows the instance type\'s architecture: x86_64 for t3.micro', () => {
    const stack = testStack();
    new PublicInstanceIpBlocking(stack, 'Web', { blocklist, allowedCidrs: ['198.51.100.0/24'], instanceType: new ec2.InstanceType('t3.micro') });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::Instance', {
      InstanceType: 't3.micro', ImageId: { Ref: Match.stringLikeRegexp('al2023amikernel.*x8664') },
    });
  });
});
