// Sign-in rate limits, counted in PostgreSQL so that every service instance behind a load balancer
// shares them: fixed windows (WINDOW seconds), one counter row per key and window, incremented by one
// upsert per attempt for both of its keys at once. An attempt counts against its client address and
// against the account it names (agency and user name), each with its own limit (settings
// LOGIN_LIMIT_PER_ADDRESS, LOGIN_LIMIT_PER_USER, LOGIN_LIMIT_WINDOW_SECONDS): an office of 40 desks
// behind one NAT address signs in far more often than one person, and one account tried from many
// addresses is held back by its own count. Rows of past windows are removed by the attempt that opens
// a new window for its address.

import { createHash } from 'node:crypto';
import type { Ctx } from './context.js';
import { ApiError } from './errors.js';

export type RateLimitConfig = {
  /** attempts per client address per window */
  perAddress: number;
  /** attempts per account (agency + user name) per window */
  perUser: number;
  windowSeconds: number;
};

/** Keys are hashed: the table holds no user names or addresses. */
const keyOf = (kind: string, value: string): string =>
  `${kind}:${createHash('sha256').update(value).digest('base64url').slice(0, 22)}`;

/**
 * Counts one attempt for each given key and throws 429 (with the seconds left in the window as
 * `retryAfter`) when any key is past its limit. `user` is absent for requests that name no account
 * (the captcha).
 */
export async function countAttempt(
  ctx: Ctx,
  limits: RateLimitConfig,
  address: string,
  user?: { agencyCode: string; username: string },
): Promise<void> {
  const now = ctx.now().getTime();
  const windowMs = limits.windowSeconds * 1000;
  const start = new Date(Math.floor(now / windowMs) * windowMs);
  const keys = [keyOf('addr', address)];
  const max = [limits.perAddress];
  if (user) {
    keys.push(keyOf('user', `${user.agencyCode}/${user.username.toLowerCase()}`));
    max.push(limits.perUser);
  }
  const res = await ctx.db.query<{ key: string; hits: number }>(
    `INSERT INTO rate_limits (key, window_start, hits) SELECT k, $2::timestamptz, 1 FROM unnest($1::text[]) AS k
     ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1 RETURNING key, hits`,
    [keys, start.toISOString()],
    { prepare: true },
  );
  const hits = new Map(res.rows.map((r) => [r.key, Number(r.hits)]));
  if (hits.get(keys[0]!) === 1) {
    // This address's first attempt of the window: windows before the last one are of no use.
    await ctx.db.query('DELETE FROM rate_limits WHERE window_start < $1::timestamptz', [
      new Date(start.getTime() - windowMs).toISOString(),
    ]);
  }
  const over = keys.findIndex((k, i) => (hits.get(k) ?? 0) > max[i]!);
  if (over >= 0) {
    const retryAfter = Math.max(1, Math.ceil((start.getTime() + windowMs - now) / 1000));
    throw new ApiError(
      429,
      'too_many_requests',
      over === 0
        ? 'Có quá nhiều lần đăng nhập từ địa chỉ này. Vui lòng thử lại sau ít phút.'
        : 'Tài khoản này được đăng nhập quá nhiều lần. Vui lòng thử lại sau ít phút.',
      undefined,
      undefined,
      { 'retry-after': String(retryAfter) },
    );
  }
}
