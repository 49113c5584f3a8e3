import { CfnParameter, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { HpcBatchJobs, HpcBatchJobsProps } from '../../lib/hpc/hpc-batch-jobs';
import { HpcCapacityType, HpcCluster, HpcClusterProps } from '../../lib/hpc/hpc-cluster';
import { testApp } from '../support/app';

function build(cluster: Partial<HpcClusterProps> = {}, jobs: Partial<HpcBatchJobsProps> = {}): { stack: Stack; nodes: HpcCluster; template: Template } {
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
    const { template } = build({ instanceType: new ec2.InstanceType('c6in.32xlarge'), efaInterfaces: 2 }, { numNodes: 4, mainNode: 1, cpu: 64, memory: Size.gibibytes(200) });
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
});
