import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { gpuProvidersFor, SessionFactory } from '../../server/src/engines/runtime';
import { findTextModels } from '../../server/src/engines/text/models';

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
    });
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
    await assert.rejects(new SessionFactory('cpu').load('/nope/missing.onnx'), /Could not load the model \/nope\/missing\.onnx/);
  });
});
