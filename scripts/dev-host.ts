// The workstation in a browser: the workstation services (composition root) behind the local HTTP host,
// pointed at SERVICE_URL or, when unset, at a central service started here in-process with demo data.
// Used by `npm start` (where Electron is absent) and by the end-to-end tests (Playwright's webServer).
//
//   DATA_DIR     where the service (PGlite) and the workstation keep their data; default ./.data.
//                In test mode without DATA_DIR: a temp folder and an in-memory PGlite.
//   SERVICE_URL  use this central service instead of starting one.
//   PORT         the in-process service's port (default 8480, or a free one when 8480 is taken; 0 in
//                test mode). A PORT given and taken stops the start with a message naming it.
//   RENDERER_OUT the built renderer to serve (default dist/renderer; the same variable moves Vite's output).
//   WS_PORT, WS_SECRET  fix the UI's port and per-run secret (tests).
//   WS_TEST_CONTROLS=1 (implied by a fixed WS_SECRET): the workstation reaches the service through a
//                loopback TCP proxy that `POST /api/test/network {"up": false}` cuts, so tests can drop
//                the network; `GET /api/test/info` gives the service's own URL. Behind the secret too.
//                The in-process service then draws the captcha text WS_TEST_CAPTCHA (default TEST2).
//                Intake in test mode: scanners from resources/sane (the SANE `test` device) and a
//                simulated HID bus instead of node-hid: `POST /api/test/hid {"action": "plug" | "unplug"}`
//                and `{"action": "scan", "text": "…"}` feed HID-POS reports at the node-hid boundary.
//   ESCL_URLS    comma-separated eSCL scanner URLs for intake (outside test mode too).
//   WS_NAME      the desk's name on the reconciliation sheet (Tên máy trạm) until Cài đặt sets one;
//                default "Máy <host name>".
//   WS_LOG_DIR   where the workstation's log goes (default DATA_DIR/workstation/logs); the e2e run
//                keeps it under .tmp/e2e/logs and greps it for the fixture people afterwards.
//   WS_SYSTEM_SETTINGS  an administrator's system-wide settings file (default: none in this host).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createApiBridge } from '../electron/workstation/apiBridge.js';
import { startLoopbackProxy, type LoopbackProxy } from '../electron/workstation/dev/loopbackProxy.js';
import { startHttpHost } from '../electron/workstation/httpHost.js';
import { createFakeHidBus } from '../electron/workstation/dev/fakeHid.js';
import { createFileLog } from '../electron/workstation/log.js';
import { SettingsStore } from '../electron/workstation/settings.js';
import { keyFileProvider } from '../electron/workstation/store/keys.js';
import { createWorkstation } from '../electron/workstation/workstation.js';

type RunningService = { url: string; port: number; close(): Promise<void> };
type StartService = (o: {
  dataDir?: string;
  port?: number;
  seedDemo?: boolean;
  logger?: boolean;
  auth?: { captchaText?: () => string };
}) => Promise<RunningService>;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const testMode = process.env.WS_TEST_CONTROLS === '1' || process.env.WS_SECRET !== undefined;
const tempDir = testMode && !process.env.DATA_DIR ? mkdtempSync(path.join(os.tmpdir(), 'ws-dev-')) : null;
const dataDir = path.resolve(process.env.DATA_DIR ?? tempDir ?? path.join(root, '.data'));

/** Whether nothing listens on 127.0.0.1:port now (checked before the service opens its database). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: '127.0.0.1', port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** The service's port: PORT as given (refused with a Vietnamese message when taken), else 8480 or a free one. */
async function servicePort(): Promise<number> {
  if (testMode && process.env.PORT === undefined) return 0;
  const given = process.env.PORT;
  const port = Number(given ?? 8480);
  if (given !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    console.error(`PORT=${given} không phải số cổng (0–65535). Ví dụ: PORT=8481 npm start`);
    process.exit(2);
  }
  if (port === 0 || (await portFree(port))) return port;
  if (given !== undefined) {
    console.error(
      `Cổng ${port} đang được một chương trình khác dùng. Chọn cổng khác, ví dụ: PORT=${port + 1} npm start ` +
        '(hoặc bỏ PORT để tự chọn cổng trống).',
    );
    process.exit(2);
  }
  console.log(`Cổng ${port} đang bận: dịch vụ trung tâm dùng một cổng trống khác (địa chỉ in dưới đây).`);
  return 0;
}

let service: RunningService | null = null;
let serviceUrl = process.env.SERVICE_URL ?? '';
if (!serviceUrl) {
  // Imported at run time: the service module is the server engineer's and may be mid-way.
  const mod = (await import(pathToFileURL(path.join(root, 'server', 'service.ts')).href)) as {
    startService: StartService;
  };
  service = await mod.startService({
    dataDir: tempDir ? undefined : path.join(dataDir, 'server', 'pg'),
    port: await servicePort(),
    seedDemo: true,
    logger: false,
    // Test mode only: a known captcha text, so browser tests can answer Mã kiểm tra.
    ...(testMode ? { auth: { captchaText: () => process.env.WS_TEST_CAPTCHA ?? 'TEST2' } } : {}),
  });
  serviceUrl = service.url;
  console.log(`Dịch vụ trung tâm: ${serviceUrl} (dữ liệu mẫu)`);
}

