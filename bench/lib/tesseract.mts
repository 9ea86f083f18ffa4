/** The peer: Debian's `tesseract` binary, one process per image (plus a batch run for the amortised cost). */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Box } from './sets.mjs';

const env = { ...process.env, OMP_THREAD_LIMIT: '1' };

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('tesseract', args, { env, maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`tesseract ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve();
    });
  });
}

export function tesseractVersion(): Promise<string> {
  return new Promise((resolve) => {
    execFile('tesseract', ['--version'], { env }, (error, stdout, stderr) => {
      resolve(error ? 'not found' : (stdout || stderr).split('\n')[0]!.trim());
    });
  });
}

export interface TesseractResult {
  ms: number;
  text: string;
  /** Words with boxes, from the TSV output of the same call. */
  words: { text: string; box: Box }[];
}

/** One `tesseract <image> <out> --psm N -l eng txt tsv` call; `ms` is its wall time, process start included. */
export async function recognizeWithTesseract(image: string, psm: number, workDir: string): Promise<TesseractResult> {
  const base = join(workDir, 'tess');
  const started = performance.now();
  await run([image, base, '--psm', String(psm), '-l', 'eng', 'txt', 'tsv']);
  const ms = performance.now() - started;
  const text = readFileSync(`${base}.txt`, 'utf8');
  const words: TesseractResult['words'] = [];
  for (const row of readFileSync(`${base}.tsv`, 'utf8').split('\n').slice(1)) {
    const c = row.split('\t');
    if (c[0] !== '5' || c.length < 12) continue;
    const word = c.slice(11).join('\t').trim();
    if (!word) continue;
    const [x, y, w, h] = [c[6], c[7], c[8], c[9]].map(Number) as [number, number, number, number];
    words.push({ text: word, box: { x0: x, y0: y, x1: x + w, y1: y + h } });
  }
  return { ms, text, words };
}

/** Wall time of one process reading every image of a list (models loaded once): the amortised per-image cost. */
export async function batchTesseract(images: string[], psm: number, workDir: string): Promise<number> {
  const list = join(workDir, 'batch-list.lst');
  writeFileSync(list, images.join('\n') + '\n');
  const started = performance.now();
  await run([list, join(workDir, 'batch'), '--psm', String(psm), '-l', 'eng', 'txt']);
  return performance.now() - started;
}
