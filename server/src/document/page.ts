/**
 * One page → Markdown. A PDF page with a usable text layer is read from it (exact text, no recognition
 * errors, milliseconds); otherwise the page is rendered and recognised. The result says which path was used.
 */
import type { CancelToken } from '../errors';
import { equationLabel, equationNumberBeside, isMathText, splitEquationNumbers } from '../engines/layout';
import { alphanumericAgreement, minAgreement } from '../engines/layout/inlineMath';
import { alignedTableRegions, coveredBy, rowsSplitAtGaps, union, type Box } from '../engines/layout/regions';
import { preferredFormat, toGfm, toHtml } from '../engines/table/format';
import { inferTable } from '../engines/table/grid';
import { findColumnGutters } from '../engines/text/gutters';
import { groupLines, pageMarkdown, type LayoutLine, type TextBox } from '../engines/text/layout';
import type { LoadedPage } from '../pipeline/load';
import type { PdfTextItem } from '../pipeline/pdf';
import type { OcrService } from '../service';

export interface PageMarkdown {
  page: number;
  method: 'text-layer' | 'ocr';
  markdown: string;
  confidence: number;
}

/**
 * A text layer is usable when it holds real text: enough characters, and mostly letters, digits and
 * punctuation rather than replacement or private-use glyphs (fonts without a Unicode map extract as junk).
 */
export function textLayerUsable(items: PdfTextItem[]): boolean {
  const text = items.map((i) => i.text).join('').replace(/\s+/g, '');
  if (text.length < 20) return false;
  const junk = [...text].filter((ch) => ch === '\uFFFD' || (ch >= '\uE000' && ch <= '\uF8FF') || ch < ' ').length;
  const readable = (text.match(/[\p{L}\p{N}\p{P}\p{S}]/gu) ?? []).length;
  return junk / text.length < 0.02 && readable / text.length > 0.9;
}

/** Reads the formula inside a box of the page (PDF points): its LaTeX, or undefined when it cannot. */
export type FormulaReader = (box: Box) => Promise<string | undefined>;

/**
 * A page's text layer as Markdown, laid out like OCR lines (running heads dropped, footnotes last). Tables are
 * found the way the OCR path finds rule-less ones (rows of short, column-aligned pieces) and their cells built
 * from the layer's own runs, so a born-digital table keeps its exact text. A text layer holds formulas only as
 * scattered symbols: with `readFormula`, display formulas are read from the rendered page by the math engine.
 */
export async function markdownFromTextLayer(items: PdfTextItem[], pageWidth: number, pageHeight: number, readFormula?: FormulaReader): Promise<string> {
  const boxes: TextBox[] = items.filter((i) => i.text.trim()).map((i) => ({ text: i.text, confidence: 1, x0: i.x0, y0: i.y0, x1: i.x1, y1: i.y1 }));
  const heights = boxes.map((b) => b.y1 - b.y0).sort((a, b) => a - b);
  const lineHeight = heights[heights.length >> 1] ?? 0;
  const regions = lineHeight > 0 ? alignedTableRegions(rowsSplitAtGaps(boxes, lineHeight), pageWidth, lineHeight) : [];
  const regionOf = boxes.map((b) => regions.findIndex((r) => coveredBy(b, r) > 0.5));
  const flowBoxes = boxes.filter((_, i) => regionOf[i] === -1);
  // Columns are told apart as on scanned pages: a strip no run crosses, with long lines stopping at it on both sides.
  const gutters = findColumnGutters(flowBoxes);
  let lines: LayoutLine[] = groupLines(flowBoxes, gutters);
  if (readFormula) {
    // Equation numbers set apart at the right become lines of their own, then the tags of their formulas.
    lines = splitEquationNumbers(lines, flowBoxes, lineHeight);
    for (const formula of displayFormulas(lines, lineHeight)) {
      const box = formula.reduce<Box>((b, l) => union(b, l), formula[0]!);
      const latex = await readFormula(box);
      // The layer's letters and digits are exact: a reading that shares too few of them is not this formula.
      if (!latex || alphanumericAgreement(latex, formula.map((l) => l.text).join(' ')) < minAgreement) continue;
      const number = equationNumberBeside(box, lines, lineHeight);
      const tag = number ? ` \\tag{${equationLabel(number)}}` : '';
      lines = lines.filter((l) => !formula.includes(l) && l !== number);
      lines.push({ text: '', confidence: 1, ...box, parts: [], block: { kind: 'math', markdown: `$$\n${latex}${tag}\n$$` } });
    }
  }
  for (const [index, region] of regions.entries()) {
    const inside = boxes.filter((_, i) => regionOf[i] === index);
    // Runs of one cell (a word at a time in some PDFs) are joined first; cells stay apart.
    const cells: TextBox[] = groupLines(inside).map(({ text, x0, y0, x1, y1 }) => ({ text, confidence: 1, x0, y0, x1, y1 }));
    const table = inferTable(cells, { horizontal: [], vertical: [] });
    if (table.rows < 2 || table.cols < 2) {
      lines.push(...groupLines(inside));
      continue;
    }
    const markdown = preferredFormat(table) === 'gfm' ? toGfm(table) : toHtml(table);
    lines.push({ text: '', confidence: 1, ...region, parts: [], block: { kind: 'table', markdown } });
  }
  return composeSpacingAccents(pageMarkdown(lines, pageHeight, gutters).markdown);
}

