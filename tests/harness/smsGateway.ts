// A local SMS gateway for the tests and benchmarks, over real HTTP on loopback: it takes the JSON the
// service's HTTP gateway adapter posts ({apiKey, brandName, phone, content, requestId}) and, as a
// brand-name gateway does, de-duplicates on requestId: a request id seen before is answered with the
// first answer's message id and not sent again. It counts what it was asked and what it "sent", so a
// test can tell "sent once" from "asked twice". `hold()` keeps answers back (a slow or hung gateway)
// until `release()`; `holdUntilTogether(n)` keeps them back until n requests wait at once (proof that
// a client sends that many in parallel: with fewer it never gets an answer).

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export type SmsGateway = {
  url: string;
  /** requests received, duplicates included */
  requests(): number;
  /** distinct request ids sent (each once) */
  sent(): number;
  /** requests whose id had been seen before (answered without sending again) */
  duplicates(): number;
  /** ids sent, in order */
  ids(): string[];
  /** resolves once `n` requests have been received */
  waitForRequests(n: number): Promise<void>;
  hold(): void;
  release(): void;
  /** holds answers until `n` requests are held at once, then answers them all and holds no more */
  holdUntilTogether(n: number): void;
  close(): Promise<void>;
};

export async function startSmsGateway(): Promise<SmsGateway> {
  const first = new Map<string, string>();
  const order: string[] = [];
  let requests = 0;
  let duplicates = 0;
  let holding = false;
  let together = 0;
  const held: Array<() => void> = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: { requestId?: string; phone?: string } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        res.writeHead(400).end();
        return;
      }
      // Sent when received, as a gateway does: a client that hangs up after asking still had it sent.
      const id = String(body.requestId ?? '');
      let messageId = first.get(id);
      if (messageId) duplicates += 1;
      else {
        messageId = `gw-${first.size + 1}`;
        first.set(id, messageId);
        order.push(id);
      }
      const answer = (): void => {
        if (res.destroyed) return;
        const text = JSON.stringify({ messageId });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      requests += 1;
      for (const w of waiters.filter((x) => requests >= x.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      if (holding) held.push(answer);
      else if (together > 0) {
        held.push(answer);
        if (held.length >= together) {
          together = 0;
          for (const a of held.splice(0)) a();
        }
      } else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    requests: () => requests,
    sent: () => first.size,
    duplicates: () => duplicates,
    ids: () => [...order],
    waitForRequests: (n) =>
      requests >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve })),
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      together = 0;
      for (const a of held.splice(0)) a();
    },
    holdUntilTogether(n) {
      together = n;
    },
    async close() {
      holding = false;
      together = 0;
      held.length = 0;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
