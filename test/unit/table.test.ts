import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { toGfm, toHtml, toLatex, preferredFormat } from '../../server/src/engines/table/format';
import { dropCoveredRows, inferTable, type CellBox, type Table } from '../../server/src/engines/table/grid';
import { cutAtColumnRules, enlargement, looksLikeFormula, restoreLessThan, withoutDottedRules } from '../../server/src/engines/table';
import { estimateSkew, findRules, ruleInk, typicalGlyphHeight, type BinaryImage, type Rules } from '../../server/src/engines/table/rules';
import { findLoneDashes } from '../../server/src/engines/table/dashes';

function blank(width: number, height: number): BinaryImage {
  return { width, height, ink: new Uint8Array(width * height) };
}
function hline(img: BinaryImage, y: number, x0: number, x1: number, gapAt?: number) {
  for (let x = x0; x < x1; x++) if (gapAt === undefined || (x !== gapAt && x !== gapAt + 1)) img.ink[y * img.width + x] = 1;
}
function vline(img: BinaryImage, x: number, y0: number, y1: number) {
  for (let y = y0; y < y1; y++) img.ink[y * img.width + x] = 1;
}
const opts = { minLength: 40, maxThickness: 3, maxGap: 2 };
const box = (text: string, x0: number, y0: number, x1: number, y1 = y0 + 12): CellBox => ({ text, confidence: 1, x0, y0, x1, y1 });

describe('ruling lines', () => {
  it('finds long thin rules, bridges small breaks, ignores text-like blobs', () => {
    const img = blank(200, 100);
    hline(img, 10, 5, 195, 100); // a rule with a 2 px break
    hline(img, 11, 5, 195, 100); // two pixels thick
    vline(img, 50, 5, 95);
    for (let y = 40; y < 52; y++) hline(img, y, 120, 180); // a thick blob: bold text, not a rule
    const rules = findRules(img, opts, opts);
    assert.equal(rules.horizontal.length, 1);
    assert.deepEqual([rules.horizontal[0]!.at, rules.horizontal[0]!.from, rules.horizontal[0]!.to, rules.horizontal[0]!.thickness], [11, 5, 195, 2]);
    assert.equal(rules.vertical.length, 1);
    assert.equal(rules.vertical[0]!.at, 50.5);
  });

  it('a shaded band with light text is not a row of vertical rules; a rule at its edge still is', () => {
    const img = blank(300, 120);
    // A filled band 60 px tall whose light "letters" are 3 px wide holes with 5 px of fill between them.
    for (let y = 10; y < 70; y++) hline(img, y, 10, 290);
    for (let y = 25; y < 55; y++) for (let x = 20; x < 280; x += 8) for (let k = 0; k < 3; k++) img.ink[y * 300 + x + k] = 0;
    vline(img, 150, 74, 118); // a real rule under the band, paper on both sides
    const rules = findRules(img, opts, opts);
    assert.deepEqual(rules.vertical.map((r) => r.at), [150.5]);
    assert.deepEqual(rules.horizontal, []);
    // In a table crop the band's lower edge is a rule (it ends the header).
    assert.deepEqual(findRules(img, { ...opts, fillEdges: true }, opts).horizontal.map((r) => [r.at, r.from, r.to]), [[70, 10, 290]]);
  });

  it('finds grid lines lighter than text on a tinted table, crossing a shaded header band', () => {
    // Grey levels: paper 255, a peach tint 229 with a darker header band 210, grid lines 175, black text 30.
    const [width, height] = [300, 160];
    const gray = new Uint8Array(width * height).fill(255);
    const paint = (x0: number, y0: number, x1: number, y1: number, level: number) => {
      for (let y = y0; y < y1; y++) gray.fill(level, y * width + x0, y * width + x1);
    };
    paint(20, 20, 280, 150, 229);
    paint(20, 20, 280, 50, 210);
    for (const y of [20, 50, 100, 149]) paint(20, y, 280, y + 2, 175);
    for (const x of [20, 120, 200, 278]) paint(x, 20, x + 2, 151, 175);
    paint(30, 60, 110, 72, 30); // a word of black text
    // Otsu between the text and the rest: only the text is ink, and no rule is found.
    const threshold = 100;
    const options = { minLength: 40, maxThickness: 3, maxGap: 2 };
    const otsuOnly = findRules(ruleInk(gray, width, height, threshold, 0), options, options);
    assert.deepEqual([otsuOnly.horizontal.length, otsuOnly.vertical.length], [0, 0]);
    const rules = findRules(ruleInk(gray, width, height, threshold, 3), options, options);
    assert.deepEqual(rules.horizontal.map((r) => Math.floor(r.at)), [21, 51, 101, 150]);
    assert.deepEqual(rules.vertical.map((r) => Math.floor(r.at)), [21, 121, 201, 279]);
    assert.ok(rules.vertical.every((r) => r.from <= 23 && r.to >= 148), `each column rule runs through the band and the crossings: ${JSON.stringify(rules.vertical)}`);
    const ink = ruleInk(gray, width, height, threshold, 3).ink;
    assert.equal(ink[35 * width + 60], 0, 'the band itself is not ink');
    assert.equal(ink[120 * width + 60], 0, 'nor is the tint');
    // On a whole page, light lines count on a tint only: the same grid on a tinted page, not lines on white paper.
    const page = new Uint8Array(600 * 160).fill(255);
    for (let y = 0; y < 160; y++) page.set(gray.subarray(y * width, (y + 1) * width), y * 600);
    for (const y of [30, 60, 90, 120]) page.fill(200, y * 600 + 320, y * 600 + 590); // ruled notebook paper
    const pageRules = findRules(ruleInk(page, 600, 160, threshold, 3, true), options, options);
    assert.deepEqual(pageRules.vertical.map((r) => Math.floor(r.at)), [21, 121, 201, 279]);
    assert.ok(pageRules.horizontal.every((r) => r.to <= 300), 'no rule on the white half');
  });

  it('estimates the skew of rotated text rows', () => {
    const img = blank(400, 200);
    const angle = (2 * Math.PI) / 180;
    for (const row of [40, 80, 120, 160]) for (let x = 10; x < 390; x += 3) img.ink[Math.round(row + x * Math.tan(angle)) * 400 + x] = 1;
    assert.ok(Math.abs(estimateSkew(img) - angle) < (0.1 * Math.PI) / 180);
  });
});

