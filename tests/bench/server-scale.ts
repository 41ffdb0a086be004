// The service's scale-out benchmarks (issue: national roll-out), `npm run bench:server -- --MODE`:
//
//   --scale-out      decisions/s of two instances (npm run server -- --workers 2) against one, same
//                    run, same data (BENCH_DOSSIERS, default 1,000,000; 32 clients; durable PostgreSQL
//                    in huge pages as tests/bench/server.ts sets it), interleaved rounds; target ≥ 1.25×
//   --small          one instance and two on a small database (fresh dossiers, PostgreSQL's default
//                    memory settings, durable, 32 clients): each fresh service decides 3,000 ("cold",
//                    its code still compiling) then 3,000 more ("warm"), against pgbench TPC-B on the
//                    same cluster in interleaved rounds; target ≥ 0.6 × pgbench (warm)
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
// Each prints its figures beside the same-run baseline, its verdict and the 1-minute load average,
// with the CPU each part spent per operation (its own PostgreSQL cluster, the service, the load
// generator or pgbench, and the machine's other work): on a machine shared with other work the
// rates move with that work, the CPU per operation much less. Results are appended to
// .tmp/bench-server-scale.json. The integration tests (tests/integration/server/instances and
// failover) are the short versions kept in `npm test`; these runs are long and need a quiet machine.

