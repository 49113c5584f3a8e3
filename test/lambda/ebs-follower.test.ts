import { AutoScalingClient, CompleteLifecycleActionCommand } from '@aws-sdk/client-auto-scaling';
import {
  AttachVolumeCommand, CreateSnapshotCommand, CreateTagsCommand, CreateVolumeCommand, DeleteSnapshotCommand, DeleteVolumeCommand,
  DescribeInstancesCommand, DescribeSnapshotsCommand, DescribeVolumesCommand, DetachVolumeCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ConfigurationError, type Dependencies, type FollowerConfig, LAUNCHING, type LifecycleEvent, TAGS, TERMINATING,
  configFromEnv, handleLifecycleEvent,
} from '../../lambda/ebs-follower';
import { useCapturedLogs } from '../support/captured-logs';
import { FakeEc2 } from '../support/fake-ec2';

const GROUP = 'c8group';
const CONFIG: FollowerConfig = {
  groupTagKey: 'ha-instance:group', groupTagValue: GROUP, deviceName: '/dev/sdf', volumeSizeGiB: 10, volumeType: 'gp3',
  snapshotRetention: 3, drainTimeoutMs: 60_000,
};
const groupTags = (extra: Record<string, string> = {}) => ({ 'ha-instance:group': GROUP, ...extra });

const ec2Mock = mockClient(EC2Client);
const asgMock = mockClient(AutoScalingClient);
let fake: FakeEc2;
let clock: number;
let deps: Dependencies;

function event(transition: string, instanceId: string): LifecycleEvent {
  return {
    id: 'evt', version: '0', account: '123456789012', time: '2025-01-01T00:00:00Z', region: 'us-east-1', resources: [],
    source: 'aws.autoscaling', 'detail-type': transition === LAUNCHING ? 'EC2 Instance-launch Lifecycle Action' : 'EC2 Instance-terminate Lifecycle Action',
    detail: {
      LifecycleActionToken: `token-${instanceId}`, AutoScalingGroupName: 'asg', LifecycleHookName: 'hook', EC2InstanceId: instanceId, LifecycleTransition: transition,
    },
  };
}

/** Names of the EC2 calls that change something, in call order. */
function mutatingCalls(): string[] {
  return ec2Mock.calls().map((c) => c.args[0].constructor.name).filter((n) => !n.startsWith('Describe')).map((n) => n.replace(/Command$/, ''));
}

const run = (transition: string, instanceId: string, deadlineMs = 600_000) =>
  handleLifecycleEvent(event(transition, instanceId), CONFIG, clock + deadlineMs, deps);

beforeEach(() => {
  ec2Mock.reset();
  asgMock.reset();
  fake = new FakeEc2();
  clock = 0;
  deps = {
    ec2: new EC2Client({ region: 'us-east-1' }),
    autoscaling: new AutoScalingClient({ region: 'us-east-1' }),
    sleep: async (ms) => { clock += ms; },
    now: () => clock,
    pollMs: 5_000,
  };
  ec2Mock.on(DescribeInstancesCommand).callsFake((i) => fake.describeInstances(i));
  ec2Mock.on(DescribeVolumesCommand).callsFake((i) => fake.describeVolumes(i));
  ec2Mock.on(DescribeSnapshotsCommand).callsFake((i) => fake.describeSnapshots(i));
  ec2Mock.on(CreateSnapshotCommand).callsFake((i) => fake.createSnapshot(i));
  ec2Mock.on(CreateVolumeCommand).callsFake((i) => fake.createVolume(i));
  ec2Mock.on(AttachVolumeCommand).callsFake((i) => fake.attachVolume(i));
  ec2Mock.on(DetachVolumeCommand).callsFake((i) => fake.detachVolume(i));
  ec2Mock.on(DeleteVolumeCommand).callsFake((i) => fake.deleteVolume(i));
  ec2Mock.on(DeleteSnapshotCommand).callsFake((i) => fake.deleteSnapshot(i));
  ec2Mock.on(CreateTagsCommand).callsFake((i) => fake.createTags(i));
  asgMock.on(CompleteLifecycleActionCommand).resolves({});
});

function lifecycleResults(): Array<string | undefined> {
  return asgMock.commandCalls(CompleteLifecycleActionCommand).map((c) => c.args[0].input.LifecycleActionResult);
}

