import { Duration, Lazy, RemovalPolicy, Size, SizeRoundingBehavior, Tags, Token, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AlarmSet } from '../private/alarm-set';
import { ConfigErrors, isConcrete } from '../private/config-errors';
import { amazonLinux2023AtLaunch, checkMountPoint, encryptedGp3Root, hardenedLaunchTemplate, ssmInstanceRole } from '../private/ec2-building-blocks';
import { countAzs, describeSelection, selectSubnetsOrReport } from '../private/subnet-azs';
import { EfaInstanceTypes } from './efa-instance-types';
import { MAX_DATA_REPOSITORY_ASSOCIATIONS, defaultLustreThroughput, validateDataRepositoryLinks, validateLustreSettings } from './validate-lustre';
import { SECURITY_GROUP_DESCRIPTION, pathLabel } from '../private/labels';

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

/** EFS throughput utilization (percent of the permitted throughput) that means clients are being throttled. */
const EFS_THROUGHPUT_UTILIZATION_ALARM_PERCENT = 90;
/** One hour of bursting at 100 MiB/s, the burst rate of EFS file systems under 1 TiB, in bytes. */
const EFS_BURST_CREDIT_ALARM_BYTES = 100 * 1024 * 1024 * 3600;

/** Lustre ports: 988 (LNet), 1018–1023 (Lustre RPC). */
const LUSTRE_PORTS = [ec2.Port.tcp(988), ec2.Port.tcpRange(1018, 1023)];

/**
 * Compute nodes for tightly coupled HPC: one launch template (EFA interfaces, optional io2 volume
 * and instance-store scratch) launched by an Auto Scaling group in one cluster placement group in
 * one subnet, and an FSx for Lustre file system (optionally linked to S3) mounted on every node.
 *
 * @example
 * const cluster = new HpcCluster(this, 'Cluster', { vpc, maxCapacity: 16, lustre: { dataRepositories: [{ bucket, fileSystemPath: '/data' }] } });
 */
export class HpcCluster extends Construct implements IHpcNodeGroup {
  /** The VPC. */
  public readonly vpc: ec2.IVpc;
  /** The Auto Scaling group, the default fleet. */
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** The launch template of the nodes (also usable by Batch or other fleets). */
  public readonly launchTemplate: ec2.ILaunchTemplate;
  /** The cluster placement group; undefined when `clusterPlacementGroup` is false. */
  public readonly placementGroup?: ec2.IPlacementGroup;
  /** The nodes' security group: all traffic to and from itself (EFA needs it), HTTPS out, Lustre to the file system. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Network access to the nodes. */
  public readonly connections: ec2.Connections;
  /** The node role (SSM managed instance core). */
  public readonly role: iam.Role;
  /** The nodes' user data; commands added here run after the mounts. */
  public readonly userData: ec2.UserData;
  /** The resolved instance type. */
  public readonly instanceType: ec2.InstanceType;
  /** The resolved AMI. */
  public readonly machineImage: ec2.IMachineImage;
  /** The one subnet of the nodes and the file system. */
  public readonly subnet: ec2.ISubnet;
  /** Number of EFA interfaces per node (0 without EFA). */
  public readonly efaInterfaces: number;
  /** The resolved capacity type. */
  public readonly capacityType: HpcCapacityType;
  /** The FSx for Lustre file system. */
  public readonly fileSystem: fsx.CfnFileSystem;
  /** ARN of the FSx for Lustre file system (for DataSync locations and IAM policies). */
  public readonly fileSystemArn: string;
  /**
   * Where the nodes mount the FSx for Lustre file system (always set by HpcCluster; optional only
   * because `IHpcNodeGroup` has node groups without Lustre, and jsii forbids narrowing it).
   */
  public readonly lustreMountPoint?: string;
  /** The EFS file system; undefined without the `efs` prop. */
  public readonly efsFileSystem?: efs.IFileSystem;
  /** Where the nodes mount the EFS file system; undefined without the `efs` prop. */
  public readonly efsMountPoint?: string;
  /** Security group of the file system (Lustre ports from itself and the nodes). */
  public readonly fileSystemSecurityGroup: ec2.SecurityGroup;
  /** The resolved Lustre settings. */
  public readonly lustre: HpcLustreSettings;
  /** The data repository associations, in the order of `lustre.dataRepositories`. */
  public readonly dataRepositoryAssociations: fsx.CfnDataRepositoryAssociation[] = [];
  /** Fires when the Lustre file system's free capacity stays below `lustre.freeCapacityAlarmThreshold` of its size. */
  public readonly lustreFreeCapacityAlarm: cloudwatch.Alarm;
  /** Fires when the EFS file system throttles its clients (metered throughput at 90 % or more of the permitted); undefined without EFS. */
  public readonly efsThroughputAlarm?: cloudwatch.Alarm;
  /** Fires when a BURSTING EFS file system has less than an hour of burst credits left; undefined otherwise. */
  public readonly efsBurstCreditAlarm?: cloudwatch.Alarm;
  private readonly alarmSet: AlarmSet;

