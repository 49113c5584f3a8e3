import { Annotations } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ConfigErrors } from '../private/config-errors';
import { checkDuration, checkNumber, SQS_MAX_RECEIVE_COUNT, SQS_VISIBILITY_TIMEOUT } from '../private/ranges';
import { usesAwsManagedSqsKey } from '../private/secure-queue';
import { topicNameOf } from '../private/sns-key-access';
import { FanOutSubscriberOptions, FanOutTopicProps } from './fan-out-topic';
import { validateFilterScope } from './subscription-filter';
import { validateTopicName } from './validate-topic-name';

/** Throws one error listing every problem of a {@link FanOutTopic}'s props (tokens are skipped). */
export function validateFanOutTopicProps(scope: Construct, props: FanOutTopicProps): void {
  const errors = new ConfigErrors('FanOutTopic', scope.node.path);
  if (props.topic) {
    for (const prop of ['fifo', 'contentBasedDeduplication', 'topicName'] as const) {
      if (props[prop] !== undefined) {
        errors.add(prop, props[prop], 'only applies to a new topic, but an existing topic was given',
          `remove ${prop} or remove topic`);
      }
    }
    if (props.encryptionKey && props.topic instanceof sns.Topic && props.encryptionKey === props.topic.masterKey) {
      errors.add('encryptionKey', props.encryptionKey.node.path,
        'is the existing topic\'s own key; its key policy would have to name the topic, which already depends on the key (a dependency cycle CloudFormation rejects)',
        'remove encryptionKey to get a new key for the queues, or pass a different key');
    }
  } else {
    if (props.contentBasedDeduplication && !props.fifo) {
      errors.add('contentBasedDeduplication', true, 'content-based deduplication exists only on FIFO topics',
        'set fifo: true or remove contentBasedDeduplication');
    }
    if (props.topicName !== undefined) {
      validateTopicName(errors, 'topicName', topicNameOf(props.topicName, props.fifo ?? false), props.fifo ?? false);
    }
  }
  errors.throwIfAny();
}

/**
 * Throws one error listing every problem of the options of subscriber `id` of the FanOutTopic `scope`,
 * whose topic is `topic`; warns when a FIFO topic delivers to a standard queue.
 */
export function validateFanOutSubscriberOptions(scope: Construct, topic: sns.ITopic, id: string, options: FanOutSubscriberOptions): void {
  const errors = new ConfigErrors('FanOutTopic', scope.node.path);
  const where = `subscribers.${id}`;
  const topicFifo = topic.fifo;
  const topicKind = topicFifo ? 'FIFO' : 'standard';

  if (scope.node.tryFindChild(id)) {
    errors.add(`${where}`, id, 'a subscriber (or child construct) with this ID already exists', 'use a unique subscriber ID');
  }
  validateFilterScope(errors, options, `${where}.`);

  if (options.queue) {
    const queue = options.queue;
    for (const prop of ['maxReceiveCount', 'deadLetterQueue', 'visibilityTimeout', 'contentBasedDeduplication'] as const) {
      if (options[prop] !== undefined) {
        errors.add(`${where}.${prop}`, options[prop], 'only applies to a new queue, but an existing queue was given',
          `configure the existing queue directly and remove ${prop}`);
      }
    }
    if (!topicFifo && queue.fifo) {
      errors.add(`${where}.queue`, queue.queueName, 'a standard SNS topic cannot deliver to a FIFO queue',
        'use a standard queue, or create the FanOutTopic with fifo: true');
    }
    if (topicFifo && !queue.fifo) {
      Annotations.of(scope).addWarningV2('cdk-reference-architectures:fanOutFifoTopicStandardQueue',
        `${where}: a FIFO topic delivering to a standard queue loses ordering and exactly-once processing; use a FIFO queue unless that is intended.`);
    }
    if (usesAwsManagedSqsKey(queue)) {
      errors.add(`${where}.queue`, queue.queueName,
        'the queue is encrypted with the AWS-managed key alias/aws/sqs, whose key policy does not allow SNS, so SNS silently drops every message',
        'encrypt the queue with a customer-managed key (e.g. this FanOutTopic\'s encryptionKey) or SSE-SQS');
    }
  } else {
    if (options.contentBasedDeduplication && !topicFifo) {
      errors.add(`${where}.contentBasedDeduplication`, true, 'content-based deduplication exists only on FIFO queues',
        'remove it, or create the FanOutTopic with fifo: true');
    }
    checkNumber(errors, `${where}.maxReceiveCount`, options.maxReceiveCount, SQS_MAX_RECEIVE_COUNT, 'use 1 to 1000 (5 is a common choice)');
    checkDuration(errors, `${where}.visibilityTimeout`, options.visibilityTimeout, SQS_VISIBILITY_TIMEOUT);
    if (options.deadLetterQueue && options.deadLetterQueue.fifo !== topicFifo) {
      errors.add(`${where}.deadLetterQueue`, options.deadLetterQueue.queueName,
        `the new queue is ${topicKind}, and SQS requires its dead-letter queue to be of the same type`,
        `use a ${topicKind} dead-letter queue`);
    }
  }
  const subDlq = options.subscriptionDeadLetterQueue;
  if (subDlq && subDlq.fifo !== topicFifo) {
    errors.add(`${where}.subscriptionDeadLetterQueue`, subDlq.queueName,
      `SNS requires the subscription dead-letter queue of a ${topicKind} topic to be ${topicKind}`,
      `use a ${topicKind} queue`);
  }
  if (subDlq && usesAwsManagedSqsKey(subDlq)) {
    errors.add(`${where}.subscriptionDeadLetterQueue`, subDlq.queueName,
      'the queue uses the AWS-managed key alias/aws/sqs, which SNS cannot use', 'encrypt it with a customer-managed key');
  }
  errors.throwIfAny();
}