describe('grid inference', () => {
  it('ruled grid: a missing rule segment becomes a colspan, another a rowspan', () => {
    // 3 columns at x = 0|100|200|300, 3 rows at y = 0|30|60|90. Header row 0: cols 1–2 merged (no rule at
    // x=200 in row 0). Column 0: rows 1–2 merged (no rule at y=60 in column 0).
    const H = (at: number, from: number, to: number) => ({ at, from, to, thickness: 1 });
    const rules: Rules = {
      horizontal: [H(0, 0, 300), H(30, 0, 300), H(60, 100, 300), H(90, 0, 300)],
      vertical: [H(0, 0, 90), H(100, 0, 90), H(200, 30, 90), H(300, 0, 90)],
    };
    const table = inferTable(
      [box('Name', 10, 9, 60), box('Depth', 130, 9, 170), box('East', 10, 39, 50), box('1', 110, 39, 120), box('2', 210, 39, 220), box('3', 110, 69, 120), box('4', 210, 69, 220)],
      rules,
    );
    assert.equal(table.style, 'grid');
    assert.deepEqual([table.rows, table.cols], [3, 3]);
    const spans = table.cells.filter((c) => c.rowSpan > 1 || c.colSpan > 1).map((c) => [c.row, c.col, c.rowSpan, c.colSpan, c.text]);
    assert.deepEqual(spans, [[0, 1, 1, 2, 'Depth'], [1, 0, 2, 1, 'East']]);
    assert.equal(table.cells.length, 7);
  });

  it('ruled grid without rules between body rows: lines of figures become rows, wrapped labels do not', () => {
    // Columns at x = 0|100|200|300; rules under the header (y = 40) and around the table only. The header's
    // labels wrap to two lines in every column; the body holds three lines of figures per column.
    const H = (at: number, from: number, to: number) => ({ at, from, to, thickness: 1 });
    const rules: Rules = {
      horizontal: [H(0, 0, 300), H(40, 0, 300), H(130, 0, 300)],
      vertical: [H(0, 0, 130), H(100, 0, 130), H(200, 0, 130), H(300, 0, 130)],
    };
    const header = [box('Signal', 10, 5, 60), box('at 0.1 s', 10, 22, 70), box('Noise', 110, 5, 160), box('at 0.1 s', 110, 22, 170), box('Ratio', 210, 5, 260), box('in dB', 210, 22, 250)];
    const body = [[121200, 498, 47], [143960, 426, 50], [155220, 418, 50]].flatMap((row, i) => row.map((v, c) => box(String(v), 10 + 100 * c, 50 + 26 * i, 60 + 100 * c)));
    const table = inferTable([...header, ...body], rules);
    assert.deepEqual([table.rows, table.cols], [4, 3]);
    assert.deepEqual(table.cells.filter((c) => c.row === 0).map((c) => c.text), ['Signal at 0.1 s', 'Noise at 0.1 s', 'Ratio in dB']);
    assert.deepEqual(table.cells.filter((c) => c.col === 0).map((c) => c.text), ['Signal at 0.1 s', '121200', '143960', '155220']);
    // A cell whose text wraps while its neighbours hold one line keeps its band as one row.
    const wrapped = inferTable([...header, box('left', 10, 50, 40), box('untreated', 10, 76, 80), box('12', 110, 60, 130), box('7', 210, 60, 220)], rules);
    assert.deepEqual([wrapped.rows, wrapped.cols], [2, 3]);
  });

  it('ruled pairs: a label and its figure between two rules are two columns, each body line a row', () => {
    // Two ruled columns (x = 0|200|400), each holding an "Age" label and a count; rules under the header only.
    const H = (at: number, from: number, to: number) => ({ at, from, to, thickness: 1 });
    const rules: Rules = { horizontal: [H(0, 0, 400), H(24, 0, 400), H(130, 0, 400)], vertical: [H(0, 0, 130), H(200, 0, 130), H(400, 0, 130)] };
    const header = [box('Age', 10, 6, 40), box('Total', 120, 6, 170), box('Age', 210, 6, 240), box('Total', 320, 6, 370)];
    const body = [0, 1, 2, 3].flatMap((i) => [
      box(`${i} years`, 10, 32 + 22 * i, 70), box(`${3 + i},533,692`, 120, 32 + 22 * i, 190),
      box(`${40 + i} years`, 210, 32 + 22 * i, 275), box(`${2 + i},468,083`, 320, 32 + 22 * i, 390),
    ]);
    const table = inferTable([...header, ...body], rules);
    assert.deepEqual([table.rows, table.cols], [5, 4]);
    assert.deepEqual(table.cells.filter((c) => c.row === 2).map((c) => c.text), ['1 years', '4,533,692', '41 years', '3,468,083']);
    assert.ok(table.cells.every((c) => c.rowSpan === 1 && c.colSpan === 1));
    // A header label centred over the pair spans both of its columns.
    const spanned = inferTable([box('Total population', 40, 6, 160), box('Age', 210, 6, 240), box('Total', 320, 6, 370), ...body], rules);
    assert.deepEqual(spanned.cells.filter((c) => c.row === 0).map((c) => [c.text, c.colSpan]), [['Total population', 2], ['Age', 1], ['Total', 1]]);
  });
  it('a frame whose sides are the only vertical rules does not make a ruled grid of one column', () => {
    const H = (at: number, from: number, to: number) => ({ at, from, to, thickness: 1 });
    const rules: Rules = { horizontal: [H(0, 0, 300), H(24, 0, 300), H(48, 0, 300), H(72, 0, 300)], vertical: [H(0, 0, 72), H(300, 0, 72)] };
    const boxes = [box('Country', 10, 6, 70), box('Share', 200, 6, 250), box('Austria', 10, 30, 70), box('92.9', 220, 30, 250), box('Belgium', 10, 54, 75), box('0', 240, 54, 250)];
    const table = inferTable(boxes, rules);
    assert.deepEqual([table.rows, table.cols], [3, 2]);
    assert.deepEqual(table.cells.filter((c) => c.row === 1).map((c) => c.text), ['Austria', '92.9']);
  });
  it('borderless: columns from alignment, wrapped cells joined, header spanning columns', () => {
    const table = inferTable(
      [
        box('Treatment outcome', 100, 0, 300),
        box('Group', 0, 20, 40), box('A', 110, 20, 130), box('B', 250, 20, 270),
        box('First', 0, 40, 40), box('1.0', 110, 40, 140), box('2.0', 250, 40, 280),
        box('Second long', 0, 60, 60), box('3.5', 110, 60, 140), box('4.5', 250, 60, 280),
        box('label', 0, 73, 40),
      ],
      { horizontal: [], vertical: [] },
    );
    assert.equal(table.style, 'plain');
    assert.deepEqual([table.rows, table.cols], [4, 3]);
    assert.deepEqual(table.cells.find((c) => c.text === 'Treatment outcome'), { row: 0, col: 1, rowSpan: 1, colSpan: 2, text: 'Treatment outcome' });
    assert.ok(table.cells.some((c) => c.text === 'Second long label' && c.row === 3));
  });

  it('a parenthesised remark under a label goes on the label; a figure in parentheses starts a row', () => {
    const rows = (under: string) => inferTable(
      [
        box('Group', 0, 0, 40), box('A', 110, 0, 130), box('B', 250, 0, 270),
        box('Treated', 0, 20, 50), box('1.0', 110, 20, 140), box('2.0', 250, 20, 280),
        box(under, 0, 33, 50),
        box('Control', 0, 53, 50), box('3.5', 110, 53, 140), box('4.5', 250, 53, 280),
      ],
      { horizontal: [], vertical: [] },
    );
    for (const remark of ['(n = 12)', '(mg/L)', '(%)']) {
      const table = rows(remark);
      assert.equal(table.rows, 3, remark);
      assert.ok(table.cells.some((c) => c.text === `Treated ${remark}` && c.row === 1), remark);
    }
    assert.equal(rows('(12.5)').rows, 4);
  });

  it('booktabs: the mid rule ends the header', () => {
    const rows = [0, 20, 40, 60].map((y, i) => [box(`r${i}a`, 0, y, 30), box(`r${i}b`, 100, y, 130)]).flat();
    const table = inferTable(rows, { horizontal: [{ at: -4, from: 0, to: 130, thickness: 2 }, { at: 36, from: 0, to: 130, thickness: 1 }, { at: 76, from: 0, to: 130, thickness: 2 }], vertical: [] });
    assert.equal(table.style, 'booktabs');
    assert.equal(table.headerRows, 2);
  });

  it('booktabs: a group label over a partial rule spans the columns it underlines, and the header keeps both rows', () => {
    // "| Accuracy (over b, c) |" / "Model | Train | Test | Size" / body; \cmidrule under b–c, \midrule across.
    const rows = [
      box('Accuracy', 125, 0, 185),
      ...[20, 40, 60].flatMap((y, i) => [box(i ? `m${i}` : 'Model', 0, y, 40), box(i ? '0.9' : 'Train', 100, y, 140), box(i ? '0.8' : 'Test', 170, y, 200), box(i ? '12' : 'Size', 240, y, 270)]),
    ];
    const full = (at: number, thickness = 1) => ({ at, from: -5, to: 275, thickness });
    const table = inferTable(rows, { horizontal: [full(-4, 2), { at: 16, from: 95, to: 205, thickness: 1 }, full(36), full(76, 2)], vertical: [] });
    assert.equal(table.headerRows, 2);
    assert.deepEqual(table.cells.filter((c) => c.row === 0).map((c) => [c.col, c.colSpan, c.text]), [[0, 1, ''], [1, 2, 'Accuracy'], [3, 1, '']]);
    // A rule under two labels is a broken rule, not a group: no span.
    const broken = inferTable(rows.filter((b) => b.text !== 'Accuracy'), { horizontal: [full(-4, 2), { at: 36, from: -5, to: 205, thickness: 1 }, full(76, 2)], vertical: [] });
    assert.ok(broken.cells.every((c) => c.colSpan === 1));
  });

  it('a header label centred over the gap between two columns heads both, even without a rule under it', () => {
    const rows = [
      box('Model', 0, 0, 40), box('Dose', 140, 0, 170), box('Size', 240, 0, 270),
      ...[20, 40].flatMap((y, i) => [box(`m${i}`, 0, y, 30), box('0.9', 100, y, 130), box('0.8', 180, y, 210), box('12', 240, y, 270)]),
    ];
    const table = inferTable(rows, { horizontal: [{ at: -4, from: -5, to: 275, thickness: 2 }, { at: 16, from: -5, to: 275, thickness: 1 }, { at: 56, from: -5, to: 275, thickness: 2 }], vertical: [] });
    assert.deepEqual(table.cells.filter((c) => c.row === 0).map((c) => [c.col, c.colSpan, c.text]), [[0, 1, 'Model'], [1, 2, 'Dose'], [3, 1, 'Size']]);
    // Beside another label above one of those columns it is a cell of its own.
    const crowded = inferTable([...rows.filter((b) => b.y0 > 0), box('Dose', 140, 0, 170), box('n', 100, 0, 110)], { horizontal: [], vertical: [] });
    assert.ok(crowded.cells.every((c) => c.colSpan === 1));
  });

  it('a label centred beside two stacked rows spans both, set tight or loose; a top-aligned one does not', () => {
    const header = [box('Method', 0, 0, 50), box('Data', 100, 0, 140), box('Mean', 200, 0, 240)];
    const stacked = (labelY: number, pitch: number) => [
      ...header,
      box('Improved', 0, labelY, 60),
      box('Gaofen-3', 100, 20, 160), box('5.77', 200, 20, 230),
      box('Sentinel-1', 100, 20 + pitch, 170), box('6.30', 200, 20 + pitch, 230),
      box('Original', 0, 20 + 2 * pitch, 60), box('Landsat-8', 100, 20 + 2 * pitch, 170), box('6.97', 200, 20 + 2 * pitch, 230),
    ];
    const spans = (boxes: CellBox[]) => inferTable(boxes, { horizontal: [], vertical: [] }).cells.filter((c) => c.rowSpan > 1).map((c) => [c.row, c.text]);
    // Lines 11 px apart: the label's box overlaps both and must not chain them into one row.
    const tight = inferTable(stacked(25, 11), { horizontal: [], vertical: [] });
    assert.equal(tight.rows, 4);
    assert.deepEqual(spans(stacked(25, 11)), [[1, 'Improved']]);
    // Lines 20 px apart: the label's line lies between them, nothing else on it.
    assert.deepEqual(spans(stacked(30, 20)), [[1, 'Improved']]);
    assert.deepEqual(spans(stacked(20, 20)), []);
  });

  it('a first-row label centred over a wide and a narrow column heads both when the narrow one has no label', () => {
    // "Method" centred over x 100–290: its centre (195) lies inside the wide column (100–240), not in a gap.
    const boxes = [box('Rate', 0, 0, 30), box('Method', 170, 0, 220)];
    for (const [r, wide] of ['39.28 ± 8.09', '<0.001', '12 (45.6%)'].entries()) boxes.push(box(`Row${r}`, 0, 20 + 16 * r, 40), box(wide, 100, 20 + 16 * r, 240), box(`${r}`, 280, 20 + 16 * r, 290));
    const header = inferTable(boxes, { horizontal: [], vertical: [] }).cells.filter((c) => c.row === 0);
    assert.deepEqual(header.map((c) => [c.col, c.colSpan, c.text]), [[0, 1, 'Rate'], [1, 2, 'Method']]);
    // Set over the wide column alone (left-aligned), it stays there.
    const alone = inferTable([box('Rate', 0, 0, 30), box('Method', 100, 0, 150), ...boxes.slice(2)], { horizontal: [], vertical: [] }).cells.filter((c) => c.row === 0);
    assert.deepEqual(alone.map((c) => [c.col, c.colSpan, c.text]), [[0, 1, 'Rate'], [1, 1, 'Method'], [2, 1, '']]);
  });

  it('a label on the middle of three stacked rows spans all three; a column of top-aligned labels does not', () => {
    const header = [box('Group', 0, 0, 50), box('Site', 100, 0, 140), box('Mean', 200, 0, 240)];
    const body = (labels: [string, number][]) => [
      ...header,
      ...labels.map(([text, row]) => box(text, 0, 20 + 18 * row, 60)),
      ...[0, 1, 2, 3, 4, 5].flatMap((row) => [box(`Site-${row}`, 100, 20 + 18 * row, 160), box(`${row}.5`, 200, 20 + 18 * row, 230)]),
    ];
    const spans = (boxes: CellBox[]) => inferTable(boxes, { horizontal: [], vertical: [] }).cells.filter((c) => c.col === 0 && c.text).map((c) => [c.row, c.rowSpan, c.text]);
    // Centred: one empty cell above and one below each label, up to the next label or the table's edge.
    assert.deepEqual(spans(body([['Alpha', 1], ['Beta', 4]])), [[0, 1, 'Group'], [1, 3, 'Alpha'], [4, 3, 'Beta']]);
    // Top-aligned (a label, then the rows it heads): nothing spans, the rows stay as they are.
    assert.deepEqual(spans(body([['Alpha', 0], ['Beta', 3]])), [[0, 1, 'Group'], [1, 1, 'Alpha'], [4, 1, 'Beta']]);
  });

  it('two columns stay apart when the detector joined their cells on a few lines; the joined box is cut', () => {
    const boxes = [box('Pathway', 0, 0, 60), box('P value', 120, 0, 230, 12), box('n', 260, 0, 270)];
    for (let r = 1; r <= 12; r++) {
      const y = 16 * r;
      boxes.push(box(`Path ${r}`, 0, y, 60));
      if (r <= 6) boxes.push(box('8', 260, y, 270));
      // Lines 4 and 9: both figures in one box across the gutter (x 165–175); line 4 still counts as a body line
      // (as many boxes as most lines), so the gutter is found under a box that crosses it.
      if (r === 4 || r === 9) boxes.push(box('1,040E-09 8,149E-08', 120, y, 218));
      else boxes.push(box('1,040E-09', 120, y, 165), box('8,149E-08', 175, y, 218));
    }
    const table = inferTable(boxes, { horizontal: [], vertical: [] });
    assert.equal(table.cols, 4);
    assert.deepEqual(table.cells.filter((c) => c.row === 4).map((c) => c.text), ['Path 4', '1,040E-09', '8,149E-08', '8']);
    assert.deepEqual(table.cells.filter((c) => c.row === 9).map((c) => c.text), ['Path 9', '1,040E-09', '8,149E-08', '']);
    assert.deepEqual(table.cells.find((c) => c.row === 0 && c.text === 'P value'), { row: 0, col: 1, rowSpan: 1, colSpan: 2, text: 'P value' });
  });

  it('a header whose every label wraps is one row; a compound broken at its hyphen is joined without a space', () => {
    const table = inferTable(
      [
        box('Methods (n-', 0, 0, 60), box('Average sensitivity', 100, 0, 200), box('Average specificity', 230, 0, 330),
        box('mers used)', 0, 11, 55), box('of cross validation', 100, 11, 200), box('of cross validation', 230, 11, 330),
        box('FDMFSA', 0, 30, 50), box('84', 100, 30, 115), box('86', 230, 30, 245),
        box('PromMachine', 0, 46, 70), box('86', 100, 46, 115), box('81', 230, 46, 245),
      ].map((b) => ({ ...b, y1: b.y0 + 9 })),
      { horizontal: [], vertical: [] },
    );
    assert.equal(table.rows, 3);
    assert.deepEqual(table.cells.filter((c) => c.row === 0).map((c) => c.text), ['Methods (n-mers used)', 'Average sensitivity of cross validation', 'Average specificity of cross validation']);
  });

  it('a remark whose lines run past the next row spans down to it', () => {
    const table = inferTable(
      [
        box('ID', 0, 0, 20), box('Date', 60, 0, 100), box('Status', 150, 0, 200),
        box('380', 0, 18, 20), box('07/13', 60, 18, 100), box('Captured in the field', 150, 18, 260),
        box('with pathology, while', 150, 27, 260),
        box('412', 0, 32, 20), box('16/01', 60, 32, 100),
        box('housed in captivity', 150, 37, 260),
        box('1401', 0, 52, 25), box('24/07', 60, 52, 100), box('Control', 150, 52, 200),
      ].map((b) => ({ ...b, y1: b.y0 + 9 })),
      { horizontal: [], vertical: [] },
    );
    assert.equal(table.rows, 4);
    assert.deepEqual(
      table.cells.filter((c) => c.col === 2).map((c) => [c.row, c.rowSpan, c.text]),
      [[0, 1, 'Status'], [1, 2, 'Captured in the field with pathology, while housed in captivity'], [3, 1, 'Control']],
    );
  });
});

