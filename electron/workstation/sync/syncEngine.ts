// The sync engine (DESIGN.md §4): pushes the outbox with each entry's uuid as the idempotency key, pulls
// the change feed page by page, backs off with jitter, and notices when the service goes away and comes
// back. It never drops a queued decision on its own: entries leave `queued` only on an answer of the
// service (synced / conflict / expired / failed), and only the officer dismisses those. Scanned and
// attached images travel in the same outbox (kind 'attachment') with the same retries.

import {
  backoffDelay,
  type Backoff,
  type DecisionRequest,
  type DecisionResult,
  type Dossier,
} from '../../../contract/index.js';
import type { OutboxItem, SyncStatus } from '../../../contract/workstation.js';
import type { IntakeImage } from '../../../contract/workstationIntake.js';
import type { Logger } from '../log.js';
import { notifyEach } from '../notify.js';
import type { SessionService } from '../session.js';
import type { AttachmentPayload, LocalStore } from '../store/localStore.js';
import { DeskChainSender } from './deskChain.js';
import { pullFeed } from './feed.js';
import { type HttpSyncClient, NetworkError, ServiceError } from './httpSyncClient.js';

export type SyncEngineOptions = {
  /** Pull the change feed this often while online (ms). */
  pullIntervalMs?: number;
  /** First retry delay after a failure (ms); doubles per attempt up to maxBackoffMs. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Decisions sent at once while draining the outbox (24). The service writes the decisions that
   * arrive together in one transaction, so a drain is paced by round trips more than by work: 10,000
   * decisions took 21–25 s with 12 in flight and 18.5–21 s with 24 on the 2-core machine.
   */
  concurrency?: number;
  pageSize?: number;
  /** Where errors the engine rides over are written (ctx.log). */
  log?: Logger;
  random?: () => number;
  now?: () => Date;
};

export type SyncListener = {
  status(s: SyncStatus): void;
  dossiersChanged(count: number): void;
  decisionUpdated(item: OutboxItem): void;
  /** a mobile desk's chain moved (a step accepted, refused or rescheduled) */
  deskChanged?(declarationId: string): void;
};

/** Answers recorded together at most (markSyncedSoon), and the longest an answer waits to be recorded. */
const SYNCED_GROUP = 32;
const SYNCED_WAIT_MS = 15;

export class SyncEngine {
  private online = true;
  private syncing = false;
  private lastSyncAt: string | null = null;
  private lastError: string | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private probeAttempt = 0;
  /** Renewals of the service session refused for now (429, 5xx) in a row: their backoff. */
  private renewAttempt = 0;
  /**
   * A renewal refused for now waits for its backoff timer: passes started meanwhile (a new decision,
   * the pull) do not ask the service again ahead of it, or an office of desks deciding would each add
   * a sign-in to a service that already said "not now". Only the timer or "Đồng bộ ngay" ends it.
   */
  private renewalHeld = false;
  private stopped = false;
  private readonly imageListeners = new Set<(image: IntakeImage) => void>();
  private readonly desk: DeskChainSender;
  private readonly opts: Required<Omit<SyncEngineOptions, 'now' | 'random' | 'log'>> & {
    now: () => Date;
    random: () => number;
  };
  private readonly log: Logger | undefined;

  constructor(
    private readonly store: LocalStore,
    private readonly client: HttpSyncClient,
    private readonly session: SessionService,
    private readonly listener: SyncListener,
    options: SyncEngineOptions = {},
  ) {
    this.opts = {
      pullIntervalMs: options.pullIntervalMs ?? 30_000,
      baseBackoffMs: options.baseBackoffMs ?? 1_000,
      maxBackoffMs: options.maxBackoffMs ?? 60_000,
      // A drain of 10,000 queued decisions on the 2-core test machine (tests/bench/workstation-sync.ts):
      // 6 in flight 39–42 s and 12 in flight 33 s before the service batched decisions; see above.
      concurrency: options.concurrency ?? 24,
      pageSize: options.pageSize ?? 1000,
      random: options.random ?? Math.random,
      now: options.now ?? (() => new Date()),
    };
    this.desk = new DeskChainSender(
      store,
      client,
      {
        now: this.opts.now,
        random: this.opts.random,
        backoff: () => this.backoff(),
        // Each chain is a few steps in a row: eight chains at once keep the round trips overlapping.
        concurrency: Math.max(1, Math.min(8, this.opts.concurrency)),
      },
      (id) => listener.deskChanged?.(id),
    );
    this.log = options.log;
  }

