import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  AssociateAddressCommand, DescribeAddressesCommand, DescribeInstancesCommand, DisassociateAddressCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import {
  EIP_HOLDER_GONE_STATES, EIP_HOLDER_LIVE_STATES, eipClaimCommands, imdsFunctions,
} from '../../lib/private/ha-user-data';
import { HOLDER_GONE_STATES, HOLDER_LIVE_STATES, claimElasticIp, decide } from '../../lambda/shared/eip-claim';

// A plain CommonJS model shared with the stub `aws` CLI (see the file).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fakeEip = require('../support/fake-eip.js') as {
  apply(state: EipState, call: Record<string, unknown>): { out?: string; error?: string; address?: Record<string, string>; state?: string };
  describeCall(call: Record<string, unknown>): string;
};

const ALLOC = 'eipalloc-0abc';
const SELF = 'i-self';

interface EipState {
  address: { allocationId: string; associationId?: string; instanceId?: string; networkInterfaceId?: string };
  instances: Record<string, string>;
  describeInstancesError?: string;
  raceWinner?: string;
  holderDiesAfter?: number;
}

interface Scenario {
  readonly state: () => EipState;
  /** The EC2 calls both implementations must make, in order. */
  readonly calls: string[];
  /** Whether the claim ends with the address on this instance. */
  readonly claimed: boolean;
  /** Allow this many looks before giving up (the script's timeout is derived from it). */
  readonly attempts?: number;
}

const held = (holder: string, state: string, extra: Partial<EipState> = {}): EipState => ({
  address: { allocationId: ALLOC, associationId: 'eipassoc-old', instanceId: holder }, instances: { [holder]: state, [SELF]: 'pending' }, ...extra,
});
const free = (): EipState => ({ address: { allocationId: ALLOC }, instances: { [SELF]: 'pending' } });
const DESCRIBE = `DescribeAddresses ${ALLOC}`;
const ASSOCIATE = `AssociateAddress ${ALLOC} ${SELF} reassociation=false`;

const SCENARIOS: Record<string, Scenario> = {
  'a free address is associated, never with reassociation allowed': {
    state: free, calls: [DESCRIBE, ASSOCIATE, DESCRIBE], claimed: true,
  },
  'an address already on this instance is left alone (a re-run changes nothing)': {
    state: () => held(SELF, 'running'), calls: [DESCRIBE], claimed: true,
  },
  'an address held by a running instance is never taken': {
    state: () => held('i-live', 'running'), calls: [DESCRIBE, 'DescribeInstances i-live'], claimed: false,
  },
  'an address held by a pending instance is never taken': {
    state: () => held('i-new', 'pending'), calls: [DESCRIBE, 'DescribeInstances i-new'], claimed: false,
  },
  'an address held by a terminated instance is released by its exact association ID, then associated': {
    state: () => held('i-dead', 'terminated'),
    calls: [DESCRIBE, 'DescribeInstances i-dead', 'DisassociateAddress eipassoc-old', DESCRIBE, ASSOCIATE, DESCRIBE], claimed: true,
  },
  'an address held by a stopped instance is released, then associated': {
    state: () => held('i-stopped', 'stopped'),
    calls: [DESCRIBE, 'DescribeInstances i-stopped', 'DisassociateAddress eipassoc-old', DESCRIBE, ASSOCIATE, DESCRIBE], claimed: true,
  },
  'an address held by an instance that no longer exists is released, then associated': {
    state: () => ({ ...held('i-vanished', 'running'), instances: { [SELF]: 'pending' } }),
    calls: [DESCRIBE, 'DescribeInstances i-vanished', 'DisassociateAddress eipassoc-old', DESCRIBE, ASSOCIATE, DESCRIBE], claimed: true,
  },
  'a holder whose state cannot be read (throttling) is not taken for gone': {
    state: () => held('i-live', 'running', { describeInstancesError: 'RequestLimitExceeded' }),
    calls: [DESCRIBE, 'DescribeInstances i-live'], claimed: false,
  },
  'an address held by a network interface (not an instance) is never taken': {
    state: () => ({ address: { allocationId: ALLOC, associationId: 'eipassoc-eni', networkInterfaceId: 'eni-1' }, instances: {} }),
    calls: [DESCRIBE], claimed: false,
  },
  'of two instances racing for a free address, the one that lost waits instead of stealing': {
    state: () => ({ ...free(), raceWinner: 'i-other' }),
    calls: [DESCRIBE, ASSOCIATE, DESCRIBE, 'DescribeInstances i-other'], claimed: false, attempts: 2,
  },
  'waits while the holder runs and claims the address once the holder has terminated': {
    state: () => held('i-old', 'running', { holderDiesAfter: 2 }),
    calls: [DESCRIBE, 'DescribeInstances i-old', DESCRIBE, 'DescribeInstances i-old', DESCRIBE, 'DescribeInstances i-old',
      'DisassociateAddress eipassoc-old', DESCRIBE, ASSOCIATE, DESCRIBE],
    claimed: true, attempts: 5,
  },
};