/** Spacing accents as TeX-made PDFs extract them, with the combining mark each stands for. */
const spacingAccents: Readonly<Record<string, string>> = {
  '\u00B4': '\u0301', // acute
  '\u02C6': '\u0302', // circumflex
  '\u02DC': '\u0303', // tilde
  '\u00A8': '\u0308', // diaeresis
  '\u02C7': '\u030C', // caron
  '\u02D8': '\u0306', // breve
  '\u02D9': '\u0307', // dot above
  '\u02DA': '\u030A', // ring above
  '\u02DD': '\u030B', // double acute
};
const accentBeforeLetter = new RegExp(`([${Object.keys(spacingAccents).join('')}])(\\p{L})`, 'gu');

/**
 * TeX sets an accented letter as the accent glyph followed by the letter, so the text layer reads "Min´aˇc" for
 * "Mináč": each spacing accent before a letter becomes that letter with the combining mark, composed (a dotless ı
 * under an accent is an i).
 */
export function composeSpacingAccents(text: string): string {
  return text.replace(accentBeforeLetter, (_, accent: string, letter: string) => ((letter === 'ı' ? 'i' : letter) + spacingAccents[accent]).normalize('NFC'));
}

/**
 * Display formulas of a text layer, each as the lines it was extracted into: a line with math symbols and few
 * words, with the fragments around it that the layer splits off (limits, indices, a fraction's parts).
 */
export function displayFormulas(lines: LayoutLine[], lineHeight: number): LayoutLine[][] {
  const isMath = (l: LayoutLine) => !l.block && isMathText(l.text);
  const isFragment = (l: LayoutLine) => !l.block && l.text.replace(/\s+/g, '').length <= 3 && equationLabel(l) === undefined;
  const near = (a: LayoutLine, b: LayoutLine) =>
    Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0) > -0.5 * lineHeight && Math.max(a.y0, b.y0) - Math.min(a.y1, b.y1) < 0.8 * lineHeight;
  const taken = new Set<LayoutLine>();
  const formulas: LayoutLine[][] = [];
  for (const seed of lines) {
    if (taken.has(seed) || !isMath(seed)) continue;
    const group = [seed];
    taken.add(seed);
    for (let grown = true; grown; ) {
      grown = false;
      for (const l of lines) {
        if (taken.has(l) || !(isMath(l) || isFragment(l)) || !group.some((g) => near(g, l))) continue;
        group.push(l);
        taken.add(l);
        grown = true;
      }
    }
    formulas.push(group.sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0));
  }
  return formulas;
}

/** A figure found on a page, in raster pixels of the page image, numbered as the Markdown links it. */
export interface PageFigure {
  number: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Layout analysis of a whole page: text, tables, formulas, and figures (returned as boxes to be saved). */
export async function recognizePage(service: OcrService, page: LoadedPage, token: CancelToken): Promise<{ result: PageMarkdown; figures: PageFigure[] }> {
  const result = await service.recognizeLoaded(page, 'auto', token);
  const toRaster = (x: number, y: number) => [(x - page.originX) * page.scale, (y - page.originY) * page.scale] as const;
  const figures = (result.layout?.blocks ?? [])
    .filter((b) => b.kind === 'figure')
    .map((b, i) => {
      const [x0, y0] = toRaster(b.box[0][0], b.box[0][1]);
      const [x1, y1] = toRaster(b.box[2][0], b.box[2][1]);
      return { number: i + 1, x0: Math.max(0, Math.floor(x0)), y0: Math.max(0, Math.floor(y0)), x1: Math.min(page.image.width, Math.ceil(x1)), y1: Math.min(page.image.height, Math.ceil(y1)) };
    });
  return { result: { page: page.pageNumber, method: 'ocr', markdown: result.content, confidence: result.confidence }, figures };
}
