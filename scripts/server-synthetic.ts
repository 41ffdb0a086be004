// `npm run server:synthetic -- N [--registry]`: adds N synthetic dossiers (realistic Vietnamese names
// with diacritics, post-2025 addresses, valid codes, CCCD consistent with birth date and gender, valid
// mobiles) to the service's database, numbered per agency and year, for benchmarks and a busier demo.
// DATABASE_URL (real PostgreSQL) or DATA_DIR (embedded default). --registry also puts each person in
// the registry, so approving their dossiers issues accounts.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../server/db/database.js';
import { migrate } from '../server/db/migrations.js';
import { generateSynthetic, isEmpty, seedDemo } from '../server/seed.js';

const count = Number(process.argv[2] ?? '1000');
if (!Number.isInteger(count) || count <= 0) {
  console.error('Cách dùng: npm run server:synthetic -- <số hồ sơ> [--registry]');
  process.exit(2);
}
const databaseUrl = process.env.DATABASE_URL || undefined;
const dataDir = databaseUrl
  ? undefined
  : path.join(path.resolve(process.env.DATA_DIR ?? '.data'), 'server', 'pg');
// A fresh DATA_DIR (no service started in it yet) has no folder for the embedded database.
if (dataDir) mkdirSync(dataDir, { recursive: true });
const db = await openDatabase({ databaseUrl, dataDir });
try {
  await migrate(db);
  if (await isEmpty(db)) await seedDemo(db);
  const agencies = (await db.query<{ code: string }>('SELECT code FROM agencies ORDER BY code')).rows.map(
    (r) => r.code,
  );
  const existing = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM dossiers')).rows[0]?.n ?? 0;
  const started = Date.now();
  await generateSynthetic(db, {
    count,
    agencies,
    registry: process.argv.includes('--registry'),
    seed: 2020 + existing,
    startIndex: existing,
    onProgress: (done) => {
      if (done % 50_000 === 0 || done === count) console.log(`${done}/${count}`);
    },
  });
  console.log(`Đã thêm ${count} hồ sơ tổng hợp trong ${((Date.now() - started) / 1000).toFixed(1)} s.`);
} finally {
  await db.close();
}
