import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CancelledError, OcrError } from '../../server/src/errors';
import { ChemEngine, chemConfidence, consensus } from '../../server/src/engines/chem';
import { findExecutable, Osra, OsraFailedError, OsraTimeoutError, parseOsraOutput, parseOsraSdf } from '../../server/src/engines/chem/osra';
import { matchLabel, normaliseLabel, parseSuperatomList, replaceAtoms, resolveLabel } from '../../server/src/engines/chem/labels';
import { extraSuperatoms, superatomList } from '../../server/src/engines/chem/superatoms';
import { cropPad, inkBounds, otsuThreshold, type Gray } from '../../server/src/engines/chem/preprocess';
import {
  canonicalOfMolfile,
  canonicalSmiles,
  describeMolecule,
  hillFormula,
  InvalidSmilesError,
  loadRDKit,
  morganFingerprint,
  tanimoto,
  tryCanonical,
} from '../../server/src/engines/chem/rdkit';
import { createImage } from '../../server/src/pipeline/image';
import { tempDir } from '../fixtures';

/** A fake `osra`: a shell script that logs its arguments to `log` and then runs `body`. */
function fakeOsra(dir: string, name: string, body: string): { binary: string; log: string } {
  const binary = path.join(dir, name);
  const log = path.join(dir, `${name}.args`);
  writeFileSync(binary, `#!/bin/sh\nfor a in "$@"; do echo "$a"; done > '${log}'\n${body}\n`);
  chmodSync(binary, 0o755);
  return { binary, log };
}

/** The input file OSRA was given: the last argument the fake logged. */
const inputOf = (log: string) => readFileSync(log, 'utf8').trim().split('\n').pop()!;

const page = (width = 200, height = 150) => {
  const image = createImage(width, height);
  // A dark stroke so the crop is not blank.
  for (let x = 40; x < 160; x++) for (let y = 70; y < 74; y++) image.data.fill(0, (y * width + x) * 3, (y * width + x) * 3 + 3);
  return { image, pageNumber: 1, pageCount: 1, unit: 'px' as const, pageWidth: width, pageHeight: height, scale: 1, originX: 0, originY: 0 };
};
const request = (token = { isCancellationRequested: false }) => ({ page: page(), token, report: () => {} });

describe('OSRA output parsing', () => {
  it('reads SMILES with confidence, one structure per line', () => {
    assert.deepEqual(parseOsraOutput('CC(=O)Oc1ccccc1C(=O)O 2.19675\n'), [{ smiles: 'CC(=O)Oc1ccccc1C(=O)O', confidence: 2.19675 }]);
    assert.deepEqual(parseOsraOutput('c1ccccc1 1.5\r\nCCO -0.25\n\n'), [
      { smiles: 'c1ccccc1', confidence: 1.5 },
      { smiles: 'CCO', confidence: -0.25 },
    ]);
  });

  it('reads SMILES without confidence and with extra columns (-b/-c)', () => {
    assert.deepEqual(parseOsraOutput('C[C@H](N)C(=O)O\n'), [{ smiles: 'C[C@H](N)C(=O)O' }]);
    assert.deepEqual(parseOsraOutput('CCN 0.9 23.5 10:20-30:40\n'), [{ smiles: 'CCN', confidence: 0.9 }]);
  });

  it('skips garbage, warnings and empty output', () => {
    assert.deepEqual(parseOsraOutput(''), []);
    assert.deepEqual(parseOsraOutput('\n\n   \n'), []);
    assert.deepEqual(parseOsraOutput('Warning: could not open display\nError reading image file!\n'), []);
    assert.deepEqual(parseOsraOutput('\u0000\u0001\u00ff binary junk {}<>\n12345 0.5\n== 1\n'), []);
    assert.deepEqual(parseOsraOutput('junk line here\nCCO 1.1\nCC(C)C notanumber\n'), [{ smiles: 'CCO', confidence: 1.1 }]);
  });
});

