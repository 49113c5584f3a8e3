import { S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import sharp, { type Sharp } from 'sharp';
import { s3NotificationBody } from '../../support/s3-notifications';
import { BUCKET, expectedKeys, failedIds, FORMATS, noisy, pixelAt, type ThumbnailModule, useThumbnailHandler, WIDTHS } from './fixtures';

// Downloading and working ahead (download.ts, prefetch.ts), through the handler against a local S3 server.
const h = useThumbnailHandler();
const { upload, sqsEvent, listKeys, getObject, logs } = h;
let mod: ThumbnailModule;
beforeAll(() => {
  mod = h.mod;
});

describe('download', () => {
  test('asks for a young-generation GC once each download is copied out, where node exposes gc (as Lambda does)', async () => {
    // GIVEN a batch of 2 images
    const records: Record<string, string> = {};
    for (let i = 0; i < 2; i++) {
      records[`m${i}`] = s3NotificationBody(BUCKET, `gc/p${i}.jpg`, await upload(`gc/p${i}.jpg`, await noisy(400, 300).jpeg().toBuffer()));
    }
    // AND gc exposed, as node --expose-gc does (jest runs without it)
    const global = globalThis as { gc?: unknown };
    const gc = jest.fn();
    global.gc = gc;
    try {
      // WHEN
      expect((await mod.processBatch(sqsEvent(records))).batchItemFailures).toEqual([]);
    } finally {
      delete global.gc;
    }
    // THEN one scavenge per download, never a full collection
    expect(gc.mock.calls).toEqual([[{ type: 'minor' }], [{ type: 'minor' }]]);
  });

  test('reads each download into reused memory, never memory still being decoded: every thumbnail shows its own image', async () => {
    // GIVEN a batch of 4 images of one solid colour each, all small enough to share buffers
    const colours = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]];
    const records: Record<string, string> = {};
    for (const [i, [r, g, b]] of colours.entries()) {
      const body = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r, g, b } } }).jpeg().toBuffer();
      records[`m${i}`] = s3NotificationBody(BUCKET, `reuse/p${i}.jpg`, await upload(`reuse/p${i}.jpg`, body));
    }
    // AND every sharp pipeline held back 30 ms before it starts, so that memory handed back before its
    // decode had read it would meanwhile be overwritten by the next record's download
    const proto = (sharp as unknown as { prototype: Sharp }).prototype;
    const { toBuffer } = proto;
    const spy = jest.spyOn(proto, 'toBuffer').mockImplementation(async function (this: Sharp, options?: { resolveWithObject: true }) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return toBuffer.call(this, options as { resolveWithObject: true });
    } as never);
    const before = mod.SOURCE_BUFFERS.stats.allocations;
    try {
      // WHEN
      expect((await mod.processBatch(sqsEvent(records))).batchItemFailures).toEqual([]);
    } finally {
      spy.mockRestore();
    }
    // THEN each image's thumbnail has that image's colour
    for (const [i, colour] of colours.entries()) {
      const pixel = await pixelAt((await getObject(BUCKET, `thumbnails/reuse/p${i}-512w.jpg`)).body, 200, 150);
      expect(pixel.map((v, c) => Math.abs(v - colour[c]) <= 8)).toEqual([true, true, true]);
    }
    // AND the 4 downloads took at most 2 buffers (one decoding while the next downloads), not one each
    expect(mod.SOURCE_BUFFERS.stats.allocations - before).toBeLessThanOrEqual(2);
  });

  test.each([
    ['cut short', 600, /GET s3:\/\/media\/cut\/short\.jpg: the body ended after 600 of its 1000 bytes/],
    ['longer than announced', 1400, /GET s3:\/\/media\/cut\/longer than announced\.jpg: the body is longer than its Content-Length, 1000 bytes/],
  ])('a download %s fails its record for a retry, writes nothing, and hands its memory back', async (label, sent, message) => {
    // GIVEN S3 answers a GET with Content-Length 1000 and a body of another length
    const key = label === 'cut short' ? 'cut/short.jpg' : `cut/${label}.jpg`;
    const send = S3Client.prototype.send;
    const spy = jest.spyOn(S3Client.prototype, 'send').mockImplementation(function (this: S3Client, command: { constructor: { name: string } }) {
      if (command.constructor.name !== 'GetObjectCommand') return (send as (c: unknown) => Promise<unknown>).call(this, command);
      async function* body() {
        yield Buffer.alloc(sent / 2, 1);
        yield Buffer.alloc(sent / 2, 2);
      }
      return Promise.resolve({ ContentLength: 1000, Body: body() });
    } as never);
    const free = mod.SOURCE_BUFFERS.stats.free;
    let response: SQSBatchResponse;
    try {
      // WHEN
      response = await mod.processBatch(sqsEvent({ m1: s3NotificationBody(BUCKET, key, 1000) }));
    } finally {
      spy.mockRestore();
    }
    // THEN the record fails as an I/O error (retried), not as a bad image, and nothing is written
    expect(failedIds(response)).toEqual(['m1']);
    const [error] = logs.entries().filter((e) => e.level === 'ERROR');
    expect([error.reason, (error.error as { message: string }).message]).toEqual(['UNEXPECTED_ERROR', expect.stringMatching(message)]);
    expect(await listKeys(BUCKET, 'thumbnails/cut/')).toEqual([]);
    // AND the buffer it was read into is free again
    expect(mod.SOURCE_BUFFERS.stats.free).toBe(Math.max(free, 1));
  });

});

