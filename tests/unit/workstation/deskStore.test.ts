// The mobile desk in the local store (migration 10) on real encrypted SQLite files: the migration on a
// store that holds dossiers and decisions, a draft kept and resumed, Ghi nhận writing the whole chain
// in registration order, each chain's next step (a refused one stops that chain alone, the intakes in
// order), the person's state, the list's search (name without tone marks, ID number, Mã tạm), the
// same ID number today, ID image bytes encrypted at rest, and the retention sweep with its period
// read from the machine's settings (Cài đặt) on a whole workstation with a clock the test moves.
import Sqlite from 'better-sqlite3-multiple-ciphers';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDeskValues, EMPTY_DESK_VALUES, type DeskValues } from '../../../contract/deskForm.js';
import { parseProvisionalRef, type Dossier, type StaffUser } from '../../../contract/index.js';
import { storeDatabase } from '../../../electron/workstation/store/inspect.js';
import { keyFileProvider } from '../../../electron/workstation/store/keys.js';
import { LocalStore } from '../../../electron/workstation/store/localStore.js';
import { MIGRATIONS, migrate } from '../../../electron/workstation/store/migrations.js';
import { createWorkstation } from '../../../electron/workstation/workstation.js';
import { makeDossier } from './dossierFactory.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ws-desk-store-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const file = (): string => path.join(tmp, `d${++n}.db`);
const officer: StaffUser = {
  username: 'ttcntt',
  displayName: 'Trung tâm Công nghệ thông tin',
  role: 'officer',
  agencyCode: '903',
  agencyName: 'BHXH Tỉnh Test',
};

function values(name: string, idNumber: string): DeskValues {
  return {
    ...EMPTY_DESK_VALUES,
    fullName: name,
    idNumber,
    // the CCCD's century digit and year: 0 + 98 → 1998, 1 + 99 → 1999
    dateOfBirth: `01/12/19${idNumber.slice(4, 6)}`,
    gender: Number(idNumber[3]) % 2 === 0 ? 'Nam' : 'Nữ',
    address: 'Thôn Đông Du, Xã Đào Viên',
    contactPerson: name,
    mobile: '0912345001',
  };
}

/** A desk dossier recorded through the store as the handler does it. */
function record(s: LocalStore, name: string, idNumber: string, now: string) {
  const d = s.deskDraft(officer, randomUUID(), true);
  for (const role of ['photo', 'idFront', 'formPage1']) {
    const content = Buffer.concat([Buffer.from('ID-IMAGE-BYTES-'), randomBytes(32)]);
    s.addDeskImage(
      {
        id: randomUUID(),
        declarationId: d.id,
        role,
        mediaType: 'image/jpeg',
        sha256: 's'.repeat(64),
        content,
        source: 'camera',
      },
      officer.username,
    );
  }
  const check = checkDeskValues(values(name, idNumber), {
    clientId: d.id,
    agencyCode: '903',
    deskName: 'KCN Quang Minh',
    declaredAt: now,
    today: now.slice(0, 10),
  });
  expect(check.fields).toEqual({});
  return s.recordDesk({
    id: d.id,
    user: officer,
    deskName: 'KCN Quang Minh',
    declaredAt: now,
    values: values(name, idNumber),
    request: check.request!,
    receiveId: randomUUID(),
    decision: {
      id: randomUUID(),
      payload: { outcome: 'valid', reasonCodes: [], reason: '', decidedAt: now, deviceId: 'ws-1' },
    },
  });
}

