// The supervisor's sheets on a real PostgreSQL 15 (tests/harness/postgres.ts) and a real workstation:
// one desk where an officer of another agency (001, Hà Nội) also worked. The end-of-day
// reconciliation of agency 903's supervisor holds only 903's subtree, names the officers by their
// display names and the desk by the name its administrator gave it; both sheets count an approval
// whose code is not in HGD apart from one that issued an account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {
  DailyReportJob,
  FormEdition,
  PrintJob,
  ReconciliationJob,
} from '../../../contract/workstationPrint.js';
import { keyFileProvider } from '../../../electron/workstation/store/keys.js';
import { createWorkstation, type Workstation } from '../../../electron/workstation/workstation.js';
import { storeDatabase } from '../../../electron/workstation/store/inspect.js';
import { titleWithSkipReason } from '../../harness/skip.js';
import { flat, pdfInfo, pdfText, POPPLER, POPPLER_REASON } from '../../unit/print/pdfTools.js';
import { ok, PASSWORD, startCentral, type Central } from './harness.js';

const t = (title: string): string => titleWithSkipReason(title, POPPLER, POPPLER_REASON);

let central: Central;
let ws: Workstation;
let dir: string;
/** The desk's name as an administrator set it in the machine's settings. */
const DESK = 'Quầy 3 - Bộ phận một cửa';
const today = (): string => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

async function signIn(agencyCode: string, username: string): Promise<void> {
  await ok(ws.dispatch('session.signIn', { agencyCode, username, password: PASSWORD }) as never);
  await ws.engine.syncNow();
}

function idOf(dossierNumber: string): string {
  const row = storeDatabase(ws.store)
    .prepare('SELECT id FROM dossiers WHERE dossier_number = ?')
    .get(dossierNumber) as { id: string } | undefined;
  if (!row) throw new Error(`${dossierNumber} not in the local store`);
  return row.id;
}

async function decide(dossierNumber: string, extra: Record<string, unknown> = {}): Promise<void> {
  const r = await ok<{ synced: boolean }>(
    ws.dispatch('decisions.record', { dossierId: idOf(dossierNumber), outcome: 'valid', ...extra }) as never,
  );
  expect(r.synced, dossierNumber).toBe(true);
}

async function pdfOf(jobId: string): Promise<Buffer> {
  const { dataUrl } = await ok<{ dataUrl: string }>(ws.dispatch('print.data', { jobId }) as never);
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
}

beforeAll(async () => {
  central = await startCentral();
  dir = mkdtempSync(path.join(os.tmpdir(), 'ws-reports-'));
  ws = createWorkstation({
    dataDir: dir,
    serviceUrl: central.proxy.url,
    keyProvider: keyFileProvider(path.join(dir, 'store.key')),
    transport: 'http',
    sync: { pullIntervalMs: 60_000, baseBackoffMs: 100, maxBackoffMs: 800, pageSize: 50 },
    recordWaitMs: 5_000,
    requestTimeoutMs: 10_000,
    workstationName: () => DESK,
  });
  // An officer of Hà Nội (001) works at this desk first: a change of details of agency 001.
  await signIn('001', 'cbhn');
  await decide('00012.GD/2020/001', { confirmUpdate: true });
  await ok(ws.dispatch('session.signOut', {}) as never);
  // Then an officer of 903: one approval that issues an account, one whose code is not in HGD.
  await signIn('903', 'ttcntt');
  await decide('00078.GD/2020/00115');
  await decide('00088.GD/2020/00115');
  await ok(ws.dispatch('session.signOut', {}) as never);
  await signIn('903', 'ld903');
}, 180_000);

