/**
 * Atom labels OSRA saw but could not read. OSRA's own character recogniser misreads some abbreviation labels
 * ("NHCbz" as "NHClZ", a wavy bond run into "CH3" as "2sCH3"); it then writes the atom as `*` and the answer is
 * lost. The text engine reads the drawing's labels far better, so each such atom gets the read label closest to
 * OSRA's misreading, and that label's group (from the same superatom list OSRA runs with) is put in its place.
 */
import { normalizedEditDistance } from '../math/latex';
import { loadRDKit } from './rdkit';

/** label → SMILES of the group (the atom bonded to the rest first), from a list in OSRA's superatom format. */
export function parseSuperatomList(text: string): Map<string, string> {
  const table = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const [label, smiles] = line.trim().split(/\s+/);
    if (!label || !smiles || label.startsWith('#')) continue;
    if (!table.has(label)) table.set(label, smiles);
  }
  return table;
}

const subscriptDigits = '₀₁₂₃₄₅₆₇₈₉';
const superscriptDigits = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/**
 * A label as printed, in plain ASCII: sub- and superscript digits and charges made plain, spaces dropped, and
 * bond strokes read along with it at its start taken off. A sign at the end is kept: it is a charge.
 */
export function normaliseLabel(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFKC')) {
    const sub = subscriptDigits.indexOf(ch);
    const sup = superscriptDigits.indexOf(ch);
    if (sub >= 0) out += String(sub);
    else if (sup >= 0) out += String(sup);
    else if (ch === '⁺') out += '+';
    else if (ch === '⁻' || ch === '−' || ch === '–' || ch === '—') out += '-';
    else if (!/\s/.test(ch)) out += ch;
  }
  out = out.replace(/^[^A-Za-z0-9]+/, '').replace(/([+-])[^A-Za-z0-9]*$/, '$1').replace(/[^A-Za-z0-9+-]+$/, '');
  // Inside a label, stray marks are misread subscripts ("H,C" for H₃C) or specks: drop them, keep a bracket.
  return out.replace(/(?<=.)[^A-Za-z0-9+\-()](?=.)/g, '');
}

/** What two readings of one label are compared on: its letters and signs. Subscript digits are what a recogniser
 * most often loses or misreads ("CH" or "CH," for CH₃, "2sCH3" for a wavy bond run into it). */
const letters = (label: string) => label.replace(/[^A-Za-z+-]/g, '') || label;

/** Elements that carry their hydrogens in a label ("CH3", "H2N", "OH"): the group is the bare atom. */
const hydrideElements = new Set(['C', 'N', 'O', 'S', 'P', 'Si', 'B']);
/** Atoms a group is bonded through when a label writes them before or after a known group ("NHCbz", "BzO"). */
const linkAtoms: Record<string, string> = { O: 'O', S: 'S', NH: 'N', HN: 'N', N: 'N' };

