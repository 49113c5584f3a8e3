import { ConfigErrors, isConcrete } from '../private/config-errors';

/*
 * The alarm thresholds the edge patterns take. Tokens are skipped (CloudWatch checks them at deploy).
 */

/** Records a problem unless `threshold` (5xx responses per 5 minutes) is a whole number of 0 or more, or a token. */
export function checkServerErrorThreshold(errors: ConfigErrors, threshold: number): void {
  if (isConcrete(threshold) && (threshold < 0 || !Number.isInteger(threshold))) {
    errors.add('serverErrorThreshold', threshold, 'is a number of 5xx responses per 5 minutes', 'use a whole number of 0 or more, e.g. 10');
  }
}

/** Records a problem unless `threshold` (a percentage of requests) is from 0 to below 100, or a token. */
export function checkErrorRateThreshold(errors: ConfigErrors, threshold: number): void {
  if (isConcrete(threshold) && (threshold < 0 || threshold >= 100)) {
    errors.add('errorRateThreshold', threshold, 'is a percentage of requests', 'use a number from 0 to below 100, e.g. 5');
  }
}
