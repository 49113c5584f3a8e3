/**
 * Rendering, pure: image bytes in, thumbnails out.
 */
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import type { ThumbnailConfig, ThumbnailFormat } from './config';

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

const CONTENT_TYPES: { readonly [F in ThumbnailFormat]: string } = { jpeg: 'image/jpeg', webp: 'image/webp', avif: 'image/avif' };

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
 * (MAX_INPUT_BYTES is enforced before the bytes are downloaded: download.ts.)
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
export interface ImageHeader {
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
export async function readHeader(input: Uint8Array, config: ThumbnailConfig): Promise<ImageHeader> {
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
export async function startRendering(input: Uint8Array, config: ThumbnailConfig, header?: ImageHeader): Promise<Promise<Thumbnail>[]> {
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
