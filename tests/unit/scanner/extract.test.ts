// Field extraction from OCR lines (no OCR here: lines as tesseract returns them, misreads included):
// a wrapped address, the contact's e-mail and mobile before section 2's, an OCR'd "(@", tone marks
// restored from the vocabulary, the kind from the filled section, the MRZ of a card back; what the
// layout reader leaves out (heads that stand for their lines, unread lines between a value and the
// next), and a line's extent past a photocopy's specks.

import { describe, expect, it } from 'vitest';
import {
  capitalWords,
  cleanEmail,
  cleanMobile,
  extractFields,
  findDate,
  mau01LineNeed,
  readMrz,
  sexFromNumber,
  type Builder,
} from '../../../scanner/ocr/extract.js';
import { settleDateReadings } from '../../../scanner/ocr/recognizeText.js';
import { inkExtent } from '../../../scanner/ocr/layout.js';
import {
  correctAddressUnits,
  correctWords,
  markDistance,
  resolveName,
} from '../../../scanner/ocr/vocabulary.js';
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
  it("restores an address part's unit word that lost its marks, and only a unit word", () => {
    // OCR sure of "Âp" and "Xa" (each read at 95): the unit words come back all the same.
    const r = extractFields(
      page(['Địa chỉ liên hệ: Âp Bình Hòa, Xa Tân Phú Trung, Huyen Châu Thành, Tinh Đồng Tháp']),
      'mau01',
    );
    expect(r?.fields.address).toBe('Ấp Bình Hòa, Xã Tân Phú Trung, Huyện Châu Thành, Tỉnh Đồng Tháp');
    expect(correctAddressUnits('Thon 3, Xom Bai, Phuong Hoa Cuong').text).toBe(
      'Thôn 3, Xóm Bai, Phường Hoa Cuong',
    );
    // a syllable that is a name is left: "Xa La" (no name of two words after it), "Quan Thánh", "Huyền"
    for (const kept of [
      'Số 2 Xa La, Phường Hà Đông',
      'Số 4, Quan Thánh, Ba Đình',
      'Số 9, Huyền Trân Công Chúa',
    ]) {
      expect(correctAddressUnits(kept)).toEqual({ text: kept, corrections: 0 });
    }
    expect(correctAddressUnits('Xa La, Hà Đông').text).toBe('Xa La, Hà Đông');
    // a changed unit word costs confidence
    const sure = extractFields(
      page(['Địa chỉ liên hệ: Ấp Bình Hòa, Xã Tân Phú Trung, Tỉnh Đồng Tháp']),
      'mau01',
    );
    expect(r!.confidence.address!).toBeLessThan(sure!.confidence.address!);
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

describe('what the layout reader leaves out', () => {
  /** Lines at the given rows of a 40-px line pitch (a row not listed was not read). */
  const at = (rows: Array<[number, string]>): OcrPage => {
    const p = page(rows.map(([, t]) => t));
    p.lines.forEach((l, i) => {
      const y = (rows[i] as [number, string])[0] * 40;
      l.bbox = { ...l.bbox, y0: y, y1: y + 30 };
      for (const w of l.words ?? []) w.bbox = { ...w.bbox, y0: y, y1: y + 30 };
    });
    return p;
  };
  it('tells a wanted line, a section title and an unwanted label apart from their heads', () => {
    expect(mau01LineNeed('Số CMND/HC/C')).toMatchObject({ keep: true, whole: true, title: false });
    expect(mau01LineNeed('Địa chỉ liên hệ: S')).toMatchObject({ keep: true, whole: true, continuation: 2 });
    // a checkbox misread before the number leaves six letters of the title: enough
    expect(mau01LineNeed('[1 2. Điều chỉ')).toMatchObject({ keep: false, whole: false, title: true });
    expect(mau01LineNeed('Số chứng thư số c')).toMatchObject({ keep: false, whole: false, title: false });
    expect(mau01LineNeed('hiểm xã hội cấp m')).toBeNull();
  });
  it('lets a value run on only over the lines right under it', () => {
    const wrapped = extractFields(
      at([
        [0, 'Địa chỉ liên hệ: Số 5 đường Hai Bà Trưng, Phường Cửa Nam, Thành phố Hà'],
        [1, 'Nội'],
        [5, 'Người liên hệ: Lê Kim Cương'],
      ]),
      'mau01',
    );
    expect(wrapped?.fields.address).toBe('Số 5 đường Hai Bà Trưng, Phường Cửa Nam, Thành phố Hà Nội');
    // two unwanted label lines under the address were not read: the paragraph after them is not its value
    const oneLine = extractFields(
      at([
        [0, 'Địa chỉ liên hệ: Số 5 đường Hai Bà Trưng, Phường Cửa Nam, Thành phố Hà Nội'],
        [3, 'xác thực giao dịch điện tử theo địa chỉ thư điện tử'],
      ]),
      'mau01',
    );
    expect(oneLine?.fields.address).toBe('Số 5 đường Hai Bà Trưng, Phường Cửa Nam, Thành phố Hà Nội');
  });
  it("knows section 2 by its title's head", () => {
    const r = extractFields(
      at([
        [0, 'Tên cơ quan/tổ chức/cá nhân: Lê Kim Cương'],
        [1, 'Địa chỉ thư điện tử:'],
        [8, '[1 2. Điều chỉ'],
        [12, '- Địa chỉ thư điện tử: cuong.le@example.vn'],
      ]),
      'mau01',
    );
    expect(r?.fields.updateEmail).toBe('cuong.le@example.vn');
    expect(r?.fields.email).toBeUndefined();
    expect(r?.fields.dossierKind).toBe('update');
  });
  it("measures a line's extent past a photocopy's specks", () => {
    const width = 400;
    const data = new Uint8Array(width * 30).fill(255);
    const dot = (x: number, y: number): void => {
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const)
        data[(y + dy) * width + x + dx] = 0;
    };
    dot(10, 12);
    dot(40, 20);
    dot(380, 8);
    // letters: 3-px strokes every 8 px between x 100 and 300, rows 5–25
    for (let x = 100; x < 300; x += 8)
      for (let y = 5; y < 25; y++) data.fill(0, y * width + x, y * width + x + 3);
    const extent = inkExtent({ data, width, height: 30 }, { y0: 0, y1: 30 }, 0, width);
    expect(extent).toEqual({ x0: 100, x1: 295 });
  });
});

describe('value clean-up', () => {
  it('e-mail, mobile and dates as OCR returns them', () => {
    expect(cleanEmail('ten.ho (@gmail.com.')).toBe('ten.ho@gmail.com');
    expect(cleanEmail('không có')).toBeNull();
    // a lost "@" before a common domain, a domain a letter off, "©" and commas for "@" and dots
    expect(cleanEmail('hoa.le02gmail.com')).toBe('hoa.le02@gmail.com');
    expect(cleanEmail('ten.ho@gmai1.com')).toBe('ten.ho@gmail.com');
    expect(cleanEmail('ten,ho©vss.gov,vn')).toBe('ten.ho@vss.gov.vn');
    // an unknown domain is left as read
    expect(cleanEmail('an@truong-thpt.edu.vn')).toBe('an@truong-thpt.edu.vn');
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

describe('a chip card front read by OCR', () => {
  // A 2024 front as tesseract reads it at 150 dpi: the long bilingual label above the name misread.
  const front = (name: string, birth: string, sex = 'Nam'): OcrPage =>
    page([
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'CĂN CƯỚC',
      'IDENTITY CARD',
      '`0 định danh cả nhân!#ersonal dentifcatioh nuber:',
      '040099315832',
      'và lênkưạisinh/5ugnate,migdle hame an giưen name',
      name,
      `Ngày, thắng, năm sinh/Date of bithz ${birth}`,
      `Giới tính/Sex: ${sex}`,
    ]);
  it('finds the name by its place and capitals when its label is misread', () => {
    const r = extractFields(front('TRỊNH VĂN TRIỀU 7', '07/09/1999'), 'cccd_front');
    expect(r?.fields).toMatchObject({
      idNumber: '040099315832',
      fullName: 'Trịnh Văn Triều',
      dateOfBirth: '1999-09-07',
      gender: 'Nam',
    });
  });
  it('settles tone marks misread on capitals by a syllable’s place in the name, and says it guessed', () => {
    const r = extractFields(front('ĐĂNG VĂN TRIỂU', '07/09/1999'), 'cccd_front');
    // Đặng is a family name (Đăng is not); Triểu is no syllable, Triều a given name (Triệu a family name)
    expect(r?.fields.fullName).toBe('Đặng Văn Triều');
    expect(r!.confidence.fullName).toBeLessThan(0.9);
  });
  it('takes the birth year from the number when only the year disagrees', () => {
    // 040099… : born in the 20th century, a man, in (19)99; the year read as 1989
    const r = extractFields(front('TRỊNH VĂN TRIỀU', '07/09/1989'), 'cccd_front');
    expect(r?.fields.dateOfBirth).toBe('1999-09-07');
    expect(r!.confidence.dateOfBirth).toBeLessThan(0.9);
  });
  it('finds the birth date by the number’s birth year when its label is lost', () => {
    const r = extractFields(
      page([
        'CĂN CƯỚC',
        '040099315832',
        'TRỊNH VĂN TRIỀU',
        'Ngày, thẳng, năm sintvDateoí by 25/10/1999',
        'Giới tính/Sex: Nam',
      ]),
      'cccd_front',
    );
    expect(r?.fields.dateOfBirth).toBe('1999-10-25');
    expect(r!.confidence.dateOfBirth).toBeLessThan(0.9);
  });
  it('settles a card’s birth date from readings with different clean-ups, never reliable when they disagree', () => {
    const page = (value: string, confidence = 1): { value: string; confidence: number } => ({
      value,
      confidence,
    });
    // all agree: reliable
    expect(settleDateReadings(page('1963-03-24', 0.8), '1963-03-24', ['1963-03-24', null])).toEqual({
      value: '1963-03-24',
      confidence: 0.95,
      disagree: false,
    });
    // the background stroke read into the month by the page and the plain zone: the cleaned zones
    // decide, below the reliable line
    const stroke = settleDateReadings(page('1963-08-24'), '1963-08-24', ['1963-03-24', '1963-03-24']);
    expect(stroke).toMatchObject({ value: '1963-03-24', disagree: true });
    expect(stroke!.confidence).toBeLessThan(0.9);
    // the cleaned zones disagree among themselves: the page's reading stays, not reliable
    const split = settleDateReadings(page('1994-09-28'), null, ['1994-08-28', '1994-09-28']);
    expect(split).toMatchObject({ value: '1994-09-28', disagree: true });
    expect(split!.confidence).toBeLessThan(0.9);
    // read only in the zone (the page lost it): never reliable, however many readings agree
    expect(settleDateReadings(undefined, '1966-04-06', ['1966-04-06', '1966-04-06'])!.confidence).toBe(0.85);
    // one reading alone keeps its own confidence; none gives nothing
    expect(settleDateReadings(page('1974-02-09', 0.6), null, [null, null])!.confidence).toBe(0.6);
    expect(settleDateReadings(undefined, null, [null, null])).toBeNull();
  });
  it('takes no misread printed words for a name: a name is made of Vietnamese syllables', () => {
    expect(capitalWords('IDENTTY CARD')).toBeNull();
    expect(capitalWords('REPUBIIC OF VIET NAM')).toBeNull();
    expect(capitalWords('VÕ THỊ NGỌC HẰNG')).toEqual(['VÕ', 'THỊ', 'NGỌC', 'HẰNG']);
    // one word misread out of shape still leaves a name
    expect(capitalWords('NGUYẺN VĂN HUNGG')).toEqual(['NGUYẺN', 'VĂN', 'HUNGG']);
  });
  it('takes the sex from the number when its line was not read, reliable only beside a date read as it is', () => {
    const card = (dobConfidence: number): Builder => ({
      fields: { idNumber: '040199315832', dateOfBirth: '1999-09-07' },
      confidence: { idNumber: 0.95, dateOfBirth: dobConfidence },
      warnings: [],
      zones: {},
    });
    const read = card(0.95);
    sexFromNumber(read);
    expect(read.fields.gender).toBe('Nữ'); // century digit 1: the 20th century, a woman
    expect(read.confidence.gender).toBe(0.9);
    const yearFromNumber = card(0.7);
    sexFromNumber(yearFromNumber);
    expect(yearFromNumber.confidence.gender).toBe(0.7);
    const sexRead = { ...card(0.95), fields: { idNumber: '040199315832', gender: 'Nam' as const } };
    sexFromNumber(sexRead);
    expect(sexRead.fields.gender).toBe('Nam'); // what the card says is kept (crossCheckCard warns)
  });
});

describe('names in capitals', () => {
  it('counts the marks two readings differ by', () => {
    expect(markDistance('đặng', 'ĐĂNG')).toBe(1);
    expect(markDistance('hằng', 'hãng')).toBe(2);
    expect(markDistance('văn', 'VĂN')).toBe(0);
  });
  it('chooses among the syllables with the same letters by place, sex and every reading', () => {
    expect(resolveName([['ĐĂNG', 'NỮ', 'THỊ', 'YÊN']]).words).toEqual(['Đặng', 'Nữ', 'Thị', 'Yến']);
    expect(resolveName([['TÔN', 'THÁI', 'THI', 'OANH']]).words.join(' ')).toBe('Tôn Thái Thị Oanh');
    // a man is not "Thị"
    expect(resolveName([['LÊ', 'THI', 'HÙNG']], { gender: 'Nam' }).words[1]).not.toBe('Thị');
    // a second family name in the middle ("Thái Đặng Thị Hà") is as likely as the middle name Đăng:
    // two readings that disagree leave it a guess, and say so
    const twice = resolveName([
      ['HỒ', 'ĐĂNG', 'TRÂM'],
      ['HỒ', 'ĐẶNG', 'TRÂM'],
    ]);
    expect(twice.ambiguous).toBe(1);
  });
  it('says when a word stays a guess (THUY: six syllables fit, none preferred)', () => {
    const r = resolveName([['LÊ', 'PHẠM', 'NGỌC', 'THUY']]);
    expect(r.ambiguous).toBeGreaterThan(0);
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
