// The mobile desk's chains as the sync engine sends them (sync/deskChain.ts): one chain per person,
// its steps in `position` order, each leaving `queued` only on the service's answer. A chain's next
// step is the first not yet accepted; a refused one stops that chain alone. Intakes go in the order
// people were registered: an intake waiting for its retry holds back the intakes recorded after it.

import type { CodeResolution, DeclarationRequest, Dossier, DecisionResult } from '../../../contract/index.js';
import type { DeskStepKind } from '../../../contract/workstationDesk.js';
import type { StoreDb } from './db.js';
import type { DeskDecisionPayload } from './desk.js';
import { applyDossiers } from './dossiers.js';
import { audit } from './state.js';

export type DeskImagePayload = { role: string; mediaType: string; sha256: string; bytes: number };

/** A step ready to go, with what sending it needs. */
export type DeskDueStep = {
  id: string;
  declarationId: string;
  kind: DeskStepKind;
  /** the service's dossier id (null before the intake is accepted) */
  dossierId: string | null;
  sent: boolean;
  /** intake: the body; attachment: the image; decision: the decision */
  request: DeclarationRequest | null;
  image: DeskImagePayload | null;
  decision: DeskDecisionPayload | null;
  /** the dossier's version the chain last saw (the decision's baseVersion when it has none yet) */
  dossierVersion: number | null;
  /** the chain's receipt was accepted already (an image now is a replacement) */
  receiveDone: boolean;
};

type DueRow = {
  id: string;
  declaration_id: string;
  kind: DeskStepKind;
  payload: string;
  sent: number;
  dossier_id: string | null;
  request: string | null;
  dossier_version: number | null;
  next_attempt_at: number;
  receive_done: number;
};

function toDue(r: DueRow): DeskDueStep {
  return {
    id: r.id,
    declarationId: r.declaration_id,
    kind: r.kind,
    dossierId: r.dossier_id,
    sent: r.sent === 1,
    request: r.kind === 'intake' && r.request ? (JSON.parse(r.request) as DeclarationRequest) : null,
    image: r.kind === 'attachment' ? (JSON.parse(r.payload) as DeskImagePayload) : null,
    decision: r.kind === 'decision' ? (JSON.parse(r.payload) as DeskDecisionPayload) : null,
    dossierVersion: r.dossier_version,
    receiveDone: r.receive_done === 1,
  };
}

const DUE_SELECT = `SELECT s.id, s.declaration_id, s.kind, s.payload, s.sent, s.next_attempt_at, d.dossier_id,
    d.request, d.dossier_version, EXISTS (SELECT 1 FROM desk_steps r WHERE r.declaration_id = s.declaration_id
      AND r.kind = 'receive' AND r.state = 'synced') AS receive_done
  FROM desk_steps s JOIN desk_declarations d ON d.id = s.declaration_id`;

/** The chain's first step not yet accepted (refused ones included: they stop the chain). */
const IS_NEXT = `s.rowid = (SELECT x.rowid FROM desk_steps x WHERE x.declaration_id = s.declaration_id
    AND x.state IN ('queued','failed') ORDER BY x.position, x.rowid LIMIT 1)`;

/**
 * The next intake to send: the earliest-registered queued intake of this officer, if it is due. When
 * it is not (waiting for a retry), none is: later people's intakes wait for it.
 */
export function nextDeskIntake(h: StoreDb, username: string, nowMs: number): DeskDueStep | null {
  const row = h
    .sql(
      `${DUE_SELECT} WHERE s.kind = 'intake' AND s.state = 'queued' AND d.username = ?
         ORDER BY d.seq LIMIT 1`,
    )
    .get(username) as DueRow | undefined;
  return row && row.next_attempt_at <= nowMs ? toDue(row) : null;
}

/** Due steps after the intake (images, receipt, decision), each the next of its chain, oldest chains first. */
export function dueDeskSteps(
  h: StoreDb,
  username: string,
  nowMs: number,
  limit: number,
  skip: ReadonlySet<string>,
): DeskDueStep[] {
  const rows = h
    .sql(
      `${DUE_SELECT} WHERE s.state = 'queued' AND s.kind <> 'intake' AND s.next_attempt_at <= ?
         AND d.username = ? AND ${IS_NEXT} ORDER BY d.seq LIMIT ?`,
    )
    .all(nowMs, username, limit + skip.size) as DueRow[];
  return rows
    .filter((r) => !skip.has(r.declaration_id))
    .slice(0, limit)
    .map(toDue);
}

/** The next step of one chain if it is due (a worker follows its chain to the end). */
export function nextDeskStep(h: StoreDb, declarationId: string, nowMs: number): DeskDueStep | null {
  const row = h
    .sql(
      `${DUE_SELECT} WHERE s.declaration_id = ? AND s.state = 'queued' AND s.kind <> 'intake'
         AND s.next_attempt_at <= ? AND ${IS_NEXT} LIMIT 1`,
    )
    .get(declarationId, nowMs) as DueRow | undefined;
  return row ? toDue(row) : null;
}

