import {
  AutoScalingClient, CompleteLifecycleActionCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  AttachVolumeCommand, CreateSnapshotCommand, CreateTagsCommand, CreateVolumeCommand, DeleteSnapshotCommand,
  DeleteVolumeCommand, DescribeInstancesCommand, DescribeSnapshotsCommand, DescribeVolumesCommand, DetachVolumeCommand,
  EC2Client, type Snapshot, type Tag, type Volume, type VolumeType,
} from '@aws-sdk/client-ec2';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, EventBridgeEvent } from 'aws-lambda';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ebs-follower' });
const ec2 = new EC2Client({});
const autoscaling = new AutoScalingClient({});

/** Tag keys this handler reads and writes; the group tag is also what its IAM policy is conditioned on. */
export const TAGS = {
  /** The instance last attached to a volume: lets the terminate hook find a volume the instance already detached. */
  attachedTo: 'ha-instance:attached-to',
  /** On a snapshot: the instance the volume was detached from before the snapshot was taken. */
  detachedFrom: 'ha-instance:detached-from',
  /** On a volume created from a snapshot: the volume that snapshot was taken of (deleted once this one is attached). */
  sourceVolume: 'ha-instance:source-volume',
  sourceSnapshot: 'ha-instance:source-snapshot',
  /**
   * On a volume restored because the group's volume was stuck in an impaired AZ: that volume. The
   * stuck volume is then ignored (and kept: it may hold newer data than the snapshot).
   */
  supersedes: 'ha-instance:supersedes',
  /** On a volume launch hooks wait for: `<instance waited on>@<when the first one started waiting, ISO 8601>`. */
  waitingSince: 'ha-instance:waiting-since',
} as const;

export const LAUNCHING = 'autoscaling:EC2_INSTANCE_LAUNCHING';
export const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';

/** Configuration, from the environment the construct sets. */
export interface FollowerConfig {
  /** Key and value of the tag that marks this group's volumes, snapshots, instances and Auto Scaling group. */
  readonly groupTagKey: string;
  readonly groupTagValue: string;
  /** Device name the volume is attached as (user data mounts it from there). */
  readonly deviceName: string;
  /** Size of the first, empty volume. */
  readonly volumeSizeGiB: number;
  readonly volumeType: VolumeType;
  readonly iops?: number;
  readonly throughput?: number;
  /** KMS key for new volumes; the account's default EBS key when undefined. */
  readonly kmsKeyId?: string;
  /** Completed snapshots kept per group; older ones are deleted. */
  readonly snapshotRetention: number;
  /** How long the terminate hook waits for the instance to unmount and detach the volume itself before forcing the detach. */
  readonly drainTimeoutMs: number;
  /**
   * Opt-in: after launch hooks have waited this long (across attempts) for the group's volume to be
   * released or snapshotted, restore the newest completed snapshot instead. Undefined: wait forever.
   */
  readonly restoreAfterMs?: number;
}

/** The SDK clients and clock, injectable so tests can drive the logic without waiting. */
export interface Dependencies {
  readonly ec2: EC2Client;
  readonly autoscaling: AutoScalingClient;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /** Poll interval while waiting for EC2 state changes. */
  readonly pollMs: number;
}

/** The hook could not finish before its deadline; the launch is abandoned (the instance is replaced). */
export class DeadlineExceededError extends Error {
  constructor(readonly waitingFor: string) {
    super(`Deadline exceeded while waiting for ${waitingFor}`);
    this.name = 'DeadlineExceededError';
  }
}

/** The environment does not describe a valid configuration (a deployment error, not a runtime one). */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

export type LaunchOutcome =
  | { readonly action: 'already-attached'; readonly volumeId: string }
  | { readonly action: 'restored-after-impairment'; readonly volumeId: string; readonly snapshotId: string; readonly supersededVolumeId: string }
  | { readonly action: 'reattached'; readonly volumeId: string }
  | { readonly action: 'restored'; readonly volumeId: string; readonly snapshotId: string; readonly deletedVolumeId?: string }
  | { readonly action: 'created-empty'; readonly volumeId: string };

