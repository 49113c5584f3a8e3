import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import type { PublishBatchRequestEntry } from '@aws-sdk/client-sns';
import { InvalidMessageError, type MessagingEvent, validateEvent } from '../shared/messaging-event';

export { InvalidMessageError } from '../shared/messaging-event';

// Configured only by the standard environment (AWS_REGION, credentials, AWS_ENDPOINT_URL), so the
// code under test is exactly the code that runs in Lambda.
const sns = new SNSClient({});

/** SNS PublishBatch accepts at most 10 entries. */
export const PUBLISH_BATCH_SIZE = 10;

/** One event to publish: the message contract plus an optional FIFO message group. */
export interface PublishableEvent extends MessagingEvent {
  /** FIFO topics only: the message group. @default - the event `id` */
  readonly groupId?: string;
}

/** The function's input. */
export interface PublishRequest {
  readonly events: readonly PublishableEvent[];
}

export interface PublishResult {
  /** Number of events SNS accepted. */
  readonly published: number;
}

/** One reason a publish request is rejected before anything is published. */
export interface RequestProblem {
  /** Index in `events`; absent when the request itself is malformed. */
  readonly index?: number;
  readonly reason: InvalidMessageError['reason'] | 'INVALID_REQUEST' | 'INVALID_GROUP_ID' | 'DUPLICATE_ID';
  readonly detail: string;
}

/** The request broke the contract; nothing was published. */
export class InvalidPublishRequestError extends Error {
  public override readonly name = 'InvalidPublishRequestError';
  constructor(public readonly problems: readonly RequestProblem[]) {
    super(
      `Invalid publish request, nothing was published: ${problems
        .map((p) => `${p.index === undefined ? '' : `events[${p.index}] `}${p.reason}: ${p.detail}`)
        .join('; ')}`,
    );
  }
}

/** One event SNS did not accept. */
export interface PublishFailure {
  readonly id: string;
  /** SNS error code for the entry, or the error name when the whole PublishBatch call failed. */
  readonly code: string;
  readonly message: string;
}

/** Some events were not published (all chunks were attempted; the others were published). */
export class PublishFailedError extends Error {
  public override readonly name = 'PublishFailedError';
  constructor(
    public readonly failures: readonly PublishFailure[],
    public readonly published: number,
  ) {
    super(
      `Failed to publish ${failures.length} event(s) (${published} published): ${failures
        .map((f) => `${f.id} (${f.code}: ${f.message})`)
        .join(', ')}`,
    );
  }
}

/** Validates the whole request up front, collecting every problem, so a bad request publishes nothing. */
export function validatePublishRequest(input: unknown): PublishableEvent[] {
  const events = (input as { events?: unknown } | null | undefined)?.events;
  if (!Array.isArray(events)) {
    throw new InvalidPublishRequestError([{ reason: 'INVALID_REQUEST', detail: 'expected an object with an `events` array' }]);
  }
  const problems: RequestProblem[] = [];
  const valid: PublishableEvent[] = [];
  const seenIds = new Set<string>();
  events.forEach((raw: unknown, index) => {
    let evt: MessagingEvent;
    try {
      evt = validateEvent(raw);
    } catch (e) {
      // Stryker disable next-line ConditionalExpression: equivalent, validateEvent throws only InvalidMessageError; rethrowing others is defensive
      if (!(e instanceof InvalidMessageError)) throw e;
      problems.push({ index, reason: e.reason, detail: e.detail });
      return;
    }
    const groupId = (raw as { groupId?: unknown }).groupId;
    if (groupId !== undefined && (typeof groupId !== 'string' || groupId.trim() === '')) {
      problems.push({ index, reason: 'INVALID_GROUP_ID', detail: 'groupId, when given, must be a non-empty string' });
      return;
    }
    // The id is the FIFO deduplication id: a repeat would be dropped silently by SNS.
    if (seenIds.has(evt.id)) {
      problems.push({ index, reason: 'DUPLICATE_ID', detail: `id ${JSON.stringify(evt.id)} appears more than once` });
      return;
    }
    seenIds.add(evt.id);
    valid.push(groupId === undefined ? evt : { ...evt, groupId });
  });
  if (problems.length > 0) throw new InvalidPublishRequestError(problems);
  return valid;
}

/** The PublishBatch entry for one event. Entry ids are positional because event ids may contain any character. */
export function toPublishEntry(evt: PublishableEvent, entryId: string, fifo: boolean): PublishBatchRequestEntry {
  const body: MessagingEvent = evt.amount === undefined ? { id: evt.id, type: evt.type } : { id: evt.id, type: evt.type, amount: evt.amount };
  return {
    Id: entryId,
    Message: JSON.stringify(body),
    MessageAttributes: { eventType: { DataType: 'String', StringValue: evt.type } },
    ...(fifo ? { MessageGroupId: evt.groupId ?? evt.id, MessageDeduplicationId: evt.id } : {}),
  };
}

/**
 * Validates the request, then publishes it with PublishBatch in chunks of 10, one chunk after the
 * other (so a FIFO group keeps its order across chunks). Every chunk is attempted; if any event
 * failed, throws {@link PublishFailedError} listing them.
 */
export async function publishEvents(input: unknown, topicArn: string, client: SNSClient = sns): Promise<PublishResult> {
  const events = validatePublishRequest(input);
  const fifo = topicArn.endsWith('.fifo');
  const failures: PublishFailure[] = [];
  let published = 0;
  for (let start = 0; start < events.length; start += PUBLISH_BATCH_SIZE) {
    const chunk = events.slice(start, start + PUBLISH_BATCH_SIZE);
    const entries = chunk.map((evt, i) => toPublishEntry(evt, `e${i}`, fifo));
    try {
      const res = await client.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries }));
      published += res.Successful?.length ?? 0;
      for (const f of res.Failed ?? []) {
        const evt = chunk[Number(f.Id?.slice(1))];
        failures.push({ id: evt?.id ?? `<unknown entry ${f.Id}>`, code: f.Code ?? 'Unknown', message: f.Message ?? '' });
      }
    } catch (e) {
      const err = e as Error;
      for (const evt of chunk) failures.push({ id: evt.id, code: err.name, message: err.message });
    }
  }
  if (failures.length > 0) throw new PublishFailedError(failures, published);
  return { published };
}

export const handler = async (event: PublishRequest): Promise<PublishResult> => {
  const topicArn = process.env.TOPIC_ARN;
  if (!topicArn) throw new Error('producer: environment variable TOPIC_ARN is not set');
  return publishEvents(event, topicArn);
};
