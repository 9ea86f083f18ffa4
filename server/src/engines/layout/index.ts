/**
 * `auto` mode: split the region into blocks (text, tables, figures, display formulas), route each to its
 * engine, and write them in reading order. A region that holds one block (a table, a formula, a molecule)
 * comes back in that block's own format, so "Auto" on a selection does what the user would have picked.
 */
import { checkpoint, OcrError } from '../../errors';
import { cropImage, toGray, type RgbImage } from '../../pipeline/image';
import type { LoadedPage } from '../../pipeline/load';
import type { EngineStatus, Quad } from '../../protocol';
import type { Engine, EngineRequest, EngineResult } from '../engine';
import { median } from '../geometry';
import { binarize, findRules, ruleInk, typicalGlyphHeight, type BinaryImage } from '../table/rules';
import { otsu } from '../text/rec';
import { bulletBefore, textLines, uprightBounds, type TextEngine } from '../text';
import { findColumnGutters } from '../text/gutters';
import { columnGapRatio, pageMarkdown, paragraphs, readingOrder, toMarkdown, type Furniture, type LayoutLine } from '../text/layout';
import { checkTex } from '../math/validate';
import { normaliseLabel } from '../chem/labels';
import { replaceInlineFormulas } from './inlineMath';
import { alignedTableRegions, coveredBy, figureRegions, inkBlobs, isCaption, isSentence, rowsSplitAtGaps, ruledTableRegions, union, type Box } from './regions';

export interface Routes {
  table?: Engine;
  math?: Engine;
  chem?: Engine;
}

// Atom labels and groups drawn in structures: O, NH, OH, CH3, Cl, N+, H2N, CO2H, OMe…
const atomLabel = /^(?:[A-Z][a-z]?\d*[+-]?){1,4}$|^(?:OMe|OEt|Me|Et|Ph|Ac|Bn|Boc|tBu|iPr)$/;
/** The chemistry engine's confidence when most of its runs agree and OSRA scores the answer ≥ 0.5 (engines/chem). */
const moleculeConfidence = 0.8;
/** Structure drawings are thin strokes on white: a few percent of their box is ink, a photo's is much more. */
const maxDrawingInk = 0.2;
/**
 * A display formula's reading is written as $$…$$ from this confidence on; below, the line's text stays. On our
 * composed pages (training/layout/display-confidence.mts) clean formulas read at ≥ 0.91, while most parseable
 * readings of non-formula ink (strips of plots, structure drawings, tables) fall below it.
 */
const minDisplayConfidence = 0.65;
/** A relation or operator between two operands, or a big operator: in a wordless selection, one makes it a formula ("+1 555 0100" has none). */
const operators = /\S\s*[=<>≤≥≠≈+−×÷±∈→]\s*\S|[∑∫√∞∂∇]/;
const mathChars = /[=+−×÷^_<>≤≥∑∫√∞±∂∇∈∉⊂⊆∪∩→←⇒⇔≈≠∼′·∗α-ωΑ-Ω]/gu;

export interface LayoutBlock {
  kind: 'table' | 'figure' | 'math';
  box: Box;
}

export class LayoutEngine implements Engine {
  readonly mode = 'auto' as const;
  readonly name = 'Geometric layout analysis, routed to the text, table and math engines';

  constructor(
    private readonly text: TextEngine,
    private readonly routes: Routes,
  ) {}

  status(): EngineStatus {
    return { mode: 'auto', available: true, models: this.text.status().models };
  }

