import { SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import { ConfigErrors, isConcrete } from '../private/config-errors';
import { checkMountPoint } from '../private/ec2-building-blocks';
import { NumericRange, checkNumber } from '../private/ranges';
import { countAzs, describeSelection } from '../private/subnet-azs';
import { EfaInstanceTypes } from './efa-instance-types';
import { HpcCapacityType, HpcClusterProps, HpcDataRepository, HpcEfsOptions, HpcLustreSettings, HpcNodeVolumeOptions } from './hpc-cluster-props';
import { MAX_DATA_REPOSITORY_ASSOCIATIONS, validateDataRepositoryLinks, validateLustreSettings } from './validate-lustre';

/*
 * The rules of HpcCluster's props, as free functions that record problems in a ConfigErrors (which the
 * construct throws once). Tokens skip the checks that need a concrete value.
 */

/** What HpcCluster resolves before validating: defaults applied, the subnets selected. */
export interface ResolvedHpcCluster {
  /** The instance type of the nodes. */
  readonly instanceType: ec2.InstanceType;
  /** The Lustre settings with every default applied. */
  readonly lustre: HpcLustreSettings;
  /**
   * The `vpcSubnets` prop.
   *
   * @default - none given: the construct takes the first subnet of the default selection
   */
  readonly selection?: ec2.SubnetSelection;
  /**
   * The subnets `selection` selected.
   *
   * @default - none: no selection, or one that failed (and was reported)
   */
  readonly subnets?: ec2.SelectedSubnets;
}

/** `maxCapacity` when the prop is unset. */
export const DEFAULT_MAX_CAPACITY = 4;

/**
 * AWS's limits for io2 Block Express (Amazon EBS User Guide, "Provisioned IOPS SSD volumes"): not
 * aws-cdk-lib's `Volume` check, which caps io2 at 500 IOPS per GiB.
 */
export const IO2_LIMITS: { readonly sizeGiB: NumericRange; readonly iops: NumericRange; readonly maxIopsPerGiB: number } = {
  sizeGiB: { min: 4, max: 65536, unit: 'GiB', source: 'Amazon EBS User Guide: io2 Block Express volumes' },
  iops: { min: 100, max: 256000, unit: 'IOPS', source: 'Amazon EBS User Guide: io2 Block Express volumes' },
  maxIopsPerGiB: 1000,
};

/** Types suggested when an instance type without EFA has no EFA-capable size in its family. */
const EFA_EXAMPLES = ['c5n.18xlarge', 'hpc7g.16xlarge', 'hpc7a.96xlarge'];

/** Records every problem of `props` (with `resolved`, what the construct derived from them). */
export function validateHpcClusterProps(errors: ConfigErrors, props: HpcClusterProps, resolved: ResolvedHpcCluster): void {
  const typeName = resolved.instanceType.toString();
  validateEfa(errors, props, typeName);
  if (props.efs) {
    validateEfs(errors, props.efs);
  }
  validateEfaSupportOverride(errors, props);
  validateSubnets(errors, props, resolved.selection, resolved.subnets);
  validatePlacement(errors, props, typeName);
  validateCapacity(errors, props);
  validateLustre(errors, resolved.lustre);
  checkMountPoint(errors, 'scratchMountPoint', props.scratchMountPoint, '/scratch');
  if (props.nodeVolume) {
    validateIo2(errors, props.nodeVolume);
  }
}

/** EFA support of the instance type, the number of EFA interfaces, and the public address EC2 rejects with several. */
export function validateEfa(errors: ConfigErrors, props: HpcClusterProps, typeName: string): void {
  const override = props.efaSupportOverride;
  const n = props.efaInterfaces;
  if (!(props.efa ?? true)) {
    if (n !== undefined || override) {
      errors.add(n !== undefined ? 'efaInterfaces' : 'efaSupportOverride', n ?? 'set', 'only applies with EFA, but efa is false', 'remove it, or set efa: true');
    }
    return;
  }
  const support = override ?? EfaInstanceTypes.of(typeName);
  if (!support) {
    const family = typeName.split('.')[0] + '.';
    const examples = Object.keys(EfaInstanceTypes.ALL).filter((t) => t.startsWith(family));
    errors.add('instanceType', typeName, 'does not support EFA (support is by size; see EfaInstanceTypes.ALL in lib/hpc/efa-instance-types.ts)',
      `use one of ${(examples.length ? examples : EFA_EXAMPLES).join(', ')}, set efa: false, or set efaSupportOverride for a type newer than the list`);
  }
  if (isConcrete(n) && (n < 1 || !Number.isInteger(n))) {
    errors.add('efaInterfaces', n, 'a node with EFA has a whole number of 1 or more EFA interfaces', 'use 1, or set efa: false');
  } else if (support && isConcrete(n) && n > support.networkCards) {
    errors.add('efaInterfaces', n, `${typeName} has ${support.networkCards} network card(s) and takes one EFA per card`, `use at most ${support.networkCards}`);
  } else if (n !== undefined && !isConcrete(n)) {
    errors.add('efaInterfaces', '(token)', 'the count of network interfaces rendered into the launch template must be known at synth time', 'pass a number');
  }
  if (props.associatePublicIpAddress && isConcrete(n) && n >= 2) {
    errors.add('associatePublicIpAddress', true,
      `EC2 assigns no public IPv4 address to a launch with more than one network interface, and rejects the request (efaInterfaces is ${n})`,
      'put the nodes in a private subnet with a NAT gateway or VPC endpoints and remove associatePublicIpAddress, or use efaInterfaces: 1');
  }
}

/** `efaSupportOverride.networkCards` is a whole number of 1 or more. */
export function validateEfaSupportOverride(errors: ConfigErrors, props: HpcClusterProps): void {
  const cards = props.efaSupportOverride?.networkCards;
  if (isConcrete(cards) && (cards < 1 || !Number.isInteger(cards))) {
    errors.add('efaSupportOverride.networkCards', cards, 'an instance has a whole number of 1 or more network cards', 'use the type\'s NetworkInfo.MaximumNetworkCards');
  }
}

/** EFA and a cluster placement group each need all nodes in one subnet (one Availability Zone). */
export function validateSubnets(errors: ConfigErrors, props: HpcClusterProps, selection: ec2.SubnetSelection | undefined,
  subnets: ec2.SelectedSubnets | undefined): void {
  const efa = props.efa ?? true;
  const placement = props.clusterPlacementGroup ?? true;
  if (!subnets || !selection) {
    return;
  }
  const count = subnets.subnets.length;
  if (count > 1) {
    const what = `${count} subnet(s) in ${countAzs(subnets) ?? 'an unknown number of'} Availability Zone(s)`;
    if (efa) {
      errors.add('vpcSubnets', describeSelection(selection), `selects ${what}; EFA traffic does not cross subnets, so all nodes must be in exactly one subnet`,
        'select one subnet, e.g. { subnets: [vpc.privateSubnets[0]] }, or set efa: false');
    }
    if (placement) {
      errors.add('vpcSubnets', describeSelection(selection), `selects ${what}; a cluster placement group lives in one Availability Zone`,
        'select one subnet, e.g. { subnets: [vpc.privateSubnets[0]] }, or set clusterPlacementGroup: false');
    }
  }
}

/** Instance types and Spot interruption behaviours EC2 does not launch in a cluster placement group. */
export function validatePlacement(errors: ConfigErrors, props: HpcClusterProps, typeName: string): void {
  const placement = props.clusterPlacementGroup ?? true;
  if (placement && /^(t\d|mac)/.test(typeName)) {
    errors.add('instanceType', typeName, 'burstable (T) and Mac instances cannot be launched in a cluster placement group',
      'use a compute-optimised type such as c5n.18xlarge, or set clusterPlacementGroup: false');
  }
  const interruption = props.spotInterruptionBehavior;
  if (interruption !== undefined && interruption !== ec2.SpotInstanceInterruption.TERMINATE) {
    if (props.capacityType !== HpcCapacityType.SPOT) {
      errors.add('spotInterruptionBehavior', interruption, 'only applies to Spot capacity', 'remove it, or set capacityType: HpcCapacityType.SPOT');
    } else if (placement) {
      errors.add('spotInterruptionBehavior', interruption, 'EC2 does not launch Spot instances that stop or hibernate on interruption in a placement group',
        'use ec2.SpotInstanceInterruption.TERMINATE, or set clusterPlacementGroup: false');
    }
  }
}

/** 0 <= minCapacity <= desiredCapacity <= maxCapacity. */
export function validateCapacity(errors: ConfigErrors, props: HpcClusterProps): void {
  const { minCapacity: min, desiredCapacity: desired } = props;
  const max = props.maxCapacity ?? DEFAULT_MAX_CAPACITY;
  if (isConcrete(min) && min < 0) {
    errors.add('minCapacity', min, 'must be 0 or more', 'use 0 to scale to zero between jobs');
  }
  if (isConcrete(min) && isConcrete(max) && min > max) {
    errors.add('minCapacity', min, `must not exceed maxCapacity (${max})`, 'raise maxCapacity or lower minCapacity');
  }
  if (isConcrete(desired) && ((isConcrete(min) && desired < min) || (isConcrete(max) && desired > max))) {
    errors.add('desiredCapacity', desired, `must be between minCapacity (${min ?? 0}) and maxCapacity (${max})`, 'adjust desiredCapacity');
  }
}

/** The resolved Lustre settings: capacity, throughput, alarm threshold, data repository associations, mount point. */
export function validateLustre(errors: ConfigErrors, lustre: HpcLustreSettings): void {
  const { deploymentType: type, fileSystemTypeVersion: version, dataRepositories: repos } = lustre;
  validateLustreSettings(errors, { capacity: 'lustre.storageCapacityGiB', throughput: 'lustre.perUnitStorageThroughput' }, lustre);
  const alarmAt = lustre.freeCapacityAlarmThreshold;
  if (isConcrete(alarmAt) && !(alarmAt > 0 && alarmAt < 1)) {
    errors.add('lustre.freeCapacityAlarmThreshold', alarmAt,
      'is the free fraction of the capacity below which the alarm fires, greater than 0 and less than 1', 'use e.g. 0.1 for 10 % free');
  }
  if (repos.length > 0) {
    if (type === fsx.LustreDeploymentType.SCRATCH_1) {
      errors.add('lustre.dataRepositories', `${repos.length} association(s)`, 'SCRATCH_1 file systems cannot have data repository associations',
        'use SCRATCH_2 (or a persistent type)');
    }
    if (version === fsx.FileSystemTypeVersion.V_2_10) {
      errors.add('lustre.fileSystemTypeVersion', version, 'Lustre 2.10 file systems cannot have data repository associations', 'use fsx.FileSystemTypeVersion.V_2_15');
    }
    if (repos.length > MAX_DATA_REPOSITORY_ASSOCIATIONS) {
      errors.add('lustre.dataRepositories', `${repos.length} association(s)`,
        `FSx allows at most ${MAX_DATA_REPOSITORY_ASSOCIATIONS} data repository associations per file system`,
        'link fewer buckets, or use prefixes of one bucket under one association');
    }
    repos.forEach((repo, i) => {
      if (repo.bucketPrefix !== undefined && !Token.isUnresolved(repo.bucketPrefix) && repo.bucketPrefix.startsWith('/')) {
        errors.add(`lustre.dataRepositories[${i}].bucketPrefix`, repo.bucketPrefix, 'an S3 prefix has no leading / (it is appended to s3://<bucket>/)',
          // Stryker disable next-line Regex: equivalent, the prefix starts with /, so its first run of slashes is the leading one
          `use '${repo.bucketPrefix.replace(/^\/+/, '')}'`);
      }
    });
    validateDataRepositoryLinks(errors, 'lustre.dataRepositories',
      repos.map((repo) => ({ fileSystemPath: repo.fileSystemPath, dataRepositoryPath: dataRepositoryPath(repo) })));
  }
  checkMountPoint(errors, 'lustre.mountPoint', lustre.mountPoint, '/fsx');
}

/** `s3://<bucket>[/<prefix>]` of an association. */
export function dataRepositoryPath(repo: HpcDataRepository): string {
  return `s3://${repo.bucket.bucketName}${repo.bucketPrefix ? `/${repo.bucketPrefix}` : ''}`;
}

/** Provisioned throughput exactly with PROVISIONED, and at least 1 MiB/s; the mount point. */
export function validateEfs(errors: ConfigErrors, options: HpcEfsOptions): void {
  const mode = options.throughputMode ?? efs.ThroughputMode.ELASTIC;
  const provisioned = options.provisionedThroughputPerSecond;
  if (mode === efs.ThroughputMode.PROVISIONED && provisioned === undefined) {
    errors.add('efs.provisionedThroughputPerSecond', undefined, 'PROVISIONED throughput needs the MiB/s to provision',
      'set e.g. Size.mebibytes(64), or use efs.ThroughputMode.ELASTIC');
  } else if (mode !== efs.ThroughputMode.PROVISIONED && provisioned !== undefined) {
    errors.add('efs.provisionedThroughputPerSecond', provisioned.isUnresolved() ? '(token)' : `${provisioned.toMebibytes()} MiB/s`,
      `only applies to PROVISIONED throughput, but throughputMode is ${mode}`, 'remove it, or set throughputMode: efs.ThroughputMode.PROVISIONED');
  } else if (provisioned !== undefined && !provisioned.isUnresolved() && provisioned.toMebibytes({ rounding: SizeRoundingBehavior.NONE }) < 1) {
    errors.add('efs.provisionedThroughputPerSecond', `${provisioned.toKibibytes()} KiB/s`, 'EFS provisions at least 1 MiB/s', 'use Size.mebibytes(1) or more');
  }
  checkMountPoint(errors, 'efs.mountPoint', options.mountPoint, '/efs');
}

/** Size, IOPS and IOPS per GiB within {@link IO2_LIMITS}; the mount point. */
export function validateIo2(errors: ConfigErrors, volume: HpcNodeVolumeOptions): void {
  const { sizeGiB: size, iops } = volume;
  const { sizeGiB: sizeRange, iops: iopsRange, maxIopsPerGiB } = IO2_LIMITS;
  checkNumber(errors, 'nodeVolume.sizeGiB', size, sizeRange, `use ${sizeRange.min} to ${sizeRange.max} GiB (64 TiB)`);
  checkNumber(errors, 'nodeVolume.iops', iops, iopsRange, `use ${iopsRange.min} to ${iopsRange.max} IOPS`);
  if (isConcrete(iops) && isConcrete(size) && iops > size * maxIopsPerGiB) {
    errors.add('nodeVolume.iops', iops, `io2 allows at most ${maxIopsPerGiB} IOPS per GiB, i.e. ${size * maxIopsPerGiB} for ${size} GiB`,
      `lower iops or raise sizeGiB to at least ${Math.ceil(iops / maxIopsPerGiB)}`);
  }
  checkMountPoint(errors, 'nodeVolume.mountPoint', volume.mountPoint, '/data');
}
