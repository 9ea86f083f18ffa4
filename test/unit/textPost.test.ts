import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { dbPostprocess, detPreprocess, unclip } from '../../server/src/engines/text/det';
import { characterGaps, ctcDecode, defaultSpaceOptions, insertWordSpaces, monospacePitch, preferPageScript, type CtcChar } from '../../server/src/engines/text/rec';
import { loadEnglishLexicon, lexiconOf, looksEnglish, spellWord } from '../../server/src/engines/text/lexicon';
import { repairNumbers } from '../../server/src/engines/text/numbers';
import { createImage, enlargeLanczos } from '../../server/src/pipeline/image';
import { smallTextEnlargement } from '../../server/src/engines/text';

const frames = (rows: number[][]) => Float32Array.from(rows.flat());

describe('DB detection post-processing', () => {
  it('turns two probability blobs into two grown, scored boxes', () => {
    const w = 200, h = 60;
    const prob = new Float32Array(w * h);
    const fill = (x0: number, y0: number, x1: number, y1: number, p: number) => {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) prob[y * w + x] = p;
    };
    fill(10, 10, 90, 20, 0.9);
    fill(110, 30, 190, 40, 0.95);
    fill(5, 50, 7, 52, 0.9); // a speck below the minimum size
    const boxes = dbPostprocess(prob, w, h);
    assert.equal(boxes.length, 2);
    const [a] = boxes.sort((p, q) => p.rect.cx - q.rect.cx);
    assert.ok(Math.abs(a!.rect.cx - 50) < 0.01 && Math.abs(a!.rect.cy - 15) < 0.01);
    // Kernel 80 × 10 grows by area × 1.5 / perimeter = 6.67 on each side.
    assert.ok(Math.abs(a!.rect.width - (80 + 2 * 6.667)) < 0.01, String(a!.rect.width));
    assert.ok(Math.abs(a!.rect.height - (10 + 2 * 6.667)) < 0.01);
    assert.ok(Math.abs(a!.score - 0.9) < 1e-6);
  });

  it('drops boxes whose mean probability is below the box threshold', () => {
    const w = 100, h = 30;
    const prob = new Float32Array(w * h);
    for (let y = 10; y < 20; y++) for (let x = 10; x < 90; x++) prob[y * w + x] = 0.4;
    assert.equal(dbPostprocess(prob, w, h).length, 0);
  });

  it('scores a line inside its own outline, so a superscript wedge at its start does not drop it', () => {
    // A clear line (0.9) whose first characters rise as a wedge (a footnote's superscript), and a last row that
    // reaches only the line's end: its rectangle is half blank at the corners, its outline is not.
    const w = 400, h = 40;
    const prob = new Float32Array(w * h);
    for (let y = 8; y < 16; y++) for (let x = 10 + Math.max(0, 12 - y) * 30; x < 380; x++) prob[y * w + x] = 0.9;
    for (let x = 300; x < 380; x++) prob[16 * w + x] = 0.9;
    const boxes = dbPostprocess(prob, w, h);
    assert.equal(boxes.length, 1);
    assert.ok(Math.abs(boxes[0]!.score - 0.9) < 1e-6, String(boxes[0]!.score));
  });

  it('unclips a square by its area over perimeter', () => {
    const grown = unclip({ cx: 0, cy: 0, width: 10, height: 10, angle: 0 }, 2);
    assert.equal(grown.width, 20);
  });

  it('pads the detector input to multiples of 32 with a white margin, BGR-normalised', () => {
    const image = createImage(50, 20, 0);
    const input = detPreprocess(image, 1, 16);
    assert.equal(input.width, 96);
    assert.equal(input.height, 64);
    const plane = input.width * input.height;
    // Margin is white; (1 - 0.406) / 0.225 in the blue plane.
    assert.ok(Math.abs(input.tensor[0]! - (1 - 0.406) / 0.225) < 1e-6);
    // Image pixel (0,0) lands at (16,16) and is black: (0 - 0.485) / 0.229 in the red plane (index 2).
    assert.ok(Math.abs(input.tensor[2 * plane + 16 * 96 + 16]! - -0.485 / 0.229) < 1e-6);
  });
});

