/**
 * Runs a conversion end to end: progress notification (cancellable → the LSP request is cancelled), the daemon's
 * result, insertion into the target editor, and the result view. Holds no OCR logic: the daemon does that.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RecognitionMode, RecognizeParams, RecognizeResult, Region } from '../../server/src/protocol';
import { OcrRequestError, type Ctx } from './ctx';
import { formatForInsertion } from './insert';
import { ResultView } from './preview/resultView';
import { convertModes, type ResultViewModel } from './preview/messages';
import { renderCheck } from './render';
import type { InsertTarget, Inserted } from './target';

export interface ConvertRequest {
  uri: vscode.Uri;
  mode: RecognitionMode;
  page?: number;
  region?: Region;
  /** PNG data URL of the region as the preview shows it (for the result view only). */
  crop?: string;
}

export interface ConvertOptions {
  /** Cancels the request, like the progress notification's Cancel button. */
  token?: vscode.CancellationToken;
  /** Insert into the target editor (default: the `insertAfterConvert` setting). */
  insert?: boolean;
}

export interface ConvertOutcome {
  result?: RecognizeResult;
  inserted?: Inserted;
  error?: OcrRequestError;
  cancelled?: boolean;
}

export const modeLabel = (mode: RecognitionMode) => convertModes.find((m) => m.mode === mode)?.label ?? mode;

export class Converter implements vscode.Disposable {
  readonly results: ResultView;
  private last: { request: ConvertRequest; result?: RecognizeResult } | undefined;

  constructor(
    private readonly ctx: Ctx,
    readonly target: InsertTarget,
  ) {
    this.results = new ResultView(ctx.extensionUri, {
      insert: async () => {
        if (this.last?.result) await this.insert(this.last.result);
      },
      copy: async () => {
        if (!this.last?.result) return;
        await vscode.env.clipboard.writeText(this.format(this.last.result));
        void vscode.window.setStatusBarMessage('$(check) OCR result copied', 2000);
      },
      retry: async (mode) => {
        if (this.last) await this.convert({ ...this.last.request, mode });
      },
    }, ctx.log);
  }

  /** The daemon's `source` for a file: its path when local, otherwise its bytes. */
  static async source(uri: vscode.Uri): Promise<RecognizeParams['source']> {
    if (uri.scheme === 'file') return { path: uri.fsPath };
    return { data: Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('base64') };
  }

  /** The result for the result view and Copy: in the target's language, as a block of its own. */
  private format(result: RecognizeResult): string {
    const { languageId } = this.target.context();
    return formatForInsertion(result, { languageId, ownLine: true, mathDelimiters: this.ctx.config.mathDelimiters, tableFormat: this.ctx.config.tableFormat });
  }

  private insert(result: RecognizeResult): Promise<Inserted> {
    return this.target.insert((c) =>
      formatForInsertion(result, { ...c, mathDelimiters: this.ctx.config.mathDelimiters, tableFormat: this.ctx.config.tableFormat }),
    );
  }

  async convert(request: ConvertRequest, options: ConvertOptions = {}): Promise<ConvertOutcome> {
    const config = this.ctx.config;
    const name = path.posix.basename(request.uri.path);
    const page = request.page ?? 1;
    const title = `${name}${page > 1 ? ` p. ${page}` : ''} · ${modeLabel(request.mode)}`;
    const base: ResultViewModel = { title, mode: request.mode, crop: request.crop, target: this.target.describe() ?? 'a new Markdown document' };
    this.last = { request };
    const showView = config.showResultView;
    if (showView) this.results.show({ ...base, running: true });

    let result: RecognizeResult;
    try {
      const params: RecognizeParams = {
        source: await Converter.source(request.uri),
        mode: request.mode,
        page,
        ...(request.region ? { region: request.region } : {}),
        ...(name.toLowerCase().endsWith('.pdf') ? { dpi: config.pdfRenderDpi } : {}),
      };
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `OCR: ${title}`, cancellable: true },
        async (progress, progressToken) => {
          const cts = new vscode.CancellationTokenSource();
          const links = [progressToken.onCancellationRequested(() => cts.cancel()), options.token?.onCancellationRequested(() => cts.cancel())];
          if (options.token?.isCancellationRequested) cts.cancel();
          try {
            return await this.ctx.recognize(params, cts.token, (message) => progress.report({ message }));
          } finally {
            links.forEach((l) => l?.dispose());
            cts.dispose();
          }
        },
      );
    } catch (error) {
      if (error instanceof vscode.CancellationError) {
        if (showView) this.results.show({ ...base, error: { kind: 'cancelled', message: 'The conversion was cancelled; nothing was inserted.' } });
        return { cancelled: true };
      }
      const ocrError = error instanceof OcrRequestError ? error : new OcrRequestError((error as Error)?.message ?? String(error), 'internal');
      if (showView) this.results.show({ ...base, error: { kind: ocrError.kind, message: ocrError.message } });
      if (ocrError.kind === 'modeNotAvailable') {
        if (!showView)
          void vscode.window.showWarningMessage(ocrError.message, 'Try as Markdown').then((c) => (c ? this.convert({ ...request, mode: 'text' }) : undefined));
      } else {
        void vscode.window.showErrorMessage(`Formatted OCR: ${ocrError.message}`, 'Show Log').then((c) => (c ? this.ctx.log.show(true) : undefined));
      }
      return { error: ocrError };
    }

    this.last = { request, result };
    let inserted: Inserted | undefined;
    // LaTeX that MathJax cannot parse is not inserted silently: the result view shows it with the parse error.
    const invalidMath = result.math && !result.math.valid;
    const warning = invalidMath
      ? `MathJax cannot parse this LaTeX${result.math?.parseError ? ` (${result.math.parseError})` : ''}; check it, then use Insert.`
      : undefined;
    if ((options.insert ?? config.insertAfterConvert) && !invalidMath) {
      try {
        inserted = await this.insert(result);
      } catch (error) {
        void vscode.window.showErrorMessage(`Formatted OCR: could not insert the result: ${(error as Error)?.message ?? error}`);
      }
    }
    if (showView) {
      this.results.show({
        ...base,
        content: result.content,
        insertText: inserted?.text ?? this.format(result),
        format: result.format,
        confidence: result.confidence,
        warning,
        details: result.chem
          ? [result.chem.formula, result.chem.inchiKey, `${result.chem.agreement.votes}/${result.chem.agreement.runs} OSRA runs agree`].filter(Boolean).join(' · ')
          : undefined,
        renderedHtml: await renderCheck(result),
        target: this.target.describe() ?? base.target,
        timings: result.timings,
      });
    }
    return { result, inserted };
  }

  dispose(): void {
    this.results.dispose();
  }
}
