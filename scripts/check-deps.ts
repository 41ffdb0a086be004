// The dependency direction of DESIGN.md §2, checked on every import of every source file:
//   renderer → contract; electron → contract, scanner; server → contract; scanner → contract.
//   Nothing imports renderer; only electron/main and electron/preload import the `electron` package;
//   contract imports no Node, Electron, React or native code.
// Inside the workstation services: only the workstation itself reaches the store, and through
// LocalStore (its area modules and its connection stay inside store/; inspect.ts is for tests); handler
// modules (electron/workstation/handlers/) share what they need through the context, never by importing
// each other. And no import cycles anywhere (type-only imports count: they tie the files together too).
// `npm run check:deps` prints each violation; the unit test runs it on the repo and on a bad fixture.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type Part = 'contract' | 'renderer' | 'electron' | 'scanner' | 'server' | 'tests' | 'scripts' | 'resources';

export type Violation = { file: string; line: number; specifier: string; rule: string };

const PARTS: readonly Part[] = ['contract', 'renderer', 'electron', 'scanner', 'server', 'tests', 'scripts'];

/** Which local parts each part may import. */
const ALLOWED_LOCAL: Readonly<Record<Part, readonly Part[]>> = {
  contract: ['contract'],
  renderer: ['renderer', 'contract'],
  electron: ['electron', 'contract', 'scanner'],
  scanner: ['scanner', 'contract'],
  server: ['server', 'contract'],
  scripts: ['scripts', 'contract', 'server', 'electron', 'scanner', 'resources'],
  tests: ['tests', 'contract', 'server', 'electron', 'scanner', 'renderer', 'scripts', 'resources'],
  resources: [],
};

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** Packages that need Node or native code: never in the renderer or contract. */
const NODE_ONLY_PACKAGES = [
  'electron',
  'better-sqlite3',
  'better-sqlite3-multiple-ciphers',
  'node-hid',
  'sharp',
  'tesseract.js',
  'pdfkit',
  'pg',
  '@electric-sql/pglite',
  'fastify',
  'nodemailer',
  'axios',
  'pdfjs-dist',
  '@napi-rs/canvas',
  'electron-updater',
  'pino',
  'pino-roll',
  'https-proxy-agent',
  'http-proxy-agent',
  'zxing-wasm',
];
/** contract/ stays tiny and portable. */
const CONTRACT_PACKAGES = new Set(['zod']);

const IMPORT_PATTERNS = [
  /\bimport\s+(?:type\s+)?[^'"]*?\bfrom\s*['"]([^'"]+)['"]/gu,
  /\bexport\s+(?:type\s+)?[^'"]*?\bfrom\s*['"]([^'"]+)['"]/gu,
  /\bimport\s*['"]([^'"]+)['"]/gu,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/gu,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/gu,
];

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function partOf(root: string, file: string): Part | null {
  const rel = path.relative(root, file).split(path.sep);
  const top = rel[0] as Part;
  return rel.length > 1 && (PARTS as readonly string[]).concat('resources').includes(top) ? top : null;
}

function mayImportElectron(root: string, file: string): boolean {
  const rel = path.relative(root, file).split(path.sep).join('/');
  return (
    /^electron\/(main|preload)(\.[a-z]+)?\.(ts|cts|mts)$/u.test(rel) || rel.startsWith('electron/shell/')
  );
}

const STORE = 'electron/workstation/store/';
const HANDLERS = 'electron/workstation/handlers/';

/** The workstation's own rules for an import of `target` from `from` (both relative to the root). */
function workstationRule(from: string, target: string): string | null {
  const t = target.replace(/\.(js|ts|tsx)$/u, '');
  if (t.startsWith(STORE) && !from.startsWith(STORE) && !from.startsWith('tests/')) {
    const name = t.slice(STORE.length);
    if (name === 'inspect') return 'only tests may import store/inspect (the connection behind LocalStore)';
    if (name !== 'keys') {
      if (!from.startsWith('electron/workstation/') && !from.startsWith('scripts/'))
        return 'only the workstation services may import the store';
      if (name !== 'localStore')
        return "the store's area modules are reached through LocalStore (store/localStore)";
    }
  }
  if (from.startsWith(HANDLERS) && t.startsWith(HANDLERS) && t !== from.replace(/\.(ts|tsx)$/u, ''))
    return 'handlers import each other only through the context (electron/workstation/context)';
  return null;
}

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.') || name === 'deps-fixtures')
      continue;
    const full = path.join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) yield* sourceFiles(full);
    else if (/\.(ts|tsx|mts|cts|js|mjs|cjs)$/u.test(name) && !name.endsWith('.d.ts')) yield full;
  }
}

