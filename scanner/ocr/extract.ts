// Field extraction from OCR lines: Mẫu 01 (the portal's print and ours), the chip ID card's front and
// back (2021 and 2024 layouts, MRZ included) and the old CMND. Labels are found by edit distance on
// diacritic-folded text, so a misread accent does not lose a field; a value runs on over the following
// lines until the next label (an address that wraps); digit fields undo OCR's confusions (O→0, l→1,
// S→5, B→8) and are validated with contract/identity.ts; names and addresses are corrected against
// the vocabulary of vocabulary.ts. Each field carries a confidence from its weakest word, lowered for
// every correction and unknown word, raised by checks it passed (docs/scanner.md has its calibration).

import { DOSSIER_NUMBER_PATTERN } from '../../contract/domain.js';
import {
  checkBhxhCode,
  checkEmail,
  checkIdNumber,
  checkMobile,
  parseCccd,
  parseVietnameseDate,
} from '../../contract/identity.js';
import type { Recognition, RecognitionKind, RecognizedField, RecognizedFields } from '../../contract/scan.js';
import { cleanText } from '../../contract/text.js';
import type { OcrBox, OcrLine, OcrPage, OcrWord } from './pool.js';
import { correctAddressUnits, correctWords, provinceAtEnd, resolveName } from './vocabulary.js';

/** Per-character fold (same length as the input, so offsets map back): no marks, đ→d, lower case. */
export function foldSameLength(value: string): string {
  let out = '';
  for (const ch of value) {
    const base = ch.normalize('NFD').replace(/[\u0300-\u036f]/gu, '');
    const f = (base === '' ? ch : (base[0] ?? ch)).replace(/[đĐ]/u, 'd').toLowerCase();
    out += f.length === 1 ? f : ch;
  }
  return out;
}

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number;
      prev[j] = Math.min(
        (prev[j] as number) + 1,
        (prev[j - 1] as number) + 1,
        diag + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diag = tmp;
    }
  }
  return prev[b.length] as number;
}

const lettersOnly = (s: string): string => s.replace(/[^a-z]/gu, '');

/**
 * If the line starts with `label` (folded, tolerant of ~20% misread letters), the value after it.
 * Code points stay aligned because foldSameLength keeps one character per character.
 */
export function valueAfterLabel(line: string, label: string): string | null {
  const chars = [...line];
  const folded = [...foldSameLength(line)];
  const target = lettersOnly(label);
  const colon = chars.findIndex((c) => c === ':');
  // Candidate ends: the colon if there is one, else each position where the letters seen reach the label's length.
  const ends: number[] = [];
  if (colon > 0) ends.push(colon);
  let seen = 0;
  for (let i = 0; i < folded.length; i++) {
    if (/[a-z]/u.test(folded[i] as string)) seen++;
    if (seen >= target.length - 2 && seen <= target.length + 2) ends.push(i + 1);
    if (seen > target.length + 2) break;
  }
  for (const end of ends) {
    const head = lettersOnly(folded.slice(0, end).join(''));
    if (head.length === 0) continue;
    const distance = editDistance(head, target);
    if (distance <= Math.max(1, Math.floor(target.length * 0.2))) {
      return chars
        .slice(end)
        .join('')
        .replace(/^\s*[:;.]?\s*/u, '')
        .trim();
    }
  }
  return null;
}

/** Digits as OCR misreads them: O/o/D→0, I/l/|/!→1, Z→2, S/s→5, G/b→6, B→8, g/q→9. */
export function ocrDigits(value: string): string {
  return value
    .replace(/[OoDQ]/gu, '0')
    .replace(/[Il|!i\]]/gu, '1')
    .replace(/[Zz]/gu, '2')
    .replace(/[Ss]/gu, '5')
    .replace(/[Gb]/gu, '6')
    .replace(/B/gu, '8')
    .replace(/[gq]/gu, '9')
    .replace(/[^\d]/gu, '');
}

/** The first run of exactly `n` digits in an OCR'd value (spaces inside the run tolerated). */
function digitRun(value: string, lengths: number[]): string | null {
  for (const token of value.split(/[\s,;]+(?=\S{3,})/u)) {
    const d = ocrDigits(token);
    if (lengths.includes(d.length)) return d;
  }
  const all = ocrDigits(value);
  if (lengths.includes(all.length)) return all;
  return null;
}

/** The dossier number anywhere in the text, undoing OCR's usual damage to "00006.GD/2020/903". */
export function findDossierNumber(text: string): string | null {
  const re =
    /([0-9OoIlSB]{5})\s*[.,·:]?\s*[G6C]\s*[DĐÐO0]\s*[/|lI1]\s*([0-9OoIlSB]{4})\s*[/|lI1]\s*([0-9A-Za-z]{1,10})/gu;
  for (const m of text.matchAll(re)) {
    const agency = m[3] ?? '';
    // Agency codes are digits in practice; trailing letters are usually the next word glued on.
    const agencyDigits = /^[0-9OoIlSB]+$/u.test(agency) ? ocrDigits(agency) : agency;
    const candidate = `${ocrDigits(m[1] ?? '')}.GD/${ocrDigits(m[2] ?? '')}/${agencyDigits}`;
    if (DOSSIER_NUMBER_PATTERN.test(candidate)) return candidate;
  }
  return null;
}

/** Vietnamese title case ("NGUYỄN VĂN A" → "Nguyễn Văn A"). */
function titleCase(name: string): string {
  return cleanText(name)
    .toLocaleLowerCase('vi')
    .split(' ')
    .map((w) => (w ? (w[0] ?? '').toLocaleUpperCase('vi') + w.slice(1) : w))
    .join(' ');
}

/** Classify a page by its printed title and labels. */
export function classifyText(text: string): RecognitionKind | null {
  const f = foldSameLength(text).replace(/\s+/gu, '');
  if (/mauso01|tokhai|masobaohiemxahoi|giaodichdientu/u.test(f)) return 'mau01';
  if (/dacdiemnhandang|noicutru|ngaythangnamcap|idvnm|ngontro/u.test(f)) return 'cccd_back';
  if (/cancuoc|identitycard|sodinhdanh/u.test(f)) return 'cccd_front';
  if (/chungminhnhandan|chungminhnhan|dkhk/u.test(f)) return 'cmnd';
  return null;
}

