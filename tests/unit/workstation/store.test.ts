// The local store on real encrypted SQLite files: each migration, encryption at rest, decision + outbox
// in one transaction, search with folded names (đ = d), and the officer-only dismissal of entries.
import Sqlite from 'better-sqlite3-multiple-ciphers';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StaffUser } from '../../../contract/index.js';
import { keyFileProvider } from '../../../electron/workstation/store/keys.js';
import {
  LocalStore,
  nameMatchQuery,
  NewerStoreError,
} from '../../../electron/workstation/store/localStore.js';
import { MIGRATIONS, migrate } from '../../../electron/workstation/store/migrations.js';
import { makeDossier } from './dossierFactory.js';
import { storeDatabase } from '../../../electron/workstation/store/inspect.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ws-store-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const file = (): string => path.join(tmp, `s${++n}.db`);
const key = (): Buffer => randomBytes(32);
const officer: StaffUser = {
  username: 'ttcntt',
  displayName: 'Trung tâm Công nghệ thông tin',
  role: 'officer',
  agencyCode: '903',
  agencyName: 'BHXH Tỉnh Test',
};

function rawDb(f: string, k: Buffer): Sqlite.Database {
  const db = new Sqlite(f);
  db.pragma(`hexkey='${k.toString('hex')}'`);
  return db;
}

/** A dossier row as stores of versions 5–7 kept it (the whole dossier in `data`), for migration tests. */
function insertVersion5Row(db: Sqlite.Database, d: ReturnType<typeof makeDossier>): void {
  db.prepare(
    `INSERT INTO dossiers (id, dossier_number, agency_code, kind, list_at, declared_at, bhxh_code, full_name,
       name_folded, address, contact_person, mobile, status, version, data, updated_at)
     VALUES (?, ?, '903', 'register', ?, ?, ?, ?, 'x', ?, ?, ?, 'pending', 1, ?, ?)`,
  ).run(
    d.id,
    d.dossierNumber,
    d.declaredAt,
    d.declaredAt,
    d.bhxhCode,
    d.fullName,
    d.address,
    d.contactPerson,
    d.mobile,
    JSON.stringify(d),
    d.declaredAt,
  );
}

function tables(db: Sqlite.Database): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{
      name: string;
    }>
  ).map((r) => r.name);
}

