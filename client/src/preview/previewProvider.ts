/**
 * The read-only custom editor for images and PDFs ("Open With… › OCR Preview", "OCR: Open Preview"). The page is
 * drawn in a webview (pdf.js for PDFs); the user drags a region there and picks a mode; the host validates the
 * message and hands the region, in page units, to the converter.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Converter } from '../convert';
import type { Ctx } from '../ctx';
import {
  describeMessage,
  parsePreviewMessage,
  type ConvertMode,
  type PageBounds,
  type DocumentKind,
  type HostToPreview,
  type PageRegion,
  type PreviewViewState,
} from './messages';
import { webviewShell } from './webviewHtml';

export const previewExtensions = ['png', 'jpg', 'jpeg', 'tif', 'tiff', 'webp', 'bmp', 'gif', 'pdf'];

/** MIME types of the files the webview draws from bytes (TIFF is rendered to PNG by the host). */
const mimeTypes: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  bmp: 'image/bmp',
  gif: 'image/gif',
  pdf: 'application/pdf',
};

export function documentKind(uri: vscode.Uri): DocumentKind {
  const ext = path.posix.extname(uri.path).slice(1).toLowerCase();
  return ext === 'pdf' ? 'pdf' : ext === 'tif' || ext === 'tiff' ? 'tiff' : 'image';
}

class PreviewDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

