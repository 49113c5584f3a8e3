import { Annotations, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ConfigErrors, isConcrete } from '../private/config-errors';
import type { BlocklistNetworkAclProps } from './blocklist-network-acl';

/*
 * The documented network ACL limits and the rules for BlocklistNetworkAcl's props. Tokens are
 * skipped, except where a rule number must be literal (the message says why).
 */

/**
 * Highest rule number a network ACL entry may have (EC2 API CreateNetworkAclEntry, `RuleNumber`:
 * 1 to 32766; 32767 is the implicit deny-all).
 */
export const MAX_NACL_RULE_NUMBER = 32766;

/**
 * Default quota of rules per network ACL, per direction and address family, counting the default
 * deny rule (32767 for IPv4, 32768 for IPv6). Adjustable up to {@link MAX_NACL_RULES} (Amazon VPC
 * quotas, "Rules per network ACL").
 */
export const DEFAULT_NACL_RULE_QUOTA = 20;

/** The most rules a network ACL can have per direction and address family, whatever the quota. */
export const MAX_NACL_RULES = 40;

/** Default rule number of the first deny entry. */
export const DEFAULT_FIRST_RULE_NUMBER = 100;

/** Default rule number of the IPv4 allow-all entry of a new network ACL. */
export const DEFAULT_ALLOW_RULE_NUMBER = 32000;

/** A direction of network ACL entries. */
export type Direction = 'inbound' | 'outbound';

/** The rules one network ACL gets per direction for one address family. */
export interface NaclRuleCount {
  readonly family: 4 | 6;
  /** Deny entries, a new ACL's allow-all entry and the default deny rule. */
  readonly count: number;
}

/** An entry the construct is about to add: its direction and rule number. */
export interface PlannedEntry {
  readonly direction: Direction;
  readonly ruleNumber: number;
}

/**
 * Records every problem of BlocklistNetworkAcl's props in `errors` (the caller throws) and returns
 * the rules per direction and address family on the network ACL.
 */
