/** Test inputs made on the fly (bad files especially), so the repository holds only the real samples. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

export const root = path.resolve(__dirname, '..');
export const samplePng = path.join(root, 'media/samples/sample-scan.png');
export const samplePdf = path.join(root, 'media/samples/sample.pdf');
export const sampleTable = path.join(root, 'media/samples/sample-table.png');
export const sampleTableTruth = path.join(root, 'media/samples/sample-table.json');

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'ocr-test-'));
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid PNG header declaring width × height, with almost no pixel data: a decompression bomb's shape. */
export function hugePngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(Buffer.alloc(width + 1))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The sample PNG with its pixel data cut and scrambled: the signature says PNG, the rest is garbage. */
export function corruptPng(): Buffer {
  const bytes = Buffer.from(readFileSync(samplePng));
  const cut = bytes.subarray(0, 4000);
  for (let i = 200; i < cut.length; i += 7) cut[i] = cut[i]! ^ 0x5a;
  return cut;
}

export function truncatedPdf(): Buffer {
  const bytes = readFileSync(samplePdf);
  return bytes.subarray(0, 600);
}

/**
 * A one-page PDF with a Standard security handler (RC4, revision 2) whose user password is not empty:
 * pdf.js must ask for a password. O and U entries are arbitrary, so no password opens it.
 */
export function encryptedPdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
    `<< /Filter /Standard /V 1 /R 2 /O <${'7a'.repeat(32)}> /U <${'3c'.repeat(32)}> /P -44 >>`,
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` + offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  const trailer = `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Encrypt 4 0 R /ID [<${'ab'.repeat(16)}> <${'ab'.repeat(16)}>] >>\nstartxref\n${body.length}\n%%EOF\n`;
  return Buffer.from(body + xref + trailer, 'latin1');
}

export function writeTemp(dir: string, name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}
