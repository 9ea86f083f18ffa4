import { strict as assert } from 'node:assert';
import { copyFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { ResponseError } from 'vscode-languageserver-protocol/node';
import { convertDocument } from '../../server/src/document/convert';
import { defaultLimits } from '../../server/src/limits';
import { estimateRequestBytes, planPdfPage } from '../../server/src/memory';
import { ConvertDocumentRequest, RecognizeRequest, StatusRequest, type OcrErrorData, type RecognizeParams } from '../../server/src/protocol';
import { OcrService } from '../../server/src/service';
import { hugePngHeader, samplePdf, samplePng, tempDir, writeTemp } from '../fixtures';
import { startDaemon, type Daemon } from './client';

const title: RecognizeParams = { source: { path: samplePng }, mode: 'text', region: { x: 100, y: 100, width: 700, height: 80 } };

/** The ResponseError a request ends with; fails the test when it succeeds instead. */
async function failure(request: Promise<unknown>): Promise<ResponseError<OcrErrorData>> {
  try {
    await request;
  } catch (error) {
    assert.ok(error instanceof ResponseError, `expected a ResponseError, got ${String(error)}`);
    return error as ResponseError<OcrErrorData>;
  }
  assert.fail('expected the request to fail');
}

describe('memory per request and pages per document', () => {
  let daemon: Daemon;
  let dir: string;
  before(async () => {
    daemon = await startDaemon({ executionProvider: 'cpu', limits: { memoryPerRequestMB: 1024, maxDocumentPages: 1 } });
    dir = tempDir();
  });
  after(async () => daemon.stop());

  it('refuses a request over the limit from the file header alone, at once, naming the limit', async () => {
    // 49 MP declared (under maxPixels) with almost no pixel data: decoding it would fail as a damaged image,
    // so a memory error proves that nothing was decoded.
    const file = writeTemp(dir, 'big.png', hugePngHeader(7000, 7000));
    const started = performance.now();
    const error = await failure(daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: file }, mode: 'text' }));
    const ms = performance.now() - started;
    assert.equal(error.data?.kind, 'tooLarge');
    assert.match(error.message, /^This text request needs ≈ [\d.]+ GB of memory \(7000 × 7000 px\), over the per-request memory limit of 1 GB \(memoryPerRequestMB\); select a smaller region or raise the limit\.$/);
    assert.ok(ms < 1500, `refused after ${Math.round(ms)} ms`);
    // No engine ran for it: the text models are not even loaded yet.
    const status = await daemon.connection.sendRequest(StatusRequest.type);
    assert.equal(status.limits.memoryPerRequestMB, 1024);
    assert.ok(status.engines.find((e) => e.mode === 'text')!.models.every((m) => !m.loaded));
  });

  it('refuses the whole sample page (its detection may scale it to 2560 px), then reads its title region', async () => {
    const error = await failure(daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: samplePng }, mode: 'text' }));
    assert.match(error.message, /needs ≈ 1\.\d GB of memory \(1275 × 1100 px\), over the per-request memory limit of 1 GB \(memoryPerRequestMB\)/);
    const result = await daemon.connection.sendRequest(RecognizeRequest.type, title);
    assert.equal(result.content.trim(), 'Reading Old Field Notes');
  });

  it('estimates a PDF page by its render at the asked DPI, and a region by the region alone', async () => {
    const error = await failure(daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: samplePdf }, mode: 'text', page: 1, dpi: 600 }));
    assert.match(error.message, /\(a 5100 × 4400 px render at 600 dpi\), over the per-request memory limit of 1 GB \(memoryPerRequestMB\); select a smaller region, use a lower DPI or raise the limit\./);
    const region = await daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: samplePdf }, mode: 'text', page: 1, dpi: 600, region: { x: 40, y: 40, width: 400, height: 60 } });
    assert.equal(region.content.trim(), 'Reading Old Field Notes');
  });

  it('refuses a document with more pages than maxDocumentPages before writing anything', async () => {
    const pdf = path.join(dir, 'paper.pdf');
    copyFileSync(samplePdf, pdf);
    const error = await failure(daemon.connection.sendRequest(ConvertDocumentRequest.type, { path: pdf }));
    assert.equal(error.data?.kind, 'tooLarge');
    assert.match(error.message, /^The document has 2 pages, more than the 1 allowed per document \(maxDocumentPages\); split it or raise the limit\.$/);
    assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith('paper')), ['paper.pdf']);
  });

  it('refuses a document page over the memory limit before rendering it', async () => {
    const pdf = path.join(tempDir(), 'paper.pdf');
    copyFileSync(samplePdf, pdf);
    const service = new OcrService({ executionProvider: 'cpu', limits: { memoryPerRequestMB: 512 } });
    await assert.rejects(
      convertDocument(service, pdf, { dpi: 300 }, { isCancellationRequested: false }),
      // Lowered to the 150 dpi floor first: still over, so refused.
      /This auto request needs ≈ [\d.]+ GB of memory \(a 1275 × 1100 px render at 150 dpi\), over the per-request memory limit of 512 MB \(memoryPerRequestMB\)/,
    );
    assert.ok(service.status().engines.find((e) => e.mode === 'text')!.models.every((m) => !m.loaded));
  });

  it('renders a document page that is over the limit at the asked resolution at a lower one instead', async () => {
    const pdf = path.join(tempDir(), 'paper.pdf');
    copyFileSync(samplePdf, pdf);
    const size = { width: 612, height: 528 }; // page 1 of the sample, in points
    const mb = (dpi: number) => estimateRequestBytes(planPdfPage(size, undefined, dpi, defaultLimits, statSync(pdf).size), 'auto') / 2 ** 20;
    // A limit between the estimates at 300 and 200 dpi: refused as asked, converted when lowered.
    const limit = Math.floor((mb(300) + mb(200)) / 2);
    assert.ok(mb(300) > limit && mb(200) < limit);
    const service = new OcrService({ executionProvider: 'cpu', limits: { memoryPerRequestMB: limit } });
    const outcome = await convertDocument(service, pdf, { dpi: 300 }, { isCancellationRequested: false });
    assert.equal(outcome.status, 'converted');
    assert.equal(outcome.pages[0]!.method, 'ocr');
    assert.match(readFileSync(outcome.output, 'utf8'), /Reading Old Field Notes/);
  });

  it('rejects limits that are unknown or not positive numbers', () => {
    assert.throws(() => new OcrService({ limits: { memoryPerRequestMB: 0 } }), /limits\.memoryPerRequestMB must be a positive number, not 0\./);
    assert.throws(() => new OcrService({ limits: { memoryPerRequestMb: 512 } as object }), /Unknown limit "memoryPerRequestMb"/);
  });
});

