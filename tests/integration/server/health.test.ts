// The service's health endpoint on both database targets: a real PostgreSQL 15 cluster started by the
// harness, and the embedded PGlite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../server/app.js';
import { openPglite, openPostgres, type Database } from '../../../server/db/database.js';
import { startPostgres, type PostgresCluster } from '../../harness/postgres.js';

describe.each(['postgres', 'pglite'] as const)('health on %s', (target) => {
  let cluster: PostgresCluster | undefined;
  let db: Database;
  beforeAll(async () => {
    if (target === 'postgres') {
      cluster = await startPostgres();
      db = await openPostgres(cluster.url);
    } else db = await openPglite();
  });
  afterAll(async () => {
    await db?.close();
    await cluster?.stop();
  });

  it('answers {ok: true} with a request id over real HTTP', async () => {
    const app = await createApp({ db });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const res = await fetch(`${address}/api/v1/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/u);
      const version = await db.query<{ server_version: string }>('SHOW server_version');
      expect(version.rows[0]?.server_version).toMatch(target === 'postgres' ? /^15\./u : /^\d+/u);
    } finally {
      await app.close();
    }
  });
});
