// Composes synthetic document pages with known layout: headings, paragraphs in one or two columns (some with
// inline formulas, `$tex$` in the truth), display formulas (MathJax), ruled tables, plots with captions, structure
// drawings (RDKit; canonical SMILES in the truth). Output: <out>/page-NNN.png + truth.json with every
// block's type, box (pixels) and content, in reading order. Used for layout tests and to measure the auto
// classifier on data it was not tuned on. Run: npx tsx training/layout/compose-page.mts <out> <count> [seed]
import { createCanvas, GlobalFonts, loadImage, type Image, type SKRSContext2D } from '@napi-rs/canvas';
import { Resvg } from '@resvg/resvg-js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTex } from '../../server/src/engines/math/validate.ts';
import { drawTable, makeTable } from '../table/make-tables.mjs';
import { molecules } from '../chem/molecules.mjs';
import { loadRDKit } from '../../server/src/engines/chem/rdkit.ts';

export type BlockType = 'heading' | 'text' | 'math' | 'table' | 'figure' | 'molecule' | 'caption';
/** `tag`: a display formula's equation number, drawn at the column's right ("3" for "(3)"). */
export interface Block { type: BlockType; box: [number, number, number, number]; content: string; tag?: string }

const [out = 'training/layout/data/pages', countArg = '10', seedArg = '5'] = process.argv.slice(2);
GlobalFonts.registerFromPath('/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf', 'PSerif');
GlobalFonts.registerFromPath('/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf', 'PSerifBold');
GlobalFonts.registerFromPath('/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf', 'TSans');
let seed = Number(seedArg);
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = <T,>(a: readonly T[]): T => a[Math.floor(random() * a.length)]!;

const words = 'the of and to in is was for that with as by on are from be this which or at an not have were it has but also its been their all more one can other these than into two only some may such would when well will most used first time after between each should under where however because three through during without before while number system results value method shown small large total following model data estimate measured sample error rate field survey water depth'.split(' ');
const sentence = () => {
  const n = 8 + Math.floor(random() * 12);
  const s = Array.from({ length: n }, () => pick(words)).join(' ');
  return s[0]!.toUpperCase() + s.slice(1) + '.';
};
// Display formulas from the training corpus (never from the evaluation sets).
const formulas = readFileSync('/work/shared/corpus/formulas/formulas-display.txt', 'utf8').split('\n').filter((f) => f.length > 8 && f.length < 60);

// Short inline formulas from the training corpus, for paragraphs with math in their lines.
const inlineFormulas = readFileSync('/work/shared/corpus/formulas/formulas-inline.txt', 'utf8').split('\n').filter((f) => f.length >= 3 && f.length <= 24 && !/\\(?:frac|begin|over|atop)/.test(f));

interface Token { text: string; width: number; image?: Image; height: number; depth: number }

/** A paragraph's words; in half of the paragraphs one or two inline formulas (`$tex$` in `text`). */
async function paragraphTokens(): Promise<Token[]> {
  const words = Array.from({ length: 2 + Math.floor(random() * 3) }, sentence).join(' ').split(' ').map((text) => ({ text, width: 0, height: 0, depth: 0 }) as Token);
  const formulas = random() < 0.5 ? 1 + Math.floor(random() * 2) : 0;
  for (let k = 0; k < formulas; k++) {
    const tex = pick(inlineFormulas);
    const check = checkTex(tex);
    if (!check.ok) continue;
    const ex = (name: string) => Number(new RegExp(`${name}="([\\d.]+)ex"`).exec(check.svg)?.[1] ?? NaN);
    const depthEx = -Number(/vertical-align: (-?[\d.]+)ex/.exec(check.svg)?.[1] ?? 0);
    const exPx = 10.6; // x-height of the 24 px serif body text
    const svg = check.svg.replace(/^<mjx-container[^>]*>/, '').replace(/<\/mjx-container>$/, '');
    const png = new Resvg(svg, { fitTo: { mode: 'height', value: Math.round(ex('height') * exPx) }, background: '#ffffff' }).render();
    const image = await loadImage(png.asPng());
    // Between two words, not at the very start of the paragraph.
    const at = 1 + Math.floor(random() * (words.length - 1));
    words.splice(at, 0, { text: `$${tex}$`, width: png.width, image, height: png.height, depth: depthEx * exPx });
  }
  return words;
}