describe('OSRA process wrapper', () => {
  it('finds an executable on a given PATH and reports a missing one as absent', () => {
    const dir = tempDir();
    const { binary } = fakeOsra(dir, 'osra', 'exit 0');
    assert.equal(findExecutable('osra', `/nonexistent${path.delimiter}${dir}`), binary);
    assert.equal(findExecutable('osra', '/nonexistent'), undefined);
    assert.equal(findExecutable('osra', '', binary), binary);
    assert.equal(findExecutable('osra', dir, path.join(dir, 'missing')), undefined);
    writeFileSync(path.join(dir, 'notexec'), 'x');
    assert.equal(findExecutable('notexec', dir), undefined);
    assert.equal(Osra.find({ PATH: '/nonexistent' }), undefined);
  });

  it('passes the image as a file in a private temp dir, with -p, and removes the dir afterwards', async () => {
    const dir = tempDir();
    const { binary, log } = fakeOsra(dir, 'osra-ok', `head -c 4 "$3" | od -An -c | tr -d ' \\n' >&2; echo 'CC(=O)O 1.25'`);
    const osra = new Osra(binary);
    const result = await osra.recognize(Buffer.from('\x89PNG....'), { args: ['-j'], timeoutMs: 10_000 });
    assert.deepEqual(result, [{ smiles: 'CC(=O)O', confidence: 1.25 }]);
    const args = readFileSync(log, 'utf8').trim().split('\n');
    assert.deepEqual(args.slice(0, 2), ['-p', '-j']);
    assert.match(args[2]!, /formatted-ocr-osra-[^/]+\/input\.png$/);
    assert.equal(existsSync(path.dirname(args[2]!)), false, 'temp dir removed');
  });

  it('kills a run that exceeds its time limit, and still removes the temp dir', async () => {
    const dir = tempDir();
    const { binary, log } = fakeOsra(dir, 'osra-slow', 'sleep 30; echo CCO 1');
    const started = performance.now();
    await assert.rejects(new Osra(binary).recognize(Buffer.from('x'), { timeoutMs: 300 }), OsraTimeoutError);
    assert.ok(performance.now() - started < 5000, 'stopped near the limit, not after the script ends');
    assert.equal(existsSync(path.dirname(inputOf(log))), false);
  });

  it('stops when the request is cancelled', async () => {
    const dir = tempDir();
    const { binary, log } = fakeOsra(dir, 'osra-slow', 'sleep 30');
    const token = { isCancellationRequested: false };
    setTimeout(() => (token.isCancellationRequested = true), 200);
    const started = performance.now();
    await assert.rejects(new Osra(binary).recognize(Buffer.from('x'), { timeoutMs: 60_000, token }), CancelledError);
    assert.ok(performance.now() - started < 5000);
    assert.equal(existsSync(path.dirname(inputOf(log))), false);
  });

  it('turns garbage into no candidates, and a crash without output into OsraFailedError', async () => {
    const dir = tempDir();
    const garbage = fakeOsra(dir, 'osra-garbage', `printf 'Segmentation fault?\\n\\001\\002\\377 junk\\n'`);
    assert.deepEqual(await new Osra(garbage.binary).recognize(Buffer.from('x'), { timeoutMs: 10_000 }), []);
    const crash = fakeOsra(dir, 'osra-crash', 'echo "Error reading image" >&2; exit 3');
    await assert.rejects(new Osra(crash.binary).recognize(Buffer.from('x'), { timeoutMs: 10_000 }), (e: Error) => e instanceof OsraFailedError && /code 3: Error reading image/.test(e.message));
  });

  it('reports a binary that disappeared as modeNotAvailable with install advice', async () => {
    await assert.rejects(
      new Osra('/nonexistent/osra').recognize(Buffer.from('x'), { timeoutMs: 1000 }),
      (e: unknown) => e instanceof OcrError && e.kind === 'modeNotAvailable' && /apt-get install osra/.test(e.message),
    );
  });
});

