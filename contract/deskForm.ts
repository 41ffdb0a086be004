// The mobile desk's declaration form (Kê khai mới) as pure data and checks, shared by the renderer
// (each field checked as it is typed) and the workstation services (checked again when the officer
// records it): the form's values as typed, the rules each field must meet with the Vietnamese message
// of the rule it breaks, and the intake body (API.md POST /dossiers) they become. The rules are those
// the service applies (server/validation.ts), so a declaration the desk accepts is one the service
// accepts; the service stays the authority and its 422 still stops a chain (the officer corrects).

import type { DeclarationRequest } from './api.js';
import type { Recognition, RecognizedField } from './scan.js';
import { parseBhytCardNumber } from './desk.js';
import {
  checkBhxhCode,
  checkCccdAgainstPerson,
  checkEmail,
  checkIdNumber,
  checkMobile,
  parseVietnameseDate,
  type Gender,
  type IdKind,
} from './identity.js';
import { cleanText } from './text.js';

/** The form as the officer fills it: every value a string as typed, dates as dd/MM/yyyy. */
export type DeskValues = {
  kind: 'register' | 'update' | 'stop';
  /** Tên cơ quan/tổ chức/cá nhân (the person's full name) */
  fullName: string;
  /** Mã số bảo hiểm xã hội: may stay empty at a desk (the service resolves it by the ID number) */
  bhxhCode: string;
  /** Mã thẻ BHYT: a helper, its last 10 digits fill the code; not sent */
  bhytCard: string;
  idKind: IdKind;
  /** Số CMND/HC/CC */
  idNumber: string;
  /** Số CMND cũ, from the card's QR (kept on the desk; the service has no field for it) */
  oldIdNumber: string;
  dateOfBirth: string;
  gender: Gender | '';
  /** Địa chỉ liên hệ */
  address: string;
  certificateSerial: string;
  certificateIssuer: string;
  certificateFrom: string;
  certificateTo: string;
  contactPerson: string;
  email: string;
  mobile: string;
  /** 1. Đăng ký sử dụng … từ ngày */
  effectiveDate: string;
  channel: 'portal' | 'ivan';
  ivanName: string;
  /** 2. Điều chỉnh thông tin: only what changes */
  updateCertificateSerial: string;
  updateCertificateIssuer: string;
  updateCertificateFrom: string;
  updateCertificateTo: string;
  updateEmail: string;
  updateMobile: string;
  /** 3. Ngừng sử dụng */
  stopDate: string;
  stopReason: string;
};

export type DeskField = keyof DeskValues;

export const EMPTY_DESK_VALUES: Readonly<DeskValues> = {
  kind: 'register',
  fullName: '',
  bhxhCode: '',
  bhytCard: '',
  idKind: 'cccd',
  idNumber: '',
  oldIdNumber: '',
  dateOfBirth: '',
  gender: '',
  address: '',
  certificateSerial: '',
  certificateIssuer: '',
  certificateFrom: '',
  certificateTo: '',
  contactPerson: '',
  email: '',
  mobile: '',
  effectiveDate: '',
  channel: 'portal',
  ivanName: '',
  updateCertificateSerial: '',
  updateCertificateIssuer: '',
  updateCertificateFrom: '',
  updateCertificateTo: '',
  updateEmail: '',
  updateMobile: '',
  stopDate: '',
  stopReason: '',
};

/** The labels of the seed's Mẫu 01 (and the portal's declaration screen), in the form's order. */
export const DESK_LABEL: Readonly<Record<DeskField, string>> = {
  kind: 'Loại tờ khai',
  fullName: 'Tên cơ quan/tổ chức/cá nhân',
  bhxhCode: 'Mã số bảo hiểm xã hội',
  bhytCard: 'Mã thẻ BHYT',
  idKind: 'Loại giấy tờ',
  idNumber: 'Số CMND/HC/CC',
  oldIdNumber: 'Số CMND cũ',
  dateOfBirth: 'Ngày sinh',
  gender: 'Giới tính',
  address: 'Địa chỉ liên hệ',
  certificateSerial: 'Số chứng thư số của cơ quan, tổ chức, cá nhân',
  certificateIssuer: 'Tên tổ chức chứng thực chữ ký số',
  certificateFrom: 'Thời hạn sử dụng chứng thư số: Từ ngày',
  certificateTo: 'Đến ngày',
  contactPerson: 'Người liên hệ',
  email: 'Địa chỉ thư điện tử',
  mobile: 'Điện thoại di động',
  effectiveDate: 'Đăng ký sử dụng phương thức giao dịch điện tử từ ngày',
  channel: 'Đăng ký giao dịch tại',
  ivanName: 'Tên Tổ chức I-VAN',
  updateCertificateSerial: 'Số chứng thư số của cơ quan, tổ chức, cá nhân',
  updateCertificateIssuer: 'Tên tổ chức chứng thực chữ ký số',
  updateCertificateFrom: 'Thời hạn sử dụng chứng thư số: Từ ngày',
  updateCertificateTo: 'Đến ngày',
  updateEmail: 'Địa chỉ thư điện tử',
  updateMobile: 'Số điện thoại di động',
  stopDate: 'Ngày ngừng giao dịch điện tử trong lĩnh vực bảo hiểm xã hội từ ngày',
  stopReason: 'Lý do ngừng',
};

