/**
 * The olmOCR-bench checks (allenai/olmocr `olmocr/bench/tests.py`, `table_parsing.py`, `repeatdetect.py` at
 * f7cfe4c, the commit ../shared/eval/pages/olmocr-bench was copied from), rewritten in TypeScript from their
 * description so that a page's Markdown can be checked without Python. Every check takes the page's Markdown
 * and answers pass/fail with a reason. Deviations from the reference (see bench/README.md):
 * - rapidfuzz's `partial_ratio` takes, for needles longer than 64 characters, only the windows its matching
 *   blocks suggest; here every window is scored, so the ratio can only be higher. With `max_diffs` 0 (threshold
 *   1, all but five checks of the set) both answer "is it an exact substring", so they agree.
 * - fuzzysearch's `find_near_matches` keeps one match per group of overlapping matches; here every start of a
 *   match within `max_diffs` edits counts, so an order check can pass where the reference's chosen matches
 *   would not (only when the two texts' matches overlap).
 * - math checks render both sides with KaTeX in the reference and compare MathML or glyph positions; here both
 *   sides go through the project's LaTeX normaliser (server/src/engines/math/latex.ts) and the reference's
 *   token sequence must appear contiguously in a formula of the page (the analogue of "the reference MathML
 *   is contained in the hypothesis MathML"). Reported apart from the other checks.
 */
import { normalizeTokens } from '../../server/src/engines/math/latex';
import { parseHtml } from '../teds';

export interface OlmCheck {
  pdf: string;
  page: number;
  id: string;
  type: 'present' | 'absent' | 'order' | 'table' | 'math' | 'baseline' | string;
  max_diffs?: number;
  checked?: string;
  text?: string;
  case_sensitive?: boolean;
  first_n?: number;
  last_n?: number;
  before?: string;
  after?: string;
  cell?: string;
  up?: string;
  down?: string;
  left?: string;
  right?: string;
  top_heading?: string;
  left_heading?: string;
  ignore_markdown_tables?: boolean;
  math?: string;
  ignore_dollar_delimited?: boolean;
  max_length?: number;
  max_length_skips_image_alt_tags?: boolean;
  max_repeats?: number;
  check_disallowed_characters?: boolean;
}

export interface CheckResult {
  passed: boolean;
  why: string;
}

/** tests.py `normalize_text`: markdown emphasis and <br> removed, white space collapsed, NFC, quotes/dashes folded. */
export function normalizeText(md: string): string {
  let s = md.replace(/<br\/?>/g, ' ');
  s = s.replace(/\*\*(.*?)\*\*/g, '$1');
  s = s.replace(/__(.*?)__/g, '$1');
  s = s.replace(/<\/?b>/g, '');
  s = s.replace(/<\/?i>/g, '');
  s = s.replace(/(\*\*|__)(.*?)\1/g, '$2');
  s = s.replace(/(\*|_)(.*?)\1/g, '$2');
  s = s.replace(/\s+/g, ' ');
  s = s.normalize('NFC');
  const replacements: Record<string, string> = { '‘': "'", '’': "'", '‚': "'", '“': '"', '”': '"', '„': '"', '＿': '_', '–': '-', '—': '-', '‑': '-', '‒': '-', '−': '-', '\u00b5': '\u03bc' };
  for (const [from, to] of Object.entries(replacements)) s = s.split(from).join(to);
  return s;
}

const codePoints = (s: string): number[] => Array.from(s, (c) => c.codePointAt(0)!);

/**
 * Bit-parallel LCS of a fixed pattern against growing prefixes of a text (Hyyrö 2004): `feed` one text
 * character at a time, `lcs()` is the LCS of the pattern and everything fed since `reset`.
 */
class LcsScanner {
  private readonly words: number;
  private readonly masks = new Map<number, Uint32Array>();
  private v: Uint32Array;
  private readonly lastMask: number;

