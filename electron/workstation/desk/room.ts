// What the mobile desk needs from the machine for days offline: room on the disk for more images
// (warned before it runs out, refused before SQLite would fail on a full disk), how images are kept
// (compact JPEG), and how long the local copies of ID images stay once the service has every step of
// their chain (the retention period an administrator sets; DOMAIN.md: ID images are sensitive data).

import { statfsSync } from 'node:fs';
import type { DiskLevel } from '../../../contract/workstationDesk.js';
import type { Compact } from '../intake/images.js';
import { DEFAULT_RETENTION_DAYS } from '../settings.js';

/**
 * The retention period in days: the per-machine settings' `imageRetentionDays` (Cài đặt, or the
 * administrator's system-wide file, which wins; default 7 days, 0 deletes at the next sweep). The
 * settings' own schema refuses what is not a whole number from 0 to 90 before it gets here, so this
 * only guards against a value that slipped past it (a non-number falls back to the default).
 */
export function imageRetentionDays(settings: { get(): { imageRetentionDays: number } }): number {
  const days = settings.get().imageRetentionDays;
  return Number.isFinite(days) ? Math.max(0, Math.floor(days)) : DEFAULT_RETENTION_DAYS;
}

/**
 * Images as the desk keeps them: JPEG at 0.8 (the camera's quality, docs/workstation.md), an ID-card
 * side at most 1,200 px (≈ 350 dpi over the card's 85.6 mm), the portrait 800 px, a form page 2,480 px
 * (A4 at 300 dpi). A camera still (already a small JPEG) is kept as it came.
 */
export function compactFor(role: string): Compact {
  const maxSide = role === 'photo' ? 800 : role.startsWith('formPage') ? 2480 : 1200;
  return { quality: 80, maxSide, keepJpegUnder: 400 * 1024 };
}

/** Room kept free whatever happens: SQLite needs it to commit and checkpoint, the system to run. */
export const RESERVE_BYTES = 64 * 1024 * 1024;
/** What one person costs the store, generously: four images, the declaration, the WAL's share. */
export const PERSON_BYTES = 1024 * 1024;
/** Warn when fewer people than this still fit. */
export const WARN_PEOPLE = 200;

export type DiskRoom = { freeBytes: number; level: DiskLevel; peopleLeft: number; message: string | null };

/** Free bytes for this process on the disk holding `dir`. */
export function freeBytesOf(dir: string): number {
  const s = statfsSync(dir);
  return Number(s.bavail) * Number(s.bsize);
}

export function diskRoom(freeBytes: number): DiskRoom {
  const peopleLeft = Math.max(0, Math.floor((freeBytes - RESERVE_BYTES) / PERSON_BYTES));
  const mb = Math.floor(freeBytes / (1024 * 1024));
  if (peopleLeft < 1)
    return {
      freeBytes,
      level: 'full',
      peopleLeft,
      message: `Ổ đĩa của máy trạm gần đầy (còn ${mb} MB): không nhận thêm ảnh và tờ khai mới. Kết nối mạng để gửi các tờ khai đang chờ, rồi xoá bớt tệp không cần trên máy.`,
    };
  if (peopleLeft < WARN_PEOPLE)
    return {
      freeBytes,
      level: 'low',
      peopleLeft,
      message: `Ổ đĩa của máy trạm sắp đầy: còn ${mb} MB, đủ cho khoảng ${peopleLeft} người nữa. Kết nối mạng để gửi các tờ khai đang chờ hoặc giải phóng dung lượng.`,
    };
  return { freeBytes, level: 'ok', peopleLeft, message: null };
}

/** SQLite's answer when the disk filled in the middle of a write (the transaction rolled back). */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'SQLITE_IOERR_WRITE';
}
