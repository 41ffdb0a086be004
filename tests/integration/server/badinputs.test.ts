// A corpus of bad inputs, on both database targets: each gets the right status and error code with a
// Vietnamese message, and changes nothing (the rows of every table a request could touch are counted
// before and after). Also: NFD text is stored as NFC, and the service's logs carry no personal data.

import { PassThrough } from 'node:stream';
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

type Case = {
  name: string;
  method: string;
  path: string | ((ids: Ids) => string);
  token?: 'officer' | 'district' | 'hanoi' | 'supervisor' | 'expired' | 'garbage' | 'none';
  json?: unknown;
  raw?: string | Buffer;
  contentType?: string;
  status: number;
  code?: string;
  field?: string;
};
type Ids = { pending: string; pending903: string };

const intake = (
  overrides: Record<string, unknown>,
  extra: Partial<Case> = {},
): Omit<Case, 'name' | 'status'> => ({
  method: 'POST',
  path: '/api/v1/dossiers',
  token: 'district',
  json: declaration(overrides),
  ...extra,
});
const bad = (name: string, overrides: Record<string, unknown>, field: string): Case => ({
  name,
  ...intake(overrides),
  status: 422,
  code: 'validation_failed',
  field,
});
const decide = (
  name: string,
  body: Record<string, unknown>,
  status: number,
  code: string,
  field?: string,
): Case => ({
  name,
  method: 'POST',
  path: (ids) => `/api/v1/dossiers/${ids.pending}/decision`,
  token: 'district',
  json: { ...decision(1), ...body },
  status,
  code,
  field,
});
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(4000, 0x41)]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const LONG = 'Nguyễn'.repeat(1700);