export type Builder = {
  fields: RecognizedFields;
  confidence: Partial<Record<RecognizedField, number>>;
  warnings: string[];
  /** where each field was read (page pixels), for zone re-reads */
  zones: Partial<Record<RecognizedField, OcrBox>>;
  /** a card's name line in capitals, as read on the page (settled by settleCardName) */
  nameReading?: { words: string[]; line: OcrLine };
};

/** The words of `line` that make up `value` (by position of the value at the line's end). */
function valueWords(line: OcrLine, value: string): OcrWord[] {
  const words = (line.words ?? []).filter((w) => w.text.trim() !== '');
  const n = value.split(/\s+/u).filter(Boolean).length;
  return n > 0 ? words.slice(Math.max(0, words.length - n)) : [];
}

/**
 * A field's confidence from the words it was read from: the weakest word counts (one misread letter
 * makes the field wrong), lowered for every correction the value needed and for words no check or
 * vocabulary could vouch for. `validated`: the value passed a check that random misreads rarely pass
 * (a CCCD consistent with the card's birth date, a valid mobile range).
 */
function confidenceOf(
  parts: ReadonlyArray<{ line: OcrLine; value: string }>,
  adjust: { corrections?: number; unknown?: number; validated?: boolean; cap?: number } = {},
): number {
  let weakest = 100;
  for (const { line, value } of parts) {
    const words = valueWords(line, value);
    const c = words.length ? Math.min(...words.map((w) => w.confidence)) : line.confidence;
    weakest = Math.min(weakest, c);
  }
  let c = weakest / 100;
  // tesseract's word confidences run high: 90 is typical of a word with one letter wrong.
  c = Math.max(0, Math.min(1, (c - 0.55) / 0.4));
  c *= 0.93 ** (adjust.corrections ?? 0);
  c *= 0.85 ** (adjust.unknown ?? 0);
  if (adjust.validated) c = Math.min(1, c + 0.05);
  if (adjust.cap !== undefined) c = Math.min(c, adjust.cap);
  return Math.round(c * 100) / 100;
}

function unionBox(lines: ReadonlyArray<{ bbox: OcrBox }>): OcrBox {
  return {
    x0: Math.min(...lines.map((l) => l.bbox.x0)),
    y0: Math.min(...lines.map((l) => l.bbox.y0)),
    x1: Math.max(...lines.map((l) => l.bbox.x1)),
    y1: Math.max(...lines.map((l) => l.bbox.y1)),
  };
}

/** The box of a line's words that hold digits (the value of "Mã số …: 0113098765"), or the line's. */
function digitZone(line: OcrLine): OcrBox {
  const words = (line.words ?? []).filter((w) => /\d{2}/u.test(w.text));
  return words.length ? unionBox(words) : line.bbox;
}

function set<K extends RecognizedField>(
  b: Builder,
  key: K,
  value: RecognizedFields[K] | null | undefined,
  confidence: number,
  zone?: OcrBox,
): void {
  if (value === undefined || value === null || value === '' || b.fields[key] !== undefined) return;
  b.fields[key] = value;
  b.confidence[key] = confidence;
  if (zone) b.zones[key] = zone;
}

// ---------------------------------------------------------------------------------------------
// Mẫu 01
// ---------------------------------------------------------------------------------------------

type Mau01Label =
  | 'fullName'
  | 'bhxhCode'
  | 'idNumber'
  | 'address'
  | 'certificate'
  | 'certificateIssuer'
  | 'certificateValidity'
  | 'noCertificate'
  | 'contactPerson'
  | 'email'
  | 'mobile'
  | 'legal'
  | 'section1'
  | 'effective'
  | 'channel'
  | 'portal'
  | 'ivan'
  | 'ivanName'
  | 'section2'
  | 'updateNote'
  | 'section3'
  | 'stop'
  | 'stopReason'
  | 'commitment'
  | 'signature';

/** The form's labels in print order (folded); markers end the multi-line value before them. */
const MAU01_LABELS: ReadonlyArray<readonly [Mau01Label, string[]]> = [
  ['fullName', ['ten co quan/to chuc/ca nhan', 'ho va ten']],
  ['bhxhCode', ['ma so bao hiem xa hoi', 'ma so bhxh']],
  ['idNumber', ['so cmnd/hc/cc', 'so cmnd/cccd', 'so cmnd/hcc']],
  ['address', ['dia chi lien he']],
  ['certificate', ['so chung thu so cua co quan, to chuc, ca nhan']],
  ['certificateIssuer', ['ten to chuc chung thuc chu ky so']],
  ['certificateValidity', ['thoi han su dung chung thu so']],
  ['noCertificate', ['ca nhan toi khong co chung thu so']],
  ['contactPerson', ['nguoi lien he']],
  ['email', ['dia chi thu dien tu']],
  ['mobile', ['dien thoai di dong', 'so dien thoai di dong']],
  ['legal', ['theo nghi dinh so']],
  // before section1: its letters begin with section 1's title
  ['effective', ['dang ky su dung phuong thuc giao dich dien tu']],
  ['section1', ['1. dang ky su dung:']],
  ['channel', ['dang ky giao dich tai']],
  ['portal', ['cong thong tin dien tu cua bao hiem xa hoi viet nam']],
  ['ivan', ['to chuc i-van']],
  ['ivanName', ['ten to chuc i-van']],
  ['section2', ['2. dieu chinh thong tin']],
  ['updateNote', ['chi ghi nhung noi dung co thay doi']],
  ['section3', ['3. ngay ngung su dung phuong thuc giao dich']],
  ['stop', ['ngay ngung giao dich dien tu']],
  ['stopReason', ['ly do ngung']],
  ['commitment', ['co quan/to chuc/ca nhan toi cam ket']],
  ['signature', ['chu ky so cua co quan']],
];

/**
 * Leading list marks OCR returns before a label: "- ", "+ ", a checkbox (☐ ☒ read as X, O, 0, #, K,
 * "[1", "L1", "L]"…).
 */
