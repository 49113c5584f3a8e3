/**
 * The thumbnail function: SQS batches of S3 event notifications in, thumbnails written to S3, a partial
 * batch response out. The work itself is in the modules beside this one; this one holds the AWS clients,
 * the logger and the batch loop.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type MessageAttributeValue, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logBatchFailures } from '../shared/batch-failures';
import { parseConfig, type ThumbnailConfig, ThumbnailConfigError } from './config';
import { download, type ObjectOutcome, precheck } from './download';
import { thumbnailKey } from './keys';
import { InvalidNotificationError, parseNotification, type S3ObjectEvent } from './notification';
import { Prefetcher, renderDownload, type Rendering } from './prefetch';
import { InvalidImageError } from './render';

export * from './config';
export * from './notification';
export * from './keys';
export * from './render';
export { type Download, type Downloaded, type ObjectOutcome, SOURCE_BUFFERS } from './download';

// POWERTOOLS_SERVICE_NAME (set by the construct) wins; the default keeps logs attributable elsewhere.
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'thumbnail' });
// Configured only by the standard environment (AWS_REGION, credentials, AWS_ENDPOINT_URL), so the
// code under test is exactly the code that runs in Lambda. cacheMiddleware: resolve the middleware
// stack once per command class, not per request (nothing here changes it after the first request).
const s3 = new S3Client({ cacheMiddleware: true });
const sqs = new SQSClient({});

let environmentConfig: ThumbnailConfig | undefined;
/**
 * The configuration from the environment, parsed on first use and kept. A misconfigured function fails
 * each invocation, with every problem in one message, instead of failing each record.
 */
export function configFromEnvironment(): ThumbnailConfig {
  return (environmentConfig ??= parseConfig(process.env));
}

/**
 * The per-object work: GET the source, decode it once, then encode every thumbnail and PUT each one as
 * soon as it is encoded, so the uploads of the quick outputs overlap the encoding of the slow ones.
 * A rejected image throws {@link InvalidImageError} before anything is written (images are rejected
 * by the decode, and nothing is written before it succeeds).
 */
export async function processObject(event: S3ObjectEvent, config: ThumbnailConfig = configFromEnvironment()): Promise<ObjectOutcome> {
  return processObjectFrom(event, config, () => renderDownload(download(s3, event, config), config));
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
  /** @default - the configuration read from the environment ({@link configFromEnvironment}) */
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
  const config = options.config ?? configFromEnvironment();
  const prefetcher = new Prefetcher(config, (object) => download(s3, object, config));
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
