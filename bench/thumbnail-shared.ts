/**
 * What bench/thumbnail.ts and its fresh-process part (bench/thumbnail-process.ts) share: the thumbnail
 * sizes, the raw-sharp baseline, and the interleaved timing with full-GC counts.
 */
import { constants as perfConstants, performance, PerformanceObserver } from 'node:perf_hooks';
import sharp from 'sharp';

export const WIDTHS = [128, 512];
export const FORMATS = ['jpeg', 'webp'] as const;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The baseline: the same image work written directly against sharp, on bytes already in memory (decode
 * once at the largest width, then every width x format from those pixels).
 */
export async function rawSharp(input: Buffer, formats: readonly ('jpeg' | 'webp')[] = FORMATS): Promise<Buffer[]> {
  const { data, info } = await sharp(input)
    .rotate()
    .resize({ width: Math.max(...WIDTHS), withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { width: info.width, height: info.height, channels: info.channels };
  return Promise.all(WIDTHS.flatMap((width) =>
    formats.map((f) => sharp(data, { raw }).resize({ width, withoutEnlargement: true }).toFormat(f).toBuffer())));
}

export interface InterleavedResult {
  /** Median ms per image of each contender. */
  readonly perImage: Record<string, number>;
  /** Ms per image of each contender in each timed round, in order: rounds are paired across contenders. */
  readonly rounds: Record<string, number[]>;
  /** Main-thread full (mark-compact) GCs per image that started during each contender's timed runs, and their pause per image in ms. */
  readonly fullGcs: Record<string, { readonly perImage: number; readonly pauseMsPerImage: number }>;
  /** CPU time of this process (all its threads: libvips, V8's helpers, any worker) per image during each contender's timed runs, in ms. */
  readonly cpuMsPerImage: Record<string, number>;
}

/**
 * Times each contender over interleaved rounds (so drift, JIT and CPU frequency hit all alike); every
 * contender sees every image each round. Also counts the full GCs in each contender's timed runs:
 * a full collection costs several ms (its pause plus concurrent marking on the same cores), and how
 * often one happens varies from run to run, so the count explains much of the run-to-run spread.
 */
export async function interleaved(
  contenders: Record<string, (image: number) => Promise<unknown>>,
  images: number,
  rounds: number,
  warmupRounds: number,
): Promise<InterleavedResult> {
  const gcs: { start: number; duration: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) {
        gcs.push({ start: e.startTime, duration: e.duration });
      }
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const windows: { name: string; start: number; end: number }[] = [];
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  const cpu: Record<string, number> = Object.fromEntries(Object.keys(contenders).map((k) => [k, 0]));
  try {
    for (let round = 0; round < warmupRounds + rounds; round++) {
      for (const [name, run] of Object.entries(contenders)) {
        const cpuStart = process.cpuUsage();
        const start = performance.now();
        for (let i = 0; i < images; i++) await run(i);
        const end = performance.now();
        const used = process.cpuUsage(cpuStart);
        if (round >= warmupRounds) {
          times[name].push((end - start) / images);
          windows.push({ name, start, end });
          cpu[name] += (used.user + used.system) / 1000;
        }
      }
    }
    await new Promise((resolve) => setImmediate(resolve)); // let the observer deliver the last entries
  } finally {
    observer.disconnect();
  }
  const n = rounds * images;
  const fullGcs = Object.fromEntries(
    Object.keys(contenders).map((name) => {
      const mine = gcs.filter((g) => windows.some((w) => w.name === name && g.start >= w.start && g.start < w.end));
      return [name, { perImage: mine.length / n, pauseMsPerImage: mine.reduce((a, g) => a + g.duration, 0) / n }];
    }),
  );
  return {
    perImage: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])),
    rounds: times,
    fullGcs,
    cpuMsPerImage: Object.fromEntries(Object.entries(cpu).map(([k, ms]) => [k, ms / n])),
  };
}
