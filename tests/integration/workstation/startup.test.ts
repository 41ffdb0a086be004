// `npm start`'s process (scripts/dev-host.ts) when the service's port is not usable: a PORT given and
// taken by another program stops the start before any database is opened, with a Vietnamese message
// naming the port and how to choose another; a PORT that is no port number is refused the same way.
// (The default 8480 taken falls back to a free port: not tested here, as 8480 is a shared machine's
// port another engineer's `npm start` may hold.)
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

function run(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Not test mode (a set WS_SECRET or WS_TEST_CONTROLS would be), and a service of its own.
    const base = { ...process.env };
    for (const key of ['WS_SECRET', 'WS_TEST_CONTROLS', 'SERVICE_URL', 'PORT']) delete base[key];
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'dev-host.ts')], {
      cwd: root,
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

let taken: Server;
let port: number;
let dataDir: string;

beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen({ host: '127.0.0.1', port: 0 }, resolve));
  port = (taken.address() as { port: number }).port;
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'startup-'));
});
afterAll(async () => {
  await new Promise<void>((resolve) => taken.close(() => resolve()));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start with the service port not usable', () => {
  it('a PORT given and taken stops with a Vietnamese message naming it, nothing created', async () => {
    const r = await run({ PORT: String(port), DATA_DIR: dataDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Cổng ${port} đang được một chương trình khác dùng.`);
    expect(r.stderr).toContain(`PORT=${port + 1} npm start`);
    // stopped before the service opened its database
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('a PORT that is no port number is refused with an example', async () => {
    const r = await run({ PORT: '84800', DATA_DIR: dataDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PORT=84800 không phải số cổng (0–65535). Ví dụ: PORT=8481 npm start');
  });
});
