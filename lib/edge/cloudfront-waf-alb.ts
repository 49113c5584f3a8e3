import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as elbv2Targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ConfigErrors } from '../private/config-errors';
import { EDGE_VPC_CIDR, createEdgeAlb, createEdgeLogsBucket, createEdgeVpc, createWebInstance, privateSubnetsOf } from '../private/edge-resources';
import { CLOUDFRONT_WEB_ACL_REGION, EdgeWebAcl, IEdgeWebAcl } from './edge-web-acl';
import { IpBlocklist, WebAclScope } from './ip-blocklist';

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
   * Who may reach the internal ALB's listener inside the VPC. CloudFront connects from the VPC
   * origin's network interfaces in the ALB's subnets.
   *
   * @default - the VPC's CIDR range
   */
  readonly originPeer?: ec2.IPeer;

  /**
   * The VPC: the internal ALB and the instance go into its private or isolated subnets. It must
   * have an internet gateway (CloudFront VPC origins require one, although the ALB stays private).
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
   * @default - latest Amazon Linux 2023 for arm64
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
}

/**
 * Pattern 5 of blocking an IP address: client -> CloudFront (geo restriction) -> WAF (IP block
 * set, rate limit, managed rules; CLOUDFRONT scope, in us-east-1) -> CloudFront VPC origin ->
 * internal ALB in private subnets -> instance accepting the ALB's security group only.
 *
 * The ALB is reachable only through CloudFront because it is internal: it has no public address,
 * and CloudFront reaches it through a VPC origin. (The alternative, a public ALB whose security
 * group allows CloudFront's origin-facing prefix list and whose listener checks a secret header,
 * needs the region's prefix-list ID, a lookup, and a secret to rotate.) WAF at CloudFront sees the
 * viewer address; the ALB and the instance see only CloudFront's VPC-origin addresses.
 *
 * @example
 * new CloudFrontWafAlb(this, 'Site', { webAcl: usEast1WebAcl, geoRestriction: { deny: ['KP'] } });
 */
export class CloudFrontWafAlb extends Construct {
  /** The distribution. */
  public readonly distribution: cloudfront.Distribution;
  /** The web ACL attached to the distribution. */
  public readonly webAcl: IEdgeWebAcl;
  /** The VPC. */
  public readonly vpc: ec2.IVpc;
  /** The internal load balancer behind CloudFront. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** Its HTTP listener (CloudFront to the VPC origin over the AWS network). */
  public readonly listener: elbv2.ApplicationListener;
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

