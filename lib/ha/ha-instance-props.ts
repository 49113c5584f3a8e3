import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * The data volume that follows the instance across Availability Zones.
 */
export interface HaDataVolumeOptions {
  /**
   * Size of the first (empty) volume. Volumes restored from a snapshot have the snapshot's size.
   *
   * @default Size.gibibytes(10)
   */
  readonly size?: Size;

  /**
   * EBS volume type.
   *
   * @default ec2.EbsDeviceVolumeType.GP3
   */
  readonly volumeType?: ec2.EbsDeviceVolumeType;

  /**
   * Provisioned IOPS (gp3: 3,000-80,000, at most 500 per GiB above 3,000; io1: 100-64,000, 50 per GiB;
   * io2: 100-256,000, 1,000 per GiB; required for io1 and io2). Checked at synth (EC2 API CreateVolume).
   *
   * @default - the volume type's baseline (3,000 for gp3)
   */
  readonly iops?: number;

  /**
   * Throughput in MiB/s (gp3 only: 125-2,000, at most 0.25 per provisioned IOPS).
   *
   * @default - the volume type's baseline (125 MiB/s for gp3)
   */
  readonly throughput?: number;

  /**
   * Customer-managed key for the volume and its snapshots. Volumes are always encrypted.
   *
   * @default - the account's default EBS key (`aws/ebs` unless changed)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Device name the volume is attached as. On Nitro instances it appears as an NVMe device that
   * Amazon Linux's udev rules link to this name.
   *
   * @default '/dev/sdf'
   */
  readonly deviceName?: string;

  /**
   * Where user data mounts the volume (XFS, mounted by label).
   *
   * @default '/data'
   */
  readonly mountPoint?: string;

  /**
   * Completed snapshots taken on termination kept; the terminate hook deletes older ones (scheduled
   * snapshots are kept by `scheduledSnapshotRetention`). At least 1.
   *
   * @default 7
   */
  readonly snapshotRetention?: number;

  /**
   * How long the terminate hook waits for the instance to unmount and detach the volume itself
   * before it forces the detach (then the snapshot is only crash-consistent).
   *
   * @default Duration.minutes(2)
   */
  readonly drainTimeout?: Duration;

  /**
   * Interval of the scheduled (Data Lifecycle Manager) snapshots of the volume: 1, 2, 3, 4, 6, 8, 12
   * or 24 hours. It bounds what a restore after an AZ impairment can lose (`restoreFromSnapshotAfter`).
   *
   * @default Duration.hours(1)
   */
  readonly snapshotInterval?: Duration;

  /**
   * Scheduled snapshots kept (1-1000); Data Lifecycle Manager deletes older ones.
   *
   * @default 24
   */
  readonly scheduledSnapshotRetention?: number;

  /**
   * Opt-in: when the volume is stuck in an impaired Availability Zone (still attached to the old
   * instance, or its snapshot never completes), launch hooks stop waiting after this long (counted
   * across launch attempts) and restore the newest completed snapshot in the new AZ instead. Writes
   * after that snapshot are not on the new volume; the stuck volume is kept (tag
   * `ha-instance:supersedes` on the new one names it) for you to recover or delete.
   *
   * @default - never: launches wait until the volume is released and snapshotted (no data loss, but no recovery while the AZ is impaired)
   */
  readonly restoreFromSnapshotAfter?: Duration;
}

/**
 * Properties of an {@link HaInstance}.
 */
export interface HaInstanceProps {
  /** The VPC to run in. */
  readonly vpc: ec2.IVpc;