function stripListMark(text: string): string {
  return text.replace(/^\s*(?:[-–—+•*#☐☒☑□■]|[XxOo0K]\b|\(\s*\)|\[\s*[xX]?\s*\]|[[L(|][1lI|\]])?\s*/u, '');
}

const SECTION_NUMBER: Partial<Record<Mau01Label, string>> = { section1: '1', section2: '2', section3: '3' };

/** The label a line starts with (and the value after it), or null. */
function labelOf(text: string): { label: Mau01Label; value: string } | null {
  const t = stripListMark(text);
  for (const [label, names] of MAU01_LABELS) {
    // A section's title must carry its number: the form's title line has the same words.
    const number = SECTION_NUMBER[label];
    if (number && !new RegExp(`^\\s*${number}\\s*[.,]`, 'u').test(t)) continue;
    for (const name of names) {
      const value = valueAfterLabel(t, name);
      if (value !== null) return { label, value };
      // A numbered title's first words are enough (the layout reader returns only the head of a
      // section's title): "2. Điều chỉnh" can begin nothing else on the form.
      if (number && sectionHead(t, name)) return { label, value: '' };
    }
  }
  return null;
}

/**
 * Whether `text` (after its section number) begins with the title `name`'s first letters: 6 to 10 of
 * them, as many as the text has.
 */
function sectionHead(text: string, name: string): boolean {
  const letters = lettersOnly(foldSameLength(text));
  const n = Math.min(10, letters.length);
  return n >= 6 && editDistance(letters.slice(0, n), lettersOnly(name).slice(0, n)) <= 1;
}

/**
 * For the layout reader, what a line whose head (its first ~15 % of the text's width) reads `head`
 * is: null when it starts with no label of the form; otherwise whether it is a wanted field's line
 * (`keep`), whether it must be read whole (`whole`: a wanted field's value; a section's title or an
 * unwanted label is known from its head alone), whether its head stands for it among the lines
 * (`title`: a section's title) and how many lines after it may continue its value
 * (a wrapped address). A head cut inside its label still matches: only the label's first letters
 * are compared.
 */
export function mau01LineNeed(
  head: string,
): { keep: boolean; whole: boolean; title: boolean; continuation: number } | null {
  const letters = lettersOnly(foldSameLength(stripListMark(head)));
  if (letters.length < 4) return null;
  const NEED: Partial<Record<Mau01Label, number>> = {
    fullName: 0,
    bhxhCode: 0,
    idNumber: 0,
    address: 2,
    contactPerson: 0,
    email: 0,
    mobile: 0,
    effective: 1,
    stop: 1,
    stopReason: 1,
  };
  for (const [label, names] of MAU01_LABELS) {
    // A section's title carries its number: "- Ngày ngừng…" (the stop date's line) begins with the
    // same letters as "3. Ngày ngừng sử dụng…", and a head cut short cannot tell them apart otherwise.
    const number = SECTION_NUMBER[label];
    if (number && !new RegExp(`^\\s*${number}`, 'u').test(stripListMark(head))) continue;
    for (const name of names) {
      const target = lettersOnly(name);
      const n = Math.min(target.length, letters.length);
      // A numbered section's title is known by fewer letters: a checkbox before it takes the room.
      if (n < Math.min(number ? 6 : 8, target.length)) continue;
      const d = editDistance(letters.slice(0, n), target.slice(0, n));
      if (d <= Math.max(1, Math.floor(n * 0.2))) {
        const continuation = NEED[label];
        if (continuation !== undefined) return { keep: true, whole: true, title: false, continuation };
        // A section's title tells the contact's e-mail from section 2's: its head is kept as a line
        // (`title`). Any other label is not read, but it ends the value of the line above it.
        return { keep: false, whole: false, title: number !== undefined, continuation: 0 };
      }
    }
  }
  return null;
}

/** "ngày 10 tháng 8 năm 2020" or "10/08/2020" in OCR'd text → YYYY-MM-DD. */
export function findDate(value: string): string | null {
  const f = foldSameLength(value);
  const spelled = /ngay\s*([0-9OoIlSB]{1,2})\s*thang\s*([0-9OoIlSB]{1,2})\s*nam\s*([0-9OoIlSB]{4})/u.exec(f);
  const numeric = /([0-9OoIl]{1,2})\s*[/.-]\s*([0-9OoIl]{1,2})\s*[/.-]\s*([0-9OoIl]{4})/u.exec(value);
  const m = spelled ?? numeric;
  if (!m) return null;
  const [d, mo, y] = [ocrDigits(m[1] ?? ''), ocrDigits(m[2] ?? ''), ocrDigits(m[3] ?? '')];
  const parsed = parseVietnameseDate(`${d.padStart(2, '0')}/${mo.padStart(2, '0')}/${y}`);
  return parsed.ok ? parsed.value : null;
}

/**
 * Mail domains common in Vietnam: an OCR'd domain one or two letters from one of these is that one
 * ("gmai1.com", "vss.gov,vn"), and a reading whose "@" was lost ends with one ("hoa.le02gmail.com").
 */
const COMMON_DOMAINS = [
  'gmail.com',
  'yahoo.com',
  'yahoo.com.vn',
  'outlook.com',
  'hotmail.com',
  'icloud.com',
  'vss.gov.vn',
  'baohiemxahoi.gov.vn',
  'fpt.vn',
  'fpt.com.vn',
  'viettel.vn',
  'vnpt.vn',
];

/** An OCR'd e-mail: spaces and stray brackets out ("ten(@mail" → "ten@mail"), lower case, checked. */
export function cleanEmail(value: string): string | null {
  let compact = value
    .replace(/\s+/gu, '')
    // Addresses are printed in lower case: a capital I among lower-case letters is an l ("Iy34").
    .replace(/I(?=[^A-Z]*$)/gu, (i, at: number, all: string) => (/[a-z]/u.test(all) ? 'l' : i))
    .replace(/[([{]@/gu, '@')
    .replace(/@[)\]}]/gu, '@')
    // "@" read as another round sign
    .replace(/[©®]/gu, '@')
    .replace(/[,;:.)]+$/u, '')
    .toLowerCase();
  if (!compact.includes('@')) {
    const domain = COMMON_DOMAINS.filter((d) => compact.endsWith(d) && compact.length > d.length + 1).sort(
      (a, b) => b.length - a.length,
    )[0];
    if (!domain) return null;
    compact = `${compact.slice(0, compact.length - domain.length)}@${domain}`;
  }
  const at = compact.lastIndexOf('@');
  let local = compact.slice(0, at).replace(/@/gu, '');
  let domain = compact.slice(at + 1).replace(/,/gu, '.');
  // A comma or a doubled dot in the local part is OCR's dot.
  local = local.replace(/,/gu, '.').replace(/\.{2,}/gu, '.');
  const near = COMMON_DOMAINS.map((d) => ({ d, e: editDistance(domain, d) })).sort((a, b) => a.e - b.e)[0];
  if (near && near.e > 0 && near.e <= (near.d.length >= 9 ? 2 : 1)) domain = near.d;
  const checked = checkEmail(`${local}@${domain}`);
  return checked.ok ? checked.value : null;
}

/** An OCR'd mobile ("0983 847 986", "0983.847.986", "+84 983…") → E.164, or null. */
export function cleanMobile(value: string): string | null {
  const head = value.trim().split(/\s{3,}/u)[0] ?? '';
  const digits = ocrDigits(head.replace(/^\+/u, ''));
  const checked = checkMobile(head.trim().startsWith('+') ? `+${digits}` : digits);
  return checked.ok ? checked.value : null;
}

/** Words OCR read with a confidence under 90: only those may be corrected by the vocabulary. */
function unsureWords(parts: ReadonlyArray<{ line: OcrLine }> = []): (word: string) => boolean {
  const sure = new Set<string>();
  const seen = new Set<string>();
  for (const { line } of parts)
    for (const w of line.words ?? []) {
      for (const piece of w.text.normalize('NFC').match(/\p{L}+/gu) ?? []) {
        seen.add(piece);
        if (w.confidence >= 90) sure.add(piece);
      }
    }
  // Without word confidences (another engine), every word counts as unsure.
  return (word) => seen.size === 0 || !sure.has(word);
}

function cleanName(
  value: string,
  parts?: ReadonlyArray<{ line: OcrLine }>,
): { text: string; corrections: number; unknown: number; cap?: number } {
  // A name's words are capitalised: a leading lower-case piece is the label's tail ("…cá nh|ân:").
  const raw = cleanText(value.replace(/[^\p{L}\s]/gu, ' ')).replace(/^(?:\p{Ll}\p{L}*\s+)+(?=\p{Lu})/u, '');
  const upper = raw === raw.toLocaleUpperCase('vi');
  // Tone marks on capitals (the cards print names in capitals) are misread with high confidence:
  // there each word's tone marks are chosen among the known syllables by its place in the name.
  if (upper && raw.split(' ').length >= 2) {
    const r = resolveName([raw.split(' ')]);
    return {
      text: r.words.join(' '),
      corrections: r.changed,
      unknown: r.unknown,
      ...(r.ambiguous > 0 ? { cap: 0.6 } : {}),
    };
  }
  const c = upper ? correctWords(titleCase(raw)) : correctWords(raw, unsureWords(parts));
  return { ...c, text: cleanText(c.text) };
}

function cleanAddress(
  value: string,
  parts?: ReadonlyArray<{ line: OcrLine }>,
): { text: string; corrections: number; unknown: number } {
  const raw = cleanText(value)
    // What a card's photo column and guilloche put into the text: the expiry date ("(04/07/2040"),
    // stray marks before the first word ("ô.", "ce-", "."), a dot before a comma.
    .replace(/\s*\(?\b\d{1,2}\/\d{1,2}\/\d{4}\b\)?\s*/gu, ' ')
    .replace(/^(?:[^\p{L}\d]+|\p{Ll}{1,2}[.\-–]+\s*)+/u, '')
    .replace(/\.\s*,/gu, ',')
    .trim()
    .replace(/\s+([,.:])/gu, '$1')
    .replace(/[.:;]\s+(?=(?:Tỉnh|Thành phố|Huyện|Quận|Thị xã|Xã|Phường|Thị trấn)\b)/gu, ', ')
    .replace(/:,/gu, ',')
    .replace(/,(?=\S)/gu, ', ')
    .replace(/[.;:]+$/u, '');
  const units = correctAddressUnits(raw);
  const c = correctWords(units.text, unsureWords(parts));
  const province = provinceAtEnd(c.text);
  let text = c.text;
  if (province) text = text.slice(0, text.length - province.name.length) + province.name;
  return { text: cleanText(text), corrections: c.corrections + units.corrections, unknown: c.unknown };
}

function extractMau01(page: OcrPage, b: Builder): void {
  const lines = page.lines.filter((l) => l.text.trim() !== '');
  const labelled = lines.map((l) => labelOf(l.text));
  // The value of a label: its line's rest, then the following lines that carry no label (a wrapped
  // address, a long reason), up to `maxLines`.
  const valueOf = (
    label: Mau01Label,
    maxLines: number,
    from = 0,
  ): { text: string; parts: Array<{ line: OcrLine; value: string }>; index: number } | null => {
    for (let i = from; i < lines.length; i++) {
      const l = labelled[i];
      if (l?.label !== label) continue;
      const parts = [{ line: lines[i] as OcrLine, value: l.value }];
      for (let j = i + 1; j < lines.length && parts.length < maxLines; j++) {
        if (labelled[j]) break;
        const next = lines[j] as OcrLine;
        // A continuation starts at the left margin, under its label (not a centred signature).
        if (Math.abs(next.bbox.x0 - (lines[i] as OcrLine).bbox.x0) > (next.bbox.y1 - next.bbox.y0) * 3) break;
        // …and right under the line before it: the layout reader leaves out the lines it has no use
        // for (an unwanted label, a paragraph), so a line further down belongs to something else.
        const above = (lines[j - 1] as OcrLine).bbox;
        if (next.bbox.y0 - above.y1 > 0.6 * Math.max(above.y1 - above.y0, next.bbox.y1 - next.bbox.y0)) break;
        parts.push({ line: next, value: next.text });
      }
      return { text: parts.map((p) => p.value).join(' '), parts, index: i };
    }
    return null;
  };
  const zoneOf = (parts: ReadonlyArray<{ line: OcrLine }>): OcrBox => unionBox(parts.map((p) => p.line));

  const number = findDossierNumber(page.text);
  if (number) {
    const line = lines.find((l) => findDossierNumber(l.text) === number);
    set(
      b,
      'dossierNumber',
      number,
      line ? confidenceOf([{ line, value: number }], { validated: true }) : 0.5,
    );
  }
  const name = valueOf('fullName', 1);
  if (name) {
    const c = cleanName(name.text, name.parts);
    set(b, 'fullName', c.text, confidenceOf(name.parts, c), zoneOf(name.parts));
  }
  const bhxh = valueOf('bhxhCode', 1);
  if (bhxh) {
    const digits = digitRun(bhxh.text, [10]);
    if (digits && checkBhxhCode(digits).ok)
      set(
        b,
        'bhxhCode',
        digits,
        confidenceOf(bhxh.parts, { corrections: ocrDigitFixes(bhxh.text) }),
        digitZone(bhxh.parts[0]!.line),
      );
    else b.warnings.push('Không đọc chắc được mã số BHXH trên tờ khai.');
  }
  const id = valueOf('idNumber', 1);
  if (id) {
    const digits = digitRun(id.text, [12, 9]);
    const fixes = ocrDigitFixes(id.text);
    if (digits && digits.length === 12 && parseCccd(digits).ok)
      set(
        b,
        'idNumber',
        digits,
        confidenceOf(id.parts, { corrections: fixes, validated: true }),
        digitZone(id.parts[0]!.line),
      );
    else if (digits && digits.length === 9)
      set(
        b,
        'idNumber',
        digits,
        confidenceOf(id.parts, { corrections: fixes }),
        digitZone(id.parts[0]!.line),
      );
    else if (/^[A-Z]\d{7,8}$/u.test(id.text.replace(/\s/gu, '')))
      set(b, 'idNumber', id.text.replace(/\s/gu, ''), confidenceOf(id.parts), zoneOf(id.parts));
  }
  const address = valueOf('address', 3);
  if (address) {
    const c = cleanAddress(address.text, address.parts);
    set(b, 'address', c.text, confidenceOf(address.parts, c), zoneOf(address.parts));
  }
  const contact = valueOf('contactPerson', 1);
  if (contact) {
    const c = cleanName(contact.text, contact.parts);
    set(b, 'contactPerson', c.text, confidenceOf(contact.parts, c), zoneOf(contact.parts));
  }
  // Section 2 repeats the e-mail and mobile labels: the first ones (before "2. Điều chỉnh") are the
  // contact's, those after it the new values.
  const section2 = labelled.findIndex((l) => l?.label === 'section2');
  const section3 = labelled.findIndex((l) => l?.label === 'section3');
  const before = (i: number | undefined): boolean => i !== undefined && (section2 < 0 || i < section2);
  const email = valueOf('email', 1);
  if (email && before(email.index)) setEmail(b, 'email', email.parts);
  const mobile = valueOf('mobile', 1);
  if (mobile && before(mobile.index)) {
    const value = cleanMobile(mobile.text);
    if (value)
      set(
        b,
        'mobile',
        value,
        confidenceOf(mobile.parts, { corrections: ocrDigitFixes(mobile.text) }),
        digitZone(mobile.parts[0]!.line),
      );
    else if (ocrDigits(mobile.text).length >= 9)
      b.warnings.push('Số điện thoại di động đọc được không hợp lệ.');
  }
  if (section2 >= 0) {
    const newEmail = valueOf('email', 1, section2);
    if (newEmail) setEmail(b, 'updateEmail', newEmail.parts);
    const newMobile = valueOf('mobile', 1, section2);
    const m = newMobile ? cleanMobile(newMobile.text) : null;
    if (newMobile && m) set(b, 'updateMobile', m, confidenceOf(newMobile.parts), zoneOf(newMobile.parts));
  }
  const effective = valueOf('effective', 2);
  if (effective && (section2 < 0 || effective.index < section2)) {
    const date = findDate(effective.text);
    if (date) set(b, 'effectiveDate', date, confidenceOf(effective.parts));
  }
  const stop = valueOf('stop', 2, Math.max(0, section3));
  if (stop) {
    const date = findDate(stop.text);
    if (date) set(b, 'stopDate', date, confidenceOf(stop.parts));
  }
  const reason = valueOf('stopReason', 2, Math.max(0, section3));
  if (reason) {
    const text = cleanText(reason.text.replace(/^[.…\s]+|[.…\s]+$/gu, ''));
    if (/\p{L}{2}/u.test(text)) {
      const c = correctWords(text, unsureWords(reason.parts));
      set(b, 'stopReason', c.text, confidenceOf(reason.parts, c));
    }
  }
  // The kind: the section whose values are filled (the portal prints all three sections).
  const kind = b.fields.stopDate
    ? 'stop'
    : b.fields.updateEmail || b.fields.updateMobile
      ? 'update'
      : b.fields.effectiveDate
        ? 'register'
        : null;
  if (kind) {
    const from: RecognizedField =
      kind === 'stop'
        ? 'stopDate'
        : kind === 'update'
          ? b.fields.updateEmail
            ? 'updateEmail'
            : 'updateMobile'
          : 'effectiveDate';
    set(b, 'dossierKind', kind, b.confidence[from] ?? 0.5);
  }
}

/**
 * An e-mail from its label's line: cleaned (a repair — a "(@", a lost "@" before a common domain, a
 * domain a letter off — counts as a correction), and its zone — the value's own words — kept even when
 * the reading is not an address, so that it is read again with the e-mail's characters only.
 */
function setEmail(
  b: Builder,
  field: 'email' | 'updateEmail',
  parts: Array<{ line: OcrLine; value: string }>,
): void {
  const text = parts.map((p) => p.value).join(' ');
  const words = parts.flatMap((p) => valueWords(p.line, p.value));
  if (words.length === 0 || !/[\p{L}\d]/u.test(text)) return;
  const value = cleanEmail(text);
  const plain = text
    .replace(/\s+/gu, '')
    .replace(/[,;:.)]+$/u, '')
    .toLowerCase();
  if (value) set(b, field, value, confidenceOf(parts, { corrections: value === plain ? 0 : 1 }));
  b.zones[field] = unionBox(words);
}

/** How many characters of `value` OCR's digit fixes had to change (O→0, l→1, …). */
function ocrDigitFixes(value: string): number {
  return (value.match(/[OoDQIl|!i\]ZzSsGbBgq]/gu) ?? []).length > 0
    ? Math.min(
        3,
        (value.replace(/^.*?(?=[0-9OoDQIl|!i\]ZzSsGbBgq]{3})/u, '').match(/[OoDQIl|!i\]ZzSsGbBgq]/gu) ?? [])
          .length,
      )
    : 0;
}

