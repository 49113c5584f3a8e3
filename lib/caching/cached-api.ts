import { Duration, Names, RemovalPolicy, Tags, Tokenization, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CLOUDFRONT_COMMENT_LENGTH, CLOUDFRONT_POLICY_NAME_LENGTH, accountUniqueName } from '../private/account-unique-name';
import { FUNCTION_DESCRIPTION, SECURITY_GROUP_DESCRIPTION, TAG_VALUE, describePath, pathLabel } from '../private/labels';
import { acknowledgeDistributionFindings } from '../private/cloudfront-findings';
import { ConfigErrors, isConcrete } from '../private/config-errors';
import { API_CACHE_SIZES, FUNCTION_TIMEOUT, validateCachedApiProps } from './validate-cached-api-props';
import { AlarmSet } from '../private/alarm-set';
import { selectSubnetsOrReport } from '../private/subnet-azs';
import { acknowledgeNoFunctionDlq } from '../private/nag-acknowledgements';
import { createHandlerFunction } from '../private/node-function';

/** ElastiCache API CreateServerlessCache, Description: up to 255 characters. */
const SERVERLESS_CACHE_DESCRIPTION_LENGTH = 255;

/** Properties of a {@link CachedApi}. */
export interface CachedApiProps {
  /**
   * The VPC of the function and the cache. It needs a route to DynamoDB from `vpcSubnets`
   * (a DynamoDB gateway endpoint, free, or a NAT gateway).
   *
   * @default - a new VPC over 2 AZs with private isolated subnets only (no NAT gateway), a DynamoDB gateway endpoint and rejected-traffic flow logs
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of the function and the cache.
   *
   * @default - the VPC's private isolated subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The table behind the cache. Its partition key must be the string attribute `id`.
   *
   * @default - a new on-demand table with point-in-time recovery, removed according to `removalPolicy`
   */
  readonly table?: dynamodb.ITable;

  /**
   * What happens to the new table when the stack is deleted. Only for a new table.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Cache-aside TTL: how long the handler keeps an item in Valkey (whole seconds, at least 1).
   * Writes through this API delete the key at once; the TTL bounds staleness from other writers
   * and from a failed invalidation.
   *
   * @default Duration.minutes(5)
   */
  readonly cacheTtl?: Duration;

  /**
   * How long one cache call may take before the request is answered from DynamoDB instead. Must be
   * below the function timeout (10 s).
   *
   * @default Duration.millis(100)
   */
  readonly cacheTimeout?: Duration;

  /**
   * Upper limit of the serverless cache's data storage, in GB (1-5000). Caps the bill; ElastiCache
   * Serverless for Valkey bills at least 100 MB whatever the limit.
   *
   * @default 1
   */
  readonly cacheMaxDataStorageGb?: number;

  /**
   * Upper limit of the serverless cache's ElastiCache Processing Units per second (1000-15,000,000).
   *
   * @default 5000
   */
  readonly cacheMaxEcpuPerSecond?: number;

  /**
   * CloudFront TTL of responses on `cachedPathPatterns` (default and maximum TTL of the cache
   * policy; a shorter `Cache-Control: max-age` from the API wins). `Duration.seconds(0)` disables
   * edge caching.
   *
   * @default Duration.seconds(60)
   */
  readonly cdnCacheTtl?: Duration;

  /**
   * Path patterns whose GET/HEAD responses CloudFront caches. Every other path goes to the API
   * uncached. CloudFront allows GET, HEAD and OPTIONS on every path (all methods with
   * `writesThroughCloudFront`); it never caches POST/PUT/DELETE.
   *
   * @default ['/items/*']
   */
  readonly cachedPathPatterns?: string[];

  /**
   * Viewer headers that select a different cached response (added to the CloudFront cache key).
   * Query strings are always part of the key, and all viewer headers except `Host` are forwarded.
   *
   * @default - none
   */
  readonly cacheKeyHeaders?: string[];

  /**
   * Turns on the API Gateway stage cache (encrypted) for GET with this TTL (0-3600 s). The stage
   * cache bills by the hour even when idle (0.5 GB is about $0.02/hour), hence off by default.
   *
   * @default - no stage cache
   */
  readonly apiCacheTtl?: Duration;

  /**
   * Size of the stage cache in GB, one of {@link CachedApi.API_CACHE_SIZES}. Only with `apiCacheTtl`.
   *
   * @default '0.5'
   */
  readonly apiCacheSize?: string;

