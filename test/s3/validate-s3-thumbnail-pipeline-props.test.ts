import { Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { S3ThumbnailPipelineProps, ThumbnailFormat } from '../../lib';
import { ConfigErrors } from '../../lib/private/config-errors';
import { ResolvedThumbnailProps, validateS3ThumbnailPipelineProps } from '../../lib/s3/validate-s3-thumbnail-pipeline-props';
import { recordedProblems } from '../support/config-problems';

/** The defaults the construct applies. */
const DEFAULTS: ResolvedThumbnailProps = {
  widths: [128, 512],
  formats: [ThumbnailFormat.JPEG, ThumbnailFormat.WEBP],
  suffixes: ['.jpg', '.png'],
  sourcePrefix: '',
  outputPrefix: 'thumbnails/',
  sameBucket: false,
};

/** The problems reported for these props (each line `prop 'value': rule. Fix: fix.`), none when valid. */
function problems(props: S3ThumbnailPipelineProps = {}, resolved: Partial<ResolvedThumbnailProps> = {}): string[] {
  const errors = new ConfigErrors('S3ThumbnailPipeline', 'Stack/Thumbnails');
  validateS3ThumbnailPipelineProps(errors, props, { ...DEFAULTS, ...resolved });
  return recordedProblems(errors, true);
}

describe('validateS3ThumbnailPipelineProps', () => {
  test('the defaults are valid', () => {
    expect(problems()).toEqual([]);
  });

  describe('widths', () => {
    test('1 and 10,000 pixels are accepted; 0, 10,001 and 1.5 are not', () => {
      expect(problems({}, { widths: [1, 10_000] })).toEqual([]);
      expect(problems({}, { widths: [0, 10_001, 1.5] })).toEqual([
        "widths '0': each width must be a whole number of pixels from 1 to 10,000. Fix: fix or remove that width.",
        "widths '10001': each width must be a whole number of pixels from 1 to 10,000. Fix: fix or remove that width.",
        "widths '1.5': each width must be a whole number of pixels from 1 to 10,000. Fix: fix or remove that width.",
      ]);
    });

    test('at least one', () => {
      expect(problems({}, { widths: [] })).toEqual(["widths '[]': at least one thumbnail width is needed. Fix: use e.g. [128, 512]."]);
    });

    test('a token is refused: widths are passed to the function as text', () => {
      expect(problems({}, { widths: [Token.asNumber(Lazy.number({ produce: () => 64 }))] })).toEqual([
        "widths '(token)': must be known at synth time: widths are checked and passed to the function as text. Fix: use plain numbers.",
      ]);
    });

    test('unique', () => {
      expect(problems({}, { widths: [64, 128, 64] })).toEqual([
        "widths '64,128,64': widths must be unique (each one names an output object). Fix: remove the duplicates.",
      ]);
    });
  });

  describe('formats', () => {
    test('one format is enough; none or a format twice is refused', () => {
      expect(problems({}, { formats: [ThumbnailFormat.AVIF] })).toEqual([]);
      const rule = 'at least one format, each at most once. Fix: use e.g. [ThumbnailFormat.JPEG, ThumbnailFormat.WEBP].';
      expect(problems({}, { formats: [] })).toEqual([`formats '': ${rule}`]);
      expect(problems({}, { formats: [ThumbnailFormat.WEBP, ThumbnailFormat.WEBP] })).toEqual([`formats 'webp,webp': ${rule}`]);
    });
  });

  test('a format the function cannot write (e.g. from JavaScript) is refused, and the recursion guard skips it', () => {
    const png = 'png' as ThumbnailFormat;
    expect(problems({}, { formats: [ThumbnailFormat.JPEG, png], sameBucket: true, suffixes: ['.png'] })).toEqual([
      "formats 'png': the thumbnail function writes jpeg, webp, avif. Fix: use ThumbnailFormat.JPEG, ThumbnailFormat.WEBP or ThumbnailFormat.AVIF.",
    ]);
  });

  describe('imageSuffixes', () => {
    test('a token list or a token suffix is refused: each suffix is its own notification configuration', () => {
      const rule = "imageSuffixes '(token)': must be known at synth time: each suffix gets its own S3 notification configuration. "
        + "Fix: use a plain list, e.g. ['.jpg', '.png'].";
      expect(problems({}, { suffixes: Lazy.list({ produce: () => ['.jpg'] }) })).toEqual([rule]);
      expect(problems({}, { suffixes: ['.jpg', Lazy.string({ produce: () => '.png' })] })).toEqual([rule]);
    });

    test('none is refused', () => {
      expect(problems({}, { suffixes: [] })).toEqual([
        "imageSuffixes '[]': at least one suffix is needed, or no upload triggers the pipeline. Fix: use e.g. ['.jpg', '.png'].",
      ]);
    });

    test('an empty suffix is refused: it matches every key', () => {
      expect(problems({}, { suffixes: ['.jpg', ''] })).toEqual([
        "imageSuffixes '': an empty suffix matches every key, including non-images. Fix: use e.g. '.jpg'.",
      ]);
    });
  });

  describe('maxInputPixels', () => {
    test('1 is accepted; 0 and 1.5 are not; a token is not checked', () => {
      expect(problems({ maxInputPixels: 1 })).toEqual([]);
      expect(problems({ maxInputPixels: Token.asNumber(Lazy.number({ produce: () => 0 })) })).toEqual([]);
      expect(problems({ maxInputPixels: 0 })).toEqual(["maxInputPixels '0': must be a positive whole number of pixels. Fix: use e.g. 50_000_000."]);
      expect(problems({ maxInputPixels: 1.5 })).toEqual(["maxInputPixels '1.5': must be a positive whole number of pixels. Fix: use e.g. 50_000_000."]);
    });
  });

  describe('timeout and deadlineMargin', () => {
    test('the timeout is a Lambda timeout: 900 seconds accepted, 901 not', () => {
      expect(problems({ timeout: Duration.seconds(900) })).toEqual([]);
      expect(problems({ timeout: Duration.seconds(901) })).toEqual([
        "timeout '15 minutes 1 second': must be a whole number from 1 to 900 seconds (Lambda quotas: function timeout). "
        + 'Fix: use a timeout from 1 second to Duration.minutes(15).',
      ]);
    });

    test('the margin must be shorter than the timeout: 1 ms shorter is accepted, equal is not', () => {
      expect(problems({ timeout: Duration.seconds(20), deadlineMargin: Duration.millis(19_999) })).toEqual([]);
      expect(problems({ timeout: Duration.seconds(20), deadlineMargin: Duration.seconds(20) })).toEqual([
        "deadlineMargin '20 seconds': must be shorter than the timeout (20 seconds): no record would ever be started. "
        + 'Fix: raise timeout (e.g. Duration.seconds(60)) or lower deadlineMargin.',
      ]);
    });

    test('the default margin (10 s) is checked against the timeout, and the default timeout (60 s) against the margin', () => {
      expect(problems({ timeout: Duration.seconds(11) })).toEqual([]);
      expect(problems({ timeout: Duration.seconds(10) })).toHaveLength(1);
      expect(problems({ deadlineMargin: Duration.millis(59_999) })).toEqual([]);
      expect(problems({ deadlineMargin: Duration.seconds(60) })).toHaveLength(1);
    });

    test('a token margin is refused; a token timeout skips the comparison', () => {
      const token = Duration.seconds(Token.asNumber(Lazy.number({ produce: () => 30 })));
      expect(problems({ deadlineMargin: token })).toEqual([
        "deadlineMargin '(token)': must be known at synth time: it is compared with the timeout and passed to the function as text. "
        + 'Fix: use a plain Duration, e.g. Duration.seconds(10).',
      ]);
      expect(problems({ timeout: token, deadlineMargin: Duration.seconds(20) })).toEqual([]);
    });
  });

  describe('failedImagesAlarmThreshold', () => {
    test('1 is accepted; 0 and 1.5 are not', () => {
      expect(problems({ failedImagesAlarmThreshold: 1 })).toEqual([]);
      const rule = 'must be a whole number of failed attempts, at least 1. Fix: use e.g. 5 (single failures are reported by the dead-letter queue alarm).';
      expect(problems({ failedImagesAlarmThreshold: 0 })).toEqual([`failedImagesAlarmThreshold '0': ${rule}`]);
      expect(problems({ failedImagesAlarmThreshold: 1.5 })).toEqual([`failedImagesAlarmThreshold '1.5': ${rule}`]);
    });
  });

  describe('memorySize', () => {
    test('128 and 10,240 MB are accepted; 127 and 10,241 are not', () => {
      expect(problems({ memorySize: 128 })).toEqual([]);
      expect(problems({ memorySize: 10_240 })).toEqual([]);
      expect(problems({ memorySize: 127 })).toEqual([
        "memorySize '127': must be a whole number from 128 to 10240 MB (Lambda quotas: function memory allocation). "
        + 'Fix: use 1024 (a 24-megapixel JPEG peaks under 350 MB).',
      ]);
      expect(problems({ memorySize: 10_241 })).toHaveLength(1);
    });
  });

  describe('output bucket and the recursion guard', () => {
    test('outputBucket and outputInSourceBucket exclude each other', () => {
      const outputBucket = s3.Bucket.fromBucketName(new Stack(), 'Output', 'output');
      expect(problems({ outputBucket })).toEqual([]);
      expect(problems({ outputInSourceBucket: true })).toEqual([]);
      expect(problems({ outputBucket, outputInSourceBucket: true })).toEqual([
        `outputBucket '${outputBucket.node.path}': cannot be combined with outputInSourceBucket. Fix: remove one of the two.`,
      ]);
    });

    test('in the source bucket, thumbnails need a prefix', () => {
      expect(problems({}, { sameBucket: true, outputPrefix: '' })).toEqual([
        "outputPrefix '': with the output in the source bucket, thumbnails need their own prefix, or the function could never tell them apart "
        + "from uploads. Fix: set outputPrefix, e.g. 'thumbnails/'.",
      ]);
      expect(problems({}, { sameBucket: false, outputPrefix: '' })).toEqual([]);
    });

    test('in the source bucket, a thumbnail whose key the upload notification matches is refused', () => {
      expect(problems({}, { sameBucket: true, sourcePrefix: '', outputPrefix: 'thumbnails/', suffixes: ['.jpg', '.png'] })).toEqual([
        "outputPrefix 'thumbnails/': thumbnails (*.jpg) would be written where the upload notification (prefix '', suffixes .jpg .png) matches, "
        + 'so each thumbnail would trigger the function again, endlessly. Fix: use a sourcePrefix that does not contain the outputPrefix '
        + "(e.g. sourcePrefix: 'uploads/'), write to a separate outputBucket, or drop those formats/suffixes.",
      ]);
    });

    test('every format whose extension a suffix matches is named, in either direction of the match', () => {
      const [problem] = problems({}, {
        sameBucket: true, outputPrefix: 'thumbnails/', formats: [ThumbnailFormat.JPEG, ThumbnailFormat.WEBP, ThumbnailFormat.AVIF],
        suffixes: ['jpg', '.thumb.avif'],
      });
      // 'jpg' is a suffix of '.jpg' (every .jpg thumbnail matches); '.thumb.avif' ends with '.avif' (some could)
      expect(problem).toContain('thumbnails (*.jpg, *.avif) would be written');
    });

    test('disjoint prefixes, other formats or another bucket are accepted', () => {
      const clashing = { sameBucket: true, outputPrefix: 'thumbnails/', suffixes: ['.jpg'] };
      expect(problems({}, { ...clashing, sourcePrefix: 'uploads/' })).toEqual([]);
      expect(problems({}, { ...clashing, formats: [ThumbnailFormat.WEBP] })).toEqual([]);
      expect(problems({}, { ...clashing, sameBucket: false })).toEqual([]);
    });

    test('either prefix inside the other clashes', () => {
      const clashing = { sameBucket: true, suffixes: ['.jpg'] };
      expect(problems({}, { ...clashing, sourcePrefix: 'images/', outputPrefix: 'images/thumbnails/' })).toHaveLength(1);
      expect(problems({}, { ...clashing, sourcePrefix: 'images/uploads/', outputPrefix: 'images/' })).toHaveLength(1);
    });
  });

  test('every problem is reported at once', () => {
    expect(problems({ maxInputPixels: 0, memorySize: 1 }, { widths: [], suffixes: [] })).toHaveLength(4);
  });
});
