// `npm run server`: the central service alone. PORT (default 8480), HOST (default 127.0.0.1),
// DATABASE_URL (real PostgreSQL; several hosts with target_session_attrs=read-write follow a failover)
// or, when unset, the embedded PostgreSQL in DATA_DIR/server/pg (default DATA_DIR: ./.data), which
// gets the demo data on its first start. SEED_DEMO=1 loads the demo into an empty real PostgreSQL too.
// Other variables: README "Configuration".
//
// `npm run server -- --workers N` (or WORKERS=N) runs N instances in one Node cluster sharing the port,
// to use every core of the machine: the primary process prepares the database once (migrations,
// routines, demo), then forks the workers; a worker that dies is replaced. Instances share nothing
// but PostgreSQL (docs/deploy-service.md), so N processes here behave as N machines would. The
// embedded PGlite is one process's database: workers need DATABASE_URL.

import cluster from 'node:cluster';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from './db/database.js';
import { prepareDatabase, startService } from './service.js';

const dataDir = path.resolve(process.env.DATA_DIR ?? '.data');
const databaseUrl = process.env.DATABASE_URL || undefined;
const seedDemo = !databaseUrl || process.env.SEED_DEMO === '1';

function workersAsked(argv: readonly string[]): number {
  const i = argv.findIndex((a) => a === '--workers' || a.startsWith('--workers='));
  const raw = i < 0 ? process.env.WORKERS : argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
  if (raw === undefined || raw === '') return 1;
  if (raw === 'auto') return os.availableParallelism();
  if (!/^\d+$/u.test(raw) || Number(raw) < 1 || Number(raw) > 64) {
    console.error(`--workers: một số từ 1 đến 64 hoặc "auto" (nhận được "${raw}")`);
    process.exit(2);
  }
  return Number(raw);
}

async function serve(prepared: boolean): Promise<void> {
  const service = await startService({
    databaseUrl,
    dataDir: path.join(dataDir, 'server', 'pg'),
    port: Number(process.env.PORT ?? 8480),
    host: process.env.HOST ?? '127.0.0.1',
    seedDemo,
    prepared,
    logger: true,
    env: process.env,
  });
  console.warn(
    `Dịch vụ hồ sơ trung tâm: ${service.url} (${databaseUrl ? 'PostgreSQL' : `PostgreSQL nhúng tại ${path.join(dataDir, 'server', 'pg')}`}${cluster.isWorker ? `, tiến trình ${cluster.worker?.id}` : ''})`,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void service.close().then(() => process.exit(0));
    });
  }
}

const workers = cluster.isPrimary ? workersAsked(process.argv.slice(2)) : 1;
if (cluster.isWorker) {
  await serve(true);
} else if (workers === 1) {
  await serve(false);
} else {
  if (!databaseUrl) {
    console.error('--workers cần DATABASE_URL: cơ sở dữ liệu nhúng chỉ dùng được trong một tiến trình.');
    process.exit(2);
  }
  const db = await openDatabase({ databaseUrl });
  await prepareDatabase(db, { seedDemo });
  await db.close();
  let stopping = false;
  const fork = (): void => void cluster.fork();
  for (let i = 0; i < workers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.error(`tiến trình ${worker.id} dừng (${signal ?? code}); khởi động lại sau 1 giây`);
    // A second apart: a worker that cannot start (the database away) is not forked in a tight loop.
    setTimeout(fork, 1000);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      let left = Object.keys(cluster.workers ?? {}).length;
      if (left === 0) process.exit(0);
      cluster.on('exit', () => {
        left -= 1;
        if (left <= 0) process.exit(0);
      });
    });
  }
}
