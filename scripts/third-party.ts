// `npm run third-party`: THIRD-PARTY.md, the licences of everything the installed workstation carries,
// found rather than listed by hand: the packages esbuild puts in Electron's bundles (main and the
// decoder worker) and in the renderer (an esbuild pass over renderer/src with its metafile, the same
// imports Vite bundles), the desktop dependencies the installer ships in node_modules with everything
// they pull in, then the notices that are not npm packages (Electron's Chromium, libvips under the
// LGPL, the fonts, the OCR data, pdf.js's standard fonts). tests/unit/thirdParty.test.ts keeps the
// committed file current and refuses a GPL or AGPL package among them.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { format, resolveConfig } from 'prettier';
import { ELECTRON_EXTERNALS } from './electron-externals.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type Shipped = {
  name: string;
  version: string;
  license: string;
  where: Set<string>;
  repository: string;
};

function pkgJson(name: string): Record<string, unknown> | null {
  const file = path.join(root, 'node_modules', name, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : null;
}

/** A package without a licence field: its LICENSE file's first words (png-js has only the file). */
function licenseFromFile(name: string): string {
  const dir = path.join(root, 'node_modules', name);
  const file = readdirSync(dir).find((f) => /^licen[cs]e/iu.test(f));
  if (!file) return 'UNKNOWN';
  const head = readFileSync(path.join(dir, file), 'utf8').slice(0, 400);
  if (/MIT License|Permission is hereby granted, free of charge/u.test(head)) return 'MIT (LICENSE file)';
  if (/Apache License/u.test(head)) return 'Apache-2.0 (LICENSE file)';
  if (/ISC License/u.test(head)) return 'ISC (LICENSE file)';
  return 'UNKNOWN';
}

function licenseOf(name: string, pkg: Record<string, unknown>): string {
  const l = pkg.license ?? pkg.licenses;
  if (typeof l === 'string') return l;
  if (Array.isArray(l)) return l.map((x) => (x as { type?: string }).type ?? String(x)).join(' OR ');
  if (l && typeof l === 'object') return (l as { type?: string }).type ?? licenseFromFile(name);
  return licenseFromFile(name);
}

function repositoryOf(pkg: Record<string, unknown>): string {
  const r = pkg.repository;
  const url = typeof r === 'string' ? r : ((r as { url?: string } | undefined)?.url ?? '');
  return url
    .replace(/^git\+/u, '')
    .replace(/\.git$/u, '')
    .replace(/^git:\/\//u, 'https://');
}

/** The package a node_modules path belongs to ("node_modules/@scope/name/x.js" → "@scope/name"). */
function packageOfPath(p: string): string | null {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//u.exec(p.split(path.sep).join('/'));
  return m ? m[1]! : null;
}

async function bundledPackages(entry: string, external: string[], extra: object = {}): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
    external,
    ...extra,
  });
  const meta: Metafile = result.metafile;
  return [
    ...new Set(
      Object.keys(meta.inputs)
        .map(packageOfPath)
        .filter((n): n is string => n !== null),
    ),
  ];
}

export async function shippedPackages(): Promise<Map<string, Shipped>> {
  const out = new Map<string, Shipped>();
  const add = (name: string, where: string): void => {
    const pkg = pkgJson(name);
    if (!pkg) return; // an optional dependency of another platform
    const seen = out.get(name);
    if (seen) {
      seen.where.add(where);
      return;
    }
    out.set(name, {
      name,
      version: String(pkg.version ?? ''),
      license: licenseOf(name, pkg),
      where: new Set([where]),
      repository: repositoryOf(pkg),
    });
  };
  const externals = ELECTRON_EXTERNALS;
  for (const entry of ['electron/main.ts', 'electron/workstation/intake/decoderWorker.ts'])
    for (const n of await bundledPackages(path.join(root, entry), externals)) add(n, 'Electron bundle');
  for (const n of await bundledPackages(path.join(root, 'renderer', 'src', 'main.tsx'), [], {
    platform: 'browser',
    format: 'esm',
    loader: { '.css': 'empty', '.svg': 'empty', '.png': 'empty' },
    jsx: 'automatic',
  }))
    add(n, 'renderer bundle');
  // The installer's node_modules: the desktop dependencies and all they pull in.
  const rootPkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    desktop: { dependencies: string[] };
  };
  const visit = (name: string): void => {
    const pkg = pkgJson(name);
    if (!pkg || out.get(name)?.where.has('node_modules')) return;
    add(name, 'node_modules');
    const deps = { ...(pkg.dependencies as object), ...(pkg.optionalDependencies as object) };
    for (const d of Object.keys(deps)) visit(d);
  };
  for (const d of rootPkg.desktop.dependencies) visit(d);
  add('electron', 'Electron runtime');
  return out;
}

