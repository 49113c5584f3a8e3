import { Aws, CfnCondition, Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  CLOUDFRONT_COMMENT_LENGTH, CLOUDFRONT_POLICY_NAME_LENGTH, ORIGIN_ACCESS_CONTROL_NAME_LENGTH, accountUniqueName,
} from '../private/account-unique-name';
import { acknowledgeDistributionFindings } from '../private/cloudfront-findings';
import { AlarmSet } from '../private/alarm-set';
import { describePath } from '../private/labels';
import { createAccessLogsBucket, createSecureBucket } from '../private/secure-bucket';
import { CLOUDFRONT_METRICS_REGION, MAX_TTL, validateStaticSiteProps } from './validate-static-site-props';

/** Properties of a {@link StaticSite}. */
export interface StaticSiteProps {
  /**
   * The bucket holding the site. CloudFront reads it through Origin Access Control; for an
   * imported bucket add the bucket policy statement yourself (aws-cdk-lib can only edit the policy of
   * a bucket defined in the app).
   *
   * @default - a new private bucket (all public access blocked, TLS only, SSE-S3, versioned, access logs)
   */
  readonly bucket?: s3.IBucket;

  /**
   * What happens to the new buckets when the stack is deleted. Only for a new bucket.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The object served for `/`.
   *
   * @default 'index.html'
   */
  readonly defaultRootObject?: string;

  /**
   * Single-page application: answer 403 and 404 from S3 with the root object and status 200, so
   * client-side routes (`/orders/42`) load the app.
   *
   * @default false
   */
  readonly spa?: boolean;

  /**
   * Path patterns of content-hashed files (`app.3f9a1c.js`), which never change under one name and
   * are cached for `assetTtl`.
   *
   * @default ['/assets/*']
   */
  readonly assetPathPatterns?: string[];

  /**
   * CloudFront TTL of `assetPathPatterns` (at most 365 days).
   *
   * @default Duration.days(365)
   */
  readonly assetTtl?: Duration;

  /**
   * CloudFront TTL of everything else, `index.html` included: how long a deploy takes to reach
   * viewers without an invalidation (at most 365 days).
   *
   * @default Duration.minutes(1)
   */
  readonly htmlTtl?: Duration;

  /**
   * Response headers policy.
   *
   * @default - HSTS (2 years, subdomains), nosniff, frame-options DENY, strict-origin-when-cross-origin referrer policy and `contentSecurityPolicy`
   */
  readonly responseHeadersPolicy?: cloudfront.IResponseHeadersPolicy;

  /**
   * Content-Security-Policy of the default response headers policy. Ignored with `responseHeadersPolicy`.
   *
   * @default "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
   */
  readonly contentSecurityPolicy?: string;

  /**
   * A CLOUDFRONT-scope WAF web ACL (its ARN, created in us-east-1).
   *
   * @default - no web ACL
   */
  readonly webAclId?: string;

  /**
   * Custom domain names. Needs `certificate`.
   *
   * @default - the cloudfront.net name only
   */
  readonly domainNames?: string[];

  /**
   * Certificate (in us-east-1) for `domainNames`; the distribution then requires TLS 1.2 or later.
   *
   * @default - the default cloudfront.net certificate
   */
  readonly certificate?: acm.ICertificate;

  /**
   * Create the distribution's 5xx error rate alarm. CloudFront publishes its metrics in us-east-1
   * only, and an alarm sees only its own Region's metrics, so the alarm exists only in us-east-1: in
   * an environment-agnostic stack under a CloudFormation condition on `AWS::Region`
   * (`serverErrorRateAlarmCondition`), in a stack with a concrete other Region not at all (`true`
   * there is a synth-time error).
   *
   * @default - true when the stack's Region is us-east-1 or unknown until deployment, false otherwise
   */
  readonly distributionAlarms?: boolean;

