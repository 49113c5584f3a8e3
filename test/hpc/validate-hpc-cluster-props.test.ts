import { Lazy, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DependencyGroup } from 'constructs';
import { HpcCapacityType, HpcClusterProps, HpcDataRepository, HpcLustreSettings } from '../../lib/hpc/hpc-cluster-props';
import {
  IO2_LIMITS, dataRepositoryPath, validateCapacity, validateEfa, validateEfaSupportOverride, validateEfs, validateHpcClusterProps,
  validateIo2, validateLustre, validatePlacement, validateSubnets,
} from '../../lib/hpc/validate-hpc-cluster-props';
import { ConfigErrors } from '../../lib/private/config-errors';
import { recordedProblems } from '../support/config-problems';

/*
 * HpcCluster's rules called directly, without a synth: each limit, one past it on both sides, a valid
 * value, and each rule's whole message once.
 */

/** The problems `check` records, as the lines of the thrown message (without the header). */
function problems(check: (errors: ConfigErrors) => void): string[] {
  const errors = new ConfigErrors('HpcCluster', 'Stack/Cluster');
  check(errors);
  return recordedProblems(errors);
}

/** One problem line as ConfigErrors prints it. */
function line(prop: string, value: string, rule: string, fix: string): string {
  return `  - HpcCluster: ${prop} ${value}: ${rule}. Fix: ${fix}.`;
}

/** Cluster props: the validators never read the VPC. */
function props(extra: Partial<HpcClusterProps> = {}): HpcClusterProps {
  return { vpc: undefined as unknown as ec2.IVpc, ...extra };
}

/** HpcCluster's resolved Lustre defaults, with `extra` applied. */
function lustre(extra: Partial<HpcLustreSettings> = {}): HpcLustreSettings {
  return {
    deploymentType: fsx.LustreDeploymentType.SCRATCH_2,
    storageCapacityGiB: 1200,
    fileSystemTypeVersion: fsx.FileSystemTypeVersion.V_2_15,
    dataRepositories: [],
    mountPoint: '/fsx',
    removalPolicy: RemovalPolicy.RETAIN,
    freeCapacityAlarmThreshold: 0.1,
    ...extra,
  };
}

function repository(bucketName: string, fileSystemPath: string, bucketPrefix?: string): HpcDataRepository {
  return { bucket: s3.Bucket.fromBucketName(new Stack(), 'Bucket', bucketName), fileSystemPath, bucketPrefix };
}

/** The selection `vpc.selectSubnets` would answer for subnets in these AZs (undefined: an imported subnet without AZ). */
function selected(azs: (string | undefined)[]): ec2.SelectedSubnets {
  const stack = new Stack();
  const subnets = azs.map((availabilityZone, i) => (availabilityZone
    ? ec2.Subnet.fromSubnetAttributes(stack, `Subnet${i}`, { subnetId: `subnet-${i}`, availabilityZone })
    : ec2.Subnet.fromSubnetId(stack, `Subnet${i}`, `subnet-${i}`)));
  return {
    subnets,
    subnetIds: subnets.map((s) => s.subnetId),
    availabilityZones: azs.map((az) => az ?? ''),
    internetConnectivityEstablished: new DependencyGroup(),
    hasPublic: false,
  };
}

const token = (): number => Lazy.number({ produce: () => 1 });

