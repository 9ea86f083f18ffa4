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
      /**
       * The file's bytes (images and PDFs). Sent, not linked: the webview can load nothing from the user's folders
       * (its localResourceRoots are the extension's own), so it sees exactly the file that was opened.
       */
      data?: Uint8Array;
      /** MIME type of `data`, e.g. `image/png`. */
      mime?: string;
      /** TIFF: the page as a PNG data URL, rendered by the host (Chromium cannot draw TIFF). */
      src?: string;
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
const maxPageUnits = 1e7;
/** Page units a real selection may pass the page edge by: the webview rounds to whole pixels / 0.01 pt. */
const edgeTolerance = 1;

/** What the host knows about the document shown, to check a webview's coordinates against. */
export interface PageBounds {
  pageCount?: number;
  /** The size of `page` in page units, as the webview last reported drawing it. */
  page?: number;
  width?: number;
  height?: number;
}

type Fields = Record<string, unknown>;
function isObject(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
/** Own properties only: an inherited `region` or `type` (a crafted prototype) is not part of the message. */
function field(o: Fields, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}
function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
function isPage(v: unknown, bounds?: PageBounds): v is number {
  return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= (bounds?.pageCount ?? 100_000);
}
export function isConvertMode(v: unknown): v is ConvertMode {
  return typeof v === 'string' && modeSet.has(v);
}

/**
 * A region inside the page: finite numbers, a positive size, not left of or above the page, and within the
 * page's size when `bounds` holds the size of `page`.
 */
export function parseRegion(v: unknown, bounds?: PageBounds, page?: number): PageRegion | undefined {
  if (!isObject(v)) return undefined;
  const [x, y, width, height] = ['x', 'y', 'width', 'height'].map((k) => field(v, k));
  if (!isFiniteNumber(x) || !isFiniteNumber(y) || !isFiniteNumber(width) || !isFiniteNumber(height)) return undefined;
  if (width <= 0 || height <= 0 || x < 0 || y < 0 || x + width > maxPageUnits || y + height > maxPageUnits) return undefined;
  if (bounds && page !== undefined && bounds.page === page) {
    if (bounds.width !== undefined && x + width > bounds.width + edgeTolerance) return undefined;
    if (bounds.height !== undefined && y + height > bounds.height + edgeTolerance) return undefined;
  }
  return { x, y, width, height };
}

/** undefined when absent; null when present but invalid (the whole message is then rejected). */
function optionalRegion(o: Fields, bounds: PageBounds | undefined, page: number): PageRegion | undefined | null {
  const raw = field(o, 'region');
  return raw === undefined ? undefined : (parseRegion(raw, bounds, page) ?? null);
}

function parseViewState(v: unknown, bounds?: PageBounds): PreviewViewState | undefined {
  if (!isObject(v)) return undefined;
  const page = field(v, 'page');
  const rawZoom = field(v, 'zoom');
  if (!isPage(page, bounds)) return undefined;
  const zoom = rawZoom === 'fit' ? 'fit' : isFiniteNumber(rawZoom) && rawZoom > 0 && rawZoom <= 64 ? rawZoom : undefined;
  if (zoom === undefined) return undefined;
  const region = optionalRegion(v, bounds, page);
  if (region === null) return undefined;
  return region ? { page, zoom, region } : { page, zoom };
}

/**
 * Returns the message if it is a well-formed `PreviewToHost`, otherwise undefined (unknown types included).
 * A fresh object is built from the known fields only, so nothing else the webview sent reaches the host.
 */
export function parsePreviewMessage(v: unknown, bounds?: PageBounds): PreviewToHost | undefined {
  if (!isObject(v)) return undefined;
  const type = field(v, 'type');
  const page = field(v, 'page');
  switch (type) {
    case 'ready':
      return { type: 'ready' };
    case 'loaded': {
      const [pageCount, width, height] = ['pageCount', 'width', 'height'].map((k) => field(v, k));
      if (!isPage(pageCount) || !isPage(page, { pageCount })) return undefined;
      if (!isFiniteNumber(width) || !isFiniteNumber(height) || width <= 0 || height <= 0 || width > maxPageUnits || height > maxPageUnits) return undefined;
      return { type: 'loaded', page, pageCount, width, height };
    }
    case 'selection': {
      if (!isPage(page, bounds)) return undefined;
      const region = optionalRegion(v, bounds, page);
      return region === null ? undefined : { type: 'selection', page, region };
    }
    case 'convert': {
      const mode = field(v, 'mode');
      const crop = field(v, 'crop');
      if (!isConvertMode(mode) || !isPage(page, bounds)) return undefined;
      const region = optionalRegion(v, bounds, page);
      if (region === null) return undefined;
      const pngCrop = typeof crop === 'string' && crop.length <= maxCropChars && /^data:image\/png;base64,[A-Za-z0-9+/=]*$/.test(crop) ? crop : undefined;
      return { type: 'convert', mode, page, region, crop: pngCrop };
    }
    case 'state': {
      const state = parseViewState(field(v, 'state'), bounds);
      return state ? { type: 'state', state } : undefined;
    }
    case 'requestPage':
      return isPage(page, bounds) ? { type: 'requestPage', page } : undefined;
    case 'error': {
      const message = field(v, 'message');
      return typeof message === 'string' ? { type: 'error', message: message.slice(0, 2000) } : undefined;
    }
    default:
      return undefined;
  }
}

export function parseResultMessage(v: unknown): ResultToHost | undefined {
  if (!isObject(v)) return undefined;
  const type = field(v, 'type');
  switch (type) {
    case 'ready':
    case 'insert':
    case 'copy':
      return { type };
    case 'retry': {
      const mode = field(v, 'mode');
      return isConvertMode(mode) ? { type: 'retry', mode } : undefined;
    }
    default:
      return undefined;
  }
}

/** A short, safe description of a rejected message for the log (it may be huge, circular or hold BigInts). */
export function describeMessage(v: unknown): string {
  try {
    return (JSON.stringify(v) ?? String(v)).slice(0, 200);
  } catch {
    return `<${typeof v} that cannot be shown>`;
  }
}
