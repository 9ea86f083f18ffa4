/**
 * Table structure from geometry: the cell grid comes from ruling lines where the table draws them, and from
 * the alignment of text boxes where it does not (booktabs tables with horizontal rules only, borderless
 * tables). Spans come from missing rule segments (ruled grids) or from text that crosses column gaps.
 */
import type { TextBox } from '../text/layout';
import { median } from '../geometry';
import type { Rule, Rules } from './rules';

/** A recognised text box (the shape the text layout uses), with the math engine's LaTeX when it is a formula. */
export type CellBox = TextBox & { math?: string };

export interface TableCell {
  row: number;
  col: number;
  rowSpan: number;
  colSpan: number;
  /** As the text recogniser read it. */
  text: string;
  /** LaTeX of a cell that is a formula (every line of it read by the math engine); written as `$…$`. */
  math?: string;
}

export interface Table {
  rows: number;
  cols: number;
  /** Top-left anchored cells, row-major; every grid position is covered by exactly one cell. */
  cells: TableCell[];
  headerRows: number;
  /** How the source draws its rules; LaTeX output mirrors it. */
  style: 'grid' | 'booktabs' | 'plain';
}

/** Merges positions closer than `tolerance` (a rule drawn twice, or anti-aliased over two pixel rows). */
export function clusterPositions(values: number[], tolerance: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const out: number[][] = [];
  for (const v of sorted) {
    const last = out[out.length - 1];
    if (last && v - last[last.length - 1]! <= tolerance) last.push(v);
    else out.push([v]);
  }
  return out.map((group) => group.reduce((s, v) => s + v, 0) / group.length);
}

/** Share of [from, to) covered by rules lying within `tolerance` of position `at`. */
function coverage(rules: Rule[], at: number, from: number, to: number, tolerance: number): number {
  const spans = rules.filter((r) => Math.abs(r.at - at) <= tolerance).map((r) => [Math.max(from, r.from), Math.min(to, r.to)] as const).filter(([a, b]) => b > a).sort((p, q) => p[0] - q[0]);
  let covered = 0, reach = from;
  for (const [a, b] of spans) {
    if (b <= reach) continue;
    covered += b - Math.max(a, reach);
    reach = b;
  }
  return to > from ? covered / (to - from) : 0;
}

/**
 * Removes rows where no cell starts (every position covered by a cell spanning from above): such a row is an
 * artefact of an extra rule and would be an empty `<tr>` in HTML.
 */
export function dropCoveredRows(table: Table): Table {
  let { rows, headerRows } = table;
  let cells = table.cells.map((c) => ({ ...c }));
  for (let r = rows - 1; r > 0; r--) {
    if (cells.some((c) => c.row === r)) continue;
    cells = cells.map((c) => (c.row < r && c.row + c.rowSpan > r ? { ...c, rowSpan: c.rowSpan - 1 } : c.row > r ? { ...c, row: c.row - 1 } : c));
    rows--;
    if (r < headerRows) headerRows--;
  }
  return { ...table, rows, headerRows, cells };
}

export function inferTable(boxes: CellBox[], rules: Rules): Table {
  const h = median(boxes.map((b) => b.y1 - b.y0)) || 10;
  const extent = boxes.length
    ? { x0: Math.min(...boxes.map((b) => b.x0)), y0: Math.min(...boxes.map((b) => b.y0)), x1: Math.max(...boxes.map((b) => b.x1)), y1: Math.max(...boxes.map((b) => b.y1)) }
    : { x0: 0, y0: 0, x1: 0, y1: 0 };
  // Vertical rules between columns of text make a ruled grid; a frame's sides alone (or the edge of a shaded
  // band) do not.
  const tall = rules.vertical.filter((r) => r.to - r.from > 1.2 * h);
  const between = tall.filter((r) => {
    const beside = boxes.filter((b) => (b.y0 + b.y1) / 2 > r.from && (b.y0 + b.y1) / 2 < r.to);
    return beside.some((b) => b.x1 <= r.at) && beside.some((b) => b.x0 >= r.at);
  });
  return dropCoveredRows(between.length >= 1 && rules.horizontal.length >= 2 ? ruledGrid(boxes, rules, h, extent) : alignedGrid(boxes, rules, h));
}

