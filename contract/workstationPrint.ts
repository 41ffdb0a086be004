// The printing part of the typed workstation API: Print / Save as PDF of a dossier's
// documents, the supervisors' Báo cáo screen, and batch printing with progress and cancel.
// Merged into `Inputs` / `Outputs` / `WsEvent` by contract/workstation.ts.
//
// Every document is first made into a print job held in the workstation's memory (never written to
// disk unencrypted); the job is then printed or saved. In Electron the shell does both (`print.system`
// shows the system print dialog, `print.save` a save dialog); over the local HTTP host the renderer
// fetches the job's PDF from GET /api/print/<jobId>.pdf (same origin) and prints it from a hidden
// iframe or downloads it.

import { z } from 'zod';
import { idText, textField } from './input.js';
import type { DailyReport } from './api.js';
import type { Verdict } from './domain.js';
import type { OutboxItem } from './outbox.js';

const jobId = idText();
const job = z.object({ jobId }).strict();
/** YYYY-MM-DD; checked in the handler so a wrong or impossible date gets its own sentence. */
const day = z.object({ date: textField({ max: 32 }) }).strict();

export const PrintInputs = {
  /** Mẫu 01 or the decision notice of one dossier of the local store. */
  'print.document': z.object({ dossierId: idText(), document: z.enum(['mau01', 'notice']) }).strict(),
  /** Start one print job of many Mẫu 01 (one form from each new page); progress comes as events. */
  'print.batchStart': z.object({ dossierIds: z.array(idText()).min(1).max(5000) }).strict(),
  /** Wait for a batch to end: its job, or the failure ('cancelled': "Đã huỷ in."). */
  'print.batchWait': job,
  /** Stop a running batch between two forms; its partial output is discarded. */
  'print.cancel': job,
  /** Supervisors: the agency's daily report from the central service, with the data to preview. */
  'print.dailyReport': day,
  /** Supervisors: this desk's end-of-day reconciliation from the local outbox. */
  'print.reconciliation': day,
  /** The editions of Mẫu 01 this workstation can print (for In mẫu trắng). */
  'print.editions': z.object({}).strict(),
  /**
   * Supervisors: blank Mẫu 01 forms to fill in by hand, `copies` in one job: the edition in force
   * today, or the one named (`templateId`), or the one in force on `date` (YYYY-MM-DD).
   */
  'print.blank': z
    .object({
      // the input rules of the hardened contract (contract/input.ts), as `day`: no control characters
      templateId: idText().optional(),
      date: textField({ max: 32 }).optional(),
      copies: z.number().int().min(1).max(200),
    })
    .strict(),
  /** The system print dialog (Electron shell). */
  'print.system': job,
  /** The save dialog, then the file is written (Electron shell). */
  'print.save': job,
  /** The PDF as a data URL (the local HTTP host serves it as a file from this). */
  'print.data': job,
  /** Drop a job from memory. */
  'print.discard': job,
} as const;

/** A finished document waiting in memory to be printed or saved. */
export type PrintJob = {
  jobId: string;
  /** What it is, in Vietnamese (shown in dialogs and as the print job's title). */
  title: string;
  /** Suggested file name for Lưu PDF (no personal names: dossier numbers, dates, agency codes). */
  fileName: string;
  pages: number;
  size: number;
  /** Forms in a batch (1 for a single document). */
  forms: number;
  /** 'shell': call print.system / print.save; 'renderer': fetch /api/print/<jobId>.pdf yourself. */
  delivery: 'shell' | 'renderer';
};

export type BatchStarted = { jobId: string; total: number };

export type DailyReportJob = { job: PrintJob; report: DailyReport };

export type ReconciliationJob = {
  job: PrintJob;
  /**
   * The sheet's entries (the day's decisions and older ones still unsettled) of the agencies in the
   * supervisor's scope, oldest first.
   */
  items: OutboxItem[];
  counts: {
    decidedToday: number;
    confirmed: number;
    waiting: number;
    failed: number;
    dismissed: number;
    /** The confirmed decisions by Trạng thái (an issued account apart from a code not in HGD). */
    verdicts: Record<Verdict, number>;
  };
  /** The desk's name as an administrator set it (the machine's host name until then). */
  workstationName: string;
};

/** An edition of Mẫu 01 (resources/forms): the one in force today is `current`. */
export type FormEdition = {
  id: string;
  edition: string;
  validFrom: string;
  validTo: string | null;
  legalBasis: string;
  current: boolean;
};

export type PrintOutputs = {
  'print.document': PrintJob;
  'print.batchStart': BatchStarted;
  'print.batchWait': PrintJob;
  'print.cancel': null;
  'print.dailyReport': DailyReportJob;
  'print.reconciliation': ReconciliationJob;
  'print.editions': FormEdition[];
  'print.blank': PrintJob;
  /** false when the officer closed the dialog without printing. */
  'print.system': { printed: boolean };
  /** null when the officer closed the dialog without saving. */
  'print.save': { savedTo: string | null };
  'print.data': { fileName: string; dataUrl: string };
  'print.discard': null;
};

export type PrintEvent = { type: 'print.progress'; jobId: string; done: number; total: number };
