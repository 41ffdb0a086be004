// HAProxy from Debian as the service's load balancer on loopback, as docs/deploy-service.md sets it
// up in production: round robin over the instances, each checked on GET /api/v1/health every 500 ms
// (two failures take it out, one success brings it back; a check may take 2 s, so a busy instance is
// not taken out for being slow), and a request whose connection an instance refuses (killed,
// restarting) sent to another instance instead (retries + redispatch). HAProxy's warnings (each instance
// taken out or brought back, and why) go to its stderr, kept for a failing test to print.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './postgres.js';

export const HAPROXY_BIN = process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy';

export type LoadBalancer = {
  url: string;
  port: number;
  /** HAProxy's view of each instance, from its stats socket-less CSV page: name → UP / DOWN … */
  states(): Promise<Record<string, string>>;
  /** What HAProxy printed (its last 16 KB): each instance marked DOWN or UP, and why. */
  log(): string;
  stop(): Promise<void>;
};

/** The configuration file's text (also what docs/deploy-service.md shows). */
export function haproxyConfig(
  port: number,
  statsPort: number,
  servers: readonly { name: string; port: number }[],
): string {
  return `global
  maxconn 4096

defaults
  mode http
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  timeout http-keep-alive 60s
  timeout check 2s
  retries 3
  option redispatch 1

frontend service
  bind 127.0.0.1:${port}
  default_backend instances

backend instances
  balance roundrobin
  option httpchk GET /api/v1/health
  http-check expect status 200
  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
${servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check`).join('\n')}

frontend stats
  bind 127.0.0.1:${statsPort}
  stats enable
  stats uri /stats
`;
}

export async function startLoadBalancer(
  servers: readonly { name: string; port: number }[],
): Promise<LoadBalancer> {
  // Said plainly instead of an unhandled spawn error: the benchmarks that need it stop here.
  if (!existsSync(HAPROXY_BIN))
    throw new Error(
      `HAProxy not found at ${HAPROXY_BIN}: apt-get install haproxy (as .ci/run does), or set HAPROXY_BIN`,
    );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'haproxy-test-'));
  const port = await freePort();
  const statsPort = await freePort();
  const cfg = path.join(dir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig(port, statsPort, servers));
  const child: ChildProcess = spawn(HAPROXY_BIN, ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (c: Buffer) => (log = (log + c.toString('utf8')).slice(-16_000)));
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const states = async (): Promise<Record<string, string>> => {
    const res = await fetch(`http://127.0.0.1:${statsPort}/stats;csv`);
    const out: Record<string, string> = {};
    for (const line of (await res.text()).split('\n')) {
      const f = line.split(',');
      if (f[0] === 'instances' && f[1] && f[1] !== 'BACKEND') out[f[1]] = f[17] ?? '';
    }
    return out;
  };
  // Ready when HAProxy answers on its stats port (its checks then run on their own).
  for (let i = 0; ; i++) {
    const up = await states().then(
      () => true,
      () => false,
    );
    if (up) break;
    if (exited || i > 200) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`haproxy did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    states,
    log: () => log,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await gone;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