/** Licences an agency's distribution may not take: copyleft over the whole work. LGPL is dynamic-linked only. */
export function forbiddenLicense(license: string): boolean {
  return /\b(?:A?GPL|SSPL|EUPL)\b/u.test(license.replace(/\bLGPL[-\w.]*/gu, ''));
}

const NOTICES = `## Notices for what is not an npm package

- **Electron** (MIT) carries Chromium and its components; their licences are in
  \`LICENSES.chromium.html\` beside the installed app's executable, as Electron ships it.
- **libvips** (LGPL-3.0-or-later), in \`@img/sharp-libvips-<platform>\`, is the image library sharp
  calls. It is a separate shared library, dynamically linked and installed unpacked beside the app
  (\`app.asar.unpacked/node_modules/@img/\`), so it may be replaced by another build of the same version;
  its source and build scripts are at https://github.com/lovell/sharp-libvips and
  https://github.com/libvips/libvips. The LGPL-3.0 text is in that package's \`LICENSE\`.
- **Skia** (BSD-3-Clause) is inside \`@napi-rs/canvas\`, which draws PDF pages.
- **DejaVu fonts** (Bitstream Vera licence and public-domain changes), embedded in printed forms:
  \`resources/fonts/LICENSE-DejaVu.txt\`, installed as \`resources/fonts/\`.
- **Tesseract's Vietnamese data** (\`vie.traineddata\`, Apache-2.0, from tesseract-ocr/tessdata_best
  via \`@tesseract.js-data/vie\`), installed as \`resources/tessdata/vie/\`.
- **pdf.js standard fonts** (Foxit fonts under the licence in \`pdfjs-dist/standard_fonts/LICENSE_FOXIT\`,
  Liberation fonts under the SIL Open Font License in \`LICENSE_LIBERATION\`), used for PDFs that do not
  embed their fonts.
- Platform packages (\`@img/sharp-win32-x64\`, \`@napi-rs/canvas-win32-x64-msvc\`, …) are installed by the
  build machine for its platform; they carry the same licences as the Linux ones listed above.
`;

export async function thirdPartyMarkdown(): Promise<string> {
  const shipped = [...(await shippedPackages()).values()].sort((a, b) => a.name.localeCompare(b.name));
  const byLicense = new Map<string, number>();
  for (const p of shipped) byLicense.set(p.license, (byLicense.get(p.license) ?? 0) + 1);
  const lines = [
    '# Third-party software in the counter workstation',
    '',
    'Generated by `npm run third-party` (scripts/third-party.ts) from what the installed app carries: the',
    "packages in Electron's bundles and the renderer's, and those the installer ships in node_modules.",
    'Do not edit by hand; tests/unit/thirdParty.test.ts checks it is current and that no GPL or AGPL',
    'package is among them.',
    '',
    `${shipped.length} packages; by licence: ${[...byLicense.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([l, n]) => `${l} ${n}`)
      .join(', ')}.`,
    '',
    '| package | version | licence | where | source |',
    '| --- | --- | --- | --- | --- |',
    ...shipped.map(
      (p) =>
        `| ${p.name} | ${p.version} | ${p.license} | ${[...p.where].sort().join(', ')} | ${p.repository} |`,
    ),
    '',
    NOTICES,
  ];
  // As the repository's Prettier would write it, so `npm run lint` and this file agree.
  const file = path.join(root, 'THIRD-PARTY.md');
  return format(lines.join('\n'), { ...(await resolveConfig(file)), filepath: file });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(path.join(root, 'THIRD-PARTY.md'), await thirdPartyMarkdown());
  console.log('Đã ghi THIRD-PARTY.md.');
}
