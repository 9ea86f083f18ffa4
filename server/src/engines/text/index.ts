import { checkpoint, type CancelToken } from '../../errors';
import { cropImage, resizeBilinear, toGray, type RgbImage } from '../../pipeline/image';
import type { EngineStatus, Quad } from '../../protocol';
import type { Engine, EngineRequest, EngineResult } from '../engine';
import { rectToQuad, type RotatedRect } from '../geometry';
import { ort, type SessionFactory } from '../runtime';
import { rotate180, warpRect } from '../warp';
import { bulletAtStart, type Bullet, type GrayPage } from './bullets';
import { dbPostprocess, detPreprocess, type DetectedBox } from './det';
import { columnGapRatio, groupLines, paragraphs, readingOrder, toMarkdown, type Gutter, type LayoutLine, type TextBox } from './layout';
import { findColumnGutters, findGutters, splitAtGutters } from './gutters';
import { repairNumbers } from './numbers';
import { joinSplitDashes, restoreCommas } from './punctuation';
import { loadEnglishLexicon, looksEnglish, spellWord, type Lexicon } from './lexicon';
import { findTextModels, readAlphabet, type TextModelPaths } from './models';
import { ctcDecode, otsu, preferPageScript, recFrameWidth, recHeight, recPreprocess, splitAtGaps, wordSpans, type CtcChar, type WordSpan } from './rec';

/** A recognised text box in raster pixels, before layout. */
export interface TextBoxResult {
  rect: RotatedRect;
  text: string;
  confidence: number;
  /** With `ReadOptions.words`: the words of `text` (joined by single spaces) and where each one is. */
  words?: { text: string; rect: RotatedRect; confidence: number }[];
}

export interface ReadOptions {
  /**
   * Cut lines at ink gaps of at least this share of the line height (table cells joined by the detector), and
   * boxes at column gutters before they are read.
   */
  splitGapRatio?: number;
  /** Also return each word's box (inline formulas are found word by word). */
  words?: boolean;
}

interface RecognizedSegment {
  text: string;
  words: WordSpan[];
  confidence: number;
  /** Column range in the upright line image. */
  x0: number;
  x1: number;
}

/** The part of a text rectangle between two columns of its line image. */
function subRect(rect: RotatedRect, cropWidth: number, [x0, x1]: [number, number]): RotatedRect {
  const scale = rect.width / cropWidth;
  const offset = ((x0 + x1) / 2 - cropWidth / 2) * scale;
  return { ...rect, cx: rect.cx + offset * Math.cos(rect.angle), cy: rect.cy + offset * Math.sin(rect.angle), width: (x1 - x0) * scale };
}

interface Loaded {
  det: ort.InferenceSession;
  cls: ort.InferenceSession;
  rec: ort.InferenceSession;
  alphabet: string[];
  lexicon: Lexicon;
}

/**
 * Pages whose lines are under this many pixels tall (type of about 10 px: a 72-dpi scan) are read enlarged with a
 * Lanczos kernel — the detector's and the crops' bilinear upscales blur such strokes together, which costs letters
 * and word spaces; the factor brings lines to `smallTextTarget`, at most `maxEnlargement` times and `maxEnlargedPixels`.
 */
const smallTextHeight = 20;
const smallTextTarget = 32;
const maxEnlargement = 3;
const maxEnlargedPixels = 16e6;

/** How much to enlarge a page whose detected line boxes are `rects` before reading it (1 = not at all). */
export function smallTextEnlargement(rects: RotatedRect[], image: { width: number; height: number }): number {
  const heights = rects.map((r) => r.height).sort((a, b) => a - b);
  const median = heights[heights.length >> 1];
  if (median === undefined || median >= smallTextHeight) return 1;
  const wanted = Math.min(maxEnlargement, smallTextTarget / median);
  const factor = Math.min(wanted, Math.sqrt(maxEnlargedPixels / (image.width * image.height)));
  return factor > 1.25 ? factor : 1;
}

/**
 * DB finds lines reliably when they are roughly 14–80 px tall in its input. The first pass runs small (cost grows
 * with pixels); when the median line falls outside that band the image is rescaled to bring it to ~22 px and
 * detected again, which upscales small text and shrinks oversized text.
 */
