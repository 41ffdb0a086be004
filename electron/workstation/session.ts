// The officer's session on this workstation: online sign-in through the service, offline sign-in from a
// credential cached (salted scrypt) at the last online sign-in within OFFLINE_DAYS, and sign-out that
// ends the service session and forgets everything of it in memory, so the next officer at a shared
// desk cannot use it. The password stays in memory only, to renew the service session on reconnect.

import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { LoginRequest, StaffUser } from '../../contract/index.js';
import type { SessionInfo } from '../../contract/workstation.js';
import { fail } from './errors.js';
import type { LocalStore } from './store/localStore.js';
import { type HttpSyncClient, NetworkError, ServiceError } from './sync/httpSyncClient.js';

export const OFFLINE_DAYS = 7;
const SCRYPT = { N: 1 << 14, r: 8, p: 1 } as const;

function hashPassword(password: string, salt: Buffer): Buffer {
  return scryptSync(password.normalize('NFC'), salt, 32, SCRYPT);
}

export type SessionState = {
  info: SessionInfo;
  /** The service session, absent while signed in offline. */
  token: string | null;
  /** Memory only: renews the service session when the connection returns. */
  password: string;
  needsSignIn: boolean;
};

export class SessionService {
  private state: SessionState | null = null;
  private retryAfterMs: number | null = null;
  private readonly listeners = new Set<(s: SessionInfo | null) => void>();

  constructor(
    private readonly store: LocalStore,
    private readonly client: HttpSyncClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  onChange(listener: (s: SessionInfo | null) => void): void {
    this.listeners.add(listener);
  }

  private emit(): void {
    for (const l of this.listeners) l(this.state?.info ?? null);
  }

  current(): SessionInfo | null {
    return this.state?.info ?? null;
  }

  user(): StaffUser | null {
    return this.state?.info.user ?? null;
  }

  requireUser(): StaffUser {
    const user = this.user();
    if (!user) fail('unauthorized', 'Phiên làm việc đã kết thúc: đăng nhập lại.');
    return user;
  }

  hasServiceSession(): boolean {
    return Boolean(this.state?.token) && !this.state?.needsSignIn;
  }

  needsSignIn(): boolean {
    return this.state?.needsSignIn ?? false;
  }

  async signIn(req: LoginRequest): Promise<SessionInfo> {
    const agencyCode = req.agencyCode.trim();
    const username = req.username.trim();
    try {
      const res = await this.client.login({ ...req, agencyCode, username });
      const salt = randomBytes(16);
      this.store.saveCredential(agencyCode, username, {
        salt,
        hash: hashPassword(req.password, salt),
        user: res.user,
        lastOnlineAt: this.now().toISOString(),
      });
      this.begin(res.user, res.token, req.password, false);
      this.store.audit('session.signIn', res.user.username, null, 'online');
      return this.state!.info;
    } catch (err) {
      if (err instanceof ServiceError) {
        this.store.audit('session.signInRefused', username, null, err.code);
        fail(err.code, err.message, err.fields ? { fields: err.fields } : {});
      }
      if (!(err instanceof NetworkError)) throw err;
    }
    // The service cannot be reached: the cached credential of the last online sign-in decides.
    const cached = this.store.credential(agencyCode, username);
    const ageMs = cached ? this.now().getTime() - Date.parse(cached.lastOnlineAt) : Infinity;
    if (!cached || ageMs > OFFLINE_DAYS * 86_400_000) {
      fail(
        'offline_unavailable',
        `Không kết nối được máy chủ. Chỉ đăng nhập ngoại tuyến được khi tài khoản đã đăng nhập trực tuyến trên máy này trong ${OFFLINE_DAYS} ngày qua.`,
      );
    }
    const hash = hashPassword(req.password, cached.salt);
    if (hash.length !== cached.hash.length || !timingSafeEqual(hash, cached.hash)) {
      this.store.audit('session.signInRefused', username, null, 'offline');
      fail('invalid_credentials', 'Tên đăng nhập hoặc mật khẩu không đúng.');
    }
    this.begin(cached.user, null, req.password, true);
    this.store.audit('session.signIn', cached.user.username, null, 'offline');
    return this.state!.info;
  }

  private begin(user: StaffUser, token: string | null, password: string, offline: boolean): void {
    this.client.setToken(token);
    this.state = {
      info: { user, offline, signedInAt: this.now().toISOString() },
      token,
      password,
      needsSignIn: false,
    };
    this.emit();
  }

  /**
   * Renew the service session (after an offline sign-in, or when the service answered 401).
   * Returns true when the workstation holds a valid service session afterwards. Only a refusal of
   * the officer (wrong password, locked, captcha) asks for a sign-in; a 429 or 5xx leaves the session
   * as it is, to be renewed again later (renewalRetryAfterMs says when the service asked).
   */
  async renew(): Promise<boolean> {
    const s = this.state;
    if (!s) return false;
    this.retryAfterMs = null;
    try {
      const res = await this.client.login({
        agencyCode: s.info.user.agencyCode,
        username: s.info.user.username,
        password: s.password,
      });
      if (this.state !== s) return false; // signed out meanwhile
      this.client.setToken(res.token);
      s.token = res.token;
      s.needsSignIn = false;
      s.info = { ...s.info, user: res.user, offline: false };
      this.store.audit('session.renewed', res.user.username);
      this.emit();
      return true;
    } catch (err) {
      if (err instanceof ServiceError && err.transient) {
        // Too many sign-ins from this office's address (429), the service or its database away
        // (5xx): not a refusal of the officer. The session stays; the sync engine tries again later.
        this.retryAfterMs = err.retryAfterMs ?? null;
      } else if (err instanceof ServiceError && this.state === s) {
        // Password changed, account locked, captcha asked: the officer must sign in again.
        s.needsSignIn = true;
        this.emit();
      }
      return false;
    }
  }

  /** How long the service asked to wait after the last renewal it refused for now (ms), if it said. */
  renewalRetryAfterMs(): number | null {
    return this.retryAfterMs;
  }

  /** The service refused the token (401): drop it; renew() may get a new one. */
  tokenRejected(): void {
    if (!this.state) return;
    this.state.token = null;
    this.client.setToken(null);
  }

  async signOut(): Promise<void> {
    const s = this.state;
    if (!s) return;
    this.state = null;
    if (s.token) {
      try {
        await this.client.logout();
      } catch {
        // Offline: the service session expires on its own; the token is gone from this workstation.
      }
    }
    this.client.setToken(null);
    s.password = '';
    this.store.audit('session.signOut', s.info.user.username);
    this.emit();
  }
}
