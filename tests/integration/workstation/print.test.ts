// Printing inside the workstation against the real central service (startService on
// embedded PGlite with the demo data) and real workstations (composition root, encrypted stores):
// Mẫu 01 and the decision notice of a dossier read back with pdftotext, the supervisors' reports and
// the officer refused, batches with progress events and cancel, the shell's dialogs, the local HTTP
// host serving a job's PDF, and the Vietnamese sentence of every bad input.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Method, WsError, WsEvent, WsResult } from '../../../contract/workstation.js';
import type {
  BatchStarted,
  DailyReportJob,
  PrintJob,
  ReconciliationJob,
} from '../../../contract/workstationPrint.js';
import { createApiBridge } from '../../../electron/workstation/apiBridge.js';
import { startHttpHost } from '../../../electron/workstation/httpHost.js';
import type { PrintOptions } from '../../../electron/workstation/handlers/print.js';
import { keyFileProvider } from '../../../electron/workstation/store/keys.js';
import { createWorkstation, type Workstation } from '../../../electron/workstation/workstation.js';
import { startService, type RunningService } from '../../../server/service.js';
import { titleWithSkipReason } from '../../harness/skip.js';
import { flat, pdfInfo, pdfText, POPPLER, POPPLER_REASON } from '../../unit/print/pdfTools.js';
import { intake, PASSWORD, pullUntilLocal } from './harness.js';
import { storeDatabase } from '../../../electron/workstation/store/inspect.js';

const t = (title: string): string => titleWithSkipReason(title, POPPLER, POPPLER_REASON);

let service: RunningService;
const dirs: string[] = [];
const open: Workstation[] = [];

function workstation(print?: PrintOptions): Workstation {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ws-print-'));
  dirs.push(dir);
  const ws = createWorkstation({
    dataDir: dir,
    serviceUrl: service.url,
    keyProvider: keyFileProvider(path.join(dir, 'store.key')),
    transport: 'http',
    sync: { pullIntervalMs: 60_000, baseBackoffMs: 100, maxBackoffMs: 800, pageSize: 50 },
    recordWaitMs: 3_000,
    requestTimeoutMs: 10_000,
    ...(print ? { print } : {}),
  });
  open.push(ws);
  return ws;
}

async function call<T>(ws: Workstation, method: Method, input: unknown): Promise<T> {
  const r = (await ws.dispatch(method, input)) as WsResult<T>;
  if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
  return r.value;
}

async function refused(ws: Workstation, method: Method, input: unknown): Promise<WsError> {
  const r = await ws.dispatch(method, input);
  if (r.ok) throw new Error(`${method} should have been refused`);
  return r.error;
}

async function signIn(ws: Workstation, username: string): Promise<void> {
  await call(ws, 'session.signIn', { agencyCode: '903', username, password: PASSWORD });
  await ws.engine.syncNow();
}

function idOf(ws: Workstation, dossierNumber: string): string {
  const row = storeDatabase(ws.store)
    .prepare('SELECT id FROM dossiers WHERE dossier_number = ?')
    .get(dossierNumber) as { id: string } | undefined;
  if (!row) throw new Error(`${dossierNumber} not in the local store`);
  return row.id;
}

async function pdfOf(ws: Workstation, job: PrintJob): Promise<Buffer> {
  const { dataUrl } = await call<{ dataUrl: string }>(ws, 'print.data', { jobId: job.jobId });
  expect(dataUrl.startsWith('data:application/pdf;base64,')).toBe(true);
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
}

const hasImage = (pdf: Buffer): boolean => pdf.toString('latin1').includes('/Subtype /Image');

let officer: Workstation;
let supervisor: Workstation;
/** 12 dossiers taken in through the service for the batches, with their numbers. */
let batchIds: string[] = [];
let batchNumbers: string[] = [];

beforeAll(async () => {
  service = await startService({
    port: 0,
    seedDemo: true,
    background: false,
    logger: false,
    config: { loginLimit: { perAddress: 10_000, perUser: 10_000 } },
  });
  const ids = await intake(service.url, 12, 41);
  officer = workstation();
  supervisor = workstation();
  await signIn(officer, 'ttcntt');
  await signIn(supervisor, 'ld903');
  await pullUntilLocal(officer, ids);
  await pullUntilLocal(supervisor, ids);
  batchIds = ids;
  batchNumbers = ids.map((id) => {
    const d = officer.store.getDossier(id);
    if (!d) throw new Error('intake dossier not synced');
    return d.dossierNumber;
  });
}, 180_000);

