import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OcrError } from '../errors';
import { modelsDir } from '../paths';

/**
 * models/manifest.json pins the sha256 of every model file the daemon loads: ours under models/ (keyed by
 * their path there) and the PP-OCR files from npm (keyed `npm:<package>/<file>`). A file that does not match
 * is refused before onnxruntime parses it, so a damaged or swapped model gives a clear error, not garbage.
 */
export interface Manifest {
  files: Record<string, { sha256: string; bytes: number; source: string }>;
}

let manifest: Manifest | undefined;
const verified = new Map<string, string>();

export function loadManifest(): Manifest {
  manifest ??= JSON.parse(fs.readFileSync(path.join(modelsDir(), 'manifest.json'), 'utf8')) as Manifest;
  return manifest;
}

/** The manifest key of a model path: relative to models/, or the npm package path inside node_modules. */
export function manifestKey(modelPath: string): string {
  const relative = path.relative(modelsDir(), modelPath);
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) return relative.split(path.sep).join('/');
  const npm = modelPath.split(`node_modules${path.sep}`).pop()!;
  return `npm:${npm.split(path.sep).join('/')}`;
}

export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export function verifyModel(modelPath: string, pinned: Manifest = loadManifest(), key = manifestKey(modelPath)): void {
  if (!fs.existsSync(modelPath)) throw new OcrError('modelLoad', `The model file ${modelPath} is missing; reinstall the extension or run "npm ci".`);
  const entry = pinned.files[key];
  if (!entry) throw new OcrError('modelLoad', `The model ${key} is not listed in models/manifest.json, so it is not loaded.`);
  const actual = verified.get(modelPath) ?? sha256File(modelPath);
  if (actual !== entry.sha256) {
    throw new OcrError('modelLoad', `The model file ${modelPath} is damaged or was replaced (sha256 ${actual.slice(0, 12)}…, expected ${entry.sha256.slice(0, 12)}…); reinstall the extension or run "npm ci".`);
  }
  verified.set(modelPath, actual);
}
