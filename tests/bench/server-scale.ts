// The service's scale-out benchmarks (issue: national roll-out), `npm run bench:server -- --MODE`:
//
//   --scale-out      decisions/s of two instances (npm run server -- --workers 2) against one, same
//                    run, same data (BENCH_DOSSIERS, default 1,000,000; 32 clients; durable PostgreSQL
//                    in huge pages as tests/bench/server.ts sets it), interleaved rounds; target ≥ 1.25×
//   --small          one instance and two on 3,000 fresh dossiers, PostgreSQL's default memory
//                    settings, durable, 32 clients, against pgbench TPC-B on the same cluster in the
//                    same run; target ≥ 0.6 × pgbench
//   --delivery       SMS/s to a local gateway with 30,000 queued (target ≥ 1,500 /s), then the
//                    outbox's lag during a 60 s decision run at full rate (target: never over 5 s)
//   --burst          name and code searches (8 clients) on the quiet service, then during a 32-client
//                    decision burst and the 60 s after; target p95 ≤ 2 × quiet
//   --failover       primary + synchronous replica, two instances on a multi-host DATABASE_URL behind
//                    HAProxy, 32 clients; kill -9 of the primary's postmaster mid-run, pg_ctl promote:
//                    acknowledged decisions lost (0), applied twice (0), SMS sent twice (0), seconds
//                    until the service answers again (target ≤ 15)
//   --kill-instance  two instance processes behind HAProxy, kill -9 of one mid-run: acknowledged
//                    decisions lost (0), the outbox's lag after the kill (target: work resumes ≤ 10 s)
//   --all            every mode above, one after another
//
// Each prints its figures beside the same-run baseline and the 1-minute load average, and appends
// them to .tmp/bench-server-scale.json. The integration tests (tests/integration/server/instances and
// failover) are the short versions kept in `npm test`; these runs are long and need a quiet machine.

import { execFile as execFileCb } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { foldVietnamese } from '../../contract/index.js';
import { openPostgres, type Database } from '../../server/db/database.js';
import { prepareDatabase } from '../../server/service.js';
import { generateSynthetic } from '../../server/seed.js';
import { REPO_ROOT } from '../fixtures/demo.js';
import { startLoadBalancer, type LoadBalancer } from '../harness/haproxy.js';
import {
  DURABLE_SETTINGS,
  killPostmaster,
  PG_BIN,
  startPostgres,
  startReplica,
  type PostgresCluster,
} from '../harness/postgres.js';
import { startServiceProcess, waitForHealth, type ServiceProcess } from '../harness/serviceProcess.js';
import { startSmsGateway } from '../harness/smsGateway.js';
import { cpuSeconds, machineBusySeconds, treeCpuSeconds } from './cpu.js';
import { useHugePages, type HugePages } from './hugepages.js';
import { KeptAliveClient } from './http-load.js';

const execFile = promisify(execFileCb);
const CLIENTS = 32;
const ROUND_SECONDS = Number(process.env.BENCH_DECISION_SECONDS ?? 20);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** the decision run during which the outbox's lag is watched (60 s) */
const LAG_SECONDS = Number(process.env.BENCH_LAG_SECONDS ?? 60);
const load = (): string => `load ${os.loadavg()[0]!.toFixed(2)} on ${os.cpus().length} cores`;
const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const results: Record<string, unknown> = { at: new Date().toISOString() };
function record(key: string, value: unknown): void {
  results[key] = value;
  console.log(`  → ${key}: ${JSON.stringify(value)}`);
}

// ------------------------------------------------------------------ set-up

type Rig = { cluster: PostgresCluster; url: string; hugePages?: HugePages };

async function durableCluster(big: boolean): Promise<Rig> {
  const cluster = await startPostgres({
    settings: {
      ...DURABLE_SETTINGS,
      max_connections: 300,
      ...(big
        ? {
            shared_buffers: '4GB',
            work_mem: '16MB',
            maintenance_work_mem: '512MB',
            huge_pages: process.env.BENCH_HUGE_PAGES === 'off' ? 'off' : 'try',
          }
        : // PostgreSQL's own defaults (the harness sets 256 MB for tests)
          { shared_buffers: '128MB', max_wal_size: '1GB' }),
    },
  });
  let hugePages: HugePages | undefined;
  if (big) {
    hugePages = await useHugePages(cluster, process.env.BENCH_HUGE_PAGES !== 'off');
    console.log(hugePages.summary);
  }
  const url = await cluster.createDatabase('bench');
  return { cluster, url, hugePages };
}

