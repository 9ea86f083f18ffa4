import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { normalizedEditDistance, normalizeTokens } from '../../server/src/engines/math/latex';
import { OcrService } from '../../server/src/service';
import { root, tempDir, writeTemp } from '../fixtures';

const service = new OcrService({ executionProvider: 'cpu' });
const never = { isCancellationRequested: false };
// A two-column page composed by training/layout/compose-page.mts with its ground truth.
const page = path.join(root, 'media/samples/sample-page.png');
const truth = JSON.parse(readFileSync(path.join(root, 'media/samples/sample-page.json'), 'utf8')) as { type: string; box: number[]; content: string }[];

describe('auto mode on a composed two-column page', () => {
  it('finds the tables and the figure, and writes text, tables and figure links in reading order', async () => {
    const result = await service.recognize({ source: { path: page }, mode: 'auto' }, never);
    assert.equal(result.layout?.kind, 'text');
    const kinds = (result.layout?.blocks ?? []).map((b) => b.kind);
    assert.equal(kinds.filter((k) => k === 'table').length, truth.filter((b) => b.type === 'table').length);
    assert.equal(kinds.filter((k) => k === 'figure').length, truth.filter((b) => b.type === 'figure').length);
    const md = result.content;
    // Every table of the truth appears as a GFM table with its header cells.
    for (const block of truth.filter((b) => b.type === 'table')) {
      const table = JSON.parse(block.content) as { cells: { row: number; text: string }[] };
      const header = table.cells.filter((c) => c.row === 0).map((c) => c.text);
      assert.ok(md.includes(`| ${header.join(' | ')} |`), `missing table header ${header.join(' | ')}`);
    }
    assert.match(md, /!\[Figure 1\]\(figure-1\.png\)/);
    // Reading order: the left column (first text paragraph, the figure) before the right column (tables).
    const firstText = truth.find((b) => b.type === 'text')!.content.split(' ').slice(0, 4).join(' ');
    const order = [md.indexOf('# At are depth their'), md.indexOf(firstText), md.indexOf('![Figure 1]'), md.indexOf('Table 1:'), md.indexOf('Table 2:')];
    assert.ok(order.every((v) => v >= 0), JSON.stringify(order));
    assert.deepEqual([...order].sort((a, b) => a - b), order);
    // Axis labels belong to the figure, not to the text.
    assert.doesNotMatch(md, /^0\s+5\s+10/m);
  });

  it('writes each display formula once, as $$ … $$, even when its fraction was found as several lines', async () => {
    const result = await service.recognize({ source: { path: page }, mode: 'auto' }, never);
    const displays = [...result.content.matchAll(/^\$\$\n(.+)\n\$\$$/gm)].map((m) => m[1]!);
    const formulas = truth.filter((b) => b.type === 'math');
    assert.equal(displays.length, formulas.length, JSON.stringify(displays));
    for (const [i, formula] of formulas.entries()) {
      const distance = normalizedEditDistance(normalizeTokens(formula.content), normalizeTokens(displays[i]!));
      assert.ok(distance < 0.25, `${displays[i]} vs ${formula.content}: ${distance.toFixed(2)}`);
    }
  });

  it('reads prose set in shaded, ruled frames (an exam page) as text, not as a table or a figure', async () => {
    // The sample scan's paragraphs inside two framed, tinted boxes, one above the other.
    const frames = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="1275" height="1100">
      <rect x="60" y="40" width="1155" height="520" fill="#d8e4f2" stroke="#203040" stroke-width="4"/>
      <rect x="60" y="580" width="1155" height="480" fill="#f2e2c8" stroke="#203040" stroke-width="4"/>
      <line x1="60" y1="300" x2="1215" y2="300" stroke="#203040" stroke-width="3"/></svg>`);
    const framed = writeTemp(tempDir(), 'framed.png', await sharp(path.join(root, 'media/samples/sample-scan.png')).composite([{ input: frames, blend: 'multiply' }]).png().toBuffer());
    const result = await service.recognize({ source: { path: framed }, mode: 'auto' }, never);
    const kinds = (result.layout?.blocks ?? []).map((b) => b.kind);
    assert.ok(!kinds.includes('table') && !kinds.includes('figure'), JSON.stringify(kinds));
    assert.match(result.content, /survey of 1923 recorded every well/);
  });

  it('answers a selection holding only a table in the table engine\'s format', async () => {
    const result = await service.recognize({ source: { path: path.join(root, 'media/samples/sample-table.png') }, mode: 'auto' }, never);
    assert.equal(result.format, 'html');
    assert.ok(result.table && result.table.cells.some((c) => c.text === 'Depth (m)' && c.colSpan === 2));
  });
});
