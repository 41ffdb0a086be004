// The deployment of docs/deploy-service.md on one machine: a PostgreSQL 15 primary with a synchronous
// streaming replica (pg_basebackup -R), two service instances on a multi-host DATABASE_URL
// (target_session_attrs=read-write) behind HAProxy, and a real workstation (its sync engine and
// encrypted store) as the client. The primary's postmaster is killed (SIGKILL) while the workstation
// pushes decisions; the replica is promoted (pg_ctl promote); the instances find it on their own.
// Nothing acknowledged is lost, nothing is applied twice, and the workstation's queue drains.
// The longer version (32 clients at full rate, SMS, several kills) is `npm run bench:server --
// --failover`.

import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import type { Workstation } from '../../../electron/workstation/workstation.js';
import { openDatabase, openPostgres } from '../../../server/db/database.js';
import { prepareDatabase } from '../../../server/service.js';
import { startLoadBalancer, type LoadBalancer } from '../../harness/haproxy.js';
import {
  killPostmaster,
  startPostgres,
  startReplica,
  type PostgresCluster,
  type Replica,
} from '../../harness/postgres.js';
import { startServiceProcess, type ServiceProcess } from '../../harness/serviceProcess.js';
import { intake, newWorkstation, ok, PASSWORD, pullUntilLocal, waitFor } from '../workstation/harness.js';
import { storeDatabase } from '../../../electron/workstation/store/inspect.js';

let primary: PostgresCluster;
let replica: Replica;
const instances: ServiceProcess[] = [];
const instanceIds: string[] = [];
let lb: LoadBalancer;
let ws: Workstation | undefined;

/** The balancer's answer to GET /health, or 0 when the request got none: while HAProxy takes an
 *  instance out (on-marked-down shutdown-sessions) it cuts that instance's requests off, and a client
 *  (the workstation's sync engine too) sees a closed connection and asks again. */
const healthStatus = (): Promise<number> =>
  fetch(`${lb.url}/api/v1/health`).then(
    (r) => r.status,
    () => 0,
  );
const bothUp = async (): Promise<boolean> => Object.values(await lb.states()).every((s) => s === 'UP');

beforeAll(async () => {
  // Commits wait for the replica (synchronous_commit on; the test clusters default to off).
  primary = await startPostgres({ settings: { synchronous_commit: 'on' } });
  const db = await openDatabase({ databaseUrl: primary.url });
  await prepareDatabase(db, { seedDemo: true });
  await db.close();
  replica = await startReplica(primary, { synchronous: true, settings: { synchronous_commit: 'on' } });
  const url = `postgres://postgres@127.0.0.1:${primary.port},127.0.0.1:${replica.port}/postgres?target_session_attrs=read-write`;
  // Each instance its own process, as in production (the third test kills one with SIGKILL).
  for (let i = 0; i < 2; i++) {
    const s = await startServiceProcess({ databaseUrl: url });
    instances.push(s);
    instanceIds.push(
      ((await (await fetch(`${s.url}/api/v1/health`)).json()) as { instance: string }).instance,
    );
  }
  lb = await startLoadBalancer(instances.map((s, i) => ({ name: `s${i + 1}`, port: s.port })));
  await waitFor(bothUp, 20_000, 'both instances UP in HAProxy');
});
afterAll(async () => {
  await ws?.close().catch(() => undefined);
  await lb?.stop();
  for (const s of instances) await s.stop().catch(() => undefined);
  await replica?.stop();
  await primary?.stop();
});

