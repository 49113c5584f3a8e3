import { Token } from 'aws-cdk-lib';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import { ConfigErrors } from '../private/config-errors';
import { EfaInstanceTypes } from './efa-instance-types';
import type { ParallelClusterConfigProps, ParallelClusterEfs, ParallelClusterLimits } from './parallel-cluster-config';
import { validateLustreSettings } from './validate-lustre';

/**
 * AWS ParallelCluster 3 limits (ParallelCluster User Guide, "Cluster configuration file": `Scheduling`
 * `SlurmQueues` and `ComputeResources`, `SharedStorage` `EfsSettings`).
 */
export const PARALLEL_CLUSTER_LIMITS: ParallelClusterLimits = Object.freeze({
  maxQueues: 50,
  maxComputeResourcesPerQueue: 50,
  maxClusterNameLength: 60,
  maxQueueNameLength: 25,
  maxComputeResourceNameLength: 25,
  minEfsProvisionedThroughput: 1,
  maxEfsProvisionedThroughput: 1024,
});

/**
 * Records that an `HpcCluster`'s data repository associations would be dropped: ParallelCluster links
 * S3 to the file system it creates through one import/export path (`s3Path`), not associations.
 */
export function validateDataRepositoriesForParallelCluster(
  errors: ConfigErrors, associations: number, deploymentType: string, s3Path: string | undefined,
): void {
  if (associations > 0 && !s3Path) {
    errors.add('lustre.dataRepositories', `${associations} association(s)`,
      'ParallelCluster links S3 to the file system it creates through one import/export path, not data repository associations, so they would be dropped',
      deploymentType === fsx.LustreDeploymentType.PERSISTENT_2
        ? 'create the associations after the cluster (aws fsx create-data-repository-association), or use SCRATCH_2 with options.s3Path'
        : 'pass options.s3Path (e.g. the bucket and prefix of the association), or remove dataRepositories');
  }
}

/**
 * Records the problems of a ParallelCluster configuration: ParallelCluster's limits
 * ({@link PARALLEL_CLUSTER_LIMITS}), the FSx rules `HpcCluster` applies, and the S3 and EFS settings
 * the `pcluster` CLI reads. Every value must be concrete: the file is not read by CloudFormation.
 */