/** The launch hook failed and the launch was abandoned (the instance is replaced); the error is logged. */
export type AbandonedOutcome = { readonly action: 'abandoned'; readonly error: string };

export type TerminateOutcome =
  | { readonly action: 'no-volume' }
  | { readonly action: 'snapshotted'; readonly volumeId: string; readonly snapshotId: string; readonly forcedDetach: boolean; readonly prunedSnapshotIds: string[] };

/** Reads the configuration the construct puts in the function's environment. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): FollowerConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new ConfigurationError(`environment variable ${name} is not set`);
    return value;
  };
  const positive = (name: string, fallback?: number): number => {
    const raw = env[name];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (value === undefined || !Number.isFinite(value) || value < 0) throw new ConfigurationError(`environment variable ${name} must be a number >= 0, got '${raw}'`);
    return value;
  };
  return {
    groupTagKey: required('GROUP_TAG_KEY'),
    groupTagValue: required('GROUP_TAG_VALUE'),
    deviceName: required('DEVICE_NAME'),
    volumeSizeGiB: positive('VOLUME_SIZE_GIB'),
    volumeType: (env.VOLUME_TYPE || 'gp3') as VolumeType,
    iops: env.VOLUME_IOPS ? positive('VOLUME_IOPS') : undefined,
    throughput: env.VOLUME_THROUGHPUT ? positive('VOLUME_THROUGHPUT') : undefined,
    kmsKeyId: env.KMS_KEY_ID || undefined,
    snapshotRetention: positive('SNAPSHOT_RETENTION', 7),
    drainTimeoutMs: positive('DRAIN_TIMEOUT_SECONDS', 120) * 1000,
    restoreAfterMs: env.RESTORE_AFTER_SECONDS ? positive('RESTORE_AFTER_SECONDS') * 1000 : undefined,
  };
}

const tag = (tags: Tag[] | undefined, key: string): string | undefined => tags?.find((t) => t.Key === key)?.Value;
const byNewest = <T>(time: (x: T) => Date | undefined) => (a: T, b: T) => (time(b)?.getTime() ?? 0) - (time(a)?.getTime() ?? 0);
const attachedInstance = (v: Volume): string | undefined => v.Attachments?.find((a) => a.State !== 'detached')?.InstanceId;

/** The group's volumes, without those superseded by a restore after an AZ impairment. */
async function groupVolumes(cfg: FollowerConfig, deps: Dependencies): Promise<Volume[]> {
  const out = await deps.ec2.send(new DescribeVolumesCommand({
    Filters: [{ Name: `tag:${cfg.groupTagKey}`, Values: [cfg.groupTagValue] }, { Name: 'status', Values: ['creating', 'available', 'in-use'] }],
  }));
  const all = out.Volumes ?? [];
  const superseded = new Set(all.map((v) => tag(v.Tags, TAGS.supersedes)).filter((id) => id !== undefined));
  return all.filter((v) => !superseded.has(v.VolumeId!));
}

const errorName = (e: unknown): string | undefined => (e as { name?: string }).name;

async function describeVolume(volumeId: string, deps: Dependencies): Promise<Volume | undefined> {
  const out = await deps.ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }));
  return out.Volumes?.[0];
}

async function waitUntil<T>(what: string, deadline: number, deps: Dependencies, probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (deps.now() >= deadline) throw new DeadlineExceededError(what);
    await deps.sleep(deps.pollMs);
  }
}

function waitForVolumeState(volumeId: string, state: 'available' | 'in-use', deadline: number, deps: Dependencies): Promise<Volume> {
  return waitUntil(`volume ${volumeId} to be ${state}`, deadline, deps, async () => {
    const v = await describeVolume(volumeId, deps);
    if (state === 'in-use') {
      return v?.State === 'in-use' && v.Attachments?.some((a) => a.State === 'attached') ? v : undefined;
    }
    return v?.State === 'available' ? v : undefined;
  });
}

