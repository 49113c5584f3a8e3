import { Match, Template } from 'aws-cdk-lib/assertions';
import { HpcStack } from '../../lib/stacks/hpc-stack';
import { testApp } from '../support/app';

/** The `Hpc` example's network: where the compute sits and how it gets out. */
describe('example stack Hpc', () => {
  let template: Template;
  let stack: HpcStack;
  beforeAll(() => {
    stack = new HpcStack(testApp(), 'Hpc');
    template = Template.fromStack(stack);
  });

  const subnetOfNodes = () => {
    const [asg] = Object.values(template.findResources('AWS::AutoScaling::AutoScalingGroup'));
    expect(asg.Properties.VPCZoneIdentifier).toHaveLength(1);
    return asg.Properties.VPCZoneIdentifier[0].Ref as string;
  };

  const routeTableOf = (subnet: string) => {
    const [association] = Object.values(template.findResources('AWS::EC2::SubnetRouteTableAssociation', { Properties: { SubnetId: { Ref: subnet } } }));
    return association.Properties.RouteTableId.Ref as string;
  };

  test('the nodes, Batch\'s instances (and so its awsvpc containers) and both file systems share one subnet without public IPs', () => {
    const subnet = subnetOfNodes();
    expect(template.findResources('AWS::EC2::Subnet')[subnet].Properties.MapPublicIpOnLaunch).toBe(false);
    const [ce] = Object.values(template.findResources('AWS::Batch::ComputeEnvironment'));
    expect(ce.Properties.ComputeResources.Subnets).toEqual([{ Ref: subnet }]);
    template.hasResourceProperties('AWS::FSx::FileSystem', { SubnetIds: [{ Ref: subnet }] });
    template.hasResourceProperties('AWS::EFS::MountTarget', { SubnetId: { Ref: subnet } });
    const [lt] = Object.values(template.findResources('AWS::EC2::LaunchTemplate'));
    expect(lt.Properties.LaunchTemplateData.NetworkInterfaces[0].AssociatePublicIpAddress).toBeUndefined();
  });

  test('that subnet\'s default route goes to a NAT gateway (containers pull images and reach ECS, Batch and S3)', () => {
    const table = routeTableOf(subnetOfNodes());
    template.hasResourceProperties('AWS::EC2::Route', { RouteTableId: { Ref: table }, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: Match.anyValue() });
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  test('S3 (data, ECR layers, package repositories) goes through the gateway endpoint on that route table', () => {
    const table = routeTableOf(subnetOfNodes());
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['.s3'])] }),
      RouteTableIds: Match.arrayWith([{ Ref: table }]),
    });
  });

  test('a DataSync task stages s3://bucket/staging/ into /staging on Lustre, through a group that reaches only the Lustre ports', () => {
    const [location] = Object.values(template.findResources('AWS::DataSync::LocationFSxLustre'));
    expect(location.Properties.Subdirectory).toBe('/staging');
    expect(location.Properties.FsxFilesystemArn).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(stack.cluster.fileSystem), 'ResourceARN'] });
    const sg = stack.getLogicalId(stack.node.findChild('DataSyncSecurityGroup').node.defaultChild as never);
    expect(JSON.stringify(location.Properties.SecurityGroupArns)).toContain(`"${sg}"`);
    const fs = stack.getLogicalId(stack.cluster.fileSystemSecurityGroup.node.defaultChild as never);
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress', { Properties: { GroupId: { 'Fn::GetAtt': [sg, 'GroupId'] } } }))
      .map((r) => [r.Properties.FromPort, r.Properties.ToPort, r.Properties.DestinationSecurityGroupId['Fn::GetAtt'][0]]);
    expect(egress.sort()).toEqual([[1018, 1023, fs], [988, 988, fs]]);
    for (const [from, to] of [[988, 988], [1018, 1023]]) {
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: from, ToPort: to, GroupId: { 'Fn::GetAtt': [fs, 'GroupId'] }, SourceSecurityGroupId: { 'Fn::GetAtt': [sg, 'GroupId'] } });
    }
    template.hasResourceProperties('AWS::DataSync::LocationS3', { Subdirectory: '/staging/' });
  });

  describe('operations', () => {
    const topicId = () => stack.getLogicalId(stack.alarmTopic.node.defaultChild as never);
    const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);

    test('every alarm (Lustre capacity, EFS throughput, failed jobs, failed DataSync executions) publishes to the alarm topic', () => {
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms).toHaveLength(4);
      for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId() }]);
      expect([...stack.cluster.alarms, ...stack.batchJobs.alarms, ...stack.staging.alarms]).toHaveLength(4);
    });

    test('each failed job and failed execution also reaches the topic, as a readable line', () => {
      for (const rule of [stack.batchJobs.failedJobsRule, stack.staging.failedExecutionsRule]) {
        const targets = template.toJSON().Resources[id(rule)].Properties.Targets;
        expect(targets).toEqual([expect.objectContaining({ Arn: { Ref: topicId() }, InputTransformer: expect.anything() })]);
      }
    });

    test('the dashboard graphs the stack\'s own resources: file systems, node group, rules, DataSync task, alarms', () => {
      const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
      expect(dashboards).toHaveLength(1);
      const body = JSON.stringify(dashboards[0].Properties.DashboardBody);
      const refs = [stack.cluster.efsFileSystem!, stack.cluster.autoScalingGroup, stack.batchJobs.failedJobsRule, stack.staging.failedExecutionsRule]
        .map((c) => id(c as never));
      for (const ref of [...refs, stack.getLogicalId(stack.cluster.fileSystem), stack.getLogicalId(stack.staging.task)]) expect(body).toContain(`"${ref}"`);
      for (const metric of ['FreeDataStorageCapacity', 'DataWriteBytes', 'GroupInServiceInstances', 'CPUUtilization', 'TriggeredRules', 'BytesTransferred', 'MeteredIOBytes']) {
        expect(body).toContain(metric);
      }
      for (const alarm of Object.keys(template.findResources('AWS::CloudWatch::Alarm'))) expect(body).toContain(`"${alarm}"`);
    });
  });
});
