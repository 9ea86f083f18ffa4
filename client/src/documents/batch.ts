/**
 * The parts of "OCR: Convert Documents to Markdown…" that need no VS Code: which documents a selection of files
 * and folders stands for, where each one's Markdown goes, the progress line, and the summary. Unit-tested in
 * test/unit/documentBatch.test.ts; client/src/documents/convertDocuments.ts wires them to VS Code and the daemon.
 */
import { homedir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { outputPaths } from '../../../server/src/document/paths';
import type { ConvertDocumentResult } from '../../../server/src/protocol';

export { documentExtensions, expandSelection, isDocumentFile, isSkippedFolder, type EntryKind, type FolderReader, type Selection } from '../../../server/src/document/paths';

/** `<name>.md` beside the source or in `outDir`. */
export const markdownPath = (source: string, outDir?: string): string => outputPaths(source, outDir).markdown;

/**
 * The folder for a source's Markdown from the `convert.outputFolder` setting: empty means beside the source;
 * `~/` is the home folder; a relative path is taken from the source's workspace folder (or its own folder).
 */
export function outputFolderFor(setting: string, source: string, workspaceFolder?: string): string | undefined {
  const value = setting.trim();
  if (!value) return undefined;
  if (value === '~' || value.startsWith('~/')) return path.join(homedir(), value.slice(1));
  return path.isAbsolute(value) ? path.normalize(value) : path.join(workspaceFolder ?? path.dirname(source), value);
}

export interface PlannedDocument {
  source: string;
  outDir?: string;
  output: string;
  /** An earlier document in the batch writes the same `<name>.md` (e.g. scan.pdf and scan.png side by side). */
  sameOutputAs?: string;
}

export function planOutputs(sources: readonly string[], outDirFor: (source: string) => string | undefined, caseInsensitive = process.platform !== 'linux'): PlannedDocument[] {
  const claimed = new Map<string, string>();
  return sources.map((source) => {
    const outDir = outDirFor(source);
    const output = markdownPath(source, outDir);
    const key = caseInsensitive ? output.toLowerCase() : output;
    const sameOutputAs = claimed.get(key);
    if (!sameOutputAs) claimed.set(key, source);
    return { source, outDir, output, ...(sameOutputAs ? { sameOutputAs } : {}) };
  });
}

// ------------------------------------------------------------------ progress

/** The notification's line, e.g. `file 2/5: report.pdf — page 3/12` (the daemon says `page 3/12`). */
export function progressMessage(file: number, files: number, name: string, daemonMessage?: string): string {
  return `file ${file}/${files}: ${name}${daemonMessage ? ` — ${daemonMessage}` : ''}`;
}

/** How far the batch is, 0–100, when file `file` (1-based) of `files` is `filePercent` done. */
export function batchPercent(file: number, files: number, filePercent = 0): number {
  const within = Math.min(100, Math.max(0, Number.isFinite(filePercent) ? filePercent : 0)) / 100;
  return files > 0 ? (100 * (file - 1 + within)) / files : 100;
}

// ------------------------------------------------------------------ outcomes and summary

export type PageOutcome = ConvertDocumentResult['pages'][number];

export interface FileOutcome {
  source: string;
  output: string;
  /** `skipped`: its Markdown existed and the user kept it; `notStarted`: the batch was cancelled before it. */
  status: 'converted' | 'skipped' | 'failed' | 'cancelled' | 'notStarted';
  /** Why it failed or was skipped. */
  reason?: string;
  pages: PageOutcome[];
  /** Pages the daemon rates low enough that a person should check them. */
  review: number[];
}

export interface BatchTotals {
  files: number;
  converted: number;
  pages: number;
  textLayer: number;
  ocr: number;
  /** Pages taken from an earlier, interrupted run. */
  resumed: number;
  failed: number;
  skipped: number;
  reviewPages: number;
  cancelled: boolean;
}

export function batchTotals(outcomes: readonly FileOutcome[]): BatchTotals {
  const converted = outcomes.filter((o) => o.status === 'converted');
  const pages = converted.flatMap((o) => o.pages);
  return {
    files: outcomes.length,
    converted: converted.length,
    pages: pages.length,
    textLayer: pages.filter((p) => p.method === 'text-layer').length,
    ocr: pages.filter((p) => p.method === 'ocr').length,
    resumed: pages.filter((p) => p.resumed).length,
    failed: outcomes.filter((o) => o.status === 'failed').length,
    skipped: outcomes.filter((o) => o.status === 'skipped').length,
    reviewPages: converted.reduce((n, o) => n + o.review.length, 0),
    cancelled: outcomes.some((o) => o.status === 'cancelled' || o.status === 'notStarted'),
  };
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `Converted 2 files (3 pages; 1 from text layer, 2 by OCR); 0 failed; 1 page needs review`. */
export function summaryLine(t: BatchTotals): string {
  const parts = [
    `Converted ${count(t.converted, 'file')} (${count(t.pages, 'page')}; ${t.textLayer} from text layer, ${t.ocr} by OCR)`,
    `${t.failed} failed`,
    `${count(t.reviewPages, 'page')} ${t.reviewPages === 1 ? 'needs' : 'need'} review`,
  ];
  if (t.skipped) parts.push(`${t.skipped} skipped (Markdown already there)`);
  return parts.join('; ');
}

/** Said when the user cancelled: what is kept, and that running again resumes. */
export function cancelledLine(outcomes: readonly FileOutcome[]): string {
  const finished = outcomes.filter((o) => o.status !== 'cancelled' && o.status !== 'notStarted').length;
  const current = outcomes.find((o) => o.status === 'cancelled');
  const kept = current
    ? ` Pages of ${path.basename(current.source)} finished so far are kept in ${path.basename(current.output, '.md')}.assets/.pages/.`
    : '';
  return `Conversion cancelled after ${finished} of ${count(outcomes.length, 'file')}.${kept} Run the command again to resume where it stopped.`;
}

/** Page numbers as ranges: [1,2,3,5] → `1–3, 5`. */
export function pageRanges(pages: readonly number[]): string {
  const sorted = [...new Set(pages)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(', ');
}

/** How each page was read, e.g. `OCR: 1, 3–4 · text layer: 2 · resumed: 1`. */
export function pageMethods(pages: readonly PageOutcome[]): string {
  const of = (test: (p: PageOutcome) => boolean) => pageRanges(pages.filter(test).map((p) => p.page));
  return [
    ['OCR', of((p) => p.method === 'ocr')],
    ['text layer', of((p) => p.method === 'text-layer')],
    ['resumed', of((p) => p.resumed)],
  ]
    .filter(([, ranges]) => ranges)
    .map(([label, ranges]) => `${label}: ${ranges}`)
    .join(' · ');
}

/** Text that cannot break out of a Markdown link label or a table cell. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[\\`*_[\]<>|#!]/g, (c) => `\\${c}`);
}

/** A link to a local file; absolute `file:` URIs because an untitled document has no folder to be relative to. */
export function fileLink(file: string, label = path.basename(file), fragment = ''): string {
  return `[${escapeMarkdown(label)}](<${pathToFileURL(file).href}${fragment}>)`;
}

const statusLabel: Record<FileOutcome['status'], string> = {
  converted: 'converted',
  skipped: 'skipped: Markdown already there',
  failed: 'failed',
  cancelled: 'cancelled (finished pages kept)',
  notStarted: 'not started',
};

export interface SummaryContext {
  /** e.g. `beside each source` or `into /home/me/notes`. */
  destination: string;
  /** Chosen files that were not sent to the daemon (not a PDF or image, not found, not a local file). */
  notConverted?: readonly { file: string; reason: string }[];
  when?: Date;
}

/** The summary as a Markdown document: one row per file, then the pages to review, then the errors. */
export function summaryMarkdown(outcomes: readonly FileOutcome[], context: SummaryContext): string {
  const t = batchTotals(outcomes);
  const when = (context.when ?? new Date()).toISOString().slice(0, 16).replace('T', ' ');
  const lines = [
    '# OCR: documents converted to Markdown',
    '',
    `${when} UTC · ${count(outcomes.length, 'file')} · output ${escapeMarkdown(context.destination)}`,
    '',
    `**${summaryLine(t)}.**${t.cancelled ? ` ${cancelledLine(outcomes)}` : ''}`,
    '',
    '| File | Markdown | Status | Pages |',
    '|---|---|---|---|',
    ...outcomes.map((o) => {
      const output = o.status === 'converted' || o.status === 'skipped' ? fileLink(o.output) : escapeMarkdown(path.basename(o.output));
      const status = escapeMarkdown(statusLabel[o.status]) + (o.review.length ? ` (review: ${pageRanges(o.review)})` : '');
      return `| ${fileLink(o.source)} | ${output} | ${status} | ${escapeMarkdown(pageMethods(o.pages))} |`;
    }),
  ];
  const review = outcomes.filter((o) => o.status === 'converted' && o.review.length);
  if (review.length) {
    lines.push('', '## Pages to review', '', 'The recogniser was unsure about these pages; compare them with the source.', '');
    for (const o of review) {
      for (const page of o.review) {
        const confidence = o.pages.find((p) => p.page === page)?.confidence;
        const pct = confidence === undefined ? '' : ` (confidence ${Math.round(confidence * 100)} %)`;
        lines.push(`- ${fileLink(o.source, `${path.basename(o.source)}, page ${page}`, `#page=${page}`)}${pct} → ${fileLink(o.output)}`);
      }
    }
  }
  const errors = outcomes.filter((o) => o.status === 'failed');
  if (errors.length || context.notConverted?.length) {
    lines.push('', '## Errors', '');
    for (const o of errors) lines.push(`- ${fileLink(o.source)}: ${escapeMarkdown(o.reason ?? 'failed')}`);
    for (const { file, reason } of context.notConverted ?? []) lines.push(`- ${escapeMarkdown(file)}: ${escapeMarkdown(reason)}`);
  }
  return lines.join('\n') + '\n';
}
