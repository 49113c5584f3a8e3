import { Lazy } from 'aws-cdk-lib';
import { CIDR_EXAMPLES, checkCidr, cidrContains, formatAddress, parseAddress, parseCidr } from '../../lib/private/cidr';
import { ConfigErrors } from '../../lib/private/config-errors';
import { recordedProblems } from '../support/config-problems';

const NOT_CIDR = 'is not in CIDR notation (address/prefix length, e.g. 203.0.113.0/24 or 2001:db8::/32)';
const BAD_V4 = 'is not a valid IPv4 address';
const BAD_V6 = 'is not a valid IPv6 address';
const BAD_V4_PREFIX = 'has an invalid prefix length: IPv4 allows /0 to /32';
const BAD_V6_PREFIX = 'has an invalid prefix length: IPv6 allows /0 to /128';

describe('parseCidr', () => {
  describe('accepts valid blocks', () => {
    test('an IPv4 network address, with every field', () => {
      expect(parseCidr('203.0.113.0/24')).toEqual({
        family: 4, address: 0xcb007100n, prefixLength: 24, hostBitsZero: true, normalized: '203.0.113.0/24', size: 256n,
      });
    });

    test('an IPv6 network address, with every field', () => {
      expect(parseCidr('2001:db8::/32')).toEqual({
        family: 6, address: 0x20010db8n << 96n, prefixLength: 32, hostBitsZero: true, normalized: '2001:db8::/32', size: 1n << 96n,
      });
    });

    test('surrounding white space is ignored', () => {
      expect(parseCidr(' 10.0.0.0/8 ')).toMatchObject({ normalized: '10.0.0.0/8', prefixLength: 8 });
    });

    test.each([
      ['0.0.0.0/0', '0.0.0.0/0', 1n << 32n],
      ['10.1.2.3/32', '10.1.2.3/32', 1n],
      ['255.255.255.255/32', '255.255.255.255/32', 1n],
      ['10.1.2.3/31', '10.1.2.2/31', 2n],
      ['10.1.2.3/1', '0.0.0.0/1', 1n << 31n],
      ['::/0', '::/0', 1n << 128n],
      ['2001:db8::1/128', '2001:db8::1/128', 1n],
      ['2001:db8::1/127', '2001:db8::/127', 2n],
    ])('%s: prefix limits and the network address (%s, %s addresses)', (text, normalized, size) => {
      expect(parseCidr(text)).toMatchObject({ normalized, size });
    });

    test.each([
      ['10.0.0.5/24', false, 0x0a000005n],
      ['10.0.0.0/24', true, 0x0a000000n],
      ['10.0.0.1/31', false, 0x0a000001n],
      ['2001:db8::1/64', false, (0x20010db8n << 96n) | 1n],
    ])('%s: hostBitsZero %s, the address as written kept', (text, hostBitsZero, address) => {
      expect(parseCidr(text)).toMatchObject({ hostBitsZero, address });
    });

    test.each(['10.0.0.0/00', '10.0.0.0/032', '2001:db8::/064'])('%s: a prefix of up to 3 digits with leading zeros is read as a number', (text) => {
      expect(typeof parseCidr(text)).toBe('object');
    });
  });

  describe('fails with the rule that is broken', () => {
    test.each([
      ['203.0.113.0', NOT_CIDR],
      ['10.0.0.0/8/8', NOT_CIDR],
      ['/24', BAD_V4],
      ['203.0.113/24', BAD_V4],
      ['203.0.113.0.1/24', BAD_V4],
      ['203.0.113.256/24', BAD_V4],
      ['203.0.113.01/32', BAD_V4],
      ['203.0.113.1000/32', BAD_V4],
      ['1..2.3/32', BAD_V4],
      ['203.0.113.x0/32', BAD_V4],
      ['203.0.113.0x/32', BAD_V4],
      ['203.0.113.-1/32', BAD_V4],
      ['2001:db8:0:0:0:0:0/64', BAD_V6],
      ['2001:db8:0:0:0:0:0:0:0/64', BAD_V6],
      ['2001:db8::1::/64', BAD_V6],
      ['2001:db8::g/64', BAD_V6],
      ['2001:db8:12345::/64', BAD_V6],
      ['203.0.113.0/33', BAD_V4_PREFIX],
      ['203.0.113.0/24x', BAD_V4_PREFIX],
      ['203.0.113.0/x24', BAD_V4_PREFIX],
      ['203.0.113.0/0024', BAD_V4_PREFIX],
      ['203.0.113.0/', BAD_V4_PREFIX],
      ['203.0.113.0/-1', BAD_V4_PREFIX],
      ['203.0.113.0/ 24', BAD_V4_PREFIX],
      ['2001:db8::/129', BAD_V6_PREFIX],
      ['2001:db8::/64x', BAD_V6_PREFIX],
    ])('%s: %s', (text, message) => {
      expect(parseCidr(text)).toBe(message);
    });
  });
});