  status(): SyncStatus {
    const user = this.session.user();
    const c = this.store.outboxCounts(user?.username ?? null);
    const desk = this.store.deskCounts();
    return {
      online: this.online,
      queued: c.queued,
      failed: c.failed,
      conflicts: c.conflicts,
      waitingForOthers: c.others,
      uploadsQueued: c.uploadsQueued,
      uploadsFailed: c.uploadsFailed,
      deskQueued: desk.queued,
      deskNeedsFix: desk.needsFix,
      lastSyncAt: this.lastSyncAt,
      lastError: this.lastError,
      syncing: this.syncing,
      dossiers: this.store.countDossiers(),
      needsSignIn: this.session.needsSignIn(),
    };
  }

  /** Follow the uploads of scanned and attached images (their state after each answer). */
  onImageUpdated(listener: (image: IntakeImage) => void): () => void {
    this.imageListeners.add(listener);
    return () => this.imageListeners.delete(listener);
  }

  isOnline(): boolean {
    return this.online;
  }

  private backoff(): Backoff {
    return { baseMs: this.opts.baseBackoffMs, maxMs: this.opts.maxBackoffMs };
  }

  private emitStatus(): void {
    this.listener.status(this.status());
  }

  start(): void {
    this.stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
    this.recordSyncedNow();
  }

