import { CfnOutput, Duration, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as elbv2Targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import { Construct } from 'constructs';
import { WafProtectedAlb } from '../edge/waf-protected-alb';
import { AlarmSet } from '../private/alarm-set';
import { addStatusCheckAlarm, metricStatusCheckFailed } from '../private/edge-alarms';
import { createWebInstance, privateSubnetsOf } from '../private/edge-resources';
import { AlarmTopicStack } from './alarm-topic';
import { albWidgets, createDashboard, graph, instanceMetric, webAclWidgets } from './edge-dashboards';
import { exampleBlocklist } from './edge-example-context';

/**
 * Example of pattern 4: an internet-facing ALB (HTTP on 80, because the example has no certificate)
 * with a regional WAF web ACL: the blocklist of context `blockedCidrs` as IP sets, 1000 requests
 * per IP per 5 minutes, the free AWS managed rule groups, logs to `aws-waf-logs-…`. Context
 * `wafCountOnly=true` deploys it in count-only mode, with an alarm on any counted request. A
 * t4g.nano in an isolated subnet serves the page. The alarms (WAF blocks above the baseline, ALB
 * 5xx, unhealthy target, instance status check) go to the stack's alarm topic (`-c alarmEmail=...`).
 */
export class WafAlbStack extends AlarmTopicStack {
  public readonly web: WafProtectedAlb;
  public readonly instance: ec2.Instance;
  /** The status-check alarm of the instance, which this stack creates outside the construct. */
  public readonly instanceStatusCheckAlarm: cloudwatch.Alarm;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.web = new WafProtectedAlb(this, 'Web', {
      alarmActions: this.alarmActions,
      blocklist: exampleBlocklist(this),
      countOnly: String(this.node.tryGetContext('wafCountOnly') ?? 'false') === 'true',
    });

    const vpc = this.web.vpc!;
    const securityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc, description: 'Web instance: port 80 from the load balancer only', allowAllOutbound: false,
    });
    this.instance = createWebInstance(this, 'Instance', {
      vpc, subnets: privateSubnetsOf(vpc), securityGroup, port: 80, page: 'Behind an ALB with WAF: blocked by WAF',
    });
    // InstanceTarget does not wire security groups: allow the ALB to the instance port, and nothing else in.
    this.web.loadBalancer.connections.allowTo(this.instance, ec2.Port.tcp(80), `Load balancer to the instance on ${80}`);
    const targetGroup = this.web.listener!.addTargets('Instance', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [new elbv2Targets.InstanceTarget(this.instance, 80)],
      healthCheck: { path: '/' },
    });
    const unhealthyHostsAlarm = this.web.addUnhealthyHostsAlarm(targetGroup);
    this.instanceStatusCheckAlarm = addStatusCheckAlarm(this, new AlarmSet(this.alarmActions), this.instance);

    const web = this.web;
    const alb = albWidgets(web.loadBalancer);
    const waf = webAclWidgets(web.webAcl);
    this.dashboard = createDashboard(this, [[
      graph('Requests in: ALB requests', alb.requests),
      waf.decisions,
      waf.blockedByRule,
      waf.countedByRule,
    ], [
      graph('Work: healthy targets, instance CPU (%)', [
        targetGroup.metrics.healthyHostCount({ period: Duration.minutes(1), statistic: 'Minimum', label: 'Healthy targets' }),
        instanceMetric(this.instance, 'CPUUtilization'),
      ]),
      graph('Failures: 5xx of the instance and of the ALB', [web.metricTargetServerErrors({ label: 'Target 5xx' }), web.metricLoadBalancerServerErrors({ label: 'ELB 5xx' })],
        [web.targetServerErrorsAlarm]),
      graph('Failures: unhealthy targets, status check', [
        web.metricUnhealthyHosts(targetGroup, { label: 'Unhealthy targets' }),
        metricStatusCheckFailed(this.instance, { label: 'Status check failed' }),
      ], [unhealthyHostsAlarm]),
      alb.latency,
    ], [
      alb.cost,
    ]]);

    new CfnOutput(this, 'Url', { value: `http://${this.web.loadBalancer.loadBalancerDnsName}/` });
    new CfnOutput(this, 'WafLogGroup', { value: this.web.webAcl.logGroup.logGroupName });
  }
}
