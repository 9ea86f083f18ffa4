// Renders tables with known structure (ruled grids with spans, booktabs, borderless, booktabs with grouped
// column headers, tightly set rows with wrapped labels, ruled columns over unruled rows, a shaded header band,
// labels centred beside stacked rows)
// for tests and for the self-rendered part of bench:table.
// Usage: node training/table/make-tables.mjs <outDir> <count> [seed] [font sizes in px, default 14,16,18,22] [look]
// look "print" (default "clean"): set in black or grey ink at three times the size and averaged down 3 × 3, as a
// PDF page rasterised at a low resolution is (journal tables at 72 dpi: light, soft glyphs).
// Writes NNN.png and truth.json ({ file: { style, headerRows, rows, cols, cells:[{row,col,rowSpan,colSpan,text}] } }).
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [out = 'training/table/data/tables', countArg = '30', seedArg = '11', sizesArg = '14,16,18,22', look = 'clean'] = process.argv.slice(2);
if (!['clean', 'print'].includes(look)) throw new Error(`look must be "clean" or "print", not "${look}"`);
mkdirSync(out, { recursive: true });
GlobalFonts.registerFromPath('/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf', 'TSerif');
GlobalFonts.registerFromPath('/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf', 'TSans');
let seed = Number(seedArg);
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (a) => a[Math.floor(random() * a.length)];
const words = ['Sample', 'Group', 'Control', 'Treated', 'Mean', 'Total', 'Site', 'North', 'South', 'Year', 'Rate', 'Dose', 'Age', 'Score', 'Cases', 'Value', 'Model', 'Baseline', 'Ours', 'Method'];
const number = (max, decimals) => (random() * max).toFixed(decimals);
// The figures of scientific tables: counts with shares, means with deviations, ranges and intervals (en dash),
// p-values. Small type loses their dots, percent signs and dashes first.
const statistic = () =>
  pick([
    () => `${number(400, 0)} (${number(100, pick([0, 1]))}%)`,
    () => `${number(90, 2)} ± ${number(9, 2)}`,
    () => `${number(40, 0)}–${number(40, 0)}`,
    () => `${number(9, 1)} (${number(2, 2)}–${number(9, 2)})`,
    () => (random() < 0.5 ? '<0.001' : number(1, 3)),
  ])();
// A dash stands for "not applicable" in a figure's place.
const cellText = (header) =>
  header
    ? pick(words) + (random() < 0.3 ? ' ' + pick(words) : '')
    : random() < 0.35
      ? (random() * 100).toFixed(pick([0, 1, 2]))
      : random() < 0.45
        ? statistic()
        : random() < 0.1
          ? '–'
          : pick(words);

export function makeTable(style) {
  if (style === 'grouped') return makeGroupedTable();
  if (style === 'wrapped') return makeWrappedTable();
  if (style === 'columns') return makeColumnsTable();
  if (style === 'shaded') return { ...makeColumnsTable(), style: 'shaded', pairs: false };
  if (style === 'stacked') return makeStackedTable();
  const rows = 3 + Math.floor(random() * 4);
  const cols = 2 + Math.floor(random() * 4);
  const headerRows = 1;
  // Spans: at most one colspan in the header (grid and booktabs) and one rowspan in the first column (grid).
  const cells = [];
  const covered = new Set();
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (covered.has(`${r},${c}`)) continue;
      let rowSpan = 1, colSpan = 1;
      if (style !== 'plain' && r === 0 && c === 1 && cols >= 3 && random() < 0.5) colSpan = 2;
      if (style === 'grid' && c === 0 && r === 1 && rows >= 4 && random() < 0.5) rowSpan = 2;
      for (let i = r; i < r + rowSpan; i++) for (let k = c; k < c + colSpan; k++) covered.add(`${i},${k}`);
      cells.push({ row: r, col: c, rowSpan, colSpan, text: cellText(r < headerRows) });
    }
  }
  return { style, headerRows, rows, cols, cells };
}

