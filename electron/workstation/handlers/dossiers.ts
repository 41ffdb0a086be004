// The dossier methods of the workstation API (contract/workstation.ts): the list and Tra cứu from the
// local store, Xử lý hồ sơ (open with a fresh copy and a claim when online, the local copy when not),
// attachments, the agency's rejection reasons, and Ghi nhận: the decision recorded in the durable
// outbox first, then pushed at once, the officer waiting at most `recordWaitMs` for the service.

import { randomUUID } from 'node:crypto';
import {
  dateTime,
  decisionReasonProblem,
  isBlank,
  type DecisionRequest,
  type Dossier,
} from '../../../contract/index.js';
import type { DossierFilter, DossierView, Handlers } from '../../../contract/workstation.js';
import type { WorkstationContext } from '../context.js';
import { fail, serviceFailure } from '../errors.js';
import { ServiceError } from '../sync/httpSyncClient.js';

export type DossierMethod =
  | 'dossiers.list'
  | 'dossiers.open'
  | 'dossiers.get'
  | 'dossiers.close'
  | 'attachments.get'
  | 'reasons.list'
  | 'decisions.record';

export type DossierOptions = {
  /** How long `decisions.record` waits for the service before answering "chờ đồng bộ" (ms). */
  recordWaitMs?: number;
};

type Claim = { claimedBy: string; claimedUntil: string } | null;

/** The detail of Hình 5: the dossier, others of its Mã số BHXH in scope, this desk's decision, its agency. */
function view(ctx: WorkstationContext, dossier: Dossier, claim: Claim): DossierView {
  const agency = ctx.store.agencies().find((a) => a.code === dossier.agencyCode) ?? null;
  const inScope = new Set(ctx.scope());
  return {
    dossier,
    sameCode: ctx.store.sameCode(dossier.bhxhCode, dossier.id).filter((d) => inScope.has(d.agencyCode)),
    decision: ctx.store.latestDecision(dossier.id),
    agencyName: agency?.name ?? null,
    agencyAddress: agency?.address ?? null,
    agencyPhone: agency?.phone ?? null,
    claim,
  };
}

/** Online: the service's copy when newer, and a claim; 403/404 from the service end the opening. */
async function freshAndClaimed(ctx: WorkstationContext, id: string): Promise<Claim> {
  const { store, client, session, engine } = ctx;
  if (!engine.isOnline() || !session.hasServiceSession()) return null;
  try {
    const fresh = await client.dossier(id);
    if (!store.getDossier(id)?.version || fresh.version >= (store.getDossier(id)?.version ?? 0))
      store.applyDossiers([fresh]);
    return await ctx.claims.claim(id);
  } catch (err) {
    if (err instanceof ServiceError && (err.status === 403 || err.status === 404)) serviceFailure(err);
    return null; // offline or transient: the local copy serves
  }
}

/**
 * Từ ngày / Đến ngày of Mở rộng: not a reversed range (it would find nothing). That each is a real day
 * is the input schema's (DossierFilter's dateField), checked before the call reaches here.
 */
function checkDateRange(filter: DossierFilter): void {
  if (filter.from && filter.to && filter.to < filter.from) {
    const message = 'Đến ngày phải sau hoặc bằng Từ ngày: đổi lại khoảng ngày.';
    fail('validation_failed', message, { fields: { to: message } });
  }
}

/**
 * A decision, once recorded, is final on this desk: a second Ghi nhận (a changed radio, a double
 * click, a second window) would only reach the service as a conflict with the officer's own decision.
 * A dossier the service has decided or expired is refused the same way; after a refused decision
 * (conflict, failed) the dossier shows the service's state again and decides on that.
 */
function refuseIfFinal(ctx: WorkstationContext, dossier: Dossier): void {
  const mine = ctx.store.latestDecision(dossier.id);
  if (mine && (mine.state === 'queued' || mine.state === 'synced')) {
    fail(
      'already_decided',
      mine.state === 'queued'
        ? 'Đánh giá của hồ sơ này đã được ghi nhận và đang chờ đồng bộ: không ghi nhận lại.'
        : 'Đánh giá của hồ sơ này đã được ghi nhận: không ghi nhận lại.',
    );
  }
  if (dossier.status === 'expired') fail('expired', 'Hồ sơ đã quá hạn 10 ngày không nộp bản giấy.');
  if (dossier.status === 'decided') {
    fail(
      'already_decided',
      `Hồ sơ đã được ${dossier.reviewer ?? 'cán bộ khác'} xử lý${dossier.decidedAt ? ` lúc ${dateTime(dossier.decidedAt)}` : ''}: không duyệt lại.`,
    );
  }
}

