/** The webviews' HTML and Content-Security-Policy (client/src/preview/webviewHtml.ts). */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { contentSecurityPolicy, webviewShell } from '../../client/src/preview/webviewHtml';

const cspSource = 'https://*.vscode-cdn.net';
const resource = (p: string) => `https://file+.vscode-resource.vscode-cdn.net/ext/${p}`;
const render = (extra: { pdf?: boolean; dataImages?: boolean } = {}, nonce?: string) =>
  webviewShell(
    { cspSource, resource, title: 'scan <1>.png', scripts: ['dist/webview/preview.js'], styles: ['media/preview/common.css', 'media/preview/preview.css'], body: '<div id="app"></div>', ...extra },
    nonce,
  );

/** The policy in the page's meta tag, as directive → sources. */
function cspOf(html: string): Map<string, string[]> {
  const metas = [...html.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/g)];
  assert.equal(metas.length, 1, 'exactly one CSP meta tag');
  const policy = metas[0]![1]!.replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));
}

describe('webview HTML and CSP', () => {
  for (const [label, options] of [
    ['image preview', {}],
    ['PDF preview', { pdf: true }],
    ['TIFF preview / result view', { dataImages: true }],
  ] as const) {
    it(`is strict for the ${label}`, () => {
      const html = render(options);
      const csp = cspOf(html);
      const nonce = /<script nonce="([^"]+)"/.exec(html)![1]!;
      assert.deepEqual(csp.get('default-src'), ["'none'"]);
      assert.deepEqual(csp.get('script-src'), [`'nonce-${nonce}'`], 'scripts by nonce only: no host, no unsafe-inline/eval');
      assert.deepEqual(csp.get('base-uri'), ["'none'"]);
      assert.deepEqual(csp.get('form-action'), ["'none'"]);
      assert.deepEqual(csp.get('font-src'), [cspSource]);
      assert.deepEqual(csp.get('style-src'), [cspSource, `'nonce-${nonce}'`]);
      assert.deepEqual(csp.get('img-src'), [cspSource, 'blob:', ...('dataImages' in options ? ['data:'] : [])]);
      if ('pdf' in options) {
        assert.deepEqual(csp.get('worker-src'), ['blob:']);
        assert.deepEqual(csp.get('connect-src'), [cspSource]);
      } else {
        assert.equal(csp.has('worker-src'), false);
        assert.equal(csp.has('connect-src'), false, 'nothing to fetch');
      }
      // Besides the webview's own resource origin (which VS Code serves locally, from the localResourceRoots
      // only), no network source, no wildcard, nothing unsafe.
      for (const [directive, sources] of csp) {
        for (const source of sources.filter((s) => s !== cspSource)) {
          assert.doesNotMatch(source, /^(https?:|wss?:|\*|'unsafe-|'strict-dynamic'|'wasm-unsafe-eval')/, `${directive} ${source}`);
        }
      }
      // Every script and stylesheet carries the nonce and comes from the extension.
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      assert.deepEqual(scripts, [`<script nonce="${nonce}" src="${resource('dist/webview/preview.js')}">`]);
      const links = [...html.matchAll(/<link\b[^>]*>/g)].map((m) => m[0]);
      assert.equal(links.length, 2);
      for (const link of links) assert.match(link, new RegExp(`^<link rel="stylesheet" nonce="${nonce}" href="https://file\\+\\.vscode-resource\\.vscode-cdn\\.net/ext/media/preview/`));
      assert.doesNotMatch(html, /\son\w+=/i, 'no inline event handlers');
    });
  }

  it('makes a different, unguessable nonce for every render', () => {
    const nonces = Array.from({ length: 50 }, () => /'nonce-([^']+)'/.exec(cspOf(render()).get('script-src')!.join(' '))![1]!);
    assert.equal(new Set(nonces).size, nonces.length);
    for (const n of nonces) assert.match(n, /^[A-Za-z0-9]{16,}$/);
  });

  it('escapes the title and resource URLs', () => {
    const html = webviewShell({ cspSource, resource: (p) => `https://x/${p}"><script>alert(1)</script>`, title: '</title><script>alert(1)</script>', scripts: ['a.js'], styles: [], body: '' }, 'n0nce');
    assert.equal((html.match(/<script/g) ?? []).length, 1, html);
    assert.match(html, /<title>&lt;\/title&gt;&lt;script&gt;/);
  });

  it('builds the policy from the options alone', () => {
    assert.equal(
      contentSecurityPolicy({ cspSource: 'vscode-resource:', nonce: 'abc', pdf: true }),
      "default-src 'none'; base-uri 'none'; form-action 'none'; script-src 'nonce-abc'; style-src vscode-resource: 'nonce-abc'; img-src vscode-resource: blob:; font-src vscode-resource:; worker-src blob:; connect-src vscode-resource:",
    );
  });
});
