// Huge pages for the benchmark's PostgreSQL: its shared memory (4 GB of shared_buffers) mapped in 2 MB
// pages instead of 4 kB ones. Without them every backend builds its own page table for each 4 kB page
// of shared_buffers it touches, one minor fault at a time: perf showed 15% of PostgreSQL's CPU in page
// faults during the decision run (docs/server.md, run 10), and pgbench's fresh connections paid it on
// every page. A database server with gigabytes of shared_buffers is set up with them (PostgreSQL's
// manual, "Linux Huge Pages"); the cluster asks with huge_pages = try and falls back without them.
//
// The kernel hands them out only from a reserve (vm.nr_hugepages). Run as root, the benchmark raises
// the reserve to what the cluster says it needs (shared_memory_size_in_huge_pages), restarts the
// cluster onto it and puts the old value back at the end; otherwise it says how to reserve them.

import { readFileSync, writeFileSync } from 'node:fs';
import { postmasterPid, type PostgresCluster } from '../harness/postgres.js';
import { openPostgres } from '../../server/db/database.js';

const NR_HUGEPAGES = '/proc/sys/vm/nr_hugepages';

/** The postmaster's huge pages in use, in kB (its HugetlbPages), or null when it cannot be read. */
function postmasterHugeKb(cluster: PostgresCluster): number | null {
  try {
    const pid = postmasterPid(cluster.dataDir);
    const m = /^HugetlbPages:\s+(\d+) kB/mu.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function readReserve(): number | null {
  try {
    return Number(readFileSync(NR_HUGEPAGES, 'utf8').trim());
  } catch {
    return null;
  }
}

export type HugePages = {
  /** what to print: in use or not, and why */
  summary: string;
  inUse: boolean;
  /** puts the kernel's reserve back as it was (after the cluster has stopped) */
  restore(): void;
};

/**
 * Moves a running cluster (started with huge_pages = try) onto huge pages when it is not on them yet
 * and the reserve can be raised: then the cluster is restarted, so call it before connecting.
 */
export async function useHugePages(cluster: PostgresCluster, wanted = true): Promise<HugePages> {
  const db = await openPostgres(cluster.url, 1);
  const res = await db.query<{ n: string }>(
    "SELECT current_setting('shared_memory_size_in_huge_pages') AS n",
  );
  await db.close();
  const need = Number(res.rows[0]?.n ?? 0);
  const before = readReserve();
  let raised: number | null = null;
  const restore = (): void => {
    if (raised === null || before === null) return;
    try {
      writeFileSync(NR_HUGEPAGES, String(before));
    } catch {
      // The reserve stays raised; nothing else depends on it.
    }
    raised = null;
  };
  const state = (how: string): HugePages => {
    const kb = postmasterHugeKb(cluster);
    const inUse = kb !== null && kb > 0;
    return {
      inUse,
      restore,
      summary: inUse
        ? `huge pages: in use, ${need} pages of 2 MB for PostgreSQL's shared memory (${how})`
        : `huge pages: NOT in use (${how}): every backend faults on each 4 kB page of shared_buffers, and every figure here is lower; reserve them with \`sysctl -w vm.nr_hugepages=${need}\` (docs/server.md, run 10)`,
    };
  };
  if ((postmasterHugeKb(cluster) ?? 0) > 0) return state(`vm.nr_hugepages ${before}`);
  if (!wanted) return state('huge_pages = off, as BENCH_HUGE_PAGES asks');
  if (before === null) return state('vm.nr_hugepages cannot be read');
  const free = Number(/^HugePages_Free:\s+(\d+)/mu.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  try {
    writeFileSync(NR_HUGEPAGES, String(before + Math.max(0, need - free)));
    raised = readReserve();
  } catch {
    return state(`vm.nr_hugepages is ${before} and only root can raise it`);
  }
  try {
    await cluster.restart();
  } catch (err) {
    restore();
    throw err;
  }
  return state(`vm.nr_hugepages raised from ${before} to ${raised} for this run`);
}