  /** Run a sync pass now (or right after the current one). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Wait for the current pass (and one more, so the caller's change is included). */
  async syncNow(): Promise<SyncStatus> {
    this.renewalHeld = false;
    this.kick();
    this.again = true;
    while (this.running) await this.running;
    return this.status();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.renewalHeld = false;
      this.kick();
    }, ms);
    this.timer.unref?.();
  }

  private wentOffline(err: NetworkError): void {
    if (this.online) this.probeAttempt = 0;
    this.online = false;
    this.lastError = err.message;
  }

  private async pass(): Promise<void> {
    if (!this.session.user()) {
      this.emitStatus();
      return;
    }
    this.syncing = true;
    this.emitStatus();
    try {
      if (!this.online) {
        await this.client.health();
        this.online = true;
        this.probeAttempt = 0;
      }
      if (!this.session.hasServiceSession() && !this.session.needsSignIn()) {
        if (this.renewalHeld) return;
        if (!(await this.session.renew())) {
          if (!this.session.needsSignIn()) this.renewAttempt += 1;
          throw new Error(this.session.needsSignIn() ? 'needs sign-in' : 'renew');
        }
        this.renewAttempt = 0;
      }
      if (!this.session.hasServiceSession()) return;
      await this.pushDue();
      await this.desk.push(this.session.requireUser().username);
      await this.pull();
      this.lastSyncAt = this.opts.now().toISOString();
      this.lastError = null;
    } catch (err) {
      if (err instanceof NetworkError) this.wentOffline(err);
      else if (err instanceof ServiceError && err.status === 401) {
        this.session.tokenRejected();
        this.lastError = 'Phiên trên máy chủ đã hết hạn: đang đăng nhập lại.';
        this.again = true;
      } else if (err instanceof ServiceError) this.lastError = err.message;
      else if (this.session.needsSignIn()) this.lastError = 'Máy chủ yêu cầu đăng nhập lại để đồng bộ.';
      else if (this.renewAttempt > 0)
        this.lastError = 'Máy chủ đang bận, chưa gia hạn được phiên làm việc: sẽ tự thử lại sau ít giây.';
      else this.lastError = 'Đồng bộ chưa thành công, sẽ thử lại.';
    } finally {
      this.syncing = false;
      this.emitStatus();
      this.scheduleNext();
    }
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const user = this.session.user();
    if (!user) return;
    if (!this.online) {
      this.schedule(backoffDelay(++this.probeAttempt, this.backoff(), this.opts.random));
      return;
    }
    if (this.renewAttempt > 0 && !this.session.hasServiceSession() && !this.session.needsSignIn()) {
      // The renewal was refused for now: again after the backoff, or when the service said if later,
      // but never later than the longest backoff (a desk asking once a minute costs the service nothing).
      if (this.renewalHeld && this.timer) return; // already due at its time
      const asked = this.session.renewalRetryAfterMs() ?? 0;
      const backoff = backoffDelay(this.renewAttempt, this.backoff(), this.opts.random);
      this.renewalHeld = true;
      this.schedule(Math.min(Math.max(asked, backoff), this.opts.maxBackoffMs));
      return;
    }
    const dues = [this.store.nextDueAt(user.username), this.store.deskNextDueAt(user.username)].filter(
      (t): t is number => t !== null,
    );
    const due = dues.length > 0 ? Math.min(...dues) : null;
    const untilDue = due === null ? Infinity : Math.max(0, due - this.opts.now().getTime());
    this.schedule(Math.min(this.opts.pullIntervalMs, untilDue));
  }

  /** Send every due entry of the signed-in officer, a few at a time, oldest first. */
  private async pushDue(): Promise<void> {
    const user = this.session.user();
    if (!user) return;
    for (;;) {
      const due = this.store.dueEntries(user.username, this.opts.now().getTime(), this.opts.concurrency * 20);
      if (due.length === 0) return;
      // Entries of one dossier go in order; different dossiers in parallel.
      const queue = [...due];
      let networkFailure: NetworkError | null = null;
      let unauthorized: ServiceError | null = null;
      const worker = async (): Promise<void> => {
        while (queue.length > 0 && !networkFailure && !unauthorized) {
          const entry = queue.shift()!;
          try {
            if (entry.kind === 'attachment') await this.pushImage(entry.id, entry.dossierId, entry.payload);
            else await this.pushOne(entry.id, entry.dossierId, entry.payload);
          } catch (err) {
            if (err instanceof NetworkError) networkFailure = err;
            else if (err instanceof ServiceError && err.status === 401) unauthorized = err;
            else throw err;
          }
        }
      };
      try {
        await Promise.all(Array.from({ length: this.opts.concurrency }, worker));
      } finally {
        this.recordSyncedNow();
      }
      const failure = this.recordFailure;
      this.recordFailure = null;
      if (failure) throw failure;
      this.emitStatus();
      if (networkFailure) throw networkFailure;
      if (unauthorized) throw unauthorized;
    }
  }

  private synced: Array<{ id: string; result: DecisionResult; dossier: Dossier }> = [];
  private syncedTimer: NodeJS.Timeout | null = null;
  private recordFailure: unknown = null;

  /**
   * Records an answer soon, together with the others that arrive within a few milliseconds, in one
   * transaction: a commit cost the workstation about 0.7 ms, more than recording an answer (0.15 ms),
   * so a drain recorded answers four at a time spent most of its share committing. The sender does
   * not wait: a crash before the answer is recorded re-sends the entry later, and the service
   * answers the same decisionId with the same answer. Every batch of sends ends with
   * `recordSyncedNow`, so a pass never finishes with an answer unrecorded.
   */
  private markSyncedSoon(id: string, result: DecisionResult, dossier: Dossier): void {
    this.synced.push({ id, result, dossier });
    if (this.synced.length >= SYNCED_GROUP) this.recordSyncedNow();
    else this.syncedTimer ??= setTimeout(() => this.recordSyncedNow(), SYNCED_WAIT_MS);
  }

  /** Records the answers waiting (markSyncedSoon) and tells the screens; a failure is kept for the pass. */
  private recordSyncedNow(): void {
    if (this.syncedTimer) clearTimeout(this.syncedTimer);
    this.syncedTimer = null;
    const answers = this.synced;
    this.synced = [];
    if (answers.length === 0) return;
    try {
      this.store.markSyncedMany(answers);
    } catch (err) {
      // The entries stay queued and go again; the pass reports the failure.
      this.recordFailure ??= err;
      return;
    }
    for (const a of answers) {
      const item = this.store.outboxItem(a.id);
      if (item) this.listener.decisionUpdated(item);
    }
  }

  /**
   * One decision to the service. Answers are recorded; a network failure or a transient answer
   * (5xx, 429) reschedules the entry with backoff and rethrows network failures to the caller.
   */
  private async pushOne(id: string, dossierId: string, payload: DecisionRequest): Promise<void> {
    try {
      const res = await this.client.decide(dossierId, payload);
      this.markSyncedSoon(id, res.result, res.dossier);
      return; // the screens hear of it when it is recorded
    } catch (err) {
      if (this.rescheduleTransient(id, err)) {
        if (err instanceof NetworkError) throw err;
        return;
      }
      if (!(err instanceof ServiceError)) throw err;
      if (err.status === 401) throw err;
      if (err.status === 409) {
        const current = (err.body as { dossier?: Dossier } | null)?.dossier;
        this.store.markRefused(
          id,
          'conflict',
          `${err.message} Hồ sơ đã thay đổi trên máy chủ: xem lại và đánh giá lại.`,
          current,
        );
      } else if (err.status === 410) {
        this.store.markRefused(id, 'expired', err.message || 'Hồ sơ đã quá hạn, tự động xóa.');
      } else {
        this.store.markRefused(id, 'failed', err.message);
      }
    }
    const item = this.store.outboxItem(id);
    if (item) this.listener.decisionUpdated(item);
  }

  /** A transient failure (network, 5xx, 429): try again later with backoff. True when it was one. */
  private rescheduleTransient(id: string, err: unknown): boolean {
    if (
      !(err instanceof NetworkError) &&
      !(err instanceof ServiceError && (err.status >= 500 || err.status === 429))
    )
      return false;
    const attempts = this.store.attemptsOf(id) + 1;
    const delay = backoffDelay(attempts, this.backoff(), this.opts.random);
    this.store.reschedule(id, attempts, this.opts.now().getTime() + delay, err.message);
    return true;
  }

  /**
   * One image to the service (PUT …/attachments/:role). The service has no idempotency key for
   * attachments, so "applied once" rests on the `sent` mark: once a PUT may have gone out (crash, cut
   * mid-request, timeout), the next attempt first asks the service whether the dossier already holds
   * this image (same role, same sha256) and only sends it when it does not.
   */
  private async pushImage(id: string, dossierId: string, payload: AttachmentPayload): Promise<void> {
    try {
      // A decision recorded since this entry was picked goes first (see dueEntries).
      if (this.store.hasQueuedDecision(dossierId)) return;
      const img = this.store.imageContent(id);
      if (!img) {
        this.store.markImageFailed(id, 'Ảnh không còn trên máy trạm.');
      } else {
        let attachmentId: string | null = null;
        if (this.store.imageSent(id)) {
          const current = await this.client.dossier(dossierId);
          attachmentId =
            current.attachments.find((a) => a.role === payload.role && a.sha256 === payload.sha256)?.id ??
            null;
        }
        if (!attachmentId) {
          this.store.markImageSent(id);
          attachmentId = (
            await this.client.putAttachment(dossierId, payload.role, payload.mediaType, img.content)
          ).id;
        }
        this.store.markImageSynced(id, attachmentId);
        // The upload raised the dossier's version: take the service's copy now, so a decision recorded
        // next is made against it (the next pull would bring it too).
        try {
          this.store.applyDossiers([await this.client.dossier(dossierId)]);
        } catch (err) {
          // offline again: the pull after reconnecting brings it
          this.log?.info({ err, dossier: dossierId }, 'dossier not refreshed after upload');
        }
      }
    } catch (err) {
      if (this.rescheduleTransient(id, err)) {
        if (err instanceof NetworkError) {
          this.notifyImage(id);
          throw err;
        }
      } else if (err instanceof ServiceError && err.status !== 401) {
        this.store.markImageFailed(id, err.message);
      } else {
        throw err;
      }
    }
    this.notifyImage(id);
  }

  private notifyImage(id: string): void {
    const image = this.store.image(id);
    if (image)
      notifyEach(this.imageListeners, image, (err) => this.log?.error({ err }, 'image listener failed'));
  }

  /**
   * Send one just-recorded decision right away when the service is reachable, so the officer sees
   * "Cập nhật thành công" at once. Whatever happens, the entry stays in the outbox until answered.
   */
  async pushNow(id: string): Promise<OutboxItem | null> {
    const entry = this.store.outboxItem(id);
    const user = this.session.user();
    if (!entry || !user || entry.username !== user.username) return entry;
    if (!this.online || !this.session.hasServiceSession()) {
      this.kick();
      return entry;
    }
    const payload = this.store.decisionPayload(id);
    if (!payload) return entry;
    try {
      await this.pushOne(id, entry.dossierId, payload);
    } catch (err) {
      if (err instanceof NetworkError) this.wentOffline(err);
      else if (err instanceof ServiceError && err.status === 401) this.session.tokenRejected();
      this.kick();
    }
    // The officer is waiting for this answer: record it now.
    this.recordSyncedNow();
    if (this.recordFailure) {
      this.recordFailure = null;
      this.kick();
    }
    this.emitStatus();
    return this.store.outboxItem(id);
  }

  /** Pull the change feed after the last applied sequence, page by page (feed.ts). */
  private async pull(): Promise<void> {
    const user = this.session.user();
    if (!user) return;
    const total = await pullFeed(this.store, this.client, user.agencyCode, this.opts.pageSize);
    if (total > 0) this.listener.dossiersChanged(total);
  }
}
