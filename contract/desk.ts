// What a mobile registration desk needs beside the checks of identity.ts, as pure functions shared by
// the service, the workstation and the renderer: the health-insurance (BHYT) card number, whose last
// 10 digits are the person's BHXH code (DOMAIN.md); the provisional reference (Mã tạm) printed on a
// declaration before the service has given it a dossier number; and the rules of a registry search
// (Tra cứu mã số BHXH: by ID number, or by full name and date of birth together).

import { checkIsoDate, type Checked } from './identity.js';
import { cleanText } from './text.js';

// ---------------------------------------------------------------- BHYT card number

/** A BHYT card number's parts: `GD 4 01 0113098765` (cards issued since 2018). */
export type BhytCard = {
  /** the 15 characters, upper case, no spaces */
  number: string;
  /** Mã đối tượng, 2 letters (DN, HT, GD, …) */
  group: string;
  /** Mức hưởng, 1–5 */
  benefitLevel: number;
  /** the issuing province's 2-digit code */
  provinceCode: string;
  /** the last 10 digits: the person's BHXH code */
  bhxhCode: string;
};

const bad = <T>(message: string): Checked<T> => ({ ok: false, message });

/**
 * Parses a BHYT card number (spaces, dots and dashes between its parts allowed, letters in either
 * case). A refusal names the part that is wrong, from the left: the length, the 2-letter group, the
 * benefit level (1–5), the province's 2 digits, or the 10 digits of the BHXH code.
 */
export function parseBhytCardNumber(raw: string): Checked<BhytCard> {
  const v = raw
    .normalize('NFC')
    .replace(/[\s.\-_/]/gu, '')
    .toUpperCase();
  if (v.length === 0) return bad('Chưa nhập mã thẻ BHYT.');
  if ([...v].length !== 15)
    return bad(
      `Mã thẻ BHYT phải gồm đúng 15 ký tự: 2 chữ cái, 1 chữ số mức hưởng, 2 chữ số mã tỉnh và 10 chữ số mã số BHXH (đang có ${[...v].length} ký tự).`,
    );
  if (!/^[A-Z]{2}$/u.test(v.slice(0, 2)))
    return bad(`Hai ký tự đầu của mã thẻ BHYT (mã đối tượng, ví dụ DN, HT, GD) phải là chữ cái.`);
  if (!/^[1-5]$/u.test(v[2]!))
    return bad(`Ký tự thứ 3 của mã thẻ BHYT (mức hưởng) phải là một chữ số từ 1 đến 5.`);
  if (!/^\d{2}$/u.test(v.slice(3, 5)))
    return bad(`Ký tự thứ 4 và 5 của mã thẻ BHYT (mã tỉnh cấp thẻ) phải là 2 chữ số.`);
  if (!/^\d{10}$/u.test(v.slice(5)))
    return bad(`10 ký tự cuối của mã thẻ BHYT (mã số BHXH) phải đều là chữ số.`);
  return {
    ok: true,
    value: {
      number: v,
      group: v.slice(0, 2),
      benefitLevel: Number(v[2]),
      provinceCode: v.slice(3, 5),
      bhxhCode: v.slice(5),
    },
  };
}

// ---------------------------------------------------------------- Mã tạm (provisional reference)

/** Crockford's base32 alphabet: no I, L, O or U, so nothing read aloud or copied by hand is ambiguous. */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;

/**
 * The provisional reference of a declaration, from its clientId (a uuid): the first 40 bits of the
 * uuid (its first 10 hex digits, random in a version-4 uuid) as 8 Crockford base32 characters, shown
 * as `MT-7K3Q-9XWD`. 40 bits make a clash between two declarations of one desk negligible (about one
 * in 2·10⁶ for 1,000 declarations; one in 2·10² for 100,000 across a province): the Mã tạm finds
 * a declaration among a desk's own, and the service's dossier number replaces it once known.
 */
export function provisionalRef(clientId: string): string {
  if (!UUID.test(clientId)) throw new Error('provisionalRef needs a uuid');
  let bits = BigInt(`0x${clientId.slice(0, 8)}${clientId.slice(9, 11)}`);
  let out = '';
  for (let i = 0; i < 8; i++) {
    out = CROCKFORD_ALPHABET[Number(bits & 31n)]! + out;
    bits >>= 5n;
  }
  return `MT-${out.slice(0, 4)}-${out.slice(4)}`;
}

/** A parsed Mã tạm: its canonical form and the first 10 hex digits of the clientIds it stands for. */
export type ProvisionalRef = { ref: string; clientIdPrefix: string };

/**
 * Reads a Mã tạm as typed, scanned or read aloud: `MT-7K3Q-9XWD`, `mt 7k3q 9xwd`, `7K3Q9XWD`;
 * lower case and Crockford's look-alikes (O → 0, I and L → 1) are accepted; U is refused.
 */
