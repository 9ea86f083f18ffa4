/**
 * OmniDocBench v1.0 end-to-end scoring of one page's Markdown (opendatalab/OmniDocBench, as of the v1.0
 * results, e.g. commit db22803 of the pichiu fork: `utils/extract.py` md_tex_filter, `utils/match_quick.py`,
 * `utils/data_preprocess.py`, `dataset/end2end_dataset.py`, `metrics/cal_metric.py`), rewritten in TypeScript
 * from their description. The protocol, in short:
 * - the prediction is split into HTML tables (GFM tables are converted first), display formulas ($$…$$, \[…\];
 *   inline $…$ are formula candidates too but stay in the text) and text paragraphs (blank-line separated);
 * - ground-truth text blocks (text categories, truncated blocks merged, in reading order) are matched to the
 *   paragraphs by the "quick match" (edit-distance cost matrix, merging of split paragraphs, Hungarian
 *   assignment, fuzzy substring matching of leftovers); display formulas the same way among formula
 *   candidates; tables by Hungarian assignment on raw HTML;
 * - matches whose ground truth is a header, footer, page number, caption or footnote are dropped; missed ground
 *   truth counts as an empty prediction, unmatched extra text as an insertion;
 * - edit distance per page = Σ Levenshtein / Σ max(length) over its matches, averaged over pages; text is
 *   compared after `clean_string` (letters, digits, CJK only), formulas after `normalized_formula`, tables as
 *   normalised HTML (and TEDS); reading order is the edit distance between the ground-truth order of the
 *   matched blocks and the order the prediction gives them;
 * - v1.0's "overall" edit distance is the mean of the text, formula, table and reading-order edit distances.
 * Deviations are listed in bench/README.md (LaTeX → Unicode of inline formulas, GFM reader, formula
 * normalisation of the later release, one fix of a double count).
 */
import { decodeEntities, teds } from '../teds';
import { assignment, codePoints, EditPattern, levenshtein, normalizedDistance, sequenceDistance, windowDistance } from './matching';

// ------------------------------------------------------------------------------------------------- ground truth

export interface GtBlock {
  category_type: string;
  order?: number | null;
  anno_id: number;
  text?: string;
  latex?: string;
  html?: string;
  ignore?: boolean;
}

export interface GtPage {
  layout_dets: GtBlock[];
  extra: { relation: { source_anno_id: number; target_anno_id: number; relation_type: string }[] };
  page_info: { image_path: string; width: number; height: number; page_attribute: { language: string; [k: string]: unknown } };
}

/** Text categories matched against the prediction's paragraphs. */
export const textCategories = [
  'text_block', 'title', 'code_txt', 'code_txt_caption', 'reference', 'equation_caption', 'figure_caption', 'figure_footnote',
  'table_caption', 'table_footnote', 'code_algorithm', 'code_algorithm_caption', 'header', 'footer', 'page_footnote', 'page_number',
];
/** Matched (so a prediction of them is neither missed text nor extra text) but not scored. */
export const ignoredCategories = new Set([
  'figure_caption', 'figure_footnote', 'table_caption', 'table_footnote', 'code_algorithm', 'code_algorithm_caption', 'header', 'footer',
  'page_footnote', 'page_number', 'equation_caption',
]);

/** `get_page_elements`: blocks by category, blocks linked by "truncated" relations merged (text joined, first block's order). */
export function pageElements(page: GtPage): Map<string, GtBlock[]> {
  const groups: number[][] = [];
  for (const r of page.extra.relation) {
    if (r.relation_type !== 'truncated') continue;
    const hits = groups.filter((g) => g.includes(r.source_anno_id) || g.includes(r.target_anno_id));
    // The reference appends to every group that shares a block and can list a block twice; ids are kept once here.
    if (hits.length) for (const g of hits) for (const id of [r.source_anno_id, r.target_anno_id]) !g.includes(id) && g.push(id);
    else groups.push([r.source_anno_id, r.target_anno_id]);
  }
  const merged = new Set(groups.flat());
  const byCategory = new Map<string, GtBlock[]>();
  const add = (b: GtBlock) => byCategory.set(b.category_type, [...(byCategory.get(b.category_type) ?? []), b]);
  for (const b of page.layout_dets) if (!merged.has(b.anno_id)) add(b);
  for (const g of groups) {
    const blocks = g.map((id) => page.layout_dets.find((b) => b.anno_id === id)).filter((b): b is GtBlock => !!b).sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
    if (blocks.length) add({ ...blocks[0]!, text: blocks.map((b) => b.text ?? '').join('') });
  }
  return byCategory;
}

