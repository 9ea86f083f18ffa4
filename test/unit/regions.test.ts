import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { alignedTableRegions, isCaption, isSentence, rowsSplitAtGaps, ruledTableRegions, type Piece } from '../../server/src/engines/layout/regions';

// A page 1600 px wide, lines 30 px tall: a prose column on the left (x 100–800), a rule-less table on the right.
const piece = (text: string, x0: number, y0: number, x1: number): Piece => ({ text, x0, y0, x1, y1: y0 + 30 });

describe('rule-less table regions', () => {
  it('cover the column-aligned cells, not a heading of the next column that shares a row with them', () => {
    const boxes: Piece[] = [];
    for (let i = 0; i < 6; i++) {
      const y = 300 + 45 * i;
      boxes.push(piece(['NAP', 'ACY', 'ACE', 'FLU', 'PHE', 'ANT'][i]!, 870, y, 940), piece(`${60 + i}.3 ± 1.${i}`, 1100, y, 1240), piece(`${70 + i}.1 ± 2.${i}`, 1350, y, 1490));
    }
    // The left column: a section heading, set apart, on the baseline of the third table row; prose around it.
    boxes.push(piece('2.9. Removal of sulfur', 100, 390, 420));
    for (const y of [300, 480, 525]) boxes.push(piece('The sulfur present in sewage sludges has to be removed before the', 100, y, 800));
    const regions = alignedTableRegions(rowsSplitAtGaps(boxes, 30), 1600, 30);
    assert.equal(regions.length, 1);
    assert.ok(regions[0]!.x0 >= 860 && regions[0]!.x1 <= 1500, JSON.stringify(regions[0]));
    assert.ok(regions[0]!.y0 <= 300 && regions[0]!.y1 >= 555, JSON.stringify(regions[0]));
  });
});

describe('ruled table regions', () => {
  const rule = (at: number, from: number, to: number) => ({ at, from, to, thickness: 2 });
  it('keep a small ruled table apart from the long separators and the column rule around it', () => {
    // A page column (x 800–1480) with question separators 270 px apart, a 360 px wide grid between them, and a
    // rule down the page's middle (x 800) from top to bottom; lines 38 px tall.
    const horizontal = [rule(640, 816, 1475), rule(910, 816, 1475), ...[1158, 1197, 1236, 1278, 1320, 1362, 1403].map((y) => rule(y, 959, 1316)), rule(1590, 816, 1475)];
    const vertical = [rule(800, 374, 2026), rule(960, 1157, 1404), rule(1118, 1196, 1404), rule(1315, 1158, 1404)];
    const regions = ruledTableRegions({ horizontal, vertical }, 38);
    const grid = regions.find((r) => r.x0 >= 950 && r.x1 <= 1320);
    assert.ok(grid && grid.y0 <= 1158 && grid.y1 >= 1403, JSON.stringify(regions));
    // The separators' own group does not reach down the column rule.
    assert.ok(regions.every((r) => r.y1 - r.y0 < 1000), JSON.stringify(regions));
  });

  it('part two booktabs tables stacked in one column at the caption between them', () => {
    // Top, mid and bottom rules of two tables of nearly the same width, 150 px apart; 28 px lines.
    const horizontal = [rule(225, 689, 998), rule(260, 689, 998), rule(434, 689, 998), rule(590, 689, 960), rule(625, 689, 960), rule(797, 689, 960)];
    assert.equal(ruledTableRegions({ horizontal, vertical: [] }, 28).length, 1);
    const caption = { x0: 663, y0: 444, x1: 1049, y1: 470 };
    const regions = ruledTableRegions({ horizontal, vertical: [] }, 28, [caption]);
    assert.equal(regions.length, 2, JSON.stringify(regions));
    assert.ok(regions[0]!.y1 < 444 && regions[1]!.y0 > 470, JSON.stringify(regions));
    assert.ok(isCaption('Table 1: Because depth rate') && isCaption('Fig. 3. Water') && isCaption('TABLE IV') && !isCaption('Tables of values'));
  });
});

describe('running text', () => {
  it('is six words, or a dozen Chinese characters, which are written without spaces', () => {
    assert.equal(isSentence('The results are shown in Table 2'), true);
    assert.equal(isSentence('Total (n = 33)'), false);
    assert.equal(isSentence('场子设在村边低洼处一块地里，四面土坡都是看台。'), true);
    assert.equal(isSentence('流通A股（百万股）'), false);
  });
});

