// The printing methods of the workstation API (contract/workstationPrint.ts). Documents are rendered by
// the pure renderers of ../print from what the workstation holds (the local store's dossiers, cached
// photos, agencies and reasons, the desk's outbox); only the daily report comes from the central
// service. The supervisor's sheets (reports, reconciliation, blank forms) are in ../print/sheets.ts.
// Each result is a print job kept in memory (../print/jobs.ts), never on disk.

import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Dossier } from '../../../contract/index.js';
import type { Handlers } from '../../../contract/workstation.js';
import type { PrintInputs, PrintJob } from '../../../contract/workstationPrint.js';
import type { WorkstationContext } from '../context.js';
import { fail, WsFailure } from '../errors.js';
import {
  PrintError,
  renderDecisionNotice,
  renderMau01,
  renderMau01Batch,
  templateForDate,
  type BatchItem,
  type FormTemplate,
} from '../print/index.js';
import { vnDay } from '../print/format.js';
import { pageCount, type JobEntry, type PrintJobs } from '../print/jobs.js';
import {
  agencyOf,
  blankFormsJob,
  dailyReportJob,
  fileSafe,
  formEditions,
  printFailure,
  reconciliationJob,
} from '../print/sheets.js';

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

/** How long a finished job stays in memory by default. */
export const PRINT_JOB_TTL_MS = 15 * 60_000;
const PRINTABLE_PHOTO = new Set(['image/jpeg', 'image/png']);

/** What the printing methods share: the context, the jobs, the shell's dialogs, the running batch. */
type Printing = {
  ctx: WorkstationContext;
  jobs: PrintJobs;
  options: PrintOptions;
  running: string | null;
};

function owner(p: Printing): string {
  return p.ctx.session.requireUser().username;
}

function localDossier(ctx: WorkstationContext, id: string): Dossier {
  try {
    return ctx.dossierInScope(id);
  } catch (err) {
    if (err instanceof WsFailure && err.error.code === 'not_found') {
      fail(
        'not_found',
        'Không tìm thấy hồ sơ trên máy trạm (hồ sơ không có, thuộc cơ quan khác, hoặc đã quá hạn và bị xóa khi đồng bộ).',
      );
    }
    throw err;
  }
}

/** The edition of Mẫu 01 in force on the day the dossier was declared. */
function templateOf(ctx: WorkstationContext, dossier: Dossier): FormTemplate {
  return templateForDate(vnDay(dossier.declaredAt) || vnDay(ctx.now().toISOString()));
}

/** The personal photo from the local attachment cache; `fetch` also asks the service when online. */
async function photoOf(ctx: WorkstationContext, dossier: Dossier, fetch: boolean): Promise<Buffer | null> {
  const ref = dossier.attachments.find((a) => a.role === 'photo' && PRINTABLE_PHOTO.has(a.mediaType));
  if (!ref) return null;
  const cached = ctx.store.attachment(ref.id);
  if (cached) return PRINTABLE_PHOTO.has(cached.mediaType) ? cached.content : null;
  if (!fetch || !ctx.session.hasServiceSession() || !ctx.engine.isOnline()) return null;
  try {
    const a = await ctx.client.attachment(ref.id);
    ctx.store.saveAttachment({ id: ref.id, dossierId: dossier.id, role: 'photo', ...a });
    return PRINTABLE_PHOTO.has(a.mediaType) ? a.content : null;
  } catch (err) {
    ctx.log.info({ err, attachment: ref.id }, 'photo not fetched: the form prints with an empty photo box');
    return null;
  }
}

/** A queued (or refused) decision is not the service's result: no notice until it is confirmed. */
function requireConfirmedResult(ctx: WorkstationContext, dossier: Dossier): void {
  const latest = ctx.store.latestDecision(dossier.id);
  if (latest && (latest.state === 'queued' || latest.state === 'failed')) {
    fail(
      'not_synced',
      `Đánh giá hồ sơ ${dossier.dossierNumber} chưa được hệ thống trung tâm xác nhận: in thông báo sau khi đồng bộ xong.`,
    );
  }
}

