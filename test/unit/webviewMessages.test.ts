/** The host validates every webview message (client/src/preview/messages.ts): a webview is untrusted content. */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { convertModes, parsePreviewMessage, parseRegion, parseResultMessage } from '../../client/src/preview/messages';
import { recognitionModes } from '../../server/src/protocol';

describe('webview messages', () => {
  it('offers exactly the daemon’s modes', () => {
    assert.deepEqual(convertModes.map((m) => m.mode).sort(), [...recognitionModes].sort());
  });
  it('accepts well-formed preview messages', () => {
    assert.deepEqual(parsePreviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parsePreviewMessage({ type: 'convert', mode: 'text', page: 2, region: { x: 1, y: 2, width: 3, height: 4 }, crop: 'data:image/png;base64,AAAA' }), {
      type: 'convert',
      mode: 'text',
      page: 2,
      region: { x: 1, y: 2, width: 3, height: 4 },
      crop: 'data:image/png;base64,AAAA',
    });
    assert.deepEqual(parsePreviewMessage({ type: 'state', state: { page: 1, zoom: 'fit' } }), { type: 'state', state: { page: 1, zoom: 'fit' } });
  });
  it('rejects malformed or hostile ones', () => {
    for (const bad of [
      null,
      'ready',
      { type: 'nope' },
      { type: 'convert', mode: 'rm -rf', page: 1 },
      { type: 'convert', mode: 'text', page: 0 },
      { type: 'convert', mode: 'text', page: 1.5 },
      { type: 'convert', mode: 'text', page: 1, region: { x: 0, y: 0, width: -1, height: 5 } },
      { type: 'convert', mode: 'text', page: 1, region: { x: NaN, y: 0, width: 1, height: 5 } },
      { type: 'convert', mode: 'text', page: 1, region: { x: '1', y: 0, width: 1, height: 5 } },
      { type: 'loaded', page: 1, pageCount: 'x', width: 1, height: 1 },
      { type: 'state', state: { page: 1, zoom: 1000 } },
    ]) {
      assert.equal(parsePreviewMessage(bad), undefined, JSON.stringify(bad));
    }
  });
  it('drops a crop that is not a PNG data URL', () => {
    const m = parsePreviewMessage({ type: 'convert', mode: 'text', page: 1, crop: 'javascript:alert(1)' });
    assert.deepEqual(m, { type: 'convert', mode: 'text', page: 1, region: undefined, crop: undefined });
  });
  it('validates regions and result-view messages', () => {
    assert.deepEqual(parseRegion({ x: 0, y: 0, width: 10, height: 10, extra: 1 }), { x: 0, y: 0, width: 10, height: 10 });
    assert.equal(parseRegion({ x: 0, y: 0, width: 0, height: 10 }), undefined);
    assert.deepEqual(parseResultMessage({ type: 'retry', mode: 'math' }), { type: 'retry', mode: 'math' });
    assert.equal(parseResultMessage({ type: 'retry', mode: 'x' }), undefined);
    assert.deepEqual(parseResultMessage({ type: 'copy', extra: 1 }), { type: 'copy' });
  });
});
