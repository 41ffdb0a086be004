// Electron main process, kept thin: one instance per user, the crash reporter (no uploads), the log and
// the settings first, then the OS keychain for the store key (safeStorage, `basic_text` refused), the
// app:// protocol, the service client on Chromium's network stack, the workstation services from the
// composition root (electron/workstation/workstation.ts) behind one IPC channel, and updates. Every
// start-up failure is logged and shown in a Vietnamese dialog that says what to do, and the app quits;
// a renderer or helper process that dies is logged and the window reloaded. The rules themselves live in
// Node-tested modules (shell/startup.ts, shell/appProtocol.ts, workstation/*); docs/deploy.md lists how
// each Electron-only line here was reviewed, since the Electron binary cannot run on the build machines.

import { app, BrowserWindow, crashReporter, dialog, ipcMain, safeStorage } from 'electron';
import path from 'node:path';
import { createElectronNetwork } from './shell/network.js';
import { createShellPrint } from './shell/print.js';
import { usePackagedResources } from './shell/resources.js';
import { saveWithDialog } from './shell/saveFile.js';
import { keychainProblem, StartupError, startupProblem } from './shell/startup.js';
import { createShellUpdater } from './shell/updates.js';
import { createFileLog, type WorkstationLog } from './workstation/log.js';
import { defaultSystemSettingsFile, SettingsStore } from './workstation/settings.js';
import { sealedKeyProvider } from './workstation/store/keys.js';
import { createWorkstation, type Workstation } from './workstation/workstation.js';
import {
  APP_ORIGIN,
  applySecurity,
  isAppSender,
  registerAppScheme,
  serveRenderer,
} from './shell/security.js';

// Bundled to CommonJS by scripts/build-electron.mjs: __dirname is dist/electron.
const distDir = path.resolve(__dirname, '..');
let ws: Workstation | null = null;
let mainWindow: BrowserWindow | null = null;
let fileLog: WorkstationLog | null = null;

registerAppScheme();
if (app.isPackaged) usePackagedResources(process.resourcesPath);
// Crash dumps stay on this machine (userData/Crashpad) for IT; nothing is uploaded anywhere.
crashReporter.start({ uploadToServer: false, compress: true });

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1280,
    minHeight: 720,
    title: 'Tiếp nhận và quản lý hồ sơ ĐK GDĐT',
    show: false,
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.removeMenu();
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

/** Logged, shown in a dialog of its own, and the app quits: never a window-less process. */
function failStart(err: unknown): void {
  const problem = startupProblem(err);
  fileLog?.log.fatal({ err, title: problem.title }, 'start-up failed');
  dialog.showErrorBox(problem.title, problem.message);
  app.exit(1);
}

async function start(): Promise<void> {
  const userData = app.getPath('userData');
  const dataDir = process.env.DATA_DIR ?? path.join(userData, 'workstation');
  fileLog = await createFileLog(path.join(userData, 'logs'));
  const log = fileLog.log;
  log.info(
    { version: app.getVersion(), electron: process.versions.electron, platform: process.platform },
    'starting',
  );

  const settings = new SettingsStore({
    userFile: path.join(dataDir, 'settings.json'),
    systemFile: defaultSystemSettingsFile(),
    defaults: {
      ...(process.env.SERVICE_URL ? { serviceUrl: process.env.SERVICE_URL } : {}),
      esclUrls: (process.env.ESCL_URLS ?? '').split(',').filter(Boolean),
    },
    onProblem: (m) => log.warn(m),
  });

  const keychain = keychainProblem({
    platform: process.platform,
    available: safeStorage.isEncryptionAvailable(),
    backend: process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null,
    allowBasicText: settings.get().allowBasicTextKeychain,
  });
  if (keychain) throw new StartupError(keychain);

  applySecurity();
  serveRenderer(path.join(distDir, 'renderer'));
  const updater = createShellUpdater(settings, log);
  ws = createWorkstation({
    dataDir,
    serviceUrl: settings.get().serviceUrl,
    settings,
    log,
    network: createElectronNetwork(),
    keyProvider: sealedKeyProvider(path.join(dataDir, 'store.key.sealed'), {
      seal: (plain) => safeStorage.encryptString(plain.toString('base64')),
      unseal: (sealed) => Buffer.from(safeStorage.decryptString(sealed), 'base64'),
    }),
    transport: 'electron',
    version: app.getVersion(),
    // Printing: the system print dialog (on Cài đặt's default printer) and the save dialog.
    print: createShellPrint(
      () => mainWindow,
      () => settings.get().defaultPrinter,
    ),
    // Intake: default scanner drivers (SANE or WIA), eSCL scanners from Cài đặt, HID-POS readers.
    intake: { workDir: path.join(dataDir, 'scans'), esclUrls: settings.get().esclUrls },
    support: {
      logFiles: fileLog.files,
      saveFile: (bytes, name) =>
        saveWithDialog(mainWindow, bytes, name, {
          title: 'Xuất nhật ký hỗ trợ',
          filter: 'Tệp nén (zip)',
          ext: 'zip',
        }),
    },
    updater,
  });

  const win = createWindow();
  mainWindow = win;
  const live = ws;
  live.on((event) => {
    if (!win.isDestroyed()) win.webContents.send('ws:event', event);
  });
  ipcMain.handle('ws:call', async (event, method: unknown, input: unknown) => {
    if (!isAppSender(event.senderFrame?.url) || typeof method !== 'string') {
      log.warn({ frame: event.senderFrame?.origin ?? null }, 'ipc call refused');
      return { ok: false, error: { code: 'forbidden', message: 'Không được phép.' } };
    }
    return live.dispatch(method, input);
  });
  // A renderer that crashed or was killed: logged, the window reloaded (the store lost nothing).
  win.webContents.on('render-process-gone', (_e, details) => {
    log.error({ reason: details.reason, exitCode: details.exitCode }, 'renderer gone');
    if (details.reason !== 'clean-exit' && !win.isDestroyed()) win.webContents.reload();
  });
  app.on('child-process-gone', (_e, details) => {
    log.error(
      { type: details.type, reason: details.reason, exitCode: details.exitCode, name: details.name },
      'child process gone',
    );
    if (details.type === 'GPU' && details.reason !== 'clean-exit' && !win.isDestroyed())
      win.webContents.reload();
  });
  win.webContents.once('did-finish-load', () => log.info('window loaded'));
  win.webContents.on('did-fail-load', (_e, code, description) =>
    log.error({ code, description }, 'window did not load'),
  );
}

if (!app.requestSingleInstanceLock()) {
  // Another window of the app is open for this user: it is brought forward (below), this one ends.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  });
  app.whenReady().then(start).catch(failStart);
}

process.on('uncaughtException', (err) => fileLog?.log.fatal({ err }, 'uncaught exception'));
process.on('unhandledRejection', (err) => fileLog?.log.error({ err }, 'unhandled rejection'));

app.on('window-all-closed', () => app.quit());
app.on('will-quit', () => {
  void ws
    ?.close()
    .catch((err: unknown) => fileLog?.log.error({ err }, 'close failed'))
    .finally(() => void fileLog?.close());
});
