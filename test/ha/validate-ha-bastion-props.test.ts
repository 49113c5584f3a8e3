import { Lazy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { HaBastionProps } from '../../lib/ha/ha-bastion-props';
import { HaBastionPlacement, checkHaBastionProps, cidrProblem } from '../../lib/ha/validate-ha-bastion-props';
import { ConfigErrors } from '../../lib/private/config-errors';
import { recordedProblems } from '../support/config-problems';

/*
 * The rules of HaBastion's props, called directly (no synth): each limit, one past it on both sides,
 * a valid value, and the whole message once per rule.
 */

const PUBLIC = { subnetType: ec2.SubnetType.PUBLIC };
const ISOLATED = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
const EIP: HaBastionPlacement = { nlb: false, instanceSelection: PUBLIC, lbSelection: PUBLIC };
const NLB: HaBastionPlacement = { nlb: true, instanceSelection: ISOLATED, lbSelection: PUBLIC };

/** A VPC with public and isolated subnets in `maxAzs` AZs. */
function vpc(maxAzs = 2): ec2.IVpc {
  return new ec2.Vpc(new Stack(), 'Vpc', {
    maxAzs,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
}

/** The problems of `props` in `placement`, as the lines of the thrown message (without the header). */
function problems(props: Partial<HaBastionProps>, placement: HaBastionPlacement = EIP): string[] {
  const errors = new ConfigErrors('HaBastion', 'S/Bastion');
  checkHaBastionProps(errors, { vpc: vpc(), ...props }, placement);
  return recordedProblems(errors, true);
}

/** A load balancer as the check sees it: its path and whether it has an NLB's or an ALB's methods. */
function loadBalancer(kind: 'nlb' | 'alb' | 'neither'): elbv2.ILoadBalancerV2 {
  const methods = { nlb: { addListener: () => undefined }, alb: { addListener: () => undefined, addRedirect: () => undefined }, neither: {} }[kind];
  return { node: { path: 'S/Lb' }, ...methods } as unknown as elbv2.ILoadBalancerV2;
}

describe('instanceCount', () => {
  const eipRule = 'with an Elastic IP there is exactly one host (one address can be associated with one instance); the Auto Scaling group replaces it in '
    + 'another AZ. Fix: use mode: BastionMode.LOAD_BALANCER for 2 or more hosts, or remove instanceCount.';
  const nlbRule = 'behind a load balancer, high availability needs at least 2 hosts in 2 AZs. Fix: use 2 or more, or mode: BastionMode.ELASTIC_IP for a single host.';

  test('is exactly 1 with an Elastic IP', () => {
    expect(problems({ instanceCount: 1 })).toEqual([]);
    expect(problems({})).toEqual([]);
    expect(problems({ instanceCount: 0 })).toEqual([`instanceCount '0': ${eipRule}`]);
    expect(problems({ instanceCount: 2 })).toEqual([`instanceCount '2': ${eipRule}`]);
  });

  test('is a whole number of 2 or more behind the load balancer', () => {
    expect(problems({ instanceCount: 2 }, NLB)).toEqual([]);
    expect(problems({ instanceCount: 10 }, NLB)).toEqual([]);
    expect(problems({}, NLB)).toEqual([]);
    expect(problems({ instanceCount: 1 }, NLB)).toEqual([`instanceCount '1': ${nlbRule}`]);
    expect(problems({ instanceCount: 2.5 }, NLB)).toEqual([`instanceCount '2.5': ${nlbRule}`]);
  });

  test('fails if it is a token (the mode\'s rule must be checked at synth)', () => {
    const message = "instanceCount '(token)': the mode's rule (1 with an Elastic IP, 2 or more behind the load balancer) must be checked at synth time. "
      + 'Fix: use a number.';
    expect(problems({ instanceCount: Lazy.number({ produce: () => 2 }) }, NLB)).toEqual([message]);
  });
});

describe('loadBalancer', () => {
  test('a Network Load Balancer is accepted behind the load balancer', () => {
    expect(problems({ loadBalancer: loadBalancer('nlb') }, NLB)).toEqual([]);
  });

  test('fails with an Elastic IP', () => {
    expect(problems({ loadBalancer: loadBalancer('nlb') })).toEqual([
      "loadBalancer 'S/Lb': only the load balancer mode uses one. Fix: set mode: BastionMode.LOAD_BALANCER or remove loadBalancer.",
    ]);
  });

  test.each(['alb', 'neither'] as const)('fails if it is not a Network Load Balancer (%s)', (kind) => {
    expect(problems({ loadBalancer: loadBalancer(kind) }, NLB)).toEqual([
      "loadBalancer 'S/Lb': SSH is a TCP protocol, not HTTP: an Application Load Balancer (layer 7) only forwards HTTP(S) and cannot carry it; "
        + 'a Network Load Balancer (layer 4) forwards the TCP stream as it is. Fix: pass an elbv2.NetworkLoadBalancer, or remove loadBalancer to get a new one.',
    ]);
  });

  test('fails with loadBalancerSubnets, which only a new load balancer takes', () => {
    expect(problems({ loadBalancer: loadBalancer('nlb'), loadBalancerSubnets: PUBLIC }, NLB)).toEqual([
      "loadBalancerSubnets 'subnetType Public': only applies to a new load balancer. Fix: remove loadBalancerSubnets.",
    ]);
  });

  test('an existing load balancer skips the check of the new one\'s subnets', () => {
    expect(problems({ loadBalancer: loadBalancer('nlb') }, { ...NLB, lbSelection: ISOLATED })).toEqual([]);
  });
});

describe('sshAllowedCidrs', () => {
  test.each(['203.0.113.0/24', '203.0.113.7/32', '2001:db8::/32'])('accepts %s', (cidr) => {
    expect(problems({ sshAllowedCidrs: [cidr] })).toEqual([]);
  });

  test('accepts token elements and no list', () => {
    expect(problems({ sshAllowedCidrs: [Lazy.string({ produce: () => 'x' })] })).toEqual([]);
    expect(problems({ sshAllowedCidrs: [] })).toEqual([]);
  });

  test('fails if the list is a token (each CIDR is a rule of its own)', () => {
    expect(problems({ sshAllowedCidrs: Lazy.list({ produce: () => ['203.0.113.0/24'] }) })).toEqual([
      "sshAllowedCidrs '(token)': each CIDR becomes its own security group rule, so the list must be known at synth (its elements may be tokens). "
        + 'Fix: pass an array, e.g. [parameter.valueAsString].',
    ]);
  });

  test('fails if a CIDR has host bits set, naming its index', () => {
    expect(problems({ sshAllowedCidrs: ['203.0.113.0/24', '203.0.113.7/24'] })).toEqual([
      "sshAllowedCidrs[1] '203.0.113.7/24': has host bits set. Fix: use '203.0.113.0/24'.",
    ]);
  });

  test('fails if a CIDR is not CIDR notation', () => {
    expect(problems({ sshAllowedCidrs: ['203.0.113.0'] })).toEqual([
      `sshAllowedCidrs[0] '203.0.113.0': ${cidrRule('203.0.113.0')}. Fix: use CIDR notation, e.g. 198.51.100.0/24.`,
    ]);
  });

  test.each(['0.0.0.0/0', '::/0'])('fails if %s (the whole internet) is not opted into', (cidr) => {
    expect(problems({ sshAllowedCidrs: [cidr] })).toEqual([
      `sshAllowedCidrs[0] '${cidr}': SSH from the whole internet exposes the bastion to every scanner and password-guessing bot and needs an explicit opt-in. `
        + "Fix: name the CIDRs that need SSH (e.g. your office's), rely on Session Manager, or set allowSshFromAnywhere: true.",
    ]);
    expect(problems({ sshAllowedCidrs: [cidr], allowSshFromAnywhere: true })).toEqual([]);
    expect(problems({ sshAllowedCidrs: [cidr], allowSshFromAnywhere: false })).toHaveLength(1);
  });
});

/** The rule of a CIDR that does not parse, as cidrProblem states it. */
function cidrRule(cidr: string): string {
  const problem = cidrProblem(cidr);
  if (!problem || problem.anywhere) throw new Error(`${cidr} parses`);
  return problem.rule;
}

describe('cidrProblem', () => {
  test('says what is wrong and how to fix it', () => {
    expect(cidrProblem('198.51.100.0/24')).toBeUndefined();
    expect(cidrProblem('0.0.0.0/0')).toEqual({ anywhere: true });
    expect(cidrProblem('198.51.100.1/24')).toEqual({ rule: 'has host bits set', fix: "use '198.51.100.0/24'" });
    expect(cidrProblem('nonsense')).toEqual({ rule: expect.stringMatching(/./), fix: 'use CIDR notation, e.g. 198.51.100.0/24' });
  });
});

describe('subnets', () => {
  test('fails if the hosts\' subnets span fewer than 2 AZs', () => {
    const errors = new ConfigErrors('HaBastion', 'S/Bastion');
    checkHaBastionProps(errors, { vpc: vpc(1) }, EIP);
    expect(() => errors.throwIfAny()).toThrow(
      "HaBastion: vpcSubnets 'subnetType Public': the hosts' subnets span 1 Availability Zone(s); surviving the loss of an AZ needs at least 2. "
        + 'Fix: select subnets in 2 or more AZs (e.g. a VPC with maxAzs: 2).',
    );
  });

  test('fails if the VPC has none of the selected subnets', () => {
    expect(problems({}, { ...NLB, instanceSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } })).toEqual([
      expect.stringMatching(/^vpcSubnets 'subnetType Private': the VPC has no subnets of the required type/),
    ]);
  });

  test('a new load balancer needs public subnets in 2 or more AZs', () => {
    expect(problems({}, NLB)).toEqual([]);
    expect(problems({}, { ...NLB, lbSelection: ISOLATED })).toEqual([
      "loadBalancerSubnets 'subnetType Isolated': an internet-facing load balancer needs public subnets. Fix: select public subnets.",
    ]);
    const errors = new ConfigErrors('HaBastion', 'S/Bastion');
    checkHaBastionProps(errors, { vpc: vpc(1) }, { ...NLB, instanceSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } });
    expect(() => errors.throwIfAny()).toThrow(
      "HaBastion: loadBalancerSubnets 'subnetType Public': the load balancer's subnets span 1 Availability Zone(s); it must be in at least 2 to survive the "
        + 'loss of one. Fix: add public subnets in 2 or more AZs.',
    );
  });

  test('fails if the VPC has no subnets for a new load balancer', () => {
    expect(problems({}, { ...NLB, lbSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } })).toEqual([
      expect.stringMatching(/^loadBalancerSubnets 'subnetType Private': the VPC has no subnets of the required type/),
    ]);
  });
});
