// The mobile desk's declarations as the screens read them: one declaration with its chain and images
// (the person's state worked out from the chain), the desk's list with its search (name without tone
// marks, ID number, Mã tạm, dossier number), lookups by Mã tạm or dossier, the status bar's counts,
// and the retention sweep that deletes the local copies of ID images.

import type { DeclarationRequest } from '../../../contract/index.js';
import { EMPTY_DESK_VALUES, type DeskValues } from '../../../contract/deskForm.js';
import { foldVietnamese, parseProvisionalRef } from '../../../contract/index.js';
import type { QualityReport, Recognition } from '../../../contract/scan.js';
import type {
  DeskDeclaration,
  DeskImage,
  DeskRow,
  DeskSameIdToday,
  DeskState,
  DeskStep,
  DeskStepKind,
} from '../../../contract/workstationDesk.js';
import type { StoreDb } from './db.js';
import { getDossier } from './dossiers.js';
import { audit } from './state.js';

/** Where each step sits in its chain: the intake first, the images, the receipt, the decision last. */
export const STEP_POSITION = { intake: 10, receive: 80, decision: 90 } as const;
export const IMAGE_POSITION: Readonly<Record<string, number>> = {
  photo: 21,
  idFront: 22,
  idBack: 23,
  formPage1: 24,
  formPage2: 25,
  formPage3: 26,
  formPage4: 27,
};

export type DeclRow = {
  id: string;
  seq: number | null;
  ref: string;
  username: string;
  officer_name: string;
  agency_code: string;
  desk_name: string;
  state: 'draft' | 'recorded';
  declared_at: string | null;
  form: string;
  sources: string | null;
  request: string | null;
  full_name: string;
  id_number: string;
  identity_by: string | null;
  identity_at: string | null;
  dossier_id: string | null;
  dossier_number: string | null;
  code_resolution: DeskDeclaration['codeResolution'];
  duplicates: string | null;
  dossier_version: number | null;
  done_at: string | null;
  images_purged_at: string | null;
  created_at: string;
};

type StepRow = {
  id: string;
  declaration_id: string;
  kind: DeskStepKind;
  payload: string;
  state: DeskStep['state'];
  attempts: number;
  last_error: string | null;
  error_fields: string | null;
  result: string | null;
  updated_at: string;
};

export type ImageRow = {
  id: string;
  declaration_id: string;
  role: string;
  media_type: string;
  bytes: number;
  source: DeskImage['source'];
  recognition: string | null;
  recognition_error: string | null;
  quality: string | null;
  created_at: string;
  purged_at: string | null;
};

const json = <T>(text: string | null): T | null => (text ? (JSON.parse(text) as T) : null);

function toStep(r: StepRow): DeskStep {
  const payload = JSON.parse(r.payload) as { role?: string; outcome?: DeskStep['outcome'] };
  return {
    id: r.id,
    kind: r.kind,
    role: payload.role ?? null,
    state: r.state,
    attempts: r.attempts,
    lastError: r.last_error,
    fields: json(r.error_fields),
    result: (r.result as DeskStep['result']) ?? null,
    outcome: payload.outcome ?? null,
    updatedAt: r.updated_at,
  };
}

export function toImage(r: ImageRow): DeskImage {
  return {
    id: r.id,
    declarationId: r.declaration_id,
    role: r.role,
    mediaType: r.media_type,
    bytes: r.bytes,
    source: r.source,
    createdAt: r.created_at,
    purgedAt: r.purged_at,
    recognizing: false,
    recognition: json<Recognition>(r.recognition),
    recognitionError: r.recognition_error,
    quality: json<QualityReport>(r.quality),
  };
}

/** A person's state from their chain (DESK_STATE_LABEL): refused first, then how far it got. */
export function stateOf(
  decl: Pick<DeclRow, 'state'>,
  steps: readonly Pick<DeskStep, 'kind' | 'state'>[],
): DeskState {
  if (decl.state === 'draft') return 'draft';
  const live = steps.filter((s) => s.state !== 'dismissed');
  if (live.some((s) => s.state === 'failed')) return 'needs_fix';
  if (live.find((s) => s.kind === 'intake')?.state !== 'synced') return 'queued';
  if (live.some((s) => s.state === 'queued')) return 'sent';
  return live.some((s) => s.kind === 'decision') ? 'decided' : 'received';
}

const DECL_SELECT = 'SELECT * FROM desk_declarations';

function stepsOf(h: StoreDb, id: string): DeskStep[] {
  return (
    h.sql('SELECT * FROM desk_steps WHERE declaration_id = ? ORDER BY position, rowid').all(id) as StepRow[]
  ).map(toStep);
}