  /**
   * The longest a reader may see an old value: the TTLs that can stack up (CloudFront, API Gateway
   * stage cache, cache-aside) must not add up to more. Checked at synth time.
   *
   * @default Duration.minutes(10)
   */
  readonly maxStaleness?: Duration;

  /**
   * Execution and access logs of the API stage. API Gateway writes them through the account's
   * CloudWatch Logs role (one per account and Region): without it the deployment fails. Set
   * `cloudWatchRole: true`, or register the role once yourself.
   *
   * @default true
   */
  readonly apiLogging?: boolean;

  /**
   * Create the API Gateway CloudWatch Logs role and register it in the account settings. This is
   * account-wide: it replaces any role already registered in this account and Region, and stays
   * registered after this stack is deleted.
   *
   * @default false
   */
  readonly cloudWatchRole?: boolean;

  /**
   * Steady-state and burst request rate limits of the API stage (per second, across all callers).
   *
   * @default { rateLimit: 100, burstLimit: 200 }
   */
  readonly throttle?: apigateway.ThrottleSettings;

  /**
   * A CLOUDFRONT-scope WAF web ACL (its ARN, created in us-east-1) for the distribution.
   *
   * @default - no web ACL
   */
  readonly webAclId?: string;

  /**
   * The authorizer of the write methods (PUT, DELETE), e.g. an `apigateway.CognitoUserPoolsAuthorizer`
   * for end users with JWTs. Without it, writes use `AWS_IAM` authorization: callers sign with SigV4
   * on the API endpoint (not through CloudFront) and need `grantWrite`.
   *
   * @default - AWS_IAM authorization of writes
   */
  readonly writeAuthorizer?: apigateway.IAuthorizer;

  /**
   * Let CloudFront forward PUT and DELETE (all methods) too, so writers use the distribution's
   * domain. Needs `writeAuthorizer`: a SigV4 signature covers the `Host` header, which CloudFront
   * replaces with the API's host name, so IAM-signed writes only work on the API endpoint. The write
   * methods then require both the authorizer and the API key that CloudFront adds.
   *
   * @default false - CloudFront allows GET, HEAD and OPTIONS only
   */
  readonly writesThroughCloudFront?: boolean;

  /**
   * More ElastiCache users for the cache's user group, e.g. an operator with a read-only access
   * string. The group is a Valkey user group: each user must authenticate with a password or IAM
   * (`no-password-required` is refused), IAM users need `userName` equal to `userId`, and no user
   * may be named `default` (the group has its own, disabled).
   *
   * @default - only the function's user and the disabled default user
   */
  readonly cacheUsers?: elasticache.CfnUser[];

  /**
   * Custom domain names of the distribution. Needs `certificate`.
   *
   * @default - the distribution's cloudfront.net name only
   */
  readonly domainNames?: string[];

  /**
   * Certificate (in us-east-1) for `domainNames`; the distribution then requires TLS 1.2 or later.
   *
   * @default - the default cloudfront.net certificate
   */
  readonly certificate?: acm.ICertificate;

  /**
   * Actions of every alarm of the construct (API 5xx rate and p99 latency, function errors and
   * throttles, cache hit ratio, cache throttling and ECPU), e.g. an `SnsAction`.
   *
   * @default - no actions; add them with addAlarmActions()
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];

  /**
   * p99 latency of the API stage above which `apiLatencyAlarm` fires (3 five-minute periods in a row).
   *
   * @default Duration.seconds(2) - above a VPC cold start with a TLS + IAM connection to the cache, far below the 10 s function timeout
   */
  readonly apiLatencyAlarmThreshold?: Duration;

  /**
   * Cache hit ratio, in percent of the reads that asked the cache, below which `cacheHitRatioAlarm`
   * fires (3 five-minute periods in a row, each with at least 20 reads).
   *
   * @default 50
   */
  readonly cacheHitRatioAlarmThreshold?: number;
}

/** Reads per five minutes below which the hit ratio alarm does not judge (a few misses of a quiet API are no signal). */
const MIN_READS_FOR_HIT_RATIO = 20;

/**
 * A read-mostly REST API cached at three layers: CloudFront at the edge, an optional API Gateway
 * stage cache, and a cache-aside Valkey cache (ElastiCache Serverless, TLS, IAM authentication) in
 * front of DynamoDB, with the sum of their TTLs checked against `maxStaleness`.
 *
 * Reads are public through CloudFront, which adds the API key that the read method requires (so
 * direct calls to the execute-api URL get 403). Writes need an authenticated caller: IAM (SigV4, on
 * the API endpoint, `grantWrite`) by default, or `writeAuthorizer`.
 *
 * @example
 * const api = new CachedApi(this, 'Items', { cdnCacheTtl: Duration.seconds(30), cacheTtl: Duration.minutes(2) });
 * api.grantWrite(importerRole);
 */
