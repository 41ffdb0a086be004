// Sends the mobile desk's chains (DESIGN.md §4, one durable chain per person): the intake (POST
// /dossiers, idempotent by the clientId), each image (PUT …/attachments/:role, made once by the `sent`
// mark and a look at the dossier before any second PUT), the receipt (POST …/receive, which the
// service applies once) and the decision (its decisionId the idempotency key). Each step goes only
// after the one before it in its chain was accepted, and intakes go in the order people were
// registered, one at a time in their own lane, while up to `concurrency` chains send their later
// steps. A refusal (4xx) stops that chain alone with the service's message and fields; a network
// failure stops the pass (the engine goes offline and comes back); 5xx and 429 retry with backoff.

import { backoffDelay, type Backoff, type Dossier } from '../../../contract/index.js';
import { SERVICE_FIELD_TO_DESK } from '../../../contract/deskForm.js';
import type { DeskDueStep, LocalStore } from '../store/localStore.js';
import { type HttpSyncClient, NetworkError, ServiceError } from './httpSyncClient.js';

export type DeskChainOptions = {
  now: () => Date;
  random: () => number;
  backoff: () => Backoff;
  /** chains sending their later steps at once (the intake lane runs beside them) */
  concurrency: number;
};

type Outcome = 'synced' | 'failed' | 'retry';

/** A 422's fields named as the form names them (fields the form does not have keep their name). */
function formFields(fields: Record<string, string> | undefined): Record<string, string> | null {
  if (!fields) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) out[SERVICE_FIELD_TO_DESK[k] ?? k] = v;
  return out;
}

export class DeskChainSender {
  constructor(
    private readonly store: LocalStore,
    private readonly client: HttpSyncClient,
    private readonly opts: DeskChainOptions,
    /** a chain moved: a step accepted, refused or rescheduled */
    private readonly changed: (declarationId: string) => void,
  ) {}

  private nowMs(): number {
    return this.opts.now().getTime();
  }

  /**
   * Sends every due step of the officer's chains. Throws the first network failure or 401 (the engine
   * goes offline or renews the session); everything accepted or refused before it is recorded.
   */
  async push(username: string): Promise<void> {
    let failure: unknown = null;
    let intakesDone = false;
    let waiting: Array<() => void> = [];
    const wake = (): void => {
      const w = waiting;
      waiting = [];
      for (const f of w) f();
    };
    const busy = new Set<string>();

    const intakeLane = async (): Promise<void> => {
      try {
        while (!failure) {
          const step = this.store.nextDeskIntake(username, this.nowMs());
          if (!step) break;
          const outcome = await this.send(step);
          wake();
          // A retry holds back the later intakes: people keep the order they were registered in.
          if (outcome === 'retry') break;
        }
      } catch (err) {
        failure ??= err;
      } finally {
        intakesDone = true;
        wake();
      }
    };

    const worker = async (): Promise<void> => {
      while (!failure) {
        const step = this.store.dueDeskSteps(username, this.nowMs(), 1, busy)[0];
        if (!step) {
          if (intakesDone) return;
          await new Promise<void>((resolve) => waiting.push(resolve));
          continue;
        }
        busy.add(step.declarationId);
        try {
          let next: DeskDueStep | null = step;
          while (next && !failure) {
            if ((await this.send(next)) !== 'synced') break;
            next = this.store.nextDeskStep(step.declarationId, this.nowMs());
          }
        } catch (err) {
          failure ??= err;
          wake();
        } finally {
          busy.delete(step.declarationId);
        }
      }
    };

    await Promise.all([intakeLane(), ...Array.from({ length: this.opts.concurrency }, worker)]);
    if (failure) throw failure;
  }

  /** One step to the service and its answer recorded. */
  private async send(step: DeskDueStep): Promise<Outcome> {
    try {
      await this.apply(step);
      this.changed(step.declarationId);
      return 'synced';
    } catch (err) {
      if (
        err instanceof NetworkError ||
        (err instanceof ServiceError && (err.status >= 500 || err.status === 429))
      ) {
        const attempts = this.store.deskStepAttempts(step.id) + 1;
        const delay = backoffDelay(attempts, this.opts.backoff(), this.opts.random);
        this.store.rescheduleDeskStep(step.id, this.nowMs() + delay, err.message);
        this.changed(step.declarationId);
        if (err instanceof NetworkError) throw err;
        return 'retry';
      }
      if (err instanceof ServiceError && err.status !== 401) {
        this.store.markDeskStepFailed(step.id, err.message, formFields(err.fields));
        this.changed(step.declarationId);
        return 'failed';
      }
      throw err;
    }
  }

  private async apply(step: DeskDueStep): Promise<void> {
    switch (step.kind) {
      case 'intake': {
        if (!step.request) throw new ServiceError(400, null);
        const res = await this.client.intake(step.request);
        this.store.markDeskStepSynced(step.id, {
          dossier: res,
          intake: { codeResolution: res.codeResolution ?? 'given', duplicates: res.duplicates ?? [] },
        });
        return;
      }
      case 'attachment':
        return this.putImage(step);
      case 'receive': {
        const dossier = await this.client.receive(this.dossierId(step), step.id);
        this.store.markDeskStepSynced(step.id, { dossier });
        return;
      }
      case 'decision': {
        const dossierId = this.dossierId(step);
        const local = this.store.getDossier(dossierId)?.version ?? 0;
        const payload = this.store.fixDecisionBase(step.id, Math.max(local, step.dossierVersion ?? 0));
        const res = await this.client.decide(dossierId, {
          decisionId: step.id,
          outcome: payload.outcome,
          reasonCodes: payload.reasonCodes,
          reason: payload.reason,
          baseVersion: payload.baseVersion ?? 0,
          decidedAt: payload.decidedAt,
          deviceId: payload.deviceId,
          ...(payload.confirmUpdate ? { confirmUpdate: true } : {}),
        });
        this.store.markDeskStepSynced(step.id, { dossier: res.dossier, result: res.result });
        return;
      }
      default: {
        const never: never = step.kind;
        throw new Error(`unknown step ${String(never)}`);
      }
    }
  }

  private dossierId(step: DeskDueStep): string {
    // A step after the intake always has it: the chain's order guarantees the intake was accepted.
    if (!step.dossierId) throw new ServiceError(409, null);
    return step.dossierId;
  }

  /**
   * An image, applied once: after a PUT that may have reached the service (a crash, a cut, a lost
   * answer), the dossier is read first and the upload counts as done when the role already holds
   * this sha256. The dossier's new version comes back with the answer for the chain's decision.
   */
  private async putImage(step: DeskDueStep): Promise<void> {
    const dossierId = this.dossierId(step);
    const image = step.image;
    const content = this.store.deskImageContent(step.id)?.content;
    if (!image || !content) {
      throw new ServiceError(422, {
        error: { code: 'validation_failed', message: 'Ảnh không còn trên máy trạm: chụp hoặc quét lại.' },
      });
    }
    let current: Dossier | null = null;
    let done = false;
    if (step.sent) {
      current = await this.client.dossier(dossierId);
      done = current.attachments.some((a) => a.role === image.role && a.sha256 === image.sha256);
    }
    if (!done) {
      this.store.markDeskImageSent(step.id);
      await this.client.putAttachment(dossierId, image.role, image.mediaType, content);
      // An image after the receipt (a replacement) raised the version a decision still to come needs.
      current = step.receiveDone ? await this.client.dossier(dossierId) : null;
    }
    this.store.markDeskStepSynced(step.id, { dossier: current });
  }
}
