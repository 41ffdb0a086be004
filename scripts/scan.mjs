// `npm run scan -- …` starts here: plain JavaScript that runs the scanner's command line
// (scripts/scan.ts) from a bundle esbuild makes of it in dist/cli/scan.mjs, rebuilt on the spot
// whenever one of its source files is newer than the bundle (its metafile lists them; checking their
// dates costs about a millisecond, a rebuild about 0.2 s).
//
// Why: through tsx, a cold `recognize` spent ~0.6 s of CPU (of ~3.7 s) in tsx itself — a second
// Node process with its loader, and each of the ~60 TypeScript modules transformed or looked up in
// tsx's cache — before reading anything (docs/scanner.md, "Cold start"). The bundle is one ES module
// of ~180 KB; sharp, tesseract.js, zxing-wasm, pdf.js, mupdf and node-hid stay outside it as real packages
// (native code and WebAssembly load from their own folders). dist/ is git-ignored: nothing built is
// committed, and a checkout without the bundle builds it on the first run.

import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundle = path.join(root, 'dist', 'cli', 'scan.mjs');
const meta = path.join(root, 'dist', 'cli', 'scan.meta.json');

/** Packages the bundle imports at run time instead of containing them. */
export const CLI_EXTERNAL = [
  'sharp',
  'tesseract.js',
  'mupdf',
  'zxing-wasm',
  'node-hid',
  '@tesseract.js-data/vie',
  // pdf.js (1 MB of JavaScript) is imported only when a PDF is read: inside the bundle, V8 compiled
  // it at every start (~0.1 s of CPU of a cold `recognize` of an image).
  'pdfjs-dist',
];

function stale() {
  if (!existsSync(bundle) || !existsSync(meta)) return true;
  const built = statSync(bundle).mtimeMs;
  try {
    const inputs = Object.keys(JSON.parse(readFileSync(meta, 'utf8')).inputs ?? {});
    if (inputs.length === 0) return true;
    return inputs.some((file) => {
      const full = path.resolve(root, file);
      return !existsSync(full) || statSync(full).mtimeMs > built;
    });
  } catch {
    return true;
  }
}

export async function buildCli() {
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['scripts/scan.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: bundle,
    external: CLI_EXTERNAL,
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  // Written aside and renamed: two commands started together must not run a half-written bundle.
  const { mkdir, rename, writeFile } = await import('node:fs/promises');
  await mkdir(path.dirname(bundle), { recursive: true });
  const unique = `${process.pid}.${Date.now()}`;
  for (const [target, contents] of [
    [bundle, result.outputFiles[0].contents],
    [meta, JSON.stringify({ inputs: result.metafile.inputs })],
  ]) {
    await writeFile(`${target}.${unique}`, contents);
    await rename(`${target}.${unique}`, target);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (stale()) await buildCli();
  await import(pathToFileURL(bundle).href);
}
