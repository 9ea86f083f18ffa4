// Scores `table` mode with TEDS and structure-only TEDS-S (bench/teds.ts) on ../shared/eval/tables and on
// self-rendered tables (training/table/make-tables.mjs). Evaluation only: nothing here is tuned on these sets.
//
// Run: npm run bench:table  [-- --sets pubtabnet,icdar2013,synthetic --limit N --only ID,… --dpi N --pad PT
//                               --count N --seed K --save-crops DIR --with-truth --out FILE --verbose]
// Sets: pubtabnet-examples, pubtabnet-minival (or "pubtabnet" for both), icdar2013, synthetic. See bench/README.md.
// Imports use `.js` suffixes (tsx maps them to the .ts sources): tsconfig.json type-checks bench/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { OcrService } from '../server/src/service.js';
import { countNodes, decodeEntities, tableTree, tedsTrees, type TedsOptions } from './teds.js';
import { sourceHash } from './lib/run.mts';

const root = resolve(import.meta.dirname, '..');
/** The evaluation sets: $FORMATTED_OCR_EVAL, ../shared/eval next to the repository, or /work/shared/eval. */
const evalRoot = (() => {
  const candidates = [process.env.FORMATTED_OCR_EVAL, resolve(root, '../shared/eval'), '/work/shared/eval'].filter((c): c is string => !!c);
  const found = candidates.find((c) => existsSync(join(c, 'tables')));
  if (!found) throw new Error(`Evaluation sets not found (tried ${candidates.join(', ')}); set FORMATTED_OCR_EVAL.`);
  return join(found, 'tables');
})();
const { values: args } = parseArgs({
  options: {
    sets: { type: 'string', default: 'pubtabnet-examples,pubtabnet-minival,icdar2013,synthetic' },
    limit: { type: 'string' },
    dpi: { type: 'string' },
    pad: { type: 'string', default: '2' },
    count: { type: 'string', default: '100' },
    seed: { type: 'string', default: '4242' },
    /** Font sizes of the synthetic tables in px (make-tables.mjs picks among them); 8,9 is journal type at 72 dpi. */
    sizes: { type: 'string', default: '14,16,18,22' },
    /** "print": grey ink, drawn large and averaged down, as a PDF rasterised at 72 dpi looks (make-tables.mjs). */
    look: { type: 'string', default: 'clean' },
    'save-crops': { type: 'string' },
    'with-truth': { type: 'boolean', default: false },
    out: { type: 'string' },
    only: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
const limit = args.limit ? Number(args.limit) : Infinity;
const dpi = args.dpi ? Number(args.dpi) : undefined;
const pad = Number(args.pad);
const wanted = new Set(args.sets!.split(',').flatMap((s) => (s === 'pubtabnet' ? ['pubtabnet-examples', 'pubtabnet-minival'] : [s.trim()])));

export interface Item {
  set: string;
  /** Sub-group reported separately (synthetic styles). */
  group?: string;
  id: string;
  path: string;
  page?: number;
  region?: { x: number; y: number; width: number; height: number };
  truth: string;
  options: TedsOptions;
}

const escapeHtml = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface GridCell { row: number; col: number; rowSpan: number; colSpan: number; text: string }

/** HTML for a cell grid; positions no cell covers become empty cells. Header rows go in <thead>. */
function gridHtml(cells: GridCell[], headerRows: number): string {
  const rows = Math.max(0, ...cells.map((c) => c.row + c.rowSpan));
  const cols = Math.max(0, ...cells.map((c) => c.col + c.colSpan));
  const owner = new Map<string, GridCell>();
  for (const c of [...cells].sort((a, b) => a.row - b.row || a.col - b.col)) {
    for (let r = c.row; r < c.row + c.rowSpan; r++) for (let k = c.col; k < c.col + c.colSpan; k++) if (!owner.has(`${r},${k}`)) owner.set(`${r},${k}`, c);
  }
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    let line = '<tr>';
    for (let k = 0; k < cols; k++) {
      const c = owner.get(`${r},${k}`);
      if (!c) line += '<td></td>';
      else if (c.row === r && c.col === k) {
        line += `<td${c.colSpan > 1 ? ` colspan="${c.colSpan}"` : ''}${c.rowSpan > 1 ? ` rowspan="${c.rowSpan}"` : ''}>${escapeHtml(c.text)}</td>`;
      }
    }
    lines.push(line + '</tr>');
  }
  const head = lines.slice(0, headerRows), body = lines.slice(headerRows);
  return `<table>${head.length ? `<thead>${head.join('')}</thead>` : ''}<tbody>${body.join('')}</tbody></table>`;
}

// ---------------------------------------------------------------------------------------------------------
// PubTabNet: the examples carry structure tokens and cell tokens; the mini-val set has full HTML.

function pubtabnetExamples(): Item[] {
  const dir = join(evalRoot, 'pubtabnet/examples');
  const lines = readFileSync(join(dir, 'PubTabNet_Examples.jsonl'), 'utf8').split('\n').filter(Boolean);
  return lines.map((line) => {
    const entry = JSON.parse(line) as { filename: string; html: { structure: { tokens: string[] }; cells: { tokens: string[] }[] } };
    let cell = 0;
    let html = '';
    for (const token of entry.html.structure.tokens) {
      // Each cell's content goes just before its </td>; markup tokens (<b>, <sup>…) stay markup.
      if (token === '</td>') html += (entry.html.cells[cell++]?.tokens ?? []).map((t) => (t.length > 1 && /^<\/?[a-z]+>$/.test(t) ? t : escapeHtml(t))).join('');
      html += token;
    }
    if (cell !== entry.html.cells.length) throw new Error(`${entry.filename}: ${entry.html.cells.length} cells for ${cell} </td> tokens`);
    return { set: 'pubtabnet-examples', id: entry.filename, path: join(dir, entry.filename), truth: `<table>${html}</table>`, options: {} };
  });
}

function pubtabnetMiniVal(): Item[] {
  const truth = JSON.parse(readFileSync(join(evalRoot, 'pubtabnet/src/sample_gt.json'), 'utf8')) as Record<string, { html: string }>;
  const dir = join(evalRoot, 'pubtabnet/ICDAR_SLR_competition/mini_val');
  return Object.keys(truth)
    .sort()
    .map((name) => ({ set: 'pubtabnet-minival', id: name, path: join(dir, name), truth: truth[name]!.html, options: {} }));
}

// ---------------------------------------------------------------------------------------------------------
// ICDAR 2013: regions (-reg.xml) and cells (-str.xml) in PDF user space (points, origin bottom-left).

const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag);
  return m ? (m[1] ?? m[2]) : undefined;
};
const elements = (xml: string, name: string) => [...xml.matchAll(new RegExp(`<${name}\\b([^>]*)>([\\s\\S]*?)</${name}>`, 'g'))].map((m) => ({ attrs: m[1]!, body: m[2]! }));
const boxOf = (xml: string) => {
  const tag = /<bounding-box\b[^>]*>/.exec(xml)?.[0] ?? '';
  return { x1: Number(attr(tag, 'x1')), y1: Number(attr(tag, 'y1')), x2: Number(attr(tag, 'x2')), y2: Number(attr(tag, 'y2')) };
};
const collapse = (t: string) => t.replace(/\s+/g, ' ').trim();

