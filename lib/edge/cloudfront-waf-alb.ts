import { Annotations, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as elbv2Targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { isConcrete } from '../private/config-errors';
import { DEFAULT_SERVER_ERROR_THRESHOLD, addAlbServerErrorAlarms, addStatusCheckAlarm, addUnhealthyHostsAlarm } from '../private/edge-alarms';
import { createEdgeAlb, createEdgeLogsBucket, createEdgeVpc, createInstanceBehindLoadBalancer, privateSubnetsOf } from '../private/edge-resources';
import { DISTRIBUTION_COMMENT, pathLabel } from '../private/labels';
import { AlbWebInstancePattern } from '../private/web-instance-pattern';
import { CloudFrontDistributionAlarms } from './cloudfront-distribution-alarms';
import { EdgeWebAcl, IEdgeWebAcl } from './edge-web-acl';
import {
  CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_WEIGHT, DEFAULT_SECURITY_GROUP_RULE_QUOTA, validateCloudFrontWafAlbProps,
} from './validate-cloudfront-waf-alb-props';
import { IpBlocklist, WebAclScope } from './ip-blocklist';

/** How CloudFront reaches the load balancer, and how the load balancer refuses everyone else. */
export enum CloudFrontOriginMode {
  /**
   * A CloudFront VPC origin in front of an internal ALB in private subnets: the ALB has no public
   * address and admits only CloudFront's `CloudFront-VPCOrigins-Service-SG` security group.
   */
  VPC_ORIGIN = 'vpc-origin',
  /**
   * An internet-facing ALB whose security group admits only the CloudFront origin-facing managed
   * prefix list and whose listener forwards only requests carrying a secret header that
   * CloudFront adds (fixed 403 otherwise), so other distributions cannot use it either.
   */
  PUBLIC_ALB = 'public-alb',
}

/** Name of the AWS-managed prefix list of CloudFront's origin-facing IPv4 addresses. */
const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = 'com.amazonaws.global.cloudfront.origin-facing';

/** The security group CloudFront creates in the VPC of a VPC origin; VPC-origin traffic comes from it. */
const VPC_ORIGINS_SERVICE_SECURITY_GROUP = 'CloudFront-VPCOrigins-Service-SG';

/** CloudFront geo restriction: exactly one of the two lists of ISO 3166-1 alpha-2 country codes. */
export interface CountryRestriction {
  /**
   * Serve only viewers in these countries.
   *
   * @default - no allow-list
   */
  readonly allow?: string[];
  /**
   * Refuse viewers in these countries (HTTP 403).
   *
   * @default - no deny-list
   */
  readonly deny?: string[];
}

/** Properties of a {@link CloudFrontWafAlb}. */
export interface CloudFrontWafAlbProps {
  /**
   * The CLOUDFRONT-scope web ACL of the distribution, created in a us-east-1 stack (see
   * `CloudFrontWafAlbStack`; both stacks need `crossRegionReferences: true` and an explicit region).
   * A REGIONAL web ACL is refused.
   *
   * @default - a new {@link EdgeWebAcl} with `blocklist`, only when this stack is in us-east-1
   */
  readonly webAcl?: IEdgeWebAcl;

  /**
   * Clients to block in the new web ACL. Only when no `webAcl` is given (put it on that web ACL).
   *
   * @default - no IP block rule
   */
  readonly blocklist?: IpBlocklist;

  /**
   * Countries to allow or deny, enforced by CloudFront before WAF.
   *
   * @default - no geo restriction
   */
  readonly geoRestriction?: CountryRestriction;

  /**
   * Certificate for `domainNames`; CloudFront only uses certificates from us-east-1. With it the
   * viewers must use TLS 1.2 or later.
   *
   * @default - the *.cloudfront.net domain and certificate
   */
  readonly certificate?: acm.ICertificate;

  /**
   * Alternate domain names of the distribution; needs `certificate`.
   *
   * @default - none
   */
  readonly domainNames?: string[];

  /**
   * How CloudFront reaches the load balancer: a VPC origin and an internal ALB, or an
   * internet-facing ALB restricted to CloudFront's origin-facing addresses and a secret header.
   *
   * @default CloudFrontOriginMode.VPC_ORIGIN
   */
  readonly originMode?: CloudFrontOriginMode;

  /**
   * Who may reach the ALB's listener, in place of the default. Anything wider lets traffic bypass
   * the web ACL and the geo restriction.
   *
   * @default - VPC_ORIGIN: CloudFront's `CloudFront-VPCOrigins-Service-SG` in the VPC, looked up at
   * deploy time (CloudFormation does not return it); PUBLIC_ALB: the origin-facing prefix list
   * `com.amazonaws.global.cloudfront.origin-facing`, looked up at deploy time
   */
  readonly originPeer?: ec2.IPeer;

  /**
   * Name of the secret header CloudFront adds and the listener requires. Only for PUBLIC_ALB.
   *
   * @default 'X-Origin-Verify'
   */
  readonly originHeaderName?: string;

  /**
   * Certificate for an HTTPS listener (443, TLS 1.2+) on the public ALB, in this stack's region:
   * CloudFront then connects to `originDomainName` over HTTPS (TLS 1.2) and the secret header
   * travels encrypted. Only for PUBLIC_ALB; needs `originDomainName`.
   *
   * @default - HTTP on 80 between CloudFront and the ALB: the secret header and the requests cross
   * the internet unencrypted
   */
  readonly originCertificate?: acm.ICertificate;

  /**
   * A DNS name covered by `originCertificate` that you point at the ALB (an alias or CNAME record
   * to `loadBalancer.loadBalancerDnsName`); CloudFront connects to it and checks the certificate
   * against it. Only with `originCertificate`.
   *
   * @default - none
   */
  readonly originDomainName?: string;

  /**
   * Inbound rules per security group in this account and region (the quota "Inbound or outbound
   * rules per security group"). Only for PUBLIC_ALB, where the prefix list counts as 55 rules.
   *
   * @default 60
   */
  readonly securityGroupRuleQuota?: number;

  /**
   * The VPC. VPC_ORIGIN: the internal ALB and the instance go into its private or isolated subnets;
   * it must have an internet gateway (CloudFront VPC origins require one, although the ALB stays
   * private). PUBLIC_ALB: the ALB goes into its public subnets, the instance into private ones.
   *
   * @default - a new VPC with public and isolated subnets in two AZs, no NAT gateway, flow logs
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Bucket for the ALB's access logs and a new VPC's flow logs; must use SSE-S3.
   *
   * @default - a new private, SSE-S3 encrypted bucket, logs expire after 90 days, retained
   */
  readonly logsBucket?: s3.IBucket;

  /**
   * Bucket for CloudFront's standard logs. CloudFront's legacy standard logging writes through an
   * ACL grant, so the bucket needs ACLs enabled (object ownership "bucket owner preferred").
   *
   * @default - a new private, SSE-S3 encrypted bucket with ACLs enabled, logs expire after 90 days, retained
   */
  readonly distributionLogsBucket?: s3.IBucket;

  /**
   * CloudFront price class.
   *
   * @default cloudfront.PriceClass.PRICE_CLASS_100
   */
  readonly priceClass?: cloudfront.PriceClass;

  /** @default t4g.nano */
  readonly instanceType?: ec2.InstanceType;

  /**
   * Image of the instance; must match the instance type's architecture.
   *
   * @default - latest Amazon Linux 2023 for the instance type's architecture (arm64 for t4g, x86_64 for t3)
   */
  readonly machineImage?: ec2.IMachineImage;

  /**
   * User data of the instance (serving HTTP on port 80).
   *
   * @default - a static page served by Python's built-in HTTP server (no internet access needed)
   */
  readonly userData?: ec2.UserData;

  /**
   * What happens to the new log buckets when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * 5xx responses per 5 minutes above which the ALB's two 5xx alarms fire (one for the
   * instance's answers, one for the load balancer's own 502/503/504). Scale it with your traffic.
   *
   * @default 10
   */
  readonly serverErrorThreshold?: number;

  /**
   * Percentage of viewer requests answered with 5xx (5 minutes, twice in a row) above which the
   * distribution's alarm fires. Only in a us-east-1 stack, the one region where CloudFront
   * metrics exist: elsewhere create a {@link CloudFrontDistributionAlarms} in a us-east-1 stack.
   *
   * @default 5 - in a us-east-1 stack; elsewhere no distribution alarm
   */
  readonly errorRateThreshold?: number;

  /**
   * Actions of every alarm of the construct (e.g. an SNS topic's `SnsAction`), also those of a
   * web ACL it creates.
   *
   * @default - no actions; add them with addAlarmActions()
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}

/**
 * Pattern 5 of blocking an IP address: client -> CloudFront (geo restriction) -> WAF (IP block
 * set, rate limit, managed rules; CLOUDFRONT scope, in us-east-1) -> ALB -> instance accepting the
 * ALB's security group only. The ALB answers CloudFront only, in one of two modes:
 *
 * - `VPC_ORIGIN` (default): an internal ALB in private subnets behind a CloudFront VPC origin; its
 *   security group admits only `CloudFront-VPCOrigins-Service-SG`, the group CloudFront creates in
 *   the VPC for VPC origins (looked up at deploy time), so nothing else in the VPC reaches it.
 * - `PUBLIC_ALB`: an internet-facing ALB whose security group admits only CloudFront's
 *   origin-facing prefix list, and whose listener forwards only requests with a secret header
 *   (generated in Secrets Manager) that this distribution adds; everything else gets a fixed 403.
 *
 * WAF at CloudFront sees the viewer address; the ALB and the instance see only CloudFront's.
 *
 * @example
 * new CloudFrontWafAlb(this, 'Site', { webAcl: usEast1WebAcl, geoRestriction: { deny: ['KP'] } });
 */
export class CloudFrontWafAlb extends AlbWebInstancePattern {
  /** The distribution. */
  public readonly distribution: cloudfront.Distribution;
  /** The web ACL attached to the distribution. */
  public readonly webAcl: IEdgeWebAcl;
  /** The VPC. */
  public readonly vpc: ec2.IVpc;
  /** How CloudFront reaches the load balancer. */
  public readonly originMode: CloudFrontOriginMode;
  /** The load balancer behind CloudFront (internal for VPC_ORIGIN, internet-facing for PUBLIC_ALB). */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** Who the load balancer's security group admits on port 80. */
  public readonly originPeer: ec2.IPeer;
  /** Its listener: HTTP 80, or HTTPS 443 with `originCertificate`. PUBLIC_ALB: fixed 403 unless the request carries the secret header. */
  public readonly listener: elbv2.ApplicationListener;
  /** The secret header's name; undefined for VPC_ORIGIN. */
  public readonly originHeaderName?: string;
  /** The secret whose value CloudFront sends in the origin header; undefined for VPC_ORIGIN. */
  public readonly originSecret?: secretsmanager.Secret;
  /** The target group of the instance. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The instance. */
  public readonly instance: ec2.Instance;
  /** The instance's security group: port 80 from the ALB's security group only. */
  public readonly instanceSecurityGroup: ec2.SecurityGroup;
  /** The bucket of the ALB access logs (and flow logs). */
  public readonly logsBucket: s3.IBucket;
  /** The bucket of the CloudFront standard logs. */
  public readonly distributionLogsBucket: s3.IBucket;
  /** Alarm: the instance answered more than `serverErrorThreshold` 5xx in 5 minutes. */
  public readonly targetServerErrorsAlarm: cloudwatch.Alarm;
  /** Alarm: the ALB itself answered more than `serverErrorThreshold` 5xx in 5 minutes. */
  public readonly loadBalancerServerErrorsAlarm: cloudwatch.Alarm;
  /** Alarm: the instance failed its ALB health checks for 3 minutes. */
  public readonly unhealthyHostsAlarm: cloudwatch.Alarm;
  /** Alarm: the instance failed its EC2 status check for 3 minutes. */
  public readonly instanceStatusCheckAlarm: cloudwatch.Alarm;
  /** The distribution's 5xx-rate alarm; undefined unless this stack is in us-east-1. */
  public readonly distributionAlarms?: CloudFrontDistributionAlarms;

  constructor(scope: Construct, id: string, props: CloudFrontWafAlbProps = {}) {
    super(scope, id, props.alarmActions);
    this.originMode = props.originMode ?? CloudFrontOriginMode.VPC_ORIGIN;
    const publicAlb = this.originMode === CloudFrontOriginMode.PUBLIC_ALB;
    const headerName = props.originHeaderName ?? 'X-Origin-Verify';
    const ruleQuota = props.securityGroupRuleQuota ?? DEFAULT_SECURITY_GROUP_RULE_QUOTA;
    const geo = props.geoRestriction;
    const geoCodes = geo?.allow ?? geo?.deny;
    // aws-cdk-lib's GeoRestriction checks each code and refuses tokens: a list with tokens goes into the template directly.
    const geoHasToken = geoCodes !== undefined && (Token.isUnresolved(geoCodes) || geoCodes.some((c) => Token.isUnresolved(c)));
    validateCloudFrontWafAlbProps(this, props);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.webAcl = props.webAcl ?? new EdgeWebAcl(this, 'WebAcl', { scope: WebAclScope.CLOUDFRONT, blocklist: props.blocklist, alarmActions: props.alarmActions });
    this.logsBucket = props.logsBucket ?? createEdgeLogsBucket(this, 'Logs', { removalPolicy });
    this.distributionLogsBucket = props.distributionLogsBucket
      ?? createEdgeLogsBucket(this, 'DistributionLogs', { removalPolicy, acls: true });
    if (props.distributionLogsBucket && !(props.distributionLogsBucket instanceof s3.Bucket)) {
      Annotations.of(this).addWarningV2('cdk-reference-architectures:importedDistributionLogsBucket',
        'distributionLogsBucket is imported, so its settings cannot be seen here: CloudFront standard logging writes through an ACL grant, so the bucket must have ACLs enabled (object ownership "bucket owner preferred" or "object writer", not "bucket owner enforced"), or the distribution fails to deploy.');
    }
    this.vpc = props.vpc ?? createEdgeVpc(this, 'Vpc', this.logsBucket);
    const privateSubnets = privateSubnetsOf(this.vpc);

    this.loadBalancer = createEdgeAlb(this, 'LoadBalancer', {
      vpc: this.vpc,
      internetFacing: publicAlb,
      subnets: publicAlb ? { subnetType: ec2.SubnetType.PUBLIC } : privateSubnets,
      logsBucket: this.logsBucket,
      logsPrefix: 'alb',
    });

    let origin: cloudfront.IOrigin;
    let listenerPort = 80;
    let originPeer: ec2.IPeer | undefined = props.originPeer;
    if (publicAlb) {
      this.originHeaderName = headerName;
      // Secrets Manager generates the value at deploy time; it never appears in the template.
      this.originSecret = new secretsmanager.Secret(this, 'OriginSecret', {
        description: `Value of the ${headerName} header that CloudFront adds and the ALB of ${this.node.path} requires`,
        generateSecretString: { passwordLength: 32, excludePunctuation: true },
      });
      Validations.of(this.originSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'The value is the secret origin header: CloudFront and the ALB listener rule read it only at deployment, so a rotation Lambda would leave both on the old value and the site answering 403. Rotate by changing the secret (e.g. a new generateSecretString) and redeploying.',
      });
      const customHeaders = { [headerName]: this.originSecret.secretValue.unsafeUnwrap() };
      const forbidden = elbv2.ListenerAction.fixedResponse(403, { contentType: 'text/plain', messageBody: 'Forbidden' });
      originPeer ??= ec2.Peer.prefixList(lookUpOriginFacingPrefixList(this));
      if (props.originCertificate && props.originDomainName !== undefined) {
        listenerPort = 443;
        this.listener = this.loadBalancer.addListener('Https', {
          port: 443,
          protocol: elbv2.ApplicationProtocol.HTTPS,
          certificates: [props.originCertificate],
          sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
          open: false,
          defaultAction: forbidden,
        });
        origin = new origins.HttpOrigin(props.originDomainName, {
          protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
          originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
          httpsPort: 443,
          customHeaders,
        });
      } else {
        this.listener = this.loadBalancer.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultAction: forbidden });
        origin = new origins.LoadBalancerV2Origin(this.loadBalancer, {
          protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
          httpPort: 80,
          customHeaders,
        });
      }
      this.node.addValidation({ validate: () => this.validateSecurityGroupRules(ruleQuota) });
    } else {
      this.listener = this.loadBalancer.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open: false });
      origin = origins.VpcOrigin.withApplicationLoadBalancer(this.loadBalancer, {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
        httpPort: 80,
      });
    }

    const { securityGroup, instance } = createInstanceBehindLoadBalancer(this, {
      vpc: this.vpc, props, port: 80, admits: 'the load balancer only', page: 'Behind CloudFront and WAF: blocked at the edge',
    });
    this.instanceSecurityGroup = securityGroup;
    this.instance = instance;
    // InstanceTarget does not wire security groups: allow the ALB to the instance port, and nothing else in.
    this.loadBalancer.connections.allowTo(this.instance, ec2.Port.tcp(80), `Load balancer to the instance on ${80}`);
    this.targetGroup = this.listener.addTargets('Instance', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [new elbv2Targets.InstanceTarget(this.instance, 80)],
      healthCheck: { path: '/' },
      // PUBLIC_ALB: only requests with the secret header reach the instance; the default action answers 403.
      ...(publicAlb ? {
        priority: 1,
        conditions: [elbv2.ListenerCondition.httpHeader(headerName, [this.originSecret!.secretValue.unsafeUnwrap()])],
      } : {}),
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: pathLabel(this, publicAlb ? ': WAF + geo restriction in front of a CloudFront-only public ALB' : ': WAF + geo restriction in front of an internal ALB', DISTRIBUTION_COMMENT),
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
      },
      webAclId: this.webAcl.webAclArn,
      geoRestriction: geo && !geoHasToken
        ? (geo.allow ? cloudfront.GeoRestriction.allowlist(...geo.allow) : cloudfront.GeoRestriction.denylist(...geo.deny!))
        : undefined,
      certificate: props.certificate,
      domainNames: props.domainNames,
      // Only applies with a certificate: the default *.cloudfront.net certificate's policy is fixed.
      minimumProtocolVersion: props.certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.distributionLogsBucket,
      logFilePrefix: 'cloudfront/',
    });

    if (geo && geoHasToken) {
      (this.distribution.node.defaultChild as cloudfront.CfnDistribution).addPropertyOverride('DistributionConfig.Restrictions.GeoRestriction',
        { RestrictionType: geo.allow ? 'whitelist' : 'blacklist', Locations: geoCodes });
    }

    // CloudFront creates its service security group with the VPC origin, so it is looked up after
    // the distribution; the ALB admits that group only, not the rest of the VPC.
    this.originPeer = originPeer ?? lookUpVpcOriginSecurityGroup(this, this.vpc, this.distribution);
    this.loadBalancer.connections.allowFrom(this.originPeer, ec2.Port.tcp(listenerPort),
      publicAlb ? `CloudFront origin-facing addresses on ${listenerPort}` : 'CloudFront VPC origin on 80');
    if (publicAlb && listenerPort === 80) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR5',
        reason: 'Without originCertificate and originDomainName CloudFront reaches the public ALB over HTTP, because a certificate cannot cover the ALB\'s amazonaws.com name: the secret header crosses the network unencrypted (documented). Pass both for HTTPS with TLS 1.2.',
      });
    }

    const { targetServerErrorsAlarm, loadBalancerServerErrorsAlarm } = addAlbServerErrorAlarms(this, this._alarmSet, this.loadBalancer,
      props.serverErrorThreshold ?? DEFAULT_SERVER_ERROR_THRESHOLD);
    this.targetServerErrorsAlarm = targetServerErrorsAlarm;
    this.loadBalancerServerErrorsAlarm = loadBalancerServerErrorsAlarm;
    this.unhealthyHostsAlarm = addUnhealthyHostsAlarm(this, 'UnhealthyHostsAlarm', this._alarmSet, this.targetGroup, 'ALB');
    this.instanceStatusCheckAlarm = addStatusCheckAlarm(this, this._alarmSet, this.instance);
    if (Stack.of(this).region === CloudFrontDistributionAlarms.METRICS_REGION) {
      this.distributionAlarms = new CloudFrontDistributionAlarms(this, 'DistributionAlarms', {
        distribution: this.distribution, errorRateThreshold: props.errorRateThreshold, alarmActions: props.alarmActions,
      });
    }
  }

  /** Every alarm: the ALB's, the instance's, the distribution's (us-east-1 only) and those of a web ACL created here. */
  public get alarms(): cloudwatch.IAlarm[] {
    return [
      ...(this.webAcl instanceof EdgeWebAcl && this.webAcl.node.scope === this ? this.webAcl.alarms : []),
      ...this._alarmSet.alarms,
      ...(this.distributionAlarms?.alarms ?? []),
    ];
  }

  /** Adds actions to every alarm of {@link alarms}, present and future. */
  public addAlarmActions(...actions: cloudwatch.IAlarmAction[]): void {
    if (this.webAcl instanceof EdgeWebAcl && this.webAcl.node.scope === this) this.webAcl.addAlarmActions(...actions);
    this._alarmSet.addActions(...actions);
    this.distributionAlarms?.addAlarmActions(...actions);
  }

  /** Viewer requests of the distribution, sum per 5 minutes (us-east-1 metric). */
  public metricRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return CloudFrontDistributionAlarms.metricOf(this.distribution, 'Requests', props);
  }

  /** Percent of viewer requests answered with 5xx, average per 5 minutes (us-east-1 metric). */
  public metric5xxErrorRate(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return CloudFrontDistributionAlarms.metricOf(this.distribution, '5xxErrorRate', { statistic: 'Average', ...props });
  }

  /**
   * The prefix list counts as its weight against the inbound-rules quota of the ALB's security
   * group: refuse at synth a group that rules added by the user push past the quota.
   */
  private validateSecurityGroupRules(quota: number): string[] {
    if (!isConcrete(quota)) return [];
    const stack = Stack.of(this);
    const problems: string[] = [];
    for (const sg of this.loadBalancer.connections.securityGroups) {
      const cfn = sg.node.defaultChild as ec2.CfnSecurityGroup | undefined;
      if (!cfn || !(cfn instanceof ec2.CfnSecurityGroup)) continue;
      const groupId = JSON.stringify(stack.resolve(sg.securityGroupId));
      const rules: Array<Record<string, unknown>> = [...(stack.resolve(cfn.securityGroupIngress) ?? [])];
      for (const c of stack.node.findAll()) {
        if (c instanceof ec2.CfnSecurityGroupIngress && JSON.stringify(stack.resolve(c.groupId)) === groupId) {
          rules.push(stack.resolve({
            CidrIp: c.cidrIp, CidrIpv6: c.cidrIpv6, SourcePrefixListId: c.sourcePrefixListId, SourceSecurityGroupId: c.sourceSecurityGroupId,
          }));
        }
      }
      const weight = (r: Record<string, unknown>) => r.CidrIpv6 !== undefined ? 0
        : r.SourcePrefixListId !== undefined ? CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_WEIGHT : 1;
      const count = rules.reduce((n, r) => n + weight(r), 0);
      if (count > quota) {
        problems.push(`CloudFrontWafAlb at '${this.node.path}': the load balancer's security group has ${rules.length} inbound rules that count as ${count} IPv4 rules (a prefix list counts as its ${CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST_WEIGHT} maximum entries), above the quota of ${quota} per security group; EC2 refuses the extra rules at deploy time. Fix: remove the rules added to loadBalancer.connections, or raise the "Inbound or outbound rules per security group" quota and pass it as securityGroupRuleQuota.`);
      }
    }
    return problems;
  }
}

