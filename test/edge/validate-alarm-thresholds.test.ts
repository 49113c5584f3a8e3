import { Lazy } from 'aws-cdk-lib';
import { checkErrorRateThreshold, checkServerErrorThreshold } from '../../lib/edge/validate-alarm-thresholds';
import { ConfigErrors } from '../../lib/private/config-errors';

// Fast unit tests of the alarm thresholds the edge patterns share.

/** The problem lines `check` records for `value`. */
function lines(check: (errors: ConfigErrors, value: number) => void, value: number): string[] {
  const errors = new ConfigErrors('Pattern', 'Web');
  check(errors, value);
  try {
    errors.throwIfAny();
  } catch (e) {
    return (e as Error).message.split('\n').slice(1);
  }
  return [];
}

describe('serverErrorThreshold', () => {
  test.each([0, 1, 10, 1e9])('%d is accepted', (value) => {
    expect(lines(checkServerErrorThreshold, value)).toEqual([]);
  });

  test('a token is accepted', () => {
    expect(lines(checkServerErrorThreshold, Lazy.number({ produce: () => -1 }))).toEqual([]);
  });

  test.each([-1, 0.5, 10.5])('%d is refused', (value) => {
    expect(lines(checkServerErrorThreshold, value)).toEqual([
      `  - Pattern: serverErrorThreshold '${value}': is a number of 5xx responses per 5 minutes. Fix: use a whole number of 0 or more, e.g. 10.`,
    ]);
  });
});

describe('errorRateThreshold', () => {
  test.each([0, 0.5, 5, 99.99])('%d is accepted', (value) => {
    expect(lines(checkErrorRateThreshold, value)).toEqual([]);
  });

  test('a token is accepted', () => {
    expect(lines(checkErrorRateThreshold, Lazy.number({ produce: () => 100 }))).toEqual([]);
  });

  test.each([-0.01, -1, 100, 101])('%d is refused', (value) => {
    expect(lines(checkErrorRateThreshold, value)).toEqual([
      `  - Pattern: errorRateThreshold '${value}': is a percentage of requests. Fix: use a number from 0 to below 100, e.g. 5.`,
    ]);
  });
});
