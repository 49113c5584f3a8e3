import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import { Construct } from 'constructs';
import { ConfigErrors } from '../private/config-errors';
import { checkTokenUnit } from '../private/duration-units';
import { checkDuration, checkNumber, NumericRange } from '../private/ranges';
import { CachedApiProps } from './cached-api';

/*
 * Documented ranges of the numbers CachedApi passes to ElastiCache and API Gateway.
 */

/** ElastiCache Serverless `CacheUsageLimits.DataStorage.Maximum`: 1 to 5000 GB. */
export const CACHE_DATA_STORAGE_GB: NumericRange = { min: 1, max: 5000, unit: 'GB', source: 'ElastiCache API DataStorage, Maximum' };

/** ElastiCache Serverless `CacheUsageLimits.ECPUPerSecond.Maximum`: 1000 to 15,000,000. */
export const CACHE_ECPU_PER_SECOND: NumericRange = { min: 1000, max: 15_000_000, unit: 'ECPUs per second', source: 'ElastiCache API ECPUPerSecond, Maximum' };

/** API Gateway stage cache TTL (`CacheTtlInSeconds` of a method setting): 0 to 3600 seconds. */
export const API_CACHE_TTL: NumericRange = { min: 0, max: 3600, unit: 'seconds', source: 'API Gateway developer guide, "Enable API caching", TTL' };

/** A percentage of reads. */
export const PERCENT: NumericRange = { min: 0, max: 100, integer: false, unit: 'percent', source: 'a share of reads' };

/** Stage cache sizes API Gateway offers, in GB. */
export const API_CACHE_SIZES = ['0.5', '1.6', '6.1', '13.5', '28.4', '58.2', '118', '237'] as const;

/** The handler's function timeout; the cache timeout must stay well below it. */
export const FUNCTION_TIMEOUT = Duration.seconds(10);

/** API Gateway's integration timeout: the API answers within it, so a latency alarm above it never fires. */
const API_INTEGRATION_TIMEOUT_MS = 29_000;

/** The values of a {@link CachedApi} that the validation needs as the construct resolves them (defaults applied). */
export interface ResolvedCachedApiValues {
  readonly cacheTtl: Duration;
  readonly cdnCacheTtl: Duration;
  readonly maxStaleness: Duration;
  readonly cacheTimeout: Duration;
  readonly cachedPathPatterns: string[];
  /** Name of the function's cache user, which `cacheUsers` must not reuse. */
  readonly apiUserName: string;
}

/**
 * Throws one error listing every problem of a {@link CachedApi}'s props (tokens are skipped). `scope` is the
 * CachedApi: its path names it in the message, and its stack is where a write authorizer must live.
 */
