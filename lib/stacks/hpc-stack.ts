import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { createAlarmTopic } from './alarm-topic';
import { accountUniqueName } from '../private/account-unique-name';
import { DataSyncTransfer } from '../hpc/data-sync-transfer';
import { EfaInstanceTypes } from '../hpc/efa-instance-types';
import { HpcBatchJobs } from '../hpc/hpc-batch-jobs';
import { HpcCluster } from '../hpc/hpc-cluster';
import { createAccessLogsBucket, createSecureBucket } from '../private/secure-bucket';

export interface HpcStackProps extends StackProps {
  /**
   * Nodes running after deploy. Each c5n.18xlarge costs about $3.89/hour On-Demand (us-east-1).
   *
   * @default 0
   */
  readonly minNodes?: number;

  /**
   * Most nodes the group may scale to (set its desired capacity to run them).
   *
   * @default 2
   */
  readonly maxNodes?: number;

  /**
   * Node instance type (must support EFA).
   *
   * @default ec2.InstanceType.of(ec2.InstanceClass.C5N, ec2.InstanceSize.XLARGE18)
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * FSx for Lustre SCRATCH_2 capacity in GiB (1,200, 2,400, then steps of 2,400); 200 MB/s per TiB.
   *
   * @default 1200
   */
  readonly storageCapacityGiB?: number;
}

/**
 * Example: an EFA cluster of c5n.18xlarge nodes in one cluster placement group in one private subnet
 * (outbound through one NAT gateway and an S3 gateway endpoint; no inbound rules, Session Manager
 * access), scaled to 0 nodes, with a 1.2 TiB SCRATCH_2 FSx for Lustre file system linked to an S3
 * bucket under /data, an elastic-throughput EFS file system at /efs, a DataSync task from the
 * bucket's staging/ prefix to /staging on Lustre, and a Batch queue for 2-node multi-node parallel
 * jobs on the same launch template (0 vCPUs when idle), whose containers see /fsx and /efs.
 *
 * At the defaults about $0.28/hour runs: the file system (1,200 GiB × $0.14/GB-month) and the NAT
 * gateway with its public IPv4 address ($0.045 + $0.005/hour, plus $0.045/GB processed), us-east-1.
 * The Lustre file system is destroyed with the stack (scratch; the data lives in the retained
 * bucket); the EFS file system is retained.
 *
 * Every alarm (Lustre free capacity, EFS throughput, failed Batch jobs, failed DataSync executions)
 * publishes to one encrypted alarm topic (`-c alarmEmail=...` subscribes an address), which also
 * receives each failed job's and failed execution's event; the `dashboard` shows the flow.
 */
