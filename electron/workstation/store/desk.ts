// The mobile desk's declarations (Kê khai mới): the form kept as a draft from its first keystroke, its
// images, and Ghi nhận — the declaration, Xác nhận nhân thân, the chain of steps (intake, one upload
// per image, receipt, the decision) and the audit line in one transaction committed with FULL, so
// the whole desk dossier survives a crash or power cut the moment the officer sees "đã lưu". The
// chain's sending is in deskChain.ts; the views the screens read in deskViews.ts.

import type { DeclarationRequest, StaffUser } from '../../../contract/index.js';
import { EMPTY_DESK_VALUES, type DeskValues } from '../../../contract/deskForm.js';
import { foldVietnamese, parseProvisionalRef, provisionalRef, vnDay } from '../../../contract/index.js';
import type { QualityReport, Recognition } from '../../../contract/scan.js';
import type { DeskDeclaration, DeskImage } from '../../../contract/workstationDesk.js';
import { durably, type StoreDb } from './db.js';
import {
  declRow,
  deskDeclaration,
  deskImages,
  IMAGE_POSITION,
  STEP_POSITION,
  toImage,
  type ImageRow,
} from './deskViews.js';
import { audit } from './state.js';

const DECL_SELECT = 'SELECT * FROM desk_declarations';

/** The officer's unfinished declaration, newest first; or a new one under `newId`. */
export function deskDraft(h: StoreDb, user: StaffUser, newId: string, fresh: boolean): DeskDeclaration {
  if (!fresh) {
    const row = h
      .sql(`${DECL_SELECT} WHERE username = ? AND state = 'draft' ORDER BY created_at DESC LIMIT 1`)
      .get(user.username) as { id: string } | undefined;
    if (row) return deskDeclaration(h, row.id) as DeskDeclaration;
  }
  const now = h.iso();
  const ref = parseProvisionalRef(provisionalRef(newId));
  h.sql(
    `INSERT INTO desk_declarations (id, ref, ref_key, username, officer_name, agency_code, state, form, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)`,
  ).run(
    newId,
    ref.ok ? ref.value.ref : provisionalRef(newId),
    ref.ok ? ref.value.clientIdPrefix : '',
    user.username,
    user.displayName,
    user.agencyCode,
    JSON.stringify(EMPTY_DESK_VALUES),
    now,
    now,
  );
  return deskDeclaration(h, newId) as DeskDeclaration;
}

export function saveDeskDraft(
  h: StoreDb,
  id: string,
  values: DeskValues,
  sources: DeskDeclaration['sources'] | null,
): void {
  h.sql(
    `UPDATE desk_declarations SET form = ?, sources = coalesce(?, sources), full_name = ?, updated_at = ?
       WHERE id = ? AND state = 'draft'`,
  ).run(JSON.stringify(values), sources ? JSON.stringify(sources) : null, values.fullName, h.iso(), id);
}

/** Huỷ: an unfinished declaration and its images leave the store (nothing was sent). */
export function discardDeskDraft(h: StoreDb, id: string): boolean {
  return h.db.transaction(() => {
    const row = declRow(h, id);
    if (!row || row.state !== 'draft') return false;
    h.sql('DELETE FROM desk_images WHERE declaration_id = ?').run(id);
    h.sql('DELETE FROM desk_declarations WHERE id = ?').run(id);
    audit(h, 'desk.discarded', row.username, null, row.ref);
    return true;
  })();
}

export type NewDeskImage = {
  id: string;
  declarationId: string;
  role: string;
  mediaType: 'image/jpeg' | 'image/png' | 'application/pdf';
  sha256: string;
  content: Buffer;
  source: DeskImage['source'];
};

/**
 * Keep an image (FULL, like a decision). Before Ghi nhận a newer image of a role replaces the older
 * one outright (it was never sent). After Ghi nhận it becomes a new upload step of the chain, and an
 * older upload of the role not yet accepted is dismissed.
 */
