import { Lazy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { CloudFrontDistributionAlarmsProps } from '../../lib/edge/cloudfront-distribution-alarms';
import { CLOUDFRONT_METRICS_REGION, checkCloudFrontDistributionAlarmsProps } from '../../lib/edge/validate-cloudfront-distribution-alarms-props';
import { ConfigErrors } from '../../lib/private/config-errors';

// Fast unit tests of CloudFrontDistributionAlarms' rules: the check called directly on a bare stack (no synth).

const P = '  - CloudFrontDistributionAlarms: ';

/** The problem lines and the threshold of `props` in a stack in `region` (environment-agnostic when undefined). */
function check(props: Omit<CloudFrontDistributionAlarmsProps, 'distribution'>, region: string | undefined = 'us-east-1'): { lines: string[]; threshold: number } {
  const stack = new Stack(undefined, 'S', region === undefined ? {} : { env: { region } });
  const distribution = cloudfront.Distribution.fromDistributionAttributes(stack, 'Site', { distributionId: 'E1', domainName: 'd1.cloudfront.net' });
  const errors = new ConfigErrors('CloudFrontDistributionAlarms', 'S/Alarms');
  const threshold = checkCloudFrontDistributionAlarmsProps(stack, errors, { ...props, distribution });
  try {
    errors.throwIfAny();
  } catch (e) {
    return { lines: (e as Error).message.split('\n').slice(1), threshold };
  }
  return { lines: [], threshold };
}

test('the metrics region is us-east-1', () => {
  expect(CLOUDFRONT_METRICS_REGION).toBe('us-east-1');
});

test('the defaults pass in us-east-1, with a threshold of 5', () => {
  expect(check({})).toEqual({ lines: [], threshold: 5 });
});

describe('the stack region', () => {
  test('another region is refused', () => {
    expect(check({}, 'eu-west-1').lines).toEqual([
      `${P}(stack region) 'eu-west-1': CloudFront publishes its metrics in us-east-1 only, and an alarm watches metrics of its own region. `
      + "Fix: create this construct in a stack with env: { region: 'us-east-1' } and crossRegionReferences: true (see CloudFrontWafAlbAlarmsStack).",
    ]);
  });

  test('an environment-agnostic stack is accepted', () => {
    expect(check({}, undefined).lines).toEqual([]);
  });
});

describe('errorRateThreshold', () => {
  test.each([0, 99.5])('%d is accepted and returned', (errorRateThreshold) => {
    expect(check({ errorRateThreshold })).toEqual({ lines: [], threshold: errorRateThreshold });
  });

  test('a token is accepted', () => {
    expect(check({ errorRateThreshold: Lazy.number({ produce: () => 100 }) }).lines).toEqual([]);
  });

  test.each([-1, 100])('%d is refused', (errorRateThreshold) => {
    expect(check({ errorRateThreshold }).lines).toEqual([
      `${P}errorRateThreshold '${errorRateThreshold}': is a percentage of requests. Fix: use a number from 0 to below 100, e.g. 5.`,
    ]);
  });
});

test('both problems are reported together', () => {
  expect(check({ errorRateThreshold: 100 }, 'eu-west-1').lines).toHaveLength(2);
});
