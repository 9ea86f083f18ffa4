/**
 * Page regions found by geometry: ruled tables (clusters of ruling lines), aligned tables (runs of rows of
 * short, column-aligned cells), figures (ink that no text box explains). Pure functions over boxes and masks.
 */
import type { Rule, Rules, BinaryImage } from '../table/rules';

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export const area = (b: Box) => Math.max(0, b.x1 - b.x0) * Math.max(0, b.y1 - b.y0);
export const intersection = (a: Box, b: Box) => area({ x0: Math.max(a.x0, b.x0), y0: Math.max(a.y0, b.y0), x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1) });
export const union = (a: Box, b: Box): Box => ({ x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) });
/** Share of `inner` lying inside `outer`. */
export const coveredBy = (inner: Box, outer: Box) => (area(inner) ? intersection(inner, outer) / area(inner) : 0);

/**
 * Tables drawn with rules: horizontal rules of similar extent stacked within a few text lines of each other
 * (booktabs: top, mid, bottom rules; grids: every row), joined with any vertical rules crossing them. A rule
 * much longer than the next (a separator across the column above a small table) starts a group of its own.
 */
export function ruledTableRegions(rules: Rules, lineHeight: number, captions: Box[] = []): Box[] {
  const horizontal = [...rules.horizontal].filter((r) => r.to - r.from > 3.5 * lineHeight).sort((a, b) => a.at - b.at);
  const groups: Rule[][] = [];
  // A caption between two rules parts two tables stacked in one column.
  const captionBetween = (upper: Rule, lower: Rule) => captions.some((c) => c.y0 > upper.at && c.y1 < lower.at && Math.min(c.x1, lower.to) > Math.max(c.x0, lower.from));
  for (const rule of horizontal) {
    const group = groups.find((g) => {
      const last = g[g.length - 1]!;
      const overlap = Math.min(last.to, rule.to) - Math.max(last.from, rule.from);
      return rule.at - last.at < 8 * lineHeight && overlap > 0.6 * Math.max(last.to - last.from, rule.to - rule.from) && !captionBetween(last, rule);
    });
    if (group) group.push(rule);
    else groups.push([rule]);
  }
  return groups
    .filter((g) => g.length >= 2 && g[g.length - 1]!.at - g[0]!.at > 1.5 * lineHeight)
    .map((g) => {
      let box: Box = { x0: Math.min(...g.map((r) => r.from)), x1: Math.max(...g.map((r) => r.to)), y0: g[0]!.at - 2, y1: g[g.length - 1]!.at + 2 };
      // A vertical rule running far past the horizontal ones divides columns of the page; it is not the table's.
      const reach = box.y1 - box.y0 + 4 * lineHeight;
      for (const v of rules.vertical) if (v.at >= box.x0 - lineHeight && v.at <= box.x1 + lineHeight && v.from < box.y1 && v.to > box.y0 && v.to - v.from <= reach) box = union(box, { x0: v.at - 1, x1: v.at + 1, y0: v.from, y1: v.to });
      return box;
    });
}

/** "Table 2: …", "Fig. 3.", "TABLE IV": a caption's opening. */
export const isCaption = (text: string | undefined): boolean => /^(?:Table|TABLE|Tab\.|Figure|FIGURE|Fig\.)\s*(?:\d+|[IVX]+)\b/.test(text ?? '');

/** A box and, when known, its text. */
export type Piece = Box & { text?: string };

/**
 * Six words or more, or a dozen Chinese or Japanese characters (written without spaces, about as long a
 * clause): running text, which table cells and figures rarely hold.
 */
export const isSentence = (text: string | undefined): boolean =>
  (text ?? '').split(/\s+/).filter(Boolean).length >= 6 || ((text ?? '').match(/[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]/g) ?? []).length >= 12;

