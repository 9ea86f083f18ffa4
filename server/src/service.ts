import { CancelledError, checkpoint, OcrError, type CancelToken } from './errors';
import type { Engine } from './engines/engine';
import { ort, SessionFactory } from './engines/runtime';
import { TextEngine } from './engines/text';
import { TableEngine } from './engines/table';
import { ChemEngine } from './engines/chem';
import { MathEngine } from './engines/math';
import { LayoutEngine } from './engines/layout';
import { mapQuad } from './engines/geometry';
import { resolveLimits } from './limits';
import { checkRequestMemory, planPage, RssCeiling } from './memory';
import { loadPage, readSource, type LoadedPage } from './pipeline/load';
import { enlargeLanczos } from './pipeline/image';
import {
  executionProviderSettings,
  recognitionModes,
  type ExecutionProviderSetting,
  type Limits,
  type RecognitionMode,
  type RecognizeParams,
  type RecognizeResult,
  type StatusResult,
} from './protocol';
import { version } from './version';

export interface ServiceOptions {
  executionProvider?: ExecutionProviderSetting;
  limits?: Partial<Limits>;
}

/**
 * Everything the daemon does, independent of how it is asked (LSP or CLI): validates a request, loads the
 * page, runs the engine for the mode, maps boxes back to page units. Requests run one at a time, because one
 * recognition already uses both cores; waiting requests queue up to a limit.
 */
export class OcrService {
  readonly limits: Limits;
  readonly sessions: SessionFactory;
  private readonly engines = new Map<RecognitionMode, Engine>();
  private readonly text: TextEngine;
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  constructor(options: ServiceOptions = {}) {
    const provider = options.executionProvider ?? 'auto';
    if (!executionProviderSettings.includes(provider)) {
      throw new OcrError('badRequest', `Unknown execution provider "${provider}"; use one of ${executionProviderSettings.join(', ')}.`);
    }
    this.limits = resolveLimits(options.limits);
    this.sessions = new SessionFactory(provider);
    const text = new TextEngine(this.sessions);
    this.text = text;
    const math = new MathEngine(this.sessions);
    const table = new TableEngine(text, math);
    const chem = new ChemEngine({
      readLabels: async (image, token) => (await text.readBoxes(image, token, () => {})).map((box) => box.text),
    });
    const layout = new LayoutEngine(text, { table, math, chem });
    for (const engine of [text, table, math, chem, layout]) this.engines.set(engine.mode, engine);
  }

  get busy(): boolean {
    return this.waiting > 0;
  }

