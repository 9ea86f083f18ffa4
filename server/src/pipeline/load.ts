import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { OcrError } from '../errors';
import type { ImageSource, Limits, Region } from '../protocol';
import { decodeBmp, readBmpSize } from './bmp';
import { cropImage, rgbaToRgb, type RgbImage } from './image';
import { renderPdfPage } from './pdf';

export const defaultPdfDpi = 300;

/** A page raster ready for OCR, and how its pixels map back to page units. */
export interface LoadedPage {
  image: RgbImage;
  pageNumber: number;
  pageCount: number;
  unit: 'px' | 'pt';
  pageWidth: number;
  pageHeight: number;
  /** Raster pixels per page unit. */
  scale: number;
  /** Page-unit position of the raster's top-left pixel (the region's origin). */
  originX: number;
  originY: number;
}

export type SourceFormat = 'pdf' | 'bmp' | 'raster';

export async function readSource(source: ImageSource, limits: Limits): Promise<Uint8Array> {
  const given = [source.path, source.uri, source.data].filter((v) => v !== undefined).length;
  if (given !== 1) throw new OcrError('badRequest', 'Give exactly one of source.path, source.uri or source.data.');
  if (source.data !== undefined) {
    if (typeof source.data !== 'string') throw new OcrError('badRequest', 'source.data must be a base64 string.');
    if ((source.data.length * 3) / 4 > limits.maxFileBytes) throw tooLargeFile(limits);
    const bytes = Buffer.from(source.data, 'base64');
    if (bytes.length === 0) throw new OcrError('corruptImage', 'source.data is empty.');
    return bytes;
  }
  const filePath = resolvePath(source);
  let size: number;
  try {
    const stat = await fs.stat(filePath);
    if (!stat.isFile()) throw new OcrError('fileNotFound', `Not a file: ${filePath}`);
    size = stat.size;
  } catch (error) {
    if (error instanceof OcrError) throw error;
    throw new OcrError('fileNotFound', `File not found: ${filePath}`, { cause: error });
  }
  if (size > limits.maxFileBytes) throw tooLargeFile(limits);
  if (size === 0) throw new OcrError('corruptImage', `The file is empty: ${filePath}`);
  return fs.readFile(filePath);
}

function resolvePath(source: ImageSource): string {
  if (source.uri !== undefined) {
    if (typeof source.uri !== 'string' || !source.uri.startsWith('file:')) {
      throw new OcrError('badRequest', 'source.uri must be a file: URI.');
    }
    return fileURLToPath(source.uri);
  }
  if (typeof source.path !== 'string' || source.path === '') throw new OcrError('badRequest', 'source.path must be a non-empty string.');
  return path.resolve(source.path);
}

function tooLargeFile(limits: Limits): OcrError {
  return new OcrError('tooLarge', `The file is larger than the limit of ${Math.round(limits.maxFileBytes / 1048576)} MB (maxFileBytes).`);
}

export function sniffFormat(bytes: Uint8Array): SourceFormat {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  if (head.includes('%PDF-')) return 'pdf';
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) return 'bmp';
  return 'raster';
}

