import { NumericRange } from '../private/ranges';

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
