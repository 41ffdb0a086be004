// Dossiers: reading (list, search, one whole dossier), intake with dossier numbers, receipt at the
// counter, soft claims, and the change rows every write adds to the feed. Every query is scoped to the
// caller's agency subtree; a dossier out of scope answers 404, as if it did not exist.

import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  CURSOR_PATTERN,
  foldVietnamese,
  formatDossierNumber,
  maskId,
  type CodeResolution,
  type Dossier,
  type DossierListResponse,
  type DossierNotification,
  type DossierQuery,
  type DossierSummary,
  type IntakeResponse,
} from '../contract/index.js';
import { auditPayload, writeAudit } from './audit.js';
import type { Ctx, Staff } from './context.js';
import {
  DatabaseUnavailableError,
  type Database,
  type QueryResult,
  type Queryable,
  type Row,
} from './db/database.js';
import { resolveCodeByIdNumber } from './desk.js';
import { ApiError, forbidden, invalid, notFound } from './errors.js';
import { sharedSecret } from './secrets.js';
import { pgTimeToIso, yearVn } from './time.js';
import type { CleanDeclaration } from './validation.js';

/**
 * The whole dossier (API.md, DESIGN.md §3) as one JSON object built by PostgreSQL: the row, its
 * attachments, downstream steps and live claim. Times come out as ISO 8601 in the session's time zone
 * (+07:00), dates as YYYY-MM-DD. `now` is the SQL of the instant that decides whether a claim still
 * holds. The feed sends these as text, untouched. A code a mobile desk left empty and the registry
 * could not resolve is stored NULL and sent as "" (the wire type's "unknown"; `codeResolution` says
 * why).
 */
export const dossierJson = (now: string): string => `json_build_object(
  'id', d.id, 'dossierNumber', d.dossier_number, 'kind', d.kind, 'agencyCode', d.agency_code,
  'fullName', d.full_name, 'bhxhCode', COALESCE(d.bhxh_code, ''), 'idKind', d.id_kind, 'idNumber', d.id_number,
  'dateOfBirth', d.date_of_birth, 'gender', d.gender, 'address', d.address, 'contactPerson', d.contact_person,
  'email', d.email, 'mobile', d.mobile, 'certificate', d.certificate, 'channel', d.channel, 'ivanName', d.ivan_name,
  'effectiveDate', d.effective_date, 'update', d.update_details, 'stop', d.stop_details,
  'submissionMethod', d.submission_method, 'deskName', d.desk_name, 'codeResolution', d.code_resolution,
  'declaredAt', d.declared_at, 'receivedAt', d.received_at, 'expiresAt', d.expires_at, 'status', d.status, 'outcome', d.outcome, 'reason', d.reason,
  'reasonCodes', d.reason_codes, 'reviewer', d.reviewer, 'decidedAt', d.decided_at,
  'accountResult', d.account_result, 'result', d.result, 'decisionId', d.decision_id,
  'attachments', COALESCE((SELECT json_agg(json_build_object('id', a.id, 'role', a.role, 'mediaType', a.media_type,
      'bytes', a.bytes, 'sha256', a.sha256) ORDER BY a.role) FROM attachments a WHERE a.dossier_id = d.id), '[]'),
  'steps', d.steps,
  'claim', (SELECT json_build_object('claimedBy', c.claimed_by, 'claimedUntil', c.claimed_until) FROM claims c
      WHERE c.dossier_id = d.id AND c.claimed_until > ${now}),
  'version', d.version)`;

/**
 * steps_merge(old, new) → the dossier's downstream steps (`dossiers.steps`, a jsonb array of
 * {step, state, detail, at}) with each step of `new` replacing the one of the same name, in the order
 * the API shows them: by time, then registry check, account, SMS, e-mail. Written by decisions and
 * by the delivery worker; installed with the other routines (PL/pgSQL keeps its plan).
 */
export const STEPS_MERGE = `
CREATE OR REPLACE FUNCTION steps_merge(old jsonb, new jsonb) RETURNS jsonb LANGUAGE plpgsql STABLE AS $fn$
BEGIN
  RETURN (SELECT COALESCE(jsonb_agg(e ORDER BY (e->>'at')::timestamptz,
                                    array_position(ARRAY['registry_check', 'account', 'sms', 'email'], e->>'step')), '[]')
            FROM (SELECT e FROM jsonb_array_elements(old) e
                   WHERE NOT new @> jsonb_build_array(jsonb_build_object('step', e->>'step'))
                  UNION ALL
                  SELECT e FROM jsonb_array_elements(new) e) x);
END
$fn$`;