// ---------------------------------------------------------------------------------------------
// ID cards
// ---------------------------------------------------------------------------------------------

/**
 * The value after any of `labels`: the rest of the label's line and then `more` following lines, or —
 * when the label stands alone on its line — the next max(1, more) lines.
 */
function cardValue(
  lines: OcrLine[],
  labels: string[],
  more = 1,
): { text: string; parts: Array<{ line: OcrLine; value: string }> } | null {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as OcrLine;
    for (const label of labels) {
      const value = valueAfterLabel(line.text, label);
      if (value === null) continue;
      const parts: Array<{ line: OcrLine; value: string }> = value !== '' ? [{ line, value }] : [];
      const wanted = value !== '' ? more : Math.max(1, more);
      for (let j = i + 1; j < lines.length && j <= i + wanted; j++) {
        const next = lines[j] as OcrLine;
        parts.push({ line: next, value: continuation(next.text) });
      }
      return parts.length ? { text: parts.map((p) => p.value).join(', '), parts } : null;
    }
  }
  // Not at a line's start: on a card, text from the photo's column (its expiry date) can stand before
  // the label on the same OCR line. Find the label inside the line and take what follows its colon.
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as OcrLine;
    const folded = foldSameLength(line.text);
    for (const label of labels) {
      const words = label.split(/[\s/,]+/u).filter((w) => w.length > 1);
      const head = words.slice(0, 3).join(' ');
      const at = folded.indexOf(head);
      if (at < 0) continue;
      const colon = line.text.indexOf(':', at + head.length);
      const value = colon >= 0 ? line.text.slice(colon + 1).trim() : '';
      const parts: Array<{ line: OcrLine; value: string }> = value !== '' ? [{ line, value }] : [];
      const wanted = value !== '' ? more : Math.max(1, more);
      for (let j = i + 1; j < lines.length && j <= i + wanted; j++)
        parts.push({ line: lines[j] as OcrLine, value: continuation((lines[j] as OcrLine).text) });
      return parts.length ? { text: parts.map((p) => p.value).join(', '), parts } : null;
    }
  }
  return null;
}

