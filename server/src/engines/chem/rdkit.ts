/**
 * RDKit (MinimalLib, WebAssembly, npm `@rdkit/rdkit`) for the chem mode: parse and canonicalise SMILES, reject
 * invalid ones, molecular formula (Hill order), SVG drawing, molfile, InChI and Morgan fingerprints.
 * The module is loaded once, on first use (≈ 0.1–0.3 s), and shared.
 */
import type { MainModule, Mol as JSMol } from '@rdkit/rdkit';
import { OcrError } from '../../errors';

type RDKitModule = MainModule;

let loading: Promise<RDKitModule> | undefined;

/** Loads the WASM module once. Its console output goes to stderr: stdout carries the LSP stream. */
export function loadRDKit(): Promise<RDKitModule> {
  loading ??= (async () => {
    // Resolved at run time from node_modules (esbuild keeps @rdkit/rdkit external), so dist/server.js and
    // dist/cli.js find the .wasm next to the package's own script.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const init = require('@rdkit/rdkit') as (options?: unknown) => Promise<RDKitModule>;
    const wasm = require.resolve('@rdkit/rdkit/RDKit_minimal.wasm');
    const toStderr = (text: string) => process.stderr.write(`[rdkit] ${text}\n`);
    const module = await init({ locateFile: () => wasm, print: toStderr, printErr: toStderr });
    module.disable_logging();
    return module;
  })().catch((error: unknown) => {
    loading = undefined;
    throw new OcrError('modelLoad', `Could not load RDKit (npm @rdkit/rdkit) for the chem mode: ${(error as Error).message}. Reinstall with "npm ci".`, {
      cause: error,
    });
  });
  return loading;
}

export async function rdkitVersion(): Promise<string> {
  return (await loadRDKit()).version();
}

export class InvalidSmilesError extends Error {
  constructor(readonly smiles: string) {
    super(`"${smiles.length > 80 ? smiles.slice(0, 77) + '…' : smiles}" is not a valid SMILES (RDKit cannot parse or sanitise it).`);
    this.name = 'InvalidSmilesError';
  }
}

/** Runs `work` on a parsed molecule and frees it (WASM objects are not garbage-collected). */
export async function withMol<T>(smiles: string, work: (mol: JSMol, rdkit: RDKitModule) => T): Promise<T> {
  const rdkit = await loadRDKit();
  const text = smiles.trim();
  // get_mol accepts molfiles and JSON too; only SMILES is meant here, and an empty string would give an empty molecule.
  if (!text || /[\s]/.test(text)) throw new InvalidSmilesError(smiles);
  const mol = rdkit.get_mol(text);
  if (!mol) throw new InvalidSmilesError(smiles);
  try {
    if (!mol.is_valid() || mol.get_num_atoms() === 0) throw new InvalidSmilesError(smiles);
    return work(mol, rdkit);
  } finally {
    mol.delete();
  }
}

/** RDKit's canonical SMILES (isomeric), or throws InvalidSmilesError. */
export function canonicalSmiles(smiles: string): Promise<string> {
  return withMol(smiles, (mol) => mol.get_smiles());
}

/** Canonical SMILES, or undefined when RDKit rejects it. */
export async function tryCanonical(smiles: string): Promise<string | undefined> {
  try {
    return await canonicalSmiles(smiles);
  } catch (error) {
    if (error instanceof InvalidSmilesError) return undefined;
    throw error;
  }
}

/**
 * Canonical SMILES of a molfile with its explicit hydrogens folded in (OSRA writes drawn H atoms as atoms), and
 * the same without stereo, to tell whether two readings are one structure; undefined when RDKit rejects it.
 */
export async function canonicalOfMolfile(molfile: string): Promise<{ smiles: string; flat: string } | undefined> {
  const rdkit = await loadRDKit();
  const mol = rdkit.get_mol(molfile);
  if (!mol) return undefined;
  try {
    if (!mol.is_valid() || mol.get_num_atoms() === 0) return undefined;
    mol.remove_hs_in_place();
    return { smiles: mol.get_smiles(), flat: mol.get_smiles(JSON.stringify({ doIsomericSmiles: false })) };
  } finally {
    mol.delete();
  }
}

/** Canonical SMILES without stereo, or undefined when RDKit rejects it. */
export async function flatSmiles(smiles: string): Promise<string | undefined> {
  try {
    return await withMol(smiles, (mol) => mol.get_smiles(JSON.stringify({ doIsomericSmiles: false })));
  } catch (error) {
    if (error instanceof InvalidSmilesError) return undefined;
    throw error;
  }
}

export interface MoleculeInfo {
  smiles: string;
  formula: string;
  molfile: string;
  svg: string;
  inchi?: string;
  inchiKey?: string;
  /** Dummy atoms (`*`: unread labels, R groups) are left out of the formula. */
  dummyAtoms: number;
}

