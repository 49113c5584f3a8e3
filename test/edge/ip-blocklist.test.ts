import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { BlocklistNetworkAcl } from '../../lib/edge/blocklist-network-acl';
import { IpBlocklist, WebAclScope } from '../../lib/edge/ip-blocklist';

const MAX_WAF_IP_SET_ADDRESSES = IpBlocklist.MAX_CIDRS_PER_FAMILY;
import { cidrContains, formatAddress, parseCidr } from '../../lib/private/cidr';
import { testApp } from '../support/app';
import { aclEntries, evaluateAcl } from '../support/network-acl';

describe('IpBlocklist', () => {
  describe('CIDR normalisation', () => {
    test('IPv6 ranges are written in RFC 5952 form, so equal ranges are recognised as duplicates', () => {
      // GIVEN the same IPv6 range in three spellings, and an IPv4 duplicate
      const blocklist = new IpBlocklist({
        cidrs: ['2001:DB8:0:0:0:0:0:0/32', '2001:db8::/32', '2001:0db8:0000::/32', '203.0.113.0/24', ' 203.0.113.0/24 '],
      });
      // THEN each appears once, canonical
      expect(blocklist.ipv6Cidrs).toEqual(['2001:db8::/32']);
      expect(blocklist.ipv4Cidrs).toEqual(['203.0.113.0/24']);
    });

    test.each([
      ['2001:db8:0:0:1:0:0:1/128', '2001:db8::1:0:0:1/128'],
      ['2001:0:0:1:0:0:0:0/64', '2001:0:0:1::/64'],
      ['::ffff:192.0.2.128/128', '::ffff:c000:280/128'],
      ['fe80:0:0:0:0:0:0:0/10', 'fe80::/10'],
      ['2001:db8:1:2:3:4:5:6/128', '2001:db8:1:2:3:4:5:6/128'],
    ])('%s normalises to %s', (input, expected) => {
      expect(new IpBlocklist({ cidrs: [input] }).ipv6Cidrs).toEqual([expected]);
    });

    test('the parser computes the network address and the block size', () => {
      const parsed = parseCidr('10.0.0.5/24');
      expect(parsed).toMatchObject({ family: 4, hostBitsZero: false, normalized: '10.0.0.0/24', size: 256n });
      expect(formatAddress(0n, 6)).toBe('::');
    });

    test.each([
      ['203.0.113.7', '203.0.113.0/24', true],
      ['203.0.114.0', '203.0.113.0/24', false],
      ['198.51.100.66', '198.51.100.66/32', true],
      ['198.51.100.67', '198.51.100.66/32', false],
      ['2001:db8:bad:ffff::1', '2001:db8:bad::/48', true],
      ['2001:db8:bae::1', '2001:db8:bad::/48', false],
      ['203.0.113.7', '2001:db8:bad::/48', false],
    ])('%s in %s: %s', (ip, cidr, inside) => {
      expect(cidrContains(cidr, ip)).toBe(inside);
    });
  });

  describe('IPv4 / IPv6 split', () => {
    test('mixed input is split by family, order kept', () => {
      const blocklist = new IpBlocklist({ cidrs: ['2001:db8::/32', '198.51.100.0/24', '203.0.113.9/32', '2001:db8:ffff::/48'] });
      expect(blocklist.ipv4Cidrs).toEqual(['198.51.100.0/24', '203.0.113.9/32']);
      expect(blocklist.ipv6Cidrs).toEqual(['2001:db8::/32', '2001:db8:ffff::/48']);
      expect(blocklist.cidrs).toEqual([...blocklist.ipv4Cidrs, ...blocklist.ipv6Cidrs]);
    });

    test('one WAF IP set per family, each with only its own addresses', () => {
      // GIVEN
      const stack = new Stack(testApp(), 'TestStack');
      const blocklist = new IpBlocklist({ cidrs: ['198.51.100.0/24', '2001:db8::/32'] });
      // WHEN
      const sets = blocklist.createWafIpSets(stack, 'Blocked', WebAclScope.REGIONAL);
      // THEN
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::WAFv2::IPSet', 2);
      template.hasResourceProperties('AWS::WAFv2::IPSet', { IPAddressVersion: 'IPV4', Addresses: ['198.51.100.0/24'], Scope: 'REGIONAL' });
      template.hasResourceProperties('AWS::WAFv2::IPSet', { IPAddressVersion: 'IPV6', Addresses: ['2001:db8::/32'], Scope: 'REGIONAL' });
      expect(sets.ipv4).toBeDefined();
      expect(sets.ipv6).toBeDefined();
    });

    test('a family without ranges gets no IP set', () => {
      const stack = new Stack(testApp(), 'TestStack');
      const sets = new IpBlocklist({ cidrs: ['198.51.100.0/24'] }).createWafIpSets(stack, 'Blocked', WebAclScope.REGIONAL);
      Template.fromStack(stack).resourceCountIs('AWS::WAFv2::IPSet', 1);
      expect(sets.ipv6).toBeUndefined();
    });
  });

  describe('validation', () => {
    test('fails if a CIDR has host bits set, naming the network address', () => {
      expect(() => new IpBlocklist({ cidrs: ['10.0.0.5/24'] }))
        .toThrow(/cidrs\[0\] '10\.0\.0\.5\/24': has host bits set .*WAF rejects .* Fix: use the network address '10\.0\.0\.0\/24', or '10\.0\.0\.5\/32' for the single address/);
    });

    test('fails if an IPv6 CIDR has host bits set', () => {
      expect(() => new IpBlocklist({ cidrs: ['2001:db8::1/32'] })).toThrow(/use the network address '2001:db8::\/32'/);
    });

    test.each(['0.0.0.0/0', '::/0'])('fails if a range is %s', (cidr) => {
      expect(() => new IpBlocklist({ cidrs: [cidr] })).toThrow(/a \/0 range would block every client/);
    });

    test.each([
      ['203.0.113.0', /is not in CIDR notation/],
      ['203.0.113.256/32', /is not a valid IPv4 address/],
      ['203.0.113.01/32', /is not a valid IPv4 address/],
      ['203.0.113.0/33', /invalid prefix length: IPv4 allows \/0 to \/32/],
      ['2001:db8::g/64', /is not a valid IPv6 address/],
      ['2001:db8::1::/64', /is not a valid IPv6 address/],
      ['2001:db8::/129', /IPv6 allows \/0 to \/128/],
    ])('fails if %s is not a valid CIDR', (cidr, message) => {
      expect(() => new IpBlocklist({ cidrs: [cidr] })).toThrow(message);
    });

    test(`fails if one family has more than ${MAX_WAF_IP_SET_ADDRESSES} ranges (one WAF IP set)`, () => {
      const cidrs = Array.from({ length: MAX_WAF_IP_SET_ADDRESSES + 1 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
      expect(() => new IpBlocklist({ cidrs })).toThrow(/'10001 IPv4 ranges': a WAF IP set holds at most 10,000 addresses/);
    });

    test(`${MAX_WAF_IP_SET_ADDRESSES} IPv4 and ${MAX_WAF_IP_SET_ADDRESSES} IPv6 ranges are fine: they go to separate sets`, () => {
      const v4 = Array.from({ length: MAX_WAF_IP_SET_ADDRESSES }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
      const v6 = Array.from({ length: MAX_WAF_IP_SET_ADDRESSES }, (_, i) => `2001:db8:${i.toString(16)}::/48`);
      const blocklist = new IpBlocklist({ cidrs: [...v4, ...v6] });
      expect(blocklist.ipv4Cidrs).toHaveLength(MAX_WAF_IP_SET_ADDRESSES);
      expect(blocklist.ipv6Cidrs).toHaveLength(MAX_WAF_IP_SET_ADDRESSES);
    });

    test('reports every bad entry at once, with the blocklist name', () => {
      expect(() => new IpBlocklist({ name: 'Abusers', cidrs: ['10.0.0.5/24', '0.0.0.0/0', 'nope'] }))
        .toThrow(/IpBlocklist at 'Abusers' has 3 configuration error\(s\)/);
    });
  });

  describe('behaviour on a network ACL: addresses that must and must not match', () => {
    const blocklist = new IpBlocklist({ cidrs: ['203.0.113.0/24', '198.51.100.66/32', '2001:db8:bad::/48'] });
    const stack = new Stack(testApp(), 'TestStack');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
    new BlocklistNetworkAcl(stack, 'Acl', { vpc, blocklist });
    const entries = aclEntries(Template.fromStack(stack));

    test.each([
      ['203.0.113.0', 'deny'], ['203.0.113.255', 'deny'], ['198.51.100.66', 'deny'], ['2001:db8:bad::1', 'deny'],
      ['2001:db8:bad:ffff:ffff:ffff:ffff:ffff', 'deny'],
      ['203.0.112.255', 'allow'], ['203.0.114.0', 'allow'], ['198.51.100.65', 'allow'], ['198.51.100.67', 'allow'],
      ['2001:db8:bae::', 'allow'], ['192.0.2.10', 'allow'],
    ])('%s inbound and outbound: %s', (ip, expected) => {
      expect(evaluateAcl(entries, ip, 'inbound')).toBe(expected);
      expect(evaluateAcl(entries, ip, 'outbound')).toBe(expected);
    });

    test('every deny entry is numbered before every allow entry, per direction', () => {
      for (const egress of [false, true]) {
        const own = entries.filter((e) => e.egress === egress);
        const maxDeny = Math.max(...own.filter((e) => e.action === 'deny').map((e) => e.ruleNumber));
        const minAllow = Math.min(...own.filter((e) => e.action === 'allow').map((e) => e.ruleNumber));
        expect(maxDeny).toBeLessThan(minAllow);
      }
    });

    test('rule numbers are unique per direction', () => {
      for (const egress of [false, true]) {
        const numbers = entries.filter((e) => e.egress === egress).map((e) => e.ruleNumber);
        expect(new Set(numbers).size).toBe(numbers.length);
      }
    });
  });
});