interface IcdarTable { doc: string; pdf: string; id: string; page: number; box: { x1: number; y1: number; x2: number; y2: number }; cells: GridCell[]; overlaps: number }

function icdarTables(): IcdarTable[] {
  const tables: IcdarTable[] = [];
  for (const part of ['competition-dataset-eu', 'competition-dataset-us']) {
    const dir = join(evalRoot, 'icdar2013', part);
    // 67 PDFs; eu-009, us-011, us-031 and us-035 have a second annotation ("b", no PDF of its own): the "a" one is scored.
    for (const file of readdirSync(dir).filter((f) => f.endsWith('-str.xml') && existsSync(join(dir, f.replace(/-str\.xml$/, '.pdf')))).sort()) {
      const doc = file.replace(/-str\.xml$/, '');
      const structure = readFileSync(join(dir, file), 'utf8');
      const regions = readFileSync(join(dir, `${doc}-reg.xml`), 'utf8');
      const regTables = new Map(elements(regions, 'table').map((t) => [attr(t.attrs, 'id')!, elements(t.body, 'region')]));
      for (const table of elements(structure, 'table')) {
        const id = attr(table.attrs, 'id')!;
        const cells: GridCell[] = [];
        const pages = new Set<number>();
        for (const region of elements(table.body, 'region')) {
          pages.add(Number(attr(region.attrs, 'page')));
          const dr = Number(attr(region.attrs, 'row-increment') ?? 0), dc = Number(attr(region.attrs, 'col-increment') ?? 0);
          for (const cell of elements(region.body, 'cell')) {
            const r0 = Number(attr(cell.attrs, 'start-row')), c0 = Number(attr(cell.attrs, 'start-col'));
            const r1 = Number(attr(cell.attrs, 'end-row') ?? r0), c1 = Number(attr(cell.attrs, 'end-col') ?? c0);
            const content = /<content>([\s\S]*?)<\/content>/.exec(cell.body)?.[1] ?? '';
            cells.push({ row: r0 + dr, col: c0 + dc, rowSpan: r1 - r0 + 1, colSpan: c1 - c0 + 1, text: collapse(decodeEntities(content)) });
          }
        }
        if (pages.size !== 1) throw new Error(`${doc} table ${id} spans pages ${[...pages]}`);
        // Some files count rows and columns from 1.
        const minRow = Math.min(...cells.map((c) => c.row)), minCol = Math.min(...cells.map((c) => c.col));
        for (const c of cells) (c.row -= minRow), (c.col -= minCol);
        let overlaps = 0;
        const seen = new Set<string>();
        for (const c of cells) for (let r = c.row; r < c.row + c.rowSpan; r++) for (let k = c.col; k < c.col + c.colSpan; k++) seen.has(`${r},${k}`) ? overlaps++ : seen.add(`${r},${k}`);
        // The table's region from -reg.xml (the union when a table is split into side-by-side regions).
        const boxes = (regTables.get(id) ?? []).map((r) => boxOf(r.body));
        if (boxes.length === 0) for (const region of elements(table.body, 'region')) for (const cell of elements(region.body, 'cell')) boxes.push(boxOf(cell.body));
        const box = { x1: Math.min(...boxes.map((b) => b.x1)), y1: Math.min(...boxes.map((b) => b.y1)), x2: Math.max(...boxes.map((b) => b.x2)), y2: Math.max(...boxes.map((b) => b.y2)) };
        tables.push({ doc, pdf: join(dir, `${doc}.pdf`), id, page: [...pages][0]!, box, cells, overlaps });
      }
    }
  }
  return tables;
}

