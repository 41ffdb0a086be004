// The workstation against the real central service on real PostgreSQL: first sync in pages, a
// decision end to end, and the fault tests — 200 decisions offline, kill -9 right after
// Ghi nhận, the service restarting mid-push, the network cut mid-request, and two workstations
// deciding the same dossier. Nothing may be lost and nothing applied twice.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxItem } from '../../../contract/workstation.js';
import type { Workstation } from '../../../electron/workstation/workstation.js';
import { postgresAvailable } from '../../harness/postgres.js';
import { titleWithSkipReason } from '../../harness/skip.js';
import {
  appliedCounts,
  intake,
  newWorkstation,
  ok,
  PASSWORD,
  pullUntilLocal,
  startCentral,
  waitFor,
  type Central,
} from './harness.js';
import { storeDatabase } from '../../../electron/workstation/store/inspect.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const pg = postgresAvailable();
const title = (t: string): string => titleWithSkipReason(t, pg, 'PostgreSQL 15 binaries absent');

async function signIn(ws: Workstation, agencyCode = '903', username = 'ttcntt'): Promise<void> {
  await ok(ws.dispatch('session.signIn', { agencyCode, username, password: PASSWORD }) as never);
  await ws.engine.syncNow();
}

async function decideAll(ws: Workstation, ids: readonly string[]): Promise<OutboxItem[]> {
  const out: OutboxItem[] = [];
  for (const id of ids) {
    const r = await ok<{ item: OutboxItem }>(
      ws.dispatch('decisions.record', {
        dossierId: id,
        outcome: 'invalid',
        reasonCodes: ['R01'],
        reason: 'Thiếu ảnh',
      }) as never,
    );
    out.push(r.item);
  }
  return out;
}

async function expectExactlyOnce(c: Central, ws: Workstation, ids: readonly string[]): Promise<void> {
  await waitFor(() => ws.engine.status().queued === 0, 60_000, 'outbox drained');
  const counts = await appliedCounts(c.service, ids);
  const wrong = ids.filter((id) => counts.get(id) !== 1);
  expect(wrong, 'dossiers not decided exactly once').toEqual([]);
  const states = storeDatabase(ws.store)
    .prepare(
      `SELECT state, count(*) AS n FROM outbox WHERE dossier_id IN (${ids.map(() => '?').join(',')}) GROUP BY state`,
    )
    .all(...ids);
  expect(states).toEqual([{ state: 'synced', n: ids.length }]);
}

/** Backends of the service waiting on a row lock the test holds. */
async function lockWaiters(c: Central): Promise<number> {
  const r = await c.service.db.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
  );
  return Number(r.rows[0]!.n);
}

