/** The client's pure formatting of results for the target file's language (client/src/insert.ts). */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  formatForInsertion,
  formatMath,
  stripMathDelimiters,
  targetKind,
  type FormatOptions,
} from '../../client/src/insert';

const md: FormatOptions = { languageId: 'markdown', mathDelimiters: 'brackets', tableFormat: 'auto' };
const tex: FormatOptions = { languageId: 'latex', mathDelimiters: 'brackets', tableFormat: 'auto' };
const plain: FormatOptions = { languageId: 'python', mathDelimiters: 'brackets', tableFormat: 'auto' };

describe('target kinds', () => {
  it('maps language ids', () => {
    assert.equal(targetKind('markdown'), 'markdown');
    assert.equal(targetKind('latex'), 'latex');
    assert.equal(targetKind('tex'), 'latex');
    assert.equal(targetKind('plaintext'), 'other');
  });
});

describe('text', () => {
  it('goes in as Markdown, without trailing newlines in Markdown and LaTeX', () => {
    const r = { content: '# Title\n\nSome *text*.\n', format: 'markdown' as const };
    assert.equal(formatForInsertion(r, md), '# Title\n\nSome *text*.');
    assert.equal(formatForInsertion(r, tex), '# Title\n\nSome *text*.');
  });
  it('goes in raw elsewhere', () => {
    assert.equal(formatForInsertion({ content: 'a\r\nb\n', format: 'markdown' }, plain), 'a\nb\n');
  });
});

describe('blocks inserted mid-line', () => {
  const block = { content: '# Title\n\nText.\n', format: 'markdown' as const };
  it('get lines of their own', () => {
    assert.equal(formatForInsertion(block, { ...md, textBefore: true }), '\n\n# Title\n\nText.');
    assert.equal(formatForInsertion(block, { ...md, textBefore: true, textAfter: true }), '\n\n# Title\n\nText.\n\n');
    assert.equal(formatForInsertion(block, md), '# Title\n\nText.');
  });
  it('single lines stay inline; other files get the raw result', () => {
    assert.equal(formatForInsertion({ content: 'word', format: 'markdown' }, { ...md, textBefore: true }), 'word');
    assert.equal(formatForInsertion(block, { ...plain, textBefore: true }), '# Title\n\nText.\n');
  });
});

describe('math', () => {
  const inline = { content: 'E = mc^2', format: 'latex' as const };
  it('Markdown: $…$ inline, $$…$$ on its own line', () => {
    assert.equal(formatForInsertion(inline, md), '$E = mc^2$');
    assert.equal(formatForInsertion(inline, { ...md, ownLine: true }), '$$\nE = mc^2\n$$');
  });
  it('LaTeX: \\(…\\) inline, \\[…\\] display, or an equation environment', () => {
    assert.equal(formatForInsertion(inline, tex), '\\(E = mc^2\\)');
    assert.equal(formatForInsertion(inline, { ...tex, ownLine: true }), '\\[\nE = mc^2\n\\]');
    assert.equal(formatForInsertion(inline, { ...tex, ownLine: true, mathDelimiters: 'equation' }), '\\begin{equation}\nE = mc^2\n\\end{equation}');
    assert.equal(formatForInsertion(inline, { ...tex, mathDelimiters: 'dollars' }), '$E = mc^2$');
  });
  it('multi-line formulas and environments are always display math', () => {
    assert.equal(formatMath('a \\\\ b', 'markdown', { mathDelimiters: 'brackets' }), '$$\na \\\\ b\n$$');
    assert.equal(formatMath('\\begin{aligned}x&=1\\end{aligned}', 'latex', { mathDelimiters: 'brackets' }), '\\[\n\\begin{aligned}x&=1\\end{aligned}\n\\]');
  });
  it('strips delimiters the engine already added', () => {
    assert.equal(stripMathDelimiters('$$x^2$$'), 'x^2');
    assert.equal(stripMathDelimiters('\\[ x \\]'), 'x');
    assert.equal(stripMathDelimiters('\\(x\\)'), 'x');
    assert.equal(stripMathDelimiters('$x$'), 'x');
    assert.equal(stripMathDelimiters('\\begin{equation}x\\end{equation}'), 'x');
    assert.equal(stripMathDelimiters('a $b$ c'), 'a $b$ c');
  });
  it('goes in raw elsewhere', () => {
    assert.equal(formatForInsertion(inline, plain), 'E = mc^2');
  });
});

describe('tables', () => {
  const simple = '<table><thead><tr><td>Well</td><td>Depth &amp; m</td></tr></thead><tbody><tr><td>A|1</td><td>12</td></tr><tr><td>B</td><td>7</td></tr></tbody></table>\n';
  it('goes in raw elsewhere', () => {
    assert.equal(formatForInsertion({ content: simple, format: 'html' }, plain), simple);
  });
  it('without alternatives, the daemon\'s own rendering goes in', () => {
    assert.equal(formatForInsertion({ content: simple, format: 'html' }, md), simple.trim());
  });
});

describe('table results from the daemon', () => {
  const alternatives = { markdown: '| a | b |\n| --- | --- |\n| 1 | 2 |\n', html: '<table><tr><td>a</td><td>b</td></tr><tr><td>1</td><td>2</td></tr></table>\n', latex: '\\begin{tabular}{ll}\na & b \\\\\n1 & 2 \\\\\n\\end{tabular}\n' };
  const gfmResult = { mode: 'table', format: 'markdown' as const, content: alternatives.markdown, alternatives };
  it('uses the daemon’s own renderings for each target and setting', () => {
    assert.equal(formatForInsertion(gfmResult, md), alternatives.markdown.trim());
    assert.equal(formatForInsertion(gfmResult, { ...md, tableFormat: 'html' }), alternatives.html.trim());
    assert.equal(formatForInsertion(gfmResult, { ...md, tableFormat: 'latex' }), alternatives.latex.trim());
    assert.equal(formatForInsertion(gfmResult, tex), alternatives.latex.trim());
    assert.equal(formatForInsertion(gfmResult, { ...tex, tableFormat: 'gfm' }), alternatives.markdown.trim());
    assert.equal(formatForInsertion(gfmResult, plain), alternatives.markdown);
  });
});

describe('SMILES', () => {
  it('goes in bare inline, as the daemon’s fenced block on its own line in Markdown', () => {
    const r = { content: 'c1ccccc1O\n', format: 'smiles' as const, mode: 'chem', alternatives: { markdown: '```smiles\nc1ccccc1O\n```' } };
    assert.equal(formatForInsertion(r, md), 'c1ccccc1O');
    assert.equal(formatForInsertion(r, { ...md, ownLine: true }), '```smiles\nc1ccccc1O\n```');
    assert.equal(formatForInsertion(r, tex), 'c1ccccc1O');
  });
});
