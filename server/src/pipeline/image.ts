import sharp from 'sharp';

/** 8-bit RGB pixels, row-major, 3 bytes per pixel: the one raster type every stage passes around. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export function createImage(width: number, height: number, fill = 255): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3).fill(fill) };
}

/** Integer-pixel crop; the rectangle must already lie inside the image. */
export function cropImage(image: RgbImage, x: number, y: number, width: number, height: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * image.width + x) * 3;
    out.set(image.data.subarray(from, from + width * 3), row * width * 3);
  }
  return { width, height, data: out };
}

/** RGBA (canvas, sharp with alpha) to RGB, compositing over white so transparent areas read as paper. */
export function rgbaToRgb(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; j < out.length; i += 4, j += 3) {
    if (rgba[i + 3] === 255) {
      out[j] = rgba[i]!;
      out[j + 1] = rgba[i + 1]!;
      out[j + 2] = rgba[i + 2]!;
      continue;
    }
    const a = rgba[i + 3]! / 255;
    out[j] = Math.round(rgba[i]! * a + 255 * (1 - a));
    out[j + 1] = Math.round(rgba[i + 1]! * a + 255 * (1 - a));
    out[j + 2] = Math.round(rgba[i + 2]! * a + 255 * (1 - a));
  }
  return { width, height, data: out };
}

export function toGray(image: RgbImage): Uint8Array {
  const gray = new Uint8Array(image.width * image.height);
  const d = image.data;
  for (let i = 0, j = 0; i < gray.length; i++, j += 3) {
    gray[i] = (d[j]! * 299 + d[j + 1]! * 587 + d[j + 2]! * 114 + 500) / 1000;
  }
  return gray;
}

/**
 * Bilinear resize to an exact size. Used to shrink pages for detection, where bilinear's slight blur is
 * harmless; upscaling for recognition goes through the bicubic sampler in `warp.ts` instead.
 */
export function resizeBilinear(image: RgbImage, width: number, height: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  const sx = image.width / width;
  const sy = image.height / height;
  const src = image.data;
  const w = image.width;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), image.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, image.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const wx = fx - x0;
      const o = (y * width + x) * 3;
      const a = (y0 * w + x0) * 3;
      const b = (y0 * w + x1) * 3;
      const c = (y1 * w + x0) * 3;
      const e = (y1 * w + x1) * 3;
      for (let k = 0; k < 3; k++) {
        const top = src[a + k]! + (src[b + k]! - src[a + k]!) * wx;
        const bottom = src[c + k]! + (src[e + k]! - src[c + k]!) * wx;
        out[o + k] = top + (bottom - top) * wy + 0.5;
      }
    }
  }
  return { width, height, data: out };
}

/**
 * Enlarges an image `factor` times with a Lanczos kernel: small type read from a bilinear upscale blurs its
 * strokes together, which costs the recogniser letters and word spaces.
 */
export async function enlargeLanczos(image: RgbImage, factor: number): Promise<RgbImage> {
  const { data, info } = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .resize(Math.round(image.width * factor), Math.round(image.height * factor), { kernel: 'lanczos3', fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
