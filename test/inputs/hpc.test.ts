import { App, CfnParameter, Duration, Lazy, Size, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as events from 'aws-cdk-lib/aws-events';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DataSyncTransfer, DataSyncTransferProps, HpcBatchJobs, HpcBatchJobsProps, HpcCluster, HpcClusterProps } from '../../lib';
import { testApp, testStackWithVpc } from '../support/app';
import { describeTokenMatrix, stackDependencies, synthesizeAll, twoStacks, validatingApp } from '../support/input-matrix';
import { INPUTS } from './hpc.cases';

const ENV = { account: '123456789012', region: 'us-east-1' };
const FILE_SYSTEM_ARN = 'arn:aws:fsx:us-east-1:123456789012:file-system/fs-0123456789abcdef0';
const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/example/mpi:latest');
const HPC_STACK = { id: 'S', env: ENV, vpcProps: { maxAzs: 1 } };
function cluster(props: Partial<HpcClusterProps> = {}): HpcCluster {
  const { stack, vpc } = testStackWithVpc(HPC_STACK);
  return new HpcCluster(stack, 'Cluster', { vpc, ...props });
}
function clusterWithRepos(...paths: string[]): HpcCluster {
  const { stack, vpc } = testStackWithVpc(HPC_STACK);
  const dataRepositories = paths.map((p, i) => ({ bucket: new s3.Bucket(stack, `B${i}`), fileSystemPath: p }));
  return new HpcCluster(stack, 'Cluster', { vpc, lustre: { dataRepositories } });
}
function jobs(props: Partial<HpcBatchJobsProps>, clusterProps: Partial<HpcClusterProps> = {}): HpcBatchJobs {
  const nodes = cluster(clusterProps);
  return new HpcBatchJobs(Stack.of(nodes), 'Jobs', { nodes, image: IMAGE, ...props });
}
function transfer(props: Partial<DataSyncTransferProps> = {}): DataSyncTransfer {
  const { stack, vpc } = testStackWithVpc(HPC_STACK);
  const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
  return new DataSyncTransfer(stack, 'T', { bucket: new s3.Bucket(stack, 'B'), fsxLustre: { fileSystemArn: FILE_SYSTEM_ARN, securityGroups: [sg] }, ...props });
}
const schedule = (s: events.Schedule) => () => transfer({ schedule: s });
/** Stack-to-stack dependencies only (without the asset manifests). */
const stackDeps = (app: App) => Object.fromEntries(Object.entries(stackDependencies(app)).map(([k, v]) => [k, v.filter((d) => !d.endsWith('.assets'))]));

describe('HPC inputs: every validated prop as a token', () => {
  describeTokenMatrix(INPUTS);
});

