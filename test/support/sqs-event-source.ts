/**
 * What the Lambda SQS event source mapping does, against a real (local) queue: receive up to 10 messages,
 * hand them to the function as an `SQSEvent`, then delete exactly the records that are not listed in the
 * function's `batchItemFailures` (ReportBatchItemFailures). Records left undeleted come back after the
 * visibility timeout, and the queue's redrive policy moves them to the DLQ after `maxReceiveCount` receives.
 */
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';

export type SqsBatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

/** One invocation of the function by the event source mapping. */
export interface Invocation {
  readonly records: readonly SQSRecord[];
  readonly failedIds: ReadonlySet<string>;
}

/** Converts a received SQS message into the record shape Lambda passes to the function. */
export function toSqsRecord(msg: Message, queueArn: string): SQSRecord {
  const attributes = msg.Attributes ?? {};
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, attr] of Object.entries(msg.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: attr.DataType ?? 'String',
      stringValue: attr.StringValue,
      binaryValue: attr.BinaryValue ? Buffer.from(attr.BinaryValue).toString('base64') : undefined,
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: msg.MessageId!,
    receiptHandle: msg.ReceiptHandle!,
    body: msg.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? '000000000000',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
      ...(attributes.MessageDeduplicationId ? { MessageDeduplicationId: attributes.MessageDeduplicationId } : {}),
      ...(attributes.SequenceNumber ? { SequenceNumber: attributes.SequenceNumber } : {}),
    },
    messageAttributes,
    md5OfBody: msg.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3],
  };
}

/** One poll: receive, invoke, delete the successes. Returns undefined when nothing was received. */
export async function pollOnce(
  sqs: SQSClient,
  queue: { url: string; arn: string },
  handler: SqsBatchHandler,
): Promise<Invocation | undefined> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queue.url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  if (!Messages || Messages.length === 0) return undefined;
  const records = Messages.map((m) => toSqsRecord(m, queue.arn));
  const response = await handler({ Records: records });
  const failedIds = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const done = records.filter((r) => !failedIds.has(r.messageId));
  if (done.length > 0) {
    const res = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
      }),
    );
    if (res.Failed?.length) throw new Error(`DeleteMessageBatch failed: ${JSON.stringify(res.Failed)}`);
  }
  return { records, failedIds };
}

/** Total of visible, in-flight and delayed messages. */
export async function messagesIn(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/** Runs the event source mapping until the queue is empty (successes deleted, poison redriven). */
export async function drain(
  sqs: SQSClient,
  queue: { url: string; arn: string },
  handler: SqsBatchHandler,
  { timeoutMs = 20_000 } = {},
): Promise<Invocation[]> {
  const invocations: Invocation[] = [];
  const deadline = Date.now() + timeoutMs;
  while ((await messagesIn(sqs, queue.url)) > 0) {
    if (Date.now() > deadline) {
      throw new Error(`queue ${queue.arn} not drained after ${timeoutMs} ms (${invocations.length} invocations)`);
    }
    const invocation = await pollOnce(sqs, queue, handler);
    if (invocation) invocations.push(invocation);
  }
  return invocations;
}

/** Receives (and deletes) everything currently in a queue, e.g. a DLQ. */
export async function receiveAll(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    if (!Messages || Messages.length === 0) return all;
    all.push(...Messages);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

export interface TestQueue {
  readonly url: string;
  readonly arn: string;
}

/**
 * Creates a queue whose redrive policy sends messages to a new DLQ after `maxReceiveCount` receives.
 * FIFO when `name` ends with `.fifo` (the DLQ of a FIFO queue must be FIFO too).
 */
export async function createQueueWithDlq(
  sqs: SQSClient,
  name: string,
  { maxReceiveCount, visibilityTimeoutSeconds }: { maxReceiveCount: number; visibilityTimeoutSeconds: number },
): Promise<{ queue: TestQueue; dlq: TestQueue }> {
  const fifo = name.endsWith('.fifo');
  const fifoAttributes: Record<string, string> = fifo ? { FifoQueue: 'true' } : {};
  const dlq = await createQueue(sqs, fifo ? name.replace(/\.fifo$/, '-dlq.fifo') : `${name}-dlq`, fifoAttributes);
  const queue = await createQueue(sqs, name, {
    ...fifoAttributes,
    VisibilityTimeout: String(visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount }),
  });
  return { queue, dlq };
}

export async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string> = {}): Promise<TestQueue> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}
