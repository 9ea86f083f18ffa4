import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { RotatedRect } from '../../server/src/engines/geometry';
import type { GrayPage } from '../../server/src/engines/text/bullets';
import { findColumnGutters, findGutters, splitAtGutters } from '../../server/src/engines/text/gutters';
import { groupLines, readingOrder, type TextBox } from '../../server/src/engines/text/layout';

// Synthetic pages: text is drawn as words (black bars with word spaces) on lines 20 px tall, 30 px apart. The
// detector's boxes are 36 px tall, padded 8 px beyond the ink as DB pads them.
const pitch = 30;
const ink = 20;
const pad = 8;

function blankPage(width: number, height: number): GrayPage {
  return { width, height, gray: new Uint8Array(width * height).fill(255), threshold: 128 };
}

/** Draws one line of words between x0 and x1 with spaces of `space` px (plus an optional wide space at `wideAt`). */
function drawLine(page: GrayPage, y: number, x0: number, x1: number, space = 8, wide?: { at: number; width: number }) {
  let x = x0;
  let word = 0;
  while (x < x1) {
    const length = 30 + ((word * 17) % 40);
    const end = Math.min(x1, x + length);
    for (let yy = y; yy < y + ink; yy++) for (let xx = x; xx < end; xx++) page.gray[yy * page.width + xx] = 0;
    x = end + space;
    if (wide && x > wide.at && x < wide.at + wide.width) x = wide.at + wide.width;
    word++;
  }
}

const rectOf = (x0: number, x1: number, y: number): RotatedRect => ({ cx: (x0 + x1) / 2, cy: y + ink / 2, width: x1 - x0 + 2 * pad, height: ink + 2 * pad, angle: 0 });
const uprightOf = (r: RotatedRect, text: string): TextBox => ({ text, confidence: 1, x0: r.cx - r.width / 2, y0: r.cy - r.height / 2, x1: r.cx + r.width / 2, y1: r.cy + r.height / 2 });

describe('column gutters', () => {
  // Two justified columns 30 px apart: padded boxes leave only 14 px between them, less than a word space
  // measured in box heights, so geometry alone would join the rows.
  const page = blankPage(1000, 400);
  const rows = 8;
  const rects: RotatedRect[] = [];
  const uprights: TextBox[] = [];
  for (let i = 0; i < rows; i++) {
    const y = 40 + i * pitch;
    drawLine(page, y, 100, 470);
    drawLine(page, y, 500, 870);
    for (const [x0, x1, side] of [[100, 470, 'left'], [500, 870, 'right']] as const) {
      const r = rectOf(x0, x1, y);
      rects.push(r);
      uprights.push(uprightOf(r, `${side} ${i} of a column of prose in narrow measure`));
    }
  }

  it('finds the gutter between boxes of two columns and keeps the columns apart in reading order', () => {
    const gutters = findGutters(rects, uprights, page);
    assert.ok(gutters.length >= rows - 2, `gutters on most rows, got ${gutters.length}`);
    for (const g of gutters) assert.ok(g.x > 470 && g.x < 500, `gutter at ${g.x}`);
    const withoutGutters = groupLines(uprights);
    assert.equal(withoutGutters.length, rows, 'padded boxes this close are joined without the gutters');
    const lines = groupLines(uprights, gutters);
    assert.equal(lines.length, 2 * rows);
    const order = readingOrder(lines, gutters).flat().map((l) => l.text.split(' of ')[0]);
    assert.deepEqual(order, [...Array.from({ length: rows }, (_, i) => `left ${i}`), ...Array.from({ length: rows }, (_, i) => `right ${i}`)]);
  });

  it('finds a gutter next to a taller box, where the gap is just under what groupLines joins across', () => {
    // Right-column boxes padded more (taller): groupLines measures the gap by the taller box, so the gutter must be
    // looked for up to that measure too.
    const taller = (r: RotatedRect): RotatedRect => ({ ...r, height: r.height + 10 });
    const pairs = Array.from({ length: rows }, (_, i) => {
      const y = 40 + i * pitch;
      const left = rectOf(100, 470, y);
      const right = taller({ ...rectOf(500, 870, y), cx: rectOf(500, 870, y).cx + 11, width: 370 });
      return [left, right] as const;
    });
    const rs = pairs.flat();
    const us = pairs.flatMap(([l, r], i) => [uprightOf(l, `left ${i}`), uprightOf(r, `right ${i}`)]);
    const gap = us[1]!.x0 - us[0]!.x1;
    assert.ok(gap >= 0.8 * (us[0]!.y1 - us[0]!.y0) && gap < 0.8 * (us[1]!.y1 - us[1]!.y0), `gap ${gap} between the two measures`);
    const gutters = findGutters(rs, us, page);
    assert.ok(gutters.length >= rows - 2, `gutters on most rows, got ${gutters.length}`);
    assert.equal(groupLines(us, gutters).length, 2 * rows);
  });

  it('splits a detected box that runs across the gutter, and only there', () => {
    const across = rectOf(100, 870, 40 + 3 * pitch);
    const parts = splitAtGutters([across], page);
    assert.equal(parts.length, 2);
    assert.ok(parts[0]!.cx + parts[0]!.width / 2 <= 500 && parts[1]!.cx - parts[1]!.width / 2 >= 470);
  });

  it('does not take a wide word space for a gutter: no text beside it on other lines', () => {
    // One column; its first line has a wide space under the page's top margin, the lines below run through.
    const single = blankPage(1000, 400);
    drawLine(single, 40, 100, 870, 8, { at: 400, width: 40 });
    for (let i = 1; i < rows; i++) drawLine(single, 40 + i * pitch, 100, 870);
    const first = rectOf(100, 870, 40);
    assert.equal(splitAtGutters([first], single).length, 1);
    const left = rectOf(100, 400, 40), right = rectOf(440, 870, 40);
    assert.deepEqual(findGutters([left, right], [uprightOf(left, 'a'), uprightOf(right, 'b')], single), []);
  });

  it('does not take stacked word spaces for a gutter when they are narrow', () => {
    // Justified lines whose spaces happen to line up for the whole paragraph, 12 px wide (0.33 of a box).
    const rivers = blankPage(1000, 400);
    for (let i = 0; i < rows; i++) drawLine(rivers, 40 + i * pitch, 100, 870, 8, { at: 400, width: 12 });
    assert.equal(splitAtGutters([rectOf(100, 870, 40 + 3 * pitch)], rivers).length, 1);
  });
});

