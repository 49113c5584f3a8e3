import { App, Stack } from 'aws-cdk-lib';
import { IpBlocklist, WebAclScope } from '../../lib/edge/ip-blocklist';

const FORMAT_FIX = 'write a range as address/prefix length, e.g. 203.0.113.0/24, 198.51.100.7/32 or 2001:db8::/32';

/** The whole error message for `problems` of the blocklist named `name`. */
const failure = (name: string, ...problems: string[]) => new Error([
  `IpBlocklist at '${name}' has ${problems.length} configuration error(s):`,
  ...problems.map((p) => `  - IpBlocklist: ${p}`),
].join('\n'));

describe('IpBlocklist boundaries', () => {
  describe('one message per rule, whole', () => {
    test('fails if an entry is not a CIDR', () => {
      expect(() => new IpBlocklist({ cidrs: ['203.0.113.0/24', '203.0.113/24'] })).toThrow(failure('IpBlocklist',
        `cidrs[1] '203.0.113/24': is not a valid IPv4 address. Fix: ${FORMAT_FIX}.`));
    });

    test('fails if a range is /0', () => {
      expect(() => new IpBlocklist({ name: 'Abusers', cidrs: ['0.0.0.0/0'] })).toThrow(failure('Abusers',
        "cidrs[0] '0.0.0.0/0': a /0 range would block every client (and a NACL deny of /0 cuts the subnet off). "
        + 'Fix: list the ranges to block; to block everyone, remove the listener or the route instead.'));
    });

    test('fails if host bits are set, naming the network address and the single-address prefix of the family', () => {
      const rule = 'has host bits set (bits after the prefix length): WAF rejects such a range at deploy time, and EC2 uses only its network address, '
        + 'so it covers another range than written';
      expect(() => new IpBlocklist({ cidrs: ['10.0.0.5/24', '2001:db8::1/32'] })).toThrow(failure('IpBlocklist',
        `cidrs[0] '10.0.0.5/24': ${rule}. Fix: use the network address '10.0.0.0/24', or '10.0.0.5/32' for the single address.`,
        `cidrs[1] '2001:db8::1/32': ${rule}. Fix: use the network address '2001:db8::/32', or '2001:db8::1/128' for the single address.`));
    });
  });

  describe('limits', () => {
    test('a /0 entry with host bits set is reported once, for its host bits (the shared CIDR rule runs first)', () => {
      expect(() => new IpBlocklist({ cidrs: ['1.0.0.0/0'] })).toThrow(/has 1 configuration error\(s\):\n.*'1\.0\.0\.0\/0': has host bits set/);
    });

    test.each(['128.0.0.0/1', '8000::/1', '203.0.113.7/32', '2001:db8::7/128'])('%s (one past /0, or a single address) is accepted', (cidr) => {
      expect(new IpBlocklist({ cidrs: [cidr] }).cidrs).toEqual([cidr]);
    });
  });

  describe('members', () => {
    test('name defaults to IpBlocklist', () => {
      expect(new IpBlocklist({ cidrs: [] }).name).toBe('IpBlocklist');
      expect(new IpBlocklist({ cidrs: [], name: 'Abusers' }).name).toBe('Abusers');
    });

    test.each([
      [[], true],
      [['203.0.113.0/24'], false],
      [['2001:db8::/32'], false],
      [['203.0.113.0/24', '2001:db8::/32'], false],
    ])('%j: isEmpty is %s', (cidrs, empty) => {
      expect(new IpBlocklist({ cidrs }).isEmpty).toBe(empty);
    });

    test('cidrs lists IPv4 first, each family in the order given, normalised', () => {
      const blocklist = new IpBlocklist({ cidrs: ['2001:DB8::/32', '198.51.100.0/24', ' 203.0.113.9/32', '2001:db8::/32'] });
      expect(blocklist.ipv4Cidrs).toEqual(['198.51.100.0/24', '203.0.113.9/32']);
      expect(blocklist.ipv6Cidrs).toEqual(['2001:db8::/32']);
      expect(blocklist.cidrs).toEqual(['198.51.100.0/24', '203.0.113.9/32', '2001:db8::/32']);
    });
  });

  describe('WAF IP sets', () => {
    test('one set per family, named <id>Ipv4 and <id>Ipv6, with scope, version, addresses and description', () => {
      // GIVEN
      const stack = new Stack(new App(), 'Stk');
      const blocklist = new IpBlocklist({ name: 'Abusers', cidrs: ['198.51.100.0/24', '2001:db8::/32'] });
      // WHEN
      const sets = blocklist.createWafIpSets(stack, 'Blocked', WebAclScope.CLOUDFRONT);
      // THEN
      expect(sets.ipv4?.node.id).toBe('BlockedIpv4');
      expect(sets.ipv6?.node.id).toBe('BlockedIpv6');
      expect([sets.ipv4?.scope, sets.ipv4?.ipAddressVersion, sets.ipv4?.addresses, sets.ipv4?.description])
        .toEqual(['CLOUDFRONT', 'IPV4', ['198.51.100.0/24'], 'Abusers: blocked IPv4 ranges']);
      expect([sets.ipv6?.scope, sets.ipv6?.ipAddressVersion, sets.ipv6?.addresses, sets.ipv6?.description])
        .toEqual(['CLOUDFRONT', 'IPV6', ['2001:db8::/32'], 'Abusers: blocked IPv6 ranges']);
    });

    test('a family without ranges gets no set', () => {
      const stack = new Stack(new App(), 'Stk');
      const sets = new IpBlocklist({ cidrs: ['2001:db8::/32'] }).createWafIpSets(stack, 'Blocked', WebAclScope.REGIONAL);
      expect(sets.ipv4).toBeUndefined();
      expect(sets.ipv6?.scope).toBe('REGIONAL');
    });

    test('the description keeps to WAF\'s characters and 256 characters', () => {
      const stack = new Stack(new App(), 'Stk');
      const sets = new IpBlocklist({ name: 'Bad_actors (2024)', cidrs: ['198.51.100.0/24'] }).createWafIpSets(stack, 'A', WebAclScope.REGIONAL);
      expect(sets.ipv4?.description).toBe('Bad-actors -2024-: blocked IPv4 ranges');
      const long = new IpBlocklist({ name: 'n'.repeat(300), cidrs: ['198.51.100.0/24'] }).createWafIpSets(stack, 'B', WebAclScope.REGIONAL);
      expect(long.ipv4?.description).toHaveLength(256);
      expect(long.ipv4?.description).toMatch(/^[0-9A-F]{8}-n+: blocked IPv4 ranges$/);
    });
  });
});
