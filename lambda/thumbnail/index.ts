import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type MessageAttributeValue, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { logBatchFailures } from '../shared/batch-failures';
import { type SourceBuffer, SourceBufferPool } from './source-buffers';

// The libvips operation cache only pays off when the same image is processed repeatedly; here every
// image is new, so the cache would only hold on to memory between invocations.
sharp.cache(false);
// One libvips thread per pipeline: the outputs of an image already render concurrently (one pipeline
// each, on libuv's thread pool), and more threads would only add contention and malloc arenas.
sharp.concurrency(1);
// Uploads are untrusted: allow only the decoders for the raster formats users upload. Everything else
// (SVG via librsvg, PDF, FITS, Matlab, ...) is refused before any of its parser runs, and reported as
// NOT_AN_IMAGE. Uhdr is JPEG with an HDR gain map (recent Android phones).
sharp.block({ operation: ['VipsForeignLoad'] });
sharp.unblock({
  operation: [
    'VipsForeignLoadJpegBuffer',
    'VipsForeignLoadUhdrBuffer',
    'VipsForeignLoadPngBuffer',
    'VipsForeignLoadWebpBuffer',
    'VipsForeignLoadNsgifBuffer',
    'VipsForeignLoadHeifBuffer',
    'VipsForeignLoadTiffBuffer',
  ],
});

// ---------------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------------

export type ThumbnailFormat = 'jpeg' | 'webp' | 'avif';
export const SUPPORTED_FORMATS: readonly ThumbnailFormat[] = ['jpeg', 'webp', 'avif'];

/** The function's configuration, read from its environment once, at module load. */
export interface ThumbnailConfig {
  /** OUTPUT_BUCKET (required). */
  readonly outputBucket: string;
  /** OUTPUT_PREFIX. @default 'thumbnails/' */
  readonly outputPrefix: string;
  /** THUMBNAIL_WIDTHS, ascending, without duplicates. @default [128, 512] */
  readonly widths: readonly number[];
  /** THUMBNAIL_FORMATS, in the order given, without duplicates. @default ['jpeg', 'webp'] */
  readonly formats: readonly ThumbnailFormat[];
  /** MAX_INPUT_PIXELS: width x height as declared by the image header. @default 50_000_000 */
  readonly maxInputPixels: number;
  /** MAX_INPUT_BYTES: size of the uploaded object. @default 104_857_600 (100 MiB) */
  readonly maxInputBytes: number;
  /** JPEG_QUALITY, WEBP_QUALITY, AVIF_QUALITY (1-100). @default sharp's: jpeg 80, webp 80, avif 50 */
  readonly quality: { readonly [F in ThumbnailFormat]: number };
  /**
   * DEADLINE_MARGIN_MS: a record is started only while more than this is left before the function
   * times out; the rest of the batch is returned for a retry. One record's worst case. @default 10_000
   */
  readonly deadlineMarginMs: number;
  /**
   * DEAD_LETTER_QUEUE_URL: where a record that can never succeed is sent at once. Unset: such a record
   * fails like any other and reaches the dead-letter queue through the queue's redrive policy.
   */
  readonly deadLetterQueueUrl?: string;
}

export const DEFAULT_OUTPUT_PREFIX = 'thumbnails/';
export const DEFAULT_WIDTHS: readonly number[] = [128, 512];
export const DEFAULT_FORMATS: readonly ThumbnailFormat[] = ['jpeg', 'webp'];
export const DEFAULT_MAX_INPUT_PIXELS = 50_000_000;
export const DEFAULT_MAX_INPUT_BYTES = 100 * 1024 * 1024;
/**
 * One record's worst case at 1024 MB (about 0.58 vCPU): a 50-megapixel progressive JPEG takes about 1.5 s
 * of CPU to decode and render (3-5 s at that share of a core), a 100 MiB download 1-2 s, and the PUTs and
 * SDK retries the rest.
 */
export const DEFAULT_DEADLINE_MARGIN_MS = 10_000;
/** WebP cannot encode wider than this, so no configured width may exceed it. */
export const MAX_WIDTH = 16_383;

/** The environment (or, at run time, the source bucket) makes the function unusable. */
export class ThumbnailConfigError extends Error {
  public override readonly name = 'ThumbnailConfigError';
  constructor(public readonly problems: readonly string[]) {
    super(`thumbnail: invalid configuration: ${problems.join('; ')}`);
  }
}

/**
 * Parses and validates the environment contract, collecting every problem into one
 * {@link ThumbnailConfigError}. Unset and empty variables take their defaults, except OUTPUT_PREFIX,
 * where the empty string is a value (thumbnails at the root of OUTPUT_BUCKET).
 */
