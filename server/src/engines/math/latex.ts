/**
 * The one LaTeX tokenizer + normaliser of the project (pure functions, no I/O).
 *
 * Used for (a) building the training targets of the math model (training/math/render.ts)
 * and (b) scoring predictions (bench): both sides go through `normalizeTokens`, so two
 * spellings that render the same become the same token sequence.
 *
 * Token sequence format (im2latex style): one token per control sequence (`\frac`, `\,`,
 * `\{`), one per character (letters and digits are split: `\mathrm { s i n }`), braces as
 * `{` `}`, environments as single tokens `\begin{matrix}` / `\end{matrix}`.
 *
 * Canonical form chosen by the normaliser (see NORMALISATION POLICY below):
 *  - whitespace dropped in math mode; inside text arguments a space is the token `~` (no token
 *    contains whitespace, so a sequence joined by ' ' splits back unambiguously);
 *  - every command / script argument is braced: `x^2` → `x ^ { 2 }`, `\frac12` → `\frac { 1 } { 2 }`;
 *  - grouping braces that do nothing are removed: `{ \frac{a}{b} }` → `\frac{a}{b}`, `{x}^2` → `x^{2}`;
 *    braces are kept where they matter (`{}^{a}`, a multi-atom base `{ab}^{2}`);
 *  - sub/superscripts in the order `_ {…} ^ {…}`; primes become `^ { \prime … }`;
 *  - aliases: `\dfrac`/`\tfrac`/`\cfrac` → `\frac`, `\lbrace` → `\{`, `\le` → `\leq`, `\to` → `\rightarrow`,
 *    `\bigl(` → `\big(`, `\vert` → `|`, `\lt` → `<`, … (table ALIASES);
 *  - old font switches become commands: `{\rm d}` → `\mathrm{d}`, `{\cal L}` → `\mathcal{L}`,
 *    `{a \over b}` → `\frac{a}{b}`, `{n \choose k}` → `\binom{n}{k}`;
 *  - `\operatorname{sin}`, `\mathrm{sin}` → `\sin` for the standard operator names;
 *  - spacing: thin/medium/negative spaces and kerns (`\, \: \; \! \kern…`) are dropped; any run of
 *    wider spaces (`\ `, `~`, `\quad`, `\qquad`, `\enspace`, `\hspace{…}`) becomes one `\quad`;
 *    leading/trailing spaces are dropped;
 *  - style/size switches without visible glyphs are dropped (`\displaystyle`, `\limits`, `\large`,
 *    `\label{…}`, `\color{…}`, `\phantom{…}`, …).
 */

export type Token = string;

type Node = { t: 'tok'; v: string } | { t: 'group'; c: Node[] };

const STAR_CMDS = new Set(['\\operatorname', '\\hspace', '\\vspace', '\\tag']);

/** Split a LaTeX string into tokens. Whitespace runs become one ' ' token (kept so text mode can see it). */
export function tokenize(tex: string): Token[] {
  const out: Token[] = [];
  const n = tex.length;
  let i = 0;
  while (i < n) {
    const ch = tex[i]!;
    if (ch === '%') {
      // comment to end of line
      while (i < n && tex[i] !== '\n') i++;
      continue;
    }
    if (/\s/.test(ch)) {
      while (i < n && /\s/.test(tex[i]!)) i++;
      if (out.length && out[out.length - 1] !== ' ') out.push(' ');
      continue;
    }
    if (ch === '\\') {
      if (i + 1 >= n) {
        out.push('\\');
        i++;
        continue;
      }
      const c1 = tex[i + 1]!;
      if (/[a-zA-Z]/.test(c1)) {
        let j = i + 1;
        while (j < n && /[a-zA-Z]/.test(tex[j]!)) j++;
        let name = tex.slice(i, j);
        if (STAR_CMDS.has(name) && tex[j] === '*') {
          name += '*';
          j++;
        }
        // \begin{env} / \end{env} as one token
        if (name === '\\begin' || name === '\\end') {
          const m = /^\s*\{([a-zA-Z*]+)\}/.exec(tex.slice(j));
          if (m) {
            out.push(`${name}{${m[1]}}`);
            i = j + m[0].length;
            continue;
          }
        }
        out.push(name);
        i = j;
        // a control word swallows following whitespace
        while (i < n && /\s/.test(tex[i]!)) i++;
        continue;
      }
      if (/\s/.test(c1)) {
        out.push('\\ ');
        i += 2;
        while (i < n && /\s/.test(tex[i]!)) i++;
        continue;
      }
      // control symbol (\, \{ \\ \| ...); take one code point
      const cp = String.fromCodePoint(tex.codePointAt(i + 1)!);
      out.push('\\' + cp);
      i += 1 + cp.length;
      continue;
    }
    const cp = String.fromCodePoint(tex.codePointAt(i)!);
    out.push(cp);
    i += cp.length;
  }
  while (out.length && out[out.length - 1] === ' ') out.pop();
  if (out[0] === ' ') out.shift();
  return out;
}

