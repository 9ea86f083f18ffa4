/**
 * TEDS — Tree-Edit-Distance-based Similarity for tables (Zhong et al., "Image-based table recognition: data,
 * model, and evaluation", 2019), written for this project: a small HTML reader, the Zhang–Shasha tree edit
 * distance and the TEDS cost model.
 *
 * The table's HTML becomes a tree table → thead/tbody → tr → td. Inserting or deleting a node costs 1. Renaming
 * costs 1 when the tags differ or a td's colspan/rowspan differ; otherwise, between two td nodes, the
 * normalised Levenshtein distance of their contents (0 for structure-only TEDS-S), and 0 between equal
 * structural nodes. TEDS = 1 − TED / max(|T1|, |T2|).
 *
 * Conventions follow the PubTabNet reference scorer so that scores compare with published ones:
 * - a cell's content is a token list: each character of its text, and inline markup as whole tokens
 *   (`<b>`, `</b>`, `<sup>`…), so "<b>N</b>" against "N" costs 2 of 3 tokens;
 * - |T| counts the elements below <table>, inline markup inside cells included (`countInline: true`); with
 *   `countInline: false` it is the size of the tree itself (the table node and the cell markup excluded);
 * - the first <table> in the document is scored; no table (or an empty string) on either side scores 0.
 * The tree edit distance itself is exact, so it equals what APTED computes.
 */

export interface TedsNode {
  tag: string;
  colspan: number;
  rowspan: number;
  /** Cell content tokens (td only). */
  content: string[];
  /** Elements inside a td's content (inline markup such as <b>); counted in |T| with countInline. */
  inline: number;
  children: TedsNode[];
}

export interface TedsOptions {
  /** TEDS-S: compare structure only (cell contents ignored). */
  structureOnly?: boolean;
  /** Merge thead/tbody/tfoot into one tbody on both sides (sets without header annotation). */
  collapseSections?: boolean;
  /** Count inline markup inside cells in the normaliser, as the PubTabNet scorer does (default true). */
  countInline?: boolean;
  /** Rewrite each cell's text before scoring (e.g. whitespace normalisation); markup tokens are kept. */
  normalizeText?: (text: string) => string;
  /** Drop inline markup tokens from cell contents (a diagnostic: the nodes still count in |T|). */
  ignoreMarkup?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// HTML reading: enough of HTML for tables — tags with attributes, text with entities, comments, raw-text
// elements (<style>, <script>), void elements, and the implied closings tables rely on (<td> ends at the next
// <td>/<tr>, <tr> at the next <tr>, sections at the next section).

interface Element {
  tag: string;
  attrs: Record<string, string>;
  /** Text and child elements in document order. */
  children: (Element | string)[];
  parent?: Element;
}

const voidTags = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
const rawTextTags = new Set(['script', 'style', 'title', 'textarea']);
const cellTags = new Set(['td', 'th']);
const sectionTags = new Set(['thead', 'tbody', 'tfoot']);

const namedEntities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', ndash: '–', mdash: '—', plusmn: '±', times: '×', minus: '−', deg: '°', micro: 'µ', middot: '·', hellip: '…' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z][a-z0-9]*);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return namedEntities[name.toLowerCase()] ?? whole;
  });
}

