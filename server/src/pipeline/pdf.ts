import * as path from 'node:path';
import { OcrError } from '../errors';
import type { Region } from '../protocol';
import { rgbaToRgb, type RgbImage } from './image';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs', { with: { 'resolution-mode': 'import' } });
let pdfjsPromise: Promise<PdfJs> | undefined;

/** pdf.js is ESM-only; load it once, lazily, so text-only image work never pays for it. */
export function loadPdfJs(): Promise<PdfJs> {
  pdfjsPromise ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjsPromise;
}

function pdfjsAssetDir(name: string): string {
  const pkg = require.resolve('pdfjs-dist/package.json');
  return path.join(path.dirname(pkg), name) + path.sep;
}

export interface PdfPageRender {
  image: RgbImage;
  pageCount: number;
  /** Page size in points, /Rotate applied. */
  pageWidth: number;
  pageHeight: number;
  /** Rendered pixels per point (dpi / 72) after any reduction to stay within the pixel limit. */
  scale: number;
}

/**
 * Renders one page (or a region of it, in points) at `dpi`. The region is rendered directly at OCR resolution
 * by shifting the viewport, so a small box on a large page costs only its own pixels.
 */
export async function renderPdfPage(
  bytes: Uint8Array,
  pageNumber: number,
  region: Region | undefined,
  dpi: number,
  maxPixels: number,
  clampRegion: (region: Region | undefined, width: number, height: number) => Region,
): Promise<PdfPageRender> {
  const pdfjs = await loadPdfJs();
  // pdf.js may transfer the buffer it is given; hand it a copy so the caller's bytes stay usable.
  const task = pdfjs.getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    standardFontDataUrl: pdfjsAssetDir('standard_fonts'),
    cMapUrl: pdfjsAssetDir('cmaps'),
    cMapPacked: true,
    verbosity: 0,
  });
  let doc;
  try {
    doc = await task.promise;
  } catch (error) {
    await task.destroy();
    throw pdfError(error);
  }
  try {
    const pageCount = doc.numPages;
    if (pageNumber < 1 || pageNumber > pageCount) {
      throw new OcrError('pageOutOfRange', `Page ${pageNumber} is out of range: the PDF has ${pageCount} page(s).`);
    }
    const page = await doc.getPage(pageNumber).catch((error: unknown) => {
      throw pdfError(error);
    });
    const unit = page.getViewport({ scale: 1 });
    const box = clampRegion(region, unit.width, unit.height);
    // Large-format pages: lower the resolution rather than refuse, since the user asked for a normal page.
    const scale = Math.min(dpi / 72, Math.sqrt(maxPixels / (box.width * box.height)));
    const width = Math.max(1, Math.ceil(box.width * scale));
    const height = Math.max(1, Math.ceil(box.height * scale));
    const viewport = page.getViewport({ scale, offsetX: -box.x * scale, offsetY: -box.y * scale });
    const factory = (doc as unknown as { canvasFactory: CanvasFactory }).canvasFactory;
    const { canvas, context } = factory.create(width, height);
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
    try {
      await page.render({ canvas: canvas as never, canvasContext: context as never, viewport }).promise;
    } catch (error) {
      throw pdfError(error);
    }
    const pixels = context.getImageData(0, 0, width, height).data;
    factory.destroy({ canvas, context });
    page.cleanup();
    return { image: rgbaToRgb(pixels, width, height), pageCount, pageWidth: unit.width, pageHeight: unit.height, scale };
  } finally {
    await doc.destroy();
  }
}

interface CanvasAndContext {
  canvas: unknown;
  context: {
    fillStyle: string;
    fillRect(x: number, y: number, w: number, h: number): void;
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}
interface CanvasFactory {
  create(width: number, height: number): CanvasAndContext;
  destroy(canvasAndContext: CanvasAndContext): void;
}

/** Number of pages, without rendering anything. */
export async function countPdfPages(bytes: Uint8Array): Promise<number> {
  const pdfjs = await loadPdfJs();
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, verbosity: 0 });
  try {
    const doc = await task.promise;
    return doc.numPages;
  } catch (error) {
    throw pdfError(error);
  } finally {
    await task.destroy();
  }
}

function pdfError(error: unknown): Error {
  if (error instanceof OcrError) return error;
  const name = (error as { name?: string })?.name ?? '';
  const message = (error as { message?: string })?.message ?? String(error);
  if (name === 'PasswordException') {
    return new OcrError('encryptedPdf', 'The PDF is password-protected; open it in a PDF reader, remove the password, and try again.', { cause: error });
  }
  if (name === 'InvalidPDFException' || name === 'MissingPDFException' || name === 'UnknownErrorException' || name === 'FormatError') {
    return new OcrError('corruptPdf', `The PDF is damaged or truncated and cannot be read (${message}).`, { cause: error });
  }
  return new OcrError('corruptPdf', `The PDF page could not be rendered (${message}).`, { cause: error });
}