  /**
   * Actions of every alarm of the construct, e.g. an `SnsAction`.
   *
   * @default - no actions; add them with addAlarmActions()
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}

/**
 * A static site: a private S3 bucket read by CloudFront through Origin Access Control, security
 * headers on every response, a long TTL for content-hashed assets and a short one for HTML, and
 * optionally SPA-friendly error responses.
 *
 * @example
 * const site = new StaticSite(this, 'Site', { spa: true });
 */
export class StaticSite extends Construct {
  /** The bucket holding the site. */
  public readonly bucket: s3.IBucket;
  /** The server access logs bucket; undefined when a bucket was given. */
  public readonly accessLogsBucket?: s3.IBucket;
  /** The distribution. */
  public readonly distribution: cloudfront.Distribution;
  /** The response headers policy on every behavior. */
  public readonly responseHeadersPolicy: cloudfront.IResponseHeadersPolicy;
  /** Resolved TTL of hashed assets. */
  public readonly assetTtl: Duration;
  /** Resolved TTL of HTML and everything else. */
  public readonly htmlTtl: Duration;
  /** 5xx responses above 5% of requests in 2 of 3 five-minute periods; undefined without `distributionAlarms`. */
  public readonly serverErrorRateAlarm?: cloudwatch.Alarm;
  /**
   * The condition (`AWS::Region` is us-east-1) the alarm is created under in an environment-agnostic
   * stack; undefined otherwise. A resource referencing the alarm (e.g. a dashboard's alarm widget) needs it too.
   */
  public readonly serverErrorRateAlarmCondition?: CfnCondition;

  private readonly alarmSet: AlarmSet;

