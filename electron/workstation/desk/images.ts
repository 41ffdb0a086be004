// The mobile desk's images: a file or a camera still (Đính kèm, Chụp ảnh) or a scan (Quét) for the
// portrait, both sides of the ID card and the signed form's pages, kept as compact JPEG (room.ts) in
// the encrypted store, then recognised in the background (the card's QR fills the form, OCR of its
// front suggests, the signed page's QR is checked against the declaration's Mã tạm).

import { randomUUID } from 'node:crypto';
import type { Handlers } from '../../../contract/workstation.js';
import {
  DESK_ROLE_PATTERN,
  type DeskDeclaration,
  type DeskImage,
} from '../../../contract/workstationDesk.js';
import { fail } from '../errors.js';
import { preparePages, type PreparedPage } from '../intake/images.js';
import { declaration, requireRoom, view, write, type Desk } from './deskContext.js';
import { compactFor } from './room.js';

const MAX_BYTES = 25 * 1024 * 1024;

function checkRole(role: string): void {
  if (!DESK_ROLE_PATTERN.test(role))
    fail(
      'validation_failed',
      'Loại ảnh không hợp lệ: chỉ nhận Ảnh cá nhân, Mặt trước, Mặt sau hoặc trang tờ khai 1–4.',
      {
        fields: { role: 'Chọn Ảnh cá nhân, Mặt trước, Mặt sau hoặc trang tờ khai đã ký.' },
      },
    );
}

/** Keep prepared pages for roles of a declaration (a PDF of the signed form fills its pages in turn). */
function keepImages(
  d: Desk,
  decl: DeskDeclaration,
  role: string,
  pages: readonly PreparedPage[],
  source: DeskImage['source'],
): { image: DeskImage; notes: string[] } {
  const user = d.ctx.session.requireUser();
  const first = /^formPage(\d)$/u.exec(role);
  const roles = first
    ? pages.map((_, i) => `formPage${Number(first[1]) + i}`).filter((r) => DESK_ROLE_PATTERN.test(r))
    : [role];
  const notes = pages.length > roles.length ? [`Chỉ dùng ${roles.length} trang đầu.`] : [];
  const kept: DeskImage[] = [];
  roles.forEach((r, i) => {
    const p = pages[i]!;
    const id = randomUUID();
    const image = write(() =>
      d.ctx.store.addDeskImage(
        {
          id,
          declarationId: decl.id,
          role: r,
          mediaType: p.mediaType,
          sha256: p.sha256,
          content: p.content,
          source,
        },
        user.username,
      ),
    );
    kept.push(image);
    if (r !== 'photo') {
      void d.ctx.scanning.recognizeQueued(id, p, (out) => {
        d.ctx.store.saveDeskRecognition(id, out);
        const done = d.ctx.store.deskImage(id);
        if (done) d.ctx.emit({ type: 'desk.image', image: view(d, done) });
      });
    }
  });
  for (const image of kept) d.ctx.emit({ type: 'desk.image', image: view(d, image) });
  if (decl.state !== 'draft') d.ctx.engine.kick();
  return { image: view(d, kept[0]!), notes };
}

export async function attach(d: Desk, input: Parameters<Handlers['desk.attach']>[0]) {
  checkRole(input.role);
  const decl = declaration(d, input.id);
  if (!/^[A-Za-z0-9+/]*={0,2}$/u.test(input.data))
    fail('bad_input', 'Dữ liệu tệp gửi lên không hợp lệ (không phải base64).');
  const bytes = Buffer.from(input.data, 'base64');
  if (bytes.length > MAX_BYTES) fail('payload_too_large', 'Tệp quá lớn: chỉ nhận tệp tối đa 25 MB.');
  requireRoom(d);
  const maxPages = input.role.startsWith('formPage') ? 4 : 1;
  const { pages } = await preparePages(bytes, {
    fileName: input.fileName.normalize('NFC'),
    maxPages,
    compact: compactFor(input.role),
  });
  return keepImages(d, decl, input.role, pages, input.source);
}

export async function scan(d: Desk, input: Parameters<Handlers['desk.scan']>[0]) {
  checkRole(input.role);
  const decl = declaration(d, input.id);
  requireRoom(d);
  const page = input.role.startsWith('formPage');
  const pages = await d.ctx.scanning.scanPrepared({
    deviceId: input.deviceId,
    ...(input.jobId ? { jobId: input.jobId } : {}),
    request: {
      resolution: input.resolution,
      colorMode: input.colorMode,
      source: 'flatbed',
      pageSize: page ? 'A4' : 'id_card',
    },
    maxPages: 1,
    compact: compactFor(input.role),
  });
  return keepImages(d, decl, input.role, pages, 'scan');
}
