import { Duration } from 'aws-cdk-lib';
import * as lib from '../../lib';
import { ConstructInputs } from '../support/input-matrix';

/** The caching constructs' validated props (see test/inputs/README.md). */
export const INPUTS: ConstructInputs[] = [
  {
    construct: 'CachedApi',
    build: (scope, id, props) => new lib.CachedApi(scope, id, props),
    // A stage cache, so apiCacheTtl and apiCacheSize are in play.
    baseProps: () => ({ apiCacheTtl: Duration.seconds(60) }),
    tokenProps: {
      cacheTtl: { kind: 'duration', valid: Duration.minutes(5) },
      // the handler and the alarm take milliseconds: a token in seconds cannot be converted (Duration.millis(token) works)
      cacheTimeout: { kind: 'duration', valid: Duration.seconds(1), rejectsTokenWith: /cacheTimeout \(token\): is a token in seconds, but is used in millis/ },
      cacheMaxDataStorageGb: { kind: 'number', valid: 1 },
      cacheMaxEcpuPerSecond: { kind: 'number', valid: 5000 },
      cdnCacheTtl: { kind: 'duration', valid: Duration.seconds(60) },
      // one CloudFront cache behavior per pattern
      cachedPathPatterns: { kind: 'stringList', valid: ['/items/*'], rejectsTokenWith: /cachedPathPatterns '\(token\)': each pattern becomes its own CloudFront cache behavior/ },
      apiCacheTtl: { kind: 'duration', valid: Duration.seconds(60) },
      apiCacheSize: { kind: 'string', valid: '0.5' },
      maxStaleness: { kind: 'duration', valid: Duration.minutes(10) },
      apiLatencyAlarmThreshold: { kind: 'duration', valid: Duration.seconds(2), rejectsTokenWith: /apiLatencyAlarmThreshold \(token\): is a token in seconds, but is used in millis/ },
      cacheHitRatioAlarmThreshold: { kind: 'number', valid: 50 },
    },
  },
  {
    construct: 'StaticSite',
    build: (scope, id, props) => new lib.StaticSite(scope, id, props),
    baseProps: () => ({}),
    tokenProps: {
      defaultRootObject: { kind: 'string', valid: 'index.html' },
      // one CloudFront cache behavior per pattern
      assetPathPatterns: { kind: 'stringList', valid: ['/assets/*'], rejectsTokenWith: /assetPathPatterns '\(token\)': each pattern becomes its own CloudFront cache behavior/ },
      assetTtl: { kind: 'duration', valid: Duration.days(365) },
      htmlTtl: { kind: 'duration', valid: Duration.minutes(1) },
      contentSecurityPolicy: { kind: 'string', valid: "default-src 'self'" },
    },
  },
];
