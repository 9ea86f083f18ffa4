/** "Convert Documents to Markdown": selection → documents, outputs, progress line, summary (client/src/documents/batch.ts). */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { homedir } from 'node:os';
import * as path from 'node:path';
import {
  batchPercent,
  batchTotals,
  cancelledLine,
  escapeMarkdown,
  expandSelection,
  isDocumentFile,
  isSkippedFolder,
  outputFolderFor,
  pageMethods,
  pageRanges,
  planOutputs,
  progressMessage,
  summaryLine,
  summaryMarkdown,
  type EntryKind,
  type FileOutcome,
  type FolderReader,
} from '../../client/src/documents/batch';
import { documentExtensions as daemonExtensions } from '../../server/src/document/paths';

/** A folder tree in memory: a name ending in `/` is a folder, `@/` a linked folder. */
function fakeReader(tree: Record<string, string[]>): FolderReader & { listed: string[] } {
  const listed: string[] = [];
  const kindOf = (file: string): EntryKind | undefined => {
    if (tree[file]) return tree[file]!.includes('@') ? 'linkedFolder' : 'folder';
    const parent = tree[path.dirname(file)];
    const entry = parent?.find((e) => e.replace(/@?\/$/, '') === path.basename(file));
    if (!entry) return undefined;
    return entry.endsWith('@/') ? 'linkedFolder' : entry.endsWith('/') ? 'folder' : 'file';
  };
  return {
    listed,
    kind: async (file) => kindOf(file),
    list: async (folder) => {
      listed.push(folder);
      return (tree[folder] ?? []).filter((e) => e !== '@').map((e) => [e.replace(/@?\/$/, ''), kindOf(path.join(folder, e.replace(/@?\/$/, '')))!]);
    },
  };
}

const converted = (source: string, pages: FileOutcome['pages'], review: number[] = []): FileOutcome => ({
  source,
  output: source.replace(/\.\w+$/, '.md'),
  status: 'converted',
  pages,
  review,
});

describe('which files a selection stands for', () => {
  it('accepts exactly the daemon’s formats, in any case', () => {
    assert.deepEqual([...daemonExtensions].sort(), [
      '.bmp', '.gif', '.jpeg', '.jpg', '.pdf', '.png', '.tif', '.tiff', '.webp',
    ]);
    for (const ext of daemonExtensions) assert.ok(isDocumentFile(`scan${ext.toUpperCase()}`), ext);
    for (const name of ['notes.md', 'scan.pdf.txt', 'pdf', 'scan.svg', 'archive.zip']) assert.equal(isDocumentFile(name), false, name);
  });

  it('skips output and working folders', () => {
    for (const name of ['report.assets', '.pages', '.git', 'node_modules']) assert.ok(isSkippedFolder(name), name);
    for (const name of ['scans', 'assets', 'volume 2']) assert.equal(isSkippedFolder(name), false, name);
  });

  it('expands folders recursively, numbers by value, without output folders or duplicates', async () => {
    const reader = fakeReader({
      '/w': ['scan10.png', 'scan2.png', 'notes.md', 'report.pdf', 'report.md', 'report.assets/', 'sub/', '.git/', 'node_modules/', 'loop@/'],
      '/w/report.assets': ['page-1-figure-1.png', '.pages/'],
      '/w/report.assets/.pages': ['page-0001.json'],
      '/w/sub': ['Photo.JPG', 'deeper/'],
      '/w/sub/deeper': ['old.tiff'],
      '/w/.git': ['x.png'],
      '/w/node_modules': ['y.png'],
      '/w/loop': ['@', 'z.png'],
    });
    const selection = await expandSelection(['/w', '/w/scan2.png', '/w/notes.md', '/w/gone.pdf'], reader);
    // Each folder's entries in name order (case-insensitive), a subfolder's documents where its name sorts.
    assert.deepEqual(selection.documents, ['/w/report.pdf', '/w/scan2.png', '/w/scan10.png', '/w/sub/deeper/old.tiff', '/w/sub/Photo.JPG']);
    assert.deepEqual(selection.unsupported, ['/w/notes.md']);
    assert.deepEqual(selection.missing, ['/w/gone.pdf']);
    assert.ok(!reader.listed.some((f) => /assets|\.git|node_modules|loop/.test(f)), `listed ${reader.listed.join(', ')}`);
  });

  it('follows a linked folder only when it was chosen itself', async () => {
    const reader = fakeReader({ '/w': ['loop@/'], '/w/loop': ['@', 'z.png'] });
    assert.deepEqual((await expandSelection(['/w/loop'], reader)).documents, ['/w/loop/z.png']);
  });
});