export function validateCachedApiProps(scope: Construct, props: CachedApiProps, resolved: ResolvedCachedApiValues): void {
  const errors = new ConfigErrors('CachedApi', scope.node.path);
  const { cacheTtl, cdnCacheTtl, maxStaleness, cacheTimeout, cachedPathPatterns } = resolved;

  if (props.table && props.removalPolicy !== undefined) {
    errors.add('removalPolicy', props.removalPolicy, 'only applies to a new table, but an existing table was given',
      'set the removal policy on your table and remove removalPolicy');
  }
  if (props.vpcSubnets && !props.vpc) {
    errors.add('vpcSubnets', JSON.stringify(props.vpcSubnets), 'only applies to an existing vpc; the new VPC has private isolated subnets only',
      'pass vpc too, or remove vpcSubnets');
  }
  if (!cacheTtl.isUnresolved()) {
    const ms = cacheTtl.toMilliseconds();
    if (ms < 1000 || ms % 1000 !== 0) {
      errors.add('cacheTtl', cacheTtl, 'Valkey expiries are set in whole seconds, at least 1',
        'use a whole number of seconds, e.g. Duration.seconds(30)');
    }
  }
  if (!cacheTimeout.isUnresolved()) {
    const ms = cacheTimeout.toMilliseconds();
    if (ms < 1 || ms >= FUNCTION_TIMEOUT.toMilliseconds()) {
      errors.add('cacheTimeout', cacheTimeout,
        `must be from 1 ms to below the function timeout (${FUNCTION_TIMEOUT.toHumanString()}), or a slow cache fails requests instead of degrading to DynamoDB`,
        'use Duration.millis(50) to Duration.millis(500)');
    }
  }
  checkNumber(errors, 'cacheMaxDataStorageGb', props.cacheMaxDataStorageGb, CACHE_DATA_STORAGE_GB);
  checkNumber(errors, 'cacheMaxEcpuPerSecond', props.cacheMaxEcpuPerSecond, CACHE_ECPU_PER_SECOND);
  checkNumber(errors, 'cacheHitRatioAlarmThreshold', props.cacheHitRatioAlarmThreshold, PERCENT, 'use e.g. 50');
  // Values that become a number in another unit (milliseconds for the handler and the alarm, seconds elsewhere)
  checkTokenUnit(errors, 'cacheTtl', props.cacheTtl, 'seconds');
  checkTokenUnit(errors, 'cacheTimeout', props.cacheTimeout, 'millis');
  checkTokenUnit(errors, 'cdnCacheTtl', props.cdnCacheTtl, 'seconds');
  checkTokenUnit(errors, 'apiCacheTtl', props.apiCacheTtl, 'seconds');
  checkTokenUnit(errors, 'apiLatencyAlarmThreshold', props.apiLatencyAlarmThreshold, 'millis');
  if (Token.isUnresolved(cachedPathPatterns)) {
    errors.add('cachedPathPatterns', '(token)',
      'each pattern becomes its own CloudFront cache behavior, so the list must be known at synth (its elements may be tokens)',
      'pass an array, e.g. [parameter.valueAsString]');
  }
  const latency = props.apiLatencyAlarmThreshold;
  if (latency && !latency.isUnresolved() && (latency.toMilliseconds() <= 0 || latency.toMilliseconds() > API_INTEGRATION_TIMEOUT_MS)) {
    errors.add('apiLatencyAlarmThreshold', latency, 'API Gateway answers within its 29 s integration timeout, so a threshold must be above 0 and at most 29 s',
      'use e.g. Duration.seconds(2)');
  }
  const apiTtl = props.apiCacheTtl;
  checkDuration(errors, 'apiCacheTtl', apiTtl, API_CACHE_TTL, 'use Duration.seconds(3600) or less');
  if (props.apiCacheSize !== undefined && !apiTtl) {
    errors.add('apiCacheSize', props.apiCacheSize, 'only applies with a stage cache', 'set apiCacheTtl too, or remove apiCacheSize');
  }
  const cacheSize = props.apiCacheSize;
  if (cacheSize !== undefined && !Token.isUnresolved(cacheSize) && !(API_CACHE_SIZES as readonly string[]).includes(cacheSize)) {
    errors.add('apiCacheSize', props.apiCacheSize, `API Gateway offers ${API_CACHE_SIZES.join(', ')} GB`, "use one of them, e.g. '0.5'");
  }
  if (cachedPathPatterns.length === 0) {
    errors.add('cachedPathPatterns', '[]', 'at least one path must be cacheable, or the distribution caches nothing',
      'list the GET routes to cache, or set cdnCacheTtl: Duration.seconds(0) to keep one pattern uncached');
  }
  // a token list holds one encoded string, never '*' or blank: only the check above reports it
  for (const pattern of cachedPathPatterns) {
    if (pattern === '*' || pattern === '/*' || pattern.trim() === '') {
      errors.add('cachedPathPatterns', pattern, 'the default behavior (everything else) is the uncached route and cannot be listed',
        "name the cacheable routes, e.g. '/items/*'");
    }
  }
  if ((props.domainNames?.length ?? 0) > 0 !== (props.certificate !== undefined)) {
    errors.add(props.certificate ? 'certificate' : 'domainNames', props.certificate ? '(certificate)' : props.domainNames!.join(', '),
      'CloudFront needs a certificate exactly when custom domain names are set', 'set both domainNames and certificate, or neither');
  }
  const authorizer = props.writeAuthorizer;
  if (Construct.isConstruct(authorizer) && Stack.of(authorizer) !== Stack.of(scope)) {
    errors.add('writeAuthorizer', authorizer.node.path,
      `is defined in stack '${Stack.of(authorizer).node.path}', but API Gateway creates an authorizer as part of the API, which aws-cdk-lib does in the authorizer's stack, so each stack would depend on the other`,
      'create the authorizer (e.g. the CognitoUserPoolsAuthorizer) in the CachedApi\'s stack; its user pool may stay in the other stack');
  }
  if (props.writesThroughCloudFront && !props.writeAuthorizer) {
    errors.add('writesThroughCloudFront', true,
      'writes would be authorized with AWS_IAM, whose SigV4 signature covers the Host header that CloudFront replaces, so every signed write through CloudFront fails',
      'pass a writeAuthorizer (e.g. a CognitoUserPoolsAuthorizer), or remove writesThroughCloudFront and sign writes against the API endpoint');
  }
  if (props.cacheUsers) {
    validateCacheUsers(errors, props.cacheUsers, resolved.apiUserName);
  }
  checkStaleness(errors, [
    ['CloudFront', 'cdnCacheTtl', cdnCacheTtl],
    ['API Gateway stage cache', 'apiCacheTtl', apiTtl],
    ['cache-aside (Valkey)', 'cacheTtl', cacheTtl],
  ], maxStaleness);
  errors.throwIfAny();
}

