// The mobile desk's form rules (contract/deskForm.ts): each field's check and its Vietnamese message,
// the intake body they become, the card's recognition into the form (exact from the QR, suggestions
// from OCR above a floor, a QR that disagrees with itself refused), and the Mã tạm a printed form's
// QR carries as recognition reads it.
import { describe, expect, it } from 'vitest';
import {
  cardValues,
  checkDeskValues,
  EMPTY_DESK_VALUES,
  toFormDate,
  type DeskValues,
} from '../../../contract/deskForm.js';
import { provisionalRef } from '../../../contract/desk.js';
import type { Recognition } from '../../../contract/scan.js';
import { recognizeReaderText } from '../../../scanner/index.js';
import { provisionalRefFromQr } from '../../../scanner/qr/formQr.js';

const ctx = {
  clientId: '6f1c2d3e-4b5a-4c6d-8e7f-0123456789ab',
  agencyCode: '903',
  deskName: 'KCN Quang Minh',
  declaredAt: '2026-12-03T02:00:00.000Z',
  today: '2026-12-03',
};
const nam: DeskValues = {
  ...EMPTY_DESK_VALUES,
  fullName: 'Hoàng Văn Nam',
  idNumber: '027098001234',
  dateOfBirth: '17/04/1998',
  gender: 'Nam',
  address: 'Thôn Đông Du, Xã Đào Viên, Huyện Quế Võ, Tỉnh Bắc Ninh',
  contactPerson: 'Hoàng Văn Nam',
  mobile: '0912 345 001',
};

describe('checkDeskValues', () => {
  it('a complete declaration becomes the desk intake body (code left empty, mobile as E.164)', () => {
    const r = checkDeskValues(nam, ctx);
    expect(r.fields).toEqual({});
    expect(r.request).toMatchObject({
      clientId: ctx.clientId,
      kind: 'register',
      bhxhCode: null,
      idKind: 'cccd',
      dateOfBirth: '1998-04-17',
      mobile: '+84912345001',
      submissionMethod: 'mobile_desk',
      deskName: 'KCN Quang Minh',
      declaredAt: ctx.declaredAt,
      channel: 'portal',
    });
  });

  it.each([
    [{ fullName: '' }, 'fullName', 'Tên cơ quan/tổ chức/cá nhân là bắt buộc.'],
    [{ fullName: 'Nam <script>' }, 'fullName', /chỉ được gồm chữ cái/u],
    [{ bhxhCode: '12345' }, 'bhxhCode', 'Mã số BHXH phải gồm đúng 10 chữ số.'],
    [{ bhytCard: 'DN42727980' }, 'bhytCard', /đúng 15 ký tự/u],
    [{ bhytCard: 'DN6272798001234' }, 'bhytCard', /mức hưởng/u],
    [{ bhytCard: 'DN4272798001234', bhxhCode: '0000000001' }, 'bhytCard', /khác mã số BHXH đã nhập/u],
    [{ idNumber: '027098001234', dateOfBirth: '17/04/2005' }, 'idNumber', /năm sinh 1998, không khớp/u],
    [{ gender: 'Nữ' as const }, 'idNumber', /giới tính Nam, không khớp/u],
    [{ dateOfBirth: '31/02/1998' }, 'dateOfBirth', /không có thật/u],
    [{ mobile: '02438223344' }, 'mobile', /di động không hợp lệ/u],
    [{ mobile: '+12025550123' }, 'mobile', /di động không hợp lệ/u],
    [{ email: 'nam@' }, 'email', 'Địa chỉ thư điện tử không hợp lệ.'],
    [{ channel: 'ivan' as const }, 'ivanName', 'Tên Tổ chức I-VAN là bắt buộc.'],
    [{ certificateSerial: 'ABC123' }, 'certificateIssuer', /là bắt buộc/u],
    [{ kind: 'update' as const }, 'updateEmail', /ít nhất một thông tin thay đổi/u],
    [{ kind: 'stop' as const }, 'stopDate', /là bắt buộc/u],
  ])('%j refuses %s', (change, field, message) => {
    const r = checkDeskValues({ ...nam, ...change }, ctx);
    expect(r.request).toBeNull();
    const got = (r.fields as Record<string, string>)[field];
    if (typeof message === 'string') expect(got).toBe(message);
    else expect(got).toMatch(message);
  });

  it('a BHYT card that agrees with the code passes; a stop declaration carries its date and reason', () => {
    expect(
      checkDeskValues({ ...nam, bhytCard: 'dn4 27 2798001234', bhxhCode: '2798001234' }, ctx).fields,
    ).toEqual({});
    const stop = checkDeskValues(
      { ...nam, kind: 'stop', stopDate: '01/01/2027', stopReason: 'Nghỉ việc' },
      ctx,
    );
    expect(stop.request?.stop).toEqual({ stopDate: '2027-01-01', reason: 'Nghỉ việc' });
  });
});