afterAll(async () => {
  for (const ws of open) await ws.close().catch(() => undefined);
  await service?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('one dossier: Mẫu 01 and the decision notice', () => {
  it.skipIf(!POPPLER)(t('Mẫu 01 of 00006.GD/2020/903 carries its number and the person'), async () => {
    const job = await call<PrintJob>(officer, 'print.document', {
      dossierId: idOf(officer, '00006.GD/2020/903'),
      document: 'mau01',
    });
    expect(job).toMatchObject({
      title: 'Mẫu 01 - hồ sơ 00006.GD/2020/903',
      fileName: 'Mau01-00006.GD-2020-903.pdf',
      forms: 1,
      delivery: 'renderer',
    });
    const pdf = await pdfOf(officer, job);
    expect(pdf.length).toBe(job.size);
    expect(pdfInfo(pdf).pages).toBe(job.pages);
    const text = flat(pdfText(pdf));
    expect(text).toContain('00006.GD/2020/903');
    expect(text).toContain('Nguyễn Thành Biên');
    expect(text).toContain('TỜ KHAI');
  });

  it.skipIf(!POPPLER)(t('the notice of a decided dossier (00077, approved) says so'), async () => {
    const job = await call<PrintJob>(officer, 'print.document', {
      dossierId: idOf(officer, '00077.GD/2020/00115'),
      document: 'notice',
    });
    expect(job.fileName).toBe('ThongBao-00077.GD-2020-00115.pdf');
    const text = flat(pdfText(await pdfOf(officer, job)));
    expect(text).toContain('THÔNG BÁO');
    expect(text).toContain('Về việc chấp thuận đăng ký sử dụng phương thức giao dịch điện tử');
    expect(text).toContain('00077.GD/2020/00115');
    expect(text).toContain('Trần Minh Triều');
  });

  it('an undecided dossier has no notice; an unknown or out-of-scope dossier is not found', async () => {
    const undecided = await refused(officer, 'print.document', {
      dossierId: idOf(officer, '00006.GD/2020/903'),
      document: 'notice',
    });
    expect(undecided).toMatchObject({
      code: 'not_decided',
      message: 'Hồ sơ 00006.GD/2020/903 chưa được duyệt: chưa có kết quả để in thông báo.',
    });
    const unknown = await refused(officer, 'print.document', {
      dossierId: '00000000-0000-4000-8000-000000000000',
      document: 'mau01',
    });
    expect(unknown.code).toBe('not_found');
    expect(unknown.message).toMatch(/^Không tìm thấy hồ sơ trên máy trạm/u);
    // 00012.GD/2020/001 belongs to Hà Nội, outside agency 903's tree: never in this desk's store.
    expect(
      storeDatabase(officer.store)
        .prepare('SELECT count(*) AS n FROM dossiers WHERE agency_code = ?')
        .get('001'),
    ).toEqual({ n: 0 });
    const badKind = await refused(officer, 'print.document', { dossierId: 'x', document: 'receipt' });
    expect(badKind.code).toBe('validation_failed');
    expect(badKind.message).toBe('Dữ liệu nhập không hợp lệ.');
  });

  it('a decision still waiting to sync gets no notice until the service confirms it', async () => {
    const ws = workstation();
    await signIn(ws, 'ttcntt');
    const id = batchIds[11]!;
    // The sync engine stopped: the decision stays queued on this desk.
    await ws.engine.stop();
    ws.store.recordDecision({
      request: {
        decisionId: '6f1d2c1e-1111-4222-8333-444455556666',
        outcome: 'valid',
        reasonCodes: [],
        reason: '',
        baseVersion: ws.store.getDossier(id)!.version,
        confirmUpdate: false,
        decidedAt: new Date().toISOString(),
        deviceId: 'test',
      },
      dossierId: id,
      user: ws.session.requireUser(),
    });
    const err = await refused(ws, 'print.document', { dossierId: id, document: 'notice' });
    expect(err.code).toBe('not_synced');
    expect(err.message).toContain('chưa được hệ thống trung tâm xác nhận');
  });

  it('a job belongs to the officer who made it: signing out drops it', async () => {
    const ws = workstation();
    await signIn(ws, 'ttcntt');
    const job = await call<PrintJob>(ws, 'print.document', {
      dossierId: idOf(ws, '00006.GD/2020/903'),
      document: 'mau01',
    });
    await call(ws, 'session.signOut', {});
    await signIn(ws, 'ttcntt');
    const gone = await refused(ws, 'print.data', { jobId: job.jobId });
    expect(gone.code).toBe('not_found');
    expect(gone.message).toMatch(/^Không còn tài liệu in này/u);
  });
});

describe('reports: supervisors only', () => {
  it('an officer asking for the daily report or the reconciliation is refused in Vietnamese', async () => {
    for (const method of ['print.dailyReport', 'print.reconciliation'] as const) {
      const err = await refused(officer, method, { date: '2020-08-12' });
      expect(err.code).toBe('forbidden');
      expect(err.message).toMatch(/^Chỉ lãnh đạo \(vai trò supervisor\) được xem và in báo cáo/u);
    }
  });

  it.skipIf(!POPPLER)(t('the supervisor gets the daily report of 12/08/2020 with its data'), async () => {
    const { job, report } = await call<DailyReportJob>(supervisor, 'print.dailyReport', {
      date: '2020-08-12',
    });
    expect(report.date).toBe('2020-08-12');
    expect(report.agencyCode).toBe('903');
    expect(job.fileName).toBe('BaoCaoNgay-903-2020-08-12.pdf');
    const pdf = await pdfOf(supervisor, job);
    expect(pdfInfo(pdf).width).toBeGreaterThan(pdfInfo(pdf).height); // landscape
    const text = flat(pdfText(pdf));
    expect(text).toContain('BÁO CÁO TIẾP NHẬN VÀ DUYỆT HỒ SƠ ĐĂNG KÝ GIAO DỊCH ĐIỆN TỬ');
    expect(text).toContain('Ngày 12/08/2020');
    for (const d of report.dossiers) expect(text).toContain(d.dossierNumber);
  });

  it('bad report dates each get their own sentence', async () => {
    const cases: Array<[string, RegExp]> = [
      ['2020-02-31', /^Ngày báo cáo không có thật trên lịch\.$/u],
      ['12/08/2020', /^Ngày báo cáo phải có dạng năm-tháng-ngày \(YYYY-MM-DD\)\.$/u],
      ['', /^Ngày báo cáo phải có dạng/u],
      ['2999-01-01', /^Ngày báo cáo 01\/01\/2999 chưa tới/u],
    ];
    for (const [date, message] of cases) {
      const err = await refused(supervisor, 'print.dailyReport', { date });
      expect(err.code, date).toBe('validation_failed');
      expect(err.message, date).toMatch(message);
      expect(err.fields?.date).toBe(err.message);
    }
    const rec = await refused(supervisor, 'print.reconciliation', { date: '2021-02-29' });
    expect(rec.message).toBe('Ngày đối chiếu không có thật trên lịch.');
  });

  it.skipIf(!POPPLER)(t("the desk's reconciliation lists the day's decisions from the outbox"), async () => {
    const ws = workstation();
    await signIn(ws, 'ttcntt');
    const id = batchIds[10]!;
    const decided = await call<{ synced: boolean }>(ws, 'decisions.record', {
      dossierId: id,
      outcome: 'invalid',
      reasonCodes: ['R01'],
      reason: 'Ảnh mờ',
    });
    expect(decided.synced).toBe(true);
    await call(ws, 'session.signOut', {});
    await signIn(ws, 'ld903');
    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
    const { job, items, counts } = await call<ReconciliationJob>(ws, 'print.reconciliation', {
      date: today,
    });
    expect(items.map((i) => i.dossierId)).toEqual([id]);
    expect(counts).toEqual({
      decidedToday: 1,
      confirmed: 1,
      waiting: 0,
      failed: 0,
      dismissed: 0,
      verdicts: { valid: 0, code_not_found: 0, invalid: 1, details_updated: 0, account_stopped: 0 },
    });
    const text = flat(pdfText(await pdfOf(ws, job)));
    expect(text).toContain('BIÊN BẢN ĐỐI CHIẾU KẾT QUẢ DUYỆT HỒ SƠ CUỐI NGÀY');
    expect(text).toContain(ws.store.getDossier(id)!.dossierNumber);
    expect(text).toContain('Cán bộ: Trung tâm Công nghệ thông tin');
  });
});

describe('batch: many Mẫu 01 as one job', () => {
  it.skipIf(!POPPLER)(t('12 dossiers: 12 progress events, one PDF with every form'), async () => {
    const events: Array<Extract<WsEvent, { type: 'print.progress' }>> = [];
    const off = officer.on((e) => {
      if (e.type === 'print.progress') events.push(e);
    });
    try {
      const started = await call<BatchStarted>(officer, 'print.batchStart', {
        dossierIds: [...batchIds, batchIds[0]], // a repeated row prints once
      });
      expect(started.total).toBe(12);
      const job = await call<PrintJob>(officer, 'print.batchWait', { jobId: started.jobId });
      expect(job.forms).toBe(12);
      expect(events.map((e) => e.done)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect(new Set(events.map((e) => `${e.jobId}/${e.total}`))).toEqual(new Set([`${started.jobId}/12`]));
      const pdf = await pdfOf(officer, job);
      expect(pdfInfo(pdf).pages).toBe(job.pages);
      expect(job.pages).toBeGreaterThanOrEqual(12);
      const text = flat(pdfText(pdf));
      for (const n of batchNumbers) expect(text).toContain(n);
      expect(text.split('TỜ KHAI Đăng ký sử dụng').length - 1).toBe(12);
    } finally {
      off();
    }
  });

  it('cancelled mid-batch: "Đã huỷ in." and no output is left', async () => {
    const events: number[] = [];
    let jobId = '';
    const off = officer.on((e) => {
      if (e.type !== 'print.progress') return;
      events.push(e.done);
      if (e.done === 3) void officer.dispatch('print.cancel', { jobId: e.jobId });
    });
    try {
      ({ jobId } = await call<BatchStarted>(officer, 'print.batchStart', { dossierIds: batchIds }));
      const err = await refused(officer, 'print.batchWait', { jobId });
      expect(err).toEqual({ code: 'cancelled', message: 'Đã huỷ in.' });
      expect(events.length).toBeGreaterThanOrEqual(3);
      expect(events.length).toBeLessThan(12);
    } finally {
      off();
    }
    const gone = await refused(officer, 'print.data', { jobId });
    expect(gone.code).toBe('not_found');
    // A new batch may start at once: the cancelled one no longer holds the printer.
    const again = await call<BatchStarted>(officer, 'print.batchStart', { dossierIds: batchIds.slice(0, 2) });
    expect((await call<PrintJob>(officer, 'print.batchWait', { jobId: again.jobId })).forms).toBe(2);
  });

  it('bad selections are refused before anything is printed', async () => {
    const empty = await refused(officer, 'print.batchStart', { dossierIds: [] });
    expect(empty.code).toBe('validation_failed');
    const unknown = await refused(officer, 'print.batchStart', {
      dossierIds: [batchIds[0], '00000000-0000-4000-8000-000000000000'],
    });
    expect(unknown.code).toBe('not_found');
    expect(unknown.message).toBe(
      'Không tìm thấy 1 trong 2 hồ sơ đã chọn trên máy trạm (có thể đã bị xóa khi đồng bộ): chọn lại rồi in.',
    );
    const noJob = await refused(officer, 'print.cancel', { jobId: 'no-such-job' });
    expect(noJob.code).toBe('not_found');
  });

  it('the photo comes from the local attachment cache when it is there', async () => {
    const id = batchIds[0]!;
    const png = await sharp({
      create: { width: 120, height: 160, channels: 3, background: '#8fb3d9' },
    })
      .png()
      .toBuffer();
    const login = await fetch(`${service.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agencyCode: '903', username: 'ttcntt', password: PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const put = await fetch(`${service.url}/api/v1/dossiers/${id}/attachments/photo`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' },
      body: png,
    });
    expect(put.ok).toBe(true);
    const ws = workstation();
    await signIn(ws, 'ttcntt');
    const ref = ws.store.getDossier(id)!.attachments.find((a) => a.role === 'photo');
    expect(ref).toBeDefined();
    // Not cached yet: the batch (local only) prints the empty photo box.
    const before = await call<BatchStarted>(ws, 'print.batchStart', { dossierIds: [id] });
    const jobBefore = await call<PrintJob>(ws, 'print.batchWait', { jobId: before.jobId });
    expect(hasImage(await pdfOf(ws, jobBefore))).toBe(false);
    // The single form fetches it from the service and caches it; the batch then finds it.
    const single = await call<PrintJob>(ws, 'print.document', { dossierId: id, document: 'mau01' });
    expect(hasImage(await pdfOf(ws, single))).toBe(true);
    expect(ws.store.attachment(ref!.id)).not.toBeNull();
    const after = await call<BatchStarted>(ws, 'print.batchStart', { dossierIds: [id] });
    const jobAfter = await call<PrintJob>(ws, 'print.batchWait', { jobId: after.jobId });
    expect(hasImage(await pdfOf(ws, jobAfter))).toBe(true);
  });
});

describe('delivery: the shell in Electron, the local HTTP host in a browser', () => {
  it("with the shell's dialogs, print.system and print.save hand over the job's PDF", async () => {
    const printed: Array<{ size: number; title: string }> = [];
    const saved: string[] = [];
    let saveFails = false;
    const ws = workstation({
      printPdf: async (pdf, title) => {
        printed.push({ size: pdf.length, title });
        return true;
      },
      savePdf: async (pdf, name) => {
        if (saveFails) throw Object.assign(new Error('denied'), { code: 'EACCES' });
        saved.push(`${name}:${pdf.subarray(0, 5).toString('latin1')}`);
        return `/home/officer/${name}`;
      },
    });
    await signIn(ws, 'ttcntt');
    const job = await call<PrintJob>(ws, 'print.document', {
      dossierId: idOf(ws, '00006.GD/2020/903'),
      document: 'mau01',
    });
    expect(job.delivery).toBe('shell');
    expect(await call(ws, 'print.system', { jobId: job.jobId })).toEqual({ printed: true });
    expect(printed).toEqual([{ size: job.size, title: 'Mẫu 01 - hồ sơ 00006.GD/2020/903' }]);
    expect(await call(ws, 'print.save', { jobId: job.jobId })).toEqual({
      savedTo: '/home/officer/Mau01-00006.GD-2020-903.pdf',
    });
    expect(saved).toEqual(['Mau01-00006.GD-2020-903.pdf:%PDF-']);
    saveFails = true;
    const err = await refused(ws, 'print.save', { jobId: job.jobId });
    expect(err.message).toBe('Không lưu được tệp PDF: không có quyền ghi vào thư mục đã chọn.');
    await call(ws, 'print.discard', { jobId: job.jobId });
    expect((await refused(ws, 'print.system', { jobId: job.jobId })).code).toBe('not_found');
  });

  it('without a shell, print.system says what to do instead', async () => {
    const job = await call<PrintJob>(officer, 'print.document', {
      dossierId: idOf(officer, '00006.GD/2020/903'),
      document: 'mau01',
    });
    const err = await refused(officer, 'print.system', { jobId: job.jobId });
    expect(err.code).toBe('unsupported');
    expect(err.message).toContain('trên trình duyệt');
  });

  it('the local HTTP host serves a job as application/pdf, behind the secret', async () => {
    const staticDir = mkdtempSync(path.join(os.tmpdir(), 'ws-print-static-'));
    dirs.push(staticDir);
    const bridge = createApiBridge(officer);
    const host = await startHttpHost({ staticDir, secret: 'print-test-secret', api: bridge });
    try {
      const job = await call<PrintJob>(officer, 'print.document', {
        dossierId: idOf(officer, '00006.GD/2020/903'),
        document: 'mau01',
      });
      const url = `http://127.0.0.1:${host.port}/api/print/${job.jobId}.pdf`;
      const res = await fetch(url, { headers: { cookie: 'ws_secret=print-test-secret' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-disposition')).toBe('inline; filename="Mau01-00006.GD-2020-903.pdf"');
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.equals(await pdfOf(officer, job))).toBe(true);
      expect((await fetch(url)).status).toBe(403); // no secret
      const unknown = await fetch(
        `http://127.0.0.1:${host.port}/api/print/00000000-0000-4000-8000-000000000000.pdf`,
        { headers: { cookie: 'ws_secret=print-test-secret' } },
      );
      expect(unknown.status).toBe(404);
    } finally {
      bridge.closeStreams();
      await host.close();
    }
  });
});