const detFirstPassMaxSide = 960;
export const detMaxSide = 2560;
/** Small text is upscaled for detection at most this much. */
export const detMaxScale = 4;
const detLineHeightBand = [14, 80] as const;
const detTargetLineHeight = 22;
/**
 * Columns per recognition batch. Batching pays only while a batch is small: on 2 cores the model's cost per column
 * is lowest up to ~1500 columns in a batch and rises by half beyond ~3000 (4 lines of 1384 columns: 306 ms in one
 * batch, 197 ms one by one), so short lines are batched and long ones run alone. Small batches also let a cancel
 * be seen soon.
 */
const recBatchColumns = 1536;
const recBatchSize = 16;
const recMaxWidth = 3200;
const clsWidth = 192;

export class TextEngine implements Engine {
  readonly mode = 'text' as const;
  readonly name = 'PP-OCRv4 (det + cls + rec)';
  private loaded: Promise<Loaded> | undefined;
  private loadedOk = false;
  /** First detector passes by image (weakly held: gone with the page). */
  private readonly firstPasses = new WeakMap<RgbImage, Promise<(DetectedBox & { rect: RotatedRect })[]>>();

  constructor(
    private readonly sessions: SessionFactory,
    private readonly paths: TextModelPaths = findTextModels(),
  ) {}

  status(): EngineStatus {
    const loaded = this.loadedOk;
    return {
      mode: 'text',
      available: true,
      models: [
        { name: 'PP-OCRv4 detection', path: this.paths.detection, loaded },
        { name: 'PP-OCR v2 angle classifier', path: this.paths.classifier, loaded },
        { name: 'PP-OCRv4 recognition (zh+en)', path: this.paths.recognition, loaded },
      ],
    };
  }

  private load(): Promise<Loaded> {
    this.loaded ??= (async () => {
      const det = await this.sessions.load(this.paths.detection);
      const cls = await this.sessions.load(this.paths.classifier);
      const rec = await this.sessions.load(this.paths.recognition);
      const loaded = { det, cls, rec, alphabet: readAlphabet(this.paths.dictionary), lexicon: loadEnglishLexicon() };
      this.loadedOk = true;
      return loaded;
    })().catch((error: unknown) => {
      this.loaded = undefined;
      throw error;
    });
    return this.loaded;
  }

  /**
   * How much a page should be enlarged before it is read (see `smallTextEnlargement`): one small detector pass.
   * `proseOnly`: not at all unless it holds lines of prose (three or more boxes eight times as long as tall).
   */
  async enlargementFor(image: RgbImage, token: CancelToken, proseOnly = false): Promise<number> {
    const models = await this.load();
    await checkpoint(token);
    const rects = (await this.firstPass(models, image)).map((b) => b.rect);
    if (proseOnly && rects.filter((r) => r.width >= 8 * r.height).length < 3) return 1;
    return smallTextEnlargement(rects, image);
  }

  /** The detector's first, small pass over an image; kept for the image's reading when the page is not enlarged. */
  private firstPass(models: Loaded, image: RgbImage): Promise<(DetectedBox & { rect: RotatedRect })[]> {
    let pass = this.firstPasses.get(image);
    if (!pass) {
      pass = this.detectAt(models, image, Math.min(1, detFirstPassMaxSide / Math.max(image.width, image.height)));
      this.firstPasses.set(image, pass);
    }
    return pass;
  }

  async recognize(request: EngineRequest): Promise<EngineResult> {
    const timings: Record<string, number> = {};
    // Lines are cut at wide gaps: the detector joins lines of neighbouring columns across a narrow gutter.
    const { image, boxes, turned } = await this.readPage(request.page.image, request.token, request.report, timings, { splitGapRatio: columnGapRatio });
    let start = performance.now();
    const { lines, gutters } = textLines(boxes, image);
    const blocks = readingOrder(lines, gutters);
    const content = toMarkdown(paragraphs(blocks));
    timings.layout = performance.now() - start;
    const ordered = blocks.flat();
    const chars = ordered.reduce((n, l) => n + l.text.length, 0);
    const confidence = chars > 0 ? ordered.reduce((s, l) => s + l.confidence * l.text.length, 0) / chars : 0;
    return {
      content,
      format: 'markdown',
      confidence,
      lines: ordered.map((l) => ({
        text: l.text,
        confidence: l.confidence,
        box: l.parts.length === 1 ? rectToQuad(boxes[l.parts[0]!]!.rect) : ([[l.x0, l.y0], [l.x1, l.y0], [l.x1, l.y1], [l.x0, l.y1]] as Quad),
      })),
      models: ['ch_PP-OCRv4_det_infer.onnx', 'ch_ppocr_mobile_v2.0_cls_infer.onnx', 'ch_PP-OCRv4_rec_infer.onnx'],
      timings,
      turned,
    };
  }

