/** A minimal LSP client that starts the bundled daemon over stdio, as the extension does. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import {
  CancellationTokenSource,
  createProtocolConnection,
  InitializeRequest,
  ShutdownRequest,
  ExitNotification,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { root } from '../fixtures.ts';

export interface Daemon {
  connection: ProtocolConnection;
  process: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Starts dist/server.js; `wrapper` runs it under another program (e.g. strace) given as argv prefix. */
export async function startDaemon(initializationOptions: object = { executionProvider: 'cpu' }, wrapper: string[] = []): Promise<Daemon> {
  const command = [...wrapper, process.execPath, path.join(root, 'dist/server.js'), '--stdio'];
  const child = spawn(command[0]!, command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions });
  return {
    connection,
    process: child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) {
        await connection.sendRequest(ShutdownRequest.type);
        await connection.sendNotification(ExitNotification.type);
        await new Promise((resolve) => child.once('exit', resolve));
      }
      connection.dispose();
    },
  };
}

export { CancellationTokenSource };
