import { Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { BlocklistNetworkAcl } from '../../lib/edge/blocklist-network-acl';
import { IpBlocklist } from '../../lib/edge/ip-blocklist';
import { testApp } from '../support/app';
import { expectConsoleOutput } from '../support/console-guard';
import { aclEntries, evaluateAcl } from '../support/network-acl';

function setup(failOnWarnings = true): { stack: Stack; vpc: ec2.Vpc } {
  const stack = new Stack(testApp({ failOnWarnings }), 'TestStack');
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0,
    subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  return { stack, vpc };
}

const blocklist = new IpBlocklist({ cidrs: ['203.0.113.0/24', '2001:db8:bad::/48'] });

describe('BlocklistNetworkAcl', () => {
  describe('a new network ACL', () => {
    let template: Template;
    beforeAll(() => {
      const { stack, vpc } = setup();
      new BlocklistNetworkAcl(stack, 'Blocklist', { vpc, blocklist });
      template = Template.fromStack(stack);
    });

    test('is associated with the public subnets only', () => {
      template.resourceCountIs('AWS::EC2::NetworkAcl', 1);
      template.resourceCountIs('AWS::EC2::SubnetNetworkAclAssociation', 2);
      template.hasResourceProperties('AWS::EC2::SubnetNetworkAclAssociation', { SubnetId: { Ref: Match.stringLikeRegexp('^VpcPublicSubnet1') } });
    });

    test('denies each range in both directions from rule 100, IPv4 first', () => {
      for (const egress of [false, true]) {
        template.hasResourceProperties('AWS::EC2::NetworkAclEntry', { RuleNumber: 100, CidrBlock: '203.0.113.0/24', RuleAction: 'deny', Protocol: -1, Egress: egress });
        template.hasResourceProperties('AWS::EC2::NetworkAclEntry', { RuleNumber: 101, Ipv6CidrBlock: '2001:db8:bad::/48', RuleAction: 'deny', Protocol: -1, Egress: egress });
      }
    });

    test('ends with allow-all entries at 32000 (IPv4) and 32001 (IPv6), leaving allow-listing to security groups', () => {
      for (const egress of [false, true]) {
        template.hasResourceProperties('AWS::EC2::NetworkAclEntry', { RuleNumber: 32000, CidrBlock: '0.0.0.0/0', RuleAction: 'allow', Egress: egress });
        template.hasResourceProperties('AWS::EC2::NetworkAclEntry', { RuleNumber: 32001, Ipv6CidrBlock: '::/0', RuleAction: 'allow', Egress: egress });
      }
      template.resourceCountIs('AWS::EC2::NetworkAclEntry', 8);
    });
  });

  test('blockOutbound: false writes inbound entries only', () => {
    const { stack, vpc } = setup();
    new BlocklistNetworkAcl(stack, 'Blocklist', { vpc, blocklist, blockOutbound: false });
    const entries = aclEntries(Template.fromStack(stack));
    expect(entries.filter((e) => e.egress && e.action === 'deny')).toEqual([]);
    expect(evaluateAcl(entries, '203.0.113.9', 'outbound')).toBe('allow');
    expect(evaluateAcl(entries, '203.0.113.9', 'inbound')).toBe('deny');
  });

  test('custom rule numbers keep deny before allow', () => {
    const { stack, vpc } = setup();
    new BlocklistNetworkAcl(stack, 'Blocklist', { vpc, blocklist, firstRuleNumber: 10, allowRuleNumber: 500, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::NetworkAclEntry', { RuleNumber: 11, RuleAction: 'deny', Ipv6CidrBlock: '2001:db8:bad::/48' });
    template.hasResourceProperties('AWS::EC2::NetworkAclEntry', { RuleNumber: 500, RuleAction: 'allow' });
    template.hasResourceProperties('AWS::EC2::SubnetNetworkAclAssociation', { SubnetId: { Ref: Match.stringLikeRegexp('^VpcPrivateSubnet1') } });
  });

  test('on an existing network ACL only the deny entries are added', () => {
    const { stack } = setup();
    const acl = ec2.NetworkAcl.fromNetworkAclId(stack, 'Existing', 'acl-12345678');
    new BlocklistNetworkAcl(stack, 'Blocklist', { networkAcl: acl, blocklist, firstRuleNumber: 1 });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::NetworkAcl', 0);
    template.resourceCountIs('AWS::EC2::NetworkAclEntry', 4);
    template.hasResourceProperties('AWS::EC2::NetworkAclEntry', { NetworkAclId: 'acl-12345678', RuleNumber: 1, RuleAction: 'deny' });
  });

  test('two blocklists can share a network ACL with disjoint rule numbers', () => {
    const { stack } = setup();
    const acl = ec2.NetworkAcl.fromNetworkAclId(stack, 'Existing', 'acl-12345678');
    new BlocklistNetworkAcl(stack, 'First', { networkAcl: acl, blocklist, firstRuleNumber: 1 });
    new BlocklistNetworkAcl(stack, 'Second', { networkAcl: acl, blocklist: new IpBlocklist({ cidrs: ['192.0.2.0/24'] }), firstRuleNumber: 3 });
    Template.fromStack(stack).resourceCountIs('AWS::EC2::NetworkAclEntry', 6);
  });

  describe('validation', () => {
    test.each([0, 32767, 1.5])('fails if firstRuleNumber is %s', (firstRuleNumber) => {
      const { stack, vpc } = setup();
      expect(() => new BlocklistNetworkAcl(stack, 'Blocklist', { vpc, blocklist, firstRuleNumber }))
        .toThrow(/firstRuleNumber '[\d.]+': network ACL rule numbers are whole numbers from 1 to 32766/);
    });

    test('fails if the deny entries would run past 32766', () => {
      const { stack } = setup();
      const acl = ec2.NetworkAcl.fromNetworkAclId(stack, 'Existing', 'acl-12345678');
      expect(() => new BlocklistNetworkAcl(stack, 'Blocklist', { networkAcl: acl, blocklist, firstRuleNumber: 32766 }))
        .toThrow(/2 deny entries starting there end at 32767, above the highest rule number 32766. Fix: use 32765 or less/);
    });

    test('fails if the deny entries are not numbered before the allow entries', () => {
      const { stack, vpc } = setup();
      expect(() => new BlocklistNetworkAcl(stack, 'Blocklist', { vpc, blocklist, firstRuleNumber: 400, allowRuleNumber: 401 }))
        .toThrow(/the deny entries \(400-401\) must come before the allow-all entries \(401\).*Fix: use a firstRuleNumber of at most 399/);
    });

    test('fails if allowRuleNumber leaves no room for the IPv6 allow entry', () => {
      const { stack, vpc } = setup();
      expect(() => new BlocklistNetworkAcl(stack, 'Blocklist', { vpc, blocklist, allowRuleNumber: 32766 }))
        .toThrow(/allowRuleNumber '32766': the allow-all entries take this number and the next/);
    });

    test('fails if rule numbers collide on the same network ACL (unique per direction)', () => {
      const { stack } = setup();
      const acl = ec2.NetworkAcl.fromNetworkAclId(stack, 'Existing', 'acl-12345678');
      new BlocklistNetworkAcl(stack, 'First', { networkAcl: acl, blocklist, firstRuleNumber: 1 });
      expect(() => new BlocklistNetworkAcl(stack, 'Second', { networkAcl: acl, blocklist, firstRuleNumber: 2 }))
        .toThrow(/inbound rule number 2 is already used on this network ACL by TestStack\/First; rule numbers must be unique per direction/);
    });

    test('fails if new-ACL props are given with an existing network ACL', () => {
      const { stack, vpc } = setup();
      const acl = ec2.NetworkAcl.fromNetworkAclId(stack, 'Existing', 'acl-12345678');
      expect(() => new BlocklistNetworkAcl(stack, 'Blocklist', { networkAcl: acl, vpc, allowRuleNumber: 500, blocklist }))
        .toThrow(/vpc '\(given\)': only applies to a new network ACL[\s\S]*allowRuleNumber '\(given\)'/);
    });

    test('fails if neither vpc nor networkAcl is given', () => {
      const { stack } = setup();
      expect(() => new BlocklistNetworkAcl(stack, 'Blocklist', { blocklist })).toThrow(/vpc \(not set\): a new network ACL needs a VPC/);
    });

    test('fails if firstRuleNumber is a token (the entries are numbered at synth time)', () => {
      const { stack, vpc } = setup();
      expect(() => new BlocklistNetworkAcl(stack, 'Blocklist', { vpc, blocklist, firstRuleNumber: Lazy.number({ produce: () => 100 }) }))
        .toThrow(/firstRuleNumber '\(token\)': the rule numbers of the entries are computed from it at synth time/);
    });

    test('fails if allowRuleNumber is a token: the IPv6 allow entry takes allow + 1, which a token cannot give', () => {
      // A number token plus 1 is the same float, so both allow entries would get one rule number and EC2 refuses the second.
      const token = Lazy.number({ produce: () => 30000 });
      expect(token + 1).toBe(token);
      const { stack, vpc } = setup();
      expect(() => new BlocklistNetworkAcl(stack, 'Blocklist', { vpc, blocklist, allowRuleNumber: token }))
        .toThrow(/allowRuleNumber '\(token\)': the IPv6 allow-all entry takes the next number, which must be computed at synth time/);
    });
  });

  describe('rule quota (VPC quotas: 20 rules per network ACL, direction and family, counting the default deny rule; at most 40)', () => {
    const cidrs = (n: number) => Array.from({ length: n }, (_, i) => `198.51.${i}.0/24`);

    test('warns at 19 denies: with the allow entry and the default deny rule that is 21 rules', () => {
      const printed = expectConsoleOutput();
      const { stack, vpc } = setup(false);
      new BlocklistNetworkAcl(stack, 'Blocklist', { vpc, blocklist: new IpBlocklist({ cidrs: cidrs(19) }) });
      Annotations.fromStack(stack).hasWarning('/TestStack/Blocklist',
        Match.stringLikeRegexp('21 inbound IPv4 rules on one network ACL \\(with the default deny rule\\) exceed the default quota of 20'));
      expect(printed.text()).toContain('21 inbound IPv4 rules on one network ACL');
    });

    test('does not warn at 18 denies (+ the allow entry + the default deny rule = 20)', () => {
      const { stack, vpc } = setup(false);
      new BlocklistNetworkAcl(stack, 'Blocklist', { vpc, blocklist: new IpBlocklist({ cidrs: cidrs(18) }) });
      Annotations.fromStack(stack).hasNoWarning('/TestStack/Blocklist', Match.anyValue());
    });

    test('an existing network ACL: 19 denies + its default deny rule = 20, no warning; 20 denies warn', () => {
      const printed = expectConsoleOutput();
      const { stack, vpc } = setup(false);
      const acl = new ec2.NetworkAcl(stack, 'Acl', { vpc });
      new BlocklistNetworkAcl(stack, 'Nineteen', { networkAcl: acl, blocklist: new IpBlocklist({ cidrs: cidrs(19) }) });
      new BlocklistNetworkAcl(stack, 'Twenty', { networkAcl: new ec2.NetworkAcl(stack, 'Acl2', { vpc }), blocklist: new IpBlocklist({ cidrs: cidrs(20) }) });
      Annotations.fromStack(stack).hasNoWarning('/TestStack/Nineteen', Match.anyValue());
      Annotations.fromStack(stack).hasWarning('/TestStack/Twenty', Match.stringLikeRegexp('21 inbound IPv4 rules'));
      expect(printed.text()).toContain('21 inbound IPv4 rules');
    });

    test('38 denies (40 rules with the allow entry and the default rule) still synthesize, with the warning', () => {
      const { stack, vpc } = setup(false);
      expect(() => new BlocklistNetworkAcl(stack, 'Blocklist', { vpc, blocklist: new IpBlocklist({ cidrs: cidrs(38) }) })).not.toThrow();
    });

    test('fails if the rules exceed the hard limit of 40 per direction and family', () => {
      const { stack, vpc } = setup(false);
      expect(() => new BlocklistNetworkAcl(stack, 'Blocklist', { vpc, blocklist: new IpBlocklist({ cidrs: cidrs(39) }) }))
        .toThrow(/blocklist '39 IPv4 ranges': with the allow-all entry and the default deny rule that makes 41 IPv4 rules per direction on one network ACL, above the hard limit of 40 .*Fix: block long lists with WAF/);
    });
  });

  describe('one network ACL per subnet', () => {
    test('fails if two blocklists associate their network ACLs with the same subnets', () => {
      const { stack, vpc } = setup();
      new BlocklistNetworkAcl(stack, 'First', { vpc, blocklist });
      new BlocklistNetworkAcl(stack, 'Second', { vpc, blocklist });
      expect(() => Template.fromStack(stack)).toThrow(/BlocklistNetworkAcl at 'TestStack\/First': subnet .*PublicSubnet1.* is also associated with the network ACL of 'TestStack\/Second\/.*'; a subnet has exactly one network ACL/);
    });

    test('two blocklists on different subnets of one VPC synthesize', () => {
      const { stack, vpc } = setup();
      new BlocklistNetworkAcl(stack, 'Public', { vpc, blocklist, subnets: { subnetType: ec2.SubnetType.PUBLIC } });
      new BlocklistNetworkAcl(stack, 'Private', { vpc, blocklist, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
      expect(() => Template.fromStack(stack)).not.toThrow();
    });

    test('a second blocklist on the first one\'s network ACL shares it instead', () => {
      const { stack, vpc } = setup();
      const first = new BlocklistNetworkAcl(stack, 'First', { vpc, blocklist });
      new BlocklistNetworkAcl(stack, 'Second', { networkAcl: first.networkAcl, blocklist: new IpBlocklist({ cidrs: ['192.0.2.0/24'] }), firstRuleNumber: 200 });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::EC2::NetworkAcl', 1);
      template.resourceCountIs('AWS::EC2::SubnetNetworkAclAssociation', 2);
    });
  });
});
