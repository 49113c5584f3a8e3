import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ConfigErrors } from '../private/config-errors';
import { checkDuration, checkNumber, LAMBDA_ASYNC_MAX_EVENT_AGE, LAMBDA_ASYNC_RETRY_ATTEMPTS } from '../private/ranges';
import { usesAwsManagedSqsKey } from '../private/secure-queue';
import { validateFilterScope } from './subscription-filter';
import { TopicSubscriberProps } from './topic-subscriber';

/** Throws one error listing every problem of a {@link TopicSubscriber}'s props (tokens are skipped). */
export function validateTopicSubscriberProps(scope: Construct, props: TopicSubscriberProps): void {
  const errors = new ConfigErrors('TopicSubscriber', scope.node.path);
  if (props.topic?.fifo) {
    errors.add('topic', props.topic.topicName, 'SNS FIFO topics deliver only to SQS queues, not to Lambda',
      'use a standard topic, or a FanOutTopic with fifo: true and a QueueWorker consuming its queue');
  }
  if (props.encryptionKey && props.topic instanceof sns.Topic && props.encryptionKey === props.topic.masterKey) {
    errors.add('encryptionKey', props.encryptionKey.node.path,
      'is the existing topic\'s own key; its key policy would have to name the topic, which already depends on the key (a dependency cycle CloudFormation rejects)',
      'remove encryptionKey to get a new key for the queues, or pass a different key');
  }
  validateFilterScope(errors, props);
  checkNumber(errors, 'retryAttempts', props.retryAttempts, LAMBDA_ASYNC_RETRY_ATTEMPTS, 'use 0, 1 or 2');
  checkDuration(errors, 'maxEventAge', props.maxEventAge, LAMBDA_ASYNC_MAX_EVENT_AGE,
    'use a value between Duration.minutes(1) and Duration.hours(6)');
  for (const prop of ['onFailureQueue', 'subscriptionDeadLetterQueue'] as const) {
    const queue = props[prop];
    if (queue?.fifo) {
      errors.add(prop, queue.queueName, 'must be a standard queue (Lambda destinations and standard-topic subscriptions cannot use FIFO queues)',
        'use a standard queue');
    }
  }
  if (props.subscriptionDeadLetterQueue && usesAwsManagedSqsKey(props.subscriptionDeadLetterQueue)) {
    errors.add('subscriptionDeadLetterQueue', props.subscriptionDeadLetterQueue.queueName,
      'the queue uses the AWS-managed key alias/aws/sqs, which SNS cannot use', 'encrypt it with a customer-managed key');
  }
  errors.throwIfAny();
}
