import * as ort from 'onnxruntime-node';
import { OcrError } from '../errors';
import { verifyModel } from './integrity';
import type { ExecutionProviderSetting } from '../protocol';

export { ort };

// Session creation failures (a GPU provider without its libraries) arrive as exceptions and are reported in
// ocr/status; onnxruntime would also print them to stderr, where they read like a crash.
ort.env.logLevel = 'fatal';

/** The GPU provider worth trying on each platform, in the order `auto` tries them. */
export function gpuProvidersFor(platform: NodeJS.Platform): string[] {
  if (platform === 'win32') return ['dml', 'cuda'];
  if (platform === 'darwin') return ['coreml'];
  return ['cuda'];
}

export interface ProviderChoice {
  active: string;
  fallbackReason?: string;
}

/**
 * Creates ONNX sessions on the requested execution provider and remembers what actually ran, so every model
 * of the daemon uses one provider and `ocr/status` can say which. A GPU provider whose libraries are absent
 * makes session creation throw (it does not fall back by itself), so each attempt is caught and CPU is retried.
 */
export class SessionFactory {
  private choice: ProviderChoice | undefined;

  constructor(
    readonly requested: ExecutionProviderSetting,
    private readonly platform: NodeJS.Platform = process.platform,
    private readonly create: (path: string, options: ort.InferenceSession.SessionOptions) => Promise<ort.InferenceSession> = (p, o) =>
      ort.InferenceSession.create(p, o),
    private readonly verify: (path: string) => void = verifyModel,
  ) {}

  get provider(): ProviderChoice {
    return this.choice ?? { active: 'none' };
  }

  async load(modelPath: string): Promise<ort.InferenceSession> {
    this.verify(modelPath);
    const candidates = this.choice ? [this.choice.active] : this.requested === 'auto' ? [...gpuProvidersFor(this.platform), 'cpu'] : this.requested === 'cpu' ? ['cpu'] : [this.requested, 'cpu'];
    const failures: string[] = [];
    for (const provider of candidates) {
      try {
        const session = await this.create(modelPath, {
          executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
          graphOptimizationLevel: 'all',
          // Two cores is the common case; onnxruntime's default spawns one thread per core anyway.
          intraOpNumThreads: 0,
          interOpNumThreads: 1,
          // Spinning worker threads starve when the editor or another process shares the two cores.
          extra: { session: { intra_op: { allow_spinning: '0' } } },
        });
        if (!this.choice) {
          this.choice = { active: provider };
          if (failures.length > 0 && this.requested !== 'cpu') this.choice.fallbackReason = failures.join('; ');
        }
        return session;
      } catch (error) {
        failures.push(`${provider}: ${firstLine(error)}`);
      }
    }
    throw new OcrError('modelLoad', `Could not load the model ${modelPath} (${failures.join('; ')}). Reinstall the extension or run "npm ci".`);
  }
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]!.slice(0, 200);
}