async function load_(url: string, count: number, decidedShare: number, startIndex = 100): Promise<void> {
  const db = await openPostgres(url, 4);
  try {
    await prepareDatabase(db, { seedDemo: true });
    const t0 = Date.now();
    await generateSynthetic(db, {
      count,
      agencies: ['903', '00115'],
      registry: true,
      decidedShare,
      startIndex,
      chunk: 10_000,
      onProgress: (done) => {
        if (done % 200_000 === 0)
          console.log(`  loaded ${done}/${count} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      },
    });
    await db.exec('VACUUM ANALYZE');
    await db.exec('CHECKPOINT');
    console.log(`loaded ${count} dossiers in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    await db.close();
  }
}

type Pending = { id: string; version: number };
async function pendingDossiers(url: string, n: number): Promise<Pending[]> {
  const db = await openPostgres(url, 1);
  try {
    return (
      await db.query<Pending>(
        `SELECT id, version FROM dossiers WHERE status = 'pending' AND NOT legacy ORDER BY random() LIMIT $1`,
        [n],
      )
    ).rows;
  } finally {
    await db.close();
  }
}

async function token(base: string): Promise<string> {
  for (;;) {
    const r = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agencyCode: '903', username: 'ttcntt', password: 'Bhxh@2020' }),
    }).catch(() => null);
    if (r?.ok) return ((await r.json()) as { token: string }).token;
    await sleep(200);
  }
}

async function instances(
  url: string,
  workers: number,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  return await startServiceProcess({
    databaseUrl: url,
    args: workers > 1 ? ['--workers', String(workers)] : [],
    env: { DB_POOL_SIZE: workers > 1 ? '16' : '32', ...env },
    stderr: 'inherit',
  });
}

// ------------------------------------------------------------------ the decision load

type RunOptions = {
  base: string;
  auth: string;
  dossiers: Pending[];
  seconds: number;
  warmupSeconds?: number;
  /** send a decision again (same decisionId) after a 5xx or a lost connection, until answered */
  retry?: boolean;
  /** stop when every dossier is decided instead of at `seconds` */
  untilDone?: boolean;
  /** the service's process (a cluster's primary: its workers are counted too), for its CPU */
  servicePid?: number;
  /** called once `after` seconds into the run */
  at?: { after: number; run: () => Promise<void> };
};
type RunResult = {
  /** CPU per decision over the whole run (warm-up included): PostgreSQL's, the service's (when its pid is given) and the whole machine's, ms */
  cpuMs: { postgres: number; service: number; machine: number };
  perSecond: number;
  done: number;
  seconds: number;
  statuses: Record<number, number>;
  acknowledged: string[];
  p50: number;
  p95: number;
  retries: number;
};

