import type { RgbImage } from '../pipeline/image';
import type { RotatedRect } from './geometry';

/**
 * Keys' cubic convolution weights (a = -0.5), the sharpest of the common interpolators without ringing halos, for
 * the four taps at distances 1 + t, t, 1 - t, 2 - t (0 ≤ t < 1) from the sample point.
 */
function cubicWeights(t: number, out: Float64Array): void {
  const a = 1 + t, c = 1 - t, d = 2 - t;
  out[0] = ((-0.5 * a + 2.5) * a - 4) * a + 2;
  out[1] = (1.5 * t - 2.5) * t * t + 1;
  out[2] = (1.5 * c - 2.5) * c * c + 1;
  out[3] = ((-0.5 * d + 2.5) * d - 4) * d + 2;
}

/**
 * Samples a rotated rectangle of the image into an upright `outWidth × outHeight` RGB image. Bicubic, because
 * small text is upscaled here several times over and bilinear blur costs the recogniser accuracy.
 * Pixels outside the image read as white paper.
 */
export function warpRect(image: RgbImage, rect: RotatedRect, outWidth: number, outHeight: number): RgbImage {
  if (rect.angle === 0) return warpUpright(image, rect, outWidth, outHeight);
  const out = new Uint8Array(outWidth * outHeight * 3);
  const ux = Math.cos(rect.angle), uy = Math.sin(rect.angle);
  const sx = rect.width / outWidth, sy = rect.height / outHeight;
  const { width: w, height: h, data } = image;
  const row = w * 3;
  const wx = new Float64Array(4), wy = new Float64Array(4);
  for (let oy = 0; oy < outHeight; oy++) {
    const v = (oy + 0.5) * sy - rect.height / 2;
    for (let ox = 0; ox < outWidth; ox++) {
      const u = (ox + 0.5) * sx - rect.width / 2;
      const fx = rect.cx + u * ux - v * uy - 0.5;
      const fy = rect.cy + u * uy + v * ux - 0.5;
      const ix = Math.floor(fx), iy = Math.floor(fy);
      const tx = fx - ix, ty = fy - iy;
      cubicWeights(tx, wx);
      cubicWeights(ty, wy);
      let r = 0, g = 0, b = 0;
      if (ix >= 1 && iy >= 1 && ix + 2 < w && iy + 2 < h) {
        // All 16 taps inside the image: the common case, without a bounds test per tap.
        let p = (iy - 1) * row + (ix - 1) * 3;
        for (let j = 0; j < 4; j++, p += row) {
          const a = wy[j]!;
          const w0 = wx[0]! * a, w1 = wx[1]! * a, w2 = wx[2]! * a, w3 = wx[3]! * a;
          r += data[p]! * w0 + data[p + 3]! * w1 + data[p + 6]! * w2 + data[p + 9]! * w3;
          g += data[p + 1]! * w0 + data[p + 4]! * w1 + data[p + 7]! * w2 + data[p + 10]! * w3;
          b += data[p + 2]! * w0 + data[p + 5]! * w1 + data[p + 8]! * w2 + data[p + 11]! * w3;
        }
      } else {
        for (let j = 0; j < 4; j++) {
          const yy = iy + j - 1;
          for (let i = 0; i < 4; i++) {
            const xx = ix + i - 1;
            const weight = wx[i]! * wy[j]!;
            if (xx < 0 || yy < 0 || xx >= w || yy >= h) {
              r += 255 * weight;
              g += 255 * weight;
              b += 255 * weight;
            } else {
              const q = (yy * w + xx) * 3;
              r += data[q]! * weight;
              g += data[q + 1]! * weight;
              b += data[q + 2]! * weight;
            }
          }
        }
      }
      const o = (oy * outWidth + ox) * 3;
      out[o] = r < 0 ? 0 : r > 255 ? 255 : r + 0.5;
      out[o + 1] = g < 0 ? 0 : g > 255 ? 255 : g + 0.5;
      out[o + 2] = b < 0 ? 0 : b > 255 ? 255 : b + 0.5;
    }
  }
  return { width: outWidth, height: outHeight, data: out };
}