export function validateParallelClusterConfig(props: ParallelClusterConfigProps, errors: ConfigErrors): void {
  const L = PARALLEL_CLUSTER_LIMITS;
  let unresolved = false;
  JSON.stringify(props, (_, v) => {
    unresolved ||= (typeof v === 'string' || typeof v === 'number') && Token.isUnresolved(v);
    return v;
  });
  if (unresolved) {
    errors.add('(props)', '(token)', 'a ParallelCluster configuration is a text file read by the pcluster CLI, so every value must be known at synth time', 'pass concrete values (e.g. the subnet ID from the deployed stack\'s outputs)');
  }
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(props.clusterName) || props.clusterName.length > L.maxClusterNameLength) {
    errors.add('clusterName', props.clusterName, `must start with a letter, have only letters, digits and hyphens, and at most ${L.maxClusterNameLength} characters`, 'use e.g. \'hpc-demo\'');
  }
  if (props.queues.length < 1 || props.queues.length > L.maxQueues) {
    errors.add('queues', `${props.queues.length} queue(s)`, `ParallelCluster takes 1 to ${L.maxQueues} Slurm queues`, `use at most ${L.maxQueues} queues`);
  }
  const names = new Set<string>();
  for (const q of props.queues) {
    if (!/^[a-z][a-z0-9-]*$/.test(q.name) || q.name.length > L.maxQueueNameLength || q.name === 'default') {
      errors.add(`queues[${q.name}].name`, q.name, `must start with a lower-case letter, have only lower-case letters, digits and hyphens, at most ${L.maxQueueNameLength} characters, and not be 'default'`, 'use e.g. \'compute\'');
    }
    if (names.has(q.name)) {
      errors.add(`queues[${q.name}].name`, q.name, 'queue names must be unique', 'rename one of the queues');
    }
    names.add(q.name);
    if (q.computeResources.length < 1 || q.computeResources.length > L.maxComputeResourcesPerQueue) {
      errors.add(`queues[${q.name}].computeResources`, `${q.computeResources.length} compute resource(s)`,
        `ParallelCluster takes 1 to ${L.maxComputeResourcesPerQueue} compute resources per queue`, 'split them over more queues');
    }
    const crNames = new Set<string>();
    for (const cr of q.computeResources) {
      if (!/^[a-z][a-z0-9-]*$/.test(cr.name) || cr.name.length > L.maxComputeResourceNameLength || cr.name === 'default') {
        errors.add(`queues[${q.name}].computeResources[${cr.name}].name`, cr.name,
          `must start with a lower-case letter, have only lower-case letters, digits and hyphens, at most ${L.maxComputeResourceNameLength} characters, and not be 'default'`, "use e.g. 'c5n18xlarge'");
      }
      if (crNames.has(cr.name)) {
        errors.add(`queues[${q.name}].computeResources[${cr.name}].name`, cr.name, 'compute resource names must be unique in a queue', 'rename one of them');
      }
      crNames.add(cr.name);
      if (cr.efa && !EfaInstanceTypes.supports(cr.instanceType)) {
        errors.add(`queues[${q.name}].computeResources[${cr.name}].instanceType`, cr.instanceType, 'does not support EFA', 'use an EFA-capable size such as c5n.18xlarge, or efa: false');
      }
      if ((cr.minCount ?? 0) > (cr.maxCount ?? 10)) {
        errors.add(`queues[${q.name}].computeResources[${cr.name}].minCount`, cr.minCount, `must not exceed maxCount (${cr.maxCount ?? 10})`, 'raise maxCount');
      }
    }
  }
  const l = props.lustre;
  if (l) {
    validateLustreSettings(errors, { capacity: 'lustre.storageCapacity', throughput: 'lustre.perUnitStorageThroughput' },
      { deploymentType: l.deploymentType, storageCapacityGiB: l.storageCapacity, perUnitStorageThroughput: l.perUnitStorageThroughput });
  }
  if (props.efs) {
    validateEfs(props.efs, errors);
  }
  if (l && l.deploymentType === fsx.LustreDeploymentType.PERSISTENT_2 && (l.importPath || l.exportPath)) {
    errors.add('lustre.importPath', l.importPath ?? l.exportPath, 'ParallelCluster does not take import or export paths with PERSISTENT_2 (it links S3 through data repository associations)',
      'remove importPath/exportPath, or use SCRATCH_2 or PERSISTENT_1');
  }
  // FSx API CreateFileSystemLustreConfiguration: ImportPath is s3://bucket[/prefix]; ExportPath must use the same bucket.
  // eslint-disable-next-line no-control-regex -- NUL is one of the characters the path may not contain
  const bucketOf = (url: string) => /^s3:\/\/([a-z0-9.-]{3,63})(\/[^\u0000\u0085\u2028\u2029\r\n]*)?$/.exec(url)?.[1];
  for (const [prop, value] of [['importPath', l?.importPath], ['exportPath', l?.exportPath]] as const) {
    if (value !== undefined && !bucketOf(value)) {
      errors.add(`lustre.${prop}`, value, 'must be an S3 URL (s3://bucket or s3://bucket/prefix, FSx ImportPath/ExportPath)', "use e.g. 's3://my-bucket/prefix'");
    }
  }
  if (l?.exportPath !== undefined && l.importPath === undefined) {
    errors.add('lustre.exportPath', l.exportPath, 'FSx exports only to the bucket it imports from, so an export path needs an import path', 'set importPath to the same bucket, or remove exportPath');
  } else if (l?.exportPath && l.importPath && bucketOf(l.exportPath) && bucketOf(l.importPath) && bucketOf(l.exportPath) !== bucketOf(l.importPath)) {
    errors.add('lustre.exportPath', l.exportPath, `FSx exports only to the bucket of importPath (${bucketOf(l.importPath)})`, `use s3://${bucketOf(l.importPath)}/<prefix>`);
  }
}

function validateEfs(e: ParallelClusterEfs, errors: ConfigErrors): void {
  const L = PARALLEL_CLUSTER_LIMITS;
  if (e.fileSystemId !== undefined) {
    if (!/^fs-([0-9a-z]{8}|[0-9a-z]{17})$/.test(e.fileSystemId)) {
      errors.add('efs.fileSystemId', e.fileSystemId, 'must be an EFS file system ID (fs- and 8 or 17 characters)', 'pass the deployed file system\'s ID, e.g. from the stack outputs');
    }
    return;
  }
  const mode = e.throughputMode ?? efs.ThroughputMode.BURSTING;
  if (mode === efs.ThroughputMode.ELASTIC) {
    errors.add('efs.throughputMode', mode, 'ParallelCluster 3 creates EFS file systems with bursting or provisioned throughput only',
      'mount an existing elastic file system with fileSystemId (options.efsFileSystemId), or use efs.ThroughputMode.PROVISIONED or BURSTING');
  } else if (mode === efs.ThroughputMode.PROVISIONED) {
    const mibps = e.provisionedThroughputMibps;
    if (mibps === undefined || mibps < L.minEfsProvisionedThroughput || mibps > L.maxEfsProvisionedThroughput || !Number.isInteger(mibps)) {
      errors.add('efs.provisionedThroughputMibps', mibps, `PROVISIONED takes a whole number of ${L.minEfsProvisionedThroughput} to ${L.maxEfsProvisionedThroughput} MiB/s in ParallelCluster`,
        `use ${L.minEfsProvisionedThroughput}-${L.maxEfsProvisionedThroughput}`);
    }
  } else if (e.provisionedThroughputMibps !== undefined) {
    errors.add('efs.provisionedThroughputMibps', e.provisionedThroughputMibps, `only applies to PROVISIONED throughput, but throughputMode is ${mode}`, 'remove it, or use efs.ThroughputMode.PROVISIONED');
  }
}
