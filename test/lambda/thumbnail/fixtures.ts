/**
 * Shared fixtures of the thumbnail handler's tests: images generated here (no binary fixtures), and
 * `useThumbnailHandler()`, the handler module loaded against a local S3 and SQS server with the
 * environment of these tests.
 */
import { deflateSync, crc32 } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import sharp, { type Sharp } from 'sharp';
import { type CapturedLogs, useCapturedLogs } from '../../support/captured-logs';
import { useLocalAws } from '../../support/local-aws';
import { toSqsRecord } from '../../support/sqs-event-source';

export type ThumbnailModule = typeof import('../../../lambda/thumbnail');

// The function's environment for the handler tests: thumbnails under `thumbnails/` in the upload bucket
// itself, the layout where the recursion guard matters.
export const BUCKET = 'media';
export const ENV = {
  OUTPUT_BUCKET: BUCKET,
  THUMBNAIL_WIDTHS: '128,512',
  THUMBNAIL_FORMATS: 'jpeg,webp',
};
export const WIDTHS = [128, 512];
export const FORMATS = [
  { format: 'jpeg', ext: 'jpg', contentType: 'image/jpeg' },
  { format: 'webp', ext: 'webp', contentType: 'image/webp' },
] as const;

/** A photo-like image (noise over a solid colour) so encoders do real work. */
export function noisy(width: number, height: number, channels: 3 | 4 = 3): Sharp {
  return sharp({ create: { width, height, channels, background: '#4080c0', noise: { type: 'gaussian', mean: 128, sigma: 40 } } });
}

/** Left half red, right half blue: shows which way an image was turned. */
export function redLeftBlueRight(width: number, height: number): Sharp {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) px.set(x < width / 2 ? [255, 0, 0] : [0, 0, 255], (y * width + x) * 3);
  }
  return sharp(px, { raw: { width, height, channels: 3 } });
}

/** A valid PNG whose header declares `width` x `height`, with a few bytes of image data: a decompression bomb's shape, cheaply. */
export function pngDeclaring(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The RGB value at (x, y). */
export async function pixelAt(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i], data[i + 1], data[i + 2]];
}

export const isRed = ([r, g, b]: number[]) => r > 200 && g < 60 && b < 60;
export const isBlue = ([r, g, b]: number[]) => r < 60 && g < 60 && b > 200;

export const failedIds = (r: SQSBatchResponse) => r.batchItemFailures.map((f) => f.itemIdentifier).sort();

export function expectRejected(promise: Promise<unknown>, name: string, reason: string): Promise<void> {
  return expect(promise).rejects.toEqual(expect.objectContaining({ name, reason }));
}

/** The keys the test environment's configuration writes for a source key. */
export const expectedKeys = (sourceKey: string, prefix = 'thumbnails/') =>
  WIDTHS.flatMap((w) => FORMATS.map((f) => `${prefix}${sourceKey.replace(/\.[^./]+$/, '')}-${w}w.${f.ext}`)).sort();

/** The handler module and the local AWS it runs against; each member is valid once `beforeAll` has run. */
export interface ThumbnailHandlerFixture {
  /** The handler module (lambda/thumbnail/index.ts), loaded with {@link ENV}. */
  readonly mod: ThumbnailModule;
  /** Clients for test code, on the local server. */
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  /** The handler's log lines of the current test. */
  readonly logs: CapturedLogs;
  /** Uploads `body` (to {@link BUCKET} by default) and returns its size. */
  upload(key: string, body: Buffer, bucket?: string): Promise<number>;
  /** One SQS record per entry, as the event source mapping delivers them; the record's messageId is its label. */
  sqsEvent(records: Record<string, string>): SQSEvent;
  listKeys(bucket: string, prefix: string): Promise<string[]>;
  getObject(bucket: string, key: string): Promise<{ body: Buffer; contentType?: string }>;
}

/**
 * Registers the hooks that start a local S3 and SQS server, set {@link ENV}, load the handler module
 * (after the server is up: its clients read AWS_ENDPOINT_URL when they are created) and create the
 * buckets `media`, `uploads` and `thumbs`. Call it at the top level of a test file.
 */
export function useThumbnailHandler(): ThumbnailHandlerFixture {
  const aws = useLocalAws();
  const logs = useCapturedLogs();
  const savedEnv: Record<string, string | undefined> = {};
  let mod: ThumbnailModule | undefined;
  let s3: S3Client | undefined;
  let sqs: SQSClient | undefined;
  const loaded = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useThumbnailHandler: used before its beforeAll hook has run');
    return value;
  };

  beforeAll(async () => {
    for (const [k, v] of Object.entries(ENV)) {
      savedEnv[k] = process.env[k];
      process.env[k] = v;
    }
    mod = await import('../../../lambda/thumbnail');
    s3 = aws.s3();
    sqs = aws.sqs();
    for (const bucket of [BUCKET, 'uploads', 'thumbs']) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  afterAll(() => {
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  return {
    get mod() {
      return loaded(mod);
    },
    get s3() {
      return loaded(s3);
    },
    get sqs() {
      return loaded(sqs);
    },
    logs,
    async upload(key, body, bucket = BUCKET) {
      await loaded(s3).send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      return body.length;
    },
    sqsEvent(records) {
      return {
        Records: Object.entries(records).map(([id, body]) =>
          toSqsRecord({ MessageId: id, ReceiptHandle: `rh-${id}`, Body: body }, 'arn:aws:sqs:us-east-1:000000000000:thumbnail-jobs'),
        ),
      };
    },
    async listKeys(bucket, prefix) {
      const { Contents = [] } = await loaded(s3).send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return Contents.map((c) => c.Key!).sort();
    },
    async getObject(bucket, key) {
      const res = await loaded(s3).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { body: Buffer.from(await res.Body!.transformToByteArray()), contentType: res.ContentType };
    },
  };
}
