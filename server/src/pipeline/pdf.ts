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

/** A text run of the PDF's own text layer, in points with a top-left origin (the page as shown). */
export interface PdfTextItem {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Font size in points. */
  size: number;
}

type PdfjsDocument = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;

/** One open PDF: pages are rendered or read from it without parsing the file again. */
export class PdfDocument {
  private constructor(private readonly doc: PdfjsDocument) {}

  static async open(bytes: Uint8Array): Promise<PdfDocument> {
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
      // JPEG 2000 and JBIG2 images (common in scanned PDFs) are decoded by pdf.js's WebAssembly decoders;
      // without them such pages render blank.
      wasmUrl: pdfjsAssetDir('wasm'),
      verbosity: 0,
    });
    try {
      return new PdfDocument(await task.promise);
    } catch (error) {
      await task.destroy();
      throw pdfError(error);
    }
  }

  get pageCount(): number {
    return this.doc.numPages;
  }

  private async page(pageNumber: number) {
    if (pageNumber < 1 || pageNumber > this.doc.numPages) {
      throw new OcrError('pageOutOfRange', `Page ${pageNumber} is out of range: the PDF has ${this.doc.numPages} page(s).`);
    }
    return this.doc.getPage(pageNumber).catch((error: unknown) => {
      throw pdfError(error);
    });
  }

  /**
   * Renders one page (or a region of it, in points) at `dpi`. The region is rendered directly at OCR
   * resolution by shifting the viewport, so a small box on a large page costs only its own pixels.
   */
  async render(
    pageNumber: number,
    region: Region | undefined,
    dpi: number,
    maxPixels: number,
    clampRegion: (region: Region | undefined, width: number, height: number) => Region,
  ): Promise<PdfPageRender> {
    const page = await this.page(pageNumber);
    const unit = page.getViewport({ scale: 1 });
    const box = clampRegion(region, unit.width, unit.height);
    const scale = renderScale(box, dpi, maxPixels);
    const width = Math.max(1, Math.ceil(box.width * scale));
    const height = Math.max(1, Math.ceil(box.height * scale));
    const viewport = page.getViewport({ scale, offsetX: -box.x * scale, offsetY: -box.y * scale });
    const factory = (this.doc as unknown as { canvasFactory: CanvasFactory }).canvasFactory;
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
    return { image: rgbaToRgb(pixels, width, height), pageCount: this.doc.numPages, pageWidth: unit.width, pageHeight: unit.height, scale };
  }

  /** Page size in points, /Rotate applied, without rendering (the memory estimate needs it before decoding). */
  async pageSize(pageNumber: number): Promise<{ width: number; height: number }> {
    const page = await this.page(pageNumber);
    const { width, height } = page.getViewport({ scale: 1 });
    return { width, height };
  }

  /** The page's text layer as positioned runs; empty for scans. */
  async textItems(pageNumber: number): Promise<{ items: PdfTextItem[]; pageWidth: number; pageHeight: number }> {
    const page = await this.page(pageNumber);
    const viewport = page.getViewport({ scale: 1 });
    const content = await page.getTextContent().catch((error: unknown) => {
      throw pdfError(error);
    });
    const items: PdfTextItem[] = [];
    for (const item of content.items) {
      if (!('str' in item) || !item.str.trim()) continue;
      const [a, b, c, d, e, f] = item.transform as number[];
      // Horizontal runs only; rotated text (axis labels, margins) is left to OCR of figures.
      if (Math.abs(b!) > 1e-3 * Math.abs(a!) || Math.abs(c!) > 1e-3 * Math.abs(d!)) continue;
      const size = Math.hypot(c!, d!) || item.height;
      const [x, baseline] = viewport.convertToViewportPoint(e!, f!) as [number, number];
      const [xEnd] = viewport.convertToViewportPoint(e! + item.width, f!) as [number, number];
      items.push({ text: item.str, x0: Math.min(x, xEnd), x1: Math.max(x, xEnd), y0: baseline - 0.8 * size, y1: baseline + 0.2 * size, size });
    }
    page.cleanup();
    return { items, pageWidth: viewport.width, pageHeight: viewport.height };
  }

  async close(): Promise<void> {
    await this.doc.destroy();
  }
}

/**
 * Rendered pixels per point for a box in points. Large-format pages: lower the resolution rather than refuse,
 * since the user asked for a normal page.
 */
export function renderScale(box: { width: number; height: number }, dpi: number, maxPixels: number): number {
  return Math.min(dpi / 72, Math.sqrt(maxPixels / (box.width * box.height)));
}

/** Opens, renders one page, closes: for single requests. */
export async function renderPdfPage(
  bytes: Uint8Array,
  pageNumber: number,
  region: Region | undefined,
  dpi: number,
  maxPixels: number,
  clampRegion: (region: Region | undefined, width: number, height: number) => Region,
): Promise<PdfPageRender> {
  const doc = await PdfDocument.open(bytes);
  try {
    return await doc.render(pageNumber, region, dpi, maxPixels, clampRegion);
  } finally {
    await doc.close();
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
