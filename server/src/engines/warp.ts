import type { RgbImage } from '../pipeline/image';
import type { RotatedRect } from './geometry';

/** Keys' cubic convolution kernel (a = -0.5), the sharpest of the common interpolators without ringing halos. */
function cubic(t: number): number {
  const x = Math.abs(t);
  if (x <= 1) return (1.5 * x - 2.5) * x * x + 1;
  if (x < 2) return ((-0.5 * x + 2.5) * x - 4) * x + 2;
  return 0;
}

/**
 * Samples a rotated rectangle of the image into an upright `outWidth × outHeight` RGB image. Bicubic, because
 * small text is upscaled here several times over and bilinear blur costs the recogniser accuracy.
 * Pixels outside the image read as white paper.
 */
export function warpRect(image: RgbImage, rect: RotatedRect, outWidth: number, outHeight: number): RgbImage {
  const out = new Uint8Array(outWidth * outHeight * 3);
  const ux = Math.cos(rect.angle), uy = Math.sin(rect.angle);
  const sx = rect.width / outWidth, sy = rect.height / outHeight;
  const { width: w, height: h, data } = image;
  const wx = [0, 0, 0, 0], wy = [0, 0, 0, 0];
  for (let oy = 0; oy < outHeight; oy++) {
    const v = (oy + 0.5) * sy - rect.height / 2;
    for (let ox = 0; ox < outWidth; ox++) {
      const u = (ox + 0.5) * sx - rect.width / 2;
      const fx = rect.cx + u * ux - v * uy - 0.5;
      const fy = rect.cy + u * uy + v * ux - 0.5;
      const ix = Math.floor(fx), iy = Math.floor(fy);
      const tx = fx - ix, ty = fy - iy;
      for (let k = 0; k < 4; k++) {
        wx[k] = cubic(tx - (k - 1));
        wy[k] = cubic(ty - (k - 1));
      }
      let r = 0, g = 0, b = 0;
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
            const p = (yy * w + xx) * 3;
            r += data[p]! * weight;
            g += data[p + 1]! * weight;
            b += data[p + 2]! * weight;
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
