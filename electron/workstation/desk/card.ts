// The ID card into the mobile desk's form: a CCCD QR (reader, scanned or photographed card) gives
// exact fields, marked as taken from the card; OCR of the card's front gives suggestions marked with
// their confidence. A QR whose number disagrees with its own birth year or gender is refused rather
// than filled in: the officer must look at the card.

import { toFormDate, type DeskField, type DeskValues } from '../../../contract/deskForm.js';
import type { Recognition, RecognizedField } from '../../../contract/scan.js';
import { RECOGNIZED_TO_DESK, type CardFill } from '../../../contract/workstationDesk.js';
import { fail } from '../errors.js';

/** OCR fields under this confidence are not suggested at all (they would be noise). */
const MIN_SUGGESTION = 0.3;

/** The form's fields from a card recognition; `from` says how sure they are. */
export function cardFill(r: Recognition): CardFill {
  const exact = r.kind === 'cccd_qr';
  if (exact && (r.confidence.idNumber ?? 1) < 1) {
    // parseCccdQr lowers the number's confidence when it disagrees with the birth date or gender.
    fail(
      'qr_invalid',
      `Mã QR của thẻ CCCD không nhất quán: ${r.warnings[0] ?? 'số CCCD không khớp ngày sinh hoặc giới tính'} Kiểm tra thẻ gốc; biểu mẫu không thay đổi.`,
    );
  }
  if (r.kind !== 'cccd_qr' && r.kind !== 'cccd_front' && r.kind !== 'cmnd')
    fail('qr_invalid', 'Ảnh này không phải thẻ CCCD/CMND: không lấy được thông tin cho tờ khai.');
  const values: Partial<DeskValues> = {};
  const sources: CardFill['sources'] = {};
  const put = (field: DeskField, value: string, confidence: number): void => {
    (values as Record<string, string>)[field] = value;
    sources[field] = { from: exact ? 'qr' : 'ocr', confidence };
  };
  for (const [name, raw] of Object.entries(r.fields) as Array<[RecognizedField, string | undefined]>) {
    const field = RECOGNIZED_TO_DESK[name];
    if (!field || !raw) continue;
    const confidence = r.confidence[name] ?? (exact ? 1 : 0);
    if (!exact && confidence < MIN_SUGGESTION) continue;
    put(field, name === 'dateOfBirth' ? toFormDate(raw) : raw, confidence);
  }
  if (values.idNumber) {
    values.idKind = r.kind === 'cmnd' ? 'cmnd' : 'cccd';
    sources.idKind = sources.idNumber;
  }
  if (values.fullName) put('contactPerson', values.fullName, sources.fullName?.confidence ?? 1);
  return { values, sources, warnings: r.warnings };
}
