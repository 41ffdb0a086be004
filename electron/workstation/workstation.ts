// The composition root of the workstation services (DESIGN.md §2): it builds the store, the service
// client, the session and the sync engine, shares them through one context (context.ts), and wires the
// handler modules of handlers/ (one per part of the contract) behind one dispatcher (dispatch.ts). No
// Electron import: Electron's main process and the local HTTP host both run exactly this; they differ
// only in the transport and the key source.

import path from 'node:path';
import type { Dossier } from '../../contract/index.js';
import type { AppInfo, Handlers, Method, WsEvent, WsResult } from '../../contract/workstation.js';
import { OpenClaims } from './claims.js';
import type { WorkstationContext } from './context.js';
import { createDispatch } from './dispatch.js';
import { fail } from './errors.js';
import { createDossierHandlers } from './handlers/dossiers.js';
import { createDeskHandlers, type DeskOptions } from './handlers/desk.js';
import { createIntakeHandlers } from './handlers/intake.js';
import { createPrintHandlers, PRINT_JOB_TTL_MS, type PrintOptions } from './handlers/print.js';
import { createSessionHandlers } from './handlers/session.js';
import { createSettingsHandlers, type SupportOptions } from './handlers/settings.js';
import { silentLog, type Logger } from './log.js';
import { notifyEach } from './notify.js';
import { defaultWorkstationName, SettingsStore, type Settings } from './settings.js';
import { UpdateService, type AppUpdaterLike } from './updates.js';
import { createSyncHandlers } from './handlers/sync.js';
import { IntakeScanning, type IntakeOptions } from './intake/scanning.js';
import { PrintJobs } from './print/jobs.js';
import { SessionService } from './session.js';
import type { KeyProvider } from './store/keys.js';
import { LocalStore } from './store/localStore.js';
import { HttpSyncClient } from './sync/httpSyncClient.js';
import type { NetworkStack } from './sync/network.js';
import { SyncEngine, type SyncEngineOptions } from './sync/syncEngine.js';

export type WorkstationOptions = {
  /** The workstation's folder: the encrypted store lives here. */
  dataDir: string;
  /**
   * The central service, e.g. http://127.0.0.1:8480: the default under the settings files (a
   * development run's SERVICE_URL); Cài đặt and the system-wide file override it.
   */
  serviceUrl: string;
  /** This machine's settings; default: the per-machine file `settings.json` in dataDir, no system file. */
  settings?: SettingsStore;
  /** The log (default: none written). */
  log?: Logger;
  /** How the service client's requests leave the machine (default: Node's http, sync/network.ts). */
  network?: NetworkStack;
  /** Xuất nhật ký hỗ trợ: the log files and the shell's save dialog. */
  support?: SupportOptions;
  /** The platform's electron-updater (the installed app only). */
  updater?: AppUpdaterLike | null;
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
   * The desk's human name (Tên máy trạm) when Cài đặt names none (the settings' workstationName, set
   * on this machine or by the administrator, wins), read when a sheet is made; default "Máy <host>".
   */
  workstationName?: () => string;
  /** The mobile desk: image retention, the disk's room. */
  desk?: DeskOptions;
};

export { defaultWorkstationName };

/**
 * Tên máy trạm of the reconciliation, read each time a sheet is made so a change shows at once: the
 * settings' name once someone has set one (Cài đặt or the administrator's file), else the host's
 * (`fallback`, e.g. WS_NAME of the dev host), else "Máy <host name>".
 */
export function workstationNameOf(settings: SettingsStore, fallback?: () => string): string {
  const set = settings.sources().workstationName !== 'default' ? settings.get().workstationName.trim() : '';
  return set || fallback?.().trim() || defaultWorkstationName();
}

/** The per-machine file `settings.json` in dataDir over the host's defaults, no system-wide file. */
function machineSettings(options: WorkstationOptions, log: Logger): SettingsStore {
  return new SettingsStore({
    userFile: path.join(options.dataDir, 'settings.json'),
    systemFile: null,
    defaults: { serviceUrl: options.serviceUrl, esclUrls: options.intake?.esclUrls ?? [] },
    onProblem: (message) => log.warn(message),
  });
}

/** A new service address or proxy applies to the next request; the app's info follows. */
function followSettings(ctx: WorkstationContext, proxy: Settings['proxy']): () => void {
  let current = proxy;
  return ctx.settings.onChange((s) => {
    if (s.serviceUrl !== ctx.client.baseUrl() || JSON.stringify(s.proxy) !== JSON.stringify(current)) {
      ctx.client.configure(s.serviceUrl, s.proxy);
      current = s.proxy;
      ctx.app.serviceUrl = s.serviceUrl;
      ctx.engine.kick();
    }
  });
}

export type Workstation = {
  handlers: Handlers;
  dispatch(method: string, input: unknown): Promise<WsResult<unknown>>;
  on(listener: (e: WsEvent) => void): () => void;
  store: LocalStore;
  engine: SyncEngine;
  session: SessionService;
  /** Delete now the local copies of ID images past their retention period (it also runs on a timer). */
  deskSweep(): number;
  settings: SettingsStore;
  log: Logger;
  close(): Promise<void>;
};

