// Scoring functions of `npm run bench:pages` (bench/lib/omnidocbench.ts, olmocr.ts, matching.ts), on small
// hand-made inputs whose scores are worked out by hand in the comments.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { assignment, levenshtein, sequenceDistance, windowDistance } from '../../bench/lib/matching';
import { baseline, ngramRepeats, normalizeText, partialRatio, ratio, runCheck, type OlmCheck } from '../../bench/lib/olmocr';
import {
  aggregate,
  cleanString,
  normalizeFormula,
  normalizeHtmlTable,
  normalizeTextLine,
  pageEdit,
  quickMatch,
  scorePage,
  splitPrediction,
  type GtPage,
} from '../../bench/lib/omnidocbench';

const close = (actual: number, expected: number, epsilon = 1e-9) => assert.ok(Math.abs(actual - expected) <= epsilon, `${actual} ≠ ${expected}`);
const check = (c: Partial<OlmCheck>): OlmCheck => ({ pdf: 'x.pdf', page: 1, id: 'c', type: 'present', ...c });

describe('edit distances and assignment', () => {
  it('Levenshtein by code points, across 32-character blocks', () => {
    assert.equal(levenshtein('kitten', 'sitting'), 3);
    assert.equal(levenshtein('', 'abc'), 3);
    assert.equal(levenshtein('a'.repeat(40), 'a'.repeat(38) + 'bb'), 2); // two substitutions in the second block
    assert.equal(levenshtein('中文字', '中字'), 1);
    assert.equal(sequenceDistance([1, 2, 3], [2, 1, 3]), 2);
  });

  it('best fixed-length window: "abc" in "xxabdxx" is one substitution away → 1/3', () => {
    close(windowDistance('abc', 'xxabdxx')!, 1 / 3);
    assert.equal(windowDistance('abcd', 'abc'), undefined);
  });

  it('assignment minimises the total cost, rectangular both ways', () => {
    // Rows 0,1,2 → columns 1,0,2: 1 + 2 + 2 = 5 beats every other permutation.
    assert.deepEqual(assignment([[4, 1, 3], [2, 0, 5], [3, 2, 2]]), [[0, 1], [1, 0], [2, 2]]);
    assert.deepEqual(assignment([[5, 1, 0]]), [[0, 2]]);
    assert.deepEqual(assignment([[3], [1], [2]]), [[1, 0]]);
  });
});

