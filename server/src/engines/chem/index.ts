/**
 * The chem mode: a drawn structure → canonical SMILES. OSRA reads several prepared versions of the crop
 * (preprocess.ts), RDKit validates and canonicalises every answer, and the answer most runs agree on wins
 * (ties: OSRA's confidence). RDKit then draws it back, with formula, molfile and InChI, so the user can check it.
 */
import { CancelledError, checkpoint, OcrError, type CancelToken } from '../../errors';
import type { EngineStatus, Quad } from '../../protocol';
import type { Engine, EngineRequest, EngineResult } from '../engine';
import type { RgbImage } from '../../pipeline/image';
import { matchLabel, parseSuperatomList, replaceAtoms, type LabelChoice } from './labels';
import { extraSuperatoms } from './superatoms';
import { Osra, OsraFailedError, osraInstallHint, OsraTimeoutError, type OsraCandidate } from './osra';
import { encodePng, grayOf, inkBounds, prepare, type PreparePlan } from './preprocess';
import { canonicalOfMolfile, describeMolecule, flatSmiles, loadRDKit, tryCanonical } from './rdkit';

/** One OSRA run: how the crop is prepared and which flags OSRA gets. */
export interface RunPlan extends PreparePlan {
  name: string;
  args?: string[];
}

/**
 * The runs, chosen on our own rendered tuning set (training/chem/tune-preprocess.mts; numbers in
 * bench/README.md): the grey crop as drawn, a binarised one (photos, grey paper, noise), and one scaled to a
 * longer side of 800 px before binarising (small and low-resolution crops). Each alone reads 45–53 % of the
 * tuning set; their vote reads 65 %.
 */
export const defaultPlans: RunPlan[] = [
  { name: 'grey' },
  { name: 'binary', binarize: true },
  { name: 'binary-800', longSide: 800, binarize: true },
];

export interface ChemEngineOptions {
  plans?: RunPlan[];
  /** Per OSRA run; the request's own time limit applies on top. */
  runTimeoutMs?: number;
  /** OSRA processes at once. */
  concurrency?: number;
  osra?: Osra | null;
  /** Reads the text of the drawing's labels (the text engine), to re-read the labels OSRA could not. */
  readLabels?: (image: RgbImage, token: CancelToken) => Promise<string[]>;
}

interface Vote {
  smiles: string;
  /** Runs that read this structure. */
  votes: number;
  /** Their votes, a run that read several structures counting half. */
  weight: number;
  confidence: number;
  /** OSRA's original text of the most confident run, before canonicalisation. */
  raw: string;
  /** The first run (index into the plans) that read it. */
  run: number;
}

export class ChemEngine implements Engine {
  readonly mode = 'chem' as const;
  readonly name = 'OSRA + RDKit';
  private readonly osra: Osra | undefined;
  private rdkitLoaded = false;
  private osraVersion: Promise<string | undefined> | undefined;
  private readonly plans: RunPlan[];
  private readonly runTimeoutMs: number;
  private readonly concurrency: number;
  private readonly readLabels: ChemEngineOptions['readLabels'];
  private superatomTable: Map<string, string> | undefined;

  constructor(options: ChemEngineOptions = {}) {
    this.osra = options.osra === null ? undefined : (options.osra ?? Osra.find());
    this.plans = options.plans ?? defaultPlans;
    this.runTimeoutMs = options.runTimeoutMs ?? 20_000;
    this.concurrency = options.concurrency ?? 2;
    this.readLabels = options.readLabels;
  }

  status(): EngineStatus {
    const models = [{ name: '@rdkit/rdkit (WASM)', path: rdkitPath(), loaded: this.rdkitLoaded }];
    if (!this.osra) return { mode: 'chem', available: false, reason: `OSRA is not installed. ${osraInstallHint}`, models };
    return { mode: 'chem', available: true, models: [{ name: 'osra', path: this.osra.binary, loaded: true }, ...models] };
  }

