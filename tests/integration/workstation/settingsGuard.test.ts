// Cài đặt on a machine someone has signed in on: the sign-in screen may still rename the workstation,
// but no longer point the service's address, the proxy or the update address elsewhere (the next
// officer's password or the next update would go there); a signed-in supervisor may, an officer may not.
// Against the service on embedded PGlite with the demo staff.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Method, WsResult } from '../../../contract/workstation.js';
import type { SettingsView } from '../../../contract/workstationSettings.js';
import { keyFileProvider } from '../../../electron/workstation/store/keys.js';
import { createWorkstation, type Workstation } from '../../../electron/workstation/workstation.js';
import { startService, type RunningService } from '../../../server/service.js';
import { PASSWORD } from './harness.js';

let service: RunningService;
let ws: Workstation;
let dir: string;

async function call<T>(method: Method, input: unknown): Promise<WsResult<T>> {
  return (await ws.dispatch(method, input)) as WsResult<T>;
}
const view = async (): Promise<SettingsView> => {
  const r = await call<SettingsView>('settings.get', {});
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const signIn = (username: string) =>
  call('session.signIn', { agencyCode: '903', username, password: PASSWORD });

beforeAll(async () => {
  service = await startService({
    port: 0,
    seedDemo: true,
    background: false,
    logger: false,
    config: { loginLimit: { perAddress: 10_000, perUser: 10_000 } },
  });
  dir = mkdtempSync(path.join(os.tmpdir(), 'ws-guard-'));
  ws = createWorkstation({
    dataDir: dir,
    serviceUrl: service.url,
    keyProvider: keyFileProvider(path.join(dir, 'store.key')),
    transport: 'http',
    sync: { pullIntervalMs: 3_600_000 },
  });
}, 120_000);

afterAll(async () => {
  await ws?.close();
  await service?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Cài đặt from the sign-in screen once someone has signed in here', () => {
  it('a new machine: the sign-in screen sets the service address', async () => {
    expect((await view()).guarded).toEqual([]);
    const r = await call<SettingsView>('settings.update', { patch: { serviceUrl: service.url } });
    expect(r.ok).toBe(true);
  });

  it('after a sign-in: the address, proxy and update address are refused there, the name is not', async () => {
    expect((await signIn('ttcntt')).ok).toBe(true);
    // An officer signed in changes nothing.
    expect(await call('settings.update', { patch: { workstationName: 'Quầy 1' } })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect((await call('session.signOut', {})).ok).toBe(true);

    const v = await view();
    expect(v.guarded).toEqual(['serviceUrl', 'proxy', 'updateUrl']);
    expect(v.canEdit).toBe(true);
    const settingsFile = path.join(dir, 'settings.json');
    const fileBefore = readFileSync(settingsFile, 'utf8');
    for (const patch of [
      { serviceUrl: 'https://dich-vu-khac.example' },
      { proxy: { mode: 'fixed', url: 'http://127.0.0.1:3128', bypass: '' } },
      { updateUrl: 'https://cap-nhat-khac.example/bhxh' },
    ]) {
      const r = await call('settings.update', { patch });
      expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      const fields = (r as { error: { fields?: Record<string, string> } }).error.fields ?? {};
      expect(Object.keys(fields)).toEqual(Object.keys(patch));
      expect(Object.values(fields)[0]).toMatch(/Đã có người đăng nhập trên máy này/u);
    }
    expect(readFileSync(settingsFile, 'utf8')).toBe(fileBefore);
    expect(ws.settings.get().serviceUrl).toBe(service.url);

    // The same value sent back (a whole form saved) is no change, and the name is saved.
    const named = await call<SettingsView>('settings.update', {
      patch: { serviceUrl: service.url, workstationName: 'Quầy 3 — BHXH Ba Đình' },
    });
    expect(named.ok).toBe(true);
    expect(ws.settings.get().workstationName).toBe('Quầy 3 — BHXH Ba Đình');
  });

  it('a supervisor signed in changes the update address', async () => {
    expect((await signIn('ld903')).ok).toBe(true);
    expect((await view()).guarded).toEqual([]);
    const r = await call<SettingsView>('settings.update', {
      patch: { updateUrl: 'https://capnhat.bhxh.example/gddt' },
    });
    expect(r.ok).toBe(true);
    expect(ws.settings.get().updateUrl).toBe('https://capnhat.bhxh.example/gddt');
    expect((await call('session.signOut', {})).ok).toBe(true);
  });
});
