// The 10-day expiry: a declaration whose paper was not received within 10 days of being declared is
// deleted with its personal data and attachments (the cascade removes attachments and claims; the
// steps are in the row); what remains is a tombstone in the change feed and a row of expired_dossiers
// with no personal data (so a late decision answers 410), plus an audit entry.

import { writeAudit } from './audit.js';
import type { Ctx } from './context.js';
import { recordChange } from './dossiers.js';

export async function runExpiry(ctx: Ctx, batch = 500): Promise<number> {
  const now = ctx.now();
  let total = 0;
  for (;;) {
    const n = await ctx.db.transaction(async (tx) => {
      const due = await tx.query<{ id: string; agency_code: string; dossier_number: string }>(
        `SELECT id, agency_code, dossier_number FROM dossiers
          WHERE status = 'pending' AND received_at IS NULL AND expires_at <= $1
          ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now.toISOString(), batch],
      );
      for (const d of due.rows) {
        await tx.query(
          'INSERT INTO expired_dossiers (id, agency_code, dossier_number, expired_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
          [d.id, d.agency_code, d.dossier_number, now.toISOString()],
        );
        await tx.query('DELETE FROM dossiers WHERE id = $1', [d.id]);
        // Its personal data leaves the feed too: earlier changes read as tombstones from now on.
        await tx.query(
          'DELETE FROM dossier_change_docs WHERE change_id IN (SELECT id FROM dossier_changes WHERE dossier_id = $1)',
          [d.id],
        );
        await recordChange(tx, d.id, d.agency_code, true);
        await writeAudit(tx, now, {
          actor: 'system',
          action: 'dossier.expired',
          dossierId: d.id,
          details: { dossierNumber: d.dossier_number },
        });
      }
      return due.rows.length;
    });
    total += n;
    if (n < batch) break;
  }
  if (total > 0) ctx.log.info({ expired: total }, 'expired dossiers deleted');
  return total;
}
