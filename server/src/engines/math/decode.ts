/**
 * Autoregressive decoding over the exported decoder with its key/value cache: a small beam (or greedy), returning
 * every finished beam so the caller can prefer one that parses. A repetition guard stops loops the model can fall into on out-of-distribution crops.
 */
export interface StepFn {
  /** One decoder step for each beam: token ids and the beams' cache indices → log-probabilities [beams][vocab]. */
  (tokens: number[], position: number, reorder: number[] | undefined): Promise<Float32Array[]>;
}

export interface DecodeOptions {
  bos: number;
  eos: number;
  maxLength: number;
  beamWidth: number;
  /** Stop when the last `period`-token pattern has repeated this many times. */
  maxRepeats: number;
}

export interface Decoded {
  tokens: number[];
  /** Mean log-probability per token, and the lowest token probability (the weakest link). */
  meanLogProb: number;
  minProb: number;
  stoppedBy: 'eos' | 'length' | 'repetition';
}

export function logSoftmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return Float32Array.from(logits, (v) => v - lse);
}

/** True when the sequence ends with the same block of 1–8 tokens repeated `times` times. */
export function endsInRepetition(tokens: number[], times: number): boolean {
  for (let period = 1; period <= 8; period++) {
    if (tokens.length < period * times) continue;
    const tail = tokens.slice(-period);
    let repeats = 1;
    for (let k = 2; k <= times; k++) {
      const block = tokens.slice(tokens.length - k * period, tokens.length - (k - 1) * period);
      if (block.every((t, i) => t === tail[i])) repeats++;
      else break;
    }
    if (repeats >= times) return true;
  }
  return false;
}

interface Beam {
  tokens: number[];
  logProbs: number[];
  done: Decoded['stoppedBy'] | undefined;
}

/** The finished beams, best first (one with greedy decoding). */
export async function decode(step: StepFn, options: DecodeOptions): Promise<Decoded[]> {
  let beams: Beam[] = [{ tokens: [], logProbs: [], done: undefined }];
  let reorder: number[] | undefined;
  for (let position = 0; position < options.maxLength; position++) {
    const live = beams.filter((b) => !b.done);
    if (live.length === 0) break;
    const input = live.map((b) => (b.tokens.length ? b.tokens[b.tokens.length - 1]! : options.bos));
    const scores = await step(input, position, reorder);
    const candidates: { from: number; token: number; logProb: number; total: number }[] = [];
    live.forEach((beam, i) => {
      const lp = scores[i]!;
      const base = beam.logProbs.reduce((s, v) => s + v, 0);
      // The best few tokens of each beam are enough candidates.
      const top = [...lp.keys()].sort((a, b) => lp[b]! - lp[a]!).slice(0, options.beamWidth);
      for (const token of top) candidates.push({ from: i, token, logProb: lp[token]!, total: base + lp[token]! });
    });
    // Length-normalised score, so a short beam that ended early does not win by default.
    candidates.sort((a, b) => b.total / (live[b.from]!.tokens.length + 1) - a.total / (live[a.from]!.tokens.length + 1));
    const chosen = candidates.slice(0, options.beamWidth);
    const finished = beams.filter((b) => b.done);
    const next: Beam[] = chosen.map((c) => {
      const beam = live[c.from]!;
      const tokens = c.token === options.eos ? beam.tokens : [...beam.tokens, c.token];
      const done: Beam['done'] = c.token === options.eos ? 'eos' : endsInRepetition(tokens, options.maxRepeats) ? 'repetition' : undefined;
      return { tokens, logProbs: [...beam.logProbs, c.logProb], done };
    });
    reorder = next.filter((b) => !b.done).map((b) => live.indexOf(live[chosen[next.indexOf(b)]!.from]!));
    beams = [...finished, ...next];
    if (beams.filter((b) => b.done === 'eos').length >= options.beamWidth) break;
  }
  const score = (b: Beam) => b.logProbs.reduce((s, v) => s + v, 0) / Math.max(1, b.logProbs.length) - (b.done === 'eos' ? 0 : 1);
  return [...beams]
    .sort((a, b) => score(b) - score(a))
    .map((beam) => ({
      tokens: beam.tokens,
      meanLogProb: beam.logProbs.reduce((s, v) => s + v, 0) / Math.max(1, beam.logProbs.length),
      minProb: Math.exp(Math.min(0, ...beam.logProbs)),
      stoppedBy: beam.done ?? 'length',
    }));
}