/**
 * The scientific-paper header: a stub column, then groups of two or three columns under a label centred over
 * them with a partial rule below it (LaTeX `\multicolumn` + `\cmidrule`), the column labels in a second header row.
 */
function makeGroupedTable() {
  const groups = Array.from({ length: 1 + Math.floor(random() * 2) }, () => 2 + Math.floor(random() * 2));
  const cols = 1 + groups.reduce((a, b) => a + b, 0);
  const rows = 2 + 2 + Math.floor(random() * 4);
  const cells = [{ row: 0, col: 0, rowSpan: 1, colSpan: 1, text: '' }];
  let col = 1;
  for (const width of groups) {
    cells.push({ row: 0, col, rowSpan: 1, colSpan: width, text: cellText(true) });
    col += width;
  }
  for (let r = 1; r < rows; r++) for (let c = 0; c < cols; c++) cells.push({ row: r, col: c, rowSpan: 1, colSpan: 1, text: c === 0 && r > 1 ? pick(words) : cellText(r < 2) });
  return { style: 'grouped', headerRows: 2, rows, cols, cells };
}

// How a wrapped label goes on: lower-case words, a sample size or a unit in parentheses.
const continuations = ['with', 'without', 'treated', 'control', 'group', 'only', 'total', 'baseline', '(n = 12)', '(mg/L)', '(%)', '(years)'];

/** Tight rows (as in PubTabNet's papers) whose stub labels wrap onto a second line ("\n" in the text). */
function makeWrappedTable() {
  const cols = 3 + Math.floor(random() * 3);
  const rows = 4 + Math.floor(random() * 4);
  const cells = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let text = r === 0 ? pick(words) : c === 0 ? pick(words) + ' ' + pick(words).toLowerCase() : (random() * 100).toFixed(pick([0, 1, 2]));
      if (r > 0 && c === 0 && random() < 0.5) text += '\n' + pick(continuations) + (random() < 0.3 ? ' ' + pick(continuations) : '');
      cells.push({ row: r, col: c, rowSpan: 1, colSpan: 1, text });
    }
  }
  return { style: 'wrapped', headerRows: 1, rows, cols, cells };
}

/**
 * The statistical-report table: every column ruled, body rows set tight with no rule between them, and often
 * label/figure pairs side by side in one ruled column ("Age | Total population" three times across the page).
 */
function makeColumnsTable() {
  const pairs = random() < 0.5;
  const cols = pairs ? 2 * (2 + Math.floor(random() * 2)) : 3 + Math.floor(random() * 3);
  const rows = 5 + Math.floor(random() * 8);
  const cells = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const label = pairs ? c % 2 === 0 : c === 0;
      const text = r === 0 ? pick(words) : label ? pick(words) + (random() < 0.4 ? ' ' + pick(words).toLowerCase() : '') : Math.floor(random() * 10 ** (2 + Math.floor(random() * 5))).toLocaleString('en-US');
      cells.push({ row: r, col: c, rowSpan: 1, colSpan: 1, text });
    }
  }
  return { style: 'columns', headerRows: 1, rows, cols, cells, pairs };
}

/**
 * Results by method and data set: booktabs rules, rows set tight, a method label centred beside the two or three
 * rows of its data sets (LaTeX `\multirow`), sometimes beside one; now and then a section heading row.
 */
