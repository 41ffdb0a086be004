// The durable outbox (DESIGN.md §4): the officer's decisions, and the scanned or attached images
// (kind 'attachment', images.ts), each entry's uuid the service's idempotency key. Recording a
// decision writes the local change, its entry and the audit line in one transaction committed with
// FULL, so it survives a crash or power cut the moment the call returns. Entries leave `queued` only
// on the service's answer; only the officer dismisses the others.

import type { DecisionRequest, DecisionResult, Dossier, StaffUser } from '../../../contract/index.js';
import type { OutboxItem, OutboxState } from '../../../contract/workstation.js';
import { durably, type StoreDb } from './db.js';
import { applyDossiers, restoreServiceDecision } from './dossiers.js';
import { audit } from './state.js';

/** The outbox payload of an image upload; the bytes are in intake_images under the same id. */
export type AttachmentPayload = { role: string; mediaType: string; sha256: string; bytes: number };

export type DueEntry =
  | { id: string; dossierId: string; kind: 'decision'; payload: DecisionRequest }
  | { id: string; dossierId: string; kind: 'attachment'; payload: AttachmentPayload };

/** An outbox row with its dossier's number and name (one statement, not one more query per row). */
type ItemRow = {
  id: string;
  dossier_id: string;
  username: string;
  payload: string;
  state: OutboxState;
  attempts: number;
  last_error: string | null;
  result: string | null;
  created_at: string;
  updated_at: string;
  dossier_number: string | null;
  full_name: string | null;
  agency_code: string;
  dossier_agency: string | null;
  officer_name: string | null;
};

// The officer's display name comes from the credential cached at their sign-in here (every officer
// who decided on this workstation signed in on it).
const ITEM_SELECT = `SELECT o.id, o.dossier_id, o.username, o.payload, o.state, o.attempts, o.last_error,
    o.result, o.created_at, o.updated_at, d.dossier_number, d.full_name, o.agency_code,
    d.agency_code AS dossier_agency, json_extract(c.user, '$.displayName') AS officer_name
  FROM outbox o LEFT JOIN dossiers d ON d.id = o.dossier_id
    LEFT JOIN credentials c ON c.agency_code = o.agency_code AND c.username = o.username`;