async function decisionRun(o: RunOptions): Promise<RunResult> {
  const headers = { authorization: `Bearer ${o.auth}` };
  const warmupEnds = Date.now() + (o.warmupSeconds ?? 0) * 1000;
  const until = warmupEnds + o.seconds * 1000;
  let next = 0;
  let done = 0;
  let retries = 0;
  let started = 0;
  let all = 0;
  const serviceCpu = (): number => (o.servicePid ? treeCpuSeconds(o.servicePid) : 0);
  const cpu0 = {
    postgres: cpuSeconds({ comm: 'postgres' }),
    service: serviceCpu(),
    machine: machineBusySeconds(),
  };
  const statuses: Record<number, number> = {};
  const acknowledged: string[] = [];
  const latencies: number[] = [];
  const event = o.at
    ? sleep(o.at.after * 1000)
        .then(o.at.run)
        .catch((err: Error) => console.log(`event failed: ${err.message}`))
    : Promise.resolve();
  const url = new URL(o.base);
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      let client = new KeptAliveClient(url, headers);
      while ((o.untilDone || Date.now() < until) && next < o.dossiers.length) {
        const d = o.dossiers[next++]!;
        const decisionId = randomUUID();
        const valid = Math.random() < 0.7;
        const body = JSON.stringify({
          decisionId,
          outcome: valid ? 'valid' : 'invalid',
          reasonCodes: valid ? undefined : ['R01'],
          baseVersion: d.version,
          decidedAt: new Date().toISOString(),
          deviceId: 'bench',
        });
        const sent = Date.now();
        if (!started && sent >= warmupEnds) started = sent;
        for (;;) {
          let status = 0;
          try {
            status = (await client.post(`/api/v1/dossiers/${d.id}/decision`, body)).status;
          } catch {
            client.close();
            client = new KeptAliveClient(url, headers);
          }
          if (status && status < 500) {
            if (sent >= warmupEnds) {
              statuses[status] = (statuses[status] ?? 0) + 1;
              latencies.push(Date.now() - sent);
              done += 1;
            }
            if (status === 200) acknowledged.push(decisionId);
            all += 1;
            break;
          }
          if (status) statuses[status] = (statuses[status] ?? 0) + 1;
          if (!o.retry) break;
          retries += 1;
          await sleep(100);
        }
      }
      client.close();
    }),
  );
  await event;
  const seconds = (Date.now() - (started || Date.now())) / 1000;
  if (!o.untilDone && next >= o.dossiers.length) throw new Error('the run ran out of pending dossiers');
  const per = (sec: number): number => Math.round((sec * 1000 * 100) / Math.max(1, all)) / 100;
  return {
    cpuMs: {
      postgres: per(cpuSeconds({ comm: 'postgres' }) - cpu0.postgres),
      service: per(serviceCpu() - cpu0.service),
      machine: per(machineBusySeconds() - cpu0.machine),
    },
    perSecond: done / Math.max(seconds, 0.001),
    done,
    seconds,
    statuses,
    acknowledged,
    p50: pct(latencies, 50),
    p95: pct(latencies, 95),
    retries,
  };
}

async function pgbench(cluster: PostgresCluster, scale = 10): Promise<number> {
  const url = await cluster.createDatabase(`pgbench_${Math.floor(Math.random() * 1e6)}`);
  await execFile(path.join(PG_BIN, 'pgbench'), ['-i', '-s', String(scale), '-q', url]);
  const { stdout } = await execFile(path.join(PG_BIN, 'pgbench'), [
    '-c',
    String(CLIENTS),
    '-j',
    '2',
    '-T',
    '15',
    url,
  ]);
  return Number(/tps = ([\d.]+)/u.exec(stdout)?.[1] ?? NaN);
}

// ------------------------------------------------------------------ modes

async function scaleOut(): Promise<void> {
  const count = Number(process.env.BENCH_DOSSIERS ?? 1_000_000);
  console.log(
    `\n=== scale-out: one instance against two (--workers 2), ${count} dossiers, ${CLIENTS} clients, ${ROUNDS} rounds each, interleaved`,
  );
  const rig = await durableCluster(true);
  try {
    await load_(rig.url, count, 0.5);
    // Enough pending dossiers for 4,000 decisions/s in every round, or what there is.
    const pool = await pendingDossiers(rig.url, (ROUND_SECONDS + WARMUP_SECONDS) * 4000 * ROUNDS * 2);
    const perRound = Math.floor(pool.length / (ROUNDS * 2));
    const one: number[] = [];
    const two: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const workers of r % 2 === 0 ? [1, 2] : [2, 1]) {
        const svc = await instances(rig.url, workers);
        try {
          const dossiers = pool.splice(0, perRound);
          const res = await decisionRun({
            base: svc.url,
            servicePid: svc.pid,
            auth: await token(svc.url),
            dossiers,
            seconds: ROUND_SECONDS,
            warmupSeconds: WARMUP_SECONDS,
          });
          (workers === 1 ? one : two).push(res.perSecond);
          console.log(
            `  round ${r + 1}, ${workers} instance(s): ${res.perSecond.toFixed(0)} decisions/s, p50 ${res.p50} ms, p95 ${res.p95} ms, statuses ${JSON.stringify(res.statuses)}; CPU per decision: PostgreSQL ${res.cpuMs.postgres} ms, service ${res.cpuMs.service} ms, machine ${res.cpuMs.machine} ms (${load()})`,
          );
        } finally {
          await svc.stop();
        }
      }
    }
    const tps = await pgbench(rig.cluster, 10);
    const ratio = median(two) / median(one);
    record('scaleOut', {
      dossiers: count,
      one,
      two,
      ratioOfMedians: ratio,
      pgbenchTpcb: tps,
      load: os.loadavg()[0],
      target: '≥ 1.25',
    });
    console.log(
      `scale-out: two/one = ${ratio.toFixed(2)} (target ≥ 1.25): ${ratio >= 1.25 ? 'met' : 'NOT met'}; pgbench TPC-B ${tps.toFixed(0)} tps (${load()})`,
    );
  } finally {
    await rig.cluster.stop();
    rig.hugePages?.restore();
  }
}

