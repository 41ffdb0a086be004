// The workstation's local store: an encrypted SQLite file (better-sqlite3-multiple-ciphers, WAL) with the
// agency's dossiers, the durable outbox of decisions and images, sync state, caches for offline work
// and an audit trail of what this workstation did. LocalStore is the one door to it: each area is a
// module of plain functions over the store's typed handle (db.ts), and this class only holds the
// handle and names the operations. Its connection is private: the sync engine, the handlers and the
// session reach the data through these methods only (tests and benchmarks inspect the file through
// inspect.ts, which check:deps keeps out of the app).

import type {
  Agency,
  DeclarationRequest,
  DecisionRequest,
  DecisionResult,
  Dossier,
  DossierSummary,
  RejectionReason,
  StaffUser,
} from '../../../contract/index.js';
import type { DossierFilter, DossierList, OutboxItem, SortField } from '../../../contract/workstation.js';
import type { QualityReport, Recognition } from '../../../contract/scan.js';
import type { IntakeImage } from '../../../contract/workstationIntake.js';
import type { DeskValues } from '../../../contract/deskForm.js';
import type {
  DeskDeclaration,
  DeskImage,
  DeskRow,
  DeskSameIdToday,
} from '../../../contract/workstationDesk.js';
import * as caches from './caches.js';
import { openStoreDb, type StoreDb, type StoreOptions } from './db.js';
import { listDossiers } from './dossierList.js';
import * as desk from './desk.js';
import * as deskChain from './deskChain.js';
import * as deskViews from './deskViews.js';
import * as dossiers from './dossiers.js';
import * as images from './images.js';
import * as outbox from './outbox.js';
import * as state from './state.js';

export type { StoreOptions } from './db.js';
export { NewerStoreError } from './db.js';
export type { StoredCredential } from './caches.js';
export type { NewImage } from './images.js';
export type { AttachmentPayload, DueEntry, OutboxCounts } from './outbox.js';
export { nameMatchQuery } from './dossierList.js';
export type { DeskDecisionPayload, DeskRecord, NewDeskImage } from './desk.js';
export type { DeskListFilter } from './deskViews.js';
export type { DeskAnswer, DeskDueStep } from './deskChain.js';

export class LocalStore {
  private readonly db: StoreDb;

  constructor(options: StoreOptions) {
    // A first sync cut short by a crash left the dossiers without their indexes: restore them before
    // any migration expects them.
    this.db = openStoreDb(options, (h) => {
      if (dossiers.bulkLoadUnfinished(h)) dossiers.endBulkLoad(h);
    });
  }

  close(): void {
    this.db.db.close();
  }

  // ------------------------------------------------------------ first sync in bulk (dossiers.ts)

  /** True while a first sync loads without secondary indexes (beginBulkLoad … endBulkLoad). */
  get bulkLoading(): boolean {
    return this.db.bulk;
  }
  beginBulkLoad(): boolean {
    return dossiers.beginBulkLoad(this.db);
  }
  endBulkLoad(): void {
    dossiers.endBulkLoad(this.db);
  }

  // ------------------------------------------------------------ state, audit (state.ts)

  getState(key: string): string | null {
    return state.getState(this.db, key);
  }
  setState(key: string, value: string): void {
    state.setState(this.db, key, value);
  }
  deviceId(): string {
    return state.deviceId(this.db);
  }
  audit(action: string, username: string | null, dossierId: string | null = null, detail?: string): void {
    state.audit(this.db, action, username, dossierId, detail);
  }
  auditTrail(limit = 100): state.AuditEntry[] {
    return state.auditTrail(this.db, limit);
  }

  // ------------------------------------------------------------ dossiers (dossiers.ts, dossierList.ts)

  agenciesPresent(): string[] {
    return dossiers.agenciesPresent(this.db);
  }
  /** Dossiers from the service (and tombstones), newest version winning, in one transaction. */
  applyDossiers(list: readonly Dossier[], deletedIds: readonly string[] = []): void {
    this.db.db.transaction(() => dossiers.applyDossiers(this.db, list, deletedIds))();
  }
  applyChangePage(
    list: readonly Dossier[],
    deletedIds: readonly string[],
    seqKey: string,
    lastSeq: number,
  ): void {
    dossiers.applyChangePage(this.db, list, deletedIds, seqKey, lastSeq);
  }
  getDossier(id: string): Dossier | null {
    return dossiers.getDossier(this.db, id);
  }
  countDossiers(): number {
    return dossiers.countDossiers(this.db);
  }
  listDossiers(
    filter: DossierFilter,
    sort: { field: SortField; order: 'asc' | 'desc' },
    offset: number,
    limit: number,
    agencyScope: readonly string[] | null,
  ): DossierList {
    return listDossiers(this.db, filter, sort, offset, limit, agencyScope);
  }
  sameCode(bhxhCode: string, exceptId: string): DossierSummary[] {
    return dossiers.sameCode(this.db, bhxhCode, exceptId);
  }
  findForReader(
    by: { idNumbers: readonly string[] } | { dossierNumber: string },
    agencyScope: readonly string[],
  ): DossierSummary[] {
    return dossiers.findForReader(this.db, by, agencyScope);
  }

