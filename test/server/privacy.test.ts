import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { RecognizeRequest, StatusRequest } from '../../server/src/protocol';
import { samplePdf, samplePng, sampleTable, tempDir } from '../fixtures';
import { startDaemon } from './client';

const hasStrace = spawnSync('strace', ['-V']).status === 0;

describe('privacy', () => {
  // Watches the daemon's system calls, so connections from native code (onnxruntime, libvips, pdf.js's
  // canvas) count too, not only those made through Node's net module.
  it('the daemon opens no network connection while it works', { skip: hasStrace ? false : 'strace is not installed (.ci/run installs it)' }, async () => {
    const log = path.join(tempDir(), 'syscalls.log');
    const daemon = await startDaemon({ executionProvider: 'auto' }, ['strace', '-f', '-qq', '-e', 'trace=connect,sendto,sendmsg,openat', '-o', log]);
    try {
      await daemon.connection.sendRequest(StatusRequest.type);
      await daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: samplePng }, mode: 'text' });
      await daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: sampleTable }, mode: 'table' });
      await daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: samplePdf }, mode: 'text', page: 2 });
    } finally {
      await daemon.stop();
    }
    const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    // The trace really saw the daemon's work: it opened the sample and the models.
    assert.ok(calls.some((line) => line.includes('openat(') && line.includes('sample-scan.png')));
    assert.ok(calls.some((line) => line.includes('ch_PP-OCRv4_rec_infer.onnx')));
    const network = calls.filter((line) => /AF_INET6?|AF_NETLINK|AF_PACKET/.test(line));
    assert.deepEqual(network, []);
  });
});