/** One open preview: its panel, and what the webview last told us. */
export class Preview implements vscode.Disposable {
  page = 1;
  pageCount: number | undefined;
  region: PageRegion | undefined;
  /** The page the webview last drew and its size in page units, to check its coordinates against. */
  private drawn: { page: number; width: number; height: number } | undefined;
  loaded = false;
  state: PreviewViewState | undefined;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly loadedEmitter = new vscode.EventEmitter<{ page: number; pageCount: number; width: number; height: number }>();
  /** Fires when the webview has drawn a page (tests await it). */
  readonly onDidLoad = this.loadedEmitter.event;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  constructor(
    readonly uri: vscode.Uri,
    readonly panel: vscode.WebviewPanel,
  ) {
    this.disposables.push(this.loadedEmitter, this.disposeEmitter);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  post(message: HostToPreview): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  /** Sets the selection in the webview (page units), as if the user had dragged it. */
  setRegion(region: PageRegion | undefined, page?: number): void {
    this.region = region;
    if (page) this.page = page;
    this.post({ type: 'setRegion', region, page });
  }

  /** Converts the current selection (the whole page when there is none) with `mode`. */
  convertSelection(mode: ConvertMode): void {
    this.post({ type: 'convertSelection', mode });
  }

  /** What incoming messages are checked against: the page count, and the size of the page last drawn. */
  get bounds(): PageBounds {
    return { pageCount: this.pageCount, ...this.drawn };
  }

  markLoaded(info: { page: number; pageCount: number; width: number; height: number }): void {
    this.loaded = true;
    this.page = info.page;
    this.pageCount = info.pageCount;
    this.drawn = { page: info.page, width: info.width, height: info.height };
    this.loadedEmitter.fire(info);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

export class PreviewProvider implements vscode.CustomReadonlyEditorProvider<PreviewDocument> {
  static readonly viewType = 'formattedOcr.preview';
  private readonly previews = new Set<Preview>();
  private active: Preview | undefined;
  private readonly openEmitter = new vscode.EventEmitter<Preview>();
  /** Fires when a preview's webview has been set up (tests await it). */
  readonly onDidOpenPreview = this.openEmitter.event;

  static register(ctx: Ctx, converter: Converter): { provider: PreviewProvider; disposable: vscode.Disposable } {
    const provider = new PreviewProvider(ctx, converter);
    const disposable = vscode.Disposable.from(
      provider.openEmitter,
      vscode.window.registerCustomEditorProvider(PreviewProvider.viewType, provider, {
        supportsMultipleEditorsPerDocument: true,
        webviewOptions: { retainContextWhenHidden: true, enableFindWidget: false },
      }),
    );
    return { provider, disposable };
  }

  private constructor(
    private readonly ctx: Ctx,
    private readonly converter: Converter,
  ) {}

  /** The preview the user last focused, if still open. */
  get activePreview(): Preview | undefined {
    return this.active && !this.active.isDisposed ? this.active : undefined;
  }

  previewFor(uri: vscode.Uri): Preview | undefined {
    return [...this.previews].find((p) => p.uri.toString() === uri.toString());
  }

  openCustomDocument(uri: vscode.Uri): PreviewDocument {
    return new PreviewDocument(uri);
  }

  async resolveCustomEditor(document: PreviewDocument, panel: vscode.WebviewPanel): Promise<void> {
    const uri = document.uri;
    const preview = new Preview(uri, panel);
    this.previews.add(preview);
    this.active = preview;
    const extensionUri = this.ctx.extensionUri;
    const folder = vscode.Uri.joinPath(uri, '..');
    panel.webview.options = {
      enableScripts: true,
      enableForms: false,
      // The extension's own files only: the document itself is sent as bytes (see `init`), so the webview cannot
      // load anything else from the user's folders, even if a crafted PDF took over its script.
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    };
    const kind = documentKind(uri);
    panel.webview.html = webviewShell({
      cspSource: panel.webview.cspSource,
      resource: (p) => panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p.split('/'))).toString(),
      title: path.posix.basename(uri.path),
      scripts: ['dist/webview/preview.js'],
      styles: ['media/preview/common.css', 'media/preview/preview.css'],
      body: `<div id="app" data-kind="${kind}"></div>`,
      pdf: kind === 'pdf',
      dataImages: kind === 'tiff',
    });

    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, path.posix.basename(uri.path)));
    const disposables: vscode.Disposable[] = [
      watcher,
      watcher.onDidChange(() => preview.post({ type: 'reload' })),
      watcher.onDidDelete(() => panel.dispose()),
      panel.onDidChangeViewState(() => {
        if (panel.active) this.active = preview;
      }),
      panel.webview.onDidReceiveMessage((raw) => this.onMessage(preview, raw, kind)),
      this.ctx.onDidChangeServerStatus((s) => preview.post({ type: 'busy', busy: s.busy })),
    ];
    panel.onDidDispose(() => {
      disposables.forEach((d) => d.dispose());
      this.previews.delete(preview);
      if (this.active === preview) this.active = undefined;
      preview.dispose();
      void vscode.commands.executeCommand('setContext', 'formattedOcr.previewOpen', this.previews.size > 0);
    });
    void vscode.commands.executeCommand('setContext', 'formattedOcr.previewOpen', true);
    this.openEmitter.fire(preview);
  }

  private async init(preview: Preview, kind: DocumentKind): Promise<void> {
    const webview = preview.panel.webview;
    const dist = vscode.Uri.joinPath(this.ctx.extensionUri, 'dist', 'webview');
    const base = {
      type: 'init' as const,
      kind,
      fileName: path.posix.basename(preview.uri.path),
      defaultMode: this.ctx.config.defaultMode,
      state: preview.state,
    };
    if (kind === 'tiff') {
      // Chromium cannot draw TIFF: the host renders pages to PNG for display only (the daemon reads the file).
      const page = Math.max(1, preview.state?.page ?? 1);
      const rendered = await renderTiffPage(preview.uri, page).catch(() => renderTiffPage(preview.uri, 1));
      if (preview.isDisposed) return;
      if (!rendered) {
        preview.post({ ...base, src: '', note: 'This TIFF cannot be shown here; “Convert” still reads it.' });
        return;
      }
      preview.post({ ...base, src: rendered.dataUrl, pageCount: rendered.pages, state: { page: rendered.page, zoom: preview.state?.zoom ?? 'fit' } });
      return;
    }
    let data: Uint8Array;
    try {
      const bytes = await vscode.workspace.fs.readFile(preview.uri);
      // A plain Uint8Array view: VS Code transfers typed arrays to webviews by constructor name, and a Node Buffer
      // (what readFile gives in a Node extension host) would be sent as JSON instead.
      data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      if (!preview.isDisposed) preview.post({ ...base, note: `This file cannot be read: ${(error as Error)?.message ?? error}` });
      return;
    }
    if (preview.isDisposed) return;
    preview.post({
      ...base,
      data,
      mime: mimeTypes[path.posix.extname(preview.uri.path).slice(1).toLowerCase()] ?? 'application/octet-stream',
      pdfWorkerSrc: kind === 'pdf' ? webview.asWebviewUri(vscode.Uri.joinPath(dist, 'pdfjs', 'pdf.worker.min.mjs')).toString() : undefined,
    });
  }

  private async onMessage(preview: Preview, raw: unknown, kind: DocumentKind): Promise<void> {
    const message = parsePreviewMessage(raw, preview.bounds);
    if (!message) {
      this.ctx.log.warn(`preview: ignored a malformed message ${describeMessage(raw)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        return this.init(preview, kind);
      case 'loaded':
        return preview.markLoaded(message);
      case 'selection':
        preview.page = message.page;
        preview.region = message.region;
        return;
      case 'state':
        preview.state = message.state;
        return;
      case 'error':
        this.ctx.log.warn(`preview of ${preview.uri.fsPath}: ${message.message}`);
        return;
      case 'requestPage': {
        if (kind !== 'tiff') return;
        const rendered = await renderTiffPage(preview.uri, message.page).catch((error: Error) => {
          this.ctx.log.warn(`TIFF page ${message.page} of ${preview.uri.fsPath}: ${error.message}`);
          return undefined;
        });
        if (rendered) preview.post({ type: 'pageImage', page: rendered.page, src: rendered.dataUrl });
        return;
      }
      case 'convert':
        preview.page = message.page;
        preview.region = message.region;
        await this.converter.convert({ uri: preview.uri, mode: message.mode, page: message.page, region: message.region, crop: message.crop });
        return;
    }
  }
}

/**
 * One page of a TIFF as a PNG data URL, for display. sharp is already a dependency (the daemon uses it); this is
 * drawing, not recognition. Replace with a daemon request (`ocr/renderPage`) if the client must not load sharp.
 */
async function renderTiffPage(uri: vscode.Uri, page: number): Promise<{ dataUrl: string; pages: number; page: number } | undefined> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sharp = require('sharp') as typeof import('sharp');
  const bytes = Buffer.from(await vscode.workspace.fs.readFile(uri));
  const pages = (await sharp(bytes).metadata()).pages ?? 1;
  const n = Math.min(Math.max(1, page), pages);
  const png = await sharp(bytes, { page: n - 1, limitInputPixels: 60_000_000 }).rotate().png().toBuffer();
  return { dataUrl: `data:image/png;base64,${png.toString('base64')}`, pages, page: n };
}