async function small(): Promise<void> {
  console.log(
    `\n=== small database: 3,000 fresh dossiers per round, default memory settings, durable, ${CLIENTS} clients, against pgbench TPC-B`,
  );
  const rig = await durableCluster(false);
  try {
    const perRound = 3000;
    await load_(rig.url, perRound * ROUNDS * 2 + 600, 0);
    const pool = await pendingDossiers(rig.url, perRound * ROUNDS * 2 + 600);
    const figures: Record<string, number[]> = { one: [], two: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const workers of r % 2 === 0 ? [1, 2] : [2, 1]) {
        const svc = await instances(rig.url, workers);
        try {
          const auth = await token(svc.url);
          // A fresh instance's warm-up on other dossiers (its code compiled, its connections opened).
          await decisionRun({
            base: svc.url,
            auth,
            dossiers: pool.splice(0, 150),
            seconds: 0,
            untilDone: true,
          });
          const res = await decisionRun({
            base: svc.url,
            servicePid: svc.pid,
            auth,
            dossiers: pool.splice(0, perRound),
            seconds: 0,
            untilDone: true,
          });
          figures[workers === 1 ? 'one' : 'two']!.push(res.perSecond);
          console.log(
            `  round ${r + 1}, ${workers} instance(s): ${res.perSecond.toFixed(0)} decisions/s over ${res.seconds.toFixed(1)} s, p95 ${res.p95} ms, statuses ${JSON.stringify(res.statuses)}; CPU per decision: PostgreSQL ${res.cpuMs.postgres} ms, service ${res.cpuMs.service} ms, machine ${res.cpuMs.machine} ms (${load()})`,
          );
        } finally {
          await svc.stop();
        }
      }
    }
    const tps = await pgbench(rig.cluster, 10);
    const one = median(figures.one!) / tps;
    const two = median(figures.two!) / tps;
    record('small', {
      ...figures,
      pgbenchTpcb: tps,
      oneOverPgbench: one,
      twoOverPgbench: two,
      load: os.loadavg()[0],
      target: '≥ 0.6',
    });
    console.log(
      `small: one instance ${one.toFixed(2)} × pgbench, two ${two.toFixed(2)} × (target ≥ 0.6) (${load()})`,
    );
  } finally {
    await rig.cluster.stop();
  }
}

async function lagSampler(base: string): Promise<{ stop(): Promise<number[]> }> {
  const lags: number[] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      const r = await fetch(`${base}/api/v1/health`).catch(() => null);
      if (r?.ok) lags.push(((await r.json()) as { delivery: { lagSeconds: number } }).delivery.lagSeconds);
      await sleep(500);
    }
  })();
  return {
    async stop() {
      on = false;
      await loop;
      return lags;
    },
  };
}

