import { RemovalPolicy, Size } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as s3 from 'aws-cdk-lib/aws-s3';

/** How the compute nodes are bought. */
export enum HpcCapacityType {
  /** On-Demand instances. */
  ON_DEMAND = 'ON_DEMAND',
  /** Spot instances, allocated capacity-optimised (the pools least likely to be interrupted). */
  SPOT = 'SPOT',
}

/** One S3 location linked to the file system by a data repository association. */
export interface HpcDataRepository {
  /** The bucket. */
  readonly bucket: s3.IBucket;

  /**
   * Prefix in the bucket (without a leading `/`).
   *
   * @default - the whole bucket
   */
  readonly bucketPrefix?: string;

  /**
   * Directory of the file system the bucket appears under, with the leading `/`, e.g. `/input`.
   * Associations of one file system must not overlap (`/ns1` and `/ns1/ns2` do; `/` admits only
   * one association), and each links its own bucket or prefix.
   */
  readonly fileSystemPath: string;
}

/** The FSx for Lustre file system of an {@link HpcCluster}. */
export interface HpcLustreOptions {
  /**
   * Deployment type. Scratch file systems are cheapest and fastest per dollar but not replicated;
   * persistent ones replicate within the AZ and replace failed servers.
   *
   * @default fsx.LustreDeploymentType.SCRATCH_2
   */
  readonly deploymentType?: fsx.LustreDeploymentType;

  /**
   * Storage capacity in GiB. SCRATCH_1: 1,200, 2,400, then steps of 3,600; SCRATCH_2, PERSISTENT_1
   * (SSD) and PERSISTENT_2: 1,200, 2,400, then steps of 2,400. Throughput grows with capacity.
   *
   * @default 1200
   */
  readonly storageCapacityGiB?: number;

  /**
   * Throughput in MB/s per TiB of storage (persistent types only). PERSISTENT_1: 50, 100, 200;
   * PERSISTENT_2: 125, 250, 500, 1000.
   *
   * @default - 50 for PERSISTENT_1, 125 for PERSISTENT_2; scratch types have a fixed 200
   */
  readonly perUnitStorageThroughput?: number;

  /**
   * Lustre version. Data repository associations need 2.12 or later.
   *
   * @default fsx.FileSystemTypeVersion.V_2_15
   */
  readonly fileSystemTypeVersion?: fsx.FileSystemTypeVersion;

  /**
   * S3 locations linked by data repository associations (at most 8): object metadata is imported on
   * creation, and new, changed and deleted objects are imported and exported automatically.
   *
   * @default - no association
   */
  readonly dataRepositories?: HpcDataRepository[];

  /**
   * Where every node mounts the file system.
   *
   * @default '/fsx'
   */
  readonly mountPoint?: string;

  /**
   * What happens to the file system when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The `lustreFreeCapacityAlarm` fires when the free fraction of the storage capacity stays below
   * this value (greater than 0, less than 1) for 5 minutes. Writes fail with ENOSPC once a storage
   * target is full, and scratch file systems cannot grow: this leaves time to clean up or export.
   *
   * @default 0.1
   */
  readonly freeCapacityAlarmThreshold?: number;
}

/** The FSx for Lustre settings of an {@link HpcCluster} with every default applied. */
export interface HpcLustreSettings {
  /** Deployment type. */
  readonly deploymentType: fsx.LustreDeploymentType;
  /** Storage capacity in GiB. */
  readonly storageCapacityGiB: number;
  /**
   * Throughput in MB/s per TiB.
   *
   * @default - none: scratch types have a fixed 200
   */
  readonly perUnitStorageThroughput?: number;
  /** Lustre version. */
  readonly fileSystemTypeVersion: fsx.FileSystemTypeVersion;
  /** S3 locations linked by data repository associations. */
  readonly dataRepositories: HpcDataRepository[];
  /** Where every node mounts the file system. */
  readonly mountPoint: string;
  /** What happens to the file system when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
  /** Free fraction of the capacity below which `lustreFreeCapacityAlarm` fires. */
  readonly freeCapacityAlarmThreshold: number;
}

/** The Amazon EFS file system of an {@link HpcCluster}, mounted on every node and in Batch containers. */
export interface HpcEfsOptions {
  /**
   * Throughput mode. ELASTIC scales with the workload and bills per GB transferred; BURSTING scales
   * with the data stored (50 KiB/s per GiB, with burst credits); PROVISIONED fixes the MiB/s.
   *
   * @default efs.ThroughputMode.ELASTIC
   */
  readonly throughputMode?: efs.ThroughputMode;

  /**
   * Throughput with `efs.ThroughputMode.PROVISIONED` (at least 1 MiB/s), billed whether used or not.
   *
   * @default - none (required with PROVISIONED, rejected otherwise)
   */
  readonly provisionedThroughputPerSecond?: Size;

  /**
   * Where every node (and every Batch container) mounts the file system.
   *
   * @default '/efs'
   */
  readonly mountPoint?: string;

  /**
   * What happens to the file system when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** An EBS io2 Block Express volume on every node. */
export interface HpcNodeVolumeOptions {
  /** Size in GiB (4 to 65,536). */
  readonly sizeGiB: number;

  /** Provisioned IOPS (100 to 256,000, at most 1,000 per GiB). */
  readonly iops: number;

  /**
   * Device name.
   *
   * @default '/dev/sdf'
   */
  readonly deviceName?: string;

