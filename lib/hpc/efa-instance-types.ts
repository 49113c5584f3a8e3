/**
 * Instance types that support the Elastic Fabric Adapter, with their number of network cards.
 *
 * EFA support is by size, not by family: `c5n.18xlarge` has it, `c5n.large` does not.
 *
 * Source: Amazon EC2 User Guide, "Elastic Fabric Adapter – Supported instance types"
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa.html#efa-instance-types) and
 * `aws ec2 describe-instance-types --filters Name=network-info.efa-supported,Values=true
 *  --query 'InstanceTypes[].[InstanceType,NetworkInfo.MaximumNetworkCards]'`.
 * Compiled 2025-06 (not re-checked against the live API since; this project has no AWS account).
 * A subset: the HPC, compute-, memory- and accelerated-optimised sizes people run MPI on.
 * Types launched later work with `HpcClusterProps.efaSupportOverride`.
 */
export const EFA_INSTANCE_TYPES: Readonly<Record<string, { readonly networkCards: number }>> = {
  // HPC optimised
  'hpc6a.48xlarge': { networkCards: 1 },
  'hpc6id.32xlarge': { networkCards: 2 },
  'hpc7a.12xlarge': { networkCards: 2 },
  'hpc7a.24xlarge': { networkCards: 2 },
  'hpc7a.48xlarge': { networkCards: 2 },
  'hpc7a.96xlarge': { networkCards: 2 },
  'hpc7g.4xlarge': { networkCards: 1 },
  'hpc7g.8xlarge': { networkCards: 1 },
  'hpc7g.16xlarge': { networkCards: 1 },
  // Compute optimised
  'c5n.9xlarge': { networkCards: 1 },
  'c5n.18xlarge': { networkCards: 1 },
  'c5n.metal': { networkCards: 1 },
  'c6a.48xlarge': { networkCards: 1 },
  'c6gn.16xlarge': { networkCards: 1 },
  'c6i.32xlarge': { networkCards: 1 },
  'c6i.metal': { networkCards: 1 },
  'c6id.32xlarge': { networkCards: 1 },
  'c6in.32xlarge': { networkCards: 2 },
  'c6in.metal': { networkCards: 2 },
  'c7a.48xlarge': { networkCards: 1 },
  'c7g.16xlarge': { networkCards: 1 },
  'c7g.metal': { networkCards: 1 },
  'c7gn.16xlarge': { networkCards: 1 },
  'c7gn.metal': { networkCards: 1 },
  'c7i.48xlarge': { networkCards: 1 },
  // General purpose and memory optimised
  'm5dn.24xlarge': { networkCards: 1 },
  'm5n.24xlarge': { networkCards: 1 },
  'm6i.32xlarge': { networkCards: 1 },
  'm6in.32xlarge': { networkCards: 2 },
  'm7g.16xlarge': { networkCards: 1 },
  'm7i.48xlarge': { networkCards: 1 },
  'r5n.24xlarge': { networkCards: 1 },
  'r6i.32xlarge': { networkCards: 1 },
  'r7g.16xlarge': { networkCards: 1 },
  'i4i.32xlarge': { networkCards: 1 },
  // Accelerated
  'g4dn.8xlarge': { networkCards: 1 },
  'g4dn.12xlarge': { networkCards: 1 },
  'g4dn.16xlarge': { networkCards: 1 },
  'g4dn.metal': { networkCards: 1 },
  'g5.48xlarge': { networkCards: 1 },
  'p4d.24xlarge': { networkCards: 4 },
  'p5.48xlarge': { networkCards: 32 },
  'trn1.32xlarge': { networkCards: 8 },
};

/** The EFA entry of `instanceType`, or undefined when it is not known to support EFA. */
export function efaSupport(instanceType: string): { readonly networkCards: number } | undefined {
  return Object.prototype.hasOwnProperty.call(EFA_INSTANCE_TYPES, instanceType) ? EFA_INSTANCE_TYPES[instanceType] : undefined;
}
