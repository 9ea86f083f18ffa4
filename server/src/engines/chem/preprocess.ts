/**
 * Image preparation for OSRA. Pure functions on grey rasters, plus PNG encoding. Which of them the engine uses,
 * and with which constants, was chosen on our own rendered tuning set (training/chem/make-tuning-set.mjs and
 * tune-preprocess.mts; numbers in bench/README.md), never on the evaluation sets.
 */
import sharp from 'sharp';
import { toGray, type RgbImage } from '../../pipeline/image';

export interface Gray {
  width: number;
  height: number;
  data: Uint8Array;
}

export function grayOf(image: RgbImage): Gray {
  return { width: image.width, height: image.height, data: toGray(image) };
}

/** Otsu's threshold on a grey histogram: pixels ≤ threshold are ink. */
export function otsuThreshold(data: Uint8Array): number {
  const hist = new Float64Array(256);
  for (let i = 0; i < data.length; i++) hist[data[i]!]!++;
  const total = data.length;
  let sumAll = 0;
  for (let v = 0; v < 256; v++) sumAll += v * hist[v]!;
  let weightB = 0;
  let sumB = 0;
  let best = 0;
  let threshold = 127;
  for (let t = 0; t < 256; t++) {
    weightB += hist[t]!;
    if (weightB === 0) continue;
    const weightF = total - weightB;
    if (weightF === 0) break;
    sumB += t * hist[t]!;
    const meanB = sumB / weightB;
    const meanF = (sumAll - sumB) / weightF;
    const between = weightB * weightF * (meanB - meanF) ** 2;
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  return threshold;
}

/**
 * Local (Sauvola) binarisation for uneven light and grey paper: ink where the pixel is darker than
 * mean·(1 + k·(sd/128 − 1)) over a window. Summed-area tables make it O(pixels). Returns 0 (ink) / 255.
 */
export function sauvola(gray: Gray, window: number, k = 0.2): Gray {
  const { width, height, data } = gray;
  const w1 = width + 1;
  const sum = new Float64Array(w1 * (height + 1));
  const sq = new Float64Array(w1 * (height + 1));
  for (let y = 0; y < height; y++) {
    let rowSum = 0;
    let rowSq = 0;
    for (let x = 0; x < width; x++) {
      const v = data[y * width + x]!;
      rowSum += v;
      rowSq += v * v;
      sum[(y + 1) * w1 + x + 1] = sum[y * w1 + x + 1]! + rowSum;
      sq[(y + 1) * w1 + x + 1] = sq[y * w1 + x + 1]! + rowSq;
    }
  }
  const r = Math.max(1, Math.floor(window / 2));
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(0, y - r), y1 = Math.min(height, y + r + 1);
    for (let x = 0; x < width; x++) {
      const x0 = Math.max(0, x - r), x1 = Math.min(width, x + r + 1);
      const n = (y1 - y0) * (x1 - x0);
      const s = sum[y1 * w1 + x1]! - sum[y0 * w1 + x1]! - sum[y1 * w1 + x0]! + sum[y0 * w1 + x0]!;
      const s2 = sq[y1 * w1 + x1]! - sq[y0 * w1 + x1]! - sq[y1 * w1 + x0]! + sq[y0 * w1 + x0]!;
      const mean = s / n;
      const sd = Math.sqrt(Math.max(0, s2 / n - mean * mean));
      out[y * width + x] = data[y * width + x]! <= mean * (1 + k * (sd / 128 - 1)) ? 0 : 255;
    }
  }
  return { width, height, data: out };
}

