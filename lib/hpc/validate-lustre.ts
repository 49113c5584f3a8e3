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
  return ({ [fsx.LustreDeploymentType.PERSISTENT_1]: 50, [fsx.LustreDeploymentType.PERSISTENT_2]: 125 } as Record<string, number | undefined>)[deploymentType];
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
