/**
 * Punctuation the recogniser gets wrong in a way the page itself can settle: a dash read as two hyphens (the
 * zh+en model has no en dash, so "primal–dual" comes out "primal--dual"), and a worn comma read as a full stop
 * inside a sentence ("monsters. moonlighting").
 */
import { minAlternativeProb, type Lexicon } from './lexicon';
import { columnInk, recFrameWidth, type CtcChar, type WordSpan } from './rec';
import type { RgbImage } from '../../pipeline/image';

const centre = (c: CtcChar) => ((c.start + c.end) / 2) * recFrameWidth + recFrameWidth / 2;

/**
 * Hyphens read one after another over one unbroken stroke are one dash: two become an en dash, three an em
 * dash. Hyphens with paper between them ("--" in a command line) stay, and so do longer runs: a drawn rule
 * ("--------" across a receipt), not a dash.
 */
export function joinSplitDashes(chars: CtcChar[], line: RgbImage): CtcChar[] {
  if (!chars.some((c, i) => c.char === '-' && chars[i + 1]?.char === '-')) return chars;
  const ink = columnInk(line);
  const unbroken = (a: CtcChar, b: CtcChar) => {
    for (let x = Math.floor(centre(a)); x <= Math.min(ink.length - 1, Math.ceil(centre(b))); x++) if (!ink[x]) return false;
    return true;
  };
  const out: CtcChar[] = [];
  for (let i = 0; i < chars.length; ) {
    let j = i + 1;
    if (chars[i]!.char === '-') while (j < chars.length && chars[j]!.char === '-' && unbroken(chars[j - 1]!, chars[j]!)) j++;
    const run = chars.slice(i, j);
    if (run.length === 1 || run.length > 3) out.push(...run);
    else out.push({ char: run.length === 2 ? '–' : '—', start: run[0]!.start, end: run[run.length - 1]!.end, prob: Math.min(...run.map((c) => c.prob)) });
    i = j;
  }
  return out;
}

/**
 * Short words a full stop ends that lower case may follow ("et al. showed", "e.g. the"); one or two letters
 * (initials, "i.e", "no", list letters) are never changed anyway.
 */
const abbreviations = new Set([
  'abbr', 'approx', 'assoc', 'cca', 'cf', 'ch', 'chap', 'col', 'cols', 'corp', 'dept', 'diam', 'eds', 'eq', 'eqn', 'eqs', 'esp', 'est',
  'etc', 'fig', 'figs', 'incl', 'inc', 'jr', 'ltd', 'max', 'min', 'misc', 'mrs', 'nos', 'obs', 'para', 'pers', 'prof', 'ref', 'refs', 'rel',
  'resp', 'rev', 'sec', 'sect', 'sen', 'ser', 'sr', 'suppl', 'tab', 'temp', 'univ', 'viz', 'vol', 'vols', 'vs', 'wt',
]);

/**
 * A full stop between an English word and a lower-case English word, where the recogniser gave a comma some
 * weight as the other reading of that stop, is a comma: English sentences do not start in lower case, and a worn comma loses
 * its tail first. Works on the words of one line (a stop at the line's end has no next word to judge by).
 */
export function restoreCommas(words: WordSpan[], lexicon: Lexicon): boolean {
  let changed = false;
  for (let i = 0; i + 1 < words.length; i++) {
    const word = words[i]!;
    const match = /^(\p{L}{3,})\.$/u.exec(word.text);
    const next = /^\p{Ll}{2,}/u.exec(words[i + 1]!.text)?.[0];
    if (!match || !next || abbreviations.has(match[1]!.toLowerCase())) continue;
    if (!lexicon.has(match[1]!) || !lexicon.has(next)) continue;
    const stop = word.chars[word.chars.length - 1];
    if (stop?.char !== '.' || stop.second?.char !== ',' || stop.second.prob < minAlternativeProb) continue;
    word.chars = [...word.chars.slice(0, -1), { ...stop, char: ',', prob: stop.second.prob, second: { char: '.', prob: stop.prob } }];
    word.text = `${match[1]},`;
    changed = true;
  }
  return changed;
}
