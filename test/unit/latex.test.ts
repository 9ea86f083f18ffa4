import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tokenize,
  normalize,
  normalizeTokens,
  detokenize,
  bleu4,
  corpusBleu4,
  normalizedEditDistance,
} from '../../server/src/engines/math/latex.ts';

const N = (s: string) => normalize(s);

test('tokenize: commands, control symbols, single characters, spaces', () => {
  assert.deepEqual(tokenize(String.raw`\frac{ab}{c}`), ['\\frac', '{', 'a', 'b', '}', '{', 'c', '}']);
  assert.deepEqual(tokenize(String.raw`\alpha  x\,y`), ['\\alpha', 'x', '\\,', 'y']);
  assert.deepEqual(tokenize(String.raw`a \\ b`), ['a', ' ', '\\\\', ' ', 'b']);
  assert.deepEqual(tokenize(String.raw`\{x\}`), ['\\{', 'x', '\\}']);
  assert.deepEqual(tokenize(String.raw`\begin{pmatrix}1\end{pmatrix}`), ['\\begin{pmatrix}', '1', '\\end{pmatrix}']);
  assert.deepEqual(tokenize(String.raw`\operatorname*{arg\,max}`).slice(0, 2), ['\\operatorname*', '{']);
  assert.deepEqual(tokenize('x % comment\n+1'), ['x', ' ', '+', '1']);
  assert.deepEqual(tokenize('α≤β'), ['α', '≤', 'β']);
});

test('normalize: whitespace does not matter', () => {
  assert.equal(N('x + y = 1'), N('x+y=1'));
  assert.equal(N(String.raw`\alpha   \beta`), String.raw`\alpha \beta`);
});

test('normalize: script and argument braces are canonical', () => {
  assert.equal(N('x^2'), 'x ^ { 2 }');
  assert.equal(N('x^{2}'), 'x ^ { 2 }');
  assert.equal(N(String.raw`x^\alpha`), String.raw`x ^ { \alpha }`);
  assert.equal(N(String.raw`\frac12`), String.raw`\frac { 1 } { 2 }`);
  assert.equal(N(String.raw`\sqrt x`), String.raw`\sqrt { x }`);
  assert.equal(N(String.raw`\hat x`), String.raw`\hat { x }`);
  assert.equal(N(String.raw`\sqrt[3]x`), String.raw`\sqrt [ 3 ] { x }`);
});

test('normalize: subscript before superscript', () => {
  assert.equal(N('x^2_i'), N('x_i^2'));
  assert.equal(N('x^2_i'), 'x _ { i } ^ { 2 }');
});

test('normalize: redundant grouping braces are removed, meaningful ones kept', () => {
  assert.equal(N(String.raw`{\frac{a}{b}}`), String.raw`\frac { a } { b }`);
  assert.equal(N('{x}^{2}'), 'x ^ { 2 }');
  assert.equal(N('{{a}}+b'), 'a + b');
  assert.equal(N(String.raw`\frac{{a}}{b}`), String.raw`\frac { a } { b }`);
  assert.equal(N('{}^{14}C'), '{ } ^ { 1 4 } C');
  assert.equal(N('{ab}^2'), '{ a b } ^ { 2 }');
  // a base that already carries scripts keeps its braces (otherwise: double superscript)
  assert.equal(N('{x^2}^3'), '{ x ^ { 2 } } ^ { 3 }');
});

test('normalize: primes become \\prime superscripts', () => {
  assert.equal(N("f'"), N(String.raw`f^{\prime}`));
  assert.equal(N("f''(x)"), String.raw`f ^ { \prime \prime } ( x )`);
  assert.equal(N("x'^2"), String.raw`x ^ { \prime 2 }`);
});

test('normalize: fraction and binomial spellings', () => {
  const f = String.raw`\frac { a } { b }`;
  assert.equal(N(String.raw`\dfrac{a}{b}`), f);
  assert.equal(N(String.raw`\tfrac ab`), f);
  assert.equal(N(String.raw`{a \over b}`), f);
  assert.equal(N(String.raw`a \over b`), f);
  assert.equal(N(String.raw`{n \choose k}`), String.raw`\binom { n } { k }`);
  assert.equal(N(String.raw`\dbinom nk`), String.raw`\binom { n } { k }`);
});

test('normalize: delimiters and \\left/\\right forms', () => {
  assert.equal(N(String.raw`\left\lbrace x \right\rbrace`), String.raw`\left \{ x \right \}`);
  assert.equal(N(String.raw`\left( x \right.`), String.raw`\left ( x \right .`);
  assert.equal(N(String.raw`\bigl( x \bigr)`), String.raw`\big ( x \big )`);
  assert.equal(N(String.raw`\lvert x\rvert`), '| x |');
  assert.equal(N(String.raw`\lbrace\rbrace`), String.raw`\{ \}`);
  assert.equal(N(String.raw`\left\langle a\right\rangle`), String.raw`\left \langle a \right \rangle`);
});