const byOrder = (blocks: GtBlock[]) => [...blocks].sort((a, b) => (a.order || 0) - (b.order || 0));

// ------------------------------------------------------------------------------------------------- normalisation

const greek: Record<string, string> = {
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ϵ', varepsilon: 'ε', zeta: 'ζ', eta: 'η', theta: 'θ', vartheta: 'ϑ',
  iota: 'ι', kappa: 'κ', lambda: 'λ', mu: 'μ', nu: 'ν', xi: 'ξ', omicron: 'ο', pi: 'π', varpi: 'ϖ', rho: 'ρ', varrho: 'ϱ',
  sigma: 'σ', varsigma: 'ς', tau: 'τ', upsilon: 'υ', phi: 'ϕ', varphi: 'φ', chi: 'χ', psi: 'ψ', omega: 'ω',
  Gamma: 'Γ', Delta: 'Δ', Theta: 'Θ', Lambda: 'Λ', Xi: 'Ξ', Pi: 'Π', Sigma: 'Σ', Upsilon: 'Υ', Phi: 'Φ', Psi: 'Ψ', Omega: 'Ω',
  varGamma: 'Γ', varDelta: 'Δ', varTheta: 'Θ', varLambda: 'Λ', varXi: 'Ξ', varPi: 'Π', varSigma: 'Σ', varUpsilon: 'Υ',
  varPhi: 'Φ', varPsi: 'Ψ', varOmega: 'Ω', ell: 'ℓ', hbar: 'ℏ', aa: 'å', AA: 'Å', ss: 'ß', o: 'ø', O: 'Ø', ae: 'æ', AE: 'Æ',
};

/**
 * Inline LaTeX → text, standing in for pylatexenc's `latex_to_text`: commands for letters become the letters,
 * every other command disappears with its argument braces, and the arguments' text stays. Everything that is
 * not a letter or digit is removed by `cleanString` afterwards, so only letters matter here; `_` and `^` are
 * kept as pylatexenc keeps them.
 */
export function latexToText(tex: string): string {
  return tex.replace(/\\([a-zA-Z]+)\*?|\\(.)/g, (_, name?: string, symbol?: string) => (name ? (greek[name] ?? '') : symbol === ' ' ? ' ' : (symbol ?? ''))).replace(/[{}]/g, '');
}

/** `textblock2unicode`: inline $…$ / \(…\) holding `\`, `^` or `_` are turned into text; other inline math stays as written. */
export function textblockToUnicode(text: string): string {
  return text.replace(/\$(.*?)\$|\\\((.*?)\\\)/g, (whole, a?: string, b?: string) => {
    const clean = (a ?? b ?? '').replace(/\\([\\_&%^])/g, '');
    return /[\\^_]/.test(clean) ? latexToText(clean).trim() : whole;
  });
}

/** `clean_string`: only letters, digits, `_` and CJK ideographs are compared. */
export function cleanString(s: string): string {
  return s.replace(/\\t|\\n|\t|\n|\/t|\/n/g, '').replace(/[^\p{L}\p{N}_\u4e00-\u9fff]/gu, '');
}

export const normalizeTextLine = (s: string) => cleanString(textblockToUnicode(s));

/**
 * `normalized_formula` of the later release (the v1.0 one left the `$$` delimiters of the ground truth in, which
 * the demo JSON has): delimiters, \tag, \hspace, environments, font and spacing commands, \left/\right and
 * spaces removed, lower-cased.
 */
