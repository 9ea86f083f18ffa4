// Makes our own chem tuning set: the molecules in molecules.mjs drawn by RDKit (MinimalLib), rasterised with
// resvg and degraded the way real crops are (small, blurred + noisy + JPEG, downscaled, photographed paper,
// lots of margin). Used to choose the chem preprocessing; the evaluation sets in ../shared/eval never are.
// Run: node training/chem/make-tuning-set.mjs [outDir]   (default training/chem/data/tune; seeded, repeatable)
import initRDKit from '@rdkit/rdkit';
import { Resvg } from '@resvg/resvg-js';
import sharp from 'sharp';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { molecules } from './molecules.mjs';

const outDir = process.argv[2] ?? fileURLToPath(new URL('./data/tune', import.meta.url));
export const conditions = ['clean', 'small', 'blur-noise', 'lowres', 'photo', 'margin'];

// Mulberry32: a small seeded generator, so the set is the same on every machine.
function rng(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20261122);
const uniform = (a, b) => a + (b - a) * random();
const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());

function draw(RDKit, smiles, width, height, { bw, lineWidth, rotate }) {
  const mol = RDKit.get_mol(smiles);
  if (!mol) throw new Error(`invalid SMILES in molecules.mjs: ${smiles}`);
  try {
    let svg = mol.get_svg_with_highlights(JSON.stringify({ width, height, bondLineWidth: lineWidth, rotate, padding: 0.08 }));
    // Printed structures are mostly black and white; RDKit colours heteroatoms.
    if (bw) svg = svg.replace(/#(?!FFFFFF)[0-9A-F]{6}/gi, '#000000');
    const rendered = new Resvg(svg, { background: 'white' }).render();
    return { canonical: mol.get_smiles(), png: rendered.asPng() };
  } finally {
    mol.delete();
  }
}

async function toGrayRaw(png) {
  const { data, info } = await sharp(png).flatten({ background: '#ffffff' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data: new Float32Array(data), width: info.width, height: info.height };
}

const fromRaw = (img) =>
  sharp(Buffer.from(Uint8Array.from(img.data, (v) => Math.max(0, Math.min(255, Math.round(v))))), { raw: { width: img.width, height: img.height, channels: 1 } });

async function degrade(condition, png) {
  switch (condition) {
    case 'clean':
    case 'small':
      return png;
    case 'blur-noise': {
      const blurred = await toGrayRaw(await sharp(png).blur(uniform(0.9, 1.6)).png().toBuffer());
      const sigma = uniform(12, 28);
      for (let i = 0; i < blurred.data.length; i++) blurred.data[i] += sigma * gauss();
      return fromRaw(blurred).jpeg({ quality: Math.round(uniform(30, 60)) }).toBuffer();
    }
    case 'lowres': {
      const meta = await sharp(png).metadata();
      const f = uniform(0.3, 0.45);
      return sharp(png).resize(Math.round(meta.width * f), Math.round(meta.height * f), { kernel: 'linear' }).png().toBuffer();
    }
    case 'photo': {
      const img = await toGrayRaw(await sharp(png).blur(uniform(0.6, 1.1)).png().toBuffer());
      const paper = uniform(170, 225), ink = uniform(40, 90), gx = uniform(-50, 50), gy = uniform(-40, 40), sigma = uniform(6, 14);
      for (let y = 0; y < img.height; y++) {
        for (let x = 0; x < img.width; x++) {
          const i = y * img.width + x;
          const light = paper + gx * (x / img.width - 0.5) + gy * (y / img.height - 0.5);
          const t = img.data[i] / 255; // 1 = paper, 0 = ink
          img.data[i] = ink + (light - ink) * t + sigma * gauss();
        }
      }
      return fromRaw(img).jpeg({ quality: Math.round(uniform(50, 75)) }).toBuffer();
    }
    case 'margin': {
      const meta = await sharp(png).metadata();
      const W = Math.round(meta.width * uniform(2.2, 3)), H = Math.round(meta.height * uniform(2, 2.8));
      const left = Math.round(uniform(0, W - meta.width)), top = Math.round(uniform(0, H - meta.height));
      return sharp({ create: { width: W, height: H, channels: 3, background: '#ffffff' } }).composite([{ input: png, left, top }]).png().toBuffer();
    }
  }
  throw new Error(condition);
}

const RDKit = await initRDKit();
const rows = ['condition,id,file,smiles'];
for (const condition of conditions) mkdirSync(join(outDir, condition), { recursive: true });
for (const [id, smiles] of molecules) {
  for (const condition of conditions) {
    const small = condition === 'small';
    const w = small ? Math.round(uniform(180, 260)) : Math.round(uniform(380, 560));
    const h = Math.round(w * uniform(0.7, 0.9));
    const { canonical, png } = draw(RDKit, smiles, w, h, { bw: random() < 0.7, lineWidth: uniform(1.2, 3), rotate: random() < 0.3 ? Math.round(uniform(0, 360)) : 0 });
    const out = await degrade(condition, png);
    const file = `${condition}/${id}.${condition === 'blur-noise' || condition === 'photo' ? 'jpg' : 'png'}`;
    writeFileSync(join(outDir, file), out);
    rows.push(`${condition},${id},${file},${canonical}`);
  }
}
writeFileSync(join(outDir, 'truth.csv'), rows.join('\n') + '\n');
console.log(`${molecules.length} molecules × ${conditions.length} conditions → ${outDir}`);
