/**
 * Messages between the extension host and its two webviews (the preview and the result view), declared once
 * and imported by both sides: `client/src/preview/*.ts` and the webview bundles built from `media/preview/*.ts`.
 * No `vscode` or DOM imports here. The host validates every message it receives with `parse…Message`, because a
 * webview is untrusted content.
 */

/** The modes offered in the preview; the same strings as `RecognitionMode` in server/src/protocol.ts. */
export type ConvertMode = 'auto' | 'text' | 'math' | 'table' | 'chem';
export const convertModes: readonly { mode: ConvertMode; label: string; title: string }[] = [
  { mode: 'auto', label: 'Auto', title: 'Detect the kind of content' },
  { mode: 'text', label: 'Markdown', title: 'Markdown text' },
  { mode: 'math', label: 'LaTeX', title: 'LaTeX math' },
  { mode: 'table', label: 'Table', title: 'Table' },
  { mode: 'chem', label: 'SMILES', title: 'Chemical structure as SMILES' },
];

/** A rectangle in page units: image pixels, or PDF points (see server/src/protocol.ts). */
export interface PageRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type DocumentKind = 'image' | 'pdf' | 'tiff';

/** What the webview keeps across reloads with `getState/setState`. */
export interface PreviewViewState {
  page: number;
  /** Zoom factor, or 'fit' for fit-width. */
  zoom: number | 'fit';
  region?: PageRegion;
}

// ---------------------------------------------------------------- preview

export type HostToPreview =
  | {
      type: 'init';
      kind: DocumentKind;
      /** Webview URI of the file (or of a PNG rendering of it). */
      src: string;
      fileName: string;
      /** For PDFs: webview URI of pdf.js's worker script. */
      pdfWorkerSrc?: string;
      /** Known page count (TIFF); PDFs report theirs after loading. */
      pageCount?: number;
      /** Shown above the page, e.g. "only the first TIFF page can be shown". */
      note?: string;
      defaultMode: ConvertMode;
      state?: PreviewViewState;
    }
  | { type: 'busy'; busy: boolean }
  /** A TIFF page rendered by the host as PNG (Chromium cannot draw TIFF), answering `requestPage`. */
  | { type: 'pageImage'; page: number; src: string }
  /** Set (or clear) the selection, e.g. from a command or a test. */
  | { type: 'setRegion'; region?: PageRegion; page?: number }
  /** Ask the webview to convert its current selection (a palette command). */
  | { type: 'convertSelection'; mode: ConvertMode }
  | { type: 'reload' };

export type PreviewToHost =
  | { type: 'ready' }
  | { type: 'loaded'; page: number; pageCount: number; width: number; height: number }
  | { type: 'selection'; page: number; region?: PageRegion }
  | { type: 'convert'; mode: ConvertMode; page: number; region?: PageRegion; crop?: string }
  | { type: 'state'; state: PreviewViewState }
  /** TIFF only: asks the host for a page as PNG. */
  | { type: 'requestPage'; page: number }
  | { type: 'error'; message: string };

// ---------------------------------------------------------------- result view

export interface ResultViewModel {
  title: string;
  mode: ConvertMode;
  /** PNG data URL of the selected part of the page, as displayed. */
  crop?: string;
  /** Raw recognised content, or undefined on error / while running. */
  content?: string;
  /** What would be inserted into the target editor. */
  insertText?: string;
  format?: 'markdown' | 'latex' | 'html' | 'smiles';
  /** Rendered check, as HTML made in the extension host (Markdown → HTML, MathJax SVG, table HTML). */
  renderedHtml?: string;
  confidence?: number;
  /** Shown above the output, e.g. "MathJax cannot parse this LaTeX": the result was not inserted. */
  warning?: string;
  /** One line under the output, e.g. a molecule's formula and InChIKey. */
  details?: string;
  running?: boolean;
  error?: { kind: string; message: string };
  /** Label of the editor that Insert targets, e.g. "notes.md". */
  target?: string;
  timings?: Record<string, number>;
}

