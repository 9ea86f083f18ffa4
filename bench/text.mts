// Text benchmark: our engine (in-process OcrService, CPU) and Debian's Tesseract on the text sets of
// ../shared/eval/text, scored with the same normalisation, timed the same way, in one run. See bench/README.md.
//
//   npm run bench:text [-- --sets uw3-lines,scribeocr-pages] [--limit N] [--no-batch] [--dump DIR] [--out FILE]
//
// Imports use `.js` suffixes (tsx maps them to the .ts sources) because tsconfig.json type-checks bench/ without
// allowImportingTsExtensions.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { OcrService } from '../server/src/service.js';
import type { RecognizeResult } from '../server/src/protocol.js';
import {
  bagOfWords,
  charScore,
  dropRejectWords,
  linearize,
  median,
  percentile,
  wordScore,
  type Category,
} from './lib/metrics.mjs';
import { evalRoot, loadSet, setNames, type Box, type GtLine, type Item, type SetName } from './lib/sets.mjs';
import { batchTesseract, recognizeWithTesseract, tesseractVersion } from './lib/tesseract.mjs';
import { sourceHash } from './lib/run.mts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------- arguments
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
};
if (flag('--help') || flag('-h')) {
  console.log(`usage: npm run bench:text -- [--sets ${setNames.join(',')}] [--limit N] [--no-batch] [--no-tesseract] [--dump DIR] [--out FILE]`);
  process.exit(0);
}
const chosen = (option('--sets')?.split(',').map((s) => s.trim()).filter(Boolean) ?? [...setNames]) as SetName[];
for (const s of chosen) if (!setNames.includes(s)) throw new Error(`Unknown set "${s}"; choose from ${setNames.join(', ')}.`);
const limit = option('--limit') ? Number(option('--limit')) : Infinity;
if (!(limit > 0)) throw new Error('--limit must be a positive number.');
const withTesseract = !flag('--no-tesseract');
const withBatch = withTesseract && !flag('--no-batch');
const dumpDir = option('--dump') ? resolve(option('--dump')!) : undefined;
if (dumpDir && !relative(repoRoot, dumpDir).startsWith('..')) {
  throw new Error('--dump writes ground-truth text; give a directory outside the repository (the eval sets must not be copied into it).');
}
const outFile = resolve(option('--out') ?? join(repoRoot, 'bench/out', `text-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}.json`));
// The npm script starts this file through npx, which sets npm_lifecycle_event to "npx".
const viaNpm = ['bench:text', 'npx'].includes(process.env.npm_lifecycle_event ?? '');
const command = viaNpm ? `npm run bench:text${argv.length ? ` -- ${argv.join(' ')}` : ''}` : `tsx bench/text.mts${argv.length ? ` ${argv.join(' ')}` : ''}`;

const log = (message: string) => process.stderr.write(message + '\n');

const engineSources = sourceHash(join(repoRoot, 'server/src'));
const runStarted = performance.now();
const startedAt = new Date();
const loadBefore = loadavg();

