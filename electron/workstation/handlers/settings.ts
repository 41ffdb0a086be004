// The settings and support methods of the workstation API (contract/workstationSettings.ts): the Cài đặt
// screen reads and changes the per-machine settings, checks the connection with what is typed before
// saving it, and exports the support zip. Who may change settings: anyone on the sign-in screen (a new
// machine must reach its service before anyone can sign in) — but the service's address, the proxy and
// the update address only until someone has signed in on this machine (GUARDED_KEYS) — and supervisors
// or administrators once signed in; never an officer, and never a value the administrator fixed in the
// system-wide file.

import { connect } from 'node:net';
import type { Handlers } from '../../../contract/workstation.js';
import {
  GUARDED_KEYS,
  type SettingKey,
  type SettingsInputs,
  type ConnectionStep,
  type ProxySetting,
} from '../../../contract/workstationSettings.js';
import type { WorkstationContext } from '../context.js';
import { fail } from '../errors.js';
import { supportFileName, supportZip } from '../support.js';
import { NetworkError, ServiceError } from '../sync/httpSyncClient.js';
import type { UpdateService } from '../updates.js';

export type SettingsMethod = keyof typeof SettingsInputs;

export type SupportOptions = {
  /** The log files to put in the zip (oldest first); none when the workstation has no file log. */
  logFiles?: () => string[];
  /** Electron: a save dialog, then the file written; the path, or null when closed. */
  saveFile?: (bytes: Uint8Array, suggestedName: string) => Promise<string | null>;
};

/** Whether a TCP connection to the proxy opens (a quick first step of Kiểm tra kết nối). */
function reachProxy(proxy: ProxySetting, timeoutMs: number): Promise<ConnectionStep | null> {
  if (proxy.mode !== 'fixed') return Promise.resolve(null);
  const u = new URL(proxy.url);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname, port });
    const done = (ok: boolean, why = ''): void => {
      socket.destroy();
      resolve({
        step: 'proxy',
        ok,
        message: ok
          ? `Proxy ${u.host}: kết nối được.`
          : `Proxy ${u.host}: không kết nối được (${why}). Kiểm tra địa chỉ và cổng proxy.`,
      });
    };
    socket.setTimeout(timeoutMs, () => done(false, 'quá thời gian chờ'));
    socket.once('connect', () => done(true));
    socket.once('error', (err: NodeJS.ErrnoException) => done(false, err.code ?? 'lỗi mạng'));
  });
}

const GUARDED_MESSAGE =
  'Đã có người đăng nhập trên máy này: địa chỉ dịch vụ, proxy và địa chỉ cập nhật chỉ lãnh đạo đã đăng nhập (hoặc quản trị viên, trong tệp cài đặt toàn máy) được đổi.';

export function createSettingsHandlers(
  ctx: WorkstationContext,
  support: SupportOptions | undefined,
  updates: UpdateService,
): Pick<Handlers, SettingsMethod> {
  const { settings, session, client, log } = ctx;
  const canEdit = (): boolean => {
    const user = session.user();
    return user === null || user.role !== 'officer';
  };
  /** What the sign-in screen may no longer change on a machine someone has signed in on. */
  const guarded = (): SettingKey[] =>
    session.user() === null && ctx.store.hasSignedIn() ? [...GUARDED_KEYS] : [];
  const view = () => settings.view(canEdit(), guarded());
  const requireEdit = (): void => {
    if (!canEdit())
      fail(
        'forbidden',
        'Chỉ lãnh đạo hoặc quản trị viên được đổi cài đặt máy trạm (hoặc đổi khi chưa đăng nhập).',
      );
  };
  return {
    async 'settings.get'() {
      return view();
    },
    async 'settings.update'(input) {
      requireEdit();
      const current = settings.get();
      const patch = input.patch as Partial<Record<SettingKey, unknown>>;
      const refused = guarded().filter(
        (k) => k in patch && JSON.stringify(patch[k]) !== JSON.stringify(current[k]),
      );
      if (refused.length > 0) {
        log.warn({ keys: refused }, 'settings change refused on the sign-in screen');
        fail('forbidden', GUARDED_MESSAGE, {
          fields: Object.fromEntries(refused.map((k) => [k, GUARDED_MESSAGE])),
        });
      }
      settings.update(input.patch);
      log.info(
        { keys: Object.keys(input.patch), user: session.user()?.username ?? null },
        'settings changed',
      );
      return view();
    },
    async 'settings.testConnection'(input) {
      requireEdit();
      const next = settings.preview(input.patch);
      const probe = client.withSettings(next.serviceUrl, next.proxy);
      const steps: ConnectionStep[] = [];
      const proxyStep = await reachProxy(next.proxy, 5_000);
      if (proxyStep) steps.push(proxyStep);
      const started = performance.now();
      let ms: number | null = null;
      try {
        await probe.health();
        ms = Math.round(performance.now() - started);
        steps.push({ step: 'service', ok: true, message: `Dịch vụ trung tâm trả lời sau ${ms} ms.` });
      } catch (err) {
        const why =
          err instanceof ServiceError
            ? `máy chủ trả lời mã ${err.status}: địa chỉ có đúng là dịch vụ trung tâm không?`
            : err instanceof NetworkError
              ? err.message
              : 'lỗi không mong đợi';
        steps.push({ step: 'service', ok: false, message: `Dịch vụ trung tâm: ${why}` });
        log.warn({ err, route: await probe.route() }, 'connection check failed');
      }
      return {
        ok: steps.every((s) => s.ok),
        steps,
        serviceUrl: next.serviceUrl,
        route: await probe.route(),
        ms,
      };
    },
    async 'update.status'() {
      return updates.get();
    },
    async 'update.check'() {
      return updates.check();
    },
    async 'update.download'() {
      return updates.download();
    },
    async 'update.install'() {
      return updates.install();
    },
    async 'support.exportLogs'() {
      const now = ctx.now();
      const { bytes, entries } = supportZip({
        app: ctx.app,
        settings: view(),
        sync: ctx.engine.status(),
        logFiles: support?.logFiles?.() ?? [],
        now,
      });
      const fileName = supportFileName(ctx.deviceId, now);
      log.info({ entries: entries.length, bytes: bytes.length }, 'support export');
      if (support?.saveFile) {
        let savedTo: string | null;
        try {
          savedTo = await support.saveFile(bytes, fileName);
        } catch (err) {
          log.error({ err }, 'support export not saved');
          return fail('save_failed', 'Không lưu được tệp nhật ký: chọn thư mục khác.');
        }
        return { fileName, bytes: bytes.length, savedTo, dataUrl: null, entries };
      }
      return {
        fileName,
        bytes: bytes.length,
        savedTo: null,
        dataUrl: `data:application/zip;base64,${Buffer.from(bytes).toString('base64')}`,
        entries,
      };
    },
  };
}
