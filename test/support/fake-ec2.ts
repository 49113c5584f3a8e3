import type { Filter, Snapshot, Tag, Volume } from '@aws-sdk/client-ec2';

/**
 * A small in-memory model of the EC2 volume, snapshot, instance and Elastic IP APIs, for
 * aws-sdk-client-mock's `callsFake`. State changes take one `Describe*` call to complete
 * (creating -> available, pending -> completed, attaching -> attached), as they take time in EC2.
 * Each volume carries `data`, copied into snapshots and restored volumes, so a test can prove that
 * nothing was lost in a move.
 */
export interface FakeVolume {
  id: string;
  az: string;
  state: 'creating' | 'available' | 'in-use' | 'deleted';
  attachedTo?: string;
  attachState?: 'attaching' | 'attached' | 'detaching';
  data: string;
  tags: Record<string, string>;
  created: number;
  size: number;
  snapshotId?: string;
}

export interface FakeSnapshot {
  id: string;
  volumeId: string;
  state: 'pending' | 'completed';
  data: string;
  tags: Record<string, string>;
  started: number;
}

export interface FakeInstance {
  id: string;
  az: string;
  state: string;
  /** The instance's ha-data-drain service detaches its volume when asked to terminate. */
  drainsItself?: boolean;
}

export class FakeEc2 {
  readonly volumes = new Map<string, FakeVolume>();
  readonly snapshots = new Map<string, FakeSnapshot>();
  readonly instances = new Map<string, FakeInstance>();
  /** Volumes whose detach the instance itself performs on the next describe (drain). */
  readonly draining = new Set<string>();
  private seq = 0;
  private clock = 1_000;

  private next(prefix: string): string {
    return `${prefix}-${String(++this.seq).padStart(4, '0')}`;
  }

  addInstance(id: string, az: string, state = 'running', drainsItself = true): void {
    this.instances.set(id, { id, az, state, drainsItself });
  }

  addVolume(v: Partial<FakeVolume> & { az: string; tags: Record<string, string> }): FakeVolume {
    const volume: FakeVolume = { id: this.next('vol'), state: 'available', data: '', created: this.clock++, size: 10, ...v };
    this.volumes.set(volume.id, volume);
    return volume;
  }

  addSnapshot(s: Partial<FakeSnapshot> & { volumeId: string; tags: Record<string, string> }): FakeSnapshot {
    const snapshot: FakeSnapshot = { id: this.next('snap'), state: 'completed', data: '', started: this.clock++, ...s };
    this.snapshots.set(snapshot.id, snapshot);
    return snapshot;
  }

  /** The instance starts terminating: its drain service will detach its volume. */
  terminate(instanceId: string): void {
    const instance = this.instances.get(instanceId)!;
    instance.state = 'running'; // Terminating:Wait: still running until the hook completes
    for (const v of this.volumes.values()) {
      if (v.attachedTo === instanceId && instance.drainsItself) this.draining.add(v.id);
    }
  }

  private progress(): void {
    for (const v of this.volumes.values()) {
      if (v.state === 'creating') v.state = 'available';
      if (v.attachState === 'attaching') { v.attachState = 'attached'; v.state = 'in-use'; }
      if (v.attachState === 'detaching' || this.draining.has(v.id)) {
        this.draining.delete(v.id);
        v.attachState = undefined; v.attachedTo = undefined; v.state = 'available';
      }
    }
    for (const s of this.snapshots.values()) {
      if (s.state === 'pending') s.state = 'completed';
    }
  }

  private static matches(tags: Record<string, string>, filters: Filter[] | undefined, fields: Record<string, string | undefined>): boolean {
    return (filters ?? []).every((f) => {
      if (f.Name!.startsWith('tag:')) return f.Values!.includes(tags[f.Name!.slice(4)]);
      return f.Values!.includes(fields[f.Name!] ?? '');
    });
  }

  private static tagList(tags: Record<string, string>): Tag[] {
    return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  }

  private static tagsOf(specs: { Tags?: Tag[] }[] | undefined): Record<string, string> {
    return Object.fromEntries((specs?.[0]?.Tags ?? []).map((t) => [t.Key!, t.Value!]));
  }

