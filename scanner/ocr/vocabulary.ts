// What is known about the words on these papers, used to correct OCR's tone-mark confusions (Quỳnh →
// Quynh, Châu → Chấu, Đông → Đồng): the 34 provincial units of 2025 and the 63 before them
// (DOMAIN.md), the words of Vietnamese addresses, and the syllables of Vietnamese personal and place
// names (the common ones, about 400: names and place names are drawn from the same Sino-Vietnamese
// stock). A word OCR returns that is not a known syllable is replaced by the one known syllable with
// the same letters once diacritics are folded, and only then; anything else is left as read.
// (The Hunspell dictionary `dictionary-vi` is GPL and cannot ship with the app: this list is ours.)

import { CCCD_PROVINCES } from '../../contract/identity.js';

/** The 34 provincial units since 1 July 2025, as addresses write them (with "Tỉnh"/"Thành phố"). */
export const PROVINCES_2025: readonly string[] = [
  'Hà Nội', 'Cao Bằng', 'Tuyên Quang', 'Điện Biên', 'Lai Châu', 'Sơn La', 'Lào Cai', 'Thái Nguyên',
  'Lạng Sơn', 'Quảng Ninh', 'Bắc Ninh', 'Phú Thọ', 'Hải Phòng', 'Hưng Yên', 'Ninh Bình', 'Thanh Hóa',
  'Nghệ An', 'Hà Tĩnh', 'Quảng Trị', 'Huế', 'Đà Nẵng', 'Quảng Ngãi', 'Gia Lai', 'Khánh Hòa', 'Đắk Lắk',
  'Lâm Đồng', 'Đồng Nai', 'Hồ Chí Minh', 'Tây Ninh', 'Đồng Tháp', 'Vĩnh Long', 'An Giang', 'Cần Thơ', 'Cà Mau',
]; // prettier-ignore

/** Every province name, before and after the reform. */
export const PROVINCE_NAMES: readonly string[] = [
  ...new Set([...PROVINCES_2025, ...Object.values(CCCD_PROVINCES).map((n) => n.replace(/^TP\. /u, ''))]),
];

/** Words of addresses (unit words and the common street words). */
const ADDRESS_WORDS =
  'Số số Thành phố Tỉnh tỉnh Phường phường Xã xã Quận quận Huyện huyện Thị xã trấn Đặc khu Thôn thôn Xóm xóm Ấp ấp Bản bản Tổ tổ dân Khu khu phố Cụm cụm đường Đường ngõ Ngõ ngách hẻm Hẻm tòa nhà Lô lô Tầng tầng Căn hộ Chung cư Tập thể Khối làng Làng';

/**
 * Syllables of personal and place names (with their tone marks), the stock both are made of. Common
 * family names first, then middle and given names, then place-name syllables.
 */
