// Page → Markdown benchmark: whole pages through the document conversion a user gets (`formatted-ocr convert`,
// server/src/document, in-process, CPU), scored on ../shared/eval/pages:
// - OmniDocBench demo (18 JPG pages): OmniDocBench v1.0 end-to-end edit distances (bench/lib/omnidocbench.ts);
// - olmOCR-bench sample (21 PDFs, 23 pages, 99 checks): share of checks passed (bench/lib/olmocr.ts), once through the
//   normal path (text layer when usable, OCR otherwise) and once with every page rendered and recognised;
// and pages per second by path. Evaluation only: nothing is tuned on these sets. See bench/README.md.
//
//   npm run bench:pages [-- --sets omnidocbench,olmocr] [--limit N] [--no-ocr-only] [--dpi N] [--dump DIR] [--out FILE]
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { convertDocument, outputPaths } from '../server/src/document/convert.ts';
import type { PageMarkdown } from '../server/src/document/page.ts';
import { defaultPdfDpi } from '../server/src/pipeline/load.ts';
import { OcrService } from '../server/src/service.ts';
import { aggregate, pageEdit, scorePage, type GtPage, type PageScore, type SetScore } from './lib/omnidocbench.ts';
import { runCheck, type OlmCheck } from './lib/olmocr.ts';
import { sourceHash } from './lib/run.mts';


const repoRoot = resolve(import.meta.dirname, '..');
const setNames = ['omnidocbench', 'olmocr'] as const;
type SetName = (typeof setNames)[number];

const { values: args } = parseArgs({
  options: {
    sets: { type: 'string', default: setNames.join(',') },
    limit: { type: 'string' },
    dpi: { type: 'string' },
    'no-ocr-only': { type: 'boolean', default: false },
    dump: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log('usage: npm run bench:pages -- [--sets omnidocbench,olmocr] [--limit N] [--no-ocr-only] [--dpi N] [--dump DIR] [--out FILE]');
  process.exit(0);
}
const chosen = args.sets!.split(',').map((s) => s.trim()).filter(Boolean) as SetName[];
for (const s of chosen) if (!setNames.includes(s)) throw new Error(`Unknown set "${s}"; choose from ${setNames.join(', ')}.`);
const limit = args.limit ? Number(args.limit) : Infinity;
if (!(limit > 0)) throw new Error('--limit must be a positive number.');
const dpi = args.dpi ? Number(args.dpi) : defaultPdfDpi;
const dumpDir = args.dump ? resolve(args.dump) : undefined;
if (dumpDir && !relative(repoRoot, dumpDir).startsWith('..')) {
  throw new Error('--dump writes ground-truth text; give a directory outside the repository (the eval sets must not be copied into it).');
}
const argv = process.argv.slice(2);
const command = `npm run bench:pages${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
const log = (message: string) => process.stderr.write(message + '\n');


// ------------------------------------------------------------------------------------------------- sets

const evalRoot = (() => {
  const candidates = [process.env.FORMATTED_OCR_EVAL, resolve(repoRoot, '../shared/eval'), '/work/shared/eval'].filter((c): c is string => !!c);
  const found = candidates.find((c) => existsSync(join(c, 'pages')));
  if (!found) throw new Error(`Evaluation sets not found (tried ${candidates.join(', ')}); set FORMATTED_OCR_EVAL.`);
  return join(found, 'pages');
})();

interface OmniItem {
  id: string;
  image: string;
  language: string;
  truth: GtPage;
}

function omniItems(): OmniItem[] {
  const dir = join(evalRoot, 'omnidocbench-demo/demo_data/omnidocbench_demo');
  const pages = JSON.parse(readFileSync(join(dir, 'OmniDocBench_demo.json'), 'utf8')) as GtPage[];
  return pages.map((truth) => ({ id: truth.page_info.image_path, image: join(dir, 'images', truth.page_info.image_path), language: truth.page_info.page_attribute.language, truth }));
}

interface OlmPage {
  pdf: string;
  path: string;
  page: number;
  checks: (OlmCheck & { file: string })[];
}

/**
 * The olmOCR checks grouped by page: dataset.jsonl (the 99 checks) and blanks.jsonl, plus the baseline check the
 * reference adds for page 1 of every PDF that has none (text present, no runaway repetition, no CJK/emoji).
 */
function olmPages(): OlmPage[] {
  const dir = join(evalRoot, 'olmocr-bench/olmocr/bench/sample_data');
  const checks: (OlmCheck & { file: string })[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) if (line.trim()) checks.push({ ...(JSON.parse(line) as OlmCheck), file });
  }
  const pdfs: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.pdf')) pdfs.push(relative(join(dir, 'pdfs'), full));
    }
  };
  walk(join(dir, 'pdfs'));
  for (const pdf of pdfs) if (!checks.some((c) => c.pdf === pdf && c.type === 'baseline')) checks.push({ pdf, page: 1, id: `${pdf}_baseline`, type: 'baseline', file: 'baseline' });
  const pages = new Map<string, OlmPage>();
  for (const c of checks) {
    const key = `${c.pdf}#${c.page}`;
    if (!pages.has(key)) pages.set(key, { pdf: c.pdf, path: join(dir, 'pdfs', c.pdf), page: c.page, checks: [] });
    pages.get(key)!.checks.push(c);
  }
  return [...pages.values()].sort((a, b) => a.pdf.localeCompare(b.pdf) || a.page - b.page);
}

