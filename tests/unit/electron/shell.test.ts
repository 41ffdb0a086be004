// The Electron shell's logic, run in Node (the Electron binary cannot run here): the app:// handler
// reads the renderer's files itself behind a path check and answers with the CSP; the start-up rules
// refuse a keychain that protects nothing and turn every start-up failure into a Vietnamese dialog;
// Cài đặt's proxy becomes Electron's ProxyConfig.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppHandler, CSP, resolveAppPath } from '../../../electron/shell/appProtocol.js';
import { keychainProblem, StartupError, startupProblem } from '../../../electron/shell/startup.js';
import { SettingsFileError } from '../../../electron/workstation/settings.js';
import { describeProxy, electronProxyConfig } from '../../../electron/workstation/sync/network.js';
import { NewerStoreError } from '../../../electron/workstation/workstation.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ws-shell-'));
const renderer = path.join(tmp, 'renderer');
mkdirSync(path.join(renderer, 'assets'), { recursive: true });
writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Tiếp nhận</title>');
writeFileSync(path.join(renderer, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(path.join(tmp, 'secret.txt'), 'outside');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('app:// handler', () => {
  const handle = createAppHandler(renderer, 'workstation');

  it('serves the renderer with its type, the CSP and nosniff', async () => {
    const index = await handle(new Request('app://workstation/'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(CSP);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await index.text()).toContain('Tiếp nhận');
    const js = await handle(new Request('app://workstation/assets/app.js'));
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/u);
    expect(await js.text()).toBe('console.log(1)');
  });

  it('refuses other hosts, paths outside the folder, encoded escapes, writes; 404 for what is not there', async () => {
    expect((await handle(new Request('app://print/index.html'))).status).toBe(403);
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt'])
      expect([403, 404]).toContain((await handle(new Request(`app://workstation${p}`))).status);
    expect(resolveAppPath(renderer, 'workstation', 'app://workstation/%2e%2e%2fsecret.txt')).toMatchObject({
      status: 403,
    });
    expect(resolveAppPath(renderer, 'workstation', 'app://workstation/%E0%A4%A')).toMatchObject({
      status: 400,
    });
    expect((await handle(new Request('app://workstation/nope.js'))).status).toBe(404);
    expect((await handle(new Request('app://workstation/assets'))).status).toBe(404);
    expect(
      (await handle(new Request('app://workstation/index.html', { method: 'POST', body: 'x' }))).status,
    ).toBe(405);
  });
});

describe('start-up rules', () => {
  const base = { platform: 'linux' as const, available: true, allowBasicText: false };

  it('refuses Linux basic_text unless the administrator allows it; accepts a real keychain', () => {
    expect(keychainProblem({ ...base, backend: 'gnome_libsecret' })).toBeNull();
    expect(keychainProblem({ ...base, backend: 'kwallet6' })).toBeNull();
    expect(keychainProblem({ ...base, backend: 'basic_text' })?.title).toBe(
      'Kho khoá của hệ điều hành không an toàn',
    );
    expect(keychainProblem({ ...base, backend: 'basic_text', allowBasicText: true })).toBeNull();
    expect(keychainProblem({ ...base, available: false, backend: null })?.message).toMatch(/GNOME Keyring/u);
    expect(
      keychainProblem({ platform: 'win32', available: false, backend: null, allowBasicText: true })?.message,
    ).toMatch(/Windows/u);
    expect(
      keychainProblem({ platform: 'win32', available: true, backend: null, allowBasicText: false }),
    ).toBeNull();
  });

  it('says what happened and what to do, in Vietnamese, for every start-up failure', () => {
    const cases: Array<[unknown, RegExp]> = [
      [new StartupError({ title: 'Tiêu đề riêng', message: 'M' }), /^M$/u],
      [
        new SettingsFileError('/etc/bhxh-gddt/settings.json', ['serviceUrl: phải dùng https://.']),
        /Sửa tệp này/u,
      ],
      [new NewerStoreError(12, 9), /phiên bản mới hơn|mới hơn/u],
      [Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' }), /khoá không khớp/u],
      [Object.assign(new Error('denied'), { code: 'EACCES' }), /quyền ghi/u],
      [Object.assign(new Error('full'), { code: 'ENOSPC' }), /đã đầy/u],
      [new TypeError('x is undefined'), /lỗi không mong đợi/u],
    ];
    for (const [err, text] of cases) {
      const p = startupProblem(err);
      expect(p.title.length).toBeGreaterThan(5);
      expect(p.message).toMatch(text);
      expect(p.message).not.toMatch(/undefined|TypeError/u);
    }
  });
});

describe("Cài đặt's proxy in Electron's terms", () => {
  it('maps each choice to a ProxyConfig', () => {
    expect(electronProxyConfig({ mode: 'system' })).toEqual({ mode: 'system' });
    expect(electronProxyConfig({ mode: 'none' })).toEqual({ mode: 'direct' });
    expect(
      electronProxyConfig({ mode: 'fixed', url: 'http://proxy:3128', bypass: '*.bhxh.local; 10.0.0.5' }),
    ).toEqual({
      mode: 'fixed_servers',
      proxyRules: 'http://proxy:3128',
      proxyBypassRules: '*.bhxh.local,10.0.0.5',
    });
    expect(electronProxyConfig({ mode: 'pac', pacUrl: 'http://wpad/wpad.dat' })).toEqual({
      mode: 'pac_script',
      pacScript: 'http://wpad/wpad.dat',
    });
    expect(describeProxy({ mode: 'pac', pacUrl: 'http://wpad/wpad.dat' })).toBe(
      'theo tệp PAC http://wpad/wpad.dat',
    );
  });
});
