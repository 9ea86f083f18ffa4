/** Entry point: builds the context and registers everything; the daemon starts on first use. */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { Converter } from './convert';
import { Ctx } from './ctx';
import { DocumentConverter } from './documents/convertDocuments';
import { registerPasteProvider } from './paste';
import { PreviewProvider } from './preview/previewProvider';
import { registerStatusBar } from './statusBar';
import { InsertTarget } from './target';

/** What `activate` returns: used by the extension's tests, and by other extensions at their own risk. */
export interface FormattedOcrApi {
  ctx: Ctx;
  converter: Converter;
  previews: PreviewProvider;
  target: InsertTarget;
  documents: DocumentConverter;
}

let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): FormattedOcrApi {
  try {
    ctx = new Ctx(context);
    const target = new InsertTarget();
    const converter = new Converter(ctx, target);
    const { provider: previews, disposable: previewRegistration } = PreviewProvider.register(ctx, converter);
    const documents = new DocumentConverter(ctx);
    context.subscriptions.push(
      target,
      converter,
      documents,
      previewRegistration,
      registerStatusBar(ctx),
      registerCommands(ctx, converter, previews, documents),
      registerPasteProvider(ctx),
    );
    return { ctx, converter, previews, target, documents };
  } catch (error) {
    void vscode.window.showErrorMessage(`Formatted OCR could not start: ${(error as Error)?.message ?? error}`);
    throw error;
  }
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