function waitForSnapshot(snapshotId: string, deadline: number, deps: Dependencies): Promise<Snapshot> {
  return waitUntil(`snapshot ${snapshotId} to complete`, deadline, deps, async () => {
    const s = (await deps.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))).Snapshots?.[0];
    if (s?.State === 'error') throw new Error(`snapshot ${snapshotId} failed: ${s.StateMessage ?? 'no message'}`);
    return s?.State === 'completed' ? s : undefined;
  });
}

/**
 * The snapshot of `volume` taken after it was detached from `instanceId`; created if there is none yet.
 * Both hooks call this (whichever runs first creates it), so the launch hook does not depend on the
 * terminate hook having finished, and a re-run never takes a second snapshot.
 */
async function snapshotOfDetachedVolume(volume: Volume, instanceId: string, cfg: FollowerConfig, deps: Dependencies): Promise<string> {
  const existing = await deps.ec2.send(new DescribeSnapshotsCommand({
    OwnerIds: ['self'],
    Filters: [{ Name: 'volume-id', Values: [volume.VolumeId!] }, { Name: `tag:${TAGS.detachedFrom}`, Values: [instanceId] }],
  }));
  const found = (existing.Snapshots ?? []).filter((s) => s.State !== 'error').sort(byNewest((s) => s.StartTime))[0];
  if (found) return found.SnapshotId!;
  const created = await deps.ec2.send(new CreateSnapshotCommand({
    VolumeId: volume.VolumeId,
    Description: `HaInstance data volume detached from ${instanceId}`,
    TagSpecifications: [{
      ResourceType: 'snapshot',
      Tags: [{ Key: cfg.groupTagKey, Value: cfg.groupTagValue }, { Key: TAGS.detachedFrom, Value: instanceId }],
    }],
  }));
  logger.info('Snapshot started', { volumeId: volume.VolumeId, snapshotId: created.SnapshotId, instanceId });
  return created.SnapshotId!;
}

async function attach(volumeId: string, instanceId: string, cfg: FollowerConfig, deadline: number, deps: Dependencies): Promise<void> {
  // Tagged first: if the instance dies right after, the terminate hook still finds the volume.
  await deps.ec2.send(new CreateTagsCommand({ Resources: [volumeId], Tags: [{ Key: TAGS.attachedTo, Value: instanceId }] }));
  try {
    await deps.ec2.send(new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Device: cfg.deviceName }));
  } catch (e) {
    // A duplicate delivery of the same event attached it already: that is success, not a failure.
    const v = await describeVolume(volumeId, deps);
    if (!v || attachedInstance(v) !== instanceId) throw e;
    logger.info('Volume already attached to this instance (duplicate event)', { volumeId, instanceId });
  }
  await waitForVolumeState(volumeId, 'in-use', deadline, deps);
}

async function deleteVolume(volumeId: string, deps: Dependencies): Promise<void> {
  try {
    await deps.ec2.send(new DeleteVolumeCommand({ VolumeId: volumeId }));
  } catch (e) {
    // Deleted by a duplicate delivery of the same event.
    if (errorName(e) !== 'InvalidVolume.NotFound') throw e;
  }
}

/**
 * With `restoreAfterMs`, the time after which launch hooks stop waiting for `volume` to be released
 * (or snapshotted) after `holder`: counted from the first wait by any launch attempt, recorded on the
 * volume as `<holder>@<time>`, so retries do not restart the clock and a later holder starts a new one.
 */
async function giveUpTime(volume: Volume, holder: string, cfg: FollowerConfig, deps: Dependencies): Promise<number | undefined> {
  if (cfg.restoreAfterMs === undefined) return undefined;
  const [recordedHolder, recordedTime] = (tag(volume.Tags, TAGS.waitingSince) ?? '').split('@');
  let since = recordedHolder === holder ? Date.parse(recordedTime ?? '') : NaN;
  if (Number.isNaN(since)) {
    since = deps.now();
    await deps.ec2.send(new CreateTagsCommand({ Resources: [volume.VolumeId!], Tags: [{ Key: TAGS.waitingSince, Value: `${holder}@${new Date(since).toISOString()}` }] }));
  }
  return since + cfg.restoreAfterMs;
}