  async recognize(request: EngineRequest): Promise<EngineResult> {
    const timings: Record<string, number> = {};
    // Lines are cut at wide gaps so that table cells (and columns the detector joined) arrive as separate boxes.
    const { image, boxes: results, turned } = await this.text.readPage(request.page.image, request.token, request.report, timings, { splitGapRatio: columnGapRatio, words: true });
    // Everything below (regions, crops for the other engines, boxes) works on the page as it was read.
    if (turned) request = { ...request, page: { ...request.page, image } };
    const boxes = uprightBounds(results);
    let start = performance.now();
    const gray = toGray(image);
    const threshold = otsu(gray);
    const binary = binarize(gray, image.width, image.height, threshold);
    const glyph = typicalGlyphHeight(binary);
    const lineHeight = median(boxes.map((b) => b.y1 - b.y0)) || 2 * glyph;
    const rules = findRules(
      ruleInk(gray, image.width, image.height, threshold, Math.max(2, Math.round(glyph / 4)), true),
      { minLength: Math.max(20, 4 * glyph), maxThickness: Math.max(3, Math.round(0.5 * glyph)), maxGap: 2 },
      { minLength: Math.max(12, 2 * glyph), maxThickness: Math.max(3, Math.round(0.5 * glyph)), maxGap: 2 },
    );
    // Frames and shaded boxes around prose (exam questions, ruled note paper) are neither tables nor figures: most
    // of the text inside is in sentences. Counted in characters, since stacked fractions and labels add many
    // one-character boxes. Judged before overlapping candidates merge, so a frame round a question does not
    // swallow the small table inside it.
    const holdsProse = (region: Box) => {
      const inside = boxes.filter((b) => coveredBy(b, region) > 0.5);
      const chars = (list: typeof inside) => list.reduce((n, b) => n + b.text.length, 0);
      return chars(inside) > 0 && chars(inside.filter((b) => isSentence(b.text))) >= 0.5 * chars(inside);
    };
    // Rows of aligned cells are looked for on each side of a long vertical rule: answer choices set level in two
    // ruled columns are not one table across the page.
    // So are the columns of prose a gutter parts (a newspaper's lines on shared baselines are not table rows).
    const longRules = rules.vertical.filter((v) => v.to - v.from > 8 * lineHeight);
    const dividers = [...longRules.map((v) => ({ x: v.at, y0: v.from, y1: v.to })), ...findColumnGutters(boxes)];
    const side = (b: Box) => dividers.map((v) => (v.y0 < b.y1 && v.y1 > b.y0 ? ((b.x0 + b.x1) / 2 < v.x ? 'l' : 'r') : '-')).join('');
    const strips = new Map<string, typeof boxes>();
    for (const b of boxes) {
      const key = side(b);
      strips.set(key, [...(strips.get(key) ?? []), b]);
    }
    const aligned = [...strips.values()].flatMap((strip) => alignedTableRegions(rowsSplitAtGaps(strip, lineHeight), image.width, lineHeight));
    // A ruled grid with no text in it is a drawing (a shaded fraction bar, a chart's frame), left to the figures.
    const ruled = ruledTableRegions(rules, lineHeight, boxes.filter((b) => isCaption(b.text))).filter((t) => boxes.some((b) => coveredBy(b, t) > 0.5));
    // Cells ruled apart by an inner vertical rule make a table whatever they hold (a header "Value of Bill Number
    // of bills" reads as a sentence); frames and lined paper have no such rule.
    const gridded = (region: Box) =>
      rules.vertical.some((v) => v.at > region.x0 + lineHeight && v.at < region.x1 - lineHeight && Math.min(v.to, region.y1) - Math.max(v.from, region.y0) > 0.5 * (region.y1 - region.y0));
    const isTable = (region: Box) => gridded(region) || !holdsProse(region);
    const candidates = mergeOverlapping([...ruled, ...aligned].filter(isTable));
    const tables = candidates.filter(isTable);
    const insideTable = (b: Box) => tables.some((t) => coveredBy(b, t) > 0.5);
    const textBoxes = boxes.filter((b) => !insideTable(b));
    // List bullets the recogniser left out of their lines are text too (a column of dashes is not a drawing).
    const bullets = results.flatMap((r) => bulletBefore(image, r.rect) ?? []);
    const figures = figureRegions(binary, [...textBoxes, ...bullets, ...tables], lineHeight).filter((f) => !tables.some((t) => coveredBy(f, t) > 0.5) && !holdsProse(f));
    // Labels in or right beside a figure (axis ticks, legends, short annotations) belong to the figure.
    const isLabelOf = (b: (typeof boxes)[number], f: Box) =>
      coveredBy(b, f) > 0.6 || (b.text.length <= 16 && coveredBy(b, { x0: f.x0 - lineHeight, y0: f.y0 - lineHeight, x1: f.x1 + lineHeight, y1: f.y1 + 1.5 * lineHeight }) > 0.6);
    const figureLabels = figures.map(() => [] as string[]);
    for (const [i, f] of figures.entries()) {
      for (const b of textBoxes) {
        if (!isLabelOf(b, f)) continue;
        figures[i] = union(figures[i]!, b);
        figureLabels[i]!.push(b.text);
      }
    }
    // An image that is one structure drawing — a line drawing whose every piece of text is an atom label — is
    // answered as a molecule when the chemistry engine's runs agree on one. Judged on the whole image, before
    // labels are split off as lines: a label read apart from the bonds loses its atom (HO-… read as a methyl),
    // a drawing with no label may be too small to be a figure, and bonds read with a label ("=O") look like math.
    if (tables.length === 0 && this.routes.chem?.status().available && isStructureDrawing(binary, boxes)) {
      const chem = await this.routes.chem.recognize(request).catch(() => undefined);
      // Most runs agreeing is right 96 % of the time on our tuning set; OSRA's own score is low on small molecules.
      const agreement = chem?.chem?.agreement;
      if (chem && agreement && 2 * agreement.votes > agreement.runs) {
        const whole = { x0: 0, y0: 0, x1: image.width, y1: image.height };
        return { ...chem, timings: { ...timings, ...chem.timings }, layout: { kind: 'chem', blocks: quads([{ kind: 'chem', box: whole }]) }, turned };
      }
    }
    const inFlow = boxes.map((b) => !insideTable(b) && !figures.some((f) => isLabelOf(b, f)));
    const flowBoxes = boxes.filter((_, i) => inFlow[i]);
    timings.regions = performance.now() - start;

    const flowResults = results.filter((_, i) => inFlow[i]);
    // A long vertical rule outside tables and figures divides columns (exam sheets, newsletters), even where the
    // blank beside it is narrower than the gap that parts columns by itself.
    const columnRules = longRules
      .filter((v) => ![...tables, ...figures].some((b) => v.at > b.x0 && v.at < b.x1 && v.from < b.y1 && v.to > b.y0))
      .map((v) => ({ x: v.at, y0: v.from, y1: v.to, ruled: true }));
    const flow = textLines(flowResults, image, columnRules);
    const gutters = flow.gutters;
    let lines = flow.lines;
    // A selection holding nothing but a formula has no prose to be centred in: its lines are judged alone — a few
    // math-like lines, or pieces with at most one word (misread symbols can look like one) among which a relation
    // or operator was read (a fraction's terms and a sum's limits come as many small pieces); CJK text, written
    // without spaces, has no words to count and is never taken for math.
    const words = lines.reduce((n, l) => n + ordinaryWords(l.text), 0);
    const letters = lines.reduce((n, l) => n + l.text.replace(/\s+/g, '').length, 0);
    const selectedFormula = tables.length === 0 && figures.length === 0 && lines.length > 0 &&
      ((lines.length <= 4 && lines.every((l) => looksLikeMath(l, lineHeight))) || (words <= 1 && letters <= 100 && lines.some((l) => operators.test(l.text)) && !lines.some((l) => mostlyCjk(l.text))));
    // On a page, equation numbers become lines of their own, then the tags of the display formulas beside them.
    if (!selectedFormula) lines = splitEquationNumbers(lines, flowBoxes, lineHeight);
    const formulas: FormulaLine[] = selectedFormula
      ? [lines.reduce((a, l) => ({ ...a, ...union(a, l), text: `${a.text} ${l.text}` }))]
      : displayFormulas(lines, lineHeight, binary, [...tables, ...figures]);
    const tagLines = new Set(formulas.flatMap((f) => (f.tag ? [f.tag.line] : [])));
    const blocks: LayoutBlock[] = [
      ...tables.map((box) => ({ kind: 'table' as const, box })),
      ...figures.map((box) => ({ kind: 'figure' as const, box })),
      ...formulas.map((line) => ({ kind: 'math' as const, box: line as Box })),
    ];
    const region = { x0: 0, y0: 0, x1: image.width, y1: image.height };
    // One block filling the selection: answer in that engine's own format.
    const sole = blocks.length === 1 && lines.every((l) => formulas.some((f) => coveredBy(l, f) > 0.5)) ? blocks[0] : undefined;
    const soleEngine = sole && sole.kind !== 'figure' ? this.routes[sole.kind] : undefined;
    if (sole && soleEngine) {
      // An engine without its model (math before it is installed) leaves the block to the text path below.
      const result = await soleEngine.recognize({ ...request, page: subPage(request.page, expand(sole.box, lineHeight * 0.5, region)) }).catch((error: unknown) => {
        if (error instanceof OcrError && error.kind === 'modeNotAvailable') return undefined;
        throw error;
      });
      if (result) return { ...result, timings: { ...timings, ...result.timings }, layout: { kind: sole.kind, blocks: quads(blocks) }, turned };
    }

    // Lines inside a formula's block (a numerator that reads as plain text) are part of the formula.
    const placed: LayoutLine[] = lines.filter((l) => !tagLines.has(l) && !formulas.some((f) => coveredBy(l, f) > 0.5));
    if (this.routes.math?.status().available) {
      start = performance.now();
      await replaceInlineFormulas(placed, flowResults, this.routes.math, request, (b) => subPage(request.page, expand(b, 0, region)));
      timings.inlineMath = performance.now() - start;
    }
    start = performance.now();
    let figureCount = 0;
    const molecules: LayoutBlock[] = [];
    for (const block of blocks) {
      await checkpoint(request.token);
      let markdown: string;
      if (block.kind === 'figure') {
        figureCount++;
        markdown = `![Figure ${figureCount}](figure-${figureCount}.png)`;
        // A drawing labelled only with atoms (or not at all) may be a structure: its SMILES goes under the image
        // when the chemistry engine's runs agree on one.
        const labels = figureLabels[figures.indexOf(block.box)] ?? [];
        // Only line drawings (little ink) are tried: photos would cost three OSRA runs each for nothing.
        const lineDrawing = inkShare(binary, block.box) < maxDrawingInk;
        if (lineDrawing && this.routes.chem?.status().available && labels.every((t) => atomLabel.test(t.replace(/\s+/g, '')))) {
          const chem = await this.routes.chem.recognize({ ...request, page: subPage(request.page, expand(block.box, lineHeight * 0.3, region)) }).catch(() => undefined);
          if (chem && chem.confidence >= moleculeConfidence) {
            markdown += `\n\n\`\`\`smiles\n${chem.content}\n\`\`\``;
            molecules.push(block);
          }
        }
      } else {
        const engine = this.routes[block.kind as 'table' | 'math'];
        const read = async (box: Box) => (engine ? await engine.recognize({ ...request, page: subPage(request.page, expand(box, lineHeight * 0.3, region)) }).catch(() => undefined) : undefined);
        if (block.kind === 'math') {
          const { text, tag, rows } = block.box as FormulaLine;
          const confident = (r: EngineResult | undefined): r is EngineResult => !!r && !!r.math?.valid && r.confidence >= minDisplayConfidence;
          // A formula of several rows is read row by row (the model reads one line best), then as a whole.
          let latex: string | undefined;
          if (rows) {
            const readings = [];
            for (const row of rowBands(block.box, rows)) readings.push(await read(row));
            const joined = readings.every(confident) ? alignedRows(readings.map((r) => r.content)) : undefined;
            if (joined && checkTex(joined).ok) latex = joined;
          }
          if (latex === undefined) {
            const whole = await read(block.box);
            if (confident(whole)) latex = whole.content;
          }
          markdown = latex !== undefined ? `$$\n${latex}${tag ? ` \\tag{${tag.label}}` : ''}\n$$` : [text, tag?.line.text].filter(Boolean).join(' ');
        } else markdown = (await read(block.box))?.content ?? '';
      }
      placed.push({ text: '', confidence: 1, ...block.box, parts: [], block: { kind: block.kind, markdown } });
    }
    // A whole page (document conversion, or auto on a page without a selection) loses its running heads and
    // page numbers and gets its footnotes after the body; a selection is written as it is.
    const page = request.page;
    const wholePage = page.originX === 0 && page.originY === 0 && Math.abs(image.width / page.scale - page.pageWidth) < 1 && Math.abs(image.height / page.scale - page.pageHeight) < 1;
    const composed = wholePage
      ? pageMarkdown(placed, image.height, gutters)
      : { markdown: toMarkdown(paragraphs(readingOrder(placed, gutters))), furniture: new Map<LayoutLine, Furniture>() };
    const content = composed.markdown;
    const furniture = [...composed.furniture].map(([line, kind]) => ({ kind, box: line as Box }));
    timings.compose = performance.now() - start;
    const chars = flowBoxes.reduce((n, b) => n + b.text.length, 0);
    return {
      content,
      format: 'markdown',
      confidence: chars ? flowBoxes.reduce((s, b) => s + b.confidence * b.text.length, 0) / chars : blocks.length ? 0.5 : 0,
      lines: flowBoxes.map((b) => ({ text: b.text, confidence: b.confidence, box: [[b.x0, b.y0], [b.x1, b.y0], [b.x1, b.y1], [b.x0, b.y1]] as Quad })),
      models: this.text.status().models.map((m) => m.name),
      timings,
      layout: { kind: sole?.kind ?? 'text', blocks: quads([...blocks.map((b) => (molecules.includes(b) ? { ...b, kind: 'chem' as const } : b)), ...furniture]) },
      turned,
    };
  }
}


