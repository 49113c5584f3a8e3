import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BucketEvents, BucketEventTarget, S3ThumbnailPipeline } from '../../lib';
import { ConstructInputs } from '../support/input-matrix';

/** A standard queue on a customer-managed key: a valid BucketEvents target. */
function targetQueue(scope: Construct): sqs.Queue {
  return new sqs.Queue(scope, 'Target', { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: new kms.Key(scope, 'TargetKey') });
}

/** The s3 constructs' validated props (see test/inputs/README.md). */
export const INPUTS: ConstructInputs[] = [
  {
    construct: 'BucketEvents',
    // `prefix`/`suffix` stand for the one route's filter (checked for '*' and for overlaps).
    build: (scope, id, { prefix, suffix, ...props }) => {
      new BucketEvents(scope, id, {
        ...props,
        routes: [{ events: [s3.EventType.OBJECT_CREATED], prefix, suffix, target: BucketEventTarget.toQueue(targetQueue(scope)) }],
      });
    },
    baseProps: () => ({ prefix: 'uploads/', suffix: '.jpg' }),
    tokenProps: {
      // The matrix's token durations count seconds; a token in days is accepted (test/inputs/s3.test.ts).
      noncurrentVersionExpiration: { kind: 'duration', valid: Duration.days(30), rejectsTokenWith: /noncurrentVersionExpiration.*a token must count days/ },
      prefix: { kind: 'string', valid: 'uploads/' },
      suffix: { kind: 'string', valid: '.jpg' },
    },
  },
  {
    construct: 'S3ThumbnailPipeline',
    // The matrix has no number-list kind: `widths` as a token stands for one width.
    build: (scope, id, { widths, ...props }) => {
      new S3ThumbnailPipeline(scope, id, { ...props, widths: widths === undefined || Array.isArray(widths) ? widths : [widths] });
    },
    baseProps: () => ({}),
    tokenProps: {
      sourcePrefix: { kind: 'string', valid: 'uploads/' },
      outputPrefix: { kind: 'string', valid: 'thumbnails/' },
      imageSuffixes: { kind: 'stringList', valid: ['.jpg'], rejectsTokenWith: /imageSuffixes.*must be known at synth time/ },
      widths: { kind: 'number', valid: 128, rejectsTokenWith: /widths.*must be known at synth time/ },
      maxInputPixels: { kind: 'number', valid: 50_000_000 },
      memorySize: { kind: 'number', valid: 1024 },
      timeout: { kind: 'duration', valid: Duration.seconds(60) },
      deadlineMargin: { kind: 'duration', valid: Duration.seconds(10), rejectsTokenWith: /deadlineMargin.*must be known at synth time/ },
      batchSize: { kind: 'number', valid: 5 },
      maxConcurrency: { kind: 'number', valid: 10 },
      maxReceiveCount: { kind: 'number', valid: 3 },
      failedImagesAlarmThreshold: { kind: 'number', valid: 5 },
    },
  },
];
