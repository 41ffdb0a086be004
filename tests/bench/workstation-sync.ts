// Sync figures against the real central service on a real PostgreSQL cluster:
//   first sync of 100,000 dossiers from the service into a fresh workstation (target ≤ 15 s), and
//   draining 10,000 decisions queued offline once the connection returns (target ≤ 20 s).
// Baseline in the same run: the whole change feed fetched page by page with plain fetch() and not
// stored (the service's share of the first-sync time).
// Run: npx tsx tests/bench/workstation-sync.ts [dossiers] [decisions]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLoopbackProxy } from '../../electron/workstation/dev/loopbackProxy.js';
import { openPostgres } from '../../server/db/database.js';
import { migrate } from '../../server/db/migrations.js';
import { publishPending } from '../../server/dossiers.js';
import { generateSynthetic, seedDemo } from '../../server/seed.js';
import { REPO_ROOT } from '../fixtures/demo.js';
import { DURABLE_SETTINGS, freePort, startPostgres } from '../harness/postgres.js';
import { cpuSeconds } from './cpu.js';
import { pgStatsSettings, printPgStats, startPgStats } from './pgstats.js';
import { newWorkstation, PASSWORD, waitFor } from '../integration/workstation/harness.js';
import { storeDatabase } from '../../electron/workstation/store/inspect.js';

