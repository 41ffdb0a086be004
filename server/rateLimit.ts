// Sign-in rate limits, counted in PostgreSQL so that every service instance behind a load balancer
// shares them: fixed windows (WINDOW seconds), one counter row per key and window, incremented by one
// upsert per attempt for both of its keys at once. An attempt counts against its client address and
// against the account it names (agency and user name), each with its own limit (settings
// LOGIN_LIMIT_PER_ADDRESS, LOGIN_LIMIT_PER_USER, LOGIN_LIMIT_WINDOW_SECONDS): an office of 40 desks
// behind one NAT address signs in far more often than one person, and one account tried from many
// addresses is held back by its own count. Rows of past windows are removed by the attempt that opens
// a new window for its address.

import { createHash } from 'node:crypto';
import type { RateLimitConfig } from './config.js';
import type { Ctx } from './context.js';
import { ApiError } from './errors.js';

/** Keys are hashed: the table holds no user names or addresses. */
const keyOf = (kind: string, value: string): string =>
  `${kind}:${createHash('sha256').update(value).digest('base64url').slice(0, 22)}`;

type Counted = { key: string; max: number; message: string };

/**
 * Counts one hit for each key in the current window and throws 429 (with the seconds left in the
 * window as retry-after) when any key is past its limit. The first key's first hit of a window
 * removes the rows of windows before the last one.
 */
async function countInWindow(ctx: Ctx, windowSeconds: number, counted: readonly Counted[]): Promise<void> {
  const now = ctx.now().getTime();
  const windowMs = windowSeconds * 1000;
  const start = new Date(Math.floor(now / windowMs) * windowMs);
  const res = await ctx.db.query<{ key: string; hits: number }>(
    `INSERT INTO rate_limits (key, window_start, hits) SELECT k, $2::timestamptz, 1 FROM unnest($1::text[]) AS k
     ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1 RETURNING key, hits`,
    [counted.map((c) => c.key), start.toISOString()],
    { prepare: true },
  );
  const hits = new Map(res.rows.map((r) => [r.key, Number(r.hits)]));
  if (hits.get(counted[0]!.key) === 1) {
    await ctx.db.query('DELETE FROM rate_limits WHERE window_start < $1::timestamptz', [
      new Date(start.getTime() - windowMs).toISOString(),
    ]);
  }
  const over = counted.find((c) => (hits.get(c.key) ?? 0) > c.max);
  if (over) {
    const retryAfter = Math.max(1, Math.ceil((start.getTime() + windowMs - now) / 1000));
    throw new ApiError(429, 'too_many_requests', over.message, undefined, undefined, {
      'retry-after': String(retryAfter),
    });
  }
}

/**
 * A sign-in attempt (or a captcha), counted against its client address and, when it names one, the
 * account (agency and user name).
 */
export async function countAttempt(
  ctx: Ctx,
  limits: RateLimitConfig,
  address: string,
  user?: { agencyCode: string; username: string },
): Promise<void> {
  const counted: Counted[] = [
    {
      key: keyOf('addr', address),
      max: limits.perAddress,
      message: 'Có quá nhiều lần đăng nhập từ địa chỉ này. Vui lòng thử lại sau ít phút.',
    },
  ];
  if (user)
    counted.push({
      key: keyOf('user', `${user.agencyCode}/${user.username.toLowerCase()}`),
      max: limits.perUser,
      message: 'Tài khoản này được đăng nhập quá nhiều lần. Vui lòng thử lại sau ít phút.',
    });
  await countInWindow(ctx, limits.windowSeconds, counted);
}

/** A registry search (Tra cứu mã số BHXH), counted per officer per minute. */
export async function countRegistrySearch(ctx: Ctx, staffId: number, perMinute: number): Promise<void> {
  await countInWindow(ctx, 60, [
    {
      key: keyOf('registry', String(staffId)),
      max: perMinute,
      message: 'Bạn tra cứu quá nhiều lần trong một phút. Vui lòng thử lại sau ít phút.',
    },
  ]);
}