/** `dossierJson` with the instant as the statement's first parameter. */
export const DOSSIER_JSON = dossierJson('$1::timestamptz');

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

type ClaimJson = { claimedBy: string; claimedUntil: string } | null;

/** A list row (the columns of Hình 3) from a `dossiers` row; also used by the daily report. */
export function toSummary(r: Row): DossierSummary {
  const claim = r.claim_json as ClaimJson;
  return {
    id: String(r.id),
    dossierNumber: String(r.dossier_number),
    receivedAt: pgTimeToIso(r.received_at),
    declaredAt: pgTimeToIso(r.declared_at) ?? '',
    bhxhCode: r.bhxh_code === null || r.bhxh_code === undefined ? '' : String(r.bhxh_code),
    fullName: String(r.full_name),
    address: String(r.address),
    contactPerson: String(r.contact_person),
    mobile: String(r.mobile),
    reviewer: str(r.reviewer),
    decidedAt: pgTimeToIso(r.decided_at),
    status: r.status as DossierSummary['status'],
    outcome: (r.outcome as DossierSummary['outcome']) ?? null,
    result: (r.result as DossierSummary['result']) ?? null,
    kind: r.kind as DossierSummary['kind'],
    version: Number(r.version),
    agencyCode: String(r.agency_code),
    claim: claim
      ? { claimedBy: claim.claimedBy, claimedUntil: pgTimeToIso(claim.claimedUntil) ?? claim.claimedUntil }
      : null,
  };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;

/** The whole dossier if the caller may see it; 404 otherwise (and 410 when it expired). */
export async function loadDossier(
  q: Queryable,
  ctx: Ctx,
  staff: Staff,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<Dossier> {
  if (!UUID.test(id)) throw notFound('Không tìm thấy hồ sơ.');
  const res = await q.query<{ dossier: Dossier }>(
    `SELECT ${DOSSIER_JSON} AS dossier FROM dossiers d WHERE d.id = $2 AND d.agency_code = ANY($3::text[])${opts.forUpdate ? ' FOR UPDATE OF d' : ''}`,
    [ctx.now().toISOString(), id, staff.scope],
  );
  const row = res.rows[0];
  if (!row) {
    const gone = await q.query(
      'SELECT 1 FROM expired_dossiers WHERE id = $1 AND agency_code = ANY($2::text[])',
      [id, staff.scope],
    );
    if (gone.rowCount > 0)
      throw new ApiError(410, 'expired', 'Hồ sơ đã quá hạn 10 ngày không nộp bản giấy và đã bị xóa.');
    throw notFound('Không tìm thấy hồ sơ.');
  }
  return row.dossier;
}

/** GET /dossiers/:id — audited: it returns personal data. With its SMS and e-mail messages. */
export async function readDossier(ctx: Ctx, staff: Staff, id: string): Promise<Dossier> {
  const dossier = await loadDossier(ctx.db, ctx, staff, id);
  const messages = await ctx.db.query<{
    id: string;
    channel: 'sms' | 'email';
    recipient: string;
    status: 'queued' | 'delivered' | 'failed';
    attempts: number;
    created_at: string;
    status_at: string | null;
    delivered_at: string | null;
    next_attempt_at: string;
  }>(
    `SELECT id, channel, recipient, status, attempts, created_at, status_at, delivered_at, next_attempt_at
       FROM notifications WHERE dossier_id = $1 ORDER BY created_at, channel`,
    [dossier.id],
  );
  await writeAudit(ctx.db, ctx.now(), {
    actor: `${staff.agencyCode}/${staff.username}`,
    action: 'dossier.read',
    dossierId: dossier.id,
    details: { dossierNumber: dossier.dossierNumber },
  });
  const notifications: DossierNotification[] = messages.rows.map((m) => ({
    id: m.id,
    channel: m.channel,
    recipient: maskId(m.recipient),
    status: m.status,
    attempts: Number(m.attempts),
    createdAt: pgTimeToIso(m.created_at) ?? '',
    statusAt: pgTimeToIso(m.status_at ?? m.created_at) ?? '',
    deliveredAt: pgTimeToIso(m.delivered_at),
    nextAttemptAt: m.status === 'queued' ? pgTimeToIso(m.next_attempt_at) : null,
  }));
  return { ...dossier, notifications };
}

export type Cursor = { t: string; id: string };

/** The cursor's position as listed_at::text gives it ('2020-08-10 09:12:00.123+07'). */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?[+-]\d{2}(?::\d{2})?$/u;
const SIGNATURE_CHARS = 22; // 16 bytes of HMAC-SHA256 in base64url

const cursorSignature = (key: Buffer, payload: string): string =>
  createHmac('sha256', key).update(payload).digest().subarray(0, 16).toString('base64url');

/**
 * A list cursor: the last row's position in base64url, followed by its signature (HMAC with the
 * service's shared key), so a cursor the service did not issue is refused (400) before its contents
 * reach a query. Pure; `readCursor` is null for anything `signCursor` did not make with that key.
 */
export function signCursor(key: Buffer, c: Cursor): string {
  const payload = Buffer.from(JSON.stringify(c)).toString('base64url');
  return payload + cursorSignature(key, payload);
}

export function readCursor(key: Buffer, s: string): Cursor | null {
  if (!CURSOR_PATTERN.test(s)) return null;
  const payload = s.slice(0, -SIGNATURE_CHARS);
  const given = Buffer.from(s.slice(-SIGNATURE_CHARS));
  const expected = Buffer.from(cursorSignature(key, payload));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.t !== 'string' || typeof c.id !== 'string' || !UUID.test(c.id) || !CURSOR_TIME.test(c.t))
      return null;
    return { t: c.t, id: c.id };
  } catch {
    return null;
  }
}