  /**
   * Where the instance may run. Must span at least 2 Availability Zones.
   *
   * @default - public subnets with an Elastic IP; otherwise private subnets with egress, or isolated ones if the VPC has none
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Instance type. Its architecture picks the default AMI.
   *
   * @default ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO)
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * The AMI. The default is resolved by EC2 *at launch* from the public SSM parameter of the latest
   * Amazon Linux 2023 AMI (`resolve:ssm:` in the launch template): a deploy never changes the launch
   * template because AWS published a new AMI, so it never replaces a running instance for that; each
   * replacement instance starts from the then-latest, patched AMI. To pin an AMI, pass
   * `ec2.MachineImage.genericLinux({ [region]: 'ami-…' })` (or
   * `ec2.MachineImage.latestAmazonLinux2023({ cachedInContext: true })`, which needs credentials at
   * synth once); a change of this prop then replaces the instance through the rolling update policy.
   *
   * @default - latest Amazon Linux 2023 for the instance type's architecture, resolved at launch
   */
  readonly machineImage?: ec2.IMachineImage;

  /**
   * Give the instance a stable public address: a new Elastic IP that every new instance claims at
   * boot from user data (see `eipClaimCommands`). Needs public subnets.
   *
   * @default false
   */
  readonly elasticIp?: boolean;

  /**
   * Claim this existing Elastic IP (allocation ID: `eipalloc-` and 8 or 17 hexadecimal digits) instead
   * of a new one. Implies `elasticIp`.
   *
   * @default - a new Elastic IP when `elasticIp` is true
   */
  readonly elasticIpAllocationId?: string;

  /**
   * How long a new instance waits for the previous holder of the Elastic IP to go away. It never
   * takes the address from a running instance.
   *
   * @default Duration.minutes(15)
   */
  readonly elasticIpClaimTimeout?: Duration;

  /**
   * Give the instance a public IPv4 address at launch. With an Elastic IP the instance needs one to
   * reach the EC2 API before it holds the Elastic IP (which then replaces it).
   *
   * @default - true with an Elastic IP; otherwise the subnet's setting
   */
  readonly associatePublicIpAddress?: boolean;

  /**
   * A data volume that survives instance replacement, also into another Availability Zone
   * (snapshot on termination, restore on launch, by lifecycle hooks and a Lambda function).
   *
   * @default - no data volume
   */
  readonly dataVolume?: HaDataVolumeOptions;

  /**
   * Heartbeat timeout of the data-volume lifecycle hooks (30-7200 s). The launch hook must finish
   * within it (a restore waits for the snapshot), or the launch is abandoned and retried.
   *
   * @default Duration.minutes(15)
   */
  readonly lifecycleHookHeartbeat?: Duration;

  /**
   * Security group of the instance.
   *
   * @default - a new security group with no inbound rules
   */
  readonly securityGroup?: ec2.ISecurityGroup;

  /**
   * Let a new security group allow all outbound traffic. The instance needs HTTPS to the SSM, EC2
   * and (for the bastion) CloudWatch Logs endpoints; a bastion also connects onward to your hosts.
   *
   * @default true
   */
  readonly allowAllOutbound?: boolean;

  /**
   * Root device name of the AMI, for the encrypted gp3 root volume.
   *
   * @default '/dev/xvda' (Amazon Linux)
   */
  readonly rootDeviceName?: string;

  /**
   * Size of the root volume.
   *
   * @default Size.gibibytes(8)
   */
  readonly rootVolumeSize?: Size;

  /**
   * Detailed (1-minute) CloudWatch monitoring; costs about $2.10/month per instance.
   *
   * @default false
   */
  readonly detailedMonitoring?: boolean;

  /**
   * Value of the `Name` tag of the instances.
   *
   * @default - the construct path
   */
  readonly instanceName?: string;

  /**
   * Removal policy of a new Elastic IP.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly elasticIpRemovalPolicy?: RemovalPolicy;

  /**
   * Linux user data to start from. Its commands run first, before the Elastic IP claim and the data
   * volume mount: put there what must be in place before the instance is reachable at its address.
   * Commands added later to `userData` run after the claim and the mount.
   *
   * @default - a new, empty Linux user data
   */
  readonly userData?: ec2.UserData;

  /**
   * Actions of every alarm of the construct (status check, in-service instances, and with a data
   * volume the handler's errors and dead letters).
   *
   * @default - no actions; add them with addAlarmActions()
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}