/**
 * A read-only AWS API call at deploy time (aws-cdk-lib's `AwsCustomResource`), with the cdk-nag
 * findings it brings acknowledged: the describe action has no resource-level permissions, and the
 * stack-wide provider function logs with the AWS managed basic execution policy.
 */
function describeAtDeploy(scope: Construct, id: string, call: cr.AwsSdkCall, action: string): cr.AwsCustomResource {
  const lookup = new cr.AwsCustomResource(scope, id, {
    onCreate: call,
    onUpdate: call,
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
    installLatestAwsSdk: false,
    // one read-only Describe call per deployment
    memorySize: 256,
  });
  Validations.of(lookup).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: `The lookup calls only ec2:${action}, a read-only action that supports no resource-level permissions, so the service authorization reference requires Resource "*".`,
  });
  const provider = Stack.of(scope).node.tryFindChild(PROVIDER_ID);
  if (provider) {
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The provider function of aws-cdk-lib\'s AwsCustomResource gets only CloudWatch Logs write access from this managed policy; its lookups are granted by a separate inline policy per call.',
    });
    Validations.of(provider).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'CloudFormation invokes this custom-resource provider during a deployment and waits for its answer; a failed call fails and rolls back the deployment, which reports the error, so a dead-letter queue would keep an event nobody replays.',
    });
    Validations.of(provider).acknowledge({
      id: 'Serverless-LambdaTracing',
      reason: 'aws-cdk-lib\'s AwsCustomResource offers no tracing setting for its provider function; it makes one read-only Describe call per deployment, recorded in its CloudWatch Logs.',
    });
  }
  return lookup;
}