/** When the officer's next queued step is due (ms), or null when nothing waits. */
export function deskNextDueAt(h: StoreDb, username: string): number | null {
  const row = h
    .sql(
      `SELECT min(s.next_attempt_at) AS t FROM desk_steps s JOIN desk_declarations d ON d.id = s.declaration_id
         WHERE s.state = 'queued' AND d.username = ?`,
    )
    .get(username) as { t: number | null };
  return row.t;
}

/** The decision's baseVersion, fixed before its first send so every attempt sends the same body. */
export function fixDecisionBase(h: StoreDb, stepId: string, baseVersion: number): DeskDecisionPayload {
  const row = h.sql('SELECT payload FROM desk_steps WHERE id = ?').get(stepId) as { payload: string };
  const p = JSON.parse(row.payload) as DeskDecisionPayload;
  if (p.baseVersion !== undefined) return p;
  const fixed = { ...p, baseVersion };
  h.sql("UPDATE desk_steps SET payload = ? WHERE id = ? AND state = 'queued'").run(
    JSON.stringify(fixed),
    stepId,
  );
  return fixed;
}

/** Before a PUT: from now on the service may hold the image. */
export function markDeskImageSent(h: StoreDb, stepId: string): void {
  h.sql('UPDATE desk_steps SET sent = 1 WHERE id = ?').run(stepId);
}

export type DeskAnswer = {
  /** the service's dossier after the step (intake, receipt, decision; an image's after a re-read) */
  dossier?: Dossier | null;
  intake?: {
    codeResolution: CodeResolution;
    duplicates: Array<{ id: string; dossierNumber: string; status: Dossier['status'] }>;
  };
  result?: DecisionResult;
};

/**
 * The service accepted a step: recorded with its answer, the chain's dossier applied to the store,
 * and the chain marked done when it was its last — in one transaction.
 */
export function markDeskStepSynced(h: StoreDb, stepId: string, answer: DeskAnswer): void {
  h.db.transaction(() => {
    const now = h.iso();
    const step = h
      .sql(
        "UPDATE desk_steps SET state = 'synced', last_error = NULL, error_fields = NULL, result = ?, updated_at = ? WHERE id = ? AND state = 'queued' RETURNING declaration_id, kind",
      )
      .get(answer.result ?? null, now, stepId) as { declaration_id: string; kind: DeskStepKind } | undefined;
    if (!step) return;
    const d = answer.dossier;
    if (d) {
      const {
        duplicates: _dup,
        codeResolution: _cr,
        ...dossier
      } = d as Dossier & { codeResolution?: unknown };
      applyDossiers(h, [dossier as Dossier]);
      h.sql(
        `UPDATE desk_declarations SET dossier_id = ?, dossier_number = ?, dossier_version = max(coalesce(dossier_version, 0), ?),
           updated_at = ? WHERE id = ?`,
      ).run(d.id, d.dossierNumber, d.version, now, step.declaration_id);
    }
    if (answer.intake) {
      h.sql('UPDATE desk_declarations SET code_resolution = ?, duplicates = ? WHERE id = ?').run(
        answer.intake.codeResolution,
        JSON.stringify(answer.intake.duplicates),
        step.declaration_id,
      );
    }
    const open = h
      .sql("SELECT count(*) AS n FROM desk_steps WHERE declaration_id = ? AND state IN ('queued','failed')")
      .get(step.declaration_id) as { n: number };
    if (open.n === 0)
      h.sql('UPDATE desk_declarations SET done_at = ? WHERE id = ?').run(now, step.declaration_id);
    audit(h, `desk.${step.kind}.synced`, null, d?.id ?? null, stepId);
  })();
}

/** Refused by the service (4xx): the chain stops here, with the message and the fields named. */
export function markDeskStepFailed(
  h: StoreDb,
  stepId: string,
  message: string,
  fields: Record<string, string> | null,
): void {
  h.db.transaction(() => {
    const r = h
      .sql(
        "UPDATE desk_steps SET state = 'failed', last_error = ?, error_fields = ?, updated_at = ? WHERE id = ? AND state = 'queued' RETURNING declaration_id, kind",
      )
      .get(message, fields ? JSON.stringify(fields) : null, h.iso(), stepId) as
      { declaration_id: string; kind: string } | undefined;
    if (r) audit(h, `desk.${r.kind}.refused`, null, null, stepId);
  })();
}

/** A transient failure (network, 5xx, 429): the same step later. */
export function rescheduleDeskStep(h: StoreDb, stepId: string, nextAttemptAt: number, error: string): number {
  const row = h
    .sql(
      "UPDATE desk_steps SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ? AND state = 'queued' RETURNING attempts",
    )
    .get(nextAttemptAt, error, h.iso(), stepId) as { attempts: number } | undefined;
  return row?.attempts ?? 0;
}

export function deskStepAttempts(h: StoreDb, stepId: string): number {
  return (
    (h.sql('SELECT attempts FROM desk_steps WHERE id = ?').get(stepId) as { attempts: number } | undefined)
      ?.attempts ?? 0
  );
}
