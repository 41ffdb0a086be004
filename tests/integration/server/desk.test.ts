// The service's side of the mobile registration desk, over real HTTP on both database targets:
// Tra cứu mã số BHXH (exact matches by ID number or by whole name + date of birth, at most 5, audited,
// rate-limited per officer, through its indexes), and intake from a desk (its name and time kept, an
// empty BHXH code resolved by ID number, idempotent by clientId, duplicates, bad input refused with
// nothing changed, approval of an unresolved code answering code_not_found, expiry from intake).

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  countRows,
  createClock,
  declaration,
  signIn,
  startTarget,
  TARGETS,
  type TestService,
} from './helpers.js';

const SEARCH_LIMIT = 12;
const DAY = 86400_000;

/** A declaration from the desk at KCN Quang Minh for Hoàng Văn Nam (demo registry, code 2798001234). */
const deskDeclaration = (
  declaredAt: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> =>
  declaration({
    agencyCode: '00115',
    fullName: 'Hoàng Văn Nam',
    contactPerson: 'Hoàng Văn Nam',
    bhxhCode: null,
    idNumber: '027098001234',
    dateOfBirth: '1998-04-17',
    gender: 'Nam',
    email: null,
    mobile: '0987 654 321',
    submissionMethod: 'mobile_desk',
    deskName: 'KCN Quang Minh',
    declaredAt,
    ...overrides,
  });

describe.each(TARGETS)('mobile desk: registry search and desk intake on %s', (target) => {
  let s: TestService;
  let officer: string; // ttcntt of 903
  let district: string; // cb00115
  let hanoi: string; // cbhn of 001
  const clock = createClock(new Date('2026-03-10T09:00:00+07:00'));
  const search = (token: string, query: string) =>
    call(s.url, 'GET', `/api/v1/registry/persons?${query}`, { token });

  beforeAll(async () => {
    s = await startTarget(target, {
      now: clock.now,
      config: { loginLimit: { perAddress: 1000, perUser: 1000 }, registrySearchPerMinute: SEARCH_LIMIT },
    });
    officer = await signIn(s.url, '903', 'ttcntt');
    district = await signIn(s.url, '00115', 'cb00115');
    hanoi = await signIn(s.url, '001', 'cbhn');
  });
  afterAll(async () => {
    await s?.stop();
  });

  describe('GET /registry/persons', () => {
    it('finds exactly by ID number, or by the whole name (case, spaces, diacritics and đ folded) with the date of birth', async () => {
      const nam = {
        bhxhCode: '2798001234',
        fullName: 'Hoàng Văn Nam',
        dateOfBirth: '1998-04-17',
        gender: 'Nam',
      };
      expect(await search(officer, 'idNumber=027098001234')).toMatchObject({
        status: 200,
        body: { items: [nam] },
      });
      expect((await search(officer, 'idNumber=027%20098%20001234')).body.items).toEqual([nam]);
      const folded = await search(officer, 'fullName=HOANG%20%20van%20nam%20&dateOfBirth=1998-04-17');
      expect(folded.body.items).toEqual([nam]);
      const toi = await search(
        officer,
        `fullName=${encodeURIComponent('do van TOI')}&dateOfBirth=1979-01-09`,
      );
      expect(toi.body.items).toEqual([
        { bhxhCode: '0122381901', fullName: 'Đỗ Văn Tỏi', dateOfBirth: '1979-01-09', gender: 'Nam' },
      ]);
      const nfd = await search(
        officer,
        `fullName=${encodeURIComponent('Đỗ Văn Tỏi'.normalize('NFD'))}&dateOfBirth=1979-01-09`,
      );
      expect(nfd.body.items).toHaveLength(1);
      // never a partial browse: a part of the name, another date, an unknown number find no one
      for (const q of [
        `fullName=${encodeURIComponent('Hoàng Văn')}&dateOfBirth=1998-04-17`,
        `fullName=Nam&dateOfBirth=1998-04-17`,
        `fullName=${encodeURIComponent('Hoàng Văn Nam')}&dateOfBirth=1998-04-18`,
        'idNumber=027098001235',
        'idNumber=012345678',
      ]) {
        const res = await search(officer, q);
        expect(res.status, q).toBe(200);
        expect(res.body, q).toEqual({ items: [] });
      }
      clock.advance(61_000); // a new rate-limit window for the next tests
    });

    it('answers at most 5 exact matches, ordered by code', async () => {
      await s.db.query(
        `INSERT INTO registry_persons (bhxh_code, full_name, date_of_birth, gender, id_number)
         SELECT '99000000' || lpad(i::text, 2, '0'), 'Nguyễn Thị Trùng', '1990-01-01', 'Nữ', '001190999999'
           FROM generate_series(1, 7) AS i`,
      );
      const byName = await search(
        officer,
        `fullName=${encodeURIComponent('nguyen thi trung')}&dateOfBirth=1990-01-01`,
      );
      expect(byName.body.items.map((p: { bhxhCode: string }) => p.bhxhCode)).toEqual([
        '9900000001',
        '9900000002',
        '9900000003',
        '9900000004',
        '9900000005',
      ]);
      expect((await search(officer, 'idNumber=001190999999')).body.items).toHaveLength(5);
      clock.advance(61_000);
    });

    it('refuses bad input with 422 naming the field in Vietnamese, and writes nothing', async () => {
      const before = await countRows(s);
      const audits = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
      const cases: Array<[string, string, RegExp]> = [
        ['', 'idNumber', /Nhập số CCCD\/CMND/u],
        ['idNumber=12345', 'idNumber', /12 chữ số/u],
        ['idNumber=0270980012345', 'idNumber', /12 chữ số/u],
        ['idNumber=027098001234&fullName=A&dateOfBirth=1998-04-17', 'idNumber', /không dùng cả hai/u],
        ['fullName=Ho%C3%A0ng%20V%C4%83n%20Nam', 'dateOfBirth', /Ngày sinh là bắt buộc/u],
        ['dateOfBirth=1998-04-17', 'fullName', /Họ và tên là bắt buộc/u],
        ['fullName=%20%20%20&dateOfBirth=1998-04-17', 'fullName', /Họ và tên là bắt buộc/u],
        ['fullName=Nam&dateOfBirth=1998-02-30', 'dateOfBirth', /không có thật/u],
        ['fullName=Nam&dateOfBirth=0000-01-01', 'dateOfBirth', /không có thật|từ năm 1900/u],
        ['fullName=Nam%00&dateOfBirth=1998-04-17', 'fullName', /ký tự điều khiển/u],
      ];
      for (const [q, field, message] of cases) {
        const res = await search(officer, q);
        expect(res.status, q).toBe(422);
        expect(res.body.error.code, q).toBe('validation_failed');
        expect(res.body.error.fields[field], q).toMatch(message);
      }
      const twice = await search(officer, 'idNumber=027098001234&idNumber=027098001234');
      expect(twice.status).toBe(422);
      expect(twice.body.error.fields.idNumber).toBeTruthy();
      expect((await call(s.url, 'GET', '/api/v1/registry/persons?idNumber=027098001234')).status).toBe(401);
      expect(await countRows(s)).toEqual(before);
      const after = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
      expect(after.rows[0]!.n).toBe(audits.rows[0]!.n);
    });

    it('audits every lookup with masked values only', async () => {
      const from = await s.db.query<{ id: string }>('SELECT COALESCE(max(id), 0)::text AS id FROM audit_log');
      await search(officer, 'idNumber=027098001234');
      await search(officer, `fullName=${encodeURIComponent('Hoàng Văn Nam')}&dateOfBirth=1998-04-17`);
      const rows = await s.db.query<{ actor: string; action: string; payload: string }>(
        'SELECT actor, action, payload FROM audit_log WHERE id > $1 ORDER BY id',
        [from.rows[0]!.id],
      );
      expect(rows.rows.map((r) => [r.actor, r.action])).toEqual([
        ['903/ttcntt', 'registry.search'],
        ['903/ttcntt', 'registry.search'],
      ]);
      const [byId, byName] = rows.rows.map((r) => JSON.parse(r.payload).details);
      expect(byId).toEqual({ by: 'idNumber', idNumber: '*********234', results: 1, found: ['*******234'] });
      expect(byName).toEqual({ by: 'name', results: 1, found: ['*******234'] });
      for (const r of rows.rows) {
        expect(r.payload).not.toContain('027098001234');
        expect(r.payload).not.toContain('2798001234');
        expect(r.payload).not.toMatch(/Hoàng|Hoang/u);
      }
      clock.advance(61_000);
    });

    it('reads through its indexes, not the whole registry', async () => {
      const plan = async (sql: string, params: unknown[]): Promise<string> =>
        await s.db.transaction(async (tx) => {
          await tx.exec('SET LOCAL enable_seqscan = off');
          const res = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
          return res.rows.map((r) => r['QUERY PLAN']).join('\n');
        });
      expect(
        await plan(
          `SELECT bhxh_code FROM registry_persons WHERE registry_name_key(full_name) = registry_name_key($1) AND date_of_birth = $2::date`,
          ['hoang van nam', '1998-04-17'],
        ),
      ).toMatch(/registry_persons_name_key/u);
      expect(
        await plan('SELECT bhxh_code FROM registry_persons WHERE id_number = $1', ['027098001234']),
      ).toMatch(/registry_persons_id_number/u);
    });

    it('limits each officer’s lookups per minute with 429, others unaffected; bad input is not counted', async () => {
      for (let i = 0; i < 3; i++) expect((await search(hanoi, 'idNumber=1')).status).toBe(422);
      for (let i = 0; i < SEARCH_LIMIT; i++)
        expect((await search(hanoi, 'idNumber=027098001234')).status, `lookup ${i + 1}`).toBe(200);
      const over = await search(hanoi, 'idNumber=027098001234');
      expect(over.status).toBe(429);
      expect(over.body.error).toMatchObject({
        code: 'too_many_requests',
        message: expect.stringMatching(/thử lại/u),
      });
      expect((await search(district, 'idNumber=027098001234')).status).toBe(200);
      clock.advance(61_000);
      expect((await search(hanoi, 'idNumber=027098001234')).status).toBe(200);
    });
  });

  describe('POST /dossiers from a mobile desk', () => {
    it('resolves an empty code by ID number, keeps the desk’s name and time, and answers the same on a retry', async () => {
      const declaredAt = new Date(clock.now().getTime() - 3 * DAY).toISOString();
      const body = deskDeclaration(declaredAt);
      const first = await call(s.url, 'POST', '/api/v1/dossiers', { token: district, json: body });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        bhxhCode: '2798001234',
        codeResolution: 'by_id_number',
        submissionMethod: 'mobile_desk',
        deskName: 'KCN Quang Minh',
        duplicates: [],
      });
      expect(Date.parse(first.body.declaredAt)).toBe(Date.parse(declaredAt));
      // the expiry counts from when the service took it in, not from the desk's declaredAt
      expect(Date.parse(first.body.expiresAt)).toBe(clock.now().getTime() + 10 * DAY);
      const again = await call(s.url, 'POST', '/api/v1/dossiers', { token: district, json: body });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({
        id: first.body.id,
        codeResolution: 'by_id_number',
        bhxhCode: '2798001234',
      });
      // a second desk declaration for the same person reports the first as an open duplicate
      const second = await call(s.url, 'POST', '/api/v1/dossiers', {
        token: district,
        json: deskDeclaration(declaredAt),
      });
      expect(second.status).toBe(201);
      expect(second.body.duplicates).toEqual([
        { id: first.body.id, dossierNumber: first.body.dossierNumber, status: 'pending' },
      ]);
      // a code the desk typed is kept as given
      const given = await call(s.url, 'POST', '/api/v1/dossiers', {
        token: district,
        json: deskDeclaration(declaredAt, { bhxhCode: '2798001234' }),
      });
      expect(given.body).toMatchObject({ codeResolution: 'given', bhxhCode: '2798001234' });
      expect(given.body.duplicates).toHaveLength(2);
      // a blank code from a desk counts as empty
      const blank = await call(s.url, 'POST', '/api/v1/dossiers', {
        token: district,
        json: deskDeclaration(declaredAt, { bhxhCode: '  ' }),
      });
      expect(blank.body).toMatchObject({ codeResolution: 'by_id_number', bhxhCode: '2798001234' });
      // the portal's dossiers answer as before
      const portal = await call(s.url, 'POST', '/api/v1/dossiers', {
        token: district,
        json: declaration({ bhxhCode: '0177777777' }),
      });
      expect(portal.body).toMatchObject({
        codeResolution: 'given',
        deskName: null,
        submissionMethod: 'counter',
      });
    });

    it('keeps the code empty when no one has the ID number; approving it answers code_not_found, not a 500', async () => {
      const res = await call(s.url, 'POST', '/api/v1/dossiers', {
        token: district,
        json: deskDeclaration(clock.now().toISOString(), {
          fullName: 'Lò Văn Páo',
          contactPerson: 'Lò Văn Páo',
          idNumber: '011095123456',
          dateOfBirth: '1995-06-01',
        }),
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ bhxhCode: '', codeResolution: 'not_found', duplicates: [] });
      const stored = await s.db.query('SELECT bhxh_code FROM dossiers WHERE id = $1', [res.body.id]);
      expect(stored.rows[0]!.bhxh_code).toBeNull();
      const list = await call(s.url, 'GET', `/api/v1/dossiers?q=${encodeURIComponent('lo van pao')}`, {
        token: district,
      });
      expect(list.body.items).toEqual([expect.objectContaining({ id: res.body.id, bhxhCode: '' })]);
      const received = await call(s.url, 'POST', `/api/v1/dossiers/${res.body.id}/receive`, {
        token: district,
        json: { clientId: randomUUID() },
      });
      expect(received.status).toBe(200);
      const decided = await call(s.url, 'POST', `/api/v1/dossiers/${res.body.id}/decision`, {
        token: district,
        json: {
          decisionId: randomUUID(),
          outcome: 'valid',
          baseVersion: received.body.version,
          decidedAt: clock.now().toISOString(),
          deviceId: 'desk-kcn',
        },
      });
      expect(decided.status).toBe(200);
      expect(decided.body.result).toBe('code_not_found');
      expect(decided.body.dossier.steps).toEqual([
        expect.objectContaining({
          step: 'registry_check',
          state: 'failed',
          detail: expect.stringMatching(/^Chưa có mã số BHXH/u),
        }),
      ]);
      const accounts = await s.db.query("SELECT 1 FROM accounts WHERE bhxh_code = '' OR bhxh_code IS NULL");
      expect(accounts.rowCount).toBe(0);
      const feed = await call(s.url, 'GET', '/api/v1/dossiers/changes?after=0&limit=1000', {
        token: district,
      });
      const docs = feed.body.changes.filter((c: { dossier: { id: string } }) => c.dossier.id === res.body.id);
      expect(docs.length).toBeGreaterThan(0);
      for (const c of docs) expect(c.dossier).toMatchObject({ bhxhCode: '', codeResolution: 'not_found' });
    });

    it('refuses bad desk input with 422 naming the field, and changes nothing', async () => {
      const now = clock.now().getTime();
      const iso = (ms: number): string => new Date(ms).toISOString();
      const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
        ['no desk name', { deskName: undefined }, 'deskName', /Tên bàn tiếp nhận lưu động là bắt buộc/u],
        ['blank desk name', { deskName: ' \u200b ' }, 'deskName', /bắt buộc/u],
        ['markup in the desk name', { deskName: 'KCN <b>' }, 'deskName', /ký tự không được phép/u],
        ['no declaredAt', { declaredAt: undefined }, 'declaredAt', /bắt buộc/u],
        ['declaredAt 6 minutes ahead', { declaredAt: iso(now + 6 * 60_000) }, 'declaredAt', /tương lai/u],
        ['declaredAt 31 days old', { declaredAt: iso(now - 31 * DAY) }, 'declaredAt', /quá 30 ngày/u],
        ['declaredAt not a date', { declaredAt: '2026-02-30T10:00:00+07:00' }, 'declaredAt', /có thật/u],
        ['declaredAt without offset', { declaredAt: '2026-03-09T10:00:00' }, 'declaredAt', /múi giờ/u],
        ['a code of 9 digits', { bhxhCode: '279800123' }, 'bhxhCode', /10 chữ số/u],
        [
          'an empty code from the counter',
          { submissionMethod: 'counter', deskName: undefined, declaredAt: undefined },
          'bhxhCode',
          /bàn lưu động/u,
        ],
        [
          'a desk name from the post',
          { submissionMethod: 'post', bhxhCode: '2798001234', declaredAt: undefined },
          'deskName',
          /chỉ gửi kèm/u,
        ],
        [
          'a declaredAt from the counter',
          { submissionMethod: 'counter', bhxhCode: '2798001234', deskName: null },
          'declaredAt',
          /chỉ gửi kèm/u,
        ],
        ['an unknown method', { submissionMethod: 'phone' }, 'submissionMethod', /./u],
      ];
      const before = await countRows(s);
      for (const [name, overrides, field, message] of cases) {
        const json = deskDeclaration(iso(now - DAY), overrides);
        for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete json[k];
        const res = await call(s.url, 'POST', '/api/v1/dossiers', { token: district, json });
        expect(res.status, name).toBe(422);
        expect(res.body.error.fields?.[field], name).toMatch(message);
      }
      // a declaredAt just inside the desk's clock skew is taken
      expect(await countRows(s)).toEqual(before);
      const skewed = await call(s.url, 'POST', '/api/v1/dossiers', {
        token: district,
        json: deskDeclaration(iso(now + 4 * 60_000)),
      });
      expect(skewed.status).toBe(201);
    });

    it('expires a desk dossier 10 days after the service took it in, however early the desk declared it', async () => {
      const declaredAt = new Date(clock.now().getTime() - 29 * DAY).toISOString();
      const person = {
        fullName: 'Nguyễn Thị Lan',
        contactPerson: 'Nguyễn Thị Lan',
        idNumber: '027199005678',
        dateOfBirth: '1999-12-01',
        gender: 'Nữ',
      };
      const kept = await call(s.url, 'POST', '/api/v1/dossiers', {
        token: district,
        json: deskDeclaration(declaredAt, person),
      });
      const lost = await call(s.url, 'POST', '/api/v1/dossiers', {
        token: district,
        json: deskDeclaration(declaredAt, person),
      });
      expect([kept.status, lost.status]).toEqual([201, 201]);
      expect(kept.body).toMatchObject({ bhxhCode: '2799005678', codeResolution: 'by_id_number' });
      // intake and receipt come together at a desk; nothing expires in between, 29 days after declaring
      expect(await s.runExpiry()).toBe(0);
      clock.advance(9 * DAY);
      district = await signIn(s.url, '00115', 'cb00115');
      expect(await s.runExpiry()).toBe(0);
      const received = await call(s.url, 'POST', `/api/v1/dossiers/${kept.body.id}/receive`, {
        token: district,
        json: { clientId: randomUUID() },
      });
      expect(received.status).toBe(200);
      expect(received.body.expiresAt).toBeNull();
      clock.advance(DAY + 1);
      district = await signIn(s.url, '00115', 'cb00115');
      const expired = await s.runExpiry();
      expect(expired).toBeGreaterThanOrEqual(1);
      expect((await call(s.url, 'GET', `/api/v1/dossiers/${lost.body.id}`, { token: district })).status).toBe(
        410,
      );
      expect((await call(s.url, 'GET', `/api/v1/dossiers/${kept.body.id}`, { token: district })).status).toBe(
        200,
      );
    });
  });
});