describe('CTC decoding', () => {
  const alphabet = ['a', 'b', ' '];
  it('merges repeats, drops blanks, keeps frames and confidence', () => {
    // Classes: 0 blank, 1 'a', 2 'b', 3 ' '.
    const probs = frames([
      [0.1, 0.8, 0.05, 0.05],
      [0.1, 0.9, 0.0, 0.0],
      [0.9, 0.05, 0.05, 0.0],
      [0.1, 0.7, 0.1, 0.1],
      [0.0, 0.0, 1.0, 0.0],
      [0.9, 0.0, 0.1, 0.0],
    ]);
    const chars = ctcDecode(probs, 0, 6, 4, alphabet);
    assert.deepEqual(chars.map((c) => c.char).join(''), 'aab');
    assert.deepEqual(chars.map((c) => [c.start, c.end]), [[0, 1], [3, 3], [4, 4]]);
    assert.ok(Math.abs(chars[0]!.prob - 0.9) < 1e-6);
  });
  it("keeps the runner-up at a character's peak and the letter of the blank frames before it", () => {
    const probs = frames([
      [0.1, 0.6, 0.3, 0.0], // 'a', runner-up 'b'
      [0.05, 0.9, 0.05, 0.0], // 'a' at its peak: runner-up 'b' (0.05)
      [0.7, 0.05, 0.25, 0.0], // blank, 'b' best of the rest
      [0.1, 0.0, 0.9, 0.0], // 'b'
    ]);
    const [a, b] = ctcDecode(probs, 0, 4, 4, alphabet);
    assert.equal(a!.second?.char, 'b');
    assert.ok(Math.abs(a!.second!.prob - 0.05) < 1e-6);
    assert.equal(b!.dropped?.char, 'b');
    assert.ok(Math.abs(b!.dropped!.prob - 0.25) < 1e-6);
  });
  it('stops at the valid frames of a padded batch', () => {
    const probs = frames([[0, 1, 0, 0], [0, 0, 1, 0]]);
    assert.equal(ctcDecode(probs, 0, 2, 4, alphabet, 1).length, 1);
  });
});

describe('page script', () => {
  // Classes: 0 blank, 1 'S', 2 '丨', 3 'Ｓ', 4 'l'.
  const script = ['S', '丨', 'Ｓ', 'l'];
  const latinLine = (n: number): CtcChar[] => Array.from({ length: n }, (_, i) => ({ char: 'S', start: i, end: i, prob: 0.9 }));
  it('keeps the best non-CJK reading of a CJK character', () => {
    // Frame 1: '丨' wins over 'l'; frame 2: blank; frame 3: '丨' wins and the blank is the best of the rest.
    const probs = frames([
      [0.1, 0.8, 0.05, 0.0, 0.05],
      [0.0, 0.0, 0.6, 0.0, 0.4],
      [0.9, 0.0, 0.1, 0.0, 0.0],
      [0.3, 0.0, 0.6, 0.0, 0.1],
    ]);
    const chars = ctcDecode(probs, 0, 4, 5, script);
    assert.deepEqual(chars.map((c) => c.char), ['S', '丨', '丨']);
    assert.equal(chars[1]!.narrow?.char, 'l');
    assert.ok(Math.abs(chars[1]!.narrow!.prob - 0.4) < 1e-6);
    assert.equal(chars[2]!.narrow?.char, '');
    assert.equal(chars[0]!.narrow, undefined);
  });
  it('on a Latin page turns full-width forms into ASCII and CJK misreadings into their Latin reading', () => {
    const line: CtcChar[] = [
      { char: 'Ｓ', start: 0, end: 0, prob: 0.7 },
      { char: '丨', start: 1, end: 1, prob: 0.6, narrow: { char: 'l', prob: 0.3 } },
      { char: '丨', start: 2, end: 2, prob: 0.6, narrow: { char: '', prob: 0.3 } },
    ];
    const lines = [latinLine(30), line];
    preferPageScript(lines);
    assert.deepEqual(lines[1]!.map((c) => c.char), ['S', 'l']);
  });
  it('leaves pages with CJK text of their own alone', () => {
    const cjk: CtcChar[] = Array.from({ length: 10 }, (_, i) => ({ char: '文', start: i, end: i, prob: 0.9, narrow: { char: 'x', prob: 0.1 } }));
    const lines = [latinLine(30), cjk];
    preferPageScript(lines);
    assert.equal(lines[1]!.map((c) => c.char).join(''), '文'.repeat(10));
  });
});

