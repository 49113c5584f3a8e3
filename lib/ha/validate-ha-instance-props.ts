import { Annotations, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { ConfigErrors, isConcrete } from '../private/config-errors';
import { checkTokenUnit } from '../private/duration-units';
import { checkMountPoint } from '../private/ec2-building-blocks';
import { DEFAULT_DATA_VOLUME_SIZE, DEFAULT_LIFECYCLE_HOOK_HEARTBEAT } from '../private/ha-data-volume';
import { TAG_VALUE } from '../private/labels';
import { NumericRange, checkNumber, describeRange, inRange } from '../private/ranges';
import { countAzs, describeSelection } from '../private/subnet-azs';
import type { HaDataVolumeOptions, HaInstanceProps } from './ha-instance-props';

/*
 * EBS limits of the data volume and the root volume, from the EC2 API reference (CreateVolume:
 * `Iops`, `Throughput`, `Size`) and the Amazon EBS User Guide ("Amazon EBS volume types"), so a bad
 * value fails at synth instead of in the lifecycle hook at the first launch.
 */

const EBS_SOURCE = 'EC2 API CreateVolume';

/** Volume size in GiB per type (EC2 API CreateVolume, `Size`). */
export const EBS_VOLUME_SIZE: Record<string, NumericRange> = {
  gp2: { min: 1, max: 16384, unit: 'GiB', source: `${EBS_SOURCE}, Size (gp2)` },
  gp3: { min: 1, max: 65536, unit: 'GiB', source: `${EBS_SOURCE}, Size (gp3)` },
  io1: { min: 4, max: 16384, unit: 'GiB', source: `${EBS_SOURCE}, Size (io1)` },
  io2: { min: 4, max: 65536, unit: 'GiB', source: `${EBS_SOURCE}, Size (io2)` },
  st1: { min: 125, max: 16384, unit: 'GiB', source: `${EBS_SOURCE}, Size (st1)` },
  sc1: { min: 125, max: 16384, unit: 'GiB', source: `${EBS_SOURCE}, Size (sc1)` },
  standard: { min: 1, max: 1024, unit: 'GiB', source: `${EBS_SOURCE}, Size (standard)` },
};

/** Provisioned IOPS per type (EC2 API CreateVolume, `Iops`); other types take none. */
export const EBS_IOPS: Record<string, NumericRange> = {
  gp3: { min: 3000, max: 80000, unit: 'IOPS', source: `${EBS_SOURCE}, Iops (gp3)` },
  io1: { min: 100, max: 64000, unit: 'IOPS', source: `${EBS_SOURCE}, Iops (io1)` },
  io2: { min: 100, max: 256000, unit: 'IOPS', source: `${EBS_SOURCE}, Iops (io2)` },
};

/** Most IOPS per GiB of volume size (Amazon EBS User Guide, "Amazon EBS volume types"). */
export const EBS_IOPS_PER_GIB: Record<string, number> = { gp3: 500, io1: 50, io2: 1000 };

/** gp3 throughput in MiB/s (EC2 API CreateVolume, `Throughput`); only gp3 takes one. */
export const GP3_THROUGHPUT: NumericRange = { min: 125, max: 2000, unit: 'MiB/s', source: `${EBS_SOURCE}, Throughput (gp3)` };

/** Most gp3 throughput (MiB/s) per provisioned IOPS (Amazon EBS User Guide, "General Purpose SSD volumes"). */
export const GP3_THROUGHPUT_PER_IOPS = 0.25;

/** Baseline IOPS of gp3 when none is given. */
const GP3_BASELINE_IOPS = 3000;

/** Options of a volume as the checks need them. */
export interface EbsVolumeSpec {
  readonly size?: Size;
  readonly volumeType?: ec2.EbsDeviceVolumeType;
  readonly iops?: number;
  readonly throughput?: number;
}

/** The whole GiB of `size`, or undefined when it is a token. */
function knownGib(size: Size): number | undefined {
  const gib = size.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
  return Token.isUnresolved(gib) ? undefined : gib;
}

/**
 * Records every EBS limit `spec` breaks: size, IOPS and throughput ranges of its type, the IOPS:GiB
 * ratio and gp3's throughput:IOPS ratio. Tokens skip the checks they are part of.
 */
export function checkEbsVolume(errors: ConfigErrors, prefix: string, spec: EbsVolumeSpec, defaultSize: Size): void {
  const type = spec.volumeType ?? ec2.EbsDeviceVolumeType.GP3;
  const sizeRange = EBS_VOLUME_SIZE[type];
  const gib = knownGib(spec.size ?? defaultSize);
  if (gib !== undefined && sizeRange && !inRange(gib, sizeRange)) {
    errors.add(`${prefix}size`, `${gib} GiB`, `must be ${describeRange(sizeRange)}`, `use a whole number of GiB from ${sizeRange.min} to ${sizeRange.max}`);
  }
  const iopsRange = EBS_IOPS[type];
  if (spec.iops !== undefined && !iopsRange) {
    errors.add(`${prefix}iops`, spec.iops, `only gp3, io1 and io2 volumes take provisioned IOPS, and volumeType is ${type}`, 'remove iops or use one of those types');
  }
  // Stryker disable next-line ConditionalExpression: equivalent, without a range there are no IOPS (the rule above) and nothing to check
  if (iopsRange) {
    checkNumber(errors, `${prefix}iops`, spec.iops, iopsRange);
    if (spec.iops === undefined && (type === 'io1' || type === 'io2')) {
      errors.add(`${prefix}iops`, undefined, `${type} volumes need provisioned IOPS (${EBS_SOURCE}, Iops)`, `set iops from ${iopsRange.min} to ${iopsRange.max}`);
    }
  }
  const perGib = EBS_IOPS_PER_GIB[type];
  // gp3's baseline of 3000 IOPS comes with every size; more take 500 per GiB
  // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, an unknown size or ratio gives NaN, and no IOPS exceed NaN
  const maxIops = gib === undefined || !perGib ? undefined : Math.max(gib * perGib, type === 'gp3' ? GP3_BASELINE_IOPS : 0);
  // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, no number exceeds undefined (no size or ratio known)
  if (maxIops !== undefined && isConcrete(spec.iops) && spec.iops > maxIops) {
    errors.add(`${prefix}iops`, spec.iops, `${type} allows at most ${perGib} IOPS per GiB${type === 'gp3' ? ' above its baseline of 3000' : ''} (Amazon EBS User Guide, "Amazon EBS volume types"), so ${gib} GiB takes at most ${maxIops}`,
      `lower iops or make the volume at least ${Math.ceil(spec.iops / perGib)} GiB`);
  }
  if (spec.throughput !== undefined && type !== 'gp3') {
    errors.add(`${prefix}throughput`, spec.throughput, `only gp3 volumes take a throughput, and volumeType is ${type}`, 'remove throughput or use gp3');
  }
  // Stryker disable next-line ConditionalExpression: equivalent, other types have no throughput (the rule above) and nothing to check
  if (type === 'gp3') {
    const iops = spec.iops ?? GP3_BASELINE_IOPS;
    checkNumber(errors, `${prefix}throughput`, spec.throughput, GP3_THROUGHPUT);
    if (isConcrete(spec.throughput) && isConcrete(iops) && spec.throughput > iops * GP3_THROUGHPUT_PER_IOPS) {
      errors.add(`${prefix}throughput`, spec.throughput,
        `gp3 allows at most ${GP3_THROUGHPUT_PER_IOPS} MiB/s per provisioned IOPS (Amazon EBS User Guide, "General Purpose SSD volumes"), so ${iops} IOPS take at most ${iops * GP3_THROUGHPUT_PER_IOPS} MiB/s`,
        `lower throughput or raise iops to at least ${Math.ceil(spec.throughput / GP3_THROUGHPUT_PER_IOPS)}`);
    }
  }
}

/** EC2 allocation IDs: `eipalloc-` and 8 or 17 hexadecimal digits. */
const ALLOCATION_ID = /^eipalloc-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** Records a problem unless `id` is unset, a token or an Elastic IP allocation ID. */
export function checkAllocationId(errors: ConfigErrors, prop: string, id: string | undefined): void {
  if (id !== undefined && !Token.isUnresolved(id) && !ALLOCATION_ID.test(id)) {
    errors.add(prop, id, 'an Elastic IP allocation ID is eipalloc- followed by 8 or 17 lower-case hexadecimal digits (EC2 API AllocateAddress, AllocationId)',
      "copy the allocation ID (not the public IP) from the EC2 console or `aws ec2 describe-addresses`, e.g. 'eipalloc-0123456789abcdef0'");
  }
}

/** Records a problem unless the root volume's size is unset, a token or a gp3 size. */
export function checkRootVolumeSize(errors: ConfigErrors, size: Size | undefined): void {
  const gib = size === undefined ? undefined : knownGib(size);
  const range = EBS_VOLUME_SIZE.gp3;
  if (gib !== undefined && !inRange(gib, range)) {
    errors.add('rootVolumeSize', `${gib} GiB`, `the root volume is gp3, which must be ${describeRange(range)}`, 'use at least the AMI\'s snapshot size, e.g. Size.gibibytes(8)');
  }
}

/** Lifecycle hook heartbeat timeout in seconds (Auto Scaling API PutLifecycleHook, HeartbeatTimeout). */
// Stryker disable next-line StringLiteral: equivalent, unit and source are not in the message (the rule states its own)
export const LIFECYCLE_HOOK_HEARTBEAT: NumericRange = { min: 30, max: 7200, unit: 's', source: 'Auto Scaling API PutLifecycleHook, HeartbeatTimeout' };

/** Under this heartbeat (seconds), a restore in another AZ rarely finishes in time: a warning. */
const SHORT_HEARTBEAT_SECONDS = 300;

/** The longest a Lambda function runs (seconds): the terminate hook's drain must end before it. */
const LAMBDA_MAX_SECONDS = 900;

/** The intervals (hours) Data Lifecycle Manager schedules snapshots at (DLM API CreateRule, Interval). */
export const DLM_INTERVAL_HOURS = [1, 2, 3, 4, 6, 8, 12, 24];

/** Snapshots a DLM schedule keeps (DLM API RetainRule, Count). */
// Stryker disable next-line StringLiteral: equivalent, unit and source are not in the message (the rule states its own)
export const DLM_RETAIN_COUNT: NumericRange = { min: 1, max: 1000, unit: 'snapshots', source: 'DLM API RetainRule, Count' };

/** The shortest `restoreFromSnapshotAfter` (seconds): shorter would replace a volume that is only slow to detach. */
const MIN_RESTORE_AFTER_SECONDS = 300;

/** Device names EC2 recommends for data volumes. */
const DATA_DEVICE_NAME = /^\/dev\/(sd[f-p]|xvd[f-p])$/;

/** Where an `HaInstance` runs, as its constructor resolved it. */
export interface HaInstancePlacement {
  /** Whether the instance claims an Elastic IP (`elasticIp` or `elasticIpAllocationId`). */
  readonly wantsEip: boolean;
  /** The subnet selection (`vpcSubnets` or the default). */
  readonly selection: ec2.SubnetSelection;
  /** The selected subnets; undefined when the selection failed (already recorded). */
  readonly subnets?: ec2.SelectedSubnets;
}

/**
 * Records every problem of an `HaInstance`'s props in `errors` (the caller throws) and warns on
 * `scope` about a lifecycle hook heartbeat too short for a restore. Tokens skip the checks they are part of.
 */
export function checkHaInstanceProps(scope: Construct, errors: ConfigErrors, props: HaInstanceProps, placement: HaInstancePlacement): void {
  checkAllocationId(errors, 'elasticIpAllocationId', props.elasticIpAllocationId);
  checkTokenUnit(errors, 'elasticIpClaimTimeout', props.elasticIpClaimTimeout, 'seconds');
  checkTokenUnit(errors, 'lifecycleHookHeartbeat', props.lifecycleHookHeartbeat, 'seconds');
  checkRootVolumeSize(errors, props.rootVolumeSize);
  checkInstanceName(errors, props.instanceName);
  if (props.elasticIp === false && props.elasticIpAllocationId !== undefined) {
    errors.add('elasticIpAllocationId', props.elasticIpAllocationId, 'an allocation ID means the instance claims that Elastic IP, but elasticIp is false',
      'remove elasticIp: false, or remove elasticIpAllocationId');
  }
  checkPlacement(errors, placement);
  checkHeartbeat(scope, errors, props);
  if (props.dataVolume) {
    checkDataVolume(errors, props.dataVolume, props);
  }
}

function checkInstanceName(errors: ConfigErrors, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  const rule = `is the Name tag of the instances, and a tag value has 1 to ${TAG_VALUE.maxLength} characters (EC2 tag restrictions), but it has ${name.length}`;
  const fix = 'use a shorter name, or remove instanceName for a name derived from the construct path';
  if (name.length === 0) {
    errors.add('instanceName', name, rule, fix);
  } else if (name.length > TAG_VALUE.maxLength) {
    errors.add('instanceName', `${name.slice(0, 40)}…`, rule, fix);
  }
}

function checkPlacement(errors: ConfigErrors, { wantsEip, selection, subnets }: HaInstancePlacement): void {
  if (!subnets) return;
  const azs = countAzs(subnets);
  // Stryker disable next-line ConditionalExpression: equivalent, undefined < 2 is false
  if (azs !== undefined && azs < 2) {
    errors.add('vpcSubnets', describeSelection(selection),
      `the selected subnets span ${azs} Availability Zone(s); an instance that must survive the loss of an AZ needs subnets in at least 2`,
      'select subnets in 2 or more AZs (e.g. a VPC with maxAzs: 2)');
  }
  if (wantsEip && !subnets.hasPublic) {
    errors.add('vpcSubnets', describeSelection(selection), 'an Elastic IP only reaches an instance in a public subnet (with a route to an internet gateway)',
      'select public subnets, or remove elasticIp');
  }
}

function checkHeartbeat(scope: Construct, errors: ConfigErrors, props: HaInstanceProps): void {
  const heartbeat = props.lifecycleHookHeartbeat;
  if (!heartbeat) return;
  const seconds = heartbeat.isUnresolved() ? undefined : heartbeat.toSeconds();
  // Stryker disable next-line ConditionalExpression: equivalent, inRange(undefined) is false
  const inLimits = seconds !== undefined && inRange(seconds, LIFECYCLE_HOOK_HEARTBEAT);
  if (seconds !== undefined && !inLimits) {
    errors.add('lifecycleHookHeartbeat', heartbeat, 'Auto Scaling allows a lifecycle hook heartbeat from 30 to 7200 seconds',
      'use Duration.seconds(30) to Duration.hours(2)');
  }
  if (!props.dataVolume) {
    errors.add('lifecycleHookHeartbeat', heartbeat, 'only the data volume uses lifecycle hooks', 'remove lifecycleHookHeartbeat or add dataVolume');
  } else if (inLimits && seconds < SHORT_HEARTBEAT_SECONDS) {
    Annotations.of(scope).addWarningV2('cdk-reference-architectures:haInstanceShortHeartbeat',
      `lifecycleHookHeartbeat is ${heartbeat.toHumanString()}: restoring the data volume in another AZ waits for a snapshot and a new volume, which rarely fits in under 5 minutes; the launch is then abandoned and retried. Use Duration.minutes(15).`);
  }
}

function checkDataVolume(errors: ConfigErrors, dv: HaDataVolumeOptions, props: HaInstanceProps): void {
  const retention = dv.snapshotRetention;
  if (isConcrete(retention) && (retention < 1 || !Number.isInteger(retention))) {
    errors.add('dataVolume.snapshotRetention', retention, 'the newest snapshot holds the data and is always kept, so at least 1', 'use a whole number of 1 or more (7 is the default)');
  }
  checkEbsVolume(errors, 'dataVolume.', dv, DEFAULT_DATA_VOLUME_SIZE);
  checkMountPoint(errors, 'dataVolume.mountPoint', dv.mountPoint, '/data');
  if (dv.deviceName !== undefined && !Token.isUnresolved(dv.deviceName) && !DATA_DEVICE_NAME.test(dv.deviceName)) {
    errors.add('dataVolume.deviceName', dv.deviceName, 'EC2 recommends /dev/sd[f-p] for data volumes', "use '/dev/sdf'");
  }
  const interval = dv.snapshotInterval;
  checkTokenUnit(errors, 'dataVolume.snapshotInterval', interval, 'hours');
  checkTokenUnit(errors, 'dataVolume.drainTimeout', dv.drainTimeout, 'seconds');
  checkTokenUnit(errors, 'dataVolume.restoreFromSnapshotAfter', dv.restoreFromSnapshotAfter, 'seconds');
  if (interval && !interval.isUnresolved() && !DLM_INTERVAL_HOURS.includes(interval.toHours({ integral: false }))) {
    errors.add('dataVolume.snapshotInterval', interval, 'Data Lifecycle Manager schedules snapshots every 1, 2, 3, 4, 6, 8, 12 or 24 hours', 'use e.g. Duration.hours(1)');
  }
  const scheduledRetention = dv.scheduledSnapshotRetention;
  if (isConcrete(scheduledRetention) && !inRange(scheduledRetention, DLM_RETAIN_COUNT)) {
    errors.add('dataVolume.scheduledSnapshotRetention', scheduledRetention, 'Data Lifecycle Manager keeps 1 to 1000 snapshots per schedule', 'use a whole number from 1 to 1000 (24 is the default)');
  }
  const restoreAfter = dv.restoreFromSnapshotAfter;
  if (restoreAfter && !restoreAfter.isUnresolved() && restoreAfter.toSeconds() < MIN_RESTORE_AFTER_SECONDS) {
    errors.add('dataVolume.restoreFromSnapshotAfter', restoreAfter,
      'a restore drops the writes since the last snapshot; under 5 minutes it would also replace a volume that is only slow to detach (the terminate hook waits drainTimeout, then forces the detach)',
      'use Duration.minutes(5) or more (e.g. Duration.minutes(30))');
  }
  const drain = dv.drainTimeout;
  const heartbeat = props.lifecycleHookHeartbeat ?? DEFAULT_LIFECYCLE_HOOK_HEARTBEAT;
  if (drain && !drain.isUnresolved() && !heartbeat.isUnresolved()) {
    const limit = Math.min(heartbeat.toSeconds(), LAMBDA_MAX_SECONDS);
    if (drain.toSeconds() >= limit) {
      errors.add('dataVolume.drainTimeout', drain, `must be shorter than the lifecycle hook heartbeat and the handler's 15-minute limit (${limit} s), or the snapshot is never taken`,
        'shorten drainTimeout or lengthen lifecycleHookHeartbeat');
    }
  }
}
