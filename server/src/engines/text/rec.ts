/**
 * PP-OCRv4 recognition (CTC): preprocessing, greedy CTC decoding that keeps each character's frames, and
 * recovery of the English word spaces the zh+en model tends to drop.
 */
import type { RgbImage } from '../../pipeline/image';
import { median } from '../geometry';

export const recHeight = 48;
/** One output frame per 8 input columns (the network downsamples width by 8). */
export const recFrameWidth = 8;

/** Packs line images of height 48 into one [N, 3, 48, W] tensor; shorter lines are padded with zeros as in training. */
export function recPreprocess(lines: RgbImage[]): { tensor: Float32Array; width: number } {
  const width = Math.max(recFrameWidth, ...lines.map((l) => Math.ceil(l.width / recFrameWidth) * recFrameWidth));
  const plane = recHeight * width;
  const tensor = new Float32Array(lines.length * 3 * plane);
  lines.forEach((line, n) => {
    const base = n * 3 * plane;
    for (let y = 0; y < recHeight; y++) {
      for (let x = 0; x < line.width; x++) {
        const s = (y * line.width + x) * 3;
        const o = base + y * width + x;
        // BGR, scaled to [-1, 1].
        tensor[o] = line.data[s + 2]! / 127.5 - 1;
        tensor[plane + o] = line.data[s + 1]! / 127.5 - 1;
        tensor[2 * plane + o] = line.data[s]! / 127.5 - 1;
      }
    }
  });
  return { tensor, width };
}

export interface CtcChar {
  char: string;
  /** First and last output frame where this character won. */
  start: number;
  end: number;
  prob: number;
  /** For a CJK or full-width character: the best class outside those scripts at its peak frame ('' = blank). */
  narrow?: { char: string; prob: number };
  /** The runner-up character at its peak frame (the lexicon check tries it). */
  second?: { char: string; prob: number };
  /** The likeliest character in the blank frames just before this one: a letter the greedy path dropped. */
  dropped?: { char: string; prob: number };
}

/** CJK, kana, hangul, CJK punctuation and full-width forms: the scripts of the zh model's extra classes. */
export const isWide = (ch: string) => ch.codePointAt(0)! >= 0x2e80;

/** Class indices (1-based) outside the wide scripts, by alphabet. */
const narrowClassLists = new WeakMap<string[], Int32Array>();
function narrowClasses(alphabet: string[]): Int32Array {
  let list = narrowClassLists.get(alphabet);
  if (!list) {
    list = Int32Array.from(alphabet.flatMap((ch, k) => (isWide(ch) ? [] : [k + 1])));
    narrowClassLists.set(alphabet, list);
  }
  return list;
}

/**
 * Greedy CTC: best class per frame, repeats merged, blanks (class 0) dropped. `alphabet[k-1]` is class k.
 * `validFrames` stops decoding at the end of this line's own pixels, ignoring batch padding.
 */
