/**
 * Abbreviation labels that OSRA 2.1's own superatom list lacks, with the group each stands for (SMILES, the atom
 * bonded to the rest of the molecule first). Without them OSRA writes `*` for the label and the answer is lost:
 * azides, protecting groups and esters are common in patent drawings. OSRA takes one superatom file (`-a`),
 * which replaces its default, so these are appended to the installed default at run time.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const extraSuperatoms: Readonly<Record<string, string>> = {
  N3: 'N=[N+]=[N-]',
  Boc: 'C(=O)OC(C)(C)C',
  NHBoc: 'NC(=O)OC(C)(C)C',
  BocNH: 'NC(=O)OC(C)(C)C',
  Cbz: 'C(=O)OCc1ccccc1',
  Fmoc: 'C(=O)OCC1c2ccccc2-c2ccccc21',
  NHFmoc: 'NC(=O)OCC1c2ccccc2-c2ccccc21',
  Ts: 'S(=O)(=O)c1ccc(C)cc1',
  OTs: 'OS(=O)(=O)c1ccc(C)cc1',
  TsO: 'OS(=O)(=O)c1ccc(C)cc1',
  Ms: 'S(=O)(=O)C',
  OMs: 'OS(=O)(=O)C',
  Tf: 'S(=O)(=O)C(F)(F)F',
  OTf: 'OS(=O)(=O)C(F)(F)F',
  TfO: 'OS(=O)(=O)C(F)(F)F',
  TBS: '[Si](C)(C)C(C)(C)C',
  TBDMS: '[Si](C)(C)C(C)(C)C',
  OTBS: 'O[Si](C)(C)C(C)(C)C',
  TBSO: 'O[Si](C)(C)C(C)(C)C',
  TIPS: '[Si](C(C)C)(C(C)C)C(C)C',
  OAc: 'OC(C)=O',
  AcHN: 'NC(C)=O',
  Bz: 'C(=O)c1ccccc1',
  Piv: 'C(=O)C(C)(C)C',
  Tr: 'C(c1ccccc1)(c1ccccc1)c1ccccc1',
  OBn: 'OCc1ccccc1',
  PMB: 'Cc1ccc(OC)cc1',
  OPMB: 'OCc1ccc(OC)cc1',
  THP: 'C1CCCCO1',
  OTHP: 'OC1CCCCO1',
  MOM: 'COC',
  OMOM: 'OCOC',
  SEM: 'COCC[Si](C)(C)C',
  COOEt: 'C(=O)OCC',
  EtO2C: 'C(=O)OCC',
  COOMe: 'C(=O)OC',
  MeO2C: 'C(=O)OC',
  CO2tBu: 'C(=O)OC(C)(C)C',
  tBuO2C: 'C(=O)OC(C)(C)C',
  CO2H: 'C(=O)O',
  HO2C: 'C(=O)O',
  OHC: 'C=O',
  H2NOC: 'C(N)=O',
  CH2OH: 'CO',
  SO2NH2: 'S(=O)(=O)N',
  NEt2: 'N(CC)CC',
  NHMe: 'NC',
  OEt: 'OCC',
  OiPr: 'OC(C)C',
  't-Bu': 'C(C)(C)C',
  Pr: 'CCC',
  Bu: 'CCCC',
  SCF3: 'SC(F)(F)F',
  SF5: 'S(F)(F)(F)(F)F',
};

/** Where OSRA's data files are installed, relative to its binary or in the usual prefixes. */
function defaultSuperatomFiles(binary: string): string[] {
  const prefix = dirname(dirname(binary));
  return [join(prefix, 'share/osra/superatom.txt'), '/usr/share/osra/superatom.txt', '/usr/local/share/osra/superatom.txt'];
}

/**
 * OSRA's default superatom list with ours appended (labels it already has are not repeated), or undefined when
 * the default cannot be found: then OSRA runs with its own list rather than with ours alone.
 */
export function superatomList(binary: string): string | undefined {
  for (const file of defaultSuperatomFiles(binary)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const known = new Set(text.split(/\r?\n/).map((line) => line.trim().split(/\s+/)[0]).filter((label) => label && !label.startsWith('#')));
    const added = Object.entries(extraSuperatoms).filter(([label]) => !known.has(label));
    return `${text.trimEnd()}\n# Added by Formatted OCR\n${added.map(([label, smiles]) => `${label}\t${smiles}`).join('\n')}\n`;
  }
  return undefined;
}
