import type { RotatedRect } from '../geometry';
import type { GrayPage } from './bullets';
import { columnGapRatio, type Gutter, type TextBox } from './layout';

/**
 * Narrow gutters between columns (magazines, newspapers): the detector may run a box across one, which mixes two
 * baselines, and its padded boxes make one look like a word space, so lines of neighbouring columns are joined.
 * A blank run is a gutter when it is wide and has text on both sides for several lines, which word spaces never
 * have: justified text does not stack wide spaces in one place line after line.
 */

/** Narrowest gutter inside one detected box, as a share of its height (about 0.8 em; wide justified spaces reach 0.4). */
const gutterMinWidth = 0.5;
/** A gutter has text on both sides for at least this many box heights (about four lines of text). */
const gutterMinHeight = 2;
/** Boxes more tilted than this are left alone (a skewed column is not a vertical strip of pixels). */
const maxAngle = 0.05;

/** Each box, or its parts between gutters. */
export function splitAtGutters(rects: RotatedRect[], page: GrayPage): RotatedRect[] {
  return rects.flatMap((rect) => {
    if (Math.abs(rect.angle) > maxAngle || rect.width < 4 * rect.height) return [rect];
    const cuts = gutterCuts(rect, page);
    if (cuts.length === 0) return [rect];
    const left = rect.cx - rect.width / 2;
    // Parts end where the blank run starts and ends, so the gap between them stays as wide as on the page.
    const edges = [0, ...cuts.flatMap(([from, to]) => [from - left, to - left]), rect.width];
    const parts: RotatedRect[] = [];
    for (let i = 0; i + 1 < edges.length; i += 2) {
      const offset = (edges[i]! + edges[i + 1]!) / 2 - rect.width / 2;
      parts.push({ ...rect, cx: rect.cx + offset * Math.cos(rect.angle), cy: rect.cy + offset * Math.sin(rect.angle), width: edges[i + 1]! - edges[i]! });
    }
    return parts;
  });
}

/**
 * Gutters between boxes that sit side by side on one row closer than a column gap: DB pads its boxes, so the
 * gap between two boxes is narrower than the blank between their ink. `rects` are the boxes in page pixels,
 * `uprights` the same boxes deskewed, which is where the gutters are reported.
 */
export function findGutters(rects: RotatedRect[], uprights: TextBox[], page: GrayPage): Gutter[] {
  const gutters: Gutter[] = [];
  const heights = uprights.map((b) => b.y1 - b.y0).sort((a, b) => a - b);
  const body = heights[heights.length >> 1] ?? 0;
  for (const [i, a] of uprights.entries()) {
    const h = a.y1 - a.y0;
    // Columns are set in body text; a gap inside a large heading is a word space, however blank around it.
    if (h > 1.5 * body) continue;
    let right = -1;
    for (const [j, b] of uprights.entries()) {
      const overlap = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
      if (j !== i && b.x0 > a.x1 && overlap > 0.5 * Math.min(h, b.y1 - b.y0) && (right < 0 || b.x0 < uprights[right]!.x0)) right = j;
    }
    // Up to twice the gap `groupLines` joins across (which uses the taller box): a gutter found where the gap
    // alone would already part the lines costs nothing, and one missed near the threshold joins two columns.
    if (right < 0 || uprights[right]!.x0 - a.x1 >= 2 * columnGapRatio * Math.max(h, uprights[right]!.y1 - uprights[right]!.y0)) continue;
    const [ra, rb] = [rects[i]!, rects[right]!];
    const reach = (r: RotatedRect) => (r.width / 2) * Math.abs(Math.cos(r.angle)) + (r.height / 2) * Math.abs(Math.sin(r.angle));
    const hr = Math.min(ra.height, rb.height);
    const cy = (ra.cy + rb.cy) / 2;
    const band = [Math.max(0, Math.round(cy - hr / 4)), Math.min(page.height, Math.round(cy + hr / 4))] as const;
    // The blank between the two boxes' ink: their padded ends nearly touch across a narrow gutter.
    const columnBlank = (x: number) => blankColumn(page, x, band);
    // Padded boxes may even overlap a little: start between their ends.
    const middle = Math.round((ra.cx + reach(ra) + rb.cx - reach(rb)) / 2);
    if (middle < 0 || middle >= page.width || !columnBlank(middle)) continue;
    let c0 = middle, c1 = middle + 1;
    while (c0 > 0 && columnBlank(c0 - 1)) c0--;
    while (c1 < page.width && columnBlank(c1)) c1++;
    if (!isGutter(page, c0, c1, band, hr)) continue;
    const b = uprights[right]!;
    gutters.push({ x: (a.x1 + b.x0) / 2, y0: Math.min(a.y0, b.y0), y1: Math.max(a.y1, b.y1) });
  }
  return gutters;
}

