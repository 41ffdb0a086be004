// The workstation's own boundary under bad input: every method of the workstation API called over the
// local HTTP host (electron/workstation/httpHost.ts + apiBridge.ts, as the browser and the e2e tests
// call it) with wrong types, unknown and missing fields, huge strings and arrays, control characters,
// NUL, lone surrogates, zero-width-only text, impossible dates, forged ids, unknown methods, a missing
// or wrong secret, a foreign Host or Origin, replayed calls, one officer's calls on another's queued
// decisions and print jobs, another agency's dossiers, and calls while signed out. Every case must
// end in a typed WsError with a Vietnamese message (or the host's own 4xx for transport-level cases),
// never `internal`, and leave every table of the encrypted store as it was (a digest of each before
// and after) with the same officer signed in. Real service on PGlite, real SQLite file, real HTTP.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxItem } from '../../../contract/outbox.js';
import { METHODS, type Method, type WsResult } from '../../../contract/workstation.js';
import type { PrintJob } from '../../../contract/workstationPrint.js';
import { createApiBridge } from '../../../electron/workstation/apiBridge.js';
import { startLoopbackProxy, type LoopbackProxy } from '../../../electron/workstation/dev/loopbackProxy.js';
import { startHttpHost, type HttpHost } from '../../../electron/workstation/httpHost.js';
import { keyFileProvider } from '../../../electron/workstation/store/keys.js';
import { createWorkstation, type Workstation } from '../../../electron/workstation/workstation.js';
import { startService, type RunningService } from '../../../server/service.js';
import { realPng } from '../../fixtures/files.js';
import {
  FORGED_UUID,
  httpCall,
  mutations,
  rawExchange,
  samples,
  storeDigest,
  VIETNAMESE,
  type CallCase,
  type Expectation,
  type HttpAnswer,
} from './bridgeCorpus.js';
import { intake, PASSWORD, pullUntilLocal } from './harness.js';

const SECRET = 'corpus-secret-7f3a';
/** The bridge's body limit of every method but intake.attach (apiBridge.ts). */
const MAX_BODY = 64 * 1024;
/** Methods that answer without a signed-in officer: the sign-in screen's and the status bar's. */
const OPEN_METHODS: ReadonlySet<string> = new Set([
  'app.info',
  'agencies.list',
  'session.current',
  'session.captcha',
  'session.signIn',
  'session.signOut',
  'sync.status',
  'sync.now',
  // Cài đặt opens from the sign-in screen (a new machine must reach its service); the guarded keys
  // (service, proxy, updates) are refused there once someone has signed in (settingsGuard.test.ts).
  'settings.get',
  'settings.update',
  'settings.testConnection',
  // IT support at a machine nobody can sign in on: the masked log and the version's update state.
  'support.exportLogs',
  'update.status',
  'update.check',
  'update.download',
  'update.install', // refused while the outbox is being sent; the update is checked (sha512) before
]);
/** Calls that are harmless no-ops when nothing matches (closing a dossier not open, Huỷ of no scan). */
const NO_OP_METHODS: ReadonlySet<string> = new Set(['dossiers.close', 'intake.cancel', 'session.signOut']);

