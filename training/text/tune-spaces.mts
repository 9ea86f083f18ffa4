// Picks the word-space options of the text engine on synthetic lines (training/text/make-lines.mjs), never on eval data.
// Run: node training/text/make-lines.mjs training/text/data/lines 400, then
//      npx tsx training/text/tune-spaces.mts training/text/data/lines   (env GRID=0.3,0.35,… MONO=0.85,0.9,…)
// Prints the word error rate of the engine's own wordSpans() per option set, for proportional and monospaced faces.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { neverCancelled } from '../../server/src/errors.ts';
import { loadPage } from '../../server/src/pipeline/load.ts';
import { defaultLimits } from '../../server/src/limits.ts';
import { SessionFactory, ort } from '../../server/src/engines/runtime.ts';
import { TextEngine } from '../../server/src/engines/text/index.ts';
import { ctcDecode, defaultSpaceOptions, insertWordSpaces, recFrameWidth, recPreprocess, type CtcChar, type SpaceOptions } from '../../server/src/engines/text/rec.ts';
import type { RgbImage } from '../../server/src/pipeline/image.ts';

const dir = process.argv[2] ?? 'training/text/data/lines';
const truth: Record<string, string> = JSON.parse(readFileSync(join(dir, 'lines.json'), 'utf8'));
const faces: Record<string, string> = JSON.parse(readFileSync(join(dir, 'faces.json'), 'utf8'));
const engine = new TextEngine(new SessionFactory('cpu'));
// Capture each crop's CTC characters by wrapping the engine's recogniser step.
const samples: { truth: string; mono: boolean; crops: { chars: CtcChar[]; crop: RgbImage }[] }[] = [];
const internals = engine as unknown as { recognizeCrops: (m: any, crops: RgbImage[], t: any) => Promise<any> };
const original = internals.recognizeCrops.bind(engine);
internals.recognizeCrops = async (models: any, crops: RgbImage[], token: any) => {
  const results = await original(models, crops, token);
  for (const crop of crops) {
    const { tensor, width } = recPreprocess([crop]);
    const out = await models.rec.run({ [models.rec.inputNames[0]]: new ort.Tensor('float32', tensor, [1, 3, 48, width]) });
    const p = out[models.rec.outputNames[0]];
    const chars = ctcDecode(p.data, 0, p.dims[1], p.dims[2], models.alphabet, Math.ceil(crop.width / recFrameWidth));
    samples[samples.length - 1]!.crops.push({ chars, crop });
  }
  return results;
};
for (const [name, text] of Object.entries(truth)) {
  samples.push({ truth: text, mono: /Mono/.test(faces[name] ?? ''), crops: [] });
  const page = await loadPage(readFileSync(join(dir, name)), {}, defaultLimits);
  await engine.recognize({ page, token: neverCancelled, report: () => {} });
}
const render = (s: (typeof samples)[number], options: SpaceOptions) =>
  s.crops.map(({ chars, crop }) => insertWordSpaces(chars, crop, options)).join(' ').replace(/ {2,}/g, ' ').trim();
const wordErrors = (a: string, b: string) => {
  const x = a.split(' '), y = b.split(' ');
  const d = Array.from({ length: x.length + 1 }, (_, i) => [i, ...Array(y.length).fill(0)]);
  for (let j = 1; j <= y.length; j++) d[0]![j] = j;
  for (let i = 1; i <= x.length; i++) for (let j = 1; j <= y.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
  return d[x.length]![y.length]!;
};
const wer = (group: typeof samples, options: SpaceOptions) =>
  (100 * group.reduce((n, s) => n + wordErrors(s.truth, render(s, options)), 0)) / group.reduce((n, s) => n + s.truth.split(' ').length, 0);
const groups = { proportional: samples.filter((s) => !s.mono), monospaced: samples.filter((s) => s.mono) };
const grid = (process.env.GRID ?? String(defaultSpaceOptions.gapRatio)).split(',').map(Number);
const mono = (process.env.MONO ?? `Infinity,${defaultSpaceOptions.monospaceCoherence}`).split(',').map(Number);
console.log(`${groups.proportional.length} proportional, ${groups.monospaced.length} monospaced lines; WER %`);
for (const gapRatio of grid) {
  for (const monospaceCoherence of mono) {
    const options = { ...defaultSpaceOptions, gapRatio, monospaceCoherence };
    console.log(`gapRatio ${gapRatio} median×${options.medianFactor} monospaceCoherence ${monospaceCoherence}: ` +
      Object.entries(groups).map(([k, g]) => `${k} ${wer(g, options).toFixed(2)}`).join(', '));
  }
}