/** Boxes on one baseline grouped as table rows: each box is one cell (OCR boxes are already split at wide gaps). */
export function rowsSplitAtGaps(boxes: Piece[], lineHeight: number) {
  const rows: { x0: number; y0: number; x1: number; y1: number; pieces: Piece[] }[] = [];
  for (const b of [...boxes].sort((p, q) => p.x0 - q.x0)) {
    const row = rows.find((r) => Math.min(r.y1, b.y1) - Math.max(r.y0, b.y0) > 0.5 * Math.min(r.y1 - r.y0, b.y1 - b.y0));
    if (row) {
      row.pieces.push(b);
      Object.assign(row, union(row, b));
    } else rows.push({ ...b, pieces: [b] });
  }
  // Pieces closer than a line height are words of one cell or sentence, not separate cells.
  for (const row of rows) {
    const merged: Piece[] = [];
    for (const p of row.pieces) {
      const last = merged[merged.length - 1];
      if (last && p.x0 - last.x1 < 0.8 * lineHeight) merged[merged.length - 1] = { ...union(last, p), text: `${last.text ?? ''} ${p.text ?? ''}` };
      else merged.push({ ...p });
    }
    row.pieces = merged;
  }
  return rows;
}

/**
 * Tables without rules: three or more consecutive rows, each split into two or more short pieces whose left
 * edges line up with the rows around them. Two-column prose also has two pieces per row, but they are long.
 */
export function alignedTableRegions(rows: { pieces: Piece[] }[], regionWidth: number, lineHeight: number): Box[] {
  // Long pieces are prose (for instance the other column of a two-column page) and never table cells; nor is
  // the short last line of a paragraph, which sits flush under a long line.
  const long = rows.flatMap((r) => r.pieces).filter((p) => p.x1 - p.x0 >= 0.3 * regionWidth);
  const endsParagraph = (p: Box) => long.some((l) => Math.abs(l.x0 - p.x0) < lineHeight && p.y0 - l.y1 < 0.8 * lineHeight && p.y0 > l.y0);
  const lines = rows
    .map((r) => r.pieces.filter((p) => p.x1 - p.x0 < 0.35 * regionWidth && !endsParagraph(p)))
    .filter((pieces) => pieces.length > 0)
    .map((pieces) => ({ ...pieces.reduce<Box>((b, p) => union(b, p), pieces[0]!), pieces }));
  const isRow = (l: (typeof lines)[number]) => l.pieces.length >= 2;
  const aligned = (a: (typeof lines)[number], b: (typeof lines)[number]) =>
    a.pieces.filter((p) => b.pieces.some((q) => Math.abs(p.x0 - q.x0) < lineHeight || Math.abs(p.x1 - q.x1) < lineHeight)).length >= 2;
  const sorted = [...lines].sort((a, b) => a.y0 - b.y0);
  const regions: Box[] = [];
  let run: (typeof lines)[number][] = [];
  // Two columns of numbered exercises, or of short paragraphs, also line up; table cells rarely hold sentences.
  const prose = (pieces: Piece[]) => pieces.filter((p) => isSentence(p.text)).length >= 0.25 * pieces.length;
  // The table is where its column-aligned pieces are: a piece that lines up with nothing in the other rows (a
  // heading in the next column on the same baseline) is not one of its cells.
  const lineUp = (p: Piece, q: Piece) => Math.abs(p.x0 - q.x0) < lineHeight || Math.abs(p.x1 - q.x1) < lineHeight;
  const cellsOf = (lines: typeof run) => lines.flatMap((l) => l.pieces.filter((p) => lines.some((o) => o !== l && o.pieces.some((q) => lineUp(p, q)))));
  const flush = () => {
    const cells = cellsOf(run);
    const span = run.length >= 3 && cells.length ? cells.reduce<Box>((b, p) => union(b, p), cells[0]!) : undefined;
    // Lines of prose lying between the rows count too: a justified line spread wide splits into short pieces.
    if (span && run.length >= 3 && !prose([...run.flatMap((l) => l.pieces), ...long.filter((l) => coveredBy(l, span) > 0.5)])) {
      let box = span;
      // A header row often has long labels with narrow gaps, so it fails the row test: take the row right
      // above the body when its pieces lie within the table's width.
      const above = lines.filter((l) => l.y1 <= box.y0 + 0.2 * lineHeight && l.y0 > box.y0 - 2.5 * lineHeight && l.x0 >= box.x0 - lineHeight && l.x1 <= box.x1 + lineHeight);
      if (above.length) box = union(box, above.reduce<Box>((b, l) => union(b, l), above[0]!));
      regions.push(box);
    }
    run = [];
  };
  for (const line of sorted) {
    const last = run[run.length - 1];
    if (isRow(line) && (!last || (line.y0 - last.y1 < 2 * lineHeight && aligned(last, line)))) run.push(line);
    else {
      flush();
      if (isRow(line)) run.push(line);
    }
  }
  flush();
  return regions;
}

