import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inkShare } from '../../server/src/engines/layout';

describe('inkShare', () => {
  it('measures the inked share of a box, clipped to the image', () => {
    // 10 × 10 image, a 2-px vertical stroke in columns 4–5.
    const width = 10;
    const ink = new Uint8Array(100);
    for (let y = 0; y < 10; y++) ink[y * width + 4] = ink[y * width + 5] = 1;
    assert.equal(inkShare({ width, ink }, { x0: 0, y0: 0, x1: 10, y1: 10 }), 0.2);
    assert.equal(inkShare({ width, ink }, { x0: 4, y0: 0, x1: 6, y1: 5 }), 1);
    assert.equal(inkShare({ width, ink }, { x0: -5, y0: -5, x1: 4, y1: 20 }), 0);
  });
});
