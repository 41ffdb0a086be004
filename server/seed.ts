// Demo data (resources/demo/demo.json, the copy of ../shared/fixtures/demo.json) loaded on the first
// start of the embedded default, and synthetic dossiers for benchmarks and a busier demo. The demo's
// rows are legacy data: imported as they are, even where today's validation would refuse a value
// (the seed's phone "1231231"); new input through the API is validated.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRandom, foldVietnamese, formatDossierNumber, syntheticPerson } from '../contract/index.js';
import type { Database, Queryable } from './db/database.js';
import { publishPending } from './dossiers.js';
import { hashPassword } from './passwords.js';

export const DEFAULT_DEMO_PATH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'resources',
  'demo',
  'demo.json',
);

type DemoFile = {
  about: string;
  agencies: Array<{ code: string; name: string; parentCode: string | null; address: string; phone: string }>;
  staff: Array<{ username: string; agencyCode: string; displayName: string; role: string }>;
  dossiers: Array<Record<string, unknown> & { dossierNumber: string; agencyCode: string; fullName: string }>;
  registry: Array<{
    bhxhCode: string;
    fullName: string;
    dateOfBirth: string;
    gender: string;
    /** the CCCD (or old CMND) the registry knows the person by */
    idNumber?: string | null;
  }>;
  accounts: Array<{
    bhxhCode: string;
    mobile: string;
    email: string | null;
    status: string;
    passwordChangedAt: string;
  }>;
};

/** The demo staff password, as demo.json's "about" names it. */
export function demoPassword(demo: Pick<DemoFile, 'about'>): string {
  const m = /password: (\S+?)\.?(?:\s|$)/iu.exec(demo.about);
  if (!m?.[1]) throw new Error('demo.json names no staff password');
  return m[1];
}

export async function isEmpty(db: Queryable): Promise<boolean> {
  const res = await db.query('SELECT 1 FROM agencies LIMIT 1');
  return res.rowCount === 0;
}

/** Loads demo.json into an empty database (one transaction); returns false when data was there. */
export async function seedDemo(db: Database, demoPath = DEFAULT_DEMO_PATH): Promise<boolean> {
  const demo = JSON.parse(readFileSync(demoPath, 'utf8')) as DemoFile;
  const passwordHash = await hashPassword(demoPassword(demo));
  return await db.transaction(async (tx) => {
    if (!(await isEmpty(tx))) return false;
    // Parents first: the tree's foreign key.
    const pending = [...demo.agencies];
    const inserted = new Set<string>();
    while (pending.length) {
      const i = pending.findIndex((a) => !a.parentCode || inserted.has(a.parentCode));
      if (i < 0) throw new Error('demo agencies do not form a tree');
      const [a] = pending.splice(i, 1);
      await tx.query(
        'INSERT INTO agencies (code, name, parent_code, address, phone) VALUES ($1, $2, $3, $4, $5)',
        [a!.code, a!.name, a!.parentCode, a!.address, a!.phone],
      );
      inserted.add(a!.code);
    }
    for (const s of demo.staff) {
      await tx.query(
        'INSERT INTO staff_users (agency_code, username, display_name, role, password_hash) VALUES ($1, $2, $3, $4, $5)',
        [s.agencyCode, s.username, s.displayName, s.role, passwordHash],
      );
    }
    for (const d of demo.dossiers) await insertLegacyDossier(tx, d);
    for (const r of demo.registry) {
      await tx.query(
        'INSERT INTO registry_persons (bhxh_code, full_name, date_of_birth, gender, id_number) VALUES ($1, $2, $3, $4, $5)',
        [r.bhxhCode, r.fullName.normalize('NFC'), r.dateOfBirth, r.gender, r.idNumber ?? null],
      );
    }
    for (const a of demo.accounts) {
      await tx.query(
        `INSERT INTO accounts (bhxh_code, password_hash, must_change, status, mobile, email, password_changed_at, created_at, updated_at)
         VALUES ($1, NULL, false, $2, $3, $4, $5, $5, $5)`,
        [a.bhxhCode, a.status === 'stopped' ? 'stopped' : 'active', a.mobile, a.email, a.passwordChangedAt],
      );
    }
    return true;
  });
}

