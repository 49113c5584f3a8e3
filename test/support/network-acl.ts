import { Template } from 'aws-cdk-lib/assertions';
import { cidrContains } from '../../lib/private/cidr';

/** One network ACL entry as synthesized. */
export interface SynthesizedAclEntry {
  readonly ruleNumber: number;
  readonly egress: boolean;
  readonly action: 'allow' | 'deny';
  readonly cidr: string;
}

/** The entries of the synthesized network ACLs (all of them, in template order). */
export function aclEntries(template: Template): SynthesizedAclEntry[] {
  return Object.values(template.findResources('AWS::EC2::NetworkAclEntry')).map((r) => ({
    ruleNumber: r.Properties.RuleNumber,
    egress: r.Properties.Egress === true,
    action: r.Properties.RuleAction,
    cidr: r.Properties.CidrBlock ?? r.Properties.Ipv6CidrBlock,
  }));
}

/**
 * What a network ACL does with a packet from (inbound) or to (outbound) `ip`, as EC2 evaluates it:
 * rules in ascending rule-number order, the first whose range contains the address decides, and
 * the implicit rule `*` denies everything else.
 */
export function evaluateAcl(entries: SynthesizedAclEntry[], ip: string, direction: 'inbound' | 'outbound'): 'allow' | 'deny' {
  const rules = entries.filter((e) => e.egress === (direction === 'outbound')).sort((a, b) => a.ruleNumber - b.ruleNumber);
  return rules.find((rule) => cidrContains(rule.cidr, ip))?.action ?? 'deny';
}