  constructor(private readonly pattern: number[]) {
    this.words = Math.max(1, Math.ceil(pattern.length / 32));
    pattern.forEach((c, i) => {
      let m = this.masks.get(c);
      if (!m) this.masks.set(c, (m = new Uint32Array(this.words)));
      m[i >> 5]! |= 1 << (i & 31);
    });
    const rest = pattern.length % 32;
    this.lastMask = rest === 0 ? 0xffffffff : (1 << rest) - 1;
    this.v = new Uint32Array(this.words);
    this.reset();
  }

  reset(): void {
    this.v.fill(0xffffffff);
  }

  feed(c: number): void {
    const pm = this.masks.get(c);
    if (!pm) return; // V & 0 = 0: V + 0 | V − 0 = V
    const v = this.v;
    let carry = 0, borrow = 0;
    for (let w = 0; w < this.words; w++) {
      const vw = v[w]!, u = (vw & pm[w]!) >>> 0;
      const sum = vw + u + carry;
      carry = sum > 0xffffffff ? 1 : 0;
      const diff = vw - u - borrow;
      borrow = diff < 0 ? 1 : 0;
      v[w] = ((sum >>> 0) | (diff >>> 0)) >>> 0;
    }
  }

  lcs(): number {
    let zeros = 0;
    for (let w = 0; w < this.words; w++) {
      let x = ~this.v[w]! >>> 0;
      if (w === this.words - 1) x = (x & this.lastMask) >>> 0;
      while (x) {
        x &= x - 1;
        zeros++;
      }
    }
    return zeros;
  }
}

/** rapidfuzz `fuzz.ratio`: 100 · 2·LCS / (|a| + |b|) (the normalised Indel similarity); 100 for two empty strings. */
export function ratio(a: string, b: string): number {
  const x = codePoints(a), y = codePoints(b);
  if (x.length + y.length === 0) return 100;
  if (x.length === 0 || y.length === 0) return 0;
  const scanner = new LcsScanner(x);
  for (const c of y) scanner.feed(c);
  return (200 * scanner.lcs()) / (x.length + y.length);
}

function partialImpl(needle: number[], hay: number[]): number {
  const m = needle.length, n = hay.length;
  const scanner = new LcsScanner(needle);
  let best = 0;
  for (let start = 0; start < n; start++) {
    // Windows hay[start, start + k): prefixes (start 0, k < m), full windows (k = m) and suffixes (start + k = n).
    scanner.reset();
    const end = Math.min(n, start + m);
    for (let j = start; j < end; j++) {
      scanner.feed(hay[j]!);
      const k = j - start + 1;
      if (k === m || j === n - 1 || start === 0) {
        const score = (200 * scanner.lcs()) / (m + k);
        if (score > best) best = score;
      }
    }
    if (best === 100) break;
  }
  return best;
}

/**
 * rapidfuzz `fuzz.partial_ratio`: the best `ratio` of the shorter string against any window of the longer
 * one (windows of the shorter string's length, and shorter ones at both ends). Scored exhaustively (see top).
 */
export function partialRatio(a: string, b: string): number {
  let x = codePoints(a), y = codePoints(b);
  if (x.length > y.length) [x, y] = [y, x];
  if (x.length === 0 || y.length === 0) return x.length === y.length ? 100 : 0;
  if (a.includes(b) || b.includes(a)) return 100;
  let score = partialImpl(x, y);
  if (score !== 100 && x.length === y.length) score = Math.max(score, partialImpl(y, x));
  return score;
}

/**
 * Start offsets (in code points) of every approximate occurrence of `pattern` in `text` with at most `maxDist`
 * Levenshtein edits: Sellers' algorithm on the reversed strings, where a match's end is the original start.
 */
export function nearMatchStarts(pattern: string, text: string, maxDist: number): number[] {
  const p = codePoints(pattern).reverse(), t = codePoints(text).reverse();
  const m = p.length, n = t.length;
  if (m === 0) return [];
  let col = Array.from({ length: m + 1 }, (_, i) => i);
  const starts: number[] = [];
  for (let j = 1; j <= n; j++) {
    const next = [0];
    for (let i = 1; i <= m; i++) next[i] = Math.min(col[i]! + 1, next[i - 1]! + 1, col[i - 1]! + (p[i - 1] === t[j - 1] ? 0 : 1));
    col = next;
    if (col[m]! <= maxDist) starts.push(n - j);
  }
  return starts.reverse();
}