/** Validates a region and clips it to the page; a region entirely outside the page is an error. */
export function clampRegion(region: Region | undefined, width: number, height: number): Region {
  if (region === undefined) return { x: 0, y: 0, width, height };
  const { x, y, width: w, height: h } = region;
  if (![x, y, w, h].every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new OcrError('badRegion', 'The region must have finite numeric x, y, width and height.');
  }
  if (w <= 0 || h <= 0) throw new OcrError('badRegion', 'The region is empty: width and height must be positive.');
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(width, x + w);
  const y1 = Math.min(height, y + h);
  if (x1 - x0 < 1 || y1 - y0 < 1) {
    throw new OcrError('badRegion', `The region (${x}, ${y}, ${w} × ${h}) lies outside the page (${round(width)} × ${round(height)}).`);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

const round = (v: number) => Math.round(v * 100) / 100;

export async function loadPage(
  bytes: Uint8Array,
  options: { page?: number; region?: Region; dpi?: number },
  limits: Limits,
): Promise<LoadedPage> {
  const pageNumber = options.page ?? 1;
  if (!Number.isInteger(pageNumber)) throw new OcrError('badRequest', 'page must be an integer (1-based).');
  const format = sniffFormat(bytes);
  if (format === 'pdf') {
    const dpi = options.dpi ?? defaultPdfDpi;
    if (typeof dpi !== 'number' || !(dpi >= 36 && dpi <= limits.maxPdfDpi)) {
      throw new OcrError('badRequest', `dpi must be between 36 and ${limits.maxPdfDpi} (maxPdfDpi).`);
    }
    const render = await renderPdfPage(bytes, pageNumber, options.region, dpi, limits.maxPixels, clampRegion);
    const box = clampRegion(options.region, render.pageWidth, render.pageHeight);
    return {
      image: render.image,
      pageNumber,
      pageCount: render.pageCount,
      unit: 'pt',
      pageWidth: render.pageWidth,
      pageHeight: render.pageHeight,
      scale: render.scale,
      originX: box.x,
      originY: box.y,
    };
  }
  const { image, pageCount } = format === 'bmp' ? decodeBmpPage(bytes, pageNumber, limits) : await decodeRaster(bytes, pageNumber, limits);
  const box = clampRegion(options.region, image.width, image.height);
  const x = Math.floor(box.x);
  const y = Math.floor(box.y);
  const cropped =
    box.width === image.width && box.height === image.height
      ? image
      : cropImage(image, x, y, Math.max(1, Math.min(image.width - x, Math.round(box.x + box.width) - x)), Math.max(1, Math.min(image.height - y, Math.round(box.y + box.height) - y)));
  return { image: cropped, pageNumber, pageCount, unit: 'px', pageWidth: image.width, pageHeight: image.height, scale: 1, originX: x, originY: y };
}

function checkPixels(width: number, height: number, limits: Limits): void {
  if (width * height > limits.maxPixels) {
    throw new OcrError(
      'tooLarge',
      `The image is ${width} × ${height} pixels, above the limit of ${limits.maxPixels / 1e6} megapixels (maxPixels); scale it down or select a region of a smaller copy.`,
    );
  }
}

function decodeBmpPage(bytes: Uint8Array, pageNumber: number, limits: Limits): { image: RgbImage; pageCount: number } {
  if (pageNumber !== 1) throw new OcrError('pageOutOfRange', `Page ${pageNumber} is out of range: the image has 1 page.`);
  const { width, height } = readBmpSize(bytes);
  checkPixels(width, height, limits);
  return { image: decodeBmp(bytes), pageCount: 1 };
}

async function decodeRaster(bytes: Uint8Array, pageNumber: number, limits: Limits): Promise<{ image: RgbImage; pageCount: number }> {
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new OcrError('corruptImage', 'The file is not an image this tool can read (PNG, JPEG, TIFF, WebP, BMP, GIF or PDF), or it is damaged.', { cause: error });
  }
  const pageCount = meta.pages ?? 1;
  if (pageNumber < 1 || pageNumber > pageCount) {
    throw new OcrError('pageOutOfRange', `Page ${pageNumber} is out of range: the image has ${pageCount} page(s).`);
  }
  // Header sizes are checked before any pixel is decoded, so a decompression bomb costs nothing.
  if (pageNumber > 1) meta = await sharp(bytes, { page: pageNumber - 1, limitInputPixels: false }).metadata();
  checkPixels(meta.width ?? 0, meta.pageHeight ?? meta.height ?? 0, limits);
  try {
    const { data, info } = await sharp(bytes, { page: pageNumber - 1, limitInputPixels: limits.maxPixels, failOn: 'error' })
      .rotate()
      .ensureAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { image: rgbaToRgb(data, info.width, info.height), pageCount };
  } catch (error) {
    throw new OcrError('corruptImage', `The image is damaged and cannot be decoded (${(error as Error).message}).`, { cause: error });
  }
}