async function printDocument(p: Printing, input: { dossierId: string; document: 'mau01' | 'notice' }) {
  const { ctx, jobs } = p;
  const user = ctx.session.requireUser();
  const dossier = localDossier(ctx, input.dossierId);
  const agency = agencyOf(ctx, dossier.agencyCode);
  const number = dossier.dossierNumber;
  try {
    if (input.document === 'mau01') {
      const pdf = await renderMau01(dossier, agency, templateOf(ctx, dossier), {
        photo: await photoOf(ctx, dossier, true),
      });
      ctx.store.audit('print.mau01', user.username, dossier.id);
      return jobs.keep(user.username, pdf, `Mẫu 01 - hồ sơ ${number}`, `Mau01-${fileSafe(number)}.pdf`);
    }
    requireConfirmedResult(ctx, dossier);
    const pdf = await renderDecisionNotice(dossier, agency, undefined, {
      reasons: ctx.store.reasons(user.agencyCode),
    });
    ctx.store.audit('print.notice', user.username, dossier.id);
    return jobs.keep(
      user.username,
      pdf,
      `Thông báo kết quả - hồ sơ ${number}`,
      `ThongBao-${fileSafe(number)}.pdf`,
    );
  } catch (err) {
    return printFailure(err);
  }
}

/** The forms of a batch, read one by one while printing: a long selection never sits in memory twice. */
function* batchItems(ctx: WorkstationContext, ids: readonly string[]): Generator<BatchItem> {
  for (const id of ids) {
    const dossier = ctx.store.getDossier(id);
    if (!dossier) continue; // removed by a sync meanwhile
    const ref = dossier.attachments.find((a) => a.role === 'photo' && PRINTABLE_PHOTO.has(a.mediaType));
    const cached = ref ? ctx.store.attachment(ref.id) : null;
    yield {
      dossier,
      agency: agencyOf(ctx, dossier.agencyCode),
      photo: cached && PRINTABLE_PHOTO.has(cached.mediaType) ? cached.content : null,
      template: templateOf(ctx, dossier),
    };
  }
}

/** Renders a batch into memory in the background; its end (job or failure) is `entry.batch.done`. */
async function renderBatch(p: Printing, entry: JobEntry, ids: readonly string[], signal: AbortSignal) {
  const { ctx } = p;
  const jobId = entry.job.jobId;
  const total = ids.length;
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  try {
    const result = await renderMau01Batch(batchItems(ctx, ids), sink, {
      total,
      signal,
      onProgress: (n) => ctx.emit({ type: 'print.progress', jobId, done: n, total }),
    });
    const pdf = Buffer.concat(chunks);
    chunks.length = 0;
    entry.pdf = pdf;
    entry.job = { ...entry.job, pages: pageCount(pdf), size: pdf.length, forms: result.forms };
    ctx.store.audit('print.batch', entry.owner, null, `${result.forms} tờ khai`);
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
    p.jobs.batchEnded(entry);
    if (p.running === jobId) p.running = null;
  }
}

