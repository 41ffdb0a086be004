// The bad-request corpus: classes of hostile or malformed requests, each class crossed with every
// field or route it applies to (at least 600 requests), on real PostgreSQL and on PGlite. Every answer
// must be a 4xx of the expected status in the API.md envelope (a Vietnamese sentence, the field
// named for a 422, an x-request-id, no framework names, no echo of what was sent), no 5xx; nothing
// may change (a digest of every table before and after each class); and the service must not log
// that a value reached PostgreSQL and was refused there (the gate's backstop).

import net from 'node:net';
import { crc32 } from 'node:zlib';
import { PassThrough } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATE_MISSED } from '../../../server/gate.js';
import { pdfFromObjects, realJpeg, realPdf, realPng } from '../../fixtures/files.js';
import {
  call,
  createClock,
  stampDecisionsBy,
  decision,
  declaration,
  dossierId,
  signIn,
  startTarget,
  tableDigest,
  TARGETS,
  type Answer,
  type TestService,
} from './helpers.js';

type Who = 'officer' | 'district' | 'hanoi' | 'supervisor' | 'none';
type Ids = { pending: string; pending903: string; decided: string };
type Req = {
  method: string;
  path: string | ((ids: Ids) => string);
  token?: Who;
  json?: unknown | ((ids: Ids) => unknown);
  raw?: Buffer | string;
  contentType?: string;
  /** sent byte for byte over a socket (framework and parser refusals) */
  wire?: string | Buffer;
  headers?: Record<string, string>;
};
type Expect = { status: number | readonly number[]; code?: string; field?: string };
type Case = { name: string; req: Req; expect: Expect };
type CaseClass = { name: string; cases: Case[] };

// ---------------------------------------------------------------- hostile values

/** Text values every text field refuses (single-line fields also refuse line breaks and tabs). */
const ALWAYS_BAD: ReadonlyArray<readonly [string, string]> = [
  ['NUL inside', 'Nguyễn\u0000An'],
  ['NUL alone', '\u0000'],
  ['NUL at the end', 'abc\u0000'],
  ['U+0001', 'a\u0001b'],
  ['U+001B escape', 'a\u001b[31mb'],
  ['U+001F', 'a\u001fb'],
  ['DEL', 'a\u007fb'],
  ['C1 NEL', 'a\u0085b'],
  ['C1 U+009F', 'a\u009fb'],
  ['a lone high surrogate', 'a\ud800b'],
  ['a lone low surrogate', 'a\udc00b'],
  ['a reversed surrogate pair', '\udc00\ud800'],
  ['U+FFFD (invalid UTF-8 decoded)', 'Nguy\ufffdn'],
  ['a vertical tab', 'a\u000bb'],
];
const LINE_BREAKS: ReadonlyArray<readonly [string, string]> = [
  ['a line feed', 'Nguyễn\nAn'],
  ['a carriage return', 'Nguyễn\rAn'],
  ['a tab', 'Nguyễn\tAn'],
];
/** Blank in the input rules' sense: a required field refuses them. */
const BLANK: ReadonlyArray<readonly [string, string]> = [
  ['zero-width spaces only', '\u200b\u200b'],
  ['spaces and zero-width characters', ' \u200b\ufeff \u2060 '],
  ['an empty string', ''],
];
const TOO_LONG = (n: number): readonly [string, string] => [`${n} characters`, 'Ẫ'.repeat(n)];

type TextField = {
  /** the request with `value` placed in the field */
  build: (value: string) => Req;
  field: string;
  singleLine: boolean;
  required: boolean;
  max: number;
};

function textCases(route: string, f: TextField): Case[] {
  const values: Array<readonly [string, string]> = [...ALWAYS_BAD];
  if (f.singleLine) values.push(...LINE_BREAKS);
  if (f.required) values.push(...BLANK);
  values.push(TOO_LONG(f.max * 4 + 1));
  return values.map(([what, value]) => ({
    name: `${route} ${f.field}: ${what}`,
    req: f.build(value),
    expect: { status: 422, code: 'validation_failed', field: f.field },
  }));
}

const login = (fields: Record<string, unknown>): Req => ({
  method: 'POST',
  path: '/api/v1/auth/login',
  json: { agencyCode: '903', username: 'ttcntt', password: 'Bhxh@2020', ...fields },
});
const intake = (overrides: Record<string, unknown>): Req => ({
  method: 'POST',
  path: '/api/v1/dossiers',
  token: 'district',
  json: () => declaration(overrides),
});
const decide = (body: Record<string, unknown>, id: keyof Ids = 'pending'): Req => ({
  method: 'POST',
  path: (ids) => `/api/v1/dossiers/${ids[id]}/decision`,
  token: 'district',
  json: () => ({ ...decision(1), ...body }),
});
const deskIntake = (overrides: Record<string, unknown>): Req =>
  intake({
    submissionMethod: 'mobile_desk',
    deskName: 'KCN Quang Minh',
    declaredAt: new Date(Date.now() - 86_400_000).toISOString(),
    ...overrides,
  });