export class CachedApi extends Construct {
  /** The stage cache sizes API Gateway offers, in GB: the values `apiCacheSize` takes. */
  public static readonly API_CACHE_SIZES: string[] = [...API_CACHE_SIZES];

  /** The VPC of the function and the cache. */
  public readonly vpc: ec2.IVpc;
  /** The table (partition key `id`). */
  public readonly table: dynamodb.ITable;
  /** The ElastiCache Serverless (Valkey) cache. */
  public readonly cache: elasticache.CfnServerlessCache;
  /** The ElastiCache user the function authenticates as, with IAM. */
  public readonly cacheUser: elasticache.CfnUser;
  /** Security group of the cache: ingress from the function only. */
  public readonly cacheSecurityGroup: ec2.SecurityGroup;
  /** Security group of the function. */
  public readonly functionSecurityGroup: ec2.SecurityGroup;
  /** The function behind the API. */
  public readonly handler: lambda.Function;
  /** The regional REST API. */
  public readonly api: apigateway.RestApi;
  /** The API key the read method (and, with `writesThroughCloudFront`, the write methods) requires; CloudFront sends it. */
  public readonly apiKey: apigateway.IApiKey;
  /** The read method, `GET /items/{id}`. */
  public readonly readMethod: apigateway.Method;
  /** The write methods, `PUT` and `DELETE /items/{id}`. */
  public readonly writeMethods: apigateway.Method[];
  /** Whether CloudFront forwards writes. */
  public readonly writesThroughCloudFront: boolean;
  /** The secret holding the password of the disabled `default` cache user (no one uses it). */
  public readonly cacheDefaultUserSecret: secretsmanager.Secret;
  /** The secret holding the API key's value. */
  public readonly originSecret: secretsmanager.Secret;
  /** The distribution in front of the API. */
  public readonly distribution: cloudfront.Distribution;
  /** Resolved cache-aside TTL. */
  public readonly cacheTtl: Duration;
  /** Resolved CloudFront TTL of cached paths. */
  public readonly cdnCacheTtl: Duration;
  /** Stage cache TTL; undefined when the stage cache is off. */
  public readonly apiCacheTtl?: Duration;
  /** Resolved staleness bound. */
  public readonly maxStaleness: Duration;

  /** Namespace of the handler's cache metrics (embedded metric format); their dimension is `service` = the function name. */
  public static readonly METRICS_NAMESPACE = 'CachedApi';

  /** API 5xx responses above 5% of requests in 2 of 3 five-minute periods. */
  public readonly apiServerErrorAlarm: cloudwatch.Alarm;
  /** API p99 latency above `apiLatencyAlarmThreshold` for 3 five-minute periods. */
  public readonly apiLatencyAlarm: cloudwatch.Alarm;
  /** Any function error in 5 minutes. */
  public readonly handlerErrorsAlarm: cloudwatch.Alarm;
  /** Any throttled invocation in 5 minutes. */
  public readonly handlerThrottlesAlarm: cloudwatch.Alarm;
  /** Cache hit ratio below `cacheHitRatioAlarmThreshold` for 3 five-minute periods. */
  public readonly cacheHitRatioAlarm: cloudwatch.Alarm;
  /** Throttled cache commands in 3 of 5 minutes. */
  public readonly cacheThrottledAlarm: cloudwatch.Alarm;
  /** ECPU/s above 80% of `cacheMaxEcpuPerSecond` for 5 minutes; undefined when that limit is a token. */
  public readonly cacheEcpuAlarm?: cloudwatch.Alarm;
  /** Resolved ECPU/s limit of the cache. */
  public readonly cacheMaxEcpuPerSecond: number;

  private readonly writeAuthorizer?: apigateway.IAuthorizer;
  private readonly alarmSet: AlarmSet;

