import type { CancelToken } from '../errors';
import type { LoadedPage } from '../pipeline/load';
import type { EngineStatus, Quad, RecognitionMode, RecognizeResult } from '../protocol';

export interface EngineRequest {
  page: LoadedPage;
  token: CancelToken;
  /** Human-readable progress for the work-done reporter. */
  report(message: string): void;
}

/** What an engine returns; boxes are in raster pixels, the dispatcher maps them to page units. */
export interface EngineResult {
  content: string;
  format: RecognizeResult['format'];
  confidence: number;
  lines: { text: string; confidence: number; box: Quad }[];
  models: string[];
  timings: Record<string, number>;
  alternatives?: RecognizeResult['alternatives'];
  table?: RecognizeResult['table'];
  math?: RecognizeResult['math'];
  layout?: RecognizeResult['layout'];
  chem?: RecognizeResult['chem'];
  /** The page was read turned by 180° (it was upside down): the boxes are in the turned raster. */
  turned?: boolean;
}

/** The one interface every recognition engine (text, math, table, chem, layout) implements. */
export interface Engine {
  readonly mode: RecognitionMode;
  readonly name: string;
  status(): EngineStatus;
  recognize(request: EngineRequest): Promise<EngineResult>;
}