describe('validateEfa', () => {
  test('accepts an EFA type with the default interface count', () => {
    expect(problems((e) => validateEfa(e, props(), 'c5n.18xlarge'))).toEqual([]);
  });

  test('fails if the type has no EFA, suggesting the EFA sizes of its family', () => {
    expect(problems((e) => validateEfa(e, props(), 'c5n.large'))).toEqual([line('instanceType', "'c5n.large'",
      'does not support EFA (support is by size; see EfaInstanceTypes.ALL in lib/hpc/efa-instance-types.ts)',
      'use one of c5n.9xlarge, c5n.18xlarge, c5n.metal, set efa: false, or set efaSupportOverride for a type newer than the list')]);
  });

  test('fails if the type has no EFA, suggesting well-known types when its family has none', () => {
    expect(problems((e) => validateEfa(e, props(), 't3.large'))).toEqual([line('instanceType', "'t3.large'",
      'does not support EFA (support is by size; see EfaInstanceTypes.ALL in lib/hpc/efa-instance-types.ts)',
      'use one of c5n.18xlarge, hpc7g.16xlarge, hpc7a.96xlarge, set efa: false, or set efaSupportOverride for a type newer than the list')]);
  });

  test('suggests the family\'s own sizes only (c6i, not c6id or c6in)', () => {
    expect(problems((e) => validateEfa(e, props(), 'c6i.large'))).toEqual([line('instanceType', "'c6i.large'",
      'does not support EFA (support is by size; see EfaInstanceTypes.ALL in lib/hpc/efa-instance-types.ts)',
      'use one of c6i.32xlarge, c6i.metal, set efa: false, or set efaSupportOverride for a type newer than the list')]);
  });

  test('an unknown type with a valid interface count gets the type error only', () => {
    expect(problems((e) => validateEfa(e, props({ efaInterfaces: 2 }), 'c5n.large')).length).toBe(1);
  });

  test('efaSupportOverride vouches for a type not in the list', () => {
    expect(problems((e) => validateEfa(e, props({ efaSupportOverride: { networkCards: 2 }, efaInterfaces: 2 }), 'c9z.48xlarge'))).toEqual([]);
  });

  test.each([1, 8])('accepts efaInterfaces %d on trn1.32xlarge (8 network cards)', (efaInterfaces) => {
    expect(problems((e) => validateEfa(e, props({ efaInterfaces }), 'trn1.32xlarge'))).toEqual([]);
  });

  test('fails if efaInterfaces is above the network cards', () => {
    expect(problems((e) => validateEfa(e, props({ efaInterfaces: 9 }), 'trn1.32xlarge'))).toEqual([line('efaInterfaces', "'9'",
      'trn1.32xlarge has 8 network card(s) and takes one EFA per card', 'use at most 8')]);
  });

  test('the override sets the network cards', () => {
    const override = (efaInterfaces: number): string[] => problems((e) => validateEfa(e, props({ efaSupportOverride: { networkCards: 2 }, efaInterfaces }), 'trn1.32xlarge'));
    expect(override(2)).toEqual([]);
    expect(override(3)).toEqual([line('efaInterfaces', "'3'", 'trn1.32xlarge has 2 network card(s) and takes one EFA per card', 'use at most 2')]);
  });

  test.each([0, -1, 1.5])('fails if efaInterfaces is %d', (efaInterfaces) => {
    expect(problems((e) => validateEfa(e, props({ efaInterfaces }), 'trn1.32xlarge'))).toEqual([line('efaInterfaces', `'${efaInterfaces}'`,
      'a node with EFA has a whole number of 1 or more EFA interfaces', 'use 1, or set efa: false')]);
  });

  test('fails if efaInterfaces is a token: it sets the number of interfaces rendered', () => {
    expect(problems((e) => validateEfa(e, props({ efaInterfaces: token() }), 'c5n.18xlarge'))).toEqual([line('efaInterfaces', "'(token)'",
      'the count of network interfaces rendered into the launch template must be known at synth time', 'pass a number')]);
  });

  test('without EFA, neither the type nor the interface count matters', () => {
    expect(problems((e) => validateEfa(e, props({ efa: false }), 't3.large'))).toEqual([]);
  });

  test('fails if efaInterfaces is set without EFA', () => {
    expect(problems((e) => validateEfa(e, props({ efa: false, efaInterfaces: 1 }), 'c5n.18xlarge'))).toEqual([line('efaInterfaces', "'1'",
      'only applies with EFA, but efa is false', 'remove it, or set efa: true')]);
  });

  test('fails if efaSupportOverride is set without EFA', () => {
    expect(problems((e) => validateEfa(e, props({ efa: false, efaSupportOverride: { networkCards: 1 } }), 'c5n.18xlarge'))).toEqual([
      line('efaSupportOverride', "'set'", 'only applies with EFA, but efa is false', 'remove it, or set efa: true')]);
  });

  test('fails if a public address is asked for with 2 EFA interfaces', () => {
    expect(problems((e) => validateEfa(e, props({ efaInterfaces: 2, associatePublicIpAddress: true }), 'trn1.32xlarge'))).toEqual([
      line('associatePublicIpAddress', "'true'",
        'EC2 assigns no public IPv4 address to a launch with more than one network interface, and rejects the request (efaInterfaces is 2)',
        'put the nodes in a private subnet with a NAT gateway or VPC endpoints and remove associatePublicIpAddress, or use efaInterfaces: 1')]);
  });

  test('accepts a public address with 1 EFA interface, and 2 interfaces without one', () => {
    expect(problems((e) => validateEfa(e, props({ efaInterfaces: 1, associatePublicIpAddress: true }), 'trn1.32xlarge'))).toEqual([]);
    expect(problems((e) => validateEfa(e, props({ associatePublicIpAddress: true }), 'trn1.32xlarge'))).toEqual([]);
    expect(problems((e) => validateEfa(e, props({ efaInterfaces: 2, associatePublicIpAddress: false }), 'trn1.32xlarge'))).toEqual([]);
  });
});

