import { Lazy, Token } from 'aws-cdk-lib';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import { ConfigErrors } from '../../lib/private/config-errors';
import {
  DataRepositoryLink, LUSTRE_CAPACITY_RULES, LUSTRE_THROUGHPUTS, MAX_DATA_REPOSITORY_ASSOCIATIONS, LustreSettings,
  defaultLustreThroughput, validateDataRepositoryLinks, validateLustreSettings,
} from '../../lib/hpc/validate-lustre';
import { recordedProblems } from '../support/config-problems';

/*
 * Limits: Amazon FSx API CreateFileSystem, StorageCapacity ("For SCRATCH_2, PERSISTENT_2, and PERSISTENT_1
 * deployment types using SSD storage type, the valid values are 1200 GiB, 2400 GiB, and increments of
 * 2400 GiB"; "For SCRATCH_1 deployment type, valid values are 1200 GiB, 2400 GiB, and increments of
 * 3600 GiB"), CreateFileSystemLustreConfiguration PerUnitStorageThroughput (PERSISTENT_1 SSD 50, 100, 200;
 * PERSISTENT_2 125, 250, 500, 1000), DataRepositoryAssociation FileSystemPath (1 to 4,096 characters,
 * leading /, no overlapping paths).
 */

/** The problems `check` records, as the lines of the thrown message (without the header). */
function problems(check: (errors: ConfigErrors) => void): string[] {
  const errors = new ConfigErrors('HpcCluster', 'C');
  check(errors);
  return recordedProblems(errors);
}

const PROPS = { capacity: 'lustre.storageCapacityGiB', throughput: 'lustre.perUnitStorageThroughput' };

function lustre(settings: LustreSettings): string[] {
  return problems((e) => validateLustreSettings(e, PROPS, settings));
}

function capacity(deploymentType: string, storageCapacityGiB: number): string[] {
  return lustre({ deploymentType, storageCapacityGiB });
}

describe('storage capacity', () => {
  test('the rules are the documented ones', () => {
    expect(LUSTRE_CAPACITY_RULES).toEqual({
      SCRATCH_1: { first: [1200, 2400], step: 3600 },
      SCRATCH_2: { first: [1200, 2400], step: 2400 },
      PERSISTENT_1: { first: [1200, 2400], step: 2400 },
      PERSISTENT_2: { first: [1200, 2400], step: 2400 },
    });
  });

  test.each([1200, 2400, 3600, 7200, 36000])('SCRATCH_1 takes %d GiB', (gib) => {
    expect(capacity(fsx.LustreDeploymentType.SCRATCH_1, gib)).toEqual([]);
  });

  test.each([1199, 1201, 2401, 3599, 3601, 4800])('SCRATCH_1 rejects %d GiB', (gib) => {
    expect(capacity(fsx.LustreDeploymentType.SCRATCH_1, gib)).toHaveLength(1);
  });

  test.each([
    fsx.LustreDeploymentType.SCRATCH_2, fsx.LustreDeploymentType.PERSISTENT_1, fsx.LustreDeploymentType.PERSISTENT_2,
  ])('%s takes 1200, 2400, 4800 and 9600 GiB', (type) => {
    for (const gib of [1200, 2400, 4800, 9600]) {
      expect(capacity(type, gib)).toEqual([]);
    }
  });

  test.each([0, -2400, 1199, 1201, 2399, 2401, 3600, 4799, 4801])('SCRATCH_2 rejects %d GiB', (gib) => {
    expect(capacity(fsx.LustreDeploymentType.SCRATCH_2, gib)).toHaveLength(1);
  });

  test('the message names the rule and the nearest valid capacity above', () => {
    expect(capacity(fsx.LustreDeploymentType.SCRATCH_2, 3600)).toEqual([
      "  - HpcCluster: lustre.storageCapacityGiB '3600': SCRATCH_2 takes 1200, 2400, then multiples of 2400 GiB. Fix: use e.g. 4800 GiB.",
    ]);
    expect(capacity(fsx.LustreDeploymentType.SCRATCH_1, 4800)).toEqual([
      "  - HpcCluster: lustre.storageCapacityGiB '4800': SCRATCH_1 takes 1200, 2400, then multiples of 3600 GiB. Fix: use e.g. 7200 GiB.",
    ]);
  });

  test.each([
    [-1, 1200], [0, 1200], [1000, 1200], [1201, 2400], [2399, 2400], [2401, 4800], [5000, 7200],
  ])('for %d GiB the fix suggests %d GiB', (gib, nearest) => {
    expect(capacity(fsx.LustreDeploymentType.PERSISTENT_2, gib)[0]).toMatch(new RegExp(`Fix: use e\\.g\\. ${nearest} GiB\\.$`));
  });

  test('a token capacity and an unknown deployment type skip the check', () => {
    expect(capacity(fsx.LustreDeploymentType.SCRATCH_2, Token.asNumber(Lazy.number({ produce: () => 1 })))).toEqual([]);
    expect(capacity('PERSISTENT_9', 1)).toEqual([]);
  });
});

