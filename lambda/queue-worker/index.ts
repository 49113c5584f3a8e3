import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { InvalidMessageError, type MessagingEvent, parseJson, validateEvent } from '../shared/messaging-event';
import { logBatchFailures } from '../shared/batch-failures';
import { SqsSyncBatchProcessor } from '../shared/sqs-sync-batch-processor';

export { InvalidMessageError, parseEvent } from '../shared/messaging-event';
export type { InvalidMessageReason, MessagingEvent } from '../shared/messaging-event';

// POWERTOOLS_SERVICE_NAME (set by the construct) wins; the default keeps logs attributable elsewhere.
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'queue-worker' });

/** What the worker produces for one event: the event normalised. */
export interface EventSummary {
  readonly id: string;
  /** `type` trimmed and lower-cased. */
  readonly type: string;
  /** `amount` in integer cents (`Math.round`); 0 when absent. */
  readonly amountCents: number;
}

/** The per-record work: pure, deterministic and cheap. */
export function handleEvent(evt: MessagingEvent): EventSummary {
  return {
    id: evt.id,
    type: evt.type.trim().toLowerCase(),
    amountCents: Math.round((evt.amount ?? 0) * 100),
  };
}

/**
 * Parses an SQS message body: the contract's JSON object, or an SNS notification envelope
 * (subscription without raw message delivery) whose `Message` is that JSON object.
 */
export function parseRecordBody(body: string): MessagingEvent {
  const parsed = parseJson(body);
  return validateEvent(isSnsEnvelope(parsed) ? parseJson(parsed.Message) : parsed);
}

function isSnsEnvelope(v: unknown): v is { Type: 'Notification'; Message: string } {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return o.Type === 'Notification' && typeof o.Message === 'string';
}

/** True when the batch comes from a FIFO queue (all records of one batch share a queue). */
export function isFifoBatch(event: SQSEvent): boolean {
  return event.Records[0]?.eventSourceARN?.endsWith('.fifo') ?? false;
}

/**
 * Powertools record handler: throwing marks the record failed in the partial batch response.
 * Every failure is logged here, with its message id, so a poison message can be found before it reaches the DLQ.
 */
function recordHandler(record: SQSRecord): EventSummary {
  try {
    return handleEvent(parseRecordBody(record.body));
  } catch (e) {
    const reason = e instanceof InvalidMessageError ? e.reason : 'UNEXPECTED_ERROR';
    logger.error('Record rejected', { messageId: record.messageId, reason, error: e as Error });
    throw e;
  }
}

const STANDARD_PROCESSOR = new SqsSyncBatchProcessor();
const FIFO_PROCESSOR = new SqsSyncBatchProcessor({ fifo: true });

/**
 * Processes one SQS batch and returns the partial batch response (`ReportBatchItemFailures`).
 *
 * Never throws for the batch: even when every record fails, each is listed in `batchItemFailures`.
 * FIFO batches stop a message group at its first failure (later records of that group are reported
 * failed, so SQS redelivers them in order after the failed one) while other groups carry on.
 *
 * Synchronous, like the per-record work: the processors handle the whole batch without yielding, so one of each
 * at module scope serves every invocation, even concurrent ones in one process (Lambda Managed Instances).
 */
export function processBatch(event: SQSEvent, context?: Context): SQSBatchResponse {
  const processor = isFifoBatch(event) ? FIFO_PROCESSOR : STANDARD_PROCESSOR;
  const response = processor.processBatch(event, recordHandler, { context, throwOnFullBatchFailure: false });
  logBatchFailures(logger, event, response);
  return response;
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  return processBatch(event, context);
};
