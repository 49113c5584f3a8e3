import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { HaBastion } from '../ha/ha-bastion';
import { BastionMode } from '../ha/ha-bastion-props';
import { createAlarmTopic } from './alarm-topic';
import { contextChoice, exampleVpc } from './ha-vpc';

export interface BastionStackProps extends StackProps {
  /**
   * @default - context `bastionMode` (`eip` or `nlb`), else BastionMode.ELASTIC_IP
   */
  readonly mode?: BastionMode;
}

/**
 * Example: a highly available bastion, Session Manager only (no SSH ingress).
 *
 * - `eip` (default): one t4g.nano in the public subnets of 2 AZs, claiming one Elastic IP.
 * - `nlb` (`-c bastionMode=nlb`): two t4g.nano in private isolated subnets of 2 AZs behind an
 *   internet-facing NLB. No NAT gateway: the hosts reach SSM, CloudWatch Logs and Auto Scaling through
 *   interface endpoints (ssm, ssmmessages, ec2messages, logs, autoscaling) and the Amazon Linux repositories through a free
 *   S3 gateway endpoint. Add SSH sources with `bastion.allowSshFrom(...)`.
 *
 * Its alarms go to one encrypted alarm topic (`-c alarmEmail=...` subscribes an address); a dashboard
 * shows the hosts (and the load balancer).
 */
export class BastionStack extends Stack {
  public readonly bastion: HaBastion;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: BastionStackProps = {}) {
    super(scope, id, props);
    const mode = props.mode ?? contextChoice(this, 'bastionMode', [BastionMode.ELASTIC_IP, BastionMode.LOAD_BALANCER], BastionMode.ELASTIC_IP);
    const nlb = mode === BastionMode.LOAD_BALANCER;
    const vpc = exampleVpc(this, nlb);
    const alarmTopic = createAlarmTopic(this);
    this.bastion = new HaBastion(this, 'Bastion', { vpc, mode, alarmActions: [alarmTopic.action] });
    this.dashboard = bastionDashboard(this, this.bastion);
    if (nlb) {
      const subnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
      vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [subnets] });
      const endpoints: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
        Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
        SsmMessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
        Ec2Messages: ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
        Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
        // Each host completes its launch lifecycle hook once it serves the shared host keys.
        AutoScaling: ec2.InterfaceVpcEndpointAwsService.AUTOSCALING,
      };
      for (const [name, service] of Object.entries(endpoints)) {
        // Reachable on 443 from the bastion hosts only, not from the whole VPC CIDR.
        const endpoint = vpc.addInterfaceEndpoint(name, { service, subnets, privateDnsEnabled: true, open: false });
        endpoint.connections.allowDefaultPortFrom(this.bastion, 'HTTPS from the bastion hosts');
        // The hosts fetch the shared host keys at boot, through these endpoints.
        this.bastion.autoScalingGroup.node.addDependency(endpoint);
      }
    }

    if (this.bastion.publicIp) {
      new CfnOutput(this, 'PublicIp', { value: this.bastion.publicIp });
    }
    if (this.bastion.loadBalancerDnsName) {
      new CfnOutput(this, 'LoadBalancerDnsName', { value: this.bastion.loadBalancerDnsName });
    }
    new CfnOutput(this, 'SessionDocumentName', { value: this.bastion.sessionDocument.ref });
    new CfnOutput(this, 'AutoScalingGroupName', { value: this.bastion.autoScalingGroup.autoScalingGroupName });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarmTopic.topic.topicArn });
  }
}

/**
 * Left to right: connections in (the load balancer's flows, or the host's traffic), work done, the
 * hosts' capacity and health, failures; then the cost driver and the alarms.
 */
function bastionDashboard(scope: Construct, bastion: HaBastion): cloudwatch.Dashboard {
  const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
    new cloudwatch.GraphWidget({ title, left, right, width: 6, height: 6 });
  const nlb = bastion.mode === BastionMode.LOAD_BALANCER;
  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', { defaultInterval: Duration.hours(3) });
  const hosts = [
    bastion.metricInServiceInstances({ label: 'In service' }),
    ...nlb ? [bastion.metricHealthyHostCount({ label: 'Healthy (load balancer)' })] : [],
  ];
  const failures = [
    bastion.metricStatusCheckFailed({ label: 'StatusCheckFailed' }),
    ...nlb ? [bastion.metricUnhealthyHostCount({ label: 'Unhealthy (load balancer)' })] : [],
  ];
  dashboard.addWidgets(
    nlb
      ? graph('SSH connections in', [bastion.metricNewFlowCount({ label: 'New flows' })],
        [bastion.loadBalancer!.metrics.activeFlowCount({ statistic: 'Maximum', period: Duration.minutes(5), label: 'Active flows' })])
      : graph('Traffic in (bytes)', [bastion.metricInstances('NetworkIn', { statistic: 'Sum', label: 'NetworkIn' })]),
    graph('Work done (CPU %)', [bastion.metricInstances('CPUUtilization', { label: 'CPUUtilization' })]),
    graph(`Hosts (desired ${bastion.instanceCount})`, hosts),
    graph('Failures', failures),
  );
  dashboard.addWidgets(
    nlb
      ? graph('Cost driver: bytes through the load balancer', [bastion.loadBalancer!.metrics.processedBytes({ statistic: 'Sum', period: Duration.hours(1), label: 'ProcessedBytes' })])
      : graph('Cost driver: bytes out', [bastion.metricInstances('NetworkOut', { statistic: 'Sum', label: 'NetworkOut' })]),
    new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: bastion.alarms, width: 6, height: 6 }),
  );
  return dashboard;
}
