/**
 * Data engine, step 1: render corpus formulas to clean grayscale PNGs with MathJax (TeX → SVG) and
 * resvg, at a random scale per sample (font size × scan DPI), and write shards + a manifest.
 *
 *   npx tsx training/math/render.ts --out training/math/data/r1 --samples 200000 --workers 2
 *
 * Sample i (0-based) is fully determined by (seed, i): formula choice, scale, display mode.
 * Work is split in chunks of CHUNK samples; chunk c is written as shard-c.{bin,jsonl} and
 * the .jsonl index is renamed into place last, so an interrupted run resumes by skipping
 * finished chunks (just re-run the same command; --samples can be raised later).
 *
 * Each .jsonl line: {"i", "off", "len", "w", "h", "emPx", "kind", "split", "fid", "tokens"}
 * where off/len point into the .bin (PNG bytes), split is "train" | "val" (held out by formula:
 * a hash of the normalised formula), tokens is the normalised token sequence joined by ' '.
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { normalizeTokens } from '../../server/src/engines/math/latex.ts';

const require = createRequire(import.meta.url);
const CORPUS = process.env.FORMULA_CORPUS ?? '/work/shared/corpus/formulas';
const CHUNK = 2000;
const MAX_TOKENS = 200;
const VAL_PERCENT = 2;

type Args = { out: string; samples: number; workers: number; seed: number; worker?: number; bench?: number };

function parseArgs(): Args {
  const a: Args = { out: 'training/math/data/r1', samples: 200000, workers: 2, seed: 1 };
  const argv = process.argv.slice(2);
  for (let k = 0; k < argv.length; k++) {
    const v = argv[k];
    if (v === '--out') a.out = argv[++k];
    else if (v === '--samples') a.samples = Number(argv[++k]);
    else if (v === '--workers') a.workers = Number(argv[++k]);
    else if (v === '--seed') a.seed = Number(argv[++k]);
    else if (v === '--worker') a.worker = Number(argv[++k]);
    else if (v === '--bench') a.bench = Number(argv[++k]);
    else throw new Error(`unknown argument ${v}`);
  }
  return a;
}

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash32(s: string): number {
  return createHash('sha1').update(s).digest().readUInt32LE(0);
}

type Formula = { tex: string; kind: 'inline' | 'display' | 'multiline'; tokens: string; fid: number; split: 'train' | 'val' };

/** Load the corpus in a fixed order, normalise, drop too long ones; cached as formulas.jsonl in --out. */
function loadFormulas(out: string): Formula[] {
  const cache = path.join(out, 'formulas.jsonl');
  if (fs.existsSync(cache)) {
    return fs.readFileSync(cache, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  }
  const files: [string, Formula['kind']][] = [
    ['formulas-inline.txt', 'inline'],
    ['formulas-display.txt', 'display'],
    ['formulas-multiline.txt', 'multiline'],
    ['extra/short.txt', 'inline'],
  ];
  const seen = new Set<string>();
  const list: Formula[] = [];
  for (const [f, kind] of files) {
    const lines = fs.readFileSync(path.join(CORPUS, f), 'utf8').split('\n');
    for (const raw of lines) {
      const tex0 = raw.trim();
      if (!tex0) continue;
      let tex = tex0;
      if (kind === 'multiline') {
        tex = hasTopLevelAmp(tex0) ? `\\begin{aligned}${tex0}\\end{aligned}` : `\\begin{gathered}${tex0}\\end{gathered}`;
      }
      let toks: string[];
      try {
        toks = normalizeTokens(tex);
      } catch {
        continue;
      }
      if (toks.length === 0 || toks.length > MAX_TOKENS) continue;
      const tokens = toks.join(' ');
      if (seen.has(tokens)) continue;
      seen.add(tokens);
      const h = hash32(tokens);
      list.push({ tex, kind, tokens, fid: list.length, split: h % 100 < VAL_PERCENT ? 'val' : 'train' });
    }
  }
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(cache + '.tmp', list.map((x) => JSON.stringify(x)).join('\n') + '\n');
  fs.renameSync(cache + '.tmp', cache);
  return list;
}

function hasTopLevelAmp(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === '&' && depth === 0) return true;
  }
  return false;
}

