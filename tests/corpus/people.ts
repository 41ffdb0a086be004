// People for the recognition corpus (never real people): deterministic from a seed. Unlike
// contract/synthetic.ts (short, tidy records for the service) these carry what the paper people bring
// carries: four- and five-word names, addresses long enough to wrap onto a second line (village,
// hamlet or street, commune, province; pre-2025 card addresses with a district), e-mail present or
// not, an old 9-digit CMND, and the section 2/3 values of an update or stop declaration.

import { createRandom } from '../../contract/synthetic.js';
import { checkCccdAgainstPerson, checkMobile, type Gender } from '../../contract/identity.js';

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý', 'Đinh', 'Trịnh', 'Tôn', 'Lưu', 'Quách', 'Châu', 'Thái', 'Kiều']; // prettier-ignore
const MIDDLE_M = ['Văn', 'Hữu', 'Đức', 'Minh', 'Quốc', 'Thành', 'Xuân', 'Ngọc', 'Đình', 'Thế', 'Công', 'Phước', 'Trọng', 'Quang']; // prettier-ignore
const MIDDLE_F = ['Thị', 'Ngọc', 'Thu', 'Thanh', 'Kim', 'Mỹ', 'Hồng', 'Diệu', 'Bảo', 'Thuỳ', 'Nữ Thị', 'Thị Ngọc', 'Khánh']; // prettier-ignore
const GIVEN_M = ['Biên', 'Triều', 'Dũng', 'Hùng', 'Khải', 'Nghĩa', 'Phước', 'Quảng', 'Sỹ', 'Tuấn', 'Vĩnh', 'Đạt', 'Kiệt', 'Lộc', 'Hưởng', 'Cường', 'Thắng', 'Đông', 'Khoa', 'Trường', 'Huy Hoàng', 'Anh Tuấn', 'Quý', 'Tiến']; // prettier-ignore
const GIVEN_F = ['Cương', 'Nguyệt', 'Nhung', 'Hà', 'Thảo', 'Ngân', 'Diễm', 'Hạnh', 'Trâm', 'Tuyết', 'Yến', 'Ánh', 'Quỳnh', 'Mẫn', 'Lụa', 'Huệ', 'Thuỷ', 'Oanh', 'Hoà', 'Châu', 'Phương Anh', 'Quỳnh Như', 'Ngọc Hân', 'Hằng']; // prettier-ignore

/**
 * Held-out names (the benchmark's --held-out-names): syllables the corpus's own names never use, so
 * that the card-name reader — whose lists were tuned on the corpus's misreadings — is also measured
 * on names it was not tuned on; the marked ones are in none of the name lists of scanner/ocr/vocabulary.ts.
 */
const HELD_OUT = {
  family: ['Mai', 'Trương', 'Lâm', 'Đào', 'Đoàn', 'Cao', 'Lương', 'Tạ', 'Vương', 'Phùng', 'Chu', 'Nghiêm', 'Khổng', 'Đàm'],
  middleM: ['Hoài', 'Gia', 'Duy', 'Tấn', 'Khắc', 'Bá', 'Mạnh', 'Chí', 'Tiến', 'Việt', 'Trung'],
  middleF: ['Hoài', 'Cẩm', 'Bích', 'Như', 'Phương', 'Huyền', 'Lan', 'Tường', 'Thục', 'Vân'],
  givenM: ['Long', 'Sơn', 'Hiếu', 'Khôi', 'Phong', 'Tùng', 'Nam', 'Quân', 'Thịnh', 'Toàn', 'Hải', 'Lực', 'Bách', 'Hoạt' /* not listed */, 'Khuê' /* not listed */],
  givenF: ['Linh', 'Trang', 'Vy', 'Hương', 'Phượng', 'Thắm', 'Xuyến', 'Liễu', 'Giang', 'Loan', 'Nga', 'Nhàn', 'Tuyền' /* not listed */, 'Thoa' /* not listed */],
}; // prettier-ignore
let pools = { family: FAMILY, middleM: MIDDLE_M, middleF: MIDDLE_F, givenM: GIVEN_M, givenF: GIVEN_F };
/** Draws names from the held-out syllables from now on (the rest of a person is drawn as before). */
export function useHeldOutNames(): void {
  pools = HELD_OUT;
}

