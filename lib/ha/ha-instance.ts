import { Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigErrors } from '../private/config-errors';
import { amazonLinux2023AtLaunch, encryptedGp3Root, hardenedLaunchTemplate, ssmInstanceRole } from '../private/ec2-building-blocks';
import { DEFAULT_LIFECYCLE_HOOK_HEARTBEAT, createDataVolumeHandling } from '../private/ha-data-volume';
import { HA_GROUP_TAG_KEY, createHaGroup, createHaGroupAlarms, defaultHaSubnets } from '../private/ha-group';
import { groupMetric } from '../private/ha-metrics';
import { dataVolumeCommands, eipClaimCommands, imdsFunctions } from '../private/ha-user-data';
import { selectSubnetsOrReport } from '../private/subnet-azs';
import { SECURITY_GROUP_DESCRIPTION, TAG_VALUE, describePath, pathLabel } from '../private/labels';
import { HaGroupBase } from './ha-group-base';
import { HaInstanceProps } from './ha-instance-props';
import { checkHaInstanceProps } from './validate-ha-instance-props';

/** IAM role descriptions: up to 1000 characters. */
const ROLE_DESCRIPTION_LENGTH = 1000;

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
export class HaInstance extends HaGroupBase implements ec2.IConnectable {
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

  constructor(scope: Construct, id: string, props: HaInstanceProps) {
    super(scope, id, props.alarmActions);
    const errors = new ConfigErrors('HaInstance', this.node.path);
    const wantsEip = props.elasticIp === true || props.elasticIpAllocationId !== undefined;
    this.instanceType = props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO);
    const selection = props.vpcSubnets ?? defaultHaSubnets(props.vpc, wantsEip);
    const subnets = selectSubnetsOrReport(props.vpc, selection, errors, 'vpcSubnets');
    checkHaInstanceProps(this, errors, props, { wantsEip, selection, subnets });
    errors.throwIfAny();
    this.subnets = subnets!;
    this.groupId = this.node.addr;
    const instanceName = props.instanceName ?? pathLabel(this, '', TAG_VALUE);

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
      const eip = props.elasticIpAllocationId === undefined ? this.newElasticIp(props, instanceName) : undefined;
      this.elasticIp = eip;
      this.publicIp = eip?.attrPublicIp;
      this.elasticIpAllocationId = props.elasticIpAllocationId ?? eip!.attrAllocationId;
      this.claimElasticIp(this.elasticIpAllocationId, props.elasticIpClaimTimeout ?? Duration.minutes(15));
    }
    const dataVolume = props.dataVolume;
    if (dataVolume) {
      this.userData.addCommands(...dataVolumeCommands({
        deviceName: dataVolume.deviceName ?? '/dev/sdf',
        mountPoint: dataVolume.mountPoint ?? '/data',
        label: 'ha-data',
        timeoutSeconds: (props.lifecycleHookHeartbeat ?? DEFAULT_LIFECYCLE_HOOK_HEARTBEAT).toSeconds({ integral: false }),
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

    this.autoScalingGroup = createHaGroup(this, {
      vpc: props.vpc,
      vpcSubnets: selection,
      launchTemplate: this.launchTemplate,
      capacity: 1,
      // An AMI or configuration change replaces the instance visibly, through CloudFormation, one at a time.
      // With a single instance there is nothing to keep in service; the old one goes first, so the Elastic IP
      // and the data volume are free for the new one.
      minInstancesInService: 0,
      healthChecks: autoscaling.HealthChecks.ec2({ gracePeriod: Duration.minutes(5) }),
      groupId: this.groupId,
      instanceName,
    });

    const groupAlarms = createHaGroupAlarms(this, this._alarmSet, {
      statusCheckFailed: this.metricStatusCheckFailed(),
      statusCheckFailedDescription: `HaInstance ${this.node.path}: the instance failed an EC2 status check (system, instance or attached EBS) for 2 minutes. `
        + 'Auto Scaling replaces it (EC2 health check); if this repeats, look at the instance\'s status checks and system log in the EC2 console.',
      inServiceInstances: this.metricInServiceInstances(),
      desired: 1,
      inServiceInstancesDescription: `HaInstance ${this.node.path}: no instance has been in service for 5 minutes, so the service is down. `
        + 'Look at the Auto Scaling group\'s activity history (failed launches, lifecycle hooks abandoned'
        + (dataVolume ? ', the data-volume handler\'s logs' : '') + ').',
    });
    this.statusCheckFailedAlarm = groupAlarms.statusCheckFailed;
    this.inServiceInstancesAlarm = groupAlarms.inServiceInstances;

    if (dataVolume) {
      this.lifecycleHookHeartbeat = props.lifecycleHookHeartbeat ?? DEFAULT_LIFECYCLE_HOOK_HEARTBEAT;
      const handling = createDataVolumeHandling(this, {
        options: dataVolume, heartbeat: this.lifecycleHookHeartbeat, autoScalingGroup: this.autoScalingGroup,
      });
      this.dataVolumeHandler = handling.handler;
      this.dataVolumeDeadLetterQueue = handling.deadLetterQueue;
      this.dataVolumeDeadLetterAlarm = this._alarmSet.add(handling.deadLetterAlarm);
      this.dataVolumeHandlerErrorsAlarm = this._alarmSet.add(handling.handlerErrorsAlarm);
      this.snapshotPolicy = handling.snapshotPolicy;
    }
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

  /** Allows SSH (TCP 22) from `peer`. There is no SSH ingress until this is called. */
  public allowSshFrom(peer: ec2.IPeer, description?: string): void {
    this.connections.allowFrom(peer, ec2.Port.tcp(22), description ?? 'SSH');
  }

  /** A new Elastic IP, tagged with the group (so only this group's instances may claim it). */
  private newElasticIp(props: HaInstanceProps, instanceName: string): ec2.CfnEIP {
    const eip = new ec2.CfnEIP(this, 'ElasticIp', {
      domain: 'vpc',
      tags: [{ key: HA_GROUP_TAG_KEY, value: this.node.addr }, { key: 'Name', value: instanceName }],
    });
    eip.applyRemovalPolicy(props.elasticIpRemovalPolicy ?? RemovalPolicy.DESTROY);
    return eip;
  }

  /** Every instance claims the Elastic IP at boot (user data), with a role that may associate only it. */
  private claimElasticIp(allocationId: string, timeout: Duration): void {
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
    this.userData.addCommands(...eipClaimCommands({ allocationId, timeoutSeconds: timeout.toSeconds() }));
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
}