// ---------------------------------------------------------------------------------------------
// NORMALISATION POLICY tables

const ALIASES: Record<string, string> = {
  '\\dfrac': '\\frac', '\\tfrac': '\\frac', '\\cfrac': '\\frac',
  '\\dbinom': '\\binom', '\\tbinom': '\\binom',
  '\\lbrace': '\\{', '\\rbrace': '\\}', '\\lbrack': '[', '\\rbrack': ']',
  '\\lt': '<', '\\gt': '>',
  '\\le': '\\leq', '\\ge': '\\geq', '\\ne': '\\neq', '\\leqq': '\\leqq',
  '\\to': '\\rightarrow', '\\gets': '\\leftarrow',
  '\\implies': '\\Longrightarrow', '\\impliedby': '\\Longleftarrow', '\\iff': '\\Longleftrightarrow',
  '\\vert': '|', '\\lvert': '|', '\\rvert': '|',
  '\\Vert': '\\|', '\\lVert': '\\|', '\\rVert': '\\|',
  '\\land': '\\wedge', '\\lor': '\\vee', '\\lnot': '\\neg', '\\owns': '\\ni',
  '\\dots': '\\ldots', '\\dotsc': '\\ldots', '\\dotso': '\\ldots', '\\dotsb': '\\cdots',
  '\\dotsm': '\\cdots', '\\dotsi': '\\cdots', '\\mathellipsis': '\\ldots',
  '\\ast': '*', '\\cdotp': '\\cdot', '\\dag': '\\dagger', '\\ddag': '\\ddagger',
  '\\bm': '\\boldsymbol', '\\pmb': '\\boldsymbol', '\\bold': '\\mathbf', '\\Bbb': '\\mathbb',
  '\\textrm': '\\text', '\\mbox': '\\text', '\\hbox': '\\text', '\\textnormal': '\\text',
  '\\textup': '\\text', '\\emph': '\\textit',
  '\\stackrel': '\\overset',
  '\\bigl': '\\big', '\\bigr': '\\big', '\\bigm': '\\big',
  '\\Bigl': '\\Big', '\\Bigr': '\\Big', '\\Bigm': '\\Big',
  '\\biggl': '\\bigg', '\\biggr': '\\bigg', '\\biggm': '\\bigg',
  '\\Biggl': '\\Bigg', '\\Biggr': '\\Bigg', '\\Biggm': '\\Bigg',
  '\\cr': '\\\\', '\\sp': '^', '\\sb': '_',
  '\\operatorname*': '\\operatorname',
  '\\begin{align}': '\\begin{aligned}', '\\end{align}': '\\end{aligned}',
  '\\begin{align*}': '\\begin{aligned}', '\\end{align*}': '\\end{aligned}',
  '\\begin{gather}': '\\begin{gathered}', '\\end{gather}': '\\end{gathered}',
  '\\begin{gather*}': '\\begin{gathered}', '\\end{gather*}': '\\end{gathered}',
  '~': '\\ ',
};

/** Tokens removed outright (no argument). */
const DROP = new Set([
  '\\displaystyle', '\\textstyle', '\\scriptstyle', '\\scriptscriptstyle',
  '\\limits', '\\nolimits', '\\displaylimits',
  '\\,', '\\:', '\\;', '\\!', '\\>', '\\thinspace', '\\medspace', '\\thickspace',
  '\\negthinspace', '\\negmedspace', '\\negthickspace', '\\/',
  '\\nonumber', '\\notag', '\\qedhere', '\\allowbreak', '\\nobreak', '\\displaybreak',
  '\\tiny', '\\scriptsize', '\\footnotesize', '\\small', '\\normalsize', '\\large', '\\Large',
  '\\LARGE', '\\huge', '\\Huge', '\\protect', '\\relax', '\\strut', '\\mathstrut',
  '\\left.', // never produced: \left + '.' is kept as two tokens
]);

