import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { convexHull, minAreaRect, rectToQuad, toTextRect } from '../../server/src/engines/geometry';
import { warpRect } from '../../server/src/engines/warp';

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

  it('samples an unrotated rectangle in two passes exactly as the general rotated path does, white outside the image', () => {
    const width = 57, height = 31;
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i % 7) * 91) % 256;
    const image = { width, height, data };
    // Upscaled, downscaled, and hanging over each edge of the image.
    const rects = [
      { cx: 28.3, cy: 15.6, width: 20.5, height: 7.2 },
      { cx: 30, cy: 14, width: 50, height: 28 },
      { cx: 2, cy: 3, width: 14, height: 9 },
      { cx: 55, cy: 29.5, width: 16, height: 10 },
    ];
    for (const rect of rects) {
      const outWidth = Math.round((24 * rect.width) / rect.height);
      const upright = warpRect(image, { ...rect, angle: 0 }, outWidth, 24);
      // An angle this small takes the general path with a rotation that changes no sample position.
      const general = warpRect(image, { ...rect, angle: 1e-300 }, outWidth, 24);
      assert.deepEqual(upright.data, general.data, JSON.stringify(rect));
    }
    const outside = warpRect(image, { cx: -50, cy: -50, width: 10, height: 10, angle: 0 }, 8, 8);
    assert.ok(outside.data.every((v) => v === 255));
  });
});
