/**
 * One page → Markdown. A PDF page with a usable text layer is read from it (exact text, no recognition
 * errors, milliseconds); otherwise the page is rendered and recognised. The result says which path was used.
 */
import type { CancelToken } from '../errors';
import { groupLines, paragraphs, readingOrder, toMarkdown, type TextBox } from '../engines/text/layout';
import type { LoadedPage } from '../pipeline/load';
import type { PdfTextItem } from '../pipeline/pdf';
import type { OcrService } from '../service';

export interface PageMarkdown {
  page: number;
  method: 'text-layer' | 'ocr';
  markdown: string;
  confidence: number;
}

/**
 * A text layer is usable when it holds real text: enough characters, and mostly letters, digits and
 * punctuation rather than replacement or private-use glyphs (fonts without a Unicode map extract as junk).
 */
export function textLayerUsable(items: PdfTextItem[]): boolean {
  const text = items.map((i) => i.text).join('').replace(/\s+/g, '');
  if (text.length < 20) return false;
  const junk = [...text].filter((ch) => ch === '\uFFFD' || (ch >= '\uE000' && ch <= '\uF8FF') || ch < ' ').length;
  const readable = (text.match(/[\p{L}\p{N}\p{P}\p{S}]/gu) ?? []).length;
  return junk / text.length < 0.02 && readable / text.length > 0.9;
}

export function markdownFromTextLayer(items: PdfTextItem[]): string {
  const boxes: TextBox[] = items.map((i) => ({ text: i.text, confidence: 1, x0: i.x0, y0: i.y0, x1: i.x1, y1: i.y1 }));
  return toMarkdown(paragraphs(readingOrder(groupLines(boxes))));
}

export async function recognizePage(service: OcrService, page: LoadedPage, token: CancelToken): Promise<PageMarkdown> {
  const result = await service.recognizeLoaded(page, 'text', token);
  return { page: page.pageNumber, method: 'ocr', markdown: result.content, confidence: result.confidence };
}