describe('validateEfaSupportOverride', () => {
  test.each([1, 32])('accepts %d network cards', (networkCards) => {
    expect(problems((e) => validateEfaSupportOverride(e, props({ efaSupportOverride: { networkCards } })))).toEqual([]);
  });

  test.each([0, 1.5])('fails for %d network cards', (networkCards) => {
    expect(problems((e) => validateEfaSupportOverride(e, props({ efaSupportOverride: { networkCards } })))).toEqual([
      line('efaSupportOverride.networkCards', `'${networkCards}'`, 'an instance has a whole number of 1 or more network cards',
        "use the type's NetworkInfo.MaximumNetworkCards")]);
  });

  test('skips a token and an unset override', () => {
    expect(problems((e) => validateEfaSupportOverride(e, props({ efaSupportOverride: { networkCards: token() } })))).toEqual([]);
    expect(problems((e) => validateEfaSupportOverride(e, props()))).toEqual([]);
  });
});

describe('validateSubnets', () => {
  const two: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };

  test('accepts one subnet', () => {
    expect(problems((e) => validateSubnets(e, props(), { subnets: [] }, selected(['us-east-1a'])))).toEqual([]);
  });

  test('fails for 2 subnets with EFA and a placement group, once for each', () => {
    expect(problems((e) => validateSubnets(e, props(), two, selected(['us-east-1a', 'us-east-1b'])))).toEqual([
      line('vpcSubnets', "'subnetType Private'", 'selects 2 subnet(s) in 2 Availability Zone(s); EFA traffic does not cross subnets, so all nodes must be in exactly one subnet',
        'select one subnet, e.g. { subnets: [vpc.privateSubnets[0]] }, or set efa: false'),
      line('vpcSubnets', "'subnetType Private'", 'selects 2 subnet(s) in 2 Availability Zone(s); a cluster placement group lives in one Availability Zone',
        'select one subnet, e.g. { subnets: [vpc.privateSubnets[0]] }, or set clusterPlacementGroup: false'),
    ]);
  });

  test('2 subnets in one AZ are still 2 subnets', () => {
    expect(problems((e) => validateSubnets(e, props({ clusterPlacementGroup: false }), two, selected(['us-east-1a', 'us-east-1a'])))).toEqual([
      line('vpcSubnets', "'subnetType Private'", 'selects 2 subnet(s) in 1 Availability Zone(s); EFA traffic does not cross subnets, so all nodes must be in exactly one subnet',
        'select one subnet, e.g. { subnets: [vpc.privateSubnets[0]] }, or set efa: false'),
    ]);
  });

  test('says when the AZs are unknown', () => {
    expect(problems((e) => validateSubnets(e, props({ efa: false }), two, selected([undefined, 'us-east-1b'])))).toEqual([
      line('vpcSubnets', "'subnetType Private'", 'selects 2 subnet(s) in an unknown number of Availability Zone(s); a cluster placement group lives in one Availability Zone',
        'select one subnet, e.g. { subnets: [vpc.privateSubnets[0]] }, or set clusterPlacementGroup: false'),
    ]);
  });

  test('accepts several subnets without EFA and without a placement group', () => {
    expect(problems((e) => validateSubnets(e, props({ efa: false, clusterPlacementGroup: false }), two, selected(['us-east-1a', 'us-east-1b'])))).toEqual([]);
  });

  test('checks nothing without a selection (or when selecting failed)', () => {
    expect(problems((e) => validateSubnets(e, props(), undefined, selected(['us-east-1a', 'us-east-1b'])))).toEqual([]);
    expect(problems((e) => validateSubnets(e, props(), two, undefined))).toEqual([]);
  });
});

