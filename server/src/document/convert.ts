/**
 * Documents → Markdown files, resumable. Each finished page is stored in `<name>.assets/.pages/` the moment
 * it is done (temp file + rename), so a cancel, crash or reload loses at most the page in progress and a
 * rerun skips finished pages. `<name>.md` appears only when every page is done, again by rename, so a
 * half-written file is never left where the user would take it for the result.
 */
import { createHash } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { checkpoint, OcrError, type CancelToken } from '../errors';
import { cropImage } from '../pipeline/image';
import { checkRequestMemory, estimateRequestBytes, planPage, planPdfPage } from '../memory';
import { clampRegion, defaultPdfDpi, loadPage, readSource, sniffFormat } from '../pipeline/load';
import { PdfDocument } from '../pipeline/pdf';
import type { OcrService } from '../service';
import { markdownFromTextLayer, recognizePage, textLayerUsable, type FormulaReader, type PageMarkdown } from './page';
import { expandSelection, outputPaths, type EntryKind } from './paths';

export { outputPaths };

export interface ConvertOptions {
  /** Folder for `<name>.md` and `<name>.assets/`; default beside the source. */
  outDir?: string;
  /** Replace an existing `<name>.md`; without it such documents are skipped and reported. */
  overwrite?: boolean;
  dpi?: number;
  /** `always`: OCR every page, ignoring PDF text layers (for text layers that are wrong or lack structure). */
  ocr?: 'auto' | 'always';
  /** Pages below this confidence are listed for review. */
  reviewBelow?: number;
}

export interface DocumentOutcome {
  source: string;
  output: string;
  status: 'converted' | 'exists' | 'failed';
  error?: string;
  pages: { page: number; method: PageMarkdown['method']; confidence: number; resumed: boolean }[];
  review: number[];
}

export type Progress = (message: string, pagesDone: number, pageCount: number) => void;

/**
 * Writes through a temp file and renames it into place (atomic on one file system). The temp file goes in
 * `tempDir`, beside the file unless given, so that a crash between write and rename leaves it where a later
 * run removes it.
 */
