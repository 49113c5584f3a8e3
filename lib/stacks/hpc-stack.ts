import { CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { HpcBatchJobs } from '../hpc/hpc-batch-jobs';
import { HpcCluster } from '../hpc/hpc-cluster';
import { createAccessLogsBucket, createSecureBucket } from '../private/secure-bucket';
import { exampleVpc } from './ha-vpc';

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
 * Example: an EFA cluster of c5n.18xlarge nodes in one cluster placement group in one public subnet
 * (no NAT gateway; no inbound rules, Session Manager access), scaled to 0 nodes, with a 1.2 TiB
 * SCRATCH_2 FSx for Lustre file system linked to an S3 bucket under /data, and a Batch queue for
 * 2-node multi-node parallel jobs on the same launch template (0 vCPUs when idle).
 *
 * At the defaults only the file system runs: about $0.23/hour (1,200 GiB × $0.14/GB-month, us-east-1).
 * The file system is destroyed with the stack (scratch; the data lives in the retained bucket).
 */
export class HpcStack extends Stack {
  public readonly cluster: HpcCluster;
  public readonly batchJobs: HpcBatchJobs;

  constructor(scope: Construct, id: string, props: HpcStackProps = {}) {
    super(scope, id, props);
    const vpc = exampleVpc(this, false);
    const logs = createAccessLogsBucket(this, 'AccessLogs', RemovalPolicy.RETAIN);
    const data = createSecureBucket(this, 'Data', {
      removalPolicy: RemovalPolicy.RETAIN, serverAccessLogsBucket: logs, serverAccessLogsPrefix: 'data/',
    });
    this.cluster = new HpcCluster(this, 'Cluster', {
      vpc,
      vpcSubnets: { subnets: [vpc.publicSubnets[0]] },
      // A public IPv4 address for SSM, S3 and the package repositories (no NAT gateway); no inbound rules.
      associatePublicIpAddress: true,
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
    });
    this.batchJobs = new HpcBatchJobs(this, 'BatchJobs', {
      nodes: this.cluster,
      // Replace with your MPI image (libfabric + Open MPI / Intel MPI); this one only prints the node index.
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/amazonlinux/amazonlinux:2023'),
      command: ['sh', '-c', 'echo "node $AWS_BATCH_JOB_NODE_INDEX of $AWS_BATCH_JOB_NUM_NODES (main: $AWS_BATCH_JOB_MAIN_NODE_INDEX)"'],
      maxvCpus: (props.maxNodes ?? 2) * 72,
    });
    new CfnOutput(this, 'JobQueueArn', { value: this.batchJobs.jobQueue.jobQueueArn });
    new CfnOutput(this, 'JobDefinitionArn', { value: this.batchJobs.jobDefinition.jobDefinitionArn });
    new CfnOutput(this, 'AutoScalingGroupName', { value: this.cluster.autoScalingGroup.autoScalingGroupName });
    new CfnOutput(this, 'FileSystemId', { value: this.cluster.fileSystem.ref });
    new CfnOutput(this, 'DataBucketName', { value: data.bucketName });
  }
}