describe('cardValues', () => {
  it('a CCCD QR fills the fields exactly, marked from the card; Người liên hệ follows the name', () => {
    const r = recognizeReaderText(
      '027098001234||Hoàng Văn Nam|17041998|Nam|Thôn Đông Du, Xã Đào Viên, Huyện Quế Võ, Tỉnh Bắc Ninh|05032021',
    );
    const out = cardValues(r);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.value.values).toMatchObject({
      fullName: 'Hoàng Văn Nam',
      idNumber: '027098001234',
      idKind: 'cccd',
      dateOfBirth: '17/04/1998',
      gender: 'Nam',
      contactPerson: 'Hoàng Văn Nam',
    });
    expect(out.value.sources.fullName).toEqual({ from: 'qr', confidence: 1 });
  });

  it('a QR whose number disagrees with its own birth year is refused; OCR suggests above its floor only', () => {
    const bad = cardValues(
      recognizeReaderText('027098001234||Hoàng Văn Nam|17042005|Nam|Thôn Đông Du|05032021'),
    );
    expect(bad).toMatchObject({ ok: false, message: expect.stringMatching(/không nhất quán/u) });
    const ocr: Recognition = {
      kind: 'cccd_front',
      fields: { fullName: 'HOANG VAN NAM', idNumber: '027098001234', address: '~~~' },
      confidence: { fullName: 0.72, idNumber: 0.91, address: 0.1 },
      source: 'ocr',
      warnings: [],
    };
    const out = cardValues(ocr);
    expect(out.ok && out.value.values).toEqual({
      fullName: 'HOANG VAN NAM',
      idNumber: '027098001234',
      idKind: 'cccd',
      contactPerson: 'HOANG VAN NAM',
    });
    expect(out.ok && out.value.sources.fullName).toEqual({ from: 'ocr', confidence: 0.72 });
    const form = cardValues({ ...ocr, kind: 'mau01' });
    expect(form.ok).toBe(false);
  });

  it('dates from a card show as dd/MM/yyyy', () => {
    expect(toFormDate('1998-04-17')).toBe('17/04/1998');
    expect(toFormDate('')).toBe('');
  });
});

describe('the Mã tạm in a printed form’s QR', () => {
  it('is read as a Mã tạm (canonical), also from a reader; other codes are not', () => {
    const ref = provisionalRef(ctx.clientId);
    expect(provisionalRefFromQr(ref)).toBe(ref);
    expect(provisionalRefFromQr(ref.toLowerCase())).toBe(ref);
    expect(provisionalRefFromQr(` ${ref.replace(/-/gu, ' ')}\r\n`)).toBe(ref);
    expect(provisionalRefFromQr('7K3Q9XWD')).toBeNull(); // without MT it is no Mã tạm
    expect(provisionalRefFromQr('00006.GD/2020/903')).toBeNull();
    expect(recognizeReaderText(ref)).toMatchObject({
      kind: 'mau01',
      fields: { provisionalRef: ref },
      source: 'qr_reader',
    });
  });
});
