/**
 * Text lines → reading order → paragraphs → Markdown. Geometry only: boxes are grouped into lines, lines into
 * blocks by recursive XY-cuts (columns before rows, so two-column pages read column by column even when
 * their lines share baselines), blocks into paragraphs by gaps, indents and size changes.
 */
export interface LayoutLine {
  text: string;
  confidence: number;
  /** Axis-aligned bounds in raster pixels. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Indices of the recognised boxes that form this line, left to right. */
  parts: number[];
  /** A non-text block (table, figure, display formula) placed in reading order like a line, already written. */
  block?: { kind: 'table' | 'figure' | 'math'; markdown: string };
}

export interface TextBox {
  text: string;
  confidence: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const median = (values: number[]): number => {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * A gap inside a line of at least this share of its height separates two things (columns the detector joined
 * across a narrow gutter, table cells); word spaces are a third of it at most. The recogniser cuts its lines
 * there and `groupLines` does not join across it.
 */
export const columnGapRatio = 0.8;

/** CJK characters, kana, CJK punctuation and full-width forms, at the end or start of a text. */
const wideEnd = /[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]$/;
const wideStart = /^[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]/;

/** Full-width punctuation that closes a clause (its blank on the right) or opens one (its blank on the left). */
const wideClose = /[\u3001\u3002\uff0c\uff1a\uff1b\uff01\uff1f\uff09\u300d\u300f\u3011]$/;
const wideOpen = /^[\uff08\u300c\u300e\u3010]/;
/** The blank such punctuation carries, as a share of the line height (about half a character). */
const wideBlankRatio = 0.5;

/**
 * A strip of blank page between two columns, found in the pixels (see gutters.ts) because padded detector boxes
 * make a narrow gutter look like a word space. Lines are never joined or read across one.
 */
export interface Gutter {
  x: number;
  y0: number;
  y1: number;
  /** Drawn as a vertical rule (not only left blank): what it parts are columns, never cells of one table. */
  ruled?: boolean;
}

const gutterBetween = (gutters: Gutter[], from: number, to: number, y0: number, y1: number): boolean =>
  gutters.some((g) => g.x >= from && g.x <= to && g.y1 > y0 && g.y0 < y1);

/** Gutters beside a row from y0 to y1, or running on within two line heights above or below it. */
const guttersNear = (gutters: Gutter[], y0: number, y1: number, h: number): Gutter[] => gutters.filter((g) => g.y0 < y1 + 2 * h && g.y1 > y0 - 2 * h);

/**
 * Two boxes that touch or overlap where a gutter runs beside or just above or below them are the ends of two
 * columns' lines (a padded box reaching into a narrow gutter), not two runs of one word.
 */
const touchAtGutter = (gutters: Gutter[], x: number, y0: number, y1: number, h: number): boolean =>
  guttersNear(gutters, y0, y1, h).some((g) => Math.abs(g.x - x) < 0.5 * h);

/** Joins boxes that sit on one baseline and are close enough to be words of one line (not table cells or columns). */
export function groupLines(boxes: TextBox[], gutters: Gutter[] = []): LayoutLine[] {
  const order = boxes.map((_, i) => i).sort((a, b) => boxes[a]!.x0 - boxes[b]!.x0);
  const lines: LayoutLine[] = [];
  for (const i of order) {
    const box = boxes[i]!;
    if (!box.text.trim()) continue;
    const h = box.y1 - box.y0;
    const target = lines.find((line) => {
      const lh = line.y1 - line.y0;
      const overlap = Math.min(line.y1, box.y1) - Math.max(line.y0, box.y0);
      const gap = box.x0 - line.x1;
      // Full-width punctuation carries half a character of blank on its open side ("，" then the next clause):
      // the detector often boxes the clauses apart there.
      const punctuationBlank = wideClose.test(line.text) || wideOpen.test(box.text) ? wideBlankRatio * Math.max(h, lh) : 0;
      return (
        overlap > 0.5 * Math.min(h, lh) &&
        gap < columnGapRatio * Math.max(h, lh) + punctuationBlank &&
        gap > -0.5 * h &&
        !gutterBetween(gutters, line.x1, box.x0, box.y0, box.y1) &&
        !(gap < 0.25 * h && touchAtGutter(gutters, (line.x1 + box.x0) / 2, box.y0, box.y1, h))
      );
    });
    if (target) {
      // Runs that touch are pieces of one word (PDF text layers often split words into glyph runs).
      const touching = box.x0 - target.x1 < 0.12 * h;
      // Chinese and Japanese have no word spaces to put back.
      const unspaced = touching || (wideEnd.test(target.text) && wideStart.test(box.text));
      target.text = unspaced ? target.text + box.text : `${target.text.trimEnd()} ${box.text.trimStart()}`;
      target.confidence = Math.min(target.confidence, box.confidence);
      target.x1 = Math.max(target.x1, box.x1);
      target.y0 = Math.min(target.y0, box.y0);
      target.y1 = Math.max(target.y1, box.y1);
      target.parts.push(i);
    } else {
      lines.push({ text: box.text, confidence: box.confidence, x0: box.x0, y0: box.y0, x1: box.x1, y1: box.y1, parts: [i] });
    }
  }
  return lines;
}

/** Reading order as a list of blocks (each a column piece, top to bottom), by recursive XY-cut. */
export function readingOrder(lines: LayoutLine[], gutters: Gutter[] = []): LayoutLine[][] {
  const h = median(lines.map((l) => l.y1 - l.y0)) || 1;
  const blocks: LayoutLine[][] = [];
  const cut = (items: LayoutLine[]): void => {
    if (items.length <= 1) {
      if (items.length) blocks.push(items);
      return;
    }
    const columns = splitColumns(items, h, gutters);
    const ruledApart = atRuledGutters(columns, gutters);
    if (ruledApart.length > 1) return ruledApart.forEach(cut);
    if (columns.length > 1 && !rowAligned(columns, h)) return columns.forEach(cut);
    // A table beside a column of prose (a sidebar): the prose stands apart, the table's columns stay together.
    if (columns.length > 1 && columns.some(isProse) && !columns.every(isProse)) return besideProse(columns).forEach(cut);
    // A heading or running foot spanning the gutter hides the columns: peel it off before cutting rows, so that a
    // column's footnotes, set below a gap, stay with their column.
    const peeled = peelSpanning(items, h, gutters);
    if (peeled) return peeled.forEach(cut);
    const rows = splitAlong(items, (l) => l.y0, (l) => l.y1, 0.8 * h);
    if (rows.length > 1) return rows.forEach(cut);
    // A caption set in the gutter (text wrapped around a picture) bridges the columns: read it after them.
    const bridged = peelGutterBridge(items, h, gutters);
    if (bridged) return bridged.forEach(cut);
    blocks.push(inRows(items));
  };
  cut(lines);
  return blocks;
}

/** Neighbouring columns in groups, a new group after each ruled gutter between two of them. */
function atRuledGutters(columns: LayoutLine[][], gutters: Gutter[]): LayoutLine[][] {
  const ruled = gutters.filter((g) => g.ruled);
  if (columns.length < 2 || ruled.length === 0) return [columns.flat()];
  const groups: LayoutLine[][] = [[...columns[0]!]];
  for (let i = 1; i < columns.length; i++) {
    const left = columns[i - 1]!, right = columns[i]!;
    const y0 = Math.min(...left.map((l) => l.y0), ...right.map((l) => l.y0));
    const y1 = Math.max(...left.map((l) => l.y1), ...right.map((l) => l.y1));
    if (gutterBetween(ruled, Math.max(...left.map((l) => l.x1)), Math.min(...right.map((l) => l.x0)), y0, y1)) groups.push([...right]);
    else groups[groups.length - 1]!.push(...right);
  }
  return groups;
}

/** Lines in visual rows (vertical overlap), each row left to right: tiny baseline differences do not reorder. */
function inRows(items: LayoutLine[]): LayoutLine[] {
  const rows: LayoutLine[][] = [];
  for (const line of [...items].sort((a, b) => a.y0 - b.y0)) {
    const row = rows[rows.length - 1];
    const top = row ? Math.max(...row.map((l) => l.y0)) : 0;
    const bottom = row ? Math.min(...row.map((l) => l.y1)) : 0;
    if (row && Math.min(bottom, line.y1) - Math.max(top, line.y0) > 0.5 * Math.min(bottom - top, line.y1 - line.y0)) row.push(line);
    else rows.push([line]);
  }
  return rows.flatMap((row) => row.sort((a, b) => a.x0 - b.x0));
}

/**
 * Columns of short pieces that pair up row by row are a table or a key–value list, read across; prose
 * columns are wide, and are read one after the other even when their baselines line up.
 */
function rowAligned(columns: LayoutLine[][], h: number): boolean {
  // A prose column's lines run twenty line heights and more, or (narrow magazine columns) hold a few words;
  // cells and labels rarely run a dozen line heights or two dozen characters.
  if (columns.some((c) => median(c.map((l) => l.x1 - l.x0)) > 12 * h || median(c.map((l) => l.text.length)) >= 24)) return false;
  const pieces = columns.flat();
  const partnered = pieces.filter((l) => pieces.some((o) => o !== l && (o.x0 > l.x1 || o.x1 < l.x0) && Math.min(o.y1, l.y1) - Math.max(o.y0, l.y0) > 0.5 * h)).length;
  return partnered >= 0.7 * pieces.length;
}

/** A column holding several lines of running text, which table cells and labels rarely are. */
const isProse = (column: LayoutLine[]): boolean => column.filter((l) => l.text.length >= 40).length >= 3;

/** Columns in groups: each prose column alone, the columns between them together. */
function besideProse(columns: LayoutLine[][]): LayoutLine[][] {
  const groups: LayoutLine[][] = [];
  let rest: LayoutLine[] = [];
  for (const column of columns) {
    if (!isProse(column)) {
      rest.push(...column);
      continue;
    }
    if (rest.length) groups.push(rest);
    groups.push(column);
    rest = [];
  }
  if (rest.length) groups.push(rest);
  return groups;
}

/**
 * Splits off up to three bands of lines at the top and at the bottom (a title above, a page number or running
 * foot below, or both) when what is left then divides into columns.
 */
function peelSpanning(items: LayoutLine[], h: number, gutters: Gutter[]): LayoutLine[][] | undefined {
  const bands = splitAlong(items, (l) => l.y0, (l) => l.y1, 0.15 * h);
  // Fewest bands peeled first, so as little as possible is taken out of the columns.
  for (let peeled = 1; peeled <= 6; peeled++) {
    for (let top = Math.min(3, peeled); top >= 0; top--) {
      const bottom = peeled - top;
      if (bottom > 3 || top + bottom >= bands.length) continue;
      const rest = bands.slice(top, bands.length - bottom).flat();
      if (splitColumns(rest, h, gutters).length > 1) {
        return [bands.slice(0, top).flat(), rest, bands.slice(bands.length - bottom).flat()].filter((part) => part.length > 0);
      }
    }
  }
  return undefined;
}

/**
 * Finds the few short lines that alone bridge two columns (a caption centred in the gutter under a picture the
 * text wraps around) and returns the columns' lines, then the bridge. The bridge is taken at the x where the
 * fewest lines cross; it must be a small, narrow, vertically compact group, and the lines left must fall into
 * columns of running text, not a table.
 */
function peelGutterBridge(items: LayoutLine[], h: number, gutters: Gutter[]): LayoutLine[][] | undefined {
  if (items.length < 8) return undefined;
  const left = Math.min(...items.map((l) => l.x0));
  const right = Math.max(...items.map((l) => l.x1));
  const span = right - left;
  let best: LayoutLine[] | undefined;
  for (const x of [...new Set(items.flatMap((l) => [l.x0 - 1, l.x1 + 1]))]) {
    if (x < left + 0.2 * span || x > right - 0.2 * span) continue;
    const crossing = items.filter((l) => l.x0 < x && l.x1 > x);
    if (crossing.length > 0 && (!best || crossing.length < best.length)) best = crossing;
  }
  if (!best || best.length > Math.max(3, 0.1 * items.length)) return undefined;
  if (best.some((l) => l.x1 - l.x0 > 0.5 * span)) return undefined;
  const top = Math.min(...best.map((l) => l.y0));
  const bottom = Math.max(...best.map((l) => l.y1));
  if (bottom - top > 2 * h * best.length) return undefined;
  const bridge = new Set(best);
  const rest = items.filter((l) => !bridge.has(l));
  const columns = splitColumns(rest, h, gutters);
  if (columns.length < 2 || columns.some((c) => c.length < 3) || rowAligned(columns, h)) return undefined;
  return [rest, best];
}

/** Columns: split at wide gaps in the lines' horizontal projection, and at gutters beside these lines. */
function splitColumns(items: LayoutLine[], h: number, gutters: Gutter[]): LayoutLine[][] {
  const y0 = Math.min(...items.map((l) => l.y0));
  const y1 = Math.max(...items.map((l) => l.y1));
  // A line whose padded box reaches less than half a line height into a gutter does not bridge it.
  const near = (l: LayoutLine) => guttersNear(gutters, l.y0, l.y1, h);
  const lo = (l: LayoutLine) => {
    const g = near(l).find((g) => l.x0 < g.x && g.x - l.x0 < 0.5 * h && l.x1 > g.x + h);
    return g ? g.x + 0.5 : l.x0;
  };
  const hi = (l: LayoutLine) => {
    const g = near(l).find((g) => l.x1 > g.x && l.x1 - g.x < 0.5 * h && l.x0 < g.x - h);
    return g ? g.x - 0.5 : l.x1;
  };
  return splitAlong(items, lo, hi, columnGapRatio * h, (from, to) => gutterBetween(gutters, from, to, y0, y1));
}

/** Splits items at projection gaps wider than `minGap`, or at any gap that `separates`, in increasing coordinate order. */
function splitAlong(
  items: LayoutLine[],
  lo: (l: LayoutLine) => number,
  hi: (l: LayoutLine) => number,
  minGap: number,
  separates: (from: number, to: number) => boolean = () => false,
): LayoutLine[][] {
  const sorted = [...items].sort((a, b) => lo(a) - lo(b));
  const groups: LayoutLine[][] = [];
  let current: LayoutLine[] = [];
  let reach = -Infinity;
  for (const item of sorted) {
    if (current.length > 0 && (lo(item) - reach > minGap || (lo(item) > reach && separates(reach, lo(item))))) {
      groups.push(current);
      current = [];
    }
    current.push(item);
    reach = Math.max(reach, hi(item));
  }
  if (current.length) groups.push(current);
  return groups;
}

// Bullets become "- "; numbered items keep their number and delimiter. A bullet dot is often read as '.', but
// only before a lowercase word: ". Not a bullet" is left alone. Lettered items, "(a)" or "a)", stay text.
const listMarker = /^(?:([•·▪●○◦■□‣⁃*–—-]|\.(?=\s+\p{Ll}))|(\d{1,3})([.)]))\s+/u;

export interface Paragraph {
  kind: 'paragraph' | 'heading' | 'listItem' | 'block';
  level?: number;
  /** An ordered item's own number and delimiter, as printed ("2)", "007."). */
  marker?: string;
  ordered?: boolean;
  text: string;
  lines: LayoutLine[];
}

/** Splits each block into paragraphs, headings and list items. `bodyHeight` is the page's typical line height. */
export function paragraphs(blocks: LayoutLine[][]): Paragraph[] {
  const all = blocks.flat().filter((l) => !l.block);
  const bodyHeight = median(all.map((l) => l.y1 - l.y0)) || 1;
  const out: Paragraph[] = [];
  for (const mixed of blocks) {
    // Tables, figures and formulas stand alone; the text around them splits into separate runs.
    const runs: LayoutLine[][] = [[]];
    for (const line of mixed) {
      if (line.block) {
        runs.push([line], []);
      } else runs[runs.length - 1]!.push(line);
    }
    for (const run of runs) {
      if (run.length === 1 && run[0]!.block) out.push({ kind: 'block', text: run[0]!.block.markdown, lines: run });
      else if (run.length) textParagraphs(run, bodyHeight, out);
    }
  }
  // Type size shows in the width of the letters too: a line made taller by a superscript (a footnote's marker)
  // is not set larger.
  const advance = (lines: LayoutLine[]) => lines.reduce((w, l) => w + l.x1 - l.x0, 0) / Math.max(1, lines.reduce((n, l) => n + l.text.length, 0));
  const bodyAdvance = median(all.filter((l) => l.text.length >= 20).map((l) => advance([l])));
  markHeadings(out, bodyHeight, (p) => !bodyAdvance || advance(p.lines) >= bodyAdvance);
  return out;
}

/** Paragraphs and list items of one run of text lines in a column. */
function textParagraphs(block: LayoutLine[], bodyHeight: number, out: Paragraph[]): void {
  const left = Math.min(...block.map((l) => l.x0));
  const right = Math.max(...block.map((l) => l.x1));
  const gaps = block.slice(1).map((l, i) => l.y0 - block[i]!.y1);
  const usualGap = median(gaps.filter((g) => g >= 0));
  let current: Paragraph | undefined;
  block.forEach((line, i) => {
    const h = line.y1 - line.y0;
    const previous = block[i - 1];
    const marker = listMarker.exec(line.text);
    let startsNew = previous === undefined || marker !== null;
    if (previous && !startsNew) {
      const ph = previous.y1 - previous.y0;
      const gap = line.y0 - previous.y1;
      const sizeChange = Math.abs(h - ph) > 0.25 * Math.max(h, ph);
      const bigGap = gap - usualGap > 0.3 * bodyHeight;
      const indented = line.x0 - left > 1.2 * h && previous.x0 - left < 0.5 * h && current?.kind !== 'listItem';
      const previousEndedShort = previous.x1 < right - 4 * h && /[.!?:;]["”’)]?$/.test(previous.text);
      startsNew = sizeChange || bigGap || indented || previousEndedShort;
    }
    if (startsNew || !current) {
      current = { kind: 'paragraph', text: line.text, lines: [line] };
      if (marker) {
        current.kind = 'listItem';
        current.ordered = marker[2] !== undefined;
        current.text = line.text.slice(marker[0].length);
        if (current.ordered) current.marker = `${marker[2]}${marker[3]}`;
      }
      out.push(current);
    } else {
      current.text = joinLines(current.text, line.text);
      current.lines.push(line);
    }
  });
}

/** Short, unpunctuated paragraphs in clearly larger type are headings; the largest size on the page is level 1. */
function markHeadings(out: Paragraph[], bodyHeight: number, wideLetters: (p: Paragraph) => boolean): void {
  const headingHeight = (p: Paragraph) => median(p.lines.map((l) => l.y1 - l.y0));
  const headings = out.filter((p) => p.kind === 'paragraph' && p.lines.length <= 2 && p.text.length < 120 && !/[.,;]$/.test(p.text) && headingHeight(p) >= 1.25 * bodyHeight && wideLetters(p));
  const sizes = [...new Set(headings.map((p) => Math.round(headingHeight(p) / (0.15 * bodyHeight))))].sort((a, b) => b - a);
  for (const p of headings) {
    p.kind = 'heading';
    p.level = Math.min(6, 1 + sizes.indexOf(Math.round(headingHeight(p) / (0.15 * bodyHeight))));
  }
}

/** Joins two lines of one paragraph, undoing end-of-line hyphenation ("recog-" + "nition"). */
export function joinLines(first: string, second: string): string {
  if (/\p{L}-$/u.test(first) && /^\p{Ll}/u.test(second)) return first.slice(0, -1) + second;
  // A hyphen before a capital or digit is part of a compound ("Franco-Prussian", "COVID-19").
  if (/\p{L}-$/u.test(first) && /^[\p{Lu}\d]/u.test(second)) return first + second;
  // Chinese and Japanese are written without spaces, across line ends too.
  if (wideEnd.test(first) && wideStart.test(second)) return first + second;
  return first + ' ' + second;
}

/** Characters that would start Markdown syntax at the beginning of a paragraph. */
function escapeStart(text: string): string {
  return text.replace(/^(#{1,6}\s|>|[-+*]\s|\d+[.)]\s)/, '\\$1');
}

export function toMarkdown(paras: Paragraph[]): string {
  const parts: string[] = [];
  for (const p of paras) {
    if (p.kind === 'heading') parts.push(`${'#'.repeat(p.level ?? 2)} ${p.text}`);
    else if (p.kind === 'listItem') parts.push(p.ordered ? `${p.marker ?? '1.'} ${p.text}` : `- ${p.text}`);
    else if (p.kind === 'block') parts.push(p.text.trimEnd());
    else parts.push(escapeStart(p.text));
  }
  // Consecutive list items form one list: no blank line between them.
  let md = '';
  parts.forEach((part, i) => {
    if (i > 0) md += paras[i]!.kind === 'listItem' && paras[i - 1]!.kind === 'listItem' ? '\n' : '\n\n';
    md += part;
  });
  return md + (md ? '\n' : '');
}

export type Furniture = 'header' | 'footer' | 'footnote';

const pageNumber = /^(?:page\s+)?(?:\d{1,4}|[ivxlc]{1,6})(?:\s*(?:of|\/)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$/i;
const footnoteMarker = /^(?:\d{1,2}|[*†‡§¶]|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)\s?\S/;

/**
 * The page's furniture, for whole-page conversion: running headers and footers (short lines in the top or
 * bottom margin, set apart from the body by a gap, or a page number there) and footnotes (a run of lines in
 * smaller type at the foot of the page, the first starting with a marker). Selections never get this: a
 * user who selects a header wants it read.
 */
export function pageFurniture(lines: LayoutLine[], pageHeight: number): Map<LayoutLine, Furniture> {
  const found = new Map<LayoutLine, Furniture>();
  const text = lines.filter((l) => !l.block);
  if (text.length < 4) return found;
  const body = median(text.map((l) => l.y1 - l.y0));
  const byTop = [...lines].sort((a, b) => a.y0 - b.y0);
  // Running heads and feet sit within about an eighth of the page from its edge (a US Letter footer 1.2 in up).
  const margin = 0.12 * pageHeight;
  // From an edge inwards, up to two rows (several lines on one row: left and right running heads, a page number
  // beside them): inside the margin, not larger than body text (a title is larger), each taken when a wide gap
  // follows it or it holds a page number, together with the row before it.
  const bands = (ordered: LayoutLine[], edge: (l: LayoutLine) => boolean, gapAfter: (a: LayoutLine, b: LayoutLine) => number, kind: Furniture) => {
    const rows: LayoutLine[][] = [];
    for (const line of ordered) {
      const row = rows[rows.length - 1];
      if (row && Math.abs(line.y0 - row[0]!.y0) <= 0.5 * body) row.push(line);
      else if (rows.length < 3) rows.push([line]);
      else break;
    }
    // A row with no letter or digit at the very edge (an ornament, a rule read as a dash) goes with the furniture
    // and does not count as one of the two rows.
    const bare = (row: LayoutLine[]) => row.every((l) => !l.block && !/[\p{L}\p{N}]/u.test(l.text) && edge(l));
    while (rows.length > 1 && bare(rows[0]!)) {
      for (const l of rows.shift()!) found.set(l, kind);
    }
    let pending: LayoutLine[] = [];
    for (const [r, row] of rows.slice(0, 2).entries()) {
      // A bare page number ends the page even when the text stops high above the paper's edge.
      const lonePageNumber = kind === 'footer' && r === 0 && row.length === 1 && pageNumber.test(row[0]!.text.trim());
      // A row holding a page number is a running head even when its capitals measure a little taller than body
      // text (a title never carries the page number).
      const numbered = row.some((l) => pageNumber.test(l.text.trim()));
      if (row.some((l) => (!edge(l) && !lonePageNumber) || l.block || l.y1 - l.y0 > (numbered ? 1.5 : 1.15) * body)) break;
      pending.push(...row);
      const next = rows[r + 1];
      const isolated = !next || Math.min(...row.flatMap((a) => next.map((b) => gapAfter(a, b)))) > 1.2 * body;
      if (isolated || row.some((l) => pageNumber.test(l.text.trim()))) {
        for (const l of pending) found.set(l, kind);
        pending = [];
      } else if (r === 1) break;
    }
  };
  bands(byTop, (l) => l.y1 < margin, (a, b) => b.y0 - a.y1, 'header');
  const byBottom = [...lines].sort((a, b) => b.y1 - a.y1);
  bands(byBottom, (l) => l.y0 > pageHeight - margin, (a, b) => a.y0 - b.y1, 'footer');

  // Footnotes: from the bottom up, lines in clearly smaller type in the lower part of the page.
  const rest = byBottom.filter((l) => !found.has(l));
  const run: LayoutLine[] = [];
  for (const line of rest) {
    if (line.block || line.y0 < 0.6 * pageHeight || line.y1 - line.y0 > 0.85 * body) break;
    run.push(line);
  }
  const top = run[run.length - 1];
  // The run must start with a marker and stand apart from the body above it.
  const above = rest[run.length];
  if (top && footnoteMarker.test(top.text) && (!above || top.y0 - above.y1 > 0.6 * body)) for (const l of run) found.set(l, 'footnote');
  return found;
}

/** A whole page's Markdown: running headers and footers left out, footnotes after the body. */
export function pageMarkdown(lines: LayoutLine[], pageHeight: number, gutters: Gutter[] = []): { markdown: string; furniture: Map<LayoutLine, Furniture> } {
  const furniture = pageFurniture(lines, pageHeight);
  const body = lines.filter((l) => !furniture.has(l));
  const notes = lines.filter((l) => furniture.get(l) === 'footnote');
  const markdown = toMarkdown(paragraphs(readingOrder(body, gutters)));
  return { markdown: notes.length ? `${markdown}\n${toMarkdown(paragraphs(readingOrder(notes, gutters)))}` : markdown, furniture };
}
