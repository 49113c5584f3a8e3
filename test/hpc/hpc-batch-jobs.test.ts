import { CfnParameter, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { HpcBatchJobs, HpcBatchJobsProps } from '../../lib/hpc/hpc-batch-jobs';
import { HpcCluster } from '../../lib/hpc/hpc-cluster';
import { HpcCapacityType, HpcClusterProps } from '../../lib/hpc/hpc-cluster-props';
import { testApp } from '../support/app';
import { matchesEventPattern } from '../support/event-pattern';

function build(
  cluster: Partial<HpcClusterProps> = {}, jobs: Partial<HpcBatchJobsProps> = {},
): { stack: Stack; nodes: HpcCluster; template: Template } {
  const stack = new Stack(testApp(), 'TestStack');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const nodes = new HpcCluster(stack, 'Cluster', { vpc, ...cluster });
  new HpcBatchJobs(stack, 'Jobs', { nodes, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/example/mpi:latest'), ...jobs });
  return { stack, nodes, template: Template.fromStack(stack) };
}

describe('HpcBatchJobs', () => {
  describe('defaults', () => {
    let template: Template;
    let stack: Stack;
    let nodes: HpcCluster;
    beforeAll(() => ({ template, stack, nodes } = build()));
    const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);

    test('a managed EC2 compute environment in the placement group and subnet, from the EFA launch template, with the ECS-optimised AMI', () => {
      template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
        Type: 'managed',
        ComputeResources: Match.objectLike({
          Type: 'EC2', MinvCpus: 0, MaxvCpus: 256, InstanceTypes: ['c5n.18xlarge'],
          Subnets: [{ Ref: Match.stringLikeRegexp('^VpcPrivateSubnet1') }],
          PlacementGroup: { 'Fn::GetAtt': [id(nodes.placementGroup!), 'GroupName'] },
          LaunchTemplate: Match.objectLike({ LaunchTemplateId: { Ref: id(nodes.launchTemplate) } }),
          Ec2Configuration: [{ ImageIdOverride: Match.anyValue(), ImageType: 'ECS_AL2023' }],
        }),
      });
    });

    test('the compute environment keeps the nodes\' security group (multi-node containers\' interfaces get it; without it, the VPC default group)', () => {
      const [ce] = Object.values(template.findResources('AWS::Batch::ComputeEnvironment'));
      expect(ce.Properties.ComputeResources.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [id(nodes.securityGroup), 'GroupId'] }]);
    });

    test('the launch template version is pinned to its latest version number', () => {
      const [ce] = Object.values(template.findResources('AWS::Batch::ComputeEnvironment'));
      expect(ce.Properties.ComputeResources.LaunchTemplate).toEqual({
        LaunchTemplateId: { Ref: id(nodes.launchTemplate) },
        Version: { 'Fn::GetAtt': [id(nodes.launchTemplate), 'LatestVersionNumber'] },
      });
    });

    test('containers mount the host\'s FSx for Lustre path at the same path', () => {
      const [jd] = Object.values(template.findResources('AWS::Batch::JobDefinition'));
      const container = jd.Properties.NodeProperties.NodeRangeProperties[0].Container;
      expect(container.Volumes).toEqual([{ Name: 'fsx-lustre', Host: { SourcePath: '/fsx' } }]);
      expect(container.MountPoints).toEqual([expect.objectContaining({ SourceVolume: 'fsx-lustre', ContainerPath: '/fsx' })]);
      expect(container.MountPoints[0].ReadOnly).not.toBe(true);
    });

    test('a job queue on the compute environment', () => {
      const ce = template.getResourceId('AWS::Batch::ComputeEnvironment', {});
      template.hasResourceProperties('AWS::Batch::JobQueue', {
        ComputeEnvironmentOrder: [{ ComputeEnvironment: { 'Fn::GetAtt': [ce, 'ComputeEnvironmentArn'] }, Order: 1 }],
      });
    });

    test('a multi-node job definition: main node 0, one node range over 2 nodes, EFA device and unlimited memlock', () => {
      template.hasResourceProperties('AWS::Batch::JobDefinition', {
        Type: 'multinode',
        NodeProperties: {
          MainNode: 0, NumNodes: 2,
          NodeRangeProperties: [{
            TargetNodes: '0:1',
            Container: Match.objectLike({
              Image: 'public.ecr.aws/example/mpi:latest', InstanceType: 'c5n.18xlarge',
              LinuxParameters: Match.objectLike({
                Devices: [{ HostPath: '/dev/infiniband/uverbs0', ContainerPath: '/dev/infiniband/uverbs0', Permissions: Match.absent() }],
              }),
              Ulimits: [{ Name: 'memlock', SoftLimit: -1, HardLimit: -1 }],
            }),
          }],
        },
      });
    });
  });

  test('one device per EFA interface', () => {
    const { template } = build({ instanceType: new ec2.InstanceType('c6in.32xlarge'), efaInterfaces: 2 }, { numNodes: 4, mainNode: 1, cpu: 64, memory: Size.gibibytes(200), maxvCpus: 512 });
    const [jd] = Object.values(template.findResources('AWS::Batch::JobDefinition'));
    const range = jd.Properties.NodeProperties.NodeRangeProperties[0];
    expect(jd.Properties.NodeProperties).toMatchObject({ MainNode: 1, NumNodes: 4 });
    expect(range.TargetNodes).toBe('0:3');
    expect(range.Container.LinuxParameters.Devices.map((d: { HostPath: string }) => d.HostPath)).toEqual(['/dev/infiniband/uverbs0', '/dev/infiniband/uverbs1']);
  });

  test('without EFA: no devices, and the compute environment keeps the nodes\' security group', () => {
    const { template } = build({ efa: false });
    const [jd] = Object.values(template.findResources('AWS::Batch::JobDefinition'));
    expect(jd.Properties.NodeProperties.NodeRangeProperties[0].Container.LinuxParameters).toBeUndefined();
    const [ce] = Object.values(template.findResources('AWS::Batch::ComputeEnvironment'));
    expect(ce.Properties.ComputeResources.SecurityGroupIds).toHaveLength(1);
  });

  test('with EFS: containers also mount the EFS path, and Batch\'s instance role may mount it (root access, through a mount target)', () => {
    const { template, stack, nodes } = build({ efs: { mountPoint: '/shared' }, lustre: { mountPoint: '/scratch-fs' } });
    const [jd] = Object.values(template.findResources('AWS::Batch::JobDefinition'));
    const container = jd.Properties.NodeProperties.NodeRangeProperties[0].Container;
    expect(container.Volumes).toEqual([{ Name: 'fsx-lustre', Host: { SourcePath: '/scratch-fs' } }, { Name: 'efs', Host: { SourcePath: '/shared' } }]);
    expect(container.MountPoints.map((m: { ContainerPath: string }) => m.ContainerPath)).toEqual(['/scratch-fs', '/shared']);
    const instanceRole = stack.getLogicalId((stack.node.findChild('Jobs').node.findChild('ComputeEnvironment').node.findChild('InstanceProfileRole').node.defaultChild) as never);
    const efsId = stack.getLogicalId(nodes.efsFileSystem!.node.defaultChild as never);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: instanceRole }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: Match.arrayWith(['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientRootAccess', 'elasticfilesystem:ClientWrite']),
        Resource: { 'Fn::GetAtt': [efsId, 'Arn'] },
        Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
      })]) },
    });
  });

  test('fails if the nodes are Spot (Batch does not run multi-node parallel jobs on Spot)', () => {
    expect(() => build({ capacityType: HpcCapacityType.SPOT }))
      .toThrow(/HpcBatchJobs: nodes.capacityType 'SPOT': AWS Batch does not run multi-node parallel jobs on Spot compute environments/);
  });

  test('fails if numNodes is below 2', () => {
    expect(() => build({}, { numNodes: 1 })).toThrow(/numNodes '1': a multi-node parallel job has a whole number of 2 or more nodes/);
  });

  test('fails if numNodes is a token (it sets the node range)', () => {
    const stack = new Stack(testApp(), 'TestStack');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 });
    const nodes = new HpcCluster(stack, 'Cluster', { vpc });
    const numNodes = new CfnParameter(stack, 'N', { type: 'Number' }).valueAsNumber;
    expect(() => new HpcBatchJobs(stack, 'Jobs', { nodes, image: ecs.ContainerImage.fromRegistry('x'), numNodes })).toThrow(/numNodes '\(token\)'/);
  });

  test('fails if mainNode is outside the nodes', () => {
    expect(() => build({}, { numNodes: 2, mainNode: 2 })).toThrow(/mainNode '2': must be a node index from 0 to numNodes - 1 \(1\)/);
  });

  describe('failed jobs', () => {
    const QUEUE = 'arn:aws:batch:us-east-1:111111111111:job-queue/JobsQueue';
    /** A job state change event as AWS Batch sends it (Batch User Guide, "Job state change events"). */
    const jobEvent = (status: string, jobQueue = QUEUE) => ({
      'version': '0', 'id': 'c8f9c4b5-76e5-d76a-f980-7011e206042b', 'detail-type': 'Batch Job State Change', 'source': 'aws.batch',
      'account': '111111111111', 'time': '2022-01-11T23:36:40Z', 'region': 'us-east-1',
      'resources': ['arn:aws:batch:us-east-1:111111111111:job/4c7599ae-0a82-49aa-ba5a-4727fcce14a8'],
      'detail': { jobArn: 'arn:aws:batch:us-east-1:111111111111:job/4c7599ae', jobName: 'mpi', jobId: '4c7599ae', jobQueue, status, statusReason: 'Essential container in task exited' },
    });
    const setup = () => {
      const { stack, template } = build();
      const jobs = stack.node.findChild('Jobs') as HpcBatchJobs;
      const [rule] = Object.values(template.findResources('AWS::Events::Rule'));
      // the queue's Ref is its ARN
      const queueArn = JSON.stringify(stack.resolve(jobs.jobQueue.jobQueueArn));
      const pattern = JSON.parse(JSON.stringify(rule.Properties.EventPattern).split(queueArn).join(JSON.stringify(QUEUE)));
      return { stack, jobs, template, pattern };
    };

    test('the rule matches a job of this queue moving to FAILED, not one that succeeds or another queue\'s', () => {
      const { pattern } = setup();
      expect(matchesEventPattern(pattern, jobEvent('FAILED'))).toBe(true);
      expect(matchesEventPattern(pattern, jobEvent('SUCCEEDED'))).toBe(false);
      expect(matchesEventPattern(pattern, jobEvent('RUNNING'))).toBe(false);
      expect(matchesEventPattern(pattern, jobEvent('FAILED', 'arn:aws:batch:us-east-1:111111111111:job-queue/Other'))).toBe(false);
    });

    test('the alarm fires on one match in 5 minutes of the rule\'s TriggeredRules; no data is no failure', () => {
      const { stack, jobs, template } = setup();
      // the other alarm is the cluster's
      template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Events', MetricName: 'TriggeredRules', Dimensions: [{ Name: 'RuleName', Value: { Ref: stack.getLogicalId(jobs.failedJobsRule.node.defaultChild as never) } }],
        Statistic: 'Sum', Period: 300, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching',
        AlarmDescription: Match.stringLikeRegexp('a job failed.*--job-status FAILED'),
      });
      expect(jobs.alarms).toEqual([jobs.failedJobsAlarm]);
    });

    test('alarmActions and addAlarmActions() reach the alarm', () => {
      const action = (name: string): cloudwatch.IAlarmAction => ({ bind: () => ({ alarmActionArn: `arn:aws:sns:us-east-1:111111111111:${name}` }) });
      const stack = new Stack(testApp(), 'TestStack');
      const nodes = new HpcCluster(stack, 'Cluster', { vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 }) });
      const jobs = new HpcBatchJobs(stack, 'Jobs', { nodes, image: ecs.ContainerImage.fromRegistry('x'), alarmActions: [action('first')] });
      jobs.addAlarmActions(action('second'));
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TriggeredRules', AlarmActions: ['arn:aws:sns:us-east-1:111111111111:first', 'arn:aws:sns:us-east-1:111111111111:second'] });
    });
  });
});
