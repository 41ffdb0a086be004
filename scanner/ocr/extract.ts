// Field extraction from OCR lines: the chip ID card front, the old CMND, and the Mẫu 01 page (ours and
// the portal's). Labels are found by edit distance on diacritic-folded text, so a misread accent does
// not lose a field; digit fields undo the usual OCR confusions (O→0, l→1, S→5, B→8) and are validated
// with contract/identity.ts before they are returned. Each field carries the confidence of its line.

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
import type { OcrLine, OcrPage } from './pool.js';

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

function titleCase(name: string): string {
  return cleanText(name)
    .toLocaleLowerCase('vi')
    .split(' ')
    .map((w) => (w ? (w[0] ?? '').toLocaleUpperCase('vi') + w.slice(1) : w))
    .join(' ');
}

/** Classify a page by its printed title. */
export function classifyText(text: string): RecognitionKind | null {
  const f = foldSameLength(text).replace(/\s+/gu, '');
  if (/cancuoc/u.test(f)) return 'cccd_front';
  if (/chungminhnhandan|chungminhnhan/u.test(f)) return 'cmnd';
  if (/mauso01|tokhai|masobaohiemxahoi|giaodichdientu/u.test(f)) return 'mau01';
  return null;
}

type Builder = {
  fields: RecognizedFields;
  confidence: Partial<Record<RecognizedField, number>>;
  warnings: string[];
};

function setField<K extends RecognizedField>(
  b: Builder,
  key: K,
  value: RecognizedFields[K],
  line: OcrLine | null,
  factor = 1,
): void {
  if (value === undefined || value === '' || b.fields[key] !== undefined) return;
  b.fields[key] = value;
  b.confidence[key] = Math.round(((line?.confidence ?? 50) / 100) * factor * 100) / 100;
}

/** The value of a labelled field: after the label on the same line, or the next line when that is empty. */
function labelled(
  lines: OcrLine[],
  labels: string[],
  nextLine = true,
): { value: string; line: OcrLine } | null {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as OcrLine;
    for (const label of labels) {
      const value = valueAfterLabel(line.text, label);
      if (value === null) continue;
      if (value !== '') return { value, line };
      const next = lines[i + 1];
      if (nextLine && next) return { value: next.text.trim(), line: next };
      return null;
    }
  }
  return null;
}

function extractMau01(page: OcrPage, b: Builder): void {
  const number = findDossierNumber(page.text);
  if (number) {
    const line = page.lines.find((l) => findDossierNumber(l.text) === number) ?? null;
    setField(b, 'dossierNumber', number, line);
  }
  const name = labelled(page.lines, ['ten co quan/to chuc/ca nhan', 'ho va ten'], false);
  if (name) setField(b, 'fullName', cleanText(name.value), name.line);
  const bhxh = labelled(page.lines, ['ma so bao hiem xa hoi', 'ma so bhxh'], false);
  if (bhxh) {
    const digits = digitRun(bhxh.value, [10]);
    if (digits && checkBhxhCode(digits).ok) setField(b, 'bhxhCode', digits, bhxh.line);
    else b.warnings.push('Không đọc chắc được mã số BHXH trên tờ khai.');
  }
  const id = labelled(page.lines, ['so cmnd/hc/cc', 'so cmnd/cccd'], false);
  if (id) {
    const digits = digitRun(id.value, [12, 9]);
    if (digits && (digits.length === 9 || parseCccd(digits).ok)) setField(b, 'idNumber', digits, id.line);
    else if (/^[A-Z]\d{7,8}$/u.test(id.value.replace(/\s/gu, '')))
      setField(b, 'idNumber', id.value.replace(/\s/gu, ''), id.line);
  }
  const address = labelled(page.lines, ['dia chi lien he'], false);
  if (address) setField(b, 'address', cleanText(address.value), address.line);
  const email = labelled(page.lines, ['dia chi thu dien tu'], false);
  if (email) {
    const compact = email.value.replace(/\s+/gu, '').replace(/[,;]$/u, '');
    const checked = checkEmail(compact);
    if (checked.ok) setField(b, 'email', checked.value, email.line);
  }
  const mobile = labelled(page.lines, ['dien thoai di dong'], false);
  if (mobile) {
    const digits = ocrDigits(mobile.value.replace(/^\+/u, ''));
    const checked = checkMobile(mobile.value.trim().startsWith('+') ? `+${digits}` : digits);
    if (checked.ok) setField(b, 'mobile', checked.value, mobile.line);
    else if (digits.length >= 9) setField(b, 'mobile', digits, mobile.line, 0.5);
  }
}