function wrapTokens(ctx: SKRSContext2D, tokens: Token[], width: number, firstIndent = 0): Token[][] {
  const lines: Token[][] = [];
  let line: Token[] = [], used = firstIndent;
  const space = ctx.measureText(' ').width;
  for (const token of tokens) {
    const w = token.image ? token.width : ctx.measureText(token.text).width;
    if (line.length && used + space + w > width) {
      lines.push(line);
      line = [];
      used = 0;
    }
    used += (line.length ? space : 0) + w;
    line.push(token);
  }
  if (line.length) lines.push(line);
  return lines;
}

function plot(width: number, height: number) {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.strokeStyle = '#000';
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(40, 10);
  ctx.lineTo(40, height - 30);
  ctx.lineTo(width - 10, height - 30);
  ctx.stroke();
  ctx.lineWidth = 2.5;
  ctx.beginPath();
  const phase = random() * 6;
  for (let x = 0; x <= width - 60; x += 4) {
    const y = (height - 50) / 2 + Math.sin(x / 30 + phase) * (height - 70) / 2.5 + 10;
    if (x === 0) ctx.moveTo(41 + x, y);
    else ctx.lineTo(41 + x, y);
  }
  ctx.stroke();
  ctx.fillStyle = '#000';
  ctx.font = '16px TSans';
  for (let i = 0; i <= 4; i++) ctx.fillText(String(i * 5), 40 + (i * (width - 60)) / 4 - 4, height - 10);
  return canvas;
}