describe('RDKit: canonicalisation, validation, formula', () => {
  it('canonicalises equivalent SMILES to one string', async () => {
    const forms = ['CN1C=NC2=C1C(=O)N(C(=O)N2C)C', 'Cn1cnc2c1c(=O)n(C)c(=O)n2C', 'O=C1N(C)C(=O)c2c(ncn2C)N1C'];
    const canonical = await Promise.all(forms.map(canonicalSmiles));
    assert.equal(new Set(canonical).size, 1);
    assert.equal(canonical[0], 'Cn1c(=O)c2c(ncn2C)n(C)c1=O');
    assert.equal(await canonicalSmiles('OC(=O)c1ccccc1OC(C)=O'), 'CC(=O)Oc1ccccc1C(=O)O');
    // Stereo is kept (isomeric SMILES).
    assert.notEqual(await canonicalSmiles('C[C@H](N)C(=O)O'), await canonicalSmiles('C[C@@H](N)C(=O)O'));
  });

  it('rejects invalid SMILES with a clear message', async () => {
    for (const bad of ['C1CC', 'c1cccc1', 'CC(C', 'Xy', 'C(C)(C)(C)(C)C', '', '   ', 'CC O']) {
      await assert.rejects(canonicalSmiles(bad), (e: unknown) => e instanceof InvalidSmilesError && /not a valid SMILES/.test((e as Error).message), bad);
      assert.equal(await tryCanonical(bad), undefined);
    }
    // A molfile is not a SMILES, even though RDKit's get_mol would accept one.
    const molfile = (await describeMolecule('CCO')).molfile;
    assert.equal(await tryCanonical(molfile), undefined);
  });

  it('computes the molecular formula in Hill order', async () => {
    const cases: [string, string][] = [
      ['CN1C=NC2=C1C(=O)N(C(=O)N2C)C', 'C8H10N4O2'],
      ['CC(=O)Oc1ccccc1C(=O)O', 'C9H8O4'],
      ['O=[N+]([O-])c1ccccc1', 'C6H5NO2'],
      ['C', 'CH4'],
      ['O', 'H2O'],
      ['[Na+].[Cl-]', 'ClNa'],
      ['[NH4+]', 'H4N+'],
      ['OS(=O)(=O)[O-]', 'HO4S-'],
      ['ClC(Cl)Cl', 'CHCl3'],
      ['c1ccc(Br)cc1', 'C6H5Br'],
      ['[2H]C([2H])([2H])Cl', 'CH3Cl'],
      ['Nc1ccc(S(N)(=O)=O)cc1', 'C6H8N2O2S'],
    ];
    for (const [smiles, formula] of cases) assert.equal((await describeMolecule(smiles)).formula, formula, smiles);
    const rdkit = await loadRDKit();
    const mol = rdkit.get_mol('C*')!;
    assert.deepEqual(hillFormula(mol.get_json()), { formula: 'CH3', dummyAtoms: 1 });
    mol.delete();
  });

  it('describes a molecule: SVG, molfile, InChI', async () => {
    const info = await describeMolecule('CN1C=NC2=C1C(=O)N(C(=O)N2C)C');
    assert.equal(info.smiles, 'Cn1c(=O)c2c(ncn2C)n(C)c1=O');
    assert.match(info.svg, /^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\s*$/);
    assert.match(info.molfile, /V2000[\s\S]*M {2}END/);
    assert.equal(info.inchi, 'InChI=1S/C8H10N4O2/c1-10-4-9-6-5(10)7(13)12(3)8(14)11(6)2/h4H,1-3H3');
    assert.equal(info.inchiKey, 'RYYVLZVUVIJVGH-UHFFFAOYSA-N');
  });

  it('computes Tanimoto similarity of Morgan fingerprints', async () => {
    const [a, b, c] = await Promise.all(['CC(=O)Oc1ccccc1C(=O)O', 'CC(=O)Oc1ccccc1C(=O)O', 'OC(=O)c1ccccc1O'].map(morganFingerprint));
    assert.equal(a!.length, 2048);
    assert.equal(tanimoto(a!, b!), 1);
    const t = tanimoto(a!, c!);
    assert.ok(t > 0.2 && t < 0.8, String(t));
    assert.equal(tanimoto('0000', '0000'), 1);
    assert.equal(tanimoto('1100', '0110'), 1 / 3);
  });
});