export function ctcDecode(probs: Float32Array, offset: number, frames: number, classes: number, alphabet: string[], validFrames = frames): CtcChar[] {
  const chars: CtcChar[] = [];
  const narrowList = narrowClasses(alphabet);
  let previous = 0;
  let dropped: { char: string; prob: number } | undefined;
  for (let t = 0; t < Math.min(frames, validFrames); t++) {
    const row = offset + t * classes;
    // The two likeliest non-blank classes (one comparison per class in the common case).
    let top = 0, topProb = 0, next = 0, nextProb = 0;
    for (let k = 1; k < classes; k++) {
      const p = probs[row + k]!;
      if (p > nextProb) {
        if (p > topProb) {
          next = top;
          nextProb = topProb;
          top = k;
          topProb = p;
        } else {
          next = k;
          nextProb = p;
        }
      }
    }
    const blankWins = top === 0 || topProb <= probs[row]!;
    const best = blankWins ? 0 : top;
    const bestProb = blankWins ? probs[row]! : topProb;
    // The best non-blank class other than the winner.
    const runner = blankWins ? top : next;
    const runnerProb = blankWins ? topProb : nextProb;
    let alternative: { char: string; prob: number } | undefined;
    if (best !== 0 && isWide(alphabet[best - 1] ?? '')) {
      // The likeliest class outside the wide scripts, blank included.
      let narrow = 0, narrowProb = probs[row]!;
      for (const k of narrowList) {
        if (probs[row + k]! > narrowProb) {
          narrowProb = probs[row + k]!;
          narrow = k;
        }
      }
      alternative = { char: narrow === 0 ? '' : (alphabet[narrow - 1] ?? ''), prob: narrowProb };
    }
    const second = runner === 0 ? undefined : { char: alphabet[runner - 1] ?? '', prob: runnerProb };
    if (best !== 0 && best === previous) {
      const last = chars[chars.length - 1]!;
      last.end = t;
      if (bestProb > last.prob) {
        last.prob = bestProb;
        if (alternative) last.narrow = alternative;
        if (second) last.second = second;
      }
    } else if (best !== 0) {
      chars.push({
        char: alphabet[best - 1] ?? '', start: t, end: t, prob: bestProb,
        ...(alternative ? { narrow: alternative } : {}), ...(second ? { second } : {}), ...(dropped ? { dropped } : {}),
      });
      dropped = undefined;
    } else if (second && second.prob > (dropped?.prob ?? 0)) {
      dropped = second;
    }
    previous = best;
  }
  return chars;
}

/**
 * The zh+en model now and then reads a Latin glyph as a CJK character or a full-width form ("Ｓ", "５", "丨").
 * On pages written in Latin script, full-width forms become their ASCII letters and other CJK characters are
 * replaced by the best non-CJK reading of the same frames (or dropped when that is a blank). Pages with CJK
 * text of their own (more than `wideShare` of their letters) are left as read. Changes `lines` in place.
 */
export function preferPageScript(lines: CtcChar[][], wideShare = 0.1): void {
  let latin = 0, wide = 0;
  for (const line of lines) for (const c of line) if (isWide(c.char)) wide++; else if (/\p{Script=Latin}/u.test(c.char)) latin++;
  if (latin < 20 || wide > wideShare * (latin + wide)) return;
  for (const [i, line] of lines.entries()) {
    lines[i] = line.flatMap((c) => {
      if (!isWide(c.char)) return [c];
      const code = c.char.codePointAt(0)!;
      if (code >= 0xff01 && code <= 0xff5e) return [{ ...c, char: String.fromCodePoint(code - 0xfee0) }];
      return c.narrow?.char ? [{ ...c, char: c.narrow.char, prob: c.narrow.prob }] : [];
    });
  }
}

const noSpaceBefore = new Set([',', '.', ';', ':', '!', '?', ')', ']', '}', '%', "'", '’', '”']);
const noSpaceAfter = new Set(['(', '[', '{', '“', '‘', '$', '#']);

function isSpaceSeparatedScript(ch: string): boolean {
  const code = ch.codePointAt(0)!;
  // Latin, Greek, Cyrillic, digits and ASCII punctuation use spaces between words; CJK does not.
  return code < 0x2e80;
}

export interface SpaceOptions {
  /** Minimum ink-free run between two characters, as a share of the line's ink band height, that makes a space. */
  gapRatio: number;
  /** …and at least this many times the line's median gap: monospaced text has wide gaps inside words. */
  medianFactor: number;
  /** Lattice coherence (see monospacePitch) from which a line is taken as monospaced; Infinity = never. */
  monospaceCoherence: number;
}

