// The supervisor's sheets, made into print jobs: the agency's daily report (from the central
// service), this desk's end-of-day reconciliation (from its outbox) and blank Mẫu 01 forms for
// people who fill one in by hand. Every sheet holds only the agencies in the supervisor's scope (a
// desk shared with an officer of another agency keeps that officer's decisions in its outbox, but
// not on this agency's sheet), names officers by their display names and the desk by the name an
// administrator gave it. Used by the print handlers (handlers/print.ts).

import type { Agency, StaffUser } from '../../../contract/index.js';
import { checkIsoDate } from '../../../contract/identity.js';
import { verdictOf, VERDICTS, type Verdict } from '../../../contract/domain.js';
import type { OutboxItem } from '../../../contract/workstation.js';
import type {
  DailyReportJob,
  FormEdition,
  PrintJob,
  ReconciliationJob,
} from '../../../contract/workstationPrint.js';
import type { WorkstationContext } from '../context.js';
import { fail, WsFailure } from '../errors.js';
import { NetworkError, ServiceError } from '../sync/httpSyncClient.js';
import { shortDate, vnDay } from './format.js';
import type { PrintJobs } from './jobs.js';
import { renderBlankMau01 } from './mau01.js';
import { PrintError } from './pdf.js';
import { reconciliationItems, renderDailyReport, renderReconciliation } from './report.js';
import { loadTemplates, templateById, templateForDate } from './template.js';

/** A dossier number or a name as part of a file name: 00006.GD/2020/903 → 00006.GD-2020-903 */
export function fileSafe(text: string): string {
  return (
    text
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .replace(/đ/gu, 'd')
      .replace(/Đ/gu, 'D')
      .replace(/[^0-9A-Za-z.-]+/gu, '-')
      .replace(/-{2,}/gu, '-')
      .replace(/^-+|-+$/gu, '') || 'may-tram'
  );
}

export function agencyOf(ctx: WorkstationContext, code: string): Agency {
  return (
    ctx.store.agencies().find((a) => a.code === code) ?? {
      code,
      name: `Cơ quan BHXH ${code}`,
      parentCode: null,
      address: '',
      phone: '',
    }
  );
}

export function printFailure(err: unknown): never {
  if (err instanceof WsFailure) throw err;
  if (err instanceof PrintError) fail(err.code, err.message);
  fail('print_failed', 'Không tạo được tài liệu in: lỗi không mong đợi trên máy trạm. Thử lại.');
}

export function requireSupervisor(ctx: WorkstationContext): StaffUser {
  const user = ctx.session.requireUser();
  if (user.role === 'officer') {
    fail(
      'forbidden',
      'Chỉ lãnh đạo (vai trò supervisor) được xem và in báo cáo; tài khoản cán bộ tiếp nhận không có quyền này.',
    );
  }
  return user;
}

function checkedDay(raw: string, label: string): string {
  const checked = checkIsoDate(raw, label);
  if (!checked.ok) fail('validation_failed', checked.message, { fields: { date: checked.message } });
  return checked.value;
}

function reportDay(ctx: WorkstationContext, raw: string, label: string): string {
  const day = checkedDay(raw, label);
  if (day > vnDay(ctx.now().toISOString())) {
    const message = `${label} ${shortDate(day)} chưa tới: chọn hôm nay hoặc một ngày đã qua.`;
    fail('validation_failed', message, { fields: { date: message } });
  }
  return day;
}

/** The daily report of the central service, for supervisors (online only). */
export async function dailyReportJob(
  ctx: WorkstationContext,
  jobs: PrintJobs,
  input: { date: string },
): Promise<DailyReportJob> {
  const user = requireSupervisor(ctx);
  const date = reportDay(ctx, input.date, 'Ngày báo cáo');
  if (!ctx.session.hasServiceSession()) {
    fail(
      'offline',
      'Báo cáo ngày lấy từ hệ thống trung tâm: cần kết nối mạng và đăng nhập trực tuyến (không làm được khi ngoại tuyến).',
    );
  }
  let report;
  try {
    report = await ctx.client.dailyReport(date);
  } catch (err) {
    if (err instanceof ServiceError && err.status === 403) {
      fail('forbidden', `Hệ thống trung tâm không cho phép xem báo cáo ngày: ${err.message}`);
    }
    if (err instanceof ServiceError && err.status === 401) {
      fail('unauthorized', 'Phiên làm việc với hệ thống trung tâm đã hết hạn: đăng nhập lại.');
    }
    if (err instanceof ServiceError) fail(err.code, err.message);
    if (err instanceof NetworkError) {
      fail(
        'offline',
        'Không kết nối được hệ thống trung tâm để lấy báo cáo ngày: kiểm tra mạng rồi thử lại.',
      );
    }
    throw err;
  }
  // The service scopes the report; a row outside this supervisor's agencies never reaches the sheet.
  const scope = new Set(ctx.scope());
  report = { ...report, dossiers: report.dossiers.filter((d) => scope.has(d.agencyCode)) };
  try {
    const pdf = await renderDailyReport(report, agencyOf(ctx, user.agencyCode), {
      preparedBy: user.displayName,
      generatedAt: ctx.now().toISOString(),
    });
    ctx.store.audit('print.dailyReport', user.username, null, date);
    const job = jobs.keep(
      user.username,
      pdf,
      `Báo cáo ngày ${shortDate(date)}`,
      `BaoCaoNgay-${fileSafe(user.agencyCode)}-${date}.pdf`,
    );
    return { job, report };
  } catch (err) {
    return printFailure(err);
  }
}

