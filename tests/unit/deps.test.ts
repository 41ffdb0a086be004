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

  it('keeps the store behind LocalStore and the handlers apart, and finds import cycles', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'deps-ws-'));
    const put = (rel: string, text: string): void => {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    };
    try {
      for (const m of ['localStore', 'keys', 'outbox', 'inspect'])
        put(`electron/workstation/store/${m}.ts`, 'export const x = 1;\n');
      put('electron/workstation/context.ts', "import type { x } from './store/localStore.js';\n");
      put('electron/workstation/handlers/sync.ts', "import type { x } from '../context.js';\n");
      put('electron/workstation/handlers/print.ts', "import { x } from '../store/localStore.js';\n");
      // wrong: another handler, an area module of the store, the test-only connection
      put(
        'electron/workstation/handlers/dossiers.ts',
        "import { y } from './sync.js';\nimport { x } from '../store/outbox.js';\nimport { z } from '../store/inspect.js';\n",
      );
      put('electron/main.ts', "import { k } from './workstation/store/keys.js';\n");
      put('electron/shell/bad.ts', "import { LocalStore } from '../workstation/store/localStore.js';\n");
      put('renderer/bad.tsx', "import { LocalStore } from '../electron/workstation/store/localStore.js';\n");
      put('tests/ok.test.ts', "import { z } from '../electron/workstation/store/inspect.js';\n");
      put('scanner/a.ts', "import type { B } from './b.js';\nexport type A = 1;\n");
      put('scanner/b.ts', "import type { A } from './a.js';\nexport type B = 2;\n");
      const found = checkDependencyDirection(root).map((v) => `${v.file}: ${v.specifier}: ${v.rule}`);
      expect(found.sort()).toEqual(
        [
          'electron/shell/bad.ts: ../workstation/store/localStore.js: only the workstation services may import the store',
          'electron/workstation/handlers/dossiers.ts: ../store/inspect.js: only tests may import store/inspect (the connection behind LocalStore)',
          "electron/workstation/handlers/dossiers.ts: ../store/outbox.js: the store's area modules are reached through LocalStore (store/localStore)",
          'electron/workstation/handlers/dossiers.ts: ./sync.js: handlers import each other only through the context (electron/workstation/context)',
          'renderer/bad.tsx: ../electron/workstation/store/localStore.js: only the workstation services may import the store',
          'renderer/bad.tsx: ../electron/workstation/store/localStore.js: renderer must not import electron',
          'scanner/a.ts: scanner/a.ts ⇄ scanner/b.ts: import cycle',
        ].sort(),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
