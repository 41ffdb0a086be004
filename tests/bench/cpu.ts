// CPU time of processes, read from Linux's /proc: where a benchmark's CPU went, per process, so a
// throughput figure can be compared with what the machine's cores allow.
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds used so far by the processes named `comm` (Linux /proc), or by one pid, with those of
 * their children that have ended: a PostgreSQL backend that exits during a measurement is then still
 * counted, through the postmaster that waited for it.
 */
export function cpuSeconds(match: { comm?: string; pid?: number }): number {
  let ticks = 0;
  const pids = match.pid ? [String(match.pid)] : readdirSync('/proc').filter((p) => /^\d+$/u.test(p));
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (match.comm && comm !== match.comm) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100; // USER_HZ
}

/** CPU seconds the whole machine has spent busy (user, nice, system, irq, softirq; Linux /proc/stat). */
export function machineBusySeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/u).slice(1).map(Number);
  return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]!) / 100;
}

/** CPU seconds of a process and all its living descendants (a Node cluster's primary and its workers). */
export function treeCpuSeconds(pid: number): number {
  let total = cpuSeconds({ pid });
  let children: string[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/u).filter(Boolean);
  } catch {
    // the process ended meanwhile
  }
  for (const c of children) total += treeCpuSeconds(Number(c));
  return total;
}

/**
 * CPU seconds of one PostgreSQL cluster: its postmaster, its living processes and the backends that
 * have ended (the postmaster waited for them). Not `cpuSeconds({comm: 'postgres'})`: on a machine
 * shared with other engineers that also counts their test clusters.
 */
export function clusterCpuSeconds(dataDir: string): number {
  const pid = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]!.trim());
  return treeCpuSeconds(pid);
}

/** CPU seconds of this process, with its children that have ended (pgbench run by execFile). */
export function selfCpuSeconds(): number {
  return cpuSeconds({ pid: process.pid });
}
