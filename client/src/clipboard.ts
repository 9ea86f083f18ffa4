/**
 * Reads an image from the system clipboard. VS Code's API gives extensions clipboard text only, so this asks the
 * platform's own tool; in a browser (code-server) only the paste provider can receive images.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

function run(cmd: string, args: string[]): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'buffer', maxBuffer: 200 * 1024 * 1024, timeout: 10_000 }, (error, stdout) =>
      resolve(error || !stdout?.length ? undefined : stdout),
    );
  });
}

/** PNG bytes of the clipboard image, or undefined when there is none (or no tool to read it). */
export async function readClipboardImage(): Promise<Buffer | undefined> {
  if (process.platform === 'linux') {
    return (await run('wl-paste', ['--no-newline', '--type', 'image/png'])) ?? (await run('xclip', ['-selection', 'clipboard', '-t', 'image/png', '-o']));
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'ocr-clip-'));
  const file = path.join(dir, 'clip.png');
  try {
    if (process.platform === 'darwin') {
      const script = `set f to open for access POSIX file "${file}" with write permission\nwrite (the clipboard as «class PNGf») to f\nclose access f`;
      await run('osascript', ['-e', script]);
    } else if (process.platform === 'win32') {
      const ps = `Add-Type -AssemblyName System.Windows.Forms; $i=[Windows.Forms.Clipboard]::GetImage(); if ($i) { $i.Save('${file}', [Drawing.Imaging.ImageFormat]::Png) }`;
      await run('powershell', ['-NoProfile', '-STA', '-Command', ps]);
    }
    const bytes = readFileSync(file);
    return bytes.length ? bytes : undefined;
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