const NAME_SYLLABLES = `
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh Đoàn Lâm Mai Trương Tô Tôn Lưu
Quách Châu Thái Kiều Lương Đào Cao Hà Chu Vương Từ Tạ Mạc Triệu Khổng Âu Diệp La Lã Ông Giang Kim Tăng Văn Hứa Cù
Thân Mẫn Nghiêm Quan Phùng Tống Khúc Lạc Lục Ninh Sầm Thạch Viên Yên Doãn Đàm Đồng Hàn Bạch Bế Nông Lò Sùng Hầu
Thị Hữu Đức Minh Quốc Thành Xuân Ngọc Đình Thế Công Phước Trọng Quang Thu Thanh Mỹ Hồng Diệu Bảo Thuỳ Thùy Nữ
Khánh Anh Tuấn Dũng Hùng Khải Nghĩa Quảng Sỹ Sĩ Vĩnh Đạt Kiệt Lộc Hưởng Cường Thắng Đông Khoa Trường Huy Quý Tiến
Biên Triều Cương Nguyệt Nhung Thảo Ngân Diễm Hạnh Trâm Tuyết Yến Ánh Quỳnh Lụa Huệ Thuỷ Thủy Oanh Hoà Hòa Phương
Như Hân Hằng Hương Lan Linh Loan Ly Mai Nga Nhàn Nhi Phượng Quyên Tâm Thắm Thơ Thúy Thuý Trang Trinh Uyên Vân Vy
Hiền Hoa Huyền Giang Hải Hiếu Hoài Hùng Hưng Khang Khôi Kiên Lâm Long Luân Mạnh Nam Nhân Phát Phong Phú Phúc Quân
Sơn Tài Tân Thiện Thịnh Thông Toàn Trí Trung Tú Tùng Việt Vinh Bình An Ân Bích Cúc Dung Duyên Đào Gấm Hạ Hậu Hiên
Khuê Liên Liễu Lý Mận Mến Miên Ngà Ngần Nguyên Nhạn Nhị Nương Phấn Quế Sen Sương Tiên Trà Tuyền Uyển Xuyến Yên
Bảy Ba Bốn Năm Sáu Tám Chín Mười Út Tí Tèo Cả Hai Thuận Hiệp Lực Lợi Nhật Nhất Quyết Sang Sinh Thạch Thiên Thoại
Tuệ Tường Vỹ Vũ Xương Ý Đăng Đại Đoan Đôn Đông Đống Đường Điền Định Điệp Đỉnh Gia Hiển Hoan Hoằng Hòe Kha Khiêm
Lăng Lễ Lệ Lịch Lĩnh Luyện Mẫn Nhẫn Nhuận Phi Phụng Quỳ Sáng Tạo Thao Thăng Thi Thìn Thìa Thuấn Tín Tịnh Toản
Tri Triết Trịnh Trọng Trực Tuân Tuyên Tưởng Ước Vạn Vượng Xô Xuyên
Phúc Hòa Hoà Quỳnh Lưu Châu Thành Đông Anh Thuận Tân Phú Nhuận Yên Thế Nghĩa Đàn Hưng Nguyên Diễn Cẩm Lệ Ngũ Hành
Thủ Đức Bến Lức Trọng Krông Pắc Lộc Ninh Mỹ Xuyên Quảng Xương Hoằng Hóa Hoá Kỳ Triệu Phong Ba Đình Hoàn Kiếm Đống
Cầu Giấy Tây Hồ Long Biên Hoàng Mai Thanh Xuân Sóc Sơn Mê Linh Gia Lâm Thanh Trì Từ Liêm Hoài Đức Quốc Oai
Thạch Thất Chương Mỹ Ứng Hòa Thường Tín Phú Xuyên Đan Phượng Thọ Bắc Nam Trung Hạ Thượng Tây Đông Tiền Hậu Giữa
Bình Thạnh Gò Vấp Cần Giờ Củ Chi Hóc Môn Nhà Bè Cái Răng Ô Môn Thốt Nốt Vị Thủy Sa Đéc Rạch Giá Cà Mau Bạc Liêu
Sóc Trăng Trà Vinh Bến Tre Mỹ Tho Tân An Biên Hòa Vũng Tàu Bà Rịa Thủ Dầu Một Dĩ An Đồng Xoài Buôn Ma Thuột
Pleiku Kon Tum Đà Lạt Bảo Lộc Phan Rang Phan Thiết Nha Trang Tuy Quy Nhơn Hội An Tam Kỳ Hải Châu Sơn Trà Liên
Chiểu Huế Đông Hà Đồng Hới Vinh Thanh Hóa Ninh Bình Phủ Lý Nam Định Thái Bình Hải Dương Hưng Yên Bắc Ninh Giang
Vĩnh Yên Việt Trì Tuyên Quang Hà Giang Cao Bằng Lạng Sơn Lào Cai Yên Bái Sơn La Điện Biên Lai Châu Hòa Bình Móng
Cái Uông Bí Cẩm Phả Hạ Long Hải Phòng Kiến An Đồ Sơn Thủy Nguyên An Dương Lão Kiên Thụy Tiên Lãng Vĩnh Bảo
Cát Hải Lũng Mèo Vạc Đồng Văn Bảo Lạc Lạc Mường Tè Sìn Hồ Phong Thổ Than Uyên Tam Đường Mộc Châu Quỳnh Nhai
Vườn Rừng Chợ Cửa Bãi Bến Gành Hòn Đảo Suối Sông Núi Đồi Đầm Hồ Ao Vực Cồn Lũy Mũi Vàm Kênh Rạch Ngòi Cống
Bà Bố Mẹ Ông Cậu Chú Mợ Dì Cô Thím Kép Đôi Mới Cũ Lớn Nhỏ Dài Cao Thấp Xa Gần Hay
Trưng Thường Kiệt Phủ Trãi Lợi Đạo Sáu Tông Đản Tăng Bạt Hổ Nguyễn Du Huệ Bạch Đằng Chi Lăng Thủ Khoa Huân
`;

const fold = (w: string): string =>
  w
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/gu, '')
    .replace(/[đĐ]/gu, 'd')
    .toLowerCase();

