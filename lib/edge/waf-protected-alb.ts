import { RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AlarmSet } from '../private/alarm-set';
import { ConfigErrors } from '../private/config-errors';
import { addAlbServerErrorAlarms, addUnhealthyHostsAlarm, metricAlbServerErrors, metricUnhealthyHosts } from '../private/edge-alarms';
import { acknowledgePublicListener, addWebListeners, createEdgeAlb, createEdgeLogsBucket, createEdgeVpc } from '../private/edge-resources';
import { EdgeWebAcl, EdgeWebAclOptions } from './edge-web-acl';
import { WebAclScope } from './ip-blocklist';
import { checkWafProtectedAlbProps } from './validate-waf-protected-alb-props';

/** Properties of a {@link WafProtectedAlb}: the web ACL's options (its scope is REGIONAL) plus the load balancer's. */
export interface WafProtectedAlbProps extends EdgeWebAclOptions {
  /**
   * An existing ALB to protect. Only the web ACL is created and associated with it.
   *
   * @default - a new internet-facing ALB with access logs, in the public subnets of `vpc`
   */
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;

  /**
   * The VPC of a new ALB. Only for a new ALB.
   *
   * @default - a new VPC with public and isolated subnets in two AZs, no NAT gateway, flow logs
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Certificate for an HTTPS listener on 443 of a new ALB; HTTP on 80 then redirects to it.
   * Only for a new ALB.
   *
   * @default - an HTTP listener on 80 only
   */
  readonly certificate?: acm.ICertificate;

  /**
   * Bucket for the new ALB's access logs (and a new VPC's flow logs); must use SSE-S3. Only for a
   * new ALB.
   *
   * @default - a new private, SSE-S3 encrypted bucket, logs expire after 90 days, retained
   */
  readonly logsBucket?: s3.IBucket;

  /**
   * 5xx responses per 5 minutes above which the ALB's two 5xx alarms fire (one for the targets'
   * answers, one for the load balancer's own 502/503/504). Scale it with your traffic.
   *
   * @default 10
   */
  readonly serverErrorThreshold?: number;
}

/**
 * Pattern 4 of blocking an IP address: an ALB (new or existing) with a regional WAF web ACL. The
 * ALB faces the clients, so WAF sees their addresses and blocks them before any target is
 * reached, with the blocklist's IP sets, a rate-based rule per client IP, and the AWS managed rule
 * groups that cost nothing extra (Bot Control on request). Everything is logged to an
 * `aws-waf-logs-` log group and measured in CloudWatch; `countOnly` rolls it out without blocking.
 *
 * If something in front of the ALB proxies the clients (CloudFront, another load balancer), WAF
 * sees that proxy's addresses instead: protect the distribution ({@link CloudFrontWafAlb}).
 *
 * For a new ALB, add targets to {@link listener}.
 *
 * @example
 * const waf = new WafProtectedAlb(this, 'Web', { blocklist, certificate });
 * waf.listener!.addTargets('App', { port: 80, targets: [new targets.InstanceTarget(instance)] });
 */
export class WafProtectedAlb extends Construct {
  /** The protected load balancer. */
  public readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The web ACL, its IP sets, log group and logging configuration. */
  public readonly webAcl: EdgeWebAcl;
  /** The association of the web ACL with the load balancer. */
  public readonly association: ReturnType<EdgeWebAcl['associate']>;
  /** The VPC of a new ALB; undefined for an existing ALB. */
  public readonly vpc?: ec2.IVpc;
  /** The listener to add targets to (HTTPS with a certificate, else HTTP); undefined for an existing ALB. */
  public readonly listener?: elbv2.ApplicationListener;
  /** The HTTP listener redirecting to HTTPS; undefined without a certificate or for an existing ALB. */
  public readonly redirectListener?: elbv2.ApplicationListener;
  /** The access-log bucket; undefined for an existing ALB. */
  public readonly logsBucket?: s3.IBucket;
  /** Alarm: the targets answered more than `serverErrorThreshold` 5xx in 5 minutes. */
  public readonly targetServerErrorsAlarm: cloudwatch.Alarm;
  /** Alarm: the ALB itself answered more than `serverErrorThreshold` 5xx in 5 minutes. */
  public readonly loadBalancerServerErrorsAlarm: cloudwatch.Alarm;
  /** Unhealthy-host alarms of the target groups given to {@link addUnhealthyHostsAlarm}. */
  public readonly unhealthyHostsAlarms: cloudwatch.Alarm[] = [];
  private readonly alarmSet: AlarmSet;

