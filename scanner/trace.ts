// Timestamps of a command's steps on stderr, when SCAN_TIMINGS=1: the wall time since the process
// started and the CPU time (user + sys, all of the process's threads, the OCR worker's included) at
// each step. It is how the cold `recognize` was taken apart (docs/scanner.md, "Cold start"); off, a
// step costs one comparison. Step names only: no file names, no recognised text.

import { performance } from 'node:perf_hooks';

const ON = process.env.SCAN_TIMINGS === '1';

export function mark(step: string): void {
  if (!ON) return;
  const cpu = process.cpuUsage();
  const wall = performance.now().toFixed(0).padStart(5);
  const used = ((cpu.user + cpu.system) / 1000).toFixed(0).padStart(5);
  process.stderr.write(`[thời gian] ${wall} ms, CPU ${used} ms: ${step}\n`);
}