/** Every UTF-8 byte percent-encoded (a lone surrogate goes as U+FFFD's bytes, as a browser sends it). */
const pct = (v: string): string =>
  [...Buffer.from(v, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
const registrySearch = (qs: string): Req => ({
  method: 'GET',
  path: `/api/v1/registry/persons?${qs}`,
  token: 'officer',
});
const reasons = (entry: Record<string, unknown>): Req => ({
  method: 'PUT',
  path: '/api/v1/reasons',
  token: 'supervisor',
  json: [{ code: 'R01', text: 'Lý do một', smsText: 'Ly do mot', ...entry }],
});
const cert = (c: Record<string, unknown>) => ({
  certificate: { serial: 'AB12', issuer: 'VNPT-CA', validFrom: '2024-01-01', validTo: '2026-01-01', ...c },
});

function textClass(): CaseClass {
  const fields: Array<[string, TextField]> = [
    [
      'login',
      {
        field: 'agencyCode',
        build: (v) => login({ agencyCode: v }),
        singleLine: true,
        required: true,
        max: 10,
      },
    ],
    [
      'login',
      { field: 'username', build: (v) => login({ username: v }), singleLine: true, required: true, max: 64 },
    ],
    [
      'login',
      { field: 'password', build: (v) => login({ password: v }), singleLine: true, required: true, max: 256 },
    ],
    [
      'login',
      {
        field: 'captchaAnswer',
        build: (v) => login({ captchaId: randomUUID(), captchaAnswer: v }),
        singleLine: true,
        required: false,
        max: 32,
      },
    ],
    [
      'intake',
      {
        field: 'fullName',
        build: (v) => intake({ fullName: v }),
        singleLine: true,
        required: true,
        max: 400,
      },
    ],
    [
      'intake',
      {
        field: 'address',
        build: (v) => intake({ address: v }),
        singleLine: true,
        required: true,
        max: 1000,
      },
    ],
    [
      'intake',
      {
        field: 'contactPerson',
        build: (v) => intake({ contactPerson: v }),
        singleLine: true,
        required: true,
        max: 400,
      },
    ],
    [
      'intake',
      {
        field: 'bhxhCode',
        build: (v) => intake({ bhxhCode: v }),
        singleLine: true,
        required: false,
        max: 40,
      },
    ],
    [
      'intake',
      {
        field: 'idNumber',
        build: (v) => intake({ idNumber: v }),
        singleLine: true,
        required: true,
        max: 40,
      },
    ],
    [
      'intake',
      { field: 'mobile', build: (v) => intake({ mobile: v }), singleLine: true, required: true, max: 40 },
    ],
    [
      'intake',
      { field: 'email', build: (v) => intake({ email: v }), singleLine: true, required: false, max: 254 },
    ],
    [
      'intake',
      {
        field: 'ivanName',
        build: (v) => intake({ channel: 'ivan', ivanName: v }),
        singleLine: true,
        required: false,
        max: 200,
      },
    ],
    [
      'intake',
      {
        field: 'certificate.serial',
        build: (v) => intake(cert({ serial: v })),
        singleLine: true,
        required: true,
        max: 64,
      },
    ],
    [
      'intake',
      {
        field: 'certificate.issuer',
        build: (v) => intake(cert({ issuer: v })),
        singleLine: true,
        required: true,
        max: 200,
      },
    ],
    [
      'intake',
      {
        field: 'stop.reason',
        build: (v) => intake({ kind: 'stop', stop: { stopDate: '2026-01-01', reason: v } }),
        singleLine: false,
        required: false,
        max: 500,
      },
    ],
    [
      'intake',
      {
        field: 'update.mobile',
        build: (v) => intake({ kind: 'update', update: { mobile: v } }),
        singleLine: true,
        required: false,
        max: 40,
      },
    ],
    [
      'intake',
      {
        field: 'update.email',
        build: (v) => intake({ kind: 'update', update: { email: v } }),
        singleLine: true,
        required: false,
        max: 254,
      },
    ],
    [
      'decision',
      {
        field: 'reason',
        build: (v) => decide({ outcome: 'invalid', reason: v }),
        singleLine: false,
        required: false,
        max: 2000,
      },
    ],
    [
      'decision',
      {
        field: 'deviceId',
        build: (v) => decide({ deviceId: v }),
        singleLine: true,
        required: true,
        max: 128,
      },
    ],
    [
      'reasons',
      { field: '0.text', build: (v) => reasons({ text: v }), singleLine: true, required: true, max: 500 },
    ],
    [
      'reasons',
      {
        field: '0.smsText',
        build: (v) => reasons({ smsText: v }),
        singleLine: true,
        required: true,
        max: 120,
      },
    ],
    [
      'desk intake',
      {
        field: 'deskName',
        build: (v) => deskIntake({ deskName: v }),
        singleLine: true,
        required: false,
        max: 200,
      },
    ],
    [
      'registry search',
      {
        field: 'idNumber',
        build: (v) => registrySearch(`idNumber=${pct(v)}`),
        singleLine: true,
        required: false,
        max: 40,
      },
    ],
    [
      'registry search',
      {
        field: 'fullName',
        build: (v) => registrySearch(`fullName=${pct(v)}&dateOfBirth=1990-01-02`),
        singleLine: true,
        required: false,
        max: 400,
      },
    ],
    [
      'registry search',
      {
        field: 'dateOfBirth',
        build: (v) => registrySearch(`fullName=Nguy%E1%BB%85n%20An&dateOfBirth=${pct(v)}`),
        singleLine: true,
        required: false,
        max: 40,
      },
    ],
  ];
  return {
    name: 'text rules in bodies and queries',
    cases: fields.flatMap(([route, f]) => textCases(route, f)),
  };
}

/** Codes (agency, reason codes): letters, digits and . _ - only. */
function codeClass(): CaseClass {
  const values = [
    "R01' OR '1'='1",
    'R 01',
    'R01;',
    'Mã',
    '%',
    'R01\u0000',
    '',
    'x'.repeat(33),
    '<b>',
    '../R01',
  ];
  const cases: Case[] = [];
  for (const v of values) {
    cases.push({
      name: `reason code in a decision: ${JSON.stringify(v).slice(0, 30)}`,
      req: decide({ outcome: 'invalid', reasonCodes: [v] }),
      expect: { status: 422, code: 'validation_failed', field: 'reasonCodes.0' },
    });
    cases.push({
      name: `reason code in the list: ${JSON.stringify(v).slice(0, 30)}`,
      req: reasons({ code: v }),
      expect: { status: 422, code: 'validation_failed', field: '0.code' },
    });
    cases.push({
      name: `agency code in an intake: ${JSON.stringify(v).slice(0, 30)}`,
      req: intake({ agencyCode: v }),
      expect: { status: 422, code: 'validation_failed', field: 'agencyCode' },
    });
  }
  return { name: 'codes', cases };
}

/** Query-string fields: control characters, invalid percent-encodings, wrong shapes. */
function queryClass(): CaseClass {
  const encoded: Array<[string, string]> = [
    ['NUL', '%00'],
    ['a line feed', 'a%0Ab'],
    ['U+001F', '%1F'],
    ['DEL', '%7F'],
    ['C1 NEL', '%C2%85'],
    ['an encoded surrogate (CESU)', '%ED%A0%80'],
    ['a lone %FF byte', '%FF'],
    ['a truncated sequence', '%E1%BA'],
    ['an overlong slash', '%C0%AF'],
    ['a malformed percent', 'a%'],
    ['a non-hex percent', '%zz'],
    ['U+FFFD', '%EF%BF%BD'],
  ];
  const cases: Case[] = [];
  for (const field of ['q', 'dossierNumber', 'bhxhCode'])
    for (const [what, value] of encoded)
      cases.push({
        name: `GET /dossiers ${field}: ${what}`,
        req: { method: 'GET', path: `/api/v1/dossiers?${field}=${value}`, token: 'officer' },
        expect: { status: 422, code: 'validation_failed', field },
      });
  const shapes: Array<[string, string, string]> = [
    ['q twice', 'q=a&q=b', 'q'],
    ['q over 200 characters', `q=${'a'.repeat(801)}`, 'q'],
    ['status unknown', 'status=deleted', 'status'],
    ['outcome unknown', 'outcome=maybe', 'outcome'],
    ['kind unknown', 'kind=delete', 'kind'],
    ['limit 0', 'limit=0', 'limit'],
    ['limit 501', 'limit=501', 'limit'],
    ['limit as words', 'limit=many', 'limit'],
    ['limit 1e400', 'limit=1e400', 'limit'],
    ['limit 2.5', 'limit=2.5', 'limit'],
    ['limit negative', 'limit=-5', 'limit'],
  ];
  for (const [what, qs, field] of shapes)
    cases.push({
      name: `GET /dossiers: ${what}`,
      req: { method: 'GET', path: `/api/v1/dossiers?${qs}`, token: 'officer' },
      expect: { status: 422, code: 'validation_failed', field },
    });
  const changes: Array<[string, string, string]> = [
    ['after negative', 'after=-1', 'after'],
    ['after beyond 2^53', 'after=100000000000000000000', 'after'],
    ['after NaN', 'after=NaN', 'after'],
    ['after as words', 'after=zero', 'after'],
    ['after 1.5', 'after=1.5', 'after'],
    ['limit 0', 'limit=0', 'limit'],
    ['limit 1001', 'limit=1001', 'limit'],
    ['after NUL', 'after=%00', 'after'],
  ];
  for (const [what, qs, field] of changes)
    cases.push({
      name: `GET /dossiers/changes: ${what}`,
      req: { method: 'GET', path: `/api/v1/dossiers/changes?${qs}`, token: 'officer' },
      expect: { status: 422, code: 'validation_failed', field },
    });
  return { name: 'query strings', cases };
}

/** Dates and instants: real calendar values within each field's bounds. */
function dateClass(): CaseClass {
  const notDates = [
    '2020-02-30',
    '2021-02-29',
    '2100-02-29',
    '2020-04-31',
    '2020-13-01',
    '2020-00-10',
    '2020-01-00',
    '0000-01-01',
    '10000-01-01',
    '+002020-01-01',
    '2020-1-1',
    '2020/01/01',
    '01/02/2020',
    '2020-01-01T00:00:00Z',
    ' 2020-01-01',
    '',
    'hôm qua',
  ];
  const cases: Case[] = [];
  const dateFields: Array<[string, (v: string) => Req, string, string[]]> = [
    ['intake dateOfBirth', (v) => intake({ dateOfBirth: v }), 'dateOfBirth', ['1899-12-31', '9999-12-31']],
    [
      'intake certificate.validFrom',
      (v) => intake(cert({ validFrom: v })),
      'certificate.validFrom',
      ['1999-12-31', '2101-01-01'],
    ],
    [
      'intake certificate.validTo',
      (v) => intake(cert({ validTo: v })),
      'certificate.validTo',
      ['1970-01-01', '5874897-12-31'],
    ],
    [
      'intake effectiveDate',
      (v) => intake({ effectiveDate: v }),
      'effectiveDate',
      ['1999-12-31', '2101-01-01'],
    ],
    [
      'intake stop.stopDate',
      (v) => intake({ kind: 'stop', stop: { stopDate: v, reason: 'Không dùng nữa' } }),
      'stop.stopDate',
      ['1999-12-31', '2999-01-01'],
    ],
    [
      'GET /dossiers from',
      (v) => ({ method: 'GET', path: `/api/v1/dossiers?from=${encodeURIComponent(v)}`, token: 'officer' }),
      'from',
      ['1999-12-31', '2101-01-01'],
    ],
    [
      'GET /dossiers to',
      (v) => ({ method: 'GET', path: `/api/v1/dossiers?to=${encodeURIComponent(v)}`, token: 'officer' }),
      'to',
      ['0001-01-01', '9999-12-31'],
    ],
    [
      'GET /reports/daily date',
      (v) => ({
        method: 'GET',
        path: `/api/v1/reports/daily?date=${encodeURIComponent(v)}`,
        token: 'supervisor',
      }),
      'date',
      ['1999-12-31', '4713-01-01'],
    ],
  ];
  for (const [route, build, field, outOfBounds] of dateFields)
    for (const v of [...notDates, ...outOfBounds])
      cases.push({
        name: `${route}: ${JSON.stringify(v)}`,
        req: build(v),
        expect: { status: 422, code: 'validation_failed', field },
      });
  const instants = [
    '2020-02-30T10:00:00+07:00',
    '2021-02-29T10:00:00Z',
    '0000-01-01T00:00:00Z',
    '0000-12-31T23:59:59+07:00',
    '+010000-01-01T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T10:60:00Z',
    '2026-01-01T10:00:61Z',
    '2026-01-01T10:00:00+15:00',
    '2026-01-01T10:00:00+07:60',
    '2026-01-01T10:00:00',
    '2026-01-01 10:00:00+07:00',
    '2026-01-01',
    '1999-12-31T23:59:59Z',
    '2999-01-01T00:00:00Z',
    '2010-01-01T00:00:00+07:00',
    'yesterday',
    '',
    '1767225600000',
  ];
  for (const v of instants) {
    cases.push({
      name: `decision decidedAt: ${JSON.stringify(v)}`,
      req: decide({ decidedAt: v }),
      expect: { status: 422, code: 'validation_failed', field: 'decidedAt' },
    });
    if (v !== '2010-01-01T00:00:00+07:00')
      cases.push({
        name: `desk intake declaredAt: ${JSON.stringify(v)}`,
        req: deskIntake({ declaredAt: v }),
        expect: { status: 422, code: 'validation_failed', field: 'declaredAt' },
      });
  }
  for (const v of notDates.filter((d) => d.trim() === d && d !== '' && d !== '01/02/2020'))
    cases.push({
      name: `registry search dateOfBirth: ${JSON.stringify(v)}`,
      req: registrySearch(`fullName=Nguy%E1%BB%85n%20An&dateOfBirth=${encodeURIComponent(v)}`),
      expect: { status: 422, code: 'validation_failed', field: 'dateOfBirth' },
    });
  return { name: 'dates and instants', cases };
}

/** Ids in paths are what they claim to be (else 404); ids in bodies are uuids (else 422). */
function idClass(): CaseClass {
  const notUuids = [
    'abc',
    'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
    '00000000-0000-0000-0000-00000000000g',
    '{00000000-0000-0000-0000-000000000000}',
    '000000000000000000000000000000000000',
    '00000000-0000-0000-0000-0000000000000',
    "1'%20OR%20'1'%3D'1",
    '%00',
    '..%2F..%2Fetc%2Fpasswd',
    '-1',
    `${randomUUID()}%00`,
  ];
  const unknown = randomUUID();
  const routes: Array<[string, string, (id: string) => string, Who, unknown?]> = [
    ['GET /dossiers/:id', 'GET', (id) => `/api/v1/dossiers/${id}`, 'officer'],
    ['receive', 'POST', (id) => `/api/v1/dossiers/${id}/receive`, 'district', { clientId: randomUUID() }],
    ['claim', 'POST', (id) => `/api/v1/dossiers/${id}/claim`, 'district'],
    ['release', 'DELETE', (id) => `/api/v1/dossiers/${id}/claim`, 'district'],
    ['decision', 'POST', (id) => `/api/v1/dossiers/${id}/decision`, 'district', decision(1)],
    ['GET /attachments/:id', 'GET', (id) => `/api/v1/attachments/${id}`, 'officer'],
    ['GET /decisions/:decisionId', 'GET', (id) => `/api/v1/decisions/${id}`, 'officer'],
  ];
  const cases: Case[] = [];
  for (const [route, method, path, who, body] of routes)
    for (const id of [...notUuids, unknown])
      cases.push({
        name: `${route} with id ${id.slice(0, 40)}`,
        req: { method, path: path(id), token: who, json: body },
        expect: { status: 404, code: 'not_found' },
      });
  for (const [field, build] of [
    ['clientId', (v: string) => intake({ clientId: v })],
    ['decisionId', (v: string) => decide({ decisionId: v })],
    [
      'clientId',
      (v: string) => ({
        ...decide({}),
        path: (ids: Ids) => `/api/v1/dossiers/${ids.pending}/receive`,
        json: { clientId: v },
      }),
    ],
    ['captchaId', (v: string) => login({ captchaId: v, captchaAnswer: 'ABCDE' })],
  ] as const)
    for (const v of [
      'abc',
      'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
      '00000000-0000-0000-0000-00000000000g',
      '',
    ])
      cases.push({
        name: `${field} in a body: ${v || 'empty'}`,
        req: build(v) as Req,
        expect: { status: 422, code: 'validation_failed', field },
      });
  return { name: 'ids', cases };
}

/** Cursors the service did not issue (400), and the same forged cursor on every list filter. */
function cursorClass(real: () => string): CaseClass {
  const forge = (): Array<[string, string]> => {
    const c = real();
    const payload = c.slice(0, -22);
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const signedLike = (json: unknown) =>
      Buffer.from(JSON.stringify(json)).toString('base64url') + c.slice(-22);
    return [
      ['three letters', 'Zm9v'],
      [
        'an unsigned position',
        Buffer.from(JSON.stringify({ t: '2020-01-01 00:00:00+07', id: randomUUID() })).toString('base64url'),
      ],
      ['the payload without its signature', payload],
      ['the signature alone', c.slice(-22)],
      ['one payload character changed', flip(c, 3)],
      ['one signature character changed', flip(c, c.length - 5)],
      ['year 0 with a borrowed signature', signedLike({ t: '0000-01-01 00:00:00+07', id: randomUUID() })],
      [
        'a date JavaScript accepts and PostgreSQL refuses',
        signedLike({ t: '2020-02-30 00:00:00+07', id: randomUUID() }),
      ],
      [
        'a non-uuid id with a borrowed signature',
        signedLike({ t: '2020-01-01 00:00:00+07', id: 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz' }),
      ],
      ['SQL in the cursor', "x'%20OR%201%3D1--"],
      ['base64 with padding', `${payload}==`],
      ['2,000 characters', 'A'.repeat(2000)],
      ['an empty cursor', ''],
      ['NUL', '%00'],
    ];
  };
  const cases: Case[] = [];
  for (const filter of ['', '&status=pending', '&q=nguyen', '&from=2020-01-01', '&kind=register', '&limit=1'])
    for (const [what, value] of forge())
      cases.push({
        name: `cursor ${what}${filter ? ` with ${filter.slice(1)}` : ''}`,
        req: { method: 'GET', path: `/api/v1/dossiers?cursor=${value}${filter}`, token: 'officer' },
        expect:
          value === '%00'
            ? { status: 422, field: 'cursor' }
            : { status: 400, code: 'bad_request', field: 'cursor' },
      });
  return { name: 'cursors', cases };
}

/** A PNG whose header claims `w`×`h` (a pixel bomb: tiny file, huge image). */
function pngClaiming(png: Buffer, w: number, h: number): Buffer {
  const out = Buffer.from(png);
  out.writeUInt32BE(w, 16);
  out.writeUInt32BE(h, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

const pdfWith = (body: string): Buffer => pdfFromObjects(body.split('\n%%OBJ\n'));

async function attachmentClass(): Promise<CaseClass> {
  const jpeg = await realJpeg(120, 80);
  const png = await realPng(120, 80);
  const pdf = await realPdf(1);
  const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(2000, 0x41)]);
  const html = Buffer.from('<html><body><script>alert(document.cookie)</script></body></html>');
  const page = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>';
  const files: Array<[string, Buffer, string, number, string]> = [
    [
      'a JPEG followed by a Windows executable',
      Buffer.concat([jpeg, exe]),
      'image/jpeg',
      422,
      'invalid_attachment',
    ],
    ['a JPEG followed by HTML', Buffer.concat([jpeg, html]), 'image/jpeg', 422, 'invalid_attachment'],
    [
      'a JPEG followed by one byte',
      Buffer.concat([jpeg, Buffer.from([0])]),
      'image/jpeg',
      422,
      'invalid_attachment',
    ],
    ['a JPEG cut in half', jpeg.subarray(0, jpeg.length >> 1), 'image/jpeg', 422, 'invalid_attachment'],
    ['a JPEG header and nothing else', jpeg.subarray(0, 20), 'image/jpeg', 422, 'invalid_attachment'],
    [
      'JPEG magic then an executable',
      Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), exe]),
      'image/jpeg',
      422,
      'invalid_attachment',
    ],
    [
      'a JPEG with its scan data scrambled',
      Buffer.concat([jpeg.subarray(0, jpeg.length - 60), Buffer.alloc(58, 0x11), jpeg.subarray(-2)]),
      'image/jpeg',
      422,
      'invalid_attachment',
    ],
    ['a PNG followed by an executable', Buffer.concat([png, exe]), 'image/png', 422, 'invalid_attachment'],
    ['a PNG followed by HTML', Buffer.concat([png, html]), 'image/png', 422, 'invalid_attachment'],
    ['a PNG cut before IEND', png.subarray(0, png.length - 12), 'image/png', 422, 'invalid_attachment'],
    [
      'a PNG with a broken IDAT',
      (() => {
        const b = Buffer.from(png);
        b.fill(0x55, 45, 60);
        return b;
      })(),
      'image/png',
      422,
      'invalid_attachment',
    ],
    [
      'a PNG claiming 100,000 × 100,000 pixels',
      pngClaiming(png, 100_000, 100_000),
      'image/png',
      422,
      'invalid_attachment',
    ],
    [
      'a PNG claiming 10,000 × 6,000 pixels',
      pngClaiming(png, 10_000, 6_000),
      'image/png',
      422,
      'invalid_attachment',
    ],
    [
      'PNG magic then HTML',
      Buffer.concat([png.subarray(0, 8), html]),
      'image/png',
      422,
      'invalid_attachment',
    ],
    [
      'a PDF header followed by HTML with a script',
      Buffer.concat([Buffer.from('%PDF-1.4\n'), html, Buffer.from('\n%%EOF\n')]),
      'application/pdf',
      422,
      'invalid_attachment',
    ],
    ['a PDF followed by HTML', Buffer.concat([pdf, html]), 'application/pdf', 422, 'invalid_attachment'],
    ['a PDF cut in half', pdf.subarray(0, pdf.length >> 1), 'application/pdf', 422, 'invalid_attachment'],
    [
      'a PDF without pages',
      pdfWith('<< /Type /Catalog /Pages 2 0 R >>\n%%OBJ\n<< /Type /Pages /Kids [] /Count 0 >>'),
      'application/pdf',
      422,
      'invalid_attachment',
    ],
    [
      'a PDF with 51 pages',
      pdfWith(
        [
          '<< /Type /Catalog /Pages 2 0 R >>',
          `<< /Type /Pages /Kids [${Array.from({ length: 51 }, (_, i) => `${i + 3} 0 R`).join(' ')}] /Count 51 >>`,
          ...Array.from({ length: 51 }, () => page),
        ].join('\n%%OBJ\n'),
      ),
      'application/pdf',
      422,
      'invalid_attachment',
    ],
    [
      'a PDF that runs JavaScript when opened',
      pdfWith(
        [
          '<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript << /Names [(a) 4 0 R] >> >> >>',
          '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
          page,
          '<< /S /JavaScript /JS (app.alert\\(1\\)) >>',
        ].join('\n%%OBJ\n'),
      ),
      'application/pdf',
      422,
      'invalid_attachment',
    ],
    [
      'a PDF carrying an embedded file',
      pdfWith(
        [
          '<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >> >>',
          '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
          page,
          '<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>',
          '<< /Length 2 >>\nstream\nMZ\nendstream',
        ].join('\n%%OBJ\n'),
      ),
      'application/pdf',
      422,
      'invalid_attachment',
    ],
    [
      'a PDF without %%EOF',
      pdf.subarray(0, pdf.lastIndexOf('%%EOF')),
      'application/pdf',
      422,
      'invalid_attachment',
    ],
    ['a JPEG declared as PNG', jpeg, 'image/png', 415, 'media_type_mismatch'],
    ['a PNG declared as JPEG', png, 'image/jpeg', 415, 'media_type_mismatch'],
    ['a PDF declared as JPEG', pdf, 'image/jpeg', 415, 'media_type_mismatch'],
    ['an executable declared as PDF', exe, 'application/pdf', 415, 'media_type_mismatch'],
    ['HTML declared as text/html', html, 'text/html', 415, 'unsupported_media_type'],
    ['a JPEG declared as image/gif', jpeg, 'image/gif', 415, 'unsupported_media_type'],
    [
      'an SVG declared as image/svg+xml',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'),
      'image/svg+xml',
      415,
      'unsupported_media_type',
    ],
    ['an empty JPEG', Buffer.alloc(0), 'image/jpeg', 422, 'validation_failed'],
  ];
  const cases: Case[] = [];
  for (const role of ['photo', 'idFront', 'formPage1'])
    for (const [what, bytes, type, status, code] of files)
      cases.push({
        name: `${role}: ${what}`,
        req: {
          method: 'PUT',
          path: (ids) => `/api/v1/dossiers/${ids.pending}/attachments/${role}`,
          token: 'district',
          raw: bytes,
          contentType: type,
        },
        expect: { status, code },
      });
  for (const role of ['selfie', 'formPage0', 'formPage51', 'photo%00', 'PHOTO', '..%2Fphoto'])
    cases.push({
      name: `attachment role ${role}`,
      req: {
        method: 'PUT',
        path: (ids) => `/api/v1/dossiers/${ids.pending}/attachments/${role}`,
        token: 'district',
        raw: jpeg,
        contentType: 'image/jpeg',
      },
      expect: { status: [404, 422] },
    });
  return { name: 'attachments', cases };
}

/** JSON bodies: syntax, encodings, poisoning, wrong shapes and numbers. */
function jsonClass(): CaseClass {
  const raw = (path: string | ((ids: Ids) => string), body: string | Buffer, who: Who = 'district'): Req => ({
    method: path === '/api/v1/reasons' ? 'PUT' : 'POST',
    path,
    token: who,
    raw: body,
    contentType: 'application/json',
  });
  const decisionPath = (ids: Ids) => `/api/v1/dossiers/${ids.pending}/decision`;
  const validDecision = JSON.stringify({ ...decision(1), outcome: 'invalid', reason: 'Sai thông tin' });
  const bytesWith = (json: string, marker: string, bytes: number[]) => {
    const at = Buffer.from(json).indexOf(marker);
    return Buffer.concat([
      Buffer.from(json).subarray(0, at),
      Buffer.from(bytes),
      Buffer.from(json).subarray(at + marker.length),
    ]);
  };
  const cases: Case[] = [];
  for (const [path, who] of [
    ['/api/v1/dossiers', 'district'],
    [decisionPath, 'district'],
    ['/api/v1/auth/login', 'none'],
    ['/api/v1/reasons', 'supervisor'],
  ] as const) {
    const target = typeof path === 'string' ? path : 'decision';
    const bad400: Array<[string, string | Buffer]> = [
      ['malformed JSON', '{"kind":'],
      ['trailing garbage', '{}x'],
      ['a single quote string', "{'a':1}"],
      ['an empty body', ''],
      ['a UTF-16 body', Buffer.from('\ufeff{"a":1}', 'utf16le')],
      ['a __proto__ key', '{"__proto__":{"isAdmin":true}}'],
      ['a constructor.prototype key', '{"constructor":{"prototype":{"isAdmin":true}}}'],
      ['a bare NaN', '{"baseVersion":NaN}'],
    ];
    for (const [what, body] of bad400)
      cases.push({
        name: `${target}: ${what}`,
        req: raw(path, body, who),
        expect: { status: 400, code: 'invalid_json' },
      });
    cases.push({
      name: `${target}: invalid UTF-8 in a key`,
      req: raw(path, Buffer.concat([Buffer.from('{"'), Buffer.from([0xff, 0xfe]), Buffer.from('":1}')]), who),
      expect: { status: [400, 422] },
    });
    cases.push({
      name: `${target}: 100,000 nested arrays`,
      req: raw(path, '['.repeat(100_000) + ']'.repeat(100_000), who),
      expect: { status: [400, 422] },
    });
  }
  const utf8: Array<[string, number[]]> = [
    ['a lone 0xFF', [0xff]],
    ['an overlong slash', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a truncated sequence', [0xe1, 0xba]],
    ['a 5-byte sequence', [0xf8, 0x88, 0x80, 0x80, 0x80]],
  ];
  for (const [what, bytes] of utf8) {
    cases.push({
      name: `decision reason: invalid UTF-8 (${what})`,
      req: raw(decisionPath, bytesWith(validDecision, 'Sai', bytes)),
      expect: { status: 422, code: 'validation_failed', field: 'reason' },
    });
    cases.push({
      name: `intake fullName: invalid UTF-8 (${what})`,
      req: raw(
        '/api/v1/dossiers',
        bytesWith(JSON.stringify(declaration({ fullName: 'Nguyen MARK An' })), 'MARK', bytes),
      ),
      expect: { status: 422, code: 'validation_failed', field: 'fullName' },
    });
    cases.push({
      name: `login username: invalid UTF-8 (${what})`,
      req: raw(
        '/api/v1/auth/login',
        bytesWith('{"agencyCode":"903","username":"ttMARK","password":"x"}', 'MARK', bytes),
        'none',
      ),
      expect: { status: 422, code: 'validation_failed', field: 'username' },
    });
  }
  const shapes: Array<[string, Record<string, unknown>, string]> = [
    ['baseVersion beyond doubles', { baseVersion: Number.POSITIVE_INFINITY }, 'baseVersion'],
    ['baseVersion beyond 2^31', { baseVersion: 2 ** 40 }, 'baseVersion'],
    ['baseVersion negative', { baseVersion: -1 }, 'baseVersion'],
    ['baseVersion 1.5', { baseVersion: 1.5 }, 'baseVersion'],
    ['baseVersion as text', { baseVersion: '1' }, 'baseVersion'],
    ['baseVersion null', { baseVersion: null }, 'baseVersion'],
    ['outcome unknown', { outcome: 'approve' }, 'outcome'],
    ['outcome as a number', { outcome: 1 }, 'outcome'],
    ['confirmUpdate as text', { confirmUpdate: 'yes' }, 'confirmUpdate'],
    ['reasonCodes as a string', { outcome: 'invalid', reasonCodes: 'R01' }, 'reasonCodes'],
    [
      '21 reason codes',
      { outcome: 'invalid', reasonCodes: Array.from({ length: 21 }, (_, i) => `R${i}`) },
      'reasonCodes',
    ],
    ['reason as an object', { outcome: 'invalid', reason: { text: 'x' } }, 'reason'],
    ['invalid without a reason', { outcome: 'invalid' }, 'reason'],
    ['valid with a reason', { outcome: 'valid', reason: 'Không cần' }, 'reason'],
    ['valid with a reason code', { outcome: 'valid', reasonCodes: ['R01'] }, 'reasonCodes'],
    ['an unknown reason code', { outcome: 'invalid', reasonCodes: ['R99'] }, 'reasonCodes'],
    ['deviceId as a number', { deviceId: 7 }, 'deviceId'],
    ['decidedAt as a number', { decidedAt: 1767225600000 }, 'decidedAt'],
  ];
  for (const [what, body, field] of shapes)
    cases.push({
      name: `decision: ${what}`,
      req: decide(body),
      expect: { status: 422, code: 'validation_failed', field },
    });
  for (const [what, body] of [
    ['an array', []],
    ['a number', 5],
    ['a string', 'hồ sơ'],
    ['null', null],
  ] as const) {
    cases.push({
      name: `intake: the body is ${what}`,
      req: raw('/api/v1/dossiers', JSON.stringify(body)),
      expect: { status: [400, 422] },
    });
    cases.push({
      name: `reasons: an entry is ${what}`,
      req: raw('/api/v1/reasons', JSON.stringify([body]), 'supervisor'),
      expect: { status: 422, code: 'validation_failed' },
    });
  }
  cases.push({
    name: 'reasons: 201 entries',
    req: raw(
      '/api/v1/reasons',
      JSON.stringify(
        Array.from({ length: 201 }, (_, i) => ({ code: `R${i}`, text: 'Lý do', smsText: 'Ly do' })),
      ),
      'supervisor',
    ),
    expect: { status: 422, code: 'validation_failed' },
  });
  cases.push({
    name: 'reasons: a code twice',
    req: reasons({}),
    expect: { status: 422, code: 'validation_failed' },
  });
  (cases[cases.length - 1]!.req as Req).json = [
    { code: 'R01', text: 'Một', smsText: 'Mot' },
    { code: 'R01', text: 'Hai', smsText: 'Hai' },
  ];
  return { name: 'JSON bodies', cases };
}

/** Authorization and access: missing, malformed and foreign tokens, roles, other agencies. */
function accessClass(): CaseClass {
  const cases: Case[] = [];
  const routes: Array<[string, string, string | ((ids: Ids) => string), unknown?]> = [
    ['list', 'GET', '/api/v1/dossiers'],
    ['feed', 'GET', '/api/v1/dossiers/changes'],
    ['read', 'GET', (ids) => `/api/v1/dossiers/${ids.pending903}`],
    ['intake', 'POST', '/api/v1/dossiers', declaration()],
    ['receive', 'POST', (ids) => `/api/v1/dossiers/${ids.pending903}/receive`, { clientId: randomUUID() }],
    ['claim', 'POST', (ids) => `/api/v1/dossiers/${ids.pending903}/claim`],
    ['decision', 'POST', (ids) => `/api/v1/dossiers/${ids.pending903}/decision`, decision(1)],
    ['reasons', 'GET', '/api/v1/reasons'],
    ['registry', 'GET', '/api/v1/registry/persons/0101234567'],
    ['decision lookup', 'GET', (ids) => `/api/v1/decisions/${ids.decided}`],
    ['logout', 'POST', '/api/v1/auth/logout'],
  ];
  const badAuth: Array<[string, string | undefined]> = [
    ['no Authorization', undefined],
    ['Bearer and nothing', 'Bearer '],
    ['Basic credentials', 'Basic dHRjbnR0OkJoeGhAMjAyMA=='],
    ['a token too short', 'Bearer abc'],
    ['a well-formed unknown token', `Bearer ${'A'.repeat(43)}`],
    ['a token with SQL', "Bearer x' OR '1'='1"],
    ['two tokens', `Bearer ${'A'.repeat(43)} ${'B'.repeat(43)}`],
    ['a token of 500 characters', `Bearer ${'A'.repeat(500)}`],
  ];
  for (const [route, method, path, body] of routes)
    for (const [what, header] of badAuth)
      cases.push({
        name: `${route}: ${what}`,
        req: { method, path, json: body, headers: header === undefined ? {} : { authorization: header } },
        expect: { status: 401, code: 'unauthorized' },
      });
  // Another province's officer: every dossier of 903 is as if it did not exist.
  for (const [route, method, path, body] of [2, 4, 5, 6, 9].map((i) => routes[i]!))
    cases.push({
      name: `${route} of another province's dossier`,
      req: { method, path, json: body, token: 'hanoi' },
      expect: { status: 404, code: 'not_found' },
    });
  for (const [what, method, path, body] of [
    [
      'an officer replacing the reasons',
      'PUT',
      '/api/v1/reasons',
      [{ code: 'R01', text: 'Một', smsText: 'Mot' }],
    ],
    ['an officer reading the daily report', 'GET', '/api/v1/reports/daily?date=2020-08-10', undefined],
    ['an officer reading the SMS sink', 'GET', '/api/v1/dev/sms', undefined],
  ] as const)
    cases.push({
      name: what,
      req: { method, path, json: body, token: 'officer' },
      expect: { status: 403, code: 'forbidden' },
    });
  return { name: 'access', cases };
}

/** What the HTTP framework and Node's parser refuse, sent byte for byte. */
function wireClass(): CaseClass {
  const req = (line: string, headers: string[] = [], body = '') =>
    `${line}\r\nHost: 127.0.0.1\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`;
  const cases: Case[] = [];
  const paths = [
    '/api/v1/dossiers/%E0%A4%A',
    '/api/v1/dos%ZZsiers',
    '/api/v1/attachments/%',
    '/api/v1/dossiers/%C0',
    '/api/v1/decisions/%FF%FE',
    '/api/v1/reasons%',
  ];
  for (const p of paths)
    cases.push({
      name: `a malformed percent-encoding: ${p}`,
      req: { method: 'GET', path: p, wire: req(`GET ${p} HTTP/1.1`) },
      expect: { status: [400, 404] },
    });
  for (const p of [
    '/api/v1/dossiers/',
    '/api/v1/attachments/',
    '/api/v1/decisions/',
    '/api/v1/registry/persons/',
  ])
    for (const n of [101, 1000, 8000])
      cases.push({
        name: `a ${n}-character parameter on ${p}`,
        req: { method: 'GET', path: p, wire: req(`GET ${p}${'a'.repeat(n)} HTTP/1.1`) },
        expect: { status: [404, 422] },
      });
  for (const p of ['/api/v1/health', '/api/v1/dossiers', '/api/v1/auth/login'])
    cases.push({
      name: `a 20 kB header on ${p}`,
      req: { method: 'GET', path: p, wire: req(`GET ${p} HTTP/1.1`, [`X-Padding: ${'a'.repeat(20_000)}`]) },
      expect: { status: 431, code: 'headers_too_large' },
    });
  cases.push({
    name: 'a 70 kB URL',
    req: { method: 'GET', path: '', wire: req(`GET /api/v1/dossiers?q=${'a'.repeat(70_000)} HTTP/1.1`) },
    expect: { status: 431 },
  });
  const post = 'POST /api/v1/auth/login HTTP/1.1';
  const smuggling: Array<[string, string]> = [
    [
      'Content-Length with Transfer-Encoding',
      req(
        post,
        ['Content-Type: application/json', 'Content-Length: 5', 'Transfer-Encoding: chunked'],
        '0\r\n\r\n',
      ),
    ],
    [
      'two different Content-Lengths',
      req(post, ['Content-Type: application/json', 'Content-Length: 2', 'Content-Length: 4'], '{}{}'),
    ],
    ['a Content-Length in words', req(post, ['Content-Type: application/json', 'Content-Length: two'], '{}')],
    ['a negative Content-Length', req(post, ['Content-Type: application/json', 'Content-Length: -1'], '{}')],
    [
      'a chunked body with a bad chunk size',
      req(post, ['Content-Type: application/json', 'Transfer-Encoding: chunked'], 'zz\r\n{}\r\n0\r\n\r\n'),
    ],
    [
      'Transfer-Encoding that is not chunked',
      req(post, ['Content-Type: application/json', 'Transfer-Encoding: gzip, identity'], '{}'),
    ],
    ['a header with a NUL', req('GET /api/v1/health HTTP/1.1', ['X-A: a\u0000b'])],
    ['a header name with a space', req('GET /api/v1/health HTTP/1.1', ['X A: b'])],
    ['an obsolete folded header', req('GET /api/v1/health HTTP/1.1', ['X-A: a', ' b'])],
    ['a request line of garbage', 'HELLO WORLD\r\n\r\n'],
    ['an unknown HTTP version', req('GET /api/v1/health HTTP/9.9')],
    ['a method Node does not know', req('BREW /api/v1/health HTTP/1.1')],
    ['a bare LF request', 'GET /api/v1/health HTTP/1.1\nHost: x\n\n'],
  ];
  for (const [what, wire] of smuggling)
    cases.push({ name: what, req: { method: 'RAW', path: '', wire }, expect: { status: [400, 404, 505] } });
  return { name: 'framework and parser refusals', cases };
}

// ---------------------------------------------------------------- running

function sendWire(port: number, bytes: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // One answer is all a case needs: stop once its body is complete.
      const text = Buffer.concat(chunks).toString('utf8');
      const head = text.indexOf('\r\n\r\n');
      const length = /content-length: *(\d+)/iu.exec(text.slice(0, head));
      if (head >= 0 && length && Buffer.byteLength(text.slice(head + 4)) >= Number(length[1])) socket.end();
    });
    socket.on('error', (e) => (chunks.length ? socket.destroy() : reject(e)));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const head = text.indexOf('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/u.exec(text)?.[1] ?? 0);
      const headers = new Headers();
      for (const line of text.slice(0, head).split('\r\n').slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
      }
      const body = text.slice(head + 4);
      let parsed: unknown = body;
      try {
        parsed = JSON.parse(body);
      } catch {
        /* the check below reports it */
      }
      resolve({ status, body: parsed, text: body, headers });
    });
    socket.write(bytes);
  });
}