function parseAttributes(source: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  const pattern = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  for (let m = pattern.exec(source); m; m = pattern.exec(source)) attrs[m[1]!.toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  return attrs;
}

/** Parses an HTML document (or fragment) into an element tree under a synthetic root. */
export function parseHtml(html: string): Element {
  const root: Element = { tag: '#root', attrs: {}, children: [] };
  let current = root;
  const open = (tag: string, attrs: Record<string, string>) => {
    const element: Element = { tag, attrs, children: [], parent: current };
    current.children.push(element);
    if (!voidTags.has(tag)) current = element;
  };
  /** Closes up to and including the innermost open `tag`, if there is one below `stop` tags. */
  const close = (tags: Set<string> | string, stopAt: Set<string> = new Set(['table', '#root'])) => {
    const wanted = typeof tags === 'string' ? new Set([tags]) : tags;
    for (let e: Element | undefined = current; e && e !== root; e = e.parent) {
      if (wanted.has(e.tag)) {
        current = e.parent!;
        return;
      }
      if (stopAt.has(e.tag)) return;
    }
  };
  const inside = (tags: Set<string>) => {
    for (let e: Element | undefined = current; e && e !== root; e = e.parent) {
      if (tags.has(e.tag)) return true;
      if (e.tag === 'table') return false;
    }
    return false;
  };
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    const textEnd = lt < 0 ? html.length : lt;
    if (textEnd > i) current.children.push(decodeEntities(html.slice(i, textEnd)));
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    if (html[lt + 1] === '!' || html[lt + 1] === '?') {
      const end = html.indexOf('>', lt);
      i = end < 0 ? html.length : end + 1;
      continue;
    }
    const m = /^<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/.exec(html.slice(lt, lt + 4096));
    if (!m) {
      // A lone "<" is text.
      current.children.push('<');
      i = lt + 1;
      continue;
    }
    i = lt + m[0].length;
    const tag = m[2]!.toLowerCase();
    if (m[1]) {
      close(tag, tag === 'table' ? new Set(['#root']) : new Set(['table', '#root']));
      continue;
    }
    // Implied closings.
    if (cellTags.has(tag) || tag === 'tr' || sectionTags.has(tag)) {
      if (inside(cellTags)) close(cellTags);
      if ((tag === 'tr' || sectionTags.has(tag)) && inside(new Set(['tr']))) close('tr');
      if (sectionTags.has(tag) && inside(sectionTags)) close(sectionTags);
    }
    const attrs = parseAttributes(m[3]!);
    open(tag, attrs);
    if (rawTextTags.has(tag)) {
      const end = html.toLowerCase().indexOf(`</${tag}`, i);
      const stop = end < 0 ? html.length : end;
      current.children.push(html.slice(i, stop));
      const gt = html.indexOf('>', stop);
      i = gt < 0 ? html.length : gt + 1;
      current = current.parent!;
    } else if (/\/\s*$/.test(m[3]!) && !voidTags.has(tag)) current = current.parent!;
  }
  return root;
}

function findFirst(element: Element, tag: string): Element | undefined {
  for (const child of element.children) {
    if (typeof child === 'string') continue;
    if (child.tag === tag) return child;
    const found = findFirst(child, tag);
    if (found) return found;
  }
  return undefined;
}

const span = (value: string | undefined) => {
  const n = parseInt(value ?? '1', 10);
  return Number.isFinite(n) && n > 0 ? n : 1;
};

const markupToken = /^<\/?[a-z][a-z0-9:-]*>$/;

/** Content tokens of a cell: characters of text, inline elements as `<tag>` … `</tag>` tokens. */
function cellTokens(cell: Element, normalizeText?: (text: string) => string): { tokens: string[]; inline: number } {
  const tokens: string[] = [];
  let inline = 0;
  const walk = (e: Element) => {
    for (const child of e.children) {
      if (typeof child === 'string') tokens.push(...Array.from(child));
      else {
        inline++;
        tokens.push(`<${child.tag}>`);
        walk(child);
        tokens.push(`</${child.tag}>`);
      }
    }
  };
  if (!normalizeText) walk(cell);
  else {
    // Normalise the text runs between markup tokens, then re-tokenise.
    const runs: (string | { token: string })[] = [];
    const collect = (e: Element) => {
      for (const child of e.children) {
        if (typeof child === 'string') {
          if (typeof runs[runs.length - 1] === 'string') runs[runs.length - 1] = (runs[runs.length - 1] as string) + child;
          else runs.push(child);
        } else {
          inline++;
          runs.push({ token: `<${child.tag}>` });
          collect(child);
          runs.push({ token: `</${child.tag}>` });
        }
      }
    };
    collect(cell);
    const whole = runs.map((r) => (typeof r === 'string' ? r : `\u0000${r.token}\u0000`)).join('');
    for (const piece of normalizeText(whole).split('\u0000')) {
      if (markupToken.test(piece)) tokens.push(piece);
      else tokens.push(...Array.from(piece));
    }
  }
  return { tokens, inline };
}

/**
 * Reads the first table of an HTML document into a TEDS tree, or undefined when there is no table.
 * td cells are leaves whose content is tokenised; every other element becomes a node (th included, as in the
 * reference scorer — none of our sets uses th).
 */