/** The words of a line printed in capitals (a card's name): at least two, nearly all letters upper case. */
export function capitalWords(text: string): string[] | null {
  const words = text
    .normalize('NFC')
    .split(/\s+/u)
    .map((w) => w.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, ''))
    .filter((w) => w !== '');
  // Stray marks the photo, the guilloche or a tone mark leave at the ends: short lower-case pieces.
  while (words.length && (words[0] as string) !== (words[0] as string).toLocaleUpperCase('vi')) words.shift();
  while (words.length && words.at(-1) !== words.at(-1)!.toLocaleUpperCase('vi')) words.pop();
  if (words.length < 2 || words.length > 7) return null;
  const letters = words.join('').replace(/[^\p{L}]/gu, '');
  const upper = [...letters].filter((c) => c !== c.toLocaleLowerCase('vi')).length;
  if (letters.length < 4 || upper / letters.length < 0.85 || /\d{3}/u.test(text)) return null;
  // The card's own printed words in capitals are not a name, even misread ("IDENTTY CARD"): a name's
  // words are Vietnamese syllables, so a line with fewer than half of them shaped like one is not.
  const f = foldSameLength(words.join(' '));
  if (/cong hoa|viet nam|can cuoc|cong dan|identity|socialist|doc lap|chung minh|nhan dan|republic/u.test(f))
    return null;
  const shaped = words.filter((w) => SYLLABLE_SHAPE.test(foldSameLength(w))).length;
  if (shaped * 2 < words.length) return null;
  return words;
}

