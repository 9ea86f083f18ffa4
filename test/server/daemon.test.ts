import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ResponseError, WorkDoneProgress } from 'vscode-languageserver-protocol/node';
import { recognitionModes, RecognizeRequest, StatusRequest, type OcrErrorData, type RecognizeParams } from '../../server/src/protocol';
import sharp from 'sharp';
import { root, corruptPng, encryptedPdf, hugePngHeader, samplePdf, samplePng, sampleTable, sampleTableTruth, tempDir, truncatedPdf, writeTemp } from '../fixtures';
import { CancellationTokenSource, startDaemon, type Daemon } from './client';

/** Sends a request and returns the error's kind, failing the test when it succeeds instead. */
async function expectError(daemon: Daemon, params: unknown, kind: OcrErrorData['kind']): Promise<string> {
  try {
    await daemon.connection.sendRequest(RecognizeRequest.type, params as RecognizeParams);
  } catch (error) {
    assert.ok(error instanceof ResponseError, `expected a ResponseError, got ${String(error)}`);
    assert.equal((error.data as OcrErrorData).kind, kind, error.message);
    return error.message;
  }
  assert.fail(`expected a ${kind} error`);
}

const mathModelInstalled = existsSync(path.join(root, 'models/math/model.json')) && readFileSync(path.join(root, 'models/manifest.json'), 'utf8').includes('math/encoder.onnx');
const osraInstalled = spawnSync('osra', ['--version']).error === undefined;

