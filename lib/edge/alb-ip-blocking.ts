import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as elbv2Targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ConfigErrors } from '../private/config-errors';
import { addAlbServerErrorAlarms, addStatusCheckAlarm, addUnhealthyHostsAlarm } from '../private/edge-alarms';
import {
  acknowledgePublicListener, addWebListeners, createBlockedPublicSubnets, createEdgeAlb, createInstanceBehindLoadBalancer, portText,
} from '../private/edge-resources';
import { AlbWebInstancePattern } from '../private/web-instance-pattern';
import { BlocklistNetworkAcl } from './blocklist-network-acl';
import { IpBlocklist } from './ip-blocklist';
import { EdgeInstanceProps } from './edge-instance-props';
import { checkAlbIpBlockingProps } from './validate-alb-ip-blocking-props';

/** Properties of an {@link AlbIpBlocking}. */
export interface AlbIpBlockingProps extends EdgeInstanceProps {
  /** Clients to block: network ACL deny entries on the load balancer's (public) subnets. */
  readonly blocklist: IpBlocklist;

  /**
   * The VPC: the load balancer goes into its public subnets (whose network ACL association this
   * construct replaces with its own), the instance into its private or isolated subnets.
   *
   * @default - a new VPC with public and isolated subnets in two AZs, no NAT gateway, flow logs
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Certificate for an HTTPS listener on 443; HTTP on 80 then redirects to it.
   *
   * @default - an HTTP listener on 80 only
   */
  readonly certificate?: acm.ICertificate;

  /**
   * Port the instance serves on.
   *
   * @default 80
   */
  readonly instancePort?: number;

  /**
   * Bucket for the load balancer's access logs (and a new VPC's flow logs). It must use SSE-S3:
   * ALB access logs support no other encryption.
   *
   * @default - a new private, SSE-S3 encrypted bucket, logs expire after 90 days, retained
   */
  readonly logsBucket?: s3.IBucket;

  /**
   * 5xx responses per 5 minutes above which the two 5xx alarms fire (one for the instance's
   * answers, one for the load balancer's own 502/503/504). Scale it with your traffic.
   *
   * @default 10
   */
  readonly serverErrorThreshold?: number;
}

/**
 * Pattern 2 of blocking an IP address: an internet-facing ALB in public subnets in front of an
 * instance in a private subnet that accepts traffic only from the ALB's security group.
 *
 * The ALB terminates client connections and opens its own to the instance, so the instance (and
 * the network ACL of its subnet) only sees ALB addresses; the client address survives only in the
 * `X-Forwarded-For` header. Blocking therefore happens at the network ACL of the ALB's subnets,
 * where client packets still carry the client address (or with WAF: {@link WafProtectedAlb}).
 *
 * @example
 * const web = new AlbIpBlocking(this, 'Web', { blocklist });
 */
export class AlbIpBlocking extends AlbWebInstancePattern {
  /** The VPC. */
  public readonly vpc: ec2.IVpc;
  /** The internet-facing load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener forwarding to the instance (HTTPS with a certificate, else HTTP). */
  public readonly listener: elbv2.ApplicationListener;
  /** The HTTP listener redirecting to HTTPS; undefined without a certificate. */
  public readonly redirectListener?: elbv2.ApplicationListener;
  /** The target group of the instance. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The instance in a private subnet. */
  public readonly instance: ec2.Instance;
  /** The instance's security group: the instance port from the ALB's security group only. */
  public readonly instanceSecurityGroup: ec2.SecurityGroup;
  /** The network ACL of the ALB's subnets with the deny entries. */
  public readonly networkAcl: BlocklistNetworkAcl;
  /** The access-log bucket. */
  public readonly logsBucket: s3.IBucket;
  /** Alarm: the instance answered more than `serverErrorThreshold` 5xx in 5 minutes. */
  public readonly targetServerErrorsAlarm: cloudwatch.Alarm;
  /** Alarm: the ALB itself answered more than `serverErrorThreshold` 5xx in 5 minutes. */
  public readonly loadBalancerServerErrorsAlarm: cloudwatch.Alarm;
  /** Alarm: the instance failed its ALB health checks for 3 minutes. */
  public readonly unhealthyHostsAlarm: cloudwatch.Alarm;
  /** Alarm: the instance failed its EC2 status check for 3 minutes. */
  public readonly instanceStatusCheckAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AlbIpBlockingProps) {
    super(scope, id, props.alarmActions);
    const errors = new ConfigErrors('AlbIpBlocking', this.node.path);
    const { port, serverErrorThreshold } = checkAlbIpBlockingProps(errors, props);
    errors.throwIfAny();

    const { logsBucket, vpc, publicSubnets, networkAcl } = createBlockedPublicSubnets(this, props);
    this.logsBucket = logsBucket;
    this.vpc = vpc;
    this.networkAcl = networkAcl;

    this.loadBalancer = createEdgeAlb(this, 'LoadBalancer', {
      vpc: this.vpc, internetFacing: true, subnets: publicSubnets, logsBucket: this.logsBucket, logsPrefix: 'alb',
    });
    acknowledgePublicListener(this.loadBalancer);
    const { listener, redirectListener } = addWebListeners(this.loadBalancer, props.certificate, true);
    this.listener = listener;
    this.redirectListener = redirectListener;

    const { securityGroup, instance } = createInstanceBehindLoadBalancer(this, {
      vpc: this.vpc, props, port, admits: 'the load balancer only', page: 'Behind an ALB: blocked at the ALB subnets\' network ACL',
    });
    this.instanceSecurityGroup = securityGroup;
    this.instance = instance;
    // InstanceTarget does not wire security groups: allow the ALB to the instance port, and nothing else in.
    this.loadBalancer.connections.allowTo(this.instance, ec2.Port.tcp(port), `Load balancer to the instance on ${portText(port)}`);
    this.targetGroup = this.listener.addTargets('Instance', {
      port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [new elbv2Targets.InstanceTarget(this.instance, port)],
      healthCheck: { path: '/' },
    });

    const { targetServerErrorsAlarm, loadBalancerServerErrorsAlarm } =
      addAlbServerErrorAlarms(this, this._alarmSet, this.loadBalancer, serverErrorThreshold);
    this.targetServerErrorsAlarm = targetServerErrorsAlarm;
    this.loadBalancerServerErrorsAlarm = loadBalancerServerErrorsAlarm;
    this.unhealthyHostsAlarm = addUnhealthyHostsAlarm(this, 'UnhealthyHostsAlarm', this._alarmSet, this.targetGroup, 'ALB');
    this.instanceStatusCheckAlarm = addStatusCheckAlarm(this, this._alarmSet, this.instance);
  }
}