// ------------------------------------------------------------------------------------------------- conversion

const service = new OcrService({ executionProvider: 'cpu' });
const token = { isCancellationRequested: false };
const work = mkdtempSync(join(tmpdir(), 'formatted-ocr-bench-pages-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

interface Converted {
  markdown: string;
  method: PageMarkdown['method'];
  confidence: number;
  /** Wall time of the page inside the conversion: text layer or render + recognition, figures and the page file written. */
  ms: number;
}

/**
 * Converts a document exactly as `formatted-ocr convert` does (convertDocument into a fresh folder) and returns
 * each page's Markdown and time. Pages are read from the per-page file convert.ts saves (`<name>.assets/.pages/
 * page-NNNN.json`) the moment the page is done, which its progress callback announces.
 */
async function convertAsUser(source: string, ocr: 'auto' | 'always' = 'auto'): Promise<{ pages: Map<number, Converted>; documentMs: number }> {
  const outDir = mkdtempSync(join(work, 'convert-'));
  const { work: pageDir } = outputPaths(source, outDir);
  const pages = new Map<number, Converted>();
  let pageStarted = 0;
  const started = performance.now();
  const outcome = await convertDocument(service, source, { outDir, overwrite: true, dpi, ocr }, token, (message, done) => {
    const page = Number(/^page (\d+)\//.exec(message)?.[1]);
    if (!page || message.includes('done earlier')) return;
    if (done === page - 1) pageStarted = performance.now();
    else if (done === page) {
      const saved = JSON.parse(readFileSync(join(pageDir, `page-${String(page).padStart(4, '0')}.json`), 'utf8')) as PageMarkdown;
      pages.set(page, { markdown: saved.markdown, method: saved.method, confidence: saved.confidence, ms: performance.now() - pageStarted });
    }
  });
  const documentMs = performance.now() - started;
  if (outcome.status !== 'converted') throw new Error(`${basename(source)}: ${outcome.status} ${outcome.error ?? ''}`);
  rmSync(outDir, { recursive: true, force: true });
  return { pages, documentMs };
}

function dump(file: string, content: string) {
  if (!dumpDir) return;
  const full = join(dumpDir, file);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

// ------------------------------------------------------------------------------------------------- run

const runStarted = performance.now();
const startedAt = new Date();
const loadBefore = loadavg();
const engineSources = sourceHash(join(repoRoot, 'server/src'));

// Warm-up: models (text, table, math) and pdf.js load before anything is timed, as in a running daemon.
log('warm-up (model load)');
const t = performance.now();
await convertAsUser(join(repoRoot, 'media/samples/sample-page.png'));
await convertAsUser(join(repoRoot, 'media/samples/sample.pdf'));
const warmUpMs = performance.now() - t;

interface OmniResult {
  id: string;
  language: string;
  method: string;
  ms: number;
  score: PageScore;
  error?: string;
}
const omni: OmniResult[] = [];
if (chosen.includes('omnidocbench')) {
  const items = omniItems().slice(0, limit);
  for (const [n, item] of items.entries()) {
    let converted: Converted | undefined, error: string | undefined;
    try {
      converted = (await convertAsUser(item.image)).pages.get(1);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const markdown = converted?.markdown ?? '';
    const score = scorePage(item.truth, markdown);
    omni.push({ id: item.id, language: item.language, method: converted?.method ?? 'failed', ms: converted?.ms ?? NaN, score, ...(error ? { error } : {}) });
    const f = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(3));
    log(
      `[omnidocbench ${n + 1}/${items.length}] ${item.id}: ${((converted?.ms ?? 0) / 1000).toFixed(1)} s, text ${f(pageEdit(score.text))} formula ${f(pageEdit(score.formula))} ` +
        `table ${f(pageEdit(score.table))} order ${f(score.order && score.order.distance / score.order.upper)}${error ? ` ERROR ${error}` : ''}`,
    );
    const stem = item.id.replace(/\.jpg$/, '');
    dump(`omnidocbench/${stem}.md`, markdown);
    dump(`omnidocbench/${stem}.json`, JSON.stringify({ id: item.id, language: item.language, ms: converted?.ms, score }, null, 1));
  }
}

interface CheckOutcome {
  id: string;
  type: string;
  file: string;
  passed: boolean;
  why: string;
}
interface OlmResult {
  pdf: string;
  page: number;
  pass: 'normal' | 'ocr-only';
  method: string;
  ms: number;
  checks: CheckOutcome[];
  error?: string;
}
const olm: OlmResult[] = [];
if (chosen.includes('olmocr')) {
  const pages = olmPages().slice(0, limit);
  const byPdf = new Map<string, OlmPage[]>();
  for (const p of pages) byPdf.set(p.path, [...(byPdf.get(p.path) ?? []), p]);
  const record = (page: OlmPage, pass: OlmResult['pass'], converted: Converted | undefined, error?: string) => {
    const markdown = converted?.markdown ?? '';
    const checks = page.checks.map((c) => ({ id: c.id, type: c.type, file: c.file, ...runCheck(c, markdown) }));
    olm.push({ pdf: page.pdf, page: page.page, pass, method: converted?.method ?? 'failed', ms: converted?.ms ?? NaN, checks, ...(error ? { error } : {}) });
    log(`[olmocr ${pass}] ${page.pdf} p${page.page}: ${converted?.method ?? 'failed'} ${((converted?.ms ?? 0) / 1000).toFixed(2)} s, ${checks.filter((c) => c.passed).length}/${checks.length} checks${error ? ` ERROR ${error}` : ''}`);
    const stem = `${page.pdf.replace(/\.pdf$/, '').replace(/\//g, '_')}_pg${page.page}`;
    dump(`olmocr-${pass}/${stem}.md`, markdown);
    dump(`olmocr-${pass}/${stem}.json`, JSON.stringify(page.checks.map((c, i) => ({ ...c, passed: checks[i]!.passed, why: checks[i]!.why })), null, 1));
  };
  for (const [path, wanted] of byPdf) {
    try {
      const { pages: converted } = await convertAsUser(path);
      for (const p of wanted) record(p, 'normal', converted.get(p.page), converted.has(p.page) ? undefined : 'page missing');
    } catch (e) {
      for (const p of wanted) record(p, 'normal', undefined, e instanceof Error ? e.message : String(e));
    }
  }
  if (!args['no-ocr-only']) {
    for (const [path, wanted] of byPdf) {
      try {
        const { pages: converted } = await convertAsUser(path, 'always');
        for (const p of wanted) record(p, 'ocr-only', converted.get(p.page), converted.has(p.page) ? undefined : 'page missing');
      } catch (e) {
        for (const p of wanted) record(p, 'ocr-only', undefined, e instanceof Error ? e.message : String(e));
      }
    }
  }
}

// ------------------------------------------------------------------------------------------------- report

const median = (v: number[]) => {
  const s = v.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const f3 = (v: number) => (Number.isNaN(v) ? '–' : v.toFixed(3));
const pct = (a: number, b: number) => (b ? `${a}/${b} (${((100 * a) / b).toFixed(1)} %)` : '–');
const lines: string[] = [`Command: \`${command}\``, `Date: ${startedAt.toISOString()}`, ''];

const omniSummary: Record<string, SetScore> = {};
if (omni.length) {
  const groups: [string, OmniResult[]][] = [
    ['English', omni.filter((r) => r.language === 'english')],
    ['all pages', omni],
  ];
  lines.push(
    'OmniDocBench demo (JPG pages → OCR path), v1.0 end-to-end protocol (edit distances ↓, TEDS ↑):',
    '',
    '| pages | n | text edit | formula edit | table TEDS | table edit | reading-order edit | overall edit | median s / page |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  );
  for (const [name, rows] of groups) {
    if (!rows.length) continue;
    const s = aggregate(rows.map((r) => r.score));
    omniSummary[name] = s;
    lines.push(
      `| ${name} | ${rows.length} | ${f3(s.text)} | ${f3(s.formula)} (${s.counts.formulas}) | ${f3(s.tableTeds)} (${s.counts.tables}) | ${f3(s.table)} | ${f3(s.order)} | **${f3(s.overall)}** | ${(median(rows.map((r) => r.ms)) / 1000).toFixed(1)} |`,
    );
  }
  lines.push('', 'Formula and table columns: number of ground-truth display formulas / tables in brackets. Overall = mean of the four edit distances (v1.0).', '');
}

const olmSummary: Record<string, unknown> = {};
if (olm.length) {
  const types = ['present', 'absent', 'order', 'table', 'math'];
  lines.push(
    `olmOCR-bench sample (${new Set(olm.map((r) => r.pdf)).size} PDFs, ${olm.filter((r) => r.pass === 'normal').length} pages): checks passed`,
    '',
    `| pass | pages: text layer / OCR / failed | 99 checks | without math | ${types.join(' | ')} | baseline |`,
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  );
  for (const pass of ['normal', 'ocr-only'] as const) {
    const rows = olm.filter((r) => r.pass === pass);
    if (!rows.length) continue;
    const checks = rows.flatMap((r) => r.checks);
    const main = checks.filter((c) => c.file === 'dataset.jsonl');
    const count = (list: CheckOutcome[]) => [list.filter((c) => c.passed).length, list.length] as const;
    const of = (list: CheckOutcome[]) => pct(...count(list));
    const short = (list: CheckOutcome[]) => `${count(list)[0]}/${count(list)[1]}`;
    const baseline = checks.filter((c) => c.type === 'baseline');
    olmSummary[pass] = {
      pages: rows.length,
      textLayerPages: rows.filter((r) => r.method === 'text-layer').length,
      failedPages: rows.filter((r) => r.error).map((r) => ({ pdf: r.pdf, page: r.page, error: r.error })),
      checks: count(main),
      withoutMath: count(main.filter((c) => c.type !== 'math')),
      byType: Object.fromEntries(types.map((ty) => [ty, count(main.filter((c) => c.type === ty))])),
      baseline: count(baseline),
      // The reference's headline: the mean over check files (dataset.jsonl, blanks.jsonl, the added baselines) of each file's pass rate.
      referenceStyle: (() => {
        const files = [...new Set(checks.map((c) => c.file))];
        return files.reduce((a, file) => a + checks.filter((c) => c.file === file && c.passed).length / checks.filter((c) => c.file === file).length, 0) / files.length;
      })(),
    };
    lines.push(
      `| ${pass === 'normal' ? 'normal (text layer when usable)' : 'OCR only (300 dpi render)'} | ${rows.filter((r) => r.method === 'text-layer').length} / ${rows.filter((r) => r.method === 'ocr').length} / ${rows.filter((r) => r.error).length} | ` +
        `**${of(main)}** | ${of(main.filter((c) => c.type !== 'math'))} | ${types.map((ty) => short(main.filter((c) => c.type === ty))).join(' | ')} | ${short(baseline)} |`,
    );
  }
  lines.push('', 'Math checks use a token-level approximation of the reference KaTeX comparison; baseline = the reference\'s per-page sanity checks (not among the 99).', '');
}

// Speed by path: per page, the time inside the conversion (models loaded; see notes).
const speedRows: [string, number[]][] = [
  ['scanned image (OmniDocBench JPG) → OCR', omni.filter((r) => r.method === 'ocr').map((r) => r.ms)],
  ['PDF without usable text layer → OCR', olm.filter((r) => r.pass === 'normal' && r.method === 'ocr').map((r) => r.ms)],
  ['born-digital PDF → text layer', olm.filter((r) => r.pass === 'normal' && r.method === 'text-layer').map((r) => r.ms)],
  [`PDF rendered at ${dpi} dpi → OCR (OCR-only pass)`, olm.filter((r) => r.pass === 'ocr-only' && r.method === 'ocr').map((r) => r.ms)],
];
lines.push('Speed (2 cores, in-process CPU, models loaded):', '', '| path | pages | median s / page | pages / s (median) | pages / s (total) |', '|---|--:|--:|--:|--:|');
const speed: Record<string, { pages: number; medianMs: number; totalMs: number }> = {};
for (const [name, ms] of speedRows) {
  const ok = ms.filter((v) => !Number.isNaN(v));
  if (!ok.length) continue;
  const total = ok.reduce((a, b) => a + b, 0), med = median(ok);
  speed[name] = { pages: ok.length, medianMs: med, totalMs: total };
  const s = (v: number) => (v >= 10 ? v.toFixed(1) : v >= 0.1 ? v.toFixed(2) : v.toFixed(4));
  lines.push(`| ${name} | ${ok.length} | ${s(med / 1000)} | ${s(1000 / med)} | ${s((1000 * ok.length) / total)} |`);
}

const runSeconds = (performance.now() - runStarted) / 1000;
const loadAfter = loadavg();
const sourcesNow = sourceHash(join(repoRoot, 'server/src'));
lines.push(
  '',
  `- Conversion: convertDocument (\`formatted-ocr convert\`) in-process, CPU, ${dpi} dpi for PDF pages; the OCR-only pass is the same conversion with \`ocr: 'always'\` (\`formatted-ocr convert --ocr\`). ` +
    `Time per page = the page's span inside the conversion (text layer, or render/decode + layout + recognition, figure crops and the page file written); models were loaded before (warm-up ${(warmUpMs / 1000).toFixed(1)} s).`,
  `- Engine sources: server/src sha256 ${engineSources}${sourcesNow !== engineSources ? ' (changed during the run; tsx loaded them at the start)' : ''}.`,
  `- Machine: ${cpus().length} cores, load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} at start, ${loadAfter.map((l) => l.toFixed(1)).join(' ')} at end (shared with other jobs).`,
  `- Run time ${runSeconds.toFixed(0)} s.`,
);
console.log(lines.join('\n'));

const outFile = resolve(args.out ?? join(repoRoot, 'bench/out', `pages-${startedAt.toISOString().replace(/[:.]/g, '-').slice(0, 19)}.json`));
mkdirSync(dirname(outFile), { recursive: true });
// Scores and timings only: the per-match strings (ground truth) stay out of the repository; --dump has them.
const stripText = (s: PageScore) => ({
  text: s.text.map(({ distance, upper, category }) => ({ distance, upper, category })),
  formula: s.formula.map(({ distance, upper }) => ({ distance, upper })),
  table: s.table.map(({ distance, upper, teds, tedsStructure }) => ({ distance, upper, teds, tedsStructure })),
  order: s.order && { distance: s.order.distance, upper: s.order.upper },
});
writeFileSync(
  outFile,
  JSON.stringify(
    {
      command,
      date: startedAt.toISOString(),
      runSeconds,
      machine: { cores: cpus().length, loadBefore, loadAfter },
      engineSources,
      dpi,
      warmUpMs,
      omnidocbench: { summary: omniSummary, pages: omni.map((r) => ({ ...r, score: stripText(r.score) })) },
      olmocr: { summary: olmSummary, pages: olm },
      speed,
    },
    null,
    1,
  ),
);
log(`wrote ${relative(process.cwd(), outFile)}`);
process.exit(0);
