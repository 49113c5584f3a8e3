import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';

/** The fields of an alarm this library chooses on purpose. */
export interface AlarmShape {
  readonly MetricName: string;
  readonly Namespace: string;
  readonly Statistic: string;
  readonly Period: number;
  readonly EvaluationPeriods: number;
  readonly Threshold: number;
  readonly ComparisonOperator: string;
  readonly TreatMissingData: string;
}

/** Every alarm of the template as its chosen fields, sorted, so a test states the full set at once. */
export function alarmShapes(template: Template): AlarmShape[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(({ Properties: p }) => ({
    MetricName: p.MetricName, Namespace: p.Namespace, Statistic: p.Statistic, Period: p.Period,
    EvaluationPeriods: p.EvaluationPeriods, Threshold: p.Threshold, ComparisonOperator: p.ComparisonOperator,
    TreatMissingData: p.TreatMissingData,
  })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** The alarm actions of every alarm of the template, by logical ID. */
export function alarmActionsById(template: Template): Record<string, unknown> {
  return Object.fromEntries(Object.entries(template.findResources('AWS::CloudWatch::Alarm'))
    .map(([id, alarm]) => [id, alarm.Properties.AlarmActions]));
}

/** An SNS alarm action on a new topic with the given ID, and what its reference looks like in the template. */
export function snsAction(stack: Stack, id: string): { action: cloudwatch.IAlarmAction; ref: unknown } {
  const topic = new sns.Topic(stack, id);
  return { action: new cwActions.SnsAction(topic), ref: stack.resolve(topic.topicArn) };
}

/** Same shape as the DLQ depth alarm of every queue this library creates. */
export const DLQ_DEPTH: AlarmShape = {
  MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Statistic: 'Maximum', Period: 60,
  EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
};

/** The oldest-message alarm with the given threshold in seconds. */
export function oldestMessage(thresholdSeconds: number): AlarmShape {
  return {
    MetricName: 'ApproximateAgeOfOldestMessage', Namespace: 'AWS/SQS', Statistic: 'Maximum', Period: 60,
    EvaluationPeriods: 3, Threshold: thresholdSeconds, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
  };
}

/** The errors and throttles alarms of a handler function. */
export const HANDLER_ERRORS: AlarmShape = {
  MetricName: 'Errors', Namespace: 'AWS/Lambda', Statistic: 'Sum', Period: 300,
  EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
};
export const HANDLER_THROTTLES: AlarmShape = { ...HANDLER_ERRORS, MetricName: 'Throttles' };

/** Sorts shapes the way {@link alarmShapes} does. */
export function sorted(shapes: AlarmShape[]): AlarmShape[] {
  return [...shapes].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
