// Realistic synthetic Vietnamese declarations for benchmarks, demos and tests. Deterministic for a
// seed. Names use every tone mark (huyền, sắc, hỏi, ngã, nặng) and đ; codes, CCCD numbers and mobile
// numbers pass identity.ts; addresses use the two-tier units in force since 1 July 2025.

import { checkCccdAgainstPerson, checkMobile, type Gender } from './identity.js';

/** mulberry32: small, fast, good enough for test data. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAMILY = [
  'Nguyễn',
  'Trần',
  'Lê',
  'Phạm',
  'Hoàng',
  'Huỳnh',
  'Phan',
  'Vũ',
  'Võ',
  'Đặng',
  'Bùi',
  'Đỗ',
  'Hồ',
  'Ngô',
  'Dương',
  'Lý',
  'Đinh',
  'Trịnh',
  'Mạc',
  'Tạ',
];
const MIDDLE_M = ['Văn', 'Hữu', 'Đức', 'Minh', 'Quốc', 'Thành', 'Xuân', 'Ngọc', 'Đình', 'Thế'];
const MIDDLE_F = ['Thị', 'Ngọc', 'Thu', 'Thanh', 'Kim', 'Mỹ', 'Hồng', 'Diệu', 'Bảo', 'Thuỳ'];
const GIVEN_M = [
  'Biên',
  'Triều',
  'Tỏi',
  'Dũng',
  'Hùng',
  'Khải',
  'Lãm',
  'Mỹ',
  'Nghĩa',
  'Phước',
  'Quảng',
  'Sỹ',
  'Tuấn',
  'Vĩnh',
  'Đạt',
  'Kiệt',
  'Lộc',
  'Hưởng',
  'Cường',
  'Thắng',
];
const GIVEN_F = [
  'Các',
  'Cương',
  'Nguyệt',
  'Nhung',
  'Hà',
  'Thảo',
  'Ngân',
  'Diễm',
  'Hạnh',
  'Trâm',
  'Tuyết',
  'Yến',
  'Ánh',
  'Quỳnh',
  'Mẫn',
  'Lụa',
  'Huệ',
  'Thuỷ',
  'Oanh',
  'Hoà',
];
const STREETS = [
  'Duy Tân',
  'Lê Lợi',
  'Trần Hưng Đạo',
  'Nguyễn Trãi',
  'Lý Thường Kiệt',
  'Phố Vọng',
  'Hoàng Quốc Việt',
  'Điện Biên Phủ',
  'Võ Thị Sáu',
  'Hai Bà Trưng',
];
const UNITS: ReadonlyArray<readonly [string, string]> = [
  ['Phường Ba Đình', 'Thành phố Hà Nội'],
  ['Phường Hà Đông', 'Thành phố Hà Nội'],
  ['Xã Phúc Thọ', 'Thành phố Hà Nội'],
  ['Phường Sài Gòn', 'Thành phố Hồ Chí Minh'],
  ['Phường Hải Châu', 'Thành phố Đà Nẵng'],
  ['Xã Bảo Lạc', 'Tỉnh Cao Bằng'],
  ['Phường Thuận Hóa', 'Thành phố Huế'],
  ['Phường Ninh Kiều', 'Thành phố Cần Thơ'],
  ['Phường Biên Hòa', 'Thành phố Đồng Nai'],
  ['Xã Đắk Mil', 'Tỉnh Lâm Đồng'],
];
// Province prefixes of CCCD (old table) paired with plausible BHXH code prefixes.
const CCCD_PREFIX = ['001', '004', '031', '038', '040', '046', '048', '079', '092', '096'];
const MOBILE_PREFIX = ['98', '97', '96', '91', '90', '88', '86', '39', '35', '70', '77', '81', '56', '59'];
const EMAIL_DOMAINS = ['gmail.com', 'example.vn', 'vss.gov.vn', 'yahoo.com.vn'];

export type SyntheticPerson = {
  fullName: string;
  bhxhCode: string;
  idKind: 'cccd';
  idNumber: string;
  dateOfBirth: string;
  gender: Gender;
  address: string;
  mobile: string; // 0xxxxxxxxx as declared
  email: string | null;
};

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)] as T;
}

function digits(rnd: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(rnd() * 10));
  return s;
}

/** Strip diacritics for e-mail local parts. */
function ascii(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/gu, '')
    .replace(/[đĐ]/gu, 'd')
    .toLowerCase();
}

export function syntheticPerson(rnd: () => number, index = 0): SyntheticPerson {
  const gender: Gender = rnd() < 0.5 ? 'Nam' : 'Nữ';
  const family = pick(rnd, FAMILY);
  const middle = pick(rnd, gender === 'Nam' ? MIDDLE_M : MIDDLE_F);
  const given = pick(rnd, gender === 'Nam' ? GIVEN_M : GIVEN_F);
  const fullName = `${family} ${middle} ${given}`;
  const year = 1960 + Math.floor(rnd() * 46); // 1960–2005
  const month = 1 + Math.floor(rnd() * 12);
  const day = 1 + Math.floor(rnd() * 28);
  const dateOfBirth = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const centuryDigit = (year >= 2000 ? 2 : 0) + (gender === 'Nam' ? 0 : 1);
  const idNumber = `${pick(rnd, CCCD_PREFIX)}${centuryDigit}${String(year % 100).padStart(2, '0')}${digits(rnd, 6)}`;
  // Index in the code keeps codes unique across a large batch.
  const bhxhCode = `${String(1 + Math.floor(rnd() * 96)).padStart(2, '0')}${String(index % 100000000).padStart(8, '0')}`;
  const [ward, province] = pick(rnd, UNITS);
  const address = `Số ${1 + Math.floor(rnd() * 300)} ${pick(rnd, STREETS)}, ${ward}, ${province}`;
  const mobile = `0${pick(rnd, MOBILE_PREFIX)}${digits(rnd, 7)}`;
  const email = rnd() < 0.4 ? `${ascii(given)}.${ascii(family)}${index}@${pick(rnd, EMAIL_DOMAINS)}` : null;
  return { fullName, bhxhCode, idKind: 'cccd', idNumber, dateOfBirth, gender, address, mobile, email };
}

/** N persons, each passing the domain checks (asserted here, so a generator bug fails loudly). */
export function syntheticPeople(count: number, seed = 2020): SyntheticPerson[] {
  const rnd = createRandom(seed);
  const out: SyntheticPerson[] = [];
  for (let i = 0; i < count; i++) {
    const p = syntheticPerson(rnd, i);
    const cccd = checkCccdAgainstPerson(p.idNumber, p.dateOfBirth, p.gender);
    if (!cccd.ok) throw new Error(`synthetic CCCD inconsistent: ${cccd.message}`);
    if (!checkMobile(p.mobile).ok) throw new Error(`synthetic mobile invalid at ${i}`);
    out.push(p);
  }
  return out;
}

/** Every Vietnamese tone mark on every vowel, for wrapping and OCR stress tests. */
export const ALL_TONES_NAME =
  'Đặng Thị Ánh Hằng Lữ Thuỳ Ỷ Phượng Ngữ Ưng Đoàn Ẩn Ấm Ầu Ẫy Ậu Ắc Ằm Ẳn Ẵng Ặp Ếch Ềnh Ểu Ễnh Ệt Ốc Ồn Ổi Ỗ Ộp Ớt Ờ Ở Ỡ Ợ Ứ Ừ Ử Ữ Ự Ý Ỳ Ỷ Ỹ Ỵ';
