import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { FanOutTopic } from '../messaging/fan-out-topic';
import { QueueWorker } from '../messaging/queue-worker';
import { TopicSubscriber } from '../messaging/topic-subscriber';
import { createHandlerAlarms } from '../private/handler-alarms';
import { createHandlerFunction } from '../private/node-function';
import { acknowledgeKmsActionWildcards, acknowledgeNoFunctionDlq } from '../private/nag-acknowledgements';
import { createAlarmTopic } from './alarm-topic';
import { createFlowDashboard } from './messaging-dashboards';

/**
 * Example: producer Lambda -> FanOutTopic -> filtered queues -> QueueWorkers, plus an
 * asynchronously invoked TopicSubscriber on the same topic.
 *
 * - Orders: attribute filter `eventType` starting with `order.`, raw delivery, consumed by a worker.
 * - LargePayments: body filter `type = payment.captured` and `amount >= 100`, SNS envelope kept.
 * - Audit: every event, raw delivery, kept 14 days in its queue for inspection (no consumer).
 * - Cancellations: `order.cancelled` invokes a Lambda directly (TopicSubscriber).
 *
 * Every alarm publishes to the stack's alarm topic (`-c alarmEmail=...` subscribes an address);
 * the dashboard follows an event from the producer to each consumer.
 */
export class FanOutStack extends Stack {
  public readonly fanOut: FanOutTopic;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const alarms = createAlarmTopic(this);
    const alarmActions = [alarms.action];
    this.fanOut = new FanOutTopic(this, 'Events', { alarmActions });

    const producer = createHandlerFunction(this, 'Producer', {
      handlerName: 'producer',
      description: 'Publishes events to the fan-out topic (invoke with {"events":[{"id","type","amount"}]})',
      environment: { TOPIC_ARN: this.fanOut.topic.topicArn },
    });
    this.fanOut.grantPublish(producer);
    // The producer is the stack's own function, not a construct's: its alarms are made here.
    const producerAlarms = createHandlerAlarms(new Construct(this, 'ProducerAlarms'), producer, `FanOut producer ${producer.node.path}`);
    producerAlarms.errors.addAlarmAction(alarms.action);
    producerAlarms.throttles.addAlarmAction(alarms.action);

    const ordersWorker = new QueueWorker(this, 'OrdersWorker', {
      handler: createHandlerFunction(this, 'OrdersHandler', { handlerName: 'queue-worker', description: 'Processes order events' }),
      encryptionKey: this.fanOut.encryptionKey,
      alarmActions,
    });
    this.fanOut.addSubscriber('Orders', {
      queue: ordersWorker.queue,
      rawMessageDelivery: true,
      filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ matchPrefixes: ['order.'] }) },
    });

    const paymentsWorker = new QueueWorker(this, 'LargePaymentsWorker', {
      handler: createHandlerFunction(this, 'LargePaymentsHandler', { handlerName: 'queue-worker', description: 'Processes large captured payments' }),
      encryptionKey: this.fanOut.encryptionKey,
      alarmActions,
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
      alarmActions,
    });

    acknowledgeNoFunctionDlq(producer, 'invoked on demand with `aws lambda invoke` (RequestResponse, synchronous), so the caller sees a failure directly; a scheduler such as EventBridge Scheduler invokes asynchronously and needs an on-failure destination first');
    acknowledgeNoFunctionDlq(ordersWorker.handler, 'invoked synchronously by the SQS event source mapping; failed records return to the queue and reach its dead-letter queue');
    acknowledgeNoFunctionDlq(paymentsWorker.handler, 'invoked synchronously by the SQS event source mapping; failed records return to the queue and reach its dead-letter queue');
    acknowledgeNoFunctionDlq(cancellations.handler, 'invoked asynchronously by SNS and has an on-failure destination queue, the successor of a function dead-letter queue');
    acknowledgeKmsActionWildcards(producer, 'Topic.grantPublish (publishing to a topic encrypted with the fan-out key)', ['kms:GenerateDataKey*']);
    acknowledgeKmsActionWildcards(cancellations.handler, 'Queue.grantSendMessages for the on-failure destination (encrypted with the subscriber key)', ['kms:GenerateDataKey*', 'kms:ReEncrypt*']);

    const workers = [['Orders', ordersWorker], ['LargePayments', paymentsWorker]] as const;
    const subscribers = Object.values(this.fanOut.subscribers);
    const functions = [['Producer', producer], ['Orders', ordersWorker.handler], ['LargePayments', paymentsWorker.handler], ['Cancellations', cancellations.handler]] as const;
    this.dashboard = createFlowDashboard(this, [
      {
        title: 'Events published',
        left: [this.fanOut.metricNumberOfMessagesPublished({ label: 'Published' }), this.fanOut.metricNumberOfNotificationsFilteredOut({ label: 'Filtered out' })],
      },
      {
        title: 'Delivered per subscriber',
        left: [
          ...subscribers.map((s) => s.metricNumberOfMessagesSent({ label: `${s.node.id}: to queue` })),
          cancellations.metricHandlerInvocations({ label: 'Cancellations: invocations' }),
        ],
      },
      {
        title: 'Work done',
        left: workers.map(([n, w]) => w.metricNumberOfMessagesDeleted({ label: `${n}: processed` })),
        right: [audit.metricApproximateNumberOfMessagesVisible({ label: 'Audit: kept in queue', statistic: 'Maximum' })],
      },
      {
        title: 'Failures',
        left: [
          this.fanOut.metricNumberOfNotificationsFailed({ label: 'SNS deliveries failed' }),
          ...functions.flatMap(([n, f]) => [f.metricErrors({ label: `${n}: errors` }), f.metricThrottles({ label: `${n}: throttles` })]),
        ],
        right: [
          ...subscribers.flatMap((s) => [
            s.metricSubscriptionDeadLetterQueueDepth({ label: `${s.node.id}: undeliverable`, statistic: 'Maximum' }),
            ...(s.deadLetterQueue ? [s.metricDeadLetterQueueDepth({ label: `${s.node.id}: dead-lettered`, statistic: 'Maximum' })] : []),
          ]),
          ...workers.map(([n, w]) => w.metricDeadLetterQueueDepth({ label: `${n}: dead-lettered`, statistic: 'Maximum' })),
          cancellations.metricOnFailureQueueDepth({ label: 'Cancellations: failed every retry', statistic: 'Maximum' }),
          cancellations.metricSubscriptionDeadLetterQueueDepth({ label: 'Cancellations: undeliverable', statistic: 'Maximum' }),
        ],
      },
      {
        title: 'Latency',
        left: workers.map(([n, w]) => w.metricApproximateAgeOfOldestMessage({ label: `${n}: oldest waiting (s)`, statistic: 'Maximum' })),
        right: functions.map(([n, f]) => f.metricDuration({ label: `${n}: duration p99 (ms)`, statistic: 'p99' })),
      },
      {
        title: 'Cost drivers',
        left: functions.map(([n, f]) => f.metricInvocations({ label: `${n}: invocations` })),
        right: functions.map(([n, f]) => f.metricDuration({ label: `${n}: billed duration (ms)`, statistic: 'Sum' })),
      },
    ]);

    new CfnOutput(this, 'TopicArn', { value: this.fanOut.topic.topicArn });
    new CfnOutput(this, 'ProducerFunctionName', { value: producer.functionName });
    new CfnOutput(this, 'AuditQueueUrl', { value: audit.queue.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn });
  }
}