describe('validatePlacement', () => {
  test.each(['t3.large', 't4g.micro', 'mac1.metal', 'mac2-m2.metal', 'mac-m4.metal'])('fails for %s in a cluster placement group', (type) => {
    expect(problems((e) => validatePlacement(e, props(), type))).toEqual([line('instanceType', `'${type}'`,
      'burstable (T) and Mac instances cannot be launched in a cluster placement group',
      'use a compute-optimised type such as c5n.18xlarge, or set clusterPlacementGroup: false')]);
  });

  test.each(['trn1.32xlarge', 'vt1.3xlarge', 'c5n.18xlarge', 'm5.large'])('accepts %s in a cluster placement group', (type) => {
    expect(problems((e) => validatePlacement(e, props(), type))).toEqual([]);
  });

  test('accepts a burstable type without a placement group', () => {
    expect(problems((e) => validatePlacement(e, props({ clusterPlacementGroup: false }), 't3.large'))).toEqual([]);
  });

  test('fails if a Spot interruption behaviour is set for On-Demand capacity (explicit or default)', () => {
    const expected = [line('spotInterruptionBehavior', "'stop'", 'only applies to Spot capacity', 'remove it, or set capacityType: HpcCapacityType.SPOT')];
    const stop = ec2.SpotInstanceInterruption.STOP;
    expect(problems((e) => validatePlacement(e, props({ spotInterruptionBehavior: stop }), 'c5n.18xlarge'))).toEqual(expected);
    expect(problems((e) => validatePlacement(e, props({ spotInterruptionBehavior: stop, capacityType: HpcCapacityType.ON_DEMAND }), 'c5n.18xlarge'))).toEqual(expected);
  });

  test('fails if Spot nodes hibernate in a placement group', () => {
    const hibernate = { capacityType: HpcCapacityType.SPOT, spotInterruptionBehavior: ec2.SpotInstanceInterruption.HIBERNATE };
    expect(problems((e) => validatePlacement(e, props(hibernate),
      'c5n.18xlarge'))).toEqual([line('spotInterruptionBehavior', "'hibernate'",
      'EC2 does not launch Spot instances that stop or hibernate on interruption in a placement group',
      'use ec2.SpotInstanceInterruption.TERMINATE, or set clusterPlacementGroup: false')]);
  });

  test('accepts stop without a placement group, and terminate anywhere', () => {
    const spot = { capacityType: HpcCapacityType.SPOT };
    const stopOutsideGroup = { ...spot, clusterPlacementGroup: false, spotInterruptionBehavior: ec2.SpotInstanceInterruption.STOP };
    expect(problems((e) => validatePlacement(e, props(stopOutsideGroup),
      'c5n.18xlarge'))).toEqual([]);
    expect(problems((e) => validatePlacement(e, props({ ...spot, spotInterruptionBehavior: ec2.SpotInstanceInterruption.TERMINATE }), 'c5n.18xlarge'))).toEqual([]);
    expect(problems((e) => validatePlacement(e, props({ spotInterruptionBehavior: ec2.SpotInstanceInterruption.TERMINATE }), 'c5n.18xlarge'))).toEqual([]);
  });
});

