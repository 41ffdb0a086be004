// The composition root of the workstation services (DESIGN.md §2): store, session, sync engine and the
// handlers of the typed WorkstationApi, assembled here with no Electron import. Electron's main process
// and the local HTTP host both run exactly this; they differ only in the transport and the key source.

import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { zodFieldMessages, type DecisionRequest, type Dossier } from '../../contract/index.js';
import {
  Inputs,
  isMethod,
  type AppInfo,
  type Handlers,
  type Method,
  type WsEvent,
  type WsResult,
} from '../../contract/workstation.js';
import type { WorkstationContext } from './context.js';
import { fail, WsFailure } from './errors.js';
import { createIntakeHandlers, type IntakeOptions } from './intakeHandlers.js';
import { createPrintHandlers, type PrintOptions } from './printHandlers.js';
import { SessionService } from './session.js';
import type { KeyProvider } from './store/keys.js';
import { LocalStore } from './store/localStore.js';
import { HttpSyncClient, NetworkError, ServiceError } from './sync/httpSyncClient.js';
import { SyncEngine, type SyncEngineOptions } from './sync/syncEngine.js';

export type WorkstationOptions = {
  /** The workstation's folder: the encrypted store lives here. */
  dataDir: string;
  /** The central service, e.g. http://127.0.0.1:8480 */
  serviceUrl: string;
  keyProvider: KeyProvider;
  transport: AppInfo['transport'];
  version?: string;
  now?: () => Date;
  sync?: SyncEngineOptions;
  /** How long `decisions.record` waits for the service before answering "chờ đồng bộ" (ms). */
  recordWaitMs?: number;
  requestTimeoutMs?: number;
  /** How often claims of open dossiers are renewed (ms); the service holds them 15 minutes. */
  claimRenewMs?: number;
  /** Printing: the shell's print and save dialogs (Electron); absent over HTTP. */
  print?: PrintOptions;
  /** Intake: scanners and ID-card readers. */
  intake?: IntakeOptions;
};

export type Workstation = {
  handlers: Handlers;
  dispatch(method: string, input: unknown): Promise<WsResult<unknown>>;
  on(listener: (e: WsEvent) => void): () => void;
  store: LocalStore;
  engine: SyncEngine;
  session: SessionService;
  close(): Promise<void>;
};

function serviceFailure(err: unknown): never {
  if (err instanceof ServiceError) fail(err.code, err.message, err.fields ? { fields: err.fields } : {});
  if (err instanceof NetworkError) fail('offline', 'Không kết nối được máy chủ: đang làm việc ngoại tuyến.');
  throw err;
}

