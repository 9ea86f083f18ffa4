// npm run fuzz [-- --count N --seconds S --seed K]
// Mutated PNG/JPEG/TIFF/WebP/GIF/BMP/PDF files and malformed requests sent to a running daemon over stdio.
// Counts inputs, crashes (daemon exit), hangs (no answer within the request limit + 10 s), and checks every
// error carries a kind and a message. Inputs that crash or hang are saved to test/fuzz-corpus/, which the
// normal test suite replays.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { deflateSync } from 'node:zlib';
import sharp, { type OutputInfo } from 'sharp';
import { ResponseError } from 'vscode-languageserver-protocol';
import { RecognizeRequest, StatusRequest } from '../../server/src/protocol.ts';
import { defaultLimits } from '../../server/src/limits.ts';
import { startDaemon, type Daemon } from '../server/client.ts';
import { encryptedPdf, hugePngHeader, root, samplePdf, samplePng } from '../fixtures.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '400' }, seconds: { type: 'string', default: '300' }, seed: { type: 'string', default: '1' } } });
const count = Number(values.count), seconds = Number(values.seconds);
let seed = Number(values.seed);
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const int = (n: number) => Math.floor(random() * n);
const pick = <T,>(a: T[]): T => a[int(a.length)]!;

// Seeds are small so each recognition is quick and the budget goes to many inputs.
const crop = await sharp(samplePng).extract({ left: 100, top: 100, width: 500, height: 200 }).toBuffer();
const seeds: Record<string, Buffer> = {
  png: await sharp(crop).png().toBuffer(),
  jpeg: await sharp(crop).jpeg().toBuffer(),
  tiff: await sharp([crop, crop], { join: { animated: true } }).tiff().toBuffer(),
  webp: await sharp(crop).webp().toBuffer(),
  gif: await sharp(crop).gif().toBuffer(),
  bmp: bmpOf(await sharp(crop).removeAlpha().raw().toBuffer({ resolveWithObject: true })),
  pdf: readFileSync(samplePdf),
  encrypted: encryptedPdf(),
};

