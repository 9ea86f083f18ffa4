/**
 * formatted-ocr <file> [--page N] [--region x,y,w,h] [--mode text] [--dpi N] [--provider auto|cpu|…] [--json]
 * The same engine as the daemon, for scripts and headless use. Errors print one line and exit non-zero.
 */
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { convertDocument, expandInputs, type DocumentOutcome } from './document/convert';
import { CancelledError, OcrError, neverCancelled } from './errors';
import type { ExecutionProviderSetting, RecognitionMode, Region } from './protocol';
import { OcrService } from './service';
import { version } from './version';

const usage = `Usage: formatted-ocr <file> [--page N] [--region x,y,w,h] [--mode text|math|table|chem|auto]
                     [--dpi N] [--provider auto|cpu|cuda|dml|coreml] [--json]
       formatted-ocr convert <files|folders> [--out DIR] [--jobs N] [--overwrite] [--ocr] [--dpi N] [--json]
       formatted-ocr --status

Reads an image (PNG, JPEG, TIFF, WebP, BMP, GIF) or a PDF page and prints Markdown (or JSON with line
boxes and confidence). Regions are in the page's units: pixels for images, PDF points for PDFs.
convert writes <name>.md for every document (folders: searched recursively), beside it or in --out; it never
replaces an existing .md without --overwrite, and a second run resumes where a cancelled one stopped. PDF pages
with a usable text layer are read from it unless --ocr is given.`;

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'convert') return convert(argv.slice(1));
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        page: { type: 'string' },
        region: { type: 'string' },
        mode: { type: 'string', default: 'text' },
        dpi: { type: 'string' },
        provider: { type: 'string', default: 'auto' },
        json: { type: 'boolean', default: false },
        status: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n${usage}`);
  }
  const { values, positionals } = args;
  if (values.help) {
    process.stdout.write(usage + '\n');
    return 0;
  }
  if (values.version) {
    process.stdout.write(version + '\n');
    return 0;
  }
  try {
    const service = new OcrService({ executionProvider: values.provider as ExecutionProviderSetting });
    if (values.status) {
      process.stdout.write(JSON.stringify(service.status(), null, 2) + '\n');
      return 0;
    }
    if (positionals.length !== 1) return fail(`expected one input file.\n${usage}`);
    const result = await service.recognize(
      {
        source: { path: positionals[0]! },
        mode: values.mode as RecognitionMode,
        page: values.page === undefined ? undefined : parseInteger(values.page, '--page'),
        region: values.region === undefined ? undefined : parseRegion(values.region),
        dpi: values.dpi === undefined ? undefined : parseInteger(values.dpi, '--dpi'),
      },
      neverCancelled,
    );
    // Markdown ends with a newline already; LaTeX and SMILES do not.
    process.stdout.write(values.json ? JSON.stringify(result, null, 2) + '\n' : result.content.endsWith('\n') ? result.content : result.content + '\n');
    return 0;
  } catch (error) {
    if (error instanceof OcrError || error instanceof CancelledError) return fail(error.message);
    return fail(`internal error: ${(error as Error)?.stack ?? String(error)}`);
  }
}

async function convert(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        jobs: { type: 'string', default: '1' },
        overwrite: { type: 'boolean', default: false },
        ocr: { type: 'boolean', default: false },
        dpi: { type: 'string' },
        provider: { type: 'string', default: 'auto' },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n${usage}`);
  }
  const { values, positionals } = args;
  if (positionals.length === 0) return fail(`convert needs at least one file or folder.\n${usage}`);
  // Ctrl-C stops after the page in progress; finished pages are kept for the next run.
  let cancelled = false;
  const token = { get isCancellationRequested() { return cancelled; } };
  process.once('SIGINT', () => {
    cancelled = true;
    process.stderr.write('\nformatted-ocr: stopping after the current page; run the same command again to resume.\n');
  });
  try {
    const jobs = parseInteger(values.jobs, '--jobs');
    if (jobs < 1) throw new OcrError('badRequest', '--jobs must be at least 1.');
    const dpi = values.dpi === undefined ? undefined : parseInteger(values.dpi, '--dpi');
    if (values.out) await mkdir(values.out, { recursive: true });
    const service = new OcrService({ executionProvider: values.provider as ExecutionProviderSetting });
    const documents = await expandInputs(positionals);
    if (documents.length === 0) return fail('no documents (PDF or images) found in the given paths.');
    const outcomes: DocumentOutcome[] = [];
    let next = 0;
    // Lanes overlap reading and writing; recognition itself runs one page at a time in the service.
    await Promise.all(
      Array.from({ length: Math.min(jobs, documents.length) }, async () => {
        while (next < documents.length && !cancelled) {
          const source = documents[next++]!;
          const outcome = await convertDocument(service, source, { outDir: values.out, overwrite: values.overwrite, dpi, ocr: values.ocr ? 'always' : 'auto' }, token, (message) => {
            if (!values.json) process.stderr.write(`${path.basename(source)}: ${message}\n`);
          }).catch((error: unknown): DocumentOutcome => ({
            source, output: '', status: 'failed', error: error instanceof OcrError || error instanceof CancelledError ? error.message : String(error), pages: [], review: [],
          }));
          outcomes.push(outcome);
        }
      }),
    );
    if (values.json) process.stdout.write(JSON.stringify(outcomes, null, 2) + '\n');
    else for (const o of outcomes) process.stdout.write(summaryLine(o) + '\n');
    if (cancelled) return 130;
    return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
  } catch (error) {
    if (error instanceof OcrError || error instanceof CancelledError) return fail(error.message);
    return fail(`internal error: ${(error as Error)?.stack ?? String(error)}`);
  }
}

function summaryLine(o: DocumentOutcome): string {
  if (o.status === 'exists') return `skipped ${o.source}: ${o.output} exists (use --overwrite to replace it)`;
  if (o.status === 'failed') return `failed  ${o.source}: ${o.error}`;
  const methods = o.pages.reduce<Record<string, number>>((m, p) => ({ ...m, [p.method]: (m[p.method] ?? 0) + 1 }), {});
  const resumed = o.pages.filter((p) => p.resumed).length;
  return `wrote   ${o.output}: ${o.pages.length} page(s) (${Object.entries(methods).map(([k, n]) => `${n} ${k}`).join(', ')})${resumed ? `, ${resumed} resumed` : ''}${o.review.length ? `; review pages ${o.review.join(', ')} (low confidence)` : ''}`;
}

function parseInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value)) throw new OcrError('badRequest', `${flag} must be a whole number, not "${text}".`);
  return value;
}

function parseRegion(text: string): Region {
  const parts = text.split(',').map(Number);
  if (parts.length !== 4 || parts.some((v) => !Number.isFinite(v))) {
    throw new OcrError('badRegion', `--region must be four numbers x,y,width,height, not "${text}".`);
  }
  const [x, y, width, height] = parts as [number, number, number, number];
  return { x, y, width, height };
}

function fail(message: string): number {
  process.stderr.write(`formatted-ocr: ${message}\n`);
  return 1;
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