function ruledGrid(boxes: CellBox[], rules: Rules, h: number, extent: { x0: number; y0: number; x1: number; y1: number }): Table {
  const tolerance = Math.max(3, 0.3 * h);
  let xs = clusterPositions(rules.vertical.filter((r) => r.to - r.from > 1.2 * h).map((r) => r.at), tolerance);
  let ys = clusterPositions(rules.horizontal.map((r) => r.at), tolerance);
  // Tables without an outer frame: the text extent closes the grid.
  if (extent.x0 < xs[0]! - 0.3 * h) xs = [extent.x0 - 1, ...xs];
  if (extent.x1 > xs[xs.length - 1]! + 0.3 * h) xs = [...xs, extent.x1 + 1];
  if (extent.y0 < ys[0]! - 0.3 * h) ys = [extent.y0 - 1, ...ys];
  if (extent.y1 > ys[ys.length - 1]! + 0.3 * h) ys = [...ys, extent.y1 + 1];
  const unruled = unruledColumns(boxes, xs, h);
  xs = unruled.xs;
  const split = splitFigureRows(boxes, xs, ys, h);
  ys = split.ys;
  const rows = ys.length - 1, cols = xs.length - 1;
  // Across a column boundary no rule draws, a cell spans only where its text crosses it (a header over a pair).
  const crossed = (x: number, r: number) =>
    boxes.some((b) => (b.y0 + b.y1) / 2 >= ys[r]! && (b.y0 + b.y1) / 2 < ys[r + 1]! && b.x0 < x - tolerance && b.x1 > x + tolerance);
  // Union-find over grid positions: neighbours not separated by a drawn rule belong to one cell.
  const parent = Array.from({ length: rows * cols }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const union = (a: number, b: number) => {
    parent[find(a)] = find(b);
  };
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (c + 1 < cols) {
        const apart = unruled.added.has(c + 1) ? !crossed(xs[c + 1]!, r) : coverage(rules.vertical, xs[c + 1]!, ys[r]!, ys[r + 1]!, tolerance) >= 0.5;
        if (!apart) union(r * cols + c, r * cols + c + 1);
      }
      if (r + 1 < rows && !split.added.has(r + 1) && coverage(rules.horizontal, ys[r + 1]!, xs[c]!, xs[c + 1]!, tolerance) < 0.5) union(r * cols + c, (r + 1) * cols + c);
    }
  }
  const groups = new Map<number, { r0: number; c0: number; r1: number; c1: number }>();
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const g = groups.get(find(r * cols + c));
      if (g) {
        g.r0 = Math.min(g.r0, r); g.c0 = Math.min(g.c0, c); g.r1 = Math.max(g.r1, r); g.c1 = Math.max(g.c1, c);
      } else groups.set(find(r * cols + c), { r0: r, c0: c, r1: r, c1: c });
    }
  }
  const cellOf = (x: number, y: number) => {
    const c = xs.findIndex((v, i) => i < cols && x >= v && x < xs[i + 1]!);
    const r = ys.findIndex((v, i) => i < rows && y >= v && y < ys[i + 1]!);
    return r < 0 || c < 0 ? undefined : find(r * cols + c);
  };
  const texts = new Map<number, CellBox[]>();
  for (const b of boxes) {
    const key = cellOf((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2);
    if (key === undefined) continue;
    texts.set(key, [...(texts.get(key) ?? []), b]);
  }
  const cells = [...groups.entries()]
    .map(([key, g]) => ({ row: g.r0, col: g.c0, rowSpan: g.r1 - g.r0 + 1, colSpan: g.c1 - g.c0 + 1, ...cellContent(texts.get(key) ?? []) }))
    .sort((a, b) => a.row - b.row || a.col - b.col);
  return { rows, cols, cells, headerRows: rows > 1 ? 1 : 0, style: 'grid' };
}

/**
 * Column boundaries inside a ruled column: statistical tables often rule only every other column, a label and its
 * figure standing side by side between two rules. A boundary goes where a vertical strip at least a line high
 * wide is free of text in (nearly) every box of the column, with text on both sides of it in at least a third of
 * the boxes each. Returns the column positions with the new ones and the indices of the new ones.
 */
