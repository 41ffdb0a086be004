// Print jobs held in the workstation's memory: every document is made into a job first (a PDF that is
// never written to disk unencrypted), then printed, saved or fetched by the renderer. A job belongs to
// the officer who made it; it goes when discarded, after its time to live (15 minutes from its last
// use), when the desk holds more than MAX_JOBS finished jobs (oldest first), when its officer signs out
// or another signs in, and when the workstation closes. A batch is a job whose PDF is still being made.

import { randomUUID } from 'node:crypto';
import type { WsError } from '../../../contract/workstation.js';
import type { PrintJob } from '../../../contract/workstationPrint.js';
import { fail } from '../errors.js';

/** Finished jobs kept per workstation; the oldest goes first. */
const MAX_JOBS = 20;
const SWEEP_MS = 60_000;

export type JobEntry = {
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

export class PrintJobs {
  private readonly jobs = new Map<string, JobEntry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly now: () => Date,
    private readonly ttlMs: number,
    readonly delivery: PrintJob['delivery'],
  ) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  /** Keep a finished document for its owner. */
  keep(owner: string, pdf: Buffer, title: string, fileName: string, forms = 1): PrintJob {
    this.sweep();
    const job: PrintJob = {
      jobId: randomUUID(),
      title,
      fileName,
      pages: pageCount(pdf),
      size: pdf.length,
      forms,
      delivery: this.delivery,
    };
    this.jobs.set(job.jobId, { owner, job, pdf, expiresAt: this.expiry(), batch: null, error: null });
    return job;
  }

  /** Register a batch being made (it expires only once it ends). */
  addBatch(entry: JobEntry): void {
    this.jobs.set(entry.job.jobId, entry);
  }

  /** A batch ended: from now on it expires like any job. */
  batchEnded(entry: JobEntry): void {
    entry.batch = null;
    entry.expiresAt = this.expiry();
  }

  /** Whether a batch is being made now. */
  batchRunning(jobId: string | null): boolean {
    return jobId !== null && !!this.jobs.get(jobId)?.batch;
  }

  /** The job of this officer, or `not_found` (printed and discarded, expired, or someone else's). */
  entryOf(jobId: string, owner: string): JobEntry {
    const entry = this.jobs.get(jobId);
    if (!entry || entry.owner !== owner) {
      fail('not_found', 'Không còn tài liệu in này (đã in xong, đã huỷ hoặc đã quá 15 phút): tạo lại.');
    }
    return entry;
  }

  /** A finished job and its PDF (its time to live starts again); `busy` while a batch is being made. */
  finished(jobId: string, owner: string): { entry: JobEntry; pdf: Buffer } {
    const entry = this.entryOf(jobId, owner);
    if (entry.error) fail(entry.error.code, entry.error.message);
    if (!entry.pdf) fail('busy', 'Tài liệu đang được tạo: chờ thanh tiến độ chạy hết.');
    entry.expiresAt = this.expiry();
    return { entry, pdf: entry.pdf };
  }

  drop(jobId: string): void {
    const entry = this.jobs.get(jobId);
    if (!entry) return;
    entry.batch?.controller.abort();
    entry.pdf = null;
    this.jobs.delete(jobId);
  }

  /** Another officer at the desk (or nobody) must not find the previous one's documents. */
  keepOnlyOf(username: string | null): void {
    for (const [id, e] of this.jobs) if (e.owner !== username) this.drop(id);
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const id of [...this.jobs.keys()]) this.drop(id);
  }

  private expiry(): number {
    return this.now().getTime() + this.ttlMs;
  }

  private sweep(): void {
    const nowMs = this.now().getTime();
    for (const [id, e] of this.jobs) if (!e.batch && e.expiresAt <= nowMs) this.drop(id);
    const finished = [...this.jobs].filter(([, e]) => !e.batch);
    for (const [id] of finished.slice(0, Math.max(0, finished.length - MAX_JOBS))) this.drop(id);
  }
}