export function createWorkstation(options: WorkstationOptions): Workstation {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? silentLog();
  const settings = options.settings ?? machineSettings(options, log);
  const initial = settings.get();
  const store = new LocalStore({
    file: path.join(options.dataDir, 'workstation.db'),
    key: options.keyProvider.loadKey(),
    now,
  });
  const client = new HttpSyncClient({
    baseUrl: initial.serviceUrl,
    proxy: initial.proxy,
    timeoutMs: options.requestTimeoutMs,
    ...(options.network ? { network: options.network } : {}),
  });
  const session = new SessionService(store, client, now);
  const listeners = new Set<(e: WsEvent) => void>();
  const emit = (e: WsEvent): void =>
    notifyEach(listeners, e, (err) => log.error({ err, event: e.type }, 'event listener failed'));
  const engine = new SyncEngine(
    store,
    client,
    session,
    {
      status: (status) => emit({ type: 'sync.status', status }),
      dossiersChanged: (count) => emit({ type: 'dossiers.changed', count }),
      decisionUpdated: (item) => emit({ type: 'decision.updated', item }),
      deskChanged: (id) => deskChanged(id),
    },
    { now, log, ...options.sync },
  );
  session.onChange((s) => {
    emit({ type: 'session.changed', session: s });
    if (s) engine.kick();
  });
  const deviceId = store.deviceId();
  const claims = new OpenClaims(client, session, options.claimRenewMs, log);
  const scope = (): string[] => store.agencyScope(session.requireUser().agencyCode);
  const inScope = (d: Dossier | null): d is Dossier => d !== null && scope().includes(d.agencyCode);

  const closers: Array<() => Promise<void> | void> = [];
  // Jobs belong to the officer who made them: the next officer at the desk does not find them.
  const printJobs = new PrintJobs(
    now,
    options.print?.jobTtlMs ?? PRINT_JOB_TTL_MS,
    options.print?.printPdf && options.print.savePdf ? 'shell' : 'renderer',
  );
  session.onChange((s) => printJobs.keepOnlyOf(s?.user.username ?? null));
  let scanning: IntakeScanning | null = null;
  let deskChanged: (id: string) => void = () => undefined;
  const ctx: WorkstationContext = {
    settings,
    log,
    store,
    client,
    session,
    engine,
    deviceId,
    app: {
      version: options.version ?? '0.1.0',
      deviceId,
      serviceUrl: initial.serviceUrl,
      transport: options.transport,
    },
    workstationName: () => workstationNameOf(settings, options.workstationName),
    now,
    emit,
    scope,
    inScope,
    dossierInScope(id) {
      session.requireUser(); // signed out: "sign in", not "no such dossier"
      const dossier = store.getDossier(id);
      if (!inScope(dossier)) fail('not_found', 'Không tìm thấy hồ sơ.');
      return dossier;
    },
    claims,
    get scanning(): IntakeScanning {
      if (!scanning) throw new Error('scanning not ready');
      return scanning;
    },
    printJobs,
    /** Agencies and the agency's rejection reasons for offline work; offline, the cached copies serve. */
    async refreshCaches() {
      const user = session.user();
      try {
        store.saveAgencies(await client.agencies());
        if (user && session.hasServiceSession()) store.saveReasons(user.agencyCode, await client.reasons());
      } catch (err) {
        // offline: the cached copies serve
        log.info({ err }, 'caches not refreshed');
      }
    },
    onClose: (fn) => closers.push(fn),
  };

  scanning = new IntakeScanning(ctx, options.intake);
  const desk = createDeskHandlers(ctx, { dataDir: options.dataDir, ...options.desk });
  deskChanged = desk.changed;
  const updates = new UpdateService({
    updater: options.updater ?? null,
    currentVersion: ctx.app.version,
    settings,
    log,
    draining: () => engine.status().syncing,
    onStatus: (status) => emit({ type: 'update.status', status }),
  });
  updates.startBackground();
  closers.push(() => updates.stop());
  const handlers: Handlers = {
    ...createSessionHandlers(ctx),
    ...createDossierHandlers(ctx, { recordWaitMs: options.recordWaitMs }),
    ...createSyncHandlers(ctx),
    ...createPrintHandlers(ctx, options.print),
    ...createIntakeHandlers(ctx),
    ...desk.handlers,
    ...createSettingsHandlers(ctx, options.support, updates),
  };

  closers.push(followSettings(ctx, initial.proxy));

  engine.start();
  void ctx.refreshCaches();

  return {
    handlers,
    dispatch: createDispatch(handlers, log),
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    store,
    engine,
    session,
    deskSweep: desk.sweep,
    settings,
    log,
    async close() {
      claims.stop();
      for (const fn of closers.reverse()) await fn();
      await scanning?.close();
      printJobs.close();
      await engine.stop();
      store.close();
    },
  };
}

export { NewerStoreError } from './store/localStore.js';
export type { Method };
