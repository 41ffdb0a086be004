// The test harness's clean-up of leaked clusters: a process that started a cluster and was killed
// before stopping it (a suite killed or timed out) leaves PostgreSQL running; the next start of a
// cluster stops and removes it, and never touches a cluster whose process lives.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  postgresAvailable,
  postmasterPid,
  processAlive,
  startPostgres,
  sweepLeakedClusters,
} from '../../harness/postgres.js';
import { titleWithSkipReason } from '../../harness/skip.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const pg = postgresAvailable();

describe('leaked PostgreSQL test clusters', () => {
  // A folder of its own, so that no other test file's start sweeps this test's cluster first.
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sweep-test-'));
  chmodSync(tmp, 0o755); // the cluster runs as postgres when the tests run as root
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const title = 'a cluster whose process was killed is stopped and removed; a live one is kept';
  it.skipIf(!pg)(titleWithSkipReason(title, pg, 'PostgreSQL 15 binaries absent'), async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, '../../harness/leak-child.ts')],
      {
        env: { ...process.env, TMPDIR: tmp },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) =>
        reject(new Error(`the child exited (${code}) before starting its cluster`)),
      );
    });
    const leaked = JSON.parse(line) as { dataDir: string; port: number };
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const leakedBase = path.dirname(leaked.dataDir);
    const leakedPostmaster = postmasterPid(leaked.dataDir);
    expect(processAlive(leakedPostmaster)).toBe(true); // left running by the killed process

    const live = await startPostgres();
    try {
      const removed = await sweepLeakedClusters(tmp);
      expect(removed).toEqual([leakedBase]);
      expect(existsSync(leakedBase)).toBe(false);
      for (let i = 0; i < 50 && processAlive(leakedPostmaster); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(processAlive(leakedPostmaster)).toBe(false);

      // This process's cluster, in the default folder, lives: a sweep there leaves it alone.
      const again = await sweepLeakedClusters();
      expect(again).not.toContain(path.dirname(live.dataDir));
      expect(processAlive(postmasterPid(live.dataDir))).toBe(true);
      expect(await sweepLeakedClusters(tmp)).toEqual([]);
    } finally {
      await live.stop();
    }
  });
});
