// Shared set-up of the workstation integration and fault tests: a real central service on a real
// PostgreSQL cluster (tests/harness/postgres.ts), reached through a loopback TCP proxy the tests cut,
// and real workstations (composition root, encrypted SQLite files in temp folders).
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRandom, syntheticPerson } from '../../../contract/index.js';
import { startLoopbackProxy, type LoopbackProxy } from '../../../electron/workstation/dev/loopbackProxy.js';
import { keyFileProvider } from '../../../electron/workstation/store/keys.js';
import { createWorkstation, type Workstation } from '../../../electron/workstation/workstation.js';
import { startService, type RunningService } from '../../../server/service.js';
import { startPostgres, type PostgresCluster } from '../../harness/postgres.js';
import { call, signIn } from '../server/helpers.js';

export const PASSWORD = 'Bhxh@2020';

export type Central = {
  pg: PostgresCluster;
  service: RunningService;
  proxy: LoopbackProxy;
  /** Stop the service and start it again on the same database and port. */
  restart(): Promise<void>;
  stopService(): Promise<void>;
  startServiceAgain(): Promise<void>;
  stop(): Promise<void>;
};

export async function startCentral(): Promise<Central> {
  const pg = await startPostgres();
  const options = {
    databaseUrl: pg.url,
    port: 0,
    seedDemo: true,
    logger: false,
    config: { loginLimit: { perAddress: 10_000, perUser: 10_000 } },
  };
  let service = await startService(options);
  const port = service.port;
  const proxy = await startLoopbackProxy({ host: '127.0.0.1', port });
  const central: Central = {
    pg,
    get service() {
      return service;
    },
    proxy,
    async stopService() {
      await service.close();
    },
    async startServiceAgain() {
      service = await startService({ ...options, port });
    },
    async restart() {
      await central.stopService();
      await central.startServiceAgain();
    },
    async stop() {
      await proxy.close();
      await service.close().catch(() => undefined);
      await pg.stop();
    },
  };
  return central;
}

export function newWorkstation(
  serviceUrl: string,
  dataDir?: string,
  extra: { pullIntervalMs?: number; now?: () => Date } = {},
): Workstation {
  const dir = dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'ws-int-'));
  return createWorkstation({
    dataDir: dir,
    serviceUrl,
    keyProvider: keyFileProvider(path.join(dir, 'store.key')),
    transport: 'http',
    ...(extra.now ? { now: extra.now } : {}),
    sync: {
      pullIntervalMs: extra.pullIntervalMs ?? 60_000,
      baseBackoffMs: 100,
      maxBackoffMs: 800,
      pageSize: 50,
    },
    recordWaitMs: 3_000,
    requestTimeoutMs: 5_000,
  });
}

export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Syncs `ws` until every dossier of `ids` is in its store, and says why not if they never come. One
 * pull right after an intake may come back without it: the service numbers committed changes in the
 * background (server/dossiers.ts publishChanges), so a pull that meets the publisher mid-transaction
 * reads the feed as numbered so far; and on a busy machine a pull can time out. The desk pulls again
 * on its interval; a test asks again at once instead of waiting for it.
 */
export async function pullUntilLocal(
  ws: Workstation,
  ids: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  let why = '';
  const pulled = async (): Promise<boolean> => {
    const s = await ws.engine.syncNow();
    const missing = ids.filter((id) => ws.store.getDossier(id) === null).length;
    if (missing === 0) return true;
    why = `${missing} of ${ids.length} not pulled (signed in ${ws.session.current() !== null}, online ${s.online}, needsSignIn ${s.needsSignIn}, last error: ${s.lastError ?? 'none'})`;
    // Said, so that a run shows how often one pull was not enough, and why.
    console.info(`pullUntilLocal: ${why}`);
    return false;
  };
  await waitFor(pulled, timeoutMs, 'the dossiers just taken in').catch((err: Error) => {
    throw new Error(`${err.message}: ${why}`);
  });
}

export async function ok<T>(
  p: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>,
): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** N new pending dossiers for agency 903 through the service's intake. */
export async function intake(url: string, n: number, seed: number): Promise<string[]> {
  const token = await signIn(url, '903', 'ttcntt', PASSWORD);
  const rnd = createRandom(seed);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = syntheticPerson(rnd, seed * 1000 + i);
    const res = await call<{ id: string }>(url, 'POST', '/api/v1/dossiers', {
      token,
      json: {
        clientId: randomUUID(),
        kind: 'register',
        agencyCode: '903',
        fullName: p.fullName,
        bhxhCode: p.bhxhCode,
        idKind: p.idKind,
        idNumber: p.idNumber,
        dateOfBirth: p.dateOfBirth,
        gender: p.gender,
        address: p.address,
        contactPerson: p.fullName,
        email: null,
        mobile: p.mobile,
        channel: 'portal',
        submissionMethod: 'counter',
      },
    });
    if (res.status !== 201 && res.status !== 200)
      throw new Error(`intake ${res.status}: ${res.text.slice(0, 200)}`);
    ids.push(res.body.id);
  }
  return ids;
}

/** How many decisions the service applied (answered 200) to each dossier; replays add no row. */
export async function appliedCounts(
  service: RunningService,
  ids: readonly string[],
): Promise<Map<string, number>> {
  const res = await service.db.query<{ dossier_id: string; n: string }>(
    `SELECT dossier_id::text, count(*)::text AS n FROM decisions WHERE status_code = 200
     AND dossier_id = ANY($1::uuid[]) GROUP BY dossier_id`,
    [ids],
  );
  const out = new Map<string, number>();
  for (const r of res.rows) out.set(r.dossier_id, Number(r.n));
  return out;
}
