// Types for molecules.mjs.
export declare const molecules: [name: string, smiles: string][];
