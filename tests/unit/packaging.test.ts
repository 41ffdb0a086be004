// The packaging config as electron-builder would read it (it cannot run here: no Electron download):
// electron-builder.yml is valid against electron-builder's own JSON schema; the app folder it packs
// (npm run build:desktop → dist/app) holds what the app loads at run time and every `files` pattern
// matches there; every asarUnpack pattern names something the desktop dependencies ship; every
// extraResources source exists and lands where the app reads it; the deb keeps electron-builder's
// default dependencies; the fuses are set; the desktop dependency list carries every package the
// bundles leave out and nothing of the service or the tests; the icons exist in every format.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import picomatch from 'picomatch';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { PACKAGED_RESOURCES } from '../../electron/shell/resources.js';
import { REPO_ROOT } from '../fixtures/demo.js';

type FileSet = { from: string; to: string };
type Config = {
  directories: { app: string; buildResources: string };
  files: string[];
  asarUnpack: string[];
  extraResources: FileSet[];
  electronFuses: Record<string, boolean>;
  deb: { depends: string[] };
  win: { target: Array<{ target: string }> };
  nsis: { perMachine: boolean };
};

const config = parse(readFileSync(path.join(REPO_ROOT, 'electron-builder.yml'), 'utf8')) as Config;
const rootPkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  desktop: { dependencies: string[] };
  author?: unknown;
  homepage?: string;
};
const desktop = rootPkg.desktop.dependencies;

/** Every file under `dir`, relative, with forward slashes. */
function walk(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, base));
    else out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out;
}

/** The desktop dependencies and everything they pull in, as installed here. */
function dependencyClosure(names: string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    const pkgFile = path.join(REPO_ROOT, 'node_modules', name, 'package.json');
    if (!existsSync(pkgFile)) return; // an optional dependency for another platform
    seen.add(name);
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const d of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(d);
  };
  for (const n of names) visit(n);
  return seen;
}

let appFiles: string[] = [];