/** Page x ranges of the blank runs where the box crosses a gutter. */
function gutterCuts(rect: RotatedRect, page: GrayPage): [number, number][] {
  const h = rect.height;
  const x0 = Math.max(0, Math.ceil(rect.cx - rect.width / 2));
  const x1 = Math.min(page.width, Math.floor(rect.cx + rect.width / 2));
  const tan = Math.tan(rect.angle);
  // The middle half of the box: DB's padding reaches into the neighbouring lines.
  const bandAt = (x: number) => {
    const cy = rect.cy + (x - rect.cx) * tan;
    return [Math.max(0, Math.round(cy - h / 4)), Math.min(page.height, Math.round(cy + h / 4))] as const;
  };
  const blank = new Uint8Array(x1 - x0);
  for (let x = x0; x < x1; x++) blank[x - x0] = blankColumn(page, x, bandAt(x)) ? 1 : 0;
  const cuts: [number, number][] = [];
  let x = 0;
  while (x < blank.length && blank[x]) x++; // margin before the first ink
  for (; x < blank.length; x++) {
    if (!blank[x]) continue;
    let end = x;
    while (end < blank.length && blank[end]) end++;
    // A run reaching the box's end is margin, not a gap between two pieces of text.
    if (end < blank.length) {
      if (isGutter(page, x0 + x, x0 + end, bandAt(x0 + ((x + end) >> 1)), h)) cuts.push([x0 + x, x0 + end]);
    }
    x = end;
  }
  return cuts;
}

/** No ink in column `x` between rows y0 and y1. */
function blankColumn(page: GrayPage, x: number, [y0, y1]: readonly [number, number]): boolean {
  for (let y = y0; y < y1; y++) if (page.gray[y * page.width + x]! < page.threshold) return false;
  return true;
}

/** Is the blank run [c0, c1) of a line `h` tall (blank through `band`) wide enough and flanked by text long enough? */
function isGutter(page: GrayPage, c0: number, c1: number, band: readonly [number, number], h: number): boolean {
  const width = c1 - c0;
  if (width < gutterMinWidth * h) return false;
  // The run less a margin must stay blank: a little skew moves the columns' edges from line to line.
  const margin = Math.floor(width / 8);
  return flankedHeight(page, c0 + margin, c1 - margin, band, h, gutterMinHeight * h) >= gutterMinHeight * h;
}

/**
 * Rows of the blank strip [c0, c1) — through the band and as far up and down as it stays blank — that have ink
 * within `side` pixels on both its left and its right: text beside the gutter, not a page margin above a line.
 * Counts up to `enough`.
 */