export function normalizeFormula(tex: string): string {
  let t = tex.trim().replace(/^\$+|\$+$/g, '').replace(/^\n+|\n+$/g, '');
  const m = /\\\[(.+?)(?<!\\)\\\]/.exec(t);
  if (m) t = m[1]!.trim();
  t = t.replace(/\\tag\{.*?\}/g, '').replace(/\\hspace\{.*?\}/g, '').replace(/\\begin\{.*?\}/g, '').replace(/\\end\{.*?\}/g, '').replace(/\\arraycolsep.*?\}/g, '');
  t = t.replace(/^\.+|\.+$/g, '');
  const filters = [
    '\\mathbf', '\\mathrm', '\\mathnormal', '\\mathit', '\\mathbb', '\\mathcal', '\\mathscr', '\\mathfrak', '\\mathsf', '\\mathtt', '\\textbf', '\\text',
    '\\boldmath', '\\boldsymbol', '\\operatorname', '\\bm', '\\symbfit', '\\mathbfcal', '\\symbf', '\\scriptscriptstyle', '\\notag', '\\setlength',
    '\\coloneqq', '\\space', '\\thickspace', '\\thinspace', '\\medspace', '\\nobreakspace', '\\negmedspace', '\\quad', '\\qquad', '\\enspace',
    '\\substackw', ' ', '$$', '\\left', '\\right', '\\displaystyle', '\\text',
  ];
  for (const f of filters) t = t.split(f).join('');
  return t.toLowerCase();
}

/**
 * `normalized_html_table`: th → td, thead/tbody/span unwrapped, entities decoded, NFKC, new lines dropped,
 * style/size/class attributes and inline markup removed, white space collapsed, wrapped as the reference does.
 * (The reference re-serialises through BeautifulSoup; the tables compared here are well-formed, so tag-level
 * rewriting gives the same text.)
 */
export function normalizeHtmlTable(html: string): string {
  if (!html.replace(/ /g, '').replace(/'/g, '"').includes('<table')) return '';
  let t = html.replace(/<th(?=[\s>])/gi, '<td').replace(/<\/th>/gi, '</td>').replace(/<\/?thead[^>]*>/gi, '').replace(/<\/?span[^>]*>/gi, '');
  t = t.replace(/<math\b[^>]*?alttext="([^"]*)"[^>]*>[\s\S]*?<\/math>/gi, (_, alt: string) => `$${alt}$`);
  t = decodeEntities(t).replace(/\n/g, '').normalize('NFKC').trim();
  t = [...t.matchAll(/<table\b[^>]*>([\s\S]*)<\/table>/gi)].map((m) => m[1]).join('');
  t = t.replace(/( style=".*?")/g, '').replace(/( height=".*?")/g, '').replace(/( width=".*?")/g, '').replace(/( align=".*?")/g, '').replace(/( class=".*?")/g, '');
  t = t.replace(/<\/?tbody>/g, '').replace(/\s+/g, ' ');
  t = `<html><body><table border="1" >${t}</table></body></html>`;
  for (const tag of ['sup', 'sub', 'span', 'div', 'p']) t = t.split(`<${tag}>`).join('').split(`</${tag}>`).join('');
  return t.replace(/<spandata-span-identity="">/g, '').replace(/<colgroup>.*?<\/colgroup>/g, '');
}

// ------------------------------------------------------------------------------------------------- prediction

export interface PredItem {
  kind: 'text' | 'formula' | 'table';
  /** Character offset in the page's Markdown (the reference's `position[0]`), used for order. */
  position: number;
  content: string;
  /** An inline $…$ offered to the formula matcher. */
  inline?: boolean;
}

const blank = (s: string, from: number, to: number) => s.slice(0, from) + ' '.repeat(to - from) + s.slice(to);

/** Outermost <table>…</table> spans, nesting respected (`extract_html_table`). */
function htmlTableSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  const re = /<table(?:[^>]*)>|<\/table>/g;
  let depth = 0, start = 0;
  for (const m of text.matchAll(re)) {
    if (m[0].startsWith('</')) {
      if (depth === 0) continue;
      depth--;
      if (depth === 0) spans.push([start, m.index! + m[0].length]);
    } else if (depth++ === 0) start = m.index!;
  }
  return spans;
}