/** 3×3 median filter (salt-and-pepper noise, JPEG speckle). */
export function median3(gray: Gray): Gray {
  const { width, height, data } = gray;
  const out = new Uint8Array(data.length);
  const window = new Uint8Array(9);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = Math.min(height - 1, Math.max(0, y + dy));
        for (let dx = -1; dx <= 1; dx++) window[n++] = data[yy * width + Math.min(width - 1, Math.max(0, x + dx))]!;
      }
      window.sort();
      out[y * width + x] = window[4]!;
    }
  }
  return { width, height, data: out };
}

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Bounding box of the ink (Otsu threshold), ignoring isolated specks: a pixel counts when at least `minNeighbours`
 * of its 8 neighbours are ink too. Undefined when there is no ink, or when the crop is uniform (no contrast).
 */
export function inkBounds(gray: Gray, minNeighbours = 2): Box | undefined {
  const { width, height, data } = gray;
  let lo = 255, hi = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i]! < lo) lo = data[i]!;
    if (data[i]! > hi) hi = data[i]!;
  }
  if (hi - lo < 40) return undefined;
  const t = otsuThreshold(data);
  const ink = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && data[y * width + x]! <= t;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!ink(x, y)) continue;
      let n = 0;
      for (let dy = -1; dy <= 1 && n < minNeighbours; dy++) for (let dx = -1; dx <= 1; dx++) if ((dx || dy) && ink(x + dx, y + dy)) n++;
      if (n < minNeighbours) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? undefined : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** Crops to `box` and adds `pad` pixels of white on every side. */
export function cropPad(gray: Gray, box: Box, pad: number): Gray {
  const w = box.x1 - box.x0 + 2 * pad;
  const h = box.y1 - box.y0 + 2 * pad;
  const out = new Uint8Array(w * h).fill(255);
  for (let y = box.y0; y < box.y1; y++) {
    out.set(gray.data.subarray(y * gray.width + box.x0, y * gray.width + box.x1), (y - box.y0 + pad) * w + pad);
  }
  return { width: w, height: h, data: out };
}

/** Crops to the ink with a margin of 5 % of the drawing's longer side (at least 10 px); unchanged when blank. */
export function cropToInk(gray: Gray): Gray {
  const box = inkBounds(gray);
  if (!box) return gray;
  return cropPad(gray, box, Math.max(10, Math.round(0.05 * Math.max(box.x1 - box.x0, box.y1 - box.y0))));
}

/** How one OSRA run sees the crop. */
export interface PreparePlan {
  /** Scale the grey crop so its longer side has this many pixels (before any binarisation). */
  longSide?: number;
  /** Median 3×3, then Sauvola (window 41 px): for photos, grey paper, noise and JPEG artefacts. */
  binarize?: boolean;
}

/** grey → [crop, scale] → [median + Sauvola] → crop to ink with padding. */
export async function prepare(gray: Gray, plan: PreparePlan): Promise<Gray> {
  let g = gray;
  if (plan.longSide) {
    g = cropToInk(g);
    g = await scaleGray(g, plan.longSide / Math.max(g.width, g.height));
  }
  if (plan.binarize) g = sauvola(median3(g), 41);
  return cropToInk(g);
}

/** Resizes by `factor` (Lanczos via sharp/libvips), keeping it grey. */
export async function scaleGray(gray: Gray, factor: number): Promise<Gray> {
  if (Math.abs(factor - 1) < 1e-3) return gray;
  const width = Math.max(1, Math.round(gray.width * factor));
  const height = Math.max(1, Math.round(gray.height * factor));
  // libvips would hand back 3 channels for a 1-channel raw input without the explicit colourspace.
  const { data, info } = await sharp(gray.data, { raw: { width: gray.width, height: gray.height, channels: 1 } })
    .resize(width, height, { kernel: 'lanczos3', fit: 'fill' })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1 || data.length !== width * height) throw new Error(`scaleGray: expected ${width}×${height}×1, got ${info.width}×${info.height}×${info.channels}`);
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

export function encodePng(gray: Gray): Promise<Buffer> {
  return sharp(gray.data, { raw: { width: gray.width, height: gray.height, channels: 1 } }).png({ compressionLevel: 1 }).toBuffer();
}