describe('workstation API bridge: the bad-input corpus', () => {
  let service: RunningService;
  let proxy: LoopbackProxy;
  let ws: Workstation;
  let host: HttpHost;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ws-corpus-'));
  const counts = new Map<string, number>();
  /** Ids the setup leaves: officer A's refused and queued decisions, B's dismissed one, print jobs. */
  const made = {
    dossiers: [] as string[],
    aFailed: '',
    aQueued: '',
    aJob: '',
    bDismissed: '',
    bDiscardedJob: '',
  };

  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    host: `127.0.0.1:${host.port}`,
    cookie: `ws_secret=${SECRET}`,
    'content-type': 'application/json',
    ...extra,
  });
  const call = async <T>(method: string, input: unknown): Promise<WsResult<T>> =>
    (
      await httpCall(host.port, {
        path: `/api/call/${method}`,
        headers: headers(),
        body: JSON.stringify(input),
      })
    ).json as WsResult<T>;
  const ok = async <T>(method: string, input: unknown): Promise<T> => {
    const r = await call<T>(method, input);
    if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
    return r.value;
  };
  const signIn = async (agencyCode: string, username: string): Promise<void> => {
    await ok('session.signIn', { agencyCode, username, password: PASSWORD });
    await ws.engine.syncNow();
  };
  const signOut = async (): Promise<void> => {
    await ok('session.signOut', {});
  };
  const username = (): string | null => ws.session.current()?.user.username ?? null;

  /** What is wrong with one answer under its expectation (null: as it must be). */
  function judge(expectation: Expectation, r: HttpAnswer): string | null {
    if ('status' in expectation) {
      if (r.status !== expectation.status) return `HTTP ${r.status}, expected ${expectation.status}`;
      if (r.text && !r.text.startsWith('{') && !VIETNAMESE.test(r.text)) return `not Vietnamese: ${r.text}`;
      return null;
    }
    if (r.status !== 200) return `HTTP ${r.status} (${r.text.slice(0, 120)})`;
    const body = r.json as WsResult<unknown> | null;
    if ('inert' in expectation && body?.ok === true) return null;
    if (!body || body.ok !== false) return `answered ${r.text.slice(0, 160)}`;
    const e = body.error;
    if (e.code === 'internal') return `internal: ${e.message}`;
    if (!VIETNAMESE.test(e.message)) return `message not Vietnamese: ${e.message}`;
    for (const [k, v] of Object.entries(e.fields ?? {}))
      if (!VIETNAMESE.test(v)) return `field ${k} message not Vietnamese: ${v}`;
    if ('validation' in expectation) {
      if (e.code !== 'validation_failed') return `${e.code} (${e.message}), expected validation_failed`;
      const named = Object.keys(e.fields ?? {}).some(
        (k) => k === expectation.validation || k.startsWith(`${expectation.validation}.`),
      );
      if (!named) return `fields ${JSON.stringify(e.fields)} do not name ${expectation.validation}`;
    }
    return null;
  }

  /**
   * Run cases one by one: each answer judged, the store's digest and the signed-in officer the same
   * after as before. Returns the failures (title: what went wrong), counted under `group`.
   */
  async function run(
    group: string,
    cases: ReadonlyArray<CallCase | { title: string; send: () => Promise<HttpAnswer>; expect: Expectation }>,
  ): Promise<string[]> {
    const failures: string[] = [];
    const who = username();
    // One digest a case: each case's "after" is the next one's "before".
    let before = storeDigest(ws.store);
    for (const c of cases) {
      const r =
        'send' in c
          ? await c.send()
          : await httpCall(host.port, { path: `/api/call/${c.method}`, headers: headers(), body: c.body });
      const expectation: Expectation =
        'method' in c &&
        !('status' in c.expect) &&
        Buffer.byteLength(c.body) > MAX_BODY &&
        c.method !== 'intake.attach'
          ? { status: 413 }
          : c.expect;
      const wrong = judge(expectation, r);
      if (wrong) failures.push(`${c.title}: ${wrong}`);
      const after = storeDigest(ws.store);
      if (after !== before) failures.push(`${c.title}: the store changed`);
      before = after;
      if (username() !== who) failures.push(`${c.title}: the session changed (${who} → ${username()})`);
    }
    counts.set(group, (counts.get(group) ?? 0) + cases.length);
    return failures;
  }

  const forSample = (method: Method, input: unknown, title: string): CallCase => ({
    title: `${method}: ${title}`,
    method,
    body: JSON.stringify(input),
    expect: { refused: true },
  });

  beforeAll(async () => {
    service = await startService({
      port: 0,
      seedDemo: true,
      logger: false,
      config: { loginLimit: { perAddress: 10_000, perUser: 10_000 } },
    });
    proxy = await startLoopbackProxy({ host: '127.0.0.1', port: service.port });
    ws = createWorkstation({
      dataDir: dir,
      serviceUrl: proxy.url,
      keyProvider: keyFileProvider(path.join(dir, 'store.key')),
      transport: 'http',
      // Nothing runs by itself during the corpus: the feed is pulled only when a test asks.
      sync: { pullIntervalMs: 3_600_000, baseBackoffMs: 100, maxBackoffMs: 800 },
      recordWaitMs: 2_000,
      requestTimeoutMs: 5_000,
      intake: { saneConfigDir: path.resolve('resources/sane'), hid: false, ocrWorkers: 1 },
    });
    // The host's files are a folder of their own (the renderer's build in production), not the store's.
    mkdirSync(path.join(dir, 'www'));
    writeFileSync(path.join(dir, 'www', 'index.html'), '<!doctype html><title>Máy trạm</title>');
    host = await startHttpHost({
      staticDir: path.join(dir, 'www'),
      secret: SECRET,
      api: createApiBridge(ws),
    });
    made.dossiers = await intake(service.url, 4, 71);

    // Officer A (ttcntt, 903): a decision the service refuses (a reason code not in its list), one
    // queued while the network is down, and a print job; then A signs out with the network still down.
    await signIn('903', 'ttcntt');
    await pullUntilLocal(ws, made.dossiers);
    const failed = await ok<{ item: OutboxItem }>('decisions.record', {
      dossierId: made.dossiers[0],
      outcome: 'invalid',
      reasonCodes: ['KHONGCO'],
    });
    await ws.engine.syncNow();
    made.aFailed = failed.item.id;
    expect(ws.store.outboxItems().find((i) => i.id === made.aFailed)?.state).toBe('failed');
    made.aJob = (
      await ok<PrintJob>('print.document', { dossierId: made.dossiers[0], document: 'mau01' })
    ).jobId;
    proxy.cut();
    const queued = await ok<{ item: OutboxItem }>('decisions.record', {
      dossierId: made.dossiers[1],
      outcome: 'invalid',
      reasonCodes: ['R01'],
    });
    made.aQueued = queued.item.id;
    expect(queued.item.state).toBe('queued');
    await signOut();
    proxy.restore();

    // Officer B (khoa903, same agency): a refused decision B then dismissed, a print job B discarded.
    await signIn('903', 'khoa903');
    const bFailed = await ok<{ item: OutboxItem }>('decisions.record', {
      dossierId: made.dossiers[2],
      outcome: 'invalid',
      reasonCodes: ['KHONGCO'],
    });
    await ws.engine.syncNow();
    made.bDismissed = bFailed.item.id;
    await ok('sync.dismiss', { id: made.bDismissed });
    made.bDiscardedJob = (
      await ok<PrintJob>('print.document', { dossierId: made.dossiers[3], document: 'mau01' })
    ).jobId;
    await ok('print.discard', { jobId: made.bDiscardedJob });
    await ws.engine.syncNow();
  });

  afterAll(async () => {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    console.info(
      `workstation bridge corpus: ${total} cases (${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')})`,
    );
    await host?.close();
    await ws?.close();
    await proxy?.close();
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every method has a well-formed sample input made from its schema', () => {
    const all = samples();
    const missing = [...all].filter(([, s]) => s === undefined).map(([m]) => m);
    // A method whose schema the sampler cannot fill needs a candidate value in bridgeCorpus.ts.
    expect(missing).toEqual([]);
    expect(all.size).toBe(METHODS.length);
  });

  it('refuses bad input to every method, field by field, and changes nothing', async () => {
    expect(username()).toBe('khoa903');
    const cases = [...samples()].flatMap(([m, s]) => (s ? mutations(m, s) : []));
    expect(await run('generic', cases)).toEqual([]);
  });

  it('refuses forged ids, impossible dates and values the handlers check', async () => {
    const id = made.dossiers[3]!;
    const cases: CallCase[] = [];
    // Every method with an id field, called with ids that name nothing on this workstation.
    for (const [m, s] of samples()) {
      if (!s || NO_OP_METHODS.has(m) || m === 'session.signIn') continue;
      if (Object.keys(s).some((k) => /id$|Ids?$/iu.test(k))) cases.push(forSample(m, s, 'forged ids'));
    }
    const v = (m: Method, input: unknown, title: string, field: string): CallCase => ({
      title: `${m}: ${title}`,
      method: m,
      body: JSON.stringify(input),
      expect: { validation: field },
    });
    const r = (m: Method, input: unknown, title: string): CallCase => forSample(m, input, title);
    /** Hostile text a search must treat as text: an empty answer or a refusal, never a crash. */
    const inert = (m: Method, input: unknown, title: string): CallCase => ({
      ...forSample(m, input, title),
      expect: { inert: true },
    });
    cases.push(
      v('dossiers.list', { filter: { from: '2026-02-30' } }, '30 February', 'filter.from'),
      v('dossiers.list', { filter: { to: '2025-13-01' } }, 'month 13', 'filter.to'),
      v('dossiers.list', { filter: { from: '0000-01-01' } }, 'year 0', 'filter.from'),
      v('dossiers.list', { filter: { from: '20260101' } }, 'no dashes', 'filter.from'),
      v('dossiers.list', { filter: { to: '2026-1-5' } }, 'one-digit month', 'filter.to'),
      v('dossiers.list', { limit: 5001 }, 'a page over 5,000 rows', 'limit'),
      v(
        'dossiers.list',
        { sort: { field: 'password', order: 'asc' } },
        'sorted by an unknown column',
        'sort.field',
      ),
      v(
        'dossiers.list',
        { sort: { field: 'fullName', order: 'asc; DROP TABLE outbox' } },
        'SQL in the order',
        'sort.order',
      ),
      v(
        'session.signIn',
        { agencyCode: "903' OR '1'='1", username: 'a', password: 'b' },
        'SQL in the agency code',
        'agencyCode',
      ),
      v(
        'session.signIn',
        { agencyCode: '903', username: 'a', password: 'b', captchaId: 'x'.repeat(40) },
        'a forged captcha id',
        'captchaId',
      ),
      v(
        'session.signIn',
        { agencyCode: '903', username: '\u200b', password: 'b' },
        'a zero-width user name',
        'username',
      ),
      v(
        'decisions.record',
        { dossierId: id, outcome: 'invalid', reason: '\u200b\u2060' },
        'not valid with a zero-width reason only',
        'reason',
      ),
      v(
        'decisions.record',
        { dossierId: id, outcome: 'invalid', reason: ' \n\t ' },
        'not valid with a blank reason',
        'reason',
      ),
      v('decisions.record', { dossierId: id, outcome: 'invalid' }, 'not valid without a reason', 'reason'),
      v(
        'decisions.record',
        { dossierId: id, outcome: 'valid', reasonCodes: ['R01'] },
        'valid with a reason code',
        'reasonCodes',
      ),
      v(
        'decisions.record',
        { dossierId: id, outcome: 'valid', reason: 'Thiếu ảnh' },
        'valid with a reason',
        'reason',
      ),
      v(
        'decisions.record',
        { dossierId: id, outcome: 'invalid', reason: '<script>alert(1)</script>' },
        'markup in the reason',
        'reason',
      ),
      v(
        'decisions.record',
        { dossierId: id, outcome: 'invalid', reason: 'r'.repeat(2001) },
        'a reason of 2,001 characters',
        'reason',
      ),
      v(
        'decisions.record',
        { dossierId: id, outcome: 'invalid', reasonCodes: ['R 01'] },
        'a reason code with a space',
        'reasonCodes.0',
      ),
      v(
        'decisions.record',
        { dossierId: id, outcome: 'invalid', reasonCodes: Array(21).fill('R01') },
        '21 reason codes',
        'reasonCodes',
      ),
      v('decisions.record', { dossierId: id, outcome: 'VALID' }, 'outcome in capitals', 'outcome'),
      v(
        'decisions.record',
        { dossierId: id, outcome: 'valid', confirmUpdate: 'yes' },
        'confirmUpdate a string',
        'confirmUpdate',
      ),
      v('intake.attach', { dossierId: id, role: 'admin', data: 'iVBORw0KGgo=' }, 'an unknown role', 'role'),
      v('intake.attach', { dossierId: id, role: 'formPage51', data: 'iVBORw0KGgo=' }, 'form page 51', 'role'),
      v('intake.attach', { dossierId: id, role: 'formPage0', data: 'iVBORw0KGgo=' }, 'form page 0', 'role'),
      v(
        'intake.scan',
        { dossierId: id, role: 'photo', deviceId: 'sane:test:0', resolution: 5000 },
        '5,000 dpi',
        'resolution',
      ),
      v(
        'intake.scan',
        { dossierId: id, role: 'photo', deviceId: 'sane:test:0', source: 'camera' },
        'an unknown source',
        'source',
      ),
      v('reader.lookup', { text: 'x'.repeat(4001) }, 'a reader text of 4,001 characters', 'text'),
      inert('dossiers.list', { filter: { name: 'a" OR "b' } }, 'FTS syntax in a name (quotes)'),
      inert('dossiers.list', { filter: { name: 'NEAR(a b)' } }, 'FTS syntax in a name (NEAR)'),
      inert('dossiers.list', { filter: { name: '*' } }, 'FTS syntax in a name (a star)'),
      inert('dossiers.list', { filter: { name: 'x AND y OR z NOT w' } }, 'FTS operators in a name'),
      inert(
        'dossiers.list',
        { filter: { dossierNumber: "%' OR 1=1 --" } },
        'LIKE and SQL in a dossier number',
      ),
      inert('dossiers.list', { filter: { dossierNumber: '_%_\\' } }, 'LIKE wildcards in a dossier number'),
      inert('dossiers.list', { filter: { bhxhCode: '*[0-9]?' } }, 'GLOB syntax in a BHXH code'),
      r('print.dailyReport', { date: '2026-02-30' }, '30 February'),
      r('print.reconciliation', { date: '2026-13-01' }, 'month 13'),
      r('print.reconciliation', { date: '0000-00-00' }, 'day zero'),
      r('intake.attach', { dossierId: id, role: 'photo', data: 'không phải base64!' }, 'data not base64'),
      r('intake.attach', { dossierId: id, role: 'photo', data: '' }, 'an empty file'),
      r(
        'intake.attach',
        { dossierId: id, role: 'photo', data: Buffer.from('MZ\x90\0\x03\0\0\0PE\0\0').toString('base64') },
        'a Windows executable',
      ),
      r(
        'intake.attach',
        {
          dossierId: id,
          role: 'idFront',
          data: Buffer.from([
            0xff,
            0xd8,
            0xff,
            0xe0,
            0,
            0x10,
            0x4a,
            0x46,
            0x49,
            0x46,
            ...Buffer.from('MZ this is not an image'),
          ]).toString('base64'),
        },
        'a JPEG header and nothing of an image',
      ),
      r(
        'intake.attach',
        {
          dossierId: id,
          role: 'formPage1',
          data: Buffer.from('%PDF-1.7\n<html><script>alert(1)</script></html>').toString('base64'),
        },
        'a PDF header followed by HTML',
      ),
      r(
        'intake.scan',
        { dossierId: id, role: 'photo', deviceId: 'sane:khong-co:0' },
        'a scanner that does not exist',
      ),
      r('intake.scan', { dossierId: id, role: 'photo', deviceId: '--help' }, 'an option as the device'),
      r('reader.lookup', { text: 'khong phai ma nao ca' }, 'text that is no code'),
      r('reader.lookup', { text: '001099012345|||||' }, 'a card QR with its fields empty'),
      r(
        'reader.lookup',
        { text: '079999999999||Không Có Ai|01011990|Nam|Hà Nội|01012021' },
        'a card of nobody here',
      ),
      r('attachments.get', { id: FORGED_UUID, dossierId: id }, 'an attachment the dossier does not have'),
      r('print.batchStart', { dossierIds: [id, FORGED_UUID] }, 'one of two dossiers forged'),
    );
    expect(await run('semantic', cases)).toEqual([]);
  });

  it('refuses unknown methods and transport-level abuse with the host’s own answers', async () => {
    const unknown = [
      'nope.nope',
      'dossiers.delete',
      'session.becomeAdmin',
      'constructor.name',
      'hasOwnProperty.call',
      'Dossiers.list',
      'dossiers.List',
      'toString.call',
    ].map((m): CallCase => ({
      title: `unknown method ${m}`,
      method: m,
      body: '{}',
      expect: { refused: true },
    }));
    const send = (
      title: string,
      status: number,
      opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer },
    ) => ({
      title,
      expect: { status } as Expectation,
      send: () =>
        httpCall(host.port, {
          method: opts.method ?? 'POST',
          path: opts.path ?? '/api/call/dossiers.list',
          headers: opts.headers ?? headers(),
          body: opts.body ?? '{}',
        }),
    });
    const raw = (title: string, status: number, bytes: string | Buffer) => ({
      title,
      expect: { status } as Expectation,
      send: async (): Promise<HttpAnswer> => {
        const a = await rawExchange(host.port, bytes);
        return { status: a.status, text: '', json: null, headers: {} };
      },
    });
    const h = `127.0.0.1:${host.port}`;
    const transport = [
      send('no secret', 403, { headers: headers({ cookie: '' }) }),
      send('a wrong secret', 403, { headers: headers({ cookie: 'ws_secret=doan-mo' }) }),
      send('a previous run’s secret replayed', 403, {
        headers: headers({ cookie: 'ws_secret=corpus-secret-7f3b' }),
      }),
      send('the secret in a second cookie of the same name', 403, {
        headers: headers({ cookie: `ws_secret=sai; ws_secret=${SECRET}` }),
      }),
      send('a malformed percent-encoding in the cookie', 403, {
        headers: headers({ cookie: 'ws_secret=%E0%A4%A' }),
      }),
      send('a wrong secret in the URL', 403, { path: '/api/call/dossiers.list?k=doan-mo' }),
      send('another Host', 403, { headers: headers({ host: 'evil.example' }) }),
      send('another port in Host', 403, { headers: headers({ host: `127.0.0.1:${host.port + 1}` }) }),
      send('an IPv6 Host', 403, { headers: headers({ host: `[::1]:${host.port}` }) }),
      send('another Origin', 403, { headers: headers({ origin: 'http://evil.example' }) }),
      send('the null Origin', 403, { headers: headers({ origin: 'null' }) }),
      send('an https Origin of the same host', 403, { headers: headers({ origin: `https://${h}` }) }),
      send('GET on a method', 405, { method: 'GET', body: '' }),
      send('PUT on a method', 405, { method: 'PUT' }),
      send('no content type', 415, { headers: headers({ 'content-type': '' }) }),
      send('text/plain (a form a page could post)', 415, {
        headers: headers({ 'content-type': 'text/plain' }),
      }),
      send('form-encoded', 415, {
        headers: headers({ 'content-type': 'application/x-www-form-urlencoded' }),
      }),
      send('JSON cut short', 400, { body: '{"filter": {' }),
      send('JSON with a byte-order mark', 400, { body: '\ufeff{}' }),
      send('not JSON at all', 400, { body: 'DROP TABLE outbox' }),
      send('a body over 64 KB', 413, { body: JSON.stringify({ filter: { name: 'x'.repeat(70_000) } }) }),
      send('an attachment declared over 25 MB', 413, {
        path: '/api/call/intake.attach',
        headers: headers({ 'content-length': String(40 * 1024 * 1024) }),
        body: '',
      }),
      send('a path after the method', 404, { path: '/api/call/dossiers.list/x' }),
      send('an encoded dot in the method', 404, { path: '/api/call/dossiers%2Elist' }),
      send('no method', 404, { path: '/api/call/' }),
      send('an unknown API path', 404, { path: '/api/admin' }),
      send('a print job that does not exist', 404, {
        method: 'GET',
        path: `/api/print/${FORGED_UUID}.pdf`,
        body: '',
      }),
      send('a malformed percent-encoding in the path', 400, { method: 'GET', path: '/%E0%A4%A', body: '' }),
      send('a path escaping the folder', 403, {
        method: 'GET',
        path: '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
        body: '',
      }),
      raw(
        'no Host header (HTTP/1.0)',
        403,
        `GET /api/call/dossiers.list HTTP/1.0\r\nCookie: ws_secret=${SECRET}\r\n\r\n`,
      ),
      raw(
        'Content-Length with Transfer-Encoding (request smuggling)',
        400,
        `POST /api/call/dossiers.list HTTP/1.1\r\nHost: ${h}\r\nCookie: ws_secret=${SECRET}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      ),
      raw('a 70 kB header', 431, `GET / HTTP/1.1\r\nHost: ${h}\r\nX-Junk: ${'a'.repeat(70_000)}\r\n\r\n`),
      raw('not HTTP', 400, 'HELLO\r\n\r\n'),
    ];
    const invalidUtf8 = Buffer.concat([
      Buffer.from('{"filter":{"name":"Nguy'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('n"}}'),
    ]);
    const bytes: CallCase[] = [
      {
        title: 'invalid UTF-8 in a string',
        method: 'dossiers.list',
        body: invalidUtf8,
        expect: { validation: 'filter.name' },
      },
      {
        title: 'JSON nested 20,000 deep (parsed, then refused as no object)',
        method: 'dossiers.list',
        body: '['.repeat(20_000) + ']'.repeat(20_000),
        expect: { validation: '_' },
      },
      {
        title: 'a JSON null input where an id is needed',
        method: 'dossiers.get',
        body: 'null',
        expect: { validation: 'id' },
      },
    ];
    expect(await run('methods and transport', [...unknown, ...transport, ...bytes])).toEqual([]);
  });

  it('replayed calls and one officer’s calls on another officer’s work are refused', async () => {
    expect(username()).toBe('khoa903');
    const c = (m: Method, input: unknown, title: string): CallCase => forSample(m, input, title);
    const cases: CallCase[] = [
      // replays of B's own one-shot calls
      c('sync.dismiss', { id: made.bDismissed }, 'B’s dismissal replayed'),
      c('sync.retry', { id: made.bDismissed }, 'retry of B’s dismissed decision'),
      c('print.discard', { jobId: made.bDiscardedJob }, 'B’s discard replayed'),
      c('print.data', { jobId: made.bDiscardedJob }, 'the PDF of B’s discarded job'),
      c('print.system', { jobId: made.bDiscardedJob }, 'printing B’s discarded job'),
      // officer A's decisions and print job, called by B
      c('sync.retry', { id: made.aFailed }, 'B retries A’s refused decision'),
      c('sync.dismiss', { id: made.aFailed }, 'B dismisses A’s refused decision'),
      c('sync.retry', { id: made.aQueued }, 'B retries A’s queued decision'),
      c('sync.dismiss', { id: made.aQueued }, 'B dismisses A’s queued decision'),
      c('print.data', { jobId: made.aJob }, 'B reads A’s print job'),
      c('print.discard', { jobId: made.aJob }, 'B discards A’s print job'),
      c('print.batchWait', { jobId: made.aJob }, 'B waits on A’s print job'),
      c('print.cancel', { jobId: made.aJob }, 'B cancels A’s print job'),
    ];
    expect(await run('replays and cross-officer', cases)).toEqual([]);
    // A's decisions are as A left them, waiting for A.
    const items = ws.store.outboxItems();
    expect(items.find((i) => i.id === made.aFailed)?.state).toBe('failed');
    expect(items.find((i) => i.id === made.aQueued)?.state).toBe('queued');
  });

  it('another agency’s officer reaches none of this agency’s dossiers', async () => {
    await signOut();
    await signIn('001', 'cbhn');
    const png = (await realPng(32, 20)).toString('base64');
    const c = (m: Method, input: unknown, title: string): CallCase => forSample(m, input, title);
    const cases: CallCase[] = made.dossiers
      .slice(0, 2)
      .flatMap((id, n) => [
        c('dossiers.get', { id }, `a 903 dossier (${n})`),
        c('dossiers.open', { id }, `a 903 dossier (${n})`),
        c(
          'decisions.record',
          { dossierId: id, outcome: 'invalid', reasonCodes: ['R01'] },
          `a 903 dossier (${n})`,
        ),
        c('print.document', { dossierId: id, document: 'mau01' }, `a 903 dossier (${n})`),
        c('print.batchStart', { dossierIds: [id] }, `a 903 dossier (${n})`),
        c('intake.images', { dossierId: id }, `a 903 dossier (${n})`),
        c('intake.compare', { dossierId: id }, `a 903 dossier (${n})`),
        c(
          'intake.attach',
          { dossierId: id, role: 'photo', data: png },
          `a real photo on a 903 dossier (${n})`,
        ),
        c(
          'intake.scan',
          { dossierId: id, role: 'photo', deviceId: 'sane:test:0' },
          `a scan onto a 903 dossier (${n})`,
        ),
        c('attachments.get', { id: FORGED_UUID, dossierId: id }, `a 903 dossier (${n})`),
      ]);
    cases.push(
      c('sync.retry', { id: made.aFailed }, 'retry of a 903 officer’s decision'),
      c('sync.dismiss', { id: made.aFailed }, 'dismissal of a 903 officer’s decision'),
    );
    expect(await run('cross-agency', cases)).toEqual([]);
  });

  it('every method that needs an officer refuses while signed out', async () => {
    await signOut();
    expect(username()).toBeNull();
    const cases: CallCase[] = [];
    for (const [m, s] of samples()) {
      if (OPEN_METHODS.has(m) || !s) continue;
      cases.push({ ...forSample(m, s, 'signed out'), expect: { refused: true } });
    }
    // Calls an officer made before signing out, sent again afterwards.
    cases.push(
      forSample('dossiers.get', { id: made.dossiers[3] }, 'a real dossier, signed out'),
      forSample(
        'decisions.record',
        { dossierId: made.dossiers[3], outcome: 'valid' },
        'a decision, signed out',
      ),
      forSample('sync.items', {}, 'the outbox, signed out'),
      forSample('print.reconciliation', { date: '2026-01-15' }, 'the reconciliation, signed out'),
    );
    const failures = await run('signed out', cases);
    expect(failures).toEqual([]);
    // …and each one said so: sign in first.
    for (const cse of cases) {
      const r = (
        await httpCall(host.port, { path: `/api/call/${cse.method}`, headers: headers(), body: cse.body })
      ).json as WsResult<unknown>;
      expect(r.ok ? 'ok' : r.error.code, cse.title).toBe('unauthorized');
    }
  });

  it('the corpus has at least 200 cases', () => {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(200);
  });
});
