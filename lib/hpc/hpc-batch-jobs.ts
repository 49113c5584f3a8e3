import { Duration, IResolvable, IResolveContext, Size, Token, Validations } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { AlarmSet } from '../private/alarm-set';
import { ConfigErrors } from '../private/config-errors';
import { HpcCapacityType, IHpcNodeGroup } from './hpc-cluster-props';
import { validateBatchJobSizing } from './validate-batch-jobs';

/** Properties of {@link HpcBatchJobs}. */
export interface HpcBatchJobsProps {
  /** The node definition to run the jobs on (an `HpcCluster`). */
  readonly nodes: IHpcNodeGroup;

  /** The container image of every node of the job (with MPI and libfabric for EFA). */
  readonly image: ecs.ContainerImage;

  /**
   * Command of the container.
   *
   * @default - the image's command
   */
  readonly command?: string[];

  /**
   * Nodes per job: 2 or more (a job of 1 node is a plain job), concrete (it sets the node range);
   * above 1,000, Batch's default limit, the construct warns.
   *
   * @default 2
   */
  readonly numNodes?: number;

  /**
   * Index of the main node, which Batch starts first and whose exit ends the job.
   *
   * @default 0
   */
  readonly mainNode?: number;

  /**
   * vCPUs of each node's container: 1 or more, at most the instance type's vCPUs (checked for the
   * types of `EfaInstanceTypes.ALL`).
   *
   * @default 2
   */
  readonly cpu?: number;

  /**
   * Memory of each node's container (at least 4 MiB).
   *
   * @default Size.gibibytes(4)
   */
  readonly memory?: Size;

  /**
   * Most vCPUs the compute environment runs at once. Every node of a job is its own instance, so
   * this must be at least `numNodes` x the instance type's vCPUs (x `cpu` for types not in
   * `EfaInstanceTypes.ALL`), or jobs never start.
   *
   * @default 256
   */
  readonly maxvCpus?: number;

  /**
   * Actions the failed-jobs alarm runs when it fires (e.g. an SNS action).
   *
   * @default - no actions; add them with addAlarmActions()
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}

/**
 * AWS Batch multi-node parallel jobs on the nodes of an `HpcCluster`: a managed EC2 compute
 * environment in the cluster's placement group, subnet and security group, launched from a pinned
 * version of its EFA launch template, a job queue, and a multi-node job definition whose containers
 * get the EFA devices and the cluster's shared file systems (Lustre, EFS) at the hosts' mount paths.
 */
export class HpcBatchJobs extends Construct {
  /** The managed EC2 compute environment. */
  public readonly computeEnvironment: batch.ManagedEc2EcsComputeEnvironment;
  /** The job queue. */
  public readonly jobQueue: batch.JobQueue;
  /** The multi-node job definition. */
  public readonly jobDefinition: batch.MultiNodeJobDefinition;
  /**
   * EventBridge rule matching every job of this queue that moves to FAILED (Batch publishes job
   * state changes as events, not as metrics). Add a target to receive each failed job's details.
   */
  public readonly failedJobsRule: events.Rule;
  /** Fires when a job of the queue fails (the rule matched at least once in 5 minutes). */
  public readonly failedJobsAlarm: cloudwatch.Alarm;
  private readonly alarmSet: AlarmSet;