/** Rich in math symbols, taller than a text line, or read with low confidence — and neither a sentence nor CJK text (which has no spaces to count words by). */
export function looksLikeMath(line: LayoutLine, lineHeight: number): boolean {
  return (mathSymbolShare(line.text) > 0.1 || line.y1 - line.y0 > 1.4 * lineHeight || line.confidence < 0.8) && ordinaryWords(line.text) < 4 && !mostlyCjk(line.text);
}

const mostlyCjk = (text: string) => (text.match(/[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]/g) ?? []).length > 0.3 * text.replace(/\s+/g, '').length;

/** Text rich in math symbols and not a sentence (a text layer's formula: its reading and size say nothing). */
export const isMathText = (text: string): boolean => mathSymbolShare(text) > 0.1 && ordinaryWords(text) < 4;

/** Share of the non-space characters that are math symbols (spacing depends on who wrote the text). */
const mathSymbolShare = (text: string) => (text.match(mathChars) ?? []).length / Math.max(1, text.replace(/\s+/g, '').length);
/** Words of three letters or more (a trailing stop allowed): what sentences are made of, and formulas are not. */
const ordinaryWords = (text: string) => text.split(/\s+/).filter((w) => /^\p{L}{3,}[.,;:]?$/u.test(w)).length;

/** A display formula's line(s), with the equation number set at their right ("13" from the line "(13)"). */
export type FormulaLine = LayoutLine & { tag?: { label: string; line: LayoutLine }; rows?: Box[] };