/** The 34 provincial units since 1 July 2025 (DOMAIN.md), with the word the address uses. */
export const PROVINCES_34: ReadonlyArray<readonly [string, string]> = [
  ['Thành phố', 'Hà Nội'], ['Tỉnh', 'Cao Bằng'], ['Tỉnh', 'Tuyên Quang'], ['Tỉnh', 'Điện Biên'], ['Tỉnh', 'Lai Châu'],
  ['Tỉnh', 'Sơn La'], ['Tỉnh', 'Lào Cai'], ['Tỉnh', 'Thái Nguyên'], ['Tỉnh', 'Lạng Sơn'], ['Tỉnh', 'Quảng Ninh'],
  ['Tỉnh', 'Bắc Ninh'], ['Tỉnh', 'Phú Thọ'], ['Thành phố', 'Hải Phòng'], ['Tỉnh', 'Hưng Yên'], ['Tỉnh', 'Ninh Bình'],
  ['Tỉnh', 'Thanh Hóa'], ['Tỉnh', 'Nghệ An'], ['Tỉnh', 'Hà Tĩnh'], ['Tỉnh', 'Quảng Trị'], ['Thành phố', 'Huế'],
  ['Thành phố', 'Đà Nẵng'], ['Tỉnh', 'Quảng Ngãi'], ['Tỉnh', 'Gia Lai'], ['Tỉnh', 'Khánh Hòa'], ['Tỉnh', 'Đắk Lắk'],
  ['Tỉnh', 'Lâm Đồng'], ['Thành phố', 'Đồng Nai'], ['Thành phố', 'Hồ Chí Minh'], ['Tỉnh', 'Tây Ninh'], ['Tỉnh', 'Đồng Tháp'],
  ['Tỉnh', 'Vĩnh Long'], ['Tỉnh', 'An Giang'], ['Thành phố', 'Cần Thơ'], ['Tỉnh', 'Cà Mau'],
]; // prettier-ignore

/** Provinces before the reform, for the addresses cards carry. */
const PROVINCES_63_SAMPLE: ReadonlyArray<readonly [string, string]> = [
  ['Thành phố', 'Hà Nội'], ['Tỉnh', 'Hà Giang'], ['Tỉnh', 'Bắc Kạn'], ['Tỉnh', 'Yên Bái'], ['Tỉnh', 'Hòa Bình'],
  ['Tỉnh', 'Bắc Giang'], ['Tỉnh', 'Vĩnh Phúc'], ['Tỉnh', 'Hải Dương'], ['Tỉnh', 'Thái Bình'], ['Tỉnh', 'Hà Nam'],
  ['Tỉnh', 'Nam Định'], ['Tỉnh', 'Quảng Bình'], ['Tỉnh', 'Thừa Thiên Huế'], ['Tỉnh', 'Quảng Nam'], ['Tỉnh', 'Bình Định'],
  ['Tỉnh', 'Phú Yên'], ['Tỉnh', 'Ninh Thuận'], ['Tỉnh', 'Bình Thuận'], ['Tỉnh', 'Kon Tum'], ['Tỉnh', 'Đắk Nông'],
  ['Tỉnh', 'Bình Phước'], ['Tỉnh', 'Bình Dương'], ['Tỉnh', 'Bà Rịa - Vũng Tàu'], ['Tỉnh', 'Long An'], ['Tỉnh', 'Tiền Giang'],
  ['Tỉnh', 'Bến Tre'], ['Tỉnh', 'Trà Vinh'], ['Tỉnh', 'Kiên Giang'], ['Tỉnh', 'Hậu Giang'], ['Tỉnh', 'Sóc Trăng'],
  ['Tỉnh', 'Bạc Liêu'], ['Thành phố', 'Hồ Chí Minh'], ['Thành phố', 'Đà Nẵng'], ['Tỉnh', 'Nghệ An'],
]; // prettier-ignore

