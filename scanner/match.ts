// Matching: what was recognised (ID card QR, ID card OCR, Mẫu 01 OCR/QR) against the dossier, field by
// field — names by the tiers of DOMAIN.md (NFC/case/tone placement exact, then diacritics folded, then
// word order or a missing middle name, each looser match flagged), numbers exactly, phones in E.164.
// Recognition suggests; the officer decides. Pure: no I/O, safe to call anywhere.

import type { Dossier } from '../contract/domain.js';
import { checkMobile } from '../contract/identity.js';
import {
  FIELD_LABEL,
  RECOGNITION_SOURCE_LABEL,
  type ComparisonReport,
  type FieldComparison,
  type FieldVerdict,
  type Recognition,
  type RecognitionKind,
  type RecognizedField,
} from '../contract/scan.js';
import { cleanText, compareNames, foldVietnamese } from '../contract/text.js';

/** The dossier fields matching compares (a Dossier satisfies it). */
export type DossierFacts = Partial<
  Pick<
    Dossier,
    | 'dossierNumber'
    | 'fullName'
    | 'bhxhCode'
    | 'idNumber'
    | 'dateOfBirth'
    | 'gender'
    | 'address'
    | 'mobile'
    | 'email'
    | 'contactPerson'
    | 'kind'
    | 'effectiveDate'
    | 'update'
    | 'stop'
  >
>;

/** The dossier's value for a recognised field (the form's sections live in nested objects). */
function dossierValueOf(field: RecognizedField, dossier: DossierFacts): string | null {
  const raw: unknown =
    field === 'dossierKind'
      ? dossier.kind
      : field === 'updateEmail'
        ? dossier.update?.email
        : field === 'updateMobile'
          ? dossier.update?.mobile
          : field === 'stopDate'
            ? dossier.stop?.stopDate
            : field === 'stopReason'
              ? dossier.stop?.reason
              : dossier[field as keyof DossierFacts];
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  // Dates compare as days (a dossier may hold a timestamp).
  return field === 'effectiveDate' || field === 'stopDate' ? raw.slice(0, 10) : raw;
}

const COMPARED: readonly RecognizedField[] = [
  'dossierNumber',
  'fullName',
  'bhxhCode',
  'idNumber',
  'dateOfBirth',
  'gender',
  'address',
  'mobile',
  'email',
  'contactPerson',
  'dossierKind',
  'effectiveDate',
  'updateEmail',
  'updateMobile',
  'stopDate',
  'stopReason',
];

/** A QR that decoded and validated beats OCR; the chip card beats the form for personal facts. */
const SOURCE_RANK: Readonly<Record<RecognitionKind, number>> = {
  cccd_qr: 4,
  mau01: 3,
  cccd_front: 2,
  cccd_back: 2,
  cmnd: 1,
};

type Candidate = { value: string; kind: RecognitionKind; confidence: number };

function candidates(field: RecognizedField, recognitions: readonly Recognition[]): Candidate[] {
  const out: Candidate[] = [];
  for (const r of recognitions) {
    const value = r.fields[field];
    if (value === undefined || value === '') continue;
    out.push({ value: String(value), kind: r.kind, confidence: r.confidence[field] ?? 0.5 });
  }
  // QR first, then higher confidence.
  const qr = (c: Candidate): number => (c.kind === 'cccd_qr' || c.confidence === 1 ? 1 : 0);
  return out.sort(
    (a, b) => qr(b) - qr(a) || b.confidence - a.confidence || SOURCE_RANK[b.kind] - SOURCE_RANK[a.kind],
  );
}

const digitsOf = (v: string): string => v.replace(/\D/gu, '');

function e164(v: string): string {
  const checked = checkMobile(v);
  return checked.ok ? checked.value : digitsOf(v);
}

/** Address words after folding; "Phường", "Số" and punctuation do not count. */
function addressWords(v: string): Set<string> {
  return new Set(
    foldVietnamese(v)
      .replace(/[.,;:/-]/gu, ' ')
      .split(' ')
      .filter(
        (w) =>
          w.length > 0 && !['so', 'phuong', 'xa', 'quan', 'huyen', 'tinh', 'thanh', 'pho', 'tp'].includes(w),
      ),
  );
}