describe('parseAddress', () => {
  test.each([
    ['0.0.0.0', 4, 0n],
    ['255.255.255.255', 4, 0xffffffffn],
    ['192.0.2.1', 4, 0xc0000201n],
    ['100.99.9.0', 4, 0x64630900n],
    ['::', 6, 0n],
    ['::1', 6, 1n],
    ['1::', 6, 1n << 112n],
    ['1:2:3:4:5:6:7:8', 6, 0x00010002000300040005000600070008n],
    ['1:2:3:4:5:6:7::', 6, 0x00010002000300040005000600070000n],
    ['::2:3:4:5:6:7:8', 6, 0x00000002000300040005000600070008n],
    ['1:2:3::6:7:8', 6, 0x00010002000300000000000600070008n],
    ['ABCD:ef01::', 6, 0xabcdef01n << 96n],
    ['::ffff:192.0.2.1', 6, 0xffffc0000201n],
    ['1:2:3:4:5:6:192.0.2.1', 6, 0x000100020003000400050006c0000201n],
  ])('%s is IPv%s %s', (text, family, address) => {
    expect(parseAddress(text)).toEqual({ family, address });
  });

  test.each([
    // IPv4: 3 and 5 octets, out of range, leading zero, empty octet, characters before or after the digits
    '192.0.2', '192.0.2.1.5', '192.0.2.256', '192.0.2.01', '192.0.2.', '.192.0.2', 'a192.0.2.1', '192.0.2.1a', '',
    // IPv6: fewer than 8 groups without '::', more than 8, '::' twice or where no group is missing
    '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', ':::', '1:2:3:4::5:6:7:8', '1:2:3:4:5:6:7:8::',
    // IPv6 groups: 5 digits, not hex, empty, characters after the last group
    '12345::', 'g::', '1::2:', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8x', 'x1:2:3:4:5:6:7:8',
    // embedded IPv4: not last, not valid, in the head before '::', or making more than 8 groups
    '::192.0.2.1:1', '::192.0.2.256', '::192.0.2', '192.0.2.1::', '1:2:3:4:5:6:7:192.0.2.1', '1:2:3:4:5:192.0.2.1',
  ])('%j is not an address', (text) => {
    expect(parseAddress(text)).toBeUndefined();
  });
});

describe('cidrContains', () => {
  test.each([
    ['203.0.113.0/24', '203.0.113.0', true],
    ['203.0.113.0/24', '203.0.113.255', true],
    ['203.0.113.0/24', '203.0.112.255', false],
    ['203.0.113.0/24', '203.0.114.0', false],
    ['198.51.100.66/32', '198.51.100.66', true],
    ['198.51.100.66/32', '198.51.100.67', false],
    ['0.0.0.0/0', '255.255.255.255', true],
    ['2001:db8:bad::/48', '2001:db8:bad:ffff:ffff:ffff:ffff:ffff', true],
    ['2001:db8:bad::/48', '2001:db8:bae::', false],
    ['::/0', '::1', true],
    ['203.0.113.0/24', '::ffff:203.0.113.1', false],
    ['::/0', '203.0.113.1', false],
    ['203.0.113.0/33', '203.0.113.1', false],
    ['203.0.113.0/24', '203.0.113', false],
  ])('%s contains %s: %s', (cidr, ip, inside) => {
    expect(cidrContains(cidr, ip)).toBe(inside);
  });
});

describe('formatAddress', () => {
  test.each([
    [0n, '0.0.0.0'],
    [0xffffffffn, '255.255.255.255'],
    [0x01020304n, '1.2.3.4'],
  ])('IPv4 %s is %s', (value, text) => {
    expect(formatAddress(value, 4)).toBe(text);
  });

  test.each([
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    // RFC 5952 4.2.2: a single zero group is not compressed
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    // 4.2.3: the longest run is compressed; of two equal runs, the first
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
    ['2001:0:0:1:0:0:1:1', '2001::1:0:0:1:1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    // 4.3: lower case
    ['ABCD:0:0:0:0:0:0:EF', 'abcd::ef'],
  ])('IPv6 %s is %s', (written, canonical) => {
    const parsed = parseAddress(written);
    expect(parsed).toBeDefined();
    expect(formatAddress(parsed!.address, 6)).toBe(canonical);
  });
});

describe('checkCidr', () => {
  const FIX = `write a range as address/prefix length, e.g. ${CIDR_EXAMPLES}`;

  function check(value: string): { parsed: ReturnType<typeof checkCidr>; problems: string[] } {
    const errors = new ConfigErrors('Widget', 'W');
    const parsed = checkCidr(errors, 'allowedCidrs', value);
    return { parsed, problems: recordedProblems(errors, true) };
  }

  test('returns a valid range, with no problem', () => {
    const { parsed, problems } = check('10.0.0.0/8');
    expect(problems).toEqual([]);
    expect(parsed).toMatchObject({ family: 4, prefixLength: 8, normalized: '10.0.0.0/8', hostBitsZero: true });
  });

  test('a range that does not parse is a problem with the parser\'s reason and the fix', () => {
    expect(check('10.0.0.0/33')).toEqual({
      parsed: undefined,
      problems: [`allowedCidrs '10.0.0.0/33': has an invalid prefix length: IPv4 allows /0 to /32. Fix: ${FIX}.`],
    });
  });

  test('host bits are a problem naming the network address and the single address', () => {
    expect(check('198.51.100.7/24')).toEqual({
      parsed: undefined,
      problems: ["allowedCidrs '198.51.100.7/24': has host bits set (bits after the prefix length): WAF rejects such a range at deploy time, "
        + 'and EC2 uses only its network address, so it covers another range than written. '
        + "Fix: use the network address '198.51.100.0/24', or '198.51.100.7/32' for the single address."],
    });
    expect(check('2001:db8::1/64').problems).toEqual([expect.stringContaining("Fix: use the network address '2001:db8::/64', or '2001:db8::1/128'")]);
  });

  test('a token is not checked', () => {
    expect(check(Lazy.string({ produce: () => 'nonsense' }))).toEqual({ parsed: undefined, problems: [] });
  });
});
