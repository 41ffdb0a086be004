// The service client's route in Node, against a real forward proxy on loopback (tests/harness/
// forwardProxy.ts): an explicit proxy carries every request (absolute form for http, a CONNECT tunnel
// for https, where the service's certificate is still checked), a bypass or "none" goes direct, "system"
// follows HTTP(S)_PROXY, PAC is refused with a sentence, and Cài đặt's change of proxy applies to the
// running workstation and to Kiểm tra kết nối.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionCheck, SettingsView } from '../../../contract/workstationSettings.js';
import { keyFileProvider } from '../../../electron/workstation/store/keys.js';
import { HttpSyncClient, NetworkError } from '../../../electron/workstation/sync/httpSyncClient.js';
import { createWorkstation } from '../../../electron/workstation/workstation.js';
import { startForwardProxy, type ForwardProxy } from '../../harness/forwardProxy.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ws-proxy-'));
let proxy: ForwardProxy;
let service: Server;
let serviceUrl: string;
let tlsService: Server;
let tlsUrl: string;

function health(server: Server): void {
  server.on('request', (req, res) => {
    res.writeHead(req.url === '/api/v1/health' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url === '/api/v1/health' ? { ok: true } : { error: { code: 'not_found' } }));
  });
}
async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  return typeof a === 'object' && a ? a.port : 0;
}

beforeAll(async () => {
  proxy = await startForwardProxy();
  service = createHttpServer();
  health(service);
  serviceUrl = `http://127.0.0.1:${await listen(service)}`;
  // An https service with a certificate no one trusts (made here by openssl).
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      path.join(tmp, 'key.pem'),
      '-out',
      path.join(tmp, 'cert.pem'),
    ],
    { stdio: 'pipe' },
  );
  tlsService = createHttpsServer({
    key: readFileSync(path.join(tmp, 'key.pem')),
    cert: readFileSync(path.join(tmp, 'cert.pem')),
  });
  health(tlsService);
  tlsUrl = `https://127.0.0.1:${await listen(tlsService)}`;
});

afterAll(async () => {
  await proxy.close();
  await new Promise((r) => service.close(r));
  await new Promise((r) => tlsService.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

describe('the service client through a proxy (Node)', () => {
  it('an explicit proxy carries http requests in absolute form', async () => {
    const before = proxy.seen.length;
    const client = new HttpSyncClient({
      baseUrl: serviceUrl,
      proxy: { mode: 'fixed', url: proxy.url, bypass: '' },
    });
    await expect(client.health()).resolves.toEqual({ ok: true });
    expect(proxy.seen.slice(before)).toEqual([`GET ${serviceUrl}/api/v1/health`]);
    expect(await client.route()).toBe(`qua proxy ${proxy.url}`);
  });

  it('https goes through a CONNECT tunnel, and an untrusted certificate is still refused', async () => {
    const before = proxy.seen.length;
    const client = new HttpSyncClient({
      baseUrl: tlsUrl,
      proxy: { mode: 'fixed', url: proxy.url, bypass: '' },
    });
    const err = await client.health().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toMatch(/SELF_SIGNED|certificate/iu);
    expect(proxy.seen.slice(before)).toEqual([`CONNECT ${new URL(tlsUrl).host}`]);
  });

  it('"none" and a bypass go direct; the proxy sees nothing', async () => {
    const before = proxy.seen.length;
    await new HttpSyncClient({ baseUrl: serviceUrl, proxy: { mode: 'none' } }).health();
    await new HttpSyncClient({
      baseUrl: serviceUrl,
      proxy: { mode: 'fixed', url: proxy.url, bypass: 'example.vn, 127.0.0.1' },
    }).health();
    expect(proxy.seen.length).toBe(before);
  });

  it('"system" follows HTTP_PROXY and NO_PROXY as the operating system\'s tools do', async () => {
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY };
    try {
      process.env.HTTP_PROXY = proxy.url;
      delete process.env.NO_PROXY;
      const before = proxy.seen.length;
      await new HttpSyncClient({ baseUrl: serviceUrl, proxy: { mode: 'system' } }).health();
      expect(proxy.seen.length).toBe(before + 1);
      process.env.NO_PROXY = '127.0.0.1';
      await new HttpSyncClient({ baseUrl: serviceUrl, proxy: { mode: 'system' } }).health();
      expect(proxy.seen.length).toBe(before + 1);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('a PAC file is refused in Node with a sentence, not tried directly', async () => {
    const before = proxy.seen.length;
    const client = new HttpSyncClient({
      baseUrl: serviceUrl,
      proxy: { mode: 'pac', pacUrl: 'http://wpad/wpad.dat' },
    });
    await expect(client.health()).rejects.toThrow(/PAC chỉ dùng được trong ứng dụng máy trạm/u);
    expect(proxy.seen.length).toBe(before);
  });

  it('Cài đặt: Kiểm tra kết nối tries the typed proxy, and a saved proxy applies to the running workstation', async () => {
    const dir = mkdtempSync(path.join(tmp, 'ws-'));
    const ws = createWorkstation({
      dataDir: dir,
      serviceUrl,
      keyProvider: keyFileProvider(path.join(dir, 'store.key')),
      transport: 'http',
      sync: { pullIntervalMs: 3_600_000 },
    });
    try {
      await ws.settings.update({ proxy: { mode: 'none' } });
      const before = proxy.seen.length;
      const checked = await ws.dispatch('settings.testConnection', {
        patch: { proxy: { mode: 'fixed', url: proxy.url, bypass: '' } },
      });
      expect(checked.ok).toBe(true);
      const check = (checked as { value: ConnectionCheck }).value;
      expect(check.ok).toBe(true);
      expect(check.steps.map((s) => s.step)).toEqual(['proxy', 'service']);
      expect(check.route).toBe(`qua proxy ${proxy.url}`);
      expect(proxy.seen.slice(before)).toEqual([`GET ${serviceUrl}/api/v1/health`]);
      // Not saved: the running client still goes direct.
      expect(ws.settings.get().proxy).toEqual({ mode: 'none' });

      const saved = await ws.dispatch('settings.update', {
        patch: { proxy: { mode: 'fixed', url: proxy.url, bypass: '' } },
      });
      expect((saved as { value: SettingsView }).value.sources.proxy).toBe('user');
      const seenBefore = proxy.seen.length;
      await ws.dispatch('agencies.list', {});
      expect(
        proxy.seen.slice(seenBefore).some((l) => l.startsWith(`GET ${serviceUrl}/api/v1/agencies`)),
      ).toBe(true);

      // An http service on another machine is refused with the https sentence and changes nothing.
      const refused = await ws.dispatch('settings.update', {
        patch: { serviceUrl: 'http://10.20.30.40:8480' },
      });
      expect(refused).toMatchObject({
        ok: false,
        error: { code: 'validation_failed', fields: { serviceUrl: expect.stringMatching(/https/u) } },
      });
      expect(ws.settings.get().serviceUrl).toBe(serviceUrl);

      // A proxy nobody listens on: the check names the proxy step.
      const dead = await ws.dispatch('settings.testConnection', {
        patch: { proxy: { mode: 'fixed', url: 'http://127.0.0.1:9', bypass: '' } },
      });
      const deadCheck = (dead as { value: ConnectionCheck }).value;
      expect(deadCheck.ok).toBe(false);
      expect(deadCheck.steps[0]).toMatchObject({ step: 'proxy', ok: false });
      expect(deadCheck.steps[0]?.message).toMatch(/ECONNREFUSED/u);
    } finally {
      await ws.close();
    }
  });
});
