import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createImage } from '../../server/src/pipeline/image';
import { joinSplitDashes, restoreCommas } from '../../server/src/engines/text/punctuation';
import { lexiconOf } from '../../server/src/engines/text/lexicon';
import type { CtcChar, WordSpan } from '../../server/src/engines/text/rec';

/** A 48 px line with ink bars (rows 20–26) at the given column ranges, beside glyph-sized blocks. */
function line(bars: [number, number][], width = 160) {
  const image = createImage(width, 48, 255);
  const paint = (x0: number, x1: number, y0: number, y1: number) => {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) image.data.fill(0, (y * width + x) * 3, (y * width + x) * 3 + 3);
  };
  paint(0, 14, 10, 38); // a letter before the dash, so the line's Otsu threshold has glyphs to find
  for (const [x0, x1] of bars) paint(x0, x1, 20, 26);
  paint(width - 14, width, 10, 38);
  return image;
}
const char = (c: string, frame: number, second?: { char: string; prob: number }): CtcChar => ({ char: c, start: frame, end: frame, prob: 0.9, ...(second ? { second } : {}) });

describe('split dashes', () => {
  it('joins two hyphens read over one unbroken stroke into an en dash, three into an em dash', () => {
    // Frame centres at columns 4 + 8k: frames 4 and 6 are columns 36 and 52.
    const joined = joinSplitDashes([char('a', 0), char('-', 4), char('-', 6), char('b', 18)], line([[30, 60]]));
    assert.deepEqual(joined.map((c) => c.char), ['a', '–', 'b']);
    assert.deepEqual([joined[1]!.start, joined[1]!.end], [4, 6]);
    const em = joinSplitDashes([char('a', 0), char('-', 4), char('-', 6), char('-', 8), char('b', 18)], line([[30, 76]]));
    assert.deepEqual(em.map((c) => c.char), ['a', '—', 'b']);
  });

  it('keeps hyphens with paper between them, and runs of four or more (a drawn rule)', () => {
    const apart = joinSplitDashes([char('a', 0), char('-', 4), char('-', 6), char('b', 18)], line([[30, 42], [48, 60]]));
    assert.deepEqual(apart.map((c) => c.char), ['a', '-', '-', 'b']);
    const rule = joinSplitDashes([char('-', 4), char('-', 6), char('-', 8), char('-', 10)], line([[30, 92]]));
    assert.equal(rule.map((c) => c.char).join(''), '----');
  });
});

describe('worn commas', () => {
  const lexicon = lexiconOf(['monsters', 'moonlighting', 'polygamy', 'the', 'etc']);
  const word = (text: string, stopSecond?: { char: string; prob: number }): WordSpan => {
    const chars = [...text].map((c, i) => char(c, i, i === text.length - 1 ? stopSecond : undefined));
    return { text, x0: 0, x1: 0, confidence: 0.9, chars };
  };

  it('turns a full stop before a lower-case word into the comma the recogniser gave weight to', () => {
    const words = [word('monsters.', { char: ',', prob: 0.38 }), word('moonlighting'), word('polygamy,')];
    assert.equal(restoreCommas(words, lexicon), true);
    assert.deepEqual(words.map((w) => w.text), ['monsters,', 'moonlighting', 'polygamy,']);
    assert.equal(words[0]!.chars.at(-1)!.char, ',');
  });

  it('leaves a stop alone without that weight, before a capital, after an abbreviation, or before a word it does not know', () => {
    const cases = [
      [word('monsters.', { char: ',', prob: 0.001 }), word('moonlighting')],
      [word('monsters.', { char: ',', prob: 0.4 }), word('The')],
      [word('etc.', { char: ',', prob: 0.4 }), word('the')],
      [word('monsters.', { char: ',', prob: 0.4 }), word('xq')],
      [word('monsters.', { char: ';', prob: 0.4 }), word('the')],
    ];
    for (const words of cases) {
      const before = words.map((w) => w.text);
      assert.equal(restoreCommas(words, lexicon), false, before.join(' '));
      assert.deepEqual(words.map((w) => w.text), before);
    }
  });
});