function makeMathJax() {
  const { mathjax } = require('mathjax-full/js/mathjax.js');
  const { TeX } = require('mathjax-full/js/input/tex.js');
  const { SVG } = require('mathjax-full/js/output/svg.js');
  const { liteAdaptor } = require('mathjax-full/js/adaptors/liteAdaptor.js');
  const { RegisterHTMLHandler } = require('mathjax-full/js/handlers/html.js');
  require('mathjax-full/js/input/tex/base/BaseConfiguration.js');
  require('mathjax-full/js/input/tex/ams/AmsConfiguration.js');
  require('mathjax-full/js/input/tex/newcommand/NewcommandConfiguration.js');
  require('mathjax-full/js/input/tex/boldsymbol/BoldsymbolConfiguration.js');
  require('mathjax-full/js/input/tex/mhchem/MhchemConfiguration.js');
  const adaptor = liteAdaptor();
  RegisterHTMLHandler(adaptor);
  const tex = new TeX({ packages: ['base', 'ams', 'newcommand', 'boldsymbol', 'mhchem'] });
  const svg = new SVG({ fontCache: 'none' });
  const doc = mathjax.document('', { InputJax: tex, OutputJax: svg });
  return (src: string, display: boolean): string | null => {
    const node = doc.convert(src, { display, em: 16, ex: 8, containerWidth: 80 * 16 });
    const html: string = adaptor.outerHTML(node);
    if (html.includes('data-mjx-error') || html.includes('merror')) return null;
    const m = /<svg[\s\S]*<\/svg>/.exec(html);
    return m ? m[0] : null;
  };
}

