// The mobile desk's methods of the workstation API (contract/workstationDesk.ts): Kê khai mới kept as
// a draft from its first keystroke, filled from the ID card (reader, scanner, camera; OCR suggests),
// Tra cứu mã số BHXH, the images kept as compact JPEG, In tờ khai with the Mã tạm, Xác nhận nhân thân
// and Ghi nhận into one durable chain per person (sent by sync/deskChain.ts), Sửa và gửi lại of a
// refused intake without retyping, the desk's list and its end-of-day sheet, and the retention sweep
// that deletes the local copies of ID images once the service has had them for the set period.

import { randomUUID } from 'node:crypto';
import {
  checkRegistrySearch,
  parseVietnameseDate,
  vnDay,
  type DeclarationRequest,
} from '../../../contract/index.js';
import type { Handlers } from '../../../contract/workstation.js';
import {
  SIGNED_PAGE_ROLE,
  type DeskDeclaration,
  type DeskInputs,
} from '../../../contract/workstationDesk.js';
import { recognizeReaderText, toScanErrorInfo } from '../../../scanner/index.js';
import type { WorkstationContext } from '../context.js';
import { cardFill } from '../desk/card.js';
import {
  checked,
  declaration,
  deskName,
  draftOf,
  requireRoom,
  room,
  setDeskName,
  view,
  write,
  type Desk,
  type DeskOptions,
} from '../desk/deskContext.js';
import { attach, scan } from '../desk/images.js';
import { print, sheet } from '../desk/printing.js';
import { imageRetentionDays } from '../desk/room.js';
import { fail, WsFailure } from '../errors.js';
import { scanFailure } from '../intake/scanning.js';
import { NetworkError, ServiceError } from '../sync/httpSyncClient.js';

export type { DeskOptions } from '../desk/deskContext.js';

export type DeskMethod = keyof typeof DeskInputs;

async function registrySearch(d: Desk, input: Parameters<Handlers['desk.registrySearch']>[0]) {
  d.ctx.session.requireUser();
  const today = vnDay(d.ctx.now().toISOString());
  // The form types dates as dd/MM/yyyy; the service's rule wants YYYY-MM-DD.
  let dateOfBirth = input.dateOfBirth;
  if (dateOfBirth !== undefined && dateOfBirth.trim() !== '') {
    const dob = parseVietnameseDate(dateOfBirth, 'Ngày sinh');
    if (!dob.ok) fail('validation_failed', dob.message, { fields: { dateOfBirth: dob.message } });
    dateOfBirth = dob.value;
  }
  const query = {
    ...(input.idNumber?.trim() ? { idNumber: input.idNumber } : {}),
    ...(input.fullName?.trim() ? { fullName: input.fullName } : {}),
    ...(dateOfBirth?.trim() ? { dateOfBirth } : {}),
  };
  const rule = checkRegistrySearch(query, today);
  if (!rule.ok)
    fail('validation_failed', Object.values(rule.fields)[0] ?? 'Thông tin tra cứu chưa đúng.', rule);
  const offline =
    'Tra cứu mã số BHXH cần kết nối tới hệ thống trung tâm. Ngoại tuyến: để trống mã số BHXH, hệ thống sẽ tra theo số CCCD khi tờ khai được gửi.';
  if (!d.ctx.session.hasServiceSession() || !d.ctx.engine.isOnline()) fail('offline', offline);
  try {
    const res = await d.ctx.client.registrySearch(
      rule.value.by === 'idNumber'
        ? { idNumber: rule.value.idNumber }
        : { fullName: rule.value.fullName, dateOfBirth: rule.value.dateOfBirth },
    );
    d.ctx.store.audit('desk.registrySearch', d.ctx.session.user()?.username ?? null, null, rule.value.by);
    return { items: res.items };
  } catch (err) {
    if (err instanceof NetworkError) fail('offline', offline);
    if (err instanceof ServiceError) fail(err.code, err.message, err.fields ? { fields: err.fields } : {});
    throw err;
  }
}

