// The service's configuration: defaults, overridable by ServiceOptions (tests) and by environment
// variables (npm run server). README's configuration table lists the variables.

/** A rate limit's numbers: attempts per client address and per account in each fixed window. */
export type RateLimitConfig = {
  /** attempts per client address per window */
  perAddress: number;
  /** attempts per account (agency + user name) per window */
  perUser: number;
  windowSeconds: number;
};

export type SmsConfig = {
  /** HTTP gateway URL; unset → the local sink (a JSON-lines file the demo can show). */
  gatewayUrl?: string;
  apiKey?: string;
  brandName: string;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
};

export type EmailConfig = {
  /** smtp://user:pass@host:port; unset → the local sink. */
  smtpUrl?: string;
  from: string;
};

export type ServiceConfig = {
  sessionTtlMs: number;
  claimTtlMs: number;
  expiryDays: number;
  attachmentMaxBytes: number;
  captchaAfterFailures: number;
  lockAfterFailures: number;
  lockMs: number;
  /** Largest image accepted, in pixels (an A4 page at 600 dpi is 35 million). */
  attachmentMaxPixels: number;
  /** Most pages of a PDF attachment. */
  attachmentMaxPdfPages: number;
  /** Sign-in attempts (and captchas) per window, counted in the database across instances. */
  loginLimit: RateLimitConfig;
  /**
   * Whose X-Forwarded-For to believe for the client address (Fastify's trustProxy: addresses or
   * CIDRs of the load balancers, comma-separated); unset: the connection's own address.
   */
  trustProxy?: string;
  /** Registry searches (Tra cứu mã số BHXH) per officer per minute before 429. */
  registrySearchPerMinute: number;
  /** How long before the service sees it a mobile desk's declaration may have been made (days). */
  deskDeclaredMaxAgeDays: number;
  /**
   * The shortest pause of a write batch of decisions while officers' reads run, ms (it is otherwise as
   * long as the last write batch took, qos.ts); 0: no pause.
   */
  decisionYieldMs: number;
  sms: SmsConfig;
  email: EmailConfig;
};

export const DEFAULT_CONFIG: ServiceConfig = {
  sessionTtlMs: 8 * 3600_000,
  claimTtlMs: 15 * 60_000,
  expiryDays: 10,
  attachmentMaxBytes: 10 * 1024 * 1024,
  captchaAfterFailures: 3,
  lockAfterFailures: 5,
  lockMs: 15 * 60_000,
  attachmentMaxPixels: 50_000_000,
  attachmentMaxPdfPages: 50,
  loginLimit: { perAddress: 300, perUser: 30, windowSeconds: 60 },
  // A desk officer looks up one or two people a minute at most; 20 leaves room for retyping and stops
  // a signed-in account from walking the registry.
  registrySearchPerMinute: 20,
  // Desks work offline for days (a week-long campaign at an industrial park, then the way back);
  // older than a month is a wrong clock, not a late upload.
  deskDeclaredMaxAgeDays: 30,
  // During a 32-desk burst on the 2-core machine, searches' p95 against the quiet service, 200,000
  // dossiers: 2.25–2.49 × with no pause, 1.88–1.95 × with a fixed 8 ms, 1.90 × as long as the last
  // batch; 1M dossiers: 2.19 ×, 2.05 ×, 1.82 × (docs/deploy-service.md, "Fifth round").
  decisionYieldMs: 8,
  sms: {
    brandName: 'BHXH VN',
    maxAttempts: 6,
    baseDelayMs: 30_000,
    maxDelayMs: 30 * 60_000,
    timeoutMs: 10_000,
  },
  email: { from: 'BHXH Việt Nam <no-reply@baohiemxahoi.local>' },
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? Partial<T[K]> : T[K] };
export type ConfigOverrides = DeepPartial<ServiceConfig>;

export function resolveConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = {}): ServiceConfig {
  const num = (v: string | undefined): number | undefined => (v && /^\d+$/u.test(v) ? Number(v) : undefined);
  const fromEnv: ConfigOverrides = {
    sessionTtlMs:
      num(env.SESSION_TTL_MINUTES) !== undefined ? num(env.SESSION_TTL_MINUTES)! * 60_000 : undefined,
    attachmentMaxBytes: num(env.ATTACHMENT_MAX_BYTES),
    attachmentMaxPixels: num(env.ATTACHMENT_MAX_PIXELS),
    attachmentMaxPdfPages: num(env.ATTACHMENT_MAX_PDF_PAGES),
    trustProxy: env.TRUST_PROXY || undefined,
    loginLimit: {
      perAddress: num(env.LOGIN_LIMIT_PER_ADDRESS),
      perUser: num(env.LOGIN_LIMIT_PER_USER),
      windowSeconds: num(env.LOGIN_LIMIT_WINDOW_SECONDS),
    },
    registrySearchPerMinute: num(env.REGISTRY_SEARCH_PER_MINUTE),
    deskDeclaredMaxAgeDays: num(env.DESK_DECLARED_MAX_AGE_DAYS),
    decisionYieldMs: num(env.DECISION_YIELD_MS),
    sms: {
      gatewayUrl: env.SMS_GATEWAY_URL || undefined,
      apiKey: env.SMS_API_KEY || undefined,
      brandName: env.SMS_BRAND_NAME || undefined,
    },
    email: { smtpUrl: env.SMTP_URL || undefined, from: env.MAIL_FROM || undefined },
  };
  const clean = <T extends object>(o: T | undefined): Partial<T> =>
    Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
  return {
    ...DEFAULT_CONFIG,
    ...clean(fromEnv),
    ...clean(overrides),
    loginLimit: {
      ...DEFAULT_CONFIG.loginLimit,
      ...clean(fromEnv.loginLimit),
      ...clean(overrides.loginLimit),
    },
    sms: { ...DEFAULT_CONFIG.sms, ...clean(fromEnv.sms), ...clean(overrides.sms) },
    email: { ...DEFAULT_CONFIG.email, ...clean(fromEnv.email), ...clean(overrides.email) },
  } as ServiceConfig;
}