export function tableTree(html: string, options: Pick<TedsOptions, 'collapseSections' | 'normalizeText' | 'ignoreMarkup'> = {}): TedsNode | undefined {
  if (!html) return undefined;
  const table = findFirst(parseHtml(html), 'table');
  if (!table) return undefined;
  const build = (e: Element): TedsNode => {
    if (e.tag === 'td') {
      const { tokens, inline } = cellTokens(e, options.normalizeText);
      const content = options.ignoreMarkup ? tokens.filter((t) => !markupToken.test(t)) : tokens;
      return { tag: e.tag, colspan: span(e.attrs.colspan), rowspan: span(e.attrs.rowspan), content, inline, children: [] };
    }
    const children = e.children.filter((c): c is Element => typeof c !== 'string').map(build);
    return { tag: e.tag, colspan: 0, rowspan: 0, content: [], inline: 0, children };
  };
  const tree = build(table);
  if (options.collapseSections) {
    const rows: TedsNode[] = [];
    const others: TedsNode[] = [];
    for (const child of tree.children) {
      if (sectionTags.has(child.tag)) rows.push(...child.children);
      else if (child.tag === 'tr') rows.push(child);
      else others.push(child);
    }
    tree.children = [...others, { tag: 'tbody', colspan: 0, rowspan: 0, content: [], inline: 0, children: rows }];
  }
  return tree;
}

/** Nodes below the root, plus inline markup inside cells when `countInline`. */
export function countNodes(tree: TedsNode, countInline = true): number {
  let n = 0;
  const walk = (node: TedsNode) => {
    for (const child of node.children) {
      n += 1 + (countInline ? child.inline : 0);
      walk(child);
    }
  };
  walk(tree);
  return countInline ? n : n + 1;
}

// ---------------------------------------------------------------------------------------------------------
// Edit distances.

let rowA = new Uint32Array(64), rowB = new Uint32Array(64);

/** Levenshtein distance between two token sequences (unit costs). */
export function levenshtein(a: ArrayLike<unknown>, b: ArrayLike<unknown>): number {
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  if (rowA.length <= b.length) (rowA = new Uint32Array(2 * b.length + 1)), (rowB = new Uint32Array(2 * b.length + 1));
  let previous = rowA, row = rowB;
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      const substitute = previous[j - 1]! + (ai === b[j - 1] ? 0 : 1);
      const remove = previous[j]! + 1;
      const insert = row[j - 1]! + 1;
      row[j] = substitute < remove ? (substitute < insert ? substitute : insert) : remove < insert ? remove : insert;
    }
    [previous, row] = [row, previous];
  }
  return previous[b.length]!;
}

interface Indexed<T> {
  nodes: T[];
  /** Postorder index of each node's leftmost leaf. */
  leftmost: Int32Array;
  keyroots: number[];
}

function indexTree<T extends { children: T[] }>(root: T): Indexed<T> {
  const nodes: T[] = [];
  const leftmost: number[] = [];
  // Iterative postorder, so deep trees cannot overflow the stack.
  const stack: { node: T; next: number; left: number }[] = [{ node: root, next: 0, left: -1 }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.node.children.length) {
      stack.push({ node: top.node.children[top.next++]!, next: 0, left: -1 });
      continue;
    }
    stack.pop();
    const index = nodes.length;
    nodes.push(top.node);
    const left = top.left < 0 ? index : top.left;
    leftmost.push(left);
    const parent = stack[stack.length - 1];
    if (parent && parent.left < 0) parent.left = left;
  }
  // Keyroots: the highest node for each distinct leftmost leaf (the root, and every node with a left sibling).
  const highest = new Map<number, number>();
  for (let i = 0; i < nodes.length; i++) highest.set(leftmost[i]!, i);
  const keyroots = [...highest.values()].sort((a, b) => a - b);
  return { nodes, leftmost: Int32Array.from(leftmost), keyroots };
}

/**
 * Zhang–Shasha tree edit distance with unit insert/delete costs and the given rename cost (called once per
 * pair of nodes that the algorithm compares as subtree roots).
 */
export function treeEditDistance<T extends { children: T[] }>(a: T, b: T, rename: (x: T, y: T) => number): number {
  const A = indexTree(a), B = indexTree(b);
  const n = A.nodes.length, m = B.nodes.length;
  const treedist = new Float64Array(n * m);
  const forest = new Float64Array((n + 1) * (m + 1));
  for (const i of A.keyroots) {
    for (const j of B.keyroots) {
      const li = A.leftmost[i]!, lj = B.leftmost[j]!;
      const rows = i - li + 2, cols = j - lj + 2;
      forest[0] = 0;
      for (let x = 1; x < rows; x++) forest[x * cols] = x;
      for (let y = 1; y < cols; y++) forest[y] = y;
      for (let x = 1; x < rows; x++) {
        const i1 = li + x - 1;
        const li1 = A.leftmost[i1]!;
        for (let y = 1; y < cols; y++) {
          const j1 = lj + y - 1;
          const lj1 = B.leftmost[j1]!;
          const remove = forest[(x - 1) * cols + y]! + 1;
          const insert = forest[x * cols + y - 1]! + 1;
          let best = remove < insert ? remove : insert;
          if (li1 === li && lj1 === lj) {
            const change = forest[(x - 1) * cols + y - 1]! + rename(A.nodes[i1]!, B.nodes[j1]!);
            if (change < best) best = change;
            treedist[i1 * m + j1] = best;
          } else {
            const change = forest[(li1 - li) * cols + (lj1 - lj)]! + treedist[i1 * m + j1]!;
            if (change < best) best = change;
          }
          forest[x * cols + y] = best;
        }
      }
    }
  }
  return treedist[(n - 1) * m + (m - 1)]!;
}