describe('where the Markdown goes', () => {
  it('beside the source, or in the output folder, as the daemon names it', () => {
    const plan = planOutputs(['/a/scan.pdf', '/a/b/photo.v2.jpeg'], () => undefined);
    assert.deepEqual(plan.map((p) => p.output), ['/a/scan.md', '/a/b/photo.v2.md']);
    assert.deepEqual(planOutputs(['/a/scan.pdf'], () => '/out')[0], { source: '/a/scan.pdf', outDir: '/out', output: '/out/scan.md' });
  });

  it('flags documents that would write the same file', () => {
    const plan = planOutputs(['/a/scan.pdf', '/a/scan.png', '/b/scan.pdf', '/b/Scan.tif'], (s) => (s.startsWith('/b') ? '/a' : undefined), true);
    assert.equal(plan[0]!.sameOutputAs, undefined);
    assert.equal(plan[1]!.sameOutputAs, '/a/scan.pdf');
    assert.equal(plan[2]!.sameOutputAs, '/a/scan.pdf');
    assert.equal(plan[3]!.sameOutputAs, '/a/scan.pdf', 'case-insensitive file systems');
    assert.equal(planOutputs(['/a/scan.pdf', '/a/Scan.tif'], () => undefined, false)[1]!.sameOutputAs, undefined);
  });

  it('reads the outputFolder setting', () => {
    assert.equal(outputFolderFor('', '/w/a/scan.pdf', '/w'), undefined);
    assert.equal(outputFolderFor('  ', '/w/a/scan.pdf', '/w'), undefined);
    assert.equal(outputFolderFor('/out', '/w/a/scan.pdf', '/w'), '/out');
    assert.equal(outputFolderFor('markdown', '/w/a/scan.pdf', '/w'), '/w/markdown');
    assert.equal(outputFolderFor('markdown', '/elsewhere/scan.pdf'), '/elsewhere/markdown');
    assert.equal(outputFolderFor('~/notes', '/w/scan.pdf', '/w'), path.join(homedir(), 'notes'));
  });
});

describe('progress', () => {
  it('says which file and page', () => {
    assert.equal(progressMessage(2, 5, 'report.pdf', 'page 3/12'), 'file 2/5: report.pdf — page 3/12');
    assert.equal(progressMessage(1, 1, 'scan.png'), 'file 1/1: scan.png');
  });
  it('moves through the batch file by file', () => {
    assert.equal(batchPercent(1, 4), 0);
    assert.equal(batchPercent(2, 4, 50), 37.5);
    assert.equal(batchPercent(4, 4, 100), 100);
    assert.equal(batchPercent(1, 2, Number.NaN), 0);
    assert.equal(batchPercent(1, 2, 250), 50);
  });
});