/** The group a label stands for, as SMILES with the attached atom first; undefined when it is not known. */
export function resolveLabel(label: string, table: ReadonlyMap<string, string>): string | undefined {
  const known = table.get(label);
  if (known) return known;
  const hydride = /^(?:H\d?)?([A-Z][a-z]?)(?:H\d?)?$/.exec(label);
  if (hydride && hydrideElements.has(hydride[1]!) && label !== hydride[1]) return hydride[1] === 'Si' ? '[SiH3]' : hydride[1];
  const charged = /^([A-Z][a-z]?)(H\d?)?([+-])$/.exec(label);
  if (charged && hydrideElements.has(charged[1]!)) return `[${charged[1]}${charged[2] ?? ''}${charged[3]}]`;
  for (const [link, atom] of Object.entries(linkAtoms)) {
    const after = label.startsWith(link) ? table.get(label.slice(link.length)) : undefined;
    if (after && /^[A-Z[]/.test(after)) return atom + after;
    const before = label.endsWith(link) ? table.get(label.slice(0, -link.length)) : undefined;
    if (before && /^[A-Z[]/.test(before)) return atom + before;
  }
  return undefined;
}

export interface LabelChoice {
  /** The label as the text engine read it. */
  read: string;
  smiles: string;
}

/**
 * The read label that OSRA's misreading `alias` most likely is: a known group whose letters are fewer than half
 * of the longer label's apart, and not tied with a different group. The text engine's words are tried whole and,
 * where it joined neighbouring labels, one by one.
 */
export function matchLabel(alias: string, readTexts: readonly string[], table: ReadonlyMap<string, string>): LabelChoice | undefined {
  const target = normaliseLabel(alias);
  if (!target) return undefined;
  let best: { distance: number; choices: LabelChoice[] } | undefined;
  const seen = new Set<string>();
  for (const text of readTexts) {
    for (const piece of [text, ...text.split(/\s+/)]) {
      const label = normaliseLabel(piece);
      if (!label || seen.has(label)) continue;
      seen.add(label);
      const smiles = resolveLabel(label, table);
      if (!smiles) continue;
      const distance = normalizedEditDistance([...letters(target)], [...letters(label)]);
      if (distance >= 0.5) continue;
      if (!best || distance < best.distance - 1e-9) best = { distance, choices: [{ read: label, smiles }] };
      else if (Math.abs(distance - best.distance) < 1e-9) best.choices.push({ read: label, smiles });
    }
  }
  if (!best || new Set(best.choices.map((c) => c.smiles)).size > 1) return undefined;
  return best.choices[0];
}

const pad3 = (n: number) => String(n).padStart(3);

interface MolfileParts {
  header: string[];
  counts: string;
  atoms: string[];
  bonds: string[];
  /** Property lines after the bond block, without `M  END`. */
  properties: string[];
}

function splitMolfile(molfile: string): MolfileParts | undefined {
  const lines = molfile.split(/\r?\n/);
  const counts = lines[3];
  if (!counts || !/V2000\s*$/.test(counts)) return undefined;
  const atomCount = Number(counts.slice(0, 3));
  const bondCount = Number(counts.slice(3, 6));
  const end = lines.findIndex((line) => line.startsWith('M  END'));
  if (!Number.isInteger(atomCount) || !Number.isInteger(bondCount) || end < 4 + atomCount + bondCount) return undefined;
  return {
    header: lines.slice(0, 3),
    counts,
    atoms: lines.slice(4, 4 + atomCount),
    bonds: lines.slice(4 + atomCount, 4 + atomCount + bondCount),
    properties: lines.slice(4 + atomCount + bondCount, end),
  };
}

/** `M  CHG` entries of a molfile's property lines: atom number → charge. */
function charges(properties: string[]): [number, number][] {
  return properties
    .filter((line) => line.startsWith('M  CHG'))
    .flatMap((line) => {
      const fields = line.slice(6).trim().split(/\s+/).map(Number);
      return Array.from({ length: fields[0] ?? 0 }, (_, k) => [fields[1 + 2 * k]!, fields[2 + 2 * k]!] as [number, number]);
    });
}

/**
 * The molfile with each listed atom (1-based) replaced by a group given as SMILES: the group's first atom takes
 * the atom's place and bonds, its other atoms and bonds are added, and the atom's alias is dropped.
 * Undefined when the molfile or a group cannot be read.
 */
export async function replaceAtoms(molfile: string, groups: ReadonlyMap<number, string>): Promise<string | undefined> {
  const parts = splitMolfile(molfile);
  if (!parts) return undefined;
  const rdkit = await loadRDKit();
  const atoms = [...parts.atoms];
  const bonds = [...parts.bonds];
  const addedCharges: [number, number][] = [];
  for (const [index, smiles] of groups) {
    const atomLine = atoms[index - 1];
    if (!atomLine) return undefined;
    const mol = rdkit.get_mol(smiles);
    const group = mol?.is_valid() ? splitMolfile(mol.get_molblock()) : undefined;
    mol?.delete();
    if (!group || group.atoms.length === 0) return undefined;
    const origin = group.atoms[0]!;
    const [ox, oy] = [Number(origin.slice(0, 10)), Number(origin.slice(10, 20))];
    const [ax, ay] = [Number(atomLine.slice(0, 10)), Number(atomLine.slice(10, 20))];
    const base = atoms.length;
    const numberOf = (k: number) => (k === 1 ? index : base + k - 1);
    // The group's first atom keeps the replaced atom's position (stereo at its neighbours reads from it).
    atoms[index - 1] = atomLine.slice(0, 31) + origin.slice(31, 34) + atomLine.slice(34, 36) + '  0' + atomLine.slice(39);
    for (const line of group.atoms.slice(1)) {
      // Placed beside the atom, at the group's own scale: only stereo inside the group (none in these labels) would read it.
      const x = ax + (Number(line.slice(0, 10)) - ox) * 0.5;
      const y = ay + (Number(line.slice(10, 20)) - oy) * 0.5;
      atoms.push(x.toFixed(4).padStart(10) + y.toFixed(4).padStart(10) + line.slice(20));
    }
    for (const line of group.bonds) bonds.push(pad3(numberOf(Number(line.slice(0, 3)))) + pad3(numberOf(Number(line.slice(3, 6)))) + line.slice(6));
    for (const [atom, charge] of charges(group.properties)) addedCharges.push([numberOf(atom), charge]);
  }
  const properties: string[] = [];
  for (let i = 0; i < parts.properties.length; i++) {
    const alias = /^A\s+(\d+)\s*$/.exec(parts.properties[i]!);
    if (alias && groups.has(Number(alias[1]))) {
      i++; // and the alias text on the next line
      continue;
    }
    properties.push(parts.properties[i]!);
  }
  for (const [atom, charge] of addedCharges) properties.push(`M  CHG${pad3(1)}${String(atom).padStart(4)}${String(charge).padStart(4)}`);
  const counts = pad3(atoms.length) + pad3(bonds.length) + parts.counts.slice(6);
  return [...parts.header, counts, ...atoms, ...bonds, ...properties, 'M  END', ''].join('\n');
}
