import { createHash } from 'crypto';
import { Annotations, ArnFormat, Duration, RemovalPolicy, Size, Stack, Tags, Token, Tokenization, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmSet } from '../private/alarm-set';
import { ConfigErrors, isConcrete } from '../private/config-errors';
import { amazonLinux2023AtLaunch, checkMountPoint, encryptedGp3Root, hardenedLaunchTemplate, ssmInstanceRole } from '../private/ec2-building-blocks';
import { HA_GROUP_METRICS, groupInstanceMetric, groupMetric } from '../private/ha-metrics';
import { dataVolumeCommands, eipClaimCommands, imdsFunctions } from '../private/ha-user-data';
import { createHandlerFunction } from '../private/node-function';
import { acknowledgeTerminalQueue, createDlqDepthAlarm, createQueueKey, createSecureQueue } from '../private/secure-queue';
import { countAzs, describeSelection, selectSubnetsOrReport } from '../private/subnet-azs';
import { FUNCTION_DESCRIPTION, SECURITY_GROUP_DESCRIPTION, TAG_VALUE, describePath, pathLabel } from '../private/labels';
import { checkTokenUnit } from '../private/duration-units';
import { checkAllocationId, checkEbsVolume, checkRootVolumeSize } from './validate-ha-instance-props';

/** Tag key marking everything of one `HaInstance`: its Auto Scaling group, instances, Elastic IP, volumes and snapshots. IAM conditions use it. */
const HA_GROUP_TAG_KEY = 'ha-instance:group';

/** Size of a new data volume when `dataVolume.size` is not given. */
const DEFAULT_DATA_VOLUME_SIZE = Size.gibibytes(10);

/** EventBridge rule descriptions: up to 512 characters. */
const RULE_DESCRIPTION_LENGTH = 512;

/** A number as an environment variable or in user data (a token stays a token). */
const num = (value: number) => Tokenization.stringifyNumber(value);

/** IAM role descriptions: up to 1000 characters. */
const ROLE_DESCRIPTION_LENGTH = 1000;

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

/**
 * One EC2 instance kept alive by an Auto Scaling group (min = max = desired = 1) over at least two
 * Availability Zones, optionally with a stable Elastic IP and a data volume that follows it.
 *
 * - Elastic IP: every instance claims the address at boot from user data (IMDSv2). The claim never
 *   takes the address from a running instance, and a re-run changes nothing (see `eipClaimCommands`
 *   in `lib/private/ha-user-data.ts`, mirrored and tested in `lambda/shared/eip-claim.ts`). It runs
 *   in user data rather than in a Lambda on the launch hook because the address is the instance's
 *   own concern: it needs no extra moving parts, works without lifecycle hooks, and the instance
 *   role may associate only this one allocation.
 * - Data volume: lifecycle hooks hand launch and termination to the `ebs-follower` Lambda. On
 *   termination the instance unmounts and detaches the volume, and the hook snapshots it; on launch
 *   the hook re-attaches the volume in the same AZ or restores the snapshot in the new one, before
 *   the instance is put in service (see `lambda/ebs-follower/index.ts`). Data Lifecycle Manager
 *   snapshots the volume on a schedule; with `restoreFromSnapshotAfter`, a volume stuck in an
 *   impaired AZ is given up for the newest of those.
 *
 * Access is through SSM Session Manager; the security group has no inbound rules by default.
 *
 * @example
 * const server = new HaInstance(this, 'Server', { vpc, elasticIp: true, dataVolume: { size: Size.gibibytes(20) } });
 * server.connections.allowFrom(ec2.Peer.ipv4('203.0.113.0/24'), ec2.Port.tcp(443));
 */
export class HaInstance extends Construct implements ec2.IConnectable {
  /**
   * Tag key marking everything of one `HaInstance` (its Auto Scaling group, instances, Elastic IP,
   * volumes and snapshots), with `groupId` as value. IAM conditions use it.
   */
  public static readonly GROUP_TAG_KEY: string = HA_GROUP_TAG_KEY;

  /** The latest Amazon Linux 2023 AMI for `architecture`, resolved by EC2 at launch (the default `machineImage`). */
  public static latestAmazonLinux2023AtLaunch(architecture: ec2.InstanceArchitecture): ec2.IMachineImage {
    return amazonLinux2023AtLaunch(architecture);
  }