  /**
   * Reads every text box of a page that may have been scanned upside down. When most lines are, the page is
   * turned by 180° and read in that frame (reading order, bullets, crops for other engines all need it upright):
   * `image` is the page as read and the boxes are in its pixels.
   */
  readPage(image: RgbImage, token: CancelToken, report: (m: string) => void, timings: Record<string, number> = {}, options: ReadOptions = {}) {
    return this.read(image, token, report, timings, options, true);
  }

  /** Detect, classify and recognise every text box of an image as it lies (table cells are read this way). */
  async readBoxes(
    image: RgbImage,
    token: CancelToken,
    report: (m: string) => void,
    timings: Record<string, number> = {},
    options: ReadOptions = {},
  ): Promise<TextBoxResult[]> {
    return (await this.read(image, token, report, timings, options, false)).boxes;
  }

  private async read(
    image: RgbImage,
    token: CancelToken,
    report: (m: string) => void,
    timings: Record<string, number>,
    options: ReadOptions,
    mayTurn: boolean,
  ): Promise<{ image: RgbImage; boxes: TextBoxResult[]; turned: boolean }> {
    let start = performance.now();
    const models = await this.load();
    timings.load = performance.now() - start;
    await checkpoint(token);
    report('detecting text');
    start = performance.now();
    let rects = await this.detect(models, image, token);
    if (options.splitGapRatio !== undefined) rects = splitAtGutters(rects, grayPage(image));
    timings.detect = performance.now() - start;
    if (rects.length === 0) return { image, boxes: [], turned: false };
    await checkpoint(token);
    start = performance.now();
    const crops = rects.map((rect) => {
      const width = Math.min(recMaxWidth, Math.max(recFrameWidth, Math.round((recHeight * rect.width) / Math.max(rect.height, 1))));
      return warpRect(image, rect, width, recHeight);
    });
    timings.crop = performance.now() - start;
    start = performance.now();
    let { flipped, upsideDown } = await this.classify(models, crops);
    const upright = crops.map((crop, i) => (flipped[i] ? rotate180(crop) : crop));
    const turned = mayTurn && upsideDown;
    if (turned) {
      // A rectangle turned about the page centre keeps its angle; sampled in the turned page it runs the other way.
      image = rotate180(image);
      rects = rects.map((r) => ({ ...r, cx: image.width - r.cx, cy: image.height - r.cy }));
      flipped = flipped.map((f) => !f);
    }
    timings.classify = performance.now() - start;
    report(`recognizing ${crops.length} line(s)`);
    start = performance.now();
    const read = await this.recognizeCrops(models, upright, token);
    preferPageScript(read);
    const lines = read.map((chars, i) => segmentLine(joinSplitDashes(repairNumbers(chars), upright[i]!), upright[i]!, options.splitGapRatio));
    if (looksEnglish(plainWords(lines), models.lexicon)) spellCheck(lines, models.lexicon);
    timings.recognize = performance.now() - start;
    const boxes = lines.flatMap((segments, i) => {
      const rect = rects[i]!;
      const cropWidth = upright[i]!.width;
      // Columns of the upright crop; a flipped crop runs the other way along the detected box.
      const along = (x0: number, x1: number) => subRect(rect, cropWidth, flipped[i] ? [cropWidth - x1, cropWidth - x0] : [x0, x1]);
      return segments.map((segment) => ({
        rect: segments.length === 1 ? rect : along(segment.x0, segment.x1),
        text: segment.text,
        confidence: segment.confidence,
        ...(options.words ? { words: segment.words.map((w) => ({ text: w.text, rect: along(w.x0, w.x1), confidence: w.confidence })) } : {}),
      }));
    }).filter((b) => b.text.length > 0);
    return { image, boxes, turned };
  }

