/**
 * Inline formulas inside text lines: the text recogniser reads "x² + y² = r²" as "x2 + y2 = r2" or worse, so
 * runs of words that look like math are cut out of the page, read by the math engine and written as `$…$`.
 * A run is only replaced when the math engine's answer parses and is confident, so prose is never turned into
 * a formula on a guess.
 */
import { checkpoint } from '../../errors';
import { normalizedEditDistance, normalizeTokens } from '../math/latex';
import type { Engine, EngineRequest, EngineResult } from '../engine';
import { rectToQuad, type RotatedRect } from '../geometry';
import type { TextBoxResult } from '../text';
import type { LayoutLine } from '../text/layout';
import type { Box } from './regions';

export interface Word {
  text: string;
  confidence: number;
}

// Operators, relations, arrows, big operators, Greek: a word holding one is math-like on its own.
const mathSymbol = /[=+<>^_±×÷∑∏∫√∞≤≥≪≫≠≈≡∼∝→←↦⇒⇔∂∇∈∉⊂⊆⊃∪∩∀∃′∗°∘⊗⊕⋯α-ωΑ-Ωϑϕϵ⁰¹²³⁴-⁹₀-₉]/u;
// A relation on its own: the words right beside it are its sides.
const relation = /^(?:=|<|>|≤|≥|≪|≫|≠|≈|≡|∈|∉|⊂|⊆)$/u;
// Short English words that may stand next to a relation sign without being one of its sides.
const shortWords = new Set(['is', 'be', 'to', 'an', 'of', 'or', 'in', 'it', 'at', 'as', 'on', 'by', 'we', 'if', 'so', 'no', 'do', 'and', 'the', 'for', 'are', 'was', 'with', 'then', 'that', 'than', 'when', 'thus', 'hence', 'where']);
// f(x), g(t,s), P(A|B), g(Z'), x[k], Xy(U): a function or sequence named by a letter or two, on a short argument.
// (A subscript read as a comma stays between the letter and the bracket: "X,(U')" for X_y(U').)
const functionCall = /^[A-Za-z][A-Za-z,]?(?:\([A-Za-z0-9,|+\-']{1,8}\)|\[[A-Za-z0-9,+\-']{1,8}\])[.,;:]?$/;
// The same with its arguments running on into the next words ("q(ax," "ay)").
const opensCall = /^[A-Za-z][A-Za-z,]?[([][A-Za-z0-9,|+\-']{0,8}$/;
// Named functions and operators ("dim W = 3", "log n"): part of a formula beside one, English words otherwise.
const functionNames = new Set(['sin', 'cos', 'tan', 'cot', 'sec', 'csc', 'sinh', 'cosh', 'tanh', 'arcsin', 'arccos', 'arctan', 'log', 'ln', 'lg', 'exp', 'dim', 'det', 'ker', 'deg', 'max', 'min', 'lim', 'sup', 'inf', 'gcd', 'lcm', 'mod', 'arg', 'tr', 'rank', 'Pr']);
// An ellipsis between terms ("i1, ..., it", "u1 · · · uk").
const ellipsis = /^(?:\.{3}|…|⋯|·)[,;]?$/;
// A variable inside an opening or closing bracket or bar ("(i", "|L|", "[L|").
const bracketed = /^(?:[([{|][A-Za-z][0-9]?[)\]}|]?|[A-Za-z][0-9]?[)\]}|])[.,;:]?$/;
// Words that continue a formula without being math by themselves: one-letter variables (not the English words
// "a", "A", "I"), numbers, brackets, slashes, minus signs, a letter with digits (x2 is usually x² or x₂ read flat),
// a coefficient with its variable (2x; "48x?" where the recogniser could not read the power).
const continuation = /^(?:[B-HJ-Zb-z][,;]?|[A-Za-z]?[0-9()[\]{}|,./\-−']*[0-9()[\]{}|/\-−][0-9()[\]{}|,./\-−']*|[0-9]+[A-Za-z]\??)$/;

