import { Lazy, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { parse } from 'yaml';
import { HpcCluster } from '../../lib/hpc/hpc-cluster';
import { HpcCapacityType, HpcLustreOptions } from '../../lib/hpc/hpc-cluster-props';
import { testApp } from '../support/app';
import {
  ParallelClusterConfig, ParallelClusterConfigProps, ParallelClusterQueue,
} from '../../lib/hpc/parallel-cluster-config';

/**
 * An independent check of a parsed configuration against ParallelCluster 3's documented limits and
 * schema points that are easy to get wrong; returns the violations.
 */
function parallelClusterViolations(doc: any): string[] {
  const v: string[] = [];
  if (typeof doc.Region !== 'string') v.push('Region missing');
  if (!doc.Image?.Os) v.push('Image.Os missing');
  if (!doc.HeadNode?.InstanceType || !doc.HeadNode?.Networking?.SubnetId) v.push('HeadNode incomplete');
  if (doc.Scheduling?.Scheduler !== 'slurm') v.push('Scheduler not slurm');
  const queues = doc.Scheduling?.SlurmQueues ?? [];
  if (queues.length < 1 || queues.length > 50) v.push(`${queues.length} queues`);
  for (const q of queues) {
    if (q.PlacementGroup !== undefined) v.push(`queue ${q.Name}: PlacementGroup outside Networking`);
    if (!/^[a-z][a-z0-9-]{0,24}$/.test(q.Name)) v.push(`queue name ${q.Name}`);
    if (!['ONDEMAND', 'SPOT'].includes(q.CapacityType)) v.push(`queue ${q.Name}: CapacityType ${q.CapacityType}`);
    if (!Array.isArray(q.Networking?.SubnetIds)) v.push(`queue ${q.Name}: Networking.SubnetIds`);
    if (q.ComputeResources.length < 1 || q.ComputeResources.length > 50) v.push(`queue ${q.Name}: ${q.ComputeResources.length} compute resources`);
    for (const cr of q.ComputeResources) {
      if (!/^[a-z][a-z0-9-]{0,24}$/.test(cr.Name) || cr.Name === 'default') v.push(`compute resource name ${cr.Name}`);
      if (typeof cr.Efa?.Enabled !== 'boolean') v.push(`${cr.Name}: Efa.Enabled not a boolean`);
      if (cr.MinCount > cr.MaxCount) v.push(`${cr.Name}: MinCount > MaxCount`);
    }
  }
  for (const s of doc.SharedStorage ?? []) {
    const f = s.FsxLustreSettings;
    if (s.StorageType === 'Efs' && s.EfsSettings.ThroughputMode !== undefined && !['bursting', 'provisioned'].includes(s.EfsSettings.ThroughputMode)) v.push(`EFS ThroughputMode ${s.EfsSettings.ThroughputMode}`);
    if (s.StorageType === 'FsxLustre' && f.DeploymentType === 'PERSISTENT_2' && (f.ImportPath || f.ExportPath)) v.push('import/export path with PERSISTENT_2');
  }
  if (doc.ClusterName !== undefined) v.push('ClusterName is not a config key (it is a pcluster CLI argument)');
  return v;
}

const queue = (name: string, n = 1): ParallelClusterQueue => ({
  name, subnetId: 'subnet-0123', computeResources: Array.from({ length: n }, (_, i) => ({ name: `cr${i}`, instanceType: 'c5n.18xlarge', efa: true, maxCount: 4 })),
});
const base: ParallelClusterConfigProps = { clusterName: 'hpc-demo', region: 'us-east-1', headNodeSubnetId: 'subnet-0123', queues: [queue('compute')] };

describe('ParallelCluster config', () => {
  describe('from HpcCluster props', () => {
    const vpc = {} as ec2.IVpc;
    const doc = parse(ParallelClusterConfig.fromHpcCluster({ vpc, maxCapacity: 16 }, { clusterName: 'hpc-demo', region: 'us-east-1', subnetId: 'subnet-0123', s3Path: 's3://my-data/input' }));

    test('passes the limit check', () => {
      expect(parallelClusterViolations(doc)).toEqual([]);
    });

    test('one Slurm queue with EFA enabled and the placement group under Networking', () => {
      expect(doc.Scheduling.SlurmQueues).toEqual([{
        Name: 'compute', CapacityType: 'ONDEMAND',
        Networking: { SubnetIds: ['subnet-0123'], PlacementGroup: { Enabled: true } },
        ComputeResources: [{ Name: 'c5n18xlarge', InstanceType: 'c5n.18xlarge', MinCount: 0, MaxCount: 16, Efa: { Enabled: true } }],
        Iam: { AdditionalIamPolicies: [{ Policy: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' }] },
      }]);
    });

    test('region, image, head node and the FSx for Lustre shared storage', () => {
      expect(doc).toMatchObject({
        Region: 'us-east-1', Image: { Os: 'alinux2023' },
        HeadNode: { InstanceType: 'c5.large', Networking: { SubnetId: 'subnet-0123' } },
        SharedStorage: [{
          MountDir: '/fsx', Name: 'fsx', StorageType: 'FsxLustre',
          FsxLustreSettings: { StorageCapacity: 1200, DeploymentType: 'SCRATCH_2', ImportPath: 's3://my-data/input', ExportPath: 's3://my-data/input', AutoImportPolicy: 'NEW_CHANGED_DELETED' },
        }],
      });
    });

    test('Spot, no placement group, persistent storage carry over', () => {
      const d = parse(ParallelClusterConfig.fromHpcCluster({
        vpc, capacityType: HpcCapacityType.SPOT, clusterPlacementGroup: false, efa: false, instanceType: new ec2.InstanceType('c6i.large'),
        lustre: { deploymentType: fsx.LustreDeploymentType.PERSISTENT_2, storageCapacityGiB: 2400, perUnitStorageThroughput: 250 },
      }, { clusterName: 'x', region: 'eu-west-1', subnetId: 'subnet-1' }));
      expect(parallelClusterViolations(d)).toEqual([]);
      expect(d.Scheduling.SlurmQueues[0]).toMatchObject({
        CapacityType: 'SPOT', AllocationStrategy: 'capacity-optimized', Networking: { PlacementGroup: { Enabled: false } },
        ComputeResources: [{ InstanceType: 'c6i.large', Efa: { Enabled: false } }],
      });
      expect(d.SharedStorage[0].FsxLustreSettings).toEqual({ StorageCapacity: 2400, DeploymentType: 'PERSISTENT_2', PerUnitStorageThroughput: 250 });
    });
  });

  describe('EFS from HpcCluster props', () => {
    const vpc = {} as ec2.IVpc;
    const opts = { clusterName: 'hpc-demo', region: 'us-east-1', subnetId: 'subnet-0123' };

    test('mounts the HpcCluster\'s file system by ID', () => {
      const d = parse(ParallelClusterConfig.fromHpcCluster({ vpc, efs: { mountPoint: '/shared' } }, { ...opts, efsFileSystemId: 'fs-0123456789abcdef0' }));
      expect(parallelClusterViolations(d)).toEqual([]);
      expect(d.SharedStorage[1]).toEqual({ MountDir: '/shared', Name: 'efs', StorageType: 'Efs', EfsSettings: { FileSystemId: 'fs-0123456789abcdef0' } });
    });

    test('creates an encrypted provisioned file system', () => {
      const provisioned = { throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputPerSecond: Size.mebibytes(1024) };
      const d = parse(ParallelClusterConfig.fromHpcCluster({ vpc, efs: provisioned }, opts));
      expect(parallelClusterViolations(d)).toEqual([]);
      expect(d.SharedStorage[1]).toEqual({ MountDir: '/efs', Name: 'efs', StorageType: 'Efs', EfsSettings: { Encrypted: true, ThroughputMode: 'provisioned', ProvisionedThroughput: 1024 } });
    });

    test('creates an encrypted bursting file system', () => {
      const d = parse(ParallelClusterConfig.fromHpcCluster({ vpc, efs: { throughputMode: efs.ThroughputMode.BURSTING } }, opts));
      expect(d.SharedStorage[1].EfsSettings).toEqual({ Encrypted: true, ThroughputMode: 'bursting' });
    });

    test('fails if elastic throughput is to be created (ParallelCluster 3 takes bursting or provisioned)', () => {
      expect(() => ParallelClusterConfig.fromHpcCluster({ vpc, efs: {} }, opts))
        .toThrow(/efs.throughputMode 'elastic': ParallelCluster 3 creates EFS file systems with bursting or provisioned throughput only. Fix: mount an existing elastic file system with fileSystemId/);
    });

    test('fails if provisioned throughput is above 1,024 MiB/s', () => {
      const provisioned = { throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputPerSecond: Size.mebibytes(1025) };
      expect(() => ParallelClusterConfig.fromHpcCluster({ vpc, efs: provisioned }, opts))
        .toThrow(/efs.provisionedThroughputMibps '1025': PROVISIONED takes a whole number of 1 to 1024 MiB\/s/);
    });

    test('1 MiB/s is accepted; fails at 0 and without a value', () => {
      const provisioned = (mibps: number) =>
        ({ ...base, efs: { throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputMibps: mibps } });
      expect(() => ParallelClusterConfig.render(provisioned(1))).not.toThrow();
      expect(() => ParallelClusterConfig.render(provisioned(0))).toThrow(/efs.provisionedThroughputMibps '0'/);
      expect(() => ParallelClusterConfig.render({ ...base, efs: { throughputMode: efs.ThroughputMode.PROVISIONED } })).toThrow(/efs.provisionedThroughputMibps \(not set\)/);
    });

    test('fails if the file system ID is not an EFS ID', () => {
      expect(() => ParallelClusterConfig.render({ ...base, efs: { fileSystemId: 'fs-1' } })).toThrow(/efs.fileSystemId 'fs-1': must be an EFS file system ID/);
    });
  });

  describe('FSx for Lustre: the same rules as HpcCluster', () => {
    const vpc = {} as ec2.IVpc;
    const opts = { clusterName: 'hpc-demo', region: 'us-east-1', subnetId: 'subnet-0123' };
    const cases: HpcLustreOptions[] = [
      { deploymentType: fsx.LustreDeploymentType.SCRATCH_2, storageCapacityGiB: 2400 },
      { deploymentType: fsx.LustreDeploymentType.SCRATCH_2, storageCapacityGiB: 3600 },
      { deploymentType: fsx.LustreDeploymentType.SCRATCH_2, storageCapacityGiB: 4800 },
      { deploymentType: fsx.LustreDeploymentType.SCRATCH_1, storageCapacityGiB: 3600 },
      { deploymentType: fsx.LustreDeploymentType.SCRATCH_1, storageCapacityGiB: 4800 },
      { deploymentType: fsx.LustreDeploymentType.SCRATCH_2, storageCapacityGiB: 1200, perUnitStorageThroughput: 200 },
      { deploymentType: fsx.LustreDeploymentType.PERSISTENT_1, storageCapacityGiB: 1200, perUnitStorageThroughput: 200 },
      { deploymentType: fsx.LustreDeploymentType.PERSISTENT_1, storageCapacityGiB: 1200, perUnitStorageThroughput: 999 },
      { deploymentType: fsx.LustreDeploymentType.PERSISTENT_2, storageCapacityGiB: 2400, perUnitStorageThroughput: 1000 },
      { deploymentType: fsx.LustreDeploymentType.PERSISTENT_2, storageCapacityGiB: 2400, perUnitStorageThroughput: 1001 },
    ];
    test.each(cases)('accepted by both or rejected by both: %o', (lustre) => {
      const stack = new Stack(testApp(), 'S');
      const clusterVpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1 });
      let cluster = false;
      try { new HpcCluster(stack, 'C', { vpc: clusterVpc, lustre }); } catch { cluster = true; }
      let config = false;
      try { ParallelClusterConfig.fromHpcCluster({ vpc, lustre }, opts); } catch { config = true; }
      expect(config).toBe(cluster);
    });

    test('fails if SCRATCH_2 has 3,600 GiB (what HpcCluster rejects)', () => {
      expect(() => ParallelClusterConfig.fromHpcCluster({ vpc, lustre: { storageCapacityGiB: 3600 } }, opts))
        .toThrow(/lustre.storageCapacity '3600': SCRATCH_2 takes 1200, 2400, then multiples of 2400 GiB/);
    });

    test('fails if PERSISTENT_1 has 999 MB/s/TiB', () => {
      const lustre = { deploymentType: fsx.LustreDeploymentType.PERSISTENT_1, storageCapacity: 1200, perUnitStorageThroughput: 999 };
      expect(() => ParallelClusterConfig.render({ ...base, lustre }))
        .toThrow(/lustre.perUnitStorageThroughput '999': PERSISTENT_1 takes 50, 100, 200 MB\/s per TiB/);
    });

    test('a persistent type without a throughput gets HpcCluster\'s default', () => {
      const d = parse(ParallelClusterConfig.render({
        ...base, lustre: { deploymentType: fsx.LustreDeploymentType.PERSISTENT_1, storageCapacity: 1200 },
      }));
      expect(d.SharedStorage[0].FsxLustreSettings.PerUnitStorageThroughput).toBe(50);
    });

    test('fails if data repository associations would be dropped (no s3Path)', () => {
      const bucket = s3.Bucket.fromBucketName(new Stack(testApp(), 'B'), 'Data', 'my-data');
      const lustre = { dataRepositories: [{ bucket, fileSystemPath: '/data' }] };
      expect(() => ParallelClusterConfig.fromHpcCluster({ vpc, lustre }, opts))
        .toThrow(/lustre.dataRepositories '1 association\(s\)': ParallelCluster links S3 to the file system it creates through one import\/export path.*Fix: pass options.s3Path/);
      const d = parse(ParallelClusterConfig.fromHpcCluster({ vpc, lustre }, { ...opts, s3Path: 's3://my-data/data' }));
      expect(d.SharedStorage[0].FsxLustreSettings).toMatchObject({ ImportPath: 's3://my-data/data', ExportPath: 's3://my-data/data' });
    });
  });

  describe('FSx import and export paths (FSx CreateFileSystemLustreConfiguration)', () => {
    const lustre = { deploymentType: fsx.LustreDeploymentType.SCRATCH_2, storageCapacity: 1200 };
    test('an export path in the import path\'s bucket is accepted', () => {
      expect(() => ParallelClusterConfig.render({ ...base, lustre: { ...lustre, importPath: 's3://my-data/in', exportPath: 's3://my-data/out' } })).not.toThrow();
    });
    test('fails if the export path is in another bucket', () => {
      expect(() => ParallelClusterConfig.render({ ...base, lustre: { ...lustre, importPath: 's3://my-data/in', exportPath: 's3://other/out' } }))
        .toThrow(/lustre.exportPath 's3:\/\/other\/out': FSx exports only to the bucket of importPath \(my-data\)/);
    });
    test('fails if there is an export path without an import path', () => {
      expect(() => ParallelClusterConfig.render({ ...base, lustre: { ...lustre, exportPath: 's3://my-data/out' } }))
        .toThrow(/lustre.exportPath 's3:\/\/my-data\/out': FSx exports only to the bucket it imports from/);
    });
  });

  describe('limits', () => {
    test('compute resource names of 25 characters are accepted; fails at 26', () => {
      const cr = (name: string) => ({ ...base, queues: [{ ...queue('compute'), computeResources: [{ name, instanceType: 'c5n.18xlarge' }] }] });
      expect(parallelClusterViolations(parse(ParallelClusterConfig.render(cr('a'.repeat(25)))))).toEqual([]);
      expect(() => ParallelClusterConfig.render(cr('a'.repeat(26))))
        .toThrow(/queues\[compute\].computeResources\[a{26}\].name 'a{26}': must start with a lower-case letter, have only lower-case letters, digits and hyphens, at most 25 characters, and not be 'default'/);
    });

    test('fails if a compute resource name is default, upper-case, starts with a digit or has an underscore', () => {
      for (const name of ['default', 'C5n', '5cn', 'c5n_18']) {
        expect(() => ParallelClusterConfig.render({ ...base, queues: [{ ...queue('compute'), computeResources: [{ name, instanceType: 'c5n.18xlarge' }] }] }))
          .toThrow(new RegExp(`computeResources\\[${name}\\].name '${name}': must start with a lower-case letter`));
      }
    });

    test('fails if two compute resources of a queue share a name', () => {
      expect(() => ParallelClusterConfig.render({ ...base, queues: [{ ...queue('compute'), computeResources: [{ name: 'cr', instanceType: 'c5n.18xlarge' }, { name: 'cr', instanceType: 'c5n.9xlarge' }] }] }))
        .toThrow(/computeResources\[cr\].name 'cr': compute resource names must be unique in a queue/);
    });

    test('fails if a queue is named default; 25 characters are accepted, 26 fail', () => {
      expect(() => ParallelClusterConfig.render({ ...base, queues: [queue('default')] })).toThrow(/queues\[default\].name 'default'/);
      expect(() => ParallelClusterConfig.render({ ...base, queues: [queue('q'.repeat(25))] })).not.toThrow();
      expect(() => ParallelClusterConfig.render({ ...base, queues: [queue('q'.repeat(26))] })).toThrow(/queues\[q{26}\].name/);
    });

    test('the checker catches a placement group outside Networking and import paths with PERSISTENT_2 (it can fail)', () => {
      const doc = parse(ParallelClusterConfig.render(base));
      doc.Scheduling.SlurmQueues[0].PlacementGroup = { Enabled: true };
      doc.SharedStorage = [{ StorageType: 'FsxLustre', FsxLustreSettings: { DeploymentType: 'PERSISTENT_2', ImportPath: 's3://b' } }];
      expect(parallelClusterViolations(doc)).toEqual(['queue compute: PlacementGroup outside Networking', 'import/export path with PERSISTENT_2']);
    });

    test('50 queues of 50 compute resources each are accepted and pass the check', () => {
      const queues = Array.from({ length: ParallelClusterConfig.LIMITS.maxQueues }, (_, i) => queue(`q${i}`, ParallelClusterConfig.LIMITS.maxComputeResourcesPerQueue));
      expect(parallelClusterViolations(parse(ParallelClusterConfig.render({ ...base, queues })))).toEqual([]);
    });

    test('fails if more than 50 queues', () => {
      const queues = Array.from({ length: 51 }, (_, i) => queue(`q${i}`));
      expect(() => ParallelClusterConfig.render({ ...base, queues })).toThrow(/queues '51 queue\(s\)': ParallelCluster takes 1 to 50 Slurm queues/);
    });

    test('fails if more than 50 compute resources in a queue', () => {
      expect(() => ParallelClusterConfig.render({ ...base, queues: [queue('compute', 51)] }))
        .toThrow(/queues\[compute\].computeResources '51 compute resource\(s\)': ParallelCluster takes 1 to 50 compute resources per queue/);
    });

    test('fails if the cluster name is longer than 60 characters', () => {
      expect(() => ParallelClusterConfig.render({ ...base, clusterName: 'a'.repeat(61) })).toThrow(/clusterName 'a{61}': must start with a letter.*at most 60 characters/);
      expect(() => ParallelClusterConfig.render({ ...base, clusterName: 'a'.repeat(60) })).not.toThrow();
    });

    test('fails if the cluster name does not start with a letter', () => {
      expect(() => ParallelClusterConfig.render({ ...base, clusterName: '1hpc' })).toThrow(/clusterName '1hpc': must start with a letter/);
    });

    test('fails if a queue name is invalid', () => {
      expect(() => ParallelClusterConfig.render({ ...base, queues: [queue('Compute_1')] })).toThrow(/queues\[Compute_1\].name 'Compute_1': must start with a lower-case letter/);
    });

    test('fails if import/export paths are given with PERSISTENT_2', () => {
      expect(() => ParallelClusterConfig.render({
        ...base, lustre: { deploymentType: fsx.LustreDeploymentType.PERSISTENT_2, storageCapacity: 1200, perUnitStorageThroughput: 125, importPath: 's3://b/in' },
      })).toThrow(/lustre.importPath 's3:\/\/b\/in': ParallelCluster does not take import or export paths with PERSISTENT_2/);
    });

    test('fails if EFA is enabled on a type without it', () => {
      expect(() => ParallelClusterConfig.render({ ...base, queues: [{ ...queue('compute'), computeResources: [{ name: 'small', instanceType: 'c5n.large', efa: true }] }] }))
        .toThrow(/queues\[compute\].computeResources\[small\].instanceType 'c5n.large': does not support EFA/);
    });

    test('fails if a value is a token (the file is read by the pcluster CLI, not CloudFormation)', () => {
      expect(() => ParallelClusterConfig.render({ ...base, headNodeSubnetId: Lazy.string({ produce: () => 'subnet-1' }) }))
        .toThrow(/\(props\) '\(token\)': a ParallelCluster configuration is a text file/);
    });
  });
});
