// Parser of the chip ID card's QR (DOMAIN.md): `CCCD|oldCMND|name|ddmmyyyy|gender|address|ddmmyyyy`,
// tolerant of the variants met in the wild (6 fields without the issue date, 5 without the CMND
// field, newer cards with more fields) and strict about what it returns: a 12-digit number with a
// real province code, real dates, gender Nam/Nữ, clean Unicode text. Pure: no I/O.

import {
  checkCccdAgainstPerson,
  checkIdNumber,
  parseCccd,
  parseVietnameseDate,
} from '../../contract/identity.js';
import type { Recognition, RecognizedFields, ScanErrorInfo } from '../../contract/scan.js';
import { SCAN_ERROR_MESSAGE } from '../../contract/scan.js';
import { cleanText } from '../../contract/text.js';
import { detectLegacyText } from './legacyText.js';

export type CccdQrResult =
  { ok: true; recognition: Recognition; extraFields: string[] } | { ok: false; error: ScanErrorInfo };

const fail = (detail: string, code: 'qr_invalid' | 'legacy_encoding' = 'qr_invalid'): CccdQrResult => ({
  ok: false,
  error: { code, message: SCAN_ERROR_MESSAGE[code], detail },
});

/** Does this text look like an ID card QR at all (so a reader scan can be routed without parsing)? */
export function looksLikeCccdQr(text: string): boolean {
  return /^\s*\d{9,12}\|/u.test(text);
}

function normaliseGender(raw: string): 'Nam' | 'Nữ' | null {
  const v = cleanText(raw).toLocaleLowerCase('vi');
  if (v === 'nam') return 'Nam';
  if (v === 'nữ') return 'Nữ';
  return null;
}

export function parseCccdQr(input: string): CccdQrResult {
  // Readers end a scan with CR/LF; some prepend a BOM or AIM symbology identifier "]Q1".
  const text = input
    .normalize('NFC')
    .replace(/^\uFEFF/u, '')
    .replace(/^\]Q\d/u, '')
    .replace(/[\r\n\0]+$/u, '')
    .trim();
  if (text.length === 0) return fail('Mã QR rỗng.');
  if (text.length > 2000) return fail('Mã QR dài bất thường (hơn 2000 ký tự).');
  const parts = text.split('|').map((p) => p.trim());
  if (parts.length < 5) {
    return fail(`Mã QR chỉ có ${parts.length} trường; thẻ CCCD có 5 đến 7 trường phân cách bằng "|".`);
  }

  // Field 1 is the old CMND (digits or empty) unless the card omits it: then it is already the name.
  const hasCmndField = parts[1] === '' || /^\d+$/u.test(parts[1] ?? '');
  const [idRaw, cmndRaw, name, dob, genderRaw, address, issue, ...extra] = hasCmndField
    ? parts
    : [parts[0], '', ...parts.slice(1)];

  const warnings: string[] = [];
  const id = parseCccd(idRaw ?? '');
  if (!id.ok) return fail(`Trường đầu tiên "${idRaw ?? ''}" không phải số CCCD hợp lệ: ${id.message}`);

  const dateOfBirth = parseVietnameseDate(dob ?? '', 'Ngày sinh');
  if (!dateOfBirth.ok) return fail(`Ngày sinh trong mã QR không hợp lệ: ${dateOfBirth.message}`);
  let issueDate: string | undefined;
  if (issue !== undefined && issue !== '') {
    const parsedIssue = parseVietnameseDate(issue, 'Ngày cấp');
    if (!parsedIssue.ok) return fail(`Ngày cấp trong mã QR không hợp lệ: ${parsedIssue.message}`);
    if (parsedIssue.value < dateOfBirth.value) return fail('Ngày cấp trong mã QR đứng trước ngày sinh.');
    issueDate = parsedIssue.value;
  }

  const gender = normaliseGender(genderRaw ?? '');
  if (gender === null) {
    const legacyGender = detectLegacyText(genderRaw ?? '', { strict: true });
    if (legacyGender.legacy)
      return fail(`Giới tính "${genderRaw ?? ''}": ${legacyGender.reason}.`, 'legacy_encoding');
    return fail(`Giới tính "${genderRaw ?? ''}" không phải "Nam" hoặc "Nữ".`);
  }

  const fullName = cleanText(name ?? '');
  if (fullName === '') return fail('Mã QR không có họ và tên.');
  const legacyName = detectLegacyText(fullName, { strict: true });
  if (legacyName.legacy) return fail(`Họ và tên: ${legacyName.reason}.`, 'legacy_encoding');
  const cleanAddress = cleanText(address ?? '');
  const legacyAddress = detectLegacyText(cleanAddress);
  if (legacyAddress.legacy) return fail(`Địa chỉ: ${legacyAddress.reason}.`, 'legacy_encoding');

  const fields: RecognizedFields = {
    idNumber: idRaw ?? '',
    fullName,
    dateOfBirth: dateOfBirth.value,
    gender,
  };
  if (cleanAddress !== '') fields.address = cleanAddress;
  if (issueDate !== undefined) fields.issueDate = issueDate;
  const cmnd = (cmndRaw ?? '').trim();
  if (cmnd !== '') {
    const checked = checkIdNumber('cmnd', cmnd);
    if (checked.ok) fields.oldIdNumber = checked.value;
    else warnings.push(`Số CMND cũ "${cmnd}" trong mã QR không hợp lệ (${checked.message}); đã bỏ qua.`);
  }
  const consistent = checkCccdAgainstPerson(fields.idNumber ?? '', fields.dateOfBirth, gender);
  if (!consistent.ok) warnings.push(consistent.message);
  if (extra.length > 0)
    warnings.push(`Mã QR có thêm ${extra.length} trường chưa biết; đã giữ nguyên văn bản gốc.`);

  const confidence: Recognition['confidence'] = {};
  for (const key of Object.keys(fields) as Array<keyof RecognizedFields>) confidence[key] = 1;
  // A card whose number disagrees with its own birth year or gender is suspicious: lower the number's weight.
  if (!consistent.ok) confidence.idNumber = 0.5;

  return {
    ok: true,
    recognition: { kind: 'cccd_qr', fields, confidence, source: 'qr_image', warnings, raw: text },
    extraFields: extra.map((e) => e ?? ''),
  };
}