describe('OCR daemon over stdio', () => {
  let daemon: Daemon;
  let dir: string;
  before(async () => {
    daemon = await startDaemon();
    dir = tempDir();
  });
  after(async () => daemon.stop());

  it('reports its engines and execution provider', async () => {
    const status = await daemon.connection.sendRequest(StatusRequest.type);
    assert.equal(status.executionProvider.requested, 'cpu');
    // math needs its model in models/, chem needs osra on PATH; the others are always there.
    const expected = recognitionModes.filter((mode) => (mode === 'math' ? mathModelInstalled : mode === 'chem' ? osraInstalled : true));
    assert.deepEqual(status.engines.filter((e) => e.available).map((e) => e.mode), expected);
    for (const engine of status.engines.filter((e) => !e.available)) assert.ok(engine.reason, `${engine.mode} says why it is unavailable`);
    assert.ok(status.versions.onnxruntime.length > 0);
  });

  it('recognises the bundled sample scan as Markdown, with boxes in page pixels', async () => {
    const result = await daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: samplePng }, mode: 'text' });
    assert.match(result.content, /^# Reading Old Field Notes$/m);
    assert.match(result.content, /The survey of 1923 recorded every well in the valley, but the notebooks were never transcribed\./);
    assert.match(result.content, /^- the eastern wells were dug twice as deep as the western ones;$/m);
    assert.equal(result.page.unit, 'px');
    assert.equal(result.page.width, 1275);
    assert.equal(result.engine.executionProvider, 'cpu');
    assert.ok(result.confidence > 0.8 && result.confidence <= 1);
    const title = result.lines[0]!;
    assert.equal(title.text, 'Reading Old Field Notes');
    // The title sits about 120–590 px across and 110–165 px down in the sample.
    assert.ok(title.box[0][0] > 100 && title.box[0][0] < 150 && title.box[2][1] > 140 && title.box[2][1] < 180, JSON.stringify(title.box));
    for (const key of ['decode', 'detect', 'recognize', 'total']) assert.ok(result.timings[key]! >= 0, key);
  });

  it('reads a scan that was fed upside down', async () => {
    const turned = path.join(dir, 'upside-down.png');
    await sharp(samplePng).rotate(180).png().toFile(turned);
    for (const mode of ['text', 'auto'] as const) {
      const result = await daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: turned }, mode });
      assert.match(result.content, /^# Reading Old Field Notes\n/, mode);
      assert.match(result.content, /The survey of 1923 recorded every well in the valley, but the notebooks were never transcribed\./, mode);
      // Boxes stay in the pixels of the image as given: the title (110–165 px down when upright) is at the bottom.
      const title = result.lines.find((l) => l.text === 'Reading Old Field Notes')!;
      const ys = title.box.map((p) => p[1]);
      assert.ok(Math.min(...ys) > result.page.height - 180 && Math.max(...ys) < result.page.height - 100, `${mode}: ${JSON.stringify(title.box)}`);
    }
  });

  it('reads a region only, given in page pixels', async () => {
    const result = await daemon.connection.sendRequest(RecognizeRequest.type, {
      source: { path: samplePng },
      mode: 'text',
      region: { x: 100, y: 325, width: 800, height: 95 },
    });
    // Region semantics, not accuracy (bench/ measures that): the paragraph inside is read, the others are not.
    assert.match(result.content, /^We scanned the first volume at .* and kept the original page order\. Three observations stand out:$/m);
    assert.doesNotMatch(result.content, /survey|eastern/);
    // Boxes come back in page coordinates, inside the region.
    for (const line of result.lines) for (const [x, y] of line.box) assert.ok(x >= 90 && y >= 315 && y <= 430, JSON.stringify(line.box));
  });

  it('accepts raw bytes instead of a path', async () => {
    const data = readFileSync(samplePng).toString('base64');
    const result = await daemon.connection.sendRequest(RecognizeRequest.type, { source: { data }, mode: 'text', region: { x: 100, y: 100, width: 700, height: 80 } });
    assert.equal(result.content.trim(), 'Reading Old Field Notes');
  });

  it('renders PDF pages itself: a scanned page and a born-digital page, regions in points', async () => {
    const scanned = await daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: samplePdf }, mode: 'text', page: 1, region: { x: 40, y: 40, width: 400, height: 60 } });
    assert.equal(scanned.page.unit, 'pt');
    assert.equal(scanned.page.count, 2);
    assert.equal(scanned.content.trim(), 'Reading Old Field Notes');
    const digital = await daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: samplePdf }, mode: 'text', page: 2 });
    assert.match(digital.content, /A Born-Digital Page/);
    assert.match(digital.content, /This second page carries a real text layer, as word processors write it\./);
  });

  it('reads the bundled sample table with its spans, in every output format', async () => {
    const result = await daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: sampleTable }, mode: 'table' });
    const truth = JSON.parse(readFileSync(sampleTableTruth, 'utf8'));
    assert.equal(result.format, 'html');
    assert.deepEqual(
      result.table!.cells.map((c) => [c.row, c.col, c.rowSpan, c.colSpan, c.text]),
      truth.cells.map((c: { row: number; col: number; rowSpan: number; colSpan: number; text: string }) => [c.row, c.col, c.rowSpan, c.colSpan, c.text]),
    );
    assert.match(result.alternatives!.latex!, /\\multirow\{2\}\{\*\}\{East\}/);
    assert.match(result.alternatives!.markdown!, /^\| Well \| Depth \(m\) \|/);
  });

  it('table mode: the sample table at half its size (glyphs about 7 px) gives the same cells', async () => {
    const small = writeTemp(dir, 'small-table.png', await sharp(sampleTable).resize({ width: 195 }).png().toBuffer());
    const result = await daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: small }, mode: 'table' });
    const truth = JSON.parse(readFileSync(sampleTableTruth, 'utf8'));
    assert.deepEqual(
      result.table!.cells.map((c) => [c.row, c.col, c.rowSpan, c.colSpan, c.text]),
      truth.cells.map((c: { row: number; col: number; rowSpan: number; colSpan: number; text: string }) => [c.row, c.col, c.rowSpan, c.colSpan, c.text]),
    );
    // Boxes are reported in the crop's own pixels, not the enlarged copy's.
    for (const line of result.lines) for (const [x, y] of line.box) assert.ok(x >= -2 && x <= 197 && y >= -2 && y <= 113, JSON.stringify(line.box));
  });

  it('table mode: a rotated table is deskewed, a selection without text gets a clear error', async () => {
    const rotated = writeTemp(dir, 'rotated-table.png', await sharp(sampleTable).rotate(-2, { background: '#ffffff' }).png().toBuffer());
    const result = await daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: rotated }, mode: 'table' });
    assert.deepEqual([result.table!.rows, result.table!.cols], [4, 4]);
    assert.ok(result.table!.cells.some((c) => c.text === 'Depth (m)' && c.colSpan === 2));
    const empty = writeTemp(dir, 'empty.png', await sharp({ create: { width: 300, height: 200, channels: 3, background: '#ffffff' } }).png().toBuffer());
    assert.match(await expectError(daemon, { source: { path: empty }, mode: 'table' }, 'badRequest'), /No text was found/);
  });

  it('reports progress through work-done tokens', async () => {
    const token = 'progress-test';
    const messages: string[] = [];
    const disposable = daemon.connection.onProgress(WorkDoneProgress.type, token, (value) => {
      if (value.kind === 'report' && value.message) messages.push(value.message);
    });
    await daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: samplePng }, mode: 'text', region: { x: 100, y: 100, width: 700, height: 80 }, workDoneToken: token });
    disposable.dispose();
    assert.ok(messages.includes('detecting text'), messages.join('|'));
  });

  it('cancels a request on $/cancelRequest and answers the next one', async () => {
    const source = new CancellationTokenSource();
    const pending = daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: samplePng }, mode: 'text' }, source.token);
    setTimeout(() => source.cancel(), 30);
    await assert.rejects(pending, (error: unknown) => error instanceof ResponseError && error.code === -32800);
    const next = await daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: samplePng }, mode: 'text', region: { x: 100, y: 100, width: 700, height: 80 } });
    assert.equal(next.content.trim(), 'Reading Old Field Notes');
  });

  describe('bad input gets a clear error and the daemon stays up', () => {
    it('missing file', async () => {
      const message = await expectError(daemon, { source: { path: '/no/such/file.png' }, mode: 'text' }, 'fileNotFound');
      assert.match(message, /File not found: \/no\/such\/file\.png/);
    });
    it('corrupt image', async () => {
      const file = writeTemp(dir, 'corrupt.png', corruptPng());
      assert.match(await expectError(daemon, { source: { path: file }, mode: 'text' }, 'corruptImage'), /damaged/);
    });
    it('not an image at all', async () => {
      const file = writeTemp(dir, 'notes.png', Buffer.from('these are not pixels'));
      assert.match(await expectError(daemon, { source: { path: file }, mode: 'text' }, 'corruptImage'), /not an image/);
    });
    it('truncated PDF', async () => {
      const file = writeTemp(dir, 'truncated.pdf', truncatedPdf());
      assert.match(await expectError(daemon, { source: { path: file }, mode: 'text' }, 'corruptPdf'), /PDF/);
    });
    it('encrypted PDF', async () => {
      const file = writeTemp(dir, 'locked.pdf', encryptedPdf());
      assert.match(await expectError(daemon, { source: { path: file }, mode: 'text' }, 'encryptedPdf'), /password/);
    });
    it('page out of range, for a PDF and for an image', async () => {
      assert.match(await expectError(daemon, { source: { path: samplePdf }, mode: 'text', page: 3 }, 'pageOutOfRange'), /has 2 page/);
      assert.match(await expectError(daemon, { source: { path: samplePng }, mode: 'text', page: 2 }, 'pageOutOfRange'), /has 1 page/);
      await expectError(daemon, { source: { path: samplePng }, mode: 'text', page: 0 }, 'pageOutOfRange');
    });
    it('empty and out-of-bounds regions', async () => {
      assert.match(await expectError(daemon, { source: { path: samplePng }, mode: 'text', region: { x: 10, y: 10, width: 0, height: 50 } }, 'badRegion'), /empty/);
      assert.match(await expectError(daemon, { source: { path: samplePng }, mode: 'text', region: { x: 5000, y: 10, width: 100, height: 50 } }, 'badRegion'), /outside the page/);
      await expectError(daemon, { source: { path: samplePdf }, mode: 'text', region: { x: -900, y: 0, width: 100, height: 100 } }, 'badRegion');
      await expectError(daemon, { source: { path: samplePng }, mode: 'text', region: { x: 'a', y: 0, width: 10, height: 10 } }, 'badRegion');
    });
    it('a 30 000 × 30 000 image is refused from its header', async () => {
      const file = writeTemp(dir, 'huge.png', hugePngHeader(30000, 30000));
      const started = Date.now();
      assert.match(await expectError(daemon, { source: { path: file }, mode: 'text' }, 'tooLarge'), /30000 × 30000 pixels, above the limit of 60 megapixels/);
      assert.ok(Date.now() - started < 5000);
    });
    it('unknown mode, and modes not built yet', async () => {
      assert.match(await expectError(daemon, { source: { path: samplePng }, mode: 'poetry' }, 'badRequest'), /Unknown mode "poetry"/);
      if (!mathModelInstalled) assert.match(await expectError(daemon, { source: { path: samplePng }, mode: 'math' }, 'modeNotAvailable'), /not available yet/);
    });
    it('malformed requests', async () => {
      await expectError(daemon, { mode: 'text' }, 'badRequest');
      await expectError(daemon, { source: { path: samplePng, data: 'AAAA' }, mode: 'text' }, 'badRequest');
      await expectError(daemon, { source: { uri: 'https://example.com/a.png' }, mode: 'text' }, 'badRequest');
    });
    it('is still alive after all of the above', async () => {
      assert.equal(daemon.process.exitCode, null);
      const status = await daemon.connection.sendRequest(StatusRequest.type);
      assert.equal(status.executionProvider.active, 'cpu');
    });
  });
});
