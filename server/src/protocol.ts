/**
 * The OCR daemon's custom LSP messages, declared once and imported by both the server and the client.
 * docs/protocol.md describes the same messages for people; a test checks every method here is documented there.
 *
 * Coordinates: a region and every returned box are in the page's own units, with the origin at the top-left
 * corner of the page as displayed:
 *   - raster images: pixels of the image after its EXIF orientation is applied;
 *   - PDF pages: PDF points (1/72 inch) of the page as pdf.js shows it at scale 1 (its /Rotate applied).
 * The daemon renders PDF regions itself at `dpi`, so a client never has to send screen pixels.
 */
import { RequestType, RequestType0, NotificationType, type WorkDoneProgressParams } from 'vscode-languageserver-protocol';

export type RecognitionMode = 'text' | 'math' | 'table' | 'chem' | 'auto';
export const recognitionModes: readonly RecognitionMode[] = ['text', 'math', 'table', 'chem', 'auto'];

export type ExecutionProviderSetting = 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml';
export const executionProviderSettings: readonly ExecutionProviderSetting[] = ['auto', 'cpu', 'cuda', 'dml', 'coreml'];

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Exactly one of `path`, `uri` or `data` is given. */
export interface ImageSource {
  /** Absolute (or daemon-cwd-relative) file path. */
  path?: string;
  /** A `file:` URI. */
  uri?: string;
  /** Raw file bytes (PNG, JPEG, TIFF, WebP, BMP, GIF or PDF), base64-encoded. */
  data?: string;
}

/** `workDoneToken` (optional) receives progress messages while the request runs. */
export interface RecognizeParams extends WorkDoneProgressParams {
  source: ImageSource;
  mode: RecognitionMode;
  /** 1-based page for PDFs, multi-page TIFFs and animated GIFs; default 1. */
  page?: number;
  /** Part of the page to read, in page units (see the top of this file); default the whole page. */
  region?: Region;
  /** Render resolution for PDF pages; default 300. Ignored for raster images. */
  dpi?: number;
}

/** Four corners clockwise from top-left, in page units. */
export type Quad = [[number, number], [number, number], [number, number], [number, number]];

export interface RecognizedLine {
  text: string;
  confidence: number;
  box: Quad;
}

export interface RecognizeResult {
  mode: RecognitionMode;
  /** The recognised content: Markdown for `text`. */
  content: string;
  format: 'markdown' | 'latex' | 'html' | 'smiles';
  /** 0..1, the engine's own estimate. */
  confidence: number;
  lines: RecognizedLine[];
  engine: { name: string; models: string[]; executionProvider: string };
  page: { number: number; count: number; width: number; height: number; unit: 'px' | 'pt' };
  /** Milliseconds per step (decode, detect, classify, recognize, layout, total). */
  timings: Record<string, number>;
  /** The same result in other formats, for clients that insert into other file types (tables: GFM, HTML, LaTeX). */
  alternatives?: { markdown?: string; html?: string; latex?: string };
  /** Table mode: the recognised structure. */
  table?: TableStructure;
  /**
   * Auto mode: the decision for the selection and the blocks found besides plain text (tables, figures, display
   * formulas, figures read as molecules; on a whole page also running headers/footers, left out of `content`, and footnotes, put last), in page units.
   */
  layout?: {
    /** What the whole selection was taken to be, and so which engine answered. */
    kind: 'text' | 'table' | 'figure' | 'math' | 'chem';
    blocks: { kind: 'table' | 'figure' | 'math' | 'chem' | 'header' | 'footer' | 'footnote'; box: Quad }[];
  };
  /** Math mode: whether MathJax parses the LaTeX (an invalid result must not be inserted silently) and its SVG. */
  math?: MathCheck;
  /** Chem mode: the molecule, drawn back by RDKit so the user can compare it with the crop. */
  chem?: ChemStructure;
}

/** A recognised molecule. `content` holds the same canonical SMILES. */
export interface ChemStructure {
  /** RDKit canonical (isomeric) SMILES. */
  smiles: string;
  /** Molecular formula in Hill order, net charge appended ("C9H8O4", "C6H5NO2", "H4N+"); `*` atoms are left out. */
  formula: string;
  /** The molecule drawn by RDKit, a standalone SVG document. */
  svg: string;
  /** MDL molfile (V2000) with 2D coordinates. */
  molfile: string;
  /** Standard InChI and InChIKey; absent when RDKit cannot make one (e.g. `*` atoms). */
  inchi?: string;
  inchiKey?: string;
  /** How many OSRA runs (differently prepared crops) gave this answer, of how many. */
  agreement: { votes: number; runs: number };
  /** Atom labels OSRA could not read that were re-read by the text engine: OSRA's reading and ours. */
  relabelled?: { osra: string; read: string }[];
}

