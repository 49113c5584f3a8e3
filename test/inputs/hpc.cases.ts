import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DataSyncTransfer, HpcBatchJobs, HpcCluster } from '../../lib';
import { ConstructInputs } from '../support/input-matrix';

/** `withProp` turns an array it walks into an object keyed by index; this turns it back. */
function asArray<T>(value: T[] | Record<string, T> | undefined): T[] | undefined {
  return value === undefined || Array.isArray(value) ? value : Object.values(value);
}

/** HpcCluster props with the data repositories as an array again (see `asArray`). */
export function clusterProps(props: any): any {
  return props.lustre ? { ...props, lustre: { ...props.lustre, dataRepositories: asArray(props.lustre.dataRepositories) } } : props;
}

const FILE_SYSTEM_ARN = 'arn:aws:fsx:us-east-1:123456789012:file-system/fs-0123456789abcdef0';

/** The hpc constructs' validated props (see test/inputs/README.md). */
export const INPUTS: ConstructInputs[] = [
  {
    construct: 'HpcCluster',
    build: (scope, id, props) => new HpcCluster(scope, id, clusterProps(props)),
    baseProps: (scope: Construct) => ({
      vpc: new ec2.Vpc(scope, 'Vpc', { maxAzs: 1 }),
      lustre: {
        deploymentType: fsx.LustreDeploymentType.PERSISTENT_2,
        dataRepositories: [{ bucket: new s3.Bucket(scope, 'Data'), fileSystemPath: '/data', bucketPrefix: 'in' }],
      },
      efs: {},
      nodeVolume: { sizeGiB: 100, iops: 3000 },
    }),
    tokenProps: {
      'efaInterfaces': { kind: 'number', valid: 1, rejectsTokenWith: /efaInterfaces '\(token\)': the count of network interfaces rendered into the launch template must be known at synth time/ },
      'efaSupportOverride.networkCards': { kind: 'number', valid: 1 },
      'minCapacity': { kind: 'number', valid: 0 },
      'maxCapacity': { kind: 'number', valid: 4 },
      'desiredCapacity': { kind: 'number', valid: 1 },
      'lustre.storageCapacityGiB': { kind: 'number', valid: 1200 },
      'lustre.perUnitStorageThroughput': { kind: 'number', valid: 125 },
      'lustre.freeCapacityAlarmThreshold': { kind: 'number', valid: 0.1 },
      'lustre.mountPoint': { kind: 'string', valid: '/fsx' },
      'lustre.dataRepositories.0.fileSystemPath': { kind: 'string', valid: '/data' },
      'lustre.dataRepositories.0.bucketPrefix': { kind: 'string', valid: 'in' },
      'efs.mountPoint': { kind: 'string', valid: '/efs' },
      'nodeVolume.sizeGiB': { kind: 'number', valid: 100 },
      'nodeVolume.iops': { kind: 'number', valid: 3000 },
      'nodeVolume.mountPoint': { kind: 'string', valid: '/data' },
      'scratchMountPoint': { kind: 'string', valid: '/scratch' },
    },
  },
  {
    construct: 'HpcBatchJobs',
    build: (scope, id, props) => new HpcBatchJobs(scope, id, props),
    baseProps: (scope: Construct) => ({
      nodes: new HpcCluster(scope, 'Nodes', { vpc: new ec2.Vpc(scope, 'Vpc', { maxAzs: 1 }) }),
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/example/mpi:latest'),
    }),
    tokenProps: {
      numNodes: { kind: 'number', valid: 2, rejectsTokenWith: /numNodes '\(token\)': a multi-node parallel job has a whole number of 2 or more nodes, known at synth time/ },
      mainNode: { kind: 'number', valid: 0 },
      cpu: { kind: 'number', valid: 2 },
      maxvCpus: { kind: 'number', valid: 256 },
    },
  },
  {
    construct: 'DataSyncTransfer',
    build: (scope, id, props) => new DataSyncTransfer(scope, id, props),
    baseProps: (scope: Construct) => ({
      bucket: new s3.Bucket(scope, 'Data'),
      bucketPrefix: 'staging/',
      fsxLustre: {
        fileSystemArn: FILE_SYSTEM_ARN,
        securityGroups: [new ec2.SecurityGroup(scope, 'DataSyncGroup', { vpc: new ec2.Vpc(scope, 'Vpc', { maxAzs: 1 }) })],
        subdirectory: '/staging',
      },
    }),
    tokenProps: {
      'bucketPrefix': { kind: 'string', valid: 'staging/' },
      'fsxLustre.subdirectory': { kind: 'string', valid: '/staging' },
    },
  },
];
