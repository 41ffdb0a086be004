// Input validation at the boundary: zod for the shape (API contract), then the domain checks of
// contract/identity.ts. Every refusal is a 422 with one Vietnamese sentence per field.

import type { z } from 'zod';
import {
  checkBhxhCode,
  checkCccdAgainstPerson,
  checkEmail,
  checkIdNumber,
  checkIsoDate,
  checkMobile,
  cleanText,
  type DeclarationRequest,
  isBlank,
  zodFieldMessages,
} from '../contract/index.js';
import { checkIntakeSource } from './desk.js';
import { ApiError, invalid } from './errors.js';
import { dateVn } from './time.js';

/** Parses `value` with `schema`, or throws 422 with Vietnamese messages per field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  if (value === undefined || value === null || (typeof value !== 'object' && typeof value !== 'string')) {
    throw new ApiError(400, 'bad_request', 'Yêu cầu thiếu nội dung hoặc nội dung không đúng dạng JSON.');
  }
  const res = schema.safeParse(value, { reportInput: true });
  if (res.success) return res.data;
  throw invalid(zodFieldMessages(res.error.issues));
}

const NAME = /^[\p{L}\p{M}]+(?:[ .'-][\p{L}\p{M}]+)*\.?$/u;
const FREE_TEXT = /^[\p{L}\p{M}\p{N} ,./\-()'#&:+]*$/u;

function text(
  fields: Record<string, string>,
  key: string,
  raw: string | null | undefined,
  opts: { label: string; max: number; required?: boolean; name?: boolean },
): string | null {
  const v = cleanText(raw ?? '');
  if (!v) {
    if (opts.required) fields[key] = `${opts.label} là bắt buộc.`;
    return null;
  }
  if (v.length > opts.max) fields[key] = `${opts.label} dài tối đa ${opts.max} ký tự.`;
  else if (opts.name && !NAME.test(v)) fields[key] = `${opts.label} chỉ được gồm chữ cái và dấu cách.`;
  else if (!opts.name && !FREE_TEXT.test(v))
    fields[key] = `${opts.label} chứa ký tự không được phép (như < > ; " hoặc ký tự điều khiển).`;
  return v;
}

export type CleanDeclaration = {
  kind: DeclarationRequest['kind'];
  agencyCode: string;
  fullName: string;
  /** null: a mobile desk left it empty; intake resolves it from the ID number */
  bhxhCode: string | null;
  idKind: DeclarationRequest['idKind'];
  idNumber: string;
  dateOfBirth: string | null;
  gender: 'Nam' | 'Nữ' | null;
  address: string;
  contactPerson: string;
  email: string | null;
  mobile: string;
  certificate: { serial: string; issuer: string; validFrom: string; validTo: string } | null;
  channel: 'portal' | 'ivan';
  ivanName: string | null;
  effectiveDate: string | null;
  update: {
    certificate?: CleanDeclaration['certificate'];
    email?: string | null;
    mobile?: string | null;
  } | null;
  stop: { stopDate: string; reason: string } | null;
  submissionMethod: DeclarationRequest['submissionMethod'];
  /** the mobile desk's name, else null */
  deskName: string | null;
  /** the mobile desk's time of declaring (ISO 8601), else null: the service's time of intake */
  declaredAt: string | null;
};

function certificate(
  fields: Record<string, string>,
  key: string,
  c: DeclarationRequest['certificate'],
): CleanDeclaration['certificate'] {
  if (!c) return null;
  const serial = c.serial.trim();
  if (!/^[A-Za-z0-9:-]{1,64}$/u.test(serial))
    fields[`${key}.serial`] = 'Số chứng thư số chỉ gồm chữ cái và chữ số.';
  const issuer =
    text(fields, `${key}.issuer`, c.issuer, {
      label: 'Tổ chức cấp chứng thư số',
      max: 200,
      required: true,
    }) ?? '';
  const from = checkIsoDate(c.validFrom, 'Ngày bắt đầu hiệu lực');
  const to = checkIsoDate(c.validTo, 'Ngày hết hiệu lực');
  if (!from.ok) fields[`${key}.validFrom`] = from.message;
  if (!to.ok) fields[`${key}.validTo`] = to.message;
  if (from.ok && to.ok && to.value < from.value)
    fields[`${key}.validTo`] = 'Ngày hết hiệu lực phải sau ngày bắt đầu.';
  return {
    serial,
    issuer,
    validFrom: from.ok ? from.value : c.validFrom,
    validTo: to.ok ? to.value : c.validTo,
  };
}

/**
 * Domain checks of a declaration (after its shape passed zod); throws 422 listing every bad field.
 * `now` is the service's clock (a desk's declaredAt is bounded by it and `deskMaxAgeDays`).
 */
