import { Duration, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DataSyncTransfer, HpcBatchJobs, HpcCluster, HpcClusterProps, HpcBatchJobsProps } from '../../lib';
import { testApp } from '../support/app';

function cluster(props: Partial<HpcClusterProps> = {}): HpcCluster {
  const stack = new Stack(testApp(), 'S');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 });
  return new HpcCluster(stack, 'Cluster', { vpc, ...props });
}
const repos = (stack: Stack, ...paths: string[]) => paths.map((p, i) => ({ bucket: new s3.Bucket(stack, `B${i}`), fileSystemPath: p }));
function clusterWithRepos(...paths: string[]): HpcCluster {
  const stack = new Stack(testApp(), 'S');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 });
  return new HpcCluster(stack, 'Cluster', { vpc, lustre: { dataRepositories: repos(stack, ...paths) } });
}
function jobs(props: Partial<HpcBatchJobsProps>, clusterProps: Partial<HpcClusterProps> = {}): HpcBatchJobs {
  const nodes = cluster(clusterProps);
  return new HpcBatchJobs(Stack.of(nodes), 'Jobs', { nodes, image: ecs.ContainerImage.fromRegistry('mpi'), ...props });
}
function transfer(schedule: events.Schedule): DataSyncTransfer {
  const stack = new Stack(testApp(), 'S');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 });
  const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
  return new DataSyncTransfer(stack, 'T', { bucket: new s3.Bucket(stack, 'B'), fsxLustre: { fileSystemArn: 'arn:aws:fsx:us-east-1:123456789012:file-system/fs-0123456789abcdef0', securityGroups: [sg] }, schedule });
}

describe('issue 15: HPC examples', () => {
  test('fails if a data repository fileSystemPath does not start with /', () => {
    expect(() => clusterWithRepos('data')).toThrow(/lustre.dataRepositories\[0\].fileSystemPath 'data': .*leading \//);
  });
  test('fails if two data repositories have the same fileSystemPath (also with a trailing /)', () => {
    expect(() => clusterWithRepos('/data', '/data/')).toThrow(/lustre.dataRepositories\[1\].fileSystemPath '\/data\/': overlaps .*'\/data'/);
  });
  test('fails if one data repository path is inside another (FSx: paths must not overlap)', () => {
    expect(() => clusterWithRepos('/ns1', '/ns1/ns2')).toThrow(/fileSystemPath '\/ns1\/ns2': overlaps/);
    expect(() => clusterWithRepos('/', '/in')).toThrow(/fileSystemPath '\/in': overlaps/);
    expect(() => clusterWithRepos('/ns1', '/ns10')).not.toThrow();
  });
  test('fails if Batch cpu exceeds the vCPUs of the node instance type', () => {
    expect(() => jobs({ cpu: 72 })).not.toThrow();
    expect(() => jobs({ cpu: 73 })).toThrow(/HpcBatchJobs: cpu '73': .*c5n.18xlarge has 72 vCPUs/);
  });
  test('fails if numNodes x the instance type\'s vCPUs exceeds maxvCpus (each node is one instance)', () => {
    expect(() => jobs({ numNodes: 4, maxvCpus: 288 })).not.toThrow();
    expect(() => jobs({ numNodes: 4, maxvCpus: 287 })).toThrow(/HpcBatchJobs: maxvCpus '287': .*4 nodes x 72 vCPUs \(c5n.18xlarge\) = 288/);
  });
  test('fails if a DataSync cron() schedule runs more often than hourly', () => {
    expect(() => transfer(events.Schedule.cron({ minute: '0' }))).not.toThrow();
    expect(() => transfer(events.Schedule.cron({ minute: '15', hour: '*/2' }))).not.toThrow();
    for (const minute of ['*', '0/30', '0,30', '0-5']) {
      expect(() => transfer(events.Schedule.cron({ minute }))).toThrow(/DataSyncTransfer: schedule 'cron\(.*\)': DataSync runs a task at most once an hour/);
    }
  });
  test('fails if a DataSync schedule is not a cron or rate expression', () => {
    expect(() => transfer(events.Schedule.expression('at(2030-01-01T00:00:00)'))).toThrow(/schedule 'at\(2030-01-01T00:00:00\)': DataSync takes cron\(\) or rate\(\)/);
  });
  test('a DataSync rate() of one hour is accepted, 59 minutes rejected', () => {
    expect(() => transfer(events.Schedule.rate(Duration.hours(1)))).not.toThrow();
    expect(() => transfer(events.Schedule.rate(Duration.minutes(59)))).toThrow(/at most once an hour/);
  });
  test('memory below Batch\'s 4 MiB is rejected', () => {
    expect(() => jobs({ memory: Size.mebibytes(4) })).not.toThrow();
    expect(() => jobs({ memory: Size.mebibytes(3) })).toThrow(/HpcBatchJobs: memory '3 MiB'/);
  });
});