const CASES: Case[] = [
  bad('the seed’s phone "1231231"', { mobile: '1231231' }, 'mobile'),
  bad('a landline-like 012 number', { mobile: '0123456789' }, 'mobile'),
  bad('a short +84 number', { mobile: '+8412345' }, 'mobile'),
  bad('an 11-digit mobile', { mobile: '09123456789' }, 'mobile'),
  bad('letters in a mobile', { mobile: '09l2345678' }, 'mobile'),
  bad('a 10 000-character name', { fullName: LONG.slice(0, 10_000) }, 'fullName'),
  bad('an empty name', { fullName: '   ' }, 'fullName'),
  bad('SQL injection in the name', { fullName: "Robert'); DROP TABLE dossiers;--" }, 'fullName'),
  bad('HTML in the name', { fullName: '<script>alert(1)</script>' }, 'fullName'),
  bad('a NUL character in the name', { fullName: 'Nguyễn\u0000An' }, 'fullName'),
  bad('digits in the contact person', { contactPerson: 'Nguyễn 123' }, 'contactPerson'),
  bad('HTML in the address', { address: '<img src=x onerror=alert(1)>' }, 'address'),
  bad('SQL injection in the address', { address: "'; DELETE FROM dossiers; --" }, 'address'),
  bad('a 10 000-character address', { address: 'a'.repeat(10_000) }, 'address'),
  bad('a 3-digit BHXH code', { bhxhCode: '123' }, 'bhxhCode'),
  bad('an 11-digit BHXH code', { bhxhCode: '01234567890' }, 'bhxhCode'),
  bad('SQL injection in the BHXH code', { bhxhCode: "0101234567' OR '1'='1" }, 'bhxhCode'),
  bad('letters as BHXH code', { bhxhCode: 'abcdefghij' }, 'bhxhCode'),
  bad('a 5-digit CCCD', { idNumber: '12345' }, 'idNumber'),
  bad('a CCCD with an unknown province', { idNumber: '003090123456' }, 'idNumber'),
  bad(
    'a CCCD whose gender digit says female for a man',
    { idNumber: '001190123456', gender: 'Nam' },
    'idNumber',
  ),
  bad('a CCCD whose century says 2000s for a 1990 birth', { idNumber: '001290123456' }, 'idNumber'),
  bad('an 8-digit CMND', { idKind: 'cmnd', idNumber: '12345678' }, 'idNumber'),
  bad('an unknown ID kind', { idKind: 'drivers' }, 'idKind'),
  bad('an e-mail without @', { email: 'not-an-email' }, 'email'),
  bad('an e-mail without a domain dot', { email: 'a@b' }, 'email'),
  bad('30 February', { dateOfBirth: '1990-02-30' }, 'dateOfBirth'),
  bad('a dd/MM/yyyy birth date', { dateOfBirth: '02/01/1990' }, 'dateOfBirth'),
  bad('a birth date in the future', { dateOfBirth: '2999-01-01', idNumber: '001099123456' }, 'dateOfBirth'),
  bad('an unknown gender', { gender: 'Khác' }, 'gender'),
  bad('an unknown kind', { kind: 'delete' }, 'kind'),
  bad('an unknown channel', { channel: 'fax' }, 'channel'),
  bad('an I-VAN channel without its name', { channel: 'ivan' }, 'ivanName'),
  bad('an unknown submission method', { submissionMethod: 'email' }, 'submissionMethod'),
  bad('a clientId that is no uuid', { clientId: 'abc' }, 'clientId'),
  bad('an unknown agency', { agencyCode: '999' }, 'agencyCode'),
  bad('a change-of-details form with nothing to change', { kind: 'update' }, 'update'),
  bad(
    'a change-of-details form with a bad new mobile',
    { kind: 'update', update: { mobile: '1231231' } },
    'update.mobile',
  ),
  bad('a stop form without date and reason', { kind: 'stop' }, 'stop'),
  bad(
    'a certificate valid to before valid from',
    { certificate: { serial: 'AB12', issuer: 'VNPT-CA', validFrom: '2024-01-01', validTo: '2023-01-01' } },
    'certificate.validTo',
  ),
  { name: 'intake into a parent agency', ...intake({ agencyCode: '903' }), status: 403, code: 'forbidden' },
  {
    name: 'malformed JSON',
    ...intake({}, { json: undefined, raw: '{"kind":' }),
    status: 400,
    code: 'invalid_json',
  },
  {
    name: 'an empty JSON body',
    ...intake({}, { json: undefined, raw: '' }),
    status: 400,
    code: 'invalid_json',
  },
  {
    name: 'a JSON array instead of an object',
    ...intake({}, { json: [] }),
    status: 422,
    code: 'validation_failed',
  },
  {
    name: 'plain text instead of JSON',
    ...intake({}, { json: undefined, raw: 'kind=register', contentType: 'text/plain' }),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a 2 MB JSON body',
    ...intake(
      {},
      { json: undefined, raw: JSON.stringify({ ...declaration(), address: 'x'.repeat(2_000_000) }) },
    ),
    status: 413,
    code: 'payload_too_large',
  },
  { name: 'an expired session', ...intake({}, { token: 'expired' }), status: 401, code: 'session_expired' },
  { name: 'a forged token', ...intake({}, { token: 'garbage' }), status: 401, code: 'unauthorized' },
  { name: 'no token at all', ...intake({}, { token: 'none' }), status: 401, code: 'unauthorized' },
  decide('invalid without any reason', { outcome: 'invalid' }, 422, 'validation_failed', 'reason'),
  decide(
    'invalid with a blank reason',
    { outcome: 'invalid', reason: '  \n ' },
    422,
    'validation_failed',
    'reason',
  ),
  decide('an unknown outcome', { outcome: 'approve' }, 422, 'validation_failed', 'outcome'),
  decide('a negative baseVersion', { baseVersion: -1 }, 422, 'validation_failed', 'baseVersion'),
  decide('a baseVersion as text', { baseVersion: 'one' }, 422, 'validation_failed', 'baseVersion'),
  decide('a decisionId that is no uuid', { decisionId: 'abc' }, 422, 'validation_failed', 'decisionId'),
  decide('decidedAt as words', { decidedAt: 'yesterday' }, 422, 'validation_failed', 'decidedAt'),
  decide(
    'decidedAt far in the future',
    { decidedAt: '2999-01-01T00:00:00+07:00' },
    422,
    'validation_failed',
    'decidedAt',
  ),
  decide(
    'HTML in the reason',
    { outcome: 'invalid', reason: '<b>sai</b>' },
    422,
    'validation_failed',
    'reason',
  ),
  decide(
    'an unknown reason code',
    { outcome: 'invalid', reasonCodes: ['R99'] },
    422,
    'validation_failed',
    'reasonCodes',
  ),
  { ...decide('a decision on another province’s dossier', {}, 404, 'not_found'), token: 'hanoi' },
  {
    name: 'a .exe sent as image/jpeg',
    method: 'PUT',
    path: (ids) => `/api/v1/dossiers/${ids.pending}/attachments/photo`,
    token: 'district',
    raw: EXE,
    contentType: 'image/jpeg',
    status: 415,
    code: 'media_type_mismatch',
  },
  {
    name: 'a PDF sent as image/png',
    method: 'PUT',
    path: (ids) => `/api/v1/dossiers/${ids.pending}/attachments/idBack`,
    token: 'district',
    raw: PDF,
    contentType: 'image/png',
    status: 415,
    code: 'media_type_mismatch',
  },
  {
    name: 'a 50 MB upload',
    method: 'PUT',
    path: (ids) => `/api/v1/dossiers/${ids.pending}/attachments/formPage1`,
    token: 'district',
    raw: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(50 * 1024 * 1024)]),
    contentType: 'image/jpeg',
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'an HTML page as attachment',
    method: 'PUT',
    path: (ids) => `/api/v1/dossiers/${ids.pending}/attachments/photo`,
    token: 'district',
    raw: '<html></html>',
    contentType: 'text/html',
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a path-traversal attachment role',
    method: 'PUT',
    path: (ids) => `/api/v1/dossiers/${ids.pending}/attachments/..%2F..%2Fetc%2Fpasswd`,
    token: 'district',
    raw: PDF,
    contentType: 'application/pdf',
    status: 422,
    code: 'validation_failed',
  },
  {
    name: 'an attachment to another province’s dossier',
    method: 'PUT',
    path: (ids) => `/api/v1/dossiers/${ids.pending903}/attachments/photo`,
    token: 'district',
    raw: PDF,
    contentType: 'application/pdf',
    status: 404,
    code: 'not_found',
  },
  {
    name: 'a page of 100 000 rows',
    method: 'GET',
    path: '/api/v1/dossiers?limit=100000',
    token: 'officer',
    status: 422,
    code: 'validation_failed',
    field: 'limit',
  },
  {
    name: 'month 13 in from',
    method: 'GET',
    path: '/api/v1/dossiers?from=2020-13-45',
    token: 'officer',
    status: 422,
    code: 'validation_failed',
    field: 'from',
  },
  {
    name: 'a forged cursor',
    method: 'GET',
    path: '/api/v1/dossiers?cursor=Zm9v',
    token: 'officer',
    status: 400,
    code: 'bad_request',
    field: 'cursor',
  },
  {
    name: 'an unknown status filter',
    method: 'GET',
    path: '/api/v1/dossiers?status=deleted',
    token: 'officer',
    status: 422,
    code: 'validation_failed',
    field: 'status',
  },
  {
    name: 'a negative feed position',
    method: 'GET',
    path: '/api/v1/dossiers/changes?after=-1',
    token: 'officer',
    status: 422,
    code: 'validation_failed',
    field: 'after',
  },
  {
    name: 'a feed page size as text',
    method: 'GET',
    path: '/api/v1/dossiers/changes?limit=abc',
    token: 'officer',
    status: 422,
    code: 'validation_failed',
    field: 'limit',
  },
  {
    name: 'a report date as words',
    method: 'GET',
    path: '/api/v1/reports/daily?date=today',
    token: 'supervisor',
    status: 422,
    code: 'validation_failed',
    field: 'date',
  },
  {
    name: 'an impossible report date',
    method: 'GET',
    path: '/api/v1/reports/daily?date=2020-02-30',
    token: 'supervisor',
    status: 422,
    code: 'validation_failed',
    field: 'date',
  },
  {
    name: 'SQL injection in a registry lookup',
    method: 'GET',
    path: `/api/v1/registry/persons/${encodeURIComponent("0113098765' OR 1=1")}`,
    token: 'officer',
    status: 422,
    code: 'validation_failed',
  },
  {
    name: 'a 300-character user name',
    method: 'POST',
    path: '/api/v1/auth/login',
    json: { agencyCode: '903', username: 'u'.repeat(300), password: 'x' },
    status: 422,
    code: 'validation_failed',
    field: 'username',
  },
  {
    name: 'malformed JSON at sign-in',
    method: 'POST',
    path: '/api/v1/auth/login',
    raw: '{"agencyCode":"903"',
    status: 400,
    code: 'invalid_json',
  },
  {
    name: 'duplicate reason codes',
    method: 'PUT',
    path: '/api/v1/reasons',
    token: 'supervisor',
    json: [
      { code: 'R1', text: 'Một', smsText: 'Mot' },
      { code: 'R1', text: 'Hai', smsText: 'Hai' },
    ],
    status: 422,
    code: 'validation_failed',
  },
  {
    name: 'a reason SMS text over 120 characters',
    method: 'PUT',
    path: '/api/v1/reasons',
    token: 'supervisor',
    json: [{ code: 'R1', text: 'Một', smsText: 'x'.repeat(121) }],
    status: 422,
    code: 'validation_failed',
    field: '0.smsText',
  },
  {
    name: 'an officer editing reasons',
    method: 'PUT',
    path: '/api/v1/reasons',
    token: 'officer',
    json: [],
    status: 403,
    code: 'forbidden',
  },
];

