import { SourceBufferPool } from '../../../lambda/thumbnail/source-buffers';

const MiB = 1024 * 1024;

/** Whether two views share any memory. */
const overlap = (a: Buffer, b: Buffer) =>
  a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length;

describe('SourceBufferPool', () => {
  test('gives exactly the length asked for', () => {
    const pool = new SourceBufferPool();
    expect([0, 1, 3_400_000].map((n) => pool.acquire(n).bytes.length)).toEqual([0, 1, 3_400_000]);
  });

  test('a released buffer is reused for the next object, without a new allocation', () => {
    // GIVEN a buffer used and released
    const pool = new SourceBufferPool();
    const first = pool.acquire(3_000_000);
    first.release();
    // WHEN the next object, of a similar size, asks
    const second = pool.acquire(3_100_000);
    // THEN it gets the same memory
    expect(second.bytes.buffer).toBe(first.bytes.buffer);
    expect(pool.stats.allocations).toBe(1);
  });

  test('memory in use is never handed out twice', () => {
    // GIVEN one buffer in use and one released
    const pool = new SourceBufferPool();
    const decoding = pool.acquire(2 * MiB);
    pool.acquire(2 * MiB).release();
    // WHEN two more objects ask
    const a = pool.acquire(2 * MiB);
    const b = pool.acquire(2 * MiB);
    // THEN no two of the buffers in use share memory
    expect([overlap(decoding.bytes, a.bytes), overlap(decoding.bytes, b.bytes), overlap(a.bytes, b.bytes)]).toEqual([false, false, false]);
  });

  test('releasing twice returns the memory once', () => {
    // GIVEN a buffer released twice
    const pool = new SourceBufferPool();
    const source = pool.acquire(MiB);
    source.release();
    source.release();
    // THEN it is free once: the second of two objects gets other memory
    expect(pool.stats.free).toBe(1);
    const [a, b] = [pool.acquire(MiB), pool.acquire(MiB)];
    expect(overlap(a.bytes, b.bytes)).toBe(false);
  });

  test('a larger object than a free buffer gets new memory, and the smaller buffer stays free', () => {
    const pool = new SourceBufferPool();
    pool.acquire(MiB).release();
    const large = pool.acquire(5 * MiB);
    expect(large.bytes.length).toBe(5 * MiB);
    expect(pool.stats).toEqual({ allocations: 2, free: 1 });
  });

  test('takes the smallest free buffer that fits, keeping the large one for a large object', () => {
    // GIVEN free buffers of 8 MiB and 2 MiB
    const pool = new SourceBufferPool();
    const big = pool.acquire(8 * MiB);
    const small = pool.acquire(2 * MiB);
    big.release();
    small.release();
    // WHEN a 1.5 MiB object asks THEN it gets the 2 MiB buffer
    expect(pool.acquire(1.5 * MiB).bytes.buffer).toBe(small.bytes.buffer);
    // AND a 7 MiB object the 8 MiB one
    expect(pool.acquire(7 * MiB).bytes.buffer).toBe(big.bytes.buffer);
    expect(pool.stats.allocations).toBe(2);
  });

  test('takes the smallest free buffer that fits wherever it stands among the free ones', () => {
    // GIVEN free buffers of 2 MiB and 8 MiB, the smaller released first
    const pool = new SourceBufferPool();
    const small = pool.acquire(2 * MiB);
    const big = pool.acquire(8 * MiB);
    small.release();
    big.release();
    // WHEN a 1.5 MiB object asks THEN it gets the 2 MiB buffer, and a 7 MiB object the 8 MiB one
    expect(pool.acquire(1.5 * MiB).bytes.buffer).toBe(small.bytes.buffer);
    expect(pool.acquire(7 * MiB).bytes.buffer).toBe(big.bytes.buffer);
    expect(pool.stats.allocations).toBe(2);
  });

  test('of equal free buffers, the last released is reused first', () => {
    const pool = new SourceBufferPool();
    const [a, b] = [pool.acquire(MiB), pool.acquire(MiB)];
    a.release();
    b.release();
    expect(pool.acquire(MiB).bytes.buffer).toBe(b.bytes.buffer);
  });

  test('keeps at most maxFree buffers, letting the smallest go', () => {
    // GIVEN 3 buffers released into a pool that keeps 2
    const pool = new SourceBufferPool({ maxFree: 2 });
    const sources = [3, 1, 2].map((n) => pool.acquire(n * MiB));
    for (const s of sources) s.release();
    // THEN 2 are kept, the 3 MiB and the 2 MiB: a 3 MiB and a 2 MiB object need no new memory, a third one does
    expect(pool.stats.free).toBe(2);
    pool.acquire(3 * MiB);
    pool.acquire(2 * MiB);
    expect(pool.stats.allocations).toBe(3);
    pool.acquire(MiB);
    expect(pool.stats.allocations).toBe(4);
  });

  test('keeps 2 free buffers by default; of equal ones, the last released', () => {
    const pool = new SourceBufferPool();
    const [a, b, c] = [pool.acquire(MiB), pool.acquire(MiB), pool.acquire(MiB)];
    for (const s of [a, b, c]) s.release();
    expect(pool.stats.free).toBe(2);
    const kept = [pool.acquire(MiB).bytes.buffer, pool.acquire(MiB).bytes.buffer];
    expect([kept[0] === c.bytes.buffer, kept[1] === b.bytes.buffer]).toEqual([true, true]);
  });

  test('an object of exactly maxPooledBytes is pooled', () => {
    const pool = new SourceBufferPool({ maxPooledBytes: 4 * MiB });
    pool.acquire(4 * MiB).release();
    expect(pool.stats).toEqual({ allocations: 1, free: 1 });
  });

  test('objects over maxPooledBytes get memory of their own, never kept', () => {
    // GIVEN a pool for objects up to 4 MiB
    const pool = new SourceBufferPool({ maxPooledBytes: 4 * MiB });
    const huge = pool.acquire(4 * MiB + 1);
    expect(huge.bytes.length).toBe(4 * MiB + 1);
    expect(pool.stats.allocations).toBe(1);
    // WHEN it is released THEN it is not kept (no 4 MiB+ memory retained between invocations)
    huge.release();
    expect(pool.stats.free).toBe(0);
    // AND memory for pooled objects is rounded up to whole MiB, but never past maxPooledBytes
    const pooled = pool.acquire(4 * MiB - 10);
    expect(pooled.bytes.buffer.byteLength).toBe(4 * MiB);
  });

  test.each([-1, 1.5, Number.NaN])('refuses length %p', (n) => {
    expect(() => new SourceBufferPool().acquire(n)).toThrow(new RangeError(`SourceBufferPool: length must be a non-negative integer, got ${n}`));
  });
});
