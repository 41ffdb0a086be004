// The workstation's outbox as the API shows it (DESIGN.md §4): one entry per decision of an officer,
// kept until the service answers, with the state the screens and the reconciliation sheet show.

import type { DecisionResult, Outcome } from './domain.js';

export type OutboxState =
  /** waiting to be sent (or retrying after a network failure) */
  | 'queued'
  /** accepted by the service; `result` says what it concluded */
  | 'synced'
  /** someone else decided or changed the dossier first: the officer must decide again */
  | 'conflict'
  /** the dossier expired before the decision arrived */
  | 'expired'
  /** refused by the service for another reason (the officer can retry or dismiss) */
  | 'failed'
  /** the officer dismissed it, or decided again after a conflict */
  | 'dismissed';

export type OutboxItem = {
  id: string;
  dossierId: string;
  dossierNumber: string;
  fullName: string;
  outcome: Outcome;
  reasonCodes: string[];
  reason: string;
  confirmUpdate: boolean;
  baseVersion: number;
  username: string;
  /** The officer's display name (their user name where this workstation does not know it). */
  officerName: string;
  /** The officer's agency. */
  agencyCode: string;
  /** The dossier's agency (null when the dossier is no longer in the store). */
  dossierAgencyCode: string | null;
  state: OutboxState;
  attempts: number;
  lastError: string | null;
  result: DecisionResult | null;
  createdAt: string;
  updatedAt: string;
};

/** Each state in the same words on the status bar, the sync panel and the reconciliation sheet. */
export const OUTBOX_STATE_LABEL: Readonly<Record<OutboxState, string>> = {
  queued: 'Chờ đồng bộ',
  synced: 'Đã đồng bộ',
  conflict: 'Xung đột: cán bộ khác đã xử lý trước',
  expired: 'Hồ sơ đã quá hạn',
  failed: 'Gửi không thành công',
  dismissed: 'Đã bỏ qua',
};

export const OUTBOX_STATE_COLOR: Readonly<Record<OutboxState, string>> = {
  queued: 'orange',
  synced: 'green',
  conflict: 'red',
  expired: 'default',
  failed: 'red',
  dismissed: 'default',
};
