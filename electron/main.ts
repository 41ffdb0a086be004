// Electron main process, kept thin: security settings, the app:// protocol, the OS keychain for the
// store key (safeStorage), one IPC channel to the workstation services' dispatcher, events back.
// The services themselves come from the composition root (electron/workstation/workstation.ts).

import { app, BrowserWindow, dialog, ipcMain, safeStorage } from 'electron';
import path from 'node:path';
import { createShellPrint } from './shell/print.js';
import { sealedKeyProvider } from './workstation/store/keys.js';
import { createWorkstation, NewerStoreError, type Workstation } from './workstation/workstation.js';
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

registerAppScheme();
if (!app.requestSingleInstanceLock()) app.quit();

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
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

/** The workstation services on this machine's data folder, with the shell's printing and intake. */
function openWorkstation(dataDir: string): Workstation {
  return createWorkstation({
    dataDir,
    serviceUrl: process.env.SERVICE_URL ?? 'http://127.0.0.1:8480',
    keyProvider: sealedKeyProvider(path.join(dataDir, 'store.key.sealed'), {
      seal: (plain) => safeStorage.encryptString(plain.toString('base64')),
      unseal: (sealed) => Buffer.from(safeStorage.decryptString(sealed), 'base64'),
    }),
    transport: 'electron',
    version: app.getVersion(),
    // Printing: the system print dialog and the save dialog for the workstation's print jobs.
    print: createShellPrint(() => mainWindow),
    // Intake: default scanner drivers (SANE or WIA), eSCL scanners by URL, HID-POS readers via node-hid.
    intake: {
      workDir: path.join(dataDir, 'scans'),
      esclUrls: (process.env.ESCL_URLS ?? '').split(',').filter(Boolean),
    },
  });
}

void app.whenReady().then(() => {
  applySecurity();
  serveRenderer(path.join(distDir, 'renderer'));
  if (!safeStorage.isEncryptionAvailable()) {
    // Without a keychain the store key cannot be sealed; refuse rather than store it in the clear.
    throw new Error('OS keychain unavailable: cannot protect the local store key.');
  }
  const dataDir = process.env.DATA_DIR ?? path.join(app.getPath('userData'), 'workstation');
  try {
    ws = openWorkstation(dataDir);
  } catch (err) {
    // A store this app must not open (a newer version's) or cannot (damaged, another key): say so
    // in a window of its own and stop, rather than run without a window.
    dialog.showErrorBox(
      'Không mở được kho dữ liệu máy trạm',
      err instanceof NewerStoreError
        ? err.message
        : 'Kho dữ liệu máy trạm không mở được (tệp hỏng hoặc khoá không khớp). Liên hệ bộ phận kỹ thuật.',
    );
    app.quit();
    return;
  }
  const win = createWindow();
  mainWindow = win;
  ws.on((event) => {
    if (!win.isDestroyed()) win.webContents.send('ws:event', event);
  });
  ipcMain.handle('ws:call', async (event, method: unknown, input: unknown) => {
    if (!isAppSender(event.senderFrame?.url) || typeof method !== 'string') {
      return { ok: false, error: { code: 'forbidden', message: 'Không được phép.' } };
    }
    return ws!.dispatch(method, input);
  });
});

app.on('window-all-closed', () => app.quit());
app.on('will-quit', () => {
  void ws?.close();
});