// ---------------------------------------------------------------- items
const root = evalRoot();
const work = mkdtempSync(join(tmpdir(), 'formatted-ocr-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const sets = new Map<SetName, Item[]>();
for (const name of chosen) {
  const items = loadSet(name, root).slice(0, limit);
  // Paragraph crops are written losslessly to a temporary directory; both systems read the same file.
  for (const [n, item] of items.entries()) {
    if (!item.crop) continue;
    const { page, region } = item.crop;
    const meta = await sharp(page).metadata();
    const left = Math.max(0, Math.floor(region.x0)), top = Math.max(0, Math.floor(region.y0));
    const width = Math.min(meta.width! - left, Math.ceil(region.x1) - left), height = Math.min(meta.height! - top, Math.ceil(region.y1) - top);
    item.image = join(work, `${name}-${n}.png`);
    await sharp(page).extract({ left, top, width, height }).png().toFile(item.image);
  }
  sets.set(name, items);
}

// ---------------------------------------------------------------- scoring
interface Scored {
  ms: number;
  cer: number;
  char: { distance: number; refLength: number; byCategory: Record<Category, number> };
  word: { distance: number; refLength: number };
  bow: { matched: number; refCount: number; hypCount: number };
  orderFree?: { distance: number; refLength: number; byCategory: Record<Category, number> };
  timings?: Record<string, number>;
}

interface HypWord {
  text: string;
  box: Box;
}

/** Approximate word boxes inside one recognised line, by character offsets along the line's box. */
function lineWords(text: string, box: Box): HypWord[] {
  const out: HypWord[] = [];
  const n = Math.max(1, text.length);
  for (const m of text.matchAll(/\S+/g)) {
    const a = m.index!, b = a + m[0].length;
    out.push({ text: m[0], box: { x0: box.x0 + ((box.x1 - box.x0) * a) / n, x1: box.x0 + ((box.x1 - box.x0) * b) / n, y0: box.y0, y1: box.y1 } });
  }
  return out;
}

/**
 * Order-independent view of an output: every output word is put on the ground-truth line its box overlaps most
 * (or the nearest one), words of one line are sorted left to right, and lines follow the ground truth's order.
 * Scoring that against the ground truth removes reading-order differences but keeps recognition errors.
 */
function reorderByGroundTruth(gt: GtLine[], words: HypWord[]): string[] {
  const groups: { x: number; text: string }[][] = gt.map(() => []);
  for (const w of words) {
    const area = Math.max(1, (w.box.x1 - w.box.x0) * (w.box.y1 - w.box.y0));
    const cx = (w.box.x0 + w.box.x1) / 2, cy = (w.box.y0 + w.box.y1) / 2;
    let best = -1, bestScore = 0, nearest = 0, nearestDistance = Infinity;
    gt.forEach((line, k) => {
      const b = line.box!;
      const overlap = Math.max(0, Math.min(b.x1, w.box.x1) - Math.max(b.x0, w.box.x0)) * Math.max(0, Math.min(b.y1, w.box.y1) - Math.max(b.y0, w.box.y0));
      if (overlap / area > bestScore) (bestScore = overlap / area), (best = k);
      const d = Math.hypot(Math.max(b.x0 - cx, 0, cx - b.x1), Math.max(b.y0 - cy, 0, cy - b.y1));
      if (d < nearestDistance) (nearestDistance = d), (nearest = k);
    });
    groups[best >= 0 ? best : nearest]!.push({ x: cx, text: w.text });
  }
  return groups.map((g) => g.sort((a, b) => a.x - b.x).map((w) => w.text).join(' '));
}

function quadBounds(quad: [number, number][]): Box {
  const xs = quad.map((p) => p[0]), ys = quad.map((p) => p[1]);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

/** SROIE's transcripts are upper-cased whatever the print says, so that set is compared upper-cased on both sides. */
const fold = (item: Item, text: string) => (item.caseFold ? text.toUpperCase() : text);

function score(item: Item, ref: string, text: string, words: HypWord[] | undefined, ms: number, dump?: Record<string, unknown>): Scored {
  const hyp = fold(item, linearize(text));
  const char = charScore(ref, hyp, item.wildcard, dump ? 40 : 0);
  const scored: Scored = {
    ms: Math.round(ms * 10) / 10,
    cer: char.refLength ? char.distance / char.refLength : 0,
    char: { distance: char.distance, refLength: char.refLength, byCategory: char.byCategory },
    word: wordScore(ref, hyp, item.wildcard),
    bow: bagOfWords(ref, hyp, item.wildcard),
  };
  let orderFreeHyp: string | undefined;
  if (words && item.lines.every((l) => l.box)) {
    orderFreeHyp = fold(item, linearize(reorderByGroundTruth(item.lines, words)));
    const of = charScore(ref, orderFreeHyp, item.wildcard);
    scored.orderFree = { distance: of.distance, refLength: of.refLength, byCategory: of.byCategory };
  }
  if (dump) Object.assign(dump, { hyp, orderFreeHyp, edits: char.examples });
  return scored;
}

const service = new OcrService({ executionProvider: 'cpu' });
const token = { isCancellationRequested: false };
const ours = (image: string): Promise<RecognizeResult> => service.recognize({ source: { path: image }, mode: 'text' }, token);

function timeProcess(file: string, args: string[]): Promise<number> {
  return new Promise((done) => {
    const started = performance.now();
    execFile(file, args, { env: { ...process.env, OMP_THREAD_LIMIT: '1' } }, () => done(performance.now() - started));
  });
}

// ---------------------------------------------------------------- warm-up and start-up costs
const firstImage = [...sets.values()].flat()[0]?.image;
if (!firstImage) throw new Error('No items selected.');
log(`warm-up (model load) on ${relative(root, firstImage)}`);
let t = performance.now();
await ours(firstImage);
const firstCallMs = performance.now() - t;
const blank = join(work, 'blank.png');
await sharp({ create: { width: 200, height: 60, channels: 3, background: '#ffffff' } }).png().toFile(blank);
const tessStartup: number[] = [];
const cliStartup: number[] = [];
if (withTesseract) {
  await recognizeWithTesseract(firstImage, 3, work);
  for (let i = 0; i < 5; i++) tessStartup.push(await timeProcess('tesseract', [blank, join(work, 'blank'), '--psm', '7', '-l', 'eng']));
}
const cli = join(repoRoot, 'dist/cli.js');
if (existsSync(cli)) for (let i = 0; i < 3; i++) cliStartup.push(await timeProcess(process.execPath, [cli, blank]));

// ---------------------------------------------------------------- run
type System = 'ours' | 'tess';
const results = new Map<SetName, { item: Item; ours: Scored; tess?: Scored }[]>();
const batchMs = new Map<SetName, number>();
for (const [name, items] of sets) {
  const rows: { item: Item; ours: Scored; tess?: Scored }[] = [];
  for (const [n, item] of items.entries()) {
    let ref = fold(item, linearize(item.lines.map((l) => l.text)));
    if (item.wildcard) ref = dropRejectWords(ref);
    const dump: Record<System, Record<string, unknown>> | undefined = dumpDir ? { ours: {}, tess: {} } : undefined;
    const runOurs = async () => {
      const started = performance.now();
      const r = await ours(item.image);
      const ms = performance.now() - started;
      const words = r.lines.flatMap((l) => lineWords(l.text, quadBounds(l.box)));
      return { ...score(item, ref, r.content, words, ms, dump?.ours), timings: r.timings };
    };
    const runTess = async () => {
      const r = await recognizeWithTesseract(item.image, item.psm, work);
      return score(item, ref, r.text, r.words, r.ms, dump?.tess);
    };
    // Alternate which system goes first, so that background load affects both alike.
    let o: Scored, s: Scored | undefined;
    if (!withTesseract) o = await runOurs();
    else if (n % 2 === 0) (o = await runOurs()), (s = await runTess());
    else (s = await runTess()), (o = await runOurs());
    rows.push({ item, ours: o, tess: s });
    log(
      `[${name} ${n + 1}/${items.length}] ${item.id}: ours ${o.ms.toFixed(0)} ms CER ${(100 * o.cer).toFixed(2)} %` +
        (s ? ` | tesseract ${s.ms.toFixed(0)} ms CER ${(100 * s.cer).toFixed(2)} %` : ''),
    );
    if (dumpDir && dump) {
      const file = join(dumpDir, name, `${item.id.replace(/[/#]/g, '_')}.json`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify({ id: item.id, image: item.image, crop: item.crop, ref, ours: { ...o, ...dump.ours }, tess: s && { ...s, ...dump.tess } }, null, 1));
    }
  }
  if (withBatch && items.length > 0) {
    const ms = await batchTesseract(items.map((i) => i.image), items[0]!.psm, work);
    batchMs.set(name, ms / items.length);
    log(`[${name}] tesseract batch: ${(ms / 1000).toFixed(1)} s for ${items.length} images`);
  }
  results.set(name, rows);
}

// ---------------------------------------------------------------- aggregate and print
interface Aggregate {
  items: number;
  cer: number;
  wer: number;
  bowF1: number;
  orderFreeCer?: number;
  medianMs: number;
  p95Ms: number;
  /** Share of reference characters lost to each kind of edit (sums to the CER). */
  cerByCategory: Record<Category, number>;
  /** The same for the order-free CER: what is left once reading order is taken out. */
  orderFreeCerByCategory?: Record<Category, number>;
}

function aggregate(scores: Scored[]): Aggregate {
  const sum = (f: (s: Scored) => number) => scores.reduce((a, s) => a + f(s), 0);
  const refChars = sum((s) => s.char.refLength) || 1;
  const matched = sum((s) => s.bow.matched), refWords = sum((s) => s.bow.refCount), hypWords = sum((s) => s.bow.hypCount);
  const p = hypWords ? matched / hypWords : 0, r = refWords ? matched / refWords : 0;
  const categories: Category[] = ['space', 'punct', 'case', 'alnum', 'missedRun', 'extraRun'];
  const byCategory = (f: (s: Scored) => Record<Category, number>) =>
    Object.fromEntries(categories.map((c) => [c, sum((s) => f(s)[c]) / refChars])) as Record<Category, number>;
  const withOrderFree = scores.filter((s) => s.orderFree);
  const allOrderFree = withOrderFree.length === scores.length && scores.length > 0;
  return {
    items: scores.length,
    cer: sum((s) => s.char.distance) / refChars,
    wer: sum((s) => s.word.distance) / (sum((s) => s.word.refLength) || 1),
    bowF1: p + r ? (2 * p * r) / (p + r) : 0,
    ...(allOrderFree ? { orderFreeCer: sum((s) => s.orderFree!.distance) / refChars } : {}),
    medianMs: median(scores.map((s) => s.ms)),
    p95Ms: percentile(scores.map((s) => s.ms), 95),
    cerByCategory: byCategory((s) => s.char.byCategory),
    ...(allOrderFree ? { orderFreeCerByCategory: byCategory((s) => s.orderFree!.byCategory) } : {}),
  };
}

const kindLabel: Record<string, string> = { line: 'line crop', paragraph: '4-line crop', page: 'page' };
const pct = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–' : (100 * v).toFixed(2));
const msf = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–' : v.toFixed(0));
const pair = (a: string, b: string | undefined) => (withTesseract ? `${a} / ${b ?? '–'}` : a);

const summary: Record<string, { kind: string; ours: Aggregate; tesseract?: Aggregate & { batchMsPerItem?: number } }> = {};
const table: string[] = [];
table.push(
  '| set | unit | items | CER % ours / tess | WER % ours / tess | bag-of-words F1 % ours / tess | order-free CER % ours / tess | median ms ours / tess | p95 ms ours / tess | tess ÷ ours (median) | tess batch ms/item |',
  '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
);
for (const [name, rows] of results) {
  if (rows.length === 0) continue;
  const a = aggregate(rows.map((r) => r.ours));
  const b = withTesseract ? aggregate(rows.map((r) => r.tess!)) : undefined;
  const batch = batchMs.get(name);
  summary[name] = { kind: rows[0]!.item.kind, ours: a, ...(b ? { tesseract: { ...b, ...(batch !== undefined ? { batchMsPerItem: batch } : {}) } } : {}) };
  table.push(
    `| ${name} | ${kindLabel[rows[0]!.item.kind]} | ${a.items} | ${pair(pct(a.cer), pct(b?.cer))} | ${pair(pct(a.wer), pct(b?.wer))} | ${pair(pct(a.bowF1), pct(b?.bowF1))} | ` +
      `${pair(pct(a.orderFreeCer), pct(b?.orderFreeCer))} | ${pair(msf(a.medianMs), msf(b?.medianMs))} | ${pair(msf(a.p95Ms), msf(b?.p95Ms))} | ` +
      `${b ? (b.medianMs / a.medianMs).toFixed(2) + '×' : '–'} | ${batch !== undefined ? batch.toFixed(0) : '–'} |`,
  );
}

const runSeconds = (performance.now() - runStarted) / 1000;
const loadAfter = loadavg();
const tessVersion = withTesseract ? await tesseractVersion() : 'not run';
const notes = [
  `Ours: OcrService in-process on CPU (onnxruntime, up to ${cpus().length} threads), models loaded before timing (first call incl. load: ${firstCallMs.toFixed(0)} ms); ` +
    `time = wall time of one recognize() call from the image path (decode + detect + classify + recognise + layout).` +
    (cliStartup.length ? ` A cold CLI call (\`node dist/cli.js\`, process start + model load) on a blank image takes ${median(cliStartup).toFixed(0)} ms.` : ''),
  withTesseract
    ? `Tesseract: ${tessVersion}, \`-l eng\`, OMP_THREAD_LIMIT=1, --psm 7 lines / 6 crops / 3 pages; time = wall time of one \`tesseract\` process per image, ` +
      `process start and model load included (${median(tessStartup).toFixed(0)} ms on a blank image); "batch" = one process over the whole list ÷ items.`
    : 'Tesseract not run (--no-tesseract).',
  `Engine sources: server/src sha256 ${engineSources}${sourceHash(join(repoRoot, 'server/src')) !== engineSources ? ' (the sources changed during the run; tsx loaded them at the start)' : ''}.`,
  `Machine: ${cpus().length} cores, load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} at start, ${loadAfter.map((l) => l.toFixed(1)).join(' ')} at end (shared with other jobs: compare ours and Tesseract within this run).`,
  `Run time ${runSeconds.toFixed(0)} s.`,
];

const out = [
  `Command: \`${command}\``,
  `Date: ${startedAt.toISOString()}`,
  '',
  ...table,
  '',
  ...notes.map((n) => `- ${n}`),
].join('\n');
console.log(out);

mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(
  outFile,
  JSON.stringify(
    {
      command,
      date: startedAt.toISOString(),
      runSeconds,
      machine: { cores: cpus().length, loadBefore, loadAfter },
      engineSources,
      tesseract: { version: tessVersion, startupMs: tessStartup },
      ours: { firstCallMs, cliStartupMs: cliStartup },
      summary,
      items: Object.fromEntries(
        [...results].map(([name, rows]) => [name, rows.map((r) => ({ id: r.item.id, kind: r.item.kind, ours: r.ours, tesseract: r.tess }))]),
      ),
    },
    null,
    1,
  ),
);
log(`wrote ${relative(process.cwd(), outFile)}`);
process.exit(0);