// ------------------------------------------------------------------------------------------------- tables

/** table_parsing.py `TableData`: cell texts by (row, col) of their top-left slot, and neighbour relations. */
export interface TableData {
  cellText: Map<string, string>;
  headings: Set<string>;
  up: Map<string, Set<string>>;
  down: Map<string, Set<string>>;
  left: Map<string, Set<string>>;
  right: Map<string, Set<string>>;
}

interface CellSpec {
  text: string;
  rowspan: number;
  colspan: number;
  heading: boolean;
}

const key = (r: number, c: number) => `${r},${c}`;

/** table_parsing.py `_build_table_data_from_specs`: lays rows of cells with spans onto a grid. */
export function buildTable(rows: CellSpec[][]): TableData | undefined {
  if (rows.length === 0) return undefined;
  const cellText = new Map<string, string>(), headings = new Set<string>();
  const meta = new Map<string, { row: number; col: number; rowspan: number; colspan: number }>();
  const occupancy: (string | null)[][] = [];
  let active: ([string, number] | null)[] = [];
  rows.forEach((cells, r) => {
    const entries: (string | null)[] = [];
    let col = 0, s = 0;
    while (s < cells.length || col < active.length) {
      const a = col < active.length ? active[col] : null;
      if (a) {
        entries.push(a[0]);
        active[col] = a[1] - 1 > 0 ? [a[0], a[1] - 1] : null;
        col++;
        continue;
      }
      if (s >= cells.length) {
        if (col < active.length) {
          entries.push(null);
          col++;
          continue;
        }
        break;
      }
      const spec = cells[s++]!;
      const rowspan = Math.max(1, spec.rowspan), colspan = Math.max(1, spec.colspan);
      const id = key(r, col);
      cellText.set(id, spec.text);
      if (spec.heading) headings.add(id);
      meta.set(id, { row: r, col, rowspan, colspan });
      if (active.length < col + colspan) active = [...active, ...Array<null>(col + colspan - active.length).fill(null)];
      for (let k = 0; k < colspan; k++) {
        entries.push(id);
        active[col + k] = rowspan > 1 ? [id, rowspan - 1] : null;
      }
      col += colspan;
    }
    occupancy.push(entries);
  });
  while (active.some((a) => a)) {
    occupancy.push(
      active.map((a, c) => {
        if (!a) return null;
        active[c] = a[1] - 1 > 0 ? [a[0], a[1] - 1] : null;
        return a[0];
      }),
    );
  }
  if (cellText.size === 0) return undefined;
  let width = 0;
  for (const row of occupancy) row.forEach((v, c) => v !== null && (width = Math.max(width, c + 1)));
  if (width === 0) return undefined;
  for (const row of occupancy) {
    while (row.length < width) row.push(null);
    row.length = width;
  }
  const height = occupancy.length;
  const rel = () => new Map([...cellText.keys()].map((k) => [k, new Set<string>()]));
  const up = rel(), down = rel(), left = rel(), right = rel();
  for (const [id, m] of meta) {
    const r1 = m.row + m.rowspan - 1, c1 = m.col + m.colspan - 1;
    const scan = (target: Map<string, Set<string>>, cells: Iterable<[number, number]>) => {
      for (const [r, c] of cells) {
        const v = occupancy[r]?.[c];
        if (v === null || v === undefined || v === id) continue;
        target.get(id)!.add(v);
        return true;
      }
      return false;
    };
    for (let r = m.row; r <= r1; r++) {
      scan(right, (function* () { for (let c = c1 + 1; c < width; c++) yield [r, c] as [number, number]; })());
      scan(left, (function* () { for (let c = m.col - 1; c >= 0; c--) yield [r, c] as [number, number]; })());
    }
    for (let c = m.col; c <= c1; c++) {
      scan(down, (function* () { for (let r = r1 + 1; r < height; r++) yield [r, c] as [number, number]; })());
      scan(up, (function* () { for (let r = m.row - 1; r >= 0; r--) yield [r, c] as [number, number]; })());
    }
  }
  return { cellText, headings, up, down, left, right };
}