  async recognize(request: EngineRequest): Promise<EngineResult> {
    const osra = this.osra;
    if (!osra) throw new OcrError('modeNotAvailable', `The "chem" mode needs OSRA, which is not installed. ${osraInstallHint}`);
    const timings: Record<string, number> = {};
    let t = performance.now();
    const rdkit = await loadRDKit();
    this.rdkitLoaded = true;
    this.osraVersion ??= osra.version();
    timings.rdkitLoad = performance.now() - t;

    t = performance.now();
    const gray = grayOf(request.page.image);
    const box = inkBounds(gray);
    if (!box) throw new OcrError('badRequest', 'The selection is blank: no drawing was found. Select the structure drawing.');
    timings.prepare = performance.now() - t;
    await checkpoint(request.token);

    t = performance.now();
    request.report(`reading the structure (${this.plans.length} OSRA runs)`);
    let timeouts = 0;
    const inputs: Buffer[] = [];
    const runs = await mapLimit(this.plans, this.concurrency, async (plan, i) => {
      const image = await prepare(gray, plan);
      await checkpoint(request.token);
      try {
        inputs[i] = await encodePng(image);
        return await osra.recognize(inputs[i]!, { args: plan.args, timeoutMs: this.runTimeoutMs, token: request.token });
      } catch (error) {
        // One run failing (timeout, crash on an odd image) must not sink the others.
        if (error instanceof OsraTimeoutError) timeouts++;
        if (error instanceof OsraTimeoutError || error instanceof OsraFailedError) return [] as OsraCandidate[];
        throw error;
      }
    });
    timings.osra = performance.now() - t;
    await checkpoint(request.token);

    t = performance.now();
    let { winner, invalid } = await consensus(runs);
    timings.validate = performance.now() - t;
    let relabelled: { osra: string; read: string }[] | undefined;
    if (winner?.smiles.includes('*') && this.readLabels) {
      t = performance.now();
      request.report('re-reading atom labels');
      const reread = await this.rereadLabels(osra, winner, inputs, request);
      if (reread) {
        winner = { ...winner, smiles: reread.smiles };
        relabelled = reread.labels;
      }
      timings.labels = performance.now() - t;
    }
    if (!winner) {
      if (timeouts === this.plans.length) {
        throw new OcrError('timeout', `OSRA did not finish within ${this.runTimeoutMs / 1000} s on this selection. Select a single structure, or try again when the machine is less busy.`);
      }
      if (invalid.length) {
        throw new OcrError(
          'badRequest',
          `OSRA read the drawing as "${invalid[0]}", which is not a valid molecule (RDKit cannot parse or sanitise it). Try a tighter or sharper selection of one structure.`,
        );
      }
      throw new OcrError('badRequest', 'No chemical structure was recognised in the selection. Select one structure drawing, with its atom labels, and try again.');
    }
    t = performance.now();
    const info = await describeMolecule(winner.smiles);
    timings.draw = performance.now() - t;
    const whole: Quad = [[box.x0, box.y0], [box.x1, box.y0], [box.x1, box.y1], [box.x0, box.y1]];
    const confidence = chemConfidence(winner.votes, this.plans.length, winner.confidence);
    return {
      content: info.smiles,
      format: 'smiles',
      confidence,
      lines: [{ text: info.smiles, confidence, box: whole }],
      models: [`osra ${(await this.osraVersion) ?? ''}`.trim(), `@rdkit/rdkit ${rdkit.version()}`],
      timings,
      alternatives: { markdown: '```smiles\n' + info.smiles + '\n```' },
      chem: {
        smiles: info.smiles,
        formula: info.formula,
        svg: info.svg,
        molfile: info.molfile,
        ...(info.inchi ? { inchi: info.inchi } : {}),
        ...(info.inchiKey ? { inchiKey: info.inchiKey } : {}),
        agreement: { votes: winner.votes, runs: this.plans.length },
        ...(relabelled ? { relabelled } : {}),
      },
    };
  }

