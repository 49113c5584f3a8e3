import { Duration, Lazy, Token } from 'aws-cdk-lib';
import { ConfigErrors } from '../../lib/private/config-errors';
import {
  BATCHING_WINDOW, LAMBDA_MEMORY, LAMBDA_TIMEOUT, NumericRange, SQS_BATCH_SIZE_FIFO, SQS_BATCH_SIZE_STANDARD,
  SQS_BATCH_SIZE_WITHOUT_WINDOW, SQS_MAXIMUM_CONCURRENCY, SQS_MAX_RECEIVE_COUNT, SQS_RETENTION_PERIOD,
  SQS_VISIBILITY_TIMEOUT, checkDuration, checkNumber, describeRange, inRange, isKnownNumber, knownSeconds,
} from '../../lib/private/ranges';
import { recordedProblems } from '../support/config-problems';

/** The problems `check` records, as the lines of the thrown message (without the header). */
function problems(check: (errors: ConfigErrors) => void): string[] {
  const errors = new ConfigErrors('Widget', 'W');
  check(errors);
  return recordedProblems(errors);
}

describe('documented ranges', () => {
  test.each<[string, NumericRange, string]>([
    ['LAMBDA_TIMEOUT', LAMBDA_TIMEOUT, 'a whole number from 1 to 900 seconds (Lambda quotas: function timeout)'],
    ['LAMBDA_MEMORY', LAMBDA_MEMORY, 'a whole number from 128 to 10240 MB (Lambda quotas: function memory allocation)'],
    ['SQS_VISIBILITY_TIMEOUT', SQS_VISIBILITY_TIMEOUT, 'a whole number from 0 to 43200 seconds (SQS API SetQueueAttributes, VisibilityTimeout)'],
    ['SQS_RETENTION_PERIOD', SQS_RETENTION_PERIOD, 'a whole number from 60 to 1209600 seconds (SQS API SetQueueAttributes, MessageRetentionPeriod)'],
    ['SQS_MAX_RECEIVE_COUNT', SQS_MAX_RECEIVE_COUNT, 'a whole number from 1 to 1000 (SQS API SetQueueAttributes, RedrivePolicy maxReceiveCount)'],
    ['SQS_BATCH_SIZE_STANDARD', SQS_BATCH_SIZE_STANDARD, 'a whole number from 1 to 10000 (Lambda API CreateEventSourceMapping, BatchSize (Amazon SQS))'],
    ['SQS_BATCH_SIZE_FIFO', SQS_BATCH_SIZE_FIFO, 'a whole number from 1 to 10 (Lambda API CreateEventSourceMapping, BatchSize (Amazon SQS FIFO))'],
    ['BATCHING_WINDOW', BATCHING_WINDOW, 'a whole number from 0 to 300 seconds (Lambda API CreateEventSourceMapping, MaximumBatchingWindowInSeconds)'],
    ['SQS_MAXIMUM_CONCURRENCY', SQS_MAXIMUM_CONCURRENCY, 'a whole number from 2 to 1000 (Lambda API ScalingConfig, MaximumConcurrency)'],
  ])('%s is %s', (_name, range, described) => {
    expect(describeRange(range)).toBe(described);
  });

  test('a batch above 10 needs a batching window', () => {
    expect(SQS_BATCH_SIZE_WITHOUT_WINDOW).toBe(10);
  });

  test('a range of any number without a unit says so', () => {
    expect(describeRange({ min: 0.5, max: 2, integer: false, source: 'S' })).toBe('from 0.5 to 2 (S)');
  });
});

describe('inRange', () => {
  const whole: NumericRange = { min: 1, max: 10, source: 'S' };
  const fractional: NumericRange = { min: 1, max: 10, integer: false, source: 'S' };

  test.each([
    [0, false], [0.5, false], [1, true], [2, true], [9, true], [10, true], [10.5, false], [11, false], [5.5, false],
  ])('whole numbers from 1 to 10: %d is %s', (value, inside) => {
    expect(inRange(value, whole)).toBe(inside);
  });

  test.each([
    [0.99, false], [1, true], [5.5, true], [10, true], [10.01, false],
  ])('any number from 1 to 10: %d is %s', (value, inside) => {
    expect(inRange(value, fractional)).toBe(inside);
  });

  test('integer: true is the default made explicit', () => {
    expect(inRange(5.5, { ...whole, integer: true })).toBe(false);
  });
});

