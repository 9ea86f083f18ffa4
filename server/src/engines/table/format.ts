/** A recognised table written as GFM, HTML or LaTeX. */
import type { Table, TableCell } from './grid';

export type TableFormat = 'gfm' | 'html' | 'latex';

export const hasSpans = (table: Table) => table.cells.some((c) => c.rowSpan > 1 || c.colSpan > 1);

/** GFM has no spans: use it when the table has none, HTML otherwise. */
export function preferredFormat(table: Table): 'gfm' | 'html' {
  return hasSpans(table) ? 'html' : 'gfm';
}

function rowsOf(table: Table): TableCell[][] {
  const rows: TableCell[][] = Array.from({ length: table.rows }, () => []);
  for (const cell of table.cells) rows[cell.row]!.push(cell);
  return rows.map((r) => r.sort((a, b) => a.col - b.col));
}

export function toGfm(table: Table): string {
  if (table.rows === 0) return '';
  const escape = (t: string) => t.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
  const grid: string[][] = Array.from({ length: table.rows }, () => Array(table.cols).fill(''));
  // Math stays raw LaTeX (Markdown math renderers read it before escapes); only a pipe would end the cell.
  for (const c of table.cells) grid[c.row]![c.col] = c.math ? `$${c.math.replace(/\|/g, '\\|')}$` : escape(c.text);
  // GFM needs exactly one header row; extra header rows become body rows.
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const header = table.headerRows > 0 ? grid[0]! : Array(table.cols).fill('');
  const body = table.headerRows > 0 ? grid.slice(1) : grid;
  return [line(header), line(Array(table.cols).fill('---')), ...body.map(line)].join('\n') + '\n';
}

export function toHtml(table: Table): string {
  const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const cell = (c: TableCell) =>
    `<td${c.colSpan > 1 ? ` colspan="${c.colSpan}"` : ''}${c.rowSpan > 1 ? ` rowspan="${c.rowSpan}"` : ''}>${escape(c.math ? `$${c.math}$` : c.text)}</td>`;
  const rows = rowsOf(table).map((cells) => `<tr>${cells.map(cell).join('')}</tr>`);
  const head = rows.slice(0, table.headerRows);
  const body = rows.slice(table.headerRows);
  return `<table>${head.length ? `<thead>${head.join('')}</thead>` : ''}<tbody>${body.join('')}</tbody></table>\n`;
}

/** \hline below a row, or \cline pieces that skip columns where a \multirow continues into the next row. */
function ruleBelow(row: number, cols: number, covered: Set<string>): string {
  const open: number[] = [];
  for (let c = 0; c < cols; c++) if (!covered.has(`${row + 1},${c}`)) open.push(c);
  if (open.length === cols) return '\\hline';
  const pieces: string[] = [];
  for (let i = 0; i < open.length; i++) {
    let j = i;
    while (j + 1 < open.length && open[j + 1] === open[j]! + 1) j++;
    pieces.push(`\\cline{${open[i]! + 1}-${open[j]! + 1}}`);
    i = j;
  }
  return pieces.join(' ');
}

const latexSpecials: Record<string, string> = { '\\': '\\textbackslash{}', '&': '\\&', '%': '\\%', $: '\\$', '#': '\\#', _: '\\_', '{': '\\{', '}': '\\}', '~': '\\textasciitilde{}', '^': '\\textasciicircum{}' };

export function escapeLatex(text: string): string {
  return text.replace(/[\\&%$#_{}~^]/g, (ch) => latexSpecials[ch]!);
}

/**
 * `tabular` with \multicolumn / \multirow (package multirow) for spans. Booktabs sources get \toprule,
 * \midrule and \bottomrule; ruled grids get vertical bars and \hline; plain tables no rules.
 */
export function toLatex(table: Table): string {
  const grid = table.style === 'grid';
  const spec = grid ? `|${'l|'.repeat(table.cols)}` : 'l'.repeat(table.cols);
  const lines = [`\\begin{tabular}{${spec}}`];
  lines.push(table.style === 'booktabs' ? '\\toprule' : grid ? '\\hline' : '');
  const covered = new Set<string>();
  for (const c of table.cells) for (let r = c.row + 1; r < c.row + c.rowSpan; r++) for (let k = c.col; k < c.col + c.colSpan; k++) covered.add(`${r},${k}`);
  rowsOf(table).forEach((cells, r) => {
    const parts: string[] = [];
    let col = 0;
    for (const c of cells) {
      // Positions covered by a \multirow from above still need their (empty) column entries.
      while (col < c.col) {
        parts.push('');
        col++;
      }
      let text = c.math ? `$${c.math}$` : escapeLatex(c.text);
      if (c.rowSpan > 1) text = `\\multirow{${c.rowSpan}}{*}{${text}}`;
      // In a ruled grid each cell draws its right bar; the first column also draws the left one.
      // Without rules a label over several columns is centred over them, as group labels are.
      if (c.colSpan > 1) text = `\\multicolumn{${c.colSpan}}{${grid ? (c.col === 0 ? '|l|' : 'l|') : 'c'}}{${text}}`;
      parts.push(text);
      col += c.colSpan;
    }
    while (col < table.cols && covered.has(`${r},${col}`)) {
      parts.push('');
      col++;
    }
    lines.push(parts.join(' & ') + ' \\\\');
    if (grid) lines.push(ruleBelow(r, table.cols, covered));
    else if (table.style === 'booktabs' && r === table.headerRows - 1) lines.push('\\midrule');
    else if (table.style === 'booktabs' && r < table.headerRows - 1) {
      // A group label in an upper header row is underlined over its columns only.
      const groups = cells.filter((c) => c.colSpan > 1 && c.rowSpan === 1).map((c) => `\\cmidrule(lr){${c.col + 1}-${c.col + c.colSpan}}`);
      if (groups.length) lines.push(groups.join(' '));
    }
  });
  if (table.style === 'booktabs') lines.push('\\bottomrule');
  lines.push('\\end{tabular}');
  return lines.filter((l) => l !== '').join('\n') + '\n';
}