describe('migrations', () => {
  it('are numbered 1..n without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('are frozen as shipped: each one the same SQL, new ones only added at the end', () => {
    const shipped = [
      '1c9df759805c4795',
      'd10267acc41cdbca',
      'd6d812ce0abb102e',
      '0e7cc5442733bbd7',
      '7bed0269ca054386',
      '7e2dbfb7372f7361',
      '4dbf407af8bc53c0',
      'd3560b157e997a59',
      'f907c743db7c0117',
      '18eadba8e1b69ad4',
      '6850b59f7bd7da82',
    ];
    const now = MIGRATIONS.map((m) => createHash('sha256').update(m.up).digest('hex').slice(0, 16));
    expect(now.slice(0, shipped.length)).toEqual(shipped);
  });

  it('1 creates STRICT dossiers, outbox, sync_state and audit tables', () => {
    const db = rawDb(file(), key());
    expect(migrate(db, 1)).toBe(1);
    expect(tables(db)).toEqual(expect.arrayContaining(['audit', 'dossiers', 'outbox', 'sync_state']));
    // STRICT refuses a wrongly typed value instead of storing it
    expect(() => db.prepare("INSERT INTO sync_state (key, value) VALUES ('k', x'00')").run()).toThrow(
      /cannot store BLOB/u,
    );
    expect(() =>
      db
        .prepare(
          "INSERT INTO outbox (id, seq, dossier_id, username, agency_code, payload, state, created_at, updated_at) VALUES ('a',1,'d','u','903','{}','lost','t','t')",
        )
        .run(),
    ).toThrow(/CHECK/u);
    db.close();
  });

  it('2 adds the credentials, agencies and reasons caches on top of 1', () => {
    const db = rawDb(file(), key());
    migrate(db, 1);
    expect(tables(db)).not.toContain('credentials');
    expect(migrate(db, 2)).toBe(2);
    expect(tables(db)).toEqual(expect.arrayContaining(['agencies', 'credentials', 'reasons']));
    db.close();
  });

  it('3 adds the attachments cache and the full-text name index, keeping existing rows', () => {
    const f = file();
    const k = key();
    const db = rawDb(f, k);
    migrate(db, 2);
    db.prepare("INSERT INTO sync_state (key, value) VALUES ('deviceId', 'ws-1')").run();
    expect(migrate(db, 3)).toBe(3);
    expect(tables(db)).toEqual(expect.arrayContaining(['attachments', 'dossier_names']));
    expect(db.prepare("SELECT value FROM sync_state WHERE key = 'deviceId'").get()).toEqual({
      value: 'ws-1',
    });
    db.close();
  });

  it('4 indexes the dossiers waiting for a decision to sync, used by the clearing update', () => {
    const db = rawDb(file(), key());
    migrate(db, 3);
    expect(migrate(db, 4)).toBe(4);
    const plan = db
      .prepare("EXPLAIN QUERY PLAN UPDATE dossiers SET pending_decision = NULL WHERE pending_decision = 'x'")
      .all() as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX dossiers_pending/u);
    db.close();
  });

  it('6 moves the ID number into an indexed column, filled for the rows already there', () => {
    const db = rawDb(file(), key());
    migrate(db, 5);
    const d = makeDossier(1, { idNumber: '031083572175' });
    insertVersion5Row(db, d);
    expect(migrate(db, 6)).toBe(6);
    expect(db.prepare('SELECT id_number FROM dossiers WHERE id = ?').get(d.id)).toEqual({
      id_number: '031083572175',
    });
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT * FROM dossiers WHERE id_number IN ('031083572175')")
      .all() as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX dossiers_id_number/u);
    db.close();
    // and the store fills it for every dossier it stores
    const s = new LocalStore({ file: file(), key: key() });
    const e = makeDossier(2, { idNumber: '001203004005' });
    s.applyDossiers([e]);
    expect(s.findForReader({ idNumbers: ['001203004005'] }, ['903']).map((x) => x.id)).toEqual([e.id]);
    s.close();
  });

  it('7 sorts Họ và tên the Vietnamese way, for the rows already there too', () => {
    const f = file();
    const k = key();
    const db = rawDb(f, k);
    migrate(db, 6);
    db.close();
    const names = ['Đỗ Văn Tỏi', 'Nguyễn Văn Ân', 'Dương Văn Tỏi', 'Nguyễn Văn Anh', 'Trần Thị Ăn', 'Lê An'];
    // stored by a store of version 6 (no name_sort yet), then opened by the current one
    const raw = rawDb(f, k);
    names.forEach((fullName, i) => {
      const d = makeDossier(300 + i, { fullName });
      insertVersion5Row(raw, d);
    });
    raw.close();
    const s = new LocalStore({ file: f, key: k });
    s.applyDossiers([makeDossier(400, { fullName: 'Phạm Thị Ấn' })]);
    const sorted = s
      .listDossiers({}, { field: 'fullName', order: 'asc' }, 0, 50, null)
      .rows.map((r) => r.fullName);
    // given name first (An < Anh < Ăn < Ân < Ấn, tones aside), then family name (Dương < Đỗ)
    expect(sorted).toEqual([
      'Lê An',
      'Nguyễn Văn Anh',
      'Trần Thị Ăn',
      'Nguyễn Văn Ân',
      'Phạm Thị Ấn',
      'Dương Văn Tỏi',
      'Đỗ Văn Tỏi',
    ]);
    expect(
      s.listDossiers({}, { field: 'fullName', order: 'desc' }, 0, 50, null).rows.map((r) => r.fullName),
    ).toEqual([...sorted].reverse());
    s.close();
  });

  it('8 keeps the whole dossier beside the list row, with the claim as a column', () => {
    const f = file();
    const k = key();
    const db = rawDb(f, k);
    migrate(db, 7);
    const claim = { claimedBy: 'ttcntt', claimedUntil: '2026-11-25T10:00:00+07:00' };
    const d = makeDossier(500, { claim });
    insertVersion5Row(db, d);
    expect(migrate(db, 8)).toBe(8);
    const columns = (db.prepare('PRAGMA table_info(dossiers)').all() as Array<{ name: string }>).map(
      (c) => c.name,
    );
    expect(columns).not.toContain('data');
    expect(columns).toContain('claim_json');
    expect(
      JSON.parse((db.prepare('SELECT claim_json FROM dossiers').get() as { claim_json: string }).claim_json),
    ).toEqual(claim);
    db.close();
    const s = new LocalStore({ file: f, key: k });
    expect(s.getDossier(d.id)).toMatchObject({ id: d.id, fullName: d.fullName, address: d.address, claim });
    expect(s.listDossiers({}, { field: 'receivedAt', order: 'desc' }, 0, 10, null).rows[0]?.claim).toEqual(
      claim,
    );
    // a tombstone removes both halves
    s.applyDossiers([], [d.id]);
    expect(s.getDossier(d.id)).toBeNull();
    expect(storeDatabase(s).prepare('SELECT count(*) AS n FROM dossier_data').get()).toEqual({ n: 0 });
    s.close();
  });

  it('9 keeps the sort keys of the list by row, and a narrow name search sorts with them', () => {
    const s = new LocalStore({ file: file(), key: key() });
    s.applyDossiers([makeDossier(1, { fullName: 'Trần Thị Mai' }), makeDossier(2, { fullName: 'Lê Mai' })]);
    const db = storeDatabase(s);
    expect(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'dossiers_order'").get()).toEqual({
      sql: 'CREATE INDEX dossiers_order ON dossiers (rid, list_at, dossier_number)',
    });
    const search = () => s.listDossiers({ name: 'mai' }, { field: 'receivedAt', order: 'desc' }, 0, 10, null);
    expect(
      search()
        .rows.map((r) => r.fullName)
        .sort(),
    ).toEqual(['Lê Mai', 'Trần Thị Mai']);
    // The search names the index (INDEXED BY): without it, it cannot run.
    db.exec('DROP INDEX dossiers_order');
    expect(search).toThrow(/no such index: dossiers_order/u);
    s.close();
  });

  it('11 carries the result into the list row: Trạng thái tells a code not in HGD from an issued account', () => {
    const f = file();
    const k = key();
    const db = rawDb(f, k);
    // a store at main's 10 (the mobile desk), as the field has them
    expect(migrate(db, 10)).toBe(10);
    const decided = (n: number, result: string) =>
      makeDossier(n, { status: 'decided', outcome: 'valid', result: result as never, reviewer: 'A' });
    const issued = decided(1, 'account_issued');
    const noCode = decided(2, 'code_not_found');
    const pending = makeDossier(3);
    const insert = (d: ReturnType<typeof makeDossier>, rid: number, pendingDecision: string | null) => {
      db.prepare(
        `INSERT INTO dossiers (rid, id, dossier_number, agency_code, kind, list_at, declared_at, bhxh_code, full_name,
           name_folded, address, contact_person, mobile, status, outcome, version, updated_at, pending_decision)
         VALUES (?, ?, ?, '903', 'register', ?, ?, ?, ?, 'x', ?, ?, ?, ?, ?, 1, ?, ?)`,
      ).run(
        rid,
        d.id,
        d.dossierNumber,
        d.declaredAt,
        d.declaredAt,
        d.bhxhCode,
        d.fullName,
        d.address,
        d.contactPerson,
        d.mobile,
        d.status,
        d.outcome,
        d.declaredAt,
        pendingDecision,
      );
      db.prepare('INSERT INTO dossier_data (rid, data) VALUES (?, ?)').run(rid, JSON.stringify(d));
    };
    insert(issued, 1, null);
    insert(noCode, 2, null);
    // decided here, not yet answered: the stored JSON still says what the service said (nothing)
    insert({ ...pending, status: 'decided', outcome: 'valid' }, 3, randomUUID());
    expect(migrate(db, 11)).toBe(11);
    expect(db.prepare('SELECT rid, result FROM dossiers ORDER BY rid').all()).toEqual([
      { rid: 1, result: 'account_issued' },
      { rid: 2, result: 'code_not_found' },
      { rid: 3, result: null },
    ]);
    db.close();
    const s = new LocalStore({ file: f, key: k });
    const by = (verdict: 'valid' | 'code_not_found' | 'invalid') =>
      s
        .listDossiers({ verdict }, { field: 'receivedAt', order: 'desc' }, 0, 10, null)
        .rows.map((r) => [r.dossierNumber, r.result]);
    expect(by('code_not_found')).toEqual([[noCode.dossierNumber, 'code_not_found']]);
    // Hồ sơ hợp lệ: the issued account and the approval still waiting for its answer, not the code not found
    expect(
      by('valid')
        .map(([n]) => n)
        .sort(),
    ).toEqual([issued.dossierNumber, pending.dossierNumber].sort());
    expect(by('invalid')).toEqual([]);
    // the service's answer arrives: the row takes its result
    s.applyDossiers([{ ...noCode, version: 2, result: 'code_not_found' }]);
    expect(s.getDossier(noCode.id)?.result).toBe('code_not_found');
    s.close();
  });

  it('running them again is a no-op', () => {
    const f = file();
    const k = key();
    new LocalStore({ file: f, key: k }).close();
    const s = new LocalStore({ file: f, key: k });
    expect(storeDatabase(s).pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(storeDatabase(s).pragma('journal_mode', { simple: true })).toBe('wal');
    // 1 = NORMAL between decisions; recordDecision commits with FULL and switches back
    expect(storeDatabase(s).pragma('synchronous', { simple: true })).toBe(1);
    s.close();
  });
  it('a store written by a newer workstation is refused with a clear message and left as it was', () => {
    const f = file();
    const k = key();
    const s = new LocalStore({ file: f, key: k });
    const d = makeDossier(1);
    s.applyDossiers([d]);
    s.close();
    // A newer app's store: one migration more than this app knows, in rollback-journal mode.
    const newer = rawDb(f, k);
    newer.pragma('journal_mode = DELETE');
    newer.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    newer.close();
    const before = readFileSync(f);
    let refused: unknown;
    try {
      new LocalStore({ file: f, key: k }).close();
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(NewerStoreError);
    expect((refused as Error).message).toBe(
      `Kho dữ liệu máy trạm do phiên bản mới hơn tạo (lược đồ ${MIGRATIONS.length + 1}, phiên bản này chỉ biết đến ${MIGRATIONS.length}): hãy cài phiên bản mới nhất của ứng dụng máy trạm. Kho dữ liệu không bị thay đổi.`,
    );
    // Not a byte written: no WAL switch, no migration, no bulk-load repair.
    expect(readFileSync(f).equals(before)).toBe(true);
    const check = rawDb(f, k);
    expect(check.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(check.prepare('SELECT count(*) AS n FROM dossiers').get()).toEqual({ n: 1 });
    check.close();
  });
});

describe('encryption at rest', () => {
  it('the file holds no plaintext name or ID number and will not open without the key', () => {
    const f = file();
    const k = key();
    const s = new LocalStore({ file: f, key: k });
    const d = makeDossier(1, {
      fullName: 'Nguyễn Thị Các',
      idNumber: '001190123456',
      bhxhCode: '0125327343',
    });
    s.applyDossiers([d]);
    s.saveAttachment({
      id: 'a1',
      dossierId: d.id,
      role: 'idFront',
      mediaType: 'image/png',
      content: Buffer.from('PLAINTEXT-ID-IMAGE'),
    });
    storeDatabase(s).pragma('wal_checkpoint(TRUNCATE)');
    s.close();
    const bytes = readFileSync(f);
    for (const secret of [
      'Nguyễn Thị Các',
      'Nguyen',
      '001190123456',
      '0125327343',
      'PLAINTEXT-ID-IMAGE',
      'SQLite format 3',
    ]) {
      expect(bytes.includes(Buffer.from(secret, 'utf8')), secret).toBe(false);
    }
    // No key: SQLITE_NOTADB
    const noKey = new Sqlite(f);
    expect(() => noKey.prepare('SELECT count(*) FROM dossiers').get()).toThrow(/not a database/u);
    noKey.close();
    // Wrong key: refused too
    expect(() => new LocalStore({ file: f, key: key() })).toThrow(/not a database/u);
    // Right key: the data is there
    const again = new LocalStore({ file: f, key: k });
    expect(again.getDossier(d.id)?.fullName).toBe('Nguyễn Thị Các');
    again.close();
  });

  it('the development key file is created 0600 and reused', () => {
    const kf = path.join(tmp, 'keys', 'store.key');
    const a = keyFileProvider(kf).loadKey();
    expect(statSync(kf).mode & 0o777).toBe(0o600);
    expect(keyFileProvider(kf).loadKey().equals(a)).toBe(true);
    expect(a.length).toBe(32);
  });
});

describe('dossiers and search', () => {
  const s = new LocalStore({ file: file(), key: key() });
  afterAll(() => s.close());
  const cac = makeDossier(10, { fullName: 'Nguyễn Thị Các', bhxhCode: '0125327343' });
  const dong = makeDossier(11, { fullName: 'Đỗ Văn Tỏi', bhxhCode: '0122381901' });
  const other = makeDossier(12, { fullName: 'Trần Minh Triều', bhxhCode: '0206215276', agencyCode: '00115' });
  const twin = makeDossier(13, { fullName: 'Trần Minh Triều', bhxhCode: '0206215276', agencyCode: '00115' });
  s.applyDossiers([cac, dong, other, twin]);
  s.saveAgencies([
    { code: '903', name: 'BHXH Tỉnh Test', parentCode: null, address: 'a', phone: 'p' },
    { code: '00115', name: 'BHXH huyện Test', parentCode: '903', address: 'b', phone: 'q' },
    { code: '001', name: 'BHXH Thành phố Hà Nội', parentCode: null, address: 'c', phone: 'r' },
  ]);
  const sort = { field: 'receivedAt' as const, order: 'desc' as const };

  it('folds names for search: no diacritics, đ = d, word prefix', () => {
    expect(nameMatchQuery('  Nguyễn  Thị Các ')).toBe('"nguyen thi cac"*');
    const names = (q: string): string[] =>
      s.listDossiers({ name: q }, sort, 0, 50, null).rows.map((r) => r.fullName);
    expect(names('nguyen thi cac')).toEqual(['Nguyễn Thị Các']);
    expect(names('NGUYEN THI CA')).toEqual(['Nguyễn Thị Các']);
    expect(names('do van toi')).toEqual(['Đỗ Văn Tỏi']);
    expect(names('đỗ')).toEqual(['Đỗ Văn Tỏi']);
    expect(names('thi nguyen')).toEqual([]);
  });

  it('filters by code, number and agency scope; finds the same code twice', () => {
    expect(s.listDossiers({ bhxhCode: '0206215276' }, sort, 0, 50, null).total).toBe(2);
    expect(s.listDossiers({ dossierNumber: cac.dossierNumber }, sort, 0, 50, null).rows[0]?.id).toBe(cac.id);
    expect(s.agencyScope('903').sort()).toEqual(['00115', '903']);
    expect(s.listDossiers({}, sort, 0, 50, s.agencyScope('00115')).total).toBe(2);
    expect(s.listDossiers({}, sort, 0, 50, s.agencyScope('001')).total).toBe(0);
    expect(s.sameCode('0206215276', other.id).map((d) => d.id)).toEqual([twin.id]);
  });

  it('an older version from the feed never overwrites a newer one; a tombstone deletes', () => {
    s.applyDossiers([{ ...dong, version: 3, address: 'mới' }]);
    s.applyDossiers([{ ...dong, version: 2, address: 'cũ' }]);
    expect(s.getDossier(dong.id)?.address).toBe('mới');
    const gone = makeDossier(20);
    s.applyDossiers([gone]);
    s.applyDossiers([], [gone.id]);
    expect(s.getDossier(gone.id)).toBeNull();
  });

  it('a newer version with the same list identity updates its columns in place; a renamed one moves the name index', () => {
    const names = (q: string): string[] =>
      s.listDossiers({ name: q }, sort, 0, 50, null).rows.map((r) => r.fullName);
    const d = makeDossier(30, { fullName: 'Lê Thị Hạnh', status: 'pending', version: 1 });
    s.applyDossiers([d]);
    // the service's answer to a decision: same number, code, name and dates; new status and version
    s.applyDossiers([
      {
        ...d,
        status: 'decided',
        outcome: 'invalid',
        reviewer: 'Cán bộ A',
        decidedAt: '2026-11-20T03:00:00.000Z',
        version: 2,
      },
    ]);
    const decided = s.getDossier(d.id)!;
    expect([decided.status, decided.outcome, decided.reviewer, decided.version]).toEqual([
      'decided',
      'invalid',
      'Cán bộ A',
      2,
    ]);
    expect(
      s.listDossiers({ status: 'decided', name: 'le thi hanh' }, sort, 0, 50, null).rows.map((r) => r.id),
    ).toEqual([d.id]);
    expect(s.listDossiers({ status: 'pending', name: 'le thi hanh' }, sort, 0, 50, null).total).toBe(0);
    // an older version changes nothing, also on this path
    s.applyDossiers([{ ...d, status: 'pending', version: 1 }]);
    expect(s.getDossier(d.id)?.status).toBe('decided');
    // a corrected name: the wide path, the name index follows
    s.applyDossiers([{ ...d, fullName: 'Lê Thị Hạnh Nguyên', version: 3 }]);
    expect(names('le thi hanh nguyen')).toEqual(['Lê Thị Hạnh Nguyên']);
    expect(names('le thi hanh n')).toEqual(['Lê Thị Hạnh Nguyên']);
  });
});

describe('first sync in bulk', () => {
  const indexes = (s: LocalStore): string[] =>
    (
      storeDatabase(s)
        .prepare(
          "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dossiers' AND sql IS NOT NULL",
        )
        .all() as Array<{ sql: string }>
    )
      .map((r) => r.sql)
      .sort();
  const sort = { field: 'receivedAt' as const, order: 'desc' as const };
  const names = (s: LocalStore, q: string): string[] =>
    s.listDossiers({ name: q }, sort, 0, 50, null).rows.map((r) => r.fullName);

  it('drops the secondary indexes, then builds them and the name index once at the end', () => {
    const s = new LocalStore({ file: file(), key: key() });
    const before = indexes(s);
    expect(before.length).toBeGreaterThanOrEqual(7);
    expect(s.beginBulkLoad()).toBe(true);
    expect(s.bulkLoading).toBe(true);
    expect(indexes(s)).toEqual([]);
    const cac = makeDossier(1, { fullName: 'Nguyễn Thị Các', version: 1 });
    const gone = makeDossier(2, { fullName: 'Lê Văn Mất' });
    s.applyChangePage([cac, gone, makeDossier(3, { fullName: 'Đỗ Văn Tỏi' })], [], 'lastSeq:903', 3);
    // the same dossier again later in the feed (decided), and a tombstone: one row each way
    s.applyChangePage(
      [{ ...cac, version: 2, status: 'decided', outcome: 'valid' }],
      [gone.id],
      'lastSeq:903',
      5,
    );
    expect(s.countDossiers()).toBe(2);
    expect(names(s, 'nguyen thi cac')).toEqual([]); // not searchable by name until the end
    s.endBulkLoad();
    expect(s.bulkLoading).toBe(false);
    expect(indexes(s)).toEqual(before);
    expect(names(s, 'nguyen thi cac')).toEqual(['Nguyễn Thị Các']);
    expect(names(s, 'do van')).toEqual(['Đỗ Văn Tỏi']);
    expect(names(s, 'le van mat')).toEqual([]);
    expect(s.getDossier(cac.id)?.status).toBe('decided');
    expect(s.getState('lastSeq:903')).toBe('5');
    // later pages keep both indexes up to date again, row by row
    s.applyDossiers([makeDossier(4, { fullName: 'Phạm Thị Sau' })]);
    expect(names(s, 'pham thi sau')).toEqual(['Phạm Thị Sau']);
    s.close();
  });

  it('does not start on a store that already holds dossiers', () => {
    const s = new LocalStore({ file: file(), key: key() });
    s.applyDossiers([makeDossier(5)]);
    const before = indexes(s);
    expect(s.beginBulkLoad()).toBe(false);
    expect(s.bulkLoading).toBe(false);
    expect(indexes(s)).toEqual(before);
    s.close();
  });

  it('a crash in the middle: the next open restores the indexes and the name index', () => {
    const f = file();
    const k = key();
    const s = new LocalStore({ file: f, key: k });
    const before = indexes(s);
    s.beginBulkLoad();
    s.applyChangePage([makeDossier(6, { fullName: 'Vũ Thị Hoa' })], [], 'lastSeq:903', 1);
    s.close(); // no endBulkLoad: as if the process had died
    const again = new LocalStore({ file: f, key: k });
    expect(again.bulkLoading).toBe(false);
    expect(indexes(again)).toEqual(before);
    expect(names(again, 'vu thi hoa')).toEqual(['Vũ Thị Hoa']);
    expect(again.getState('bulkLoad.indexes')).toBeNull();
    again.close();
  });
});

describe('search by a broad name', () => {
  // 3,000 dossiers, 1,500 of them "Nguyễn …": a broad name walks the list-order index, a narrow one
  // sorts its matches; both must give exactly the pages and totals a plain scan and sort gives.
  const s = new LocalStore({ file: file(), key: key() });
  afterAll(() => s.close());
  const all = Array.from({ length: 3000 }, (_, i) =>
    makeDossier(1000 + i, i % 2 === 0 ? { fullName: `Nguyễn Văn ${i % 7 === 0 ? 'Ánh' : 'Bình'} ${i}` } : {}),
  );
  s.applyDossiers(all);
  const fold = (x: string): string =>
    x.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/giu, 'd').toLowerCase();
  const expected = (test: (name: string) => boolean, order: 'asc' | 'desc'): string[] =>
    all
      .filter((d) => test(fold(d.fullName)))
      .sort((a, b) => {
        const at = (d: (typeof all)[number]): string => d.receivedAt ?? d.declaredAt;
        const c =
          at(a) < at(b)
            ? -1
            : at(a) > at(b)
              ? 1
              : a.dossierNumber < b.dossierNumber
                ? -1
                : a.dossierNumber > b.dossierNumber
                  ? 1
                  : 0;
        return order === 'asc' ? c : -c;
      })
      .map((d) => d.id);

  it.each([
    ['nguyen', (n: string) => /(^| )nguyen/u.test(n)],
    ['nguyen van', (n: string) => /(^| )nguyen van/u.test(n)],
    ['van anh', (n: string) => /(^| )van anh/u.test(n)],
  ])('"%s": total and every page as a full sort gives them, both orders', (q, test) => {
    for (const order of ['desc', 'asc'] as const) {
      const want = expected(test, order);
      const got: string[] = [];
      for (let offset = 0; offset < want.length + 200; offset += 200) {
        const page = s.listDossiers({ name: q }, { field: 'receivedAt', order }, offset, 200, null);
        expect(page.total).toBe(want.length);
        got.push(...page.rows.map((r) => r.id));
      }
      expect(got).toEqual(want);
    }
    // with a second filter the total is counted on the table, and still agrees
    const pending = s.listDossiers(
      { name: q, status: 'pending' },
      { field: 'receivedAt', order: 'desc' },
      0,
      5,
      null,
    );
    expect(pending.total).toBe(expected(test, 'desc').length);
  });

  it('the broad name really is broad, the narrow one narrow (both plans are exercised)', () => {
    expect(
      s.listDossiers({ name: 'nguyen' }, { field: 'receivedAt', order: 'desc' }, 0, 1, null).total,
    ).toBeGreaterThanOrEqual(1000);
    expect(
      s.listDossiers({ name: 'van anh' }, { field: 'receivedAt', order: 'desc' }, 0, 1, null).total,
    ).toBeLessThan(1000);
  });
});