  private volumeOut(v: FakeVolume): Volume {
    return {
      VolumeId: v.id, AvailabilityZone: v.az, State: v.state, CreateTime: new Date(v.created), Size: v.size, SnapshotId: v.snapshotId,
      Tags: FakeEc2.tagList(v.tags),
      Attachments: v.attachedTo ? [{ InstanceId: v.attachedTo, State: v.attachState, VolumeId: v.id }] : [],
    };
  }

  private snapshotOut(s: FakeSnapshot): Snapshot {
    return { SnapshotId: s.id, VolumeId: s.volumeId, State: s.state, StartTime: new Date(s.started), Tags: FakeEc2.tagList(s.tags) };
  }

  describeInstances(input: any) {
    const i = this.instances.get(input.InstanceIds[0]);
    if (!i) throw Object.assign(new Error('not found'), { name: 'InvalidInstanceID.NotFound' });
    return { Reservations: [{ Instances: [{ InstanceId: i.id, Placement: { AvailabilityZone: i.az }, State: { Name: i.state } }] }] };
  }

  describeVolumes(input: any) {
    this.progress();
    const all = [...this.volumes.values()].filter((v) => v.state !== 'deleted');
    const selected = input.VolumeIds
      ? all.filter((v) => input.VolumeIds.includes(v.id))
      : all.filter((v) => FakeEc2.matches(v.tags, input.Filters, { status: v.state, 'attachment.instance-id': v.attachedTo }));
    return { Volumes: selected.map((v) => this.volumeOut(v)) };
  }

  describeSnapshots(input: any) {
    this.progress();
    const all = [...this.snapshots.values()];
    const selected = input.SnapshotIds
      ? all.filter((s) => input.SnapshotIds.includes(s.id))
      : all.filter((s) => FakeEc2.matches(s.tags, input.Filters, { status: s.state, 'volume-id': s.volumeId }));
    return { Snapshots: selected.map((s) => this.snapshotOut(s)) };
  }

  createSnapshot(input: any) {
    const v = this.volumes.get(input.VolumeId)!;
    const s = this.addSnapshot({ volumeId: v.id, state: 'pending', data: v.data, tags: FakeEc2.tagsOf(input.TagSpecifications) });
    return { SnapshotId: s.id, State: 'pending' };
  }

  createVolume(input: any) {
    const snapshot = input.SnapshotId ? this.snapshots.get(input.SnapshotId) : undefined;
    if (input.SnapshotId && snapshot?.state !== 'completed') throw Object.assign(new Error('snapshot pending'), { name: 'IncorrectState' });
    const v = this.addVolume({
      az: input.AvailabilityZone, state: 'creating', data: snapshot?.data ?? '', snapshotId: input.SnapshotId,
      size: input.Size ?? 10, tags: FakeEc2.tagsOf(input.TagSpecifications),
    });
    return { VolumeId: v.id };
  }

  attachVolume(input: any) {
    const v = this.volumes.get(input.VolumeId)!;
    const i = this.instances.get(input.InstanceId)!;
    if (v.state !== 'available') throw Object.assign(new Error(`volume ${v.id} is ${v.state}`), { name: 'IncorrectState' });
    if (v.az !== i.az) throw Object.assign(new Error('volume and instance in different AZs'), { name: 'InvalidVolume.ZoneMismatch' });
    v.attachedTo = i.id; v.attachState = 'attaching';
    return {};
  }

  detachVolume(input: any) {
    const v = this.volumes.get(input.VolumeId)!;
    v.attachState = 'detaching';
    return {};
  }

  deleteVolume(input: any) {
    const v = this.volumes.get(input.VolumeId)!;
    if (v.state !== 'available') throw Object.assign(new Error('in use'), { name: 'VolumeInUse' });
    v.state = 'deleted';
    return {};
  }

  deleteSnapshot(input: any) {
    this.snapshots.delete(input.SnapshotId);
    return {};
  }

  createTags(input: any) {
    for (const id of input.Resources) {
      const target = this.volumes.get(id) ?? this.snapshots.get(id);
      for (const t of input.Tags) target!.tags[t.Key] = t.Value;
    }
    return {};
  }
}