  constructor(scope: Construct, id: string, props: HpcClusterProps) {
    super(scope, id);
    const errors = new ConfigErrors('HpcCluster', this.node.path);
    this.instanceType = props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.C5N, ec2.InstanceSize.XLARGE18);
    const efa = props.efa ?? true;
    this.efaInterfaces = efa ? props.efaInterfaces ?? 1 : 0;
    this.capacityType = props.capacityType ?? HpcCapacityType.ON_DEMAND;
    const lustre = props.lustre ?? {};
    const deploymentType = lustre.deploymentType ?? fsx.LustreDeploymentType.SCRATCH_2;
    this.lustre = {
      deploymentType,
      storageCapacityGiB: lustre.storageCapacityGiB ?? 1200,
      perUnitStorageThroughput: lustre.perUnitStorageThroughput ?? defaultLustreThroughput(deploymentType),
      fileSystemTypeVersion: lustre.fileSystemTypeVersion ?? fsx.FileSystemTypeVersion.V_2_15,
      dataRepositories: lustre.dataRepositories ?? [],
      mountPoint: lustre.mountPoint ?? '/fsx',
      removalPolicy: lustre.removalPolicy ?? RemovalPolicy.RETAIN,
      freeCapacityAlarmThreshold: lustre.freeCapacityAlarmThreshold ?? 0.1,
    };

    const selection = props.vpcSubnets;
    const subnets = selection ? selectSubnetsOrReport(props.vpc, selection, errors, 'vpcSubnets') : undefined;
    this.validate(props, selection, subnets, errors);
    errors.throwIfAny();
    this.vpc = props.vpc;
    this.subnet = (subnets ?? props.vpc.selectSubnets()).subnets[0];

