import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { WorkDoneProgress } from 'vscode-languageserver-protocol/node';
import { RecognizeRequest } from '../../server/src/protocol';
import { root, samplePng, tempDir } from '../fixtures';
import { startDaemon } from './client';

const cli = path.join(root, 'dist/cli.js');
const hasStrace = spawnSync('strace', ['-V']).status === 0;

/** Bands of the sample scan (its pixels), one per page, each with words found on no other page. */
const pages = [
  { top: 95, height: 85, words: 'Reading Old Field Notes' },
  { top: 195, height: 120, words: 'The survey of 1923' },
  { top: 330, height: 80, words: 'We scanned the first volume' },
  { top: 420, height: 115, words: 'the eastern wells' },
  { top: 545, height: 85, words: 'The remaining volumes' },
];

/** A multi-page TIFF: real scanned text, small pages so that each is recognised in about a second. */
async function multiPageTiff(file: string, count = pages.length): Promise<void> {
  const frames = await Promise.all(
    pages.slice(0, count).map(({ top, height }) =>
      sharp(samplePng)
        .extract({ left: 100, top, width: 760, height })
        .extend({ bottom: 130 - height, background: '#ffffff' })
        .png()
        .toBuffer(),
    ),
  );
  await sharp(frames, { join: { animated: true } }).tiff({ compression: 'lzw' }).toFile(file);
}

/** Runs the CLI's convert; `wrapper` runs it under another program (strace), given as argv prefix. */
function convert(args: string[], wrapper: string[] = []) {
  const command = [...wrapper, process.execPath, cli, 'convert', ...args];
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as string | null, stdout, stderr }));
  return { child, done };
}

async function waitFor(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('crash recovery', () => {
  it('a convert killed with SIGKILL mid-document resumes without losing, redoing or duplicating pages', async () => {
    const dir = tempDir();
    const tiff = path.join(dir, 'scan.tiff');
    await multiPageTiff(tiff);
    const killedOut = path.join(dir, 'killed');
    const freshOut = path.join(dir, 'fresh');
    const work = path.join(killedOut, 'scan.assets', '.pages');

    // An uninterrupted run on a fresh folder, alongside, is the reference.
    const fresh = convert([tiff, '--out', freshOut, '--json']);

    const killed = convert([tiff, '--out', killedOut]);
    await waitFor(() => existsSync(path.join(work, 'page-0001.json')), 120_000, 'the first page to be saved');
    killed.child.kill('SIGKILL');
    assert.equal((await killed.done).signal, 'SIGKILL');
    const saved = readdirSync(work).filter((n) => /^page-\d{4}\.json$/.test(n)).map((n) => Number(n.slice(5, 9))).sort((a, b) => a - b);
    assert.ok(saved.length >= 1 && saved.length < pages.length, `killed mid-document: pages ${saved.join(', ')} were saved`);
    // Saved pages are whole (written by rename): each parses and is its own page.
    for (const page of saved) assert.equal(JSON.parse(readFileSync(path.join(work, `page-${String(page).padStart(4, '0')}.json`), 'utf8')).page, page);
    assert.ok(!existsSync(path.join(killedOut, 'scan.md')), 'no result before every page is done');

    const resumed = await convert([tiff, '--out', killedOut, '--json']).done;
    assert.equal(resumed.code, 0, resumed.stderr);
    const [outcome] = JSON.parse(resumed.stdout) as { status: string; pages: { page: number; resumed: boolean }[] }[];
    assert.equal(outcome!.status, 'converted');
    // Exactly the pages saved before the kill are taken from the earlier run; the others are done now, once each.
    assert.deepEqual(
      outcome!.pages.map((p) => [p.page, p.resumed]),
      pages.map((_, i) => [i + 1, saved.includes(i + 1)]),
    );

    const markdown = readFileSync(path.join(killedOut, 'scan.md'), 'utf8');
    let last = -1;
    for (const { words } of pages) {
      assert.equal(markdown.split(words).length - 1, 1, `"${words}" appears once in:\n${markdown}`);
      assert.ok(markdown.indexOf(words) > last, `"${words}" is in page order in:\n${markdown}`);
      last = markdown.indexOf(words);
    }
    // Nothing else is left: no working folder, no temp files.
    assert.deepEqual(filesUnder(killedOut), ['scan.md']);

    const reference = await fresh.done;
    assert.equal(reference.code, 0, reference.stderr);
    assert.ok((JSON.parse(reference.stdout) as { pages: { resumed: boolean }[] }[])[0]!.pages.every((p) => !p.resumed));
    assert.equal(markdown, readFileSync(path.join(freshOut, 'scan.md'), 'utf8'));
    assert.deepEqual(filesUnder(freshOut), ['scan.md']);
  });

  it('a convert killed between writing the Markdown and renaming it into place leaves no temp file behind', { skip: hasStrace ? false : 'strace is not installed (.ci/run installs it)' }, async () => {
    const dir = tempDir();
    const tiff = path.join(dir, 'scan.tiff');
    await multiPageTiff(tiff, 2);
    const out = path.join(dir, 'out');
    // strace holds every rename for 0.4 s, which opens the window between the last write and its rename.
    const traced = convert([tiff, '--out', out], ['strace', '-f', '-qq', '-o', '/dev/null', '-e', 'trace=rename,renameat,renameat2', '-e', 'inject=rename,renameat,renameat2:delay_enter=400000']);
    const markdownTemp = () => filesUnder(out).find((f) => /(^|\/)scan\.md\.\d+\.\d+\.tmp$/.test(f));
    await waitFor(() => existsSync(out) && markdownTemp() !== undefined, 120_000, 'the Markdown temp file');
    // The CLI is strace's child; killing strace would only detach it.
    const cliPid = Number(readFileSync(`/proc/${traced.child.pid}/task/${traced.child.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
    process.kill(cliPid, 'SIGKILL');
    await traced.done;
    assert.ok(!existsSync(path.join(out, 'scan.md')), `killed before the rename: ${filesUnder(out).join(', ')}`);

    const resumed = await convert([tiff, '--out', out]).done;
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /2 page\(s\) \(2 ocr\), 2 resumed/);
    assert.deepEqual(filesUnder(out), ['scan.md']);
  });

  it('a daemon killed with SIGKILL during ocr/recognize fails that request, and a new daemon answers', async () => {
    const daemon = await startDaemon();
    const token = 'killed-mid-request';
    const detecting = new Promise<void>((resolve) =>
      daemon.connection.onProgress(WorkDoneProgress.type, token, (value) => value.kind === 'report' && value.message === 'detecting text' && resolve()),
    );
    const pending = daemon.connection.sendRequest(RecognizeRequest.type, { source: { path: samplePng }, mode: 'text', workDoneToken: token });
    await detecting;
    daemon.process.kill('SIGKILL');
    const [, signal] = await once(daemon.process, 'exit');
    assert.equal(signal, 'SIGKILL');
    // The client gives up on requests to a dead daemon when it drops the connection.
    daemon.connection.dispose();
    await assert.rejects(pending);

    const next = await startDaemon();
    try {
      const result = await next.connection.sendRequest(RecognizeRequest.type, { source: { path: samplePng }, mode: 'text', region: { x: 100, y: 100, width: 700, height: 80 } });
      assert.equal(result.content.trim(), 'Reading Old Field Notes');
    } finally {
      await next.stop();
    }
  });
});
