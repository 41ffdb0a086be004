// Bundles Electron's main, the decoder worker and the preload with esbuild into dist/electron (CommonJS: a sandboxed preload
// must be CommonJS). Native modules and electron stay external: electron-builder ships and rebuilds them.
import { build } from 'esbuild';
import { ELECTRON_EXTERNALS } from './electron-externals.mjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'info',
  external: ELECTRON_EXTERNALS,
};
await build({
  ...common,
  entryPoints: [path.join(root, 'electron', 'main.ts')],
  outfile: path.join(root, 'dist', 'electron', 'main.cjs'),
});
// The decoder's worker thread (untrusted files off the main process): beside main.cjs, same externals.
await build({
  ...common,
  entryPoints: [path.join(root, 'electron', 'workstation', 'intake', 'decoderWorker.ts')],
  outfile: path.join(root, 'dist', 'electron', 'decoder.cjs'),
});
await build({
  ...common,
  // the sandboxed preload gets only electron's renderer modules: nothing else may stay external
  external: ['electron'],
  entryPoints: [path.join(root, 'electron', 'preload.ts')],
  outfile: path.join(root, 'dist', 'electron', 'preload.cjs'),
});
