// `npm run server`: the central service. PORT (default 8480), DATABASE_URL (real PostgreSQL) or, when
// unset, the embedded PostgreSQL in DATA_DIR/server/pg (default DATA_DIR: ./.data).

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createApp } from './app.js';
import { openDatabase } from './db/database.js';

const port = Number(process.env.PORT ?? 8480);
const dataDir = path.resolve(process.env.DATA_DIR ?? '.data');
const databaseUrl = process.env.DATABASE_URL || undefined;

if (!databaseUrl) mkdirSync(path.join(dataDir, 'server'), { recursive: true });
const db = await openDatabase({
  databaseUrl,
  dataDir: databaseUrl ? undefined : path.join(dataDir, 'server', 'pg'),
});
const app = await createApp({ db, logger: true });
await app.listen({ port, host: process.env.HOST ?? '127.0.0.1' });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => db.close());
  });
}