describe('lines read across a column rule', () => {
  const word = (text: string, x0: number, x1: number) => ({ text, confidence: 0.9, rect: { cx: (x0 + x1) / 2, cy: 20, width: x1 - x0, height: 12, angle: 0 } });
  const line = (...words: ReturnType<typeof word>[]) => ({ text: words.map((w) => w.text).join(' '), confidence: 0.9, rect: { cx: 100, cy: 20, width: 200, height: 12, angle: 0 }, words });
  const rule = (at: number, from = 0, to = 100) => ({ at, from, to, thickness: 1 });
  it('are cut between the words on either side of a vertical rule', () => {
    const read = line(word('Value', 0, 30), word('of', 34, 44), word('Bill', 48, 70), word('Number', 82, 120), word('of', 124, 134), word('bills', 138, 160));
    const cut = cutAtColumnRules([read], { horizontal: [], vertical: [rule(76)] });
    assert.deepEqual(cut.map((b) => b.text), ['Value of Bill', 'Number of bills']);
    assert.deepEqual(cut.map((b) => [b.rect.cx - b.rect.width / 2, b.rect.cx + b.rect.width / 2]), [[0, 70], [82, 160]]);
  });
  it('stay whole when no rule runs through them', () => {
    const read = line(word('Value', 0, 30), word('of', 34, 44), word('Bill', 48, 70));
    // A rule above the line (a header's) or beside it changes nothing.
    assert.deepEqual(cutAtColumnRules([read], { horizontal: [], vertical: [rule(40, 30, 100), rule(200)] }).map((b) => b.text), ['Value of Bill']);
  });
});

