/**
 * Memory per request. Before anything is decoded, the peak a request will need is estimated from the file's
 * header (rasters) or the page's size (PDFs) and refused over `memoryPerRequestMB`; while it runs, the daemon's
 * RSS is compared with `rssCeilingMB` at every checkpoint, so a request the estimate misjudged is stopped
 * instead of the system killing the daemon.
 *
 * The coefficients were measured as the growth of VmHWM over one request (onnxruntime-node 1.30 on CPU,
 * PP-OCRv4; 2026-11-22): a 22 MP PNG decodes in 7.5 B/px, a PDF render costs 12 B/px, PP-OCRv4 detection
 * 216 B per pixel of its input (onnxruntime's activations; its arena keeps them for the next request), one
 * recognition batch of 6 000 columns 124 MB and a classifier batch 25 MB. The estimate is a bound, not a
 * forecast: detection reaches its largest input only on pages of small text (16 copies of the sample scan on
 * one 22 MP page took 1.22 GB against an estimate of 1.6 GB), while large text stays far below it.
 */
import sharp from 'sharp';
import { detInputSize } from './engines/text/det';
import { detMaxScale, detMaxSide } from './engines/text';
import { OcrError } from './errors';
import { readBmpSize } from './pipeline/bmp';
import { clampRegion, defaultPdfDpi, sniffFormat } from './pipeline/load';
import { PdfDocument, renderScale } from './pipeline/pdf';
import type { Limits, RecognitionMode, Region } from './protocol';

const MiB = 1024 * 1024;

/** What a request will decode and work on, known before decoding. */
export interface PagePlan {
  format: 'raster' | 'bmp' | 'pdf';
  /** Pixels decoded from the file: the whole image for rasters, the rendered region for PDFs. */
  decodedPixels: number;
  /** The raster the engine works on: the region (or page) at OCR resolution. */
  width: number;
  height: number;
  fileBytes: number;
  /** EXIF rotation: libvips holds another RGBA copy while it rotates. */
  rotated?: boolean;
  /** PDFs: the resolution after any reduction to stay within maxPixels. */
  dpi?: number;
}

/** Bytes per decoded pixel: sharp's RGBA + our RGB; BMP straight to RGB; PDF canvas + getImageData copy + RGB. */
const decodeBytesPerPixel = { raster: 7.5, bmp: 3, pdf: 12 } as const;
const detectionBytesPerPixel = 224; // 216 measured + the scaled RGB, mask and labels of det.ts (8 B)
/** Recognition and classifier batches (bounded by recBatchColumns and 32 windows) and the math decoder. */
const modelWorkingBytes = 160 * MiB;
/**
 * Working copies of the region per mode, in bytes per pixel: grey pages, binary masks, deskewed and cleaned
 * copies (table: 10, measured 8 on an unskewed page), auto adds the table engine on a block; chem runs two
 * Sauvola binarisations at once (two Float64 integral images each). Auto's route to chem for a page that is a
 * single drawing is not counted (it would double every page's estimate); the RSS ceiling covers that case.
 */
const workingBytesPerPixel: Record<RecognitionMode, number> = { text: 2, math: 6, table: 10, auto: 12, chem: 40 };
/** Modes that run PP-OCRv4 detection on the region. */
const detectingModes: readonly RecognitionMode[] = ['text', 'table', 'auto'];

/** Pixels of the largest detection input a w × h raster can get (the second detection pass may scale up to it). */
export function detectionPixels(width: number, height: number): number {
  const input = detInputSize(width, height, Math.min(detMaxScale, detMaxSide / Math.max(width, height)));
  return input.width * input.height;
}

export function estimateRequestBytes(plan: PagePlan, mode: RecognitionMode): number {
  const region = plan.width * plan.height;
  const decode =
    plan.decodedPixels * (decodeBytesPerPixel[plan.format] + (plan.rotated ? 4 : 0)) +
    // A region of a raster is cropped into a copy of its own.
    (plan.format !== 'pdf' && region < plan.decodedPixels ? 3 * region : 0);
  // pdf.js parses its own copy of the file.
  const file = plan.fileBytes * (plan.format === 'pdf' ? 2 : 1);
  const detection = detectingModes.includes(mode) ? detectionBytesPerPixel * detectionPixels(plan.width, plan.height) : 0;
  return file + decode + workingBytesPerPixel[mode] * region + detection + modelWorkingBytes;
}

