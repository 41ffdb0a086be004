// Concurrency on both targets: 20 desks deciding one dossier at once, concurrent intake numbering,
// and the change feed read by a polling desk while writers commit out of order. The deterministic
// interleaving (a transaction that commits after a later one) needs a real PostgreSQL server, where
// it also shows that a plain `id > N` reader skips the late change while the feed does not. Decisions
// arriving together are written in one transaction; one failing inside it must not lose the others.

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../../server/db/database.js';
import { recordChange } from '../../../server/dossiers.js';
import { generateSynthetic } from '../../../server/seed.js';
import {
  call,
  decision,
  declaration,
  dossierId,
  signIn,
  startTarget,
  TARGETS,
  type TestService,
} from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A desk polling the feed after `head`, pages of 7, until `work` has finished, then once more: every
 * change it saw, in the order it saw them.
 */
async function pollFeedDuring(
  url: string,
  token: string,
  head: number,
  work: Promise<unknown>,
): Promise<Array<{ seq: number; id: string }>> {
  const seen: Array<{ seq: number; id: string }> = [];
  let after = head;
  let working = true;
  const poll = async () => {
    for (;;) {
      const page = await call(url, 'GET', `/api/v1/dossiers/changes?after=${after}&limit=7`, { token });
      expect(page.status).toBe(200);
      for (const c of page.body.changes) seen.push({ seq: c.seq, id: c.dossier.id });
      after = page.body.lastSeq;
      if (!page.body.hasMore) return;
    }
  };
  const poller = (async () => {
    while (working) {
      await poll();
      await sleep(3);
    }
    await poll();
  })();
  await work.finally(() => {
    working = false;
  });
  await poller;
  return seen;
}

/** n new pending register dossiers of agency 903 that can be approved (synthetic, numbered after the demo's). */
async function newPendingDossiers(
  s: TestService,
  n: number,
  seed: number,
): Promise<Array<{ id: string; version: number }>> {
  await generateSynthetic(s.db, {
    count: 2 * n,
    agencies: ['903'],
    decidedShare: 0,
    seed,
    startIndex: seed * 100,
  });
  const { rows } = await s.db.query<{ id: string; version: number }>(
    `SELECT id, version FROM dossiers WHERE status = 'pending' AND kind = 'register' AND agency_code = '903'
        AND received_at IS NOT NULL ORDER BY dossier_number DESC LIMIT $1`,
    [n],
  );
  expect(rows).toHaveLength(n);
  return rows;
}