async function encodeCursor(db: Database, c: Cursor): Promise<string> {
  return signCursor(await sharedSecret(db, 'cursor'), c);
}

async function decodeCursor(db: Database, s: string): Promise<Cursor> {
  const c = readCursor(await sharedSecret(db, 'cursor'), s);
  if (!c)
    throw new ApiError(400, 'bad_request', 'Con trỏ trang không hợp lệ: hãy tải lại danh sách từ đầu.', {
      cursor: 'Con trỏ trang không do dịch vụ cấp.',
    });
  return c;
}

/** More words than this for a last-word prefix: search with the prefix itself (a broad, rare query). */
const PREFIX_WORDS_MAX = 200;

/**
 * The distinct words of names (name_words, migration 5), sorted, kept in the service: a few thousand
 * syllables, with the words of each intake here added at once, those of other instances as their
 * bus message arrives (migration 13), read again after a minute or when a prefix matches none of them. Expanding the last word in memory saves
 * a search a round trip.
 */
type WordList = { words: string[]; loadedAt: number };
const wordLists = new WeakMap<Database, WordList>();
const WORDS_MAX_AGE_MS = 60_000;

async function loadWords(db: Database): Promise<WordList> {
  const res = await db.query<{ word: string }>('SELECT word FROM name_words ORDER BY word');
  // The column sorts by bytes (COLLATE "C") and the words are folded ASCII: JavaScript's order too.
  const list = { words: res.rows.map((r) => r.word), loadedAt: Date.now() };
  wordLists.set(db, list);
  return list;
}

/**
 * Words of names stored by another instance (the name_words trigger's bus message, migration 13), or
 * `undefined`: forget the list and read it again at the next search.
 */
export function namesWordsChanged(db: Database, words?: readonly string[]): void {
  const list = wordLists.get(db);
  if (!list) return;
  if (!words) {
    wordLists.delete(db);
    return;
  }
  for (const w of words) {
    const at = firstAtLeast(list.words, w);
    if (list.words[at] !== w) list.words.splice(at, 0, w);
  }
}

/**
 * A new name was stored here: its words join the list at once (split as the service splits a query;
 * a word the database's parser splits otherwise is found by the reread on a prefix without match).
 */
function wordsAdded(db: Database, fullName: string): void {
  const list = wordLists.get(db);
  if (!list) return;
  for (const w of nameWords(fullName)) {
    const at = firstAtLeast(list.words, w);
    if (list.words[at] !== w) list.words.splice(at, 0, w);
  }
}

/** The words of a name or a name search: folded (no diacritics, đ = d), letters and digits only. */
function nameWords(text: string): string[] {
  return foldVietnamese(text)
    .split(/[^a-z0-9]+/u)
    .filter(Boolean);
}

