import { Duration, Tokenization } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { AlarmSet } from '../private/alarm-set';
import { ConfigErrors } from '../private/config-errors';
import { CLOUDFRONT_METRICS_REGION, checkCloudFrontDistributionAlarmsProps } from './validate-cloudfront-distribution-alarms-props';

/** Properties of a {@link CloudFrontDistributionAlarms}. */
export interface CloudFrontDistributionAlarmsProps {
  /** The distribution to watch; it may live in a stack of another region. */
  readonly distribution: cloudfront.IDistribution;

  /**
   * Percentage of viewer requests answered with 5xx, averaged over 5 minutes, above which the
   * alarm fires (for 2 periods in a row, so one failed request on a quiet site does not page).
   *
   * @default 5
   */
  readonly errorRateThreshold?: number;

  /**
   * Actions of every alarm (e.g. an SNS topic's `SnsAction`; the topic must be in us-east-1 too).
   *
   * @default - no actions; add them with addAlarmActions()
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}

/**
 * The alarms of a CloudFront distribution. CloudFront publishes its metrics in us-east-1 only and
 * CloudWatch alarms only watch metrics of their own region, so this construct must be in a
 * us-east-1 stack (a synth-time error otherwise), which may read the distribution ID of a stack in
 * another region through a cross-region reference (see `CloudFrontWafAlbAlarmsStack`).
 *
 * @example
 * new CloudFrontDistributionAlarms(usEast1Stack, 'SiteAlarms', { distribution, alarmActions: [action] });
 */
export class CloudFrontDistributionAlarms extends Construct {
  /** The only region CloudFront publishes its metrics in: the region of the stack of this construct. */
  public static readonly METRICS_REGION: string = CLOUDFRONT_METRICS_REGION;

  /** Alarm: more than `errorRateThreshold` percent of viewer requests answered with 5xx. */
  public readonly errorRateAlarm: cloudwatch.Alarm;
  /** The distribution watched. */
  public readonly distribution: cloudfront.IDistribution;
  private readonly alarmSet: AlarmSet;

  constructor(scope: Construct, id: string, props: CloudFrontDistributionAlarmsProps) {
    super(scope, id);
    const errors = new ConfigErrors('CloudFrontDistributionAlarms', this.node.path);
    const threshold = checkCloudFrontDistributionAlarmsProps(this, errors, props);
    errors.throwIfAny();

    this.distribution = props.distribution;
    this.alarmSet = new AlarmSet(props.alarmActions);
    this.errorRateAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'ErrorRateAlarm', {
      // Average over 5 minutes, 2 periods in a row: a sustained share of failing viewer requests.
      metric: this.metric5xxErrorRate(),
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      // CloudFront publishes the rate only for periods with requests: no requests, no errors.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `More than ${Tokenization.stringifyNumber(threshold)}% of the viewer requests of the CloudFront distribution of ${this.node.path} got a 5xx answer for 10 minutes. Look at the origin first (ALB 5xx and unhealthy-host alarms in the origin's region), then the distribution's standard logs (x-edge-detailed-result-type: OriginError, OriginConnectError).`,
    }));
  }

  /** Every alarm of this construct. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.alarmSet.alarms;
  }

  /** Adds actions to every alarm, present and future. */
  public addAlarmActions(...actions: cloudwatch.IAlarmAction[]): void {
    this.alarmSet.addActions(...actions);
  }

  /** The distribution's `5xxErrorRate` (percent of viewer requests, average per 5 minutes). */
  public metric5xxErrorRate(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return CloudFrontDistributionAlarms.metricOf(this.distribution, '5xxErrorRate', { statistic: 'Average', ...props });
  }

  /**
   * A metric of a distribution in the `AWS/CloudFront` namespace, with the `Region: Global`
   * dimension every CloudFront metric carries and `region: us-east-1`, so a dashboard in another
   * region shows it.
   */
  public static metricOf(distribution: cloudfront.IDistribution, metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/CloudFront',
      metricName,
      dimensionsMap: { DistributionId: distribution.distributionId, Region: 'Global' },
      statistic: 'Sum',
      period: Duration.minutes(5),
      region: CLOUDFRONT_METRICS_REGION,
      ...props,
    });
  }
}
