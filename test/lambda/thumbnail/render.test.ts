import sharp from 'sharp';
import { parseConfig } from '../../../lambda/thumbnail/config';
import { renderThumbnails } from '../../../lambda/thumbnail/render';
import { ENV, expectRejected, noisy, pngDeclaring } from './fixtures';

// Rendering in memory; the handler tests (handler.test.ts) cover formats, orientation, transparency and
// rejected images end to end.
describe('renderThumbnails', () => {
  test('applies the configured qualities', async () => {
    // GIVEN the same image rendered at JPEG quality 30 and 95
    const input = await noisy(640, 480).jpeg().toBuffer();
    const at = (q: string) => renderThumbnails(input, parseConfig({ OUTPUT_BUCKET: 'x', THUMBNAIL_WIDTHS: '512', THUMBNAIL_FORMATS: 'jpeg', JPEG_QUALITY: q }));
    const [[low], [high]] = await Promise.all([at('30'), at('95')]);
    // THEN the low-quality one is much smaller
    expect(low.data.length).toBeLessThan(high.data.length / 2);
  });

  test('AVIF output (not in the handler tests\' formats) when configured', async () => {
    const [thumb] = await renderThumbnails(await noisy(300, 200).png().toBuffer(), parseConfig({ OUTPUT_BUCKET: 'x', THUMBNAIL_WIDTHS: '128', THUMBNAIL_FORMATS: 'avif' }));
    expect([thumb.contentType, thumb.width, thumb.height, (await sharp(thumb.data).metadata()).compression]).toEqual(['image/avif', 128, 85, 'av1']);
  });

  test('the default limit (50 megapixels) applies to the dimensions the header declares', async () => {
    // GIVEN PNGs declaring 8000 x 6251 (one row over 50,000,000 pixels) and 8000 x 6250, with almost no data
    const config = parseConfig({ ...ENV });
    // THEN the first is rejected for its size, without decoding
    await expectRejected(renderThumbnails(pngDeclaring(8000, 6251), config), 'InvalidImageError', 'TOO_MANY_PIXELS');
    // AND the second gets as far as decoding, which finds no image data
    await expectRejected(renderThumbnails(pngDeclaring(8000, 6250), config), 'InvalidImageError', 'CORRUPT');
  });
});