    this.machineImage = props.machineImage ?? amazonLinux2023AtLaunch(this.instanceType.architecture);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: pathLabel(this, ': nodes (EFA needs all traffic to and from itself)', SECURITY_GROUP_DESCRIPTION, 'HpcCluster '),
      allowAllOutbound: false,
    });
    // EFA's OS-bypass traffic is not TCP/UDP: EC2 requires an all-traffic rule to and from the group itself, both ways.
    this.securityGroup.addIngressRule(this.securityGroup, ec2.Port.allTraffic(), 'All traffic from other nodes (EFA, MPI)');
    this.securityGroup.addEgressRule(this.securityGroup, ec2.Port.allTraffic(), 'All traffic to other nodes (EFA, MPI)');
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs (SSM, S3) and package repositories');
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup] });

    this.role = ssmInstanceRole(this, 'Role', {
      description: `Node role of HpcCluster ${this.node.path}`,
      access: 'Session Manager access to the nodes instead of inbound SSH',
    });

    ({ fileSystem: this.fileSystem, securityGroup: this.fileSystemSecurityGroup } = this.createFileSystem(props.vpc));
    this.fileSystemArn = this.fileSystem.attrResourceArn;
    this.lustreMountPoint = this.lustre.mountPoint;

    this.userData = ec2.UserData.forLinux();
    this.userData.addCommands(...lustreMountCommands(this.fileSystem.attrDnsName, this.fileSystem.attrLustreMountName, this.lustre.mountPoint));
    if (props.efs) {
      this.efsMountPoint = props.efs.mountPoint ?? '/efs';
      this.efsFileSystem = this.createEfs(props.vpc, props.efs);
      this.efsFileSystem.grantRootAccess(this.role);
      this.userData.addCommands(...efsMountCommands(this.efsFileSystem.fileSystemId, this.efsMountPoint));
    }
    this.userData.addCommands(...instanceStoreRaidCommands(props.scratchMountPoint ?? '/scratch'));
    const blockDevices: ec2.BlockDevice[] = [encryptedGp3Root(30)];
    if (props.nodeVolume) {
      const deviceName = props.nodeVolume.deviceName ?? '/dev/sdf';
      blockDevices.push({
        deviceName,
        // io2 on Nitro is Block Express; aws-cdk-lib's BlockDeviceVolume does not apply ec2.Volume's 500 IOPS/GiB cap.
        volume: ec2.BlockDeviceVolume.ebs(props.nodeVolume.sizeGiB, {
          encrypted: true, volumeType: ec2.EbsDeviceVolumeType.IO2, iops: props.nodeVolume.iops, deleteOnTermination: true,
        }),
      });
      this.userData.addCommands(...nodeVolumeCommands(deviceName, props.nodeVolume.mountPoint ?? '/data'));
    }

    this.launchTemplate = hardenedLaunchTemplate(this, 'LaunchTemplate', {
      machineImage: this.machineImage,
      instanceType: this.instanceType,
      // MIME multi-part: AWS Batch rejects a launch template whose user data is a bare script.
      userData: multipart(this.userData),
      role: this.role,
      securityGroup: this.securityGroup,
      associatePublicIpAddress: efa ? undefined : props.associatePublicIpAddress,
      blockDevices,
    });
    if (efa) {
      this.renderEfaInterfaces(props.associatePublicIpAddress);
    }

    if (props.clusterPlacementGroup ?? true) {
      this.placementGroup = new ec2.PlacementGroup(this, 'PlacementGroup', { strategy: ec2.PlacementGroupStrategy.CLUSTER });
    }

    const minCapacity = props.minCapacity ?? 0;
    const spot = this.capacityType === HpcCapacityType.SPOT;
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'AutoScalingGroup', {
      vpc: props.vpc,
      vpcSubnets: { subnets: [this.subnet] },
      minCapacity,
      maxCapacity: props.maxCapacity ?? 4,
      // Unset by default: a desired capacity resets the group's size on every deploy.
      desiredCapacity: props.desiredCapacity,
      // Free at 1-minute granularity: GroupInServiceInstances for the dashboard and metricInServiceNodes().
      groupMetrics: [new autoscaling.GroupMetrics(autoscaling.GroupMetric.IN_SERVICE_INSTANCES, autoscaling.GroupMetric.DESIRED_CAPACITY)],
      ...(spot ? {
        mixedInstancesPolicy: {
          launchTemplate: this.launchTemplate,
          launchTemplateOverrides: [{ instanceType: this.instanceType }],
          instancesDistribution: {
            onDemandBaseCapacity: 0,
            onDemandPercentageAboveBaseCapacity: 0,
            spotAllocationStrategy: autoscaling.SpotAllocationStrategy.CAPACITY_OPTIMIZED,
          },
        },
      } : { launchTemplate: this.launchTemplate }),
    });
    if (this.placementGroup) {
      (this.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup).placementGroup = this.placementGroup.placementGroupName;
    }
    Tags.of(this.autoScalingGroup).add('Name', this.node.path, { applyToLaunchedInstances: true });
    Validations.of(this.autoScalingGroup).acknowledge({
      id: 'AwsSolutions-AS3',
      reason: 'Compute nodes scale with the jobs (or with Batch/ParallelCluster); scaling notifications would be noise. Capacity is visible in the group\'s CloudWatch metrics.',
    });

    this.alarmSet = new AlarmSet(props.alarmActions);
    const threshold = this.lustre.freeCapacityAlarmThreshold;
    this.lustreFreeCapacityAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'LustreFreeCapacityAlarm', {
      // FSx reports every minute; 5 breaching minutes in a row ignore a file being rewritten in place.
      metric: this.metricLustreFreeCapacityFraction(),
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 5,
      // A gap in FSx's reporting says nothing about how full the file system is: keep the state.
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      alarmDescription: `FSx for Lustre ${this.node.path}: less than ${Token.isUnresolved(threshold) ? 'the configured fraction' : `${Math.round(threshold * 100)} %`} of the storage capacity is free. `
        + 'Writes fail once a storage target fills. Delete or release files (lfs df -h shows each target; data in S3 can be released with lfs hsm_release), or move to a larger or persistent file system.',
    }));
    if (this.efsFileSystem) {
      this.efsThroughputAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'EfsThroughputAlarm', {
        // 3 periods of 5 minutes: a sustained limit, not a burst of reads at job start.
        metric: this.metricEfsThroughputUtilization(),
        threshold: EFS_THROUGHPUT_UTILIZATION_ALARM_PERCENT,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        // No I/O, no data: an idle file system is not throttled.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `EFS ${this.node.path}: clients use ${EFS_THROUGHPUT_UTILIZATION_ALARM_PERCENT} % or more of the permitted throughput for 15 minutes, so EFS throttles them. `
          + 'Check MeteredIOBytes and PermittedThroughput; move heavy I/O to Lustre, or use ELASTIC (or more PROVISIONED) throughput.',
      }));
      if ((props.efs?.throughputMode ?? efs.ThroughputMode.ELASTIC) === efs.ThroughputMode.BURSTING) {
        this.efsBurstCreditAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'EfsBurstCreditAlarm', {
          // Under an hour of bursting at 100 MiB/s left; then throughput drops to 50 KiB/s per GiB stored.
          metric: this.metricEfsBurstCreditBalance(),
          threshold: EFS_BURST_CREDIT_ALARM_BYTES,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: 1,
          // EFS reports the balance every minute; a gap is not an empty balance.
          treatMissingData: cloudwatch.TreatMissingData.IGNORE,
          alarmDescription: `EFS ${this.node.path}: less than one hour of burst credits left (BurstCreditBalance); when they run out, throughput falls to the baseline of 50 KiB/s per GiB stored. `
            + 'Reduce the I/O, or switch the file system to ELASTIC throughput.',
        }));
      }
    }
  }

  /** The alarms of the cluster. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.alarmSet.alarms;
  }

  /** Adds actions to every alarm of the cluster, present and future. */
  public addAlarmActions(...actions: cloudwatch.IAlarmAction[]): void {
    this.alarmSet.addActions(...actions);
  }

  /**
   * Free bytes of the Lustre file system (`FreeDataStorageCapacity`, `Sum` over one minute: FSx
   * reports one data point per storage target per minute, so longer periods would add minutes up).
   */
  public metricLustreFreeDataStorageCapacity(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/FSx', metricName: 'FreeDataStorageCapacity', dimensionsMap: { FileSystemId: this.fileSystem.ref },
      statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1), ...props,
    });
  }

  /** Free fraction (0 to 1) of the Lustre file system's storage capacity, per minute. */
  public metricLustreFreeCapacityFraction(): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: `free / (${Token.asString(this.lustre.storageCapacityGiB)} * 1073741824)`,
      usingMetrics: { free: this.metricLustreFreeDataStorageCapacity() },
      period: Duration.minutes(1),
      label: 'Lustre free capacity (fraction)',
    });
  }

  /** Bytes clients read from (`DataReadBytes`) the Lustre file system, summed over all storage targets. */
  public metricLustreDataReadBytes(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.lustreMetric('DataReadBytes', props);
  }

  /** Bytes clients wrote to (`DataWriteBytes`) the Lustre file system, summed over all storage targets. */
  public metricLustreDataWriteBytes(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.lustreMetric('DataWriteBytes', props);
  }

  /**
   * EFS throughput utilization in percent: metered I/O per second over the permitted throughput
   * (the expression of the EFS User Guide, "Using metric math with Amazon EFS"). Throws without EFS.
   */
  public metricEfsThroughputUtilization(): cloudwatch.MathExpression {
    const fileSystemId = this.requireEfs('metricEfsThroughputUtilization').fileSystemId;
    const period = Duration.minutes(5);
    return new cloudwatch.MathExpression({
      expression: '(metered / PERIOD(metered)) * 100 / permitted',
      usingMetrics: {
        metered: new cloudwatch.Metric({ namespace: 'AWS/EFS', metricName: 'MeteredIOBytes', dimensionsMap: { FileSystemId: fileSystemId }, statistic: cloudwatch.Stats.SUM, period }),
        permitted: new cloudwatch.Metric({ namespace: 'AWS/EFS', metricName: 'PermittedThroughput', dimensionsMap: { FileSystemId: fileSystemId }, statistic: cloudwatch.Stats.AVERAGE, period }),
      },
      period,
      label: 'EFS throughput utilization (%)',
    });
  }

  /** EFS burst credits (`BurstCreditBalance`, `Minimum` over 5 minutes), in bytes. Throws without EFS. */
  public metricEfsBurstCreditBalance(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/EFS', metricName: 'BurstCreditBalance', dimensionsMap: { FileSystemId: this.requireEfs('metricEfsBurstCreditBalance').fileSystemId },
      statistic: cloudwatch.Stats.MINIMUM, period: Duration.minutes(5), ...props,
    });
  }

  /** Nodes in service in the Auto Scaling group (`GroupInServiceInstances`, which the group publishes). */
  public metricInServiceNodes(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/AutoScaling', metricName: 'GroupInServiceInstances', dimensionsMap: { AutoScalingGroupName: this.autoScalingGroup.autoScalingGroupName },
      statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1), ...props,
    });
  }

  /** Average CPU utilization of the group's nodes (`AWS/EC2` `CPUUtilization` by `AutoScalingGroupName`). */
  public metricNodeCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensionsMap: { AutoScalingGroupName: this.autoScalingGroup.autoScalingGroupName },
      statistic: cloudwatch.Stats.AVERAGE, period: Duration.minutes(5), ...props,
    });
  }

  private lustreMetric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/FSx', metricName, dimensionsMap: { FileSystemId: this.fileSystem.ref },
      statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5), ...props,
    });
  }

  private requireEfs(method: string): efs.IFileSystem {
    if (!this.efsFileSystem) {
      throw new Error(`HpcCluster at '${this.node.path}': ${method}() needs the EFS file system, but the efs prop is not set. Fix: set efs: {} or do not call ${method}().`);
    }
    return this.efsFileSystem;
  }

  /** Allow SSH to the nodes from `peer` (Session Manager needs no inbound rule). */
  public allowSshFrom(peer: ec2.IPeer): void {
    this.connections.allowFrom(peer, ec2.Port.tcp(22), 'SSH');
  }

  /**
   * Let `client` (e.g. the security group of a DataSync location) reach the FSx for Lustre file
   * system as a Lustre client: TCP 988 and 1018-1023 to the file servers, and back from them.
   * When the client's group is in another stack, every rule is created in the client's stack, so
   * references point from the client to the cluster only.
   */
  public allowLustreClient(client: ec2.IConnectable): void {
    const servers = this.fileSystemSecurityGroup;
    for (const group of client.connections.securityGroups) {
      for (const port of LUSTRE_PORTS) {
        // remoteRule: in another stack, aws-cdk-lib places the rule with the peer (the client).
        servers.addIngressRule(group, port, `Lustre ${port.toString()} from a client`, true);
        if (!group.allowAllOutbound) {
          group.addEgressRule(servers, port, `Lustre ${port.toString()} from a client`);
        }
        group.addIngressRule(servers, port, `Lustre ${port.toString()} from the file servers`);
      }
    }
  }

  /**
   * Render the EFA interfaces into the launch template: aws-cdk-lib's LaunchTemplate has no
   * network-interface prop. The primary interface is card 0, device 0; each further EFA is on the
   * next network card at device index 1. EC2 rejects instance-level security groups alongside
   * interfaces, so they move into each interface.
   */
  private renderEfaInterfaces(associatePublicIpAddress: boolean | undefined): void {
    const cfn = this.launchTemplate.node.defaultChild as ec2.CfnLaunchTemplate;
    const groups = Lazy.list({ produce: () => this.connections.securityGroups.map((sg) => sg.securityGroupId) });
    const interfaces = Array.from({ length: this.efaInterfaces }, (_, card) => ({
      NetworkCardIndex: card,
      DeviceIndex: card === 0 ? 0 : 1,
      InterfaceType: 'efa',
      Groups: groups,
      DeleteOnTermination: true,
      ...(card === 0 && associatePublicIpAddress !== undefined ? { AssociatePublicIpAddress: associatePublicIpAddress } : {}),
    }));
    cfn.addPropertyOverride('LaunchTemplateData.NetworkInterfaces', interfaces);
    cfn.addPropertyDeletionOverride('LaunchTemplateData.SecurityGroupIds');
  }

  private createEfs(vpc: ec2.IVpc, options: HpcEfsOptions): efs.FileSystem {
    const securityGroup = new ec2.SecurityGroup(this, 'EfsSecurityGroup', {
      vpc,
      description: pathLabel(this, ': EFS mount target (NFS from the nodes only)', SECURITY_GROUP_DESCRIPTION, 'HpcCluster '),
      allowAllOutbound: false,
    });
    const fileSystem = new efs.FileSystem(this, 'Efs', {
      vpc,
      // One mount target, in the nodes' subnet: NFS stays in the Availability Zone.
      vpcSubnets: { subnets: [this.subnet] },
      securityGroup,
      encrypted: true,
      throughputMode: options.throughputMode ?? efs.ThroughputMode.ELASTIC,
      provisionedThroughputPerSecond: options.provisionedThroughputPerSecond,
      removalPolicy: options.removalPolicy ?? RemovalPolicy.RETAIN,
      // Refuses clients without TLS. Because clients are granted access, aws-cdk-lib adds a statement that
      // denies anonymous access (write and root access for IAM principals, mount for no one): mounting
      // then takes an IAM grant, as the nodes' roles have.
      fileSystemPolicy: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          sid: 'DenyUnencryptedTransport',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['*'],
          conditions: { Bool: { 'aws:SecureTransport': 'false' } },
        })],
      }),
    });
    fileSystem.connections.allowDefaultPortFrom(this.securityGroup, 'NFS from the nodes');
    return fileSystem;
  }

  private createFileSystem(vpc: ec2.IVpc): { fileSystem: fsx.CfnFileSystem; securityGroup: ec2.SecurityGroup } {
    const securityGroup = new ec2.SecurityGroup(this, 'FileSystemSecurityGroup', {
      vpc,
      description: pathLabel(this, ': FSx for Lustre (Lustre ports from itself and the nodes)', SECURITY_GROUP_DESCRIPTION, 'HpcCluster '),
      allowAllOutbound: true,
    });
    for (const port of LUSTRE_PORTS) {
      securityGroup.addIngressRule(securityGroup, port, `Lustre ${port.toString()} between file servers`);
      // Both directions: clients connect to the servers, and servers connect back to clients.
      securityGroup.connections.allowFrom(this.securityGroup, port, `Lustre ${port.toString()} from the nodes`);
      // The file system's group keeps all outbound traffic (as FSx documents), so only the nodes' side needs a rule.
      this.securityGroup.addIngressRule(securityGroup, port, `Lustre ${port.toString()} from the file servers`);
    }
    const l = this.lustre;
    const fileSystem = new fsx.CfnFileSystem(this, 'FileSystem', {
      fileSystemType: 'LUSTRE',
      // Explicit: FSx defaults to 2.10 for every type but PERSISTENT_2, and 2.10 cannot have data repository associations.
      fileSystemTypeVersion: l.fileSystemTypeVersion,
      storageCapacity: l.storageCapacityGiB,
      subnetIds: [this.subnet.subnetId],
      securityGroupIds: [securityGroup.securityGroupId],
      lustreConfiguration: {
        deploymentType: l.deploymentType,
        perUnitStorageThroughput: l.perUnitStorageThroughput,
      },
    });
    fileSystem.applyRemovalPolicy(l.removalPolicy);
    l.dataRepositories.forEach((repo, i) => {
      this.dataRepositoryAssociations.push(new fsx.CfnDataRepositoryAssociation(this, `DataRepositoryAssociation${i}`, {
        fileSystemId: fileSystem.ref,
        fileSystemPath: repo.fileSystemPath,
        dataRepositoryPath: dataRepositoryPath(repo),
        batchImportMetaDataOnCreate: true,
        s3: {
          autoImportPolicy: { events: ['NEW', 'CHANGED', 'DELETED'] },
          autoExportPolicy: { events: ['NEW', 'CHANGED', 'DELETED'] },
        },
      }));
    });
    return { fileSystem, securityGroup };
  }

  private validate(props: HpcClusterProps, selection: ec2.SubnetSelection | undefined,
    subnets: ec2.SelectedSubnets | undefined, errors: ConfigErrors): void {
    const typeName = this.instanceType.toString();
    const efa = props.efa ?? true;
    const placement = props.clusterPlacementGroup ?? true;
    const override = props.efaSupportOverride;
    if (efa) {
      const support = override ?? EfaInstanceTypes.of(typeName);
      if (!support) {
        const examples = Object.keys(EfaInstanceTypes.ALL).filter((t) => t.startsWith(typeName.split('.')[0] + '.'));
        errors.add('instanceType', typeName, 'does not support EFA (support is by size; see EfaInstanceTypes.ALL in lib/hpc/efa-instance-types.ts)',
          `use one of ${(examples.length ? examples : ['c5n.18xlarge', 'hpc7g.16xlarge', 'hpc7a.96xlarge']).join(', ')}, set efa: false, or set efaSupportOverride for a type newer than the list`);
      }
      const n = props.efaInterfaces;
      if (isConcrete(n) && (n < 1 || !Number.isInteger(n))) {
        errors.add('efaInterfaces', n, 'a node with EFA has a whole number of 1 or more EFA interfaces', 'use 1, or set efa: false');
      } else if (support && isConcrete(n) && n > support.networkCards) {
        errors.add('efaInterfaces', n, `${typeName} has ${support.networkCards} network card(s) and takes one EFA per card`, `use at most ${support.networkCards}`);
      } else if (n !== undefined && !isConcrete(n)) {
        errors.add('efaInterfaces', '(token)', 'the count of network interfaces rendered into the launch template must be known at synth time', 'pass a number');
      }
    } else if (props.efaInterfaces !== undefined || override) {
      errors.add(props.efaInterfaces !== undefined ? 'efaInterfaces' : 'efaSupportOverride', props.efaInterfaces ?? 'set', 'only applies with EFA, but efa is false', 'remove it, or set efa: true');
    }
    if (efa && props.associatePublicIpAddress && isConcrete(props.efaInterfaces) && props.efaInterfaces >= 2) {
      errors.add('associatePublicIpAddress', true, `EC2 assigns no public IPv4 address to a launch with more than one network interface, and rejects the request (efaInterfaces is ${props.efaInterfaces})`,
        'put the nodes in a private subnet with a NAT gateway or VPC endpoints and remove associatePublicIpAddress, or use efaInterfaces: 1');
    }
    if (props.efs) {
      validateEfs(props.efs, errors);
    }
    if (override && isConcrete(override.networkCards) && (override.networkCards < 1 || !Number.isInteger(override.networkCards))) {
      errors.add('efaSupportOverride.networkCards', override.networkCards, 'an instance has a whole number of 1 or more network cards', 'use the type\'s NetworkInfo.MaximumNetworkCards');
    }
    if (subnets && selection && (efa || placement)) {
      const azs = countAzs(subnets);
      const count = subnets.subnets.length;
      if (count > 1 || (azs !== undefined && azs > 1)) {
        const what = `${count} subnet(s) in ${azs ?? 'an unknown number of'} Availability Zone(s)`;
        if (efa) {
          errors.add('vpcSubnets', describeSelection(selection), `selects ${what}; EFA traffic does not cross subnets, so all nodes must be in exactly one subnet`,
            'select one subnet, e.g. { subnets: [vpc.privateSubnets[0]] }, or set efa: false');
        }
        if (placement) {
          errors.add('vpcSubnets', describeSelection(selection), `selects ${what}; a cluster placement group lives in one Availability Zone`,
            'select one subnet, e.g. { subnets: [vpc.privateSubnets[0]] }, or set clusterPlacementGroup: false');
        }
      }
    }
    if (placement && /^(t\d|mac\d?)/.test(typeName)) {
      errors.add('instanceType', typeName, 'burstable (T) and Mac instances cannot be launched in a cluster placement group',
        'use a compute-optimised type such as c5n.18xlarge, or set clusterPlacementGroup: false');
    }
    const interruption = props.spotInterruptionBehavior;
    if (interruption !== undefined && interruption !== ec2.SpotInstanceInterruption.TERMINATE) {
      if (props.capacityType !== HpcCapacityType.SPOT) {
        errors.add('spotInterruptionBehavior', interruption, 'only applies to Spot capacity', 'remove it, or set capacityType: HpcCapacityType.SPOT');
      } else if (placement) {
        errors.add('spotInterruptionBehavior', interruption, 'EC2 does not launch Spot instances that stop or hibernate on interruption in a placement group',
          'use ec2.SpotInstanceInterruption.TERMINATE, or set clusterPlacementGroup: false');
      }
    }
    const { minCapacity: min, maxCapacity: max, desiredCapacity: desired } = props;
    if (isConcrete(min) && min < 0) errors.add('minCapacity', min, 'must be 0 or more', 'use 0 to scale to zero between jobs');
    if (isConcrete(min) && isConcrete(max ?? 4) && min > (max ?? 4)) errors.add('minCapacity', min, `must not exceed maxCapacity (${max ?? 4})`, 'raise maxCapacity or lower minCapacity');
    if (isConcrete(desired) && ((isConcrete(min) && desired < min) || (isConcrete(max ?? 4) && desired > (max ?? 4)))) {
      errors.add('desiredCapacity', desired, `must be between minCapacity (${min ?? 0}) and maxCapacity (${max ?? 4})`, 'adjust desiredCapacity');
    }
    this.validateLustre(errors);
    checkMountPoint(errors, 'scratchMountPoint', props.scratchMountPoint, '/scratch');
    if (props.nodeVolume) {
      validateIo2(props.nodeVolume, errors);
    }
  }

  private validateLustre(errors: ConfigErrors): void {
    const { deploymentType: type, fileSystemTypeVersion: version, dataRepositories: repos } = this.lustre;
    validateLustreSettings(errors, { capacity: 'lustre.storageCapacityGiB', throughput: 'lustre.perUnitStorageThroughput' }, this.lustre);
    const alarmAt = this.lustre.freeCapacityAlarmThreshold;
    if (isConcrete(alarmAt) && !(alarmAt > 0 && alarmAt < 1)) {
      errors.add('lustre.freeCapacityAlarmThreshold', alarmAt, 'is the free fraction of the capacity below which the alarm fires, greater than 0 and less than 1',
        'use e.g. 0.1 for 10 % free');
    }
    if (repos.length > 0) {
      if (type === fsx.LustreDeploymentType.SCRATCH_1) {
        errors.add('lustre.dataRepositories', `${repos.length} association(s)`, 'SCRATCH_1 file systems cannot have data repository associations',
          'use SCRATCH_2 (or a persistent type)');
      }
      if (version === fsx.FileSystemTypeVersion.V_2_10) {
        errors.add('lustre.fileSystemTypeVersion', version, 'Lustre 2.10 file systems cannot have data repository associations', 'use fsx.FileSystemTypeVersion.V_2_15');
      }
      if (repos.length > MAX_DATA_REPOSITORY_ASSOCIATIONS) {
        errors.add('lustre.dataRepositories', `${repos.length} association(s)`, `FSx allows at most ${MAX_DATA_REPOSITORY_ASSOCIATIONS} data repository associations per file system`,
          'link fewer buckets, or use prefixes of one bucket under one association');
      }
      repos.forEach((repo, i) => {
        if (repo.bucketPrefix !== undefined && !Token.isUnresolved(repo.bucketPrefix) && repo.bucketPrefix.startsWith('/')) {
          errors.add(`lustre.dataRepositories[${i}].bucketPrefix`, repo.bucketPrefix, 'an S3 prefix has no leading / (it is appended to s3://<bucket>/)', `use '${repo.bucketPrefix.replace(/^\/+/, '')}'`);
        }
      });
      validateDataRepositoryLinks(errors, 'lustre.dataRepositories', repos.map((repo) => ({ fileSystemPath: repo.fileSystemPath, dataRepositoryPath: dataRepositoryPath(repo) })));
    }
    checkMountPoint(errors, 'lustre.mountPoint', this.lustre.mountPoint, '/fsx');
  }
}