/** "(13)", "(2.4a)", "(A.1)": how papers number their equations. */
const equationNumber = /^\(((?:[A-Z]\.?)?\d{1,3}(?:\.\d{1,3})*[a-z]?)\)$/;
export const equationLabel = (line: LayoutLine): string | undefined => equationNumber.exec(line.text.replace(/\s+/g, ''))?.[1];
/**
 * An equation number stands at least a line height right of its formula (a sentence's "Eq. (13)" follows its
 * word after a space); a line is cut before a number only twice that far, since a loosely set line is no formula.
 */
const numberGap = 1;

/** The equation-number line standing at the right of `box`, level with it, if there is one among `lines`. */
export function equationNumberBeside(box: Box, lines: LayoutLine[], lineHeight: number): LayoutLine | undefined {
  return lines.find(
    (n) => n !== box && n.x0 - box.x1 >= numberGap * lineHeight && (n.y0 + n.y1) / 2 > box.y0 - 0.25 * lineHeight && (n.y0 + n.y1) / 2 < box.y1 + 0.25 * lineHeight && equationLabel(n) !== undefined,
  );
}

/** Lines ending in an equation number that stands apart are cut in two, so the number is a line of its own. */
export function splitEquationNumbers(lines: LayoutLine[], boxes: readonly (Box & { text: string })[], lineHeight: number): LayoutLine[] {
  return lines.flatMap((line) => {
    if (line.parts.length < 2) return [line];
    const numberPart = line.parts[line.parts.length - 1]!;
    const number = boxes[numberPart]!;
    const rest = line.parts.slice(0, -1);
    const restBoxes = rest.map((i) => boxes[i]!);
    const restRight = Math.max(...restBoxes.map((b) => b.x1));
    if (!equationNumber.test(number.text.replace(/\s+/g, '')) || number.x0 - restRight < 2 * numberGap * lineHeight) return [line];
    const bounds = (list: Box[]) => ({ x0: Math.min(...list.map((b) => b.x0)), y0: Math.min(...list.map((b) => b.y0)), x1: Math.max(...list.map((b) => b.x1)), y1: Math.max(...list.map((b) => b.y1)) });
    return [
      { ...line, ...bounds(restBoxes), text: restBoxes.map((b) => b.text).join(' '), parts: rest },
      { ...line, ...bounds([number]), text: number.text, parts: [numberPart] },
    ];
  });
}

