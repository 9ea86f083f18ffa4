#!/usr/bin/env node
// The same mocha suite (dist/test/vscode/suite.js) in desktop VS Code through @vscode/test-electron, for machines
// that can download VS Code. CI here cannot (no network beyond npm and Debian), so it runs test/vscode/run.mjs
// (code-server + Playwright) instead; see README "Tests". Usage: npm run test:vscode:electron
// VSCODE_VERSION picks the VS Code build (default: the lowest the extension supports, engines.vscode).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const engines = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).engines.vscode.replace(/^\^/, '');
const tmp = mkdtempSync(join(tmpdir(), 'formatted-ocr-electron-'));
const workspace = join(tmp, 'workspace');
mkdirSync(join(tmp, 'user-data', 'User'), { recursive: true });
mkdirSync(workspace);
for (const f of ['sample-scan.png', 'sample.pdf']) copyFileSync(join(repo, 'media/samples', f), join(workspace, f));
writeFileSync(join(workspace, 'notes.md'), '# Field notes\n\n');
writeFileSync(join(tmp, 'user-data', 'User', 'settings.json'), JSON.stringify({ 'formattedOcr.executionProvider': 'cpu', 'workbench.startupEditor': 'none' }));
let code = 1;
try {
  code = await runTests({
    version: process.env.VSCODE_VERSION ?? engines,
    extensionDevelopmentPath: repo,
    extensionTestsPath: join(repo, 'dist/test/vscode/suite.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--user-data-dir', join(tmp, 'user-data')],
  });
} catch (error) {
  console.error(`test-electron: ${error?.message ?? error}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(code);