function flankedHeight(page: GrayPage, c0: number, c1: number, [y0, y1]: readonly [number, number], side: number, enough: number): number {
  const inkIn = (y: number, from: number, to: number) => {
    const row = y * page.width;
    for (let x = Math.max(0, Math.round(from)); x < Math.min(page.width, Math.round(to)); x++) if (page.gray[row + x]! < page.threshold) return true;
    return false;
  };
  const blank = (y: number) => !inkIn(y, c0, c1);
  const flanked = (y: number) => (inkIn(y, c0 - side, c0) && inkIn(y, c1, c1 + side) ? 1 : 0);
  let count = 0;
  for (let y = y0; y < y1; y++) {
    if (!blank(y)) return 0;
    count += flanked(y);
  }
  // The blank may run on through a paragraph break or a margin; only flanked rows count, within a bounded walk.
  const limit = 10 * enough;
  for (let y = y0 - 1; y >= Math.max(0, y0 - limit) && count < enough && blank(y); y--) count += flanked(y);
  for (let y = y1; y < Math.min(page.height, y1 + limit) && count < enough && blank(y); y++) count += flanked(y);
  return count;
}

/** A column gutter runs beside at least this many lines on each side. */
const columnMinLines = 5;
/** Column text is wide: the lines beside a gutter are at least this many line heights long (median). */
const columnMinLineWidth = 5;

/**
 * Gutters seen in the boxes rather than the pixels: a vertical strip that no box crosses for many lines, with
 * long lines ending just left of it and starting just right of it on the same rows. At low resolution (a
 * 72-dpi newspaper page) the blank between columns is only a letter wide and JPEG noise speckles it, so the
 * pixel test above misses most of them; the boxes still stop at the gutter line after line. A table of
 * contents or a form (short entries beside long ones) does not qualify: both sides must be long lines.
 */
export function findColumnGutters(uprights: TextBox[]): Gutter[] {
  const heights = uprights.map((b) => b.y1 - b.y0).sort((a, b) => a - b);
  const h = heights[heights.length >> 1] ?? 0;
  if (h <= 0 || uprights.length < 2 * columnMinLines) return [];
  const reach = columnGapRatio * h;
  const width = Math.ceil(Math.max(...uprights.map((b) => b.x1)));
  const found: { x: number; y0: number; y1: number }[] = [];
  for (let x = 1; x < width; x++) {
    const crossing = uprights.filter((b) => b.x0 < x && b.x1 > x).sort((a, b) => a.y0 - b.y0);
    // Blank stretches of the strip at x, between the boxes crossing it.
    const stretches: [number, number][] = [];
    let top = 0;
    for (const b of crossing) {
      if (b.y0 > top) stretches.push([top, b.y0]);
      top = Math.max(top, b.y1);
    }
    stretches.push([top, Infinity]);
    for (const [y0, y1] of stretches) {
      if (y1 - y0 < columnMinLines * h) continue;
      const inside = (b: TextBox) => b.y0 >= y0 && b.y1 <= y1 && b.y1 - b.y0 < 1.5 * h;
      const left = uprights.filter((b) => inside(b) && b.x1 <= x && x - b.x1 < reach);
      const right = uprights.filter((b) => inside(b) && b.x0 >= x && b.x0 - x < reach);
      const rows = left.filter((a) => right.some((b) => Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0) > 0.5 * h)).length;
      if (rows < columnMinLines || right.length < columnMinLines) continue;
      const medianWidth = (boxes: TextBox[]) => boxes.map((b) => b.x1 - b.x0).sort((a, b) => a - b)[boxes.length >> 1]!;
      if (medianWidth(left) < columnMinLineWidth * h || medianWidth(right) < columnMinLineWidth * h) continue;
      const y = [...left, ...right];
      found.push({ x, y0: Math.min(...y.map((b) => b.y0)), y1: Math.max(...y.map((b) => b.y1)) });
    }
  }
  // Neighbouring x positions find the same stretch of gutter: keep the middle one of each run.
  const runs: (typeof found)[] = [];
  for (const f of [...found].sort((a, b) => a.y0 - b.y0 || a.x - b.x)) {
    const run = runs.find((r) => f.x - r[r.length - 1]!.x <= 1 && Math.abs(f.y0 - r[0]!.y0) < h && Math.abs(f.y1 - r[0]!.y1) < h);
    if (run) run.push(f);
    else runs.push([f]);
  }
  return runs.map((run) => run[run.length >> 1]!);
}
