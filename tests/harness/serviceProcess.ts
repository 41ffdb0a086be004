// The central service as its own process (`server/main.ts`, as `npm run server` starts it), for the
// tests and benchmarks that kill an instance (SIGKILL: no clean-up of any kind) or run several in a
// Node cluster. Ready when its health answers.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../fixtures/demo.js';
import { freePort } from './postgres.js';

export type ServiceProcess = {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** SIGKILL, and waits for the process to be gone */
  kill(): Promise<void>;
  /** SIGTERM (a clean stop), and waits for it */
  stop(): Promise<void>;
};

export type ServiceProcessOptions = {
  databaseUrl: string;
  env?: Record<string, string>;
  /** extra arguments of server/main.ts (e.g. --workers 2) */
  args?: string[];
  port?: number;
  /** how long to wait for the first healthy answer (60 s: tsx compiles the service first) */
  startTimeoutMs?: number;
  /** where its stderr goes (default: ignored) */
  stderr?: 'inherit' | 'ignore';
  /** options of node itself, before the script (e.g. --cpu-prof for a benchmark's profile) */
  nodeArgs?: string[];
};

export async function waitForHealth(
  url: string,
  timeoutMs: number,
  alive: () => boolean = () => true,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`${url}/api/v1/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    if (!alive()) throw new Error(`the service at ${url} exited before it answered`);
    if (Date.now() > until) throw new Error(`the service at ${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const port = options.port ?? (await freePort());
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      '--import',
      'tsx',
      path.join(REPO_ROOT, 'server', 'main.ts'),
      ...(options.args ?? []),
    ],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        DATABASE_URL: options.databaseUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        ...options.env,
      },
      stdio: ['ignore', 'ignore', options.stderr ?? 'ignore'],
    },
  );
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, options.startTimeoutMs ?? 60_000, () => !exited);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (!exited) child.kill(signal);
    await gone;
  };
  return { url, port, pid: child.pid!, child, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