/**
 * ICDAR box (points, origin bottom-left) → the daemon's region (points, origin top-left, pdf.js viewport at
 * scale 1). The XML measures in the page as displayed: on eu-015's /Rotate 90 pages x runs along the long
 * side, so the flip uses the displayed height (checked by rendering crops; every page's view box starts at 0,0).
 */
async function icdarItems(): Promise<Item[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const items: Item[] = [];
  const docs = new Map<string, Awaited<ReturnType<typeof pdfjs.getDocument>['promise']>>();
  for (const t of icdarTables()) {
    if (!docs.has(t.pdf)) docs.set(t.pdf, await pdfjs.getDocument({ data: new Uint8Array(readFileSync(t.pdf)), verbosity: 0 }).promise);
    const page = await docs.get(t.pdf)!.getPage(t.page);
    const { width, height } = page.getViewport({ scale: 1 });
    const x0 = Math.max(0, t.box.x1 - pad), x1 = Math.min(width, t.box.x2 + pad);
    const y0 = Math.max(0, height - t.box.y2 - pad), y1 = Math.min(height, height - t.box.y1 + pad);
    items.push({
      set: 'icdar2013',
      id: `${t.doc}#${t.id}`,
      path: t.pdf,
      page: t.page,
      region: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
      truth: gridHtml(t.cells, 0),
      // No header annotation: thead/tbody are merged on both sides; whitespace runs count as one space.
      options: { collapseSections: true, normalizeText: collapse },
    });
  }
  for (const doc of docs.values()) await doc.destroy();
  return items;
}

// ---------------------------------------------------------------------------------------------------------
// Self-rendered tables with known structure.

