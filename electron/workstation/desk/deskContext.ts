// What the mobile desk's handler and its helpers (images.ts, printing.ts) share: the workstation's
// context and the desk's options, the declaration within the officer's scope, the disk's room, the
// desk's name, and a store write that turns a full disk into the officer's message.

import { vnDay, type StaffUser } from '../../../contract/index.js';
import { checkDeskValues, type DeskValues } from '../../../contract/deskForm.js';
import type { DeskDeclaration, DeskImage } from '../../../contract/workstationDesk.js';
import type { WorkstationContext } from '../context.js';
import { fail } from '../errors.js';
import { diskRoom, freeBytesOf, isDiskFull } from './room.js';

export type DeskOptions = {
  /** the workstation's folder (its disk's free space is watched) */
  dataDir?: string;
  /** free bytes on the store's disk (default: statfs of dataDir) */
  freeBytes?: () => number;
  /** how often the retention sweep runs (ms; default 10 minutes) */
  sweepMs?: number;
};

export type Desk = {
  ctx: WorkstationContext;
  options: DeskOptions;
};

const DESK_NAME_KEY = 'desk.name';

export function setDeskName(d: Desk, name: string): void {
  d.ctx.store.setState(DESK_NAME_KEY, name);
}

export function room(d: Desk) {
  try {
    const free = d.options.freeBytes?.() ?? (d.options.dataDir ? freeBytesOf(d.options.dataDir) : Infinity);
    return diskRoom(free);
  } catch {
    return diskRoom(Infinity);
  }
}

export function requireRoom(d: Desk): void {
  const r = room(d);
  if (r.level === 'full') fail('disk_full', r.message ?? 'Ổ đĩa đã đầy.');
}

/** Runs a store write; a disk that filled meanwhile is the officer's message, and nothing was kept. */
export function write<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isDiskFull(err))
      fail(
        'disk_full',
        'Ổ đĩa của máy trạm đã đầy: không lưu được (không có gì bị thay đổi). Giải phóng dung lượng rồi thử lại.',
      );
    throw err;
  }
}

/** The declaration within the officer's scope (its agency), or not_found. */
export function declaration(d: Desk, id: string): DeskDeclaration {
  const scope = d.ctx.scope();
  const decl = d.ctx.store.deskDeclaration(id);
  if (!decl || !scope.includes(decl.agencyCode)) fail('not_found', 'Không tìm thấy tờ khai trên máy trạm.');
  return { ...decl, images: decl.images.map((i) => view(d, i)) };
}

/** An unfinished declaration of the signed-in officer. */
export function draftOf(d: Desk, id: string, user: StaffUser): DeskDeclaration {
  const decl = declaration(d, id);
  if (decl.state !== 'draft')
    fail('version_conflict', 'Tờ khai đã được ghi nhận: mở từ Danh sách kê khai tại bàn.');
  if (decl.username !== user.username) fail('forbidden', 'Tờ khai đang kê khai dở của cán bộ khác.');
  return decl;
}

export function view(d: Desk, image: DeskImage): DeskImage {
  return { ...image, recognizing: d.ctx.scanning.isRecognizing(image.id) };
}

export function deskName(d: Desk): string {
  return d.ctx.store.getState(DESK_NAME_KEY) ?? '';
}

/** The form checked against the declaration's fixed context (its clientId, desk, agency, time). */
export function checked(d: Desk, id: string, values: DeskValues, user: StaffUser, declaredAt: string) {
  const today = vnDay(d.ctx.now().toISOString());
  const result = checkDeskValues(values, {
    clientId: id,
    agencyCode: user.agencyCode,
    deskName: deskName(d),
    declaredAt,
    today,
  });
  if (!result.request)
    fail('validation_failed', 'Tờ khai còn thông tin chưa hợp lệ: sửa các ô được đánh dấu.', {
      fields: result.fields as Record<string, string>,
    });
  return result.request;
}