/** Commands removed together with their N brace arguments. */
const DROP_WITH_ARGS: Record<string, number> = {
  '\\label': 1, '\\tag': 1, '\\tag*': 1, '\\vspace': 1, '\\vspace*': 1, '\\color': 1,
  '\\phantom': 1, '\\vphantom': 1, '\\hphantom': 1,
};

/** Commands replaced by their (last) argument's content. */
const UNWRAP: Record<string, number> = {
  '\\ensuremath': 1, '\\mathnormal': 1, '\\textcolor': 2, '\\smash': 1, '\\displaystyle': 0,
};

/** Wide horizontal spaces (collapsed to one \quad). */
const WIDE_SPACES = new Set(['\\ ', '\\quad', '\\qquad', '\\enspace', '\\hspace', '\\hspace*', '\\hfill', '\\hfil']);
const KERNS = new Set(['\\kern', '\\mkern', '\\hskip', '\\mskip', '\\mspace']);

/** Old-style declarations → command. */
const FONT_SWITCHES: Record<string, string> = {
  '\\rm': '\\mathrm', '\\bf': '\\mathbf', '\\it': '\\mathit', '\\cal': '\\mathcal',
  '\\sf': '\\mathsf', '\\tt': '\\mathtt', '\\mit': '\\mathit', '\\frak': '\\mathfrak',
  '\\boldmath': '\\boldsymbol', '\\sl': '\\mathit', '\\em': '\\mathit',
};

/** Number of mandatory arguments. */
const ARITY: Record<string, number> = {
  '\\frac': 2, '\\binom': 2, '\\overset': 2, '\\underset': 2, '\\sideset': 2, '\\genfrac': 6,
  '\\sqrt': 1, '\\hat': 1, '\\widehat': 1, '\\bar': 1, '\\overline': 1, '\\underline': 1,
  '\\tilde': 1, '\\widetilde': 1, '\\vec': 1, '\\dot': 1, '\\ddot': 1, '\\dddot': 1, '\\ddddot': 1,
  '\\check': 1, '\\breve': 1, '\\acute': 1, '\\grave': 1, '\\mathring': 1, '\\widecheck': 1,
  '\\overrightarrow': 1, '\\overleftarrow': 1, '\\overleftrightarrow': 1,
  '\\underrightarrow': 1, '\\underleftarrow': 1, '\\underleftrightarrow': 1,
  '\\overbrace': 1, '\\underbrace': 1, '\\overparen': 1, '\\underparen': 1,
  '\\xrightarrow': 1, '\\xleftarrow': 1, '\\xleftrightarrow': 1, '\\xRightarrow': 1,
  '\\xLeftarrow': 1, '\\xLeftrightarrow': 1, '\\xmapsto': 1, '\\xhookrightarrow': 1,
  '\\mathrm': 1, '\\mathbf': 1, '\\mathit': 1, '\\mathcal': 1, '\\mathbb': 1, '\\mathfrak': 1,
  '\\mathsf': 1, '\\mathtt': 1, '\\mathscr': 1, '\\boldsymbol': 1, '\\symbf': 1, '\\mathbfit': 1,
  '\\operatorname': 1, '\\mathop': 1, '\\mathrel': 1, '\\mathbin': 1, '\\mathord': 1,
  '\\mathopen': 1, '\\mathclose': 1, '\\mathpunct': 1, '\\mathinner': 1,
  '\\text': 1, '\\textbf': 1, '\\textit': 1, '\\textsf': 1, '\\texttt': 1, '\\textsc': 1,
  '\\ce': 1, '\\fbox': 1, '\\boxed': 1, '\\pmod': 1, '\\pod': 1, '\\substack': 1,
  '\\cancel': 1, '\\bcancel': 1, '\\xcancel': 1, '\\cancelto': 2, '\\not': 0,
  '\\mathclap': 1, '\\mathllap': 1, '\\mathrlap': 1, '\\llap': 1, '\\rlap': 1, '\\clap': 1,
  '\\overunderset': 3, '\\tfrac': 2, '\\dfrac': 2, '\\cfrac': 2,
};