const PLACE = ['Phúc Hòa', 'Quỳnh Lưu', 'Châu Thành', 'Đông Anh', 'Thuận An', 'Hòa Bình', 'Tân Phú', 'Phú Nhuận', 'Yên Thế', 'Nghĩa Đàn', 'Hưng Nguyên', 'Diễn Châu', 'Cẩm Lệ', 'Ngũ Hành Sơn', 'Thủ Đức', 'Bến Lức', 'Đức Trọng', 'Krông Pắc', 'Lộc Ninh', 'Mỹ Xuyên', 'Quảng Xương', 'Hoằng Hóa', 'Kỳ Anh', 'Triệu Phong']; // prettier-ignore
const STREETS = ['Duy Tân', 'Lê Lợi', 'Trần Hưng Đạo', 'Nguyễn Trãi', 'Lý Thường Kiệt', 'Hoàng Quốc Việt', 'Điện Biên Phủ', 'Võ Thị Sáu', 'Hai Bà Trưng', 'Nguyễn Thị Minh Khai', 'Phạm Văn Đồng', 'Quang Trung']; // prettier-ignore
const HAMLET = ['Thôn', 'Xóm', 'Ấp', 'Tổ dân phố', 'Bản', 'Khu phố', 'Cụm']; // prettier-ignore
const CCCD_PREFIX = ['001', '004', '008', '019', '022', '027', '031', '036', '038', '040', '042', '046', '048', '052', '056', '066', '068', '075', '079', '083', '089', '092', '096']; // prettier-ignore
const MOBILE_PREFIX = ['98', '97', '96', '91', '90', '88', '86', '39', '35', '33', '70', '77', '81', '84', '56', '59', '94', '83']; // prettier-ignore
const EMAIL_DOMAINS = ['gmail.com', 'example.vn', 'vss.gov.vn', 'yahoo.com.vn', 'outlook.com'];
const STOP_REASONS = ['Không còn nhu cầu giao dịch điện tử', 'Chuyển sang giao dịch qua tổ chức I-VAN', 'Đã có chứng thư số mới, đăng ký lại sau']; // prettier-ignore

