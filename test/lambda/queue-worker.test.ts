import { PublishCommand, SNSClient, CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import {
  InvalidMessageError,
  handleEvent,
  isFifoBatch,
  parseEvent,
  parseRecordBody,
  handler,
  processBatch,
} from '../../lambda/queue-worker';
import { useCapturedLogs } from '../support/captured-logs';
import { useLocalAws } from '../support/local-aws';
import { Invocation, createQueueWithDlq, drain, messagesIn, receiveAll, toSqsRecord } from '../support/sqs-event-source';

const STANDARD_ARN = 'arn:aws:sqs:us-east-1:000000000000:orders';
const FIFO_ARN = 'arn:aws:sqs:us-east-1:000000000000:orders.fifo';

/** An in-memory batch as Lambda delivers it; `group` makes it a FIFO record. */
function batch(queueArn: string, records: Array<{ id: string; body: string; group?: string }>): SQSEvent {
  return {
    Records: records.map((r, i) =>
      toSqsRecord(
        {
          MessageId: r.id,
          ReceiptHandle: `rh-${r.id}`,
          Body: r.body,
          Attributes: r.group ? { MessageGroupId: r.group, SequenceNumber: String(i + 1).padStart(20, '0') } : {},
        },
        queueArn,
      ),
    ),
  };
}

const valid = (id: string, extra: object = {}) => JSON.stringify({ id, type: 'order.created', ...extra });
const POISON = JSON.stringify({ id: 'poison', type: 'order.created', amount: -1 });
const LAMBDA_CONTEXT = {
  functionName: 'queue-worker',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:queue-worker',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as Context;
const failedIds = (r: { batchItemFailures: Array<{ itemIdentifier: string }> }) => r.batchItemFailures.map((f) => f.itemIdentifier);

function expectInvalid(body: string, reason: InvalidMessageError['reason']): void {
  let thrown: unknown;
  try {
    parseEvent(body);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(InvalidMessageError);
  expect((thrown as InvalidMessageError).reason).toBe(reason);
}

describe('message contract (parseEvent)', () => {
  test('accepts id and type, with or without amount, and keeps only contract fields', () => {
    expect(parseEvent('{"id":"o-1","type":"order.created"}')).toEqual({ id: 'o-1', type: 'order.created' });
    expect(parseEvent('{"id":"o-1","type":"order.created","amount":0}')).toEqual({ id: 'o-1', type: 'order.created', amount: 0 });
    expect(parseEvent('{"id":"o-1","type":"t","amount":12.5,"extra":true}')).toEqual({ id: 'o-1', type: 't', amount: 12.5 });
  });

  test('fails if the body is not JSON', () => expectInvalid('{"id":', 'INVALID_JSON'));

  test.each([
    ['null', 'null'],
    ['an array', '[{"id":"o-1","type":"t"}]'],
    ['a string', '"o-1"'],
    ['a number', '42'],
  ])('fails if the body is %s rather than an object', (_what, body) => expectInvalid(body, 'NOT_AN_OBJECT'));

  test.each([
    ['missing', { type: 't' }],
    ['empty', { id: '', type: 't' }],
    ['blank', { id: '  ', type: 't' }],
    ['not a string', { id: 7, type: 't' }],
  ])('fails if id is %s', (_what, msg) => expectInvalid(JSON.stringify(msg), 'INVALID_ID'));

  test.each([
    ['missing', { id: 'o-1' }],
    ['empty', { id: 'o-1', type: '' }],
    ['not a string', { id: 'o-1', type: ['t'] }],
  ])('fails if type is %s', (_what, msg) => expectInvalid(JSON.stringify(msg), 'INVALID_TYPE'));

  test.each([
    ['negative', '-0.01'],
    ['a numeric string', '"12"'],
    ['null', 'null'],
    ['too large to be finite', '1e400'],
  ])('fails if amount is %s', (_what, amount) => expectInvalid(`{"id":"o-1","type":"t","amount":${amount}}`, 'INVALID_AMOUNT'));
});

describe('SQS body parsing (parseRecordBody)', () => {
  test('unwraps an SNS notification envelope (non-raw delivery)', () => {
    // GIVEN the body SNS writes to a queue subscribed without raw message delivery
    const envelope = JSON.stringify({ Type: 'Notification', MessageId: 'm', TopicArn: 'arn:aws:sns:us-east-1:000000000000:t', Message: valid('o-1') });
    // WHEN / THEN the inner message is parsed
    expect(parseRecordBody(envelope)).toEqual({ id: 'o-1', type: 'order.created' });
  });

  test('fails with the contract error if the envelope wraps an invalid message', () => {
    const envelope = JSON.stringify({ Type: 'Notification', Message: '{"id":"o-1"}' });
    expect(() => parseRecordBody(envelope)).toThrow(expect.objectContaining({ name: 'InvalidMessageError', reason: 'INVALID_TYPE' }));
  });

  test('treats an object without a string Message as a plain (invalid) event, not an envelope', () => {
    expect(() => parseRecordBody('{"Type":"Notification","Message":{"id":"o-1","type":"t"}}')).toThrow(
      expect.objectContaining({ reason: 'INVALID_ID' }),
    );
  });
});

describe('per-record work (handleEvent)', () => {
  test('normalises type and converts amount to cents', () => {
    expect(handleEvent({ id: 'o-1', type: ' Order.Created ', amount: 12.345 })).toEqual({ id: 'o-1', type: 'order.created', amountCents: 1235 });
    expect(handleEvent({ id: 'o-2', type: 'x' })).toEqual({ id: 'o-2', type: 'x', amountCents: 0 });
  });
});

describe('batch processing (processBatch)', () => {
  const logs = useCapturedLogs();

  test('chooses the FIFO processor from the event source ARN', () => {
    expect(isFifoBatch(batch(FIFO_ARN, [{ id: 'a', body: valid('a'), group: 'A' }]))).toBe(true);
    expect(isFifoBatch(batch(STANDARD_ARN, [{ id: 'a', body: valid('a') }]))).toBe(false);
    expect(isFifoBatch({ Records: [] })).toBe(false);
  });

  test('standard queue: reports only the invalid records as failed', async () => {
    // GIVEN a standard-queue batch with a poison record in the middle of group-less records
    const event = batch(STANDARD_ARN, [
      { id: 'a1', body: valid('a1') },
      { id: 'p', body: POISON },
      { id: 'a2', body: valid('a2') },
    ]);
    // WHEN
    const response = await processBatch(event);
    // THEN the record after the poison is processed: standard queues have no ordering to protect
    expect(failedIds(response)).toEqual(['p']);
  });

  test('FIFO queue: after a failure, later records of the same group fail too; other groups continue', async () => {
    // GIVEN a FIFO batch where group A has a poison record in the middle
    const event = batch(FIFO_ARN, [
      { id: 'a1', body: valid('a1'), group: 'A' },
      { id: 'b1', body: valid('b1'), group: 'B' },
      { id: 'a2', body: POISON, group: 'A' },
      { id: 'b2', body: valid('b2'), group: 'B' },
      { id: 'a3', body: valid('a3'), group: 'A' },
      { id: 'b3', body: valid('b3'), group: 'B' },
      { id: 'a4', body: valid('a4'), group: 'A' },
    ]);
    // WHEN
    const response = await processBatch(event);
    // THEN a3 and a4 are returned to the queue behind a2 (so SQS redelivers A in order); B is done
    expect(failedIds(response)).toEqual(['a2', 'a3', 'a4']);
  });

  test('concurrent invocations in one process (shared module-scope processors) get their own results', async () => {
    // GIVEN two standard and two FIFO batches in flight at once, as on Lambda Managed Instances
    const events = [
      batch(STANDARD_ARN, [{ id: 's1-ok', body: valid('s1') }, { id: 's1-bad', body: POISON }]),
      batch(STANDARD_ARN, [{ id: 's2-bad', body: POISON }, { id: 's2-ok', body: valid('s2') }]),
      batch(FIFO_ARN, [{ id: 'f1-bad', body: POISON, group: 'A' }, { id: 'f1-next', body: valid('f1'), group: 'A' }]),
      batch(FIFO_ARN, [{ id: 'f2-ok', body: valid('f2'), group: 'A' }]),
    ];
    // WHEN the Lambda handler is invoked for all of them concurrently
    const responses = await Promise.all(events.map((e) => handler(e, LAMBDA_CONTEXT)));
    // THEN no batch sees another's failures or failed groups
    expect(responses.map(failedIds)).toEqual([['s1-bad'], ['s2-bad'], ['f1-bad', 'f1-next'], []]);
  });

  test('does not throw when every record fails; reports each one', async () => {
    const event = batch(STANDARD_ARN, [
      { id: 'x', body: 'not json' },
      { id: 'y', body: '{}' },
    ]);
    expect(processBatch(event)).toEqual({ batchItemFailures: [{ itemIdentifier: 'x' }, { itemIdentifier: 'y' }] });
  });

  test('logs each rejected record at ERROR with its message id and reason', async () => {
    // WHEN a batch with one poison record is processed
    await processBatch(batch(STANDARD_ARN, [{ id: 'ok', body: valid('ok') }, { id: 'p', body: POISON }]));
    // THEN exactly that record is logged as rejected, with the typed error
    const errors = logs.entries().filter((e) => e.level === 'ERROR');
    expect(errors).toEqual([
      expect.objectContaining({
        message: 'Record rejected',
        messageId: 'p',
        reason: 'INVALID_AMOUNT',
        error: expect.objectContaining({ name: 'InvalidMessageError' }),
      }),
    ]);
  });
});

describe('against a local SQS queue with a DLQ (event source mapping semantics)', () => {
  const aws = useLocalAws();
  useCapturedLogs();
  let sqs: SQSClient;
  let sns: SNSClient;
  const handler = async (event: SQSEvent) => processBatch(event);

  beforeAll(() => {
    sqs = aws.sqs();
    sns = aws.sns();
  });

  /** Every delivery of every message, keyed by a case label found in the body. */
  function deliveriesByCase(invocations: Invocation[], labelOf: (body: string) => string) {
    const byCase = new Map<string, { deliveries: number; failures: number }>();
    for (const { records, failedIds: failed } of invocations) {
      for (const r of records) {
        const label = labelOf(r.body);
        const c = byCase.get(label) ?? { deliveries: 0, failures: 0 };
        c.deliveries++;
        if (failed.has(r.messageId)) c.failures++;
        byCase.set(label, c);
      }
    }
    return byCase;
  }

  test('standard queue: valid messages are processed once, poison ones end in the DLQ, nothing is lost', async () => {
    // GIVEN a queue (visibility timeout 0, so a failed record comes back on the next poll) redriving to a DLQ after 3 receives
    const maxReceiveCount = 3;
    const { queue, dlq } = await createQueueWithDlq(sqs, 'worker', { maxReceiveCount, visibilityTimeoutSeconds: 0 });
    // AND a topic delivering to it without raw delivery, so SNS wraps messages in its envelope
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'worker-events' }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queue.arn }));

    // Each case's body contains its label, so every delivery can be traced back to its case.
    const direct: Record<string, string> = {
      'valid-plain': valid('valid-plain'),
      'valid-amount': valid('valid-amount', { amount: 19.99 }),
      'valid-zero': valid('valid-zero', { amount: 0 }),
      'valid-envelope-built': JSON.stringify({ Type: 'Notification', Message: valid('valid-envelope-built') }),
      'poison-json': '{"id":"poison-json",',
      'poison-no-id': JSON.stringify({ type: 'poison-no-id' }),
      'poison-negative': JSON.stringify({ id: 'poison-negative', type: 't', amount: -5 }),
      'poison-array': JSON.stringify([{ id: 'poison-array', type: 't' }]),
    };
    const viaSns: Record<string, string> = {
      'valid-via-sns': valid('valid-via-sns'),
      'poison-via-sns': JSON.stringify({ id: 'poison-via-sns' }),
    };
    const labels = [...Object.keys(direct), ...Object.keys(viaSns)];
    const labelOf = (body: string) => {
      const found = labels.filter((l) => body.includes(`"${l}"`) || body.includes(`\\"${l}\\"`));
      if (found.length !== 1) throw new Error(`cannot attribute body to one case: ${body}`);
      return found[0];
    };

    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: Object.values(direct).map((body, i) => ({ Id: `m${i}`, MessageBody: body })),
      }),
    );
    for (const message of Object.values(viaSns)) await sns.send(new PublishCommand({ TopicArn, Message: message }));
    const sent = labels.length;
    expect(await messagesIn(sqs, queue.url)).toBe(sent);

    // WHEN the event source mapping runs the real handler until the queue is empty
    const invocations = await drain(sqs, queue, handler);

    // THEN each valid message was delivered once and succeeded (deleted, never came back)
    const byCase = deliveriesByCase(invocations, labelOf);
    const validLabels = labels.filter((l) => l.startsWith('valid'));
    const poisonLabels = labels.filter((l) => l.startsWith('poison'));
    for (const label of validLabels) expect([label, byCase.get(label)]).toEqual([label, { deliveries: 1, failures: 0 }]);
    // AND each poison message failed on every one of its maxReceiveCount deliveries
    for (const label of poisonLabels) {
      expect([label, byCase.get(label)]).toEqual([label, { deliveries: maxReceiveCount, failures: maxReceiveCount }]);
    }
    // AND the DLQ holds exactly the poison messages
    const inDlq = (await receiveAll(sqs, dlq.url)).map((m) => labelOf(m.Body!));
    expect(inDlq.sort()).toEqual([...poisonLabels].sort());
    // AND nothing is lost
    expect(await messagesIn(sqs, queue.url)).toBe(0);
    expect(validLabels.length + inDlq.length).toBe(sent);
  });

  test('FIFO queue: each group is processed in send order; a poison message holds back only its own group', async () => {
    // GIVEN a FIFO queue (visibility timeout 0, so a failed record comes back on the next poll) redriving to a FIFO DLQ after 3 receives
    const maxReceiveCount = 3;
    const { queue, dlq } = await createQueueWithDlq(sqs, 'worker.fifo', { maxReceiveCount, visibilityTimeoutSeconds: 0 });
    // AND two groups sent interleaved, with a poison message in the middle of group A
    const sends = [
      ['A', valid('a1')],
      ['B', valid('b1')],
      ['A', valid('a2')],
      ['B', valid('b2')],
      ['A', JSON.stringify({ id: 'a-poison', type: '' })],
      ['B', valid('b3')],
      ['A', valid('a3')],
      ['A', valid('a4')],
    ];
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: sends.map(([group, body], i) => ({ Id: `m${i}`, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: `d${i}` })),
      }),
    );

    // WHEN the event source mapping runs the real handler until the queue is empty
    const invocations = await drain(sqs, queue, handler);

    // THEN per group, deliveries follow send order: the poison is retried in place (nothing of A overtakes it)
    // until it is dead-lettered, and only then do a3 and a4 arrive
    const idOf = (body: string) => (JSON.parse(body) as { id: string }).id;
    const delivered = (group: string) =>
      invocations.flatMap((inv) => inv.records.filter((r) => r.attributes.MessageGroupId === group).map((r) => idOf(r.body)));
    const processed = (group: string) =>
      invocations.flatMap((inv) =>
        inv.records.filter((r) => r.attributes.MessageGroupId === group && !inv.failedIds.has(r.messageId)).map((r) => idOf(r.body)),
      );
    expect(delivered('A')).toEqual(['a1', 'a2', 'a-poison', 'a-poison', 'a-poison', 'a3', 'a4']);
    expect(processed('A')).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(processed('B')).toEqual(['b1', 'b2', 'b3']);
    // AND group B did not wait for group A's poison message to be dead-lettered
    const processedIn = (id: string) =>
      invocations.findIndex((inv) => inv.records.some((r) => idOf(r.body) === id && !inv.failedIds.has(r.messageId)));
    expect(processedIn('b3')).toBeGreaterThanOrEqual(0);
    expect(processedIn('b3')).toBeLessThan(processedIn('a3'));
    // AND only the poison message is in the DLQ; nothing is lost
    expect((await receiveAll(sqs, dlq.url)).map((m) => idOf(m.Body!))).toEqual(['a-poison']);
    expect(processed('A').length + processed('B').length + 1).toBe(sends.length);
  });
});