/** Splits a GFM row into cells (escaped pipes kept in the cell). */
function gfmCells(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  return s.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

const gfmDelimiter = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

/** GFM tables (header row, delimiter row, body rows) as [start, end, html] (th written as td, as `convert_table_str` does). */
function gfmTables(text: string): [number, number, string][] {
  const lines = text.split('\n');
  const offsets: number[] = [];
  lines.reduce((o, l) => (offsets.push(o), o + l.length + 1), 0);
  const out: [number, number, string][] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i]!.includes('|') || !gfmDelimiter.test(lines[i + 1]!) || !lines[i + 1]!.includes('-')) continue;
    let end = i + 2;
    while (end < lines.length && lines[end]!.includes('|') && lines[end]!.trim()) end++;
    const rows = [lines[i]!, ...lines.slice(i + 2, end)].map(gfmCells);
    const escape = (c: string) => c.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const html = `<table>${rows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('')}</table>`;
    out.push([offsets[i]!, offsets[end - 1]! + lines[end - 1]!.length, html]);
    i = end - 1;
  }
  return out;
}

/** `md_tex_filter`: the page's Markdown as text paragraphs, formula candidates and tables, in page order. */
export function splitPrediction(markdown: string): PredItem[] {
  let content = markdown.replace(/!\[.*?\]\(.*?\)/g, '');
  content = content.replace(/^```markdown\n?/gm, '').replace(/^```html\n?/gm, '').replace(/^```latex\n?/gm, '').replace(/```\n?$/gm, '');
  content = content.replace(/_{4,}/g, '____').replace(/ {4,}/g, '    ');
  const items: PredItem[] = [];
  // LaTeX tabulars are not looked for: the engine writes tables as GFM or HTML in Markdown.
  for (const [a, b] of htmlTableSpans(content)) {
    items.push({ kind: 'table', position: a, content: content.slice(a, b) });
    content = blank(content, a, b);
  }
  const scan = content;
  for (const m of scan.matchAll(/\$\$([\s\S]*?)\$\$|\\\[([\s\S]*?)\\\]|\$([\s\S]*?)\$|\\\(([\s\S]*?)\\\)/g)) {
    if (!m[0]) continue;
    const single = m[0].replace(/\s+/g, '');
    const a = m.index!, b = a + m[0].length;
    const inner = /\$\$([\s\S]*?)\$\$|\$([\s\S]*?)\$|\\\(([\s\S]*?)\\\)/.exec(single);
    if (!inner) {
      content = blank(content, a, b);
      items.push({ kind: 'formula', position: a, content: single });
    } else if (inner[1]) {
      content = blank(content, a, b);
      items.push({ kind: 'formula', position: a, content: `\\[${inner[1]}\\]` });
    } else items.push({ kind: 'formula', position: a, content: `\\[${inner[2] ?? ''}${inner[3] ?? ''}\\]`, inline: true });
  }
  for (const [a, b, html] of gfmTables(content)) {
    items.push({ kind: 'table', position: a, content: html });
    content = blank(content, a, b);
  }
  for (const m of content.matchAll(/```(\w+)\n([\s\S]*?)```/g)) {
    items.push({ kind: 'text', position: m.index!, content: m[2]!.trim() });
    content = blank(content, m.index!, m.index! + m[0].length);
  }
  content = content
    .replace(/\\title\{(.*?)\}/g, '$1')
    .replace(/\\title\s*\{\s*([\s\S]*?)\s*\}/g, '$1')
    .replace(/\\text\s*\{\s*([\s\S]*?)\s*\}/g, '$1')
    .replace(/\\section\*?\{(.*?)\}/g, '$1')
    .replace(/\\section\*?\{\s*([\s\S]*?)\s*\}/g, '$1');
  let pieces = content.split('\n\n');
  if (pieces.length === 1) pieces = content.split('\n');
  // The reference advances the position by each piece's length without the separator; kept for the same order.
  let position = 0;
  for (const piece of pieces) {
    const at = position;
    position += piece.length;
    const text = piece.trim().split('\n').map((l) => l.trim()).filter(Boolean).join('\n');
    if (!text) continue;
    if (text.startsWith('<table') && text.endsWith('</table>')) items.push({ kind: 'table', position: at, content: text });
    else if (text.startsWith('$') && text.endsWith('$')) {
      if (text.replace(/\$/g, '').trim()) items.push({ kind: 'formula', position: at, content: text });
    } else items.push({ kind: 'text', position: at, content: text });
  }
  return items.sort((a, b) => a.position - b.position);
}

// ------------------------------------------------------------------------------------------------- quick match