describe('chem preprocessing and consensus', () => {
  it('finds the ink box, ignoring isolated specks, and pads the crop', () => {
    const g: Gray = { width: 50, height: 40, data: new Uint8Array(50 * 40).fill(250) };
    for (let y = 10; y < 20; y++) for (let x = 15; x < 35; x++) g.data[y * 50 + x] = 10;
    g.data[2 * 50 + 2] = 0; // a speck
    assert.ok(otsuThreshold(g.data) >= 10 && otsuThreshold(g.data) < 250);
    const box = inkBounds(g)!;
    assert.deepEqual(box, { x0: 15, y0: 10, x1: 35, y1: 20 });
    const cropped = cropPad(g, box, 5);
    assert.equal(cropped.width, 30);
    assert.equal(cropped.height, 20);
    assert.equal(cropped.data[0], 255);
    assert.equal(cropped.data[5 * 30 + 5], 10);
    assert.equal(inkBounds({ width: 4, height: 4, data: new Uint8Array(16).fill(200) }), undefined);
  });

  it('votes for the answer most runs agree on, ties broken by OSRA confidence, invalid ones ignored', async () => {
    const r = await consensus([
      [{ smiles: 'OCC', confidence: 0.5 }],
      [{ smiles: 'C1CC', confidence: 3 }, { smiles: 'CCO', confidence: 0.7 }],
      [{ smiles: 'CCN', confidence: 2.5 }],
      [],
    ]);
    assert.equal(r.winner?.smiles, 'CCO');
    assert.equal(r.winner?.votes, 2);
    assert.equal(r.winner?.run, 0, 'the first run that read it');
    assert.equal(r.answered, 3);
    assert.deepEqual(r.invalid, ['C1CC']);
    const tie = await consensus([[{ smiles: 'CCN', confidence: 1 }], [{ smiles: 'CCO', confidence: 2 }]]);
    assert.equal(tie.winner?.smiles, 'CCO');
    // Two runs that split the drawing into pieces agree on a piece: half a vote each, the whole molecule wins.
    const pieces = await consensus([
      [{ smiles: 'CCc1ccccc1', confidence: 4 }],
      [{ smiles: 'CCC', confidence: 0.1 }, { smiles: 'Cc1ccccc1', confidence: 0.7 }],
      [{ smiles: 'Cc1ccccc1', confidence: 0.9 }, { smiles: 'CO', confidence: 0.2 }],
    ]);
    assert.equal(pieces.winner?.smiles, 'CCc1ccccc1');
    assert.ok(chemConfidence(3, 3, 2) > 0.95);
    assert.ok(chemConfidence(2, 3, 1) > 0.9);
    assert.ok(chemConfidence(1, 3, 1) > 0.5 && chemConfidence(1, 3, 1) < 0.6);
    assert.ok(chemConfidence(1, 3, -0.5) < 0.01);
  });
});

describe('ChemEngine', () => {
  it('is unavailable without OSRA and says how to install it', async () => {
    const engine = new ChemEngine({ osra: null });
    const status = engine.status();
    assert.equal(status.available, false);
    assert.match(status.reason!, /apt-get install osra/);
    await assert.rejects(engine.recognize(request()), (e: unknown) => e instanceof OcrError && e.kind === 'modeNotAvailable' && /apt-get install osra/.test(e.message));
  });

  it('answers the consensus of its runs, with formula, SVG and molfile', async () => {
    const dir = tempDir();
    const { binary } = fakeOsra(dir, 'osra-fake', `echo 'C1CC 4.0'; echo 'OC(=O)c1ccccc1OC(C)=O 1.9'`);
    const engine = new ChemEngine({ osra: new Osra(binary) });
    assert.equal(engine.status().available, true);
    const result = await engine.recognize(request());
    assert.equal(result.format, 'smiles');
    assert.equal(result.content, 'CC(=O)Oc1ccccc1C(=O)O');
    assert.equal(result.alternatives?.markdown, '```smiles\nCC(=O)Oc1ccccc1C(=O)O\n```');
    assert.equal(result.chem?.formula, 'C9H8O4');
    assert.equal(result.chem?.agreement.votes, result.chem?.agreement.runs);
    assert.match(result.chem!.svg, /<svg/);
    assert.ok(result.confidence > 0.5 && result.confidence <= 1);
  });

  it('explains an answer RDKit rejects, and an empty one', async () => {
    const dir = tempDir();
    const invalid = new ChemEngine({ osra: new Osra(fakeOsra(dir, 'osra-invalid', `echo 'c1cccc1 2.0'`).binary) });
    await assert.rejects(invalid.recognize(request()), (e: unknown) => e instanceof OcrError && /"c1cccc1", which is not a valid molecule/.test((e as Error).message));
    const empty = new ChemEngine({ osra: new Osra(fakeOsra(dir, 'osra-empty', 'exit 0').binary) });
    await assert.rejects(empty.recognize(request()), (e: unknown) => e instanceof OcrError && /No chemical structure was recognised/.test((e as Error).message));
    const blank = { ...request(), page: { ...page(), image: createImage(100, 100) } };
    await assert.rejects(empty.recognize(blank), (e: unknown) => e instanceof OcrError && /blank/.test((e as Error).message));
  });
});

