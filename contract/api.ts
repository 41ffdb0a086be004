// The wire contract of the central service (../shared/API.md): request schemas (zod), error shape,
// response types. The server validates with these; the workstation's sync client types against them.

import { z } from 'zod';
import { codeField, DATE_BOUNDS, dateField, instantField, isBlank, textField, uuidField } from './input.js';
import {
  DECISION_RESULTS,
  type Agency,
  type Change,
  type DecisionResult,
  type Dossier,
  type DossierStatus,
  type DossierSummary,
  type RejectionReason,
  type StaffUser,
  type Verdict,
} from './domain.js';

export const API_PREFIX = '/api/v1';

/** Error codes the service answers with (`error.code`). */
export type ErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'validation_failed'
  | 'unauthorized'
  | 'session_expired'
  | 'invalid_credentials'
  | 'forbidden'
  | 'not_found'
  | 'version_conflict'
  | 'duplicate'
  | 'expired'
  /** a change-of-details dossier needs confirmUpdate: true (the Xác nhận of Hình 11) */
  | 'confirmation_required'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'media_type_mismatch'
  /** an upload of the declared type that does not decode as one (truncated, data appended, too large) */
  | 'invalid_attachment'
  /** the request's headers (or its URL) exceed what the service reads */
  | 'headers_too_large'
  | 'account_locked'
  | 'captcha_required'
  | 'captcha_invalid'
  | 'too_many_requests'
  /** 503: the database is away (a failover under way) or the service is stopping; send it again */
  | 'unavailable'
  | 'internal';

export type ApiError = {
  error: { code: ErrorCode; message: string; fields?: Record<string, string> };
};

/** A 409 on a decision also carries the current dossier. */
export type ConflictError = ApiError & { dossier: Dossier };

// ---------------------------------------------------------------- auth

export const LoginRequest = z.object({
  agencyCode: codeField(10),
  username: textField({ max: 64, required: true }),
  password: textField({ max: 256, required: true, raw: true }),
  captchaId: uuidField().optional(),
  captchaAnswer: textField({ max: 32 }).optional(),
});
export type LoginRequest = z.infer<typeof LoginRequest>;
export type LoginResponse = { token: string; expiresAt: string; user: StaffUser };
export type CaptchaResponse = { captchaId: string; svg: string };
export type AgenciesResponse = Agency[];

// ---------------------------------------------------------------- dossiers

/** A list cursor as the service issues it (base64url, signed); anything else is a 400. */
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{23,400}$/u;

export const DossierQuery = z.object({
  dossierNumber: textField({ max: 40 }).optional(),
  bhxhCode: textField({ max: 10 }).optional(),
  q: textField({ max: 200 }).optional(),
  from: dateField(DATE_BOUNDS.filter, 'Từ ngày').optional(),
  to: dateField(DATE_BOUNDS.filter, 'Đến ngày').optional(),
  status: z.enum(['pending', 'decided', 'expired']).optional(),
  outcome: z.enum(['valid', 'invalid']).optional(),
  /** What the decision concluded, e.g. code_not_found (approved, but no account: the code is not in HGD). */
  result: z.enum(DECISION_RESULTS).optional(),
  kind: z.enum(['register', 'update', 'stop']).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  /** checked by the service: a cursor it did not issue is a 400 */
  cursor: z.string().optional(),
});
export type DossierQuery = z.infer<typeof DossierQuery>;
export type DossierListResponse = { items: DossierSummary[]; nextCursor: string | null };