/**
 * Display formulas among text lines, each with its equation number. A formula line is math-like and set apart
 * from the prose around it: centred in its column, indented well past a paragraph's first-line indent, or level
 * with an equation number at its right. With the page's `ink`, a formula is the ink around its readable pieces
 * (fraction bars, big operators and their limits are rarely read as text), and a centred formula with no
 * readable piece at all is found by its ink alone. `explained` ink (tables, figures) is left out.
 */
export function displayFormulas(lines: LayoutLine[], lineHeight: number, ink?: BinaryImage, explained: Box[] = []): FormulaLine[] {
  const numbers = lines.filter((l) => equationLabel(l) !== undefined);
  const numberOf = (box: Box) => equationNumberBeside(box, numbers, lineHeight);
  const mathish = (line: LayoutLine) => mathSymbolShare(line.text) > 0.1 || ordinaryWords(line.text) < 4;
  const overlapX = (a: Box, b: Box) => Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0) > 0;
  const prose = lines.filter((l) => l.text.length > 30);
  /** Where a box stands among the prose lines of its column. */
  const placement = (box: Box) => {
    const near = prose.filter((l) => l !== box && Math.abs(l.y0 - box.y0) < 8 * lineHeight && overlapX(l, box));
    if (near.length === 0) return { centred: false, indented: false, inset: false };
    const left = Math.min(...near.map((l) => l.x0)), right = Math.max(...near.map((l) => l.x1));
    const width = right - left;
    const centred = Math.abs((box.x0 + box.x1) / 2 - (left + right) / 2) < 0.08 * width && box.x1 - box.x0 < 0.75 * width && box.x0 - left > 0.1 * width;
    // A page dense with formulas has few full prose lines near each: the column's right edge is looked for further off.
    const columnRight = Math.max(right, ...prose.filter((l) => Math.abs(l.y0 - box.y0) < 20 * lineHeight && overlapX(l, box)).map((l) => l.x1));
    const inset = box.x0 - left > 1.5 * lineHeight;
    const indented = inset && box.x1 - box.x0 < 0.9 * (columnRight - left);
    return { centred, indented, inset };
  };
  // Numbered or centred lines are formulas beyond doubt; a merely indented one may be an exam's answer choice
  // ("A 2/17"), kept as read rather than grown into the ink of its neighbours.
  const placed = new Map(lines.map((l) => [l, placement(l)]));
  const firm = new Set<LayoutLine>();
  const seeds = lines.filter((line) => {
    if (numbers.includes(line)) return false;
    const { centred, indented } = placed.get(line)!;
    const numbered = numberOf(line) !== undefined && mathish(line);
    if (numbered || (centred && looksLikeMath(line, lineHeight))) firm.add(line);
    return numbered || ((centred || indented) && looksLikeMath(line, lineHeight));
  });
  // Short wordless bits a formula is often read as: "i,j", "n =", "1".
  const fragment = (l: LayoutLine) => ordinaryWords(l.text) === 0 && l.text.replace(/\s+/g, '').length <= 6;
  // Rows of a multi-line formula: lines inset from the column's edge that follow on above or below a firm formula
  // (through the limits and indices between them) belong to it, however they were read.
  const adjacent = (a: Box, b: Box) => overlapX(a, b) && Math.max(a.y0, b.y0) - Math.min(a.y1, b.y1) < 0.6 * lineHeight;
  const reached = new Set(firm);
  for (let grown = true; grown; ) {
    grown = false;
    for (const line of lines) {
      if (reached.has(line) || numbers.includes(line) || !(fragment(line) || placed.get(line)!.inset) || ![...reached].some((r) => adjacent(r, line))) continue;
      reached.add(line);
      grown = true;
      if (fragment(line)) continue;
      firm.add(line);
      if (!seeds.includes(line)) seeds.push(line);
    }
  }
  let formulas: LayoutLine[] = seeds;
  if (ink) {
    // Pieces a formula may be read as: its firm seeds, math-like lines and fragments.
    const piece = (l: LayoutLine) => firm.has(l) || (!seeds.includes(l) && (looksLikeMath(l, lineHeight) || fragment(l)));
    const covered = [...explained, ...numbers, ...lines.filter((l) => !piece(l))];
    // Symbols a little apart on a row join (a fraction's bar and terms touch within a quarter line); rows stay apart.
    const blobs = inkBlobs(ink, covered, lineHeight, 0.75, 0.25).filter((b) => b.y1 - b.y0 >= 0.5 * lineHeight && b.x1 - b.x0 >= 0.5 * lineHeight && b.y1 - b.y0 < 10 * lineHeight);
    const between = (box: Box) =>
      prose.some((l) => overlapX(l, box) && l.y1 <= box.y0 && box.y0 - l.y1 < 5 * lineHeight) && prose.some((l) => overlapX(l, box) && l.y0 >= box.y1 && l.y0 - box.y1 < 5 * lineHeight);
    const area = (b: Box) => (b.x1 - b.x0) * (b.y1 - b.y0);
    formulas = [];
    for (const blob of blobs) {
      const pieces = lines.filter((l) => piece(l) && coveredBy(l, blob) > 0.5);
      const box = pieces.reduce<Box>((b, l) => union(b, l), blob);
      // Unread ink: a formula's bars and operators, not a short heading or label read whole.
      const unread = area(blob) > 1.5 * pieces.reduce((a, l) => a + area(l), 0);
      const formula =
        pieces.some((l) => firm.has(l)) ||
        (numberOf(box) !== undefined && pieces.every(mathish)) ||
        (unread && blob.x1 - blob.x0 >= 1.5 * lineHeight && blob.y1 - blob.y0 < 6 * lineHeight && placement(box).centred && between(box));
      if (!formula) continue;
      const confidence = pieces.length ? Math.min(...pieces.map((l) => l.confidence)) : 0;
      formulas.push({ text: pieces.map((l) => l.text).join(' '), confidence, ...box, parts: pieces.flatMap((l) => l.parts) });
    }
    // Terms set a quad or two apart on one row are one formula.
    const sameRow = (a: Box, b: Box) =>
      Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0) > 0.5 * Math.min(a.y1 - a.y0, b.y1 - b.y0) && Math.max(a.x0, b.x0) - Math.min(a.x1, b.x1) < 3 * lineHeight;
    formulas = joinWhere(formulas, sameRow);
    for (const seed of seeds.filter((s) => !formulas.some((f) => coveredBy(s, f) > 0.5))) {
      // An indented piece beside a formula found by its ink ("B[u,v] =" left of a sum) belongs to it.
      const at = formulas.findIndex((f) => sameRow(f, seed));
      if (at >= 0) formulas[at] = { ...formulas[at]!, ...union(formulas[at]!, seed), text: `${seed.text} ${formulas[at]!.text}`, parts: [...seed.parts, ...formulas[at]!.parts] };
      else formulas.push(seed);
    }
  }
  // Rows of a multi-line formula, read one by one: its seed lines, side by side ones joined, each at least
  // two fifths of the formula wide (a fraction's terms and an operator's limits are narrower).
  const rowsOf = (f: Box) => {
    const inside = seeds.filter((l) => coveredBy(l, f) > 0.5);
    const rows = joinWhere(inside, (a, b) => Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0) > 0).filter((r) => r.x1 - r.x0 >= 0.4 * (f.x1 - f.x0));
    return rows.length > 1 ? rows.map(({ x0, y0, x1, y1 }) => ({ x0, y0, x1, y1 })) : undefined;
  };
  return stackedFormulas(formulas, lineHeight).map((f) => {
    const number = numberOf(f), rows = rowsOf(f);
    return { ...f, ...(number ? { tag: { label: equationLabel(number)!, line: number } } : {}), ...(rows ? { rows } : {}) };
  });
}

