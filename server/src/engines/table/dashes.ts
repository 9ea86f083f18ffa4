/**
 * A dash alone in a cell ("–": not applicable, not measured) is one of the commonest entries of scientific
 * tables, and the text detector never boxes it: a short thin bar is no text line to it. Such marks are found in
 * the ink the text boxes leave uncovered, so the cell is read "–" instead of empty.
 */
import { inkComponents, type BinaryImage, type InkComponent } from './rules';
import type { TextBoxResult } from '../text';
import { median } from '../geometry';

/** A found dash is this sure: the shape test below leaves little doubt, the reading none. */
const dashConfidence = 0.9;

/**
 * Boxes for the lone dashes of a table's ink (rules already painted out): solid horizontal bars, at least twice as
 * long as thick and a third of a glyph long, no longer than two glyphs, thinner than a third of a glyph, with no
 * other ink within a glyph's height on their row and outside every text box. `glyph` is the typical glyph height.
 * A bar longer than 1.2 glyphs (an em dash is about twice an x-height) is written "—", others "–".
 */
export function findLoneDashes(binary: BinaryImage, boxes: TextBoxResult[], glyph: number): TextBoxResult[] {
  const components = inkComponents(binary).filter((c) => c.count >= 2);
  const lineHeight = median(boxes.map((b) => b.rect.height)) || 1.5 * glyph;
  const covered = (c: InkComponent) =>
    boxes.some((b) => {
      const halfW = Math.abs(b.rect.width * Math.cos(b.rect.angle)) / 2 + Math.abs(b.rect.height * Math.sin(b.rect.angle)) / 2 + 0.5 * glyph;
      const halfH = Math.abs(b.rect.width * Math.sin(b.rect.angle)) / 2 + Math.abs(b.rect.height * Math.cos(b.rect.angle)) / 2;
      return c.x1 >= b.rect.cx - halfW && c.x0 <= b.rect.cx + halfW && c.y1 >= b.rect.cy - halfH && c.y0 <= b.rect.cy + halfH;
    });
  const dashes: TextBoxResult[] = [];
  for (const c of components) {
    const w = c.x1 - c.x0 + 1, h = c.y1 - c.y0 + 1;
    const bar = h <= Math.max(3, glyph / 3) && w >= Math.max(3, 2 * h, glyph / 3) && w <= 2 * glyph && c.count >= 0.6 * w * h;
    if (!bar || covered(c)) continue;
    const cy = (c.y0 + c.y1) / 2;
    const crowded = components.some(
      (o) => o !== c && o.y1 >= cy - glyph / 2 && o.y0 <= cy + glyph / 2 && o.x1 >= c.x0 - glyph && o.x0 <= c.x1 + glyph,
    );
    if (crowded) continue;
    dashes.push({
      text: w > 1.2 * glyph ? '—' : '–',
      confidence: dashConfidence,
      // As tall as the table's text lines, so the dash's row is found like any other cell's.
      rect: { cx: (c.x0 + c.x1 + 1) / 2, cy: cy + 0.5, width: w, height: lineHeight, angle: 0 },
    });
  }
  return dashes;
}