/**
 * Figures: ink outside every text box and known region, grown by about a line height so a plot's strokes
 * join, kept when the blob is large.
 */
export function figureRegions(ink: BinaryImage, covered: Box[], lineHeight: number): Box[] {
  return inkBlobs(ink, covered, lineHeight, 1, 1)
    .filter((b) => b.inkCells >= 12 && b.x1 - b.x0 > 4 * lineHeight && b.y1 - b.y0 > 3 * lineHeight);
}

/**
 * Connected ink outside the `covered` boxes (each blanked with a fifth of a line height around it), strokes up to
 * `reachX` / `reachY` line heights apart joined; bounds of the ink itself. Works on a grid of cells (one per
 * quarter line height) to stay fast on pages.
 */
export function inkBlobs(ink: BinaryImage, covered: Box[], lineHeight: number, reachX: number, reachY: number): (Box & { inkCells: number })[] {
  const cell = Math.max(2, Math.round(lineHeight / 4));
  const gw = Math.ceil(ink.width / cell), gh = Math.ceil(ink.height / cell);
  const grid = new Uint8Array(gw * gh);
  for (let y = 0; y < ink.height; y++) for (let x = 0; x < ink.width; x++) if (ink.ink[y * ink.width + x]) grid[Math.floor(y / cell) * gw + Math.floor(x / cell)] = 1;
  for (const b of covered) {
    const m = 0.2 * lineHeight;
    for (let gy = Math.max(0, Math.floor((b.y0 - m) / cell)); gy < Math.min(gh, Math.ceil((b.y1 + m) / cell)); gy++)
      for (let gx = Math.max(0, Math.floor((b.x0 - m) / cell)); gx < Math.min(gw, Math.ceil((b.x1 + m) / cell)); gx++) grid[gy * gw + gx] = 0;
  }
  const rx = Math.round(4 * reachX), ry = Math.round(4 * reachY);
  const grown = new Uint8Array(gw * gh);
  for (let gy = 0; gy < gh; gy++) for (let gx = 0; gx < gw; gx++) {
    if (!grid[gy * gw + gx]) continue;
    for (let dy = -ry; dy <= ry; dy++) for (let dx = -rx; dx <= rx; dx++) {
      const ny = gy + dy, nx = gx + dx;
      if (ny >= 0 && ny < gh && nx >= 0 && nx < gw) grown[ny * gw + nx] = 1;
    }
  }
  const seen = new Uint8Array(gw * gh);
  const out: (Box & { inkCells: number })[] = [];
  for (let start = 0; start < grown.length; start++) {
    if (!grown[start] || seen[start]) continue;
    let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1, inkCells = 0;
    const stack = [start];
    seen[start] = 1;
    while (stack.length) {
      const i = stack.pop()!;
      const gx = i % gw, gy = (i - gx) / gw;
      if (grid[i]) {
        inkCells++;
        x0 = Math.min(x0, gx); x1 = Math.max(x1, gx); y0 = Math.min(y0, gy); y1 = Math.max(y1, gy);
      }
      for (const j of [i - 1, i + 1, i - gw, i + gw]) {
        if (j < 0 || j >= grown.length || seen[j] || !grown[j]) continue;
        if ((j === i - 1 && gx === 0) || (j === i + 1 && gx === gw - 1)) continue;
        seen[j] = 1;
        stack.push(j);
      }
    }
    if (inkCells) out.push({ x0: x0 * cell, y0: y0 * cell, x1: (x1 + 1) * cell, y1: (y1 + 1) * cell, inkCells });
  }
  return out;
}