describe.each(TARGETS)('bad inputs on %s', (target) => {
  let s: TestService;
  const tokens: Record<string, string> = {};
  let ids: Ids;
  const clock = createClock();
  const logs = new PassThrough();
  let logText = '';
  logs.on('data', (c: Buffer) => (logText += c.toString('utf8')));

  beforeAll(async () => {
    stampDecisionsBy(clock);
    s = await startTarget(target, { now: clock.now, logger: true, logStream: logs });
    tokens.officer = await signIn(s.url, '903', 'ttcntt');
    tokens.district = await signIn(s.url, '00115', 'cb00115');
    tokens.hanoi = await signIn(s.url, '001', 'cbhn');
    tokens.supervisor = await signIn(s.url, '903', 'ld903');
    clock.advance(-(s.config.sessionTtlMs + 60_000));
    tokens.expired = await signIn(s.url, '00115', 'cb00115');
    clock.advance(s.config.sessionTtlMs + 60_000);
    tokens.garbage = 'A'.repeat(43);
    ids = {
      pending: await dossierId(s.url, tokens.officer!, '00088.GD/2020/00115'),
      pending903: await dossierId(s.url, tokens.officer!, '00006.GD/2020/903'),
    };
  });
  afterAll(async () => {
    stampDecisionsBy();
    await s?.stop();
  });

  it(`holds at least 50 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const before = await countRows(s);
    const path = typeof c.path === 'function' ? c.path(ids) : c.path;
    const token = c.token && c.token !== 'none' ? tokens[c.token] : undefined;
    const res = await call(s.url, c.method, path, {
      token,
      json: c.json,
      raw: c.raw,
      contentType: c.contentType,
    });
    expect(res.status, res.text.slice(0, 300)).toBe(c.status);
    expect(res.body.error.message).toMatch(/[àáảãạăâđèéêìíòóôơùúưýỳ]/iu); // a Vietnamese sentence
    if (c.code) expect(res.body.error.code).toBe(c.code);
    if (c.field) expect(Object.keys(res.body.error.fields ?? {})).toContain(c.field);
    expect(await countRows(s)).toEqual(before);
  });

  it('stores NFD input as NFC and finds it without diacritics', async () => {
    const nfd = 'Đặng Thị Thuỷ Tiên'.normalize('NFD');
    const res = await call(s.url, 'POST', '/api/v1/dossiers', {
      token: tokens.district,
      json: declaration({
        fullName: nfd,
        contactPerson: nfd,
        address: 'Số 5 Hoàng Quốc Việt, Phường Nghĩa Đô, Thành phố Hà Nội'.normalize('NFD'),
        idNumber: '001190123456',
        gender: 'Nữ',
      }),
    });
    expect(res.status).toBe(201);
    expect(res.body.fullName).toBe('Đặng Thị Thuỷ Tiên'.normalize('NFC'));
    expect(res.body.address).toBe(res.body.address.normalize('NFC'));
    const found = await call(s.url, 'GET', '/api/v1/dossiers?q=dang thi thuy', { token: tokens.district });
    expect(found.body.items.map((d: { id: string }) => d.id)).toContain(res.body.id);
  });

  it('writes no ID number, phone or name into its logs', async () => {
    // Requests full of personal data, in paths, query strings and bodies, some failing.
    await call(
      s.url,
      'GET',
      `/api/v1/dossiers?q=${encodeURIComponent('Nguyễn Thành Biên')}&bhxhCode=0113098765`,
      { token: tokens.officer },
    );
    await call(s.url, 'GET', '/api/v1/registry/persons/0113098765', { token: tokens.officer });
    await call(s.url, 'GET', `/api/v1/dossiers/${ids.pending903}`, { token: tokens.officer });
    await call(s.url, 'POST', '/api/v1/dossiers', {
      token: tokens.district,
      json: declaration({ fullName: 'Hoàng Văn Bí Mật', idNumber: '001090777888', mobile: '0987111222' }),
    });
    await call(s.url, 'POST', '/api/v1/dossiers', {
      token: tokens.district,
      json: declaration({ fullName: 'Hoàng Văn Bí Mật', idNumber: '001190777888', mobile: '0987111222' }),
    });
    await s.deliverSms();
    expect(logText).toContain('"route":"/api/v1/dossiers"');
    for (const secret of [
      '0113098765',
      'Nguyễn Thành Biên',
      'Nguy%E1%BB%85n',
      '111987340908',
      '0983847986',
      'Hoàng Văn Bí Mật',
      '001090777888',
      '0987111222',
      '987111222',
      'biennt@vss.gov.vn',
    ]) {
      expect(logText, secret).not.toContain(secret);
    }
  });
});