/** Commands that may take one [optional] argument before the mandatory ones. */
const OPTIONAL_ARG = new Set(['\\sqrt', '\\xrightarrow', '\\xleftarrow', '\\xleftrightarrow',
  '\\xRightarrow', '\\xLeftarrow', '\\xLeftrightarrow', '\\xmapsto', '\\xhookrightarrow', '\\cfrac']);

/** Arguments read in text mode (spaces significant). */
const TEXT_CMDS = new Set(['\\text', '\\textbf', '\\textit', '\\textsf', '\\texttt', '\\textsc', '\\ce', '\\fbox']);

/** Commands after which the next token is a delimiter. */
const DELIM_CMDS = new Set(['\\left', '\\right', '\\middle', '\\big', '\\Big', '\\bigg', '\\Bigg']);

/** Operator names with a predefined command (\operatorname{sin} → \sin). */
const OPERATORS = new Set([
  'arccos', 'arcsin', 'arctan', 'arg', 'cos', 'cosh', 'cot', 'coth', 'csc', 'deg', 'det', 'dim',
  'exp', 'gcd', 'hom', 'inf', 'ker', 'lg', 'lim', 'liminf', 'limsup', 'ln', 'log', 'max', 'min',
  'Pr', 'sec', 'sin', 'sinh', 'sup', 'tan', 'tanh',
]);

/** Column-spec argument of these environments is kept verbatim (as tokens). */
const ENV_WITH_SPEC = new Set(['\\begin{array}', '\\begin{tabular}', '\\begin{alignat}', '\\begin{alignat*}', '\\begin{alignedat}']);

// ---------------------------------------------------------------------------------------------

function parse(tokens: Token[]): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  for (const v of tokens) {
    const cur = stack[stack.length - 1];
    if (v === '{') {
      const g: Node = { t: 'group', c: [] };
      cur!.push(g);
      stack.push(g.c);
    } else if (v === '}') {
      if (stack.length > 1) stack.pop();
      // unmatched '}' is dropped
    } else {
      cur!.push({ t: 'tok', v });
    }
  }
  return root;
}

type Atom = { base: Token[]; sub?: Token[]; sup?: Token[]; space?: boolean };

function alias(v: string): string {
  return ALIASES[v] ?? v;
}

function isSpaceNode(n: Node | undefined): boolean {
  return !!n && n.t === 'tok' && n.v === ' ';
}

/** Flatten a node to plain characters (for operator-name detection). */
function plainText(nodes: Node[]): string | null {
  let s = '';
  for (const n of nodes) {
    if (n.t === 'group') {
      const inner = plainText(n.c);
      if (inner === null) return null;
      s += inner;
    } else if (n.v === ' ' || DROP.has(n.v)) continue;
    else if (/^[A-Za-z]$/.test(n.v)) s += n.v;
    else if (n.v === '\\mathrm' || n.v === '\\rm') continue;
    else return null;
  }
  return s;
}

