import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Options shared by every queue this library creates. */
export interface SecureQueueOptions {
  readonly fifo: boolean;
  readonly contentBasedDeduplication?: boolean;
  readonly encryptionKey: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  readonly retentionPeriod?: Duration;
  readonly visibilityTimeout?: Duration;
  readonly deadLetterQueue?: sqs.DeadLetterQueue;
}

/**
 * A queue encrypted with a customer-managed key (SNS and S3 cannot deliver to queues on the
 * AWS-managed `alias/aws/sqs` key, because its key policy cannot be changed), TLS-only, and
 * retained on stack deletion unless the caller opts out: queues hold data.
 */
export function createSecureQueue(scope: Construct, id: string, options: SecureQueueOptions): sqs.Queue {
  return new sqs.Queue(scope, id, {
    fifo: options.fifo ? true : undefined,
    contentBasedDeduplication: options.fifo ? options.contentBasedDeduplication : undefined,
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: options.encryptionKey,
    enforceSSL: true,
    removalPolicy: options.removalPolicy,
    retentionPeriod: options.retentionPeriod,
    visibilityTimeout: options.visibilityTimeout,
    deadLetterQueue: options.deadLetterQueue,
  });
}

const TERMINAL_QUEUE_REASON = (role: string) =>
  `This queue is ${role}: the end of the failure chain. A dead-letter queue for it would only move the same messages one step further; they are kept 14 days and an alarm fires on the first one.`;

/**
 * Records why a queue at the end of a failure chain that SQS does not see as one (a dead-letter
 * queue of an SNS subscription, an on-failure destination) has no dead-letter queue of its own:
 * another DLQ would only move the same messages one step further. What protects them instead is
 * a 14-day retention and an alarm on the first message. For the dead-letter queue of another
 * queue use {@link acknowledgeDeadLetterQueue}.
 */
export function acknowledgeTerminalQueue(queue: sqs.IQueue, role: string): void {
  const reason = TERMINAL_QUEUE_REASON(role);
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
  Validations.of(queue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason });
}

/**
 * Records why the dead-letter queue of another queue has no dead-letter queue of its own (see
 * {@link acknowledgeTerminalQueue}). Only the Serverless pack flags it: AwsSolutions-SQS3 already
 * accepts a queue that another queue's redrive policy names.
 */
export function acknowledgeDeadLetterQueue(queue: sqs.IQueue, role: string): void {
  Validations.of(queue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: TERMINAL_QUEUE_REASON(role) });
}

/** A customer-managed key with rotation, retained by default because queued data is encrypted with it. */
export function createQueueKey(scope: Construct, id: string, description: string, removalPolicy: RemovalPolicy): kms.Key {
  return new kms.Key(scope, id, {
    description,
    enableKeyRotation: true,
    removalPolicy,
  });
}

/** True when the queue is known to use the AWS-managed SQS key, to which SNS and S3 cannot deliver. */
export function usesAwsManagedSqsKey(queue: sqs.IQueue): boolean {
  if (queue.encryptionType === sqs.QueueEncryption.KMS_MANAGED) {
    return true;
  }
  const keyArn = queue.encryptionMasterKey?.keyArn;
  return typeof keyArn === 'string' && /(^|:|\/)alias\/aws\/sqs$/.test(keyArn);
}

/**
 * Alarm when anything reaches a dead-letter queue: every message there is a failure someone must look at.
 * Maximum of 1-minute periods, >= 1 for 1 period: the first message alarms within minutes. Missing data
 * is not breaching: SQS stops sending metrics for a queue idle for 6 hours, and an idle DLQ is healthy.
 */
export function createDlqDepthAlarm(scope: Construct, id: string, dlq: sqs.IQueue, what: string): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: `${what}: messages are waiting in dead-letter queue ${dlq.queueName}; inspect and redrive them.`,
    metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/**
 * `ApproximateNumberOfMessagesVisible` of the dead-letter queue of `owner` (a construct called
 * `kind`), for its `metricDeadLetterQueueDepth()`. Throws when `owner` was given an existing queue,
 * whose dead-letter queue it does not know.
 */
export function metricDeadLetterQueueDepth(kind: string, owner: Construct, dlq: sqs.IQueue | undefined,
  props?: cloudwatch.MetricOptions): cloudwatch.Metric {
  if (!dlq) {
    throw new Error(`${kind} at '${owner.node.path}': metricDeadLetterQueueDepth() needs the dead-letter queue, which is unknown for an existing queue. Fix: use the metric of your queue's dead-letter queue.`);
  }
  return dlq.metricApproximateNumberOfMessagesVisible(props);
}

/**
 * Alarm when the oldest message has waited longer than `threshold`: consumers are stuck or too slow.
 * Maximum of 1-minute periods, above the threshold for 3 periods in a row, so one slow batch does not
 * alarm. Missing data is not breaching: an empty, idle queue reports nothing.
 */
export function createOldestMessageAgeAlarm(
  scope: Construct,
  id: string,
  queue: sqs.IQueue,
  threshold: Duration,
  what: string,
): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: `${what}: the oldest message in ${queue.queueName} is older than ${threshold.isUnresolved() ? 'the alarm threshold' : threshold.toHumanString()}; consumers are failing or falling behind. Check the consumer's errors, throttles and concurrency.`,
    metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
    threshold: threshold.toSeconds(),
    evaluationPeriods: 3,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
