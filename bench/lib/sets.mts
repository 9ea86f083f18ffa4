/**
 * Loaders for the text evaluation sets in ../shared/eval/text (read-only; nothing here is copied into the repo).
 * Every item is one image file plus its ground truth as lines in the ground truth's own reading order, with
 * line boxes where the set has them (for order-independent scoring).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface GtLine {
  text: string;
  box?: Box;
  /** Word boxes, when the ground truth has them. */
  words?: { text: string; box: Box }[];
}

export type ItemKind = 'line' | 'paragraph' | 'page';

export interface Item {
  set: string;
  id: string;
  kind: ItemKind;
  /** Image file both systems read; for derived crops it is filled in once the crop is written. */
  image: string;
  /** Source page and region for derived crops. */
  crop?: { page: string; region: Box };
  lines: GtLine[];
  /** UNLV `~` reject marks in the ground truth. */
  wildcard: boolean;
  /** The ground truth is upper-cased (SROIE): both sides are compared upper-cased. */
  caseFold?: boolean;
  /** Tesseract page segmentation mode for this kind of item. */
  psm: number;
}

export const setNames = ['uw3-lines', 'scribeocr-paragraphs', 'tesseract-testing', 'scribeocr-pages', 'sroie-receipts'] as const;
export type SetName = (typeof setNames)[number];

const psmFor: Record<ItemKind, number> = { line: 7, paragraph: 6, page: 3 };

export function evalRoot(): string {
  const candidates = [process.env.FORMATTED_OCR_EVAL, join(process.cwd(), '..', 'shared', 'eval'), '/work/shared/eval'].filter(Boolean) as string[];
  const found = candidates.find((c) => existsSync(join(c, 'text')));
  if (!found) throw new Error(`Evaluation sets not found (tried ${candidates.join(', ')}); set FORMATTED_OCR_EVAL.`);
  return found;
}

export function loadSet(name: SetName, root: string): Item[] {
  switch (name) {
    case 'uw3-lines':
      return uw3Lines(join(root, 'text/uw3-lines/calamari_ocr/test/data/uw3_50lines'));
    case 'tesseract-testing':
      return tesseractTesting(join(root, 'text/tesseract-testing/testing'));
    case 'scribeocr-pages':
      return scribePages(join(root, 'text/scribeocr-pages'));
    case 'scribeocr-paragraphs':
      return scribeParagraphs(scribePages(join(root, 'text/scribeocr-pages')));
    case 'sroie-receipts':
      return sroie(join(root, 'text/sroie-receipts/data'));
  }
}

function uw3Lines(dir: string): Item[] {
  const items: Item[] = [];
  for (const split of ['test', 'train']) {
    for (const file of readdirSync(join(dir, split)).filter((f) => f.endsWith('.bin.png')).sort()) {
      const stem = file.slice(0, -'.bin.png'.length);
      const text = readFileSync(join(dir, split, `${stem}.gt.txt`), 'utf8').trim();
      items.push({ set: 'uw3-lines', id: `${split}/${stem}`, kind: 'line', image: join(dir, split, file), lines: [{ text }], wildcard: false, psm: psmFor.line });
    }
  }
  return items;
}

function tesseractTesting(dir: string): Item[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tif') && existsSync(join(dir, f.replace(/\.tif$/, '.txt'))))
    .sort()
    .map((f) => ({
      set: 'tesseract-testing',
      id: f.replace(/\.tif$/, ''),
      kind: 'page' as const,
      image: join(dir, f),
      lines: readFileSync(join(dir, f.replace(/\.tif$/, '.txt')), 'utf8').split(/\r?\n/).map((text) => ({ text })),
      wildcard: true,
      psm: psmFor.page,
    }));
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return entities[e.toLowerCase()] ?? all;
  });
}

const bboxOf = (title: string): Box | undefined => {
  const m = /bbox (-?\d+) (-?\d+) (-?\d+) (-?\d+)/.exec(title);
  return m ? { x0: +m[1]!, y0: +m[2]!, x1: +m[3]!, y1: +m[4]! } : undefined;
};

