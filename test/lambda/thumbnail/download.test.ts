import { parseConfig, ThumbnailConfigError } from '../../../lambda/thumbnail/config';
import { precheck } from '../../../lambda/thumbnail/download';
import { InvalidImageError } from '../../../lambda/thumbnail/render';

// The checks made before any download; the download itself is tested through the handler (prefetch.test.ts).
describe('precheck', () => {
  const config = () => parseConfig({ OUTPUT_BUCKET: 'out', MAX_INPUT_BYTES: '1000' });
  const event = (eventName: string, bucket: string, key: string, size?: number) =>
    ({ eventName, bucket, key, ...(size === undefined ? {} : { size }) });

  test.each([
    ['ObjectCreated:Put', 'in', 'a.jpg', 1000],
    ['ObjectCreated:CompleteMultipartUpload', 'out', 'photos/a.jpg', 0],
    ['ObjectCreated:Copy', 'in', 'thumbnails/a.jpg', undefined],
  ])('%s of s3://%s/%s (size %s) is to be processed', (eventName, bucket, key, size) => {
    expect(precheck(event(eventName, bucket, key, size), config())).toBeUndefined();
  });

  test.each(['ObjectRemoved:Delete', 'ObjectRestore:Completed', 'objectcreated:Put', 'XObjectCreated:Put'])('skips %s: not an ObjectCreated event', (eventName) => {
    expect(precheck(event(eventName, 'in', 'a.jpg', 10), config())).toEqual({ status: 'skipped', reason: 'NOT_CREATED' });
  });

  test('skips the function\'s own output, before any size check', () => {
    expect(precheck(event('ObjectCreated:Put', 'out', 'thumbnails/a-128w.jpg', 5000), config())).toEqual({ status: 'skipped', reason: 'OWN_OUTPUT' });
  });

  test('fails if the event announces one byte over MAX_INPUT_BYTES', () => {
    const check = () => precheck(event('ObjectCreated:Put', 'in', 'a.jpg', 1001), config());
    expect(check).toThrow(InvalidImageError);
    expect(check).toThrow(expect.objectContaining({ reason: 'TOO_LARGE', message: 'TOO_LARGE: 1001 bytes exceeds MAX_INPUT_BYTES 1000' }));
  });

  test('fails if OUTPUT_PREFIX is empty and the source bucket is OUTPUT_BUCKET; another bucket is a source', () => {
    const rootConfig = parseConfig({ OUTPUT_BUCKET: 'out', OUTPUT_PREFIX: '' });
    const check = () => precheck(event('ObjectCreated:Put', 'out', 'a.jpg', 10), rootConfig);
    expect(check).toThrow(ThumbnailConfigError);
    expect(check).toThrow(
      "thumbnail: invalid configuration: OUTPUT_PREFIX is empty but the source bucket 'out' is OUTPUT_BUCKET: thumbnails would trigger thumbnails",
    );
    expect(precheck(event('ObjectCreated:Put', 'in', 'a.jpg', 10), rootConfig)).toBeUndefined();
  });
});
