// Benchmark of Tra cứu mã số BHXH (npm run bench:registry) on a real PostgreSQL 15 cluster: loads
// BENCH_REGISTRY (default 1,000,000) synthetic registry people (names with diacritics, CCCD consistent
// with birth date and gender), then measures over real HTTP, through the service in this process, the
// p50/p95 latency of GET /registry/persons by ID number (found and not found) and by whole name +
// date of birth (typed without diacritics). Same-run baseline: the name lookup's SQL with index scans
// turned off (what a lookup would cost without migration 12's expression index).
// Target: p95 ≤ 20 ms at 1,000,000 people, as the service's other searches.

import { execFileSync } from 'node:child_process';
import { createRandom, foldVietnamese, syntheticPerson, type SyntheticPerson } from '../../contract/index.js';
import { startService } from '../../server/service.js';
import { startPostgres } from '../harness/postgres.js';
import { DEMO_PASSWORD } from '../fixtures/demo.js';

const COUNT = Number(process.env.BENCH_REGISTRY ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const CHUNK = 20_000;

const load = (): string =>
  execFileSync('uptime', { encoding: 'utf8' })
    .trim()
    .replace(/^.*load/u, 'load');
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (xs: number[]): string =>
  `p50 ${pct(xs, 50).toFixed(2)} ms, p95 ${pct(xs, 95).toFixed(2)} ms, max ${Math.max(...xs).toFixed(2)} ms (n=${xs.length})`;

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = process.hrtime.bigint();
  const out = await fn();
  return [Number(process.hrtime.bigint() - t) / 1e6, out];
}

console.log(`registry search benchmark: ${COUNT.toLocaleString('en')} people; ${load()}`);
const cluster = await startPostgres({ settings: { shared_buffers: '512MB', maintenance_work_mem: '256MB' } });
const service = await startService({
  databaseUrl: await cluster.createDatabase('bench'),
  seedDemo: true,
  background: false,
  config: { registrySearchPerMinute: 1_000_000, loginLimit: { perAddress: 1000, perUser: 1000 } },
});
try {
  const rnd = createRandom(1616);
  const every = Math.max(1, Math.floor(COUNT / SAMPLES));
  const samples: SyntheticPerson[] = [];
  const t0 = Date.now();
  for (let done = 0; done < COUNT; done += CHUNK) {
    const people: SyntheticPerson[] = [];
    for (let i = done; i < Math.min(COUNT, done + CHUNK); i++) {
      const p = syntheticPerson(rnd, i);
      people.push(p);
      if (i % every === 0 && samples.length < SAMPLES) samples.push(p);
    }
    await service.db.query(
      `INSERT INTO registry_persons (bhxh_code, full_name, date_of_birth, gender, id_number)
       SELECT c, n, d::date, g, i FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(c, n, d, g, i)
       ON CONFLICT (bhxh_code) DO NOTHING`,
      [
        people.map((p) => p.bhxhCode),
        people.map((p) => p.fullName),
        people.map((p) => p.dateOfBirth),
        people.map((p) => p.gender),
        people.map((p) => p.idNumber),
      ],
    );
  }
  await service.db.query('ANALYZE registry_persons');
  const rows = await service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM registry_persons');
  console.log(
    `loaded ${rows.rows[0]!.n.toLocaleString('en')} registry rows in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );

  const login = await fetch(`${service.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ agencyCode: '903', username: 'ttcntt', password: DEMO_PASSWORD }),
  });
  const { token } = (await login.json()) as { token: string };
  const get = async (query: string): Promise<{ items: Array<{ bhxhCode: string }> }> => {
    const res = await fetch(`${service.url}/api/v1/registry/persons?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status !== 200) throw new Error(`lookup answered ${res.status}`);
    return (await res.json()) as { items: Array<{ bhxhCode: string }> };
  };
  // warm-up: the first lookups load the indexes' upper pages and the connections' plans
  for (const p of samples.slice(0, 20)) await get(`idNumber=${p.idNumber}`);

  const byId: number[] = [];
  const byName: number[] = [];
  const miss: number[] = [];
  let found = 0;
  for (const p of samples) {
    const [a, r1] = await timed(() => get(`idNumber=${p.idNumber}`));
    byId.push(a);
    const typed = encodeURIComponent(foldVietnamese(p.fullName).toUpperCase());
    const [b, r2] = await timed(() => get(`fullName=${typed}&dateOfBirth=${p.dateOfBirth}`));
    byName.push(b);
    if (r1.items.some((x) => x.bhxhCode === p.bhxhCode) && r2.items.some((x) => x.bhxhCode === p.bhxhCode))
      found += 1;
    const [c] = await timed(() => get(`idNumber=9${p.idNumber.slice(1)}`));
    miss.push(c);
  }
  if (found !== samples.length) throw new Error(`only ${found} of ${samples.length} sampled people found`);
  console.log(`by ID number, found:     ${fmt(byId)}`);
  console.log(`by ID number, not found: ${fmt(miss)}`);
  console.log(`by name + date of birth: ${fmt(byName)}`);

  // Baseline in the same run: the name lookup's statement with index scans off (a sequential scan
  // folding every registry name), five samples.
  const seq: number[] = [];
  for (const p of samples.slice(0, 5)) {
    const [t] = await timed(() =>
      service.db.transaction(async (tx) => {
        await tx.exec('SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off');
        await tx.query(
          `SELECT bhxh_code FROM registry_persons
            WHERE registry_name_key(full_name) = registry_name_key($1) AND date_of_birth = $2::date LIMIT 5`,
          [p.fullName, p.dateOfBirth],
        );
      }),
    );
    seq.push(t);
  }
  console.log(`baseline, name lookup without its index (SQL only): ${fmt(seq)}`);
  console.log(`done; ${load()}`);
} finally {
  await service.close();
  await cluster.stop();
}
