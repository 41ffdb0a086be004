// The supervisors' daily report (API.md GET /reports/daily): what the agency subtree received,
// decided and lost to expiry on one day (Asia/Ho_Chi_Minh), per officer and per outcome. Decisions
// are also counted by Trạng thái (contract verdictOf): an approval whose code is not in HGD issued no
// account and is counted apart from those that did.

import { VERDICTS, type DailyReport, type DossierSummary, type Verdict } from '../contract/index.js';
import { writeAudit } from './audit.js';
import { toSummary } from './dossiers.js';
import { deliveryLag } from './notify.js';
import type { Ctx, Staff } from './context.js';

export async function dailyReport(ctx: Ctx, staff: Staff, date: string): Promise<DailyReport> {
  const p = [staff.scope, date];
  const day = `d.agency_code = ANY($1::text[])`;
  const inDay = (col: string): string =>
    `${col} >= ($2::date)::timestamptz AND ${col} < ($2::date + 1)::timestamptz`;
  const counts = await ctx.db.query<{
    received: number;
    valid: number;
    invalid: number;
    pending: number;
    expired: number;
  }>(
    `SELECT
       (SELECT count(*)::int FROM dossiers d WHERE ${day} AND ${inDay('d.received_at')}) AS received,
       (SELECT count(*)::int FROM dossiers d WHERE ${day} AND ${inDay('d.decided_at')} AND d.outcome = 'valid') AS valid,
       (SELECT count(*)::int FROM dossiers d WHERE ${day} AND ${inDay('d.decided_at')} AND d.outcome = 'invalid') AS invalid,
       (SELECT count(*)::int FROM dossiers d WHERE ${day} AND d.listed_at < ($2::date + 1)::timestamptz
          AND (d.status = 'pending' OR d.decided_at >= ($2::date + 1)::timestamptz)) AS pending,
       (SELECT count(*)::int FROM expired_dossiers d WHERE ${day} AND ${inDay('d.expired_at')}) AS expired`,
    p,
  );
  // The verdict of a row, as contract/domain.ts verdictOf works it out.
  const verdict = `CASE WHEN d.outcome = 'invalid' THEN 'invalid'
      WHEN d.result IN ('code_not_found', 'details_updated', 'account_stopped') THEN d.result ELSE 'valid' END`;
  const officers = await ctx.db.query<{ reviewer: string } & Record<Verdict, number>>(
    `SELECT d.reviewer, ${VERDICTS.map((v) => `count(*) FILTER (WHERE ${verdict} = '${v}')::int AS ${v}`).join(', ')}
       FROM dossiers d WHERE ${day} AND ${inDay('d.decided_at')} AND d.outcome IS NOT NULL
      GROUP BY d.reviewer ORDER BY d.reviewer`,
    p,
  );
  const results = await ctx.db.query<{ result: string; n: number }>(
    `SELECT COALESCE(d.result, d.outcome) AS result, count(*)::int AS n FROM dossiers d WHERE ${day} AND ${inDay('d.decided_at')} GROUP BY 1`,
    p,
  );
  const list = await ctx.db.query(
    `SELECT d.id, d.dossier_number, d.received_at, d.declared_at, d.bhxh_code, d.full_name, d.address, d.contact_person,
            d.mobile, d.reviewer, d.decided_at, d.status, d.outcome, d.result, d.kind, d.version, d.agency_code
       FROM dossiers d WHERE ${day} AND ${inDay('d.decided_at')} ORDER BY d.decided_at LIMIT 2000`,
    p,
  );
  await writeAudit(ctx.db, ctx.now(), {
    actor: `${staff.agencyCode}/${staff.username}`,
    action: 'report.daily',
    details: { date, rows: list.rowCount },
  });
  const delivery = await deliveryLag(ctx.db, ctx.now(), staff.scope);
  const c = counts.rows[0]!;
  const dossiers: DossierSummary[] = list.rows.map(toSummary);
  return {
    agencyCode: staff.agencyCode,
    date,
    received: c.received,
    decidedValid: c.valid,
    decidedInvalid: c.invalid,
    expired: c.expired,
    pendingAtDayEnd: c.pending,
    perOfficer: officers.rows.map((o) => {
      const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, o[v]])) as Record<Verdict, number>;
      const total = VERDICTS.reduce((sum, v) => sum + o[v], 0);
      return {
        reviewer: o.reviewer ?? '',
        valid: total - o.invalid,
        invalid: o.invalid,
        total,
        verdicts,
      };
    }),
    perOutcome: Object.fromEntries(results.rows.map((r) => [r.result, r.n])),
    verdicts: Object.fromEntries(
      VERDICTS.map((v) => [v, officers.rows.reduce((sum, o) => sum + o[v], 0)]),
    ) as Record<Verdict, number>,
    dossiers,
    delivery,
  };
}
