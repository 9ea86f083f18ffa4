/**
 * Which files are documents, where a document's Markdown goes, and how chosen files and folders expand to
 * documents: one definition for the daemon, the CLI and the extension (which imports this file, so it imports
 * nothing heavy).
 */
import * as path from 'node:path';

/** What `ocr/convertDocument` accepts. */
export const documentExtensions: readonly string[] = ['.pdf', '.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.bmp', '.gif'];

export function isDocumentFile(name: string): boolean {
  return documentExtensions.includes(path.extname(name).toLowerCase());
}

/**
 * Folders not searched: a conversion's own `<name>.assets/` (figures, and `.pages/` with saved pages), hidden
 * folders (`.git`, `.pages`, …) and `node_modules`. Their images are outputs or tooling, not documents.
 */
export function isSkippedFolder(name: string): boolean {
  return name.endsWith('.assets') || name.startsWith('.') || name === 'node_modules';
}

/** `linkedFolder`: a symbolic link to a folder, followed only when chosen directly (links can loop). */
export type EntryKind = 'file' | 'folder' | 'linkedFolder' | 'other';

export interface FolderReader {
  /** undefined when the path does not exist. */
  kind(file: string): Promise<EntryKind | undefined>;
  list(folder: string): Promise<[name: string, kind: EntryKind][]>;
}

export interface Selection {
  /** PDFs and images to convert, in order: as chosen, each folder's contents sorted (numbers by value). */
  documents: string[];
  /** Files chosen directly that are not PDFs or images (folders' other files are passed over silently). */
  unsupported: string[];
  missing: string[];
}

const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare;

/** Expands chosen files and folders (recursively) to the documents in them, without duplicates. */
export async function expandSelection(chosen: readonly string[], reader: FolderReader): Promise<Selection> {
  const documents = new Set<string>();
  const unsupported: string[] = [];
  const missing: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    const entries = (await reader.list(folder)).sort(([a], [b]) => byName(a, b));
    for (const [name, kind] of entries) {
      const full = path.join(folder, name);
      if (kind === 'file' && isDocumentFile(name)) documents.add(full);
      else if (kind === 'folder' && !isSkippedFolder(name)) await walk(full);
    }
  };
  for (const file of chosen) {
    const kind = await reader.kind(file);
    if (kind === undefined) missing.push(file);
    else if (kind === 'folder' || kind === 'linkedFolder') await walk(file);
    else if (kind === 'file' && isDocumentFile(file)) documents.add(file);
    else unsupported.push(file);
  }
  return { documents: [...documents], unsupported, missing };
}

/** `<name>.md`, `<name>.assets/` (figures) and its `.pages/` working folder, beside the source or in `outDir`. */
export function outputPaths(source: string, outDir?: string) {
  const base = path.basename(source, path.extname(source));
  const dir = outDir ?? path.dirname(source);
  const assets = path.join(dir, `${base}.assets`);
  return { markdown: path.join(dir, `${base}.md`), assets, work: path.join(assets, '.pages') };
}
