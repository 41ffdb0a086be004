// Printing and saving a print job (contract/workstationPrint.ts) from the renderer. In Electron the
// shell does both: print.system shows the system print dialog, print.save a save dialog. In a browser
// the job's PDF comes from the local HTTP host at /api/print/<jobId>.pdf — same origin, which the page's
// CSP allows in a frame (a blob: frame it refuses): Lưu PDF downloads it, In loads it into a hidden
// iframe and calls that frame's print(), which opens the browser's print dialog for the PDF.
import type { PrintJob } from '../../../contract/workstationPrint';
import { api, ApiFailure, call, errorMessage } from '../api';

/** A failure of the browser side (the PDF is gone, the frame would not load). */
export class PrintFailure extends Error {}

export function failureText(err: unknown): string {
  if (err instanceof ApiFailure) return errorMessage(err);
  if (err instanceof PrintFailure) return err.message;
  return 'Không in được: lỗi không mong đợi. Thử lại.';
}

const jobUrl = (job: PrintJob): string => `/api/print/${encodeURIComponent(job.jobId)}.pdf`;

/** The job's PDF from the local host, or its Vietnamese refusal (expired, signed out). */
async function fetchPdf(job: PrintJob): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch(jobUrl(job));
  } catch {
    throw new PrintFailure('Mất kết nối tới máy trạm cục bộ: không lấy được tài liệu in.');
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new PrintFailure(body?.error?.message ?? 'Không lấy được tài liệu in: tạo lại rồi thử lại.');
  }
  return await res.blob();
}

let frame: HTMLIFrameElement | null = null;
let frameTimer = 0;
let watchingSession = false;

/** The last printed document leaves the page: on sign-out, or ten minutes after it was printed. */
function dropFrame(): void {
  window.clearTimeout(frameTimer);
  frame?.remove();
  frame = null;
}

function printInFrame(url: string): Promise<void> {
  if (!watchingSession) {
    watchingSession = true;
    api.on((e) => {
      if (e.type === 'session.changed' && e.session === null) dropFrame();
    });
  }
  return new Promise((resolve, reject) => {
    dropFrame();
    frameTimer = window.setTimeout(dropFrame, 10 * 60_000);
    const f = document.createElement('iframe');
    f.title = 'Tài liệu in';
    f.tabIndex = -1;
    f.setAttribute('aria-hidden', 'true');
    f.dataset.printFrame = 'true';
    // Not display:none: Chromium's PDF viewer does not lay out (nor print) a frame that is not rendered.
    f.setAttribute('style', 'position:absolute;width:0;height:0;border:0;visibility:hidden');
    const timer = window.setTimeout(
      () => reject(new PrintFailure('Không mở được tài liệu để in (quá thời gian chờ).')),
      30_000,
    );
    f.onload = () => {
      window.clearTimeout(timer);
      try {
        const win = f.contentWindow;
        if (!win) throw new PrintFailure('Không mở được tài liệu để in.');
        const before = document.activeElement;
        win.focus();
        win.print();
        // Back to where the officer was: the keyboard must not stay in the hidden frame.
        window.focus();
        if (before instanceof HTMLElement) before.focus();
        resolve();
      } catch (err) {
        reject(
          err instanceof PrintFailure ? err : new PrintFailure('Trình duyệt không cho in tài liệu này.'),
        );
      }
    };
    f.src = url;
    document.body.appendChild(f);
    frame = f;
  });
}

/** Print: the system dialog (Electron) or the browser's; resolves with a sentence for the officer. */
export async function printJob(job: PrintJob): Promise<string> {
  if (job.delivery === 'shell') {
    const r = await call('print.system', { jobId: job.jobId });
    return r.printed ? `Đã gửi ${job.title} tới máy in.` : 'Đã đóng hộp thoại in: chưa in.';
  }
  // Checked first, so an expired job gives its sentence rather than a frame full of JSON.
  await fetchPdf(job);
  await printInFrame(jobUrl(job));
  return `Đã mở hộp thoại in: ${job.title}.`;
}

/** Lưu PDF: a save dialog (Electron) or a download named job.fileName. */
export async function saveJob(job: PrintJob): Promise<string> {
  if (job.delivery === 'shell') {
    const r = await call('print.save', { jobId: job.jobId });
    return r.savedTo ? `Đã lưu tệp ${r.savedTo}.` : 'Đã đóng hộp thoại lưu: chưa lưu tệp.';
  }
  const blob = await fetchPdf(job);
  const href = URL.createObjectURL(blob);
  try {
    const a = document.createElement('a');
    a.href = href;
    a.download = job.fileName;
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    // The download has taken its copy once click() returns; a minute is generous.
    window.setTimeout(() => URL.revokeObjectURL(href), 60_000);
  }
  return `Đã tải xuống tệp ${job.fileName}.`;
}
