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
});