const VIETNAMESE = /[àáảãạăâđèéêìíòóôơùúưýỳửữựừứệềếểễộồốổỗợờớởỡạậầấẩẫặằắẳẵ]/iu;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u;

describe.each(TARGETS)('bad-request corpus on %s', (target) => {
  let s: TestService;
  const tokens: Record<string, string> = {};
  let ids: Ids;
  let realCursor = '';
  const clock = createClock();
  const logs = new PassThrough();
  let logText = '';
  logs.on('data', (c: Buffer) => (logText += c.toString('utf8')));
  const classes: CaseClass[] = [];

  beforeAll(async () => {
    stampDecisionsBy(clock);
    s = await startTarget(target, {
      now: clock.now,
      logger: true,
      logStream: logs,
      config: { loginLimit: { perAddress: 100_000, perUser: 100_000 } },
    });
    tokens.officer = await signIn(s.url, '903', 'ttcntt');
    tokens.district = await signIn(s.url, '00115', 'cb00115');
    tokens.hanoi = await signIn(s.url, '001', 'cbhn');
    tokens.supervisor = await signIn(s.url, '903', 'ld903');
    const pending = await dossierId(s.url, tokens.officer, '00088.GD/2020/00115');
    const pending903 = await dossierId(s.url, tokens.officer, '00006.GD/2020/903');
    // A decided dossier with a stored decision, to look up.
    const made = await call(s.url, 'POST', '/api/v1/dossiers', {
      token: tokens.district,
      json: declaration({ bhxhCode: '0101234569' }),
    });
    const decided = randomUUID();
    const d = await call(s.url, 'POST', `/api/v1/dossiers/${made.body.id}/decision`, {
      token: tokens.district,
      json: decision(made.body.version, { decisionId: decided, outcome: 'invalid', reason: 'Sai thông tin' }),
    });
    if (d.status !== 200) throw new Error(`setup decision: ${d.status} ${d.text.slice(0, 200)}`);
    ids = { pending, pending903, decided };
    const page = await call(s.url, 'GET', '/api/v1/dossiers?limit=1', { token: tokens.officer });
    realCursor = page.body.nextCursor as string;
    classes.push(
      textClass(),
      codeClass(),
      queryClass(),
      dateClass(),
      idClass(),
      cursorClass(() => realCursor),
      await attachmentClass(),
      jsonClass(),
      accessClass(),
      wireClass(),
    );
  });
  afterAll(async () => {
    stampDecisionsBy();
    await s?.stop();
  });

  it('holds at least 600 requests in its classes', () => {
    const total = classes.reduce((n, c) => n + c.cases.length, 0);
    console.info(
      `bad-request corpus on ${target}: ${total} requests in ${classes.length} classes (${classes.map((c) => `${c.name} ${c.cases.length}`).join(', ')})`,
    );
    expect(total).toBeGreaterThanOrEqual(600);
  });

  const CLASS_NAMES = [
    'text rules in bodies and queries',
    'codes',
    'query strings',
    'dates and instants',
    'ids',
    'cursors',
    'attachments',
    'JSON bodies',
    'access',
    'framework and parser refusals',
  ];
  it.each(CLASS_NAMES)('%s: the right 4xx in the envelope, nothing changed', async (name) => {
    const cls = classes.find((c) => c.name === name)!;
    expect(cls.cases.length).toBeGreaterThan(0);
    const before = await tableDigest(s);
    const logStart = logText.length;
    const failures: string[] = [];
    for (const c of cls.cases) {
      const r = c.req;
      const path = typeof r.path === 'function' ? r.path(ids) : r.path;
      const json = typeof r.json === 'function' ? (r.json as (i: Ids) => unknown)(ids) : r.json;
      let res: Answer;
      if (r.wire !== undefined) res = await sendWire(s.port, r.wire);
      else if (r.headers) {
        const f = await fetch(`${s.url}${path}`, {
          method: r.method,
          headers: { ...r.headers, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
          body: json !== undefined ? JSON.stringify(json) : undefined,
        });
        const text = await f.text();
        res = { status: f.status, body: JSON.parse(text || 'null'), text, headers: f.headers };
      } else {
        const token = r.token && r.token !== 'none' ? tokens[r.token] : undefined;
        res = await call(s.url, r.method, path, { token, json, raw: r.raw, contentType: r.contentType });
      }
      const want = Array.isArray(c.expect.status) ? c.expect.status : [c.expect.status];
      const problems: string[] = [];
      if (!want.includes(res.status)) problems.push(`status ${res.status}, expected ${want.join('/')}`);
      const err = (
        res.body as { error?: { code?: string; message?: string; fields?: Record<string, string> } }
      )?.error;
      if (!err || typeof err.code !== 'string' || !VIETNAMESE.test(err.message ?? ''))
        problems.push('not the envelope with a Vietnamese message');
      else {
        if (c.expect.code && err.code !== c.expect.code) problems.push(`code ${err.code}`);
        if (c.expect.field && !err.fields?.[c.expect.field])
          problems.push(`field ${c.expect.field} not named (${Object.keys(err.fields ?? {}).join(',')})`);
      }
      if (!UUID_RE.test(res.headers.get('x-request-id') ?? '')) problems.push('no x-request-id');
      if (/fastify|FST_|node_modules|stack|postgres|pglite|syntax error/iu.test(res.text))
        problems.push('names the framework or the database');
      if (path.length > 30 && res.text.includes(path.slice(-30))) problems.push('echoes the path');
      if (problems.length) failures.push(`${c.name}: ${problems.join('; ')} — ${res.text.slice(0, 160)}`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
    expect(await tableDigest(s)).toEqual(before);
    const logged = logText.slice(logStart);
    expect(logged).not.toContain(GATE_MISSED);
    expect(logged).not.toContain('request failed');
  });

  it('accepts what the rules allow: a lower-case bearer scheme, NFD text stored NFC, line breaks in a reason', async () => {
    const lower = await fetch(`${s.url}/api/v1/dossiers?limit=1`, {
      headers: { authorization: `bearer ${tokens.officer}` },
    });
    expect(lower.status).toBe(200);
    const next = await call(s.url, 'GET', `/api/v1/dossiers?limit=1&cursor=${realCursor}`, {
      token: tokens.officer,
    });
    expect(next.status).toBe(200);
    expect(next.body.items).toHaveLength(1);
    const nfd = 'Nguyễn Thị Ánh'.normalize('NFD');
    const created = await call(s.url, 'POST', '/api/v1/dossiers', {
      token: tokens.district,
      json: declaration({ fullName: nfd, contactPerson: nfd, bhxhCode: '0101234568' }),
    });
    expect(created.status).toBe(201);
    expect(created.body.fullName).toBe('Nguyễn Thị Ánh'.normalize('NFC'));
    const decided = await call(s.url, 'POST', `/api/v1/dossiers/${created.body.id}/decision`, {
      token: tokens.district,
      json: decision(created.body.version, { outcome: 'invalid', reason: 'Ảnh mờ.\nChữ ký thiếu.' }),
    });
    expect(decided.status).toBe(200);
    expect(decided.body.dossier.reason).toMatch(/^Ảnh mờ\.\sChữ ký thiếu\.$/u);
  });
});