  // ------------------------------------------------------------ outbox (outbox.ts)

  recordDecision(input: { request: DecisionRequest; dossierId: string; user: StaffUser }): OutboxItem {
    return outbox.recordDecision(this.db, input);
  }
  outboxItem(id: string): OutboxItem | null {
    return outbox.outboxItem(this.db, id);
  }
  decisionPayload(id: string): DecisionRequest | null {
    return outbox.decisionPayload(this.db, id);
  }
  latestDecision(dossierId: string): OutboxItem | null {
    return outbox.latestDecision(this.db, dossierId);
  }
  outboxItems(limit = 500): OutboxItem[] {
    return outbox.outboxItems(this.db, limit);
  }
  outboxCounts(username: string | null): outbox.OutboxCounts {
    return outbox.outboxCounts(this.db, username);
  }
  dueEntries(username: string, nowMs: number, limit: number): outbox.DueEntry[] {
    return outbox.dueEntries(this.db, username, nowMs, limit);
  }
  nextDueAt(username: string): number | null {
    return outbox.nextDueAt(this.db, username);
  }
  hasQueuedDecision(dossierId: string): boolean {
    return outbox.hasQueuedDecision(this.db, dossierId);
  }
  /** The service accepted the decision: record its result and apply its dossier. */
  markSynced(id: string, result: DecisionResult, dossier: Dossier): void {
    this.markSyncedMany([{ id, result, dossier }]);
  }
  /** Several answers in one transaction (the sync engine groups those that arrive together). */
  markSyncedMany(answers: ReadonlyArray<{ id: string; result: DecisionResult; dossier: Dossier }>): void {
    outbox.markSyncedMany(this.db, answers);
  }
  markRefused(id: string, st: 'conflict' | 'expired' | 'failed', message: string, dossier?: Dossier): void {
    outbox.markRefused(this.db, id, st, message, dossier);
  }
  reschedule(id: string, attempts: number, nextAttemptAt: number, error: string): void {
    outbox.reschedule(this.db, id, attempts, nextAttemptAt, error);
  }
  attemptsOf(id: string): number {
    return outbox.attemptsOf(this.db, id);
  }
  retry(id: string, username: string): OutboxItem | null {
    return outbox.retry(this.db, id, username);
  }
  dismiss(id: string, username: string): OutboxItem | null {
    return outbox.dismiss(this.db, id, username);
  }

  // ------------------------------------------------------------ caches (caches.ts)

  saveCredential(agencyCode: string, username: string, c: caches.StoredCredential): void {
    caches.saveCredential(this.db, agencyCode, username, c);
  }
  credential(agencyCode: string, username: string): caches.StoredCredential | null {
    return caches.credential(this.db, agencyCode, username);
  }
  hasSignedIn(): boolean {
    return caches.anyCredential(this.db);
  }
  saveAgencies(list: readonly Agency[]): void {
    caches.saveAgencies(this.db, list);
  }
  agencies(): Agency[] {
    return caches.agencies(this.db);
  }
  agencyScope(agencyCode: string): string[] {
    return caches.agencyScope(this.db, agencyCode);
  }
  saveReasons(agencyCode: string, list: readonly RejectionReason[]): void {
    caches.saveReasons(this.db, agencyCode, list);
  }
  reasons(agencyCode: string): RejectionReason[] {
    return caches.reasons(this.db, agencyCode);
  }
  saveAttachment(a: caches.CachedAttachment): void {
    caches.saveAttachment(this.db, a);
  }
  attachment(id: string): { mediaType: string; content: Buffer; dossierId: string } | null {
    return caches.attachment(this.db, id);
  }

  // ------------------------------------------------------------ intake images (images.ts)

  recordImage(image: images.NewImage, user: StaffUser): IntakeImage {
    return images.recordImage(this.db, image, user);
  }
  saveRecognition(
    id: string,
    r: { recognition: Recognition | null; error: string | null; quality: QualityReport | null },
  ): void {
    images.saveRecognition(this.db, id, r);
  }
  image(id: string): IntakeImage | null {
    return images.image(this.db, id);
  }
  images(dossierId: string): IntakeImage[] {
    return images.images(this.db, dossierId);
  }
  imageContent(id: string): images.ImageContent | null {
    return images.imageContent(this.db, id);
  }
  markImageSent(id: string): void {
    images.markImageSent(this.db, id);
  }
  imageSent(id: string): boolean {
    return images.imageSent(this.db, id);
  }
  markImageSynced(id: string, attachmentId: string): void {
    images.markImageSynced(this.db, id, attachmentId);
  }
  markImageFailed(id: string, message: string): void {
    images.markImageFailed(this.db, id, message);
  }
  retryImage(id: string): IntakeImage | null {
    return images.retryImage(this.db, id);
  }

