import { Duration, Token } from 'aws-cdk-lib';
import { ConfigErrors, isConcrete } from '../private/config-errors';
import { checkDuration, checkNumber, LAMBDA_MEMORY, LAMBDA_TIMEOUT } from '../private/ranges';
import type { S3ThumbnailPipelineProps, ThumbnailFormat } from './s3-thumbnail-pipeline';

/** File extension the handler gives each format (lambda/thumbnail names its outputs so). */
const EXTENSIONS: Readonly<Record<string, string>> = { jpeg: '.jpg', webp: '.webp', avif: '.avif' };

/** The props of an `S3ThumbnailPipeline` with their defaults applied. */
export interface ResolvedThumbnailProps {
  readonly widths: readonly number[];
  readonly formats: readonly ThumbnailFormat[];
  readonly suffixes: readonly string[];
  readonly sourcePrefix: string;
  readonly outputPrefix: string;
  /** Thumbnails go to the source bucket. */
  readonly sameBucket: boolean;
}

/**
 * Every rule of `S3ThumbnailPipeline`'s props, reported to `errors`: widths, formats and suffixes the
 * handler can use, Lambda's ranges, a deadline margin below the timeout, and the recursion guard (no
 * thumbnail may be written where the upload notification matches).
 */
export function validateS3ThumbnailPipelineProps(errors: ConfigErrors, props: S3ThumbnailPipelineProps, resolved: ResolvedThumbnailProps): void {
  const { widths, formats, suffixes, sourcePrefix, outputPrefix, sameBucket } = resolved;

  if (widths.length === 0) {
    errors.add('widths', '[]', 'at least one thumbnail width is needed', 'use e.g. [128, 512]');
  }
  for (const width of widths) {
    if (Token.isUnresolved(width)) {
      errors.add('widths', '(token)', 'must be known at synth time: widths are checked and passed to the function as text',
        'use plain numbers');
    } else if (!Number.isInteger(width) || width < 1 || width > 10_000) {
      errors.add('widths', width, 'each width must be a whole number of pixels from 1 to 10,000', 'fix or remove that width');
    }
  }
  if (new Set(widths).size !== widths.length) {
    errors.add('widths', widths.join(','), 'widths must be unique (each one names an output object)', 'remove the duplicates');
  }
  if (formats.length === 0 || new Set(formats).size !== formats.length) {
    errors.add('formats', formats.join(','), 'at least one format, each at most once', 'use e.g. [ThumbnailFormat.JPEG, ThumbnailFormat.WEBP]');
  }
  const unknown = formats.filter((f) => !(f in EXTENSIONS));
  if (unknown.length > 0) {
    errors.add('formats', unknown.join(','), `the thumbnail function writes ${Object.keys(EXTENSIONS).join(', ')}`,
      'use ThumbnailFormat.JPEG, ThumbnailFormat.WEBP or ThumbnailFormat.AVIF');
  }
  if (Token.isUnresolved(suffixes) || suffixes.some((suffix) => Token.isUnresolved(suffix))) {
    errors.add('imageSuffixes', '(token)', 'must be known at synth time: each suffix gets its own S3 notification configuration',
      "use a plain list, e.g. ['.jpg', '.png']");
  }
  if (suffixes.length === 0) {
    errors.add('imageSuffixes', '[]', 'at least one suffix is needed, or no upload triggers the pipeline', "use e.g. ['.jpg', '.png']");
  }
  for (const suffix of suffixes) {
    if (suffix === '') {
      errors.add('imageSuffixes', '', 'an empty suffix matches every key, including non-images', "use e.g. '.jpg'");
    }
  }
  if (isConcrete(props.maxInputPixels) && (!Number.isInteger(props.maxInputPixels) || props.maxInputPixels < 1)) {
    errors.add('maxInputPixels', props.maxInputPixels, 'must be a positive whole number of pixels', 'use e.g. 50_000_000');
  }
  const timeout = props.timeout ?? Duration.seconds(60);
  checkDuration(errors, 'timeout', props.timeout, LAMBDA_TIMEOUT, 'use a timeout from 1 second to Duration.minutes(15)');
  const margin = props.deadlineMargin ?? Duration.seconds(10);
  if (margin.isUnresolved()) {
    errors.add('deadlineMargin', '(token)', 'must be known at synth time: it is compared with the timeout and passed to the function as text',
      'use a plain Duration, e.g. Duration.seconds(10)');
  } else if (!timeout.isUnresolved() && margin.toMilliseconds() >= timeout.toMilliseconds()) {
    errors.add('deadlineMargin', margin.toHumanString(),
      `must be shorter than the timeout (${timeout.toHumanString()}): no record would ever be started`,
      'raise timeout (e.g. Duration.seconds(60)) or lower deadlineMargin');
  }
  const threshold = props.failedImagesAlarmThreshold;
  if (isConcrete(threshold) && (!Number.isInteger(threshold) || threshold < 1)) {
    errors.add('failedImagesAlarmThreshold', props.failedImagesAlarmThreshold, 'must be a whole number of failed attempts, at least 1',
      'use e.g. 5 (single failures are reported by the dead-letter queue alarm)');
  }
  checkNumber(errors, 'memorySize', props.memorySize, LAMBDA_MEMORY, 'use 1024 (a 24-megapixel JPEG peaks under 350 MB)');
  if (props.outputInSourceBucket && props.outputBucket) {
    errors.add('outputBucket', props.outputBucket.node.path, 'cannot be combined with outputInSourceBucket', 'remove one of the two');
  }

  // Recursion guard: a thumbnail written where the notification filter matches would trigger
  // the function again, for every thumbnail, without end (and with a growing bill).
  if (sameBucket) {
    if (outputPrefix === '') {
      errors.add('outputPrefix', '',
        'with the output in the source bucket, thumbnails need their own prefix, or the function could never tell them apart from uploads',
        "set outputPrefix, e.g. 'thumbnails/'");
    } else if (outputPrefix.startsWith(sourcePrefix) || sourcePrefix.startsWith(outputPrefix)) {
      const triggering = formats.filter((f) => f in EXTENSIONS && suffixes.some((s) => EXTENSIONS[f].endsWith(s) || s.endsWith(EXTENSIONS[f])));
      if (triggering.length > 0) {
        errors.add('outputPrefix', outputPrefix,
          `thumbnails (${triggering.map((f) => `*${EXTENSIONS[f]}`).join(', ')}) would be written where the upload notification (prefix '${sourcePrefix}', suffixes ${suffixes.join(' ')}) matches, so each thumbnail would trigger the function again, endlessly`,
          'use a sourcePrefix that does not contain the outputPrefix (e.g. sourcePrefix: \'uploads/\'), write to a separate outputBucket, or drop those formats/suffixes');
      }
    }
  }
}
