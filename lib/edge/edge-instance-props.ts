import { RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';

/** The web instance, the log bucket and the alarm actions of the IP-blocking patterns. */
export interface EdgeInstanceProps {
  /** @default t4g.nano */
  readonly instanceType?: ec2.InstanceType;

  /**
   * Image of the instance; must match the instance type's architecture.
   *
   * @default - latest Amazon Linux 2023 for the instance type's architecture (arm64 for t4g, x86_64 for t3)
   */
  readonly machineImage?: ec2.IMachineImage;

  /**
   * User data of the instance. {@link PublicInstanceIpBlocking} adds its host firewall commands to
   * it (when `hostFirewall` is on).
   *
   * @default - a static page served on the (first) port by Python's built-in HTTP server (no
   * internet access needed)
   */
  readonly userData?: ec2.UserData;

  /**
   * What happens to the new log bucket when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Actions of every alarm of the construct (e.g. an SNS topic's `SnsAction`).
   *
   * @default - no actions; add them with addAlarmActions()
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}
