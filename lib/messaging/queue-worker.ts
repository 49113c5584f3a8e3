import { Annotations, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmSet } from '../private/alarm-set';
import { ConfigErrors, isConcrete } from '../private/config-errors';
import { createHandlerAlarms } from '../private/handler-alarms';
import {
  acknowledgeDeadLetterQueue, createDlqDepthAlarm, createOldestMessageAgeAlarm, createQueueKey, createSecureQueue,
} from '../private/secure-queue';

/** AWS's recommendation for SQS-triggered functions: visibility timeout >= 6 x function timeout + batching window. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** Lambda's default function timeout, used when a `lambda.Function` sets none. */
const LAMBDA_DEFAULT_TIMEOUT = Duration.seconds(3);

/**
 * Properties of a {@link QueueWorker}.
 */
export interface QueueWorkerProps {
  /**
   * The function that processes the messages. It should return a partial batch response
   * (`batchItemFailures`), as the Powertools batch processor does.
   */
  readonly handler: lambda.IFunction;

  /**
   * Timeout of `handler`. Needed only when `handler` is imported (its timeout cannot be read);
   * used to derive and check the queue's visibility timeout.
   *
   * @default - the timeout of `handler` (3 seconds when the function sets none)
   */
  readonly handlerTimeout?: Duration;

  /**
   * An existing queue to consume. Its visibility timeout must follow the same rule as a new
   * queue's (at least 6 x the function timeout + the batching window); it cannot be checked here.
   *
   * @default - a new queue encrypted with `encryptionKey`, with a dead-letter queue
   */
  readonly queue?: sqs.IQueue;

  /**
   * Create a FIFO queue (and FIFO dead-letter queue). Only for a new queue.
   *
   * @default false
   */
  readonly fifo?: boolean;

  /**
   * Content-based deduplication on a new FIFO queue.
   *
   * @default false
   */
  readonly contentBasedDeduplication?: boolean;

  /**
   * Customer-managed key for the new queues. Pass a {@link FanOutTopic}'s key when SNS delivers here.
   *
   * @default - a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Visibility timeout of the new queue. Must be at least 6 x the function timeout plus the
   * batching window, or messages still being processed become visible again and run twice.
   *
   * @default - 6 x the function timeout + the batching window
   */
  readonly visibilityTimeout?: Duration;

  /**
   * How long the new queue keeps unprocessed messages.
   *
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;

  /**
   * Records per invocation: 1-10 for FIFO queues; 1-10,000 for standard queues, above 10 only
   * with a batching window.
   *
   * @default 10
   */
  readonly batchSize?: number;

  /**
   * How long Lambda gathers records before invoking (0-300 s). Not supported on FIFO queues.
   *
   * @default - no batching window
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * Maximum concurrent invocations from this queue (2-1000); protects downstream systems.
   *
   * @default - no limit other than the account's concurrency
   */
  readonly maxConcurrency?: number;

  /**
   * Let the function report failed records individually (partial batch response), so only
   * those are retried and successful ones are not processed again.
   *
   * @default true
   */
  readonly reportBatchItemFailures?: boolean;

  /**
   * Dead-letter queue; must be FIFO exactly when the queue is. Only for a new queue.
   *
   * @default - a new dead-letter queue of the same type, retaining messages for 14 days
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * Receives before a message moves to the dead-letter queue (1-1000). Only for a new queue.
   *
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * The alarm on the age of the oldest message fires above this age.
   *
   * @default Duration.minutes(15)
   */
  readonly oldestMessageAgeAlarmThreshold?: Duration;

  /**
   * Create the errors and throttles alarms on `handler`. Turn them off when the function already has
   * such alarms, e.g. because it consumes several queues.
   *
   * @default true
   */
  readonly handlerAlarms?: boolean;

