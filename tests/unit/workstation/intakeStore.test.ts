// Intake in the local store and the HTTP bridge: migration 5 on a store that already holds decisions,
// images in the same outbox as decisions without disturbing them (counts, the sync panel, recording a
// decision), the newest image of a role superseding an unsent one, images waiting for a queued decision
// of their dossier, images encrypted at rest, and the bridge's larger body limit for "Đính kèm" only.
import Sqlite from 'better-sqlite3-multiple-ciphers';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionRequest, StaffUser } from '../../../contract/index.js';
import { MAX_ATTACH_BYTES } from '../../../contract/workstationIntake.js';
import { createApiBridge } from '../../../electron/workstation/apiBridge.js';
import { startHttpHost, type HttpHost } from '../../../electron/workstation/httpHost.js';
import { keyFileProvider } from '../../../electron/workstation/store/keys.js';
import { LocalStore, type NewImage } from '../../../electron/workstation/store/localStore.js';
import { migrate } from '../../../electron/workstation/store/migrations.js';
import { createWorkstation, type Workstation } from '../../../electron/workstation/workstation.js';
import { makeDossier } from './dossierFactory.js';
import { storeDatabase } from '../../../electron/workstation/store/inspect.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ws-intake-store-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const file = (): string => path.join(tmp, `s${++n}.db`);
const officer: StaffUser = {
  username: 'ttcntt',
  displayName: 'Trung tâm Công nghệ thông tin',
  role: 'officer',
  agencyCode: '903',
  agencyName: 'BHXH Tỉnh Test',
};

const image = (dossierId: string, role: string, content = randomBytes(64)): NewImage => ({
  id: randomUUID(),
  dossierId,
  role,
  mediaType: 'image/png',
  sha256: 'x'.repeat(64),
  content,
  source: 'file',
  fileName: 'ảnh.png',
});

const decision = (baseVersion = 1): DecisionRequest => ({
  decisionId: randomUUID(),
  outcome: 'valid',
  reasonCodes: [],
  reason: '',
  baseVersion,
  confirmUpdate: false,
  decidedAt: new Date().toISOString(),
  deviceId: 'ws-test',
});

describe('migration 5: images in the outbox', () => {
  it('keeps existing decisions as kind "decision" and adds the image table and the ID-number index', () => {
    const f = file();
    const k = randomBytes(32);
    const db = new Sqlite(f);
    db.pragma(`hexkey='${k.toString('hex')}'`);
    migrate(db, 4);
    db.prepare(
      `INSERT INTO outbox (id, seq, dossier_id, username, agency_code, payload, state, created_at, updated_at)
       VALUES ('d1', 1, 'x', 'ttcntt', '903', '{}', 'queued', 'now', 'now')`,
    ).run();
    expect(migrate(db, 5)).toBe(5);
    expect(db.prepare('SELECT kind FROM outbox').get()).toEqual({ kind: 'decision' });
    expect(() =>
      db
        .prepare(
          `INSERT INTO outbox (id, seq, dossier_id, username, agency_code, payload, state, kind, created_at, updated_at)
           VALUES ('d2', 2, 'x', 'u', '903', '{}', 'queued', 'other', 'now', 'now')`,
        )
        .run(),
    ).toThrow(/CHECK/u);
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT id FROM dossiers WHERE json_extract(data, '$.idNumber') = ?")
      .all('001') as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/dossiers_id_number/u);
    db.close();
  });
});

