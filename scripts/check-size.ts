// Size limits that keep the workstation services readable: no file of electron/workstation longer
// than 500 lines, no function (declaration, method, arrow) longer than 150. A module or a factory
// that outgrows them is split by area, as the store and the handlers are.
// `npx tsx scripts/check-size.ts` prints what is over; the unit test runs it on the repository.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const MAX_FILE_LINES = 500;
export const MAX_FUNCTION_LINES = 150;

export type Oversize = { where: string; lines: number; limit: number };

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* tsFiles(full);
    else if (/\.tsx?$/u.test(name) && !name.endsWith('.d.ts')) yield full;
  }
}

/** Files and functions under `dir` longer than the limits, longest first. */
export function oversized(root: string, dir: string): Oversize[] {
  const out: Oversize[] = [];
  for (const file of tsFiles(path.join(root, dir))) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    const text = readFileSync(file, 'utf8');
    const fileLines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (fileLines > MAX_FILE_LINES) out.push({ where: rel, lines: fileLines, limit: MAX_FILE_LINES });
    const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const from = src.getLineAndCharacterOfPosition(node.getStart(src)).line;
        const to = src.getLineAndCharacterOfPosition(node.getEnd()).line;
        if (to - from + 1 > MAX_FUNCTION_LINES)
          out.push({ where: `${rel}:${from + 1}`, lines: to - from + 1, limit: MAX_FUNCTION_LINES });
      }
      ts.forEachChild(node, visit);
    };
    visit(src);
  }
  return out.sort((a, b) => b.lines - a.lines);
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const over = oversized(root, process.argv[2] ?? 'electron/workstation');
  for (const o of over) process.stdout.write(`${o.where}: ${o.lines} lines (limit ${o.limit})\n`);
  process.stdout.write(over.length === 0 ? 'sizes: ok\n' : `${over.length} over the limits\n`);
  process.exitCode = over.length === 0 ? 0 : 1;
}