describe('throughput per TiB', () => {
  test('the documented values, and the defaults of the persistent types', () => {
    expect(LUSTRE_THROUGHPUTS).toEqual({ PERSISTENT_1: [50, 100, 200], PERSISTENT_2: [125, 250, 500, 1000] });
    expect(defaultLustreThroughput(fsx.LustreDeploymentType.PERSISTENT_1)).toBe(50);
    expect(defaultLustreThroughput(fsx.LustreDeploymentType.PERSISTENT_2)).toBe(125);
    expect(defaultLustreThroughput(fsx.LustreDeploymentType.SCRATCH_2)).toBeUndefined();
  });

  test.each<[string, number]>([
    ['PERSISTENT_1', 50], ['PERSISTENT_1', 100], ['PERSISTENT_1', 200],
    ['PERSISTENT_2', 125], ['PERSISTENT_2', 250], ['PERSISTENT_2', 500], ['PERSISTENT_2', 1000],
  ])('%s takes %d MB/s per TiB', (deploymentType, perUnitStorageThroughput) => {
    expect(lustre({ deploymentType, storageCapacityGiB: 1200, perUnitStorageThroughput })).toEqual([]);
  });

  test.each<[string, number]>([
    ['PERSISTENT_1', 49], ['PERSISTENT_1', 51], ['PERSISTENT_1', 125], ['PERSISTENT_1', 201],
    ['PERSISTENT_2', 124], ['PERSISTENT_2', 126], ['PERSISTENT_2', 200], ['PERSISTENT_2', 1001],
  ])('%s rejects %d MB/s per TiB', (deploymentType, perUnitStorageThroughput) => {
    expect(lustre({ deploymentType, storageCapacityGiB: 1200, perUnitStorageThroughput })).toHaveLength(1);
  });

  test('the message names the values of the type', () => {
    expect(lustre({ deploymentType: 'PERSISTENT_2', storageCapacityGiB: 1200, perUnitStorageThroughput: 200 })).toEqual([
      "  - HpcCluster: lustre.perUnitStorageThroughput '200': PERSISTENT_2 takes 125, 250, 500, 1000 MB/s per TiB. Fix: use one of 125, 250, 500, 1000.",
    ]);
  });

  test('a scratch type takes no throughput', () => {
    expect(lustre({ deploymentType: 'SCRATCH_2', storageCapacityGiB: 1200, perUnitStorageThroughput: 200 })).toEqual([
      "  - HpcCluster: lustre.perUnitStorageThroughput '200': SCRATCH_2 has a fixed throughput per TiB; only PERSISTENT_1 and PERSISTENT_2 take one."
      + ' Fix: remove it, or use a persistent deployment type.',
    ]);
    expect(lustre({ deploymentType: 'SCRATCH_2', storageCapacityGiB: 1200 })).toEqual([]);
  });

  test('a token throughput skips the check', () => {
    const token = Token.asNumber(Lazy.number({ produce: () => 7 }));
    expect(lustre({ deploymentType: 'SCRATCH_2', storageCapacityGiB: 1200, perUnitStorageThroughput: token })).toEqual([]);
    expect(lustre({ deploymentType: 'PERSISTENT_2', storageCapacityGiB: 1200, perUnitStorageThroughput: token })).toEqual([]);
  });

  test('capacity and throughput problems are both recorded', () => {
    expect(lustre({ deploymentType: 'PERSISTENT_1', storageCapacityGiB: 1000, perUnitStorageThroughput: 12 })).toHaveLength(2);
  });
});

