// The SMS and e-mail outbox with real adapters: a local HTTP SMS gateway that fails, then accepts
// (retries with backoff, one request id across retries), one that refuses credentials (final), and a
// local SMTP server receiving the e-mail notice. Each outcome shows as a step of the dossier.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGsm7 } from '../../../server/notify.js';
import { call, createClock, decision, dossierId, signIn, startTarget, type TestService } from './helpers.js';

type GatewayRequest = {
  auth: string | undefined;
  body: { apiKey: string; brandName: string; phone: string; content: string; requestId: string };
};

async function startGateway(
  answer: (n: number) => number,
): Promise<{ url: string; requests: GatewayRequest[]; close(): Promise<void> }> {
  const requests: GatewayRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString('utf8')));
    req.on('end', () => {
      requests.push({ auth: req.headers.authorization, body: JSON.parse(data) as GatewayRequest['body'] });
      const status = answer(requests.length);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { messageId: `gw-${requests.length}` } : { error: 'nope' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function startSmtp(): Promise<{ url: string; mails: string[]; close(): Promise<void> }> {
  const mails: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, _session, done) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        mails.push(raw);
        done();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `smtp://127.0.0.1:${port}/?ignoreTLS=true`,
    mails,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('SMS gateway that fails twice, then accepts; SMTP e-mail', () => {
  let s: TestService;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const clock = createClock();

  beforeAll(async () => {
    gateway = await startGateway((n) => (n <= 2 ? 503 : 200));
    smtp = await startSmtp();
    s = await startTarget('pglite', {
      now: clock.now,
      config: {
        sms: { gatewayUrl: gateway.url, apiKey: 'test-key', baseDelayMs: 60_000, maxDelayMs: 600_000 },
        email: { smtpUrl: smtp.url },
      },
    });
  });
  afterAll(async () => {
    await s?.stop();
    await gateway?.close();
    await smtp?.close();
  });

  it('retries with growing delays, keeps one request id, and marks the step delivered', async () => {
    const token = await signIn(s.url, '903', 'ttcntt');
    const id = await dossierId(s.url, token, '00006.GD/2020/903');
    const res = await call(s.url, 'POST', `/api/v1/dossiers/${id}/decision`, {
      token,
      json: decision(1, { decidedAt: clock.now().toISOString() }),
    });
    expect(res.body.result).toBe('account_issued');

    expect(await s.deliverSms()).toBe(2); // the SMS and the e-mail
    expect(gateway.requests).toHaveLength(1);
    let d = await call(s.url, 'GET', `/api/v1/dossiers/${id}`, { token });
    const sms1 = d.body.steps.find((x: { step: string }) => x.step === 'sms');
    expect(sms1.state).toBe('queued');
    expect(sms1.detail).toMatch(/Lần gửi 1 lỗi/u);
    expect(d.body.steps.find((x: { step: string }) => x.step === 'email').state).toBe('delivered');

    expect(await s.deliverSms()).toBe(0); // not due yet
    const row = async () =>
      (
        await s.db.query<{ next_attempt_at: string; attempts: number }>(
          `SELECT next_attempt_at::text, attempts FROM notifications WHERE channel = 'sms'`,
        )
      ).rows[0]!;
    const first = row();
    const firstDelay =
      Date.parse((await first).next_attempt_at.replace(' ', 'T').replace(/([+-]\d{2})$/u, '$1:00')) -
      clock.now().getTime();
    expect(firstDelay).toBeGreaterThanOrEqual(30_000);
    expect(firstDelay).toBeLessThanOrEqual(60_000);
    clock.advance(60_001);
    expect(await s.deliverSms()).toBe(1);
    const second = await row();
    const secondDelay =
      Date.parse(second.next_attempt_at.replace(' ', 'T').replace(/([+-]\d{2})$/u, '$1:00')) -
      clock.now().getTime();
    expect(secondDelay).toBeGreaterThanOrEqual(60_000);
    expect(secondDelay).toBeLessThanOrEqual(120_000);
    clock.advance(120_001);
    expect(await s.deliverSms()).toBe(1);
    expect(gateway.requests).toHaveLength(3);
    expect(new Set(gateway.requests.map((r) => r.body.requestId)).size).toBe(1);
    const sent = gateway.requests[2]!;
    expect(sent.auth).toBe('Bearer test-key');
    expect(sent.body).toMatchObject({ apiKey: 'test-key', brandName: 'BHXH VN', phone: '0983847986' });
    expect(isGsm7(sent.body.content)).toBe(true);
    expect(sent.body.content.length).toBeLessThanOrEqual(160);
    d = await call(s.url, 'GET', `/api/v1/dossiers/${id}`, { token });
    expect(d.body.steps.find((x: { step: string }) => x.step === 'sms').state).toBe('delivered');
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]).toMatch(/To: biennt@vss.gov.vn/iu);
  });
});

describe('SMS gateway that refuses the credentials', () => {
  let s: TestService;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gateway = await startGateway(() => 401);
    s = await startTarget('pglite', { config: { sms: { gatewayUrl: gateway.url, apiKey: 'wrong' } } });
  });
  afterAll(async () => {
    await s?.stop();
    await gateway?.close();
  });

  it('gives up at once and shows the SMS step as failed', async () => {
    const token = await signIn(s.url, '00115', 'cb00115');
    const id = await dossierId(s.url, token, '00078.GD/2020/00115');
    const res = await call(s.url, 'POST', `/api/v1/dossiers/${id}/decision`, {
      token,
      json: decision(1, { outcome: 'invalid', reasonCodes: ['R01'] }),
    });
    expect(res.body.result).toBe('rejected');
    await s.deliverSms();
    await s.deliverSms();
    expect(gateway.requests).toHaveLength(1);
    const d = await call(s.url, 'GET', `/api/v1/dossiers/${id}`, { token });
    const step = d.body.steps.find((x: { step: string }) => x.step === 'sms');
    expect(step.state).toBe('failed');
    expect(step.detail).toMatch(/401/u);
  });
});