describe('checkNumber', () => {
  test.each([1, 2, 999, 1000])('maxReceiveCount %d is accepted', (value) => {
    expect(problems((e) => checkNumber(e, 'maxReceiveCount', value, SQS_MAX_RECEIVE_COUNT))).toEqual([]);
  });

  test.each([0, 1001, 2.5])('maxReceiveCount %d is rejected', (value) => {
    expect(problems((e) => checkNumber(e, 'maxReceiveCount', value, SQS_MAX_RECEIVE_COUNT))).toHaveLength(1);
  });

  test('the message names prop, value, range with its source, and the default fix', () => {
    expect(problems((e) => checkNumber(e, 'maxReceiveCount', 1001, SQS_MAX_RECEIVE_COUNT))).toEqual([
      "  - Widget: maxReceiveCount '1001': must be a whole number from 1 to 1000 (SQS API SetQueueAttributes, RedrivePolicy maxReceiveCount). Fix: use a value from 1 to 1000.",
    ]);
  });

  test('a given fix replaces the default one', () => {
    expect(problems((e) => checkNumber(e, 'batchSize', 11, SQS_BATCH_SIZE_FIFO, 'use at most 10 on a FIFO queue'))).toEqual([
      "  - Widget: batchSize '11': must be a whole number from 1 to 10 (Lambda API CreateEventSourceMapping, BatchSize (Amazon SQS FIFO)). Fix: use at most 10 on a FIFO queue.",
    ]);
  });

  test.each([
    ['unset', undefined],
    ['a CfnParameter-like token', Token.asNumber({ Ref: 'Count' })],
    ['a Lazy', Lazy.number({ produce: () => 0 })],
  ])('%s is not checked', (_name, value) => {
    expect(problems((e) => checkNumber(e, 'maxReceiveCount', value, SQS_MAX_RECEIVE_COUNT))).toEqual([]);
  });
});

describe('checkDuration', () => {
  test.each([1, 2, 899, 900])('timeout %d s is accepted', (seconds) => {
    expect(problems((e) => checkDuration(e, 'timeout', Duration.seconds(seconds), LAMBDA_TIMEOUT))).toEqual([]);
  });

  test.each([0, 901])('timeout %d s is rejected', (seconds) => {
    expect(problems((e) => checkDuration(e, 'timeout', Duration.seconds(seconds), LAMBDA_TIMEOUT))).toHaveLength(1);
  });

  test('a fraction of a second is rejected where the range takes whole seconds', () => {
    expect(problems((e) => checkDuration(e, 'timeout', Duration.millis(1500), LAMBDA_TIMEOUT))).toEqual([
      "  - Widget: timeout '1 second 500 millis': must be a whole number from 1 to 900 seconds (Lambda quotas: function timeout). Fix: use a duration from 1 to 900 seconds.",
    ]);
  });

  test('the message names prop, duration, range and the default fix', () => {
    expect(problems((e) => checkDuration(e, 'timeout', Duration.minutes(16), LAMBDA_TIMEOUT))).toEqual([
      "  - Widget: timeout '16 minutes': must be a whole number from 1 to 900 seconds (Lambda quotas: function timeout). Fix: use a duration from 1 to 900 seconds.",
    ]);
  });

  test('the default fix says seconds for a range without a unit, and a given fix replaces it', () => {
    const range: NumericRange = { min: 1, max: 5, source: 'S' };
    expect(problems((e) => checkDuration(e, 'wait', Duration.seconds(6), range))).toEqual([
      "  - Widget: wait '6 seconds': must be a whole number from 1 to 5 (S). Fix: use a duration from 1 to 5 seconds.",
    ]);
    expect(problems((e) => checkDuration(e, 'wait', Duration.seconds(6), range, 'wait less'))).toEqual([
      "  - Widget: wait '6 seconds': must be a whole number from 1 to 5 (S). Fix: wait less.",
    ]);
  });

  test.each([
    ['unset', undefined],
    ['a token', Duration.seconds(Lazy.number({ produce: () => 0 }))],
  ])('%s is not checked', (_name, duration) => {
    expect(problems((e) => checkDuration(e, 'timeout', duration, LAMBDA_TIMEOUT))).toEqual([]);
  });
});

describe('knownSeconds and isKnownNumber', () => {
  // Titles name the value in words: a token's text changes from run to run, and the mutation run finds tests by title.
  test.each([
    ['unset', undefined, undefined],
    ['a token', Duration.seconds(Token.asNumber({ Ref: 'T' })), undefined],
    ['2 minutes', Duration.minutes(2), 120],
    ['1500 ms', Duration.millis(1500), 1.5],
  ])('knownSeconds of %s is %p', (_name, duration, seconds) => {
    expect(knownSeconds(duration)).toBe(seconds);
  });

  test.each([
    ['0', 0, true],
    ['unset', undefined, false],
    ['a token', Token.asNumber({ Ref: 'N' }), false],
  ])('isKnownNumber of %s is %s', (_name, value, known) => {
    expect(isKnownNumber(value)).toBe(known);
  });
});
