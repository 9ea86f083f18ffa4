import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ResponseError } from 'vscode-languageserver-protocol/node';
import { RecognizeRequest, type RecognizeParams } from '../../server/src/protocol';
import { defaultLimits } from '../../server/src/limits';
import { samplePng } from '../fixtures';
import { CancellationTokenSource, startDaemon, type Daemon } from './client';

const title: RecognizeParams = { source: { path: samplePng }, mode: 'text', region: { x: 100, y: 100, width: 700, height: 80 } };

/** Peak resident memory of the daemon process, in MB, from the kernel's high-water mark. */
function peakRssMb(daemon: Daemon): number {
  const status = readFileSync(`/proc/${daemon.process.pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

type Outcome = 'ok' | 'busy' | 'cancelled' | string;
async function settle(daemon: Daemon, n: number, cancelEvery = 0): Promise<Outcome[]> {
  const sources = Array.from({ length: n }, () => new CancellationTokenSource());
  const pending = sources.map((source) =>
    daemon.connection.sendRequest(RecognizeRequest.type, title, source.token).then(
      (r): Outcome => (r.content.trim() === 'Reading Old Field Notes' ? 'ok' : `wrong: ${r.content}`),
      (e: unknown): Outcome => (e instanceof ResponseError ? (e.code === -32800 ? 'cancelled' : (e.data as { kind: string }).kind) : String(e)),
    ),
  );
  if (cancelEvery) setTimeout(() => sources.forEach((s, i) => i % cancelEvery === 0 && s.cancel()), 50);
  return Promise.all(pending);
}

const count = (outcomes: Outcome[], what: Outcome) => outcomes.filter((o) => o === what).length;

describe('load', () => {
  it('50 overlapping requests from one client: each completes, is refused as busy past the queue limit, or is cancelled', async () => {
    const daemon = await startDaemon();
    try {
      const outcomes = await settle(daemon, 50, 5);
      assert.deepEqual(outcomes.filter((o) => !['ok', 'busy', 'cancelled'].includes(o)), []);
      // The queue holds maxQueuedRequests; with a fifth of them cancelled early, most of the rest complete.
      assert.ok(count(outcomes, 'ok') >= defaultLimits.maxQueuedRequests - 10, outcomes.join(','));
      assert.ok(count(outcomes, 'cancelled') >= 5);
      assert.ok(peakRssMb(daemon) < 1500, `peak RSS ${peakRssMb(daemon)} MB`);
      // Afterwards the daemon is idle and answers normally.
      assert.deepEqual(await settle(daemon, 1), ['ok']);
    } finally {
      await daemon.stop();
    }
  });

  it('two clients with their own daemons, 25 requests each at once', async () => {
    const daemons = await Promise.all([startDaemon(), startDaemon()]);
    try {
      const results = await Promise.all(daemons.map((d) => settle(d, 25)));
      for (const outcomes of results) assert.deepEqual(outcomes, Array(25).fill('ok'));
      for (const d of daemons) assert.ok(peakRssMb(d) < 1500, `peak RSS ${peakRssMb(d)} MB`);
    } finally {
      await Promise.all(daemons.map((d) => d.stop()));
    }
  });
});