function makeStackedTable() {
  const cols = 3 + Math.floor(random() * 3);
  const cells = [];
  for (let c = 0; c < cols; c++) cells.push({ row: 0, col: c, rowSpan: 1, colSpan: 1, text: pick(words) });
  let row = 1;
  for (let group = 0, groups = 2 + Math.floor(random() * 2); group < groups; group++) {
    // Now and then a section heading over the rows below, alone on its row: a cell of its own, as ICDAR 2013
    // annotates it (PubTabNet sometimes spans it across the table).
    if (random() < 0.3) {
      cells.push({ row, col: 0, rowSpan: 1, colSpan: 1, text: pick(words).toLowerCase() + ' ' + pick(words).toLowerCase() });
      for (let c = 1; c < cols; c++) cells.push({ row, col: c, rowSpan: 1, colSpan: 1, text: '' });
      row++;
    }
    const span = pick([1, 2, 2, 3]);
    cells.push({ row, col: 0, rowSpan: span, colSpan: 1, text: pick(words) + ' ' + pick(['A', 'B', 'net', 'fit']) });
    for (let r = row; r < row + span; r++) {
      cells.push({ row: r, col: 1, rowSpan: 1, colSpan: 1, text: pick(words) + '-' + (1 + Math.floor(random() * 9)) });
      for (let c = 2; c < cols; c++) cells.push({ row: r, col: c, rowSpan: 1, colSpan: 1, text: (random() * 100).toFixed(2) });
    }
    row += span;
  }
  return { style: 'stacked', headerRows: 1, rows: row, cols, cells };
}

/** The truth of a table whose wrapped texts are joined into one line each, as a reader would write them. */
export function truthOf(table) {
  return { ...table, cells: table.cells.map((c) => ({ ...c, text: c.text.replace(/\n/g, ' ') })) };
}

export function drawTable(table, family, size, ink = '#000') {
  const ctx0 = createCanvas(10, 10).getContext('2d');
  ctx0.font = `${size}px ${family}`;
  const padX = size * 0.9;
  const lineH = size * 1.2, rowPad = ['wrapped', 'columns', 'stacked'].includes(table.style) ? size * 0.35 : size * 0.8;
  const linesOf = (c) => c.text.split('\n');
  const widthOf = (c) => Math.max(...linesOf(c).map((l) => ctx0.measureText(l).width));
  const colW = Array(table.cols).fill(0);
  for (const c of table.cells) if (c.colSpan === 1) colW[c.col] = Math.max(colW[c.col], widthOf(c) + 2 * padX);
  for (const c of table.cells) {
    if (c.colSpan === 1) continue;
    const need = widthOf(c) + 2 * padX;
    const have = colW.slice(c.col, c.col + c.colSpan).reduce((a, b) => a + b, 0);
    if (need > have) for (let k = c.col; k < c.col + c.colSpan; k++) colW[k] += (need - have) / c.colSpan;
  }
  const margin = size * 1.5;
  const width = Math.ceil(colW.reduce((a, b) => a + b, 0) + 2 * margin);
  // Rows as tall as their most wrapped cell; a one-line row is 2 em as before (1.55 em when set tight).
  const rowH = Array.from({ length: table.rows }, (_, r) => Math.max(...table.cells.filter((c) => c.row === r).map((c) => linesOf(c).length)) * lineH + rowPad);
  const height = Math.ceil(rowH.reduce((a, b) => a + b, 0) + 2 * margin);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = ink;
  ctx.strokeStyle = ink;
  ctx.font = `${size}px ${family}`;
  const xs = [margin];
  for (const w of colW) xs.push(xs[xs.length - 1] + w);
  const ys = [margin];
  for (const h of rowH) ys.push(ys[ys.length - 1] + h);
  // A report's table: a coloured header band with white labels, a thin grey rule under every row, no columns ruled.
  const shadedHeader = table.style === 'shaded';
  if (shadedHeader) {
    ctx.fillStyle = pick(['#f28c28', '#1f4e79', '#6d6d6d']);
    ctx.fillRect(xs[0], ys[0], xs[xs.length - 1] - xs[0], ys[1] - ys[0]);
  }
  for (const c of table.cells) {
    ctx.fillStyle = shadedHeader && c.row === 0 ? '#fff' : ink;
    const x0 = xs[c.col], x1 = xs[c.col + c.colSpan];
    const y0 = ys[c.row], y1 = ys[c.row + c.rowSpan];
    const lines = linesOf(c);
    // Single-line rows centre their text; wrapped cells are set from the top, as LaTeX p{} columns are.
    const first = lines.length > 1 || table.style === 'wrapped' ? y0 + rowPad / 2 + lineH / 2 : (y0 + y1) / 2;
    lines.forEach((line, k) => {
      const w = ctx.measureText(line).width;
      const x = c.colSpan > 1 ? (x0 + x1 - w) / 2 : x0 + padX;
      ctx.fillText(line, x, first + k * lineH + size * 0.35);
    });
    if (table.style === 'grid') {
      ctx.lineWidth = Math.max(1, size / 14);
      ctx.strokeRect(Math.round(x0) + 0.5, Math.round(y0) + 0.5, Math.round(x1 - x0), Math.round(y1 - y0));
    }
  }
  if (table.style === 'shaded') {
    const w = Math.max(1, Math.round(size / 14));
    ctx.fillStyle = '#888';
    for (let r = 2; r <= table.rows; r++) ctx.fillRect(xs[0], Math.round(ys[r]), xs[xs.length - 1] - xs[0], w);
  }
  if (table.style === 'columns') {
    const w = Math.max(1, Math.round(size / 14));
    ctx.fillRect(xs[0], ys[0], xs[xs.length - 1] - xs[0], w);
    ctx.fillRect(xs[0], ys[1], xs[xs.length - 1] - xs[0], w);
    ctx.fillRect(xs[0], ys[table.rows], xs[xs.length - 1] - xs[0], w);
    // Pairs share one ruled column: no rule between a label and its figure.
    xs.forEach((x, k) => (!table.pairs || k % 2 === 0) && ctx.fillRect(Math.round(x), ys[0], w, ys[table.rows] - ys[0]));
  }
  if (['booktabs', 'grouped', 'wrapped', 'stacked'].includes(table.style)) {
    const rule = (y, w, x0 = xs[0], x1 = xs[xs.length - 1]) => ctx.fillRect(x0, Math.round(y - w / 2), x1 - x0, w);
    const thick = Math.max(2, Math.round(size / 10)), thin = Math.max(1, Math.round(size / 18));
    rule(ys[0], thick);
    rule(ys[table.headerRows], thin);
    rule(ys[table.rows], thick);
    // \cmidrule(lr): under each group label, trimmed at both ends so neighbouring groups' rules do not touch.
    for (const c of table.cells) if (c.row === 0 && c.colSpan > 1 && table.style === 'grouped') rule(ys[1] - size * 0.2, thin, xs[c.col] + size * 0.4, xs[c.col + c.colSpan] - size * 0.4);
  }
  return canvas;
}