export function addDeskImage(h: StoreDb, img: NewDeskImage, username: string): DeskImage {
  const now = h.iso();
  durably(h, () => {
    const decl = declRow(h, img.declarationId);
    if (!decl) throw new Error('no such declaration');
    if (decl.state === 'draft') {
      h.sql('DELETE FROM desk_images WHERE declaration_id = ? AND role = ?').run(img.declarationId, img.role);
    }
    h.sql(
      `INSERT INTO desk_images (id, declaration_id, role, media_type, sha256, bytes, content, source, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      img.id,
      img.declarationId,
      img.role,
      img.mediaType,
      img.sha256,
      img.content.length,
      img.content,
      img.source,
      now,
    );
    if (decl.state === 'recorded') {
      h.sql(
        `UPDATE desk_steps SET state = 'dismissed', last_error = 'Đã thay bằng ảnh mới.', updated_at = ?
           WHERE declaration_id = ? AND kind = 'attachment' AND state IN ('queued','failed')
             AND json_extract(payload, '$.role') = ?`,
      ).run(now, img.declarationId, img.role);
      insertImageStep(h, img.declarationId, img, now);
      h.sql('UPDATE desk_declarations SET done_at = NULL, updated_at = ? WHERE id = ?').run(
        now,
        img.declarationId,
      );
    }
    audit(h, 'desk.image', username, decl.dossier_id, `${decl.ref} ${img.role} ${img.source}`);
  });
  return toImage(h.sql('SELECT * FROM desk_images WHERE id = ?').get(img.id) as ImageRow);
}

function insertImageStep(
  h: StoreDb,
  declarationId: string,
  img: { id: string; role: string; mediaType: string; sha256: string; bytes?: number; content?: Buffer },
  now: string,
): void {
  const payload = {
    role: img.role,
    mediaType: img.mediaType,
    sha256: img.sha256,
    bytes: img.bytes ?? img.content?.length ?? 0,
  };
  h.sql(
    `INSERT INTO desk_steps (id, declaration_id, position, kind, payload, state, created_at, updated_at)
       VALUES (?, ?, ?, 'attachment', ?, 'queued', ?, ?)`,
  ).run(img.id, declarationId, IMAGE_POSITION[img.role] ?? 29, JSON.stringify(payload), now, now);
}

export function saveDeskRecognition(
  h: StoreDb,
  imageId: string,
  r: { recognition: Recognition | null; error: string | null; quality: QualityReport | null },
): void {
  h.sql('UPDATE desk_images SET recognition = ?, recognition_error = ?, quality = ? WHERE id = ?').run(
    r.recognition ? JSON.stringify(r.recognition) : null,
    r.error,
    r.quality ? JSON.stringify(r.quality) : null,
    imageId,
  );
}

export function deskImage(h: StoreDb, imageId: string): DeskImage | null {
  const row = h.sql('SELECT * FROM desk_images WHERE id = ?').get(imageId) as ImageRow | undefined;
  return row ? toImage(row) : null;
}

export function deskImageContent(
  h: StoreDb,
  imageId: string,
): { declarationId: string; mediaType: string; content: Buffer | null; sha256: string } | null {
  const row = h
    .sql('SELECT declaration_id, media_type, content, sha256 FROM desk_images WHERE id = ?')
    .get(imageId) as
    { declaration_id: string; media_type: string; content: Buffer | null; sha256: string } | undefined;
  return row
    ? {
        declarationId: row.declaration_id,
        mediaType: row.media_type,
        content: row.content,
        sha256: row.sha256,
      }
    : null;
}

export type DeskDecisionPayload = {
  outcome: 'valid' | 'invalid';
  reasonCodes: string[];
  reason: string;
  confirmUpdate?: boolean;
  decidedAt: string;
  deviceId: string;
  /** fixed from the dossier's version just before the first send */
  baseVersion?: number;
};

export type DeskRecord = {
  id: string;
  user: StaffUser;
  deskName: string;
  declaredAt: string;
  values: DeskValues;
  request: DeclarationRequest;
  receiveId: string;
  decision: { id: string; payload: DeskDecisionPayload } | null;
};

/**
 * Ghi nhận: the declaration fixed with its Xác nhận nhân thân, its number in the order of
 * registration, and its whole chain queued — in one transaction committed with FULL.
 */
export function recordDesk(h: StoreDb, r: DeskRecord): DeskDeclaration {
  const now = h.iso();
  durably(h, () => {
    const seq =
      ((h.sql('SELECT max(seq) AS m FROM desk_declarations').get() as { m: number | null }).m ?? 0) + 1;
    const updated = h
      .sql(
        `UPDATE desk_declarations SET state = 'recorded', seq = ?, desk_name = ?, declared_at = ?, day = ?, form = ?,
           request = ?, full_name = ?, name_folded = ?, id_number = ?, identity_by = ?, identity_at = ?, updated_at = ?
         WHERE id = ? AND state = 'draft'`,
      )
      .run(
        seq,
        r.deskName,
        r.declaredAt,
        vnDay(r.declaredAt),
        JSON.stringify(r.values),
        JSON.stringify(r.request),
        r.request.fullName,
        foldVietnamese(r.request.fullName),
        r.request.idNumber,
        r.user.displayName,
        now,
        now,
        r.id,
      );
    if (updated.changes !== 1) throw new Error('not a draft');
    h.sql(
      `INSERT INTO desk_steps (id, declaration_id, position, kind, payload, state, created_at, updated_at)
         VALUES (?, ?, ?, 'intake', '{}', 'queued', ?, ?)`,
    ).run(r.id, r.id, STEP_POSITION.intake, now, now);
    for (const img of deskImages(h, r.id)) {
      const row = h.sql('SELECT sha256 FROM desk_images WHERE id = ?').get(img.id) as { sha256: string };
      insertImageStep(h, r.id, { ...img, sha256: row.sha256 }, now);
    }
    h.sql(
      `INSERT INTO desk_steps (id, declaration_id, position, kind, payload, state, created_at, updated_at)
         VALUES (?, ?, ?, 'receive', '{}', 'queued', ?, ?)`,
    ).run(r.receiveId, r.id, STEP_POSITION.receive, now, now);
    if (r.decision) insertDecisionStep(h, r.id, r.decision.id, r.decision.payload, now);
    audit(h, 'desk.recorded', r.user.username, null, `${r.id} ${r.decision?.payload.outcome ?? ''}`.trim());
  });
  return deskDeclaration(h, r.id) as DeskDeclaration;
}

function insertDecisionStep(
  h: StoreDb,
  id: string,
  stepId: string,
  p: DeskDecisionPayload,
  now: string,
): void {
  h.sql(
    `INSERT INTO desk_steps (id, declaration_id, position, kind, payload, state, created_at, updated_at)
       VALUES (?, ?, ?, 'decision', ?, 'queued', ?, ?)`,
  ).run(stepId, id, STEP_POSITION.decision, JSON.stringify(p), now, now);
}

/** Decide (again): an earlier decision not accepted by the service gives way to this one. */
export function deskDecide(
  h: StoreDb,
  id: string,
  stepId: string,
  p: DeskDecisionPayload,
  username: string,
): void {
  const now = h.iso();
  durably(h, () => {
    h.sql(
      `UPDATE desk_steps SET state = 'dismissed', last_error = 'Đã đánh giá lại.', updated_at = ?
         WHERE declaration_id = ? AND kind = 'decision' AND state IN ('queued','failed')`,
    ).run(now, id);
    insertDecisionStep(h, id, stepId, p, now);
    h.sql('UPDATE desk_declarations SET done_at = NULL, updated_at = ? WHERE id = ?').run(now, id);
    audit(h, 'desk.decided', username, null, `${id} ${p.outcome}`);
  });
}

/** Sửa và gửi lại: the refused intake's body replaced, the intake queued again (same clientId). */
export function correctDesk(
  h: StoreDb,
  id: string,
  values: DeskValues,
  request: DeclarationRequest,
  username: string,
): void {
  durably(h, () => {
    const now = h.iso();
    h.sql(
      `UPDATE desk_declarations SET form = ?, request = ?, full_name = ?, name_folded = ?, id_number = ?, updated_at = ?
         WHERE id = ?`,
    ).run(
      JSON.stringify(values),
      JSON.stringify(request),
      request.fullName,
      foldVietnamese(request.fullName),
      request.idNumber,
      now,
      id,
    );
    h.sql(
      `UPDATE desk_steps SET state = 'queued', attempts = 0, next_attempt_at = 0, last_error = NULL, error_fields = NULL,
         updated_at = ? WHERE declaration_id = ? AND kind = 'intake' AND state = 'failed'`,
    ).run(now, id);
    audit(h, 'desk.corrected', username, null, id);
  });
}

/** Thử lại: the chain's refused steps queued again with the same keys. */
export function retryDesk(h: StoreDb, id: string): number {
  return h
    .sql(
      `UPDATE desk_steps SET state = 'queued', next_attempt_at = 0, updated_at = ?
         WHERE declaration_id = ? AND state = 'failed' AND kind <> 'intake'`,
    )
    .run(h.iso(), id).changes;
}