/** One matched group: ground-truth lines and predicted lines (indices), either side may be empty. */
export interface MatchEntry {
  gt: number[];
  pred: number[];
}

/** `sub_pred_fuzzy_matching(gt, pred)`: best window of the ground truth against the prediction. */
const subPredFuzzy = (gt: string, pred: string) => windowDistance(pred, gt);
/** `sub_gt_fuzzy_matching(pred, gt)`: best window of the prediction against the ground truth (1 when it cannot hold it). */
const subGtFuzzy = (pred: string, gt: string) => windowDistance(gt, pred) ?? 1;

function costMatrix(gt: string[], pred: string[]): number[][] {
  return gt.map((g) => {
    const pattern = new EditPattern(g);
    return pred.map((p) => {
      const cp = codePoints(p);
      if (pattern.length === 0 && cp.length === 0) return 0;
      return pattern.distance(cp) / Math.max(pattern.length, cp.length);
    });
  });
}

/** `judge_pred_merge`: should the next paragraph be joined to the ones before it for this ground-truth block? */
function judgePredMerge(gt: string, preds: string[], threshold = 0.6): [merge: boolean, more: boolean] {
  if (preds.length === 1) return [false, false];
  const current = preds.slice(0, -1).join(' '), merged = preds.join(' ');
  if (normalizedDistance(gt, merged) > normalizedDistance(gt, current)) return [false, false];
  for (const p of preds.slice(0, -1)) {
    const d = subPredFuzzy(gt, p);
    if (d === undefined || d > threshold) return [false, false];
  }
  const added = subPredFuzzy(gt, preds[preds.length - 1]!);
  if (added === undefined) return [false, false];
  return [added < threshold, codePoints(merged).length <= codePoints(gt).length];
}

/** `get_final_subset`: among overlapping candidate runs of paragraphs, the set of disjoint runs with the least mean cost. */
function finalSubsets(subsets: number[][], costs: number[]): number[][] {
  if (!subsets.length) return [];
  const items = subsets.map((s, i) => ({ s, c: costs[i]! })).sort((a, b) => a.s[0]! - b.s[0]!);
  const groups: (typeof items)[] = [[items[0]!]];
  for (const item of items.slice(1)) {
    const group = groups[groups.length - 1]!;
    if (group.some((g) => item.s.some((i) => g.s.includes(i)))) group.push(item);
    else groups.push([item]);
  }
  const out: number[][] = [];
  for (const group of groups) {
    if (group.length === 1) {
      out.push(group[0]!.s);
      continue;
    }
    const paths: (typeof items)[] = [[group[0]!]];
    for (const subset of group.slice(1)) {
      let newPath = true;
      for (const path of paths) {
        let dup = false, same = false;
        for (const item of [...path]) {
          if (item.s.join() === subset.s.join()) {
            dup = same = true;
            if (item.c > subset.c) path.splice(path.indexOf(item), 1, subset);
          } else if (item.s.some((i) => subset.s.includes(i))) dup = true;
        }
        if (!dup) {
          path.push(subset);
          newPath = false;
        }
        if (same) newPath = false;
      }
      if (newPath) paths.push([subset]);
    }
    let best = paths[0]!, bestCost = Infinity;
    for (const path of paths) {
      const avg = path.reduce((a, p) => a + p.c, 0) / path.length;
      if (avg < bestCost) (bestCost = avg), (best = path);
    }
    out.push(...best.map((p) => p.s));
  }
  return out;
}