function bmpOf({ data, info }: { data: Buffer; info: OutputInfo }): Buffer {
  const rowBytes = Math.ceil((info.width * 3) / 4) * 4;
  const out = Buffer.alloc(54 + rowBytes * info.height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(info.width, 18);
  out.writeInt32LE(info.height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  for (let y = 0; y < info.height; y++) for (let x = 0; x < info.width; x++) {
    const s = (y * info.width + x) * info.channels, d = 54 + (info.height - 1 - y) * rowBytes + x * 3;
    out[d] = data[s + 2]!; out[d + 1] = data[s + 1]!; out[d + 2] = data[s]!;
  }
  return out;
}

/** A PDF whose page tree nests `depth` levels deep, or loops back on itself. */
function deepPdf(depth: number, loop: boolean): Buffer {
  const objects: string[] = ['<< /Type /Catalog /Pages 2 0 R >>'];
  for (let i = 0; i < depth; i++) objects.push(`<< /Type /Pages /Kids [${i + 3} 0 R] /Count 1${i ? ` /Parent ${i + 1} 0 R` : ''} >>`);
  objects.push(loop ? `<< /Type /Pages /Kids [2 0 R] /Count 1 >>` : `<< /Type /Page /Parent ${depth + 1} 0 R /MediaBox [0 0 100 100] >>`);
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => { offsets.push(body.length); body += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` + offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  return Buffer.from(`${body}${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${body.length}\n%%EOF\n`, 'latin1');
}

function mutate(kind: string, bytes: Buffer): { name: string; bytes: Buffer } {
  const copy = Buffer.from(bytes);
  switch (int(6)) {
    case 0: {
      const flips = 1 + int(20);
      for (let i = 0; i < flips; i++) {
        const at = int(copy.length);
        copy[at] = copy[at]! ^ (1 << int(8));
      }
      return { name: `${kind}-bitflip${flips}`, bytes: copy };
    }
    case 1: return { name: `${kind}-truncated`, bytes: copy.subarray(0, int(copy.length)) };
    case 2: {
      const at = int(copy.length);
      return { name: `${kind}-garbage`, bytes: Buffer.concat([copy.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(500) }, () => int(256))), copy.subarray(at)]) };
    }
    case 3: return { name: `${kind}-zero`, bytes: Buffer.alloc(0) };
    case 4: return { name: 'png-huge-dimensions', bytes: hugePngHeader(1 + int(100000), 1 + int(100000)) };
    default: return pick([
      { name: 'pdf-deep-tree', bytes: deepPdf(200 + int(2000), false) },
      { name: 'pdf-page-tree-loop', bytes: deepPdf(1 + int(5), true) },
      { name: 'pdf-deflate-bomb', bytes: Buffer.from(`%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 4 0 R >>\nendobj\n4 0 obj\n<< /Filter /FlateDecode /Length ${deflateSync(Buffer.alloc(5e6, 32)).length} >>\nstream\n` + deflateSync(Buffer.alloc(5e6, 32)).toString('latin1') + `\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`, 'latin1') },
    ]);
  }
}

/** Requests with wrong types, missing fields, absurd regions, unknown modes. */
function malformed(file: string): unknown {
  const junk = () => pick<unknown>([null, -1, 0, 1e308, -1e308, 'x', '', [], {}, true, [1, 2], { x: 1 }, 2 ** 53]);
  const base: Record<string, unknown> = { source: { path: file }, mode: 'text' };
  const field = pick(['source', 'mode', 'page', 'region', 'dpi', 'source.path', 'region.x', 'whole']);
  if (field === 'whole') return junk();
  if (field === 'source.path') return { ...base, source: { path: junk() } };
  if (field === 'region.x') return { ...base, region: { x: junk(), y: 0, width: pick([1e9, -5, 0, 10]), height: pick([1e9, 10, 0]) } };
  return { ...base, [field]: junk() };
}

const dir = path.join(tmpdir(), `ocr-fuzz-${process.pid}`);
mkdirSync(dir, { recursive: true });
const corpus = path.join(root, 'test/fuzz-corpus');
const hangLimit = defaultLimits.requestTimeoutMs + 10_000;
let daemon: Daemon = await startDaemon();
const stats = { inputs: 0, ok: 0, errors: 0, crashes: 0, hangs: 0, unclear: 0 };
const kinds = new Map<string, number>();
const started = Date.now();
for (let i = 0; i < count && Date.now() - started < seconds * 1000; i++) {
  let params: unknown;
  let saved: { name: string; bytes: Buffer } | undefined;
  if (random() < 0.25) {
    params = malformed(path.join(dir, 'seed.png'));
    writeFileSync(path.join(dir, 'seed.png'), seeds.png!);
  } else {
    const kind = pick(Object.keys(seeds));
    saved = mutate(kind, seeds[kind]!);
    const file = path.join(dir, `${i}-${saved.name}`);
    writeFileSync(file, saved.bytes);
    params = { source: random() < 0.2 ? { data: saved.bytes.toString('base64') } : { path: file }, mode: pick(['text', 'table', 'text', 'math']), page: pick([undefined, 1, 2, 3]) };
  }
  stats.inputs++;
  let onExit: () => void = () => {};
  let timer: NodeJS.Timeout | undefined;
  const outcome: unknown = await Promise.race([
    daemon.connection.sendRequest(RecognizeRequest.type, params as never).then(() => 'ok', (e: unknown) => e),
    new Promise((resolve) => daemon.process.once('exit', (onExit = () => resolve('crash')))),
    new Promise((resolve) => (timer = setTimeout(() => resolve('hang'), hangLimit))),
  ]);
  daemon.process.off('exit', onExit);
  clearTimeout(timer);
  if (outcome === 'ok') stats.ok++;
  else if (outcome === 'crash' || outcome === 'hang') {
    stats[outcome === 'crash' ? 'crashes' : 'hangs']++;
    const name = `${outcome}-${saved?.name ?? 'request'}-${i}`;
    writeFileSync(path.join(corpus, saved ? name : `${name}.json`), saved ? saved.bytes : JSON.stringify(params));
    console.error(`${outcome}: saved ${name}; stderr: ${daemon.stderr().slice(-500)}`);
    daemon.process.kill();
    daemon = await startDaemon();
  } else if (outcome instanceof ResponseError && outcome.message && (outcome.data as { kind?: string })?.kind) {
    stats.errors++;
    const kind = (outcome.data as { kind: string }).kind;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    if (kind === 'internal') {
      stats.unclear++;
      console.error(`internal error for input ${i}: ${outcome.message}`);
    }
  } else {
    stats.unclear++;
    console.error(`unclear answer for input ${i}: ${String(outcome)}`);
  }
}
await daemon.connection.sendRequest(StatusRequest.type);
await daemon.stop();
const elapsed = ((Date.now() - started) / 1000).toFixed(0);
console.log(`| inputs | answered | clear errors | crashes | hangs | unclear or internal errors | time |`);
console.log(`|---|---|---|---|---|---|---|`);
console.log(`| ${stats.inputs} | ${stats.ok} | ${stats.errors} | ${stats.crashes} | ${stats.hangs} | ${stats.unclear} | ${elapsed} s |`);
console.log(`error kinds: ${[...kinds.entries()].map(([k, n]) => `${k} ${n}`).join(', ')}`);
process.exit(stats.crashes + stats.hangs + stats.unclear > 0 ? 1 : 0);
