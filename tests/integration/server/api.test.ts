// The API of ../shared/API.md over real HTTP on both database targets: sessions, captcha, lock-out,
// scoping, search, intake, receipt, claims, reasons, registry, reports, attachments and decisions
// with each of their answers and downstream steps. Every status code of API.md appears here.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  countRows,
  createClock,
  stampDecisionsBy,
  decision,
  declaration,
  dossierId,
  signIn,
  startTarget,
  TARGETS,
  type TestService,
} from './helpers.js';
import { realJpeg, realPng } from '../../fixtures/files.js';

const JPEG = await realJpeg();
const PNG = await realPng();

describe.each(TARGETS)('central service API on %s', (target) => {
  let s: TestService;
  let base: string;
  let officer: string; // ttcntt of 903 (sees 903 and 00115)
  let district: string; // cb00115 (sees 00115 only)
  let hanoi: string; // cbhn of 001
  let supervisor: string; // ld903
  const clock = createClock();
  let captchaText = 'ABCDE';

  beforeAll(async () => {
    stampDecisionsBy(clock);
    s = await startTarget(target, {
      now: clock.now,
      auth: { captchaText: () => captchaText },
      config: { loginLimit: { perAddress: 1000, perUser: 1000 } },
    });
    base = s.url;
    officer = await signIn(base, '903', 'ttcntt');
    district = await signIn(base, '00115', 'cb00115');
    hanoi = await signIn(base, '001', 'cbhn');
    supervisor = await signIn(base, '903', 'ld903');
  });
  afterAll(async () => {
    stampDecisionsBy();
    await s?.stop();
  });

  it('lists agencies without a session, as a tree', async () => {
    const res = await call(base, 'GET', '/api/v1/agencies');
    expect(res.status).toBe(200);
    expect(res.body).toContainEqual(
      expect.objectContaining({ code: '00115', parentCode: '903', name: 'BHXH huyện Test' }),
    );
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('signs in with the demo password and answers the user; wrong password is 401 with a Vietnamese message', async () => {
    const ok = await call(base, 'POST', '/api/v1/auth/login', {
      json: { agencyCode: '903', username: 'ttcntt', password: 'Bhxh@2020' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.user).toEqual({
      username: 'ttcntt',
      displayName: 'Trung tâm Công nghệ thông tin',
      role: 'officer',
      agencyCode: '903',
      agencyName: 'BHXH Tỉnh Test',
    });
    expect(ok.body.expiresAt).toMatch(/\+07:00$/u);
    const bad = await call(base, 'POST', '/api/v1/auth/login', {
      json: { agencyCode: '903', username: 'ld903', password: 'sai' },
    });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('invalid_credentials');
    expect(bad.body.error.message).toMatch(/không đúng/u);
    // a later right password clears the count
    expect(
      (
        await call(base, 'POST', '/api/v1/auth/login', {
          json: { agencyCode: '903', username: 'ld903', password: 'Bhxh@2020' },
        })
      ).status,
    ).toBe(200);
  });

  it('asks for a captcha after 3 failures (428), checks it, and locks the account after 5 (423) until the period passes', async () => {
    const login = (password: string, extra: Record<string, string> = {}) =>
      call(base, 'POST', '/api/v1/auth/login', {
        json: { agencyCode: '903', username: 'khoa903', password, ...extra },
      });
    expect((await login('x1')).status).toBe(401);
    expect((await login('x2')).status).toBe(401);
    const third = await login('x3');
    expect(third.status).toBe(428);
    expect(third.body.error.code).toBe('captcha_required');
    // without a captcha, even the right password is refused
    expect((await login('Bhxh@2020')).status).toBe(428);
    captchaText = 'K7PQ2';
    const cap = await call(base, 'GET', '/api/v1/auth/captcha');
    expect(cap.status).toBe(200);
    expect(cap.body.svg).toMatch(/^<svg/u);
    const wrongCaptcha = await login('Bhxh@2020', { captchaId: cap.body.captchaId, captchaAnswer: 'ZZZZZ' });
    expect(wrongCaptcha.status).toBe(428);
    expect(wrongCaptcha.body.error.code).toBe('captcha_invalid');
    // fourth and fifth wrong passwords with solved captchas: the fifth locks
    for (const [i, expected] of [
      [4, 428],
      [5, 423],
    ] as const) {
      const c = await call(base, 'GET', '/api/v1/auth/captcha');
      const r = await login(`x${i}`, { captchaId: c.body.captchaId, captchaAnswer: 'k7pq2' });
      expect(r.status).toBe(expected);
    }
    const c = await call(base, 'GET', '/api/v1/auth/captcha');
    const locked = await login('Bhxh@2020', { captchaId: c.body.captchaId, captchaAnswer: 'K7PQ2' });
    expect(locked.status).toBe(423);
    expect(locked.body.error.code).toBe('account_locked');
    clock.advance(16 * 60_000);
    const after = await login('Bhxh@2020');
    expect(after.status).toBe(200);
    clock.advance(-16 * 60_000);
  });

  it('checks a captcha sent with the first attempt (Mã kiểm tra of Hình 1): a wrong one is refused without counting against the password', async () => {
    const login = (extra: Record<string, string>) =>
      call(base, 'POST', '/api/v1/auth/login', {
        json: { agencyCode: '00115', username: 'cb00115', password: 'Bhxh@2020', ...extra },
      });
    captchaText = 'HN7KA';
    const first = await call(base, 'GET', '/api/v1/auth/captcha');
    const wrong = await login({ captchaId: first.body.captchaId, captchaAnswer: 'HN7KX' });
    expect(wrong.status).toBe(428);
    expect(wrong.body.error.code).toBe('captcha_invalid');
    expect(wrong.body.error.message).toMatch(/Mã kiểm tra không đúng/u);
    // spent: the same captcha again is refused even with the right answer
    expect((await login({ captchaId: first.body.captchaId, captchaAnswer: 'HN7KA' })).status).toBe(428);
    const next = await call(base, 'GET', '/api/v1/auth/captcha');
    const ok = await login({ captchaId: next.body.captchaId, captchaAnswer: 'hn7ka' });
    expect(ok.status).toBe(200);
    // the wrong captchas did not count as failed sign-ins: no captcha is demanded without one
    expect((await login({})).status).toBe(200);
  });

  it('answers 401 without a token, with a bad token, after logout, and session_expired after the session ends', async () => {
    expect((await call(base, 'GET', '/api/v1/dossiers')).status).toBe(401);
    expect((await call(base, 'GET', '/api/v1/dossiers', { token: 'x'.repeat(43) })).status).toBe(401);
    const t = await signIn(base, '903', 'ttcntt');
    expect((await call(base, 'POST', '/api/v1/auth/logout', { token: t })).status).toBe(204);
    expect((await call(base, 'GET', '/api/v1/dossiers', { token: t })).status).toBe(401);
    const t2 = await signIn(base, '903', 'ttcntt');
    clock.advance(s.config.sessionTtlMs + 1000);
    const expired = await call(base, 'GET', '/api/v1/dossiers', { token: t2 });
    clock.advance(-(s.config.sessionTtlMs + 1000));
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('session_expired');
  });

  it('rate-limits sign-in per account and per address (429 with retry-after), counted in the database, settings', async () => {
    const clock = createClock(new Date('2026-03-02T08:00:10+07:00'));
    const limited = await startTarget('pglite', {
      now: clock.now,
      config: { loginLimit: { perAddress: 5, perUser: 3, windowSeconds: 60 } },
    });
    try {
      const attempt = async (username: string) =>
        await call(limited.url, 'POST', '/api/v1/auth/login', {
          json: { agencyCode: '903', username, password: 'x' },
        });
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await attempt('nobody')).status);
      expect(codes).toEqual([401, 401, 401, 429]);
      const perUser = await attempt('nobody');
      expect(perUser.body.error.code).toBe('too_many_requests');
      expect(perUser.body.error.message).toContain('Tài khoản');
      expect(Number(perUser.headers.get('retry-after'))).toBe(50);
      // The address has had 5 attempts: a sixth, for another account, is over the address's limit.
      const perAddress = await attempt('someone-else');
      expect(perAddress.status).toBe(429);
      expect(perAddress.body.error.message).toContain('địa chỉ');
      // Counted in PostgreSQL (shared by every instance), by hashed keys: no user name stored.
      const rows = await limited.db.query<{ key: string; hits: number }>('SELECT key, hits FROM rate_limits');
      expect(rows.rows.map((r) => r.key).join(' ')).not.toContain('nobody');
      expect(Math.max(...rows.rows.map((r) => Number(r.hits)))).toBe(6);
      // The next window starts afresh.
      clock.advance(50_000);
      expect((await attempt('nobody')).status).toBe(401);
    } finally {
      await limited.stop();
    }
  });

  it('lists dossiers of the caller’s agency subtree, newest first, with the seed’s columns', async () => {
    const all = await call(base, 'GET', '/api/v1/dossiers?limit=100', { token: officer });
    expect(all.status).toBe(200);
    const numbers = all.body.items.map((d: { dossierNumber: string }) => d.dossierNumber);
    expect(numbers).toContain('00006.GD/2020/903');
    expect(numbers).toContain('00089.GD/2020/00115');
    expect(numbers).not.toContain('00012.GD/2020/001');
    const times = all.body.items.map((d: { receivedAt: string }) => Date.parse(d.receivedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const row = all.body.items.find(
      (d: { dossierNumber: string }) => d.dossierNumber === '00087.GD/2020/00115',
    );
    expect(row).toMatchObject({
      bhxhCode: '1231123333',
      fullName: 'cao dồng 3',
      mobile: '1231231',
      status: 'pending',
      receivedAt: '2020-08-12T14:23:00+07:00',
    });
    const districtList = await call(base, 'GET', '/api/v1/dossiers?limit=100', { token: district });
    expect(districtList.body.items.every((d: { agencyCode: string }) => d.agencyCode === '00115')).toBe(true);
  });

  it('searches by number, code, name without diacritics (đ = d), dates, status and outcome, with cursor pages', async () => {
    const q = async (qs: string) =>
      (await call(base, 'GET', `/api/v1/dossiers?${qs}`, { token: officer })).body.items.map(
        (d: { dossierNumber: string }) => d.dossierNumber,
      );
    expect(await q('dossierNumber=00086.GD/2020/00115')).toEqual(['00086.GD/2020/00115']);
    expect((await q('bhxhCode=0206215276')).sort()).toEqual(['00077.GD/2020/00115', '00078.GD/2020/00115']);
    expect(await q('q=do van toi')).toEqual(['00073.GD/2020/00115']);
    expect(await q(`q=${encodeURIComponent('ĐỖ VĂN')}`)).toEqual(['00073.GD/2020/00115']);
    // the last word is also a prefix; a prefix no name's word starts with finds nothing
    expect(await q('q=do van to')).toEqual(['00073.GD/2020/00115']);
    expect(await q('q=do van tq')).toEqual([]);
    // a word no earlier name had is searchable by its prefix as soon as the dossier is declared
    const fresh = await call(base, 'POST', '/api/v1/dossiers', {
      token: district,
      json: declaration({
        fullName: 'Lò Văn Xuyênh',
        contactPerson: 'Lò Văn Xuyênh',
        bhxhCode: '0101234561',
      }),
    });
    expect(fresh.status).toBe(201);
    expect(await q('q=lo van xuy')).toEqual([fresh.body.dossierNumber]);
    expect(await q('q=xuyenh')).toEqual([fresh.body.dossierNumber]);
    expect(await q('q=cao dong')).toEqual(
      expect.arrayContaining(['00088.GD/2020/00115', '00087.GD/2020/00115']),
    );
    expect(await q('from=2020-08-11&to=2020-08-11')).toEqual(['00074.GD/2020/00115', '00073.GD/2020/00115']);
    expect(await q('status=decided&outcome=valid')).toEqual(
      expect.arrayContaining(['00077.GD/2020/00115', '00073.GD/2020/00115', '00089.GD/2020/00115']),
    );
    const page1 = await call(base, 'GET', '/api/v1/dossiers?limit=3', { token: officer });
    expect(page1.body.items).toHaveLength(3);
    const page2 = await call(base, 'GET', `/api/v1/dossiers?limit=3&cursor=${page1.body.nextCursor}`, {
      token: officer,
    });
    expect(page2.body.items[0].dossierNumber).not.toBe(page1.body.items[2].dossierNumber);
    const bad = await call(base, 'GET', '/api/v1/dossiers?from=12/08/2020', { token: officer });
    expect(bad.status).toBe(422);
    expect(bad.body.error.fields.from).toBeTruthy();
  });

  it('finds by name exactly what "every word, in any order, the last as a prefix" finds (checked against the words of every name)', async () => {
    const names = (
      await s.db.query<{ name_folded: string }>(
        `SELECT DISTINCT name_folded FROM dossiers WHERE agency_code IN ('903', '00115') ORDER BY 1`,
      )
    ).rows.map((r) => r.name_folded);
    // Queries made from the names: whole, reversed, middle word dropped, last word cut short, a word
    // repeated, a single word and its first letter, and the last word equal to another one.
    const queries = new Set<string>(['nguyen n', 'van van', 'thi', 't', 'nguyen thi', 'zzz', 'do zzz']);
    for (const n of names.slice(0, 40)) {
      const w = n.split(' ');
      queries.add(n);
      queries.add([...w].reverse().join(' '));
      if (w.length > 2) queries.add([w[0], w[w.length - 1]].join(' '));
      queries.add([...w.slice(0, -1), w[w.length - 1]!.slice(0, 2)].join(' '));
      queries.add([w[0], w[0], ...w.slice(1)].join(' '));
    }
    expect(names.length).toBeGreaterThan(5);
    expect(queries.size).toBeGreaterThan(names.length * 3);
    for (const text of queries) {
      const typed = text.split(' ');
      const expected = (
        await s.db.query<{ n: string }>(
          `SELECT dossier_number AS n FROM dossiers
            WHERE agency_code IN ('903', '00115')
              AND string_to_array(name_folded, ' ') @> $1::text[]
              AND EXISTS (SELECT 1 FROM unnest(string_to_array(name_folded, ' ')) w WHERE starts_with(w, $2))
            ORDER BY 1`,
          [typed.slice(0, -1), typed[typed.length - 1]],
        )
      ).rows.map((r) => r.n);
      const got = (
        await call(base, 'GET', `/api/v1/dossiers?limit=500&q=${encodeURIComponent(text)}`, {
          token: officer,
        })
      ).body.items.map((d: { dossierNumber: string }) => d.dossierNumber);
      expect([text, [...got].sort()]).toEqual([text, expected]);
    }
  });

  it('keeps agencies apart: out-of-scope dossiers are 404, intake for another agency is 403, wrong role is 403', async () => {
    const own = await dossierId(base, officer, '00006.GD/2020/903');
    const district115 = await dossierId(base, officer, '00086.GD/2020/00115');
    // the parent (903) sees its district's dossier; the district does not see the parent's; Hà Nội sees neither
    expect((await call(base, 'GET', `/api/v1/dossiers/${district115}`, { token: officer })).status).toBe(200);
    expect((await call(base, 'GET', `/api/v1/dossiers/${own}`, { token: district })).status).toBe(404);
    expect((await call(base, 'GET', `/api/v1/dossiers/${district115}`, { token: hanoi })).status).toBe(404);
    const dec = await call(base, 'POST', `/api/v1/dossiers/${district115}/decision`, {
      token: hanoi,
      json: decision(1),
    });
    expect(dec.status).toBe(404);
    expect((await call(base, 'POST', `/api/v1/dossiers/${district115}/claim`, { token: hanoi })).status).toBe(
      404,
    );
    const intake = await call(base, 'POST', '/api/v1/dossiers', {
      token: district,
      json: declaration({ agencyCode: '903' }),
    });
    expect(intake.status).toBe(403);
    expect(intake.body.error.code).toBe('forbidden');
    expect((await call(base, 'PUT', '/api/v1/reasons', { token: officer, json: [] })).status).toBe(403);
    expect(
      (await call(base, 'GET', '/api/v1/reports/daily?date=2020-08-12', { token: officer })).status,
    ).toBe(403);
    const hanoiList = await call(base, 'GET', '/api/v1/dossiers?limit=100', { token: hanoi });
    expect(hanoiList.body.items.map((d: { dossierNumber: string }) => d.dossierNumber)).toEqual([
      '00012.GD/2020/001',
    ]);
  });

  it('returns the whole dossier, and 404 for an unknown id or route', async () => {
    const id = await dossierId(base, officer, '00006.GD/2020/903');
    const res = await call(base, 'GET', `/api/v1/dossiers/${id}`, { token: officer });
    expect(res.body).toMatchObject({
      dossierNumber: '00006.GD/2020/903',
      fullName: 'Nguyễn Thành Biên',
      idKind: 'cmnd',
      idNumber: '111987340908',
      email: 'biennt@vss.gov.vn',
      declaredAt: '2020-08-10T09:12:00+07:00',
      receivedAt: '2020-08-10T10:05:00+07:00',
      status: 'pending',
      attachments: [],
      steps: [],
      version: 1,
    });
    expect((await call(base, 'GET', `/api/v1/dossiers/${randomUUID()}`, { token: officer })).status).toBe(
      404,
    );
    expect((await call(base, 'GET', '/api/v1/dossiers/not-a-uuid', { token: officer })).status).toBe(404);
    const nowhere = await call(base, 'GET', '/api/v1/nowhere');
    expect(nowhere.status).toBe(404);
    expect(nowhere.body.error.message).toMatch(/Không/u);
  });

  it('takes a declaration: 201 with a new number, same clientId → same dossier, duplicates listed, NFC stored, mobile normalised', async () => {
    const body = declaration({
      fullName: 'Trần Thị Thuỷ'.normalize('NFD'),
      contactPerson: 'Trần Thị Thuỷ',
      bhxhCode: '0206215276',
      idNumber: '001190123456',
      gender: 'Nữ',
    });
    const first = await call(base, 'POST', '/api/v1/dossiers', { token: district, json: body });
    expect(first.status).toBe(201);
    const year = new Date(clock.now().getTime() + 7 * 3600_000).getUTCFullYear();
    expect(first.body.dossierNumber).toMatch(new RegExp(`^\\d{5}\\.GD/${year}/00115$`, 'u'));
    expect(first.body.fullName).toBe('Trần Thị Thuỷ'.normalize('NFC'));
    expect(first.body.mobile).toBe('+84912345678');
    expect(first.body.receivedAt).toBeNull();
    expect(Date.parse(first.body.expiresAt) - Date.parse(first.body.declaredAt)).toBe(10 * 86400_000);
    expect(first.body.duplicates.map((d: { dossierNumber: string }) => d.dossierNumber)).toEqual([
      '00078.GD/2020/00115',
    ]);
    const again = await call(base, 'POST', '/api/v1/dossiers', { token: district, json: body });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.dossierNumber).toBe(first.body.dossierNumber);
    const received = await call(base, 'POST', `/api/v1/dossiers/${first.body.id}/receive`, {
      token: district,
      json: { clientId: randomUUID() },
    });
    expect(received.status).toBe(200);
    expect(received.body.receivedAt).toMatch(/\+07:00$/u);
    expect(received.body.expiresAt).toBeNull();
    expect(received.body.version).toBe(2);
  });

  it('refuses a CCCD that disagrees with the declared birth year or gender (422 with the field)', async () => {
    const res = await call(base, 'POST', '/api/v1/dossiers', {
      token: district,
      json: declaration({ idNumber: '001190123456', gender: 'Nam' }),
    });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.idNumber).toMatch(/giới tính/u);
    const year = await call(base, 'POST', '/api/v1/dossiers', {
      token: district,
      json: declaration({ idNumber: '001285123456', dateOfBirth: '1990-01-02' }),
    });
    expect(year.status).toBe(422);
    expect(year.body.error.fields.idNumber).toMatch(/năm sinh/u);
  });

  it('claims softly: the holder is shown to other desks, renewals by the holder, release with DELETE', async () => {
    const id = await dossierId(base, officer, '00074.GD/2020/00115');
    const mine = await call(base, 'POST', `/api/v1/dossiers/${id}/claim`, { token: district });
    expect(mine.status).toBe(200);
    expect(mine.body.claimedBy).toBe('Cán bộ tiếp nhận huyện Test');
    expect(Date.parse(mine.body.claimedUntil) - clock.now().getTime()).toBe(15 * 60_000);
    const other = await call(base, 'POST', `/api/v1/dossiers/${id}/claim`, { token: officer });
    expect(other.body.claimedBy).toBe('Cán bộ tiếp nhận huyện Test');
    const listed = await call(base, 'GET', '/api/v1/dossiers?dossierNumber=00074.GD/2020/00115', {
      token: officer,
    });
    expect(listed.body.items[0].claim.claimedBy).toBe('Cán bộ tiếp nhận huyện Test');
    expect((await call(base, 'DELETE', `/api/v1/dossiers/${id}/claim`, { token: district })).status).toBe(
      204,
    );
    const taken = await call(base, 'POST', `/api/v1/dossiers/${id}/claim`, { token: officer });
    expect(taken.body.claimedBy).toBe('Trung tâm Công nghệ thông tin');
    await call(base, 'DELETE', `/api/v1/dossiers/${id}/claim`, { token: officer });
  });

  it('serves the standard reasons and lets a supervisor replace them', async () => {
    const def = await call(base, 'GET', '/api/v1/reasons', { token: district });
    expect(def.status).toBe(200);
    expect(def.body.length).toBeGreaterThan(3);
    expect(def.body[0]).toEqual({
      code: expect.any(String),
      text: expect.any(String),
      smsText: expect.any(String),
    });
    const list = [
      {
        code: 'R01',
        text: 'Thông tin trên tờ khai không khớp với giấy tờ tuỳ thân',
        smsText: 'Thong tin khong khop giay to',
      },
      { code: 'R09', text: 'Ảnh giấy tờ bị mờ', smsText: 'Anh giay to bi mo' },
    ];
    const put = await call(base, 'PUT', '/api/v1/reasons', { token: supervisor, json: list });
    expect(put.status).toBe(200);
    expect(put.body).toEqual(list);
    // the district office inherits its parent's list
    expect((await call(base, 'GET', '/api/v1/reasons', { token: district })).body).toEqual(list);
  });

  it('looks up the registry (404 when absent), and reports the day to supervisors', async () => {
    const p = await call(base, 'GET', '/api/v1/registry/persons/0113098765', { token: officer });
    expect(p.status).toBe(200);
    expect(p.body).toEqual({
      bhxhCode: '0113098765',
      fullName: 'Nguyễn Thành Biên',
      dateOfBirth: '1987-03-14',
      gender: 'Nam',
    });
    expect((await call(base, 'GET', '/api/v1/registry/persons/0125327343', { token: officer })).status).toBe(
      404,
    );
    const r = await call(base, 'GET', '/api/v1/reports/daily?date=2020-08-12', { token: supervisor });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ date: '2020-08-12', decidedValid: 2 });
    expect(r.body.perOfficer).toEqual([
      {
        reviewer: 'Trung tâm Công nghệ thông tin',
        valid: 2,
        invalid: 0,
        total: 2,
        verdicts: { valid: 2, code_not_found: 0, invalid: 0, details_updated: 0, account_stopped: 0 },
      },
    ]);
  });

  it('stores attachments whose bytes match the declared type, streams them back, and refuses the rest', async () => {
    const id = await dossierId(base, officer, '00006.GD/2020/903');
    const put = await call(base, 'PUT', `/api/v1/dossiers/${id}/attachments/idFront`, {
      token: officer,
      raw: JPEG,
      contentType: 'image/jpeg',
    });
    expect(put.status).toBe(200);
    expect(put.body.sha256).toMatch(/^[0-9a-f]{64}$/u);
    const back = await fetch(`${base}/api/v1/attachments/${put.body.id}`, {
      headers: { authorization: `Bearer ${officer}` },
    });
    expect(back.status).toBe(200);
    expect(back.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await back.arrayBuffer()).equals(JPEG)).toBe(true);
    expect((await call(base, 'GET', `/api/v1/attachments/${put.body.id}`, { token: hanoi })).status).toBe(
      404,
    );
    const d = await call(base, 'GET', `/api/v1/dossiers/${id}`, { token: officer });
    // the same bytes again (a retry whose answer was lost): the same attachment, nothing changed twice
    const again = await call(base, 'PUT', `/api/v1/dossiers/${id}/attachments/idFront`, {
      token: officer,
      raw: JPEG,
      contentType: 'image/jpeg',
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(put.body);
    const still = await call(base, 'GET', `/api/v1/dossiers/${id}`, { token: officer });
    expect(still.body.version).toBe(d.body.version);
    expect(d.body.attachments).toEqual([
      {
        id: put.body.id,
        role: 'idFront',
        mediaType: 'image/jpeg',
        bytes: JPEG.length,
        sha256: put.body.sha256,
      },
    ]);
    const mismatch = await call(base, 'PUT', `/api/v1/dossiers/${id}/attachments/photo`, {
      token: officer,
      raw: PNG,
      contentType: 'image/jpeg',
    });
    expect(mismatch.status).toBe(415);
    expect(mismatch.body.error.code).toBe('media_type_mismatch');
    const wrongType = await call(base, 'PUT', `/api/v1/dossiers/${id}/attachments/photo`, {
      token: officer,
      raw: 'hello',
      contentType: 'text/plain',
    });
    expect(wrongType.status).toBe(415);
    const big = await call(base, 'PUT', `/api/v1/dossiers/${id}/attachments/photo`, {
      token: officer,
      raw: Buffer.concat([PNG, Buffer.alloc(s.config.attachmentMaxBytes)]),
      contentType: 'image/png',
    });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    const badRole = await call(base, 'PUT', `/api/v1/dossiers/${id}/attachments/selfie`, {
      token: officer,
      raw: PNG,
      contentType: 'image/png',
    });
    expect(badRole.status).toBe(422);
  });

  describe('decisions', () => {
    const decide = (token: string, id: string, body: Record<string, unknown>) =>
      call(base, 'POST', `/api/v1/dossiers/${id}/decision`, {
        token,
        json: { decidedAt: clock.now().toISOString(), ...body },
      });

    it('approves a register dossier whose code and name match: account issued, SMS queued then delivered, steps shown', async () => {
      const id = await dossierId(base, officer, '00006.GD/2020/903');
      const before = await call(base, 'GET', `/api/v1/dossiers/${id}`, { token: officer });
      const res = await decide(officer, id, decision(before.body.version));
      expect(res.status).toBe(200);
      expect(res.body.result).toBe('account_issued');
      expect(res.body.dossier).toMatchObject({
        status: 'decided',
        outcome: 'valid',
        reviewer: 'Trung tâm Công nghệ thông tin',
        accountResult: 'issued',
        version: before.body.version + 1,
      });
      expect(
        res.body.dossier.steps.map((x: { step: string; state: string }) => `${x.step}:${x.state}`),
      ).toEqual(['registry_check:done', 'account:done', 'sms:queued', 'email:queued']);
      const account = await s.db.query<{ password_hash: string; must_change: boolean; status: string }>(
        'SELECT password_hash, must_change, status FROM accounts WHERE bhxh_code = $1',
        ['0113098765'],
      );
      expect(account.rows[0]).toMatchObject({ must_change: true, status: 'active' });
      expect(account.rows[0]?.password_hash).toMatch(/^scrypt\$/u);
      expect(await s.deliverSms()).toBeGreaterThanOrEqual(2);
      const sms = s.smsSink!.messages().find((m) => m.to === '0983847986');
      expect(sms?.text).toMatch(
        /^BHXH VN: Tai khoan GDDT cua ban da duoc cap\. Ten dang nhap: 0113098765\. Mat khau: [A-Z2-9]{12}\./u,
      );
      const otp = /Mat khau: ([A-Z2-9]{12})/u.exec(sms!.text)![1]!;
      expect(account.rows[0]?.password_hash).not.toContain(otp);
      expect(s.mailer.sent().some((m) => m.to === 'biennt@vss.gov.vn' && /đã được duyệt/u.test(m.text))).toBe(
        true,
      );
      const after = await call(base, 'GET', `/api/v1/dossiers/${id}`, { token: officer });
      expect(after.body.steps.map((x: { step: string; state: string }) => `${x.step}:${x.state}`)).toEqual([
        'registry_check:done',
        'account:done',
        'sms:delivered',
        'email:delivered',
      ]);
    });

    it('step back for officers’ reads: the list and a dossier count as reads while they run, and a decision made meanwhile still goes through', async () => {
      const begin = s.readsFirst.begin.bind(s.readsFirst);
      let reads = 0;
      s.readsFirst.begin = () => {
        reads += 1;
        return begin();
      };
      try {
        const declared = await call(base, 'POST', '/api/v1/dossiers', {
          token: district,
          json: declaration({ bhxhCode: '0101234599' }),
        });
        expect(declared.status).toBe(201);
        expect(reads).toBe(0); // an intake is not a read
        const id = await dossierId(base, district, declared.body.dossierNumber);
        expect(reads).toBe(1); // the list (dossierId searches by number)
        const before = await call(base, 'GET', `/api/v1/dossiers/${id}`, { token: district });
        expect(reads).toBe(2);
        expect(s.readsFirst.reading).toBe(0);
        // A read that has not ended: the decision's write batch pauses once, then writes.
        const open = begin();
        try {
          expect(s.readsFirst.pauseBeforeWrites()).toBeGreaterThanOrEqual(s.config.decisionYieldMs);
          const res = await decide(district, id, decision(before.body.version));
          expect(res.status).toBe(200);
          expect(res.body.dossier.status).toBe('decided');
        } finally {
          open();
        }
        expect(reads).toBe(2); // a decision is not a read
        expect(s.config.decisionYieldMs).toBe(8);
      } finally {
        s.readsFirst.begin = begin;
      }
    });

    it('replays the first answer byte for byte for the same decisionId and changes nothing', async () => {
      const id = await dossierId(base, officer, '00086.GD/2020/00115');
      const body = decision(1, { decidedAt: clock.now().toISOString() });
      const first = await call(base, 'POST', `/api/v1/dossiers/${id}/decision`, {
        token: district,
        json: body,
      });
      expect(first.status).toBe(200);
      const rows = await countRows(s);
      const again = await call(base, 'POST', `/api/v1/dossiers/${id}/decision`, {
        token: district,
        json: body,
      });
      expect(again.status).toBe(200);
      expect(again.text).toBe(first.text);
      // Stored by reference to its feed document (migration 16), not as a second copy of it.
      const stored = await s.db.query<{ response: string | null; change_id: string | null }>(
        'SELECT response, change_id::text FROM decisions WHERE decision_id = $1',
        [body.decisionId],
      );
      expect(stored.rows).toEqual([{ response: null, change_id: expect.stringMatching(/^\d+$/u) }]);
      // nobody outside the dossier's agencies gets the stored answer
      const outsider = await call(base, 'POST', `/api/v1/dossiers/${id}/decision`, {
        token: hanoi,
        json: body,
      });
      expect(outsider.status).toBe(404);
      expect(await countRows(s)).toEqual(rows);
    });

    it('answers code_not_found when the registry lacks the code or the name differs (no account, no SMS)', async () => {
      for (const number of ['00074.GD/2020/00115', '00088.GD/2020/00115']) {
        const id = await dossierId(base, officer, number);
        const cur = await call(base, 'GET', `/api/v1/dossiers/${id}`, { token: officer });
        const res = await decide(officer, id, decision(cur.body.version));
        expect(res.status).toBe(200);
        expect(res.body.result).toBe('code_not_found');
        expect(res.body.dossier.accountResult).toBe('code_not_found');
        expect(res.body.dossier.steps).toEqual([
          expect.objectContaining({ step: 'registry_check', state: 'failed' }),
        ]);
      }
      const acc = await s.db.query('SELECT 1 FROM accounts WHERE bhxh_code = ANY($1)', [
        ['0125327343', '1231111111'],
      ]);
      expect(acc.rowCount).toBe(0);
    });

    it('needs a reason for invalid (422), then rejects with an SMS carrying the reasons without diacritics', async () => {
      const id = await dossierId(base, officer, '00078.GD/2020/00115');
      const none = await decide(officer, id, decision(1, { outcome: 'invalid' }));
      expect(none.status).toBe(422);
      expect(none.body.error.fields.reason).toMatch(/lý do/u);
      const blank = await decide(
        officer,
        id,
        decision(1, { outcome: 'invalid', reason: '   ', reasonCodes: [] }),
      );
      expect(blank.status).toBe(422);
      const unknown = await decide(officer, id, decision(1, { outcome: 'invalid', reasonCodes: ['R77'] }));
      expect(unknown.status).toBe(422);
      const res = await decide(
        officer,
        id,
        decision(1, { outcome: 'invalid', reasonCodes: ['R09'], reason: 'Hồ sơ trùng với hồ sơ 00077' }),
      );
      expect(res.status).toBe(200);
      expect(res.body.result).toBe('rejected');
      expect(res.body.dossier.reason).toBe('Ảnh giấy tờ bị mờ; Hồ sơ trùng với hồ sơ 00077');
      expect(res.body.dossier.reasonCodes).toEqual(['R09']);
      await s.deliverSms();
      const sms = s.smsSink!.messages().filter((m) => m.text.includes('00078.GD/2020/00115'));
      expect(sms).toHaveLength(1);
      expect(sms[0]!.text).toBe(
        'BHXH VN: Ho so dang ky GDDT so 00078.GD/2020/00115 khong hop le. Ly do: Anh giay to bi mo; Ho so trung voi ho so 00077',
      );
    });

    it('answers 409 with the current dossier for an old baseVersion or an already decided dossier', async () => {
      const id = await dossierId(base, officer, '00078.GD/2020/00115');
      const res = await decide(district, id, decision(1));
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('version_conflict');
      expect(res.body.dossier).toMatchObject({ id, status: 'decided', outcome: 'invalid', version: 2 });
    });

    it('asks for confirmUpdate on a change-of-details dossier, then applies it to the account', async () => {
      const token = await signIn(base, '001', 'cbhn');
      const id = await dossierId(base, token, '00012.GD/2020/001');
      const unconfirmed = await decide(token, id, decision(1));
      expect(unconfirmed.status).toBe(422);
      expect(unconfirmed.body.error.code).toBe('confirmation_required');
      const res = await decide(token, id, decision(1, { confirmUpdate: true }));
      expect(res.status).toBe(200);
      expect(res.body.result).toBe('details_updated');
      const acc = await s.db.query<{ mobile: string; email: string }>(
        'SELECT mobile, email FROM accounts WHERE bhxh_code = $1',
        ['0112345678'],
      );
      expect(acc.rows[0]).toEqual({ mobile: '0988123456', email: 'nhung.pham@example.vn' });
    });

    it('stops the account for a stop dossier', async () => {
      const token = await signIn(base, '001', 'cbhn');
      const intake = await call(base, 'POST', '/api/v1/dossiers', {
        token,
        json: declaration({
          agencyCode: '001',
          kind: 'stop',
          fullName: 'Phạm Thị Hồng Nhung',
          contactPerson: 'Phạm Thị Hồng Nhung',
          bhxhCode: '0112345678',
          idNumber: '001190012345',
          dateOfBirth: '1990-10-10',
          gender: 'Nữ',
          stop: { stopDate: '2026-12-31', reason: 'Không còn nhu cầu sử dụng' },
        }),
      });
      expect(intake.status).toBe(201);
      const res = await decide(token, intake.body.id, decision(intake.body.version));
      expect(res.status).toBe(200);
      expect(res.body.result).toBe('account_stopped');
      const acc = await s.db.query<{ status: string }>('SELECT status FROM accounts WHERE bhxh_code = $1', [
        '0112345678',
      ]);
      expect(acc.rows[0]?.status).toBe('stopped');
    });

    it('answers 410 for a dossier past its 10 days, before and after the expiry job deleted it', async () => {
      const intake = await call(base, 'POST', '/api/v1/dossiers', {
        token: district,
        json: declaration({ bhxhCode: '0199999999' }),
      });
      expect(intake.status).toBe(201);
      clock.advance(10 * 86400_000 + 1000);
      try {
        const desk = await signIn(base, '00115', 'cb00115'); // the morning's session has ended by now
        const late = await decide(desk, intake.body.id, decision(1));
        expect(late.status).toBe(410);
        expect(late.body.error.code).toBe('expired');
        expect(await s.runExpiry()).toBeGreaterThanOrEqual(1);
        expect((await decide(desk, intake.body.id, decision(1))).status).toBe(410);
        expect((await call(base, 'GET', `/api/v1/dossiers/${intake.body.id}`, { token: desk })).status).toBe(
          410,
        );
      } finally {
        clock.advance(-(10 * 86400_000 + 1000));
      }
    });

    it('answers 400 for malformed JSON and 422 for a body of the wrong shape', async () => {
      officer = await signIn(base, '903', 'ttcntt'); // a sign-in ten days on cleared the ended sessions
      const id = await dossierId(base, officer, '00089.GD/2020/00115');
      const malformed = await call(base, 'POST', `/api/v1/dossiers/${id}/decision`, {
        token: officer,
        raw: '{"outcome": "valid",',
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe('invalid_json');
      const shape = await call(base, 'POST', `/api/v1/dossiers/${id}/decision`, {
        token: officer,
        json: { outcome: 'maybe' },
      });
      expect(shape.status).toBe(422);
      expect(Object.keys(shape.body.error.fields)).toEqual(
        expect.arrayContaining(['decisionId', 'outcome', 'baseVersion', 'deviceId']),
      );
    });
  });

  it('audits reads and decisions in a chain that verifies', async () => {
    const v = await s.verifyAudit();
    expect(v.ok).toBe(true);
    const actions = await s.db.query<{ action: string }>('SELECT DISTINCT action FROM audit_log');
    expect(actions.rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['dossier.read', 'dossier.decision', 'registry.read', 'attachment.read']),
    );
  });
});