describe('OSRA superatoms', () => {
  it('every added label stands for a valid group bonded through its first atom', async () => {
    for (const [label, smiles] of Object.entries(extraSuperatoms)) {
      assert.ok(await tryCanonical(`C${smiles}`), `${label}: ${smiles} on a methyl`);
    }
    // The azide keeps its charges: the label OSRA could not read in USPTO drawings.
    assert.equal(await canonicalSmiles(`c1ccccc1${extraSuperatoms.N3}`), await canonicalSmiles('[N-]=[N+]=Nc1ccccc1'));
  });

  it('appends the labels OSRA lacks to its installed list, and runs with its own list when that is missing', () => {
    const prefix = tempDir();
    mkdirSync(path.join(prefix, 'bin'));
    mkdirSync(path.join(prefix, 'share/osra'), { recursive: true });
    writeFileSync(path.join(prefix, 'share/osra/superatom.txt'), '# default\nMe\tC\nBoc\tC(=O)OC(C)(C)C\n');
    const list = superatomList(path.join(prefix, 'bin/osra'))!;
    assert.ok(list.startsWith('# default\nMe\tC\n'), 'the default list comes first, unchanged');
    assert.match(list, /^N3\tN=\[N\+\]=\[N-\]$/m);
    assert.equal(list.match(/^Boc\t/gm)!.length, 1, 'a label OSRA has is not repeated');
  });

  it('gives OSRA the list with -a, written into the private temp dir', async () => {
    const dir = tempDir();
    const { binary, log } = fakeOsra(dir, 'osra-a', `cat "$3" | head -c 9 >&2; echo 'CCN=[N+]=[N-] 2.5'`);
    const result = await new Osra(binary, 'N3\tN=[N+]=[N-]\n').recognize(Buffer.from('x'), { timeoutMs: 10_000 });
    assert.deepEqual(result, [{ smiles: 'CCN=[N+]=[N-]', confidence: 2.5 }]);
    const args = readFileSync(log, 'utf8').trim().split('\n');
    assert.deepEqual(args.slice(0, 2), ['-p', '-a']);
    assert.match(args[2]!, /formatted-ocr-osra-[^/]+\/superatom\.txt$/);
    assert.equal(existsSync(path.dirname(args[2]!)), false, 'temp dir removed');
  });
});


/** OSRA's SDF for benzyl-X with X a label it could not read (`*`, its text as the alias), as `osra -f sdf -p` prints it. */
function benzylSdf(alias: string, confidence = 2.5): string {
  const atom = (x: number, y: number, symbol: string) => `${x.toFixed(4).padStart(10)}${y.toFixed(4).padStart(10)}    0.0000 ${symbol.padEnd(3)} 0  0  0  0  0  0  0  0  0  0  0  0`;
  const ring = Array.from({ length: 6 }, (_, i) => atom(Math.cos((i * Math.PI) / 3) * 1.5, Math.sin((i * Math.PI) / 3) * 1.5, 'C'));
  const bonds = [[1, 2, 2], [2, 3, 1], [3, 4, 2], [4, 5, 1], [5, 6, 2], [6, 1, 1], [1, 7, 1], [7, 8, 1]];
  return [
    '',
    ' OpenBabel12052607352D',
    '',
    '  8  8  0  0  0  0  0  0  0  0999 V2000',
    ...ring,
    atom(3, 0, 'C'),
    atom(4.5, 0, '*'),
    ...bonds.map(([a, b, order]) => `${String(a).padStart(3)}${String(b).padStart(3)}${String(order).padStart(3)}  0  0  0  0`),
    'A    8',
    alias,
    'M  END',
    '>  <Confidence_estimate>',
    String(confidence),
    '',
    '$$$$',
    '',
  ].join('\n');
}