export function checkFile(root: string, file: string): Violation[] {
  const part = partOf(root, file);
  // Build-tool configuration (vite.config.ts …) runs in Node at build time, not in the part's runtime.
  if (part === null || /\.config\.(ts|mts|js|mjs)$/u.test(file)) return [];
  const text = readFileSync(file, 'utf8');
  const out: Violation[] = [];
  const lineOf = (index: number): number => text.slice(0, index).split('\n').length;
  const rel = path.relative(root, file).split(path.sep).join('/');
  for (const pattern of IMPORT_PATTERNS) {
    for (const m of text.matchAll(pattern)) {
      const specifier = m[1] ?? '';
      const line = lineOf(m.index ?? 0);
      const report = (rule: string): void => {
        out.push({ file: rel, line, specifier, rule });
      };
      if (specifier.startsWith('.')) {
        const target = path.resolve(path.dirname(file), specifier);
        const targetPart = partOf(root, target);
        const atRoot = path.dirname(target) === root;
        if (targetPart === null && atRoot && (part === 'tests' || part === 'scripts')) {
          continue; // tests and scripts may read root configuration (playwright.config.ts)
        } else if (targetPart === null) {
          report(`${part} imports a file outside the parts of DESIGN.md §2`);
        } else if (!ALLOWED_LOCAL[part].includes(targetPart)) {
          report(`${part} must not import ${targetPart}`);
        }
        const rule = workstationRule(rel, path.relative(root, target).split(path.sep).join('/'));
        if (rule) report(rule);
        continue;
      }
      const pkg = packageName(specifier);
      if (pkg === 'electron' && !(part === 'electron' && mayImportElectron(root, file)) && part !== 'tests') {
        report('only electron/main and electron/preload may import electron');
      }
      if (part === 'renderer' || part === 'contract') {
        if (NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(pkg))
          report(`${part} must not use Node built-ins`);
        else if (NODE_ONLY_PACKAGES.includes(pkg) && pkg !== 'electron')
          report(`${part} must not import ${pkg}`);
      }
      if (part === 'contract' && !NODE_BUILTINS.has(pkg) && !CONTRACT_PACKAGES.has(pkg)) {
        report(`contract may only import ${[...CONTRACT_PACKAGES].join(', ')}`);
      }
    }
  }
  return out;
}

/** The source file a relative specifier names ('./x.js' is ./x.ts on disk), or null. */
function resolveLocal(file: string, specifier: string): string | null {
  const base = path.resolve(path.dirname(file), specifier);
  const stem = base.replace(/\.(js|mjs|cjs)$/u, '');
  for (const candidate of [base, `${stem}.ts`, `${stem}.tsx`, path.join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // try the next
    }
  }
  return null;
}

/** Import cycles among local files: each strongly connected group of two or more files, once. */
export function importCycles(root: string, files: readonly string[]): Violation[] {
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const targets = new Set<string>();
    for (const pattern of IMPORT_PATTERNS) {
      for (const m of text.matchAll(pattern)) {
        const spec = m[1] ?? '';
        const target = spec.startsWith('.') ? resolveLocal(file, spec) : null;
        if (target && target !== file) targets.add(target);
      }
    }
    edges.set(file, [...targets]);
  }
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: Violation[] = [];
  let next = 0;
  const rel = (f: string): string => path.relative(root, f).split(path.sep).join('/');
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(rel(w));
    } while (w !== v);
    if (group.length > 1) {
      group.sort();
      out.push({ file: group[0]!, line: 1, specifier: group.join(' ⇄ '), rule: 'import cycle' });
    }
  };
  for (const f of edges.keys()) if (!index.has(f)) visit(f);
  return out;
}

export function checkDependencyDirection(root: string): Violation[] {
  const out: Violation[] = [];
  const files: string[] = [];
  for (const part of PARTS) {
    const dir = path.join(root, part);
    try {
      if (!statSync(dir).isDirectory()) continue;
    } catch {
      continue;
    }
    for (const file of sourceFiles(dir)) {
      files.push(file);
      out.push(...checkFile(root, file));
    }
  }
  return [...out, ...importCycles(root, files)];
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const violations = checkDependencyDirection(root);
  for (const v of violations) process.stdout.write(`${v.file}:${v.line}: '${v.specifier}': ${v.rule}\n`);
  process.stdout.write(
    violations.length === 0 ? 'dependency direction: ok\n' : `${violations.length} violation(s)\n`,
  );
  process.exitCode = violations.length === 0 ? 0 : 1;
}
