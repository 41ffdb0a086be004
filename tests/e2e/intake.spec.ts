// Intake end to end in Debian's Chromium against the real service (dev host in test
// mode): Đính kèm a generated chip-ID image on a dossier whose name differs from the card → the
// comparison highlights the mismatch, the upload reaches "đã đồng bộ" and the service holds the bytes;
// Quét from the SANE `test` device; a HID-POS reader (reports injected at the node-hid boundary by the
// host's test control) scanning the card's QR opens the dossier; so does a keyboard-wedge burst.
import { expect, test, type Page } from '@playwright/test';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createRandom, syntheticPerson } from '../../contract/synthetic.js';
import { E2E_PORT, E2E_SECRET } from '../../playwright.config.js';
import { fillCaptcha } from './support/captcha.js';
import { setNetwork } from './testControl.js';
import { cccdFront, cccdQrText } from '../unit/scanner/support/images.js';
import { portalMau01 } from '../corpus/mau01.js';
import type { CorpusPerson } from '../corpus/people.js';

const base = `http://127.0.0.1:${E2E_PORT}`;
const PASSWORD = 'Bhxh@2020';
const SLOW = { timeout: 30_000 };
mkdirSync('artifacts/screens', { recursive: true });

test.describe.configure({ mode: 'serial' });

let page: Page;
// The person on the card; the dossier declares the same ID number under another name (a mismatch) and
// another house number (a looser match).
const rnd = createRandom(20261125);
const person = syntheticPerson(rnd, 7001);
const other = syntheticPerson(rnd, 7002);
let dossier: { id: string; dossierNumber: string };
let card: Buffer;

async function shot(name: string): Promise<void> {
  // Dialogs and toasts as they settle, not half-way through their opening animation.
  await page.screenshot({ path: `artifacts/screens/intake-${name}.png`, animations: 'disabled' });
}

async function serviceToken(): Promise<{ url: string; auth: Record<string, string> }> {
  const info = (await (await page.request.get(`${base}/api/test/info`)).json()) as { serviceUrl: string };
  const login = await page.request.post(`${info.serviceUrl}/api/v1/auth/login`, {
    data: { agencyCode: '903', username: 'ttcntt', password: PASSWORD },
  });
  const { token } = (await login.json()) as { token: string };
  return { url: info.serviceUrl, auth: { authorization: `Bearer ${token}` } };
}

async function hid(body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await page.request.post(`${base}/api/test/hid`, { data: body });
  expect(res.ok()).toBe(true);
  return (await res.json()) as Record<string, unknown>;
}

const slot = (role: string) => page.locator(`[data-role="${role}"]`);

const network = (up: boolean): Promise<void> => setNetwork(page, up);

async function backToList(): Promise<void> {
  await page.getByRole('button', { name: 'Thoát' }).click();
  await expect(page.getByText('Hồ sơ đăng ký giao dịch điện tử cá nhân')).toBeVisible(SLOW);
}

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  await page.goto(`${base}/?k=${E2E_SECRET}`);
  // A new pending dossier of agency 903 through the service's intake (what the portal does).
  const { url, auth } = await serviceToken();
  const res = await page.request.post(`${url}/api/v1/dossiers`, {
    headers: auth,
    data: {
      clientId: randomUUID(),
      kind: 'register',
      agencyCode: '903',
      fullName: other.fullName,
      bhxhCode: person.bhxhCode,
      idKind: 'cccd',
      idNumber: person.idNumber,
      dateOfBirth: person.dateOfBirth,
      gender: person.gender,
      // the same address with another house number: a looser match (amber), not a mismatch
      address: ['Số 7', ...person.address.split(', ').slice(1)].join(', '),
      contactPerson: other.fullName,
      email: null,
      mobile: person.mobile,
      channel: 'portal',
      submissionMethod: 'counter',
    },
  });
  expect(res.status(), await res.text()).toBeLessThan(300);
  dossier = (await res.json()) as { id: string; dossierNumber: string };
  card = await cccdFront(person);
});

test.afterAll(async () => {
  // Leave the shared host as the other specs expect it: nobody signed in, no reader.
  await hid({ action: 'unplug' }).catch(() => undefined);
  await page.request.post(`${base}/api/call/session.signOut`, { data: {} }).catch(() => undefined);
  await page.close();
});

