import { parseConfig } from '../../../lambda/thumbnail/config';
import { isOwnOutput, thumbnailKey } from '../../../lambda/thumbnail/keys';

describe('thumbnailKey', () => {
  test.each([
    ['photos/cat.png', 128, 'jpeg', 'thumbnails/', 'thumbnails/photos/cat-128w.jpg'],
    ['a/b/photo.JPEG', 512, 'webp', 'thumbnails/', 'thumbnails/a/b/photo-512w.webp'],
    ['archive.tar.png', 64, 'avif', 't/', 't/archive.tar-64w.avif'],
    ['dir.v2/noext', 128, 'jpeg', 'thumbnails/', 'thumbnails/dir.v2/noext-128w.jpg'],
    ['My Holiday/café (1).png', 128, 'webp', '', 'My Holiday/café (1)-128w.webp'],
  ] as const)('%s, %d, %s, prefix %j: %s', (key, width, format, prefix, expected) => {
    expect(thumbnailKey(key, width, format, prefix)).toBe(expected);
  });

  test.each([
    ['cat.tar.gz', 'cat.tar'],
    ['a.b/c', 'a.b/c'],
    ['dir/.profile', 'dir/.profile'],
    ['.profile', '.profile'],
    ['dir/x.', 'dir/x'],
    ['dir/ab.c', 'dir/ab'],
    ['noext', 'noext'],
  ])('only the last segment\'s extension is removed: %j -> %j', (key, stem) => {
    expect(thumbnailKey(key, 64, 'jpeg', '')).toBe(`${stem}-64w.jpg`);
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