/** The canvas shrunk by a whole factor, each pixel the mean of the block it covers (as a rasteriser's coverage). */
function averageDown(canvas, factor) {
  const { width, height } = canvas;
  const source = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  const w = Math.floor(width / factor), h = Math.floor(height / factor);
  const small = createCanvas(w, h);
  const ctx = small.getContext('2d');
  const image = ctx.createImageData(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = 0; dy < factor; dy++) for (let dx = 0; dx < factor; dx++) sum += source[((y * factor + dy) * width + x * factor + dx) * 4 + c];
        image.data[o + c] = Math.round(sum / (factor * factor));
      }
      image.data[o + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
  return small;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const truth = {};
  const styles = ['grid', 'booktabs', 'plain', 'grouped', 'wrapped', 'columns', 'shaded', 'stacked'];
  for (let i = 0; i < Number(countArg); i++) {
    const table = makeTable(styles[i % styles.length]);
    const family = pick(['TSerif', 'TSans']), size = pick(sizesArg.split(',').map(Number));
    const name = String(i).padStart(3, '0') + '.png';
    // encodeSync: the asynchronous encode crashed the process now and then (napi-rs canvas, a native fault).
    if (look === 'print') {
      const canvas = drawTable(table, family, size * 3, pick(['#000', '#333', '#555']));
      writeFileSync(join(out, name), averageDown(canvas, 3).encodeSync('png'));
    } else {
      writeFileSync(join(out, name), drawTable(table, family, size).encodeSync('png'));
    }
    truth[name] = truthOf(table);
  }
  writeFileSync(join(out, 'truth.json'), JSON.stringify(truth, null, 1));
  console.log(`wrote ${countArg} tables to ${out}`);
}
