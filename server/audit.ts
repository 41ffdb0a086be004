// The append-only, tamper-evident audit log: every read of a dossier's personal data and every
// decision. Writers insert an entry in their own transaction (cheap, no shared lock); the chainer
// numbers committed entries in order and gives each the hash of the one before, so altering,
// removing or reordering any chained entry breaks the chain at that entry. `verifyAuditChain`
// recomputes it and names the first broken entry (npm run server:audit-verify).
// Entries carry ids and masked values only: never an ID number, phone or name in the clear.

import { createHash } from 'node:crypto';
import type { Database, Queryable } from './db/database.js';

export type AuditEntry = {
  actor: string;
  action: string;
  dossierId?: string | null;
  details?: Record<string, unknown>;
};

export const GENESIS_HASH = '0'.repeat(64);

/** The entry's canonical text: what its hash covers. */
export function auditPayload(at: Date, entry: AuditEntry): string {
  return JSON.stringify({
    at: at.toISOString(),
    actor: entry.actor,
    action: entry.action,
    dossierId: entry.dossierId ?? null,
    details: entry.details ?? {},
  });
}

/** The INSERT of an entry, as SQL with its parameters numbered from `first` (to share a statement). */
export function auditInsert(at: Date, entry: AuditEntry, first = 1): { sql: string; params: unknown[] } {
  const n = (i: number): string => `$${first + i}`;
  return {
    sql: `INSERT INTO audit_log (at, actor, action, dossier_id, payload) VALUES (${n(0)}, ${n(1)}, ${n(2)}, ${n(3)}, ${n(4)})`,
    params: [at.toISOString(), entry.actor, entry.action, entry.dossierId ?? null, auditPayload(at, entry)],
  };
}

export async function writeAudit(q: Queryable, at: Date, entry: AuditEntry): Promise<void> {
  const { sql, params } = auditInsert(at, entry);
  await q.query(sql, params);
}

export function entryHash(prevHash: string, seq: number, payload: string): string {
  return createHash('sha256').update(`${prevHash}\n${seq}\n${payload}`).digest('hex');
}

/** Chains every committed, unchained entry; returns how many. One chainer at a time (advisory lock). */
export async function chainAudit(db: Database, batch = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const lock = await tx.query<{ got: boolean }>('SELECT pg_try_advisory_xact_lock(7203) AS got');
      if (!lock.rows[0]?.got) return 0;
      const head = await tx.query<{ seq: number; hash: string }>(
        'SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1',
      );
      let seq = head.rows[0]?.seq ?? 0;
      let prev = head.rows[0]?.hash ?? GENESIS_HASH;
      const pending = await tx.query<{ id: number; payload: string }>(
        'SELECT id, payload FROM audit_log WHERE seq IS NULL ORDER BY id LIMIT $1',
        [batch],
      );
      if (pending.rows.length === 0) return 0;
      const ids: number[] = [];
      const seqs: number[] = [];
      const prevs: string[] = [];
      const hashes: string[] = [];
      for (const row of pending.rows) {
        seq += 1;
        const hash = entryHash(prev, seq, row.payload);
        ids.push(row.id);
        seqs.push(seq);
        prevs.push(prev);
        hashes.push(hash);
        prev = hash;
      }
      await tx.query(
        `UPDATE audit_log a SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash
           FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS v(id, seq, prev_hash, hash)
          WHERE a.id = v.id`,
        [ids, seqs, prevs, hashes],
      );
      return pending.rows.length;
    });
    total += n;
    if (n < batch) return total;
  }
}

export type AuditVerification =
  | { ok: true; entries: number; unchained: number }
  | { ok: false; entries: number; firstBroken: { seq: number; id: number; reason: string } };

/** Walks the chain in order and recomputes every hash. */
export async function verifyAuditChain(db: Queryable, pageSize = 10000): Promise<AuditVerification> {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let after = 0;
  let entries = 0;
  for (;;) {
    const page = await db.query<{
      id: number;
      seq: number;
      payload: string;
      prev_hash: string;
      hash: string;
    }>('SELECT id, seq, payload, prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [
      after,
      pageSize,
    ]);
    for (const row of page.rows) {
      const broken = (reason: string): AuditVerification => ({
        ok: false,
        entries,
        firstBroken: { seq: expectedSeq, id: row.id, reason },
      });
      if (row.seq !== expectedSeq)
        return broken(`entry ${expectedSeq} is missing (next present is ${row.seq})`);
      if (row.prev_hash !== prev) return broken('its prev_hash is not the hash of the entry before');
      if (entryHash(prev, row.seq, row.payload) !== row.hash)
        return broken('its content does not match its hash');
      prev = row.hash;
      expectedSeq += 1;
      entries += 1;
      after = row.seq;
    }
    if (page.rows.length < pageSize) break;
  }
  const unchained = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM audit_log WHERE seq IS NULL',
  );
  return { ok: true, entries, unchained: unchained.rows[0]?.n ?? 0 };
}
