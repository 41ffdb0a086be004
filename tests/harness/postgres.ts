// A throw-away PostgreSQL 15 cluster for tests and benchmarks: initdb in a temp folder, start on a
// free loopback port, tear down. initdb refuses root, so as root the cluster runs as `postgres`.

import { execFile as execFileCb, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export type PostgresCluster = {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  dataDir: string;
  /** URL of another database in the cluster (created by createDatabase). */
  urlFor(database: string): string;
  createDatabase(name: string): Promise<string>;
  /** A clean stop and start: shared_buffers empty, the operating system's page cache kept. */
  restart(): Promise<void>;
  stop(): Promise<void>;
};

export function postgresAvailable(): boolean {
  return existsSync(path.join(PG_BIN, 'initdb')) && existsSync(path.join(PG_BIN, 'pg_ctl'));
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function postgresUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0) throw new Error('Running as root but there is no postgres user to run the cluster as');
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function run(bin: string, args: string[], asUser: boolean): Promise<void> {
  const full = path.join(PG_BIN, bin);
  if (asUser)
    await execFile('runuser', ['-u', 'postgres', '--', full, ...args], {
      env: { ...process.env, LC_ALL: 'C.UTF-8' },
    });
  else await execFile(full, args, { env: { ...process.env, LC_ALL: 'C.UTF-8' } });
}

/**
 * The settings that make a cluster durable, as a production server is: the test clusters start
 * without them (a crash of a test cluster loses nothing anyone needs), the benchmarks with them.
 */
export const DURABLE_SETTINGS = {
  fsync: 'on',
  synchronous_commit: 'on',
  full_page_writes: 'on',
  // No checkpoint inside a benchmark's measured window (and fewer full pages logged), as a
  // write-heavy server is set.
  max_wal_size: '4GB',
} as const;

export type StartOptions = {
  /** extra `-c name=value` settings */
  settings?: Record<string, string | number>;
};

/** The file in a cluster's folder naming the process that started it. */
const OWNER_FILE = 'owner.pid';
let swept = false;

/** Whether a process of this pid exists (signal 0: nothing is sent). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The postmaster's pid of a running cluster (the first line of its postmaster.pid). */
export function postmasterPid(dataDir: string): number {
  return Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]!.trim());
}

/**
 * Stops and removes the clusters whose starting process is gone: a suite killed or timed out before
 * its teardown left them running (nine idle clusters after two failed runs, once). A cluster whose
 * process lives is never touched, nor a folder without an owner file. Returns the folders removed.
 * startPostgres runs it once per process.
 */
export async function sweepLeakedClusters(tmp = os.tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of readdirSync(tmp)) {
    if (!name.startsWith('pg-test-')) continue;
    const base = path.join(tmp, name);
    let pid: number;
    try {
      pid = Number(readFileSync(path.join(base, OWNER_FILE), 'utf8').trim());
    } catch {
      continue;
    }
    if (!Number.isInteger(pid) || pid <= 0 || processAlive(pid)) continue;
    const dataDir = path.join(base, 'data');
    if (existsSync(path.join(dataDir, 'postmaster.pid'))) {
      await run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], postgresUser() !== null).catch(
        () => undefined,
      );
    }
    rmSync(base, { recursive: true, force: true });
    removed.push(base);
  }
  return removed;
}

export async function startPostgres(options: StartOptions = {}): Promise<PostgresCluster> {
  if (!postgresAvailable()) throw new Error(`PostgreSQL binaries not found in ${PG_BIN}`);
  if (!swept) {
    swept = true;
    await sweepLeakedClusters();
  }
  const owner = postgresUser();
  const base = newBase(owner);
  const dataDir = path.join(base, 'data');
  await run(
    'initdb',
    ['-D', dataDir, '--no-sync', '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8'],
    owner !== null,
  );
  return await launch(base, dataDir, options);
}

/** A folder for a cluster, owned by the user that runs it, with this process named as its owner. */
function newBase(owner: { uid: number; gid: number } | null): string {
  const base = mkdtempSync(path.join(os.tmpdir(), 'pg-test-'));
  writeFileSync(path.join(base, OWNER_FILE), String(process.pid));
  if (owner) {
    chownSync(base, owner.uid, owner.gid);
    chmodSync(base, 0o700);
  }
  return base;
}