function toItem(row: ItemRow): OutboxItem {
  const p = JSON.parse(row.payload) as DecisionRequest;
  return {
    id: row.id,
    dossierId: row.dossier_id,
    dossierNumber: row.dossier_number ?? '',
    fullName: row.full_name ?? '',
    outcome: p.outcome,
    reasonCodes: p.reasonCodes ?? [],
    reason: p.reason ?? '',
    confirmUpdate: p.confirmUpdate ?? false,
    baseVersion: p.baseVersion,
    username: row.username,
    officerName: row.officer_name ?? row.username,
    agencyCode: row.agency_code,
    dossierAgencyCode: row.dossier_agency,
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error,
    result: row.result as DecisionResult | null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The next number of the outbox's order of recording. */
export function nextSeq(h: StoreDb): number {
  return ((h.sql('SELECT max(seq) AS m FROM outbox').get() as { m: number | null }).m ?? 0) + 1;
}

/**
 * Record a decision: the local dossier change, the outbox entry and the audit line in one
 * transaction. Earlier unsent entries of the same dossier by this workstation are superseded.
 */
export function recordDecision(
  h: StoreDb,
  input: { request: DecisionRequest; dossierId: string; user: StaffUser },
): OutboxItem {
  const now = h.iso();
  const { request, dossierId, user } = input;
  durably(h, () => {
    const seq = nextSeq(h);
    h.sql(
      `UPDATE outbox SET state = 'dismissed', updated_at = ?, last_error = 'Đã đánh giá lại.'
         WHERE dossier_id = ? AND kind = 'decision' AND state IN ('queued','conflict','failed','expired')`,
    ).run(now, dossierId);
    h.sql(
      `INSERT INTO outbox (id, seq, dossier_id, username, agency_code, payload, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
    ).run(
      request.decisionId,
      seq,
      dossierId,
      user.username,
      user.agencyCode,
      JSON.stringify(request),
      now,
      now,
    );
    h.sql(
      `UPDATE dossiers SET status = 'decided', outcome = ?, result = NULL, reviewer = ?, decided_at = ?,
         pending_decision = ? WHERE id = ?`,
    ).run(request.outcome, user.displayName, request.decidedAt, request.decisionId, dossierId);
    audit(h, 'decision.recorded', user.username, dossierId, `${request.outcome} ${request.decisionId}`);
  });
  return outboxItem(h, request.decisionId) as OutboxItem;
}

export function outboxItem(h: StoreDb, id: string): OutboxItem | null {
  const row = h.sql(`${ITEM_SELECT} WHERE o.id = ? AND o.kind = 'decision'`).get(id) as ItemRow | undefined;
  return row ? toItem(row) : null;
}

/** The request body of a decision entry, as recorded (the same idempotency key at every attempt). */
export function decisionPayload(h: StoreDb, id: string): DecisionRequest | null {
  const row = h.sql("SELECT payload FROM outbox WHERE id = ? AND kind = 'decision'").get(id) as
    { payload: string } | undefined;
  return row ? (JSON.parse(row.payload) as DecisionRequest) : null;
}

export function latestDecision(h: StoreDb, dossierId: string): OutboxItem | null {
  const row = h
    .sql(
      `${ITEM_SELECT} WHERE o.dossier_id = ? AND o.kind = 'decision' AND o.state <> 'dismissed'
         ORDER BY o.seq DESC LIMIT 1`,
    )
    .get(dossierId) as ItemRow | undefined;
  return row ? toItem(row) : null;
}

export function outboxItems(h: StoreDb, limit = 500): OutboxItem[] {
  return (
    h
      .sql(
        `${ITEM_SELECT} WHERE o.state <> 'dismissed' AND o.kind = 'decision'
           ORDER BY CASE o.state WHEN 'synced' THEN 1 ELSE 0 END, o.seq DESC LIMIT ?`,
      )
      .all(limit) as ItemRow[]
  ).map(toItem);
}

/**
 * Queued entries of one officer due by `nowMs`, oldest first. An image waits while a decision on the
 * same dossier is queued: its upload raises the dossier's version, and the decision, made against the
 * version the officer saw, would then come back as a conflict.
 */
export function dueEntries(h: StoreDb, username: string, nowMs: number, limit: number): DueEntry[] {
  return (
    h
      .sql(
        `SELECT o.id, o.dossier_id, o.kind, o.payload FROM outbox o
           WHERE o.state = 'queued' AND o.username = ? AND o.next_attempt_at <= ?
             AND (o.kind = 'decision' OR NOT EXISTS (SELECT 1 FROM outbox d WHERE d.dossier_id = o.dossier_id
               AND d.kind = 'decision' AND d.state = 'queued'))
           ORDER BY o.seq LIMIT ?`,
      )
      .all(username, nowMs, limit) as Array<{
      id: string;
      dossier_id: string;
      kind: 'decision' | 'attachment';
      payload: string;
    }>
  ).map((r): DueEntry =>
    r.kind === 'attachment'
      ? {
          id: r.id,
          dossierId: r.dossier_id,
          kind: 'attachment',
          payload: JSON.parse(r.payload) as AttachmentPayload,
        }
      : {
          id: r.id,
          dossierId: r.dossier_id,
          kind: 'decision',
          payload: JSON.parse(r.payload) as DecisionRequest,
        },
  );
}

export function nextDueAt(h: StoreDb, username: string): number | null {
  const row = h
    .sql("SELECT min(next_attempt_at) AS t FROM outbox WHERE state = 'queued' AND username = ?")
    .get(username) as { t: number | null };
  return row.t;
}

export function hasQueuedDecision(h: StoreDb, dossierId: string): boolean {
  return (
    h
      .sql("SELECT 1 FROM outbox WHERE dossier_id = ? AND kind = 'decision' AND state = 'queued' LIMIT 1")
      .get(dossierId) !== undefined
  );
}

/** Several answers of the service in one transaction: results recorded, their dossiers applied. */
export function markSyncedMany(
  h: StoreDb,
  answers: ReadonlyArray<{ id: string; result: DecisionResult; dossier: Dossier }>,
): void {
  h.db.transaction(() => {
    const at = h.iso();
    for (const { id, result } of answers) {
      h.sql(
        "UPDATE outbox SET state = 'synced', result = ?, last_error = NULL, updated_at = ? WHERE id = ? AND state = 'queued'",
      ).run(result, at, id);
      h.sql('UPDATE dossiers SET pending_decision = NULL WHERE pending_decision = ?').run(id);
    }
    applyDossiers(
      h,
      answers.map((a) => a.dossier),
    );
    for (const { id, result, dossier } of answers)
      audit(h, 'decision.synced', null, dossier.id, `${id} ${result}`);
  })();
}

/** The service refused it for good (409 / 410 / 4xx): keep the entry, show the officer why. */
export function markRefused(
  h: StoreDb,
  id: string,
  state: 'conflict' | 'expired' | 'failed',
  message: string,
  dossier?: Dossier,
): void {
  h.db.transaction(() => {
    h.sql(
      "UPDATE outbox SET state = ?, last_error = ?, updated_at = ? WHERE id = ? AND state = 'queued'",
    ).run(state, message, h.iso(), id);
    const pending = h.sql('SELECT id FROM dossiers WHERE pending_decision = ?').get(id) as
      { id: string } | undefined;
    h.sql('UPDATE dossiers SET pending_decision = NULL WHERE pending_decision = ?').run(id);
    if (dossier) applyDossiers(h, [dossier]);
    else if (pending) restoreServiceDecision(h, pending.id, state === 'expired');
    audit(h, `decision.${state}`, null, dossier?.id ?? pending?.id ?? null, id);
  })();
}

/** A transient failure: try again later. */
export function reschedule(
  h: StoreDb,
  id: string,
  attempts: number,
  nextAttemptAt: number,
  error: string,
): void {
  h.sql(
    "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ? AND state = 'queued'",
  ).run(attempts, nextAttemptAt, error, h.iso(), id);
}

export function attemptsOf(h: StoreDb, id: string): number {
  return (
    (h.sql('SELECT attempts FROM outbox WHERE id = ?').get(id) as { attempts: number } | undefined)
      ?.attempts ?? 0
  );
}

/**
 * The officer asks to send one of their failed entries again (same idempotency key). Null when the
 * entry is not theirs or not failed (a replayed call): nothing changes then.
 */
export function retry(h: StoreDb, id: string, username: string): OutboxItem | null {
  const done = h.db.transaction(() => {
    const row = h
      .sql(
        "SELECT dossier_id FROM outbox WHERE id = ? AND username = ? AND kind = 'decision' AND state = 'failed'",
      )
      .get(id, username) as { dossier_id: string } | undefined;
    if (!row) return false;
    h.sql("UPDATE outbox SET state = 'queued', next_attempt_at = 0, updated_at = ? WHERE id = ?").run(
      h.iso(),
      id,
    );
    const req = decisionPayload(h, id) as DecisionRequest;
    h.sql(
      "UPDATE dossiers SET status = 'decided', outcome = ?, result = NULL, decided_at = ?, pending_decision = ? WHERE id = ?",
    ).run(req.outcome, req.decidedAt, id, row.dossier_id);
    return true;
  })();
  return done ? outboxItem(h, id) : null;
}

/**
 * Only the officer who decided dismisses an entry refused by the service; the engine never drops one
 * on its own. Null when the entry is not theirs or not refused (a replayed call): nothing changes then.
 */
export function dismiss(h: StoreDb, id: string, username: string): OutboxItem | null {
  const done = h.db.transaction(() => {
    const r = h
      .sql(
        "UPDATE outbox SET state = 'dismissed', updated_at = ? WHERE id = ? AND username = ? AND kind = 'decision' AND state IN ('failed','conflict','expired')",
      )
      .run(h.iso(), id, username);
    if (r.changes) audit(h, 'decision.dismissed', username, null, id);
    return r.changes > 0;
  })();
  return done ? outboxItem(h, id) : null;
}

export type OutboxCounts = {
  queued: number;
  failed: number;
  conflicts: number;
  others: number;
  uploadsQueued: number;
  uploadsFailed: number;
};

/**
 * What waits in the outbox: decisions by state (`others`: queued decisions of other officers), and
 * scanned or attached images not yet on the service (`uploadsQueued`, of every officer) or refused
 * by it (`uploadsFailed`).
 */
export function outboxCounts(h: StoreDb, username: string | null): OutboxCounts {
  const rows = h
    .sql(
      `SELECT kind, state, username = @u AS mine, count(*) AS n FROM outbox
         WHERE state IN ('queued','failed','conflict','expired') GROUP BY kind, state, mine`,
    )
    .all({ u: username ?? '' }) as Array<{
    kind: 'decision' | 'attachment';
    state: OutboxState;
    mine: number;
    n: number;
  }>;
  const out = { queued: 0, failed: 0, conflicts: 0, others: 0, uploadsQueued: 0, uploadsFailed: 0 };
  for (const r of rows) {
    if (r.kind === 'attachment') {
      if (r.state === 'queued') out.uploadsQueued += r.n;
      else if (r.state === 'failed') out.uploadsFailed += r.n;
    } else if (r.state === 'queued') {
      out.queued += r.n;
      if (!r.mine) out.others += r.n;
    } else if (r.state === 'conflict') out.conflicts += r.n;
    else out.failed += r.n;
  }
  return out;
}
