// The session methods of the workstation API (contract/workstation.ts): what the sign-in screen needs
// (app.info, the agencies, the captcha), sign-in online or from the cached credential, sign-out.

import type { Handlers } from '../../../contract/workstation.js';
import type { WorkstationContext } from '../context.js';
import { serviceFailure } from '../errors.js';

export type SessionMethod =
  'app.info' | 'agencies.list' | 'session.current' | 'session.captcha' | 'session.signIn' | 'session.signOut';

export function createSessionHandlers(ctx: WorkstationContext): Pick<Handlers, SessionMethod> {
  const { store, client, session, engine } = ctx;
  return {
    async 'app.info'() {
      return ctx.app;
    },
    async 'agencies.list'() {
      try {
        const list = await client.agencies();
        store.saveAgencies(list);
        return list;
      } catch (err) {
        ctx.log.info({ err }, 'agencies not refreshed: the cached list serves');
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
      await ctx.refreshCaches();
      engine.kick();
      return info;
    },
    async 'session.signOut'() {
      const user = session.user();
      await ctx.claims.releaseAll();
      if (user) await session.signOut();
      return null;
    },
  };
}
