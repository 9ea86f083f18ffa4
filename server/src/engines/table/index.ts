import { checkpoint } from '../../errors';
import { OcrError } from '../../errors';
import { cropImage, enlargeLanczos, toGray, type RgbImage } from '../../pipeline/image';
import type { EngineStatus, Quad } from '../../protocol';
import type { Engine, EngineRequest, EngineResult } from '../engine';
import { acceptedReading, mathSpans } from '../layout/inlineMath';
import { otsu } from '../text/rec';
import type { TextBoxResult, TextEngine } from '../text';
import { uprightBounds } from '../text';
import { preferredFormat, toGfm, toHtml, toLatex } from './format';
import { findLoneDashes } from './dashes';
import { inferTable, type CellBox, type Table } from './grid';
import { binarize, eraseRules, estimateSkew, findRules, ruleInk, typicalGlyphHeight, type Rules } from './rules';
import { mapQuad, median } from '../geometry';
import { warpRect } from '../warp';

/** Cells the detector joined are cut where the ink gap reaches this share of the line height. */
const cellGapRatio = 0.8;

/**
 * Tables rendered small (journal figures at 72 dpi, screenshots: glyphs 5–8 px) are read from an enlarged copy:
 * the detector misses whole columns of such type and the recogniser confuses its digits. Glyphs are brought to
 * about this height, enlarging at most `maxEnlargement` times and to at most `maxEnlargedPixels`.
 */
const readableGlyphHeight = 16;
const maxEnlargement = 4;
const maxEnlargedPixels = 8e6;

/** How much to enlarge a crop whose typical glyph is `glyph` px tall (1 = not at all). */
export function enlargement(glyph: number, width: number, height: number): number {
  if (!(glyph > 0) || glyph >= readableGlyphHeight) return 1;
  const wanted = Math.min(maxEnlargement, Math.ceil(readableGlyphHeight / glyph));
  return Math.max(1, Math.min(wanted, Math.floor(Math.sqrt(maxEnlargedPixels / (width * height)))));
}

export class TableEngine implements Engine {
  readonly mode = 'table' as const;
  readonly name = 'Geometric table structure + PP-OCRv4 text';

  /** `math`: reads cells that are formulas (optional: without it they keep the text recogniser's reading). */
  constructor(
    private readonly text: TextEngine,
    private readonly math?: Engine,
  ) {}

  status(): EngineStatus {
    return { mode: 'table', available: true, models: this.text.status().models };
  }

  async recognize(request: EngineRequest): Promise<EngineResult> {
    const timings: Record<string, number> = {};
    let start = performance.now();
    const source = request.page.image;
    const sourceGray = toGray(source);
    const sourceBinary = binarize(sourceGray, source.width, source.height, otsu(sourceGray));
    const sourceGlyph = typicalGlyphHeight(sourceBinary);
    const factor = enlargement(sourceGlyph, source.width, source.height);
    const { image, skew } = deskew(factor > 1 ? await enlargeLanczos(source, factor) : source);
    const toSource = ([x, y]: [number, number]): [number, number] => {
      const [sx, sy] = skew.toSource([x, y]);
      return [sx / factor, sy / factor];
    };
    const gray = image === source ? sourceGray : toGray(image);
    // Enlarging scales glyphs by the factor and a deskew of a few degrees leaves their height: no second count.
    const glyph = sourceGlyph * factor;
    // Rules may be lighter than text (grey or tinted grid lines): see ruleInk.
    const binary = ruleInk(gray, image.width, image.height, otsu(gray), Math.max(2, Math.round(glyph / 4)));
    const rules = findRules(
      binary,
      // Floors in pixels keep letter strokes of small type (glyphs 4–6 px tall) from passing as rules.
      { minLength: Math.max(30, 6 * glyph), maxThickness: Math.max(3, Math.round(0.5 * glyph)), maxGap: 2, fillEdges: true },
      { minLength: Math.max(16, 2.5 * glyph), maxThickness: Math.max(3, Math.round(0.5 * glyph)), maxGap: 2 },
    );
    timings.rules = performance.now() - start;
    await checkpoint(request.token);
    // Text is read with the rules painted out, so a rule never becomes a "|" or joins two cells.
    const cleaned = paintOutRules(image, binary, rules);
    const boxes = cutAtColumnRules(await this.text.readBoxes(cleaned, request.token, request.report, timings, { splitGapRatio: cellGapRatio, words: true }), rules);
    // Dashes fill cells of a table whose text was found; a selection of bare strokes is still no table.
    if (boxes.length > 0) {
      const cleanedGray = toGray(cleaned);
      boxes.push(...findLoneDashes(binarize(cleanedGray, cleaned.width, cleaned.height, otsu(cleanedGray)), boxes, glyph));
    }
    start = performance.now();
    const bounds: CellBox[] = withoutDottedRules(uprightBounds(boxes, true));
    if (bounds.length === 0) throw new OcrError('badRequest', 'No text was found in the selection, so no table could be built; select the table including its cells.');
    timings.structure = performance.now() - start;
    if (this.math?.status().available) {
      start = performance.now();
      await this.readFormulas(bounds, image, request);
      timings.cellMath = performance.now() - start;
    }
    start = performance.now();
    const inferred = inferTable(bounds, rules);
    const table = { ...inferred, cells: inferred.cells.map((c) => ({ ...c, text: restoreLessThan(c.text) })) };
    timings.structure += performance.now() - start;
    const formats = { gfm: toGfm(table), html: toHtml(table), latex: toLatex(table) };
    const preferred = preferredFormat(table);
    return {
      content: formats[preferred],
      format: preferred === 'gfm' ? 'markdown' : 'html',
      confidence: tableConfidence(table, bounds),
      lines: bounds.map((b) => ({ text: b.text, confidence: b.confidence, box: mapQuad([[b.x0, b.y0], [b.x1, b.y0], [b.x1, b.y1], [b.x0, b.y1]] as Quad, toSource) })),
      models: ['ch_PP-OCRv4_det_infer.onnx', 'ch_PP-OCRv4_rec_infer.onnx'],
      timings,
      alternatives: { markdown: formats.gfm, html: formats.html, latex: formats.latex },
      table: { rows: table.rows, cols: table.cols, headerRows: table.headerRows, style: table.style, cells: table.cells },
    };
  }

