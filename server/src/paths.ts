import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

/** The project (or installed extension) folder: the nearest ancestor with our package.json, from src or dist. */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'formatted-ocr') return (cached = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the formatted-ocr folder above ${__dirname}.`);
    dir = parent;
  }
}

export const modelsDir = (): string => path.join(projectRoot(), 'models');
