#!/usr/bin/env node
// `npm run build:desktop`: the app folder electron-builder packs (directories.app in
// electron-builder.yml): dist/app with the Electron bundles (main, decoder worker, preload), the built
// renderer, and a package.json whose dependencies are package.json's desktop.dependencies at the
// versions the root locks — the workstation's runtime and nothing of the service or the tests. Then:
// `npx electron-builder --win` / `--linux` (on a machine that can download Electron; it installs the
// app folder's dependencies and rebuilds the native ones for Electron's ABI).
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
}

/** The app's package.json: name, version, metadata, main, and the desktop dependencies. */
export function desktopPackage(rootPkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))) {
  const dependencies = {};
  for (const name of rootPkg.desktop.dependencies) {
    const version = rootPkg.dependencies[name];
    if (!version) throw new Error(`desktop dependency ${name} is not in package.json dependencies`);
    dependencies[name] = version;
  }
  return {
    name: rootPkg.name,
    productName: 'BHXH Tiep nhan ho so GDDT',
    version: rootPkg.version,
    description: rootPkg.description,
    author: rootPkg.author,
    homepage: rootPkg.homepage,
    license: 'UNLICENSED',
    private: true,
    main: 'electron/main.cjs',
    dependencies,
  };
}

/** Writes dist/app from dist/electron and dist/renderer (built first unless `built`). */
export function assembleApp({ build = true } = {}) {
  if (build) {
    run(process.execPath, [path.join(root, 'scripts', 'build-electron.mjs')]);
    run('npm', ['run', '--silent', 'build:renderer']);
  }
  const app = path.join(root, 'dist', 'app');
  rmSync(app, { recursive: true, force: true });
  mkdirSync(app, { recursive: true });
  for (const part of ['electron', 'renderer']) {
    const from = path.join(root, 'dist', part);
    if (!existsSync(from)) throw new Error(`${from} is missing: build it first`);
    cpSync(from, path.join(app, part), { recursive: true });
  }
  writeFileSync(path.join(app, 'package.json'), `${JSON.stringify(desktopPackage(), null, 2)}\n`);
  return app;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const app = assembleApp();
  console.log(`App folder for electron-builder: ${path.relative(root, app)}`);
}
