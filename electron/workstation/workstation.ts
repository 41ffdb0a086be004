// The composition root of the workstation services (DESIGN.md §2): it builds the store, the service
// client, the session and the sync engine, shares them through one context (context.ts), and wires the
// handler modules of handlers/ (one per part of the contract) behind one dispatcher (dispatch.ts). No
// Electron import: Electron's main process and the local HTTP host both run exactly this; they differ
// only in the transport and the key source.

import os from 'node:os';
import path from 'node:path';
import type { Dossier } from '../../contract/index.js';
import type { AppInfo, Handlers, Method, WsEvent, WsResult } from '../../contract/workstation.js';
import { OpenClaims } from './claims.js';
import type { WorkstationContext } from './context.js';
import { createDispatch } from './dispatch.js';
import { fail } from './errors.js';
import { createDossierHandlers } from './handlers/dossiers.js';
import { createIntakeHandlers, type IntakeOptions } from './handlers/intake.js';
import { createPrintHandlers, type PrintOptions } from './handlers/print.js';
import { createSessionHandlers } from './handlers/session.js';
import { createSyncHandlers } from './handlers/sync.js';
import { SessionService } from './session.js';
import type { KeyProvider } from './store/keys.js';
import { LocalStore } from './store/localStore.js';
import { HttpSyncClient } from './sync/httpSyncClient.js';
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
  /**
   * The desk's human name (Tên máy trạm), read when a sheet is made, so a change in the machine's
   * settings shows at once; default: the machine's host name.
   */
  workstationName?: () => string;
};

/** The machine's host name as a desk name until an administrator sets one. */
export function defaultWorkstationName(): string {
  const name = os.hostname().trim();
  return name ? `Máy ${name}` : 'Máy trạm';
}

export type Workstation = {
  handlers: Handlers;
  dispatch(method: string, input: unknown): Promise<WsResult<unknown>>;
  on(listener: (e: WsEvent) => void): () => void;
  store: LocalStore;
  engine: SyncEngine;
  session: SessionService;
  close(): Promise<void>;
};

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
  const claims = new OpenClaims(client, session, options.claimRenewMs);
  const scope = (): string[] => store.agencyScope(session.requireUser().agencyCode);
  const inScope = (d: Dossier | null): d is Dossier => d !== null && scope().includes(d.agencyCode);

  const closers: Array<() => Promise<void> | void> = [];
  const ctx: WorkstationContext = {
    store,
    client,
    session,
    engine,
    deviceId,
    app: {
      version: options.version ?? '0.1.0',
      deviceId,
      serviceUrl: options.serviceUrl,
      transport: options.transport,
    },
    workstationName: () => options.workstationName?.().trim() || defaultWorkstationName(),
    now,
    emit,
    scope,
    inScope,
    dossierInScope(id) {
      const dossier = store.getDossier(id);
      if (!inScope(dossier)) fail('not_found', 'Không tìm thấy hồ sơ.');
      return dossier;
    },
    claims,
    /** Agencies and the agency's rejection reasons for offline work; offline, the cached copies serve. */
    async refreshCaches() {
      const user = session.user();
      try {
        store.saveAgencies(await client.agencies());
        if (user && session.hasServiceSession()) store.saveReasons(user.agencyCode, await client.reasons());
      } catch {
        // offline: the cached copies serve
      }
    },
    onClose: (fn) => closers.push(fn),
  };

  const handlers: Handlers = {
    ...createSessionHandlers(ctx),
    ...createDossierHandlers(ctx, { recordWaitMs: options.recordWaitMs }),
    ...createSyncHandlers(ctx),
    ...createPrintHandlers(ctx, options.print),
    ...createIntakeHandlers(ctx, options.intake),
  };

  engine.start();
  void ctx.refreshCaches();

  return {
    handlers,
    dispatch: createDispatch(handlers),
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    store,
    engine,
    session,
    async close() {
      claims.stop();
      for (const fn of closers.reverse()) await fn();
      await engine.stop();
      store.close();
    },
  };
}

export { NewerStoreError } from './store/localStore.js';
export type { Method };
