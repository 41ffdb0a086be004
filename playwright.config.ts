// End-to-end tests in Debian's Chromium (never a downloaded browser) against the workstation served by
// its local HTTP host. Screenshots and traces of failures are kept under artifacts/.
// Chromium's fake camera plays a generated ID card (tests/e2e/camera.setup.ts writes it first); the
// camera-faults project runs a browser that asks before using the camera and has two cameras.
import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const chromium =
  process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((p) => existsSync(p));

/** The e2e host's fixed port and secret: tests open `${E2E_URL}`. */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 5391);
export const E2E_SECRET = process.env.E2E_SECRET ?? 'e2e-secret-not-for-production';

/** The fake camera's video (YUV4MPEG2) of a synthetic ID card, and one that stops after a frame. */
export const CAMERA_FILE = fileURLToPath(new URL('.tmp/e2e/camera-card.y4m', import.meta.url));
export const CAMERA_ENDING_FILE = fileURLToPath(new URL('.tmp/e2e/camera-ending.y4m', import.meta.url));

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-features=Translate',
];

export default defineConfig({
  webServer: {
    command: 'npx tsx scripts/dev-host.ts',
    url: `http://127.0.0.1:${E2E_PORT}/?k=${E2E_SECRET}`,
    env: { WS_PORT: String(E2E_PORT), WS_SECRET: E2E_SECRET, WS_TEST_CONTROLS: '1' },
    reuseExistingServer: false,
    timeout: 60_000,
  },
  globalSetup: './tests/e2e/camera.setup.ts',
  testDir: 'tests/e2e',
  // One workstation host (and one service) serves every spec, so they run in a fixed order: the
  // officer's day on the pristine demo data first, then intake and printing, which add dossiers.
  projects: [
    { name: 'workstation', testMatch: /workstation\.spec\.ts$/u },
    { name: 'intake', testMatch: /intake\.spec\.ts$/u, dependencies: ['workstation'] },
    { name: 'print', testMatch: /print\.spec\.ts$/u, dependencies: ['intake'] },
    { name: 'camera', testMatch: /camera\.spec\.ts$/u, dependencies: ['print'] },
    {
      name: 'camera-faults',
      testMatch: /camera-faults\.spec\.ts$/u,
      dependencies: ['camera'],
      // Asks before using the camera (no fake UI: refused unless the context grants it), two cameras.
      use: {
        launchOptions: {
          executablePath: chromium,
          args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream=device-count=2'],
        },
      },
    },
  ],
  outputDir: 'artifacts/e2e-results',
  timeout: 60_000,
  // A busy CI machine can take longer than Playwright's 5 s default to render a step; a passing
  // assertion returns as soon as it holds, so this only lengthens a failure.
  expect: { timeout: 15_000 },
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
        ...CHROMIUM_ARGS,
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        `--use-file-for-fake-video-capture=${CAMERA_FILE}`,
      ],
    },
  },
});
