#!/usr/bin/env node
// The fault tests that once hung or raced on a busy CI machine, run many times in a row while a whole
// `npm test` runs beside them: the SANE fault tests (cover open, jammed, a stalled scanimage cut by the
// watchdog) and the session-renewal tests (429 and 5xx from the service). Too slow for `npm test`
// itself (the second suite alone takes 15 minutes), so it lives here and prints its counts; the
// figures go into docs/workstation.md.
//
//   node tests/bench/faults-under-load.mjs [runs=10]
//   E2E_PORT (default 5437) is the port of the `npm test` started beside; BESIDE=0 runs without it.
//
// Prints one line a run (pass/fail, seconds, the load average) and the totals; exits non-zero when
// any run failed.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const runs = Number(process.argv[2] ?? 10);
const files = ['tests/integration/scanner/sane.test.ts', 'tests/integration/workstation/renewal.test.ts'];
const load = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

let beside = null;
let besideExit = null;
if (process.env.BESIDE !== '0') {
  mkdirSync(path.join(root, '.tmp'), { recursive: true });
  const log = path.join(root, '.tmp', 'npm-test-beside.log');
  const fd = openSync(log, 'w');
  beside = spawn('npm', ['test'], {
    cwd: root,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, E2E_PORT: process.env.E2E_PORT ?? '5437' },
  });
  beside.on('exit', (code, signal) => (besideExit = code ?? signal));
  console.log(`npm test started beside (pid ${beside.pid}, log ${log})`);
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'gu');
const results = [];
for (let i = 1; i <= runs; i++) {
  const started = Date.now();
  const before = load();
  const res = spawnSync(path.join(root, 'node_modules', '.bin', 'vitest'), ['run', ...files], {
    cwd: root,
    encoding: 'utf8',
    env: process.env,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const summary = /Tests\s+(.*)/u.exec(res.stdout.replace(ANSI, ''))?.[1]?.trim() ?? '';
  const passed = res.status === 0;
  results.push(passed);
  console.log(
    `run ${i}/${runs}: ${passed ? 'pass' : 'FAIL'} in ${seconds} s (${summary}); load ${before} → ${load()}; ` +
      `npm test beside: ${beside ? (besideExit === null ? 'running' : `ended ${besideExit}`) : 'none'}`,
  );
  if (!passed) console.log(res.stdout.slice(-4000), res.stderr.slice(-2000));
}

const failed = results.filter((p) => !p).length;
console.log(`${runs - failed} of ${runs} runs passed, ${failed} failed`);
if (beside && besideExit === null) {
  console.log('waiting for the npm test beside to end…');
  await new Promise((resolve) => beside.on('exit', resolve));
}
if (beside) console.log(`npm test beside ended: ${besideExit}`);
process.exit(failed ? 1 : 0);