/**
 * The group's volume is stuck in an impaired AZ (still attached to the old instance, or its snapshot
 * never completes): restore the newest completed snapshot here. The stuck volume is kept, marked
 * superseded by the new one (`supersedes` tag), and ignored from then on.
 */
async function restoreAfterImpairment(
  stuck: Volume, instanceId: string, az: string, cfg: FollowerConfig, deadline: number, deps: Dependencies,
): Promise<LaunchOutcome> {
  const out = await deps.ec2.send(new DescribeSnapshotsCommand({
    OwnerIds: ['self'], Filters: [{ Name: `tag:${cfg.groupTagKey}`, Values: [cfg.groupTagValue] }, { Name: 'status', Values: ['completed'] }],
  }));
  const newest = (out.Snapshots ?? []).filter((s) => s.State === 'completed').sort(byNewest((s) => s.StartTime))[0];
  if (!newest) throw new Error(`volume ${stuck.VolumeId} is stuck and the group has no completed snapshot to restore`);
  logger.warn('Data volume stuck in an impaired AZ; restoring the newest completed snapshot', {
    stuckVolumeId: stuck.VolumeId, snapshotId: newest.SnapshotId, snapshotTime: newest.StartTime, instanceId,
  });
  const restored = await createVolume(az, cfg, deps, { snapshotId: newest.SnapshotId, supersedes: stuck.VolumeId, instanceId });
  await waitForVolumeState(restored, 'available', deadline, deps);
  await attach(restored, instanceId, cfg, deadline, deps);
  return { action: 'restored-after-impairment', volumeId: restored, snapshotId: newest.SnapshotId!, supersededVolumeId: stuck.VolumeId! };
}

const isGiveUp = (e: unknown, giveUpAt: number | undefined, deps: Dependencies): boolean =>
  e instanceof DeadlineExceededError && giveUpAt !== undefined && deps.now() >= giveUpAt;

/**
 * Launch hook: gives the new instance the group's data, before it is put in service.
 *
 * - A volume already attached to this instance: nothing to do (re-run).
 * - A volume still attached to another instance: wait until it is released (the old instance is
 *   still terminating) - two instances never share, and data is never read before the last writer is done.
 * - The volume in this instance's AZ: attach it.
 * - The volume in another AZ: snapshot it (or use the snapshot the terminate hook took), wait for the
 *   snapshot, create a volume from it here, attach it, then delete the old volume.
 * - No volume: restore the newest completed snapshot of the group; with none at all, create an empty volume.
 */
