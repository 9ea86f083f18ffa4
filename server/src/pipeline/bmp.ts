import { OcrError } from '../errors';
import type { RgbImage } from './image';

/**
 * BMP decoder: libvips as shipped with sharp cannot read BMP. Covers what scanners and Paint write:
 * uncompressed 1/4/8-bit paletted and 16/24/32-bit, bottom-up or top-down. RLE is refused with a clear error.
 */
export function readBmpSize(bytes: Uint8Array): { width: number; height: number } {
  if (bytes.length < 26) throw new OcrError('corruptImage', 'The BMP file is truncated (no header).');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = view.getUint32(14, true);
  if (headerSize === 12) return { width: view.getUint16(18, true), height: view.getUint16(20, true) };
  if (bytes.length < 54) throw new OcrError('corruptImage', 'The BMP file is truncated (no header).');
  return { width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) };
}

export function decodeBmp(bytes: Uint8Array): RgbImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { width, height } = readBmpSize(bytes);
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  const core = headerSize === 12;
  const rawHeight = core ? view.getUint16(20, true) : view.getInt32(22, true);
  const topDown = rawHeight < 0;
  const bitCount = view.getUint16(core ? 24 : 28, true);
  const compression = core ? 0 : view.getUint32(30, true);
  // BI_BITFIELDS (3) with the default 5-5-5 / 8-8-8 masks is read like BI_RGB below.
  if (compression !== 0 && compression !== 3) {
    throw new OcrError('unsupportedFormat', 'Compressed (RLE) BMP files are not supported; save the image as PNG.');
  }
  if (width === 0 || height === 0) throw new OcrError('corruptImage', 'The BMP image has no pixels.');
  if (![1, 4, 8, 16, 24, 32].includes(bitCount)) {
    throw new OcrError('corruptImage', `The BMP file declares ${bitCount} bits per pixel, which is not valid.`);
  }
  let palette: Uint8Array | undefined;
  if (bitCount <= 8) {
    const entrySize = core ? 3 : 4;
    const declared = core ? 0 : view.getUint32(46, true);
    const count = declared || 1 << bitCount;
    const start = 14 + headerSize;
    palette = new Uint8Array(count * 3);
    for (let i = 0; i < count && start + i * entrySize + 2 < bytes.length; i++) {
      palette[i * 3] = bytes[start + i * entrySize + 2]!;
      palette[i * 3 + 1] = bytes[start + i * entrySize + 1]!;
      palette[i * 3 + 2] = bytes[start + i * entrySize]!;
    }
  }
  const rowBytes = Math.ceil((width * bitCount) / 32) * 4;
  if (dataOffset + rowBytes * height > bytes.length) {
    throw new OcrError('corruptImage', 'The BMP file is truncated: its pixel data is shorter than its header says.');
  }
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (palette) {
        const bitPos = x * bitCount;
        const byte = bytes[row + (bitPos >> 3)]!;
        const index = (byte >> (8 - bitCount - (bitPos & 7))) & ((1 << bitCount) - 1);
        out[o] = palette[index * 3] ?? 0;
        out[o + 1] = palette[index * 3 + 1] ?? 0;
        out[o + 2] = palette[index * 3 + 2] ?? 0;
      } else if (bitCount === 16) {
        const v = view.getUint16(row + x * 2, true);
        out[o] = ((v >> 10) & 31) * 8.23;
        out[o + 1] = ((v >> 5) & 31) * 8.23;
        out[o + 2] = (v & 31) * 8.23;
      } else {
        const p = row + x * (bitCount / 8);
        out[o] = bytes[p + 2]!;
        out[o + 1] = bytes[p + 1]!;
        out[o + 2] = bytes[p]!;
      }
    }
  }
  return { width, height, data: out };
}
