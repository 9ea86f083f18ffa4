/**
 * The HTML shell of our webviews and its Content-Security-Policy: nothing by default, scripts only with this
 * render's nonce, images, styles and fonts only from the webview's own resources (plus blob:/data: where a
 * webview draws bytes the host sent). No `vscode` import, so test/unit/webviewHtml.test.ts can check it.
 */
import { randomBytes } from 'node:crypto';

/** 144 random bits, letters and digits only (a CSP nonce must be unguessable and differ per render). */
export function nonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export interface CspOptions {
  /** `webview.cspSource`: where the webview's own resources (its localResourceRoots) are served from. */
  cspSource: string;
  nonce: string;
  /**
   * pdf.js: its worker starts from a blob: URL (the worker file is fetched, then wrapped, because resource URLs
   * are another origin) and fetches cmaps and standard fonts from the extension.
   */
  pdf?: boolean;
  /** data: images: TIFF pages rendered by the host, crops in the result view. */
  dataImages?: boolean;
}

export function contentSecurityPolicy(o: CspOptions): string {
  return [
    "default-src 'none'",
    // Not covered by default-src: no <base> redirecting relative URLs, no form posting anywhere.
    "base-uri 'none'",
    "form-action 'none'",
    `script-src 'nonce-${o.nonce}'`,
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    // blob: the page image the webview makes from the bytes the host sends.
    `img-src ${o.cspSource} blob:${o.dataImages ? ' data:' : ''}`,
    `font-src ${o.cspSource}`,
    ...(o.pdf ? ['worker-src blob:', `connect-src ${o.cspSource}`] : []),
  ].join('; ');
}

export interface ShellOptions extends Omit<CspOptions, 'nonce'> {
  /** A path under the extension folder → its webview URI. */
  resource: (extensionPath: string) => string;
  title: string;
  /** Paths under the extension folder. */
  scripts: string[];
  styles: string[];
  /** Trusted markup made by the extension (never content from the file or the daemon). */
  body: string;
}

/** A fresh nonce per render unless one is given (tests). */
export function webviewShell(o: ShellOptions, n: string = nonce()): string {
  const csp = contentSecurityPolicy({ cspSource: o.cspSource, nonce: n, pdf: o.pdf, dataImages: o.dataImages });
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(o.title)}</title>
${o.styles.map((s) => `<link rel="stylesheet" nonce="${n}" href="${escapeHtml(o.resource(s))}">`).join('\n')}
</head>
<body>
${o.body}
${o.scripts.map((s) => `<script nonce="${n}" src="${escapeHtml(o.resource(s))}"></script>`).join('\n')}
</body>
</html>`;
}