function unruledColumns(boxes: CellBox[], xs: number[], h: number): { xs: number[]; added: Set<number> } {
  const out: number[] = [xs[0]!];
  const added = new Set<number>();
  for (let c = 0; c + 1 < xs.length; c++) {
    const left = xs[c]!, right = xs[c + 1]!;
    const inside = boxes.filter((b) => (b.x0 + b.x1) / 2 >= left && (b.x0 + b.x1) / 2 < right);
    const width = Math.ceil(right - left);
    if (inside.length >= 4 && width > 3 * h) {
      const covering = new Int32Array(width);
      for (const b of inside) for (let x = Math.max(0, Math.floor(b.x0 - left)); x < Math.min(width, Math.ceil(b.x1 - left)); x++) covering[x]!++;
      // A header over the pair may cross the strip.
      const allowed = Math.max(1, Math.floor(0.1 * inside.length));
      let best: [number, number] | undefined;
      for (const [x, end] of sparseRuns(covering, allowed)) if (end - x >= h && (!best || end - x > best[1] - best[0])) best = [x, end];
      if (best) {
        const at = left + (best[0] + best[1]) / 2;
        const before = inside.filter((b) => b.x1 <= at).length, after = inside.filter((b) => b.x0 >= at).length;
        if (before >= inside.length / 3 && after >= inside.length / 3) {
          out.push(at);
          added.add(out.length - 1);
        }
      }
    }
    out.push(right);
  }
  return { xs: out, added };
}

/** A cell's text that is a figure: digits with their signs, separators and units of measure at most. */
const figure = /^[-+−±~<>≤≥]?[\d.,]+(?:\s*[%‰]|\s*[±]\s*[\d.,]+)?$|^[-–—]$/;

/**
 * Ruled tables often draw no rules between body rows: a band between two rules then holds several lines in every
 * column. When each column of the band holds the same lines (none, or one box on each of them) and at least half
 * of the boxes are figures (a label column may stand beside them), each line is a row of its own; a header band
 * of wrapped labels, or a cell whose text wraps while its neighbours do not, stays one row. Returns the row
 * positions with the new ones and the indices of the new ones.
 */
function splitFigureRows(boxes: CellBox[], xs: number[], ys: number[], h: number): { ys: number[]; added: Set<number> } {
  const out: number[] = [ys[0]!];
  const added = new Set<number>();
  for (let r = 0; r + 1 < ys.length; r++) {
    const inBand = boxes.filter((b) => (b.y0 + b.y1) / 2 >= ys[r]! && (b.y0 + b.y1) / 2 < ys[r + 1]!);
    const lines = textLines(inBand);
    const columns = xs.slice(0, -1).map((x, c) => inBand.filter((b) => (b.x0 + b.x1) / 2 >= x && (b.x0 + b.x1) / 2 < xs[c + 1]!));
    // Lines a column has text on; a column of figures must run down (nearly) every line of the band.
    const linesHeld = (column: CellBox[]) => lines.filter((line) => column.some((b) => line.includes(b))).length;
    const figureColumns = columns.filter((column) => column.some((b) => figure.test(b.text.trim())));
    const aligned =
      lines.length >= 2 &&
      figureColumns.length > 0 &&
      figureColumns.every((column) => linesHeld(column) >= Math.max(2, 0.75 * lines.length)) &&
      inBand.filter((b) => figure.test(b.text.trim())).length >= 0.5 * inBand.length;
    if (aligned) {
      for (let i = 1; i < lines.length; i++) {
        const above = Math.max(...lines[i - 1]!.map((b) => b.y1)), below = Math.min(...lines[i]!.map((b) => b.y0));
        if (below - above > -0.3 * h) {
          out.push((above + below) / 2);
          added.add(out.length - 1);
        }
      }
    }
    out.push(ys[r + 1]!);
  }
  return { ys: out, added };
}