  private async detect(models: Loaded, image: RgbImage, token: CancelToken): Promise<RotatedRect[]> {
    const longSide = Math.max(image.width, image.height);
    let scale = Math.min(1, detFirstPassMaxSide / longSide);
    let found = await this.firstPass(models, image);
    // Boxes come back in source pixels; the band is about their height in the detector's input.
    const heights = found.map((b) => b.rect.height).sort((a, b) => a - b);
    const lineHeight = heights[heights.length >> 1];
    // Small text (or a small crop) is upscaled, oversized text shrunk, so lines reach DB at a height it handles well.
    let better = lineHeight === undefined ? (longSide * scale < 640 ? scale * 2 : scale) : detTargetLineHeight / lineHeight;
    better = Math.min(better, detMaxSide / longSide, detMaxScale);
    const detected = lineHeight === undefined ? undefined : lineHeight * scale;
    if (detected !== undefined && detected >= detLineHeightBand[0] && detected <= detLineHeightBand[1]) better = scale;
    if (Math.abs(better / scale - 1) > 0.25) {
      await checkpoint(token);
      scale = better;
      found = await this.detectAt(models, image, scale);
    }
    return found.map(({ rect }) => rect);
  }

  private async detectAt(models: Loaded, image: RgbImage, scale: number): Promise<(DetectedBox & { rect: RotatedRect })[]> {
    const input = detPreprocess(image, scale);
    const feeds = { [models.det.inputNames[0]!]: new ort.Tensor('float32', input.tensor, [1, 3, input.height, input.width]) };
    const output = await models.det.run(feeds);
    const prob = output[models.det.outputNames[0]!]!.data as Float32Array;
    return dbPostprocess(prob, input.width, input.height).map((box) => ({
      score: box.score,
      rect: {
        ...box.rect,
        cx: (box.rect.cx - input.pad) / input.scale,
        cy: (box.rect.cy - input.pad) / input.scale,
        width: box.rect.width / input.scale,
        height: box.rect.height / input.scale,
      },
    }));
  }

  /**
   * Finds upside-down lines. The classifier takes 48 × 192: a short line is fitted into it, a long one is
   * judged on up to three windows at its own scale (start, middle, end) and their votes are averaged, since
   * squeezing a long line into 192 columns makes the classifier guess (it flipped whole prose lines that way).
   * The middle window votes first; only when it says "flipped" are the ends read too: a line whose first vote is
   * at most 0.5 cannot average above the 0.9 needed below, so the decisions are the same at a third of the cost.
   */
  private async classify(models: Loaded, crops: RgbImage[]): Promise<{ flipped: boolean[]; upsideDown: boolean }> {
    const long = (crop: RgbImage) => crop.width > 1.5 * clsWidth;
    const window = (crop: RgbImage, x: number) => cropImage(crop, x, 0, clsWidth, recHeight);
    const first = crops.map((crop) => {
      if (long(crop)) return window(crop, Math.floor((crop.width - clsWidth) / 2));
      const w = Math.min(clsWidth, crop.width);
      return w === crop.width ? crop : resizeBilinear(crop, w, recHeight);
    });
    const flippedVotes = await this.flipProbabilities(models, first);
    const votes = crops.map(() => 1);
    const ends = crops.flatMap((crop, owner) =>
      long(crop) && flippedVotes[owner]! > 0.5 ? [{ owner, image: window(crop, 0) }, { owner, image: window(crop, crop.width - clsWidth) }] : [],
    );
    const endVotes = await this.flipProbabilities(models, ends.map((e) => e.image));
    ends.forEach(({ owner }, n) => {
      flippedVotes[owner] = flippedVotes[owner]! + endVotes[n]!;
      votes[owner] = votes[owner]! + 1;
    });
    // Upside-down lines come as whole pages; a lone flip among upright lines needs a near-certain vote, and a
    // box of a character or two is never flipped alone: the classifier cannot tell a "2" from a turned "Z".
    const score = crops.map((_, i) => flippedVotes[i]! / votes[i]!);
    const upsideDown = score.filter((p) => p > 0.9).length >= 0.5 * crops.length;
    return { flipped: score.map((p, i) => (upsideDown ? p > 0.9 : p > 0.99 && crops[i]!.width >= 2 * recHeight)), upsideDown };
  }

