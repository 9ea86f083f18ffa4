/**
 * "OCR: Convert Documents to Markdown…": PDFs and images (or folders of them) → `<name>.md` + `<name>.assets/`
 * through the daemon's `ocr/convertDocument`, one file at a time under one cancellable progress notification,
 * then a summary. The daemon does the work and keeps finished pages, so a cancelled batch resumes when run again.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IfExists } from '../config';
import { OcrRequestError, type Ctx } from '../ctx';
import {
  batchPercent,
  batchTotals,
  cancelledLine,
  expandSelection,
  outputFolderFor,
  planOutputs,
  progressMessage,
  summaryLine,
  summaryMarkdown,
  type BatchTotals,
  type EntryKind,
  type FileOutcome,
  type FolderReader,
} from './batch';

export const convertDocumentsCommand = 'formattedOcr.convertDocuments';

export interface BatchOptions {
  /** '' = beside each source, an absolute folder, or undefined for the `convert.outputFolder` setting. */
  outputFolder?: string;
  /** Default: the `convert.ifExists` setting. */
  ifExists?: IfExists;
  /** Cancels like the notification's Cancel button. */
  token?: vscode.CancellationToken;
}

export interface BatchResult {
  outcomes: FileOutcome[];
  totals: BatchTotals;
  /** The summary document's Markdown. */
  summary: string;
}

/** The user's answer about existing Markdown files; undefined cancels the batch. */
export type ExistingChoice = 'overwrite' | 'skip' | undefined;

const reader: FolderReader = {
  async kind(file) {
    try {
      return entryKind((await vscode.workspace.fs.stat(vscode.Uri.file(file))).type);
    } catch {
      return undefined;
    }
  },
  async list(folder) {
    try {
      return (await vscode.workspace.fs.readDirectory(vscode.Uri.file(folder))).map(([name, type]) => [name, entryKind(type)]);
    } catch {
      return []; // Unreadable folders hold nothing we can convert.
    }
  },
};

function entryKind(type: vscode.FileType): EntryKind {
  if (type & vscode.FileType.Directory) return type & vscode.FileType.SymbolicLink ? 'linkedFolder' : 'folder';
  return type & vscode.FileType.File ? 'file' : 'other';
}

async function exists(file: string): Promise<boolean> {
  return vscode.workspace.fs.stat(vscode.Uri.file(file)).then(
    () => true,
    () => false,
  );
}

/** The Explorer passes (clicked, selection); the palette nothing; other callers a URI or a list of them. */
function urisFrom(clicked: unknown, selected: unknown): vscode.Uri[] {
  if (Array.isArray(selected) && selected.length && selected.every((u) => u instanceof vscode.Uri)) return selected;
  if (clicked instanceof vscode.Uri) return [clicked];
  if (Array.isArray(clicked) && clicked.every((u) => u instanceof vscode.Uri)) return clicked;
  return [];
}

export class DocumentConverter implements vscode.Disposable {
  /**
   * Asked once per batch when some outputs exist and `convert.ifExists` is `ask`: a modal with Overwrite /
   * Skip Existing / Cancel. Tests replace it to answer without a person.
   */
  askIfExists: (existing: string[], total: number) => Promise<ExistingChoice> = askIfExistsModal;
  private readonly progressEmitter = new vscode.EventEmitter<string>();
  /** The batch's progress lines, `file k/n: name — page p/P` (tests await them). */
  readonly onDidReportProgress = this.progressEmitter.event;
  private running = false;

  constructor(private readonly ctx: Ctx) {}

  /** The command: `(clicked, selection)` from the Explorer; with no arguments it asks for files or folders. */
  async command(clicked?: unknown, selected?: unknown): Promise<BatchResult | undefined> {
    let inputs = urisFrom(clicked, selected);
    let outputFolder: string | undefined;
    if (!inputs.length) {
      const chosen = await vscode.window.showOpenDialog({
        title: 'OCR: Convert Documents to Markdown',
        openLabel: 'Convert',
        canSelectFiles: true,
        canSelectFolders: true,
        canSelectMany: true,
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
        filters: { 'PDFs and images': ['pdf', 'png', 'jpg', 'jpeg', 'tif', 'tiff', 'webp', 'bmp', 'gif'] },
      });
      if (!chosen?.length) return undefined;
      inputs = chosen;
      outputFolder = await this.pickOutputFolder();
      if (outputFolder === undefined) return undefined;
    }
    return this.run(inputs, { outputFolder });
  }

