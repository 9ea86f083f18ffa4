/**
 * How a recognition result is written into a file of a given language. Pure functions (no `vscode` import):
 * tested in test/unit/insert.test.ts.
 *
 * - Markdown: text as is; math as `$…$` (inline) or `$$…$$` (display); tables as GFM (HTML when the table has
 *   spans or the setting asks for HTML).
 * - LaTeX: math as `\(…\)` / `\[…\]` (or an `equation` environment); tables as `tabular`; text as is.
 * - Anything else: the raw result.
 */

export type MathDelimiters = 'dollars' | 'brackets' | 'equation';
export type TableFormatSetting = 'auto' | 'gfm' | 'html' | 'latex';
export type ResultFormat = 'markdown' | 'latex' | 'html' | 'smiles';

export interface FormatOptions {
  /** The target document's language id, e.g. `markdown`, `latex`, `plaintext`. */
  languageId: string;
  /** Delimiters for math in Markdown files (`dollars`) and LaTeX files (`brackets` or `equation`). */
  mathDelimiters: MathDelimiters;
  tableFormat: TableFormatSetting;
  /** True when the text is inserted on an otherwise empty line: math then goes in display form. */
  ownLine?: boolean;
  /** Text before / after the insertion point on its line: a multi-line result is then set off by blank lines. */
  textBefore?: boolean;
  textAfter?: boolean;
}

export interface InsertableResult {
  content: string;
  format: ResultFormat;
  /** The mode that produced it; a `table` may come as GFM (`format: 'markdown'`) or HTML. */
  mode?: string;
  /** The daemon's own renderings in other formats (tables: GFM, HTML, LaTeX; chem: a fenced Markdown block). */
  alternatives?: { markdown?: string; html?: string; latex?: string };
}

const markdownLanguages = new Set(['markdown', 'mdx', 'quarto', 'rmd']);
const latexLanguages = new Set(['latex', 'tex', 'plaintex', 'context', 'bibtex', 'doctex', 'rnw', 'latex-expl3']);

export type TargetKind = 'markdown' | 'latex' | 'other';
export function targetKind(languageId: string): TargetKind {
  if (markdownLanguages.has(languageId)) return 'markdown';
  if (latexLanguages.has(languageId)) return 'latex';
  return 'other';
}

/** The text to insert for `result` into a document described by `options`. */
export function formatForInsertion(result: InsertableResult, options: FormatOptions): string {
  const text = formatBody(result, options);
  // A block (paragraphs, display math, a table) inserted mid-line starts and ends on lines of its own.
  if (targetKind(options.languageId) === 'other' || !text.includes('\n')) return text;
  return `${options.textBefore ? '\n\n' : ''}${text}${options.textAfter ? '\n\n' : ''}`;
}

function formatBody(result: InsertableResult, options: FormatOptions): string {
  const kind = targetKind(options.languageId);
  const content = result.content.replace(/\r\n?/g, '\n');
  if (result.mode === 'table' || (result.format === 'html' && parseHtmlTable(content))) {
    return kind === 'other' ? content : formatTableResult(result, kind, options.tableFormat);
  }
  if (result.format === 'smiles') {
    // On its own line in Markdown, the daemon's fenced `smiles` block; inline, the bare SMILES.
    if (kind === 'other') return content;
    return kind === 'markdown' && options.ownLine && result.alternatives?.markdown ? trimTrailingNewlines(result.alternatives.markdown) : content.trim();
  }
  switch (result.format) {
    case 'markdown':
      return kind === 'other' ? content : trimTrailingNewlines(content);
    case 'latex':
      return kind === 'other' ? content : formatMath(content, kind, options);
    case 'html':
      return kind === 'other' ? content : formatTable(content, kind, options.tableFormat);
  }
}

function trimTrailingNewlines(s: string): string {
  return s.replace(/\n+$/, '');
}

/** Removes delimiters an engine may already have put around the formula. */
export function stripMathDelimiters(latex: string): string {
  let s = latex.trim();
  const pairs: [RegExp, RegExp][] = [
    [/^\$\$/, /\$\$$/],
    [/^\\\[/, /\\\]$/],
    [/^\\\(/, /\\\)$/],
    [/^\$/, /\$$/],
    [/^\\begin\{equation\*?\}/, /\\end\{equation\*?\}$/],
  ];
  for (const [open, close] of pairs) {
    if (open.test(s) && close.test(s) && s.length > 1) {
      s = s.replace(open, '').replace(close, '').trim();
      break;
    }
  }
  return s;
}

