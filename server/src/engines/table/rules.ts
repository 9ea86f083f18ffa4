/**
 * Ruling lines of a table crop: long, thin runs of ink along rows (horizontal rules) or columns (vertical
 * rules). Text strokes are short and text lines are thick, so length and thickness separate rules from text;
 * small breaks (scan dropouts, dashed rules) are bridged.
 */
export interface Rule {
  /** Position across the rule (y for horizontal, x for vertical), the centre of its thickness. */
  at: number;
  /** Extent along the rule. */
  from: number;
  to: number;
  thickness: number;
}

export interface Rules {
  horizontal: Rule[];
  vertical: Rule[];
}

export interface BinaryImage {
  width: number;
  height: number;
  /** 1 = ink. */
  ink: Uint8Array;
}

/**
 * Ink for finding rules: what Otsu calls ink, and also light grid lines — lighter than text, which a threshold
 * pulled down by dark text or a dark banner leaves out, but clearly darker than what lies just beside them
 * across the line, either way. A tint or a fill stays paper, so a shaded band does not swallow the rules that
 * cross it; where two light rules cross, each is a line across the other, so neither is broken there.
 * `tintedOnly` (whole pages): light lines count only on or along a tint, not on white paper, where they are ruled notebook
 * paper and guide lines far more often than a table's grid; a table crop takes them anywhere.
 */
export function ruleInk(gray: Uint8Array, width: number, height: number, threshold: number, reach: number, tintedOnly = false): BinaryImage {
  let tint = 256;
  if (tintedOnly) {
    const counts = new Uint32Array(256);
    for (const g of gray) counts[g]!++;
    let paper = Math.min(255, threshold);
    for (let g = paper; g < 256; g++) if (counts[g]! > counts[paper]!) paper = g;
    tint = paper - tintMargin;
  }
  const ink = new Uint8Array(width * height);
  const ridge = (g: number, a: number, b: number) => {
    const [ga, gb] = [gray[a]!, gray[b]!];
    return g + lineContrast <= ga && g + lineContrast <= gb && (ga < tint || gb < tint);
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const g = gray[i]!;
      if (
        g < threshold ||
        (x >= reach && x + reach < width && ridge(g, i - reach, i + reach)) ||
        (y >= reach && y + reach < height && ridge(g, i - reach * width, i + reach * width))
      ) {
        ink[i] = 1;
      }
    }
  }
  return { width, height, ink };
}

/** A tint is at least this much darker than the paper, the page's commonest light grey (grey levels); paper noise and JPEG ringing stay under it. */
const tintMargin = 12;

/** How much darker than both its sides a light rule's pixels are at least (grey levels). */
const lineContrast = 25;

export function binarize(gray: Uint8Array, width: number, height: number, threshold: number): BinaryImage {
  const ink = new Uint8Array(width * height);
  for (let i = 0; i < ink.length; i++) ink[i] = gray[i]! < threshold ? 1 : 0;
  return { width, height, ink };
}

export interface RuleOptions {
  /** Shortest run that can be a rule, in pixels. */
  minLength: number;
  /** Thickest run that can be a rule (text lines are thicker), in pixels. */
  maxThickness: number;
  /** Gaps up to this many pixels inside a run are bridged. */
  maxGap: number;
  /**
   * Also a rule: the lower edge of a long block too thick to be one (a shaded header band ends there). For
   * horizontal rules of a table crop only, where such blocks are bands and shaded rows.
   */
  fillEdges?: boolean;
}

export function findRules(image: BinaryImage, horizontalOptions: RuleOptions, verticalOptions: RuleOptions): Rules {
  const drawn = (direction: 'horizontal' | 'vertical', options: RuleOptions) => scan(image, direction, options).filter((rule) => !insideFill(image, direction, rule));
  return { horizontal: drawn('horizontal', horizontalOptions), vertical: drawn('vertical', verticalOptions) };
}

/**
 * A run inside a filled area (a shaded header band with light text, once binarised) is ink between two letters
 * of the fill, not a drawn rule: a rule has paper on at least one side along its length (letters beside a rule
 * ink well under a third of it; the fill beside a run between letter holes, a half and more).
 */