test('sign in and open the new dossier', async () => {
  await page.getByLabel('Cơ quan BHXH').click();
  await page.keyboard.type('903');
  await page.keyboard.press('Enter');
  await page.getByLabel('Tên đăng nhập').fill('ttcntt');
  await page.getByLabel('Mật khẩu', { exact: true }).fill(PASSWORD);
  await fillCaptcha(page);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByText('Hồ sơ đăng ký giao dịch điện tử cá nhân')).toBeVisible(SLOW);
  const row = page.locator('.ant-table-row', { hasText: dossier.dossierNumber });
  await expect(row).toBeVisible(SLOW); // the change feed is pulled every 2 s in test mode
  await row.dblclick();
  await expect(page.getByText('Ảnh CMND/CCCD')).toBeVisible(SLOW);
  await expect(page.getByText(`Số hồ sơ: ${dossier.dossierNumber}`)).toBeVisible();
});

test('Đính kèm an ID card: comparison with the mismatch in red, "đã đồng bộ", held by the service', async () => {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Đính kèm Mặt trước' }).click();
  await (await chooser).setFiles({ name: 'cccd-mặt-trước.png', mimeType: 'image/png', buffer: card });
  await expect(slot('idFront').getByRole('img', { name: 'Mặt trước' })).toBeVisible(SLOW);
  await expect(slot('idFront').getByText('đã đồng bộ')).toBeVisible(SLOW);
  const panel = page.getByRole('region', { name: 'Đối chiếu' });
  const mismatch = panel.locator('[data-verdict="mismatch"]');
  await expect(mismatch).toContainText('Họ và tên', SLOW);
  await expect(mismatch).toContainText(person.fullName);
  await expect(mismatch).toContainText(other.fullName);
  await expect(panel.locator('[data-verdict="match"]', { hasText: 'Số CCCD/CMND' })).toContainText(
    person.idNumber,
  );
  await expect(panel.getByText('Không khớp').first()).toBeVisible();
  await expect(mismatch).toHaveCSS('background-color', 'rgb(255, 241, 240)');
  const looser = panel.locator('[data-verdict="looser"]', { hasText: 'Địa chỉ' });
  await expect(looser).toContainText('cần xác minh');
  await expect(looser).toHaveCSS('background-color', 'rgb(255, 251, 230)');
  await panel.scrollIntoViewIfNeeded();
  await shot('comparison');
  // the service holds exactly these bytes for idFront
  const { url, auth } = await serviceToken();
  const held = (await (
    await page.request.get(`${url}/api/v1/dossiers/${dossier.id}`, { headers: auth })
  ).json()) as {
    attachments: Array<{ role: string; sha256: string }>;
  };
  expect(held.attachments.filter((a) => a.role === 'idFront')).toEqual([
    expect.objectContaining({ sha256: createHash('sha256').update(card).digest('hex') }),
  ]);
});

test('Đính kèm the portal-printed Mẫu 01: Đối chiếu shows every field of the form with its confidence', async () => {
  // The form as the person declared it on the portal (the dossier's values), printed in a Times-like
  // serif and scanned at 150 dpi.
  const declared: CorpusPerson = {
    fullName: other.fullName,
    gender: person.gender,
    dateOfBirth: person.dateOfBirth,
    bhxhCode: person.bhxhCode,
    idNumber: person.idNumber,
    cmnd: '',
    address: ['Số 7', ...person.address.split(', ').slice(1)].join(', '),
    cardAddress: '',
    placeOfOrigin: '',
    mobile: person.mobile,
    email: null,
    cardIssueDate: '',
    updateEmail: null,
    updateMobile: null,
    stopDate: '',
    stopReason: '',
  };
  const form = await portalMau01({
    person: declared,
    dossierNumber: dossier.dossierNumber,
    kind: 'register',
    declaredAt: '2025-08-10',
    dpi: 150,
    font: 'Liberation Serif',
    size: 13,
    boldValues: false,
  });
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Đính kèm Trang tờ khai 1' }).click();
  await (await chooser).setFiles({ name: 'to-khai.png', mimeType: 'image/png', buffer: form });
  await expect(slot('formPage1').getByText('đã đồng bộ')).toBeVisible({ timeout: 90_000 });
  const panel = page.getByRole('region', { name: 'Đối chiếu' });
  const row = (label: string) => panel.locator('.ant-table-row', { hasText: label });
  await expect(row('Người liên hệ')).toContainText(other.fullName, { timeout: 90_000 });
  await expect(row('Người liên hệ')).toHaveAttribute('data-verdict', 'match');
  await expect(row('Điện thoại di động')).toHaveAttribute('data-verdict', 'match');
  await expect(row('Loại tờ khai')).toContainText('Đăng ký sử dụng');
  await expect(row('Số hồ sơ')).toContainText(dossier.dossierNumber);
  // every row carries its confidence as a percentage
  for (const label of ['Số hồ sơ', 'Mã số BHXH', 'Người liên hệ', 'Điện thoại di động'])
    await expect(row(label).locator('[data-confidence]')).toContainText('%');
  // what a confidence means, on hover; phones in the national form
  await row('Mã số BHXH').locator('[data-confidence]').hover();
  await expect(page.getByRole('tooltip')).toContainText(/giấy tờ gốc|mã QR/u);
  await page.mouse.move(0, 0);
  await expect(row('Điện thoại di động')).not.toContainText('+84');
  // the form's own rows (contact, kind) in view
  await row('Loại tờ khai').scrollIntoViewIfNeeded();
  await shot('comparison-mau01-1440');
  await page.setViewportSize({ width: 1280, height: 720 });
  await row('Loại tờ khai').scrollIntoViewIfNeeded();
  await shot('comparison-mau01-1280');
  await page.setViewportSize({ width: 1440, height: 900 });
});