function compareValue(
  field: RecognizedField,
  dossier: string,
  recognized: string,
): { verdict: FieldVerdict; note?: string } {
  switch (field) {
    case 'fullName':
    case 'contactPerson': {
      const tier = compareNames(dossier, recognized);
      if (tier === 'match') return { verdict: 'match' };
      if (tier === 'diacritics_differ')
        return { verdict: 'looser', note: 'Họ tên chỉ khớp khi bỏ dấu: cần xác minh.' };
      if (tier === 'word_order_or_missing')
        return { verdict: 'looser', note: 'Họ tên khác thứ tự hoặc thiếu tên đệm: cần xác minh.' };
      return { verdict: 'mismatch', note: 'Họ tên không khớp.' };
    }
    case 'mobile':
    case 'updateMobile':
      return e164(dossier) === e164(recognized)
        ? { verdict: 'match' }
        : { verdict: 'mismatch', note: 'Số điện thoại không khớp.' };
    case 'email':
    case 'updateEmail':
      return dossier.trim().toLowerCase() === recognized.trim().toLowerCase()
        ? { verdict: 'match' }
        : { verdict: 'mismatch', note: 'Địa chỉ thư điện tử không khớp.' };
    case 'address': {
      if (cleanText(dossier).toLocaleLowerCase('vi') === cleanText(recognized).toLocaleLowerCase('vi'))
        return { verdict: 'match' };
      if (foldVietnamese(dossier) === foldVietnamese(recognized))
        return { verdict: 'looser', note: 'Địa chỉ chỉ khớp khi bỏ dấu: cần xác minh.' };
      const a = addressWords(dossier);
      const b = addressWords(recognized);
      const common = [...a].filter((w) => b.has(w)).length;
      const overlap = common / Math.max(1, Math.min(a.size, b.size));
      // ID cards carry pre-reform addresses (with a district): a partial overlap is expected, not a mismatch.
      if (overlap >= 0.5)
        return {
          verdict: 'looser',
          note: 'Địa chỉ gần giống (có thể là địa chỉ trước sắp xếp đơn vị hành chính): cần xác minh.',
        };
      return { verdict: 'mismatch', note: 'Địa chỉ khác với hồ sơ.' };
    }
    case 'idNumber':
    case 'bhxhCode':
    case 'dossierNumber':
    case 'oldIdNumber':
      return dossier.trim().toUpperCase() === recognized.trim().toUpperCase()
        ? { verdict: 'match' }
        : { verdict: 'mismatch', note: `${FIELD_LABEL[field]} không khớp.` };
    case 'stopReason':
      if (cleanText(dossier).toLocaleLowerCase('vi') === cleanText(recognized).toLocaleLowerCase('vi'))
        return { verdict: 'match' };
      return foldVietnamese(dossier) === foldVietnamese(recognized)
        ? { verdict: 'looser', note: 'Lý do chỉ khớp khi bỏ dấu: cần xác minh.' }
        : { verdict: 'mismatch', note: 'Lý do ngừng khác với hồ sơ.' };
    default:
      return dossier.trim() === recognized.trim()
        ? { verdict: 'match' }
        : { verdict: 'mismatch', note: `${FIELD_LABEL[field]} không khớp.` };
  }
}

export function compareWithDossier(
  dossier: DossierFacts,
  recognitions: readonly Recognition[],
): ComparisonReport {
  const fields: FieldComparison[] = [];
  for (const field of COMPARED) {
    const cands = candidates(field, recognitions);
    const best = cands[0];
    if (!best) continue;
    const dossierValue = dossierValueOf(field, dossier);
    const base = {
      field,
      label: FIELD_LABEL[field],
      dossierValue,
      recognizedValue: best.value,
      source: best.kind,
      confidence: best.confidence,
    };
    if (dossierValue === null) {
      fields.push({ ...base, verdict: 'missing', note: 'Hồ sơ chưa có thông tin này.' });
      continue;
    }
    let { verdict, note } = compareValue(field, dossierValue, best.value);
    // An old CMND number on the card equal to the dossier's number is the same person with a new card.
    if (field === 'idNumber' && verdict === 'mismatch') {
      const old = candidates('oldIdNumber', recognitions)[0];
      if (old && old.value === dossierValue.trim()) {
        verdict = 'looser';
        note = 'Hồ sơ ghi số CMND cũ; thẻ CCCD mới ghi số khác: cần xác minh.';
      }
    }
    // Other sources that disagree with the chosen one are worth a look too.
    const disagreeing = cands
      .slice(1)
      .filter((c) => compareValue(field, best.value, c.value).verdict === 'mismatch');
    if (disagreeing.length > 0 && verdict !== 'mismatch') {
      const sources = [...new Set(disagreeing.map((c) => RECOGNITION_SOURCE_LABEL[c.kind]))].join(', ');
      note = [note, `Nguồn khác (${sources}) đọc được giá trị khác.`].filter(Boolean).join(' ');
      if (verdict === 'match') verdict = 'looser';
    }
    fields.push(note === undefined ? { ...base, verdict } : { ...base, verdict, note });
  }
  const mismatches = fields.filter((f) => f.verdict === 'mismatch').map((f) => f.field);
  const needsReview = fields
    .filter((f) => f.verdict === 'looser' || f.verdict === 'missing')
    .map((f) => f.field);
  return { fields, agrees: mismatches.length === 0, mismatches, needsReview };
}