describe('validateCapacity', () => {
  test('accepts the defaults and the limits (min 0, min = desired = max)', () => {
    expect(problems((e) => validateCapacity(e, props()))).toEqual([]);
    expect(problems((e) => validateCapacity(e, props({ minCapacity: 0, desiredCapacity: 0 })))).toEqual([]);
    expect(problems((e) => validateCapacity(e, props({ minCapacity: 4, desiredCapacity: 4 })))).toEqual([]);
    expect(problems((e) => validateCapacity(e, props({ minCapacity: 10, desiredCapacity: 10, maxCapacity: 10 })))).toEqual([]);
  });

  test('fails if minCapacity is below 0', () => {
    expect(problems((e) => validateCapacity(e, props({ minCapacity: -1 })))).toEqual([line('minCapacity', "'-1'", 'must be 0 or more', 'use 0 to scale to zero between jobs')]);
  });

  test('fails if minCapacity exceeds the default maxCapacity of 4', () => {
    expect(problems((e) => validateCapacity(e, props({ minCapacity: 5 })))).toEqual([line('minCapacity', "'5'", 'must not exceed maxCapacity (4)',
      'raise maxCapacity or lower minCapacity')]);
  });

  test('fails if minCapacity exceeds a given maxCapacity', () => {
    expect(problems((e) => validateCapacity(e, props({ minCapacity: 11, maxCapacity: 10 })))).toEqual([line('minCapacity', "'11'", 'must not exceed maxCapacity (10)',
      'raise maxCapacity or lower minCapacity')]);
  });

  test('fails if desiredCapacity is below minCapacity', () => {
    expect(problems((e) => validateCapacity(e, props({ minCapacity: 2, desiredCapacity: 1 })))).toEqual([line('desiredCapacity', "'1'",
      'must be between minCapacity (2) and maxCapacity (4)', 'adjust desiredCapacity')]);
  });

  test('fails if desiredCapacity is above maxCapacity (minCapacity defaulting to 0)', () => {
    expect(problems((e) => validateCapacity(e, props({ desiredCapacity: 5 })))).toEqual([line('desiredCapacity', "'5'",
      'must be between minCapacity (0) and maxCapacity (4)', 'adjust desiredCapacity')]);
  });

  test('skips tokens', () => {
    expect(problems((e) => validateCapacity(e, props({ minCapacity: token(), maxCapacity: token(), desiredCapacity: token() })))).toEqual([]);
    expect(problems((e) => validateCapacity(e, props({ minCapacity: 5, maxCapacity: token(), desiredCapacity: 7 })))).toEqual([]);
    expect(problems((e) => validateCapacity(e, props({ minCapacity: token(), desiredCapacity: 3 })))).toEqual([]);
  });
});

