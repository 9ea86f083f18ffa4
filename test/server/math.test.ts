import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { neverCancelled } from '../../server/src/errors';
import { normalizedEditDistance, normalizeTokens } from '../../server/src/engines/math/latex';
import { OcrService } from '../../server/src/service';
import { root } from '../fixtures';

const service = new OcrService({ executionProvider: 'cpu' });
const installed = service.status().engines.find((e) => e.mode === 'math')?.available ?? false;
const sample = (name: string) => path.join(root, 'media/samples', name);
const distance = (a: string, b: string) => normalizedEditDistance(normalizeTokens(a), normalizeTokens(b));

// A reading within a fifth of the formula's tokens is one a person fixes at a glance; the model card and
// `npm run bench:math` give the exact-match rates.
const usable = 0.2;

describe('math mode with the shipped model', { skip: installed ? false : 'no math model in models/' }, () => {
  it('reads the bundled display formula as LaTeX that MathJax parses', async () => {
    const truth = JSON.parse(readFileSync(sample('sample-formula.json'), 'utf8')) as { latex: string };
    const result = await service.recognize({ source: { path: sample('sample-formula.png') }, mode: 'math' }, neverCancelled);
    assert.equal(result.format, 'latex');
    assert.equal(result.math?.valid, true, result.math?.parseError);
    assert.equal(result.math?.stoppedBy, 'eos');
    assert.ok(distance(result.content, truth.latex) <= usable, `${result.content} vs ${truth.latex}`);
    assert.ok(result.confidence > 0 && result.confidence <= 1);
    assert.ok(result.math?.svg?.startsWith('<mjx-container') || result.math?.svg?.includes('<svg'));
  });

  it('writes an inline formula inside a text line as $…$ and keeps the words around it', async () => {
    const result = await service.recognize({ source: { path: sample('sample-inline-math.png') }, mode: 'auto' }, neverCancelled);
    const spans = [...result.content.matchAll(/\$([^$]+)\$/g)].map((m) => m[1]!);
    assert.ok(spans.some((s) => distance(s, '\\alpha^{2}+\\beta^{2}=1') <= usable), result.content);
    assert.match(result.content, /^The ratio .*holds for every sample\.\s*$/);
    // Prose is not turned into formulas.
    for (const span of spans) assert.ok(!/holds|every|sample|ratio/.test(span), span);
  });

  it('reads the formula cells of a table with the math engine and leaves words and figures as text', async () => {
    const truth = JSON.parse(readFileSync(sample('sample-math-table.json'), 'utf8')) as { rows: string[][] };
    const result = await service.recognize({ source: { path: sample('sample-math-table.png') }, mode: 'table' }, neverCancelled);
    const cells = result.table!.cells;
    assert.equal(result.table!.rows, truth.rows.length);
    for (const [r, row] of truth.rows.entries()) {
      for (const [c, want] of row.entries()) {
        const cell = cells.find((x) => x.row === r && x.col === c)!;
        if (want.startsWith('$')) assert.ok(cell.math !== undefined && distance(cell.math, want.slice(1, -1)) <= usable, `${JSON.stringify(cell)} vs ${want}`);
        else assert.equal(cell.math, undefined, JSON.stringify(cell));
      }
    }
    // Every format writes a formula cell as $…$: raw LaTeX, in GFM too.
    const quadratic = cells.find((x) => x.row === 1 && x.col === 1)!.math!;
    for (const format of [result.alternatives!.markdown!, result.alternatives!.html!, result.alternatives!.latex!]) assert.ok(format.includes(`$${quadratic}$`), format);
  });

  it('writes numbered display formulas whole (fraction bars, sums and limits included) with their numbers as \\tag', async () => {
    const truth = JSON.parse(readFileSync(sample('sample-equations.json'), 'utf8')) as { formulas: { latex: string; tag: string }[] };
    const result = await service.recognize({ source: { path: sample('sample-equations.png') }, mode: 'auto' }, neverCancelled);
    const displays = [...result.content.matchAll(/^\$\$\n(.+?)(?: \\tag\{([^}]*)\})?\n\$\$$/gm)].map((m) => ({ latex: m[1]!, tag: m[2] }));
    assert.equal(displays.length, truth.formulas.length, result.content);
    for (const [i, want] of truth.formulas.entries()) {
      assert.equal(displays[i]!.tag, want.tag);
      assert.ok(distance(displays[i]!.latex, want.latex) <= usable, `${displays[i]!.latex} vs ${want.latex}`);
    }
    // The numbers are tags only, and the prose around the formulas stays text.
    assert.doesNotMatch(result.content, /\((?:1|2\.4a)\)/);
    assert.match(result.content, /^The partial sums .* which gives$/m);
    assert.match(result.content, /^for every n larger than the first index of the sequence\.$/m);
  });

  it('answers a selection of one display formula, read as scattered pieces, in math mode', async () => {
    const truth = JSON.parse(readFileSync(sample('sample-equations.json'), 'utf8')) as { formulas: { latex: string }[] };
    // Formula (1) alone: its fraction and sum come from the text engine as "n-1", "Fn(t) =", "Dk(t),", "k=0"….
    const region = { x: 225, y: 115, width: 250, height: 85 };
    const result = await service.recognize({ source: { path: sample('sample-equations.png') }, mode: 'auto', region }, neverCancelled);
    assert.equal(result.layout?.kind, 'math', result.content);
    assert.ok(distance(result.content, truth.formulas[0]!.latex) <= usable, result.content);
  });
});
