// Scanned and attached images (intake): the bytes in intake_images, their upload as an outbox entry of
// kind 'attachment' under the same id, what recognition found in them (for the comparison panel), and
// the marks that make an upload happen once although the service has no idempotency key for it.

import type { StaffUser } from '../../../contract/index.js';
import type { QualityReport, Recognition } from '../../../contract/scan.js';
import type { IntakeImage } from '../../../contract/workstationIntake.js';
import { saveAttachment } from './caches.js';
import { durably, type StoreDb } from './db.js';
import { nextSeq, type AttachmentPayload } from './outbox.js';
import { audit } from './state.js';

/** A scanned or attached image as the intake records it. */
export type NewImage = {
  id: string;
  dossierId: string;
  role: string;
  mediaType: 'image/jpeg' | 'image/png' | 'application/pdf';
  sha256: string;
  content: Buffer;
  source: 'scan' | 'file';
  fileName: string | null;
};

type ImageDbRow = {
  id: string;
  dossier_id: string;
  role: string;
  media_type: string;
  bytes: number;
  source: 'scan' | 'file';
  file_name: string | null;
  recognition: string | null;
  recognition_error: string | null;
  quality: string | null;
  sent: number;
  attachment_id: string | null;
  created_at: string;
  state: IntakeImage['state'] | null;
  attempts: number | null;
  last_error: string | null;
};

const IMAGE_SELECT = `SELECT i.id, i.dossier_id, i.role, i.media_type, i.bytes, i.source, i.file_name,
    i.recognition, i.recognition_error, i.quality, i.sent, i.attachment_id, i.created_at,
    o.state, o.attempts, o.last_error
  FROM intake_images i LEFT JOIN outbox o ON o.id = i.id`;

function toImage(r: ImageDbRow): IntakeImage {
  return {
    id: r.id,
    dossierId: r.dossier_id,
    role: r.role,
    mediaType: r.media_type,
    bytes: r.bytes,
    source: r.source,
    fileName: r.file_name,
    state: r.state ?? 'synced',
    attempts: r.attempts ?? 0,
    lastError: r.last_error,
    attachmentId: r.attachment_id,
    createdAt: r.created_at,
    recognizing: false,
    recognition: r.recognition ? (JSON.parse(r.recognition) as Recognition) : null,
    recognitionError: r.recognition_error,
    quality: r.quality ? (JSON.parse(r.quality) as QualityReport) : null,
  };
}

/**
 * Record an image for upload: the image row, its outbox entry (kind 'attachment') and the audit line
 * in one transaction, committed with FULL like a decision, so it survives a crash or power cut the
 * moment the call returns. A queued image of the same dossier and role that was never sent is
 * superseded: only the newest one goes to the service.
 */
