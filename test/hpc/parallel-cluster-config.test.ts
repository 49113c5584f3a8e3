import { Lazy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import { parse } from 'yaml';
import { HpcCapacityType } from '../../lib/hpc/hpc-cluster';
import {
  PARALLEL_CLUSTER_LIMITS, ParallelClusterConfigProps, ParallelClusterQueue, parallelClusterConfigFromHpcCluster, renderParallelClusterConfig,
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
      if (typeof cr.Efa?.Enabled !== 'boolean') v.push(`${cr.Name}: Efa.Enabled not a boolean`);
      if (cr.MinCount > cr.MaxCount) v.push(`${cr.Name}: MinCount > MaxCount`);
    }
  }
  for (const s of doc.SharedStorage ?? []) {
    const f = s.FsxLustreSettings;
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
    const doc = parse(parallelClusterConfigFromHpcCluster({ vpc, maxCapacity: 16 }, { clusterName: 'hpc-demo', region: 'us-east-1', subnetId: 'subnet-0123', s3Path: 's3://my-data/input' }));

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
      const d = parse(parallelClusterConfigFromHpcCluster({
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

  describe('limits', () => {
    test('the checker catches a placement group outside Networking and import paths with PERSISTENT_2 (it can fail)', () => {
      const doc = parse(renderParallelClusterConfig(base));
      doc.Scheduling.SlurmQueues[0].PlacementGroup = { Enabled: true };
      doc.SharedStorage = [{ StorageType: 'FsxLustre', FsxLustreSettings: { DeploymentType: 'PERSISTENT_2', ImportPath: 's3://b' } }];
      expect(parallelClusterViolations(doc)).toEqual(['queue compute: PlacementGroup outside Networking', 'import/export path with PERSISTENT_2']);
    });

    test('50 queues of 50 compute resources each are accepted and pass the check', () => {
      const queues = Array.from({ length: PARALLEL_CLUSTER_LIMITS.maxQueues }, (_, i) => queue(`q${i}`, PARALLEL_CLUSTER_LIMITS.maxComputeResourcesPerQueue));
      expect(parallelClusterViolations(parse(renderParallelClusterConfig({ ...base, queues })))).toEqual([]);
    });

    test('fails if more than 50 queues', () => {
      const queues = Array.from({ length: 51 }, (_, i) => queue(`q${i}`));
      expect(() => renderParallelClusterConfig({ ...base, queues })).toThrow(/queues '51 queue\(s\)': ParallelCluster takes 1 to 50 Slurm queues/);
    });

    test('fails if more than 50 compute resources in a queue', () => {
      expect(() => renderParallelClusterConfig({ ...base, queues: [queue('compute', 51)] }))
        .toThrow(/queues\[compute\].computeResources '51 compute resource\(s\)': ParallelCluster takes 1 to 50 compute resources per queue/);
    });

    test('fails if the cluster name is longer than 60 characters', () => {
      expect(() => renderParallelClusterConfig({ ...base, clusterName: 'a'.repeat(61) })).toThrow(/clusterName 'a{61}': must start with a letter.*at most 60 characters/);
      expect(() => renderParallelClusterConfig({ ...base, clusterName: 'a'.repeat(60) })).not.toThrow();
    });

    test('fails if the cluster name does not start with a letter', () => {
      expect(() => renderParallelClusterConfig({ ...base, clusterName: '1hpc' })).toThrow(/clusterName '1hpc': must start with a letter/);
    });

    test('fails if a queue name is invalid', () => {
      expect(() => renderParallelClusterConfig({ ...base, queues: [queue('Compute_1')] })).toThrow(/queues\[Compute_1\].name 'Compute_1': must start with a lower-case letter/);
    });

    test('fails if import/export paths are given with PERSISTENT_2', () => {
      expect(() => renderParallelClusterConfig({
        ...base, lustre: { deploymentType: fsx.LustreDeploymentType.PERSISTENT_2, storageCapacity: 1200, perUnitStorageThroughput: 125, importPath: 's3://b/in' },
      })).toThrow(/lustre.importPath 's3:\/\/b\/in': ParallelCluster does not take import or export paths with PERSISTENT_2/);
    });

    test('fails if EFA is enabled on a type without it', () => {
      expect(() => renderParallelClusterConfig({ ...base, queues: [{ ...queue('compute'), computeResources: [{ name: 'small', instanceType: 'c5n.large', efa: true }] }] }))
        .toThrow(/queues\[compute\].computeResources\[small\].instanceType 'c5n.large': does not support EFA/);
    });

    test('fails if a value is a token (the file is read by the pcluster CLI, not CloudFormation)', () => {
      expect(() => renderParallelClusterConfig({ ...base, headNodeSubnetId: Lazy.string({ produce: () => 'subnet-1' }) }))
        .toThrow(/\(props\) '\(token\)': a ParallelCluster configuration is a text file/);
    });
  });
});
