// kill -9 at every step boundary of the mobile desk's chains, on real PostgreSQL: a child workstation
// records two desk dossiers offline, then is killed (SIGKILL) by an HTTP proxy in front of the service
// at each boundary in turn — before each kind of step reaches the service (intake, image upload,
// receipt, decision), and after the service applied it but before the answer reaches the desk — and
// started again on the same store each time. At the end: one dossier per person, every image one row
// and one PUT, one receipt, one decision.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../../harness/postgres.js';
import { titleWithSkipReason } from '../../harness/skip.js';
import { expectOnce, onService } from './deskSupport.js';
import { startCentral, type Central } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const pg = postgresAvailable();
const title = (t: string): string => titleWithSkipReason(t, pg, 'PostgreSQL 15 binaries absent');

type Step = 'intake' | 'attachment' | 'receive' | 'decision';
const STEP_OF = (method: string, url: string): Step | null => {
  if (method === 'POST' && /\/api\/v1\/dossiers$/u.test(url)) return 'intake';
  if (method === 'PUT' && url.includes('/attachments/')) return 'attachment';
  if (method === 'POST' && url.endsWith('/receive')) return 'receive';
  if (method === 'POST' && url.endsWith('/decision')) return 'decision';
  return null;
};

/**
 * An HTTP proxy that kills a process at a step: `before` (the request never reaches the service) or
 * `after` (the service answered; the answer never reaches the desk). `down` refuses every request.
 */
async function startKillProxy(target: string) {
  const t = new URL(target);
  const state: {
    down: boolean;
    rule: { step: Step; when: 'before' | 'after'; kill: () => void; fired: () => void } | null;
  } = { down: false, rule: null };
  const server: Server = createServer((req, res) => {
    if (state.down) {
      req.socket.destroy();
      return;
    }
    const step = STEP_OF(req.method ?? '', req.url ?? '');
    const rule = state.rule && step === state.rule.step ? state.rule : null;
    if (rule) state.rule = null;
    if (rule?.when === 'before') {
      rule.kill();
      req.socket.destroy();
      rule.fired();
      return;
    }
    const up = request(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (rule) {
          answer.resume();
          answer.on('end', () => {
            rule.kill();
            req.socket.destroy();
            rule.fired();
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => req.socket.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    state,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

type Child = { proc: ChildProcess; lines: AsyncIterator<string>; exited: Promise<void> };

function startChild(url: string, dir: string, args: string[]): Child {
  // Node itself with tsx loaded: the pid killed is the workstation's own process.
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(here, 'deskChild.ts'), url, dir, ...args],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return { proc, lines, exited };
}

async function next(c: Child, key: string): Promise<Record<string, unknown>> {
  for (;;) {
    const r = await c.lines.next();
    if (r.done) throw new Error(`child ended before "${key}"`);
    const msg = JSON.parse(r.value) as Record<string, unknown>;
    if (key in msg) return msg;
  }
}

describe.skipIf(!pg)('mobile desk: kill -9 at every step boundary (real PostgreSQL)', () => {
  let c: Central;
  let proxy: Awaited<ReturnType<typeof startKillProxy>>;

  beforeAll(async () => {
    c = await startCentral();
    proxy = await startKillProxy(c.service.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await c?.stop();
  });

  it(
    title('two chains survive SIGKILL before and after each kind of step: each applied exactly once'),
    async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'ws-desk-kill-'));
      const boundaries: Array<[Step, 'before' | 'after']> = [
        ['intake', 'before'],
        ['intake', 'after'],
        ['attachment', 'before'],
        ['attachment', 'after'],
        ['receive', 'before'],
        ['receive', 'after'],
        ['decision', 'before'],
        ['decision', 'after'],
      ];
      let ids: string[] = [];
      let first = true;
      const fired: string[] = [];
      for (const [step, when] of boundaries) {
        const child = startChild(proxy.url, dir, first ? ['record', '2'] : ['resume']);
        const killed = new Promise<void>((resolve) => {
          const arm = (): void => {
            proxy.state.rule = {
              step,
              when,
              kill: () => child.proc.kill('SIGKILL'),
              fired: () => {
                fired.push(`${step}-${when}`);
                resolve();
              },
            };
          };
          if (!first) arm();
          else
            void next(child, 'signedIn').then(async () => {
              // recorded offline: nothing leaves before the rule is armed
              proxy.state.down = true;
              child.proc.stdin!.write('go\n');
              ids = (await next(child, 'recorded')).recorded as string[];
              arm();
              proxy.state.down = false;
            });
        });
        await killed;
        await child.exited;
        first = false;
      }
      expect(fired).toEqual(boundaries.map(([s, w]) => `${s}-${w}`));
      expect(ids).toHaveLength(2);
      const last = startChild(proxy.url, dir, ['resume']);
      await next(last, 'done');
      last.proc.kill('SIGKILL');
      await last.exited;
      for (const id of ids) {
        const s = await onService(c.service, id);
        expect(expectOnce(s, ['photo', 'idFront', 'idBack', 'formPage1']), id).toEqual([]);
        expect(s.received).toBe(true);
      }
    },
    240_000,
  );
});
