import { parseConfig, ThumbnailConfigError } from '../../../lambda/thumbnail/config';

type HandlerModule = typeof import('../../../lambda/thumbnail');

/** The problems `parseConfig(env)` reports (empty when it returns), its error's name and message checked. */
function configProblems(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    parseConfig(env);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(ThumbnailConfigError);
    const error = e as ThumbnailConfigError;
    expect([error.name, error.message]).toEqual(['ThumbnailConfigError', `thumbnail: invalid configuration: ${error.problems.join('; ')}`]);
    return error.problems;
  }
}

describe('parseConfig', () => {
  test('defaults', () => {
    expect(parseConfig({ OUTPUT_BUCKET: 'out' })).toEqual({
      outputBucket: 'out', outputPrefix: 'thumbnails/', widths: [128, 512], formats: ['jpeg', 'webp'], maxInputPixels: 50_000_000,
      maxInputBytes: 100 * 1024 * 1024, quality: { jpeg: 80, webp: 80, avif: 50 }, deadlineMarginMs: 10_000,
    });
  });

  test('every variable set, trimmed; widths sorted and de-duplicated, formats de-duplicated in order', () => {
    expect(parseConfig({
      OUTPUT_BUCKET: ' out ',
      OUTPUT_PREFIX: 'thumbs/v1/',
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
      outputPrefix: 'thumbs/v1/',
      widths: [64, 512],
      formats: ['avif', 'jpeg'],
      maxInputPixels: 1,
      maxInputBytes: 2,
      quality: { jpeg: 1, webp: 100, avif: 42 },
      deadlineMarginMs: 0,
      deadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111111111111/dlq',
    });
  });

  test('empty variables take their defaults, except OUTPUT_PREFIX, where empty is a value (thumbnails at the root of another bucket)', () => {
    const config = parseConfig({
      OUTPUT_BUCKET: 'out', OUTPUT_PREFIX: '', THUMBNAIL_WIDTHS: ' ', THUMBNAIL_FORMATS: '', JPEG_QUALITY: '', DEAD_LETTER_QUEUE_URL: ' ',
    });
    expect(config).toMatchObject({ outputPrefix: '', widths: [128, 512], formats: ['jpeg', 'webp'], quality: { jpeg: 80 } });
    expect(config).not.toHaveProperty('deadLetterQueueUrl');
  });

  test.each([
    ['1', [1]], ['16383', [16383]], ['1,16383', [1, 16383]],
  ])('THUMBNAIL_WIDTHS %s is accepted (1 to 16383)', (widths, expected) => {
    expect(parseConfig({ OUTPUT_BUCKET: 'out', THUMBNAIL_WIDTHS: widths }).widths).toEqual(expected);
  });

  test.each(['0', '16384', '128,', '128,,512', '12.5', '-1', 'abc', 'x128', '128x', '1e3'])('fails if THUMBNAIL_WIDTHS is %j', (widths) => {
    expect(configProblems({ OUTPUT_BUCKET: 'out', THUMBNAIL_WIDTHS: widths }))
      .toEqual([`THUMBNAIL_WIDTHS must be a comma-separated list of integers from 1 to 16383, got '${widths}'`]);
  });

  test.each(['gif', 'png', 'jpeg,png', 'webp gif', 'jpg', 'JPEG', 'jpeg,'])('fails if THUMBNAIL_FORMATS is %j', (formats) => {
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
    ['JPEG_QUALITY', '1e1', 'JPEG_QUALITY must be an integer from 1 to 100, got \'1e1\''],
    ['MAX_INPUT_BYTES', '+5', 'MAX_INPUT_BYTES must be an integer from 1 to 9007199254740991, got \'+5\''],
    ['MAX_INPUT_PIXELS', '0x10', 'MAX_INPUT_PIXELS must be an integer from 1 to 9007199254740991, got \'0x10\''],
  ])('fails if %s is %s (one past the limit, or not an integer)', (name, value, problem) => {
    expect(configProblems({ OUTPUT_BUCKET: 'out', [name]: value })).toEqual([problem]);
  });

  test.each([
    ['JPEG_QUALITY', '100', 'jpeg'], ['WEBP_QUALITY', '1', 'webp'], ['AVIF_QUALITY', '99', 'avif'], ['AVIF_QUALITY', '2', 'avif'],
  ] as const)('%s %s is accepted', (name, value, format) => {
    expect(parseConfig({ OUTPUT_BUCKET: 'out', [name]: value }).quality[format]).toBe(Number(value));
  });

  test.each([
    ['MAX_INPUT_PIXELS', '9007199254740991', 'maxInputPixels'],
    ['MAX_INPUT_BYTES', '1', 'maxInputBytes'],
    ['DEADLINE_MARGIN_MS', '900000', 'deadlineMarginMs'],
    ['DEADLINE_MARGIN_MS', '1', 'deadlineMarginMs'],
  ] as const)('%s %s (at the limit) is accepted', (name, value, member) => {
    expect(parseConfig({ OUTPUT_BUCKET: 'out', [name]: value })[member]).toBe(Number(value));
  });

  test('fails if OUTPUT_BUCKET is unset or blank', () => {
    expect(configProblems({})).toEqual(['OUTPUT_BUCKET is required (the bucket thumbnails are written to)']);
    expect(configProblems({ OUTPUT_BUCKET: '  ' })).toEqual(['OUTPUT_BUCKET is required (the bucket thumbnails are written to)']);
  });

  test('collects every problem at once', () => {
    expect(configProblems({
      THUMBNAIL_WIDTHS: '0', THUMBNAIL_FORMATS: 'png', MAX_INPUT_PIXELS: 'lots', MAX_INPUT_BYTES: '0', JPEG_QUALITY: '101', AVIF_QUALITY: '0',
      DEADLINE_MARGIN_MS: 'soon',
    })).toEqual([
      'OUTPUT_BUCKET is required (the bucket thumbnails are written to)',
      "THUMBNAIL_WIDTHS must be a comma-separated list of integers from 1 to 16383, got '0'",
      "THUMBNAIL_FORMATS must be a comma-separated subset of jpeg,webp,avif, got 'png'",
      "MAX_INPUT_PIXELS must be an integer from 1 to 9007199254740991, got 'lots'",
      "MAX_INPUT_BYTES must be an integer from 1 to 9007199254740991, got '0'",
      "JPEG_QUALITY must be an integer from 1 to 100, got '101'",
      "AVIF_QUALITY must be an integer from 1 to 100, got '0'",
      "DEADLINE_MARGIN_MS must be an integer from 0 to 900000, got 'soon'",
    ]);
  });
});

describe('the configuration from the environment (configFromEnvironment, index.ts)', () => {
  let saved: NodeJS.ProcessEnv;
  beforeAll(() => {
    saved = process.env;
    process.env = { ...saved };
  });
  afterAll(() => {
    process.env = saved;
  });

  test('is parsed on first use, not at load; an invalid one fails each invocation with every problem; a valid one is kept', async () => {
    // GIVEN an environment without OUTPUT_BUCKET and with an unsupported format
    delete process.env.OUTPUT_BUCKET;
    process.env.THUMBNAIL_FORMATS = 'gif';
    // WHEN the module loads THEN nothing is parsed yet
    const mod: HandlerModule = await import('../../../lambda/thumbnail');
    // WHEN it is invoked THEN the invocation fails, naming every problem, and so does the next one
    const message = /^thumbnail: invalid configuration: OUTPUT_BUCKET is required .*; THUMBNAIL_FORMATS must be a comma-separated subset of jpeg,webp,avif, got 'gif'$/;
    await expect(mod.processBatch({ Records: [] })).rejects.toThrow(message);
    expect(() => mod.configFromEnvironment()).toThrow(ThumbnailConfigError);
    // WHEN the environment is fixed THEN the next use reads it
    process.env.OUTPUT_BUCKET = 'first';
    delete process.env.THUMBNAIL_FORMATS;
    const config = mod.configFromEnvironment();
    expect(config.outputBucket).toBe('first');
    // AND keeps it: a later change of the environment is not read
    process.env.OUTPUT_BUCKET = 'second';
    expect(mod.configFromEnvironment()).toBe(config);
    await expect(mod.processBatch({ Records: [] })).resolves.toEqual({ batchItemFailures: [] });
  });
});
