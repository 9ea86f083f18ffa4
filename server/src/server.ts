/**
 * The OCR daemon: a language server over stdio whose only "language" is images. It answers `ocr/recognize`
 * and `ocr/status` and reports health through `ocr/serverStatus`. No request can take the process down:
 * every failure becomes a ResponseError with a message for the user.
 */
import {
  createConnection,
  ErrorCodes,
  LSPErrorCodes,
  ProposedFeatures,
  ResponseError,
  TextDocumentSyncKind,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { CancelledError, OcrError } from './errors';
import { ConvertDocumentRequest, RecognizeRequest, ServerStatusNotification, StatusRequest, type OcrErrorData, type ServerOptions } from './protocol';
import { convertDocument } from './document/convert';
import { OcrService } from './service';
import { version } from './version';

const connection = createConnection(ProposedFeatures.all);
let service: OcrService | undefined;

connection.onInitialize((params): InitializeResult => {
  const options = (params.initializationOptions ?? {}) as ServerOptions;
  service = new OcrService({ executionProvider: options.executionProvider ?? 'auto', limits: options.limits });
  return {
    capabilities: { textDocumentSync: TextDocumentSyncKind.None },
    serverInfo: { name: 'formatted-ocr', version },
  };
});

function requireService(): OcrService {
  if (!service) throw new ResponseError(ErrorCodes.ServerNotInitialized, 'The OCR server has not been initialised.');
  return service;
}

function sendStatus(message?: string, health: 'ok' | 'warning' | 'error' = 'ok'): void {
  const s = service;
  if (!s) return;
  const provider = s.sessions.provider;
  void connection.sendNotification(ServerStatusNotification.type, {
    // Falling back to CPU is expected under `auto` on a machine without a GPU; it is a warning only when a
    // GPU provider was asked for by name.
    health: provider.fallbackReason && health === 'ok' && s.sessions.requested !== 'auto' ? 'warning' : health,
    busy: s.busy,
    executionProvider: provider.active,
    message: message ?? (provider.fallbackReason ? `Running on CPU: ${provider.fallbackReason}` : undefined),
  });
}

connection.onRequest(RecognizeRequest.type, async (params, token) => {
  const s = requireService();
  // A no-op reporter when the client sent no token.
  const workDone = connection.window.attachWorkDoneProgress(params?.workDoneToken);
  workDone.begin('Recognizing', undefined, 'starting', true);
  try {
    const running = s.recognize(params, token, (message) => workDone.report(message));
    // The request is queued now, so the status says busy.
    sendStatus();
    return await running;
  } catch (error) {
    throw toResponseError(error);
  } finally {
    workDone.done();
    setImmediate(() => sendStatus());
  }
});

connection.onRequest(ConvertDocumentRequest.type, async (params, token) => {
  const s = requireService();
  const workDone = connection.window.attachWorkDoneProgress(params?.workDoneToken);
  workDone.begin('Converting', 0, 'starting', true);
  try {
    if (typeof params?.path !== 'string') throw new OcrError('badRequest', 'path must be the path of a PDF or image file.');
    return await convertDocument(s, params.path, { outDir: params.outDir, overwrite: params.overwrite === true, dpi: params.dpi, ocr: params.ocr === 'always' ? 'always' : 'auto' }, token, (message, done, count) =>
      workDone.report(Math.round((100 * done) / Math.max(1, count)), message),
    );
  } catch (error) {
    throw toResponseError(error);
  } finally {
    workDone.done();
  }
});

connection.onRequest(StatusRequest.type, () => requireService().status());

export function toResponseError(error: unknown): ResponseError<OcrErrorData> {
  if (error instanceof CancelledError) return new ResponseError(LSPErrorCodes.RequestCancelled, 'Request cancelled.', { kind: 'internal' });
  if (error instanceof OcrError) return new ResponseError(LSPErrorCodes.RequestFailed, error.message, { kind: error.kind });
  // Unexpected: keep the stack in the log, give the user the message.
  connection.console.error(`Unexpected error: ${(error as Error)?.stack ?? String(error)}`);
  return new ResponseError(LSPErrorCodes.RequestFailed, `Internal error: ${(error as Error)?.message ?? String(error)}`, { kind: 'internal' });
}

// A bug in one request must not end the daemon that the editor depends on.
process.on('uncaughtException', (error) => connection.console.error(`Uncaught: ${error.stack ?? error.message}`));
process.on('unhandledRejection', (reason) => connection.console.error(`Unhandled rejection: ${String((reason as Error)?.stack ?? reason)}`));

connection.listen();