export const ChangesQuery = z.object({
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
export type ChangesResponse = { changes: Change[]; lastSeq: number; hasMore: boolean };

const CertificateInput = z.object({
  serial: textField({ max: 64, required: true }),
  issuer: textField({ max: 200, required: true }),
  validFrom: dateField(DATE_BOUNDS.admin, 'Ngày bắt đầu hiệu lực'),
  validTo: dateField(DATE_BOUNDS.admin, 'Ngày hết hiệu lực'),
});

/**
 * A new declaration (portal or mobile-desk intake). Field shapes and the input rules here; the
 * service's validator adds the domain checks (identity.ts) and answers 422 with Vietnamese messages
 * per field.
 */
export const DeclarationRequest = z.object({
  clientId: uuidField(),
  kind: z.enum(['register', 'update', 'stop']),
  agencyCode: codeField(10),
  fullName: textField({ max: 400, required: true }),
  /** null (or blank) only from a mobile desk: the service resolves it from the ID number */
  bhxhCode: textField({ max: 40 }).nullable(),
  idKind: z.enum(['cccd', 'cmnd', 'passport']),
  idNumber: textField({ max: 40, required: true }),
  dateOfBirth: dateField(DATE_BOUNDS.birth, 'Ngày sinh').optional(),
  gender: z.enum(['Nam', 'Nữ']).optional(),
  address: textField({ max: 1000, required: true }),
  contactPerson: textField({ max: 400, required: true }),
  email: textField({ max: 254 }).nullable().optional(),
  mobile: textField({ max: 40, required: true }),
  certificate: CertificateInput.nullable().optional(),
  channel: z.enum(['portal', 'ivan']),
  ivanName: textField({ max: 200 }).nullable().optional(),
  effectiveDate: dateField(DATE_BOUNDS.admin, 'Ngày bắt đầu giao dịch').optional(),
  update: z
    .object({
      certificate: CertificateInput.nullable().optional(),
      email: textField({ max: 254 }).nullable().optional(),
      mobile: textField({ max: 40 }).nullable().optional(),
    })
    .nullable()
    .optional(),
  stop: z
    .object({
      stopDate: dateField(DATE_BOUNDS.admin, 'Ngày ngừng sử dụng'),
      reason: textField({ max: 500, multiline: true }),
    })
    .nullable()
    .optional(),
  submissionMethod: z.enum(['post', 'counter', 'mobile_desk']),
  /** the desk's name (e.g. "KCN Quang Minh"); required from a mobile desk, refused otherwise */
  deskName: textField({ max: 200 }).nullable().optional(),
  /** the desk's time of declaring (ISO 8601 with offset); required from a mobile desk, refused otherwise */
  declaredAt: instantField('Thời điểm kê khai').optional(),
});
export type DeclarationRequest = z.infer<typeof DeclarationRequest>;

/**
 * How the answer's bhxhCode came to be: declared (`given`), looked up in the registry by the ID
 * number because a mobile desk left it empty and exactly one person has that number
 * (`by_id_number`), or not found (`not_found`: no one, or more than one person, has that number;
 * the code stays empty, "" in the Dossier, and approving the dossier answers `code_not_found`).
 */
export type CodeResolution = 'given' | 'by_id_number' | 'not_found';

/** POST /dossiers' answer: the dossier, its open namesakes by code, and how its code was found. */
export type IntakeResponse = Dossier & {
  duplicates: Array<{ id: string; dossierNumber: string; status: DossierStatus }>;
  codeResolution: CodeResolution;
};

export const ReceiveRequest = z.object({ clientId: uuidField() });

export type ClaimResponse = { claimedBy: string; claimedUntil: string };

export const ReasonsUpdate = z
  .array(
    z.object({
      code: codeField(32),
      text: textField({ max: 500, required: true }),
      smsText: textField({ max: 120, required: true }),
    }),
  )
  .max(200);
export type ReasonsResponse = RejectionReason[];

// ---------------------------------------------------------------- decisions

export const DecisionRequest = z.object({
  decisionId: uuidField(),
  outcome: z.enum(['valid', 'invalid']),
  reasonCodes: z.array(codeField(32)).max(20).optional(),
  reason: textField({ max: 2000, multiline: true }).optional(),
  baseVersion: z.number().int().min(0).max(2_000_000_000),
  confirmUpdate: z.boolean().optional(),
  /** when the officer decided (offline decisions keep it); bounds against the dossier in the service */
  decidedAt: instantField('Thời điểm duyệt'),
  deviceId: textField({ max: 128, required: true }),
});
export type DecisionRequest = z.infer<typeof DecisionRequest>;

/**
 * Which outcome takes a reason (API.md): a rejection needs a reason code or a text, an approval has
 * neither; a reason holds no markup. A reason of spaces or zero-width characters counts as none.
 * The service answers 422 with this; the workstation refuses the decision at the desk with it, so a
 * decision it queues is one the service takes. Null when the reasons fit the outcome.
 */
export function decisionReasonProblem(
  outcome: 'valid' | 'invalid',
  reasonCodes: readonly string[],
  reason: string,
): { message: string; fields: Record<string, string> } | null {
  if (/[<>]/u.test(reason))
    return {
      message: 'Dữ liệu không hợp lệ, vui lòng kiểm tra lại.',
      fields: { reason: 'Lý do không được chứa ký tự < hoặc >.' },
    };
  const hasText = !isBlank(reason);
  if (outcome === 'invalid' && reasonCodes.length === 0 && !hasText)
    return {
      message: 'Chưa nhập lý do cho hồ sơ không hợp lệ.',
      fields: { reason: 'Hồ sơ không hợp lệ phải có lý do: chọn lý do chuẩn hoặc nhập nội dung.' },
    };
  if (outcome === 'valid' && (reasonCodes.length > 0 || hasText))
    return {
      message: 'Hồ sơ hợp lệ không kèm lý do từ chối.',
      fields:
        reasonCodes.length > 0
          ? { reasonCodes: 'Hồ sơ hợp lệ không kèm lý do từ chối.' }
          : { reason: 'Hồ sơ hợp lệ không kèm lý do từ chối.' },
    };
  return null;
}
export type DecisionResponse = { dossier: Dossier; result: DecisionResult };

// ---------------------------------------------------------------- registry, reports

export type RegistryPerson = {
  bhxhCode: string;
  fullName: string;
  dateOfBirth: string;
  gender: 'Nam' | 'Nữ';
};

/**
 * GET /registry/persons?idNumber= or ?fullName=&dateOfBirth= (Tra cứu mã số BHXH): field shapes only;
 * checkRegistrySearch (desk.ts) holds the rules the service answers 422 with.
 */
export const RegistrySearchQuery = z.object({
  idNumber: textField({ max: 40 }).optional(),
  fullName: textField({ max: 400 }).optional(),
  dateOfBirth: textField({ max: 40 }).optional(),
});
export type RegistrySearchQuery = z.infer<typeof RegistrySearchQuery>;
/** At most REGISTRY_SEARCH_MAX exact matches; an empty list when no one matches. */
export type RegistrySearchResponse = { items: RegistryPerson[] };
export const REGISTRY_SEARCH_MAX = 5;

export type DailyReport = {
  agencyCode: string;
  date: string;
  received: number;
  decidedValid: number;
  decidedInvalid: number;
  expired: number;
  pendingAtDayEnd: number;
  perOfficer: Array<{
    reviewer: string;
    valid: number;
    invalid: number;
    total: number;
    /** The officer's decisions by Trạng thái (absent from older services). */
    verdicts?: Record<Verdict, number>;
  }>;
  /** Decisions of the day by result (the outcome where no result was stored). */
  perOutcome: Record<string, number>;
  /**
   * Decisions of the day by Trạng thái: `valid` counts issued accounts only, apart from a code not
   * in HGD, a change of details and a stop (absent from older services).
   */
  verdicts?: Record<Verdict, number>;
  dossiers: DossierSummary[];
  /** The SMS/e-mail outbox of the agency's dossiers now: messages waiting, and how late the oldest due one is. */
  delivery?: DeliveryLag;
};

/** The day's decisions by Trạng thái; from an older service, worked out from its counts by result. */
export function reportVerdicts(report: DailyReport): Record<Verdict, number> {
  if (report.verdicts) return report.verdicts;
  const get = (k: string): number => report.perOutcome[k] ?? 0;
  return {
    valid: get('account_issued') + get('valid'),
    code_not_found: get('code_not_found'),
    invalid: get('rejected') + get('invalid'),
    details_updated: get('details_updated'),
    account_stopped: get('account_stopped'),
  };
}

/** One officer's decisions by Trạng thái (from an older service every approval counts as valid). */
export function officerVerdicts(o: DailyReport['perOfficer'][number]): Record<Verdict, number> {
  return (
    o.verdicts ?? {
      valid: o.valid,
      code_not_found: 0,
      invalid: o.invalid,
      details_updated: 0,
      account_stopped: 0,
    }
  );
}

export type DeliveryLag = { queued: number; lagSeconds: number };

/** `instance`: which service instance answered (several share one database behind a load balancer). */
export type Health = { ok: true; instance?: string; delivery?: DeliveryLag };

export type AttachmentPutResponse = { id: string; sha256: string };

export type { DossierStatus };