/** The index of the first word not below `word` (binary search of the sorted list). */
function firstAtLeast(words: readonly string[], word: string): number {
  let lo = 0;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (words[mid]! < word) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The words that start with `prefix`, at most `max` + 1 (sorted). */
function wordsStartingWith(words: readonly string[], prefix: string, max: number): string[] {
  const lo = firstAtLeast(words, prefix);
  const out: string[] = [];
  for (let i = lo; i < words.length && out.length <= max && words[i]!.startsWith(prefix); i++)
    out.push(words[i]!);
  return out;
}

/** Expansions of the last word up to this many are paired with the other words; more are ORed alone. */
const PAIRED_EXPANSIONS_MAX = 20;

const lexeme = (w: string): string => `'${w.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
/** A pair of words as the name index holds it (migration 6): sorted, joined by "_". */
const pair = (a: string, b: string): string => lexeme(a < b ? `${a}_${b}` : `${b}_${a}`);

/**
 * The tsquery (cast syntax) of a name search over name_terms (migration 6): every word in any order,
 * the last one as a prefix. The last word is expanded into the exact words of names that start with
 * it, and words are matched as pairs, far rarer in the index than single words:
 * "nguyen thi hue" → 'nguyen_thi' & (('hue_nguyen' & 'hue_thi') | ('huey_nguyen' & 'huey_thi')).
 * Null when no name has a word with that prefix: nothing can match.
 */
async function nameQuery(db: Database, typed: readonly string[]): Promise<string | null> {
  const last = typed[typed.length - 1]!;
  let list = wordLists.get(db);
  if (!list || Date.now() - list.loadedAt > WORDS_MAX_AGE_MS) list = await loadWords(db);
  let found = wordsStartingWith(list.words, last, PREFIX_WORDS_MAX);
  if (found.length === 0 && Date.now() - list.loadedAt > 1_000) {
    list = await loadWords(db);
    found = wordsStartingWith(list.words, last, PREFIX_WORDS_MAX);
  }
  return nameTsquery(typed, found);
}

/**
 * The tsquery of `nameQuery` from the typed words and the known words that start with the last one
 * (more than PREFIX_WORDS_MAX: the last word is searched as a prefix). Null when there are none.
 */
export function nameTsquery(typed: readonly string[], found: readonly string[]): string | null {
  const last = typed[typed.length - 1]!;
  const words = [...new Set(typed.slice(0, -1))];
  if (found.length === 0) return null;
  const terms: string[] = [];
  for (let i = 0; i < words.length; i++)
    for (let j = i + 1; j < words.length; j++) terms.push(pair(words[i]!, words[j]!));
  if (words.length > 0 && found.length <= PAIRED_EXPANSIONS_MAX) {
    // Each word the last one may be, paired with every other word (alone when it is the only one).
    const each = found.map((e) => {
      const with_ = words.filter((w) => w !== e).map((w) => pair(w, e));
      return with_.length ? `(${with_.join(' & ')})` : lexeme(e);
    });
    terms.push(`(${each.join(' | ')})`);
  } else {
    if (words.length === 1) terms.push(lexeme(words[0]!));
    terms.push(found.length > PREFIX_WORDS_MAX ? `${lexeme(last)}:*` : `(${found.map(lexeme).join(' | ')})`);
  }
  return terms.join(' & ');
}

/** A replica that failed a search is left alone this long; the primary answers meanwhile. */
const REPLICA_RETRY_MS = 5_000;
const replicaAwayUntil = new WeakMap<Database, number>();

/** GET /dossiers: filters of Appendix 02's search panel, newest first, keyset pages. */
export async function listDossiers(
  ctx: Ctx,
  staff: Staff,
  query: DossierQuery,
): Promise<DossierListResponse> {
  const params: unknown[] = [ctx.now().toISOString(), staff.scope];
  const where: string[] = ['d.agency_code = ANY($2::text[])'];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  if (query.dossierNumber)
    add('d.dossier_number = ?', query.dossierNumber.replace(/\s+/gu, '').toUpperCase());
  if (query.bhxhCode) add('d.bhxh_code = ?', query.bhxhCode.trim());
  if (query.q) {
    // Every word of the name, diacritics and case folded (đ = d), the last one also as a prefix
    // ("nguyen van b" finds Nguyễn Văn Biên). Words are letters and digits only: no query syntax.
    const words = nameWords(query.q).slice(0, 8);
    const match = words.length ? await nameQuery(ctx.db, words) : null;
    if (match) add(`name_terms(d.name_folded) @@ ?::tsquery`, match);
    else where.push('false');
  }
  if (query.from) add(`d.listed_at >= (?::date)::timestamptz`, query.from);
  if (query.to) add(`d.listed_at < (?::date + 1)::timestamptz`, query.to);
  if (query.status) add('d.status = ?', query.status);
  if (query.outcome) add('d.outcome = ?', query.outcome);
  if (query.result) add('d.result = ?', query.result);
  if (query.kind) add('d.kind = ?', query.kind);
  if (query.cursor !== undefined) {
    const c = await decodeCursor(ctx.db, query.cursor);
    params.push(c.t, c.id);
    where.push(`(d.listed_at, d.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  const limit = query.limit ?? 50;
  params.push(limit + 1);
  const select = `SELECT d.id, d.dossier_number, d.received_at, d.declared_at, d.bhxh_code, d.full_name, d.address,
            d.contact_person, d.mobile, d.reviewer, d.decided_at, d.status, d.outcome, d.result, d.kind, d.version,
            d.agency_code, d.listed_at, d.listed_at::text AS listed_text,
            (SELECT json_build_object('claimedBy', c.claimed_by, 'claimedUntil', c.claimed_until) FROM claims c
              WHERE c.dossier_id = d.id AND c.claimed_until > $1::timestamptz) AS claim_json
       FROM dossiers d WHERE ${where.join(' AND ')}
      ORDER BY d.listed_at DESC, d.id DESC LIMIT $${params.length}`;
  const audited = Boolean(query.bhxhCode || query.q);
  const auditEntry = (results: number) => ({
    actor: `${staff.agencyCode}/${staff.username}`,
    action: 'dossier.search',
    details: { by: query.bhxhCode ? 'bhxhCode' : 'name', bhxhCode: maskId(query.bhxhCode), results },
  });
  let res: QueryResult;
  if (ctx.readDb && (replicaAwayUntil.get(ctx.readDb) ?? 0) <= Date.now()) {
    // Served by a replica (DATABASE_READ_URL): it may be a few milliseconds behind the primary. The
    // audit entry goes to the primary before the answer does; with the replica away, the primary
    // answers.
    try {
      res = await ctx.readDb.query(select, params);
    } catch (err) {
      if (!(err instanceof DatabaseUnavailableError)) throw err;
      // Not tried again for a few seconds: an unreachable host may take seconds to refuse.
      replicaAwayUntil.set(ctx.readDb, Date.now() + REPLICA_RETRY_MS);
      res = await ctx.db.query(select, params);
    }
    if (audited) await writeAudit(ctx.db, ctx.now(), auditEntry(Math.min(res.rows.length, limit)));
  } else {
    let sql = select;
    if (audited) {
      // A search by code or name reads personal data: its audit entry is written by the same
      // statement (one round trip, and no answer without its entry). PostgreSQL splices in the
      // number of results, the entry's last value.
      const now = ctx.now();
      const payload = auditPayload(now, auditEntry(0));
      if (!payload.endsWith('"results":0}}')) throw new Error('unexpected audit payload shape');
      params.push(now.toISOString(), `${staff.agencyCode}/${staff.username}`, payload.slice(0, -3));
      const n = params.length;
      sql = `WITH res AS (${select}),
      audit AS (INSERT INTO audit_log (at, actor, action, dossier_id, payload)
                SELECT $${n - 2}::timestamptz, $${n - 1}, 'dossier.search', NULL,
                       $${n} || LEAST((SELECT count(*) FROM res), ${limit}) || '}}')
      SELECT * FROM res ORDER BY listed_at DESC, id DESC`;
    }
    res = await ctx.db.query(sql, params);
  }
  const rows = res.rows.slice(0, limit);
  const last = rows[rows.length - 1];
  const nextCursor =
    res.rows.length > limit && last
      ? await encodeCursor(ctx.db, { t: String(last.listed_text), id: String(last.id) })
      : null;
  return { items: rows.map(toSummary), nextCursor };
}

/** Adds the feed row of a change to a dossier (inside the writer's transaction). */
export async function recordChange(
  q: Queryable,
  dossierId: string,
  agencyCode: string,
  deleted = false,
): Promise<void> {
  await q.query('INSERT INTO dossier_changes (dossier_id, agency_code, deleted) VALUES ($1, $2, $3)', [
    dossierId,
    agencyCode,
    deleted,
  ]);
}

/**
 * Numbers committed change rows in order. Only one publisher runs at a time and it only sees
 * committed rows, so every number it gives is greater than every number already visible: a reader
 * of `seq > N` can never miss a row that commits later (it will get a greater number).
 */
export async function publishChanges(ctx: Ctx, batch = 5000): Promise<number> {
  return await publishPending(ctx.db, ctx.now(), batch);
}

/** `publishChanges` for a bare database (bulk loaders), with `now` for the claims in the documents. */
export async function publishPending(db: Database, now: Date, batch = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const pending = await db.query('SELECT 1 FROM dossier_changes WHERE seq IS NULL LIMIT 1');
    if (pending.rowCount === 0) return total;
    const n = await db.transaction(async (tx) => {
      const lock = await tx.query<{ got: boolean }>('SELECT pg_try_advisory_xact_lock(7202) AS got');
      if (!lock.rows[0]?.got) return 0;
      // Each change gets its number and, unless its writer rendered it already (a decision does), the
      // dossier as it is now (committed, so at least as new as the change), rendered once here so
      // that readers only pass text through.
      // By row address (the table has no key on id): always a nested loop of address lookups, never
      // a join reading the whole feed, whatever the statistics say.
      await tx.exec('SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off');
      const res = await tx.query<{ n: number }>(
        `WITH base AS (SELECT COALESCE(MAX(seq), 0) AS m FROM dossier_changes),
              pending AS (SELECT ctid AS tid, row_number() OVER (ORDER BY id) AS n
                            FROM dossier_changes WHERE seq IS NULL ORDER BY id LIMIT $2),
              numbered AS (UPDATE dossier_changes c SET seq = base.m + p.n FROM pending p, base WHERE c.ctid = p.tid
                           RETURNING c.id, c.dossier_id, c.deleted, c.rendered),
              docs AS (INSERT INTO dossier_change_docs (change_id, doc)
                       SELECT n.id, (${DOSSIER_JSON})::text FROM numbered n JOIN dossiers d ON d.id = n.dossier_id
                        WHERE NOT n.deleted AND NOT n.rendered)
         SELECT count(*)::int AS n FROM numbered`,
        [now.toISOString(), batch],
      );
      return res.rows[0]?.n ?? 0;
    });
    total += n;
    if (n < batch) return total;
  }
}

