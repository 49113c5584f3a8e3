import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import * as lib from '../../lib';
import { ConstructInputs } from '../support/input-matrix';

/** A VPC over 2 AZs with public and private subnets (one NAT gateway). */
export const haVpc = (scope: Construct, id = 'Vpc'): ec2.IVpc => new ec2.Vpc(scope, id, { maxAzs: 2, natGateways: 1 });

/** The ha constructs' validated props (see test/inputs/README.md). */
export const INPUTS: ConstructInputs[] = [
  {
    construct: 'HaInstance',
    build: (scope, id, props) => new lib.HaInstance(scope, id, props),
    // An Elastic IP and a data volume, so every prop is in play.
    baseProps: (scope) => ({ vpc: haVpc(scope), elasticIp: true, dataVolume: {} }),
    tokenProps: {
      'elasticIpAllocationId': { kind: 'string', valid: 'eipalloc-0123456789abcdef0' },
      'elasticIpClaimTimeout': { kind: 'duration', valid: Duration.minutes(15) },
      'lifecycleHookHeartbeat': { kind: 'duration', valid: Duration.minutes(15) },
      'instanceName': { kind: 'string', valid: 'web-server' },
      'dataVolume.iops': { kind: 'number', valid: 3000 },
      'dataVolume.throughput': { kind: 'number', valid: 125 },
      'dataVolume.snapshotRetention': { kind: 'number', valid: 7 },
      'dataVolume.scheduledSnapshotRetention': { kind: 'number', valid: 24 },
      'dataVolume.drainTimeout': { kind: 'duration', valid: Duration.minutes(2) },
      // DLM takes hours: a token in seconds cannot be converted (Duration.hours(token) works)
      'dataVolume.snapshotInterval': { kind: 'duration', valid: Duration.hours(1), rejectsTokenWith: /dataVolume\.snapshotInterval \(token\): is a token in seconds, but is used in hours/ },
      'dataVolume.restoreFromSnapshotAfter': { kind: 'duration', valid: Duration.minutes(30) },
      'dataVolume.mountPoint': { kind: 'string', valid: '/data' },
      'dataVolume.deviceName': { kind: 'string', valid: '/dev/sdf' },
    },
  },
  {
    construct: 'HaBastion',
    build: (scope, id, props) => new lib.HaBastion(scope, id, props),
    baseProps: (scope) => ({ vpc: haVpc(scope), mode: lib.BastionMode.LOAD_BALANCER }),
    tokenProps: {
      // the mode's rule (1, or 2 and more) and the rolling update's minimum in service need the number
      instanceCount: { kind: 'number', valid: 2, rejectsTokenWith: /instanceCount '\(token\)': the mode's rule .* must be checked at synth time/ },
      // one security group rule per CIDR
      sshAllowedCidrs: { kind: 'stringList', valid: ['203.0.113.0/24'], rejectsTokenWith: /sshAllowedCidrs '\(token\)': each CIDR becomes its own security group rule/ },
    },
  },
];
