// The small Electron suite: needs the Electron binary, which cannot be downloaded on these machines.
// Where it is absent the test is reported as skipped, with the reason in its title, never as passed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../fixtures/demo.js';
import { titleWithSkipReason } from '../../harness/skip.js';

function electronBinary(): string | null {
  const dir = path.join(REPO_ROOT, 'node_modules', 'electron');
  const pathTxt = path.join(dir, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const bin = path.join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

const bin = electronBinary();

describe('Electron shell', () => {
  it.skipIf(bin === null)(
    titleWithSkipReason(
      'the Electron binary starts and reports its version',
      bin !== null,
      'Electron binary absent (ELECTRON_SKIP_BINARY_DOWNLOAD)',
    ),
    () => {
      const res = spawnSync(bin as string, ['--version'], {
        encoding: 'utf8',
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      });
      expect(res.stdout.trim()).toMatch(/^v\d+\./u);
    },
  );
});