describe('olmOCR checks', () => {
  it('normalise_text: emphasis markers, quotes and dashes', () => {
    assert.equal(normalizeText('**Bold** and _it_ “quote” — x\n y'), 'Bold and it "quote" - x y');
  });

  it('ratio and partial_ratio as rapidfuzz defines them', () => {
    // LCS 20 of two 22-character strings: 2·20/44.
    close(ratio('fuzzy wuzzy was a bear', 'wuzzy fuzzy was a bear'), 2000 / 22);
    assert.equal(partialRatio('this is a test', 'this is a test!'), 100);
    // Best window of "xxabcxx" for "abd" is "abc": LCS 2 → 2·2/6.
    close(partialRatio('abd', 'xxabcxx'), 400 / 6);
    assert.equal(partialRatio('', 'abc'), 0);
  });

  it('present / absent with the max_diffs threshold', () => {
    assert.equal(runCheck(check({ text: 'hello world' }), 'Say hello world!').passed, true);
    // "hello wrld" is shorter, so it is the needle: best window "hello worl", LCS 9 → 18/20 = 0.9 < 1.
    assert.equal(runCheck(check({ type: 'absent', text: 'hello world' }), 'hello wrld').passed, true);
    // One allowed difference: threshold 1 − 1/10 = 0.9 for "abcdefghij"; "abcdefghiX" scores LCS 9 → 18/20 = 0.9.
    assert.equal(runCheck(check({ text: 'abcdefghij', max_diffs: 1 }), 'zz abcdefghiX zz').passed, true);
    assert.equal(runCheck(check({ text: 'abcdefghij' }), 'zz abcdefghiX zz').passed, false);
    // last_n keeps only the end of the page: the footer "Page 7" is within the last 10 characters.
    assert.equal(runCheck(check({ type: 'absent', text: 'Page 7', last_n: 10 }), 'Body text. Page 7').passed, false);
  });

  it('order: some match of "before" starts before some match of "after"', () => {
    assert.equal(runCheck(check({ type: 'order', before: 'alpha', after: 'beta' }), 'beta then alpha then beta').passed, true);
    assert.equal(runCheck(check({ type: 'order', before: 'alpha', after: 'beta' }), 'beta then alpha').passed, false);
    // One edit allowed: "alpa" is one deletion away from "alpha"; no part of "alxxa" is closer than two edits.
    assert.equal(runCheck(check({ type: 'order', before: 'alpha', after: 'beta', max_diffs: 1 }), 'alpa, beta').passed, true);
    assert.equal(runCheck(check({ type: 'order', before: 'alpha', after: 'beta', max_diffs: 1 }), 'alxxa, beta').passed, false);
  });

  it('table relations in a GFM table (row 0 and column 0 are headings)', () => {
    const md = '| Name | Q1 | Q2 |\n|---|---|---|\n| Apples | 10 | 20 |\n| Pears | 30 | 40 |\n';
    const table = (c: Partial<OlmCheck>) => runCheck(check({ type: 'table', ...c }), md).passed;
    assert.equal(table({ cell: '30', up: '10', right: '40', left: 'Pears' }), true);
    assert.equal(table({ cell: '30', top_heading: 'Q1', left_heading: 'Pears' }), true);
    assert.equal(table({ cell: '30', right: '20' }), false);
    assert.equal(table({ cell: '31' }), false);
    assert.equal(runCheck(check({ type: 'table', cell: '30' }), 'no table here').passed, false);
  });

  it('table relations in HTML with a column span', () => {
    const md = '<table><tr><th colspan="2">Head</th></tr><tr><td>a</td><td>b</td></tr></table>';
    // Both cells of row 1 sit below the spanning heading.
    assert.equal(runCheck(check({ type: 'table', cell: 'b', up: 'Head', left: 'a' }), md).passed, true);
    assert.equal(runCheck(check({ type: 'table', cell: 'b', top_heading: 'Head' }), md).passed, true);
  });

  it('baseline: text present, no CJK, repeats counted at the end, blank pages stay blank', () => {
    assert.deepEqual(ngramRepeats('abab', 3), [1, 2, 1]);
    assert.deepEqual(ngramRepeats('aabaabaa', 3), [2, 1, 2]);
    assert.equal(baseline({}, 'Some text').passed, true);
    assert.equal(baseline({}, '  \n ').passed, false);
    assert.equal(baseline({}, 'text 中文').passed, false);
    assert.equal(baseline({}, 'ab'.repeat(40)).passed, false); // the 2-gram "ab" repeats 40 times > 30
    assert.equal(baseline({ max_length: 10 }, 'Page 1').passed, true); // 5 alphanumerics
    assert.equal(baseline({ max_length: 3 }, 'Page 1').passed, false);
  });

  it('math, approximated by normalised LaTeX tokens', () => {
    const math = (md: string) => runCheck(check({ type: 'math', math: 'a^{2}+b^{2}=c^{2}' }), md).passed;
    assert.equal(math('We have $a^2 + b^2 = c^2$.'), true); // same tokens after normalisation
    assert.equal(math('$$x = a^{2}+b^{2}=c^{2}+1$$'), true); // contained in a longer formula
    assert.equal(math('a2 + b2 = c2'), false); // no formula at all
    assert.equal(math('\\(a^{2}+b^{3}=c^{2}\\)'), false);
  });
});