describe('formula cells', () => {
  it('are lines that read as one formula, not figures, words, names or codes', () => {
    for (const text of ['x2 + 1', 'α + β', 'f(x) = 2', 'x² + y²']) assert.equal(looksLikeFormula(text, 0.9), true, text);
    for (const text of ['39.28 ± 8.09', '<0.001', 'n = 12', 'T1', 'IL-1β', 'TNF-α', '2012_2', 'Mean + SD', 'β']) assert.equal(looksLikeFormula(text, 0.9), false, text);
  });
  it('are written as $…$ in every format, the LaTeX raw, a pipe escaped in GFM', () => {
    const table = { rows: 2, cols: 2, headerRows: 1, style: 'plain' as const, cells: [
      { row: 0, col: 0, rowSpan: 1, colSpan: 1, text: 'Model' }, { row: 0, col: 1, rowSpan: 1, colSpan: 1, text: 'Norm' },
      { row: 1, col: 0, rowSpan: 1, colSpan: 1, text: 'a_b' }, { row: 1, col: 1, rowSpan: 1, colSpan: 1, text: '|x| < 1', math: '|x|<1' },
    ] };
    assert.ok(toGfm(table).includes('| a_b | $\\|x\\|<1$ |'), toGfm(table));
    assert.ok(toHtml(table).includes('<td>$|x|&lt;1$</td>'), toHtml(table));
    assert.ok(toLatex(table).includes('a\\_b & $|x|<1$'), toLatex(table));
  });
});

