// The daily report and the end-of-day reconciliation read back with pdftotext: counts, the
// per-officer table with its totals row, every dossier of the day, landscape pages with the table
// header repeated, and the reconciliation's buckets (confirmed / waiting / failed).

import { describe, expect, it } from 'vitest';
import { reportVerdicts, type DailyReport } from '../../../contract/api.js';
import type { DossierSummary } from '../../../contract/domain.js';
import { syntheticPeople } from '../../../contract/synthetic.js';
import type { OutboxItem } from '../../../contract/workstation.js';
import {
  reconciliationItems,
  renderDailyReport,
  renderReconciliation,
} from '../../../electron/workstation/print/index.js';
import { titleWithSkipReason } from '../../harness/skip.js';
import { demoAgency, demoDossiers } from './demoDossiers.js';
import { flat, pdfInfo, pdfText, POPPLER, POPPLER_REASON } from './pdfTools.js';

const t = (title: string): string => titleWithSkipReason(title, POPPLER, POPPLER_REASON);

function seedReport(): DailyReport {
  const dossiers = demoDossiers().filter(
    (d) => d.agencyCode === '00115' && d.receivedAt?.startsWith('2020-08-12'),
  );
  return {
    agencyCode: '00115',
    date: '2020-08-12',
    received: dossiers.length,
    decidedValid: 2,
    decidedInvalid: 0,
    expired: 0,
    pendingAtDayEnd: 4,
    perOfficer: [{ reviewer: 'Trung tâm Công nghệ thông tin', valid: 2, invalid: 0, total: 2 }],
    perOutcome: { valid: 2 },
    dossiers,
    delivery: { queued: 1234, lagSeconds: 7.2 },
  };
}

describe('daily report', () => {
  it.skipIf(!POPPLER)(
    t('the seed day of BHXH huyện Test: counts, officers with totals, every dossier'),
    async () => {
      const report = seedReport();
      expect(report.dossiers.length).toBe(6);
      const pdf = await renderDailyReport(report, demoAgency('00115'), {
        preparedBy: 'Lãnh đạo BHXH Tỉnh Test',
      });
      const info = pdfInfo(pdf);
      expect(info.width).toBeGreaterThan(info.height); // landscape
      const text = flat(pdfText(pdf, { raw: false }));
      const raw = flat(pdfText(pdf));
      for (const line of [
        'BÁO CÁO TIẾP NHẬN VÀ DUYỆT HỒ SƠ ĐĂNG KÝ GIAO DỊCH ĐIỆN TỬ',
        'Ngày 12/08/2020 - BHXH huyện Test (mã 00115)',
        'Tiếp nhận Hợp lệ, đã cấp tài khoản Mã số BHXH không có trên HGD Không hợp lệ Cập nhật thông tin Ngừng giao dịch điện tử Quá hạn, tự động xóa Chờ duyệt cuối ngày 6 2 0 0 0 0 0 4',
        'Tin nhắn SMS, thư điện tử chờ gửi lúc lập báo cáo: 1.234 (tin chờ lâu nhất đã quá 8 giây)',
        '1 Trung tâm Công nghệ thông tin 2 0 0 0 0 2',
        'Tổng cộng 2 0 0 0 0 2',
        'III. Danh sách hồ sơ trong ngày (6 hồ sơ)',
        'NGƯỜI LẬP BIỂU',
        'Lãnh đạo BHXH Tỉnh Test',
      ]) {
        expect(raw).toContain(line);
      }
      for (const d of report.dossiers) {
        expect(text).toContain(d.dossierNumber);
        expect(text).toContain(d.bhxhCode);
        expect(raw).toContain(d.fullName);
      }
      expect(raw).toContain('Đã duyệt Hồ sơ hợp lệ Trung tâm Công nghệ thông tin');
      expect(raw).toContain('Hồ sơ chờ duyệt');
    },
  );

  it.skipIf(!POPPLER)(
    t('a busy day breaks over pages with the header repeated and totals summed'),
    async () => {
      const people = syntheticPeople(150, 7);
      const dossiers: DossierSummary[] = people.map((p, i) => ({
        id: `id-${i}`,
        dossierNumber: `${String(i + 1).padStart(5, '0')}.GD/2026/903`,
        receivedAt: '2026-11-25T09:00:00+07:00',
        declaredAt: '2026-11-24T15:00:00+07:00',
        bhxhCode: p.bhxhCode,
        fullName: p.fullName,
        address: p.address,
        contactPerson: p.fullName,
        mobile: p.mobile,
        reviewer: i % 3 === 0 ? 'Cán bộ Một' : i % 3 === 1 ? 'Cán bộ Hai' : null,
        decidedAt: i % 3 === 2 ? null : '2026-11-25T10:00:00+07:00',
        status: i % 3 === 2 ? 'pending' : 'decided',
        outcome: i % 3 === 2 ? null : i % 2 === 0 ? 'valid' : 'invalid',
        kind: 'register',
        version: 1,
        agencyCode: '903',
      }));
      const report: DailyReport = {
        agencyCode: '903',
        date: '2026-11-25',
        received: 150,
        decidedValid: 50,
        decidedInvalid: 50,
        expired: 3,
        pendingAtDayEnd: 50,
        perOfficer: [
          { reviewer: 'Cán bộ Hai', valid: 25, invalid: 25, total: 50 },
          { reviewer: 'Cán bộ Một', valid: 25, invalid: 25, total: 50 },
        ],
        perOutcome: { valid: 50, invalid: 50 },
        dossiers,
      };
      const pdf = await renderDailyReport(report, demoAgency('903'));
      const pages = pdfInfo(pdf).pages;
      expect(pages).toBeGreaterThan(3);
      const raw = pdfText(pdf);
      // Officers sorted the Vietnamese way, totals summed.
      expect(flat(raw)).toContain(
        '1 Cán bộ Hai 25 0 25 0 0 50 2 Cán bộ Một 25 0 25 0 0 50 Tổng cộng 50 0 50 0 0 100',
      );
      for (let page = 2; page <= pages; page++) {
        expect(flat(pdfText(pdf, { firstPage: page, lastPage: page }))).toMatch(
          /^STT Số hồ sơ Ngày tiếp nhận/u,
        );
      }
      for (const d of dossiers) expect(raw).toContain(d.dossierNumber);
      expect(flat(raw)).toContain(dossiers[149]?.fullName ?? 'missing');
    },
  );
});

