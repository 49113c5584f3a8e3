import { RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ConfigErrors } from '../private/config-errors';
import { acknowledgePublicListener, addWebListeners, createEdgeAlb, createEdgeLogsBucket, createEdgeVpc } from '../private/edge-resources';
import { EdgeWebAcl, EdgeWebAclProps } from './edge-web-acl';
import { WebAclScope } from './ip-blocklist';

/** Properties of a {@link WafProtectedAlb}: the web ACL's options plus the load balancer's. */
export interface WafProtectedAlbProps extends Omit<EdgeWebAclProps, 'scope'> {
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

  constructor(scope: Construct, id: string, props: WafProtectedAlbProps = {}) {
    super(scope, id);
    const errors = new ConfigErrors('WafProtectedAlb', this.node.path);
    if (props.loadBalancer) {
      for (const prop of ['vpc', 'certificate', 'logsBucket'] as const) {
        if (props[prop] !== undefined) {
          errors.add(prop, '(given)', 'only applies to a new load balancer, but an existing loadBalancer was given',
            `configure the existing load balancer directly and remove ${prop}`);
        }
      }
    }
    errors.throwIfAny();

    const { loadBalancer, vpc, certificate, logsBucket, ...webAclProps } = props;
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
  }
}