class Normalizer {
  /** Normalise a math-mode list into atoms. */
  mathList(input: Node[]): Atom[] {
    let nodes = input.filter((n) => !isSpaceNode(n));
    // infix \over / \choose / \atop / \above at this level
    // infix operators at this level (not inside a \left…\right pair, which is its own group)
    let infixIdx = -1;
    for (let k = 0, lr = 0; k < nodes.length; k++) {
      const x = nodes[k];
      if (!x || x.t !== 'tok') continue;
      if (x.v === '\\left') lr++;
      else if (x.v === '\\right') lr--;
      else if (lr === 0 && ['\\over', '\\choose', '\\atop', '\\above'].includes(x.v)) {
        infixIdx = k;
        break;
      }
    }
    if (infixIdx >= 0) {
      const op = (nodes[infixIdx] as { v: string }).v;
      const left = nodes.slice(0, infixIdx);
      const right = nodes.slice(infixIdx + 1);
      if (op === '\\above' && right.length) right.shift(); // drop the dimension token(s) roughly
      const cmd = op === '\\choose' ? '\\binom' : op === '\\atop' ? '\\genfrac-atop' : '\\frac';
      if (cmd === '\\genfrac-atop') {
        return [{ base: ['{', ...flat(this.mathList(left)), '\\atop', ...flat(this.mathList(right)), '}'] }];
      }
      return [{ base: [cmd, '{', ...flat(this.mathList(left)), '}', '{', ...flat(this.mathList(right)), '}'] }];
    }
    // font switch declarations: rest of list becomes the argument
    const swIdx = nodes.findIndex((n) => n.t === 'tok' && FONT_SWITCHES[n.v] !== undefined);
    if (swIdx >= 0) {
      const sw = FONT_SWITCHES[(nodes[swIdx] as { v: string }).v];
      const rest = nodes.slice(swIdx + 1);
      nodes = [...nodes.slice(0, swIdx), { t: 'tok', v: sw! }, { t: 'group', c: rest }];
    }

    const atoms: Atom[] = [];
    let i = 0;
    const n = nodes.length;
    const nextArg: PeekNext = (): Node | undefined => {
      while (i < n && isSpaceNode(nodes[i])) i++;
      return i < n ? nodes[i++] : undefined;
    };
    nextArg.peek = (): Node | undefined => {
      while (i < n && isSpaceNode(nodes[i])) i++;
      return i < n ? nodes[i] : undefined;
    };
    const argTokens = (node: Node | undefined, textMode = false): Token[] => {
      if (!node) return ['{', '}'];
      if (node.t === 'group') return ['{', ...(textMode ? this.textList(node.c) : flat(this.mathList(node.c))), '}'];
      if (textMode) return ['{', ...this.textList([node]), '}'];
      // a single token argument; if it is itself a command with arguments, consume them too
      const sub = this.atomFromTok(node.v, nextArg);
      return ['{', ...(sub ? flatAtom(sub) : []), '}'];
    };

    while (i < n) {
      const node = nodes[i++]!;
      if (node.t === 'group') {
        const inner = this.mathList(node.c);
        const followedByScript = i < n && nodes[i]!.t === 'tok' && ['^', '_', "'", '\\sp', '\\sb'].includes((nodes[i] as { v: string }).v);
        if (followedByScript) {
          if (inner.length === 0) atoms.push({ base: ['{', '}'] });
          else if (inner.length === 1 && !inner[0]!.sub && !inner[0]!.sup) atoms.push({ base: inner[0]!.base });
          else atoms.push({ base: ['{', ...flat(inner), '}'] });
        } else {
          atoms.push(...inner);
        }
        continue;
      }
      const v = alias(node.v);
      if (v === '^' || v === '_' || v === "'") {
        let target = atoms[atoms.length - 1];
        if (!target || target.space) {
          target = { base: [] };
          atoms.push(target);
        }
        if (v === "'") {
          target.sup = [...(target.sup ?? []), '\\prime'];
          continue;
        }
        const arg = nextArg();
        let content: Token[];
        if (!arg) content = [];
        else if (arg.t === 'group') content = flat(this.mathList(arg.c));
        else {
          const a = this.atomFromTok(arg.v, nextArg);
          content = a ? flatAtom(a) : [];
        }
        if (v === '^') target.sup = [...(target.sup ?? []), ...content];
        else target.sub = [...(target.sub ?? []), ...content];
        continue;
      }
      if (node.v === '\\left') {
        // \left d … \right d' is a group of its own
        const d1 = nextArg();
        const inner: Node[] = [];
        let depth = 0;
        let d2: Node | undefined;
        while (i < n) {
          const x = nodes[i++]!;
          if (x.t === 'tok' && x.v === '\\left') depth++;
          if (x.t === 'tok' && x.v === '\\right') {
            if (depth === 0) {
              d2 = nextArg();
              break;
            }
            depth--;
          }
          inner.push(x);
        }
        const delim = (d: Node | undefined): Token[] => (!d ? [] : d.t === 'group' ? flat(this.mathList(d.c)) : [alias(d.v)]);
        const toks = ['\\left', ...delim(d1), ...flat(this.mathList(inner))];
        if (d2 !== undefined || i <= n) toks.push('\\right', ...delim(d2));
        atoms.push({ base: toks });
        continue;
      }
      const atom = this.atomFromTok(node.v, nextArg, argTokens);
      if (atom) atoms.push(atom);
    }
    // collapse wide-space runs, trim spaces at both ends
    const out: Atom[] = [];
    for (const a of atoms) {
      if (a.space && !a.sub && !a.sup) {
        if (out.length === 0 || out[out.length - 1]!.space) continue;
      }
      out.push(a);
    }
    while (out.length && out[out.length - 1]!.space) out.pop();
    return out;
  }