export interface MathCheck {
  valid: boolean;
  parseError?: string;
  svg?: string;
  stoppedBy: 'eos' | 'length' | 'repetition';
  tokens: number;
}

export interface TableStructure {
  rows: number;
  cols: number;
  headerRows: number;
  /** How the source draws rules: a full grid, booktabs-style horizontal rules, or none. */
  style: 'grid' | 'booktabs' | 'plain';
  /** Row-major, anchored at their top-left grid position; `math`: the LaTeX of a cell that is a formula. */
  cells: { row: number; col: number; rowSpan: number; colSpan: number; text: string; math?: string }[];
}

export interface EngineStatus {
  mode: RecognitionMode;
  available: boolean;
  /** Why the engine is unavailable, when it is. */
  reason?: string;
  models: { name: string; path: string; loaded: boolean }[];
}

export interface StatusResult {
  version: string;
  executionProvider: {
    requested: ExecutionProviderSetting;
    /** The provider the loaded sessions run on; `none` before any model is loaded. */
    active: string;
    /** Set when a GPU provider was asked for and CPU is used instead. */
    fallbackReason?: string;
  };
  engines: EngineStatus[];
  versions: { node: string; onnxruntime: string; sharp: string; pdfjs: string };
  limits: Limits;
}

/** Enforced before work starts (README "Limits"); defaults in server/src/limits.ts. */
export interface Limits {
  /** Decoded pixels of a page or region. */
  maxPixels: number;
  maxFileBytes: number;
  maxPdfDpi: number;
  /** Pages of one document in `ocr/convertDocument` (and the CLI's convert). */
  maxDocumentPages: number;
  maxQueuedRequests: number;
  requestTimeoutMs: number;
  /** Estimated peak memory of one request or document page, in MiB, refused before decoding. */
  memoryPerRequestMB: number;
  /** Resident memory of the daemon, in MiB, above which a running request is stopped. */
  rssCeilingMB: number;
}

/** Options the client passes in `initializationOptions`; the CLI passes the same through flags. */
export interface ServerOptions {
  executionProvider?: ExecutionProviderSetting;
  /** Overrides of the default limits, e.g. `{ memoryPerRequestMB: 1024 }`. */
  limits?: Partial<Limits>;
}

/** Machine-readable reasons carried in `ResponseError.data.kind`. */
export type OcrErrorKind =
  | 'fileNotFound'
  | 'unsupportedFormat'
  | 'corruptImage'
  | 'corruptPdf'
  | 'encryptedPdf'
  | 'pageOutOfRange'
  | 'badRegion'
  | 'tooLarge'
  | 'badRequest'
  | 'modeNotAvailable'
  | 'modelLoad'
  | 'busy'
  | 'timeout'
  | 'internal';

export interface OcrErrorData {
  kind: OcrErrorKind;
}

export namespace RecognizeRequest {
  export const method = 'ocr/recognize' as const;
  export const type = new RequestType<RecognizeParams, RecognizeResult, OcrErrorData>(method);
}

export namespace StatusRequest {
  export const method = 'ocr/status' as const;
  export const type = new RequestType0<StatusResult, void>(method);
}

export interface ConvertDocumentParams extends WorkDoneProgressParams {
  /** A PDF or image file. */
  path: string;
  /** Folder for `<name>.md` (and `<name>.assets/`); default beside the source. */
  outDir?: string;
  /** Replace an existing `<name>.md`; otherwise the result has status `exists` and nothing is written. */
  overwrite?: boolean;
  /** Render resolution for PDF pages without a text layer; default 300. */
  dpi?: number;
  /** `always`: OCR every page even when the PDF has a usable text layer; default `auto`. */
  ocr?: 'auto' | 'always';
}

export interface ConvertDocumentResult {
  source: string;
  output: string;
  status: 'converted' | 'exists' | 'failed';
  error?: string;
  /** Per page: `text-layer` (read from the PDF) or `ocr`, the confidence, and whether an earlier run had done it. */
  pages: { page: number; method: 'text-layer' | 'ocr'; confidence: number; resumed: boolean }[];
  /** Pages whose confidence is low enough that a person should check them. */
  review: number[];
}

/** Converts one document to Markdown, resumably; progress reports each page. */
export namespace ConvertDocumentRequest {
  export const method = 'ocr/convertDocument' as const;
  export const type = new RequestType<ConvertDocumentParams, ConvertDocumentResult, OcrErrorData>(method);
}

/** Sent by the server when its health or busy state changes, for the client's status bar. */
export interface ServerStatusParams {
  health: 'ok' | 'warning' | 'error';
  busy: boolean;
  executionProvider: string;
  message?: string;
}

export namespace ServerStatusNotification {
  export const method = 'ocr/serverStatus' as const;
  export const type = new NotificationType<ServerStatusParams>(method);
}
