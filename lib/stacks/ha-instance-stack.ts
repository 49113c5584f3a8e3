import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { HaInstance } from '../ha/ha-instance';
import { createAlarmTopic } from './alarm-topic';
import { contextChoice, exampleVpc } from './ha-vpc';

/** The variants of the `HaInstance` example stack. */
export const HA_INSTANCE_MODES = ['ebs', 'eip'] as const;
export type HaInstanceMode = typeof HA_INSTANCE_MODES[number];

export interface HaInstanceStackProps extends StackProps {
  /**
   * `ebs`: the data volume follows the instance across AZs; `eip`: the instance keeps an Elastic IP.
   *
   * @default - context `haInstanceMode`, else 'ebs'
   */
  readonly mode?: HaInstanceMode;
}

/**
 * Example: one t4g.micro instance kept alive by an Auto Scaling group over 2 AZs of a VPC without NAT
 * gateway, in public subnets with no inbound rules (access through Session Manager), its alarms on
 * one encrypted alarm topic (`-c alarmEmail=...` subscribes an address) and a dashboard.
 * `npx cdk deploy HaInstance -c haInstanceMode=eip` for the Elastic IP variant.
 */
export class HaInstanceStack extends Stack {
  public readonly instance: HaInstance;
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: HaInstanceStackProps = {}) {
    super(scope, id, props);
    const mode = props.mode ?? contextChoice(this, 'haInstanceMode', HA_INSTANCE_MODES, 'ebs');
    const vpc = exampleVpc(this, false);
    const alarmTopic = createAlarmTopic(this);
    this.instance = new HaInstance(this, 'Server', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      elasticIp: mode === 'eip',
      // A public IPv4 address for the SSM and EC2 APIs (no NAT gateway, no endpoints); no inbound rules.
      associatePublicIpAddress: true,
      dataVolume: mode === 'ebs' ? {} : undefined,
      alarmActions: [alarmTopic.action],
    });
    this.dashboard = haInstanceDashboard(this, this.instance);
    new CfnOutput(this, 'AutoScalingGroupName', { value: this.instance.autoScalingGroup.autoScalingGroupName });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarmTopic.topic.topicArn });
    if (this.instance.publicIp) {
      new CfnOutput(this, 'PublicIp', { value: this.instance.publicIp });
    }
  }
}

/**
 * Left to right: traffic in, work done, the group's capacity, failures; with a data volume a second
 * row for the lifecycle-hook handler (invocations, errors, duration) and its dead letters.
 */
function haInstanceDashboard(scope: Construct, instance: HaInstance): cloudwatch.Dashboard {
  const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
    new cloudwatch.GraphWidget({ title, left, right, width: 6, height: 6 });
  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', { defaultInterval: Duration.hours(3) });
  dashboard.addWidgets(
    graph('Traffic in (bytes, packets)', [instance.metricInstances('NetworkIn', { statistic: 'Sum', label: 'NetworkIn' })],
      [instance.metricInstances('NetworkPacketsIn', { statistic: 'Sum', label: 'NetworkPacketsIn' })]),
    graph('Work done (CPU %, bytes out)', [instance.metricInstances('CPUUtilization', { label: 'CPUUtilization' })],
      [instance.metricInstances('NetworkOut', { statistic: 'Sum', label: 'NetworkOut (billed to the internet)' })]),
    graph('Instances (Auto Scaling group)', [
      instance.metricInServiceInstances({ label: 'In service' }),
      instance.metricGroup('GroupDesiredCapacity', { label: 'Desired' }),
      instance.metricGroup('GroupPendingInstances', { label: 'Pending' }),
      instance.metricGroup('GroupTerminatingInstances', { label: 'Terminating' }),
    ]),
    graph('Failures', [instance.metricStatusCheckFailed({ label: 'StatusCheckFailed' })]),
  );
  const handler = instance.dataVolumeHandler;
  if (handler) {
    dashboard.addWidgets(
      graph('Data-volume hooks (invocations, errors)', [
        handler.metricInvocations({ statistic: 'Sum', period: Duration.minutes(5), label: 'Invocations' }),
        instance.metricDataVolumeHandlerErrors({ label: 'Errors' }),
      ]),
      graph('Data-volume hook duration (ms)', [
        handler.metricDuration({ statistic: 'Maximum', period: Duration.minutes(5), label: 'Maximum' }),
      ]),
      graph('Data-volume dead letters', [instance.metricDataVolumeDeadLetterMessages({ label: 'Messages in the DLQ' })]),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: instance.alarms, width: 6, height: 6 }),
    );
  } else {
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: instance.alarms, width: 6, height: 6 }));
  }
  return dashboard;
}