/** The latest image of each role (the ones a chain sends), oldest role first. */
export function deskImages(h: StoreDb, id: string): DeskImage[] {
  const rows = h
    .sql(
      `SELECT i.* FROM desk_images i WHERE i.declaration_id = ?
         AND NOT EXISTS (SELECT 1 FROM desk_steps s WHERE s.id = i.id AND s.state = 'dismissed')
       ORDER BY i.created_at DESC, i.rowid DESC`,
    )
    .all(id) as ImageRow[];
  const seen = new Set<string>();
  const out: DeskImage[] = [];
  for (const r of rows) {
    if (seen.has(r.role)) continue;
    seen.add(r.role);
    out.push(toImage(r));
  }
  return out.sort((a, b) => (IMAGE_POSITION[a.role] ?? 99) - (IMAGE_POSITION[b.role] ?? 99));
}

function view(h: StoreDb, row: DeclRow): DeskDeclaration {
  const steps = stepsOf(h, row.id);
  const live = steps.filter((s) => s.state !== 'dismissed');
  return {
    id: row.id,
    ref: row.ref,
    state: stateOf(row, live),
    agencyCode: row.agency_code,
    deskName: row.desk_name,
    declaredAt: row.declared_at ?? row.created_at,
    username: row.username,
    officerName: row.officer_name,
    identityConfirmedBy: row.identity_by,
    identityConfirmedAt: row.identity_at,
    values: { ...EMPTY_DESK_VALUES, ...(JSON.parse(row.form) as Partial<DeskValues>) },
    sources: json(row.sources) ?? {},
    dossierId: row.dossier_id,
    dossierNumber: row.dossier_number,
    codeResolution: row.code_resolution,
    duplicates: json(row.duplicates) ?? [],
    dossier: row.dossier_id ? getDossier(h, row.dossier_id) : null,
    steps: live,
    images: deskImages(h, row.id),
    refused: live.find((s) => s.state === 'failed') ?? null,
    imagesPurgedAt: row.images_purged_at,
    request: json<DeclarationRequest>(row.request),
  };
}

export function declRow(h: StoreDb, id: string): DeclRow | null {
  return (h.sql(`${DECL_SELECT} WHERE id = ?`).get(id) as DeclRow | undefined) ?? null;
}

export function deskDeclaration(h: StoreDb, id: string): DeskDeclaration | null {
  const row = declRow(h, id);
  return row ? view(h, row) : null;
}

/** The officer's declarations of the same ID number recorded at this desk on `day`. */
export function deskSameIdToday(
  h: StoreDb,
  idNumber: string,
  day: string,
  exceptId: string,
): DeskSameIdToday[] {
  return (
    h
      .sql(
        `SELECT id, ref, full_name, declared_at FROM desk_declarations
           WHERE id_number = ? AND day = ? AND state = 'recorded' AND id <> ? ORDER BY seq`,
      )
      .all(idNumber, day, exceptId) as Array<{
      id: string;
      ref: string;
      full_name: string;
      declared_at: string;
    }>
  ).map((r) => ({ id: r.id, ref: r.ref, fullName: r.full_name, declaredAt: r.declared_at }));
}

export type DeskListFilter = {
  query: string;
  from?: string;
  to?: string;
  state?: DeskState;
  limit: number;
};

function toRow(h: StoreDb, r: DeclRow): DeskRow {
  const steps = stepsOf(h, r.id);
  const live = steps.filter((s) => s.state !== 'dismissed');
  const req = json<DeclarationRequest>(r.request);
  const decision = [...live].reverse().find((s) => s.kind === 'decision') ?? null;
  return {
    id: r.id,
    ref: r.ref,
    state: stateOf(r, live),
    declaredAt: r.declared_at ?? r.created_at,
    username: r.username,
    officerName: r.officer_name,
    dossierNumber: r.dossier_number,
    codeResolution: r.code_resolution,
    duplicates: json(r.duplicates) ?? [],
    imagesPurgedAt: r.images_purged_at,
    fullName: r.full_name,
    idNumber: r.id_number,
    bhxhCode: (r.dossier_id ? getDossier(h, r.dossier_id)?.bhxhCode : null) ?? req?.bhxhCode ?? '',
    steps: live.map((s) => ({ kind: s.kind, role: s.role, state: s.state, lastError: s.lastError })),
    refusedMessage: live.find((s) => s.state === 'failed')?.lastError ?? null,
    result: decision?.result ?? null,
    outcome: decision?.outcome ?? null,
  };
}

/**
 * Danh sách kê khai tại bàn: recorded declarations, newest first. `query` finds a Mã tạm, an ID number
 * (digits), a dossier number, or a name typed without tone marks.
 */
