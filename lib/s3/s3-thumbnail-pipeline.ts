import { Duration, RemovalPolicy, Stack, Token, Tokenization, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QueueWorker } from '../messaging/queue-worker';
import { AlarmSet } from '../private/alarm-set';
import { ConfigErrors } from '../private/config-errors';
import { acknowledgeNoFunctionDlq, flattenCfnReference } from '../private/nag-acknowledgements';
import { createHandlerFunction } from '../private/node-function';
import { describePath, FUNCTION_DESCRIPTION } from '../private/labels';
import { LAMBDA_TIMEOUT } from '../private/ranges';
import { createAccessLogsBucket, createSecureBucket } from '../private/secure-bucket';
import { BucketEvents, BucketEventTarget } from './bucket-events';
import { validateS3ThumbnailPipelineProps } from './validate-s3-thumbnail-pipeline-props';

/** Output formats of the thumbnail function. */
export enum ThumbnailFormat {
  JPEG = 'jpeg',
  WEBP = 'webp',
  /** Smallest files, but encoding is several times slower than WebP. */
  AVIF = 'avif',
}

/**
 * The ERROR log lines of the thumbnail function that each mean one failed attempt at a notification
 * (`Record rejected`: not an S3 notification; `Object rejected`: an image that could not be thumbnailed).
 */
const FAILURE_LOG_MESSAGES = ['Record rejected', 'Object rejected'];

/** AWS's rule for SQS-triggered functions: visibility timeout >= 6 x function timeout. */
const VISIBILITY_TIMEOUT_FACTOR = 6;

/** Namespace of the metric the pipeline derives from the function's log lines. */
const METRIC_NAMESPACE = 'CdkReferenceArchitectures/S3ThumbnailPipeline';

/** Properties of {@link S3ThumbnailPipeline}. */
export interface S3ThumbnailPipelineProps {
  /**
   * The bucket images are uploaded to.
   *
   * @default - a new private, TLS-only, encrypted, versioned bucket with access logs, retained
   */
  readonly sourceBucket?: s3.IBucket;

  /**
   * Only keys under this prefix are processed.
   *
   * @default '' (every key with an image suffix)
   */
  readonly sourcePrefix?: string;

  /**
   * Key suffixes that trigger the pipeline. S3 suffix filters are literal and case-sensitive, so
   * upper-case variants are listed separately.
   *
   * @default ['.jpg', '.jpeg', '.png', '.webp', '.JPG', '.JPEG', '.PNG', '.WEBP']
   */
  readonly imageSuffixes?: string[];

  /**
   * Where thumbnails are written.
   *
   * @default - a new private bucket (unversioned: thumbnails can be regenerated), retained
   */
  readonly outputBucket?: s3.IBucket;

  /**
   * Write thumbnails into the source bucket, under `outputPrefix`, instead of a separate bucket.
   *
   * @default false
   */
  readonly outputInSourceBucket?: boolean;

  /**
   * Key prefix of the thumbnails: `<outputPrefix><source key without extension>-<width>w.<ext>`.
   *
   * @default 'thumbnails/'
   */
  readonly outputPrefix?: string;

  /**
   * Thumbnail widths in pixels (1-10,000). Aspect ratio is kept; images are never upscaled.
   *
   * @default [128, 512]
   */
  readonly widths?: number[];

  /**
   * Output formats; every width is written in every format.
   *
   * @default [ThumbnailFormat.JPEG, ThumbnailFormat.WEBP]
   */
  readonly formats?: ThumbnailFormat[];

  /**
   * Images with more pixels than this are refused (decompression-bomb guard).
   *
   * @default 50,000,000
   */
  readonly maxInputPixels?: number;

  /**
   * Memory of the function. A 24-megapixel JPEG peaks well below 350 MB (docs/benchmarks.md);
   * 1024 MB leaves headroom and, as Lambda CPU scales with memory, speeds up encoding.
   *
   * @default 1024
   */
  readonly memorySize?: number;

  /**
   * Function timeout, 1 second to 15 minutes; the queue's visibility timeout is six times this. A
   * token is accepted: the visibility timeout is then 90 minutes (6 x Lambda's maximum), as
   * CloudFormation cannot multiply.
   *
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;

  /**
   * A record is started only while more than this is left of the function timeout; the records of
   * the batch not started by then are returned to the queue for a retry, instead of a timeout failing
   * the whole batch. Size it to one record's worst case: at the default 1024 MB, a 50-megapixel
   * progressive JPEG takes 3-5 s to decode and render and a 100 MiB download 1-2 s. Raise it with
   * less memory, as CPU (and so decoding) scales with memory.
   *
   * @default Duration.seconds(10)
   */
  readonly deadlineMargin?: Duration;