import { execFile as execFileCb, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
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
import { clusterCpuSeconds, machineBusySeconds, selfCpuSeconds, treeCpuSeconds } from './cpu.js';
import { useHugePages, type HugePages } from './hugepages.js';
import { KeptAliveClient } from './http-load.js';
import {
  pgStatsSettings,
  printPgStats,
  startPgStats,
  walPerOperation,
  walSnap,
  type WalSnap,
} from './pgstats.js';
import type { PhaseResult } from './search-load.js';

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

/**
 * BENCH_PG_SETTINGS="name=value,name=value": PostgreSQL settings added to the benchmark's cluster,
 * for A/B runs of a setting docs/deploy-service.md might recommend (e.g. wal_compression=lz4).
 */
function extraPgSettings(): Record<string, string> {
  const raw = process.env.BENCH_PG_SETTINGS ?? '';
  return Object.fromEntries(
    raw
      .split(',')
      .map((kv) => kv.trim())
      .filter(Boolean)
      .map((kv) => {
        const i = kv.indexOf('=');
        if (i < 1) throw new Error(`BENCH_PG_SETTINGS: "${kv}" is not name=value`);
        return [kv.slice(0, i), kv.slice(i + 1)];
      }),
  );
}

/** "WAL per decision …" between two snapshots (the searches' audit entries included). */
function describeWal(per: WalSnap): string {
  return `WAL per decision (searches' entries included): ${per.bytes.toFixed(1)} bytes, ${per.records.toFixed(1)} records, ${per.fpi.toFixed(1)} full-page images; checkpoints meanwhile ${per.checkpoints}`;
}

async function durableCluster(big: boolean): Promise<Rig> {
  const cluster = await startPostgres({
    settings: {
      ...DURABLE_SETTINGS,
      max_connections: 300,
      ...pgStatsSettings(),
      ...extraPgSettings(),
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
    // BENCH_SERVICE_NODE_ARGS: node options of the service, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
    nodeArgs: (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(/\s+/u).filter(Boolean),
  });
}

// ------------------------------------------------------------------ where the CPU goes

/**
 * CPU seconds used so far by each part of a run: the benchmark's PostgreSQL clusters (their process
 * trees, never other engineers' clusters), the service's processes (a cluster's primary and its
 * workers), this process (the load generator, the local SMS gateway, and pgbench once it has ended)
 * and the whole machine. A throughput measured while other work loads the two cores says little;
 * the CPU each part spends per operation says the same on a busy machine as on a quiet one.
 */
type CpuSnap = { postgres: number; service: number; bench: number; machine: number; at: number };
type Parts = { pgDataDirs: readonly string[]; servicePids?: readonly number[] };

function cpuSnap(parts: Parts): CpuSnap {
  return {
    postgres: parts.pgDataDirs.reduce((t, d) => t + clusterCpuSeconds(d), 0),
    service: (parts.servicePids ?? []).reduce((t, p) => t + treeCpuSeconds(p), 0),
    bench: selfCpuSeconds(),
    machine: machineBusySeconds(),
    at: Date.now(),
  };
}

/** CPU between two snapshots: ms per operation of each part, and the cores each used. */
type CpuUse = {
  /** ms of CPU per operation */
  ms: { postgres: number; service: number; bench: number; ours: number; others: number; machine: number };
  /** cores used on average: the benchmark's parts together, and the rest of the machine's work */
  cores: { ours: number; others: number };
};

function cpuUse(a: CpuSnap, b: CpuSnap, ops: number): CpuUse {
  const postgres = b.postgres - a.postgres;
  const service = b.service - a.service;
  const bench = b.bench - a.bench;
  const ours = postgres + service + bench;
  const machine = b.machine - a.machine;
  const seconds = Math.max(0.001, (b.at - a.at) / 1000);
  const per = (sec: number): number => Math.round((sec * 1000 * 1000) / Math.max(1, ops)) / 1000;
  return {
    ms: {
      postgres: per(postgres),
      service: per(service),
      bench: per(bench),
      ours: per(ours),
      others: per(Math.max(0, machine - ours)),
      machine: per(machine),
    },
    cores: {
      ours: Math.round((ours / seconds) * 100) / 100,
      others: Math.round((Math.max(0, machine - ours) / seconds) * 100) / 100,
    },
  };
}

/** "PostgreSQL 0.41 + service 0.50 + load generator 0.06 = 1.0 ms per decision; …" */
function describeCpu(u: CpuUse, unit: string, benchPart = 'load generator'): string {
  const parts = [`PostgreSQL ${u.ms.postgres}`];
  if (u.ms.service > 0) parts.push(`service ${u.ms.service}`);
  parts.push(`${benchPart} ${u.ms.bench}`);
  return (
    `CPU per ${unit}: ${parts.join(' + ')} = ${u.ms.ours} ms; the machine's other work ${u.ms.others} ms; ` +
    `cores used: ours ${u.cores.ours}, other work ${u.cores.others} (of ${os.cpus().length})`
  );
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
  /** the parts whose CPU is measured (PostgreSQL's data folders, the service's processes) */
  cpu?: Parts;
  /** called once `after` seconds into the run */
  at?: { after: number; run: () => Promise<void> };
};
type RunResult = {
  /** CPU per decision over the whole run (warm-up included), when `cpu` names the parts */
  cpu: CpuUse | null;
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
  const cpu0 = o.cpu ? cpuSnap(o.cpu) : null;
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
  const cpu = cpu0 && o.cpu ? cpuUse(cpu0, cpuSnap(o.cpu), all) : null;
  await event;
  const seconds = (Date.now() - (started || Date.now())) / 1000;
  if (!o.untilDone && next >= o.dossiers.length) throw new Error('the run ran out of pending dossiers');
  return {
    cpu,
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

/** A pgbench database of `scale` in the cluster (TPC-B's tables), made once per benchmark. */
async function pgbenchDatabase(cluster: PostgresCluster, scale = 10): Promise<string> {
  const url = await cluster.createDatabase(`pgbench_${Math.floor(Math.random() * 1e6)}`);
  await execFile(path.join(PG_BIN, 'pgbench'), ['-i', '-s', String(scale), '-q', url]);
  return url;
}

type PgbenchResult = { tps: number; transactions: number; cpu: CpuUse };

/** pgbench's TPC-B, 32 clients for `seconds`, with the CPU each part spent per transaction. */
async function pgbench(cluster: PostgresCluster, url: string, seconds = 15): Promise<PgbenchResult> {
  const parts = { pgDataDirs: [cluster.dataDir] };
  const before = cpuSnap(parts);
  const { stdout } = await execFile(path.join(PG_BIN, 'pgbench'), [
    '-c',
    String(CLIENTS),
    '-j',
    '2',
    '-T',
    String(seconds),
    url,
  ]);
  const transactions = Number(/processed: (\d+)/u.exec(stdout)?.[1] ?? NaN);
  return {
    tps: Number(/tps = ([\d.]+)/u.exec(stdout)?.[1] ?? NaN),
    transactions,
    cpu: cpuUse(before, cpuSnap(parts), transactions),
  };
}

// ------------------------------------------------------------------ modes

/** The median of each part's CPU per operation over several measured runs. */
function medianCpu(uses: readonly CpuUse[]): CpuUse['ms'] {
  const keys = ['postgres', 'service', 'bench', 'ours', 'others', 'machine'] as const;
  return Object.fromEntries(
    keys.map((k) => [k, Math.round(median(uses.map((u) => u.ms[k])) * 1000) / 1000]),
  ) as CpuUse['ms'];
}

type DecisionRound = { perSecond: number; cpu: CpuUse };

/**
 * Decisions by a fresh service of `workers` instances, its CPU measured: `stretches` of dossiers one
 * after another, each decided to the last and measured on its own (the first after a few to open
 * its connections), or, with `seconds`, a timed run after a warm-up.
 */
async function decisionRound(
  rig: Rig,
  workers: number,
  work:
    { stretches: Array<{ name: string; dossiers: Pending[] }> } | { seconds: number; dossiers: Pending[] },
  label: string,
  /** the stretch whose statements BENCH_PG_STATS=1 prints, per decision */
  pgStatsStretch?: string,
): Promise<DecisionRound[]> {
  const svc = await instances(rig.url, workers);
  const cpu = { pgDataDirs: [rig.cluster.dataDir], servicePids: [svc.pid] };
  const who = `${workers} instance${workers > 1 ? 's' : ''}`;
  const out: DecisionRound[] = [];
  try {
    const auth = await token(svc.url);
    const runs =
      'stretches' in work
        ? work.stretches.map((st) => ({
            name: st.name,
            run: () =>
              decisionRun({ base: svc.url, auth, dossiers: st.dossiers, seconds: 0, untilDone: true, cpu }),
          }))
        : [
            {
              name: '',
              run: () =>
                decisionRun({
                  base: svc.url,
                  auth,
                  dossiers: work.dossiers,
                  seconds: work.seconds,
                  warmupSeconds: WARMUP_SECONDS,
                  cpu,
                }),
            },
          ];
    for (const r of runs) {
      const stats = r.name && r.name === pgStatsStretch ? await startPgStats(rig.url) : null;
      const res = await r.run();
      if (stats) await printPgStats(stats, `${label}, ${who}, ${r.name}`, res.done);
      console.log(
        `  ${label}, ${who}${r.name ? `, ${r.name}` : ''}: ${res.perSecond.toFixed(0)} decisions/s over ${res.seconds.toFixed(1)} s, p50 ${res.p50} ms, p95 ${res.p95} ms, statuses ${JSON.stringify(res.statuses)} (${load()})`,
      );
      console.log(`     ${describeCpu(res.cpu!, 'decision')}`);
      out.push({ perSecond: res.perSecond, cpu: res.cpu! });
    }
    return out;
  } finally {
    await svc.stop();
  }
}

/** One pgbench round beside the decision rounds, printed the same way. */
async function pgbenchRound(rig: Rig, url: string, label: string): Promise<PgbenchResult> {
  const res = await pgbench(rig.cluster, url);
  console.log(`  ${label}, pgbench TPC-B: ${res.tps.toFixed(0)} tps (${load()})`);
  console.log(`     ${describeCpu(res.cpu, 'transaction', 'pgbench')}`);
  return res;
}

/**
 * What the CPU figures say of a throughput: with `cores` for the benchmark's parts, an operation
 * costing `ms` of CPU cannot go faster than cores × 1000 / ms per second.
 */
const ceiling = (ms: number, cores = os.cpus().length): number => (cores * 1000) / ms;

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
    const runs: Record<'one' | 'two', DecisionRound[]> = { one: [], two: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const workers of r % 2 === 0 ? [1, 2] : [2, 1]) {
        const [res] = await decisionRound(
          rig,
          workers,
          { seconds: ROUND_SECONDS, dossiers: pool.splice(0, perRound) },
          `round ${r + 1}`,
        );
        runs[workers === 1 ? 'one' : 'two'].push(res!);
      }
    }
    const pgUrl = await pgbenchDatabase(rig.cluster, 10);
    const tpcb = await pgbenchRound(rig, pgUrl, 'after the rounds');
    const one = runs.one.map((x) => x.perSecond);
    const two = runs.two.map((x) => x.perSecond);
    const ratio = median(two) / median(one);
    const cpuOne = medianCpu(runs.one.map((x) => x.cpu));
    const cpuTwo = medianCpu(runs.two.map((x) => x.cpu));
    record('scaleOut', {
      dossiers: count,
      one,
      two,
      ratioOfMedians: ratio,
      cpuMsPerDecision: { one: cpuOne, two: cpuTwo },
      coresUsed: { one: runs.one.map((x) => x.cpu.cores), two: runs.two.map((x) => x.cpu.cores) },
      pgbenchTpcb: tpcb.tps,
      load: os.loadavg()[0],
      target: '≥ 1.25',
    });
    console.log(
      `scale-out: two/one = ${ratio.toFixed(2)} (target ≥ 1.25): ${ratio >= 1.25 ? 'met' : 'NOT met'}; pgbench TPC-B ${tpcb.tps.toFixed(0)} tps (${load()})`,
    );
    console.log(
      `  CPU per decision (medians): one instance ${cpuOne.ours} ms (PostgreSQL ${cpuOne.postgres}, service ${cpuOne.service}, load generator ${cpuOne.bench}), two ${cpuTwo.ours} ms (${cpuTwo.postgres}, ${cpuTwo.service}, ${cpuTwo.bench}):` +
        ` on ${os.cpus().length} cores alone they allow ${ceiling(cpuOne.ours).toFixed(0)} and ${ceiling(cpuTwo.ours).toFixed(0)} decisions/s, so two/one ≤ ${(cpuOne.ours / cpuTwo.ours).toFixed(2)} here whatever the instances do`,
    );
  } finally {
    await rig.cluster.stop();
    rig.hugePages?.restore();
  }
}

async function small(): Promise<void> {
  console.log(
    `\n=== small database: 3,000 fresh dossiers per measured stretch, default memory settings, durable, ${CLIENTS} clients, against pgbench TPC-B on the same cluster, ${ROUNDS} rounds each, interleaved`,
  );
  const rig = await durableCluster(false);
  try {
    // Each instance decides 150 dossiers (its connections opened), then 3,000 as a fresh process
    // ("cold": its code still being compiled by V8's JIT, about a tenth of a millisecond of the
    // service's CPU per decision), then 3,000 more ("warm": as an instance that has been serving
    // for a while). The verdict is the warm one; both are printed.
    const perRound = 3000;
    const perInstance = 150 + 2 * perRound;
    await load_(rig.url, perInstance * ROUNDS * 2, 0);
    const pool = await pendingDossiers(rig.url, perInstance * ROUNDS * 2);
    const pgUrl = await pgbenchDatabase(rig.cluster, 10);
    const runs: Record<'one' | 'two' | 'oneCold' | 'twoCold', DecisionRound[]> = {
      one: [],
      two: [],
      oneCold: [],
      twoCold: [],
    };
    const tpcb: PgbenchResult[] = [];
    // Rounds of one instance, two instances and pgbench, in turning order: a moment when the machine
    // is busier falls on each alike.
    const orders = [
      ['one', 'two', 'pgbench'],
      ['pgbench', 'two', 'one'],
      ['two', 'pgbench', 'one'],
    ] as const;
    // BENCH_SMALL_PARTS=one (or one,pgbench, …): only those rounds, for A/B runs of the service's
    // CPU per decision (the verdict needs all three).
    const parts = (process.env.BENCH_SMALL_PARTS ?? 'one,two,pgbench').split(',');
    for (let r = 0; r < ROUNDS; r++) {
      for (const what of orders[r % orders.length]!) {
        if (!parts.includes(what)) continue;
        if (what === 'pgbench') tpcb.push(await pgbenchRound(rig, pgUrl, `round ${r + 1}`));
        else {
          const [, cold, warm] = await decisionRound(
            rig,
            what === 'one' ? 1 : 2,
            {
              stretches: [
                { name: 'connections opened', dossiers: pool.splice(0, 150) },
                { name: 'cold (first 3,000 of a fresh process)', dossiers: pool.splice(0, perRound) },
                { name: 'warm (the next 3,000)', dossiers: pool.splice(0, perRound) },
              ],
            },
            `round ${r + 1}`,
            r === Number(process.env.BENCH_PG_STATS_ROUND ?? 1) - 1 && what === 'one'
              ? 'warm (the next 3,000)'
              : undefined,
          );
          runs[what].push(warm!);
          runs[what === 'one' ? 'oneCold' : 'twoCold'].push(cold!);
        }
      }
    }
    const tps = median(tpcb.map((x) => x.tps));
    const rate = (k: keyof typeof runs): number => median(runs[k].map((x) => x.perSecond)) / tps;
    const one = rate('one');
    const two = rate('two');
    const cpuOne = medianCpu(runs.one.map((x) => x.cpu));
    const cpuOneCold = medianCpu(runs.oneCold.map((x) => x.cpu));
    const cpuTwo = medianCpu(runs.two.map((x) => x.cpu));
    const cpuPg = medianCpu(tpcb.map((x) => x.cpu));
    record('small', {
      one: runs.one.map((x) => x.perSecond),
      two: runs.two.map((x) => x.perSecond),
      oneCold: runs.oneCold.map((x) => x.perSecond),
      twoCold: runs.twoCold.map((x) => x.perSecond),
      pgbenchTpcb: tpcb.map((x) => x.tps),
      oneOverPgbench: one,
      twoOverPgbench: two,
      oneColdOverPgbench: rate('oneCold'),
      cpuMsPerOperation: { one: cpuOne, oneCold: cpuOneCold, two: cpuTwo, pgbench: cpuPg },
      cpuRatioOne: cpuPg.ours / cpuOne.ours,
      load: os.loadavg()[0],
      target: '≥ 0.6',
    });
    // With BENCH_SMALL_PARTS leaving out pgbench or one instance there is no ratio, and no verdict.
    const verdict = Number.isFinite(one)
      ? one >= 0.6
        ? 'met'
        : 'NOT met'
      : 'no verdict (BENCH_SMALL_PARTS left a part out)';
    console.log(
      `small: one instance ${one.toFixed(2)} × pgbench, two ${two.toFixed(2)} × (warm; medians; target ≥ 0.6): ${verdict}; a fresh process's first 3,000: one ${rate('oneCold').toFixed(2)} ×, two ${rate('twoCold').toFixed(2)} × (${load()})`,
    );
    console.log(
      `  CPU per operation (medians): a decision ${cpuOne.ours} ms warm with one instance (PostgreSQL ${cpuOne.postgres}, service ${cpuOne.service}, load generator ${cpuOne.bench}), ${cpuOneCold.ours} ms cold, ${cpuTwo.ours} ms warm with two;` +
        ` a TPC-B transaction ${cpuPg.ours} ms (PostgreSQL ${cpuPg.postgres}, pgbench ${cpuPg.bench}): on CPU alone one warm instance would reach ${(cpuPg.ours / cpuOne.ours).toFixed(2)} × pgbench`,
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
      const parts = { pgDataDirs: [rig.cluster.dataDir], servicePids: [svc.pid] };
      const cpu0 = cpuSnap(parts);
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
      const cpu = cpuUse(cpu0, cpuSnap(parts), queued);
      sms = queued / seconds;
      console.log(
        `  ${queued} SMS in ${seconds.toFixed(1)} s: ${sms.toFixed(0)} SMS/s (gateway: ${gateway.sent()} sent, ${gateway.duplicates()} duplicates) (${load()})`,
      );
      console.log(`     ${describeCpu(cpu, 'SMS', 'gateway and polling')}`);
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
        cpuMsPerSms: cpu.ms,
        coresUsed: cpu.cores,
        target: '≥ 1,500',
        decisionsPerSecond: res.perSecond,
        lagMaxSeconds: max,
        lagP95Seconds: pct(lags, 95),
        lagTarget: '≤ 5 s',
        duplicates: gateway.duplicates(),
        load: os.loadavg()[0],
      });
      console.log(
        `delivery: ${sms.toFixed(0)} SMS/s (target ≥ 1,500): ${sms >= 1500 ? 'met' : 'NOT met'}; on CPU alone ${ceiling(cpu.ms.ours).toFixed(0)} /s; during ${res.perSecond.toFixed(0)} decisions/s for ${LAG_SECONDS} s the oldest due message waited at most ${max} s (target ≤ 5): ${max <= 5 ? 'met' : 'NOT met'} (${load()})`,
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

/** The searching desks of --burst, in their own process (search-load.ts): one phase per call. */
async function searchDesks(
  base: string,
  auth: string,
  pgUrl: string,
  probes: ReadonlyArray<{ bhxh_code: string; full_name: string }>,
): Promise<{ phase(seconds: number): Promise<PhaseResult>; close(): void }> {
  mkdirSync(path.join(REPO_ROOT, '.tmp'), { recursive: true });
  const file = path.join(REPO_ROOT, '.tmp', `bench-search-probes-${process.pid}.jsonl`);
  writeFileSync(file, probes.map((p) => JSON.stringify(p)).join('\n'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'tests', 'bench', 'search-load.ts'), base, auth, pgUrl, file],
    { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const l = await lines.next();
    if (l.done) throw new Error('the search desks stopped');
    return l.value as string;
  };
  await next(); // ready
  return {
    async phase(seconds) {
      child.stdin!.write(`${JSON.stringify({ seconds })}\n`);
      return JSON.parse(await next()) as PhaseResult;
    },
    close() {
      child.stdin!.end();
      rmSync(file, { force: true });
    },
  };
}

/** "p50 / p95" of a phase's times, ms. */
const p5095 = (xs: readonly number[]): string => `${pct(xs, 50).toFixed(1)} / ${pct(xs, 95).toFixed(1)}`;

/** What the backends running a search did, as shares of the samples. */
function backendShares(seen: Record<string, number>): string {
  const total = Object.values(seen).reduce((a, b) => a + b, 0);
  if (total === 0) return 'no search seen running';
  return Object.entries(seen)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${Math.round((100 * n) / total)} %`)
    .join(', ');
}

async function burst(): Promise<void> {
  const count = Number(process.env.BENCH_DOSSIERS ?? 1_000_000);
  console.log(
    `\n=== searches during and after a decision burst (${count} dossiers; 8 search clients in their own process; 32 decision clients for ${ROUND_SECONDS} s)`,
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
      const desks = await searchDesks(svc.url, auth, rig.url, probes);
      try {
        await desks.phase(5); // warm-up
        const quiet = await desks.phase(20);
        const pending = await pendingDossiers(rig.url, ROUND_SECONDS * 4000);
        const statsDb = await openPostgres(rig.url, 1);
        const wal0 = await walSnap(statsDb);
        const duringP = desks.phase(ROUND_SECONDS);
        const res = await decisionRun({
          base: svc.url,
          auth,
          dossiers: pending,
          seconds: ROUND_SECONDS,
          cpu: { pgDataDirs: [rig.cluster.dataDir], servicePids: [svc.pid] },
        });
        const during = await duringP;
        const wal1 = await walSnap(statsDb);
        await statsDb.close();
        const wal = walPerOperation(wal0, wal1, res.done);
        const after = await desks.phase(Number(process.env.BENCH_AFTER_SECONDS ?? 60));
        const q95 = pct(quiet.searches, 95);
        const d95 = pct(during.searches, 95);
        const a95 = pct(after.searches, 95);
        for (const [name, ph] of [
          ['quiet', quiet],
          ['during', during],
          ['60 s after', after],
        ] as const) {
          console.log(
            `  ${name}: searches p50 / p95 ${p5095(ph.searches)} ms (${ph.searches.length}); the service's event loop (GET /agencies) ${p5095(ph.agencies)} ms; a backend's turn (SELECT 1) ${p5095(ph.select1)} ms; search backends: ${backendShares(ph.searchBackends)}; pages read from outside shared buffers per search ${ph.blocksReadPerSearch.toFixed(2)}`,
          );
        }
        console.log(
          `  the burst: ${res.perSecond.toFixed(0)} decisions/s; ${describeCpu(res.cpu!, 'decision')}`,
        );
        console.log(`     ${describeWal(wal)}`);
        record('burst', {
          quietP50: pct(quiet.searches, 50),
          quietP95: q95,
          duringP95: d95,
          afterP95: a95,
          duringRatio: d95 / q95,
          afterRatio: a95 / q95,
          probes: Object.fromEntries(
            (
              [
                ['quiet', quiet],
                ['during', during],
                ['after', after],
              ] as const
            ).map(([k, ph]) => [
              k,
              {
                agenciesP95: pct(ph.agencies, 95),
                select1P95: pct(ph.select1, 95),
                searchBackends: ph.searchBackends,
                blocksReadPerSearch: ph.blocksReadPerSearch,
              },
            ]),
          ),
          decisionsPerSecond: res.perSecond,
          decisionCpuMs: res.cpu?.ms,
          walPerDecision: { bytes: wal.bytes, fullPageImages: wal.fpi, checkpoints: wal.checkpoints },
          pgSettings: extraPgSettings(),
          target: '≤ 2 × quiet p95',
          load: os.loadavg()[0],
        });
        const met = d95 / q95 <= 2 && a95 / q95 <= 2;
        console.log(
          `burst: quiet p95 ${q95.toFixed(1)} ms; during ${d95.toFixed(1)} ms (${(d95 / q95).toFixed(2)}×), 60 s after ${a95.toFixed(1)} ms (${(a95 / q95).toFixed(2)}×) (target ≤ 2×): ${met ? 'met' : 'NOT met'} (${load()})`,
        );
      } finally {
        desks.close();
      }
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