describe('issue 15: HPC examples', () => {
  test('fails if a data repository fileSystemPath does not start with /', () => {
    expect(() => clusterWithRepos('data')).toThrow(/HpcCluster: lustre.dataRepositories\[0\].fileSystemPath 'data': FSx requires the leading \/ of a file system path. Fix: use '\/data'/);
  });
  test('fails if two data repositories have the same fileSystemPath (also with a trailing /)', () => {
    expect(() => clusterWithRepos('/data', '/data/')).toThrow(/lustre.dataRepositories\[1\].fileSystemPath '\/data\/': overlaps dataRepositories\[0\] \('\/data'\)/);
  });
  test('fails if one data repository path is inside another (FSx: paths must not overlap; / only alone)', () => {
    expect(() => clusterWithRepos('/ns1', '/ns1/ns2')).toThrow(/fileSystemPath '\/ns1\/ns2': overlaps/);
    expect(() => clusterWithRepos('/', '/in')).toThrow(/fileSystemPath '\/in': overlaps/);
    expect(() => clusterWithRepos('/ns1', '/ns10')).not.toThrow();
    expect(() => clusterWithRepos('/')).not.toThrow();
  });
  test('fails if two data repositories link the same bucket and prefix', () => {
    const { stack, vpc } = testStackWithVpc(HPC_STACK);
    const bucket = new s3.Bucket(stack, 'B');
    expect(() => new HpcCluster(stack, 'Cluster', { vpc, lustre: { dataRepositories: [{ bucket, fileSystemPath: '/a', bucketPrefix: 'x' }, { bucket, fileSystemPath: '/b', bucketPrefix: 'x/' }] } }))
      .toThrow(/lustre.dataRepositories\[1\].bucketPrefix .*links the same S3 location as dataRepositories\[0\]/);
  });
  test('fails if a data repository bucketPrefix starts with /', () => {
    const { stack, vpc } = testStackWithVpc(HPC_STACK);
    expect(() => new HpcCluster(stack, 'Cluster', { vpc, lustre: { dataRepositories: [{ bucket: new s3.Bucket(stack, 'B'), fileSystemPath: '/a', bucketPrefix: '/x' }] } }))
      .toThrow(/lustre.dataRepositories\[0\].bucketPrefix '\/x': an S3 prefix has no leading \//);
  });
  test('fails if Batch cpu exceeds the vCPUs of the node instance type', () => {
    expect(() => jobs({ cpu: 72 })).not.toThrow();
    expect(() => jobs({ cpu: 73 })).toThrow(/HpcBatchJobs: cpu '73': must not exceed the vCPUs of one node: c5n.18xlarge has 72 vCPUs/);
  });
  test('fails if numNodes x the instance type\'s vCPUs exceeds maxvCpus (each node is one instance)', () => {
    expect(() => jobs({ numNodes: 4, maxvCpus: 288 })).not.toThrow();
    expect(() => jobs({ numNodes: 4, maxvCpus: 287 })).toThrow(/HpcBatchJobs: maxvCpus '287': .*4 nodes x 72 vCPUs \(c5n.18xlarge\) = 288. Fix: raise maxvCpus to at least 288/);
  });
  test('for a type without known vCPUs, maxvCpus is checked against numNodes x cpu (the vCPU check is skipped)', () => {
    const props = { efa: false, clusterPlacementGroup: false, instanceType: new ec2.InstanceType('m5.large') };
    expect(() => jobs({ numNodes: 4, cpu: 64, maxvCpus: 256 }, props)).not.toThrow();
    expect(() => jobs({ numNodes: 4, cpu: 64, maxvCpus: 255 }, props)).toThrow(/maxvCpus '255': .*4 nodes x 64 vCPUs \(cpu; the vCPUs of m5.large are not in EfaInstanceTypes.ALL\) = 256/);
  });
  test('fails if a DataSync cron() schedule runs more often than hourly', () => {
    expect(schedule(events.Schedule.cron({ minute: '0' }))).not.toThrow();
    expect(schedule(events.Schedule.cron({ minute: '59', hour: '*/2' }))).not.toThrow();
    for (const minute of ['*', '0/30', '0,30', '0-5', '*/15', '60']) {
      expect(schedule(events.Schedule.cron({ minute }))).toThrow(/DataSyncTransfer: schedule 'cron\(.*\)': DataSync runs a task at most once an hour/);
    }
  });
  test('fails if a DataSync schedule is not a cron() or rate() expression', () => {
    expect(schedule(events.Schedule.expression('at(2030-01-01T00:00:00)'))).toThrow(/schedule 'at\(2030-01-01T00:00:00\)': DataSync takes cron\(\) or rate\(\) expressions only/);
  });
});

describe('HPC inputs: documented ranges (at the limit accepted, one past rejected)', () => {
  test('Lustre capacity steps per deployment type (FSx CreateFileSystem StorageCapacity)', () => {
    const lustre = (deploymentType: fsx.LustreDeploymentType, storageCapacityGiB: number) =>
      () => cluster({ lustre: { deploymentType, storageCapacityGiB } });
    expect(lustre(fsx.LustreDeploymentType.SCRATCH_2, 1200)).not.toThrow();
    expect(lustre(fsx.LustreDeploymentType.SCRATCH_2, 1199)).toThrow(/lustre.storageCapacityGiB '1199': SCRATCH_2 takes 1200, 2400, then multiples of 2400 GiB/);
    expect(lustre(fsx.LustreDeploymentType.SCRATCH_2, 4800)).not.toThrow();
    expect(lustre(fsx.LustreDeploymentType.SCRATCH_2, 4801)).toThrow(/lustre.storageCapacityGiB '4801'/);
    expect(lustre(fsx.LustreDeploymentType.SCRATCH_1, 3600)).not.toThrow();
    expect(lustre(fsx.LustreDeploymentType.SCRATCH_1, 4800)).toThrow(/SCRATCH_1 takes 1200, 2400, then multiples of 3600 GiB/);
  });
  test('Lustre throughput per TiB (FSx PerUnitStorageThroughput)', () => {
    const lustre = (deploymentType: fsx.LustreDeploymentType, perUnitStorageThroughput: number) =>
      () => cluster({ lustre: { deploymentType, perUnitStorageThroughput } });
    expect(lustre(fsx.LustreDeploymentType.PERSISTENT_2, 1000)).not.toThrow();
    expect(lustre(fsx.LustreDeploymentType.PERSISTENT_2, 1001)).toThrow(/lustre.perUnitStorageThroughput '1001': PERSISTENT_2 takes 125, 250, 500, 1000 MB\/s per TiB/);
    expect(lustre(fsx.LustreDeploymentType.PERSISTENT_1, 200)).not.toThrow();
    expect(lustre(fsx.LustreDeploymentType.PERSISTENT_1, 201)).toThrow(/lustre.perUnitStorageThroughput '201'/);
  });
  test('Lustre free-capacity alarm threshold: greater than 0, less than 1', () => {
    expect(() => cluster({ lustre: { freeCapacityAlarmThreshold: 0.99 } })).not.toThrow();
    expect(() => cluster({ lustre: { freeCapacityAlarmThreshold: 1 } })).toThrow(/lustre.freeCapacityAlarmThreshold '1'/);
  });
  test('data repository fileSystemPath: at most 4,096 characters (FSx FileSystemPath)', () => {
    expect(() => clusterWithRepos(`/${'a'.repeat(4095)}`)).not.toThrow();
    expect(() => clusterWithRepos(`/${'a'.repeat(4096)}`)).toThrow(/fileSystemPath '\/a+\.\.\.': FSx takes 1 to 4,096 characters/);
  });
  test('io2 node volume: 4 GiB to 64 TiB, 100 to 256,000 IOPS', () => {
    expect(() => cluster({ nodeVolume: { sizeGiB: 65536, iops: 256000 } })).not.toThrow();
    expect(() => cluster({ nodeVolume: { sizeGiB: 65537, iops: 1000 } })).toThrow(/nodeVolume.sizeGiB '65537'/);
    expect(() => cluster({ nodeVolume: { sizeGiB: 4, iops: 100 } })).not.toThrow();
    expect(() => cluster({ nodeVolume: { sizeGiB: 4, iops: 99 } })).toThrow(/nodeVolume.iops '99'/);
    expect(() => cluster({ nodeVolume: { sizeGiB: 300, iops: 256001 } })).toThrow(/nodeVolume.iops '256001'/);
  });
  test('EFA interfaces: at most the network cards of the type', () => {
    const type = new ec2.InstanceType('c6in.32xlarge');
    expect(() => cluster({ instanceType: type, efaInterfaces: 2 })).not.toThrow();
    expect(() => cluster({ instanceType: type, efaInterfaces: 3 })).toThrow(/efaInterfaces '3': c6in.32xlarge has 2 network card/);
  });
  test('EFS provisioned throughput: at least 1 MiB/s', () => {
    expect(() => cluster({ efs: { throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputPerSecond: Size.mebibytes(1) } }))
      .not.toThrow();
    expect(() => cluster({ efs: { throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputPerSecond: Size.kibibytes(1023) } })).toThrow(/efs.provisionedThroughputPerSecond '1023 KiB\/s'/);
  });
  test('Batch numNodes: 2 to 1,000 (above, a warning: the limit is a quota)', () => {
    expect(() => jobs({ numNodes: 1 })).toThrow(/numNodes '1'/);
    const warningsApp = (numNodes: number) => {
      const { stack, vpc } = testStackWithVpc({ ...HPC_STACK, failOnWarnings: false });
      return new HpcBatchJobs(stack, 'Jobs', { nodes: new HpcCluster(stack, 'Cluster', { vpc }), image: IMAGE, numNodes, maxvCpus: numNodes * 72 });
    };
    const at = warningsApp(1000);
    Annotations.fromStack(Stack.of(at)).hasNoWarning('*', Match.stringLikeRegexp('numNodes'));
    const past = warningsApp(1001);
    Annotations.fromStack(Stack.of(past)).hasWarning('/S/Jobs', Match.stringLikeRegexp('numNodes 1001 is above 1000, Batch\'s default limit of nodes per job'));
  });
  test('Batch cpu: at least 1 vCPU; memory: at least 4 MiB', () => {
    expect(() => jobs({ cpu: 1 })).not.toThrow();
    expect(() => jobs({ cpu: 0.5 })).toThrow(/HpcBatchJobs: cpu '0.5': must be from 1/);
    expect(() => jobs({ memory: Size.mebibytes(4) })).not.toThrow();
    expect(() => jobs({ memory: Size.mebibytes(3) })).toThrow(/HpcBatchJobs: memory '3 MiB': Batch reserves at least 4 MiB/);
  });
  test('Batch maxvCpus: a whole number of 1 or more', () => {
    expect(() => jobs({ maxvCpus: 0 })).toThrow(/maxvCpus '0'/);
  });
  test('DataSync rate(): one hour accepted, 59 minutes rejected', () => {
    expect(schedule(events.Schedule.rate(Duration.hours(1)))).not.toThrow();
    expect(schedule(events.Schedule.rate(Duration.minutes(60)))).not.toThrow();
    expect(schedule(events.Schedule.rate(Duration.minutes(59)))).toThrow(/schedule 'rate\(59 minutes\)': DataSync runs a task at most once an hour/);
  });
  test('DataSync bucketPrefix: at most 1,023 characters (S3 location Subdirectory of 1,024 with its /)', () => {
    expect(() => transfer({ bucketPrefix: 'p'.repeat(1023) })).not.toThrow();
    expect(() => transfer({ bucketPrefix: 'p'.repeat(1024) })).toThrow(/bucketPrefix 'p{40}\.\.\. \(1024 characters\)'/);
  });
  test('DataSync file-system subdirectory: DataSync\'s characters, at most 4,096', () => {
    const sub = (subdirectory: string) => () => {
      const { stack, vpc } = testStackWithVpc(HPC_STACK);
      new DataSyncTransfer(stack, 'T', { bucket: new s3.Bucket(stack, 'B'), fsxLustre: { fileSystemArn: FILE_SYSTEM_ARN, securityGroups: [new ec2.SecurityGroup(stack, 'Sg', { vpc })], subdirectory } });
    };
    expect(sub(`/${'a'.repeat(4095)}`)).not.toThrow();
    expect(sub(`/${'a'.repeat(4096)}`)).toThrow(/fsxLustre.subdirectory/);
    expect(sub('/data:1')).toThrow(/fsxLustre.subdirectory '\/data:1': DataSync takes 1 to 4,096 letters/);
  });
});

describe('HPC inputs: tokens the generated matrix cannot express', () => {
  test('Batch memory as a CfnParameter and as a Lazy: synthesizes, no schema finding', () => {
    for (const make of [(s: Stack) => new CfnParameter(s, 'Mem', { type: 'Number', default: 4096 }).valueAsNumber, () => Lazy.number({ produce: () => 4096 })]) {
      const app = validatingApp();
      const stack = new Stack(app, 'Tokens', { env: ENV });
      const nodes = new HpcCluster(stack, 'Nodes', { vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 }) });
      new HpcBatchJobs(stack, 'Jobs', { nodes, image: IMAGE, memory: Size.mebibytes(make(stack)) });
      expect(synthesizeAll(app)).toEqual([]);
    }
  });
  test('EFS provisioned throughput as a token: synthesizes', () => {
    const app = validatingApp();
    const stack = new Stack(app, 'Tokens', { env: ENV });
    const mibps = new CfnParameter(stack, 'Mibps', { type: 'Number', default: 64 }).valueAsNumber;
    new HpcCluster(stack, 'Cluster', { vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 }), efs: { throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputPerSecond: Size.mebibytes(mibps) } });
    expect(synthesizeAll(app)).toEqual([]);
  });
  test('DataSync schedule as a token (Schedule.expression of a parameter, Schedule.rate of a token duration): the check is skipped', () => {
    const app = validatingApp();
    const stack = new Stack(app, 'Tokens', { env: ENV });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 });
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    const expression = new CfnParameter(stack, 'Schedule', { type: 'String', default: 'rate(1 day)' }).valueAsString;
    const hours = Lazy.number({ produce: () => 6 });
    new DataSyncTransfer(stack, 'A', { bucket: new s3.Bucket(stack, 'B'), fsxLustre: { fileSystemArn: FILE_SYSTEM_ARN, securityGroups: [sg] }, schedule: events.Schedule.expression(expression) });
    new DataSyncTransfer(stack, 'C', { bucket: new s3.Bucket(stack, 'D'), fsxLustre: { fileSystemArn: FILE_SYSTEM_ARN, securityGroups: [sg] }, schedule: events.Schedule.rate(Duration.hours(hours)) });
    expect(synthesizeAll(app)).toEqual([]);
  });
  test('DataSync EFS subdirectory as a token: synthesizes', () => {
    const app = validatingApp();
    const stack = new Stack(app, 'Tokens', { env: ENV });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 });
    const fileSystem = new efs.FileSystem(stack, 'Efs', { vpc });
    const subdirectory = new CfnParameter(stack, 'Sub', { type: 'String', default: '/in' }).valueAsString;
    new DataSyncTransfer(stack, 'T', { bucket: new s3.Bucket(stack, 'B'), efs: { fileSystem, subnet: vpc.privateSubnets[0], securityGroup: new ec2.SecurityGroup(stack, 'Sg', { vpc }), subdirectory } });
    expect(synthesizeAll(app)).toEqual([]);
  });
  test('a token DataSync bucketPrefix gets a cdk-nag acknowledgement that matches its finding', () => {
    const app = testApp({ context: {} });
    const stack = new Stack(app, 'S', { env: ENV });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 });
    const bucketPrefix = new CfnParameter(stack, 'Prefix', { type: 'String', default: 'staging/' }).valueAsString;
    new DataSyncTransfer(stack, 'T', { bucket: new s3.Bucket(stack, 'B'), bucketPrefix, fsxLustre: { fileSystemArn: FILE_SYSTEM_ARN, securityGroups: [new ec2.SecurityGroup(stack, 'Sg', { vpc })] } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    let report = '';
    try { app.synth(); } catch (e) { report = (e as Error).message; }
    expect(report).toMatch(/AwsSolutions-S1/); // cdk-nag ran (the plain bucket has findings of its own)
    expect(report).not.toMatch(/IAM5/);
  });
});