// Chosen on synthetic lines (training/text/tune-spaces.mts; 150 clean, 200 scan-like, 200 with monospaced faces):
// word error rate without insertion 7.1 / 24.4 / 19.6 %; with 0.35 of the ink band 0.6 / 2.5 / 7.5 %; adding
// 2.5 × the line's median gap 0.6 / 2.5 / 1.9 %. The monospace lattice test, on 400 further lines (make-lines.mjs
// with Courier and bilevel scans; WER incl. recognition errors): proportional 9.65 → 9.65 %, monospaced 15.22 → 13.52 %
// (coherence 0.6–0.75 alike; 1.6 cells for a space, 1.4 gives 13.91 %).
export const defaultSpaceOptions: SpaceOptions = { gapRatio: 0.35, medianFactor: 2.5, monospaceCoherence: 0.7 };

/**
 * For each pair of consecutive characters, the widest run of ink-free columns between their CTC positions,
 * as a share of the line height; NaN where a space is impossible or already there (punctuation, CJK, model spaces).
 */
export function characterGaps(chars: CtcChar[], line: RgbImage, bandShare = 0.15): number[] {
  const dark = glyphInk(line);
  const ink = columnInk(line, dark);
  // Gaps are measured against the text's own ink height, not the crop's, which depends on the box margin.
  const scale = inkBand(line, bandShare, dark);
  return chars.slice(1).map((b, i) => {
    const a = chars[i]!;
    if (spaceImpossible(a, b)) return NaN;
    const from = Math.floor(((a.start + a.end) / 2) * recFrameWidth + recFrameWidth / 2);
    const to = Math.min(ink.length, Math.ceil(((b.start + b.end) / 2) * recFrameWidth + recFrameWidth / 2));
    return longestBlankRun(ink, from, to) / scale;
  });
}

/**
 * Inserts the spaces the model left out. Between two consecutive characters we look at the line image itself:
 * letters of one word are separated by a few pixels at most, words by about a quarter of the text height.
 * Measuring pixels rather than CTC frames matters because one frame is 8 columns, about the width of a space.
 */
export function insertWordSpaces(chars: CtcChar[], line: RgbImage, options: SpaceOptions = defaultSpaceOptions): string {
  return wordSpans(chars, line, options).map((w) => w.text).join(' ');
}

export interface WordSpan {
  text: string;
  /** Columns of the line image from the first character's frame to the last one's. */
  x0: number;
  x1: number;
  confidence: number;
  /** The characters read, for a second look at the word (the lexicon). */
  chars: CtcChar[];
}

/** The line's words (split where `insertWordSpaces` puts a space), with where they are on the line. */
export function wordSpans(chars: CtcChar[], line: RgbImage, options: SpaceOptions = defaultSpaceOptions): WordSpan[] {
  const pitch = monospacePitch(chars, options.monospaceCoherence);
  // In a monospaced line a space is an empty cell, whatever the ink beside a narrow letter suggests.
  const gaps = pitch ? chars.slice(1).map((b, i) => (spaceImpossible(chars[i]!, b) ? NaN : (centre(b) - centre(chars[i]!)) / pitch)) : characterGaps(chars, line);
  const threshold = pitch ? monospaceSpaceCells : spaceThreshold(gaps, options);
  // Figures are set in fixed-width cells (tabular figures): the ink beside a 1 is as wide as a word space, so
  // between two digits only a gap as wide as a table's column gap counts.
  const figures = (i: number) => !pitch && /\p{Nd}/u.test(chars[i - 1]!.char) && /\p{Nd}/u.test(chars[i]!.char);
  const words: CtcChar[][] = [];
  let current: CtcChar[] = [];
  chars.forEach((c, i) => {
    const split = c.char === ' ' || (i > 0 && gaps[i - 1]! >= (figures(i) ? Math.max(threshold, figureGapRatio) : threshold));
    if (split && current.length) {
      words.push(current);
      current = [];
    }
    if (c.char !== ' ') current.push(c);
  });
  if (current.length) words.push(current);
  return words.map((w) => ({
    text: w.map((c) => c.char).join(''),
    x0: Math.max(0, w[0]!.start * recFrameWidth),
    x1: Math.min(line.width, (w[w.length - 1]!.end + 1) * recFrameWidth),
    confidence: w.reduce((s, c) => s + c.prob, 0) / w.length,
    chars: w,
  }));
}

