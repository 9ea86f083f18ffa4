/**
 * PP-OCRv4 text detection (DB): preprocessing and post-processing as pure functions.
 * The network outputs a per-pixel text probability; text kernels are shrunk versions of the lines, so each
 * connected region is grown back ("unclipped") by a distance proportional to area / perimeter.
 */
import type { RgbImage } from '../../pipeline/image';
import { resizeBilinear } from '../../pipeline/image';
import { minAreaRect, toTextRect, type Point, type RotatedRect } from '../geometry';

/** ImageNet statistics in the model's BGR channel order (PaddleOCR decodes with OpenCV). */
const mean = [0.406, 0.456, 0.485];
const std = [0.225, 0.224, 0.229];

export interface DetInput {
  tensor: Float32Array;
  width: number;
  height: number;
  /** Detection pixels per source pixel. */
  scale: number;
  /** White margin added around the scaled image, in detection pixels. */
  pad: number;
}

const detPad = 16;

/** The detector's input for a w × h image at `scale`: scaled, a margin of `pad` around, multiples of 32. */
export function detInputSize(w: number, h: number, scale: number, pad = detPad): { width: number; height: number } {
  const side = (v: number) => Math.ceil((Math.max(1, Math.round(v * scale)) + 2 * pad) / 32) * 32;
  return { width: side(w), height: side(h) };
}

/**
 * Scales the image, surrounds it with a white margin (DB misses text that touches the border, and user crops
 * are often tight) and pads to multiples of 32 without distorting the aspect ratio.
 */
export function detPreprocess(image: RgbImage, scale: number, pad = detPad): DetInput {
  const sw = Math.max(1, Math.round(image.width * scale));
  const sh = Math.max(1, Math.round(image.height * scale));
  const scaled = sw === image.width && sh === image.height ? image : resizeBilinear(image, sw, sh);
  const { width, height } = detInputSize(image.width, image.height, scale, pad);
  const plane = width * height;
  const tensor = new Float32Array(3 * plane);
  const white = [0, 1, 2].map((c) => (1 - mean[c]!) / std[c]!);
  for (let c = 0; c < 3; c++) tensor.fill(white[c]!, c * plane, (c + 1) * plane);
  const d = scaled.data;
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const s = (y * sw + x) * 3;
      const o = (y + pad) * width + x + pad;
      // Source is RGB; channel 0 of the tensor is blue.
      tensor[o] = (d[s + 2]! / 255 - mean[0]!) / std[0]!;
      tensor[plane + o] = (d[s + 1]! / 255 - mean[1]!) / std[1]!;
      tensor[2 * plane + o] = (d[s]! / 255 - mean[2]!) / std[2]!;
    }
  }
  return { tensor, width, height, scale, pad };
}

export interface DbOptions {
  /** Pixel probability above which a pixel belongs to a text kernel. */
  binaryThreshold: number;
  /** Minimum mean probability inside a candidate box. */
  boxThreshold: number;
  /** Growth of the shrunk kernel back to the text line (DB's unclip ratio). */
  unclipRatio: number;
  minSize: number;
  maxCandidates: number;
}

/** PaddleOCR's defaults for PP-OCRv4 detection. */
export const defaultDbOptions: DbOptions = { binaryThreshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, minSize: 3, maxCandidates: 1000 };

export interface DetectedBox {
  rect: RotatedRect;
  score: number;
}

/** Turns the probability map into text rectangles, in probability-map pixels. */
export function dbPostprocess(prob: Float32Array, width: number, height: number, options: DbOptions = defaultDbOptions): DetectedBox[] {
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = prob[i]! > options.binaryThreshold ? 1 : 0;
  const labels = new Int32Array(width * height);
  const boxes: DetectedBox[] = [];
  const stack: number[] = [];
  let label = 0;
  for (let start = 0; start < mask.length && boxes.length < options.maxCandidates; start++) {
    if (!mask[start] || labels[start]) continue;
    label++;
    // Row extents of the component: the hull of pixel corners at each row's ends is the component's hull.
    const rowMin = new Map<number, number>();
    const rowMax = new Map<number, number>();
    labels[start] = label;
    stack.push(start);
    let count = 0;
    while (stack.length > 0) {
      const i = stack.pop()!;
      count++;
      const x = i % width;
      const y = (i - x) / width;
      const lo = rowMin.get(y);
      if (lo === undefined || x < lo) rowMin.set(y, x);
      const hi = rowMax.get(y);
      if (hi === undefined || x > hi) rowMax.set(y, x);
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width || (dx === 0 && dy === 0)) continue;
          const j = ny * width + nx;
          if (mask[j] && !labels[j]) {
            labels[j] = label;
            stack.push(j);
          }
        }
      }
    }
    if (count < 4) continue;
    const points: Point[] = [];
    for (const [y, x0] of rowMin) {
      const x1 = rowMax.get(y)! + 1;
      points.push([x0, y], [x0, y + 1], [x1, y], [x1, y + 1]);
    }
    const kernel = minAreaRect(points);
    if (Math.min(kernel.width, kernel.height) < options.minSize) continue;
    // Scored inside the component's own outline (PaddleOCR's "slow" mode), not its rectangle: a superscript or a
    // short last word leaves a blank wedge in the rectangle that pulled a clear line under the threshold.
    const score = meanInsideRows(prob, width, rowMin, rowMax);
    if (score < options.boxThreshold) continue;
    const grown = unclip(kernel, options.unclipRatio);
    if (Math.min(grown.width, grown.height) < options.minSize + 2) continue;
    boxes.push({ rect: toTextRect(grown), score });
  }
  return boxes;
}

/** Grows a rectangle by DB's offset distance: area × ratio / perimeter on every side. */
export function unclip(rect: RotatedRect, ratio: number): RotatedRect {
  const perimeter = 2 * (rect.width + rect.height);
  const distance = perimeter > 0 ? (rect.width * rect.height * ratio) / perimeter : 0;
  return { ...rect, width: rect.width + 2 * distance, height: rect.height + 2 * distance };
}

function meanInsideRows(prob: Float32Array, width: number, rowMin: Map<number, number>, rowMax: Map<number, number>): number {
  let sum = 0, n = 0;
  for (const [y, x0] of rowMin) {
    const x1 = rowMax.get(y)!;
    for (let x = x0; x <= x1; x++) sum += prob[y * width + x]!;
    n += x1 - x0 + 1;
  }
  return n > 0 ? sum / n : 0;
}
