/**
 * Text normalisation and scoring for the benchmark. The same normalisation is applied to the ground truth, to
 * our output and to Tesseract's output, so it never favours one system (see bench/README.md).
 */

/** Characters folded together after NFKC: typographic quotes and dashes become their ASCII forms. */
const foldings: [RegExp, string][] = [
  [/[\u00AD\u200B-\u200D\u2060\uFEFF]/g, ''],
  [/[\u2018\u2019\u201A\u201B\u2032\u02BC\u0060\u00B4]/g, "'"],
  [/[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/g, '"'],
  [/[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g, '-'],
  // TeX-style quotes in some transcripts: `` and '' (after the folding above, both are '').
  [/''/g, '"'],
];

/** List bullets and Markdown's unordered-list marker at the start of a line (with the space after them). */
const bulletAtStart = /^(?:[-*+\u2022\u00B7\u25AA\u25CF\u25CB\u25E6\u25A0\u25A1\u2023\u2043]\s+)+/u;

/**
 * One line of text, normalised: NFKC, quotes/dashes folded, Markdown heading marks, a leading Markdown escape
 * and list bullets removed, white space collapsed.
 */
export function normalizeLine(line: string): string {
  let s = line.normalize('NFKC');
  for (const [re, to] of foldings) s = s.replace(re, to);
  s = s.replace(/\s+/g, ' ').trim();
  s = s.replace(/^#{1,6}\s+/, '');
  s = s.replace(/^\\(?=[#>+\-*\d])/, '');
  s = s.replace(bulletAtStart, '');
  return s.trim();
}

/**
 * Page text in reading order as one string: lines normalised, empty lines dropped, lines joined with one space,
 * except after a line ending in letter + hyphen: before a lower-case letter the hyphen goes (end-of-line
 * hyphenation), before a capital or digit it stays and no space is added ("COVID-19"), as our engine joins lines.
 * Blank lines and paragraph breaks carry no weight.
 */
export function linearize(text: string | string[]): string {
  const lines = (Array.isArray(text) ? text : text.split(/\r?\n|\f|\v/)).map(normalizeLine).filter((l) => l.length > 0);
  let out = '';
  for (const line of lines) {
    if (!out) out = line;
    else if (/\p{L}-$/u.test(out) && /^\p{Ll}/u.test(line)) out = out.slice(0, -1) + line;
    else if (/\p{L}-$/u.test(out) && /^[\p{Lu}\d]/u.test(line)) out += line;
    else out += ' ' + line;
  }
  return out;
}

/**
 * UNLV ground truth (tesseract-testing) marks characters it could not transcribe with `~`. A word that is only
 * `~` is dropped; a `~` inside a word matches any one character or none, at no cost, and is not counted in the
 * reference length.
 */
export function dropRejectWords(text: string): string {
  return text.split(' ').filter((w) => !/^~+$/.test(w)).join(' ');
}

export type Category = 'space' | 'punct' | 'case' | 'alnum' | 'missedRun' | 'extraRun';

export interface CharScore {
  distance: number;
  refLength: number;
  /** Edit operations by kind; runs of at least `runLength` deletions (insertions) are counted as one block. */
  byCategory: Record<Category, number>;
  /** Longest run of deleted reference characters, and of inserted hypothesis characters. */
  examples: { kind: 'sub' | 'del' | 'ins'; ref: string; hyp: string; context: string }[];
}

const runLength = 8;
const isPunct = (c: string) => /[\p{P}\p{S}]/u.test(c);

/**
 * Levenshtein distance between characters with a full backtrace, so that every edit can be put in a category.
 * `wildcard`: `~` in the reference matches anything or nothing for free.
 */
export function charScore(ref: string, hyp: string, wildcard = false, keepExamples = 0): CharScore {
  const r = Array.from(ref);
  const h = Array.from(hyp);
  const n = r.length, m = h.length;
  const isWild = (c: string) => wildcard && c === '~';
  const W = m + 1;
  // dir: 0 diag match/sub, 1 deletion (ref char unmatched), 2 insertion (hyp char extra)
  const dir = new Uint8Array((n + 1) * W);
  let prev = new Float64Array(W);
  let cur = new Float64Array(W);
  for (let j = 0; j <= m; j++) {
    prev[j] = j;
    dir[j] = 2;
  }
  for (let i = 1; i <= n; i++) {
    const rc = r[i - 1]!;
    const wild = isWild(rc);
    cur[0] = prev[0]! + (wild ? 0 : 1);
    dir[i * W] = 1;
    for (let j = 1; j <= m; j++) {
      const sub = prev[j - 1]! + (wild || rc === h[j - 1] ? 0 : 1);
      const del = prev[j]! + (wild ? 0 : 1);
      const ins = cur[j - 1]! + 1;
      let best = sub, d = 0;
      if (del < best) (best = del), (d = 1);
      if (ins < best) (best = ins), (d = 2);
      cur[j] = best;
      dir[i * W + j] = d;
    }
    [prev, cur] = [cur, prev];
  }
  const distance = prev[m]!;
  // Backtrace into a list of operations, from the end.
  type Op = { kind: 'ok' | 'sub' | 'del' | 'ins'; i: number; j: number };
  const ops: Op[] = [];
  let i = n, j = m;
  while (i > 0 || j > 0) {
    const d = i === 0 ? 2 : j === 0 ? 1 : dir[i * W + j]!;
    if (d === 0) {
      const same = isWild(r[i - 1]!) || r[i - 1] === h[j - 1];
      ops.push({ kind: same ? 'ok' : 'sub', i: i - 1, j: j - 1 });
      i--, j--;
    } else if (d === 1) {
      if (!isWild(r[i - 1]!)) ops.push({ kind: 'del', i: i - 1, j });
      i--;
    } else {
      ops.push({ kind: 'ins', i, j: j - 1 });
      j--;
    }
  }
  ops.reverse();
  const byCategory: Record<Category, number> = { space: 0, punct: 0, case: 0, alnum: 0, missedRun: 0, extraRun: 0 };
  // Mark deletions/insertions that belong to long runs (interleaved del/ins runs count as both).
  const inRun = new Uint8Array(ops.length);
  for (const kind of ['del', 'ins'] as const) {
    let start = -1, count = 0;
    const flush = (end: number) => {
      if (count >= runLength) for (let k = start; k < end; k++) if (ops[k]!.kind === kind) inRun[k] = 1;
      start = -1;
      count = 0;
    };
    ops.forEach((op, k) => {
      if (op.kind === kind || (op.kind !== 'ok' && count > 0)) {
        if (start < 0) start = k;
        if (op.kind === kind) count++;
      } else flush(k);
    });
    flush(ops.length);
  }
  const examples: CharScore['examples'] = [];
  ops.forEach((op, k) => {
    if (op.kind === 'ok') return;
    const a = op.kind === 'ins' ? '' : r[op.i]!;
    const b = op.kind === 'del' ? '' : h[op.j]!;
    let cat: Category;
    if (inRun[k]) cat = op.kind === 'del' ? 'missedRun' : 'extraRun';
    else if (a === ' ' || b === ' ') cat = 'space';
    else if (op.kind === 'sub' && a.toLowerCase() === b.toLowerCase()) cat = 'case';
    else if ((a && isPunct(a)) || (b && isPunct(b))) cat = 'punct';
    else cat = 'alnum';
    byCategory[cat]++;
  });
  if (keepExamples > 0) {
    // Group consecutive non-ok operations into edits and keep the first few with some context.
    let k = 0;
    while (k < ops.length && examples.length < keepExamples) {
      if (ops[k]!.kind === 'ok') {
        k++;
        continue;
      }
      let e = k;
      while (e < ops.length && ops[e]!.kind !== 'ok') e++;
      const group = ops.slice(k, e);
      const refPart = group.filter((o) => o.kind !== 'ins').map((o) => r[o.i]).join('');
      const hypPart = group.filter((o) => o.kind !== 'del').map((o) => h[o.j]).join('');
      const at = group[0]!.i;
      examples.push({
        kind: refPart && hypPart ? 'sub' : refPart ? 'del' : 'ins',
        ref: refPart,
        hyp: hypPart,
        context: r.slice(Math.max(0, at - 20), Math.min(n, at + refPart.length + 20)).join(''),
      });
      k = e;
    }
  }
  const refLength = r.filter((c) => !isWild(c)).length;
  return { distance, refLength, byCategory, examples };
}

function wordMatches(refWord: string, hypWord: string, wildcard: boolean): boolean {
  if (refWord === hypWord) return true;
  if (!wildcard || !refWord.includes('~')) return false;
  const pattern = refWord.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/~/g, '.?');
  return new RegExp(`^${pattern}$`, 'u').test(hypWord);
}

export const words = (text: string): string[] => text.split(' ').filter((w) => w.length > 0);

/** Word-level Levenshtein distance and reference word count. */
export function wordScore(ref: string, hyp: string, wildcard = false): { distance: number; refLength: number } {
  const r = words(ref), h = words(hyp);
  let prev = Array.from({ length: h.length + 1 }, (_, j) => j);
  for (let i = 1; i <= r.length; i++) {
    const cur = [i];
    for (let j = 1; j <= h.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (wordMatches(r[i - 1]!, h[j - 1]!, wildcard) ? 0 : 1));
    }
    prev = cur;
  }
  return { distance: prev[h.length]!, refLength: r.length };
}

/** Order-independent bag-of-words overlap: matched words (multiset intersection), reference and output counts. */
export function bagOfWords(ref: string, hyp: string, wildcard = false): { matched: number; refCount: number; hypCount: number } {
  const r = words(ref), h = words(hyp);
  const pool = new Map<string, number>();
  for (const w of h) pool.set(w, (pool.get(w) ?? 0) + 1);
  let matched = 0;
  const fuzzy: string[] = [];
  for (const w of r) {
    const left = pool.get(w) ?? 0;
    if (left > 0) {
      pool.set(w, left - 1);
      matched++;
    } else if (wildcard && w.includes('~')) fuzzy.push(w);
  }
  for (const w of fuzzy) {
    for (const [candidate, left] of pool) {
      if (left > 0 && wordMatches(w, candidate, true)) {
        pool.set(candidate, left - 1);
        matched++;
        break;
      }
    }
  }
  return { matched, refCount: r.length, hypCount: h.length };
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