/** `s3://<bucket>[/<prefix>]` of an association. */
function dataRepositoryPath(repo: HpcDataRepository): string {
  return `s3://${repo.bucket.bucketName}${repo.bucketPrefix ? `/${repo.bucketPrefix}` : ''}`;
}

function validateEfs(options: HpcEfsOptions, errors: ConfigErrors): void {
  const mode = options.throughputMode ?? efs.ThroughputMode.ELASTIC;
  const provisioned = options.provisionedThroughputPerSecond;
  if (mode === efs.ThroughputMode.PROVISIONED && provisioned === undefined) {
    errors.add('efs.provisionedThroughputPerSecond', undefined, 'PROVISIONED throughput needs the MiB/s to provision', 'set e.g. Size.mebibytes(64), or use efs.ThroughputMode.ELASTIC');
  } else if (mode !== efs.ThroughputMode.PROVISIONED && provisioned !== undefined) {
    errors.add('efs.provisionedThroughputPerSecond', provisioned.isUnresolved() ? '(token)' : `${provisioned.toMebibytes()} MiB/s`, `only applies to PROVISIONED throughput, but throughputMode is ${mode}`,
      'remove it, or set throughputMode: efs.ThroughputMode.PROVISIONED');
  } else if (provisioned !== undefined && !provisioned.isUnresolved() && provisioned.toMebibytes({ rounding: SizeRoundingBehavior.NONE }) < 1) {
    errors.add('efs.provisionedThroughputPerSecond', `${provisioned.toKibibytes()} KiB/s`, 'EFS provisions at least 1 MiB/s', 'use Size.mebibytes(1) or more');
  }
  checkMountPoint(errors, 'efs.mountPoint', options.mountPoint, '/efs');
}