/** hOCR lines in document order, each with its word boxes (inline tags such as <sup> are dropped, their text kept). */
export function parseHocr(html: string): GtLine[] {
  const lines: GtLine[] = [];
  const lineRe = /<span class=['"]ocr_line['"][^>]*title=(['"])([^'"]*)\1[^>]*>([\s\S]*?)(?=<span class=['"]ocr_line|<\/div>)/g;
  for (const m of html.matchAll(lineRe)) {
    const words: { text: string; box: Box }[] = [];
    const wordRe = /<span class=['"]ocrx_word['"][^>]*title=(['"])([^'"]*)\1[^>]*>([\s\S]*?)<\/span>/g;
    for (const w of m[3]!.matchAll(wordRe)) {
      const text = decodeEntities(w[3]!.replace(/<[^>]+>/g, '')).trim();
      const box = bboxOf(w[2]!);
      if (text && box) words.push({ text, box });
    }
    if (words.length === 0) continue;
    lines.push({ text: words.map((w) => w.text).join(' '), box: bboxOf(m[2]!) ?? union(words.map((w) => w.box)), words });
  }
  return lines;
}

export function union(boxes: Box[]): Box {
  return {
    x0: Math.min(...boxes.map((b) => b.x0)),
    y0: Math.min(...boxes.map((b) => b.y0)),
    x1: Math.max(...boxes.map((b) => b.x1)),
    y1: Math.max(...boxes.map((b) => b.y1)),
  };
}

function scribePages(dir: string): Item[] {
  const images = readdirSync(join(dir, 'img')).sort();
  const items: Item[] = [];
  for (const image of images) {
    const stem = image.replace(/\.(png|jpe?g)$/i, '');
    const gt = [`${stem}.truth.hocr`, `${stem}.hocr`].map((f) => join(dir, 'ground_truth', f)).find(existsSync);
    if (!gt) continue;
    items.push({ set: 'scribeocr-pages', id: stem, kind: 'page', image: join(dir, 'img', image), lines: parseHocr(readFileSync(gt, 'utf8')), wildcard: false, psm: psmFor.page });
  }
  return items;
}

/**
 * 4-line paragraph crops cut from the scribeocr pages with the ground-truth line boxes: four consecutive
 * ground-truth lines of similar height, stacked at normal line spacing with aligned left edges, whose padded
 * bounding box contains no other word of the page. At most `perPage` crops a page, spread over the page.
 */
function scribeParagraphs(pages: Item[], perPage = 3): Item[] {
  const items: Item[] = [];
  for (const page of pages) {
    const lines = page.lines;
    const candidates: { start: number; region: Box }[] = [];
    for (let s = 0; s + 4 <= lines.length; ) {
      const group = lines.slice(s, s + 4);
      const region = paragraphRegion(group, lines);
      if (region) {
        candidates.push({ start: s, region });
        s += 4;
      } else s++;
    }
    const step = candidates.length / Math.min(perPage, candidates.length);
    for (let k = 0; k < Math.min(perPage, candidates.length); k++) {
      const c = candidates[Math.floor(k * step)]!;
      items.push({
        set: 'scribeocr-paragraphs',
        id: `${page.id}#L${c.start + 1}-${c.start + 4}`,
        kind: 'paragraph',
        image: '',
        crop: { page: page.image, region: c.region },
        lines: lines.slice(c.start, c.start + 4).map((l) => ({ text: l.text })),
        wildcard: false,
        psm: psmFor.paragraph,
      });
    }
  }
  return items;
}

function paragraphRegion(group: GtLine[], all: GtLine[]): Box | undefined {
  const boxes = group.map((l) => l.box!);
  const heights = boxes.map((b) => b.y1 - b.y0);
  const h = Math.max(...heights);
  if (Math.min(...heights) < 0.7 * h) return undefined;
  if (group.some((l) => (l.words?.length ?? 0) < 3 || l.box!.x1 - l.box!.x0 < 8 * h)) return undefined;
  for (let i = 1; i < 4; i++) {
    const gap = boxes[i]!.y0 - boxes[i - 1]!.y1;
    if (gap < -0.2 * h || gap > 1.2 * h) return undefined;
    if (Math.abs(boxes[i]!.x0 - boxes[0]!.x0) > 3 * h) return undefined;
  }
  const u = union(boxes);
  const pad = Math.round(0.4 * h);
  const region = { x0: Math.max(0, u.x0 - pad), y0: Math.max(0, u.y0 - pad), x1: u.x1 + pad, y1: u.y1 + pad };
  for (const line of all) {
    if (group.includes(line)) continue;
    for (const w of line.words ?? []) {
      if (w.box.x0 < region.x1 && w.box.x1 > region.x0 && w.box.y0 < region.y1 && w.box.y1 > region.y0) return undefined;
    }
  }
  return region;
}

function sroie(dir: string): Item[] {
  return readdirSync(join(dir, 'img'))
    .filter((f) => /\.jpe?g$/i.test(f))
    .sort()
    .map((f) => {
      const stem = f.replace(/\.jpe?g$/i, '');
      const csv = readFileSync(join(dir, 'box', `${stem}.csv`), 'utf8').replace(/^\uFEFF/, '');
      const lines: GtLine[] = [];
      for (const row of csv.split(/\r?\n/)) {
        const parts = row.split(',');
        if (parts.length < 9) continue;
        const xs = [0, 2, 4, 6].map((k) => Number(parts[k])), ys = [1, 3, 5, 7].map((k) => Number(parts[k]));
        const text = parts.slice(8).join(',').trim();
        if (!text || ![...xs, ...ys].every(Number.isFinite)) continue;
        lines.push({ text, box: { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) } });
      }
      return { set: 'sroie-receipts', id: stem, kind: 'page' as const, image: join(dir, 'img', f), lines, wildcard: false, caseFold: true, psm: psmFor.page };
    });
}

export const describe = (item: Item) => `${item.set}/${basename(item.id)}`;
