import { Lazy, Size, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BatchJobSizing, BATCH_EC2_VCPUS, BATCH_MIN_MEMORY_MIB, BATCH_MNP_NODES, validateBatchJobSizing } from '../../lib/hpc/validate-batch-jobs';
import { EfaInstanceTypes } from '../../lib/hpc/efa-instance-types';
import { ConfigErrors } from '../../lib/private/config-errors';
import { recordedProblems } from '../support/config-problems';

/*
 * Limits: AWS Batch User Guide, "Node groups" ("You can have up to 1,000 nodes in a single job. This is the
 * default limit for instances in an Amazon ECS cluster. You can request to increase this limit") and
 * "Multi-node parallel jobs" (one job container per instance); AWS Batch API ResourceRequirement (MEMORY:
 * "You must specify at least 4 MiB of memory for a job"; VCPU on EC2 resources: at least 1).
 */

/** A valid job: 2 nodes of c5n.18xlarge (72 vCPUs) in a compute environment of 144 vCPUs. */
function sizing(overrides: Partial<BatchJobSizing> = {}): BatchJobSizing {
  return { instanceType: 'c5n.18xlarge', numNodes: 2, mainNode: 0, cpu: 2, memory: Size.gibibytes(4), maxvCpus: 144, ...overrides };
}

interface Result {
  readonly problems: string[];
  readonly warnings: string[];
}

/** The problems (lines of the thrown message, without the header) and warnings of `s`. */
function check(s: BatchJobSizing): Result {
  const scope = new Construct(new Stack(), 'Jobs');
  const errors = new ConfigErrors('HpcBatchJobs', 'J');
  validateBatchJobSizing(scope, errors, s);
  const warnings = scope.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
  return { problems: recordedProblems(errors), warnings };
}

function problems(overrides: Partial<BatchJobSizing>): string[] {
  return check(sizing(overrides)).problems;
}

const token = () => Token.asNumber(Lazy.number({ produce: () => 3 }));

test('the documented limits', () => {
  expect(BATCH_MNP_NODES).toMatchObject({ min: 2, max: 1000 });
  expect(BATCH_EC2_VCPUS).toMatchObject({ min: 1, integer: false });
  expect(BATCH_MIN_MEMORY_MIB).toBe(4);
});

test('a valid job has no problem and no warning', () => {
  expect(check(sizing())).toEqual({ problems: [], warnings: [] });
});

