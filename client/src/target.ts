/**
 * Remembers the text editor the user last worked in (the preview and result webviews take focus away from it)
 * and inserts text there: at its cursor or replacing its selection, as one undoable edit. With no such editor,
 * the text goes into a new untitled Markdown document.
 */
import * as vscode from 'vscode';

const ignoredSchemes = new Set(['output', 'debug', 'vscode-scm', 'comment', 'walkThroughSnippet', 'vscode-terminal']);

export interface InsertContext {
  languageId: string;
  /** The insertion point is on an otherwise empty line. */
  ownLine: boolean;
  /** There is text before / after the insertion point on its line. */
  textBefore?: boolean;
  textAfter?: boolean;
}

export interface Inserted {
  uri: vscode.Uri;
  text: string;
  range: vscode.Range;
}

export class InsertTarget implements vscode.Disposable {
  private last: { uri: vscode.Uri; selections: readonly vscode.Selection[]; viewColumn?: vscode.ViewColumn } | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly emitter = new vscode.EventEmitter<Inserted>();
  /** Fires after each insertion (tests await it). */
  readonly onDidInsert = this.emitter.event;

  constructor() {
    this.remember(vscode.window.activeTextEditor);
    this.disposables.push(
      this.emitter,
      vscode.window.onDidChangeActiveTextEditor((e) => this.remember(e)),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (this.last && e.textEditor.document.uri.toString() === this.last.uri.toString()) this.remember(e.textEditor);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (this.last && doc.uri.scheme === 'untitled' && doc.uri.toString() === this.last.uri.toString()) this.last = undefined;
      }),
    );
  }

  private remember(editor: vscode.TextEditor | undefined): void {
    if (!editor || ignoredSchemes.has(editor.document.uri.scheme)) return;
    this.last = { uri: editor.document.uri, selections: editor.selections, viewColumn: editor.viewColumn };
  }

  /** A short name of the target, e.g. `notes.md`, or undefined when a new document would be opened. */
  describe(): string | undefined {
    if (!this.last) return undefined;
    return this.last.uri.path.split('/').pop() || this.last.uri.toString();
  }

  /** The open document that would receive an insertion, if any. */
  private targetDocument(): vscode.TextDocument | undefined {
    const last = this.last;
    if (!last) return undefined;
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === last.uri.toString() && !d.isClosed);
  }

  /** The language and line context of the insertion point, so the text can be formatted for it. */
  context(): InsertContext {
    const doc = this.targetDocument();
    const sel = this.currentSelections()?.[0];
    if (!doc || !sel) return { languageId: 'markdown', ownLine: true };
    const line = doc.lineAt(Math.min(sel.start.line, doc.lineCount - 1)).text;
    const before = line.slice(0, sel.start.character);
    const after = sel.isSingleLine ? line.slice(sel.end.character) : doc.lineAt(Math.min(sel.end.line, doc.lineCount - 1)).text.slice(sel.end.character);
    return { languageId: doc.languageId, ownLine: !before.trim() && !after.trim(), textBefore: !!before.trim(), textAfter: !!after.trim() };
  }

  private visibleEditor(): vscode.TextEditor | undefined {
    const last = this.last;
    if (!last) return undefined;
    return vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === last.uri.toString());
  }

  private currentSelections(): readonly vscode.Selection[] | undefined {
    return this.visibleEditor()?.selections ?? this.last?.selections;
  }

  /** Inserts `format(context)` into the target as one undoable edit and reveals it without taking focus. */
  async insert(format: (context: InsertContext) => string): Promise<Inserted> {
    const doc = this.targetDocument() ?? (this.last && this.last.uri.scheme !== 'untitled' ? await this.reopen(this.last.uri) : undefined);
    if (!doc) {
      const text = format({ languageId: 'markdown', ownLine: true });
      const created = await vscode.workspace.openTextDocument({ language: 'markdown', content: text });
      const editor = await vscode.window.showTextDocument(created, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: false });
      this.remember(editor);
      const end = created.positionAt(text.length);
      const inserted = { uri: created.uri, text, range: new vscode.Range(new vscode.Position(0, 0), end) };
      this.emitter.fire(inserted);
      return inserted;
    }
    const text = format(this.context());
    let editor = this.visibleEditor();
    const selections = editor?.selections ?? this.last?.selections ?? [new vscode.Selection(0, 0, 0, 0)];
    const start = selections[0]!.start;
    if (editor) {
      // One `edit` call is one undo stop, however many selections it replaces.
      const ok = await editor.edit((builder) => selections.forEach((s) => builder.replace(s, text)));
      if (!ok) throw new Error(`Could not edit ${doc.uri.path}.`);
    } else {
      const edit = new vscode.WorkspaceEdit();
      selections.forEach((s) => edit.replace(doc.uri, s, text));
      if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`Could not edit ${doc.uri.path}.`);
      editor = await vscode.window.showTextDocument(doc, { viewColumn: this.last?.viewColumn ?? vscode.ViewColumn.Beside, preserveFocus: true, preview: false });
    }
    const end = doc.positionAt(doc.offsetAt(start) + text.length);
    editor.selections = [new vscode.Selection(end, end)];
    editor.revealRange(new vscode.Range(start, end));
    this.remember(editor);
    const inserted = { uri: doc.uri, text, range: new vscode.Range(start, end) };
    this.emitter.fire(inserted);
    return inserted;
  }

  private async reopen(uri: vscode.Uri): Promise<vscode.TextDocument | undefined> {
    try {
      return await vscode.workspace.openTextDocument(uri);
    } catch {
      this.last = undefined;
      return undefined;
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