  /** The Auto Scaling group keeping exactly one instance. */
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** The launch template (IMDSv2 required, encrypted gp3 root volume). */
  public readonly launchTemplate: ec2.LaunchTemplate;
  /** The instance role (SSM managed instance core, plus what the Elastic IP and data volume need). */
  public readonly role: iam.Role;
  /** The instance security group. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** Network access to the instance. */
  public readonly connections: ec2.Connections;
  /** The user data; commands added here run after the Elastic IP claim and the data volume mount. */
  public readonly userData: ec2.UserData;
  /** The resolved AMI. */
  public readonly machineImage: ec2.IMachineImage;
  /** The resolved instance type. */
  public readonly instanceType: ec2.InstanceType;
  /** The subnets the instance may run in. */
  public readonly subnets: ec2.SelectedSubnets;
  /** Value of the {@link HaInstance.GROUP_TAG_KEY} tag on everything of this construct. */
  public readonly groupId: string;
  /** The new Elastic IP; undefined without one or with `elasticIpAllocationId`. */
  public readonly elasticIp?: ec2.CfnEIP;
  /** Allocation ID of the Elastic IP the instance claims; undefined without one. */
  public readonly elasticIpAllocationId?: string;
  /** The public address of a new Elastic IP; undefined otherwise. */
  public readonly publicIp?: string;
  /** The Lambda function handling the data-volume lifecycle hooks; undefined without a data volume. */
  public readonly dataVolumeHandler?: lambda.IFunction;
  /** The lifecycle hook heartbeat timeout; undefined without a data volume. */
  public readonly lifecycleHookHeartbeat?: Duration;
  /**
   * Where lifecycle events end up that could not be handled: those EventBridge could not deliver to
   * the handler, and those the handler failed on after its retries (customer-managed key, kept 14
   * days, retained, alarm on the first message); undefined without a data volume.
   */
  public readonly dataVolumeDeadLetterQueue?: sqs.IQueue;
  /** Alarm on the first message in `dataVolumeDeadLetterQueue`; undefined without a data volume. */
  public readonly dataVolumeDeadLetterAlarm?: cloudwatch.IAlarm;
  /** Alarm on an error of `dataVolumeHandler` (a failed terminate hook, retried); undefined without a data volume. */
  public readonly dataVolumeHandlerErrorsAlarm?: cloudwatch.IAlarm;
  /** Alarm when the instance fails an EC2 status check (system, instance or attached EBS) for 2 minutes. */
  public readonly statusCheckFailedAlarm: cloudwatch.IAlarm;
  /** Alarm when no instance has been in service for 5 minutes. */
  public readonly inServiceInstancesAlarm: cloudwatch.IAlarm;
  /** The Data Lifecycle Manager policy taking the scheduled snapshots; undefined without a data volume. */
  public readonly snapshotPolicy?: dlm.CfnLifecyclePolicy;

  private readonly alarmSet: AlarmSet;

  constructor(scope: Construct, id: string, props: HaInstanceProps) {
    super(scope, id);
    this.alarmSet = new AlarmSet(props.alarmActions);
    const errors = new ConfigErrors('HaInstance', this.node.path);
    const wantsEip = props.elasticIp === true || props.elasticIpAllocationId !== undefined;
    this.instanceType = props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO);
    const selection = props.vpcSubnets ?? HaInstance.defaultSubnets(props.vpc, wantsEip);
    const subnets = selectSubnetsOrReport(props.vpc, selection, errors, 'vpcSubnets');
    this.validate(props, wantsEip, selection, subnets, errors);
    errors.throwIfAny();
    this.subnets = subnets!;
    this.groupId = this.node.addr;