/**
 * GET /dossiers/changes: changes of the caller's agencies after `after`, in seq order, as the JSON
 * bytes of ChangesResponse: the documents the publisher rendered, passed through untouched. A change
 * whose dossier is gone (expired and deleted) reads as a tombstone `{id, deleted: true}`.
 */
export async function readChanges(ctx: Ctx, staff: Staff, after: number, limit: number): Promise<Buffer> {
  await publishChanges(ctx);
  // The page as rows, one more than asked to know whether more follow. Rows, not one string_agg of
  // the page: PostgreSQL aggregating 1 MB of documents took twice as long as sending them as rows.
  const res = await ctx.db.query<{ seq: string; dossier_id: string; doc: string | null }>(
    `SELECT c.seq, c.dossier_id, (SELECT x.doc FROM dossier_change_docs x WHERE x.change_id = c.id) AS doc
       FROM dossier_changes c
      WHERE c.seq > $1 AND c.agency_code = ANY($2::text[]) ORDER BY c.seq LIMIT $3`,
    [after, staff.scope, limit + 1],
    { prepare: true },
  );
  const rows = res.rows;
  const hasMore = rows.length > limit;
  if (hasMore) rows.length = limit;
  // With nothing more for this desk, the head of the whole feed is a safe place to resume from: every
  // number up to it is given, and later changes get greater ones.
  let lastSeq = rows.length ? Number(rows[rows.length - 1]!.seq) : after;
  if (!hasMore) {
    const head = await ctx.db.query<{ head: string | null }>('SELECT MAX(seq) AS head FROM dossier_changes');
    lastSeq = Math.max(lastSeq, Number(head.rows[0]?.head ?? 0));
  }
  // As bytes: each document's text is encoded once, as it is, and never joined into one large string.
  const parts: Buffer[] = [Buffer.from('{"changes":[')];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const doc = r.doc ?? `{"id":"${r.dossier_id}","deleted":true}`;
    parts.push(Buffer.from(`${i ? ',' : ''}{"seq":${r.seq},"dossier":${doc}}`));
  }
  parts.push(Buffer.from(`],"lastSeq":${lastSeq},"hasMore":${hasMore}}`));
  return Buffer.concat(parts);
}