/** `deal_with_truncated`: paragraphs the prediction split are joined where that brings them closer to an unmatched ground-truth block. */
function joinSplitParagraphs(cost: number[][], gt: string[], pred: string[]): { cost: number[][]; groups: number[][] } {
  const maskedGt = new Set<number>(), maskedPred = new Set<number>();
  cost.forEach((row, i) => row.forEach((c, j) => c < 0.25 && (maskedGt.add(i), maskedPred.add(j))));
  const unmaskedPred = pred.map((_, j) => j).filter((j) => !maskedPred.has(j));
  const subsets: number[][] = [], costs: number[] = [];
  for (let g = 0; g < gt.length; g++) {
    if (maskedGt.has(g)) continue;
    let best: number[] | undefined, bestCost = Infinity;
    for (const p of unmaskedPred) {
      let step = 1;
      const merged = [pred[p]!];
      while (!(maskedPred.has(p + step) || p + step >= pred.length)) {
        merged.push(pred[p + step]!);
        const [merge, more] = judgePredMerge(gt[g]!, merged);
        if (!merge) break;
        step++;
        if (!more) break;
      }
      const run = Array.from({ length: step }, (_, k) => p + k);
      const d = normalizedDistance(gt[g]!, run.map((k) => pred[k]).join(' '));
      if (d < bestCost) (bestCost = d), (best = run);
    }
    if (best) subsets.push(best), costs.push(bestCost);
  }
  const chosen = finalSubsets(subsets, costs);
  if (!chosen.length) return { cost, groups: pred.map((_, j) => [j]) };
  // `merge_lists_with_sublists`: each chosen run replaces its indices in the list of paragraphs.
  const groups: number[][] = pred.map((_, j) => [j]);
  for (const run of chosen) {
    const at = groups.findIndex((g) => g.length === 1 && g[0] === run[0]);
    if (at >= 0) groups.splice(at, run.length, run);
  }
  return { cost: costMatrix(gt, groups.map((g) => g.map((k) => pred[k]).join(' '))), groups };
}

/**
 * `match_gt2pred_quick` on normalised lines. Returns groups of ground-truth and predicted line indices; a
 * ground-truth line missing from every group is not possible (it comes back with `pred: []`). The v1.0
 * release listed unmatched ground truth twice in one case; the later release's fix is followed here.
 */
export function quickMatch(gt: string[], pred: string[]): MatchEntry[] {
  if (gt.length === 0) return pred.map((_, j) => ({ gt: [], pred: [j] }));
  if (pred.length === 0) return gt.map((_, i) => ({ gt: [i], pred: [] }));
  if (gt.length === 1 && pred.length === 1) return [{ gt: [0], pred: [0] }];
  const { cost, groups } = joinSplitParagraphs(costMatrix(gt, pred), gt, pred);
  const pairs = assignment(cost);
  // process_matches: pairs costing more than 0.7 are undone.
  const matches = new Map<number, number[]>();
  const unmatchedGt: number[] = [];
  for (let i = 0; i < gt.length; i++) {
    const pair = pairs.find((p) => p[0] === i);
    if (!pair) {
      unmatchedGt.push(i);
      continue;
    }
    const group = groups[pair[1]]!;
    const range = Array.from({ length: group[group.length - 1]! - group[0]! + 1 }, (_, k) => group[0]! + k);
    if (cost[i]![pair[1]]! > 0.7) unmatchedGt.push(i);
    else matches.set(i, range);
  }
  // fuzzy_match_unmatched_items: a left-over ground-truth block found inside a paragraph joins that paragraph.
  const fuzzy = new Map<number, number[]>();
  pred.forEach((p, j) => {
    const hits = unmatchedGt.filter((g) => subGtFuzzy(p, gt[g]!) < 0.4);
    if (hits.length) fuzzy.set(j, hits);
  });
  // merge_matches
  const final = new Map<string, { pred: number[]; gt: number[] }>();
  const processed = new Set<number>();
  for (const [g, range] of matches) {
    const key = [...range].sort((a, b) => a - b).join();
    const entry = final.get(key);
    if (entry) {
      if (!processed.has(g)) entry.gt.push(g), processed.add(g);
    } else final.set(key, { pred: [...range].sort((a, b) => a - b), gt: [g] }), processed.add(g);
  }
  for (const [j, hits] of fuzzy) {
    const key = String(j);
    const entry = final.get(key);
    if (entry) {
      for (const g of hits) if (!processed.has(g)) entry.gt.push(g), processed.add(g);
    } else {
      const fresh = hits.filter((g) => !processed.has(g));
      final.set(key, { pred: [j], gt: fresh });
      fresh.forEach((g) => processed.add(g));
    }
  }
  // convert_final_matches
  const results: { gt: number | undefined; pred: number[] | undefined }[] = [];
  for (const e of final.values()) for (const g of [...new Set(e.gt)].sort((a, b) => a - b)) results.push({ gt: g, pred: e.pred });
  const matchedGt = new Set([...final.values()].flatMap((e) => e.gt));
  const matchedPred = new Set([...final.values()].flatMap((e) => e.pred));
  const leftGt = gt.map((_, i) => i).filter((i) => !matchedGt.has(i));
  const leftPred = pred.map((_, j) => j).filter((j) => !matchedPred.has(j));
  if (leftPred.length) {
    if (leftGt.length) {
      // Left-overs are paired by raw edit distance; they count as matches with whatever distance they have.
      const paired = assignment(leftGt.map((g) => leftPred.map((p) => levenshtein(gt[g]!, pred[p]!))));
      for (const [a, b] of paired) results.push({ gt: leftGt[a], pred: [leftPred[b]!] });
    } else results.push({ gt: undefined, pred: leftPred });
  } else for (const g of leftGt) results.push({ gt: g, pred: undefined });
  // merge_duplicates_add_unmatched
  const merged: MatchEntry[] = [];
  const donePred = new Set<string>(), doneGt = new Set<number>();
  for (const e of results) {
    if (!e.pred) continue;
    const key = e.pred.join();
    if (donePred.has(key)) continue;
    const entry: MatchEntry = { gt: e.gt === undefined ? [] : [e.gt], pred: e.pred };
    for (const o of results) {
      if (o === e || !o.pred || o.pred.join() !== key) continue;
      if (o.gt !== undefined) entry.gt.push(o.gt), doneGt.add(o.gt);
    }
    merged.push(entry);
    donePred.add(key);
    if (e.gt !== undefined) doneGt.add(e.gt);
  }
  for (let g = 0; g < gt.length; g++) if (!doneGt.has(g)) merged.push({ gt: [g], pred: [] });
  return merged;
}