/** Known words (NFC, lower case) and, per folded form, the known words that fold to it. */
const KNOWN = new Set<string>();
const BY_FOLD = new Map<string, Set<string>>();
function learn(word: string): void {
  const w = word.normalize('NFC');
  const lower = w.toLocaleLowerCase('vi');
  if (!lower || /\d/u.test(lower)) return;
  KNOWN.add(lower);
  const f = fold(lower);
  let set = BY_FOLD.get(f);
  if (!set) BY_FOLD.set(f, (set = new Set()));
  set.add(lower);
}
for (const w of `${NAME_SYLLABLES} ${ADDRESS_WORDS} ${PROVINCE_NAMES.join(' ')}`.split(/[\s,.-]+/u)) learn(w);

/** Whether `word` (any case) is a known syllable. */
export function isKnownSyllable(word: string): boolean {
  return KNOWN.has(word.normalize('NFC').toLocaleLowerCase('vi'));
}

function withCaseOf(model: string, word: string): string {
  if (model === model.toLocaleUpperCase('vi') && model.length > 1) return word.toLocaleUpperCase('vi');
  if (model[0] === model[0]?.toLocaleUpperCase('vi'))
    return (word[0] ?? '').toLocaleUpperCase('vi') + word.slice(1);
  return word;
}

export type Corrected = { text: string; corrections: number; unknown: number };

/**
 * Correct each word that is not a known syllable, and that OCR was unsure of (`unsure`, from its word
 * confidence), to the one known syllable with the same folded letters. Returns how many words were
 * changed and how many stayed unknown (both lower the field's confidence).
 */
export function correctWords(text: string, unsure: (word: string) => boolean = () => true): Corrected {
  let corrections = 0;
  let unknown = 0;
  const out = text.normalize('NFC').replace(/\p{L}+/gu, (word) => {
    const lower = word.toLocaleLowerCase('vi');
    if (KNOWN.has(lower)) return word;
    const candidates = BY_FOLD.get(fold(lower));
    // A word OCR was sure of stays as read: the list cannot hold every syllable (Trưng, Khai, …), and
    // a sure reading of a word it lacks must not be "corrected" into its neighbour.
    if (candidates && candidates.size === 1 && unsure(word)) {
      corrections++;
      return withCaseOf(word, [...candidates][0] as string);
    }
    unknown++;
    return word;
  });
  return { text: out, corrections, unknown };
}

/** Unit words that open a part of an address ("Ấp Bình Hòa, Xã Tân Phú, …"), longest first. */
const ADDRESS_UNITS: ReadonlyArray<readonly string[]> = [
  'Thị trấn', 'Thị xã', 'Thành phố', 'Khu phố', 'Đặc khu', 'Tổ dân phố',
  'Ấp', 'Xã', 'Thôn', 'Xóm', 'Phường', 'Huyện', 'Quận', 'Tỉnh',
].map((u) => u.split(' ')).sort((a, b) => b.length - a.length); // prettier-ignore

/**
 * A part of an address (between commas) opens with a unit word, so a first word there that folds to a
 * unit word and is no syllable at all ("Âp" for Ấp, "Huyen" for Huyện, "Thon" for Thôn) is that unit
 * word, whether OCR was sure of it or not. "Xa" is a syllable (Xa La), so it becomes Xã only before a
 * name of two or more words. Returns how many words were changed (they lower the field's confidence).
 */
export function correctAddressUnits(text: string): { text: string; corrections: number } {
  let corrections = 0;
  const parts = text.normalize('NFC').split(',');
  const out = parts.map((part) => {
    const lead = /^\s*/u.exec(part)?.[0] ?? '';
    const words = part.slice(lead.length).split(/\s+/u).filter(Boolean);
    for (const unit of ADDRESS_UNITS) {
      if (words.length <= unit.length) continue;
      const head = words.slice(0, unit.length);
      if (head.some((w, i) => fold(w) !== fold(unit[i] as string))) continue;
      if (head.join(' ').toLocaleLowerCase('vi') === unit.join(' ').toLocaleLowerCase('vi')) break;
      const noSyllable = head.some((w) => !KNOWN.has(w.toLocaleLowerCase('vi')));
      const xaBeforeName = unit.length === 1 && fold(unit[0] as string) === 'xa' && words.length >= 3;
      if (!noSyllable && !xaBeforeName) break;
      corrections += head.filter((w, i) => w !== unit[i]).length;
      return lead + [...unit, ...words.slice(unit.length)].join(' ');
    }
    return part;
  });
  return { text: out.join(','), corrections };
}