export type CorpusPerson = {
  fullName: string;
  gender: Gender;
  dateOfBirth: string;
  bhxhCode: string;
  idNumber: string;
  /** old 9-digit CMND */
  cmnd: string;
  /** today's address (two tiers), as declared on Mẫu 01 */
  address: string;
  /** the pre-reform address a card carries (with a district) */
  cardAddress: string;
  placeOfOrigin: string;
  mobile: string;
  email: string | null;
  cardIssueDate: string;
  updateEmail: string | null;
  updateMobile: string | null;
  stopDate: string;
  stopReason: string;
};

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)] as T;
}
function digits(rnd: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(rnd() * 10));
  return s;
}
function ascii(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/gu, '')
    .replace(/[đĐ]/gu, 'd')
    .toLowerCase();
}
const iso = (y: number, m: number, d: number): string =>
  `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

export function corpusPerson(rnd: () => number, index: number): CorpusPerson {
  const gender: Gender = rnd() < 0.5 ? 'Nam' : 'Nữ';
  const family = pick(rnd, pools.family);
  const middle = pick(rnd, gender === 'Nam' ? pools.middleM : pools.middleF);
  const given = pick(rnd, gender === 'Nam' ? pools.givenM : pools.givenF);
  // A third of the names get a second family name or a longer middle part (Tôn Nữ, Nguyễn Phước …).
  const extra = rnd() < 0.33 ? `${pick(rnd, pools.family)} ` : '';
  const fullName = `${family} ${extra}${middle} ${given}`;
  const year = 1958 + Math.floor(rnd() * 48);
  const dateOfBirth = iso(year, 1 + Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 28));
  const century = (year >= 2000 ? 2 : 0) + (gender === 'Nam' ? 0 : 1);
  const idNumber = `${pick(rnd, CCCD_PREFIX)}${century}${String(year % 100).padStart(2, '0')}${digits(rnd, 6)}`;
  const bhxhCode = `${String(1 + Math.floor(rnd() * 96)).padStart(2, '0')}${digits(rnd, 8)}`;
  const cmnd = `${String(10 + Math.floor(rnd() * 89))}${digits(rnd, 7)}`;
  const [pWord, pName] = pick(rnd, PROVINCES_34);
  const ward = `${rnd() < 0.5 ? 'Xã' : 'Phường'} ${pick(rnd, PLACE)}`;
  const head =
    rnd() < 0.5
      ? `Số ${1 + Math.floor(rnd() * 300)}${rnd() < 0.3 ? `/${1 + Math.floor(rnd() * 40)}` : ''} đường ${pick(rnd, STREETS)}`
      : `${pick(rnd, HAMLET)} ${pick(rnd, PLACE)}`;
  const address = `${head}, ${ward}, ${pWord} ${pName}`;
  const [oWord, oName] = pick(rnd, PROVINCES_63_SAMPLE);
  const district = `${rnd() < 0.5 ? 'Huyện' : 'Quận'} ${pick(rnd, PLACE)}`;
  const cardAddress = `${pick(rnd, HAMLET)} ${pick(rnd, PLACE)}, ${rnd() < 0.5 ? 'Xã' : 'Phường'} ${pick(rnd, PLACE)}, ${district}, ${oWord} ${oName}`;
  const placeOfOrigin = `${rnd() < 0.5 ? 'Xã' : 'Phường'} ${pick(rnd, PLACE)}, ${district}, ${oWord} ${oName}`;
  const mobile = `0${pick(rnd, MOBILE_PREFIX)}${digits(rnd, 7)}`;
  const email =
    rnd() < 0.5
      ? `${ascii(given.replace(/\s/gu, ''))}.${ascii(family)}${index}@${pick(rnd, EMAIL_DOMAINS)}`
      : null;
  const issueYear = 2021 + Math.floor(rnd() * 5);
  const cardIssueDate = iso(issueYear, 1 + Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 28));
  const updateEmail = rnd() < 0.6 ? `${ascii(family)}.${index}moi@${pick(rnd, EMAIL_DOMAINS)}` : null;
  const updateMobile = updateEmail && rnd() < 0.5 ? null : `0${pick(rnd, MOBILE_PREFIX)}${digits(rnd, 7)}`;
  const stopDate = iso(2025 + Math.floor(rnd() * 2), 1 + Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 28));
  const stopReason = pick(rnd, STOP_REASONS);
  return {
    fullName,
    gender,
    dateOfBirth,
    bhxhCode,
    idNumber,
    cmnd,
    address,
    cardAddress,
    placeOfOrigin,
    mobile,
    email,
    cardIssueDate,
    updateEmail,
    updateMobile,
    stopDate,
    stopReason,
  };
}

export function corpusPeople(count: number, seed: number): CorpusPerson[] {
  const rnd = createRandom(seed);
  const out: CorpusPerson[] = [];
  for (let i = 0; i < count; i++) {
    const p = corpusPerson(rnd, i);
    const cccd = checkCccdAgainstPerson(p.idNumber, p.dateOfBirth, p.gender);
    if (!cccd.ok) throw new Error(`corpus CCCD inconsistent: ${cccd.message}`);
    for (const m of [p.mobile, p.updateMobile])
      if (m && !checkMobile(m).ok) throw new Error(`bad mobile ${m}`);
    out.push(p);
  }
  return out;
}