    this.machineImage = props.machineImage ?? HaInstance.latestAmazonLinux2023AtLaunch(this.instanceType.architecture);
    this.securityGroup = props.securityGroup ?? new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: pathLabel(this, ': no inbound rules by default', SECURITY_GROUP_DESCRIPTION, 'HaInstance '),
      allowAllOutbound: props.allowAllOutbound ?? true,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup] });

    this.role = ssmInstanceRole(this, 'Role', { description: describePath('Instance role of HaInstance ', this, ROLE_DESCRIPTION_LENGTH) });

    this.userData = props.userData ?? ec2.UserData.forLinux();
    this.userData.addCommands(...imdsFunctions());

    if (wantsEip) {
      this.elasticIpAllocationId = this.setUpElasticIp(props);
    }
    const dataVolume = props.dataVolume;
    if (dataVolume) {
      this.userData.addCommands(...dataVolumeCommands({
        deviceName: dataVolume.deviceName ?? '/dev/sdf',
        mountPoint: dataVolume.mountPoint ?? '/data',
        label: 'ha-data',
        timeoutSeconds: (props.lifecycleHookHeartbeat ?? Duration.minutes(15)).toSeconds({ integral: false }),
      }));
      this.grantSelfDetach();
    }

    this.launchTemplate = hardenedLaunchTemplate(this, 'LaunchTemplate', {
      machineImage: this.machineImage,
      instanceType: this.instanceType,
      userData: this.userData,
      role: this.role,
      securityGroup: this.securityGroup,
      detailedMonitoring: props.detailedMonitoring ?? false,
      associatePublicIpAddress: props.associatePublicIpAddress ?? (wantsEip ? true : undefined),
      blockDevices: [encryptedGp3Root((props.rootVolumeSize ?? Size.gibibytes(8)).toGibibytes(), props.rootDeviceName ?? '/dev/xvda')],
    });

    // aws-cdk-lib tags the launch template (and what it launches) with its path: fitted into 256 characters
    Tags.of(this.launchTemplate).add('Name', pathLabel(this.launchTemplate, '', TAG_VALUE), { priority: 101 });

    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'AutoScalingGroup', {
      vpc: props.vpc,
      vpcSubnets: selection,
      launchTemplate: this.launchTemplate,
      minCapacity: 1,
      maxCapacity: 1,
      // An AMI or configuration change replaces the instance visibly, through CloudFormation, one at a time.
      // With a single instance there is nothing to keep in service; the old one goes first, so the Elastic IP
      // and the data volume are free for the new one.
      updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({ maxBatchSize: 1, minInstancesInService: 0 }),
      healthChecks: autoscaling.HealthChecks.ec2({ gracePeriod: Duration.minutes(5) }),
      // Group metrics are free at 1-minute granularity, but only reported once enabled.
      groupMetrics: [new autoscaling.GroupMetrics(...HA_GROUP_METRICS)],
    });
    Tags.of(this.autoScalingGroup).add(HA_GROUP_TAG_KEY, this.groupId, { applyToLaunchedInstances: true });
    Tags.of(this.autoScalingGroup).add('Name', props.instanceName ?? pathLabel(this, '', TAG_VALUE), { applyToLaunchedInstances: true });
    Validations.of(this.autoScalingGroup).acknowledge({
      id: 'AwsSolutions-AS3',
      reason: 'Auto Scaling sends every launch and termination (successful or not) to EventBridge by default; an SNS notification configuration would duplicate that.',
    });

    this.statusCheckFailedAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'StatusCheckFailedAlarm', {
      alarmDescription: `HaInstance ${this.node.path}: the instance failed an EC2 status check (system, instance or attached EBS) for 2 minutes. `
        + 'Auto Scaling replaces it (EC2 health check); if this repeats, look at the instance\'s status checks and system log in the EC2 console.',
      // 1 (failed) in 2 consecutive minutes: a single failed sample can be a blip during boot.
      metric: this.metricStatusCheckFailed(),
      threshold: 1,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // no instance reports nothing: the in-service alarm covers that
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
    this.inServiceInstancesAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'InServiceInstancesAlarm', {
      alarmDescription: `HaInstance ${this.node.path}: no instance has been in service for 5 minutes, so the service is down. `
        + 'Look at the Auto Scaling group\'s activity history (failed launches, lifecycle hooks abandoned'
        + (dataVolume ? ', the data-volume handler\'s logs' : '') + ').',
      // below 1 for 5 consecutive minutes: longer than a replacement in the same AZ usually takes
      metric: this.metricInServiceInstances(),
      threshold: 1,
      evaluationPeriods: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      // the group reports every minute once metrics collection is on: silence means nobody can tell it is up
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    }));

    if (dataVolume) {
      this.lifecycleHookHeartbeat = props.lifecycleHookHeartbeat ?? Duration.minutes(15);
      this.dataVolumeHandler = this.setUpDataVolume(dataVolume, this.lifecycleHookHeartbeat);
    }
  }

  /** Every alarm of the construct. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.alarmSet.alarms;
  }

  /** Adds actions to every alarm of the construct, present and future. */
  public addAlarmActions(...actions: cloudwatch.IAlarmAction[]): void {
    this.alarmSet.addActions(...actions);
  }

  /** `AWS/EC2` `StatusCheckFailed` of the group's instances (Maximum, 1 minute; free at 1-minute frequency with basic monitoring). */
  public metricStatusCheckFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return groupInstanceMetric(this.autoScalingGroup, 'StatusCheckFailed', { statistic: 'Maximum', period: Duration.minutes(1), ...props });
  }

  /** `AWS/AutoScaling` `GroupInServiceInstances` (Minimum, 1 minute). */
  public metricInServiceInstances(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return groupMetric(this.autoScalingGroup, 'GroupInServiceInstances', { statistic: 'Minimum', period: Duration.minutes(1), ...props });
  }

  /** An `AWS/EC2` metric of the group's instances, e.g. `CPUUtilization` (Average, 5 minutes: basic monitoring). */
  public metricInstances(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return groupInstanceMetric(this.autoScalingGroup, metricName, { statistic: 'Average', period: Duration.minutes(5), ...props });
  }

  /** An `AWS/AutoScaling` group metric, e.g. `GroupPendingInstances` (Maximum, 1 minute). */
  public metricGroup(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return groupMetric(this.autoScalingGroup, metricName, { statistic: 'Maximum', period: Duration.minutes(1), ...props });
  }

  /** Errors of the data-volume handler (Sum, 5 minutes). Throws without a data volume. */
  public metricDataVolumeHandlerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireDataVolume('metricDataVolumeHandlerErrors').handler.metricErrors({ statistic: 'Sum', period: Duration.minutes(5), ...props });
  }

  /** Messages waiting in the data-volume dead-letter queue (Maximum, 1 minute). Throws without a data volume. */
  public metricDataVolumeDeadLetterMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireDataVolume('metricDataVolumeDeadLetterMessages').dlq.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1), ...props });
  }

  private requireDataVolume(method: string): { handler: lambda.IFunction; dlq: sqs.IQueue } {
    if (!this.dataVolumeHandler || !this.dataVolumeDeadLetterQueue) {
      throw new Error(`HaInstance at '${this.node.path}': ${method}() needs the data volume, which this instance has not. Fix: set dataVolume, or drop the call.`);
    }
    return { handler: this.dataVolumeHandler, dlq: this.dataVolumeDeadLetterQueue };
  }

  /** The default placement: public subnets for an Elastic IP, otherwise the most private subnets the VPC has. */
  private static defaultSubnets(vpc: ec2.IVpc, elasticIp: boolean): ec2.SubnetSelection {
    if (elasticIp) return { subnetType: ec2.SubnetType.PUBLIC };
    if (vpc.privateSubnets.length > 0) return { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    if (vpc.isolatedSubnets.length > 0) return { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    return { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }; // reported as missing by validate()
  }

  /** Allows SSH (TCP 22) from `peer`. There is no SSH ingress until this is called. */
  public allowSshFrom(peer: ec2.IPeer, description?: string): void {
    this.connections.allowFrom(peer, ec2.Port.tcp(22), description ?? 'SSH');
  }

  private setUpElasticIp(props: HaInstanceProps): string {
    let allocationId = props.elasticIpAllocationId;
    if (!allocationId) {
      const eip = new ec2.CfnEIP(this, 'ElasticIp', {
        domain: 'vpc',
        tags: [{ key: HA_GROUP_TAG_KEY, value: this.node.addr }, { key: 'Name', value: props.instanceName ?? pathLabel(this, '', TAG_VALUE) }],
      });
      eip.applyRemovalPolicy(props.elasticIpRemovalPolicy ?? RemovalPolicy.DESTROY);
      (this as { elasticIp?: ec2.CfnEIP }).elasticIp = eip;
      (this as { publicIp?: string }).publicIp = eip.attrPublicIp;
      allocationId = eip.attrAllocationId;
    }
    const stack = Stack.of(this);
    const eipArn = stack.formatArn({ service: 'ec2', resource: 'elastic-ip', resourceName: allocationId });
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ClaimThisElasticIp',
      actions: ['ec2:AssociateAddress', 'ec2:DisassociateAddress'],
      resources: [eipArn],
    }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'AssociateWithInstancesOfThisGroup',
      actions: ['ec2:AssociateAddress'],
      resources: [stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' })],
      conditions: { StringEquals: { [`aws:ResourceTag/${HA_GROUP_TAG_KEY}`]: this.node.addr } },
    }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'SeeWhoHoldsTheAddress',
      actions: ['ec2:DescribeAddresses', 'ec2:DescribeInstances'],
      resources: ['*'],
    }));
    this.acknowledgeInstanceWildcards(false);
    const timeout = props.elasticIpClaimTimeout ?? Duration.minutes(15);
    this.userData.addCommands(...eipClaimCommands({ allocationId, timeoutSeconds: timeout.toSeconds() }));
    return allocationId;
  }

  /** The instance unmounts and detaches its own data volume when it is terminated (the drain service). */
  private grantSelfDetach(): void {
    const stack = Stack.of(this);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'DetachOwnDataVolume',
      actions: ['ec2:DetachVolume'],
      resources: [
        stack.formatArn({ service: 'ec2', resource: 'volume', resourceName: '*' }),
        stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' }),
      ],
      conditions: { StringEquals: { [`aws:ResourceTag/${HA_GROUP_TAG_KEY}`]: this.node.addr } },
    }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'FindOwnDataVolume',
      actions: ['ec2:DescribeVolumes'],
      resources: ['*'],
    }));
    this.acknowledgeInstanceWildcards(true);
  }

  private acknowledgeInstanceWildcards(volumes: boolean): void {
    const acks: Record<string, string> = {
      'AwsSolutions-IAM5[Resource::*]': 'Only ec2:DescribeAddresses, ec2:DescribeInstances and ec2:DescribeVolumes are on Resource *: these read-only actions support no resource-level permissions. The instance uses them to see which instance holds the Elastic IP (and whether it is still running) and which volume is its own.',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*]': `Instance IDs are not known before launch; the statement is conditioned on the tag ${HA_GROUP_TAG_KEY} = this construct's ID, which Auto Scaling puts on this group's instances only.`,
    };
    if (volumes) {
      acks['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:volume/*]'] = `Data volumes are created at runtime by the lifecycle hook; ec2:DetachVolume is conditioned on the tag ${HA_GROUP_TAG_KEY} = this construct's ID, which only this group's volumes carry.`;
    }
    for (const [ackId, reason] of Object.entries(acks)) {
      Validations.of(this.role).acknowledge({ id: ackId, reason });
    }
  }

  private setUpDataVolume(options: HaDataVolumeOptions, heartbeat: Duration): lambda.IFunction {
    const stack = Stack.of(this);
    const fnTimeout = heartbeat.isUnresolved() ? Duration.minutes(15) : Duration.seconds(Math.min(900, Math.max(30, heartbeat.toSeconds())));
    const fn = createHandlerFunction(this, 'DataVolumeHandler', {
      handlerName: 'ebs-follower',
      description: pathLabel(this, ' with its instance (lifecycle hooks)', FUNCTION_DESCRIPTION, 'Moves the data volume of HaInstance '),
      timeout: fnTimeout,
      environment: {
        GROUP_TAG_KEY: HA_GROUP_TAG_KEY,
        GROUP_TAG_VALUE: this.node.addr,
        DEVICE_NAME: options.deviceName ?? '/dev/sdf',
        VOLUME_SIZE_GIB: num((options.size ?? DEFAULT_DATA_VOLUME_SIZE).toGibibytes()),
        VOLUME_TYPE: options.volumeType ?? ec2.EbsDeviceVolumeType.GP3,
        ...(options.iops !== undefined ? { VOLUME_IOPS: num(options.iops) } : {}),
        ...(options.throughput !== undefined ? { VOLUME_THROUGHPUT: num(options.throughput) } : {}),
        ...(options.encryptionKey ? { KMS_KEY_ID: options.encryptionKey.keyArn } : {}),
        SNAPSHOT_RETENTION: num(options.snapshotRetention ?? 7),
        DRAIN_TIMEOUT_SECONDS: num((options.drainTimeout ?? Duration.minutes(2)).toSeconds()),
        ...(options.restoreFromSnapshotAfter ? { RESTORE_AFTER_SECONDS: num(options.restoreFromSnapshotAfter.toSeconds()) } : {}),
      },
    });
    // The rule is named so the DLQ key's policy can name it without a dependency cycle (rule -> queue -> key -> rule).
    const ruleName = this.lifecycleRuleName();
    const ruleArn = stack.formatArn({ service: 'events', resource: 'rule', resourceName: ruleName });
    const dlqKey = createQueueKey(this, 'DataVolumeDeadLetterKey', `Encrypts the dead-letter queue of HaInstance ${this.node.path} lifecycle events`, RemovalPolicy.RETAIN);
    // EventBridge sends aws:SourceArn (the rule) with the KMS calls of an SSE queue as well: the SQS
    // developer guide ("Configure AWS KMS permissions with confused deputy protection") lists
    // CloudWatch Events among the services that support it for SSE-enabled queues.
    dlqKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'EventBridgeDeadLetters',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      conditions: { ArnEquals: { 'aws:SourceArn': ruleArn } },
    }));
    const dlq = createSecureQueue(this, 'DataVolumeDeadLetterQueue', {
      fifo: false, encryptionKey: dlqKey, removalPolicy: RemovalPolicy.RETAIN, retentionPeriod: Duration.days(14),
    });
    acknowledgeTerminalQueue(dlq, 'the dead-letter queue of the data-volume lifecycle events');
    // threshold 1, 1 minute: every message there is a lifecycle action that did not happen
    const dlqAlarm = this.alarmSet.add(createDlqDepthAlarm(this, 'DataVolumeDeadLetterAlarm', dlq, `HaInstance ${this.node.path}: a data-volume lifecycle event was not handled`));
    const errorsAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'DataVolumeHandlerErrorsAlarm', {
      alarmDescription: `HaInstance ${this.node.path}: the data-volume handler failed (a terminate hook threw; Lambda retries it twice, then the event goes to the dead-letter queue). `
        + 'Look at the handler\'s log group; a failed launch hook is completed with ABANDON instead and shows in the in-service alarm.',
      // any error in 5 minutes: the handler only throws when a terminate hook could not keep the data
      metric: fn.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // no invocation, no error
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
    // Errors of the handler (a failed terminate hook) are retried twice, then the event goes to the DLQ,
    // sent by Lambda with the function's role.
    fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(1), onFailure: { bind: () => ({ destination: dlq.queueArn }) } });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [dlq.queueArn] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [dlqKey.keyArn] }));
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'The function is invoked asynchronously by EventBridge only and has an on-failure destination (the same SQS queue as the rule target\'s DLQ), which receives the event with the error; a function DLQ would duplicate it.',
    });
    (this as { dataVolumeDeadLetterQueue?: sqs.IQueue }).dataVolumeDeadLetterQueue = dlq;
    (this as { dataVolumeDeadLetterAlarm?: cloudwatch.IAlarm }).dataVolumeDeadLetterAlarm = dlqAlarm;
    (this as { dataVolumeHandlerErrorsAlarm?: cloudwatch.IAlarm }).dataVolumeHandlerErrorsAlarm = errorsAlarm;
    (this as { snapshotPolicy?: dlm.CfnLifecyclePolicy }).snapshotPolicy = this.scheduleSnapshots(options);
    const arn = (resource: string) => stack.formatArn({ service: 'ec2', resource, resourceName: '*' });
    const group = { [`aws:ResourceTag/${HA_GROUP_TAG_KEY}`]: this.node.addr };
    const newInGroup = { [`aws:RequestTag/${HA_GROUP_TAG_KEY}`]: this.node.addr };
    // A policy of its own, not the role's default policy: the role's acknowledgement of Resource * covers
    // X-Ray only, and these statements have their own reasons.
    const policy = new iam.Policy(this, 'DataVolumeHandlerPolicy', {
      roles: [fn.role!],
      statements: [
        new iam.PolicyStatement({
          sid: 'Observe',
          actions: ['ec2:DescribeInstances', 'ec2:DescribeVolumes', 'ec2:DescribeSnapshots'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'ManageGroupVolumesAndSnapshots',
          actions: ['ec2:AttachVolume', 'ec2:DetachVolume', 'ec2:DeleteVolume', 'ec2:CreateSnapshot', 'ec2:DeleteSnapshot', 'ec2:CreateTags', 'ec2:CreateVolume'],
          resources: [arn('volume'), arn('instance'), stack.formatArn({ service: 'ec2', resource: 'snapshot', resourceName: '*', account: '' })],
          conditions: { StringEquals: group },
        }),
        new iam.PolicyStatement({
          sid: 'CreateGroupVolumesAndSnapshots',
          actions: ['ec2:CreateVolume', 'ec2:CreateSnapshot'],
          resources: [arn('volume'), stack.formatArn({ service: 'ec2', resource: 'snapshot', resourceName: '*', account: '' })],
          conditions: { StringEquals: newInGroup },
        }),
        new iam.PolicyStatement({
          sid: 'TagOnCreate',
          actions: ['ec2:CreateTags'],
          resources: [arn('volume'), stack.formatArn({ service: 'ec2', resource: 'snapshot', resourceName: '*', account: '' })],
          conditions: { StringEquals: { 'ec2:CreateAction': ['CreateVolume', 'CreateSnapshot'], ...newInGroup } },
        }),
        new iam.PolicyStatement({
          sid: 'CompleteLifecycleActionsOfThisGroup',
          actions: ['autoscaling:CompleteLifecycleAction'],
          resources: [stack.formatArn({ service: 'autoscaling', resource: 'autoScalingGroup', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
          conditions: { StringEquals: group },
        }),
      ],
    });
    options.encryptionKey?.grant(fn.role!, 'kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo');
    const wildcardReason = (what: string) => `${what} are created at runtime (their IDs are unknown at deploy); every action on them is conditioned on the tag ${HA_GROUP_TAG_KEY} = this construct's ID (aws:ResourceTag for existing ones, aws:RequestTag for new ones, which must be tagged on create), so only this group's resources can be touched.`;
    const acks: Record<string, string> = {
      'AwsSolutions-IAM5[Resource::*]': 'Only ec2:DescribeInstances, ec2:DescribeVolumes and ec2:DescribeSnapshots are on Resource *: these read-only actions support no resource-level permissions; the handler needs them to find the instance\'s AZ and the group\'s volumes and snapshots.',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:volume/*]': wildcardReason('Data volumes'),
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>::snapshot/*]': wildcardReason('Snapshots'),
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*]': wildcardReason('Instances (launched by Auto Scaling)'),
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:<AWS::Region>:<AWS::AccountId>:autoScalingGroup:*]': `The Auto Scaling group's ARN contains a UUID unknown until it exists, and naming the group would create a dependency cycle (the group waits for this policy); autoscaling:CompleteLifecycleAction is conditioned on the group's tag ${HA_GROUP_TAG_KEY} = this construct's ID.`,
    };
    for (const [ackId, reason] of Object.entries(acks)) {
      Validations.of(policy).acknowledge({ id: ackId, reason });
    }
    if (options.encryptionKey) {
      for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
        Validations.of(fn.role!).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason: 'EBS encryption with one customer-managed key named by ARN.' });
      }
    }

    // Hook names are unique to this construct, so the rule can match on them without referencing the
    // group (which must depend on the rule: the hooks apply to the very first instance).
    const launchHook = `HaInstanceLaunch-${this.node.addr}`;
    const terminateHook = `HaInstanceTerminate-${this.node.addr}`;
    const rule = new events.Rule(this, 'LifecycleRule', {
      ruleName,
      description: describePath('Lifecycle actions of HaInstance ', this, RULE_DESCRIPTION_LENGTH),
      eventPattern: {
        source: ['aws.autoscaling'],
        detailType: ['EC2 Instance-launch Lifecycle Action', 'EC2 Instance-terminate Lifecycle Action'],
        detail: { LifecycleHookName: [launchHook, terminateHook] },
      },
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.hours(1), deadLetterQueue: dlq })],
    });
    const cfnGroup = this.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup;
    // In the group itself (not AWS::AutoScaling::LifecycleHook resources): hooks created after the group
    // would miss the first instance, which would then start without its volume.
    cfnGroup.lifecycleHookSpecificationList = [
      {
        lifecycleHookName: launchHook,
        lifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
        heartbeatTimeout: heartbeat.toSeconds(),
        // Never serve without the data: a launch the handler did not complete is abandoned and replaced.
        defaultResult: 'ABANDON',
      },
      {
        lifecycleHookName: terminateHook,
        lifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
        heartbeatTimeout: heartbeat.toSeconds(),
        defaultResult: 'CONTINUE',
      },
    ];
    this.autoScalingGroup.node.addDependency(rule, fn, fn.role!, policy);
    return fn;
  }

  /** Unique per stack and construct, within EventBridge's 64 characters. */
  private lifecycleRuleName(): string {
    const stackName = Stack.of(this).stackName;
    const hash = createHash('sha256').update(`${Token.isUnresolved(stackName) ? '' : stackName}/${this.node.path}`).digest('hex').slice(0, 16);
    const prefix = Token.isUnresolved(stackName) ? 'HaInstance' : stackName.slice(0, 30);
    return `${prefix}-HaLifecycle-${hash}`;
  }

  /**
   * Data Lifecycle Manager snapshots the group's volumes (by tag) on a schedule, so a restore after an
   * AZ impairment loses at most one interval. Its snapshots carry the group tag (the launch hook may
   * restore them) and are expired by DLM, not by the terminate hook.
   */
  private scheduleSnapshots(options: HaDataVolumeOptions): dlm.CfnLifecyclePolicy {
    const role = new iam.Role(this, 'SnapshotPolicyRole', {
      assumedBy: new iam.ServicePrincipal('dlm.amazonaws.com'),
      description: describePath('Data Lifecycle Manager snapshots of the data volume of HaInstance ', this, ROLE_DESCRIPTION_LENGTH),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSDataLifecycleManagerServiceRole')],
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole]',
      reason: 'The AWS-maintained policy for Data Lifecycle Manager EBS snapshot policies: it creates and deletes snapshots (and tags them) of the volumes the policy targets; DLM itself limits it to this policy\'s target tag.',
    });
    const interval = options.snapshotInterval ?? Duration.hours(1);
    const hours = interval.toHours();
    return new dlm.CfnLifecyclePolicy(this, 'SnapshotPolicy', {
      description: `Scheduled snapshots of HaInstance ${this.node.addr} data volume`,
      state: 'ENABLED',
      executionRoleArn: role.roleArn,
      policyDetails: {
        policyType: 'EBS_SNAPSHOT_MANAGEMENT',
        resourceTypes: ['VOLUME'],
        targetTags: [{ key: HA_GROUP_TAG_KEY, value: this.node.addr }],
        schedules: [{
          name: interval.isUnresolved() ? 'Scheduled' : `Every ${interval.toHumanString()}`,
          createRule: { interval: hours, intervalUnit: 'HOURS' },
          retainRule: { count: options.scheduledSnapshotRetention ?? 24 },
          tagsToAdd: [{ key: HA_GROUP_TAG_KEY, value: this.node.addr }, { key: 'ha-instance:scheduled', value: 'true' }],
          copyTags: false,
        }],
      },
    });
  }

  private validate(props: HaInstanceProps, wantsEip: boolean, selection: ec2.SubnetSelection,
    subnets: ec2.SelectedSubnets | undefined, errors: ConfigErrors): void {
    checkAllocationId(errors, 'elasticIpAllocationId', props.elasticIpAllocationId);
    checkTokenUnit(errors, 'elasticIpClaimTimeout', props.elasticIpClaimTimeout, 'seconds');
    checkTokenUnit(errors, 'lifecycleHookHeartbeat', props.lifecycleHookHeartbeat, 'seconds');
    if (props.rootVolumeSize) {
      checkRootVolumeSize(errors, props.rootVolumeSize);
    }
    const name = props.instanceName;
    if (name !== undefined && !Token.isUnresolved(name) && (name.length > TAG_VALUE.maxLength || name.length === 0)) {
      errors.add('instanceName', name.length > 40 ? `${name.slice(0, 40)}…` : name, `is the Name tag of the instances, and a tag value has 1 to ${TAG_VALUE.maxLength} characters (EC2 tag restrictions), but it has ${name.length}`,
        'use a shorter name, or remove instanceName for a name derived from the construct path');
    }
    if (props.elasticIp === false && props.elasticIpAllocationId !== undefined) {
      errors.add('elasticIpAllocationId', props.elasticIpAllocationId, 'an allocation ID means the instance claims that Elastic IP, but elasticIp is false',
        'remove elasticIp: false, or remove elasticIpAllocationId');
    }
    if (subnets) {
      const azs = countAzs(subnets);
      if (azs !== undefined && azs < 2) {
        errors.add('vpcSubnets', describeSelection(selection),
          `the selected subnets span ${azs} Availability Zone(s); an instance that must survive the loss of an AZ needs subnets in at least 2`,
          'select subnets in 2 or more AZs (e.g. a VPC with maxAzs: 2)');
      }
      if (wantsEip && !subnets.hasPublic) {
        errors.add('vpcSubnets', describeSelection(selection), 'an Elastic IP only reaches an instance in a public subnet (with a route to an internet gateway)',
          'select public subnets, or remove elasticIp');
      }
    }
    const heartbeat = props.lifecycleHookHeartbeat;
    if (heartbeat && !heartbeat.isUnresolved() && (heartbeat.toSeconds() < 30 || heartbeat.toSeconds() > 7200)) {
      errors.add('lifecycleHookHeartbeat', heartbeat, 'Auto Scaling allows a lifecycle hook heartbeat from 30 to 7200 seconds',
        'use Duration.seconds(30) to Duration.hours(2)');
    }
    if (heartbeat && !props.dataVolume) {
      errors.add('lifecycleHookHeartbeat', heartbeat, 'only the data volume uses lifecycle hooks', 'remove lifecycleHookHeartbeat or add dataVolume');
    }
    if (heartbeat && !heartbeat.isUnresolved() && props.dataVolume && heartbeat.toSeconds() >= 30 && heartbeat.toSeconds() < 300) {
      Annotations.of(this).addWarningV2('cdk-reference-architectures:haInstanceShortHeartbeat',
        `lifecycleHookHeartbeat is ${heartbeat.toHumanString()}: restoring the data volume in another AZ waits for a snapshot and a new volume, which rarely fits in under 5 minutes; the launch is then abandoned and retried. Use Duration.minutes(15).`);
    }
    const dv = props.dataVolume;
    if (dv) {
      const retention = dv.snapshotRetention;
      if (isConcrete(retention) && (retention < 1 || !Number.isInteger(retention))) {
        errors.add('dataVolume.snapshotRetention', retention, 'the newest snapshot holds the data and is always kept, so at least 1', 'use a whole number of 1 or more (7 is the default)');
      }
      checkEbsVolume(errors, 'dataVolume.', dv, DEFAULT_DATA_VOLUME_SIZE);
      checkMountPoint(errors, 'dataVolume.mountPoint', dv.mountPoint, '/data');
      if (dv.deviceName !== undefined && !Token.isUnresolved(dv.deviceName) && !/^\/dev\/(sd[f-p]|xvd[f-p])$/.test(dv.deviceName)) {
        errors.add('dataVolume.deviceName', dv.deviceName, 'EC2 recommends /dev/sd[f-p] for data volumes', "use '/dev/sdf'");
      }
      const interval = dv.snapshotInterval;
      checkTokenUnit(errors, 'dataVolume.snapshotInterval', interval, 'hours');
      checkTokenUnit(errors, 'dataVolume.drainTimeout', dv.drainTimeout, 'seconds');
      checkTokenUnit(errors, 'dataVolume.restoreFromSnapshotAfter', dv.restoreFromSnapshotAfter, 'seconds');
      if (interval && !interval.isUnresolved() && ![1, 2, 3, 4, 6, 8, 12, 24].includes(interval.toHours({ integral: false }))) {
        errors.add('dataVolume.snapshotInterval', interval, 'Data Lifecycle Manager schedules snapshots every 1, 2, 3, 4, 6, 8, 12 or 24 hours', 'use e.g. Duration.hours(1)');
      }
      const scheduledRetention = dv.scheduledSnapshotRetention;
      if (isConcrete(scheduledRetention) && (scheduledRetention < 1 || scheduledRetention > 1000 || !Number.isInteger(scheduledRetention))) {
        errors.add('dataVolume.scheduledSnapshotRetention', scheduledRetention, 'Data Lifecycle Manager keeps 1 to 1000 snapshots per schedule', 'use a whole number from 1 to 1000 (24 is the default)');
      }
      const restoreAfter = dv.restoreFromSnapshotAfter;
      if (restoreAfter && !restoreAfter.isUnresolved() && restoreAfter.toSeconds() < 300) {
        errors.add('dataVolume.restoreFromSnapshotAfter', restoreAfter, 'a restore drops the writes since the last snapshot; under 5 minutes it would also replace a volume that is only slow to detach (the terminate hook waits drainTimeout, then forces the detach)',
          'use Duration.minutes(5) or more (e.g. Duration.minutes(30))');
      }
      const drain = dv.drainTimeout;
      if (drain && heartbeat && !drain.isUnresolved() && !heartbeat.isUnresolved() && drain.toSeconds() >= Math.min(heartbeat.toSeconds(), 900)) {
        errors.add('dataVolume.drainTimeout', drain, `must be shorter than the lifecycle hook heartbeat and the handler's 15-minute limit (${Math.min(heartbeat.toSeconds(), 900)} s), or the snapshot is never taken`,
          'shorten drainTimeout or lengthen lifecycleHookHeartbeat');
      }
    }
  }
}
