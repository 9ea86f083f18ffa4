#!/usr/bin/env node
// Runs the extension's tests in a real VS Code: code-server (the real VS Code server and Node extension host)
// driven by Playwright with Debian Chromium. See ../shared/notes/vscode-tests.md for why not @vscode/test-electron.
//
//   1. suite: the mocha suite (dist/test/vscode/suite.js) inside the extension host, via the workbench `payload`;
//   2. ui:    a person's loop — open the sample in the OCR preview, drag a region, click "Markdown", see the text in
//             the editor; the screenshot is kept in test/vscode/artifacts/.
//
// Usage: node test/vscode/run.mjs [--only suite|ui] [--keep]   (npm run test:vscode builds first)
// Needs test/vscode/setup.sh to have run; FORMATTED_OCR_VSCODE_TEST_DIR selects the install (default .vscode-test).
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import sharp from 'sharp';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const installDir = process.env.FORMATTED_OCR_VSCODE_TEST_DIR ?? join(repo, '.vscode-test');
const node = join(installDir, 'node-24.21.0/bin/node');
const entry = join(installDir, 'code-server-4.139.1/node_modules/code-server/out/node/entry.js');
const artifacts = join(repo, 'test/vscode/artifacts');
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const keep = args.includes('--keep');
const suiteTimeoutMs = 240_000;
const t0 = Date.now();
const log = (...a) => console.log(`[vscode-test ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

for (const [file, hint] of [
  [node, 'run test/vscode/setup.sh'],
  [entry, 'run test/vscode/setup.sh'],
  ['/usr/bin/chromium', 'run test/vscode/setup.sh (apt-get install chromium)'],
  [join(repo, 'dist/client.js'), 'run npm run build'],
  [join(repo, 'dist/test/vscode/suite.js'), 'run npm run build'],
]) {
  if (!existsSync(file)) {
    console.error(`vscode-test: ${file} is missing: ${hint}`);
    process.exit(1);
  }
}

const freePort = () =>
  new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });

// ------------------------------------------------------------------ workspace and code-server
const tmp = mkdtempSync(join(tmpdir(), 'formatted-ocr-vscode-'));
const workspace = join(tmp, 'workspace');
mkdirSync(workspace);
for (const f of ['sample-scan.png', 'sample.pdf']) copyFileSync(join(repo, 'media/samples', f), join(workspace, f));
writeFileSync(join(workspace, 'notes.md'), '# Field notes\n\n');
// A two-page TIFF: page 2 is the sample moved down by 100 px, so its title is at y = 200.
{
  const page1 = await sharp(join(repo, 'media/samples/sample-scan.png')).png().toBuffer();
  const page2 = await sharp(page1).extend({ top: 100, background: '#ffffff' }).extract({ left: 0, top: 0, width: 1275, height: 1100 }).png().toBuffer();
  await sharp([page1, page2], { join: { animated: true } }).tiff({ compression: 'lzw' }).toFile(join(workspace, 'scan-2pages.tiff'));
}
const userData = join(tmp, 'user-data');
mkdirSync(join(userData, 'User'), { recursive: true });
writeFileSync(
  join(userData, 'User/settings.json'),
  JSON.stringify(
    {
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'security.workspace.trust.enabled': false,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'window.commandCenter': false,
      'git.enabled': false,
      'formattedOcr.executionProvider': 'cpu',
      // Ctrl+V of an image in Markdown uses "Paste as recognised text" (the UI paste test).
      'editor.pasteAs.preferences': ['text.formattedOcr.recognized'],
    },
    null,
    2,
  ),
);
const port = await freePort();
writeFileSync(join(tmp, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);

const serverLog = [];
const server = spawn(
  node,
  [
    entry,
    '--config', join(tmp, 'config.yaml'),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userData,
    '--extensions-dir', join(tmp, 'extensions'),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--vscode-option', 'enable-smoke-test-driver',
    workspace,
  ],
  {
    detached: true, // its own process group: the extension host and the OCR daemon are killed with it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PATH: `${dirname(node)}:${process.env.PATH}`,
      XDG_CONFIG_HOME: join(tmp, 'xdg-config'),
      XDG_DATA_HOME: join(tmp, 'xdg-data'),
      XDG_CACHE_HOME: join(tmp, 'xdg-cache'),
      HOME: join(tmp, 'home'),
    },
  },
);
server.stdout.on('data', (d) => serverLog.push(String(d)));
server.stderr.on('data', (d) => serverLog.push(String(d)));

let browser;
async function cleanup() {
  await browser?.close().catch(() => {});
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {}
  await new Promise((r) => setTimeout(r, 500));
  try {
    process.kill(-server.pid, 'SIGKILL');
  } catch {}
  if (!keep) rmSync(tmp, { recursive: true, force: true });
  else log(`kept ${tmp}`);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => cleanup().then(() => process.exit(130)));

async function waitHealthy() {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`code-server exited (${server.exitCode}):\n${serverLog.join('')}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer /healthz:\n${serverLog.join('')}`);
}

function workbenchUrl(withTests) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(repo)],
    ...(withTests ? [['extensionTestsPath', remote(join(repo, 'dist/test/vscode/suite.js'))]] : []),
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ];
  return `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

const results = [];

/** Workbench chatter that says nothing about the extension (no gallery, no GitHub, web-only lifecycle notes). */
const noise = [
  /ENOTFOUND|ERR_NAME_NOT_RESOLVED|queryRawGalleryExtensions|authentication provider 'github'/,
  /^(Resolving|Resolved) connection token|^Creating a socket|\[reconnection-grace-time\]|\[Service Worker\]|\[AgentHost|\[AccountPolicyGate\]/,
  /^Updating additional builtin extensions cache|^MCP migration|^\[lifecycle\] Long running operations/,
];
const isNoise = (text) => noise.some((re) => re.test(text)) || /^\s*at .*https?:\/\/127\.0\.0\.1/m.test(text) && !/suite\.js/.test(text);

// ------------------------------------------------------------------ 1. mocha suite in the extension host
async function runSuite() {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  let passed = 0;
  let failed = 0;
  const exited = new Promise((res) => {
    void page.exposeFunction('codeAutomationExit', (code) => res(code));
  });
  await page.exposeFunction('codeAutomationLog', (type, logArgs) => {
    const text = (Array.isArray(logArgs) ? logArgs : [logArgs]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    const m = /^(\d+) passed, (\d+) failed$/.exec(text.trim());
    if (m) [passed, failed] = [Number(m[1]), Number(m[2])];
    if (!isNoise(text)) console.log(text);
  });
  log('suite: opening the workbench with the test payload');
  await page.goto(workbenchUrl(true));
  const code = await Promise.race([exited, new Promise((res) => setTimeout(() => res('timeout'), suiteTimeoutMs))]);
  if (code === 'timeout') {
    await page.screenshot({ path: join(artifacts, 'suite-timeout.png') }).catch(() => {});
    log(`suite: timed out after ${suiteTimeoutMs / 1000}s`);
    failed = Math.max(failed, 1);
  } else if (code !== 0 && failed === 0) failed = 1;
  log(`suite: exit ${code}, ${passed} passed, ${failed} failed`);
  results.push({ name: 'suite', passed, failed });
  await page.close();
}

// ------------------------------------------------------------------ 2. UI: drive the webview like a person
async function palette(page, text) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${text}`);
  await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: text }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** The frame of the webview (inside VS Code's two iframes) that contains `selector`. */
async function webviewFrame(page, selector, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      if (await frame.locator(selector).count().catch(() => 0)) return frame;
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`no webview shows ${selector}`);
}

async function runUi() {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  // Browser-side errors (workbench and webviews) go to an artifact for debugging.
  const consoleLines = [];
  page.on('console', (m) => ['error', 'warning'].includes(m.type()) && consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  page.on('response', (r) => r.status() >= 400 && consoleLines.push(`[http ${r.status()}] ${r.url()}`));
  const shot = join(artifacts, 'ui-preview-convert.png');
  try {
    log('ui: opening the workbench');
    await page.goto(workbenchUrl(false));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 60_000 });

    // Open notes.md and put the cursor at its end.
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill('notes.md');
    await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: 'notes.md' }).first().waitFor();
    await page.keyboard.press('Enter');
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines').filter({ hasText: /Field\s+notes/ }).waitFor({ timeout: 30_000 });
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    // More room for the preview: hide the side bar.
    await page.keyboard.press('Control+B');

    // OCR: Open Preview → pick the sample.
    log('ui: OCR: Open Preview');
    await palette(page, 'OCR: Open Preview');
    await page.locator('.quick-input-widget input').fill('sample-scan');
    await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: 'sample-scan.png' }).first().waitFor();
    await page.keyboard.press('Enter');

    const frame = await webviewFrame(page, 'button[data-mode="text"]');
    await frame.waitForFunction(() => {
      const img = document.querySelector('.page-image');
      return img instanceof HTMLImageElement && img.naturalWidth > 0 && img.getBoundingClientRect().width > 0;
    });
    const natural = await frame.evaluate(() => document.querySelector('.page-image').naturalWidth);
    const box = await frame.locator('.page').boundingBox();
    const scale = box.width / natural;
    log(`ui: page drawn at ${(scale * 100).toFixed(0)}%; dragging the title region`);
    const at = (x, y) => [box.x + x * scale, box.y + y * scale];
    await page.mouse.move(...at(100, 100));
    await page.mouse.down();
    await page.mouse.move(...at(400, 150), { steps: 5 });
    await page.mouse.move(...at(800, 180), { steps: 5 });
    await page.mouse.up();
    const label = await frame.locator('.region-label').textContent();
    log(`ui: selection ${label}`);
    if (!/×/.test(label)) throw new Error(`no selection after the drag (label: ${label})`);

    log('ui: clicking "Markdown"');
    await frame.locator('button[data-mode="text"]').click();
    await editor.locator('.view-lines').filter({ hasText: /Reading\s+Old\s+Field\s+Notes/ }).waitFor({ timeout: 120_000 });
    // The result view shows the same output.
    const resultFrame = await webviewFrame(page, '.output', 30_000);
    await resultFrame.locator('.output').filter({ hasText: /Reading Old Field Notes/ }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: shot });
    log(`ui: the text arrived in notes.md; screenshot ${shot}`);
    // The result view's Insert puts the same text in again, at the cursor (now after the first copy).
    await resultFrame.locator('button[data-action="insert"]').click();
    await editor.locator('.view-lines').filter({ hasText: /Reading\s+Old\s+Field\s+NotesReading\s+Old\s+Field\s+Notes/ }).waitFor({ timeout: 30_000 });
    log('ui: Insert in the result view inserted it again');
    results.push({ name: 'ui: image preview → drag → Markdown → editor', passed: 1, failed: 0 });
  } catch (error) {
    await page.screenshot({ path: shot.replace('.png', '-failed.png') }).catch(() => {});
    log(`ui: FAILED: ${error?.stack ?? error}`);
    results.push({ name: 'ui: image preview → drag → Markdown → editor', passed: 0, failed: 1 });
  }

  // The preview's Content-Security-Policy as its document has it, and that it is enforced: no inline script runs,
  // nothing remote loads, and the webview can load the extension's files but not the user's (localResourceRoots).
  try {
    log('ui: the preview webview\'s CSP and resource roots');
    const frame = await webviewFrame(page, 'button[data-mode="text"]', 10_000);
    const csp = await frame.evaluate(() => [...document.querySelectorAll('meta[http-equiv="Content-Security-Policy"]')].map((m) => m.getAttribute('content')));
    if (csp.length !== 1) throw new Error(`expected one CSP meta tag, found ${csp.length}`);
    const directives = new Map(csp[0].split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));
    const scriptSrc = directives.get('script-src') ?? [];
    if (directives.get('default-src')?.join(' ') !== "'none'") throw new Error(`default-src is not 'none': ${csp[0]}`);
    if (scriptSrc.length !== 1 || !/^'nonce-[A-Za-z0-9]+'$/.test(scriptSrc[0])) throw new Error(`script-src is not a nonce only: ${csp[0]}`);
    const probe = await frame.evaluate(
      async ({ repo, workspace }) => {
        const violations = [];
        document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective));
        const inline = document.createElement('script');
        inline.textContent = 'window.__inlineScriptRan = true';
        document.body.append(inline);
        // Our script's URL names the extension folder; the same URL with another path asks for any local file.
        const script = document.querySelector('script[nonce]').src;
        const at = script.indexOf(repo);
        const resource = (file) => script.slice(0, at) + file;
        const loads = (src) =>
          new Promise((done) => {
            const img = new Image();
            img.onload = () => done(true);
            img.onerror = () => done(false);
            img.src = src;
          });
        return {
          inlineScriptRan: window.__inlineScriptRan === true,
          remoteImage: await loads('https://example.com/x.png'),
          ownResource: at >= 0 && (await loads(resource(`${repo}/media/preview/icon.svg`))),
          userFile: at >= 0 && (await loads(resource(`${workspace}/sample-scan.png`))),
          violations,
          script,
        };
      },
      { repo, workspace },
    );
    log(`ui: CSP ${csp[0].replace(/'nonce-[^']+'/g, "'nonce-…'")}; probe ${JSON.stringify({ ...probe, script: undefined })}`);
    if (probe.inlineScriptRan) throw new Error('an inline script without the nonce ran');
    if (probe.remoteImage) throw new Error('a remote image loaded');
    if (!probe.violations.includes('script-src-elem') && !probe.violations.includes('script-src')) throw new Error(`no CSP violation reported for the inline script: ${probe.violations}`);
    if (!probe.ownResource) throw new Error(`the extension's own resource did not load (script URL ${probe.script})`);
    if (probe.userFile) throw new Error('the webview could load a file from the user\'s folder');
    results.push({ name: 'ui: preview CSP enforced, only the extension\'s resources load', passed: 1, failed: 0 });
  } catch (error) {
    log(`ui: FAILED: ${error?.stack ?? error}`);
    results.push({ name: 'ui: preview CSP enforced, only the extension\'s resources load', passed: 0, failed: 1 });
  }

  // A PDF: page navigation, a drag in PDF points, and the context menu.
  const pdfShot = join(artifacts, 'ui-pdf-page2.png');
  try {
    log('ui: OCR: Open Preview on sample.pdf');
    // Back in notes.md (keyboard focus leaves the webview), cursor on a new last line.
    const notes = page.locator('.editor-instance .monaco-editor').first();
    await notes.locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await palette(page, 'OCR: Open Preview');
    await page.locator('.quick-input-widget input').fill('sample.pdf');
    await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: 'sample.pdf' }).first().waitFor();
    await page.keyboard.press('Enter');
    const frame = await webviewFrame(page, '.page-canvas:not([hidden])');
    await frame.locator('.page-count').filter({ hasText: '/ 2' }).waitFor({ timeout: 60_000 });
    await frame.getByRole('button', { name: 'Next page' }).click();
    await frame.waitForFunction(() => document.querySelector('.page-input')?.value === '2');
    const box = await frame.locator('.page').boundingBox();
    const scale = box.width / 612;
    const at = (x, y) => [box.x + x * scale, box.y + y * scale];
    await page.mouse.move(...at(60, 66));
    await page.mouse.down();
    await page.mouse.move(...at(270, 104), { steps: 8 });
    await page.mouse.up();
    const label = frame.locator('.region-label');
    log(`ui: PDF selection ${await label.textContent()}`);
    // Keyboard nudges: Shift+Down moves it 10 pt, Shift+Up back.
    await page.keyboard.press('Shift+ArrowDown');
    await label.filter({ hasText: '60, 76 ·' }).waitFor({ timeout: 5000 });
    await page.keyboard.press('Shift+ArrowUp');
    await label.filter({ hasText: '60, 66 ·' }).waitFor({ timeout: 5000 });
    await page.mouse.click(...at(150, 85), { button: 'right' });
    await frame.locator('.menu-item[data-mode="text"]').click();
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-lines').filter({ hasText: /A\s+Born-Digital\s+Page/ }).waitFor({ timeout: 120_000 });
    await page.screenshot({ path: pdfShot });
    log(`ui: page 2 of the PDF converted through the context menu; screenshot ${pdfShot}`);
    // Esc clears the selection.
    await frame.locator('.viewport').focus();
    await page.keyboard.press('Escape');
    await label.filter({ hasText: 'Drag to select a region' }).waitFor({ timeout: 5000 });
    results.push({ name: 'ui: PDF page 2 → context menu → editor', passed: 1, failed: 0 });
  } catch (error) {
    await page.screenshot({ path: pdfShot.replace('.png', '-failed.png') }).catch(() => {});
    log(`ui: FAILED: ${error?.stack ?? error}`);
    results.push({ name: 'ui: PDF page 2 → context menu → editor', passed: 0, failed: 1 });
  }

  // Cancel: the whole page of the sample takes a few seconds; Cancel on the progress notification stops it in the
  // daemon and the result view says so.
  const cancelShot = join(artifacts, 'ui-cancel.png');
  try {
    log('ui: convert the whole sample page, then Cancel on the notification');
    await page.locator('.tabs-container .tab').filter({ hasText: 'sample-scan.png' }).first().click();
    const frame = await webviewFrame(page, '.page-image:not([hidden])');
    // Escape clears the selection left by the earlier test; on a loaded machine the webview may take the focus
    // late, so the key goes to the viewport itself and is pressed again until the selection is gone.
    const cleared = frame.locator('.region-label').filter({ hasText: 'Drag to select a region' });
    for (let attempt = 0; attempt < 4 && !(await cleared.isVisible()); attempt++) {
      await frame.locator('.viewport').press('Escape');
      await cleared.waitFor({ timeout: 2500 }).catch(() => {});
    }
    await cleared.waitFor({ timeout: 5000 });
    await frame.locator('button[data-mode="text"]').click();
    // The progress notification (as a toast, or in the notification centre when toasts are held back).
    await page.locator('.statusbar-item[id*="notifications"], .statusbar-item .codicon-bell-dot, .statusbar-item .codicon-bell').first().click();
    const item = page.locator('.notifications-center .notification-list-item').filter({ hasText: 'OCR: sample-scan.png' }).first();
    await item.waitFor({ timeout: 20_000 });
    await item.locator('.monaco-button', { hasText: 'Cancel' }).click({ timeout: 10_000 });
    const resultFrame = await webviewFrame(page, '.error.cancelled', 60_000);
    await resultFrame.locator('.error.cancelled').waitFor();
    await page.screenshot({ path: cancelShot });
    log(`ui: cancelled; screenshot ${cancelShot}`);
    results.push({ name: 'ui: Cancel on the progress notification → request cancelled', passed: 1, failed: 0 });
  } catch (error) {
    await page.screenshot({ path: cancelShot.replace('.png', '-failed.png') }).catch(() => {});
    log(`ui: FAILED: ${error?.stack ?? error}`);
    results.push({ name: 'ui: Cancel on the progress notification → request cancelled', passed: 0, failed: 1 });
  }

  // Paste: an image on the clipboard pasted into a Markdown file comes in as its recognised text. The test's
  // settings prefer our paste kind (`editor.pasteAs.preferences`), as a user who wants it by default would.
  const pasteShot = join(artifacts, 'ui-paste.png');
  try {
    log('ui: paste an image into notes.md');
    const png = await sharp(join(repo, 'media/samples/sample-scan.png')).extract({ left: 100, top: 100, width: 700, height: 80 }).png().toBuffer();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://127.0.0.1:${port}` });
    await page.evaluate(async (b64) => {
      const blob = new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' });
      await navigator.clipboard.write([new ClipboardItem({ 'image/png': blob })]);
    }, png.toString('base64'));
    const notes = page.locator('.editor-instance .monaco-editor').first();
    await notes.locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Pasted: ');
    await page.keyboard.press('Control+V');
    await notes.locator('.view-lines').filter({ hasText: /Pasted:\s+Reading\s+Old\s+Field\s+Notes/ }).waitFor({ timeout: 120_000 });
    await page.screenshot({ path: pasteShot });
    log(`ui: the pasted image arrived as text; screenshot ${pasteShot}`);
    results.push({ name: 'ui: paste an image into Markdown → recognised text', passed: 1, failed: 0 });
  } catch (error) {
    await page.screenshot({ path: pasteShot.replace('.png', '-failed.png') }).catch(() => {});
    log(`ui: FAILED: ${error?.stack ?? error}`);
    results.push({ name: 'ui: paste an image into Markdown → recognised text', passed: 0, failed: 1 });
  } finally {
    writeFileSync(join(artifacts, 'ui-console.log'), consoleLines.join('\n') + '\n');
    await page.close();
  }
}

let exitCode = 1;
try {
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  await waitHealthy();
  log(`code-server on 127.0.0.1:${port}`);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  if (!only || only === 'suite') await runSuite();
  if (!only || only === 'ui') await runUi();
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  for (const r of results) console.log(`  ${r.failed ? '✗' : '✓'} ${r.name}: ${r.passed} passed, ${r.failed} failed`);
  console.log(`${passed} passed, ${failed} failed (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  exitCode = failed === 0 && passed > 0 ? 0 : 1;
} catch (error) {
  console.error(`vscode-test: ${error?.stack ?? error}`);
  if (serverLog.length) console.error(serverLog.join('').slice(-4000));
} finally {
  await cleanup();
}
process.exit(exitCode);