/** Maximal runs of words that look like a formula: continuation words around at least one math-like word. */
export function mathSpans(words: readonly Word[]): { from: number; to: number }[] {
  // A short word the recogniser was unsure of, mixing letters with digits or signs, is often a formula it garbled.
  const garbled = (w: Word) => w.confidence < 0.6 && w.text.length <= 8 && /[A-Za-z]/.test(w.text) && /[^A-Za-z.,;:]/.test(w.text);
  // A variable with an index read flat ("x", "a1", "Sn", "BA"); not one of the short English words.
  const variable = (w: Word | undefined) => w !== undefined && /^[A-Za-z][A-Za-z0-9]?[0-9]?[;,.]?$/.test(w.text) && !shortWords.has(w.text.replace(/[;,.]$/, '').toLowerCase());
  // "∈" and "⊂" read as a capital E or C between two variables ("a E P;", "C1 C M1", "BA E UR").
  const misreadRelation = (i: number) => /^[EC]$/.test(words[i]!.text) && variable(words[i - 1]) && variable(words[i + 1]);
  // An ellipsis after an indexed variable ("x1, ..., xn") is a formula's, not a sentence's.
  const indexedList = (i: number) => ellipsis.test(words[i]!.text) && i > 0 && /^[A-Za-z][0-9A-Za-z]?,$/.test(words[i - 1]!.text) && !shortWords.has(words[i - 1]!.text.slice(0, -1).toLowerCase());
  // A lone "*" between two words is a product or convolution sign, not a footnote mark.
  const strong = words.map((w, i) => mathSymbol.test(w.text) || w.text === '*' || functionCall.test(w.text) || garbled(w) || misreadRelation(i) || indexedList(i));
  // The side of a relation or operator read as a short non-word ("QTQ = I" for QᵀQ = I, "ak ≥ 0" for a_k ≥ 0,
  // "y[k] =", "F'|u =", "Ar +Ayy" for A_x x + A_y y).
  const side = (i: number) =>
    (relation.test(words[i - 1]?.text ?? '') || relation.test(words[i + 1]?.text ?? '') || /^[+−]/.test(words[i + 1]?.text ?? '')) &&
    (words[i]!.text.length <= 4 || (words[i]!.text.length <= 6 && /[[(]/.test(words[i]!.text))) &&
    !shortWords.has(words[i]!.text.toLowerCase()) &&
    /^[A-Za-z][A-Za-z0-9'[\]()|]*$/.test(words[i]!.text);
  const named = (w: Word) => functionNames.has(w.text.replace(/^\(|[.,;:)]$/g, ''));
  // The last term of such a list ("xn").
  const lastTerm = (i: number) => i > 0 && indexedList(i - 1) && variable(words[i]);
  const part = words.map((w, i) => strong[i] || continuation.test(w.text) || opensCall.test(w.text) || named(w) || ellipsis.test(w.text) || bracketed.test(w.text) || side(i) || lastTerm(i));
  // A word of prose: it ends a bracket a formula left open (the recogniser loses closing brackets too).
  const prose = (w: Word) => /^\p{L}{3,}[.,;:]?$/u.test(w.text) && !functionNames.has(w.text.replace(/[.,;:]$/, ''));
  // A bracket opened inside a formula runs on to the word that closes it ("q(ax," "ay)").
  for (let i = 0, depth = 0; i < words.length; i++) {
    if (depth > 0 && prose(words[i]!)) depth = 0;
    if (depth > 0) part[i] = true;
    if (part[i]) depth = Math.max(0, depth + (words[i]!.text.match(/[([{]/g) ?? []).length - (words[i]!.text.match(/[)\]}]/g) ?? []).length);
    else depth = 0;
  }
  const spans: { from: number; to: number }[] = [];
  for (let i = 0; i < words.length; ) {
    if (!part[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < words.length && part[j]) j++;
    // A run of numbers and brackets alone ("(2019)", "3, 4") is not a formula.
    if (strong.slice(i, j).some(Boolean)) {
      // "a", "A", "I" right beside an operator are variables ("a = b"), not the English words.
      const from = i > 0 && strong[i] && /^[aAI]$/.test(words[i - 1]!.text) ? i - 1 : i;
      const to = j < words.length && strong[j - 1] && /^[aAI][.,;:]?$/.test(words[j]!.text) ? j + 1 : j;
      spans.push({ from, to });
      j = to;
    }
    i = j;
  }
  return spans;
}

const mathToken = /^(?:\\(?!mathrm$|text$|mathit$)[A-Za-z]+|[=+<>^_|/-]|\\[{}])$/;

/** The math engine's reading is worth more than the text's: it has math in it and is not just the same word. */
export function isFormula(latex: string, text: string): boolean {
  const tokens = normalizeTokens(latex);
  if (tokens.length === 0 || !tokens.some((t) => mathToken.test(t))) return false;
  const plain = tokens.filter((t) => /^[A-Za-z0-9]$/.test(t)).join('');
  return plain !== text.replace(/[^A-Za-z0-9]/g, '') || tokens.some((t) => /^[=+<>^_]$|^\\[A-Za-z]+$/.test(t));
}

/**
 * How much the math reading and the text reading agree on the span's Latin letters and digits (1 − their
 * normalised edit distance; 1 when neither has any). The text recogniser garbles symbols but reads letters and
 * digits fairly well, so a math reading that shares little with them is a hallucination (the model writing a
 * formula it was trained on), not the formula on the page.
 */
export function alphanumericAgreement(latex: string, text: string): number {
  const fromLatex = normalizeTokens(latex).map((t) => greekLookalike[t.replace(/^\\(?:var)?/, '')] ?? t).filter((t) => /^[A-Za-z0-9]$/.test(t));
  const fromText = [...text].map((c) => greekLookalike[c] ?? c).filter((c) => /^[A-Za-z0-9]$/.test(c));
  return 1 - normalizedEditDistance(fromLatex, fromText);
}

// The text recogniser reads a Greek letter as the Latin letter it looks like (ρ as p, ν as v); those count as the
// same letter on both sides, by LaTeX name and by character.
const greekLookalike: Record<string, string> = Object.fromEntries(
  ([['alpha', 'α', 'a'], ['beta', 'β', 'B'], ['gamma', 'γ', 'y'], ['epsilon', 'ε', 'e'], ['eta', 'η', 'n'], ['iota', 'ι', 'i'], ['kappa', 'κ', 'k'],
    ['mu', 'μ', 'u'], ['nu', 'ν', 'v'], ['rho', 'ρ', 'p'], ['sigma', 'σ', 'o'], ['tau', 'τ', 't'], ['upsilon', 'υ', 'u'], ['chi', 'χ', 'x'], ['omega', 'ω', 'w']] as const)
    .flatMap(([name, char, latin]) => [[name, latin], [char, latin]]),
);

/** Least agreement between the two readings for the math one to replace the text. */
export const minAgreement = 0.5;

/** Smallest answer the math engine must be sure of before a span of a line becomes `$…$`. */
const minConfidence = 0.5;

/**
 * The math engine's LaTeX for a piece of the page the text recogniser read as `text`, when it may replace that
 * reading: it parses, the engine is confident, it holds math, and it keeps the letters and digits of the text.
 */
export function acceptedReading(result: EngineResult | undefined, text: string): string | undefined {
  if (!result?.math?.valid || result.confidence < minConfidence || !isFormula(result.content, text)) return undefined;
  return alphanumericAgreement(result.content, text) < minAgreement ? undefined : result.content.trim();
}

/**
 * Rewrites, in place, the text of `lines` whose words hold formulas. `boxes` are the text engine's boxes the
 * lines were built from (with their words); display formulas are not among `lines`.
 */
export async function replaceInlineFormulas(
  lines: LayoutLine[],
  boxes: TextBoxResult[],
  math: Engine,
  request: EngineRequest,
  subPage: (box: Box) => EngineRequest['page'],
): Promise<void> {
  for (const line of lines) {
    for (const part of line.parts) {
      const box = boxes[part];
      if (!box?.words?.length) continue;
      const words = box.words;
      for (const span of mathSpans(words).reverse()) {
        await checkpoint(request.token);
        const piece = words.slice(span.from, span.to);
        const text = piece.map((w) => w.text).join(' ');
        const bounds = spanBounds(piece.map((w) => w.rect), words[span.from - 1]?.rect, words[span.to]?.rect);
        const reading = acceptedReading(await math.recognize({ ...request, page: subPage(bounds) }).catch(() => undefined), text);
        if (!reading) continue;
        // Sentence punctuation read into the formula goes back after it.
        const trailing = /[.,;:]$/.test(text) && /[.,;:]$/.test(reading) ? text.slice(-1) : '';
        const latex = trailing ? reading.slice(0, -1).trim() : reading;
        const at = line.text.lastIndexOf(text);
        if (at < 0) continue;
        line.text = `${line.text.slice(0, at)}$${latex}$${trailing}${line.text.slice(at + text.length)}`;
      }
    }
  }
}

/** The span's words, widened to the line's full height plus a little, but never into the neighbouring words. */
function spanBounds(rects: RotatedRect[], before: RotatedRect | undefined, after: RotatedRect | undefined): Box {
  const xs = rects.flatMap((r) => rectToQuad(r).map((p) => p[0]));
  const ys = rects.flatMap((r) => rectToQuad(r).map((p) => p[1]));
  const h = Math.max(...ys) - Math.min(...ys);
  const right = (r: RotatedRect) => Math.max(...rectToQuad(r).map((p) => p[0]));
  const left = (r: RotatedRect) => Math.min(...rectToQuad(r).map((p) => p[0]));
  let x0 = Math.min(...xs) - 0.15 * h, x1 = Math.max(...xs) + 0.15 * h;
  if (before) x0 = Math.max(x0, (right(before) + Math.min(...xs)) / 2);
  if (after) x1 = Math.min(x1, (left(after) + Math.max(...xs)) / 2);
  return { x0: Math.floor(x0), y0: Math.floor(Math.min(...ys) - 0.1 * h), x1: Math.ceil(x1), y1: Math.ceil(Math.max(...ys) + 0.1 * h) };
}