describe('images beside decisions in one outbox', () => {
  let s: LocalStore;
  const d = makeDossier(1, { idNumber: '001190123456' });
  const other = makeDossier(2);
  beforeAll(() => {
    s = new LocalStore({ file: file(), key: randomBytes(32) });
    s.applyDossiers([d, other]);
  });
  afterAll(() => s.close());

  it('an image is queued but is not a decision: the panel list and the list tag ignore it, the counts show it apart', () => {
    const img = s.recordImage(image(d.id, 'idFront'), officer);
    expect(img).toMatchObject({ state: 'queued', role: 'idFront', recognizing: false });
    expect(s.outboxCounts('ttcntt')).toMatchObject({ queued: 0, uploadsQueued: 1, uploadsFailed: 0 });
    // Another officer's status bar shows it too: the images wait on this workstation whoever is signed in.
    expect(s.outboxCounts('someone-else')).toMatchObject({ queued: 0, others: 0, uploadsQueued: 1 });
    expect(s.outboxItems()).toEqual([]);
    expect(s.latestDecision(d.id)).toBeNull();
    const row = s
      .listDossiers({}, { field: 'receivedAt', order: 'desc' }, 0, 10, null)
      .rows.find((r) => r.id === d.id);
    expect(row?.localState).toBeNull();
    expect(s.dueEntries('ttcntt', Date.now(), 10)).toEqual([
      expect.objectContaining({
        id: img.id,
        kind: 'attachment',
        payload: expect.objectContaining({ role: 'idFront' }),
      }),
    ]);
  });

  it('a queued decision of the dossier goes first; recording it leaves the image queued', () => {
    const req = decision(d.version);
    s.recordDecision({ request: req, dossierId: d.id, user: officer });
    const due = s.dueEntries('ttcntt', Date.now(), 10);
    expect(due.map((e) => e.kind)).toEqual(['decision']);
    expect(s.images(d.id).map((i) => i.state)).toEqual(['queued']);
    s.markSynced(req.decisionId, 'account_issued', { ...d, version: d.version + 1 });
    expect(s.dueEntries('ttcntt', Date.now(), 10).map((e) => e.kind)).toEqual(['attachment']);
  });

  it('a newer image of the same role supersedes an unsent one; other roles stay', () => {
    const back = s.recordImage(image(other.id, 'idBack'), officer);
    const first = s.recordImage(image(other.id, 'formPage1'), officer);
    const second = s.recordImage(image(other.id, 'formPage1'), officer);
    expect(s.image(first.id)?.state).toBe('dismissed');
    expect(s.images(other.id).map((i) => [i.role, i.id])).toEqual([
      ['formPage1', second.id],
      ['idBack', back.id],
    ]);
    // d's idFront, other's idBack and second formPage1 wait; the superseded one is not counted.
    expect(s.outboxCounts('ttcntt')).toMatchObject({ uploadsQueued: 3, uploadsFailed: 0 });
    s.markImageSynced(second.id, randomUUID());
    expect(s.image(second.id)).toMatchObject({ state: 'synced' });
    s.markImageFailed(back.id, 'Tệp không phải ảnh JPEG.');
    expect(s.outboxCounts('ttcntt')).toMatchObject({ uploadsQueued: 1, uploadsFailed: 1 });
    s.retryImage(back.id);
    expect(s.outboxCounts('ttcntt')).toMatchObject({ uploadsQueued: 2, uploadsFailed: 0 });
    expect(
      s.attachment(s.image(second.id)!.attachmentId!)?.content.equals(s.imageContent(second.id)!.content),
    ).toBe(true);
  });

  it('the reader lookup finds a dossier by ID number or dossier number within the scope only', () => {
    expect(s.findForReader({ idNumbers: ['001190123456'] }, [d.agencyCode]).map((x) => x.id)).toEqual([d.id]);
    expect(s.findForReader({ idNumbers: ['001190123456'] }, ['no-such-agency'])).toEqual([]);
    expect(s.findForReader({ dossierNumber: other.dossierNumber }, [other.agencyCode])[0]?.id).toBe(other.id);
  });
});

describe('images are encrypted at rest', () => {
  it('the image bytes are not in the file', () => {
    const f = file();
    const s = new LocalStore({ file: f, key: randomBytes(32) });
    const d = makeDossier(3);
    s.applyDossiers([d]);
    s.recordImage(image(d.id, 'photo', Buffer.from('PLAINTEXT-PORTRAIT-'.repeat(20))), officer);
    storeDatabase(s).pragma('wal_checkpoint(TRUNCATE)');
    s.close();
    expect(readFileSync(f).includes(Buffer.from('PLAINTEXT-PORTRAIT-'))).toBe(false);
  });
});

describe('the HTTP bridge: a larger body for Đính kèm only', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ws-intake-bridge-'));
  let ws: Workstation;
  let host: HttpHost;
  beforeAll(async () => {
    ws = createWorkstation({
      dataDir: dir,
      serviceUrl: 'http://127.0.0.1:9',
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

  const post = (method: string, size: number): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ dossierId: 'x', role: 'idFront', data: 'A'.repeat(size) });
      const req = request(
        {
          host: '127.0.0.1',
          port: host.port,
          path: `/api/call/${method}`,
          method: 'POST',
          headers: {
            host: `127.0.0.1:${host.port}`,
            cookie: 'ws_secret=s3cret',
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += String(c)));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  it('200 KB goes through for intake.attach (then refused as not signed in), 413 for other methods', async () => {
    const attach = await post('intake.attach', 200_000);
    expect(attach.status).toBe(200);
    expect(JSON.parse(attach.body)).toMatchObject({ ok: false });
    const other = await post('intake.images', 200_000);
    expect(other.status).toBe(413);
    expect(JSON.parse(other.body)).toMatchObject({
      error: { code: 'payload_too_large', message: 'Dữ liệu gửi lên quá lớn.' },
    });
  });

  it('over the cap: 413 with the Vietnamese limit', async () => {
    const r = await post('intake.attach', Math.ceil((MAX_ATTACH_BYTES * 4) / 3) + 100_000).catch(
      (e: unknown) => ({ status: -1, body: String(e) }),
    );
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({
      ok: false,
      error: { code: 'payload_too_large', message: 'Tệp quá lớn: chỉ nhận tệp tối đa 25 MB.' },
    });
  });
});
