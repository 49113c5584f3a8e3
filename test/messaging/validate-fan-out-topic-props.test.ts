import { Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FanOutSubscriberOptions, FanOutTopicProps } from '../../lib/messaging/fan-out-topic';
import { validateFanOutSubscriberOptions, validateFanOutTopicProps } from '../../lib/messaging/validate-fan-out-topic-props';

// Fast unit tests of FanOutTopic's rules: the validation is called directly on a bare stack (no synth).

const SQS = 'arn:aws:sqs:us-east-1:123456789012';
const MANAGED_KEY = 'arn:aws:kms:us-east-1:123456789012:alias/aws/sqs';

interface Result {
  readonly lines: string[];
  readonly warnings: string[];
}

/** The problem lines and warnings of `validate` run on a FanOutTopic-like scope 'Fan' in a new stack. */
function run(validate: (stack: Stack, scope: Construct) => void): Result {
  const stack = new Stack();
  const scope = new Construct(stack, 'Fan');
  const warnings = () => scope.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
  try {
    validate(stack, scope);
  } catch (e) {
    const [header, ...lines] = (e as Error).message.split('\n');
    expect(header).toBe(`FanOutTopic at 'Default/Fan' has ${lines.length} configuration error(s):`);
    return { lines, warnings: warnings() };
  }
  return { lines: [], warnings: warnings() };
}

const topicProblems = (build: (stack: Stack) => FanOutTopicProps) => run((stack, scope) => validateFanOutTopicProps(scope, build(stack))).lines;

const importedTopic = (stack: Stack, name: string) => sns.Topic.fromTopicArn(stack, 'Topic', `arn:aws:sns:us-east-1:123456789012:${name}`);
const queue = (stack: Stack, name: string, id = name) => sqs.Queue.fromQueueArn(stack, id, `${SQS}:${name}`);
const managedKeyQueue = (stack: Stack, name: string) => sqs.Queue.fromQueueAttributes(stack, name, { queueArn: `${SQS}:${name}`, keyArn: MANAGED_KEY });

/** The result of subscriber 'Sub' with `build`'s options on a FIFO or standard topic. */
function subscriber(fifo: boolean, build: (stack: Stack) => FanOutSubscriberOptions): Result {
  return run((stack, scope) => validateFanOutSubscriberOptions(scope, importedTopic(stack, fifo ? 'orders.fifo' : 'orders'), 'Sub', build(stack)));
}

describe('the topic', () => {
  test('the defaults pass', () => {
    expect(topicProblems(() => ({}))).toEqual([]);
  });

  test.each<[keyof FanOutTopicProps, unknown]>([
    ['fifo', false],
    ['contentBasedDeduplication', false],
    ['topicName', 'orders'],
  ])('with an existing topic, %s is refused', (prop, value) => {
    expect(topicProblems((s) => ({ topic: importedTopic(s, 'orders'), [prop]: value }))).toEqual([
      `  - FanOutTopic: ${prop} '${value}': only applies to a new topic, but an existing topic was given. Fix: remove ${prop} or remove topic.`,
    ]);
  });

  test("the existing topic's own key is refused", () => {
    expect(topicProblems((s) => {
      const key = new kms.Key(s, 'Key');
      return { topic: new sns.Topic(s, 'T', { masterKey: key }), encryptionKey: key };
    })).toEqual([
      "  - FanOutTopic: encryptionKey 'Default/Key': is the existing topic's own key; its key policy would have to name the topic, "
      + 'which already depends on the key (a dependency cycle CloudFormation rejects). Fix: remove encryptionKey to get a new key for the queues, or pass a different key.',
    ]);
  });

  test('another key for an existing topic is accepted', () => {
    expect(topicProblems((s) => ({ topic: new sns.Topic(s, 'T', { masterKey: new kms.Key(s, 'TopicKey') }), encryptionKey: new kms.Key(s, 'Key') })))
      .toEqual([]);
    expect(topicProblems((s) => ({ topic: importedTopic(s, 'orders'), encryptionKey: new kms.Key(s, 'Key') }))).toEqual([]);
  });

  test('an existing topic without a key of its own passes without encryptionKey', () => {
    expect(topicProblems((s) => ({ topic: new sns.Topic(s, 'T') }))).toEqual([]);
  });

  test('contentBasedDeduplication needs a FIFO topic', () => {
    expect(topicProblems(() => ({ contentBasedDeduplication: true }))).toEqual([
      "  - FanOutTopic: contentBasedDeduplication 'true': content-based deduplication exists only on FIFO topics. Fix: set fifo: true or remove contentBasedDeduplication.",
    ]);
    expect(topicProblems(() => ({ contentBasedDeduplication: true, fifo: true }))).toEqual([]);
    expect(topicProblems(() => ({ contentBasedDeduplication: false }))).toEqual([]);
  });

  test('topicName is checked as the topic gets it, .fifo appended', () => {
    expect(topicProblems(() => ({ topicName: 'a'.repeat(256) }))).toEqual([]);
    expect(topicProblems(() => ({ topicName: 'a'.repeat(251), fifo: true }))).toEqual([]);
    expect(topicProblems(() => ({ topicName: 'a'.repeat(252), fifo: true }))).toEqual([
      `  - FanOutTopic: topicName '${'a'.repeat(252)}.fifo': must be 1 to 256 letters, digits, hyphens or underscores in all, ending in .fifo for a FIFO topic `
      + '(SNS API CreateTopic, Name). Fix: use a shorter name of those characters (.fifo is appended when missing).',
    ]);
    expect(topicProblems(() => ({ topicName: 'my orders' }))[0]).toMatch(/^ {2}- FanOutTopic: topicName 'my orders': must be 1 to 256 letters/);
  });
});

