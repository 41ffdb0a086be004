// The mobile desk part of the typed workstation API (Kê khai mới, Danh sách kê khai tại bàn): a
// declaration filled from the ID card (reader, scanner or camera), its images, Tra cứu mã số BHXH,
// Xác nhận nhân thân and Ghi nhận into one durable chain per person (intake → attachments → receive →
// decision), its print with the Mã tạm, the desk's list and its end-of-day sheet.
// Merged into `Inputs` / `Outputs` / `WsEvent` by contract/workstation.ts.

import { z } from 'zod';
import type { CodeResolution, DeclarationRequest, RegistryPerson } from './api.js';
import type { CardValues, DeskField, DeskValues, FieldSource } from './deskForm.js';
import type { DecisionResult, Dossier, DossierStatus, Outcome } from './domain.js';
import type { QualityReport, Recognition } from './scan.js';
import type { PrintJob } from './workstationPrint.js';

/** Images a desk takes: the portrait, both sides of the ID card and the signed form's pages. */
export const DESK_ROLE_PATTERN = /^(photo|idFront|idBack|formPage[1-4])$/u;
/** The signed page (Ghi nhận needs it). */
export const SIGNED_PAGE_ROLE = 'formPage1';

const uuid = z.string().uuid();
const s = (max: number) => z.string().max(max);

export const DeskValuesSchema = z
  .object({
    kind: z.enum(['register', 'update', 'stop']),
    fullName: s(400),
    bhxhCode: s(40),
    bhytCard: s(40),
    idKind: z.enum(['cccd', 'cmnd', 'passport']),
    idNumber: s(40),
    oldIdNumber: s(40),
    dateOfBirth: s(20),
    gender: z.enum(['Nam', 'Nữ', '']),
    address: s(600),
    certificateSerial: s(100),
    certificateIssuer: s(400),
    certificateFrom: s(20),
    certificateTo: s(20),
    contactPerson: s(400),
    email: s(300),
    mobile: s(40),
    effectiveDate: s(20),
    channel: z.enum(['portal', 'ivan']),
    ivanName: s(400),
    updateCertificateSerial: s(100),
    updateCertificateIssuer: s(400),
    updateCertificateFrom: s(20),
    updateCertificateTo: s(20),
    updateEmail: s(300),
    updateMobile: s(40),
    stopDate: s(20),
    stopReason: s(1000),
  })
  .strict() satisfies z.ZodType<DeskValues>;

/** Which fields came from the card (exact), OCR (a suggestion), the BHYT card or the registry. */
const DeskSources = z.record(
  z.string().max(40),
  z
    .object({ from: z.enum(['qr', 'ocr', 'bhyt', 'registry']), confidence: z.number().min(0).max(1) })
    .strict(),
);

const DeskDecisionInput = z
  .object({
    outcome: z.enum(['valid', 'invalid']),
    reasonCodes: z.array(s(32)).max(20).default([]),
    reason: s(2000).default(''),
    /** a change of details approved: the Xác nhận of Hình 11 */
    confirmUpdate: z.boolean().optional(),
  })
  .strict();