describe('mobile desk in the local store (migration 10)', () => {
  it('10 adds the desk tables to a store that holds dossiers and a decision, leaving them as they were', () => {
    const f = file();
    const key = randomBytes(32);
    const db = new Sqlite(f);
    db.pragma(`hexkey='${key.toString('hex')}'`);
    expect(migrate(db, 9)).toBe(9);
    db.close();
    const old = new LocalStore({ file: f, key });
    const dossier = makeDossier(1);
    old.applyDossiers([dossier]);
    old.close();
    const s = new LocalStore({ file: f, key });
    const db2 = storeDatabase(s);
    expect(db2.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = (
      db2
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'desk_%'")
        .all() as Array<{ name: string }>
    ).map((r) => r.name);
    expect(tables.sort()).toEqual(['desk_declarations', 'desk_images', 'desk_steps']);
    expect(s.getDossier(dossier.id)?.fullName).toBe(dossier.fullName);
    // STRICT and checked: a step of an unknown kind is refused
    expect(() =>
      db2
        .prepare(
          "INSERT INTO desk_steps (id, declaration_id, position, kind, payload, state, created_at, updated_at) VALUES ('x','y',1,'teleport','{}','queued','t','t')",
        )
        .run(),
    ).toThrow();
    s.close();
  });

  it('a draft comes back after a restart; Ghi nhận writes the chain in registration order', () => {
    const f = file();
    const key = randomBytes(32);
    let s = new LocalStore({ file: f, key });
    const d = s.deskDraft(officer, randomUUID(), false);
    s.saveDeskDraft(d.id, values('Hoàng Văn Nam', '027098001234'), {
      fullName: { from: 'qr', confidence: 1 },
    });
    s.close();
    s = new LocalStore({ file: f, key });
    const again = s.deskDraft(officer, randomUUID(), false);
    expect(again.id).toBe(d.id);
    expect(again.values.fullName).toBe('Hoàng Văn Nam');
    expect(again.sources.fullName).toEqual({ from: 'qr', confidence: 1 });
    expect(parseProvisionalRef(again.ref).ok).toBe(true);
    s.discardDeskDraft(d.id);
    const a = record(s, 'Hoàng Văn Nam', '027098001234', '2026-12-03T02:00:00.000Z');
    const b = record(s, 'Nguyễn Thị Lan', '027199005678', '2026-12-03T02:05:00.000Z');
    expect(a.state).toBe('queued');
    expect(a.steps.map((x) => `${x.kind}${x.role ? `:${x.role}` : ''}`)).toEqual([
      'intake',
      'attachment:photo',
      'attachment:idFront',
      'attachment:formPage1',
      'receive',
      'decision',
    ]);
    // Only the first registered intake is due; nothing else of either chain before its intake.
    const first = s.nextDeskIntake('ttcntt', Date.now());
    expect(first?.declarationId).toBe(a.id);
    expect(s.dueDeskSteps('ttcntt', Date.now(), 10, new Set())).toEqual([]);
    // A's intake waits for a retry: B's intake waits behind it (the order of registration).
    s.rescheduleDeskStep(first!.id, Date.now() + 60_000, 'offline');
    expect(s.nextDeskIntake('ttcntt', Date.now())).toBeNull();
    s.close();
    expect(b.ref).not.toBe(a.ref);
  });

  it("a refused step stops that person's chain alone; accepted steps move it on to 'decided'", () => {
    const s = new LocalStore({ file: file(), key: randomBytes(32) });
    const a = record(s, 'Hoàng Văn Nam', '027098001234', '2026-12-03T02:00:00.000Z');
    const b = record(s, 'Nguyễn Thị Lan', '027199005678', '2026-12-03T02:05:00.000Z');
    s.markDeskStepFailed(a.id, 'Số điện thoại di động không hợp lệ.', {
      mobile: 'Số điện thoại di động không hợp lệ.',
    });
    expect(s.deskDeclaration(a.id)?.state).toBe('needs_fix');
    expect(s.deskDeclaration(a.id)?.refused?.fields).toEqual({
      mobile: 'Số điện thoại di động không hợp lệ.',
    });
    expect(s.nextDeskIntake('ttcntt', Date.now())?.declarationId).toBe(b.id);
    const dossier = { ...makeDossier(1), version: 1 } as Dossier;
    s.markDeskStepSynced(b.id, { dossier, intake: { codeResolution: 'by_id_number', duplicates: [] } });
    expect(s.deskDeclaration(b.id)).toMatchObject({
      state: 'sent',
      dossierNumber: dossier.dossierNumber,
      codeResolution: 'by_id_number',
    });
    let step = s.dueDeskSteps('ttcntt', Date.now(), 10, new Set());
    expect(step.map((x) => x.declarationId)).toEqual([b.id]);
    expect(step[0]!.kind).toBe('attachment');
    while ((step = s.dueDeskSteps('ttcntt', Date.now(), 10, new Set())).length > 0) {
      const x = step[0]!;
      s.markDeskStepSynced(
        x.id,
        x.kind === 'decision' ? { dossier: { ...dossier, version: 6 }, result: 'account_issued' } : {},
      );
    }
    const done = s.deskDeclaration(b.id)!;
    expect(done.state).toBe('decided');
    expect(s.deskCounts()).toEqual({ queued: 0, needsFix: 1 });
    // the decision's base version is fixed once, before its first send: every retry sends the same body
    const decisionOfA = s.deskDeclaration(a.id)!.steps.find((x) => x.kind === 'decision')!.id;
    expect(s.fixDecisionBase(decisionOfA, 5).baseVersion).toBe(5);
    expect(s.fixDecisionBase(decisionOfA, 9).baseVersion).toBe(5);
    s.close();
  });

  it('the list finds a name without tone marks, an ID number, a Mã tạm; the same ID today is found', () => {
    const s = new LocalStore({ file: file(), key: randomBytes(32) });
    const a = record(s, 'Hoàng Văn Nam', '027098001234', '2026-12-03T02:00:00.000Z');
    record(s, 'Nguyễn Thị Lan', '027199005678', '2026-12-03T02:05:00.000Z');
    const find = (query: string) => s.deskList({ query, limit: 50 }, ['903']).map((r) => r.fullName);
    expect(find('hoang van')).toEqual(['Hoàng Văn Nam']);
    expect(find('nguyen thi lan')).toEqual(['Nguyễn Thị Lan']);
    expect(find('027199')).toEqual(['Nguyễn Thị Lan']);
    expect(find(a.ref.toLowerCase().replace(/-/gu, ' '))).toEqual(['Hoàng Văn Nam']);
    expect(find('')).toEqual(['Nguyễn Thị Lan', 'Hoàng Văn Nam']);
    expect(s.deskList({ query: '', limit: 50 }, ['001'])).toEqual([]);
    expect(s.deskSameIdToday('027098001234', '2026-12-03', 'other').map((x) => x.id)).toEqual([a.id]);
    expect(s.deskSameIdToday('027098001234', '2026-12-04', 'other')).toEqual([]);
    s.close();
  });

  it('ID image bytes are encrypted at rest, and the retention sweep deletes them once the chain ended', () => {
    const f = file();
    const s = new LocalStore({ file: f, key: randomBytes(32) });
    const a = record(s, 'Hoàng Văn Nam', '027098001234', '2026-12-03T02:00:00.000Z');
    storeDatabase(s).pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(f).includes(Buffer.from('ID-IMAGE-BYTES-'))).toBe(false);
    expect(readFileSync(f).includes(Buffer.from('027098001234'))).toBe(false);
    // not done: nothing to purge
    expect(s.purgeDeskImages('2999-01-01T00:00:00.000Z')).toBe(0);
    for (const x of s.deskDeclaration(a.id)!.steps)
      s.markDeskStepSynced(x.id, x.kind === 'intake' ? { dossier: makeDossier(1) } : {});
    expect(s.deskDeclaration(a.id)!.state).toBe('decided');
    expect(s.purgeDeskImages('2000-01-01T00:00:00.000Z')).toBe(0); // within the retention period
    expect(s.purgeDeskImages('2999-01-01T00:00:00.000Z')).toBe(1);
    const after = s.deskDeclaration(a.id)!;
    expect(after.imagesPurgedAt).not.toBeNull();
    expect(after.images.every((i) => i.purgedAt !== null)).toBe(true);
    expect(after.images.every((i) => s.deskImageContent(i.id)?.content === null)).toBe(true);
    s.close();
  });

  it("the retention period is the settings' (default 7 days): changing it in Cài đặt changes what is deleted, a bad value changes nothing", async () => {
    const dir = mkdtempSync(path.join(tmp, 'ws-'));
    const day = 86400_000;
    let now = Date.parse('2026-12-01T02:00:00.000Z');
    const ws = createWorkstation({
      dataDir: dir,
      serviceUrl: 'http://127.0.0.1:9',
      keyProvider: keyFileProvider(path.join(dir, 'store.key')),
      transport: 'http',
      requestTimeoutMs: 1000,
      now: () => new Date(now),
    });
    try {
      const done = (name: string, idNumber: string) => {
        const d = record(ws.store, name, idNumber, new Date(now).toISOString());
        for (const x of ws.store.deskDeclaration(d.id)!.steps)
          ws.store.markDeskStepSynced(x.id, x.kind === 'intake' ? { dossier: makeDossier(++n) } : {});
        expect(ws.store.deskDeclaration(d.id)!.state).toBe('decided');
        return d.id;
      };
      const kept = (id: string): number =>
        ws.store.deskDeclaration(id)!.images.filter((i) => ws.store.deskImageContent(i.id)?.content !== null)
          .length;
      expect(ws.settings.get().imageRetentionDays).toBe(7);
      const a = done('Hoàng Văn Nam', '027098001234'); // chain ended on 1 Dec
      now += 3 * day;
      const b = done('Nguyễn Thị Lan', '027199002345'); // chain ended on 4 Dec
      now += 3 * day; // 7 Dec: A's chain ended 6 days ago, B's 3 days ago
      expect(ws.deskSweep()).toBe(0);
      expect([kept(a), kept(b)]).toEqual([3, 3]);

      // Cài đặt: 5 days. A (6 days) goes at once, without waiting for the sweep's timer; B (3 days) stays.
      ws.settings.update({ imageRetentionDays: 5 });
      expect([kept(a), kept(b)]).toEqual([0, 3]);
      expect(ws.store.deskDeclaration(a)!.imagesPurgedAt).not.toBeNull();

      // Longer again: B stays past the default 7 days.
      ws.settings.update({ imageRetentionDays: 30 });
      now += 6 * day; // 13 Dec: B's chain ended 9 days ago
      expect(ws.deskSweep()).toBe(0);
      expect(kept(b)).toBe(3);

      // A value outside the settings' rules is refused with their sentence and changes nothing.
      const bad = await ws.dispatch('settings.update', { patch: { imageRetentionDays: 400 } });
      expect(bad.ok).toBe(false);
      expect(JSON.stringify(bad)).toMatch(/tối đa 90 ngày/u);
      const negative = await ws.dispatch('settings.update', { patch: { imageRetentionDays: -1 } });
      expect(negative.ok).toBe(false);
      expect(ws.settings.get().imageRetentionDays).toBe(30);
      expect(ws.deskSweep()).toBe(0);
      expect(kept(b)).toBe(3);

      // Through the settings' own method, as the screen saves it: 0 deletes at the next sweep.
      const zero = await ws.dispatch('settings.update', { patch: { imageRetentionDays: 0 } });
      expect(zero.ok).toBe(true);
      expect(kept(b)).toBe(0);
      expect(ws.deskSweep()).toBe(0);
    } finally {
      await ws.close();
    }
  });
});