/**
 * The shape of a Vietnamese syllable once its marks are folded: an initial consonant (or none), one
 * to three vowels, a final among c ch m n ng nh p t (or none). "CARD", "IDENTTY" are not.
 */
const SYLLABLE_SHAPE =
  /^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$/u;

/**
 * The line of a chip card's front that holds the name: the first line in capitals after the name's
 * label (or after the number when the label is misread, as the 2024 card's long bilingual label often
 * is) and before the birth date. Found by its place and its capitals, not by reading its label.
 */
export function cardNameLine(lines: OcrLine[]): { line: OcrLine; words: string[] } | null {
  const folded = lines.map((l) => foldSameLength(l.text));
  const labelAt = folded.findIndex((f) =>
    /ho va ten|full name|khai sinh|surname|given name|middle name|chu dem/u.test(f),
  );
  const numberAt = lines.findIndex((l) => /\d{9,12}/u.test(ocrDigits(l.text.replace(/\s/gu, ''))));
  const birthAt = folded.findIndex(
    (f, i) =>
      i > Math.max(labelAt, numberAt) &&
      /birth|ngay.{0,14}sinh|sinh ngay|\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}/u.test(f),
  );
  const from = Math.max(labelAt, numberAt) + 1;
  const to = birthAt >= 0 ? birthAt : lines.length;
  for (let i = from; i < to; i++) {
    const words = capitalWords((lines[i] as OcrLine).text);
    if (words) return { line: lines[i] as OcrLine, words };
  }
  return null;
}

