import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { alignedTableRegions, rowsSplitAtGaps, type Piece } from '../../server/src/engines/layout/regions';

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