describe('validateLustre', () => {
  test('accepts the defaults', () => {
    expect(problems((e) => validateLustre(e, lustre()))).toEqual([]);
  });

  test('reports capacity and throughput under the lustre prop names', () => {
    expect(problems((e) => validateLustre(e, lustre({ storageCapacityGiB: 1000, perUnitStorageThroughput: 200 })))).toEqual([
      line('lustre.storageCapacityGiB', "'1000'", 'SCRATCH_2 takes 1200, 2400, then multiples of 2400 GiB', 'use e.g. 1200 GiB'),
      line('lustre.perUnitStorageThroughput', "'200'", 'SCRATCH_2 has a fixed throughput per TiB; only PERSISTENT_1 and PERSISTENT_2 take one',
        'remove it, or use a persistent deployment type'),
    ]);
  });

  test.each([0.01, 0.99])('accepts freeCapacityAlarmThreshold %d', (freeCapacityAlarmThreshold) => {
    expect(problems((e) => validateLustre(e, lustre({ freeCapacityAlarmThreshold })))).toEqual([]);
  });

  test.each([0, 1, -0.1])('fails for freeCapacityAlarmThreshold %d', (freeCapacityAlarmThreshold) => {
    expect(problems((e) => validateLustre(e, lustre({ freeCapacityAlarmThreshold })))).toEqual([line('lustre.freeCapacityAlarmThreshold', `'${freeCapacityAlarmThreshold}'`,
      'is the free fraction of the capacity below which the alarm fires, greater than 0 and less than 1', 'use e.g. 0.1 for 10 % free')]);
  });

  test('skips a token threshold', () => {
    expect(problems((e) => validateLustre(e, lustre({ freeCapacityAlarmThreshold: token() })))).toEqual([]);
  });

  test('accepts 8 associations with prefixes', () => {
    const repos = Array.from({ length: 8 }, (_, i) => repository('data', `/d${i}`, `p${i}`));
    expect(problems((e) => validateLustre(e, lustre({ dataRepositories: repos })))).toEqual([]);
  });

  test('fails for 9 associations', () => {
    const repos = Array.from({ length: 9 }, (_, i) => repository(`data${i}`, `/d${i}`));
    expect(problems((e) => validateLustre(e, lustre({ dataRepositories: repos })))).toEqual([line('lustre.dataRepositories', "'9 association(s)'",
      'FSx allows at most 8 data repository associations per file system', 'link fewer buckets, or use prefixes of one bucket under one association')]);
  });

  test('fails for an association on SCRATCH_1, and on Lustre 2.10', () => {
    const dataRepositories = [repository('data', '/data')];
    const scratch1 = lustre({ dataRepositories, deploymentType: fsx.LustreDeploymentType.SCRATCH_1, storageCapacityGiB: 3600 });
    expect(problems((e) => validateLustre(e, scratch1))).toEqual([
      line('lustre.dataRepositories', "'1 association(s)'", 'SCRATCH_1 file systems cannot have data repository associations', 'use SCRATCH_2 (or a persistent type)')]);
    expect(problems((e) => validateLustre(e, lustre({ dataRepositories, fileSystemTypeVersion: fsx.FileSystemTypeVersion.V_2_10 })))).toEqual([
      line('lustre.fileSystemTypeVersion', "'2.10'", 'Lustre 2.10 file systems cannot have data repository associations', 'use fsx.FileSystemTypeVersion.V_2_15')]);
  });

  test('accepts SCRATCH_1 and Lustre 2.10 without associations, and 2.12 with one', () => {
    const old = lustre({ deploymentType: fsx.LustreDeploymentType.SCRATCH_1, fileSystemTypeVersion: fsx.FileSystemTypeVersion.V_2_10 });
    expect(problems((e) => validateLustre(e, old))).toEqual([]);
    expect(problems((e) => validateLustre(e, lustre({ dataRepositories: [repository('data', '/data')], fileSystemTypeVersion: fsx.FileSystemTypeVersion.V_2_12 }))))
      .toEqual([]);
  });

  test('fails for a bucket prefix with leading slashes, naming the association', () => {
    expect(problems((e) => validateLustre(e, lustre({ dataRepositories: [repository('bucket-a', '/a', 'in'), repository('bucket-b', '/b', '//runs/1')] })))).toEqual([
      line('lustre.dataRepositories[1].bucketPrefix', "'//runs/1'", 'an S3 prefix has no leading / (it is appended to s3://<bucket>/)', "use 'runs/1'")]);
  });

  test('checks the associations as links (overlapping paths) by their S3 location', () => {
    expect(problems((e) => validateLustre(e, lustre({ dataRepositories: [repository('data', '/in', 'x'), repository('data', '/out', 'x')] })))).toEqual([
      line('lustre.dataRepositories[1].bucketPrefix', "'s3://data/x'", 'links the same S3 location as dataRepositories[0]; each association needs its own bucket or prefix',
        'remove the duplicate or use another prefix')]);
  });

  test('fails for a mount point that is not an absolute plain path', () => {
    expect(problems((e) => validateLustre(e, lustre({ mountPoint: 'fsx' })))).toEqual([line('lustre.mountPoint', "'fsx'",
      'must be an absolute path of letters, digits, ".", "_", "-" and "/" (user data writes it into shell commands and, for file systems and volumes, /etc/fstab)',
      "use e.g. '/fsx'")]);
  });
});

