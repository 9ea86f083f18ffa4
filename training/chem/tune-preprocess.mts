/**
 * Compares OSRA preprocessing variants on OUR OWN rendered tuning set (make-tuning-set.mjs), never on the
 * evaluation sets. Writes every raw answer to <set>/runs-<variant>.json, so consensus rules can be compared
 * afterwards without running OSRA again (see --consensus).
 * Run: npx tsx training/chem/tune-preprocess.mts [--dir training/chem/data/tune] [--every 4 --offset 0] [--variants a,b] [--consensus a,b,c]
 * The engine's runs were chosen with --every 4 --offset 0 and checked on held-out molecules with --every 8 --offset 2.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { Osra, type OsraCandidate } from '../../server/src/engines/chem/osra';
import { cropPad, encodePng, inkBounds, median3, sauvola, scaleGray, type Gray } from '../../server/src/engines/chem/preprocess';
import { tryCanonical } from '../../server/src/engines/chem/rdkit';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: 'training/chem/data/tune' },
    every: { type: 'string', default: '2' },
    offset: { type: 'string', default: '0' },
    variants: { type: 'string' },
    consensus: { type: 'string' },
    jobs: { type: 'string', default: '2' },
  },
});
const dir = values.dir!;
const rows = readFileSync(join(dir, 'truth.csv'), 'utf8').trim().split('\n').slice(1).map((l) => {
  const [condition, id, file, smiles] = l.split(',');
  return { condition: condition!, id: id!, file: file!, smiles: smiles! };
});
const ids = [...new Set(rows.map((r) => r.id))].filter((_, i) => i % Number(values.every) === Number(values.offset));
const items = rows.filter((r) => ids.includes(r.id));

async function loadGray(file: string): Promise<Gray> {
  const { data, info } = await sharp(file).flatten({ background: '#ffffff' }).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

function crop(g: Gray): Gray {
  const box = inkBounds(g);
  if (!box) return g;
  const pad = Math.max(10, Math.round(0.05 * Math.max(box.x1 - box.x0, box.y1 - box.y0)));
  return cropPad(g, box, pad);
}
const toLong = (g: Gray, target: number) => scaleGray(g, target / Math.max(g.width, g.height));

type Prepared = { bytes: Uint8Array; ext: string; args?: string[] };
// Only the variants that were measured (bench/README.md); the engine's plans are `crop`, `bin-crop` and
// `scale-bin-long800` (server/src/engines/chem/preprocess.ts `prepare` does the same steps).
const variants: Record<string, (file: string) => Promise<Prepared>> = {
  raw: async (file) => ({ bytes: readFileSync(file), ext: file.split('.').pop()! }),
  crop: async (file) => ({ bytes: await encodePng(crop(await loadGray(file))), ext: 'png' }),
  'crop-long500': async (file) => ({ bytes: await encodePng(await toLong(crop(await loadGray(file)), 500)), ext: 'png' }),
  'crop-long800': async (file) => ({ bytes: await encodePng(await toLong(crop(await loadGray(file)), 800)), ext: 'png' }),
  // Binarise first (median 3×3 then Sauvola), so the ink box is found on photos too.
  'bin-crop': async (file) => ({ bytes: await encodePng(crop(sauvola(median3(await loadGray(file)), 41))), ext: 'png' }),
  // Scale the grey crop first, then binarise and crop again on the clean binary.
  'scale-bin-long500': async (file) => ({ bytes: await encodePng(crop(sauvola(median3(await toLong(crop(await loadGray(file)), 500)), 41))), ext: 'png' }),
  'scale-bin-long800': async (file) => ({ bytes: await encodePng(crop(sauvola(median3(await toLong(crop(await loadGray(file)), 800)), 41))), ext: 'png' }),
};

type Answer = { condition: string; id: string; truth: string; candidates: OsraCandidate[]; canonical: (string | null)[]; ms: number; error?: string };

async function runVariant(name: string): Promise<Answer[]> {
  const out = join(dir, `runs-${name}.json`);
  if (existsSync(out)) {
    // A run over more molecules (a smaller --every) covers this one.
    const cached = new Map((JSON.parse(readFileSync(out, 'utf8')) as Answer[]).map((a) => [`${a.condition}/${a.id}`, a]));
    const hits = items.map((it) => cached.get(`${it.condition}/${it.id}`));
    if (hits.every(Boolean)) return hits as Answer[];
  }
  const osra = Osra.find()!;
  const answers: Answer[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      const item = items[i]!;
      const started = performance.now();
      try {
        const p = await variants[name]!(join(dir, item.file));
        const candidates = await osra.recognize(p.bytes, { args: p.args, timeoutMs: 30000, extension: p.ext });
        const canonical = await Promise.all(candidates.map(async (c) => (await tryCanonical(c.smiles)) ?? null));
        answers[i] = { condition: item.condition, id: item.id, truth: item.smiles, candidates, canonical, ms: performance.now() - started };
      } catch (error) {
        answers[i] = { condition: item.condition, id: item.id, truth: item.smiles, candidates: [], canonical: [], ms: performance.now() - started, error: String(error) };
      }
    }
  };
  await Promise.all(Array.from({ length: Number(values.jobs) }, worker));
  // Merge with earlier runs of this variant over other molecules.
  const earlier = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Answer[]) : [];
  const merged = new Map([...earlier, ...answers].map((a) => [`${a.condition}/${a.id}`, a]));
  writeFileSync(out, JSON.stringify([...merged.values()]));
  return answers;
}

/** The answer a single run gives: its most confident valid structure (OSRA prints the best first). */
function best(a: Answer): { smiles: string | null; conf: number } {
  let pick: { smiles: string | null; conf: number } = { smiles: null, conf: -Infinity };
  a.candidates.forEach((c, i) => {
    const s = a.canonical[i];
    if (s && (c.confidence ?? 0) > pick.conf) pick = { smiles: s, conf: c.confidence ?? 0 };
  });
  return pick;
}

