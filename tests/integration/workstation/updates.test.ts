// Updates for real in Node: electron-updater's own DebUpdater (the Linux desks' package) behind the
// workstation's UpdateService, reading a generated feed (latest-linux.yml with the installer's sha512)
// from a local static web server. Found, downloaded and verified; one byte changed on the server and
// the download is refused with the Vietnamese sentence; a restart is refused until the update is
// verified and while the outbox is being sent. Only the HTTP executor (Electron's net in the app; plain
// node:http here) and the final package install (dpkg, which a test machine must not run) are Node's.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {
  configureRequestOptions,
  configureRequestUrl,
  HttpExecutor,
  type DownloadOptions,
} from 'builder-util-runtime';
import { DebUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpdateStatus } from '../../../contract/workstationSettings.js';
import { WsFailure } from '../../../electron/workstation/errors.js';
import { silentLog } from '../../../electron/workstation/log.js';
import { SettingsStore } from '../../../electron/workstation/settings.js';
import { UpdateService } from '../../../electron/workstation/updates.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ws-updates-'));
const feedDir = path.join(tmp, 'feed');
const INSTALLER = 'bhxh-gddt-1.1.0-amd64.deb';
let server: Server;
let feedUrl: string;
const served: string[] = [];

/**
 * node:http in place of Electron's net: the transport only. `download` is ElectronHttpExecutor's, line
 * for line; the streaming sha512 check is builder-util-runtime's doDownload, as in the app.
 */
class NodeExecutor extends HttpExecutor<ReturnType<typeof request>> {
  createRequest(options: object, callback: (res: unknown) => void): ReturnType<typeof request> {
    return request(options, callback as never);
  }
  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise((resolve, reject, onCancel) => {
      const requestOptions = { headers: options.headers ?? undefined };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(
        requestOptions,
        {
          destination,
          options,
          onCancel,
          callback: (error: Error | null) => (error == null ? resolve(destination) : reject(error)),
          responseHandler: null,
        },
        0,
      );
    });
  }
}

function sha512(bytes: Buffer): string {
  return createHash('sha512').update(bytes).digest('base64');
}

/** Publishes `installer` as version 1.1.0 the way electron-builder does (latest-linux.yml). */
function publish(installer: Buffer, declaredSha512 = sha512(installer)): void {
  writeFileSync(path.join(feedDir, INSTALLER), installer);
  writeFileSync(
    path.join(feedDir, 'latest-linux.yml'),
    [
      'version: 1.1.0',
      'files:',
      `  - url: ${INSTALLER}`,
      `    sha512: ${declaredSha512}`,
      `    size: ${installer.length}`,
      `path: ${INSTALLER}`,
      `sha512: ${declaredSha512}`,
      "releaseDate: '2026-12-01T08:00:00.000Z'",
      '',
    ].join('\n'),
  );
}

function adapter(name: string): AppAdapter {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'app-update.yml');
  writeFileSync(config, `provider: generic\nurl: ${feedUrl}\nupdaterCacheDirName: bhxh-gddt-updater\n`);
  return {
    version: '1.0.0',
    name: 'bhxh-gddt',
    isPackaged: true,
    appUpdateConfigPath: config,
    userDataPath: dir,
    baseCachePath: path.join(dir, 'cache'),
    whenReady: () => Promise.resolve(),
    relaunch: () => undefined,
    quit: () => undefined,
    onQuit: () => undefined,
  };
}

/** The package install itself (dpkg) cannot run on a test machine: recorded instead. */
class RecordingDebUpdater extends DebUpdater {
  installs = 0;
  override quitAndInstall(): void {
    this.installs += 1;
  }
}

function service(name: string, draining: { now: boolean } = { now: false }) {
  const updater = new RecordingDebUpdater(undefined, adapter(name));
  updater.logger = null; // its console lines; the service logs what matters
  (updater as unknown as { httpExecutor: NodeExecutor }).httpExecutor = new NodeExecutor();
  const statuses: UpdateStatus[] = [];
  const settings = new SettingsStore({ userFile: path.join(tmp, name, 'settings.json'), systemFile: null });
  settings.update({ updateUrl: feedUrl });
  const updates = new UpdateService({
    updater,
    currentVersion: '1.0.0',
    settings,
    log: silentLog(),
    draining: () => draining.now,
    onStatus: (s) => statuses.push(s),
  });
  return { updater, updates, statuses };
}

beforeAll(async () => {
  mkdirSync(feedDir, { recursive: true });
  server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    served.push(name);
    try {
      const body = readFileSync(path.join(feedDir, path.basename(name)));
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  feedUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/capnhat`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

describe('updates from a generic feed (electron-updater, verified)', () => {
  it('finds 1.1.0, downloads it with progress, checks its sha512, and restarts only when asked', async () => {
    const installer = randomBytes(256 * 1024);
    publish(installer);
    const draining = { now: false };
    const { updater, updates, statuses } = service('good', draining);
    expect(updates.get().state).toBe('idle');
    expect(() => updates.install()).toThrow(WsFailure); // nothing downloaded yet

    const found = await updates.check();
    expect(found).toMatchObject({ state: 'available', version: '1.1.0', current: '1.0.0' });
    expect(served).toContain('capnhat/latest-linux.yml');
    expect(updater.installs).toBe(0); // found, not fetched or installed on its own

    const ready = await updates.download();
    expect(ready).toMatchObject({ state: 'ready', percent: 100, message: null });
    expect(statuses.some((s) => s.state === 'downloading')).toBe(true);

    draining.now = true;
    let refused: unknown;
    try {
      updates.install();
    } catch (err) {
      refused = err;
    }
    expect((refused as WsFailure).error.code).toBe('sync_in_progress');
    expect(updater.installs).toBe(0);
    draining.now = false;
    updates.install();
    expect(updater.installs).toBe(1);
  });

  it('a file changed by one byte on the server is refused and never offered for install', async () => {
    const installer = randomBytes(128 * 1024);
    publish(installer);
    const tampered = Buffer.from(installer);
    const middle = tampered.length >> 1;
    tampered[middle] = tampered[middle]! ^ 0x01;
    // The feed still declares the genuine file's sha512; the server now holds another file.
    writeFileSync(path.join(feedDir, INSTALLER), tampered);
    const { updater, updates } = service('tampered');
    expect((await updates.check()).state).toBe('available');
    const after = await updates.download();
    expect(after.state).toBe('error');
    expect(after.message).toMatch(/không khớp mã kiểm tra \(sha512\).*không cài/u);
    expect(() => updates.install()).toThrow(/chưa tải xong hoặc chưa được kiểm tra/u);
    expect(updater.installs).toBe(0);
  });

  it('no update URL, or a server without a feed: a sentence, not an exception', async () => {
    const settings = new SettingsStore({ userFile: path.join(tmp, 'none.json'), systemFile: null });
    const none = new UpdateService({
      updater: null,
      currentVersion: '1.0.0',
      settings,
      log: silentLog(),
      draining: () => false,
      onStatus: () => undefined,
    });
    expect(none.get()).toMatchObject({
      state: 'unavailable',
      message: 'Cập nhật chỉ có trong ứng dụng đã cài đặt.',
    });
    await expect(none.check()).rejects.toThrow(WsFailure);

    rmSync(path.join(feedDir, 'latest-linux.yml'));
    const { updates } = service('empty');
    const checked = await updates.check();
    expect(checked.state).toBe('error');
    expect(checked.message).toMatch(/chưa có bản cập nhật|Không kiểm tra/u);
  });
});
