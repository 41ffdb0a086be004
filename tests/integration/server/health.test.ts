// The service's health endpoint on both database targets: a real PostgreSQL 15 cluster started by the
// harness, and the embedded PGlite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../../../server/service.js';
import { startPostgres, type PostgresCluster } from '../../harness/postgres.js';

describe.each(['postgres', 'pglite'] as const)('health on %s', (target) => {
  let cluster: PostgresCluster | undefined;
  let service: RunningService;
  beforeAll(async () => {
    if (target === 'postgres') cluster = await startPostgres();
    service = await startService({ databaseUrl: cluster?.url, background: false });
  });
  afterAll(async () => {
    await service?.close();
    await cluster?.stop();
  });

  it('answers {ok: true}, the instance and the outbox backlog, with a request id over real HTTP', async () => {
    const res = await fetch(`${service.url}/api/v1/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      instance: service.instanceId,
      delivery: { queued: 0, lagSeconds: 0 },
    });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/u);
    const version = await service.db.query<{ server_version: string }>('SHOW server_version');
    expect(version.rows[0]?.server_version).toMatch(target === 'postgres' ? /^15\./u : /^\d+/u);
  });
});