  /**
   * Actions of every alarm of this construct (e.g. an `SnsAction` to your on-call topic).
   *
   * @default - no actions; add them with addAlarmActions()
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];

  /**
   * What happens to the new queues and key when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An SQS queue (standard or FIFO) consumed by a Lambda function through an event source
 * mapping, with partial batch responses, a dead-letter queue of the same type, a visibility
 * timeout derived from the function timeout, and alarms on dead-letter depth and message age.
 *
 * @example
 * const worker = new QueueWorker(this, 'Orders', { handler: ordersFunction, fifo: true });
 */
export class QueueWorker extends Construct {
  /** The queue the function consumes. */
  public readonly queue: sqs.IQueue;
  /** The dead-letter queue; undefined when an existing queue was given. */
  public readonly deadLetterQueue?: sqs.IQueue;
  /** The consuming function. */
  public readonly handler: lambda.IFunction;
  /** The event source mapping connecting queue and function. */
  public readonly eventSourceMapping: lambda.EventSourceMapping;
  /** Key of the new queues; undefined when an existing queue was given. */
  public readonly encryptionKey?: kms.IKey;
  /** Visibility timeout of the new queue; undefined when an existing queue was given. */
  public readonly visibilityTimeout?: Duration;
  /** Whether the queue is FIFO. */
  public readonly fifo: boolean;
  /** Alarm on any message in the dead-letter queue; undefined when an existing queue was given. */
  public readonly deadLetterQueueAlarm?: cloudwatch.Alarm;
  /** Alarm on the age of the oldest message in the queue. */
  public readonly oldestMessageAgeAlarm: cloudwatch.Alarm;
  /** Alarm on invocation errors of the handler; undefined with `handlerAlarms: false`. */
  public readonly handlerErrorsAlarm?: cloudwatch.Alarm;
  /** Alarm on throttles of the handler; undefined with `handlerAlarms: false`. */
  public readonly handlerThrottlesAlarm?: cloudwatch.Alarm;

  private readonly alarmSet: AlarmSet;

