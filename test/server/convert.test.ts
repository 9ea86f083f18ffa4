import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { convertDocument, expandInputs, outputPaths } from '../../server/src/document/convert';
import { OcrService } from '../../server/src/service';
import { encryptedPdf, root, samplePdf, samplePng, tempDir } from '../fixtures';

const service = new OcrService({ executionProvider: 'cpu' });
const never = { isCancellationRequested: false };

describe('document conversion', () => {
  it('uses the text layer where the PDF has one and OCR where it has none, and says which', async () => {
    const dir = tempDir();
    const pdf = path.join(dir, 'paper.pdf');
    copyFileSync(samplePdf, pdf);
    const outcome = await convertDocument(service, pdf, { dpi: 150 }, never);
    assert.equal(outcome.status, 'converted');
    assert.deepEqual(outcome.pages.map((p) => [p.page, p.method]), [[1, 'ocr'], [2, 'text-layer']]);
    const markdown = readFileSync(path.join(dir, 'paper.md'), 'utf8');
    assert.match(markdown, /^# Reading Old Field Notes\n/);
    assert.match(markdown, /\n# A Born-Digital Page\n\nThis second page carries a real text layer, as word processors write it\. Its words can be read without optical recognition\.\n$/);
    // Nothing is left behind but the result.
    assert.deepEqual(readdirSync(dir).sort(), ['paper.md', 'paper.pdf']);
  });

  it('OCRs pages with a text layer too when asked, and does not reuse pages made the other way', async () => {
    const dir = tempDir();
    const pdf = path.join(dir, 'paper.pdf');
    copyFileSync(samplePdf, pdf);
    // Stop after page 1 of a normal run: its saved page must not be taken for an OCR-only run's.
    let cancel = false;
    const token = { get isCancellationRequested() { return cancel; } };
    await assert.rejects(convertDocument(service, pdf, { dpi: 150 }, token, (_m, done) => void (done === 1 && (cancel = true))));
    const outcome = await convertDocument(service, pdf, { dpi: 150, ocr: 'always' }, never);
    assert.deepEqual(outcome.pages.map((p) => [p.page, p.method, p.resumed]), [[1, 'ocr', false], [2, 'ocr', false]]);
    assert.match(readFileSync(path.join(dir, 'paper.md'), 'utf8'), /A Born-Digital Page/);
  });

  it('never replaces an existing Markdown file unless asked', async () => {
    const dir = tempDir();
    const image = path.join(dir, 'scan.png');
    copyFileSync(samplePng, image);
    writeFileSync(path.join(dir, 'scan.md'), 'my own notes\n');
    const outcome = await convertDocument(service, image, {}, never);
    assert.equal(outcome.status, 'exists');
    assert.equal(readFileSync(path.join(dir, 'scan.md'), 'utf8'), 'my own notes\n');
    const replaced = await convertDocument(service, image, { overwrite: true }, never);
    assert.equal(replaced.status, 'converted');
    assert.match(readFileSync(path.join(dir, 'scan.md'), 'utf8'), /^# Reading Old Field Notes/);
  });

  it('resumes after a cancel without redoing finished pages, and leaves no half-written result', async () => {
    const dir = tempDir();
    const pdf = path.join(dir, 'paper.pdf');
    copyFileSync(samplePdf, pdf);
    let cancel = false;
    const token = { get isCancellationRequested() { return cancel; } };
    await assert.rejects(
      convertDocument(service, pdf, { dpi: 150 }, token, (_message, done) => {
        if (done === 1) cancel = true;
      }),
      /cancelled/,
    );
    const { markdown, work } = outputPaths(pdf);
    assert.ok(!existsSync(markdown));
    assert.ok(existsSync(path.join(work, 'page-0001.json')));
    assert.ok(!existsSync(path.join(work, 'page-0002.json')));
    const resumed = await convertDocument(service, pdf, { dpi: 150 }, never);
    assert.deepEqual(resumed.pages.map((p) => [p.page, p.resumed]), [[1, true], [2, false]]);
    assert.ok(existsSync(markdown) && !existsSync(work));
  });

  it('does not reuse pages saved from a different version of the file', async () => {
    const dir = tempDir();
    const pdf = path.join(dir, 'paper.pdf');
    copyFileSync(samplePdf, pdf);
    const { work } = outputPaths(pdf);
    let cancel = false;
    await convertDocument(service, pdf, { dpi: 150 }, { get isCancellationRequested() { return cancel; } }, (_m, done) => (cancel = done === 1)).catch(() => undefined);
    assert.ok(existsSync(path.join(work, 'page-0001.json')));
    writeFileSync(pdf, Buffer.concat([readFileSync(samplePdf), Buffer.from('\n% edited\n')]));
    const outcome = await convertDocument(service, pdf, { dpi: 150 }, never);
    assert.deepEqual(outcome.pages.map((p) => p.resumed), [false, false]);
  });

  it('expands folders to the documents directly inside them', async () => {
    const dir = tempDir();
    for (const name of ['b.pdf', 'a.png', 'notes.txt']) writeFileSync(path.join(dir, name), 'x');
    assert.deepEqual((await expandInputs([dir])).map((f) => path.basename(f)), ['a.png', 'b.pdf']);
  });
});

describe('formatted-ocr convert', () => {
  it('converts a folder into --out, reports a broken document and carries on, and exits non-zero', () => {
    const dir = tempDir();
    const out = path.join(dir, 'out');
    copyFileSync(samplePng, path.join(dir, 'scan.png'));
    writeFileSync(path.join(dir, 'locked.pdf'), encryptedPdf());
    const run = spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), 'convert', dir, '--out', out], { encoding: 'utf8' });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /failed {2}.*locked\.pdf: The PDF is password-protected/);
    assert.match(run.stdout, /wrote {3}.*scan\.md: 1 page\(s\) \(1 ocr\)/);
    assert.match(readFileSync(path.join(out, 'scan.md'), 'utf8'), /^# Reading Old Field Notes/);
  });
});
