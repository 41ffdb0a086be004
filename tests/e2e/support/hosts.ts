// More workstations for the mobile desk's specs: the dev host (scripts/dev-host.ts) started as a child
// process on its own port and data folder, pointed at a given central service — a second desk, or a
// desk the test kills with SIGKILL mid-chain and starts again on the same folder. And an HTTP proxy in
// front of the service that can hold a request and run something first (the kill), so the kill lands
// at a known step of a chain.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { E2E_SECRET } from '../../../playwright.config.js';

export type Host = { port: number; url: string; home: string; child: ChildProcess; kill(): Promise<void> };

export async function startHost(options: {
  port: number;
  dataDir: string;
  /** the central service; none: the host starts its own in-process service (PGlite in dataDir) */
  serviceUrl?: string;
}): Promise<Host> {
  const child = spawn('npx', ['tsx', 'scripts/dev-host.ts'], {
    env: {
      ...process.env,
      WS_PORT: String(options.port),
      WS_SECRET: E2E_SECRET,
      WS_TEST_CONTROLS: '1',
      DATA_DIR: options.dataDir,
      ...(options.serviceUrl ? { SERVICE_URL: options.serviceUrl } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const url = `http://127.0.0.1:${options.port}`;
  const home = `${url}/?k=${E2E_SECRET}`;
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += String(c)));
  child.stderr?.on('data', (c: Buffer) => (output += String(c)));
  const end = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`host exited: ${output}`);
    if (output.includes('Giao diện máy trạm:')) break;
    if (Date.now() > end) throw new Error(`host did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port: options.port,
    url,
    home,
    child,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      // the whole group: npx, tsx and the host's Node process
      process.kill(-child.pid!, 'SIGKILL');
      await gone;
    },
  };
}

export type HoldingProxy = {
  url: string;
  /** Before forwarding the next request that `match` accepts, run `then` (the request is then dropped). */
  onNext(match: (method: string, path: string) => boolean, then: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
};

export async function startHoldingProxy(target: string): Promise<HoldingProxy> {
  const t = new URL(target);
  let rule: { match: (m: string, p: string) => boolean; then: () => Promise<void>; done: () => void } | null =
    null;
  const server: Server = createServer((req, res) => {
    if (rule && rule.match(req.method ?? '', req.url ?? '')) {
      const r = rule;
      rule = null;
      void r.then().finally(() => {
        req.socket.destroy();
        r.done();
      });
      return;
    }
    const up = request(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => req.socket.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    onNext(match, then) {
      return new Promise<void>((done) => {
        rule = { match, then, done };
      });
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