const centre = (c: CtcChar) => (c.start + c.end) / 2;
/** Gap between two digits, as a share of the ink band, that separates two numbers (table cells apart). */
const figureGapRatio = 0.9;
/** Centre distance, in cells, from which two letters of a monospaced line have an empty cell (a space) between them. */
const monospaceSpaceCells = 1.6;

/**
 * The cell width in CTC frames when the line looks monospaced, else undefined. In a monospaced face an i
 * advances as far as an m, so the wide ink gaps beside narrow letters are not word spaces; the cells tell.
 * Monospaced letters sit on a lattice x0 + k·pitch: we look for the pitch whose phases of the character centres
 * agree best (the length of their mean unit vector, 1 = all on the lattice). Proportional letters drift off any
 * lattice within a few letters; a short line can fit one by chance, hence the stricter bar for few characters.
 */
export function monospacePitch(chars: CtcChar[], minCoherence: number): number | undefined {
  const xs = chars.map(centre);
  if (xs.length < 10 || !Number.isFinite(minCoherence)) return undefined;
  const typical = median(xs.slice(1).map((x, i) => x - xs[i]!).filter((d) => d > 0));
  let best = 0, pitch = 0;
  for (let p = 0.75 * typical; p <= 1.3 * typical; p += 0.01) {
    let cos = 0, sin = 0;
    for (const x of xs) {
      cos += Math.cos((2 * Math.PI * x) / p);
      sin += Math.sin((2 * Math.PI * x) / p);
    }
    const coherence = Math.hypot(cos, sin) / xs.length;
    if (coherence > best) [best, pitch] = [coherence, p];
  }
  // Under two frames (16 px at the recogniser's 48 px height) a frame is too coarse to tell one cell from two.
  return pitch >= 2 && best >= Math.max(minCoherence, 3 / Math.sqrt(xs.length)) ? pitch : undefined;
}

function spaceImpossible(a: CtcChar, b: CtcChar): boolean {
  return a.char === ' ' || b.char === ' ' || !isSpaceSeparatedScript(a.char) || !isSpaceSeparatedScript(b.char) || noSpaceBefore.has(b.char) || noSpaceAfter.has(a.char);
}

/** The gap that makes a space on this line: the fixed share, raised on lines whose typical gap is wide. */
export function spaceThreshold(gaps: number[], options: SpaceOptions): number {
  const measured = gaps.filter((g) => !Number.isNaN(g)).sort((a, b) => a - b);
  const typical = measured.length >= 4 ? measured[measured.length >> 1]! : 0;
  return Math.max(options.gapRatio, options.medianFactor * typical);
}

export interface Segment {
  chars: CtcChar[];
  /** Ink extent in line-image columns. */
  x0: number;
  x1: number;
}

/**
 * Splits a recognised line where the ink gap between two characters is at least `minGapRatio` of the line
 * height: table cells that the detector joined into one box. Without a split, one segment spans the ink.
 */
export function splitAtGaps(chars: CtcChar[], line: RgbImage, minGapRatio: number): Segment[] {
  const ink = columnInk(line);
  const center = (c: CtcChar) => ((c.start + c.end) / 2) * recFrameWidth + recFrameWidth / 2;
  const cuts: number[] = [];
  for (let i = 1; i < chars.length; i++) {
    const from = Math.floor(center(chars[i - 1]!));
    const to = Math.min(ink.length, Math.ceil(center(chars[i]!)));
    const run = longestBlankRunAt(ink, from, to);
    if (run.length >= minGapRatio * line.height) cuts.push(i, run.start + run.length / 2);
  }
  const segments: Segment[] = [];
  let first = 0;
  let left = 0;
  for (let k = 0; k <= cuts.length; k += 2) {
    const last = k < cuts.length ? cuts[k]! : chars.length;
    const right = k < cuts.length ? cuts[k + 1]! : line.width;
    let x0 = Math.floor(left), x1 = Math.ceil(right);
    while (x0 < x1 - 1 && !ink[x0]) x0++;
    while (x1 > x0 + 1 && !ink[x1 - 1]) x1--;
    segments.push({ chars: chars.slice(first, last), x0, x1 });
    first = last;
    left = right;
  }
  return segments;
}