/** A card's continuation line without what the photo's column puts before it (the expiry date). */
function continuation(text: string): string {
  return text.replace(/^[\s\d/.,:;'"|-]+(?=\p{L})/u, '').trim();
}

function findGender(value: string): 'Nam' | 'Nữ' | null {
  const f = foldSameLength(value);
  if (/\bnu\b/u.test(f)) return 'Nữ';
  if (/\bnam\b/u.test(f)) return 'Nam';
  return null;
}

/** The MRZ of a Vietnamese card (3 × 30): the 12-digit number, birth date and sex, check digits verified. */
export function readMrz(text: string): { idNumber?: string; dateOfBirth?: string; gender?: 'Nam' | 'Nữ' } {
  const compact = text.toUpperCase().replace(/[«‹]/gu, '<').replace(/ /gu, '');
  const out: { idNumber?: string; dateOfBirth?: string; gender?: 'Nam' | 'Nữ' } = {};
  const l1 = /I[DO0]VNM([0-9O]{9})([0-9O])([0-9O]{12})/u.exec(compact);
  if (l1) {
    const doc = ocrDigits(l1[1] ?? '');
    const id = ocrDigits(l1[3] ?? '');
    if (mrzCheckDigit(doc) === ocrDigits(l1[2] ?? '') && id.endsWith(doc) && parseCccd(id).ok)
      out.idNumber = id;
  }
  const l2 = /([0-9O]{6})([0-9O])([MF<])([0-9O]{6})([0-9O])VNM/u.exec(compact);
  if (l2) {
    const dob = ocrDigits(l2[1] ?? '');
    if (mrzCheckDigit(dob) === ocrDigits(l2[2] ?? '')) {
      const yy = Number(dob.slice(0, 2));
      const century = out.idNumber ? (Number(out.idNumber[3]) >= 2 ? 2000 : 1900) : yy > 30 ? 1900 : 2000;
      const iso = `${century + yy}-${dob.slice(2, 4)}-${dob.slice(4, 6)}`;
      if (parseVietnameseDate(`${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`).ok)
        out.dateOfBirth = iso;
    }
    if (l2[3] === 'M') out.gender = 'Nam';
    if (l2[3] === 'F') out.gender = 'Nữ';
  }
  return out;
}

function mrzCheckDigit(value: string): string {
  const weights = [7, 3, 1];
  let sum = 0;
  [...value].forEach((c, i) => {
    const v = c === '<' ? 0 : /\d/u.test(c) ? Number(c) : c.charCodeAt(0) - 55;
    sum += v * (weights[i % 3] as number);
  });
  return String(sum % 10);
}

function extractCard(kind: 'cccd_front' | 'cccd_back' | 'cmnd', page: OcrPage, b: Builder): void {
  const lines = page.lines.filter((l) => l.text.trim() !== '');
  if (kind === 'cccd_front' || kind === 'cmnd') {
    // The number: a run of 12 (chip card) or 9/12 (CMND) digits on a line of its own or after "Số".
    const lengths = kind === 'cccd_front' ? [12] : [9, 12];
    for (const line of lines) {
      const tail = line.text.replace(/^.*?(?:[Ss][ốốoOỐ]|No\.?|number\s*:?)\s*[:./]*/iu, '');
      const digits = digitRun(tail, lengths) ?? digitRun(line.text, lengths);
      if (!digits) continue;
      const ok = kind === 'cccd_front' ? parseCccd(digits).ok : checkIdNumber('cmnd', digits).ok;
      if (!ok) continue;
      const words = (line.words ?? []).filter((w) => /\d{3}/u.test(ocrDigits(w.text)));
      const zone = words.length ? unionBox(words) : line.bbox;
      set(
        b,
        'idNumber',
        digits,
        confidenceOf([{ line, value: words.map((w) => w.text).join(' ') || digits }], {
          corrections: ocrDigitFixes(tail),
        }),
        zone,
      );
      break;
    }
    // A chip card's name: the line in capitals between the number and the birth date (its label is
    // often misread); its tone marks are settled by resolveName once the number gives the sex.
    const nameLine = kind === 'cccd_front' ? cardNameLine(lines) : null;
    if (nameLine) {
      b.nameReading = { words: nameLine.words, line: nameLine.line };
      b.zones.fullName = nameLine.line.bbox;
    }
    const name =
      kind === 'cccd_front'
        ? cardValue(lines, [
            'ho va ten/full name',
            'ho, chu dem va ten khai sinh/surname, middle name and given name',
            'ho, chu dem va ten khai sinh',
            'ho va ten',
          ])
        : cardValue(lines, ['ho ten', 'ho va ten']);
    if (name && !nameLine) {
      const c = cleanName(name.parts[0]?.value ?? '', name.parts.slice(0, 1));
      if (c.text.split(' ').length >= 2)
        set(b, 'fullName', c.text, confidenceOf(name.parts.slice(0, 1), c), name.parts[0]?.line.bbox);
    }
    const dob = cardValue(
      lines,
      kind === 'cccd_front'
        ? ['ngay sinh/date of birth', 'ngay, thang, nam sinh/date of birth', 'ngay sinh']
        : ['sinh ngay', 'ngay sinh'],
    );
    if (dob) {
      let date = findDate(dob.parts[0]?.value ?? '');
      // A holder of a card was born after 1900: "1873" is a 9 read as 8 (corrected, not trusted).
      let plausible = true;
      if (date && Number(date.slice(0, 4)) < 1900) {
        date = `${Number(date.slice(0, 4)) + 100}${date.slice(4)}`;
        plausible = false;
      }
      if (date)
        set(
          b,
          'dateOfBirth',
          date,
          confidenceOf(dob.parts.slice(0, 1), plausible ? {} : { cap: 0.7 }),
          digitZone(dob.parts[0]!.line),
        );
      else if (
        kind === 'cccd_front' &&
        dob.parts[0] &&
        /sinh|birth/u.test(foldSameLength(dob.parts[0].line.text))
      ) {
        // The label read, the date after it lost (a stroke of the seal across it, a photocopy): the
        // date stands on the label's line to its right, about nine line heights wide; read there.
        const label = dob.parts[0].line.bbox;
        const h = label.y1 - label.y0;
        b.zones.dateOfBirth = {
          x0: Math.max(label.x0, label.x1 - 3 * h),
          y0: label.y0,
          x1: label.x1 + 9 * h,
          y1: label.y1,
        };
      }
    }
    if (kind === 'cccd_front' && b.fields.dateOfBirth === undefined && b.fields.idNumber) {
      // The label lost to JPEG or a photo's angle ("năm sintvDateoí by 25/10/1963"): the front's only
      // date in the number's birth year is the birth date (the 2021 front's other date, the expiry,
      // lies decades later). Below the reliable line until the date zone's readings agree on it.
      const parsed = parseCccd(b.fields.idNumber);
      for (const line of parsed.ok ? lines : []) {
        const date = findDate(line.text);
        if (!date || !parsed.ok || Number(date.slice(0, 4)) !== parsed.value.yearOfBirth) continue;
        set(b, 'dateOfBirth', date, Math.min(0.7, line.confidence / 100), digitZone(line));
        break;
      }
    }
    if (kind === 'cccd_front') {
      const sex = cardValue(lines, ['gioi tinh/sex', 'gioi tinh'], 0);
      const gender = sex
        ? findGender((sex.parts[0]?.value ?? '').split(/quoc tich|Quốc tịch/iu)[0] ?? '')
        : null;
      if (sex && gender) set(b, 'gender', gender, confidenceOf(sex.parts.slice(0, 1)));
      const residence = cardValue(lines, ['noi thuong tru/place of residence', 'noi thuong tru'], 1);
      if (residence) {
        const c = cleanAddress(residence.text, residence.parts);
        set(b, 'address', c.text, confidenceOf(residence.parts, c));
      }
      crossCheckCard(b);
      if (b.nameReading) settleCardName(b, [b.nameReading.words]);
    }
  } else {
    const issue = cardValue(
      lines,
      [
        'ngay, thang, nam cap/date of issue',
        'ngay, thang, nam/date, month, year',
        'ngay, thang, nam cap',
        'ngay, thang, nam',
      ],
      0,
    );
    if (issue) {
      const date = findDate(issue.parts[0]?.value ?? '');
      if (date) set(b, 'issueDate', date, confidenceOf(issue.parts.slice(0, 1)));
    }
    const residence = cardValue(lines, ['noi cu tru/place of residence', 'noi cu tru'], 2);
    if (residence) {
      const c = cleanAddress(residence.text, residence.parts);
      set(b, 'address', c.text, confidenceOf(residence.parts, c));
    }
    const mrz = readMrz(lines.map((l) => l.text).join('\n'));
    // MRZ fields carry check digits: a misread passes them about once in ten; the number must also
    // contain the document number and fit the province table.
    if (mrz.idNumber) set(b, 'idNumber', mrz.idNumber, 0.97);
    if (mrz.dateOfBirth) set(b, 'dateOfBirth', mrz.dateOfBirth, 0.9);
    if (mrz.gender) set(b, 'gender', mrz.gender, 0.9);
  }
}

/**
 * A chip card's number encodes the holder's sex and century and the last two digits of the birth
 * year (contract/identity.ts): the number, read digits-only and checked against the province table,
 * is the most reliable field of a card. A birth date whose year disagrees while the sex agrees has its
 * year misread ("1891", "1989" for 1980): the year is taken from the number and the date is returned
 * below the reliable line. Sex and year both disagreeing cast doubt on the number itself.
 */
function crossCheckCard(b: Builder): void {
  const parsed = b.fields.idNumber ? parseCccd(b.fields.idNumber) : null;
  if (!parsed?.ok) return;
  const { gender, yearOfBirth } = parsed.value;
  const dob = b.fields.dateOfBirth;
  const sexAgrees = b.fields.gender === undefined || b.fields.gender === gender;
  const yearAgrees = dob === undefined || Number(dob.slice(0, 4)) === yearOfBirth;
  if (sexAgrees && yearAgrees) {
    if (dob && b.fields.gender) b.confidence.idNumber = Math.min(1, (b.confidence.idNumber ?? 0) + 0.1);
    return;
  }
  if (sexAgrees && dob && (b.fields.gender || (b.confidence.idNumber ?? 0) >= 0.9)) {
    b.fields.dateOfBirth = `${yearOfBirth}${dob.slice(4)}`;
    b.confidence.dateOfBirth = Math.min(b.confidence.dateOfBirth ?? 0, 0.7);
    return;
  }
  b.confidence.idNumber = Math.min(b.confidence.idNumber ?? 0, 0.6);
  b.warnings.push('Số CCCD đọc được không khớp với năm sinh hoặc giới tính trên thẻ: cần xem lại.');
}

/**
 * A chip card's sex when its line was not read (the 2024 card's "Giới tính/Sex" is small and often
 * lost under JPEG or skew): the number's century digit carries it (contract/identity.ts). As reliable
 * as the number when the number's birth year matches the date read on the card; otherwise 0.7. Run
 * once the number's zone has been read again (its confidence then says whether both readings agree).
 */
export function sexFromNumber(b: Builder): void {
  if (b.fields.gender !== undefined || !b.fields.idNumber) return;
  const parsed = parseCccd(b.fields.idNumber);
  if (!parsed.ok) return;
  const dob = b.fields.dateOfBirth;
  // The date must have been read reliably as it is: a year already taken from the number proves nothing.
  const yearAgrees =
    dob !== undefined &&
    Number(dob.slice(0, 4)) === parsed.value.yearOfBirth &&
    (b.confidence.dateOfBirth ?? 0) >= 0.9;
  const c = yearAgrees
    ? Math.min(b.confidence.idNumber ?? 0, 0.9)
    : Math.min(b.confidence.idNumber ?? 0, 0.7);
  set(b, 'gender', parsed.value.gender, c);
}

/**
 * A card's name from its readings in capitals (the page's first, then the name line read again): the
 * tone marks are chosen by resolveName, the sex taken from the number. The confidence starts from the
 * page's weakest word; every word chosen against the page's reading lowers it, a word with a close
 * rival caps it at 0.6, readings that disagree cap it at 0.85.
 */
export function settleCardName(b: Builder, readings: string[][]): void {
  const reading = b.nameReading;
  if (!reading) return;
  const parsed = b.fields.idNumber ? parseCccd(b.fields.idNumber) : null;
  const gender = parsed?.ok ? parsed.value.gender : (b.fields.gender ?? null);
  const r = resolveName(readings, { gender });
  let c = confidenceOf([{ line: reading.line, value: reading.words.join(' ') }], {
    corrections: r.changed,
    unknown: r.unknown,
  });
  const chosen = r.words.map((w) => w.toLocaleUpperCase('vi'));
  const disagree = readings.some((words) => words.some((w, i) => chosen[i] !== undefined && w !== chosen[i]));
  if (r.ambiguous > 0) c = Math.min(c, 0.6);
  if (disagree) c = Math.min(c, 0.85);
  delete b.fields.fullName;
  set(b, 'fullName', r.words.join(' '), Math.round(c * 100) / 100, reading.line.bbox);
}

/** Fields of a recognised page. `kind` forces the layout; otherwise the page's title decides. */
export function extractFields(page: OcrPage, kind?: RecognitionKind | null): Recognition | null {
  return extractWithZones(page, kind)?.recognition ?? null;
}

/** As extractFields, with where each field was read (page pixels) for re-reading its zone. */
export function extractWithZones(
  page: OcrPage,
  kind?: RecognitionKind | null,
): {
  recognition: Recognition;
  zones: Partial<Record<RecognizedField, OcrBox>>;
  /** a card's name in capitals as the page read it: read its zone again and call reconsiderCardName */
  nameWords?: string[];
  builder: Builder;
} | null {
  const k = kind ?? classifyText(page.text);
  if (k === null || k === 'cccd_qr') return null;
  const b: Builder = { fields: {}, confidence: {}, warnings: [], zones: {} };
  if (k === 'mau01') extractMau01(page, b);
  else extractCard(k, page, b);
  return {
    recognition: { kind: k, fields: b.fields, confidence: b.confidence, source: 'ocr', warnings: b.warnings },
    zones: b.zones,
    ...(b.nameReading ? { nameWords: b.nameReading.words } : {}),
    builder: b,
  };
}
