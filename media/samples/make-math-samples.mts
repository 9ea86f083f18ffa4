// Makes the bundled math samples: a display formula as a scanned paper shows it (sample-formula.png), a
// sentence with two inline formulas (sample-inline-math.png), a booktabs table with a column of formulas
// (sample-math-table.png) and a column of prose with two numbered display formulas (sample-equations.png),
// each with its LaTeX in a .json beside it.
// Formulas are rendered by MathJax (TeX → SVG) and resvg, text by @napi-rs/canvas with Debian fonts-liberation,
// then greyed, blurred and noised with a fixed seed. Run: npx tsx media/samples/make-math-samples.mts
import { createCanvas, GlobalFonts, loadImage } from '@napi-rs/canvas';
import { Resvg } from '@resvg/resvg-js';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { checkTex } from '../../server/src/engines/math/validate.ts';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
GlobalFonts.registerFromPath('/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf', 'SampleSerif');

/** A formula as an image whose x-height is `exPx` pixels, and how far its baseline sits above the bottom. */
async function formula(tex: string, exPx: number) {
  const check = checkTex(tex);
  if (!check.ok) throw new Error(`${tex}: ${check.error}`);
  const ex = (name: string) => Number(new RegExp(`${name}="([\\d.]+)ex"`).exec(check.svg)?.[1]);
  const depth = -Number(/vertical-align: (-?[\d.]+)ex/.exec(check.svg)?.[1] ?? 0) * exPx;
  const svg = check.svg.replace(/^<mjx-container[^>]*>/, '').replace(/<\/mjx-container>$/, '');
  const png = new Resvg(svg, { fitTo: { mode: 'height', value: Math.round(ex('height') * exPx) }, background: '#ffffff' }).render();
  return { image: await loadImage(png.asPng()), width: png.width, height: png.height, depth };
}

let seed = 314;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

/** Grey paper, sensor noise and soft focus, like the other samples. */
async function scanLook(canvas: ReturnType<typeof createCanvas>): Promise<Buffer> {
  const { width, height } = canvas;
  const rgba = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  const gray = Buffer.alloc(width * height);
  for (let i = 0; i < gray.length; i++) gray[i] = Math.max(0, Math.min(255, rgba[i * 4]! * 0.9 + 18 + (random() - 0.5) * 20));
  return sharp(gray, { raw: { width, height, channels: 1 } }).blur(0.6).png().toBuffer();
}

// A display formula at 11 pt, 300 DPI (x-height ≈ 20 px).
const display = '\\int_{0}^{\\infty} e^{-x^{2}} \\, dx = \\frac{\\sqrt{\\pi}}{2}';
{
  const f = await formula(display, 20);
  const canvas = createCanvas(f.width + 80, f.height + 60);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(f.image, 40, 30);
  writeFileSync(here('sample-formula.png'), await scanLook(canvas));
  writeFileSync(here('sample-formula.json'), JSON.stringify({ latex: display }, null, 1) + '\n');
}

/** A white canvas with black type of `fontPx` pixels. */
function page(width: number, height: number, fontPx: number) {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#000';
  ctx.font = `${fontPx}px SampleSerif`;
  return { canvas, ctx };
}

/** Draws a word, or a `$…$` formula of x-height `exPx`, on the baseline at x; returns its width. */
async function drawPiece(ctx: ReturnType<typeof page>['ctx'], piece: string, x: number, baseline: number, exPx: number): Promise<number> {
  if (!piece.startsWith('$')) {
    ctx.fillText(piece, x, baseline);
    return ctx.measureText(piece).width;
  }
  const f = await formula(piece.slice(1, -1), exPx);
  ctx.drawImage(f.image, x, baseline - (f.height - f.depth));
  return f.width;
}

// A sentence at 24 px with two inline formulas on its baseline.
const words = ['The', 'ratio', '$a/b$', 'is', 'fixed', 'when', '$\\alpha^{2}+\\beta^{2}=1$', 'holds', 'for', 'every', 'sample.'];
{
  const { canvas, ctx } = page(1100, 90, 28);
  let x = 30;
  for (const word of words) x += (await drawPiece(ctx, word, x, 55, 12.4)) + ctx.measureText(' ').width;
  writeFileSync(here('sample-inline-math.png'), await scanLook(canvas));
  writeFileSync(here('sample-inline-math.json'), JSON.stringify({ markdown: words.join(' ') }, null, 1) + '\n');
}
// A booktabs table at 24 px whose middle column holds formulas.
const tableRows = [
  ['Model', 'Formula', 'Score'],
  ['Quadratic', '$x^{2}+1$', '0.25'],
  ['Decay', '$e^{-x}$', '1.50'],
  ['Angle', '$\\alpha+\\beta$', '3.14'],
];
{
  const { canvas, ctx } = page(560, 250, 24);
  const columns = [40, 230, 410];
  const rowBaselines = [60, 118, 166, 214];
  for (const [r, row] of tableRows.entries()) for (const [c, cell] of row.entries()) await drawPiece(ctx, cell, columns[c]!, rowBaselines[r]!, 11);
  for (const [y, thickness] of [[25, 3], [76, 1.5], [232, 3]] as const) ctx.fillRect(25, y, 510, thickness);
  writeFileSync(here('sample-math-table.png'), await scanLook(canvas));
  writeFileSync(here('sample-math-table.json'), JSON.stringify({ rows: tableRows }, null, 1) + '\n');
}
// A column of a paper at 24 px: prose, a centred display formula with a fraction and a sum numbered (1) at the
// right margin, prose, an indented formula numbered (2.4a), prose.
const column = [
  { text: ['The partial sums of the series are averaged over the first n', 'terms of the sequence, which gives'] },
  { tex: 'F_{n}(t)=\\frac{1}{n}\\sum_{k=0}^{n-1}D_{k}(t),', tag: '1', indent: 0 },
  { text: ['and the kernel is bounded on the whole interval. With the', 'same notation the error term becomes'] },
  { tex: 'E_{n}=\\frac{a+b}{2}-x_{n}', tag: '2.4a', indent: 60 },
  { text: ['for every n larger than the first index of the sequence.'] },
];
{
  const { canvas, ctx } = page(700, 500, 24);
  let y = 40;
  for (const block of column) {
    if ('text' in block) {
      for (const line of block.text!) {
        ctx.fillText(line, 30, y + 24);
        y += 34;
      }
      y += 12;
      continue;
    }
    const f = await formula(block.tex!, 10.6);
    const left = block.indent ? 30 + block.indent : 30 + (640 - f.width) / 2;
    ctx.drawImage(f.image, left, y);
    const label = `(${block.tag})`;
    ctx.fillText(label, 670 - ctx.measureText(label).width, y + f.height / 2 + 8);
    y += f.height + 24;
  }
  writeFileSync(here('sample-equations.png'), await scanLook(canvas));
  const formulas = column.filter((b) => 'tex' in b).map((b) => ({ latex: b.tex, tag: b.tag }));
  writeFileSync(here('sample-equations.json'), JSON.stringify({ formulas }, null, 1) + '\n');
}
console.log('wrote sample-formula.png, sample-inline-math.png, sample-math-table.png, sample-equations.png');
