// The typed workstation API (DESIGN.md §2, STYLE.md §2): one map of `domain.verb` methods, each with one
// JSON input object and a result as a value. The renderer calls it through `window.workstation` (Electron
// preload, contextBridge) or the local HTTP host (development, browser tests); both transports go
// through one dispatcher that validates every input with the schemas below.

import { z } from 'zod';
import { codeField, DATE_BOUNDS, dateField, idText, textField, uuidField } from './input.js';
import {
  VERDICTS,
  type Agency,
  type Dossier,
  type DossierStatus,
  type DossierSummary,
  type RejectionReason,
  type StaffUser,
} from './domain.js';
import type { ErrorCode } from './api.js';
import type { OutboxItem, OutboxState } from './outbox.js';
import type { ScanErrorCode } from './scan.js';
import { IntakeInputs, type IntakeEvent, type IntakeOutputs } from './workstationIntake.js';
import { PrintInputs, type PrintEvent, type PrintOutputs } from './workstationPrint.js';
import { DeskInputs, type DeskEvent, type DeskOutputs } from './workstationDesk.js';
import { SettingsInputs, type SettingsOutputs, type UpdateEvent } from './workstationSettings.js';

export type { OutboxItem, OutboxState } from './outbox.js';

/** Codes only the workstation gives: they have no meaning on the service or in the scanner part. */
export type LocalErrorCode =
  /** the central service cannot be reached (the work goes on offline) */
  | 'offline'
  /** sign-in needs the service: no credential of this officer cached here in the last days */
  | 'offline_unavailable'
  /** renderer: the workstation's local host stopped answering */
  | 'host_unreachable'
  /** local host: only POST calls */
  | 'method_not_allowed'
  /** a notice of a decision the service has not yet confirmed */
  | 'not_synced'
  /** a notice of a dossier without a decision */
  | 'not_decided'
  /** Ghi nhận on a dossier whose decision is already recorded (here, or on the service): final */
  | 'already_decided'
  | 'print_failed'
  | 'save_failed'
  /** the disk has no room for more images (the mobile desk refuses them before the disk fills) */
  | 'disk_full'
  /** updates: none configured here, or the update could not be fetched or verified */
  | 'update_failed'
  /** a restart refused while the outbox is being sent (try again when it has finished) */
  | 'sync_in_progress';

/**
 * Every code a workstation call can fail with: the service's (API.md, passed through as they came),
 * the scanner part's, and the workstation's own. One name per meaning: a change of details approved
 * without Xác nhận is `confirmation_required` and anything over a size limit `payload_too_large`,
 * wherever it was found.
 */
export type WsErrorCode = ErrorCode | ScanErrorCode | LocalErrorCode;

/** Errors cross the transport as values, never as thrown exceptions. */
export type WsError = {
  code: WsErrorCode;
  /** Vietnamese sentence for the officer. */
  message: string;
  fields?: Record<string, string>;
  /** 409 on a decision: the dossier as the service has it now. */
  dossier?: Dossier;
};
export type WsResult<T> = { ok: true; value: T } | { ok: false; error: WsError };

// ---------------------------------------------------------------- input schemas (checked at the boundary)

const empty = z.object({}).strict();
const id = z.object({ id: idText() }).strict();

export const SortField = z.enum([
  'receivedAt',
  'dossierNumber',
  'bhxhCode',
  'fullName',
  'address',
  'contactPerson',
  'mobile',
  'reviewer',
  'decidedAt',
  'outcome',
]);
export type SortField = z.infer<typeof SortField>;

export const DossierFilter = z
  .object({
    dossierNumber: textField({ max: 40 }).optional(),
    bhxhCode: textField({ max: 10 }).optional(),
    /** Họ và tên: diacritic-insensitive, đ = d. */
    name: textField({ max: 200 }).optional(),
    /** YYYY-MM-DD, on receivedAt (declaredAt when not yet received): real days, as the service's list. */
    from: dateField(DATE_BOUNDS.filter, 'Từ ngày').optional(),
    to: dateField(DATE_BOUNDS.filter, 'Đến ngày').optional(),
    status: z.enum(['pending', 'decided', 'expired']).optional(),
    outcome: z.enum(['valid', 'invalid']).optional(),
    /** Trạng thái as the list shows it (domain.ts verdictOf): code not in HGD apart from an issued account. */
    verdict: z.enum(VERDICTS).optional(),
  })
  .strict();
export type DossierFilter = z.infer<typeof DossierFilter>;

const CoreInputs = {
  'app.info': empty,
  'agencies.list': empty,
  'session.current': empty,
  'session.captcha': empty,
  /** The service's LoginRequest rules (contract/api.ts), so a malformed sign-in never leaves the desk. */
  'session.signIn': z
    .object({
      agencyCode: codeField(10),
      username: textField({ max: 64, required: true }),
      password: textField({ max: 256, required: true, raw: true }),
      captchaId: uuidField().optional(),
      captchaAnswer: textField({ max: 32 }).optional(),
    })
    .strict(),
  'session.signOut': empty,
  'dossiers.list': z
    .object({
      filter: DossierFilter.default({}),
      sort: z
        .object({ field: SortField, order: z.enum(['asc', 'desc']) })
        .strict()
        .default({ field: 'receivedAt', order: 'desc' }),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(5000).default(200),
    })
    .strict(),
  'dossiers.open': id,
  /** The open dossier again, from the local store only (no claim, no service call): after its decision. */
  'dossiers.get': id,
  'dossiers.close': id,
  'attachments.get': z.object({ id: idText(), dossierId: idText() }).strict(),
  'reasons.list': empty,
  'decisions.record': z
    .object({
      dossierId: idText(),
      outcome: z.enum(['valid', 'invalid']),
      /** The service's DecisionRequest rules; which outcome takes a reason is decisionReasonProblem's. */
      reasonCodes: z.array(codeField(32)).max(20).default([]),
      reason: textField({ max: 2000, multiline: true }).default(''),
      confirmUpdate: z.boolean().optional(),
    })
    .strict(),
  'sync.status': empty,
  'sync.now': empty,
  'sync.items': empty,
  'sync.retry': id,
  'sync.dismiss': id,
} as const;

