import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { type SQSClient, SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import sharp from 'sharp';
import { type ConsoleOutput, expectConsoleOutput } from '../../support/console-guard';
import { s3NotificationBody, s3TestEventBody } from '../../support/s3-notifications';
import { createQueueWithDlq, drain, type Invocation, messagesIn, receiveAll } from '../../support/sqs-event-source';
import {
  BUCKET, ENV, expectedKeys, failedIds, FORMATS, isBlue, isRed, noisy, pixelAt, pngDeclaring, redLeftBlueRight,
  type ThumbnailModule, useThumbnailHandler, WIDTHS,
} from './fixtures';

// The handler (processBatch) against a local S3 and SQS server.
const h = useThumbnailHandler();
const { upload, sqsEvent, listKeys, getObject, logs } = h;
let mod: ThumbnailModule;
let sqs: SQSClient;
beforeAll(() => {
  mod = h.mod;
  sqs = h.sqs;
});

describe('thumbnails', () => {
  test.each([
    ['JPEG', 'formats/photo.jpg', () => noisy(640, 480).jpeg().toBuffer(), 640, 480],
    ['PNG', 'formats/diagram.png', () => noisy(600, 400).png().toBuffer(), 600, 400],
    ['WebP', 'formats/still.webp', () => noisy(1000, 250).webp().toBuffer(), 1000, 250],
  ])('%s: each width x format, aspect ratio kept, right format and ContentType', async (_type, key, make, w, h) => {
    // GIVEN an uploaded image
    const size = await upload(key, await make());
    // WHEN S3 notifies the function through SQS
    const response = await mod.processBatch(sqsEvent({ m1: s3NotificationBody(BUCKET, key, size) }));
    // THEN the record succeeds
    expect(response.batchItemFailures).toEqual([]);
    // AND exactly one thumbnail per width x format exists, next to nothing else
    expect(await listKeys(BUCKET, `thumbnails/${key.replace(/\.\w+$/, '')}-`)).toEqual(expectedKeys(key));
    for (const width of WIDTHS) {
      for (const { format, ext, contentType } of FORMATS) {
        const thumb = await getObject(BUCKET, `thumbnails/${key.replace(/\.\w+$/, '')}-${width}w.${ext}`);
        const meta = await sharp(thumb.body).metadata();
        // the configured width, and the height that keeps the source's aspect ratio
        expect([width, format, meta.format, meta.width, meta.height, thumb.contentType]).toEqual([
          width, format, format, width, Math.round((h * width) / w), contentType,
        ]);
      }
    }
  });

  test('auto-orients by EXIF: a landscape JPEG tagged orientation 6 comes out portrait, turned clockwise', async () => {
    // GIVEN a 400 x 200 JPEG, red on the left, whose EXIF says "rotate 90 degrees clockwise to display"
    const key = 'exif/rotated.jpg';
    const size = await upload(key, await redLeftBlueRight(400, 200).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer());
    // WHEN
    const response = await mod.processBatch(sqsEvent({ m1: s3NotificationBody(BUCKET, key, size) }));
    // THEN the thumbnails are portrait: 128 x 256, and 200 x 400 for 512 (the displayed size, not enlarged)
    expect(response.batchItemFailures).toEqual([]);
    for (const { ext } of FORMATS) {
      const small = (await getObject(BUCKET, `thumbnails/exif/rotated-128w.${ext}`)).body;
      const large = (await getObject(BUCKET, `thumbnails/exif/rotated-512w.${ext}`)).body;
      const [smallMeta, largeMeta] = await Promise.all([sharp(small).metadata(), sharp(large).metadata()]);
      expect([smallMeta.width, smallMeta.height, largeMeta.width, largeMeta.height]).toEqual([128, 256, 200, 400]);
      // AND turned clockwise (the left edge is now the top), not counter-clockwise
      expect(isRed(await pixelAt(small, 64, 20))).toBe(true);
      expect(isBlue(await pixelAt(small, 64, 236))).toBe(true);
      // AND the Orientation tag (and all other EXIF) is gone, so no viewer turns it a second time
      expect([smallMeta.orientation, smallMeta.exif, largeMeta.orientation, largeMeta.exif]).toEqual([undefined, undefined, undefined, undefined]);
    }
  });

  test('never enlarges: an image narrower than every width keeps its own size', async () => {
    // GIVEN a 100 x 80 image, smaller than both 128 and 512
    const key = 'small/icon.png';
    const size = await upload(key, await noisy(100, 80).png().toBuffer());
    // WHEN
    await mod.processBatch(sqsEvent({ m1: s3NotificationBody(BUCKET, key, size) }));
    // THEN every thumbnail is 100 x 80, still under the configured width's key
    const keys = await listKeys(BUCKET, 'thumbnails/small/');
    expect(keys).toEqual(expectedKeys(key));
    const sizes = await Promise.all(keys.map(async (k) => sharp((await getObject(BUCKET, k)).body).metadata().then((m) => [m.width, m.height])));
    expect(sizes).toEqual(keys.map(() => [100, 80]));
  });

  test('transparency: JPEG thumbnails are flattened on white, WebP ones keep their alpha channel', async () => {
    // GIVEN a fully transparent PNG
    const key = 'alpha/clear.png';
    const transparent = { width: 256, height: 256, channels: 4 as const, background: { r: 0, g: 0, b: 0, alpha: 0 } };
    const size = await upload(key, await sharp({ create: transparent }).png().toBuffer());
    // WHEN
    await mod.processBatch(sqsEvent({ m1: s3NotificationBody(BUCKET, key, size) }));
    // THEN
    const jpeg = (await getObject(BUCKET, 'thumbnails/alpha/clear-128w.jpg')).body;
    const webp = (await getObject(BUCKET, 'thumbnails/alpha/clear-128w.webp')).body;
    expect(await pixelAt(jpeg, 10, 10)).toEqual([255, 255, 255]);
    expect((await sharp(webp).metadata()).hasAlpha).toBe(true);
  });

  test('finds the object by its real key when the event encodes spaces as + and unicode as %XX', async () => {
    // GIVEN an object uploaded under a key with spaces, a literal +, parentheses and non-ASCII characters
    const key = 'uploads/My Holiday ☀️/café+plage (1).jpg';
    const size = await upload(key, await noisy(320, 240).jpeg().toBuffer());
    const body = s3NotificationBody(BUCKET, key, size);
    expect(body).toContain('"uploads/My+Holiday+%E2%98%80%EF%B8%8F/caf%C3%A9%2Bplage+%281%29.jpg"');
    // WHEN
    const response = await mod.processBatch(sqsEvent({ m1: body }));
    // THEN the thumbnails are named after the real key
    expect(response.batchItemFailures).toEqual([]);
    expect(await listKeys(BUCKET, 'thumbnails/uploads/')).toEqual(expectedKeys(key));
  });

  test('processes the records of a batch one at a time, so at most one image is being worked on', async () => {
    // GIVEN a batch of 4 images
    const jpeg = await noisy(1600, 1200).jpeg().toBuffer();
    const records: Record<string, string> = {};
    for (let i = 0; i < 4; i++) records[`m${i}`] = s3NotificationBody(BUCKET, `serial/p${i}.jpg`, await upload(`serial/p${i}.jpg`, jpeg));
    // AND a watch on how many sharp tasks run at once
    let peak = 0;
    const watch = () => (peak = Math.max(peak, sharp.counters().process));
    sharp.queue.on('change', watch);
    try {
      // WHEN
      const response = await mod.processBatch(sqsEvent(records));
      expect(response.batchItemFailures).toEqual([]);
    } finally {
      sharp.queue.off('change', watch);
    }
    // THEN never more tasks than one image's outputs (2 widths x 2 formats); in parallel, 4 images would reach 16
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(WIDTHS.length * FORMATS.length);
    expect(await listKeys(BUCKET, 'thumbnails/serial/')).toHaveLength(4 * WIDTHS.length * FORMATS.length);
  });

  test('resolves the S3 client\'s middleware stack once per command class, not on every request', async () => {
    // GIVEN a batch of 3 images (3 GETs and 12 PUTs)
    const records: Record<string, string> = {};
    for (let i = 0; i < 3; i++) {
      records[`m${i}`] = s3NotificationBody(BUCKET, `stack/p${i}.jpg`, await upload(`stack/p${i}.jpg`, await noisy(400, 300).jpeg().toBuffer()));
    }
    // AND a count of the middleware stacks resolved for each command
    const getSpy = jest.spyOn(GetObjectCommand.prototype, 'resolveMiddleware');
    const putSpy = jest.spyOn(PutObjectCommand.prototype, 'resolveMiddleware');
    const resolved = { get: 0, put: 0 };
    try {
      // WHEN
      expect((await mod.processBatch(sqsEvent(records))).batchItemFailures).toEqual([]);
      resolved.get = getSpy.mock.calls.length;
      resolved.put = putSpy.mock.calls.length;
    } finally {
      getSpy.mockRestore();
      putSpy.mockRestore();
    }
    // THEN each is resolved once at most (none when an earlier test already did): without the cache, once per request
    expect(await listKeys(BUCKET, 'thumbnails/stack/')).toHaveLength(3 * WIDTHS.length * FORMATS.length);
    expect(resolved.get).toBeLessThanOrEqual(1);
    expect(resolved.put).toBeLessThanOrEqual(1);
  });

  test('writes to another bucket, at its root, when OUTPUT_PREFIX is empty there', async () => {
    // GIVEN thumbnails configured into bucket 'thumbs' without a prefix
    const config = mod.parseConfig({ ...ENV, OUTPUT_BUCKET: 'thumbs', OUTPUT_PREFIX: '' });
    const key = 'cross/photo.jpg';
    const size = await upload(key, await noisy(300, 200).jpeg().toBuffer(), 'uploads');
    // WHEN
    const response = await mod.processBatch(sqsEvent({ m1: s3NotificationBody('uploads', key, size) }), { config });
    // THEN
    expect(response.batchItemFailures).toEqual([]);
    expect(await listKeys('thumbs', 'cross/')).toEqual(expectedKeys(key, ''));
  });
});

describe('invalid images', () => {
  test('write nothing and fail only their own records, each logged with bucket, key and reason', async () => {
    // GIVEN good and bad objects, all named like images
    const jpeg = await noisy(640, 480).jpeg().toBuffer();
    const objects: Record<string, Buffer> = {
      'bad/good-before.jpg': jpeg,
      'bad/truncated.jpg': jpeg.subarray(0, Math.floor(jpeg.length * 0.6)),
      'bad/notes.jpg': Buffer.from('these are my holiday notes, not a photo\n'),
      'bad/empty.jpg': Buffer.alloc(0),
      'bad/bomb.png': pngDeclaring(100_000, 100_000),
      'bad/vector.jpg': Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><rect width="640" height="480"/></svg>'),
      'bad/good-after.png': await noisy(200, 100).png().toBuffer(),
    };
    const records: Record<string, string> = {};
    for (const [key, body] of Object.entries(objects)) records[key] = s3NotificationBody(BUCKET, key, await upload(key, body));
    // WHEN they arrive in one batch
    const response = await mod.processBatch(sqsEvent(records));
    // THEN exactly the bad ones are reported failed, so SQS retries only them
    const bad = ['bad/truncated.jpg', 'bad/notes.jpg', 'bad/empty.jpg', 'bad/bomb.png', 'bad/vector.jpg'];
    expect(failedIds(response)).toEqual([...bad].sort());
    // AND only the good ones have thumbnails
    expect(await listKeys(BUCKET, 'thumbnails/bad/')).toEqual([...expectedKeys('bad/good-before.jpg'), ...expectedKeys('bad/good-after.png')].sort());
    // AND each rejection is logged with where the object is and why, as a typed error
    const errors = logs.entries().filter((e) => e.level === 'ERROR');
    expect(errors.map((e) => [e.message, e.messageId, e.bucket, e.key, e.reason, (e.error as { name: string }).name])).toEqual([
      ['Object rejected', 'bad/truncated.jpg', BUCKET, 'bad/truncated.jpg', 'CORRUPT', 'InvalidImageError'],
      ['Object rejected', 'bad/notes.jpg', BUCKET, 'bad/notes.jpg', 'NOT_AN_IMAGE', 'InvalidImageError'],
      ['Object rejected', 'bad/empty.jpg', BUCKET, 'bad/empty.jpg', 'NOT_AN_IMAGE', 'InvalidImageError'],
      ['Object rejected', 'bad/bomb.png', BUCKET, 'bad/bomb.png', 'TOO_MANY_PIXELS', 'InvalidImageError'],
      ['Object rejected', 'bad/vector.jpg', BUCKET, 'bad/vector.jpg', 'NOT_AN_IMAGE', 'InvalidImageError'],
    ]);
  });

  test('the pixel limit is width x height of the oriented image: exactly at the limit passes, one over fails', async () => {
    // GIVEN a real (solid colour) 2000 x 1500 JPEG
    const key = 'limit/solid.jpg';
    const size = await upload(key, await sharp({ create: { width: 2000, height: 1500, channels: 3, background: '#808080' } }).jpeg().toBuffer());
    const event = sqsEvent({ m1: s3NotificationBody(BUCKET, key, size) });
    const withLimit = (n: number) => ({ config: mod.parseConfig({ ...ENV, MAX_INPUT_PIXELS: String(n) }) });
    // WHEN the limit is one pixel lower THEN the record fails and nothing is written
    expect(failedIds(await mod.processBatch(event, withLimit(2000 * 1500 - 1)))).toEqual(['m1']);
    expect(await listKeys(BUCKET, 'thumbnails/limit/')).toEqual([]);
    expect(logs.entries().filter((e) => e.level === 'ERROR').map((e) => e.reason)).toEqual(['TOO_MANY_PIXELS']);
    // WHEN the limit is exactly its size THEN it is processed
    expect(failedIds(await mod.processBatch(event, withLimit(2000 * 1500)))).toEqual([]);
    expect(await listKeys(BUCKET, 'thumbnails/limit/')).toEqual(expectedKeys(key));
  });

  test('an object over MAX_INPUT_BYTES is rejected from the event size, without downloading it', async () => {
    // GIVEN a limit of 1000 bytes, and an event announcing 1001 for a key that does not even exist
    const config = mod.parseConfig({ ...ENV, MAX_INPUT_BYTES: '1000' });
    const response = await mod.processBatch(sqsEvent({ m1: s3NotificationBody(BUCKET, 'size/absent.jpg', 1001) }), { config });
    // THEN it fails as TOO_LARGE (a GET would have found nothing and skipped it as deleted)
    expect(failedIds(response)).toEqual(['m1']);
    expect(logs.entries().find((e) => e.level === 'ERROR')).toEqual(expect.objectContaining({ reason: 'TOO_LARGE' }));
  });

  test('an object over MAX_INPUT_BYTES is rejected from its Content-Length when the event has no size', async () => {
    const key = 'size/photo.jpg';
    const size = await upload(key, await noisy(300, 200).jpeg().toBuffer());
    const config = mod.parseConfig({ ...ENV, MAX_INPUT_BYTES: String(size - 1) });
    const body = JSON.parse(s3NotificationBody(BUCKET, key, size));
    delete body.Records[0].s3.object.size;
    // WHEN
    const response = await mod.processBatch(sqsEvent({ m1: JSON.stringify(body) }), { config });
    // THEN
    expect(failedIds(response)).toEqual(['m1']);
    expect(logs.entries().find((e) => e.level === 'ERROR')).toEqual(expect.objectContaining({ reason: 'TOO_LARGE' }));
    expect(await listKeys(BUCKET, 'thumbnails/size/')).toEqual([]);
  });
});

describe('what is skipped', () => {
  test('recursion guard: an object under OUTPUT_PREFIX in OUTPUT_BUCKET is skipped, nothing written', async () => {
    // GIVEN a valid image under the output prefix of the output bucket (as the function's own output is)
    const key = 'thumbnails/guard/cat-512w.jpg';
    const size = await upload(key, await noisy(512, 384).jpeg().toBuffer());
    // WHEN its notification arrives
    const response = await mod.processBatch(sqsEvent({ m1: s3NotificationBody(BUCKET, key, size) }));
    // THEN it succeeds without thumbnails of the thumbnail
    expect(response.batchItemFailures).toEqual([]);
    expect(await listKeys(BUCKET, 'thumbnails/thumbnails/')).toEqual([]);
    expect(logs.entries()).toContainEqual(expect.objectContaining({ level: 'INFO', message: 'Object skipped', key, reason: 'OWN_OUTPUT' }));
  });

  test('recursion guard: the same key in another bucket is a source like any other', async () => {
    const key = 'thumbnails/guard/dog.jpg';
    const size = await upload(key, await noisy(300, 200).jpeg().toBuffer(), 'uploads');
    const response = await mod.processBatch(sqsEvent({ m1: s3NotificationBody('uploads', key, size) }));
    expect(response.batchItemFailures).toEqual([]);
    expect(await listKeys(BUCKET, 'thumbnails/thumbnails/guard/')).toEqual(expectedKeys(key));
  });

  test('fails (writes nothing) if OUTPUT_PREFIX is empty and the source bucket is OUTPUT_BUCKET', async () => {
    // GIVEN a configuration under which every thumbnail would trigger thumbnails of itself
    const config = mod.parseConfig({ ...ENV, OUTPUT_PREFIX: '' });
    const key = 'loop/photo.jpg';
    const size = await upload(key, await noisy(300, 200).jpeg().toBuffer());
    // WHEN
    const response = await mod.processBatch(sqsEvent({ m1: s3NotificationBody(BUCKET, key, size) }), { config });
    // THEN
    expect(failedIds(response)).toEqual(['m1']);
    expect(await listKeys(BUCKET, 'loop/')).toEqual([key]);
    expect(logs.entries().find((e) => e.level === 'ERROR')).toEqual(
      expect.objectContaining({ reason: 'CONFIGURATION', error: expect.objectContaining({ message: expect.stringMatching(/OUTPUT_PREFIX is empty but the source bucket 'media' is OUTPUT_BUCKET/) }) }),
    );
  });

  test('an s3:TestEvent, a non-ObjectCreated event and a deleted object succeed with nothing written', async () => {
    const response = await mod.processBatch(
      sqsEvent({
        test: s3TestEventBody(BUCKET),
        removed: s3NotificationBody(BUCKET, 'skip/removed.jpg', 0, { eventName: 'ObjectRemoved:Delete' }),
        gone: s3NotificationBody(BUCKET, 'skip/never-there.jpg', 1234),
      }),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(await listKeys(BUCKET, 'thumbnails/skip/')).toEqual([]);
    const infos = logs.entries().filter((e) => e.level === 'INFO').map((e) => [e.message, e.messageId, e.reason]);
    expect(infos).toEqual([
      ['S3 test event ignored', 'test', undefined],
      ['Object skipped', 'removed', 'NOT_CREATED'],
      ['Object skipped', 'gone', 'GONE'],
    ]);
  });

  test('a body that is not an S3 notification fails only its record', async () => {
    const key = 'mixed/ok.jpg';
    const size = await upload(key, await noisy(200, 200).jpeg().toBuffer());
    const response = await mod.processBatch(sqsEvent({ junk: '{"hello":', ok: s3NotificationBody(BUCKET, key, size) }));
    expect(failedIds(response)).toEqual(['junk']);
    expect(await listKeys(BUCKET, 'thumbnails/mixed/')).toEqual(expectedKeys(key));
    expect(logs.entries().find((e) => e.level === 'ERROR')).toEqual(expect.objectContaining({ messageId: 'junk', reason: 'INVALID_JSON' }));
  });
});

describe('through a local SQS queue with a DLQ (event source mapping semantics)', () => {
  test('without DEAD_LETTER_QUEUE_URL, bad images end in the DLQ after maxReceiveCount, good ones get thumbnails once, nothing is lost', async () => {
    // GIVEN a queue redriving to a DLQ after 2 receives
    const maxReceiveCount = 2;
    const { queue, dlq } = await createQueueWithDlq(sqs, 'thumbnail-jobs', { maxReceiveCount, visibilityTimeoutSeconds: 0 });
    // AND the notifications S3 sends for good and bad uploads, plus the test event of a new configuration
    const jpeg = await noisy(800, 600).jpeg().toBuffer();
    const uploads: Record<string, Buffer> = {
      'e2e/one.jpg': jpeg,
      'e2e/two words.png': await noisy(400, 300).png().toBuffer(),
      'e2e/three.webp': await noisy(300, 300).webp().toBuffer(),
      'e2e/cut.jpg': jpeg.subarray(0, 5000),
      'e2e/readme.jpg': Buffer.from('not an image'),
    };
    const bodies = [s3TestEventBody(BUCKET)];
    for (const [key, body] of Object.entries(uploads)) bodies.push(s3NotificationBody(BUCKET, key, await upload(key, body)));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: bodies.map((b, i) => ({ Id: `m${i}`, MessageBody: b })) }));
    const keyOf = (body: string) => mod.parseNotification(body)[0]?.key ?? 'test-event';

    // WHEN the event source mapping runs the real handler until the queue is empty
    const invocations = await drain(sqs, queue, (event) => mod.processBatch(event));

    // THEN each good upload was delivered once and succeeded; each bad one failed on every delivery
    const deliveries = new Map<string, { n: number; failed: number }>();
    for (const { records, failedIds: failed } of invocations) {
      for (const r of records) {
        const d = deliveries.get(keyOf(r.body)) ?? { n: 0, failed: 0 };
        deliveries.set(keyOf(r.body), { n: d.n + 1, failed: d.failed + (failed.has(r.messageId) ? 1 : 0) });
      }
    }
    expect(Object.fromEntries(deliveries)).toEqual({
      'test-event': { n: 1, failed: 0 },
      'e2e/one.jpg': { n: 1, failed: 0 },
      'e2e/two words.png': { n: 1, failed: 0 },
      'e2e/three.webp': { n: 1, failed: 0 },
      'e2e/cut.jpg': { n: maxReceiveCount, failed: maxReceiveCount },
      'e2e/readme.jpg': { n: maxReceiveCount, failed: maxReceiveCount },
    });
    // AND the DLQ holds exactly the bad notifications, unchanged
    const dead = await receiveAll(sqs, dlq.url);
    expect(dead.map((m) => keyOf(m.Body!)).sort()).toEqual(['e2e/cut.jpg', 'e2e/readme.jpg']);
    // AND the good uploads have all their thumbnails, the bad ones none
    expect(await listKeys(BUCKET, 'thumbnails/e2e/')).toEqual(
      [...expectedKeys('e2e/one.jpg'), ...expectedKeys('e2e/two words.png'), ...expectedKeys('e2e/three.webp')].sort(),
    );
    // AND nothing is lost: the queue is empty, every message was either processed or dead-lettered
    expect(await messagesIn(sqs, queue.url)).toBe(0);
    expect(1 + 3 + dead.length).toBe(bodies.length);
  });
});