export function parseConfig(env: NodeJS.ProcessEnv): ThumbnailConfig {
  const problems: string[] = [];
  const value = (name: string) => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const int = (name: string, min: number, max: number, fallback: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
      return fallback;
    }
    return n;
  };
  const list = (name: string): string[] | undefined => value(name)?.split(',').map((s) => s.trim());

  const outputBucket = value('OUTPUT_BUCKET');
  if (outputBucket === undefined) problems.push('OUTPUT_BUCKET is required (the bucket thumbnails are written to)');

  const outputPrefix = env.OUTPUT_PREFIX ?? DEFAULT_OUTPUT_PREFIX;

  const widthItems = list('THUMBNAIL_WIDTHS');
  let widths = [...DEFAULT_WIDTHS];
  if (widthItems) {
    const bad = widthItems.filter((w) => !/^\d+$/.test(w) || Number(w) < 1 || Number(w) > MAX_WIDTH);
    if (bad.length > 0) {
      problems.push(`THUMBNAIL_WIDTHS must be a comma-separated list of integers from 1 to ${MAX_WIDTH}, got '${env.THUMBNAIL_WIDTHS}'`);
    } else {
      widths = [...new Set(widthItems.map(Number))].sort((a, b) => a - b);
    }
  }

  const formatItems = list('THUMBNAIL_FORMATS');
  let formats = [...DEFAULT_FORMATS];
  if (formatItems) {
    const bad = formatItems.filter((f) => !(SUPPORTED_FORMATS as readonly string[]).includes(f));
    if (bad.length > 0) {
      problems.push(`THUMBNAIL_FORMATS must be a comma-separated subset of ${SUPPORTED_FORMATS.join(',')}, got '${env.THUMBNAIL_FORMATS}'`);
    } else {
      formats = [...new Set(formatItems as ThumbnailFormat[])];
    }
  }

  const config: ThumbnailConfig = {
    outputBucket: outputBucket ?? '',
    outputPrefix,
    widths,
    formats,
    maxInputPixels: int('MAX_INPUT_PIXELS', 1, Number.MAX_SAFE_INTEGER, DEFAULT_MAX_INPUT_PIXELS),
    maxInputBytes: int('MAX_INPUT_BYTES', 1, Number.MAX_SAFE_INTEGER, DEFAULT_MAX_INPUT_BYTES),
    quality: {
      jpeg: int('JPEG_QUALITY', 1, 100, 80),
      webp: int('WEBP_QUALITY', 1, 100, 80),
      avif: int('AVIF_QUALITY', 1, 100, 50),
    },
    deadlineMarginMs: int('DEADLINE_MARGIN_MS', 0, 900_000, DEFAULT_DEADLINE_MARGIN_MS),
    ...(value('DEAD_LETTER_QUEUE_URL') ? { deadLetterQueueUrl: value('DEAD_LETTER_QUEUE_URL') } : {}),
  };
  if (problems.length > 0) throw new ThumbnailConfigError(problems);
  return config;
}

// ---------------------------------------------------------------------------------------------------
// S3 event notifications (as delivered in SQS message bodies)
// ---------------------------------------------------------------------------------------------------

/** Why an SQS message body is not a usable S3 event notification. Stable strings (logs, alarms). */
export type InvalidNotificationReason = 'INVALID_JSON' | 'NOT_AN_S3_NOTIFICATION' | 'INVALID_KEY';

