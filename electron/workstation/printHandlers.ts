// Printing handlers of the workstation API (issue 4 item 5). See contract/workstationPrint.ts.
// Documents are rendered by the pure renderers of ./print from what the workstation holds (the local
// store's dossiers, cached photos, agencies and reasons, the desk's outbox); only the daily report comes
// from the central service. Each result is a print job kept in memory — personal data is never written
// to disk unencrypted — and dropped when printed and discarded, after JOB_TTL_MS, when the officer
// signs out, or when the workstation closes.

import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Agency, Dossier } from '../../contract/index.js';
import { checkIsoDate } from '../../contract/identity.js';
import type { Handlers, OutboxItem, WsError } from '../../contract/workstation.js';
import type { PrintInputs, PrintJob, ReconciliationJob } from '../../contract/workstationPrint.js';
import type { WorkstationContext } from './context.js';
import { fail, WsFailure } from './errors.js';
import {
  PrintError,
  reconciliationItems,
  renderDailyReport,
  renderDecisionNotice,
  renderMau01,
  renderMau01Batch,
  renderReconciliation,
  templateForDate,
  type BatchItem,
  type FormTemplate,
} from './print/index.js';
import { shortDate, vnDay } from './print/format.js';
import { NetworkError, ServiceError } from './sync/httpSyncClient.js';

/** What the Electron shell lends printing (the system print dialog, a save dialog); absent over HTTP. */
export type PrintOptions = {
  /** Show the system print dialog for this PDF; false when the officer closed it without printing. */
  printPdf?: (pdf: Buffer, title: string) => Promise<boolean>;
  /** Ask where to save (a save dialog) and write the file; the path, or null when cancelled. */
  savePdf?: (pdf: Buffer, suggestedName: string) => Promise<string | null>;
  /** How long a finished job stays in memory (ms). */
  jobTtlMs?: number;
};

export type PrintMethod = keyof typeof PrintInputs;

const JOB_TTL_MS = 15 * 60_000;
/** Finished jobs kept per workstation; the oldest goes first. */
const MAX_JOBS = 20;
const PRINTABLE_PHOTO = new Set(['image/jpeg', 'image/png']);

type Entry = {
  owner: string;
  job: PrintJob;
  /** null while a batch is being made, or after it failed. */
  pdf: Buffer | null;
  expiresAt: number;
  /** A running batch: its abort switch and its end. */
  batch: { controller: AbortController; done: Promise<PrintJob> } | null;
  /** Why a batch ended without a document (kept for print.batchWait, then dropped). */
  error: WsError | null;
};

/** Pages of a PDF made by pdfkit: its page objects are never compressed. */
export function pageCount(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/gu)?.length ?? 0;
}

/** A dossier number as part of a file name: 00006.GD/2020/903 → 00006.GD-2020-903 */
function fileSafe(text: string): string {
  return text.replace(/[^0-9A-Za-z.-]+/gu, '-');
}

