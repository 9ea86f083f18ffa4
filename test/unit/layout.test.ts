import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { groupLines, joinLines, paragraphs, readingOrder, toMarkdown, type TextBox } from '../../server/src/engines/text/layout';
import { alignedRows, displayFormulas, isStructureDrawing, looksLikeMath, rowBands, splitEquationNumbers } from '../../server/src/engines/layout';

const box = (text: string, x0: number, y0: number, x1: number, h = 30): TextBox => ({ text, confidence: 0.99, x0, y0, x1, y1: y0 + h });
const markdown = (boxes: TextBox[]) => toMarkdown(paragraphs(readingOrder(groupLines(boxes))));

describe('layout', () => {
  it('joins word boxes of one line, keeps far-apart boxes separate', () => {
    const lines = groupLines([box('world', 220, 10, 300), box('hello', 100, 12, 200), box('far', 600, 10, 650)]);
    assert.deepEqual(lines.map((l) => l.text).sort(), ['far', 'hello world']);
  });

  it('reads a two-column page column by column, even when baselines line up, after a full-width title', () => {
    const boxes = [box('Title Across Both Columns', 100, 0, 900, 50)];
    for (let i = 0; i < 4; i++) {
      boxes.push(box(`left ${i}`, 100, 100 + i * 36, 480));
      boxes.push(box(`right ${i}`, 540, 100 + i * 36, 900));
    }
    const order = readingOrder(groupLines(boxes)).flat().map((l) => l.text);
    assert.deepEqual(order, ['Title Across Both Columns', 'left 0', 'left 1', 'left 2', 'left 3', 'right 0', 'right 1', 'right 2', 'right 3']);
  });

  it('keeps columns apart across a gutter narrower than a line height', () => {
    // Gutter of 27 px for 30 px lines: neither joined into one line nor read across.
    const boxes: TextBox[] = [];
    for (let i = 0; i < 4; i++) {
      boxes.push(box(`left ${i}`, 100, 100 + i * 36, 480));
      boxes.push(box(`right ${i}`, 507, 100 + i * 36, 900));
    }
    const lines = groupLines(boxes);
    assert.equal(lines.length, 8);
    assert.deepEqual(readingOrder(lines).flat().map((l) => l.text), ['left 0', 'left 1', 'left 2', 'left 3', 'right 0', 'right 1', 'right 2', 'right 3']);
  });

  it('reads columns of short lines apart when a vertical rule divides them, and across when none does', () => {
    // Answer choices of an exam sheet: short pieces on shared baselines, 20 px apart for 30 px lines.
    const boxes: TextBox[] = [];
    for (let i = 0; i < 4; i++) {
      boxes.push(box(`A${i} 17`, 100, 100 + i * 36, 200), box(`C${i} 5`, 300, 100 + i * 36, 380));
      boxes.push(box(`F${i} 22`, 400, 100 + i * 36, 500), box(`H${i} 11`, 600, 100 + i * 36, 700));
    }
    const rule = [{ x: 390, y0: 80, y1: 260, ruled: true }];
    const ruled = readingOrder(groupLines(boxes, rule), rule).flat().map((l) => l.text);
    assert.deepEqual(ruled.slice(0, 8), ['A0 17', 'C0 5', 'A1 17', 'C1 5', 'A2 17', 'C2 5', 'A3 17', 'C3 5']);
    // A blank gutter alone leaves the rows read across (they could be one table).
    const blank = [{ x: 390, y0: 80, y1: 260 }];
    assert.deepEqual(readingOrder(groupLines(boxes, blank), blank).flat().map((l) => l.text).slice(0, 4), ['A0 17', 'C0 5', 'F0 22', 'H0 11']);
  });

  it('peels a title above and a page number below, set close to two columns, at once', () => {
    const boxes = [box('A Title Across', 300, 0, 700)];
    for (let i = 0; i < 4; i++) {
      boxes.push(box(`left ${i}`, 100, 36 + i * 36, 480));
      boxes.push(box(`right ${i}`, 540, 36 + i * 36, 900));
    }
    boxes.push(box('12', 490, 180, 530));
    const order = readingOrder(groupLines(boxes)).flat().map((l) => l.text);
    assert.deepEqual(order, ['A Title Across', 'left 0', 'left 1', 'left 2', 'left 3', 'right 0', 'right 1', 'right 2', 'right 3', '12']);
  });

  it('splits paragraphs at larger gaps and joins hyphenated line ends', () => {
    const md = markdown([
      box('The first para-', 100, 0, 800),
      box('graph ends here.', 100, 34, 500),
      box('A second one starts after a gap', 100, 90, 800),
      box('and continues.', 100, 124, 500),
    ]);
    assert.equal(md, 'The first paragraph ends here.\n\nA second one starts after a gap and continues.\n');
  });

  it('keeps real hyphens before capitals and digits', () => {
    assert.equal(joinLines('the Franco-', 'Prussian war'), 'the Franco-Prussian war');
    assert.equal(joinLines('cases of COVID-', '19 rose'), 'cases of COVID-19 rose');
    assert.equal(joinLines('no hyphen', 'here'), 'no hyphen here');
  });

  it('joins Chinese lines and clauses without spaces, across the blank a full-width comma leaves', () => {
    assert.equal(joinLines('场子设在村边低洼处，四', '面土坡都是看台。'), '场子设在村边低洼处，四面土坡都是看台。');
    assert.equal(joinLines('平安观点：', 'Revenue grew'), '平安观点： Revenue grew');
    // Line height 30: 1.1 line heights apart after a full-width comma is one line; as far apart without it, two.
    const lines = groupLines([box('当主席台，', 100, 10, 250), box('手动探照灯', 283, 10, 450), box('四面土坡', 600, 10, 720), box('都是看台', 753, 10, 870)]);
    assert.deepEqual(lines.map((l) => l.text).sort(), ['四面土坡', '当主席台，手动探照灯', '都是看台']);
  });

  it('marks headings by size, largest first, and list items by their markers', () => {
    const md = markdown([
      box('Big Title', 100, 0, 400, 60),
      box('Section', 100, 90, 300, 42),
      box('Body text line that is long enough.', 100, 150, 900),
      box('• first item', 100, 200, 500),
      box('• second item', 100, 234, 500),
      box('2) numbered', 100, 268, 500),
    ]);
    assert.equal(md, '# Big Title\n\n## Section\n\nBody text line that is long enough.\n\n- first item\n- second item\n2) numbered\n');
  });

  it('does not take a line made taller by a superscript marker for a heading: its letters are body-sized', () => {
    // Body lines advance 20 px per character; the footnote is 40 px tall (the raised "2") but its letters are no wider.
    const body = (text: string, y: number) => box(text, 100, y, 100 + 20 * text.length);
    const md = markdown([
      body('The first paragraph of the page, in body type.', 0),
      body('It goes on for another line of the same size.', 34),
      box('2 The refugees came later', 100, 120, 100 + 18 * 25, 40),
      box('Larger Heading', 100, 200, 100 + 28 * 14, 45),
      body('And a paragraph under the heading ends here.', 275),
    ]);
    assert.match(md, /^2 The refugees came later$/m);
    assert.match(md, /^# Larger Heading$/m);
  });

  it('keeps lettered markers and sentences starting with a dot as text, and ordered numbers as printed', () => {
    assert.equal(markdown([box('(a) Mathematics.', 100, 0, 500)]), '(a) Mathematics.\n');
    assert.equal(markdown([box('. Not a bullet', 100, 0, 500)]), '. Not a bullet\n');
    assert.equal(markdown([box('007. Bond', 100, 0, 500)]), '007. Bond\n');
    assert.equal(markdown([box('. read as a bullet dot', 100, 0, 500)]), '- read as a bullet dot\n');
  });

  it('peels off a heading that spans the gutter close above two columns', () => {
    const boxes = [box('1. INTRODUCTION ACROSS THE GUTTER', 100, 0, 900)];
    for (let i = 0; i < 3; i++) {
      boxes.push(box(`left ${i}`, 100, 36 + i * 32, 480));
      boxes.push(box(`right ${i}`, 540, 36 + i * 32, 900));
    }
    const order = readingOrder(groupLines(boxes)).flat().map((l) => l.text);
    assert.deepEqual(order, ['1. INTRODUCTION ACROSS THE GUTTER', 'left 0', 'left 1', 'left 2', 'right 0', 'right 1', 'right 2']);
  });

  it('reads a key–value list row by row, and lines of one row left to right despite 1 px baseline differences', () => {
    const boxes = [box('Sub Total (RM) :', 100, 0, 300), box('7.55', 500, 1, 560), box('Discount (RM) :', 100, 32, 300), box('0.00', 500, 31, 560)];
    assert.deepEqual(readingOrder(groupLines(boxes)).flat().map((l) => l.text), ['Sub Total (RM) :', '7.55', 'Discount (RM) :', '0.00']);
  });

  it('keeps a column of prose whole beside short pieces that pair up row by row (line numbers, a table)', () => {
    // A transcript: line numbers in the margin, each on the row of a line of questions and short answers.
    const prose = ['Q. And where were you on the evening of the fourth,', 'A. At home.', 'Q. When the shipment came in at the north gate, sir?', 'A. Yes.', 'Q. And before the guard changed over at midnight?', 'A. No.', 'A. Not then.'];
    const boxes = prose.flatMap((text, i) => [box(String(i + 1), 100, i * 36, 120), box(text, 200, i * 36, 200 + 8 * text.length)]);
    const order = readingOrder(groupLines(boxes)).flat().map((l) => l.text);
    assert.deepEqual(order, ['1', '2', '3', '4', '5', '6', '7', ...prose]);
  });

  it('reads a caption set in the gutter after both columns, not row by row across them', () => {
    // Text wrapped around a picture between the columns, its caption centred in the gutter below the picture.
    const boxes: TextBox[] = [];
    for (let i = 0; i < 12; i++) {
      const beside = i >= 4 && i < 8;
      boxes.push(box(`left ${i}`, 100, i * 36, beside ? 400 : 480));
      boxes.push(box(`right ${i}`, beside ? 620 : 520, i * 36, 900));
    }
    boxes.push(box('CAPTION ONE', 430, 4 * 36, 590, 26), box('CAPTION TWO', 440, 4 * 36 + 30, 580, 26));
    const order = readingOrder(groupLines(boxes)).flat().map((l) => l.text);
    const columns = (side: string) => Array.from({ length: 12 }, (_, i) => `${side} ${i}`);
    assert.deepEqual(order, [...columns('left'), ...columns('right'), 'CAPTION ONE', 'CAPTION TWO']);
  });

  it("keeps a column's footnotes with their column when the columns end at different heights", () => {
    const boxes = [box('A TITLE ACROSS THE PAGE', 100, 0, 900, 44)];
    for (let i = 0; i < 8; i++) boxes.push(box(`left ${i}`, 100, 60 + i * 32, 480));
    for (let i = 0; i < 4; i++) boxes.push(box(`right ${i}`, 540, 60 + i * 32, 900));
    // Below a blank as tall as a line: each column's footnotes, then the page number.
    for (let i = 0; i < 2; i++) {
      boxes.push(box(`left note ${i}`, 100, 360 + i * 24, 480, 22));
      boxes.push(box(`right note ${i}`, 540, 360 + i * 24, 900, 22));
    }
    boxes.push(box('7', 500, 440, 520));
    const order = readingOrder(groupLines(boxes)).flat().map((l) => l.text);
    const run = (name: string, n: number) => Array.from({ length: n }, (_, i) => `${name} ${i}`);
    assert.deepEqual(order, ['A TITLE ACROSS THE PAGE', ...run('left', 8), ...run('left note', 2), ...run('right', 4), ...run('right note', 2), '7']);
  });

  it('escapes text that would read as Markdown syntax', () => {
    assert.equal(markdown([box('# not a heading', 100, 0, 500)]), '\\# not a heading\n');
  });
});

describe('display formulas', () => {
  // A column of prose from x 100 to 900, 30 px lines 40 px apart; formulas set between its lines.
  const prose = (y: number) => box('and the remaining terms of the expansion are written below as', 100, y, 900);
  const formulasOf = (boxes: TextBox[]) => displayFormulas(splitEquationNumbers(groupLines(boxes), boxes, 30), 30);

  it('takes an indented formula with its equation number at the right margin, the number as its tag', () => {
    const boxes = [prose(100), prose(140), box('E = mc² + ∑ xᵢ', 180, 180, 520), box('(13)', 850, 180, 900), prose(220), prose(260)];
    const formulas = formulasOf(boxes);
    assert.equal(formulas.length, 1);
    assert.equal(formulas[0]!.text, 'E = mc² + ∑ xᵢ');
    assert.equal(formulas[0]!.tag?.label, '13');
    assert.equal(formulas[0]!.tag?.line.text, '(13)');
  });

  it('joins an equation broken over two lines and tags it with the number beside either line', () => {
    const boxes = [prose(100), box('2L = (x + y)² − ∇ × A', 180, 140, 700), box('+ 2m [V · B] = 0', 260, 172, 760), box('(2.4a)', 840, 172, 900), prose(220)];
    const formulas = formulasOf(boxes);
    assert.equal(formulas.length, 1);
    assert.match(formulas[0]!.text, /^2L .* = 0$/);
    assert.equal(formulas[0]!.tag?.label, '2.4a');
  });

  it('never takes CJK text for math, however short or unsure its reading', () => {
    const line = (text: string, confidence: number) => ({ text, confidence, x0: 0, y0: 0, x1: 100, y1: 30, parts: [] });
    assert.equal(looksLikeMath(line('甘肃;', 0.6), 30), false);
    assert.equal(looksLikeMath(line('x2 + y', 0.6), 30), true);
  });

  it('leaves a sentence ending in "Eq. (13)" and an indented first line of a paragraph as text', () => {
    const boxes = [prose(100), box('which follows from Eq.', 100, 140, 420), box('(13)', 428, 140, 478), box('The second term of this sum is then', 140, 180, 900), prose(220), prose(260)];
    assert.deepEqual(formulasOf(boxes), []);
    assert.equal(splitEquationNumbers(groupLines(boxes), boxes, 30).length, groupLines(boxes).length);
  });
});

describe('display formulas found by their ink', () => {
  const width = 1000, height = 420;
  const prose = (y: number) => box('and the remaining terms of the expansion are written below as', 100, y, 900);
  const page = (marks: [number, number, number, number][]) => {
    const ink = new Uint8Array(width * height);
    for (const [x0, y0, x1, y1] of marks) for (let y = y0; y < y1; y++) ink.fill(1, y * width + x0, y * width + x1);
    return { width, height, ink };
  };
  // A stacked fraction nobody read as text: numerator, bar and denominator, centred between two paragraphs.
  const fraction: [number, number, number, number][] = [[470, 190, 530, 210], [440, 220, 560, 223], [480, 232, 520, 252]];

  it('takes centred ink with no readable piece between paragraphs as a formula, bar and terms in one block', () => {
    const boxes = [prose(100), prose(140), prose(300), prose(340)];
    const formulas = displayFormulas(groupLines(boxes), 30, page(fraction));
    assert.equal(formulas.length, 1);
    const f = formulas[0]!;
    assert.ok(f.x0 <= 440 && f.x1 >= 560 && f.y0 <= 190 && f.y1 >= 252, JSON.stringify(f));
  });

  it('joins the readable left side of a centred formula to the ink of its fraction', () => {
    const boxes = [prose(100), prose(140), box('B[u, v] =', 330, 205, 430), prose(300), prose(340)];
    const formulas = displayFormulas(groupLines(boxes), 30, page([...fraction, [335, 210, 425, 230]]));
    assert.equal(formulas.length, 1);
    assert.ok(formulas[0]!.x0 <= 330 && formulas[0]!.x1 >= 560, JSON.stringify(formulas[0]));
  });

  it('leaves a short centred heading read whole as text', () => {
    const boxes = [prose(100), prose(140), box('II.', 480, 205, 520), prose(300), prose(340)];
    assert.deepEqual(displayFormulas(groupLines(boxes), 30, page([[482, 208, 518, 232]])), []);
  });
});

describe('multi-line display formulas', () => {
  const prose = (y: number) => box('and the remaining terms of the expansion are written below as', 100, y, 900);

  it('takes rows inset below a centred formula as its continuation, each row kept for reading alone', () => {
    // Row 1 centred and math-like; rows 2 and 3 start under its relation and read like prose (garbled words).
    const boxes = [prose(100), prose(140), box('B[u, v] = a u v dx', 300, 190, 700), box('= aid bounded since bounded', 380, 228, 760), box('≤ O − uur dx', 380, 266, 620), prose(330)];
    const formulas = displayFormulas(groupLines(boxes), 30);
    assert.equal(formulas.length, 1, JSON.stringify(formulas.map((f) => f.text)));
    assert.equal(formulas[0]!.rows?.length, 3);
  });

  it('does not take a fraction\'s narrow terms or an operator\'s limits for rows', () => {
    const boxes = [prose(100), prose(140), box('n − 1', 470, 180, 520, 20), box('F(t) = Σ D(t),', 380, 200, 640), box('k = 0', 470, 232, 520, 20), prose(290)];
    const formulas = displayFormulas(groupLines(boxes), 30);
    assert.equal(formulas.length, 1);
    assert.equal(formulas[0]!.rows, undefined);
  });

  it('cuts a block into row bands halfway between rows, the block\'s full width each', () => {
    const bands = rowBands({ x0: 10, y0: 0, x1: 300, y1: 100 }, [{ x0: 50, y0: 60, x1: 200, y1: 90 }, { x0: 20, y0: 5, x1: 250, y1: 40 }]);
    assert.deepEqual(bands, [{ x0: 10, x1: 300, y0: 0, y1: 50 }, { x0: 10, x1: 300, y0: 50, y1: 100 }]);
  });

  it('aligns rows read one by one at their first top-level relation', () => {
    assert.equal(alignedRows(['B[u,v]=\\int_{U}f', '=\\frac{a=b}{2}', '\\leq 0']), '\\begin{aligned}B[u,v]&=\\int_{U}f\\\\&=\\frac{a=b}{2}\\\\&\\leq 0\\end{aligned}');
    // No relation: aligned at the start; a \\left( is no relation.
    assert.equal(alignedRows(['\\left(x+y\\right)', 'x_{i=1}']), '\\begin{aligned}&\\left(x+y\\right)\\\\&x_{i=1}\\end{aligned}');
  });
});

describe('structure drawings', () => {
  // A 300 × 200 image: a hexagon of 2 px bonds (a ring) with a bond out to a label, as the detector boxes it.
  const drawing = () => {
    const ink = new Uint8Array(300 * 200);
    const line = (x0: number, y0: number, x1: number, y1: number) => {
      const steps = Math.ceil(Math.hypot(x1 - x0, y1 - y0));
      for (let k = 0; k <= steps; k++) {
        const x = Math.round(x0 + ((x1 - x0) * k) / steps), y = Math.round(y0 + ((y1 - y0) * k) / steps);
        for (let d = 0; d < 2; d++) ink[(y + d) * 300 + x] = 1;
      }
    };
    const ring: [number, number][] = [[100, 60], [140, 80], [140, 120], [100, 140], [60, 120], [60, 80]];
    ring.forEach(([x, y], i) => line(x, y, ring[(i + 1) % 6]![0], ring[(i + 1) % 6]![1]));
    line(140, 80, 180, 60);
    // The label "OH": two letter-sized blobs.
    for (let y = 50; y < 66; y++) for (let x = 186; x < 210; x++) if ((x - 186) % 12 < 8) ink[y * 300 + x] = 1;
    return { width: 300, height: 200, ink };
  };
  const label = (text: string, x0: number, y0: number, x1: number, y1: number) => ({ text, x0, y0, x1, y1 });

  it('takes a line drawing with atom labels, or none, for a structure', () => {
    assert.equal(isStructureDrawing(drawing(), [label('OH', 184, 48, 212, 68)]), true);
    assert.equal(isStructureDrawing(drawing(), []), true);
    assert.equal(isStructureDrawing(drawing(), [label('H,N', 184, 48, 212, 68)]), true, 'a subscript misread as a comma');
    assert.equal(isStructureDrawing(drawing(), [label('0', 184, 48, 212, 68)]), true, 'O read as zero');
  });

  it('ignores a box far wider than its text (bonds read as a letter)', () => {
    assert.equal(isStructureDrawing(drawing(), [label('R', 55, 55, 215, 145)]), true);
  });

  it('does not take text, numbers or a photo for a structure', () => {
    assert.equal(isStructureDrawing(drawing(), [label('5', 184, 48, 212, 68)]), false, "a plot's tick");
    assert.equal(isStructureDrawing(drawing(), [label('area', 184, 48, 212, 68)]), false, 'a word');
    const text = drawing();
    // Nothing drawn outside the recognised text: a formula or a word, however atom-like ("H2O").
    assert.equal(isStructureDrawing(text, [label('H2O', 0, 0, 300, 200)]), false);
    const photo = { width: 100, height: 100, ink: new Uint8Array(100 * 100).fill(1, 0, 4000) };
    assert.equal(isStructureDrawing(photo, []), false);
  });
});