const total = Number(process.argv[2] ?? 100_000);
const decisions = Number(process.argv[3] ?? 10_000);
// The service in its own process, as in production (a workstation and the central service never
// share a process or a machine); the workstation reaches it through a loopback proxy it can cut.
// Durable, as the central service's server is (docs/server.md, run 11).
const pg = await startPostgres({ settings: { ...DURABLE_SETTINGS, ...pgStatsSettings() } });
let service: ChildProcess | undefined;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ws-bench-sync-'));
try {
  let t = performance.now();
  const db = await openPostgres(pg.url, 4);
  await migrate(db);
  await seedDemo(db);
  await generateSynthetic(db, {
    count: total,
    agencies: ['903', '00115'],
    decidedShare: 0,
    seed: 7,
  });
  await publishPending(db, new Date());
  // The bulk load's own upkeep (autovacuum of 100,000 new rows and their index entries) done now, as
  // on a running system, instead of landing in the measured drain a minute later.
  await db.exec('VACUUM ANALYZE');
  await db.close();
  console.log(
    `service: ${total.toLocaleString('en')} synthetic dossiers in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const port = await freePort();
  service = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'server', 'main.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: pg.url, PORT: String(port), DB_POOL_SIZE: '16' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const serviceUrl = `http://127.0.0.1:${port}`;
  await waitFor(
    () =>
      fetch(`${serviceUrl}/api/v1/health`)
        .then((r) => r.ok)
        .catch(() => false),
    30_000,
    'service start',
  );
  const proxy = await startLoopbackProxy({ host: '127.0.0.1', port });
  const c = { proxy, service: { url: serviceUrl } };

  const creds = { agencyCode: '903', username: 'ttcntt', password: PASSWORD };
  // Baseline: the raw feed, page by page, without storing anything.
  const login = await fetch(`${c.service.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(creds),
  });
  const { token } = (await login.json()) as { token: string };
  t = performance.now();
  let after = 0;
  let raw = 0;
  for (;;) {
    const res = await fetch(`${c.service.url}/api/v1/dossiers/changes?after=${after}&limit=1000`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const page = (await res.json()) as { changes: unknown[]; lastSeq: number; hasMore: boolean };
    raw += page.changes.length;
    after = page.lastSeq;
    if (!page.hasMore || page.changes.length === 0) break;
  }
  const rawMs = performance.now() - t;

  const ws = newWorkstation(c.proxy.url, path.join(tmp, 'a'));
  (ws.engine as unknown as { opts: { pageSize: number } }).opts.pageSize = 1000;
  t = performance.now();
  const r = await ws.dispatch('session.signIn', creds);
  if (!r.ok) throw new Error(r.error.message);
  await ws.engine.syncNow();
  await waitFor(() => ws.store.countDossiers() >= raw, 120_000, 'first sync');
  const firstSyncMs = performance.now() - t;
  console.log(
    `first sync of ${ws.store.countDossiers().toLocaleString('en')} dossiers: ${(firstSyncMs / 1000).toFixed(2)} s (target ≤ 15 s); ` +
      `baseline raw feed download without storing: ${(rawMs / 1000).toFixed(2)} s`,
  );

  // Drain: decide N pending dossiers offline, then reconnect.
  const ids = (
    storeDatabase(ws.store)
      .prepare("SELECT id FROM dossiers WHERE status = 'pending' ORDER BY rid LIMIT ?")
      .all(decisions) as Array<{ id: string }>
  ).map((x) => x.id);
  c.proxy.cut();
  t = performance.now();
  for (const id of ids) {
    const d = await ws.dispatch('decisions.record', {
      dossierId: id,
      outcome: 'invalid',
      reasonCodes: ['R01'],
      reason: '',
    });
    if (!d.ok) throw new Error(d.error.message);
  }
  const recordMs = performance.now() - t;
  console.log(
    `recorded ${ids.length.toLocaleString('en')} decisions offline in ${(recordMs / 1000).toFixed(1)} s`,
  );
  const inFlight = (ws.engine as unknown as { opts: { concurrency: number } }).opts.concurrency;
  c.proxy.restore();
  const statsDb = await startPgStats(pg.url);
  const cpuBefore = {
    postgres: cpuSeconds({ comm: 'postgres' }),
    service: cpuSeconds({ pid: service.pid }),
    workstation: process.cpuUsage(),
  };
  // The end of the drain is the engine's own status event (queued 0), as the status bar sees it;
  // polling status() every 50 ms would count the 10,000 queued entries 20 times a second, about a
  // twentieth of a core taken from the drain it measures. A slow poll stays as a safety net.
  let drained = false;
  const off = ws.on((e) => {
    if (e.type === 'sync.status' && e.status.queued === 0) drained = true;
  });
  let lastCheck = 0;
  t = performance.now();
  ws.engine.kick();
  try {
    await waitFor(
      () =>
        drained ||
        (Date.now() - lastCheck > 2_000 && ((lastCheck = Date.now()), ws.engine.status().queued === 0)),
      600_000,
      'drain',
    );
    off();
  } catch (err) {
    const left = ws.engine.status().queued;
    console.log(
      `drain not finished after ${((performance.now() - t) / 1000).toFixed(0)} s: ${ids.length - left} of ${ids.length} synced`,
    );
    throw err;
  }
  const drainMs = performance.now() - t;
  const synced = (
    storeDatabase(ws.store).prepare("SELECT count(*) AS n FROM outbox WHERE state = 'synced'").get() as {
      n: number;
    }
  ).n;
  console.log(
    `drained ${synced.toLocaleString('en')} queued decisions after reconnecting: ${(drainMs / 1000).toFixed(2)} s (target ≤ 20 s), ` +
      `${((synced / drainMs) * 1000).toFixed(0)} decisions/s with ${inFlight} in flight (the engine's default)`,
  );
  // Where the two cores went during the drain, per decision (the workstation's process includes the
  // loopback proxy, a few per cent).
  const per = (cpu: number): string => `${((cpu * 1000) / Math.max(1, synced)).toFixed(2)} ms`;
  const wsCpu = process.cpuUsage(cpuBefore.workstation);
  console.log(
    `CPU per drained decision: PostgreSQL ${per(cpuSeconds({ comm: 'postgres' }) - cpuBefore.postgres)}, ` +
      `service ${per(cpuSeconds({ pid: service.pid }) - cpuBefore.service)}, workstation ${per((wsCpu.user + wsCpu.system) / 1e6)}`,
  );
  await printPgStats(statsDb, 'drain');
  await ws.close();
  await proxy.close();
} finally {
  service?.kill('SIGTERM');
  await pg.stop();
  rmSync(tmp, { recursive: true, force: true });
}
