// A session renewal the service refuses for now: an office of desks behind one address has used up
// the address's sign-ins (429), just as this workstation's service session expired. The workstation
// must keep the officer's session, retry the renewal with backoff (and the service's retry-after),
// and send its queued decisions as soon as the limit's window has passed, with no sign-in asked.
// Real PostgreSQL, real service, real workstation; the service's and the workstation's clock is one
// controllable clock, so the 8-hour session and the limit's window pass when the test says.

import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxItem } from '../../../contract/outbox.js';
import type { SyncStatus } from '../../../contract/workstation.js';
import type { Workstation } from '../../../electron/workstation/workstation.js';
import { startService, type RunningService } from '../../../server/service.js';
import { postgresAvailable, startPostgres, type PostgresCluster } from '../../harness/postgres.js';
import { titleWithSkipReason } from '../../harness/skip.js';
import { createClock } from '../server/helpers.js';
import { intake, newWorkstation, ok, PASSWORD, pullUntilLocal, waitFor } from './harness.js';

const pg = postgresAvailable();
const title = (t: string): string => titleWithSkipReason(t, pg, 'PostgreSQL 15 binaries absent');

describe.skipIf(!pg)('session renewal under a sign-in limit', () => {
  let cluster: PostgresCluster;
  let service: RunningService;
  // Windows of a day: the session can expire inside one window, and the window then ends at once.
  const clock = createClock(new Date('2026-03-02T00:01:00Z'));
  const LIMIT = 4;

  beforeAll(async () => {
    cluster = await startPostgres();
    service = await startService({
      databaseUrl: cluster.url,
      seedDemo: true,
      now: clock.now,
      config: {
        sessionTtlMs: 60_000,
        loginLimit: { perAddress: LIMIT, perUser: 1000, windowSeconds: 86_400 },
      },
    });
  });
  afterAll(async () => {
    await service?.close();
    await cluster?.stop();
  });

  const addressHits = async (): Promise<number> =>
    Number(
      (await service.db.query<{ n: number }>('SELECT COALESCE(max(hits), 0)::int AS n FROM rate_limits'))
        .rows[0]?.n ?? 0,
    );

  it(
    title(
      '429 on renewal: retried with backoff, the session kept; the queue drains within 15 s after the window',
    ),
    async () => {
      const ids = await intake(service.url, 5, 17); // one sign-in of the address
      const ws: Workstation = newWorkstation(service.url, undefined, { now: clock.now });
      const status = async () => await ok<SyncStatus>(ws.dispatch('sync.status', {}) as never);
      try {
        await ok(
          ws.dispatch('session.signIn', {
            agencyCode: '903',
            username: 'ttcntt',
            password: PASSWORD,
          }) as never,
        );
        await pullUntilLocal(ws, ids);
        // The office's other desks use up the address's sign-ins.
        let refused = 0;
        for (let i = 0; refused !== 429 && i < 20; i++)
          refused = (
            await fetch(`${service.url}/api/v1/auth/login`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ agencyCode: '903', username: `quay-${i}`, password: 'x' }),
            })
          ).status;
        expect(refused).toBe(429);
        const exhausted = await addressHits();

        // This desk's service session expires; the officer goes on deciding.
        clock.advance(61_000);
        const items: OutboxItem[] = [];
        for (const id of ids) {
          const r = await ok<{ item: OutboxItem }>(
            ws.dispatch('decisions.record', {
              dossierId: id,
              outcome: 'invalid',
              reasonCodes: ['R01'],
            }) as never,
          );
          items.push(r.item);
        }
        // The renewal is refused (429) and tried again, more than once, by the engine alone.
        await waitFor(async () => (await addressHits()) >= exhausted + 3, 60_000, 'renewals retried');
        const waiting = await status();
        expect(waiting.needsSignIn).toBe(false);
        expect(waiting.queued).toBe(ids.length);
        expect(waiting.lastError).toMatch(/đang bận|thử lại/u);
        expect(ws.session.current()).not.toBeNull();

        // The limit's window ends: the next renewal succeeds and the queue drains, no sign-in asked.
        clock.set('2026-03-03T00:00:05Z');
        const started = Date.now();
        await waitFor(async () => (await status()).queued === 0, 15_000, 'the queue drained');
        const drainedMs = Date.now() - started;
        console.info(`renewal under 429: queue drained ${drainedMs} ms after the window`);
        expect(drainedMs).toBeLessThan(15_000);
        const after = await status();
        expect(after.needsSignIn).toBe(false);
        expect(after.failed).toBe(0);
        const applied = await service.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM decisions WHERE status_code = 200 AND decision_id = ANY($1::uuid[])',
          [items.map((i) => i.id)],
        );
        expect(applied.rows[0]?.n).toBe(ids.length);
      } finally {
        await ws.close();
      }
    },
  );

  // The service itself away while the session expires: its sign-in answers 503 and 500 (a restart,
  // the database down). A front on loopback answers the renewals (POST /auth/login) as the service
  // would in that state and passes every other request through to the same real service, counting
  // what it refused and when. A 5xx keeps the session and is retried with backoff; a 401 asks for a
  // sign-in. Each test starts a day later: a fresh window of the address's sign-ins.
  describe('while the service answers 5xx', () => {
    let front: Server;
    let frontUrl = '';
    /** What the front answers to a sign-in: the service's own answer, or this status. */
    let loginAnswer: 'pass' | 500 | 503 | 401 = 'pass';
    const refusedAt: number[] = [];

    beforeAll(async () => {
      const target = new URL(service.url);
      front = createServer((req, res) => {
        if (req.method === 'POST' && req.url === '/api/v1/auth/login' && loginAnswer !== 'pass') {
          // The alternating 503/500 a restarting service gives; a 401 is the service refusing the officer.
          const status = loginAnswer === 503 && refusedAt.length % 2 === 1 ? 500 : loginAnswer;
          refusedAt.push(Date.now());
          req.resume();
          const code = status === 401 ? 'unauthorized' : status === 503 ? 'unavailable' : 'internal';
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code, message: 'Máy chủ tạm thời không phục vụ.' } }));
          return;
        }
        const upstream = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            path: req.url,
            method: req.method,
            headers: req.headers,
          },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        req.pipe(upstream);
      });
      await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
      frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => front?.close(resolve));
    });

    /** Sign in, then the service refuses sign-ins with `answer`, the session expires, `ids` are decided. */
    const decideWhileAway = async (
      ws: Workstation,
      ids: string[],
      answer: 500 | 503 | 401,
    ): Promise<{ items: OutboxItem[]; status: () => Promise<SyncStatus> }> => {
      const status = async () => await ok<SyncStatus>(ws.dispatch('sync.status', {}) as never);
      await ok(
        ws.dispatch('session.signIn', { agencyCode: '903', username: 'ttcntt', password: PASSWORD }) as never,
      );
      await pullUntilLocal(ws, ids);
      // The service goes away for sign-ins, and this desk's service session expires meanwhile.
      loginAnswer = answer;
      clock.advance(61_000);
      const items: OutboxItem[] = [];
      for (const id of ids)
        items.push(
          (
            await ok<{ item: OutboxItem }>(
              ws.dispatch('decisions.record', {
                dossierId: id,
                outcome: 'invalid',
                reasonCodes: ['R01'],
              }) as never,
            )
          ).item,
        );
      return { items, status };
    };

    it(
      title(
        '503 and 500 on renewal: the session kept, retried with backoff; the queue drains once it answers',
      ),
      async () => {
        clock.advance(86_400_000);
        const ids = await intake(service.url, 4, 23);
        const ws: Workstation = newWorkstation(frontUrl, undefined, { now: clock.now });
        try {
          refusedAt.length = 0;
          const { items, status } = await decideWhileAway(ws, ids, 503);
          // Refused (503, 500, 503, …) and tried again by the engine alone, more than once.
          await waitFor(async () => refusedAt.length >= 4, 60_000, 'renewals retried');
          const waiting = await status();
          expect(waiting.needsSignIn).toBe(false);
          expect(waiting.queued).toBe(ids.length);
          expect(ws.session.current()?.user.username).toBe('ttcntt');
          // With backoff, never a tight loop, not even while decisions are recorded: each retry at least
          // the shortest backoff (half the 100 ms base, the jitter's floor) after the last.
          const gaps = refusedAt.slice(1).map((t, i) => t - refusedAt[i]!);
          expect(Math.min(...gaps)).toBeGreaterThanOrEqual(45);

          // The service answers again: the next renewal succeeds and the queue drains, no sign-in asked.
          loginAnswer = 'pass';
          const started = Date.now();
          await waitFor(async () => (await status()).queued === 0, 15_000, 'the queue drained');
          console.info(
            `renewal under 5xx: ${refusedAt.length} refusals, drained ${Date.now() - started} ms after`,
          );
          const after = await status();
          expect(after.needsSignIn).toBe(false);
          expect(after.failed).toBe(0);
          const applied = await service.db.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM decisions WHERE status_code = 200 AND decision_id = ANY($1::uuid[])',
            [items.map((i) => i.id)],
          );
          expect(applied.rows[0]?.n).toBe(ids.length);
        } finally {
          loginAnswer = 'pass';
          await ws.close();
        }
      },
    );

    it(
      title('401 on renewal (the officer refused): a sign-in is asked and the decisions wait for it'),
      async () => {
        clock.advance(86_400_000);
        const ids = await intake(service.url, 2, 29);
        const ws: Workstation = newWorkstation(frontUrl, undefined, { now: clock.now });
        try {
          refusedAt.length = 0;
          const { status } = await decideWhileAway(ws, ids, 401);
          await waitFor(async () => (await status()).needsSignIn, 30_000, 'a sign-in asked');
          const waiting = await status();
          expect(waiting.queued).toBe(ids.length);
          expect(refusedAt.length).toBeGreaterThanOrEqual(1);
        } finally {
          loginAnswer = 'pass';
          await ws.close();
        }
      },
    );
  });
});
