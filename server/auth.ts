// Staff sign-in (API.md "Staff sessions"): scrypt password hashes, expiring bearer sessions stored as
// hashes of the token, a captcha after 3 failed sign-ins (and whenever a client sends one: the
// workstation shows Mã kiểm tra from the first attempt, as Hình 1 does) and a 15-minute lock-out
// after 5 (the rate limits of sign-in are in rateLimit.ts). `authenticate` turns a bearer token into
// the signed-in Staff.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import svgCaptcha from 'svg-captcha';
import type { CaptchaResponse, LoginRequest, LoginResponse, Role } from '../contract/index.js';
import type { Ctx, Staff } from './context.js';
import { BUS_CHANNEL } from './bus.js';
import { ApiError } from './errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { isoVn, pgTimeToIso } from './time.js';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export type AuthOptions = {
  /** Captcha text source (tests read the answer from it); random otherwise. */
  captchaText?: () => string;
};

/**
 * The captcha people read: five capitals and digits without look-alikes (no 0/O/Q/D, 1/I/J/L, 2/Z,
 * 5/S, 6/G, 8/B, U/V), in DejaVu Sans Bold (shipped in resources/fonts) instead of the package's
 * scribbled font, 220 × 70 px. Answers are compared in capitals.
 */
export const CAPTCHA_CHARS = 'ACEFHKMNPRTWXY34679';
svgCaptcha.loadFont(
  path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    '..',
    'resources',
    'fonts',
    'DejaVuSans-Bold.ttf',
  ),
);
const CAPTCHA_LOOK = { width: 220, height: 70, fontSize: 56, noise: 2, color: false } as const;

// A hash to verify against when the user does not exist, so both cases take the same time.
let dummyHash: Promise<string> | undefined;

export async function createCaptcha(ctx: Ctx, opts: AuthOptions): Promise<CaptchaResponse> {
  const text = opts.captchaText?.() ?? undefined;
  // The package's default export also draws a given text; its typings only declare create().
  const draw = svgCaptcha as unknown as (text: string, options: object) => string;
  const cap = text
    ? { text, data: draw(text, CAPTCHA_LOOK) }
    : svgCaptcha.create({ ...CAPTCHA_LOOK, size: 5, charPreset: CAPTCHA_CHARS });
  const id = randomUUID();
  const now = ctx.now();
  await ctx.db.query('DELETE FROM captchas WHERE expires_at < $1', [now.toISOString()]);
  await ctx.db.query('INSERT INTO captchas (id, answer_hash, expires_at) VALUES ($1, $2, $3)', [
    id,
    sha256(cap.text.toUpperCase()),
    new Date(now.getTime() + 5 * 60_000).toISOString(),
  ]);
  return { captchaId: id, svg: cap.data };
}

/** One use: a captcha answered (right or wrong) is spent. */
async function checkCaptcha(ctx: Ctx, id: string | undefined, answer: string | undefined): Promise<boolean> {
  if (!id || !answer || !/^[0-9a-f-]{36}$/iu.test(id)) return false;
  const res = await ctx.db.query<{ answer_hash: string }>(
    'DELETE FROM captchas WHERE id = $1 AND expires_at > $2 RETURNING answer_hash',
    [id, ctx.now().toISOString()],
  );
  return res.rows[0]?.answer_hash === sha256(answer.trim().toUpperCase());
}

type StaffRow = {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  agency_code: string;
  password_hash: string;
  failed_logins: number;
  locked_until: string | null;
};

export async function login(ctx: Ctx, opts: AuthOptions, body: LoginRequest): Promise<LoginResponse> {
  const now = ctx.now();
  const res = await ctx.db.query<StaffRow>(
    `SELECT id, username, display_name, role, agency_code, password_hash, failed_logins, locked_until
       FROM staff_users WHERE agency_code = $1 AND username = $2`,
    [body.agencyCode.trim(), body.username.trim()],
  );
  const user = res.rows[0];
  const wrong = new ApiError(401, 'invalid_credentials', 'Cơ quan, tên đăng nhập hoặc mật khẩu không đúng.');
  if (!user) {
    dummyHash ??= hashPassword('not-a-password');
    await verifyPassword(body.password, await dummyHash);
    throw wrong;
  }
  if (user.locked_until && Date.parse(pgTimeToIso(user.locked_until) ?? '') > now.getTime()) {
    throw new ApiError(
      423,
      'account_locked',
      'Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau 15 phút.',
    );
  }
  const failures = user.locked_until ? 0 : user.failed_logins; // a lock that has passed starts afresh
  // Required after repeated failures; checked whenever one is sent (a wrong one is never ignored).
  if (failures >= ctx.config.captchaAfterFailures || body.captchaId !== undefined) {
    const solved = await checkCaptcha(ctx, body.captchaId, body.captchaAnswer);
    if (!solved) {
      throw new ApiError(
        428,
        body.captchaId ? 'captcha_invalid' : 'captcha_required',
        body.captchaId
          ? 'Mã kiểm tra không đúng. Vui lòng nhập lại mã kiểm tra mới.'
          : 'Vui lòng nhập mã kiểm tra.',
      );
    }
  }
  if (!(await verifyPassword(body.password, user.password_hash))) {
    const n = failures + 1;
    const lock =
      n >= ctx.config.lockAfterFailures ? new Date(now.getTime() + ctx.config.lockMs).toISOString() : null;
    await ctx.db.query('UPDATE staff_users SET failed_logins = $2, locked_until = $3 WHERE id = $1', [
      user.id,
      n,
      lock,
    ]);
    if (lock)
      throw new ApiError(
        423,
        'account_locked',
        'Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau 15 phút.',
      );
    if (n >= ctx.config.captchaAfterFailures) {
      throw new ApiError(
        428,
        'captcha_required',
        'Cơ quan, tên đăng nhập hoặc mật khẩu không đúng. Vui lòng nhập mã kiểm tra.',
      );
    }
    throw wrong;
  }
  await ctx.db.query('UPDATE staff_users SET failed_logins = 0, locked_until = NULL WHERE id = $1', [
    user.id,
  ]);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ctx.config.sessionTtlMs);
  await ctx.db.query('DELETE FROM staff_sessions WHERE expires_at < $1', [now.toISOString()]);
  await ctx.db.query(
    'INSERT INTO staff_sessions (token_hash, staff_id, created_at, expires_at) VALUES ($1, $2, $3, $4)',
    [sha256(token), user.id, now.toISOString(), expiresAt.toISOString()],
  );
  const agency = ctx.agencies.get(user.agency_code);
  return {
    token,
    expiresAt: isoVn(expiresAt),
    user: {
      username: user.username,
      displayName: user.display_name,
      role: user.role,
      agencyCode: user.agency_code,
      agencyName: agency?.name ?? user.agency_code,
    },
  };
}

