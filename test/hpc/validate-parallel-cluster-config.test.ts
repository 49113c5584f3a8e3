import { Lazy, Token } from 'aws-cdk-lib';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import type {
  ParallelClusterComputeResource, ParallelClusterConfigProps, ParallelClusterEfs, ParallelClusterLustre, ParallelClusterQueue,
} from '../../lib/hpc/parallel-cluster-config';
import {
  PARALLEL_CLUSTER_LIMITS, validateDataRepositoriesForParallelCluster, validateParallelClusterConfig,
} from '../../lib/hpc/validate-parallel-cluster-config';
import { ConfigErrors } from '../../lib/private/config-errors';
import { recordedProblems } from '../support/config-problems';

/*
 * Limits: AWS ParallelCluster 3 (pcluster/constants.py: PCLUSTER_NAME_MAX_LENGTH 60 with
 * ^[a-zA-Z][a-zA-Z0-9-]*$, MAX_NUMBER_OF_QUEUES 50, MAX_COMPUTE_RESOURCES_PER_QUEUE 50; User Guide,
 * Scheduling SlurmQueues Name and ComputeResources Name: lower-case letters, digits and hyphens, starting
 * with a letter, at most 25 characters, not "default"; SharedStorage EfsSettings ThroughputMode bursting or
 * provisioned, ProvisionedThroughput 1 to 1024 MiB/s), Amazon FSx API CreateFileSystemLustreConfiguration
 * (ImportPath s3://bucket[/prefix], ExportPath in the same bucket; not with PERSISTENT_2) and Amazon EFS
 * file system IDs (fs- and 8 or 17 characters).
 */

/** The problems `check` records, as the lines of the thrown message (without the header). */
function problems(check: (errors: ConfigErrors) => void): string[] {
  const errors = new ConfigErrors('ParallelClusterConfig', 'P');
  check(errors);
  return recordedProblems(errors);
}

function cr(name: string, more: Partial<ParallelClusterComputeResource> = {}): ParallelClusterComputeResource {
  return { name, instanceType: 'c5n.18xlarge', ...more };
}

function queue(name: string, computeResources: ParallelClusterComputeResource[] = [cr('cr')]): ParallelClusterQueue {
  return { name, subnetId: 'subnet-1', computeResources };
}

function config(more: Partial<ParallelClusterConfigProps> = {}): string[] {
  const props: ParallelClusterConfigProps = { clusterName: 'hpc', region: 'us-east-1', headNodeSubnetId: 'subnet-1', queues: [queue('compute')], ...more };
  return problems((e) => validateParallelClusterConfig(props, e));
}

const LUSTRE: ParallelClusterLustre = { storageCapacity: 1200, deploymentType: fsx.LustreDeploymentType.SCRATCH_2 };

function lustre(more: Partial<ParallelClusterLustre>): string[] {
  return config({ lustre: { ...LUSTRE, ...more } });
}

function efsConfig(e: ParallelClusterEfs): string[] {
  return config({ efs: e });
}

test('the limits', () => {
  expect(PARALLEL_CLUSTER_LIMITS).toEqual({
    maxQueues: 50, maxComputeResourcesPerQueue: 50, maxClusterNameLength: 60, maxQueueNameLength: 25,
    maxComputeResourceNameLength: 25, minEfsProvisionedThroughput: 1, maxEfsProvisionedThroughput: 1024,
  });
});

test('a minimal configuration has no problem', () => {
  expect(config()).toEqual([]);
});

test('fails if any value is a token (the pcluster CLI reads the file)', () => {
  const expected = "  - ParallelClusterConfig: (props) '(token)': a ParallelCluster configuration is a text file read by the pcluster CLI,"
    + " so every value must be known at synth time. Fix: pass concrete values (e.g. the subnet ID from the deployed stack's outputs).";
  expect(config({ region: Token.asString(Lazy.string({ produce: () => 'r' })) })).toEqual([expected]);
  expect(config({ queues: [queue('compute', [cr('cr', { minCount: Token.asNumber(Lazy.number({ produce: () => 1 })) })])] })).toEqual([expected]);
});