/** A dossier from old data, exactly as it was (number, dates, reviewer, outcome), marked legacy. */
async function insertLegacyDossier(tx: Queryable, d: DemoFile['dossiers'][number]): Promise<void> {
  const id = randomUUID();
  const s = (k: string): string | null =>
    d[k] === undefined || d[k] === null ? null : String(d[k]).normalize('NFC');
  const declaredAt = s('declaredAt')!;
  const receivedAt = s('receivedAt');
  const expiresAt = receivedAt ? null : new Date(Date.parse(declaredAt) + 10 * 86400_000).toISOString();
  const decided = d.status === 'decided';
  await tx.query(
    `INSERT INTO dossiers (id, dossier_number, agency_code, kind, full_name, name_folded, bhxh_code, id_kind, id_number,
       date_of_birth, gender, address, contact_person, email, mobile, certificate, channel, ivan_name, effective_date,
       update_details, stop_details, submission_method, declared_at, received_at, listed_at, expires_at, status, outcome,
       reviewer, decided_at, result, account_result, legacy, version)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23::timestamptz,$24::timestamptz,COALESCE($24::timestamptz,$23::timestamptz),$25,$26,$27,$28,$29,$30,$31,true,1)`,
    [
      id,
      d.dossierNumber,
      d.agencyCode,
      s('kind'),
      s('fullName'),
      foldVietnamese(String(d.fullName)),
      s('bhxhCode'),
      s('idKind'),
      s('idNumber'),
      s('dateOfBirth'),
      s('gender'),
      s('address'),
      s('contactPerson'),
      s('email'),
      s('mobile'),
      d.certificate ? JSON.stringify(d.certificate) : null,
      s('channel'),
      s('ivanName'),
      s('effectiveDate'),
      d.update ? JSON.stringify(d.update) : null,
      d.stop ? JSON.stringify(d.stop) : null,
      s('submissionMethod'),
      declaredAt,
      receivedAt,
      expiresAt,
      s('status'),
      s('outcome'),
      s('reviewer'),
      s('decidedAt'),
      decided && d.outcome === 'valid' ? 'account_issued' : decided ? 'rejected' : null,
      decided && d.outcome === 'valid' ? 'issued' : null,
    ],
  );
  // The counter continues after the highest imported number of the agency and year.
  const m = /^(\d{5})\.GD\/(\d{4})\//u.exec(d.dossierNumber);
  if (m) {
    await tx.query(
      `INSERT INTO dossier_counters (agency_code, year, last) VALUES ($1, $2, $3)
       ON CONFLICT (agency_code, year) DO UPDATE SET last = GREATEST(dossier_counters.last, EXCLUDED.last)`,
      [d.agencyCode, Number(m[2]), Number(m[1])],
    );
  }
  await tx.query('INSERT INTO dossier_changes (dossier_id, agency_code) VALUES ($1, $2)', [id, d.agencyCode]);
}

export type SyntheticOptions = {
  count: number;
  agencies: readonly string[];
  seed?: number;
  /** also put each person in the registry (so approvals issue accounts) */
  registry?: boolean;
  /** share of dossiers already decided */
  decidedShare?: number;
  /** first year of declaredAt; dossiers spread over the years up to now */
  fromYear?: number;
  /** rows per INSERT statement */
  chunk?: number;
  onProgress?: (done: number) => void;
  /** offset of the synthetic person index (to add more without repeating codes) */
  startIndex?: number;
  /**
   * false leaves the feed rows for the service's publisher: for a schema older than this code's
   * rendering of a dossier (the tests of old migrations). Default true.
   */
  publish?: boolean;
};

/**
 * N synthetic dossiers (realistic names with diacritics, post-2025 addresses, valid codes, CCCD
 * consistent with birth date and gender, valid mobiles), numbered per agency and year like real ones,
 * received at the counter so they never expire. With `registry`, each person is also in the registry
 * with the same name, birth date, gender and CCCD (registry searches find them by either form). Bulk
 * inserts through unnest arrays.
 */