export async function onLaunch(instanceId: string, cfg: FollowerConfig, deadline: number, deps: Dependencies): Promise<LaunchOutcome> {
  const instance = (await deps.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]?.Instances?.[0];
  const az = instance?.Placement?.AvailabilityZone;
  if (!az) throw new Error(`instance ${instanceId} not found`);

  let giveUpAt: number | undefined;
  let held: Volume | undefined;
  let volumes: { mine: Volume | undefined; all: Volume[] };
  try {
    volumes = await waitUntil('the previous instance to release the data volume', deadline, deps, async () => {
      const all = await groupVolumes(cfg, deps);
      const mine = all.find((v) => attachedInstance(v) === instanceId);
      if (mine) return { mine, all };
      const heldElsewhere = all.filter((v) => attachedInstance(v) !== undefined).sort(byNewest((v) => v.CreateTime));
      if (heldElsewhere.length > 0) {
        logger.info('Data volume still attached to another instance; waiting', { volumes: heldElsewhere.map((v) => [v.VolumeId, attachedInstance(v)]) });
        if (!held) {
          held = heldElsewhere[0];
          giveUpAt = await giveUpTime(held, attachedInstance(held)!, cfg, deps);
        }
        if (giveUpAt !== undefined && deps.now() >= giveUpAt) throw new DeadlineExceededError('the previous instance to release the data volume');
        return undefined;
      }
      return { mine: undefined, all };
    });
  } catch (e) {
    if (held && isGiveUp(e, giveUpAt, deps)) return restoreAfterImpairment(held, instanceId, az, cfg, deadline, deps);
    throw e;
  }
  if (volumes.mine) {
    return { action: 'already-attached', volumeId: volumes.mine.VolumeId! };
  }

  // A re-run after a restore that was not finished: the restored volume is here and names its source.
  const candidates = volumes.all.sort(byNewest((v) => v.CreateTime));
  if (candidates.length > 1) {
    logger.warn('More than one data volume in the group; using the newest, keeping the others', { volumes: candidates.map((v) => v.VolumeId) });
  }
  const current = candidates[0];

  if (current && current.AvailabilityZone === az) {
    await waitForVolumeState(current.VolumeId!, 'available', deadline, deps);
    await attach(current.VolumeId!, instanceId, cfg, deadline, deps);
    const deletedVolumeId = await deleteSourceVolume(current, volumes.all, deps);
    const source = tag(current.Tags, TAGS.sourceSnapshot);
    return source && deletedVolumeId
      ? { action: 'restored', volumeId: current.VolumeId!, snapshotId: source, deletedVolumeId }
      : { action: 'reattached', volumeId: current.VolumeId! };
  }

  let snapshotId: string | undefined;
  if (current) {
    const previousInstance = tag(current.Tags, TAGS.attachedTo) ?? 'unknown';
    snapshotId = await snapshotOfDetachedVolume(current, previousInstance, cfg, deps);
    const snapshotGiveUpAt = await giveUpTime(current, previousInstance, cfg, deps);
    try {
      await waitForSnapshot(snapshotId, Math.min(deadline, snapshotGiveUpAt ?? deadline), deps);
    } catch (e) {
      if (isGiveUp(e, snapshotGiveUpAt, deps)) return restoreAfterImpairment(current, instanceId, az, cfg, deadline, deps);
      throw e;
    }
  } else {
    snapshotId = await latestSnapshot(cfg, deadline, deps);
  }

  if (!snapshotId) {
    const created = await createVolume(az, cfg, deps, { instanceId });
    await waitForVolumeState(created, 'available', deadline, deps);
    await attach(created, instanceId, cfg, deadline, deps);
    logger.info('Created an empty data volume (no snapshot exists yet)', { volumeId: created, instanceId, az });
    return { action: 'created-empty', volumeId: created };
  }

  await waitForSnapshot(snapshotId, deadline, deps);
  const restored = await createVolume(az, cfg, deps, { snapshotId, sourceVolumeId: current?.VolumeId, instanceId });
  await waitForVolumeState(restored, 'available', deadline, deps);
  await attach(restored, instanceId, cfg, deadline, deps);
  let deletedVolumeId: string | undefined;
  if (current) {
    // Only now: the snapshot holds the data, and the new volume is attached.
    await deleteVolume(current.VolumeId!, deps);
    deletedVolumeId = current.VolumeId;
  }
  logger.info('Restored the data volume in a new AZ', { volumeId: restored, snapshotId, az, deletedVolumeId });
  return { action: 'restored', volumeId: restored, snapshotId, deletedVolumeId };
}

/** After a re-run attached a restored volume, delete the volume it was restored from (if still there). */
async function deleteSourceVolume(attached: Volume, all: Volume[], deps: Dependencies): Promise<string | undefined> {
  const sourceId = tag(attached.Tags, TAGS.sourceVolume);
  const source = all.find((v) => v.VolumeId === sourceId && v.State === 'available');
  if (!source) return undefined;
  await deleteVolume(source.VolumeId!, deps);
  return source.VolumeId;
}

/** The newest snapshot of the group; waits while a newer one is still pending (it holds newer data). */
async function latestSnapshot(cfg: FollowerConfig, deadline: number, deps: Dependencies): Promise<string | undefined> {
  const out = await deps.ec2.send(new DescribeSnapshotsCommand({
    OwnerIds: ['self'], Filters: [{ Name: `tag:${cfg.groupTagKey}`, Values: [cfg.groupTagValue] }],
  }));
  const newest = (out.Snapshots ?? []).filter((s) => s.State !== 'error').sort(byNewest((s) => s.StartTime))[0];
  return newest?.SnapshotId && (await waitForSnapshot(newest.SnapshotId, deadline, deps)).SnapshotId;
}

