// scripts/check-size.ts: the workstation services stay within 500 lines a file and 150 a function,
// and the check sees a long function where it is (a method inside a factory counts on its own too).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { oversized } from '../../scripts/check-size.js';
import { REPO_ROOT } from '../fixtures/demo.js';

describe('size limits', () => {
  it('hold in electron/workstation', () => {
    expect(oversized(REPO_ROOT, 'electron/workstation')).toEqual([]);
  });

  it('catch a long file and a long function', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'size-'));
    try {
      mkdirSync(path.join(root, 'x'));
      const body = Array.from({ length: 160 }, (_, i) => `  const v${i} = ${i};`).join('\n');
      writeFileSync(path.join(root, 'x/long.ts'), `export function f() {\n${body}\n}\n`);
      writeFileSync(path.join(root, 'x/big.ts'), `${'export const a = 1;\n'.repeat(501)}`);
      expect(oversized(root, 'x').map((o) => `${o.where} ${o.lines}`)).toEqual([
        'x/big.ts 501',
        'x/long.ts:1 162',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
