// The 10-day expiry with a controllable clock (personal data and attachments deleted, a tombstone in
// the feed), the migrations (numbered, applied once), and a 500 that leaks no internals.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Database } from '../../../server/db/database.js';
import { migrate, MIGRATIONS, NewerSchemaError } from '../../../server/db/migrations.js';
import { call, createClock, declaration, signIn, startTarget, TARGETS, type TestService } from './helpers.js';
import { generateSynthetic, seedDemo } from '../../../server/seed.js';
import { nameTsquery, publishPending } from '../../../server/dossiers.js';
import { installRoutines } from '../../../server/decisions.js';
import { createRandom } from '../../../contract/index.js';
import { realJpeg } from '../../fixtures/files.js';

const JPEG = await realJpeg();

describe.each(TARGETS)('10-day expiry on %s', (target) => {
  let s: TestService;
  const clock = createClock(new Date('2026-03-01T08:00:00+07:00'));
  beforeAll(async () => {
    s = await startTarget(target, { now: clock.now });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('keeps a declaration for 10 days, then deletes it with its attachments and leaves a tombstone', async () => {
    let token = await signIn(s.url, '00115', 'cb00115');
    const kept = await call(s.url, 'POST', '/api/v1/dossiers', {
      token,
      json: declaration({ bhxhCode: '0155555555' }),
    });
    const gone = await call(s.url, 'POST', '/api/v1/dossiers', {
      token,
      json: declaration({
        bhxhCode: '0166666666',
        fullName: 'Lý Thị Hoà',
        contactPerson: 'Lý Thị Hoà',
        idNumber: '001190123456',
        gender: 'Nữ',
      }),
    });
    expect(gone.status).toBe(201);
    const put = await call(s.url, 'PUT', `/api/v1/dossiers/${gone.body.id}/attachments/idFront`, {
      token,
      raw: JPEG,
      contentType: 'image/jpeg',
    });
    expect(put.status).toBe(200);
    // the kept one is received on day 9
    clock.advance(9 * 86400_000);
    token = await signIn(s.url, '00115', 'cb00115');
    expect(
      (
        await call(s.url, 'POST', `/api/v1/dossiers/${kept.body.id}/receive`, {
          token,
          json: { clientId: crypto.randomUUID() },
        })
      ).status,
    ).toBe(200);
    expect(await s.runExpiry()).toBe(0);
    const feedBefore = await call(s.url, 'GET', '/api/v1/dossiers/changes?after=0&limit=1000', { token });
    const head = feedBefore.body.lastSeq as number;

    clock.advance(1 * 86400_000 + 1);
    token = await signIn(s.url, '00115', 'cb00115');
    expect(await s.runExpiry()).toBe(1);
    expect(await s.runExpiry()).toBe(0);
    const rows = await s.db.query('SELECT 1 FROM dossiers WHERE id = $1', [gone.body.id]);
    expect(rows.rowCount).toBe(0);
    const att = await s.db.query('SELECT 1 FROM attachments WHERE dossier_id = $1', [gone.body.id]);
    expect(att.rowCount).toBe(0);
    const byName = await s.db.query(
      `SELECT 1 FROM dossiers WHERE bhxh_code = '0166666666' OR full_name = 'Lý Thị Hoà'`,
    );
    expect(byName.rowCount).toBe(0);
    expect((await call(s.url, 'GET', `/api/v1/attachments/${put.body.id}`, { token })).status).toBe(404);
    expect((await call(s.url, 'GET', `/api/v1/dossiers/${gone.body.id}`, { token })).status).toBe(410);
    expect((await call(s.url, 'GET', `/api/v1/dossiers/${kept.body.id}`, { token })).status).toBe(200);

    const feed = await call(s.url, 'GET', `/api/v1/dossiers/changes?after=${head}&limit=100`, { token });
    expect(feed.body.changes).toEqual([
      { seq: expect.any(Number), dossier: { id: gone.body.id, deleted: true } },
    ]);
    // The feed's rendered documents of its earlier changes are gone too: a desk reading from the start
    // gets tombstones, and the person's data is nowhere in the feed.
    const fromStart = await call(s.url, 'GET', '/api/v1/dossiers/changes?after=0&limit=1000', { token });
    const ofGone = (fromStart.body.changes as Array<{ dossier: { id: string } }>).filter(
      (c) => c.dossier.id === gone.body.id,
    );
    expect(ofGone.length).toBeGreaterThan(1);
    for (const c of ofGone) expect(c.dossier).toEqual({ id: gone.body.id, deleted: true });
    const docs = await s.db.query(
      'SELECT 1 FROM dossier_change_docs x JOIN dossier_changes c ON c.id = x.change_id WHERE c.dossier_id = $1',
      [gone.body.id],
    );
    expect(docs.rowCount).toBe(0);
    const expired = await s.db.query<Record<string, unknown>>(
      'SELECT * FROM expired_dossiers WHERE id = $1',
      [gone.body.id],
    );
    expect(Object.keys(expired.rows[0]!).sort()).toEqual([
      'agency_code',
      'dossier_number',
      'expired_at',
      'id',
    ]);
    const audit = await s.db.query(
      `SELECT 1 FROM audit_log WHERE action = 'dossier.expired' AND dossier_id = $1`,
      [gone.body.id],
    );
    expect(audit.rowCount).toBe(1);
  });
});

/** A fresh embedded database for one test, closed whatever the test does. */
async function withPglite(test: (db: Database) => Promise<void>): Promise<void> {
  const db = await openPglite();
  try {
    await test(db);
  } finally {
    await db.close();
  }
}

describe('migrations', () => {
  it('are numbered, applied once each, and leave the schema the service expects', async () => {
    await withPglite(async (db) => {
      expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
      expect(await migrate(db)).toBe(MIGRATIONS.length);
      expect(await migrate(db)).toBe(0);
      const applied = await db.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(applied.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      const ff = await db.query<{ reloptions: string[] }>(
        `SELECT reloptions FROM pg_class WHERE relname = 'dossiers'`,
      );
      expect(ff.rows[0]?.reloptions).toContain('fillfactor=40');
      const idx = await db.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE indexname = 'dossiers_expiry'`,
      );
      expect(idx.rows[0]?.indexdef).not.toMatch(/status/u);
      // Migration 9: rows not yet numbered are in no seq index.
      const seqIdx = await db.query<{ indexname: string; indexdef: string }>(
        `SELECT indexname, indexdef FROM pg_indexes
          WHERE tablename IN ('dossier_changes', 'audit_log') AND (indexdef LIKE '%(seq)%' OR indexdef LIKE '%, seq)%')
          ORDER BY indexname`,
      );
      expect(seqIdx.rows.map((r) => r.indexname)).toEqual([
        'audit_log_seq',
        'dossier_changes_agency_seq',
        'dossier_changes_seq',
      ]);
      for (const r of seqIdx.rows) expect(r.indexdef).toMatch(/WHERE \(seq IS NOT NULL\)$/u);
      // Migration 10: expiry finds a dossier's feed rows by index; keys that only cost are gone.
      const byDossier = await db.query(
        `SELECT 1 FROM pg_indexes WHERE indexname = 'dossier_changes_dossier'`,
      );
      expect(byDossier.rowCount).toBe(1);
      const dropped = await db.query<{ conname: string }>(
        `SELECT conname FROM pg_constraint
          WHERE (conrelid = 'notifications'::regclass AND contype = 'f')
             OR (conrelid = 'dossier_changes'::regclass AND contype = 'p')`,
      );
      expect(dropped.rows).toEqual([]);
    });
  });
});

describe('a database of a newer service', () => {
  it('is refused, with a message that says what to do, and keeps its migrations', async () => {
    await withPglite(async (db) => {
      await migrate(db);
      const newer = MIGRATIONS.length + 1;
      await db.query(`INSERT INTO schema_migrations (version, name) VALUES ($1, 'from a newer service')`, [
        newer,
      ]);
      const refused = await migrate(db).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(NewerSchemaError);
      expect((refused as Error).message).toBe(
        `Cơ sở dữ liệu do phiên bản dịch vụ mới hơn tạo (lược đồ ${newer}, phiên bản này chỉ biết đến ${MIGRATIONS.length}): hãy chạy phiên bản dịch vụ mới nhất. Cơ sở dữ liệu không bị thay đổi.`,
      );
      const versions = await db.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(versions.rows.map((r) => r.version)).toEqual([...MIGRATIONS.map((m) => m.version), newer]);
    });
  });
});

describe('routines', () => {
  it('that keep their plans for a connection rule out sequential scans (planned once, maybe while a table is empty)', async () => {
    // A plan made on a new system, while decisions, attachments or claims are empty, would otherwise
    // scan them whole for as long as the connection lives: 0.37 ms per decision after 15,000.
    await withPglite(async (db) => {
      await migrate(db);
      await installRoutines(db);
      const res = await db.query<{ proname: string; proconfig: string[] | null }>(
        `SELECT proname, proconfig FROM pg_proc WHERE proname IN ('decision_apply', 'decision_read_many') ORDER BY proname`,
      );
      expect(res.rows.map((r) => r.proname)).toEqual(['decision_apply', 'decision_read_many']);
      for (const r of res.rows) expect(r.proconfig).toContain('enable_seqscan=off');
    });
  });
});

describe('migration 11 (steps in the dossier row)', () => {
  it('moves the steps of each dossier into its row, in the order the API shows them, and drops their table', async () => {
    await withPglite(async (db) => {
      await migrate(db, 10);
      await seedDemo(db);
      const ids = (await db.query<{ id: string }>('SELECT id FROM dossiers ORDER BY id LIMIT 2')).rows.map(
        (r) => r.id,
      );
      expect(ids).toHaveLength(2);
      // Inserted out of order: sms later than the two at t1, and account before registry_check.
      await db.query(
        `INSERT INTO dossier_steps (dossier_id, step, state, detail, at) VALUES
           ($1, 'sms', 'delivered', 'Đã gửi', '2026-11-20T03:00:05Z'),
           ($1, 'account', 'done', 'Đã cấp tài khoản', '2026-11-20T03:00:00Z'),
           ($1, 'registry_check', 'done', 'Khớp', '2026-11-20T03:00:00Z')`,
        [ids[0]],
      );
      expect(await migrate(db)).toBe(MIGRATIONS.length - 10);
      const rows = await db.query<{ id: string; steps: { step: string; state: string; at: string }[] }>(
        'SELECT id, steps FROM dossiers WHERE id = ANY($1::uuid[]) ORDER BY id',
        [ids],
      );
      expect(rows.rows[0]?.steps.map((s) => s.step)).toEqual(['registry_check', 'account', 'sms']);
      expect(rows.rows[0]?.steps[2]).toMatchObject({ state: 'delivered', detail: 'Đã gửi' });
      expect(Date.parse(rows.rows[0]!.steps[2]!.at)).toBe(Date.parse('2026-11-20T03:00:05Z'));
      expect(rows.rows[1]?.steps).toEqual([]);
      const table = await db.query<{ t: string | null }>(`SELECT to_regclass('dossier_steps')::text AS t`);
      expect(table.rows[0]?.t).toBeNull();
    });
  });
});

describe('migration 15 (feed documents in a table of their own)', () => {
  it('carries every stored document over, and the publisher renders only what its writer did not', async () => {
    await withPglite(async (db) => {
      await migrate(db, 14);
      await seedDemo(db);
      const [a, b, c] = (
        await db.query<{ id: string }>('SELECT id FROM dossiers ORDER BY id LIMIT 3')
      ).rows.map((r) => r.id);
      // Before 15: the seed's changes unnumbered and unrendered; then one published with its
      // document, one a decision wrote with its document (unnumbered), one without.
      await db.query('DELETE FROM dossier_changes');
      await db.query(
        `INSERT INTO dossier_changes (dossier_id, agency_code, doc, seq) VALUES
           ($1, '903', '{"id":"a","old":true}', 1), ($2, '903', '{"id":"b","decided":true}', NULL),
           ($3, '903', NULL, NULL)`,
        [a, b, c],
      );
      expect(await migrate(db)).toBe(MIGRATIONS.length - 14);
      const carried = await db.query<{
        dossier_id: string;
        seq: number | null;
        rendered: boolean;
        doc: string | null;
      }>(
        `SELECT c.dossier_id, c.seq::int AS seq, c.rendered, x.doc FROM dossier_changes c
           LEFT JOIN dossier_change_docs x ON x.change_id = c.id ORDER BY c.id`,
      );
      expect(carried.rows).toEqual([
        { dossier_id: a, seq: 1, rendered: false, doc: '{"id":"a","old":true}' },
        { dossier_id: b, seq: null, rendered: true, doc: '{"id":"b","decided":true}' },
        { dossier_id: c, seq: null, rendered: false, doc: null },
      ]);
      expect(await publishPending(db, new Date('2026-11-20T03:00:00Z'))).toBe(2);
      const after = await db.query<{ dossier_id: string; seq: number; doc: string }>(
        `SELECT c.dossier_id, c.seq::int AS seq, x.doc FROM dossier_changes c
           JOIN dossier_change_docs x ON x.change_id = c.id ORDER BY c.seq`,
      );
      expect(after.rows.map((r) => [r.dossier_id, r.seq])).toEqual([
        [a, 1],
        [b, 2],
        [c, 3],
      ]);
      // The decision's document as its writer stored it; the other rendered now, from the dossier.
      expect(after.rows[1]?.doc).toBe('{"id":"b","decided":true}');
      expect(JSON.parse(after.rows[2]!.doc)).toMatchObject({ id: c });
      const columns = await db.query(
        `SELECT 1 FROM information_schema.columns WHERE table_name = 'dossier_changes' AND column_name = 'doc'`,
      );
      expect(columns.rowCount).toBe(0);
    });
  });
});

describe('migration 16 (stored answers by reference to the feed document)', () => {
  it('keeps the answers stored before verbatim, and puts a referenced one together byte for byte', async () => {
    await withPglite(async (db) => {
      await migrate(db, 15);
      await seedDemo(db);
      const [a, b] = (await db.query<{ id: string }>('SELECT id FROM dossiers ORDER BY id LIMIT 2')).rows.map(
        (r) => r.id,
      );
      const old = '{"dossier":{"id":"a","ở":"cũ"},"result":"account_issued"}';
      await db.query(
        `INSERT INTO decisions (decision_id, dossier_id, staff_id, status_code, response, created_at)
         VALUES ('00000000-0000-4000-8000-000000000001', $1, 1, 200, $2, now())`,
        [a, old],
      );
      expect(await migrate(db)).toBe(MIGRATIONS.length - 15);
      await installRoutines(db);
      const doc = '{"id":"b","fullName":"Nguyễn Văn Bình","steps":[]}';
      const change = await db.query<{ id: string }>(
        `INSERT INTO dossier_changes (dossier_id, agency_code, rendered) VALUES ($1, '903', true) RETURNING id`,
        [b],
      );
      await db.query('INSERT INTO dossier_change_docs (change_id, doc) VALUES ($1, $2)', [
        change.rows[0]!.id,
        doc,
      ]);
      await db.query(
        `INSERT INTO decisions (decision_id, dossier_id, staff_id, status_code, response, change_id, result, created_at)
         VALUES ('00000000-0000-4000-8000-000000000002', $1, 1, 200, NULL, $2, 'code_not_found', now())`,
        [b, change.rows[0]!.id],
      );
      const answers = await db.query<{ answer: string }>(
        'SELECT decision_answer(response, change_id, result) AS answer FROM decisions ORDER BY decision_id',
      );
      expect(answers.rows.map((r) => r.answer)).toEqual([
        old,
        `{"dossier":${doc},"result":"code_not_found"}`,
      ]);
      // An answer neither stored nor referenced is refused.
      await expect(
        db.query(
          `INSERT INTO decisions (decision_id, dossier_id, staff_id, status_code, response, created_at)
           VALUES ('00000000-0000-4000-8000-000000000003', $1, 1, 200, NULL, now())`,
          [b],
        ),
      ).rejects.toThrow(/decisions_answer_kept/u);
    });
  });
});

describe('migration 5 (words of names)', () => {
  it('collects the words of the names already there, then of every name inserted', async () => {
    await withPglite(async (db) => {
      await migrate(db, 4);
      await seedDemo(db);
      expect(await migrate(db)).toBe(MIGRATIONS.length - 4);
      const words = async (): Promise<string[]> =>
        (await db.query<{ word: string }>('SELECT word FROM name_words ORDER BY word')).rows.map(
          (r) => r.word,
        );
      const expected = async (): Promise<string[]> =>
        (
          await db.query<{ w: string }>(
            `SELECT DISTINCT w FROM dossiers, unnest(string_to_array(name_folded, ' ')) AS w ORDER BY w`,
          )
        ).rows.map((r) => r.w);
      expect(await words()).toContain('cac');
      expect(await words()).toEqual(await expected());
      await generateSynthetic(db, { count: 300, agencies: ['903'], seed: 11, startIndex: 500 });
      expect(await words()).toEqual(await expected());
    });
  });
});

describe('migration 6 (pairs of name words)', () => {
  it('a search through pairs finds exactly the names that have every word, the last as a prefix', async () => {
    await withPglite(async (db) => {
      await migrate(db);
      const rnd = createRandom(6);
      // 25 words that start with "q" exceed the expansions that are paired (20); the rest are common.
      const vocab = ['nguyen', 'van', 'thi', 'hue', 'huey', 'an', 'anh', 'tu', 'tuan', 'tuanh', 'do'];
      for (let i = 0; i < 25; i++) vocab.push(`q${String.fromCharCode(97 + i)}`);
      const pick = (): string => vocab[Math.floor(rnd() * vocab.length)]!;
      const names = Array.from({ length: 300 }, () =>
        Array.from({ length: 2 + Math.floor(rnd() * 3) }, pick).join(' '),
      );
      const known = [...new Set(names.flatMap((n) => n.split(' ')))].sort();
      const queries: string[][] = [
        ['q'],
        ['nguyen', 'q'],
        ['van', 'nguyen', 'q'],
        ['tu'],
        ['an', 'an'],
        ['do', 'hu'],
      ];
      for (let i = 0; i < 120; i++) {
        const w = Array.from({ length: 1 + Math.floor(rnd() * 3) }, pick);
        const last = w[w.length - 1]!;
        w[w.length - 1] = last.slice(0, 1 + Math.floor(rnd() * last.length));
        queries.push(w);
      }
      let matched = 0;
      for (const typed of queries) {
        const last = typed[typed.length - 1]!;
        for (const found of [
          known.filter((k) => k.startsWith(last)),
          Array.from({ length: 201 }, () => last),
        ]) {
          const q = nameTsquery(typed, found);
          const expected = names.map((n) => {
            const ws = n.split(' ');
            return typed.slice(0, -1).every((t) => ws.includes(t)) && ws.some((x) => x.startsWith(last));
          });
          if (q === null) {
            expect(expected.some(Boolean)).toBe(false);
            continue;
          }
          const got = await db.query<{ m: boolean }>(
            'SELECT name_terms(n) @@ $2::tsquery AS m FROM unnest($1::text[]) WITH ORDINALITY AS t(n, i) ORDER BY i',
            [names, q],
          );
          expect([typed.join(' '), got.rows.map((r) => r.m)]).toEqual([typed.join(' '), expected]);
          matched += expected.filter(Boolean).length;
        }
      }
      expect(matched).toBeGreaterThan(1000);
      // and the index is what a search uses (the table is empty here: no sequential scan, please)
      await db.exec('SET enable_seqscan = off');
      const plan = await db.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT id FROM dossiers d WHERE name_terms(d.name_folded) @@ $$'nguyen_thi'$$::tsquery`,
      );
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/dossiers_name_terms/u);
    });
  });
});

describe('migration 7 (name_terms in PL/pgSQL)', () => {
  it('gives the same terms as the SQL function it replaces, so the index built before still answers', async () => {
    await withPglite(async (db) => {
      await migrate(db, 6);
      await seedDemo(db);
      await generateSynthetic(db, { count: 300, agencies: ['903'], seed: 7, publish: false });
      const terms = async () =>
        (
          await db.query<{ t: string }>('SELECT name_terms(name_folded)::text AS t FROM dossiers ORDER BY id')
        ).rows.map((r) => r.t);
      const before = await terms();
      expect(await migrate(db, 7)).toBe(1);
      const lang = await db.query<{ lang: string }>(
        `SELECT l.lanname AS lang FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE p.proname = 'name_terms'`,
      );
      expect(lang.rows[0]?.lang).toBe('plpgsql');
      expect(await terms()).toEqual(before);
      // a row indexed by the old function is found through the index by a search after the change
      const { rows } = await db.query<{ id: string; name_folded: string }>(
        'SELECT id, name_folded FROM dossiers ORDER BY id LIMIT 1',
      );
      const words = rows[0]!.name_folded.split(' ');
      await db.exec('SET enable_seqscan = off');
      const found = await db.query<{ id: string }>(
        'SELECT id FROM dossiers d WHERE name_terms(d.name_folded) @@ $1::tsquery',
        [words.map((w) => `'${w}'`).join(' & ')],
      );
      expect(found.rows.map((r) => r.id)).toContain(rows[0]!.id);
    });
  });
});

describe('a failure inside the service', () => {
  let s: TestService;
  beforeAll(async () => {
    s = await startTarget('postgres');
  });
  afterAll(async () => {
    await s?.close().catch(() => undefined);
  });

  it('answers 503 with a Vietnamese message and no internals when the database is gone', async () => {
    const token = await signIn(s.url, '903', 'ttcntt');
    await s.cluster!.stop();
    const res = await call(s.url, 'GET', '/api/v1/dossiers?q=nguyen', { token });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: {
        code: 'unavailable',
        message: 'Cơ sở dữ liệu tạm thời không sẵn sàng. Vui lòng thử lại sau ít phút.',
      },
    });
    expect(res.text).not.toMatch(/ECONNREFUSED|postgres|select|stack|at /iu);
  });
});