describe('OmniDocBench v1.0 scoring', () => {
  it('text, formula and table normalisation', () => {
    assert.equal(cleanString('Hello, World! 你好。x_1'), 'HelloWorld你好x_1');
    // Inline math with ^ becomes text (μ^2=0), then only letters and digits stay; $x$ stays as written.
    assert.equal(normalizeTextLine('If $\\mu^{2}=0$ then $x$'), 'Ifμ20thenx');
    assert.equal(normalizeFormula('$$\n\\mathbf{E} = mc^{2} \\tag{1}\n$$'), '{e}=mc^{2}');
    assert.equal(normalizeFormula('\\[\\left( a \\right)\\]'), '(a)');
    assert.equal(
      normalizeHtmlTable('<table><thead><tr><th>A</th></tr></thead><tbody><tr><td style="x">1 &amp; 2</td></tr></tbody></table>'),
      '<html><body><table border="1" ><tr><td>A</td></tr><tr><td>1 & 2</td></tr></table></body></html>',
    );
    assert.equal(normalizeHtmlTable('no table'), '');
  });

  it('the prediction is split into text, formula candidates and tables', () => {
    const items = splitPrediction('Intro text\n\n$$\nx=1\n$$\n\nInline $y$ here\n\n| a | b |\n|---|---|\n| 1 | 2 |\n');
    assert.deepEqual(
      items.map((i) => [i.kind, i.content, !!i.inline]),
      [
        ['text', 'Intro text', false],
        ['formula', '\\[x=1\\]', false],
        // The reference advances paragraph positions without the blank lines, so the paragraph sorts before its
        // inline formula; the inline formula is a formula candidate and also stays in the paragraph's text.
        ['text', 'Inline $y$ here', false],
        ['formula', '\\[y\\]', true],
        ['table', '<table><tr><td>a</td><td>b</td></tr><tr><td>1</td><td>2</td></tr></table>', false],
      ],
    );
  });

  it('quick match pairs blocks in any order and joins a split paragraph', () => {
    const sorted = (m: ReturnType<typeof quickMatch>) => [...m].sort((a, b) => (a.gt[0] ?? 99) - (b.gt[0] ?? 99));
    assert.deepEqual(sorted(quickMatch(['aaaa', 'bbbb', 'cccc'], ['bbbb', 'aaaa', 'cccc'])), [
      { gt: [0], pred: [1] },
      { gt: [1], pred: [0] },
      { gt: [2], pred: [2] },
    ]);
    // Each half is 0.5 away from the block; joined ("abcde fghij") 1/11 away, so the two paragraphs become one match.
    assert.deepEqual(quickMatch(['abcdefghij', 'zzzzzzzzzz'], ['abcde', 'fghij', 'zzzzzzzzzz']), [
      { gt: [0], pred: [0, 1] },
      { gt: [1], pred: [2] },
    ]);
    assert.deepEqual(quickMatch(['abc'], []), [{ gt: [0], pred: [] }]);
  });

  const page = (): GtPage => ({
    page_info: { image_path: 'p.jpg', width: 100, height: 100, page_attribute: { language: 'english' } },
    extra: { relation: [] },
    layout_dets: [
      { category_type: 'header', anno_id: 0, order: null, text: 'Page header' },
      { category_type: 'title', anno_id: 1, order: 1, text: 'Intro' },
      { category_type: 'text_block', anno_id: 2, order: 2, text: 'Hello world.' },
      { category_type: 'equation_isolated', anno_id: 3, order: 3, latex: '$$\nx=1\n$$' },
      { category_type: 'table', anno_id: 4, order: 4, html: '<table><tr><td>1</td></tr></table>' },
    ],
  });

  it('a perfect page scores 0 everywhere (the unmatched header is not scored)', () => {
    const s = scorePage(page(), '# Intro\n\nHello world.\n\n$$\nx=1\n$$\n\n| 1 |\n|---|\n');
    const a = aggregate([s]);
    assert.deepEqual([a.text, a.formula, a.table, a.order, a.overall, a.tableTeds], [0, 0, 0, 0, 0, 1]);
    assert.equal(s.text.length, 2);
  });

  it('a page with a typo, swapped blocks, no formula and no table', () => {
    const s = scorePage(page(), 'Hello wrld.\n\n# Intro');
    // Text: "Intro" exact (5 characters) and "Helloworld"/"Hellowrld" one deletion (10): 1/15.
    close(pageEdit(s.text)!, 1 / 15);
    // Formula "x=1" and the table missed: distance = their length, edit 1 each; TEDS 0.
    assert.equal(pageEdit(s.formula), 1);
    assert.equal(pageEdit(s.table), 1);
    // Reading order: blocks 2 then 1 against 1 then 2 → two substitutions of two.
    assert.deepEqual(s.order, { gt: [1, 2], pred: [2, 1], distance: 2, upper: 2 });
    const a = aggregate([s]);
    close(a.overall, (1 / 15 + 1 + 1 + 1) / 4);
    assert.equal(a.tableTeds, 0);
  });

  it('page averages: Σ distance / Σ length per page, then the mean over pages', () => {
    close(pageEdit([{ distance: 2, upper: 10 }, { distance: 0, upper: 10 }])!, 0.1);
    assert.equal(pageEdit([]), undefined);
  });
});