function renderWorker(args: Args, worker: number): void {
  const { Resvg } = require('@resvg/resvg-js');
  const sharp = require('sharp');
  sharp.concurrency(1);
  const formulas = loadFormulas(args.out);
  const toSvg = makeMathJax();
  const nChunks = Math.ceil(args.samples / CHUNK);
  // kind weights: display and multiline formulas are rarer in the corpus but important
  const byKind: Record<string, number[]> = { inline: [], display: [], multiline: [] };
  formulas.forEach((f, k) => byKind[f.kind].push(k));
  const kindCdf: [string, number][] = [['inline', 0.55], ['display', 0.9], ['multiline', 1.0]];

  const run = async () => {
    for (let c = worker; c < nChunks; c += args.workers) {
      const base = path.join(args.out, `shard-${String(c).padStart(5, '0')}`);
      if (fs.existsSync(base + '.jsonl')) continue;
      const t0 = Date.now();
      const bin = fs.openSync(base + '.bin.tmp', 'w');
      const index: string[] = [];
      let off = 0;
      let errors = 0;
      for (let i = c * CHUNK; i < Math.min((c + 1) * CHUNK, args.samples); i++) {
        const r = rng(hash32(`${args.seed}:${i}`));
        const u = r();
        const kind = kindCdf.find(([, p]) => u < p)![0];
        const pool = byKind[kind];
        const f = formulas[pool[Math.floor(r() * pool.length)]];
        // display mode: always for display/multiline, 15% of inline formulas too
        const display = kind !== 'inline' || r() < 0.15;
        // scale: font 9–12 pt at 100–300 dpi → px per em (≈ 12.5–50 px)
        const pt = 9 + r() * 3;
        const dpi = 100 + r() * 200;
        const emPx = (pt * dpi) / 72;
        let svg: string | null = null;
        try {
          svg = toSvg(f.tex, display);
        } catch {
          svg = null;
        }
        if (!svg) {
          errors++;
          continue;
        }
        svg = svg.replace(/currentColor/g, '#000');
        const vb = /viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"/.exec(svg);
        if (!vb) {
          errors++;
          continue;
        }
        const vw = Number(vb[3]);
        const widthPx = Math.max(4, Math.round((vw / 1000) * emPx));
        if (widthPx > 4000) {
          errors++;
          continue;
        }
        let png: Buffer;
        let w: number;
        let h: number;
        try {
          const resvg = new Resvg(svg, { fitTo: { mode: 'width', value: widthPx }, background: '#ffffff' });
          const img = resvg.render();
          w = img.width;
          h = img.height;
          const rgba: Buffer = img.pixels;
          const gray = Buffer.allocUnsafe(w * h);
          for (let p = 0, q = 0; p < gray.length; p++, q += 4) gray[p] = (rgba[q] * 77 + rgba[q + 1] * 150 + rgba[q + 2] * 29) >> 8;
          png = await sharp(gray, { raw: { width: w, height: h, channels: 1 } }).toColourspace('b-w').png({ compressionLevel: 3 }).toBuffer();
        } catch {
          errors++;
          continue;
        }
        fs.writeSync(bin, png);
        index.push(JSON.stringify({ i, off, len: png.length, w, h, emPx: Math.round(emPx * 10) / 10, kind, split: f.split, fid: f.fid, tokens: f.tokens }));
        off += png.length;
      }
      fs.closeSync(bin);
      fs.renameSync(base + '.bin.tmp', base + '.bin');
      fs.writeFileSync(base + '.jsonl.tmp', index.join('\n') + '\n');
      fs.renameSync(base + '.jsonl.tmp', base + '.jsonl');
      const dt = (Date.now() - t0) / 1000;
      console.log(`[w${worker}] chunk ${c}: ${index.length} ok, ${errors} skipped, ${(index.length / dt).toFixed(1)} img/s`);
    }
  };
  run().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

function bench(n: number): void {
  const { Resvg } = require('@resvg/resvg-js');
  const formulas = loadFormulas('training/math/data/bench');
  const toSvg = makeMathJax();
  let t = Date.now();
  let ok = 0;
  const svgs: string[] = [];
  for (let k = 0; k < n; k++) {
    const f = formulas[(k * 7919) % formulas.length];
    const s = toSvg(f.tex, f.kind !== 'inline');
    if (s) {
      ok++;
      svgs.push(s.replace(/currentColor/g, '#000'));
    }
  }
  const tm = (Date.now() - t) / n;
  t = Date.now();
  for (const s of svgs) new Resvg(s, { fitTo: { mode: 'width', value: 400 }, background: '#fff' }).render();
  const tr = (Date.now() - t) / svgs.length;
  console.log(`mathjax ${tm.toFixed(1)} ms/formula (${ok}/${n} ok), resvg ${tr.toFixed(1)} ms/image`);
}

const args = parseArgs();
if (args.bench) bench(args.bench);
else if (args.worker !== undefined) renderWorker(args, args.worker);
else {
  // coordinator: build the formula cache once, then fork workers
  const formulas = loadFormulas(args.out);
  const nVal = formulas.filter((f) => f.split === 'val').length;
  console.log(`${formulas.length} formulas (${nVal} val), ${args.samples} samples, ${args.workers} workers`);
  fs.writeFileSync(path.join(args.out, 'render-args.json'), JSON.stringify({ ...args, chunk: CHUNK, maxTokens: MAX_TOKENS, valPercent: VAL_PERCENT }, null, 1));
  const self = fileURLToPath(import.meta.url);
  for (let w = 0; w < args.workers; w++) {
    const child = fork(self, ['--out', args.out, '--samples', String(args.samples), '--workers', String(args.workers), '--seed', String(args.seed), '--worker', String(w)], { execArgv: process.execArgv });
    child.on('exit', (code) => console.log(`worker ${w} exited ${code}`));
  }
}