  constructor(scope: Construct, id: string, props: CloudFrontWafAlbProps = {}) {
    super(scope, id);
    const region = Stack.of(this).region;
    const errors = new ConfigErrors('CloudFrontWafAlb', this.node.path);
    if (props.webAcl?.webAclScope === WebAclScope.REGIONAL) {
      errors.add('webAcl', props.webAcl.webAclArn, 'is a REGIONAL web ACL; a distribution only takes a CLOUDFRONT-scope web ACL (created in us-east-1)',
        'create an EdgeWebAcl with scope: WebAclScope.CLOUDFRONT in a us-east-1 stack and pass it');
    }
    if (props.webAcl && props.blocklist) {
      errors.add('blocklist', props.blocklist.name, 'only applies to a web ACL created here, but webAcl was given', 'pass the blocklist to that EdgeWebAcl');
    }
    if (!props.webAcl && region !== CLOUDFRONT_WEB_ACL_REGION) {
      errors.add('webAcl', undefined,
        `a distribution's web ACL must be CLOUDFRONT-scope and live in us-east-1, but this stack is in ${Token.isUnresolved(region) ? 'an unspecified region' : region}`,
        'create an EdgeWebAcl with scope: WebAclScope.CLOUDFRONT in a us-east-1 stack (crossRegionReferences: true on both stacks) and pass it as webAcl');
    }
    const geo = props.geoRestriction;
    if (geo) {
      if ((geo.allow === undefined) === (geo.deny === undefined)) {
        errors.add('geoRestriction', JSON.stringify(geo), 'CloudFront takes either an allow-list or a deny-list of countries', 'set exactly one of allow and deny');
      }
      const codes = geo.allow ?? geo.deny ?? [];
      if ((geo.allow ?? geo.deny) && codes.length === 0) {
        errors.add('geoRestriction', '[]', 'an empty country list', 'list at least one country, or remove geoRestriction');
      }
      for (const code of codes.filter((c) => !/^[A-Z]{2}$/.test(c))) {
        errors.add('geoRestriction', code, 'is not an ISO 3166-1 alpha-2 country code', `use two upper-case letters, e.g. '${code.toUpperCase().slice(0, 2)}'`);
      }
    }
    if (props.certificate && !props.domainNames?.length) {
      errors.add('domainNames', undefined, 'a certificate is only used for alternate domain names', 'set domainNames');
    }
    if (props.domainNames?.length && !props.certificate) {
      errors.add('certificate', undefined, 'alternate domain names need a certificate covering them', 'pass a us-east-1 certificate');
    }
    const certArn = props.certificate?.certificateArn;
    if (certArn && !Token.isUnresolved(certArn) && certArn.split(':')[3] !== CLOUDFRONT_WEB_ACL_REGION) {
      errors.add('certificate', certArn, 'CloudFront only uses ACM certificates from us-east-1', 'request or import the certificate in us-east-1');
    }
    errors.throwIfAny();

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.webAcl = props.webAcl ?? new EdgeWebAcl(this, 'WebAcl', { scope: WebAclScope.CLOUDFRONT, blocklist: props.blocklist });
    this.logsBucket = props.logsBucket ?? createEdgeLogsBucket(this, 'Logs', { removalPolicy });
    this.distributionLogsBucket = props.distributionLogsBucket
      ?? createEdgeLogsBucket(this, 'DistributionLogs', { removalPolicy, acls: true });
    this.vpc = props.vpc ?? createEdgeVpc(this, 'Vpc', this.logsBucket);
    const privateSubnets = privateSubnetsOf(this.vpc);

    this.loadBalancer = createEdgeAlb(this, 'LoadBalancer', {
      vpc: this.vpc, internetFacing: false, subnets: privateSubnets, logsBucket: this.logsBucket, logsPrefix: 'alb',
    });
    this.listener = this.loadBalancer.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open: false });
    this.loadBalancer.connections.allowFrom(props.originPeer ?? ec2.Peer.ipv4(props.vpc ? props.vpc.vpcCidrBlock : EDGE_VPC_CIDR), ec2.Port.tcp(80),
      'CloudFront VPC origin (inside the VPC) on 80');

    this.instanceSecurityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc: this.vpc,
      description: `${this.node.path}: port 80 from the load balancer only`,
      allowAllOutbound: false,
    });
    this.instance = createWebInstance(this, 'Instance', {
      vpc: this.vpc,
      subnets: privateSubnets,
      securityGroup: this.instanceSecurityGroup,
      instanceType: props.instanceType,
      machineImage: props.machineImage,
      userData: props.userData,
      port: 80,
      page: 'Behind CloudFront and WAF: blocked at the edge',
    });
    // InstanceTarget does not wire security groups: allow the ALB to the instance port, and nothing else in.
    this.loadBalancer.connections.allowTo(this.instance, ec2.Port.tcp(80), `Load balancer to the instance on ${80}`);
    this.targetGroup = this.listener.addTargets('Instance', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [new elbv2Targets.InstanceTarget(this.instance, 80)],
      healthCheck: { path: '/' },
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${this.node.path}: WAF + geo restriction in front of an internal ALB`.slice(0, 128),
      defaultBehavior: {
        origin: origins.VpcOrigin.withApplicationLoadBalancer(this.loadBalancer, {
          protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
          httpPort: 80,
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
      },
      webAclId: this.webAcl.webAclArn,
      geoRestriction: geo?.allow ? cloudfront.GeoRestriction.allowlist(...geo.allow)
        : geo?.deny ? cloudfront.GeoRestriction.denylist(...geo.deny) : undefined,
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
  }
}
