// Shared by the service's integration tests: start the service on either database target (a real
// PostgreSQL 15 cluster on a free loopback port, or the embedded PGlite), sign in, call the API over
// real HTTP, and count rows to prove a refused request changed nothing.

import { randomUUID } from 'node:crypto';
import { startService, type RunningService, type ServiceOptions } from '../../../server/service.js';
import { DEMO_PASSWORD } from '../../fixtures/demo.js';
import { startPostgres, type PostgresCluster } from '../../harness/postgres.js';

export const TARGETS = ['postgres', 'pglite'] as const;
export type Target = (typeof TARGETS)[number];

export type Clock = { now: () => Date; set(iso: string): void; advance(ms: number): void };

export function createClock(start = new Date()): Clock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    set(iso) {
      t = Date.parse(iso);
    },
    advance(ms) {
      t += ms;
    },
  };
}

export type TestService = RunningService & {
  cluster?: PostgresCluster;
  stop(): Promise<void>;
};

export async function startTarget(target: Target, options: ServiceOptions = {}): Promise<TestService> {
  const cluster = target === 'postgres' ? await startPostgres() : undefined;
  const service = await startService({
    databaseUrl: cluster?.url,
    seedDemo: true,
    background: false,
    ...options,
  });
  return Object.assign(service, {
    cluster,
    async stop() {
      await service.close();
      await cluster?.stop();
    },
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers are checked field by field
export type Answer<T = any> = { status: number; body: T; text: string; headers: Headers };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; json?: unknown; raw?: string | Buffer; contentType?: string } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Buffer | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.raw !== undefined) {
    headers['content-type'] = opts.contentType ?? 'application/json';
    body = opts.raw;
  }
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

export async function signIn(
  base: string,
  agencyCode: string,
  username: string,
  password = DEMO_PASSWORD,
): Promise<string> {
  const res = await call(base, 'POST', '/api/v1/auth/login', { json: { agencyCode, username, password } });
  if (res.status !== 200) throw new Error(`sign-in of ${username} failed: ${res.status} ${res.text}`);
  return res.body.token as string;
}

export async function dossierId(base: string, token: string, dossierNumber: string): Promise<string> {
  const res = await call(base, 'GET', `/api/v1/dossiers?dossierNumber=${encodeURIComponent(dossierNumber)}`, {
    token,
  });
  const id = res.body?.items?.[0]?.id;
  if (!id) throw new Error(`no dossier ${dossierNumber}: ${res.status} ${res.text}`);
  return id as string;
}

/** Every table a request could change. */
export const CHANGEABLE_TABLES = [
  'dossiers',
  'attachments',
  'dossier_changes',
  'dossier_change_docs',
  'decisions',
  'accounts',
  'notifications',
  'claims',
  'rejection_reasons',
  'dossier_counters',
  'staff_sessions',
  'expired_dossiers',
] as const;

/**
 * A digest of every table a request could change (and of staff, audit and rate-limit rows): each
 * table's row count and the md5 of its rows in a fixed order.
 */
export async function tableDigest(service: RunningService): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of [...CHANGEABLE_TABLES, 'staff_users', 'audit_log', 'rate_limits']) {
    const res = await service.db.query<{ n: number; h: string | null }>(
      `SELECT count(*)::int AS n, md5(string_agg(x::text, '|' ORDER BY x::text)) AS h FROM ${t} x`,
    );
    out[t] = `${res.rows[0]?.n}:${res.rows[0]?.h ?? ''}`;
  }
  return out;
}

/** Row counts of every table a request could change. */
export async function countRows(service: RunningService): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of CHANGEABLE_TABLES) {
    const res = await service.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`);
    out[t] = res.rows[0]?.n ?? 0;
  }
  const sums = await service.db.query<{ v: number; s: number }>(
    'SELECT COALESCE(sum(version), 0)::int AS v, COALESCE(sum(jsonb_array_length(steps)), 0)::int AS s FROM dossiers',
  );
  out.versionSum = sums.rows[0]?.v ?? 0;
  out.stepSum = sums.rows[0]?.s ?? 0;
  const counters = await service.db.query<{ v: number }>(
    'SELECT COALESCE(sum(last), 0)::int AS v FROM dossier_counters',
  );
  out.counterSum = counters.rows[0]?.v ?? 0;
  return out;
}

export function declaration(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    clientId: randomUUID(),
    kind: 'register',
    agencyCode: '00115',
    fullName: 'Nguyễn Văn An',
    bhxhCode: '0101234567',
    idKind: 'cccd',
    idNumber: '001090123456',
    dateOfBirth: '1990-01-02',
    gender: 'Nam',
    address: 'Số 1 Lê Lợi, Phường Hà Đông, Thành phố Hà Nội',
    contactPerson: 'Nguyễn Văn An',
    email: 'an.nguyen@example.vn',
    mobile: '0912 345 678',
    channel: 'portal',
    submissionMethod: 'counter',
    ...overrides,
  };
}

let decisionClock: Clock | undefined;

/**
 * Stamps the decisions that `decision()` makes by this service clock until called again (without a
 * clock: the wall clock). Tests that freeze the service's clock call it in `beforeAll`: a file that
 * runs longer than the service's five minutes of tolerance on a busy machine would otherwise send
 * decisions "from the future". `describe.each` runs its targets one after another, so the clock of
 * the target whose tests run is the one in use.
 */
export function stampDecisionsBy(clock?: Clock): void {
  decisionClock = clock;
}

export function decision(
  baseVersion: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    decisionId: randomUUID(),
    outcome: 'valid',
    baseVersion,
    decidedAt: (decisionClock?.now() ?? new Date()).toISOString(),
    deviceId: 'desk-1',
    ...overrides,
  };
}