export function deskList(h: StoreDb, f: DeskListFilter, agencyScope: readonly string[]): DeskRow[] {
  const where: string[] = ["state = 'recorded'"];
  const params: unknown[] = [];
  where.push(`agency_code IN (${agencyScope.map(() => '?').join(',') || "''"})`);
  params.push(...agencyScope);
  const q = f.query.trim();
  if (q) {
    const ref = /^(mt)?[\s-]*[0-9a-z]{4}[\s-]*[0-9a-z]{4}$/iu.test(q) ? parseProvisionalRef(q) : null;
    if (ref?.ok) {
      where.push('ref_key = ?');
      params.push(ref.value.clientIdPrefix);
    } else if (/^\d[\d\s]*$/u.test(q)) {
      where.push('id_number LIKE ?');
      params.push(`${q.replace(/\s/gu, '')}%`);
    } else if (/\.GD\//iu.test(q)) {
      where.push('dossier_number = ?');
      params.push(q.toUpperCase().replace('.GD/', '.GD/'));
    } else {
      where.push("name_folded LIKE ? ESCAPE '\\'");
      params.push(`%${foldVietnamese(q).replace(/[\\%_]/gu, (c) => `\\${c}`)}%`);
    }
  }
  if (f.from) {
    where.push('day >= ?');
    params.push(f.from);
  }
  if (f.to) {
    where.push('day <= ?');
    params.push(f.to);
  }
  const rows = h
    .sql(`${DECL_SELECT} WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`)
    .all(...params, f.state ? 100_000 : f.limit) as DeclRow[];
  const out = rows.map((r) => toRow(h, r));
  return (f.state ? out.filter((r) => r.state === f.state) : out).slice(0, f.limit);
}

/** The declaration a Mã tạm names (its canonical form or as typed). */
export function deskByRef(h: StoreDb, raw: string): DeclRow | null {
  const ref = parseProvisionalRef(raw);
  if (!ref.ok) return null;
  return (
    (h
      .sql(`${DECL_SELECT} WHERE ref_key = ? AND state = 'recorded' ORDER BY seq DESC LIMIT 1`)
      .get(ref.value.clientIdPrefix) as DeclRow | undefined) ?? null
  );
}

/** The desk declaration that became this dossier, or holds this dossier number. */
export function deskByDossier(
  h: StoreDb,
  by: { dossierId?: string; dossierNumber?: string },
): DeclRow | null {
  const row = by.dossierId
    ? h.sql(`${DECL_SELECT} WHERE dossier_id = ?`).get(by.dossierId)
    : h.sql(`${DECL_SELECT} WHERE dossier_number = ?`).get(by.dossierNumber ?? '');
  return (row as DeclRow | undefined) ?? null;
}

/** Counts for the status bar: chains not finished and chains with a refused step, of every officer. */
export function deskCounts(h: StoreDb): { queued: number; needsFix: number } {
  // A chain stopped by a refusal counts as "cần sửa" only, not as waiting to be sent.
  const row = h
    .sql(
      `SELECT count(CASE WHEN f = 0 THEN 1 END) AS q, count(CASE WHEN f > 0 THEN 1 END) AS f FROM (
         SELECT declaration_id, sum(state = 'failed') AS f FROM desk_steps
           WHERE state IN ('queued','failed') GROUP BY declaration_id)`,
    )
    .get() as { q: number; f: number };
  return { queued: row.q, needsFix: row.f };
}

/**
 * The local copies of ID images of people whose chain ended before `cutoff` (ISO): bytes deleted, the
 * rows kept with the time (the screens say the service has them). Cached copies of the dossier's
 * attachments go too. Returns how many declarations were purged.
 */
export function purgeDeskImages(h: StoreDb, cutoff: string): number {
  const rows = h
    .sql(
      `SELECT id, dossier_id FROM desk_declarations
         WHERE done_at IS NOT NULL AND done_at < ? AND images_purged_at IS NULL LIMIT 500`,
    )
    .all(cutoff) as Array<{ id: string; dossier_id: string | null }>;
  if (rows.length === 0) return 0;
  const now = h.iso();
  h.db.pragma('secure_delete = ON');
  try {
    h.db.transaction(() => {
      for (const r of rows) {
        h.sql(
          'UPDATE desk_images SET content = NULL, purged_at = ? WHERE declaration_id = ? AND content IS NOT NULL',
        ).run(now, r.id);
        if (r.dossier_id) h.sql('DELETE FROM attachments WHERE dossier_id = ?').run(r.dossier_id);
        h.sql('UPDATE desk_declarations SET images_purged_at = ? WHERE id = ?').run(now, r.id);
        audit(h, 'desk.imagesPurged', null, r.dossier_id, r.id);
      }
    })();
  } finally {
    h.db.pragma('secure_delete = OFF');
  }
  return rows.length;
}
