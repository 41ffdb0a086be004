// Several service instances on one PostgreSQL behave as one service: what one instance keeps in memory
// follows what another changes (sign-out, rejection reasons, words of names), sign-in state lives in the
// database (captcha, failure counts, lock-out), and background work runs once across instances,
// also when an instance is killed (SIGKILL) in the middle of a delivery pass. Real PostgreSQL 15,
// real HTTP, a local SMS gateway that de-duplicates on the request id as brand-name gateways do.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../../../server/service.js';
import { startPostgres, type PostgresCluster } from '../../harness/postgres.js';
import { startServiceProcess } from '../../harness/serviceProcess.js';
import { startSmsGateway, type SmsGateway } from '../../harness/smsGateway.js';
import { call, decision, declaration, signIn } from './helpers.js';

let pg: PostgresCluster;
let a: RunningService;
let b: RunningService;
let captchaText = 'ABCDE';

beforeAll(async () => {
  pg = await startPostgres();
  const options = {
    databaseUrl: pg.url,
    seedDemo: true,
    background: false,
    config: { loginLimit: { perAddress: 10_000, perUser: 10_000 } },
    auth: { captchaText: () => captchaText },
  };
  a = await startService(options);
  b = await startService(options);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await pg?.stop();
});

describe('two instances on one PostgreSQL', () => {
  it('have their own bus listeners', () => {
    expect(a.instanceId).not.toBe(b.instanceId);
  });

  it('a sign-out on one instance is refused at once on the other, which had the session cached', async () => {
    const token = await signIn(a.url, '903', 'ttcntt');
    // B reads the session and keeps it (the cache holds it for a minute without the bus).
    expect((await call(b.url, 'GET', '/api/v1/reasons', { token })).status).toBe(200);
    expect((await call(b.url, 'GET', '/api/v1/reasons', { token })).status).toBe(200);
    expect((await call(a.url, 'POST', '/api/v1/auth/logout', { token })).status).toBe(204);
    const after = await call(b.url, 'GET', '/api/v1/reasons', { token });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toBe('Bạn chưa đăng nhập hoặc phiên làm việc không hợp lệ.');
    // and the other way round
    const second = await signIn(b.url, '903', 'ttcntt');
    expect((await call(a.url, 'GET', '/api/v1/reasons', { token: second })).status).toBe(200);
    expect((await call(b.url, 'POST', '/api/v1/auth/logout', { token: second })).status).toBe(204);
    expect((await call(a.url, 'GET', '/api/v1/reasons', { token: second })).status).toBe(401);
  });

  it('count sign-in failures, ask for the captcha and lock the account across instances', async () => {
    const login = (url: string, password: string, extra: Record<string, string> = {}) =>
      call(url, 'POST', '/api/v1/auth/login', {
        json: { agencyCode: '903', username: 'khoa903', password, ...extra },
      });
    expect((await login(a.url, 'sai-1')).status).toBe(401);
    expect((await login(b.url, 'sai-2')).status).toBe(401);
    const third = await login(a.url, 'sai-3');
    expect(third.status).toBe(428);
    // a captcha drawn on A is answered on B (it lives in the database)
    captchaText = 'K7PQ2';
    const cap = await call(a.url, 'GET', '/api/v1/auth/captcha');
    const fourth = await login(b.url, 'sai-4', { captchaId: cap.body.captchaId, captchaAnswer: 'K7PQ2' });
    expect(fourth.status).toBe(428);
    const cap2 = await call(b.url, 'GET', '/api/v1/auth/captcha');
    const fifth = await login(a.url, 'sai-5', { captchaId: cap2.body.captchaId, captchaAnswer: 'K7PQ2' });
    expect(fifth.status).toBe(423);
    // locked on both, even with the right password
    expect((await login(b.url, 'Bhxh@2020')).status).toBe(423);
    expect((await login(a.url, 'Bhxh@2020')).status).toBe(423);
  });

  it('a supervisor changing the rejection reasons on one instance is seen at once on the other', async () => {
    const sup = await signIn(a.url, '903', 'ld903');
    const officer = await signIn(b.url, '903', 'ttcntt');
    const before = await call(b.url, 'GET', '/api/v1/reasons', { token: officer });
    expect(before.status).toBe(200);
    const list = [
      { code: 'R01', text: 'Thông tin trên tờ khai không khớp', smsText: 'Thong tin to khai khong khop' },
      { code: 'X01', text: 'Ảnh chân dung không rõ mặt', smsText: 'Anh chan dung khong ro' },
    ];
    expect((await call(a.url, 'PUT', '/api/v1/reasons', { token: sup, json: list })).status).toBe(200);
    const after = await call(b.url, 'GET', '/api/v1/reasons', { token: officer });
    expect(after.body).toEqual(list);
  });

  it('a name with a word never seen before, stored through one instance, is found by its prefix on the other', async () => {
    const officer = await signIn(a.url, '903', 'ttcntt');
    const other = await signIn(b.url, '903', 'ttcntt');
    // B's list of words is loaded (and kept for a minute) by a search before the intake, and holds
    // words that start with "th" (Thanh, Thị…), so a search for that prefix on B does not read the
    // list again: only the bus can bring the new word "thach" in.
    const before = await call(b.url, 'GET', '/api/v1/dossiers?q=th', { token: other });
    expect(before.body.items.length).toBeGreaterThan(0);
    const made = await call(a.url, 'POST', '/api/v1/dossiers', {
      token: officer,
      json: declaration({ fullName: 'Nguyễn Văn Thạch', contactPerson: 'Nguyễn Văn Thạch' }),
    });
    expect(made.status).toBe(201);
    // The message leaves at A's commit; B applies it when it arrives.
    await expect
      .poll(
        async () =>
          (
            (await call(b.url, 'GET', '/api/v1/dossiers?q=nguyen%20van%20th&limit=200', { token: other }))
              .body.items as Array<{ id: string }>
          ).map((d) => d.id),
        { timeout: 10_000, interval: 20 },
      )
      .toContain(made.body.id);
  });
});

