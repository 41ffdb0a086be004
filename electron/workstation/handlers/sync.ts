// The sync methods of the workstation API (contract/workstation.ts): the status bar's figures, "Đồng bộ
// ngay", and the outbox list where the officer retries or dismisses a refused decision.

import type { Handlers } from '../../../contract/workstation.js';
import type { WorkstationContext } from '../context.js';
import { fail } from '../errors.js';

export type SyncMethod = 'sync.status' | 'sync.now' | 'sync.items' | 'sync.retry' | 'sync.dismiss';

export function createSyncHandlers(ctx: WorkstationContext): Pick<Handlers, SyncMethod> {
  const { store, session, engine } = ctx;
  return {
    async 'sync.status'() {
      return engine.status();
    },
    async 'sync.now'() {
      if (session.user()) await ctx.refreshCaches();
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
  };
}