describe.each(TARGETS)('concurrency on %s', (target) => {
  let s: TestService;
  let officer: string;
  let district: string;

  beforeAll(async () => {
    s = await startTarget(target);
    officer = await signIn(s.url, '903', 'ttcntt');
    district = await signIn(s.url, '00115', 'cb00115');
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('20 concurrent decisions on one dossier: exactly one 200, nineteen 409, one account, one SMS', async () => {
    const id = await dossierId(s.url, officer, '00086.GD/2020/00115');
    const tokens = [officer, district];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(s.url, 'POST', `/api/v1/dossiers/${id}/decision`, {
          token: tokens[i % 2],
          json: decision(1, { deviceId: `desk-${i}` }),
        }),
      ),
    );
    const codes = answers.map((a) => a.status).sort();
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(19);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.dossier.version).toBe(2);
    const accounts = await s.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM accounts WHERE bhxh_code = $1',
      ['0104003400'],
    );
    expect(accounts.rows[0]?.n).toBe(1);
    const sms = await s.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM notifications WHERE dossier_id = $1 AND channel = 'sms'`,
      [id],
    );
    expect(sms.rows[0]?.n).toBe(1);
  });

  it('the same decisionId sent 10 times at once is applied once and answered identically', async () => {
    const id = await dossierId(s.url, officer, '00089.GD/2020/00115');
    const cur = await call(s.url, 'GET', `/api/v1/dossiers/${id}`, { token: officer });
    // 00089 is already decided (legacy): every copy answers the same 409, and only one decision row exists
    const body = decision(cur.body.version);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        call(s.url, 'POST', `/api/v1/dossiers/${id}/decision`, { token: officer, json: body }),
      ),
    );
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    const rows = await s.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM decisions WHERE decision_id = $1',
      [body.decisionId],
    );
    expect(rows.rows[0]?.n).toBe(1);
  });

  it('30 desks deciding 30 dossiers at once: each applied once, several in one transaction', async () => {
    const pending = await newPendingDossiers(s, 30, 31);
    const answers = await Promise.all(
      pending.map((d, i) =>
        call(s.url, 'POST', `/api/v1/dossiers/${d.id}/decision`, {
          token: officer,
          json: decision(d.version, i % 3 ? {} : { outcome: 'invalid', reasonCodes: ['R01'] }),
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
    answers.forEach((a, i) => expect(a.body.dossier.id).toBe(pending[i]!.id));
    const ids = pending.map((d) => d.id);
    const { rows } = await s.db.query<{ decided: number; changes: number; decisions: number; txns: number }>(
      `SELECT (SELECT count(*)::int FROM dossiers WHERE id = ANY($1::uuid[]) AND status = 'decided' AND version = 2) AS decided,
              (SELECT count(DISTINCT dossier_id)::int FROM dossier_changes WHERE dossier_id = ANY($1::uuid[])) AS changes,
              (SELECT count(*)::int FROM decisions WHERE dossier_id = ANY($1::uuid[])) AS decisions,
              (SELECT count(DISTINCT xmin::text)::int FROM dossiers WHERE id = ANY($1::uuid[])) AS txns`,
      [ids],
    );
    expect(rows[0]).toMatchObject({ decided: 30, changes: 30, decisions: 30 });
    // Rows written by one transaction share its id (xmin): the decisions arriving together were
    // written together.
    expect(rows[0]!.txns).toBeLessThan(30);
  });

  it('concurrent intake gives unique, consecutive dossier numbers', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call(s.url, 'POST', '/api/v1/dossiers', {
          token: i % 2 ? officer : district,
          json: declaration({ bhxhCode: `03${String(i).padStart(8, '0')}` }),
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(201));
    const numbers = answers.map((a) => a.body.dossierNumber as string);
    expect(new Set(numbers).size).toBe(40);
    const seqs = numbers.map((n) => Number(n.slice(0, 5))).sort((a, b) => a - b);
    expect(seqs[seqs.length - 1]! - seqs[0]!).toBe(39);
  });

  it('a desk polling the feed while writers commit concurrently sees every change exactly once, in order', async () => {
    const ids = (
      await s.db.query<{ id: string; agency_code: string }>(
        `SELECT id, agency_code FROM dossiers WHERE agency_code IN ('903', '00115')`,
      )
    ).rows; // the desk's scope
    const { rows: start } = await s.db.query<{ m: number | null }>(
      'SELECT MAX(seq) AS m FROM dossier_changes',
    );
    await s.publishChanges();
    const head =
      (await s.db.query<{ m: number | null }>('SELECT MAX(seq) AS m FROM dossier_changes')).rows[0]?.m ?? 0;
    expect(head).toBeGreaterThanOrEqual(start[0]?.m ?? 0);
    const written: string[] = [];
    const writers = Array.from({ length: 6 }, async (_, w) => {
      for (let i = 0; i < 15; i++) {
        const d = ids[(w * 7 + i * 3) % ids.length]!;
        await s.db.transaction(async (tx) => {
          await recordChange(tx, d.id, d.agency_code);
          // Hold some transactions open so later ones commit first (real PostgreSQL only interleaves).
          if (target === 'postgres') await sleep(Math.floor(Math.random() * 15));
        });
        written.push(d.id);
        if (target === 'pglite') await sleep(1);
      }
    });
    const seen = await pollFeedDuring(s.url, officer, head, Promise.all(writers));
    const seqs = seen.map((c) => c.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seen.map((c) => c.id).sort()).toEqual([...written].sort());
  });
});

describe('real PostgreSQL only: feed against out-of-order commits, a decision failing inside a batch', () => {
  let s: TestService;
  let officer: string;
  beforeAll(async () => {
    s = await startTarget('postgres');
    officer = await signIn(s.url, '903', 'ttcntt');
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('a decision that fails inside a batch (its decisionId committed meanwhile) rolls the batch back; the others are written alone', async () => {
    const pending = await newPendingDossiers(s, 12, 32);
    const [other, ...batch] = pending;
    const taken = randomUUID();
    let release!: () => void;
    const mayCommit = new Promise<void>((r) => (release = r));
    // Another desk's transaction holds the decisionId, uncommitted: the batch's insert of it waits on
    // the unique index, then fails when this commits.
    const holder = s.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO decisions (decision_id, dossier_id, staff_id, status_code, response, created_at)
         VALUES ($1, $2, (SELECT min(id) FROM staff_users), 409, '{}', now())`,
        [taken, other!.id],
      );
      await mayCommit;
    });
    const sent = Promise.all(
      batch.map((d, i) =>
        call(s.url, 'POST', `/api/v1/dossiers/${d.id}/decision`, {
          token: officer,
          json: decision(d.version, i === 5 ? { decisionId: taken } : {}),
        }),
      ),
    );
    for (let i = 0; ; i++) {
      const { rows } = await s.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%decision_apply%'`,
      );
      if (rows[0]!.n > 0) break;
      if (i > 200) throw new Error('no decision waited for the held decisionId');
      await sleep(25);
    }
    release();
    await holder;
    const answers = await sent;
    answers.forEach((a, i) => {
      if (i === 5) expect([a.status, a.body.error?.code]).toEqual([409, 'duplicate']);
      else expect(a.status).toBe(200);
    });
    const { rows } = await s.db.query<{ decided: number; loser: string }>(
      `SELECT (SELECT count(*)::int FROM dossiers WHERE id = ANY($1::uuid[]) AND status = 'decided') AS decided,
              (SELECT status FROM dossiers WHERE id = $2) AS loser`,
      [batch.map((d) => d.id), batch[5]!.id],
    );
    expect(rows[0]).toEqual({ decided: 10, loser: 'pending' });
  });

  it('a desk polling the feed while decision batches and other writers commit interleaved sees every change exactly once, in order', async () => {
    const pending = await newPendingDossiers(s, 48, 35);
    const others = (
      await s.db.query<{ id: string; agency_code: string }>(
        `SELECT id, agency_code FROM dossiers WHERE agency_code IN ('903', '00115') AND NOT (id = ANY($1::uuid[])) LIMIT 40`,
        [pending.map((d) => d.id)],
      )
    ).rows;
    await s.publishChanges();
    const head = (await s.db.query<{ m: number }>('SELECT MAX(seq)::int AS m FROM dossier_changes')).rows[0]!
      .m;
    const written: string[] = [];
    const decisions = (async () => {
      for (let wave = 0; wave < 6; wave++) {
        const desks = pending.slice(wave * 8, wave * 8 + 8);
        const answers = await Promise.all(
          desks.map((d) =>
            call(s.url, 'POST', `/api/v1/dossiers/${d.id}/decision`, {
              token: officer,
              json: decision(d.version),
            }),
          ),
        );
        expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
        written.push(...desks.map((d) => d.id));
      }
    })();
    const writers = Array.from({ length: 3 }, async (_, w) => {
      for (let i = 0; i < 12; i++) {
        const d = others[(w * 13 + i) % others.length]!;
        await s.db.transaction(async (tx) => {
          await recordChange(tx, d.id, d.agency_code);
          await sleep(Math.floor(Math.random() * 15)); // commits out of order with the batches
        });
        written.push(d.id);
      }
    });
    const seen = await pollFeedDuring(s.url, officer, head, Promise.all([decisions, ...writers]));
    const seqs = seen.map((c) => c.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seen.map((c) => c.id).sort()).toEqual([...written].sort());
  });

  it('a pooled connection is replaced once its lifetime is over, so no plan it made lives on', async () => {
    const db = await openPostgres(s.cluster!.url, 1, 1);
    try {
      const pid = async (): Promise<number> =>
        (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const first = await pid();
      expect(await pid()).toBe(first);
      await sleep(1500);
      expect(await pid()).not.toBe(first);
    } finally {
      await db.close();
    }
  });

  it('the batched read looks each decisionId up, whatever the size of decisions when its plan was made', async () => {
    // Planned while decisions held few rows, EXISTS became a hashed subplan: every call then read the
    // whole table (10 ms a batch after 18,000 decisions). OFFSET 0 keeps it a lookup per decision.
    const ids = (await newPendingDossiers(s, 3, 33)).map((d) => d.id);
    const c = new pg.Client({ connectionString: s.cluster!.url });
    const plans: string[] = [];
    c.on('notice', (n) => plans.push(n.message ?? ''));
    await c.connect();
    try {
      await c.query(`LOAD 'auto_explain'`);
      await c.query(`SET auto_explain.log_min_duration = 0`);
      await c.query(`SET auto_explain.log_nested_statements = on`);
      await c.query(`SET auto_explain.log_analyze = on`);
      await c.query(`SET client_min_messages = log`);
      const res = await c.query('SELECT i, replay FROM decision_read_many($1::uuid[], $2::uuid[])', [
        ids,
        ids.map(() => randomUUID()),
      ]);
      expect(res.rows).toEqual([1, 2, 3].map((i) => ({ i, replay: false })));
    } finally {
      await c.end();
    }
    const plan = plans.find((p) => p.includes('FROM decisions dc'));
    expect(plan).toBeDefined();
    expect(plan).not.toMatch(/hashed SubPlan/u);
    expect(plan).toMatch(/Index Only Scan using decisions_pkey on decisions dc .*loops=3\)/u);
  });

  it('a change committed after a later one is still delivered; a plain `id > N` reader skips it', async () => {
    const [x, y] = (
      await s.db.query<{ id: string; agency_code: string }>(
        `SELECT id, agency_code FROM dossiers WHERE agency_code = '00115' LIMIT 2`,
      )
    ).rows;
    const feed = async (after: number) =>
      (await call(s.url, 'GET', `/api/v1/dossiers/changes?after=${after}&limit=500`, { token: officer }))
        .body;
    const start = await feed(0);
    let after = start.lastSeq as number;
    let naiveAfter = (await s.db.query<{ m: number }>('SELECT MAX(id) AS m FROM dossier_changes')).rows[0]!.m;

    let releaseA!: () => void;
    const aMayCommit = new Promise<void>((r) => (releaseA = r));
    let aInserted!: () => void;
    const aHasInserted = new Promise<void>((r) => (aInserted = r));
    const txA = s.db.transaction(async (tx) => {
      await recordChange(tx, x!.id, x!.agency_code); // gets the lower id
      aInserted();
      await aMayCommit;
    });
    await aHasInserted;
    await s.db.transaction(async (tx) => recordChange(tx, y!.id, y!.agency_code)); // higher id, commits first

    const first = await feed(after);
    expect(first.changes.map((c: { dossier: { id: string } }) => c.dossier.id)).toEqual([y!.id]);
    after = first.lastSeq;
    const naiveFirst = (
      await s.db.query<{ id: number; dossier_id: string }>(
        'SELECT id, dossier_id FROM dossier_changes WHERE id > $1 ORDER BY id',
        [naiveAfter],
      )
    ).rows;
    expect(naiveFirst.map((r) => r.dossier_id)).toEqual([y!.id]);
    naiveAfter = naiveFirst[naiveFirst.length - 1]!.id;

    releaseA();
    await txA;
    const second = await feed(after);
    expect(second.changes.map((c: { dossier: { id: string } }) => c.dossier.id)).toEqual([x!.id]);
    expect(second.changes[0].seq).toBeGreaterThan(after);
    const naiveSecond = (await s.db.query('SELECT id FROM dossier_changes WHERE id > $1', [naiveAfter])).rows;
    expect(naiveSecond).toEqual([]); // the plain reader has lost x's change for good
  });
});