describe('a subscriber', () => {
  test('the defaults pass', () => {
    expect(subscriber(false, () => ({}))).toEqual({ lines: [], warnings: [] });
    expect(subscriber(true, () => ({}))).toEqual({ lines: [], warnings: [] });
  });

  test('an ID already taken is refused', () => {
    const { lines } = run((stack, scope) => {
      new Construct(scope, 'Sub');
      validateFanOutSubscriberOptions(scope, importedTopic(stack, 'orders'), 'Sub', {});
    });
    expect(lines).toEqual([
      "  - FanOutTopic: subscribers.Sub 'Sub': a subscriber (or child construct) with this ID already exists. Fix: use a unique subscriber ID.",
    ]);
  });

  test('only one filter policy scope', () => {
    expect(subscriber(false, () => ({ filterPolicy: {}, filterPolicyWithMessageBody: {} })).lines).toEqual([
      "  - FanOutTopic: subscribers.Sub.filterPolicyWithMessageBody 'set together with filterPolicy': SNS applies one filter policy scope per subscription "
      + '(attributes or body). Fix: keep only one of the two.',
    ]);
  });

  describe('with an existing queue', () => {
    test('a queue of the same type passes without a warning', () => {
      expect(subscriber(false, (s) => ({ queue: queue(s, 'q') }))).toEqual({ lines: [], warnings: [] });
      expect(subscriber(true, (s) => ({ queue: queue(s, 'q.fifo') }))).toEqual({ lines: [], warnings: [] });
    });

    test.each<[keyof FanOutSubscriberOptions, (s: Stack) => unknown, string]>([
      ['maxReceiveCount', () => 5, "'5'"],
      ['deadLetterQueue', (s) => queue(s, 'dlq'), "'Default/dlq'"],
      ['visibilityTimeout', () => Duration.seconds(30), "'30 seconds'"],
      ['contentBasedDeduplication', () => false, "'false'"],
    ])('%s is refused', (prop, value, shown) => {
      const { lines } = subscriber(false, (s) => ({ queue: queue(s, 'q'), [prop]: value(s) }));
      expect(lines).toEqual([
        `  - FanOutTopic: subscribers.Sub.${prop} ${shown}: only applies to a new queue, but an existing queue was given. `
        + `Fix: configure the existing queue directly and remove ${prop}.`,
      ]);
    });

    test('a FIFO queue of a standard topic is refused', () => {
      expect(subscriber(false, (s) => ({ queue: queue(s, 'q.fifo') })).lines).toEqual([
        "  - FanOutTopic: subscribers.Sub.queue 'q.fifo': a standard SNS topic cannot deliver to a FIFO queue. "
        + 'Fix: use a standard queue, or create the FanOutTopic with fifo: true.',
      ]);
    });

    test('a standard queue of a FIFO topic is a warning', () => {
      expect(subscriber(true, (s) => ({ queue: queue(s, 'q') }))).toEqual({
        lines: [],
        warnings: ['subscribers.Sub: a FIFO topic delivering to a standard queue loses ordering and exactly-once processing; use a FIFO queue unless that is intended. '
          + '[ack: cdk-reference-architectures:fanOutFifoTopicStandardQueue]'],
      });
    });

    test('a queue with the AWS-managed key is refused', () => {
      expect(subscriber(false, (s) => ({ queue: managedKeyQueue(s, 'q') })).lines).toEqual([
        "  - FanOutTopic: subscribers.Sub.queue 'q': the queue is encrypted with the AWS-managed key alias/aws/sqs, whose key policy does not allow SNS, "
        + "so SNS silently drops every message. Fix: encrypt the queue with a customer-managed key (e.g. this FanOutTopic's encryptionKey) or SSE-SQS.",
      ]);
    });
  });

  describe('with a new queue', () => {
    test('contentBasedDeduplication needs a FIFO topic', () => {
      expect(subscriber(false, () => ({ contentBasedDeduplication: true })).lines).toEqual([
        "  - FanOutTopic: subscribers.Sub.contentBasedDeduplication 'true': content-based deduplication exists only on FIFO queues. "
        + 'Fix: remove it, or create the FanOutTopic with fifo: true.',
      ]);
      expect(subscriber(true, () => ({ contentBasedDeduplication: true })).lines).toEqual([]);
      expect(subscriber(false, () => ({ contentBasedDeduplication: false })).lines).toEqual([]);
    });

    test.each([1, 1000])('maxReceiveCount %i is accepted', (maxReceiveCount) => {
      expect(subscriber(false, () => ({ maxReceiveCount })).lines).toEqual([]);
    });

    test.each([0, 1001])('maxReceiveCount %i is refused', (maxReceiveCount) => {
      expect(subscriber(false, () => ({ maxReceiveCount })).lines).toEqual([
        `  - FanOutTopic: subscribers.Sub.maxReceiveCount '${maxReceiveCount}': must be a whole number from 1 to 1000 `
        + '(SQS API SetQueueAttributes, RedrivePolicy maxReceiveCount). Fix: use 1 to 1000 (5 is a common choice).',
      ]);
    });

    test.each([0, 43200])('visibilityTimeout %i seconds is accepted', (seconds) => {
      expect(subscriber(false, () => ({ visibilityTimeout: Duration.seconds(seconds) })).lines).toEqual([]);
    });

    test('visibilityTimeout 43201 seconds is refused', () => {
      expect(subscriber(false, () => ({ visibilityTimeout: Duration.seconds(43201) })).lines).toEqual([
        "  - FanOutTopic: subscribers.Sub.visibilityTimeout '12 hours 1 second': must be a whole number from 0 to 43200 seconds "
        + '(SQS API SetQueueAttributes, VisibilityTimeout). Fix: use a duration from 0 to 43200 seconds.',
      ]);
    });

    test('a dead-letter queue of the same type is accepted', () => {
      expect(subscriber(false, (s) => ({ deadLetterQueue: queue(s, 'dlq') })).lines).toEqual([]);
      expect(subscriber(true, (s) => ({ deadLetterQueue: queue(s, 'dlq.fifo') })).lines).toEqual([]);
    });

    test.each([
      [false, 'dlq.fifo', 'standard'],
      [true, 'dlq', 'FIFO'],
    ])('a dead-letter queue of another type is refused (FIFO topic: %s)', (fifo, name, kind) => {
      expect(subscriber(fifo, (s) => ({ deadLetterQueue: queue(s, name) })).lines).toEqual([
        `  - FanOutTopic: subscribers.Sub.deadLetterQueue '${name}': the new queue is ${kind}, and SQS requires its dead-letter queue to be of the same type. `
        + `Fix: use a ${kind} dead-letter queue.`,
      ]);
    });
  });

  describe('the subscription dead-letter queue', () => {
    test('of the same type is accepted', () => {
      expect(subscriber(false, (s) => ({ subscriptionDeadLetterQueue: queue(s, 'sdlq') })).lines).toEqual([]);
      expect(subscriber(true, (s) => ({ subscriptionDeadLetterQueue: queue(s, 'sdlq.fifo') })).lines).toEqual([]);
    });

    test.each([
      [false, 'sdlq.fifo', 'standard'],
      [true, 'sdlq', 'FIFO'],
    ])('of another type is refused (FIFO topic: %s)', (fifo, name, kind) => {
      expect(subscriber(fifo, (s) => ({ subscriptionDeadLetterQueue: queue(s, name) })).lines).toEqual([
        `  - FanOutTopic: subscribers.Sub.subscriptionDeadLetterQueue '${name}': SNS requires the subscription dead-letter queue of a ${kind} topic to be ${kind}. `
        + `Fix: use a ${kind} queue.`,
      ]);
    });

    test('with the AWS-managed key is refused', () => {
      expect(subscriber(false, (s) => ({ subscriptionDeadLetterQueue: managedKeyQueue(s, 'sdlq') })).lines).toEqual([
        "  - FanOutTopic: subscribers.Sub.subscriptionDeadLetterQueue 'sdlq': the queue uses the AWS-managed key alias/aws/sqs, which SNS cannot use. "
        + 'Fix: encrypt it with a customer-managed key.',
      ]);
    });
  });
});
