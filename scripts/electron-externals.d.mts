// Typings of scripts/electron-externals.mjs for the TypeScript that imports it.
export declare const ELECTRON_EXTERNALS: string[];
