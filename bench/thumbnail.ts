/**
 * The thumbnail handler, three ways, each against a baseline measured in the same run:
 *
 * 1. End to end per image (GET from a local S3 server -> render -> PUT every thumbnail) through the
 *    handler (`processBatch` on one SQS batch of S3 notifications, and `processObject` alone), vs plain
 *    sharp rendering the same in-memory images to the same sizes and formats (decode once at the
 *    largest size, then every width x format). Throughput ratio. Measured in a fresh `node` process
 *    running the handler bundled as for Lambda (bench/thumbnail-process.ts), and again in this process
 *    (the handler loaded through tsx next to the bench's own modules), where it is a diagnostic.
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
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SQSEvent } from 'aws-lambda';
import { build } from 'esbuild';
import { Jimp } from 'jimp';
import sharp from 'sharp';
import { startFauxqs } from '../test/support/fauxqs-server';
import { s3NotificationBody } from '../test/support/s3-notifications';
import { toSqsRecord } from '../test/support/sqs-event-source';
import type { Figure1Input, Figure1Output } from './thumbnail-process';
import { FORMATS, interleaved, type InterleavedResult, median, rawSharp, WIDTHS } from './thumbnail-shared';

type ThumbnailModule = typeof import('../lambda/thumbnail');

export interface ThumbnailBenchOptions {
  /** 12-megapixel images per round of figure 1. @default 6 */
  readonly images?: number;
  /** @default 11 */
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

/** Figure 1's throughputs and ratios are from the fresh process running the bundled handler. */
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
  /** processBatch / raw sharp measured in the bench's own process (diagnostic). */
  readonly inBenchProcessRatio: number;
  readonly sharpJpegImagesPerSecond: number;
  readonly jimpJpegImagesPerSecond: number;
  /** sharp / jimp */
  readonly jimpSpeedup: number;
  readonly peakRssMb: number;
  readonly baselineRssMb: number;
}

const ROOT = path.resolve(__dirname, '..');
const BUCKET = 'bench-media';
// Writing these in the bench (not importing them from the handler) keeps the baseline independent.
const ENV = { OUTPUT_BUCKET: BUCKET, THUMBNAIL_WIDTHS: WIDTHS.join(','), THUMBNAIL_FORMATS: FORMATS.join(','), POWERTOOLS_LOG_LEVEL: 'SILENT' };
const MB = 1024 * 1024;

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

/** What most code does: one sharp pipeline (so one decode) per output. */
async function naiveSharp(input: Buffer): Promise<Buffer[]> {
  const source = sharp(input).rotate();
  return Promise.all(WIDTHS.flatMap((width) =>
    FORMATS.map((f) => source.clone().resize({ width, withoutEnlargement: true }).toFormat(f).toBuffer())));
}

async function jimpJpeg(input: Buffer): Promise<Buffer[]> {
  const image = await Jimp.read(input);
  const out: Buffer[] = [];
  for (const w of WIDTHS) out.push(await image.clone().resize({ w }).getBuffer('image/jpeg', { quality: 80 }));
  return out;
}

/**
 * Bundles `entry` as the construct's NodejsFunction does for Lambda (lib/private/node-function.ts):
 * minified, with a source map (the function runs with --enable-source-maps), `@aws-sdk/*` left to the
 * runtime. sharp is native: Lambda gets it installed next to the bundle; here it resolves via NODE_PATH.
 * Target node20, the node running here (Lambda's is node24).
 */