  /** The classifier's probability that each window (48 high, at most 192 wide) is upside down. */
  private async flipProbabilities(models: Loaded, windows: RgbImage[]): Promise<number[]> {
    const flipped: number[] = [];
    const plane = recHeight * clsWidth;
    for (let from = 0; from < windows.length; from += 32) {
      const batch = windows.slice(from, from + 32);
      const tensor = new Float32Array(batch.length * 3 * plane);
      batch.forEach((image, n) => {
        for (let y = 0; y < recHeight; y++) {
          for (let x = 0; x < image.width; x++) {
            const s = (y * image.width + x) * 3;
            const o = n * 3 * plane + y * clsWidth + x;
            tensor[o] = image.data[s + 2]! / 127.5 - 1;
            tensor[plane + o] = image.data[s + 1]! / 127.5 - 1;
            tensor[2 * plane + o] = image.data[s]! / 127.5 - 1;
          }
        }
      });
      const output = await models.cls.run({ [models.cls.inputNames[0]!]: new ort.Tensor('float32', tensor, [batch.length, 3, recHeight, clsWidth]) });
      const probs = output[models.cls.outputNames[0]!]!.data as Float32Array;
      batch.forEach((_, n) => flipped.push(probs[n * 2 + 1]!));
    }
    return flipped;
  }

  /** Recognises each line: its characters with their frames. */
  private async recognizeCrops(models: Loaded, crops: RgbImage[], token: CancelToken): Promise<CtcChar[][]> {
    const results: CtcChar[][] = new Array(crops.length);
    // Similar widths share a batch, so little of each batch is padding.
    const order = crops.map((_, i) => i).sort((a, b) => crops[a]!.width - crops[b]!.width);
    for (let from = 0; from < order.length; ) {
      await checkpoint(token);
      let count = 1;
      // Widths only grow along `order`, so the batch costs count × its last width.
      while (count < recBatchSize && from + count < order.length && (count + 1) * crops[order[from + count]!]!.width <= recBatchColumns) count++;
      const indices = order.slice(from, from + count);
      from += count;
      const batch = indices.map((i) => crops[i]!);
      const { tensor, width } = recPreprocess(batch);
      const output = await models.rec.run({ [models.rec.inputNames[0]!]: new ort.Tensor('float32', tensor, [batch.length, 3, recHeight, width]) });
      const probs = output[models.rec.outputNames[0]!]!;
      const [, frames, classes] = probs.dims as [number, number, number];
      if (classes !== models.alphabet.length + 1) {
        throw new Error(`Recognition model has ${classes} classes but the dictionary gives ${models.alphabet.length + 1}.`);
      }
      indices.forEach((index, n) => {
        results[index] = ctcDecode(probs.data as Float32Array, n * frames * classes, frames, classes, models.alphabet, Math.ceil(crops[index]!.width / recFrameWidth));
      });
    }
    return results;
  }
}

/** A recognised line as text with its words; with `splitGapRatio`, cut into segments at wide ink gaps. */
function segmentLine(chars: CtcChar[], crop: RgbImage, splitGapRatio?: number): RecognizedSegment[] {
  const segments = splitGapRatio === undefined ? [{ chars, x0: 0, x1: crop.width }] : splitAtGaps(chars, crop, splitGapRatio);
  return segments.map((segment) => {
    const words = wordSpans(segment.chars, crop);
    const confidence = segment.chars.length ? segment.chars.reduce((s, c) => s + c.prob, 0) / segment.chars.length : 0;
    return { text: words.map((w) => w.text).join(' '), words, confidence, x0: segment.x0, x1: segment.x1 };
  });
}

/** Words of three letters and more, as read, without the punctuation around them. */
const plainWords = (lines: RecognizedSegment[][]) =>
  lines.flat().flatMap((segment) => segment.words.map((w) => w.text.replace(/^\P{L}+|\P{L}+$/gu, ''))).filter((w) => w.length >= 3 && /^\p{L}+$/u.test(w));

/** Re-spells each word with the lexicon (see `spellWord`) and puts worn commas back; changes `lines` in place. */
function spellCheck(lines: RecognizedSegment[][], lexicon: Lexicon): void {
  for (const segment of lines.flat()) {
    for (const word of segment.words) word.text = spellWord(word.chars, lexicon);
    restoreCommas(segment.words, lexicon);
    segment.text = segment.words.map((w) => w.text).join(' ');
  }
}

/**
 * Boxes → lines (deskewed), with list bullets the recogniser missed put back in front of their lines, and the
 * column gutters that reading order must not cross (those found blank between boxes, and any `known` ones).
 */
export function textLines(boxes: TextBoxResult[], image: RgbImage, known: Gutter[] = []): { lines: LayoutLine[]; gutters: Gutter[] } {
  const gray = grayPage(image);
  const uprights = uprightBounds(boxes);
  const gutters = [...findGutters(boxes.map((b) => b.rect), uprights, gray), ...findColumnGutters(uprights), ...known];
  const lines = joinLoneBullets(groupLines(uprights, gutters));
  for (const line of lines) {
    if (/^[•·▪●.–—-]\s/.test(line.text)) continue;
    const bullet = bulletBefore(image, boxes[line.parts[0]!]!.rect);
    if (bullet) line.text = (bullet.kind === 'dot' ? '• ' : '– ') + line.text;
  }
  return { lines, gutters };
}