export function createPrintHandlers(
  ctx: WorkstationContext,
  options: PrintOptions = {},
): Pick<Handlers, PrintMethod> {
  const { store, client, session } = ctx;
  const jobs = new Map<string, Entry>();
  const ttl = options.jobTtlMs ?? JOB_TTL_MS;
  const delivery: PrintJob['delivery'] = options.printPdf && options.savePdf ? 'shell' : 'renderer';

  function drop(jobId: string): void {
    const entry = jobs.get(jobId);
    if (!entry) return;
    entry.batch?.controller.abort();
    entry.pdf = null;
    jobs.delete(jobId);
  }

  function sweep(): void {
    const nowMs = ctx.now().getTime();
    for (const [id, e] of jobs) if (!e.batch && e.expiresAt <= nowMs) drop(id);
    const finished = [...jobs].filter(([, e]) => !e.batch);
    for (const [id] of finished.slice(0, Math.max(0, finished.length - MAX_JOBS))) drop(id);
  }
  const sweeper = setInterval(sweep, 60_000);
  sweeper.unref();
  // Another officer at the desk (or nobody) must not find the previous one's documents.
  session.onChange((s) => {
    for (const [id, e] of jobs) if (!s || s.user.username !== e.owner) drop(id);
  });
  ctx.onClose(() => {
    clearInterval(sweeper);
    for (const id of [...jobs.keys()]) drop(id);
  });

  function keep(owner: string, pdf: Buffer, title: string, fileName: string, forms = 1): PrintJob {
    sweep();
    const job: PrintJob = {
      jobId: randomUUID(),
      title,
      fileName,
      pages: pageCount(pdf),
      size: pdf.length,
      forms,
      delivery,
    };
    jobs.set(job.jobId, {
      owner,
      job,
      pdf,
      expiresAt: ctx.now().getTime() + ttl,
      batch: null,
      error: null,
    });
    return job;
  }

  function entryOf(jobId: string): Entry {
    const user = session.requireUser();
    const entry = jobs.get(jobId);
    if (!entry || entry.owner !== user.username) {
      fail('not_found', 'Không còn tài liệu in này (đã in xong, đã huỷ hoặc đã quá 15 phút): tạo lại.');
    }
    return entry;
  }

  function finished(jobId: string): { entry: Entry; pdf: Buffer } {
    const entry = entryOf(jobId);
    if (entry.error) fail(entry.error.code, entry.error.message);
    if (!entry.pdf) fail('busy', 'Tài liệu đang được tạo: chờ thanh tiến độ chạy hết.');
    entry.expiresAt = ctx.now().getTime() + ttl;
    return { entry, pdf: entry.pdf };
  }

  function localDossier(id: string): Dossier {
    try {
      return ctx.dossierInScope(id);
    } catch (err) {
      if (err instanceof WsFailure && err.error.code === 'not_found') {
        fail(
          'not_found',
          'Không tìm thấy hồ sơ trên máy trạm (hồ sơ không có, thuộc cơ quan khác, hoặc đã quá hạn và bị xoá khi đồng bộ).',
        );
      }
      throw err;
    }
  }

  function agencyOf(code: string): Agency {
    return (
      store.agencies().find((a) => a.code === code) ?? {
        code,
        name: `Cơ quan BHXH ${code}`,
        parentCode: null,
        address: '',
        phone: '',
      }
    );
  }

  function templateOf(dossier: Dossier): FormTemplate {
    // The edition in force on the day the dossier was declared.
    return templateForDate(vnDay(dossier.declaredAt) || vnDay(ctx.now().toISOString()));
  }

  /** The personal photo from the local attachment cache; `fetch` also asks the service when online. */
  async function photoOf(dossier: Dossier, fetch: boolean): Promise<Buffer | null> {
    const ref = dossier.attachments.find((a) => a.role === 'photo' && PRINTABLE_PHOTO.has(a.mediaType));
    if (!ref) return null;
    const cached = store.attachment(ref.id);
    if (cached) return PRINTABLE_PHOTO.has(cached.mediaType) ? cached.content : null;
    if (!fetch || !session.hasServiceSession() || !ctx.engine.isOnline()) return null;
    try {
      const a = await client.attachment(ref.id);
      store.saveAttachment({ id: ref.id, dossierId: dossier.id, role: 'photo', ...a });
      return PRINTABLE_PHOTO.has(a.mediaType) ? a.content : null;
    } catch {
      return null; // offline or gone: the form prints with an empty photo box
    }
  }

  function requireSupervisor() {
    const user = session.requireUser();
    if (user.role === 'officer') {
      fail(
        'forbidden',
        'Chỉ lãnh đạo (vai trò supervisor) được xem và in báo cáo; tài khoản cán bộ tiếp nhận không có quyền này.',
      );
    }
    return user;
  }

  function reportDay(raw: string, label: string): string {
    const checked = checkIsoDate(raw, label);
    if (!checked.ok) fail('validation_failed', checked.message, { fields: { date: checked.message } });
    if (checked.value > vnDay(ctx.now().toISOString())) {
      const message = `${label} ${shortDate(checked.value)} chưa tới: chọn hôm nay hoặc một ngày đã qua.`;
      fail('validation_failed', message, { fields: { date: message } });
    }
    return checked.value;
  }

  function printFailure(err: unknown): never {
    if (err instanceof WsFailure) throw err;
    if (err instanceof PrintError) fail(err.code, err.message);
    fail('print_failed', 'Không tạo được tài liệu in: lỗi không mong đợi trên máy trạm. Thử lại.');
  }

  /** A queued (or refused) decision is not the service's result: no notice until it is confirmed. */
  function requireConfirmedResult(dossier: Dossier): void {
    const latest = store.latestDecision(dossier.id);
    if (latest && (latest.state === 'queued' || latest.state === 'failed')) {
      fail(
        'not_synced',
        `Đánh giá hồ sơ ${dossier.dossierNumber} chưa được hệ thống trung tâm xác nhận: in thông báo sau khi đồng bộ xong.`,
      );
    }
  }

  let running: string | null = null;

  return {
    async 'print.document'(input) {
      const user = session.requireUser();
      const dossier = localDossier(input.dossierId);
      const agency = agencyOf(dossier.agencyCode);
      const number = dossier.dossierNumber;
      try {
        if (input.document === 'mau01') {
          const pdf = await renderMau01(dossier, agency, templateOf(dossier), {
            photo: await photoOf(dossier, true),
          });
          store.audit('print.mau01', user.username, dossier.id);
          return keep(user.username, pdf, `Mẫu 01 - hồ sơ ${number}`, `Mau01-${fileSafe(number)}.pdf`);
        }
        requireConfirmedResult(dossier);
        const pdf = await renderDecisionNotice(dossier, agency, undefined, {
          reasons: store.reasons(user.agencyCode),
        });
        store.audit('print.notice', user.username, dossier.id);
        return keep(
          user.username,
          pdf,
          `Thông báo kết quả - hồ sơ ${number}`,
          `ThongBao-${fileSafe(number)}.pdf`,
        );
      } catch (err) {
        return printFailure(err);
      }
    },

    async 'print.batchStart'(input) {
      const user = session.requireUser();
      const ids = [...new Set(input.dossierIds)];
      const missing = ids.filter((id) => {
        const d = store.getDossier(id);
        return !d || !ctx.scope().includes(d.agencyCode);
      });
      if (missing.length > 0) {
        fail(
          'not_found',
          `Không tìm thấy ${missing.length} trong ${ids.length} hồ sơ đã chọn trên máy trạm (có thể đã bị xoá khi đồng bộ): chọn lại rồi in.`,
        );
      }
      if (running && jobs.get(running)?.batch) {
        fail('busy', 'Đang in một lô hồ sơ khác: chờ lô đó xong hoặc huỷ trước khi in lô mới.');
      }
      const jobId = randomUUID();
      const total = ids.length;
      const controller = new AbortController();
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          chunks.push(chunk);
          callback();
        },
      });
      // Dossiers are read one by one while printing: a long selection never sits in memory twice.
      function* items(): Generator<BatchItem> {
        for (const id of ids) {
          const dossier = store.getDossier(id);
          if (!dossier) continue; // removed by a sync meanwhile
          const ref = dossier.attachments.find((a) => a.role === 'photo' && PRINTABLE_PHOTO.has(a.mediaType));
          const cached = ref ? store.attachment(ref.id) : null;
          yield {
            dossier,
            agency: agencyOf(dossier.agencyCode),
            photo: cached && PRINTABLE_PHOTO.has(cached.mediaType) ? cached.content : null,
            template: templateOf(dossier),
          };
        }
      }
      const entry: Entry = {
        owner: user.username,
        job: {
          jobId,
          title: `Mẫu 01 - ${total} hồ sơ`,
          fileName: `Mau01-${total}-ho-so-${vnDay(ctx.now().toISOString())}.pdf`,
          pages: 0,
          size: 0,
          forms: 0,
          delivery,
        },
        pdf: null,
        expiresAt: Number.POSITIVE_INFINITY,
        batch: null,
        error: null,
      };
      const done = (async (): Promise<PrintJob> => {
        try {
          const result = await renderMau01Batch(items(), sink, {
            total,
            signal: controller.signal,
            onProgress: (n) => ctx.emit({ type: 'print.progress', jobId, done: n, total }),
          });
          const pdf = Buffer.concat(chunks);
          chunks.length = 0;
          entry.pdf = pdf;
          entry.job = { ...entry.job, pages: pageCount(pdf), size: pdf.length, forms: result.forms };
          store.audit('print.batch', user.username, null, `${result.forms} tờ khai`);
          return entry.job;
        } catch (err) {
          chunks.length = 0;
          sink.destroy();
          entry.error =
            err instanceof PrintError
              ? { code: err.code, message: err.message }
              : {
                  code: 'print_failed',
                  message: 'Không tạo được tệp in các hồ sơ: lỗi không mong đợi trên máy trạm. Thử lại.',
                };
          throw new WsFailure(entry.error);
        } finally {
          entry.batch = null;
          entry.expiresAt = ctx.now().getTime() + ttl;
          if (running === jobId) running = null;
        }
      })();
      done.catch(() => undefined); // observed through print.batchWait
      entry.batch = { controller, done };
      jobs.set(jobId, entry);
      running = jobId;
      return { jobId, total };
    },

    async 'print.batchWait'(input) {
      const entry = entryOf(input.jobId);
      if (entry.batch) {
        try {
          return await entry.batch.done;
        } catch (err) {
          drop(input.jobId); // a cancelled or failed batch leaves nothing behind
          throw err;
        }
      }
      if (entry.error) {
        drop(input.jobId);
        fail(entry.error.code, entry.error.message);
      }
      return entry.job;
    },

    async 'print.cancel'(input) {
      const entry = entryOf(input.jobId);
      entry.batch?.controller.abort();
      return null;
    },

    async 'print.dailyReport'(input) {
      const user = requireSupervisor();
      const date = reportDay(input.date, 'Ngày báo cáo');
      if (!session.hasServiceSession()) {
        fail(
          'offline',
          'Báo cáo ngày lấy từ hệ thống trung tâm: cần kết nối mạng và đăng nhập trực tuyến (không làm được khi ngoại tuyến).',
        );
      }
      let report;
      try {
        report = await client.dailyReport(date);
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
      const agency = agencyOf(user.agencyCode);
      try {
        const pdf = await renderDailyReport(report, agency, {
          preparedBy: user.displayName,
          generatedAt: ctx.now().toISOString(),
        });
        store.audit('print.dailyReport', user.username, null, date);
        const job = keep(
          user.username,
          pdf,
          `Báo cáo ngày ${shortDate(date)}`,
          `BaoCaoNgay-${fileSafe(user.agencyCode)}-${date}.pdf`,
        );
        return { job, report };
      } catch (err) {
        return printFailure(err);
      }
    },

    async 'print.reconciliation'(input) {
      const user = requireSupervisor();
      const date = reportDay(input.date, 'Ngày đối chiếu');
      const all: OutboxItem[] = store.outboxItems(50_000);
      const items = reconciliationItems(all, date);
      const bucket = (states: readonly OutboxItem['state'][]): number =>
        items.filter((i) => states.includes(i.state)).length;
      const counts: ReconciliationJob['counts'] = {
        decidedToday: items.filter((i) => vnDay(i.createdAt) === date).length,
        confirmed: bucket(['synced']),
        waiting: bucket(['queued']),
        failed: bucket(['conflict', 'expired', 'failed']),
        dismissed: bucket(['dismissed']),
      };
      const officers = [...new Set(items.map((i) => i.username))];
      try {
        const pdf = await renderReconciliation({
          agency: agencyOf(user.agencyCode),
          date,
          deviceId: ctx.deviceId,
          officer: officers.length > 0 ? officers.join(', ') : user.displayName,
          items: all,
          generatedAt: ctx.now().toISOString(),
        });
        store.audit('print.reconciliation', user.username, null, date);
        const job = keep(
          user.username,
          pdf,
          `Đối chiếu cuối ngày ${shortDate(date)}`,
          `DoiChieu-${fileSafe(ctx.deviceId)}-${date}.pdf`,
        );
        return { job, items, counts };
      } catch (err) {
        return printFailure(err);
      }
    },

    async 'print.system'(input) {
      const { entry, pdf } = finished(input.jobId);
      if (!options.printPdf) {
        fail(
          'unsupported',
          'Hộp thoại in của hệ thống chỉ có trong ứng dụng máy trạm; trên trình duyệt, trang tự mở hộp thoại in.',
        );
      }
      try {
        return { printed: await options.printPdf(pdf, entry.job.title) };
      } catch {
        return fail(
          'print_failed',
          'Không in được: máy in hoặc hộp thoại in báo lỗi. Kiểm tra máy in rồi thử lại.',
        );
      }
    },

    async 'print.save'(input) {
      const { entry, pdf } = finished(input.jobId);
      if (!options.savePdf) {
        fail(
          'unsupported',
          'Hộp thoại lưu tệp chỉ có trong ứng dụng máy trạm; trên trình duyệt, tệp được tải xuống.',
        );
      }
      try {
        return { savedTo: await options.savePdf(pdf, entry.job.fileName) };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        const why =
          code === 'ENOSPC'
            ? 'ổ đĩa đã đầy'
            : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
              ? 'không có quyền ghi vào thư mục đã chọn'
              : 'lỗi khi ghi tệp';
        return fail('save_failed', `Không lưu được tệp PDF: ${why}.`);
      }
    },

    async 'print.data'(input) {
      const { entry, pdf } = finished(input.jobId);
      return {
        fileName: entry.job.fileName,
        dataUrl: `data:application/pdf;base64,${pdf.toString('base64')}`,
      };
    },

    async 'print.discard'(input) {
      entryOf(input.jobId);
      drop(input.jobId);
      return null;
    },
  };
}
