// Printing inside the workstation, end to end in Debian's Chromium against the real
// central service (scripts/dev-host.ts: the service on PGlite with the demo data, the workstation behind
// its local HTTP host). Downloads are read back with pdftotext / pdfinfo. There is no system print
// dialog here: the page's hidden print frame gets its print() recorded at the page boundary (an init
// script wraps HTMLIFrameElement.contentWindow), so the test sees which PDF was sent to print.
import { expect, test, type Download, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { createRandom, syntheticPerson } from '../../contract/index.js';
import { E2E_PORT, E2E_SECRET } from '../../playwright.config.js';
import { flat, pdfInfo, pdfText } from '../unit/print/pdfTools.js';
import { fillCaptcha } from './support/captcha.js';
import { serviceToken } from './support/desk.js';
import { PRINT_SPY } from './support/printSpy.js';

const base = `http://127.0.0.1:${E2E_PORT}`;
const PASSWORD = 'Bhxh@2020';
mkdirSync('artifacts/screens', { recursive: true });

test.describe.configure({ mode: 'serial' });
const SLOW = { timeout: 20_000 };
const JOB_URL = /\/api\/print\/[0-9a-f-]{36}\.pdf$/u;
/** A day at the agency (UTC+7) as ISO yyyy-mm-dd. */
function vnDayIso(at: number): string {
  return new Date(at + 7 * 3_600_000).toISOString().slice(0, 10);
}
const dmy = (iso: string): string => iso.split('-').reverse().join('/');

/**
 * The agency's day on which workstation.spec decided its agency-903 dossiers, from the service's
 * own record of each decision (`decidedAt`): the reconciliation is asked for that day, so a run that
 * crosses the agency's midnight (17:00 UTC) between the two specs still finds them.
 */
async function decisionDay(dossierNumbers: string[]): Promise<string> {
  const { url, auth: headers } = await serviceToken(page);
  const days = new Set<string>();
  for (const n of dossierNumbers) {
    const list = await page.request.get(`${url}/api/v1/dossiers?dossierNumber=${encodeURIComponent(n)}`, {
      headers,
    });
    const { items } = (await list.json()) as { items: Array<{ id: string }> };
    const d = (await (
      await page.request.get(`${url}/api/v1/dossiers/${items[0]!.id}`, { headers })
    ).json()) as {
      decidedAt: string | null;
    };
    expect(d.decidedAt, `${n} decided by workstation.spec`).toBeTruthy();
    days.add(vnDayIso(Date.parse(d.decidedAt!)));
  }
  expect([...days], 'workstation.spec decided them on one agency day').toHaveLength(1);
  return [...days][0]!;
}

let page: Page;

async function shot(name: string): Promise<void> {
  // Dialogs and toasts as they settle, not half-way through their opening animation.
  await page.screenshot({ path: `artifacts/screens/${name}.png`, animations: 'disabled' });
}

async function fillSignIn(agency: string, username: string, password: string): Promise<void> {
  await page.getByLabel('Cơ quan BHXH').click();
  await page.keyboard.type(agency);
  await page.keyboard.press('Enter');
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu', { exact: true }).fill(password);
  await fillCaptcha(page);
}

async function signIn(agency: string, username: string): Promise<void> {
  await fillSignIn(agency, username, PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByText('Hồ sơ đăng ký giao dịch điện tử cá nhân')).toBeVisible(SLOW);
}

async function signOut(): Promise<void> {
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await expect(page.getByRole('button', { name: 'Đăng nhập' })).toBeVisible(SLOW);
}

function row(text: string) {
  return page.locator('.ant-table-row', { hasText: text });
}

async function openDossier(text: string): Promise<void> {
  await row(text).first().dblclick();
  await expect(page.getByText('Xử lý hồ sơ')).toBeVisible(SLOW);
}

/** Click, wait for the download, return its bytes. */
async function download(click: () => Promise<void>): Promise<{ file: Download; pdf: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download', SLOW), click()]);
  const path = await file.path();
  return { file, pdf: readFileSync(path) };
}

/** The PDFs sent to print so far (the hidden frame's URL at each print() call). */
async function printCalls(): Promise<string[]> {
  return await page.evaluate(() => (globalThis as unknown as { __printCalls: string[] }).__printCalls);
}

/** The bytes of a print job as the page's frame loaded them (same cookie, same origin). */
async function printedPdf(url: string): Promise<Buffer> {
  const res = await page.request.get(url);
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toBe('application/pdf');
  return Buffer.from(await res.body());
}

/** N new dossiers of agency 903 through the service's intake (as a counter would take them in). */
async function intake(n: number): Promise<void> {
  const { url, auth } = await serviceToken(page);
  const rnd = createRandom(77);
  for (let i = 0; i < n; i++) {
    const p = syntheticPerson(rnd, 77_000 + i);
    const res = await page.request.post(`${url}/api/v1/dossiers`, {
      headers: auth,
      data: {
        clientId: randomUUID(),
        kind: 'register',
        agencyCode: '903',
        fullName: p.fullName,
        bhxhCode: p.bhxhCode,
        idKind: p.idKind,
        idNumber: p.idNumber,
        dateOfBirth: p.dateOfBirth,
        gender: p.gender,
        address: p.address,
        contactPerson: p.fullName,
        email: null,
        mobile: p.mobile,
        channel: 'portal',
        submissionMethod: 'counter',
      },
    });
    expect(res.status()).toBeLessThan(300);
  }
}

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  // Plain JavaScript run in the page before its own scripts (no DOM types in this Node project).
  await page.addInitScript({ content: PRINT_SPY });
});
test.afterAll(async () => {
  // Leave the shared host as the other specs expect it: nobody signed in.
  await page.request.post(`${base}/api/call/session.signOut`, { data: {} }).catch(() => undefined);
  await page.close();
});

