import { Annotations, Duration, Intrinsic, Lazy, RemovalPolicy, Stack, Tokenization, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmSet } from '../private/alarm-set';
import { createHandlerAlarms } from '../private/handler-alarms';
import { BATCHING_WINDOW, knownSeconds, LAMBDA_TIMEOUT } from '../private/ranges';
import { inAnotherStack, ScopedPolicyGrantee } from '../private/scoped-grant';
import {
  acknowledgeDeadLetterQueue, createDlqDepthAlarm, createOldestMessageAgeAlarm, createQueueKey, createSecureQueue, metricDeadLetterQueueDepth,
} from '../private/secure-queue';
import { validateQueueWorkerProps, VISIBILITY_TIMEOUT_FACTOR } from './validate-queue-worker-props';

/** Lambda's default function timeout, used when a `lambda.Function` sets none. */
const LAMBDA_DEFAULT_TIMEOUT = Duration.seconds(3);

/** The seconds of a duration: a number, or a token number when the duration is a token (never throws). */
function secondsOf(duration: Duration): number | undefined {
  try {
    return duration.toSeconds();
  } catch {
    return undefined; // a token in another unit than seconds cannot be converted
  }
}

/** True when the duration's value is known only at deploy time (a CfnParameter, an attribute), not at synth. */
function knownOnlyAtDeploy(duration: Duration | undefined): boolean {
  if (duration === undefined || !duration.isUnresolved()) {
    return false;
  }
  const seconds = secondsOf(duration);
  return seconds === undefined || Tokenization.reverseNumber(seconds) instanceof Intrinsic;
}

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
   * Timeout of `handler` (1-900 seconds). Needed only when `handler` is imported (its timeout
   * cannot be read); used to derive and check the queue's visibility timeout. With a
   * `lambda.Function` it must equal the function's timeout.
   *
   * @default - the timeout of `handler` (3 seconds when the function sets none)
   */
  readonly handlerTimeout?: Duration;

  /**
   * An existing queue to consume. Its visibility timeout should be at least 6 x the function
   * timeout + the batching window (AWS's recommendation): for a queue defined in this app a
   * shorter one is a warning, and one below the function timeout an error (Lambda rejects the
   * event source mapping). An imported queue's visibility timeout cannot be checked here.
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
   * Visibility timeout of the new queue (0-43,200 seconds). Below the function timeout it is an
   * error (Lambda rejects the event source mapping); below 6 x the function timeout plus the
   * batching window (AWS's recommendation) a warning, since a batch retried after a throttle can
   * then run twice.
   *
   * @default - 6 x the function timeout + the batching window; when either is a token known only
   * at deploy (e.g. a CfnParameter), 6 x 900 seconds (Lambda's maximum timeout) + the window
   * (300 seconds when unknown), with a warning
   */
  readonly visibilityTimeout?: Duration;

  /**
   * How long the new queue keeps unprocessed messages (60 seconds to 14 days).
   *
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;

  /**
   * Records per invocation: 1-10 for FIFO queues; 1-10,000 for standard queues, above 10 only
   * with a batching window of at least 1 second.
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
    validateQueueWorkerProps(this, props, fifo, functionTimeout);

    this.fifo = fifo;
    this.handler = props.handler;
    this.alarmSet = new AlarmSet(props.alarmActions);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    if (props.queue) {
      this.queue = props.queue;
    } else {
      this.visibilityTimeout = props.visibilityTimeout ?? this.derivedVisibilityTimeout(functionTimeout!, props.maxBatchingWindow);
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
    const role = this.handler.role;
    if (role && inAnotherStack(this, this.handler)) {
      // The grant goes into a policy of this construct's stack, attached to the function's role,
      // so that stack does not reference this one (the mapping and alarms reference the function).
      const grantee = new ScopedPolicyGrantee(this, 'HandlerPolicy', role);
      this.queue.grantConsumeMessages(grantee);
      this.eventSourceMapping.node.addDependency(grantee.policy!);
    } else if (role) {
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

  /**
   * 6 x the function timeout + the batching window. When either is a token, the sum is left to
   * synth (a Lazy resolves to a number then); a value known only at deploy counts as its maximum.
   */
  private derivedVisibilityTimeout(functionTimeout: Duration, window: Duration | undefined): Duration {
    const timeout = knownSeconds(functionTimeout);
    const windowSeconds = window ? knownSeconds(window) : 0;
    if (timeout !== undefined && windowSeconds !== undefined) {
      return Duration.seconds(VISIBILITY_TIMEOUT_FACTOR * timeout + windowSeconds);
    }
    const stack = Stack.of(this);
    const resolved = (duration: Duration | undefined, unknown: number): number => {
      const seconds = duration ? secondsOf(duration) : 0;
      const value = seconds === undefined ? undefined : stack.resolve(seconds);
      return typeof value === 'number' ? value : unknown;
    };
    if (knownOnlyAtDeploy(functionTimeout) || knownOnlyAtDeploy(window)) {
      const fallback = VISIBILITY_TIMEOUT_FACTOR * LAMBDA_TIMEOUT.max + (windowSeconds ?? BATCHING_WINDOW.max);
      Annotations.of(this).addWarningV2('cdk-reference-architectures:queueWorkerVisibilityTimeoutFallback',
        `The function timeout or batching window is not known at synth (a deploy-time token), so the queue's visibility timeout is ${fallback} seconds (6 x Lambda's 900-second maximum timeout + the window): failed batches are retried only after that long. Fix: set visibilityTimeout to 6 x the function timeout + the window.`);
    }
    return Duration.seconds(Lazy.number({
      produce: () => VISIBILITY_TIMEOUT_FACTOR * resolved(functionTimeout, LAMBDA_TIMEOUT.max) + resolved(window, BATCHING_WINDOW.max),
    }));
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
    return metricDeadLetterQueueDepth('QueueWorker', this, this.deadLetterQueue, props);
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
}
