// Scores `chem` mode on ../shared/eval/chem (evaluation only: nothing is tuned on these sets) and, in the same
// run on the same images, plain `osra <image>` with default options, to show what the preprocessing and the
// consensus buy.
//
// Run: npm run bench:chem  [-- --sets uspto,uob,clef,jpo,patent,trec --limit N --verbose]
// --limit N takes N images per set, evenly spaced over the set sorted by key (default 25, 150 images, ≈ 18 min on
// two busy cores; 0 = all).
//
// Scores per image, for both systems:
//   exact          the canonical isomeric SMILES (RDKit) equals the reference's, or the standard InChIs are equal
//                  (InChI normalises tautomers, charge-separated nitro groups etc.); stereo must match.
//   exact-no-stereo  the InChI with its stereo layers (/b /t /m /s) removed is equal, or the non-isomeric
//                  canonical SMILES are: for drawings whose wedges are ambiguous or missing.
//   Tanimoto       Morgan fingerprints (radius 2, 2048 bits, RDKit-JS get_morgan_fp), 0 when there is no valid answer.
//   invalid        no answer, or an answer RDKit cannot parse/sanitise.
// Plain OSRA prints one line per structure it found; like the engine, the first (its best) is taken.
// References RDKit cannot parse are skipped and counted.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { neverCancelled, OcrError } from '../server/src/errors.js';
import { Osra, parseOsraOutput } from '../server/src/engines/chem/osra.js';
import { loadRDKit, tanimoto } from '../server/src/engines/chem/rdkit.js';
import { OcrService } from '../server/src/service.js';

const root = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    sets: { type: 'string', default: 'uspto,uob,clef,jpo,patent,trec' },
    limit: { type: 'string', default: '25' },
    eval: { type: 'string' },
    out: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
const evalRoot = args.eval ?? [resolve(root, '../shared/eval/chem'), '/work/shared/eval/chem'].find(existsSync);
if (!evalRoot || !existsSync(evalRoot)) throw new Error('Evaluation sets not found: pass --eval <path to shared/eval/chem>.');
const limit = Number(args.limit) || Infinity;

interface Item {
  set: string;
  id: string;
  image: string;
  smiles: string;
}

function csvRows(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const names = header!.split(',');
  // No field in these files is quoted; SMILES contain no commas.
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i]!, v])));
}

