// Picks the word-space gap threshold on synthetic lines (training/text/make-lines.mjs), never on eval data.
// Run: node training/text/make-lines.mjs training/text/data/lines 150, then
//      npx tsx training/text/tune-spaces.mts training/text/data/lines   (env BAND=0.15 GRID=0.3,0.35,…)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { neverCancelled } from '../../server/src/errors.ts';
import { loadPage } from '../../server/src/pipeline/load.ts';
import { defaultLimits } from '../../server/src/limits.ts';
import { SessionFactory } from '../../server/src/engines/runtime.ts';
import { TextEngine } from '../../server/src/engines/text/index.ts';
import { characterGaps, ctcDecode, recFrameWidth, spaceThreshold } from '../../server/src/engines/text/rec.ts';

const dir = process.argv[2] ?? 'training/text/data/lines';
const truth: Record<string, string> = JSON.parse(readFileSync(join(dir, 'lines.json'), 'utf8'));
const engine = new TextEngine(new SessionFactory('cpu'));
// Capture each line's characters and gaps by wrapping the engine's recogniser step.
const bandShare = Number(process.env.BAND ?? 0.15);
const samples: { truth: string; chars: string[]; gaps: number[] }[] = [];
const internals = engine as unknown as { recognizeCrops: (m: any, crops: any[], t: any) => Promise<any> };
const original = internals.recognizeCrops.bind(engine);
internals.recognizeCrops = async (models: any, crops: any[], token: any) => {
  const results = await original(models, crops, token);
  for (const crop of crops) {
    const { recPreprocess } = await import('../../server/src/engines/text/rec.ts');
    const { tensor, width } = recPreprocess([crop]);
    const { ort } = await import('../../server/src/engines/runtime.ts');
    const out = await models.rec.run({ [models.rec.inputNames[0]]: new ort.Tensor('float32', tensor, [1, 3, 48, width]) });
    const p = out[models.rec.outputNames[0]];
    const chars = ctcDecode(p.data, 0, p.dims[1], p.dims[2], models.alphabet, Math.ceil(crop.width / recFrameWidth));
    samples[samples.length - 1]!.chars.push(...chars.map((c) => c.char), '\n');
    samples[samples.length - 1]!.gaps.push(...characterGaps(chars, crop, bandShare), NaN, NaN);
  }
  return results;
};
for (const [name, text] of Object.entries(truth)) {
  samples.push({ truth: text, chars: [], gaps: [] });
  const bytes = readFileSync(join(dir, name));
  const page = await loadPage(bytes, {}, defaultLimits);
  await engine.recognize({ page, token: neverCancelled, report: () => {} });
}
const medianFactor = Number(process.env.MEDIAN ?? 0);
/** Each crop ends with a '\n' marker; thresholds are per crop, as in the engine. */
const render = (s: { chars: string[]; gaps: number[] }, ratio: number) => {
  const lines: string[] = [];
  let start = 0;
  for (let end = 0; end < s.chars.length; end++) {
    if (s.chars[end] !== '\n') continue;
    const chars = s.chars.slice(start, end), gaps = s.gaps.slice(start, end - 1);
    const threshold = Number.isFinite(ratio) ? spaceThreshold(gaps, { gapRatio: ratio, medianFactor }) : Infinity;
    let text = chars[0] ?? '';
    for (let i = 1; i < chars.length; i++) text += (gaps[i - 1]! >= threshold ? ' ' : '') + chars[i];
    lines.push(text.replace(/ {2,}/g, ' ').trim());
    start = end + 1;
  }
  return lines.filter(Boolean).join(' ');
};
const wordErrors = (a: string, b: string) => {
  const x = a.split(' '), y = b.split(' ');
  const d = Array.from({ length: x.length + 1 }, (_, i) => [i, ...Array(y.length).fill(0)]);
  for (let j = 1; j <= y.length; j++) d[0]![j] = j;
  for (let i = 1; i <= x.length; i++) for (let j = 1; j <= y.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
  return d[x.length]![y.length]!;
};
const totalWords = samples.reduce((n, s) => n + s.truth.split(' ').length, 0);
const ratios = (process.env.GRID ?? '0.25,0.3,0.35,0.4,0.45,0.5').split(',').map(Number);
for (const ratio of [Infinity, ...ratios]) {
  const errors = samples.reduce((n, s) => n + wordErrors(s.truth, render(s, ratio)), 0);
  console.log(`band ${bandShare} median×${medianFactor} gapRatio ${ratio}: WER ${(100 * errors / totalWords).toFixed(2)} %`);
}
