/**
 * The mocha suite that runs inside VS Code's extension host (code-server here; desktop VS Code through
 * @vscode/test-electron elsewhere). Bundled to dist/test/vscode/suite.js; `run()` is what VS Code calls.
 */
import * as util from 'node:util';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  // The host forwards console output without printf formatting: format here.
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(util.format(...args));
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec', grep: process.env.OCR_TEST_GREP });
  mocha.suite.emit('pre-require', globalThis, 'suite', mocha);
  // Required after pre-require so `describe`/`it` exist; esbuild bundles them in.
  require('./extension.test');
  require('./documents.test');
  await new Promise<void>((resolve, reject) => {
    const runner = mocha.run((failures) => {
      console.log(`${runner.stats?.passes ?? 0} passed, ${failures} failed`);
      if (failures) reject(new Error(`${failures} test(s) failed`));
      else resolve();
    });
  });
}
