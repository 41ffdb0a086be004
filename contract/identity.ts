// Identity numbers, phones, e-mail and dates: the checks of DOMAIN.md, each returning a Vietnamese
// message when the value is refused. Pure functions: used by the service, the workstation and scanner/.

/** Birth-registration province codes of the chip ID (old 63-province table; never remapped). */
export const CCCD_PROVINCES: Readonly<Record<string, string>> = {
  '001': 'Hà Nội', '002': 'Hà Giang', '004': 'Cao Bằng', '006': 'Bắc Kạn', '008': 'Tuyên Quang',
  '010': 'Lào Cai', '011': 'Điện Biên', '012': 'Lai Châu', '014': 'Sơn La', '015': 'Yên Bái',
  '017': 'Hòa Bình', '019': 'Thái Nguyên', '020': 'Lạng Sơn', '022': 'Quảng Ninh', '024': 'Bắc Giang',
  '025': 'Phú Thọ', '026': 'Vĩnh Phúc', '027': 'Bắc Ninh', '030': 'Hải Dương', '031': 'Hải Phòng',
  '033': 'Hưng Yên', '034': 'Thái Bình', '035': 'Hà Nam', '036': 'Nam Định', '037': 'Ninh Bình',
  '038': 'Thanh Hóa', '040': 'Nghệ An', '042': 'Hà Tĩnh', '044': 'Quảng Bình', '045': 'Quảng Trị',
  '046': 'Thừa Thiên Huế', '048': 'Đà Nẵng', '049': 'Quảng Nam', '051': 'Quảng Ngãi', '052': 'Bình Định',
  '054': 'Phú Yên', '056': 'Khánh Hòa', '058': 'Ninh Thuận', '060': 'Bình Thuận', '062': 'Kon Tum',
  '064': 'Gia Lai', '066': 'Đắk Lắk', '067': 'Đắk Nông', '068': 'Lâm Đồng', '070': 'Bình Phước',
  '072': 'Tây Ninh', '074': 'Bình Dương', '075': 'Đồng Nai', '077': 'Bà Rịa - Vũng Tàu',
  '079': 'TP. Hồ Chí Minh', '080': 'Long An', '082': 'Tiền Giang', '083': 'Bến Tre', '084': 'Trà Vinh',
  '086': 'Vĩnh Long', '087': 'Đồng Tháp', '089': 'An Giang', '091': 'Kiên Giang', '092': 'Cần Thơ',
  '093': 'Hậu Giang', '094': 'Sóc Trăng', '095': 'Bạc Liêu', '096': 'Cà Mau',
}; // prettier-ignore

export type Gender = 'Nam' | 'Nữ';
export type IdKind = 'cccd' | 'cmnd' | 'passport';

/** A check's answer: the normalised value, or a Vietnamese message for the user. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = <T>(message: string): Checked<T> => ({ ok: false, message });

export function checkBhxhCode(raw: string): Checked<string> {
  const v = raw.trim();
  if (!/^\d{10}$/u.test(v)) return bad('Mã số BHXH phải gồm đúng 10 chữ số.');
  return ok(v);
}

/** Parsed chip-ID number: province, century and gender, two-digit birth year. */
export type CccdParts = {
  provinceCode: string;
  provinceName: string | null;
  bornAbroad: boolean;
  gender: Gender;
  /** first year of the century the gender digit encodes (1900, 2000, …) */
  century: number;
  yearOfBirth: number;
};

export function parseCccd(raw: string): Checked<CccdParts> {
  const v = raw.trim();
  if (!/^\d{12}$/u.test(v)) return bad('Số CCCD phải gồm đúng 12 chữ số.');
  const provinceCode = v.slice(0, 3);
  const bornAbroad = provinceCode[0] !== '0';
  const provinceName = CCCD_PROVINCES[provinceCode] ?? null;
  if (!bornAbroad && provinceName === null) {
    return bad(`Số CCCD có mã tỉnh nơi đăng ký khai sinh "${provinceCode}" không tồn tại.`);
  }
  const g = Number(v[3]);
  const century = 1900 + Math.floor(g / 2) * 100;
  const gender: Gender = g % 2 === 0 ? 'Nam' : 'Nữ';
  return ok({
    provinceCode,
    provinceName,
    bornAbroad,
    gender,
    century,
    yearOfBirth: century + Number(v.slice(4, 6)),
  });
}

export function checkIdNumber(kind: IdKind, raw: string): Checked<string> {
  const v = raw.trim();
  switch (kind) {
    case 'cccd': {
      const parsed = parseCccd(v);
      return parsed.ok ? ok(v) : bad(parsed.message);
    }
    case 'cmnd':
      if (!/^(\d{9}|\d{12})$/u.test(v)) return bad('Số CMND phải gồm 9 hoặc 12 chữ số.');
      return ok(v);
    case 'passport':
      if (!/^[A-Z0-9]{6,12}$/iu.test(v)) return bad('Số hộ chiếu phải gồm 6 đến 12 chữ cái hoặc chữ số.');
      return ok(v.toUpperCase());
    default: {
      const never: never = kind;
      return bad(`Loại giấy tờ không hợp lệ: ${String(never)}.`);
    }
  }
}

