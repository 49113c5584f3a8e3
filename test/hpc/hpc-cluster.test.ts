import { CfnParameter, Lazy, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EfaInstanceTypes } from '../../lib/hpc/efa-instance-types';
import { HpcCluster } from '../../lib/hpc/hpc-cluster';
import { HpcCapacityType, HpcClusterProps } from '../../lib/hpc/hpc-cluster-props';
import { testStackWithVpc } from '../support/app';

function build(props: Partial<HpcClusterProps> = {}): { stack: Stack; cluster: HpcCluster; template: Template } {
  const { stack, vpc } = testStackWithVpc();
  const cluster = new HpcCluster(stack, 'Cluster', { vpc, ...props });
  return { stack, cluster, template: Template.fromStack(stack) };
}

/** Builds with `props(vpc, stack)`, for props that need the VPC. */
function buildWith(props: (vpc: ec2.Vpc, stack: Stack) => Partial<HpcClusterProps>): () => HpcCluster {
  return () => {
    const { stack, vpc } = testStackWithVpc();
    return new HpcCluster(stack, 'Cluster', { vpc, ...props(vpc, stack) });
  };
}

/** The nodes' shell script, with `{Ref: X}` / `{Fn::GetAtt: [X, Y]}` rendered as `${X}` / `${X.Y}`. */
function scriptOf(cluster: HpcCluster): string {
  const resolved = Stack.of(cluster).resolve(cluster.userData.render());
  const parts: unknown[] = typeof resolved === 'string' ? [resolved] : resolved['Fn::Join'][1];
  return parts.map((part) => {
    if (typeof part === 'string') return part;
    const p = part as Record<string, unknown>;
    if (p.Ref) return `\${${p.Ref}}`;
    return `\${${(p['Fn::GetAtt'] as string[]).join('.')}}`;
  }).join('');
}

const launchTemplateData = (template: Template) => Object.values(template.findResources('AWS::EC2::LaunchTemplate'))[0].Properties.LaunchTemplateData;

