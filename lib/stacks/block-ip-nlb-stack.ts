import { CfnOutput, Duration, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { NlbIpBlocking } from '../edge/nlb-ip-blocking';
import { AlarmTopicStack } from './alarm-topic';
import { createDashboard, graph, instanceMetric } from './edge-dashboards';
import { exampleBlocklist } from './edge-example-context';

/**
 * Example of pattern 3: an internet-facing NLB with a security group, TCP 80 passed through with the
 * client address preserved to a t4g.nano in an isolated subnet, the blocklist of context
 * `blockedCidrs` denied by the network ACL of the NLB's subnets.
 * Its alarms (unhealthy target, instance status check) go to the stack's alarm topic
 * (`-c alarmEmail=...`). An NLB passes TCP through, so it has no 5xx or latency metric.
 */
export class BlockIpNlbStack extends AlarmTopicStack {
  public readonly web: NlbIpBlocking;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.web = new NlbIpBlocking(this, 'Web', { blocklist: exampleBlocklist(this), alarmActions: this.alarmActions });
    const web = this.web;
    const period = Duration.minutes(5);
    const nlb = web.loadBalancer.metrics;
    this.dashboard = createDashboard(this, [[
      graph('Requests in: new and active TCP flows', [nlb.newFlowCount({ period, label: 'New flows' }), nlb.activeFlowCount({ period, label: 'Active flows' })]),
      graph('Work: healthy targets, instance CPU (%)', [
        web.targetGroup.metrics.healthyHostCount({ period: Duration.minutes(1), statistic: 'Minimum', label: 'Healthy targets' }),
        instanceMetric(web.instance, 'CPUUtilization'),
      ]),
      graph('Failures: unhealthy targets', [web.metricUnhealthyHosts()], [web.unhealthyHostsAlarm]),
      graph('Failures: resets, instance status check', [
        nlb.tcpTargetResetCount({ period, label: 'Target resets' }),
        web.metricInstanceStatusCheckFailed({ label: 'Status check failed' }),
      ], [web.instanceStatusCheckAlarm]),
      graph('Cost drivers: NLB capacity units and bytes', [nlb.consumedLCUs({ period, label: 'NLCUs' }), nlb.processedBytes({ period, label: 'Processed bytes' })]),
    ]]);

    new CfnOutput(this, 'Url', { value: `http://${this.web.loadBalancer.loadBalancerDnsName}/` });
  }
}
