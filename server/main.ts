// `npm run server`: the central service alone. PORT (default 8480), HOST (default 127.0.0.1),
// DATABASE_URL (real PostgreSQL) or, when unset, the embedded PostgreSQL in DATA_DIR/server/pg
// (default DATA_DIR: ./.data), which gets the demo data on its first start. SEED_DEMO=1 loads the
// demo into an empty real PostgreSQL too. Other variables: README "Configuration".

import path from 'node:path';
import { startService } from './service.js';

const dataDir = path.resolve(process.env.DATA_DIR ?? '.data');
const databaseUrl = process.env.DATABASE_URL || undefined;

const service = await startService({
  databaseUrl,
  dataDir: path.join(dataDir, 'server', 'pg'),
  port: Number(process.env.PORT ?? 8480),
  host: process.env.HOST ?? '127.0.0.1',
  seedDemo: !databaseUrl || process.env.SEED_DEMO === '1',
  logger: true,
  env: process.env,
});
console.warn(
  `Dịch vụ hồ sơ trung tâm: ${service.url} (${databaseUrl ? 'PostgreSQL' : `PostgreSQL nhúng tại ${path.join(dataDir, 'server', 'pg')}`})`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void service.close().then(() => process.exit(0));
  });
}
