/** The palette and menu commands (category "OCR"), and the internal test hooks. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RecognitionMode, Region } from '../../server/src/protocol';
import type { Converter, ConvertOutcome } from './convert';
import type { Ctx } from './ctx';
import { readClipboardImage } from './clipboard';
import { convertDocumentsCommand, type DocumentConverter } from './documents/convertDocuments';
import { PreviewProvider, previewExtensions } from './preview/previewProvider';
import { convertModes } from './preview/messages';

/** The file the user means: a command argument (explorer, editor title), else the active tab's file. */
function resourceOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) return input.uri;
  return vscode.window.activeTextEditor?.document.uri;
}

const isPreviewable = (uri: vscode.Uri) => previewExtensions.includes(path.posix.extname(uri.path).slice(1).toLowerCase());

async function pickImage(): Promise<vscode.Uri | undefined> {
  const files = await vscode.workspace.findFiles(`**/*.{${previewExtensions.join(',')}}`, '**/node_modules/**', 500);
  const browse = { label: '$(folder-opened) Browse…', uri: undefined as vscode.Uri | undefined };
  const items = [
    ...files.map((uri) => ({ label: path.posix.basename(uri.path), description: vscode.workspace.asRelativePath(uri, true), uri })),
    browse,
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'OCR: Open Preview', placeHolder: 'An image or PDF to preview', matchOnDescription: true });
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Images and PDFs': previewExtensions } });
  return chosen?.[0];
}

export function registerCommands(ctx: Ctx, converter: Converter, previews: PreviewProvider, documents: DocumentConverter): vscode.Disposable {
  const register = (id: string, fn: (...args: any[]) => unknown) => vscode.commands.registerCommand(id, fn);

  const openPreview = async (arg?: unknown) => {
    let uri = resourceOf(arg);
    if (!uri || !isPreviewable(uri)) uri = await pickImage();
    if (!uri) return;
    // Beside the text editor the user works in, so the result can be inserted there while both stay visible.
    const beside = vscode.window.activeTextEditor !== undefined;
    await vscode.commands.executeCommand('vscode.openWith', uri, PreviewProvider.viewType, beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active);
  };

  const convertSelection = (mode: RecognitionMode) => async (arg?: unknown) => {
    const preview = previews.activePreview;
    const uri = arg instanceof vscode.Uri ? arg : undefined;
    if (uri && isPreviewable(uri) && preview?.uri.toString() !== uri.toString()) {
      // From the explorer: the whole first page.
      return converter.convert({ uri, mode });
    }
    if (!preview) {
      const choice = await vscode.window.showInformationMessage('Formatted OCR: open an image or PDF in the OCR preview and select a region first.', 'Open Preview');
      if (choice) await openPreview();
      return;
    }
    preview.convertSelection(mode);
  };

  const convertClipboard = async () => {
    const png = await readClipboardImage();
    if (!png) {
      void vscode.window.showWarningMessage(
        'Formatted OCR: no image on the clipboard' +
          (process.platform === 'linux' ? ' (reading it needs wl-paste or xclip). ' : '. ') +
          'You can also paste an image into a Markdown or LaTeX file and choose “Paste as recognised text”.',
      );
      return;
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'formatted-ocr-'));
    const file = path.join(dir, 'clipboard.png');
    writeFileSync(file, png);
    try {
      await converter.convert({ uri: vscode.Uri.file(file), mode: ctx.config.defaultMode });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  return vscode.Disposable.from(
    register('formattedOcr.openPreview', openPreview),
    ...convertModes.map(({ mode }) => register(`formattedOcr.convert.${mode}`, convertSelection(mode))),
    register('formattedOcr.convertClipboardImage', convertClipboard),
    // (clicked, selection) from the Explorer, like its own commands; no arguments from the palette.
    register(convertDocumentsCommand, (clicked?: unknown, selected?: unknown) => documents.command(clicked, selected)),
    register('formattedOcr.restartDaemon', async () => {
      await ctx.restart();
      void vscode.window.setStatusBarMessage('$(check) OCR daemon restarted', 3000);
    }),
    register('formattedOcr.showLog', () => ctx.log.show()),
    register('formattedOcr.showStatus', async () => {
      const status = await ctx.status();
      const doc = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(status, null, 2) });
      await vscode.window.showTextDocument(doc, { preview: true });
    }),
    // Internal, for tests and scripting: convert a region of a file without the preview.
    register(
      'formattedOcr._test.convertRegion',
      (args: { uri: string | vscode.Uri; mode?: RecognitionMode; page?: number; region?: Region; insert?: boolean }): Promise<ConvertOutcome> =>
        converter.convert(
          { uri: typeof args.uri === 'string' ? vscode.Uri.parse(args.uri) : args.uri, mode: args.mode ?? 'text', page: args.page, region: args.region },
          { insert: args.insert },
        ),
    ),
  );
}
