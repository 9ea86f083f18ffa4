// Reference end-to-end inference in Node (what the daemon's math mode does), for checking a model:
//   node training/math/infer.mjs models/math image.png [more.png …]
// PNG/JPEG → sharp raw RGB(A) → PIL-style grayscale → preprocess (bit-exact port of data.py) →
// encoder.onnx once → greedy decoder.onnx with key/value cache, a length cap and a repetition guard →
// tokens → LaTeX (detokenize() of server/src/engines/math/latex.ts, ported inline below for .mjs use).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { preprocessGray, rgbaToGray } from './preprocess.mjs';

const [dir = 'models/math', ...images] = process.argv.slice(2);
const meta = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
const opts = { executionProviders: ['cpu'], intraOpNumThreads: 2 };
const enc = await ort.InferenceSession.create(join(dir, 'encoder.onnx'), opts);
const dec = await ort.InferenceSession.create(join(dir, 'decoder.onnx'), opts);
const { layers: L, heads: H, head_dim: DH } = meta.decoder;
const { bos, eos } = meta.tokens;
const inp = meta.input;

export async function recognize(path) {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  const gray = info.channels === 1 ? new Uint8Array(data) : rgbaToGray(data, info.width, info.height, info.channels);
  const t0 = performance.now();
  const x = preprocessGray(gray, info.width, info.height, { height: inp.height, maxWidth: inp.max_width, widthMultiple: inp.width_multiple, pad: inp.pad });
  const { cross_k, cross_v } = await enc.run({ image: new ort.Tensor('float32', x.data, [1, 1, x.height, x.width]) });
  let pastK = new ort.Tensor('float32', new Float32Array(0), [L, 1, H, 0, DH]);
  let pastV = new ort.Tensor('float32', new Float32Array(0), [L, 1, H, 0, DH]);
  let tok = bos;
  const ids = [];
  let logProb = 0;
  let stop = 'length';
  for (let t = 0; t < meta.max_len; t++) {
    const out = await dec.run({
      token: new ort.Tensor('int64', BigInt64Array.from([BigInt(tok)]), [1, 1]),
      position: new ort.Tensor('int64', BigInt64Array.from([BigInt(t)]), [1]),
      cross_k, cross_v, past_k: pastK, past_v: pastV,
    });
    const lg = out.logits.data;
    let best = 0;
    for (let v = 1; v < lg.length; v++) if (lg[v] > lg[best]) best = v;
    let z = 0;
    for (let v = 0; v < lg.length; v++) z += Math.exp(lg[v] - lg[best]);
    logProb += -Math.log(z);
    pastK = out.present_k;
    pastV = out.present_v;
    if (best === eos) {
      stop = 'eos';
      break;
    }
    ids.push(best);
    tok = best;
    if (repeats(ids)) {
      stop = 'repetition';
      break;
    }
  }
  const tokens = ids.map((i) => meta.vocab[i]);
  return { latex: detokenize(tokens), tokens, stop, confidence: Math.exp(logProb / Math.max(1, ids.length + 1)), ms: performance.now() - t0, width: x.width };
}

// An n-gram repeated k times at the end with k >= 4 and k*n >= 24 (so `} } } }`, `0 & 0 & 0 & 0` or
// `\\quad` runs of normal formulas pass, a decoder stuck in a loop does not).
function repeats(ids) {
  for (let n = 1; n <= 12; n++) {
    const need = Math.max(4, Math.ceil(24 / n));
    if (ids.length < need * n) continue;
    const tail = ids.slice(-n).join(',');
    let k = 1;
    while (k < need && ids.slice(-(k + 1) * n, -k * n).join(',') === tail) k++;
    if (k === need) return true;
  }
  return false;
}

const TEXT_CMDS = new Set(['\\text', '\\textbf', '\\textit', '\\textsf', '\\texttt', '\\textsc', '\\ce', '\\fbox']);
/** Same as detokenize() in server/src/engines/math/latex.ts. */
function detokenize(tokens) {
  let s = '';
  let textDepth = -1;
  let depth = 0;
  let pendingText = false;
  for (const t of tokens) {
    if (t === '{') { depth++; if (pendingText && textDepth < 0) textDepth = depth; pendingText = false; s += '{'; continue; }
    if (t === '}') { if (depth === textDepth) textDepth = -1; depth--; s += '}'; continue; }
    pendingText = TEXT_CMDS.has(t);
    if (textDepth >= 0) { s += t === '~' || t === '\\ ' ? ' ' : t; if (/^\\[a-zA-Z]+$/.test(t)) s += ' '; continue; }
    if (t === '\\ ') { s += '\\ '; continue; }
    if (t === '[' && s.endsWith('\\\\')) s += ' ';
    if (/^[a-zA-Z0-9]/.test(t) && /\\[a-zA-Z]+\*?$/.test(s)) s += ' ';
    s += t;
  }
  return s;
}

for (const img of images) {
  const r = await recognize(img);
  console.log(`${img}: ${r.latex}\n   stop=${r.stop} confidence=${r.confidence.toFixed(3)} tokens=${r.tokens.length} input width=${r.width} ${r.ms.toFixed(0)} ms`);
}
