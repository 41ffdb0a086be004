// Matching recognised fields against a dossier: exact, looser (flagged for the officer) and mismatch.

import { describe, expect, it } from 'vitest';
import type { Recognition } from '../../../contract/scan.js';
import { compareWithDossier, type DossierFacts } from '../../../scanner/match.js';

const dossier: DossierFacts = {
  dossierNumber: '00006.GD/2020/903',
  fullName: 'Nguyễn Thị Thuỷ',
  bhxhCode: '0113098765',
  idNumber: '001199012345',
  dateOfBirth: '1999-03-15',
  gender: 'Nữ',
  address: 'Số 5, ngõ 12, Phường Láng, Hà Nội',
  mobile: '+84983847986',
  email: null,
};

const qr = (fields: Recognition['fields']): Recognition => ({
  kind: 'cccd_qr',
  fields,
  confidence: Object.fromEntries(Object.keys(fields).map((k) => [k, 1])),
  source: 'qr_image',
  warnings: [],
});
const form = (fields: Recognition['fields'], c = 0.9): Recognition => ({
  kind: 'mau01',
  fields,
  confidence: Object.fromEntries(Object.keys(fields).map((k) => [k, c])),
  source: 'ocr',
  warnings: [],
});
const verdicts = (r: ReturnType<typeof compareWithDossier>): Record<string, string> =>
  Object.fromEntries(r.fields.map((f) => [f.field, f.verdict]));

describe('compareWithDossier', () => {
  it('agrees field by field when the card and the form say what the dossier says (tone placement and case aside)', () => {
    const report = compareWithDossier(dossier, [
      qr({ idNumber: '001199012345', fullName: 'NGUYỄN THỊ THỦY', dateOfBirth: '1999-03-15', gender: 'Nữ' }),
      form({ dossierNumber: '00006.GD/2020/903', bhxhCode: '0113098765', mobile: '0983 847 986' }),
    ]);
    expect(report.agrees).toBe(true);
    expect(report.needsReview).toEqual([]);
    expect(verdicts(report)).toEqual({
      dossierNumber: 'match',
      fullName: 'match',
      bhxhCode: 'match',
      idNumber: 'match',
      dateOfBirth: 'match',
      gender: 'match',
      mobile: 'match',
    });
  });

  it('flags a name equal only without diacritics, or with a missing middle name, as looser', () => {
    const noMarks = compareWithDossier(dossier, [qr({ fullName: 'Nguyen Thi Thuy' })]);
    expect(noMarks.fields[0]).toMatchObject({ field: 'fullName', verdict: 'looser' });
    expect(noMarks.fields[0]?.note).toMatch(/bỏ dấu/u);
    expect(noMarks.needsReview).toEqual(['fullName']);
    const missingMiddle = compareWithDossier(dossier, [qr({ fullName: 'Nguyễn Thuỷ' })]);
    expect(missingMiddle.fields[0]?.verdict).toBe('looser');
  });

  it('reports what disagrees, and prefers the QR over OCR for the same field', () => {
    const report = compareWithDossier(dossier, [
      form({ idNumber: '001199012345', bhxhCode: '0113098766' }, 0.8),
      qr({ idNumber: '001199099999', fullName: 'Trần Văn Đạt' }),
    ]);
    expect(report.agrees).toBe(false);
    expect(report.mismatches.sort()).toEqual(['bhxhCode', 'fullName', 'idNumber']);
    const id = report.fields.find((f) => f.field === 'idNumber');
    expect(id).toMatchObject({ recognizedValue: '001199099999', source: 'cccd_qr', verdict: 'mismatch' });
  });

  it('names a disagreeing source in the note as the officer knows it', () => {
    // the QR (chosen) agrees with the dossier, the form read another number
    const report = compareWithDossier(dossier, [
      form({ idNumber: '001199099999' }, 0.95),
      qr({ idNumber: dossier.idNumber ?? '' }),
    ]);
    const id = report.fields.find((f) => f.field === 'idNumber');
    expect(id).toMatchObject({ source: 'cccd_qr', verdict: 'looser' });
    expect(id?.note).toContain('Nguồn khác (Tờ khai Mẫu 01) đọc được giá trị khác.');
  });

  it('treats a pre-reform address on the card as looser, a different place as mismatch', () => {
    const older = compareWithDossier(dossier, [
      qr({ address: 'Số 5, ngõ 12, phường Láng Thượng, quận Đống Đa, Hà Nội' }),
    ]);
    expect(older.fields[0]?.verdict).toBe('looser');
    const other = compareWithDossier(dossier, [qr({ address: 'Ấp 3, xã Tân Phú, Đồng Nai' })]);
    expect(other.fields[0]?.verdict).toBe('mismatch');
  });

  it('marks fields the dossier lacks as missing, and an old CMND number on the card as looser', () => {
    const report = compareWithDossier({ ...dossier, idNumber: '123456789' }, [
      qr({ idNumber: '001199012345', oldIdNumber: '123456789' }),
      form({ email: 'a@example.vn' }),
    ]);
    expect(verdicts(report)).toEqual({ idNumber: 'looser', email: 'missing' });
    expect(report.agrees).toBe(true);
  });
});