/** table_parsing.py `_walk_heading_relations`: heading cells reached along a relation, else the cells where it ends. */
function headingRelations(table: TableData, start: string, relation: Map<string, Set<string>>): Set<string> {
  const headings = new Set<string>(), ends = new Set<string>(), visited = new Set<string>();
  const toVisit = new Set([start]);
  while (toVisit.size) {
    const cur = toVisit.values().next().value as string;
    toVisit.delete(cur);
    visited.add(cur);
    if (table.headings.has(cur)) headings.add(cur);
    const next = relation.get(cur);
    if (!next || next.size === 0) ends.add(cur);
    else for (const n of next) toVisit.add(n);
  }
  headings.delete(start);
  ends.delete(start);
  return headings.size ? headings : ends;
}

/** table_parsing.py `parse_markdown_tables`: runs of lines with a `|`, the separator row dropped. */
export function parseMarkdownTables(md: string): TableData[] {
  const lines = md.trim().split('\n');
  const tables: TableData[] = [];
  let current: string[] = [];
  const flush = () => {
    if (current.length >= 2) {
      const rows = processTableLines(current);
      if (rows.length) {
        const table = buildTable(rows.map((row, r) => row.map((text, c) => ({ text, rowspan: 1, colspan: 1, heading: r === 0 || c === 0 }))));
        if (table) tables.push(table);
      }
    }
    current = [];
  };
  for (const line of lines) {
    if (line.includes('|')) current.push(line);
    else flush();
  }
  flush();
  return tables;
}

function processTableLines(lines: string[]): string[][] {
  const separator = lines.findIndex((l) => {
    const c = l.replace(/\|/g, '').trim();
    return c.length > 0 && [...c].every((ch) => '- :'.includes(ch));
  });
  const rows: string[][] = [];
  lines.forEach((line, i) => {
    if (i === separator) return;
    if (line.trim() && [...line].every((ch) => '- :|'.includes(ch))) return;
    let cells = line.split('|').map((c) => c.trim());
    if (cells.length && cells[0] === '') cells = cells.slice(1);
    if (cells.length && cells[cells.length - 1] === '') cells = cells.slice(0, -1);
    if (cells.length) rows.push(cells);
  });
  return rows;
}

type HtmlElement = ReturnType<typeof parseHtml>;

function descendants(e: HtmlElement, tags: Set<string>, out: HtmlElement[] = []): HtmlElement[] {
  for (const c of e.children) {
    if (typeof c === 'string') continue;
    if (tags.has(c.tag)) out.push(c);
    descendants(c, tags, out);
  }
  return out;
}

function textOf(e: HtmlElement): string {
  return e.children.map((c) => (typeof c === 'string' ? c : c.tag === 'br' ? '\n' : textOf(c))).join('');
}