/**
 * Creates the volume for `instanceId`. The client token makes a duplicate delivery of the same
 * launch event get the same volume back instead of a second one.
 */
async function createVolume(az: string, cfg: FollowerConfig, deps: Dependencies,
  from: { instanceId: string; snapshotId?: string; sourceVolumeId?: string; supersedes?: string }): Promise<string> {
  const tags: Tag[] = [{ Key: cfg.groupTagKey, Value: cfg.groupTagValue }, { Key: 'Name', Value: `ha-instance data ${cfg.groupTagValue}` }];
  if (from.snapshotId) tags.push({ Key: TAGS.sourceSnapshot, Value: from.snapshotId });
  if (from.sourceVolumeId) tags.push({ Key: TAGS.sourceVolume, Value: from.sourceVolumeId });
  if (from.supersedes) tags.push({ Key: TAGS.supersedes, Value: from.supersedes });
  const out = await deps.ec2.send(new CreateVolumeCommand({
    ClientToken: `ha-${from.instanceId}-${from.snapshotId ?? 'empty'}`,
    AvailabilityZone: az,
    SnapshotId: from.snapshotId,
    // From a snapshot the size is the snapshot's (at least); an empty volume gets the configured size.
    Size: from.snapshotId ? undefined : cfg.volumeSizeGiB,
    VolumeType: cfg.volumeType,
    Iops: cfg.iops,
    Throughput: cfg.throughput,
    Encrypted: true,
    KmsKeyId: cfg.kmsKeyId,
    TagSpecifications: [{ ResourceType: 'volume', Tags: tags }],
  }));
  return out.VolumeId!;
}

/**
 * Terminate hook: keeps the data of the terminating instance.
 *
 * The instance's `ha-data-drain` service unmounts and detaches the volume as soon as the instance
 * enters Terminating:Wait; this waits for that (up to `drainTimeoutMs`), forces the detach only for an
 * instance that cannot do it (impaired, hung), snapshots the detached volume (once, even on re-runs),
 * and prunes the group's completed snapshots to `snapshotRetention`. The volume itself is kept: the
 * next instance re-attaches it in the same AZ, or restores the snapshot in another.
 */
export async function onTerminate(instanceId: string, cfg: FollowerConfig, deadline: number, deps: Dependencies): Promise<TerminateOutcome> {
  const all = await groupVolumes(cfg, deps);
  const volume = all.find((v) => attachedInstance(v) === instanceId)
    ?? all.find((v) => v.State === 'available' && tag(v.Tags, TAGS.attachedTo) === instanceId);
  if (!volume) {
    return { action: 'no-volume' };
  }
  let forcedDetach = false;
  if (volume.State !== 'available') {
    const drainDeadline = Math.min(deadline, deps.now() + cfg.drainTimeoutMs);
    try {
      await waitForVolumeState(volume.VolumeId!, 'available', drainDeadline, deps);
    } catch (e) {
      if (!(e instanceof DeadlineExceededError)) throw e;
      logger.warn('Instance did not detach its data volume in time; forcing the detach (the snapshot is crash-consistent)', { volumeId: volume.VolumeId, instanceId });
      await deps.ec2.send(new DetachVolumeCommand({ VolumeId: volume.VolumeId, InstanceId: instanceId, Force: true }));
      forcedDetach = true;
      await waitForVolumeState(volume.VolumeId!, 'available', deadline, deps);
    }
  }
  const snapshotId = await snapshotOfDetachedVolume(volume, instanceId, cfg, deps);
  const prunedSnapshotIds = await pruneSnapshots(snapshotId, cfg, deps);
  return { action: 'snapshotted', volumeId: volume.VolumeId!, snapshotId, forcedDetach, prunedSnapshotIds };
}

/**
 * Deletes this handler's completed snapshots (those taken after a detach) beyond the newest
 * `snapshotRetention` (never `keep`). Scheduled snapshots are Data Lifecycle Manager's to expire.
 */
