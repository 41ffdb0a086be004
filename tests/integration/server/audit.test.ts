// The audit log: append-only in the database (updates and deletes refused), tamper-evident (a change
// made around the guard, as a database superuser could, breaks the hash chain at that entry), and the
// verifying command names the first broken entry.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../fixtures/demo.js';
import { call, dossierId, signIn, startTarget, TARGETS, type TestService } from './helpers.js';

const run = promisify(execFile);

describe.each(TARGETS)('audit log on %s', (target) => {
  let s: TestService;
  beforeAll(async () => {
    s = await startTarget(target);
    const token = await signIn(s.url, '903', 'ttcntt');
    for (const n of [
      '00006.GD/2020/903',
      '00086.GD/2020/00115',
      '00087.GD/2020/00115',
      '00088.GD/2020/00115',
    ]) {
      const id = await dossierId(s.url, token, n);
      await call(s.url, 'GET', `/api/v1/dossiers/${id}`, { token });
    }
    await call(s.url, 'GET', '/api/v1/registry/persons/0113098765', { token });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('audits every search by code or name in the statement that reads, with the number of results', async () => {
    const token = await signIn(s.url, '903', 'ttcntt');
    const searches = [
      '/api/v1/dossiers?bhxhCode=0113098765',
      '/api/v1/dossiers?q=nguyen',
      '/api/v1/dossiers?q=nguyen&limit=1',
      '/api/v1/dossiers?q=zzzz',
    ];
    const before = await s.db.query<{ id: string }>('SELECT max(id)::text AS id FROM audit_log');
    const counts: number[] = [];
    for (const p of searches) {
      const r = await call(s.url, 'GET', p, { token });
      expect(r.status).toBe(200);
      counts.push(r.body.items.length);
    }
    expect(counts[1]).toBeGreaterThan(1);
    expect(counts[2]).toBe(1);
    expect(counts[3]).toBe(0);
    const entries = await s.db.query<{ action: string; actor: string; payload: string }>(
      'SELECT action, actor, payload FROM audit_log WHERE id > $1 ORDER BY id',
      [before.rows[0]!.id],
    );
    expect(entries.rows.map((e) => e.action)).toEqual(searches.map(() => 'dossier.search'));
    const details = entries.rows.map(
      (e) => (JSON.parse(e.payload) as { details: Record<string, unknown> }).details,
    );
    expect(details.map((d) => d.results)).toEqual(counts);
    expect(details.map((d) => d.by)).toEqual(['bhxhCode', 'name', 'name', 'name']);
    expect(entries.rows[0]!.payload).not.toContain('0113098765');
    expect(entries.rows.every((e) => e.actor === '903/ttcntt')).toBe(true);
  });

  it('chains every entry; the chain verifies', async () => {
    const v = await s.verifyAudit();
    expect(v).toEqual({ ok: true, entries: expect.any(Number), unchained: 0 });
    if (v.ok) expect(v.entries).toBeGreaterThanOrEqual(5);
    const payloads = await s.db.query<{ payload: string }>('SELECT payload FROM audit_log');
    for (const p of payloads.rows) {
      expect(p.payload).not.toMatch(/0113098765|Nguyễn Thành Biên|0983847986|111987340908/u);
    }
  });

  it('refuses updates and deletes of entries', async () => {
    await expect(s.db.query(`UPDATE audit_log SET actor = 'someone' WHERE seq = 2`)).rejects.toThrow(
      /append-only/u,
    );
    await expect(s.db.query('DELETE FROM audit_log WHERE seq = 2')).rejects.toThrow(/append-only/u);
  });

  it('names the first broken entry when an entry is altered around the guard', async () => {
    await s.db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await s.db.query(
      `UPDATE audit_log SET payload = replace(payload, 'dossier.read', 'dossier.list') WHERE seq = 3`,
    );
    await s.db.exec('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    const v = await s.verifyAudit();
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.firstBroken.seq).toBe(3);
      expect(v.entries).toBe(2);
    }
  });

  // The command opens the database itself: against the real server only (PGlite here is in memory).
  if (target === 'postgres')
    it('the command prints the broken entry and exits 1', async () => {
      const err = await run(
        process.execPath,
        ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'server-audit-verify.ts')],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, DATABASE_URL: s.cluster!.url },
        },
      ).catch((e: { code: number; stdout: string }) => e);
      expect((err as { code: number }).code).toBe(1);
      expect((err as { stdout: string }).stdout).toMatch(/mục số 3/u);
    });
});