async function recordDecision(
  ctx: WorkstationContext,
  input: Parameters<Handlers['decisions.record']>[0],
  recordWaitMs: number,
) {
  const user = ctx.session.requireUser();
  const dossier = ctx.dossierInScope(input.dossierId);
  refuseIfFinal(ctx, dossier);
  // The service's rules at the desk: a decision queued here is one the service takes.
  const problem = decisionReasonProblem(input.outcome, input.reasonCodes, input.reason);
  if (problem) fail('validation_failed', problem.message, { fields: problem.fields });
  const reason = isBlank(input.reason) ? '' : input.reason.trim();
  if (dossier.kind === 'update' && input.outcome === 'valid' && !input.confirmUpdate) {
    fail('confirmation_required', 'Cần xác nhận cập nhật thông tin đăng ký của cá nhân.');
  }
  // The base version is the service's version of what the officer saw, not a local overlay.
  const request: DecisionRequest = {
    decisionId: randomUUID(),
    outcome: input.outcome,
    reasonCodes: input.reasonCodes,
    reason,
    baseVersion: dossier.version,
    confirmUpdate: input.confirmUpdate ?? false,
    decidedAt: ctx.now().toISOString(),
    deviceId: ctx.deviceId,
  };
  const item = ctx.store.recordDecision({ request, dossierId: dossier.id, user });
  ctx.emit({ type: 'decision.updated', item });
  const pushed = ctx.engine.pushNow(item.id);
  const waited = await Promise.race([
    pushed,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), recordWaitMs).unref?.()),
  ]);
  const after = waited ?? item;
  return { item: after, synced: after.state === 'synced' };
}

export function createDossierHandlers(
  ctx: WorkstationContext,
  options: DossierOptions = {},
): Pick<Handlers, DossierMethod> {
  const { store, client, session } = ctx;
  const recordWaitMs = options.recordWaitMs ?? 5_000;
  return {
    async 'dossiers.list'(input) {
      checkDateRange(input.filter);
      return store.listDossiers(input.filter, input.sort, input.offset, input.limit, ctx.scope());
    },
    async 'dossiers.open'(input) {
      const user = session.requireUser();
      const claim = await freshAndClaimed(ctx, input.id);
      const dossier = ctx.dossierInScope(input.id);
      store.audit('dossier.opened', user.username, dossier.id);
      return view(ctx, dossier, claim ?? dossier.claim);
    },
    async 'dossiers.get'(input) {
      session.requireUser();
      const dossier = ctx.dossierInScope(input.id);
      return view(ctx, dossier, dossier.claim);
    },
    async 'dossiers.close'(input) {
      session.requireUser();
      await ctx.claims.release(input.id);
      return null;
    },
    async 'attachments.get'(input) {
      session.requireUser();
      const d = store.getDossier(input.dossierId);
      if (!ctx.inScope(d) || !d.attachments.some((a) => a.id === input.id))
        fail('not_found', 'Không tìm thấy tệp đính kèm.');
      const toValue = (a: { mediaType: string; content: Buffer }) => ({
        id: input.id,
        mediaType: a.mediaType,
        dataUrl: `data:${a.mediaType};base64,${a.content.toString('base64')}`,
      });
      const cached = store.attachment(input.id);
      if (cached) return toValue(cached);
      try {
        const a = await client.attachment(input.id);
        store.saveAttachment({ id: input.id, dossierId: input.dossierId, role: '', ...a });
        return toValue(a);
      } catch (err) {
        return serviceFailure(err);
      }
    },
    async 'reasons.list'() {
      const user = session.requireUser();
      if (session.hasServiceSession()) {
        try {
          store.saveReasons(user.agencyCode, await client.reasons());
        } catch (err) {
          // cached list
          ctx.log.info({ err }, 'reasons not refreshed: the cached list serves');
        }
      }
      return store.reasons(user.agencyCode);
    },
    async 'decisions.record'(input) {
      return recordDecision(ctx, input, recordWaitMs);
    },
  };
}
