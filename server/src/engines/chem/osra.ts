/**
 * OSRA (optical structure recognition, GPL, Debian package `osra`) as an external process: found on PATH once,
 * run with an argument array (no shell), killed when it runs too long or the request is cancelled, its input
 * written to a private temp dir that is always removed.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { CancelledError, OcrError, type CancelToken } from '../../errors';
import { superatomList } from './superatoms';

/** How to install OSRA, for the "mode not available" message. */
export const osraInstallHint =
  'Install OSRA: "sudo apt-get install osra" on Debian/Ubuntu, "sudo dnf install osra" on Fedora; elsewhere build it from ' +
  'https://sourceforge.net/projects/osra/ and put it on PATH, or set FORMATTED_OCR_OSRA to the osra binary.';

/** An answer OSRA printed: one structure, with its confidence estimate when `-p` was given. */
export interface OsraCandidate {
  smiles: string;
  /** OSRA's own score (unbounded, higher is better; ≈ 1–3 for good reads); undefined when not printed. */
  confidence?: number;
}

export interface OsraRunOptions {
  /** Extra OSRA flags (before the file name); `-p` is always added. */
  args?: string[];
  timeoutMs: number;
  token?: CancelToken;
  /** File extension of `image` (default png). */
  extension?: string;
}

/** Finds an executable `name` on PATH (or `override` if given: a path, or a name to look up); undefined if absent. */
export function findExecutable(name: string, pathVariable = process.env.PATH ?? '', override?: string): string | undefined {
  const isExecutable = (file: string) => {
    try {
      if (!statSync(file).isFile()) return false;
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (override) {
    if (isAbsolute(override) || override.includes('/')) return isExecutable(override) ? override : undefined;
    name = override;
  }
  const suffixes = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of pathVariable.split(delimiter)) {
    if (!dir) continue;
    for (const suffix of suffixes) {
      const file = join(dir, name + suffix);
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
}

const smilesToken = /^[A-Za-z0-9@+\-[\]()\\/%=#$:.*~]+$/;

/**
 * Parses OSRA's SMILES output: one structure per line, `SMILES [confidence]` (more columns with -b/-c). Anything
 * that does not look like that (warnings, garbage, empty lines) is skipped; RDKit validates the chemistry later.
 */
export function parseOsraOutput(stdout: string): OsraCandidate[] {
  const candidates: OsraCandidate[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const fields = line.trim().split(/\s+/);
    const smiles = fields[0];
    if (!smiles || !smilesToken.test(smiles) || !/[A-Za-z*]/.test(smiles)) continue;
    const score = fields[1] === undefined ? undefined : Number(fields[1]);
    if (fields[1] !== undefined && !Number.isFinite(score)) continue; // "SMILES" followed by words: not OSRA's format
    candidates.push({ smiles, ...(score === undefined ? {} : { confidence: score }) });
  }
  return candidates;
}

/** One structure of OSRA's SDF output. */
export interface OsraMolfile {
  /** V2000 molfile, through `M  END`. */
  molfile: string;
  confidence?: number;
  /** 1-based atom number → OSRA's text of a label it could not resolve (the atom is `*`). */
  aliases: Map<number, string>;
}

/** Parses OSRA's `-f sdf` output (records ended by `$$$$`; `-p` adds a Confidence_estimate field). */
export function parseOsraSdf(stdout: string): OsraMolfile[] {
  const records: OsraMolfile[] = [];
  for (const record of stdout.split(/^\$\$\$\$[ \t]*$/m)) {
    const lines = record.split(/\r?\n/);
    // The header's three lines may be blank (and blank lines at the record's start lost with them): start from
    // the counts line and write a header of our own.
    const counts = lines.findIndex((line) => /^\s*\d+\s+\d+.*V2000\s*$/.test(line));
    const end = lines.findIndex((line, i) => i > counts && line.startsWith('M  END'));
    if (counts < 0 || end < 0) continue;
    const body = lines.slice(counts, end + 1);
    const aliases = new Map<number, string>();
    body.forEach((line, i) => {
      const alias = /^A\s+(\d+)\s*$/.exec(line);
      if (alias && body[i + 1] !== undefined) aliases.set(Number(alias[1]), body[i + 1]!.trim());
    });
    const score = /<Confidence_estimate>\s*\n\s*(-?[\d.]+(?:e-?\d+)?)/i.exec(lines.slice(end).join('\n'));
    records.push({ molfile: ['', '  OSRA', '', ...body].join('\n') + '\n', aliases, ...(score ? { confidence: Number(score[1]) } : {}) });
  }
  return records;
}

const maxOutputBytes = 1 << 20;

/**
 * OSRA processes still running and temp dirs not yet removed: killed and removed when this process exits (the
 * daemon may exit while a cancelled run is still being cleaned up; each OSRA runs in its own process group).
 */
const running = new Set<number>();
const tempDirs = new Set<string>();
let exitHook = false;
function installExitHook(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const id of running) {
      try {
        process.kill(process.platform === 'win32' ? id : -id, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
}
function track(pid: number | undefined): void {
  if (pid === undefined) return;
  running.add(pid);
  installExitHook();
}

export class Osra {
  /** `superatoms`: the superatom list to run with (see superatoms.ts); OSRA's own when undefined. */
  constructor(
    readonly binary: string,
    readonly superatoms?: string,
  ) {}

  /** Finds OSRA on PATH (or FORMATTED_OCR_OSRA); undefined when it is not installed. */
  static find(env: NodeJS.ProcessEnv = process.env): Osra | undefined {
    const binary = findExecutable('osra', env.PATH ?? '', env.FORMATTED_OCR_OSRA || undefined);
    return binary ? new Osra(binary, superatomList(binary)) : undefined;
  }

  /** Recognises the structures in one image file's bytes. */
  async recognize(image: Uint8Array, options: OsraRunOptions): Promise<OsraCandidate[]> {
    return parseOsraOutput(await this.run(image, options.args ?? [], options));
  }

  /**
   * The same reading as molfiles: atom positions, and the labels OSRA read but could not resolve (written `*`,
   * with OSRA's text of the label as the atom's alias).
   */
  async recognizeMolfiles(image: Uint8Array, options: OsraRunOptions): Promise<OsraMolfile[]> {
    return parseOsraSdf(await this.run(image, [...(options.args ?? []), '-f', 'sdf'], options));
  }

  private async run(image: Uint8Array, args: string[], options: OsraRunOptions): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'formatted-ocr-osra-'));
    tempDirs.add(dir);
    installExitHook();
    try {
      const file = join(dir, `input.${options.extension ?? 'png'}`);
      await writeFile(file, image);
      const superatomArgs: string[] = [];
      if (this.superatoms) {
        const list = join(dir, 'superatom.txt');
        await writeFile(list, this.superatoms);
        superatomArgs.push('-a', list);
      }
      return await this.exec(['-p', ...superatomArgs, ...args, file], dir, options.timeoutMs, options.token);
    } finally {
      await rm(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    }
  }

  /** `osra --version`'s version number, or undefined if it does not answer. */
  async version(timeoutMs = 5000): Promise<string | undefined> {
    try {
      const out = await this.exec(['--version'], tmpdir(), timeoutMs);
      return /version:?\s*([\w.\-]+)/i.exec(out)?.[1];
    } catch {
      return undefined;
    }
  }

  /** Runs OSRA and resolves with its stdout once it exits; kills it on timeout or cancellation. */
  exec(args: string[], cwd: string, timeoutMs: number, token?: CancelToken): Promise<string> {
    return new Promise((resolve, reject) => {
      let child;
      try {
        // Its own process group (POSIX), so a kill also reaches anything it started.
        child = spawn(this.binary, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, detached: process.platform !== 'win32' });
      } catch (error) {
        reject(new OcrError('modeNotAvailable', `Could not start OSRA (${this.binary}): ${(error as Error).message}. ${osraInstallHint}`));
        return;
      }
      const pid = child.pid;
      track(pid);
      const out: Buffer[] = [];
      let outBytes = 0;
      let err = '';
      let stopped: 'timeout' | 'cancelled' | undefined;
      child.stdout.on('data', (chunk: Buffer) => {
        if (outBytes < maxOutputBytes) out.push(chunk);
        outBytes += chunk.length;
      });
      child.stderr.on('data', (chunk: Buffer) => {
        if (err.length < 4096) err += chunk.toString('utf8');
      });
      const stop = (why: 'timeout' | 'cancelled') => {
        if (stopped) return;
        stopped = why;
        try {
          if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, 'SIGKILL');
          else child.kill('SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
        // Do not wait for 'close': a grandchild that escaped the group could hold the pipes open.
        child.once('exit', () => {
          done();
          reject(why === 'cancelled' ? new CancelledError() : new OsraTimeoutError(timeoutMs));
        });
      };
      const timer = setTimeout(() => stop('timeout'), timeoutMs);
      // Tokens are polled (the LSP cancellation flag is a plain getter).
      const poll = token ? setInterval(() => token.isCancellationRequested && stop('cancelled'), 25) : undefined;
      const done = () => {
        if (pid !== undefined) running.delete(pid);
        clearTimeout(timer);
        if (poll) clearInterval(poll);
      };
      child.on('error', (error: NodeJS.ErrnoException) => {
        done();
        const missing = error.code === 'ENOENT' || error.code === 'EACCES';
        reject(
          missing
            ? new OcrError('modeNotAvailable', `OSRA was not found at ${this.binary}. ${osraInstallHint}`)
            : new OcrError('internal', `OSRA failed to start: ${error.message}`),
        );
      });
      child.on('close', (code, signal) => {
        done();
        if (stopped === 'cancelled') return reject(new CancelledError());
        if (stopped === 'timeout') return reject(new OsraTimeoutError(timeoutMs));
        const stdout = Buffer.concat(out).toString('utf8');
        // OSRA exits non-zero on unreadable images; any structure it printed before that is still worth reading.
        if ((code !== 0 || signal) && !stdout.trim()) {
          return reject(new OsraFailedError(`OSRA exited with ${signal ?? `code ${code}`}${err.trim() ? `: ${err.trim().split('\n')[0]}` : ''}`));
        }
        resolve(stdout);
      });
    });
  }
}

export class OsraTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`OSRA did not finish within ${timeoutMs} ms and was stopped.`);
    this.name = 'OsraTimeoutError';
  }
}

export class OsraFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OsraFailedError';
  }
}
