/**
 * List bullets — small solid dots, or dashes (slides and sub-lists) — that the detector often leaves out of the
 * line's box, or that the recogniser skips. Before layout we look at the start of each line for one: the
 * leftmost blob near the line's left end is filled, near mid-height, followed by a gap before the text, and
 * either compact (a dot) or a short thin bar (a dash).
 */
export interface GrayPage {
  width: number;
  height: number;
  gray: Uint8Array;
  threshold: number;
}

export interface Bullet {
  kind: 'dot' | 'dash';
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function bulletAtStart(page: GrayPage, line: { x0: number; y0: number; x1: number; y1: number }): Bullet | undefined {
  const h = line.y1 - line.y0;
  const x0 = Math.max(0, Math.floor(line.x0 - 2.5 * h));
  const x1 = Math.min(page.width, Math.floor(line.x0 + 1.5 * h));
  const y0 = Math.max(0, Math.floor(line.y0));
  const y1 = Math.min(page.height, Math.ceil(line.y1));
  if (x1 - x0 < 3 || y1 - y0 < 3) return undefined;
  const w = x1 - x0;
  const seen = new Uint8Array(w * (y1 - y0));
  const blobs: { x0: number; y0: number; x1: number; y1: number; count: number }[] = [];
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const k = (y - y0) * w + (x - x0);
      if (seen[k] || page.gray[y * page.width + x]! >= page.threshold) continue;
      const blob = { x0: x, y0: y, x1: x, y1: y, count: 0 };
      const stack = [k];
      seen[k] = 1;
      while (stack.length) {
        const j = stack.pop()!;
        const bx = (j % w) + x0, by = Math.floor(j / w) + y0;
        blob.count++;
        blob.x0 = Math.min(blob.x0, bx);
        blob.x1 = Math.max(blob.x1, bx);
        blob.y0 = Math.min(blob.y0, by);
        blob.y1 = Math.max(blob.y1, by);
        for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
          const nx = bx + dx, ny = by + dy;
          if (nx < x0 || nx >= x1 || ny < y0 || ny >= y1) continue;
          const n = (ny - y0) * w + (nx - x0);
          if (!seen[n] && page.gray[ny * page.width + nx]! < page.threshold) {
            seen[n] = 1;
            stack.push(n);
          }
        }
      }
      // Specks of scanner noise are not ink worth counting.
      if (blob.count >= 3) blobs.push(blob);
    }
  }
  if (blobs.length === 0) return undefined;
  blobs.sort((p, q) => p.x0 - q.x0);
  const b = blobs[0]!;
  // A blob cut by the window's left edge is the end of something else (a neighbouring cell's digit).
  if (b.x0 <= x0 && x0 > 0) return undefined;
  const next = blobs[1];
  if (next && next.x0 < b.x1 + 0.25 * h) return undefined;
  const bw = b.x1 - b.x0 + 1, bh = b.y1 - b.y0 + 1;
  const cy = (b.y0 + b.y1) / 2;
  const filled = b.count / (bw * bh);
  const box = { x0: b.x0, y0: b.y0, x1: b.x1 + 1, y1: b.y1 + 1 };
  const dot =
    bw >= 0.08 * h && bw <= 0.5 * h && bh >= 0.08 * h && bh <= 0.5 * h && bw / bh > 0.6 && bw / bh < 1.6 && filled > 0.5 && cy > line.y0 + 0.25 * h && cy < line.y0 + 0.8 * h;
  if (dot) return { kind: 'dot', ...box };
  const dash = bw >= 0.25 * h && bw <= 1.2 * h && bh <= 0.2 * h && bw >= 2.5 * bh && filled > 0.6 && cy > line.y0 + 0.3 * h && cy < line.y0 + 0.75 * h;
  return dash ? { kind: 'dash', ...box } : undefined;
}
