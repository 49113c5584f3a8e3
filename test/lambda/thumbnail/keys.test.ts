import { parseConfig } from '../../../lambda/thumbnail/config';
import { isOwnOutput, thumbnailKey } from '../../../lambda/thumbnail/keys';

describe('thumbnailKey', () => {
  test.each([
    ['photos/cat.png', 128, 'jpeg', 'thumbnails/', 'thumbnails/photos/cat-128w.jpg'],
    ['a/b/photo.JPEG', 512, 'webp', 'thumbnails/', 'thumbnails/a/b/photo-512w.webp'],
    ['cat.tar.gz', 512, 'webp', '', 'cat.tar-512w.webp'],
    ['archive.tar.png', 64, 'avif', 't/', 't/archive.tar-64w.avif'],
    ['a.b/c', 64, 'avif', 't/', 't/a.b/c-64w.avif'],
    ['dir.v2/noext', 128, 'jpeg', 'thumbnails/', 'thumbnails/dir.v2/noext-128w.jpg'],
    ['dir/.profile', 64, 'jpeg', '', 'dir/.profile-64w.jpg'],
    ['.profile', 64, 'jpeg', '', '.profile-64w.jpg'],
    ['dir/x.', 64, 'jpeg', '', 'dir/x-64w.jpg'],
    ['dir/ab.c', 64, 'jpeg', '', 'dir/ab-64w.jpg'],
    ['noext', 64, 'jpeg', '', 'noext-64w.jpg'],
    ['My Holiday/café (1).png', 128, 'webp', '', 'My Holiday/café (1)-128w.webp'],
  ] as const)('%s, %d, %s, prefix %j: %s', (key, width, format, prefix, expected) => {
    expect(thumbnailKey(key, width, format, prefix)).toBe(expected);
  });
});

describe('isOwnOutput', () => {
  test.each([
    ['out', 'thumbnails/a.jpg', true],
    ['out', 'thumbnails/', true],
    ['out', 'photos/a.jpg', false],
    ['out', 'x/thumbnails/a.jpg', false],
    ['in', 'thumbnails/a.jpg', false],
  ])('bucket %s, key %s: own output %s', (bucket, key, own) => {
    expect(isOwnOutput(bucket, key, parseConfig({ OUTPUT_BUCKET: 'out' }))).toBe(own);
  });
});
