import { Annotations, Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigErrors } from '../private/config-errors';
import {
  BATCHING_WINDOW, checkDuration, checkNumber, isKnownNumber, knownSeconds, LAMBDA_TIMEOUT, SQS_BATCH_SIZE_FIFO, SQS_BATCH_SIZE_STANDARD,
  SQS_BATCH_SIZE_WITHOUT_WINDOW, SQS_MAX_RECEIVE_COUNT, SQS_MAXIMUM_CONCURRENCY, SQS_RETENTION_PERIOD, SQS_VISIBILITY_TIMEOUT,
} from '../private/ranges';
import { QueueWorkerProps } from './queue-worker';

/** AWS's recommendation for SQS-triggered functions: visibility timeout >= 6 x function timeout + batching window. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** SQS's default visibility timeout, of a queue that sets none. */
const SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;

/**
 * Throws one error listing every problem of a {@link QueueWorker}'s props (tokens are skipped); warns when the
 * visibility timeout is below AWS's recommendation. `fifo` and `functionTimeout` are as the QueueWorker resolves them.
 */
export function validateQueueWorkerProps(scope: Construct, props: QueueWorkerProps, fifo: boolean, functionTimeout: Duration | undefined): void {
  const errors = new ConfigErrors('QueueWorker', scope.node.path);
  const kind = fifo ? 'FIFO' : 'standard';
  const window = props.maxBatchingWindow;

  checkDuration(errors, 'handlerTimeout', props.handlerTimeout, LAMBDA_TIMEOUT, 'use the function\'s configured timeout, at most Duration.minutes(15)');
  if (props.handler instanceof lambda.Function) {
    // aws-cdk-lib passes a function timeout over Lambda's maximum on to CloudFormation.
    checkDuration(errors, 'handler (its timeout)', props.handler.timeout, LAMBDA_TIMEOUT, 'set the function\'s timeout to Duration.minutes(15) or less');
    const given = knownSeconds(props.handlerTimeout);
    const own = knownSeconds(functionTimeout);
    if (given !== undefined && own !== undefined && given !== own) {
      errors.add('handlerTimeout', props.handlerTimeout,
        `differs from the function's own timeout (${own} seconds), which is the one the queue is sized and checked for`,
        'remove handlerTimeout (it is for imported functions, whose timeout cannot be read)');
    }
  }
  if (props.queue) {
    for (const prop of ['fifo', 'contentBasedDeduplication', 'encryptionKey', 'visibilityTimeout', 'retentionPeriod',
      'deadLetterQueue', 'maxReceiveCount', 'removalPolicy'] as const) {
      if (props[prop] !== undefined) {
        errors.add(prop, props[prop], 'only applies to a new queue, but an existing queue was given',
          `configure the existing queue directly and remove ${prop}`);
      }
    }
    checkVisibilityTimeout(scope, errors, 'queue', existingVisibilityTimeout(props.queue), functionTimeout, window, props.queue.node.path);
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
    checkNumber(errors, 'maxReceiveCount', props.maxReceiveCount, SQS_MAX_RECEIVE_COUNT, 'use 1 to 1000 (5 leaves room for transient failures)');
    checkDuration(errors, 'retentionPeriod', props.retentionPeriod, SQS_RETENTION_PERIOD, 'use Duration.minutes(1) to Duration.days(14)');
    checkDuration(errors, 'visibilityTimeout', props.visibilityTimeout, SQS_VISIBILITY_TIMEOUT, 'use Duration.hours(12) or less');
    if (props.visibilityTimeout) {
      checkVisibilityTimeout(scope, errors, 'visibilityTimeout', knownSeconds(props.visibilityTimeout), functionTimeout, window);
    }
  }

  if (window && fifo) {
    errors.add('maxBatchingWindow', window, 'Lambda does not support a batching window on FIFO queues',
      'remove maxBatchingWindow');
  }
  checkDuration(errors, 'maxBatchingWindow', window, BATCHING_WINDOW, 'use Duration.seconds(300) or less');
  const batchRange = fifo ? SQS_BATCH_SIZE_FIFO : SQS_BATCH_SIZE_STANDARD;
  checkNumber(errors, 'batchSize', props.batchSize, batchRange, `use 1 to ${batchRange.max}`);
  const windowSeconds = window ? knownSeconds(window) : 0;
  if (!fifo && isKnownNumber(props.batchSize) && props.batchSize > SQS_BATCH_SIZE_WITHOUT_WINDOW && props.batchSize <= batchRange.max
    && windowSeconds !== undefined && windowSeconds < 1) {
    errors.add('batchSize', props.batchSize,
      `Lambda requires a batching window of at least 1 second for batches larger than ${SQS_BATCH_SIZE_WITHOUT_WINDOW} (CreateEventSourceMapping, MaximumBatchingWindowInSeconds)`,
      `set maxBatchingWindow to Duration.seconds(1) or more, or use a batchSize of ${SQS_BATCH_SIZE_WITHOUT_WINDOW} or less`);
  }
  checkNumber(errors, 'maxConcurrency', props.maxConcurrency, SQS_MAXIMUM_CONCURRENCY, 'use a value from 2 to 1000, or remove it for no limit');
  errors.throwIfAny();
}

/**
 * A visibility timeout below the function timeout is an error (Lambda rejects the event source
 * mapping); below 6 x the timeout + the batching window a warning (AWS's recommendation, so a
 * batch retried after a throttle does not run twice). Skipped when any of them is a token.
 */
function checkVisibilityTimeout(scope: Construct, errors: ConfigErrors, prop: string, visibility: number | undefined,
  functionTimeout: Duration | undefined, window: Duration | undefined, queuePath?: string): void {
  const timeout = knownSeconds(functionTimeout);
  const windowSeconds = window ? knownSeconds(window) : 0;
  if (visibility === undefined || timeout === undefined || windowSeconds === undefined) {
    return;
  }
  const shown = `${visibility} seconds`;
  if (visibility < timeout) {
    errors.add(prop, prop === 'queue' ? queuePath : Duration.seconds(visibility),
      `${prop === 'queue' ? `its visibility timeout (${shown}) is` : 'is'} less than the function timeout (${timeout} seconds); Lambda rejects an event source mapping whose queue visibility timeout is below the function timeout`,
      `make the visibility timeout at least ${VISIBILITY_TIMEOUT_FACTOR * timeout + windowSeconds} seconds (6 x the function timeout + the batching window)`);
    return;
  }
  const recommended = VISIBILITY_TIMEOUT_FACTOR * timeout + windowSeconds;
  if (visibility < recommended) {
    Annotations.of(scope).addWarningV2('cdk-reference-architectures:queueWorkerVisibilityTimeout',
      `The queue's visibility timeout (${shown}) is below 6 x the function timeout (${timeout} seconds) + the batching window (${windowSeconds} seconds) = ${recommended} seconds, AWS's recommendation for SQS-triggered functions: a batch retried after a throttle can become visible again while it is still processed, and run twice. Fix: set the ${prop === 'queue' ? 'queue\'s visibility timeout' : 'visibilityTimeout'} to Duration.seconds(${recommended}) or more.`);
  }
}

/**
 * The visibility timeout in seconds of a queue defined in this app (SQS's 30-second default when it
 * sets none); undefined for an imported queue or a token.
 */
function existingVisibilityTimeout(queue: sqs.IQueue): number | undefined {
  if (!(queue instanceof sqs.Queue)) {
    return undefined;
  }
  const seconds = (queue.node.defaultChild as sqs.CfnQueue).visibilityTimeout ?? SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS;
  return knownSeconds(Duration.seconds(seconds));
}
