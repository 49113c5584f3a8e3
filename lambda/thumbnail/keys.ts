/**
 * Output keys and the recursion guard.
 */
import type { ThumbnailConfig, ThumbnailFormat } from './config';

const EXTENSIONS: { readonly [F in ThumbnailFormat]: string } = { jpeg: 'jpg', webp: 'webp', avif: 'avif' };

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
