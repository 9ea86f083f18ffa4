import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { countNodes, levenshtein, levenshteinBits, parseHtml, patternMasks, tableTree, teds, treeEditDistance } from '../../bench/teds';

const table = (body: string) => `<table>${body}</table>`;
const row = (...cells: string[]) => `<tr>${cells.map((c) => (c.startsWith('<td') ? c : `<td>${c}</td>`)).join('')}</tr>`;
const close = (actual: number, expected: number, epsilon = 1e-12) => assert.ok(Math.abs(actual - expected) <= epsilon, `${actual} ≠ ${expected}`);

describe('TEDS', () => {
  it('Levenshtein distance on strings and token arrays', () => {
    assert.equal(levenshtein('kitten', 'sitting'), 3);
    assert.equal(levenshtein('', 'abc'), 3);
    assert.equal(levenshtein(['<b>', 'N', '</b>'], ['N']), 2);
  });

  it('the bit-parallel Levenshtein agrees with the dynamic programme (patterns up to 32 tokens)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const word = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 4));
    for (let trial = 0; trial < 500; trial++) {
      const a = word(1 + Math.floor(random() * 32)), b = word(Math.floor(random() * 40));
      assert.equal(levenshteinBits(patternMasks(a, 4), a.length, b), levenshtein(a, b), `${a} / ${b}`);
    }
  });

  it('Zhang–Shasha: the classic example f(d(a c(b)) e) → f(c(d(a b)) e) costs 2', () => {
    type N = { label: string; children: N[] };
    const n = (label: string, ...children: N[]): N => ({ label, children });
    const a = n('f', n('d', n('a'), n('c', n('b'))), n('e'));
    const b = n('f', n('c', n('d', n('a'), n('b'))), n('e'));
    const rename = (x: N, y: N) => (x.label === y.label ? 0 : 1);
    assert.equal(treeEditDistance(a, b, rename), 2);
    assert.equal(treeEditDistance(a, a, rename), 0);
    assert.equal(treeEditDistance(n('x'), b, rename), 6);
  });

  it('identical tables score 1, with spans, markup and a header', () => {
    const html = table(`<thead>${row('<td colspan="2"><b>Group</b></td>')}</thead><tbody>${row('a', 'b')}${row('<td rowspan="2">x</td>', '1')}${row('2')}</tbody>`);
    assert.equal(teds(html, html), 1);
    assert.equal(teds(html, html, { structureOnly: true }), 1);
  });

  it('no table on either side scores 0', () => {
    const html = table(row('a'));
    assert.equal(teds('', html), 0);
    assert.equal(teds('<p>no table</p>', html), 0);
    assert.equal(teds(html, ''), 0);
  });

  it('one cell read wrong: half its characters → 1 − 0.5/4', () => {
    // Nodes below <table>: tbody, tr, td, td = 4; renaming "cd" → "ce" costs 1/2.
    const truth = table(`<tbody>${row('ab', 'cd')}</tbody>`);
    const pred = table(`<tbody>${row('ab', 'ce')}</tbody>`);
    close(teds(pred, truth), 0.875);
    assert.equal(teds(pred, truth, { structureOnly: true }), 1);
  });

  it('a missing cell costs one deletion; a merged cell costs a rename and a deletion', () => {
    const truth = table(`<tbody>${row('ab', 'cd')}</tbody>`);
    close(teds(table(`<tbody>${row('ab')}</tbody>`), truth), 0.75);
    // <td colspan=2> against two cells: span mismatch (1) + one deletion (1), over 4 nodes.
    const merged = table(`<tbody>${row('<td colspan="2">ab cd</td>')}</tbody>`);
    close(teds(merged, truth), 0.5);
    close(teds(merged, truth, { structureOnly: true }), 0.5);
  });

  it('inline markup is tokens in the content and nodes in the size, as in the PubTabNet scorer', () => {
    const truth = table(`<tbody>${row('<b>N</b>')}</tbody>`);
    const pred = table(`<tbody>${row('N')}</tbody>`);
    // Content ["<b>","N","</b>"] vs ["N"]: 2/3. Size: tbody, tr, td, b = 4.
    close(teds(pred, truth), 1 - 2 / 3 / 4);
    // Without counting markup the tree itself has table, tbody, tr, td = 4 nodes too.
    close(teds(pred, truth, { countInline: false }), 1 - 2 / 3 / 4);
    // The markup diagnostic leaves markup out of the contents but not out of |T|.
    assert.equal(teds(pred, truth, { ignoreMarkup: true }), 1);
    assert.equal(countNodes(tableTree(truth)!), 4);
    assert.equal(countNodes(tableTree(truth)!, false), 4);
  });

  it('a header row read as body costs 3 of 6 nodes; merging sections (ICDAR) forgives it', () => {
    const truth = table(`<thead>${row('a')}</thead><tbody>${row('b')}</tbody>`);
    const pred = table(`<tbody>${row('a')}${row('b')}</tbody>`);
    // Delete thead and tbody (their rows move up to <table>), insert one tbody over both rows: 3 of 6 nodes.
    close(teds(pred, truth), 1 - 3 / 6);
    assert.equal(teds(pred, truth, { collapseSections: true }), 1);
  });

  it('text normalisation applies to both sides and keeps markup tokens', () => {
    const truth = table(`<tbody>${row('to air\n kg/year')}</tbody>`);
    const pred = table(`<tbody>${row(' to air kg/year')}</tbody>`);
    assert.ok(teds(pred, truth) < 1);
    const collapse = (t: string) => t.replace(/\s+/g, ' ').trim();
    assert.equal(teds(pred, truth, { normalizeText: collapse }), 1);
    const tree = tableTree(table(row('<b>x \n y</b>')), { normalizeText: collapse })!;
    assert.deepEqual(tree.children[0]!.children[0]!.content, ['<b>', 'x', ' ', 'y', '</b>']);
  });

  it('reads real-world HTML: entities, unquoted attributes, implied closings, head and comments', () => {
    const html = `<html><head><style>td { x: "<td>" }</style></head><body><!-- <table> --><table border=1><tr><td colspan=2>a &amp; b<td>&#8722;1&lt;2<tr><td>c</table></body></html>`;
    const tree = tableTree(html)!;
    assert.equal(tree.children.length, 2);
    assert.deepEqual(
      tree.children.map((tr) => tr.children.map((td) => [td.content.join(''), td.colspan])),
      [
        [['a & b', 2], ['−1<2', 1]],
        [['c', 1]],
      ],
    );
    assert.equal(parseHtml('<p>x</p>').children.length, 1);
  });

  it('is fast on a large table (60 × 8)', () => {
    const rows = Array.from({ length: 60 }, (_, r) => row(...Array.from({ length: 8 }, (_, c) => `r${r}c${c} value`)));
    const truth = table(`<tbody>${rows.join('')}</tbody>`);
    const pred = table(`<tbody>${rows.slice(1).join('')}</tbody>`);
    const start = performance.now();
    close(teds(pred, truth), 1 - 9 / (1 + 60 * 9));
    assert.ok(performance.now() - start < 2000);
  });

  // The PubTabNet repository's sample predictions against its mini-val ground truth; the expected values are
  // the reference scorer's output printed in PubTabNet's src/demo.ipynb (ibm-aur-nlp/PubTabNet).
  const samples = resolve(__dirname, '../../../shared/eval/tables/pubtabnet/src');
  it('matches the PubTabNet reference scores on its 20 sample predictions', { skip: !existsSync(join(samples, 'sample_gt.json')) && 'eval data not present' }, () => {
    const reference: Record<string, number> = {
      'PMC2094709_004_00.png': 1.0,
      'PMC2871264_002_00.png': 1.0,
      'PMC2915972_003_00.png': 0.9298260149130074,
      'PMC3160368_005_00.png': 0.994615695248351,
      'PMC3568059_003_00.png': 0.9609420535891124,
      'PMC3707453_006_00.png': 0.8538903625110521,
      'PMC3765162_003_01.png': 0.9867342100509474,
      'PMC3872294_001_00.png': 0.9863636363636363,
      'PMC4196076_004_00.png': 0.9958653089334908,
      'PMC4219599_004_00.png': 0.6029978075326913,
      'PMC4297392_007_00.png': 0.8070175438596492,
      'PMC4311460_007_00.png': 0.6576923076923077,
      'PMC4357206_002_00.png': 0.9295181638546892,
      'PMC4445578_009_01.png': 0.6754965084868096,
      'PMC4969833_016_01.png': 1.0,
      'PMC5303243_003_00.png': 0.6494374120956399,
      'PMC5451934_004_00.png': 0.9978213507625272,
      'PMC5755158_010_01.png': 1.0,
      'PMC5849724_006_00.png': 0.9653439200120101,
      'PMC6022086_007_00.png': 1.0,
    };
    const pred = JSON.parse(readFileSync(join(samples, 'sample_pred.json'), 'utf8')) as Record<string, string>;
    const truth = JSON.parse(readFileSync(join(samples, 'sample_gt.json'), 'utf8')) as Record<string, { html: string }>;
    assert.deepEqual(Object.keys(truth).sort(), Object.keys(reference).sort());
    for (const [name, expected] of Object.entries(reference)) {
      const score = teds(pred[name] ?? '', truth[name]!.html);
      close(score, expected, 1e-9);
      // Structure-only never scores below full TEDS: the same node mapping costs no more without contents.
      assert.ok(teds(pred[name] ?? '', truth[name]!.html, { structureOnly: true }) >= score - 1e-12, name);
    }
  });
});