describe('word space recovery', () => {
  /** A 48 px line with ink blocks at the given column ranges. */
  const line = (blocks: [number, number][], width = 200) => {
    const image = createImage(width, 48, 255);
    for (const [x0, x1] of blocks) for (let y = 12; y < 36; y++) for (let x = x0; x < x1; x++) image.data.fill(0, (y * width + x) * 3, (y * width + x) * 3 + 3);
    return image;
  };
  const char = (c: string, frame: number): CtcChar => ({ char: c, start: frame, end: frame, prob: 1 });

  it('inserts a space where the ink gap is a quarter of the line height, not between letters', () => {
    // "ab" touching-ish (2 px gap), then a 16 px gap, then "c".
    const image = line([[4, 14], [16, 26], [42, 52]]);
    const chars = [char('a', 0), char('b', 2), char('c', 5)];
    assert.equal(insertWordSpaces(chars, image), 'ab c');
    const gaps = characterGaps(chars, image);
    assert.ok(gaps[0]! < 0.1 && gaps[1]! > 0.3, JSON.stringify(gaps));
  });

  it('finds the space under an underline, which joins the letters in every column', () => {
    const image = line([[4, 14], [16, 26], [42, 52]]);
    for (const y of [38, 39]) for (let x = 2; x < 60; x++) image.data.fill(0, (y * 200 + x) * 3, (y * 200 + x) * 3 + 3);
    assert.equal(insertWordSpaces([char('a', 0), char('b', 2), char('c', 5)], image), 'ab c');
  });

  it('splits two figures only at a column gap: the ink beside a tabular 1 is as wide as a word space', () => {
    // "1" (narrow ink in its cell) then "52": a 14 px gap inside the number, 40 px to the next cell's "7".
    const image = line([[6, 10], [24, 34], [36, 46], [86, 96]]);
    assert.equal(insertWordSpaces([char('1', 0), char('5', 3), char('2', 5), char('7', 11)], image), '152 7');
    // Letters at the same gap are two words.
    assert.equal(insertWordSpaces([char('a', 0), char('b', 3), char('c', 5), char('d', 11)], image), 'a bc d');
  });

  it('never splits before closing punctuation or between CJK characters', () => {
    const image = line([[4, 14], [40, 44], [80, 90], [120, 130]]);
    assert.equal(insertWordSpaces([char('a', 0), char('.', 5), char('中', 10), char('文', 15)], image), 'a.中文');
  });

  /** A typewriter line: one 32 px cell (4 frames) per character, 6 px of ink for an i, 28 px for other letters. */
  const typewritten = (text: string, modelSpaces: boolean) => {
    const chars: CtcChar[] = [], blocks: [number, number][] = [];
    [...text].forEach((c, k) => {
      const middle = k * 32 + 16;
      if (c !== ' ') blocks.push(c === 'i' ? [middle - 3, middle + 3] : [middle - 14, middle + 14]);
      if (c !== ' ' || modelSpaces) chars.push(char(c, k * 4 + 1));
    });
    return { chars, image: line(blocks, text.length * 32) };
  };

  it('reads a monospaced line by its cells: no space beside a narrow letter, a space where a cell is empty', () => {
    const text = 'mass is common in sums';
    const { chars, image } = typewritten(text, false);
    // The ink gaps beside an i are wider than a word space of a proportional face…
    assert.equal(insertWordSpaces(chars, image, { ...defaultSpaceOptions, monospaceCoherence: Infinity }), 'mass i s common i n sums');
    // …but the letters sit on a lattice of 4 frames, and only the empty cells are spaces.
    assert.ok(Math.abs(monospacePitch(chars, defaultSpaceOptions.monospaceCoherence)! - 4) < 0.05);
    assert.equal(insertWordSpaces(chars, image), text);
    const withSpaces = typewritten(text, true);
    assert.equal(insertWordSpaces(withSpaces.chars, withSpaces.image), text);
  });

  it('does not take a proportional line for a monospaced one', () => {
    // Advances of a proportional face: narrow letters advance about half as far as wide ones.
    let frame = 0;
    const chars = [...'minimum illumination willingly'].map((c) => {
      const at = frame;
      frame += c === ' ' ? 2 : 'il'.includes(c) ? 1.5 : 3;
      return { char: c, start: Math.floor(at), end: Math.ceil(at), prob: 1 };
    });
    assert.equal(monospacePitch(chars, defaultSpaceOptions.monospaceCoherence), undefined);
  });
});