/** Text lines become rows, aligned text columns become columns; horizontal rules separate header and body. */
function alignedGrid(boxes: CellBox[], rules: Rules, h: number): Table {
  const lines = textLines(boxes);
  if (lines.length === 0) return { rows: 0, cols: 0, cells: [], headerRows: 0, style: 'plain' };
  // Columns from the lines that have the most boxes: headers often span several body columns.
  const counts = lines.map((l) => l.length);
  const bodyCount = median(counts.filter((c) => c > 1)) || 1;
  const bodyLines = lines.filter((l) => l.length >= bodyCount);
  const columns = splitBandsAtGutters(mergeIntervals(bodyLines.flat().map((b) => [b.x0, b.x1] as [number, number]), 0.3 * h), bodyLines, 0.3 * h);
  const gutters = columns.slice(1).map((c, k) => [columns[k]![1], c[0]] as [number, number]);
  lines.forEach((line, i) => (lines[i] = line.flatMap((b) => cutAtGutters(b, gutters))));
  // Boxes from other lines that fall in a gap between body columns widen the nearest column.
  const colOf = (b: CellBox): [number, number] => {
    const hit = columns.map((c, i) => [i, Math.min(b.x1, c[1]) - Math.max(b.x0, c[0])] as const).filter(([, overlap]) => overlap > 0);
    if (hit.length === 0) {
      const centre = (b.x0 + b.x1) / 2;
      const nearest = columns.reduce((best, c, i) => (Math.abs((c[0] + c[1]) / 2 - centre) < Math.abs((columns[best]![0] + columns[best]![1]) / 2 - centre) ? i : best), 0);
      return [nearest, nearest];
    }
    // A box must reach well into a column to span it: overhanging a neighbour's edge is not a span.
    const spanned = hit.filter(([i, overlap]) => overlap > 0.5 * Math.min(b.x1 - b.x0, columns[i]![1] - columns[i]![0]));
    const used = spanned.length ? spanned : [hit.reduce((a, x) => (x[1] > a[1] ? x : a))];
    return [used[0]![0], used[used.length - 1]![0]];
  };
  const ruleYs = rules.horizontal.map((r) => r.at);
  const ruleBetween = (a: number, b: number) => ruleYs.some((y) => y > a && y < b);
  /** `down`: further rows the cell runs into (its text wraps past the next rows' lines). */
  interface Row { y0: number; y1: number; cells: Map<number, { span: number; boxes: CellBox[]; down?: number }> }
  const rows: Row[] = [];
  /** Whether some cell of `row` covers any of the columns c … c + span − 1. */
  const occupied = (row: Row, c: number, span: number) => [...row.cells].some(([c0, other]) => c0 < c + span && c < c0 + other.span);
  // The gap between columns k and k + 1 that a box's centre lies in, or -1.
  const gapOf = (b: CellBox) => columns.findIndex((c, k) => k + 1 < columns.length && (b.x0 + b.x1) / 2 > c[1] && (b.x0 + b.x1) / 2 < columns[k + 1]![0]);
  for (const line of lines) {
    const placed = new Map<number, { span: number; boxes: CellBox[] }>();
    const assigned = line.map(colOf);
    for (const [i, b] of line.entries()) {
      let [c0, c1] = assigned[i]!;
      // A label centred over the gap between two columns, with nothing else of its row above them, heads both
      // (\multicolumn without a rule under it).
      const gap = gapOf(b);
      if (gap >= 0 && c0 === c1 && (c0 === gap || c0 === gap + 1) && assigned.every(([a0, a1], j) => j === i || a1 < gap || a0 > gap + 1)) [c0, c1] = [gap, gap + 1];
      else if (rows.length === 0 && c0 === c1) {
        // In the first row, a label alone above its column and an empty neighbour, centred over the two (a wide
        // column of figures beside a narrow one, so the centre falls inside the wide one), heads both.
        const centre = (b.x0 + b.x1) / 2;
        const mid = (from: number, to: number) => (columns[from]![0] + columns[to]![1]) / 2;
        const own = Math.abs(centre - mid(c0, c0));
        const free = (c: number) => c >= 0 && c < columns.length && assigned.every(([a0, a1], j) => j === i || a1 < c || a0 > c);
        for (const [from, to] of [[c0, c0 + 1], [c0 - 1, c0]] as const) {
          if (!free(from) || !free(to)) continue;
          const off = Math.abs(centre - mid(from, to));
          if (off < 0.5 * own && off < 0.1 * (columns[to]![1] - columns[from]![0])) [c0, c1] = [from, to];
        }
      }
      const existing = placed.get(c0);
      if (existing) {
        existing.boxes.push(b);
        existing.span = Math.max(existing.span, c1 - c0 + 1);
      } else placed.set(c0, { span: c1 - c0 + 1, boxes: [b] });
    }
    const y0 = Math.min(...line.map((b) => b.y0)), y1 = Math.max(...line.map((b) => b.y1));
    const previous = rows[rows.length - 1];
    // A wrapped cell's next line: close below the cell's last line, in columns the row above fills, and fewer of
    // them. The cell may be one of an earlier row when its text runs past the next rows' lines (a long remark
    // beside one-line rows): it then spans down to the last row.
    // Numbers and capitalised labels start rows of their own (a row with an empty or unread cell is still a row);
    // lower-case words and a parenthesised remark without figures ("(n = 12)", "(mg/L)", "(%)") go on a label.
    const texts = line.map((b) => b.text.trim());
    const remark = (t: string) => /^\((?:[^\d]*|.*[\p{L}=].*)\)$/u.test(t);
    const number = (t: string) => /^[\d.,%()+\-−–—:;]+$/.test(t) || /^[-+−]?[\d.,]+[eE][-+−–]?\d+$/.test(t);
    const looksContinued = texts.every((t) => remark(t) || !number(t)) && (/^\p{Ll}/u.test(texts[0] ?? '') || remark(texts[0] ?? ''));
    /** The row whose cell in column `c` this line goes on: the latest row with text there, none between. */
    const hostOf = (c: number, span: number) => {
      for (let r = rows.length - 1; r >= 0; r--) {
        const cell = rows[r]!.cells.get(c);
        if (cell) {
          const bottom = Math.max(...cell.boxes.map((b) => b.y1));
          return cell.span === span && y0 - bottom < 0.5 * h && !ruleBetween(bottom, y0) ? r : undefined;
        }
        if (occupied(rows[r]!, c, span)) return undefined;
      }
      return undefined;
    };
    // Under the first row every label may wrap at once ("Methods (n-" / "mers used)"): a second line whose every
    // cell goes on in lower case continues the header.
    const headerWraps = rows.length === 1 && texts.every((t) => /^\p{Ll}/u.test(t) || remark(t));
    const hosts = previous && looksContinued && (placed.size < previous.cells.size || headerWraps) ? [...placed].map(([c, cell]) => hostOf(c, cell.span)) : [];
    if (previous && hosts.length > 0 && hosts.every((r) => r !== undefined)) {
      [...placed].forEach(([c, cell], i) => {
        const host = rows[hosts[i]!]!.cells.get(c)!;
        host.boxes.push(...cell.boxes);
        host.down = rows.length - 1 - hosts[i]!;
      });
      previous.y1 = Math.max(previous.y1, y1);
    } else rows.push({ y0, y1, cells: placed });
  }
  const cols = columns.length;
  // A rule under part of the table (LaTeX's \cmidrule) sets a group label over the columns it underlines; a rule
  // across the table (\midrule) ends the header, so a grouped header keeps both of its rows.
  const left = Math.min(...boxes.map((b) => b.x0)), right = Math.max(...boxes.map((b) => b.x1));
  const top = rows[0]!.y0, bottom = rows[rows.length - 1]!.y1;
  const inner = rules.horizontal.filter((r) => r.at > top + 0.3 * h && r.at < bottom - 0.3 * h).sort((a, b) => a.at - b.at);
  const full = (r: Rule) => r.from <= left + 0.5 * h && r.to >= right - 0.5 * h;
  for (const rule of inner.filter((r) => !full(r))) {
    const above = rows.filter((row) => row.y1 <= rule.at + 0.2 * h && rule.at - row.y1 < 1.5 * h).pop();
    const under = columns.map((c, i) => [i, (c[0] + c[1]) / 2] as const).filter(([, centre]) => centre > rule.from - 0.5 * h && centre < rule.to + 0.5 * h).map(([i]) => i);
    if (!above || under.length < 2) continue;
    const labels = [...above.cells.entries()].filter(([, cell]) => cell.boxes.every((b) => (b.x0 + b.x1) / 2 > rule.from && (b.x0 + b.x1) / 2 < rule.to));
    // One label over the rule, and nothing else above its columns: a rule under several labels is a broken
    // \midrule, one that cuts through text is not a \cmidrule.
    const clash = [...above.cells.keys()].some((c) => under.includes(c) && !labels.some(([k]) => k === c));
    if (labels.length !== 1 || clash) continue;
    const [column, label] = labels[0]!;
    above.cells.delete(column);
    above.cells.set(under[0]!, { span: under.length, boxes: label.boxes });
  }
  // A label centred beside two stacked rows (LaTeX \multirow) is one cell over both. Its line lies between them,
  // or, with rows set tight, joins the upper one; either way nothing else is in its columns in the two rows.
  const centreOf = (bs: CellBox[]) => median(bs.map((b) => (b.y0 + b.y1) / 2));
  /** `lower` follows `upper` less than `within` below it, with no rule between them. */
  const closeBelow = (upper: Row, lower: Row, within: number) => lower.y0 - upper.y1 < within && !ruleBetween(upper.y1 - 0.5 * h, lower.y0 + 0.5 * h);
  const tightBelow = (upper: Row, lower: Row) => closeBelow(upper, lower, 0.5 * h);
  for (let r = 1; r + 1 < rows.length; r++) {
    const [above, row, below] = [rows[r - 1]!, rows[r]!, rows[r + 1]!];
    const floating = [...row.cells].every(([c, cell]) => !occupied(above, c, cell.span) && !occupied(below, c, cell.span));
    if (!floating || !tightBelow(above, row) || !tightBelow(row, below)) continue;
    for (const [c, cell] of row.cells) above.cells.set(c, cell);
    above.y1 = Math.max(above.y1, row.y1);
    rows.splice(r--, 1);
  }
  const rowSpanOf = new Map<string, number>();
  const covered = new Set<string>();
  rows.forEach((row, r) => {
    for (const [c, cell] of row.cells) {
      if (!cell.down) continue;
      rowSpanOf.set(`${r},${c}`, 1 + cell.down);
      for (let d = 1; d <= cell.down; d++) for (let k = c; k < c + cell.span; k++) covered.add(`${r + d},${k}`);
    }
  });
  rows.forEach((row, r) => {
    const next = rows[r + 1];
    if (!next || !tightBelow(row, next)) return;
    const nextCentre = centreOf([...next.cells.values()].flatMap((cell) => cell.boxes));
    for (const [c, cell] of row.cells) {
      const others = [...row.cells].filter(([k]) => k !== c).flatMap(([, other]) => other.boxes);
      if (cell.down || others.length === 0 || occupied(next, c, cell.span)) continue;
      const centre = centreOf(others);
      const way = (centreOf(cell.boxes) - centre) / (nextCentre - centre);
      if (way > 0.3 && way < 0.7) {
        rowSpanOf.set(`${r},${c}`, 2);
        for (let k = c; k < c + cell.span; k++) covered.add(`${r + 1},${k}`);
      }
    }
  });
  // A label centred beside three or more stacked rows lies on the middle one (or between the middle two): as
  // many empty cells above it as below. Down a column, between rules, section rows and gaps of a line, the empty
  // cells between two labels are shared out that way; a column where they cannot be (a label with empty cells on
  // one side only: top- or bottom-aligned labels) is left as it is.
  const isCovered = (r: number, c: number) => covered.has(`${r},${c}`);
  for (let c = 0; c < cols; c++) {
    type Stretch = { labels: { r: number; span: number; width: number }[]; gaps: number[] };
    const stretches: Stretch[] = [];
    let current: Stretch = { labels: [], gaps: [0] };
    const close = () => {
      if (current.labels.length) stretches.push(current);
      current = { labels: [], gaps: [0] };
    };
    // The first row is a header, whatever stands below it.
    for (let r = 1; r < rows.length; r++) {
      if (r > 1 && !closeBelow(rows[r - 1]!, rows[r]!, h)) close();
      const row = rows[r]!;
      const cell = row.cells.get(c);
      if (cell && !cell.down && row.cells.size >= 2) {
        const span = rowSpanOf.get(`${r},${c}`) ?? 1;
        current.labels.push({ r, span, width: cell.span });
        current.gaps.push(0);
        r += span - 1;
      } else if (!occupied(row, c, 1) && !isCovered(r, c)) current.gaps[current.gaps.length - 1]!++;
      else close();
    }
    close();
    const plans = stretches.map(({ labels, gaps }) => {
      const ks: number[] = [];
      let room = gaps[0]!;
      for (const [i, label] of labels.entries()) {
        const k = room;
        if (k < 0 || (k === 0 && label.span === 1 && (gaps[i]! > 0 || gaps[i + 1]! > 0))) return undefined;
        ks.push(k);
        room = gaps[i + 1]! - k;
      }
      return room === 0 ? ks : undefined;
    });
    if (plans.some((p) => p === undefined)) continue;
    stretches.forEach(({ labels }, i) =>
      labels.forEach((label, j) => {
        const k = plans[i]![j]!;
        if (k === 0) return;
        const cell = rows[label.r]!.cells.get(c)!;
        rowSpanOf.delete(`${label.r},${c}`);
        rowSpanOf.set(`${label.r - k},${c}`, label.span + 2 * k);
        rows[label.r]!.cells.delete(c);
        rows[label.r - k]!.cells.set(c, cell);
        for (let d = 1; d < label.span + 2 * k; d++) for (let x = c; x < c + label.width; x++) covered.add(`${label.r - k + d},${x}`);
        for (let x = c; x < c + label.width; x++) covered.delete(`${label.r - k},${x}`);
      }),
    );
  }
  const cells: TableCell[] = [];
  rows.forEach((row, r) => {
    let c = 0;
    while (c < cols) {
      if (covered.has(`${r},${c}`)) {
        c++;
        continue;
      }
      const cell = row.cells.get(c);
      const span = cell ? Math.min(cell.span, cols - c) : 1;
      cells.push({ row: r, col: c, rowSpan: rowSpanOf.get(`${r},${c}`) ?? 1, colSpan: span, ...cellContent(cell?.boxes ?? []) });
      c += span;
    }
  });
  // booktabs: the first rule across the table between text rows ends the header; without one, the first row is.
  const headerRule = inner.find(full) ?? inner[0];
  let headerRows = rows.length > 1 ? 1 : 0;
  if (headerRule) headerRows = Math.max(1, rows.filter((row) => (row.y0 + row.y1) / 2 < headerRule.at).length);
  return { rows: rows.length, cols, cells, headerRows, style: rules.horizontal.length >= 2 ? 'booktabs' : 'plain' };
}

