// Searches served by a streaming replica (DATABASE_READ_URL): the list comes from the replica (shown by
// pausing its replay: a dossier stored meanwhile on the primary is not found until replay resumes),
// every search's audit entry is written on the primary, and with the replica stopped the primary
// answers. Real PostgreSQL 15 primary and replica (pg_basebackup -R).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type Database } from '../../../server/db/database.js';
import { startService, type RunningService } from '../../../server/service.js';
import { startPostgres, startReplica, type PostgresCluster, type Replica } from '../../harness/postgres.js';
import { call, declaration, signIn } from './helpers.js';

let primary: PostgresCluster;
let replica: Replica;
let service: RunningService;
let standby: Database;

beforeAll(async () => {
  primary = await startPostgres();
  service = await startService({ databaseUrl: primary.url, seedDemo: true, background: false });
  replica = await startReplica(primary);
  await service.close();
  service = await startService({
    databaseUrl: primary.url,
    readDatabaseUrl: replica.url,
    prepared: true,
    background: false,
  });
  standby = await openPostgres(replica.url, 1);
});
afterAll(async () => {
  await standby?.close();
  await service?.close();
  await replica?.stop();
  await primary?.stop();
});

const searchIds = async (token: string, q: string): Promise<string[]> => {
  const res = await call(service.url, 'GET', `/api/v1/dossiers?q=${encodeURIComponent(q)}`, { token });
  expect(res.status).toBe(200);
  return (res.body.items as Array<{ id: string }>).map((d) => d.id);
};
const searchAudits = async (): Promise<number> =>
  (
    await service.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'dossier.search'",
    )
  ).rows[0]!.n;

describe('searches from a streaming replica', () => {
  it('come from the replica: what its paused replay has not applied is not found yet; each search audited on the primary', async () => {
    const token = await signIn(service.url, '903', 'ttcntt');
    await standby.query('SELECT pg_wal_replay_pause()');
    try {
      const made = await call(service.url, 'POST', '/api/v1/dossiers', {
        token,
        json: declaration({ fullName: 'Lê Thị Xuyến', contactPerson: 'Lê Thị Xuyến' }),
      });
      expect(made.status).toBe(201);
      const audits = await searchAudits();
      expect(await searchIds(token, 'le thi xuyen')).not.toContain(made.body.id);
      expect(await searchAudits()).toBe(audits + 1);
      await standby.query('SELECT pg_wal_replay_resume()');
      await expect
        .poll(() => searchIds(token, 'le thi xuyen'), { timeout: 10_000, interval: 20 })
        .toContain(made.body.id);
    } finally {
      await standby.query('SELECT pg_wal_replay_resume()').catch(() => undefined);
    }
  });

  it('are answered by the primary while the replica is away', async () => {
    const token = await signIn(service.url, '903', 'ttcntt');
    await standby.close();
    await replica.stop();
    const made = await call(service.url, 'POST', '/api/v1/dossiers', {
      token,
      json: declaration({ fullName: 'Phạm Văn Quýnh', contactPerson: 'Phạm Văn Quýnh' }),
    });
    expect(made.status).toBe(201);
    expect(await searchIds(token, 'pham van quynh')).toContain(made.body.id);
  });
});
