import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { Message, SQSClient } from '@aws-sdk/client-sqs';
import { useLocalAws } from '../support/local-aws';
import { TestQueue, createQueue, messagesIn, receiveAll } from '../support/sqs-event-source';

type Producer = typeof import('../../lambda/producer');

const event = (i: number, type = i % 2 === 0 ? 'order.created' : 'order.shipped') => ({ id: `o-${i}`, type, amount: i });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('producer', () => {
  const aws = useLocalAws();
  let producer: Producer;
  let sns: SNSClient;
  let sqs: SQSClient;
  const savedTopicArn = process.env.TOPIC_ARN;

  beforeAll(async () => {
    // After the local endpoint is up: the handler creates its SNS client at module scope, from the environment.
    producer = await import('../../lambda/producer');
    sns = aws.sns();
    sqs = aws.sqs();
  });
  afterEach(() => {
    if (savedTopicArn === undefined) delete process.env.TOPIC_ARN;
    else process.env.TOPIC_ARN = savedTopicArn;
  });

  /** A topic with one queue subscribed with raw message delivery (and an optional filter policy). */
  async function topicWithQueue(name: string, filterPolicy?: object): Promise<{ topicArn: string; queue: TestQueue }> {
    const fifo = name.endsWith('.fifo');
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name, Attributes: fifo ? { FifoTopic: 'true' } : {} }));
    const queueName = `${name.replace(/\.fifo$/, '')}-${filterPolicy ? 'filtered' : 'all'}${fifo ? '.fifo' : ''}`;
    const queue = await createQueue(sqs, queueName, fifo ? { FifoQueue: 'true' } : {});
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: queue.arn,
        Attributes: { RawMessageDelivery: 'true', ...(filterPolicy ? { FilterPolicy: JSON.stringify(filterPolicy) } : {}) },
      }),
    );
    return { topicArn: TopicArn!, queue };
  }

  const body = (m: Message) => JSON.parse(m.Body!) as { id: string };

  describe('publishing to a standard topic', () => {
    test('publishes every event, in chunks of 10, with the eventType attribute', async () => {
      // GIVEN a topic with a raw-delivery queue, and 23 events (three PublishBatch calls)
      const { topicArn, queue } = await topicWithQueue('orders');
      process.env.TOPIC_ARN = topicArn;
      const events = range(23).map((i) => event(i));
      // WHEN
      const result = await producer.handler({ events });
      // THEN
      expect(result).toEqual({ published: 23 });
      const received = await receiveAll(sqs, queue.url);
      expect(received.map((m) => JSON.parse(m.Body!)).sort((a, b) => a.amount - b.amount)).toEqual(events);
      for (const m of received) {
        expect(m.MessageAttributes?.eventType).toEqual({ DataType: 'String', StringValue: (JSON.parse(m.Body!) as { type: string }).type });
      }
    });

    test('the eventType attribute lets a filter policy route by type', async () => {
      // GIVEN a subscription that only wants order.created
      const { topicArn, queue } = await topicWithQueue('routed', { eventType: ['order.created'] });
      // WHEN
      await producer.publishEvents({ events: range(6).map((i) => event(i)) }, topicArn);
      // THEN
      expect((await receiveAll(sqs, queue.url)).map((m) => body(m).id).sort()).toEqual(['o-0', 'o-2', 'o-4']);
    });

    test('publishes only the contract fields as the message body', async () => {
      const { topicArn, queue } = await topicWithQueue('bodies');
      await producer.publishEvents({ events: [{ id: 'o-1', type: 't', groupId: 'g' }] }, topicArn);
      expect((await receiveAll(sqs, queue.url)).map((m) => m.Body)).toEqual(['{"id":"o-1","type":"t"}']);
    });
  });

  describe('publishing to a FIFO topic', () => {
    test('sets MessageGroupId (groupId, else id) and MessageDeduplicationId (id), keeping order within a group', async () => {
      // GIVEN a FIFO topic with a FIFO queue, and 12 events: 11 in group g1 (across two chunks), one without groupId
      const { topicArn, queue } = await topicWithQueue('orders.fifo');
      const events = [...range(11).map((i) => ({ ...event(i), groupId: 'g1' })), event(11)];
      // WHEN
      await expect(producer.publishEvents({ events }, topicArn)).resolves.toEqual({ published: 12 });
      // THEN
      const received = await receiveAll(sqs, queue.url);
      const ids = (group: string) => received.filter((m) => m.Attributes?.MessageGroupId === group).map((m) => body(m).id);
      expect(ids('g1')).toEqual(range(11).map((i) => `o-${i}`));
      expect(ids('o-11')).toEqual(['o-11']);
      for (const m of received) expect(m.Attributes?.MessageDeduplicationId).toBe(body(m).id);
    });
  });

  describe('invalid input', () => {
    test('fails if any event breaks the contract, and publishes nothing', async () => {
      // GIVEN 12 events where the invalid ones are in different chunks (index 3 and index 11)
      const { topicArn, queue } = await topicWithQueue('rejected');
      const events: unknown[] = range(12).map((i) => event(i));
      events[3] = { id: 'o-3' };
      events[11] = { id: 'o-11', type: 't', amount: -1 };
      // WHEN
      const publishing = producer.publishEvents({ events }, topicArn);
      // THEN every problem is reported at once
      await expect(publishing).rejects.toBeInstanceOf(producer.InvalidPublishRequestError);
      await expect(publishing).rejects.toMatchObject({
        problems: [
          { index: 3, reason: 'INVALID_TYPE' },
          { index: 11, reason: 'INVALID_AMOUNT' },
        ],
      });
      await expect(publishing).rejects.toThrow(/events\[3\] INVALID_TYPE.*events\[11\] INVALID_AMOUNT/);
      // AND not even the first chunk was published
      expect(await messagesIn(sqs, queue.url)).toBe(0);
    });

    test.each([
      ['has no events array', {}],
      ['has events that are not an array', { events: 'o-1' }],
      ['is null', null],
    ])('fails if the request %s', async (_what, request) => {
      await expect(producer.publishEvents(request, 'arn:aws:sns:us-east-1:000000000000:unused')).rejects.toMatchObject({
        problems: [{ reason: 'INVALID_REQUEST' }],
      });
    });

    test('fails if an id repeats (FIFO deduplication would silently drop it)', async () => {
      await expect(
        producer.publishEvents({ events: [event(1), event(2), event(1)] }, 'arn:aws:sns:us-east-1:000000000000:unused'),
      ).rejects.toMatchObject({ problems: [{ index: 2, reason: 'DUPLICATE_ID' }] });
    });

    test('fails if groupId is given but blank', async () => {
      await expect(
        producer.publishEvents({ events: [{ ...event(1), groupId: ' ' }] }, 'arn:aws:sns:us-east-1:000000000000:unused'),
      ).rejects.toMatchObject({ problems: [{ index: 0, reason: 'INVALID_GROUP_ID' }] });
    });

    test('fails if TOPIC_ARN is not set', async () => {
      delete process.env.TOPIC_ARN;
      await expect(producer.handler({ events: [event(1)] })).rejects.toThrow(/TOPIC_ARN/);
    });
  });

  describe('SNS rejects entries', () => {
    test('attempts every chunk, then fails listing the rejected ids', async () => {
      // GIVEN 12 events where o-1 is over the SNS message size limit (256 KiB); o-10 and o-11 are in the second chunk
      const { topicArn, queue } = await topicWithQueue('partial');
      const events = range(12).map((i) => (i === 1 ? event(i, 'x'.repeat(262_144)) : event(i)));
      // WHEN
      const publishing = producer.publishEvents({ events }, topicArn);
      // THEN the error names exactly the rejected event
      await expect(publishing).rejects.toBeInstanceOf(producer.PublishFailedError);
      await expect(publishing).rejects.toMatchObject({ failures: [{ id: 'o-1', code: 'InvalidParameter' }], published: 11 });
      await expect(publishing).rejects.toThrow(/o-1 \(InvalidParameter/);
      // AND the other events, including the whole second chunk, were published
      const ids = (await receiveAll(sqs, queue.url)).map((m) => body(m).id).sort();
      expect(ids).toEqual(range(12).filter((i) => i !== 1).map((i) => `o-${i}`).sort());
    });

    test('a chunk whose PublishBatch call fails marks all of its events failed', async () => {
      // GIVEN a topic that does not exist
      const missing = 'arn:aws:sns:us-east-1:000000000000:does-not-exist';
      // WHEN / THEN every event of both chunks is reported
      const publishing = producer.publishEvents({ events: range(12).map((i) => event(i)) }, missing);
      await expect(publishing).rejects.toMatchObject({ published: 0 });
      const failures = ((await publishing.catch((e: unknown) => e)) as InstanceType<Producer['PublishFailedError']>).failures;
      expect(failures.map((f) => f.id)).toEqual(range(12).map((i) => `o-${i}`));
      expect(new Set(failures.map((f) => f.code))).toEqual(new Set(['NotFoundException']));
    });
  });
});
