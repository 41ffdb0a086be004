// BENCH_PG_STATS=1: a benchmark also prints the statements that took most of PostgreSQL's time in
// its measured run (pg_stat_statements, nested statements of routines included) and the rows each
// table wrote, and samples what the client backends wait for. Off by default: the extension costs a
// little on every statement.
import { openPostgres, type Database, type Queryable } from '../../server/db/database.js';

export const PG_STATS = process.env.BENCH_PG_STATS === '1';

/** Settings for startPostgres: the extension loaded, when asked for. */
export const pgStatsSettings = (): Record<string, string> =>
  PG_STATS
    ? {
        shared_preload_libraries: 'pg_stat_statements',
        'pg_stat_statements.track': 'all',
        'pg_stat_statements.track_planning': 'on',
      }
    : {};

/** What the cluster has written to its WAL so far (pg_stat_wal), and its checkpoints. */
export type WalSnap = { records: number; fpi: number; bytes: number; checkpoints: number };

export async function walSnap(db: Queryable): Promise<WalSnap> {
  const r = await db.query<WalSnap>(
    `SELECT w.wal_records::float8 AS records, w.wal_fpi::float8 AS fpi, w.wal_bytes::float8 AS bytes,
            (b.checkpoints_timed + b.checkpoints_req)::float8 AS checkpoints
       FROM pg_stat_wal w, pg_stat_bgwriter b`,
  );
  return r.rows[0]!;
}

/** The WAL written between two snapshots, per operation (the checkpoints in all). */
export function walPerOperation(a: WalSnap, b: WalSnap, ops: number): WalSnap {
  const n = Math.max(1, ops);
  return {
    records: (b.records - a.records) / n,
    fpi: (b.fpi - a.fpi) / n,
    bytes: (b.bytes - a.bytes) / n,
    checkpoints: b.checkpoints - a.checkpoints,
  };
}

/** What the client backends were doing, sampled every 100 ms on a connection of its own. */
type WaitSampler = { seen: Map<string, number>; stop: () => Promise<number> };
const samplers = new WeakMap<Database, WaitSampler>();

/** Starts counting (resets the counters); null when not asked for. */
export async function startPgStats(url: string): Promise<Database | null> {
  if (!PG_STATS) return null;
  const db = await openPostgres(url, 1);
  await db.exec('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await db.exec('SELECT pg_stat_statements_reset()');
  await db.exec('SELECT pg_stat_reset()');
  await db.exec("SELECT pg_stat_reset_shared('wal')");
  const sampleDb = await openPostgres(url, 1);
  const seen = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const res = await sampleDb.query<{ w: string }>(
        `SELECT COALESCE(wait_event_type || ':' || wait_event, 'CPU') AS w FROM pg_stat_activity
          WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
      );
      samples += 1;
      for (const r of res.rows) seen.set(r.w, (seen.get(r.w) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 100));
    }
  })().catch(() => {
    // The cluster went away (the run failed and stopped it): the run's own error is the one to see.
  });
  samplers.set(db, {
    seen,
    stop: async () => {
      running = false;
      await loop;
      await sampleDb.close();
      return samples;
    },
  });
  return db;
}

/** Prints what was counted since startPgStats, for the run called `run`. */
export async function printPgStats(db: Database | null, run: string, ops = 0): Promise<void> {
  if (!db) return;
  const sampler = samplers.get(db);
  if (sampler) {
    const samples = await sampler.stop();
    const n = Math.max(samples, 1);
    const total = [...sampler.seen.values()].reduce((a, b) => a + b, 0);
    const parts = [...sampler.seen]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([w, c]) => `${w} ${(c / n).toFixed(2)}`);
    console.log(
      `active client backends in the ${run}, ${samples} samples: ${(total / n).toFixed(2)} on average (${parts.join(', ')})`,
    );
  }
  const top = await db.query<{
    total: number;
    plan: number;
    calls: number;
    mean: number;
    rows: number;
    wal: number;
    query: string;
  }>(
    `SELECT round(total_exec_time)::int AS total, round(total_plan_time)::int AS plan, calls::int, round(mean_exec_time::numeric, 3)::float AS mean,
            rows::int, wal_bytes::float AS wal, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query
       FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT 15`,
  );
  if (ops > 0) {
    // Per operation: calls, ms executing, rows and WAL bytes (nested statements of routines are
    // counted in their routine's line too).
    const f = (x: number, d = 3): string => (x / ops).toFixed(d);
    console.log(
      `PostgreSQL time in the ${run} (pg_stat_statements) per operation (${ops}): calls / ms executing / ms planning / rows / WAL bytes:`,
    );
    for (const r of top.rows)
      console.log(
        `  ${f(r.calls, 2)} / ${f(r.total)} / ${f(r.plan)} / ${f(r.rows, 2)} / ${f(r.wal, 0)}  ${r.query}`,
      );
    const commits = await db.query<{ n: number }>(
      'SELECT xact_commit::float AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    // The WAL counters were reset by startPgStats: what they hold now is this run's.
    const wal = await walSnap(db);
    console.log(
      `  per operation: ${f(commits.rows[0]!.n, 2)} commits (every connection of this database), ${f(wal.bytes, 0)} WAL bytes in ${f(wal.records, 1)} records (${f(wal.fpi, 2)} full pages)`,
    );
  } else {
    console.log(
      `PostgreSQL time in the ${run} (pg_stat_statements), ms executing / ms planning / calls / ms mean execution:`,
    );
    for (const r of top.rows) console.log(`  ${r.total} / ${r.plan} / ${r.calls} / ${r.mean}  ${r.query}`);
  }
  const written = await db.query<{ relname: string; upd: number; hot: number; ins: number }>(
    `SELECT relname, n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot, n_tup_ins::int AS ins FROM pg_stat_user_tables
      WHERE n_tup_upd + n_tup_ins > 0 ORDER BY n_tup_upd + n_tup_ins DESC LIMIT 8`,
  );
  console.log('rows written since counting began (updates / of them HOT / inserts):');
  for (const r of written.rows) console.log(`  ${r.relname}: ${r.upd} / ${r.hot} / ${r.ins}`);
  await db.close();
}
