// The searching desks of `npm run bench:server -- --burst`, in a process of their own: 8 clients
// searching by name and by code, timed here, where no decision load generator shares the event
// loop (in the benchmark's own process, the answers to 32 decision clients delayed the reading of
// the searches' answers, and that wait was counted as the service's). Beside them, three probes
// every 50 ms tell what a slow search waits for:
//   - `GET /api/v1/agencies` (answered from memory: HTTP and the service's event loop only),
//   - `SELECT 1` on a connection of its own to PostgreSQL (how soon a backend gets a core),
//   - what the service's backends running a search are doing (pg_stat_activity: on a core or
//     waiting for one, waiting for a lock, reading a page from disk), and how many pages PostgreSQL
//     read from outside its shared buffers (pg_stat_database) per search.
//
// Started by server-scale.ts with the service's URL, a token, PostgreSQL's URL and a file of probes
// (JSON lines of {bhxh_code, full_name}); each line `{"seconds": N}` on stdin runs a phase of N s and
// answers one JSON line (PhaseResult) on stdout.

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { foldVietnamese } from '../../contract/index.js';
import { openPostgres } from '../../server/db/database.js';
import { KeptAliveClient } from './http-load.js';

export type PhaseResult = {
  searches: number[];
  agencies: number[];
  select1: number[];
  /** samples of the backends running a search, by what they did: CPU, Lock:…, LWLock:…, IO:… */
  searchBackends: Record<string, number>;
  /** pages PostgreSQL read from outside shared buffers, per search */
  blocksReadPerSearch: number;
};

const [base, token, pgUrl, probesFile] = process.argv.slice(2);
if (!base || !token || !pgUrl || !probesFile) {
  console.error('search-load: base token pgUrl probesFile');
  process.exit(2);
}
const probes = readFileSync(probesFile, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { bhxh_code: string; full_name: string });
const url = new URL(base);
const headers = { authorization: `Bearer ${token}` };
const searchers = Array.from({ length: 8 }, () => new KeptAliveClient(url, headers));
const prober = new KeptAliveClient(url, headers);
const pg = await openPostgres(pgUrl, 2);
const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function blocksRead(): Promise<number> {
  const r = await pg.query<{ n: string }>(
    'SELECT blks_read::text AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  return Number(r.rows[0]!.n);
}

async function phase(seconds: number): Promise<PhaseResult> {
  const until = Date.now() + seconds * 1000;
  const out: PhaseResult = {
    searches: [],
    agencies: [],
    select1: [],
    searchBackends: {},
    blocksReadPerSearch: 0,
  };
  const read0 = await blocksRead();
  let i = 0;
  const searching = searchers.map(async (c) => {
    while (Date.now() < until) {
      const p = probes[i++ % probes.length]!;
      const q = i % 2 ? `q=${encodeURIComponent(foldVietnamese(p.full_name))}` : `bhxhCode=${p.bhxh_code}`;
      const t = now();
      const r = await c.get(`/api/v1/dossiers?${q}`);
      if (r.status !== 200) throw new Error(`search answered ${r.status}`);
      out.searches.push(now() - t);
    }
  });
  const probing = (async () => {
    while (Date.now() < until) {
      let t = now();
      await prober.get('/api/v1/agencies');
      out.agencies.push(now() - t);
      t = now();
      await pg.query('SELECT 1');
      out.select1.push(now() - t);
      const busy = await pg.query<{ w: string; n: number }>(
        `SELECT COALESCE(wait_event_type || ':' || wait_event, 'CPU') AS w, count(*)::int AS n FROM pg_stat_activity
          WHERE state = 'active' AND query LIKE '%SELECT d.id, d.dossier_number, d.received_at%' GROUP BY 1`,
      );
      for (const b of busy.rows) out.searchBackends[b.w] = (out.searchBackends[b.w] ?? 0) + b.n;
      await sleep(50);
    }
  })();
  await Promise.all([...searching, probing]);
  out.blocksReadPerSearch = (await blocksRead()) - read0;
  out.blocksReadPerSearch /= Math.max(1, out.searches.length);
  return out;
}

console.log(JSON.stringify({ ready: true }));
for await (const line of createInterface({ input: process.stdin })) {
  const { seconds } = JSON.parse(line) as { seconds: number };
  console.log(JSON.stringify(await phase(seconds)));
}
for (const c of [...searchers, prober]) c.close();
await pg.close();
