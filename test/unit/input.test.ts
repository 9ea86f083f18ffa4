import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { OcrError } from '../../server/src/errors';
import { decodeBmp } from '../../server/src/pipeline/bmp';
import { clampRegion, loadPage, sniffFormat } from '../../server/src/pipeline/load';
import { defaultLimits } from '../../server/src/limits';
import { encryptedPdf, hugePngHeader } from '../fixtures';

/** A 24-bit bottom-up BMP of the given RGB pixels. */
function bmp24(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const buf = Buffer.alloc(54 + rowBytes * height);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      const o = 54 + (height - 1 - y) * rowBytes + x * 3;
      buf[o] = b;
      buf[o + 1] = g;
      buf[o + 2] = r;
    }
  }
  return buf;
}

const kindOf = (error: unknown) => (error instanceof OcrError ? error.kind : String(error));

describe('input decoding', () => {
  it('recognises formats by their bytes', () => {
    assert.equal(sniffFormat(encryptedPdf()), 'pdf');
    assert.equal(sniffFormat(bmp24(2, 2, () => [0, 0, 0])), 'bmp');
    assert.equal(sniffFormat(hugePngHeader(10, 10)), 'raster');
  });

  it('decodes 24-bit BMP bottom-up rows in the right order and colour', () => {
    const image = decodeBmp(bmp24(3, 2, (x, y) => (y === 0 ? [255, 0, 0] : [0, 0, x * 100])));
    assert.deepEqual([...image.data.subarray(0, 3)], [255, 0, 0]);
    assert.deepEqual([...image.data.subarray(15, 18)], [0, 0, 200]);
  });

  it('refuses a truncated BMP', () => {
    const bytes = bmp24(40, 40, () => [1, 2, 3]).subarray(0, 200);
    assert.throws(() => decodeBmp(bytes), (e: unknown) => kindOf(e) === 'corruptImage');
  });

  it('clips regions to the page and rejects empty or outside ones', () => {
    assert.deepEqual(clampRegion({ x: -10, y: 5, width: 50, height: 500 }, 100, 100), { x: 0, y: 5, width: 40, height: 95 });
    assert.deepEqual(clampRegion(undefined, 30, 20), { x: 0, y: 0, width: 30, height: 20 });
    for (const bad of [{ x: 0, y: 0, width: -1, height: 5 }, { x: 200, y: 0, width: 5, height: 5 }, { x: NaN, y: 0, width: 5, height: 5 }]) {
      assert.throws(() => clampRegion(bad, 100, 100), (e: unknown) => kindOf(e) === 'badRegion');
    }
  });

  it('reads every page of a multi-page TIFF and an animated GIF', async () => {
    const white = await sharp({ create: { width: 60, height: 40, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const black = await sharp({ create: { width: 60, height: 40, channels: 3, background: '#000000' } }).png().toBuffer();
    for (const format of ['tiff', 'gif'] as const) {
      const bytes = await sharp([white, black], { join: { animated: true } })[format]().toBuffer();
      const second = await loadPage(bytes, { page: 2 }, defaultLimits);
      assert.equal(second.pageCount, 2, format);
      assert.equal(second.image.height, 40, format);
      assert.ok(second.image.data[0]! < 20, `${format} page 2 should be black`);
      await assert.rejects(loadPage(bytes, { page: 3 }, defaultLimits), (e: unknown) => kindOf(e) === 'pageOutOfRange');
    }
  });

  it('applies EXIF orientation so regions match what the user sees', async () => {
    const tall = await sharp({ create: { width: 40, height: 80, channels: 3, background: '#ffffff' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const page = await loadPage(tall, {}, defaultLimits);
    assert.equal(page.image.width, 80);
    assert.equal(page.image.height, 40);
  });

  it('composites transparency over white, as paper', async () => {
    const clear = await sharp({ create: { width: 4, height: 4, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const page = await loadPage(clear, {}, defaultLimits);
    assert.deepEqual([...page.image.data.subarray(0, 3)], [255, 255, 255]);
  });

  it('refuses oversized images from the header, naming the limit', async () => {
    await assert.rejects(loadPage(hugePngHeader(9000, 9000), {}, defaultLimits), /9000 × 9000 pixels, above the limit of 60 megapixels \(maxPixels\)/);
  });
});