// Signed-in sessions looked up recently, so a busy desk's requests do not each cost a query. Several
// instances each keep their own: a sign-out drops the session here at once and, through the bus
// (bus.ts), on every other instance before it is answered. An entry is trusted only while this
// instance's bus listens, and only if it was read after listening started (its epoch); a minute at
// most in any case (a changed role or name shows within that). Expiry is always checked against the
// cached expiry time.
const SESSION_CACHE_MS = 60_000;
type CachedSession = { staff: Staff; expiresAt: number; cachedAt: number; epoch: number };
const sessionCaches = new WeakMap<Ctx, Map<string, CachedSession>>();
const cacheOf = (ctx: Ctx): Map<string, CachedSession> => {
  let c = sessionCaches.get(ctx);
  if (!c) sessionCaches.set(ctx, (c = new Map()));
  return c;
};

/** A session another instance ended (bus message), or every session when the bus restarts. */
export function forgetSession(ctx: Ctx, key?: string): void {
  if (key === undefined) cacheOf(ctx).clear();
  else cacheOf(ctx).delete(key);
}

/**
 * Ends the session on every instance: the row's deletion and the bus message are one statement, and
 * the answer waits for the other instances to have dropped their copy.
 */
export async function logout(ctx: Ctx, token: string): Promise<void> {
  const key = sha256(token);
  cacheOf(ctx).delete(key);
  const message = ctx.bus.prepare({ kind: 'session', key });
  const res = await ctx.db.query<{ listed: string[] }>(
    `WITH gone AS (DELETE FROM staff_sessions WHERE token_hash = $1 RETURNING 1),
          sent AS (SELECT pg_notify($2, $3) FROM (SELECT count(*) FROM gone) g)
     SELECT (SELECT count(*) FROM sent) AS sent, l.listed FROM (${message.listenersSql}) l`,
    [key, BUS_CHANNEL, message.payload],
  );
  cacheOf(ctx).delete(key);
  await message.confirmed(res.rows[0]?.listed ?? []);
}

export function bearerToken(header: string | undefined): string | null {
  // The scheme is case-insensitive (RFC 9110; API.md "Input rules").
  const m = /^Bearer +([A-Za-z0-9_-]{20,200}) *$/iu.exec(header ?? '');
  return m?.[1] ?? null;
}

export async function authenticate(ctx: Ctx, header: string | undefined): Promise<Staff> {
  const token = bearerToken(header);
  if (!token) throw new ApiError(401, 'unauthorized', 'Bạn chưa đăng nhập hoặc phiên làm việc không hợp lệ.');
  const key = sha256(token);
  const now = ctx.now().getTime();
  const sessionCache = cacheOf(ctx);
  let entry = sessionCache.get(key);
  const epoch = ctx.bus.epoch();
  if (!entry || entry.epoch !== epoch || Math.abs(now - entry.cachedAt) > SESSION_CACHE_MS) {
    const res = await ctx.db.query<{
      id: number;
      username: string;
      display_name: string;
      role: Role;
      agency_code: string;
      expires_at: string;
    }>(
      `SELECT u.id, u.username, u.display_name, u.role, u.agency_code, s.expires_at
         FROM staff_sessions s JOIN staff_users u ON u.id = s.staff_id WHERE s.token_hash = $1`,
      [key],
    );
    const row = res.rows[0];
    if (!row) {
      sessionCache.delete(key);
      throw new ApiError(401, 'unauthorized', 'Bạn chưa đăng nhập hoặc phiên làm việc không hợp lệ.');
    }
    entry = {
      staff: {
        id: Number(row.id),
        username: row.username,
        displayName: row.display_name,
        role: row.role,
        agencyCode: row.agency_code,
        agencyName: ctx.agencies.get(row.agency_code)?.name ?? row.agency_code,
        scope: ctx.agencies.subtree(row.agency_code),
      },
      expiresAt: Date.parse(pgTimeToIso(row.expires_at) ?? ''),
      cachedAt: now,
      epoch: epoch ?? -1,
    };
    if (sessionCache.size > 10_000) sessionCache.clear();
    // Kept only when read while the bus listened: a sign-out elsewhere reaches this copy.
    if (epoch !== null) sessionCache.set(key, entry);
  }
  if (entry.expiresAt <= now)
    throw new ApiError(401, 'session_expired', 'Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.');
  return entry.staff;
}
