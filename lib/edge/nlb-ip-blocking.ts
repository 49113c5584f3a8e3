import { Annotations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as elbv2Targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ConfigErrors } from '../private/config-errors';
import { addStatusCheckAlarm, addUnhealthyHostsAlarm, metricUnhealthyHosts } from '../private/edge-alarms';
import {
  acknowledgePublicListener, createBlockedPublicSubnets, createInstanceBehindLoadBalancer, enableAccessLogs, portLabel, portText,
} from '../private/edge-resources';
import { SECURITY_GROUP_DESCRIPTION, pathLabel } from '../private/labels';
import { WebInstancePattern } from '../private/web-instance-pattern';
import { BlocklistNetworkAcl } from './blocklist-network-acl';
import { IpBlocklist } from './ip-blocklist';
import { EdgeInstanceProps } from './edge-instance-props';
import { checkNlbIpBlockingProps } from './validate-nlb-ip-blocking-props';

/** Properties of an {@link NlbIpBlocking}. */
export interface NlbIpBlockingProps extends EdgeInstanceProps {
  /** Clients to block: network ACL deny entries on the load balancer's (public) subnets. */
  readonly blocklist: IpBlocklist;

  /**
   * Create the NLB with a security group. An NLB's security groups can only be added when it is
   * created: opting out means replacing the NLB to add one later, and the instances must then
   * allow the port from every address (they see client IPs, not the NLB's). A warning says so.
   *
   * @default true
   */
  readonly securityGroup?: boolean;

  /**
   * TCP port of the listener and of the instance.
   *
   * @default 80
   */
  readonly port?: number;

  /**
   * The VPC: the NLB goes into its public subnets (whose network ACL association this construct
   * replaces with its own), the instance into its private or isolated subnets.
   *
   * @default - a new VPC with public and isolated subnets in two AZs, no NAT gateway, flow logs
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Bucket for the NLB's access logs (NLBs only log TLS listeners) and a new VPC's flow logs.
   *
   * @default - a new private, SSE-S3 encrypted bucket, logs expire after 90 days, retained
   */
  readonly logsBucket?: s3.IBucket;
}

/**
 * Pattern 3 of blocking an IP address: an internet-facing NLB with a security group, in front of an
 * instance in a private subnet. The NLB passes connections through with the client address
 * preserved, so the instance, its security group and every network ACL on the path see the
 * client: blocking happens with network ACL deny entries on the NLB's subnets (the security groups
 * can only allow).
 *
 * @example
 * new NlbIpBlocking(this, 'Tcp', { blocklist, port: 80 });
 */
export class NlbIpBlocking extends WebInstancePattern {
  /** The VPC. */
  public readonly vpc: ec2.IVpc;
  /** The internet-facing NLB. */
  public readonly loadBalancer: elbv2.NetworkLoadBalancer;
  /** The NLB's security group; undefined when opted out. */
  public readonly loadBalancerSecurityGroup?: ec2.SecurityGroup;
  /** The TCP listener. */
  public readonly listener: elbv2.NetworkListener;
  /** The target group of the instance (client IP preservation on). */
  public readonly targetGroup: elbv2.NetworkTargetGroup;
  /** The instance in a private subnet. */
  public readonly instance: ec2.Instance;
  /** The instance's security group. */
  public readonly instanceSecurityGroup: ec2.SecurityGroup;
  /** The network ACL of the NLB's subnets with the deny entries. */
  public readonly networkAcl: BlocklistNetworkAcl;
  /** The access-log bucket. */
  public readonly logsBucket: s3.IBucket;
  /** Alarm: the instance failed its NLB health checks for 3 minutes. */
  public readonly unhealthyHostsAlarm: cloudwatch.Alarm;
  /** Alarm: the instance failed its EC2 status check for 3 minutes. */
  public readonly instanceStatusCheckAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: NlbIpBlockingProps) {
    super(scope, id, props.alarmActions);
    const withSecurityGroup = props.securityGroup ?? true;
    const errors = new ConfigErrors('NlbIpBlocking', this.node.path);
    const port = checkNlbIpBlockingProps(errors, props);
    errors.throwIfAny();

    const { logsBucket, vpc, publicSubnets, networkAcl } = createBlockedPublicSubnets(this, props);
    this.logsBucket = logsBucket;
    this.vpc = vpc;
    this.networkAcl = networkAcl;

    if (withSecurityGroup) {
      this.loadBalancerSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
        vpc: this.vpc,
        description: pathLabel(this, `: listener ${portLabel(port)} from anywhere`, SECURITY_GROUP_DESCRIPTION),
        allowAllOutbound: false,
      });
      this.loadBalancerSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port), `Public listener on ${portText(port)}`);
    } else {
      Annotations.of(this).addWarningV2('cdk-reference-architectures:nlbWithoutSecurityGroup',
        `The NLB is created without a security group. One cannot be added later without replacing the NLB (a new DNS name), and the instances must allow ${portLabel(port)} from 0.0.0.0/0, because they see the client addresses. Remove securityGroup: false unless you must.`);
    }
    this.loadBalancer = new elbv2.NetworkLoadBalancer(this, 'LoadBalancer', {
      vpc: this.vpc,
      internetFacing: true,
      vpcSubnets: publicSubnets,
      // The NLB has a node in every public subnet but its one instance sits in one AZ: without
      // cross-zone load balancing the other AZ's node has no healthy target and its share of DNS
      // answers fails. Cross-zone traffic is charged per GB.
      crossZoneEnabled: true,
      securityGroups: this.loadBalancerSecurityGroup ? [this.loadBalancerSecurityGroup] : [],
    });
    enableAccessLogs(this.loadBalancer, this.logsBucket, 'nlb', 'network');
    if (this.loadBalancerSecurityGroup) {
      acknowledgePublicListener({ connections: this.loadBalancerSecurityGroup.connections });
    }
    this.listener = this.loadBalancer.addListener('Tcp', { port, protocol: elbv2.Protocol.TCP });

    const { securityGroup, instance } = createInstanceBehindLoadBalancer(this, {
      vpc: this.vpc,
      props,
      port,
      admits: withSecurityGroup ? 'the NLB security group only' : 'any client (NLB without security group)',
      page: 'Behind an NLB: the client address is preserved and blocked at the NLB subnets\' network ACL',
    });
    this.instanceSecurityGroup = securityGroup;
    this.instance = instance;
    if (this.loadBalancerSecurityGroup) {
      // With a security group on the NLB, targets can reference it even though packets keep the client's address.
      this.loadBalancerSecurityGroup.connections.allowTo(this.instanceSecurityGroup, ec2.Port.tcp(port), `NLB to instances on ${portText(port)}`);
    } else {
      this.instanceSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port), `Clients through the NLB on ${portText(port)}`);
    }
    this.targetGroup = this.listener.addTargets('Instance', {
      port,
      protocol: elbv2.Protocol.TCP,
      targets: [new elbv2Targets.InstanceTarget(this.instance, port)],
      preserveClientIp: true,
      healthCheck: { protocol: elbv2.Protocol.TCP },
    });

    this.unhealthyHostsAlarm = addUnhealthyHostsAlarm(this, 'UnhealthyHostsAlarm', this._alarmSet, this.targetGroup, 'NLB');
    this.instanceStatusCheckAlarm = addStatusCheckAlarm(this, this._alarmSet, this.instance);
  }

  /** Unhealthy targets of the target group, maximum per minute. */
  public metricUnhealthyHosts(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return metricUnhealthyHosts(this.targetGroup, props);
  }
}