describe.skipIf(!pg)('workstation ⇄ central service (real PostgreSQL)', () => {
  let c: Central;
  const open: Workstation[] = [];
  const ws = (dir?: string, pullIntervalMs?: number): Workstation => {
    const w = newWorkstation(c.proxy.url, dir, { pullIntervalMs });
    open.push(w);
    return w;
  };

  beforeAll(async () => {
    c = await startCentral();
  });
  afterAll(async () => {
    for (const w of open) await w.close().catch(() => undefined);
    await c?.stop();
  });

  it(title('first sync pulls the agency subtree page by page; a decision goes end to end'), async () => {
    const a = ws();
    await signIn(a);
    // ttcntt (903) sees 903 and 00115: 9 demo dossiers; the page size is 50, the feed may be longer
    const list = await ok<{ total: number }>(a.dispatch('dossiers.list', { filter: {} }) as never);
    expect(list.total).toBe(9);
    const cac = a.store.listDossiers(
      { name: 'nguyen thi cac' },
      { field: 'receivedAt', order: 'desc' },
      0,
      5,
      null,
    );
    expect(cac.rows.map((r) => r.dossierNumber)).toEqual(['00074.GD/2020/00115']);
    const r = await ok<{ item: OutboxItem; synced: boolean }>(
      a.dispatch('decisions.record', { dossierId: cac.rows[0]!.id, outcome: 'valid' }) as never,
    );
    expect(r.synced).toBe(true);
    expect(r.item.result).toBe('code_not_found');
    // the list now shows the service's answer; sign-out leaves no usable session
    expect(a.store.getDossier(cac.rows[0]!.id)).toMatchObject({ status: 'decided', outcome: 'valid' });
    await ok(a.dispatch('session.signOut', {}) as never);
    const after = await a.dispatch('dossiers.list', { filter: {} });
    expect(after.ok).toBe(false);
  });

  it(
    title('a first sync cut off midway keeps what it fetched, restores the indexes, then completes'),
    async () => {
      const reference = ws();
      await signIn(reference);
      const expected = reference.store.countDossiers();
      const a = ws();
      const engine = a.engine as unknown as {
        opts: { pageSize: number };
        client: { changes: (after: number, limit: number) => Promise<unknown> };
      };
      engine.opts.pageSize = 3;
      const changes = engine.client.changes.bind(engine.client);
      let calls = 0;
      engine.client.changes = (after, limit) => {
        calls += 1;
        if (calls === 3) c.proxy.cut(); // the network drops before the third page
        return changes(after, limit);
      };
      await ok(
        a.dispatch('session.signIn', { agencyCode: '903', username: 'ttcntt', password: PASSWORD }) as never,
      );
      await a.engine.syncNow().catch(() => undefined);
      await waitFor(() => !a.engine.status().online, 10_000, 'offline noticed');
      // the two pages fetched in bulk are stored; the store is searchable and indexed again
      expect(a.store.bulkLoading).toBe(false);
      expect(a.store.countDossiers()).toBeGreaterThanOrEqual(1);
      expect(a.store.countDossiers()).toBeLessThan(expected);
      expect(a.store.getState('bulkLoad.indexes')).toBeNull();
      expect(
        storeDatabase(a.store)
          .prepare(
            "SELECT count(*) AS n FROM sqlite_master WHERE type = 'index' AND name = 'dossiers_list_at'",
          )
          .get(),
      ).toEqual({ n: 1 });
      c.proxy.restore();
      engine.client.changes = changes;
      await a.engine.syncNow();
      await waitFor(() => a.store.countDossiers() === expected, 20_000, 'rest of the feed');
      const cac = a.store.listDossiers(
        { name: 'nguyen thi cac' },
        { field: 'receivedAt', order: 'desc' },
        0,
        5,
        null,
      );
      expect(cac.rows.map((r) => r.dossierNumber)).toEqual(['00074.GD/2020/00115']);
    },
  );

  it(title('offline sign-in: within 7 days of an online sign-in, with the right password only'), async () => {
    let now = Date.now();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ws-offline-'));
    const a = newWorkstation(c.proxy.url, dir, { now: () => new Date(now) });
    open.push(a);
    const creds = { agencyCode: '903', username: 'ttcntt', password: PASSWORD };
    // never signed in online here: refused while the service is unreachable
    c.proxy.cut();
    const first = await a.dispatch('session.signIn', creds);
    expect(first.ok).toBe(false);
    expect(!first.ok && first.error.code).toBe('offline_unavailable');
    c.proxy.restore();
    expect((await ok<{ offline: boolean }>(a.dispatch('session.signIn', creds) as never)).offline).toBe(
      false,
    );
    await ok(a.dispatch('session.signOut', {}) as never);
    c.proxy.cut();
    const wrong = await a.dispatch('session.signIn', { ...creds, password: 'sai' });
    expect(!wrong.ok && wrong.error.code).toBe('invalid_credentials');
    expect((await ok<{ offline: boolean }>(a.dispatch('session.signIn', creds) as never)).offline).toBe(true);
    await ok(a.dispatch('session.signOut', {}) as never);
    now += 8 * 86_400_000;
    const stale = await a.dispatch('session.signIn', creds);
    expect(!stale.ok && stale.error.code).toBe('offline_unavailable');
    c.proxy.restore();
  });

  it(title('200 decisions made offline all sync exactly once after reconnecting'), async () => {
    const ids = await intake(c.service.url, 200, 11);
    const a = ws();
    await signIn(a);
    await pullUntilLocal(a, ids);
    c.proxy.cut();
    const items = await decideAll(a, ids);
    expect(items.every((i) => i.state === 'queued')).toBe(true);
    expect(a.engine.status()).toMatchObject({ online: false, queued: 200 });
    c.proxy.restore();
    await expectExactlyOnce(c, a, ids);
  });

  it(
    title('answers are recorded in groups; when recording fails the entries stay queued and sync once later'),
    async () => {
      const ids = await intake(c.service.url, 40, 15);
      const a = ws();
      await signIn(a);
      await pullUntilLocal(a, ids);
      c.proxy.cut();
      await decideAll(a, ids);
      // A real SQLite refusal to write (the connection made read-only) while the first answers arrive.
      const store = a.store;
      const record = store.markSyncedMany.bind(store);
      let calls = 0;
      let refused = 0;
      store.markSyncedMany = (answers) => {
        calls += 1;
        try {
          record(answers);
        } catch (err) {
          refused += answers.length;
          storeDatabase(store).pragma('query_only = OFF');
          throw err;
        }
      };
      storeDatabase(store).pragma('query_only = ON');
      c.proxy.restore();
      await expectExactlyOnce(c, a, ids);
      expect(refused).toBeGreaterThan(0);
      // the 40 answers, and again those refused, recorded in fewer transactions than answers
      expect(calls).toBeLessThan(ids.length);
    },
  );

  it(title('kill -9 right after Ghi nhận: after a restart the decision syncs exactly once'), async () => {
    const [id] = await intake(c.service.url, 1, 12);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ws-kill-'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'recordThenHang.ts'), c.proxy.url, dir, id!],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += String(d);
        if (buf.includes('\n')) {
          child.kill('SIGKILL'); // at once: the push may be in flight
          resolve(buf.split('\n')[0]!);
        }
      });
      child.on('exit', (code) =>
        buf.includes('\n') ? undefined : reject(new Error(`child exited ${code}`)),
      );
    });
    await new Promise((r) => child.once('exit', r));
    const { decisionId } = JSON.parse(line) as { decisionId: string };
    const b = ws(dir);
    // the entry survived the kill (queued, or already applied by the service without the answer stored)
    expect(b.store.outboxItem(decisionId)?.state).toMatch(/queued|synced/u);
    await signIn(b);
    await expectExactlyOnce(c, b, [id!]);
    expect(b.store.outboxItem(decisionId)?.result).toBe('rejected');
  });

  it(title('the service restarts in the middle of a push: nothing lost, nothing applied twice'), async () => {
    const ids = await intake(c.service.url, 60, 13);
    const a = ws();
    await signIn(a);
    await pullUntilLocal(a, ids);
    c.proxy.cut();
    await decideAll(a, ids);
    // "In the middle" without a race against the clock: half the dossiers are row-locked in PostgreSQL,
    // so the push cannot finish before the service is stopped, however fast or slow the machine is.
    const locker = new postgres.Client({ connectionString: c.pg.url });
    let stopped = false;
    try {
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM dossiers WHERE id = ANY($1::uuid[]) FOR UPDATE', [ids.slice(30)]);
      c.proxy.restore();
      a.engine.kick();
      await waitFor(() => lockWaiters(c).then((n) => n > 0), 30_000, 'the push to reach a locked dossier');
      // Stopping waits for the requests in flight (blocked on the locks) and answers new ones 503.
      const closing = c.stopService();
      stopped = true;
      await new Promise((r) => setImmediate(r));
      await locker.query('ROLLBACK');
      await closing;
      expect(a.engine.status().queued, 'decisions still queued when the service went down').toBeGreaterThan(
        0,
      );
    } finally {
      await locker.end().catch(() => undefined);
      if (!stopped) c.proxy.restore();
      else await c.startServiceAgain(); // the next tests share the service
    }
    await expectExactlyOnce(c, a, ids);
  });

  it(title('the network drops mid-request (TCP proxy cut): every decision applied once'), async () => {
    const ids = await intake(c.service.url, 80, 14);
    const a = ws();
    await signIn(a);
    await pullUntilLocal(a, ids);
    c.proxy.cut();
    await decideAll(a, ids);
    // Requests in flight when the cut comes, without a race against the clock: half the dossiers are
    // row-locked in PostgreSQL, so requests for them are still waiting on the service when it is cut.
    const locker = new postgres.Client({ connectionString: c.pg.url });
    let attemptsBefore = { n: 0 };
    try {
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM dossiers WHERE id = ANY($1::uuid[]) FOR UPDATE', [ids.slice(40)]);
      c.proxy.restore();
      a.engine.kick();
      await waitFor(() => lockWaiters(c).then((n) => n > 0), 30_000, 'the push to reach a locked dossier');
      c.proxy.cut(); // destroys the requests in flight: some were applied, their answers lost
      attemptsBefore = storeDatabase(a.store).prepare('SELECT sum(attempts) AS n FROM outbox').get() as {
        n: number;
      };
      // The requests in flight fail: the engine goes offline (waited for, not slept on: a busy machine
      // may take longer than any fixed pause).
      await waitFor(() => !a.engine.status().online, 30_000, 'the engine to notice the cut');
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end().catch(() => undefined);
      c.proxy.restore(); // the next tests share the proxy
    }
    await expectExactlyOnce(c, a, ids);
    expect(attemptsBefore.n).toBeGreaterThan(0);
  });

  it(title('two workstations decide the same dossier: one wins, the other shows the conflict'), async () => {
    const [id] = await intake(c.service.url, 1, 15);
    const a = ws(undefined, 60_000);
    const b = ws(undefined, 60_000);
    await signIn(a);
    await signIn(b, '903', 'ld903');
    await pullUntilLocal(a, [id!]);
    await pullUntilLocal(b, [id!]);
    const won = await ok<{ item: OutboxItem; synced: boolean }>(
      a.dispatch('decisions.record', { dossierId: id, outcome: 'valid' }) as never,
    );
    expect(won.synced).toBe(true);
    const lost = await ok<{ item: OutboxItem; synced: boolean }>(
      b.dispatch('decisions.record', { dossierId: id, outcome: 'invalid', reason: 'Ảnh mờ' }) as never,
    );
    expect(lost.synced).toBe(false);
    expect(lost.item.state).toBe('conflict');
    expect(lost.item.lastError).toMatch(/đánh giá lại/u);
    // b now shows the winner's decision, keeps its own in the panel until the officer acts
    expect(b.store.getDossier(id!)).toMatchObject({ outcome: 'valid', status: 'decided' });
    expect(b.engine.status().conflicts).toBe(1);
    const items = await ok<OutboxItem[]>(b.dispatch('sync.items', {}) as never);
    expect(items.find((i) => i.id === lost.item.id)?.state).toBe('conflict');
    expect((await appliedCounts(c.service, [id!])).get(id!)).toBe(1);
  });

  it(title('opening a dossier claims it: the other desk sees who has it; closing releases it'), async () => {
    const [id] = await intake(c.service.url, 1, 16);
    const a = ws(undefined, 60_000);
    const b = ws(undefined, 60_000);
    await signIn(a);
    await signIn(b, '903', 'ld903');
    const claimOf = (): unknown =>
      b.store
        .listDossiers({}, { field: 'receivedAt', order: 'desc' }, 0, 500, null)
        .rows.find((r) => r.id === id)?.claim ?? null;
    // The change is numbered by the service's publisher (every 250 ms): number it now, then pull.
    const pullB = async (): Promise<void> => {
      await c.service.publishChanges();
      await b.engine.syncNow();
    };
    await ok(a.dispatch('dossiers.open', { id }) as never);
    await pullB();
    expect(claimOf()).toMatchObject({ claimedBy: 'Trung tâm Công nghệ thông tin' });
    await ok(a.dispatch('dossiers.close', { id }) as never);
    await pullB();
    expect(claimOf()).toBeNull();
    // Reading it again from the store (after a decision) claims nothing; an unknown id is not found.
    const again = await ok<{ dossier: { id: string } }>(a.dispatch('dossiers.get', { id }) as never);
    expect(again.dossier.id).toBe(id);
    await pullB();
    expect(claimOf()).toBeNull();
    const unknown = (await a.dispatch('dossiers.get', { id: 'no-such-dossier' })) as {
      ok: boolean;
      error?: { code: string };
    };
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