export function validateDeclaration(
  d: DeclarationRequest,
  now: Date,
  deskMaxAgeDays: number,
): CleanDeclaration {
  const today = dateVn(now);
  const fields: Record<string, string> = {};
  const fullName =
    text(fields, 'fullName', d.fullName, { label: 'Họ và tên', max: 100, required: true, name: true }) ?? '';
  const source = checkIntakeSource(d, now, deskMaxAgeDays, fields);
  const code = source.bhxhCode === null ? null : checkBhxhCode(source.bhxhCode);
  if (code && !code.ok) fields.bhxhCode = code.message;
  const idNumber = checkIdNumber(d.idKind, d.idNumber);
  if (!idNumber.ok) fields.idNumber = idNumber.message;
  let dateOfBirth: string | null = null;
  if (d.dateOfBirth !== undefined) {
    const dob = checkIsoDate(d.dateOfBirth, 'Ngày sinh');
    if (!dob.ok) fields.dateOfBirth = dob.message;
    else if (dob.value > today || dob.value < '1900-01-01') fields.dateOfBirth = 'Ngày sinh không hợp lý.';
    else dateOfBirth = dob.value;
  }
  const gender = d.gender ?? null;
  if (d.idKind === 'cccd' && idNumber.ok && !fields.dateOfBirth) {
    const agree = checkCccdAgainstPerson(idNumber.value, dateOfBirth, gender);
    if (!agree.ok) fields.idNumber = agree.message;
  }
  const address =
    text(fields, 'address', d.address, { label: 'Địa chỉ liên hệ', max: 300, required: true }) ?? '';
  const contactPerson =
    text(fields, 'contactPerson', d.contactPerson, {
      label: 'Người liên hệ',
      max: 100,
      required: true,
      name: true,
    }) ?? '';
  let email: string | null = null;
  if (d.email) {
    const e = checkEmail(d.email);
    if (!e.ok) fields.email = e.message;
    else email = e.value;
  }
  const mobile = checkMobile(d.mobile);
  if (!mobile.ok) fields.mobile = mobile.message;
  const cert = certificate(fields, 'certificate', d.certificate);
  let ivanName: string | null = null;
  if (d.channel === 'ivan') {
    ivanName = text(fields, 'ivanName', d.ivanName, { label: 'Tên tổ chức I-VAN', max: 200, required: true });
  }
  let effectiveDate: string | null = null;
  if (d.effectiveDate) {
    const e = checkIsoDate(d.effectiveDate, 'Ngày bắt đầu giao dịch');
    if (!e.ok) fields.effectiveDate = e.message;
    else effectiveDate = e.value;
  }
  let update: CleanDeclaration['update'] = null;
  if (d.kind === 'update') {
    const u = d.update;
    if (!u || (!u.certificate && !u.email && !u.mobile)) {
      fields.update =
        'Tờ khai điều chỉnh phải nêu ít nhất một thông tin thay đổi (chứng thư số, thư điện tử hoặc điện thoại).';
    } else {
      update = {};
      if (u.certificate) update.certificate = certificate(fields, 'update.certificate', u.certificate);
      if (u.email) {
        const e = checkEmail(u.email);
        if (!e.ok) fields['update.email'] = e.message;
        else update.email = e.value;
      }
      if (u.mobile) {
        const m = checkMobile(u.mobile);
        if (!m.ok) fields['update.mobile'] = m.message;
        else update.mobile = m.value;
      }
    }
  }
  let stop: CleanDeclaration['stop'] = null;
  if (d.kind === 'stop') {
    if (!d.stop) fields.stop = 'Tờ khai ngừng sử dụng phải có ngày ngừng và lý do.';
    else {
      const sd = checkIsoDate(d.stop.stopDate, 'Ngày ngừng sử dụng');
      if (!sd.ok) fields['stop.stopDate'] = sd.message;
      const reason = text(fields, 'stop.reason', d.stop.reason, {
        label: 'Lý do ngừng sử dụng',
        max: 500,
        required: true,
      });
      stop = { stopDate: sd.ok ? sd.value : d.stop.stopDate, reason: reason ?? '' };
    }
  }
  if (Object.keys(fields).length > 0) throw invalid(fields);
  return {
    kind: d.kind,
    agencyCode: d.agencyCode.trim(),
    fullName,
    bhxhCode: code === null ? null : code.ok ? code.value : source.bhxhCode,
    idKind: d.idKind,
    idNumber: idNumber.ok ? idNumber.value : d.idNumber,
    dateOfBirth,
    gender,
    address,
    contactPerson,
    email,
    mobile: mobile.ok ? mobile.value : d.mobile,
    certificate: cert,
    channel: d.channel,
    ivanName,
    effectiveDate,
    update,
    stop,
    submissionMethod: d.submissionMethod,
    deskName: source.deskName,
    declaredAt: source.declaredAt,
  };
}

/** Free text of a rejection: NFC, trimmed, no markup; spaces or zero-width characters only are none. */
export function cleanReason(raw: string | undefined): string | null {
  const v = cleanText(raw ?? '');
  if (isBlank(v)) return null;
  if (/[<>]/u.test(v)) throw invalid({ reason: 'Lý do không được chứa ký tự < hoặc >.' });
  return v;
}