test('a NUL in a value is reported as that value, not as a token', () => {
  expect(config({ lustre: { ...LUSTRE, importPath: 's3://abc/in\u0000' } })).toEqual([
    "  - ParallelClusterConfig: lustre.importPath 's3://abc/in\u0000': must be an S3 URL (s3://bucket or s3://bucket/prefix, FSx ImportPath/ExportPath)."
    + " Fix: use e.g. 's3://my-bucket/prefix'.",
  ]);
});

describe('clusterName', () => {
  test.each(['a', 'Hpc-1', 'a'.repeat(60)])('%s is accepted', (clusterName) => {
    expect(config({ clusterName })).toEqual([]);
  });

  test('fails at 61 characters', () => {
    expect(config({ clusterName: 'a'.repeat(61) })).toEqual([
      `  - ParallelClusterConfig: clusterName '${'a'.repeat(61)}': must start with a letter, have only letters, digits and hyphens, and at most 60 characters.`
      + " Fix: use e.g. 'hpc-demo'.",
    ]);
  });

  test.each(['', '1hpc', '-hpc', 'hpc_1', 'hpc.1', 'x1hpc!'])('%j fails', (clusterName) => {
    expect(config({ clusterName })).toHaveLength(1);
  });
});

describe('queues', () => {
  const queues = (n: number) => Array.from({ length: n }, (_, i) => queue(`q${i}`));

  test('1 and 50 queues are accepted', () => {
    expect(config({ queues: queues(1) })).toEqual([]);
    expect(config({ queues: queues(50) })).toEqual([]);
  });

  test('fails at 0 and 51 queues', () => {
    expect(config({ queues: [] })).toEqual([
      "  - ParallelClusterConfig: queues '0 queue(s)': ParallelCluster takes 1 to 50 Slurm queues. Fix: use at most 50 queues.",
    ]);
    expect(config({ queues: queues(51) })).toHaveLength(1);
  });

  test.each(['a', 'compute-1', 'q'.repeat(25), 'defaults'])('queue name %s is accepted', (name) => {
    expect(config({ queues: [queue(name)] })).toEqual([]);
  });

  test('fails if a queue name is 26 characters', () => {
    expect(config({ queues: [queue('q'.repeat(26))] })).toEqual([
      `  - ParallelClusterConfig: queues[${'q'.repeat(26)}].name '${'q'.repeat(26)}': must start with a lower-case letter, have only lower-case letters,`
      + " digits and hyphens, at most 25 characters, and not be 'default'. Fix: use e.g. 'compute'.",
    ]);
  });

  test.each(['default', 'Compute', '1q', '-q', 'q_1', 'qA', ''])('queue name %j fails', (name) => {
    expect(config({ queues: [queue(name)] })).toHaveLength(1);
  });

  test('fails if two queues share a name', () => {
    expect(config({ queues: [queue('a'), queue('b'), queue('a')] })).toEqual([
      "  - ParallelClusterConfig: queues[a].name 'a': queue names must be unique. Fix: rename one of the queues.",
    ]);
  });
});

