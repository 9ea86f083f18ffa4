/**
 * Figures read from small type (journal tables at 72 dpi, footnotes) lose what is thinnest in them: the dash of
 * a range vanishes into the blank frames ("0.57–4.80" read "0.574.80") and a 6 passes for a 0 ("63" read "03").
 * The recogniser's frames still hold the evidence: the dash is the likeliest character of the blank frames
 * between the two digits, the 6 the close runner-up of the 0. These rules put it back, on pages in any language.
 */
import type { CtcChar } from './rec';

const isDigit = (ch: string | undefined) => ch !== undefined && ch >= '0' && ch <= '9';
const dashes = new Set(['-', '—', '–', '_']);

/** A dash the blank frames between two digits favour this much is restored (the lexicon's dropped-letter bar). */
const minDroppedDashProb = 0.1;
/** A leading 0 becomes its runner-up digit when that has at least this probability. */
const minLeadingDigitProb = 0.2;

/** The characters of a word with dropped range dashes restored and impossible leading zeros corrected. */
export function repairNumbers(chars: CtcChar[]): CtcChar[] {
  const out: CtcChar[] = [];
  for (const [i, c] of chars.entries()) {
    const before = chars[i - 1];
    if (before && isDigit(before.char) && isDigit(c.char) && c.dropped && dashes.has(c.dropped.char) && c.dropped.prob >= minDroppedDashProb) {
      out.push({ char: '-', start: before.end + 1, end: Math.max(before.end + 1, c.start - 1), prob: c.dropped.prob });
    }
    // A whole number never starts with 0 ("0.5" and "007" do: the first is followed by a point, the second
    // has no other reading).
    const startsNumber = !before || !/[\d.,]/.test(before.char);
    if (c.char === '0' && startsNumber && isDigit(chars[i + 1]?.char) && c.second && isDigit(c.second.char) && c.second.char !== '0' && c.second.prob >= minLeadingDigitProb) {
      out.push({ ...c, char: c.second.char, prob: c.second.prob, second: { char: c.char, prob: c.prob } });
      continue;
    }
    out.push(c);
  }
  return out;
}
