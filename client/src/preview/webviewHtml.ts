/** The HTML shell of our webviews: CSP `default-src 'none'`, a nonce on every script and style. */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export function nonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export interface ShellOptions {
  webview: vscode.Webview;
  extensionUri: vscode.Uri;
  title: string;
  /** Paths under the extension folder. */
  scripts: string[];
  styles: string[];
  body: string;
  /** Extra `worker-src`/`connect-src` for pdf.js. */
  allowWorker?: boolean;
  /** data: images (crops) are shown in the result view. */
  allowDataImages?: boolean;
}

export function webviewShell(o: ShellOptions): string {
  const n = nonce();
  const src = (p: string) => o.webview.asWebviewUri(vscode.Uri.joinPath(o.extensionUri, ...p.split('/'))).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${o.webview.cspSource} blob:${o.allowDataImages ? ' data:' : ''}`,
    `style-src ${o.webview.cspSource} 'nonce-${n}'`,
    `font-src ${o.webview.cspSource}`,
    `script-src 'nonce-${n}'${o.allowWorker ? ` ${o.webview.cspSource}` : ''}`,
    ...(o.allowWorker ? [`worker-src ${o.webview.cspSource} blob:`, `connect-src ${o.webview.cspSource}`] : []),
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(o.title)}</title>
${o.styles.map((s) => `<link rel="stylesheet" nonce="${n}" href="${src(s)}">`).join('\n')}
</head>
<body>
${o.body}
${o.scripts.map((s) => `<script nonce="${n}" src="${src(s)}"></script>`).join("\n")}
</body>
</html>`;
}
