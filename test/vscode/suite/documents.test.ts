/**
 * "OCR: Convert Documents to Markdown…" in the real extension host with the real daemon: a folder converted
 * through the command as the Explorer calls it, existing Markdown never replaced without consent, a damaged file
 * reported while the batch goes on, and a cancelled batch resumed from the pages the daemon kept.
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it, before, after, afterEach } from 'mocha';
import sharp from 'sharp';
import * as vscode from 'vscode';
import type { FormattedOcrApi } from '../../../client/src/extension';
import type { BatchResult, ExistingChoice } from '../../../client/src/documents/convertDocuments';

const extensionId = 'formatted-ocr.formatted-ocr';
const title = 'Reading Old Field Notes';

describe('OCR: Convert Documents to Markdown', function () {
  let api: FormattedOcrApi;
  let samples: string;
  const dirs: string[] = [];
  let originalAsk: FormattedOcrApi['documents']['askIfExists'];
  const subscriptions: vscode.Disposable[] = [];

  /** A temp folder outside the workspace with copies of the given samples. */
  function folderWith(...names: string[]): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'formatted-ocr-documents-'));
    dirs.push(dir);
    for (const name of names) copyFileSync(path.join(samples, name), path.join(dir, name));
    return dir;
  }
  /** Runs the command as the Explorer does for one clicked folder or file: (clicked, selection). */
  const fromExplorer = (file: string) => vscode.commands.executeCommand<BatchResult | undefined>('formattedOcr.convertDocuments', vscode.Uri.file(file), [vscode.Uri.file(file)]);
  const progressLines = () => {
    const lines: string[] = [];
    subscriptions.push(api.documents.onDidReportProgress((line) => lines.push(line)));
    return lines;
  };

  before(async () => {
    api = await vscode.extensions.getExtension<FormattedOcrApi>(extensionId)!.activate();
    samples = path.join(vscode.extensions.getExtension(extensionId)!.extensionPath, 'media', 'samples');
    originalAsk = api.documents.askIfExists;
  });
  afterEach(() => {
    api.documents.askIfExists = originalAsk;
    subscriptions.splice(0).forEach((s) => s.dispose());
  });
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('is in the palette and in the Explorer menu for folders and documents', async () => {
    assert.ok((await vscode.commands.getCommands(true)).includes('formattedOcr.convertDocuments'));
    const pkg = vscode.extensions.getExtension(extensionId)!.packageJSON;
    const menu = pkg.contributes.menus['explorer/context'].find((m: { command: string }) => m.command === 'formattedOcr.convertDocuments');
    assert.match(menu.when, /explorerResourceIsFolder/);
    assert.equal(vscode.workspace.getConfiguration('formattedOcr').get('convert.ifExists'), 'ask', 'asking is the default');
  });

  let converted: string;
  it('converts a folder: sample.md and sample-scan.md beside their sources, with per-page progress', async () => {
    converted = folderWith('sample.pdf', 'sample-scan.png');
    const lines = progressLines();
    const result = await fromExplorer(converted);
    assert.ok(result, 'the command returns the batch result');
    assert.deepEqual(
      result.outcomes.map((o) => [path.basename(o.source), o.status, o.reason]),
      [
        ['sample-scan.png', 'converted', undefined],
        ['sample.pdf', 'converted', undefined],
      ],
    );
    assert.deepEqual(
      result.outcomes[1]!.pages.map((p) => [p.page, p.method, p.resumed]),
      [
        [1, 'ocr', false],
        [2, 'text-layer', false],
      ],
    );
    const scan = readFileSync(path.join(converted, 'sample-scan.md'), 'utf8');
    const pdf = readFileSync(path.join(converted, 'sample.md'), 'utf8');
    assert.match(scan, new RegExp(`^# ${title}\\n`));
    assert.match(scan, /two farms shared a single pump/);
    assert.match(pdf, new RegExp(`# ${title}`));
    assert.match(pdf, /# A Born-Digital Page/, 'page 2 from the text layer');
    assert.equal(existsSync(path.join(converted, 'sample.assets', '.pages')), false, 'working pages removed once done');
    assert.ok(lines.includes('file 1/2: sample-scan.png — page 1/1'), lines.join('\n'));
    assert.ok(lines.includes('file 2/2: sample.pdf — page 2/2'), lines.join('\n'));
    assert.match(result.summary, /Converted 2 files \(3 pages; 1 from text layer, 2 by OCR\); 0 failed/);
    assert.match(result.summary, /\[sample\.md\]\(<file:\/\/.*\/sample\.md>\)/);
  });

  it('asks before replacing existing Markdown, and keeps it unless allowed', async () => {
    const mine = path.join(converted, 'sample.md');
    writeFileSync(mine, 'my own edits\n');
    const asked: string[][] = [];
    const answer = (choice: ExistingChoice) => (api.documents.askIfExists = async (existing) => (asked.push(existing.map((f) => path.basename(f))), choice));

    answer('skip');
    const skipped = await fromExplorer(converted);
    assert.deepEqual(asked, [['sample-scan.md', 'sample.md']], 'asked once, about both');
    assert.deepEqual(skipped?.outcomes.map((o) => o.status), ['skipped', 'skipped']);
    assert.equal(readFileSync(mine, 'utf8'), 'my own edits\n');

    answer(undefined); // Cancel in the modal: nothing happens.
    assert.equal(await fromExplorer(converted), undefined);
    assert.equal(readFileSync(mine, 'utf8'), 'my own edits\n');

    // Overwrite applies to the files asked about: here the one selected.
    writeFileSync(path.join(converted, 'sample-scan.md'), 'stale\n');
    answer('overwrite');
    const replaced = await fromExplorer(path.join(converted, 'sample-scan.png'));
    assert.deepEqual(asked.at(-1), ['sample-scan.md']);
    assert.equal(replaced?.outcomes[0]?.status, 'converted');
    assert.match(readFileSync(path.join(converted, 'sample-scan.md'), 'utf8'), new RegExp(`^# ${title}`));
    assert.equal(readFileSync(mine, 'utf8'), 'my own edits\n', 'the other file was not touched');
  });

  it('reports a damaged file and goes on; a cancelled batch resumes from the pages the daemon kept', async () => {
    const dir = folderWith('sample-scan.png');
    writeFileSync(path.join(dir, 'broken.pdf'), '%PDF-1.4\nthis is not really a PDF\n');
    // Two pages that both need OCR, so the cancel lands while page 2 is being read.
    const page = await sharp(path.join(samples, 'sample-scan.png')).png().toBuffer();
    await sharp([page, page], { join: { animated: true } }).tiff({ compression: 'lzw' }).toFile(path.join(dir, 'scan-2pages.tiff'));

    const cts = new vscode.CancellationTokenSource();
    const lines = progressLines();
    // `page 2/2` is reported once page 1 is saved in scan-2pages.assets/.pages/.
    subscriptions.push(api.documents.onDidReportProgress((line) => line === 'file 3/3: scan-2pages.tiff — page 2/2' && cts.cancel()));
    const first = await api.documents.run([vscode.Uri.file(dir)], { token: cts.token });
    assert.ok(first);
    assert.deepEqual(
      first.outcomes.map((o) => [path.basename(o.source), o.status]),
      [
        ['broken.pdf', 'failed'],
        ['sample-scan.png', 'converted'],
        ['scan-2pages.tiff', 'cancelled'],
      ],
      lines.join('\n'),
    );
    assert.match(first.outcomes[0]!.reason ?? '', /PDF/);
    assert.equal(first.totals.cancelled, true);
    assert.match(first.summary, /Run the command again to resume/);
    assert.equal(existsSync(path.join(dir, 'scan-2pages.md')), false, 'no Markdown before every page is done');
    assert.ok(existsSync(path.join(dir, 'scan-2pages.assets', '.pages', 'page-0001.json')), 'page 1 kept');

    const again = progressLines();
    const second = await api.documents.run([vscode.Uri.file(dir)], { ifExists: 'skip' });
    assert.deepEqual(
      second?.outcomes.map((o) => [path.basename(o.source), o.status]),
      [
        ['broken.pdf', 'failed'],
        ['sample-scan.png', 'skipped'],
        ['scan-2pages.tiff', 'converted'],
      ],
    );
    assert.deepEqual(
      second!.outcomes[2]!.pages.map((p) => [p.page, p.resumed]),
      [
        [1, true],
        [2, false],
      ],
    );
    assert.ok(again.includes('file 3/3: scan-2pages.tiff — page 1/2 (done earlier)'), again.join('\n'));
    assert.match(readFileSync(path.join(dir, 'scan-2pages.md'), 'utf8'), new RegExp(title));
    assert.match(second!.summary, /Converted 1 file \(2 pages; 0 from text layer, 2 by OCR\); 1 failed; 0 pages need review; 1 skipped/);
  });
});