/** The next dossier number of an agency for a year; the counter row's lock makes it unique. */
export async function nextDossierNumber(q: Queryable, agencyCode: string, year: number): Promise<string> {
  const res = await q.query<{ last: number }>(
    `INSERT INTO dossier_counters (agency_code, year, last) VALUES ($1, $2, 1)
     ON CONFLICT (agency_code, year) DO UPDATE SET last = dossier_counters.last + 1 RETURNING last`,
    [agencyCode, year],
  );
  const n = res.rows[0]?.last ?? 1;
  return formatDossierNumber(n, year, agencyCode);
}

export type IntakeResult = { status: 201 | 200; dossier: IntakeResponse };

async function duplicatesOf(
  q: Queryable,
  staff: Staff,
  dossier: Dossier,
): Promise<IntakeResponse['duplicates']> {
  if (!dossier.bhxhCode) return [];
  const res = await q.query<{ id: string; dossier_number: string; status: Dossier['status'] }>(
    `SELECT id, dossier_number, status FROM dossiers
      WHERE bhxh_code = $1 AND id <> $2 AND status = 'pending' AND agency_code = ANY($3::text[]) ORDER BY listed_at DESC LIMIT 20`,
    [dossier.bhxhCode, dossier.id, staff.scope],
  );
  return res.rows.map((r) => ({ id: r.id, dossierNumber: r.dossier_number, status: r.status }));
}