  constructor(scope: Construct, id: string, props: StaticSiteProps = {}) {
    super(scope, id);
    this.assetTtl = props.assetTtl ?? MAX_TTL;
    this.htmlTtl = props.htmlTtl ?? Duration.minutes(1);
    const rootObject = props.defaultRootObject ?? 'index.html';
    const assetPathPatterns = props.assetPathPatterns ?? ['/assets/*'];
    validateStaticSiteProps(this, props, { assetTtl: this.assetTtl, htmlTtl: this.htmlTtl, rootObject, assetPathPatterns });

    if (props.bucket) {
      this.bucket = props.bucket;
    } else {
      const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
      this.accessLogsBucket = createAccessLogsBucket(this, 'AccessLogsBucket', removalPolicy);
      this.bucket = createSecureBucket(this, 'Bucket', {
        removalPolicy,
        serverAccessLogsBucket: this.accessLogsBucket,
        serverAccessLogsPrefix: 'site/',
      });
    }

    // CloudFront policy and origin access control names are unique per account, not per Region:
    // each carries the stack name and the Region.
    this.responseHeadersPolicy = props.responseHeadersPolicy ?? new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      responseHeadersPolicyName: accountUniqueName(this, 'SecurityHeaders', CLOUDFRONT_POLICY_NAME_LENGTH),
      comment: describePath('Security headers of ', this, CLOUDFRONT_COMMENT_LENGTH),
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        contentSecurityPolicy: {
          contentSecurityPolicy: props.contentSecurityPolicy ?? "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
          override: true,
        },
      },
    });

    const originAccessControl = new cloudfront.S3OriginAccessControl(this, 'OriginAccessControl', {
      originAccessControlName: accountUniqueName(this, 'OriginAccessControl', ORIGIN_ACCESS_CONTROL_NAME_LENGTH),
      description: describePath('Reads the site bucket for ', this, CLOUDFRONT_COMMENT_LENGTH),
    });
    const origin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket, { originAccessControl });
    const policy = (id: string, ttl: Duration) => new cloudfront.CachePolicy(this, id, {
      cachePolicyName: accountUniqueName(this, id, CLOUDFRONT_POLICY_NAME_LENGTH),
      comment: describePath(`${id} of `, this, CLOUDFRONT_COMMENT_LENGTH),
      defaultTtl: ttl,
      maxTtl: ttl,
      minTtl: Duration.seconds(0),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const behavior = (cachePolicy: cloudfront.ICachePolicy): cloudfront.BehaviorOptions => ({
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy,
      responseHeadersPolicy: this.responseHeadersPolicy,
      compress: true,
    });
    const assetPolicy = policy('AssetCachePolicy', this.assetTtl);
    const errorTtl = this.htmlTtl;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: describePath('Static site ', this, CLOUDFRONT_COMMENT_LENGTH),
      defaultRootObject: rootObject,
      defaultBehavior: behavior(policy('HtmlCachePolicy', this.htmlTtl)),
      additionalBehaviors: Object.fromEntries(assetPathPatterns.map((p) => [p, behavior(assetPolicy)])),
      // S3 answers 403 for a missing key when the reader may not list the bucket (OAC may not).
      errorResponses: props.spa ? [403, 404].map((httpStatus) => ({
        httpStatus, responseHttpStatus: 200, responsePagePath: `/${rootObject}`, ttl: errorTtl,
      })) : undefined,
      webAclId: props.webAclId,
      domainNames: props.domainNames,
      certificate: props.certificate,
      minimumProtocolVersion: props.certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    });
    acknowledgeDistributionFindings(this.distribution, props);

    this.alarmSet = new AlarmSet(props.alarmActions);
    const region = Stack.of(this).region;
    const regionUnknown = Token.isUnresolved(region);
    if (props.distributionAlarms ?? (regionUnknown || region === CLOUDFRONT_METRICS_REGION)) {
      this.serverErrorRateAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'ServerErrorRateAlarm', {
        // No metric Region: the alarm's own, which is us-east-1 (or it is not created)
        metric: this.metric5xxErrorRate({ region: undefined }),
        // 5% of viewer requests: S3 or CloudFront failing, not a single bad request; 2 of 3 periods rides out a blip
        threshold: 5,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, // no requests, no errors
        alarmDescription: `Distribution of ${this.node.path} answers 5xx to more than 5% of viewers: look at the distribution's error status in the CloudFront console and the bucket's access (Origin Access Control, bucket policy, the object's encryption).`,
      }));
      if (regionUnknown) {
        this.serverErrorRateAlarmCondition = new CfnCondition(this, 'InCloudFrontMetricsRegion', {
          expression: Fn.conditionEquals(Aws.REGION, CLOUDFRONT_METRICS_REGION),
        });
        (this.serverErrorRateAlarm.node.defaultChild as cloudwatch.CfnAlarm).cfnOptions.condition = this.serverErrorRateAlarmCondition;
      }
    }
  }

  /** Every alarm of the construct. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.alarmSet.alarms;
  }

  /** Adds actions to every alarm of the construct, present and future. */
  public addAlarmActions(...actions: cloudwatch.IAlarmAction[]): void {
    this.alarmSet.addActions(...actions);
  }

  /**
   * A metric of the distribution (namespace `AWS/CloudFront`, dimensions `DistributionId` and
   * `Region: Global`), read from us-east-1, where CloudFront publishes it; dashboards in any Region show it.
   */
  public metricDistribution(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/CloudFront',
      metricName,
      dimensionsMap: { DistributionId: this.distribution.distributionId, Region: 'Global' },
      region: CLOUDFRONT_METRICS_REGION,
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** Share of viewer requests answered with 5xx, in percent (average over 5 minutes). */
  public metric5xxErrorRate(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricDistribution('5xxErrorRate', { statistic: cloudwatch.Stats.AVERAGE, label: '5xx (% of requests)', ...props });
  }

  /** Share of viewer requests answered with 4xx, in percent (average over 5 minutes). */
  public metric4xxErrorRate(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricDistribution('4xxErrorRate', { statistic: cloudwatch.Stats.AVERAGE, label: '4xx (% of requests)', ...props });
  }

  /** Viewer requests (sum over 5 minutes). */
  public metricRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricDistribution('Requests', { statistic: cloudwatch.Stats.SUM, label: 'Requests', ...props });
  }

  /** Bytes downloaded by viewers (sum over 5 minutes): the transfer CloudFront bills. */
  public metricBytesDownloaded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricDistribution('BytesDownloaded', { statistic: cloudwatch.Stats.SUM, label: 'Bytes downloaded', ...props });
  }
}