function insideFill(image: BinaryImage, direction: 'horizontal' | 'vertical', rule: Rule): boolean {
  const offset = Math.ceil(rule.thickness / 2) + 2;
  const beside = (across: number) => inkShareAlong(image, direction, Math.round(across), Math.floor(rule.from), Math.ceil(rule.to));
  return beside(rule.at - offset) > 0.3 && beside(rule.at + offset) > 0.3;
}

/** Share of ink on one scan line (a row for horizontal, a column for vertical) between two positions; 0 off the image. */
function inkShareAlong(image: BinaryImage, direction: 'horizontal' | 'vertical', line: number, from: number, to: number): number {
  if (line < 0 || line >= (direction === 'horizontal' ? image.height : image.width)) return 0;
  let ink = 0;
  for (let pos = from; pos < to; pos++) ink += direction === 'horizontal' ? image.ink[line * image.width + pos]! : image.ink[pos * image.width + line]!;
  return ink / Math.max(1, to - from);
}

/** Long runs per scan line, then runs on neighbouring scan lines that overlap are merged into one rule. */
function scan(image: BinaryImage, direction: 'horizontal' | 'vertical', options: RuleOptions): Rule[] {
  const lines = direction === 'horizontal' ? image.height : image.width;
  const length = direction === 'horizontal' ? image.width : image.height;
  const at = (line: number, pos: number) => (direction === 'horizontal' ? image.ink[line * image.width + pos]! : image.ink[pos * image.width + line]!);
  interface Open { from: number; to: number; first: number; last: number }
  let open: Open[] = [];
  const done: Open[] = [];
  for (let line = 0; line <= lines; line++) {
    const runs: [number, number][] = [];
    if (line < lines) {
      let start = -1, lastInk = -1;
      for (let pos = 0; pos <= length; pos++) {
        const ink = pos < length && at(line, pos);
        if (ink) {
          if (start < 0) start = pos;
          else if (pos - lastInk - 1 > options.maxGap) {
            if (lastInk + 1 - start >= options.minLength) runs.push([start, lastInk + 1]);
            start = pos;
          }
          lastInk = pos;
        }
      }
      if (start >= 0 && lastInk + 1 - start >= options.minLength) runs.push([start, lastInk + 1]);
    }
    const next: Open[] = [];
    for (const [from, to] of runs) {
      const joined = open.filter((o) => o.from < to && from < o.to);
      const merged = { from, to, first: line, last: line };
      for (const o of joined) {
        merged.from = Math.min(merged.from, o.from);
        merged.to = Math.max(merged.to, o.to);
        merged.first = Math.min(merged.first, o.first);
        open = open.filter((x) => x !== o);
      }
      next.push(merged);
    }
    done.push(...open);
    open = next;
  }
  const rules = done
    .filter((o) => o.last - o.first + 1 <= options.maxThickness)
    .map((o) => ({ at: (o.first + o.last + 1) / 2, from: o.from, to: o.to, thickness: o.last - o.first + 1 }));
  if (options.fillEdges) {
    // Paper below the block: its edge, not the fill above a line of light letters.
    for (const o of done) {
      if (o.last - o.first + 1 > options.maxThickness && o.last + 1 < lines && inkShareAlong(image, direction, o.last + 1, o.from, o.to) < 0.3) {
        rules.push({ at: o.last + 1, from: o.from, to: o.to, thickness: 1 });
      }
    }
  }
  return rules.sort((a, b) => a.at - b.at || a.from - b.from);
}

/** Removes rule pixels so that text recognition and ink measurements see only text. */
export function eraseRules(image: BinaryImage, rules: Rules): void {
  for (const r of rules.horizontal) {
    const y0 = Math.max(0, Math.floor(r.at - r.thickness / 2 - 1)), y1 = Math.min(image.height, Math.ceil(r.at + r.thickness / 2 + 1));
    for (let y = y0; y < y1; y++) image.ink.fill(0, y * image.width + Math.max(0, r.from), y * image.width + Math.min(image.width, r.to));
  }
  for (const r of rules.vertical) {
    const x0 = Math.max(0, Math.floor(r.at - r.thickness / 2 - 1)), x1 = Math.min(image.width, Math.ceil(r.at + r.thickness / 2 + 1));
    for (let y = Math.max(0, r.from); y < Math.min(image.height, r.to); y++) image.ink.fill(0, y * image.width + x0, y * image.width + x1);
  }
}