export class HpcStack extends Stack {
  public readonly cluster: HpcCluster;
  public readonly batchJobs: HpcBatchJobs;
  public readonly staging: DataSyncTransfer;
  public readonly alarmTopic: sns.Topic;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: HpcStackProps = {}) {
    super(scope, id, props);
    const { topic, action } = createAlarmTopic(this);
    this.alarmTopic = topic;
    // Private subnets: Batch gives multi-node containers their own interfaces (awsvpc) and never a
    // public IP, so images, S3 and the ECS/Batch endpoints are reached through the NAT gateway (one,
    // about $0.05/hour with its address; interface endpoints for ECR, ECS, Logs and SSM would cost more
    // and could not reach public.ecr.aws). S3, the data and the package repositories go through the free gateway endpoint.
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 1,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    vpc.addFlowLog('FlowLog', {
      trafficType: ec2.FlowLogTrafficType.REJECT,
      destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(this, 'FlowLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      })),
    });
    const accessLogs = createAccessLogsBucket(this, 'AccessLogs', RemovalPolicy.RETAIN);
    const data = createSecureBucket(this, 'Data', {
      removalPolicy: RemovalPolicy.RETAIN, serverAccessLogsBucket: accessLogs, serverAccessLogsPrefix: 'data/',
    });
    this.cluster = new HpcCluster(this, 'Cluster', {
      vpc,
      vpcSubnets: { subnets: [vpc.privateSubnets[0]] },
      instanceType: props.instanceType,
      minCapacity: props.minNodes ?? 0,
      maxCapacity: props.maxNodes ?? 2,
      lustre: {
        storageCapacityGiB: props.storageCapacityGiB ?? 1200,
        dataRepositories: [{ bucket: data, fileSystemPath: '/data' }],
        // Scratch: the data of record stays in the (retained) S3 bucket, and a retained file system
        // left behind by `cdk destroy` would keep billing ~$170/month.
        removalPolicy: RemovalPolicy.DESTROY,
      },
      // Home directories and software shared by all nodes; elastic throughput costs nothing while idle.
      efs: {},
      alarmActions: [action],
    });
    // Bulk staging into Lustre (the association keeps /data in step with the bucket by itself):
    // DataSync's interfaces reach the file servers as a Lustre client, through their own group.
    const dataSyncSecurityGroup = new ec2.SecurityGroup(this, 'DataSyncSecurityGroup', {
      vpc,
      description: 'DataSync interfaces of the Lustre location (Lustre ports to the file servers only)',
      allowAllOutbound: false,
    });
    this.cluster.allowLustreClient(dataSyncSecurityGroup);
    this.staging = new DataSyncTransfer(this, 'Staging', {
      bucket: data,
      bucketPrefix: 'staging/',
      fsxLustre: { fileSystemArn: this.cluster.fileSystemArn, securityGroups: [dataSyncSecurityGroup], subdirectory: '/staging' },
      alarmActions: [action],
    });
    this.batchJobs = new HpcBatchJobs(this, 'BatchJobs', {
      nodes: this.cluster,
      // Replace with your MPI image (libfabric + Open MPI / Intel MPI); this one only prints the node index.
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/amazonlinux/amazonlinux:2023'),
      command: ['sh', '-c', 'echo "node $AWS_BATCH_JOB_NODE_INDEX of $AWS_BATCH_JOB_NUM_NODES (main: $AWS_BATCH_JOB_MAIN_NODE_INDEX)"'],
      // Room for a job on every node the group may run: each node of a multi-node job is one instance.
      maxvCpus: (props.maxNodes ?? 2) * (EfaInstanceTypes.of(this.cluster.instanceType.toString())?.vCpus ?? 72),
      alarmActions: [action],
    });
    routeToAlarmTopic(topic, this.batchJobs.failedJobsRule, events.RuleTargetInput.fromText(
      `Batch job ${events.EventField.fromPath('$.detail.jobName')} (${events.EventField.fromPath('$.detail.jobId')}) failed: ${events.EventField.fromPath('$.detail.statusReason')}`));
    routeToAlarmTopic(topic, this.staging.failedExecutionsRule, events.RuleTargetInput.fromText(
      `DataSync execution ${events.EventField.fromPath('$.resources[0]')} failed (aws datasync describe-task-execution shows ErrorCode and ErrorDetail)`));
    this.dashboard = createHpcDashboard(this, this.cluster, this.batchJobs, this.staging);
    new CfnOutput(this, 'JobQueueArn', { value: this.batchJobs.jobQueue.jobQueueArn });
    new CfnOutput(this, 'JobDefinitionArn', { value: this.batchJobs.jobDefinition.jobDefinitionArn });
    new CfnOutput(this, 'AutoScalingGroupName', { value: this.cluster.autoScalingGroup.autoScalingGroupName });
    new CfnOutput(this, 'FileSystemId', { value: this.cluster.fileSystem.ref });
    new CfnOutput(this, 'DataBucketName', { value: data.bucketName });
    new CfnOutput(this, 'EfsFileSystemId', { value: this.cluster.efsFileSystem!.fileSystemId });
    new CfnOutput(this, 'StagingTaskArn', { value: this.staging.task.attrTaskArn });
  }
}