export const DeskInputs = {
  /** The desk's name, the disk's room for images, what waits to be sent. */
  'desk.status': z.object({}).strict(),
  /** Tên bàn (e.g. "KCN Quang Minh"), kept on this machine. */
  'desk.setName': z.object({ deskName: s(300) }).strict(),
  /** The officer's unfinished declaration (after a crash it comes back), or a new one. */
  'desk.draft': z.object({ fresh: z.boolean().default(false) }).strict(),
  /** The form as typed so far, kept in the encrypted store (nothing typed is lost on a crash). */
  'desk.saveDraft': z
    .object({ id: uuid, values: DeskValuesSchema, sources: DeskSources.optional() })
    .strict(),
  /** Huỷ tờ khai: the unfinished declaration and its images are deleted. */
  'desk.discard': z.object({ id: uuid }).strict(),
  /**
   * A reader's text → the form's fields from the card (a CCCD QR), or the declaration a scanned Mã
   * tạm or dossier number names.
   */
  'desk.readCard': z.object({ text: z.string().min(1).max(4000) }).strict(),
  /** An image for a role of the declaration: a file, a camera still (base64), before or after Ghi nhận. */
  'desk.attach': z
    .object({
      id: uuid,
      role: s(32),
      data: z.string().max(Math.ceil((25 * 1024 * 1024 * 4) / 3) + 8),
      fileName: s(255).default(''),
      source: z.enum(['file', 'camera']).default('file'),
    })
    .strict(),
  /** Quét from a scanner into a role of the declaration. */
  'desk.scan': z
    .object({
      id: uuid,
      role: s(32),
      deviceId: z.string().min(1).max(500),
      jobId: z.string().min(1).max(64).optional(),
      resolution: z.number().int().min(75).max(1200).default(300),
      colorMode: z.enum(['color', 'gray', 'bw']).default('color'),
    })
    .strict(),
  /** One desk image's bytes as a data URL (for the preview). */
  'desk.imageContent': z.object({ imageId: uuid }).strict(),
  /** Tra cứu mã số BHXH (online): by ID number, or by full name and date of birth (dd/MM/yyyy). */
  'desk.registrySearch': z
    .object({ idNumber: s(40).optional(), fullName: s(400).optional(), dateOfBirth: s(20).optional() })
    .strict(),
  /**
   * Ghi nhận: the declaration, its images, Xác nhận nhân thân and (optionally) the decision, in one
   * local transaction, queued as one chain. `sameIdToday`: the officer chose to go on although this
   * desk registered the same ID number today.
   */
  'desk.record': z
    .object({
      id: uuid,
      values: DeskValuesSchema,
      identityConfirmed: z.boolean(),
      sources: DeskSources.optional(),
      decision: DeskDecisionInput.nullable().default(null),
      sameIdToday: z.boolean().default(false),
    })
    .strict(),
  /** Sửa và gửi lại: the declaration the service refused, corrected (the rest is kept). */
  'desk.correct': z.object({ id: uuid, values: DeskValuesSchema }).strict(),
  /** Decide (or decide again) on a recorded declaration whose chain has no accepted decision. */
  'desk.decide': z.object({ id: uuid, decision: DeskDecisionInput }).strict(),
  /** Thử lại: send a refused step again (an image replaced, a refusal that may pass now). */
  'desk.retry': z.object({ id: uuid }).strict(),
  /** Danh sách kê khai tại bàn. `query`: name (no tone marks needed), ID number or Mã tạm. */
  'desk.list': z
    .object({
      query: s(200).default(''),
      from: s(10).optional(),
      to: s(10).optional(),
      state: z.enum(['queued', 'sent', 'needs_fix', 'received', 'decided']).optional(),
      limit: z.number().int().min(1).max(2000).default(500),
    })
    .strict(),
  'desk.get': z.object({ id: uuid }).strict(),
  /** A code scanned or typed (Mã tạm, CCCD QR, dossier number) → the desk declaration it names. */
  'desk.find': z.object({ text: z.string().min(1).max(4000) }).strict(),
  /** In tờ khai: Mẫu 01 filled, with the Mã tạm in its QR and on the page (the number once known). */
  'desk.print': z.object({ id: uuid, values: DeskValuesSchema.optional() }).strict(),
  /** The desk's end-of-day sheet (who registered whom, sent, pending, refused). */
  'desk.sheet': z.object({ date: s(32) }).strict(),
} as const;

/** Where one person's chain stands, as the list shows it. */
export type DeskState =
  /** not recorded yet (the form) */
  | 'draft'
  /** recorded here, the service does not have it yet: "chờ gửi" */
  | 'queued'
  /** the service has it (a dossier number), later steps still on their way: "đã gửi" */
  | 'sent'
  /** a step was refused: the field and the service's message, "cần sửa" */
  | 'needs_fix'
  /** every step accepted, no decision (a counter decides): "đã tiếp nhận" */
  | 'received'
  /** every step accepted, decided: "đã duyệt" */
  | 'decided';

export const DESK_STATE_LABEL: Readonly<Record<DeskState, string>> = {
  draft: 'Đang kê khai',
  queued: 'Chờ gửi',
  sent: 'Đã gửi',
  needs_fix: 'Cần sửa',
  received: 'Đã tiếp nhận',
  decided: 'Đã duyệt',
};

export type DeskStepKind = 'intake' | 'attachment' | 'receive' | 'decision';
export type DeskStepState = 'queued' | 'synced' | 'failed' | 'dismissed';

export const DESK_STEP_LABEL: Readonly<Record<DeskStepKind, string>> = {
  intake: 'Gửi tờ khai',
  attachment: 'Gửi ảnh',
  receive: 'Tiếp nhận bản giấy',
  decision: 'Đánh giá hồ sơ',
};

export type DeskStep = {
  id: string;
  kind: DeskStepKind;
  /** the image's role (attachment steps) */
  role: string | null;
  state: DeskStepState;
  attempts: number;
  /** the service's message (or the network's) of the last attempt */
  lastError: string | null;
  /** a 422's fields, by the form's field names */
  fields: Partial<Record<DeskField, string>> | null;
  /** the decision's result once accepted */
  result: DecisionResult | null;
  outcome: Outcome | null;
  updatedAt: string;
};

