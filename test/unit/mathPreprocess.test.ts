import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { decode, endsInRepetition, logSoftmax } from '../../server/src/engines/math/decode';
import { preprocessFormula } from '../../server/src/engines/math/preprocess';
import { checkTex } from '../../server/src/engines/math/validate';
import { root } from '../fixtures';

interface Golden {
  spec: { height: number; max_width: number; width_multiple: number; pad: number };
  cases: { width: number; height: number; rgb: string; tensor_width: number; tensor: string }[];
}

describe('math preprocessing matches the training code', () => {
  // Written by training/math/make_golden.py from data.preprocess itself.
  const golden = JSON.parse(readFileSync(path.join(root, 'test/golden/math-preprocess.json'), 'utf8')) as Golden;
  for (const [i, c] of golden.cases.entries()) {
    it(`case ${i}: ${c.width} × ${c.height}`, () => {
      const out = preprocessFormula({ width: c.width, height: c.height, data: new Uint8Array(Buffer.from(c.rgb, 'base64')) }, golden.spec);
      const expected = Float32Array.from(Buffer.from(c.tensor, 'base64'), (v) => v / 255);
      assert.equal(out.width, c.tensor_width);
      assert.equal(out.tensor.length, expected.length);
      let worst = 0;
      for (let k = 0; k < expected.length; k++) worst = Math.max(worst, Math.abs(out.tensor[k]! - expected[k]!));
      // One 8-bit level of rounding difference at most.
      assert.ok(worst <= 1 / 255 + 1e-6, `max difference ${worst}`);
    });
  }
});

describe('math decoding', () => {
  it('detects repeated blocks at the end of a sequence', () => {
    assert.ok(endsInRepetition([5, 1, 2, 1, 2, 1, 2], 3));
    assert.ok(!endsInRepetition([5, 1, 2, 1, 3, 1, 2], 3));
    assert.ok(endsInRepetition([7, 7, 7, 7], 4));
  });

  it('greedy and beam decoding follow a scripted model, stop at </s>, and report the weakest token', async () => {
    // Vocabulary: 0 pad, 1 <s>, 2 </s>, 3 'a', 4 'b'. The script prefers a, then b, then </s>.
    const script = [[3, 0.6], [4, 0.9], [2, 0.8]] as const;
    const step = async (tokens: number[], position: number) =>
      tokens.map(() => {
        const logits = new Float32Array(5).fill(-5);
        const [token, p] = script[Math.min(position, 2)]!;
        logits[token] = Math.log(p / (1 - p)) + 5 * 0 + 0;
        return logSoftmax(logits);
      });
    for (const beamWidth of [1, 3]) {
      const readings = await decode(step, { bos: 1, eos: 2, maxLength: 10, beamWidth, maxRepeats: 6 });
      const out = readings[0]!;
      assert.deepEqual(out.tokens, [3, 4], `beam ${beamWidth}`);
      // Every finished beam comes back, best first.
      assert.equal(readings.length, beamWidth);
      for (let k = 1; k < readings.length; k++) assert.ok(readings[k]!.meanLogProb <= readings[k - 1]!.meanLogProb + 1e-9 || readings[k]!.stoppedBy !== 'eos');
      assert.equal(out.stoppedBy, 'eos');
      assert.ok(out.minProb > 0 && out.minProb < 1);
    }
  });

  it('stops a looping model by the repetition guard or the length cap', async () => {
    const loop = async (tokens: number[]) => tokens.map(() => logSoftmax(Float32Array.from([0, 0, 0, 5, 0])));
    const [out] = await decode(loop, { bos: 1, eos: 2, maxLength: 50, beamWidth: 1, maxRepeats: 6 });
    assert.equal(out!.stoppedBy, 'repetition');
    assert.equal(out!.tokens.length, 6);
  });
});

describe('LaTeX check with MathJax', () => {
  it('accepts valid TeX with an SVG and rejects broken or unknown commands with the parser message', () => {
    const ok = checkTex('\\frac{a}{b} + \\sqrt{x^2}');
    assert.ok(ok.ok && ok.svg.startsWith('<mjx-container'));
    const broken = checkTex('\\frac{a}{b');
    assert.ok(!broken.ok && /close brace/i.test(broken.error));
    const unknown = checkTex('\\notacommand x');
    assert.ok(!unknown.ok && /Undefined control sequence/.test(unknown.error));
  });
});