describe('compute resources', () => {
  const resources = (n: number) => Array.from({ length: n }, (_, i) => cr(`cr${i}`));

  test('1 and 50 per queue are accepted', () => {
    expect(config({ queues: [queue('q', resources(1))] })).toEqual([]);
    expect(config({ queues: [queue('q', resources(50))] })).toEqual([]);
  });

  test('fails at 0 and 51 per queue', () => {
    expect(config({ queues: [queue('q', [])] })).toEqual([
      "  - ParallelClusterConfig: queues[q].computeResources '0 compute resource(s)': ParallelCluster takes 1 to 50 compute resources per queue."
      + ' Fix: split them over more queues.',
    ]);
    expect(config({ queues: [queue('q', resources(51))] })).toHaveLength(1);
  });

  test.each(['a', 'c5n18xlarge', 'c'.repeat(25)])('name %s is accepted', (name) => {
    expect(config({ queues: [queue('q', [cr(name)])] })).toEqual([]);
  });

  test('fails if a name is 26 characters', () => {
    const name = 'c'.repeat(26);
    expect(config({ queues: [queue('q', [cr(name)])] })).toEqual([
      `  - ParallelClusterConfig: queues[q].computeResources[${name}].name '${name}': must start with a lower-case letter, have only lower-case letters,`
      + " digits and hyphens, at most 25 characters, and not be 'default'. Fix: use e.g. 'c5n18xlarge'.",
    ]);
  });

  test.each(['default', 'C5n', '5c', '-c', 'c_5', 'c.5', ''])('name %j fails', (name) => {
    expect(config({ queues: [queue('q', [cr(name)])] })).toHaveLength(1);
  });

  test('names are unique per queue, not per cluster', () => {
    expect(config({ queues: [queue('q', [cr('a'), cr('a')])] })).toEqual([
      "  - ParallelClusterConfig: queues[q].computeResources[a].name 'a': compute resource names must be unique in a queue. Fix: rename one of them.",
    ]);
    expect(config({ queues: [queue('q', [cr('a')]), queue('r', [cr('a')])] })).toEqual([]);
  });

  test('EFA only on a type that supports it', () => {
    expect(config({ queues: [queue('q', [cr('a', { efa: true })])] })).toEqual([]);
    expect(config({ queues: [queue('q', [cr('a', { instanceType: 'c5n.large', efa: false })])] })).toEqual([]);
    expect(config({ queues: [queue('q', [cr('a', { instanceType: 'c5n.large', efa: true })])] })).toEqual([
      "  - ParallelClusterConfig: queues[q].computeResources[a].instanceType 'c5n.large': does not support EFA. Fix: use an EFA-capable size such as c5n.18xlarge, or efa: false.",
    ]);
  });

  test('minCount up to maxCount is accepted (maxCount defaults to 10, minCount to 0)', () => {
    expect(config({ queues: [queue('q', [cr('a', { minCount: 4, maxCount: 4 })])] })).toEqual([]);
    expect(config({ queues: [queue('q', [cr('a', { minCount: 10 })])] })).toEqual([]);
    expect(config({ queues: [queue('q', [cr('a', { maxCount: 0 })])] })).toEqual([]);
  });

  test('fails if minCount exceeds maxCount', () => {
    expect(config({ queues: [queue('q', [cr('a', { minCount: 5, maxCount: 4 })])] })).toEqual([
      "  - ParallelClusterConfig: queues[q].computeResources[a].minCount '5': must not exceed maxCount (4). Fix: raise maxCount.",
    ]);
    expect(config({ queues: [queue('q', [cr('a', { minCount: 11 })])] })[0]).toContain('must not exceed maxCount (10)');
    expect(config({ queues: [queue('q', [cr('a', { maxCount: -1 })])] })).toHaveLength(1);
  });
});