/**
 * A bullet the detector boxed on its own (a slide's dash set a tab stop before its item, or a small second box
 * round a bullet inside its line's box) is the marker of that line, not a line of its own.
 */
export function joinLoneBullets(lines: LayoutLine[]): LayoutLine[] {
  const used = new Set<LayoutLine>();
  for (const bullet of lines) {
    if (!/^[•·▪●–—-]$/.test(bullet.text.trim())) continue;
    const h = bullet.y1 - bullet.y0;
    const sameRow = (l: LayoutLine) => Math.min(l.y1, bullet.y1) - Math.max(l.y0, bullet.y0) > 0.5 * Math.min(h, l.y1 - l.y0);
    // The item starts just right of it, or its box already covers it (a second, smaller box round the bullet).
    const follows = (l: LayoutLine) => l.x0 >= bullet.x1 - 0.2 * h && l.x0 - bullet.x1 < 3 * h;
    const covers = (l: LayoutLine) => l.x0 <= bullet.x0 + 0.2 * h && l.x1 > bullet.x1 + h;
    const item = lines.filter((l) => l !== bullet && !used.has(l) && sameRow(l) && (follows(l) || covers(l))).sort((a, b) => a.x0 - b.x0)[0];
    if (!item) continue;
    used.add(bullet);
    if (/^[•·▪●.–—-]\s/.test(item.text)) continue;
    item.text = `${bullet.text.trim() === '•' ? '•' : '–'} ${item.text}`;
    item.x0 = Math.min(item.x0, bullet.x0);
  }
  return lines.filter((l) => !used.has(l));
}

/**
 * The bullet at the start of a detected box, if any. The test reads real pixels, so it uses the box's own left
 * end, not the deskewed bounds.
 */
export function bulletBefore(image: RgbImage, rect: RotatedRect): Bullet | undefined {
  const h = rect.height;
  const left = rect.cx - (rect.width / 2) * Math.cos(rect.angle);
  const mid = rect.cy - (rect.width / 2) * Math.sin(rect.angle);
  return bulletAtStart(grayPage(image), { x0: left, y0: mid - h / 2, x1: left + h, y1: mid + h / 2 });
}

/** Grey levels of a page, made once per image: gutters and bullets both read them. */
const grayPages = new WeakMap<RgbImage, GrayPage>();
function grayPage(image: RgbImage): GrayPage {
  let page = grayPages.get(image);
  if (!page) {
    const gray = toGray(image);
    page = { width: image.width, height: image.height, gray, threshold: otsu(gray) };
    grayPages.set(image, page);
  }
  return page;
}

/**
 * Axis-aligned bounds of each box after undoing the page's skew (the median angle of long boxes), so that a
 * slightly rotated scan still has lines with their true heights and clean gaps between them.
 */
export function uprightBounds(boxes: TextBoxResult[], imageIsUpright = false): TextBox[] {
  const angles = boxes.filter((b) => b.rect.width > 3 * b.rect.height).map((b) => b.rect.angle).sort((a, b) => a - b);
  // An image the caller has already deskewed keeps its axes: a few tilted boxes must not rotate the rest.
  const skew = angles.length && !imageIsUpright ? angles[angles.length >> 1]! : 0;
  const cos = Math.cos(-skew), sin = Math.sin(-skew);
  return boxes.map((b) => {
    // Rotation about the origin keeps relative positions, which is all layout needs; bounds stay in page pixels
    // because the skew is small.
    const cx = b.rect.cx * cos - b.rect.cy * sin;
    const cy = b.rect.cx * sin + b.rect.cy * cos;
    const residual = Math.abs(b.rect.angle - skew);
    const w = residual < 0.2 ? b.rect.width : Math.abs(b.rect.width * Math.cos(residual)) + Math.abs(b.rect.height * Math.sin(residual));
    const h = residual < 0.2 ? b.rect.height : Math.abs(b.rect.width * Math.sin(residual)) + Math.abs(b.rect.height * Math.cos(residual));
    return { text: b.text, confidence: b.confidence, x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2 };
  });
}
