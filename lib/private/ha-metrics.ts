import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** The Auto Scaling group metrics the HA constructs enable (free at 1-minute granularity) for their alarms and dashboards. */
export const HA_GROUP_METRICS = [
  autoscaling.GroupMetric.IN_SERVICE_INSTANCES, autoscaling.GroupMetric.DESIRED_CAPACITY,
  autoscaling.GroupMetric.PENDING_INSTANCES, autoscaling.GroupMetric.TERMINATING_INSTANCES,
];

/** An `AWS/EC2` metric aggregated over the instances of `group` (the `AutoScalingGroupName` dimension works with basic monitoring). */
export function groupInstanceMetric(group: autoscaling.IAutoScalingGroup, metricName: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: 'AWS/EC2', metricName, dimensionsMap: { AutoScalingGroupName: group.autoScalingGroupName }, ...props });
}

/** An `AWS/AutoScaling` group metric of `group` (reported only for the metrics enabled on the group). */
export function groupMetric(group: autoscaling.IAutoScalingGroup, metricName: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: 'AWS/AutoScaling', metricName, dimensionsMap: { AutoScalingGroupName: group.autoScalingGroupName }, ...props });
}