/** AWS's limits for io2 Block Express (not aws-cdk-lib's `Volume` check, which caps io2 at 500 IOPS/GiB). */
const IO2_LIMITS = { minGiB: 4, maxGiB: 65536, minIops: 100, maxIops: 256000, maxIopsPerGiB: 1000 } as const;

function validateIo2(volume: HpcNodeVolumeOptions, errors: ConfigErrors): void {
  const { sizeGiB: size, iops } = volume;
  const l = IO2_LIMITS;
  if (isConcrete(size) && (size < l.minGiB || size > l.maxGiB || !Number.isInteger(size))) {
    errors.add('nodeVolume.sizeGiB', size, `io2 volumes are a whole number of GiB from ${l.minGiB} to ${l.maxGiB} (64 TiB)`, `use ${l.minGiB}-${l.maxGiB}`);
  }
  if (isConcrete(iops) && (iops < l.minIops || iops > l.maxIops)) {
    errors.add('nodeVolume.iops', iops, `io2 volumes take ${l.minIops} to ${l.maxIops.toLocaleString('en-US')} IOPS`, `use ${l.minIops}-${l.maxIops}`);
  }
  if (isConcrete(iops) && isConcrete(size) && iops > size * l.maxIopsPerGiB) {
    errors.add('nodeVolume.iops', iops, `io2 allows at most ${l.maxIopsPerGiB} IOPS per GiB, i.e. ${size * l.maxIopsPerGiB} for ${size} GiB`,
      `lower iops or raise sizeGiB to at least ${Math.ceil(iops / l.maxIopsPerGiB)}`);
  }
  checkMountPoint(errors, 'nodeVolume.mountPoint', volume.mountPoint, '/data');
}