/** Refuses a request whose estimate is over the limit, saying what it needs and what to do. */
export function checkRequestMemory(plan: PagePlan, mode: RecognitionMode, limits: Limits): void {
  const needed = estimateRequestBytes(plan, mode);
  const limit = limits.memoryPerRequestMB * MiB;
  if (needed <= limit) return;
  const what = plan.format === 'pdf' ? `a ${plan.width} × ${plan.height} px render at ${Math.round(plan.dpi ?? defaultPdfDpi)} dpi` : `${plan.width} × ${plan.height} px`;
  throw new OcrError(
    'tooLarge',
    `This ${mode} request needs ≈ ${formatBytes(needed)} of memory (${what}), over the per-request memory limit of ${formatBytes(limit)} (memoryPerRequestMB); ` +
      `select a smaller region${plan.format === 'pdf' ? ', use a lower DPI' : ''} or raise the limit.`,
  );
}

/**
 * What a PDF page render will produce, mirroring PdfDocument.render: the region clipped to the page, at `dpi`
 * lowered to stay within maxPixels.
 */
export function planPdfPage(page: { width: number; height: number }, region: Region | undefined, dpi: number, limits: Limits, fileBytes: number): PagePlan {
  const box = clampRegion(region, page.width, page.height);
  const scale = renderScale(box, dpi, limits.maxPixels);
  const width = Math.max(1, Math.ceil(box.width * scale));
  const height = Math.max(1, Math.ceil(box.height * scale));
  return { format: 'pdf', decodedPixels: width * height, width, height, fileBytes, dpi: scale * 72 };
}

/**
 * Reads only headers (or the PDF page's size) to plan a request. Undefined when the request is invalid in a
 * way loadPage reports with its own, more precise error (bad dpi or page, over maxPixels, unreadable image).
 */
export async function planPage(bytes: Uint8Array, options: { page?: number; region?: Region; dpi?: number }, limits: Limits): Promise<PagePlan | undefined> {
  const pageNumber = options.page ?? 1;
  const format = sniffFormat(bytes);
  if (format === 'pdf') {
    const dpi = options.dpi ?? defaultPdfDpi;
    if (typeof dpi !== 'number' || !(dpi >= 36 && dpi <= limits.maxPdfDpi)) return undefined;
    const doc = await PdfDocument.open(bytes);
    try {
      return planPdfPage(await doc.pageSize(pageNumber), options.region, dpi, limits, bytes.length);
    } finally {
      await doc.close();
    }
  }
  let width: number, height: number, rotated = false;
  if (format === 'bmp') {
    if (pageNumber !== 1) return undefined;
    ({ width, height } = readBmpSize(bytes));
  } else {
    try {
      const first = await sharp(bytes, { limitInputPixels: false }).metadata();
      if (pageNumber < 1 || pageNumber > (first.pages ?? 1)) return undefined;
      const meta = pageNumber > 1 ? await sharp(bytes, { page: pageNumber - 1, limitInputPixels: false }).metadata() : first;
      width = meta.width ?? 0;
      height = meta.pageHeight ?? meta.height ?? 0;
      rotated = (meta.orientation ?? 1) > 1;
      // Orientations 5–8 turn the image a quarter, and regions are given on the turned image.
      if ((meta.orientation ?? 1) >= 5) [width, height] = [height, width];
    } catch {
      return undefined;
    }
  }
  if (width * height > limits.maxPixels || width < 1 || height < 1) return undefined;
  const box = clampRegion(options.region, width, height);
  return { format, decodedPixels: width * height, width: Math.ceil(box.width), height: Math.ceil(box.height), fileBytes: bytes.length, rotated };
}

/**
 * The daemon-wide RSS ceiling, read at each checkpoint of one request. Memory that onnxruntime's arena and the
 * allocator kept from earlier requests is reused rather than new, so when the daemon already sits above the
 * ceiling as the request starts, only growth beyond `slack` stops it (otherwise no request could ever run again).
 */
export class RssCeiling {
  private readonly threshold: number;
  /** The RSS that crossed the threshold; 0 while below. */
  reached = 0;

  constructor(
    private readonly limits: Limits,
    private readonly rss: () => number = () => process.memoryUsage.rss(),
    slack = 64 * MiB,
  ) {
    this.threshold = Math.max(limits.rssCeilingMB * MiB, rss() + slack);
  }

  exceeded(): boolean {
    if (!this.reached) {
      const now = this.rss();
      if (now > this.threshold) this.reached = now;
    }
    return this.reached > 0;
  }

  error(): OcrError {
    return new OcrError(
      'tooLarge',
      `The request was stopped: the daemon's memory reached ${formatBytes(this.reached)}, above the ceiling of ${formatBytes(this.limits.rssCeilingMB * MiB)} (rssCeilingMB); ` +
        'select a smaller region or use a lower DPI.',
    );
  }
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * MiB ? `${Number((bytes / (1024 * MiB)).toFixed(1))} GB` : `${Math.round(bytes / MiB)} MB`;
}