describe('ebs-follower', () => {
  const logs = useCapturedLogs();

  describe('terminate in one AZ, launch in another', () => {
    test('the volume is snapshotted after the instance detached it, restored from that snapshot in the new AZ, attached, and only then the old volume deleted', async () => {
      // GIVEN instance A in us-east-1a with the group's volume holding data
      fake.addInstance('i-a', 'us-east-1a');
      const old = fake.addVolume({ az: 'us-east-1a', state: 'in-use', attachedTo: 'i-a', attachState: 'attached', data: 'orders-v42', tags: groupTags({ [TAGS.attachedTo]: 'i-a' }) });

      // WHEN A is terminated (its drain service detaches the volume) ...
      fake.terminate('i-a');
      const terminated = await run(TERMINATING, 'i-a');
      // ... and B is launched in us-east-1b
      fake.addInstance('i-b', 'us-east-1b');
      const launched = await run(LAUNCHING, 'i-b');

      // THEN the calls happened in this order
      expect(mutatingCalls()).toEqual(['CreateSnapshot', 'CreateVolume', 'CreateTags', 'AttachVolume', 'DeleteVolume']);
      // the snapshot was taken of the old volume, once it was detached
      const snapshotCall = ec2Mock.commandCalls(CreateSnapshotCommand)[0];
      expect(snapshotCall.args[0].input.VolumeId).toBe(old.id);
      const snapshotId = (await snapshotCall.returnValue).SnapshotId;
      expect(terminated).toMatchObject({ action: 'snapshotted', volumeId: old.id, snapshotId, forcedDetach: false });
      // the new volume was created from exactly that snapshot, in B's AZ, encrypted, tagged for the group
      const createCall = ec2Mock.commandCalls(CreateVolumeCommand)[0].args[0].input;
      expect(createCall).toMatchObject({ SnapshotId: snapshotId, AvailabilityZone: 'us-east-1b', Encrypted: true, VolumeType: 'gp3' });
      expect(launched).toMatchObject({ action: 'restored', snapshotId, deletedVolumeId: old.id });
      // no data lost: B's volume holds what A's held
      const attached = [...fake.volumes.values()].find((v) => v.attachedTo === 'i-b')!;
      expect(attached.data).toBe('orders-v42');
      expect(attached.az).toBe('us-east-1b');
      expect(fake.volumes.get(old.id)!.state).toBe('deleted');
      expect(ec2Mock.commandCalls(AttachVolumeCommand)[0].args[0].input).toEqual({ VolumeId: attached.id, InstanceId: 'i-b', Device: '/dev/sdf' });
      // both lifecycle actions were completed with CONTINUE (the launch only after the attach)
      expect(lifecycleResults()).toEqual(['CONTINUE', 'CONTINUE']);
    });

    test('a launch before the terminate hook ran snapshots the detached volume itself', async () => {
      // GIVEN A's volume detached (A is gone) but no snapshot taken yet
      const old = fake.addVolume({ az: 'us-east-1a', data: 'state-7', tags: groupTags({ [TAGS.attachedTo]: 'i-a' }) });
      fake.addInstance('i-b', 'us-east-1b');
      // WHEN B launches in another AZ
      const launched = await run(LAUNCHING, 'i-b');
      // THEN it snapshots, restores, attaches, then deletes the old volume
      expect(mutatingCalls()).toEqual(['CreateSnapshot', 'CreateVolume', 'CreateTags', 'AttachVolume', 'DeleteVolume']);
      expect(launched).toMatchObject({ action: 'restored', deletedVolumeId: old.id });
      expect([...fake.volumes.values()].find((v) => v.attachedTo === 'i-b')!.data).toBe('state-7');
      // and the late terminate hook finds that snapshot instead of taking another one
      await run(TERMINATING, 'i-a');
      expect(ec2Mock.commandCalls(CreateSnapshotCommand)).toHaveLength(1);
    });
  });

  describe('launch', () => {
    test('the first launch creates an empty, encrypted, tagged volume of the configured size in the instance\'s AZ', async () => {
      fake.addInstance('i-a', 'us-east-1a');
      const outcome = await run(LAUNCHING, 'i-a');
      expect(outcome).toMatchObject({ action: 'created-empty' });
      expect(ec2Mock.commandCalls(CreateVolumeCommand)[0].args[0].input).toMatchObject({
        AvailabilityZone: 'us-east-1a', Size: 10, Encrypted: true, SnapshotId: undefined,
        TagSpecifications: [{ ResourceType: 'volume', Tags: expect.arrayContaining([{ Key: 'ha-instance:group', Value: GROUP }]) }],
      });
      expect(mutatingCalls()).toEqual(['CreateVolume', 'CreateTags', 'AttachVolume']);
      expect(lifecycleResults()).toEqual(['CONTINUE']);
    });

    test('in the same AZ the existing volume is re-attached, without a restore', async () => {
      fake.addVolume({ az: 'us-east-1a', data: 'd', tags: groupTags({ [TAGS.attachedTo]: 'i-a' }) });
      fake.addInstance('i-b', 'us-east-1a');
      expect(await run(LAUNCHING, 'i-b')).toMatchObject({ action: 'reattached' });
      expect(mutatingCalls()).toEqual(['CreateTags', 'AttachVolume']);
    });

    test('with no volume left, the newest snapshot is restored, waiting for it while it is pending', async () => {
      fake.addSnapshot({ volumeId: 'vol-gone', data: 'old', tags: groupTags() });
      const newest = fake.addSnapshot({ volumeId: 'vol-gone', data: 'newest', state: 'pending', tags: groupTags() });
      fake.addInstance('i-b', 'us-east-1b');
      expect(await run(LAUNCHING, 'i-b')).toMatchObject({ action: 'restored', snapshotId: newest.id });
      expect([...fake.volumes.values()].find((v) => v.attachedTo === 'i-b')!.data).toBe('newest');
    });

    test('waits while the previous instance still holds the volume, and never attaches it twice', async () => {
      // GIVEN A still has the volume attached (its terminate hook has not released it yet)
      fake.addInstance('i-a', 'us-east-1a', 'running', false);
      const vol = fake.addVolume({ az: 'us-east-1a', state: 'in-use', attachedTo: 'i-a', attachState: 'attached', tags: groupTags() });
      fake.addInstance('i-b', 'us-east-1a');
      // A releases it after B's third look
      let looks = 0;
      ec2Mock.on(DescribeVolumesCommand).callsFake((i) => {
        if (++looks === 3) fake.draining.add(vol.id);
        return fake.describeVolumes(i);
      });
      expect(await run(LAUNCHING, 'i-b')).toMatchObject({ action: 'reattached', volumeId: vol.id });
      expect(clock).toBeGreaterThanOrEqual(10_000);
      expect(ec2Mock.commandCalls(AttachVolumeCommand)).toHaveLength(1);
    });

    test('abandons the launch when the volume is not released before the deadline, and returns instead of throwing (no retry on a dying instance)', async () => {
      fake.addInstance('i-a', 'us-east-1a', 'running', false);
      fake.addVolume({ az: 'us-east-1a', state: 'in-use', attachedTo: 'i-a', attachState: 'attached', tags: groupTags() });
      fake.addInstance('i-b', 'us-east-1b');
      await expect(run(LAUNCHING, 'i-b', 60_000)).resolves.toEqual({
        action: 'abandoned', error: expect.stringMatching(/Deadline exceeded while waiting for the previous instance to release the data volume/),
      });
      expect(mutatingCalls()).toEqual([]);
      expect(lifecycleResults()).toEqual(['ABANDON']);
      expect(logs.entries()).toContainEqual(expect.objectContaining({ level: 'ERROR', message: expect.stringMatching(/abandoning the launch/) }));
    });

    describe('duplicate deliveries of the same event', () => {
      beforeEach(() => {
        // EC2's CreateVolume returns the same volume for a repeated client token
        const byToken = new Map<string, { VolumeId: string }>();
        ec2Mock.on(CreateVolumeCommand).callsFake((i) => {
          if (i.ClientToken && byToken.has(i.ClientToken)) return byToken.get(i.ClientToken);
          const out = fake.createVolume(i);
          if (i.ClientToken) byToken.set(i.ClientToken, out);
          return out;
        });
        // Auto Scaling rejects completing an action twice
        let completed = false;
        asgMock.on(CompleteLifecycleActionCommand).callsFake(() => {
          if (completed) throw Object.assign(new Error('No active Lifecycle Action found with instance ID i-a'), { name: 'ValidationError' });
          completed = true;
          return {};
        });
      });

      test('two concurrent launch hooks for one instance attach exactly one volume and neither abandons', async () => {
        fake.addInstance('i-a', 'us-east-1a');
        const outcomes = await Promise.all([run(LAUNCHING, 'i-a'), run(LAUNCHING, 'i-a')]);
        const live = [...fake.volumes.values()].filter((v) => v.state !== 'deleted');
        expect(live).toHaveLength(1);
        expect(live[0].attachedTo).toBe('i-a');
        expect(outcomes.map((o) => o!.action)).not.toContain('abandoned');
        expect(lifecycleResults()).toEqual(['CONTINUE', 'CONTINUE']);
      });

      test('a late duplicate after the action was completed changes nothing and does not fail', async () => {
        fake.addInstance('i-a', 'us-east-1a');
        await run(LAUNCHING, 'i-a');
        const before = mutatingCalls();
        await expect(run(LAUNCHING, 'i-a')).resolves.toMatchObject({ action: 'already-attached' });
        expect(mutatingCalls()).toEqual(before);
      });
    });

    test('is idempotent: a re-run after success changes nothing', async () => {
      fake.addInstance('i-a', 'us-east-1a');
      await run(LAUNCHING, 'i-a');
      const before = mutatingCalls();
      expect(await run(LAUNCHING, 'i-a')).toMatchObject({ action: 'already-attached' });
      expect(mutatingCalls()).toEqual(before);
    });

    test('a re-run after a restore that stopped before the attach attaches the restored volume and deletes its source', async () => {
      const old = fake.addVolume({ az: 'us-east-1a', data: 'x', tags: groupTags({ [TAGS.attachedTo]: 'i-a' }) });
      const snap = fake.addSnapshot({ volumeId: old.id, data: 'x', tags: groupTags({ [TAGS.detachedFrom]: 'i-a' }) });
      fake.addVolume({ az: 'us-east-1b', data: 'x', snapshotId: snap.id, tags: groupTags({ [TAGS.sourceVolume]: old.id, [TAGS.sourceSnapshot]: snap.id }) });
      fake.addInstance('i-b', 'us-east-1b');
      expect(await run(LAUNCHING, 'i-b')).toMatchObject({ action: 'restored', snapshotId: snap.id, deletedVolumeId: old.id });
      expect(mutatingCalls()).toEqual(['CreateTags', 'AttachVolume', 'DeleteVolume']);
    });
  });

  describe('terminate', () => {
    test('forces the detach when the instance does not detach the volume within the drain timeout', async () => {
      fake.addInstance('i-a', 'us-east-1a', 'running', false);
      const vol = fake.addVolume({ az: 'us-east-1a', state: 'in-use', attachedTo: 'i-a', attachState: 'attached', tags: groupTags() });
      fake.terminate('i-a');
      const outcome = await run(TERMINATING, 'i-a');
      expect(outcome).toMatchObject({ action: 'snapshotted', forcedDetach: true });
      expect(ec2Mock.commandCalls(DetachVolumeCommand)[0].args[0].input).toEqual({ VolumeId: vol.id, InstanceId: 'i-a', Force: true });
      expect(clock).toBeGreaterThanOrEqual(CONFIG.drainTimeoutMs);
      expect(mutatingCalls()).toEqual(['DetachVolume', 'CreateSnapshot']);
      expect(logs.entries()).toContainEqual(expect.objectContaining({ level: 'WARN', message: expect.stringMatching(/forcing the detach/) }));
    });

    test('without a volume it only completes the lifecycle action', async () => {
      fake.addInstance('i-a', 'us-east-1a');
      expect(await run(TERMINATING, 'i-a')).toEqual({ action: 'no-volume' });
      expect(mutatingCalls()).toEqual([]);
      expect(lifecycleResults()).toEqual(['CONTINUE']);
    });

    test('is idempotent: a re-run does not take a second snapshot', async () => {
      fake.addInstance('i-a', 'us-east-1a');
      fake.addVolume({ az: 'us-east-1a', state: 'in-use', attachedTo: 'i-a', attachState: 'attached', tags: groupTags({ [TAGS.attachedTo]: 'i-a' }) });
      fake.terminate('i-a');
      const first = await run(TERMINATING, 'i-a');
      const second = await run(TERMINATING, 'i-a');
      expect(ec2Mock.commandCalls(CreateSnapshotCommand)).toHaveLength(1);
      expect(second).toMatchObject({ action: 'snapshotted', snapshotId: (first as { snapshotId: string }).snapshotId });
    });

    test('keeps the newest snapshotRetention of its own snapshots and deletes older ones; scheduled snapshots are left to DLM', async () => {
      const vol = fake.addVolume({ az: 'us-east-1a', tags: groupTags({ [TAGS.attachedTo]: 'i-a' }) });
      const snaps = [1, 2, 3, 4].map((n) => fake.addSnapshot({ volumeId: vol.id, tags: groupTags({ [TAGS.detachedFrom]: `i-old${n}` }) }));
      const scheduled = fake.addSnapshot({ volumeId: vol.id, tags: groupTags({ 'aws:dlm:lifecycle-policy-id': 'policy-1' }) });
      fake.addInstance('i-a', 'us-east-1a');
      const outcome = await run(TERMINATING, 'i-a');
      // retention 3: the new (pending) snapshot + the 2 newest completed ones
      expect(outcome).toMatchObject({ prunedSnapshotIds: [snaps[1].id, snaps[0].id] });
      expect([...fake.snapshots.keys()]).toEqual(expect.arrayContaining([snaps[2].id, snaps[3].id, scheduled.id]));
    });
  });

  describe('restore after an AZ impairment (opt-in restoreAfterMs)', () => {
    const impaired = { ...CONFIG, restoreAfterMs: 10 * 60_000 };
    const runImpaired = (instanceId: string, deadlineMs: number) =>
      handleLifecycleEvent(event(LAUNCHING, instanceId), impaired, clock + deadlineMs, deps);

    test('a volume never released by the old instance: launches wait restoreAfterMs in total (across attempts), then restore the newest completed snapshot and keep the stuck volume', async () => {
      // GIVEN the volume is attached to i-a in an impaired AZ (the forced detach never completes) and an hourly snapshot exists
      fake.addInstance('i-a', 'us-east-1a', 'running', false);
      const stuck = fake.addVolume({ az: 'us-east-1a', state: 'in-use', attachedTo: 'i-a', attachState: 'attached', data: 'live', tags: groupTags({ [TAGS.attachedTo]: 'i-a' }) });
      const hourly = fake.addSnapshot({ volumeId: stuck.id, data: 'as of the last hour', tags: groupTags({ 'aws:dlm:lifecycle-policy-id': 'policy-1' }) });
      // WHEN a first launch attempt runs out of time before restoreAfterMs ...
      fake.addInstance('i-b', 'us-east-1b');
      await expect(runImpaired('i-b', 6 * 60_000)).resolves.toMatchObject({ action: 'abandoned' });
      expect([...fake.volumes.values()].filter((v) => v.attachedTo === 'i-b')).toEqual([]);
      // ... and the next attempt (a new instance) reaches it
      fake.addInstance('i-c', 'us-east-1b');
      const outcome = await runImpaired('i-c', 14 * 60_000);
      // THEN the newest completed snapshot is restored in the new AZ and attached
      expect(outcome).toMatchObject({ action: 'restored-after-impairment', snapshotId: hourly.id, supersededVolumeId: stuck.id });
      const attached = [...fake.volumes.values()].find((v) => v.attachedTo === 'i-c')!;
      expect(attached).toMatchObject({ az: 'us-east-1b', data: 'as of the last hour' });
      expect(clock).toBeGreaterThanOrEqual(10 * 60_000);
      expect(clock).toBeLessThan(12 * 60_000);
      // the stuck volume is kept (it may hold newer data) and ignored by later hooks
      expect(fake.volumes.get(stuck.id)!.state).toBe('in-use');
      expect(await run(TERMINATING, 'i-a')).toEqual({ action: 'no-volume' });
      fake.terminate('i-c');
      expect(await run(TERMINATING, 'i-c')).toMatchObject({ action: 'snapshotted', volumeId: attached.id });
    });

    test('a detached volume whose snapshot never completes: restored from the newest completed snapshot after restoreAfterMs', async () => {
      const stuck = fake.addVolume({ az: 'us-east-1a', data: 'live', tags: groupTags({ [TAGS.attachedTo]: 'i-a' }) });
      const older = fake.addSnapshot({ volumeId: stuck.id, data: 'older', tags: groupTags({ [TAGS.detachedFrom]: 'i-old' }) });
      // snapshots of the stuck volume taken now stay pending
      ec2Mock.on(DescribeSnapshotsCommand).callsFake((i) => {
        const out = fake.describeSnapshots(i);
        for (const s of fake.snapshots.values()) if (s.id !== older.id) s.state = 'pending';
        return { Snapshots: out.Snapshots.map((s) => ({ ...s, State: fake.snapshots.get(s.SnapshotId!)!.state })) };
      });
      fake.addInstance('i-b', 'us-east-1b');
      expect(await runImpaired('i-b', 14 * 60_000)).toMatchObject({ action: 'restored-after-impairment', snapshotId: older.id, supersededVolumeId: stuck.id });
      expect([...fake.volumes.values()].find((v) => v.attachedTo === 'i-b')!.data).toBe('older');
    });

    test('a normal wait for the old instance to drain does not trigger it, even for a volume waited on before', async () => {
      // GIVEN the volume was waited on for i-0 long ago (a stale mark from an earlier replacement)
      fake.addInstance('i-a', 'us-east-1a', 'running', false);
      const vol = fake.addVolume({ az: 'us-east-1a', state: 'in-use', attachedTo: 'i-a', attachState: 'attached', tags: groupTags({ [TAGS.waitingSince]: 'i-0@2020-01-01T00:00:00.000Z' }) });
      fake.addSnapshot({ volumeId: vol.id, tags: groupTags() });
      fake.addInstance('i-b', 'us-east-1a');
      let looks = 0;
      ec2Mock.on(DescribeVolumesCommand).callsFake((i) => {
        if (++looks === 3) fake.draining.add(vol.id);
        return fake.describeVolumes(i);
      });
      expect(await runImpaired('i-b', 14 * 60_000)).toMatchObject({ action: 'reattached', volumeId: vol.id });
    });

    test('without the opt-in, the launch keeps waiting for the stuck volume', async () => {
      fake.addInstance('i-a', 'us-east-1a', 'running', false);
      const stuck = fake.addVolume({ az: 'us-east-1a', state: 'in-use', attachedTo: 'i-a', attachState: 'attached', tags: groupTags() });
      fake.addSnapshot({ volumeId: stuck.id, tags: groupTags() });
      fake.addInstance('i-b', 'us-east-1b');
      expect(await run(LAUNCHING, 'i-b', 60 * 60_000)).toMatchObject({ action: 'abandoned' });
      expect(ec2Mock.commandCalls(CreateVolumeCommand)).toHaveLength(0);
    });
  });

  test('ignores events that are not launch or terminate lifecycle actions', async () => {
    expect(await run('autoscaling:TEST_NOTIFICATION', 'i-a')).toBeUndefined();
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(asgMock.calls()).toHaveLength(0);
  });

  describe('configuration', () => {
    test('is read from the environment the construct sets', () => {
      expect(configFromEnv({
        GROUP_TAG_KEY: 'k', GROUP_TAG_VALUE: 'v', DEVICE_NAME: '/dev/sdf', VOLUME_SIZE_GIB: '20', VOLUME_TYPE: 'io2', VOLUME_IOPS: '4000',
        KMS_KEY_ID: 'arn:aws:kms:us-east-1:1:key/x', SNAPSHOT_RETENTION: '5', DRAIN_TIMEOUT_SECONDS: '30', RESTORE_AFTER_SECONDS: '1800',
      })).toEqual({
        groupTagKey: 'k', groupTagValue: 'v', deviceName: '/dev/sdf', volumeSizeGiB: 20, volumeType: 'io2', iops: 4000, throughput: undefined,
        kmsKeyId: 'arn:aws:kms:us-east-1:1:key/x', snapshotRetention: 5, drainTimeoutMs: 30_000, restoreAfterMs: 1_800_000,
      });
    });

    test('fails with a ConfigurationError naming the variable', () => {
      expect(() => configFromEnv({ GROUP_TAG_KEY: 'k' })).toThrow(ConfigurationError);
      expect(() => configFromEnv({ GROUP_TAG_KEY: 'k', GROUP_TAG_VALUE: 'v', DEVICE_NAME: 'd', VOLUME_SIZE_GIB: 'ten' }))
        .toThrow(/VOLUME_SIZE_GIB must be a number/);
    });
  });
});
