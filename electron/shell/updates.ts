// The platform's electron-updater for the workstation's UpdateService (electron/workstation/updates.ts):
// NSIS on Windows, the deb or AppImage updater on Linux, as electron-updater picks them. Its downloads
// go through its own Electron session, whose proxy follows Cài đặt like the service client's. Thin on
// purpose: what is checked, verified and refused is in the Node-tested service.
// Type-checked and bundled here; the Electron binary is absent on the build machines.

import { app } from 'electron';
import { autoUpdater } from 'electron-updater';
import type { Logger } from '../workstation/log.js';
import type { SettingsStore } from '../workstation/settings.js';
import { electronProxyConfig } from '../workstation/sync/network.js';
import type { AppUpdaterLike } from '../workstation/updates.js';

export function createShellUpdater(settings: SettingsStore, log: Logger): AppUpdaterLike | null {
  // A development run (electron .) has no installer to replace.
  if (!app.isPackaged) return null;
  const updater = autoUpdater;
  updater.logger = {
    info: (m: unknown) => log.info({ updater: String(m) }),
    warn: (m: unknown) => log.warn({ updater: String(m) }),
    error: (m: unknown) => log.error({ updater: String(m) }),
    debug: (m: string) => log.debug({ updater: m }),
  };
  const applyProxy = (): void =>
    void updater.netSession
      .setProxy(electronProxyConfig(settings.get().proxy))
      .catch((err: unknown) => log.error({ err }, 'update session proxy not set'));
  applyProxy();
  settings.onChange(applyProxy);
  return updater;
}