async function delivery(): Promise<void> {
  const count = Number(process.env.BENCH_DOSSIERS_DELIVERY ?? 200_000);
  console.log(
    `\n=== delivery: 30,000 queued SMS to a local gateway, then the lag during a 60 s decision run (${count} dossiers)`,
  );
  const rig = await durableCluster(true);
  const gateway = await startSmsGateway();
  try {
    await load_(rig.url, count, 0.5);
    const db = await openPostgres(rig.url, 2);
    const queued = (
      await db.query(
        `INSERT INTO notifications (id, channel, dossier_id, recipient, body, status, next_attempt_at, created_at)
         SELECT gen_random_uuid(), 'sms', id, mobile, 'BHXH VN: ho so da duoc tiep nhan', 'queued', now(), now()
           FROM dossiers WHERE status = 'decided' LIMIT 30000`,
      )
    ).rowCount;
    const env = { SMS_GATEWAY_URL: gateway.url, SMS_API_KEY: 'bench' };
    const svc = await instances(rig.url, 1, env);
    let sms = 0;
    try {
      const t0 = Date.now();
      for (;;) {
        const left = (
          await db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM notifications WHERE status = 'queued'",
          )
        ).rows[0]!.n;
        if (left === 0) break;
        await sleep(100);
      }
      const seconds = (Date.now() - t0) / 1000;
      sms = queued / seconds;
      console.log(
        `  ${queued} SMS in ${seconds.toFixed(1)} s: ${sms.toFixed(0)} SMS/s (gateway: ${gateway.sent()} sent, ${gateway.duplicates()} duplicates) (${load()})`,
      );
      // The lag while decisions arrive at full rate for 60 s (each approval and rejection queues one SMS).
      const pending = await pendingDossiers(rig.url, 120_000);
      const sampler = await lagSampler(svc.url);
      const res = await decisionRun({
        base: svc.url,
        auth: await token(svc.url),
        dossiers: pending,
        seconds: LAG_SECONDS,
        warmupSeconds: 0,
      });
      const lags = await sampler.stop();
      const max = Math.max(...lags);
      record('delivery', {
        smsPerSecond: sms,
        target: '≥ 1,500',
        decisionsPerSecond: res.perSecond,
        lagMaxSeconds: max,
        lagP95Seconds: pct(lags, 95),
        lagTarget: '≤ 5 s',
        duplicates: gateway.duplicates(),
        load: os.loadavg()[0],
      });
      console.log(
        `delivery: ${sms.toFixed(0)} SMS/s (target ≥ 1,500); during ${res.perSecond.toFixed(0)} decisions/s for ${LAG_SECONDS} s the oldest due message waited at most ${max} s (target ≤ 5) (${load()})`,
      );
    } finally {
      await svc.stop();
      await db.close();
    }
  } finally {
    await gateway.close();
    await rig.cluster.stop();
    rig.hugePages?.restore();
  }
}

async function burst(): Promise<void> {
  const count = Number(process.env.BENCH_DOSSIERS ?? 1_000_000);
  console.log(
    `\n=== searches during and after a decision burst (${count} dossiers; 8 search clients; 32 decision clients for ${ROUND_SECONDS} s)`,
  );
  const rig = await durableCluster(true);
  try {
    await load_(rig.url, count, 0.5);
    const db = await openPostgres(rig.url, 1);
    const probes = (
      await db.query<{ bhxh_code: string; full_name: string }>(
        "SELECT bhxh_code, full_name FROM dossiers TABLESAMPLE SYSTEM (1) WHERE agency_code IN ('903', '00115') LIMIT 2000",
      )
    ).rows;
    await db.close();
    const svc = await instances(rig.url, Number(process.env.BENCH_WORKERS ?? 1));
    try {
      const auth = await token(svc.url);
      const searchWhile = async (seconds: number): Promise<number[]> => {
        const times: number[] = [];
        const until = Date.now() + seconds * 1000;
        let i = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (Date.now() < until) {
              const p = probes[i++ % probes.length]!;
              const q =
                i % 2 ? `q=${encodeURIComponent(foldVietnamese(p.full_name))}` : `bhxhCode=${p.bhxh_code}`;
              const t = Date.now();
              const r = await fetch(`${svc.url}/api/v1/dossiers?${q}`, {
                headers: { authorization: `Bearer ${auth}` },
              });
              await r.arrayBuffer();
              times.push(Date.now() - t);
            }
          }),
        );
        return times;
      };
      await searchWhile(5); // warm-up
      const quiet = await searchWhile(20);
      const pending = await pendingDossiers(rig.url, ROUND_SECONDS * 4000);
      const during = searchWhile(ROUND_SECONDS);
      const res = await decisionRun({ base: svc.url, auth, dossiers: pending, seconds: ROUND_SECONDS });
      const duringTimes = await during;
      const after = await searchWhile(60);
      const q95 = pct(quiet, 95);
      record('burst', {
        quietP50: pct(quiet, 50),
        quietP95: q95,
        duringP95: pct(duringTimes, 95),
        afterP95: pct(after, 95),
        duringRatio: pct(duringTimes, 95) / q95,
        afterRatio: pct(after, 95) / q95,
        decisionsPerSecond: res.perSecond,
        target: '≤ 2 × quiet p95',
        load: os.loadavg()[0],
      });
      console.log(
        `burst: quiet p95 ${q95} ms; during ${pct(duringTimes, 95)} ms (${(pct(duringTimes, 95) / q95).toFixed(2)}×), 60 s after ${pct(after, 95)} ms (${(pct(after, 95) / q95).toFixed(2)}×) (target ≤ 2×) (${load()})`,
      );
    } finally {
      await svc.stop();
    }
  } finally {
    await rig.cluster.stop();
    rig.hugePages?.restore();
  }
}

