// Domain types shared by server, workstation and renderer (DESIGN.md §3, GLOSSARY.md).
// Wire shapes: dates are ISO 8601 strings, Vietnamese text NFC.

import type { Gender, IdKind } from './identity.js';

export type { Gender, IdKind } from './identity.js';

export type DossierKind = 'register' | 'update' | 'stop';
/** Tình trạng: pending = Hồ sơ chờ duyệt, decided = Đã duyệt, expired = Quá hạn, tự động xóa */
export type DossierStatus = 'pending' | 'decided' | 'expired';
/** Trạng thái / Đánh giá hồ sơ */
export type Outcome = 'valid' | 'invalid';
export type Channel = 'portal' | 'ivan';
/** Hình thức nộp hồ sơ: by post, at the counter, or at a mobile registration desk (bàn lưu động). */
export type SubmissionMethod = 'post' | 'counter' | 'mobile_desk';
export type Role = 'officer' | 'supervisor' | 'admin';
export type DecisionResult =
  'account_issued' | 'code_not_found' | 'rejected' | 'details_updated' | 'account_stopped';
export type AttachmentRole = 'photo' | 'idFront' | 'idBack' | `formPage${number}`;
export type AttachmentMediaType = 'image/jpeg' | 'image/png' | 'application/pdf';

/** The attachment roles of API.md: photo, idFront, idBack, formPage1…50 (the service checks these). */
export const ATTACHMENT_ROLE_PATTERN = /^(photo|idFront|idBack|formPage([1-9]|[1-4]\d|50))$/u;
export const MAX_FORM_PAGES = 50;

/** The page number of a formPageN role; null for the other roles. */
export function formPageNumber(role: string): number | null {
  const m = /^formPage(\d+)$/u.exec(role);
  return m ? Number(m[1]) : null;
}

export type Agency = {
  code: string;
  name: string;
  parentCode: string | null;
  address: string;
  phone: string;
};

export type StaffUser = {
  username: string;
  displayName: string;
  role: Role;
  agencyCode: string;
  agencyName: string;
};

export type Certificate = {
  serial: string;
  issuer: string;
  validFrom: string; // YYYY-MM-DD
  validTo: string; // YYYY-MM-DD
};

/** Section 2 of Mẫu 01: only what changes. */
export type UpdateDetails = {
  certificate?: Certificate | null;
  email?: string | null;
  mobile?: string | null;
};

/** Section 3 of Mẫu 01. */
export type StopDetails = {
  stopDate: string; // YYYY-MM-DD
  reason: string;
};

export type Attachment = {
  id: string;
  role: AttachmentRole;
  mediaType: AttachmentMediaType;
  bytes: number;
  sha256: string;
};

/** A downstream step of a decision and its state, shown on the dossier. */
export type DownstreamStep = {
  step: 'registry_check' | 'account' | 'sms' | 'email';
  state: 'done' | 'failed' | 'queued' | 'delivered' | 'skipped';
  detail?: string | null;
  at: string;
};

/** The whole dossier (GET /api/v1/dossiers/:id). */
export type Dossier = {
  id: string;
  dossierNumber: string;
  kind: DossierKind;
  agencyCode: string;
  fullName: string;
  /** "" while unknown: a mobile-desk declaration whose code the registry could not resolve */
  bhxhCode: string;
  idKind: IdKind | null;
  idNumber: string | null;
  dateOfBirth: string | null;
  gender: Gender | null;
  address: string;
  contactPerson: string;
  email: string | null;
  mobile: string;
  certificate: Certificate | null;
  channel: Channel;
  ivanName: string | null;
  effectiveDate: string | null;
  update: UpdateDetails | null;
  stop: StopDetails | null;
  submissionMethod: SubmissionMethod;
  /** the mobile desk that declared it (submissionMethod mobile_desk), else null */
  deskName?: string | null;
  /** how the service came by bhxhCode (api.ts CodeResolution); null for dossiers older than this */
  codeResolution?: 'given' | 'by_id_number' | 'not_found' | null;
  declaredAt: string;
  receivedAt: string | null;
  expiresAt: string | null;
  status: DossierStatus;
  outcome: Outcome | null;
  reason: string | null;
  reasonCodes: string[];
  reviewer: string | null;
  decidedAt: string | null;
  accountResult: 'issued' | 'code_not_found' | null;
  result: DecisionResult | null;
  attachments: Attachment[];
  steps: DownstreamStep[];
  claim: { claimedBy: string; claimedUntil: string } | null;
  version: number;
  duplicates?: Array<{ id: string; dossierNumber: string; status: DossierStatus }>;
  /** the decision the dossier applied (its decisionId), once decided */
  decisionId?: string | null;
  /** its SMS and e-mail messages (GET /dossiers/:id only; not in the change feed) */
  notifications?: DossierNotification[];
};

/** One SMS or e-mail of a dossier and where it stands (the recipient masked). */
export type DossierNotification = {
  id: string;
  channel: 'sms' | 'email';
  recipient: string;
  status: 'queued' | 'delivered' | 'failed';
  attempts: number;
  createdAt: string;
  /** when the status last changed (the delivery, the failure, the last retry) */
  statusAt: string;
  deliveredAt: string | null;
  /** when a queued message is tried next */
  nextAttemptAt: string | null;
};