export function parseProvisionalRef(raw: string): Checked<ProvisionalRef> {
  let v = raw
    .normalize('NFC')
    .replace(/[\s\-._]/gu, '')
    .toUpperCase();
  if (v.length === 10 && v.startsWith('MT')) v = v.slice(2);
  if (v.length !== 8) return bad('Mã tạm phải có dạng MT-XXXX-XXXX (8 chữ cái hoặc chữ số sau MT).');
  let bits = 0n;
  let canonical = '';
  for (const ch of v) {
    const c = ch === 'O' ? '0' : ch === 'I' || ch === 'L' ? '1' : ch;
    const n = CROCKFORD_ALPHABET.indexOf(c);
    if (n < 0) return bad(`Mã tạm có ký tự không dùng trong mã: "${ch}".`);
    bits = (bits << 5n) | BigInt(n);
    canonical += c;
  }
  return {
    ok: true,
    value: {
      ref: `MT-${canonical.slice(0, 4)}-${canonical.slice(4)}`,
      clientIdPrefix: bits.toString(16).padStart(10, '0'),
    },
  };
}

/** Whether a Mã tạm (as typed) stands for this clientId. */
export function provisionalRefMatches(raw: string, clientId: string): boolean {
  const parsed = parseProvisionalRef(raw);
  return parsed.ok && clientId.replace(/-/gu, '').toLowerCase().startsWith(parsed.value.clientIdPrefix);
}

// ---------------------------------------------------------------- registry search

/** The registry search's query string as received (GET /registry/persons). */
export type RegistrySearchInput = { idNumber?: string; fullName?: string; dateOfBirth?: string };

/** A registry search the service may run: one of the two exact forms. */
export type RegistrySearch =
  { by: 'idNumber'; idNumber: string } | { by: 'name'; fullName: string; dateOfBirth: string };

export type RegistrySearchChecked =
  { ok: true; value: RegistrySearch } | { ok: false; fields: Record<string, string> };

// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * The rules of Tra cứu mã số BHXH: an ID number of 9 or 12 digits (CMND or CCCD; spaces allowed
 * between digit groups), or a full name and a real date of birth together (1900 to `today`), never
 * both forms at once and never a name alone (no partial browse). Each refusal names its field.
 */
export function checkRegistrySearch(q: RegistrySearchInput, today: string): RegistrySearchChecked {
  const fields: Record<string, string> = {};
  const has = (v: string | undefined): v is string => v !== undefined;
  if (has(q.idNumber)) {
    if (has(q.fullName) || has(q.dateOfBirth)) {
      fields.idNumber =
        'Tra cứu theo số CCCD/CMND hoặc theo họ tên và ngày sinh, không dùng cả hai cách cùng lúc.';
      return { ok: false, fields };
    }
    const id = q.idNumber.replace(/[\s.]/gu, '');
    if (!/^(\d{9}|\d{12})$/u.test(id)) {
      fields.idNumber = 'Số CCCD/CMND phải gồm 12 chữ số (CCCD) hoặc 9 chữ số (CMND cũ).';
      return { ok: false, fields };
    }
    return { ok: true, value: { by: 'idNumber', idNumber: id } };
  }
  if (!has(q.fullName) && !has(q.dateOfBirth)) {
    fields.idNumber = 'Nhập số CCCD/CMND, hoặc họ tên cùng ngày sinh để tra cứu mã số BHXH.';
    return { ok: false, fields };
  }
  const name = cleanText(q.fullName ?? '');
  if (!has(q.fullName) || name.replace(/[\u200b-\u200d\u2060\ufeff]/gu, '').trim() === '')
    fields.fullName = 'Họ và tên là bắt buộc khi tra cứu theo ngày sinh.';
  else if (CONTROL.test(name)) fields.fullName = 'Họ và tên chứa ký tự điều khiển không được phép.';
  else if (name.length > 100) fields.fullName = 'Họ và tên dài tối đa 100 ký tự.';
  let dateOfBirth = '';
  if (!has(q.dateOfBirth) || q.dateOfBirth.trim() === '')
    fields.dateOfBirth = 'Ngày sinh là bắt buộc khi tra cứu theo họ tên.';
  else {
    const dob = checkIsoDate(q.dateOfBirth, 'Ngày sinh');
    if (!dob.ok) fields.dateOfBirth = dob.message;
    else if (dob.value < '1900-01-01' || dob.value > today)
      fields.dateOfBirth = 'Ngày sinh phải từ năm 1900 đến hôm nay.';
    else dateOfBirth = dob.value;
  }
  if (Object.keys(fields).length) return { ok: false, fields };
  return { ok: true, value: { by: 'name', fullName: name, dateOfBirth } };
}