  /**
   * Build one atom starting from token `raw`; `next` yields the following nodes (arguments).
   * Returns null when the token is dropped.
   */
  atomFromTok(raw: string, next: () => Node | undefined, argTokens?: (n: Node | undefined, text?: boolean) => Token[]): Atom | null {
    const v = alias(raw);
    const arg = argTokens ?? ((node: Node | undefined, textMode = false) => this.argOf(node, next, textMode));
    if (v === ' ') return null;
    if (DROP.has(v)) return null;
    if (DROP_WITH_ARGS[v] !== undefined) {
      for (let k = 0; k < DROP_WITH_ARGS[v]; k++) next();
      return null;
    }
    if (UNWRAP[v] !== undefined) {
      if (UNWRAP[v] === 0) return null;
      for (let k = 0; k < UNWRAP[v] - 1; k++) next();
      const body = next();
      const toks = arg(body).slice(1, -1);
      return toks.length ? { base: toks } : null;
    }
    if (KERNS.has(v)) {
      // consume a dimension such as -3mu / 2pt / .5em
      this.skipDimension(next);
      return null;
    }
    if (WIDE_SPACES.has(v)) {
      if (v === '\\hspace' || v === '\\hspace*') next();
      return { base: ['\\quad'], space: true };
    }
    if (DELIM_CMDS.has(v)) {
      let d = next();
      while (d && d.t === 'tok' && d.v === ' ') d = next();
      if (!d) return { base: [v] };
      if (d.t === 'group') {
        // \big{(} style
        const inner = flat(this.mathList(d.c));
        return { base: [v, ...inner] };
      }
      return { base: [v, alias(d.v)] };
    }
    if (v === '\\not') {
      const d = next();
      if (d && d.t === 'tok') {
        const dv = alias(d.v);
        if (dv === '=') return { base: ['\\neq'] };
        if (dv === '\\in') return { base: ['\\notin'] };
        return { base: ['\\not', dv] };
      }
      return { base: ['\\not', ...(d ? arg(d).slice(1, -1) : [])] };
    }
    if (v === '\\\\') {
      // optional [dimension] after a row break
      return { base: ['\\\\'] };
    }
    if (v === '\\operatorname' || v === '\\mathrm' || v === '\\mathop') {
      const a = next();
      if (a && a.t === 'group') {
        const txt = plainText(a.c);
        if (txt !== null && OPERATORS.has(txt)) return { base: ['\\' + txt] };
        if (v === '\\mathop' && txt !== null && txt.length > 1) {
          return { base: ['\\operatorname', '{', ...txt.split(''), '}'] };
        }
      }
      return { base: [v, ...arg(a)] };
    }
    if (ENV_WITH_SPEC.has(v)) {
      const a = next();
      if (a && a.t === 'group') {
        const spec: Token[] = [];
        const walk = (ns: Node[]) => {
          for (const x of ns) {
            if (x.t === 'group') {
              spec.push('{');
              walk(x.c);
              spec.push('}');
            } else if (x.v !== ' ') spec.push(x.v);
          }
        };
        walk(a.c);
        return { base: [v, '{', ...spec, '}'] };
      }
      return { base: [v] };
    }
    const arity = ARITY[v];
    if (arity !== undefined && arity > 0) {
      const out: Token[] = [v];
      if (OPTIONAL_ARG.has(v)) {
        const opt = this.takeOptional(next);
        if (opt) out.push('[', ...opt, ']');
      }
      const textMode = TEXT_CMDS.has(v);
      for (let k = 0; k < arity; k++) out.push(...arg(next(), textMode));
      return { base: out };
    }
    return { base: [v] };
  }