/** A CCCD must agree with the declared date of birth (century + year) and gender. */
export function checkCccdAgainstPerson(
  idNumber: string,
  dateOfBirth: string | null | undefined,
  gender: Gender | null | undefined,
): Checked<true> {
  const parsed = parseCccd(idNumber);
  if (!parsed.ok) return bad(parsed.message);
  if (dateOfBirth) {
    const year = Number(dateOfBirth.slice(0, 4));
    if (year !== parsed.value.yearOfBirth) {
      return bad(
        `Số CCCD ghi năm sinh ${parsed.value.yearOfBirth}, không khớp với ngày sinh đã khai (năm ${year}).`,
      );
    }
  }
  if (gender && gender !== parsed.value.gender) {
    return bad(`Số CCCD ghi giới tính ${parsed.value.gender}, không khớp với giới tính đã khai (${gender}).`);
  }
  return ok(true);
}

// Valid Vietnamese mobile national numbers (9 digits), from libphonenumber's metadata (DOMAIN.md).
const VN_MOBILE_NATIONAL =
  /^(?:(?:5(?:2[238]|59)|89[6-9]|99[013-9])\d{6}|(?:3\d|5[1689]|7[06-9]|8[1-8]|9[0-8])\d{7})$/u;

/** Accepts 0xxxxxxxxx, +84xxxxxxxxx, 84xxxxxxxxx, 0084xxxxxxxxx (spaces, dots, dashes allowed); returns E.164. */
export function checkMobile(raw: string): Checked<string> {
  const compact = raw.trim().replace(/[\s.\-()]/gu, '');
  let national: string | null = null;
  if (/^\+84\d{9}$/u.test(compact)) national = compact.slice(3);
  else if (/^0084\d{9}$/u.test(compact)) national = compact.slice(4);
  else if (/^84\d{9}$/u.test(compact)) national = compact.slice(2);
  else if (/^0\d{9}$/u.test(compact)) national = compact.slice(1);
  if (national === null || !VN_MOBILE_NATIONAL.test(national)) {
    return bad(
      'Số điện thoại di động không hợp lệ: cần 10 chữ số bắt đầu bằng 0 (hoặc dạng +84) của một nhà mạng di động Việt Nam.',
    );
  }
  return ok(`+84${national}`);
}

/** E.164 or legacy text → the way the UI shows it: "0983 847 986". Legacy values are shown as they are. */
export function formatMobile(value: string | null | undefined): string {
  if (!value) return '';
  const m = /^\+84(\d{3})(\d{3})(\d{3})$/u.exec(value);
  if (m) return `0${m[1]} ${m[2]} ${m[3]}`;
  return value;
}

/**
 * A phone as screens and sheets show it: the national form grouped "0983 847 986", never +84
 * (stored numbers are E.164; legacy values that are no mobile number are shown as they are).
 */
export function displayMobile(value: string | null | undefined): string {
  if (!value) return '';
  const checked = checkMobile(value);
  return checked.ok ? formatMobile(checked.value) : value;
}

/** The marker beside a phone that is no Vietnamese mobile number (legacy rows, the seed's "1231231"). */
export const MOBILE_NOT_VALID = 'không hợp lệ';

/**
 * A phone for a screen: the national form when it is a Vietnamese mobile number, else exactly as
 * declared with `valid: false`, so the screen marks it instead of letting "1231231" pass for a phone.
 */
export function shownMobile(value: string | null | undefined): { text: string; valid: boolean } {
  if (!value) return { text: '', valid: true };
  const checked = checkMobile(value);
  return checked.ok ? { text: formatMobile(checked.value), valid: true } : { text: value, valid: false };
}

/** shownMobile as one line of text (tables of changes, Đối chiếu): "1231231 (không hợp lệ)". */
export function markedMobile(value: string | null | undefined): string {
  const m = shownMobile(value);
  return m.valid ? m.text : `${m.text} (${MOBILE_NOT_VALID})`;
}

/**
 * A phone as the declarant wrote it on Mẫu 01: the national form without grouping, "0983847986"
 * (E.164 back to 0…; anything else exactly as declared).
 */
export function declaredMobile(value: string | null | undefined): string {
  if (!value) return '';
  const m = /^\+84(\d{9})$/u.exec(value.trim());
  return m ? `0${m[1]}` : value;
}

const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/u;

export function checkEmail(raw: string): Checked<string> {
  const v = raw.trim();
  if (v.length > 254 || !EMAIL.test(v)) return bad('Địa chỉ thư điện tử không hợp lệ.');
  return ok(v.toLowerCase());
}

/** A real calendar date in YYYY-MM-DD form (31/02 is refused). */
export function checkIsoDate(raw: string, label = 'Ngày'): Checked<string> {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(raw.trim());
  if (!m) return bad(`${label} phải có dạng năm-tháng-ngày (YYYY-MM-DD).`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    return bad(`${label} không có thật trên lịch.`);
  }
  return ok(m[0]);
}

/** dd/mm/yyyy or ddmmyyyy (as on the ID card's QR) → YYYY-MM-DD, refusing impossible dates. */
export function parseVietnameseDate(raw: string, label = 'Ngày'): Checked<string> {
  const m = /^(\d{2})\/?(\d{2})\/?(\d{4})$/u.exec(raw.trim());
  if (!m) return bad(`${label} phải có dạng ngày/tháng/năm (dd/MM/yyyy).`);
  return checkIsoDate(`${m[3]}-${m[2]}-${m[1]}`, label);
}

/** An ID number or phone masked for logs and audit summaries: only the last three digits stay. */
export function maskId(value: string | null | undefined): string {
  if (!value) return '';
  return value.length <= 4 ? '****' : `${'*'.repeat(value.length - 3)}${value.slice(-3)}`;
}
