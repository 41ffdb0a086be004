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
      const user = session.requireUser();
      const item =
        store.retry(input.id, user.username) ??
        refused(input.id, user.username, 'Chỉ gửi lại được quyết định gửi không thành công.');
      engine.kick();
      return item;
    },
    async 'sync.dismiss'(input) {
      const user = session.requireUser();
      return (
        store.dismiss(input.id, user.username) ??
        refused(
          input.id,
          user.username,
          'Chỉ bỏ qua được quyết định máy chủ không nhận (lỗi, xung đột, hết hạn) và chưa bỏ qua.',
        )
      );
    },
  };

  /** Why an entry was left as it is: not this officer's (or none), or not in a state for the action. */
  function refused(id: string, username: string, wrongState: string): never {
    const item = store.outboxItem(id);
    if (!item || item.username !== username) fail('not_found', 'Không tìm thấy quyết định này của bạn.');
    fail('bad_request', wrongState);
  }
}
