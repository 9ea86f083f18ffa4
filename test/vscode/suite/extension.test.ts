/**
 * The extension in a real VS Code extension host, with the real daemon: activation, convert region → text in an
 * editor, the PDF preview, a daemon crash and restart, cancellation. Awaits the extension's own events; no sleeps.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it, before, after } from 'mocha';
import * as vscode from 'vscode';
import type { FormattedOcrApi } from '../../../client/src/extension';
import type { ConvertOutcome } from '../../../client/src/convert';
import type { Preview } from '../../../client/src/preview/previewProvider';

const extensionId = 'formatted-ocr.formatted-ocr';
const titleRegion = { x: 100, y: 100, width: 700, height: 80 };
const title = 'Reading Old Field Notes';

/** Resolves with the first event value that passes `test`, or rejects after `ms`. */
function next<T>(event: vscode.Event<T>, test: (value: T) => boolean = () => true, ms = 60_000, what = 'event'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const sub = event((value) => {
      if (!test(value)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(value);
    });
  });
}

const hasProc = existsSync('/proc/self/stat');

/** The daemon processes forked by this extension host (Linux: read from /proc; elsewhere unknown). */
function daemonPids(): number[] {
  const pids: number[] = [];
  if (!hasProc) return pids;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('dist/server.js')) pids.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

function ext(): vscode.Extension<FormattedOcrApi> {
  const found = vscode.extensions.getExtension<FormattedOcrApi>(extensionId);
  assert.ok(found, `extension ${extensionId} is not installed in this host`);
  return found;
}