test('a file that is not an image is refused with a Vietnamese message', async () => {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Đính kèm Mặt sau' }).click();
  await (
    await chooser
  ).setFiles({
    name: 'anh.jpg',
    mimeType: 'image/jpeg',
    buffer: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(4000, 1)]),
  });
  await expect(page.getByText(/không phải ảnh PNG, JPEG, TIFF hay tệp PDF/u)).toBeVisible(SLOW);
  await expect(slot('idBack').getByText('Chưa có ảnh')).toBeVisible();
});

test('offline: an attached image waits as "Ảnh chờ gửi" in the status bar and goes when the network is back', async () => {
  const bar = page.getByRole('status', { name: 'Trạng thái đồng bộ' });
  await expect(bar.getByTestId('queued-uploads')).toHaveCount(0);
  await network(false);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Đính kèm Mặt sau' }).click();
  await (await chooser).setFiles({ name: 'cccd-mặt-sau.png', mimeType: 'image/png', buffer: card });
  await expect(slot('idBack').getByRole('img', { name: 'Mặt sau' })).toBeVisible(SLOW);
  await expect(bar).toContainText('Ngoại tuyến', SLOW);
  await expect(bar.getByTestId('queued-uploads')).toHaveText('1', SLOW);
  await expect(bar.getByTestId('queued-count')).toHaveText('0'); // decisions: none
  await shot('offline-image-queued');
  await network(true);
  await expect(slot('idBack').getByText('đã đồng bộ')).toBeVisible({ timeout: 30_000 });
  await expect(bar.getByTestId('queued-uploads')).toHaveCount(0, SLOW);
});

