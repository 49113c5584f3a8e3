import * as efs from 'aws-cdk-lib/aws-efs';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import { stringify } from 'yaml';
import { ConfigErrors } from '../private/config-errors';
import { HpcCapacityType, HpcClusterProps } from './hpc-cluster-props';
import { defaultLustreThroughput } from './validate-lustre';
import { PARALLEL_CLUSTER_LIMITS, validateDataRepositoriesForParallelCluster, validateParallelClusterConfig } from './validate-parallel-cluster-config';

/** AWS ParallelCluster 3 limits the configuration emitter enforces (ParallelCluster User Guide, "Cluster configuration file"). */
export interface ParallelClusterLimits {
  /** Slurm queues per cluster. */
  readonly maxQueues: number;
  /** Compute resources per Slurm queue. */
  readonly maxComputeResourcesPerQueue: number;
  /** Cluster name: starts with a letter, letters, digits and hyphens. */
  readonly maxClusterNameLength: number;
  /** Queue name: lower-case letters, digits and hyphens, starting with a letter; not `default`. */
  readonly maxQueueNameLength: number;
  /** Compute resource name: lower-case letters, digits and hyphens, starting with a letter; not `default`. */
  readonly maxComputeResourceNameLength: number;
  /** Least EFS provisioned throughput in MiB/s (`EfsSettings.ProvisionedThroughput`). */
  readonly minEfsProvisionedThroughput: number;
  /** Most EFS provisioned throughput in MiB/s (`EfsSettings.ProvisionedThroughput`). */
  readonly maxEfsProvisionedThroughput: number;
}

/** One compute resource (one instance type) of a Slurm queue. */
export interface ParallelClusterComputeResource {
  /** Name (lower-case letters, digits and hyphens, starting with a letter, at most 25 characters, not `default`), unique in its queue. */
  readonly name: string;
  /** Instance type, e.g. `c5n.18xlarge`. */
  readonly instanceType: string;
  /**
   * Nodes kept running.
   *
   * @default 0
   */
  readonly minCount?: number;
  /**
   * Most nodes.
   *
   * @default 10
   */
  readonly maxCount?: number;
  /**
   * Enable EFA on the nodes.
   *
   * @default false
   */
  readonly efa?: boolean;
}

/** One Slurm queue. */
export interface ParallelClusterQueue {
  /** Name (lower-case letters, digits and hyphens, starting with a letter, at most 25 characters). */
  readonly name: string;
  /**
   * On-Demand or Spot (Spot is allocated capacity-optimised).
   *
   * @default HpcCapacityType.ON_DEMAND
   */
  readonly capacityType?: HpcCapacityType;
  /** Subnet of the queue's nodes (one subnet: placement group and EFA stay in one AZ). */
  readonly subnetId: string;
  /**
   * Launch the queue's nodes in a cluster placement group.
   *
   * @default true
   */
  readonly placementGroup?: boolean;
  /** Compute resources, at most 50. */
  readonly computeResources: ParallelClusterComputeResource[];
}

/** The FSx for Lustre file system ParallelCluster creates and mounts. */
export interface ParallelClusterLustre {
  /**
   * Mount directory.
   *
   * @default '/fsx'
   */
  readonly mountDir?: string;
  /** Storage capacity in GiB (the same rules as `HpcCluster`'s `lustre.storageCapacityGiB`). */
  readonly storageCapacity: number;
  /** Deployment type. */
  readonly deploymentType: fsx.LustreDeploymentType;
  /**
   * Throughput per TiB (persistent types: PERSISTENT_1 50, 100, 200; PERSISTENT_2 125, 250, 500, 1000).
   *
   * @default - 50 for PERSISTENT_1, 125 for PERSISTENT_2, none for scratch (as `HpcCluster`)
   */
  readonly perUnitStorageThroughput?: number;
  /**
   * S3 path imported into the file system (`s3://bucket/prefix`). Not with PERSISTENT_2, which
   * links S3 with data repository associations instead.
   *
   * @default - no import
   */
  readonly importPath?: string;
  /**
   * S3 path exported to. Not with PERSISTENT_2.
   *
   * @default - no export
   */
  readonly exportPath?: string;
}

