import { Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ConfigErrors, isConcrete } from '../private/config-errors';
import { NumericRange, checkNumber, describeRange, inRange } from '../private/ranges';

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
  } else if (iopsRange) {
    checkNumber(errors, `${prefix}iops`, spec.iops, iopsRange);
    if (spec.iops === undefined && (type === 'io1' || type === 'io2')) {
      errors.add(`${prefix}iops`, undefined, `${type} volumes need provisioned IOPS (${EBS_SOURCE}, Iops)`, `set iops from ${iopsRange.min} to ${iopsRange.max}`);
    }
  }
  const iops = spec.iops ?? (type === 'gp3' ? GP3_BASELINE_IOPS : undefined);
  const perGib = EBS_IOPS_PER_GIB[type];
  // gp3's baseline of 3000 IOPS comes with every size; more take 500 per GiB
  const maxIops = gib === undefined || !perGib ? undefined : Math.max(gib * perGib, type === 'gp3' ? GP3_BASELINE_IOPS : 0);
  if (maxIops !== undefined && isConcrete(iops) && spec.iops !== undefined && iops > maxIops) {
    errors.add(`${prefix}iops`, iops, `${type} allows at most ${perGib} IOPS per GiB${type === 'gp3' ? ' above its baseline of 3000' : ''} (Amazon EBS User Guide, "Amazon EBS volume types"), so ${gib} GiB takes at most ${maxIops}`,
      `lower iops or make the volume at least ${Math.ceil(iops / perGib)} GiB`);
  }
  if (spec.throughput !== undefined && type !== 'gp3') {
    errors.add(`${prefix}throughput`, spec.throughput, `only gp3 volumes take a throughput, and volumeType is ${type}`, 'remove throughput or use gp3');
  } else if (type === 'gp3') {
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