  constructor(scope: Construct, id: string, props: QueueWorkerProps) {
    super(scope, id);

    const fifo = props.queue ? props.queue.fifo : props.fifo ?? false;
    const functionTimeout = QueueWorker.functionTimeout(props);
    this.validate(props, fifo, functionTimeout);

    this.fifo = fifo;
    this.handler = props.handler;
    this.alarmSet = new AlarmSet(props.alarmActions);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    if (props.queue) {
      this.queue = props.queue;
    } else {
      const window = props.maxBatchingWindow ?? Duration.seconds(0);
      this.visibilityTimeout = props.visibilityTimeout
        ?? Duration.seconds(VISIBILITY_TIMEOUT_FACTOR * functionTimeout!.toSeconds() + window.toSeconds());
      this.encryptionKey = props.encryptionKey
        ?? createQueueKey(this, 'Key', `Encrypts the ${this.node.path} queues`, removalPolicy);
      this.deadLetterQueue = props.deadLetterQueue ?? createSecureQueue(this, 'DeadLetterQueue', {
        fifo,
        encryptionKey: this.encryptionKey,
        removalPolicy,
        retentionPeriod: Duration.days(14),
      });
      this.queue = createSecureQueue(this, 'Queue', {
        fifo,
        contentBasedDeduplication: props.contentBasedDeduplication,
        encryptionKey: this.encryptionKey,
        removalPolicy,
        retentionPeriod: props.retentionPeriod,
        visibilityTimeout: this.visibilityTimeout,
        deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
      });
      if (!props.deadLetterQueue) {
        acknowledgeDeadLetterQueue(this.deadLetterQueue, 'the dead-letter queue of a Lambda-consumed queue');
      }
      this.deadLetterQueueAlarm = this.alarmSet.add(
        createDlqDepthAlarm(this, 'DeadLetterQueueAlarm', this.deadLetterQueue, `QueueWorker ${this.node.path}`));
    }

    this.oldestMessageAgeAlarm = this.alarmSet.add(createOldestMessageAgeAlarm(this, 'OldestMessageAgeAlarm', this.queue,
      props.oldestMessageAgeAlarmThreshold ?? Duration.minutes(15), `QueueWorker ${this.node.path}`));
    if (props.handlerAlarms ?? true) {
      const handlerAlarms = createHandlerAlarms(this, this.handler, `QueueWorker ${this.node.path}`);
      this.handlerErrorsAlarm = this.alarmSet.add(handlerAlarms.errors);
      this.handlerThrottlesAlarm = this.alarmSet.add(handlerAlarms.throttles);
    }

    // Created in this construct (not through handler.addEventSource) so its ID is ours and stable.
    this.eventSourceMapping = new lambda.EventSourceMapping(this, 'EventSourceMapping', {
      target: this.handler,
      eventSourceArn: this.queue.queueArn,
      batchSize: props.batchSize ?? 10,
      maxBatchingWindow: props.maxBatchingWindow,
      maxConcurrency: props.maxConcurrency,
      reportBatchItemFailures: props.reportBatchItemFailures ?? true,
    });
    if (this.handler.role) {
      this.queue.grantConsumeMessages(this.handler);
    } else {
      Annotations.of(this).addWarningV2('cdk-reference-architectures:queueWorkerImportedFunction',
        `The handler ${this.handler.node.path} was imported without its role, so it could not be granted sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility and sqs:GetQueueAttributes on the queue (and kms:Decrypt on its key); grant them to the function's role yourself.`);
    }
    Validations.of(this.eventSourceMapping).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: 'SQS event source mappings do not support on-failure destinations (only stream and Kafka sources do); failed records return to the queue and move to its dead-letter queue after maxReceiveCount receives.',
    });
  }

  private static functionTimeout(props: QueueWorkerProps): Duration | undefined {
    if (props.handler instanceof lambda.Function) {
      return props.handler.timeout ?? LAMBDA_DEFAULT_TIMEOUT;
    }
    return props.handlerTimeout;
  }

  /** Every alarm of this construct. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.alarmSet.alarms;
  }

  /** Adds actions to every alarm of this construct, including alarms created later. */
  public addAlarmActions(...actions: cloudwatch.IAlarmAction[]): void {
    this.alarmSet.addActions(...actions);
  }

  /** Age of the oldest message in the queue: the backlog signal to alarm on. */
  public metricApproximateAgeOfOldestMessage(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateAgeOfOldestMessage(props);
  }

  /** Messages waiting in the queue. */
  public metricApproximateNumberOfMessagesVisible(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateNumberOfMessagesVisible(props);
  }

  /** Messages in the dead-letter queue. Throws when an existing queue was given (its DLQ is unknown). */
  public metricDeadLetterQueueDepth(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.deadLetterQueue) {
      throw new Error(`QueueWorker at '${this.node.path}': metricDeadLetterQueueDepth() needs the dead-letter queue, which is unknown for an existing queue. Fix: use the metric of your queue's dead-letter queue.`);
    }
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible(props);
  }

  /** Messages sent to the queue: the work coming in. */
  public metricNumberOfMessagesSent(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricNumberOfMessagesSent(props);
  }

  /** Messages deleted from the queue: the work done (records the function processed or skipped). */
  public metricNumberOfMessagesDeleted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricNumberOfMessagesDeleted(props);
  }

  /** Invocations of the consuming function (one per batch). */
  public metricHandlerInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handler.metricInvocations(props);
  }

  /** Invocation errors of the consuming function (failed records of a partial batch response are not errors). */
  public metricHandlerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handler.metricErrors(props);
  }

  /** Throttled invocations of the consuming function. */
  public metricHandlerThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handler.metricThrottles(props);
  }

  /** Duration of the consuming function's invocations. */
  public metricHandlerDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handler.metricDuration(props);
  }

  private validate(props: QueueWorkerProps, fifo: boolean, functionTimeout: Duration | undefined): void {
    const errors = new ConfigErrors('QueueWorker', this.node.path);
    const kind = fifo ? 'FIFO' : 'standard';

    if (props.queue) {
      for (const prop of ['fifo', 'contentBasedDeduplication', 'encryptionKey', 'visibilityTimeout', 'retentionPeriod',
        'deadLetterQueue', 'maxReceiveCount', 'removalPolicy'] as const) {
        if (props[prop] !== undefined) {
          errors.add(prop, props[prop], 'only applies to a new queue, but an existing queue was given',
            `configure the existing queue directly and remove ${prop}`);
        }
      }
    } else {
      if (functionTimeout === undefined) {
        errors.add('handlerTimeout', undefined,
          'the handler is imported, so its timeout cannot be read, and the queue visibility timeout is derived from it',
          'set handlerTimeout to the function\'s configured timeout');
      }
      if (props.contentBasedDeduplication && !fifo) {
        errors.add('contentBasedDeduplication', true, 'content-based deduplication exists only on FIFO queues',
          'set fifo: true or remove contentBasedDeduplication');
      }
      if (props.deadLetterQueue && props.deadLetterQueue.fifo !== fifo) {
        errors.add('deadLetterQueue', props.deadLetterQueue.queueName,
          `the queue is ${kind}, and SQS requires its dead-letter queue to be of the same type`, `use a ${kind} dead-letter queue`);
      }
      const maxReceiveCount = props.maxReceiveCount;
      if (isConcrete(maxReceiveCount) && (maxReceiveCount < 1 || maxReceiveCount > 1000 || !Number.isInteger(maxReceiveCount))) {
        errors.add('maxReceiveCount', maxReceiveCount, 'SQS allows a whole number from 1 to 1000',
          'use 1 or more (5 leaves room for transient failures)');
      }
      const visibility = props.visibilityTimeout;
      const window = props.maxBatchingWindow ?? Duration.seconds(0);
      if (visibility && functionTimeout && !visibility.isUnresolved() && !functionTimeout.isUnresolved() && !window.isUnresolved()) {
        const minimum = VISIBILITY_TIMEOUT_FACTOR * functionTimeout.toSeconds() + window.toSeconds();
        if (visibility.toSeconds() < minimum) {
          errors.add('visibilityTimeout', visibility,
            `must be at least ${VISIBILITY_TIMEOUT_FACTOR} x the function timeout (${functionTimeout.toHumanString()}) + the batching window (${window.toHumanString()}) = ${minimum} seconds, or messages still being processed become visible and run twice`,
            `set visibilityTimeout to Duration.seconds(${minimum}) or more, or remove it to have it derived`);
        }
      }
    }

    const batchSize = props.batchSize;
    const window = props.maxBatchingWindow;
    if (window && fifo) {
      errors.add('maxBatchingWindow', window, 'Lambda does not support a batching window on FIFO queues',
        'remove maxBatchingWindow');
    }
    if (window && !window.isUnresolved() && window.toSeconds() > 300) {
      errors.add('maxBatchingWindow', window, 'Lambda allows at most 300 seconds', 'use Duration.seconds(300) or less');
    }
    if (isConcrete(batchSize)) {
      if (batchSize < 1 || !Number.isInteger(batchSize)) {
        errors.add('batchSize', batchSize, 'must be a whole number of at least 1', 'use 1-10');
      } else if (fifo && batchSize > 10) {
        errors.add('batchSize', batchSize, 'FIFO queues deliver at most 10 records per batch', 'use 10 or less');
      } else if (batchSize > 10000) {
        errors.add('batchSize', batchSize, 'standard queues deliver at most 10,000 records per batch', 'use 10,000 or less');
      } else if (batchSize > 10 && !window) {
        errors.add('batchSize', batchSize, 'Lambda requires a batching window for batches larger than 10',
          'set maxBatchingWindow (e.g. Duration.seconds(1)) or use a batchSize of 10 or less');
      }
    }
    const maxConcurrency = props.maxConcurrency;
    if (isConcrete(maxConcurrency) && (maxConcurrency < 2 || maxConcurrency > 1000)) {
      errors.add('maxConcurrency', maxConcurrency, 'Lambda allows 2 to 1000 concurrent invocations per queue',
        'use a value from 2 to 1000, or remove it for no limit');
    }
    errors.throwIfAny();
  }
}