/** The Amazon EFS file system ParallelCluster creates (or mounts) on every node. */
export interface ParallelClusterEfs {
  /**
   * Mount directory.
   *
   * @default '/efs'
   */
  readonly mountDir?: string;
  /**
   * An existing file system to mount (e.g. an `HpcCluster`'s), instead of a new one; the other settings then do not apply.
   *
   * @default - ParallelCluster creates an encrypted file system
   */
  readonly fileSystemId?: string;
  /**
   * Throughput mode of a new file system: ParallelCluster 3 takes BURSTING or PROVISIONED.
   *
   * @default efs.ThroughputMode.BURSTING
   */
  readonly throughputMode?: efs.ThroughputMode;
  /**
   * MiB/s with PROVISIONED (1 to 1,024).
   *
   * @default - none (required with PROVISIONED)
   */
  readonly provisionedThroughputMibps?: number;
}

/** A ParallelCluster 3 cluster configuration. */
export interface ParallelClusterConfigProps {
  /** Cluster name (starts with a letter; letters, digits, hyphens; at most 60 characters). */
  readonly clusterName: string;
  /** AWS Region, e.g. `us-east-1`. */
  readonly region: string;
  /**
   * Operating system of head and compute nodes.
   *
   * @default 'alinux2023'
   */
  readonly os?: string;
  /**
   * Head node instance type.
   *
   * @default 'c5.large'
   */
  readonly headNodeInstanceType?: string;
  /** Subnet of the head node. */
  readonly headNodeSubnetId: string;
  /**
   * EC2 key pair for SSH to the head node.
   *
   * @default - none (Session Manager through AmazonSSMManagedInstanceCore)
   */
  readonly keyName?: string;
  /** Slurm queues, at most 50. */
  readonly queues: ParallelClusterQueue[];
  /**
   * Shared FSx for Lustre file system.
   *
   * @default - none
   */
  readonly lustre?: ParallelClusterLustre;
  /**
   * Shared EFS file system.
   *
   * @default - none
   */
  readonly efs?: ParallelClusterEfs;
}

/**
 * ParallelCluster 3 configuration files (`pcluster create-cluster --cluster-configuration`),
 * checked against ParallelCluster's limits and the FSx rules `HpcCluster` applies. Values must be
 * concrete: the file is read by the `pcluster` CLI, not CloudFormation.
 */
export class ParallelClusterConfig {
  /** The ParallelCluster limits the emitter enforces. */
  public static readonly LIMITS: ParallelClusterLimits = PARALLEL_CLUSTER_LIMITS;

  /** Renders the configuration of `props` as YAML. */
  public static render(props: ParallelClusterConfigProps): string {
    return render(props);
  }

  /**
   * The configuration of the same nodes and file system as an `HpcCluster` with `props`: one Slurm
   * queue `compute` with the instance type, EFA, placement group, capacity type and node counts,
   * and the FSx for Lustre (and EFS) settings.
   */
  public static fromHpcCluster(props: HpcClusterProps, options: HpcParallelClusterOptions): string {
    return fromHpcCluster(props, options);
  }

  private constructor() {}
}

function render(props: ParallelClusterConfigProps): string {
  const errors = new ConfigErrors('ParallelClusterConfig', props.clusterName);
  validateParallelClusterConfig(props, errors);
  errors.throwIfAny();
  const ssm = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';
  const config = {
    Region: props.region,
    Image: { Os: props.os ?? 'alinux2023' },
    HeadNode: {
      InstanceType: props.headNodeInstanceType ?? 'c5.large',
      Networking: { SubnetId: props.headNodeSubnetId },
      ...(props.keyName ? { Ssh: { KeyName: props.keyName } } : {}),
      Iam: { AdditionalIamPolicies: [{ Policy: ssm }] },
    },
    Scheduling: {
      Scheduler: 'slurm',
      SlurmQueues: props.queues.map((q) => {
        const spot = q.capacityType === HpcCapacityType.SPOT;
        return {
          Name: q.name,
          CapacityType: spot ? 'SPOT' : 'ONDEMAND',
          ...(spot ? { AllocationStrategy: 'capacity-optimized' } : {}),
          // PlacementGroup belongs under Networking; at the queue's top level ParallelCluster rejects it.
          Networking: { SubnetIds: [q.subnetId], PlacementGroup: { Enabled: q.placementGroup ?? true } },
          ComputeResources: q.computeResources.map((cr) => ({
            Name: cr.name,
            InstanceType: cr.instanceType,
            MinCount: cr.minCount ?? 0,
            MaxCount: cr.maxCount ?? 10,
            Efa: { Enabled: cr.efa ?? false },
          })),
          Iam: { AdditionalIamPolicies: [{ Policy: ssm }] },
        };
      }),
    },
  };
  const sharedStorage = [...(props.lustre ? [renderLustre(props.lustre)] : []), ...(props.efs ? [renderEfs(props.efs)] : [])];
  return stringify(sharedStorage.length ? { ...config, SharedStorage: sharedStorage } : config);
}