describe('primary + synchronous replica, two instances behind HAProxy', () => {
  // A failure says what the balancer saw: which instance it took out or brought back, when and why.
  beforeEach(() => onTestFailed(() => console.log(`HAProxy:\n${lb.log()}`)));
  it('the balancer spreads requests over both instances', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${lb.url}/api/v1/health`);
      expect(res.status).toBe(200);
      seen.add(((await res.json()) as { instance: string }).instance);
    }
    expect([...seen].sort()).toEqual([...instanceIds].sort());
  });

  it('kill -9 of the primary with decisions in flight: replica promoted, the service answers again, every decision applied once, none acknowledged lost', async () => {
    const ids = await intake(lb.url, 40, 31);
    const first = ids.slice(0, 20);
    const second = ids.slice(20);
    ws = newWorkstation(lb.url);
    await ok(
      ws.dispatch('session.signIn', { agencyCode: '903', username: 'ttcntt', password: PASSWORD }) as never,
    );
    await pullUntilLocal(ws, ids);
    const decide = async (list: readonly string[]): Promise<void> => {
      for (const id of list)
        await ok(
          ws!.dispatch('decisions.record', {
            dossierId: id,
            outcome: 'invalid',
            reasonCodes: ['R01'],
          }) as never,
        );
      ws!.engine.kick();
    };
    await decide(first);
    await waitFor(() => ws!.engine.status().queued === 0, 30_000, 'first half acknowledged');
    const acknowledged = (
      storeDatabase(ws.store).prepare("SELECT id FROM outbox WHERE state = 'synced'").all() as Array<{
        id: string;
      }>
    ).map((r) => r.id);
    expect(acknowledged).toHaveLength(20);
    // The second half's dossiers are held by another transaction, so their decisions are in flight
    // (waiting for the row locks inside the service's transactions) when the database server dies.
    const blocker = await openPostgres(primary.url, 2);
    const held = blocker.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM dossiers WHERE id = ANY($1::uuid[]) FOR UPDATE', [second]);
      await decide(second);
      await waitFor(
        async () =>
          (
            await tx.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
            )
          ).rows[0]!.n > 0,
        30_000,
        'decisions waiting inside the database',
      );
      killPostmaster(primary);
      // A backend notices its postmaster's death when it next waits (pg_sleep waits on it), not on a
      // query that needs no wait: so sleep, and the sleep fails as soon as the server is gone.
      await tx.query('SELECT pg_sleep(60)');
    });
    await expect(held).rejects.toThrow();
    await blocker.close().catch(() => undefined);
    // While no server takes writes the service answers 503 and the workstation keeps its queue.
    await waitFor(
      async () => (await healthStatus()) === 503,
      20_000,
      'the service reports the database away',
    );
    expect(ws.engine.status().queued).toBeGreaterThan(0);

    await replica.promote();
    const promoted = Date.now();
    await waitFor(
      async () => (await healthStatus()) === 200,
      15_000,
      'the service answering again within 15 s',
    );
    const back = Date.now() - promoted;
    expect(back).toBeLessThan(15_000);
    // Every instance writes to the new primary.
    for (const s of instances) {
      const res = await fetch(`${s.url}/api/v1/health`);
      expect(res.status).toBe(200);
    }

    ws.engine.kick();
    await waitFor(() => ws!.engine.status().queued === 0, 60_000, 'outbox drained after the failover');
    const db = await openPostgres(replica.url, 2);
    try {
      const applied = await db.query<{ dossier_id: string; n: number }>(
        `SELECT dossier_id::text, count(*)::int AS n FROM decisions WHERE status_code = 200
          AND dossier_id = ANY($1::uuid[]) GROUP BY dossier_id`,
        [ids],
      );
      const counts = new Map(applied.rows.map((r) => [r.dossier_id, r.n]));
      expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
      const kept = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM decisions WHERE decision_id = ANY($1::uuid[])',
        [acknowledged],
      );
      expect(kept.rows[0]!.n).toBe(acknowledged.length);
      const states = storeDatabase(ws.store)
        .prepare('SELECT state, count(*) AS n FROM outbox GROUP BY state')
        .all();
      expect(states).toEqual([{ state: 'synced', n: ids.length }]);
    } finally {
      await db.close();
    }
  });

  it('kill -9 of one of two instances with decisions in flight: the other carries on, every decision applied once, delivery resumes', async () => {
    // Two instances in service first: after the failover HAProxy brings each back on its next check.
    await waitFor(bothUp, 20_000, 'both instances UP in HAProxy after the failover');
    const ids = await intake(lb.url, 30, 32);
    await pullUntilLocal(ws!, ids);
    const blocker = await openPostgres(replica.url, 2);
    const held = blocker.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM dossiers WHERE id = ANY($1::uuid[]) FOR UPDATE', [ids]);
      for (const id of ids)
        await ok(
          ws!.dispatch('decisions.record', {
            dossierId: id,
            outcome: 'invalid',
            reasonCodes: ['R01'],
          }) as never,
        );
      ws!.engine.kick();
      // Decisions wait inside the database (behind the held rows) when the first instance is killed.
      await waitFor(
        async () =>
          (
            await tx.query<{ n: number }>(
              "SELECT count(DISTINCT client_port)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
            )
          ).rows[0]!.n > 0,
        30_000,
        'decisions waiting inside the database',
      );
      await instances[0]!.kill();
    });
    await held;
    await blocker.close();
    ws!.engine.kick();
    await waitFor(
      () => ws!.engine.status().queued === 0,
      60_000,
      'outbox drained through the surviving instance',
    );
    const db = await openPostgres(replica.url, 2);
    try {
      const applied = await db.query<{ dossier_id: string; n: number }>(
        `SELECT dossier_id::text, count(*)::int AS n FROM decisions WHERE status_code = 200
          AND dossier_id = ANY($1::uuid[]) GROUP BY dossier_id`,
        [ids],
      );
      const counts = new Map(applied.rows.map((r) => [r.dossier_id, r.n]));
      expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
      // The survivor's background work: every rejection's SMS delivered (to its local sink).
      await waitFor(
        async () =>
          (
            await db.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM notifications WHERE status = 'queued' AND dossier_id = ANY($1::uuid[])",
              [ids],
            )
          ).rows[0]!.n === 0,
        30_000,
        'messages delivered by the surviving instance',
      );
      // In service: "UP", or "UP 1/2" when one health check of a busy machine was late (HAProxy
      // takes it out only after two in a row; a check it failed is no lost decision).
      const states = await lb.states();
      expect(states.s2).toMatch(/^UP(?: \d\/\d)?$/u);
    } finally {
      await db.close();
    }
  });
});