/** The province a text ends with (either era), matched on folded letters: "Tinh Ha Tinh" → "Hà Tĩnh". */
export function provinceAtEnd(text: string): { name: string; start: number } | null {
  const f = fold(text);
  let best: { name: string; start: number } | null = null;
  for (const name of PROVINCE_NAMES) {
    const fn = fold(name);
    if (f.endsWith(fn) && (!best || fn.length > fold(best.name).length)) {
      best = { name, start: text.length - name.length };
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Names in capitals: a candidate search over tone-mark variants
// ---------------------------------------------------------------------------------------------
// A card prints the name in capitals, and tone marks on capitals are small: OCR reads "ĐẶNG" as
// "ĐĂNG", "YẾN" as "YÊN", "TRIỀU" as "TRIỂU" with high confidence, and each misreading can itself be
// a real syllable. Each word's candidates are the known syllables with the same letters once marks
// are folded; each is scored by how many marks it differs from each reading (the page's and the
// name line read again), against how usual it is in that place of a name: family names first, then
// middle names, then given names (a name's roles by position, as DOMAIN.md describes). The lists are
// of common name syllables, not of people; their figures are tiers, not frequencies.

/** Family names, the most common first (about 90 % of people carry one of the first 16). */
const FAMILY_COMMON = 'Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý';
const FAMILY_OTHER = `Đinh Đào Trịnh Đoàn Lâm Mai Trương Tô Lưu Hà Cao Lương Chu Tạ Quách Châu Thái Kiều Tôn
Vương Từ Mạc Triệu Khổng Âu Diệp La Lã Ông Giang Kim Tăng Hứa Cù Thân Nghiêm Phùng Tống Khúc Lạc Lục
Ninh Thạch Viên Doãn Đàm Đồng Hàn Bạch Bế Nông Lò Sùng Hầu Trình Tiêu Uông Lại Phí Nhữ Nhâm Ung Vi Hạ
Mẫn Quan Yên Văn Đường Khương Thiều Lều Lường Tòng Mã Thều`;
/** Middle names (chữ đệm). */
const MIDDLE = `Văn Thị Hữu Đức Minh Ngọc Thanh Quốc Xuân Thu Kim Đình Công Quang Bảo Hồng Mỹ Thế Trọng
Phước Phúc Diệu Thuỳ Thùy Khánh Nữ Anh Hoài Gia Tấn Duy Trung Như Bích Thúy Thuý Tuấn Mạnh Thái Việt
Hoàng Huy Nhật Kiều Cẩm Diễm Hải Phương Hà Lan Tường Thiên Đăng Bá Chí Tiến Vĩnh Trí Thành Ánh Tú
Nguyên Hạnh Huyền Quỳnh Uyên Tuyết Thảo Hoàn Khắc Nhã Thục Trúc Vân Yến Hiền Mai Tâm Lệ Phi Sỹ Sĩ`;
/** Given names (tên). */
const GIVEN = `An Anh Ánh Bích Châu Chi Cúc Dung Duyên Diễm Diệp Giang Hà Hạnh Hằng Hân Hiền Hoa Hoà Hòa
Hồng Huệ Hương Huyền Khanh Khánh Lan Liên Linh Loan Ly Lụa Mai Mẫn My Mỹ Nga Ngân Ngọc Nguyệt Nhàn
Nhi Nhung Như Oanh Phương Phượng Quyên Quỳnh Sương Tâm Thảo Thắm Thanh Thơ Thu Thủy Thuỷ Thúy Thuý
Thùy Thuỳ Trang Trâm Trinh Tuyết Uyên Vân Vy Xuân Yến Trà Diệu Gấm Hậu Lệ Liễu Mơ Nhã Thư Tiên Xuyến
Cương Bảo Bình Biên Cường Công Chiến Dũng Duy Dương Đại Đạt Định Đông Đức Hải Hào Hiếu Hiển Hoàng
Huy Hùng Hưng Hưởng Khải Khang Khoa Khôi Kiên Kiệt Lâm Lộc Long Luân Lực Mạnh Minh Nam Nghĩa Nhân
Nhật Ninh Phát Phong Phú Phúc Phước Quân Quang Quảng Quý Sơn Sỹ Sĩ Tài Tân Thái Thắng Thành Thiện
Thịnh Thông Tiến Toàn Trí Triều Trung Trường Tú Tuấn Tùng Việt Vinh Vĩnh Vũ Thuận Thạch Tín Tường
Đăng Đạo Hiệp Hoan Hợi Khiêm Lợi Lương Nguyên Nhất Quyết Sang Sinh Tấn Thăng Thiên Thuấn Toản
Trọng Tuân Tuệ Tùng Vỹ Vượng Ý Bách Cảnh Danh Dân Giáp Hạ Hòe Hữu Kha Lập Lĩnh Ngạn Nhiên Pháp`;

type Role = 'family' | 'middle' | 'given';
const ROLE_TIER = new Map<string, number>();
const roleKey = (role: Role, word: string): string =>
  `${role}:${word.normalize('NFC').toLocaleLowerCase('vi')}`;
for (const [role, list, tier] of [
  ['family', FAMILY_COMMON, 3],
  ['family', FAMILY_OTHER, 2],
  ['middle', MIDDLE, 2],
  ['given', GIVEN, 2],
] as const) {
  for (const w of list.split(/\s+/u).filter(Boolean)) {
    learn(w);
    const k = roleKey(role, w);
    ROLE_TIER.set(k, Math.max(ROLE_TIER.get(k) ?? 0, tier));
  }
}

const HATS = new Set(['\u0306', '\u0302', '\u031b']);
const TONES = new Set(['\u0300', '\u0301', '\u0309', '\u0303', '\u0323']);

/** How many marks two words with the same folded letters differ by: a hat (ă â ê ô ơ ư đ) or a tone each. */
export function markDistance(a: string, b: string): number {
  const ca = [...a.normalize('NFC').toLocaleLowerCase('vi')];
  const cb = [...b.normalize('NFC').toLocaleLowerCase('vi')];
  if (ca.length !== cb.length) return Math.max(ca.length, cb.length);
  let d = 0;
  for (let i = 0; i < ca.length; i++) {
    if (ca[i] === cb[i]) continue;
    const ma = [...(ca[i] as string).normalize('NFD')];
    const mb = [...(cb[i] as string).normalize('NFD')];
    const hat = (m: string[]): string => (m[0] === 'đ' ? 'đ' : (m.find((c) => HATS.has(c)) ?? ''));
    const tone = (m: string[]): string => m.find((c) => TONES.has(c)) ?? '';
    if (hat(ma) !== hat(mb)) d++;
    if (tone(ma) !== tone(mb)) d++;
  }
  return d;
}

export type ResolvedName = {
  /** the words, title case */
  words: string[];
  /** words whose choice differs from the page's reading */
  changed: number;
  /** words whose best candidate had a close rival (the choice is a guess) */
  ambiguous: number;
  /** words no list knows */
  unknown: number;
};

const titleWord = (w: string): string => {
  const lower = w.normalize('NFC').toLocaleLowerCase('vi');
  return (lower[0] ?? '').toLocaleUpperCase('vi') + lower.slice(1);
};

/**
 * The most likely name given one or more readings of it (each a list of words; the first is the page's
 * and sets the count; others with another count are ignored). `gender` from the card's number: "Thị"
 * is a woman's middle name, "Văn" nearly always a man's.
 */
export function resolveName(
  readings: string[][],
  options: { gender?: 'Nam' | 'Nữ' | null } = {},
): ResolvedName {
  const base = readings[0] ?? [];
  const usable = readings.filter((r) => r.length === base.length);
  let changed = 0;
  let ambiguous = 0;
  let unknown = 0;
  const words = base.map((word, i) => {
    const role: Role = i === 0 ? 'family' : i === base.length - 1 ? 'given' : 'middle';
    const seen = usable.map((r) => r[i] as string).filter((w) => fold(w) === fold(word));
    const candidates = new Set(BY_FOLD.get(fold(word)) ?? []);
    if (candidates.size === 0) {
      unknown++;
      return titleWord(word);
    }
    const scored = [...candidates].map((c) => {
      let prior = ROLE_TIER.get(roleKey(role, c)) ?? 0;
      // A middle word may be a given name's first half ("Phương Anh") or a second family name (the
      // mother's, "Thái Đặng Thị Hà").
      if (role === 'middle')
        prior = Math.max(
          prior,
          (ROLE_TIER.get(roleKey('given', c)) ?? 0) - 1,
          (ROLE_TIER.get(roleKey('family', c)) ?? 0) - 1,
        );
      if (role === 'middle' && options.gender === 'Nam' && c === 'thị') prior -= 3;
      if (role === 'middle' && options.gender === 'Nữ' && c === 'văn') prior -= 2;
      const visual = seen.reduce((s, r) => s + markDistance(c, r), 0);
      return { c, score: prior - 1.5 * visual };
    });
    scored.sort((a, b) => b.score - a.score);
    const best = scored[0] as { c: string; score: number };
    const second = scored[1];
    if (second && best.score - second.score < 0.75) ambiguous++;
    if (best.c !== word.normalize('NFC').toLocaleLowerCase('vi')) changed++;
    return titleWord(best.c);
  });
  return { words, changed, ambiguous, unknown };
}
