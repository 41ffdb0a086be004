// The service entry every part relies on (docs/TEAM-RULES.md): open the database (real PostgreSQL or
// embedded PGlite), migrate, load the demo on first start when asked, serve the API, and run the
// background work (change-feed publisher, audit chainer, SMS/e-mail delivery, 10-day expiry).

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import pino from 'pino';
import { createApp } from './app.js';
import { forgetSession } from './auth.js';
import { createLocalBus, createPostgresBus } from './bus.js';
import { ReadsFirst } from './qos.js';
import { chainAudit, verifyAuditChain, type AuditVerification } from './audit.js';
import type { AuthOptions } from './auth.js';
import { resolveConfig, type ConfigOverrides, type ServiceConfig } from './config.js';
import { AgencyTree, type Ctx } from './context.js';
import { openDatabase, openPostgres, type Database } from './db/database.js';
import { installRoutines } from './decisions.js';
import { migrate } from './db/migrations.js';
import { namesWordsChanged, publishChanges } from './dossiers.js';
import { runExpiry } from './expiry.js';
import {
  createHttpSmsGateway,
  createLocalSmsSink,
  createMailer,
  deliverDue,
  type DeliveryOptions,
  type LocalSmsSink,
  type Mailer,
  type SmsGateway,
} from './notify.js';
import { forgetReasons } from './reasons.js';
import { DEFAULT_DEMO_PATH, seedDemo } from './seed.js';

export type ServiceOptions = {
  /** real PostgreSQL; unset → embedded PGlite */
  databaseUrl?: string;
  /** a streaming replica that serves the dossier list and searches (else env DATABASE_READ_URL) */
  readDatabaseUrl?: string;
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
  /** delivery passes' size and gateway concurrency */
  delivery?: DeliveryOptions;
  /** skip migrations, routines and the demo (the database was prepared by the cluster's primary process) */
  prepared?: boolean;
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
  /** this instance's id on the bus (several instances share one database) */
  instanceId: string;
  /** number committed change-feed rows now */
  publishChanges(): Promise<number>;
  chainAudit(): Promise<number>;
  verifyAudit(): Promise<AuditVerification>;
  /** messages of the local SMS sink (when it is the gateway) */
  smsSink?: LocalSmsSink;
  /** the officers' reads this instance is serving (qos.ts) */
  readsFirst: ReadsFirst;
  mailer: Mailer & { sent(): Array<{ to: string; subject: string; text: string }> };
};

