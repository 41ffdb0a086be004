// The service entry every part relies on (docs/TEAM-RULES.md): open the database (real PostgreSQL or
// embedded PGlite), migrate, load the demo on first start when asked, serve the API, and run the
// background work (change-feed publisher, audit chainer, SMS/e-mail delivery, 10-day expiry).

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import pino from 'pino';
import { createApp } from './app.js';
import { chainAudit, verifyAuditChain, type AuditVerification } from './audit.js';
import type { AuthOptions } from './auth.js';
import { resolveConfig, type ConfigOverrides, type ServiceConfig } from './config.js';
import { AgencyTree, type Ctx } from './context.js';
import { openDatabase, type Database } from './db/database.js';
import { installRoutines } from './decisions.js';
import { migrate } from './db/migrations.js';
import { publishChanges } from './dossiers.js';
import { runExpiry } from './expiry.js';
import {
  createHttpSmsGateway,
  createLocalSmsSink,
  createMailer,
  deliverDue,
  type LocalSmsSink,
  type Mailer,
  type SmsGateway,
} from './notify.js';
import { DEFAULT_DEMO_PATH, seedDemo } from './seed.js';

export type ServiceOptions = {
  /** real PostgreSQL; unset → embedded PGlite */
  databaseUrl?: string;
  /** PGlite folder (unset + no databaseUrl → in-memory PGlite); the SMS/e-mail sinks write beside it */
  dataDir?: string;
  /** 0 = a free port */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** load demo.json when the database is empty */
  seedDemo?: boolean;
  demoPath?: string;
  /** controllable clock for tests */
  now?: () => Date;
  logger?: boolean;
  /** where log lines go (tests read them); default stdout */
  logStream?: Writable;
  config?: ConfigOverrides;
  /** environment to read configuration from (npm run server passes process.env) */
  env?: NodeJS.ProcessEnv;
  /** an SMS gateway of the caller's; default: HTTP gateway when configured, else the local sink */
  smsGateway?: SmsGateway;
  auth?: AuthOptions;
  /** background timers (publisher, chainer, delivery, expiry); tests turn them off and call the run* methods */
  background?: boolean;
};

export type RunningService = {
  url: string;
  port: number;
  db: Database;
  config: ServiceConfig;
  close(): Promise<void>;
  /** run the 10-day expiry now; returns how many dossiers were deleted */
  runExpiry(): Promise<number>;
  /** run one SMS / e-mail delivery pass now; returns how many messages were attempted */
  deliverSms(): Promise<number>;
  /** number committed change-feed rows now */
  publishChanges(): Promise<number>;
  chainAudit(): Promise<number>;
  verifyAudit(): Promise<AuditVerification>;
  /** messages of the local SMS sink (when it is the gateway) */
  smsSink?: LocalSmsSink;
  mailer: Mailer & { sent(): Array<{ to: string; subject: string; text: string }> };
};

export async function startService(options: ServiceOptions = {}): Promise<RunningService> {
  const config = resolveConfig(options.config, options.env ?? {});
  const log = pino(
    {
      level: options.logger ? 'info' : 'silent',
      base: undefined,
      redact: {
        paths: ['*.idNumber', '*.mobile', '*.fullName', '*.password', '*.token', '*.authorization'],
        censor: '[redacted]',
      },
    },
    options.logStream,
  );
  const dbDir = options.databaseUrl ? undefined : options.dataDir;
  if (dbDir) mkdirSync(dbDir, { recursive: true });
  const db = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: dbDir });
  try {
    await migrate(db);
  } catch (err) {
    await db.close(); // a database this service must not run on (a newer one) is let go at once
    throw err;
  }
  await installRoutines(db);
  if (options.seedDemo) {
    const loaded = await seedDemo(db, options.demoPath ?? DEFAULT_DEMO_PATH);
    if (loaded) log.info('demo data loaded');
  }
  const agencies = new AgencyTree(db);
  await agencies.load();
  const sinkDir = options.dataDir ? path.dirname(path.resolve(options.dataDir)) : undefined;
  const ctx: Ctx = { db, config, now: options.now ?? (() => new Date()), log, agencies, dataDir: sinkDir };
  const smsSink = options.smsGateway || config.sms.gatewayUrl ? undefined : createLocalSmsSink(sinkDir);
  const sms = options.smsGateway ?? (config.sms.gatewayUrl ? createHttpSmsGateway(config.sms) : smsSink!);
  const mailer = createMailer(config.email.smtpUrl, config.email.from, sinkDir);
  const app = await createApp({ ctx, log, auth: options.auth, smsSink });
  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  // Background work: each job runs alone (never overlapping itself) and logs, never throws.
  const timers: NodeJS.Timeout[] = [];
  let closing = false;
  const every = (ms: number, name: string, job: () => Promise<unknown>): void => {
    let running = false;
    const t = setInterval(() => {
      if (running || closing) return;
      running = true;
      job()
        .catch((err: Error) =>
          log.error({ job: name, err: { message: err.message.slice(0, 200) } }, 'background job failed'),
        )
        .finally(() => {
          running = false;
        });
    }, ms);
    t.unref();
    timers.push(t);
  };
  const delivery = { sms, mailer };
  if (options.background !== false) {
    every(250, 'publish', () => publishChanges(ctx));
    every(1000, 'audit-chain', () => chainAudit(db));
    every(2000, 'delivery', () => deliverDue(ctx, delivery));
    every(60_000, 'expiry', () => runExpiry(ctx));
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    db,
    config,
    smsSink,
    mailer,
    runExpiry: () => runExpiry(ctx),
    deliverSms: () => deliverDue(ctx, delivery),
    publishChanges: () => publishChanges(ctx),
    chainAudit: () => chainAudit(db),
    async verifyAudit() {
      await chainAudit(db);
      return await verifyAuditChain(db);
    },
    async close() {
      closing = true;
      for (const t of timers) clearInterval(t);
      await app.close();
      await db.close();
    },
  };
}
