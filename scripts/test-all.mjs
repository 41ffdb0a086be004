#!/usr/bin/env node
// `npm test`: every test of every part, then one summary line that sums all runners:
//   typecheck and lint (one check each), vitest (unit + integration), Playwright (e2e in Chromium).
// Ends with `N passed, N failed, N skipped` and a non-zero exit on any failure. Skipped tests are
// listed with the reason in their title; they are never counted as passed.
// TEST_ONLY=vitest|e2e|static narrows the run (for development).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = path.join(root, '.tmp');
mkdirSync(tmp, { recursive: true });
const only = process.env.TEST_ONLY ?? '';
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

const totals = { passed: 0, failed: 0, skipped: 0 };
const skippedTitles = [];
const failedTitles = [];

function step(name, cmd, args, env = {}) {
  const started = Date.now();
  process.stdout.write(`\n=== ${name}: ${cmd} ${args.join(' ')}\n`);
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`=== ${name}: exit ${res.status ?? res.signal} in ${seconds} s\n`);
  return res.status === 0;
}

function check(name, cmd, args) {
  if (step(name, cmd, args)) totals.passed += 1;
  else {
    totals.failed += 1;
    failedTitles.push(name);
  }
}

if (!only || only === 'static') {
  check('typecheck', 'npm', ['run', '--silent', 'typecheck']);
  check('lint', 'npm', ['run', '--silent', 'lint']);
}

if (!only || only === 'vitest') {
  const out = path.join(tmp, 'vitest.json');
  rmSync(out, { force: true });
  const ok = step('vitest', bin('vitest'), [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
  ]);
  if (existsSync(out)) {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    for (const file of report.testResults ?? []) {
      const rel = path.relative(root, file.name);
      if ((file.assertionResults ?? []).length === 0 && file.status === 'failed') {
        totals.failed += 1;
        failedTitles.push(`${rel}: ${String(file.message ?? 'failed to load').split('\n')[0]}`);
      }
      for (const t of file.assertionResults ?? []) {
        if (t.status === 'passed') totals.passed += 1;
        else if (t.status === 'failed') {
          totals.failed += 1;
          failedTitles.push(`${rel} › ${t.fullName}`);
        } else {
          totals.skipped += 1;
          skippedTitles.push(`${rel} › ${t.fullName}`);
        }
      }
    }
  } else {
    totals.failed += 1;
    failedTitles.push('vitest produced no report');
  }
  if (!ok && totals.failed === 0) {
    totals.failed += 1;
    failedTitles.push('vitest exited non-zero');
  }
}

if (!only || only === 'e2e') {
  const built = step('build renderer', 'npm', ['run', '--silent', 'build:renderer']);
  if (!built) {
    totals.failed += 1;
    failedTitles.push('renderer build');
  } else {
    const out = path.join(tmp, 'playwright.json');
    rmSync(out, { force: true });
    const ok = step('playwright', bin('playwright'), ['test', '--reporter=list,json'], {
      PLAYWRIGHT_JSON_OUTPUT_NAME: out,
    });
    if (existsSync(out)) {
      const report = JSON.parse(readFileSync(out, 'utf8'));
      const walk = (suite, trail) => {
        for (const spec of suite.specs ?? []) {
          for (const t of spec.tests ?? []) {
            const title = [...trail, spec.title].filter(Boolean).join(' › ');
            const status = t.status; // expected | unexpected | flaky | skipped
            if (status === 'expected' || status === 'flaky') totals.passed += 1;
            else if (status === 'skipped') {
              totals.skipped += 1;
              skippedTitles.push(title);
            } else {
              totals.failed += 1;
              failedTitles.push(title);
            }
          }
        }
        for (const child of suite.suites ?? []) walk(child, [...trail, child.title]);
      };
      for (const suite of report.suites ?? []) walk(suite, [suite.title]);
      for (const err of report.errors ?? []) {
        totals.failed += 1;
        failedTitles.push(`playwright: ${String(err.message ?? err).split('\n')[0]}`);
      }
    } else {
      totals.failed += 1;
      failedTitles.push('playwright produced no report');
    }
    if (!ok && totals.failed === 0) {
      totals.failed += 1;
      failedTitles.push('playwright exited non-zero');
    }
  }
}

process.stdout.write('\n');
if (skippedTitles.length) {
  process.stdout.write(
    `Skipped (${skippedTitles.length}):\n${skippedTitles.map((t) => `  - ${t}`).join('\n')}\n`,
  );
}
if (failedTitles.length) {
  process.stdout.write(
    `Failed (${failedTitles.length}):\n${failedTitles.map((t) => `  - ${t}`).join('\n')}\n`,
  );
}
process.stdout.write(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exitCode = totals.failed === 0 ? 0 : 1;
