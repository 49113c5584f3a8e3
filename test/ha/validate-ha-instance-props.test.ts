import { Duration, Lazy, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { HaDataVolumeOptions, HaInstanceProps } from '../../lib/ha/ha-instance-props';
import {
  EbsVolumeSpec, HaInstancePlacement, checkAllocationId, checkEbsVolume, checkHaInstanceProps, checkRootVolumeSize,
} from '../../lib/ha/validate-ha-instance-props';
import { ConfigErrors } from '../../lib/private/config-errors';
import { recordedProblems } from '../support/config-problems';

/*
 * The rules of HaInstance's props, called directly (no synth): each limit, one past it on both sides,
 * a valid value, and the whole message once per rule.
 */

/** The problems `check` records, as the lines of the thrown message (without the header). */
function problems(check: (errors: ConfigErrors) => void): string[] {
  const errors = new ConfigErrors('HaInstance', 'S/Server');
  check(errors);
  return recordedProblems(errors, true);
}

const volume = (spec: EbsVolumeSpec) => problems((errors) => checkEbsVolume(errors, 'dataVolume.', spec, Size.gibibytes(10)));
const gib = (n: number) => Size.gibibytes(n);
const tokenNumber = () => Lazy.number({ produce: () => 1 });

/** Selected subnets in the given AZs, as `vpc.selectSubnets` answers (an AZ of undefined: an imported subnet without one). */
function selected(azs: (string | undefined)[], hasPublic = true): ec2.SelectedSubnets {
  return { subnets: azs.map((availabilityZone) => ({ availabilityZone })), hasPublic } as unknown as ec2.SelectedSubnets;
}

const TWO_AZS: HaInstancePlacement = { wantsEip: false, selection: { subnetType: ec2.SubnetType.PUBLIC }, subnets: selected(['a', 'b']) };

/** The problems of `props` (with a VPC that the checks do not read) and the warnings on the scope. */
function instanceProblems(props: Partial<HaInstanceProps>, placement: HaInstancePlacement = TWO_AZS): { errors: string[]; warnings: string[] } {
  const scope = new Stack();
  const errors = problems((e) => checkHaInstanceProps(scope, e, { vpc: undefined as unknown as ec2.IVpc, ...props }, placement));
  const warnings = scope.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
  return { errors, warnings };
}
const errorsOf = (props: Partial<HaInstanceProps>, placement?: HaInstancePlacement) => instanceProblems(props, placement).errors;
const dataVolumeErrors = (dataVolume: HaDataVolumeOptions, props: Partial<HaInstanceProps> = {}) => errorsOf({ dataVolume, ...props });

describe('checkEbsVolume: size', () => {
  test.each([
    ['gp2', 1, 16384], ['gp3', 1, 65536], ['io1', 4, 16384], ['io2', 4, 65536], ['st1', 125, 16384], ['sc1', 125, 16384], ['standard', 1, 1024],
  ])('%s takes %d to %d GiB', (type, min, max) => {
    const volumeType = type as ec2.EbsDeviceVolumeType;
    const iops = type === 'io1' || type === 'io2' ? 100 : undefined;
    const range = `must be a whole number from ${min} to ${max} GiB (EC2 API CreateVolume, Size (${type})). Fix: use a whole number of GiB from ${min} to ${max}.`;
    expect(volume({ volumeType, iops, size: gib(min) })).toEqual([]);
    expect(volume({ volumeType, iops, size: gib(max) })).toEqual([]);
    expect(volume({ volumeType, iops, size: gib(min - 1) })).toEqual([`dataVolume.size '${min - 1} GiB': ${range}`]);
    expect(volume({ volumeType, iops, size: gib(max + 1) })).toEqual([`dataVolume.size '${max + 1} GiB': ${range}`]);
  });

  test('fails if the size is not a whole number of GiB', () => {
    expect(volume({ size: Size.mebibytes(1536) })).toEqual([
      "dataVolume.size '1.5 GiB': must be a whole number from 1 to 65536 GiB (EC2 API CreateVolume, Size (gp3)). Fix: use a whole number of GiB from 1 to 65536.",
    ]);
  });

  test('the default size counts when no size is given', () => {
    expect(volume({ volumeType: ec2.EbsDeviceVolumeType.ST1 })).toEqual([
      "dataVolume.size '10 GiB': must be a whole number from 125 to 16384 GiB (EC2 API CreateVolume, Size (st1)). Fix: use a whole number of GiB from 125 to 16384.",
    ]);
    expect(volume({})).toEqual([]);
  });

  test('a token size skips the size and ratio checks', () => {
    expect(volume({ size: Size.gibibytes(tokenNumber()), volumeType: ec2.EbsDeviceVolumeType.IO1, iops: 64000 })).toEqual([]);
  });
});

describe('checkEbsVolume: IOPS', () => {
  test.each(['gp2', 'st1', 'sc1', 'standard'])('fails if %s is given provisioned IOPS', (type) => {
    expect(volume({ volumeType: type as ec2.EbsDeviceVolumeType, size: gib(500), iops: 3000 })).toEqual([
      `dataVolume.iops '3000': only gp3, io1 and io2 volumes take provisioned IOPS, and volumeType is ${type}. Fix: remove iops or use one of those types.`,
    ]);
  });

  test.each([['gp3', 3000, 80000], ['io1', 100, 64000], ['io2', 100, 256000]])('%s takes %d to %d IOPS', (type, min, max) => {
    const volumeType = type as ec2.EbsDeviceVolumeType;
    const size = gib(16384);
    const range = `must be a whole number from ${min} to ${max} IOPS (EC2 API CreateVolume, Iops (${type})). Fix: use a value from ${min} to ${max}.`;
    expect(volume({ volumeType, size, iops: min })).toEqual([]);
    expect(volume({ volumeType, size, iops: max })).toEqual([]);
    expect(volume({ volumeType, size, iops: min - 1 })).toEqual([`dataVolume.iops '${min - 1}': ${range}`]);
    expect(volume({ volumeType, size, iops: max + 1 })).toContain(`dataVolume.iops '${max + 1}': ${range}`);
  });

  test.each([['io1', 64000], ['io2', 256000]])('fails if %s has no provisioned IOPS', (type, max) => {
    expect(volume({ volumeType: type as ec2.EbsDeviceVolumeType })).toEqual([
      `dataVolume.iops (not set): ${type} volumes need provisioned IOPS (EC2 API CreateVolume, Iops). Fix: set iops from 100 to ${max}.`,
    ]);
  });

  test('gp3 needs no IOPS (its baseline is 3000)', () => {
    expect(volume({ volumeType: ec2.EbsDeviceVolumeType.GP3, size: gib(1) })).toEqual([]);
  });

  test.each([
    ['io1', 4, 200, 'io1 allows at most 50 IOPS per GiB', 5],
    ['io2', 4, 4000, 'io2 allows at most 1000 IOPS per GiB', 5],
    ['gp3', 10, 5000, 'gp3 allows at most 500 IOPS per GiB above its baseline of 3000', 11],
    ['gp3', 1, 3000, 'gp3 allows at most 500 IOPS per GiB above its baseline of 3000', 7],
  ])('%s of %d GiB takes at most %d IOPS', (type, size, max, rule, neededGib) => {
    const volumeType = type as ec2.EbsDeviceVolumeType;
    expect(volume({ volumeType, size: gib(size), iops: max })).toEqual([]);
    expect(volume({ volumeType, size: gib(size), iops: max + 1 })).toEqual([
      `dataVolume.iops '${max + 1}': ${rule} (Amazon EBS User Guide, "Amazon EBS volume types"), so ${size} GiB takes at most ${max}. `
        + `Fix: lower iops or make the volume at least ${neededGib} GiB.`,
    ]);
  });

  test('token IOPS skip the checks', () => {
    expect(volume({ volumeType: ec2.EbsDeviceVolumeType.IO1, size: gib(4), iops: tokenNumber() })).toEqual([]);
  });
});

describe('checkEbsVolume: throughput', () => {
  test.each(['gp2', 'io2', 'st1'])('fails if %s is given a throughput', (type) => {
    expect(volume({ volumeType: type as ec2.EbsDeviceVolumeType, size: gib(500), iops: type === 'io2' ? 1000 : undefined, throughput: 125 })).toEqual([
      `dataVolume.throughput '125': only gp3 volumes take a throughput, and volumeType is ${type}. Fix: remove throughput or use gp3.`,
    ]);
  });

  test('gp3 takes 125 to 2000 MiB/s', () => {
    const range = 'must be a whole number from 125 to 2000 MiB/s (EC2 API CreateVolume, Throughput (gp3)). Fix: use a value from 125 to 2000.';
    const size = gib(100);
    expect(volume({ size, iops: 16000, throughput: 125 })).toEqual([]);
    expect(volume({ size, iops: 16000, throughput: 2000 })).toEqual([]);
    expect(volume({ size, iops: 16000, throughput: 124 })).toEqual([`dataVolume.throughput '124': ${range}`]);
    expect(volume({ size, iops: 16000, throughput: 2001 })).toEqual([`dataVolume.throughput '2001': ${range}`]);
  });

  test('gp3 takes at most 0.25 MiB/s per IOPS, the baseline 3000 IOPS when none are given', () => {
    expect(volume({ throughput: 750 })).toEqual([]);
    expect(volume({ throughput: 751 })).toEqual([
      "dataVolume.throughput '751': gp3 allows at most 0.25 MiB/s per provisioned IOPS (Amazon EBS User Guide, \"General Purpose SSD volumes\"), "
        + 'so 3000 IOPS take at most 750 MiB/s. Fix: lower throughput or raise iops to at least 3004.',
    ]);
    expect(volume({ size: gib(100), iops: 4000, throughput: 1000 })).toEqual([]);
    expect(volume({ size: gib(100), iops: 4000, throughput: 1001 })).toHaveLength(1);
  });

  test('a token throughput or token IOPS skip the ratio', () => {
    expect(volume({ throughput: tokenNumber() })).toEqual([]);
    expect(volume({ size: gib(100), iops: tokenNumber(), throughput: 2000 })).toEqual([]);
  });
});

describe('checkAllocationId', () => {
  const check = (id: string | undefined) => problems((errors) => checkAllocationId(errors, 'elasticIpAllocationId', id));
  const message = (id: string) => `elasticIpAllocationId '${id}': an Elastic IP allocation ID is eipalloc- followed by 8 or 17 lower-case hexadecimal digits `
    + '(EC2 API AllocateAddress, AllocationId). Fix: copy the allocation ID (not the public IP) from the EC2 console or `aws ec2 describe-addresses`, '
    + "e.g. 'eipalloc-0123456789abcdef0'.";

  test.each(['eipalloc-0123abcd', 'eipalloc-0123456789abcdef0'])('accepts %s', (id) => {
    expect(check(id)).toEqual([]);
  });

  test('accepts no ID and a token', () => {
    expect(check(undefined)).toEqual([]);
    expect(check(Lazy.string({ produce: () => 'x' }))).toEqual([]);
  });

  test.each([
    'eipalloc-0123abc', 'eipalloc-0123abcde', 'eipalloc-0123456789abcdef', 'eipalloc-0123456789abcdef01', 'eipalloc-0123ABCD',
    'xeipalloc-0123abcd', 'eipalloc-0123abcdx', '203.0.113.7', 'eipalloc-0123abcg',
  ])('fails if the ID is %s', (id) => {
    expect(check(id)).toEqual([message(id)]);
  });
});

describe('checkRootVolumeSize', () => {
  const check = (size: Size | undefined) => problems((errors) => checkRootVolumeSize(errors, size));
  const message = (n: number) => `rootVolumeSize '${n} GiB': the root volume is gp3, which must be a whole number from 1 to 65536 GiB `
    + "(EC2 API CreateVolume, Size (gp3)). Fix: use at least the AMI's snapshot size, e.g. Size.gibibytes(8).";

  test('takes 1 to 65536 GiB', () => {
    expect(check(gib(1))).toEqual([]);
    expect(check(gib(65536))).toEqual([]);
    expect(check(gib(0))).toEqual([message(0)]);
    expect(check(gib(65537))).toEqual([message(65537)]);
  });

  test('accepts no size and a token', () => {
    expect(check(undefined)).toEqual([]);
    expect(check(Size.gibibytes(tokenNumber()))).toEqual([]);
  });
});

describe('checkHaInstanceProps', () => {
  test('accepts the defaults', () => {
    expect(instanceProblems({})).toEqual({ errors: [], warnings: [] });
    expect(instanceProblems({ dataVolume: {}, elasticIp: true })).toEqual({ errors: [], warnings: [] });
  });

  test('checks the allocation ID and the root volume size', () => {
    expect(errorsOf({ elasticIpAllocationId: 'eipalloc-1', rootVolumeSize: gib(0) }).map((p) => p.split(':')[0])).toEqual([
      "elasticIpAllocationId 'eipalloc-1'", "rootVolumeSize '0 GiB'",
    ]);
  });

  test('fails if a token duration is in another unit than the one it is used in', () => {
    const minutes = Duration.minutes(tokenNumber());
    const unit = (prop: string, used: string) => `${prop} (token): is a token in minutes, but is used in ${used}, and a value unknown until deployment `
      + `cannot be converted at synth. Fix: pass the token as Duration.${used}(token), or a concrete duration.`;
    expect(errorsOf({
      elasticIp: true, elasticIpClaimTimeout: minutes, lifecycleHookHeartbeat: minutes,
      dataVolume: { snapshotInterval: minutes, drainTimeout: minutes, restoreFromSnapshotAfter: minutes },
    })).toEqual([
      unit('elasticIpClaimTimeout', 'seconds'), unit('lifecycleHookHeartbeat', 'seconds'), unit('dataVolume.snapshotInterval', 'hours'),
      unit('dataVolume.drainTimeout', 'seconds'), unit('dataVolume.restoreFromSnapshotAfter', 'seconds'),
    ]);
    const seconds = Duration.seconds(tokenNumber());
    expect(errorsOf({ elasticIp: true, elasticIpClaimTimeout: seconds, lifecycleHookHeartbeat: seconds,
      dataVolume: { snapshotInterval: Duration.hours(tokenNumber()), drainTimeout: seconds, restoreFromSnapshotAfter: seconds } })).toEqual([]);
  });

  describe('instanceName', () => {
    const rule = (n: number) => `is the Name tag of the instances, and a tag value has 1 to 256 characters (EC2 tag restrictions), but it has ${n}. `
      + 'Fix: use a shorter name, or remove instanceName for a name derived from the construct path.';

    test('takes 1 to 256 characters', () => {
      expect(errorsOf({ instanceName: 'a' })).toEqual([]);
      expect(errorsOf({ instanceName: 'a'.repeat(256) })).toEqual([]);
      expect(errorsOf({ instanceName: Lazy.string({ produce: () => '' }) })).toEqual([]);
    });

    test('fails if it is empty', () => {
      expect(errorsOf({ instanceName: '' })).toEqual([`instanceName '': ${rule(0)}`]);
    });

    test('fails if it is longer than 256 characters, quoting its first 40', () => {
      expect(errorsOf({ instanceName: 'b'.repeat(257) })).toEqual([`instanceName '${'b'.repeat(40)}…': ${rule(257)}`]);
    });
  });

  test('fails if an allocation ID comes with elasticIp: false', () => {
    expect(errorsOf({ elasticIp: false, elasticIpAllocationId: 'eipalloc-0123abcd' })).toEqual([
      "elasticIpAllocationId 'eipalloc-0123abcd': an allocation ID means the instance claims that Elastic IP, but elasticIp is false. "
        + 'Fix: remove elasticIp: false, or remove elasticIpAllocationId.',
    ]);
    expect(errorsOf({ elasticIp: true, elasticIpAllocationId: 'eipalloc-0123abcd' })).toEqual([]);
    expect(errorsOf({ elasticIpAllocationId: 'eipalloc-0123abcd' })).toEqual([]);
    expect(errorsOf({ elasticIp: false })).toEqual([]);
  });

  describe('placement', () => {
    const selection = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };

    test('fails if the subnets span fewer than 2 AZs', () => {
      expect(errorsOf({}, { wantsEip: false, selection, subnets: selected(['a', 'a']) })).toEqual([
        "vpcSubnets 'subnetType Private': the selected subnets span 1 Availability Zone(s); an instance that must survive the loss of an AZ needs "
          + 'subnets in at least 2. Fix: select subnets in 2 or more AZs (e.g. a VPC with maxAzs: 2).',
      ]);
      expect(errorsOf({}, { wantsEip: false, selection, subnets: selected(['a', 'b']) })).toEqual([]);
    });

    test('skips the AZ count when an AZ is unknown, and the whole check when the selection failed', () => {
      expect(errorsOf({}, { wantsEip: false, selection, subnets: selected(['a', undefined]) })).toEqual([]);
      expect(errorsOf({}, { wantsEip: true, selection })).toEqual([]);
    });

    test('fails if an Elastic IP is wanted in subnets that are not public', () => {
      expect(errorsOf({}, { wantsEip: true, selection, subnets: selected(['a', 'b'], false) })).toEqual([
        "vpcSubnets 'subnetType Private': an Elastic IP only reaches an instance in a public subnet (with a route to an internet gateway). "
          + 'Fix: select public subnets, or remove elasticIp.',
      ]);
      expect(errorsOf({}, { wantsEip: false, selection, subnets: selected(['a', 'b'], false) })).toEqual([]);
    });
  });

  describe('lifecycleHookHeartbeat', () => {
    const range = (value: string) => `lifecycleHookHeartbeat '${value}': Auto Scaling allows a lifecycle hook heartbeat from 30 to 7200 seconds. `
      + 'Fix: use Duration.seconds(30) to Duration.hours(2).';
    const heartbeat = (seconds: number) => instanceProblems({ dataVolume: {}, lifecycleHookHeartbeat: Duration.seconds(seconds) });

    test('takes 30 to 7200 seconds', () => {
      expect(heartbeat(30).errors).toEqual([]);
      expect(heartbeat(7200).errors).toEqual([]);
      expect(heartbeat(29).errors).toEqual([range('29 seconds')]);
      expect(heartbeat(7201).errors).toEqual([range('2 hours 1 second')]);
    });

    test('warns under 5 minutes (a restore rarely fits), not at 5 minutes or out of range', () => {
      expect(heartbeat(299).warnings).toEqual([
        'lifecycleHookHeartbeat is 4 minutes 59 seconds: restoring the data volume in another AZ waits for a snapshot and a new volume, which rarely '
          + 'fits in under 5 minutes; the launch is then abandoned and retried. Use Duration.minutes(15). [ack: cdk-reference-architectures:haInstanceShortHeartbeat]',
      ]);
      expect(heartbeat(30).warnings).toHaveLength(1);
      expect(heartbeat(300).warnings).toEqual([]);
      expect(heartbeat(29).warnings).toEqual([]);
    });

    test('fails without a data volume, whatever its value', () => {
      const only = 'only the data volume uses lifecycle hooks. Fix: remove lifecycleHookHeartbeat or add dataVolume.';
      expect(instanceProblems({ lifecycleHookHeartbeat: Duration.seconds(60) })).toEqual({ errors: [`lifecycleHookHeartbeat '1 minute': ${only}`], warnings: [] });
      expect(errorsOf({ lifecycleHookHeartbeat: Duration.seconds(10) })).toEqual([range('10 seconds'), `lifecycleHookHeartbeat '10 seconds': ${only}`]);
      expect(errorsOf({ lifecycleHookHeartbeat: Duration.seconds(tokenNumber()) })).toEqual([`lifecycleHookHeartbeat (token): ${only}`]);
    });

    test('a token heartbeat skips the range and the warning', () => {
      expect(instanceProblems({ dataVolume: {}, lifecycleHookHeartbeat: Duration.seconds(tokenNumber()) })).toEqual({ errors: [], warnings: [] });
    });
  });

  describe('dataVolume', () => {
    test('checks the volume and its mount point', () => {
      expect(dataVolumeErrors({ volumeType: ec2.EbsDeviceVolumeType.IO2, mountPoint: 'data' }).map((p) => p.split(':')[0])).toEqual([
        'dataVolume.iops (not set)', "dataVolume.mountPoint 'data'",
      ]);
    });

    test('fails if the mount point is not a plain absolute path', () => {
      expect(dataVolumeErrors({ mountPoint: '/data dir' })).toEqual([
        "dataVolume.mountPoint '/data dir': must be an absolute path of letters, digits, \".\", \"_\", \"-\" and \"/\" (user data writes it into shell "
          + "commands and, for file systems and volumes, /etc/fstab). Fix: use e.g. '/data'.",
      ]);
    });

    test('snapshotRetention is a whole number of 1 or more', () => {
      const message = (n: number) => `dataVolume.snapshotRetention '${n}': the newest snapshot holds the data and is always kept, so at least 1. `
        + 'Fix: use a whole number of 1 or more (7 is the default).';
      expect(dataVolumeErrors({ snapshotRetention: 1 })).toEqual([]);
      expect(dataVolumeErrors({ snapshotRetention: 0 })).toEqual([message(0)]);
      expect(dataVolumeErrors({ snapshotRetention: 1.5 })).toEqual([message(1.5)]);
      expect(dataVolumeErrors({ snapshotRetention: tokenNumber() })).toEqual([]);
    });

    test.each(['/dev/sdf', '/dev/sdp', '/dev/xvdf', '/dev/xvdp'])('deviceName %s is accepted', (deviceName) => {
      expect(dataVolumeErrors({ deviceName })).toEqual([]);
    });

    test.each(['/dev/sde', '/dev/sdq', '/dev/xvde', '/dev/xvdq', '/dev/sdf1', 'x/dev/sdf', '/dev/nvme1n1'])('fails if deviceName is %s', (deviceName) => {
      expect(dataVolumeErrors({ deviceName })).toEqual([`dataVolume.deviceName '${deviceName}': EC2 recommends /dev/sd[f-p] for data volumes. Fix: use '/dev/sdf'.`]);
    });

    test('a token deviceName is accepted', () => {
      expect(dataVolumeErrors({ deviceName: Lazy.string({ produce: () => 'x' }) })).toEqual([]);
    });

    test.each([1, 2, 3, 4, 6, 8, 12, 24])('snapshotInterval of %d hours is accepted', (hours) => {
      expect(dataVolumeErrors({ snapshotInterval: Duration.hours(hours) })).toEqual([]);
    });

    test.each([[5, '5 hours'], [0.5, '30 minutes'], [48, '2 days']])('fails if snapshotInterval is %d hours', (hours, shown) => {
      expect(dataVolumeErrors({ snapshotInterval: Duration.minutes(hours * 60) })).toEqual([
        `dataVolume.snapshotInterval '${shown}': Data Lifecycle Manager schedules snapshots every 1, 2, 3, 4, 6, 8, 12 or 24 hours. Fix: use e.g. Duration.hours(1).`,
      ]);
    });

    test('scheduledSnapshotRetention is a whole number from 1 to 1000', () => {
      const message = (n: number) => `dataVolume.scheduledSnapshotRetention '${n}': Data Lifecycle Manager keeps 1 to 1000 snapshots per schedule. `
        + 'Fix: use a whole number from 1 to 1000 (24 is the default).';
      expect(dataVolumeErrors({ scheduledSnapshotRetention: 1 })).toEqual([]);
      expect(dataVolumeErrors({ scheduledSnapshotRetention: 1000 })).toEqual([]);
      expect(dataVolumeErrors({ scheduledSnapshotRetention: 0 })).toEqual([message(0)]);
      expect(dataVolumeErrors({ scheduledSnapshotRetention: 1001 })).toEqual([message(1001)]);
      expect(dataVolumeErrors({ scheduledSnapshotRetention: 2.5 })).toEqual([message(2.5)]);
      expect(dataVolumeErrors({ scheduledSnapshotRetention: tokenNumber() })).toEqual([]);
    });

    test('restoreFromSnapshotAfter is at least 5 minutes', () => {
      expect(dataVolumeErrors({ restoreFromSnapshotAfter: Duration.seconds(300) })).toEqual([]);
      expect(dataVolumeErrors({ restoreFromSnapshotAfter: Duration.seconds(299) })).toEqual([
        "dataVolume.restoreFromSnapshotAfter '4 minutes 59 seconds': a restore drops the writes since the last snapshot; under 5 minutes it would also "
          + 'replace a volume that is only slow to detach (the terminate hook waits drainTimeout, then forces the detach). '
          + 'Fix: use Duration.minutes(5) or more (e.g. Duration.minutes(30)).',
      ]);
      expect(dataVolumeErrors({ restoreFromSnapshotAfter: Duration.seconds(tokenNumber()) })).toEqual([]);
    });

    describe('drainTimeout', () => {
      const message = (drain: string, limit: number) => `dataVolume.drainTimeout '${drain}': must be shorter than the lifecycle hook heartbeat and the `
        + `handler's 15-minute limit (${limit} s), or the snapshot is never taken. Fix: shorten drainTimeout or lengthen lifecycleHookHeartbeat.`;
      const drain = (seconds: number, heartbeat?: number) => dataVolumeErrors({ drainTimeout: Duration.seconds(seconds) },
        heartbeat === undefined ? {} : { lifecycleHookHeartbeat: Duration.seconds(heartbeat) });

      test('is shorter than the heartbeat', () => {
        expect(drain(599, 600)).toEqual([]);
        expect(drain(600, 600)).toEqual([message('10 minutes', 600)]);
      });

      test('is shorter than the handler\'s 15 minutes, also with a longer heartbeat', () => {
        expect(drain(899, 1200)).toEqual([]);
        expect(drain(900, 1200)).toEqual([message('15 minutes', 900)]);
      });

      test('is shorter than the default heartbeat (15 minutes) when none is given', () => {
        expect(drain(899)).toEqual([]);
        expect(drain(1200)).toEqual([message('20 minutes', 900)]);
      });

      test('a token drain or heartbeat skips the check', () => {
        expect(dataVolumeErrors({ drainTimeout: Duration.seconds(tokenNumber()) })).toEqual([]);
        expect(dataVolumeErrors({ drainTimeout: Duration.seconds(7000) }, { lifecycleHookHeartbeat: Duration.seconds(tokenNumber()) })).toEqual([]);
      });
    });
  });
});
