// "Xuất nhật ký hỗ trợ": one zip for the agency's IT support, with the log files (already masked when
// written, log.ts), and thong-tin.json: the app's version, the runtime, the operating system, the
// settings in force and where each came from, and the sync figures (counts only). Nothing in it
// names a person. fflate (MIT) writes the zip in memory: the logs are at most 6 × 5 MB.

import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import type { AppInfo, SyncStatus } from '../../contract/workstation.js';
import type { SettingsView } from '../../contract/workstationSettings.js';

export type SupportInput = {
  app: AppInfo;
  settings: SettingsView;
  sync: SyncStatus | null;
  logFiles: string[];
  now: Date;
};

/** The zip's bytes and the names of its entries. */
export function supportZip(input: SupportInput): { bytes: Uint8Array; entries: string[] } {
  const { sync } = input;
  const about = {
    exportedAt: input.now.toISOString(),
    app: input.app,
    runtime: {
      node: process.versions.node,
      electron: process.versions.electron ?? null,
      chrome: process.versions.chrome ?? null,
      platform: process.platform,
      arch: process.arch,
      osRelease: os.release(),
      memoryMb: Math.round(os.totalmem() / 1048576),
      cpus: os.cpus().length,
    },
    settings: input.settings.settings,
    settingSources: input.settings.sources,
    lockedSettings: input.settings.locked,
    settingsFiles: input.settings.files,
    // Figures only: lastError may quote the service's sentence, which never names a person.
    sync: sync
      ? {
          online: sync.online,
          queued: sync.queued,
          failed: sync.failed,
          conflicts: sync.conflicts,
          waitingForOthers: sync.waitingForOthers,
          uploadsQueued: sync.uploadsQueued,
          uploadsFailed: sync.uploadsFailed,
          lastSyncAt: sync.lastSyncAt,
          dossiers: sync.dossiers,
        }
      : null,
  };
  const files: Zippable = {
    'thong-tin.json': new TextEncoder().encode(`${JSON.stringify(about, null, 2)}\n`),
  };
  for (const file of input.logFiles) {
    try {
      files[`nhat-ky/${path.basename(file)}`] = readFileSync(file);
    } catch {
      // a file rotated away between the listing and the read: the others still go
    }
  }
  return { bytes: zipSync(files, { level: 6 }), entries: Object.keys(files) };
}

/** nhat-ky-ho-tro-<device>-<yyyymmdd-hhmm>.zip: no names, the device's short id and the time. */
export function supportFileName(deviceId: string, now: Date): string {
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/gu, '').replace('T', '-');
  return `nhat-ky-ho-tro-${deviceId.slice(0, 8)}-${stamp}.zip`;
}