/** Everything the result view shows about a molecule. Throws InvalidSmilesError. */
export function describeMolecule(smiles: string, svgSize = { width: 360, height: 270 }): Promise<MoleculeInfo> {
  return withMol(smiles, (mol, rdkit) => {
    const { formula, dummyAtoms } = hillFormula(mol.get_json());
    let inchi: string | undefined;
    let inchiKey: string | undefined;
    try {
      const text = mol.get_inchi();
      if (text.startsWith('InChI=')) {
        inchi = text;
        inchiKey = rdkit.get_inchikey_for_inchi(text) || undefined;
      }
    } catch {
      // InChI is optional (molecules with dummy atoms have none).
    }
    return {
      smiles: mol.get_smiles(),
      formula,
      molfile: mol.get_molblock(),
      svg: mol.get_svg(svgSize.width, svgSize.height),
      ...(inchi ? { inchi } : {}),
      ...(inchiKey ? { inchiKey } : {}),
      dummyAtoms,
    };
  });
}

/** Standard InChI, or undefined (invalid SMILES, dummy atoms). */
export async function inchiOf(smiles: string): Promise<string | undefined> {
  try {
    return await withMol(smiles, (mol) => {
      const text = mol.get_inchi();
      return text.startsWith('InChI=') ? text : undefined;
    });
  } catch (error) {
    if (error instanceof InvalidSmilesError) return undefined;
    throw error;
  }
}

/** Morgan (ECFP4-like: radius 2, 2048 bits) fingerprint as a bit string of '0'/'1'. */
export function morganFingerprint(smiles: string): Promise<string> {
  return withMol(smiles, (mol) => mol.get_morgan_fp(JSON.stringify({ radius: 2, nBits: 2048 })));
}

/** Tanimoto similarity of two '0'/'1' bit strings of equal length; 1 for two empty fingerprints. */
export function tanimoto(a: string, b: string): number {
  if (a.length !== b.length) throw new Error('fingerprints of different lengths');
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i) === 49;
    const y = b.charCodeAt(i) === 49;
    if (x && y) both++;
    if (x || y) either++;
  }
  return either === 0 ? 1 : both / either;
}

/**
 * Molecular formula in Hill order (C, then H, then the rest alphabetically; without carbon all alphabetically),
 * from RDKit's JSON (`get_json`), with the net charge appended as RDKit's CalcMolFormula does ("+", "-2").
 * RDKit-JS has no formula function, so it is computed from the atoms here.
 */
export function hillFormula(molJson: string): { formula: string; dummyAtoms: number } {
  const parsed = JSON.parse(molJson) as {
    defaults?: { atom?: { z?: number; impHs?: number; chg?: number } };
    molecules?: { atoms?: { z?: number; impHs?: number; chg?: number }[] }[];
  };
  const defaults = { z: 6, impHs: 0, chg: 0, ...parsed.defaults?.atom };
  const counts = new Map<string, number>();
  const add = (symbol: string, n: number) => n > 0 && counts.set(symbol, (counts.get(symbol) ?? 0) + n);
  let charge = 0;
  let dummyAtoms = 0;
  for (const molecule of parsed.molecules ?? []) {
    for (const atom of molecule.atoms ?? []) {
      const z = atom.z ?? defaults.z;
      add('H', atom.impHs ?? defaults.impHs);
      charge += atom.chg ?? defaults.chg;
      const symbol = elementSymbols[z];
      if (z === 0 || !symbol) dummyAtoms++;
      else add(symbol, 1);
    }
  }
  const hasCarbon = counts.has('C');
  const order = [...counts.keys()].sort((a, b) => {
    const rank = (s: string) => (hasCarbon ? (s === 'C' ? 0 : s === 'H' ? 1 : 2) : 2);
    return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
  });
  let formula = order.map((s) => s + (counts.get(s)! > 1 ? counts.get(s) : '')).join('');
  if (charge) formula += (charge > 0 ? '+' : '-') + (Math.abs(charge) > 1 ? Math.abs(charge) : '');
  return { formula, dummyAtoms };
}

// Index = atomic number.
const elementSymbols = [
  '*', 'H', 'He', 'Li', 'Be', 'B', 'C', 'N', 'O', 'F', 'Ne', 'Na', 'Mg', 'Al', 'Si', 'P', 'S', 'Cl', 'Ar', 'K', 'Ca',
  'Sc', 'Ti', 'V', 'Cr', 'Mn', 'Fe', 'Co', 'Ni', 'Cu', 'Zn', 'Ga', 'Ge', 'As', 'Se', 'Br', 'Kr', 'Rb', 'Sr', 'Y', 'Zr',
  'Nb', 'Mo', 'Tc', 'Ru', 'Rh', 'Pd', 'Ag', 'Cd', 'In', 'Sn', 'Sb', 'Te', 'I', 'Xe', 'Cs', 'Ba', 'La', 'Ce', 'Pr', 'Nd',
  'Pm', 'Sm', 'Eu', 'Gd', 'Tb', 'Dy', 'Ho', 'Er', 'Tm', 'Yb', 'Lu', 'Hf', 'Ta', 'W', 'Re', 'Os', 'Ir', 'Pt', 'Au', 'Hg',
  'Tl', 'Pb', 'Bi', 'Po', 'At', 'Rn', 'Fr', 'Ra', 'Ac', 'Th', 'Pa', 'U', 'Np', 'Pu', 'Am', 'Cm', 'Bk', 'Cf', 'Es', 'Fm',
  'Md', 'No', 'Lr', 'Rf', 'Db', 'Sg', 'Bh', 'Hs', 'Mt', 'Ds', 'Rg', 'Cn', 'Nh', 'Fl', 'Mc', 'Lv', 'Ts', 'Og',
];
