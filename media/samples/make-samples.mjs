// Makes the bundled samples: a page of prose that looks scanned (sample-scan.png) and a two-page PDF
// (sample.pdf: page 1 is that scan as an image, page 2 is born-digital text). Run: node media/samples/make-samples.mjs
// The text is written for this project. Fonts: Debian fonts-liberation.
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import sharp from 'sharp';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
GlobalFonts.registerFromPath('/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf', 'SampleSerif');
GlobalFonts.registerFromPath('/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf', 'SampleSerifBold');

const width = 1275; // 8.5 in at 150 DPI
const height = 1100;
const canvas = createCanvas(width, height);
const ctx = canvas.getContext('2d');
ctx.fillStyle = '#fff';
ctx.fillRect(0, 0, width, height);
ctx.fillStyle = '#111';
ctx.textBaseline = 'alphabetic';

const left = 120;
let y = 150;
ctx.font = '44px SampleSerifBold';
ctx.fillText('Reading Old Field Notes', left, y);
y += 80;
ctx.font = '26px SampleSerif';
const lineGap = 38;
const paragraph = (lines, indent = 0) => {
  for (const line of lines) {
    ctx.fillText(line, left + indent, y);
    y += lineGap;
  }
  y += 18;
};
paragraph([
  'The survey of 1923 recorded every well in the valley, but the note-',
  'books were never transcribed. Each page mixes tables, sketches and',
  'running text, so a careful reader must decide what belongs together.',
]);
paragraph(['We scanned the first volume at 300 dots per inch and kept the', 'original page order. Three observations stand out:']);
y -= 10;
for (const item of [
  'water levels fell by a third between spring and autumn;',
  'the eastern wells were dug twice as deep as the western ones;',
  'two farms shared a single pump for nine years.',
]) {
  ctx.fillText('\u2022', left + 20, y);
  ctx.fillText(item, left + 50, y);
  y += lineGap;
}
y += 18;
paragraph(['The remaining volumes will follow once the paper has been cleaned', 'and the ink of the later entries has been photographed again.']);

// Scan look: grey paper, a slight skew, soft focus and sensor noise, fixed seed.
const rgba = ctx.getImageData(0, 0, width, height).data;
let seed = 1923;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const gray = Buffer.alloc(width * height);
for (let i = 0; i < gray.length; i++) {
  const v = rgba[i * 4] * 0.92 + 14 + (random() - 0.5) * 24;
  gray[i] = Math.max(0, Math.min(255, v));
}
const scan = await sharp(gray, { raw: { width, height, channels: 1 } })
  .rotate(0.6, { background: '#ececec' })
  .blur(0.7)
  .resize(width, height, { fit: 'cover' })
  .png()
  .toBuffer();
writeFileSync(here('sample-scan.png'), scan);
const jpeg = await sharp(scan).jpeg({ quality: 85 }).toBuffer();
writeFileSync(here('sample.pdf'), makePdf(jpeg, width, height));

/** A minimal PDF: page 1 shows the JPEG at 150 DPI; page 2 is real text in Helvetica. */
function makePdf(jpegBytes, w, h) {
  const pageW = (w / 150) * 72;
  const pageH = (h / 150) * 72;
  const text = [
    'BT /F1 20 Tf 72 700 Td (A Born-Digital Page) Tj ET',
    'BT /F1 11 Tf 72 670 Td 15 TL',
    '(This second page carries a real text layer, as word processors write it.) Tj T*',
    '(Its words can be read without optical recognition.) Tj ET',
  ].join('\n');
  const image = `q ${pageW.toFixed(2)} 0 0 ${pageH.toFixed(2)} 0 0 cm /Im1 Do Q`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${pageW.toFixed(2)} ${pageH.toFixed(2)}] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 6 0 R >>`,
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 7 0 R >> >> /Contents 8 0 R >>',
    { dict: `<< /Type /XObject /Subtype /Image /Width ${w} /Height ${h} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpegBytes.length} >>`, data: jpegBytes },
    { dict: `<< /Length ${image.length} >>`, data: Buffer.from(image) },
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    { dict: `<< /Length ${text.length} >>`, data: Buffer.from(text) },
  ];
  const chunks = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets = [];
  let size = chunks[0].length;
  objects.forEach((object, i) => {
    offsets.push(size);
    const parts = typeof object === 'string'
      ? [Buffer.from(`${i + 1} 0 obj\n${object}\nendobj\n`)]
      : [Buffer.from(`${i + 1} 0 obj\n${object.dict}\nstream\n`), object.data, Buffer.from('\nendstream\nendobj\n')];
    for (const p of parts) {
      chunks.push(p);
      size += p.length;
    }
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  chunks.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${size}\n%%EOF\n`));
  return Buffer.concat(chunks);
}

// A ruled table with a header spanning two columns and a row label spanning two rows (sample-table.png).
const { drawTable } = await import('../../training/table/make-tables.mjs');
GlobalFonts.registerFromPath('/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf', 'TSans');
const wellTable = {
  style: 'grid',
  headerRows: 1,
  rows: 4,
  cols: 4,
  cells: [
    { row: 0, col: 0, rowSpan: 1, colSpan: 1, text: 'Well' },
    { row: 0, col: 1, rowSpan: 1, colSpan: 2, text: 'Depth (m)' },
    { row: 0, col: 3, rowSpan: 1, colSpan: 1, text: 'Pump' },
    { row: 1, col: 0, rowSpan: 2, colSpan: 1, text: 'East' },
    { row: 1, col: 1, rowSpan: 1, colSpan: 1, text: '12.5' },
    { row: 1, col: 2, rowSpan: 1, colSpan: 1, text: '14.0' },
    { row: 1, col: 3, rowSpan: 1, colSpan: 1, text: 'yes' },
    { row: 2, col: 1, rowSpan: 1, colSpan: 1, text: '11.8' },
    { row: 2, col: 2, rowSpan: 1, colSpan: 1, text: '13.2' },
    { row: 2, col: 3, rowSpan: 1, colSpan: 1, text: 'no' },
    { row: 3, col: 0, rowSpan: 1, colSpan: 1, text: 'West' },
    { row: 3, col: 1, rowSpan: 1, colSpan: 1, text: '6.1' },
    { row: 3, col: 2, rowSpan: 1, colSpan: 1, text: '7.4' },
    { row: 3, col: 3, rowSpan: 1, colSpan: 1, text: 'shared' },
  ],
};
writeFileSync(here('sample-table.png'), await drawTable(wellTable, 'TSans', 20).encode('png'));
writeFileSync(here('sample-table.json'), JSON.stringify(wellTable, null, 1) + '\n');