/**
 * POST /dossiers: a new declaration; the same clientId again answers the same dossier, with the
 * codeResolution it was stored with. A mobile desk's empty code is looked up in the registry by the
 * ID number (resolveCodeByIdNumber). A desk's declaredAt is kept as the dossier's, but the 10-day
 * expiry counts from the moment the service took the dossier in, never from declaredAt: a desk that
 * comes back online after days must still have time to send the receipt that follows its intake.
 */
export async function intakeDossier(
  ctx: Ctx,
  staff: Staff,
  clientId: string,
  d: CleanDeclaration,
): Promise<IntakeResult> {
  if (!ctx.agencies.get(d.agencyCode)) throw invalid({ agencyCode: 'Cơ quan BHXH không tồn tại.' });
  if (!staff.scope.includes(d.agencyCode))
    throw forbidden('Bạn không được tiếp nhận hồ sơ cho cơ quan BHXH này.');
  const now = ctx.now();
  const out = await ctx.db
    .transaction(async (tx) => {
      const existing = await tx.query<{ id: string }>('SELECT id FROM dossiers WHERE client_id = $1', [
        clientId,
      ]);
      if (existing.rows[0]) return { status: 200 as const, id: existing.rows[0].id };
      const id = randomUUID();
      const number = await nextDossierNumber(tx, d.agencyCode, yearVn(now));
      const expiresAt = new Date(now.getTime() + ctx.config.expiryDays * 86400_000);
      const resolved: { bhxhCode: string | null; resolution: CodeResolution } =
        d.bhxhCode === null
          ? await resolveCodeByIdNumber(tx, d.idNumber)
          : { bhxhCode: d.bhxhCode, resolution: 'given' };
      const declaredAt = d.declaredAt ?? now.toISOString();
      const inserted = await tx.query(
        `INSERT INTO dossiers (id, client_id, dossier_number, agency_code, kind, full_name, name_folded, bhxh_code, id_kind,
         id_number, date_of_birth, gender, address, contact_person, email, mobile, certificate, channel, ivan_name,
         effective_date, update_details, stop_details, submission_method, declared_at, listed_at, expires_at, status,
         desk_name, code_resolution)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24::timestamptz,$24::timestamptz,$25,'pending',$26,$27)
       ON CONFLICT (client_id) DO NOTHING`,
        [
          id,
          clientId,
          number,
          d.agencyCode,
          d.kind,
          d.fullName,
          foldVietnamese(d.fullName),
          resolved.bhxhCode,
          d.idKind,
          d.idNumber,
          d.dateOfBirth,
          d.gender,
          d.address,
          d.contactPerson,
          d.email,
          d.mobile,
          d.certificate ? JSON.stringify(d.certificate) : null,
          d.channel,
          d.ivanName,
          d.effectiveDate,
          d.update ? JSON.stringify(d.update) : null,
          d.stop ? JSON.stringify(d.stop) : null,
          d.submissionMethod,
          declaredAt,
          expiresAt.toISOString(),
          d.deskName,
          resolved.resolution,
        ],
      );
      if (inserted.rowCount === 0) throw new RetryIntake();
      await recordChange(tx, id, d.agencyCode);
      await writeAudit(tx, now, {
        actor: `${staff.agencyCode}/${staff.username}`,
        action: 'dossier.intake',
        dossierId: id,
        details: {
          dossierNumber: number,
          bhxhCode: maskId(resolved.bhxhCode),
          submissionMethod: d.submissionMethod,
          codeResolution: resolved.resolution,
        },
      });
      return { status: 201 as const, id };
    })
    .catch(async (err: unknown) => {
      // Two requests with one clientId at once: the loser answers what the winner created.
      if (err instanceof RetryIntake || (err as { code?: string }).code === '23505') {
        const again = await ctx.db.query<{ id: string }>('SELECT id FROM dossiers WHERE client_id = $1', [
          clientId,
        ]);
        if (again.rows[0]) return { status: 200 as const, id: again.rows[0].id };
      }
      throw err;
    });
  if (out.status === 201) wordsAdded(ctx.db, d.fullName);
  const dossier = await loadDossier(ctx.db, ctx, staff, out.id);
  const duplicates = await duplicatesOf(ctx.db, staff, dossier);
  return {
    status: out.status,
    dossier: { ...dossier, duplicates, codeResolution: dossier.codeResolution ?? 'given' },
  };
}

