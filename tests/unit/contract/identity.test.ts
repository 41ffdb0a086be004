import { describe, expect, it } from 'vitest';
import {
  checkBhxhCode,
  checkCccdAgainstPerson,
  checkEmail,
  checkIdNumber,
  checkIsoDate,
  checkMobile,
  formatMobile,
  markedMobile,
  parseCccd,
  parseVietnameseDate,
  shownMobile,
} from '../../../contract/identity.js';

describe('identity checks (DOMAIN.md)', () => {
  it('bhxhCode is exactly 10 digits', () => {
    expect(checkBhxhCode('0113098765')).toEqual({ ok: true, value: '0113098765' });
    for (const bad of ['113098765', '01130987650', '01130a8765', ''])
      expect(checkBhxhCode(bad).ok).toBe(false);
  });

  it('CCCD: province, century/gender digit, year', () => {
    const p = parseCccd('001190012345');
    expect(p).toMatchObject({ ok: true, value: { provinceName: 'Hà Nội', gender: 'Nữ', yearOfBirth: 1990 } });
    expect(parseCccd('079203000001')).toMatchObject({
      ok: true,
      value: { gender: 'Nam', yearOfBirth: 2003 },
    });
    expect(parseCccd('003190012345').ok).toBe(false); // 003 is no province
    expect(parseCccd('00119001234').ok).toBe(false);
    expect(checkCccdAgainstPerson('001190012345', '1990-10-10', 'Nữ').ok).toBe(true);
    expect(checkCccdAgainstPerson('001190012345', '1991-10-10', 'Nữ').ok).toBe(false);
    expect(checkCccdAgainstPerson('001190012345', '1990-10-10', 'Nam').ok).toBe(false);
    expect(checkCccdAgainstPerson('001090012345', '1990-10-10', 'Nam').ok).toBe(true);
    expect(checkCccdAgainstPerson('001290012345', '1990-10-10', 'Nam').ok).toBe(false); // 2090 ≠ 1990
  });

  it('CMND is 9 or 12 digits, kept as a string', () => {
    expect(checkIdNumber('cmnd', '012345678')).toEqual({ ok: true, value: '012345678' });
    expect(checkIdNumber('cmnd', '111987340908').ok).toBe(true);
    expect(checkIdNumber('cmnd', '1234567890').ok).toBe(false);
  });

  it('mobiles: 10 digits with a mobile prefix, +84 forms normalised to E.164', () => {
    expect(checkMobile('0983847986')).toEqual({ ok: true, value: '+84983847986' });
    expect(checkMobile('+84 983 847 986')).toEqual({ ok: true, value: '+84983847986' });
    expect(checkMobile('0084983847986')).toEqual({ ok: true, value: '+84983847986' });
    expect(checkMobile('84397538121')).toEqual({ ok: true, value: '+84397538121' });
    for (const bad of ['1231231', '0243936191', '01683847986', '098384798', '+1 202 555 0100']) {
      const r = checkMobile(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/Số điện thoại di động/u);
    }
    expect(formatMobile('+84983847986')).toBe('0983 847 986');
    expect(formatMobile('1231231')).toBe('1231231');
  });

  it('phones on screen: a mobile in the national form, anything else as declared and marked', () => {
    expect(shownMobile('+84983847986')).toEqual({ text: '0983 847 986', valid: true });
    expect(shownMobile('0983.847.986')).toEqual({ text: '0983 847 986', valid: true });
    expect(shownMobile('1231231')).toEqual({ text: '1231231', valid: false });
    expect(shownMobile('+1 202 555 0100')).toEqual({ text: '+1 202 555 0100', valid: false });
    expect(shownMobile(null)).toEqual({ text: '', valid: true });
    expect(markedMobile('1231231')).toBe('1231231 (không hợp lệ)');
    expect(markedMobile('+84983847986')).toBe('0983 847 986');
    expect(markedMobile('')).toBe('');
  });

  it('e-mail and real calendar dates', () => {
    expect(checkEmail('BienNT@vss.gov.vn')).toEqual({ ok: true, value: 'biennt@vss.gov.vn' });
    expect(checkEmail('biennt@').ok).toBe(false);
    expect(checkIsoDate('1992-02-29').ok).toBe(true);
    expect(checkIsoDate('1991-02-29').ok).toBe(false);
    expect(parseVietnameseDate('31022000').ok).toBe(false);
    expect(parseVietnameseDate('10/08/2020')).toEqual({ ok: true, value: '2020-08-10' });
  });
});
