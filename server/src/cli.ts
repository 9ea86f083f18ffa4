/**
 * formatted-ocr <file> [--page N] [--region x,y,w,h] [--mode text] [--dpi N] [--provider auto|cpu|…] [--json]
 * The same engine as the daemon, for scripts and headless use. Errors print one line and exit non-zero.
 */
import { parseArgs } from 'node:util';
import { CancelledError, OcrError, neverCancelled } from './errors';
import type { ExecutionProviderSetting, RecognitionMode, Region } from './protocol';
import { OcrService } from './service';
import { version } from './version';

const usage = `Usage: formatted-ocr <file> [--page N] [--region x,y,w,h] [--mode text|math|table|chem|auto]
                     [--dpi N] [--provider auto|cpu|cuda|dml|coreml] [--json]
       formatted-ocr --status

Reads an image (PNG, JPEG, TIFF, WebP, BMP, GIF) or a PDF page and prints Markdown (or JSON with line
boxes and confidence). Regions are in the page's units: pixels for images, PDF points for PDFs.`;

export async function main(argv: string[]): Promise<number> {
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
    process.stdout.write(values.json ? JSON.stringify(result, null, 2) + '\n' : result.content);
    return 0;
  } catch (error) {
    if (error instanceof OcrError || error instanceof CancelledError) return fail(error.message);
    return fail(`internal error: ${(error as Error)?.stack ?? String(error)}`);
  }
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