test('an officer does not see Báo cáo', async () => {
  await page.goto(`${base}/?k=${E2E_SECRET}`);
  await signIn('903', 'ttcntt');
  await expect(page.getByRole('menuitem', { name: 'Cá nhân' })).toBeVisible();
  await expect(page.getByRole('menuitem', { name: 'Báo cáo' })).toHaveCount(0);
  await expect(page.getByText('Báo cáo', { exact: true })).toHaveCount(0);
});

test('dossier detail: Lưu PDF downloads Mẫu 01 with the number and the name', async () => {
  await openDossier('00086.GD/2020/00115');
  await expect(page.getByRole('button', { name: 'In Mẫu 01' })).toBeVisible();
  // Undecided (workstation.spec.ts, which runs first, decides 00006 but not 00086): no notice to print.
  await expect(page.getByRole('button', { name: 'In thông báo' })).toHaveCount(0);
  await shot('print-detail-actions');
  const { file, pdf } = await download(() =>
    page.getByRole('button', { name: 'Lưu PDF', exact: true }).click(),
  );
  expect(file.suggestedFilename()).toBe('Mau01-00086.GD-2020-00115.pdf');
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const text = flat(pdfText(pdf));
  expect(text).toContain('00086.GD/2020/00115');
  expect(text).toContain('Lê Kim Cương');
  await expect(page.getByText('Đã tải xuống tệp Mau01-00086.GD-2020-00115.pdf.')).toBeVisible();
});

test('dossier detail: In sends the PDF to the hidden print frame and calls print()', async () => {
  await page.getByRole('button', { name: 'In Mẫu 01' }).click();
  await expect.poll(printCalls, SLOW).toHaveLength(1);
  const [url] = await printCalls();
  expect(url).toMatch(JOB_URL);
  const frame = page.locator('iframe[data-print-frame]');
  await expect(frame).toHaveCount(1);
  await expect(frame).toBeHidden();
  expect(await frame.getAttribute('src')).toBe(new URL(url!).pathname);
  const text = flat(pdfText(await printedPdf(url!)));
  expect(text).toContain('00086.GD/2020/00115');
  expect(text).toContain('Lê Kim Cương');
  // Ctrl+P prints the form too, not the screen.
  await page.keyboard.press('Control+p');
  await expect.poll(printCalls, SLOW).toHaveLength(2);
  await page.getByRole('button', { name: 'Thoát' }).click();

  // A decided dossier also has its notice.
  await openDossier('00077.GD/2020/00115');
  // Two documents to save: Lưu PDF opens a small menu.
  await page.getByRole('button', { name: 'Lưu PDF' }).click();
  await expect(page.getByRole('menuitem', { name: 'Lưu PDF thông báo' })).toBeVisible();
  await shot('print-detail-decided');
  const { file } = await download(() => page.getByRole('menuitem', { name: 'Lưu PDF thông báo' }).click());
  expect(file.suggestedFilename()).toBe('ThongBao-00077.GD-2020-00115.pdf');
  await page.getByRole('button', { name: 'In thông báo' }).click();
  await expect.poll(printCalls, SLOW).toHaveLength(3);
  const notice = flat(pdfText(await printedPdf((await printCalls())[2]!)));
  expect(notice).toContain('THÔNG BÁO');
  expect(notice).toContain('00077.GD/2020/00115');
  expect(notice).toContain('Trần Minh Triều');
  await page.getByRole('button', { name: 'Thoát' }).click();
});

