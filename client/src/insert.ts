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
  // HTML comes only from tables (spanned cells); auto mode answers a lone table in table form.
  if (result.mode === 'table' || result.format === 'html') {
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
    default:
      return kind === 'other' ? content : formatMath(content, kind, options);
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

/**
 * A table result in the wanted format. The daemon writes every table as GFM, HTML and LaTeX
 * (`alternatives`), so the client only picks one; the daemon's preferred form is its `content`.
 */
export function formatTableResult(result: InsertableResult, kind: 'markdown' | 'latex', setting: TableFormatSetting): string {
  const wanted: 'markdown' | 'html' | 'latex' | undefined =
    kind === 'latex' ? (setting === 'gfm' ? 'markdown' : setting === 'html' ? 'html' : 'latex') : setting === 'auto' ? undefined : setting === 'gfm' ? 'markdown' : setting;
  const text = (wanted ? result.alternatives?.[wanted] : undefined) ?? result.content;
  return trimTrailingNewlines(text.replace(/\r\n?/g, '\n').trim());
}