  /**
   * Where user data mounts the volume (XFS).
   *
   * @default '/data'
   */
  readonly mountPoint?: string;
}

/** EFA support of an instance type that is not (yet) in `EfaInstanceTypes.ALL`. */
export interface EfaSupportOverride {
  /** Number of network cards of the instance type (`NetworkInfo.MaximumNetworkCards`), the most EFA interfaces it takes. */
  readonly networkCards: number;
}

/**
 * The node definition other fleets (Batch, ParallelCluster) reuse: implemented by {@link HpcCluster}.
 */
export interface IHpcNodeGroup extends ec2.IConnectable {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** The one subnet of the nodes. */
  readonly subnet: ec2.ISubnet;
  /** The launch template (EFA interfaces, storage, user data in MIME multi-part form). */
  readonly launchTemplate: ec2.ILaunchTemplate;
  /** The cluster placement group, if any. */
  readonly placementGroup?: ec2.IPlacementGroup;
  /** The instance type. */
  readonly instanceType: ec2.InstanceType;
  /** EFA interfaces per node (0 without EFA). */
  readonly efaInterfaces: number;
  /** On-Demand or Spot. */
  readonly capacityType: HpcCapacityType;
  /**
   * Where the nodes mount the FSx for Lustre file system; Batch containers see it at the same path.
   *
   * @default - no Lustre file system in containers
   */
  readonly lustreMountPoint?: string;
  /**
   * The EFS file system the nodes mount (with TLS and IAM authorization).
   *
   * @default - none
   */
  readonly efsFileSystem?: efs.IFileSystem;
  /**
   * Where the nodes mount `efsFileSystem`; Batch containers see it at the same path.
   *
   * @default - none
   */
  readonly efsMountPoint?: string;
}

/** Properties of an {@link HpcCluster}. */
export interface HpcClusterProps {
  /** The VPC. */
  readonly vpc: ec2.IVpc;

  /**
   * The subnet of the nodes and the file system. EFA traffic and cluster placement groups stay
   * within one Availability Zone, so this must select exactly one subnet when either is on.
   *
   * @default - the first subnet of the VPC's default selection (private with egress if any)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Instance type of the compute nodes.
   *
   * @default ec2.InstanceType.of(ec2.InstanceClass.C5N, ec2.InstanceSize.XLARGE18)
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * The AMI.
   *
   * @default - latest Amazon Linux 2023 for the instance type's architecture, resolved at launch
   */
  readonly machineImage?: ec2.IMachineImage;

  /**
   * Give every node Elastic Fabric Adapter interfaces (OS-bypass networking for MPI and NCCL).
   *
   * @default true
   */
  readonly efa?: boolean;

  /**
   * Number of EFA interfaces per node, one per network card (at most the type's network cards).
   *
   * @default 1
   */
  readonly efaInterfaces?: number;

  /**
   * Treat `instanceType` as EFA-capable with this many network cards, for types newer than
   * `EfaInstanceTypes.ALL`.
   *
   * @default - support is looked up in `EfaInstanceTypes.ALL`
   */
  readonly efaSupportOverride?: EfaSupportOverride;

  /**
   * Launch the nodes in a new placement group with the `cluster` strategy (same rack/spine, lowest latency).
   *
   * @default true
   */
  readonly clusterPlacementGroup?: boolean;

  /**
   * Minimum number of nodes.
   *
   * @default 0
   */
  readonly minCapacity?: number;

  /**
   * Maximum number of nodes.
   *
   * @default 4
   */
  readonly maxCapacity?: number;

  /**
   * Number of nodes to run now. Once set, every deploy resets the group to it (aws-cdk-lib warns).
   *
   * @default - minCapacity at creation; later left to scaling
   */
  readonly desiredCapacity?: number;

  /**
   * On-Demand or Spot.
   *
   * @default HpcCapacityType.ON_DEMAND
   */
  readonly capacityType?: HpcCapacityType;

  /**
   * What EC2 does with a Spot node it reclaims. EC2 rejects stop and hibernate in a placement
   * group; Auto Scaling always terminates. Used to validate configurations shared with other
   * fleets (Batch, ParallelCluster).
   *
   * @default ec2.SpotInstanceInterruption.TERMINATE
   */
  readonly spotInterruptionBehavior?: ec2.SpotInstanceInterruption;

  /**
   * The FSx for Lustre file system mounted on every node.
   *
   * @default - SCRATCH_2, 1,200 GiB, Lustre 2.15, no data repository, mounted at /fsx, retained
   */
  readonly lustre?: HpcLustreOptions;

  /**
   * An Amazon EFS file system mounted on every node (and in Batch containers), encrypted, with TLS
   * and IAM authorization (its policy denies anonymous and unencrypted clients), NFS open only to
   * the nodes.
   *
   * @default - no EFS file system
   */
  readonly efs?: HpcEfsOptions;

  /**
   * An EBS io2 Block Express volume on every node.
   *
   * @default - none
   */
  readonly nodeVolume?: HpcNodeVolumeOptions;

  /**
   * Where user data mounts the instance-store NVMe disks (RAID 0 when there are several), when the
   * instance type has any.
   *
   * @default '/scratch'
   */
  readonly scratchMountPoint?: string;

  /**
   * Give the primary interface a public IPv4 address (nodes in public subnets without NAT). EC2
   * rejects it on launches with more than one network interface, so not with 2 or more EFAs.
   *
   * @default false
   */
  readonly associatePublicIpAddress?: boolean;

  /**
   * Actions every alarm of the cluster runs when it fires (e.g. an SNS action).
   *
   * @default - no actions; add them with addAlarmActions()
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}