/**
 * Boxes → text lines, top to bottom. A box joins the line whose band it overlaps by half its height; the band is
 * the median top and bottom of the line's boxes, not their union, so a label centred beside two stacked lines
 * ("Improved FCM" beside "Gaofen-3" / "Sentinel-1") joins one of them instead of chaining both into one line.
 */
function textLines(boxes: CellBox[]): CellBox[][] {
  const sorted = [...boxes].sort((a, b) => (a.y0 + a.y1) / 2 - (b.y0 + b.y1) / 2);
  const lines: { y0: number; y1: number; boxes: CellBox[] }[] = [];
  for (const b of sorted) {
    const overlap = (l: { y0: number; y1: number }) => Math.min(l.y1, b.y1) - Math.max(l.y0, b.y0);
    const line = lines.filter((l) => overlap(l) > 0.5 * Math.min(l.y1 - l.y0, b.y1 - b.y0)).sort((l, m) => overlap(m) - overlap(l))[0];
    if (line) {
      line.boxes.push(b);
      line.y0 = median(line.boxes.map((x) => x.y0));
      line.y1 = median(line.boxes.map((x) => x.y1));
    } else lines.push({ y0: b.y0, y1: b.y1, boxes: [b] });
  }
  return lines.sort((a, b) => a.y0 - b.y0).map((l) => l.boxes.sort((a, b) => a.x0 - b.x0));
}