  constructor(scope: Construct, id: string, props: CachedApiProps = {}) {
    super(scope, id);

    this.cacheTtl = props.cacheTtl ?? Duration.minutes(5);
    this.cdnCacheTtl = props.cdnCacheTtl ?? Duration.seconds(60);
    this.apiCacheTtl = props.apiCacheTtl;
    this.maxStaleness = props.maxStaleness ?? Duration.minutes(10);
    this.writesThroughCloudFront = props.writesThroughCloudFront ?? false;
    this.writeAuthorizer = props.writeAuthorizer;
    const cacheTimeout = props.cacheTimeout ?? Duration.millis(100);
    const cachedPathPatterns = props.cachedPathPatterns ?? ['/items/*'];
    this.cacheMaxEcpuPerSecond = props.cacheMaxEcpuPerSecond ?? 5000;
    this.alarmSet = new AlarmSet(props.alarmActions);
    validateCachedApiProps(this, props, {
      cacheTtl: this.cacheTtl, cdnCacheTtl: this.cdnCacheTtl, maxStaleness: this.maxStaleness, cacheTimeout, cachedPathPatterns,
      apiUserName: `${this.cacheBaseName()}-api`,
    });

    this.vpc = props.vpc ?? this.createVpc();
    const subnetErrors = new ConfigErrors('CachedApi', this.node.path);
    const subnets = selectSubnetsOrReport(this.vpc, props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, subnetErrors, 'vpcSubnets');
    subnetErrors.throwIfAny();

    this.table = props.table ?? new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    // Cache: reachable only from the function's security group, TLS always (serverless), IAM auth.
    this.functionSecurityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: pathLabel(this, '', SECURITY_GROUP_DESCRIPTION, 'Function of '),
      // The subnets decide where it can go (by default only the DynamoDB endpoint and the cache).
      allowAllOutbound: true,
    });
    this.cacheSecurityGroup = new ec2.SecurityGroup(this, 'CacheSecurityGroup', {
      vpc: this.vpc,
      description: pathLabel(this, ': from its function only', SECURITY_GROUP_DESCRIPTION, 'Valkey cache of '),
      allowAllOutbound: false,
    });
    this.cacheSecurityGroup.addIngressRule(this.functionSecurityGroup, ec2.Port.tcpRange(6379, 6380),
      'Valkey (6379 primary, 6380 reader endpoint) from the API function');

    const baseName = this.cacheBaseName();
    const userId = `${baseName}-api`;
    this.cacheUser = new elasticache.CfnUser(this, 'CacheUser', {
      engine: 'valkey',
      userId,
      userName: userId, // IAM authentication requires user name = user id
      authenticationMode: { Type: 'iam' },
      accessString: 'on ~item:* -@all +get +set +del +ping +@connection',
    });
    // The group replaces the built-in "default" user (no password, full access) with a disabled one.
    // A Valkey user group accepts only password or IAM users, so it has a password no one reads.
    this.cacheDefaultUserSecret = new secretsmanager.Secret(this, 'CacheDefaultUserSecret', {
      description: describePath('Password of the disabled default cache user of ', this, 2048),
      // ElastiCache passwords: 16-128 printable characters, none of , " / @ or space
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.cacheDefaultUserSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The password of a disabled cache user (access string "off"): it cannot authenticate with it, and nothing reads it. It exists because a Valkey user group accepts only password or IAM users.',
    });
    const disabledDefault = new elasticache.CfnUser(this, 'CacheDefaultUser', {
      engine: 'valkey',
      userId: `${baseName}-default`,
      userName: 'default',
      authenticationMode: { Type: 'password', Passwords: [this.cacheDefaultUserSecret.secretValue.unsafeUnwrap()] },
      accessString: 'off -@all',
    });
    const userGroup = new elasticache.CfnUserGroup(this, 'CacheUserGroup', {
      engine: 'valkey',
      userGroupId: `${baseName}-users`,
      // Ref is the user id; it orders creation too
      userIds: [this.cacheUser.ref, disabledDefault.ref, ...(props.cacheUsers ?? []).map((u) => u.ref)],
    });
    this.cache = new elasticache.CfnServerlessCache(this, 'Cache', {
      engine: 'valkey',
      majorEngineVersion: '8',
      serverlessCacheName: baseName,
      description: describePath('Cache-aside cache of ', this, SERVERLESS_CACHE_DESCRIPTION_LENGTH),
      securityGroupIds: [this.cacheSecurityGroup.securityGroupId],
      subnetIds: subnets!.subnetIds,
      userGroupId: userGroup.ref,
      cacheUsageLimits: {
        dataStorage: { maximum: props.cacheMaxDataStorageGb ?? 1, unit: 'GB' },
        ecpuPerSecond: { maximum: this.cacheMaxEcpuPerSecond },
      },
    });

    this.handler = this.createFunction(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, cacheTimeout, baseName, userId);

    const { api, apiKey, secret, readMethod, writeMethods } = this.createApi(props);
    this.api = api;
    this.apiKey = apiKey;
    this.originSecret = secret;
    this.readMethod = readMethod;
    this.writeMethods = writeMethods;
    this.distribution = this.createDistribution(props, cachedPathPatterns);

    const latencyThreshold = props.apiLatencyAlarmThreshold ?? Duration.seconds(2);
    this.apiServerErrorAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'ApiServerErrorAlarm', {
      metric: this.metricApiServerErrorRate(),
      // 5% of requests: a failing dependency, not one unlucky request; 2 of 3 periods rides out a blip
      threshold: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, // no requests, no errors
      alarmDescription: `API of ${this.node.path} answers 5xx to more than 5% of requests: look at the function's errors and logs (a DynamoDB failure answers 502) and the stage's execution logs.`,
    }));
    this.apiLatencyAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'ApiLatencyAlarm', {
      metric: this.metricApiLatencyP99(),
      threshold: latencyThreshold.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // 15 minutes: one period of cold starts is not a trend
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `API of ${this.node.path}: p99 latency above ${latencyThreshold.toHumanString()} for 15 minutes. Look at the function's duration, cache errors (CacheError, timeouts of each cache call) and DynamoDB latency.`,
    }));
    this.handlerErrorsAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'HandlerErrorsAlarm', {
      metric: this.metricHandlerErrors(),
      // The function throws only when DynamoDB fails or on a bug (cache failures degrade): any error is a 502 to a reader
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `Function of ${this.node.path} failed (each failure is a 502 to a caller): read its log group for the error; cache failures never fail a request, so look at DynamoDB.`,
    }));
    this.handlerThrottlesAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'HandlerThrottlesAlarm', {
      metric: this.metricHandlerThrottles(),
      // Any throttle: the account's concurrency is exhausted and callers get errors
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `Function of ${this.node.path} was throttled: the account's Lambda concurrency in this Region is used up. Look at ConcurrentExecutions of the account and raise the quota or reserve concurrency.`,
    }));
    const hitRatioThreshold = props.cacheHitRatioAlarmThreshold ?? 50;
    this.cacheHitRatioAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'CacheHitRatioAlarm', {
      metric: this.metricCacheHitRatio(),
      threshold: hitRatioThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      // 15 minutes, each period with at least 20 reads (the expression reports 100 below that)
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `Cache of ${this.node.path} answers fewer than ${hitRatioThreshold}% of reads: look at CacheError (the cache failing or timing out: its throttling, connections, IAM auth) and CacheMiss (keys too diverse for cacheTtl, or evictions).`,
    }));
    this.cacheThrottledAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'CacheThrottledAlarm', {
      metric: this.metricCacheThrottledCommands(),
      // Any throttled command in 3 of 5 minutes: scaling blips pass, a cache held at its ECPU limit does not
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `Serverless cache of ${this.node.path} throttles commands (reads then fall back to DynamoDB): compare ElastiCacheProcessingUnits with cacheMaxEcpuPerSecond and raise the limit, or find the client causing the load.`,
    }));
    if (isConcrete(this.cacheMaxEcpuPerSecond)) {
      const ecpuThreshold = Math.floor(this.cacheMaxEcpuPerSecond * 0.8);
      this.cacheEcpuAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'CacheEcpuAlarm', {
        metric: this.metricCacheEcpuPerSecond(),
        // 80% of the limit for 5 minutes: throttling is near, and the bill at its cap
        threshold: ecpuThreshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `Serverless cache of ${this.node.path} uses more than 80% of its ${this.cacheMaxEcpuPerSecond} ECPU/s limit for 5 minutes: throttling follows at the limit. Raise cacheMaxEcpuPerSecond or find the client causing the load.`,
      }));
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

  /** Share of API requests answered with 5xx, in percent (5 minutes). */
  public metricApiServerErrorRate(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      // 5XXError's Average is the error rate as a fraction of requests
      expression: '100 * errors',
      usingMetrics: { errors: this.api.deploymentStage.metricServerError({ statistic: cloudwatch.Stats.AVERAGE, period: Duration.minutes(5) }) },
      label: 'API 5xx (% of requests)',
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** p99 latency of the API stage, in milliseconds (5 minutes). */
  public metricApiLatencyP99(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.deploymentStage.metricLatency({ statistic: cloudwatch.Stats.p(99), period: Duration.minutes(5), label: 'API latency p99', ...props });
  }

  /** Requests to the API stage (sum over 5 minutes). */
  public metricApiRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.deploymentStage.metricCount({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5), label: 'API requests', ...props });
  }

  /** Function errors (sum over 5 minutes). */
  public metricHandlerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handler.metricErrors({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5), ...props });
  }

  /** Throttled function invocations (sum over 5 minutes). */
  public metricHandlerThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handler.metricThrottles({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5), ...props });
  }

  /**
   * Reads with the given cache result, from the handler's embedded metric format output
   * (`CacheHit`, `CacheMiss`, `CacheError` or `CacheBypass`; sum over 5 minutes).
   */
  public metricCacheResult(result: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const names: Record<string, string> = { hit: 'CacheHit', miss: 'CacheMiss', error: 'CacheError', bypass: 'CacheBypass' };
    const metricName = names[result];
    if (!metricName) {
      throw new Error(`CachedApi at '${this.node.path}': metricCacheResult result '${result}' is not a cache result; use one of ${Object.keys(names).join(', ')}.`);
    }
    return new cloudwatch.Metric({
      namespace: CachedApi.METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service: this.handler.functionName },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
      unit: cloudwatch.Unit.COUNT,
      ...props,
    });
  }

  /**
   * Cache hit ratio in percent: hits / (hits + misses + errors), 5 minutes. A period with fewer than
   * 20 such reads reports 100, so a quiet API does not look like a cold cache.
   */
  public metricCacheHitRatio(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: `IF((FILL(hit, 0) + FILL(miss, 0) + FILL(error, 0)) >= ${MIN_READS_FOR_HIT_RATIO}, 100 * FILL(hit, 0) / (FILL(hit, 0) + FILL(miss, 0) + FILL(error, 0)), 100)`,
      usingMetrics: { hit: this.metricCacheResult('hit'), miss: this.metricCacheResult('miss'), error: this.metricCacheResult('error') },
      label: 'Cache hit ratio (%)',
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** A metric of the serverless cache (namespace `AWS/ElastiCache`, dimension `clusterId` = the cache name). */
  public metricCache(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/ElastiCache',
      metricName,
      // Serverless caches publish under clusterId (the cache's name, its Ref), not CacheClusterId
      dimensionsMap: { clusterId: this.cache.ref },
      ...props,
    });
  }

  /** Commands the serverless cache throttled (sum per minute). */
  public metricCacheThrottledCommands(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricCache('ThrottledCmds', { statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1), ...props });
  }

  /** ElastiCache Processing Units the cache consumed per second, averaged over each minute. */
  public metricCacheEcpuPerSecond(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'ecpu / PERIOD(ecpu)',
      usingMetrics: { ecpu: this.metricCache('ElastiCacheProcessingUnits', { statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1) }) },
      label: 'ECPU per second',
      period: Duration.minutes(1),
      ...props,
    });
  }

  /**
   * A metric of the distribution, read from us-east-1 where CloudFront publishes (dimensions
   * `DistributionId` and `Region: Global`). For dashboards; an alarm on it must live in us-east-1.
   */
  public metricDistribution(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/CloudFront',
      metricName,
      dimensionsMap: { DistributionId: this.distribution.distributionId, Region: 'Global' },
      region: 'us-east-1',
      ...props,
    });
  }

  /** Stable (from the construct path) and lower case, as ElastiCache ids require. */
  private cacheBaseName(): string {
    return Names.uniqueResourceName(this, { maxLength: 30, separator: '-' }).toLowerCase().replace(/[^a-z0-9-]/g, '');
  }

  private createVpc(): ec2.Vpc {
    const vpc = new ec2.Vpc(this, 'Vpc', {
      // Name tags (of the VPC and its subnets) are construct paths: fitted into EC2's 256 characters
      vpcName: pathLabel(this, '/Vpc', TAG_VALUE),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      gatewayEndpoints: { DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB } },
    });
    for (const subnet of [...vpc.isolatedSubnets, ...vpc.privateSubnets, ...vpc.publicSubnets]) {
      Tags.of(subnet).add('Name', pathLabel(subnet, '', TAG_VALUE), { priority: 101 });
    }
    const flowLog = vpc.addFlowLog('FlowLog', {
      trafficType: ec2.FlowLogTrafficType.REJECT,
      destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(this, 'FlowLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      })),
    });
    // the flow log (and its role) tag themselves with their path
    Tags.of(flowLog).add('Name', pathLabel(flowLog, '', TAG_VALUE), { priority: 101 });
    return vpc;
  }

  private createFunction(vpcSubnets: ec2.SubnetSelection, cacheTimeout: Duration, cacheName: string, userId: string): lambda.Function {
    const fn = createHandlerFunction(this, 'Handler', {
      handlerName: 'cached-api',
      description: pathLabel(this, '', FUNCTION_DESCRIPTION, 'Cache-aside API of '),
      timeout: FUNCTION_TIMEOUT,
      vpc: this.vpc,
      vpcSubnets,
      securityGroups: [this.functionSecurityGroup],
      environment: {
        TABLE_NAME: this.table.tableName,
        CACHE_HOST: this.cache.attrEndpointAddress,
        CACHE_PORT: this.cache.attrEndpointPort,
        CACHE_TLS: 'true',
        CACHE_NAME: cacheName,
        CACHE_IAM_USER: userId,
        CACHE_TTL_SECONDS: Tokenization.stringifyNumber(this.cacheTtl.toSeconds()),
        CACHE_TIMEOUT_MS: Tokenization.stringifyNumber(cacheTimeout.toMilliseconds()),
        POWERTOOLS_METRICS_NAMESPACE: CachedApi.METRICS_NAMESPACE,
      },
    });
    acknowledgeNoFunctionDlq(fn, 'invoked synchronously by API Gateway, which returns the error to the caller');
    this.table.grant(fn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem');
    // A table with a customer-managed key: reads decrypt, writes encrypt (the key actions aws-cdk-lib's grantReadWriteData gives)
    this.table.encryptionKey?.grant(fn, 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*');
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['elasticache:Connect'],
      resources: [this.cache.attrArn, this.cacheUser.attrArn],
    }));
    return fn;
  }

  /**
   * Lets `grantee` call the write methods (`execute-api:Invoke` on PUT and DELETE `/items/*` of the
   * stage), signing with SigV4 on the API endpoint (`api.url`). Same account only: another account
   * also needs a resource policy on the API. Only for IAM-authorized writes (no `writeAuthorizer`).
   */
  public grantWrite(grantee: iam.IGrantable): iam.Grant {
    if (this.writeAuthorizer) {
      throw new Error(`CachedApi at '${this.node.path}': grantWrite grants execute-api:Invoke, which only AWS_IAM-authorized writes check, but writeAuthorizer is set. Fix: let writers in through that authorizer, or remove writeAuthorizer.`);
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: this.writeMethods.map((m) => m.methodArn),
    });
  }

  private createApi(props: CachedApiProps): {
    api: apigateway.RestApi; apiKey: apigateway.IApiKey; secret: secretsmanager.Secret;
    readMethod: apigateway.Method; writeMethods: apigateway.Method[];
  } {
    const logging = props.apiLogging ?? true;
    const stageCache = this.apiCacheTtl !== undefined;
    const api = new apigateway.RestApi(this, 'Api', {
      // API Gateway's metrics are keyed by name: one of its own per construct, not 'Api' for all
      restApiName: Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      description: describePath('Cache-aside API (reads through CloudFront, writes authorized) of ', this, 1024),
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: props.cloudWatchRole ?? false,
      apiKeySourceType: apigateway.ApiKeySourceType.HEADER,
      defaultMethodOptions: { apiKeyRequired: true },
      deployOptions: {
        stageName: 'api',
        tracingEnabled: true,
        throttlingRateLimit: props.throttle?.rateLimit ?? 100,
        throttlingBurstLimit: props.throttle?.burstLimit ?? 200,
        loggingLevel: logging ? apigateway.MethodLoggingLevel.INFO : apigateway.MethodLoggingLevel.OFF,
        accessLogDestination: logging ? new apigateway.LogGroupLogDestination(new logs.LogGroup(this, 'ApiAccessLogs', {
          retention: logs.RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.RETAIN,
        })) : undefined,
        accessLogFormat: logging ? apigateway.AccessLogFormat.jsonWithStandardFields() : undefined,
        cacheClusterEnabled: stageCache ? true : undefined,
        cacheClusterSize: stageCache ? props.apiCacheSize ?? '0.5' : undefined,
        // GET only: the stage cache must never answer a PUT or DELETE.
        methodOptions: stageCache ? {
          '/*/GET': { cachingEnabled: true, cacheTtl: this.apiCacheTtl, cacheDataEncrypted: true },
        } : undefined,
      },
    });
    const validator = api.addRequestValidator('PathValidator', { validateRequestParameters: true, validateRequestBody: true });
    const integration = new apigateway.LambdaIntegration(this.handler, {
      cacheKeyParameters: stageCache ? ['method.request.path.id'] : undefined,
    });
    const item = api.root.addResource('items').addResource('{id}');
    const methodOptions: apigateway.MethodOptions = { requestValidator: validator, requestParameters: { 'method.request.path.id': true } };
    // Reads: the API key only, which CloudFront adds (a public read API).
    const readMethod = item.addMethod('GET', integration, { ...methodOptions, apiKeyRequired: true });
    // Writes: an authenticated caller; the API key too when they come through CloudFront.
    const writeOptions: apigateway.MethodOptions = props.writeAuthorizer
      ? { ...methodOptions, authorizer: props.writeAuthorizer, apiKeyRequired: this.writesThroughCloudFront }
      : { ...methodOptions, authorizationType: apigateway.AuthorizationType.IAM, apiKeyRequired: false };
    const writeMethods = ['PUT', 'DELETE'].map((method) => item.addMethod(method, integration, writeOptions));

    // The API key's value is generated into Secrets Manager and passed to API Gateway and to
    // CloudFront by dynamic reference, so it never appears in the template.
    const secret = new secretsmanager.Secret(this, 'OriginSecret', {
      description: `API key CloudFront sends to the API of ${this.node.path}`,
      generateSecretString: { passwordLength: 40, excludePunctuation: true },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The value is the API key CloudFront sends as an origin header; API Gateway and CloudFront read it only at deployment, so a rotation Lambda would leave both on the old value. Rotate by changing the secret and redeploying (documented).',
    });
    const apiKey = api.addApiKey('ApiKey', { value: secret.secretValue.unsafeUnwrap(), description: 'Sent by CloudFront only (an origin header, not a user credential)' });
    api.addUsagePlan('UsagePlan', { apiStages: [{ api, stage: api.deploymentStage }] }).addApiKey(apiKey);

    Validations.of(api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'The read method is public by design (an API key that only CloudFront sends keeps direct callers out); the write methods are authorized with AWS_IAM (SigV4) or the writeAuthorizer the user chose, which may be a Cognito user pool.',
    });
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The read method (GET /items/{id}) is a public read API behind CloudFront, which adds the API key it requires; the write methods are authorized (AWS_IAM or writeAuthorizer).',
    });
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: 'Callers reach the stage only through CloudFront (API key as origin header); a web ACL belongs on the distribution (webAclId), where it sees viewer IPs.',
    });
    if (props.cloudWatchRole) {
      Validations.of(api).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'The account\'s API Gateway logging role (opted into with cloudWatchRole) needs exactly this AWS-maintained policy; API Gateway writes the logs of every API in the account through it, so it cannot be scoped to one log group.',
      });
    }
    if (!logging) {
      for (const rule of ['AwsSolutions-APIG1', 'AwsSolutions-APIG6']) {
        Validations.of(api).acknowledge({ id: rule, reason: 'apiLogging: false was chosen explicitly (no API Gateway CloudWatch Logs role in this account).' });
      }
    }
    return { api, apiKey, secret, readMethod, writeMethods };
  }

  private createDistribution(props: CachedApiProps, cachedPathPatterns: string[]): cloudfront.Distribution {
    const origin = new origins.RestApiOrigin(this.api, {
      customHeaders: { 'x-api-key': this.originSecret.secretValue.unsafeUnwrap() },
    });
    const ttl = this.cdnCacheTtl;
    const cachePolicy = ttl.toSeconds() === 0 ? cloudfront.CachePolicy.CACHING_DISABLED : new cloudfront.CachePolicy(this, 'CachePolicy', {
      // cache policy names are unique per account: stack name and Region in it
      cachePolicyName: accountUniqueName(this, 'CachePolicy', CLOUDFRONT_POLICY_NAME_LENGTH),
      comment: describePath('Cacheable routes of ', this, CLOUDFRONT_COMMENT_LENGTH),
      defaultTtl: ttl,
      maxTtl: ttl,
      minTtl: Duration.seconds(0),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      headerBehavior: props.cacheKeyHeaders?.length
        ? cloudfront.CacheHeaderBehavior.allowList(...props.cacheKeyHeaders) : cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const behavior = (policy: cloudfront.ICachePolicy): cloudfront.BehaviorOptions => ({
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      // Read-only unless writes are meant to come through CloudFront (they then need writeAuthorizer).
      allowedMethods: this.writesThroughCloudFront ? cloudfront.AllowedMethods.ALLOW_ALL : cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      cachePolicy: policy,
      // Every viewer header but Host (API Gateway routes on its own host name) and every query string.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    });
    const distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: describePath('Cached API ', this, CLOUDFRONT_COMMENT_LENGTH),
      defaultBehavior: behavior(cloudfront.CachePolicy.CACHING_DISABLED),
      additionalBehaviors: Object.fromEntries(cachedPathPatterns.map((p) => [p, behavior(cachePolicy)])),
      webAclId: props.webAclId,
      domainNames: props.domainNames,
      certificate: props.certificate,
      minimumProtocolVersion: props.certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    });
    acknowledgeDistributionFindings(distribution, props);
    return distribution;
  }
}
