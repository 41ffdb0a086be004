// Decision notices read back with pdftotext: approval names the account and how the password
// arrives, rejection gives the reason and what to do next, code-not-found explains the TK1-TS
// application; an undecided dossier has no notice.

import { describe, expect, it } from 'vitest';
import { noticeResult, PrintError, renderDecisionNotice } from '../../../electron/workstation/print/index.js';
import { titleWithSkipReason } from '../../harness/skip.js';
import { demoAgency, demoDossiers } from './demoDossiers.js';
import { flat, pdfInfo, pdfText, POPPLER, POPPLER_REASON } from './pdfTools.js';

const t = (title: string): string => titleWithSkipReason(title, POPPLER, POPPLER_REASON);

function decided() {
  const d = demoDossiers().find((x) => x.dossierNumber === '00077.GD/2020/00115');
  if (!d) throw new Error('seed dossier 00077 missing');
  return d;
}

describe('decision notices', () => {
  it.skipIf(!POPPLER)(
    t('approval: account user name, password by SMS to the masked phone, agency contact'),
    async () => {
      const d = { ...decided(), email: 'trieu.tm@example.vn' };
      const pdf = await renderDecisionNotice(d, demoAgency('00115'));
      expect(pdfInfo(pdf).pages).toBe(1);
      const text = flat(pdfText(pdf));
      for (const line of [
        'BẢO HIỂM XÃ HỘI VIỆT NAM',
        'BHXH HUYỆN TEST',
        'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
        'Độc lập - Tự do - Hạnh phúc',
        '....., ngày 12 tháng 8 năm 2020',
        'THÔNG BÁO',
        'Về việc chấp thuận đăng ký sử dụng phương thức giao dịch điện tử trong lĩnh vực bảo hiểm xã hội',
        'Kính gửi: Ông/Bà Trần Minh Triều',
        'Số hồ sơ: 00077.GD/2020/00115',
        'Mã số bảo hiểm xã hội: 0206215276',
        'tiếp nhận ngày 12/08/2020',
        'Tên đăng nhập (tài khoản): 0206215276',
        'Mật khẩu: mật khẩu lần đầu được gửi bằng tin nhắn (SMS) tới số điện thoại di động đã đăng ký 0975 *** 904',
        'Thông báo chấp thuận: đã gửi vào địa chỉ thư điện tử trieu.tm@example.vn',
        'ít nhất 06 (sáu) tháng một lần',
        'Mọi thắc mắc xin liên hệ BHXH huyện Test, địa chỉ Số 164 Lê Lợi, phường Hà Cầu, quận Hà Đông, Hà Nội, điện thoại 024 65560774.',
        'Cán bộ xử lý: Trung tâm Công nghệ thông tin - Ngày xử lý: 12/08/2020 10:21',
        'THỦ TRƯỞNG BHXH HUYỆN TEST',
      ]) {
        expect(text).toContain(line);
      }
      // The full phone number never appears on a paper that leaves the counter.
      expect(text).not.toContain('0975 057 904');
    },
  );

  it.skipIf(!POPPLER)(
    t('rejection: the standard reasons by code and the free text, and what to do next'),
    async () => {
      const d = {
        ...decided(),
        outcome: 'invalid' as const,
        result: 'rejected' as const,
        reasonCodes: ['HT'],
        reason: 'Ảnh chụp CCCD bị mờ',
      };
      const text = flat(
        pdfText(
          await renderDecisionNotice(d, demoAgency('00115'), undefined, {
            reasons: [
              { code: 'HT', text: 'Họ tên không khớp với thẻ Căn cước', smsText: 'Ho ten khong khop' },
            ],
          }),
        ),
      );
      expect(text).toContain('Về việc không chấp nhận đăng ký sử dụng phương thức giao dịch điện tử');
      expect(text).toContain('Lý do: Họ tên không khớp với thẻ Căn cước; Ảnh chụp CCCD bị mờ');
      expect(text).toContain('hoàn chỉnh thông tin đăng ký');
      expect(text).toContain('liên hệ với cơ quan Bảo hiểm xã hội nơi gần nhất');
      expect(text).not.toContain('Tên đăng nhập');
    },
  );

  it.skipIf(!POPPLER)(t('code not found: how to apply for a code (TK1-TS), no account'), async () => {
    const d = { ...decided(), accountResult: 'code_not_found' as const, result: null };
    expect(noticeResult(d)).toBe('code_not_found');
    const text = flat(pdfText(await renderDecisionNotice(d, demoAgency('00115'))));
    expect(text).toContain(
      'Về việc chưa cấp được tài khoản giao dịch điện tử do chưa có mã số bảo hiểm xã hội',
    );
    expect(text).toContain(
      'Mã số bảo hiểm xã hội 0206215276 không có trên Hệ thống cấp mã số BHXH và quản lý BHYT hộ gia đình',
    );
    expect(text).toContain('(Mẫu TK1-TS)');
    expect(text).not.toContain('Tên đăng nhập');
  });

  it.skipIf(!POPPLER)(t('updated details and stopped account notices'), async () => {
    const update = demoDossiers().find((x) => x.kind === 'update');
    if (!update) throw new Error('no update dossier');
    const upd = {
      ...update,
      status: 'decided' as const,
      outcome: 'valid' as const,
      result: 'details_updated' as const,
      decidedAt: '2020-08-14T09:00:00+07:00',
    };
    const updText = flat(pdfText(await renderDecisionNotice(upd, demoAgency('001'))));
    expect(updText).toContain('Về việc điều chỉnh thông tin đăng ký giao dịch điện tử');
    expect(updText).toContain('Địa chỉ thư điện tử mới: nhung.pham@example.vn');
    expect(updText).toContain('Số điện thoại di động mới: 0988 123 456');
    const stop = {
      ...upd,
      kind: 'stop' as const,
      result: null,
      update: null,
      stop: { stopDate: '2020-09-01', reason: 'Không còn sử dụng' },
    };
    expect(noticeResult(stop)).toBe('account_stopped');
    const stopText = flat(pdfText(await renderDecisionNotice(stop, demoAgency('001'))));
    expect(stopText).toContain('Tài khoản giao dịch điện tử của Ông/Bà đã ngừng sử dụng.');
    expect(stopText).toContain('Ngừng từ ngày: 01/09/2020');
    expect(stopText).toContain('Lý do ngừng: Không còn sử dụng');
  });

  it('an undecided dossier has no notice: a Vietnamese PrintError', async () => {
    const pending = demoDossiers().find((x) => x.status === 'pending');
    if (!pending) throw new Error('no pending dossier');
    await expect(async () => renderDecisionNotice(pending, demoAgency(pending.agencyCode))).rejects.toThrow(
      PrintError,
    );
    expect(() => noticeResult(pending)).toThrow(
      `Hồ sơ ${pending.dossierNumber} chưa được duyệt: chưa có kết quả để in thông báo.`,
    );
  });
});