  /**
   * Gives each line that looks like a formula the math engine's reading of its crop, when that is accepted; then
   * the other lines of a column that holds two formulas or more, which the text recogniser may have garbled past
   * recognition ("e -a" for e⁻ˣ).
   */
  private async readFormulas(boxes: CellBox[], image: RgbImage, request: EngineRequest): Promise<void> {
    await this.readEach(boxes.filter((b) => looksLikeFormula(b.text, b.confidence)), image, request);
    const formulas = boxes.filter((b) => b.math);
    const sameColumn = (a: CellBox, b: CellBox) => Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0) > 0.5 * Math.min(a.x1 - a.x0, b.x1 - b.x0);
    const garbled = (b: CellBox) => !b.math && !looksLikeFormula(b.text, b.confidence) && !hasWord(b.text) && !/^[\d.,%()±<>\s–-]*$/.test(b.text);
    await this.readEach(boxes.filter((b) => garbled(b) && formulas.filter((f) => sameColumn(f, b)).length >= 2), image, request);
  }

  private async readEach(boxes: CellBox[], image: RgbImage, request: EngineRequest): Promise<void> {
    for (const box of boxes) {
      await checkpoint(request.token);
      const pad = 0.25 * (box.y1 - box.y0);
      const x0 = Math.max(0, Math.floor(box.x0 - pad)), y0 = Math.max(0, Math.floor(box.y0 - pad));
      const x1 = Math.min(image.width, Math.ceil(box.x1 + pad)), y1 = Math.min(image.height, Math.ceil(box.y1 + pad));
      if (x1 - x0 < 2 || y1 - y0 < 2) continue;
      const page = { ...request.page, image: cropImage(image, x0, y0, x1 - x0, y1 - y0) };
      const reading = acceptedReading(await this.math!.recognize({ ...request, page }).catch(() => undefined), box.text);
      if (reading) box.math = reading;
    }
  }
}

/** Holds a word of three letters or more: a label or prose, not a formula. */
const hasWord = (text: string) => /\p{Script=Latin}{3,}/u.test(text);

/**
 * A line of a cell that reads as a formula: one run of math-like words (see `mathSpans`) covering all of it,
 * with a variable carrying an index or power, a function, a big operator, or a Greek letter in an expression.
 * Figures with a sign between them ("39.28 ± 8.09", "<0.001", "n = 12"), a lone symbol ("β"), labels ("T1"),
 * words, names ("IL-1β", "TNF-α") and codes ("2012_2") stay text.
 */
