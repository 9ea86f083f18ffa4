/**
 * The extension's context: owns the language client that talks to the OCR daemon (`dist/server.js` over
 * stdio), starts it lazily on first use, restarts it a bounded number of times when it dies, and forwards the
 * daemon's status. Everything else asks `Ctx` for recognitions; nothing else touches the client.
 */
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  ErrorCodes,
  LanguageClient,
  ResponseError,
  RevealOutputChannelOn,
  State,
  TransportKind,
  WorkDoneProgress,
  type CloseHandlerResult,
  type RequestType,
  type WorkDoneProgressParams,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  ConvertDocumentRequest,
  RecognizeRequest,
  ServerStatusNotification,
  StatusRequest,
  type ConvertDocumentParams,
  type ConvertDocumentResult,
  type OcrErrorData,
  type OcrErrorKind,
  type RecognizeParams,
  type RecognizeResult,
  type ServerOptions as OcrServerOptions,
  type ServerStatusParams,
  type StatusResult,
} from '../../server/src/protocol';
import { Config, requiresServerRestart } from './config';
import { RestartPolicy } from './restartPolicy';

export type DaemonState = 'stopped' | 'starting' | 'running' | 'failed';

/** An error from the daemon, with its machine-readable kind. */
export class OcrRequestError extends Error {
  constructor(
    message: string,
    readonly kind: OcrErrorKind | 'notRunning',
  ) {
    super(message);
    this.name = 'OcrRequestError';
  }
}


export class Ctx implements vscode.Disposable {
  readonly config = new Config();
  readonly log: vscode.LogOutputChannel;
  private readonly extensionDisposables: vscode.Disposable[] = [];
  private clientDisposables: vscode.Disposable[] = [];
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private readonly restarts = new RestartPolicy();
  private _state: DaemonState = 'stopped';
  private _serverStatus: ServerStatusParams | undefined;
  private disposed = false;

  private readonly stateEmitter = new vscode.EventEmitter<DaemonState>();
  /** Fires on every daemon state change (also `running` again after an automatic restart). */
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly statusEmitter = new vscode.EventEmitter<ServerStatusParams>();
  /** The daemon's `ocr/serverStatus` notifications. */
  readonly onDidChangeServerStatus = this.statusEmitter.event;
  private readonly progressEmitter = new vscode.EventEmitter<string>();
  /** Work-done progress messages of running requests, e.g. `detecting text` (tests await them). */
  readonly onDidReportProgress = this.progressEmitter.event;
  private inFlight = 0;
  private readonly restartEmitter = new vscode.EventEmitter<void>();
  /** Fires when the daemon died and the client restarted it. */
  readonly onDidRestart = this.restartEmitter.event;

  constructor(readonly extensionContext: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Formatted OCR', { log: true });
    this.extensionDisposables.push(
      this.log,
      this.stateEmitter,
      this.statusEmitter,
      this.restartEmitter,
      this.progressEmitter,
      vscode.workspace.onDidChangeConfiguration((e) => this.onConfigurationChanged(e)),
    );
  }

  get extensionUri(): vscode.Uri {
    return this.extensionContext.extensionUri;
  }
  get state(): DaemonState {
    return this._state;
  }
  get serverStatus(): ServerStatusParams | undefined {
    return this._serverStatus;
  }

  private setState(state: DaemonState): void {
    if (this._state === state) return;
    this._state = state;
    this.log.info(`daemon ${state}`);
    this.stateEmitter.fire(state);
  }

