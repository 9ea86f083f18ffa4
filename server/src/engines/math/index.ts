import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkpoint, OcrError } from '../../errors';
import { modelsDir } from '../../paths';
import type { EngineStatus } from '../../protocol';
import type { Engine, EngineRequest, EngineResult } from '../engine';
import { loadManifest, manifestKey } from '../integrity';
import { ort, type SessionFactory } from '../runtime';
import { decode, logSoftmax } from './decode';
import { detokenize } from './latex';
import { preprocessFormula, type MathInputSpec } from './preprocess';
import { checkTex } from './validate';

/** models/math/model.json, written by training/math/export.py. */
interface MathModelMeta {
  format: string;
  step: number;
  input: MathInputSpec;
  tokens: { pad: number; bos: number; eos: number; unk: number };
  max_len: number;
  decoder: { layers: number; heads: number; head_dim: number; vocab_size: number };
  vocab: string[];
}

interface Loaded {
  encoder: ort.InferenceSession;
  decoder: ort.InferenceSession;
  meta: MathModelMeta;
}

export interface MathOptions {
  /** 1 = greedy. */
  beamWidth: number;
}

export class MathEngine implements Engine {
  readonly mode = 'math' as const;
  readonly name = 'Formatted OCR im2latex (own encoder-decoder)';
  private loaded: Promise<Loaded> | undefined;
  private loadedOk = false;

  constructor(
    private readonly sessions: SessionFactory,
    private readonly dir: string = path.join(modelsDir(), 'math'),
    private readonly options: MathOptions = { beamWidth: 3 },
  ) {}

  private get files() {
    return { encoder: path.join(this.dir, 'encoder.onnx'), decoder: path.join(this.dir, 'decoder.onnx'), meta: path.join(this.dir, 'model.json') };
  }

  status(): EngineStatus {
    const files = this.files;
    const present = Object.values(files).every((f) => fs.existsSync(f));
    // A model the manifest does not pin would be refused at load, so it does not count as installed.
    const pinned = present && [files.encoder, files.decoder].every((f) => loadManifest().files[manifestKey(f)] !== undefined);
    return {
      mode: 'math',
      available: pinned,
      ...(pinned ? {} : { reason: present ? `the math model in ${this.dir} is not listed in models/manifest.json` : `the math model is missing from ${this.dir}` }),
      models: [
        { name: 'math encoder', path: files.encoder, loaded: this.loadedOk },
        { name: 'math decoder (key/value cache)', path: files.decoder, loaded: this.loadedOk },
      ],
    };
  }

  private load(): Promise<Loaded> {
    this.loaded ??= (async () => {
      const files = this.files;
      const status = this.status();
      if (!status.available) throw new OcrError('modeNotAvailable', `The "math" mode is not available yet: ${status.reason}.`);
      const meta = JSON.parse(fs.readFileSync(files.meta, 'utf8')) as MathModelMeta;
      const loaded = { encoder: await this.sessions.load(files.encoder), decoder: await this.sessions.load(files.decoder), meta };
      this.loadedOk = true;
      return loaded;
    })().catch((error: unknown) => {
      this.loaded = undefined;
      throw error;
    });
    return this.loaded;
  }