  /**
   * Architecture of the function; sharp's native binary is installed for it.
   *
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * Upload notifications per invocation.
   *
   * @default 5
   */
  readonly batchSize?: number;

  /**
   * Maximum concurrent invocations: caps cost and load during an upload burst (the queue absorbs it).
   *
   * @default 10
   */
  readonly maxConcurrency?: number;

  /**
   * Attempts per image before its notification moves to the dead-letter queue.
   *
   * @default 3
   */
  readonly maxReceiveCount?: number;

  /**
   * The failed-images alarm fires when at least this many attempts fail within 5 minutes.
   *
   * @default 5
   */
  readonly failedImagesAlarmThreshold?: number;

  /**
   * Actions of every alarm of this construct (e.g. an `SnsAction` to your on-call topic).
   *
   * @default - no actions; add them with addAlarmActions()
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];

  /**
   * What happens to the new buckets, queues and key when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Thumbnails for uploaded images: upload bucket -> S3 notification (image suffixes) -> SQS queue
 * with a dead-letter queue -> sharp-based Lambda -> output bucket (or an output prefix in the
 * same bucket). The queue absorbs bursts and gives retries; an image that keeps failing ends in
 * the dead-letter queue, never lost.
 *
 * @example
 * new S3ThumbnailPipeline(this, 'Thumbnails', { widths: [200, 800], formats: [ThumbnailFormat.WEBP] });
 */
export class S3ThumbnailPipeline extends Construct {
  /** The bucket images are uploaded to. */
  public readonly sourceBucket: s3.IBucket;
  /** The bucket thumbnails are written to (the source bucket with `outputInSourceBucket`). */
  public readonly outputBucket: s3.IBucket;
  /** Key prefix of the thumbnails. */
  public readonly outputPrefix: string;
  /** The routing of upload events to the queue. */
  public readonly sourceEvents: BucketEvents;
  /** Queue, dead-letter queue, event source mapping and alarms. */
  public readonly worker: QueueWorker;
  /** The thumbnail function. */
  public readonly handler: lambda.Function;
  /** The queue of upload notifications. */
  public readonly queue: sqs.IQueue;
  /** Notifications of images that failed every attempt. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** Counts the function's failed attempts (its `Object rejected` and `Record rejected` ERROR log lines). */
  public readonly failedImagesMetricFilter: logs.MetricFilter;
  /** Alarm on a burst of failed attempts, also while the dead-letter queue alarm is already firing. */
  public readonly failedImagesAlarm: cloudwatch.Alarm;

  private readonly alarmSet: AlarmSet;