function syntheticItems(): Item[] {
  // Rendered afresh each run (a few seconds), so a change to the generator is always measured; removed on exit.
  const dir = mkdtempSync(join(tmpdir(), 'formatted-ocr-bench-tables-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  execFileSync(process.execPath, [join(root, 'training/table/make-tables.mjs'), dir, args.count!, args.seed!, args.sizes!, args.look!], { stdio: 'ignore' });
  const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as Record<string, { style: string; headerRows: number; cells: GridCell[] }>;
  return Object.entries(truth).map(([name, t]) => ({ set: 'synthetic', group: t.style, id: name, path: join(dir, name), truth: gridHtml(t.cells, t.headerRows), options: {} }));
}

// ---------------------------------------------------------------------------------------------------------

const median = (v: number[]) => {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);

/** Shape of a table tree, for the diagnosis: rows, columns (sum of colspans of the widest row), spans, header rows. */
function shape(html: string, options: TedsOptions) {
  const tree = tableTree(html, { collapseSections: options.collapseSections });
  if (!tree) return undefined;
  const rows: { colspan: number; rowspan: number }[][] = [];
  let headerRows = 0;
  const walk = (node: typeof tree, inHead: boolean) => {
    for (const child of node.children) {
      if (child.tag === 'tr') {
        rows.push(child.children.filter((c) => c.tag === 'td'));
        if (inHead) headerRows++;
      } else walk(child, inHead || child.tag === 'thead');
    }
  };
  walk(tree, false);
  const cells = rows.flat();
  return {
    rows: rows.length,
    cols: Math.max(0, ...rows.map((r) => r.reduce((n, c) => n + c.colspan, 0))),
    cells: cells.length,
    colSpans: cells.filter((c) => c.colspan > 1).length,
    rowSpans: cells.filter((c) => c.rowspan > 1).length,
    headerRows,
  };
}

type Shape = ReturnType<typeof shape>;
interface ResultRow {
  set: string;
  group?: string;
  id: string;
  page?: number;
  region?: Item['region'];
  teds: number;
  tedsS: number;
  /** TEDS with inline markup tokens left out of cell contents (no OCR output has <b>, <sup>…). */
  tedsNoMarkup: number;
  /** TEDS-S with thead/tbody merged on both sides. */
  tedsSFlat: number;
  ms: number;
  timings?: Record<string, number>;
  /** The engine's reading of the rules: grid (ruled), booktabs (horizontal rules only) or plain. */
  style?: string;
  error?: string;
  pred: Shape;
  truth: Shape;
  nodes: { pred: number; truth: number };
  predHtml: string;
  truthHtml?: string;
}

/** The items of the selected sets, with --only and --limit applied (exported for ad-hoc diagnosis scripts). */
export async function loadItems(): Promise<Item[]> {
  const items: Item[] = [];
  const take = (list: Item[]) => list.filter((i) => !args.only || args.only.split(',').some((o) => i.id.includes(o))).slice(0, limit);
  if (wanted.has('pubtabnet-examples')) items.push(...take(pubtabnetExamples()));
  if (wanted.has('pubtabnet-minival')) items.push(...take(pubtabnetMiniVal()));
  if (wanted.has('icdar2013')) items.push(...take(await icdarItems()));
  if (wanted.has('synthetic')) items.push(...take(syntheticItems()));
  if (items.length === 0) throw new Error(`No items: --sets ${args.sets}`);
  return items;
}


async function main() {
  const started = performance.now();
  const engineSources = sourceHash(join(root, 'server/src'));
  const loadBefore = loadavg();
  const items = await loadItems();
  if (args['save-crops']) {
    // Crops of the evaluation sets never go into the repository.
    if (!relative(root, resolve(args['save-crops'])).startsWith('..')) throw new Error('--save-crops must be a directory outside the repository.');
    mkdirSync(args['save-crops'], { recursive: true });
  }

  const service = new OcrService({ executionProvider: 'cpu' });
  const results: ResultRow[] = [];
  for (const item of items) {
    const t0 = performance.now();
    let pred = '';
    let error: string | undefined;
    let timings: Record<string, number> | undefined;
    let style: string | undefined;
    try {
      const result = await service.recognize(
        { source: { path: item.path }, mode: 'table', ...(item.page ? { page: item.page } : {}), ...(item.region ? { region: item.region } : {}), ...(dpi ? { dpi } : {}) },
        { isCancellationRequested: false },
      );
      pred = result.alternatives?.html ?? (result.format === 'html' ? result.content : '');
      timings = result.timings;
      style = result.table?.style;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const ms = performance.now() - t0;
    if (args['save-crops']) await saveCrop(item, args['save-crops']);
    const predTree = tableTree(pred, item.options), truthTree = tableTree(item.truth, item.options);
    const score = tedsTrees(predTree, truthTree, item.options);
    const structure = tedsTrees(predTree, truthTree, { ...item.options, structureOnly: true });
    // Structure-only with thead/tbody merged: the part of TEDS-S lost to header rows alone is the difference.
    const flat = { ...item.options, collapseSections: true };
    const structureFlat = item.options.collapseSections ? structure : tedsTrees(tableTree(pred, flat), tableTree(item.truth, flat), { ...flat, structureOnly: true });
    // Diagnostic: TEDS with inline markup (<b>, <i>, <sup>… in the truth, which no OCR output has) left out of
    // the cell contents, |T| unchanged.
    const unmarkedOptions = { ...item.options, ignoreMarkup: true };
    const unmarked = tedsTrees(tableTree(pred, unmarkedOptions), tableTree(item.truth, unmarkedOptions), unmarkedOptions);
    const row: ResultRow = {
      set: item.set,
      group: item.group,
      id: item.id,
      ...(item.page ? { page: item.page, region: item.region } : {}),
      teds: score,
      tedsS: structure,
      tedsNoMarkup: unmarked,
      tedsSFlat: structureFlat,
      ms,
      timings,
      style,
      error,
      pred: shape(pred, item.options),
      truth: shape(item.truth, item.options),
      nodes: { pred: predTree ? countNodes(predTree) : 0, truth: truthTree ? countNodes(truthTree) : 0 },
      predHtml: pred,
      // Ground truth stays out of the results unless asked for (an analysis session, never committed).
      ...(args['with-truth'] ? { truthHtml: item.truth } : {}),
    };
    results.push(row);
    if (args.verbose) {
      console.error(
        `${item.set} ${item.id}: TEDS ${score.toFixed(3)} TEDS-S ${structure.toFixed(3)} ${Math.round(ms)} ms  pred ${row.pred?.rows ?? 0}×${row.pred?.cols ?? 0} truth ${row.truth?.rows}×${row.truth?.cols}${error ? `  ERROR ${error}` : ''}`,
      );
    }
  }

  const groups: { name: string; rows: ResultRow[]; note: string }[] = [];
  const sets = [...new Set(results.map((r) => r.set))];
  const notes: Record<string, string> = {
    'pubtabnet-examples': 'PNG; GT HTML from structure + cell tokens (with <b>/<i>/<sup> markup)',
    'pubtabnet-minival': 'PNG; GT `src/sample_gt.json` (with markup)',
    icdar2013: `PDF regions from -reg.xml (+${pad} pt), ${dpi ?? 300} dpi; thead/tbody merged on both sides (no header annotation), whitespace collapsed`,
    synthetic: `make-tables.mjs seed ${args.seed}, ${args.count} tables, type ${args.sizes} px${args.look === 'clean' ? '' : `, ${args.look} look`}`,
  };
  for (const set of sets) {
    const rows = results.filter((r) => r.set === set);
    groups.push({ name: set, rows, note: notes[set] ?? '' });
    const styles = [...new Set(rows.map((r) => r.group).filter((g): g is string => !!g))];
    for (const style of styles) groups.push({ name: `${set} · ${style}`, rows: rows.filter((r) => r.group === style), note: '' });
  }
  const date = new Date().toISOString().slice(0, 10);
  const command = `npm run bench:table${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const table = [
    '| set | n | TEDS | TEDS-S | median ms / table | errors | notes |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...groups.map(
      (g) =>
        `| ${g.name} | ${g.rows.length} | ${mean(g.rows.map((r) => r.teds)).toFixed(3)} | ${mean(g.rows.map((r) => r.tedsS)).toFixed(3)} | ${Math.round(median(g.rows.map((r) => r.ms)))} | ${g.rows.filter((r) => r.error).length} | ${g.note} |`,
    ),
  ].join('\n');
  // Where the TEDS goes: 1 − TEDS = text (TEDS-S − TEDS, of which the truth's inline markup) + header rows
  // (TEDS-S with sections merged − TEDS-S) + grid (1 − TEDS-S merged), the grid part by what is wrong with it.
  const kind = (r: ResultRow) =>
    !r.pred ? 'failed' : r.pred.rows !== r.truth!.rows && r.pred.cols !== r.truth!.cols ? 'rows+cols' : r.pred.rows !== r.truth!.rows ? 'rows' : r.pred.cols !== r.truth!.cols ? 'cols' : 'spans';
  const kinds = ['rows', 'cols', 'rows+cols', 'spans', 'failed'];
  const loss = (rows: typeof results, f: (r: ResultRow) => number) => mean(rows.map(f)).toFixed(3);
  const losses = [
    '| set | 1 − TEDS | text | of which markup | header rows | grid: rows wrong | cols wrong | rows+cols | same size (spans/cells) | failed |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...groups.map(
      (g) =>
        `| ${g.name} | ${loss(g.rows, (r) => 1 - r.teds)} | ${loss(g.rows, (r) => r.tedsS - r.teds)} | ${loss(g.rows, (r) => Math.max(0, r.tedsNoMarkup - r.teds))} | ${loss(g.rows, (r) => r.tedsSFlat - r.tedsS)} | ${kinds
          .map((k) => loss(g.rows, (r) => (kind(r) === k ? 1 - r.tedsSFlat : 0)))
          .join(' | ')} |`,
    ),
  ].join('\n');
  const runtime = (performance.now() - started) / 1000;
  const sourcesNow = sourceHash(join(root, 'server/src'));
  console.log(`${date} · \`${command}\`\n\n${table}\n`);
  console.log(
    [
      'TEDS / TEDS-S: mean over tables (bench/teds.ts: Zhang–Shasha tree edit distance, PubTabNet scorer conventions). Latency: wall time of one OcrService.recognize call (models loaded), median.',
      `Engine sources: server/src sha256 ${engineSources}${sourcesNow !== engineSources ? ' (changed during the run; tsx loaded them at the start)' : ''}. Run time ${Math.round(runtime)} s; ${cpus().length} cores, load average ${loadBefore.map((v) => v.toFixed(1)).join(' ')} at start, ${loadavg().map((v) => v.toFixed(1)).join(' ')} at end.`,
    ].join('\n'),
  );
  console.error(`\nWhere the TEDS goes (mean loss per table; the columns add up to 1 − TEDS; grid = structure loss with thead/tbody merged on both sides, by whether the predicted row / column count is wrong):\n\n${losses}`);
  const summary = groups.map((g) => ({
    name: g.name,
    n: g.rows.length,
    teds: mean(g.rows.map((r) => r.teds)),
    tedsS: mean(g.rows.map((r) => r.tedsS)),
    tedsNoMarkup: mean(g.rows.map((r) => r.tedsNoMarkup)),
    medianMs: median(g.rows.map((r) => r.ms)),
    errors: g.rows.filter((r) => r.error).length,
  }));
  const outDir = join(root, 'bench/out');
  mkdirSync(outDir, { recursive: true });
  const out = args.out ?? join(outDir, `table-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const meta = { date: new Date().toISOString(), command, runtimeSeconds: runtime, engineSources, options: { dpi: dpi ?? 300, pad, seed: args.seed, count: args.count }, loadAverage: { start: loadBefore, end: loadavg() }, cores: cpus().length };
  writeFileSync(out, JSON.stringify({ ...meta, summary, losses, results }, null, 1));
  console.error(`\nSaved ${out}`);
}

async function saveCrop(item: Item, dir: string) {
  const { loadPage } = await import('../server/src/pipeline/load.js');
  const { defaultLimits } = await import('../server/src/limits.js');
  const sharp = (await import('sharp')).default;
  const page = await loadPage(new Uint8Array(readFileSync(item.path)), { page: item.page, region: item.region, dpi }, defaultLimits);
  const name = `${item.set}-${basename(item.id).replace(/[^A-Za-z0-9._-]+/g, '_')}.png`;
  await sharp(Buffer.from(page.image.data), { raw: { width: page.image.width, height: page.image.height, channels: 3 } }).png().toFile(join(dir, name));
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) await main();
