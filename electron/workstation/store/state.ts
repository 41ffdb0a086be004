// The store's small things: sync state (key/value: feed positions, the device id, a bulk load under
// way) and the audit trail of what this workstation did (who, what, which dossier; never personal data).

import { randomUUID } from 'node:crypto';
import type { StoreDb } from './db.js';

export function getState(h: StoreDb, key: string): string | null {
  const row = h.sql('SELECT value FROM sync_state WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}

export function setState(h: StoreDb, key: string, value: string): void {
  h.sql(
    'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  ).run(key, value);
}

/** This workstation's id, made on first use ("ws-" and a uuid); decisions carry it to the service. */
export function deviceId(h: StoreDb): string {
  let id = getState(h, 'deviceId');
  if (!id) {
    id = `ws-${randomUUID()}`;
    setState(h, 'deviceId', id);
  }
  return id;
}

export function audit(
  h: StoreDb,
  action: string,
  username: string | null,
  dossierId: string | null = null,
  detail?: string,
): void {
  h.sql('INSERT INTO audit (at, username, action, dossier_id, detail) VALUES (?, ?, ?, ?, ?)').run(
    h.iso(),
    username,
    action,
    dossierId,
    detail ?? null,
  );
}

export type AuditEntry = { at: string; username: string | null; action: string; dossierId: string | null };

export function auditTrail(h: StoreDb, limit = 100): AuditEntry[] {
  return (
    h.sql('SELECT at, username, action, dossier_id FROM audit ORDER BY id DESC LIMIT ?').all(limit) as Array<{
      at: string;
      username: string | null;
      action: string;
      dossier_id: string | null;
    }>
  ).map((r) => ({ at: r.at, username: r.username, action: r.action, dossierId: r.dossier_id }));
}