/** Each row's band of a formula block: the block's width, cut halfway between neighbouring rows. */
export function rowBands(block: Box, rows: Box[]): Box[] {
  const sorted = [...rows].sort((a, b) => a.y0 - b.y0);
  return sorted.map((row, i) => ({
    x0: block.x0,
    x1: block.x1,
    y0: i === 0 ? block.y0 : (sorted[i - 1]!.y1 + row.y0) / 2,
    y1: i === sorted.length - 1 ? block.y1 : (row.y1 + sorted[i + 1]!.y0) / 2,
  }));
}

/** Top-level relations a multi-line formula aligns on. */
const relation = /^(?:=|<|>|\\(?:leq?|geq?|equiv|approx|neq?|sim|simeq|cong|propto|to|rightarrow|Rightarrow|subseteq?|supseteq?|in)(?![a-zA-Z]))/;

/** Rows read one by one, as one `aligned` formula: each aligned at its first top-level relation (or its start). */
export function alignedRows(rows: string[]): string {
  const align = (row: string) => {
    let depth = 0;
    for (let i = 0; i < row.length; i++) {
      const ch = row[i]!;
      if (ch === '\\' && (row[i + 1] === '\\' || row.startsWith('\\begin', i))) break;
      if (ch === '{') depth++;
      else if (ch === '}') depth--;
      else if (depth === 0 && relation.test(row.slice(i))) return `${row.slice(0, i)}&${row.slice(i)}`;
      if (ch === '\\') i += (/^\\[a-zA-Z]+/.exec(row.slice(i))?.[0].length ?? 2) - 1;
    }
    return `&${row}`;
  };
  return `\\begin{aligned}${rows.map((r) => align(r.trim())).join('\\\\')}\\end{aligned}`;
}