let proxy: LoopbackProxy | null = null;
if (testMode) {
  const u = new URL(serviceUrl);
  proxy = await startLoopbackProxy({ host: u.hostname, port: Number(u.port) });
}

const wsDir = path.join(dataDir, 'workstation');
const hidBus = testMode ? createFakeHidBus() : null;
const logDir = path.resolve(process.env.WS_LOG_DIR ?? path.join(wsDir, 'logs'));
// A test run's log holds that run only (tests/e2e/log.spec.ts reads all of it).
if (testMode && process.env.WS_LOG_DIR) rmSync(logDir, { recursive: true, force: true });
const fileLog = await createFileLog(logDir);
fileLog.log.info({ transport: 'http', testMode }, 'workstation host starting');
const esclUrls = (process.env.ESCL_URLS ?? '').split(',').filter(Boolean);
const settings = new SettingsStore({
  userFile: path.join(wsDir, 'settings.json'),
  systemFile: process.env.WS_SYSTEM_SETTINGS ?? null,
  // This host's own service (or the test proxy in front of it) unless Cài đặt says otherwise; in test
  // mode the network is the loopback proxy that tests cut, so no operating-system proxy applies.
  defaults: {
    serviceUrl: proxy?.url ?? serviceUrl,
    esclUrls,
    ...(testMode ? { proxy: { mode: 'none' } } : {}),
    // WS_NAME: Tên máy trạm until Cài đặt saves one (shown there and printed on the reconciliation).
    ...(process.env.WS_NAME ? { workstationName: process.env.WS_NAME } : {}),
  },
  onProblem: (m) => fileLog.log.warn(m),
});
const ws = createWorkstation({
  dataDir: wsDir,
  serviceUrl: proxy?.url ?? serviceUrl,
  settings,
  log: fileLog.log,
  support: { logFiles: fileLog.files },
  keyProvider: keyFileProvider(path.join(wsDir, 'store.key')),
  transport: 'http',
  sync: {
    pullIntervalMs: Number(process.env.WS_PULL_MS ?? (testMode ? 2_000 : 30_000)),
    baseBackoffMs: testMode ? 300 : 1_000,
    maxBackoffMs: testMode ? 2_000 : 60_000,
  },
  recordWaitMs: 5_000,
  requestTimeoutMs: testMode ? 5_000 : 15_000,
  ...(process.env.WS_NAME ? { workstationName: () => process.env.WS_NAME ?? '' } : {}),
  intake: {
    workDir: path.join(wsDir, 'scans'),
    esclUrls: settings.get().esclUrls,
    ...(hidBus
      ? {
          saneConfigDir: path.join(root, 'resources', 'sane'),
          hid: hidBus.backend,
          hidPollMs: 200,
          ocrWorkers: 1,
        }
      : {}),
  },
});
const bridge = createApiBridge(ws);

const host = await startHttpHost({
  staticDir: path.resolve(root, process.env.RENDERER_OUT ?? path.join('dist', 'renderer')),
  port: process.env.WS_PORT ? Number(process.env.WS_PORT) : 0,
  secret: process.env.WS_SECRET,
  api: async (req, res, pathname) => {
    if (proxy && pathname.startsWith('/api/test/')) {
      const reply = (body: unknown): boolean => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
        return true;
      };
      if (pathname === '/api/test/info') return reply({ serviceUrl, proxyUrl: proxy.url, up: proxy.isUp() });
      if (pathname === '/api/test/network' && req.method === 'POST') {
        let text = '';
        for await (const c of req) text += String(c);
        const up = (JSON.parse(text || '{}') as { up?: boolean }).up !== false;
        if (up) proxy.restore();
        else proxy.cut();
        if (up) ws.engine.kick();
        return reply({ up: proxy.isUp() });
      }
      if (pathname === '/api/test/hid' && req.method === 'POST' && hidBus) {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
          action?: string;
          text?: string;
        };
        if (body.action === 'plug') hidBus.plug();
        else if (body.action === 'unplug') hidBus.unplug();
        else if (body.action === 'scan') return reply({ delivered: hidBus.scan(String(body.text ?? '')) });
        return reply({ open: hidBus.isOpen() });
      }
    }
    return bridge(req, res, pathname);
  },
});
console.log(`Giao diện máy trạm: ${host.url}`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  bridge.closeStreams();
  await host.close().catch(() => undefined);
  await ws.close().catch(() => undefined);
  await fileLog.close().catch(() => undefined);
  await proxy?.close().catch(() => undefined);
  await service?.close().catch(() => undefined);
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop());
