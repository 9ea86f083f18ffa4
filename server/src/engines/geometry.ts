import type { Quad } from '../protocol';

export type Point = [number, number];

/** The middle value (the upper one of two for an even count), 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** Andrew's monotone chain; returns the hull counter-clockwise without repeating the first point. */
export function convexHull(points: Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length < 3) return sorted;
  const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [];
  for (const p of sorted) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    const p = sorted[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

export interface RotatedRect {
  cx: number;
  cy: number;
  /** Side lengths along `angle` and perpendicular to it. */
  width: number;
  height: number;
  /** Radians, direction of the `width` side. */
  angle: number;
}

/** Minimum-area enclosing rectangle by rotating calipers: one side of the optimum lies on a hull edge. */
export function minAreaRect(points: Point[]): RotatedRect {
  const hull = convexHull(points);
  if (hull.length === 0) return { cx: 0, cy: 0, width: 0, height: 0, angle: 0 };
  if (hull.length === 1) return { cx: hull[0]![0], cy: hull[0]![1], width: 0, height: 0, angle: 0 };
  let best: RotatedRect | undefined;
  let bestArea = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % hull.length]!;
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (len === 0) continue;
    const ux = (b[0] - a[0]) / len;
    const uy = (b[1] - a[1]) / len;
    let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity;
    for (const p of hull) {
      const u = p[0] * ux + p[1] * uy;
      const v = -p[0] * uy + p[1] * ux;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea) {
      bestArea = area;
      const cu = (minU + maxU) / 2;
      const cv = (minV + maxV) / 2;
      best = { cx: cu * ux - cv * uy, cy: cu * uy + cv * ux, width: maxU - minU, height: maxV - minV, angle: Math.atan2(uy, ux) };
    }
  }
  return best!;
}

/** A box at least this much taller than wide is a vertical line of text, read along its long side. */
const verticalTextRatio = 1.5;

/**
 * Normalise a text rectangle so text runs left to right: the side nearest the horizontal becomes `width`
 * (angle in (-π/4, π/4]), so a box of one or two characters, taller than wide, stays upright; only a box
 * clearly taller than wide is turned to read along its length (angle in (-π/2, π/2]).
 */
export function toTextRect(rect: RotatedRect): RotatedRect {
  let { width, height, angle } = rect;
  while (angle > Math.PI / 4) {
    angle -= Math.PI / 2;
    [width, height] = [height, width];
  }
  while (angle <= -Math.PI / 4) {
    angle += Math.PI / 2;
    [width, height] = [height, width];
  }
  if (height >= verticalTextRatio * width) {
    [width, height] = [height, width];
    angle += angle <= 0 ? Math.PI / 2 : -Math.PI / 2;
  }
  return { ...rect, width, height, angle };
}

/** Corners clockwise from top-left (in image coordinates, y down) of a text rectangle. */
export function rectToQuad(rect: RotatedRect): Quad {
  const ux = Math.cos(rect.angle), uy = Math.sin(rect.angle);
  const vx = -uy, vy = ux;
  const hw = rect.width / 2, hh = rect.height / 2;
  const corner = (su: number, sv: number): [number, number] => [rect.cx + su * hw * ux + sv * hh * vx, rect.cy + su * hw * uy + sv * hh * vy];
  return [corner(-1, -1), corner(1, -1), corner(1, 1), corner(-1, 1)];
}

export function quadBounds(quad: Quad): { x0: number; y0: number; x1: number; y1: number } {
  const xs = quad.map((p) => p[0]);
  const ys = quad.map((p) => p[1]);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

export function mapQuad(quad: Quad, f: (p: [number, number]) => [number, number]): Quad {
  return [f(quad[0]), f(quad[1]), f(quad[2]), f(quad[3])];
}
