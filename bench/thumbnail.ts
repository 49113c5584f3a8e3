/**
 * The thumbnail handler, three ways, each against a baseline measured in the same run:
 *
 * 1. End to end per image (GET from a local S3 server -> render -> PUT every thumbnail) through the
 *    handler (`processBatch` on one SQS batch of S3 notifications, and `processObject` alone), vs plain
 *    sharp rendering the same in-memory images to the same sizes and formats (decode once at the
 *    largest size, then every width x format). Throughput ratio.
 * 2. sharp vs jimp (pure JavaScript) doing the same work: decode JPEG, resize to each width, encode JPEG.
 * 3. Peak RSS of one 24-megapixel JPEG through the handler, bundled as Lambda ships it, in a fresh
 *    `node` process, vs that process's RSS once its modules are loaded.
 *
 * Sources are 12-megapixel (24 for 3) photo-like JPEGs generated with sharp: smooth colour fields under
 * film-like grain, so they compress (~3.4 MB at quality 88) and decode like camera photos.
 * Rounds are interleaved so drift (JIT, GC, CPU frequency) hits both sides alike; figures are medians.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { constants as perfConstants, performance, PerformanceObserver } from 'node:perf_hooks';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SQSEvent } from 'aws-lambda';
import { build } from 'esbuild';
import { Jimp } from 'jimp';
import sharp from 'sharp';
import { startFauxqs } from '../test/support/fauxqs-server';
import { s3NotificationBody } from '../test/support/s3-notifications';
import { toSqsRecord } from '../test/support/sqs-event-source';

type ThumbnailModule = typeof import('../lambda/thumbnail');

export interface ThumbnailBenchOptions {
  /** 12-megapixel images per round of figure 1. @default 6 */
  readonly images?: number;
  /** @default 5 */
  readonly rounds?: number;
  /** @default 1 */
  readonly warmupRounds?: number;
  /** Images per round for jimp (about 1.5 s each). @default 2 */
  readonly jimpImages?: number;
  /** @default 3 */
  readonly jimpRounds?: number;
  /** Fresh processes for figure 3; the highest peak is reported. @default 3 */
  readonly rssRuns?: number;
  /** Minimum end-to-end / raw-sharp throughput ratio. @default 0.85 */
  readonly throughputTarget?: number;
  /** Maximum peak RSS for a 24-megapixel JPEG, in MB. @default 350 */
  readonly rssTargetMb?: number;
  /** The memory size the construct gives the function by default, in MB. @default 1024 */
  readonly lambdaMemoryMb?: number;
}

export interface ThumbnailBenchResult {
  /** processBatch, one batch holding every image. */
  readonly endToEndImagesPerSecond: number;
  /** processObject, one image at a time (no download overlapped). */
  readonly processObjectImagesPerSecond: number;
  readonly rawSharpImagesPerSecond: number;
  /** end to end (processBatch) / raw sharp */
  readonly throughputRatio: number;
  /** processObject / raw sharp */
  readonly processObjectRatio: number;
  readonly sharpJpegImagesPerSecond: number;
  readonly jimpJpegImagesPerSecond: number;
  /** sharp / jimp */
  readonly jimpSpeedup: number;
  readonly peakRssMb: number;
  readonly baselineRssMb: number;
}

const ROOT = path.resolve(__dirname, '..');
const BUCKET = 'bench-media';
const WIDTHS = [128, 512];
const FORMATS = ['jpeg', 'webp'] as const;
// Writing these in the bench (not importing them from the handler) keeps the baseline independent.
const ENV = { OUTPUT_BUCKET: BUCKET, THUMBNAIL_WIDTHS: WIDTHS.join(','), THUMBNAIL_FORMATS: FORMATS.join(','), POWERTOOLS_LOG_LEVEL: 'SILENT' };
const MB = 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Photo-like JPEGs: a smooth colour field per image (seeded) under shared gaussian grain. */
async function photoLikeJpegs(width: number, height: number, count: number): Promise<Buffer[]> {
  const raw = { width, height, channels: 3 as const };
  const grain = await sharp({ create: { ...raw, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 18 } } }).raw().toBuffer();
  const images: Buffer[] = [];
  for (let seed = 1; seed <= count; seed++) {
    const cells = { width: Math.ceil(width / 200), height: Math.ceil(height / 200), channels: 3 as const };
    const colours = Buffer.alloc(cells.width * cells.height * 3);
    let s = (seed * 2654435761) >>> 0;
    for (let i = 0; i < colours.length; i++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      colours[i] = s >>> 24;
    }
    const field = await sharp(colours, { raw: cells }).resize(width, height, { kernel: 'cubic', fit: 'fill' }).raw().toBuffer();
    images.push(await sharp(field, { raw }).composite([{ input: grain, raw, blend: 'overlay' }]).jpeg({ quality: 88 }).toBuffer());
  }
  return images;
}