describe('data repository associations', () => {
  function links(...entries: [string, string][]): string[] {
    const list: DataRepositoryLink[] = entries.map(([fileSystemPath, dataRepositoryPath]) => ({ fileSystemPath, dataRepositoryPath }));
    return problems((e) => validateDataRepositoryLinks(e, 'lustre.dataRepositories', list));
  }

  test('FSx takes at most 8 associations per file system', () => {
    expect(MAX_DATA_REPOSITORY_ASSOCIATIONS).toBe(8);
  });

  test('none, one, and sibling directories with their own prefixes are accepted', () => {
    expect(links()).toEqual([]);
    expect(links(['/', 's3://b'])).toEqual([]);
    expect(links(['/input', 's3://b/in'], ['/output', 's3://b/out'], ['/in', 's3://b/i'])).toEqual([]);
    expect(links(['/a', 's3://b/a'], ['/ab', 's3://b/ab'])).toEqual([]);
  });

  test('fails without the leading /', () => {
    expect(links(['input', 's3://b/in'])).toEqual([
      "  - HpcCluster: lustre.dataRepositories[0].fileSystemPath 'input': FSx requires the leading / of a file system path. Fix: use '/input'.",
    ]);
  });

  test('4,096 characters are accepted; fails at 4,097 and with a line break, showing at most 80 characters', () => {
    expect(links(['/' + 'a'.repeat(4095), 's3://b'])).toEqual([]);
    const long = '/' + 'a'.repeat(4096);
    expect(links([long, 's3://b'])).toEqual([
      `  - HpcCluster: lustre.dataRepositories[0].fileSystemPath '${long.slice(0, 77)}...': FSx takes 1 to 4,096 characters without NUL or line breaks (FileSystemPath).`
      + ' Fix: use a shorter plain path.',
    ]);
    const eighty = '/' + 'a'.repeat(78) + '\u0000';
    expect(links([eighty, 's3://b'])[0]).toContain(`'${eighty}'`);
    expect(links([eighty + 'b', 's3://b'])[0]).toContain(`'${eighty.slice(0, 77)}...'`);
  });

  test.each(['\u0000', '\r', '\u0085', '\u2028', '\u2029'])('fails with the character %j', (c) => {
    expect(links([`/a${c}b`, 's3://b'])).toHaveLength(1);
  });

  test.each<[string, string]>([
    ['/a', '/a/b'], ['/a/b', '/a'], ['/a', '/a/'], ['/', '/x'], ['/x', '/'], ['//', '/x'], ['/a//', '/a/b'],
  ])('%s and %s overlap', (first, second) => {
    expect(links([first, 's3://b/1'], [second, 's3://b/2'])).toEqual([
      `  - HpcCluster: lustre.dataRepositories[1].fileSystemPath '${second}': overlaps dataRepositories[0] ('${first}');`
      + " FSx does not allow overlapping file system paths (and '/' only for a single association)."
      + ' Fix: link sibling directories such as /input and /output, or use one association with a prefix.',
    ]);
  });

  test('the overlap names the association it overlaps', () => {
    expect(links(['/a', 's3://b/1'], ['/b', 's3://b/2'], ['/b/c', 's3://b/3'])[0]).toContain("overlaps dataRepositories[1] ('/b')");
  });

  test('fails if two associations link the same S3 location (a trailing / is the same location)', () => {
    expect(links(['/a', 's3://b/p'], ['/b', 's3://b/p/'])).toEqual([
      "  - HpcCluster: lustre.dataRepositories[1].bucketPrefix 's3://b/p': links the same S3 location as dataRepositories[0];"
      + ' each association needs its own bucket or prefix. Fix: remove the duplicate or use another prefix.',
    ]);
    expect(links(['/a', 's3://b/p'], ['/b', 's3://b/q'], ['/c', 's3://b/q'])[0]).toContain('as dataRepositories[1]');
    expect(links(['/a', 's3://b/p//'], ['/b', 's3://b/p'])[0]).toContain("bucketPrefix 's3://b/p': links the same S3 location as dataRepositories[0]");
  });

  test('a token path skips its path checks but not the S3 check', () => {
    const token = Token.asString(Lazy.string({ produce: () => 'x' }));
    expect(links([token, 's3://b'], ['/', 's3://c'])).toEqual([]);
    expect(links([token, 's3://b'], [token, 's3://b'])).toHaveLength(1);
  });
});