  constructor(scope: Construct, id: string, props: WafProtectedAlbProps = {}) {
    super(scope, id);
    const errors = new ConfigErrors('WafProtectedAlb', this.node.path);
    const serverErrorThreshold = checkWafProtectedAlbProps(errors, props);
    errors.throwIfAny();

    const { loadBalancer, vpc, certificate, logsBucket, serverErrorThreshold: _threshold, ...webAclProps } = props;
    this.webAcl = new EdgeWebAcl(this, 'WebAcl', { ...webAclProps, scope: WebAclScope.REGIONAL });

    if (loadBalancer) {
      this.loadBalancer = loadBalancer;
    } else {
      this.logsBucket = logsBucket ?? createEdgeLogsBucket(this, 'Logs', { removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN });
      this.vpc = vpc ?? createEdgeVpc(this, 'Vpc', this.logsBucket);
      const alb = createEdgeAlb(this, 'LoadBalancer', {
        vpc: this.vpc, internetFacing: true, subnets: { subnetType: ec2.SubnetType.PUBLIC }, logsBucket: this.logsBucket, logsPrefix: 'alb',
      });
      acknowledgePublicListener(alb);
      const listeners = addWebListeners(alb, certificate, true);
      this.listener = listeners.listener;
      this.redirectListener = listeners.redirectListener;
      this.loadBalancer = alb;
    }
    this.association = this.webAcl.associate('Association', this.loadBalancer.loadBalancerArn);

    this.alarmSet = new AlarmSet(props.alarmActions);
    const { targetServerErrorsAlarm, loadBalancerServerErrorsAlarm } =
      addAlbServerErrorAlarms(this, this.alarmSet, this.loadBalancer, serverErrorThreshold);
    this.targetServerErrorsAlarm = targetServerErrorsAlarm;
    this.loadBalancerServerErrorsAlarm = loadBalancerServerErrorsAlarm;
  }

  /** Every alarm: the web ACL's, the ALB's and the target groups' ones. */
  public get alarms(): cloudwatch.IAlarm[] {
    return [...this.webAcl.alarms, ...this.alarmSet.alarms];
  }

  /** Adds actions to every alarm, present and future (the web ACL's too). */
  public addAlarmActions(...actions: cloudwatch.IAlarmAction[]): void {
    this.webAcl.addAlarmActions(...actions);
    this.alarmSet.addActions(...actions);
  }

  /**
   * Alarms when a target of `targetGroup` is unhealthy for 3 minutes. Call it for the target
   * groups you add to {@link listener}; the alarm gets this construct's alarm actions.
   */
  public addUnhealthyHostsAlarm(targetGroup: elbv2.IApplicationTargetGroup): cloudwatch.Alarm {
    const alarm = addUnhealthyHostsAlarm(this, `${targetGroup.node.id}UnhealthyHostsAlarm`, this.alarmSet, targetGroup, 'ALB');
    this.unhealthyHostsAlarms.push(alarm);
    return alarm;
  }

  /** 5xx responses of the targets (`HTTPCode_Target_5XX_Count`), sum per 5 minutes. */
  public metricTargetServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return metricAlbServerErrors(this.loadBalancer, 'target', props);
  }

  /** 5xx responses generated by the ALB (`HTTPCode_ELB_5XX_Count`), sum per 5 minutes. */
  public metricLoadBalancerServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return metricAlbServerErrors(this.loadBalancer, 'elb', props);
  }

  /** Unhealthy targets of a target group of this ALB, maximum per minute. */
  public metricUnhealthyHosts(targetGroup: elbv2.IApplicationTargetGroup, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return metricUnhealthyHosts(targetGroup, props);
  }
}
