/**
 * Working ahead of the batch: the next record's object downloaded, and decoded, while the current one
 * is rendered and uploaded.
 */
import type { SQSRecord } from 'aws-lambda';
import type { ThumbnailConfig } from './config';
import { type Download, type Downloaded, precheck } from './download';
import { parseNotification, type S3ObjectEvent } from './notification';
import { startRendering, type Thumbnail } from './render';

/** The object decoded, with one promise per output (see startRendering), or undefined when it no longer exists. */
export type Rendering = Promise<Promise<Thumbnail>[] | undefined>;

/** Starts decoding a downloaded object now; its memory goes back to the pool once the decode is over. */
export function renderDownloaded(downloaded: Downloaded | undefined, config: ThumbnailConfig): Rendering {
  if (downloaded === undefined) return Promise.resolve(undefined);
  const { source, header } = downloaded;
  return startRendering(source.bytes, config, header).finally(source.release);
}

/** Decodes the download once it arrives. */
export function renderDownload(download: Download, config: ThumbnailConfig): Rendering {
  return download.then((downloaded) => renderDownloaded(downloaded, config));
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
export class Prefetcher {
  private readonly pending = new Map<string, PrefetchEntry>();

  /** `fetch` starts downloading an object (`download` of download.ts, with the function's S3 client). */
  constructor(
    private readonly config: ThumbnailConfig,
    private readonly fetch: (event: S3ObjectEvent) => Download,
  ) {}

  /** Starts downloading what `record` will need; anything the record will not download is left alone. */
  start(record: SQSRecord | undefined): void {
    for (const event of this.eventsToDownload(record)) {
      const id = `${event.bucket}/${event.key}`;
      if (this.pending.has(id)) continue;
      const entry: PrefetchEntry = { download: this.fetch(event) };
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
    return entry?.rendering ?? renderDownload(entry?.download ?? this.fetch(event), this.config);
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