export async function writeAtomic(file: string, content: string, tempDir = path.dirname(file)): Promise<void> {
  const temp = path.join(tempDir, `${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  await fs.writeFile(temp, content);
  await fs.rename(temp, file);
}

/** Files and folders (searched recursively, like the extension does) → the documents in them. */
export async function expandInputs(inputs: string[]): Promise<string[]> {
  const kindOf = (stat: Stats): EntryKind => (stat.isDirectory() ? 'folder' : stat.isFile() ? 'file' : 'other');
  const selection = await expandSelection(
    inputs.map((input) => path.resolve(input)),
    {
      kind: async (file) => {
        const stat = await fs.stat(file).catch(() => undefined);
        return stat && kindOf(stat);
      },
      // Entries are not followed through symbolic links (they can loop); a chosen link to a folder is.
      list: async (folder) => (await fs.readdir(folder, { withFileTypes: true })).map((e) => [e.name, e.isDirectory() ? 'folder' : e.isFile() ? 'file' : 'other'] as [string, EntryKind]),
    },
  );
  if (selection.missing.length) throw new OcrError('fileNotFound', `Not found: ${selection.missing.join(', ')}`);
  return [...selection.documents, ...selection.unsupported];
}

/** Below this, body text of ordinary sizes is too small for the text detector. */
const minimumOcrDpi = 150;

export async function convertDocument(service: OcrService, source: string, options: ConvertOptions, token: CancelToken, progress: Progress = () => {}): Promise<DocumentOutcome> {
  const paths = outputPaths(source, options.outDir);
  const outcome: DocumentOutcome = { source, output: paths.markdown, status: 'converted', pages: [], review: [] };
  if (!options.overwrite && (await exists(paths.markdown))) return { ...outcome, status: 'exists' };
  const bytes = await readSource({ path: source }, service.limits);
  const isPdf = sniffFormat(bytes) === 'pdf';
  const pdf = isPdf ? await PdfDocument.open(bytes) : undefined;
  try {
    const pageCount = pdf ? pdf.pageCount : ((await sharp(bytes, { limitInputPixels: false }).metadata().catch(() => ({ pages: 1 }))).pages ?? 1);
    // Checked before anything is written, so a refused document leaves no folder behind.
    if (pageCount > service.limits.maxDocumentPages) {
      throw new OcrError('tooLarge', `The document has ${pageCount} pages, more than the ${service.limits.maxDocumentPages} allowed per document (maxDocumentPages); split it or raise the limit.`);
    }
    await fs.mkdir(paths.work, { recursive: true });
    // Pages saved from an earlier version of the file must not be reused.
    // …nor pages made with other settings.
    const fingerprint = createHash('sha256').update(bytes).update(JSON.stringify({ ocr: options.ocr ?? 'auto', dpi: options.dpi ?? defaultPdfDpi })).digest('hex');
    const stamp = path.join(paths.work, 'source.json');
    const previous = await fs.readFile(stamp, 'utf8').then((t) => JSON.parse(t).sha256 as string, () => undefined);
    if (previous !== fingerprint) {
      await fs.rm(paths.work, { recursive: true, force: true });
      await fs.mkdir(paths.work, { recursive: true });
      await writeAtomic(stamp, JSON.stringify({ source, sha256: fingerprint }));
    }
    const results: PageMarkdown[] = [];
    for (let page = 1; page <= pageCount; page++) {
      await checkpoint(token);
      const file = path.join(paths.work, `page-${String(page).padStart(4, '0')}.json`);
      const saved = await fs.readFile(file, 'utf8').then((t) => JSON.parse(t) as PageMarkdown, () => undefined);
      if (saved) {
        results.push(saved);
        outcome.pages.push({ page, method: saved.method, confidence: saved.confidence, resumed: true });
        progress(`page ${page}/${pageCount} (done earlier)`, page, pageCount);
        continue;
      }
      progress(`page ${page}/${pageCount}`, page - 1, pageCount);
      const result = await service.enqueue(token, async (pageToken) => {
        let dpi = options.dpi ?? defaultPdfDpi;
        if (pdf) {
          const layer = await pdf.textItems(page);
          if (options.ocr !== 'always' && textLayerUsable(layer.items)) {
            // Display formulas are rendered on their own and read by the math engine (when it is installed).
            const readFormula: FormulaReader = async (box) => {
              const pad = 4;
              const region = clampRegion({ x: box.x0 - pad, y: box.y0 - pad, width: box.x1 - box.x0 + 2 * pad, height: box.y1 - box.y0 + 2 * pad }, layer.pageWidth, layer.pageHeight);
              const render = await pdf.render(page, region, dpi, service.limits.maxPixels, clampRegion);
              const loaded = { image: render.image, pageNumber: page, pageCount, unit: 'pt' as const, pageWidth: render.pageWidth, pageHeight: render.pageHeight, scale: render.scale, originX: region.x, originY: region.y };
              const result = await service.recognizeLoaded(loaded, 'math', pageToken).catch(() => undefined);
              return result?.math?.valid ? result.content : undefined;
            };
            const markdown = await markdownFromTextLayer(layer.items, layer.pageWidth, layer.pageHeight, readFormula);
            return { page, method: 'text-layer', markdown, confidence: 1 } satisfies PageMarkdown;
          }
          // Each page is a request of its own: a page too large for the memory limit at this resolution (posters,
          // large-format letters) is rendered at a lower one, down to a floor where text is still legible.
          const size = { width: layer.pageWidth, height: layer.pageHeight };
          const fits = (d: number) => estimateRequestBytes(planPdfPage(size, undefined, d, service.limits, bytes.length), 'auto') <= service.limits.memoryPerRequestMB * 2 ** 20;
          while (!fits(dpi) && dpi > minimumOcrDpi) dpi = Math.max(minimumOcrDpi, Math.floor(dpi * 0.85));
          checkRequestMemory(planPdfPage(size, undefined, dpi, service.limits, bytes.length), 'auto', service.limits);
        } else {
          const plan = await planPage(bytes, { page }, service.limits);
          if (plan) checkRequestMemory(plan, 'auto', service.limits);
        }
        const loaded = pdf
          ? await (async () => {
              const render = await pdf.render(page, undefined, dpi, service.limits.maxPixels, (r, w, h) => r ?? { x: 0, y: 0, width: w, height: h });
              return { image: render.image, pageNumber: page, pageCount, unit: 'pt' as const, pageWidth: render.pageWidth, pageHeight: render.pageHeight, scale: render.scale, originX: 0, originY: 0 };
            })()
          : await loadPage(bytes, { page }, service.limits);
        const { result, figures } = await recognizePage(service, loaded, pageToken);
        // Figures become image files in the assets folder, linked relative to the Markdown file.
        let markdown = result.markdown;
        for (const figure of figures) {
          const name = `page-${page}-figure-${figure.number}.png`;
          const crop = cropImage(loaded.image, figure.x0, figure.y0, figure.x1 - figure.x0, figure.y1 - figure.y0);
          await sharp(Buffer.from(crop.data), { raw: { width: crop.width, height: crop.height, channels: 3 } }).png().toFile(path.join(paths.assets, name));
          markdown = markdown.replace(`](figure-${figure.number}.png)`, `](${encodeURI(path.basename(paths.assets))}/${name})`);
        }
        return { ...result, markdown };
      });
      await writeAtomic(file, JSON.stringify(result));
      results.push(result);
      outcome.pages.push({ page, method: result.method, confidence: result.confidence, resumed: false });
      progress(`page ${page}/${pageCount}`, page, pageCount);
    }
    const markdown = results.map((r) => r.markdown.trim()).filter(Boolean).join(`\n\n`) + '\n';
    // The temp file goes in the working folder: killed before the rename, the run leaves it where the next run's
    // clean-up removes it, not in the user's folder beside the result.
    if (options.overwrite || !(await exists(paths.markdown))) await writeAtomic(paths.markdown, markdown, paths.work);
    else return { ...outcome, status: 'exists' };
    await fs.rm(paths.work, { recursive: true, force: true });
    // Keep the assets folder only when it holds something (figures).
    await fs.rmdir(paths.assets).catch(() => undefined);
    outcome.review = outcome.pages.filter((p) => p.confidence < (options.reviewBelow ?? 0.85)).map((p) => p.page);
    return outcome;
  } finally {
    await pdf?.close();
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}
