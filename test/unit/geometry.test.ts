import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { convexHull, minAreaRect, rectToQuad, toTextRect } from '../../server/src/engines/geometry';

describe('geometry', () => {
  it('convex hull drops interior points', () => {
    const hull = convexHull([[0, 0], [4, 0], [4, 4], [0, 4], [2, 2], [1, 3]]);
    assert.equal(hull.length, 4);
    assert.ok(!hull.some(([x, y]) => x === 2 && y === 2));
  });

  it('finds the minimum-area rectangle of a rotated rectangle', () => {
    const angle = (20 * Math.PI) / 180;
    const corners = [[-50, -10], [50, -10], [50, 10], [-50, 10]].map(([u, v]) => [200 + u! * Math.cos(angle) - v! * Math.sin(angle), 100 + u! * Math.sin(angle) + v! * Math.cos(angle)] as [number, number]);
    const rect = toTextRect(minAreaRect(corners));
    assert.ok(Math.abs(rect.width - 100) < 1e-6 && Math.abs(rect.height - 20) < 1e-6, JSON.stringify(rect));
    assert.ok(Math.abs(rect.angle - angle) < 1e-6);
    assert.ok(Math.abs(rect.cx - 200) < 1e-6 && Math.abs(rect.cy - 100) < 1e-6);
  });

  it('text rectangles run left to right with corners clockwise from top-left', () => {
    const quad = rectToQuad(toTextRect({ cx: 50, cy: 20, width: 10, height: 80, angle: Math.PI / 2 }));
    const [tl, tr, br, bl] = quad;
    assert.ok(tl[0] < tr[0] && bl[0] < br[0], JSON.stringify(quad));
    assert.ok(tl[1] < bl[1] && tr[1] < br[1], JSON.stringify(quad));
  });

  it('keeps a box of one character, taller than wide, upright whatever side the caliper measured first', () => {
    // A digit 26 wide and 35 tall: its min-area rectangle may come back with either side as "width".
    for (const rect of [{ cx: 40, cy: 60, width: 26, height: 35, angle: 0 }, { cx: 40, cy: 60, width: 35, height: 26, angle: Math.PI / 2 }, { cx: 40, cy: 60, width: 35, height: 26, angle: -Math.PI / 2 }]) {
      const upright = toTextRect(rect);
      assert.ok(Math.abs(upright.angle) < 1e-9, JSON.stringify(upright));
      assert.equal(upright.width, 26);
      assert.equal(upright.height, 35);
      const [tl, tr, , bl] = rectToQuad(upright);
      assert.ok(tl[0] < tr[0] && tl[1] < bl[1], JSON.stringify(rectToQuad(upright)));
    }
  });
});

