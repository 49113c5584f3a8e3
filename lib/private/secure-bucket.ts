import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ConfigErrors } from './config-errors';
import { knownSeconds } from './ranges';

/** Options shared by the buckets this library creates. */
export interface SecureBucketOptions {
  readonly removalPolicy: RemovalPolicy;
  /** @default true */
  readonly versioned?: boolean;
  /** Bucket receiving server access logs. */
  readonly serverAccessLogsBucket: s3.IBucket;
  readonly serverAccessLogsPrefix: string;
  /** Expire noncurrent versions after this long (versioned buckets). @default Duration.days(30) */
  readonly noncurrentVersionExpiration?: Duration;
}

/**
 * A private bucket: all public access blocked, TLS-only policy, SSE-S3 encryption, ACLs disabled,
 * versioned, noncurrent versions expiring (versioning without expiry makes every overwrite cost
 * storage forever), incomplete multipart uploads aborted, server access logs on, retained by default.
 */
export function createSecureBucket(scope: Construct, id: string, options: SecureBucketOptions): s3.Bucket {
  const versioned = options.versioned ?? true;
  return new s3.Bucket(scope, id, {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    encryption: s3.BucketEncryption.S3_MANAGED,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned,
    removalPolicy: options.removalPolicy,
    serverAccessLogsBucket: options.serverAccessLogsBucket,
    serverAccessLogsPrefix: options.serverAccessLogsPrefix,
    lifecycleRules: [{
      id: 'AbortIncompleteUploadsAndExpireOldVersions',
      abortIncompleteMultipartUploadAfter: Duration.days(7),
      noncurrentVersionExpiration: versioned ? options.noncurrentVersionExpiration ?? Duration.days(30) : undefined,
    }],
  });
}

/**
 * The bucket receiving server access logs of the buckets above. It does not log itself (that
 * would log its own log writes); cdk-nag's AwsSolutions-S1 accepts a bucket that is the access-log
 * destination of another bucket in the stack, so nothing needs acknowledging.
 *
 * Object ownership is left to aws-cdk-lib: with the `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy`
 * feature flag (recommended) log delivery is granted by bucket policy and ACLs stay disabled;
 * without it aws-cdk-lib needs the log-delivery ACL, and forcing "bucket owner enforced" here would
 * break synth in apps that lack the flag.
 */
export function createAccessLogsBucket(scope: Construct, id: string, removalPolicy: RemovalPolicy): s3.Bucket {
  return new s3.Bucket(scope, id, {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    encryption: s3.BucketEncryption.S3_MANAGED,
    removalPolicy,
    lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(90) }],
  });
}

/**
 * S3 lifecycle `NoncurrentDays`: a whole number of days, at least 1 (S3 API LifecycleRule,
 * NoncurrentVersionExpiration). A token is not checked, but must count days: aws-cdk-lib cannot
 * convert a token of another unit into days.
 */
export function checkNoncurrentVersionExpiration(errors: ConfigErrors, prop: string, expiration: Duration | undefined): void {
  if (expiration?.isUnresolved() && expiration.unitLabel() !== 'days') {
    errors.add(prop, `(token in ${expiration.unitLabel()})`, 'a token must count days: S3 takes NoncurrentDays, and a token cannot be converted',
      'use Duration.days(token)');
    return;
  }
  const seconds = knownSeconds(expiration);
  if (seconds === undefined) {
    return;
  }
  const days = seconds / 86_400;
  if (!Number.isInteger(days) || days < 1) {
    errors.add(prop, expiration!.toHumanString(),
      'S3 expires noncurrent versions after a whole number of days, at least 1 (NoncurrentDays of the lifecycle rule)',
      'use e.g. Duration.days(1) or Duration.days(30)');
  }
}
