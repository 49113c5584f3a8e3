/**
 * The function's configuration: the environment contract, its defaults and its validation.
 */

export type ThumbnailFormat = 'jpeg' | 'webp' | 'avif';
export const SUPPORTED_FORMATS: readonly ThumbnailFormat[] = ['jpeg', 'webp', 'avif'];

/** The function's configuration, read from its environment (see `configFromEnvironment` in index.ts). */
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
 * One record's worst case at the construct's default memory size: the largest image the default limits
 * allow, decoded and rendered on a fraction of a core, plus its download and uploads (docs/benchmarks.md).
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
    // Stryker disable next-line ConditionalExpression: equivalent, an undefined v is returned as undefined by either branch
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
    // Stryker disable next-line StringLiteral: equivalent, without OUTPUT_BUCKET the config is never returned (a problem is thrown)
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