  constructor(scope: Construct, id: string, props: HpcBatchJobsProps) {
    super(scope, id);
    const nodes = props.nodes;
    const numNodes = props.numNodes ?? 2;
    const mainNode = props.mainNode ?? 0;
    const errors = new ConfigErrors('HpcBatchJobs', this.node.path);
    if (nodes.capacityType === HpcCapacityType.SPOT) {
      errors.add('nodes.capacityType', nodes.capacityType, 'AWS Batch does not run multi-node parallel jobs on Spot compute environments',
        'use an HpcCluster with capacityType: HpcCapacityType.ON_DEMAND for Batch');
    }
    const cpu = props.cpu ?? 2;
    const memory = props.memory ?? Size.gibibytes(4);
    const maxvCpus = props.maxvCpus ?? 256;
    validateBatchJobSizing(this, errors, { instanceType: nodes.instanceType.toString(), numNodes, mainNode, cpu, memory, maxvCpus });
    errors.throwIfAny();

    const arm = nodes.instanceType.architecture === ec2.InstanceArchitecture.ARM_64;
    this.computeEnvironment = new batch.ManagedEc2EcsComputeEnvironment(this, 'ComputeEnvironment', {
      vpc: nodes.vpc,
      vpcSubnets: { subnets: [nodes.subnet] },
      instanceTypes: [nodes.instanceType],
      useOptimalInstanceClasses: false,
      launchTemplate: nodes.launchTemplate,
      placementGroup: nodes.placementGroup,
      // Batch needs the ECS agent: the ECS-optimised AMI overrides the launch template's plain one.
      images: [{
        image: ecs.EcsOptimizedImage.amazonLinux2023(arm ? ecs.AmiHardwareType.ARM : ecs.AmiHardwareType.STANDARD),
        imageType: batch.EcsMachineImageType.ECS_AL2023,
      }],
      // Batch gives each multi-node container its own network interface (awsvpc) with the compute
      // environment's security groups, or the VPC's default group when there are none: the node group
      // is what lets the containers reach each other (MPI, EFA) and the file systems. Batch documents
      // that these groups take precedence over the launch template's.
      securityGroups: nodes.connections.securityGroups,
      minvCpus: 0,
      maxvCpus,
      spot: false,
    });
    // A pinned version: Batch resolves $Default/$Latest (or no version) only when the environment is
    // created or updated, so a new launch template version would reach new instances unpredictably.
    // Each deploy that changes the template passes its new version number, which updates the environment.
    (this.computeEnvironment.node.defaultChild as batch.CfnComputeEnvironment).addPropertyOverride('ComputeResources.LaunchTemplate.Version', nodes.launchTemplate.versionNumber);
    if (nodes.efsFileSystem) {
      // Batch replaces the launch template's instance profile with its own: the hosts mount EFS (IAM
      // authorization) with this role.
      nodes.efsFileSystem.grantRootAccess(this.computeEnvironment.instanceRole!);
    }
    Validations.of(this.computeEnvironment).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role]',
      reason: 'AmazonEC2ContainerServiceforEC2Role is the AWS-maintained policy the ECS agent on Batch instances needs to register with the cluster and pull images; AWS updates it with the agent.',
    });

    this.jobQueue = new batch.JobQueue(this, 'JobQueue', {
      computeEnvironments: [{ computeEnvironment: this.computeEnvironment, order: 1 }],
    });

    const container = new batch.EcsEc2ContainerDefinition(this, 'Container', {
      image: props.image,
      command: props.command,
      cpu: asStringValued(cpu),
      memory: memory.isUnresolved() ? Size.mebibytes(asStringValued(memory.toMebibytes())) : memory,
      // EFA pins memory for RDMA.
      ulimits: nodes.efaInterfaces > 0 ? [{ name: batch.UlimitName.MEMLOCK, softLimit: -1, hardLimit: -1 }] : undefined,
      linuxParameters: nodes.efaInterfaces > 0 ? new batch.LinuxParameters(this, 'LinuxParameters') : undefined,
      // The hosts mount the shared file systems at boot; containers see them at the same paths.
      volumes: [
        ...(nodes.lustreMountPoint ? [batch.EcsVolume.host({ name: 'fsx-lustre', hostPath: nodes.lustreMountPoint, containerPath: nodes.lustreMountPoint })] : []),
        ...(nodes.efsFileSystem && nodes.efsMountPoint ? [batch.EcsVolume.host({ name: 'efs', hostPath: nodes.efsMountPoint, containerPath: nodes.efsMountPoint })] : []),
      ],
    });
    Validations.of(container).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/batch/job:*]',
      reason: 'The execution role writes container logs to the /aws/batch/job log group only; Batch creates one log stream per job and node at run time, so the stream names cannot be listed in advance.',
    });
    for (let i = 0; i < nodes.efaInterfaces; i++) {
      container.linuxParameters!.addDevices({
        hostPath: `/dev/infiniband/uverbs${i}`,
        containerPath: `/dev/infiniband/uverbs${i}`,
        // No permissions: Batch's default is read, write and mknod, and aws-cdk-lib's DevicePermission renders
        // them in lower case where the Batch API documents READ | WRITE | MKNOD.
      });
    }
    this.jobDefinition = new batch.MultiNodeJobDefinition(this, 'JobDefinition', {
      instanceType: nodes.instanceType,
      mainNode,
      containers: [{ container, startNode: 0, endNode: numNodes - 1 }],
    });

    this.failedJobsRule = new events.Rule(this, 'FailedJobsRule', {
      description: 'Jobs of this Batch queue that fail',
      eventPattern: {
        source: ['aws.batch'],
        detailType: ['Batch Job State Change'],
        detail: { status: ['FAILED'], jobQueue: [this.jobQueue.jobQueueArn] },
      },
    });
    this.alarmSet = new AlarmSet(props.alarmActions);
    this.failedJobsAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'FailedJobsAlarm', {
      // Any failed job: a multi-node job that fails has lost every node's work; 5 minutes groups a burst of failures.
      metric: this.metricFailedJobs(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // EventBridge publishes the metric only when the rule matches: no data is no failure.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `Batch queue of ${this.node.path}: a job failed. `
        + 'aws batch list-jobs --job-queue <queue> --job-status FAILED shows which; its statusReason and the container logs in /aws/batch/job say why (exit code, OOM, host terminated).',
    }));
  }

  /** The alarms of the construct. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.alarmSet.alarms;
  }

  /** Adds actions to every alarm of the construct, present and future. */
  public addAlarmActions(...actions: cloudwatch.IAlarmAction[]): void {
    this.alarmSet.addActions(...actions);
  }

  /**
   * Failed jobs of the queue: how often `failedJobsRule` matched (`AWS/Events` `TriggeredRules` by
   * `RuleName`, `Sum` over 5 minutes).
   */
  public metricFailedJobs(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Events', metricName: 'TriggeredRules', dimensionsMap: { RuleName: this.failedJobsRule.ruleName },
      statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5), ...props,
    });
  }
}

/**
 * A number token that resolves to the string of its value. aws-cdk-lib renders a container's
 * VCPU and MEMORY with `toString()`, which leaves a Lazy number a number where Batch's schema wants
 * a string; a CfnParameter stays a `Ref`. Concrete numbers pass through.
 */
function asStringValued(n: number): number {
  if (!Token.isUnresolved(n)) {
    return n;
  }
  const resolvable: IResolvable = {
    creationStack: [],
    resolve: (context: IResolveContext) => {
      const value = context.resolve(n);
      return typeof value === 'number' ? String(value) : value;
    },
  };
  return Token.asNumber(resolvable);
}