/**
 * Every method: the core ones here, printing (contract/workstationPrint.ts), intake
 * (workstationIntake.ts), the mobile desk (workstationDesk.ts), settings and support
 * (workstationSettings.ts).
 */
export const Inputs = {
  ...CoreInputs,
  ...PrintInputs,
  ...IntakeInputs,
  ...DeskInputs,
  ...SettingsInputs,
} as const;

export type Method = keyof typeof Inputs;
export type Input<M extends Method> = z.input<(typeof Inputs)[M]>;
export type ParsedInput<M extends Method> = z.output<(typeof Inputs)[M]>;

// ---------------------------------------------------------------- values

export type SessionInfo = {
  user: StaffUser;
  /** Signed in from the cached credential, without the service. */
  offline: boolean;
  signedInAt: string;
};

/** One row of the list: the seed's columns plus what this workstation knows locally. */
export type DossierRow = DossierSummary & {
  /** A decision of this workstation not yet accepted by the service. */
  localState: OutboxState | null;
};

export type DossierList = { total: number; offset: number; rows: DossierRow[] };

export type DossierView = {
  dossier: Dossier;
  /** Other dossiers of the same Mã số BHXH (the seed's 00077/00078). */
  sameCode: DossierSummary[];
  /** The latest decision of this workstation on the dossier, if any. */
  decision: OutboxItem | null;
  agencyName: string | null;
  agencyAddress: string | null;
  agencyPhone: string | null;
  claim: { claimedBy: string; claimedUntil: string } | null;
};

export type DecisionOutcome = {
  item: OutboxItem;
  /** The service accepted it before `decisions.record` returned. */
  synced: boolean;
};

export type SyncStatus = {
  online: boolean;
  queued: number;
  failed: number;
  conflicts: number;
  /** Queued decisions of other officers, waiting for them to sign in. */
  waitingForOthers: number;
  /** Scanned or attached images not yet sent to the service (of every officer on this workstation). */
  uploadsQueued: number;
  /** Images the service refused (shown on their dossier, with Thử lại). */
  uploadsFailed: number;
  /** Mobile-desk declarations whose chain the service has not finished accepting (Kê khai chờ gửi). */
  deskQueued: number;
  /** Mobile-desk declarations with a refused step (Kê khai cần sửa). */
  deskNeedsFix: number;
  lastSyncAt: string | null;
  lastError: string | null;
  syncing: boolean;
  dossiers: number;
  /** The service no longer accepts this session: sign in again. */
  needsSignIn: boolean;
};

export type AppInfo = {
  version: string;
  deviceId: string;
  serviceUrl: string;
  transport: 'electron' | 'http';
};

export type AttachmentData = { id: string; mediaType: string; dataUrl: string };

type CoreOutputs = {
  'app.info': AppInfo;
  'agencies.list': Agency[];
  'session.current': SessionInfo | null;
  'session.captcha': { captchaId: string; svg: string };
  'session.signIn': SessionInfo;
  'session.signOut': null;
  'dossiers.list': DossierList;
  'dossiers.open': DossierView;
  'dossiers.get': DossierView;
  'dossiers.close': null;
  'attachments.get': AttachmentData;
  'reasons.list': RejectionReason[];
  'decisions.record': DecisionOutcome;
  'sync.status': SyncStatus;
  'sync.now': SyncStatus;
  'sync.items': OutboxItem[];
  'sync.retry': OutboxItem;
  'sync.dismiss': OutboxItem;
};

export type Outputs = CoreOutputs & PrintOutputs & IntakeOutputs & DeskOutputs & SettingsOutputs;

/** The API as the renderer sees it. */
export type WorkstationApi = {
  call<M extends Method>(method: M, input: Input<M>): Promise<WsResult<Outputs[M]>>;
  /** Subscribe to events; returns the unsubscribe function. */
  on(listener: (event: WsEvent) => void): () => void;
};

/** Handlers as the services implement them (inputs already validated). */
export type Handlers = {
  [M in Method]: (input: ParsedInput<M>) => Promise<Outputs[M]>;
};

// ---------------------------------------------------------------- events (services → renderer)

export type WsEvent =
  | PrintEvent
  | UpdateEvent
  | IntakeEvent
  | DeskEvent
  | { type: 'sync.status'; status: SyncStatus }
  | { type: 'dossiers.changed'; count: number }
  | { type: 'session.changed'; session: SessionInfo | null }
  | { type: 'decision.updated'; item: OutboxItem };

export const METHODS = Object.keys(Inputs) as Method[];

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(Inputs, name);
}

export type { DossierStatus };