async function launch(base: string, dataDir: string, options: StartOptions): Promise<PostgresCluster> {
  const owner = postgresUser();
  const port = await freePort();
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    port,
    unix_socket_directories: base,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: 200,
    shared_buffers: '256MB',
    ...options.settings,
  };
  const pgOptions = Object.entries(settings)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');
  await run(
    'pg_ctl',
    ['-D', dataDir, '-o', pgOptions, '-l', path.join(base, 'server.log'), '-w', '-t', '60', 'start'],
    owner !== null,
  );
  const urlFor = (db: string): string => `postgres://postgres@127.0.0.1:${port}/${db}`;
  let stopped = false;
  return {
    url: urlFor('postgres'),
    port,
    dataDir,
    urlFor,
    async createDatabase(name: string): Promise<string> {
      if (!/^[a-z_][a-z0-9_]*$/u.test(name)) throw new Error(`bad database name ${name}`);
      await execFile(path.join(PG_BIN, 'psql'), [
        urlFor('postgres'),
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `CREATE DATABASE ${name}`,
      ]);
      return urlFor(name);
    },
    async restart(): Promise<void> {
      await run(
        'pg_ctl',
        [
          '-D',
          dataDir,
          '-o',
          pgOptions,
          '-l',
          path.join(base, 'server.log'),
          '-m',
          'fast',
          '-w',
          '-t',
          '60',
          'restart',
        ],
        owner !== null,
      );
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      try {
        if (existsSync(path.join(dataDir, 'postmaster.pid')))
          await run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], owner !== null).catch(
            (err: Error) => {
              // A postmaster killed with SIGKILL left its pid file: its backends are gone by now.
              if (processAlive(postmasterPid(dataDir))) throw err;
            },
          );
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    },
  };
}

export type Replica = PostgresCluster & {
  /** `pg_ctl promote`: the replica leaves recovery and takes writes (the failover). */
  promote(): Promise<void>;
};

/**
 * A streaming replica of `primary`: pg_basebackup -R (a copy of its data folder that follows its WAL
 * from then on), started on its own port, with the same `settings` as the primary had. With
 * `synchronous: true` the primary is then told to wait for it at every commit
 * (`synchronous_standby_names = '*'`; the primary needs `synchronous_commit = on` for that to mean
 * anything) and this resolves once the replica streams as the synchronous standby.
 */
export async function startReplica(
  primary: PostgresCluster,
  options: StartOptions & { synchronous?: boolean } = {},
): Promise<Replica> {
  const owner = postgresUser();
  const base = newBase(owner);
  const dataDir = path.join(base, 'data');
  await run(
    'pg_basebackup',
    [
      '-D',
      dataDir,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
      '-h',
      '127.0.0.1',
      '-p',
      String(primary.port),
      '-U',
      'postgres',
    ],
    owner !== null,
  );
  // The primary's pid file and options do not belong to the copy.
  rmSync(path.join(dataDir, 'postmaster.opts'), { force: true });
  const replica = await launch(base, dataDir, options);
  if (options.synchronous) {
    await psql(primary.url, "ALTER SYSTEM SET synchronous_standby_names = '*'");
    await psql(primary.url, 'SELECT pg_reload_conf()');
    // Wait for the condition: the replica connected and caught up as the synchronous standby.
    for (let i = 0; ; i++) {
      const state = await psql(primary.url, "SELECT string_agg(sync_state, ',') FROM pg_stat_replication");
      if (state.trim() === 'sync') break;
      if (i > 600) throw new Error(`the replica did not become synchronous (${state.trim()})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return Object.assign(replica, {
    async promote(): Promise<void> {
      await run('pg_ctl', ['-D', dataDir, '-w', '-t', '60', 'promote'], owner !== null);
    },
  });
}

async function psql(url: string, sql: string): Promise<string> {
  const { stdout } = await execFile(path.join(PG_BIN, 'psql'), [
    url,
    '-X',
    '-A',
    '-t',
    '-v',
    'ON_ERROR_STOP=1',
    '-c',
    sql,
  ]);
  return stdout;
}

/** SIGKILL of a cluster's postmaster: the crash of a database server (its backends end with it). */
export function killPostmaster(cluster: PostgresCluster): number {
  const pid = postmasterPid(cluster.dataDir);
  process.kill(pid, 'SIGKILL');
  return pid;
}