/** Decisions the service confirmed, by Trạng thái (an issued account apart from a code not in HGD). */
function verdictCounts(items: readonly OutboxItem[]): Record<Verdict, number> {
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const i of items) {
    if (i.state !== 'synced') continue;
    const v = verdictOf({ outcome: i.outcome, result: i.result });
    if (v) counts[v] += 1;
  }
  return counts;
}

/** This desk's end-of-day reconciliation from the local outbox, for supervisors. */
export async function reconciliationJob(
  ctx: WorkstationContext,
  jobs: PrintJobs,
  input: { date: string },
): Promise<ReconciliationJob> {
  const user = requireSupervisor(ctx);
  const date = reportDay(ctx, input.date, 'Ngày đối chiếu');
  const scope = new Set(ctx.scope());
  // The dossier's agency decides; a dossier gone from the store (expired) counts by the officer's.
  const all = ctx.store
    .outboxItems(50_000)
    .filter((i: OutboxItem) => scope.has(i.dossierAgencyCode ?? i.agencyCode));
  const items = reconciliationItems(all, date);
  const bucket = (states: readonly OutboxItem['state'][]): number =>
    items.filter((i) => states.includes(i.state)).length;
  const counts: ReconciliationJob['counts'] = {
    decidedToday: items.filter((i) => vnDay(i.createdAt) === date).length,
    confirmed: bucket(['synced']),
    waiting: bucket(['queued']),
    failed: bucket(['conflict', 'expired', 'failed']),
    dismissed: bucket(['dismissed']),
    verdicts: verdictCounts(items),
  };
  const officers = [...new Set(items.map((i) => i.officerName))];
  const workstationName = ctx.workstationName();
  try {
    const pdf = await renderReconciliation({
      agency: agencyOf(ctx, user.agencyCode),
      date,
      workstationName,
      officer: officers.length > 0 ? officers.join(', ') : user.displayName,
      items: all,
      generatedAt: ctx.now().toISOString(),
    });
    ctx.store.audit('print.reconciliation', user.username, null, date);
    const job = jobs.keep(
      user.username,
      pdf,
      `Đối chiếu cuối ngày ${shortDate(date)} - ${workstationName}`,
      `DoiChieu-${fileSafe(workstationName)}-${date}.pdf`,
    );
    return { job, items, counts, workstationName };
  } catch (err) {
    return printFailure(err);
  }
}

/** The editions of Mẫu 01 the workstation can print, oldest first, the one in force today marked. */
export function formEditions(ctx: WorkstationContext): FormEdition[] {
  ctx.session.requireUser();
  const current = templateForDate(vnDay(ctx.now().toISOString())).id;
  return loadTemplates().map((t) => ({
    id: t.id,
    edition: t.edition,
    validFrom: t.validFrom,
    validTo: t.validTo,
    legalBasis: t.legalBasis,
    current: t.id === current,
  }));
}

/**
 * Blank Mẫu 01 forms for people to fill in by hand: the edition in force today, or the one chosen by
 * id or by a date it was in force, `copies` of it in one job (each copy from a new page).
 */
export async function blankFormsJob(
  ctx: WorkstationContext,
  jobs: PrintJobs,
  input: { templateId?: string; date?: string; copies: number },
): Promise<PrintJob> {
  const user = requireSupervisor(ctx);
  let template;
  try {
    template = input.templateId
      ? templateById(input.templateId)
      : templateForDate(
          input.date ? checkedDay(input.date, 'Ngày áp dụng mẫu') : vnDay(ctx.now().toISOString()),
        );
  } catch (err) {
    if (err instanceof WsFailure) throw err;
    return fail('validation_failed', 'Không có mẫu Mẫu 01 đã chọn: chọn lại phiên bản mẫu.', {
      fields: { templateId: 'Chọn một phiên bản mẫu có trong danh sách.' },
    });
  }
  try {
    const pdf = await renderBlankMau01(template, input.copies);
    ctx.store.audit('print.blank', user.username, null, `${template.id} × ${input.copies}`);
    return jobs.keep(
      user.username,
      pdf,
      `Mẫu 01 để trống (${template.edition}) - ${input.copies} bản`,
      `Mau01-trang-${template.id}-${input.copies}-ban.pdf`,
      input.copies,
    );
  } catch (err) {
    return printFailure(err);
  }
}