describe('RSS ceiling', () => {
  it('stops a request that takes the daemon over rssCeilingMB, and the daemon lives on', async () => {
    // The ceiling sits above the daemon with its models loaded (≈ 170 MB) but far below it with a 56 MP page
    // decoded (≈ 390 MB more); the per-request estimate is raised out of the way, so only the ceiling can stop it.
    const daemon = await startDaemon({ executionProvider: 'cpu', limits: { rssCeilingMB: 256, memoryPerRequestMB: 8192 } });
    try {
      assert.equal((await daemon.connection.sendRequest(RecognizeRequest.type, title)).content.trim(), 'Reading Old Field Notes');
      const blank = writeTemp(tempDir(), 'blank.png', await sharp({ create: { width: 7500, height: 7500, channels: 3, background: '#ffffff' } }).png({ compressionLevel: 1 }).toBuffer());
      const error = await failure(daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: blank }, mode: 'text' }));
      assert.equal(error.data?.kind, 'tooLarge');
      assert.match(error.message, /^The request was stopped: the daemon's memory reached \d+ MB, above the ceiling of 256 MB \(rssCeilingMB\); select a smaller region or use a lower DPI\.$/);
      assert.equal(daemon.process.exitCode, null);
      assert.equal((await daemon.connection.sendRequest(StatusRequest.type)).limits.rssCeilingMB, 256);
      assert.equal((await daemon.connection.sendRequest(RecognizeRequest.type, title)).content.trim(), 'Reading Old Field Notes');
    } finally {
      await daemon.stop();
    }
  });
});
