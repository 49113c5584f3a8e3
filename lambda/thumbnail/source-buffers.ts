/**
 * Buffers for downloaded source images, reused from one object to the next.
 *
 * A downloaded image is held until it is decoded, tens of milliseconds: long enough for V8 to move its
 * buffer to the old generation, where only a full (mark-compact) collection frees it. V8 also counts
 * external memory allocated since the last full collection against the old generation's limit, so a new
 * multi-megabyte buffer per image brings on a full collection every image or two, and a full collection
 * marks the whole heap on every core. Reusing the buffers avoids most of those collections. Reading
 * into a buffer of the announced length also saves concatenating the response's chunks.
 */

const MiB = 1024 * 1024;

/** Memory for one object's bytes. */
export interface SourceBuffer {
  /** Exactly the length asked for. Its initial content is whatever the memory held last: overwrite all of it. */
  readonly bytes: Buffer;
  /**
   * Hands the memory back for the next object. Call it only once nothing reads `bytes` any more (sharp
   * reads its input until its pipeline settles); calls after the first do nothing. Not calling it is
   * safe: the memory is then garbage collected like any buffer.
   */
  release(): void;
}

export interface SourceBufferPoolOptions {
  /** Longer requests get memory of their own, never kept for reuse. @default 16 MiB */
  readonly maxPooledBytes?: number;
  /** Released buffers kept for reuse; beyond that, the smallest is let go. @default 2 */
  readonly maxFree?: number;
}

export class SourceBufferPool {
  private readonly maxPooledBytes: number;
  private readonly maxFree: number;
  private readonly free: Buffer[] = [];
  private allocationCount = 0;

  constructor(options: SourceBufferPoolOptions = {}) {
    this.maxPooledBytes = options.maxPooledBytes ?? 16 * MiB;
    this.maxFree = options.maxFree ?? 2;
  }

  /** Buffers allocated so far (each reuse is one fewer), and how many are free now. */
  get stats(): { readonly allocations: number; readonly free: number } {
    return { allocations: this.allocationCount, free: this.free.length };
  }

  acquire(length: number): SourceBuffer {
    if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`SourceBufferPool: length must be a non-negative integer, got ${length}`);
    if (length > this.maxPooledBytes) {
      this.allocationCount++;
      return { bytes: Buffer.allocUnsafeSlow(length), release: () => undefined };
    }
    // The smallest free buffer that is long enough, so a small image does not take the memory a large one
    // needs; of equal ones, the last released (its memory is the most likely to be in the CPU caches).
    let best = -1;
    this.free.forEach((b, i) => {
      if (b.length >= length && (best < 0 || b.length <= this.free[best].length)) best = i;
    });
    const memory = best >= 0 ? this.free.splice(best, 1)[0] : this.allocate(length);
    let released = false;
    return {
      bytes: memory.subarray(0, length),
      release: () => {
        if (released) return;
        released = true;
        this.keep(memory);
      },
    };
  }

  private allocate(length: number): Buffer {
    this.allocationCount++;
    // Whole MiB (at most the pooled maximum), so images of similar sizes can share the memory.
    return Buffer.allocUnsafeSlow(Math.min(this.maxPooledBytes, Math.ceil(Math.max(length, 1) / MiB) * MiB));
  }

  private keep(memory: Buffer): void {
    this.free.push(memory);
    if (this.free.length > this.maxFree) {
      const smallest = this.free.reduce((min, b, i) => (b.length < this.free[min].length ? i : min), 0);
      this.free.splice(smallest, 1);
    }
  }
}