export function recordImage(h: StoreDb, img: NewImage, user: StaffUser): IntakeImage {
  const now = h.iso();
  const payload: AttachmentPayload = {
    role: img.role,
    mediaType: img.mediaType,
    sha256: img.sha256,
    bytes: img.content.length,
  };
  durably(h, () => {
    const seq = nextSeq(h);
    h.sql(
      `UPDATE outbox SET state = 'dismissed', updated_at = ?, last_error = 'Đã thay bằng ảnh mới.'
         WHERE kind = 'attachment' AND dossier_id = ? AND state IN ('queued','failed')
           AND id IN (SELECT id FROM intake_images WHERE dossier_id = ? AND role = ?)`,
    ).run(now, img.dossierId, img.dossierId, img.role);
    h.sql(
      `INSERT INTO intake_images (id, dossier_id, role, media_type, sha256, bytes, content, source, file_name, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      img.id,
      img.dossierId,
      img.role,
      img.mediaType,
      img.sha256,
      img.content.length,
      img.content,
      img.source,
      img.fileName,
      now,
    );
    h.sql(
      `INSERT INTO outbox (id, seq, dossier_id, username, agency_code, payload, state, kind, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'queued', 'attachment', ?, ?)`,
    ).run(img.id, seq, img.dossierId, user.username, user.agencyCode, JSON.stringify(payload), now, now);
    audit(h, 'attachment.recorded', user.username, img.dossierId, `${img.role} ${img.id}`);
  });
  return image(h, img.id) as IntakeImage;
}

/** What recognition found in a stored image (kept for the comparison panel). */
export function saveRecognition(
  h: StoreDb,
  id: string,
  r: { recognition: Recognition | null; error: string | null; quality: QualityReport | null },
): void {
  h.sql('UPDATE intake_images SET recognition = ?, recognition_error = ?, quality = ? WHERE id = ?').run(
    r.recognition ? JSON.stringify(r.recognition) : null,
    r.error,
    r.quality ? JSON.stringify(r.quality) : null,
    id,
  );
}

export function image(h: StoreDb, id: string): IntakeImage | null {
  const row = h.sql(`${IMAGE_SELECT} WHERE i.id = ?`).get(id) as ImageDbRow | undefined;
  return row ? toImage(row) : null;
}

/** The newest image of each role of a dossier that was not superseded. */
export function images(h: StoreDb, dossierId: string): IntakeImage[] {
  const rows = h
    .sql(
      `${IMAGE_SELECT} WHERE i.dossier_id = ? AND coalesce(o.state, 'synced') <> 'dismissed'
         ORDER BY i.created_at DESC, o.seq DESC`,
    )
    .all(dossierId) as ImageDbRow[];
  const seen = new Set<string>();
  const out: IntakeImage[] = [];
  for (const r of rows) {
    if (seen.has(r.role)) continue;
    seen.add(r.role);
    out.push(toImage(r));
  }
  return out.sort((a, b) => a.role.localeCompare(b.role, 'en', { numeric: true }));
}

export type ImageContent = {
  dossierId: string;
  role: string;
  mediaType: string;
  content: Buffer;
  sha256: string;
};

export function imageContent(h: StoreDb, id: string): ImageContent | null {
  const row = h
    .sql('SELECT dossier_id, role, media_type, content, sha256 FROM intake_images WHERE id = ?')
    .get(id) as
    { dossier_id: string; role: string; media_type: string; content: Buffer; sha256: string } | undefined;
  return row
    ? {
        dossierId: row.dossier_id,
        role: row.role,
        mediaType: row.media_type,
        content: row.content,
        sha256: row.sha256,
      }
    : null;
}

/** Before each PUT: from now on the service may have the image (a crash cannot undo that). */
export function markImageSent(h: StoreDb, id: string): void {
  h.sql('UPDATE intake_images SET sent = 1 WHERE id = ?').run(id);
}

export function imageSent(h: StoreDb, id: string): boolean {
  const row = h.sql('SELECT sent FROM intake_images WHERE id = ?').get(id) as { sent: number } | undefined;
  return row?.sent === 1;
}

/** The service holds the image: record its id and keep the bytes in the attachments cache too. */
export function markImageSynced(h: StoreDb, id: string, attachmentId: string): void {
  h.db.transaction(() => {
    const r = h
      .sql(
        "UPDATE outbox SET state = 'synced', last_error = NULL, updated_at = ? WHERE id = ? AND kind = 'attachment' AND state IN ('queued','dismissed')",
      )
      .run(h.iso(), id);
    if (!r.changes) return;
    h.sql('UPDATE intake_images SET attachment_id = ? WHERE id = ?').run(attachmentId, id);
    const img = imageContent(h, id);
    if (img) {
      saveAttachment(h, {
        id: attachmentId,
        dossierId: img.dossierId,
        role: img.role,
        mediaType: img.mediaType,
        content: img.content,
      });
    }
    audit(h, 'attachment.synced', null, img?.dossierId ?? null, id);
  })();
}

/** Refused by the service (403, 404, 410, 413, 415, 422): kept, the officer sees why and may retry. */
export function markImageFailed(h: StoreDb, id: string, message: string): void {
  h.sql(
    "UPDATE outbox SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ? AND kind = 'attachment' AND state = 'queued'",
  ).run(message, h.iso(), id);
}

export function retryImage(h: StoreDb, id: string): IntakeImage | null {
  h.sql(
    "UPDATE outbox SET state = 'queued', next_attempt_at = 0, updated_at = ? WHERE id = ? AND kind = 'attachment' AND state = 'failed'",
  ).run(h.iso(), id);
  return image(h, id);
}
