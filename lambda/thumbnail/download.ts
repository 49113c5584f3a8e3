/**
 * Getting an object into memory: the checks that need no download, the GET, and its body read into
 * reused memory with the image header checked.
 */
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { type ThumbnailConfig, ThumbnailConfigError } from './config';
import { isOwnOutput } from './keys';
import type { S3ObjectEvent } from './notification';
import { type ImageHeader, InvalidImageError, readHeader } from './render';
import { type SourceBuffer, SourceBufferPool } from './source-buffers';

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
export interface Downloaded {
  readonly source: SourceBuffer;
  readonly header: ImageHeader;
}
/** The object downloaded, or undefined when it no longer exists. */
export type Download = Promise<Downloaded | undefined>;

/**
 * The checks that need no download: returns why the event is skipped, undefined when it is to be
 * processed, or throws when it must fail.
 */
export function precheck(event: S3ObjectEvent, config: ThumbnailConfig): ObjectOutcome | undefined {
  const { bucket, key } = event;
  if (!event.eventName.startsWith('ObjectCreated:')) return { status: 'skipped', reason: 'NOT_CREATED' };
  if (bucket === config.outputBucket && config.outputPrefix === '') {
    // Every object in the bucket would look like a source, including each thumbnail written here.
    throw new ThumbnailConfigError([`OUTPUT_PREFIX is empty but the source bucket '${bucket}' is OUTPUT_BUCKET: thumbnails would trigger thumbnails`]);
  }
  if (isOwnOutput(bucket, key, config)) return { status: 'skipped', reason: 'OWN_OUTPUT' };
  // Rejected from the event when possible: a huge object is never downloaded.
  // Stryker disable next-line ConditionalExpression: equivalent, undefined > n is false
  if (event.size !== undefined && event.size > config.maxInputBytes) {
    throw new InvalidImageError('TOO_LARGE', `${event.size} bytes exceeds MAX_INPUT_BYTES ${config.maxInputBytes}`);
  }
  return undefined;
}

/**
 * Asks V8 for a young-generation collection (a scavenge) where node exposes `gc`, as Lambda's Node.js
 * runtime does (it starts node with --expose-gc); elsewhere does nothing. Called once a download is
 * copied out: the socket's chunks, about the object's size, are garbage from then on, but V8 counts
 * them against the old generation's limit until they are collected, which brings on full collections
 * (they mark the whole heap). A scavenge frees them at once and costs far less.
 */
function collectYoungGarbage(): void {
  const { gc } = globalThis as { gc?: unknown };
  if (typeof gc === 'function') gc({ type: 'minor' });
}

/**
 * GETs the object into memory and reads its header, so that a prefetched object is checked and ready to
 * decode before its turn (see `Prefetcher` in prefetch.ts). Throws {@link InvalidImageError} for an object that
 * is not an image within the limits, with its memory handed back.
 */
export async function download(s3: S3Client, { bucket, key }: S3ObjectEvent, config: ThumbnailConfig): Download {
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
export async function readBody(body: AsyncIterable<Uint8Array>, length: number, object: string): Promise<SourceBuffer> {
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