  recognize(params: RecognizeParams, token: CancelToken, report: (message: string) => void = () => {}): Promise<RecognizeResult> {
    try {
      validateParams(params);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.enqueue(token, (combined) => this.recognizeNow(params, combined, report));
  }

  /**
   * Runs one unit of work after those already queued, under the per-request time limit and the RSS ceiling.
   * Recognition requests and each page of a document conversion are units, so interactive requests interleave
   * with long batches.
   */
  enqueue<T>(token: CancelToken, work: (token: CancelToken) => Promise<T>): Promise<T> {
    if (this.waiting >= this.limits.maxQueuedRequests) {
      return Promise.reject(new OcrError('busy', `Too many requests are waiting (maxQueuedRequests = ${this.limits.maxQueuedRequests}); try again when the current ones finish.`));
    }
    this.waiting++;
    const run = this.queue.then(async () => {
      if (token.isCancellationRequested) throw new CancelledError();
      return this.withLimits(token, work);
    });
    this.queue = run.catch(() => undefined).finally(() => this.waiting--);
    return run;
  }

  /**
   * Runs `work` with a token that also fires when the per-request time limit passes or the daemon's RSS passes
   * its ceiling, so the checkpoints that serve cancellation stop a runaway request and the daemon lives on.
   */
  private async withLimits<T>(token: CancelToken, work: (token: CancelToken) => Promise<T>): Promise<T> {
    let timedOut = false;
    const timer = setTimeout(() => (timedOut = true), this.limits.requestTimeoutMs);
    const memory = new RssCeiling(this.limits);
    const combined: CancelToken = {
      get isCancellationRequested() {
        return timedOut || memory.exceeded() || token.isCancellationRequested;
      },
    };
    try {
      return await work(combined);
    } catch (error) {
      if (error instanceof CancelledError && !token.isCancellationRequested) {
        if (timedOut) throw new OcrError('timeout', `The request took longer than the limit of ${this.limits.requestTimeoutMs / 1000} s (requestTimeoutMs) and was stopped.`);
        if (memory.reached) throw memory.error();
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private async recognizeNow(params: RecognizeParams, token: CancelToken, report: (message: string) => void): Promise<RecognizeResult> {
    const started = performance.now();
    this.engineFor(params.mode);
    const bytes = await readSource(params.source, this.limits);
    const request = { page: params.page, region: params.region, dpi: params.dpi };
    // From headers only: a request over the memory limit is refused before a pixel is decoded.
    const plan = await planPage(bytes, request, this.limits);
    if (plan) checkRequestMemory(plan, params.mode, this.limits);
    report('decoding page');
    const page = await loadPage(bytes, request, this.limits);
    const decodeMs = performance.now() - started;
    // Decoding is the first large allocation: let the RSS ceiling (and a cancel) see it before the engine runs.
    await checkpoint(token);
    const result = await this.recognizeLoaded(page, params.mode, token, report);
    return { ...result, timings: roundTimings({ decode: decodeMs, ...result.timings, total: performance.now() - started }) };
  }

  private engineFor(mode: RecognitionMode): Engine {
    const engine = this.engines.get(mode);
    if (!engine) {
      throw new OcrError('modeNotAvailable', `The "${mode}" mode is not available yet in this version; use ${[...this.engines.keys()].map((m) => `"${m}"`).join(' or ')}.`);
    }
    return engine;
  }

  /** Runs an engine on a page that is already decoded (document conversion keeps its PDF open across pages). */
  async recognizeLoaded(page: LoadedPage, mode: RecognitionMode, token: CancelToken, report: (message: string) => void = () => {}): Promise<RecognizeResult> {
    const engine = this.engineFor(mode);
    const t = performance.now();
    // Text in small type (a 72-dpi scan) is read from a sharper enlargement; boxes map back through the page's
    // scale. In auto mode only where there is prose to read: a formula or a drawing goes to an engine that scales
    // its input itself (enlarged, such selections were misjudged), and table mode enlarges its crop itself.
    if (mode === 'text' || mode === 'auto') {
      const factor = await this.text.enlargementFor(page.image, token, mode === 'auto');
      if (factor > 1) page = { ...page, image: await enlargeLanczos(page.image, factor), scale: page.scale * factor };
    }
    const result = await engine.recognize({ page, token, report });
    const { width, height } = page.image;
    const toPage = (p: [number, number]): [number, number] => {
      const [x, y] = result.turned ? [width - p[0], height - p[1]] : p;
      return [page.originX + x / page.scale, page.originY + y / page.scale];
    };
    return {
      mode,
      content: result.content,
      format: result.format,
      confidence: result.confidence,
      lines: result.lines.map((l) => ({ ...l, box: mapQuad(l.box, toPage) })),
      engine: { name: engine.name, models: result.models, executionProvider: this.sessions.provider.active },
      page: { number: page.pageNumber, count: page.pageCount, width: page.pageWidth, height: page.pageHeight, unit: page.unit },
      timings: roundTimings({ ...result.timings, engine: performance.now() - t }),
      ...(result.alternatives ? { alternatives: result.alternatives } : {}),
      ...(result.table ? { table: result.table } : {}),
      ...(result.math ? { math: result.math } : {}),
      ...(result.layout ? { layout: { kind: result.layout.kind, blocks: result.layout.blocks.map((b) => ({ ...b, box: mapQuad(b.box, toPage) })) } } : {}),
      ...(result.chem ? { chem: result.chem } : {}),
    };
  }

  status(): StatusResult {
    const provider = this.sessions.provider;
    return {
      version,
      executionProvider: { requested: this.sessions.requested, active: provider.active, ...(provider.fallbackReason ? { fallbackReason: provider.fallbackReason } : {}) },
      engines: recognitionModes.map(
        (mode) => this.engines.get(mode)?.status() ?? { mode, available: false, reason: 'not available yet in this version', models: [] },
      ),
      versions: { node: process.versions.node, onnxruntime: ort.env.versions.common ?? 'unknown', sharp: sharpVersion(), pdfjs: pdfjsVersion() },
      limits: this.limits,
    };
  }
}

function roundTimings(timings: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v * 10) / 10]));
}

/** Requests arrive as untrusted JSON: check every field's type before anything reads it. */
export function validateParams(params: RecognizeParams): void {
  if (typeof params !== 'object' || params === null) throw new OcrError('badRequest', 'The request parameters must be an object.');
  if (typeof params.source !== 'object' || params.source === null) throw new OcrError('badRequest', 'source is required: { path }, { uri } or { data }.');
  if (!recognitionModes.includes(params.mode)) {
    throw new OcrError('badRequest', `Unknown mode "${String(params.mode)}"; use one of ${recognitionModes.join(', ')}.`);
  }
  if (params.page !== undefined && (!Number.isInteger(params.page) || params.page < 1)) {
    throw new OcrError('pageOutOfRange', `page must be a whole number from 1, not ${JSON.stringify(params.page)}.`);
  }
  if (params.region !== undefined && (typeof params.region !== 'object' || params.region === null)) {
    throw new OcrError('badRegion', 'region must be an object { x, y, width, height }.');
  }
  if (params.dpi !== undefined && typeof params.dpi !== 'number') throw new OcrError('badRequest', 'dpi must be a number.');
}

function sharpVersion(): string {
  try {
    return (require('sharp') as { versions: { sharp: string } }).versions.sharp;
  } catch {
    return 'unknown';
  }
}

function pdfjsVersion(): string {
  try {
    return (require('pdfjs-dist/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