/** The service's fields of a 422 (API.md) → the form's field that holds each. */
export const SERVICE_FIELD_TO_DESK: Readonly<Record<string, DeskField>> = {
  fullName: 'fullName',
  bhxhCode: 'bhxhCode',
  idNumber: 'idNumber',
  idKind: 'idKind',
  dateOfBirth: 'dateOfBirth',
  gender: 'gender',
  address: 'address',
  contactPerson: 'contactPerson',
  email: 'email',
  mobile: 'mobile',
  'certificate.serial': 'certificateSerial',
  'certificate.issuer': 'certificateIssuer',
  'certificate.validFrom': 'certificateFrom',
  'certificate.validTo': 'certificateTo',
  ivanName: 'ivanName',
  effectiveDate: 'effectiveDate',
  update: 'updateEmail',
  'update.email': 'updateEmail',
  'update.mobile': 'updateMobile',
  'update.certificate.serial': 'updateCertificateSerial',
  'update.certificate.issuer': 'updateCertificateIssuer',
  'update.certificate.validFrom': 'updateCertificateFrom',
  'update.certificate.validTo': 'updateCertificateTo',
  stop: 'stopDate',
  'stop.stopDate': 'stopDate',
  'stop.reason': 'stopReason',
};

const NAME = /^[\p{L}\p{M}]+(?:[ .'-][\p{L}\p{M}]+)*\.?$/u;
const FREE_TEXT = /^[\p{L}\p{M}\p{N} ,./\-()'#&:+]*$/u;

type Fields = Partial<Record<DeskField, string>>;

function text(
  fields: Fields,
  key: DeskField,
  raw: string,
  opts: { max: number; required?: boolean; name?: boolean; label?: string },
): string | null {
  const label = opts.label ?? DESK_LABEL[key];
  const v = cleanText(raw);
  if (!v) {
    if (opts.required) fields[key] = `${label} là bắt buộc.`;
    return null;
  }
  if (v.length > opts.max) fields[key] = `${label} dài tối đa ${opts.max} ký tự.`;
  else if (opts.name && !NAME.test(v)) fields[key] = `${label} chỉ được gồm chữ cái và dấu cách.`;
  else if (!opts.name && !FREE_TEXT.test(v))
    fields[key] = `${label} chứa ký tự không được phép (như < > ; " hoặc ký tự điều khiển).`;
  return v;
}

/** dd/MM/yyyy (or ddMMyyyy) → YYYY-MM-DD; '' stays null; a refusal goes into `fields`. */
function date(fields: Fields, key: DeskField, raw: string, required = false): string | null {
  const v = raw.trim();
  if (!v) {
    if (required) fields[key] = `${DESK_LABEL[key]} là bắt buộc.`;
    return null;
  }
  const d = parseVietnameseDate(v, key === 'dateOfBirth' ? 'Ngày sinh' : 'Ngày');
  if (!d.ok) {
    fields[key] = d.message;
    return null;
  }
  return d.value;
}

function certificate(
  fields: Fields,
  keys: readonly [DeskField, DeskField, DeskField, DeskField],
  values: readonly string[],
): DeclarationRequest['certificate'] {
  const [serialRaw = '', issuerRaw = '', fromRaw = '', toRaw = ''] = values;
  if (![serialRaw, issuerRaw, fromRaw, toRaw].some((v) => v.trim() !== '')) return null;
  const [kSerial, kIssuer, kFrom, kTo] = keys;
  const serial = serialRaw.trim();
  if (!/^[A-Za-z0-9:-]{1,64}$/u.test(serial))
    fields[kSerial] = serial
      ? 'Số chứng thư số chỉ gồm chữ cái và chữ số.'
      : 'Nhập số chứng thư số (hoặc để trống cả mục chứng thư số).';
  const issuer = text(fields, kIssuer, issuerRaw, { max: 200, required: true }) ?? '';
  const from = date(fields, kFrom, fromRaw, true);
  const to = date(fields, kTo, toRaw, true);
  if (from && to && to < from) fields[kTo] = 'Ngày hết hiệu lực phải sau ngày bắt đầu.';
  return { serial, issuer, validFrom: from ?? '', validTo: to ?? '' };
}

export type DeskCheck = {
  /** the refused fields, each with the Vietnamese sentence of the rule it breaks */
  fields: Fields;
  /** the intake body when nothing is refused (clientId, desk, declaredAt and agency filled in) */
  request: DeclarationRequest | null;
  /** the mobile number as stored (E.164), for display */
  mobile: string | null;
};

export type DeskContext = {
  clientId: string;
  agencyCode: string;
  deskName: string;
  /** the desk's time of declaring (ISO 8601) */
  declaredAt: string;
  /** today on the desk's clock, YYYY-MM-DD (a birth date after it is refused) */
  today: string;
};

/**
 * Every rule of the form at once. The BHXH code may be empty (the service resolves it by the ID
 * number); a BHYT card number, when typed, must have its shape and agree with the code.
 */
export function checkDeskValues(v: Readonly<DeskValues>, c: DeskContext): DeskCheck {
  const fields: Fields = {};
  const fullName = text(fields, 'fullName', v.fullName, { max: 100, required: true, name: true });
  let bhxhCode: string | null = null;
  if (v.bhxhCode.trim()) {
    const code = checkBhxhCode(v.bhxhCode);
    if (!code.ok) fields.bhxhCode = code.message;
    else bhxhCode = code.value;
  }
  if (v.bhytCard.trim()) {
    const card = parseBhytCardNumber(v.bhytCard);
    if (!card.ok) fields.bhytCard = card.message;
    else if (bhxhCode && card.value.bhxhCode !== bhxhCode)
      fields.bhytCard = `Mã thẻ BHYT mang mã số BHXH ${card.value.bhxhCode}, khác mã số BHXH đã nhập (${bhxhCode}).`;
  }
  let idNumber: string | null = null;
  if (!v.idNumber.trim()) fields.idNumber = `${DESK_LABEL.idNumber} là bắt buộc.`;
  else {
    const id = checkIdNumber(v.idKind, v.idNumber);
    if (!id.ok) fields.idNumber = id.message;
    else idNumber = id.value;
  }
  const dateOfBirth = date(fields, 'dateOfBirth', v.dateOfBirth, true);
  if (dateOfBirth && (dateOfBirth > c.today || dateOfBirth < '1900-01-01'))
    fields.dateOfBirth = 'Ngày sinh không hợp lý.';
  if (!v.gender) fields.gender = 'Chọn giới tính.';
  if (v.idKind === 'cccd' && idNumber && !fields.dateOfBirth && dateOfBirth) {
    const agree = checkCccdAgainstPerson(idNumber, dateOfBirth, v.gender || null);
    if (!agree.ok) fields.idNumber = agree.message;
  }
  if (v.oldIdNumber.trim()) {
    const old = checkIdNumber('cmnd', v.oldIdNumber);
    if (!old.ok) fields.oldIdNumber = old.message;
  }
  const address = text(fields, 'address', v.address, { max: 300, required: true });
  const cert = certificate(
    fields,
    ['certificateSerial', 'certificateIssuer', 'certificateFrom', 'certificateTo'],
    [v.certificateSerial, v.certificateIssuer, v.certificateFrom, v.certificateTo],
  );
  const contactPerson = text(fields, 'contactPerson', v.contactPerson, {
    max: 100,
    required: true,
    name: true,
  });
  let email: string | null = null;
  if (v.email.trim()) {
    const e = checkEmail(v.email);
    if (!e.ok) fields.email = e.message;
    else email = e.value;
  }
  let mobile: string | null = null;
  if (!v.mobile.trim()) fields.mobile = `${DESK_LABEL.mobile} là bắt buộc.`;
  else {
    const m = checkMobile(v.mobile);
    if (!m.ok) fields.mobile = m.message;
    else mobile = m.value;
  }
  const effectiveDate = date(fields, 'effectiveDate', v.effectiveDate);
  let ivanName: string | null = null;
  if (v.channel === 'ivan') ivanName = text(fields, 'ivanName', v.ivanName, { max: 200, required: true });
  let update: DeclarationRequest['update'] = null;
  if (v.kind === 'update') {
    const u: NonNullable<DeclarationRequest['update']> = {};
    const uc = certificate(
      fields,
      ['updateCertificateSerial', 'updateCertificateIssuer', 'updateCertificateFrom', 'updateCertificateTo'],
      [v.updateCertificateSerial, v.updateCertificateIssuer, v.updateCertificateFrom, v.updateCertificateTo],
    );
    if (uc) u.certificate = uc;
    if (v.updateEmail.trim()) {
      const e = checkEmail(v.updateEmail);
      if (!e.ok) fields.updateEmail = e.message;
      else u.email = e.value;
    }
    if (v.updateMobile.trim()) {
      const m = checkMobile(v.updateMobile);
      if (!m.ok) fields.updateMobile = m.message;
      else u.mobile = m.value;
    }
    if (!uc && !v.updateEmail.trim() && !v.updateMobile.trim())
      fields.updateEmail =
        'Tờ khai điều chỉnh phải nêu ít nhất một thông tin thay đổi (chứng thư số, thư điện tử hoặc điện thoại).';
    update = u;
  }
  let stop: DeclarationRequest['stop'] = null;
  if (v.kind === 'stop') {
    const stopDate = date(fields, 'stopDate', v.stopDate, true);
    const reason = text(fields, 'stopReason', v.stopReason, { max: 500, required: true });
    stop = { stopDate: stopDate ?? '', reason: reason ?? '' };
  }
  if (Object.keys(fields).length > 0) return { fields, request: null, mobile };
  return {
    fields,
    mobile,
    request: {
      clientId: c.clientId,
      kind: v.kind,
      agencyCode: c.agencyCode,
      fullName: fullName ?? '',
      bhxhCode,
      idKind: v.idKind,
      idNumber: idNumber ?? '',
      dateOfBirth: dateOfBirth ?? undefined,
      gender: v.gender || undefined,
      address: address ?? '',
      contactPerson: contactPerson ?? '',
      email,
      mobile: mobile ?? '',
      certificate: cert,
      channel: v.channel,
      ivanName,
      ...(effectiveDate ? { effectiveDate } : {}),
      update,
      stop,
      submissionMethod: 'mobile_desk',
      deskName: c.deskName,
      declaredAt: c.declaredAt,
    },
  };
}

/** YYYY-MM-DD → dd/MM/yyyy, as the form shows a date taken from a card. */
export function toFormDate(iso: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(iso ?? '');
  return m ? `${m[3]}/${m[2]}/${m[1]}` : '';
}

/** What a card gave the form: the values and where each came from (the form marks them). */
export type FieldSource = { from: 'qr' | 'ocr' | 'bhyt' | 'registry'; confidence: number };
export type CardValues = {
  values: Partial<DeskValues>;
  sources: Partial<Record<DeskField, FieldSource>>;
  warnings: string[];
};

/** Recognised fields → the form's fields. */
const FROM_RECOGNIZED: Readonly<Partial<Record<RecognizedField, DeskField>>> = {
  idNumber: 'idNumber',
  oldIdNumber: 'oldIdNumber',
  fullName: 'fullName',
  dateOfBirth: 'dateOfBirth',
  gender: 'gender',
  address: 'address',
  bhxhCode: 'bhxhCode',
  mobile: 'mobile',
  email: 'email',
};

/** OCR fields under this confidence are not suggested at all (they would be noise). */
const MIN_SUGGESTION = 0.3;

/**
 * The form's fields from an ID card's recognition: a CCCD QR gives exact values (`qr`), OCR of the
 * card's front suggestions with their confidence (`ocr`). A QR whose number disagrees with its own
 * birth year or gender is refused (parseCccdQr lowers the number's confidence then): the officer must
 * look at the card, and the form is left as it was.
 */
export function cardValues(r: Recognition): { ok: true; value: CardValues } | { ok: false; message: string } {
  const exact = r.kind === 'cccd_qr';
  if (exact && (r.confidence.idNumber ?? 1) < 1)
    return {
      ok: false,
      message: `Mã QR của thẻ CCCD không nhất quán: ${r.warnings[0] ?? 'số CCCD không khớp ngày sinh hoặc giới tính.'} Kiểm tra thẻ gốc; biểu mẫu không thay đổi.`,
    };
  if (r.kind !== 'cccd_qr' && r.kind !== 'cccd_front' && r.kind !== 'cmnd')
    return { ok: false, message: 'Đây không phải thẻ CCCD/CMND: không lấy được thông tin cho tờ khai.' };
  const values: Partial<DeskValues> = {};
  const sources: CardValues['sources'] = {};
  const put = (field: DeskField, value: string, confidence: number): void => {
    (values as Record<string, string>)[field] = value;
    sources[field] = { from: exact ? 'qr' : 'ocr', confidence };
  };
  for (const [name, raw] of Object.entries(r.fields) as Array<[RecognizedField, string | undefined]>) {
    const field = FROM_RECOGNIZED[name];
    if (!field || !raw) continue;
    const confidence = r.confidence[name] ?? (exact ? 1 : 0);
    if (!exact && confidence < MIN_SUGGESTION) continue;
    put(field, name === 'dateOfBirth' ? toFormDate(raw) : raw, confidence);
  }
  if (values.idNumber) {
    values.idKind = r.kind === 'cmnd' ? 'cmnd' : 'cccd';
    if (sources.idNumber) sources.idKind = sources.idNumber;
  }
  if (values.fullName) put('contactPerson', values.fullName, sources.fullName?.confidence ?? 1);
  return { ok: true, value: { values, sources, warnings: r.warnings } };
}
