// The agency's standard rejection reasons (API.md GET/PUT /reasons), each with the short text its SMS
// carries. An agency without its own list uses its parent's, then the national default below.

import type { RejectionReason } from '../contract/index.js';
import { BUS_CHANNEL } from './bus.js';
import type { Ctx } from './context.js';
import type { Database, Queryable } from './db/database.js';

export const DEFAULT_REASONS: readonly RejectionReason[] = [
  {
    code: 'R01',
    text: 'Thông tin trên tờ khai không khớp với giấy tờ tuỳ thân',
    smsText: 'Thong tin to khai khong khop giay to tuy than',
  },
  {
    code: 'R02',
    text: 'Ảnh chân dung hoặc ảnh giấy tờ không rõ, không đúng quy định',
    smsText: 'Anh chan dung/giay to khong ro',
  },
  {
    code: 'R03',
    text: 'Số điện thoại di động không thuộc người đăng ký',
    smsText: 'So dien thoai khong chinh chu',
  },
  { code: 'R04', text: 'Quá hạn nộp tờ khai bản giấy (10 ngày)', smsText: 'Qua han nop to khai ban giay' },
  { code: 'R05', text: 'Tờ khai chưa có chữ ký của người đăng ký', smsText: 'To khai chua co chu ky' },
  { code: 'R06', text: 'Mã số BHXH không đúng với người đăng ký', smsText: 'Ma so BHXH khong dung' },
];

/**
 * Lists read in the last few seconds, per database and agency: a rejection need not pay a round trip
 * for a list that changes a few times a year. PUT /reasons clears them here and, through the bus, on
 * every other instance before it answers.
 */
const recent = new WeakMap<Database, Map<string, { reasons: RejectionReason[]; until: number }>>();
const REASONS_TTL_MS = 5_000;

export async function reasonsFor(q: Queryable, ctx: Ctx, agencyCode: string): Promise<RejectionReason[]> {
  let cache = recent.get(ctx.db);
  if (!cache) recent.set(ctx.db, (cache = new Map()));
  const hit = cache.get(agencyCode);
  if (hit && hit.until > Date.now()) return hit.reasons.map((r) => ({ ...r }));
  const reasons = await readReasons(q, ctx, agencyCode);
  cache.set(agencyCode, { reasons, until: Date.now() + REASONS_TTL_MS });
  return reasons.map((r) => ({ ...r }));
}

async function readReasons(q: Queryable, ctx: Ctx, agencyCode: string): Promise<RejectionReason[]> {
  for (const code of ctx.agencies.ancestry(agencyCode)) {
    const res = await q.query<{ code: string; text: string; sms_text: string }>(
      'SELECT code, text, sms_text FROM rejection_reasons WHERE agency_code = $1 ORDER BY position',
      [code],
      { prepare: true },
    );
    if (res.rows.length > 0)
      return res.rows.map((r) => ({ code: r.code, text: r.text, smsText: r.sms_text }));
  }
  return DEFAULT_REASONS.map((r) => ({ ...r }));
}

export async function replaceReasons(
  ctx: Ctx,
  agencyCode: string,
  reasons: readonly RejectionReason[],
): Promise<void> {
  const message = ctx.bus.prepare({ kind: 'reasons' });
  const listed = await ctx.db.transaction(async (tx) => {
    await tx.query('DELETE FROM rejection_reasons WHERE agency_code = $1', [agencyCode]);
    let position = 0;
    for (const r of reasons) {
      await tx.query(
        'INSERT INTO rejection_reasons (agency_code, code, text, sms_text, position) VALUES ($1, $2, $3, $4, $5)',
        [agencyCode, r.code, r.text, r.smsText, position++],
      );
    }
    await tx.query('SELECT pg_notify($1, $2)', [BUS_CHANNEL, message.payload]);
    return (await tx.query<{ listed: string[] }>(message.listenersSql)).rows[0]?.listed ?? [];
  });
  // Every agency below may inherit this list.
  forgetReasons(ctx.db);
  await message.confirmed(listed);
}

/** Drops the kept lists (a change here or on another instance). */
export function forgetReasons(db: Database): void {
  recent.get(db)?.clear();
}