function loadSet(set: string): Item[] {
  const ocsr = join(evalRoot!, 'ocsr-benchmarks/Data');
  let items: Item[];
  if (set === 'patent') {
    items = csvRows(join(ocsr, 'Patent/smiles_map.csv')).map((r) => ({ set, id: r.Key!, image: join(ocsr, 'Patent', r.ImagePath!), smiles: r.Smiles! }));
  } else if (set === 'trec') {
    const dir = join(evalRoot!, 'trec-molvec');
    items = csvRows(join(dir, 'smiles_from_mol_rdkit2022.09.csv'))
      .filter((r) => r.smiles_rdkit)
      .map((r) => ({ set, id: r.image!.replace(/^.*\//, '').replace(/\.TIF$/i, ''), image: join(dir, r.image!), smiles: r.smiles_rdkit! }));
  } else {
    const group = { uspto: 'USPTO', uob: 'UOB', clef: 'CLEF', jpo: 'JPO' }[set];
    if (!group) throw new Error(`unknown set ${set}`);
    items = csvRows(join(ocsr, 'public_data/refence_smiles.csv'))
      .filter((r) => r.Group === group)
      .map((r) => ({ set, id: r.Key!, image: join(ocsr, 'public_data', group, `${r.Key}.png`), smiles: r.Smiles! }));
  }
  items = items.filter((i) => existsSync(i.image)).sort((a, b) => (a.id < b.id ? -1 : 1));
  if (items.length <= limit) return items;
  // Evenly spaced, so a sample is not just the first pages of one document.
  return Array.from({ length: limit }, (_, k) => items[Math.floor((k * items.length) / limit)]!);
}

interface Ref {
  canonical: string;
  flat: string;
  inchi?: string;
  inchiNoStereo?: string;
  fp: string;
}

/** Canonical forms for comparison; undefined when RDKit rejects the SMILES. */
async function forms(smiles: string | undefined): Promise<Ref | undefined> {
  if (!smiles) return undefined;
  const rdkit = await loadRDKit();
  const mol = rdkit.get_mol(smiles);
  if (!mol) return undefined;
  try {
    if (!mol.is_valid() || mol.get_num_atoms() === 0) return undefined;
    let inchi: string | undefined;
    try {
      const text = mol.get_inchi();
      if (text.startsWith('InChI=')) inchi = text;
    } catch {
      inchi = undefined;
    }
    return {
      canonical: mol.get_smiles(),
      flat: mol.get_smiles(JSON.stringify({ doIsomericSmiles: false })),
      inchi,
      inchiNoStereo: inchi?.split('/').filter((layer) => !/^[btms]/.test(layer)).join('/'),
      fp: mol.get_morgan_fp(JSON.stringify({ radius: 2, nBits: 2048 })),
    };
  } finally {
    mol.delete();
  }
}

interface Score {
  answer: string | null;
  valid: boolean;
  exact: boolean;
  exactNoStereo: boolean;
  tanimoto: number;
  ms: number;
  error?: string;
}

async function score(ref: Ref, answer: string | undefined, ms: number, error?: string): Promise<Score> {
  const got = await forms(answer);
  if (!got) return { answer: answer ?? null, valid: false, exact: false, exactNoStereo: false, tanimoto: 0, ms, ...(error ? { error } : {}) };
  const exact = got.canonical === ref.canonical || (!!ref.inchi && got.inchi === ref.inchi);
  const exactNoStereo = exact || got.flat === ref.flat || (!!ref.inchiNoStereo && got.inchiNoStereo === ref.inchiNoStereo);
  return { answer: got.canonical, valid: true, exact, exactNoStereo, tanimoto: tanimoto(ref.fp, got.fp), ms };
}

function plainOsra(binary: string, image: string): Promise<{ stdout: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolvePromise) => {
    execFile(binary, [image], { timeout: 60_000, maxBuffer: 1 << 20 }, (_error, stdout) => resolvePromise({ stdout: String(stdout ?? ''), ms: performance.now() - started }));
  });
}

const osra = Osra.find();
if (!osra) throw new Error('osra is not installed (sudo apt-get install osra).');
const osraVersion = (await osra.version()) ?? 'unknown';
const rdkitVersion = (await loadRDKit()).version();
const service = new OcrService();
const started = performance.now();
const sets = args.sets!.split(',').map((s) => s.trim().toLowerCase());
const results: { set: string; id: string; reference: string; ours: Score; osra: Score }[] = [];
const skipped: Record<string, number> = {};

for (const set of sets) {
  const items = loadSet(set);
  for (const item of items) {
    const ref = await forms(item.smiles);
    if (!ref) {
      skipped[set] = (skipped[set] ?? 0) + 1;
      continue;
    }
    const t = performance.now();
    let ours: Score;
    try {
      const result = await service.recognize({ source: { path: item.image }, mode: 'chem' }, neverCancelled);
      ours = await score(ref, result.content, performance.now() - t);
    } catch (error) {
      // By name: tsx may load errors.ts twice (ESM here, CJS inside the service), so instanceof can fail.
      if (!(error instanceof OcrError) && (error as Error)?.name !== 'OcrError') throw error;
      ours = await score(ref, undefined, performance.now() - t, (error as Error).message);
    }
    const plain = await plainOsra(osra.binary, item.image);
    const plainScore = await score(ref, parseOsraOutput(plain.stdout)[0]?.smiles, plain.ms);
    results.push({ set, id: item.id, reference: ref.canonical, ours, osra: plainScore });
    if (args.verbose) {
      console.error(`${set} ${item.id}: ours ${ours.exact ? 'OK ' : ours.valid ? 'bad' : 'inv'} ${Math.round(ours.ms)} ms · osra ${plainScore.exact ? 'OK ' : plainScore.valid ? 'bad' : 'inv'}`);
    }
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};
const pct = (n: number, d: number) => (d ? ((100 * n) / d).toFixed(1) : '–');
type Row = { set: string; system: string; n: number; exact: number; exactNoStereo: number; tanimoto: number; invalid: number; medianMs: number };
const summary: Row[] = [];
for (const set of [...sets, 'all']) {
  const rs = results.filter((r) => set === 'all' || r.set === set);
  if (!rs.length) continue;
  for (const system of ['ours', 'osra'] as const) {
    const s = rs.map((r) => r[system]);
    summary.push({
      set,
      system: system === 'ours' ? `chem mode` : `osra ${osraVersion} (defaults)`,
      n: s.length,
      exact: s.filter((x) => x.exact).length,
      exactNoStereo: s.filter((x) => x.exactNoStereo).length,
      tanimoto: s.reduce((a, x) => a + x.tanimoto, 0) / s.length,
      invalid: s.filter((x) => !x.valid).length,
      medianMs: median(s.map((x) => x.ms)),
    });
  }
}
const runtime = (performance.now() - started) / 1000;
const date = new Date().toISOString().slice(0, 10);
const command = `npm run bench:chem${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const table = [
  '| set | system | images | exact | exact, stereo ignored | mean Tanimoto | invalid / none | median latency |',
  '|---|---|---|---|---|---|---|---|',
  ...summary.map(
    (r) =>
      `| ${r.set} | ${r.system} | ${r.n} | ${pct(r.exact, r.n)} % | ${pct(r.exactNoStereo, r.n)} % | ${r.tanimoto.toFixed(3)} | ${pct(r.invalid, r.n)} % | ${(r.medianMs / 1000).toFixed(2)} s |`,
  ),
].join('\n');
const skippedText = Object.keys(skipped).length ? ` · references RDKit rejects, skipped: ${JSON.stringify(skipped)}` : '';
console.log(`${date} · \`${command}\` · limit ${Number.isFinite(limit) ? limit : 'all'} per set · RDKit ${rdkitVersion} · ${Math.round(runtime)} s total${skippedText}\n\n${table}\n`);
const outDir = join(root, 'bench/out');
mkdirSync(outDir, { recursive: true });
const out = args.out ?? join(outDir, `chem-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), command, runtimeSeconds: runtime, osraVersion, rdkitVersion, limit: args.limit, skipped, summary, results }, null, 1));
console.log(`JSON: ${out}`);