  async recognize(request: EngineRequest): Promise<EngineResult> {
    const timings: Record<string, number> = {};
    let start = performance.now();
    const { encoder, decoder, meta } = await this.load();
    timings.load = performance.now() - start;
    start = performance.now();
    const input = preprocessFormula(request.page.image, meta.input);
    timings.preprocess = performance.now() - start;
    await checkpoint(request.token);
    request.report('encoding formula');
    start = performance.now();
    const image = new ort.Tensor('float32', input.tensor, [1, 1, meta.input.height, input.width]);
    const encoded = await encoder.run({ image });
    timings.encode = performance.now() - start;
    start = performance.now();
    const { layers, heads, head_dim: dh } = meta.decoder;
    const crossK = encoded.cross_k!, crossV = encoded.cross_v!;
    let cache: { beams: number; k: Float32Array; v: Float32Array; length: number } = { beams: 1, k: new Float32Array(0), v: new Float32Array(0), length: 0 };
    let cross = { beams: 1, k: crossK, v: crossV };
    const readings = await decode(
      async (tokens, position, reorder) => {
        await checkpoint(request.token);
        const beams = tokens.length;
        if (reorder && (reorder.length !== cache.beams || reorder.some((r, i) => r !== i))) cache = gatherBeams(cache, reorder, layers, heads, dh);
        if (cross.beams !== beams) cross = { beams, k: tileBeams(crossK, beams), v: tileBeams(crossV, beams) };
        const out = await decoder.run({
          token: new ort.Tensor('int64', BigInt64Array.from(tokens, (t) => BigInt(t)), [beams, 1]),
          position: new ort.Tensor('int64', BigInt64Array.from([BigInt(position)]), [1]),
          cross_k: cross.k,
          cross_v: cross.v,
          past_k: new ort.Tensor('float32', cache.k, [layers, beams, heads, cache.length, dh]),
          past_v: new ort.Tensor('float32', cache.v, [layers, beams, heads, cache.length, dh]),
        });
        cache = { beams, k: out.present_k!.data as Float32Array, v: out.present_v!.data as Float32Array, length: cache.length + 1 };
        const logits = out.logits!.data as Float32Array;
        const vocab = meta.decoder.vocab_size;
        return Array.from({ length: beams }, (_, b) => logSoftmax(logits.subarray(b * vocab, (b + 1) * vocab)));
      },
      { bos: meta.tokens.bos, eos: meta.tokens.eos, maxLength: meta.max_len, beamWidth: this.options.beamWidth, maxRepeats: 6 },
    );
    timings.decode = performance.now() - start;
    start = performance.now();
    // The most probable reading that MathJax parses; when none does, the most probable one, reported invalid.
    const checked = readings.map((reading) => ({ reading, latex: detokenize(reading.tokens.map((id) => meta.vocab[id] ?? '')) }));
    let chosen = { ...checked[0]!, check: checkTex(checked[0]!.latex) };
    for (const candidate of checked.slice(1)) {
      if (chosen.check.ok) break;
      const check = checkTex(candidate.latex);
      if (check.ok) chosen = { ...candidate, check };
    }
    const { reading: result, latex, check } = chosen;
    timings.validate = performance.now() - start;
    // Probability of the whole sequence per token; a result that does not parse is not trusted.
    const confidence = Math.exp(result.meanLogProb) * (check.ok ? 1 : 0.3) * (result.stoppedBy === 'eos' ? 1 : 0.5);
    const { x0, y0, x1, y1 } = input.box;
    return {
      content: latex,
      format: 'latex',
      confidence,
      lines: [{ text: latex, confidence, box: [[x0, y0], [x1, y0], [x1, y1], [x0, y1]] }],
      models: [`math/encoder.onnx`, `math/decoder.onnx`, `step ${meta.step}`],
      timings,
      math: {
        valid: check.ok,
        ...(check.ok ? { svg: check.svg } : { parseError: check.error }),
        stoppedBy: result.stoppedBy,
        tokens: result.tokens.length,
      },
    };
  }
}

/** Repeats batch-1 cross-attention keys/values [L,1,H,S,dh] for each beam. */
function tileBeams(tensor: ort.Tensor, beams: number): ort.Tensor {
  const [layers, , heads, s, dh] = tensor.dims as number[];
  const src = tensor.data as Float32Array;
  const block = heads! * s! * dh!;
  const out = new Float32Array(layers! * beams * block);
  for (let l = 0; l < layers!; l++) for (let b = 0; b < beams; b++) out.set(src.subarray(l * block, (l + 1) * block), (l * beams + b) * block);
  return new ort.Tensor('float32', out, [layers!, beams, heads!, s!, dh!]);
}

/** Reorders the self-attention cache [L,B,H,T,dh] so beam i continues from former beam `order[i]`. */
function gatherBeams(cache: { beams: number; k: Float32Array; v: Float32Array; length: number }, order: number[], layers: number, heads: number, dh: number) {
  const block = heads * cache.length * dh;
  const pick = (src: Float32Array) => {
    const out = new Float32Array(layers * order.length * block);
    for (let l = 0; l < layers; l++) order.forEach((from, b) => out.set(src.subarray((l * cache.beams + from) * block, (l * cache.beams + from + 1) * block), (l * order.length + b) * block));
    return out;
  };
  return { beams: order.length, k: pick(cache.k), v: pick(cache.v), length: cache.length };
}