export function checkBlocklistNetworkAclProps(errors: ConfigErrors, props: BlocklistNetworkAclProps): NaclRuleCount[] {
  const first = props.firstRuleNumber ?? DEFAULT_FIRST_RULE_NUMBER;
  const allow = props.allowRuleNumber ?? DEFAULT_ALLOW_RULE_NUMBER;
  const cidrs = props.blocklist.cidrs;
  if (props.networkAcl) {
    for (const prop of ['vpc', 'subnets', 'allowRuleNumber'] as const) {
      if (props[prop] !== undefined) {
        errors.add(prop, '(given)',
          'only applies to a new network ACL, but an existing networkAcl was given', `remove ${prop}`);
      }
    }
  } else if (!props.vpc) {
    errors.add('vpc', undefined, 'a new network ACL needs a VPC', 'pass vpc, or an existing networkAcl');
  }
  if (isConcrete(first)) {
    const last = first + cidrs.length - 1;
    if (!Number.isInteger(first) || first < 1 || first > MAX_NACL_RULE_NUMBER) {
      errors.add('firstRuleNumber', first, `network ACL rule numbers are whole numbers from 1 to ${MAX_NACL_RULE_NUMBER}`, 'use e.g. 100');
    } else if (last > MAX_NACL_RULE_NUMBER) {
      errors.add('firstRuleNumber', first, `${cidrs.length} deny entries starting there end at ${last}, above the highest rule number ${MAX_NACL_RULE_NUMBER}`,
        `use ${MAX_NACL_RULE_NUMBER - cidrs.length + 1} or less`);
    } else if (!props.networkAcl && isConcrete(allow) && last >= allow) {
      errors.add('firstRuleNumber', first,
        `the deny entries (${first}-${last}) must come before the allow-all entries (${allow}), because a network ACL applies the lowest matching rule number`,
        `use a firstRuleNumber of at most ${allow - cidrs.length}, or raise allowRuleNumber`);
    }
  } else if (Token.isUnresolved(first) && cidrs.length > 0) {
    errors.add('firstRuleNumber', '(token)', 'the rule numbers of the entries are computed from it at synth time, and their order against the allow entries must be checked',
      'pass a literal number');
  }
  if (!props.networkAcl && Token.isUnresolved(allow)) {
    errors.add('allowRuleNumber', '(token)', 'the IPv6 allow-all entry takes the next number, which must be computed at synth time (CloudFormation has no arithmetic), and the order against the deny entries checked',
      'pass a literal number');
  }
  if (!props.networkAcl && isConcrete(allow)
    && (!Number.isInteger(allow) || allow < 1 || allow + 1 > MAX_NACL_RULE_NUMBER)) {
    errors.add('allowRuleNumber', allow, `the allow-all entries take this number and the next, from 1 to ${MAX_NACL_RULE_NUMBER}`,
      `use e.g. 32000 (at most ${MAX_NACL_RULE_NUMBER - 1})`);
  }

  // Rules per direction and address family: the deny entries, a new ACL's allow-all entry, and
  // the default deny rule, which counts toward the quota too.
  const ruleCounts = ([4, 6] as const).map((family) => ({
    family,
    count: (family === 4 ? props.blocklist.ipv4Cidrs.length : props.blocklist.ipv6Cidrs.length) + (props.networkAcl ? 0 : 1) + 1,
  }));
  for (const { family, count } of ruleCounts) {
    if (count > MAX_NACL_RULES) {
      errors.add('blocklist', `${count - 1 - (props.networkAcl ? 0 : 1)} IPv${family} ranges`,
        `with ${props.networkAcl ? 'the default deny rule' : 'the allow-all entry and the default deny rule'} that makes ${count} IPv${family} rules per direction on one network ACL, above the hard limit of ${MAX_NACL_RULES} (the quota can be raised from ${DEFAULT_NACL_RULE_QUOTA} to ${MAX_NACL_RULES}, no further)`,
        'block long lists with WAF (EdgeWebAcl / WafProtectedAlb, up to 10,000 ranges per IP set), or aggregate ranges into shorter prefixes');
    }
  }
  return ruleCounts;
}

/**
 * Records a problem for each planned entry whose rule number another construct already took on the
 * same network ACL and direction (`taken`: rule number to the owner's path). Skipped when the first
 * rule number is a token, which {@link checkBlocklistNetworkAclProps} accepts only for an empty blocklist.
 */
export function checkRuleNumberCollisions(errors: ConfigErrors, firstRuleNumber: number, planned: PlannedEntry[],
  taken: Record<Direction, Map<number, string>>): void {
  if (!isConcrete(firstRuleNumber)) return;
  for (const p of planned) {
    const owner = taken[p.direction].get(p.ruleNumber);
    if (owner !== undefined) {
      errors.add('firstRuleNumber', firstRuleNumber,
        `${p.direction} rule number ${p.ruleNumber} is already used on this network ACL by ${owner}; rule numbers must be unique per direction`,
        'start this blocklist after the last rule number of the other one');
    }
  }
}

/** Warns on `scope` for each direction and address family whose rule count is above the default quota. */
export function warnAboveRuleQuota(scope: Construct, directions: Direction[], ruleCounts: NaclRuleCount[]): void {
  for (const direction of directions) {
    for (const { family, count } of ruleCounts) {
      if (count > DEFAULT_NACL_RULE_QUOTA) {
        Annotations.of(scope).addWarningV2('cdk-reference-architectures:networkAclRuleQuota',
          `${count} ${direction} IPv${family} rules on one network ACL (with the default deny rule) exceed the default quota of ${DEFAULT_NACL_RULE_QUOTA} per direction and address family; the deploy fails unless the "Rules per network ACL" quota is raised (up to ${MAX_NACL_RULES}). For long lists, block with WAF (EdgeWebAcl / WafProtectedAlb) instead.`);
      }
    }
  }
}