/** The baseline: the same image work written directly against sharp, on bytes already in memory. */
async function rawSharp(input: Buffer, formats: readonly ('jpeg' | 'webp')[] = FORMATS): Promise<Buffer[]> {
  const { data, info } = await sharp(input).rotate().resize({ width: Math.max(...WIDTHS), withoutEnlargement: true }).raw().toBuffer({ resolveWithObject: true });
  const raw = { width: info.width, height: info.height, channels: info.channels };
  return Promise.all(WIDTHS.flatMap((width) => formats.map((f) => sharp(data, { raw }).resize({ width, withoutEnlargement: true }).toFormat(f).toBuffer())));
}

/** What most code does: one sharp pipeline (so one decode) per output. */
async function naiveSharp(input: Buffer): Promise<Buffer[]> {
  const source = sharp(input).rotate();
  return Promise.all(WIDTHS.flatMap((width) => FORMATS.map((f) => source.clone().resize({ width, withoutEnlargement: true }).toFormat(f).toBuffer())));
}

async function jimpJpeg(input: Buffer): Promise<Buffer[]> {
  const image = await Jimp.read(input);
  const out: Buffer[] = [];
  for (const w of WIDTHS) out.push(await image.clone().resize({ w }).getBuffer('image/jpeg', { quality: 80 }));
  return out;
}