describe('FSx for Lustre', () => {
  test('the HpcCluster rules apply under the ParallelCluster prop names', () => {
    expect(lustre({})).toEqual([]);
    expect(lustre({ storageCapacity: 3600 })).toEqual([
      "  - ParallelClusterConfig: lustre.storageCapacity '3600': SCRATCH_2 takes 1200, 2400, then multiples of 2400 GiB. Fix: use e.g. 4800 GiB.",
    ]);
    expect(lustre({ deploymentType: fsx.LustreDeploymentType.PERSISTENT_1, perUnitStorageThroughput: 999 })[0])
      .toMatch(/^ {2}- ParallelClusterConfig: lustre\.perUnitStorageThroughput '999': PERSISTENT_1 takes 50, 100, 200 MB\/s per TiB/);
  });

  test('import and export paths, not with PERSISTENT_2', () => {
    expect(lustre({ deploymentType: fsx.LustreDeploymentType.PERSISTENT_1, perUnitStorageThroughput: 50, importPath: 's3://abc' })).toEqual([]);
    expect(lustre({ deploymentType: fsx.LustreDeploymentType.PERSISTENT_2, importPath: 's3://abc/in' })).toEqual([
      "  - ParallelClusterConfig: lustre.importPath 's3://abc/in': ParallelCluster does not take import or export paths with PERSISTENT_2"
      + ' (it links S3 through data repository associations). Fix: remove importPath/exportPath, or use SCRATCH_2 or PERSISTENT_1.',
    ]);
    expect(lustre({ deploymentType: fsx.LustreDeploymentType.PERSISTENT_2, exportPath: 's3://abc/out' })[0])
      .toContain("lustre.importPath 's3://abc/out': ParallelCluster does not take");
    expect(lustre({ deploymentType: fsx.LustreDeploymentType.PERSISTENT_2 })).toEqual([]);
  });

  test.each([
    's3://abc', 's3://abc/', 's3://abc/in/put', 's3://a.b-c', `s3://${'b'.repeat(63)}`, 's3://abc/pre fix', 's3://abc/ünï',
  ])('import path %s is accepted', (importPath) => {
    expect(lustre({ importPath })).toEqual([]);
  });

  test('fails if an import path is not an S3 URL', () => {
    expect(lustre({ importPath: 'abc/in' })).toEqual([
      "  - ParallelClusterConfig: lustre.importPath 'abc/in': must be an S3 URL (s3://bucket or s3://bucket/prefix, FSx ImportPath/ExportPath). Fix: use e.g. 's3://my-bucket/prefix'.",
    ]);
  });

  test.each([
    's3://ab', `s3://${'b'.repeat(64)}`, 's3://Abc', 's3://a_c', 's3://abc/in\u0000', 's3://abc/a\u2028', 'x s3://abc', 'S3://abc', 's3://abc?x',
  ])('import path %j fails', (importPath) => {
    expect(lustre({ importPath, exportPath: undefined })).toHaveLength(1);
  });

  test('an export path in the import path\'s bucket is accepted', () => {
    expect(lustre({ importPath: 's3://abc/in', exportPath: 's3://abc/out' })).toEqual([]);
  });

  test('fails if the export path is malformed, in another bucket, or has no import path', () => {
    expect(lustre({ importPath: 's3://abc/in', exportPath: 'abc' })).toEqual([
      "  - ParallelClusterConfig: lustre.exportPath 'abc': must be an S3 URL (s3://bucket or s3://bucket/prefix, FSx ImportPath/ExportPath). Fix: use e.g. 's3://my-bucket/prefix'.",
    ]);
    expect(lustre({ importPath: 's3://abc/in', exportPath: 's3://xyz/out' })).toEqual([
      "  - ParallelClusterConfig: lustre.exportPath 's3://xyz/out': FSx exports only to the bucket of importPath (abc). Fix: use s3://abc/<prefix>.",
    ]);
    expect(lustre({ exportPath: 's3://abc/out' })).toEqual([
      "  - ParallelClusterConfig: lustre.exportPath 's3://abc/out': FSx exports only to the bucket it imports from, so an export path needs an import path."
      + ' Fix: set importPath to the same bucket, or remove exportPath.',
    ]);
    expect(lustre({ importPath: 'abc', exportPath: 's3://xyz/out' })).toHaveLength(1); // the malformed import path only
  });
});