function renderLustre(lustre: ParallelClusterLustre): Record<string, unknown> {
  const throughput = lustre.perUnitStorageThroughput ?? defaultLustreThroughput(lustre.deploymentType);
  return {
    MountDir: lustre.mountDir ?? '/fsx',
    Name: 'fsx',
    StorageType: 'FsxLustre',
    FsxLustreSettings: {
      StorageCapacity: lustre.storageCapacity,
      DeploymentType: lustre.deploymentType,
      ...(throughput !== undefined ? { PerUnitStorageThroughput: throughput } : {}),
      ...(lustre.importPath ? { ImportPath: lustre.importPath, AutoImportPolicy: 'NEW_CHANGED_DELETED' } : {}),
      ...(lustre.exportPath ? { ExportPath: lustre.exportPath } : {}),
    },
  };
}

function renderEfs(e: ParallelClusterEfs): Record<string, unknown> {
  const provisioned = e.throughputMode === efs.ThroughputMode.PROVISIONED;
  return {
    MountDir: e.mountDir ?? '/efs',
    Name: 'efs',
    StorageType: 'Efs',
    EfsSettings: e.fileSystemId ? { FileSystemId: e.fileSystemId } : {
      Encrypted: true,
      ThroughputMode: provisioned ? 'provisioned' : 'bursting',
      ...(provisioned ? { ProvisionedThroughput: e.provisionedThroughputMibps } : {}),
    },
  };
}

/** Options of {@link ParallelClusterConfig.fromHpcCluster}: what `HpcClusterProps` does not say. */
export interface HpcParallelClusterOptions {
  /** Cluster name. */
  readonly clusterName: string;
  /** AWS Region. */
  readonly region: string;
  /** Subnet of the head node and the compute queue (concrete `subnet-…` ID). */
  readonly subnetId: string;
  /**
   * Head node instance type.
   *
   * @default 'c5.large'
   */
  readonly headNodeInstanceType?: string;
  /**
   * S3 path the file system imports and exports (`s3://bucket/prefix`); not with PERSISTENT_2.
   * Required when `lustre.dataRepositories` is set: ParallelCluster links S3 through this one path,
   * not through data repository associations.
   *
   * @default - none
   */
  readonly s3Path?: string;
  /**
   * ID of the `HpcCluster`'s EFS file system (concrete `fs-…`), for ParallelCluster to mount it
   * instead of creating one. Required with ELASTIC throughput, which ParallelCluster 3 does not create.
   *
   * @default - ParallelCluster creates a file system with the `efs` settings
   */
  readonly efsFileSystemId?: string;
}

function fromHpcCluster(props: HpcClusterProps, options: HpcParallelClusterOptions): string {
  const instanceType = props.instanceType?.toString() ?? 'c5n.18xlarge';
  const lustre = props.lustre ?? {};
  const deploymentType = lustre.deploymentType ?? fsx.LustreDeploymentType.SCRATCH_2;
  const repositories = lustre.dataRepositories ?? [];
  const errors = new ConfigErrors('ParallelClusterConfig', options.clusterName);
  validateDataRepositoriesForParallelCluster(errors, repositories.length, deploymentType, options.s3Path);
  errors.throwIfAny();
  const e = props.efs;
  return render({
    clusterName: options.clusterName,
    region: options.region,
    headNodeInstanceType: options.headNodeInstanceType,
    headNodeSubnetId: options.subnetId,
    queues: [{
      name: 'compute',
      capacityType: props.capacityType,
      subnetId: options.subnetId,
      placementGroup: props.clusterPlacementGroup ?? true,
      computeResources: [{
        name: instanceType.replace(/[^A-Za-z0-9]/g, ''),
        instanceType,
        minCount: props.minCapacity ?? 0,
        maxCount: props.maxCapacity ?? 4,
        efa: props.efa ?? true,
      }],
    }],
    lustre: {
      mountDir: lustre.mountPoint ?? '/fsx',
      storageCapacity: lustre.storageCapacityGiB ?? 1200,
      deploymentType,
      perUnitStorageThroughput: lustre.perUnitStorageThroughput,
      importPath: options.s3Path,
      exportPath: options.s3Path,
    },
    efs: e ? {
      mountDir: e.mountPoint ?? '/efs',
      fileSystemId: options.efsFileSystemId,
      throughputMode: e.throughputMode ?? efs.ThroughputMode.ELASTIC,
      provisionedThroughputMibps: e.provisionedThroughputPerSecond?.toMebibytes(),
    } : undefined,
  });
}
