import { Duration } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AlarmedConstruct } from '../private/alarmed-construct';
import { groupInstanceMetric, groupMetric } from '../private/ha-metrics';

/**
 * What `HaInstance` and `HaBastion` share: EC2 instances kept in service by an Auto
 * Scaling group over at least two Availability Zones, their metrics, and the construct's alarms.
 */
export abstract class HaGroupBase extends AlarmedConstruct {
  /** The Auto Scaling group of the instances. */
  public abstract readonly autoScalingGroup: autoscaling.AutoScalingGroup;

  /**
   * `AWS/EC2` `StatusCheckFailed` of the group's instances (Maximum over the instances, 1 minute; free at
   * 1-minute frequency with basic monitoring).
   */
  public metricStatusCheckFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return groupInstanceMetric(this.autoScalingGroup, 'StatusCheckFailed', { statistic: 'Maximum', period: Duration.minutes(1), ...props });
  }

  /** `AWS/AutoScaling` `GroupInServiceInstances` (Minimum, 1 minute). */
  public metricInServiceInstances(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return groupMetric(this.autoScalingGroup, 'GroupInServiceInstances', { statistic: 'Minimum', period: Duration.minutes(1), ...props });
  }

  /** An `AWS/EC2` metric of the group's instances, e.g. `CPUUtilization` (Average, 5 minutes: basic monitoring). */
  public metricInstances(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return groupInstanceMetric(this.autoScalingGroup, metricName, { statistic: 'Average', period: Duration.minutes(5), ...props });
  }
}