  /** Argument of a command when no list context is available (script arguments). */
  argOf(node: Node | undefined, next: () => Node | undefined, textMode: boolean): Token[] {
    if (!node) return ['{', '}'];
    if (node.t === 'group') return ['{', ...(textMode ? this.textList(node.c) : flat(this.mathList(node.c))), '}'];
    if (textMode) return ['{', ...this.textList([node]), '}'];
    const a = this.atomFromTok(node.v, next);
    return ['{', ...(a ? flatAtom(a) : []), '}'];
  }

  /** Read `[ ... ]` if the next node opens one; the wrapper `next` supports peeking by buffering. */
  takeOptional(next: () => Node | undefined): Token[] | null {
    const p = next as PeekNext;
    if (!p.peek) return null;
    const first = p.peek();
    if (!first || first.t !== 'tok' || first.v !== '[') return null;
    next();
    const inner: Node[] = [];
    let depth = 0;
    for (;;) {
      const x = next();
      if (!x) break;
      if (x.t === 'tok' && x.v === '[') depth++;
      if (x.t === 'tok' && x.v === ']') {
        if (depth === 0) break;
        depth--;
      }
      inner.push(x);
    }
    return flat(this.mathList(inner));
  }

  skipDimension(next: () => Node | undefined): void {
    const p = next as PeekNext;
    if (!p.peek) return;
    let s = '';
    for (;;) {
      const x = p.peek();
      if (!x) return;
      if (x.t === 'group') {
        next();
        return;
      }
      if (x.v === ' ' || /^[-+0-9.]$/.test(x.v) || (/^[a-z]$/.test(x.v) && /^(|p|m|e|c|i)$/.test(s.replace(/[-+0-9. ]/g, '').slice(-1)))) {
        s += x.v;
        next();
        if (/(pt|mu|em|ex|cm|mm|in)$/.test(s)) return;
        if (s.replace(/[-+0-9. ]/g, '').length >= 2) return;
      } else return;
    }
  }

  /** Text-mode content: characters, `~` for spaces, nested groups flattened. */
  textList(nodes: Node[]): Token[] {
    const out: Token[] = [];
    const walk = (ns: Node[]) => {
      for (let k = 0; k < ns.length; k++) {
        const x = ns[k]!;
        if (x.t === 'group') {
          walk(x.c);
          continue;
        }
        if (x.v === '$') {
          // inline math inside text: normalised as math up to the closing $ of the same level
          const end = ns.findIndex((y, j) => j > k && y.t === 'tok' && y.v === '$');
          if (end > k) {
            out.push('$', ...flat(this.mathList(ns.slice(k + 1, end))), '$');
            k = end;
            continue;
          }
        }
        let v = x.v === '~' ? '~' : alias(x.v);
        if (v === ' ' || v === '~' || v === '\\ ') v = '~';
        if (v === '~' && out[out.length - 1] === '~') continue;
        if (FONT_SWITCHES[v] || DROP.has(v)) continue;
        out.push(v);
      }
    };
    walk(nodes);
    return out;
  }
}

type PeekNext = (() => Node | undefined) & { peek?: () => Node | undefined };

function flatAtom(a: Atom): Token[] {
  const out = [...a.base];
  if (a.sub) out.push('_', '{', ...a.sub, '}');
  if (a.sup) out.push('^', '{', ...a.sup, '}');
  return out;
}

function flat(atoms: Atom[]): Token[] {
  const out: Token[] = [];
  for (const a of atoms) out.push(...flatAtom(a));
  return out;
}

/** Normalise a LaTeX string (or its tokens) to the canonical token sequence. */
export function normalizeTokens(input: string | Token[]): Token[] {
  const tokens = typeof input === 'string' ? tokenize(input) : input.flatMap((t) => (t === ' ' ? [' '] : [t]));
  const tree = parse(tokens);
  return flat(new Normalizer().mathList(tree));
}

/** Normalised tokens joined by single spaces (the im2latex `.lst` style). */
export function normalize(tex: string): string {
  return normalizeTokens(tex).join(' ');
}

/**
 * Turn a token sequence back into compact LaTeX that MathJax/pdflatex accept:
 * a space only where needed (after a control word before a letter), `\ ` inside text
 * arguments becomes a plain space.
 */
