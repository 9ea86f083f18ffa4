/**
 * Formula crop → model input, exactly as training/math/data.py `preprocess` does it (the model only knows
 * images prepared that way): grey levels as PIL computes them, ink box from percentiles, contrast stretch,
 * PIL-compatible bilinear resampling (with its antialiasing when shrinking), padding to the width grid.
 */
import type { RgbImage } from '../../pipeline/image';

export interface MathInputSpec {
  height: number;
  max_width: number;
  width_multiple: number;
  pad: number;
}

/**
 * numpy.percentile (linear interpolation) of 8-bit levels / 255, from a histogram: the k-th smallest value
 * is the first level whose cumulative count exceeds k, so no sort of millions of pixels is needed.
 */
export function percentile(histogram: Uint32Array, total: number, p: number): number {
  const orderStatistic = (k: number) => {
    let seen = 0;
    for (let level = 0; level < 256; level++) {
      seen += histogram[level]!;
      if (seen > k) return level / 255;
    }
    return 1;
  };
  const pos = ((total - 1) * p) / 100;
  const lo = Math.floor(pos);
  const a = orderStatistic(lo), b = orderStatistic(Math.min(total - 1, lo + 1));
  return a + (b - a) * (pos - lo);
}

/** PIL's `L` conversion: ITU-R 601-2 luma in 16-bit fixed point. */
function pilGray(image: RgbImage): Uint8Array {
  const out = new Uint8Array(image.width * image.height);
  const d = image.data;
  for (let i = 0, j = 0; i < out.length; i++, j += 3) out[i] = (d[j]! * 19595 + d[j + 1]! * 38470 + d[j + 2]! * 7471 + 0x8000) >> 16;
  return out;
}

export interface Prepared {
  tensor: Float32Array;
  width: number;
  /** The ink box in the crop's pixels (the whole crop when contrast is too low to find one). */
  box: { x0: number; y0: number; x1: number; y1: number };
}

export function preprocessFormula(image: RgbImage, spec: MathInputSpec): Prepared {
  const gray = pilGray(image);
  const a = Float32Array.from(gray, (v) => v / 255);
  const histogram = new Uint32Array(256);
  for (const v of gray) histogram[v]!++;
  const lo = percentile(histogram, gray.length, 1);
  const bg = percentile(histogram, gray.length, 50);
  let box = { x0: 0, y0: 0, x1: image.width, y1: image.height };
  if (bg - lo >= 0.15) {
    const threshold = lo + 0.5 * (bg - lo);
    let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        if (a[y * image.width + x]! < threshold) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    }
    if (x1 >= 0) box = { x0, y0, x1: x1 + 1, y1: y1 + 1 };
  }
  const w = box.x1 - box.x0, h = box.y1 - box.y0;
  const den = Math.max(bg - lo, 1e-3);
  // Inverted, stretched crop as 8-bit, as the Python side builds its PIL image.
  const ink = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = Math.min(1, Math.max(0, (a[(y + box.y0) * image.width + x + box.x0]! - lo) / den));
      ink[y * w + x] = Math.floor((1 - v) * 255 + 0.5);
    }
  }
  const s = Math.min((spec.height - 2 * spec.pad) / h, (spec.max_width - 2 * spec.pad) / w);
  const nw = Math.max(1, pyRound(w * s)), nh = Math.max(1, pyRound(h * s));
  const resized = pilResizeBilinear(ink, w, h, nw, nh);
  const width = Math.min(spec.max_width, Math.ceil((nw + 2 * spec.pad) / spec.width_multiple) * spec.width_multiple);
  const tensor = new Float32Array(spec.height * width);
  const top = Math.floor((spec.height - nh) / 2);
  for (let y = 0; y < nh; y++) {
    for (let x = 0; x < nw && spec.pad + x < width; x++) tensor[(top + y) * width + spec.pad + x] = resized[y * nw + x]! / 255;
  }
  return { tensor, width, box };
}

/** Python's round(): halves go to the even neighbour. */
function pyRound(v: number): number {
  const f = Math.floor(v);
  const diff = v - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

const precisionBits = 32 - 8 - 2;

/** PIL `ImagingResample` weights for the bilinear (triangle) filter, in its fixed point. */
function coefficients(inSize: number, outSize: number): { start: Int32Array; count: Int32Array; weights: Int32Array[] } {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const start = new Int32Array(outSize), count = new Int32Array(outSize);
  const weights: Int32Array[] = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const k: number[] = [];
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) / filterScale);
      const w = t < 1 ? 1 - t : 0;
      k.push(w);
      total += w;
    }
    start[xx] = xmin;
    count[xx] = xmax;
    // PIL rounds each normalised weight to fixed point (half away from zero).
    weights.push(Int32Array.from(k, (w) => {
      const v = (total ? w / total : 0) * (1 << precisionBits);
      return v < 0 ? Math.trunc(v - 0.5) : Math.trunc(v + 0.5);
    }));
  }
  return { start, count, weights };
}

const clip8 = (v: number) => {
  const r = Math.floor((v + (1 << (precisionBits - 1))) / (1 << precisionBits));
  return r < 0 ? 0 : r > 255 ? 255 : r;
};

/** Horizontal pass, then vertical, with 8-bit rounding between them, as PIL does. */
export function pilResizeBilinear(src: Uint8Array, w: number, h: number, nw: number, nh: number): Uint8Array {
  let current = src, cw = w;
  if (nw !== w) {
    const c = coefficients(w, nw);
    const out = new Uint8Array(nw * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < nw; x++) {
        let acc = 0;
        const k = c.weights[x]!;
        for (let i = 0; i < c.count[x]!; i++) acc += current[y * cw + c.start[x]! + i]! * k[i]!;
        out[y * nw + x] = clip8(acc);
      }
    }
    current = out;
    cw = nw;
  }
  if (nh !== h) {
    const c = coefficients(h, nh);
    const out = new Uint8Array(cw * nh);
    for (let y = 0; y < nh; y++) {
      const k = c.weights[y]!;
      for (let x = 0; x < cw; x++) {
        let acc = 0;
        for (let i = 0; i < c.count[y]!; i++) acc += current[(c.start[y]! + i) * cw + x]! * k[i]!;
        out[y * cw + x] = clip8(acc);
      }
    }
    current = out;
  }
  return current;
}