function longestBlankRunAt(ink: Uint8Array, from: number, to: number): { start: number; length: number } {
  let best = { start: from, length: 0 }, runStart = from, run = 0;
  for (let x = Math.max(0, from); x < to; x++) {
    if (ink[x]) {
      run = 0;
      runStart = x + 1;
    } else if (++run > best.length) best = { start: runStart, length: run };
  }
  return best;
}

/**
 * Dark pixels of the glyphs: darker than an Otsu threshold of the line's grey levels, without underlines and
 * strike-throughs — a dark run along a row longer than the line is tall joins every letter of the words it
 * underlines, which would hide their spaces and make the busiest row a rule instead of text.
 */
export function glyphInk(line: RgbImage): Uint8Array {
  let dark = glyphInkByLine.get(line);
  if (!dark) {
    dark = findGlyphInk(line);
    glyphInkByLine.set(line, dark);
  }
  return dark;
}

/** A line's glyph ink, computed once: splitting at gaps and spacing each segment's words all ask for it. */
const glyphInkByLine = new WeakMap<RgbImage, Uint8Array>();

function findGlyphInk(line: RgbImage): Uint8Array {
  const { width, height } = line;
  const gray = new Uint8Array(width * height);
  for (let i = 0; i < gray.length; i++) gray[i] = (line.data[i * 3]! + line.data[i * 3 + 1]! + line.data[i * 3 + 2]!) / 3;
  const threshold = otsu(gray);
  const dark = new Uint8Array(gray.length);
  for (let i = 0; i < gray.length; i++) dark[i] = gray[i]! < threshold ? 1 : 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; ) {
      if (!dark[row + x]) {
        x++;
        continue;
      }
      let end = x;
      while (end < width && dark[row + end]) end++;
      if (end - x > height) dark.fill(0, row + x, row + end);
      x = end;
    }
  }
  return dark;
}

/** Height of the band of rows whose glyph-pixel count reaches `share` of the busiest row's. */
export function inkBand(line: RgbImage, share: number, dark = glyphInk(line)): number {
  const rows = new Uint32Array(line.height);
  for (let y = 0; y < line.height; y++) for (let x = 0; x < line.width; x++) rows[y]! += dark[y * line.width + x]!;
  const peak = Math.max(...rows);
  if (peak === 0) return line.height;
  let top = 0, bottom = line.height - 1;
  while (rows[top]! < share * peak) top++;
  while (rows[bottom]! < share * peak) bottom--;
  return Math.max(4, bottom - top + 1);
}

/** Per column: does it hold glyph ink? */
export function columnInk(line: RgbImage, dark = glyphInk(line)): Uint8Array {
  const ink = new Uint8Array(line.width);
  for (let x = 0; x < line.width; x++) {
    let count = 0;
    for (let y = 0; y < line.height; y++) count += dark[y * line.width + x]!;
    // One dark pixel is scanner noise, not a glyph.
    ink[x] = count >= 2 ? 1 : 0;
  }
  return ink;
}

function longestBlankRun(ink: Uint8Array, from: number, to: number): number {
  return longestBlankRunAt(ink, from, to).length;
}

export function otsu(gray: Uint8Array): number {
  const hist = new Float64Array(256);
  for (const v of gray) hist[v]!++;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * hist[i]!;
  let sumB = 0, wB = 0, best = 0, threshold = 128;
  for (let t = 0; t < 256; t++) {
    wB += hist[t]!;
    if (wB === 0) continue;
    const wF = gray.length - wB;
    if (wF === 0) break;
    sumB += t * hist[t]!;
    const mB = sumB / wB, mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) {
      best = between;
      threshold = t + 1;
    }
  }
  return threshold;
}