export type DeskImage = {
  id: string;
  declarationId: string;
  role: string;
  mediaType: string;
  bytes: number;
  source: 'scan' | 'file' | 'camera';
  createdAt: string;
  /** the local copy was deleted after the retention period (the service keeps it) */
  purgedAt: string | null;
  recognizing: boolean;
  recognition: Recognition | null;
  recognitionError: string | null;
  quality: QualityReport | null;
};

/** A desk declaration as the screens show it. */
export type DeskDeclaration = {
  id: string;
  /** Mã tạm */
  ref: string;
  state: DeskState;
  agencyCode: string;
  deskName: string;
  declaredAt: string;
  username: string;
  officerName: string;
  identityConfirmedBy: string | null;
  identityConfirmedAt: string | null;
  values: DeskValues;
  /** which fields came from the card's QR (exact) or were suggested by OCR, with confidence */
  sources: Partial<Record<DeskField, FieldSource>>;
  dossierId: string | null;
  dossierNumber: string | null;
  codeResolution: CodeResolution | null;
  duplicates: Array<{ id: string; dossierNumber: string; status: DossierStatus }>;
  /** the service's dossier as this workstation last saw it (its downstream steps) */
  dossier: Dossier | null;
  steps: DeskStep[];
  images: DeskImage[];
  /** the first refused step, for "cần sửa" */
  refused: DeskStep | null;
  imagesPurgedAt: string | null;
  request: DeclarationRequest | null;
};

/** One row of Danh sách kê khai tại bàn. */
export type DeskRow = Pick<
  DeskDeclaration,
  | 'id'
  | 'ref'
  | 'state'
  | 'declaredAt'
  | 'username'
  | 'officerName'
  | 'dossierNumber'
  | 'codeResolution'
  | 'duplicates'
  | 'imagesPurgedAt'
> & {
  fullName: string;
  idNumber: string;
  bhxhCode: string;
  /** steps by state, for the row's progress */
  steps: Array<Pick<DeskStep, 'kind' | 'role' | 'state' | 'lastError'>>;
  refusedMessage: string | null;
  result: DecisionResult | null;
  outcome: Outcome | null;
};

export type DiskLevel = 'ok' | 'low' | 'full';

export type DeskStatus = {
  deskName: string;
  disk: {
    freeBytes: number;
    level: DiskLevel;
    /** about how many more people's images fit before the desk refuses new ones */
    peopleLeft: number;
    message: string | null;
  };
  retentionDays: number;
  queued: number;
  needsFix: number;
  today: number;
};

/** What the card gave the form: the fields and where each came from. */
export type CardFill = CardValues;

/** The declaration a code names: its id, its Mã tạm, its dossier once the service has it. */
export type DeskFound = { id: string; ref: string; dossierId: string | null; dossierNumber: string | null };

export type DeskSameIdToday = { id: string; ref: string; fullName: string; declaredAt: string };

export type DeskSheetJob = {
  job: PrintJob;
  rows: DeskRow[];
  counts: { registered: number; sent: number; pending: number; refused: number; decided: number };
  officers: Array<{ name: string; registered: number }>;
};

export type DeskOutputs = {
  'desk.status': DeskStatus;
  'desk.setName': DeskStatus;
  'desk.draft': DeskDeclaration;
  'desk.saveDraft': null;
  'desk.discard': null;
  'desk.readCard': { card: CardFill | null; found: DeskFound | null };
  'desk.attach': { image: DeskImage; notes: string[] };
  'desk.scan': { image: DeskImage; notes: string[] };
  'desk.imageContent': { id: string; mediaType: string; dataUrl: string };
  'desk.registrySearch': { items: RegistryPerson[] };
  'desk.record': { declaration: DeskDeclaration; synced: boolean };
  'desk.correct': DeskDeclaration;
  'desk.decide': DeskDeclaration;
  'desk.retry': DeskDeclaration;
  'desk.list': DeskRow[];
  'desk.get': DeskDeclaration;
  'desk.find': DeskFound;
  'desk.print': PrintJob;
  'desk.sheet': DeskSheetJob;
};

export type DeskEvent =
  /** a chain moved (a step accepted or refused) */
  | { type: 'desk.changed'; id: string; state: DeskState }
  /** a desk image stored, recognised */
  | { type: 'desk.image'; image: DeskImage };
