import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { normalizedEditDistance } from '../../server/src/engines/math/latex';
import { OcrService } from '../../server/src/service';
import { root, tempDir, writeTemp } from '../fixtures';

const service = new OcrService({ executionProvider: 'cpu' });
const never = { isCancellationRequested: false };
const scan = path.join(root, 'media/samples/sample-scan.png');

describe('small type', () => {
  it('reads the sample scan shrunk to 35 % (type of a 72-dpi page) as well as at full size, boxes in its own pixels', async () => {
    const full = await service.recognize({ source: { path: scan }, mode: 'text' }, never);
    const small = writeTemp(tempDir(), 'small.png', await sharp(scan).resize({ width: 446 }).png().toBuffer());
    const result = await service.recognize({ source: { path: small }, mode: 'text' }, never);
    const chars = (text: string) => [...text.replace(/\s+/g, ' ').trim()];
    // Read through bilinear upscales alone, the shrunk page came out at a character edit distance of 0.12.
    const distance = normalizedEditDistance(chars(full.content), chars(result.content));
    assert.ok(distance < 0.05, `character edit distance ${distance.toFixed(3)} to the full-size reading`);
    for (const line of result.lines) {
      for (const [x, y] of line.box) assert.ok(x > -2 && x < 448 && y > -2 && y < 387, `box inside the 446 × 385 page: ${JSON.stringify(line.box)}`);
    }
  });
});
