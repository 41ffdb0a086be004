// The Electron shell as shipped: esbuild bundles main and preload; the sandboxed preload needs nothing
// but electron, and the window is created with the security settings of DESIGN.md §6. The Electron
// binary itself is absent on these machines (tests/integration/electron/smoke.test.ts reports that).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../fixtures/demo.js';

describe('Electron bundle', () => {
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-electron.mjs')], {
    cwd: REPO_ROOT,
    stdio: 'pipe',
  });
  const main = readFileSync(path.join(REPO_ROOT, 'dist', 'electron', 'main.cjs'), 'utf8');
  const preload = readFileSync(path.join(REPO_ROOT, 'dist', 'electron', 'preload.cjs'), 'utf8');

  it('the preload requires only electron and exposes one object', () => {
    const requires = [...preload.matchAll(/require\("([^"]+)"\)/gu)].map((m) => m[1]);
    expect([...new Set(requires)]).toEqual(['electron']);
    expect(preload.match(/exposeInMainWorld\(/gu)?.length).toBe(1);
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\)/u);
  });

  it('the window is isolated, sandboxed, without Node, behind a strict CSP', () => {
    for (const setting of [
      'contextIsolation: true',
      'sandbox: true',
      'nodeIntegration: false',
      'webSecurity: true',
    ])
      expect(main).toContain(setting);
    expect(main).toContain("default-src 'self'");
    expect(main).toContain("object-src 'none'");
    expect(main).toContain('setPermissionRequestHandler');
    expect(main).toContain('setWindowOpenHandler');
    expect(main).toContain('will-navigate');
    // the store key is sealed by the OS keychain in Electron, never a plain key file
    expect(main).toContain('safeStorage.encryptString');
  });
});