export function createWorkstation(options: WorkstationOptions): Workstation {
  const now = options.now ?? (() => new Date());
  const store = new LocalStore({
    file: path.join(options.dataDir, 'workstation.db'),
    key: options.keyProvider.loadKey(),
    now,
  });
  const client = new HttpSyncClient({ baseUrl: options.serviceUrl, timeoutMs: options.requestTimeoutMs });
  const session = new SessionService(store, client, now);
  const listeners = new Set<(e: WsEvent) => void>();
  const emit = (e: WsEvent): void => {
    for (const l of listeners) {
      try {
        l(e);
      } catch {
        // a broken subscriber must not stop the others
      }
    }
  };
  const engine = new SyncEngine(
    store,
    client,
    session,
    {
      status: (status) => emit({ type: 'sync.status', status }),
      dossiersChanged: (count) => emit({ type: 'dossiers.changed', count }),
      decisionUpdated: (item) => emit({ type: 'decision.updated', item }),
    },
    { now, ...options.sync },
  );
  session.onChange((s) => {
    emit({ type: 'session.changed', session: s });
    if (s) engine.kick();
  });
  const deviceId = store.deviceId();
  const recordWaitMs = options.recordWaitMs ?? 5_000;
  const opened = new Set<string>();

  /** Fetch and cache what offline work needs: agencies, the agency's rejection reasons. */
  async function refreshCaches(): Promise<void> {
    const user = session.user();
    try {
      store.saveAgencies(await client.agencies());
      if (user && session.hasServiceSession()) store.saveReasons(user.agencyCode, await client.reasons());
    } catch {
      // offline: the cached copies serve
    }
  }

  function scope(): string[] {
    const user = session.requireUser();
    return store.agencyScope(user.agencyCode);
  }

  function view(dossier: Dossier, claim: { claimedBy: string; claimedUntil: string } | null) {
    const agency = store.agencies().find((a) => a.code === dossier.agencyCode) ?? null;
    const inScope = new Set(scope());
    return {
      dossier,
      sameCode: store.sameCode(dossier.bhxhCode, dossier.id).filter((d) => inScope.has(d.agencyCode)),
      decision: store.latestDecision(dossier.id),
      agencyName: agency?.name ?? null,
      agencyAddress: agency?.address ?? null,
      agencyPhone: agency?.phone ?? null,
      claim,
    };
  }

  function dossierInScope(id: string): Dossier {
    const dossier = store.getDossier(id);
    if (!dossier || !scope().includes(dossier.agencyCode)) fail('not_found', 'Không tìm thấy hồ sơ.');
    return dossier;
  }

  const closers: Array<() => Promise<void> | void> = [];
  const ctx: WorkstationContext = {
    store,
    client,
    session,
    engine,
    deviceId,
    now,
    emit,
    scope,
    dossierInScope,
    onClose: (fn) => closers.push(fn),
  };

  const coreHandlers = {
    async 'app.info'() {
      return {
        version: options.version ?? '0.1.0',
        deviceId,
        serviceUrl: options.serviceUrl,
        transport: options.transport,
      };
    },
    async 'agencies.list'() {
      try {
        const list = await client.agencies();
        store.saveAgencies(list);
        return list;
      } catch {
        return store.agencies();
      }
    },
    async 'session.current'() {
      return session.current();
    },
    async 'session.captcha'() {
      try {
        return await client.captcha();
      } catch (err) {
        return serviceFailure(err);
      }
    },
    async 'session.signIn'(input) {
      const info = await session.signIn(input);
      await refreshCaches();
      engine.kick();
      return info;
    },
    async 'session.signOut'() {
      const user = session.user();
      for (const id of opened) {
        if (session.hasServiceSession()) await client.release(id).catch(() => undefined);
      }
      opened.clear();
      if (user) await session.signOut();
      return null;
    },
    async 'dossiers.list'(input) {
      return store.listDossiers(input.filter, input.sort, input.offset, input.limit, scope());
    },
    async 'dossiers.open'(input) {
      const user = session.requireUser();
      let claim: { claimedBy: string; claimedUntil: string } | null = null;
      if (engine.isOnline() && session.hasServiceSession()) {
        try {
          const fresh = await client.dossier(input.id);
          if (
            !store.getDossier(input.id)?.version ||
            fresh.version >= (store.getDossier(input.id)?.version ?? 0)
          )
            store.applyDossiers([fresh]);
          const c = await client.claim(input.id);
          claim = c;
          opened.add(input.id);
        } catch (err) {
          if (err instanceof ServiceError && (err.status === 403 || err.status === 404)) {
            serviceFailure(err);
          }
          // offline or transient: the local copy serves
        }
      }
      const dossier = store.getDossier(input.id);
      if (!dossier || !scope().includes(dossier.agencyCode)) fail('not_found', 'Không tìm thấy hồ sơ.');
      store.audit('dossier.opened', user.username, dossier.id);
      return view(dossier, claim ?? dossier.claim);
    },
    async 'dossiers.get'(input) {
      session.requireUser();
      const dossier = store.getDossier(input.id);
      if (!dossier || !scope().includes(dossier.agencyCode)) fail('not_found', 'Không tìm thấy hồ sơ.');
      return view(dossier, dossier.claim);
    },
    async 'dossiers.close'(input) {
      session.requireUser();
      if (opened.delete(input.id) && session.hasServiceSession()) {
        await client.release(input.id).catch(() => undefined);
      }
      return null;
    },
    async 'attachments.get'(input) {
      session.requireUser();
      const d = store.getDossier(input.dossierId);
      if (!d || !scope().includes(d.agencyCode) || !d.attachments.some((a) => a.id === input.id))
        fail('not_found', 'Không tìm thấy tệp đính kèm.');
      const cached = store.attachment(input.id);
      const toValue = (a: { mediaType: string; content: Buffer }) => ({
        id: input.id,
        mediaType: a.mediaType,
        dataUrl: `data:${a.mediaType};base64,${a.content.toString('base64')}`,
      });
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
        } catch {
          // cached list
        }
      }
      return store.reasons(user.agencyCode);
    },
    async 'decisions.record'(input) {
      const user = session.requireUser();
      const dossier = store.getDossier(input.dossierId);
      if (!dossier || !scope().includes(dossier.agencyCode)) fail('not_found', 'Không tìm thấy hồ sơ.');
      const reason = input.reason.trim();
      if (input.outcome === 'invalid' && input.reasonCodes.length === 0 && reason === '') {
        fail('validation_failed', 'Hồ sơ không hợp lệ cần có lý do.', {
          fields: { reason: 'Chọn lý do hoặc nhập nội dung đánh giá.' },
        });
      }
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
        decidedAt: now().toISOString(),
        deviceId,
      };
      const item = store.recordDecision({ request, dossierId: dossier.id, user });
      emit({ type: 'decision.updated', item });
      let after = item;
      const pushed = engine.pushNow(item.id);
      const waited = await Promise.race([
        pushed,
        new Promise<null>((resolve) => setTimeout(() => resolve(null), recordWaitMs).unref?.()),
      ]);
      if (waited) after = waited;
      return { item: after, synced: after.state === 'synced' };
    },
    async 'sync.status'() {
      return engine.status();
    },
    async 'sync.now'() {
      if (session.user()) await refreshCaches();
      return engine.syncNow();
    },
    async 'sync.items'() {
      session.requireUser();
      return store.outboxItems();
    },
    async 'sync.retry'(input) {
      session.requireUser();
      const item = store.retry(input.id) ?? fail('not_found', 'Không tìm thấy mục đồng bộ.');
      engine.kick();
      return item;
    },
    async 'sync.dismiss'(input) {
      const user = session.requireUser();
      return store.dismiss(input.id, user.username) ?? fail('not_found', 'Không tìm thấy mục đồng bộ.');
    },
  } satisfies Partial<Handlers>;

  const handlers: Handlers = {
    ...coreHandlers,
    ...createPrintHandlers(ctx, options.print),
    ...createIntakeHandlers(ctx, options.intake),
  };

  async function dispatch(method: string, input: unknown): Promise<WsResult<unknown>> {
    if (!isMethod(method))
      return { ok: false, error: { code: 'not_found', message: 'Không có chức năng này.' } };
    const parsed = Inputs[method].safeParse(input ?? {}, { reportInput: true });
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          code: 'validation_failed',
          message: 'Dữ liệu nhập không hợp lệ.',
          fields: zodFieldMessages(parsed.error.issues),
        },
      };
    }
    try {
      const handler = handlers[method] as (i: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (err) {
      if (err instanceof WsFailure) return { ok: false, error: err.error };
      return {
        ok: false,
        error: { code: 'internal', message: 'Lỗi không mong đợi trên máy trạm. Thử lại.' },
      };
    }
  }

  // Claims last 15 minutes on the service: renew those of dossiers still open here.
  const claimRenewal = setInterval(
    () => {
      if (!session.hasServiceSession()) return;
      for (const id of opened) void client.claim(id).catch(() => undefined);
    },
    options.claimRenewMs ?? 10 * 60_000,
  );
  claimRenewal.unref();

  engine.start();
  void refreshCaches();

  return {
    handlers,
    dispatch,
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    store,
    engine,
    session,
    async close() {
      clearInterval(claimRenewal);
      for (const fn of closers.reverse()) await fn();
      await engine.stop();
      store.close();
    },
  };
}

export type { Method };