export async function composePage(twoColumns: boolean) {
  const W = 1275, H = 1650, margin = 110, gutter = 50;
  const canvas = createCanvas(W, H);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  ctx.fillStyle = '#000';
  const blocks: Block[] = [];
  let y = margin;
  ctx.font = '40px PSerifBold';
  const title = Array.from({ length: 3 + Math.floor(random() * 3) }, () => pick(words)).join(' ').replace(/^./, (c) => c.toUpperCase());
  ctx.fillText(title, margin, y + 36);
  blocks.push({ type: 'heading', box: [margin, y, margin + ctx.measureText(title).width, y + 48], content: title });
  y += 90;
  // Per page, as a journal sets them: paragraphs with or without a first-line indent; display formulas centred
  // or indented, with or without equation numbers at the column's right.
  const paragraphIndent = random() < 0.5 ? 30 : 0;
  const displayStyle = pick(['centred', 'centred-numbered', 'indented', 'indented-numbered'] as const);
  let equations = 0;
  const columns = twoColumns ? [[margin, (W - 2 * margin - gutter) / 2], [margin + (W - 2 * margin + gutter) / 2, (W - 2 * margin - gutter) / 2]] : [[margin, W - 2 * margin]];
  const top = y;
  for (const [x0, colW] of columns as [number, number][]) {
    y = top;
    while (y < H - margin - 200) {
      const kind = pick(['text', 'text', 'text', 'math', 'table', 'figure', 'molecule'] as const);
      if (kind === 'text') {
        ctx.font = '24px PSerif';
        const tokens = await paragraphTokens();
        const start = y;
        const written: string[] = [];
        for (const [n, line] of wrapTokens(ctx, tokens, colW, paragraphIndent).entries()) {
          if (y > H - margin - 40) break;
          let x = x0 + (n === 0 ? paragraphIndent : 0);
          for (const [k, token] of line.entries()) {
            if (k > 0) x += ctx.measureText(' ').width;
            if (token.image) {
              // The formula's baseline on the text's baseline (y + 24).
              ctx.drawImage(token.image, x, y + 24 - (token.height - token.depth));
              x += token.width;
            } else {
              ctx.fillText(token.text, x, y + 24);
              x += ctx.measureText(token.text).width;
            }
          }
          written.push(line.map((t) => t.text).join(' '));
          y += 34;
        }
        blocks.push({ type: 'text', box: [x0, start, x0 + colW, y], content: written.join(' ') });
        y += 24;
      } else if (kind === 'math') {
        const tex = pick(formulas);
        const check = checkTex(tex);
        if (!check.ok) continue;
        const svg = check.svg.replace(/^<mjx-container[^>]*>/, '').replace(/<\/mjx-container>$/, '');
        const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 1.6 }, background: '#ffffff' }).render();
        const numbered = displayStyle.endsWith('numbered'), indented = displayStyle.startsWith('indented');
        const numberWidth = 70, indent = 60;
        if (png.width > colW - (indented ? indent : 0) - (numbered ? 2 * numberWidth : 0) || y + png.height > H - margin) continue;
        const image = await loadImage(png.asPng());
        const left = indented ? x0 + indent : x0 + (colW - png.width) / 2;
        ctx.drawImage(image, left, y + 10);
        const block: Block = { type: 'math', box: [left, y + 10, left + png.width, y + 10 + png.height], content: tex };
        if (numbered) {
          block.tag = String(++equations);
          ctx.font = '24px PSerif';
          const label = `(${block.tag})`;
          ctx.fillText(label, x0 + colW - ctx.measureText(label).width, y + 10 + png.height / 2 + 8);
        }
        blocks.push(block);
        y += png.height + 40;
      } else if (kind === 'table') {
        const table = makeTable(pick(['grid', 'booktabs', 'plain']));
        const drawn = drawTable(table, 'TSans', 18);
        if (drawn.width > colW || y + drawn.height + 40 > H - margin) continue;
        ctx.drawImage(drawn, x0, y);
        blocks.push({ type: 'table', box: [x0, y, x0 + drawn.width, y + drawn.height], content: JSON.stringify(table) });
        y += drawn.height + 10;
        ctx.font = '20px PSerif';
        const caption = `Table ${blocks.filter((b) => b.type === 'table').length}: ${sentence()}`.slice(0, Math.floor(colW / 10));
        ctx.fillText(caption, x0, y + 20);
        blocks.push({ type: 'caption', box: [x0, y, x0 + ctx.measureText(caption).width, y + 26], content: caption });
        y += 60;
      } else if (kind === 'molecule') {
        // A structure drawing in black and white (RDKit), from our own list of common molecules.
        const [, smiles] = pick(molecules);
        const rdkit = await loadRDKit();
        const mol = rdkit.get_mol(smiles);
        if (!mol) continue;
        const size = 260 + Math.floor(random() * 120);
        const svg = mol.get_svg_with_highlights(JSON.stringify({ width: size, height: Math.round(size * 0.75), bondLineWidth: 2, padding: 0.08 })).replace(/#(?!FFFFFF)[0-9A-F]{6}/gi, '#000000');
        const canonical = mol.get_smiles();
        mol.delete();
        const png = new Resvg(svg, { background: '#ffffff' }).render();
        if (png.width > colW || y + png.height + 40 > H - margin) continue;
        ctx.drawImage(await loadImage(png.asPng()), x0, y);
        blocks.push({ type: 'molecule', box: [x0, y, x0 + png.width, y + png.height], content: canonical });
        y += png.height + 30;
      } else {
        const h = 220 + Math.floor(random() * 120);
        if (y + h + 40 > H - margin) continue;
        const w = Math.min(colW, 380 + Math.floor(random() * 300));
        ctx.drawImage(plot(w, h), x0, y);
        blocks.push({ type: 'figure', box: [x0, y, x0 + w, y + h], content: '' });
        y += h + 10;
        ctx.font = '20px PSerif';
        const caption = `Figure ${blocks.filter((b) => b.type === 'figure').length}: ${sentence()}`.slice(0, Math.floor(colW / 10));
        ctx.fillText(caption, x0, y + 20);
        blocks.push({ type: 'caption', box: [x0, y, x0 + ctx.measureText(caption).width, y + 26], content: caption });
        y += 60;
      }
    }
  }
  return { png: await canvas.encode('png'), blocks };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync(out, { recursive: true });
  const truth: Record<string, Block[]> = {};
  for (let i = 0; i < Number(countArg); i++) {
    const { png, blocks } = await composePage(i % 2 === 1);
    const name = `page-${String(i).padStart(3, '0')}.png`;
    writeFileSync(join(out, name), png);
    truth[name] = blocks;
  }
  writeFileSync(join(out, 'truth.json'), JSON.stringify(truth, null, 1));
  console.log(`wrote ${countArg} pages to ${out}`);
}