function item(
  n: number,
  state: OutboxItem['state'],
  createdAt: string,
  extra: Partial<OutboxItem> = {},
): OutboxItem {
  return {
    id: `o${n}`,
    dossierId: `d${n}`,
    dossierNumber: `${String(n).padStart(5, '0')}.GD/2026/903`,
    fullName: `Nguyễn Thị Ánh ${n}`,
    outcome: n % 2 ? 'valid' : 'invalid',
    reasonCodes: [],
    reason: '',
    confirmUpdate: false,
    baseVersion: 1,
    username: 'ttcntt',
    officerName: 'Trung tâm Công nghệ thông tin',
    agencyCode: '903',
    dossierAgencyCode: '903',
    state,
    attempts: 1,
    lastError: null,
    result: state === 'synced' ? (n % 2 ? 'account_issued' : 'rejected') : null,
    createdAt,
    updatedAt: createdAt,
    ...extra,
  };
}

describe('daily report by Trạng thái', () => {
  it.skipIf(!POPPLER)(
    t('an approval whose code is not in HGD is counted apart from one that issued an account'),
    async () => {
      const report = {
        ...seedReport(),
        decidedValid: 3,
        perOfficer: [
          {
            reviewer: 'Trung tâm Công nghệ thông tin',
            valid: 3,
            invalid: 1,
            total: 4,
            verdicts: { valid: 1, code_not_found: 2, invalid: 1, details_updated: 0, account_stopped: 0 },
          },
        ],
        verdicts: { valid: 1, code_not_found: 2, invalid: 1, details_updated: 0, account_stopped: 0 },
      };
      expect(reportVerdicts(report)).toEqual(report.verdicts);
      const raw = flat(pdfText(await renderDailyReport(report, demoAgency('00115'))));
      expect(raw).toContain(
        'Ngừng giao dịch điện tử Quá hạn, tự động xóa Chờ duyệt cuối ngày 6 1 2 1 0 0 0 4',
      );
      expect(raw).toContain('1 Trung tâm Công nghệ thông tin 1 2 1 0 0 4');
      // an older service without them: worked out from its counts by result
      expect(
        reportVerdicts({
          ...report,
          verdicts: undefined,
          perOutcome: { account_issued: 1, code_not_found: 2, rejected: 1 },
        }),
      ).toEqual({ valid: 1, code_not_found: 2, invalid: 1, details_updated: 0, account_stopped: 0 });
    },
  );
});