describe('labels OSRA could not read', () => {
  const table = parseSuperatomList('# comment\nMe\tC\nCbz  C(=O)OCc1ccccc1\nCO2Me C(=O)OC\nSO3- S(=O)(=O)[O-]\n');

  it('parses OSRA SDF records: molfile, confidence and the text of each unread label', async () => {
    const records = parseOsraSdf(benzylSdf('NHClZ') + benzylSdf('Q', 1.25));
    assert.equal(records.length, 2);
    assert.deepEqual([...records[0]!.aliases], [[8, 'NHClZ']]);
    assert.equal(records[1]!.confidence, 1.25);
    assert.equal((await canonicalOfMolfile(records[0]!.molfile))?.smiles, '*Cc1ccccc1');
    assert.deepEqual(parseOsraSdf('Warning: no structure\n'), []);
  });

  it('writes a printed label in plain ASCII, without the bond strokes read with it', () => {
    assert.equal(normaliseLabel('H₃C'), 'H3C');
    assert.equal(normaliseLabel('—SO₃⁻'), 'SO3-');
    assert.equal(normaliseLabel('N⁺'), 'N+');
    assert.equal(normaliseLabel('H,C'), 'HC');
    assert.equal(normaliseLabel(' NH Cbz '), 'NHCbz');
  });

  it('resolves labels: listed groups, hydrides, charged atoms, and a group behind a linking atom', () => {
    assert.equal(resolveLabel('CO2Me', table), 'C(=O)OC');
    assert.equal(resolveLabel('CH3', table), 'C');
    assert.equal(resolveLabel('H2N', table), 'N');
    assert.equal(resolveLabel('N+', table), '[N+]');
    assert.equal(resolveLabel('NHCbz', table), 'NC(=O)OCc1ccccc1');
    assert.equal(resolveLabel('CbzHN', table), 'NC(=O)OCc1ccccc1');
    assert.equal(resolveLabel('OMe', table), 'OC');
    assert.equal(resolveLabel('Xyz', table), undefined);
    assert.equal(resolveLabel('C', table), undefined, 'a bare element is not a label OSRA failed on');
  });

  it('matches OSRA\'s misreading to the closest read label, and refuses far or tied ones', () => {
    assert.deepEqual(matchLabel('NHClZ', ['Me', 'H', 'CO2Me', 'NHCbz'], table), { read: 'NHCbz', smiles: 'NC(=O)OCc1ccccc1' });
    // A wavy bond read into the label, and the subscript lost by the text engine.
    assert.deepEqual(matchLabel('2sCH3', ['H', 'CH'], table), { read: 'CH', smiles: 'C' });
    assert.equal(matchLabel('Zs', ['S', 'N'], table), undefined, 'half the letters differ');
    const tied = parseSuperatomList('Abc C\nAbd N\n');
    assert.equal(matchLabel('Abx', ['Abc', 'Abd'], tied), undefined, 'two groups equally close');
    assert.deepEqual(matchLabel('Abx', ['Abc Me', 'Abc'], tied), { read: 'Abc', smiles: 'C' }, 'words of a joined line are tried too');
  });

  it('puts the group in the unread atom\'s place, with its charges', async () => {
    const [record] = parseOsraSdf(benzylSdf('NHClZ'));
    const carbamate = await replaceAtoms(record!.molfile, new Map([[8, 'NC(=O)OCc1ccccc1']]));
    assert.equal((await canonicalOfMolfile(carbamate!))?.smiles, await canonicalSmiles('c1ccccc1CNC(=O)OCc1ccccc1'));
    assert.doesNotMatch(carbamate!, /^A\s+8/m, 'the alias is gone with the unread atom');
    const sulfonate = await replaceAtoms(record!.molfile, new Map([[8, 'S(=O)(=O)[O-]']]));
    assert.equal((await canonicalOfMolfile(sulfonate!))?.smiles, await canonicalSmiles('c1ccccc1CS(=O)(=O)[O-]'));
    assert.equal(await replaceAtoms(record!.molfile, new Map([[9, 'C']])), undefined, 'no such atom');
    assert.equal(await replaceAtoms('not a molfile', new Map([[1, 'C']])), undefined);
  });

  it('ChemEngine re-reads an unread label with the text engine, and keeps OSRA\'s answer when it cannot', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'answer.sdf'), benzylSdf('NHClZ'));
    const { binary } = fakeOsra(dir, 'osra-sdf', `case "$*" in *sdf*) cat '${path.join(dir, 'answer.sdf')}';; *) echo '*Cc1ccccc1 2.5';; esac`);
    const osra = new Osra(binary, 'Cbz\tC(=O)OCc1ccccc1\n');
    const reread = new ChemEngine({ osra, readLabels: async () => ['NHCbz'] });
    const result = await reread.recognize(request());
    assert.equal(result.content, await canonicalSmiles('c1ccccc1CNC(=O)OCc1ccccc1'));
    assert.deepEqual(result.chem?.relabelled, [{ osra: 'NHClZ', read: 'NHCbz' }]);
    assert.equal(typeof result.timings.labels, 'number');
    const unread = new ChemEngine({ osra, readLabels: async () => ['Ph'] });
    const kept = await unread.recognize(request());
    assert.equal(kept.content, '*Cc1ccccc1');
    assert.equal(kept.chem?.relabelled, undefined);
    const failing = new ChemEngine({ osra, readLabels: async () => { throw new Error('text engine down'); } });
    assert.equal((await failing.recognize(request())).content, '*Cc1ccccc1', 'a failed re-read leaves the answer as OSRA gave it');
  });
});