describe('background work across instances', () => {
  let gateway: SmsGateway;
  beforeAll(async () => {
    gateway = await startSmsGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  /** Approves `n` pending dossiers of 903 through `url`; each approval queues one SMS. */
  async function approve(url: string, n: number): Promise<number> {
    const token = await signIn(url, '903', 'ttcntt');
    let done = 0;
    for (let i = 0; i < n; i++) {
      const json = declaration({ agencyCode: '903' });
      delete json.email; // one message per decision: the SMS
      const made = await call(url, 'POST', '/api/v1/dossiers', { token, json });
      expect(made.status).toBe(201);
      const decided = await call(url, 'POST', `/api/v1/dossiers/${made.body.id}/decision`, {
        token,
        json: decision(made.body.version, { outcome: 'invalid', reasonCodes: ['R01'] }),
      });
      expect(decided.status).toBe(200);
      done += 1;
    }
    return done;
  }

  const queued = async (): Promise<number> =>
    (
      await a.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM notifications WHERE status = 'queued' AND channel = 'sms'",
      )
    ).rows[0]!.n;

  it('an instance killed in the middle of a delivery pass leaves its messages to the others, each sent once', async () => {
    await a.db.exec("UPDATE notifications SET status = 'delivered' WHERE status = 'queued'");
    const count = await approve(a.url, 12);
    expect(await queued()).toBe(count);
    // A third instance, as its own process, delivers through the gateway, which holds its answers: the
    // process has claimed the messages and sent some when it is killed.
    gateway.hold();
    const victim = await startServiceProcess({
      databaseUrl: pg.url,
      env: { SMS_GATEWAY_URL: gateway.url, SMS_API_KEY: 'test-key' },
    });
    await gateway.waitForRequests(4);
    const claimed = await a.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid
        WHERE l.relation = 'notifications'::regclass AND l.mode = 'RowShareLock' AND s.state = 'idle in transaction'`,
    );
    expect(claimed.rows[0]!.n).toBeGreaterThan(0);
    await victim.kill();
    gateway.release();
    const sentBeforeKill = gateway.sent();
    expect(sentBeforeKill).toBeGreaterThanOrEqual(4);
    // The survivors take over: the dead instance's transaction is rolled back, its messages are due.
    const survivors = { a: 0, b: 0 };
    const sa = await startService({
      databaseUrl: pg.url,
      background: false,
      prepared: true,
      env: { SMS_GATEWAY_URL: gateway.url },
    });
    const sb = await startService({
      databaseUrl: pg.url,
      background: false,
      prepared: true,
      env: { SMS_GATEWAY_URL: gateway.url },
    });
    try {
      await expect
        .poll(
          async () => {
            const [x, y] = await Promise.all([sa.deliverSms(), sb.deliverSms()]);
            survivors.a += x;
            survivors.b += y;
            return await queued();
          },
          { timeout: 30_000, interval: 50 },
        )
        .toBe(0);
    } finally {
      await sa.close();
      await sb.close();
    }
    // Every message reached the gateway; those the dead instance had sent came again with the same
    // request id and were not sent a second time.
    const ids = await a.db.query<{ id: string; provider_id: string }>(
      "SELECT id, provider_id FROM notifications WHERE status = 'delivered' AND channel = 'sms' AND provider_id LIKE 'gw-%'",
    );
    expect(ids.rows.length).toBe(count);
    expect(new Set(gateway.ids()).size).toBe(gateway.ids().length);
    for (const r of ids.rows) expect(gateway.ids()).toContain(r.id);
    expect(survivors.a + survivors.b).toBe(count);
    expect(gateway.requests()).toBe(gateway.sent() + gateway.duplicates());
  });

  it("an instance's delivery sends in two lanes while a backlog lasts, each message once", async () => {
    await a.db.exec("UPDATE notifications SET status = 'delivered' WHERE status = 'queued'");
    const before = gateway.sent();
    const duplicatesBefore = gateway.duplicates();
    const count = await approve(a.url, 12);
    const requestsBefore = gateway.requests();
    // Passes of 4, one send at a time each: a second lane starts once the first has left a full
    // batch; from then the gateway answers only when two requests wait together, which one lane alone
    // never makes (it would wait for ever and the poll below would fail).
    const x = await startService({
      databaseUrl: pg.url,
      prepared: true,
      env: { SMS_GATEWAY_URL: gateway.url },
      delivery: { batch: 4, concurrency: 1, lanes: 2 },
    });
    try {
      await gateway.waitForRequests(requestsBefore + 4);
      gateway.holdUntilTogether(2);
      await expect.poll(queued, { timeout: 30_000, interval: 50 }).toBe(0);
    } finally {
      await x.close();
      gateway.release();
    }
    expect(gateway.sent() - before).toBe(count);
    expect(gateway.duplicates()).toBe(duplicatesBefore);
  });

  it('two instances delivering at once send every message once, and number the feed and chain the audit once', async () => {
    await a.db.exec("UPDATE notifications SET status = 'delivered' WHERE status = 'queued'");
    const before = gateway.sent();
    const duplicatesBefore = gateway.duplicates();
    const count = (await approve(a.url, 10)) + (await approve(b.url, 10));
    const x = await startService({
      databaseUrl: pg.url,
      background: false,
      prepared: true,
      env: { SMS_GATEWAY_URL: gateway.url },
      delivery: { batch: 3, concurrency: 2 },
    });
    const y = await startService({
      databaseUrl: pg.url,
      background: false,
      prepared: true,
      env: { SMS_GATEWAY_URL: gateway.url },
      delivery: { batch: 3, concurrency: 2 },
    });
    try {
      let delivered = 0;
      while ((await queued()) > 0) {
        const runs = await Promise.all([
          x.deliverSms(),
          y.deliverSms(),
          x.publishChanges(),
          y.publishChanges(),
          x.chainAudit(),
          y.chainAudit(),
        ]);
        delivered += runs[0] + runs[1];
      }
      expect(delivered).toBe(count);
      expect(gateway.sent() - before).toBe(count);
      expect(gateway.duplicates()).toBe(duplicatesBefore);
      // the feed: one number per change, no gap; the audit chain intact
      const feed = await a.db.query<{ n: number; d: number; lo: number; hi: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT seq)::int AS d, min(seq)::int AS lo, max(seq)::int AS hi FROM dossier_changes WHERE seq IS NOT NULL',
      );
      const f = feed.rows[0]!;
      expect(f.d).toBe(f.n);
      expect(f.hi - f.lo + 1).toBe(f.n);
      expect(await x.verifyAudit()).toMatchObject({ ok: true, unchained: 0 });
    } finally {
      await x.close();
      await y.close();
    }
  });
});