/**
 * Levenshtein distance by Myers' bit-parallel algorithm (Hyyrö's formulation): `a` (at most 32 tokens) is the
 * pattern, given by `peq`, a bit mask per token id with bit k set where a[k] is that token. O(|b|) per pair.
 */
export function levenshteinBits(peq: Int32Array, m: number, b: ArrayLike<number>): number {
  const high = 1 << (m - 1);
  let pv = -1, mv = 0, score = m;
  for (let j = 0; j < b.length; j++) {
    const eq = peq[b[j]!] ?? 0;
    const xv = eq | mv;
    const xh = (((eq & pv) + pv) ^ pv) | eq;
    let ph = mv | ~(xh | pv);
    let mh = pv & xh;
    if (ph & high) score++;
    else if (mh & high) score--;
    ph = (ph << 1) | 1;
    mh <<= 1;
    pv = mh | ~(xv | ph);
    mv = ph & xv;
  }
  return score;
}

/** Per-pattern masks for levenshteinBits, over token ids below `alphabet`. */
export function patternMasks(a: ArrayLike<number>, alphabet: number): Int32Array {
  const peq = new Int32Array(alphabet);
  for (let k = 0; k < a.length; k++) peq[a[k]!]! |= 1 << k;
  return peq;
}

function contentDistance(a: ArrayLike<unknown>, b: ArrayLike<unknown>): number {
  if (a.length === 0 && b.length === 0) return 0;
  if (a.length === 0 || b.length === 0) return 1;
  let same = a.length === b.length;
  for (let k = 0; same && k < a.length; k++) same = a[k] === b[k];
  return same ? 0 : levenshtein(a, b) / Math.max(a.length, b.length);
}

interface EncodedCell {
  ids: Int32Array;
  /** Bit masks when the content is short enough for the bit-parallel distance. */
  peq?: Int32Array;
}

export function tedsTrees(pred: TedsNode | undefined, truth: TedsNode | undefined, options: TedsOptions = {}): number {
  if (!pred || !truth) return 0;
  const countInline = options.countInline ?? true;
  const size = Math.max(countNodes(pred, countInline), countNodes(truth, countInline));
  if (size === 0) return 1;
  // Cell contents as integer token ids (with bit masks for short ones): the many cell-against-cell
  // comparisons then cost O(length) each.
  const ids = new Map<string, number>();
  const encoded = new Map<TedsNode, EncodedCell>();
  const encode = (node: TedsNode) => {
    if (node.tag === 'td') encoded.set(node, { ids: Int32Array.from(node.content, (t) => ids.get(t) ?? (ids.set(t, ids.size), ids.size - 1)) });
    node.children.forEach(encode);
  };
  const structureOnly = options.structureOnly ?? false;
  if (!structureOnly) {
    encode(pred);
    encode(truth);
  }
  for (const cell of encoded.values()) if (cell.ids.length > 0 && cell.ids.length <= 32) cell.peq = patternMasks(cell.ids, ids.size);
  const distance = treeEditDistance(pred, truth, (x, y) => {
    if (x.tag !== y.tag || x.colspan !== y.colspan || x.rowspan !== y.rowspan) return 1;
    if (structureOnly || x.tag !== 'td') return 0;
    const a = encoded.get(x)!, b = encoded.get(y)!;
    if (a.ids.length === 0 || b.ids.length === 0 || !(a.peq || b.peq)) return contentDistance(a.ids, b.ids);
    const [pattern, text] = a.peq ? [a, b] : [b, a];
    return levenshteinBits(pattern.peq!, pattern.ids.length, text.ids) / Math.max(a.ids.length, b.ids.length);
  });
  // Unclamped, as in the reference scorer (it cannot go below 0 while renames cost at most 1).
  return 1 - distance / size;
}

/** TEDS (or TEDS-S with structureOnly) between a predicted and a true table, both as HTML. */
export function teds(predHtml: string, trueHtml: string, options: TedsOptions = {}): number {
  return tedsTrees(tableTree(predHtml, options), tableTree(trueHtml, options), options);
}
