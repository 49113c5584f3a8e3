import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { FanOutTopic } from '../messaging/fan-out-topic';
import { QueueWorker } from '../messaging/queue-worker';
import { TopicSubscriber } from '../messaging/topic-subscriber';
import { createHandlerFunction } from '../private/node-function';
import { acknowledgeKmsActionWildcards, acknowledgeNoFunctionDlq } from '../private/nag-acknowledgements';

/**
 * Example: producer Lambda -> FanOutTopic -> filtered queues -> QueueWorkers, plus an
 * asynchronously invoked TopicSubscriber on the same topic.
 *
 * - Orders: attribute filter `eventType` starting with `order.`, raw delivery, consumed by a worker.
 * - LargePayments: body filter `type = payment.captured` and `amount >= 100`, SNS envelope kept.
 * - Audit: every event, raw delivery, kept 14 days in its queue for inspection (no consumer).
 * - Cancellations: `order.cancelled` invokes a Lambda directly (TopicSubscriber).
 */
export class FanOutStack extends Stack {
  public readonly fanOut: FanOutTopic;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.fanOut = new FanOutTopic(this, 'Events');

    const producer = createHandlerFunction(this, 'Producer', {
      handlerName: 'producer',
      description: 'Publishes events to the fan-out topic (invoke with {"events":[{"id","type","amount"}]})',
      environment: { TOPIC_ARN: this.fanOut.topic.topicArn },
    });
    this.fanOut.grantPublish(producer);

    const ordersWorker = new QueueWorker(this, 'OrdersWorker', {
      handler: createHandlerFunction(this, 'OrdersHandler', { handlerName: 'queue-worker', description: 'Processes order events' }),
      encryptionKey: this.fanOut.encryptionKey,
    });
    this.fanOut.addSubscriber('Orders', {
      queue: ordersWorker.queue,
      rawMessageDelivery: true,
      filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ matchPrefixes: ['order.'] }) },
    });

    const paymentsWorker = new QueueWorker(this, 'LargePaymentsWorker', {
      handler: createHandlerFunction(this, 'LargePaymentsHandler', { handlerName: 'queue-worker', description: 'Processes large captured payments' }),
      encryptionKey: this.fanOut.encryptionKey,
    });
    this.fanOut.addSubscriber('LargePayments', {
      queue: paymentsWorker.queue,
      filterPolicyWithMessageBody: {
        type: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.stringFilter({ allowlist: ['payment.captured'] })),
        amount: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.numericFilter({ greaterThanOrEqualTo: 100 })),
      },
    });

    const audit = this.fanOut.addSubscriber('Audit', { rawMessageDelivery: true });

    const cancellations = new TopicSubscriber(this, 'Cancellations', {
      topic: this.fanOut.topic,
      handler: createHandlerFunction(this, 'CancellationsHandler', { handlerName: 'topic-subscriber', description: 'Reacts to cancelled orders' }),
      filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['order.cancelled'] }) },
    });

    acknowledgeNoFunctionDlq(producer, 'invoked on demand with `aws lambda invoke` (RequestResponse, synchronous), so the caller sees a failure directly; a scheduler such as EventBridge Scheduler invokes asynchronously and needs an on-failure destination first');
    acknowledgeNoFunctionDlq(ordersWorker.handler, 'invoked synchronously by the SQS event source mapping; failed records return to the queue and reach its dead-letter queue');
    acknowledgeNoFunctionDlq(paymentsWorker.handler, 'invoked synchronously by the SQS event source mapping; failed records return to the queue and reach its dead-letter queue');
    acknowledgeNoFunctionDlq(cancellations.handler, 'invoked asynchronously by SNS and has an on-failure destination queue, the successor of a function dead-letter queue');
    acknowledgeKmsActionWildcards(producer, 'Topic.grantPublish (publishing to a topic encrypted with the fan-out key)', ['kms:GenerateDataKey*']);
    acknowledgeKmsActionWildcards(cancellations.handler, 'Queue.grantSendMessages for the on-failure destination (encrypted with the subscriber key)', ['kms:GenerateDataKey*', 'kms:ReEncrypt*']);

    new CfnOutput(this, 'TopicArn', { value: this.fanOut.topic.topicArn });
    new CfnOutput(this, 'ProducerFunctionName', { value: producer.functionName });
    new CfnOutput(this, 'AuditQueueUrl', { value: audit.queue.queueUrl });
  }
}
