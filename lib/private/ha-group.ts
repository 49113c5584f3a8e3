import { Tags, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { AlarmSet } from './alarm-set';
import { HA_GROUP_METRICS } from './ha-metrics';
import { TAG_VALUE, pathLabel } from './labels';

/**
 * Tag key marking everything of one HA group (`HaInstance`, `HaBastion`): its Auto Scaling group,
 * instances, Elastic IP, volumes and snapshots. IAM conditions use it.
 */
export const HA_GROUP_TAG_KEY = 'ha-instance:group';

/** Options of {@link createHaGroup}. */
export interface HaGroupOptions {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly launchTemplate: ec2.LaunchTemplate;
  /** Minimum, maximum and desired capacity. */
  readonly capacity: number;
  /** Instances kept in service while a rolling update replaces one at a time. */
  readonly minInstancesInService?: number;
  readonly healthChecks: autoscaling.HealthChecks;
  /** Value of the {@link HA_GROUP_TAG_KEY} tag on the group and its instances. */
  readonly groupId: string;
  /** `Name` tag of the instances. */
  readonly instanceName: string;
}

/**
 * The `AutoScalingGroup` of an HA construct: a fixed capacity, rolling updates one instance at a time,
 * group metrics enabled, and the group and `Name` tags on the group and what it launches.
 */
export function createHaGroup(scope: Construct, options: HaGroupOptions): autoscaling.AutoScalingGroup {
  // aws-cdk-lib tags the launch template (and what it launches) with its path: fitted into 256 characters
  Tags.of(options.launchTemplate).add('Name', pathLabel(options.launchTemplate, '', TAG_VALUE), { priority: 101 });
  const group = new autoscaling.AutoScalingGroup(scope, 'AutoScalingGroup', {
    vpc: options.vpc,
    vpcSubnets: options.vpcSubnets,
    launchTemplate: options.launchTemplate,
    minCapacity: options.capacity,
    maxCapacity: options.capacity,
    updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({ maxBatchSize: 1, minInstancesInService: options.minInstancesInService }),
    healthChecks: options.healthChecks,
    // Group metrics are free at 1-minute granularity, but only reported once enabled.
    groupMetrics: [new autoscaling.GroupMetrics(...HA_GROUP_METRICS)],
  });
  Tags.of(group).add(HA_GROUP_TAG_KEY, options.groupId, { applyToLaunchedInstances: true });
  Tags.of(group).add('Name', options.instanceName, { applyToLaunchedInstances: true });
  Validations.of(group).acknowledge({
    id: 'AwsSolutions-AS3',
    reason: 'Auto Scaling sends every launch and termination (successful or not) to EventBridge by default; an SNS notification configuration would duplicate that.',
  });
  return group;
}

/** Options of {@link createHaGroupAlarms}. */
export interface HaGroupAlarmOptions {
  /** `StatusCheckFailed` of the group's instances. */
  readonly statusCheckFailed: cloudwatch.IMetric;
  /** `GroupInServiceInstances` of the group. */
  readonly inServiceInstances: cloudwatch.IMetric;
  /** Instances that should be in service. */
  readonly desired: number;
  readonly statusCheckFailedDescription: string;
  readonly inServiceInstancesDescription: string;
}

/**
 * The two alarms of every HA group, registered in `alarmSet`: an instance failing a status check, and
 * fewer instances in service than desired.
 */
export function createHaGroupAlarms(scope: Construct, alarmSet: AlarmSet, options: HaGroupAlarmOptions): {
  statusCheckFailed: cloudwatch.Alarm; inServiceInstances: cloudwatch.Alarm;
} {
  const statusCheckFailed = alarmSet.add(new cloudwatch.Alarm(scope, 'StatusCheckFailedAlarm', {
    alarmDescription: options.statusCheckFailedDescription,
    // 1 (failed) on any instance in 2 consecutive minutes: a single failed sample can be a blip during boot
    metric: options.statusCheckFailed,
    threshold: 1,
    evaluationPeriods: 2,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    // no instance reports nothing: the in-service alarm covers that
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  }));
  const inServiceInstances = alarmSet.add(new cloudwatch.Alarm(scope, 'InServiceInstancesAlarm', {
    alarmDescription: options.inServiceInstancesDescription,
    // below the desired count for 5 consecutive minutes: longer than one instance's replacement usually takes
    metric: options.inServiceInstances,
    threshold: options.desired,
    evaluationPeriods: 5,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    // the group reports every minute once metrics collection is on: silence means nobody can tell it is up
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  }));
  return { statusCheckFailed, inServiceInstances };
}

/**
 * The default subnets of an HA group: public ones when it needs a public address, otherwise the most
 * private subnets the VPC has (with egress, else isolated; a VPC with neither is reported by the validation).
 */
export function defaultHaSubnets(vpc: ec2.IVpc, isPublic: boolean): ec2.SubnetSelection {
  if (isPublic) return { subnetType: ec2.SubnetType.PUBLIC };
  if (vpc.privateSubnets.length > 0) return { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
  if (vpc.isolatedSubnets.length > 0) return { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  return { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
}
