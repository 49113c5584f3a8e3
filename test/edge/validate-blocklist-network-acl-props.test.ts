import { Lazy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { BlocklistNetworkAclProps } from '../../lib/edge/blocklist-network-acl';
import { IpBlocklist } from '../../lib/edge/ip-blocklist';
import {
  Direction, NaclRuleCount, PlannedEntry, checkBlocklistNetworkAclProps, checkRuleNumberCollisions, warnAboveRuleQuota,
} from '../../lib/edge/validate-blocklist-network-acl-props';
import { ConfigErrors } from '../../lib/private/config-errors';

// Fast unit tests of BlocklistNetworkAcl's rules: the checks called directly on a bare stack (no synth).

const P = '  - BlocklistNetworkAcl: ';

/** The problem lines of `errors` (without the header), empty when there is none. */
function lines(errors: ConfigErrors): string[] {
  try {
    errors.throwIfAny();
  } catch (e) {
    return (e as Error).message.split('\n').slice(1);
  }
  return [];
}

/** `n` distinct IPv4 (or IPv6) ranges. */
function ranges(n: number, family: 4 | 6 = 4): string[] {
  return Array.from({ length: n }, (_, i) => (family === 4 ? `198.51.${i}.0/24` : `2001:db8:${i.toString(16)}::/48`));
}

type Given = Omit<BlocklistNetworkAclProps, 'blocklist' | 'vpc' | 'networkAcl'> & {
  readonly cidrs?: string[];
  /** Pass an existing network ACL (and no VPC unless `vpc: true`). */
  readonly existing?: boolean;
  readonly vpc?: boolean;
};

/** The problem lines and rule counts of the props `given` describes (a new ACL in a VPC by default). */
function check(given: Given = {}): { lines: string[]; counts: NaclRuleCount[] } {
  const stack = new Stack();
  const { cidrs, existing, vpc, ...rest } = given;
  const props: BlocklistNetworkAclProps = {
    ...rest,
    blocklist: new IpBlocklist({ cidrs: cidrs ?? ['203.0.113.0/24', '2001:db8:bad::/48'] }),
    vpc: (vpc ?? !existing) ? ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'] }) : undefined,
    networkAcl: existing ? ec2.NetworkAcl.fromNetworkAclId(stack, 'Acl', 'acl-1') : undefined,
  };
  const errors = new ConfigErrors('BlocklistNetworkAcl', 'Blocklist');
  const counts = checkBlocklistNetworkAclProps(errors, props);
  return { lines: lines(errors), counts };
}

test('the defaults pass, and count the deny, allow-all and default deny rules per family', () => {
  expect(check()).toEqual({ lines: [], counts: [{ family: 4, count: 3 }, { family: 6, count: 3 }] });
});

test('an existing network ACL gets no allow-all entry to count', () => {
  expect(check({ existing: true, cidrs: ['203.0.113.0/24'] })).toEqual({ lines: [], counts: [{ family: 4, count: 2 }, { family: 6, count: 1 }] });
});

describe('a new or an existing network ACL', () => {
  test('a new one needs a VPC', () => {
    expect(check({ vpc: false }).lines).toEqual([`${P}vpc (not set): a new network ACL needs a VPC. Fix: pass vpc, or an existing networkAcl.`]);
  });

  test.each([
    ['vpc', { vpc: true }],
    ['subnets', { subnets: { subnetType: ec2.SubnetType.PUBLIC } }],
    ['allowRuleNumber', { allowRuleNumber: 32000 }],
  ])('%s only applies to a new one', (prop, given) => {
    expect(check({ existing: true, ...given }).lines).toEqual([
      `${P}${prop} '(given)': only applies to a new network ACL, but an existing networkAcl was given. Fix: remove ${prop}.`,
    ]);
  });

  test('a token allowRuleNumber with an existing one is only refused as given', () => {
    expect(check({ existing: true, allowRuleNumber: Lazy.number({ produce: () => 32000 }) }).lines).toEqual([
      `${P}allowRuleNumber '(given)': only applies to a new network ACL, but an existing networkAcl was given. Fix: remove allowRuleNumber.`,
    ]);
  });
});

describe('firstRuleNumber', () => {
  test.each([1, 32766])('%i is accepted for one range', (firstRuleNumber) => {
    expect(check({ existing: true, firstRuleNumber, cidrs: ['203.0.113.0/24'] }).lines).toEqual([]);
  });

  test.each([0, 32767, 1.5, -1])('%d is refused', (firstRuleNumber) => {
    expect(check({ existing: true, firstRuleNumber }).lines).toEqual([
      `${P}firstRuleNumber '${firstRuleNumber}': network ACL rule numbers are whole numbers from 1 to 32766. Fix: use e.g. 100.`,
    ]);
  });

  test('the last deny entry must be at most 32766', () => {
    expect(check({ existing: true, firstRuleNumber: 32765 }).lines).toEqual([]);
    expect(check({ existing: true, firstRuleNumber: 32766 }).lines).toEqual([
      `${P}firstRuleNumber '32766': 2 deny entries starting there end at 32767, above the highest rule number 32766. Fix: use 32765 or less.`,
    ]);
  });

  test('the deny entries must come before the allow-all entries of a new network ACL', () => {
    expect(check({ firstRuleNumber: 31998 }).lines).toEqual([]);
    expect(check({ firstRuleNumber: 31999 }).lines).toEqual([
      `${P}firstRuleNumber '31999': the deny entries (31999-32000) must come before the allow-all entries (32000), because a network ACL applies the lowest matching rule number. `
      + 'Fix: use a firstRuleNumber of at most 31998, or raise allowRuleNumber.',
    ]);
    expect(check({ firstRuleNumber: 400, allowRuleNumber: 402 }).lines).toEqual([]);
  });

  test('an existing network ACL has no allow-all entries to come before', () => {
    expect(check({ existing: true, firstRuleNumber: 32000 }).lines).toEqual([]);
  });

  test('a token is refused for a non-empty blocklist', () => {
    expect(check({ firstRuleNumber: Lazy.number({ produce: () => 100 }) }).lines).toEqual([
      `${P}firstRuleNumber '(token)': the rule numbers of the entries are computed from it at synth time, and their order against the allow entries must be checked. `
      + 'Fix: pass a literal number.',
    ]);
  });

  test('a token is accepted for an empty blocklist', () => {
    expect(check({ firstRuleNumber: Lazy.number({ produce: () => 100 }), cidrs: [] }).lines).toEqual([]);
  });
});

describe('allowRuleNumber', () => {
  test.each([1, 32765])('%i is accepted', (allowRuleNumber) => {
    expect(check({ allowRuleNumber, firstRuleNumber: 1, cidrs: [] }).lines).toEqual([]);
  });

  test.each([0, 32766, 1.5])('%d is refused', (allowRuleNumber) => {
    expect(check({ allowRuleNumber, firstRuleNumber: 1, cidrs: [] }).lines).toContain(
      `${P}allowRuleNumber '${allowRuleNumber}': the allow-all entries take this number and the next, from 1 to 32766. Fix: use e.g. 32000 (at most 32765).`,
    );
    expect(check({ allowRuleNumber, firstRuleNumber: 1, cidrs: [] }).lines).toHaveLength(allowRuleNumber < 1 ? 2 : 1);
  });

  test('a token is refused, and the order against it is not checked', () => {
    expect(check({ allowRuleNumber: Lazy.number({ produce: () => 1 }) }).lines).toEqual([
      `${P}allowRuleNumber '(token)': the IPv6 allow-all entry takes the next number, which must be computed at synth time (CloudFormation has no arithmetic), `
      + 'and the order against the deny entries checked. Fix: pass a literal number.',
    ]);
  });
});

describe('rules per direction and address family', () => {
  test.each([4, 6] as const)('a new network ACL takes 38 IPv%i ranges and refuses 39', (family) => {
    expect(check({ cidrs: ranges(38, family) })).toMatchObject({ lines: [], counts: expect.arrayContaining([{ family, count: 40 }]) });
    expect(check({ cidrs: ranges(39, family) }).lines).toEqual([
      `${P}blocklist '39 IPv${family} ranges': with the allow-all entry and the default deny rule that makes 41 IPv${family} rules per direction on one network ACL, `
      + 'above the hard limit of 40 (the quota can be raised from 20 to 40, no further). '
      + 'Fix: block long lists with WAF (EdgeWebAcl / WafProtectedAlb, up to 10,000 ranges per IP set), or aggregate ranges into shorter prefixes.',
    ]);
  });

  test('an existing network ACL takes 39 ranges of a family and refuses 40', () => {
    expect(check({ existing: true, cidrs: ranges(39) })).toEqual({ lines: [], counts: [{ family: 4, count: 40 }, { family: 6, count: 1 }] });
    expect(check({ existing: true, cidrs: ranges(40, 6) }).lines).toEqual([
      `${P}blocklist '40 IPv6 ranges': with the default deny rule that makes 41 IPv6 rules per direction on one network ACL, `
      + 'above the hard limit of 40 (the quota can be raised from 20 to 40, no further). '
      + 'Fix: block long lists with WAF (EdgeWebAcl / WafProtectedAlb, up to 10,000 ranges per IP set), or aggregate ranges into shorter prefixes.',
    ]);
  });
});

describe('checkRuleNumberCollisions', () => {
  /** The problem lines of `planned` against rule 100 taken inbound by 'S/First'. */
  function collisions(first: number, planned: PlannedEntry[]): string[] {
    const taken: Record<Direction, Map<number, string>> = { inbound: new Map([[100, 'S/First']]), outbound: new Map() };
    const errors = new ConfigErrors('BlocklistNetworkAcl', 'Blocklist');
    checkRuleNumberCollisions(errors, first, planned, taken);
    return lines(errors);
  }

  test('a rule number taken in the same direction is refused', () => {
    expect(collisions(99, [{ direction: 'inbound', ruleNumber: 99 }, { direction: 'inbound', ruleNumber: 100 }])).toEqual([
      `${P}firstRuleNumber '99': inbound rule number 100 is already used on this network ACL by S/First; rule numbers must be unique per direction. `
      + 'Fix: start this blocklist after the last rule number of the other one.',
    ]);
  });

  test('the same number in the other direction, or a free one, is accepted', () => {
    expect(collisions(100, [{ direction: 'outbound', ruleNumber: 100 }, { direction: 'inbound', ruleNumber: 101 }])).toEqual([]);
  });

  test('is skipped for a token first rule number', () => {
    expect(collisions(Lazy.number({ produce: () => 100 }), [{ direction: 'inbound', ruleNumber: 100 }])).toEqual([]);
  });
});

describe('warnAboveRuleQuota', () => {
  /** The warnings on a bare construct for `counts` in `directions`. */
  function warnings(directions: Direction[], counts: NaclRuleCount[]): string[] {
    const stack = new Stack();
    warnAboveRuleQuota(stack, directions, counts);
    return stack.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
  }

  test('up to the default quota of 20 rules, none', () => {
    expect(warnings(['inbound', 'outbound'], [{ family: 4, count: 20 }, { family: 6, count: 20 }])).toEqual([]);
  });

  test('above it, one per direction and family', () => {
    expect(warnings(['inbound', 'outbound'], [{ family: 4, count: 1 }, { family: 6, count: 21 }])).toEqual(['inbound', 'outbound'].map((direction) =>
      `21 ${direction} IPv6 rules on one network ACL (with the default deny rule) exceed the default quota of 20 per direction and address family; `
      + 'the deploy fails unless the "Rules per network ACL" quota is raised (up to 40). For long lists, block with WAF (EdgeWebAcl / WafProtectedAlb) instead. '
      + '[ack: cdk-reference-architectures:networkAclRuleQuota]'));
    expect(warnings(['inbound'], [{ family: 4, count: 21 }, { family: 6, count: 1 }])).toHaveLength(1);
  });
});
