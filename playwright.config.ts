// End-to-end tests in Debian's Chromium (never a downloaded browser) against the workstation served by
// its local HTTP host. Screenshots and traces of failures are kept under artifacts/.
import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';

const chromium =
  process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((p) => existsSync(p));

/** The e2e host's fixed port and secret: tests open `${E2E_URL}`. */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 5391);
export const E2E_SECRET = process.env.E2E_SECRET ?? 'e2e-secret-not-for-production';

export default defineConfig({
  webServer: {
    command: 'npx tsx scripts/dev-host.ts',
    url: `http://127.0.0.1:${E2E_PORT}/?k=${E2E_SECRET}`,
    env: { WS_PORT: String(E2E_PORT), WS_SECRET: E2E_SECRET, WS_TEST_CONTROLS: '1' },
    reuseExistingServer: false,
    timeout: 60_000,
  },
  testDir: 'tests/e2e',
  // One workstation host (and one service) serves every spec, so they run in a fixed order: the
  // officer's day on the pristine demo data first, then intake and printing, which add dossiers.
  projects: [
    { name: 'workstation', testMatch: /workstation\.spec\.ts$/u },
    { name: 'intake', testMatch: /intake\.spec\.ts$/u, dependencies: ['workstation'] },
    { name: 'print', testMatch: /print\.spec\.ts$/u, dependencies: ['intake'] },
  ],
  outputDir: 'artifacts/e2e-results',
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  use: {
    browserName: 'chromium',
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-features=Translate',
      ],
    },
  },
});