/**
 * One display formula can be found as several pieces (a stacked fraction's numerator, main line and denominator;
 * limits under an operator, an equation broken over lines): pieces that overlap horizontally and lie within half
 * a line of each other are one block, read once.
 */
export function stackedFormulas(formulas: LayoutLine[], lineHeight: number): LayoutLine[] {
  return joinWhere(formulas, (a, b) => Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0) > -0.5 * lineHeight && Math.min(a.x1, b.x1) > Math.max(a.x0, b.x0));
}

/** Joins pieces pairwise while any two satisfy `joinable`, top to bottom. */
function joinWhere(pieces: LayoutLine[], joinable: (a: LayoutLine, b: LayoutLine) => boolean): LayoutLine[] {
  const out = [...pieces].sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0);
  for (let joined = true; joined; ) {
    joined = false;
    for (let i = 0; i < out.length && !joined; i++) {
      for (let j = i + 1; j < out.length && !joined; j++) {
        const a = out[i]!, b = out[j]!;
        if (!joinable(a, b)) continue;
        out[i] = { ...a, ...union(a, b), text: `${a.text} ${b.text}`.trim(), confidence: Math.min(a.confidence, b.confidence), parts: [...a.parts, ...b.parts] };
        out.splice(j, 1);
        joined = true;
      }
    }
  }
  return out;
}