  /** The running client; starts the daemon on first use. */
  async getClient(): Promise<LanguageClient> {
    if (this.disposed) throw new OcrRequestError('The OCR extension is shutting down.', 'notRunning');
    // Starting includes an automatic restart after a crash: sendRequest waits for it, so do not start another.
    if (this.client && (this.client.state === State.Running || this.client.state === State.Starting)) return this.client;
    if (this.starting) return this.starting;
    if (this._state === 'failed') {
      throw new OcrRequestError('The OCR daemon stopped after repeated crashes. Run "OCR: Restart Daemon" to try again.', 'notRunning');
    }
    this.starting = this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async start(): Promise<LanguageClient> {
    if (this.client) await this.disposeClient();
    this.setState('starting');
    const serverModule = this.extensionContext.asAbsolutePath(path.join('dist', 'server.js'));
    // `module` + stdio: vscode-languageclient forks with VS Code's own Node runtime (process.execPath may be
    // Electron; fork sets ELECTRON_RUN_AS_NODE), so users need no separate Node install.
    const run = { module: serverModule, transport: TransportKind.stdio, options: { env: { ...process.env } } };
    const serverOptions: ServerOptions = { run, debug: run };
    const initializationOptions: OcrServerOptions = { executionProvider: this.config.executionProvider };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [],
      outputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions,
      errorHandler: this.errorHandler(),
    };
    const client = new LanguageClient('formattedOcr', 'Formatted OCR daemon', serverOptions, clientOptions);
    this.client = client;
    this.clientDisposables.push(
      client.onNotification(ServerStatusNotification.type, (status) => this.updateStatus(status)),
      client.onDidChangeState((e) => {
        if (client !== this.client) return;
        if (e.newState === State.Running) {
          this.setState('running');
          if (e.oldState === State.Starting && this.pendingRestart) {
            this.pendingRestart = false;
            this.restartEmitter.fire();
          }
        } else if (e.newState === State.Starting) this.setState('starting');
        else if (e.newState === State.Stopped && this._state !== 'failed') this.setState('stopped');
      }),
    );
    try {
      await client.start();
    } catch (error) {
      this.log.error(`Could not start the OCR daemon: ${(error as Error)?.stack ?? String(error)}`);
      this.setState('failed');
      void this.offerRestart(`Formatted OCR: the daemon did not start (${(error as Error)?.message ?? error}).`);
      throw new OcrRequestError(`The OCR daemon did not start: ${(error as Error)?.message ?? error}`, 'notRunning');
    }
    this.log.info(`daemon started: ${serverModule} (execution provider ${initializationOptions.executionProvider})`);
    return client;
  }

  private pendingRestart = false;
  /** The last `ocr/serverStatus` as the daemon sent it. */
  private daemonStatus: ServerStatusParams | undefined;

  /** The daemon's status, with `busy` also true while this client waits for a request it sent. */
  private updateStatus(status?: ServerStatusParams): void {
    if (status) this.daemonStatus = status;
    const base = this.daemonStatus ?? { health: 'ok' as const, busy: false, executionProvider: 'none' };
    const merged = { ...base, busy: base.busy || this.inFlight > 0 };
    this._serverStatus = merged;
    this.statusEmitter.fire(merged);
  }

  private errorHandler(): ErrorHandler {
    return {
      error: (error, message, count): ErrorHandlerResult => {
        this.log.error(`connection error (${count ?? 0}): ${error.message}`, message);
        return { action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
      },
      closed: (): CloseHandlerResult => {
        if (!this.restarts.onCrash(Date.now())) {
          const { max, windowMs } = this.restarts;
          this.log.error(`The OCR daemon died ${max + 1} times in ${windowMs / 60_000} minutes; not restarting it.`);
          this.setState('failed');
          void this.offerRestart('Formatted OCR: the daemon keeps crashing and was not restarted. See the log for details.');
          return { action: CloseAction.DoNotRestart, handled: true };
        }
        this.pendingRestart = true;
        this.log.warn(`The OCR daemon stopped unexpectedly; restarting it (${this.restarts.count}/${this.restarts.max}).`);
        return { action: CloseAction.Restart, handled: true };
      },
    };
  }

  private async offerRestart(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, 'Restart', 'Show Log');
    if (choice === 'Restart') await this.restart();
    else if (choice === 'Show Log') this.log.show();
  }

  /** Stops the daemon (if running) and starts a fresh one; resets the crash count. */
  async restart(): Promise<void> {
    this.restarts.reset();
    await this.disposeClient();
    this.setState('stopped');
    await this.getClient();
  }

