// The dependency direction of DESIGN.md §2 holds in the repository, and the checker catches a
// deliberately wrong import.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDependencyDirection } from '../../scripts/check-deps.js';
import { REPO_ROOT } from '../fixtures/demo.js';

describe('dependency direction', () => {
  it('holds in this repository', () => {
    expect(checkDependencyDirection(REPO_ROOT)).toEqual([]);
  });

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'deps-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const write = (rel: string, text: string): void => {
    mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
    writeFileSync(path.join(tmp, rel), text);
  };

  it('fails on deliberately wrong imports', () => {
    write('contract/ok.ts', "import { z } from 'zod';\nexport const x = z.string();\n");
    write('server/db.ts', 'export const db = 1;\n');
    write(
      'renderer/bad.tsx',
      "import { db } from '../server/db';\nimport { ipcRenderer } from 'electron';\nimport fs from 'node:fs';\n",
    );
    write('scanner/bad.ts', "import { app } from 'electron';\n");
    write('server/bad.ts', "export { x } from '../renderer/bad';\n");
    write('contract/bad.ts', "import path from 'node:path';\nimport axios from 'axios';\n");
    write('electron/workstation/bad.ts', "import { BrowserWindow } from 'electron';\n");
    write('electron/main.ts', "import { app } from 'electron';\nimport { scan } from '../scanner/x';\n");
    const found = checkDependencyDirection(tmp).map((v) => `${v.file}: ${v.specifier}: ${v.rule}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'renderer/bad.tsx: ../server/db: renderer must not import server',
        'renderer/bad.tsx: electron: only electron/main and electron/preload may import electron',
        'renderer/bad.tsx: node:fs: renderer must not use Node built-ins',
        'scanner/bad.ts: electron: only electron/main and electron/preload may import electron',
        'server/bad.ts: ../renderer/bad: server must not import renderer',
        'contract/bad.ts: node:path: contract must not use Node built-ins',
        'contract/bad.ts: axios: contract must not import axios',
        'electron/workstation/bad.ts: electron: only electron/main and electron/preload may import electron',
      ]),
    );
    expect(found.some((f) => f.startsWith('electron/main.ts'))).toBe(false);
    expect(found.some((f) => f.startsWith('contract/ok.ts'))).toBe(false);
  });
});
