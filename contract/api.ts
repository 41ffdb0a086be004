// The wire contract of the central service (../shared/API.md): request schemas (zod), error shape,
// response types. The server validates with these; the workstation's sync client types against them.

import { z } from 'zod';
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
  | 'account_locked'
  | 'captcha_required'
  | 'captcha_invalid'
  | 'too_many_requests'
  | 'internal';

export type ApiError = {
  error: { code: ErrorCode; message: string; fields?: Record<string, string> };
};

/** A 409 on a decision also carries the current dossier. */
export type ConflictError = ApiError & { dossier: Dossier };

// ---------------------------------------------------------------- auth

export const LoginRequest = z.object({
  agencyCode: z.string().min(1).max(10),
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
  captchaId: z.string().max(128).optional(),
  captchaAnswer: z.string().max(32).optional(),
});
export type LoginRequest = z.infer<typeof LoginRequest>;
export type LoginResponse = { token: string; expiresAt: string; user: StaffUser };
export type CaptchaResponse = { captchaId: string; svg: string };
export type AgenciesResponse = Agency[];

// ---------------------------------------------------------------- dossiers

export const DossierQuery = z.object({
  dossierNumber: z.string().max(40).optional(),
  bhxhCode: z.string().max(10).optional(),
  q: z.string().max(200).optional(),
  from: z.string().optional(), // YYYY-MM-DD
  to: z.string().optional(),
  status: z.enum(['pending', 'decided', 'expired']).optional(),
  outcome: z.enum(['valid', 'invalid']).optional(),
  /** What the decision concluded, e.g. code_not_found (approved, but no account: the code is not in HGD). */
  result: z.enum(DECISION_RESULTS).optional(),
  kind: z.enum(['register', 'update', 'stop']).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().max(200).optional(),
});
export type DossierQuery = z.infer<typeof DossierQuery>;
export type DossierListResponse = { items: DossierSummary[]; nextCursor: string | null };

export const ChangesQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
export type ChangesResponse = { changes: Change[]; lastSeq: number; hasMore: boolean };

const CertificateInput = z.object({
  serial: z.string().min(1).max(64),
  issuer: z.string().min(1).max(200),
  validFrom: z.string(),
  validTo: z.string(),
});

/**
 * A new declaration (portal or mobile-desk intake). Field shapes only: the service's validator adds
 * the domain checks (identity.ts) and answers 422 with Vietnamese messages per field.
 */
export const DeclarationRequest = z.object({
  clientId: z.string().uuid(),
  kind: z.enum(['register', 'update', 'stop']),
  agencyCode: z.string().min(1).max(10),
  fullName: z.string(),
  /** null (or blank) only from a mobile desk: the service resolves it from the ID number */
  bhxhCode: z.string().nullable(),
  idKind: z.enum(['cccd', 'cmnd', 'passport']),
  idNumber: z.string(),
  dateOfBirth: z.string().optional(),
  gender: z.enum(['Nam', 'Nữ']).optional(),
  address: z.string(),
  contactPerson: z.string(),
  email: z.string().nullable().optional(),
  mobile: z.string(),
  certificate: CertificateInput.nullable().optional(),
  channel: z.enum(['portal', 'ivan']),
  ivanName: z.string().max(200).nullable().optional(),
  effectiveDate: z.string().optional(),
  update: z
    .object({
      certificate: CertificateInput.nullable().optional(),
      email: z.string().nullable().optional(),
      mobile: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
  stop: z.object({ stopDate: z.string(), reason: z.string() }).nullable().optional(),
  submissionMethod: z.enum(['post', 'counter', 'mobile_desk']),
  /** the desk's name (e.g. "KCN Quang Minh"); required from a mobile desk, refused otherwise */
  deskName: z.string().nullable().optional(),
  /** the desk's time of declaring (ISO 8601 with offset); required from a mobile desk, refused otherwise */
  declaredAt: z.string().optional(),
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

export const ReceiveRequest = z.object({ clientId: z.string().uuid() });

export type ClaimResponse = { claimedBy: string; claimedUntil: string };

export const ReasonsUpdate = z.array(
  z.object({
    code: z.string().min(1).max(32),
    text: z.string().min(1).max(500),
    smsText: z.string().min(1).max(120),
  }),
);
export type ReasonsResponse = RejectionReason[];

// ---------------------------------------------------------------- decisions

export const DecisionRequest = z.object({
  decisionId: z.string().uuid(),
  outcome: z.enum(['valid', 'invalid']),
  reasonCodes: z.array(z.string().max(32)).max(20).optional(),
  reason: z.string().max(2000).optional(),
  baseVersion: z.number().int().min(0),
  confirmUpdate: z.boolean().optional(),
  decidedAt: z.string(),
  deviceId: z.string().min(1).max(128),
});
export type DecisionRequest = z.infer<typeof DecisionRequest>;
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
  idNumber: z.string().max(40).optional(),
  fullName: z.string().max(400).optional(),
  dateOfBirth: z.string().max(40).optional(),
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

export type Health = { ok: true };

export type AttachmentPutResponse = { id: string; sha256: string };

export type { DossierStatus };