function spanOf(value: string | undefined): number {
  if (value === undefined || value === '' || value === '0') return 1;
  const n = parseInt(value, 10);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

/** table_parsing.py `parse_html_tables`: every <table> (nested ones too), its <tr>s, their own th/td cells. */
export function parseHtmlTables(html: string): TableData[] {
  const tables: TableData[] = [];
  for (const table of descendants(parseHtml(html), new Set(['table']))) {
    const rows = descendants(table, new Set(['tr']));
    if (rows.length === 0) continue;
    const specs = rows.map((row, r) => {
      let inHead = false;
      for (let p = row.parent; p; p = p.parent) if (p.tag === 'thead') inHead = true;
      return row.children
        .filter((c): c is HtmlElement => typeof c !== 'string' && (c.tag === 'td' || c.tag === 'th'))
        .map((cell) => ({
          text: textOf(cell).trim(),
          // rowspan="0" extends to the end of the table.
          rowspan: cell.attrs.rowspan?.trim() === '0' ? Math.max(1, rows.length - r) : spanOf(cell.attrs.rowspan),
          colspan: spanOf(cell.attrs.colspan),
          heading: cell.tag === 'th' || inHead,
        }));
    });
    const data = buildTable(specs);
    if (data) tables.push(data);
  }
  return tables;
}

// ------------------------------------------------------------------------------------------------- checks

const threshold = (maxDiffs: number, length: number) => 1 - maxDiffs / (length > 0 ? length : 1);

function presence(check: OlmCheck, md: string): CheckResult {
  let query = normalizeText(check.text ?? '');
  let content = normalizeText(md);
  if (check.case_sensitive === false) (query = query.toLowerCase()), (content = content.toLowerCase());
  const cp = Array.from(content);
  if (check.first_n && check.last_n) content = cp.slice(0, check.first_n).join('') + cp.slice(-check.last_n).join('');
  else if (check.first_n) content = cp.slice(0, check.first_n).join('');
  else if (check.last_n) content = cp.slice(-check.last_n).join('');
  const limit = threshold(check.max_diffs ?? 0, Array.from(query).length);
  const best = partialRatio(query, content) / 100;
  const found = best >= limit;
  if (check.type === 'present') return { passed: found, why: found ? '' : `best match ratio ${best.toFixed(3)} < ${limit.toFixed(3)}` };
  return { passed: !found, why: found ? `found with ratio ${best.toFixed(3)} ≥ ${limit.toFixed(3)}` : '' };
}

function order(check: OlmCheck, md: string): CheckResult {
  const content = normalizeText(md);
  const d = check.max_diffs ?? 0;
  const before = nearMatchStarts(normalizeText(check.before ?? ''), content, d);
  const after = nearMatchStarts(normalizeText(check.after ?? ''), content, d);
  if (!before.length) return { passed: false, why: `"before" text not found within ${d} edits` };
  if (!after.length) return { passed: false, why: `"after" text not found within ${d} edits` };
  const passed = Math.min(...before) < Math.max(...after);
  return { passed, why: passed ? '' : '"before" text found only after the "after" text' };
}

function tableCheck(check: OlmCheck, md: string): CheckResult {
  const cell = normalizeText(check.cell ?? '');
  const d = check.max_diffs ?? 0;
  const limit = (s: string) => Math.max(0.5, threshold(d, Array.from(s).length));
  const tables = [...(check.ignore_markdown_tables ? [] : parseMarkdownTables(md)), ...parseHtmlTables(md)];
  if (tables.length === 0) return { passed: false, why: 'no tables found' };
  const reasons: string[] = [];
  for (const table of tables) {
    for (const [id, text] of table.cellText) {
      if (ratio(cell, normalizeText(text)) / 100 < limit(cell)) continue;
      const failed: string[] = [];
      const relate = (name: string, expected: string | undefined, neighbours: Set<string>) => {
        const want = normalizeText(expected ?? '');
        if (!want) return;
        let best = 0;
        for (const n of neighbours) best = Math.max(best, ratio(want, normalizeText(table.cellText.get(n) ?? '')) / 100);
        if (best < limit(want)) failed.push(`${name} (best ${best.toFixed(2)})`);
      };
      relate('up', check.up, table.up.get(id)!);
      relate('down', check.down, table.down.get(id)!);
      relate('left', check.left, table.left.get(id)!);
      relate('right', check.right, table.right.get(id)!);
      relate('left_heading', check.left_heading, headingRelations(table, id, table.left));
      relate('top_heading', check.top_heading, headingRelations(table, id, table.up));
      if (failed.length === 0) return { passed: true, why: '' };
      reasons.push(...failed);
    }
  }
  return { passed: false, why: reasons.length ? `cell found, relations fail: ${reasons.slice(0, 3).join('; ')}` : `no matching cell in ${tables.length} table(s)` };
}

/** repeatdetect.py: for n = 1…maxN, how many times the text's last n-gram repeats back to back at its end. */
export function ngramRepeats(text: string, maxN: number): number[] {
  const t = Array.from(text.replace(/\s+/g, ' '));
  return Array.from({ length: maxN }, (_, k) => {
    const size = k + 1;
    if (t.length < size) return 0;
    const target = t.slice(-size).join('');
    let count = 0;
    for (let pos = t.length - size; pos >= 0 && t.slice(pos, pos + size).join('') === target; pos -= size) count++;
    return count;
  });
}

const disallowed = /[\u4e00-\u9fff\u3040-\u309f\u30a0-\u30ff\u{1f600}-\u{1f64f}\u{1f300}-\u{1f5ff}\u{1f680}-\u{1f6ff}\u{1f1e0}-\u{1f1ff}]/gu;
const alnumCount = (s: string) => (s.match(/[\p{L}\p{N}]/gu) ?? []).length;

/** tests.py `BaselineTest`: a blank page stays (almost) blank; other pages have text, no runaway repeats, no CJK/emoji. */
export function baseline(check: Pick<OlmCheck, 'max_length' | 'max_length_skips_image_alt_tags' | 'max_repeats' | 'check_disallowed_characters'>, md: string): CheckResult {
  if (check.max_length !== undefined && check.max_length !== null) {
    const counted = alnumCount(check.max_length_skips_image_alt_tags ? md.replace(/!\[.*?\]\(.*?\)/g, '') : md);
    return { passed: counted <= check.max_length, why: counted <= check.max_length ? '' : `${counted} characters on a page expected blank` };
  }
  if (alnumCount(md) === 0) return { passed: false, why: 'no alphanumeric characters' };
  const repeats = ngramRepeats(md, 5);
  const worst = repeats.findIndex((c) => c > (check.max_repeats ?? 30));
  if (worst >= 0) return { passed: false, why: `ends with ${repeats[worst]} repeated ${worst + 1}-grams` };
  const bad = md.match(disallowed);
  if ((check.check_disallowed_characters ?? true) && bad) return { passed: false, why: `disallowed characters ${[...new Set(bad)].slice(0, 8).join('')}` };
  return { passed: true, why: '' };
}

/** The formulas a page offers, as tests.py `MathTest` extracts them: \(…\), \[…\], then $$…$$ and $…$. */
export function pageFormulas(md: string, ignoreDollars = false): string[] {
  const patterns = [/\\\(([\s\S]+?)\\\)/g, /\\\[([\s\S]+?)\\\]/g, ...(ignoreDollars ? [] : [/\$\$([\s\S]+?)\$\$/g, /\$([\s\S]+?)\$/g])];
  const found: string[] = [];
  let rest = md;
  for (const p of patterns) {
    for (const m of rest.matchAll(p)) found.push(m[1]!.trim());
    rest = rest.replace(p, '');
  }
  return found;
}

function containsRun(hay: string[], needle: string[]): boolean {
  if (needle.length === 0) return false;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Math check, approximated: exact LaTeX, or the reference's normalised tokens inside a page formula's tokens. */
export function mathCheck(check: OlmCheck, md: string): CheckResult {
  const reference = check.math ?? '';
  const formulas = pageFormulas(md, check.ignore_dollar_delimited);
  if (formulas.some((f) => f === reference)) return { passed: true, why: '' };
  const want = normalizeTokens(reference);
  for (const f of formulas) {
    let tokens: string[];
    try {
      tokens = normalizeTokens(f);
    } catch {
      continue;
    }
    if (containsRun(tokens, want)) return { passed: true, why: '' };
  }
  return { passed: false, why: formulas.length ? `none of ${formulas.length} formulas contains it` : 'no formulas on the page' };
}

export function runCheck(check: OlmCheck, md: string): CheckResult {
  switch (check.type) {
    case 'present':
    case 'absent':
      return presence(check, md);
    case 'order':
      return order(check, md);
    case 'table':
      return tableCheck(check, md);
    case 'math':
      return mathCheck(check, md);
    case 'baseline':
      return baseline(check, md);
    default:
      return { passed: false, why: `check type "${check.type}" is not implemented` };
  }
}