export function looksLikeFormula(text: string, confidence: number): boolean {
  const words = text.split(/\s+/).filter(Boolean).map((word) => ({ text: word, confidence }));
  const spans = mathSpans(words);
  const whole = words.length > 0 && spans.length === 1 && spans[0]!.from === 0 && spans[0]!.to === words.length;
  const mathLike = /[√∑∏∫∂∇∞]|[A-Za-zα-ω][0-9²³]|[A-Za-z]\(|[α-ωΑ-Ω].*[+\-−=<>×·]|[+\-−=<>×·].*[α-ωΑ-Ω]/u.test(text);
  return whole && mathLike && !hasWord(text) && !/[_@#]|\p{L}-\p{N}|\p{L}-[α-ω]/u.test(text);
}

/**
 * Small type turns a p-value's "<" into a "c" ("c0.001"), which no cell ever means: the sign is put back. (An en
 * dash for ranges was tried too and dropped: the recogniser has no en dash, and the sets' authors set ranges with
 * hyphens about as often as with en dashes.)
 */
export function restoreLessThan(text: string): string {
  return text.replace(/^[cC](?=0?\.\d+$)/, '<');
}

/**
 * A line read across a vertical rule holds two cells: with the rule painted out, the gap between cells of a
 * tightly ruled grid ("Value of Bill | Number of bills") can be narrower than the gap that cuts lines. The line is
 * cut between the words on either side of every rule that runs through it.
 */
export function cutAtColumnRules(boxes: TextBoxResult[], rules: Rules): TextBoxResult[] {
  return boxes.flatMap((box) => {
    const words = box.words;
    if (!words || words.length < 2 || Math.abs(box.rect.angle) > 0.05) return [box];
    const through = rules.vertical.filter((v) => v.from < box.rect.cy && v.to > box.rect.cy).map((v) => v.at);
    const groups: (typeof words)[] = [[words[0]!]];
    for (const [i, word] of words.slice(1).entries()) {
      const before = words[i]!;
      // Between the words' centres: their ends are only known to a recogniser frame.
      if (through.some((x) => x > before.rect.cx && x < word.rect.cx)) groups.push([word]);
      else groups[groups.length - 1]!.push(word);
    }
    if (groups.length === 1) return [box];
    return groups.map((group) => {
      const x0 = Math.min(...group.map((w) => w.rect.cx - w.rect.width / 2)), x1 = Math.max(...group.map((w) => w.rect.cx + w.rect.width / 2));
      const confidence = group.reduce((sum, w) => sum + w.confidence, 0) / group.length;
      return { text: group.map((w) => w.text).join(' '), confidence, rect: { ...box.rect, cx: (x0 + x1) / 2, width: x1 - x0 }, words: group };
    });
  });
}

/**
 * Dotted and dashed rules between rows are not found as rules (their gaps are too wide) and the detector reads
 * them as a line of letters ("EEEEEEE"), which would make rows of their own. A box well under half as tall as
 * the table's text is no text line; a dash or a dot standing for an empty cell is kept.
 */
export function withoutDottedRules<T extends { text: string; y0: number; y1: number }>(boxes: T[]): T[] {
  const textHeight = median(boxes.map((b) => b.y1 - b.y0));
  return boxes.filter((b) => b.y1 - b.y0 >= 0.5 * textHeight || !/[\p{L}\p{N}]/u.test(b.text));
}

/**
 * Rotates a skewed crop upright, since rules are found along pixel rows and columns. Returns the mapping
 * from upright coordinates back to the source so boxes are reported where the user sees them.
 */
function deskew(source: RgbImage): { image: RgbImage; skew: { angle: number; toSource: (p: [number, number]) => [number, number] } } {
  const gray = toGray(source);
  const angle = estimateSkew(binarize(gray, source.width, source.height, otsu(gray)));
  if (Math.abs(angle) < (0.15 * Math.PI) / 180) return { image: source, skew: { angle: 0, toSource: (p) => p } };
  const cx = source.width / 2, cy = source.height / 2;
  const image = warpRect(source, { cx, cy, width: source.width, height: source.height, angle }, source.width, source.height);
  const cos = Math.cos(angle), sin = Math.sin(angle);
  return {
    image,
    skew: { angle, toSource: ([x, y]) => [cx + (x - cx) * cos - (y - cy) * sin, cy + (x - cx) * sin + (y - cy) * cos] },
  };
}

function paintOutRules(image: RgbImage, binary: ReturnType<typeof binarize>, rules: Rules): RgbImage {
  const mask = { width: binary.width, height: binary.height, ink: new Uint8Array(binary.ink.length).fill(1) };
  eraseRules(mask, rules);
  const data = new Uint8Array(image.data);
  for (let i = 0; i < mask.ink.length; i++) if (!mask.ink[i]) data.fill(255, i * 3, i * 3 + 3);
  return { width: image.width, height: image.height, data };
}

/** Text confidence, lowered when the grid is ragged (many empty cells suggest a structure mistake). */
function tableConfidence(table: Table, boxes: { confidence: number; text: string }[]): number {
  const chars = boxes.reduce((n, b) => n + b.text.length, 0);
  const text = chars ? boxes.reduce((s, b) => s + b.confidence * b.text.length, 0) / chars : 0;
  const filled = table.cells.filter((c) => c.text).length / Math.max(1, table.cells.length);
  return text * (0.7 + 0.3 * filled);
}
