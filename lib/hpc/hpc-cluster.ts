import { Duration, Lazy, RemovalPolicy, Tags, Token, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AlarmSet } from '../private/alarm-set';
import { ConfigErrors } from '../private/config-errors';
import { amazonLinux2023AtLaunch, encryptedGp3Root, hardenedLaunchTemplate, ssmInstanceRole } from '../private/ec2-building-blocks';
import { efsMountCommands, instanceStoreRaidCommands, lustreMountCommands, multipart, nodeVolumeCommands } from '../private/hpc-user-data';
import { SECURITY_GROUP_DESCRIPTION, pathLabel } from '../private/labels';
import { selectSubnetsOrReport } from '../private/subnet-azs';
import { HpcCapacityType, HpcClusterProps, HpcEfsOptions, HpcLustreSettings, IHpcNodeGroup } from './hpc-cluster-props';
import { DEFAULT_MAX_CAPACITY, dataRepositoryPath, validateHpcClusterProps } from './validate-hpc-cluster-props';
import { defaultLustreThroughput } from './validate-lustre';

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
    validateHpcClusterProps(errors, props, { instanceType: this.instanceType, lustre: this.lustre, selection, subnets });
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
      maxCapacity: props.maxCapacity ?? DEFAULT_MAX_CAPACITY,
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
}