describe('end-of-day reconciliation', () => {
  const items = [
    item(1, 'synced', '2026-11-25T02:00:00Z'),
    item(2, 'synced', '2026-11-25T03:00:00Z'),
    item(3, 'queued', '2026-11-25T04:00:00Z'),
    item(4, 'conflict', '2026-11-25T05:00:00Z', { lastError: 'Cán bộ khác đã duyệt hồ sơ trước' }),
    item(5, 'failed', '2026-11-24T09:00:00Z', { lastError: 'Máy chủ trả lỗi 500', attempts: 7 }),
    item(6, 'synced', '2026-11-24T08:00:00Z'), // yesterday, settled: not on today's sheet
    item(7, 'dismissed', '2026-11-25T06:00:00Z'),
    item(8, 'synced', '2026-11-25T17:30:00Z'), // 00:30 on the 26th in Hà Nội: tomorrow's
  ];

  it('takes the day (Vietnam time) plus anything older still unsettled', () => {
    expect(reconciliationItems(items, '2026-11-25').map((i) => i.id)).toEqual([
      'o5',
      'o1',
      'o2',
      'o3',
      'o4',
      'o7',
    ]);
  });

  it.skipIf(!POPPLER)(
    t('counts what the desk decided, what the service confirmed, what waits or failed'),
    async () => {
      const pdf = await renderReconciliation({
        agency: demoAgency('903'),
        date: '2026-11-25',
        workstationName: 'Quầy 1 - Bộ phận một cửa',
        officer: 'Trung tâm Công nghệ thông tin',
        items,
        generatedAt: '2026-11-25T10:30:00Z',
      });
      const raw = flat(pdfText(pdf));
      expect(raw).toContain('BIÊN BẢN ĐỐI CHIẾU KẾT QUẢ DUYỆT HỒ SƠ CUỐI NGÀY');
      expect(raw).toContain(
        'Ngày 25/11/2026 - Máy trạm: Quầy 1 - Bộ phận một cửa Cán bộ: Trung tâm Công nghệ thông tin',
      );
      // decided today 5 (o1 o2 o3 o4 o7), confirmed 2, waiting 1, failed/conflict 2 (o4, o5), dismissed 1
      expect(raw).toMatch(/Đã bỏ qua 5 2 1 2 1/u);
      // the two confirmed: o1 issued an account, o2 was rejected
      expect(raw).toContain(
        'Hợp lệ, đã cấp tài khoản Mã số BHXH không có trên HGD Không hợp lệ Cập nhật thông tin Ngừng giao dịch điện tử 1 0 1 0 0',
      );
      expect(raw).toContain('Còn 3 quyết định chưa được hệ thống trung tâm xác nhận');
      expect(raw).toContain(
        '00005.GD/2026/903 Nguyễn Thị Ánh 5 Hồ sơ hợp lệ Trung tâm Công nghệ thông tin 24/11/2026 16:00 Gửi không thành công Máy chủ trả lỗi 500 7',
      );
      expect(raw).toContain('Đã cấp tài khoản giao dịch điện tử');
      expect(raw).toContain('Xung đột: cán bộ khác đã xử lý trước');
      expect(raw).toContain('LÃNH ĐẠO XÁC NHẬN ĐỐI CHIẾU');
      expect(raw).not.toContain('00006.GD/2026/903');
      expect(raw).not.toContain('00008.GD/2026/903');
    },
  );

  it.skipIf(!POPPLER)(t('a settled day says so'), async () => {
    const pdf = await renderReconciliation({
      agency: demoAgency('903'),
      date: '2026-11-25',
      workstationName: 'Quầy 2',
      officer: 'Cán bộ thử khoá',
      items: items.filter((i) => i.state === 'synced'),
      generatedAt: '2026-11-25T10:30:00Z',
    });
    expect(flat(pdfText(pdf))).toContain('Mọi quyết định trong ngày đã được hệ thống trung tâm xác nhận.');
  });
});
