import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pageFurniture, pageMarkdown, type LayoutLine } from '../../server/src/engines/text/layout';

// A letter-size page at 100 px per inch: 850 × 1100, body lines 20 px high every 30 px.
const line = (text: string, y0: number, h = 20, x0 = 100, x1 = 750): LayoutLine => ({ text, confidence: 1, x0, y0, x1, y1: y0 + h, parts: [] });
const body = (from: number, count: number) => Array.from({ length: count }, (_, i) => line(`Body line ${i + 1} of the survey notes and more words here`, from + 30 * i));

describe('page furniture', () => {
  it('finds a running header, a page number and footnotes, and writes the body without them', () => {
    const header = line('JOURNAL OF FIELD NOTES', 40, 16, 300, 550);
    const number = line('12', 1040, 16, 415, 435);
    const note1 = line('1 Measured at the north well in 1923.', 930, 14);
    const note2 = line('2 The notebook gives no unit.', 950, 14);
    const main = body(120, 20);
    const lines = [header, ...main, note1, note2, number];
    const found = pageFurniture(lines, 1100);
    assert.equal(found.get(header), 'header');
    assert.equal(found.get(number), 'footer');
    assert.equal(found.get(note1), 'footnote');
    assert.equal(found.get(note2), 'footnote');
    assert.equal(main.filter((l) => found.has(l)).length, 0);
    const { markdown } = pageMarkdown(lines, 1100);
    assert.ok(!markdown.includes('JOURNAL'), markdown);
    assert.ok(!/\n12\n/.test(markdown), markdown);
    assert.ok(markdown.trimEnd().endsWith('The notebook gives no unit.'), markdown);
    assert.ok(markdown.startsWith('Body line 1'), markdown);
  });

  it('takes an ornament at the edge and a running head whose capitals measure taller, when it holds the page number', () => {
    const ornament = line('—', 5, 24, 400, 430);
    const number = line('400', 90, 18, 100, 130);
    const title = line('BRITISH HUSBANDRY.', 88, 26, 300, 550);
    const chapter = line('[Ch. XIX.', 89, 22, 650, 750);
    const main = body(130, 20);
    const found = pageFurniture([ornament, number, title, chapter, ...main], 1100);
    assert.deepEqual([ornament, number, title, chapter].map((l) => found.get(l)), ['header', 'header', 'header', 'header']);
    assert.equal(main.filter((l) => found.has(l)).length, 0);
    // Without the page number, the taller capitals are a title, kept.
    assert.equal(pageFurniture([title, ...main], 1100).has(title), false);
  });

  it('keeps a large title at the top and a last body line at the bottom', () => {
    const title = line('Reading Old Field Notes', 50, 34, 200, 650);
    const main = body(130, 31); // the last line ends at 1050, inside the bottom margin, without a gap
    const found = pageFurniture([title, ...main], 1100);
    assert.equal(found.size, 0);
  });

  it('takes a footer row of three pieces, and a page number above a running foot', () => {
    const main = body(120, 26);
    // Journal name, page number and issue on one row.
    const row = [line('FIELD NOTES QUARTERLY', 1000, 16, 100, 300), line('7', 1000, 16, 415, 425), line('March 2014 | Volume 8 | Issue 3', 1000, 16, 500, 750)];
    const found = pageFurniture([...main, ...row], 1100);
    assert.deepEqual(row.map((l) => found.get(l)), ['footer', 'footer', 'footer']);
    // A page number set apart above a running foot: both go.
    const number = line('199', 1010, 16, 415, 445);
    const foot = line('Published by the society, 1997', 1060, 16, 100, 400);
    const found2 = pageFurniture([...body(120, 24), number, foot], 1100);
    assert.equal(found2.get(number), 'footer');
    assert.equal(found2.get(foot), 'footer');
  });

  it('takes a bare page number that ends a page whose text stops high above the edge', () => {
    const main = body(100, 14); // the body ends at 510
    const number = line('62', 560, 16, 415, 435);
    const found = pageFurniture([...main, number], 1100);
    assert.equal(found.get(number), 'footer');
    assert.equal(main.filter((l) => found.has(l)).length, 0);
    // A number at the top of such a page is not taken for a header outside the margin.
    const section = line('2', 300, 16, 100, 120);
    assert.equal(pageFurniture([section, ...body(340, 10)], 1100).get(section), undefined);
  });

  it('needs a marker and smaller type for footnotes', () => {
    const main = body(120, 26);
    const small = line('set in smaller type but without any marker', 950, 14);
    assert.equal(pageFurniture([...main, small], 1100).get(small), undefined);
  });
});