test('normalize: symbol aliases', () => {
  assert.equal(N(String.raw`a\le b\ge c\ne d`), String.raw`a \leq b \geq c \neq d`);
  assert.equal(N(String.raw`f\colon A\to B`), String.raw`f \colon A \rightarrow B`);
  assert.equal(N(String.raw`x \not= y`), String.raw`x \neq y`);
  assert.equal(N(String.raw`x \not\in A`), String.raw`x \notin A`);
  assert.equal(N(String.raw`a_1,\dots,a_n`), String.raw`a _ { 1 } , \ldots , a _ { n }`);
  assert.equal(N(String.raw`a\lt b`), 'a < b');
});

test('normalize: operator names', () => {
  assert.equal(N(String.raw`\operatorname{sin} x`), String.raw`\sin x`);
  assert.equal(N(String.raw`\mathrm{log}(x)`), String.raw`\log ( x )`);
  assert.equal(N(String.raw`\operatorname*{lim}_{n}`), String.raw`\lim _ { n }`);
  assert.equal(N(String.raw`\operatorname{Spec} R`), String.raw`\operatorname { S p e c } R`);
  assert.equal(N(String.raw`\mathop{\mathrm{Spec}}(R)`), String.raw`\operatorname { S p e c } ( R )`);
});

test('normalize: old font switches become font commands', () => {
  assert.equal(N(String.raw`{\rm d}x`), String.raw`\mathrm { d } x`);
  assert.equal(N(String.raw`{\cal L}_a`), String.raw`\mathcal { L } _ { a }`);
  assert.equal(N(String.raw`{\bf v}`), String.raw`\mathbf { v }`);
  assert.equal(N(String.raw`\bm{x}`), String.raw`\boldsymbol { x }`);
  assert.equal(N(String.raw`\Bbb R`), String.raw`\mathbb { R }`);
});

test('normalize: spacing policy', () => {
  // thin / medium / negative spaces are dropped
  assert.equal(N(String.raw`a\,b\;c\!d\:e`), 'a b c d e');
  assert.equal(N(String.raw`\int f(x)\,dx`), N(String.raw`\int f(x)dx`));
  // wide spaces: a run becomes one \quad
  assert.equal(N(String.raw`a\quad b`), String.raw`a \quad b`);
  assert.equal(N(String.raw`a\ \ \ b`), String.raw`a \quad b`);
  assert.equal(N(String.raw`a~b`), String.raw`a \quad b`);
  assert.equal(N(String.raw`a\qquad\quad b`), String.raw`a \quad b`);
  assert.equal(N(String.raw`a\hspace{1cm}b`), String.raw`a \quad b`);
  // leading / trailing spaces are dropped
  assert.equal(N(String.raw`\quad x=1 \, .\quad`), 'x = 1 .');
  assert.equal(N(String.raw`\kern-3mu x\mkern2mu y`), 'x y');
});

test('normalize: invisible style commands are dropped', () => {
  assert.equal(N(String.raw`\displaystyle\sum\limits_{i}x_i`), String.raw`\sum _ { i } x _ { i }`);
  assert.equal(N(String.raw`x\label{eq:1}\nonumber`), 'x');
  assert.equal(N(String.raw`{\color{red} x}`), 'x');
  assert.equal(N(String.raw`\textcolor{red}{x}+1`), 'x + 1');
});

test('normalize: text arguments keep their spaces', () => {
  assert.equal(N(String.raw`\text{if } x`), String.raw`\text { i f ~ } x`);
  assert.equal(N(String.raw`\mbox{for all}`), String.raw`\text { f o r ~ a l l }`);
  assert.equal(N(String.raw`\textrm{a  b}`), N(String.raw`\text{a b}`));
  // math inside text is normalised with the same aliases
  assert.equal(N(String.raw`\text{if $a\le b$}`), String.raw`\text { i f ~ $ a \leq b $ }`);
  assert.equal(N(String.raw`\text{for $x^2 \, y$ and}`), String.raw`\text { f o r ~ $ x ^ { 2 } y $ ~ a n d }`);
});

test('normalize: environments and rows', () => {
  assert.equal(
    N(String.raw`\begin{array}{cc} a & b \\ c & d \end{array}`),
    String.raw`\begin{array} { c c } a & b \\ c & d \end{array}`,
  );
  assert.equal(N(String.raw`\begin{pmatrix}1&0\cr0&1\end{pmatrix}`), String.raw`\begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix}`);
});

test('normalize: im2latex-style tokenised ground truth matches plain LaTeX', () => {
  const gt = String.raw`\widetilde \gamma _ { \mathrm { h o p f } } \simeq \sum _ { n > 0 } \widetilde { G } _ { n } { \frac { ( - a ) ^ { n } } { 2 ^ { 2 n - 1 } } }`;
  const plain = String.raw`\widetilde{\gamma}_{\mathrm{hopf}}\simeq\sum_{n>0}\widetilde{G}_n\frac{(-a)^n}{2^{2n-1}}`;
  assert.equal(N(gt), N(plain));
  assert.equal(N(String.raw`( { \cal L } _ { a } g ) _ { i j } = 0 , \ \ \ \ ( { \cal L } _ { a } H ) _ { i j k } = 0 ,`),
    String.raw`( \mathcal { L } _ { a } g ) _ { i j } = 0 , \quad ( \mathcal { L } _ { a } H ) _ { i j k } = 0 ,`);
});

