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
/** The workstation's log of the whole run: tests/e2e/log.spec.ts greps it for the fixture people. */
export const E2E_LOG_DIR = fileURLToPath(new URL('.tmp/e2e/logs', import.meta.url));
export const CAMERA_ENDING_FILE = fileURLToPath(new URL('.tmp/e2e/camera-ending.y4m', import.meta.url));
/** The mobile desk's camera: the card of Hoàng Văn Nam, the demo data's worker without a dossier. */
export const DESK_CAMERA_FILE = fileURLToPath(new URL('.tmp/e2e/camera-desk.y4m', import.meta.url));

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
    env: { WS_PORT: String(E2E_PORT), WS_SECRET: E2E_SECRET, WS_TEST_CONTROLS: '1', WS_LOG_DIR: E2E_LOG_DIR },
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
    {
      // The mobile desk: its camera shows Hoàng Văn Nam's card; a second workstation and a host it
      // kills and restarts are its own processes on the next ports.
      name: 'desk',
      testMatch: /desk\.spec\.ts$/u,
      dependencies: ['camera-faults'],
      use: {
        launchOptions: {
          executablePath: chromium,
          args: [
            ...CHROMIUM_ARGS,
            '--use-fake-device-for-media-stream',
            '--use-fake-ui-for-media-stream',
            `--use-file-for-fake-video-capture=${DESK_CAMERA_FILE}`,
          ],
        },
      },
    },
    { name: 'settings', testMatch: /settings\.spec\.ts$/u, dependencies: ['desk'] },
    // Last: greps the whole run's workstation log.
    { name: 'log', testMatch: /log\.spec\.ts$/u, dependencies: ['settings'] },
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
