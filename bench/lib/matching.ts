/**
 * Edit distances and the assignment problem for the page benchmark (bench/pages.mts). The OmniDocBench
 * matcher compares every ground-truth block with every predicted paragraph, and with every window of them, so
 * the Levenshtein distance here is Myers' bit-parallel one (blocks of 32 pattern characters, Myers 1999) rather
 * than the quadratic table. Strings are compared by code point, as Python's `Levenshtein.distance` does.
 */

export const codePoints = (s: string): number[] => Array.from(s, (c) => c.codePointAt(0)!);

/** A fixed pattern, preprocessed once, compared against many texts. */
export class EditPattern {
  readonly length: number;
  private readonly blocks: number;
  private readonly peq = new Map<number, Int32Array>();
  private readonly zero: Int32Array;
  private readonly lastBit: number;
  private readonly pv: Int32Array;
  private readonly mv: Int32Array;

  constructor(pattern: number[] | string) {
    const p = typeof pattern === 'string' ? codePoints(pattern) : pattern;
    this.length = p.length;
    this.blocks = Math.max(1, Math.ceil(p.length / 32));
    this.zero = new Int32Array(this.blocks);
    p.forEach((c, i) => {
      let m = this.peq.get(c);
      if (!m) this.peq.set(c, (m = new Int32Array(this.blocks)));
      m[i >> 5]! |= 1 << (i & 31);
    });
    this.lastBit = 1 << ((Math.max(1, p.length) - 1) & 31);
    this.pv = new Int32Array(this.blocks);
    this.mv = new Int32Array(this.blocks);
  }

  /** Levenshtein distance between the pattern and text[from, to). */
  distance(text: number[], from = 0, to = text.length): number {
    const m = this.length;
    if (m === 0) return to - from;
    if (to <= from) return m;
    const { pv, mv, blocks } = this;
    pv.fill(-1);
    mv.fill(0);
    let score = m;
    for (let j = from; j < to; j++) {
      const eqs = this.peq.get(text[j]!) ?? this.zero;
      // The horizontal delta entering the first block is +1: row 0 of the table is 0, 1, 2, …
      let hin = 1;
      for (let b = 0; b < blocks; b++) {
        let eq = eqs[b]!;
        const p = pv[b]!, n = mv[b]!;
        const xv = eq | n;
        if (hin < 0) eq |= 1;
        const xh = (((eq & p) + p) ^ p) | eq;
        let ph = n | ~(xh | p);
        let mh = p & xh;
        const high = b === blocks - 1 ? this.lastBit : 0x80000000 | 0;
        const hout = ph & high ? 1 : mh & high ? -1 : 0;
        ph <<= 1;
        mh <<= 1;
        if (hin < 0) mh |= 1;
        else if (hin > 0) ph |= 1;
        pv[b] = mh | ~(xv | ph);
        mv[b] = ph & xv;
        hin = hout;
      }
      score += hin;
    }
    return score;
  }
}

/** Levenshtein distance by code points. */
export function levenshtein(a: string, b: string): number {
  const x = codePoints(a), y = codePoints(b);
  if (x.length === 0) return y.length;
  if (y.length === 0) return x.length;
  return x.length <= y.length ? new EditPattern(x).distance(y) : new EditPattern(y).distance(x);
}

/** Levenshtein distance over the longer length (0 for two empty strings), as OmniDocBench's cost matrices use. */
export function normalizedDistance(a: string, b: string): number {
  const la = codePoints(a).length, lb = codePoints(b).length;
  if (la === 0 && lb === 0) return 0;
  return levenshtein(a, b) / Math.max(la, lb);
}

/** Levenshtein distance between two sequences of any comparable items (reading-order lists). */
export function sequenceDistance<T>(a: readonly T[], b: readonly T[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * min over windows text[i, i + |pattern|) of the Levenshtein distance to the pattern, divided by |pattern|
 * (OmniDocBench's `sub_pred_fuzzy_matching` / `sub_gt_fuzzy_matching`); undefined when the text is shorter
 * than the pattern or the pattern is empty.
 */
export function windowDistance(pattern: string, text: string): number | undefined {
  const p = codePoints(pattern), t = codePoints(text);
  if (p.length === 0 || t.length < p.length) return undefined;
  const matcher = new EditPattern(p);
  let best = Infinity;
  for (let i = 0; i + p.length <= t.length && best > 0; i++) best = Math.min(best, matcher.distance(t, i, i + p.length));
  return best / p.length;
}

/**
 * The rectangular assignment problem (scipy's `linear_sum_assignment`): pairs (row, column), one per row or
 * column of the smaller side, with the least total cost. Shortest augmenting paths with potentials (Hungarian
 * method, O(n²m)); ties may be broken differently from scipy.
 */
export function assignment(cost: number[][]): [number, number][] {
  const rows = cost.length, cols = rows ? cost[0]!.length : 0;
  if (rows === 0 || cols === 0) return [];
  const transposed = rows > cols;
  const n = transposed ? cols : rows, m = transposed ? rows : cols;
  const c = (i: number, j: number) => (transposed ? cost[j]![i]! : cost[i]![j]!);
  // 1-based arrays: p[j] = row assigned to column j; u, v potentials.
  const u = new Float64Array(n + 1), v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1), way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Infinity, j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = c(i0 - 1, j - 1) - u[i0]! - v[j]!;
        if (cur < minv[j]!) (minv[j] = cur), (way[j] = j0);
        if (minv[j]! < delta) (delta = minv[j]!), (j1 = j);
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) (u[p[j]!]! += delta), (v[j]! -= delta);
        else minv[j]! -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0);
  }
  const pairs: [number, number][] = [];
  for (let j = 1; j <= m; j++) if (p[j]) pairs.push(transposed ? [j - 1, p[j]! - 1] : [p[j]! - 1, j - 1]);
  return pairs.sort((a, b) => a[0] - b[0]);
}