/** Display form for multi-line formulas, environments, or when the formula stands on its own line. */
export function isDisplayMath(latex: string, ownLine = false): boolean {
  return ownLine || latex.includes('\n') || /\\\\|\\begin\{/.test(latex);
}

export function formatMath(latex: string, kind: 'markdown' | 'latex', options: Pick<FormatOptions, 'mathDelimiters' | 'ownLine'>): string {
  const body = stripMathDelimiters(latex);
  const display = isDisplayMath(body, options.ownLine);
  if (kind === 'markdown') return display ? `$$\n${body}\n$$` : `$${body}$`;
  if (!display) return options.mathDelimiters === 'dollars' ? `$${body}$` : `\\(${body}\\)`;
  switch (options.mathDelimiters) {
    case 'equation':
      return `\\begin{equation}\n${body}\n\\end{equation}`;
    case 'dollars':
      return `$$\n${body}\n$$`;
    case 'brackets':
      return `\\[\n${body}\n\\]`;
  }
}

// ------------------------------------------------------------------ tables

export interface TableCell {
  text: string;
  row: number;
  col: number;
  rowSpan: number;
  colSpan: number;
  header: boolean;
}
export interface TableGrid {
  rows: number;
  cols: number;
  headerRows: number;
  cells: TableCell[];
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
    }
    return entities[e.toLowerCase()] ?? m;
  });
}

/** Reads an HTML `<table>` (as the table engine writes it) into a grid; undefined when there is none. */
export function parseHtmlTable(html: string): TableGrid | undefined {
  const table = /<table\b[^>]*>([\s\S]*?)<\/table>/i.exec(html);
  if (!table) return undefined;
  const cells: TableCell[] = [];
  const occupied = new Set<string>();
  let headerRows = 0;
  let row = 0;
  let cols = 0;
  const rowRe = /<tr\b[^>]*>([\s\S]*?)<\/tr>/gi;
  for (let tr = rowRe.exec(table[1]!); tr; tr = rowRe.exec(table[1]!)) {
    const before = table[1]!.slice(0, tr.index);
    const inHead = before.lastIndexOf('<thead') > before.lastIndexOf('</thead');
    const cellRe = /<(td|th)\b([^>]*)>([\s\S]*?)<\/\1>/gi;
    let col = 0;
    let allHeader = true;
    let any = false;
    for (let td = cellRe.exec(tr[1]!); td; td = cellRe.exec(tr[1]!)) {
      any = true;
      while (occupied.has(`${row},${col}`)) col++;
      const attr = (name: string) => {
        const m = new RegExp(`${name}\\s*=\\s*["']?(\\d+)`, 'i').exec(td![2]!);
        return m ? Math.max(1, Math.min(1000, parseInt(m[1]!, 10))) : 1;
      };
      const rowSpan = attr('rowspan');
      const colSpan = attr('colspan');
      const header = td[1]!.toLowerCase() === 'th' || inHead;
      if (!header) allHeader = false;
      const text = decodeEntities(td[3]!.replace(/<br\s*\/?>/gi, ' ').replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim();
      cells.push({ text, row, col, rowSpan, colSpan, header });
      for (let r = 0; r < rowSpan; r++) for (let c = 0; c < colSpan; c++) occupied.add(`${row + r},${col + c}`);
      col += colSpan;
      cols = Math.max(cols, col);
    }
    if (any && allHeader && headerRows === row) headerRows++;
    row++;
  }
  for (const key of occupied) cols = Math.max(cols, Number(key.split(',')[1]) + 1);
  const rows = Math.max(row, ...[...occupied].map((k) => Number(k.split(',')[0]) + 1));
  return { rows, cols, headerRows, cells };
}

/** Reads a GFM pipe table (first row the header) into a grid; undefined when `text` is not one. */
export function parseGfmTable(text: string): TableGrid | undefined {
  const lines = text.trim().split('\n').map((l) => l.trim());
  if (lines.length < 2 || !lines.every((l) => l.startsWith('|')) || !/^\|(\s*:?-{3,}:?\s*\|)+$/.test(lines[1]!)) return undefined;
  const split = (line: string) =>
    line
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, '|').replace(/\\\\/g, '\\'));
  const rows = [split(lines[0]!), ...lines.slice(2).map(split)];
  const cols = Math.max(...rows.map((r) => r.length));
  const cells: TableCell[] = [];
  rows.forEach((r, row) => r.forEach((text, col) => cells.push({ text, row, col, rowSpan: 1, colSpan: 1, header: row === 0 })));
  return { rows: rows.length, cols, headerRows: 1, cells };
}

export const tableHasSpans = (t: TableGrid) => t.cells.some((c) => c.rowSpan > 1 || c.colSpan > 1);

export function tableToGfm(t: TableGrid): string {
  const grid: string[][] = Array.from({ length: t.rows }, () => Array<string>(t.cols).fill(''));
  for (const c of t.cells) grid[c.row]![c.col] = c.text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const header = t.headerRows > 0 ? grid[0]! : Array<string>(t.cols).fill('');
  const body = t.headerRows > 0 ? grid.slice(1) : grid;
  return [line(header), line(Array<string>(t.cols).fill('---')), ...body.map(line)].join('\n');
}

