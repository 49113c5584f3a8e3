/** What an EFA-capable instance type offers, from {@link EfaInstanceTypes}. */
export interface EfaInstanceTypeInfo {
  /** Network cards (`NetworkInfo.MaximumNetworkCards`): the most EFA interfaces the type takes, one per card. */
  readonly networkCards: number;
  /** vCPUs (`VCpuInfo.DefaultVCpus`): the most an AWS Batch container on one node can reserve. */
  readonly vCpus: number;
}

/**
 * Instance types that support the Elastic Fabric Adapter, with their network cards and vCPUs.
 *
 * EFA support is by size, not by family: `c5n.18xlarge` has it, `c5n.large` does not.
 *
 * Source: Amazon EC2 User Guide, "Elastic Fabric Adapter – Supported instance types"
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa.html#efa-instance-types) and
 * `aws ec2 describe-instance-types --filters Name=network-info.efa-supported,Values=true
 *  --query 'InstanceTypes[].[InstanceType,NetworkInfo.MaximumNetworkCards,VCpuInfo.DefaultVCpus]'`.
 * Compiled 2025-06 (not re-checked against the live API since; this project has no AWS account).
 * A subset: the HPC, compute-, memory- and accelerated-optimised sizes people run MPI on.
 * Types launched later work with `HpcClusterProps.efaSupportOverride`.
 */
export class EfaInstanceTypes {
  /** Every listed type, by instance type name (e.g. `c5n.18xlarge`). */
  public static readonly ALL: { [instanceType: string]: EfaInstanceTypeInfo } = Object.freeze({
    // HPC optimised
    'hpc6a.48xlarge': { networkCards: 1, vCpus: 96 },
    'hpc6id.32xlarge': { networkCards: 2, vCpus: 64 },
    'hpc7a.12xlarge': { networkCards: 2, vCpus: 24 },
    'hpc7a.24xlarge': { networkCards: 2, vCpus: 48 },
    'hpc7a.48xlarge': { networkCards: 2, vCpus: 96 },
    'hpc7a.96xlarge': { networkCards: 2, vCpus: 192 },
    'hpc7g.4xlarge': { networkCards: 1, vCpus: 16 },
    'hpc7g.8xlarge': { networkCards: 1, vCpus: 32 },
    'hpc7g.16xlarge': { networkCards: 1, vCpus: 64 },
    // Compute optimised
    'c5n.9xlarge': { networkCards: 1, vCpus: 36 },
    'c5n.18xlarge': { networkCards: 1, vCpus: 72 },
    'c5n.metal': { networkCards: 1, vCpus: 72 },
    'c6a.48xlarge': { networkCards: 1, vCpus: 192 },
    'c6gn.16xlarge': { networkCards: 1, vCpus: 64 },
    'c6i.32xlarge': { networkCards: 1, vCpus: 128 },
    'c6i.metal': { networkCards: 1, vCpus: 128 },
    'c6id.32xlarge': { networkCards: 1, vCpus: 128 },
    'c6in.32xlarge': { networkCards: 2, vCpus: 128 },
    'c6in.metal': { networkCards: 2, vCpus: 128 },
    'c7a.48xlarge': { networkCards: 1, vCpus: 192 },
    'c7g.16xlarge': { networkCards: 1, vCpus: 64 },
    'c7g.metal': { networkCards: 1, vCpus: 64 },
    'c7gn.16xlarge': { networkCards: 1, vCpus: 64 },
    'c7gn.metal': { networkCards: 1, vCpus: 64 },
    'c7i.48xlarge': { networkCards: 1, vCpus: 192 },
    // General purpose and memory optimised
    'm5dn.24xlarge': { networkCards: 1, vCpus: 96 },
    'm5n.24xlarge': { networkCards: 1, vCpus: 96 },
    'm6i.32xlarge': { networkCards: 1, vCpus: 128 },
    'm6in.32xlarge': { networkCards: 2, vCpus: 128 },
    'm7g.16xlarge': { networkCards: 1, vCpus: 64 },
    'm7i.48xlarge': { networkCards: 1, vCpus: 192 },
    'r5n.24xlarge': { networkCards: 1, vCpus: 96 },
    'r6i.32xlarge': { networkCards: 1, vCpus: 128 },
    'r7g.16xlarge': { networkCards: 1, vCpus: 64 },
    'i4i.32xlarge': { networkCards: 1, vCpus: 128 },
    // Accelerated
    'g4dn.8xlarge': { networkCards: 1, vCpus: 32 },
    'g4dn.12xlarge': { networkCards: 1, vCpus: 48 },
    'g4dn.16xlarge': { networkCards: 1, vCpus: 64 },
    'g4dn.metal': { networkCards: 1, vCpus: 96 },
    'g5.48xlarge': { networkCards: 1, vCpus: 192 },
    'p4d.24xlarge': { networkCards: 4, vCpus: 96 },
    'p5.48xlarge': { networkCards: 32, vCpus: 192 },
    'trn1.32xlarge': { networkCards: 8, vCpus: 128 },
  });

  /** True when `instanceType` (e.g. `c5n.18xlarge`) is listed as EFA-capable. */
  public static supports(instanceType: string): boolean {
    return EfaInstanceTypes.of(instanceType) !== undefined;
  }

  /** The entry of `instanceType`, or undefined when it is not listed. */
  public static of(instanceType: string): EfaInstanceTypeInfo | undefined {
    return Object.prototype.hasOwnProperty.call(EfaInstanceTypes.ALL, instanceType) ? EfaInstanceTypes.ALL[instanceType] : undefined;
  }

  private constructor() {}
}