  /**
   * The winning answer with its unread labels (`*`) replaced: the first run that gave it is repeated with molfile
   * output (OSRA's text of each unread label is there), the text engine reads the crop's labels, and each `*` gets
   * the read label OSRA's text most resembles (labels.ts). Undefined when any step finds nothing better, so the
   * answer stays as OSRA gave it; a label re-read never makes a request fail.
   */
  private async rereadLabels(
    osra: Osra,
    { smiles, run }: Vote,
    inputs: Buffer[],
    request: EngineRequest,
  ): Promise<{ smiles: string; labels: { osra: string; read: string }[] } | undefined> {
    try {
      if (!inputs[run]) return undefined;
      const flat = await flatSmiles(smiles);
      const records = await osra.recognizeMolfiles(inputs[run]!, { args: this.plans[run]!.args, timeoutMs: this.runTimeoutMs, token: request.token });
      let record;
      for (const r of records) if (r.aliases.size && (await canonicalOfMolfile(r.molfile))?.flat === flat) record = r;
      if (!record) return undefined;
      const texts = await this.readLabels!(request.page.image, request.token);
      // The list OSRA ran with; without OSRA's own file, at least ours.
      this.superatomTable ??= parseSuperatomList(osra.superatoms ?? Object.entries(extraSuperatoms).map((entry) => entry.join(' ')).join('\n'));
      const groups = new Map<number, string>();
      const labels: { osra: string; read: string }[] = [];
      for (const [atom, alias] of record.aliases) {
        const choice: LabelChoice | undefined = matchLabel(alias, texts, this.superatomTable);
        if (!choice) continue;
        groups.set(atom, choice.smiles);
        labels.push({ osra: alias, read: choice.read });
      }
      if (!groups.size) return undefined;
      const replaced = await replaceAtoms(record.molfile, groups);
      const result = replaced && (await canonicalOfMolfile(replaced));
      if (!result || result.smiles.split('*').length >= smiles.split('*').length) return undefined;
      return { smiles: result.smiles, labels };
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      return undefined;
    }
  }
}

/**
 * Each run votes for its most confident valid structure (canonical SMILES); most votes wins, ties go to the
 * higher OSRA confidence. A run that split the selection into several valid structures has half a vote: a selection
 * holds one drawing, so the pieces are a broken reading (two binarised runs each reading the same fragment
 * outvoted the whole molecule read from the grey crop). On our tuning set 192 vs 191 of 300 right with full votes.
 * `invalid` lists answers RDKit rejected, for the error message when nothing is valid.
 */
export async function consensus(runs: OsraCandidate[][]): Promise<{ winner?: Vote; invalid: string[]; answered: number }> {
  const tally = new Map<string, Vote>();
  const invalid: string[] = [];
  let answered = 0;
  for (const [run, candidates] of runs.entries()) {
    let best: { smiles: string; confidence: number; raw: string } | undefined;
    let valid = 0;
    for (const c of candidates) {
      const smiles = await tryCanonical(c.smiles);
      if (!smiles) {
        invalid.push(c.smiles);
        continue;
      }
      valid++;
      const confidence = c.confidence ?? 0;
      if (!best || confidence > best.confidence) best = { smiles, confidence, raw: c.smiles };
    }
    if (!best) continue;
    answered++;
    const weight = valid > 1 ? 0.5 : 1;
    const vote = tally.get(best.smiles);
    if (vote) {
      vote.votes++;
      vote.weight += weight;
      if (best.confidence > vote.confidence) Object.assign(vote, { confidence: best.confidence, raw: best.raw });
    } else tally.set(best.smiles, { smiles: best.smiles, votes: 1, weight, confidence: best.confidence, raw: best.raw, run });
  }
  const winner = [...tally.values()].sort((a, b) => b.weight - a.weight || b.confidence - a.confidence)[0];
  return { winner, invalid, answered };
}

/**
 * 0..1 estimate that the answer is right, from how many runs agree and OSRA's own (unbounded) score. On our
 * tuning set (142 answered images, bench/README.md): a majority of runs agreeing was right 96 % of the time, a
 * single run 38 % (53 % when its OSRA score was ≥ 0.5, 5 % below), so agreement sets the level and the score
 * lowers it when OSRA itself was unsure.
 */
export function chemConfidence(votes: number, runs: number, osraScore: number): number {
  const level = runs > 1 && votes * 2 > runs ? 0.97 : runs === 1 ? 0.8 : 0.55;
  return level / (1 + Math.exp(-8 * (osraScore - 0.3)));
}

/**
 * Runs `work` over `items`, `limit` at a time. On a failure no new item starts, and the error is thrown only
 * once every started item has settled, so no OSRA process or temp dir outlives the request.
 */
async function mapLimit<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const i = next++;
      try {
        results[i] = await work(items[i]!, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}

function rdkitPath(): string {
  try {
    return require.resolve('@rdkit/rdkit/RDKit_minimal.wasm');
  } catch {
    return 'not installed';
  }
}