describe('cells of figures', () => {
  it('puts back the "<" of a p-value read as "c", and nothing else', () => {
    assert.equal(restoreLessThan('c0.001'), '<0.001');
    assert.equal(restoreLessThan('C.05'), '<.05');
    for (const text of ['C1', 'c0.001 x', 'Control', '0.93-2.10', 'cO.5']) assert.equal(restoreLessThan(text), text);
  });
});

describe('row clean-up', () => {
  it('drops a dotted rule read as letters, keeps a dash standing for an empty cell', () => {
    const boxes = [box('CDR', 90, 40, 120, 51), box('0.76', 150, 40, 170, 51), box('EEEEEEEEEE', 150, 52, 175, 55), box('I E E', 86, 52, 92, 55), box('–', 150, 60, 158, 64), box('RS', 90, 66, 104, 77)];
    assert.deepEqual(withoutDottedRules(boxes).map((b) => b.text), ['CDR', '0.76', '–', 'RS']);
  });

  it('drops a row in which no cell starts, shortening the spans across it', () => {
    const table = dropCoveredRows({
      rows: 3, cols: 2, headerRows: 1, style: 'grid',
      cells: [
        { row: 0, col: 0, rowSpan: 2, colSpan: 1, text: 'a' },
        { row: 0, col: 1, rowSpan: 2, colSpan: 1, text: 'b' },
        { row: 2, col: 0, rowSpan: 1, colSpan: 1, text: 'c' },
        { row: 2, col: 1, rowSpan: 1, colSpan: 1, text: 'd' },
      ],
    });
    assert.equal(table.rows, 2);
    assert.deepEqual(table.cells.map((c) => [c.row, c.rowSpan, c.text]), [[0, 1, 'a'], [0, 1, 'b'], [1, 1, 'c'], [1, 1, 'd']]);
  });
});

