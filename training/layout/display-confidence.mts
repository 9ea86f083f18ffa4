// Calibrates the confidence from which auto mode writes a display formula's reading (minDisplayConfidence in
// server/src/engines/layout/index.ts) on pages we compose, never on the evaluation sets: the math engine reads
// every display formula of the pages (with a margin) and, as negatives, strips about two text lines tall cut
// across their plots, structure drawings and tables; it prints how many parseable readings of each kind a
// threshold keeps. Run: npx tsx training/layout/display-confidence.mts [pages] [seed]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { OcrService } from '../../server/src/service.ts';

const [pagesArg = '10', seedArg = '3100'] = process.argv.slice(2);
const dir = mkdtempSync(path.join(tmpdir(), 'display-confidence-'));
process.argv = [process.argv[0]!, 'compose', dir, pagesArg, seedArg];
const { composePage } = await import('./compose-page.mts');
const service = new OcrService({ executionProvider: 'cpu' });
const formulas: number[] = [], other: number[] = [];
let n = 0;
for (let p = 0; p < Number(pagesArg); p++) {
  const { png, blocks } = await composePage(p % 2 === 1);
  for (const block of blocks) {
    const [x0, y0, x1, y1] = block.box.map(Math.round) as [number, number, number, number];
    const crops: [number, number, number, number][] = [];
    if (block.type === 'math') crops.push([x0 - 10, y0 - 10, x1 + 10, y1 + 10]);
    else if (block.type === 'figure' || block.type === 'molecule' || block.type === 'table') {
      for (const at of [0.3, 0.7]) {
        const cy = Math.round(y0 + at * (y1 - y0));
        crops.push([x0, cy - 35, Math.min(x1, x0 + 300), cy + 35]);
      }
    } else continue;
    for (const [left, top, right, bottom] of crops) {
      const file = path.join(dir, `crop-${n++}.png`);
      const l = Math.max(0, left), t = Math.max(0, top);
      writeFileSync(file, await sharp(png).extract({ left: l, top: t, width: right - l, height: bottom - t }).png().toBuffer());
      const result = await service.recognize({ source: { path: file }, mode: 'math' }, { isCancellationRequested: false }).catch(() => undefined);
      if (result?.math?.valid) (block.type === 'math' ? formulas : other).push(result.confidence);
    }
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`${pagesArg} pages, seed ${seedArg}: ${formulas.length} display formulas and ${other.length} non-formula strips read as valid LaTeX`);
console.log('| threshold | formulas kept | non-formula readings kept |\n|---|---|---|');
for (const t of [0.5, 0.55, 0.6, 0.65, 0.7, 0.75]) {
  console.log(`| ${t} | ${formulas.filter((c) => c >= t).length} / ${formulas.length} | ${other.filter((c) => c >= t).length} / ${other.length} |`);
}
