// Updates (Cập nhật): electron-updater's generic provider on the folder Cài đặt names (`updateUrl`: the
// central service or any static web server holding latest.yml / latest-linux.yml and the installers
// electron-builder wrote). Nothing is fetched or installed on its own: the officer (or the screen on
// their behalf) checks, downloads — electron-updater verifies the file's sha512 from the feed, and on
// Windows the installer's Authenticode publisher, before it is ever run — and chooses when to restart,
// which is refused while the outbox is being sent. No Electron import: the shell hands in the platform's
// updater (electron/shell/updates.ts); tests hand in the same electron-updater classes with a Node
// HTTP executor (tests/integration/workstation/updates.test.ts).

import type { UpdateStatus } from '../../contract/workstationSettings.js';
import { fail } from './errors.js';
import type { Logger } from './log.js';
import type { SettingsStore } from './settings.js';

/** The part of electron-updater's AppUpdater this service uses. */
export type AppUpdaterLike = {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  checkForUpdates(): Promise<{
    isUpdateAvailable: boolean;
    updateInfo: { version: string; releaseDate: string };
  } | null>;
  downloadUpdate(): Promise<string[]>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'download-progress', listener: (p: { percent: number }) => void): unknown;
};

export type UpdaterOptions = {
  /** The platform's updater; absent outside the installed app. */
  updater: AppUpdaterLike | null;
  currentVersion: string;
  settings: SettingsStore;
  log: Logger;
  /** true while the sync engine is sending the outbox (a restart then is refused) */
  draining: () => boolean;
  onStatus: (s: UpdateStatus) => void;
};

/** A Vietnamese sentence for electron-updater's failures (its codes, never its English). */
export function updateErrorMessage(err: unknown): string {
  const code = (err as { code?: string } | null)?.code;
  switch (code) {
    case 'ERR_CHECKSUM_MISMATCH':
      return 'Bản cập nhật tải về không khớp mã kiểm tra (sha512) của máy chủ cập nhật: đã bỏ, không cài. Báo bộ phận kỹ thuật.';
    case 'ERR_UPDATER_INVALID_SIGNATURE':
      return 'Bản cập nhật không có chữ ký số của cơ quan: đã bỏ, không cài. Báo bộ phận kỹ thuật.';
    case 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND':
    case 'ERR_UPDATER_LATEST_VERSION_NOT_FOUND':
      return 'Máy chủ cập nhật chưa có bản cập nhật cho máy này (thiếu tệp latest.yml).';
    case 'ERR_UPDATER_INVALID_UPDATE_INFO':
      return 'Tệp mô tả bản cập nhật trên máy chủ không hợp lệ.';
    case 'ERR_UPDATER_INVALID_VERSION':
      return 'Số phiên bản của ứng dụng không hợp lệ.';
    default:
      return 'Không kiểm tra hoặc tải được bản cập nhật: kiểm tra Địa chỉ cập nhật trong Cài đặt và kết nối mạng.';
  }
}

/** First look a minute after start (the officer's first dossiers come first), then every 6 hours. */
const FIRST_CHECK_MS = 60_000;
const CHECK_EVERY_MS = 6 * 3_600_000;

export class UpdateService {
  private status: UpdateStatus;
  private feed = '';
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: UpdaterOptions) {
    this.status = {
      state: 'idle',
      current: o.currentVersion,
      version: null,
      releaseDate: null,
      percent: null,
      message: null,
    };
    if (o.updater) {
      // The officer decides: no download on discovery, no install behind their back on quit.
      o.updater.autoDownload = false;
      o.updater.autoInstallOnAppQuit = false;
      o.updater.on('download-progress', (p) => this.set({ percent: Math.round(p.percent) }));
    }
    this.refresh();
  }

  private set(change: Partial<UpdateStatus>): UpdateStatus {
    this.status = { ...this.status, ...change };
    this.o.onStatus(this.status);
    return this.status;
  }

  /** Follows Cài đặt: a new update URL starts over. */
  private refresh(): void {
    const url = this.o.settings.get().updateUrl;
    if (!this.o.updater) {
      this.status = {
        ...this.status,
        state: 'unavailable',
        message: 'Cập nhật chỉ có trong ứng dụng đã cài đặt.',
      };
      return;
    }
    if (!url) {
      this.status = {
        ...this.status,
        state: 'unavailable',
        message: 'Chưa đặt Địa chỉ cập nhật trong Cài đặt.',
      };
      return;
    }
    if (url !== this.feed) {
      this.feed = url;
      this.o.updater.setFeedURL({ provider: 'generic', url });
      this.status = { ...this.status, state: 'idle', version: null, percent: null, message: null };
    }
  }

  get(): UpdateStatus {
    this.refresh();
    return this.status;
  }

  private updater(): AppUpdaterLike {
    this.refresh();
    if (this.status.state === 'unavailable' || !this.o.updater)
      fail('update_failed', this.status.message ?? '');
    return this.o.updater;
  }

  async check(): Promise<UpdateStatus> {
    const updater = this.updater();
    this.set({ state: 'checking', message: null });
    try {
      const found = await updater.checkForUpdates();
      const info = found?.updateInfo;
      if (!found || !found.isUpdateAvailable || !info)
        return this.set({ state: 'none', version: info?.version ?? null });
      this.o.log.info({ version: info.version }, 'update available');
      return this.set({ state: 'available', version: info.version, releaseDate: info.releaseDate });
    } catch (err) {
      this.o.log.warn({ err, feed: this.feed }, 'update check failed');
      return this.set({ state: 'error', message: updateErrorMessage(err) });
    }
  }

  async download(): Promise<UpdateStatus> {
    const updater = this.updater();
    if (this.status.state !== 'available')
      fail('update_failed', 'Chưa có bản cập nhật nào để tải: bấm Kiểm tra cập nhật.');
    this.set({ state: 'downloading', percent: 0 });
    try {
      await updater.downloadUpdate();
      this.o.log.info({ version: this.status.version }, 'update downloaded and verified');
      return this.set({ state: 'ready', percent: 100, message: null });
    } catch (err) {
      this.o.log.error({ err, version: this.status.version }, 'update refused or not downloaded');
      return this.set({ state: 'error', percent: null, message: updateErrorMessage(err) });
    }
  }

  /**
   * In the background: look for an update now and then and, when there is one, fetch and verify it;
   * the officer is told (an 'update.status' event) and restarts when they choose.
   */
  startBackground(): void {
    if (!this.o.updater || this.timer) return;
    const tick = (): void => {
      this.timer = setTimeout(() => void run(), CHECK_EVERY_MS);
      this.timer.unref();
    };
    const run = async (): Promise<void> => {
      try {
        if (this.get().state === 'unavailable' || this.status.state === 'ready') return;
        if ((await this.check()).state === 'available') await this.download();
      } catch (err) {
        this.o.log.warn({ err }, 'background update check failed');
      } finally {
        if (this.timer) tick();
      }
    };
    this.timer = setTimeout(() => void run(), FIRST_CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Restart into the verified update, unless decisions are being sent right now. */
  install(): UpdateStatus {
    const updater = this.updater();
    if (this.status.state !== 'ready')
      fail('update_failed', 'Bản cập nhật chưa tải xong hoặc chưa được kiểm tra.');
    if (this.o.draining())
      fail(
        'sync_in_progress',
        'Đang gửi hồ sơ đã ghi nhận lên máy chủ: đợi gửi xong rồi khởi động lại để cập nhật.',
      );
    this.o.log.info({ version: this.status.version }, 'restarting into update');
    updater.quitAndInstall(false, true);
    return this.status;
  }
}