/** Two instance processes behind HAProxy on `url`. */
async function balanced(
  url: string,
  env: Record<string, string>,
): Promise<{ lb: LoadBalancer; svcs: ServiceProcess[] }> {
  const svcs = [
    await instances(url, 1, { ...env, DB_POOL_SIZE: '16' }),
    await instances(url, 1, { ...env, DB_POOL_SIZE: '16' }),
  ];
  const lb = await startLoadBalancer(svcs.map((s, i) => ({ name: `s${i + 1}`, port: s.port })));
  for (;;) {
    if (Object.values(await lb.states()).every((s) => s === 'UP')) break;
    await sleep(100);
  }
  return { lb, svcs };
}

async function verify(
  db: Database,
  acknowledged: readonly string[],
): Promise<{ lost: number; twice: number; sms: number }> {
  const kept = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM decisions WHERE decision_id = ANY($1::uuid[])',
    [acknowledged],
  );
  const twice = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM (SELECT dossier_id FROM decisions WHERE status_code = 200 GROUP BY dossier_id HAVING count(*) > 1) x',
  );
  const sms = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM notifications WHERE channel = 'sms'",
  );
  return { lost: acknowledged.length - kept.rows[0]!.n, twice: twice.rows[0]!.n, sms: sms.rows[0]!.n };
}

async function failover(): Promise<void> {
  const count = Number(process.env.BENCH_DOSSIERS_FAILOVER ?? 100_000);
  console.log(
    `\n=== failover: kill -9 of the primary mid-run (${count} dossiers, ${CLIENTS} clients, two instances behind HAProxy)`,
  );
  const primary = await startPostgres({
    settings: { ...DURABLE_SETTINGS, max_connections: 300, shared_buffers: '1GB' },
  });
  const url0 = await primary.createDatabase('bench');
  await load_(url0, count, 0.5);
  const replica = await startReplica(primary, {
    synchronous: true,
    settings: { ...DURABLE_SETTINGS, max_connections: 300, shared_buffers: '1GB' },
  });
  const url = `postgres://postgres@127.0.0.1:${primary.port},127.0.0.1:${replica.port}/bench?target_session_attrs=read-write`;
  const gateway = await startSmsGateway();
  const { lb, svcs } = await balanced(url, { SMS_GATEWAY_URL: gateway.url, SMS_API_KEY: 'bench' });
  try {
    const pending = await pendingDossiers(url0, ROUND_SECONDS * 4000);
    let killedAt = 0;
    let back = 0;
    const res = await decisionRun({
      base: lb.url,
      auth: await token(lb.url),
      dossiers: pending,
      seconds: ROUND_SECONDS,
      retry: true,
      at: {
        after: ROUND_SECONDS / 2,
        run: async () => {
          killPostmaster(primary);
          killedAt = Date.now();
          console.log(`  primary killed (${load()})`);
          await replica.promote();
          await waitForHealth(lb.url, 60_000);
          back = (Date.now() - killedAt) / 1000;
          console.log(`  the service answers again ${back.toFixed(1)} s after the kill`);
        },
      },
    });
    const db = await openPostgres(replica.urlFor('bench'), 2);
    try {
      // The outbox drains after the failover too; then no message may have been sent twice.
      for (;;) {
        const left = (
          await db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM notifications WHERE status = 'queued'",
          )
        ).rows[0]!.n;
        if (left === 0) break;
        await sleep(200);
      }
      const v = await verify(db, res.acknowledged);
      record('failover', {
        decisionsPerSecond: res.perSecond,
        acknowledged: res.acknowledged.length,
        lost: v.lost,
        appliedTwice: v.twice,
        smsQueued: v.sms,
        smsSentByGateway: gateway.sent(),
        smsRequestsRepeated: gateway.duplicates(),
        answersAgainSeconds: back,
        retries: res.retries,
        statuses: res.statuses,
        load: os.loadavg()[0],
      });
      console.log(
        `failover: ${res.acknowledged.length} acknowledged, ${v.lost} lost, ${v.twice} applied twice; ${gateway.sent()} SMS sent once each for ${v.sms} queued (${gateway.duplicates()} repeated requests de-duplicated); answers again after ${back.toFixed(1)} s (target ≤ 15) (${load()})`,
      );
    } finally {
      await db.close();
    }
  } finally {
    await lb.stop();
    for (const s of svcs) await s.stop();
    await gateway.close();
    await replica.stop();
    await primary.stop();
  }
}

