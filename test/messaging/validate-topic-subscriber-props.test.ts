import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TopicSubscriberProps } from '../../lib/messaging/topic-subscriber';
import { validateTopicSubscriberProps } from '../../lib/messaging/validate-topic-subscriber-props';

// Fast unit tests of TopicSubscriber's rules: the validation is called directly on a bare stack (no synth).

const ACCOUNT = 'arn:aws:sqs:us-east-1:123456789012';

/** The problem lines of the props `build` makes in a new stack ([] when valid). */
function problems(build: (stack: Stack) => Omit<TopicSubscriberProps, 'handler'>): string[] {
  const stack = new Stack();
  const scope = new Construct(stack, 'Sub');
  const handler = lambda.Function.fromFunctionArn(stack, 'F', 'arn:aws:lambda:us-east-1:123456789012:function:f');
  try {
    validateTopicSubscriberProps(scope, { handler, ...build(stack) });
  } catch (e) {
    const [header, ...lines] = (e as Error).message.split('\n');
    expect(header).toBe(`TopicSubscriber at 'Default/Sub' has ${lines.length} configuration error(s):`);
    return lines;
  }
  return [];
}

const queue = (stack: Stack, name: string) => sqs.Queue.fromQueueArn(stack, name, `${ACCOUNT}:${name}`);

test('the defaults pass', () => {
  expect(problems(() => ({}))).toEqual([]);
});

describe('topic', () => {
  test('a standard topic is accepted', () => {
    expect(problems((s) => ({ topic: sns.Topic.fromTopicArn(s, 'T', 'arn:aws:sns:us-east-1:123456789012:orders') }))).toEqual([]);
  });

  test('a FIFO topic is refused', () => {
    expect(problems((s) => ({ topic: sns.Topic.fromTopicArn(s, 'T', 'arn:aws:sns:us-east-1:123456789012:orders.fifo') }))).toEqual([
      "  - TopicSubscriber: topic 'orders.fifo': SNS FIFO topics deliver only to SQS queues, not to Lambda. "
      + 'Fix: use a standard topic, or a FanOutTopic with fifo: true and a QueueWorker consuming its queue.',
    ]);
  });
});

describe('encryptionKey', () => {
  test("the topic's own key is refused", () => {
    expect(problems((s) => {
      const key = new kms.Key(s, 'Key');
      return { topic: new sns.Topic(s, 'T', { masterKey: key }), encryptionKey: key };
    })).toEqual([
      "  - TopicSubscriber: encryptionKey 'Default/Key': is the existing topic's own key; its key policy would have to name the topic, "
      + 'which already depends on the key (a dependency cycle CloudFormation rejects). Fix: remove encryptionKey to get a new key for the queues, or pass a different key.',
    ]);
  });

  test('another key is accepted', () => {
    expect(problems((s) => ({ topic: new sns.Topic(s, 'T', { masterKey: new kms.Key(s, 'TopicKey') }), encryptionKey: new kms.Key(s, 'Key') }))).toEqual([]);
    expect(problems((s) => ({ encryptionKey: new kms.Key(s, 'Key') }))).toEqual([]);
  });
});

test('only one filter policy scope', () => {
  expect(problems(() => ({ filterPolicy: {}, filterPolicyWithMessageBody: {} }))).toEqual([
    "  - TopicSubscriber: filterPolicyWithMessageBody 'set together with filterPolicy': SNS applies one filter policy scope per subscription (attributes or body). "
    + 'Fix: keep only one of the two.',
  ]);
});

describe('retryAttempts', () => {
  test.each([0, 2])('%i is accepted', (retryAttempts) => {
    expect(problems(() => ({ retryAttempts }))).toEqual([]);
  });

  test.each([-1, 3])('%i is refused', (retryAttempts) => {
    expect(problems(() => ({ retryAttempts }))).toEqual([
      `  - TopicSubscriber: retryAttempts '${retryAttempts}': must be a whole number from 0 to 2 (Lambda API PutFunctionEventInvokeConfig, MaximumRetryAttempts). `
      + 'Fix: use 0, 1 or 2.',
    ]);
  });

  test('a token is accepted', () => {
    expect(problems(() => ({ retryAttempts: Lazy.number({ produce: () => 9 }) }))).toEqual([]);
  });
});

describe('maxEventAge', () => {
  test.each([60, 21600])('%i seconds is accepted', (seconds) => {
    expect(problems(() => ({ maxEventAge: Duration.seconds(seconds) }))).toEqual([]);
  });

  test.each([
    [59, '59 seconds'],
    [21601, '6 hours 1 second'],
  ])('%i seconds is refused', (seconds, shown) => {
    expect(problems(() => ({ maxEventAge: Duration.seconds(seconds) }))).toEqual([
      `  - TopicSubscriber: maxEventAge '${shown}': must be a whole number from 60 to 21600 seconds (Lambda API PutFunctionEventInvokeConfig, MaximumEventAgeInSeconds). `
      + 'Fix: use a value between Duration.minutes(1) and Duration.hours(6).',
    ]);
  });
});

describe('queues', () => {
  test('standard queues are accepted', () => {
    expect(problems((s) => ({ onFailureQueue: queue(s, 'failed'), subscriptionDeadLetterQueue: queue(s, 'dlq') }))).toEqual([]);
  });

  test.each(['onFailureQueue', 'subscriptionDeadLetterQueue'] as const)('a FIFO %s is refused', (prop) => {
    expect(problems((s) => ({ [prop]: queue(s, 'q.fifo') }))).toEqual([
      `  - TopicSubscriber: ${prop} 'q.fifo': must be a standard queue (Lambda destinations and standard-topic subscriptions cannot use FIFO queues). `
      + 'Fix: use a standard queue.',
    ]);
  });

  test('a subscription dead-letter queue with the AWS-managed key is refused', () => {
    expect(problems((s) => ({
      subscriptionDeadLetterQueue: sqs.Queue.fromQueueAttributes(s, 'Q', { queueArn: `${ACCOUNT}:dlq`, keyArn: 'arn:aws:kms:us-east-1:123456789012:alias/aws/sqs' }),
    }))).toEqual([
      "  - TopicSubscriber: subscriptionDeadLetterQueue 'dlq': the queue uses the AWS-managed key alias/aws/sqs, which SNS cannot use. "
      + 'Fix: encrypt it with a customer-managed key.',
    ]);
  });

  test('an on-failure queue with the AWS-managed key is accepted (Lambda, not SNS, sends to it)', () => {
    expect(problems((s) => ({
      onFailureQueue: sqs.Queue.fromQueueAttributes(s, 'Q', { queueArn: `${ACCOUNT}:failed`, keyArn: 'arn:aws:kms:us-east-1:123456789012:alias/aws/sqs' }),
    }))).toEqual([]);
  });
});