describe('EIP claim', () => {
  describe('the rule', () => {
    test.each([
      [{ instanceId: SELF, associationId: 'a' }, undefined, 'done'],
      [{}, undefined, 'associate'],
      [{ associationId: 'a' }, undefined, 'wait'],
      [{ associationId: 'a', instanceId: 'i-x' }, 'running', 'wait'],
      [{ associationId: 'a', instanceId: 'i-x' }, 'pending', 'wait'],
      [{ associationId: 'a', instanceId: 'i-x' }, 'unknown', 'wait'],
      [{ associationId: 'a', instanceId: 'i-x' }, 'shutting-down', 'release'],
      [{ associationId: 'a', instanceId: 'i-x' }, 'gone', 'release'],
    ])('%j with holder %s -> %s', (address, state, expected) => {
      expect(decide(address, SELF, state)).toBe(expected);
    });

    test('the TypeScript claim and the user-data script use the same holder states', () => {
      expect([...HOLDER_LIVE_STATES]).toEqual([...EIP_HOLDER_LIVE_STATES]);
      expect([...HOLDER_GONE_STATES]).toEqual([...EIP_HOLDER_GONE_STATES]);
    });
  });

  describe('TypeScript claim (EC2 emulated with aws-sdk-client-mock)', () => {
    const ec2Mock = mockClient(EC2Client);
    let state: EipState;
    let calls: string[];

    function route(call: Record<string, unknown>) {
      calls.push(fakeEip.describeCall(call));
      const result = fakeEip.apply(state, call);
      if (result.error) throw Object.assign(new Error(result.error), { name: result.error });
      return result;
    }

    beforeEach(() => {
      ec2Mock.reset();
      calls = [];
      ec2Mock.on(DescribeAddressesCommand).callsFake((i) => {
        const { address } = route({ op: 'DescribeAddresses', allocationId: i.AllocationIds[0] });
        return {
          Addresses: [{
            AllocationId: address!.allocationId, AssociationId: address!.associationId,
            InstanceId: address!.instanceId, NetworkInterfaceId: address!.networkInterfaceId,
          }],
        };
      });
      ec2Mock.on(DescribeInstancesCommand).callsFake((i) => {
        const r = route({ op: 'DescribeInstances', instanceId: i.InstanceIds[0] });
        return { Reservations: [{ Instances: [{ InstanceId: i.InstanceIds[0], State: { Name: r.state } }] }] };
      });
      ec2Mock.on(AssociateAddressCommand).callsFake((i) => {
        route({ op: 'AssociateAddress', allocationId: i.AllocationId, instanceId: i.InstanceId, allowReassociation: i.AllowReassociation });
        return { AssociationId: state.address.associationId };
      });
      ec2Mock.on(DisassociateAddressCommand).callsFake((i) => route({ op: 'DisassociateAddress', associationId: i.AssociationId }));
    });

    test.each(Object.keys(SCENARIOS))('%s', async (name) => {
      const scenario = SCENARIOS[name];
      state = scenario.state();
      const outcome = await claimElasticIp(new EC2Client({ region: 'us-east-1' }), {
        allocationId: ALLOC, instanceId: SELF, maxAttempts: scenario.attempts ?? 1, sleep: async () => undefined,
      });
      expect(calls).toEqual(scenario.calls);
      expect(outcome.result !== 'gave-up').toBe(scenario.claimed);
      expect(state.address.instanceId === SELF).toBe(scenario.claimed);
    });
  });

  describe('user-data script (run with bash, stub aws CLI and IMDS)', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eip-claim-'));
      const bin = path.join(dir, 'bin');
      fs.mkdirSync(bin);
      fs.writeFileSync(path.join(bin, 'aws'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(__dirname, '..', 'support', 'fake-eip.js')}" "$@"\n`, { mode: 0o755 });
      // IMDSv2 only: metadata requests without the session token fail like on an instance with HttpTokens=required
      fs.writeFileSync(path.join(bin, 'curl'), [
        '#!/bin/bash',
        'echo "curl $*" >> "$FAKE_IMDS_CALLS"',
        'case "$*" in',
        "  *'-X PUT http://169.254.169.254/latest/api/token -H X-aws-ec2-metadata-token-ttl-seconds: 300'*) echo TOKEN-1; exit 0 ;;",
        'esac',
        'case "$*" in *"X-aws-ec2-metadata-token: TOKEN-1"*) ;; *) exit 22 ;; esac',
        'case "$*" in',
        `  *meta-data/instance-id) echo ${SELF} ;;`,
        '  *meta-data/placement/region) echo us-east-1 ;;',
        '  *) exit 22 ;;',
        'esac',
      ].join('\n'), { mode: 0o755 });
      fs.writeFileSync(path.join(bin, 'logger'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    function runScript(initial: EipState, timeoutSeconds: number, maxLooks = 0) {
      const stateFile = path.join(dir, 'state.json');
      const callsFile = path.join(dir, 'calls.log');
      const imdsFile = path.join(dir, 'imds.log');
      fs.writeFileSync(stateFile, JSON.stringify(initial));
      fs.writeFileSync(callsFile, '');
      fs.writeFileSync(imdsFile, '');
      const script = [...imdsFunctions(), ...eipClaimCommands({ allocationId: ALLOC, timeoutSeconds })].join('\n');
      let status = 0;
      let output: string;
      try {
        output = execFileSync('bash', ['-c', script], {
          encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
          env: { PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, HA_POLL_SECONDS: '0', HA_MAX_LOOKS: String(maxLooks), FAKE_EIP_STATE: stateFile, FAKE_EIP_CALLS: callsFile, FAKE_IMDS_CALLS: imdsFile },
        });
      } catch (e) {
        status = (e as { status: number }).status;
        output = String((e as { stdout: string }).stdout);
      }
      return {
        status, output,
        calls: fs.readFileSync(callsFile, 'utf8').split('\n').filter(Boolean),
        imds: fs.readFileSync(imdsFile, 'utf8').split('\n').filter(Boolean),
        state: JSON.parse(fs.readFileSync(stateFile, 'utf8')) as EipState,
      };
    }

    test.each(Object.keys(SCENARIOS))('%s', (name) => {
      const scenario = SCENARIOS[name];
      // the same number of looks as the TypeScript claim; the timeout (by the clock) is not reached
      const result = runScript(scenario.state(), 60, scenario.attempts ?? 1);
      expect(result.calls).toEqual(scenario.calls);
      expect(result.status === 0).toBe(scenario.claimed);
      expect(result.state.address.instanceId === SELF).toBe(scenario.claimed);
    });

    test('reads the instance identity from IMDSv2: a session token first, then the metadata with the token', () => {
      const { imds } = runScript(free(), 0);
      expect(imds[0]).toMatch(/-X PUT http:\/\/169\.254\.169\.254\/latest\/api\/token -H X-aws-ec2-metadata-token-ttl-seconds: 300/);
      expect(imds.filter((c) => c.includes('/latest/meta-data/'))).toEqual([
        expect.stringMatching(/X-aws-ec2-metadata-token: TOKEN-1 http:\/\/169\.254\.169\.254\/latest\/meta-data\/instance-id$/),
        expect.stringMatching(/X-aws-ec2-metadata-token: TOKEN-1 http:\/\/169\.254\.169\.254\/latest\/meta-data\/placement\/region$/),
      ]);
    });

    test('gives up with a message naming the live holder, leaving the address where it is', () => {
      const result = runScript(held('i-live', 'running'), 0);
      expect(result.status).toBe(1);
      expect(result.output).toMatch(/held by i-live \(running\); waiting, never taking it from a live instance/);
      expect(result.output).toMatch(/gave up after 0s; eipalloc-0abc still held by i-live/);
      expect(result.state.address).toMatchObject({ associationId: 'eipassoc-old', instanceId: 'i-live' });
    });
  });
});
