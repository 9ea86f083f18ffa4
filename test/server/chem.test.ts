import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Osra } from '../../server/src/engines/chem/osra';
import { canonicalSmiles } from '../../server/src/engines/chem/rdkit';
import { OcrService } from '../../server/src/service';
import { neverCancelled } from '../../server/src/errors';
import { root } from '../fixtures';
import { RecognizeRequest, StatusRequest } from '../../server/src/protocol';
import { CancellationTokenSource, startDaemon } from './client';

const sampleMolecule = path.join(root, 'media/samples/sample-molecule.png');
/** What media/samples/make-molecule.mjs drew: caffeine. */
const sampleSmiles = 'CN1C=NC2=C1C(=O)N(C(=O)N2C)C';
const cli = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), ...args], { encoding: 'utf8', env });
// CI installs osra (.ci/run); elsewhere the real recognition is skipped when it is absent.
const noOsra = !Osra.find() && !process.env.CI ? 'osra is not installed' : false;

describe('chem mode', () => {
  it('reads the bundled sample drawing through the CLI', { skip: noOsra }, async () => {
    const run = cli([sampleMolecule, '--mode', 'chem', '--json']);
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.equal(result.format, 'smiles');
    assert.equal(result.content, await canonicalSmiles(sampleSmiles));
    assert.equal(result.chem.smiles, result.content);
    assert.equal(result.chem.formula, 'C8H10N4O2');
    assert.equal(result.chem.inchiKey, 'RYYVLZVUVIJVGH-UHFFFAOYSA-N');
    assert.match(result.chem.svg, /<svg/);
    assert.match(result.chem.molfile, /M {2}END/);
    assert.equal(result.alternatives.markdown, '```smiles\n' + result.content + '\n```');
    assert.ok(result.confidence > 0.5, String(result.confidence));
    assert.ok(result.chem.agreement.votes >= 2, JSON.stringify(result.chem.agreement));
    // Plain output is the SMILES alone on its line, ready to insert.
    const plain = cli([sampleMolecule, '--mode', 'chem']);
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(plain.stdout, result.content + '\n');
  });

  it('auto mode answers the sample drawing as a molecule', { skip: noOsra }, async () => {
    const result = await new OcrService().recognize({ source: { path: sampleMolecule }, mode: 'auto' }, neverCancelled);
    assert.equal(result.layout?.kind, 'chem');
    assert.equal(result.content, await canonicalSmiles(sampleSmiles));
  });

  it('reads a region of the sample through OcrService, boxes in page units', { skip: noOsra }, async () => {
    const service = new OcrService();
    const result = await service.recognize({ source: { path: sampleMolecule }, mode: 'chem', region: { x: 40, y: 20, width: 560, height: 440 } }, neverCancelled);
    assert.equal(result.content, await canonicalSmiles(sampleSmiles));
    assert.equal(result.engine.name, 'OSRA + RDKit');
    const [[x0, y0]] = result.lines[0]!.box;
    assert.ok(x0 >= 40 && y0 >= 20, JSON.stringify(result.lines[0]!.box));
    assert.ok(service.status().engines.find((e) => e.mode === 'chem')?.available);
  });

  it('answers ocr/recognize over stdio, and a cancelled request stops its OSRA runs', { skip: noOsra }, async () => {
    const daemon = await startDaemon();
    try {
      const status = await daemon.connection.sendRequest(StatusRequest.type);
      assert.equal(status.engines.find((e) => e.mode === 'chem')?.available, true);
      const result = await daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: sampleMolecule }, mode: 'chem' });
      assert.equal(result.content, await canonicalSmiles(sampleSmiles));
      assert.equal(result.chem?.formula, 'C8H10N4O2');
      const cts = new CancellationTokenSource();
      const pending = daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: sampleMolecule }, mode: 'chem' }, cts.token);
      setTimeout(() => cts.cancel(), 300);
      await assert.rejects(pending, (e: { code?: number }) => e.code === -32800);
      assert.equal(daemon.process.exitCode, null);
    } finally {
      await daemon.stop();
    }
  });

  it('says how to install OSRA when it is missing, in status and on recognition', () => {
    const env = { ...process.env, FORMATTED_OCR_OSRA: '/nonexistent/osra' };
    const status = cli(['--status'], env);
    assert.equal(status.status, 0, status.stderr);
    const chem = JSON.parse(status.stdout).engines.find((e: { mode: string }) => e.mode === 'chem');
    assert.equal(chem.available, false);
    assert.match(chem.reason, /apt-get install osra/);
    const run = cli([sampleMolecule, '--mode', 'chem'], env);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /^formatted-ocr: The "chem" mode needs OSRA, which is not installed\. Install OSRA: "sudo apt-get install osra"/);
    assert.equal(run.stdout, '');
  });
});
