import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { bulletAtStart, type GrayPage } from '../../server/src/engines/text/bullets';
import { joinLoneBullets } from '../../server/src/engines/text';
import type { LayoutLine } from '../../server/src/engines/text/layout';

/** A white page with filled rectangles of ink. */
function page(width: number, height: number, rects: [number, number, number, number][]): GrayPage {
  const gray = new Uint8Array(width * height).fill(255);
  for (const [x0, y0, x1, y1] of rects) for (let y = y0; y < y1; y++) gray.fill(0, y * width + x0, y * width + x1);
  return { width, height, gray, threshold: 128 };
}
// A line box 30 px tall from x = 100; its first letter starts at 100 and its text runs to 400.
const line = { x0: 100, y0: 100, x1: 130, y1: 130 };
const letters: [number, number, number, number][] = [[100, 105, 112, 125], [116, 105, 128, 125], [132, 105, 144, 125]];

describe('list bullets', () => {
  it('finds a dot before a line', () => {
    const found = bulletAtStart(page(500, 300, [[70, 112, 78, 120], ...letters]), line);
    assert.equal(found?.kind, 'dot');
  });

  it('finds a dash before a line, at mid-height', () => {
    const found = bulletAtStart(page(500, 300, [[60, 115, 78, 118], ...letters]), line);
    assert.deepEqual(found, { kind: 'dash', x0: 60, y0: 115, x1: 78, y1: 118 });
  });

  it('takes neither an underscore-low bar, nor a minus sign set close to its number, for a bullet', () => {
    assert.equal(bulletAtStart(page(500, 300, [[60, 127, 78, 130], ...letters]), line), undefined, 'at the baseline');
    assert.equal(bulletAtStart(page(500, 300, [[88, 115, 97, 118], ...letters]), line), undefined, 'no gap before the text');
  });

  it('a bullet boxed on its own marks the line beside it or around it, and is no line itself', () => {
    const l = (text: string, x0: number, y0: number, x1: number): LayoutLine => ({ text, confidence: 0.9, x0, y0, x1, y1: y0 + 30, parts: [] });
    const joined = joinLoneBullets([l('–', 60, 100, 78), l('Competence.', 110, 100, 400), l('Common focus.', 100, 150, 400), l('-', 104, 152, 118), l('x', 60, 200, 70)]);
    assert.deepEqual(joined.map((x) => x.text), ['– Competence.', '– Common focus.', 'x']);
  });
});