describe('the deadline and the dead-letter queue, through a local SQS queue', () => {
  // fauxqs names queues http://sqs.<region>.localhost:<port>/..., and the handler's SQS client sends to
  // the queue URL's host, as it does in AWS (where that host is the SQS endpoint). Resolve *.localhost
  // to the loopback address, where fauxqs listens, for these tests.
  // The module object itself (an ES import is a read-only namespace), as net.connect reads dns.lookup from it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the mutable module object, not a read-only ES namespace
  const dns: { lookup: unknown } = require('node:dns');
  let restoreLookup = () => undefined as unknown;
  beforeAll(() => {
    const original = dns.lookup;
    const patched = (hostname: string, options: unknown, callback: unknown) => {
      if (typeof options === 'function') [options, callback] = [{}, options];
      const cb = callback as (...args: unknown[]) => void;
      if (!hostname.endsWith('.localhost')) return (original as (...args: unknown[]) => void)(hostname, options, callback);
      if ((options as { all?: boolean }).all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
      else cb(null, '127.0.0.1', 4);
    };
    dns.lookup = patched;
    restoreLookup = () => (dns.lookup = original);
  });
  afterAll(() => restoreLookup());
  // The SDK says on each such request that it uses the queue URL's host (console.warn); nothing else may be printed.
  let printed: ConsoleOutput;
  beforeEach(() => {
    printed = expectConsoleOutput();
  });
  afterEach(() => {
    expect(printed.calls.filter((c) => !/^QueueUrl=\S+ differs from SQSClient resolved endpoint=/.test(c.text))).toEqual([]);
  });

  /** A Lambda context whose remaining time comes from `remaining`, called once per check. */
  const contextWith = (remaining: () => number) => ({ getRemainingTimeInMillis: remaining }) as unknown as Context;
  const AMPLE = contextWith(() => 60_000);

  /** How often each labelled message was delivered, and how often it failed. */
  function deliveries(invocations: Invocation[], labelOf: (body: string) => string): Record<string, { n: number; failed: number }> {
    const counts: Record<string, { n: number; failed: number }> = {};
    for (const { records, failedIds: failed } of invocations) {
      for (const r of records) {
        const d = (counts[labelOf(r.body)] ??= { n: 0, failed: 0 });
        d.n++;
        if (failed.has(r.messageId)) d.failed++;
      }
    }
    return counts;
  }

  test('records not started before the deadline are returned as failures, then processed on their next delivery', async () => {
    // GIVEN a queue of 4 good uploads
    const { queue, dlq } = await createQueueWithDlq(sqs, 'deadline-jobs', { maxReceiveCount: 3, visibilityTimeoutSeconds: 0 });
    const keys = [0, 1, 2, 3].map((i) => `deadline/p${i}.jpg`);
    const entries: SendMessageBatchRequestEntry[] = [];
    for (const [i, key] of keys.entries()) entries.push({ Id: `m${i}`, MessageBody: s3NotificationBody(BUCKET, key, await upload(key, await noisy(400, 300).jpeg().toBuffer())) });
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }));
    // AND a first invocation with plenty of time for its first record, then a tiny remaining time
    // (the margin is 10 s; 5 ms are left once the first record has started)
    let checks = 0;
    const late = contextWith(() => (checks++ === 0 ? 60_000 : 5));
    let invocation = 0;

    // WHEN the event source mapping runs the handler until the queue is empty
    const invocations = await drain(sqs, queue, (event) => mod.processBatch(event, { context: invocation++ === 0 ? late : AMPLE }));

    // THEN the first invocation processed its first record and returned every later one, unstarted
    const [first] = invocations;
    expect(first.records.length).toBeGreaterThan(1);
    expect([...first.failedIds].sort()).toEqual(first.records.slice(1).map((r) => r.messageId).sort());
    expect(logs.entries()).toContainEqual(expect.objectContaining({
      level: 'WARN', message: 'Deadline near: records not started are returned for a retry', notStarted: first.records.slice(1).map((r) => r.messageId), marginMs: 10_000,
    }));
    // AND those records were delivered again and succeeded: every upload has its thumbnails, none reached the DLQ
    const counts = deliveries(invocations, (body) => mod.parseNotification(body)[0].key);
    for (const r of first.records.slice(1)) expect(counts[mod.parseNotification(r.body)[0].key]).toEqual({ n: 2, failed: 1 });
    expect(await listKeys(BUCKET, 'thumbnails/deadline/')).toEqual(keys.flatMap((k) => expectedKeys(k)).sort());
    expect(await receiveAll(sqs, dlq.url)).toEqual([]);
    expect(await messagesIn(sqs, queue.url)).toBe(0);
  });

  test('records that can never succeed reach the dead-letter queue after ONE receive, body and attributes intact', async () => {
    // GIVEN a queue with a redrive policy of 3 receives, and the handler configured with its DLQ
    const { queue, dlq } = await createQueueWithDlq(sqs, 'poison-jobs', { maxReceiveCount: 3, visibilityTimeoutSeconds: 0 });
    const config = mod.parseConfig({ ...ENV, DEAD_LETTER_QUEUE_URL: dlq.url, MAX_INPUT_BYTES: '100000' });
    // AND messages for a good upload and for each kind of record that no retry can fix, with attributes
    const bodies: Record<string, string> = {
      'good': s3NotificationBody(BUCKET, 'poison/good.jpg', await upload('poison/good.jpg', await noisy(300, 200).jpeg().toBuffer())),
      'not an image': s3NotificationBody(BUCKET, 'poison/notes.jpg', await upload('poison/notes.jpg', Buffer.from('my holiday notes'))),
      'over the pixel limit': s3NotificationBody(BUCKET, 'poison/bomb.png', await upload('poison/bomb.png', pngDeclaring(100_000, 100_000))),
      'too large': s3NotificationBody(BUCKET, 'poison/huge.jpg', 100_001),
      'not a notification': '{"hello": "world"}',
    };
    const attributes = {
      origin: { DataType: 'String', StringValue: 'uploader-7' },
      checksum: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 254, 255]) },
    };
    await sqs.send(new SendMessageBatchCommand({
      QueueUrl: queue.url,
      Entries: Object.values(bodies).map((body, i) => ({ Id: `m${i}`, MessageBody: body, MessageAttributes: attributes })),
    }));
    const labelOf = (body: string) => Object.keys(bodies).find((label) => bodies[label] === body)!;

    // WHEN
    const invocations = await drain(sqs, queue, (event) => mod.processBatch(event, { config, context: AMPLE }));

    // THEN each was received once and reported processed (deleted from the queue)
    expect(deliveries(invocations, labelOf)).toEqual(Object.fromEntries(Object.keys(bodies).map((label) => [label, { n: 1, failed: 0 }])));
    // AND the DLQ holds the four bad ones, with their bodies and attributes unchanged
    const dead = await receiveAll(sqs, dlq.url);
    expect(dead.map((m) => labelOf(m.Body!)).sort()).toEqual(['not a notification', 'not an image', 'over the pixel limit', 'too large']);
    for (const m of dead) {
      expect(m.MessageAttributes).toEqual({
        origin: expect.objectContaining({ DataType: 'String', StringValue: 'uploader-7' }),
        checksum: expect.objectContaining({ DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 254, 255]) }),
      });
    }
    // AND each was logged with why
    const sent = logs.entries().filter((e) => e.message === 'Record sent to the dead-letter queue');
    expect(sent.map((e) => e.reason).sort()).toEqual(['NOT_AN_IMAGE', 'NOT_AN_S3_NOTIFICATION', 'TOO_LARGE', 'TOO_MANY_PIXELS']);
    // AND the good one has its thumbnails; the queue is empty
    expect(await listKeys(BUCKET, 'thumbnails/poison/')).toEqual(expectedKeys('poison/good.jpg'));
    expect(await messagesIn(sqs, queue.url)).toBe(0);
  });

  test('a record whose dead-letter send fails is left for a retry, and reaches the DLQ through the redrive policy', async () => {
    // GIVEN the handler configured with a dead-letter queue it cannot send to (here: one that does not exist)
    const maxReceiveCount = 2;
    const { queue, dlq } = await createQueueWithDlq(sqs, 'unsendable-jobs', { maxReceiveCount, visibilityTimeoutSeconds: 0 });
    const config = mod.parseConfig({ ...ENV, DEAD_LETTER_QUEUE_URL: dlq.url.replace(/unsendable-jobs-dlq$/, 'no-such-queue') });
    const body = s3NotificationBody(BUCKET, 'unsendable/notes.jpg', await upload('unsendable/notes.jpg', Buffer.from('not an image')));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: [{ Id: 'm0', MessageBody: body }] }));

    // WHEN
    const invocations = await drain(sqs, queue, (event) => mod.processBatch(event, { config, context: AMPLE }));

    // THEN it failed on every delivery (so it was not deleted), and the redrive policy moved it: nothing lost
    expect(deliveries(invocations, () => 'notes')).toEqual({ notes: { n: maxReceiveCount, failed: maxReceiveCount } });
    expect((await receiveAll(sqs, dlq.url)).map((m) => m.Body)).toEqual([body]);
    expect(logs.entries()).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'Dead-letter send failed; the record will be retried', reason: 'NOT_AN_IMAGE' }));
  });
});