afterAll(async () => {
  await ws?.close();
  await central?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the supervisor's sheets hold only the agencies in their scope", () => {
  it.skipIf(!POPPLER)(
    t('the reconciliation of 903 has no row of agency 001 and names officers by their display names'),
    async () => {
      const { job, items, counts } = await ok<ReconciliationJob>(
        ws.dispatch('print.reconciliation', { date: today() }) as never,
      );
      expect(items.map((i) => i.dossierNumber).sort()).toEqual([
        '00078.GD/2020/00115',
        '00088.GD/2020/00115',
      ]);
      expect(counts).toEqual({
        decidedToday: 2,
        confirmed: 2,
        waiting: 0,
        failed: 0,
        dismissed: 0,
        // 00078 issued an account; 00088's code is in HGD under another name: no account
        verdicts: { valid: 1, code_not_found: 1, invalid: 0, details_updated: 0, account_stopped: 0 },
      });
      expect(items.map((i) => i.officerName)).toEqual([
        'Trung tâm Công nghệ thông tin',
        'Trung tâm Công nghệ thông tin',
      ]);
      // the desk by its name, in the title and the file name; never the device uuid
      expect(job.fileName).toBe(`DoiChieu-Quay-3-Bo-phan-mot-cua-${today()}.pdf`);
      const text = flat(pdfText(await pdfOf(job.jobId)));
      expect(text).toContain(`Máy trạm: ${DESK}`);
      expect(text).not.toContain(ws.store.deviceId());
      expect(text).toContain('Mã số BHXH không có trên HGD');
      expect(text).not.toContain('00012.GD/2020/001');
      expect(text).not.toContain('Cán bộ tiếp nhận Hà Nội');
      expect(text).not.toContain('cbhn');
      expect(text).toContain('Cán bộ: Trung tâm Công nghệ thông tin');
      expect(text).not.toContain('Cán bộ: ttcntt');
    },
  );
});

describe('the daily report counts by Trạng thái', () => {
  it.skipIf(!POPPLER)(
    t("today's report of 903: one account issued, one code not in HGD, officers by display name"),
    async () => {
      const { job, report } = await ok<DailyReportJob>(
        ws.dispatch('print.dailyReport', { date: today() }) as never,
      );
      expect(report.verdicts).toMatchObject({ valid: 1, code_not_found: 1, invalid: 0 });
      expect(report.perOfficer).toEqual([
        expect.objectContaining({
          reviewer: 'Trung tâm Công nghệ thông tin',
          total: 2,
          verdicts: { valid: 1, code_not_found: 1, invalid: 0, details_updated: 0, account_stopped: 0 },
        }),
      ]);
      expect(report.dossiers.map((d) => d.agencyCode).every((a) => a === '903' || a === '00115')).toBe(true);
      expect(report.dossiers.find((d) => d.dossierNumber === '00088.GD/2020/00115')?.result).toBe(
        'code_not_found',
      );
      const text = flat(pdfText(await pdfOf(job.jobId)));
      expect(text).toContain('1 Trung tâm Công nghệ thông tin 1 1 0 0 0 2');
      expect(text).not.toContain('00012.GD/2020/001');
      expect(text).not.toContain('Cán bộ tiếp nhận Hà Nội');
    },
  );
});

describe('In mẫu trắng: blank Mẫu 01 forms', () => {
  it('lists the editions with the one in force today marked', async () => {
    const editions = await ok<FormEdition[]>(ws.dispatch('print.editions', {}) as never);
    expect(editions.map((e) => e.id)).toEqual(['mau01-2020', 'mau01-2025']);
    expect(editions.filter((e) => e.current).map((e) => e.id)).toEqual(['mau01-2025']);
  });

  it.skipIf(!POPPLER)(
    t('three copies of the 2020 edition chosen by date, each from a new page'),
    async () => {
      const one = await ok<PrintJob>(ws.dispatch('print.blank', { copies: 1 }) as never);
      const three = await ok<PrintJob>(
        ws.dispatch('print.blank', { date: '2020-08-12', copies: 3 }) as never,
      );
      expect(three.forms).toBe(3);
      expect(three.fileName).toBe('Mau01-trang-mau01-2020-3-ban.pdf');
      const pdf = await pdfOf(three.jobId);
      expect(pdfInfo(pdf).pages).toBe(3 * one.pages);
      const text = flat(pdfText(pdf));
      expect(text).toContain('Nghị định số 166/2016/NĐ-CP');
      expect(text.split('TỜ KHAI').length - 1).toBe(3);
      expect(flat(pdfText(await pdfOf(one.jobId)))).toContain('164/2025/NĐ-CP');
    },
  );

  it('bad input is refused in Vietnamese', async () => {
    const bad = await ws.dispatch('print.blank', { templateId: 'mau99', copies: 1 });
    expect(bad.ok || bad.error.message).toBe('Không có mẫu Mẫu 01 đã chọn: chọn lại phiên bản mẫu.');
    const day = await ws.dispatch('print.blank', { date: '2020-02-30', copies: 1 });
    expect(day.ok || day.error.message).toBe('Ngày áp dụng mẫu không có thật trên lịch.');
    const many = await ws.dispatch('print.blank', { copies: 201 });
    expect(many.ok || many.error.code).toBe('validation_failed');
  });
});