export class InvalidNotificationError extends Error {
  public override readonly name = 'InvalidNotificationError';
  constructor(
    public readonly reason: InvalidNotificationReason,
    public readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

/** One record of an S3 event notification, with the object key decoded. */
export interface S3ObjectEvent {
  /** e.g. `ObjectCreated:Put`, `ObjectRemoved:Delete`. */
  readonly eventName: string;
  readonly bucket: string;
  /** The real object key (decoded). */
  readonly key: string;
  /** Object size in bytes, when the event carries it. */
  readonly size?: number;
}

/**
 * S3 URL-encodes object keys in event notifications, with `+` for spaces (a literal `+` arrives as `%2B`).
 */
export function decodeS3Key(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    throw new InvalidNotificationError('INVALID_KEY', `object key is not valid URL encoding: ${JSON.stringify(encoded)}`);
  }
}

/**
 * Parses an SQS message body written by an S3 event notification. The `s3:TestEvent` that S3 sends
 * when a notification configuration is created yields no records.
 */
export function parseNotification(body: string): S3ObjectEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new InvalidNotificationError('INVALID_JSON', `body is not JSON (${body.length} characters)`);
  }
  if (isObject(parsed) && parsed.Event === 's3:TestEvent') return [];
  if (!isObject(parsed) || !Array.isArray(parsed.Records)) {
    throw new InvalidNotificationError('NOT_AN_S3_NOTIFICATION', 'expected an object with a `Records` array or an s3:TestEvent');
  }
  return parsed.Records.map((record: unknown, i: number) => {
    const s3 = isObject(record) && isObject(record.s3) ? record.s3 : undefined;
    const bucket = s3 && isObject(s3.bucket) ? s3.bucket.name : undefined;
    const object = s3 && isObject(s3.object) ? s3.object : undefined;
    if (!isObject(record) || typeof record.eventName !== 'string' || typeof bucket !== 'string' || typeof object?.key !== 'string') {
      throw new InvalidNotificationError('NOT_AN_S3_NOTIFICATION', `Records[${i}] lacks eventName, s3.bucket.name or s3.object.key`);
    }
    return {
      eventName: record.eventName,
      bucket,
      key: decodeS3Key(object.key),
      ...(typeof object.size === 'number' ? { size: object.size } : {}),
    };
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------------
// Output keys and the recursion guard
// ---------------------------------------------------------------------------------------------------

const EXTENSIONS: { readonly [F in ThumbnailFormat]: string } = { jpeg: 'jpg', webp: 'webp', avif: 'avif' };
const CONTENT_TYPES: { readonly [F in ThumbnailFormat]: string } = { jpeg: 'image/jpeg', webp: 'image/webp', avif: 'image/avif' };

/**
 * `${prefix}${keyWithoutExtension}-${width}w.${ext}`, with the configured width (also when the image is
 * narrower and was not enlarged), so the keys are predictable from the source key alone.
 * Only the last segment's extension is removed: `a.b/c` keeps its dot, `dir/.profile` is kept whole.
 */
export function thumbnailKey(sourceKey: string, width: number, format: ThumbnailFormat, prefix: string): string {
  const slash = sourceKey.lastIndexOf('/');
  const dot = sourceKey.lastIndexOf('.');
  const stem = dot > slash + 1 ? sourceKey.slice(0, dot) : sourceKey;
  return `${prefix}${stem}-${width}w.${EXTENSIONS[format]}`;
}

/** True for the function's own output: thumbnails must not trigger thumbnails of themselves. */
export function isOwnOutput(bucket: string, key: string, config: ThumbnailConfig): boolean {
  return bucket === config.outputBucket && key.startsWith(config.outputPrefix);
}

// ---------------------------------------------------------------------------------------------------
// Rendering (pure: bytes in, thumbnails out)
// ---------------------------------------------------------------------------------------------------

/** Why an object is rejected as an image. Stable strings: they appear in logs and alarms filter on them. */
export type InvalidImageReason = 'NOT_AN_IMAGE' | 'TOO_LARGE' | 'TOO_MANY_PIXELS' | 'CORRUPT';

/** The object cannot be made into thumbnails, and retrying will not change that; nothing was written. */
export class InvalidImageError extends Error {
  public override readonly name = 'InvalidImageError';
  constructor(
    public readonly reason: InvalidImageReason,
    public readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

export interface Thumbnail {
  /** The configured width this thumbnail is for (part of its key). */
  readonly targetWidth: number;
  readonly format: ThumbnailFormat;
  readonly contentType: string;
  /** Actual pixel size: the target width, or the source's when it is narrower (never enlarged). */
  readonly width: number;
  readonly height: number;
  readonly data: Buffer;
}

/**
 * Decodes the image once and renders every configured width x format, in memory. Throws
 * {@link InvalidImageError} for anything that is not a decodable image within the pixel limit.
 * (MAX_INPUT_BYTES is enforced before the bytes are downloaded, by {@link processObject}.)
 *
 * Decoding is the expensive step, and for JPEG it is cheapest at a reduced scale (libjpeg decodes at
 * 1/2, 1/4 or 1/8 directly: "shrink-on-load"). So the source is decoded, auto-oriented and reduced once,
 * to the largest thumbnail, into raw pixels; every thumbnail is resized and encoded from those.
 * (Cloning one sharp instance per output would decode the source once per output.)
 */
export async function renderThumbnails(input: Uint8Array, config: ThumbnailConfig): Promise<Thumbnail[]> {
  return Promise.all(await startRendering(input, config));
}

/** What an image's header declares, read before any of its pixels is decoded. */
interface ImageHeader {
  /** sharp's name for the format, e.g. `jpeg`. */
  readonly format: string;
  /** Width and height once auto-oriented (EXIF orientations 5-8 swap them). */
  readonly width: number;
  readonly height: number;
}

/**
 * Reads the header alone and checks it: the pixel limit is enforced here, before anything is
 * decompressed, so that a small file declaring huge dimensions (a decompression bomb) costs nothing.
 * Throws {@link InvalidImageError}.
 */
async function readHeader(input: Uint8Array, config: ThumbnailConfig): Promise<ImageHeader> {
  if (input.length === 0) throw new InvalidImageError('NOT_AN_IMAGE', 'the object is empty');
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new InvalidImageError(/unsupported image format|empty/i.test(errorMessage(e)) ? 'NOT_AN_IMAGE' : 'CORRUPT', errorMessage(e));
  }
  const { width, height } = meta.autoOrient;
  if (!(width > 0 && height > 0)) throw new InvalidImageError('CORRUPT', `${meta.format} header declares no dimensions`);
  if (width * height > config.maxInputPixels) {
    throw new InvalidImageError(
      'TOO_MANY_PIXELS',
      `${meta.format} of ${width} x ${height} = ${width * height} pixels exceeds MAX_INPUT_PIXELS ${config.maxInputPixels}`,
    );
  }
  return { format: meta.format, width, height };
}

/**
 * {@link renderThumbnails} in two steps: resolves once the source is decoded (rejecting with
 * {@link InvalidImageError} as renderThumbnails does), with one promise per output, in the order of
 * `config.widths` x `config.formats`, each resolving as soon as that output is encoded. The outputs differ
 * a lot in cost (a 512-pixel WebP takes several times as long as a 128-pixel JPEG), so the caller can
 * write the first ones while the last is still being encoded.
 *
 * Given the `header` (from {@link readHeader}, read when the object was downloaded), the decode is
 * submitted to sharp before this returns: no round trip through the event loop comes first.
 */
async function startRendering(input: Uint8Array, config: ThumbnailConfig, header?: ImageHeader): Promise<Promise<Thumbnail>[]> {
  const { format: sourceFormat, width: sourceWidth, height: sourceHeight } = header ?? (await readHeader(input, config));

  // Sizes are computed from the source, not chained through the intermediate, so each thumbnail's
  // height is round(width x source aspect ratio) exactly.
  const sizeFor = (width: number) => {
    const w = Math.min(width, sourceWidth);
    return { width: w, height: Math.max(1, Math.round((sourceHeight * w) / sourceWidth)) };
  };
  const largest = sizeFor(Math.max(...config.widths));

  // The one decode. failOn stays at sharp's default ('warning', recommended for untrusted input): a
  // truncated or damaged file is rejected rather than turned into a half-grey thumbnail.
  let pixels: { data: Buffer; info: OutputInfo };
  try {
    pixels = await sharp(input, { limitInputPixels: config.maxInputPixels })
      .autoOrient()
      .resize({ ...largest, fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    const reason = /exceeds pixel limit/i.test(errorMessage(e)) ? 'TOO_MANY_PIXELS' : 'CORRUPT';
    throw new InvalidImageError(reason, `${sourceFormat}: ${errorMessage(e)}`);
  }
  const raw = { width: pixels.info.width, height: pixels.info.height, channels: pixels.info.channels };

  // Everything below works on decoded pixels: a failure here is not the image's fault, so it is not
  // reported as an InvalidImageError (the record is retried as for any unexpected error).
  const outputs = config.widths.flatMap((targetWidth) =>
    config.formats.map(async (format): Promise<Thumbnail> => {
      const size = sizeFor(targetWidth);
      let image = sharp(pixels.data, { raw });
      if (size.width !== raw.width || size.height !== raw.height) image = image.resize({ ...size, fit: 'fill' });
      const { data, info } = await encode(image, format, config.quality[format]).toBuffer({ resolveWithObject: true });
      return { targetWidth, format, contentType: CONTENT_TYPES[format], width: info.width, height: info.height, data };
    }),
  );
  // The caller may await these only later (an object rendered ahead of its record): a failure is
  // rethrown to it then, and is never an unhandled rejection meanwhile.
  for (const output of outputs) output.catch(() => undefined);
  return outputs;
}

// Output carries no metadata (sharp's default): no EXIF, so no GPS position from the photo, and no
// Orientation tag that a viewer could apply a second time.
function encode(image: Sharp, format: ThumbnailFormat, quality: number): Sharp {
  switch (format) {
    case 'jpeg':
      // JPEG has no alpha: transparent areas would otherwise come out black.
      return image.flatten({ background: '#ffffff' }).jpeg({ quality });
    case 'webp':
      return image.webp({ quality });
    case 'avif':
      return image.avif({ quality });
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------------------------------------------
// S3 I/O and batch processing
// ---------------------------------------------------------------------------------------------------

// POWERTOOLS_SERVICE_NAME (set by the construct) wins; the default keeps logs attributable elsewhere.
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'thumbnail' });
// Configured only by the standard environment (AWS_REGION, credentials, AWS_ENDPOINT_URL), so the
// code under test is exactly the code that runs in Lambda. cacheMiddleware: resolve the middleware
// stack once per command class, not per request (nothing here changes it after the first request).
const s3 = new S3Client({ cacheMiddleware: true });
const sqs = new SQSClient({});
// Read once: a misconfigured function fails at init, with every problem in one message, instead of
// failing each record.
const CONFIG = parseConfig(process.env);
/**
 * Where downloaded objects are read to, reused from one object to the next (see source-buffers.ts).
 * At most two are in use at once (one decoding, one downloading ahead) and two kept free, each at most
 * 16 MiB: larger objects get memory of their own. Exported for diagnostics and tests.
 */
export const SOURCE_BUFFERS = new SourceBufferPool();

export type ObjectOutcome =
  | { readonly status: 'written'; readonly keys: readonly string[] }
  /** OWN_OUTPUT: the recursion guard; GONE: deleted before it was processed; NOT_CREATED: not an ObjectCreated event. */
  | { readonly status: 'skipped'; readonly reason: 'OWN_OUTPUT' | 'GONE' | 'NOT_CREATED' };

/** An object in memory, its header read and checked: all a decode needs. */
interface Downloaded {
  readonly source: SourceBuffer;
  readonly header: ImageHeader;
}
/** The object downloaded, or undefined when it no longer exists. */
type Download = Promise<Downloaded | undefined>;
/** The object decoded, with one promise per output (see startRendering), or undefined when it no longer exists. */
type Rendering = Promise<Promise<Thumbnail>[] | undefined>;

/** Starts decoding a downloaded object now; its memory goes back to the pool once the decode is over. */
function renderDownloaded(downloaded: Downloaded | undefined, config: ThumbnailConfig): Rendering {
  if (downloaded === undefined) return Promise.resolve(undefined);
  const { source, header } = downloaded;
  return startRendering(source.bytes, config, header).finally(source.release);
}

/** Decodes the download once it arrives. */
function renderDownload(download: Download, config: ThumbnailConfig): Rendering {
  return download.then((downloaded) => renderDownloaded(downloaded, config));
}

/**
 * The checks that need no download: returns why the event is skipped, undefined when it is to be
 * processed, or throws when it must fail.
 */
function precheck(event: S3ObjectEvent, config: ThumbnailConfig): ObjectOutcome | undefined {
  const { bucket, key } = event;
  if (!event.eventName.startsWith('ObjectCreated:')) return { status: 'skipped', reason: 'NOT_CREATED' };
  if (bucket === config.outputBucket && config.outputPrefix === '') {
    // Every object in the bucket would look like a source, including each thumbnail written here.
    throw new ThumbnailConfigError([`OUTPUT_PREFIX is empty but the source bucket '${bucket}' is OUTPUT_BUCKET: thumbnails would trigger thumbnails`]);
  }
  if (isOwnOutput(bucket, key, config)) return { status: 'skipped', reason: 'OWN_OUTPUT' };
  // Rejected from the event when possible: a huge object is never downloaded.
  if (event.size !== undefined && event.size > config.maxInputBytes) {
    throw new InvalidImageError('TOO_LARGE', `${event.size} bytes exceeds MAX_INPUT_BYTES ${config.maxInputBytes}`);
  }
  return undefined;
}

/**
 * Asks V8 for a young-generation collection (a scavenge) where node exposes `gc`, as Lambda's Node.js
 * runtime does (it starts node with --expose-gc); elsewhere does nothing. Called once a download is
 * copied out: the socket's chunks, about the object's size, are garbage from then on, but V8 counts
 * them against the old generation's limit until they are collected, so with them around it starts full
 * collections (which mark the whole heap) about twice as often. A scavenge frees them at once and costs
 * far less.
 */
function collectYoungGarbage(): void {
  const { gc } = globalThis as { gc?: unknown };
  if (typeof gc === 'function') gc({ type: 'minor' });
}

/**
 * GETs the object into memory and reads its header, so that a prefetched object is checked and ready to
 * decode before its turn (see {@link Prefetcher}). Throws {@link InvalidImageError} for an object that
 * is not an image within the limits, with its memory handed back.
 */
async function download({ bucket, key }: S3ObjectEvent, config: ThumbnailConfig): Download {
  let source: SourceBuffer;
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (res.ContentLength !== undefined && res.ContentLength > config.maxInputBytes) {
      (res.Body as { destroy?: () => void } | undefined)?.destroy?.();
      throw new InvalidImageError('TOO_LARGE', `${res.ContentLength} bytes exceeds MAX_INPUT_BYTES ${config.maxInputBytes}`);
    }
    source =
      res.ContentLength === undefined
        ? { bytes: Buffer.from(await res.Body!.transformToByteArray()), release: () => undefined }
        : await readBody(res.Body as AsyncIterable<Uint8Array>, res.ContentLength, `s3://${bucket}/${key}`);
  } catch (e) {
    // Deleted since the upload: nothing to do, and retrying cannot help. (Without s3:ListBucket, S3
    // answers AccessDenied instead, which is retried like any other error.)
    if (e instanceof NoSuchKey) return undefined;
    throw e;
  }
  try {
    return { source, header: await readHeader(source.bytes, config) };
  } catch (e) {
    source.release();
    throw e;
  }
}

/** Reads a response body of `length` bytes into memory from {@link SOURCE_BUFFERS}. */
async function readBody(body: AsyncIterable<Uint8Array>, length: number, object: string): Promise<SourceBuffer> {
  const source = SOURCE_BUFFERS.acquire(length);
  let offset = 0;
  try {
    for await (const chunk of body) {
      if (chunk.length > length - offset) throw new Error(`GET ${object}: the body is longer than its Content-Length, ${length} bytes`);
      source.bytes.set(chunk, offset);
      offset += chunk.length;
    }
    // Not an InvalidImageError: a cut-off download is retried like any other I/O error.
    if (offset !== length) throw new Error(`GET ${object}: the body ended after ${offset} of its ${length} bytes`);
    collectYoungGarbage();
    return source;
  } catch (e) {
    source.release(); // nothing writes to it any more: the loop above was the only writer
    throw e;
  }
}

/**
 * The per-object work: GET the source, decode it once, then encode every thumbnail and PUT each one as
 * soon as it is encoded, so the uploads of the quick outputs overlap the encoding of the slow ones.
 * A rejected image throws {@link InvalidImageError} before anything is written (images are rejected
 * by the decode, and nothing is written before it succeeds).
 */
export async function processObject(event: S3ObjectEvent, config: ThumbnailConfig = CONFIG): Promise<ObjectOutcome> {
  return processObjectFrom(event, config, () => renderDownload(download(event, config), config));
}

/**
 * `onEncoded` is called once every output is encoded (or has failed), while the last PUTs may still be
 * in flight: from then on this object needs no more CPU.
 */
async function processObjectFrom(
  event: S3ObjectEvent,
  config: ThumbnailConfig,
  source: () => Rendering,
  onEncoded?: () => void,
): Promise<ObjectOutcome> {
  const skip = precheck(event, config);
  if (skip) return skip;
  const outputs = await source();
  if (outputs === undefined) return { status: 'skipped', reason: 'GONE' };

  if (onEncoded) {
    // Registered before the uploads below: when the last output is encoded, onEncoded runs first, so the
    // next decode is under way before this object's last PUT and the next GET take the event loop.
    let encoding = outputs.length;
    const settled = () => {
      if (--encoding === 0) onEncoded();
    };
    for (const output of outputs) output.then(settled, settled);
  }
  const written = await Promise.allSettled(
    outputs.map(async (output) => {
      const t = await output;
      const key = thumbnailKey(event.key, t.targetWidth, t.format, config.outputPrefix);
      await s3.send(new PutObjectCommand({ Bucket: config.outputBucket, Key: key, Body: t.data, ContentType: t.contentType }));
      return key;
    }),
  );
  // Settled, not Promise.all: the record fails only once no request of its own is still in flight. An
  // encode or PUT failure can leave some of the thumbnails written; the retry overwrites them.
  const failure = written.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return { status: 'written', keys: written.map((r) => (r as PromiseFulfilledResult<string>).value) };
}

interface PrefetchEntry {
  readonly download: Download;
  /** How the download ended, once it has. */
  outcome?: { readonly downloaded: Downloaded | undefined } | { readonly error: unknown };
  rendering?: Rendering;
}

/**
 * Works ahead, so that S3 latency hides behind CPU work instead of adding to it:
 * - the next record's objects are downloaded, and their headers read, while the current one renders
 *   ({@link start});
 * - once the current object is fully encoded, the next one's decode is handed to sharp at once
 *   ({@link render}), before the current object's last uploads are even sent, so the wait for those
 *   uploads is not idle either; then the record after it starts downloading.
 * At most one (compressed) source is held besides the one being decoded, and an image is never decoded
 * before the previous one is done with the CPU: at most one image is decoded at a time.
 */
class Prefetcher {
  private readonly pending = new Map<string, PrefetchEntry>();

  constructor(private readonly config: ThumbnailConfig) {}

  /** Starts downloading what `record` will need; anything the record will not download is left alone. */
  start(record: SQSRecord | undefined): void {
    for (const event of this.eventsToDownload(record)) {
      const id = `${event.bucket}/${event.key}`;
      if (this.pending.has(id)) continue;
      const entry: PrefetchEntry = { download: download(event, this.config) };
      // The outcome is kept for render(), and the error rethrown to whoever takes it: never an unhandled rejection.
      entry.download.then(
        (downloaded) => (entry.outcome = { downloaded }),
        (error: unknown) => (entry.outcome = { error }),
      );
      this.pending.set(id, entry);
    }
  }

  /**
   * Starts rendering the first object `record` will need: at once when its download (started by
   * {@link start}) is complete, as it usually is by then, or else as soon as it is. Only the first:
   * S3 notifications hold one object, and rendering two ahead would decode two at once.
   */
  render(record: SQSRecord | undefined): void {
    const [event] = this.eventsToDownload(record);
    const entry = event && this.pending.get(`${event.bucket}/${event.key}`);
    if (!entry || entry.rendering) return;
    const { outcome } = entry;
    if (outcome === undefined) entry.rendering = renderDownload(entry.download, this.config);
    else if ('error' in outcome) entry.rendering = Promise.reject(outcome.error);
    else entry.rendering = renderDownloaded(outcome.downloaded, this.config);
    entry.rendering.catch(() => undefined); // rethrown to whoever takes it, as for the download
  }

  /** The rendering started for `event`, or one from the download started for it, or from a new download. */
  take(event: S3ObjectEvent): Rendering {
    const id = `${event.bucket}/${event.key}`;
    const entry = this.pending.get(id);
    this.pending.delete(id);
    return entry?.rendering ?? renderDownload(entry?.download ?? download(event, this.config), this.config);
  }

  /** Forgets what was fetched ahead and was not taken, handing its memory back once its download ends. */
  clear(): void {
    for (const entry of this.pending.values()) {
      // a rendering hands its memory back itself, once its decode is over
      if (!entry.rendering) entry.download.then((downloaded) => downloaded?.source.release(), () => undefined);
    }
    this.pending.clear();
  }

  private eventsToDownload(record: SQSRecord | undefined): S3ObjectEvent[] {
    if (!record) return [];
    let events: S3ObjectEvent[];
    try {
      events = parseNotification(record.body);
    } catch {
      return []; // reported when the record itself is processed
    }
    return events.filter((event) => {
      try {
        return precheck(event, this.config) === undefined;
      } catch {
        return false;
      }
    });
  }
}

/**
 * Whether a record may still be started: only while more than the margin is left before the function
 * times out. A timeout fails the whole batch, good records included, and each timeout counts as a
 * receive towards the dead-letter queue; a record not started is instead returned for a retry, alone.
 * Once a record is refused, so is every later one (the batch stops in order).
 */
class Deadline {
  private passed = false;

  constructor(
    private readonly context: Context | undefined,
    private readonly marginMs: number,
  ) {}

  allowsStart(): boolean {
    if (!this.passed && this.context !== undefined && this.context.getRemainingTimeInMillis() <= this.marginMs) this.passed = true;
    return !this.passed;
  }
}

/** The record was not started: too little time was left. It is returned for a retry. */
class DeadlineError extends Error {
  public override readonly name = 'DeadlineError';
}

/** True for a record that no retry can make succeed: the object or the message itself is unusable. */
function isPermanent(e: unknown): e is InvalidImageError | InvalidNotificationError {
  return e instanceof InvalidImageError || e instanceof InvalidNotificationError;
}

/**
 * Sends the record's message, body and attributes unchanged, to the dead-letter queue, so that it is
 * there after one receive instead of after maxReceiveCount downloads and failures. SQS cannot move a
 * message itself from a partial batch response, hence the copy; the original is then deleted as a
 * processed record. If the copy cannot be sent, the record fails instead, and is retried.
 */
async function deadLetter(record: SQSRecord, reason: string, config: ThumbnailConfig): Promise<void> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, a] of Object.entries(record.messageAttributes)) {
    attributes[name] = {
      DataType: a.dataType,
      ...(a.stringValue !== undefined ? { StringValue: a.stringValue } : {}),
      ...(a.binaryValue !== undefined ? { BinaryValue: Buffer.from(a.binaryValue, 'base64') } : {}),
    };
  }
  let sent;
  try {
    sent = await sqs.send(new SendMessageCommand({
      QueueUrl: config.deadLetterQueueUrl,
      MessageBody: record.body,
      ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
    }));
  } catch (e) {
    logger.error('Dead-letter send failed; the record will be retried', { messageId: record.messageId, reason, error: e as Error });
    throw e;
  }
  logger.warn('Record sent to the dead-letter queue', { messageId: record.messageId, reason, deadLetterMessageId: sent.MessageId });
}

/** Powertools record handler: throwing marks the record failed in the partial batch response. */
async function handleRecord(
  record: SQSRecord,
  config: ThumbnailConfig,
  prefetcher: Prefetcher,
  nextOf: (record: SQSRecord) => SQSRecord | undefined,
  deadline: Deadline,
): Promise<ObjectOutcome[]> {
  const next = nextOf(record);
  let events: S3ObjectEvent[];
  try {
    events = parseNotification(record.body);
  } catch (e) {
    logger.error('Record rejected', { messageId: record.messageId, reason: reasonOf(e), error: e as Error });
    if (config.deadLetterQueueUrl === undefined) throw e;
    await deadLetter(record, reasonOf(e), config);
    return [];
  }
  if (events.length === 0) logger.info('S3 test event ignored', { messageId: record.messageId });
  const outcomes: ObjectOutcome[] = [];
  for (const [i, event] of events.entries()) {
    const context = { messageId: record.messageId, bucket: event.bucket, key: event.key };
    const last = i === events.length - 1;
    try {
      const outcome = await processObjectFrom(
        event,
        config,
        () => {
          const rendering = prefetcher.take(event);
          if (deadline.allowsStart()) prefetcher.start(next); // after this record's own GET, to overlap the next one with this render
          return rendering;
        },
        // the next record's object is decoded while this one's last thumbnails upload, and the one after
        // it starts downloading, to be there when that decode is done
        last
          ? () => {
              if (!deadline.allowsStart()) return;
              prefetcher.render(next);
              prefetcher.start(next && nextOf(next));
            }
          : undefined,
      );
      if (outcome.status === 'skipped') logger.info('Object skipped', { ...context, reason: outcome.reason, eventName: event.eventName });
      else logger.debug('Thumbnails written', { ...context, keys: outcome.keys });
      outcomes.push(outcome);
    } catch (e) {
      logger.error('Object rejected', { ...context, reason: reasonOf(e), error: e as Error });
      if (!isPermanent(e) || config.deadLetterQueueUrl === undefined) throw e;
      await deadLetter(record, reasonOf(e), config);
      return outcomes;
    }
  }
  return outcomes;
}

function reasonOf(e: unknown): string {
  if (e instanceof InvalidImageError || e instanceof InvalidNotificationError) return e.reason;
  if (e instanceof ThumbnailConfigError) return 'CONFIGURATION';
  return 'UNEXPECTED_ERROR';
}

export interface ProcessBatchOptions {
  /** The invocation's context: its remaining time stops the batch before the timeout. @default - no deadline */
  readonly context?: Context;
  /** @default - the configuration read from the environment at module load */
  readonly config?: ThumbnailConfig;
}

/**
 * Processes one SQS batch of S3 event notifications and returns the partial batch response
 * (`ReportBatchItemFailures`): a record fails alone, and never the whole batch, even when every record fails.
 *
 * Records are processed one after the other so that at most one image is decoded at a time: an
 * out-of-memory crash would fail the whole batch, good records included. The outputs of each image are
 * rendered in parallel, which is where the CPU time goes, and the next record's object is downloaded
 * meanwhile; it is decoded once the current image is encoded, while its last thumbnails upload.
 *
 * A record is started only while more than `deadlineMarginMs` is left of the invocation (see
 * {@link Deadline}); the records not started are returned as failures, to be retried. A record that can
 * never succeed (not an image or not a supported one, over a limit, corrupt, not an S3 notification)
 * is sent to the dead-letter queue at once when `deadLetterQueueUrl` is set, and reported processed.
 */
export async function processBatch(event: SQSEvent, options: ProcessBatchOptions = {}): Promise<SQSBatchResponse> {
  const config = options.config ?? CONFIG;
  const prefetcher = new Prefetcher(config);
  const deadline = new Deadline(options.context, config.deadlineMarginMs);
  const next = new Map(event.Records.map((r, i) => [r.messageId, event.Records[i + 1]]));
  const nextOf = (record: SQSRecord) => next.get(record.messageId);
  const notStarted: string[] = [];
  const recordHandler = async (record: SQSRecord) => {
    if (deadline.allowsStart()) return handleRecord(record, config, prefetcher, nextOf, deadline);
    notStarted.push(record.messageId);
    throw new DeadlineError(`not started: ${config.deadlineMarginMs} ms or less left before the timeout`);
  };
  let response: SQSBatchResponse;
  try {
    response = await processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
      context: options.context,
      throwOnFullBatchFailure: false,
      processInParallel: false,
    });
  } finally {
    prefetcher.clear();
  }
  if (notStarted.length > 0) {
    logger.warn('Deadline near: records not started are returned for a retry', { notStarted, marginMs: config.deadlineMarginMs });
  }
  logBatchFailures(logger, event, response);
  return response;
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  return processBatch(event, { context });
};