function decisionPayload(
  d: Desk,
  decision: NonNullable<Parameters<Handlers['desk.record']>[0]['decision']>,
  kind: DeclarationRequest['kind'],
) {
  if (decision.outcome === 'invalid' && decision.reasonCodes.length === 0 && !decision.reason.trim())
    fail('validation_failed', 'Hồ sơ không hợp lệ cần ít nhất một lý do hoặc nội dung đánh giá.', {
      fields: { reason: 'Chọn lý do hoặc nhập nội dung đánh giá.' },
    });
  if (decision.outcome === 'valid' && kind === 'update' && !decision.confirmUpdate)
    fail(
      'confirmation_required',
      'Tờ khai điều chỉnh thông tin cần Xác nhận trước khi ghi nhận hồ sơ hợp lệ.',
    );
  return {
    outcome: decision.outcome,
    reasonCodes: decision.outcome === 'invalid' ? decision.reasonCodes : [],
    reason: decision.outcome === 'invalid' ? decision.reason.trim() : '',
    ...(decision.confirmUpdate && decision.outcome === 'valid' ? { confirmUpdate: true } : {}),
    decidedAt: d.ctx.now().toISOString(),
    deviceId: d.ctx.deviceId,
  };
}

function record(d: Desk, input: Parameters<Handlers['desk.record']>[0]) {
  const user = d.ctx.session.requireUser();
  const decl = draftOf(d, input.id, user);
  const fields: Record<string, string> = {};
  if (!deskName(d).trim())
    fields.deskName = 'Nhập tên bàn tiếp nhận lưu động (ví dụ "KCN Quang Minh") trước khi ghi nhận.';
  if (!input.identityConfirmed)
    fields.identityConfirmed =
      'Cần xác nhận nhân thân: đã đối chiếu bản gốc thẻ CCCD/CMND với người kê khai trước khi ghi nhận.';
  if (!decl.images.some((i) => i.role === SIGNED_PAGE_ROLE))
    fields[SIGNED_PAGE_ROLE] =
      'Chưa có trang tờ khai đã ký: in tờ khai, mời người kê khai ký, rồi quét hoặc chụp trang đã ký.';
  if (Object.keys(fields).length > 0) fail('validation_failed', Object.values(fields).join(' '), { fields });
  const declaredAt = d.ctx.now().toISOString();
  const request = checked(d, decl.id, input.values, user, declaredAt);
  const decision = input.decision ? decisionPayload(d, input.decision, request.kind) : null;
  const same = d.ctx.store.deskSameIdToday(request.idNumber, vnDay(declaredAt), decl.id);
  if (same.length > 0 && !input.sameIdToday) {
    const first = same[0]!;
    const message = `Số ${request.idNumber} đã được kê khai tại bàn hôm nay (${first.fullName}, mã tạm ${first.ref}). Tiếp tục kê khai lần nữa, hoặc mở tờ khai đã có.`;
    fail('duplicate', message, { fields: { idNumber: message, sameIdToday: first.id } });
  }
  requireRoom(d);
  if (input.sources)
    d.ctx.store.saveDeskDraft(decl.id, input.values, input.sources as DeskDeclaration['sources']);
  const recorded = write(() =>
    d.ctx.store.recordDesk({
      id: decl.id,
      user,
      deskName: deskName(d),
      declaredAt,
      values: input.values,
      request,
      receiveId: randomUUID(),
      decision: decision ? { id: randomUUID(), payload: decision } : null,
    }),
  );
  d.ctx.engine.kick();
  return { declaration: { ...recorded, images: recorded.images.map((i) => view(d, i)) }, synced: false };
}

function correct(d: Desk, input: Parameters<Handlers['desk.correct']>[0]) {
  const user = d.ctx.session.requireUser();
  const decl = declaration(d, input.id);
  const intake = decl.steps.find((s) => s.kind === 'intake');
  if (decl.state === 'draft' || intake?.state !== 'failed' || !decl.request)
    fail('version_conflict', 'Chỉ sửa được tờ khai mà hệ thống trung tâm đã từ chối (cần sửa).');
  // Same clientId, same desk, same time of declaring: the Mã tạm printed on the signed paper stays true.
  const request = checked(d, decl.id, input.values, user, decl.request.declaredAt ?? decl.declaredAt);
  write(() =>
    d.ctx.store.correctDesk(
      decl.id,
      input.values,
      { ...request, deskName: decl.request!.deskName },
      user.username,
    ),
  );
  d.ctx.engine.kick();
  return declaration(d, decl.id);
}