test('the context menu prints one row’s Mẫu 01', async () => {
  await row('00086.GD/2020/00115').click({ button: 'right' });
  await expect(page.getByRole('menuitem', { name: 'In Mẫu 01' })).toBeVisible();
  await shot('print-context-menu');
  const before = (await printCalls()).length;
  await page.getByRole('menuitem', { name: 'In Mẫu 01' }).click();
  await expect.poll(printCalls, SLOW).toHaveLength(before + 1);
  const text = flat(pdfText(await printedPdf((await printCalls())[before]!)));
  expect(text).toContain('00086.GD/2020/00115');
  expect(text).toContain('Lê Kim Cương');
});

test('three selected rows print as one job: progress to 100 %, one PDF of three forms', async () => {
  const numbers = ['00086.GD/2020/00115', '00074.GD/2020/00115', '00077.GD/2020/00115'];
  await row(numbers[0]!).getByRole('checkbox').check();
  await row(numbers[1]!).click({ modifiers: ['Control'] }); // Ctrl+click marks too
  await row(numbers[2]!).getByRole('checkbox').check();
  await expect(page.getByText(', đã chọn 3')).toBeVisible();
  // The seed's eleven columns are still there, in order, after the checkbox column.
  const headers = (await page.locator('.ant-table-thead th').allInnerTexts()).map((t) => t.trim());
  expect(headers.filter(Boolean)).toHaveLength(11);
  const before = (await printCalls()).length;
  await page.getByRole('button', { name: 'In các hồ sơ đã chọn' }).click();
  const dialog = page.getByRole('dialog', { name: 'In các hồ sơ đã chọn' });
  await expect(dialog.getByText('Đã tạo 3 tờ khai Mẫu 01 trong một lệnh in')).toBeVisible(SLOW);
  await expect(dialog.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
  // The print dialog opened by itself once the job was ready.
  await expect.poll(printCalls, SLOW).toHaveLength(before + 1);
  const printed = await printedPdf((await printCalls())[before]!);
  expect(pdfInfo(printed).pages).toBe(3);
  await shot('print-batch-done');
  const { pdf } = await download(() => dialog.getByRole('button', { name: 'Lưu PDF' }).click());
  expect(pdfInfo(pdf).pages).toBe(3);
  const text = flat(pdfText(pdf));
  for (const n of numbers) expect(text).toContain(n);
  await dialog.locator('.ant-modal-footer').getByRole('button', { name: 'Đóng' }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole('button', { name: 'Bỏ chọn' }).click();
  await expect(page.getByText(/, đã chọn/u)).toHaveCount(0);
});

test('a long batch cancelled with Huỷ shows "Đã huỷ in."', async () => {
  // Other specs may have added dossiers to the shared service: count from what the list shows now.
  const shown = page.getByText(/^Tổng số: \d+ hồ sơ$/u);
  await expect(shown).toBeVisible(SLOW);
  const before = Number(/\d+/u.exec((await shown.textContent()) ?? '')?.[0]);
  expect(before).toBeGreaterThan(0);
  await intake(220);
  // wait until the sync has brought all 220
  await expect(page.getByText(`Tổng số: ${before + 220} hồ sơ`)).toBeVisible({ timeout: 60_000 });
  // Shift+PageDown from the first row marks the rows passed over.
  await page.locator('.ant-table-row').first().click();
  for (let i = 0; i < 13; i++) await page.keyboard.press('Shift+PageDown');
  await expect(page.getByText(', đã chọn 196')).toBeVisible();
  await page.getByRole('button', { name: 'In các hồ sơ đã chọn' }).click();
  const dialog = page.getByRole('dialog', { name: 'In các hồ sơ đã chọn' });
  // At once, without waiting for the dialog's opening animation to end: a batch of 196 forms takes
  // one to two seconds, and a click that waits for the animation (then retries) can come after it.
  await dialog.getByRole('button', { name: 'Huỷ' }).dispatchEvent('click');
  await expect(dialog.getByRole('alert')).toHaveText('Đã huỷ in.', SLOW);
  const now = Number(await dialog.getByRole('progressbar').getAttribute('aria-valuenow'));
  expect(now).toBeLessThan(100);
  await shot('print-batch-cancelled');
  await dialog.locator('.ant-modal-footer').getByRole('button', { name: 'Đóng' }).click();
  await page.getByRole('button', { name: 'Bỏ chọn' }).click();
});

test('a supervisor sees Báo cáo and saves the daily report of 12/08/2020', async () => {
  await signOut();
  await signIn('903', 'ld903');
  await page.getByRole('menuitem', { name: 'Báo cáo' }).click();
  const date = page.getByRole('textbox', { name: 'Ngày báo cáo' });
  // The screen opens on today's report (the agency's day, UTC+7), shown without a click.
  const VN_TODAY = dmy(vnDayIso(Date.now()));
  await expect(date).toHaveValue(VN_TODAY);
  await expect(
    page.getByRole('region', { name: 'Xem trước' }).getByText(`Báo cáo ngày ${VN_TODAY}`),
  ).toBeVisible(SLOW);
  await date.click();
  await date.fill('12/08/2020');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Xem báo cáo' }).click();
  const preview = page.getByRole('region', { name: 'Xem trước' });
  await expect(preview.getByText('Báo cáo ngày 12/08/2020')).toBeVisible(SLOW);
  await expect(preview.getByText('00077.GD/2020/00115')).toBeVisible();
  await shot('print-reports-daily');
  const { file, pdf } = await download(() => page.getByRole('button', { name: 'Lưu PDF' }).click());
  expect(file.suggestedFilename()).toBe('BaoCaoNgay-903-2020-08-12.pdf');
  const text = flat(pdfText(pdf));
  expect(text).toContain('BÁO CÁO TIẾP NHẬN VÀ DUYỆT HỒ SƠ ĐĂNG KÝ GIAO DỊCH ĐIỆN TỬ');
  expect(text).toContain('Ngày 12/08/2020');
  // In reaches the print frame as well.
  const before = (await printCalls()).length;
  await page.getByRole('button', { name: 'In', exact: true }).click();
  await expect.poll(printCalls, SLOW).toHaveLength(before + 1);

  await page.getByRole('tab', { name: 'Đối chiếu cuối ngày' }).click();
  const reconDay = await decisionDay(['00006.GD/2020/903', '00087.GD/2020/00115', '00074.GD/2020/00115']);
  const reconDate = page.getByRole('textbox', { name: 'Ngày đối chiếu' });
  // The tab opens on the agency's today too; the day is typed whatever it is, so this path runs.
  await expect(reconDate).toHaveValue(dmy(vnDayIso(Date.now())));
  await reconDate.click();
  await reconDate.fill(dmy(reconDay));
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Xem báo cáo' }).click();
  await expect(page.getByRole('region', { name: 'Xem trước' }).getByText(/Đối chiếu cuối ngày/u)).toBeVisible(
    SLOW,
  );
  await shot('print-reports-reconciliation');
  // The desk by its human name (Cài đặt's, "Máy <host>" until one is saved) on the sheet and in its
  // file name; officers by display name; only agency 903's officers on agency 903's sheet, although
  // cbhn of agency 001 decided 00012 on this desk today (workstation.spec).
  const reconciliation = page.getByRole('region', { name: 'Xem trước' });
  await expect(reconciliation.getByTestId('workstation-name')).toHaveText(`Máy ${hostname()}`);
  await expect(reconciliation).toContainText('Trung tâm Công nghệ thông tin');
  await expect(reconciliation).not.toContainText('Cán bộ tiếp nhận Hà Nội');
  await expect(reconciliation).not.toContainText('00012.GD/2020/001');
  await expect(reconciliation).not.toContainText('ttcntt');
  // a code not in HGD counted apart from an issued account: today's decisions of workstation.spec in
  // agency 903 are one of each (00006 issued, 00087 code not in HGD, 00074 rejected)
  const confirmed = reconciliation.locator('.ant-descriptions', { hasText: 'Kết quả đã xác nhận' });
  await expect(confirmed).toContainText(
    'Hồ sơ hợp lệMã số BHXH không có trên HGDHồ sơ không hợp lệĐã cập nhật thông tinĐã ngừng giao dịch điện tử11100',
  );
  // at 1280×720 the sheet's actions stay in view
  await page.setViewportSize({ width: 1280, height: 720 });
  await expect(page.getByRole('button', { name: 'Lưu PDF' })).toBeInViewport();
  await expect(reconciliation.getByTestId('workstation-name')).toBeInViewport();
  await shot('print-reports-reconciliation-1280');
  await page.setViewportSize({ width: 1440, height: 900 });
  const saved = await download(() => page.getByRole('button', { name: 'Lưu PDF' }).click());
  expect(saved.file.suggestedFilename()).toBe(
    `DoiChieu-May-${hostname().replace(/[^0-9A-Za-z.-]+/gu, '-')}-${reconDay}.pdf`,
  );
  expect(flat(pdfText(saved.pdf))).toContain(`Máy ${hostname()}`);
  // Signing out takes the last printed document out of the page, and its job out of memory.
  await expect(page.locator('iframe[data-print-frame]')).toHaveCount(1);
  const last = (await printCalls()).at(-1)!;
  await signOut();
  await expect(page.locator('iframe[data-print-frame]')).toHaveCount(0);
  expect((await page.request.get(last)).status()).toBe(404);
});

test('In mẫu trắng at 1280×720 and 1440×900: the edition in force, an earlier one by date, copies in one PDF', async () => {
  // The supervisor comes back to the screen they left (Báo cáo), not to the list.
  await fillSignIn('903', 'ld903', PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByRole('button', { name: 'Đăng xuất' })).toBeVisible(SLOW);
  await page.getByRole('menuitem', { name: 'Báo cáo' }).click();
  await page.getByRole('tab', { name: 'In mẫu trắng' }).click();
  const blank = page.getByRole('form', { name: 'In mẫu trắng' });
  await expect(blank.getByLabel('Phiên bản mẫu')).toBeVisible();
  await expect(blank).toContainText('đang áp dụng');
  for (const size of [
    { width: 1280, height: 720 },
    { width: 1440, height: 900 },
  ]) {
    await page.setViewportSize(size);
    await expect(blank.getByRole('button', { name: 'In mẫu trắng' })).toBeInViewport();
    await expect(blank.getByRole('button', { name: 'Lưu PDF' })).toBeInViewport();
    await shot(`print-blank-${size.width}`);
  }
  const one = await download(() => blank.getByRole('button', { name: 'Lưu PDF' }).click());
  expect(one.file.suggestedFilename()).toBe('Mau01-trang-mau01-2025-1-ban.pdf');
  expect(flat(pdfText(one.pdf))).toContain('164/2025/NĐ-CP');
  // An earlier edition by the date it was in force, three copies, each from a new page.
  await blank.getByLabel('Theo ngày áp dụng').check();
  const day = blank.getByRole('textbox', { name: 'Ngày áp dụng mẫu' });
  await day.fill('12/08/2020');
  await day.press('Enter');
  await blank.getByLabel('Số bản').fill('3');
  const three = await download(() => blank.getByRole('button', { name: 'Lưu PDF' }).click());
  expect(three.file.suggestedFilename()).toBe('Mau01-trang-mau01-2020-3-ban.pdf');
  const text = flat(pdfText(three.pdf));
  expect(text).toContain('Nghị định số 166/2016/NĐ-CP');
  expect(text.split('TỜ KHAI').length - 1).toBe(3);
  await signOut();
});