describe('EFS', () => {
  test.each(['fs-0123abcd', 'fs-0123456789abcdef0'])('file system ID %s is accepted, and the settings for a new one are not checked', (fileSystemId) => {
    expect(efsConfig({ fileSystemId })).toEqual([]);
    expect(efsConfig({ fileSystemId, throughputMode: efs.ThroughputMode.ELASTIC, provisionedThroughputMibps: 0 })).toEqual([]);
  });

  test('fails if the ID is not an EFS ID', () => {
    expect(efsConfig({ fileSystemId: 'fs-1234567' })).toEqual([
      "  - ParallelClusterConfig: efs.fileSystemId 'fs-1234567': must be an EFS file system ID (fs- and 8 or 17 characters). Fix: pass the deployed file system's ID, e.g. from the stack outputs.",
    ]);
  });

  test.each(['fs-123456789', 'fs-0123456789abcdef', 'fs-0123456789abcdef01', 'fs-ABCDEFGH', 'xfs-0123abcd', 'fs-0123abcdx', ''])('ID %j fails', (fileSystemId) => {
    expect(efsConfig({ fileSystemId })).toHaveLength(1);
  });

  test('a new file system is bursting by default', () => {
    expect(efsConfig({})).toEqual([]);
    expect(efsConfig({ throughputMode: efs.ThroughputMode.BURSTING })).toEqual([]);
  });

  test('fails if elastic throughput is to be created', () => {
    expect(efsConfig({ throughputMode: efs.ThroughputMode.ELASTIC })).toEqual([
      "  - ParallelClusterConfig: efs.throughputMode 'elastic': ParallelCluster 3 creates EFS file systems with bursting or provisioned throughput only."
      + ' Fix: mount an existing elastic file system with fileSystemId (options.efsFileSystemId), or use efs.ThroughputMode.PROVISIONED or BURSTING.',
    ]);
  });

  test.each([1, 2, 1023, 1024])('provisioned %d MiB/s is accepted', (provisionedThroughputMibps) => {
    expect(efsConfig({ throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputMibps })).toEqual([]);
  });

  test('fails if provisioned throughput is outside 1 to 1,024 MiB/s, a fraction or not set', () => {
    expect(efsConfig({ throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputMibps: 1025 })).toEqual([
      "  - ParallelClusterConfig: efs.provisionedThroughputMibps '1025': PROVISIONED takes a whole number of 1 to 1024 MiB/s in ParallelCluster. Fix: use 1-1024.",
    ]);
    for (const mibps of [0, 1.5, undefined]) {
      expect(efsConfig({ throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputMibps: mibps })).toHaveLength(1);
    }
  });

  test('fails if a throughput is given without PROVISIONED', () => {
    expect(efsConfig({ provisionedThroughputMibps: 100 })).toEqual([
      "  - ParallelClusterConfig: efs.provisionedThroughputMibps '100': only applies to PROVISIONED throughput, but throughputMode is bursting."
      + ' Fix: remove it, or use efs.ThroughputMode.PROVISIONED.',
    ]);
  });
});

describe('data repository associations of an HpcCluster', () => {
  function associations(count: number, deploymentType: string, s3Path?: string): string[] {
    return problems((e) => validateDataRepositoriesForParallelCluster(e, count, deploymentType, s3Path));
  }

  test('none, or an s3Path to take their place, are accepted', () => {
    expect(associations(0, 'SCRATCH_2')).toEqual([]);
    expect(associations(2, 'SCRATCH_2', 's3://b/p')).toEqual([]);
  });

  test('fails if they would be dropped; the fix depends on the deployment type', () => {
    const rule = 'ParallelCluster links S3 to the file system it creates through one import/export path, not data repository associations, so they would be dropped';
    expect(associations(1, 'SCRATCH_2')).toEqual([
      `  - ParallelClusterConfig: lustre.dataRepositories '1 association(s)': ${rule}. Fix: pass options.s3Path (e.g. the bucket and prefix of the association), or remove dataRepositories.`,
    ]);
    expect(associations(2, 'PERSISTENT_2', '')).toEqual([
      `  - ParallelClusterConfig: lustre.dataRepositories '2 association(s)': ${rule}.`
      + ' Fix: create the associations after the cluster (aws fsx create-data-repository-association), or use SCRATCH_2 with options.s3Path.',
    ]);
  });
});
