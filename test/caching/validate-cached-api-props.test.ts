import { API_CACHE_TTL, CACHE_DATA_STORAGE_GB, CACHE_ECPU_PER_SECOND, PERCENT } from '../../lib/caching/validate-cached-api-props';
import { ConfigErrors } from '../../lib/private/config-errors';
import { checkNumber, describeRange, NumericRange } from '../../lib/private/ranges';

// The documented ranges CachedApi checks its numbers against, each at its limits and one past them.

/** The problem lines checkNumber records for `value` in `range`. */
function problems(value: number, range: NumericRange): string[] {
  const errors = new ConfigErrors('CachedApi', 'Api');
  checkNumber(errors, 'prop', value, range);
  try {
    errors.throwIfAny();
  } catch (e) {
    return (e as Error).message.split('\n').slice(1);
  }
  return [];
}

test.each<[string, NumericRange, string]>([
  ['CACHE_DATA_STORAGE_GB', CACHE_DATA_STORAGE_GB, 'a whole number from 1 to 5000 GB (ElastiCache API DataStorage, Maximum)'],
  ['CACHE_ECPU_PER_SECOND', CACHE_ECPU_PER_SECOND, 'a whole number from 1000 to 15000000 ECPUs per second (ElastiCache API ECPUPerSecond, Maximum)'],
  ['API_CACHE_TTL', API_CACHE_TTL, 'a whole number from 0 to 3600 seconds (API Gateway developer guide, "Enable API caching", TTL)'],
  ['PERCENT', PERCENT, 'from 0 to 100 percent (a share of reads)'],
])('%s is %s', (_name, range, described) => {
  expect(describeRange(range)).toBe(described);
});

test.each<[string, NumericRange, number[], number[]]>([
  ['CACHE_DATA_STORAGE_GB', CACHE_DATA_STORAGE_GB, [1, 5000], [0, 5001, 1.5]],
  ['CACHE_ECPU_PER_SECOND', CACHE_ECPU_PER_SECOND, [1000, 15_000_000], [999, 15_000_001]],
  ['API_CACHE_TTL', API_CACHE_TTL, [0, 3600], [-1, 3601]],
  ['PERCENT', PERCENT, [0, 50.5, 100], [-0.1, 100.1]],
])('%s accepts %j and refuses %j', (_name, range, valid, invalid) => {
  for (const value of valid) expect(problems(value, range)).toEqual([]);
  for (const value of invalid) {
    expect(problems(value, range)).toEqual([
      `  - CachedApi: prop '${value}': must be ${describeRange(range)}. Fix: use a value from ${range.min} to ${range.max}.`,
    ]);
  }
});