const latexSpecials: Record<string, string> = {
  '\\': '\\textbackslash{}', '&': '\\&', '%': '\\%', $: '\\$', '#': '\\#', _: '\\_', '{': '\\{', '}': '\\}',
  '~': '\\textasciitilde{}', '^': '\\textasciicircum{}',
};
export const escapeLatex = (s: string) => s.replace(/[\\&%$#_{}~^]/g, (ch) => latexSpecials[ch]!);

/** A `tabular` with `\multicolumn`/`\multirow` (the latter needs the multirow package) and `\hline` rules. */
export function tableToLatex(t: TableGrid): string {
  const byPos = new Map<string, TableCell>();
  const covered = new Map<string, TableCell>();
  for (const c of t.cells) {
    byPos.set(`${c.row},${c.col}`, c);
    for (let r = 0; r < c.rowSpan; r++) for (let k = 0; k < c.colSpan; k++) if (r || k) covered.set(`${c.row + r},${c.col + k}`, c);
  }
  const lines = [`\\begin{tabular}{${'|l'.repeat(t.cols)}|}`, '\\hline'];
  for (let r = 0; r < t.rows; r++) {
    const parts: string[] = [];
    for (let c = 0; c < t.cols; ) {
      const cell = byPos.get(`${r},${c}`);
      const under = covered.get(`${r},${c}`);
      if (cell) {
        let text = escapeLatex(cell.text);
        if (cell.rowSpan > 1) text = `\\multirow{${cell.rowSpan}}{*}{${text}}`;
        if (cell.colSpan > 1) text = `\\multicolumn{${cell.colSpan}}{|l|}{${text}}`;
        parts.push(text);
        c += cell.colSpan;
      } else if (under && under.colSpan > 1) {
        // The continuation of a \multirow that is also a \multicolumn.
        parts.push(`\\multicolumn{${under.colSpan}}{|l|}{}`);
        c += under.colSpan;
      } else {
        parts.push('');
        c++;
      }
    }
    lines.push(`${parts.join(' & ')} \\\\`);
    // \hline below, or \cline pieces skipping columns a \multirow continues into.
    const open: number[] = [];
    for (let c = 0; c < t.cols; c++) {
      const next = covered.get(`${r + 1},${c}`);
      if (!(next && next.row <= r)) open.push(c);
    }
    if (open.length === t.cols || r === t.rows - 1) lines.push('\\hline');
    else {
      const pieces: string[] = [];
      for (let i = 0; i < open.length; i++) {
        let j = i;
        while (j + 1 < open.length && open[j + 1] === open[j]! + 1) j++;
        pieces.push(`\\cline{${open[i]! + 1}-${open[j]! + 1}}`);
        i = j;
      }
      lines.push(pieces.join(' '));
    }
  }
  lines.push('\\end{tabular}');
  return lines.join('\n');
}

/** A table result: the daemon's own rendering in the wanted format when it sent one, else converted here. */
export function formatTableResult(result: InsertableResult, kind: 'markdown' | 'latex', setting: TableFormatSetting): string {
  const alt = result.alternatives ?? {};
  const html = alt.html ?? (result.format === 'html' ? result.content : undefined);
  const pick = (text: string | undefined) => (text === undefined ? undefined : trimTrailingNewlines(text.replace(/\r\n?/g, '\n').trim()));
  let wanted: 'markdown' | 'html' | 'latex' | 'preferred';
  if (kind === 'latex') wanted = setting === 'gfm' ? 'markdown' : setting === 'html' ? 'html' : 'latex';
  else wanted = setting === 'auto' ? 'preferred' : setting === 'gfm' ? 'markdown' : setting;
  // The daemon's preferred form (GFM, or HTML when cells span); without its alternatives, decide here.
  if (wanted === 'preferred') return result.format === 'html' && !result.alternatives ? formatTable(result.content, kind, 'auto') : pick(result.content)!;
  const direct = pick(wanted === 'markdown' ? alt.markdown ?? (result.format === 'markdown' ? result.content : undefined) : alt[wanted]);
  if (direct !== undefined) return direct;
  if (html) return formatTable(html, kind, setting);
  const gfm = result.format === 'markdown' ? parseGfmTable(result.content) : undefined;
  if (gfm && wanted === 'latex') return tableToLatex(gfm);
  return pick(result.content)!;
}

export function formatTable(html: string, kind: 'markdown' | 'latex', setting: TableFormatSetting): string {
  const grid = parseHtmlTable(html);
  const raw = trimTrailingNewlines(html.trim());
  if (!grid || grid.rows === 0) return raw;
  if (kind === 'latex') return setting === 'html' || setting === 'gfm' ? (setting === 'gfm' ? tableToGfm(grid) : raw) : tableToLatex(grid);
  switch (setting) {
    case 'html':
      return raw;
    case 'latex':
      return tableToLatex(grid);
    case 'gfm':
      return tableToGfm(grid);
    case 'auto':
      return tableHasSpans(grid) ? raw : tableToGfm(grid);
  }
}
