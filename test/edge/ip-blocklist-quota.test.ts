import { IpBlocklist } from '../../lib/edge/ip-blocklist';

const MAX_WAF_IP_SET_ADDRESSES = IpBlocklist.MAX_CIDRS_PER_FAMILY;

// The quota is counted over parsed entries; a stub parser (valid network addresses only, `x` marks host
// bits set) keeps 10,001-entry lists cheap, so the mutation run can afford them. The real parser over
// 10,001 entries is covered in ip-blocklist.test.ts.
jest.mock('../../lib/private/cidr', () => {
  const parseCidr = (text: string) => ({
    family: text.includes(':') ? 6 : 4,
    prefixLength: 24,
    hostBitsZero: !text.includes('x'),
    normalized: text.replace('x', ''),
  });
  return {
    parseCidr,
    // the shared rule's shape: host bits refused with its message, otherwise the parsed range
    checkCidr: (errors: { add(prop: string, value: unknown, rule: string, fix: string): void }, prop: string, text: string) => {
      const parsed = parseCidr(text);
      if (!parsed.hostBitsZero) {
        errors.add(prop, text, 'has host bits set', 'use the network address');
        return undefined;
      }
      return parsed;
    },
  };
});

const v4Ranges = (count: number) => Array.from({ length: count }, (_, i) => `v4-${i}`);
const v6Ranges = (count: number) => Array.from({ length: count }, (_, i) => `v6:${i}`);

describe('IpBlocklist: WAF quota of 10,000 entries per IP set', () => {
  test('the quota', () => {
    expect(MAX_WAF_IP_SET_ADDRESSES).toBe(10_000);
  });

  test.each([
    ['IPv4', v4Ranges, 'ipv4Cidrs'],
    ['IPv6', v6Ranges, 'ipv6Cidrs'],
  ] as const)('10,000 %s ranges, with a duplicate, are accepted', (_family, ranges, member) => {
    const cidrs = ranges(MAX_WAF_IP_SET_ADDRESSES);
    expect(new IpBlocklist({ cidrs: [...cidrs, cidrs[0]] })[member]).toHaveLength(MAX_WAF_IP_SET_ADDRESSES);
  });

  test('10,000 of each family are accepted: they go to separate sets', () => {
    const blocklist = new IpBlocklist({ cidrs: [...v4Ranges(MAX_WAF_IP_SET_ADDRESSES), ...v6Ranges(MAX_WAF_IP_SET_ADDRESSES)] });
    expect([blocklist.ipv4Cidrs.length, blocklist.ipv6Cidrs.length]).toEqual([10_000, 10_000]);
  });

  test.each([
    ['IPv4', v4Ranges],
    ['IPv6', v6Ranges],
  ])('fails if %s has 10,001 ranges, with the whole message', (family, ranges) => {
    expect(() => new IpBlocklist({ cidrs: ranges(MAX_WAF_IP_SET_ADDRESSES + 1) })).toThrow(new Error([
      "IpBlocklist at 'IpBlocklist' has 1 configuration error(s):",
      `  - IpBlocklist: cidrs '10001 ${family} ranges': a WAF IP set holds at most 10,000 addresses (CIDR entries). `
      + 'Fix: aggregate adjacent ranges into shorter prefixes, or split the list over several blocklists.',
    ].join('\n')));
  });

  test('an entry refused for host bits does not count towards the quota', () => {
    expect(() => new IpBlocklist({ cidrs: [...v4Ranges(MAX_WAF_IP_SET_ADDRESSES), 'v4-x10001'] }))
      .toThrow(/has 1 configuration error\(s\):\n.*cidrs\[10000\] 'v4-x10001': has host bits set/);
  });
});