function multipart(script: ec2.UserData): ec2.MultipartUserData {
  const userData = new ec2.MultipartUserData();
  userData.addUserDataPart(script, ec2.MultipartBody.SHELL_SCRIPT, true);
  return userData;
}

/** Installs the Lustre client and mounts the file system at boot (and on every later boot, from fstab). */
function lustreMountCommands(dnsName: string, mountName: string, mountPoint: string): string[] {
  return [
    '# FSx for Lustre',
    'dnf install -y lustre-client || amazon-linux-extras install -y lustre',
    `mkdir -p ${mountPoint}`,
    `grep -q ' ${mountPoint} lustre ' /etc/fstab || echo '${dnsName}@tcp:/${mountName} ${mountPoint} lustre defaults,noatime,flock,_netdev,x-systemd.automount,x-systemd.requires=network.service 0 0' >> /etc/fstab`,
    `for i in 1 2 3 4 5 6; do mount ${mountPoint} && break; sleep 10; done`,
  ];
}

/** RAID 0 over all instance-store NVMe disks (or the one disk) at `mountPoint`; nothing when the type has none. */
function instanceStoreRaidCommands(mountPoint: string): string[] {
  return [
    '# Instance-store scratch (lost when the instance stops)',
    "disks=$(lsblk -dnpo NAME,MODEL | awk '/Amazon EC2 NVMe Instance Storage/ {print $1}')",
    'count=$(echo "$disks" | grep -c . || true)',
    'if [ "$count" -gt 1 ]; then',
    '  dnf install -y mdadm',
    '  mdadm --create /dev/md0 --level=0 --raid-devices="$count" $disks --run',
    '  scratch=/dev/md0',
    'elif [ "$count" -eq 1 ]; then',
    '  scratch=$disks',
    'fi',
    'if [ -n "${scratch:-}" ]; then',
    '  mkfs.xfs -f "$scratch"',
    `  mkdir -p ${mountPoint} && mount -o noatime "$scratch" ${mountPoint} && chmod 1777 ${mountPoint}`,
    'fi',
  ];
}

/** Mounts the EFS file system with TLS and IAM authorization (the instance role's credentials) at boot and from fstab. */
function efsMountCommands(fileSystemId: string, mountPoint: string): string[] {
  return [
    '# Amazon EFS (TLS, IAM authorization)',
    'dnf install -y amazon-efs-utils',
    `mkdir -p ${mountPoint}`,
    `grep -q ' ${mountPoint} efs ' /etc/fstab || echo '${fileSystemId}:/ ${mountPoint} efs _netdev,noresvport,tls,iam 0 0' >> /etc/fstab`,
    `for i in 1 2 3 4 5 6; do mount ${mountPoint} && break; sleep 10; done`,
  ];
}

function nodeVolumeCommands(deviceName: string, mountPoint: string): string[] {
  return [
    '# io2 node volume',
    `blkid ${deviceName} || mkfs.xfs -L hpc-data ${deviceName}`,
    `mkdir -p ${mountPoint}`,
    `grep -q 'LABEL=hpc-data' /etc/fstab || echo 'LABEL=hpc-data ${mountPoint} xfs defaults,noatime,nofail 0 2' >> /etc/fstab`,
    `mount ${mountPoint}`,
  ];
}
