/** The host validates every webview message (client/src/preview/messages.ts): a webview is untrusted content. */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { convertModes, describeMessage, parsePreviewMessage, parseRegion, parseResultMessage, type PageBounds } from '../../client/src/preview/messages';
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

  describe('hostile messages', () => {
    const region = { x: 10, y: 20, width: 300, height: 40 };
    /** A US-letter PDF with 3 pages, page 2 drawn. */
    const bounds: PageBounds = { pageCount: 3, page: 2, width: 612, height: 792 };
    const convert = (extra: Record<string, unknown>) => parsePreviewMessage({ type: 'convert', mode: 'text', page: 2, region, ...extra }, bounds);

    it('accepts a region inside the drawn page, up to its edges', () => {
      assert.deepEqual(convert({})?.type, 'convert');
      assert.ok(convert({ region: { x: 0, y: 0, width: 612, height: 792 } }), 'the whole page');
      assert.ok(convert({ region: { x: 311.99, y: 0, width: 300.01, height: 10 } }), 'rounding at the edge');
    });

    it('rejects coordinates that are not finite numbers', () => {
      for (const bad of [NaN, Infinity, -Infinity, '10', null, true, [10], { valueOf: () => 10 }, 10n]) {
        for (const key of ['x', 'y', 'width', 'height']) {
          assert.equal(convert({ region: { ...region, [key]: bad } }), undefined, `${key} = ${String(bad)}`);
        }
      }
    });

    it('rejects regions outside the page, empty or absurdly large', () => {
      for (const bad of [
        { ...region, x: -1 },
        { ...region, y: -0.5 },
        { ...region, width: 0 },
        { ...region, height: -40 },
        { ...region, x: 600 }, // past the right edge
        { x: 0, y: 0, width: 612, height: 800 }, // taller than the page
        { x: 0, y: 0, width: 1e300, height: 1e300 },
        { x: Number.MAX_VALUE, y: 0, width: 1, height: 1 },
      ]) {
        assert.equal(convert({ region: bad }), undefined, JSON.stringify(bad));
      }
      // Without a known page size, still never negative or beyond 10^7 units.
      assert.equal(parseRegion({ x: 0, y: 0, width: 2e7, height: 1 }), undefined);
      assert.equal(parseRegion({ x: -5, y: 0, width: 1, height: 1 }), undefined);
      assert.deepEqual(parseRegion({ x: 5000, y: 0, width: 1, height: 1 }), { x: 5000, y: 0, width: 1, height: 1 });
      // A page other than the one drawn is not checked against that page's size.
      assert.ok(parsePreviewMessage({ type: 'convert', mode: 'text', page: 3, region: { x: 0, y: 0, width: 900, height: 900 } }, bounds));
    });

    it('rejects page numbers that are not whole numbers in range', () => {
      for (const page of [0, -1, 4, 1.5, NaN, Infinity, '2', null, 2n, [2]]) {
        assert.equal(convert({ page }), undefined, `page ${String(page)}`);
        assert.equal(parsePreviewMessage({ type: 'requestPage', page }, bounds), undefined, `requestPage ${String(page)}`);
        assert.equal(parsePreviewMessage({ type: 'selection', page }, bounds), undefined, `selection ${String(page)}`);
      }
      assert.equal(parsePreviewMessage({ type: 'loaded', page: 5, pageCount: 3, width: 1, height: 1 }), undefined, 'page beyond its own count');
      assert.equal(parsePreviewMessage({ type: 'loaded', page: 1, pageCount: 3, width: 0, height: 1 }), undefined, 'empty page');
      assert.equal(parsePreviewMessage({ type: 'state', state: { page: 9, zoom: 1 } }, bounds), undefined);
    });

    it('accepts only the known modes', () => {
      for (const mode of ['TEXT', 'text ', 'constructor', '__proto__', 'toString', '', null, 1, ['text'], { mode: 'text' }]) {
        assert.equal(convert({ mode }), undefined, `mode ${JSON.stringify(mode)}`);
        assert.equal(parseResultMessage({ type: 'retry', mode }), undefined, `retry ${JSON.stringify(mode)}`);
      }
    });

    it('ignores unknown types and non-objects', () => {
      for (const bad of [undefined, 0, 'convert', [{ type: 'ready' }], { type: 'eval', code: '1' }, { type: 'constructor' }, { type: 'hasOwnProperty' }, { type: ['ready'] }, { TYPE: 'ready' }]) {
        assert.equal(parsePreviewMessage(bad, bounds), undefined, JSON.stringify(bad));
        assert.equal(parseResultMessage(bad), undefined, JSON.stringify(bad));
      }
    });

    it('reads own fields only and passes nothing else on', () => {
      // A prototype carrying fields is not the message.
      const inherited = Object.create({ type: 'convert', mode: 'text', page: 2 });
      assert.equal(parsePreviewMessage(inherited, bounds), undefined);
      const protoRegion = { type: 'convert', mode: 'text', page: 2, __proto__: { region: { x: 0, y: 0, width: 5000, height: 5000 } } };
      assert.deepEqual(parsePreviewMessage(protoRegion, bounds), { type: 'convert', mode: 'text', page: 2, region: undefined, crop: undefined });
      // JSON's "__proto__" is an own key, not a prototype; it and other extras are dropped.
      const parsed = parsePreviewMessage(JSON.parse('{"type":"convert","mode":"text","page":2,"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"extra":1}'), bounds);
      assert.deepEqual(parsed, { type: 'convert', mode: 'text', page: 2, region: undefined, crop: undefined });
      assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
      const region = parseRegion(JSON.parse('{"x":1,"y":2,"width":3,"height":4,"__proto__":{"x":-1}}'));
      assert.deepEqual(Object.keys(region!), ['x', 'y', 'width', 'height']);
    });

    it('caps strings and drops crops that are not PNG data URLs', () => {
      const long = parsePreviewMessage({ type: 'error', message: 'x'.repeat(1e6) });
      assert.equal(long?.type === 'error' && long.message.length, 2000);
      for (const crop of ['data:image/svg+xml;base64,PHN2Zz4=', 'data:image/png;base64,AA"onerror="x', 'https://example.com/x.png', `data:image/png;base64,${'A'.repeat(8_000_001)}`]) {
        assert.equal((convert({ crop }) as { crop?: string }).crop, undefined, crop.slice(0, 40));
      }
    });

    it('describes any rejected message safely for the log', () => {
      const circular: Record<string, unknown> = { type: 'x' };
      circular.self = circular;
      assert.match(describeMessage(circular), /cannot be shown/);
      assert.match(describeMessage({ n: 1n }), /cannot be shown/);
      assert.equal(describeMessage({ type: 'y'.repeat(1000) }).length, 200);
      assert.equal(describeMessage(undefined), 'undefined');
    });
  });
});
