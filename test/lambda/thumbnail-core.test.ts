// The module reads its configuration at load; the pure functions under test take theirs as arguments.
process.env.OUTPUT_BUCKET ??= 'thumbnail-core-test';

type ThumbnailModule = typeof import('../../lambda/thumbnail');
let mod: ThumbnailModule;

beforeAll(async () => {
  mod = await import('../../lambda/thumbnail');
});

/** The problems `parseConfig(env)` reports (empty when it returns). */
function configProblems(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    mod.parseConfig(env);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(mod.ThumbnailConfigError);
    const error = e as InstanceType<ThumbnailModule['ThumbnailConfigError']>;
    expect([error.name, error.message]).toEqual(['ThumbnailConfigError', `thumbnail: invalid configuration: ${error.problems.join('; ')}`]);
    return error.problems;
  }
}

describe('thumbnail core', () => {
  describe('parseConfig', () => {
    test('defaults', () => {
      expect(mod.parseConfig({ OUTPUT_BUCKET: 'out' })).toEqual({
        outputBucket: 'out',
        outputPrefix: 'thumbnails/',
        widths: [128, 512],
        formats: ['jpeg', 'webp'],
        maxInputPixels: 50_000_000,
        maxInputBytes: 104_857_600,
        quality: { jpeg: 80, webp: 80, avif: 50 },
        deadlineMarginMs: 10_000,
      });
    });

    test('every variable set, trimmed; widths sorted and de-duplicated, formats de-duplicated in order', () => {
      expect(mod.parseConfig({
        OUTPUT_BUCKET: ' out ',
        OUTPUT_PREFIX: 'thumbs/',
        THUMBNAIL_WIDTHS: ' 512, 64 ,512',
        THUMBNAIL_FORMATS: 'avif, jpeg,avif',
        MAX_INPUT_PIXELS: '1',
        MAX_INPUT_BYTES: '2',
        JPEG_QUALITY: '1',
        WEBP_QUALITY: '100',
        AVIF_QUALITY: ' 42 ',
        DEADLINE_MARGIN_MS: '0',
        DEAD_LETTER_QUEUE_URL: ' https://sqs.eu-west-1.amazonaws.com/111111111111/dlq ',
      })).toEqual({
        outputBucket: 'out',
        outputPrefix: 'thumbs/',
        widths: [64, 512],
        formats: ['avif', 'jpeg'],
        maxInputPixels: 1,
        maxInputBytes: 2,
        quality: { jpeg: 1, webp: 100, avif: 42 },
        deadlineMarginMs: 0,
        deadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111111111111/dlq',
      });
    });

    test('empty variables take their defaults, except OUTPUT_PREFIX, where empty is a value', () => {
      const config = mod.parseConfig({
        OUTPUT_BUCKET: 'out', OUTPUT_PREFIX: '', THUMBNAIL_WIDTHS: ' ', THUMBNAIL_FORMATS: '', JPEG_QUALITY: '', DEAD_LETTER_QUEUE_URL: ' ',
      });
      expect(config).toMatchObject({ outputPrefix: '', widths: [128, 512], formats: ['jpeg', 'webp'], quality: { jpeg: 80 } });
      expect(config).not.toHaveProperty('deadLetterQueueUrl');
    });

    test.each([
      ['1', [1]], ['16383', [16383]], ['1,16383', [1, 16383]],
    ])('THUMBNAIL_WIDTHS %s is accepted (1 to 16383)', (widths, expected) => {
      expect(mod.parseConfig({ OUTPUT_BUCKET: 'out', THUMBNAIL_WIDTHS: widths }).widths).toEqual(expected);
    });

    test.each(['0', '16384', '128,', '12.5', '-1', 'x128', '128x', '1e3'])('fails if THUMBNAIL_WIDTHS is %j', (widths) => {
      expect(configProblems({ OUTPUT_BUCKET: 'out', THUMBNAIL_WIDTHS: widths }))
        .toEqual([`THUMBNAIL_WIDTHS must be a comma-separated list of integers from 1 to 16383, got '${widths}'`]);
    });

    test.each(['gif', 'jpeg,png', 'jpg', 'JPEG', 'jpeg,'])('fails if THUMBNAIL_FORMATS is %j', (formats) => {
      expect(configProblems({ OUTPUT_BUCKET: 'out', THUMBNAIL_FORMATS: formats }))
        .toEqual([`THUMBNAIL_FORMATS must be a comma-separated subset of jpeg,webp,avif, got '${formats}'`]);
    });

    test.each([
      ['JPEG_QUALITY', '0', 'JPEG_QUALITY must be an integer from 1 to 100, got \'0\''],
      ['WEBP_QUALITY', '101', 'WEBP_QUALITY must be an integer from 1 to 100, got \'101\''],
      ['AVIF_QUALITY', '5.5', 'AVIF_QUALITY must be an integer from 1 to 100, got \'5.5\''],
      ['JPEG_QUALITY', '-1', 'JPEG_QUALITY must be an integer from 1 to 100, got \'-1\''],
      ['WEBP_QUALITY', 'x50', 'WEBP_QUALITY must be an integer from 1 to 100, got \'x50\''],
      ['AVIF_QUALITY', '50x', 'AVIF_QUALITY must be an integer from 1 to 100, got \'50x\''],
      ['MAX_INPUT_PIXELS', '0', 'MAX_INPUT_PIXELS must be an integer from 1 to 9007199254740991, got \'0\''],
      ['MAX_INPUT_BYTES', '9007199254740992', 'MAX_INPUT_BYTES must be an integer from 1 to 9007199254740991, got \'9007199254740992\''],
      ['DEADLINE_MARGIN_MS', '900001', 'DEADLINE_MARGIN_MS must be an integer from 0 to 900000, got \'900001\''],
    ])('fails if %s is %s (one past the limit, or not an integer)', (name, value, problem) => {
      expect(configProblems({ OUTPUT_BUCKET: 'out', [name]: value })).toEqual([problem]);
    });

    test.each([
      ['JPEG_QUALITY', '100', 'jpeg'], ['WEBP_QUALITY', '1', 'webp'], ['AVIF_QUALITY', '99', 'avif'], ['AVIF_QUALITY', '2', 'avif'],
    ] as const)('%s %s is accepted', (name, value, format) => {
      expect(mod.parseConfig({ OUTPUT_BUCKET: 'out', [name]: value }).quality[format]).toBe(Number(value));
    });

    test.each([
      ['MAX_INPUT_PIXELS', '9007199254740991', 'maxInputPixels'],
      ['MAX_INPUT_BYTES', '1', 'maxInputBytes'],
      ['DEADLINE_MARGIN_MS', '900000', 'deadlineMarginMs'],
      ['DEADLINE_MARGIN_MS', '1', 'deadlineMarginMs'],
    ] as const)('%s %s (at the limit) is accepted', (name, value, member) => {
      expect(mod.parseConfig({ OUTPUT_BUCKET: 'out', [name]: value })[member]).toBe(Number(value));
    });

    test('fails if OUTPUT_BUCKET is unset or blank', () => {
      expect(configProblems({})).toEqual(['OUTPUT_BUCKET is required (the bucket thumbnails are written to)']);
      expect(configProblems({ OUTPUT_BUCKET: '  ' })).toEqual(['OUTPUT_BUCKET is required (the bucket thumbnails are written to)']);
    });

    test('collects every problem at once', () => {
      expect(configProblems({ THUMBNAIL_WIDTHS: '0', THUMBNAIL_FORMATS: 'png', JPEG_QUALITY: '101', DEADLINE_MARGIN_MS: 'soon' })).toEqual([
        'OUTPUT_BUCKET is required (the bucket thumbnails are written to)',
        "THUMBNAIL_WIDTHS must be a comma-separated list of integers from 1 to 16383, got '0'",
        "THUMBNAIL_FORMATS must be a comma-separated subset of jpeg,webp,avif, got 'png'",
        "JPEG_QUALITY must be an integer from 1 to 100, got '101'",
        "DEADLINE_MARGIN_MS must be an integer from 0 to 900000, got 'soon'",
      ]);
    });
  });

  describe('parseNotification and decodeS3Key', () => {
    const record = (key: unknown, extra: object = {}) => ({ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'media' }, object: { key, ...extra } } });

    test('one event per record, key decoded, size when given', () => {
      const body = JSON.stringify({ Records: [record('My+Holiday/caf%C3%A9%2B1.jpg', { size: 10 }), record('a.png')] });
      expect(mod.parseNotification(body)).toEqual([
        { eventName: 'ObjectCreated:Put', bucket: 'media', key: 'My Holiday/café+1.jpg', size: 10 },
        { eventName: 'ObjectCreated:Put', bucket: 'media', key: 'a.png' },
      ]);
    });

    test('a size that is not a number is left out; size 0 is kept', () => {
      expect(mod.parseNotification(JSON.stringify({ Records: [record('a', { size: '10' })] }))[0]).not.toHaveProperty('size');
      expect(mod.parseNotification(JSON.stringify({ Records: [record('a', { size: 0 })] }))[0].size).toBe(0);
    });

    test('the s3:TestEvent yields no records; an empty Records array neither', () => {
      expect(mod.parseNotification('{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"media"}')).toEqual([]);
      expect(mod.parseNotification('{"Records":[]}')).toEqual([]);
    });

    test.each([
      ['not JSON', '{"Records"', 'INVALID_JSON', 'body is not JSON (10 characters)'],
      ['null', 'null', 'NOT_AN_S3_NOTIFICATION', 'expected an object with a `Records` array or an s3:TestEvent'],
      ['an array', '[{"Records":[]}]', 'NOT_AN_S3_NOTIFICATION', 'expected an object with a `Records` array or an s3:TestEvent'],
      ['Records not an array', '{"Records":{}}', 'NOT_AN_S3_NOTIFICATION', 'expected an object with a `Records` array or an s3:TestEvent'],
      ['another event', '{"Event":"s3:Other"}', 'NOT_AN_S3_NOTIFICATION', 'expected an object with a `Records` array or an s3:TestEvent'],
      ['a record that is not an object', '{"Records":[null]}', 'NOT_AN_S3_NOTIFICATION', 'Records[0] lacks eventName, s3.bucket.name or s3.object.key'],
      ['a record that is an array', '{"Records":[[]]}', 'NOT_AN_S3_NOTIFICATION', 'Records[0] lacks eventName, s3.bucket.name or s3.object.key'],
      ['no eventName', JSON.stringify({ Records: [{ s3: { bucket: { name: 'b' }, object: { key: 'k' } } }] }), 'NOT_AN_S3_NOTIFICATION', 'Records[0] lacks eventName, s3.bucket.name or s3.object.key'],
      ['s3 an array', JSON.stringify({ Records: [{ eventName: 'e', s3: [] }] }), 'NOT_AN_S3_NOTIFICATION', 'Records[0] lacks eventName, s3.bucket.name or s3.object.key'],
      ['bucket without a name', JSON.stringify({ Records: [record('k'), { eventName: 'e', s3: { bucket: {}, object: { key: 'k' } } }] }), 'NOT_AN_S3_NOTIFICATION', 'Records[1] lacks eventName, s3.bucket.name or s3.object.key'],
      ['bucket a string', JSON.stringify({ Records: [{ eventName: 'e', s3: { bucket: 'b', object: { key: 'k' } } }] }), 'NOT_AN_S3_NOTIFICATION', 'Records[0] lacks eventName, s3.bucket.name or s3.object.key'],
      ['object a string', JSON.stringify({ Records: [{ eventName: 'e', s3: { bucket: { name: 'b' }, object: 'k' } }] }), 'NOT_AN_S3_NOTIFICATION', 'Records[0] lacks eventName, s3.bucket.name or s3.object.key'],
      ['a key that is a number', JSON.stringify({ Records: [record(5)] }), 'NOT_AN_S3_NOTIFICATION', 'Records[0] lacks eventName, s3.bucket.name or s3.object.key'],
      ['a key that is bad URL encoding', JSON.stringify({ Records: [record('a%E0%A4%A')] }), 'INVALID_KEY', 'object key is not valid URL encoding: "a%E0%A4%A"'],
    ])('fails if the body is %s', (_name, body, reason, detail) => {
      let error: unknown;
      try {
        mod.parseNotification(body);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(mod.InvalidNotificationError);
      expect(error).toMatchObject({ name: 'InvalidNotificationError', reason, detail, message: `${reason}: ${detail}` });
    });

    test('decodeS3Key turns every + into a space, and %2B into +', () => {
      expect(mod.decodeS3Key('a+b+c%2Bd')).toBe('a b c+d');
    });
  });

  describe('thumbnailKey and isOwnOutput', () => {
    test.each([
      ['photos/cat.png', 128, 'jpeg', 'thumbnails/', 'thumbnails/photos/cat-128w.jpg'],
      ['cat.tar.gz', 512, 'webp', '', 'cat.tar-512w.webp'],
      ['a.b/c', 64, 'avif', 't/', 't/a.b/c-64w.avif'],
      ['dir/.profile', 64, 'jpeg', '', 'dir/.profile-64w.jpg'],
      ['.profile', 64, 'jpeg', '', '.profile-64w.jpg'],
      ['dir/x.', 64, 'jpeg', '', 'dir/x-64w.jpg'],
      ['dir/ab.c', 64, 'jpeg', '', 'dir/ab-64w.jpg'],
      ['noext', 64, 'jpeg', '', 'noext-64w.jpg'],
    ] as const)('%s, %d, %s, prefix %j: %s', (key, width, format, prefix, expected) => {
      expect(mod.thumbnailKey(key, width, format, prefix)).toBe(expected);
    });

    test.each([
      ['out', 'thumbnails/a.jpg', true],
      ['out', 'thumbnails/', true],
      ['out', 'photos/a.jpg', false],
      ['out', 'x/thumbnails/a.jpg', false],
      ['in', 'thumbnails/a.jpg', false],
    ])('bucket %s, key %s: own output %s', (bucket, key, own) => {
      expect(mod.isOwnOutput(bucket, key, mod.parseConfig({ OUTPUT_BUCKET: 'out' }))).toBe(own);
    });
  });
});