function batchStart(p: Printing, input: { dossierIds: string[] }) {
  const { ctx } = p;
  const user = ctx.session.requireUser();
  const ids = [...new Set(input.dossierIds)];
  const missing = ids.filter((id) => !ctx.inScope(ctx.store.getDossier(id)));
  if (missing.length > 0) {
    fail(
      'not_found',
      `Không tìm thấy ${missing.length} trong ${ids.length} hồ sơ đã chọn trên máy trạm (có thể đã bị xóa khi đồng bộ): chọn lại rồi in.`,
    );
  }
  if (p.jobs.batchRunning(p.running)) {
    fail('busy', 'Đang in một lô hồ sơ khác: chờ lô đó xong hoặc huỷ trước khi in lô mới.');
  }
  const jobId = randomUUID();
  const total = ids.length;
  const controller = new AbortController();
  const entry: JobEntry = {
    owner: user.username,
    job: {
      jobId,
      title: `Mẫu 01 - ${total} hồ sơ`,
      fileName: `Mau01-${total}-ho-so-${vnDay(ctx.now().toISOString())}.pdf`,
      pages: 0,
      size: 0,
      forms: 0,
      delivery: p.jobs.delivery,
    },
    pdf: null,
    expiresAt: Number.POSITIVE_INFINITY,
    batch: null,
    error: null,
  };
  const done = renderBatch(p, entry, ids, controller.signal);
  done.catch(() => undefined); // observed through print.batchWait
  entry.batch = { controller, done };
  p.jobs.addBatch(entry);
  p.running = jobId;
  return { jobId, total };
}

async function batchWait(p: Printing, jobId: string): Promise<PrintJob> {
  const entry = p.jobs.entryOf(jobId, owner(p));
  if (entry.batch) {
    try {
      return await entry.batch.done;
    } catch (err) {
      p.jobs.drop(jobId); // a cancelled or failed batch leaves nothing behind
      throw err;
    }
  }
  if (entry.error) {
    p.jobs.drop(jobId);
    fail(entry.error.code, entry.error.message);
  }
  return entry.job;
}

async function printSystem(p: Printing, jobId: string) {
  const { entry, pdf } = p.jobs.finished(jobId, owner(p));
  if (!p.options.printPdf) {
    fail(
      'unsupported',
      'Hộp thoại in của hệ thống chỉ có trong ứng dụng máy trạm; trên trình duyệt, trang tự mở hộp thoại in.',
    );
  }
  try {
    return { printed: await p.options.printPdf(pdf, entry.job.title) };
  } catch (err) {
    p.ctx.log.error({ err }, 'system print failed');
    return fail(
      'print_failed',
      'Không in được: máy in hoặc hộp thoại in báo lỗi. Kiểm tra máy in rồi thử lại.',
    );
  }
}

async function printSave(p: Printing, jobId: string) {
  const { entry, pdf } = p.jobs.finished(jobId, owner(p));
  if (!p.options.savePdf) {
    fail(
      'unsupported',
      'Hộp thoại lưu tệp chỉ có trong ứng dụng máy trạm; trên trình duyệt, tệp được tải xuống.',
    );
  }
  try {
    return { savedTo: await p.options.savePdf(pdf, entry.job.fileName) };
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
}

export function createPrintHandlers(
  ctx: WorkstationContext,
  options: PrintOptions = {},
): Pick<Handlers, PrintMethod> {
  const p: Printing = { ctx, jobs: ctx.printJobs, options, running: null };
  return {
    'print.document': (input) => printDocument(p, input),
    'print.batchStart': async (input) => batchStart(p, input),
    'print.batchWait': (input) => batchWait(p, input.jobId),
    async 'print.cancel'(input) {
      p.jobs.entryOf(input.jobId, owner(p)).batch?.controller.abort();
      return null;
    },
    'print.dailyReport': (input) => dailyReportJob(ctx, p.jobs, input),
    'print.reconciliation': (input) => reconciliationJob(ctx, p.jobs, input),
    async 'print.editions'() {
      return formEditions(ctx);
    },
    'print.blank': (input) => blankFormsJob(ctx, p.jobs, input),
    'print.system': (input) => printSystem(p, input.jobId),
    'print.save': (input) => printSave(p, input.jobId),
    async 'print.data'(input) {
      const { entry, pdf } = p.jobs.finished(input.jobId, owner(p));
      return {
        fileName: entry.job.fileName,
        dataUrl: `data:application/pdf;base64,${pdf.toString('base64')}`,
      };
    },
    async 'print.discard'(input) {
      p.jobs.entryOf(input.jobId, owner(p));
      p.jobs.drop(input.jobId);
      return null;
    },
  };
}