describe('HPC inputs: imported resources', () => {
  test('HpcCluster in a VPC from Vpc.fromLookup (with context) and from fromVpcAttributes, with an imported bucket', () => {
    const lookupContext = {
      'vpc-provider:account=123456789012:filter.vpc-id=vpc-0123456789abcdef0:region=us-east-1:returnAsymmetricSubnets=true': {
        vpcId: 'vpc-0123456789abcdef0', vpcCidrBlock: '10.0.0.0/16', ownerAccountId: '123456789012', availabilityZones: [],
        subnetGroups: [{ name: 'Private', type: 'Private', subnets: [{ subnetId: 'subnet-0123456789abcdef0', cidr: '10.0.0.0/20', availabilityZone: 'us-east-1a', routeTableId: 'rtb-0123456789abcdef0' }] }],
      },
    };
    const app = validatingApp(lookupContext);
    const stack = new Stack(app, 'Imported', { env: ENV });
    const looked = ec2.Vpc.fromLookup(stack, 'Looked', { vpcId: 'vpc-0123456789abcdef0' });
    const attrs = ec2.Vpc.fromVpcAttributes(stack, 'Attrs', { vpcId: 'vpc-0fedcba9876543210', availabilityZones: ['us-east-1a'], privateSubnetIds: ['subnet-0fedcba9876543210'] });
    const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'my-hpc-data');
    const a = new HpcCluster(stack, 'A', { vpc: looked, lustre: { dataRepositories: [{ bucket, fileSystemPath: '/data' }] } });
    const b = new HpcCluster(stack, 'B', { vpc: attrs, efs: {} });
    new HpcBatchJobs(stack, 'Jobs', { nodes: b, image: IMAGE });
    expect(synthesizeAll(app)).toEqual([]);
    expect(a.subnet.subnetId).toBe('subnet-0123456789abcdef0');
    Template.fromStack(stack).hasResourceProperties('AWS::FSx::DataRepositoryAssociation', { DataRepositoryPath: 's3://my-hpc-data' });
  });

  test('DataSyncTransfer with an imported bucket, imported security groups and an imported EFS file system', () => {
    const app = validatingApp();
    const stack = new Stack(app, 'Imported', { env: ENV });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0fedcba9876543210', availabilityZones: ['us-east-1a'], privateSubnetIds: ['subnet-0fedcba9876543210'] });
    const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'my-hpc-data');
    const group = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Group', 'sg-0123456789abcdef0');
    const fileSystem = efs.FileSystem.fromFileSystemAttributes(stack, 'Efs', {
      fileSystemId: 'fs-0123456789abcdef0', securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'EfsGroup', 'sg-0fedcba9876543210'),
    });
    new DataSyncTransfer(stack, 'ToEfs', { bucket, bucketPrefix: 'in/', efs: { fileSystem, subnet: vpc.privateSubnets[0], securityGroup: group } });
    new DataSyncTransfer(stack, 'ToLustre', { bucket, fsxLustre: { fileSystemArn: FILE_SYSTEM_ARN, securityGroups: [group] } });
    const cluster = new HpcCluster(stack, 'Cluster', { vpc });
    cluster.allowLustreClient(group);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    let report = '';
    try { app.synth(); } catch (e) { report = (e as Error).message; }
    expect(report).not.toMatch(/IAM5/);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::DataSync::LocationS3', { S3BucketArn: 'arn:aws:s3:::my-hpc-data', Subdirectory: '/in/' });
    // The imported file system's group admits DataSync on NFS.
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0fedcba9876543210', SourceSecurityGroupId: 'sg-0123456789abcdef0', FromPort: 2049 });
  });
});