  // ------------------------------------------------------------ mobile desk (desk.ts, deskChain.ts)

  deskDraft(user: StaffUser, newId: string, fresh: boolean): DeskDeclaration {
    return desk.deskDraft(this.db, user, newId, fresh);
  }
  saveDeskDraft(id: string, values: DeskValues, sources: DeskDeclaration['sources'] | null): void {
    desk.saveDeskDraft(this.db, id, values, sources);
  }
  discardDeskDraft(id: string): boolean {
    return desk.discardDeskDraft(this.db, id);
  }
  deskDeclaration(id: string): DeskDeclaration | null {
    return deskViews.deskDeclaration(this.db, id);
  }
  /** The declaration's owner, agency and state, without building its view. */
  deskOwner(
    id: string,
  ): { username: string; agencyCode: string; state: 'draft' | 'recorded'; ref: string } | null {
    const r = deskViews.declRow(this.db, id);
    return r ? { username: r.username, agencyCode: r.agency_code, state: r.state, ref: r.ref } : null;
  }
  addDeskImage(img: desk.NewDeskImage, username: string): DeskImage {
    return desk.addDeskImage(this.db, img, username);
  }
  saveDeskRecognition(
    imageId: string,
    r: { recognition: Recognition | null; error: string | null; quality: QualityReport | null },
  ): void {
    desk.saveDeskRecognition(this.db, imageId, r);
  }
  deskImage(imageId: string): DeskImage | null {
    return desk.deskImage(this.db, imageId);
  }
  deskImageContent(imageId: string): ReturnType<typeof desk.deskImageContent> {
    return desk.deskImageContent(this.db, imageId);
  }
  recordDesk(r: desk.DeskRecord): DeskDeclaration {
    return desk.recordDesk(this.db, r);
  }
  deskDecide(id: string, stepId: string, p: desk.DeskDecisionPayload, username: string): void {
    desk.deskDecide(this.db, id, stepId, p, username);
  }
  correctDesk(id: string, values: DeskValues, request: DeclarationRequest, username: string): void {
    desk.correctDesk(this.db, id, values, request, username);
  }
  retryDesk(id: string): number {
    return desk.retryDesk(this.db, id);
  }
  deskSameIdToday(idNumber: string, day: string, exceptId: string): DeskSameIdToday[] {
    return deskViews.deskSameIdToday(this.db, idNumber, day, exceptId);
  }
  deskList(filter: deskViews.DeskListFilter, agencyScope: readonly string[]): DeskRow[] {
    return deskViews.deskList(this.db, filter, agencyScope);
  }
  deskByRef(raw: string): DeskDeclaration | null {
    const r = deskViews.deskByRef(this.db, raw);
    return r ? deskViews.deskDeclaration(this.db, r.id) : null;
  }
  deskByDossier(by: { dossierId?: string; dossierNumber?: string }): DeskDeclaration | null {
    const r = deskViews.deskByDossier(this.db, by);
    return r ? deskViews.deskDeclaration(this.db, r.id) : null;
  }
  deskCounts(): { queued: number; needsFix: number } {
    return deskViews.deskCounts(this.db);
  }
  purgeDeskImages(cutoff: string): number {
    return deskViews.purgeDeskImages(this.db, cutoff);
  }
  nextDeskIntake(username: string, nowMs: number): deskChain.DeskDueStep | null {
    return deskChain.nextDeskIntake(this.db, username, nowMs);
  }
  dueDeskSteps(
    username: string,
    nowMs: number,
    limit: number,
    skip: ReadonlySet<string>,
  ): deskChain.DeskDueStep[] {
    return deskChain.dueDeskSteps(this.db, username, nowMs, limit, skip);
  }
  nextDeskStep(declarationId: string, nowMs: number): deskChain.DeskDueStep | null {
    return deskChain.nextDeskStep(this.db, declarationId, nowMs);
  }
  deskNextDueAt(username: string): number | null {
    return deskChain.deskNextDueAt(this.db, username);
  }
  fixDecisionBase(stepId: string, baseVersion: number): desk.DeskDecisionPayload {
    return deskChain.fixDecisionBase(this.db, stepId, baseVersion);
  }
  markDeskImageSent(stepId: string): void {
    deskChain.markDeskImageSent(this.db, stepId);
  }
  markDeskStepSynced(stepId: string, answer: deskChain.DeskAnswer): void {
    deskChain.markDeskStepSynced(this.db, stepId, answer);
  }
  markDeskStepFailed(stepId: string, message: string, fields: Record<string, string> | null): void {
    deskChain.markDeskStepFailed(this.db, stepId, message, fields);
  }
  deskStepAttempts(stepId: string): number {
    return deskChain.deskStepAttempts(this.db, stepId);
  }
  rescheduleDeskStep(stepId: string, nextAttemptAt: number, error: string): number {
    return deskChain.rescheduleDeskStep(this.db, stepId, nextAttemptAt, error);
  }
}