/**
 * A structure drawing: thin strokes (under a fifth of the image inked), most of the ink outside the text the
 * recogniser found, and every piece of that text an atom label once the bond strokes read with it are dropped
 * ("H,N" for H₂N, "-NH2", "=O").
 */
export function isStructureDrawing(binary: BinaryImage, boxes: { text: string; x0: number; y0: number; x1: number; y1: number }[]): boolean {
  const whole = { x0: 0, y0: 0, x1: binary.width, y1: binary.height };
  if (inkShare(binary, whole) >= maxDrawingInk) return false;
  // A zero in a label is a misread O (the recogniser reads "O" alone as "0" as often as not).
  const labels = boxes.flatMap((b) => b.text.split(/\s+/)).map((t) => normaliseLabel(t).replace(/0/g, 'O')).filter(Boolean);
  if (!labels.every((label) => atomLabel.test(label))) return false;
  const covered = new Uint8Array(binary.ink.length);
  // A box far wider than its few characters (rings read as "R") is the recogniser's reading of bonds: drawing.
  const heights = boxes.map((b) => b.y1 - b.y0).sort((a, b) => a - b);
  const labelHeight = heights[heights.length >> 1] ?? 0;
  const plausible = (b: (typeof boxes)[number]) => b.x1 - b.x0 <= 1.5 * labelHeight * Math.max(1, b.text.length) && b.y1 - b.y0 <= 1.5 * labelHeight;
  for (const b of boxes.filter(plausible)) {
    for (let y = Math.max(0, Math.floor(b.y0)); y < Math.min(binary.height, Math.ceil(b.y1)); y++) {
      covered.fill(1, y * binary.width + Math.max(0, Math.floor(b.x0)), y * binary.width + Math.min(binary.width, Math.ceil(b.x1)));
    }
  }
  let ink = 0, drawn = 0;
  for (let i = 0; i < binary.ink.length; i++) {
    if (!binary.ink[i]) continue;
    ink++;
    if (!covered[i]) drawn++;
  }
  return ink > 0 && drawn >= minDrawnShare * ink;
}

/** Share of a structure drawing's ink outside its labels: bonds are most of it (formulas and text have almost none). */
const minDrawnShare = 0.4;

/** Share of a box's pixels that are ink. */
export function inkShare(binary: { width: number; ink: Uint8Array }, b: Box): number {
  let ink = 0, total = 0;
  for (let y = Math.max(0, Math.floor(b.y0)); y < Math.min(binary.ink.length / binary.width, Math.ceil(b.y1)); y++) {
    for (let x = Math.max(0, Math.floor(b.x0)); x < Math.min(binary.width, Math.ceil(b.x1)); x++, total++) ink += binary.ink[y * binary.width + x]!;
  }
  return total ? ink / total : 0;
}

function quads(blocks: { kind: LayoutBlock['kind'] | 'chem' | Furniture; box: Box }[]) {
  return blocks.map((b) => ({ kind: b.kind, box: [[b.box.x0, b.box.y0], [b.box.x1, b.box.y0], [b.box.x1, b.box.y1], [b.box.x0, b.box.y1]] as Quad }));
}

function mergeOverlapping(boxes: Box[]): Box[] {
  const out: Box[] = [];
  for (const b of boxes) {
    const hit = out.findIndex((o) => coveredBy(b, o) > 0.3 || coveredBy(o, b) > 0.3);
    if (hit >= 0) out[hit] = union(out[hit]!, b);
    else out.push({ ...b });
  }
  return out;
}

function expand(b: Box, margin: number, within: Box): Box {
  return { x0: Math.max(within.x0, Math.floor(b.x0 - margin)), y0: Math.max(within.y0, Math.floor(b.y0 - margin)), x1: Math.min(within.x1, Math.ceil(b.x1 + margin)), y1: Math.min(within.y1, Math.ceil(b.y1 + margin)) };
}

/** A crop of a loaded page as a page of its own, keeping the mapping back to page units. */
function subPage(page: LoadedPage, b: Box): LoadedPage {
  const image: RgbImage = cropImage(page.image, b.x0, b.y0, Math.max(1, b.x1 - b.x0), Math.max(1, b.y1 - b.y0));
  return { ...page, image, originX: page.originX + b.x0 / page.scale, originY: page.originY + b.y0 / page.scale };
}