describe('dataRepositoryPath', () => {
  test('is the bucket, then the prefix when there is one', () => {
    expect(dataRepositoryPath(repository('data', '/d', 'runs/1'))).toBe('s3://data/runs/1');
    expect(dataRepositoryPath(repository('data', '/d'))).toBe('s3://data');
    expect(dataRepositoryPath(repository('data', '/d', ''))).toBe('s3://data');
  });
});

describe('validateEfs', () => {
  test('accepts the defaults, and PROVISIONED at 1 MiB/s (1024 KiB/s)', () => {
    expect(problems((e) => validateEfs(e, {}))).toEqual([]);
    const provisioned = (size: Size): string[] => problems((e) => validateEfs(e, {
      throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputPerSecond: size,
    }));
    expect(provisioned(Size.mebibytes(1))).toEqual([]);
    expect(provisioned(Size.kibibytes(1024))).toEqual([]);
    expect(provisioned(Size.mebibytes(token()))).toEqual([]);
  });

  test('fails for PROVISIONED without the throughput', () => {
    expect(problems((e) => validateEfs(e, { throughputMode: efs.ThroughputMode.PROVISIONED }))).toEqual([line('efs.provisionedThroughputPerSecond', '(not set)',
      'PROVISIONED throughput needs the MiB/s to provision', 'set e.g. Size.mebibytes(64), or use efs.ThroughputMode.ELASTIC')]);
  });

  test('fails for PROVISIONED below 1 MiB/s', () => {
    const below = { throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputPerSecond: Size.kibibytes(1023) };
    expect(problems((e) => validateEfs(e, below))).toEqual([
      line('efs.provisionedThroughputPerSecond', "'1023 KiB/s'", 'EFS provisions at least 1 MiB/s', 'use Size.mebibytes(1) or more')]);
  });

  test('fails for a throughput with another mode (explicit or the ELASTIC default)', () => {
    const message = (value: string, mode: string): string => line('efs.provisionedThroughputPerSecond', value,
      `only applies to PROVISIONED throughput, but throughputMode is ${mode}`, 'remove it, or set throughputMode: efs.ThroughputMode.PROVISIONED');
    expect(problems((e) => validateEfs(e, { provisionedThroughputPerSecond: Size.mebibytes(64) }))).toEqual([message("'64 MiB/s'", 'elastic')]);
    expect(problems((e) => validateEfs(e, { throughputMode: efs.ThroughputMode.BURSTING, provisionedThroughputPerSecond: Size.mebibytes(token()) })))
      .toEqual([message("'(token)'", 'bursting')]);
  });

  test('fails for a bad mount point', () => {
    expect(problems((e) => validateEfs(e, { mountPoint: '/e fs' }))[0]).toMatch(/^ {2}- HpcCluster: efs\.mountPoint '\/e fs': must be an absolute path .* Fix: use e\.g\. '\/efs'\.$/);
  });
});