// ------------------------------------------------------------------------------------------------- page score

export interface EditSample {
  /** Normalised ground truth and prediction of one match (joined without separator, as the reference does). */
  gt: string;
  pred: string;
  /** Levenshtein distance and max(length): the page's edit distance is Σ distance / Σ upper. */
  distance: number;
  upper: number;
  category?: string;
}

export interface TableSample extends EditSample {
  teds: number;
  tedsStructure: number;
}

export interface PageScore {
  text: EditSample[];
  formula: EditSample[];
  table: TableSample[];
  /** Ground-truth order numbers in true order and in the prediction's order. */
  order?: { gt: number[]; pred: number[]; distance: number; upper: number };
}

function editSample(gt: string, pred: string, category?: string): EditSample {
  return { gt, pred, distance: levenshtein(pred, gt), upper: Math.max(codePoints(gt).length, codePoints(pred).length), ...(category ? { category } : {}) };
}

/** The most common scored category of a group's ground truth, else the most common ignored one (`Counter.most_common`). */
function groupCategory(categories: string[]): string {
  const pick = (list: string[]) => {
    const counts = new Map<string, number>();
    for (const c of list) counts.set(c, (counts.get(c) ?? 0) + 1);
    let best = '', n = 0;
    for (const [c, k] of counts) if (k > n) (best = c), (n = k);
    return best;
  };
  const scored = categories.filter((c) => !ignoredCategories.has(c));
  return pick(scored.length ? scored : categories);
}

