import { RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';

/** How clients reach a {@link HaBastion}. */
export enum BastionMode {
  /**
   * One host in a public subnet with an Elastic IP, kept alive by an Auto Scaling group (1:1:1)
   * over 2+ AZs. Cheapest; a replacement takes a few minutes, during which SSH is down.
   */
  ELASTIC_IP = 'eip',
  /**
   * Two or more hosts in private subnets over 2+ AZs behind an internet-facing Network Load
   * Balancer on TCP 22. No downtime when a host or an AZ fails; costs the NLB.
   */
  LOAD_BALANCER = 'nlb',
}

/**
 * Properties of a {@link HaBastion}.
 */
export interface HaBastionProps {
  /** The VPC to run in. */
  readonly vpc: ec2.IVpc;

  /**
   * Elastic IP (one host) or Network Load Balancer (two or more hosts).
   *
   * @default BastionMode.ELASTIC_IP
   */
  readonly mode?: BastionMode;

  /**
   * Number of hosts: exactly 1 with an Elastic IP, at least 2 behind the load balancer.
   *
   * @default - 1 with an Elastic IP, 2 behind the load balancer
   */
  readonly instanceCount?: number;

  /**
   * Where the hosts run; must span at least 2 AZs.
   *
   * @default - public subnets with an Elastic IP; private subnets (with egress, else isolated) behind the load balancer
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Where a new load balancer runs; must be public subnets in at least 2 AZs.
   *
   * @default { subnetType: ec2.SubnetType.PUBLIC }
   */
  readonly loadBalancerSubnets?: ec2.SubnetSelection;

  /**
   * An existing load balancer to add the SSH listener (TCP 22) to. It must be a Network Load
   * Balancer: SSH is not HTTP, so an Application Load Balancer (layer 7) cannot carry it.
   *
   * @default - a new internet-facing Network Load Balancer with a security group
   */
  readonly loadBalancer?: elbv2.ILoadBalancerV2;

  /**
   * Instance type.
   *
   * @default ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO)
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * The AMI.
   *
   * @default - latest Amazon Linux 2023, resolved by EC2 at launch (see `HaInstanceProps.machineImage`)
   */
  readonly machineImage?: ec2.IMachineImage;

  /**
   * CIDRs allowed to connect with SSH (TCP 22), without host bits set (`203.0.113.0/24`, not
   * `203.0.113.7/24`). More with `allowSshFrom()`. Without any, the hosts are reachable through SSM
   * Session Manager only.
   *
   * @default - none
   */
  readonly sshAllowedCidrs?: string[];

  /**
   * Explicit opt-in to allow SSH from `0.0.0.0/0` or `::/0` (the whole internet).
   *
   * @default false
   */
  readonly allowSshFromAnywhere?: boolean;

  /**
   * Customer-managed key for the session log group and the SSH host key parameter. A new key's
   * policy lets CloudWatch Logs use it for the session log group only; for a key of yours, add that
   * statement yourself (synth warns).
   *
   * @default - a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long session logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Removal policy of the new log group and key.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Actions of every alarm of the bastion (status check, in-service hosts, and behind the load
   * balancer unhealthy hosts).
   *
   * @default - no actions; add them with addAlarmActions()
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}