class RetryIntake extends Error {}

/** POST /dossiers/:id/receive: the paper reached the counter; stops the 10-day expiry. Idempotent. */
export async function receiveDossier(ctx: Ctx, staff: Staff, id: string): Promise<Dossier> {
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const d = await loadDossier(tx, ctx, staff, id, { forUpdate: true });
    if (d.receivedAt) return;
    if (d.expiresAt && Date.parse(d.expiresAt) <= now.getTime()) {
      throw new ApiError(410, 'expired', 'Hồ sơ đã quá hạn 10 ngày không nộp bản giấy.');
    }
    await tx.query(
      `UPDATE dossiers SET received_at = $2, listed_at = $2, expires_at = NULL, version = version + 1 WHERE id = $1`,
      [id, now.toISOString()],
    );
    await recordChange(tx, id, d.agencyCode);
    await writeAudit(tx, now, {
      actor: `${staff.agencyCode}/${staff.username}`,
      action: 'dossier.receive',
      dossierId: id,
    });
  });
  return await loadDossier(ctx.db, ctx, staff, id);
}

/** POST /dossiers/:id/claim: a soft, renewable claim; another desk's live claim is answered as it is. */
export async function claimDossier(
  ctx: Ctx,
  staff: Staff,
  id: string,
): Promise<{ claimedBy: string; claimedUntil: string }> {
  const now = ctx.now();
  const until = new Date(now.getTime() + ctx.config.claimTtlMs);
  return await ctx.db.transaction(async (tx) => {
    const d = await loadDossier(tx, ctx, staff, id, { forUpdate: true });
    const res = await tx.query<{ claimed_by: string; claimed_until: string }>(
      `INSERT INTO claims (dossier_id, staff_id, claimed_by, claimed_until) VALUES ($1, $2, $3, $4)
       ON CONFLICT (dossier_id) DO UPDATE SET staff_id = EXCLUDED.staff_id, claimed_by = EXCLUDED.claimed_by,
         claimed_until = EXCLUDED.claimed_until
       WHERE claims.staff_id = EXCLUDED.staff_id OR claims.claimed_until <= $5
       RETURNING claimed_by, claimed_until`,
      [id, staff.id, staff.displayName, until.toISOString(), now.toISOString()],
    );
    const row =
      res.rows[0] ??
      (
        await tx.query<{ claimed_by: string; claimed_until: string }>(
          'SELECT claimed_by, claimed_until FROM claims WHERE dossier_id = $1',
          [id],
        )
      ).rows[0];
    if (res.rowCount > 0) await recordChange(tx, id, d.agencyCode);
    return { claimedBy: String(row?.claimed_by), claimedUntil: pgTimeToIso(row?.claimed_until) ?? '' };
  });
}

/** DELETE /dossiers/:id/claim: releases the caller's own claim. */
export async function releaseClaim(ctx: Ctx, staff: Staff, id: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const d = await loadDossier(tx, ctx, staff, id);
    const res = await tx.query('DELETE FROM claims WHERE dossier_id = $1 AND staff_id = $2', [id, staff.id]);
    if (res.rowCount > 0) await recordChange(tx, id, d.agencyCode);
  });
}