/**
 * `warpRect` for an unrotated rectangle (most text lines), computed in two passes: each output row first
 * interpolates the four source rows it needs into one row of source columns, then each output pixel reads four
 * columns of that row. Same sampling and weights; a third of the arithmetic when lines are upscaled.
 */
function warpUpright(image: RgbImage, rect: RotatedRect, outWidth: number, outHeight: number): RgbImage {
  const out = new Uint8Array(outWidth * outHeight * 3);
  const sx = rect.width / outWidth, sy = rect.height / outHeight;
  const { width: w, height: h, data } = image;
  // Horizontal taps per output column: the first source column and its four weights.
  const firstColumn = new Int32Array(outWidth);
  const columnWeights = new Float64Array(outWidth * 4);
  const weights = new Float64Array(4);
  for (let ox = 0; ox < outWidth; ox++) {
    const fx = rect.cx + (ox + 0.5) * sx - rect.width / 2 - 0.5;
    const ix = Math.floor(fx);
    firstColumn[ox] = ix - 1;
    cubicWeights(fx - ix, weights);
    columnWeights.set(weights, ox * 4);
  }
  const x0 = firstColumn[0]!;
  const span = firstColumn[outWidth - 1]! + 4 - x0;
  const blended = new Float64Array(span * 3);
  for (let oy = 0; oy < outHeight; oy++) {
    const fy = rect.cy + (oy + 0.5) * sy - rect.height / 2 - 0.5;
    const iy = Math.floor(fy);
    cubicWeights(fy - iy, weights);
    for (let c = 0; c < span; c++) {
      const x = x0 + c;
      let r = 0, g = 0, b = 0;
      for (let j = 0; j < 4; j++) {
        const y = iy + j - 1;
        const weight = weights[j]!;
        if (x < 0 || y < 0 || x >= w || y >= h) {
          // Outside the image is white paper.
          r += 255 * weight;
          g += 255 * weight;
          b += 255 * weight;
        } else {
          const q = (y * w + x) * 3;
          r += data[q]! * weight;
          g += data[q + 1]! * weight;
          b += data[q + 2]! * weight;
        }
      }
      blended[c * 3] = r;
      blended[c * 3 + 1] = g;
      blended[c * 3 + 2] = b;
    }
    for (let ox = 0; ox < outWidth; ox++) {
      let p = (firstColumn[ox]! - x0) * 3;
      const k = ox * 4;
      const w0 = columnWeights[k]!, w1 = columnWeights[k + 1]!, w2 = columnWeights[k + 2]!, w3 = columnWeights[k + 3]!;
      const r = blended[p]! * w0 + blended[p + 3]! * w1 + blended[p + 6]! * w2 + blended[p + 9]! * w3;
      const g = blended[++p]! * w0 + blended[p + 3]! * w1 + blended[p + 6]! * w2 + blended[p + 9]! * w3;
      const b = blended[++p]! * w0 + blended[p + 3]! * w1 + blended[p + 6]! * w2 + blended[p + 9]! * w3;
      const o = (oy * outWidth + ox) * 3;
      out[o] = r < 0 ? 0 : r > 255 ? 255 : r + 0.5;
      out[o + 1] = g < 0 ? 0 : g > 255 ? 255 : g + 0.5;
      out[o + 2] = b < 0 ? 0 : b > 255 ? 255 : b + 0.5;
    }
  }
  return { width: outWidth, height: outHeight, data: out };
}

/** Rotates an image by 180° (upside-down lines found by the angle classifier). */
export function rotate180(image: RgbImage): RgbImage {
  const out = new Uint8Array(image.data.length);
  const n = image.width * image.height;
  for (let i = 0; i < n; i++) {
    const s = i * 3, d = (n - 1 - i) * 3;
    out[d] = image.data[s]!;
    out[d + 1] = image.data[s + 1]!;
    out[d + 2] = image.data[s + 2]!;
  }
  return { width: image.width, height: image.height, data: out };
}
