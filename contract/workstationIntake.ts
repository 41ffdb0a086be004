// The intake part of the typed workstation API: Quét / Đính kèm of the personal photo,
// ID card and form pages, reader scans that open the matching dossier, and the comparison panel.
// Merged into `Inputs` / `Outputs` / `WsEvent` by contract/workstation.ts.

import { z } from 'zod';
import type {
  ComparisonReport,
  QualityReport,
  ReaderDevice,
  Recognition,
  ScanProgress,
  ScannerDevice,
} from './scan.js';

import { formPageNumber } from './domain.js';
import { idText, textField } from './input.js';

export { ATTACHMENT_ROLE_PATTERN, formPageNumber, MAX_FORM_PAGES } from './domain.js';

/** Largest file "Đính kèm" accepts (bytes, before base64). */
export const MAX_ATTACH_BYTES = 25 * 1024 * 1024;

/** The officer-facing name of a role, as the dossier detail shows it. */
export function roleLabel(role: string): string {
  if (role === 'photo') return 'Ảnh cá nhân';
  if (role === 'idFront') return 'Mặt trước';
  if (role === 'idBack') return 'Mặt sau';
  const page = formPageNumber(role);
  return page === null ? role : `Trang tờ khai ${page}`;
}

const dossierId = idText();
/** Checked in the handler against ATTACHMENT_ROLE_PATTERN, so a wrong role gets its own message. */
const role = idText(32);

export const IntakeInputs = {
  /** Scanners (SANE, eSCL, WIA) and HID-POS readers present now. */
  'scanner.devices': z.object({}).strict(),
  /** "Quét": scan from a device into a role of the dossier (feeder scans fill formPageN, N+1, …). */
  'intake.scan': z
    .object({
      dossierId,
      role,
      deviceId: idText(500),
      /** chosen by the renderer so it can follow progress and cancel ("Huỷ") */
      jobId: idText().optional(),
      source: z.enum(['flatbed', 'feeder']).default('flatbed'),
      resolution: z.number().int().min(75).max(1200).default(300),
      colorMode: z.enum(['color', 'gray', 'bw']).default('color'),
    })
    .strict(),
  /** "Đính kèm": a file the officer chose or dropped, as base64 (PNG, JPEG, TIFF, PDF). */
  'intake.attach': z
    .object({
      dossierId,
      role,
      fileName: textField({ max: 255 }).default(''),
      /** base64 of the file; the size limit (MAX_ATTACH_BYTES) is checked on the decoded bytes */
      data: z
        .string()
        .max(Math.ceil((MAX_ATTACH_BYTES * 4) / 3) + 8)
        .regex(/^[A-Za-z0-9+/]*={0,2}$/u, 'Dữ liệu tệp gửi lên không hợp lệ (không phải base64).'),
    })
    .strict(),
  'intake.cancel': z.object({ jobId: idText() }).strict(),
  /** The images of a dossier kept on this workstation (per role, the latest) with their upload state. */
  'intake.images': z.object({ dossierId }).strict(),
  /** One stored image's bytes as a data URL (for the preview). */
  'intake.content': z.object({ id: idText() }).strict(),
  /** Send a failed upload again. */
  'intake.retry': z.object({ id: idText() }).strict(),
  /** The comparison panel: what was recognised in the images and reader scans against the dossier. */
  'intake.compare': z.object({ dossierId }).strict(),
  /** A keyboard-wedge reader's text → the matching dossier. */
  'reader.lookup': z
    .object({ text: textField({ max: 4000, required: true, raw: true, multiline: true }) })
    .strict(),
} as const;

/** Where an image is on its way to the service. */
export type UploadState =
  /** waiting to be sent (or retrying after a network failure): "chờ đồng bộ" */
  | 'queued'
  /** the service holds it: "đã đồng bộ" */
  | 'synced'
  /** refused by the service (the message says why); Thử lại */
  | 'failed'
  /** replaced by a newer image of the same role before it was sent */
  | 'dismissed';

export type IntakeImage = {
  id: string;
  dossierId: string;
  role: string;
  mediaType: string;
  bytes: number;
  source: 'scan' | 'file';
  fileName: string | null;
  state: UploadState;
  attempts: number;
  lastError: string | null;
  /** the service's attachment id once synced */
  attachmentId: string | null;
  createdAt: string;
  /** recognition of this image is still running */
  recognizing: boolean;
  /** what was recognised (ID card and form roles), or why nothing was */
  recognition: Recognition | null;
  recognitionError: string | null;
  /** the quality gate's verdict when it ran; `ok: false` asks for a rescan */
  quality: QualityReport | null;
};

export type IntakeResult = {
  /** one image per stored page (a multi-page PDF or a feeder scan on form pages gives several) */
  images: IntakeImage[];
  /** Vietnamese notes for the officer (pages left out, formats converted) */
  notes: string[];
};

export type ReaderMatch = {
  /** '' for a mobile desk's declaration the service has not numbered yet (then `deskId` names it) */
  dossierId: string;
  /** the dossier number, or the Mã tạm while there is none */
  dossierNumber: string;
  fullName: string;
  recognition: Recognition;
  /** the mobile desk's declaration a Mã tạm (or its dossier) names */
  deskId?: string;
};

/** One ID card seen among a dossier's images: where it was read (role; null = the QR reader) and its number. */
export type CardOfDossier = { role: string | null; kind: Recognition['kind']; idNumber: string };

export type IntakeComparison = ComparisonReport & {
  /** what the comparison was made from, newest first */
  sources: Array<{ role: string | null; kind: Recognition['kind']; source: Recognition['source'] }>;
  /** the ID cards the images come from, one per card, when they are of more than one card (else empty) */
  differentCards: CardOfDossier[];
};

export type IntakeOutputs = {
  'scanner.devices': { scanners: ScannerDevice[]; readers: ReaderDevice[] };
  'intake.scan': IntakeResult;
  'intake.attach': IntakeResult;
  'intake.cancel': { cancelled: boolean };
  'intake.images': IntakeImage[];
  'intake.content': { id: string; mediaType: string; dataUrl: string };
  'intake.retry': IntakeImage;
  'intake.compare': IntakeComparison;
  'reader.lookup': ReaderMatch;
};

export type IntakeEvent =
  | { type: 'intake.progress'; jobId: string; progress: ScanProgress }
  | { type: 'intake.image'; image: IntakeImage }
  | { type: 'reader.attached'; reader: ReaderDevice }
  | { type: 'reader.detached'; reader: ReaderDevice }
  /** a HID-POS reader scanned a code: the dossier it names, or why none */
  | {
      type: 'reader.scan';
      result: { ok: true; match: ReaderMatch } | { ok: false; error: { code: string; message: string } };
      /** what the reader read, also when no dossier matched (the mobile desk's form fills from it) */
      recognition?: Recognition;
    };