  private async disposeClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    for (const d of this.clientDisposables.splice(0)) d.dispose();
    if (!client) return;
    try {
      if (client.isRunning()) await client.stop(2000);
    } catch (error) {
      this.log.warn(`stopping the daemon: ${(error as Error)?.message ?? error}`);
    }
    try {
      await client.dispose(1000);
    } catch {
      // Already stopped.
    }
  }

  private onConfigurationChanged(e: vscode.ConfigurationChangeEvent): void {
    if (!this.client || !requiresServerRestart.some((key) => e.affectsConfiguration(key))) return;
    void vscode.window
      .showInformationMessage('Formatted OCR: the execution provider changed. Restart the OCR daemon to use it?', 'Restart')
      .then((choice) => (choice === 'Restart' ? this.restart() : undefined));
  }

  /**
   * Sends `ocr/recognize`. Cancelling `token` cancels the request in the daemon; the promise then rejects with
   * `vscode.CancellationError`. Daemon errors reject with `OcrRequestError` (its `kind` from the daemon).
   */
  async recognize(params: RecognizeParams, token?: vscode.CancellationToken, onProgress?: (message: string) => void): Promise<RecognizeResult> {
    const started = Date.now();
    const result = await this.send(RecognizeRequest.type, params, describe(params), token, onProgress);
    this.log.info(`recognized ${describe(params)} in ${Date.now() - started} ms (confidence ${result.confidence.toFixed(2)})`);
    return result;
  }

  /**
   * Sends `ocr/convertDocument` (one PDF or image → `<name>.md`). Progress reports the daemon's `page p/P` with
   * the document's percentage; cancelling and errors behave as in `recognize`. The daemon keeps finished pages.
   */
  async convertDocument(
    params: ConvertDocumentParams,
    token?: vscode.CancellationToken,
    onProgress?: (message: string, percentage?: number) => void,
  ): Promise<ConvertDocumentResult> {
    const what = `convert ${path.basename(params.path)}`;
    const started = Date.now();
    const result = await this.send(ConvertDocumentRequest.type, params, what, token, onProgress);
    this.log.info(`${what}: ${result.status} in ${Date.now() - started} ms (${result.pages.length} pages, ${result.pages.filter((p) => p.resumed).length} resumed)`);
    return result;
  }

  /** One request with work-done progress, cancellation and the daemon's errors mapped to `OcrRequestError`. */
  private async send<P extends WorkDoneProgressParams, R>(
    type: RequestType<P, R, OcrErrorData>,
    params: P,
    what: string,
    token?: vscode.CancellationToken,
    onProgress?: (message: string, percentage?: number) => void,
  ): Promise<R> {
    const client = await this.getClient();
    if (token?.isCancellationRequested) throw new vscode.CancellationError();
    const workDoneToken = randomUUID();
    const progress = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
      if (value.kind === 'end' || !value.message) return;
      onProgress?.(value.message, value.percentage);
      this.progressEmitter.fire(value.message);
    });
    this.inFlight++;
    this.updateStatus();
    try {
      const result = await client.sendRequest(type, { ...params, workDoneToken }, token);
      // vscode-languageclient resolves a cancelled request, and one whose daemon died, with `undefined`.
      // A request the user cancelled stays cancelled, even when the daemon finished before it saw the cancel.
      if (token?.isCancellationRequested) throw new vscode.CancellationError();
      if (result === undefined || result === null) {
        throw new OcrRequestError('The OCR daemon stopped while working on this request. It is being restarted; try again.', 'notRunning');
      }
      return result;
    } catch (error) {
      if (error instanceof OcrRequestError) throw error;
      if (error instanceof vscode.CancellationError || token?.isCancellationRequested) {
        this.log.info(`cancelled ${what}`);
        throw new vscode.CancellationError();
      }
      if (error instanceof ResponseError) {
        const kind = (error.data as OcrErrorData | undefined)?.kind ?? 'internal';
        this.log.warn(`${what} failed (${kind}): ${error.message}`);
        throw new OcrRequestError(error.message, error.code === ErrorCodes.ConnectionInactive || error.code === ErrorCodes.PendingResponseRejected ? 'notRunning' : kind);
      }
      this.log.error(`${what} failed: ${(error as Error)?.stack ?? String(error)}`);
      throw new OcrRequestError(`The OCR request failed: ${(error as Error)?.message ?? String(error)}`, 'internal');
    } finally {
      progress.dispose();
      this.inFlight--;
      this.updateStatus();
    }
  }

  async status(): Promise<StatusResult> {
    const client = await this.getClient();
    return client.sendRequest(StatusRequest.type);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.disposeClient();
    for (const d of this.extensionDisposables.splice(0)) d.dispose();
  }
}

function describe(params: RecognizeParams): string {
  const source = params.source.path ?? params.source.uri ?? '<data>';
  const region = params.region ? ` region ${params.region.x},${params.region.y},${params.region.width},${params.region.height}` : '';
  return `${params.mode} ${path.basename(source)} p${params.page ?? 1}${region}`;
}
