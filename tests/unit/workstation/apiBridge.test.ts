// The typed API over the local HTTP host: the per-run secret, Host and Origin checks, JSON only, and
// input validation at the boundary, on a real workstation (its service unreachable here).
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiBridge } from '../../../electron/workstation/apiBridge.js';
import { startHttpHost, type HttpHost } from '../../../electron/workstation/httpHost.js';
import { keyFileProvider } from '../../../electron/workstation/store/keys.js';
import { createWorkstation, type Workstation } from '../../../electron/workstation/workstation.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ws-bridge-'));
let ws: Workstation;
let host: HttpHost;

beforeAll(async () => {
  ws = createWorkstation({
    dataDir: dir,
    serviceUrl: 'http://127.0.0.1:9', // discard port: nothing answers
    keyProvider: keyFileProvider(path.join(dir, 'store.key')),
    transport: 'http',
    requestTimeoutMs: 1000,
  });
  host = await startHttpHost({ staticDir: dir, secret: 's3cret', api: createApiBridge(ws) });
});
afterAll(async () => {
  await host.close();
  await ws.close();
  rmSync(dir, { recursive: true, force: true });
});

function post(
  p: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path: p, method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += String(d)));
      res.on('end', () => {
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const good = (): Record<string, string> => ({
  host: `127.0.0.1:${host.port}`,
  cookie: 'ws_secret=s3cret',
  'content-type': 'application/json',
});

describe('API bridge on the local HTTP host', () => {
  it('answers a call as a result value', async () => {
    const r = await post('/api/call/session.current', '{}', good());
    expect(r).toEqual({ status: 200, json: { ok: true, value: null } });
  });

  it('refuses without the secret, from another Host or Origin, and non-JSON bodies', async () => {
    expect((await post('/api/call/session.current', '{}', { ...good(), cookie: '' })).status).toBe(403);
    expect(
      (await post('/api/call/session.current', '{}', { ...good(), host: 'evil.example:80' })).status,
    ).toBe(403);
    expect(
      (await post('/api/call/session.current', '{}', { ...good(), origin: 'http://evil.example' })).status,
    ).toBe(403);
    expect(
      (await post('/api/call/session.current', '{}', { ...good(), 'content-type': 'text/plain' })).status,
    ).toBe(415);
  });

  it('validates inputs and needs a session for dossiers', async () => {
    const bad = await post('/api/call/decisions.record', JSON.stringify({ dossierId: 1 }), good());
    expect(bad.json).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    // each refused field says what is wrong with it, in the service's words
    const fieldsOf = (r: { json: unknown }): unknown =>
      (r.json as { error: { fields?: Record<string, string> } }).error.fields;
    expect(fieldsOf(bad)).toEqual({
      dossierId: 'Sai kiểu dữ liệu.',
      outcome: 'Trường này là bắt buộc.',
    });
    const worse = await post(
      '/api/call/decisions.record',
      JSON.stringify({ dossierId: 'x', outcome: 'maybe', reason: 'r'.repeat(2001), extra: true }),
      good(),
    );
    expect(fieldsOf(worse)).toEqual({
      outcome: 'Giá trị không nằm trong danh sách cho phép.',
      reason: 'Dài tối đa 2000 ký tự.',
      _: 'Có trường không được phép.',
    });
    const unknown = await post('/api/call/nope.nope', '{}', good());
    expect(unknown.json).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const list = await post('/api/call/dossiers.list', '{}', good());
    expect(list.json).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it("refuses Mở rộng's reversed range and a date not on the calendar in Vietnamese", async () => {
    const list = (filter: object) =>
      post('/api/call/dossiers.list', JSON.stringify({ filter }), good()).then((r) => r.json);
    expect(await list({ from: '2020-08-12', to: '2020-08-01' })).toMatchObject({
      ok: false,
      error: {
        code: 'validation_failed',
        message: 'Đến ngày phải sau hoặc bằng Từ ngày: đổi lại khoảng ngày.',
      },
    });
    // a day not on the calendar stops at the input schema (contract DossierFilter), its field in Vietnamese
    expect(await list({ from: '2020-02-30' })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', fields: { 'filter.from': 'Từ ngày không có thật trên lịch.' } },
    });
  });

  it('signing in with no service and no cached credential says so in Vietnamese', async () => {
    const r = await post(
      '/api/call/session.signIn',
      JSON.stringify({ agencyCode: '903', username: 'ttcntt', password: 'x' }),
      good(),
    );
    expect(r.json).toMatchObject({ ok: false, error: { code: 'offline_unavailable' } });
    expect(JSON.stringify(r.json)).toContain('Không kết nối được máy chủ');
  });
});
