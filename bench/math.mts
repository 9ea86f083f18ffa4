// Scores `math` mode on ../shared/eval/math (evaluation only: nothing is trained, tuned or selected on these sets).
//
// Run: npm run bench:math  [-- --sets im2latex-test,im2latex-val,crohme --limit N --verbose]
//
// Sets
//   im2latex-test / im2latex-val  printed formulas of im2latex-100k rendered by pdflatex (a renderer our data engine
//                 never uses), 100 + 85 crops; references are the im2latex normalised token sequences.
//   crohme        handwritten CROHME 2014 test expressions (not in the default run: the model is trained on print
//                 only; the set shows how far that carries).
// Scores, on token sequences that went through the same normaliser (server/src/engines/math/latex.ts), so that
// equivalent spellings (`\cal L` / `\mathcal{L}`, redundant braces, `\left(`…) count as equal:
//   BLEU-4        corpus BLEU with brevity penalty (as im2latex papers and pix2tex report it)
//   edit          mean normalised token edit distance (0 = identical)
//   exact         share of formulas whose normalised tokens equal the reference's
//   parses        share of outputs MathJax parses (an output that does not parse is never inserted silently)
//   latency       median and p95 of the whole request (decode image, preprocess, encode, decode, MathJax check)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { neverCancelled, OcrError } from '../server/src/errors.js';
import { corpusBleu4, normalizedEditDistance, normalizeTokens } from '../server/src/engines/math/latex.js';
import { OcrService } from '../server/src/service.js';

const root = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    sets: { type: 'string', default: 'im2latex-test,im2latex-val' },
    limit: { type: 'string', default: '0' },
    eval: { type: 'string' },
    out: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
const evalRoot = args.eval ?? [resolve(root, '../shared/eval/math'), '/work/shared/eval/math'].find(existsSync);
if (!evalRoot || !existsSync(evalRoot)) throw new Error('Evaluation sets not found: pass --eval <path to shared/eval/math>.');
const limit = Number(args.limit) || Infinity;

interface Item {
  set: string;
  id: string;
  image: string;
  reference: string;
}

function loadSet(set: string): Item[] {
  let items: Item[];
  if (set === 'im2latex-test' || set === 'im2latex-val') {
    const dir = join(evalRoot!, 'im2latex-crops/sample_data');
    const formulas = readFileSync(join(dir, 'formulas.norm.lst'), 'utf8').split('\n');
    const list = set === 'im2latex-test' ? 'test_filter.lst' : 'validate_filter.lst';
    items = readFileSync(join(dir, list), 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const [image, index] = line.trim().split(/\s+/);
        return { set, id: image!, image: join(dir, 'images_processed', image!), reference: formulas[Number(index)]! };
      });
  } else if (set === 'crohme') {
    const dir = join(evalRoot!, 'crohme-handwritten/model/data');
    items = readFileSync(join(dir, 'groundtruth_2014.tsv'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const [id, reference] = line.split('\t');
        return { set, id: id!, image: join(dir, 'test/2014', `${id}.png`), reference: reference ?? '' };
      });
  } else {
    throw new Error(`unknown set ${set}`);
  }
  items = items.filter((i) => existsSync(i.image) && i.reference.trim() !== '');
  if (items.length <= limit) return items;
  return Array.from({ length: limit }, (_, k) => items[Math.floor((k * items.length) / limit)]!);
}

interface Scored {
  set: string;
  id: string;
  edit: number;
  exact: boolean;
  parses: boolean;
  ms: number;
  tokens: number;
  confidence: number;
  error?: string;
  /** Kept only in memory for the corpus BLEU; never written (the JSON holds scores, not ground truth). */
  ref: string[];
  hyp: string[];
}

const service = new OcrService();
const status = await service.status();
const mathStatus = status.engines.find((e) => e.mode === 'math');
if (!mathStatus?.available) throw new Error(`math mode is not available: ${mathStatus?.reason ?? 'no engine'}`);
const modelMeta = JSON.parse(readFileSync(join(root, 'models/math/model.json'), 'utf8')) as { step: number };

// Load the model outside the timed items.
const sets = args.sets.split(',').map((s) => s.trim()).filter(Boolean);
const all = sets.flatMap(loadSet);
if (all.length === 0) throw new Error('no items');
await service.recognize({ source: { path: all[0]!.image }, mode: 'math' }, neverCancelled).catch(() => undefined);

const scored: Scored[] = [];
for (const [k, item] of all.entries()) {
  const ref = normalizeTokens(item.reference);
  const start = performance.now();
  let hyp: string[] = [];
  let parses = false;
  let confidence = 0;
  let error: string | undefined;
  try {
    const result = await service.recognize({ source: { path: item.image }, mode: 'math' }, neverCancelled);
    hyp = normalizeTokens(result.content);
    parses = result.math?.valid ?? false;
    confidence = result.confidence;
  } catch (e) {
    error = e instanceof OcrError ? `${e.kind}: ${e.message}` : String(e);
  }
  const ms = performance.now() - start;
  const edit = normalizedEditDistance(ref, hyp);
  const exact = edit === 0;
  scored.push({ set: item.set, id: item.id, edit, exact, parses, ms, tokens: hyp.length, confidence, ...(error ? { error } : {}), ref, hyp });
  if (args.verbose) process.stderr.write(`${item.set} ${item.id} edit=${edit.toFixed(3)}${exact ? ' exact' : ''}\n  ref: ${ref.join(' ')}\n  hyp: ${hyp.join(' ')}\n`);
  else process.stderr.write(`\r${k + 1}/${all.length}`);
}
process.stderr.write('\n');

const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

function row(name: string, items: Scored[]): string {
  const bleu = corpusBleu4(items.map((i) => i.ref), items.map((i) => i.hyp));
  const edit = items.reduce((s, i) => s + i.edit, 0) / items.length;
  const exact = items.filter((i) => i.exact).length / items.length;
  const parses = items.filter((i) => i.parses).length / items.length;
  const ms = items.map((i) => i.ms);
  return `| ${name} | ${items.length} | ${bleu.toFixed(3)} | ${edit.toFixed(3)} | ${pct(exact)} | ${pct(parses)} | ${Math.round(median(ms))} / ${Math.round(quantile(ms, 0.95))} |`;
}

const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const lines = [
  `Command: \`npm run bench:math -- ${process.argv.slice(2).join(' ')}\`; ${date}; model step ${modelMeta.step}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  '',
  '| set | formulas | BLEU-4 | edit distance | exact | parses | latency ms median / p95 |',
  '|---|---|---|---|---|---|---|',
  ...sets.map((set) => row(set, scored.filter((s) => s.set === set))).filter((_, i) => scored.some((s) => s.set === sets[i])),
];
if (sets.filter((s) => s.startsWith('im2latex')).length > 1) lines.push(row('im2latex (all)', scored.filter((s) => s.set.startsWith('im2latex'))));
const failures = scored.filter((s) => s.error);
if (failures.length) lines.push('', `Errors: ${failures.length} (${[...new Set(failures.map((f) => f.error))].slice(0, 3).join('; ')})`);
console.log(lines.join('\n'));

const outDir = args.out ?? join(root, 'bench/out');
mkdirSync(outDir, { recursive: true });
const outFile = join(outDir, `math-${date.replace(/:/g, '')}.json`);
writeFileSync(outFile, JSON.stringify({ date, step: modelMeta.step, items: scored.map(({ ref: _r, hyp: _h, ...rest }) => rest) }, null, 1));
process.stderr.write(`per-item results: ${outFile}\n`);
