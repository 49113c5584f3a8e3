import { Annotations, Size, SizeRoundingBehavior } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ConfigErrors, isConcrete } from '../private/config-errors';
import { NumericRange, checkNumber } from '../private/ranges';
import { EfaInstanceTypes } from './efa-instance-types';

/**
 * Nodes of a multi-node parallel job: 2 (one node is a plain job) to 1,000 (AWS Batch User Guide,
 * "Node groups": up to 1,000 nodes per job, the default instance quota of an ECS cluster, which
 * can be raised; above it the construct warns instead of failing).
 */
export const BATCH_MNP_NODES: NumericRange = { min: 2, max: 1000, source: 'AWS Batch User Guide, Node groups: up to 1,000 nodes in a job' };
/** Container vCPUs on EC2: at least 1 (AWS Batch API ResourceRequirement, VCPU on EC2 resources); the most is the node's vCPUs. */
export const BATCH_EC2_VCPUS: NumericRange = { min: 1, max: Number.MAX_SAFE_INTEGER, integer: false, source: 'AWS Batch API ResourceRequirement, VCPU' };
/** Container memory on EC2: at least 4 MiB (AWS Batch API ResourceRequirement, MEMORY). */
export const BATCH_MIN_MEMORY_MIB = 4;

/** The props of `HpcBatchJobs` these rules read. */
export interface BatchJobSizing {
  readonly instanceType: string;
  readonly numNodes: number;
  readonly mainNode: number;
  readonly cpu: number;
  readonly memory: Size;
  readonly maxvCpus: number;
}

/**
 * Records sizing problems of a multi-node parallel job. Each node of such a job is one instance
 * (Batch runs one job container per instance, "Multi-node parallel jobs"), so a container's vCPUs
 * must fit one instance and the compute environment's `maxvCpus` must fit every node's instance at
 * once, or the job stays RUNNABLE forever. vCPUs are known for the types of `EfaInstanceTypes.ALL`;
 * for other types the `maxvCpus` check uses the containers' vCPUs (a lower bound). Tokens skip.
 */
export function validateBatchJobSizing(scope: Construct, errors: ConfigErrors, s: BatchJobSizing): void {
  const { numNodes, mainNode, cpu, maxvCpus, memory, instanceType } = s;
  if (!isConcrete(numNodes) || numNodes < BATCH_MNP_NODES.min || !Number.isInteger(numNodes)) {
    errors.add('numNodes', isConcrete(numNodes) ? numNodes : '(token)', 'a multi-node parallel job has a whole number of 2 or more nodes, known at synth time (it sets the node range)', 'use e.g. 2');
  } else if (numNodes > BATCH_MNP_NODES.max) {
    Annotations.of(scope).addWarningV2('cdk-reference-architectures:hpc-batch-num-nodes-quota',
      `HpcBatchJobs: numNodes ${numNodes} is above ${BATCH_MNP_NODES.max}, Batch's default limit of nodes per job (${BATCH_MNP_NODES.source}); request a quota increase before submitting.`);
  }
  if (isConcrete(numNodes) && isConcrete(mainNode) && (mainNode < 0 || mainNode >= numNodes || !Number.isInteger(mainNode))) {
    errors.add('mainNode', mainNode, `must be a node index from 0 to numNodes - 1 (${numNodes - 1})`, 'use 0');
  }
  checkNumber(errors, 'cpu', cpu, BATCH_EC2_VCPUS, 'use 1 or more');
  const vCpus = EfaInstanceTypes.of(instanceType)?.vCpus;
  if (vCpus !== undefined && isConcrete(cpu) && cpu > vCpus) {
    errors.add('cpu', cpu, `must not exceed the vCPUs of one node: ${instanceType} has ${vCpus} vCPUs (each node of a multi-node parallel job is one instance)`,
      `use at most ${vCpus}, or a larger instance type`);
  }
  if (!memory.isUnresolved()) {
    const mib = memory.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
    if (mib < BATCH_MIN_MEMORY_MIB) {
      errors.add('memory', `${mib} MiB`, `Batch reserves at least ${BATCH_MIN_MEMORY_MIB} MiB for a container (AWS Batch API ResourceRequirement, MEMORY)`, `use Size.mebibytes(${BATCH_MIN_MEMORY_MIB}) or more`);
    }
  }
  if (isConcrete(maxvCpus) && (maxvCpus < 1 || !Number.isInteger(maxvCpus))) {
    errors.add('maxvCpus', maxvCpus, 'a compute environment that runs jobs has a whole number of 1 or more vCPUs', 'use e.g. 256');
  } else if (isConcrete(maxvCpus) && isConcrete(numNodes) && numNodes >= BATCH_MNP_NODES.min) {
    const perNode = vCpus ?? (isConcrete(cpu) ? cpu : undefined);
    if (perNode !== undefined && numNodes * perNode > maxvCpus) {
      const what = vCpus !== undefined ? `${vCpus} vCPUs (${instanceType})` : `${perNode} vCPUs (cpu; the vCPUs of ${instanceType} are not in EfaInstanceTypes.ALL)`;
      errors.add('maxvCpus', maxvCpus, `the compute environment must run every node of a job at once, each on its own instance: ${numNodes} nodes x ${what} = ${numNodes * perNode}`,
        `raise maxvCpus to at least ${numNodes * perNode}, or lower numNodes`);
    }
  }
}