describe('table output', () => {
  const spanned: Table = {
    rows: 3, cols: 3, headerRows: 1, style: 'grid',
    cells: [
      { row: 0, col: 0, rowSpan: 1, colSpan: 1, text: 'a|b' },
      { row: 0, col: 1, rowSpan: 1, colSpan: 2, text: 'Depth & width' },
      { row: 1, col: 0, rowSpan: 2, colSpan: 1, text: 'x_1' },
      { row: 1, col: 1, rowSpan: 1, colSpan: 1, text: '1' },
      { row: 1, col: 2, rowSpan: 1, colSpan: 1, text: '<2' },
      { row: 2, col: 1, rowSpan: 1, colSpan: 1, text: '3' },
      { row: 2, col: 2, rowSpan: 1, colSpan: 1, text: '4' },
    ],
  };
  it('prefers HTML when there are spans, GFM otherwise', () => {
    assert.equal(preferredFormat(spanned), 'html');
    assert.equal(preferredFormat({ ...spanned, cells: spanned.cells.map((c) => ({ ...c, rowSpan: 1, colSpan: 1 })) }), 'gfm');
  });
  it('HTML carries spans, header section and escapes', () => {
    assert.equal(
      toHtml(spanned),
      '<table><thead><tr><td>a|b</td><td colspan="2">Depth &amp; width</td></tr></thead><tbody><tr><td rowspan="2">x_1</td><td>1</td><td>&lt;2</td></tr><tr><td>3</td><td>4</td></tr></tbody></table>\n',
    );
  });
  it('GFM escapes pipes and writes one header row', () => {
    const plain: Table = { rows: 2, cols: 2, headerRows: 1, style: 'plain', cells: [{ row: 0, col: 0, rowSpan: 1, colSpan: 1, text: 'a|b' }, { row: 0, col: 1, rowSpan: 1, colSpan: 1, text: 'c' }, { row: 1, col: 0, rowSpan: 1, colSpan: 1, text: '1' }, { row: 1, col: 1, rowSpan: 1, colSpan: 1, text: '' }] };
    assert.equal(toGfm(plain), '| a\\|b | c |\n| --- | --- |\n| 1 |  |\n');
  });
  it('LaTeX uses multicolumn, multirow, cline under a continuing multirow, and escapes specials', () => {
    assert.equal(
      toLatex(spanned),
      [
        '\\begin{tabular}{|l|l|l|}',
        '\\hline',
        'a|b & \\multicolumn{2}{l|}{Depth \\& width} \\\\',
        '\\hline',
        '\\multirow{2}{*}{x\\_1} & 1 & <2 \\\\',
        '\\cline{2-3}',
        ' & 3 & 4 \\\\',
        '\\hline',
        '\\end{tabular}',
        '',
      ].join('\n'),
    );
  });
  it('LaTeX mirrors booktabs rules', () => {
    const latex = toLatex({ ...spanned, style: 'booktabs', cells: spanned.cells.map((c) => ({ ...c, rowSpan: 1 })).filter((c) => !(c.row === 2 && c.col === 0)).concat([{ row: 2, col: 0, rowSpan: 1, colSpan: 1, text: '' }]) });
    assert.match(latex, /^\\begin\{tabular\}\{lll\}\n\\toprule\n.*\n\\midrule\n/);
    assert.match(latex, /\\bottomrule\n\\end\{tabular\}\n$/);
  });
  it('LaTeX centres a group label of a two-row booktabs header and underlines it with a cmidrule', () => {
    const cell = (row: number, col: number, text: string, colSpan = 1) => ({ row, col, rowSpan: 1, colSpan, text });
    const grouped: Table = {
      rows: 3, cols: 3, headerRows: 2, style: 'booktabs',
      cells: [cell(0, 0, ''), cell(0, 1, 'Accuracy', 2), cell(1, 0, 'Model'), cell(1, 1, 'Train'), cell(1, 2, 'Test'), cell(2, 0, 'a'), cell(2, 1, '1'), cell(2, 2, '2')],
    };
    assert.equal(toLatex(grouped), ['\\begin{tabular}{lll}', '\\toprule', ' & \\multicolumn{2}{c}{Accuracy} \\\\', '\\cmidrule(lr){2-3}', 'Model & Train & Test \\\\', '\\midrule', 'a & 1 & 2 \\\\', '\\bottomrule', '\\end{tabular}', ''].join('\n'));
  });
});