beforeAll(async () => {
  // The renderer is built by the e2e step of npm test; build it here when this runs first.
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'renderer', 'index.html'))) {
    const { spawnSync } = await import('node:child_process');
    spawnSync('npm', ['run', '--silent', 'build:renderer'], { cwd: REPO_ROOT, stdio: 'pipe' });
  }
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-electron.mjs')], {
    cwd: REPO_ROOT,
    stdio: 'pipe',
  });
  expect(r.status).toBe(0);
  const { assembleApp } = (await import(path.join(REPO_ROOT, 'scripts', 'build-desktop.mjs'))) as {
    assembleApp(o: { build: boolean }): string;
  };
  appFiles = walk(assembleApp({ build: false }));
}, 120_000);

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's JSON schema", () => {
    const schema = JSON.parse(
      readFileSync(path.join(REPO_ROOT, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8'),
    ) as object;
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const ok = validate(config);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 1)).toEqual([]);
    expect(ok).toBe(true);
    // and a mistake is caught: the check can fail
    expect(validate({ ...config, electronFuses: { runAsNodes: false } })).toBe(false);
  });

  it('packs the app folder with what the app loads at run time, and every files pattern matches there', () => {
    const included = (f: string): boolean => {
      let keep = false;
      for (const pattern of config.files) {
        if (pattern.startsWith('!')) {
          if (picomatch(pattern.slice(1), { dot: true })(f)) keep = false;
        } else if (picomatch(pattern, { dot: true })(f)) keep = true;
      }
      return keep;
    };
    for (const pattern of config.files.filter((p) => !p.startsWith('!')))
      expect(
        appFiles.some((f) => picomatch(pattern, { dot: true })(f)),
        pattern,
      ).toBe(true);
    const appPkg = JSON.parse(
      readFileSync(path.join(REPO_ROOT, config.directories.app, 'package.json'), 'utf8'),
    ) as {
      main: string;
      dependencies: Record<string, string>;
      author: unknown;
      homepage: string;
    };
    // main, the preload (path.join(__dirname, 'preload.cjs')), the decoder worker (decoder.cjs beside
    // main), the renderer's page (app://workstation/index.html from ../renderer).
    for (const needed of [
      appPkg.main,
      'electron/preload.cjs',
      'electron/decoder.cjs',
      'renderer/index.html',
      'package.json',
    ]) {
      expect(appFiles, needed).toContain(needed);
      expect(included(needed), needed).toBe(true);
    }
    expect(appFiles.filter((f) => f.endsWith('.map') && included(f))).toEqual([]);
    // the renderer's assets that index.html names are packed
    const index = readFileSync(
      path.join(REPO_ROOT, config.directories.app, 'renderer', 'index.html'),
      'utf8',
    );
    const assets = [...index.matchAll(/(?:src|href)="(?:\.?\/)?([^"]+\.(?:js|css))"/gu)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) expect(included(`renderer/${asset}`), asset).toBe(true);
    expect(appPkg.author).toBeTruthy();
    expect(appPkg.homepage).toMatch(/^https:\/\//u);
    expect(Object.keys(appPkg.dependencies).sort()).toEqual([...desktop].sort());
  });

  it('unpacks from the asar only what the desktop dependencies ship, and every native module', () => {
    const closure = dependencyClosure(desktop);
    for (const pattern of config.asarUnpack) {
      const m = /^\*\*\/node_modules\/(@[^/]+|[^/]+)\/\*\*$/u.exec(pattern);
      if (m) {
        const scope = m[1]!;
        const hit = scope.startsWith('@')
          ? [...closure].some((n) => n.startsWith(`${scope}/`))
          : closure.has(scope);
        expect(hit, `${pattern} names a package the app ships`).toBe(true);
      } else {
        expect(pattern).toBe('**/*.node');
      }
    }
    // every .node binary of the shipped packages is covered by a pattern
    const nodeFiles = [...closure].flatMap((n) =>
      walk(path.join(REPO_ROOT, 'node_modules', n))
        .filter((f) => f.endsWith('.node'))
        .map((f) => `node_modules/${n}/${f}`),
    );
    expect(nodeFiles.length).toBeGreaterThan(0);
    for (const f of nodeFiles)
      expect(
        config.asarUnpack.some((p) => picomatch(p, { dot: true })(f)),
        f,
      ).toBe(true);
  });

  it('copies extra resources that exist to where the app reads them', () => {
    for (const set of config.extraResources) {
      const from = path.join(REPO_ROOT, set.from);
      expect(existsSync(from) && statSync(from).isDirectory(), set.from).toBe(true);
      expect(readdirSync(from).length, set.from).toBeGreaterThan(0);
    }
    const to = new Map(config.extraResources.map((s) => [s.to, s.from]));
    for (const where of Object.values(PACKAGED_RESOURCES)) expect(to.has(where), where).toBe(true);
    expect(readdirSync(path.join(REPO_ROOT, to.get(PACKAGED_RESOURCES.tessdata)!))).toContain(
      'vie.traineddata.gz',
    );
    expect(
      readdirSync(path.join(REPO_ROOT, to.get(PACKAGED_RESOURCES.fonts)!)).some((f) => f.endsWith('.ttf')),
    ).toBe(true);
  });

  it("keeps the deb's default dependencies and adds libsecret, libusb and sane-utils", async () => {
    const { default: FpmTarget } = (await import('app-builder-lib/out/targets/FpmTarget.js')) as unknown as {
      default: { prototype: { getDefaultDepends(t: string): string[] } };
    };
    const defaults = FpmTarget.prototype.getDefaultDepends.call(null, 'deb');
    expect(defaults.length).toBeGreaterThan(5);
    for (const d of [...defaults, 'libsecret-1-0', 'libusb-1.0-0', 'sane-utils'])
      expect(config.deb.depends).toContain(d);
  });

  it('sets the fuses, a per-user NSIS and an MSI, and has icons in every format', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    expect(config.win.target.map((t) => t.target).sort()).toEqual(['msi', 'nsis']);
    expect(config.nsis.perMachine).toBe(false);
    const build = path.join(REPO_ROOT, config.directories.buildResources);
    expect(readFileSync(path.join(build, 'icon.ico')).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));
    expect(readFileSync(path.join(build, 'icon.icns')).subarray(0, 4).toString('latin1')).toBe('icns');
    expect(readdirSync(path.join(build, 'icons'))).toEqual(
      expect.arrayContaining(['16x16.png', '256x256.png', '512x512.png']),
    );
  });
});

describe('the desktop dependency list', () => {
  it('carries every package the bundles leave out, and nothing of the service or the tests', async () => {
    const { ELECTRON_EXTERNALS } = (await import(
      path.join(REPO_ROOT, 'scripts', 'electron-externals.mjs')
    )) as {
      ELECTRON_EXTERNALS: string[];
    };
    for (const ext of ELECTRON_EXTERNALS.filter((e) => e !== 'electron')) expect(desktop, ext).toContain(ext);
    for (const d of desktop) expect(rootPkg.dependencies[d], d).toBeDefined();
    const closure = dependencyClosure(desktop);
    for (const server of [
      'fastify',
      'pg',
      '@electric-sql/pglite',
      'nodemailer',
      'svg-captcha',
      'smtp-server',
      'fastify-type-provider-zod',
    ])
      expect(closure.has(server), server).toBe(false);
    for (const dev of Object.keys(rootPkg.devDependencies)) expect(closure.has(dev), dev).toBe(false);
    // the renderer is bundled by Vite: React and antd are not shipped as modules
    expect(closure.has('antd')).toBe(false);
  });
});
