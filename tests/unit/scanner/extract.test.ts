// Field extraction from OCR lines (no OCR here: lines as tesseract returns them, misreads included):
// a wrapped address, the contact's e-mail and mobile before section 2's, an OCR'd "(@", tone marks
// restored from the vocabulary, the kind from the filled section, the MRZ of a card's back.

import { describe, expect, it } from 'vitest';
import { cleanEmail, cleanMobile, extractFields, findDate, readMrz } from '../../../scanner/ocr/extract.js';
import { correctWords } from '../../../scanner/ocr/vocabulary.js';
import type { OcrPage } from '../../../scanner/ocr/pool.js';
import { corpusPeople } from '../../corpus/people.js';
import { mrzLines } from '../../corpus/cards.js';

/** Lines as tesseract returns them; words in `unsure` carry a low confidence (70), the rest 95. */
function page(texts: string[], unsure: readonly string[] = []): OcrPage {
  const lines = texts.map((text, i) => ({
    text,
    confidence: 95,
    bbox: { x0: 100, y0: i * 40, x1: 1800, y1: i * 40 + 30 },
    words: text.split(' ').map((w, k) => ({
      text: w,
      confidence: unsure.includes(w) ? 70 : 95,
      bbox: { x0: 100 + k * 50, y0: i * 40, x1: 140 + k * 50, y1: i * 40 + 30 },
    })),
  }));
  return { text: texts.join('\n'), confidence: 95, lines };
}

describe('Mẫu 01 extraction', () => {
  const form = page(
    [
      'Mẫu số 01',
      '00006.GD/2020/903',
      'TỜ KHAI',
      'Tên cơ quan/tổ chức/cá nhân: Nguyễn Thị Quynh',
      'Mã số bảo hiểm xã hội: O113098765',
      'Số CMND/HGC/CC: 111987340908',
      'Địa chỉ liên hệ: Cụm 4, Xã Phúc Hòa, Huyện Phúc Thọ, Thành phố Hà',
      'Nội',
      'Số chứng thư số của cơ quan, tổ chức, cá nhân:',
      'Người liên hệ: Nguyễn Thị Quynh',
      'Địa chỉ thư điện tử: biennt(@vss.gov.vn',
      'Điện thoại di động: 0983 847 986',
      '1. Đăng ký sử dụng:',
      '- Đăng ký sử dụng phương thức giao dịch điện tử trong lĩnh vực Bảo hiểm xã hội từ ngày 10 tháng 8 năm 2020',
      '2. Điều chỉnh thông tin:',
      '- Địa chỉ thư điện tử:',
      '- Số điện thoại di động:',
    ],
    ['Quynh'],
  );
  it('reads every field, the wrapped address whole, the contact before section 2', () => {
    const r = extractFields(form, 'mau01');
    expect(r?.fields).toEqual({
      dossierNumber: '00006.GD/2020/903',
      fullName: 'Nguyễn Thị Quỳnh',
      bhxhCode: '0113098765',
      idNumber: '111987340908',
      address: 'Cụm 4, Xã Phúc Hòa, Huyện Phúc Thọ, Thành phố Hà Nội',
      contactPerson: 'Nguyễn Thị Quỳnh',
      email: 'biennt@vss.gov.vn',
      mobile: '+84983847986',
      effectiveDate: '2020-08-10',
      dossierKind: 'register',
    });
    // a corrected name and an O read as 0 cost confidence
    expect(r!.confidence.fullName).toBeLessThan(r!.confidence.idNumber!);
    expect(r!.confidence.bhxhCode).toBeLessThan(1);
  });
  it('leaves a word OCR was sure of as read, even one the vocabulary lacks', () => {
    const r = extractFields(
      page(['Địa chỉ liên hệ: Số 5 đường Hai Bà Trưng, Phường Quynh, Tỉnh Nghệ An']),
      'mau01',
    );
    expect(r?.fields.address).toBe('Số 5 đường Hai Bà Trưng, Phường Quynh, Tỉnh Nghệ An');
  });
  it('takes section 2 values as the update and the kind from them', () => {
    const r = extractFields(
      page([
        'Tên cơ quan/tổ chức/cá nhân: Lê Kim Cương',
        'Điện thoại di động: 0975057904',
        '2. Điều chỉnh thông tin:',
        '- Địa chỉ thư điện tử: cuong.le@example.vn',
        '- Số điện thoại di động: 0912345678',
        '3. Ngày ngừng sử dụng phương thức giao dịch:',
        '- Ngày ngừng giao dịch điện tử trong lĩnh vực bảo hiểm xã hội từ ngày ... tháng ... năm ...',
      ]),
      'mau01',
    );
    expect(r?.fields).toMatchObject({
      mobile: '+84975057904',
      updateEmail: 'cuong.le@example.vn',
      updateMobile: '+84912345678',
      dossierKind: 'update',
    });
    expect(r?.fields.email).toBeUndefined();
    expect(r?.fields.stopDate).toBeUndefined();
  });
});

describe('value clean-up', () => {
  it('e-mail, mobile and dates as OCR returns them', () => {
    expect(cleanEmail('ten.ho (@gmail.com.')).toBe('ten.ho@gmail.com');
    expect(cleanEmail('không có')).toBeNull();
    expect(cleanMobile('0983.847.986')).toBe('+84983847986');
    expect(cleanMobile('0l23')).toBeNull();
    expect(findDate('từ ngày 1O tháng 8 năm 2020')).toBe('2020-08-10');
    expect(findDate('Sinh ngày: 15-01-1983')).toBe('1983-01-15');
    expect(findDate('31/02/2020')).toBeNull();
  });
  it('restores a tone mark only where one known syllable fits', () => {
    expect(correctWords('Quynh Chấu').text).toBe('Quỳnh Châu');
    // both are words: left as read
    expect(correctWords('Đồng').text).toBe('Đồng');
  });
});

describe('the MRZ of a card back', () => {
  it('reads the number, birth date and sex when the check digits agree, and refuses a misread', () => {
    const p = corpusPeople(1, 3)[0]!;
    const lines = mrzLines(p, '2045-01-01').join('\n');
    expect(readMrz(lines)).toEqual({
      idNumber: p.idNumber,
      dateOfBirth: p.dateOfBirth,
      gender: p.gender,
    });
    const misread = lines.replace(
      p.idNumber.slice(3, 6),
      p.idNumber.slice(3, 5) + ((Number(p.idNumber[5]) + 1) % 10),
    );
    expect(readMrz(misread).idNumber).toBeUndefined();
  });
});