const conditions = [...new Set(items.map((i) => i.condition))];
function report(name: string, picks: (string | null)[], answers: Answer[]): string {
  const cells = conditions.map((c) => {
    const idx = answers.map((a, i) => (a.condition === c ? i : -1)).filter((i) => i >= 0);
    const ok = idx.filter((i) => picks[i] === answers[i]!.truth).length;
    return `${ok}/${idx.length}`;
  });
  const total = picks.filter((p, i) => p === answers[i]!.truth).length;
  const ms = answers.map((a) => a.ms).sort((a, b) => a - b)[answers.length >> 1]!;
  return `| ${name} | ${cells.join(' | ')} | **${total}/${answers.length}** (${((100 * total) / answers.length).toFixed(1)} %) | ${Math.round(ms)} |`;
}

console.log(`tuning set ${dir} (every ${values.every}th molecule from ${values.offset}): ${ids.length} molecules × ${conditions.length} conditions = ${items.length} images`);
console.log(`| variant | ${conditions.join(' | ')} | exact | median ms |\n|---|${conditions.map(() => '---|').join('')}---|---|`);
const names = values.variants ? values.variants.split(',') : Object.keys(variants);
const results: Record<string, Answer[]> = {};
for (const name of names) {
  results[name] = await runVariant(name);
  console.log(report(name, results[name]!.map((a) => best(a).smiles), results[name]!));
}

if (values.consensus) {
  const members = values.consensus.split(',');
  for (const m of members) results[m] ??= await runVariant(m);
  const n = items.length;
  // Votes: each run's best valid answer; most votes wins, ties by the highest OSRA confidence.
  const vote = (mode: 'votes' | 'conf') =>
    Array.from({ length: n }, (_, i) => {
      const tally = new Map<string, { votes: number; conf: number }>();
      for (const m of members) {
        const b = best(results[m]![i]!);
        if (!b.smiles) continue;
        const t = tally.get(b.smiles) ?? { votes: 0, conf: -Infinity };
        tally.set(b.smiles, { votes: t.votes + 1, conf: Math.max(t.conf, b.conf) });
      }
      const sorted = [...tally.entries()].sort((a, b) => (mode === 'votes' ? b[1].votes - a[1].votes || b[1].conf - a[1].conf : b[1].conf - a[1].conf));
      return sorted[0]?.[0] ?? null;
    });
  const answers = results[members[0]!]!.map((a, i) => ({ ...a, ms: members.reduce((s, m) => s + results[m]![i]!.ms, 0) }));
  console.log(report(`vote(${members.join('+')})`, vote('votes'), answers));
  console.log(report(`maxconf(${members.join('+')})`, vote('conf'), answers));
  const oracle = Array.from({ length: n }, (_, i) => (members.some((m) => best(results[m]![i]!).smiles === items[i]!.smiles) ? items[i]!.smiles : null));
  console.log(report(`oracle(${members.join('+')})`, oracle, answers));
}