export async function generateSynthetic(db: Database, o: SyntheticOptions): Promise<number> {
  const rnd = createRandom(o.seed ?? 2020);
  const chunk = o.chunk ?? 5000;
  const fromYear = o.fromYear ?? 2021;
  const end = Date.now();
  const start = Date.UTC(fromYear, 0, 1);
  let done = 0;
  const startIndex = o.startIndex ?? 0;
  while (done < o.count) {
    const n = Math.min(chunk, o.count - done);
    const rows: unknown[][] = Array.from({ length: 26 }, () => []);
    const people: Array<[string, string, string, string, string]> = [];
    const counters = new Map<string, number>();
    const agencies: string[] = [];
    const years: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = syntheticPerson(rnd, startIndex + done + i);
      const agency = o.agencies[Math.floor(rnd() * o.agencies.length)]!;
      const declared = new Date(start + rnd() * (end - start));
      const received = new Date(declared.getTime() + rnd() * 5 * 86400_000);
      const decided = rnd() < (o.decidedShare ?? 0.5);
      const valid = rnd() < 0.85;
      agencies.push(agency);
      years.push(declared.getUTCFullYear());
      const cols = [
        randomUUID(),
        agency,
        'register',
        p.fullName,
        foldVietnamese(p.fullName),
        p.bhxhCode,
        p.idKind,
        p.idNumber,
        p.dateOfBirth,
        p.gender,
        p.address,
        p.fullName,
        p.email,
        `+84${p.mobile.slice(1)}`,
        'portal',
        'counter',
        declared.toISOString(),
        received.toISOString(),
        decided ? 'decided' : 'pending',
        decided ? (valid ? 'valid' : 'invalid') : null,
        decided ? 'Cán bộ tiếp nhận' : null,
        decided ? new Date(received.getTime() + 3600_000).toISOString() : null,
        decided ? (valid ? 'account_issued' : 'rejected') : null,
        decided && !valid ? 'Thông tin tờ khai không khớp giấy tờ' : null,
        '',
        declared.getUTCFullYear(),
      ];
      cols.forEach((v, k) => rows[k]!.push(v));
      if (o.registry) people.push([p.bhxhCode, p.fullName, p.dateOfBirth, p.gender, p.idNumber]);
    }
    await db.transaction(async (tx) => {
      // Reserve a block of numbers per agency and year, then hand them out in order.
      const need = new Map<string, number>();
      agencies.forEach((a, i) => need.set(`${a}|${years[i]}`, (need.get(`${a}|${years[i]}`) ?? 0) + 1));
      for (const [key, count] of need) {
        const [agency, year] = key.split('|');
        const res = await tx.query<{ last: number }>(
          `INSERT INTO dossier_counters (agency_code, year, last) VALUES ($1, $2, $3)
           ON CONFLICT (agency_code, year) DO UPDATE SET last = dossier_counters.last + $3 RETURNING last`,
          [agency, Number(year), count],
        );
        counters.set(key, (res.rows[0]?.last ?? count) - count);
      }
      const numbers = agencies.map((a, i) => {
        const key = `${a}|${years[i]}`;
        const next = (counters.get(key) ?? 0) + 1;
        counters.set(key, next);
        return formatDossierNumber(next, years[i]!, a);
      });
      rows[24] = numbers;
      await tx.query(
        `INSERT INTO dossiers (id, agency_code, kind, full_name, name_folded, bhxh_code, id_kind, id_number, date_of_birth,
           gender, address, contact_person, email, mobile, channel, submission_method, declared_at, received_at, listed_at,
           status, outcome, reviewer, decided_at, result, reason, dossier_number, account_result)
         SELECT id, agency_code, kind, full_name, name_folded, bhxh_code, id_kind, id_number, date_of_birth::date,
           gender, address, contact_person, email, mobile, channel, submission_method, declared_at::timestamptz,
           received_at::timestamptz, received_at::timestamptz, status, outcome, reviewer, decided_at::timestamptz, result, reason,
           dossier_number, CASE WHEN result = 'account_issued' THEN 'issued' END
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
           $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[],
           $19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[], $25::text[])
           AS t(id, agency_code, kind, full_name, name_folded, bhxh_code, id_kind, id_number, date_of_birth, gender, address,
             contact_person, email, mobile, channel, submission_method, declared_at, received_at, status, outcome, reviewer,
             decided_at, result, reason, dossier_number)`,
        rows.slice(0, 25),
      );
      await tx.query(
        `INSERT INTO dossier_changes (dossier_id, agency_code) SELECT id, agency_code FROM unnest($1::uuid[], $2::text[]) AS t(id, agency_code)`,
        [rows[0], rows[1]],
      );
      if (people.length) {
        await tx.query(
          `INSERT INTO registry_persons (bhxh_code, full_name, date_of_birth, gender, id_number)
           SELECT c, n, d::date, g, i FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(c, n, d, g, i)
           ON CONFLICT (bhxh_code) DO NOTHING`,
          [
            people.map((p) => p[0]),
            people.map((p) => p[1]),
            people.map((p) => p[2]),
            people.map((p) => p[3]),
            people.map((p) => p[4]),
          ],
        );
      }
    });
    // Published chunk by chunk, as the service's publisher would have while they arrived: the feed's
    // rows (and their rendered documents) then lie in the table in feed order.
    if (o.publish !== false) await publishPending(db, new Date());
    done += n;
    o.onProgress?.(done);
  }
  return done;
}