describe('prefetch', () => {
  /** A Lambda context whose remaining time comes from `remaining`, called once per check. */
  const contextWith = (remaining: () => number) => ({ getRemainingTimeInMillis: remaining }) as unknown as Context;

  test('downloads the next record\'s object while the current one renders, each object once', async () => {
    // GIVEN a batch of 3 images
    const records: Record<string, string> = {};
    for (let i = 0; i < 3; i++) {
      records[`m${i}`] = s3NotificationBody(BUCKET, `ahead/p${i}.jpg`, await upload(`ahead/p${i}.jpg`, await noisy(400, 300).jpeg().toBuffer()));
    }
    // AND a record of the S3 requests the handler sends, in order
    const requests: string[] = [];
    const send = S3Client.prototype.send;
    const spy = jest.spyOn(S3Client.prototype, 'send').mockImplementation(function (this: S3Client, command: { constructor: { name: string }; input: { Key?: string } }) {
      requests.push(`${command.constructor.name.replace('ObjectCommand', '')} ${command.input.Key?.replace(/^(thumbnails\/)?ahead\/(p\d).*$/, '$2')}`);
      return (send as (c: unknown) => Promise<unknown>).call(this, command);
    } as never);
    try {
      // WHEN
      expect((await mod.processBatch(sqsEvent(records))).batchItemFailures).toEqual([]);
    } finally {
      spy.mockRestore();
    }
    // THEN each record's GET is followed by the next record's, before the first record's thumbnails are written;
    // the third is sent once the first image is encoded, before its last thumbnail's PUT (the second image's
    // decode is started first, then the download that will follow it)
    const collapsed = requests.filter((r, i) => r !== requests[i - 1]);
    expect(collapsed).toEqual(['Get p0', 'Get p1', 'Put p0', 'Get p2', 'Put p0', 'Put p1', 'Put p2']);
    expect(requests.filter((r) => r.startsWith('Get'))).toHaveLength(3);
  });

  test('writes each thumbnail once it is encoded, and starts decoding the next record before the last one is even sent', async () => {
    // GIVEN a batch of 2 images
    const records: Record<string, string> = {};
    for (let i = 0; i < 2; i++) {
      records[`m${i}`] = s3NotificationBody(BUCKET, `overlap/p${i}.jpg`, await upload(`overlap/p${i}.jpg`, await noisy(400, 300).jpeg().toBuffer()));
    }
    // AND a log, in order, of: S3 requests, with each PUT answered 100 ms late (a slow S3); each image's
    // decode as it is handed to sharp; and each encode, the k-th output of an image held until k x 40 ms
    // (so the outputs finish one after the other, far apart)
    const log: string[] = [];
    const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const send = S3Client.prototype.send;
    const sendSpy = jest.spyOn(S3Client.prototype, 'send').mockImplementation(async function (this: S3Client, command: { constructor: { name: string }; input: { Key?: string } }) {
      const label = `${command.constructor.name.replace('ObjectCommand', '')} ${command.input.Key?.replace(/^(thumbnails\/)?overlap\//, '')}`;
      log.push(label);
      const result = await (send as (c: unknown) => Promise<unknown>).call(this, command);
      if (label.startsWith('Put')) {
        await delay(100);
        log.push(`${label} done`);
      }
      return result;
    } as never);
    const proto = (sharp as unknown as { prototype: Sharp }).prototype;
    const { toBuffer } = proto;
    let calls = 0;
    const toBufferSpy = jest.spyOn(proto, 'toBuffer').mockImplementation(function (this: Sharp, options?: { resolveWithObject: true }) {
      const k = calls++ % 5; // per image: the decode, then its 4 outputs
      if (k === 0) log.push('decode');
      const result = toBuffer.call(this, options as { resolveWithObject: true });
      return k === 0 ? result : result.then(async (r) => (await delay(k * 40), log.push(`encoded ${k}`), r));
    } as never);
    try {
      // WHEN
      expect((await mod.processBatch(sqsEvent(records))).batchItemFailures).toEqual([]);
    } finally {
      sendSpy.mockRestore();
      toBufferSpy.mockRestore();
    }
    // THEN each of the first image's thumbnails is written as soon as it is encoded, before the next one is
    const p0 = log.filter((l) => /^(encoded|Put p0-[^ ]+$)/.test(l)).slice(0, 8);
    expect(p0).toEqual(['encoded 1', 'Put p0-128w.jpg', 'encoded 2', 'Put p0-128w.webp', 'encoded 3', 'Put p0-512w.jpg', 'encoded 4', 'Put p0-512w.webp']);
    // AND the second image's decode is handed to sharp as soon as the first image's last output is encoded:
    // before that output's PUT is sent, so no S3 request work on the event loop delays it (its download
    // and header read happened earlier, while the first image rendered)
    const secondDecode = log.indexOf('decode', log.indexOf('decode') + 1);
    expect(log.slice(log.indexOf('encoded 4'), secondDecode + 2)).toEqual(['encoded 4', 'decode', 'Put p0-512w.webp']);
    expect(await listKeys(BUCKET, 'thumbnails/overlap/')).toHaveLength(2 * WIDTHS.length * FORMATS.length);
  });

  test('an object downloaded ahead for a record that is then not started hands its memory back', async () => {
    // GIVEN two uploads, and both of the pool's buffers free
    const records: Record<string, string> = {};
    for (let i = 0; i < 2; i++) records[`m${i}`] = s3NotificationBody(BUCKET, `ahead-late/p${i}.jpg`, await upload(`ahead-late/p${i}.jpg`, await noisy(400, 300).jpeg().toBuffer()));
    expect(mod.SOURCE_BUFFERS.stats.free).toBe(2);
    // AND time for the first record and for downloading the second ahead, then a tiny remaining time
    let checks = 0;
    const late = contextWith(() => (checks++ < 2 ? 60_000 : 5));
    const requests: string[] = [];
    const send = S3Client.prototype.send;
    const spy = jest.spyOn(S3Client.prototype, 'send').mockImplementation(function (this: S3Client, command: { constructor: { name: string }; input: { Key?: string } }) {
      requests.push(`${command.constructor.name.replace('ObjectCommand', '')} ${command.input.Key}`);
      return (send as (c: unknown) => Promise<unknown>).call(this, command);
    } as never);
    let response: SQSBatchResponse;
    try {
      // WHEN
      response = await mod.processBatch(sqsEvent(records), { context: late });
    } finally {
      spy.mockRestore();
    }
    // THEN the second record was downloaded ahead but not started
    expect(failedIds(response)).toEqual(['m1']);
    expect(requests).toContain('Get ahead-late/p1.jpg');
    expect(await listKeys(BUCKET, 'thumbnails/ahead-late/')).toEqual(expectedKeys('ahead-late/p0.jpg'));
    // AND its buffer is back in the pool once its download is over
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(mod.SOURCE_BUFFERS.stats.free).toBe(2);
  });
});
