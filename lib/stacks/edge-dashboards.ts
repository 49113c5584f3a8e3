import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { EdgeWebAcl } from '../edge/edge-web-acl';

/**
 * Widgets of the edge example dashboards, one column per stage of the pattern's flow, left to
 * right: requests in, work done, failures, latency, cost drivers.
 */

const WIDTH = 6;
const HEIGHT = 6;

/** A graph of `left` metrics, with the alarm's threshold drawn when one is given. */
export function graph(title: string, left: cloudwatch.IMetric[], alarms: cloudwatch.Alarm[] = []): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title,
    left,
    width: WIDTH,
    height: HEIGHT,
    leftAnnotations: alarms.map((alarm) => alarm.toAnnotation()),
  });
}

/** An `AWS/EC2` metric of an instance (basic monitoring: 5-minute points). */
export function instanceMetric(instance: ec2.IInstance, metricName: string, statistic = 'Average'): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/EC2', metricName, dimensionsMap: { InstanceId: instance.instanceId }, statistic, period: Duration.minutes(5),
  });
}

/** Requests, latency and cost columns of an ALB. */
export function albWidgets(
  alb: elbv2.IApplicationLoadBalancer,
): { requests: cloudwatch.IMetric[]; latency: cloudwatch.GraphWidget; cost: cloudwatch.GraphWidget } {
  const period = Duration.minutes(5);
  return {
    requests: [alb.metrics.requestCount({ period, label: 'ALB requests' })],
    latency: graph('Latency: target response time (s)', [
      alb.metrics.targetResponseTime({ period, statistic: 'p50', label: 'p50' }),
      alb.metrics.targetResponseTime({ period, statistic: 'p99', label: 'p99' }),
    ]),
    cost: graph('Cost drivers: ALB capacity units and bytes', [
      alb.metrics.consumedLCUs({ period, label: 'LCUs' }),
      alb.metrics.processedBytes({ period, label: 'Processed bytes' }),
    ]),
  };
}

/** WAF columns of a web ACL: what it let through, blocked and counted, per rule. */
export function webAclWidgets(
  webAcl: EdgeWebAcl,
): { decisions: cloudwatch.GraphWidget; blockedByRule: cloudwatch.GraphWidget; countedByRule: cloudwatch.GraphWidget } {
  const alarms = [webAcl.blockedRequestsAlarm];
  return {
    decisions: graph('WAF: allowed, blocked, counted', [
      webAcl.metricAllowedRequests('ALL', { label: 'Allowed' }),
      webAcl.metricBlockedRequests('ALL', { label: 'Blocked' }),
      webAcl.metricCountedRequests('ALL', { label: 'Counted' }),
    ], alarms),
    blockedByRule: graph('WAF: blocked requests per rule', webAcl.ruleNames.map((rule) => webAcl.metricBlockedRequests(rule, { label: rule }))),
    countedByRule: graph('WAF: counted requests per rule (count-only mode)',
      webAcl.ruleNames.map((rule) => webAcl.metricCountedRequests(rule, { label: rule })),
      webAcl.countedRequestsAlarm ? [webAcl.countedRequestsAlarm] : []),
  };
}

/** The stack's dashboard, its widgets in one row per list. */
export function createDashboard(scope: Construct, rows: cloudwatch.IWidget[][]): cloudwatch.Dashboard {
  return new cloudwatch.Dashboard(scope, 'Dashboard', {
    defaultInterval: Duration.hours(3),
    widgets: rows,
  });
}
