import { Duration, Token } from 'aws-cdk-lib';
import { ConfigErrors } from './config-errors';

/*
 * Documented ranges of the numbers we pass to AWS, one rule per quantity, shared by every construct.
 * A check on a token (CfnParameter, Lazy, another resource's attribute) is skipped: the value is
 * unknown at synth, and the service still checks it at deploy.
 */

/** A closed range of a number AWS accepts, with where it is documented. */
export interface NumericRange {
  readonly min: number;
  readonly max: number;
  /** Only whole numbers. @default true */
  readonly integer?: boolean;
  /** Unit in messages, e.g. 'seconds'. @default - none */
  readonly unit?: string;
  /** The AWS document (API reference or quota page) that states the range. */
  readonly source: string;
}

/** Lambda `Timeout`: 1 to 900 seconds (Lambda quotas, "Function timeout"). */
export const LAMBDA_TIMEOUT: NumericRange = { min: 1, max: 900, unit: 'seconds', source: 'Lambda quotas: function timeout' };
/** Lambda `MemorySize`: 128 to 10240 MB (Lambda quotas, "Function memory allocation"). */
export const LAMBDA_MEMORY: NumericRange = { min: 128, max: 10240, unit: 'MB', source: 'Lambda quotas: function memory allocation' };
/** SQS `VisibilityTimeout`: 0 to 43200 seconds (SQS API SetQueueAttributes). */
export const SQS_VISIBILITY_TIMEOUT: NumericRange = { min: 0, max: 43200, unit: 'seconds', source: 'SQS API SetQueueAttributes, VisibilityTimeout' };
/** SQS `MessageRetentionPeriod`: 60 to 1209600 seconds (SQS API SetQueueAttributes). */
export const SQS_RETENTION_PERIOD: NumericRange = { min: 60, max: 1209600, unit: 'seconds', source: 'SQS API SetQueueAttributes, MessageRetentionPeriod' };
/** SQS redrive `maxReceiveCount`: 1 to 1000 (SQS API SetQueueAttributes, RedrivePolicy). */
export const SQS_MAX_RECEIVE_COUNT: NumericRange = { min: 1, max: 1000, source: 'SQS API SetQueueAttributes, RedrivePolicy maxReceiveCount' };
/** Lambda SQS event source `BatchSize`, standard queue: 1 to 10000 (Lambda API CreateEventSourceMapping). */
export const SQS_BATCH_SIZE_STANDARD: NumericRange = { min: 1, max: 10000, source: 'Lambda API CreateEventSourceMapping, BatchSize (Amazon SQS)' };
/** Lambda SQS event source `BatchSize`, FIFO queue: 1 to 10 (Lambda API CreateEventSourceMapping). */
export const SQS_BATCH_SIZE_FIFO: NumericRange = { min: 1, max: 10, source: 'Lambda API CreateEventSourceMapping, BatchSize (Amazon SQS FIFO)' };
/** Lambda SQS event source `BatchSize` above this needs a batching window of at least 1 second. */
export const SQS_BATCH_SIZE_WITHOUT_WINDOW = 10;
/** Lambda event source `MaximumBatchingWindowInSeconds`: 0 to 300 seconds (Lambda API CreateEventSourceMapping). */
export const BATCHING_WINDOW: NumericRange = { min: 0, max: 300, unit: 'seconds', source: 'Lambda API CreateEventSourceMapping, MaximumBatchingWindowInSeconds' };
/** Lambda SQS event source `ScalingConfig.MaximumConcurrency`: 2 to 1000 (Lambda API ScalingConfig). */
export const SQS_MAXIMUM_CONCURRENCY: NumericRange = { min: 2, max: 1000, source: 'Lambda API ScalingConfig, MaximumConcurrency' };

/** Lambda asynchronous invocation `MaximumRetryAttempts`: 0 to 2 (Lambda API PutFunctionEventInvokeConfig). */
export const LAMBDA_ASYNC_RETRY_ATTEMPTS: NumericRange = { min: 0, max: 2, source: 'Lambda API PutFunctionEventInvokeConfig, MaximumRetryAttempts' };
/** Lambda asynchronous invocation `MaximumEventAgeInSeconds`: 60 to 21600 seconds (Lambda API PutFunctionEventInvokeConfig). */
export const LAMBDA_ASYNC_MAX_EVENT_AGE: NumericRange = { min: 60, max: 21600, unit: 'seconds', source: 'Lambda API PutFunctionEventInvokeConfig, MaximumEventAgeInSeconds' };

/** True when `value` is a number known at synth time. */
export function isKnownNumber(value: number | undefined): value is number {
  return value !== undefined && !Token.isUnresolved(value);
}

/** The seconds of `duration`, or undefined when it is unset or a token (never throws). */
export function knownSeconds(duration: Duration | undefined): number | undefined {
  if (duration === undefined || duration.isUnresolved()) {
    return undefined;
  }
  return duration.toSeconds({ integral: false });
}

/** The range as words, e.g. 'from 1 to 900 seconds (Lambda quotas: function timeout)'. */
export function describeRange(range: NumericRange): string {
  const unit = range.unit ? ` ${range.unit}` : '';
  const whole = range.integer ?? true ? 'a whole number ' : '';
  return `${whole}from ${range.min} to ${range.max}${unit} (${range.source})`;
}

/** True when a known `value` lies in `range` (a whole number if the range says so). */
export function inRange(value: number, range: NumericRange): boolean {
  return value >= range.min && value <= range.max && (!(range.integer ?? true) || Number.isInteger(value));
}

/** Records a problem unless `value` is unset, a token or inside `range`. */
export function checkNumber(errors: ConfigErrors, prop: string, value: number | undefined, range: NumericRange, fix?: string): void {
  if (isKnownNumber(value) && !inRange(value, range)) {
    errors.add(prop, value, `must be ${describeRange(range)}`, fix ?? `use a value from ${range.min} to ${range.max}`);
  }
}

/** Records a problem unless `duration` is unset, a token or inside `range` (in seconds). */
export function checkDuration(errors: ConfigErrors, prop: string, duration: Duration | undefined, range: NumericRange, fix?: string): void {
  const seconds = knownSeconds(duration);
  if (seconds !== undefined && !inRange(seconds, range)) {
    errors.add(prop, duration, `must be ${describeRange(range)}`, fix ?? `use a duration from ${range.min} to ${range.max} ${range.unit ?? 'seconds'}`);
  }
}
