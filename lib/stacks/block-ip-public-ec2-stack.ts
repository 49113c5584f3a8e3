import { CfnOutput, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { PublicInstanceIpBlocking } from '../edge/public-instance-ip-blocking';
import { AlarmTopicStack } from './alarm-topic';
import { createDashboard, graph, instanceMetric } from './edge-dashboards';
import { contextList, exampleBlocklist } from './edge-example-context';

/**
 * Example of pattern 1: a t4g.nano with a public IP serving a static page on port 80 to the ranges
 * of context `allowedCidrs` (default `192.0.2.0/24`, a documentation range: deploy with
 * `-c allowedCidrs=$(curl -s https://checkip.amazonaws.com)/32` to reach it), the blocklist of
 * context `blockedCidrs` denied by the subnets' network ACL and by nftables on the host. The
 * instance's status-check alarm goes to the stack's alarm topic (`-c alarmEmail=...`).
 */
export class BlockIpPublicEc2Stack extends AlarmTopicStack {
  public readonly web: PublicInstanceIpBlocking;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.web = new PublicInstanceIpBlocking(this, 'Web', {
      alarmActions: this.alarmActions,
      blocklist: exampleBlocklist(this),
      allowedCidrs: contextList(this, 'allowedCidrs') ?? ['192.0.2.0/24'],
      hostFirewall: true,
    });

    const instance = this.web.instance;
    // Blocked packets never reach the instance; they show as REJECT in the VPC flow logs (S3).
    this.dashboard = createDashboard(this, [[
      graph('Requests in: packets to the instance', [instanceMetric(instance, 'NetworkPacketsIn', 'Sum')]),
      graph('Work: CPU utilization (%)', [instanceMetric(instance, 'CPUUtilization')]),
      graph('Failures: status check failed', [this.web.metricInstanceStatusCheckFailed()], [this.web.instanceStatusCheckAlarm]),
      graph('Cost drivers: bytes out (data transfer)', [instanceMetric(instance, 'NetworkOut', 'Sum')]),
    ]]);

    new CfnOutput(this, 'InstancePublicIp', { value: this.web.instance.instancePublicIp });
    new CfnOutput(this, 'NetworkAclId', { value: this.web.networkAcl.networkAcl.networkAclId });
  }
}
