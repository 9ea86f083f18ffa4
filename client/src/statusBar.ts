/** The status bar item: daemon state, execution provider and busy, from `ocr/serverStatus`; links to the log. */
import * as vscode from 'vscode';
import type { Ctx } from './ctx';

export function registerStatusBar(ctx: Ctx): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('formattedOcr.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Formatted OCR';
  item.command = 'formattedOcr.showLog';
  const update = () => {
    const status = ctx.serverStatus;
    const provider = status?.executionProvider && status.executionProvider !== 'none' ? status.executionProvider.toUpperCase() : '';
    let icon = '$(eye)';
    let detail = '';
    item.backgroundColor = undefined;
    switch (ctx.state) {
      case 'stopped':
        detail = 'not started (starts on first use)';
        icon = '$(eye-closed)';
        break;
      case 'starting':
        detail = 'starting…';
        icon = '$(loading~spin)';
        break;
      case 'failed':
        detail = 'stopped after crashes';
        icon = '$(error)';
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
      case 'running':
        detail = status?.busy ? 'recognizing…' : 'ready';
        if (status?.busy) icon = '$(sync~spin)';
        // A CPU fallback under `auto` is expected on machines without a GPU: no warning colour then.
        if (status?.health === 'warning' && ctx.config.executionProvider !== 'auto') item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        if (status?.health === 'error') item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
    }
    item.text = `${icon} OCR${provider ? ` ${provider}` : ''}`;
    const tooltip = new vscode.MarkdownString(
      `**Formatted OCR** — daemon ${detail}${provider ? `, on ${provider}` : ''}` +
        (status?.message ? `\n\n${status.message}` : '') +
        '\n\n[Show log](command:formattedOcr.showLog) · [Restart daemon](command:formattedOcr.restartDaemon)',
    );
    tooltip.isTrusted = { enabledCommands: ['formattedOcr.showLog', 'formattedOcr.restartDaemon'] };
    item.tooltip = tooltip;
    item.show();
  };
  update();
  return vscode.Disposable.from(item, ctx.onDidChangeState(update), ctx.onDidChangeServerStatus(update));
}