describe('small tables', () => {
  it('enlarges a crop of small type to readable glyphs, within a factor of four and a pixel budget', () => {
    assert.equal(enlargement(20, 800, 400), 1, 'readable type is left alone');
    assert.equal(enlargement(8, 400, 200), 2);
    assert.equal(enlargement(5, 251, 65), 4, 'a journal table at 72 dpi');
    assert.equal(enlargement(2, 251, 65), 4, 'at most four times');
    assert.equal(enlargement(6, 2000, 2000), 1, 'a page-sized crop is not blown up past the pixel budget');
    assert.equal(enlargement(0, 100, 100), 1, 'no glyphs, nothing to enlarge');
  });
});

describe('lone dashes', () => {
  /** 200 × 60 ink with filled rectangles [x0, y0, x1, y1) (glyph height 10). */
  const ink = (rects: [number, number, number, number][]): BinaryImage => {
    const image = { width: 200, height: 60, ink: new Uint8Array(200 * 60) };
    for (const [x0, y0, x1, y1] of rects) for (let y = y0; y < y1; y++) image.ink.fill(1, y * 200 + x0, y * 200 + x1);
    return image;
  };
  // A read word at x 10–50 (its letters as blocks), rows 20–30.
  const word = { text: 'Mean', confidence: 0.9, rect: { cx: 30, cy: 25, width: 44, height: 14, angle: 0 } };
  const letters: [number, number, number, number][] = [[10, 20, 18, 30], [21, 20, 29, 30], [32, 20, 40, 30], [43, 20, 50, 30]];

  it('reads a short thin bar alone in a cell as an en dash, and a long one as an em dash, on the row of the text', () => {
    const found = findLoneDashes(ink([...letters, [100, 24, 107, 26], [150, 24, 164, 26]]), [word], 10);
    assert.deepEqual(found.map((d) => d.text), ['–', '—']);
    assert.ok(Math.abs(found[0]!.rect.cx - 103.5) < 1 && Math.abs(found[0]!.rect.cy - 25) < 1, JSON.stringify(found[0]!.rect));
    assert.equal(found[0]!.rect.height, 14);
  });

  it('leaves bars inside a read box, bars beside other ink, and blobs that are not thin bars', () => {
    const found = findLoneDashes(
      ink([...letters, [52, 24, 58, 26], [100, 24, 107, 26], [110, 21, 116, 29], [150, 22, 160, 28], [180, 40, 181, 41]]),
      [word],
      10,
    );
    assert.deepEqual(found, []);
  });

  it('measures glyphs with the same components', () => {
    assert.equal(typicalGlyphHeight(ink(letters)), 10);
  });
});