describe('validateIo2', () => {
  test('the limits are AWS\'s for io2 Block Express', () => {
    expect(IO2_LIMITS).toEqual({
      sizeGiB: { min: 4, max: 65536, unit: 'GiB', source: 'Amazon EBS User Guide: io2 Block Express volumes' },
      iops: { min: 100, max: 256000, unit: 'IOPS', source: 'Amazon EBS User Guide: io2 Block Express volumes' },
      maxIopsPerGiB: 1000,
    });
  });

  test.each([[4, 100], [4, 4000], [256, 256000], [65536, 256000], [10, 10000]])('accepts %d GiB with %d IOPS', (sizeGiB, iops) => {
    expect(problems((e) => validateIo2(e, { sizeGiB, iops }))).toEqual([]);
  });

  test.each([3, 65537, 4.5])('fails for %d GiB', (sizeGiB) => {
    expect(problems((e) => validateIo2(e, { sizeGiB, iops: 100 }))).toEqual([line('nodeVolume.sizeGiB', `'${sizeGiB}'`,
      'must be a whole number from 4 to 65536 GiB (Amazon EBS User Guide: io2 Block Express volumes)', 'use 4 to 65536 GiB (64 TiB)')]);
  });

  test.each([99, 256001, 100.5])('fails for %d IOPS', (iops) => {
    expect(problems((e) => validateIo2(e, { sizeGiB: 65536, iops }))).toEqual([line('nodeVolume.iops', `'${iops}'`,
      'must be a whole number from 100 to 256000 IOPS (Amazon EBS User Guide: io2 Block Express volumes)', 'use 100 to 256000 IOPS')]);
  });

  test('fails above 1000 IOPS per GiB', () => {
    expect(problems((e) => validateIo2(e, { sizeGiB: 10, iops: 10001 }))).toEqual([line('nodeVolume.iops', "'10001'",
      'io2 allows at most 1000 IOPS per GiB, i.e. 10000 for 10 GiB', 'lower iops or raise sizeGiB to at least 11')]);
  });

  test('skips tokens', () => {
    expect(problems((e) => validateIo2(e, { sizeGiB: token(), iops: 256000 }))).toEqual([]);
    expect(problems((e) => validateIo2(e, { sizeGiB: 10, iops: token() }))).toEqual([]);
  });

  test('fails for a bad mount point', () => {
    expect(problems((e) => validateIo2(e, { sizeGiB: 10, iops: 100, mountPoint: 'data' }))[0]).toMatch(/^ {2}- HpcCluster: nodeVolume\.mountPoint 'data': .* Fix: use e\.g\. '\/data'\.$/);
  });
});

describe('validateHpcClusterProps', () => {
  const resolved = (instanceType = 'c5n.18xlarge', extra: Partial<HpcLustreSettings> = {}) => ({ instanceType: new ec2.InstanceType(instanceType), lustre: lustre(extra) });

  test('accepts the defaults', () => {
    expect(problems((e) => validateHpcClusterProps(e, props(), resolved()))).toEqual([]);
  });

  test('runs every rule, in order', () => {
    const found = problems((e) => validateHpcClusterProps(e, props({
      efaInterfaces: 2,
      efs: { throughputMode: efs.ThroughputMode.PROVISIONED },
      efaSupportOverride: { networkCards: 0 },
      vpcSubnets: { subnets: [] },
      spotInterruptionBehavior: ec2.SpotInstanceInterruption.STOP,
      minCapacity: -1,
      scratchMountPoint: 'scratch',
      nodeVolume: { sizeGiB: 3, iops: 100 },
    }), { ...resolved('t3.large', { freeCapacityAlarmThreshold: 0 }), selection: { subnets: [] }, subnets: selected(['a', 'b']) }));
    expect(found.map((p) => p.replace(/^ {2}- HpcCluster: (\S+) .*$/, '$1'))).toEqual([
      'efaInterfaces', 'efs.provisionedThroughputPerSecond', 'efaSupportOverride.networkCards', 'vpcSubnets', 'vpcSubnets', 'instanceType',
      'spotInterruptionBehavior', 'minCapacity', 'lustre.freeCapacityAlarmThreshold', 'scratchMountPoint', 'nodeVolume.sizeGiB',
    ]);
    expect(found[9]).toContain("Fix: use e.g. '/scratch'.");
  });
});
