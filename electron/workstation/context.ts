// What the handler modules of the workstation (core, printing, intake) share: built once by the
// composition root (workstation.ts) and passed to each module's factory. No Electron import here.

import type { Dossier } from '../../contract/index.js';
import type { WsEvent } from '../../contract/workstation.js';
import type { SessionService } from './session.js';
import type { LocalStore } from './store/localStore.js';
import type { HttpSyncClient } from './sync/httpSyncClient.js';
import type { SyncEngine } from './sync/syncEngine.js';

export type WorkstationContext = {
  store: LocalStore;
  client: HttpSyncClient;
  session: SessionService;
  engine: SyncEngine;
  deviceId: string;
  now: () => Date;
  /** Send an event to every subscriber (the renderer). */
  emit: (e: WsEvent) => void;
  /** Agency codes the signed-in user may see; throws `unauthenticated` when nobody is signed in. */
  scope: () => string[];
  /** A dossier of the local store within the user's scope; throws `not_found` otherwise. */
  dossierInScope: (id: string) => Dossier;
  /** Register clean-up to run on `close()` (before the store closes), in reverse order. */
  onClose: (fn: () => Promise<void> | void) => void;
};
