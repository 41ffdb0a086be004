// `npm start`'s process (scripts/dev-host.ts) when the service's port is not usable: a PORT given and
// taken by another program stops the start before any database is opened, with a Vietnamese message
// naming the port and how to choose another; a PORT that is no port number is refused the same way.
// `npm run server:synthetic` on a DATA_DIR no service has used yet creates its database.
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

function run(
  env: Record<string, string>,
  script = 'dev-host.ts',
  args: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Not test mode (a set WS_SECRET or WS_TEST_CONTROLS would be), a service and an embedded database of its own.
    const base = { ...process.env };
    for (const key of ['WS_SECRET', 'WS_TEST_CONTROLS', 'SERVICE_URL', 'PORT', 'DATABASE_URL'])
      delete base[key];
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', script), ...args], {
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

describe('npm run server:synthetic', () => {
  it('works on a fresh DATA_DIR (no service ever started in it)', async () => {
    const fresh = path.join(dataDir, 'fresh', 'data');
    const r = await run({ DATA_DIR: fresh }, 'server-synthetic.ts', ['20']);
    expect(r.stderr).not.toMatch(/ENOENT|Error/u);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Đã thêm 20 hồ sơ tổng hợp trong [\d.]+ s\./u);
    expect(readdirSync(path.join(fresh, 'server', 'pg')).length).toBeGreaterThan(0);
  });
});
