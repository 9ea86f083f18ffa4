/**
 * Re-apply the current normaliser (server/src/engines/math/latex.ts) to an existing render folder
 * without re-rendering: recomputes `tokens` of formulas.jsonl (fid and split unchanged) and of
 * every shard-*.jsonl line (looked up by fid). Run after changing the normaliser, while no
 * render.ts is writing into the folder:
 *
 *   npx tsx training/math/renormalize.ts training/math/data/r1
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { normalizeTokens } from '../../server/src/engines/math/latex.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: renormalize.ts <render folder>');
const fj = path.join(dir, 'formulas.jsonl');
const formulas = fs.readFileSync(fj, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
let changed = 0;
const byFid = new Map<number, string>();
for (const f of formulas) {
  const t = normalizeTokens(f.tex).join(' ');
  if (t !== f.tokens) changed++;
  f.tokens = t;
  byFid.set(f.fid, t);
}
fs.writeFileSync(fj + '.tmp', formulas.map((x) => JSON.stringify(x)).join('\n') + '\n');
fs.renameSync(fj + '.tmp', fj);
let lines = 0;
for (const name of fs.readdirSync(dir).filter((n) => /^shard-\d+\.jsonl$/.test(n)).sort()) {
  const p = path.join(dir, name);
  const out = fs.readFileSync(p, 'utf8').trim().split('\n').map((l) => {
    const j = JSON.parse(l);
    j.tokens = byFid.get(j.fid) ?? j.tokens;
    lines++;
    return JSON.stringify(j);
  });
  fs.writeFileSync(p + '.tmp', out.join('\n') + '\n');
  fs.renameSync(p + '.tmp', p);
}
console.log(`${formulas.length} formulas (${changed} changed), ${lines} shard lines rewritten`);