test('Quét Trang tờ khai 1 from the SANE test device', async () => {
  test.skip(!existsSync('/usr/bin/scanimage'), 'scanimage (sane-utils) absent');
  await page.getByRole('button', { name: 'Quét Trang tờ khai 1' }).click();
  const dialog = page.getByRole('dialog', { name: 'Quét Trang tờ khai 1' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByText(/sane:test:0/u)).toBeVisible(SLOW);
  await dialog.getByLabel('Độ phân giải').click();
  await page.getByTitle('150 dpi').click();
  await dialog.getByRole('button', { name: 'Bắt đầu quét' }).click();
  // Progress shows while it scans (Huỷ is tested on a slowed device in tests/integration); on a quiet
  // machine a 150-dpi page may be done before this looks, so the finished slot counts as well.
  await expect(
    dialog
      .getByText(/Đang quét trang 1|Đã quét 1 trang, đang lưu ảnh/u)
      .or(page.getByRole('button', { name: 'Quét Trang tờ khai 2' }))
      .first(),
  ).toBeVisible();
  await shot('scan-dialog');
  await expect(dialog).toBeHidden(SLOW);
  await expect(slot('formPage1').getByRole('img', { name: 'Trang tờ khai 1' })).toBeVisible(SLOW);
  await expect(slot('formPage1').getByText('đã đồng bộ')).toBeVisible(SLOW);
  // the next page's slot appears for the following sheet
  await expect(page.getByRole('button', { name: 'Quét Trang tờ khai 2' })).toBeVisible();
  await shot('detail');
});

test('two different ID cards in one dossier: Đối chiếu warns, naming both; the confidences explain themselves (1280×720, 1440×900)', async () => {
  // Mặt sau now holds another synthetic person's card (the next card in line at a busy counter).
  const otherCard = await cccdFront(other);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Đính kèm Mặt sau' }).click();
  await (await chooser).setFiles({ name: 'the-nguoi-khac.png', mimeType: 'image/png', buffer: otherCard });
  await expect(slot('idBack').getByText('đã đồng bộ')).toBeVisible(SLOW);
  const panel = page.getByRole('region', { name: 'Đối chiếu' });
  const warning = panel.getByTestId('different-cards');
  await expect(warning).toContainText('Hồ sơ có ảnh của 2 thẻ khác nhau.', { timeout: 60_000 });
  await expect(warning).toContainText(new RegExp(`ảnh Mặt trước: thẻ số ${person.idNumber}`, 'iu'));
  await expect(warning).toContainText(new RegExp(`ảnh Mặt sau: thẻ số ${other.idNumber}`, 'iu'));
  // where two sources disagree, the note names them as the officer knows them, not by a code
  await expect(panel).not.toContainText('cccd_qr');
  await expect(warning).toContainText(
    'Một hồ sơ chỉ có thẻ của người khai: quét lại đúng thẻ trước khi duyệt.',
  );
  const confidence = panel
    .locator('.ant-table-row', { hasText: 'Số CCCD/CMND' })
    .first()
    .locator('[data-confidence]');
  for (const size of [
    { width: 1280, height: 720 },
    { width: 1440, height: 900 },
  ]) {
    await page.setViewportSize(size);
    await warning.scrollIntoViewIfNeeded();
    await expect(warning).toBeInViewport();
    await shot(`different-cards-${size.width}`);
    // What a confidence means, on hover: a card's QR is read whole or not at all.
    await confidence.hover();
    await expect(page.getByRole('tooltip')).toContainText(
      /mã QR trên thẻ đọc được trọn vẹn|nhận dạng đúng ít nhất 99 lần trong 100/u,
    );
    await expect(page.getByRole('tooltip')).toBeInViewport();
    await shot(`confidence-tooltip-${size.width}`);
    await page.mouse.move(0, 0);
    await expect(page.getByRole('tooltip')).toBeHidden();
  }
});

test('a HID-POS reader scanning the CCCD QR opens the matching dossier', async () => {
  await backToList();
  await hid({ action: 'plug' });
  await expect(page.getByText(/Đã kết nối máy đọc mã/u)).toBeVisible(SLOW);
  // The "Mở hồ sơ …" notice lasts a few seconds: wait for it from before the scan, so a busy machine
  // cannot make the test look for it after it has gone.
  const notice = page
    .getByText(new RegExp(`Mở hồ sơ ${dossier.dossierNumber.replace(/[./]/gu, '\\$&')}`, 'u'))
    .waitFor({ state: 'visible', ...SLOW });
  const sent = await hid({ action: 'scan', text: cccdQrText(person) });
  expect(sent.delivered).toBe(true);
  await notice;
  await expect(page.getByText(`Số hồ sơ: ${dossier.dossierNumber}`)).toBeVisible(SLOW);
  await shot('reader-opened');
});

test('a keyboard-wedge burst opens the dossier; an unreadable burst gets a clear message', async () => {
  await backToList();
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  // A reader types a code in one burst. Each key here is a round trip to the browser, which on a busy
  // machine can stretch a gap past the detector's limit (50 ms): then nothing happens and it types again.
  const burst = async (text: string, expected: Parameters<Page['getByText']>[0]): Promise<void> => {
    await expect(async () => {
      await page.keyboard.type(text, { delay: 0 });
      await page.keyboard.press('Enter');
      await expect(page.getByText(expected).first()).toBeVisible({ timeout: 4_000 });
    }).toPass({ timeout: 60_000 });
  };
  await burst(dossier.dossierNumber, `Số hồ sơ: ${dossier.dossierNumber}`);
  await backToList();
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await burst(
    'ABCDEFGHIJKLMNOP',
    /Không mở được hồ sơ từ mã vừa quét: Mã không phải mã QR của thẻ CCCD hay số hồ sơ/u,
  );
  // a person typing the same text at a person's pace opens nothing
  await page.keyboard.type(dossier.dossierNumber, { delay: 90 });
  await page.keyboard.press('Enter');
  await page.waitForTimeout(1_500);
  await expect(page.getByText(`Số hồ sơ: ${dossier.dossierNumber}`)).toBeHidden();
});