describe('Formatted OCR in VS Code', function () {
  let api: FormattedOcrApi;
  let folder: vscode.Uri;
  let sample: vscode.Uri;
  let pdf: vscode.Uri;

  before(async () => {
    api = await ext().activate();
    folder = vscode.workspace.workspaceFolders![0]!.uri;
    sample = vscode.Uri.joinPath(folder, 'sample-scan.png');
    pdf = vscode.Uri.joinPath(folder, 'sample.pdf');
    // The daemon runs on CPU in tests, whatever the machine has.
    await vscode.workspace.getConfiguration('formattedOcr').update('executionProvider', 'cpu', vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    // Revert the untitled documents the tests made, so closing asks nothing.
    for (const doc of vscode.workspace.textDocuments.filter((d) => d.isDirty)) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('activates, contributes its commands and starts no daemon until first use', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['formattedOcr.openPreview', 'formattedOcr.convert.text', 'formattedOcr.convert.math', 'formattedOcr.restartDaemon', 'formattedOcr.showLog']) {
      assert.ok(commands.includes(id), `missing command ${id}`);
    }
    assert.equal(api.ctx.state, 'stopped');
    assert.deepEqual(daemonPids(), []);
    assert.equal(ext().packageJSON.contributes.customEditors[0].priority, 'option');
  });

  it('starts the daemon over stdio on first use and reads its status', async () => {
    const status = await api.ctx.status();
    assert.equal(api.ctx.state, 'running');
    assert.equal(status.executionProvider.requested, 'cpu');
    assert.ok(status.engines.find((e) => e.mode === 'text')?.available, 'text engine available');
    if (hasProc) assert.equal(daemonPids().length, 1);
  });

  it('converts a region of the sample and inserts it at the cursor as one undoable edit', async () => {
    const notes = vscode.Uri.joinPath(folder, 'notes.md');
    const doc = await vscode.workspace.openTextDocument(notes);
    const editor = await vscode.window.showTextDocument(doc);
    const original = doc.getText();
    const end = doc.positionAt(original.length);
    editor.selection = new vscode.Selection(end, end);

    const outcome = await vscode.commands.executeCommand<ConvertOutcome>('formattedOcr._test.convertRegion', {
      uri: sample.toString(),
      mode: 'text',
      region: titleRegion,
    });
    assert.equal(outcome.error, undefined, outcome.error?.message);
    assert.equal(outcome.result?.content.trim(), title);
    assert.equal(outcome.inserted?.uri.toString(), notes.toString());
    assert.equal(doc.getText(), original + title);

    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), original, 'one undo removes the whole insertion');
  });

  it('replaces the selection in the last active editor even when a webview has focus', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: 'Title: XXX\n' });
    const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    editor.selection = new vscode.Selection(0, 7, 0, 10);
    const opened = next(api.previews.onDidOpenPreview, () => true, 30_000, 'the preview');
    await vscode.commands.executeCommand('vscode.openWith', sample, 'formattedOcr.preview', vscode.ViewColumn.Two);
    const preview = await opened;
    await (preview.loaded ? Promise.resolve() : next(preview.onDidLoad, () => true, 30_000, 'the image to load'));
    const inserted = next(api.target.onDidInsert, () => true, 90_000, 'the insertion');
    // Through the webview: the host sets the selection, the webview sends `convert` back.
    preview.setRegion(titleRegion);
    preview.convertSelection('text');
    await inserted;
    assert.equal(doc.getText(), `Title: ${title}\n`);
  });

  it('shows the daemon’s errors in the result view and does not insert', async () => {
    const missing = vscode.Uri.joinPath(folder, 'no-such-scan.png');
    const outcome = await vscode.commands.executeCommand<ConvertOutcome>('formattedOcr._test.convertRegion', { uri: missing.toString(), mode: 'text' });
    assert.equal(outcome.result, undefined);
    assert.equal(outcome.inserted, undefined);
    assert.equal(outcome.error?.kind, 'fileNotFound');
    assert.match(outcome.error!.message, /no-such-scan\.png/);
    assert.ok(api.converter.results.visible, 'the result view shows the error');
  });

  it('reports a mode that is not available yet as modeNotAvailable', async function () {
    // Which modes exist changes as engines land: use one the daemon itself says is unavailable.
    const status = await api.ctx.status();
    const unavailable = status.engines.find((e) => !e.available);
    if (!unavailable) this.skip();
    const outcome = await vscode.commands.executeCommand<ConvertOutcome>('formattedOcr._test.convertRegion', {
      uri: sample.toString(),
      mode: unavailable!.mode,
      region: titleRegion,
      insert: false,
    });
    if (outcome.result) {
      console.log(`note: ocr/status says "${unavailable!.mode}" is unavailable (${unavailable!.reason}) but the daemon answered it`);
      this.skip();
    }
    assert.equal(outcome.error?.kind, 'modeNotAvailable', outcome.error?.message);
  });

  it('opens a PDF in the preview with pdf.js and converts a region of page 1 in PDF points', async () => {
    const opened = next(api.previews.onDidOpenPreview, (p: Preview) => p.uri.path.endsWith('sample.pdf'), 30_000, 'the PDF preview');
    await vscode.commands.executeCommand('vscode.openWith', pdf, 'formattedOcr.preview', vscode.ViewColumn.Two);
    const preview = await opened;
    const page = preview.loaded ? { page: preview.page, pageCount: preview.pageCount!, width: 0, height: 0 } : await next(preview.onDidLoad, () => true, 60_000, 'pdf.js to draw page 1');
    assert.equal(page.pageCount, 2);
    if (page.width) assert.equal(Math.round(page.width), 612);

    const doc = await vscode.workspace.openTextDocument({ language: 'plaintext', content: '' });
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    const inserted = next(api.target.onDidInsert, () => true, 90_000, 'the insertion');
    preview.setRegion({ x: 50, y: 45, width: 260, height: 40 }, 1);
    preview.convertSelection('text');
    await inserted;
    assert.equal(doc.getText().trim(), title);
  });

  it('shows a multi-page TIFF page by page and converts a region of page 2', async function () {
    const tiff = vscode.Uri.joinPath(folder, 'scan-2pages.tiff');
    if (!existsSync(tiff.fsPath)) this.skip();
    const opened = next(api.previews.onDidOpenPreview, (p: Preview) => p.uri.path.endsWith('.tiff'), 30_000, 'the TIFF preview');
    await vscode.commands.executeCommand('vscode.openWith', tiff, 'formattedOcr.preview', vscode.ViewColumn.Two);
    const preview = await opened;
    const first = preview.loaded ? { page: preview.page, pageCount: preview.pageCount! } : await next(preview.onDidLoad, () => true, 30_000, 'page 1');
    assert.equal(first.pageCount, 2);

    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: '' });
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    const second = next(preview.onDidLoad, (p) => p.page === 2, 30_000, 'page 2');
    preview.setRegion({ ...titleRegion, y: 200 }, 2);
    await second;
    const inserted = next(api.target.onDidInsert, () => true, 90_000, 'the insertion');
    preview.convertSelection('text');
    await inserted;
    assert.equal(doc.getText().trim(), title);
  });

  it('restarts the daemon when it dies', async function () {
    if (!hasProc) this.skip();
    await api.ctx.status();
    const [pid] = daemonPids();
    assert.ok(pid, 'a daemon process');
    const restarted = next(api.ctx.onDidRestart, () => true, 60_000, 'the restart');
    process.kill(pid, 'SIGKILL');
    await restarted;
    assert.equal(api.ctx.state, 'running');
    const pids = daemonPids();
    assert.equal(pids.length, 1);
    assert.notEqual(pids[0], pid);
    const status = await api.ctx.status();
    assert.equal(status.executionProvider.requested, 'cpu');
  });

  it('cancels a long request in the daemon and keeps serving', async () => {
    const cts = new vscode.CancellationTokenSource();
    // The daemon reports its first step (`detecting text`) once it has loaded the page and started work.
    const busy = next(api.ctx.onDidReportProgress, () => true, 60_000, 'the daemon to report progress');
    // The whole page: the longest request the sample offers.
    const pending = api.converter.convert({ uri: sample, mode: 'text' }, { token: cts.token, insert: false });
    await busy;
    const started = Date.now();
    cts.cancel();
    const outcome = await pending;
    assert.equal(outcome.cancelled, true, outcome.error?.message ?? 'expected a cancelled outcome');
    assert.ok(Date.now() - started < 20_000, 'cancelled promptly');
    await next(api.ctx.onDidChangeServerStatus, (s) => !s.busy, 60_000, 'the daemon to become idle').catch(() => undefined);
    const again = await api.ctx.recognize({ source: { path: sample.fsPath }, mode: 'text', region: titleRegion });
    assert.equal(again.content.trim(), title);
  });

  it('gives up after repeated crashes, then starts again on "Restart Daemon"', async function () {
    if (!hasProc) this.skip();
    for (let crash = 0; api.ctx.state !== 'failed'; crash++) {
      assert.ok(crash < 6, 'the client should stop restarting after a few crashes');
      await api.ctx.status();
      const [pid] = daemonPids();
      const restarted = next(api.ctx.onDidRestart, () => true, 60_000, 'a restart');
      const failed = next(api.ctx.onDidChangeState, (s) => s === 'failed', 60_000, 'giving up');
      restarted.catch(() => undefined);
      failed.catch(() => undefined);
      process.kill(pid!, 'SIGKILL');
      await Promise.race([restarted, failed]);
    }
    assert.deepEqual(daemonPids(), []);
    await assert.rejects(api.ctx.status(), /Restart Daemon/);
    await vscode.commands.executeCommand('formattedOcr.restartDaemon');
    assert.equal(api.ctx.state, 'running');
    assert.equal((await api.ctx.status()).executionProvider.requested, 'cpu');
  });
});