/** Construct ID of aws-cdk-lib's stack-wide `AwsCustomResource` provider function. */
const PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/** The ID of CloudFront's origin-facing managed prefix list in this region, looked up at deploy time. */
function lookUpOriginFacingPrefixList(scope: Construct): string {
  const call: cr.AwsSdkCall = {
    service: 'EC2',
    action: 'DescribeManagedPrefixLists',
    parameters: { Filters: [{ Name: 'prefix-list-name', Values: [CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST] }] },
    physicalResourceId: cr.PhysicalResourceId.fromResponse('PrefixLists.0.PrefixListId'),
    outputPaths: ['PrefixLists.0.PrefixListId'],
  };
  const lookup = describeAtDeploy(scope, 'OriginFacingPrefixList', call, 'DescribeManagedPrefixLists');
  return lookup.getResponseField('PrefixLists.0.PrefixListId');
}

/** CloudFront's VPC-origin service security group in `vpc`, looked up once the distribution exists. */
function lookUpVpcOriginSecurityGroup(scope: Construct, vpc: ec2.IVpc, distribution: cloudfront.Distribution): ec2.ISecurityGroup {
  const call: cr.AwsSdkCall = {
    service: 'EC2',
    action: 'DescribeSecurityGroups',
    parameters: { Filters: [{ Name: 'vpc-id', Values: [vpc.vpcId] }, { Name: 'group-name', Values: [VPC_ORIGINS_SERVICE_SECURITY_GROUP] }] },
    physicalResourceId: cr.PhysicalResourceId.fromResponse('SecurityGroups.0.GroupId'),
    outputPaths: ['SecurityGroups.0.GroupId'],
  };
  const lookup = describeAtDeploy(scope, 'VpcOriginSecurityGroupLookup', call, 'DescribeSecurityGroups');
  lookup.node.addDependency(distribution);
  // CloudFront owns the group: reference it, never add rules to it.
  return ec2.SecurityGroup.fromSecurityGroupId(scope, 'VpcOriginSecurityGroup', lookup.getResponseField('SecurityGroups.0.GroupId'), { mutable: false });
}