/**
 * Median height of the ink's connected components that are glyph-sized: the table's character height, which
 * scales the rule thresholds before any text has been read.
 */
export function typicalGlyphHeight(image: BinaryImage): number {
  const heights = inkComponents(image)
    .filter((c) => c.count >= 4 && c.y1 - c.y0 + 1 >= 4 && c.y1 - c.y0 + 1 < 0.3 * image.height && c.x1 - c.x0 + 1 < 0.3 * image.width)
    .map((c) => c.y1 - c.y0 + 1);
  if (heights.length === 0) return 10;
  heights.sort((a, b) => a - b);
  return heights[heights.length >> 1]!;
}

export interface InkComponent {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Ink pixels. */
  count: number;
}

/** 4-connected components of the ink, with their bounds and pixel counts. */
export function inkComponents({ width, height, ink }: BinaryImage): InkComponent[] {
  const seen = new Uint8Array(width * height);
  const stack: number[] = [];
  const found: InkComponent[] = [];
  for (let start = 0; start < ink.length; start++) {
    if (!ink[start] || seen[start]) continue;
    seen[start] = 1;
    stack.push(start);
    const c: InkComponent = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity, count: 0 };
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % width, y = (i - x) / width;
      c.count++;
      if (x < c.x0) c.x0 = x;
      if (x > c.x1) c.x1 = x;
      if (y < c.y0) c.y0 = y;
      if (y > c.y1) c.y1 = y;
      if (x > 0 && ink[i - 1] && !seen[i - 1]) (seen[i - 1] = 1), stack.push(i - 1);
      if (x + 1 < width && ink[i + 1] && !seen[i + 1]) (seen[i + 1] = 1), stack.push(i + 1);
      if (y > 0 && ink[i - width] && !seen[i - width]) (seen[i - width] = 1), stack.push(i - width);
      if (y + 1 < height && ink[i + width] && !seen[i + width]) (seen[i + width] = 1), stack.push(i + width);
    }
    found.push(c);
  }
  return found;
}

/**
 * Skew angle (radians, positive = clockwise in image coordinates) that makes text rows and horizontal rules
 * horizontal: the shear whose row profile of ink is most peaked (highest sum of squares), searched ±5°.
 */
export function estimateSkew(image: BinaryImage): number {
  const { width, height, ink } = image;
  const points: number[] = [];
  // Subsample ink pixels on large crops; the profile needs thousands, not millions.
  const total = ink.reduce((n, v) => n + v, 0);
  const step = Math.max(1, Math.floor(total / 40000));
  let k = 0;
  for (let i = 0; i < ink.length; i++) if (ink[i] && k++ % step === 0) points.push(i % width, Math.floor(i / width));
  if (points.length < 40) return 0;
  const score = (angle: number) => {
    const t = Math.tan(angle);
    const margin = Math.ceil(Math.abs(t) * width) + 1;
    const profile = new Float64Array(height + 2 * margin);
    for (let p = 0; p < points.length; p += 2) profile[Math.round(points[p + 1]! - points[p]! * t) + margin]!++;
    let sum = 0;
    for (const v of profile) sum += v * v;
    return sum;
  };
  let best = 0, bestScore = score(0);
  for (let deg = -5; deg <= 5.001; deg += 0.25) {
    const s = score((deg * Math.PI) / 180);
    if (s > bestScore) [best, bestScore] = [(deg * Math.PI) / 180, s];
  }
  // Refine around the coarse optimum.
  const coarse = best;
  for (let d = -0.2; d <= 0.2001; d += 0.05) {
    const a = coarse + (d * Math.PI) / 180;
    const s = score(a);
    if (s > bestScore) [best, bestScore] = [a, s];
  }
  return best;
}