/** Records a problem when the TTLs of the cache layers (all concrete) add up to more than `maxStaleness`. */
function checkStaleness(errors: ConfigErrors, layers: Array<[string, string, Duration | undefined]>, maxStaleness: Duration): void {
  // toMilliseconds: toSeconds() throws on fractions, which the cacheTtl check reports on its own
  const seconds = (d: Duration | undefined) => (d === undefined ? 0 : d.toMilliseconds() / 1000);
  const concrete = [...layers.map(([, , d]) => d), maxStaleness].every((d) => d === undefined || !d.isUnresolved());
  if (!concrete) {
    return;
  }
  const total = layers.reduce((sum, [, , d]) => sum + seconds(d), 0);
  if (total > seconds(maxStaleness)) {
    const shares = layers.map(([layer, prop, d]) => `${layer} ${prop} ${seconds(d)} s`).join(' + ');
    errors.add('maxStaleness', maxStaleness,
      `the TTLs that can stack up add to ${total} s (${shares}), more than maxStaleness ${seconds(maxStaleness)} s`,
      'lower one of those TTLs or raise maxStaleness');
  }
}

/**
 * What ElastiCache refuses in a Valkey user group, for users given in `cacheUsers` (values that are
 * tokens are skipped): users without authentication, IAM users whose name is not their id, a second
 * `default` user, and two users with one name.
 */
function validateCacheUsers(errors: ConfigErrors, users: elasticache.CfnUser[], apiUserName: string): void {
  const seen = new Set<string>([apiUserName]);
  for (const user of users) {
    const id = Token.isUnresolved(user.userId) ? user.node.path : user.userId;
    const mode = user.authenticationMode as { Type?: string } | undefined;
    const type = mode && !Token.isUnresolved(mode) && !Token.isUnresolved(mode.Type) ? mode.Type : undefined;
    if (type === 'no-password-required' || user.noPasswordRequired === true) {
      errors.add('cacheUsers', id, 'a Valkey user group accepts only users that authenticate with a password or IAM, and this user needs no password',
        "give it authenticationMode { Type: 'password', Passwords: [...] } or { Type: 'iam' }");
    }
    const name = user.userName;
    if (Token.isUnresolved(name)) continue;
    if (type === 'iam' && !Token.isUnresolved(user.userId) && name !== user.userId) {
      errors.add('cacheUsers', id, `IAM authentication requires userName equal to userId, but userName is '${name}'`, `set userName: '${user.userId}'`);
    }
    if (name === 'default') {
      errors.add('cacheUsers', id, "the user group already has its own disabled user named 'default', and user names must be unique in a group",
        'give the user another userName');
    } else if (seen.has(name)) {
      errors.add('cacheUsers', id, `another user of the group is named '${name}', and user names must be unique in a group`, 'give each user its own userName');
    }
    seen.add(name);
  }
}
