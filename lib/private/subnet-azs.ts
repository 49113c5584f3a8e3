import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ConfigErrors } from './config-errors';

/** A subnet selection in words, for error messages. */
export function describeSelection(selection: ec2.SubnetSelection): string {
  if (selection.subnetType) return `subnetType ${selection.subnetType}`;
  if (selection.subnetGroupName) return `subnetGroupName ${selection.subnetGroupName}`;
  if (selection.subnets) return `${selection.subnets.length} subnet(s)`;
  return 'the default selection';
}

/**
 * `vpc.selectSubnets(selection)`, with "the VPC has no such subnets" (which aws-cdk-lib throws, or
 * answers with an empty list) recorded as a configuration error instead.
 */
export function selectSubnetsOrReport(
  vpc: ec2.IVpc, selection: ec2.SubnetSelection, errors: ConfigErrors, prop: string,
): ec2.SelectedSubnets | undefined {
  let selected: ec2.SelectedSubnets;
  try {
    selected = vpc.selectSubnets(selection);
  } catch (e) {
    errors.add(prop, describeSelection(selection), `the VPC has no subnets of the required type (${(e as Error).message})`,
      'add such subnets in at least 2 Availability Zones to the VPC, or select other subnets');
    return undefined;
  }
  if (selected.subnets.length === 0) {
    errors.add(prop, describeSelection(selection), 'the selection matches no subnet', 'select subnets in at least 2 Availability Zones');
    return undefined;
  }
  return selected;
}

/**
 * How many distinct Availability Zones the subnets are in, or undefined when that cannot be known at
 * synth time. In an environment-agnostic stack a new VPC's AZs are tokens (`Fn::Select` over
 * `Fn::GetAZs`), one distinct token per AZ index, so counting distinct strings still works; an
 * imported subnet without an AZ, or a single token standing for a list, makes the count unknown.
 */
export function countAzs(selected: ec2.SelectedSubnets): number | undefined {
  const azs = new Set<string>();
  for (const subnet of selected.subnets) {
    let az: string;
    try {
      az = subnet.availabilityZone;
    } catch {
      return undefined; // Subnet.fromSubnetId without an AZ
    }
    if (az === undefined) return undefined;
    azs.add(az);
  }
  return azs.size;
}
