import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ResponseError } from 'vscode-languageserver-protocol/node';
import { RecognizeRequest, StatusRequest, type RecognizeParams } from '../../server/src/protocol';
import { root } from '../fixtures';
import { startDaemon, type Daemon } from './client';

/** Replays inputs that once crashed or hung the daemon (saved by `npm run fuzz`): each must now get an answer. */
const corpus = path.join(root, 'test/fuzz-corpus');
const entries = readdirSync(corpus).filter((n) => !n.startsWith('.') && n !== 'README.md');

describe('fuzz regression corpus', () => {
  let daemon: Daemon;
  before(async () => (daemon = await startDaemon()));
  after(async () => daemon.stop());

  for (const name of entries) {
    it(name, async () => {
      const file = path.join(corpus, name);
      const params = name.endsWith('.json') ? JSON.parse(readFileSync(file, 'utf8')) : { source: { path: file }, mode: 'text' };
      try {
        await daemon.connection.sendRequest(RecognizeRequest.type, params as RecognizeParams);
      } catch (error) {
        assert.ok(error instanceof ResponseError && error.message.length > 0 && (error.data as { kind?: string })?.kind !== 'internal', String(error));
      }
      assert.equal(daemon.process.exitCode, null);
    });
  }

  it('the daemon still answers after the corpus', async () => {
    assert.ok((await daemon.connection.sendRequest(StatusRequest.type)).version);
  });
});
