/**
 * The result view: a webview panel beside the preview with the crop, the recognised output, a rendered check,
 * the confidence, and Insert / Copy / "Try as …". One panel, reused for every conversion.
 */
import * as vscode from 'vscode';
import { describeMessage, parseResultMessage, type ConvertMode, type HostToResult, type ResultViewModel } from './messages';
import { webviewShell } from './webviewHtml';

export interface ResultActions {
  insert(): Promise<void>;
  copy(): Promise<void>;
  retry(mode: ConvertMode): Promise<void>;
}

export class ResultView implements vscode.Disposable {
  static readonly viewType = 'formattedOcr.result';
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private model: ResultViewModel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly actions: ResultActions,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get visible(): boolean {
    return !!this.panel?.visible;
  }

  show(model: ResultViewModel): void {
    this.model = model;
    if (!this.panel) this.create();
    else if (!this.panel.visible) this.panel.reveal(undefined, true);
    this.panel!.title = `OCR: ${model.title}`;
    this.post();
  }

  private create(): void {
    const panel = vscode.window.createWebviewPanel(
      ResultView.viewType,
      'OCR Result',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        enableForms: false,
        retainContextWhenHidden: false,
        localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media'), vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')],
      },
    );
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'preview', 'icon.svg');
    panel.webview.html = webviewShell({
      cspSource: panel.webview.cspSource,
      resource: (p) => panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...p.split('/'))).toString(),
      title: 'OCR Result',
      scripts: ['dist/webview/result.js'],
      styles: ['media/preview/common.css', 'media/preview/result.css'],
      body: '<main id="result" aria-live="polite"></main>',
      dataImages: true,
    });
    panel.webview.onDidReceiveMessage((raw) => this.onMessage(raw), undefined, this.disposables);
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
  }

  private post(): void {
    if (!this.panel || !this.ready || !this.model) return;
    const message: HostToResult = { type: 'show', model: this.model };
    void this.panel.webview.postMessage(message);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message = parseResultMessage(raw);
    if (!message) {
      this.log.warn(`result view: ignored a malformed message ${describeMessage(raw)}`);
      return;
    }
    try {
      switch (message.type) {
        case 'ready':
          this.ready = true;
          this.post();
          return;
        case 'insert':
          return await this.actions.insert();
        case 'copy':
          return await this.actions.copy();
        case 'retry':
          return await this.actions.retry(message.mode);
      }
    } catch (error) {
      void vscode.window.showErrorMessage(`Formatted OCR: ${(error as Error)?.message ?? error}`);
    }
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