async function pruneSnapshots(keep: string, cfg: FollowerConfig, deps: Dependencies): Promise<string[]> {
  const out = await deps.ec2.send(new DescribeSnapshotsCommand({
    OwnerIds: ['self'], Filters: [{ Name: `tag:${cfg.groupTagKey}`, Values: [cfg.groupTagValue] }, { Name: 'status', Values: ['completed'] }],
  }));
  const old = (out.Snapshots ?? [])
    .filter((s) => s.SnapshotId !== keep && tag(s.Tags, TAGS.detachedFrom) !== undefined)
    .sort(byNewest((s) => s.StartTime))
    .slice(Math.max(0, cfg.snapshotRetention - 1));
  for (const s of old) {
    await deps.ec2.send(new DeleteSnapshotCommand({ SnapshotId: s.SnapshotId }));
  }
  return old.map((s) => s.SnapshotId!);
}

/** The `detail` of EventBridge's "EC2 Instance-launch/terminate Lifecycle Action" events. */
export interface LifecycleActionDetail {
  readonly LifecycleActionToken: string;
  readonly AutoScalingGroupName: string;
  readonly LifecycleHookName: string;
  readonly EC2InstanceId: string;
  readonly LifecycleTransition: string;
}

export type LifecycleEvent = EventBridgeEvent<string, LifecycleActionDetail>;

/**
 * Runs the hook for one lifecycle event and completes the lifecycle action. A launch that fails is
 * completed with ABANDON, so the instance is replaced instead of serving without its data, and the
 * function returns normally: a retry would act on an instance that is being terminated. A failed
 * terminate hook throws (retried; the launch hook snapshots a left-over volume itself). A lifecycle
 * action that is already complete (a duplicate delivery) is not an error.
 */
export async function handleLifecycleEvent(
  event: LifecycleEvent, cfg: FollowerConfig, deadline: number, deps: Dependencies,
): Promise<LaunchOutcome | TerminateOutcome | AbandonedOutcome | undefined> {
  const d = event.detail;
  const complete = async (result: 'CONTINUE' | 'ABANDON') => {
    try {
      await deps.autoscaling.send(new CompleteLifecycleActionCommand({
        AutoScalingGroupName: d.AutoScalingGroupName,
        LifecycleHookName: d.LifecycleHookName,
        LifecycleActionToken: d.LifecycleActionToken,
        InstanceId: d.EC2InstanceId,
        LifecycleActionResult: result,
      }));
    } catch (e) {
      if (errorName(e) === 'ValidationError' && /No active Lifecycle Action found/i.test((e as Error).message)) {
        logger.info('Lifecycle action already completed (duplicate event or expired)', { instanceId: d.EC2InstanceId, result });
        return;
      }
      throw e;
    }
  };
  if (d.LifecycleTransition === LAUNCHING) {
    let outcome: LaunchOutcome;
    try {
      outcome = await onLaunch(d.EC2InstanceId, cfg, deadline, deps);
    } catch (e) {
      logger.error('Launch hook failed; abandoning the launch so the instance is replaced', { instanceId: d.EC2InstanceId, error: e as Error });
      await complete('ABANDON');
      return { action: 'abandoned', error: (e as Error).message };
    }
    logger.info('Launch hook done', { instanceId: d.EC2InstanceId, ...outcome });
    await complete('CONTINUE');
    return outcome;
  }
  if (d.LifecycleTransition === TERMINATING) {
    const outcome = await onTerminate(d.EC2InstanceId, cfg, deadline, deps);
    logger.info('Terminate hook done', { instanceId: d.EC2InstanceId, ...outcome });
    await complete('CONTINUE');
    return outcome;
  }
  logger.warn('Ignoring an event that is not a launch or terminate lifecycle action', { transition: d.LifecycleTransition });
  return undefined;
}

/** Seconds kept in reserve to complete the lifecycle action before Lambda's timeout. */
const SAFETY_MARGIN_MS = 15_000;

export async function handler(event: LifecycleEvent, context: Context): Promise<LaunchOutcome | TerminateOutcome | AbandonedOutcome | undefined> {
  logger.addContext(context);
  const deadline = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  return handleLifecycleEvent(event, configFromEnv(), deadline, {
    ec2, autoscaling, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), now: Date.now, pollMs: 5_000,
  });
}