  constructor(scope: Construct, id: string, props: S3ThumbnailPipelineProps = {}) {
    super(scope, id);

    const widths = props.widths ?? [128, 512];
    const formats = props.formats ?? [ThumbnailFormat.JPEG, ThumbnailFormat.WEBP];
    const suffixes = props.imageSuffixes ?? ['.jpg', '.jpeg', '.png', '.webp', '.JPG', '.JPEG', '.PNG', '.WEBP'];
    const sourcePrefix = props.sourcePrefix ?? '';
    const outputPrefix = props.outputPrefix ?? 'thumbnails/';
    const sameBucket = props.outputInSourceBucket === true || (props.outputBucket !== undefined && props.outputBucket === props.sourceBucket);
    const errors = new ConfigErrors('S3ThumbnailPipeline', this.node.path);
    validateS3ThumbnailPipelineProps(errors, props, { widths, formats, suffixes, sourcePrefix, outputPrefix, sameBucket });
    errors.throwIfAny();

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.outputPrefix = outputPrefix;
    this.sourceEvents = new BucketEvents(this, 'Source', props.sourceBucket ? { bucket: props.sourceBucket } : { removalPolicy });
    this.sourceBucket = this.sourceEvents.bucket;
    if (sameBucket) {
      this.outputBucket = this.sourceBucket;
    } else if (props.outputBucket) {
      this.outputBucket = props.outputBucket;
    } else {
      this.outputBucket = createSecureBucket(this, 'OutputBucket', {
        removalPolicy,
        versioned: false,
        serverAccessLogsBucket: this.sourceEvents.accessLogsBucket ?? createAccessLogsBucket(this, 'AccessLogs', removalPolicy),
        serverAccessLogsPrefix: 'thumbnails-bucket/',
      });
    }

    const timeout = props.timeout ?? Duration.seconds(60);
    const deadlineMargin = props.deadlineMargin ?? Duration.seconds(10);
    this.handler = createHandlerFunction(this, 'Handler', {
      handlerName: 'thumbnail',
      description: describePath('Writes thumbnails of images uploaded to ', this, FUNCTION_DESCRIPTION.maxLength),
      memorySize: props.memorySize ?? 1024,
      timeout,
      architecture: props.architecture,
      nodeModules: ['sharp'],
      environment: {
        OUTPUT_BUCKET: this.outputBucket.bucketName,
        OUTPUT_PREFIX: outputPrefix,
        THUMBNAIL_WIDTHS: widths.join(','),
        THUMBNAIL_FORMATS: formats.join(','),
        MAX_INPUT_PIXELS: Tokenization.stringifyNumber(props.maxInputPixels ?? 50_000_000),
        DEADLINE_MARGIN_MS: String(deadlineMargin.toMilliseconds()),
      },
    });
    // Least privilege: read objects under the source prefix, write objects under the output prefix.
    this.handler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [this.sourceBucket.arnForObjects(`${sourcePrefix}*`)],
    }));
    // Without ListBucket, S3 answers a GET of a since-deleted upload with AccessDenied instead of
    // NoSuchKey, and the handler would retry it into the dead-letter queue instead of skipping it.
    this.handler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [this.sourceBucket.bucketArn],
    }));
    this.handler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['s3:PutObject'],
      resources: [this.outputBucket.arnForObjects(`${outputPrefix}*`)],
    }));
    const role = this.handler.role;
    if (role) {
      // The finding IDs hold the ARNs as rendered in the template, known only once tokens (a bucket's
      // logical ID, a CfnParameter prefix, a cross-stack reference) are resolved: they are acknowledged
      // in the validation phase, after cross-stack references are in place and before cdk-nag runs.
      const objectArns: Array<[string, string, string]> = [
        [this.sourceBucket.arnForObjects(`${sourcePrefix}*`), sourcePrefix, 'read uploads'],
        [this.outputBucket.arnForObjects(`${outputPrefix}*`), outputPrefix, 'write thumbnails'],
      ];
      this.node.addValidation({
        validate: () => {
          for (const [arn, prefix, action] of objectArns) {
            const shown = Token.isUnresolved(prefix) ? 'given' : `'${prefix}'`;
            Validations.of(role).acknowledge({
              id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(role).resolve(arn))}]`,
              reason: `The function must ${action} under any key of the ${shown} prefix, which are only known at run time; `
                + 'the wildcard covers object keys of one named bucket, with one action.',
            });
          }
          return [];
        },
      });
    }
    acknowledgeNoFunctionDlq(this.handler, 'invoked synchronously by the SQS event source mapping: failed notifications return to the queue and reach its dead-letter queue');

    this.worker = new QueueWorker(this, 'Worker', {
      handler: this.handler,
      // A token timeout cannot be multiplied at synth (CloudFormation has no arithmetic), so the
      // queue gets 6 x Lambda's longest timeout, which is enough for any timeout the token takes.
      visibilityTimeout: timeout.isUnresolved() ? Duration.seconds(VISIBILITY_TIMEOUT_FACTOR * LAMBDA_TIMEOUT.max) : undefined,
      batchSize: props.batchSize ?? 5,
      maxConcurrency: props.maxConcurrency ?? 10,
      maxReceiveCount: props.maxReceiveCount ?? 3,
      removalPolicy,
      alarmActions: props.alarmActions,
    });
    this.alarmSet = new AlarmSet(props.alarmActions);
    this.queue = this.worker.queue;
    this.deadLetterQueue = this.worker.deadLetterQueue!;

    // The function sends a notification that no retry can fix (not an image, over a limit) to the
    // dead-letter queue itself, at once, instead of failing it maxReceiveCount times.
    this.handler.addEnvironment('DEAD_LETTER_QUEUE_URL', this.deadLetterQueue.queueUrl);
    this.handler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['sqs:SendMessage'],
      resources: [this.deadLetterQueue.queueArn],
    }));
    // SQS encrypts the message with a data key of the queue's key, and decrypts it to check it.
    this.handler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [this.worker.encryptionKey!.keyArn],
    }));

    // Failed records are reported in the partial batch response, not as function errors, so they are
    // counted from the function's log lines, per function (the FunctionName dimension).
    this.failedImagesMetricFilter = new logs.MetricFilter(this, 'FailedImagesMetricFilter', {
      logGroup: this.handler.logGroup,
      filterPattern: logs.FilterPattern.all(
        logs.FilterPattern.stringValue('$.level', '=', 'ERROR'),
        logs.FilterPattern.any(...FAILURE_LOG_MESSAGES.map((m) => logs.FilterPattern.stringValue('$.message', '=', m))),
      ),
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'FailedImages',
      metricValue: '1',
      dimensions: { FunctionName: '$.function_name' },
      unit: cloudwatch.Unit.COUNT,
    });
    // Sum >= threshold (default 5) in 5 minutes: a burst (broken permissions, a bad deploy, a bucket of
    // corrupt uploads), not one bad file, which the dead-letter queue alarm already reports. Unlike that
    // alarm, it fires again for a new burst while old failures still wait in the dead-letter queue.
    // Missing data is not breaching: the metric exists only for minutes with failures.
    this.failedImagesAlarm = this.alarmSet.add(new cloudwatch.Alarm(this, 'FailedImagesAlarm', {
      alarmDescription: `S3ThumbnailPipeline ${this.node.path}: thumbnail attempts are failing. Read the function's 'Object rejected' and 'Record rejected' log lines (field reason) and the dead-letter queue ${this.deadLetterQueue.queueName}.`,
      metric: this.metricFailedImages({ period: Duration.minutes(5) }),
      threshold: props.failedImagesAlarmThreshold ?? 5,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));

    for (const suffix of suffixes) {
      this.sourceEvents.addRoute({
        events: [s3.EventType.OBJECT_CREATED],
        prefix: sourcePrefix,
        suffix,
        target: BucketEventTarget.toQueue(this.queue),
      });
    }
  }

  /** Alarm on any notification in the dead-letter queue (an image that failed every attempt). */
  public get deadLetterQueueAlarm(): cloudwatch.Alarm {
    return this.worker.deadLetterQueueAlarm!;
  }

  /** Alarm on the age of the oldest waiting notification. */
  public get oldestMessageAgeAlarm(): cloudwatch.Alarm {
    return this.worker.oldestMessageAgeAlarm;
  }

  /** Alarm on invocation errors of the thumbnail function (timeouts, crashes, out of memory). */
  public get handlerErrorsAlarm(): cloudwatch.Alarm {
    return this.worker.handlerErrorsAlarm!;
  }

  /** Alarm on throttles of the thumbnail function. */
  public get handlerThrottlesAlarm(): cloudwatch.Alarm {
    return this.worker.handlerThrottlesAlarm!;
  }

  /** Every alarm of this construct: the worker's (dead-letter queue, oldest message, errors, throttles) and failed images. */
  public get alarms(): cloudwatch.IAlarm[] {
    return [...this.worker.alarms, ...this.alarmSet.alarms];
  }

  /** Adds actions to every alarm of this construct. */
  public addAlarmActions(...actions: cloudwatch.IAlarmAction[]): void {
    this.worker.addAlarmActions(...actions);
    this.alarmSet.addActions(...actions);
  }

  /** Failed attempts at a notification (an image or a record the function could not process); Sum by default. */
  public metricFailedImages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: 'FailedImages',
      dimensionsMap: { FunctionName: this.handler.functionName },
      statistic: 'Sum',
      ...props,
    });
  }

  /** Upload notifications S3 sent to the queue: the work coming in. */
  public metricUploadsReceived(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.worker.metricNumberOfMessagesSent(props);
  }

  /** Notifications done with (thumbnails written, skipped or dead-lettered by the function). */
  public metricUploadsProcessed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.worker.metricNumberOfMessagesDeleted(props);
  }

  /** Notifications in the dead-letter queue. */
  public metricDeadLetterQueueDepth(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.worker.metricDeadLetterQueueDepth(props);
  }

  /** Age of the oldest waiting notification. */
  public metricApproximateAgeOfOldestMessage(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.worker.metricApproximateAgeOfOldestMessage(props);
  }

  /** Invocation errors of the thumbnail function. */
  public metricHandlerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.worker.metricHandlerErrors(props);
  }

  /** Throttles of the thumbnail function. */
  public metricHandlerThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.worker.metricHandlerThrottles(props);
  }

  /** Duration of the thumbnail function's invocations (one per batch). */
  public metricHandlerDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.worker.metricHandlerDuration(props);
  }

  /** Concurrent executions of the thumbnail function (capped by maxConcurrency): the cost driver. */
  public metricHandlerConcurrentExecutions(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handler.metric('ConcurrentExecutions', { statistic: 'Maximum', ...props });
  }
}