  /** Where the Markdown goes, asked after the open dialog (the Explorer path uses the setting without asking). */
  private async pickOutputFolder(): Promise<string | undefined> {
    const setting = this.ctx.config.convertOutputFolder;
    type Item = vscode.QuickPickItem & { folder?: string; choose?: boolean };
    const items: Item[] = [
      ...(setting ? [{ label: `Into ${setting}`, description: 'formattedOcr.convert.outputFolder', folder: undefined }] : []),
      { label: 'Beside each source', description: '<name>.md and <name>.assets/ next to each file', folder: '' },
      { label: 'Choose folder…', choose: true },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'OCR: where should the Markdown go?', ignoreFocusOut: true });
    if (!picked) return undefined;
    if (!picked.choose) return picked.folder ?? setting;
    const folder = await vscode.window.showOpenDialog({ title: 'Folder for the Markdown files', openLabel: 'Use Folder', canSelectFolders: true, canSelectFiles: false });
    return folder?.[0]?.fsPath;
  }

  /** Converts the documents in `inputs` (files and folders); undefined when the user stopped before any work. */
  async run(inputs: readonly vscode.Uri[], options: BatchOptions = {}): Promise<BatchResult | undefined> {
    if (this.running) {
      void vscode.window.showInformationMessage('Formatted OCR: a document conversion is already running; wait for it or cancel it first.');
      return undefined;
    }
    this.running = true;
    try {
      return await this.runNow(inputs, options);
    } finally {
      this.running = false;
    }
  }

  private async runNow(inputs: readonly vscode.Uri[], options: BatchOptions): Promise<BatchResult | undefined> {
    const config = this.ctx.config;
    // The daemon reads files by path: only local files (in a remote window, "local" is the remote machine).
    const notConverted = inputs.filter((uri) => uri.scheme !== 'file').map((uri) => ({ file: uri.toString(true), reason: 'not a local file' }));
    const local = inputs.filter((uri) => uri.scheme === 'file').map((uri) => uri.fsPath);
    const selection = await expandSelection(local, reader);
    notConverted.push(
      ...selection.unsupported.map((file) => ({ file, reason: 'not a PDF or image' })),
      ...selection.missing.map((file) => ({ file, reason: 'not found' })),
    );
    if (!selection.documents.length) {
      const names = inputs.map((u) => path.posix.basename(u.path)).join(', ');
      void vscode.window.showInformationMessage(`Formatted OCR: no PDFs or images to convert in ${names || 'the selection'}.`);
      return undefined;
    }

    const setting = options.outputFolder ?? config.convertOutputFolder;
    const outDirFor = (source: string) => outputFolderFor(setting, source, vscode.workspace.getWorkspaceFolder(vscode.Uri.file(source))?.uri.fsPath);
    const planned = planOutputs(selection.documents, outDirFor);

    // Ask once, before any work, so a long batch runs unattended afterwards.
    const existing: string[] = [];
    for (const doc of planned) if (!doc.sameOutputAs && (await exists(doc.output))) existing.push(doc.output);
    let allowed = new Set<string>();
    if (existing.length) {
      const policy = options.ifExists ?? config.convertIfExists;
      const choice: ExistingChoice = policy === 'ask' ? await this.askIfExists(existing, planned.length) : policy;
      if (!choice) {
        this.ctx.log.info(`convert documents: cancelled at the question about ${existing.length} existing Markdown file(s)`);
        return undefined;
      }
      if (choice === 'overwrite') allowed = new Set(existing);
    }

    const existingOutputs = new Set(existing);
    const outcomes: FileOutcome[] = planned.map((doc) => ({ source: doc.source, output: doc.output, status: 'notStarted', pages: [], review: [] }));
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'OCR: Converting documents', cancellable: true },
      async (progress, progressToken) => {
        const cts = new vscode.CancellationTokenSource();
        const links = [progressToken.onCancellationRequested(() => cts.cancel()), options.token?.onCancellationRequested(() => cts.cancel())];
        if (options.token?.isCancellationRequested) cts.cancel();
        let reported = 0;
        const report = (file: number, name: string, message?: string, percent?: number) => {
          const line = progressMessage(file, planned.length, name, message);
          const done = batchPercent(file, planned.length, percent);
          progress.report({ message: line, increment: Math.max(0, done - reported) });
          reported = Math.max(reported, done);
          this.progressEmitter.fire(line);
        };
        try {
          for (const [i, doc] of planned.entries()) {
            if (cts.token.isCancellationRequested) break;
            const outcome = outcomes[i]!;
            const name = path.basename(doc.source);
            if (doc.sameOutputAs) {
              Object.assign(outcome, { status: 'failed', reason: `${path.basename(doc.sameOutputAs)} in this batch writes the same ${path.basename(doc.output)}; rename one of them.` });
              continue;
            }
            if (existingOutputs.has(doc.output) && !allowed.has(doc.output)) {
              outcome.status = 'skipped';
              continue;
            }
            report(i + 1, name);
            try {
              const result = await this.ctx.convertDocument(
                { path: doc.source, ...(doc.outDir ? { outDir: doc.outDir } : {}), overwrite: allowed.has(doc.output), dpi: config.pdfRenderDpi },
                cts.token,
                (message, percent) => report(i + 1, name, message, percent),
              );
              // `exists` here means the Markdown appeared after the question was asked: it is kept, never replaced unasked.
              const status = result.status === 'exists' ? 'skipped' : result.status;
              Object.assign(outcome, { status, output: result.output, pages: result.pages, review: result.review, reason: result.error });
            } catch (error) {
              if (error instanceof vscode.CancellationError) {
                outcome.status = 'cancelled';
                break;
              }
              // One bad file (a damaged PDF, say) does not stop the batch.
              Object.assign(outcome, { status: 'failed', reason: error instanceof OcrRequestError ? error.message : String((error as Error)?.message ?? error) });
            }
          }
        } finally {
          links.forEach((l) => l?.dispose());
          cts.dispose();
        }
      },
    );

    const totals = batchTotals(outcomes);
    const destination = setting ? `into ${setting}` : 'beside each source';
    const summary = summaryMarkdown(outcomes, { destination, notConverted });
    this.ctx.log.info(`convert documents: ${summaryLine(totals)}${totals.cancelled ? ' (cancelled)' : ''}`);
    this.notify(totals, outcomes, summary);
    return { outcomes, totals, summary };
  }

  /** Not awaited: the command returns while the notification waits for its button. */
  private notify(totals: BatchTotals, outcomes: FileOutcome[], summary: string): void {
    const text = `Formatted OCR: ${totals.cancelled ? cancelledLine(outcomes) : `${summaryLine(totals)}.`}`;
    const shown = totals.failed ? vscode.window.showWarningMessage(text, 'Open Summary') : vscode.window.showInformationMessage(text, 'Open Summary');
    void shown.then(async (choice) => {
      if (choice !== 'Open Summary') return;
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: summary });
      await vscode.window.showTextDocument(doc, { preview: false });
    });
  }

  dispose(): void {
    this.progressEmitter.dispose();
  }
}

async function askIfExistsModal(existing: string[], total: number): Promise<ExistingChoice> {
  const names = existing.slice(0, 5).map((f) => path.basename(f));
  const more = existing.length > names.length ? `, and ${existing.length - names.length} more` : '';
  const choice = await vscode.window.showWarningMessage(
    `${existing.length} of ${total} documents already have Markdown: ${names.join(', ')}${more}. Overwrite them?`,
    {
      modal: true,
      detail: 'Overwrite replaces each <name>.md (and its figures in <name>.assets/). Skip Existing converts only the others.',
    },
    'Overwrite',
    'Skip Existing',
  );
  return choice === 'Overwrite' ? 'overwrite' : choice === 'Skip Existing' ? 'skip' : undefined;
}