function decide(d: Desk, input: Parameters<Handlers['desk.decide']>[0]) {
  const user = d.ctx.session.requireUser();
  const decl = declaration(d, input.id);
  if (decl.state === 'draft' || !decl.request) fail('version_conflict', 'Tờ khai chưa được ghi nhận.');
  if (decl.steps.some((s) => s.kind === 'decision' && s.state === 'synced'))
    fail('version_conflict', 'Hồ sơ đã được đánh giá và hệ thống trung tâm đã xác nhận.');
  const payload = decisionPayload(d, input.decision, decl.request.kind);
  write(() => d.ctx.store.deskDecide(decl.id, randomUUID(), payload, user.username));
  d.ctx.engine.kick();
  return declaration(d, decl.id);
}

/** Mã tạm, CCCD QR or dossier number → the declaration it names. */
function find(d: Desk, text: string) {
  const scope = d.ctx.scope();
  let found: DeskDeclaration | null = d.ctx.store.deskByRef(text);
  if (!found) {
    let r;
    try {
      r = recognizeReaderText(text);
    } catch {
      r = null;
    }
    if (r?.fields.provisionalRef) found = d.ctx.store.deskByRef(r.fields.provisionalRef);
    else if (r?.fields.dossierNumber)
      found = d.ctx.store.deskByDossier({ dossierNumber: r.fields.dossierNumber });
    else if (r?.fields.idNumber) {
      const row = d.ctx.store.deskList({ query: r.fields.idNumber, limit: 1 }, scope)[0];
      found = row ? d.ctx.store.deskDeclaration(row.id) : null;
    }
  }
  if (!found || !scope.includes(found.agencyCode))
    fail('not_found', 'Không có tờ khai nào của mã này trong danh sách kê khai tại bàn.');
  return { id: found.id, ref: found.ref, dossierId: found.dossierId, dossierNumber: found.dossierNumber };
}

function status(d: Desk) {
  const r = room(d);
  const counts = d.ctx.store.deskCounts();
  const today = vnDay(d.ctx.now().toISOString());
  const user = d.ctx.session.user();
  return {
    deskName: deskName(d),
    disk: {
      freeBytes: Number.isFinite(r.freeBytes) ? r.freeBytes : -1,
      level: r.level,
      peopleLeft: r.peopleLeft,
      message: r.message,
    },
    retentionDays: imageRetentionDays(d.ctx.settings),
    queued: counts.queued,
    needsFix: counts.needsFix,
    today: user
      ? d.ctx.store.deskList({ query: '', from: today, to: today, limit: 2000 }, d.ctx.scope()).length
      : 0,
  };
}

/** Deletes the local copies of images whose chain ended more than the retention period ago. */
export function sweepRetention(d: Desk): number {
  const days = imageRetentionDays(d.ctx.settings);
  const cutoff = new Date(d.ctx.now().getTime() - days * 86400_000).toISOString();
  return d.ctx.store.purgeDeskImages(cutoff);
}

