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

  it('keeps a large title at the top and a last body line at the bottom', () => {
    const title = line('Reading Old Field Notes', 50, 34, 200, 650);
    const main = body(130, 31); // the last line ends at 1050, inside the bottom margin, without a gap
    const found = pageFurniture([title, ...main], 1100);
    assert.equal(found.size, 0);
  });

  it('needs a marker and smaller type for footnotes', () => {
    const main = body(120, 26);
    const small = line('set in smaller type but without any marker', 950, 14);
    assert.equal(pageFurniture([...main, small], 1100).get(small), undefined);
  });
});
