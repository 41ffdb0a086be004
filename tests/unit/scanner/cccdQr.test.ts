// The chip ID card's QR parser: the 7-field format, its 6- and 5-field variants, newer cards with
// extra fields, and each way a field can be wrong (the scanner part's bad inputs).

import { describe, expect, it } from 'vitest';
import { looksLikeCccdQr, parseCccdQr } from '../../../scanner/qr/cccdQr.js';
import { detectLegacyText } from '../../../scanner/qr/legacyText.js';
import { dossierNumberFromQr } from '../../../scanner/qr/formQr.js';

const FULL =
  '001199012345|123456789|Nguyễn Thị Hồng Nhung|15031999|Nữ|Số 5, ngõ 12, Phường Láng, Hà Nội|01072021';

describe('parseCccdQr', () => {
  it('parses the 7-field QR into glossary fields with ISO dates and full confidence', () => {
    const r = parseCccdQr(FULL);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.recognition.kind).toBe('cccd_qr');
    expect(r.recognition.fields).toEqual({
      idNumber: '001199012345',
      oldIdNumber: '123456789',
      fullName: 'Nguyễn Thị Hồng Nhung',
      dateOfBirth: '1999-03-15',
      gender: 'Nữ',
      address: 'Số 5, ngõ 12, Phường Láng, Hà Nội',
      issueDate: '2021-07-01',
    });
    expect(r.recognition.confidence.idNumber).toBe(1);
    expect(r.recognition.warnings).toEqual([]);
  });

  it('accepts an empty old CMND field, a CR/LF terminator and NFD text (stored NFC)', () => {
    const nfd =
      '079203001234||Trần Văn Đạt|02012003|Nam|Phường Sài Gòn, TP. Hồ Chí Minh|10102022\r\n'.normalize('NFD');
    const r = parseCccdQr(nfd);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.recognition.fields.fullName).toBe('Trần Văn Đạt'.normalize('NFC'));
    expect(r.recognition.fields.oldIdNumber).toBeUndefined();
    expect(r.recognition.fields.dateOfBirth).toBe('2003-01-02');
  });

  it('reads the 6-field variant (no issue date) and the 5-field variant (no CMND field)', () => {
    const six = parseCccdQr('001199012345|123456789|Lê Văn A|15031999|Nữ|Hà Nội');
    expect(six.ok && six.recognition.fields.issueDate).toBeUndefined();
    expect(six.ok && six.recognition.fields.address).toBe('Hà Nội');
    const five = parseCccdQr('001199012345|Lê Thị B|15031999|Nữ|Hà Nội');
    expect(five.ok).toBe(true);
    if (five.ok)
      expect(five.recognition.fields).toMatchObject({
        fullName: 'Lê Thị B',
        gender: 'Nữ',
        address: 'Hà Nội',
      });
  });

  it('keeps extra fields of newer cards and says so', () => {
    const r = parseCccdQr(`${FULL}|X1|Y2`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.extraFields).toEqual(['X1', 'Y2']);
    expect(r.recognition.warnings.join(' ')).toMatch(/thêm 2 trường/u);
    expect(r.recognition.raw).toBe(`${FULL}|X1|Y2`);
  });

  it('warns (does not refuse) when the number disagrees with the birth year or gender', () => {
    const r = parseCccdQr('001199012345||Nguyễn Văn C|15031999|Nam|Hà Nội|01072021');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.recognition.warnings.join(' ')).toMatch(/giới tính Nữ/u);
    expect(r.recognition.confidence.idNumber).toBe(0.5);
  });

  it.each([
    ['a QR with 3 fields', '001199012345|Nguyễn A|15031999', /chỉ có 3 trường/u],
    [
      'a first field that is not 12 digits',
      '00119901234|123456789|Nguyễn A|15031999|Nữ|Hà Nội|01072021',
      /12 chữ số/u,
    ],
    ['an unknown province code', '003199012345||Nguyễn A|15031999|Nữ|Hà Nội|01072021', /mã tỉnh/u],
    ['a birth date 31/02', '001199012345||Nguyễn A|31021999|Nữ|Hà Nội|01072021', /Ngày sinh.*không có thật/u],
    ['an issue date before birth', '001199012345||Nguyễn A|15031999|Nữ|Hà Nội|01071990', /trước ngày sinh/u],
    ['a gender other than Nam/Nữ', '001199012345||Nguyễn A|15031999|Khác|Hà Nội|01072021', /Nam.*Nữ/u],
    ['an empty text', '   ', /rỗng/u],
  ])('refuses %s with a clear Vietnamese reason', (_name, text, reason) => {
    const r = parseCccdQr(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('qr_invalid');
    expect(r.error.message).toMatch(/thẻ Căn cước công dân/u);
    expect(r.error.detail).toMatch(reason);
  });

  it('refuses text in a legacy encoding (TCVN3 and VNI read as Latin-1) and wedge-mangled names', () => {
    // "Nguyễn Văn Đạt" in TCVN3 (ABC) bytes shown as Windows-1252, and in VNI.
    const tcvn3 = parseCccdQr('001199012345||NguyÔn V¨n §¹t|15031999|Nam|Hµ Néi|01072021');
    expect(tcvn3.ok).toBe(false);
    if (!tcvn3.ok) expect(tcvn3.error.code).toBe('legacy_encoding');
    const vni = parseCccdQr('001199012345||Nguyeãn Vaên Ñaït|15031999|Nam|Haø Noäi|01072021');
    expect(vni.ok).toBe(false);
    if (!vni.ok) expect(vni.error.code).toBe('legacy_encoding');
    const telex = parseCccdQr('001199012345||Nguyeenx Vawn Ddatj|15031999|Nam|Ha Noi|01072021');
    expect(telex.ok).toBe(false);
    if (!telex.ok) expect(telex.error.message).toMatch(/HID-POS/u);
  });

  it('recognises ID QR text cheaply for routing reader scans', () => {
    expect(looksLikeCccdQr(FULL)).toBe(true);
    expect(looksLikeCccdQr('BHXH-GDDT|00006.GD/2020/903')).toBe(false);
  });
});

describe('detectLegacyText', () => {
  it('accepts every Vietnamese letter and plain ASCII names', () => {
    expect(detectLegacyText('Đặng Thị Ánh Hằng Lữ Thuỳ Ỷ Phượng Ngữ Ưng Ỹ Ỵ', { strict: true }).legacy).toBe(
      false,
    );
    expect(detectLegacyText('Nguyen Van Dat', { strict: true }).legacy).toBe(false);
  });
  it('flags letters outside the Vietnamese alphabet', () => {
    expect(detectLegacyText('Müller').legacy).toBe(true);
  });
});

describe('dossierNumberFromQr', () => {
  it('finds the number inside whatever wraps it', () => {
    expect(dossierNumberFromQr('BHXH-GDDT|00006.GD/2020/903')).toBe('00006.GD/2020/903');
    expect(dossierNumberFromQr('https://x.vn/d?n=00086.GD%2F2020%2F00115')).toBe('00086.GD/2020/00115');
    expect(dossierNumberFromQr('{"dossierNumber":"00007.GD/2021/903"}')).toBe('00007.GD/2021/903');
    expect(dossierNumberFromQr('001199012345||A|15031999|Nữ|x|01072021')).toBeNull();
  });
});
