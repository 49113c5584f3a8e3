import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { parseCidr } from '../private/cidr';
import { ConfigErrors } from '../private/config-errors';
import { countAzs, describeSelection, selectSubnetsOrReport } from '../private/subnet-azs';
import type { HaBastionProps } from './ha-bastion-props';

/** Where a `HaBastion` runs, as its constructor resolved it. */
export interface HaBastionPlacement {
  /** Whether the hosts are behind a load balancer (`BastionMode.LOAD_BALANCER`). */
  readonly nlb: boolean;
  /** The hosts' subnets (`vpcSubnets` or the mode's default). */
  readonly instanceSelection: ec2.SubnetSelection;
  /** A new load balancer's subnets (`loadBalancerSubnets` or the public ones). */
  readonly lbSelection: ec2.SubnetSelection;
}

/**
 * Records every problem of a `HaBastion`'s props in `errors` (the caller throws): the host count of
 * the mode, the load balancer, the SSH CIDRs, and the subnets of the hosts and of a new load balancer.
 */
export function checkHaBastionProps(errors: ConfigErrors, props: HaBastionProps, placement: HaBastionPlacement): void {
  const { nlb, instanceSelection, lbSelection } = placement;
  const count = props.instanceCount;
  if (count !== undefined && !Token.isUnresolved(count)) {
    if (!nlb && count !== 1) {
      errors.add('instanceCount', count, 'with an Elastic IP there is exactly one host (one address can be associated with one instance); the Auto Scaling group replaces it in another AZ',
        'use mode: BastionMode.LOAD_BALANCER for 2 or more hosts, or remove instanceCount');
    }
    if (nlb && (count < 2 || !Number.isInteger(count))) {
      errors.add('instanceCount', count, 'behind a load balancer, high availability needs at least 2 hosts in 2 AZs',
        'use 2 or more, or mode: BastionMode.ELASTIC_IP for a single host');
    }
  } else if (count !== undefined) {
    errors.add('instanceCount', '(token)', 'the mode\'s rule (1 with an Elastic IP, 2 or more behind the load balancer) must be checked at synth time',
      'use a number');
  }
  if (props.loadBalancer) {
    if (!nlb) {
      errors.add('loadBalancer', props.loadBalancer.node.path, 'only the load balancer mode uses one', 'set mode: BastionMode.LOAD_BALANCER or remove loadBalancer');
    }
    if ('addRedirect' in props.loadBalancer || !('addListener' in props.loadBalancer)) {
      errors.add('loadBalancer', props.loadBalancer.node.path,
        'SSH is a TCP protocol, not HTTP: an Application Load Balancer (layer 7) only forwards HTTP(S) and cannot carry it; a Network Load Balancer (layer 4) forwards the TCP stream as it is',
        'pass an elbv2.NetworkLoadBalancer, or remove loadBalancer to get a new one');
    }
    if (props.loadBalancerSubnets) {
      errors.add('loadBalancerSubnets', describeSelection(props.loadBalancerSubnets), 'only applies to a new load balancer', 'remove loadBalancerSubnets');
    }
  }
  if (Token.isUnresolved(props.sshAllowedCidrs)) {
    errors.add('sshAllowedCidrs', '(token)', 'each CIDR becomes its own security group rule, so the list must be known at synth (its elements may be tokens)',
      'pass an array, e.g. [parameter.valueAsString]');
  } else {
    (props.sshAllowedCidrs ?? []).forEach((cidr, i) => checkSshCidr(errors, `sshAllowedCidrs[${i}]`, cidr, props.allowSshFromAnywhere ?? false));
  }
  const instances = selectSubnetsOrReport(props.vpc, instanceSelection, errors, 'vpcSubnets');
  if (instances) {
    const azs = countAzs(instances);
    // Stryker disable next-line ConditionalExpression: equivalent, undefined < 2 is false
    if (azs !== undefined && azs < 2) {
      errors.add('vpcSubnets', describeSelection(instanceSelection), `the hosts' subnets span ${azs} Availability Zone(s); surviving the loss of an AZ needs at least 2`,
        'select subnets in 2 or more AZs (e.g. a VPC with maxAzs: 2)');
    }
  }
  if (nlb && !props.loadBalancer) {
    const lbSubnets = selectSubnetsOrReport(props.vpc, lbSelection, errors, 'loadBalancerSubnets');
    if (lbSubnets) {
      const azs = countAzs(lbSubnets);
      // Stryker disable next-line ConditionalExpression: equivalent, undefined < 2 is false
      if (azs !== undefined && azs < 2) {
        errors.add('loadBalancerSubnets', describeSelection(lbSelection), `the load balancer's subnets span ${azs} Availability Zone(s); it must be in at least 2 to survive the loss of one`,
          'add public subnets in 2 or more AZs');
      }
      if (!lbSubnets.hasPublic) {
        errors.add('loadBalancerSubnets', describeSelection(lbSelection), 'an internet-facing load balancer needs public subnets', 'select public subnets');
      }
    }
  }
}

function checkSshCidr(errors: ConfigErrors, prop: string, cidr: string, anywhereAllowed: boolean): void {
  if (Token.isUnresolved(cidr)) return;
  const problem = cidrProblem(cidr);
  if (problem?.anywhere) {
    if (!anywhereAllowed) {
      errors.add(prop, cidr, 'SSH from the whole internet exposes the bastion to every scanner and password-guessing bot and needs an explicit opt-in',
        'name the CIDRs that need SSH (e.g. your office\'s), rely on Session Manager, or set allowSshFromAnywhere: true');
    }
  } else if (problem) {
    errors.add(prop, cidr, problem.rule, problem.fix);
  }
}

/** The one CIDR rule of the library (as the edge constructs): valid notation, no host bits. */
export function cidrProblem(cidr: string): { rule: string; fix: string; anywhere?: false } | { anywhere: true } | undefined {
  const parsed = parseCidr(cidr);
  if (typeof parsed === 'string') {
    return { rule: parsed, fix: 'use CIDR notation, e.g. 198.51.100.0/24' };
  }
  if (!parsed.hostBitsZero) {
    return { rule: 'has host bits set', fix: `use '${parsed.normalized}'` };
  }
  return parsed.prefixLength === 0 ? { anywhere: true } : undefined;
}
