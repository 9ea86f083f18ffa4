import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alphanumericAgreement, isFormula, mathSpans } from '../../server/src/engines/layout/inlineMath';

const words = (line: string) => line.split(' ').map((text) => ({ text, confidence: 0.9 }));
const spans = (line: string) => mathSpans(words(line)).map(({ from, to }) => line.split(' ').slice(from, to).join(' '));

describe('inline formula spans', () => {
  it('takes the run of math-like words around an operator', () => {
    assert.deepEqual(spans('so that x2 + y2 = r2 holds for every point'), ['x2 + y2 = r2']);
    assert.deepEqual(spans('we set α = 0.5 and β < 1/2 here'), ['α = 0.5', 'β < 1/2']);
    assert.deepEqual(spans('the map f(x) is smooth'), ['f(x)']);
    assert.deepEqual(spans('for 0<α<π /2 to hold'), ['0<α<π /2']);
    assert.deepEqual(spans('where 2x = 1 holds'), ['2x = 1']);
  });

  it('takes degree signs and short garbled words the recogniser was unsure of', () => {
    assert.deepEqual(spans('an angle of 30° here'), ['30°']);
    const unsure = [
      { text: 'then', confidence: 0.95 },
      { text: 'Uz→', confidence: 0.9 },
      { text: 'X2ar', confidence: 0.45 },
      { text: 'holds', confidence: 0.97 },
    ];
    assert.deepEqual(mathSpans(unsure), [{ from: 1, to: 3 }]);
    // A sure word is prose even when it mixes letters and digits.
    assert.deepEqual(mathSpans([{ text: 'COVID-19', confidence: 0.95 }]), []);
  });

  it('takes the short sides of a relation, superscripts and a bracket running over several words', () => {
    assert.deepEqual(spans('each other QTQ = I between large'), ['QTQ = I']);
    assert.deepEqual(spans('number should ak ≥ O into only'), ['ak ≥ O']);
    assert.deepEqual(spans('total q(ac, ay) = a²q(, y) used an'), ['q(ac, ay) = a²q(, y)']);
    // A product written with dots runs on through them.
    assert.deepEqual(spans('was h=u1 · · · uktk after'), ['h=u1 · · ·']);
    // ∈ and ⊂ read as "E" and "C" between one-letter variables.
    assert.deepEqual(spans('or data a E p or for'), ['a E p']);
    assert.deepEqual(spans('rate C1 C M1 system'), ['C1 C M1']);
    assert.deepEqual(spans('vitamins C and E in food'), []);
    // English words beside a relation stay prose.
    assert.deepEqual(spans('the total is = 3 here'), ['= 3']);
  });

  it('leaves prose, numbers and citations alone', () => {
    assert.deepEqual(spans('In 2019 we measured 3 wells (see 12, 14) and a river'), []);
    assert.deepEqual(spans('A survey of I and a notebook'), []);
    assert.deepEqual(spans('The ratio is 3/4 of the total'), []);
  });

  it('takes named functions, indexed sequences, primes, bracketed variables and powers the recogniser could not read', () => {
    assert.deepEqual(spans("number should Z = g(Z') while on"), ["Z = g(Z')"]);
    assert.deepEqual(spans('should estimate not dim W = 3 it most'), ['dim W = 3']);
    assert.deepEqual(spans('By y[k] = h[k] * x[k] first into'), ['y[k] = h[k] * x[k]']);
    assert.deepEqual(spans('field used (i +m) field rate'), ['(i +m)']);
    assert.deepEqual(spans('because κ ≥ |L| were as'), ['κ ≥ |L|']);
    assert.deepEqual(spans('On with y= 48x? -x+1 was well'), ['y= 48x? -x+1']);
    assert.deepEqual(spans('data m ≠ 1 (mod 4) when field'), ['m ≠ 1 (mod 4)']);
    assert.deepEqual(spans('for x1, ..., xn in the set'), ['x1, ..., xn']);
    // Sides of a relation or sum read with a bar or a subscript as a letter; a subscript read as a comma.
    assert.deepEqual(spans("measured F'|u = 0 in are"), ["F'|u = 0"]);
    assert.deepEqual(spans('but data Ar +Ayy = 0 system'), ['Ar +Ayy = 0']);
    assert.deepEqual(spans("without Xy(U') → X,(U') may"), ["Xy(U') → X,(U')"]);
    assert.deepEqual(spans('With k ≪ m, n all all'), ['k ≪ m, n']);
    assert.deepEqual(spans('With k ≤ m, n all all'), ['k ≤ m, n']);
    assert.deepEqual(spans('and so on, ... as before'), []);
  });

  it('ends a bracket left open at the next word of prose', () => {
    assert.deepEqual(spans('so f = q(ax, under the same rule'), ['f = q(ax,']);
  });

  it('takes "a", "A" and "I" into a formula only right beside an operator', () => {
    assert.deepEqual(spans('if a = b then'), ['a = b']);
    assert.deepEqual(spans('take a b = c'), ['b = c']);
    assert.deepEqual(spans('where x + a.'), ['x + a.']);
  });
});

describe('isFormula', () => {
  it('accepts readings with math in them', () => {
    assert.equal(isFormula('x^{2}+y^{2}=r^{2}', 'x2 + y2 = r2'), true);
    assert.equal(isFormula('\\alpha', 'α'), true);
  });
  it('rejects readings that are only the same letters or carry no math', () => {
    assert.equal(isFormula('\\mathrm{and}', 'and'), false);
    assert.equal(isFormula('abc', 'abc'), false);
    assert.equal(isFormula('x-y', 'x-y'), false);
    assert.equal(isFormula('', 'x'), false);
  });
});

describe('alphanumericAgreement', () => {
  it('is high when the math reading keeps the letters and digits the text recogniser saw', () => {
    assert.equal(alphanumericAgreement('x^{2}+y^{2}=r^{2}', 'x2 + y2 = r2'), 1);
    assert.ok(alphanumericAgreement('\\lambda_{3}=1.1', 'λ3 = 1.1') >= 0.5);
  });
  it('is low for a formula the model made up', () => {
    assert.ok(alphanumericAgreement('\\begin{aligned}\\mathbf{v}&=\\mathbf{u}\\end{aligned}', 'x元 = e"lIn') < 0.5);
  });
  it('counts a Greek letter and the Latin letter the text recogniser read it as as one letter', () => {
    assert.equal(alphanumericAgreement('\\rho\\neq\\pi', 'p ≠ π'), 1);
    assert.equal(alphanumericAgreement('\\nu+\\omega', 'v + ω'), 1);
    assert.ok(alphanumericAgreement('\\rho', 'q') < 0.5);
  });
  it('is 1 when neither reading has letters or digits', () => {
    assert.equal(alphanumericAgreement('\\leq', '≤'), 1);
  });
});
