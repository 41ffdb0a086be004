// What offline work needs from the service, kept in the store: the cached sign-in credential of each
// officer (salted scrypt, DESIGN.md §4), the agencies and their tree, each agency's rejection reasons,
// and the attachments (photos, ID cards) already fetched or uploaded.

import type { Agency, RejectionReason, StaffUser } from '../../../contract/index.js';
import type { StoreDb } from './db.js';

export type StoredCredential = {
  salt: Buffer;
  hash: Buffer;
  user: StaffUser;
  lastOnlineAt: string;
};

export function saveCredential(h: StoreDb, agencyCode: string, username: string, c: StoredCredential): void {
  h.sql(
    `INSERT INTO credentials (agency_code, username, salt, hash, user, last_online_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(agency_code, username) DO UPDATE SET salt = excluded.salt, hash = excluded.hash,
         user = excluded.user, last_online_at = excluded.last_online_at`,
  ).run(agencyCode, username, c.salt, c.hash, JSON.stringify(c.user), c.lastOnlineAt);
}

export function credential(h: StoreDb, agencyCode: string, username: string): StoredCredential | null {
  const row = h
    .sql('SELECT salt, hash, user, last_online_at FROM credentials WHERE agency_code = ? AND username = ?')
    .get(agencyCode, username) as
    { salt: Buffer; hash: Buffer; user: string; last_online_at: string } | undefined;
  return row
    ? {
        salt: row.salt,
        hash: row.hash,
        user: JSON.parse(row.user) as StaffUser,
        lastOnlineAt: row.last_online_at,
      }
    : null;
}

/** Whether anyone has ever signed in online on this workstation (credentials are never deleted). */
export function anyCredential(h: StoreDb): boolean {
  return h.sql('SELECT 1 FROM credentials LIMIT 1').get() !== undefined;
}

export function saveAgencies(h: StoreDb, agencies: readonly Agency[]): void {
  h.db.transaction(() => {
    h.sql('DELETE FROM agencies').run();
    const ins = h.sql(
      'INSERT INTO agencies (code, name, parent_code, address, phone) VALUES (?, ?, ?, ?, ?)',
    );
    for (const a of agencies) ins.run(a.code, a.name, a.parentCode, a.address, a.phone);
  })();
}

export function agencies(h: StoreDb): Agency[] {
  return (
    h.sql('SELECT code, name, parent_code, address, phone FROM agencies ORDER BY code').all() as Array<{
      code: string;
      name: string;
      parent_code: string | null;
      address: string;
      phone: string;
    }>
  ).map((r) => ({
    code: r.code,
    name: r.name,
    parentCode: r.parent_code,
    address: r.address,
    phone: r.phone,
  }));
}

/** The agency and every agency below it (the staff's scope, DESIGN.md §3). */
export function agencyScope(h: StoreDb, agencyCode: string): string[] {
  const all = agencies(h);
  const out = [agencyCode];
  for (let i = 0; i < out.length; i++) {
    for (const a of all) if (a.parentCode === out[i] && !out.includes(a.code)) out.push(a.code);
  }
  return out;
}

export function saveReasons(h: StoreDb, agencyCode: string, reasons: readonly RejectionReason[]): void {
  h.db.transaction(() => {
    h.sql('DELETE FROM reasons WHERE agency_code = ?').run(agencyCode);
    const ins = h.sql(
      'INSERT INTO reasons (agency_code, code, text, sms_text, position) VALUES (?, ?, ?, ?, ?)',
    );
    reasons.forEach((r, i) => ins.run(agencyCode, r.code, r.text, r.smsText, i));
  })();
}

export function reasons(h: StoreDb, agencyCode: string): RejectionReason[] {
  return (
    h
      .sql('SELECT code, text, sms_text FROM reasons WHERE agency_code = ? ORDER BY position')
      .all(agencyCode) as Array<{ code: string; text: string; sms_text: string }>
  ).map((r) => ({ code: r.code, text: r.text, smsText: r.sms_text }));
}

export type CachedAttachment = {
  id: string;
  dossierId: string;
  role: string;
  mediaType: string;
  content: Buffer;
};

export function saveAttachment(h: StoreDb, a: CachedAttachment): void {
  h.sql(
    `INSERT INTO attachments (id, dossier_id, role, media_type, content, fetched_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO NOTHING`,
  ).run(a.id, a.dossierId, a.role, a.mediaType, a.content, h.iso());
}

export function attachment(
  h: StoreDb,
  id: string,
): { mediaType: string; content: Buffer; dossierId: string } | null {
  const row = h.sql('SELECT media_type, content, dossier_id FROM attachments WHERE id = ?').get(id) as
    { media_type: string; content: Buffer; dossier_id: string } | undefined;
  return row ? { mediaType: row.media_type, content: row.content, dossierId: row.dossier_id } : null;
}
