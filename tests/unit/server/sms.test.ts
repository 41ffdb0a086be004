// SMS text: every message the service writes is GSM-7 (no diacritics) and fits one 160-character SMS.
import { describe, expect, it } from 'vitest';
import { ALL_TONES_NAME } from '../../../contract/index.js';
import { backoffMs, isGsm7, SMS_MAX, smsText } from '../../../server/notify.js';
import { DEFAULT_REASONS } from '../../../server/reasons.js';

describe('SMS text', () => {
  it('removes every Vietnamese diacritic, đ included, and stays GSM-7', () => {
    expect(smsText('Hồ sơ đăng ký của Đỗ Văn Tỏi không hợp lệ')).toBe(
      'Ho so dang ky cua Do Van Toi khong hop le',
    );
    const all = smsText(ALL_TONES_NAME);
    expect(isGsm7(all)).toBe(true);
    expect(all).toMatch(/^Dang Thi Anh Hang/u);
  });

  it('fits 160 characters whatever it is given', () => {
    const long = smsText(
      `BHXH VN: Ho so so 00001.GD/2026/00115 khong hop le. Ly do: ${'Ảnh giấy tờ không rõ; '.repeat(40)}`,
    );
    expect(long.length).toBe(SMS_MAX);
    expect(long.endsWith('...')).toBe(true);
    expect(isGsm7(long)).toBe(true);
  });

  it('keeps the account message within one SMS with a 12-character password', () => {
    const text = smsText(
      'BHXH VN: Tai khoan GDDT cua ban da duoc cap. Ten dang nhap: 0113098765. Mat khau: ABCDEFGHJKLM. Vui long doi mat khau khi dang nhap lan dau.',
    );
    expect(text.length).toBeLessThanOrEqual(160);
    expect(text).toContain('ABCDEFGHJKLM');
  });

  it('replaces characters outside GSM-7 (emoji, curly quotes, CJK) instead of sending UCS-2', () => {
    const text = smsText('Lý do: “ảnh mờ” 😀 — 漢字 {x}');
    expect(isGsm7(text)).toBe(true);
    expect(text).toBe('Ly do: anh mo - x');
  });

  it('has standard reasons whose SMS texts are plain', () => {
    for (const r of DEFAULT_REASONS) expect(smsText(r.smsText)).toBe(r.smsText);
  });

  it('backs off exponentially with jitter, capped', () => {
    const cfg = { baseDelayMs: 1000, maxDelayMs: 8000 };
    expect(backoffMs(1, cfg, () => 0)).toBe(500);
    expect(backoffMs(1, cfg, () => 1)).toBe(1000);
    expect(backoffMs(3, cfg, () => 1)).toBe(4000);
    expect(backoffMs(10, cfg, () => 1)).toBe(8000);
  });
});
