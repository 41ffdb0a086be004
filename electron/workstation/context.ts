// What the handler modules (handlers/*.ts) share, built once by the composition root (workstation.ts)
// and passed to each module's factory: the store, the service client, the session, the sync engine and
// a few services around them. Handler modules never import each other; what two of them need is here.
// No Electron import.

import type { Dossier } from '../../contract/index.js';
import type { AppInfo, WsEvent } from '../../contract/workstation.js';
import type { OpenClaims } from './claims.js';
import type { IntakeScanning } from './intake/scanning.js';
import type { PrintJobs } from './print/jobs.js';
import type { Logger } from './log.js';
import type { SettingsStore } from './settings.js';
import type { SessionService } from './session.js';
import type { LocalStore } from './store/localStore.js';
import type { HttpSyncClient } from './sync/httpSyncClient.js';
import type { SyncEngine } from './sync/syncEngine.js';

export type WorkstationContext = {
  /**
   * This machine's settings (Cài đặt): `settings.get()` gives the ones in force (a typed `Settings`:
   * serviceUrl, proxy, esclUrls, workstationName, defaultPrinter, imageRetentionDays, updateUrl…);
   * `settings.onChange(fn)` tells of a change. docs/deploy.md lists them.
   */
  settings: SettingsStore;
  /** The workstation's log (masked, rotating file; log.ts). Log ids and codes, never people. */
  log: Logger;
  store: LocalStore;
  client: HttpSyncClient;
  session: SessionService;
  engine: SyncEngine;
  deviceId: string;
  /** What `app.info` answers (version, device, service, transport). */
  app: AppInfo;
  /**
   * The desk's human name, as an administrator sets it for this machine (the reconciliation sheet
   * and its file name); the machine's host name until one is set, never the device uuid.
   */
  workstationName: () => string;
  now: () => Date;
  /** Send an event to every subscriber (the renderer). */
  emit: (e: WsEvent) => void;
  /** Agency codes the signed-in user may see; throws `unauthorized` when nobody is signed in. */
  scope: () => string[];
  /** Whether a dossier of the local store is within the user's scope (false for null). */
  inScope: (dossier: Dossier | null) => dossier is Dossier;
  /** A dossier of the local store within the user's scope; throws `not_found` otherwise. */
  dossierInScope: (id: string) => Dossier;
  /** The dossiers opened here and claimed on the service (renewed while open, released on close). */
  claims: OpenClaims;
  /** Scanners, readers and recognition (intake and the mobile desk share one scanner service). */
  scanning: IntakeScanning;
  /** Documents made for printing, held in memory (dossier prints and the mobile desk's). */
  printJobs: PrintJobs;
  /** Fetch and cache what offline work needs (agencies, the agency's rejection reasons). */
  refreshCaches: () => Promise<void>;
  /** Register clean-up to run on `close()` (before the store closes), in reverse order. */
  onClose: (fn: () => Promise<void> | void) => void;
};
