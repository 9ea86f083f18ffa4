/** The client's bounded restarts of a crashed daemon (client/src/restartPolicy.ts). */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { RestartPolicy } from '../../client/src/restartPolicy';

describe('restart policy', () => {
  it('restarts up to max times within the window, then gives up', () => {
    const p = new RestartPolicy(3, 1000);
    assert.deepEqual([p.onCrash(0), p.onCrash(10), p.onCrash(20), p.onCrash(30)], [true, true, true, false]);
    assert.equal(p.count, 3);
  });
  it('forgets crashes older than the window', () => {
    const p = new RestartPolicy(2, 1000);
    assert.equal(p.onCrash(0), true);
    assert.equal(p.onCrash(500), true);
    assert.equal(p.onCrash(900), false);
    assert.equal(p.onCrash(1600), true, 'the crashes at 0 and 500 are out of the window');
  });
  it('starts counting again after a reset', () => {
    const p = new RestartPolicy(1, 1000);
    assert.equal(p.onCrash(0), true);
    assert.equal(p.onCrash(1), false);
    p.reset();
    assert.equal(p.onCrash(2), true);
  });
});
