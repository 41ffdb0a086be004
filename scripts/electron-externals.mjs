// The packages Electron's bundles load at run time instead of carrying them (scripts/build-electron.mjs):
// native modules, ESM-only or data-carrying packages. Each must be in package.json's
// desktop.dependencies, which is what the installer ships (tests/unit/packaging.test.ts checks both).
export const ELECTRON_EXTERNALS = [
  'electron',
  'better-sqlite3-multiple-ciphers',
  'node-hid',
  'sharp',
  'tesseract.js',
  // pdf.js (ESM, loaded by import()) and its Skia canvas (native, prebuilt per platform).
  'pdfjs-dist',
  '@napi-rs/canvas',
  'zxing-wasm',
  // Inlined, pdfkit fails at load (its data files are found with import.meta.url, empty in CJS):
  // the printing renderers need both as real modules (docs/print.md, packaging notes).
  'pdfkit',
  'fontkit',
];
