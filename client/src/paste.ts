/**
 * "Paste as recognised text": an image pasted into a Markdown or LaTeX file can be inserted as its OCR result,
 * besides VS Code's normal paste. The OCR runs only when the user picks this edit (`resolveDocumentPasteEdit`).
 */
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { formatForInsertion } from './insert';

const kind = vscode.DocumentDropOrPasteEditKind.Text.append('formattedOcr', 'recognized');
const imageMimes = ['image/png', 'image/jpeg', 'image/webp', 'image/bmp', 'image/gif', 'image/tiff'];

class OcrPasteEdit extends vscode.DocumentPasteEdit {
  constructor(
    readonly data: Uint8Array,
    readonly languageId: string,
    readonly where: { ownLine: boolean; textBefore: boolean; textAfter: boolean },
  ) {
    super('', 'Paste as recognised text (OCR)', kind);
  }
}

export function registerPasteProvider(ctx: Ctx): vscode.Disposable {
  const provider: vscode.DocumentPasteEditProvider<OcrPasteEdit> = {
    async provideDocumentPasteEdits(document, ranges, dataTransfer, _context, token) {
      for (const mime of imageMimes) {
        const item = dataTransfer.get(mime);
        const file = item?.asFile();
        if (!file) continue;
        const data = await file.data();
        if (token.isCancellationRequested || !data.length) return undefined;
        const range = ranges[0];
        const line = range ? document.lineAt(range.start.line).text : '';
        const textBefore = !!range && !!line.slice(0, range.start.character).trim();
        const textAfter = !!range && !!line.slice(range.end.character).trim();
        const edit = new OcrPasteEdit(data, document.languageId, { ownLine: !textBefore && !textAfter, textBefore, textAfter });
        // Keep VS Code's own image paste (a link to a copied file) first; ours is offered in the paste menu.
        edit.yieldTo = [vscode.DocumentDropOrPasteEditKind.Empty.append('markdown', 'link'), vscode.DocumentDropOrPasteEditKind.Text];
        return [edit];
      }
      return undefined;
    },
    async resolveDocumentPasteEdit(edit, token) {
      const cts = new vscode.CancellationTokenSource();
      const link = token.onCancellationRequested(() => cts.cancel());
      try {
        const result = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: 'OCR: recognizing the pasted image', cancellable: true },
          (_progress, progressToken) => {
            progressToken.onCancellationRequested(() => cts.cancel());
            return ctx.recognize({ source: { data: Buffer.from(edit.data).toString('base64') }, mode: ctx.config.defaultMode }, cts.token);
          },
        );
        edit.insertText = formatForInsertion(result, {
          languageId: edit.languageId,
          ...edit.where,
          mathDelimiters: ctx.config.mathDelimiters,
          tableFormat: ctx.config.tableFormat,
        });
      } catch (error) {
        if (!(error instanceof vscode.CancellationError)) void vscode.window.showErrorMessage(`Formatted OCR: ${(error as Error)?.message ?? error}`);
      } finally {
        link.dispose();
        cts.dispose();
      }
      return edit;
    },
  };
  return vscode.languages.registerDocumentPasteEditProvider([{ language: 'markdown' }, { language: 'latex' }, { language: 'tex' }], provider, {
    providedPasteEditKinds: [kind],
    pasteMimeTypes: imageMimes,
  });
}
