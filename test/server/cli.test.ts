import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { root, samplePdf, samplePng, tempDir, writeTemp, hugePngHeader } from '../fixtures';

const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), ...args], { encoding: 'utf8' });

describe('formatted-ocr CLI', () => {
  it('prints Markdown for the sample (the README main job)', () => {
    const run = cli(samplePng);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^# Reading Old Field Notes\n\nThe survey of 1923/);
    assert.equal(run.stderr, '');
  });

  it('prints JSON with boxes and confidence for a PDF region', () => {
    const run = cli(samplePdf, '--page', '2', '--region', '0,60,612,60', '--json', '--dpi', '200');
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.equal(result.page.unit, 'pt');
    assert.match(result.content, /A Born-Digital Page/);
    assert.ok(result.lines.length >= 1 && result.lines[0].box.length === 4);
    assert.ok(result.confidence > 0.5);
  });

  it('fails with one line and a non-zero exit code on bad input', () => {
    const dir = tempDir();
    const cases: [string[], RegExp][] = [
      [['/no/such.png'], /File not found/],
      [[samplePng, '--mode', 'haiku'], /Unknown mode "haiku"/],
      [[samplePng, '--region', '1,2,3'], /--region must be four numbers/],
      [[samplePng, '--page', 'two'], /--page must be a whole number/],
      [[writeTemp(dir, 'huge.png', hugePngHeader(30000, 30000))], /above the limit/],
      [[], /expected one input file/],
    ];
    for (const [args, message] of cases) {
      const run = cli(...args);
      assert.notEqual(run.status, 0, args.join(' '));
      assert.match(run.stderr, message);
      assert.ok(run.stderr.startsWith('formatted-ocr: '), run.stderr);
      assert.equal(run.stdout, '');
    }
  });

  it('reports status as JSON', () => {
    const run = cli('--status', '--provider', 'cpu');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).executionProvider.requested, 'cpu');
  });
});