export function detokenize(tokens: Token[]): string {
  let s = '';
  let textDepth = -1; // brace depth at which a text argument started
  let depth = 0;
  let pendingText = false;
  for (const t of tokens) {
    if (t === '{') {
      depth++;
      if (pendingText && textDepth < 0) textDepth = depth;
      pendingText = false;
      s += '{';
      continue;
    }
    if (t === '}') {
      if (depth === textDepth) textDepth = -1;
      depth--;
      s += '}';
      continue;
    }
    pendingText = TEXT_CMDS.has(t);
    if (textDepth >= 0) {
      s += t === '~' || t === '\\ ' ? ' ' : t;
      if (/^\\[a-zA-Z]+$/.test(t)) s += ' ';
      continue;
    }
    if (t === '\\ ') {
      s += '\\ ';
      continue;
    }
    if (t === '[' && s.endsWith('\\\\')) s += ' ';
    if (/^[a-zA-Z0-9]/.test(t) && /\\[a-zA-Z]+\*?$/.test(s)) s += ' ';
    s += t;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Metrics on token sequences

/** Levenshtein distance divided by the longer length (0 = identical; 0 when both are empty). */
export function normalizedEditDistance(a: readonly string[], b: readonly string[]): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 && m === 0) return 0;
  if (n === 0 || m === 0) return 1;
  let prev = new Array<number>(m + 1);
  let cur = new Array<number>(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[m]! / Math.max(n, m);
}

function ngramCounts(toks: readonly string[], k: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + k <= toks.length; i++) {
    const key = toks.slice(i, i + k).join('\u0001');
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

function clippedMatches(ref: readonly string[], hyp: readonly string[], k: number): [number, number] {
  const r = ngramCounts(ref, k);
  const h = ngramCounts(hyp, k);
  let match = 0;
  let total = 0;
  for (const [key, c] of h) {
    total += c;
    match += Math.min(c, r.get(key) ?? 0);
  }
  return [match, total];
}

/**
 * Corpus-level BLEU-4 (Papineni et al.; uniform weights, one reference per hypothesis,
 * brevity penalty over the corpus) — the figure im2latex papers report.
 */
export function corpusBleu4(refs: readonly (readonly string[])[], hyps: readonly (readonly string[])[]): number {
  if (refs.length !== hyps.length) throw new Error('corpusBleu4: refs and hyps differ in length');
  const match = [0, 0, 0, 0];
  const total = [0, 0, 0, 0];
  let refLen = 0;
  let hypLen = 0;
  for (let s = 0; s < refs.length; s++) {
    refLen += refs[s]!.length;
    hypLen += hyps[s]!.length;
    for (let k = 1; k <= 4; k++) {
      const [m, t] = clippedMatches(refs[s]!, hyps[s]!, k);
      match[k - 1]! += m;
      total[k - 1]! += t;
    }
  }
  if (hypLen === 0) return 0;
  let logSum = 0;
  for (let k = 0; k < 4; k++) {
    if (match[k] === 0 || total[k] === 0) return 0;
    logSum += Math.log(match[k]! / total[k]!);
  }
  const bp = hypLen > refLen ? 1 : Math.exp(1 - refLen / hypLen);
  return bp * Math.exp(logSum / 4);
}

/**
 * Sentence-level BLEU-4 with "add-epsilon" smoothing of zero n-gram counts (Chen & Cherry
 * method 1, eps 0.1) so that short formulas (< 4 tokens) still get a score; identical
 * non-empty sequences score 1.
 */
export function bleu4(ref: readonly string[], hyp: readonly string[]): number {
  if (hyp.length === 0 || ref.length === 0) return ref.length === hyp.length ? 1 : 0;
  let logSum = 0;
  for (let k = 1; k <= 4; k++) {
    const [m, t] = clippedMatches(ref, hyp, k);
    if (t === 0) {
      // hypothesis shorter than k: count as perfect if the reference is also shorter than k
      logSum += ref.length < k ? 0 : Math.log(0.1 / 1);
      continue;
    }
    logSum += Math.log((m === 0 ? 0.1 : m) / t);
  }
  const bp = hyp.length > ref.length ? 1 : Math.exp(1 - ref.length / hyp.length);
  return bp * Math.exp(logSum / 4);
}