/** Scores one page's Markdown against its OmniDocBench annotation. */
export function scorePage(page: GtPage, markdown: string): PageScore {
  const elements = pageElements(page);
  const items = splitPrediction(markdown);

  // Text: ground-truth text blocks (empty ones dropped) against text paragraphs.
  const gtText = byOrder(textCategories.flatMap((c) => elements.get(c) ?? []))
    .map((b) => ({ block: b, norm: normalizeTextLine(b.text ?? '') }))
    .filter((b) => b.block.text && b.norm);
  const predText = items.filter((i) => i.kind === 'text').map((i) => ({ item: i, norm: normalizeTextLine(i.content) })).filter((p) => p.norm);
  const textMatches = quickMatch(gtText.map((b) => b.norm), predText.map((p) => p.norm));
  const text: EditSample[] = [];
  const orderEntries: { gt: number[]; predPosition?: number }[] = [];
  for (const m of textMatches) {
    const category = m.gt.length ? groupCategory(m.gt.map((g) => gtText[g]!.block.category_type)) : '';
    if (ignoredCategories.has(category)) continue;
    text.push(editSample(m.gt.map((g) => gtText[g]!.norm).join(''), m.pred.map((p) => predText[p]!.norm).join(''), category || 'extra'));
    if (m.gt.length) orderEntries.push({ gt: m.gt.map((g) => gtText[g]!.block.order ?? 0), predPosition: m.pred.length ? predText[m.pred[0]!]!.item.position : undefined });
  }

  // Display formulas: against every formula candidate, inline ones included; candidates left over are not scored.
  const gtFormula = byOrder(elements.get('equation_isolated') ?? []).map((b) => normalizeFormula(b.latex ?? '')).filter(Boolean);
  const predFormula = items.filter((i) => i.kind === 'formula').map((i) => normalizeFormula(i.content)).filter(Boolean);
  const formula = quickMatch(gtFormula, predFormula)
    .filter((m) => m.gt.length)
    .map((m) => editSample(m.gt.map((g) => gtFormula[g]).join(''), m.pred.map((p) => predFormula[p]).join('')));

  // Tables: Hungarian assignment on the raw HTML; a table without a partner is compared with nothing.
  const gtTables = byOrder(elements.get('table') ?? []).map((b) => b.html ?? '').filter(Boolean);
  const predTables = items.filter((i) => i.kind === 'table').map((i) => i.content);
  const partner = new Map(assignment(gtTables.map((g) => predTables.map((p) => normalizedDistance(g, p)))));
  const table = gtTables.map((g, i) => {
    const truth = normalizeHtmlTable(g), guess = normalizeHtmlTable(partner.has(i) ? predTables[partner.get(i)!]! : '');
    return { ...editSample(truth, guess), teds: teds(guess, truth), tedsStructure: teds(guess, truth, { structureOnly: true }) };
  });

  // Reading order of the scored text blocks: ground-truth numbers in true order vs in the prediction's order.
  const truthOrder = orderEntries.flatMap((e) => e.gt).filter(Boolean).sort((a, b) => a - b);
  const predOrder = orderEntries
    .filter((e) => e.predPosition !== undefined)
    .map((e, k) => ({ ...e, k }))
    .sort((a, b) => a.predPosition! - b.predPosition! || a.k - b.k)
    .flatMap((e) => e.gt)
    .filter(Boolean);
  const upper = Math.max(truthOrder.length, predOrder.length);
  const order = upper ? { gt: truthOrder, pred: predOrder, distance: sequenceDistance(truthOrder, predOrder), upper } : undefined;
  return { text, formula, table, ...(order ? { order } : {}) };
}

/** Σ distance / Σ max(length) of one page's samples (undefined when it has none), the reference's per-page edit distance. */
export function pageEdit(samples: { distance: number; upper: number }[]): number | undefined {
  const upper = samples.reduce((a, s) => a + s.upper, 0);
  return upper > 0 ? samples.reduce((a, s) => a + s.distance, 0) / upper : undefined;
}

const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);

export interface SetScore {
  pages: number;
  text: number;
  formula: number;
  tableTeds: number;
  tableTedsStructure: number;
  table: number;
  order: number;
  /** v1.0 "overall": mean of the text, formula, table and reading-order edit distances. */
  overall: number;
  counts: { textPages: number; formulas: number; tables: number };
}

/** Page averages over a set of pages (ALL_page_avg), table TEDS averaged over tables. */
export function aggregate(scores: PageScore[]): SetScore {
  const perPage = (f: (s: PageScore) => { distance: number; upper: number }[]) =>
    mean(scores.map((s) => pageEdit(f(s))).filter((v): v is number => v !== undefined));
  const tables = scores.flatMap((s) => s.table);
  const text = perPage((s) => s.text), formula = perPage((s) => s.formula), table = perPage((s) => s.table), order = perPage((s) => (s.order ? [s.order] : []));
  return {
    pages: scores.length,
    text,
    formula,
    tableTeds: mean(tables.map((t) => t.teds)),
    tableTedsStructure: mean(tables.map((t) => t.tedsStructure)),
    table,
    order,
    overall: mean([text, formula, table, order].filter((v) => !Number.isNaN(v))),
    counts: { textPages: scores.filter((s) => s.text.length).length, formulas: scores.reduce((a, s) => a + s.formula.length, 0), tables: tables.length },
  };
}
