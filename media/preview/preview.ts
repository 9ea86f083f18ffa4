/**
 * The preview webview: draws an image (or a PDF page with pdf.js), lets the user zoom, pan, change page and
 * drag a region, and asks the host to convert it. Regions are kept and sent in page units (image pixels, PDF
 * points at scale 1), never in screen pixels. Bundled by scripts/build.mjs into dist/webview/preview.js.
 */
import * as pdfjs from 'pdfjs-dist';
import {
  convertModes,
  type ConvertMode,
  type HostToPreview,
  type PageRegion,
  type PreviewToHost,
  type PreviewViewState,
} from '../../client/src/preview/messages';

interface VsCodeApi {
  postMessage(message: PreviewToHost): void;
  getState(): PreviewViewState | undefined;
  setState(state: PreviewViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();
const post = (m: PreviewToHost) => vscode.postMessage(m);

const minZoom = 0.05;
const maxZoom = 16;
const margin = 16;

// ------------------------------------------------------------------ DOM
const app = document.getElementById('app')!;
const h = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> & { className?: string } = {}, ...children: (Node | string)[]) => {
  const el = document.createElement(tag);
  Object.assign(el, props);
  el.append(...children);
  return el;
};
const button = (label: string, title: string, onClick: () => void, extra: Partial<HTMLButtonElement> = {}) => {
  const b = h('button', { type: 'button', title, className: 'tool', ...extra }, label);
  b.addEventListener('click', onClick);
  return b;
};

const prevBtn = button('‹', 'Previous page (Page Up)', () => void goToPage(state.page - 1), { ariaLabel: 'Previous page' });
const nextBtn = button('›', 'Next page (Page Down)', () => void goToPage(state.page + 1), { ariaLabel: 'Next page' });
const pageInput = h('input', { type: 'number', min: '1', value: '1', className: 'page-input', title: 'Page', ariaLabel: 'Page' });
const pageCountLabel = h('span', { className: 'page-count' }, '/ 1');
const pageGroup = h('div', { className: 'group pages' }, prevBtn, pageInput, pageCountLabel, nextBtn);
const zoomLabel = h('span', { className: 'zoom-label', title: 'Zoom' }, '100%');
const zoomGroup = h(
  'div',
  { className: 'group' },
  button('−', 'Zoom out (-)', () => zoomBy(1 / 1.25), { ariaLabel: 'Zoom out' }),
  zoomLabel,
  button('+', 'Zoom in (+)', () => zoomBy(1.25), { ariaLabel: 'Zoom in' }),
  button('Fit width', 'Fit the page width (0)', () => setFit(), { className: 'tool fit' }),
);
const regionLabel = h('span', { className: 'region-label', title: 'Selection in page units' }, 'Drag to select a region');
const modeButtons = convertModes.map(({ mode, label, title }) =>
  button(label, `Convert the selection: ${title}`, () => convert(mode), { className: 'tool mode' }),
);
modeButtons.forEach((b, i) => (b.dataset.mode = convertModes[i]!.mode));
const modeGroup = h('div', { className: 'group modes', role: 'toolbar', ariaLabel: 'Convert' }, h('span', { className: 'convert-label' }, 'Convert:'), ...modeButtons);
const toolbar = h('div', { className: 'toolbar', role: 'toolbar' }, pageGroup, zoomGroup, regionLabel, modeGroup);
const note = h('div', { className: 'note', hidden: true });
const img = h('img', { className: 'page-image', alt: '', draggable: false });
const canvas = h('canvas', { className: 'page-canvas' });
const handles = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w'].map((d) => h('div', { className: `handle ${d}` }));
handles.forEach((el) => (el.dataset.handle = el.className.split(' ')[1]!));
const selection = h('div', { className: 'selection', hidden: true, ariaLabel: 'Selected region' }, ...handles);
const pageEl = h('div', { className: 'page' }, img, canvas, selection);
const viewport = h('div', { className: 'viewport', tabIndex: 0, ariaLabel: 'Page; drag to select a region, arrows to nudge, Esc to clear' }, pageEl);
const menu = h('div', { className: 'menu', hidden: true, role: 'menu' });
const status = h('div', { className: 'status', role: 'status' });
app.append(toolbar, note, viewport, menu, status);

// ------------------------------------------------------------------ state
const state = {
  kind: 'image' as 'image' | 'pdf' | 'tiff',
  page: 1,
  pageCount: 1,
  pageWidth: 0,
  pageHeight: 0,
  zoom: 1,
  fit: true,
  region: undefined as PageRegion | undefined,
  defaultMode: 'text' as ConvertMode,
  busy: false,
};
let pdfDoc: pdfjs.PDFDocumentProxy | undefined;
let pdfPage: pdfjs.PDFPageProxy | undefined;
let renderTask: pdfjs.RenderTask | undefined;
let renderedZoom = 0;
/** A selection asked for on a TIFF page that the host is still rendering. */
let pendingRegion: { page: number; region?: PageRegion } | undefined;

function saveState(): void {
  const s: PreviewViewState = { page: state.page, zoom: state.fit ? 'fit' : state.zoom, ...(state.region ? { region: state.region } : {}) };
  vscode.setState(s);
  post({ type: 'state', state: s });
}

function showError(message: string): void {
  note.hidden = false;
  note.textContent = message;
  note.classList.add('error');
  post({ type: 'error', message });
}

// ------------------------------------------------------------------ loading
async function init(m: Extract<HostToPreview, { type: 'init' }>): Promise<void> {
  state.kind = m.kind;
  state.defaultMode = m.defaultMode;
  const saved = m.state ?? vscode.getState();
  if (saved) {
    state.page = saved.page;
    state.fit = saved.zoom === 'fit';
    if (saved.zoom !== 'fit') state.zoom = saved.zoom;
    state.region = saved.region;
  }
  modeButtons.forEach((b) => b.classList.toggle('default', b.dataset.mode === m.defaultMode));
  if (m.note) {
    note.hidden = false;
    note.textContent = m.note;
  }
  if (!m.data && !m.src) return;
  if (m.kind === 'pdf') {
    try {
      // The worker comes from a webview resource URI (another origin): start it from a same-origin blob.
      const workerText = await (await fetch(m.pdfWorkerSrc!)).text();
      pdfjs.GlobalWorkerOptions.workerSrc = URL.createObjectURL(new Blob([workerText], { type: 'text/javascript' }));
      const base = m.pdfWorkerSrc!.replace(/pdf\.worker\.min\.mjs(\?.*)?$/, '');
      pdfDoc = await pdfjs.getDocument({
        data: m.data,
        cMapUrl: `${base}cmaps/`,
        cMapPacked: true,
        standardFontDataUrl: `${base}standard_fonts/`,
        wasmUrl: `${base}wasm/`,
        isEvalSupported: false,
      }).promise;
      state.pageCount = pdfDoc.numPages;
    } catch (error) {
      showError(`Could not open this PDF: ${(error as Error)?.message ?? error}`);
      return;
    }
    img.hidden = true;
    await goToPage(Math.min(state.page, state.pageCount), true);
  } else {
    canvas.hidden = true;
    state.pageCount = m.pageCount ?? 1;
    state.page = m.kind === 'tiff' ? Math.min(state.page, state.pageCount) : 1;
    // The host sends the file's bytes (it gives this page no URL into the user's folders); TIFF comes as PNG.
    await showImage(m.data ? URL.createObjectURL(new Blob([m.data as Uint8Array<ArrayBuffer>], { type: m.mime })) : m.src!);
  }
}

async function showImage(src: string): Promise<void> {
  await new Promise<void>((resolve) => {
    img.onload = () => resolve();
    img.onerror = () => {
      showError('This image cannot be shown here (the format may not be supported by the webview). “Convert” still reads the file.');
      resolve();
    };
    img.src = src;
  });
  if (!img.naturalWidth) return;
  state.pageWidth = img.naturalWidth;
  state.pageHeight = img.naturalHeight;
  layout();
  loaded();
}

function loaded(): void {
  updatePageControls();
  drawSelection();
  post({ type: 'loaded', page: state.page, pageCount: state.pageCount, width: state.pageWidth, height: state.pageHeight });
}

async function goToPage(n: number, force = false): Promise<void> {
  const page = Math.max(1, Math.min(state.pageCount, Math.round(n) || 1));
  if (state.kind === 'tiff') {
    // The host renders TIFF pages (Chromium cannot); the answer arrives as `pageImage`.
    if (page !== state.page) post({ type: 'requestPage', page });
    return;
  }
  if (!pdfDoc) return;
  if (page === state.page && !force && pdfPage) return;
  if (page !== state.page) state.region = undefined;
  state.page = page;
  pdfPage = await pdfDoc.getPage(page);
  const vp = pdfPage.getViewport({ scale: 1 });
  state.pageWidth = vp.width;
  state.pageHeight = vp.height;
  renderedZoom = 0;
  layout();
  await renderPdf();
  viewport.scrollTop = 0;
  loaded();
  saveState();
}

async function renderPdf(): Promise<void> {
  if (!pdfPage || renderedZoom === state.zoom) return;
  renderTask?.cancel();
  const dpr = window.devicePixelRatio || 1;
  const viewportPx = pdfPage.getViewport({ scale: state.zoom * dpr });
  const target = document.createElement('canvas');
  target.width = Math.ceil(viewportPx.width);
  target.height = Math.ceil(viewportPx.height);
  const task = pdfPage.render({ canvas: target, canvasContext: target.getContext('2d')!, viewport: viewportPx });
  renderTask = task;
  try {
    await task.promise;
  } catch (error) {
    if ((error as Error)?.name !== 'RenderingCancelledException') showError(`Could not draw this page: ${(error as Error)?.message ?? error}`);
    return;
  }
  if (renderTask !== task) return;
  canvas.width = target.width;
  canvas.height = target.height;
  canvas.getContext('2d')!.drawImage(target, 0, 0);
  renderedZoom = state.zoom;
}

// ------------------------------------------------------------------ zoom and layout
function layout(): void {
  if (!state.pageWidth) return;
  if (state.fit) state.zoom = clampZoom((viewport.clientWidth - 2 * margin) / state.pageWidth);
  const w = state.pageWidth * state.zoom;
  const hgt = state.pageHeight * state.zoom;
  pageEl.style.width = `${w}px`;
  pageEl.style.height = `${hgt}px`;
  for (const el of [img, canvas]) {
    el.style.width = `${w}px`;
    el.style.height = `${hgt}px`;
  }
  zoomLabel.textContent = `${Math.round(state.zoom * 100)}%`;
  drawSelection();
  if (state.kind === 'pdf') scheduleRender();
}

let renderTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleRender(): void {
  clearTimeout(renderTimer);
  renderTimer = setTimeout(() => void renderPdf(), 120);
}

const clampZoom = (z: number) => Math.max(minZoom, Math.min(maxZoom, z));

/** Zooms keeping the page point under (clientX, clientY) — the viewport centre by default — in place. */
function zoomBy(factor: number, clientX?: number, clientY?: number): void {
  const rect = viewport.getBoundingClientRect();
  const cx = (clientX ?? rect.left + rect.width / 2) - rect.left;
  const cy = (clientY ?? rect.top + rect.height / 2) - rect.top;
  const before = toPage(clientX ?? rect.left + rect.width / 2, clientY ?? rect.top + rect.height / 2, false);
  state.fit = false;
  state.zoom = clampZoom(state.zoom * factor);
  layout();
  viewport.scrollLeft = before.x * state.zoom + pageEl.offsetLeft - cx;
  viewport.scrollTop = before.y * state.zoom + pageEl.offsetTop - cy;
  saveState();
}

function setFit(): void {
  state.fit = true;
  layout();
  saveState();
}

function updatePageControls(): void {
  pageGroup.hidden = state.pageCount <= 1;
  pageInput.value = String(state.page);
  pageInput.max = String(state.pageCount);
  pageCountLabel.textContent = `/ ${state.pageCount}`;
  prevBtn.disabled = state.page <= 1;
  nextBtn.disabled = state.page >= state.pageCount;
}

// ------------------------------------------------------------------ selection
/** Client (screen) coordinates → page units, clamped to the page unless `clamp` is false. */
function toPage(clientX: number, clientY: number, clamp = true): { x: number; y: number } {
  const r = pageEl.getBoundingClientRect();
  let x = (clientX - r.left) / state.zoom;
  let y = (clientY - r.top) / state.zoom;
  if (clamp) {
    x = Math.max(0, Math.min(state.pageWidth, x));
    y = Math.max(0, Math.min(state.pageHeight, y));
  }
  return { x, y };
}

/** Whole pixels for images; 0.01 pt for PDFs. */
function roundUnit(v: number): number {
  return state.kind === 'pdf' ? Math.round(v * 100) / 100 : Math.round(v);
}

function normalize(x0: number, y0: number, x1: number, y1: number): PageRegion {
  const x = roundUnit(Math.max(0, Math.min(x0, x1)));
  const y = roundUnit(Math.max(0, Math.min(y0, y1)));
  const right = roundUnit(Math.min(state.pageWidth, Math.max(x0, x1)));
  const bottom = roundUnit(Math.min(state.pageHeight, Math.max(y0, y1)));
  return { x, y, width: Math.max(0, right - x), height: Math.max(0, bottom - y) };
}

function drawSelection(): void {
  const r = state.region;
  selection.hidden = !r;
  if (!r) {
    regionLabel.textContent = 'Drag to select a region';
    return;
  }
  selection.style.left = `${r.x * state.zoom}px`;
  selection.style.top = `${r.y * state.zoom}px`;
  selection.style.width = `${r.width * state.zoom}px`;
  selection.style.height = `${r.height * state.zoom}px`;
  const unit = state.kind === 'pdf' ? 'pt' : 'px';
  regionLabel.textContent = `${fmt(r.x)}, ${fmt(r.y)} · ${fmt(r.width)} × ${fmt(r.height)} ${unit}`;
}
const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

function setRegion(region: PageRegion | undefined, notify = true): void {
  state.region = region && region.width > 0 && region.height > 0 ? region : undefined;
  drawSelection();
  if (notify) {
    post({ type: 'selection', page: state.page, ...(state.region ? { region: state.region } : {}) });
    saveState();
  }
}

type Drag =
  | { kind: 'new'; x0: number; y0: number }
  | { kind: 'move'; start: { x: number; y: number }; region: PageRegion }
  | { kind: 'resize'; handle: string; region: PageRegion }
  | { kind: 'pan'; x: number; y: number; left: number; top: number };
let drag: Drag | undefined;
let spaceDown = false;

viewport.addEventListener('pointerdown', (e) => {
  hideMenu();
  if (e.button === 2) return;
  viewport.focus({ preventScroll: true });
  const target = e.target as HTMLElement;
  if (e.button === 1 || spaceDown || e.altKey) {
    drag = { kind: 'pan', x: e.clientX, y: e.clientY, left: viewport.scrollLeft, top: viewport.scrollTop };
    viewport.classList.add('panning');
  } else if (e.button !== 0 || !state.pageWidth) {
    return;
  } else if (target.dataset.handle && state.region) {
    drag = { kind: 'resize', handle: target.dataset.handle, region: { ...state.region } };
  } else if (target === selection && state.region) {
    drag = { kind: 'move', start: toPage(e.clientX, e.clientY, false), region: { ...state.region } };
  } else if (pageEl.contains(target) || target === viewport) {
    const p = toPage(e.clientX, e.clientY);
    drag = { kind: 'new', x0: p.x, y0: p.y };
  } else return;
  viewport.setPointerCapture(e.pointerId);
  e.preventDefault();
});

viewport.addEventListener('pointermove', (e) => {
  if (!drag) return;
  const p = toPage(e.clientX, e.clientY, drag.kind !== 'move');
  switch (drag.kind) {
    case 'pan':
      viewport.scrollLeft = drag.left - (e.clientX - drag.x);
      viewport.scrollTop = drag.top - (e.clientY - drag.y);
      return;
    case 'new':
      setRegion(normalize(drag.x0, drag.y0, p.x, p.y), false);
      return;
    case 'move': {
      const r = drag.region;
      const dx = Math.max(-r.x, Math.min(state.pageWidth - r.x - r.width, p.x - drag.start.x));
      const dy = Math.max(-r.y, Math.min(state.pageHeight - r.y - r.height, p.y - drag.start.y));
      setRegion({ ...r, x: roundUnit(r.x + dx), y: roundUnit(r.y + dy) }, false);
      return;
    }
    case 'resize': {
      const r = drag.region;
      let [x0, y0, x1, y1] = [r.x, r.y, r.x + r.width, r.y + r.height];
      if (drag.handle.includes('w')) x0 = p.x;
      if (drag.handle.includes('e')) x1 = p.x;
      if (drag.handle.includes('n')) y0 = p.y;
      if (drag.handle.includes('s')) y1 = p.y;
      setRegion(normalize(x0, y0, x1, y1), false);
      return;
    }
  }
});

const endDrag = (e: PointerEvent) => {
  if (!drag) return;
  const kind = drag.kind;
  drag = undefined;
  viewport.classList.remove('panning');
  if (viewport.hasPointerCapture(e.pointerId)) viewport.releasePointerCapture(e.pointerId);
  if (kind === 'pan') return;
  // A click without a drag (under 3 screen pixels) clears the selection.
  const r = state.region;
  if (r && (r.width * state.zoom < 3 || r.height * state.zoom < 3)) setRegion(undefined);
  else setRegion(r);
};
viewport.addEventListener('pointerup', endDrag);
viewport.addEventListener('pointercancel', endDrag);

viewport.addEventListener(
  'wheel',
  (e) => {
    if (!e.ctrlKey && !e.metaKey) return;
    e.preventDefault();
    zoomBy(Math.exp(-e.deltaY / 300), e.clientX, e.clientY);
  },
  { passive: false },
);

window.addEventListener('keydown', (e) => {
  if (e.target === pageInput) return;
  if (e.key === ' ') {
    spaceDown = true;
    // Space + drag pans; on the page it must not also scroll it (buttons keep their Space).
    if (e.target === viewport) e.preventDefault();
    return;
  }
  const r = state.region;
  const step = e.shiftKey ? 10 : 1;
  const arrows: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
  const delta = arrows[e.key];
  if (delta && r) {
    e.preventDefault();
    if (e.altKey) {
      // Alt+arrows resize from the bottom-right corner.
      setRegion(normalize(r.x, r.y, r.x + Math.max(1, r.width + delta[0]), r.y + Math.max(1, r.height + delta[1])));
    } else {
      const x = Math.max(0, Math.min(state.pageWidth - r.width, r.x + delta[0]));
      const y = Math.max(0, Math.min(state.pageHeight - r.height, r.y + delta[1]));
      setRegion({ ...r, x: roundUnit(x), y: roundUnit(y) });
    }
    return;
  }
  switch (e.key) {
    case 'Escape':
      if (!menu.hidden) hideMenu();
      else setRegion(undefined);
      break;
    case 'Enter':
      if (e.target === viewport) convert(state.defaultMode);
      break;
    case 'PageDown':
      void goToPage(state.page + 1);
      break;
    case 'PageUp':
      void goToPage(state.page - 1);
      break;
    case '+':
    case '=':
      zoomBy(1.25);
      break;
    case '-':
      zoomBy(1 / 1.25);
      break;
    case '0':
      setFit();
      break;
    default:
      return;
  }
  e.preventDefault();
});
window.addEventListener('keyup', (e) => {
  if (e.key === ' ') spaceDown = false;
});
pageInput.addEventListener('change', () => void goToPage(Number(pageInput.value)));
new ResizeObserver(() => state.fit && layout()).observe(viewport);

// ------------------------------------------------------------------ context menu
function hideMenu(): void {
  menu.hidden = true;
}
viewport.addEventListener('contextmenu', (e) => {
  e.preventDefault();
  e.stopPropagation();
  menu.replaceChildren(
    ...convertModes.map(({ mode, title }) => {
      const item = h('button', { type: 'button', className: 'menu-item', role: 'menuitem' }, `Convert as ${title}`);
      item.dataset.mode = mode;
      item.addEventListener('click', () => {
        hideMenu();
        convert(mode);
      });
      return item;
    }),
    h('hr'),
    menuItem('Clear selection', () => setRegion(undefined), !state.region),
    menuItem('Fit width', setFit),
  );
  menu.hidden = false;
  const x = Math.min(e.clientX, window.innerWidth - menu.offsetWidth - 4);
  const y = Math.min(e.clientY, window.innerHeight - menu.offsetHeight - 4);
  menu.style.left = `${Math.max(0, x)}px`;
  menu.style.top = `${Math.max(0, y)}px`;
  (menu.querySelector('button') as HTMLButtonElement | null)?.focus();
});
function menuItem(label: string, fn: () => void, disabled = false): HTMLButtonElement {
  const b = h('button', { type: 'button', className: 'menu-item', role: 'menuitem', disabled }, label);
  b.addEventListener('click', () => {
    hideMenu();
    fn();
  });
  return b;
}
document.addEventListener('pointerdown', (e) => {
  if (!menu.contains(e.target as Node)) hideMenu();
});

// ------------------------------------------------------------------ convert
/** A PNG of the selection as displayed (for the result view only; the daemon reads the file itself). */
function cropDataUrl(r: PageRegion): string | undefined {
  try {
    const source = state.kind === 'pdf' ? canvas : img;
    const sx = state.kind === 'pdf' ? canvas.width / state.pageWidth : 1;
    const scale = Math.min(1, 800 / (r.width * sx), 400 / (r.height * sx));
    const out = document.createElement('canvas');
    out.width = Math.max(1, Math.round(r.width * sx * scale));
    out.height = Math.max(1, Math.round(r.height * sx * scale));
    out.getContext('2d')!.drawImage(source, r.x * sx, r.y * sx, r.width * sx, r.height * sx, 0, 0, out.width, out.height);
    return out.toDataURL('image/png');
  } catch {
    return undefined;
  }
}

function convert(mode: ConvertMode): void {
  const r = state.region;
  status.textContent = `Converting ${r ? 'the selection' : 'the page'} as ${convertModes.find((m) => m.mode === mode)?.title ?? mode}…`;
  post({ type: 'convert', mode, page: state.page, ...(r ? { region: r, crop: cropDataUrl(r) } : {}) });
}

// ------------------------------------------------------------------ host messages
window.addEventListener('message', (event: MessageEvent<HostToPreview>) => {
  const m = event.data;
  // Only the extension host (relayed by VS Code from the same origin) may talk to this page.
  if (event.origin !== window.origin) return;
  if (!m || typeof m !== 'object') return;
  switch (m.type) {
    case 'init':
      void init(m);
      return;
    case 'pageImage': {
      state.region = pendingRegion?.page === m.page ? pendingRegion.region : m.page === state.page ? state.region : undefined;
      pendingRegion = undefined;
      state.page = m.page;
      void showImage(m.src).then(() => setRegion(state.region));
      return;
    }
    case 'busy':
      state.busy = m.busy;
      app.classList.toggle('busy', m.busy);
      if (!m.busy) status.textContent = '';
      return;
    case 'setRegion':
      if (m.page && m.page !== state.page && state.kind === 'tiff') {
        pendingRegion = { page: m.page, region: m.region };
        void goToPage(m.page);
      } else if (m.page && m.page !== state.page && pdfDoc) void goToPage(m.page).then(() => setRegion(m.region));
      else setRegion(m.region);
      return;
    case 'convertSelection':
      convert(m.mode);
      return;
    case 'reload':
      // The file changed: start again; `ready` brings its new bytes, getState the page, zoom and selection.
      saveState();
      window.location.reload();
      return;
  }
});

post({ type: 'ready' });