describe('outbox', () => {
  const s = new LocalStore({ file: file(), key: key() });
  afterAll(() => s.close());
  const d = makeDossier(30);
  s.applyDossiers([d]);
  const request = (outcome: 'valid' | 'invalid') => ({
    decisionId: randomUUID(),
    outcome,
    reasonCodes: [],
    reason: outcome === 'invalid' ? 'Ảnh mờ' : '',
    baseVersion: d.version,
    decidedAt: new Date().toISOString(),
    deviceId: 'ws-test',
  });

  it('records the local change, the outbox entry and the audit line together', () => {
    const req = request('valid');
    const item = s.recordDecision({ request: req, dossierId: d.id, user: officer });
    expect(item).toMatchObject({ id: req.decisionId, state: 'queued', outcome: 'valid', username: 'ttcntt' });
    expect(s.getDossier(d.id)).toMatchObject({
      status: 'decided',
      outcome: 'valid',
      reviewer: officer.displayName,
    });
    expect(s.listDossiers({}, { field: 'receivedAt', order: 'desc' }, 0, 5, null).rows[0]?.localState).toBe(
      'queued',
    );
    expect(s.auditTrail(1)[0]).toMatchObject({ action: 'decision.recorded', dossierId: d.id });
    // a feed update while the decision waits keeps showing the officer's decision
    s.applyDossiers([{ ...d, version: 1, address: 'x' }]);
    expect(s.getDossier(d.id)?.outcome).toBe('valid');
  });

  it('a failure inside the transaction leaves neither the dossier change nor the entry', () => {
    const req = request('invalid');
    s.recordDecision({ request: req, dossierId: d.id, user: officer });
    // Same decisionId again: the insert fails on the primary key after the statement that supersedes
    // earlier entries ran; the rollback must undo that too, so the first entry stays queued.
    expect(() =>
      s.recordDecision({ request: { ...req, outcome: 'valid' }, dossierId: d.id, user: officer }),
    ).toThrow(/UNIQUE|PRIMARY/u);
    expect(s.outboxItem(req.decisionId)).toMatchObject({ state: 'queued', outcome: 'invalid' });
    expect(s.getDossier(d.id)?.outcome).toBe('invalid');
    expect(s.outboxCounts('ttcntt').queued).toBe(1);
  });

  it('a conflict keeps the entry until the officer dismisses it', () => {
    const [due] = s.dueEntries('ttcntt', Date.now(), 10);
    expect(due).toBeDefined();
    const server = {
      ...d,
      version: 2,
      status: 'decided' as const,
      outcome: 'valid' as const,
      reviewer: 'Người khác',
    };
    s.markRefused(due!.id, 'conflict', 'Hồ sơ đã được người khác xử lý.', server);
    expect(s.outboxItem(due!.id)?.state).toBe('conflict');
    expect(s.getDossier(d.id)).toMatchObject({ reviewer: 'Người khác', version: 2 });
    expect(s.outboxCounts('ttcntt').conflicts).toBe(1);
    expect(s.dismiss(due!.id, 'ttcntt')?.state).toBe('dismissed');
    expect(s.outboxCounts('ttcntt').conflicts).toBe(0);
  });
});
