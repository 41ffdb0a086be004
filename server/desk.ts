// The service's side of the mobile registration desk (bàn lưu động): the intake fields only a desk
// sends (its name, its own time of declaring, a BHXH code it may leave empty), the resolution of that
// code from the registry by ID number, and Tra cứu mã số BHXH, the registry search by ID number or by
// whole name and date of birth (exact matches only, at most 5, audited, rate-limited per officer).

import {
  checkIsoDate,
  checkRegistrySearch,
  cleanText,
  maskId,
  REGISTRY_SEARCH_MAX,
  type CodeResolution,
  type DeclarationRequest,
  type RegistryPerson,
  type RegistrySearch,
  type RegistrySearchQuery,
  type RegistrySearchResponse,
} from '../contract/index.js';
import { writeAudit } from './audit.js';
import type { Ctx, Staff } from './context.js';
import type { Queryable } from './db/database.js';
import { invalid } from './errors.js';
import { dateVn, isoVn, parseInstant } from './time.js';

/** A desk's clock may run ahead of the service's by this much (as for decisions' decidedAt). */
const CLOCK_SKEW_MS = 5 * 60_000;

export type IntakeSource = {
  submissionMethod: DeclarationRequest['submissionMethod'];
  deskName: string | null;
  /** the desk's time of declaring, ISO 8601; null: the service's own time of intake */
  declaredAt: string | null;
  /** the declared code, or null when a desk left it empty (resolved at intake) */
  bhxhCode: string | null;
};

// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/gu;
const DESK_NAME = /^[\p{L}\p{M}\p{N} ,./\-()'#&:+]+$/u;

/**
 * The rules of where a declaration comes from. From a mobile desk: `deskName` required (≤ 200
 * characters), `declaredAt` required, a real instant not more than 5 minutes ahead of the service's
 * clock and not older than `maxAgeDays`, and `bhxhCode` may be null or blank. From the post or the
 * counter: none of those (a desk's fields there are refused, not ignored). Refusals go into `fields`.
 */
export function checkIntakeSource(
  d: DeclarationRequest,
  now: Date,
  maxAgeDays: number,
  fields: Record<string, string>,
): IntakeSource {
  const desk = d.submissionMethod === 'mobile_desk';
  const blankCode = d.bhxhCode === null || (desk && d.bhxhCode.trim() === '');
  const source: IntakeSource = {
    submissionMethod: d.submissionMethod,
    deskName: null,
    declaredAt: null,
    bhxhCode: blankCode ? null : d.bhxhCode,
  };
  if (!desk) {
    if (d.bhxhCode === null)
      fields.bhxhCode =
        'Mã số BHXH là bắt buộc (chỉ hồ sơ kê khai tại bàn lưu động được để trống để hệ thống tra theo số giấy tờ).';
    if (d.deskName !== undefined && d.deskName !== null)
      fields.deskName = 'Tên bàn tiếp nhận lưu động chỉ gửi kèm hồ sơ kê khai tại bàn lưu động.';
    if (d.declaredAt !== undefined)
      fields.declaredAt = 'Thời điểm kê khai chỉ gửi kèm hồ sơ kê khai tại bàn lưu động.';
    return source;
  }
  const name = cleanText((d.deskName ?? '').replace(ZERO_WIDTH, ''));
  if (!name) fields.deskName = 'Tên bàn tiếp nhận lưu động là bắt buộc với hồ sơ kê khai tại bàn lưu động.';
  else if (name.length > 200) fields.deskName = 'Tên bàn tiếp nhận lưu động dài tối đa 200 ký tự.';
  else if (CONTROL.test(name) || !DESK_NAME.test(name))
    fields.deskName =
      'Tên bàn tiếp nhận lưu động chứa ký tự không được phép (như < > ; " hoặc ký tự điều khiển).';
  else source.deskName = name;
  if (d.declaredAt === undefined) {
    fields.declaredAt = 'Thời điểm kê khai tại bàn là bắt buộc với hồ sơ kê khai tại bàn lưu động.';
    return source;
  }
  const raw = d.declaredAt.trim();
  // parseInstant takes 2024-02-30 as 1 March (JavaScript's Date rolls over): the calendar day first.
  const at = checkIsoDate(raw.slice(0, 10)).ok ? parseInstant(raw) : null;
  if (!at || at.getUTCFullYear() < 2000)
    fields.declaredAt = 'Thời điểm kê khai phải là ngày giờ có thật, dạng ISO 8601 có múi giờ.';
  else if (at.getTime() > now.getTime() + CLOCK_SKEW_MS)
    fields.declaredAt =
      'Thời điểm kê khai ở tương lai so với đồng hồ của hệ thống: kiểm tra ngày giờ của máy tại bàn.';
  else if (at.getTime() < now.getTime() - maxAgeDays * 86400_000)
    fields.declaredAt = `Thời điểm kê khai đã quá ${maxAgeDays} ngày: kiểm tra ngày giờ của máy tại bàn, hoặc kê khai lại.`;
  else source.declaredAt = isoVn(at);
  return source;
}

/**
 * The BHXH code of the one registry person with this ID number, or null when no one or more than one
 * person has it (the registry's data then needs a look by a person, not a guess).
 */
export async function resolveCodeByIdNumber(
  q: Queryable,
  idNumber: string,
): Promise<{ bhxhCode: string | null; resolution: CodeResolution }> {
  const res = await q.query<{ bhxh_code: string }>(
    'SELECT bhxh_code FROM registry_persons WHERE id_number = $1 LIMIT 2',
    [idNumber],
  );
  if (res.rows.length === 1) return { bhxhCode: res.rows[0]!.bhxh_code, resolution: 'by_id_number' };
  return { bhxhCode: null, resolution: 'not_found' };
}

/** The registry search's query, checked (checkRegistrySearch): 422 naming each bad field. */
export function parseRegistrySearch(ctx: Ctx, query: RegistrySearchQuery): RegistrySearch {
  const checked = checkRegistrySearch(query, dateVn(ctx.now()));
  if (!checked.ok) throw invalid(checked.fields, 'Thông tin tra cứu mã số BHXH không hợp lệ.');
  return checked.value;
}

/**
 * GET /registry/persons?idNumber= | ?fullName=&dateOfBirth=: exact matches only, at most 5, ordered
 * by code. The name is compared by registry_name_key (migration 12) on both sides, through its index.
 * Audited: who looked, by which form, the masked ID number, and the masked codes found.
 * The caller has checked the role and the officer's rate limit.
 */
export async function searchRegistry(
  ctx: Ctx,
  staff: Staff,
  search: RegistrySearch,
): Promise<RegistrySearchResponse> {
  const now = ctx.now();
  type Row = { bhxh_code: string; full_name: string; date_of_birth: string; gender: 'Nam' | 'Nữ' };
  const columns = 'bhxh_code, full_name, date_of_birth, gender';
  const res =
    search.by === 'idNumber'
      ? await ctx.db.query<Row>(
          `SELECT ${columns} FROM registry_persons WHERE id_number = $1 ORDER BY bhxh_code LIMIT $2`,
          [search.idNumber, REGISTRY_SEARCH_MAX],
        )
      : await ctx.db.query<Row>(
          `SELECT ${columns} FROM registry_persons
            WHERE registry_name_key(full_name) = registry_name_key($1) AND date_of_birth = $2::date
            ORDER BY bhxh_code LIMIT $3`,
          [search.fullName, search.dateOfBirth, REGISTRY_SEARCH_MAX],
        );
  const items: RegistryPerson[] = res.rows.map((r) => ({
    bhxhCode: r.bhxh_code,
    fullName: r.full_name,
    dateOfBirth: r.date_of_birth,
    gender: r.gender,
  }));
  await writeAudit(ctx.db, now, {
    actor: `${staff.agencyCode}/${staff.username}`,
    action: 'registry.search',
    details: {
      by: search.by,
      ...(search.by === 'idNumber' ? { idNumber: maskId(search.idNumber) } : {}),
      results: items.length,
      found: items.map((p) => maskId(p.bhxhCode)),
    },
  });
  return { items };
}