async function bundleAsForLambda(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@aws-sdk/*', 'sharp'],
    logLevel: 'warning',
  });
}

/**
 * The flags node runs with in Lambda: the Node.js runtime's bootstrap sizes V8's heap from the function's
 * memory (a tenth of it for the young generation, split into two semi-spaces; the rest for the old one)
 * and exposes gc; the construct's NODE_OPTIONS add --enable-source-maps. The heap sizes decide when V8
 * collects garbage, which is part of what figure 1 measures.
 */
function lambdaNodeFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return ['--expose-gc', '--max-http-header-size=81920', `--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`, '--enable-source-maps'];
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
function measureRss(bundle: string, env: NodeJS.ProcessEnv, key: string, size: number, lambdaMemoryMb: number): RssSample {
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
  const out = execFileSync(process.execPath, [...lambdaNodeFlags(lambdaMemoryMb), '-e', script, bundle], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out) as RssSample;
}

export async function runThumbnailBench(options: ThumbnailBenchOptions = {}): Promise<ThumbnailBenchResult> {
  const {
    images: imageCount = 6,
    rounds = 11,
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
    // Environment of the fresh processes (figures 1 and 3): externals resolve from this package's node_modules.
    const childEnv = { PATH: process.env.PATH, NODE_PATH: path.join(ROOT, 'node_modules'), ...awsEnv, ...ENV };
    const config = handler.parseConfig(process.env);
    // One SQS batch with a notification per image, as S3 -> SQS -> the event source mapping deliver them.
    const batch: SQSEvent = {
      Records: events.map((e, i) =>
        toSqsRecord({ MessageId: `m${i}`, ReceiptHandle: `rh${i}`, Body: s3NotificationBody(BUCKET, e.key, e.size) }, 'arn:aws:sqs:us-east-1:000000000000:bench'),
      ),
    };
    const ips = (ms: number) => 1000 / ms;
    const row = (label: string, ms: number, extra = '') => console.log(`     ${label.padEnd(46)}${ms.toFixed(1).padStart(8)} ms/image${ips(ms).toFixed(2).padStart(9)} images/s${extra}`);
    const verdict = (ratio: number) => `${ratio.toFixed(2)}x raw sharp (target >= ${throughputTarget}x: ${ratio >= throughputTarget ? 'met' : 'NOT MET'})`;
    const fullGcs = (r: InterleavedResult, names: string[]) =>
      names.map((name) => `${name} ${r.fullGcs[name].perImage.toFixed(2)} (${r.fullGcs[name].pauseMsPerImage.toFixed(1)} ms)`).join(', ');

    // 1a. As in Lambda: the bundled handler in a fresh process, the baseline in the same process.
    const imageFiles = photos.map((p, i) => {
      const file = path.join(tmp, `photo-${i}.jpg`);
      fs.writeFileSync(file, p);
      return file;
    });
    const figure1Input: Figure1Input = { imageFiles, events, batch, rounds, warmupRounds };
    fs.writeFileSync(path.join(tmp, 'figure1.json'), JSON.stringify(figure1Input));
    const figure1Bundle = path.join(tmp, 'figure1.js');
    await bundleAsForLambda(path.join(__dirname, 'thumbnail-process.ts'), figure1Bundle);
    // This process only serves S3 meanwhile (the emulator's worker thread): its CPU is the emulator's.
    const emulatorCpu = process.cpuUsage();
    const fresh = JSON.parse(
      execFileSync(process.execPath, [...lambdaNodeFlags(lambdaMemoryMb), figure1Bundle, path.join(tmp, 'figure1.json')], { env: childEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    ) as Figure1Output;
    const emulatorUsed = process.cpuUsage(emulatorCpu);
    // every round, warm-up included, sends each image through processBatch and through processObject
    const emulatorMsPerImage = (emulatorUsed.user + emulatorUsed.system) / 1000 / ((rounds + warmupRounds) * imageCount * 2);
    const throughputRatio = fresh.perImage.rawSharp / fresh.perImage.endToEnd;
    const processObjectRatio = fresh.perImage.rawSharp / fresh.perImage.processObject;

    // 1b. The same in this process, where the handler is loaded through tsx next to the bench's own modules
    // (a larger heap for each full GC to mark), with the diagnostics that need this process.
    const here = await interleaved(
      {
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
    );
    const perImage = here.perImage;
    // libvips threads per pipeline (the handler sets 1): the same in-memory work with 2.
    sharp.concurrency(2);
    const { perImage: twoThreads } = await interleaved(
      { renderOnly: (i) => handler.renderThumbnails(photos[i], config) }, imageCount, rounds, warmupRounds);
    sharp.concurrency(1);

    const megabytes = photos.reduce((n, p) => n + p.length, 0) / photos.length / MB;
    console.log(`Thumbnail handler: ${imageCount} photo-like 12 MP JPEGs (4000 x 3000, ~${megabytes.toFixed(1)} MB each) -> widths ${WIDTHS.join(', ')} x ${FORMATS.join(', ')}`);
    console.log(`  median of ${rounds} interleaved rounds after ${warmupRounds} warm-up; one image at a time, as the handler processes records`);
    console.log(`  1. end to end (GET from local S3 -> render -> PUT x${WIDTHS.length * FORMATS.length}) vs raw sharp on the in-memory bytes,`);
    console.log(`     in a fresh node process running the handler as bundled for Lambda, with Lambda's node flags at ${lambdaMemoryMb} MB; the baseline in the same process`);
    row('raw sharp, decode once (baseline)', fresh.perImage.rawSharp);
    row(`handler, processBatch (${imageCount} records)`, fresh.perImage.endToEnd, `  => ${verdict(throughputRatio)}`);
    row('handler, processObject (one image at a time)', fresh.perImage.processObject, `  => ${verdict(processObjectRatio)}`);
    // Each round times both sides back to back, so a per-round ratio is free of the machine's drift between rounds.
    const paired = fresh.rounds.rawSharp.map((ms, r) => ms / fresh.rounds.endToEnd[r]);
    console.log(
      `     cross-check, processBatch / raw sharp round by round: median ${median(paired).toFixed(2)}x, ` +
        `range ${Math.min(...paired).toFixed(2)}-${Math.max(...paired).toFixed(2)}x over ${paired.length} rounds`,
    );
    console.log(`     full GCs per image (their pauses): ${fullGcs(fresh, ['endToEnd', 'processObject', 'rawSharp'])}`);
    const cpu = fresh.cpuMsPerImage;
    console.log(
      `     CPU per image, all threads: raw sharp ${cpu.rawSharp.toFixed(1)} ms; processBatch ${cpu.endToEnd.toFixed(1)} ms (+${(cpu.endToEnd - cpu.rawSharp).toFixed(1)}); ` +
        `and the local S3 emulator, in the bench process, ${emulatorMsPerImage.toFixed(1)} ms on the same cores (on Lambda, S3 runs elsewhere)`,
    );
    console.log('     diagnostics, in this bench process (handler loaded through tsx next to the bench\'s modules: a larger heap for each full GC):');
    row('   raw sharp, decode once', perImage.rawSharp);
    row('   handler, processBatch', perImage.endToEnd, `  (${(perImage.rawSharp / perImage.endToEnd).toFixed(2)}x raw sharp)`);
    row('   handler, processObject', perImage.processObject, `  (${(perImage.rawSharp / perImage.processObject).toFixed(2)}x raw sharp)`);
    row('   handler renderThumbnails alone (in memory)', perImage.renderOnly, `  (so S3 GET + PUT + SDK cost ${(perImage.processObject - perImage.renderOnly).toFixed(1)} ms/image)`);
    row('   raw sharp, one pipeline per output', perImage.naiveSharp, `  (${(perImage.naiveSharp / perImage.rawSharp).toFixed(2)}x the baseline's time)`);
    row('   renderThumbnails, 2 libvips threads/pipeline', twoThreads.renderOnly, `  (vs 1: ${(twoThreads.renderOnly / perImage.renderOnly).toFixed(2)}x the time)`);
    console.log(`        full GCs per image (their pauses): ${fullGcs(here, ['endToEnd', 'processObject', 'rawSharp', 'renderOnly'])}`);

    // The same two handler paths when S3 has network latency (as from Lambda; here it answers in ~1 ms):
    // processBatch downloads the next record's object while the current one renders, processObject cannot.
    const latency = { get: 60, put: 15 };
    const send = S3Client.prototype.send;
    const delayed = function (this: S3Client, command: { constructor: { name: string } }) {
      const ms = command.constructor.name === 'GetObjectCommand' ? latency.get : latency.put;
      return new Promise((resolve) => setTimeout(resolve, ms)).then(() => (send as (c: unknown) => Promise<unknown>).call(this, command));
    };
    S3Client.prototype.send = delayed as typeof send;
    let slow: InterleavedResult;
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
    row('   handler, processBatch', slow.perImage.processBatch, `  (${(slow.perImage.processBatch / slow.perImage.processObject).toFixed(2)}x processObject's time: next GET overlapped)`);
    row('   handler, processObject', slow.perImage.processObject);

    // 2. sharp vs jimp, JPEG only
    const { perImage: jimpTimes } = await interleaved(
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
    await bundleAsForLambda(path.join(ROOT, 'lambda', 'thumbnail', 'index.ts'), bundle);
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
      const samples = Array.from({ length: rssRuns }, () => measureRss(bundle, childEnv, c.key, c.body.length, lambdaMemoryMb));
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
      endToEndImagesPerSecond: ips(fresh.perImage.endToEnd),
      processObjectImagesPerSecond: ips(fresh.perImage.processObject),
      processObjectRatio,
      rawSharpImagesPerSecond: ips(fresh.perImage.rawSharp),
      throughputRatio,
      inBenchProcessRatio: perImage.rawSharp / perImage.endToEnd,
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