export function createDeskHandlers(
  ctx: WorkstationContext,
  options: DeskOptions = {},
): { handlers: Pick<Handlers, DeskMethod>; changed: (id: string) => void; sweep: () => number } {
  const d: Desk = { ctx, options };
  const sweep = (): number => {
    try {
      return sweepRetention(d);
    } catch {
      return 0; // tried again at the next sweep
    }
  };
  sweep();
  const timer = setInterval(sweep, options.sweepMs ?? 10 * 60_000);
  timer.unref();
  // A shorter period set in Cài đặt applies at once, not at the next tick of the timer.
  let days = imageRetentionDays(ctx.settings);
  const offSettings = ctx.settings.onChange(() => {
    const next = imageRetentionDays(ctx.settings);
    if (next !== days) {
      days = next;
      sweep();
    }
  });
  ctx.onClose(() => {
    clearInterval(timer);
    offSettings();
  });
  const changed = (id: string): void => {
    const decl = ctx.store.deskDeclaration(id);
    if (decl) ctx.emit({ type: 'desk.changed', id, state: decl.state });
  };
  const handlers: Pick<Handlers, DeskMethod> = {
    'desk.status': async () => {
      ctx.session.requireUser(); // the desk's counts and disk are an officer's business
      return status(d);
    },
    async 'desk.setName'(input) {
      ctx.session.requireUser();
      const name = input.deskName.normalize('NFC').replace(/\s+/gu, ' ').trim();
      if (!/^[\p{L}\p{M}\p{N} ,./\-()'#&:+]{1,200}$/u.test(name))
        fail(
          'validation_failed',
          'Tên bàn không được để trống; chỉ gồm chữ, số và dấu câu thông thường, tối đa 200 ký tự.',
          {
            fields: {
              deskName:
                'Tên bàn không được để trống; chỉ gồm chữ, số và dấu câu thông thường, tối đa 200 ký tự.',
            },
          },
        );
      setDeskName(d, name);
      return status(d);
    },
    async 'desk.draft'(input) {
      const user = ctx.session.requireUser();
      const decl = write(() => ctx.store.deskDraft(user, randomUUID(), input.fresh));
      return { ...decl, images: decl.images.map((i) => view(d, i)) };
    },
    async 'desk.saveDraft'(input) {
      const user = ctx.session.requireUser();
      draftOf(d, input.id, user);
      write(() =>
        ctx.store.saveDeskDraft(
          input.id,
          input.values,
          (input.sources ?? null) as DeskDeclaration['sources'] | null,
        ),
      );
      return null;
    },
    async 'desk.discard'(input) {
      const user = ctx.session.requireUser();
      draftOf(d, input.id, user);
      ctx.store.discardDeskDraft(input.id);
      return null;
    },
    async 'desk.readCard'(input) {
      ctx.session.requireUser();
      let r;
      try {
        r = recognizeReaderText(input.text);
      } catch (err) {
        const info = toScanErrorInfo(err);
        if (info.code === 'qr_invalid' && !input.text.includes('|'))
          fail(
            'qr_invalid',
            'Mã vừa quét không phải mã QR của thẻ CCCD (hay mã tạm của một tờ khai): biểu mẫu không thay đổi.',
          );
        return scanFailure(info);
      }
      if (r.kind === 'mau01') {
        try {
          return { card: null, found: find(d, input.text) };
        } catch (err) {
          if (err instanceof WsFailure) fail(err.error.code, err.error.message);
          throw err;
        }
      }
      return { card: cardFill(r), found: null };
    },
    // signed out: "sign in" before anything about the input
    'desk.attach': (input) => (ctx.session.requireUser(), attach(d, input)),
    'desk.scan': (input) => (ctx.session.requireUser(), scan(d, input)),
    async 'desk.imageContent'(input) {
      ctx.session.requireUser();
      const c = ctx.store.deskImageContent(input.imageId) ?? fail('not_found', 'Không tìm thấy ảnh.');
      declaration(d, c.declarationId);
      if (!c.content)
        fail('not_found', 'Ảnh đã được xoá khỏi máy trạm sau thời hạn lưu (hệ thống trung tâm vẫn giữ ảnh).');
      return {
        id: input.imageId,
        mediaType: c.mediaType,
        dataUrl: `data:${c.mediaType};base64,${c.content.toString('base64')}`,
      };
    },
    'desk.registrySearch': (input) => registrySearch(d, input),
    'desk.record': async (input) => record(d, input),
    'desk.correct': async (input) => correct(d, input),
    'desk.decide': async (input) => decide(d, input),
    async 'desk.retry'(input) {
      ctx.session.requireUser();
      declaration(d, input.id);
      ctx.store.retryDesk(input.id);
      ctx.engine.kick();
      return declaration(d, input.id);
    },
    async 'desk.list'(input) {
      ctx.session.requireUser();
      return ctx.store.deskList(input, ctx.scope());
    },
    'desk.get': async (input) => declaration(d, input.id),
    'desk.find': async (input) => find(d, input.text),
    'desk.print': (input) => print(d, input),
    'desk.sheet': (input) => sheet(d, input),
  };
  return { handlers, changed, sweep };
}