describe('lexicon check', () => {
  const lexicon = lexiconOf(['also', 'primal', 'shuffles', 'collective', 'loth', 'lists', 'cardinality', 'bloat']);
  /** Characters as the recogniser reports them: [char, prob, runner-up?, its prob?]. */
  const read = (...cs: [string, number, string?, number?][]): CtcChar[] =>
    cs.map(([char, prob, second, secondProb], i) => ({ char, prob, start: 2 * i, end: 2 * i, ...(second ? { second: { char: second, prob: secondProb! } } : {}) }));
  it('takes the runner-up letter that makes a word', () => {
    assert.equal(spellWord(read(['a', 1], ['i', 0.87, 'l', 0.11], ['s', 1], ['o', 1]), lexicon), 'also');
    // A non-letter becomes a letter inside a run of letters; punctuation around the word stays.
    assert.equal(spellWord(read(['p', 1], ['r', 1], ['i', 1], ['m', 1], ['a', 1], ['!', 0.57, 'l', 0.42], [',', 1]), lexicon), 'primal,');
  });
  it('puts back a merged doubled letter and a letter sharing its frames', () => {
    assert.equal(spellWord(read(['s', 1], ['h', 1], ['u', 1], ['f', 1], ['l', 1], ['e', 1], ['s', 1]), lexicon), 'shuffles');
    assert.equal(spellWord(read(['c', 1], ['o', 1], ['l', 1], ['l', 0.75, 'e', 0.24], ['c', 1], ['t', 1], ['i', 1], ['v', 1], ['e', 1]), lexicon), 'collective');
  });
  it('puts back a narrow letter a worn scan fused away, in long lower-case words only', () => {
    const letters = (word: string) => read(...[...word].map((c): [string, number] => [c, 1]));
    assert.equal(spellWord(letters('cardinaity'), lexicon), 'cardinality');
    // Short words have too many one-letter neighbours ("boat" is not "bloat"); names keep their spelling.
    assert.equal(spellWord(letters('boat'), lexicon), 'boat');
    assert.equal(spellWord(letters('Cardinaity'), lexicon), 'Cardinaity');
  });
  it('leaves words alone that are in the lexicon, lack evidence, or are mostly figures', () => {
    assert.equal(spellWord(read(['l', 0.6, 'i', 0.4], ['i', 1], ['s', 1], ['t', 1], ['s', 1]), lexicon), 'lists');
    // "aiso" with no runner-up for its i: nothing says it was an l.
    assert.equal(spellWord(read(['a', 1], ['i', 1], ['s', 1], ['o', 1]), lexicon), 'aiso');
    assert.equal(spellWord(read(['1', 0.6, 'l', 0.4], ['0', 0.6, 'o', 0.4], ['t', 1], ['h', 1]), lexicon), '10th');
  });
  it('is used on English text only', () => {
    const english = loadEnglishLexicon();
    const words = (text: string) => text.split(' ').filter((w) => w.length >= 3);
    assert.ok(looksEnglish(words('The survey recorded every well in the valley but the notebooks were never transcribed'), english));
    assert.ok(!looksEnglish(words('Die Vermessung verzeichnete jeden Brunnen aber die Notizbücher wurden nie abgeschrieben'), english));
    assert.ok(!looksEnglish(words('Chaque page mêle tableaux croquis texte courant'), english));
  });
});

