// Check the exported ONNX math model with onnxruntime-node against the PyTorch reference
// outputs that export.py stored in <dir>/check.json. Also measures latency per formula.
//   node training/math/check_onnx.mjs models/math
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

const dir = process.argv[2] ?? 'models/math';
const meta = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
const checks = JSON.parse(readFileSync(join(dir, 'check.json'), 'utf8'));
const opts = { executionProviders: ['cpu'], intraOpNumThreads: 2, graphOptimizationLevel: 'all' };
const enc = await ort.InferenceSession.create(join(dir, 'encoder.onnx'), opts);
const dec = await ort.InferenceSession.create(join(dir, 'decoder.onnx'), opts);
const { layers: L, heads: H, head_dim: DH } = meta.decoder;
const { bos, eos } = meta.tokens;

async function greedy(image, shape) {
  const t0 = performance.now();
  const { cross_k, cross_v } = await enc.run({ image: new ort.Tensor('float32', Float32Array.from(image), [1, ...shape]) });
  const tEnc = performance.now() - t0;
  let pastK = new ort.Tensor('float32', new Float32Array(0), [L, 1, H, 0, DH]);
  let pastV = new ort.Tensor('float32', new Float32Array(0), [L, 1, H, 0, DH]);
  let tok = bos;
  const ids = [];
  let logits0 = null;
  for (let t = 0; t < meta.max_len; t++) {
    const out = await dec.run({
      token: new ort.Tensor('int64', BigInt64Array.from([BigInt(tok)]), [1, 1]),
      position: new ort.Tensor('int64', BigInt64Array.from([BigInt(t)]), [1]),
      cross_k, cross_v, past_k: pastK, past_v: pastV,
    });
    const lg = out.logits.data;
    if (t === 0) logits0 = Float32Array.from(lg);
    let best = 0;
    for (let v = 1; v < lg.length; v++) if (lg[v] > lg[best]) best = v;
    ids.push(best);
    pastK = out.present_k;
    pastV = out.present_v;
    if (best === eos) break;
    tok = best;
  }
  return { ids, logits0, crossSum: cross_k.data.reduce((s, v) => s + v, 0), ms: performance.now() - t0, tEnc };
}

let fail = 0;
for (const c of checks) {
  const r = await greedy(c.image, c.shape);
  let maxDiff = 0;
  for (let v = 0; v < r.logits0.length; v++) maxDiff = Math.max(maxDiff, Math.abs(r.logits0[v] - c.logits0[v]));
  const same = JSON.stringify(r.ids) === JSON.stringify(c.greedy);
  if (!same || maxDiff > 1e-3) fail++;
  const text = r.ids.filter((i) => i > 3).map((i) => meta.vocab[i]).join(' ');
  console.log(`${same ? 'OK ' : 'DIFF'} shape=${c.shape} max|Δlogits0|=${maxDiff.toExponential(2)} crossSum onnx=${r.crossSum.toFixed(3)} torch=${c.cross_k_sum.toFixed(3)} ` +
    `${r.ids.length} tokens in ${r.ms.toFixed(0)} ms (encoder ${r.tEnc.toFixed(0)} ms)\n    ${text.slice(0, 120)}`);
}
console.log(fail ? `${fail} of ${checks.length} samples differ` : `all ${checks.length} samples match PyTorch`);
process.exit(fail ? 1 : 0);