/** Migrations, routines and (when asked) the demo: once per database, before instances serve. */
export async function prepareDatabase(
  db: Database,
  options: Pick<ServiceOptions, 'seedDemo' | 'demoPath'>,
  log?: pino.Logger,
): Promise<void> {
  await migrate(db);
  await installRoutines(db);
  if (options.seedDemo) {
    const loaded = await seedDemo(db, options.demoPath ?? DEFAULT_DEMO_PATH);
    if (loaded) log?.info('demo data loaded');
  }
}

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
  if (!options.prepared) {
    try {
      await prepareDatabase(db, options, log);
    } catch (err) {
      await db.close(); // a database this service must not run on (a newer one) is let go at once
      throw err;
    }
  }
  const agencies = new AgencyTree(db);
  await agencies.load();
  const sinkDir = options.dataDir ? path.dirname(path.resolve(options.dataDir)) : undefined;
  const bus = db.kind === 'postgres' ? await createPostgresBus({ db, log }) : createLocalBus();
  const readUrl = options.readDatabaseUrl ?? (options.env?.DATABASE_READ_URL || undefined);
  const readDb = readUrl && db.kind === 'postgres' ? await openPostgres(readUrl) : undefined;
  const ctx: Ctx = {
    db,
    config,
    now: options.now ?? (() => new Date()),
    log,
    agencies,
    bus,
    readDb,
    dataDir: sinkDir,
    readsFirst: new ReadsFirst(config.decisionYieldMs),
  };
  // What this instance keeps in memory follows the other instances' changes (bus.ts).
  bus.on((msg) => {
    if (msg.kind === 'session') forgetSession(ctx, msg.key);
    else if (msg.kind === 'reasons') forgetReasons(db);
    else if (msg.kind === 'words') namesWordsChanged(db, msg.reload ? undefined : msg.words);
  });
  bus.onReset(() => {
    forgetSession(ctx);
    forgetReasons(db);
    namesWordsChanged(db);
  });
  const smsSink = options.smsGateway || config.sms.gatewayUrl ? undefined : createLocalSmsSink(sinkDir);
  const ownGateway =
    !options.smsGateway && config.sms.gatewayUrl ? createHttpSmsGateway(config.sms) : undefined;
  const sms = options.smsGateway ?? ownGateway ?? smsSink!;
  const mailer = createMailer(config.email.smtpUrl, config.email.from, sinkDir);
  const app = await createApp({ ctx, log, auth: options.auth, smsSink });
  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  // Background work, on every instance: each job runs alone here (delivery excepted: below), logs and
  // never throws. A job answers whether it left work behind (a full batch): then it runs again at
  // once, else after `idleMs`; running it back to back on small batches only costs transactions.
  // Across instances each pass is claimed in PostgreSQL: the publisher and the chainer under a
  // transaction's advisory lock (one pass at a time in the whole service), expiry and delivery row by
  // row with SKIP LOCKED. A claim is a transaction's, so an instance killed mid-pass leaves nothing
  // held: its transaction is rolled back and the next pass of any instance takes the work.
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<unknown>>();
  let closing = false;
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    t.unref();
    timers.add(t);
  };
  /**
   * A job's loop. With `lanes` above 1, a pass that leaves a full batch behind starts another lane
   * beside it (up to `lanes`), and a lane other than the first ends with its first pass that is not
   * full: while there is a backlog, one lane's recording and commit overlap another's sending.
   */
  const loop = (idleMs: number, name: string, job: () => Promise<boolean>, lanes = 1): void => {
    let lanesRunning = 0;
    const lane = (first: boolean): void => {
      lanesRunning += 1;
      const run = (): void => {
        if (closing) return;
        const pass = job()
          .catch((err: Error) => {
            log.error({ job: name, err: { message: err.message.slice(0, 200) } }, 'background job failed');
            return false;
          })
          .then((more) => {
            running.delete(pass);
            if (closing) return;
            if (more && lanesRunning < lanes) lane(false);
            if (more) later(0, run);
            else if (first) later(idleMs, run);
            else lanesRunning -= 1;
          });
        running.add(pass);
      };
      if (first) later(idleMs, run);
      else run();
    };
    lane(true);
  };
  const delivery = { sms, mailer };
  const deliveryBatch = options.delivery?.batch ?? 500;
  if (options.background !== false) {
    // The publisher and expiry work through everything due in one call; the chainer too.
    loop(250, 'publish', async () => (await publishChanges(ctx), false));
    loop(1000, 'audit-chain', async () => (await chainAudit(db), false));
    // Delivery in up to two lanes on PostgreSQL (each pass claims its own messages with SKIP LOCKED);
    // PGlite has one connection, which a pass must not hold while it sends.
    loop(
      250,
      'delivery',
      async () => (await deliverDue(ctx, delivery, options.delivery)) >= deliveryBatch,
      db.kind === 'postgres' ? (options.delivery?.lanes ?? 2) : 1,
    );
    loop(60_000, 'expiry', async () => (await runExpiry(ctx), false));
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    db,
    config,
    smsSink,
    mailer,
    readsFirst: ctx.readsFirst,
    runExpiry: () => runExpiry(ctx),
    instanceId: bus.instanceId,
    deliverSms: () => deliverDue(ctx, delivery, options.delivery),
    publishChanges: () => publishChanges(ctx),
    chainAudit: () => chainAudit(db),
    async verifyAudit() {
      await chainAudit(db);
      return await verifyAuditChain(db);
    },
    async close() {
      closing = true;
      for (const t of timers) clearTimeout(t);
      await app.close();
      await Promise.allSettled([...running]);
      await bus.close();
      await ownGateway?.close?.();
      await readDb?.close();
      await db.close();
    },
  };
}