function findDate(value: string): string | null {
  const m = /(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})/u.exec(value.replace(/[Oo]/gu, '0'));
  if (!m) return null;
  const parsed = parseVietnameseDate(
    `${(m[1] ?? '').padStart(2, '0')}/${(m[2] ?? '').padStart(2, '0')}/${m[3] ?? ''}`,
  );
  return parsed.ok ? parsed.value : null;
}

function findGender(value: string): 'Nam' | 'Nữ' | null {
  const f = foldSameLength(value);
  if (/\bnu\b/u.test(f)) return 'Nữ';
  if (/\bnam\b/u.test(f)) return 'Nam';
  return null;
}

function extractCard(kind: 'cccd_front' | 'cmnd', page: OcrPage, b: Builder): void {
  const lines = page.lines;
  // The number: the line holding "Số" with 12 (chip card) or 9/12 (CMND) digits.
  for (const line of lines) {
    const f = foldSameLength(line.text);
    if (!/\bso\b|\bno\b/u.test(f)) continue;
    const digits = digitRun(
      line.text.replace(/^.*?(?:[Ss][ốốoO]|No\.?)\s*[:./]*/u, ''),
      kind === 'cccd_front' ? [12] : [9, 12],
    );
    if (!digits) continue;
    const checked = kind === 'cccd_front' ? parseCccd(digits) : checkIdNumber('cmnd', digits);
    if (checked.ok) {
      setField(b, 'idNumber', digits, line);
      break;
    }
  }
  const name = labelled(
    lines,
    kind === 'cccd_front' ? ['ho va ten/full name', 'ho va ten'] : ['ho ten', 'ho va ten'],
  );
  if (name) setField(b, 'fullName', titleCase(name.value), name.line);
  const dob = labelled(
    lines,
    kind === 'cccd_front' ? ['ngay sinh/date of birth', 'ngay sinh'] : ['sinh ngay', 'ngay sinh'],
  );
  if (dob) {
    const date = findDate(dob.value);
    if (date) setField(b, 'dateOfBirth', date, dob.line);
  }
  const sex = labelled(lines, ['gioi tinh/sex', 'gioi tinh'], false);
  if (sex) {
    const gender = findGender(sex.value.split(/quoc tich|Quốc tịch/iu)[0] ?? sex.value);
    if (gender) setField(b, 'gender', gender, sex.line);
  }
  const residence = labelled(
    lines,
    kind === 'cccd_front'
      ? ['noi thuong tru/place of residence', 'noi thuong tru']
      : ['noi dkhk thuong tru', 'noi thuong tru'],
  );
  if (residence) setField(b, 'address', cleanText(residence.value), residence.line);
  if (b.fields.idNumber && kind === 'cccd_front') {
    const parsed = parseCccd(b.fields.idNumber);
    if (parsed.ok && b.fields.gender && parsed.value.gender !== b.fields.gender) {
      b.warnings.push('Giới tính đọc được không khớp với số CCCD: cần xem lại.');
    }
  }
}

/** Fields of a recognised page. `kind` forces the layout; otherwise the page's title decides. */
export function extractFields(page: OcrPage, kind?: RecognitionKind | null): Recognition | null {
  const k = kind ?? classifyText(page.text);
  if (k === null || k === 'cccd_qr') return null;
  const b: Builder = { fields: {}, confidence: {}, warnings: [] };
  if (k === 'mau01') extractMau01(page, b);
  else extractCard(k, page, b);
  return { kind: k, fields: b.fields, confidence: b.confidence, source: 'ocr', warnings: b.warnings };
}
