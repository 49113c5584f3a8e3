import { CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { QueueWorker } from '../messaging/queue-worker';
import { createHandlerFunction } from '../private/node-function';
import { acknowledgeNoFunctionDlq } from '../private/nag-acknowledgements';
import { createAlarmTopic } from './alarm-topic';
import { createFlowDashboard } from './messaging-dashboards';

/**
 * Example: a standard queue and a FIFO queue, each consumed by the Powertools batch consumer.
 * The FIFO worker keeps order within a message group: after a failed record, the rest of its
 * group is reported failed too and retried in order. Every alarm publishes to the stack's alarm
 * topic (`-c alarmEmail=...` subscribes an address); the dashboard shows both workers side by side.
 */
export class QueueWorkersStack extends Stack {
  public readonly standardWorker: QueueWorker;
  public readonly fifoWorker: QueueWorker;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const alarms = createAlarmTopic(this);

    // One key for both workers: each customer-managed key costs $1/month while idle.
    const key = new kms.Key(this, 'QueueKey', {
      description: 'Encrypts the QueueWorkers example queues',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.standardWorker = new QueueWorker(this, 'StandardWorker', {
      encryptionKey: key,
      handler: createHandlerFunction(this, 'StandardHandler', { handlerName: 'queue-worker', description: 'Consumes the standard queue' }),
      maxConcurrency: 5,
      alarmActions: [alarms.action],
    });
    this.fifoWorker = new QueueWorker(this, 'FifoWorker', {
      handler: createHandlerFunction(this, 'FifoHandler', { handlerName: 'queue-worker', description: 'Consumes the FIFO queue in order per message group' }),
      encryptionKey: key,
      fifo: true,
      contentBasedDeduplication: true,
      maxConcurrency: 5,
      alarmActions: [alarms.action],
    });

    for (const worker of [this.standardWorker, this.fifoWorker]) {
      acknowledgeNoFunctionDlq(worker.handler, 'invoked synchronously by the SQS event source mapping; failed records return to the queue and reach its dead-letter queue');
    }

    const workers = [['Standard', this.standardWorker], ['FIFO', this.fifoWorker]] as const;
    const each = (f: (w: QueueWorker, name: string) => cloudwatch.IMetric[]) => workers.flatMap(([name, w]) => f(w, name));
    this.dashboard = createFlowDashboard(this, [
      { title: 'Messages in', left: each((w, n) => [w.metricNumberOfMessagesSent({ label: `${n}: sent` })]) },
      { title: 'Work done', left: each((w, n) => [w.metricNumberOfMessagesDeleted({ label: `${n}: processed` })]) },
      {
        title: 'Failures',
        left: each((w, n) => [w.metricHandlerErrors({ label: `${n}: function errors` }), w.metricHandlerThrottles({ label: `${n}: throttles` })]),
        right: each((w, n) => [w.metricDeadLetterQueueDepth({ label: `${n}: in dead-letter queue`, statistic: 'Maximum' })]),
      },
      {
        title: 'Latency',
        left: each((w, n) => [w.metricApproximateAgeOfOldestMessage({ label: `${n}: oldest waiting (s)`, statistic: 'Maximum' })]),
        right: each((w, n) => [w.metricHandlerDuration({ label: `${n}: batch duration p99 (ms)`, statistic: 'p99' })]),
      },
      {
        title: 'Cost drivers',
        left: each((w, n) => [w.metricHandlerInvocations({ label: `${n}: invocations` })]),
        right: each((w, n) => [w.metricHandlerDuration({ label: `${n}: billed duration (ms)`, statistic: 'Sum' })]),
      },
    ]);

    new CfnOutput(this, 'StandardQueueUrl', { value: this.standardWorker.queue.queueUrl });
    new CfnOutput(this, 'FifoQueueUrl', { value: this.fifoWorker.queue.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn });
  }
}
