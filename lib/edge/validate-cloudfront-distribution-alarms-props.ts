import { Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ConfigErrors } from '../private/config-errors';
import type { CloudFrontDistributionAlarmsProps } from './cloudfront-distribution-alarms';
import { checkErrorRateThreshold } from './validate-alarm-thresholds';

/** The only region CloudFront publishes its metrics in, and so the only region that can alarm on them. */
export const CLOUDFRONT_METRICS_REGION = 'us-east-1';

/**
 * Records every problem of CloudFrontDistributionAlarms' props and of the region of `scope`'s stack
 * in `errors` (the caller throws), and returns the error rate threshold to use. A token region
 * (an environment-agnostic stack) is accepted.
 */
export function checkCloudFrontDistributionAlarmsProps(scope: Construct, errors: ConfigErrors, props: CloudFrontDistributionAlarmsProps): number {
  const threshold = props.errorRateThreshold ?? 5;
  const region = Stack.of(scope).region;
  if (!Token.isUnresolved(region) && region !== CLOUDFRONT_METRICS_REGION) {
    errors.add('(stack region)', region, 'CloudFront publishes its metrics in us-east-1 only, and an alarm watches metrics of its own region',
      'create this construct in a stack with env: { region: \'us-east-1\' } and crossRegionReferences: true (see CloudFrontWafAlbAlarmsStack)');
  }
  checkErrorRateThreshold(errors, threshold);
  return threshold;
}