/** The list's columns (Hình 3): STT is the row's position. */
export type DossierSummary = Pick<
  Dossier,
  | 'id'
  | 'dossierNumber'
  | 'receivedAt'
  | 'declaredAt'
  | 'bhxhCode'
  | 'fullName'
  | 'address'
  | 'contactPerson'
  | 'mobile'
  | 'reviewer'
  | 'decidedAt'
  | 'status'
  | 'outcome'
  | 'kind'
  | 'version'
> & {
  agencyCode: string;
  claim?: { claimedBy: string; claimedUntil: string } | null;
  /** What the service concluded (null while undecided or not yet answered); absent from older services. */
  result?: DecisionResult | null;
};

export type RejectionReason = { code: string; text: string; smsText: string };

export type Change =
  { seq: number; dossier: Dossier } | { seq: number; dossier: { id: string; deleted: true } };

/** Vietnamese labels of the enumerations, as the seed's screens show them. */
export const STATUS_LABEL: Readonly<Record<DossierStatus, string>> = {
  pending: 'Hồ sơ chờ duyệt',
  decided: 'Đã duyệt',
  expired: 'Quá hạn, tự động xóa',
};
export const OUTCOME_LABEL: Readonly<Record<Outcome, string>> = {
  valid: 'Hồ sơ hợp lệ',
  invalid: 'Hồ sơ không hợp lệ',
};
export const KIND_LABEL: Readonly<Record<DossierKind, string>> = {
  register: 'Đăng ký sử dụng',
  update: 'Điều chỉnh thông tin',
  stop: 'Ngừng sử dụng',
};
/** What the service concluded, in a sentence for the officer (the detail, the sync panel, the sheets). */
export const RESULT_LABEL: Readonly<Record<DecisionResult, string>> = {
  account_issued:
    'Đã cấp tài khoản giao dịch điện tử; tên đăng nhập và mật khẩu được gửi bằng tin nhắn tới số điện thoại đã đăng ký',
  code_not_found:
    'Chưa cấp tài khoản: mã số BHXH không tồn tại trên Hệ thống HGD (hoặc họ tên không khớp). Hướng dẫn cá nhân kê khai Tờ khai TK1-TS để được cấp mã số BHXH',
  rejected: 'Hồ sơ không hợp lệ; tin nhắn báo lý do được gửi tới số điện thoại đã đăng ký',
  details_updated: 'Cập nhật thông tin đăng ký thành công',
  account_stopped: 'Đã ngừng tài khoản giao dịch điện tử',
};

export const DECISION_RESULTS = [
  'account_issued',
  'code_not_found',
  'rejected',
  'details_updated',
  'account_stopped',
] as const satisfies readonly DecisionResult[];

/**
 * Trạng thái as the list shows it, Mở rộng filters it and the sheets count it: one value per thing
 * that happened to the person. `valid` is an approval that issued an account (or whose result is not
 * known yet: queued here, or imported); a code missing from HGD, a change of details and a stop each
 * have their own, so none reads like an account that was issued.
 */
export type Verdict = 'valid' | 'code_not_found' | 'invalid' | 'details_updated' | 'account_stopped';
export const VERDICTS = [
  'valid',
  'code_not_found',
  'invalid',
  'details_updated',
  'account_stopped',
] as const satisfies readonly Verdict[];

export const VERDICT_LABEL: Readonly<Record<Verdict, string>> = {
  valid: 'Hồ sơ hợp lệ',
  code_not_found: 'Mã số BHXH không có trên HGD',
  invalid: 'Hồ sơ không hợp lệ',
  details_updated: 'Đã cập nhật thông tin',
  account_stopped: 'Đã ngừng giao dịch điện tử',
};

/** How each verdict is coloured on screen (antd Tag colours): only an issued account is green. */
export const VERDICT_COLOR: Readonly<Record<Verdict, string>> = {
  valid: 'green',
  code_not_found: 'gold',
  invalid: 'red',
  details_updated: 'blue',
  account_stopped: 'purple',
};

/** The verdict of a dossier (or list row): null while nobody has decided it. */
export function verdictOf(d: { outcome: Outcome | null; result?: DecisionResult | null }): Verdict | null {
  if (d.outcome === 'invalid') return 'invalid';
  if (d.outcome !== 'valid') return null;
  switch (d.result) {
    case 'code_not_found':
    case 'details_updated':
    case 'account_stopped':
      return d.result;
    default:
      return 'valid';
  }
}

/** The kind as the list marks it in a row (Đăng ký / Điều chỉnh / Ngừng). */
export const KIND_SHORT: Readonly<Record<DossierKind, string>> = {
  register: 'Đăng ký',
  update: 'Điều chỉnh',
  stop: 'Ngừng',
};

/** `NNNNN.GD/YYYY/AGENCY` */
export const DOSSIER_NUMBER_PATTERN = /^(\d{5})\.GD\/(\d{4})\/([0-9A-Za-z]{1,10})$/u;

export function formatDossierNumber(sequence: number, year: number, agencyCode: string): string {
  return `${String(sequence).padStart(5, '0')}.GD/${year}/${agencyCode}`;
}

/** The 10-day window between declaring online and bringing the paper (Appendix 01). */
export const EXPIRY_DAYS = 10;