test('no token contains whitespace (sequences joined by spaces split back exactly)', () => {
  for (const x of [String.raw`\text{a b} \ c~d`, String.raw`a\ \quad b`, String.raw`\mbox{ x }`]) {
    const t = normalizeTokens(x);
    assert.ok(t.every((tok) => tok.length > 0 && !/\s/.test(tok)), t.join('|'));
    assert.deepEqual(t.join(' ').split(' '), t);
  }
});

test('normalize is idempotent through detokenize', () => {
  const xs = [
    String.raw`\frac{\partial^2 f}{\partial x^2} + \left[ \sum_{k=1}^{n} a_k \right]`,
    String.raw`\text{for all } x \in \mathbb{R},\quad f(x) \geq 0`,
    String.raw`\begin{aligned} a &= b \\ &= c \end{aligned}`,
    String.raw`\sqrt[n]{1+x} \approx 1 + \tfrac{x}{n}`,
    String.raw`{}^{14}_{6}\mathrm{C} \to {}^{14}_{7}\mathrm{N} + e^- + \bar{\nu}_e`,
    String.raw`\mathcal{O}_{X,x}\otimes_{\mathcal{O}_{S,s}} \kappa(s)`,
    String.raw`\mathop{N\!L}\nolimits_{X/B}`,
    String.raw`S=\{y\in\mathbb{R}:y> 0\text{ and }y^2<x\}`,
    String.raw`0 < r < \mbox{ some } r_0`,
  ];
  for (const x of xs) {
    const once = normalizeTokens(x);
    const tex = detokenize(once);
    assert.deepEqual(normalizeTokens(tex), once, `${x} -> ${tex}`);
  }
});

test('detokenize: compact, valid spacing', () => {
  assert.equal(detokenize(normalizeTokens(String.raw`\alpha x + \sin y`)), String.raw`\alpha x+\sin y`);
  assert.equal(detokenize(normalizeTokens(String.raw`\text{if } x`)), String.raw`\text{if }x`);
  assert.equal(detokenize(normalizeTokens(String.raw`\frac{1}{2}`)), String.raw`\frac{1}{2}`);
  assert.equal(detokenize(['\\mathrm', '{', 'd', '}', 'x']), String.raw`\mathrm{d}x`);
});

test('normalizedEditDistance', () => {
  assert.equal(normalizedEditDistance([], []), 0);
  assert.equal(normalizedEditDistance(['a'], []), 1);
  assert.equal(normalizedEditDistance(['a', 'b', 'c'], ['a', 'b', 'c']), 0);
  assert.equal(normalizedEditDistance(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'd']), 0.25);
  assert.equal(normalizedEditDistance(['a', 'b'], ['b', 'a', 'c']), 2 / 3);
  assert.equal(normalizedEditDistance(['a', 'b', 'c'], ['b', 'c']), 1 / 3);
});

test('bleu4: sentence level', () => {
  const r = 'x ^ { 2 } + y ^ { 2 } = 1'.split(' ');
  assert.equal(bleu4(r, r), 1);
  assert.equal(bleu4(['x'], ['x']), 1);
  assert.equal(bleu4(r, []), 0);
  const h = 'x ^ { 2 } + y ^ { 3 } = 1'.split(' ');
  const b = bleu4(r, h);
  assert.ok(b > 0.4 && b < 0.8, `one wrong token: ${b}`);
  // brevity penalty: a correct but truncated hypothesis scores lower than a full one
  assert.ok(bleu4(r, r.slice(0, 8)) < bleu4(r, h));
  // unrelated
  assert.ok(bleu4(r, 'a b c d e f'.split(' ')) < 0.05);
});

test('corpusBleu4: matches hand computation', () => {
  assert.equal(corpusBleu4([['a', 'b', 'c', 'd']], [['a', 'b', 'c', 'd']]), 1);
  // ref a b c d e, hyp a b c d f: p1 = 4/5, p2 = 3/4, p3 = 2/3, p4 = 1/2, BP = 1
  const expected = Math.exp((Math.log(4 / 5) + Math.log(3 / 4) + Math.log(2 / 3) + Math.log(1 / 2)) / 4);
  assert.ok(Math.abs(corpusBleu4([['a', 'b', 'c', 'd', 'e']], [['a', 'b', 'c', 'd', 'f']]) - expected) < 1e-12);
  // brevity penalty over the corpus: ref length 8, hyp length 4 (both perfect prefixes)
  const refs = [['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']];
  const hyps = [['a', 'b', 'c', 'd']];
  assert.ok(Math.abs(corpusBleu4(refs, hyps) - Math.exp(1 - 8 / 4)) < 1e-12);
  assert.throws(() => corpusBleu4([[]], []));
});
