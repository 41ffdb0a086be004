// Printing a mobile desk's declaration for signature: the filled Mẫu 01 (the print layer's renderer)
// with its Mã tạm in the QR and on the page while the service has not numbered it, and with the
// dossier number once it has. The form is made from what the officer recorded (or, before Ghi nhận,
// from the form as typed), never from anything the officer has not seen. Also the desk's end-of-day
// sheet (print/deskSheet.ts).

import {
  parseVietnameseDate,
  vnDay,
  type DeclarationRequest,
  type Dossier,
} from '../../../contract/index.js';
import type { Handlers } from '../../../contract/workstation.js';
import type { DeskDeclaration } from '../../../contract/workstationDesk.js';
import { fail } from '../errors.js';
import { renderMau01, templateForDate } from '../print/index.js';
import { deskSheetCounts, renderDeskSheet } from '../print/deskSheet.js';
import { checked, declaration, deskName, type Desk } from './deskContext.js';

/**
 * The dossier the form prints: the service's copy once there is one, else the declaration as recorded
 * (its intake body). `number` is what prints under "Mẫu số 01"; `qr` is the QR's text.
 */
export function printableDossier(
  d: DeskDeclaration,
  request: DeclarationRequest,
): { dossier: Dossier; qr: string } {
  if (d.dossier && d.dossierNumber) return { dossier: d.dossier, qr: d.dossierNumber };
  const r = request;
  const dossier: Dossier = {
    id: d.id,
    dossierNumber: `Mã tạm: ${d.ref}`,
    kind: r.kind,
    agencyCode: r.agencyCode,
    fullName: r.fullName,
    bhxhCode: r.bhxhCode ?? '',
    idKind: r.idKind,
    idNumber: r.idNumber,
    dateOfBirth: r.dateOfBirth ?? null,
    gender: r.gender ?? null,
    address: r.address,
    contactPerson: r.contactPerson,
    email: r.email ?? null,
    mobile: r.mobile,
    certificate: r.certificate ?? null,
    channel: r.channel,
    ivanName: r.ivanName ?? null,
    effectiveDate: r.effectiveDate ?? null,
    update: r.update ?? null,
    stop: r.stop ?? null,
    submissionMethod: 'mobile_desk',
    deskName: r.deskName ?? null,
    declaredAt: r.declaredAt ?? d.declaredAt,
    receivedAt: null,
    expiresAt: null,
    status: 'pending',
    outcome: null,
    reason: null,
    reasonCodes: [],
    reviewer: null,
    decidedAt: null,
    accountResult: null,
    result: null,
    attachments: [],
    steps: [],
    claim: null,
    version: 0,
  };
  return { dossier, qr: d.ref };
}

export async function print(d: Desk, input: Parameters<Handlers['desk.print']>[0]) {
  const user = d.ctx.session.requireUser();
  const decl = declaration(d, input.id);
  const request =
    decl.state === 'draft' || !decl.request
      ? checked(d, decl.id, input.values ?? decl.values, user, d.ctx.now().toISOString())
      : decl.request;
  const { dossier, qr } = printableDossier(decl, request);
  const agency = d.ctx.store.agencies().find((a) => a.code === dossier.agencyCode) ?? null;
  const photoId = decl.images.find((i) => i.role === 'photo' && i.mediaType !== 'application/pdf')?.id;
  const photo = photoId ? (d.ctx.store.deskImageContent(photoId)?.content ?? null) : null;
  const pdf = await renderMau01(dossier, agency, templateForDate(vnDay(dossier.declaredAt)), {
    photo,
    qrText: qr,
  });
  d.ctx.store.audit('print.deskForm', user.username, decl.dossierId, decl.ref);
  const number = decl.dossierNumber ?? decl.ref;
  return d.ctx.printJobs.keep(
    user.username,
    pdf,
    `Mẫu 01 - ${number}`,
    `Mau01-${number.replace(/[^0-9A-Za-z.-]+/gu, '-')}.pdf`,
  );
}

export async function sheet(d: Desk, input: { date: string }) {
  const user = d.ctx.session.requireUser();
  const day = parseVietnameseDate(input.date).ok
    ? (parseVietnameseDate(input.date) as { value: string }).value
    : input.date;
  if (!/^\d{4}-\d{2}-\d{2}$/u.test(day) || day > vnDay(d.ctx.now().toISOString()))
    fail('validation_failed', 'Ngày của bảng kê phải là hôm nay hoặc một ngày đã qua.', {
      fields: { date: 'Chọn hôm nay hoặc một ngày đã qua.' },
    });
  const rows = d.ctx.store.deskList({ query: '', from: day, to: day, limit: 2000 }, d.ctx.scope());
  const { counts, officers } = deskSheetCounts(rows);
  const agency = d.ctx.store.agencies().find((a) => a.code === user.agencyCode) ?? {
    code: user.agencyCode,
    name: user.agencyName,
    parentCode: null,
    address: '',
    phone: '',
  };
  const pdf = await renderDeskSheet({
    agency,
    date: day,
    deskName: deskName(d),
    deviceId: d.ctx.deviceId,
    rows,
    counts,
    officers,
    generatedAt: d.ctx.now().toISOString(),
  });
  d.ctx.store.audit('print.deskSheet', user.username, null, day);
  const job = d.ctx.printJobs.keep(user.username, pdf, `Bảng kê kê khai tại bàn ${day}`, `BangKe-${day}.pdf`);
  return { job, rows, counts, officers };
}
