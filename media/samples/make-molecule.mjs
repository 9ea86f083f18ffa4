// Makes the bundled chem sample: caffeine drawn by RDKit (MinimalLib), in black and white as printed structures
// usually are, rasterised with resvg at 2× on white. Run: node media/samples/make-molecule.mjs
// The expected answer (tests compare through RDKit canonicalisation): Cn1c(=O)c2c(ncn2C)n(C)c1=O
import initRDKit from '@rdkit/rdkit';
import { Resvg } from '@resvg/resvg-js';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const sampleSmiles = 'CN1C=NC2=C1C(=O)N(C(=O)N2C)C';

const RDKit = await initRDKit();
const mol = RDKit.get_mol(sampleSmiles);
let svg = mol.get_svg_with_highlights(JSON.stringify({ width: 420, height: 320, bondLineWidth: 2, padding: 0.1 }));
mol.delete();
svg = svg.replace(/#(?!FFFFFF)[0-9A-F]{6}/gi, '#000000'); // RDKit colours heteroatoms; print is black
const png = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 1.5 } }).render().asPng();
writeFileSync(fileURLToPath(new URL('./sample-molecule.png', import.meta.url)), png);
console.log('wrote media/samples/sample-molecule.png');
