import { CfnOutput, Duration, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { AlbIpBlocking } from '../edge/alb-ip-blocking';
import { AlarmTopicStack } from './alarm-topic';
import { albWidgets, createDashboard, graph, instanceMetric } from './edge-dashboards';
import { exampleBlocklist } from './edge-example-context';

/**
 * Example of pattern 2: an internet-facing ALB (HTTP on 80, because the example has no domain and
 * so no certificate; pass `certificate` for HTTPS with a redirect) in front of a t4g.nano in an
 * isolated subnet, the blocklist of context `blockedCidrs` denied by the network ACL of the ALB's subnets.
 * Its alarms (ALB 5xx of the instance and of the ALB, unhealthy target, instance status check)
 * go to the stack's alarm topic (`-c alarmEmail=...`).
 */
export class BlockIpAlbStack extends AlarmTopicStack {
  public readonly web: AlbIpBlocking;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.web = new AlbIpBlocking(this, 'Web', { blocklist: exampleBlocklist(this), alarmActions: this.alarmActions });
    const web = this.web;
    const alb = albWidgets(web.loadBalancer);
    this.dashboard = createDashboard(this, [[
      graph('Requests in: ALB requests', alb.requests),
      graph('Work: healthy targets, instance CPU (%)', [
        web.targetGroup.metrics.healthyHostCount({ period: Duration.minutes(1), statistic: 'Minimum', label: 'Healthy targets' }),
        instanceMetric(web.instance, 'CPUUtilization'),
      ]),
      graph('Failures: 5xx of the instance and of the ALB', [web.metricTargetServerErrors({ label: 'Target 5xx' }), web.metricLoadBalancerServerErrors({ label: 'ELB 5xx' })],
        [web.targetServerErrorsAlarm]),
      alb.latency,
      alb.cost,
    ], [
      graph('Failures: unhealthy targets', [web.metricUnhealthyHosts()], [web.unhealthyHostsAlarm]),
      graph('Failures: instance status check failed', [web.metricInstanceStatusCheckFailed()], [web.instanceStatusCheckAlarm]),
    ]]);

    new CfnOutput(this, 'Url', { value: `http://${this.web.loadBalancer.loadBalancerDnsName}/` });
  }
}