async function killInstance(): Promise<void> {
  const count = Number(process.env.BENCH_DOSSIERS_FAILOVER ?? 100_000);
  console.log(
    `\n=== kill -9 of one of two instances mid-run (${count} dossiers, ${CLIENTS} clients, HAProxy)`,
  );
  const rig = await durableCluster(false);
  const gateway = await startSmsGateway();
  try {
    await load_(rig.url, count, 0.5);
    const { lb, svcs } = await balanced(rig.url, { SMS_GATEWAY_URL: gateway.url, SMS_API_KEY: 'bench' });
    try {
      const pending = await pendingDossiers(rig.url, ROUND_SECONDS * 4000);
      const lagAfter: number[] = [];
      const res = await decisionRun({
        base: lb.url,
        auth: await token(lb.url),
        dossiers: pending,
        seconds: ROUND_SECONDS,
        retry: true,
        at: {
          after: ROUND_SECONDS / 2,
          run: async () => {
            await svcs[0]!.kill();
            console.log(`  instance 1 killed (${load()})`);
            const sampler = await lagSampler(svcs[1]!.url);
            await sleep((ROUND_SECONDS / 2) * 1000);
            lagAfter.push(...(await sampler.stop()));
          },
        },
      });
      const db = await openPostgres(rig.url, 2);
      try {
        const v = await verify(db, res.acknowledged);
        record('killInstance', {
          decisionsPerSecond: res.perSecond,
          acknowledged: res.acknowledged.length,
          lost: v.lost,
          appliedTwice: v.twice,
          lagMaxAfterKillSeconds: Math.max(...lagAfter),
          smsRequestsRepeated: gateway.duplicates(),
          retries: res.retries,
          load: os.loadavg()[0],
        });
        console.log(
          `kill-instance: ${res.acknowledged.length} acknowledged, ${v.lost} lost, ${v.twice} applied twice; outbox lag after the kill at most ${Math.max(...lagAfter)} s (target: work resumes ≤ 10 s) (${load()})`,
        );
      } finally {
        await db.close();
      }
    } finally {
      await lb.stop();
      for (const s of svcs) await s.stop();
    }
  } finally {
    await gateway.close();
    await rig.cluster.stop();
  }
}

// ------------------------------------------------------------------ main

const modes: Record<string, () => Promise<void>> = {
  '--scale-out': scaleOut,
  '--small': small,
  '--delivery': delivery,
  '--burst': burst,
  '--failover': failover,
  '--kill-instance': killInstance,
};
const asked = process.argv.slice(2).filter((a) => a.startsWith('--'));
const run = asked.includes('--all') ? Object.keys(modes) : asked;
const unknown = run.filter((m) => !modes[m]);
if (run.length === 0 || unknown.length) {
  console.error(
    `modes: ${Object.keys(modes).join(' ')} --all${unknown.length ? ` (unknown: ${unknown.join(' ')})` : ''}`,
  );
  process.exit(2);
}
console.log(
  `scale-out benchmarks ${run.join(' ')} on ${os.cpus().length} cores (${load()}); REPO ${REPO_ROOT}`,
);
for (const m of run) await modes[m]!();
mkdirSync(path.join(REPO_ROOT, '.tmp'), { recursive: true });
appendFileSync(path.join(REPO_ROOT, '.tmp', 'bench-server-scale.json'), `${JSON.stringify(results)}\n`);