describe('figures from small type', () => {
  type Read = [string, number, { second?: [string, number]; dropped?: [string, number]; at?: number }?];
  const read = (...cs: Read[]): CtcChar[] =>
    cs.map(([char, prob, extra = {}], i) => {
      const at = extra.at ?? 2 * i;
      return {
        char, prob, start: at, end: at,
        ...(extra.second ? { second: { char: extra.second[0], prob: extra.second[1] } } : {}),
        ...(extra.dropped ? { dropped: { char: extra.dropped[0], prob: extra.dropped[1] } } : {}),
      };
    });
  const text = (chars: CtcChar[]) => repairNumbers(chars).map((c) => c.char).join('');

  it('puts back the dash of a range that the blank frames between two digits hold', () => {
    // "0.57–4.80" read "0.574.80": the frames between 7 and 4 favoured a dash at 0.43 (measured on a 9 px table).
    const chars = read(['0', 1], ['.', 1], ['5', 1], ['7', 1], ['4', 1, { dropped: ['-', 0.43], at: 11 }], ['.', 1, { at: 13 }], ['8', 1, { at: 15 }], ['0', 1, { at: 17 }]);
    const repaired = repairNumbers(chars);
    assert.equal(repaired.map((c) => c.char).join(''), '0.57-4.80');
    // The dash sits in the gap it came from, so the cell splitter still sees one run of ink.
    assert.deepEqual([repaired[4]!.start, repaired[4]!.end], [7, 10]);
    // Weak evidence, or a letter in the gap, changes nothing.
    assert.equal(text(read(['1', 1], ['2', 1, { dropped: ['-', 0.05] }])), '12');
    assert.equal(text(read(['1', 1], ['2', 1, { dropped: ['l', 0.6] }])), '12');
  });

  it('reads a leading 0 of a whole number as its runner-up digit', () => {
    assert.equal(text(read(['0', 0.5, { second: ['6', 0.49] }], ['3', 1])), '63');
    assert.equal(text(read(['(', 1], ['0', 0.54, { second: ['6', 0.42] }], ['0', 0.95], [')', 1])), '(60)');
    // A decimal's 0, a 0 inside a number, and a 0 with no likely digit behind it stay.
    assert.equal(text(read(['0', 0.6, { second: ['6', 0.4] }], ['.', 1], ['5', 1])), '0.5');
    assert.equal(text(read(['1', 1], ['0', 0.6, { second: ['6', 0.4] }], ['5', 1])), '105');
    assert.equal(text(read(['0', 0.9, { second: ['6', 0.05] }], ['0', 1], ['7', 1])), '007');
  });
});

describe('small type', () => {
  const rects = (height: number, n = 9) => Array.from({ length: n }, (_, i) => ({ cx: 100, cy: 20 + i * 30, width: 150, height, angle: 0 }));

  it('enlarges a page whose lines are small, in proportion, within bounds', () => {
    assert.equal(smallTextEnlargement(rects(30), { width: 1000, height: 1000 }), 1, 'ordinary lines are read as they are');
    assert.equal(smallTextEnlargement([], { width: 1000, height: 1000 }), 1, 'nothing found');
    assert.ok(Math.abs(smallTextEnlargement(rects(14), { width: 612, height: 792 }) - 32 / 14) < 1e-9, '72-dpi type to ~32 px');
    assert.equal(smallTextEnlargement(rects(6), { width: 600, height: 800 }), 3, 'at most three times');
    assert.ok(Math.abs(smallTextEnlargement(rects(10), { width: 2000, height: 2000 }) - 2) < 1e-9, 'pixel budget');
    assert.equal(smallTextEnlargement(rects(10), { width: 3800, height: 4000 }), 1, 'a budget under a quarter larger is not worth it');
  });

  it('enlarges with a Lanczos kernel to the rounded size', async () => {
    const image = createImage(10, 6);
    image.data.fill(0, 0, 3 * 10 * 3); // three dark rows on top
    const big = await enlargeLanczos(image, 2.5);
    assert.deepEqual([big.width, big.height], [25, 15]);
    assert.ok(big.data[0]! < 60 && big.data[big.data.length - 1]! > 200, 'dark stays dark, paper stays paper');
  });
});
