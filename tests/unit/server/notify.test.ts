// server/notify.ts, its SMS text: every message the service writes is GSM-7 (no diacritics) and fits one
// 160-character SMS; the messages an approval sends (server/decisions.ts) fit whole. And the local
// sinks (no gateway configured) keep every message of a pass, in order.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_TONES_NAME, formatDossierNumber } from '../../../contract/index.js';
import { accountIssuedSms, accountStoppedSms, detailsUpdatedSms } from '../../../server/decisions.js';
import { createLocalSmsSink, createMailer, isGsm7, SMS_MAX, smsText } from '../../../server/notify.js';
import { oneTimePassword } from '../../../server/passwords.js';
import { DEFAULT_REASONS } from '../../../server/reasons.js';

/** The longest values the messages carry: a 10-digit code, a 10-character agency, a 5-digit number. */
const CODE = '0123456789';
const LONGEST_NUMBER = formatDossierNumber(99_999, 2026, 'ABCDEFGHIJ');

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
    const otp = oneTimePassword();
    expect(otp).toHaveLength(12);
    const message = accountIssuedSms(CODE, otp);
    // smsText would cut a message over 160 characters: the one sent is the one written, password whole.
    expect(smsText(message)).toBe(message);
    expect(message.length).toBeLessThanOrEqual(SMS_MAX);
    expect(message).toContain(`Mat khau: ${otp}.`);
  });

  it('keeps the change-of-details and stop messages within one SMS with the longest dossier number', () => {
    for (const message of [
      detailsUpdatedSms(CODE, LONGEST_NUMBER),
      accountStoppedSms(CODE, '31/12/2026', LONGEST_NUMBER),
    ]) {
      expect(smsText(message)).toBe(message);
      expect(message.length).toBeLessThanOrEqual(SMS_MAX);
      expect(message).toContain(LONGEST_NUMBER);
    }
  });

  it('replaces characters outside GSM-7 (emoji, curly quotes, CJK) instead of sending UCS-2', () => {
    const text = smsText('Lý do: “ảnh mờ” 😀 — 漢字 {x}');
    expect(isGsm7(text)).toBe(true);
    expect(text).toBe('Ly do: anh mo - x');
  });

  it('has standard reasons whose SMS texts are plain', () => {
    for (const r of DEFAULT_REASONS) expect(smsText(r.smsText)).toBe(r.smsText);
  });
});

describe('the local SMS and e-mail sinks', () => {
  it('write every message of a pass to their files, in order, each send answered once its line is written', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sink-'));
    try {
      const sms = createLocalSmsSink(dir);
      const mail = createMailer(undefined, 'BHXH <no-reply@example.vn>', dir);
      const file = path.join(dir, 'sms-sink.jsonl');
      const lineCount = (f: string): number =>
        existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).length : 0;
      // 300 sends at once, as a delivery pass makes them: each answer finds its own line written.
      const answered = await Promise.all(
        Array.from({ length: 300 }, async (_, i) => {
          const r = await sms.send({ id: `m${i}`, to: '0912345678', text: `tin ${i}` });
          return { ok: r.ok, linesThen: lineCount(file) };
        }),
      );
      answered.forEach((a, i) => {
        expect(a.ok).toBe(true);
        expect(a.linesThen).toBeGreaterThanOrEqual(i + 1);
      });
      const ids = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id);
      expect(ids).toEqual(Array.from({ length: 300 }, (_, i) => `m${i}`));
      await mail.send({ id: 'e1', to: 'a@example.vn', subject: 'Chủ đề', text: 'Nội dung' });
      const mails = readFileSync(path.join(dir, 'email-sink.jsonl'), 'utf8').trim().split('\n');
      expect(mails).toHaveLength(1);
      expect((JSON.parse(mails[0]!) as { subject: string }).subject).toBe('Chủ đề');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
