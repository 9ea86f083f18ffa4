// npm run bench:auto [-- --pages N --seed S]
// Accuracy of auto mode's decision for a selection (text / table / math / figure) on blocks cut from pages
// that training/layout/compose-page.mts composes with a seed never used while writing the rules (default
// 2000). The page composer's truth gives each block's kind; a heading or caption counts as text, a structure
// drawing as chem (and its SMILES is compared with the truth's, both canonicalised by RDKit).
// Inline formulas: in text blocks the truth holds `$tex$` spans; the spans auto mode writes are matched to them
// one to one (lowest normalised token edit distance, a match needs < 0.5) for recall, precision and the mean
// edit distance of the truth's formulas (an unmatched one counts 1).
// Display formulas: each whole page is converted too; its $$…$$ blocks are matched to the truth's display
// formulas the same way, and a matched formula's \tag is compared with the equation number drawn beside it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { normalizedEditDistance, normalizeTokens } from '../server/src/engines/math/latex.ts';
import { OcrService } from '../server/src/service.ts';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '6' }, seed: { type: 'string', default: '2000' } } });
const dir = mkdtempSync(path.join(tmpdir(), 'bench-auto-'));
process.argv = [process.argv[0]!, 'compose', dir, values.pages!, values.seed!];
const { composePage } = await import('../training/layout/compose-page.mts');
const service = new OcrService({ executionProvider: 'cpu' });
const classes = ['text', 'table', 'math', 'figure', 'chem'] as const;
const confusion = new Map<string, number>();
const latencies: number[] = [];
let n = 0, correct = 0;
const inline = { truth: 0, found: 0, matched: 0, exact: 0, editSum: 0 };
const molecules = { n: 0, exact: 0 };
const display = { truth: 0, found: 0, matched: 0, editSum: 0, numbered: 0, tagsRight: 0, tagsWrong: 0 };
/** A page's display formulas: LaTeX (normalised tokens) and \tag label. */
const displayBlocks = (markdown: string) =>
  [...markdown.matchAll(/\$\$\n?([^]*?)\n?\$\$/g)].map((m) => {
    const tag = /\\tag\{([^}]*)\}/.exec(m[1]!)?.[1];
    return { tokens: normalizeTokens(m[1]!.replace(/\\tag\{[^}]*\}/, '')), tag };
  });
