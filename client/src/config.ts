/** Typed access to the `formattedOcr.*` settings (declared in package.json `contributes.configuration`). */
import * as vscode from 'vscode';
import type { ExecutionProviderSetting, RecognitionMode } from '../../server/src/protocol';
import { executionProviderSettings, recognitionModes } from '../../server/src/protocol';
import type { MathDelimiters, TableFormatSetting } from './insert';

export const section = 'formattedOcr';

/** What "Convert Documents to Markdown" does when `<name>.md` exists. */
export type IfExists = 'ask' | 'skip' | 'overwrite';
export const ifExistsSettings: readonly IfExists[] = ['ask', 'skip', 'overwrite'];

/** Settings the daemon reads at start-up: changing one offers a restart. */
export const requiresServerRestart = [`${section}.executionProvider`] as const;

function pick<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

export class Config {
  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(section);
  }
  get executionProvider(): ExecutionProviderSetting {
    return pick(this.cfg.get('executionProvider'), executionProviderSettings, 'auto');
  }
  get defaultMode(): RecognitionMode {
    return pick(this.cfg.get('defaultMode'), recognitionModes, 'text');
  }
  get mathDelimiters(): MathDelimiters {
    return pick(this.cfg.get('math.delimiters'), ['dollars', 'brackets', 'equation'] as const, 'brackets');
  }
  get tableFormat(): TableFormatSetting {
    return pick(this.cfg.get('table.format'), ['auto', 'gfm', 'html', 'latex'] as const, 'auto');
  }
  get pdfRenderDpi(): number {
    const dpi = Number(this.cfg.get('pdf.renderDpi'));
    return Number.isFinite(dpi) ? Math.min(600, Math.max(72, Math.round(dpi))) : 300;
  }
  get insertAfterConvert(): boolean {
    return this.cfg.get<boolean>('insertAfterConvert', true);
  }
  get showResultView(): boolean {
    return this.cfg.get<boolean>('showResultView', true);
  }
  /** `convert.outputFolder`: empty = beside each source; otherwise absolute or relative to the source's workspace folder. */
  get convertOutputFolder(): string {
    const value = this.cfg.get('convert.outputFolder');
    return typeof value === 'string' ? value.trim() : '';
  }
  get convertIfExists(): IfExists {
    return pick(this.cfg.get('convert.ifExists'), ifExistsSettings, 'ask');
  }
}