describe('summary', () => {
  const outcomes: FileOutcome[] = [
    converted('/w/report.pdf', [
      { page: 1, method: 'text-layer', confidence: 1, resumed: true },
      { page: 2, method: 'ocr', confidence: 0.6, resumed: true },
      { page: 3, method: 'ocr', confidence: 0.95, resumed: false },
      { page: 4, method: 'text-layer', confidence: 1, resumed: false },
    ], [2]),
    converted('/w/scan.png', [{ page: 1, method: 'ocr', confidence: 0.99, resumed: false }]),
    { source: '/w/broken.pdf', output: '/w/broken.md', status: 'failed', reason: 'The PDF is damaged | cannot be read', pages: [], review: [] },
    { source: '/w/kept.pdf', output: '/w/kept.md', status: 'skipped', pages: [], review: [] },
  ];

  it('counts files, pages and how they were read', () => {
    const t = batchTotals(outcomes);
    assert.deepEqual(t, { files: 4, converted: 2, pages: 5, textLayer: 2, ocr: 3, resumed: 2, failed: 1, skipped: 1, reviewPages: 1, cancelled: false });
    assert.equal(summaryLine(t), 'Converted 2 files (5 pages; 2 from text layer, 3 by OCR); 1 failed; 1 page needs review; 1 skipped (Markdown already there)');
    assert.equal(
      summaryLine(batchTotals([converted('/a.png', [{ page: 1, method: 'ocr', confidence: 1, resumed: false }])])),
      'Converted 1 file (1 page; 0 from text layer, 1 by OCR); 0 failed; 0 pages need review',
    );
  });

  it('writes page ranges and methods', () => {
    assert.equal(pageRanges([5, 1, 2, 3, 3, 9, 10]), '1–3, 5, 9–10');
    assert.equal(pageRanges([]), '');
    assert.equal(pageMethods(outcomes[0]!.pages), 'OCR: 2–3 · text layer: 1, 4 · resumed: 1–2');
  });

  it('lists every file with links, the pages to review and the errors', () => {
    const md = summaryMarkdown(outcomes, {
      destination: 'beside each source',
      notConverted: [{ file: '/w/notes.md', reason: 'not a PDF or image' }],
      when: new Date('2026-11-22T10:00:00Z'),
    });
    assert.match(md, /^# OCR: documents converted to Markdown\n/);
    assert.match(md, /2026-11-22 10:00 UTC · 4 files · output beside each source/);
    assert.ok(md.includes('| [report.pdf](<file:///w/report.pdf>) | [report.md](<file:///w/report.md>) | converted (review: 2) | OCR: 2–3 · text layer: 1, 4 · resumed: 1–2 |'), md);
    assert.ok(md.includes('| [kept.pdf](<file:///w/kept.pdf>) | [kept.md](<file:///w/kept.md>) | skipped: Markdown already there |'), md);
    // A failed file has no Markdown to link to.
    assert.ok(md.includes('| [broken.pdf](<file:///w/broken.pdf>) | broken.md | failed |'), md);
    assert.match(md, /## Pages to review\n[\s\S]*- \[report.pdf, page 2\]\(<file:\/\/\/w\/report.pdf#page=2>\) \(confidence 60 %\) → \[report.md\]\(<file:\/\/\/w\/report.md>\)/);
    assert.match(md, /## Errors\n\n- \[broken.pdf\]\(<file:\/\/\/w\/broken.pdf>\): The PDF is damaged \\\| cannot be read\n- \/w\/notes.md: not a PDF or image\n/);
  });

  it('keeps odd file names from breaking links and tables', () => {
    assert.equal(escapeMarkdown('a|b]c[d*e_\nf'), 'a\\|b\\]c\\[d\\*e\\_ f');
    const md = summaryMarkdown([converted('/w/my scan (1)|x].pdf', [])], { destination: 'beside each source' });
    assert.ok(md.includes('[my scan (1)\\|x\\].pdf](<file:///w/my%20scan%20(1)%7Cx%5D.pdf>)'), md);
  });

  it('says what a cancel keeps and that running again resumes', () => {
    const cancelled: FileOutcome[] = [
      converted('/w/a.png', [{ page: 1, method: 'ocr', confidence: 1, resumed: false }]),
      { source: '/w/big.pdf', output: '/out/big.md', status: 'cancelled', pages: [], review: [] },
      { source: '/w/c.pdf', output: '/w/c.md', status: 'notStarted', pages: [], review: [] },
    ];
    assert.equal(batchTotals(cancelled).cancelled, true);
    assert.equal(
      cancelledLine(cancelled),
      'Conversion cancelled after 1 of 3 files. Pages of big.pdf finished so far are kept in big.assets/.pages/. Run the command again to resume where it stopped.',
    );
    assert.match(summaryMarkdown(cancelled, { destination: 'x' }), /\| cancelled \(finished pages kept\) \|[\s\S]*\| not started \|/);
  });
});