function scoreDisplay(truth: { content: string; tag?: string }[], output: string) {
  const found = displayBlocks(output);
  display.truth += truth.length;
  display.found += found.length;
  const free = new Set(found.keys());
  for (const t of truth) {
    const tokens = normalizeTokens(t.content);
    let best = 1, bestAt = -1;
    for (const k of free) {
      const d = normalizedEditDistance(tokens, found[k]!.tokens);
      if (d < best) [best, bestAt] = [d, k];
    }
    if (t.tag) display.numbered++;
    if (bestAt >= 0 && best < 0.5) {
      free.delete(bestAt);
      display.matched++;
      if (found[bestAt]!.tag === t.tag) display.tagsRight += t.tag ? 1 : 0;
      else display.tagsWrong++;
    } else best = 1;
    display.editSum += best;
  }
}
const dollarSpans = (markdown: string) => [...markdown.replace(/\$\$[^]*?\$\$/g, '').matchAll(/\$([^$\n]+)\$/g)].map((m) => normalizeTokens(m[1]!));
function scoreInline(truthText: string, output: string) {
  const truth = dollarSpans(truthText), found = dollarSpans(output);
  inline.truth += truth.length;
  inline.found += found.length;
  const free = new Set(found.keys());
  for (const t of truth) {
    let best = 1, bestAt = -1;
    for (const k of free) {
      const d = normalizedEditDistance(t, found[k]!);
      if (d < best) [best, bestAt] = [d, k];
    }
    if (bestAt >= 0 && best < 0.5) {
      free.delete(bestAt);
      inline.matched++;
      if (best === 0) inline.exact++;
    } else best = 1;
    inline.editSum += best;
  }
}
for (let p = 0; p < Number(values.pages); p++) {
  const { png, blocks } = await composePage(p % 2 === 1);
  const pageFile = path.join(dir, `p${p}.png`);
  writeFileSync(pageFile, png);
  const page = await service.recognize({ source: { path: pageFile }, mode: 'auto' }, { isCancellationRequested: false }).catch(() => undefined);
  scoreDisplay(blocks.filter((b) => b.type === 'math'), page?.content ?? '');
  for (const [i, block] of blocks.entries()) {
    const truth = block.type === 'heading' || block.type === 'caption' ? 'text' : block.type === 'molecule' ? 'chem' : block.type;
    const [x0, y0, x1, y1] = block.box.map(Math.round) as [number, number, number, number];
    const m = 12;
    const file = path.join(dir, `p${p}-b${i}.png`);
    writeFileSync(file, await sharp(png).extract({ left: Math.max(0, x0 - m), top: Math.max(0, y0 - m), width: x1 - x0 + 2 * m, height: y1 - y0 + 2 * m }).png().toBuffer());
    const started = performance.now();
    const result = await service.recognize({ source: { path: file }, mode: 'auto' }, { isCancellationRequested: false }).catch(() => undefined);
    latencies.push(performance.now() - started);
    const predicted = result?.layout?.kind ?? 'error';
    confusion.set(`${truth}→${predicted}`, (confusion.get(`${truth}→${predicted}`) ?? 0) + 1);
    n++;
    if (predicted === truth) correct++;
    if (block.type === 'text' && result) scoreInline(block.content, result.content);
    if (block.type === 'molecule') {
      molecules.n++;
      if (result?.chem?.smiles === block.content) molecules.exact++;
    }
  }
}
rmSync(dir, { recursive: true, force: true });
latencies.sort((a, b) => a - b);
console.log(`npm run bench:auto -- --pages ${values.pages} --seed ${values.seed}    (${new Date().toISOString().slice(0, 10)})\n`);
console.log(`| truth \\ decided | ${[...classes, 'error'].join(' | ')} | n | accuracy |`);
console.log(`|---|${'---|'.repeat(classes.length + 3)}`);
for (const t of classes) {
  const row = [...classes, 'error'].map((c) => confusion.get(`${t}→${c}`) ?? 0);
  const total = row.reduce((a, b) => a + b, 0);
  console.log(`| ${t} | ${row.join(' | ')} | ${total} | ${total ? ((100 * (confusion.get(`${t}→${t}`) ?? 0)) / total).toFixed(0) : '-'} % |`);
}
console.log(`\nall: ${correct}/${n} = ${((100 * correct) / n).toFixed(1)} %, median ${latencies[latencies.length >> 1]!.toFixed(0)} ms per selection`);
const share = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(0)} %` : '-');
console.log(
  `inline formulas in text blocks: ${inline.truth} in the truth, ${inline.found} written; recall ${share(inline.matched, inline.truth)}, precision ${share(inline.matched, inline.found)}, ` +
    `exact ${share(inline.exact, inline.truth)}, mean edit distance ${inline.truth ? (inline.editSum / inline.truth).toFixed(2) : '-'}`,
);
console.log(
  `display formulas on whole pages: ${display.truth} in the truth (${display.numbered} numbered), ${display.found} written; recall ${share(display.matched, display.truth)}, ` +
    `precision ${share(display.matched, display.found)}, mean edit distance ${display.truth ? (display.editSum / display.truth).toFixed(2) : '-'}; ` +
    `equation numbers as \\tag: ${share(display.tagsRight, display.numbered)} right, ${display.tagsWrong} wrong or missing/extra among matched`,
);
console.log(`molecules: ${molecules.n}, SMILES exact (canonical) ${share(molecules.exact, molecules.n)}`);