/**
 * Splits merged column bands at gutters that a few body lines cross: where the detector joined two cells of a line
 * ("1,630E-02 9,007E-07" in one box), that box bridges the gap and merging would fuse two columns for the whole
 * table. A gutter is a run at least `minGap` wide where at most a fifth of the body lines (at least one) have text,
 * with at least three times as many lines having text on either side: a ragged column has no such run, since only
 * the lines that cross the run have text beyond it.
 */
function splitBandsAtGutters(bands: [number, number][], bodyLines: CellBox[][], minGap: number): [number, number][] {
  const allowed = Math.max(1, Math.floor(0.2 * bodyLines.length));
  const columns: [number, number][] = [];
  for (const [a, b] of bands) {
    const coverage = new Int32Array(Math.ceil(b - a) + 1);
    for (const line of bodyLines) {
      const spans = mergeIntervals(line.filter((x) => x.x1 > a && x.x0 < b).map((x) => [Math.max(a, x.x0), Math.min(b, x.x1)] as [number, number]), 0);
      for (const [x0, x1] of spans) for (let x = Math.floor(x0 - a); x < Math.ceil(x1 - a); x++) coverage[x]!++;
    }
    const most = (from: number, to: number) => coverage.subarray(from, to).reduce((m, v) => Math.max(m, v), 0);
    let start = 0;
    for (const [x, end] of sparseRuns(coverage, allowed)) {
      if (end - x >= minGap && Math.min(most(start, x), most(end, coverage.length)) >= Math.max(3, 3 * most(x, end))) {
        columns.push([a + start, a + x]);
        start = end;
      }
    }
    columns.push([a + start, b]);
  }
  return columns;
}

