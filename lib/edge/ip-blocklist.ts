import { Token } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { checkCidr } from '../private/cidr';
import { ConfigErrors } from '../private/config-errors';
import { WAF_DESCRIPTION, fitLabel } from '../private/labels';

/**
 * WAF's quota of addresses (CIDR entries) in one IP set; not adjustable (AWS WAF Developer Guide,
 * "IP set match rule statement": an IP set can hold up to 10,000 IP addresses or address ranges).
 */
const MAX_WAF_IP_SET_ADDRESSES = 10_000;

/** Where a WAF web ACL is used; a `CLOUDFRONT` web ACL and its IP sets must be created in us-east-1. */
export enum WebAclScope {
  /** For ALBs, API Gateway, AppSync, Cognito, App Runner, Verified Access, in the resource's region. */
  REGIONAL = 'REGIONAL',
  /** For CloudFront distributions; only in us-east-1. */
  CLOUDFRONT = 'CLOUDFRONT',
}

/** Properties of an {@link IpBlocklist}. */
export interface IpBlocklistProps {
  /**
   * The blocked ranges in CIDR notation, IPv4 and IPv6 mixed (`203.0.113.0/24`, `198.51.100.7/32`,
   * `2001:db8::/32`). Each must be the network address of its block (host bits zero: `10.0.0.0/24`,
   * not `10.0.0.5/24`); `/0` is refused. Duplicates are dropped. The list must be known at synth
   * time (no CfnParameter or other token): each range becomes a network ACL entry and goes into the
   * IP set of its address family.
   */
  readonly cidrs: string[];

  /**
   * A name used in error messages and in the descriptions of the IP sets and rules.
   *
   * @default 'IpBlocklist'
   */
  readonly name?: string;
}

/** The WAF IP sets of a blocklist, one per address family that has entries. */
export interface BlocklistIpSets {
  /** The IPv4 set; undefined when the blocklist has no IPv4 range. */
  readonly ipv4?: wafv2.CfnIPSet;
  /** The IPv6 set; undefined when the blocklist has no IPv6 range. */
  readonly ipv6?: wafv2.CfnIPSet;
}

/**
 * One list of blocked client addresses, applied where blocking works: as network ACL deny entries
 * ({@link BlocklistNetworkAcl}) and as WAF IP sets ({@link EdgeWebAcl}). Security groups only
 * allow, so they cannot block.
 *
 * The list is validated when it is created, so the mistakes that WAF and EC2 only reject at deploy
 * time (host bits set, mixed families in one set, too many entries) fail at synth.
 *
 * @example
 * const blocklist = new IpBlocklist({ cidrs: ['203.0.113.0/24', '2001:db8:1234::/48'] });
 */
export class IpBlocklist {
  /**
   * The most ranges of one address family a blocklist takes: WAF's quota of addresses (CIDR entries)
   * in one IP set, not adjustable.
   */
  public static readonly MAX_CIDRS_PER_FAMILY: number = MAX_WAF_IP_SET_ADDRESSES;

  /** The IPv4 ranges, normalised and de-duplicated, in the order given. */
  public readonly ipv4Cidrs: string[];
  /** The IPv6 ranges, normalised (RFC 5952) and de-duplicated, in the order given. */
  public readonly ipv6Cidrs: string[];
  /** The name used in messages and descriptions. */
  public readonly name: string;

  constructor(props: IpBlocklistProps) {
    // A name that is a token would turn into a garbled description: descriptions use the default.
    this.name = props.name !== undefined && !Token.isUnresolved(props.name) ? props.name : 'IpBlocklist';
    const errors = new ConfigErrors('IpBlocklist', this.name);
    const v4 = new Set<string>();
    const v6 = new Set<string>();
    const whyConcrete = 'the ranges must be known at synth time: each becomes its own network ACL entry and goes into the WAF IP set of its address family, so a token cannot be counted or sorted';
    if (Token.isUnresolved(props.cidrs)) {
      errors.add('cidrs', '(list token)', whyConcrete, 'pass a literal list of ranges');
    } else {
      props.cidrs.forEach((cidr, i) => {
        const prop = `cidrs[${i}]`;
        if (Token.isUnresolved(cidr)) {
          errors.add(prop, '(token)', whyConcrete, 'pass a literal range');
          return;
        }
        const parsed = checkCidr(errors, prop, cidr);
        if (!parsed) return;
        if (parsed.prefixLength === 0) {
          errors.add(prop, cidr, 'a /0 range would block every client (and a NACL deny of /0 cuts the subnet off)',
            'list the ranges to block; to block everyone, remove the listener or the route instead');
          return;
        }
        (parsed.family === 4 ? v4 : v6).add(parsed.normalized);
      });
    }
    for (const [family, set] of [['IPv4', v4], ['IPv6', v6]] as const) {
      if (set.size > MAX_WAF_IP_SET_ADDRESSES) {
        errors.add('cidrs', `${set.size} ${family} ranges`,
          `a WAF IP set holds at most ${MAX_WAF_IP_SET_ADDRESSES.toLocaleString('en-US')} addresses (CIDR entries)`,
          'aggregate adjacent ranges into shorter prefixes, or split the list over several blocklists');
      }
    }
    errors.throwIfAny();
    this.ipv4Cidrs = [...v4];
    this.ipv6Cidrs = [...v6];
  }

  /** All ranges, IPv4 first. */
  public get cidrs(): string[] {
    return [...this.ipv4Cidrs, ...this.ipv6Cidrs];
  }

  /** True when the list has no range. */
  public get isEmpty(): boolean {
    return this.ipv4Cidrs.length + this.ipv6Cidrs.length === 0;
  }

  /**
   * Creates one WAF IP set per address family that has ranges (WAF requires one family per set),
   * as children `<id>Ipv4` and `<id>Ipv6` of `scope`. A `CLOUDFRONT` set must be in a us-east-1 stack;
   * {@link EdgeWebAcl} checks that.
   */
  public createWafIpSets(scope: Construct, id: string, wafScope: WebAclScope): BlocklistIpSets {
    const create = (family: 'IPV4' | 'IPV6', addresses: string[]) => addresses.length === 0 ? undefined
      : new wafv2.CfnIPSet(scope, `${id}${family === 'IPV4' ? 'Ipv4' : 'Ipv6'}`, {
        scope: wafScope,
        ipAddressVersion: family,
        addresses,
        description: fitLabel(this.name, `: blocked ${family === 'IPV4' ? 'IPv4' : 'IPv6'} ranges`, WAF_DESCRIPTION),
      });
    return { ipv4: create('IPV4', this.ipv4Cidrs), ipv6: create('IPV6', this.ipv6Cidrs) };
  }
}