describe('HpcCluster', () => {
  describe('defaults', () => {
    let template: Template;
    let cluster: HpcCluster;
    beforeAll(() => ({ template, cluster } = build()));

    test('an Auto Scaling group of 0-4 c5n.18xlarge nodes in one subnet and the cluster placement group', () => {
      const [pg] = Object.keys(template.findResources('AWS::EC2::PlacementGroup'));
      template.hasResourceProperties('AWS::EC2::PlacementGroup', { Strategy: 'cluster' });
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
        MinSize: '0', MaxSize: '4', DesiredCapacity: Match.absent(),
        VPCZoneIdentifier: [{ Ref: Match.stringLikeRegexp('^VpcPrivateSubnet1') }],
        PlacementGroup: { 'Fn::GetAtt': [pg, 'GroupName'] },
        LaunchTemplate: Match.objectLike({ LaunchTemplateId: Match.anyValue() }),
        MixedInstancesPolicy: Match.absent(),
      });
      expect(launchTemplateData(template).InstanceType).toBe('c5n.18xlarge');
      expect(cluster.efaInterfaces).toBe(1);
    });

    test('launch template: IMDSv2, encrypted gp3 root, AL2023 resolved at launch', () => {
      template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
        LaunchTemplateData: Match.objectLike({
          MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
          ImageId: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: 30, DeleteOnTermination: true } }],
        }),
      });
    });
  });

  test('the launch template\'s user data is MIME multi-part (AWS Batch rejects a bare script) with the script as a shell part', () => {
    const { template } = build();
    const userData = JSON.stringify(launchTemplateData(template).UserData);
    expect(userData).toContain('Content-Type: multipart/mixed');
    expect(userData).toContain('Content-Type: text/x-shellscript');
  });

  describe('EFA', () => {
    test('the primary interface is an EFA on card 0, device 0, with the node security group; no instance-level groups', () => {
      const { template, cluster } = build();
      const data = launchTemplateData(template);
      const sg = template.getResourceId('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp(': nodes') } });
      expect(data.NetworkInterfaces).toEqual([
        { NetworkCardIndex: 0, DeviceIndex: 0, InterfaceType: 'efa', Groups: [{ 'Fn::GetAtt': [sg, 'GroupId'] }], DeleteOnTermination: true },
      ]);
      expect(data.SecurityGroupIds).toBeUndefined();
      expect(cluster.connections.securityGroups).toEqual([cluster.securityGroup]);
    });

    test('additional EFAs are on the next network cards at device index 1', () => {
      const { template } = build({ instanceType: new ec2.InstanceType('p4d.24xlarge'), efaInterfaces: 4 });
      const nics = launchTemplateData(template).NetworkInterfaces;
      expect(nics.map((n: Record<string, unknown>) => [n.NetworkCardIndex, n.DeviceIndex, n.InterfaceType])).toEqual([
        [0, 0, 'efa'], [1, 1, 'efa'], [2, 1, 'efa'], [3, 1, 'efa'],
      ]);
    });

    test('a public IP goes on the primary interface only', () => {
      const { template } = build({ associatePublicIpAddress: true });
      expect(launchTemplateData(template).NetworkInterfaces[0].AssociatePublicIpAddress).toBe(true);
    });

    test('one EFA with a public IP is accepted', () => {
      expect(() => build({ instanceType: new ec2.InstanceType('c6in.32xlarge'), efaInterfaces: 1, associatePublicIpAddress: true })).not.toThrow();
    });

    test('fails if 2 or more EFAs are combined with a public IP (EC2 rejects every such launch)', () => {
      expect(() => build({ instanceType: new ec2.InstanceType('c6in.32xlarge'), efaInterfaces: 2, associatePublicIpAddress: true }))
        .toThrow(/associatePublicIpAddress 'true': EC2 assigns no public IPv4 address to a launch with more than one network interface.*efaInterfaces is 2.*Fix: put the nodes in a private subnet/);
    });

    test('2 EFAs without a public IP are accepted', () => {
      expect(() => build({ instanceType: new ec2.InstanceType('c6in.32xlarge'), efaInterfaces: 2, associatePublicIpAddress: false })).not.toThrow();
    });

    test('security groups added through connections end up on every interface', () => {
      const { stack, vpc } = testStackWithVpc();
      const cluster = new HpcCluster(stack, 'Cluster', { vpc, instanceType: new ec2.InstanceType('c6in.32xlarge'), efaInterfaces: 2 });
      const extra = new ec2.SecurityGroup(stack, 'Extra', { vpc });
      cluster.connections.addSecurityGroup(extra);
      const nics = launchTemplateData(Template.fromStack(stack)).NetworkInterfaces;
      for (const nic of nics) {
        expect(nic.Groups).toHaveLength(2);
        expect(nic.Groups[1]).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(extra.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] });
      }
    });

    test('the node security group allows all traffic to and from itself, in and out, HTTPS out and nothing else', () => {
      const { template } = build();
      const sg = template.getResourceId('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp(': nodes') } });
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { IpProtocol: '-1', GroupId: { 'Fn::GetAtt': [sg, 'GroupId'] }, SourceSecurityGroupId: { 'Fn::GetAtt': [sg, 'GroupId'] } });
      template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { IpProtocol: '-1', GroupId: { 'Fn::GetAtt': [sg, 'GroupId'] }, DestinationSecurityGroupId: { 'Fn::GetAtt': [sg, 'GroupId'] } });
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: Match.stringLikeRegexp(': nodes'),
        SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() }],
        SecurityGroupIngress: Match.absent(),
      });
    });

    test('without EFA the launch template has no interfaces and keeps its security group', () => {
      const { template } = build({ efa: false, instanceType: new ec2.InstanceType('c5n.large') });
      const data = launchTemplateData(template);
      expect(data.NetworkInterfaces).toBeUndefined();
      expect(data.SecurityGroupIds).toHaveLength(1);
    });

    test('efaSupportOverride admits a type newer than the list', () => {
      const { template } = build({ instanceType: new ec2.InstanceType('hpc9z.96xlarge'), efaSupportOverride: { networkCards: 2 }, efaInterfaces: 2 });
      expect(launchTemplateData(template).NetworkInterfaces).toHaveLength(2);
    });

    test('the data file is by size', () => {
      expect(EfaInstanceTypes.of('c5n.18xlarge')).toEqual({ networkCards: 1, vCpus: 72 });
      expect(EfaInstanceTypes.supports('c5n.18xlarge')).toBe(true);
      expect(EfaInstanceTypes.supports('c5n.large')).toBe(false);
      expect(EfaInstanceTypes.of('c5n.large')).toBeUndefined();
      expect(EfaInstanceTypes.of('toString')).toBeUndefined();
      expect(Object.keys(EfaInstanceTypes.ALL).every((t) => /^[a-z0-9-]+\.[a-z0-9-]+$/.test(t))).toBe(true);
    });

    test('fails if the instance type does not support EFA', () => {
      expect(() => build({ instanceType: new ec2.InstanceType('c5n.large') }))
        .toThrow(/HpcCluster: instanceType 'c5n.large': does not support EFA.*Fix: use one of c5n.9xlarge, c5n.18xlarge, c5n.metal, set efa: false, or set efaSupportOverride/);
    });

    test('fails if more EFAs than the type has network cards', () => {
      expect(() => build({ efaInterfaces: 2 })).toThrow(/efaInterfaces '2': c5n.18xlarge has 1 network card\(s\) and takes one EFA per card\. Fix: use at most 1/);
    });

    test('fails if efaInterfaces is below 1', () => {
      expect(() => build({ efaInterfaces: 0 })).toThrow(/efaInterfaces '0': a node with EFA has a whole number of 1 or more/);
    });

    test('fails if efaInterfaces is a token (it is a count of rendered interfaces)', () => {
      expect(() => build({ efaInterfaces: Lazy.number({ produce: () => 1 }) })).toThrow(/efaInterfaces '\(token\)': the count of network interfaces .* must be known at synth time/);
    });

    test('fails if EFA spans more than one subnet/AZ', () => {
      expect(buildWith(() => ({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, clusterPlacementGroup: false })))
        .toThrow(/vpcSubnets 'subnetType Private': selects 2 subnet\(s\) in 2 Availability Zone\(s\); EFA traffic does not cross subnets/);
    });

    test('fails if efaInterfaces is set with efa: false', () => {
      expect(() => build({ efa: false, efaInterfaces: 1 })).toThrow(/efaInterfaces '1': only applies with EFA, but efa is false/);
    });
  });

  describe('placement group', () => {
    test('fails if a cluster placement group spans more than one subnet/AZ', () => {
      expect(buildWith(() => ({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, efa: false, instanceType: new ec2.InstanceType('c5n.large') })))
        .toThrow(/vpcSubnets 'subnetType Private': selects 2 subnet\(s\) in 2 Availability Zone\(s\); a cluster placement group lives in one Availability Zone/);
    });

    test('one explicitly selected subnet is used', () => {
      const { stack, vpc } = testStackWithVpc();
      new HpcCluster(stack, 'Cluster', { vpc, vpcSubnets: { subnets: [vpc.privateSubnets[1]] } });
      Template.fromStack(stack).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { VPCZoneIdentifier: [{ Ref: Match.stringLikeRegexp('^VpcPrivateSubnet2') }] });
    });

    test.each(['t3.large', 'mac1.metal', 'mac2.metal'])('fails if %s is in a cluster placement group', (type) => {
      expect(() => build({ efa: false, instanceType: new ec2.InstanceType(type) }))
        .toThrow(new RegExp(`instanceType '${type}': burstable \\(T\\) and Mac instances cannot be launched in a cluster placement group`));
    });

    test('without a placement group there is none and T types are fine', () => {
      const { template } = build({ efa: false, clusterPlacementGroup: false, instanceType: new ec2.InstanceType('t3.large') });
      template.resourceCountIs('AWS::EC2::PlacementGroup', 0);
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { PlacementGroup: Match.absent() });
    });
  });

  describe('capacity', () => {
    test('Spot uses a capacity-optimised mixed-instances policy with no On-Demand', () => {
      const { template } = build({ capacityType: HpcCapacityType.SPOT, minCapacity: 1, maxCapacity: 8 });
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
        MinSize: '1', MaxSize: '8',
        MixedInstancesPolicy: {
          InstancesDistribution: { OnDemandBaseCapacity: 0, OnDemandPercentageAboveBaseCapacity: 0, SpotAllocationStrategy: 'capacity-optimized' },
          LaunchTemplate: Match.objectLike({ Overrides: [{ InstanceType: 'c5n.18xlarge' }] }),
        },
      });
    });

    test.each([ec2.SpotInstanceInterruption.STOP, ec2.SpotInstanceInterruption.HIBERNATE])('fails if Spot %s is in a placement group', (behavior) => {
      expect(() => build({ capacityType: HpcCapacityType.SPOT, spotInterruptionBehavior: behavior }))
        .toThrow(new RegExp(`spotInterruptionBehavior '${behavior}': EC2 does not launch Spot instances that stop or hibernate on interruption in a placement group`));
    });

    test('Spot terminate in a placement group is fine', () => {
      expect(() => build({ capacityType: HpcCapacityType.SPOT, spotInterruptionBehavior: ec2.SpotInstanceInterruption.TERMINATE })).not.toThrow();
    });

    test('fails if minCapacity exceeds maxCapacity', () => {
      expect(() => build({ minCapacity: 5, maxCapacity: 2 })).toThrow(/minCapacity '5': must not exceed maxCapacity \(2\)/);
    });

    test('fails if desiredCapacity is outside min..max', () => {
      expect(() => build({ minCapacity: 1, maxCapacity: 2, desiredCapacity: 3 })).toThrow(/desiredCapacity '3': must be between minCapacity \(1\) and maxCapacity \(2\)/);
    });
  });

  describe('FSx for Lustre', () => {
    test('SCRATCH_2, 1200 GiB, Lustre 2.15, in the nodes\' subnet, retained', () => {
      const { template } = build();
      template.hasResource('AWS::FSx::FileSystem', {
        Properties: {
          FileSystemType: 'LUSTRE', FileSystemTypeVersion: '2.15', StorageCapacity: 1200,
          SubnetIds: [{ Ref: Match.stringLikeRegexp('^VpcPrivateSubnet1') }],
          LustreConfiguration: { DeploymentType: 'SCRATCH_2' },
        },
        DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain',
      });
    });

    test('Lustre ports 988 and 1018-1023 between nodes and file servers, both ways, and among the servers', () => {
      const { template } = build();
      const nodes = { 'Fn::GetAtt': [template.getResourceId('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp(': nodes') } }), 'GroupId'] };
      const fs = { 'Fn::GetAtt': [template.getResourceId('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('FSx') } }), 'GroupId'] };
      for (const [from, to] of [[988, 988], [1018, 1023]]) {
        const ports = { IpProtocol: 'tcp', FromPort: from, ToPort: to };
        template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { ...ports, GroupId: fs, SourceSecurityGroupId: nodes });
        template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { ...ports, GroupId: fs, SourceSecurityGroupId: fs });
        template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { ...ports, GroupId: nodes, SourceSecurityGroupId: fs });
        template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { ...ports, GroupId: nodes, DestinationSecurityGroupId: fs });
        template.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('FSx'), SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })] });
      }
    });

    test('the file system\'s ARN is exposed', () => {
      const { stack, cluster } = build();
      expect(stack.resolve(cluster.fileSystemArn)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(cluster.fileSystem), 'ResourceARN'] });
      expect(cluster.lustreMountPoint).toBe('/fsx');
    });

    test('allowLustreClient opens the Lustre ports from a client to the file servers and back', () => {
      const { stack, vpc } = testStackWithVpc();
      const cluster = new HpcCluster(stack, 'Cluster', { vpc });
      const client = new ec2.SecurityGroup(stack, 'Client', { vpc, allowAllOutbound: false });
      cluster.allowLustreClient(client);
      const template = Template.fromStack(stack);
      const c = { 'Fn::GetAtt': [stack.getLogicalId(client.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] };
      const fs = { 'Fn::GetAtt': [stack.getLogicalId(cluster.fileSystemSecurityGroup.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] };
      for (const [from, to] of [[988, 988], [1018, 1023]]) {
        const ports = { IpProtocol: 'tcp', FromPort: from, ToPort: to };
        template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { ...ports, GroupId: fs, SourceSecurityGroupId: c });
        template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { ...ports, GroupId: c, DestinationSecurityGroupId: fs });
        template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { ...ports, GroupId: c, SourceSecurityGroupId: fs });
      }
    });

    test('every node mounts it from user data at /fsx', () => {
      const { template, cluster } = build();
      const fs = template.getResourceId('AWS::FSx::FileSystem', {});
      const ud = scriptOf(cluster);
      expect(ud).toContain('dnf install -y lustre-client');
      expect(ud).toContain(`'\${${fs}.DNSName}@tcp:/\${${fs}.LustreMountName} /fsx lustre defaults,noatime,flock,_netdev`);
      expect(ud).toContain('mount /fsx && break');
    });

    test('persistent types get their per-TiB throughput, default and explicit', () => {
      build({ lustre: { deploymentType: fsx.LustreDeploymentType.PERSISTENT_2 } }).template.hasResourceProperties('AWS::FSx::FileSystem', {
        LustreConfiguration: { DeploymentType: 'PERSISTENT_2', PerUnitStorageThroughput: 125 },
      });
      build({
        lustre: {
          deploymentType: fsx.LustreDeploymentType.PERSISTENT_1, perUnitStorageThroughput: 200, storageCapacityGiB: 4800,
          removalPolicy: RemovalPolicy.DESTROY,
        },
      })
        .template.hasResource('AWS::FSx::FileSystem', {
          Properties: Match.objectLike({ StorageCapacity: 4800, LustreConfiguration: { DeploymentType: 'PERSISTENT_1', PerUnitStorageThroughput: 200 } }),
          DeletionPolicy: 'Delete',
        });
    });

    test('data repository associations import on create and auto import/export new, changed and deleted objects', () => {
      const { stack, vpc } = testStackWithVpc();
      const bucket = new s3.Bucket(stack, 'Data');
      new HpcCluster(stack, 'Cluster', { vpc, lustre: { dataRepositories: [{ bucket, bucketPrefix: 'input', fileSystemPath: '/input' }] } });
      const template = Template.fromStack(stack);
      const fs = template.getResourceId('AWS::FSx::FileSystem', {});
      template.hasResourceProperties('AWS::FSx::DataRepositoryAssociation', {
        FileSystemId: { Ref: fs },
        FileSystemPath: '/input',
        DataRepositoryPath: { 'Fn::Join': ['', ['s3://', { Ref: stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket) }, '/input']] },
        BatchImportMetaDataOnCreate: true,
        S3: { AutoImportPolicy: { Events: ['NEW', 'CHANGED', 'DELETED'] }, AutoExportPolicy: { Events: ['NEW', 'CHANGED', 'DELETED'] } },
      });
    });

    test.each([
      [fsx.LustreDeploymentType.SCRATCH_1, [1200, 2400, 3600, 7200], [1800, 4800, 0]],
      [fsx.LustreDeploymentType.SCRATCH_2, [1200, 2400, 4800, 9600], [1800, 3600, 6000]],
      [fsx.LustreDeploymentType.PERSISTENT_1, [1200, 2400, 4800], [1000, 3600]],
      [fsx.LustreDeploymentType.PERSISTENT_2, [1200, 2400, 7200], [3600, 100]],
    ])('%s capacity: accepts %j, rejects %j', (deploymentType, good, bad) => {
      for (const gib of good) {
        expect(() => build({ lustre: { deploymentType, storageCapacityGiB: gib } })).not.toThrow();
      }
      for (const gib of bad) {
        expect(() => build({ lustre: { deploymentType, storageCapacityGiB: gib } })).toThrow(/lustre.storageCapacityGiB/);
      }
    });

    test('fails if SCRATCH_1 capacity is not 1200, 2400 or a multiple of 3600', () => {
      expect(() => build({ lustre: { deploymentType: fsx.LustreDeploymentType.SCRATCH_1, storageCapacityGiB: 4800 } }))
        .toThrow(/lustre.storageCapacityGiB '4800': SCRATCH_1 takes 1200, 2400, then multiples of 3600 GiB\. Fix: use e.g. 7200 GiB/);
    });

    test('fails if SCRATCH_2 / PERSISTENT capacity is not 1200, 2400 or a multiple of 2400', () => {
      expect(() => build({ lustre: { storageCapacityGiB: 3000 } }))
        .toThrow(/lustre.storageCapacityGiB '3000': SCRATCH_2 takes 1200, 2400, then multiples of 2400 GiB\. Fix: use e.g. 4800 GiB/);
    });

    test('fails if PERSISTENT_1 throughput is not 50, 100 or 200', () => {
      expect(() => build({ lustre: { deploymentType: fsx.LustreDeploymentType.PERSISTENT_1, perUnitStorageThroughput: 125 } }))
        .toThrow(/lustre.perUnitStorageThroughput '125': PERSISTENT_1 takes 50, 100, 200 MB\/s per TiB/);
    });

    test('fails if PERSISTENT_2 throughput is not 125, 250, 500 or 1000', () => {
      expect(() => build({ lustre: { deploymentType: fsx.LustreDeploymentType.PERSISTENT_2, perUnitStorageThroughput: 200 } }))
        .toThrow(/lustre.perUnitStorageThroughput '200': PERSISTENT_2 takes 125, 250, 500, 1000 MB\/s per TiB/);
    });

    test('fails if a scratch type is given a throughput', () => {
      expect(() => build({ lustre: { perUnitStorageThroughput: 200 } })).toThrow(/lustre.perUnitStorageThroughput '200': SCRATCH_2 has a fixed throughput per TiB/);
    });

    test('fails if a data repository association is on SCRATCH_1', () => {
      expect(buildWith((_, stack) => ({ lustre: { deploymentType: fsx.LustreDeploymentType.SCRATCH_1, dataRepositories: [{ bucket: new s3.Bucket(stack, 'B'), fileSystemPath: '/d' }] } })))
        .toThrow(/lustre.dataRepositories '1 association\(s\)': SCRATCH_1 file systems cannot have data repository associations/);
    });

    test('fails if a data repository association is on Lustre 2.10', () => {
      expect(buildWith((_, stack) => ({ lustre: { fileSystemTypeVersion: fsx.FileSystemTypeVersion.V_2_10, dataRepositories: [{ bucket: new s3.Bucket(stack, 'B'), fileSystemPath: '/d' }] } })))
        .toThrow(/lustre.fileSystemTypeVersion '2.10': Lustre 2.10 file systems cannot have data repository associations\. Fix: use fsx.FileSystemTypeVersion.V_2_15/);
    });

    test('fails if more than 8 data repository associations', () => {
      const nine = (stack: Stack) => Array.from({ length: 9 }, (_, i) => ({ bucket: new s3.Bucket(stack, `B${i}`), fileSystemPath: `/d${i}` }));
      expect(buildWith((_, stack) => ({ lustre: { dataRepositories: nine(stack) } })))
        .toThrow(/lustre.dataRepositories '9 association\(s\)': FSx allows at most 8 data repository associations per file system/);
      expect(buildWith((_, stack) => ({ lustre: { dataRepositories: nine(stack).slice(0, 8) } }))).not.toThrow();
    });
  });

  describe('EFS', () => {
    test('no EFS file system by default', () => {
      const { template, cluster } = build();
      template.resourceCountIs('AWS::EFS::FileSystem', 0);
      expect(cluster.efsFileSystem).toBeUndefined();
    });

    test('encrypted, elastic throughput, retained, one mount target in the nodes\' subnet', () => {
      const { template } = build({ efs: {} });
      template.hasResource('AWS::EFS::FileSystem', {
        Properties: Match.objectLike({ Encrypted: true, ThroughputMode: 'elastic' }),
        DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain',
      });
      template.resourceCountIs('AWS::EFS::MountTarget', 1);
      template.hasResourceProperties('AWS::EFS::MountTarget', { SubnetId: { Ref: Match.stringLikeRegexp('^VpcPrivateSubnet1') } });
    });

    test('the file system policy refuses clients without TLS and grants no one ClientMount (anonymous clients cannot mount)', () => {
      const { template } = build({ efs: {} });
      const [fs] = Object.values(template.findResources('AWS::EFS::FileSystem'));
      const statements = fs.Properties.FileSystemPolicy.Statement;
      expect(statements).toContainEqual({ Sid: 'DenyUnencryptedTransport', Effect: 'Deny', Principal: { AWS: '*' }, Action: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
      expect(statements.filter((st: { Effect: string; Action: string | string[] }) => st.Effect === 'Allow' && [st.Action].flat().some((a) => a === '*' || a === 'elasticfilesystem:ClientMount'))).toEqual([]);
    });

    test('provisioned throughput', () => {
      const { template } = build({ efs: { throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputPerSecond: Size.mebibytes(64) } });
      template.hasResourceProperties('AWS::EFS::FileSystem', { ThroughputMode: 'provisioned', ProvisionedThroughputInMibps: 64 });
    });

    test('NFS 2049 only from the nodes\' security group; the mount target\'s group has no other rule', () => {
      const { template, cluster, stack } = build({ efs: {} });
      const nodes = { 'Fn::GetAtt': [stack.getLogicalId(cluster.securityGroup.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] };
      const mt = template.getResourceId('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('EFS mount target') } });
      const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) => JSON.stringify(r.Properties.GroupId).includes(mt));
      expect(ingress.map((r) => r.Properties)).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 2049, ToPort: 2049, SourceSecurityGroupId: nodes })]);
      template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { IpProtocol: 'tcp', FromPort: 2049, ToPort: 2049, GroupId: nodes, DestinationSecurityGroupId: { 'Fn::GetAtt': [mt, 'GroupId'] } });
      const [sg] = Object.values(template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('EFS mount target') } }));
      expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
      expect(sg.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
    });

    test('every node mounts it with TLS and IAM at the mount point; the node role may mount it through a mount target', () => {
      const { template, cluster, stack } = build({ efs: { mountPoint: '/home/shared' } });
      const fsId = stack.getLogicalId(cluster.efsFileSystem!.node.defaultChild as never);
      const ud = scriptOf(cluster);
      expect(ud).toContain('dnf install -y amazon-efs-utils');
      expect(ud).toContain(`'\${${fsId}}:/ /home/shared efs _netdev,noresvport,tls,iam 0 0'`);
      expect(ud).toContain('mount /home/shared && break');
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: stack.getLogicalId(cluster.role.node.defaultChild as never) }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
          Action: Match.arrayWith(['elasticfilesystem:ClientMount']), Resource: { 'Fn::GetAtt': [fsId, 'Arn'] },
          Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
        })]) },
      });
      expect(cluster.efsMountPoint).toBe('/home/shared');
    });

    test('fails if PROVISIONED has no throughput', () => {
      expect(() => build({ efs: { throughputMode: efs.ThroughputMode.PROVISIONED } }))
        .toThrow(/efs.provisionedThroughputPerSecond \(not set\): PROVISIONED throughput needs the MiB\/s/);
    });

    test('fails if a throughput is given without PROVISIONED', () => {
      expect(() => build({ efs: { provisionedThroughputPerSecond: Size.mebibytes(10) } }))
        .toThrow(/efs.provisionedThroughputPerSecond '10 MiB\/s': only applies to PROVISIONED throughput, but throughputMode is elastic/);
    });

    test('1 MiB/s is accepted; fails below it', () => {
      expect(() => build({ efs: { throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputPerSecond: Size.mebibytes(1) } }))
        .not.toThrow();
      expect(() => build({ efs: { throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputPerSecond: Size.kibibytes(512) } }))
        .toThrow(/efs.provisionedThroughputPerSecond '512 KiB\/s': EFS provisions at least 1 MiB\/s/);
    });

    test('fails if the mount point is not a plain absolute path', () => {
      expect(() => build({ efs: { mountPoint: 'efs dir' } })).toThrow(/efs.mountPoint 'efs dir': must be an absolute path/);
    });

    test('a token throughput skips the checks and synthesizes', () => {
      const { stack, vpc } = testStackWithVpc();
      const mibps = new CfnParameter(stack, 'Mibps', { type: 'Number' }).valueAsNumber;
      new HpcCluster(stack, 'Cluster', { vpc, efs: { throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputPerSecond: Size.mebibytes(mibps) } });
      Template.fromStack(stack).hasResourceProperties('AWS::EFS::FileSystem', { ProvisionedThroughputInMibps: { Ref: 'Mibps' } });
    });
  });

  describe('node storage', () => {
    test('an encrypted io2 volume with AWS\'s Block Express ratio (1000 IOPS/GiB, which aws-cdk-lib\'s Volume would reject)', () => {
      const { template, cluster } = build({ nodeVolume: { sizeGiB: 100, iops: 100000 } });
      expect(launchTemplateData(template).BlockDeviceMappings[1]).toEqual({
        DeviceName: '/dev/sdf', Ebs: { Encrypted: true, VolumeType: 'io2', Iops: 100000, VolumeSize: 100, DeleteOnTermination: true },
      });
      expect(scriptOf(cluster)).toContain('blkid /dev/sdf || mkfs.xfs -L hpc-data /dev/sdf');
    });

    test.each([
      [{ sizeGiB: 3, iops: 100 }, /nodeVolume.sizeGiB '3': must be a whole number from 4 to 65536 GiB/],
      [{ sizeGiB: 65537, iops: 1000 }, /nodeVolume.sizeGiB '65537': must be a whole number from 4 to 65536 GiB/],
      [{ sizeGiB: 100, iops: 99 }, /nodeVolume.iops '99': must be a whole number from 100 to 256000 IOPS/],
      [{ sizeGiB: 1000, iops: 256001 }, /nodeVolume.iops '256001': must be a whole number from 100 to 256000 IOPS/],
      [{ sizeGiB: 10, iops: 10001 }, /nodeVolume.iops '10001': io2 allows at most 1000 IOPS per GiB, i.e. 10000 for 10 GiB\. Fix: lower iops or raise sizeGiB to at least 11/],
    ])('fails if io2 is out of AWS\'s limits: %j', (nodeVolume, message) => {
      expect(() => build({ nodeVolume })).toThrow(message);
    });

    test('io2 at the limits is accepted', () => {
      expect(() => build({ nodeVolume: { sizeGiB: 4, iops: 4000 } })).not.toThrow();
      expect(() => build({ nodeVolume: { sizeGiB: 65536, iops: 256000 } })).not.toThrow();
    });

    test('instance-store disks become a RAID 0 at /scratch when there are several, a plain disk when one', () => {
      const ud = scriptOf(build().cluster);
      expect(ud).toContain("lsblk -dnpo NAME,MODEL | awk '/Amazon EC2 NVMe Instance Storage/ {print $1}'");
      expect(ud).toContain('mdadm --create /dev/md0 --level=0 --raid-devices="$count" $disks --run');
      expect(ud).toContain('mount -o noatime "$scratch" /scratch');
    });
  });

  test('collects every problem in one error', () => {
    expect(() => build({ instanceType: new ec2.InstanceType('t3.large'), lustre: { storageCapacityGiB: 1000 } }))
      .toThrow(/HpcCluster at 'TestStack\/Cluster' has 3 configuration error\(s\)/);
  });

  test('tokens skip the numeric checks and synthesize', () => {
    const { stack, vpc } = testStackWithVpc();
    const n = (id: string) => new CfnParameter(stack, id, { type: 'Number' }).valueAsNumber;
    new HpcCluster(stack, 'Cluster', {
      vpc, minCapacity: n('Min'), maxCapacity: n('Max'),
      lustre: { deploymentType: fsx.LustreDeploymentType.PERSISTENT_2, storageCapacityGiB: n('Capacity'), perUnitStorageThroughput: n('Throughput') },
      nodeVolume: { sizeGiB: n('Size'), iops: n('Iops') },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::FSx::FileSystem', { StorageCapacity: { Ref: 'Capacity' }, LustreConfiguration: { PerUnitStorageThroughput: { Ref: 'Throughput' } } });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: { Ref: 'Min' } });
  });

  describe('alarms', () => {
    const alarmsOf = (template: Template) => Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const action = (id: string): cloudwatch.IAlarmAction => ({ bind: () => ({ alarmActionArn: `arn:aws:sns:us-east-1:111111111111:${id}` }) });

    test('Lustre free capacity: free bytes (Sum per minute, as FSx reports one point per target per minute) over the capacity, below 0.1 for 5 minutes', () => {
      const { stack, cluster, template } = build();
      const alarms = alarmsOf(template);
      expect(alarms).toHaveLength(1);
      expect(alarms[0]).toMatchObject({
        Threshold: 0.1, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 5, TreatMissingData: 'ignore',
        AlarmDescription: expect.stringContaining('less than 10 % of the storage capacity is free'),
      });
      const [expression, free] = alarms[0].Metrics;
      expect(expression).toMatchObject({ Expression: 'free / (1200 * 1073741824)', ReturnData: true });
      expect(free).toEqual({
        Id: 'free', ReturnData: false,
        MetricStat: { Metric: { Namespace: 'AWS/FSx', MetricName: 'FreeDataStorageCapacity', Dimensions: [{ Name: 'FileSystemId', Value: { Ref: stack.getLogicalId(cluster.fileSystem) } }] }, Period: 60, Stat: 'Sum' },
      });
      expect(alarms[0].AlarmActions).toBeUndefined();
      expect(cluster.alarms).toEqual([cluster.lustreFreeCapacityAlarm]);
    });

    test('the threshold is the lustre.freeCapacityAlarmThreshold prop, the capacity the file system\'s', () => {
      const [alarm] = alarmsOf(build({ lustre: { storageCapacityGiB: 4800, freeCapacityAlarmThreshold: 0.25 } }).template);
      expect(alarm.Threshold).toBe(0.25);
      expect(alarm.Metrics[0].Expression).toBe('free / (4800 * 1073741824)');
    });

    test.each([0, 1, 10, -0.1])('fails if lustre.freeCapacityAlarmThreshold is %p (a fraction strictly between 0 and 1)', (value) => {
      expect(() => build({ lustre: { freeCapacityAlarmThreshold: value } }))
        .toThrow(new RegExp(`lustre.freeCapacityAlarmThreshold '${value}': is the free fraction of the capacity below which the alarm fires, greater than 0 and less than 1`));
    });

    test('a token capacity and threshold synthesize into the expression and the threshold', () => {
      const { stack, vpc } = testStackWithVpc();
      const capacity = new CfnParameter(stack, 'Capacity', { type: 'Number' }).valueAsNumber;
      const threshold = new CfnParameter(stack, 'Threshold', { type: 'Number' }).valueAsNumber;
      new HpcCluster(stack, 'Cluster', { vpc, lustre: { storageCapacityGiB: capacity, freeCapacityAlarmThreshold: threshold } });
      const [alarm] = alarmsOf(Template.fromStack(stack));
      expect(alarm.Threshold).toEqual({ Ref: 'Threshold' });
      expect(alarm.Metrics[0].Expression).toEqual({ 'Fn::Join': ['', ['free / (', { Ref: 'Capacity' }, ' * 1073741824)']] });
    });

    test('with EFS (ELASTIC): metered over permitted throughput at 90 % or more for 3 periods of 5 minutes; no burst-credit alarm', () => {
      const { cluster, template } = build({ efs: {} });
      expect(cluster.alarms).toHaveLength(2);
      expect(cluster.efsBurstCreditAlarm).toBeUndefined();
      const alarm = alarmsOf(template).find((a) => JSON.stringify(a.Metrics).includes('MeteredIOBytes'))!;
      expect(alarm).toMatchObject({ Threshold: 90, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 3, TreatMissingData: 'notBreaching' });
      expect(alarm.Metrics[0].Expression).toBe('(metered / PERIOD(metered)) * 100 / permitted');
      type MetricStat = { Metric: { MetricName: string }; Period: number; Stat: string };
      const stats = Object.fromEntries(alarm.Metrics.slice(1).map((m: { Id: string; MetricStat: MetricStat }) =>
        [m.Id, [m.MetricStat.Metric.MetricName, m.MetricStat.Stat, m.MetricStat.Period]]));
      expect(stats).toEqual({ metered: ['MeteredIOBytes', 'Sum', 300], permitted: ['PermittedThroughput', 'Average', 300] });
    });

    test('with BURSTING EFS: also an alarm when less than an hour of bursting at 100 MiB/s is left', () => {
      const { cluster, template } = build({ efs: { throughputMode: efs.ThroughputMode.BURSTING } });
      expect(cluster.alarms).toHaveLength(3);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'BurstCreditBalance', Namespace: 'AWS/EFS', Statistic: 'Minimum', Period: 300,
        Threshold: 100 * 1024 * 1024 * 3600, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'ignore',
      });
    });

    test('alarmActions reach every alarm; addAlarmActions() adds to every alarm', () => {
      const { stack, vpc } = testStackWithVpc();
      const cluster = new HpcCluster(stack, 'Cluster', { vpc, efs: { throughputMode: efs.ThroughputMode.BURSTING }, alarmActions: [action('first')] });
      cluster.addAlarmActions(action('second'));
      const alarms = alarmsOf(Template.fromStack(stack));
      expect(alarms).toHaveLength(3);
      for (const alarm of alarms) {
        expect(alarm.AlarmActions).toEqual(['arn:aws:sns:us-east-1:111111111111:first', 'arn:aws:sns:us-east-1:111111111111:second']);
      }
    });

    test('the group publishes GroupInServiceInstances, which metricInServiceNodes() reads (Auto Scaling publishes group metrics only when enabled)', () => {
      const { stack, cluster, template } = build();
      template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
        MetricsCollection: [{ Granularity: '1Minute', Metrics: Match.arrayWith(['GroupInServiceInstances']) }],
      });
      expect(stack.resolve(cluster.metricInServiceNodes().dimensions)).toEqual({
        AutoScalingGroupName: { Ref: stack.getLogicalId(cluster.autoScalingGroup.node.defaultChild as never) },
      });
    });

    test('metric methods name the file systems; the EFS ones throw without EFS', () => {
      const { stack, cluster } = build();
      expect(stack.resolve(cluster.metricLustreDataWriteBytes().dimensions))
        .toEqual({ FileSystemId: { Ref: stack.getLogicalId(cluster.fileSystem) } });
      expect(cluster.metricLustreDataReadBytes().metricName).toBe('DataReadBytes');
      expect(() => cluster.metricEfsThroughputUtilization()).toThrow(/metricEfsThroughputUtilization\(\) needs the EFS file system, but the efs prop is not set/);
      expect(() => cluster.metricEfsBurstCreditBalance()).toThrow(/efs prop is not set/);
    });
  });
});