/**
 * A box that bridges the gutter between two columns (x0, x1 of the gap) is cut at the word gap whose place (by its
 * share of the characters) is nearest the gutter, when that place falls inside it give or take a character and a
 * figure follows; otherwise it stays one (a spanning cell).
 */
function cutAtGutters(box: CellBox, gutters: [number, number][]): CellBox[] {
  const text = box.text;
  const charWidth = (box.x1 - box.x0) / Math.max(1, text.length);
  for (const [g0, g1] of gutters) {
    if (!(box.x0 < g0 && box.x1 > g1)) continue;
    const middle = (g0 + g1) / 2;
    let best: { at: number; x: number } | undefined;
    for (let i = 1; i < text.length - 1; i++) {
      if (text[i] !== ' ') continue;
      const x = box.x0 + (i + 0.5) * charWidth;
      if (!best || Math.abs(x - middle) < Math.abs(best.x - middle)) best = { at: i, x };
    }
    // Only in front of a figure: a label over several columns ("Genes in pathway") is a spanning cell.
    if (!best || best.x < g0 - charWidth || best.x > g1 + charWidth || !/^[-+−–(<>±]?\.?\d/.test(text.slice(best.at + 1))) continue;
    const left = { ...box, text: text.slice(0, best.at).trim(), x1: Math.min(g0, best.x) };
    const right = { ...box, text: text.slice(best.at + 1).trim(), x0: Math.max(g1, best.x) };
    return [...cutAtGutters(left, gutters), ...cutAtGutters(right, gutters)];
  }
  return [box];
}

/** Maximal runs [from, to) where `coverage` is at most `allowed`, not touching either end (a gap between things). */
function sparseRuns(coverage: Int32Array, allowed: number): [number, number][] {
  const runs: [number, number][] = [];
  for (let x = 0; x < coverage.length; ) {
    if (coverage[x]! > allowed) {
      x++;
      continue;
    }
    let end = x;
    while (end < coverage.length && coverage[end]! <= allowed) end++;
    if (x > 0 && end < coverage.length) runs.push([x, end]);
    x = end;
  }
  return runs;
}

function mergeIntervals(intervals: [number, number][], gap: number): [number, number][] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + gap) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** A cell's text, and its LaTeX when every line of it is a formula. */
function cellContent(boxes: CellBox[]): { text: string; math?: string } {
  const text = joinCellText(boxes);
  const formula = boxes.length > 0 && boxes.every((b) => b.math) ? inReadingOrder(boxes).map((b) => b.math).join(' ') : undefined;
  return formula ? { text, math: formula } : { text };
}

const inReadingOrder = (boxes: CellBox[]) => [...boxes].sort((a, b) => ((a.y0 + a.y1) / 2 > b.y1 ? 1 : (b.y0 + b.y1) / 2 > a.y1 ? -1 : a.x0 - b.x0));

/**
 * A cell's boxes in reading order, joined by spaces; a line that ends in a hyphen after a letter goes on without
 * one ("n-" / "mers" → "n-mers": narrow cells break compounds, and whether the hyphen was soft is not known).
 */
function joinCellText(boxes: CellBox[]): string {
  const texts = inReadingOrder(boxes)
    .map((b) => b.text.trim())
    .filter(Boolean);
  return texts.reduce((text, next) => (text === '' ? next : /\p{L}-$/u.test(text) && /^\p{L}/u.test(next) ? text + next : `${text} ${next}`), '');
}
