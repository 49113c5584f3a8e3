import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/** One step of a pattern's flow on its dashboard: a graph of the step's metrics. */
export interface FlowStep {
  readonly title: string;
  readonly left: cloudwatch.IMetric[];
  /** Metrics on the right axis (e.g. a duration next to counts). */
  readonly right?: cloudwatch.IMetric[];
}

/**
 * The dashboard of a messaging or S3 example stack: one graph per step of the flow (in, work done,
 * failures, latency, cost drivers), three per row, read left to right and top to bottom, each with
 * 5-minute points.
 */
export function createFlowDashboard(scope: Construct, steps: FlowStep[]): cloudwatch.Dashboard {
  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', { defaultInterval: Duration.hours(3) });
  dashboard.addWidgets(...steps.map((step) => new cloudwatch.GraphWidget({
    title: step.title,
    left: step.left,
    right: step.right,
    width: 8,
    height: 6,
    period: Duration.minutes(5),
  })));
  return dashboard;
}