/** Longest EventBridge rule name. */
const RULE_NAME_LENGTH = 64;

/**
 * Sends the events `rule` matches to the alarm topic, whose key and policy admit EventBridge for
 * this rule only (`aws:SourceArn`). The rule gets a physical name so that its ARN can be written
 * without referring to the rule: the rule refers to the topic, the topic to the key.
 */
function routeToAlarmTopic(topic: sns.Topic, rule: events.Rule, input: events.RuleTargetInput): void {
  const stack = Stack.of(rule);
  const ruleName = accountUniqueName(rule, 'Resource', RULE_NAME_LENGTH);
  (rule.node.defaultChild as events.CfnRule).name = ruleName;
  const fromRule = {
    ArnEquals: { 'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: ruleName }) },
    StringEquals: { 'aws:SourceAccount': stack.account },
  };
  const principals = [new iam.ServicePrincipal('events.amazonaws.com')];
  topic.addToResourcePolicy(new iam.PolicyStatement({ principals, actions: ['sns:Publish'], resources: [topic.topicArn], conditions: fromRule }));
  topic.masterKey!.addToResourcePolicy(new iam.PolicyStatement({ principals, actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'], conditions: fromRule }));
  // A plain target: aws-cdk-lib's SnsTopic target would grant EventBridge the topic without a source condition.
  rule.addTarget({ bind: () => ({ arn: topic.topicArn, input }) });
  Validations.of(rule).acknowledge({
    id: 'Serverless-EventBusDLQ',
    reason: 'The target only copies the event to the alarm topic for its details; the alarm on the rule\'s TriggeredRules metric fires whether or not this delivery succeeds.',
  });
}

/**
 * The pattern's flow, left to right: data staged in, nodes at work, failures, file-system I/O, and
 * what fills up or costs (Lustre free capacity, EFS throughput), then the alarms.
 */
function createHpcDashboard(scope: Construct, cluster: HpcCluster, jobs: HpcBatchJobs, staging: DataSyncTransfer): cloudwatch.Dashboard {
  const height = 6;
  const width = 8;
  return new cloudwatch.Dashboard(scope, 'Dashboard', {
    defaultInterval: Duration.hours(6),
    widgets: [
      [
        new cloudwatch.GraphWidget({
          title: 'Data in: DataSync staging and Lustre writes (bytes)', width, height,
          left: [staging.metricBytesTransferred({ label: 'DataSync bytes transferred' }), cluster.metricLustreDataWriteBytes({ label: 'Lustre bytes written' })],
        }),
        new cloudwatch.GraphWidget({
          title: 'Work: nodes in service and their CPU', width, height,
          left: [cluster.metricInServiceNodes({ label: 'Nodes in service' })],
          right: [cluster.metricNodeCpuUtilization({ label: 'CPU utilization (%)' })],
        }),
        new cloudwatch.GraphWidget({
          title: 'Failures: Batch jobs and DataSync executions', width, height,
          left: [jobs.metricFailedJobs({ label: 'Failed Batch jobs' }), staging.metricFailedExecutions({ label: 'Failed DataSync executions' })],
        }),
      ],
      [
        new cloudwatch.GraphWidget({
          title: 'Lustre I/O (bytes per 5 minutes)', width, height,
          left: [cluster.metricLustreDataReadBytes({ label: 'Read' }), cluster.metricLustreDataWriteBytes({ label: 'Written' })],
        }),
        new cloudwatch.GraphWidget({
          title: 'Capacity: Lustre free fraction, EFS throughput utilization (%)', width, height,
          left: [cluster.metricLustreFreeCapacityFraction()],
          right: [cluster.metricEfsThroughputUtilization()],
          leftYAxis: { min: 0, max: 1 },
          rightYAxis: { min: 0, max: 100 },
        }),
        new cloudwatch.AlarmStatusWidget({
          title: 'Alarms', width, height,
          alarms: [...cluster.alarms, ...jobs.alarms, ...staging.alarms],
        }),
      ],
    ],
  });
}