describe('column gutters seen in the boxes', () => {
  // A 72-dpi newspaper: lines 14 px tall on an 11 px pitch, three columns whose boxes stop 4–8 px apart, one box
  // reaching past the gutter into the next column's first letters (the ends of its padding), as DB's boxes do at this scale.
  const h = 14;
  const columns = [
    [40, 204],
    [208, 380],
    [388, 560],
  ];
  const boxes: TextBox[] = [];
  for (let row = 0; row < 30; row++) {
    for (const [c, [x0, x1]] of columns.entries()) {
      const reach = c === 0 && row === 12 ? 8 : 0;
      boxes.push({ text: `c${c} r${row} of running text set in columns`, confidence: 1, x0: x0!, y0: 60 + row * 11, x1: x1! - (row % 3) * 5 + reach, y1: 60 + row * 11 + h });
    }
  }

  it('finds the gutters between long lines that stop at one x line after line', () => {
    const gutters = findColumnGutters(boxes);
    const xs = [...new Set(gutters.map((g) => Math.round(g.x / 10)))];
    assert.ok(gutters.some((g) => g.x >= 204 && g.x <= 208), 'first gutter');
    assert.ok(gutters.some((g) => g.x >= 380 && g.x <= 388), 'second gutter');
    assert.ok(gutters.every((g) => (g.x >= 204 && g.x <= 208) || (g.x >= 380 && g.x <= 388)), `only there: ${JSON.stringify(gutters)}`);
  });

  it('keeps the columns apart though one box reaches into the next column', () => {
    const gutters = findColumnGutters(boxes);
    const lines = groupLines(boxes, gutters);
    assert.equal(lines.length, boxes.length, 'no line joined across a gutter');
    const order = readingOrder(lines, gutters).flat().map((l) => l.text.split(' of ')[0]);
    assert.deepEqual(order.slice(0, 3), ['c0 r0', 'c0 r1', 'c0 r2']);
    assert.equal(order[30], 'c1 r0', 'the second column after all of the first');
  });

  it('does not part short entries from long lines (a table of contents, a form)', () => {
    const toc: TextBox[] = [];
    for (let row = 0; row < 20; row++) {
      toc.push({ text: `Chapter ${row} title`, confidence: 1, x0: 40, y0: 60 + row * 20, x1: 400, y1: 60 + row * 20 + h });
      toc.push({ text: String(row * 7), confidence: 1, x0: 408, y0: 60 + row * 20, x1: 430, y1: 60 + row * 20 + h });
    }
    assert.deepEqual(findColumnGutters(toc), []);
  });
});