export type HostToResult = { type: 'show'; model: ResultViewModel };

export type ResultToHost =
  | { type: 'ready' }
  | { type: 'insert' }
  | { type: 'copy' }
  | { type: 'retry'; mode: ConvertMode };

// ---------------------------------------------------------------- validation

const modeSet = new Set<string>(convertModes.map((m) => m.mode));
const maxCropChars = 8_000_000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
function isPage(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 100_000;
}
export function isConvertMode(v: unknown): v is ConvertMode {
  return typeof v === 'string' && modeSet.has(v);
}
export function parseRegion(v: unknown): PageRegion | undefined {
  if (!isObject(v)) return undefined;
  const { x, y, width, height } = v;
  if (!isFiniteNumber(x) || !isFiniteNumber(y) || !isFiniteNumber(width) || !isFiniteNumber(height)) return undefined;
  if (width <= 0 || height <= 0 || Math.abs(x) > 1e7 || Math.abs(y) > 1e7 || width > 1e7 || height > 1e7) return undefined;
  return { x, y, width, height };
}
function parseViewState(v: unknown): PreviewViewState | undefined {
  if (!isObject(v) || !isPage(v.page)) return undefined;
  const zoom = v.zoom === 'fit' ? 'fit' : isFiniteNumber(v.zoom) && v.zoom > 0 && v.zoom <= 64 ? v.zoom : undefined;
  if (zoom === undefined) return undefined;
  const region = v.region === undefined ? undefined : parseRegion(v.region);
  return region ? { page: v.page, zoom, region } : { page: v.page, zoom };
}

/** Returns the message if it is a well-formed `PreviewToHost`, otherwise undefined. */
export function parsePreviewMessage(v: unknown): PreviewToHost | undefined {
  if (!isObject(v) || typeof v.type !== 'string') return undefined;
  switch (v.type) {
    case 'ready':
      return { type: 'ready' };
    case 'loaded':
      if (!isPage(v.page) || !isPage(v.pageCount) || !isFiniteNumber(v.width) || !isFiniteNumber(v.height)) return undefined;
      return { type: 'loaded', page: v.page, pageCount: v.pageCount, width: v.width, height: v.height };
    case 'selection': {
      if (!isPage(v.page)) return undefined;
      const region = v.region === undefined ? undefined : parseRegion(v.region);
      if (v.region !== undefined && !region) return undefined;
      return { type: 'selection', page: v.page, region };
    }
    case 'convert': {
      if (!isConvertMode(v.mode) || !isPage(v.page)) return undefined;
      const region = v.region === undefined ? undefined : parseRegion(v.region);
      if (v.region !== undefined && !region) return undefined;
      const crop =
        typeof v.crop === 'string' && v.crop.length <= maxCropChars && /^data:image\/png;base64,[A-Za-z0-9+/=]*$/.test(v.crop) ? v.crop : undefined;
      return { type: 'convert', mode: v.mode, page: v.page, region, crop };
    }
    case 'state': {
      const state = parseViewState(v.state);
      return state ? { type: 'state', state } : undefined;
    }
    case 'requestPage':
      return isPage(v.page) ? { type: 'requestPage', page: v.page } : undefined;
    case 'error':
      return typeof v.message === 'string' ? { type: 'error', message: v.message.slice(0, 2000) } : undefined;
    default:
      return undefined;
  }
}

export function parseResultMessage(v: unknown): ResultToHost | undefined {
  if (!isObject(v) || typeof v.type !== 'string') return undefined;
  switch (v.type) {
    case 'ready':
    case 'insert':
    case 'copy':
      return { type: v.type };
    case 'retry':
      return isConvertMode(v.mode) ? { type: 'retry', mode: v.mode } : undefined;
    default:
      return undefined;
  }
}