/** Median ms per image of each contender over interleaved rounds; every contender sees every image each round. */
async function interleaved(
  contenders: Record<string, (image: number) => Promise<unknown>>,
  images: number,
  rounds: number,
  warmupRounds: number,
  /** Diagnostics only: called with each timed (not warm-up) run's time window. */
  onTimedRun?: (name: string, start: number, end: number) => void,
): Promise<Record<string, number>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let round = 0; round < warmupRounds + rounds; round++) {
    for (const [name, run] of Object.entries(contenders)) {
      const t = performance.now();
      for (let i = 0; i < images; i++) await run(i);
      const end = performance.now();
      if (round >= warmupRounds) {
        times[name].push((end - t) / images);
        onTimedRun?.(name, t, end);
      }
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

interface RssSample {
  readonly baselineRss: number;
  readonly peakRss: number;
  readonly cpuMs: number;
  readonly wallMs: number;
}

/**
 * Runs one object through the bundled handler in a fresh node process (nothing else loaded, as in a
 * Lambda sandbox) and reports its RSS after loading modules, its peak RSS (VmHWM) and the CPU time used.
 */
function measureRss(bundle: string, env: NodeJS.ProcessEnv, key: string, size: number): RssSample {
  const script = `
    const fs = require('fs');
    const rss = (field) => {
      const line = fs.readFileSync('/proc/self/status', 'utf8').split('\\n').find((l) => l.startsWith(field + ':'));
      return parseInt(line.slice(field.length + 1).trim(), 10) * 1024; // "VmHWM:   123456 kB"
    };
    const handler = require(process.argv[1]);
    const baselineRss = rss('VmRSS');
    const cpu = process.cpuUsage();
    const t = performance.now();
    handler.processObject({ eventName: 'ObjectCreated:Put', bucket: ${JSON.stringify(BUCKET)}, key: ${JSON.stringify(key)}, size: ${size} }).then((outcome) => {
      if (outcome.status !== 'written') throw new Error('not written: ' + JSON.stringify(outcome));
      const wallMs = performance.now() - t;
      const used = process.cpuUsage(cpu);
      process.stdout.write(JSON.stringify({ baselineRss, peakRss: rss('VmHWM'), cpuMs: (used.user + used.system) / 1000, wallMs }));
    });`;
  // stderr is piped (and dropped) so runtime warnings, e.g. the SDK's Node version notice, stay out of the report.
  const out = execFileSync(process.execPath, ['-e', script, bundle], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out) as RssSample;
}

export async function runThumbnailBench(options: ThumbnailBenchOptions = {}): Promise<ThumbnailBenchResult> {
  const {
    images: imageCount = 6,
    rounds = 5,
    warmupRounds = 1,
    jimpImages = 2,
    jimpRounds = 3,
    rssRuns = 3,
    throughputTarget = 0.85,
    rssTargetMb = 350,
    lambdaMemoryMb = 1024,
  } = options;

  const server = await startFauxqs();
  const awsEnv = { AWS_ENDPOINT_URL: server.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' };
  const cleared = ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL_S3', 'AWS_USE_FIPS_ENDPOINT', 'AWS_USE_DUALSTACK_ENDPOINT'];
  const saved = Object.fromEntries([...Object.keys(awsEnv), ...Object.keys(ENV), ...cleared].map((k) => [k, process.env[k]]));
  for (const k of cleared) delete process.env[k];
  Object.assign(process.env, awsEnv, ENV);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thumbnail-bench-'));
  const s3 = new S3Client({});
  try {
    // Loaded after the environment is set: the module reads its configuration and creates its S3 client at load.
    const handler: ThumbnailModule = await import('../lambda/thumbnail');
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));

    const photos = await photoLikeJpegs(4000, 3000, imageCount);
    const events = await Promise.all(
      photos.map(async (body, i) => {
        const key = `photos/photo-${i}.jpg`;
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
        return { eventName: 'ObjectCreated:Put', bucket: BUCKET, key, size: body.length };
      }),
    );

    // 1. End to end vs raw sharp
    const config = handler.parseConfig(process.env);
    // One SQS batch with a notification per image, as S3 -> SQS -> the event source mapping deliver them.
    const batch: SQSEvent = {
      Records: events.map((e, i) =>
        toSqsRecord({ MessageId: `m${i}`, ReceiptHandle: `rh${i}`, Body: s3NotificationBody(BUCKET, e.key, e.size) }, 'arn:aws:sqs:us-east-1:000000000000:bench'),
      ),
    };
    // Diagnostics: main-thread V8 GCs, attributed afterwards to the contender whose timed run they fell in.
    // Full (mark-compact) collections cost the handler's side several ms each (pause plus concurrent
    // marking on the same 2 cores), and how often they happen varies from run to run.
    const gcs: { start: number; duration: number; major: boolean }[] = [];
    const gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        gcs.push({ start: e.startTime, duration: e.duration, major: (e as unknown as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR });
      }
    });
    gcObserver.observe({ entryTypes: ['gc'] });
    const windows: { name: string; start: number; end: number }[] = [];
    const perImage = await interleaved(
      {
        // the batch is run once per round: charged to its first image, so the per-image figure is batch time / images
        endToEnd: async (i) => {
          if (i > 0) return;
          const { batchItemFailures } = await handler.processBatch(batch);
          if (batchItemFailures.length > 0) throw new Error(`benchmark images must all succeed: ${JSON.stringify(batchItemFailures)}`);
        },
        processObject: (i) => handler.processObject(events[i]),
        rawSharp: (i) => rawSharp(photos[i]),
        renderOnly: (i) => handler.renderThumbnails(photos[i], config),
        naiveSharp: (i) => naiveSharp(photos[i]),
      },
      imageCount,
      rounds,
      warmupRounds,
      (name, start, end) => windows.push({ name, start, end }),
    );
    await new Promise((resolve) => setImmediate(resolve)); // let the observer deliver the last entries
    gcObserver.disconnect();
    const gcPerImage = (name: string) => {
      const mine = gcs.filter((g) => windows.some((w) => w.name === name && g.start >= w.start && g.start < w.end));
      const n = rounds * imageCount;
      const majors = mine.filter((g) => g.major);
      return `${name} ${(majors.length / n).toFixed(2)} major (${(majors.reduce((a, g) => a + g.duration, 0) / n).toFixed(1)} ms)`;
    };
    // libvips threads per pipeline (the handler sets 1): the same in-memory work with 2.
    sharp.concurrency(2);
    const twoThreads = await interleaved({ renderOnly: (i) => handler.renderThumbnails(photos[i], config) }, imageCount, rounds, warmupRounds);
    sharp.concurrency(1);

    const ips = (ms: number) => 1000 / ms;
    const throughputRatio = perImage.rawSharp / perImage.endToEnd;
    const processObjectRatio = perImage.rawSharp / perImage.processObject;
    const megabytes = photos.reduce((n, p) => n + p.length, 0) / photos.length / MB;
    console.log(`Thumbnail handler: ${imageCount} photo-like 12 MP JPEGs (4000 x 3000, ~${megabytes.toFixed(1)} MB each) -> widths ${WIDTHS.join(', ')} x ${FORMATS.join(', ')}`);
    console.log(`  median of ${rounds} interleaved rounds after ${warmupRounds} warm-up; one image at a time, as the handler processes records`);
    console.log(`  1. end to end (GET from local S3 -> render -> PUT x${WIDTHS.length * FORMATS.length}) vs raw sharp on the in-memory bytes`);
    const row = (label: string, ms: number, extra = '') => console.log(`     ${label.padEnd(46)}${ms.toFixed(1).padStart(8)} ms/image${ips(ms).toFixed(2).padStart(9)} images/s${extra}`);
    const verdict = (ratio: number) => `${ratio.toFixed(2)}x raw sharp (target >= ${throughputTarget}x: ${ratio >= throughputTarget ? 'met' : 'NOT MET'})`;
    row('raw sharp, decode once (baseline)', perImage.rawSharp);
    row(`handler, processBatch (${imageCount} records)`, perImage.endToEnd, `  => ${verdict(throughputRatio)}`);
    row('handler, processObject (one image at a time)', perImage.processObject, `  => ${verdict(processObjectRatio)}`);
    row('   handler renderThumbnails alone (in memory)', perImage.renderOnly, `  (so S3 GET + PUT + SDK cost ${(perImage.processObject - perImage.renderOnly).toFixed(1)} ms/image)`);
    row('   raw sharp, one pipeline per output', perImage.naiveSharp, `  (${(perImage.naiveSharp / perImage.rawSharp).toFixed(2)}x the baseline's time)`);
    row('   renderThumbnails, 2 libvips threads/pipeline', twoThreads.renderOnly, `  (vs 1: ${(twoThreads.renderOnly / perImage.renderOnly).toFixed(2)}x the time)`);
    console.log(`     diagnostics, main-thread full GCs per image (their pauses): ${['endToEnd', 'processObject', 'rawSharp', 'renderOnly'].map(gcPerImage).join(', ')}`);

    // The same two handler paths when S3 has network latency (as from Lambda; here it answers in ~1 ms):
    // processBatch downloads the next record's object while the current one renders, processObject cannot.
    const latency = { get: 60, put: 15 };
    const send = S3Client.prototype.send;
    const delayed = function (this: S3Client, command: { constructor: { name: string } }) {
      const ms = command.constructor.name === 'GetObjectCommand' ? latency.get : latency.put;
      return new Promise((resolve) => setTimeout(resolve, ms)).then(() => (send as (c: unknown) => Promise<unknown>).call(this, command));
    };
    S3Client.prototype.send = delayed as typeof send;
    let slow: Record<string, number>;
    try {
      slow = await interleaved(
        {
          processBatch: async (i) => {
            if (i === 0) await handler.processBatch(batch);
          },
          processObject: (i) => handler.processObject(events[i]),
        },
        imageCount,
        Math.max(2, rounds - 2),
        warmupRounds,
      );
    } finally {
      S3Client.prototype.send = send;
    }
    console.log(`     with S3 latency as from Lambda (simulated: GET +${latency.get} ms, PUT +${latency.put} ms per request):`);
    row('   handler, processBatch', slow.processBatch, `  (${(slow.processBatch / slow.processObject).toFixed(2)}x processObject's time: next GET overlapped)`);
    row('   handler, processObject', slow.processObject);

    // 2. sharp vs jimp, JPEG only
    const jimpTimes = await interleaved(
      { sharp: (i) => rawSharp(photos[i], ['jpeg']), jimp: (i) => jimpJpeg(photos[i]) },
      Math.min(jimpImages, imageCount),
      jimpRounds,
      1,
    );
    const jimpSpeedup = jimpTimes.jimp / jimpTimes.sharp;
    console.log(`  2. decode JPEG -> widths ${WIDTHS.join(', ')} -> JPEG, ${Math.min(jimpImages, imageCount)} of the images, median of ${jimpRounds} rounds after 1 warm-up`);
    row('sharp 0.35 (libvips)', jimpTimes.sharp);
    row('jimp 1.6 (JavaScript)', jimpTimes.jimp);
    console.log(`     => sharp is ${jimpSpeedup.toFixed(1)}x faster (expected >= 10x)`);

    // 3. Peak RSS, 24 megapixels, bundled handler in a fresh process
    const bundle = path.join(tmp, 'index.js');
    await build({
      entryPoints: [path.join(ROOT, 'lambda', 'thumbnail', 'index.ts')],
      outfile: bundle,
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      // sharp is native: Lambda gets it installed next to the bundle; here it resolves via NODE_PATH.
      external: ['@aws-sdk/*', 'sharp'],
      logLevel: 'warning',
    });
    const childEnv = { PATH: process.env.PATH, NODE_PATH: path.join(ROOT, 'node_modules'), ...awsEnv, ...ENV };
    const [big] = await photoLikeJpegs(6000, 4000, 1);
    const solid50 = { width: 8660, height: 5773, channels: 3 as const, background: '#336699' }; // just under 50,000,000 pixels
    // The JPEG asked for, then the heaviest inputs found for the decoder: progressive JPEG cannot be decoded
    // at a reduced scale without holding every DCT coefficient of the image, and 50 MP is the default limit.
    const rssCases = [
      { label: '24 MP JPEG (6000 x 4000, baseline)', key: 'rss/24mp.jpg', body: big },
      { label: '24 MP progressive JPEG', key: 'rss/24mp-progressive.jpg', body: await sharp(big).jpeg({ quality: 88, progressive: true }).toBuffer() },
      { label: '50 MP progressive JPEG (solid colour)', key: 'rss/50mp-progressive.jpg', body: await sharp({ create: solid50 }).jpeg({ progressive: true }).toBuffer() },
    ];
    const rss = [];
    for (const c of rssCases) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: c.key, Body: c.body }));
      const samples = Array.from({ length: rssRuns }, () => measureRss(bundle, childEnv, c.key, c.body.length));
      rss.push({ ...c, worst: samples.reduce((a, b) => (b.peakRss > a.peakRss ? b : a)) });
    }
    const { worst } = rss[0];
    const peakRssMb = worst.peakRss / MB;
    const baselineRssMb = worst.baselineRss / MB;
    const heaviestMb = Math.max(...rss.map((r) => r.worst.peakRss)) / MB;
    // Lambda allots CPU in proportion to memory: one full vCPU at 1769 MB.
    const vcpu = lambdaMemoryMb / 1769;
    console.log(`  3. peak RSS through the bundled handler, each image in a fresh node process (worst of ${rssRuns}), vs its RSS once modules are loaded`);
    for (const r of rss) {
      const mb = (b: number) => `${(b / MB).toFixed(0)} MB`;
      console.log(
        `     ${r.label.padEnd(40)}${(r.body.length / MB).toFixed(1).padStart(5)} MB file: loaded ${mb(r.worst.baselineRss)}, peak ${mb(r.worst.peakRss).padStart(6)} ` +
          `(+${mb(r.worst.peakRss - r.worst.baselineRss)}), CPU ${r.worst.cpuMs.toFixed(0)} ms`,
      );
    }
    console.log(`     => 24 MP JPEG peak ${peakRssMb.toFixed(0)} MB (target <= ${rssTargetMb} MB): ${peakRssMb <= rssTargetMb ? 'met' : 'NOT MET'}; heaviest case ${heaviestMb.toFixed(0)} MB`);
    console.log(
      `     at ${lambdaMemoryMb} MB: ${(lambdaMemoryMb / heaviestMb).toFixed(1)}x the heaviest peak. CPU-bound, so ~${vcpu.toFixed(2)} vCPU makes the 24 MP JPEG take ` +
        `~${(worst.cpuMs / Math.min(vcpu, 1)).toFixed(0)} ms there (${worst.cpuMs.toFixed(0)} ms of CPU here)`,
    );

    return {
      endToEndImagesPerSecond: ips(perImage.endToEnd),
      processObjectImagesPerSecond: ips(perImage.processObject),
      processObjectRatio,
      rawSharpImagesPerSecond: ips(perImage.rawSharp),
      throughputRatio,
      sharpJpegImagesPerSecond: ips(jimpTimes.sharp),
      jimpJpegImagesPerSecond: ips(jimpTimes.jimp),
      jimpSpeedup,
      peakRssMb,
      baselineRssMb,
    };
  } finally {
    s3.destroy();
    fs.rmSync(tmp, { recursive: true, force: true });
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await server.stop();
  }
}