describe('HPC inputs: cross-stack (both directions, no cycle, references one way)', () => {
  test('VPC in a network stack, cluster and Batch jobs in a compute stack', () => {
    const app = validatingApp();
    const { producer, consumer } = twoStacks(app);
    const vpc = new ec2.Vpc(producer, 'Vpc', { maxAzs: 1 });
    const nodes = new HpcCluster(consumer, 'Cluster', { vpc, efs: {} });
    new HpcBatchJobs(consumer, 'Jobs', { nodes, image: IMAGE });
    expect(synthesizeAll(app)).toEqual([]);
    expect(stackDeps(app)).toEqual({ Producer: [], Consumer: ['Producer'] });
  });

  test('cluster in one stack, Batch jobs in another (the EFS grant goes to the jobs\' instance role, in the jobs\' stack)', () => {
    const app = validatingApp();
    const { producer, consumer } = twoStacks(app);
    const nodes = new HpcCluster(producer, 'Cluster', { vpc: new ec2.Vpc(producer, 'Vpc', { maxAzs: 1 }), efs: {} });
    new HpcBatchJobs(consumer, 'Jobs', { nodes, image: IMAGE });
    expect(synthesizeAll(app)).toEqual([]);
    expect(stackDeps(app)).toEqual({ Producer: [], Consumer: ['Producer'] });
  });

  test('data bucket in a data stack, cluster (data repository) in a compute stack', () => {
    const app = validatingApp();
    const { producer, consumer } = twoStacks(app);
    const bucket = new s3.Bucket(producer, 'Data');
    new HpcCluster(consumer, 'Cluster', { vpc: new ec2.Vpc(consumer, 'Vpc', { maxAzs: 1 }), lustre: { dataRepositories: [{ bucket, fileSystemPath: '/data' }] } });
    expect(synthesizeAll(app)).toEqual([]);
    expect(stackDeps(app)).toEqual({ Producer: [], Consumer: ['Producer'] });
  });

  test('DataSync: bucket in a data stack, cluster, security group and transfer in the compute stack', () => {
    const app = validatingApp();
    const { producer, consumer } = twoStacks(app);
    const bucket = new s3.Bucket(producer, 'Data');
    const vpc = new ec2.Vpc(consumer, 'Vpc', { maxAzs: 1 });
    const cluster = new HpcCluster(consumer, 'Cluster', { vpc, efs: {} });
    const group = new ec2.SecurityGroup(consumer, 'DataSyncGroup', { vpc, allowAllOutbound: false });
    cluster.allowLustreClient(group);
    new DataSyncTransfer(consumer, 'ToLustre', { bucket, bucketPrefix: 'staging/', fsxLustre: { fileSystemArn: cluster.fileSystemArn, securityGroups: [group] } });
    new DataSyncTransfer(consumer, 'ToEfs', { bucket, efs: { fileSystem: cluster.efsFileSystem!, subnet: cluster.subnet, securityGroup: group } });
    expect(synthesizeAll(app)).toEqual([]);
    expect(stackDeps(app)).toEqual({ Producer: [], Consumer: ['Producer'] });
  });

  test('DataSync: cluster in the compute stack, bucket, security group and transfers in a data stack', () => {
    const app = validatingApp();
    const { producer, consumer } = twoStacks(app);
    const vpc = new ec2.Vpc(producer, 'Vpc', { maxAzs: 1 });
    const cluster = new HpcCluster(producer, 'Cluster', { vpc, efs: {} });
    const bucket = new s3.Bucket(consumer, 'Data');
    const group = new ec2.SecurityGroup(consumer, 'DataSyncGroup', { vpc, allowAllOutbound: false });
    cluster.allowLustreClient(group);
    new DataSyncTransfer(consumer, 'ToLustre', { bucket, fsxLustre: { fileSystemArn: cluster.fileSystemArn, securityGroups: [group] } });
    new DataSyncTransfer(consumer, 'ToEfs', { bucket, efs: { fileSystem: cluster.efsFileSystem!, subnet: cluster.subnet, securityGroup: group } });
    expect(synthesizeAll(app)).toEqual([]);
    expect(stackDeps(app)).toEqual({ Producer: [], Consumer: ['Producer'] });
  });
});
