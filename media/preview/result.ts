/** The result view's webview: shows what the host sends, and sends back Insert / Copy / Try as …. */
import { convertModes, type HostToResult, type ResultToHost, type ResultViewModel } from '../../client/src/preview/messages';

declare function acquireVsCodeApi(): { postMessage(message: ResultToHost): void };
const vscode = acquireVsCodeApi();
const root = document.getElementById('result')!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  e.append(...children);
  return e;
}
function action(label: string, message: ResultToHost, primary = false): HTMLButtonElement {
  const b = el('button', primary ? 'primary' : 'secondary', label);
  b.type = 'button';
  b.dataset.action = message.type === 'retry' ? `retry-${message.mode}` : message.type;
  b.addEventListener('click', () => vscode.postMessage(message));
  return b;
}

function render(m: ResultViewModel): void {
  const parts: Node[] = [el('h1', undefined, m.title)];
  if (m.crop) {
    const img = el('img', 'crop');
    img.src = m.crop;
    img.alt = 'The selected region';
    parts.push(el('section', 'crop-box', img));
  }
  if (m.running) parts.push(el('p', 'running', el('span', 'spinner'), 'Recognizing…'));
  if (m.error) {
    const box = el('div', `error ${m.error.kind}`);
    const heading = m.error.kind === 'modeNotAvailable' ? 'Not available yet' : m.error.kind === 'cancelled' ? 'Cancelled' : 'Could not convert';
    box.append(el('strong', undefined, heading), el('p', undefined, m.error.message));
    parts.push(box);
  }
  if (m.content !== undefined) {
    const conf = m.confidence ?? 0;
    const meter = el('meter');
    meter.min = 0;
    meter.max = 1;
    meter.low = 0.6;
    meter.high = 0.85;
    meter.optimum = 1;
    meter.value = conf;
    parts.push(el('p', 'confidence', 'Confidence ', meter, ` ${(conf * 100).toFixed(0)}%`));
    if (m.warning) parts.push(el('div', 'error warning', el('strong', undefined, 'Not inserted'), el('p', undefined, m.warning)));
    const pre = el('pre', 'output', m.insertText ?? m.content);
    pre.tabIndex = 0;
    parts.push(el('h2', undefined, 'Output'), pre);
    if (m.details) parts.push(el('p', 'details', m.details));
    if (m.renderedHtml) {
      const rendered = el('div', 'rendered');
      // HTML made by the host (VS Code's Markdown renderer, MathJax, the table engine); scripts are blocked by CSP.
      rendered.innerHTML = m.renderedHtml;
      parts.push(el('h2', undefined, 'Rendered'), rendered);
    }
    parts.push(
      el(
        'div',
        'actions',
        action(`Insert into ${m.target ?? 'editor'}`, { type: 'insert' }, true),
        action('Copy', { type: 'copy' }),
      ),
    );
  }
  if (!m.running) {
    // After an error or a cancel, the same mode can be tried again too.
    const tries = convertModes
      .filter((x) => m.content === undefined || x.mode !== m.mode)
      .map((x) => action(x.mode === m.mode ? `Try again as ${x.label}` : `Try as ${x.label}`, { type: 'retry', mode: x.mode }));
    parts.push(el('div', 'actions try', ...tries));
  }
  if (m.timings?.total) parts.push(el('p', 'timings', `${Math.round(m.timings.total)} ms`));
  root.replaceChildren(...parts);
}

window.addEventListener('message', (event: MessageEvent<HostToResult>) => {
  // Only the extension host (relayed by VS Code from the same origin) may talk to this page.
  if (event.origin !== window.origin) return;
  if (event.data?.type === 'show') render(event.data.model);
});
vscode.postMessage({ type: 'ready' });
