import { Token } from 'aws-cdk-lib';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import { ConfigErrors, isConcrete } from '../private/config-errors';

/**
 * FSx for Lustre rules shared by `HpcCluster` and the ParallelCluster configuration, so both accept
 * and reject the same file systems (Amazon FSx for Lustre User Guide, "Deployment options" and
 * `CreateFileSystem` `StorageCapacity`, `PerUnitStorageThroughput`).
 */

/** Valid capacities in GiB: the first values, then multiples of `step`. */
export const LUSTRE_CAPACITY_RULES: Readonly<Record<string, { readonly first: readonly number[]; readonly step: number }>> = {
  [fsx.LustreDeploymentType.SCRATCH_1]: { first: [1200, 2400], step: 3600 },
  [fsx.LustreDeploymentType.SCRATCH_2]: { first: [1200, 2400], step: 2400 },
  [fsx.LustreDeploymentType.PERSISTENT_1]: { first: [1200, 2400], step: 2400 },
  [fsx.LustreDeploymentType.PERSISTENT_2]: { first: [1200, 2400], step: 2400 },
};

/** Throughput per TiB (MB/s) of the persistent types; scratch types have a fixed one. */
export const LUSTRE_THROUGHPUTS: Readonly<Record<string, readonly number[]>> = {
  [fsx.LustreDeploymentType.PERSISTENT_1]: [50, 100, 200],
  [fsx.LustreDeploymentType.PERSISTENT_2]: [125, 250, 500, 1000],
};

/** The throughput per TiB a persistent type gets when none is given; undefined for scratch. */
export function defaultLustreThroughput(deploymentType: string): number | undefined {
  const defaults: Record<string, number | undefined> = { [fsx.LustreDeploymentType.PERSISTENT_1]: 50, [fsx.LustreDeploymentType.PERSISTENT_2]: 125 };
  return defaults[deploymentType];
}

/** The Lustre settings both emitters check. */
export interface LustreSettings {
  readonly deploymentType: string;
  readonly storageCapacityGiB: number;
  readonly perUnitStorageThroughput?: number;
}

/**
 * Records capacity and throughput problems under the caller's prop names (`props.capacity`,
 * `props.throughput`, e.g. `lustre.storageCapacityGiB`). Tokens skip the checks.
 */
export function validateLustreSettings(errors: ConfigErrors, props: { capacity: string; throughput: string }, settings: LustreSettings): void {
  const { deploymentType: type, storageCapacityGiB: gib, perUnitStorageThroughput: throughput } = settings;
  const capacity = LUSTRE_CAPACITY_RULES[type];
  if (capacity && isConcrete(gib) && !capacity.first.includes(gib) && (gib <= 0 || gib % capacity.step !== 0)) {
    errors.add(props.capacity, gib, `${type} takes ${capacity.first.join(', ')}, then multiples of ${capacity.step} GiB`,
      `use e.g. ${nearestCapacity(gib, capacity)} GiB`);
  }
  const allowed = LUSTRE_THROUGHPUTS[type];
  if (throughput !== undefined && isConcrete(throughput)) {
    if (!allowed) {
      errors.add(props.throughput, throughput, `${type} has a fixed throughput per TiB; only PERSISTENT_1 and PERSISTENT_2 take one`, 'remove it, or use a persistent deployment type');
    } else if (!allowed.includes(throughput)) {
      errors.add(props.throughput, throughput, `${type} takes ${allowed.join(', ')} MB/s per TiB`, `use one of ${allowed.join(', ')}`);
    }
  }
}

function nearestCapacity(gib: number, rule: { readonly first: readonly number[]; readonly step: number }): number {
  if (gib <= rule.first[rule.first.length - 1]) return rule.first.find((c) => c >= gib) ?? rule.first[0];
  return Math.ceil(gib / rule.step) * rule.step;
}

/** FSx allows at most this many data repository associations per file system (FSx API CreateDataRepositoryAssociation). */
export const MAX_DATA_REPOSITORY_ASSOCIATIONS = 8;

/** `FileSystemPath` of a data repository association: 1 to 4,096 characters, no NUL or line breaks (FSx API DataRepositoryAssociation). */
// eslint-disable-next-line no-control-regex -- NUL is one of the characters the path may not contain
const FILE_SYSTEM_PATH = /^[^\u0000\u0085\u2028\u2029\r\n]{1,4096}$/;

/** One data repository association as the emitters see it. */
export interface DataRepositoryLink {
  /** Directory of the file system. */
  readonly fileSystemPath: string;
  /** The S3 location as one comparable string (bucket name or its token, and prefix). */
  readonly dataRepositoryPath: string;
}

/**
 * Records `FileSystemPath` problems of the associations of one file system, per the FSx API
 * (`DataRepositoryAssociation.FileSystemPath`): the leading `/` is required; two associations
 * cannot have overlapping paths (`/ns1/` and `/ns1/ns2`), so `/` admits only one association; and
 * each association needs its own S3 bucket or prefix. Tokens skip the checks of their entry.
 */
export function validateDataRepositoryLinks(errors: ConfigErrors, prop: string, links: readonly DataRepositoryLink[]): void {
  const seen: { index: number; path: string }[] = [];
  const s3Paths = new Map<string, number>();
  links.forEach((link, index) => {
    const raw = link.fileSystemPath;
    const name = `${prop}[${index}].fileSystemPath`;
    if (!Token.isUnresolved(raw)) {
      if (!raw.startsWith('/')) {
        errors.add(name, raw, 'FSx requires the leading / of a file system path', `use '/${raw.replace(/^\/*/, '')}'`);
      } else if (!FILE_SYSTEM_PATH.test(raw)) {
        errors.add(name, raw.length > 80 ? `${raw.slice(0, 77)}...` : raw, 'FSx takes 1 to 4,096 characters without NUL or line breaks (FileSystemPath)', 'use a shorter plain path');
      } else {
        const path = normalise(raw);
        const other = seen.find((s) => overlaps(s.path, path));
        if (other) {
          errors.add(name, raw, `overlaps dataRepositories[${other.index}] ('${links[other.index].fileSystemPath}'); FSx does not allow overlapping file system paths (and '/' only for a single association)`,
            'link sibling directories such as /input and /output, or use one association with a prefix');
        }
        seen.push({ index, path });
      }
    }
    const s3 = link.dataRepositoryPath.replace(/\/+$/, '');
    const first = s3Paths.get(s3);
    if (first !== undefined) {
      errors.add(`${prop}[${index}].bucketPrefix`, s3, `links the same S3 location as dataRepositories[${first}]; each association needs its own bucket or prefix`, 'remove the duplicate or use another prefix');
    } else {
      s3Paths.set(s3, index);
    }
  });
}

/** `/a/b/` -> `/a/b`; `/` stays. */
function normalise(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') || '/' : path;
}

function overlaps(a: string, b: string): boolean {
  return a === b || a === '/' || b === '/' || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}
