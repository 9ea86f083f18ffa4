import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as protocol from '../../server/src/protocol';
import { root } from '../fixtures';

describe('protocol documentation', () => {
  it('describes every custom method declared in protocol.ts', () => {
    const doc = readFileSync(path.join(root, 'docs/protocol.md'), 'utf8');
    const methods = (Object.values(protocol) as unknown[])
      .filter((v): v is { method: string } => typeof v === 'object' && v !== null && typeof (v as { method?: unknown }).method === 'string')
      .map((v) => v.method);
    assert.ok(methods.length >= 3);
    for (const method of methods) assert.ok(doc.includes(`## \`${method}\``), `docs/protocol.md lacks ${method}`);
  });
});
