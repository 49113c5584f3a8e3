import { Token } from 'aws-cdk-lib';
import type { ConfigErrors } from './config-errors';

/**
 * CIDR arithmetic for IPv4 and IPv6 with BigInt: parsing, normalising to the network address,
 * formatting (RFC 5952 for IPv6) and membership. Small enough not to need a dependency.
 */

/** A parsed CIDR block. `network` has all host bits zero when `hostBitsZero` is true. */
export interface ParsedCidr {
  readonly family: 4 | 6;
  /** The address as written, as a number. */
  readonly address: bigint;
  readonly prefixLength: number;
  /** Whether the address as written has no bits set below the prefix (WAF rejects it otherwise). */
  readonly hostBitsZero: boolean;
  /** The network address (host bits cleared) in canonical notation, e.g. `10.0.0.0/24`. */
  readonly normalized: string;
  /** How many addresses the block covers. */
  readonly size: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;

/** Parses `a.b.c.d/n` or an IPv6 CIDR; returns an error message instead when it is not a valid CIDR. */
export function parseCidr(text: string): ParsedCidr | string {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  if (slash < 0 || slash !== trimmed.lastIndexOf('/')) {
    return 'is not in CIDR notation (address/prefix length, e.g. 203.0.113.0/24 or 2001:db8::/32)';
  }
  const addressText = trimmed.slice(0, slash);
  const prefixText = trimmed.slice(slash + 1);
  const family: 4 | 6 = addressText.includes(':') ? 6 : 4;
  const address = family === 4 ? parseIpv4(addressText) : parseIpv6(addressText);
  if (address === undefined) {
    return `is not a valid IPv${family} address`;
  }
  const bits = BITS[family];
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
    return `has an invalid prefix length: IPv${family} allows /0 to /${bits}`;
  }
  const prefixLength = Number(prefixText);
  const hostMask = (1n << BigInt(bits - prefixLength)) - 1n;
  const network = address & ~hostMask & ((1n << BigInt(bits)) - 1n);
  return {
    family,
    address,
    prefixLength,
    hostBitsZero: network === address,
    normalized: `${formatAddress(network, family)}/${prefixLength}`,
    size: 1n << BigInt(bits - prefixLength),
  };
}

/** Parses a single IPv4 or IPv6 address (no prefix). */
export function parseAddress(text: string): { family: 4 | 6; address: bigint } | undefined {
  const family: 4 | 6 = text.includes(':') ? 6 : 4;
  const address = family === 4 ? parseIpv4(text) : parseIpv6(text);
  return address === undefined ? undefined : { family, address };
}

/** True when `ip` (a single address) lies inside `cidr`. Different families never match. */
export function cidrContains(cidr: string, ip: string): boolean {
  const block = parseCidr(cidr);
  const addr = parseAddress(ip);
  // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, an error string has no family, so the family test refuses it too
  if (typeof block === 'string' || !addr || addr.family !== block.family) {
    return false;
  }
  const bits = BITS[block.family];
  const shift = BigInt(bits - block.prefixLength);
  return (addr.address >> shift) === (block.address >> shift);
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are ambiguous (octal in some parsers) and AWS rejects them.
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tail = '';
  const doubleColon = text.indexOf('::');
  if (doubleColon >= 0) {
    // Second '::': equivalent mutants, as a second '::' also leaves an empty group, which the group test refuses.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent (see above)
    if (text.indexOf('::', doubleColon + 1) >= 0) return undefined;
    head = text.slice(0, doubleColon);
    tail = text.slice(doubleColon + 2);
  }
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups: bigint[] = [];
  const parseGroups = (list: string[], allowIpv4Last: boolean): bigint[] | undefined => {
    const out: bigint[] = [];
    for (let i = 0; i < list.length; i++) {
      const group = list[i];
      if (allowIpv4Last && i === list.length - 1 && group.includes('.')) {
        const v4 = parseIpv4(group);
        if (v4 === undefined) return undefined;
        out.push(v4 >> 16n, v4 & 0xffffn);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(group)) {
        out.push(BigInt(`0x${group}`));
      } else {
        return undefined;
      }
    }
    return out;
  };
  // Stryker disable next-line EqualityOperator: equivalent, '::' at index 0 leaves no head groups
  const h = parseGroups(headGroups, doubleColon < 0);
  const t = parseGroups(tailGroups, true);
  if (!h || !t) return undefined;
  if (doubleColon >= 0) {
    const missing = 8 - h.length - t.length;
    if (missing < 1) return undefined;
    groups.push(...h, ...Array<bigint>(missing).fill(0n), ...t);
  } else {
    if (h.length !== 8) return undefined;
    groups.push(...h);
  }
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Dotted quad for IPv4; RFC 5952 canonical text for IPv6 (lower case, longest zero run as `::`). */
export function formatAddress(value: bigint, family: 4 | 6): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const groups = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1; // a single zero group is not compressed (RFC 5952 4.2.2)
  // Stryker disable next-line EqualityOperator: equivalent, groups[8] is undefined, not 0
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, groups[8] is undefined, not 0
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** How to write a CIDR range, for the fix of every CIDR message. */
export const CIDR_EXAMPLES = '203.0.113.0/24, 198.51.100.7/32 or 2001:db8::/32';

/**
 * The one CIDR rule of every construct that takes ranges: records a problem for a value that is not a
 * CIDR range or that has host bits set (WAF rejects such a range at deploy time; EC2 takes only its
 * network address, so the range is not what was written). Returns the parsed range when it is valid,
 * undefined for a problem or a token (a token is checked by the service at deploy time).
 */
export function checkCidr(errors: ConfigErrors, prop: string, value: string): ParsedCidr | undefined {
  if (Token.isUnresolved(value)) {
    return undefined;
  }
  const parsed = parseCidr(value);
  if (typeof parsed === 'string') {
    errors.add(prop, value, parsed, `write a range as address/prefix length, e.g. ${CIDR_EXAMPLES}`);
    return undefined;
  }
  if (!parsed.hostBitsZero) {
    const single = `${formatAddress(parsed.address, parsed.family)}/${parsed.family === 4 ? 32 : 128}`;
    errors.add(prop, value,
      'has host bits set (bits after the prefix length): WAF rejects such a range at deploy time, and EC2 uses only its network address, so it covers another range than written',
      `use the network address '${parsed.normalized}', or '${single}' for the single address`);
    return undefined;
  }
  return parsed;
}