describe('numNodes', () => {
  test.each([2, 3, 999])('%d nodes are accepted without a warning', (numNodes) => {
    expect(check(sizing({ numNodes, maxvCpus: 100000 }))).toEqual({ problems: [], warnings: [] });
  });

  test('1,000 nodes are accepted without a warning; 1,001 warn about the quota', () => {
    expect(check(sizing({ numNodes: 1000, maxvCpus: 72000 }))).toEqual({ problems: [], warnings: [] });
    expect(check(sizing({ numNodes: 1001, maxvCpus: 72072 }))).toEqual({
      problems: [],
      warnings: [
        "HpcBatchJobs: numNodes 1001 is above 1000, Batch's default limit of nodes per job (AWS Batch User Guide, Node groups: up to 1,000 nodes in a job);"
        + ' request a quota increase before submitting. [ack: cdk-reference-architectures:hpc-batch-num-nodes-quota]',
      ],
    });
  });

  test('fails at 1 node', () => {
    expect(problems({ numNodes: 1 })).toEqual([
      "  - HpcBatchJobs: numNodes '1': a multi-node parallel job has a whole number of 2 or more nodes, known at synth time (it sets the node range). Fix: use e.g. 2.",
    ]);
  });

  test.each([0, -2, 2.5])('fails at %d nodes', (numNodes) => {
    expect(problems({ numNodes, mainNode: 0 })[0]).toMatch(/^ {2}- HpcBatchJobs: numNodes '/);
  });

  test('fails if numNodes is a token (it sets the node range)', () => {
    expect(problems({ numNodes: token() })[0]).toMatch(/^ {2}- HpcBatchJobs: numNodes '\(token\)': a multi-node parallel job/);
  });

  test('invalid numNodes skip the vCPU total check', () => {
    // 1 node x 72 vCPUs would exceed maxvCpus 1 if the total were checked.
    expect(problems({ numNodes: 1, maxvCpus: 1 })).toHaveLength(1);
    expect(problems({ numNodes: token(), maxvCpus: 1 })).toHaveLength(1);
  });
});

describe('mainNode', () => {
  test.each([0, 1, 7])('index %d of 8 nodes is accepted', (mainNode) => {
    expect(problems({ numNodes: 8, mainNode, maxvCpus: 576 })).toEqual([]);
  });

  test('fails at numNodes', () => {
    expect(problems({ numNodes: 8, mainNode: 8, maxvCpus: 576 })).toEqual([
      "  - HpcBatchJobs: mainNode '8': must be a node index from 0 to numNodes - 1 (7). Fix: use 0.",
    ]);
  });

  test.each([-1, 0.5, 9])('fails at %d', (mainNode) => {
    expect(problems({ numNodes: 8, mainNode, maxvCpus: 576 })).toHaveLength(1);
  });

  test('a token index or node count skips the check', () => {
    expect(problems({ mainNode: token() })).toEqual([]);
    expect(problems({ numNodes: token(), mainNode: 5 })).toHaveLength(1); // the numNodes problem only
  });
});

describe('cpu', () => {
  test.each([1, 1.5, 71, 72])('%d vCPUs on a 72-vCPU node are accepted', (cpu) => {
    expect(problems({ cpu })).toEqual([]);
  });

  test('fails below 1 vCPU', () => {
    expect(problems({ cpu: 0.99 })).toEqual([
      `  - HpcBatchJobs: cpu '0.99': must be from 1 to ${Number.MAX_SAFE_INTEGER} (AWS Batch API ResourceRequirement, VCPU). Fix: use 1 or more.`,
    ]);
    expect(problems({ cpu: 0 })).toHaveLength(1);
  });

  test('fails above the vCPUs of one node', () => {
    expect(problems({ cpu: 73 })).toEqual([
      "  - HpcBatchJobs: cpu '73': must not exceed the vCPUs of one node: c5n.18xlarge has 72 vCPUs (each node of a multi-node parallel job is one instance)."
      + ' Fix: use at most 72, or a larger instance type.',
    ]);
  });

  test('a type outside EfaInstanceTypes.ALL and a token skip the per-node check', () => {
    expect(problems({ instanceType: 'c5.large', cpu: 500, maxvCpus: 1000 })).toEqual([]);
    expect(problems({ cpu: token() })).toEqual([]);
  });
});

describe('memory', () => {
  test.each([Size.mebibytes(4), Size.kibibytes(4097), Size.gibibytes(1)])('%s is accepted', (memory) => {
    expect(problems({ memory })).toEqual([]);
  });

  test('fails below 4 MiB, without rounding', () => {
    expect(problems({ memory: Size.mebibytes(3) })).toEqual([
      "  - HpcBatchJobs: memory '3 MiB': Batch reserves at least 4 MiB for a container (AWS Batch API ResourceRequirement, MEMORY). Fix: use Size.mebibytes(4) or more.",
    ]);
    expect(problems({ memory: Size.kibibytes(4095) })).toHaveLength(1);
  });

  test('a token skips the check', () => {
    expect(problems({ memory: Size.mebibytes(token()) })).toEqual([]);
  });
});

describe('maxvCpus', () => {
  test('fails below 1 vCPU or with a fraction', () => {
    expect(problems({ maxvCpus: 0 })).toEqual([
      "  - HpcBatchJobs: maxvCpus '0': a compute environment that runs jobs has a whole number of 1 or more vCPUs. Fix: use e.g. 256.",
    ]);
    expect(problems({ maxvCpus: 144.5 })).toHaveLength(1);
  });

  test('every node of a job at once: 2 x 72 vCPUs need 144', () => {
    expect(problems({ maxvCpus: 144 })).toEqual([]);
    expect(problems({ maxvCpus: 143 })).toEqual([
      "  - HpcBatchJobs: maxvCpus '143': the compute environment must run every node of a job at once, each on its own instance: 2 nodes x 72 vCPUs (c5n.18xlarge) = 144."
      + ' Fix: raise maxvCpus to at least 144, or lower numNodes.',
    ]);
  });

  test('for a type outside EfaInstanceTypes.ALL the containers\' vCPUs are the lower bound', () => {
    expect(problems({ instanceType: 'c5.large', numNodes: 3, cpu: 2, maxvCpus: 6 })).toEqual([]);
    expect(problems({ instanceType: 'c5.large', numNodes: 3, cpu: 2, maxvCpus: 5 })).toEqual([
      "  - HpcBatchJobs: maxvCpus '5': the compute environment must run every node of a job at once, each on its own instance:"
      + ' 3 nodes x 2 vCPUs (cpu; the vCPUs of c5.large are not in EfaInstanceTypes.ALL) = 6. Fix: raise maxvCpus to at least 6, or lower numNodes.',
    ]);
  });

  test('a token maxvCpus, or a token cpu on an unlisted type, skips the total', () => {
    expect(problems({ maxvCpus: token() })).toEqual([]);
    expect(problems({ instanceType: 'c5.large', cpu: token(), maxvCpus: 1 })).toEqual([]);
  });

  test('a token cpu on a listed type still checks the total with the type\'s vCPUs', () => {
    expect(problems({ cpu: token(), maxvCpus: 143 })).toHaveLength(1);
  });
});

describe('EfaInstanceTypes', () => {
  test('every entry has network cards and vCPUs', () => {
    for (const [type, info] of Object.entries(EfaInstanceTypes.ALL)) {
      expect([type, info.networkCards >= 1, info.vCpus >= 1]).toEqual([type, true, true]);
    }
  });

  test('lookups by name, not by inherited properties', () => {
    expect(EfaInstanceTypes.of('c5n.18xlarge')).toEqual({ networkCards: 1, vCpus: 72 });
    expect(EfaInstanceTypes.supports('p5.48xlarge')).toBe(true);
    expect(EfaInstanceTypes.supports('c5n.large')).toBe(false);
    expect(EfaInstanceTypes.of('toString')).toBeUndefined();
    expect(EfaInstanceTypes.supports('constructor')).toBe(false);
  });
});
