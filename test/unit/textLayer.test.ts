import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { composeSpacingAccents, displayFormulas, markdownFromTextLayer } from '../../server/src/document/page';
import type { Box } from '../../server/src/engines/layout/regions';
import { groupLines } from '../../server/src/engines/text/layout';
import type { PdfTextItem } from '../../server/src/pipeline/pdf';

// Text-layer runs on a US Letter page (612 × 792 pt), 10 pt type: x is where a run starts, its width is 5 pt a
// character, as pdf.js reports runs of a proportional font near enough for layout.
const run = (text: string, x: number, baseline: number, size = 10): PdfTextItem => ({
  text,
  x0: x,
  x1: x + 0.5 * size * text.length,
  y0: baseline - 0.8 * size,
  y1: baseline + 0.2 * size,
  size,
});

const paragraph = (lines: string[], top: number): PdfTextItem[] => lines.map((text, i) => run(text, 72, top + 14 * i));

describe('text layer → Markdown', () => {
  it('builds a table from runs in aligned columns, its cells exact, and keeps the prose around it', async () => {
    const items = [
      ...paragraph(['Quarterly results were better than the guidance given in May, and the', 'board raised the dividend for the second year in a row.'], 100),
      // Header and body rows; the label column is left-aligned, the figures right-aligned, runs a word at a time.
      run('Segment', 72, 160), run('Q1', 300, 160), run('Q2', 380, 160), run('Q3', 460, 160),
      run('Mining', 72, 176), run('412.0', 292, 176), run('398.5', 372, 176), run('455.1', 452, 176),
      run('Royalty', 72, 192), run('streams', 112, 192), run('31.7', 297, 192), run('29.9', 377, 192), run('35.2', 457, 192),
      run('Services', 72, 208), run('12.4', 297, 208), run('14.0', 377, 208), run('15.8', 457, 208),
      ...paragraph(['The figures are unaudited and in millions of dollars, rounded to one decimal.'], 240),
    ];
    const markdown = await markdownFromTextLayer(items, 612, 792);
    const rows = markdown.split('\n').filter((l) => l.startsWith('|'));
    assert.deepEqual(rows, [
      '| Segment | Q1 | Q2 | Q3 |',
      '| --- | --- | --- | --- |',
      '| Mining | 412.0 | 398.5 | 455.1 |',
      '| Royalty streams | 31.7 | 29.9 | 35.2 |',
      '| Services | 12.4 | 14.0 | 15.8 |',
    ]);
    assert.ok(markdown.indexOf('Quarterly results') < markdown.indexOf('| Segment'));
    assert.ok(markdown.indexOf('| Services') < markdown.indexOf('The figures are unaudited'));
  });

  it('does not take two aligned columns of exercises, written in sentences, for a table', async () => {
    const items: PdfTextItem[] = [];
    // Narrow columns: each line is short next to the page, as table cells are.
    const left = ['150. Find the height of the ball at two seconds.', '151. Find the speed as the ball hits the ground.', '152. Find when the ball is at its highest point.', '153. Find the acceleration of the ball at 1 s.'];
    const right = ['a. Find the direction of the train at noon.', 'b. Find the distance the train ran in all.', 'c. Find when the train stops the first time.', 'd. Find the speed of the train when at rest.'];
    for (let i = 0; i < 4; i++) items.push(run(left[i]!, 40, 100 + 12 * i, 7), run(right[i]!, 320, 100 + 12 * i, 7));
    const markdown = await markdownFromTextLayer(items, 612, 792);
    assert.ok(!markdown.includes('|'), markdown);
    for (const text of [...left, ...right]) assert.ok(markdown.includes(text.slice(5, 30)), `${text} kept as text`);
  });

  it('keeps two columns apart across a narrow gutter, even beside a drop cap', async () => {
    // Columns 54–294 and 306–546 pt (a 12 pt gutter), 10 pt type on the same baselines; the left column opens with
    // a drop cap three lines tall, whose height would let its line reach across the gutter.
    const items: PdfTextItem[] = [{ text: 'O', x0: 54, x1: 80, y0: 392, y1: 424, size: 32 }];
    for (let i = 0; i < 10; i++) {
      const indent = i < 3 ? 28 : 0;
      items.push(run(`Left line ${i} of the article text here.`.padEnd(Math.floor((240 - indent) / 5)), 54 + indent, 400 + 12 * i));
      items.push(run(`Right line ${i} of the article text here.`.padEnd(48), 306, 400 + 12 * i));
    }
    const markdown = await markdownFromTextLayer(items, 612, 792);
    const order = [...markdown.matchAll(/(Left|Right) line (\d+)/g)].map((m) => `${m[1]} ${m[2]}`);
    assert.deepEqual(order, [...Array.from({ length: 10 }, (_, i) => `Left ${i}`), ...Array.from({ length: 10 }, (_, i) => `Right ${i}`)]);
  });

  // A display integral as a text layer extracts it: the limits on lines of their own, the body in between.
  const integralPage = (): PdfTextItem[] => [
    ...paragraph(['The fundamental theorem links the two operations of calculus: for a function', 'with an antiderivative F on the closed interval, the integral is'], 100),
    run('b', 280, 138, 7),
    run('∫', 276, 150, 14), run('f(x) dx = F(b) − F(a)', 292, 150),
    run('a', 280, 160, 7),
    ...paragraph(['which turns a limit of sums into a difference of two values of F.'], 184),
  ];

  it('groups a display formula with the limits the text layer split off, and leaves prose alone', async () => {
    const items = integralPage();
    const lines = groupLines(items.map((i) => ({ text: i.text, confidence: 1, x0: i.x0, y0: i.y0, x1: i.x1, y1: i.y1 })));
    const formulas = displayFormulas(lines, 10);
    assert.equal(formulas.length, 1);
    assert.deepEqual(formulas[0]!.map((l) => l.text.replace(/\s+/g, '')).sort(), ['a', 'b', '∫f(x)dx=F(b)−F(a)'].sort());
  });

  it('puts the math engine\'s reading of a display formula in place of the scattered symbols, unless it disagrees', async () => {
    const asked: Box[] = [];
    const reader = (latex: string) => async (box: Box) => {
      asked.push(box);
      return latex;
    };
    const read = await markdownFromTextLayer(integralPage(), 612, 792, reader('\\int_{a}^{b}f(x)\\,dx=F(b)-F(a)'));
    assert.equal(asked.length, 1);
    assert.ok(asked[0]!.y0 <= 133 && asked[0]!.y1 >= 161, 'the box spans the limits');
    assert.ok(read.includes('$$\n\\int_{a}^{b}f(x)\\,dx=F(b)-F(a)\n$$'), read);
    assert.ok(!read.includes('F(b) − F(a)'), read);
    assert.ok(read.indexOf('the integral is') < read.indexOf('$$') && read.indexOf('$$') < read.indexOf('which turns'), read);
    // A reading that shares few letters and digits with the layer is some other formula: the text stays.
    const kept = await markdownFromTextLayer(integralPage(), 612, 792, reader('E=mc^{2}'));
    assert.ok(!kept.includes('$$') && kept.includes('F(b) − F(a)'), kept);
  });

  it('tags a display formula with the equation number the layer holds at the right margin', async () => {
    const numbered = [...integralPage(), run('(3.2)', 540, 150)];
    const read = await markdownFromTextLayer(numbered, 612, 792, async () => '\\int_{a}^{b}f(x)\\,dx=F(b)-F(a)');
    assert.ok(read.includes('$$\n\\int_{a}^{b}f(x)\\,dx=F(b)-F(a) \\tag{3.2}\n$$'), read);
    assert.ok(!read.includes('(3.2)'), read);
  });

  it('composes the spacing accents TeX-made layers put before letters', async () => {
    assert.equal(composeSpacingAccents('We thank J\u00B4an Min\u00B4a\u02C7c and Erd\u02DDos for a na\u00A8\u0131ve proof'), 'We thank Ján Mináč and Erdős for a naïve proof');
    // An accent that is not before a letter stays as it is.
    assert.equal(composeSpacingAccents('a price of 5\u00B4 and ^'), 'a price of 5\u00B4 and ^');
    const markdown = await markdownFromTextLayer(paragraph(['Thanks to J\u00B4an Min\u00B4a\u02C7c for his constant encouragement and support.', 'A second line so that this is a paragraph of the page.'], 100), 612, 792);
    assert.match(markdown, /Ján Mináč for his constant encouragement/);
  });
});

