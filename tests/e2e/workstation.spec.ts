// End-to-end in Debian's Chromium against the real central service: scripts/dev-host.ts (Playwright's
// webServer) starts the service in-process on PGlite with the demo data and the workstation services
// behind the local HTTP host, reaching the service through a loopback TCP proxy the tests can cut.
// One signed-in browser page walks the officer's day; every screen is saved under artifacts/screens/.
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import sharp from 'sharp';
import { E2E_PORT, E2E_SECRET } from '../../playwright.config.js';
import { CAPTCHA, fillCaptcha } from './support/captcha.js';
import { setNetwork } from './testControl.js';

const base = `http://127.0.0.1:${E2E_PORT}`;
const PASSWORD = 'Bhxh@2020';
mkdirSync('artifacts/screens', { recursive: true });

test.describe.configure({ mode: 'serial' });
// Sign-in and Ghi nhận wait for the service (scrypt, PostgreSQL in WASM): generous on a loaded 2-core box.
const SLOW = { timeout: 20_000 };

let page: Page;

async function shot(name: string): Promise<void> {
  // Dialogs and toasts as they settle, not half-way through their opening animation.
  await page.screenshot({ path: `artifacts/screens/${name}.png`, animations: 'disabled' });
}

const network = (up: boolean): Promise<void> => setNetwork(page, up);

async function serviceDossier(dossierNumber: string, username = 'ttcntt', agencyCode = '903') {
  const info = (await (await page.request.get(`${base}/api/test/info`)).json()) as { serviceUrl: string };
  const login = await page.request.post(`${info.serviceUrl}/api/v1/auth/login`, {
    data: { agencyCode, username, password: PASSWORD },
  });
  const { token } = (await login.json()) as { token: string };
  const list = await page.request.get(
    `${info.serviceUrl}/api/v1/dossiers?dossierNumber=${encodeURIComponent(dossierNumber)}`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  const { items } = (await list.json()) as { items: Array<{ id: string }> };
  const res = await page.request.get(`${info.serviceUrl}/api/v1/dossiers/${items[0]!.id}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return (await res.json()) as {
    outcome: string | null;
    reason: string | null;
    reasonCodes: string[];
    result: string;
  };
}

/** Put an ID-card image on a dossier through the service's API, as the counter's scanner would. */
async function putAttachment(
  dossierNumber: string,
  role: string,
  color: string,
  label: string,
): Promise<void> {
  const info = (await (await page.request.get(`${base}/api/test/info`)).json()) as { serviceUrl: string };
  const login = await page.request.post(`${info.serviceUrl}/api/v1/auth/login`, {
    data: { agencyCode: '903', username: 'ttcntt', password: PASSWORD },
  });
  const { token } = (await login.json()) as { token: string };
  const auth = { authorization: `Bearer ${token}` };
  const list = await page.request.get(
    `${info.serviceUrl}/api/v1/dossiers?dossierNumber=${encodeURIComponent(dossierNumber)}`,
    { headers: auth },
  );
  const { items } = (await list.json()) as { items: Array<{ id: string }> };
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="300"><rect width="480" height="300" rx="18" fill="${color}"/><text x="24" y="60" font-size="30" font-family="DejaVu Sans">${label}</text><text x="24" y="120" font-size="22" font-family="DejaVu Sans">CĂN CƯỚC CÔNG DÂN (mẫu thử)</text></svg>`;
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  const res = await page.request.put(
    `${info.serviceUrl}/api/v1/dossiers/${items[0]!.id}/attachments/${role}`,
    {
      headers: { ...auth, 'content-type': 'image/png' },
      data: png,
    },
  );
  expect(res.ok()).toBe(true);
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

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  // The host is shared with the other specs: start from the sign-in screen whatever they left.
  await page.goto(`${base}/?k=${E2E_SECRET}`);
  await page.request.post(`${base}/api/call/session.signOut`, { data: {} });
});
test.afterAll(async () => {
  await page.request.post(`${base}/api/call/session.signOut`, { data: {} }).catch(() => undefined);
  await page.close();
});

test('the local host refuses a request without the per-run secret', async ({ request }) => {
  const res = await request.get(`${base}/index.html`, { headers: { cookie: '' } });
  expect(res.status()).toBe(403);
  const api = await request.post(`${base}/api/call/session.current`, { data: {}, headers: { cookie: '' } });
  expect(api.status()).toBe(403);
});

test('sign-in (Hình 1): agencies from the service, Mã kiểm tra from the first attempt, required fields, a wrong password', async () => {
  await page.goto(`${base}/?k=${E2E_SECRET}`);
  await expect(page.getByText('TIẾP NHẬN VÀ QUẢN LÝ HỒ SƠ')).toBeVisible();
  // Mã kiểm tra is there before any failure, as in Hình 1, large enough to read (56 px high).
  await expect(page.getByAltText('Ảnh mã kiểm tra')).toBeVisible(SLOW);
  expect((await page.getByAltText('Ảnh mã kiểm tra').boundingBox())?.height).toBeGreaterThanOrEqual(56);
  await expect(page.getByLabel('Mã kiểm tra')).toBeVisible();
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByText('Nhập tên đăng nhập.')).toBeVisible();
  await page.getByLabel('Cơ quan BHXH').click();
  await expect(page.getByText('903 - BHXH Tỉnh Test')).toBeVisible();
  await page.keyboard.press('Escape');
  await fillSignIn('903', 'ttcntt', 'sai-mat-khau');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByRole('alert')).toContainText(/không đúng/u, SLOW);
  await shot('workstation-sign-in');
});

test('the list (Hình 3) has the seed columns in order, dd/MM/yyyy dates', async () => {
  await page.getByLabel('Mật khẩu', { exact: true }).fill(PASSWORD);
  await fillCaptcha(page);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByText('Hồ sơ đăng ký giao dịch điện tử cá nhân')).toBeVisible(SLOW);
  await expect(row('Nguyễn Thị Các')).toBeVisible();
  const headers = (await page.locator('.ant-table-thead th').allInnerTexts())
    .map((t) => t.trim())
    .filter(Boolean);
  expect(headers).toEqual([
    'STT',
    'Số hồ sơ',
    'Ngày tiếp nhận',
    'Mã số BHXH',
    'Họ và tên',
    'Địa chỉ',
    'Người liên hệ',
    'Điện thoại',
    'Người duyệt',
    'Ngày duyệt',
    'Trạng thái',
  ]);
  await expect(row('00074.GD/2020/00115')).toContainText('11/08/2020 17:21');
  await expect(row('00077.GD/2020/00115')).toContainText('Hồ sơ hợp lệ');
  await expect(page.getByRole('status', { name: 'Trạng thái đồng bộ' })).toContainText('Trực tuyến');
  await shot('workstation-list');
});

test('Mở rộng → Tra cứu finds "Nguyễn Thị Các" from "nguyen thi cac"', async () => {
  await page.getByRole('button', { name: 'Mở rộng' }).click();
  await page.getByRole('textbox', { name: 'Họ và tên' }).fill('nguyen thi cac');
  await page.getByRole('button', { name: 'Tra cứu' }).click();
  await expect(page.locator('.ant-table-row')).toHaveCount(1);
  await expect(row('Nguyễn Thị Các')).toBeVisible();
  await shot('workstation-search');
  await page.getByRole('textbox', { name: 'Họ và tên' }).fill('do van toi');
  await page.getByRole('button', { name: 'Tra cứu' }).click();
  await expect(row('Đỗ Văn Tỏi')).toBeVisible();
  await page.getByRole('button', { name: 'Xóa điều kiện' }).click();
  await expect(row('Lê Kim Cương')).toBeVisible();
});

test('keyboard: arrows move through the list and Enter opens the dossier', async () => {
  await row('00086.GD/2020/00115').click();
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('[data-row-index][aria-selected="true"]')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Xử lý hồ sơ')).toBeVisible(SLOW);
  await page.getByRole('button', { name: 'Thoát' }).click();
  await expect(page.getByText('Hồ sơ đăng ký giao dịch điện tử cá nhân')).toBeVisible(SLOW);
});

test('Chi tiết hồ sơ (Hình 10): the same-code warning, ID images with zoom and rotate', async () => {
  await putAttachment('00078.GD/2020/00115', 'idFront', '#cfe3f7', 'Mặt trước');
  await putAttachment('00078.GD/2020/00115', 'idBack', '#f3e3c8', 'Mặt sau');
  await openDossier('00078.GD/2020/00115');
  await expect(page.getByText('Thông tin cơ bản')).toBeVisible();
  await expect(page.getByText(/còn hồ sơ khác: 00077\.GD\/2020\/00115/u)).toBeVisible();
  await expect(page.getByText('Mặt trước:')).toBeVisible();
  await expect(page.getByRole('img', { name: 'Mặt trước' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Mặt sau' })).toBeVisible();
  await shot('workstation-detail');
  await page.getByRole('img', { name: 'Mặt trước' }).click();
  const preview = page.locator('.ant-image-preview');
  await expect(preview).toBeVisible();
  await preview.locator('.anticon-rotate-right').click();
  await preview.locator('.anticon-zoom-in').click();
  await shot('workstation-id-preview');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Thoát' }).click();
});

test('Không hợp lệ without a reason is refused; with a reason it is recorded and the service shows it', async () => {
  await openDossier('Nguyễn Thị Các');
  await page.getByLabel('Hồ sơ không hợp lệ').check();
  await page.getByRole('button', { name: 'Ghi nhận' }).click();
  await expect(page.getByText(/cần có lý do/u).first()).toBeVisible();
  await shot('workstation-review-reason-required');
  const firstReason = page.locator('.ant-checkbox-group label').first();
  await firstReason.click();
  await page.getByLabel('Nội dung đánh giá').fill('Ảnh CCCD mờ, đề nghị chụp lại');
  await page.getByRole('button', { name: 'Ghi nhận' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Đã ghi nhận: hồ sơ không hợp lệ' })).toBeVisible(
    SLOW,
  );
  // The decision is final on screen: no second Ghi nhận.
  await expect(page.getByRole('button', { name: 'Ghi nhận' })).toHaveCount(0);
  await shot('workstation-review-success');
  const d = await serviceDossier('00074.GD/2020/00115');
  expect(d.outcome).toBe('invalid');
  expect(d.reason).toContain('Ảnh CCCD mờ, đề nghị chụp lại');
  expect(d.reasonCodes.length).toBe(1);
  await page.getByRole('button', { name: 'Thoát' }).click();
});

test('offline: decide, see "chờ đồng bộ", come back, see it synced', async () => {
  await network(false);
  await openDossier('00006.GD/2020/903');
  await page.getByLabel('Hồ sơ hợp lệ', { exact: true }).check();
  await page.getByRole('button', { name: 'Ghi nhận' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Đã ghi nhận, chờ đồng bộ' })).toBeVisible(SLOW);
  await expect(page.getByRole('status', { name: 'Trạng thái đồng bộ' })).toContainText('Ngoại tuyến');
  await expect(page.getByTestId('queued-count')).toHaveText('1');
  await shot('workstation-offline-queued');
  await page.getByRole('button', { name: 'Chi tiết đồng bộ' }).click();
  await expect(page.locator('.ant-drawer').getByText('Chờ đồng bộ').first()).toBeVisible();
  await shot('workstation-sync-panel');
  await page.keyboard.press('Escape');
  await network(true);
  await expect(page.getByRole('status').filter({ hasText: 'Cập nhật thành công' })).toBeVisible({
    timeout: 20_000,
  });
  await expect(page.getByTestId('queued-count')).toHaveText('0');
  await expect(page.getByText(/Đã cấp tài khoản/u).first()).toBeVisible();
  await expect(page.locator('.ant-descriptions').filter({ hasText: 'Tình trạng' })).toContainText('Đã duyệt');
  const d = await serviceDossier('00006.GD/2020/903');
  expect(d.outcome).toBe('valid');
  expect(d.result).toBe('account_issued');
  await page.getByRole('button', { name: 'Thoát' }).click();
});

test('offline sign-in for an officer who signed in online here', async () => {
  await signOut();
  await network(false);
  await signIn('903', 'ttcntt');
  await expect(page.getByText('Đăng nhập ngoại tuyến')).toBeVisible();
  await expect(row('Nguyễn Thị Các')).toBeVisible();
  await shot('workstation-offline-sign-in');
  await network(true);
  await signOut();
});

test('change of details: Ghi nhận → Hình 11 → Xác nhận → Hình 12', async () => {
  await signIn('001', 'cbhn');
  await openDossier('00012.GD/2020/001');
  await page.getByLabel('Hồ sơ hợp lệ', { exact: true }).check();
  await page.getByRole('button', { name: 'Ghi nhận' }).click();
  const dialog = page.getByRole('dialog', { name: 'Thông báo thông tin đăng ký thay đổi thông tin' });
  await expect(dialog).toBeVisible();
  // phones in the national form, as the list shows them
  await expect(dialog).toContainText('0912 345 678 → 0988 123 456');
  await shot('workstation-update-confirm');
  await dialog.getByRole('button', { name: 'Xác nhận' }).click();
  // Hình 12: the seed's pop-up notice.
  const notice = page.getByRole('dialog', { name: 'Cập nhật thông tin đăng ký thành công' });
  await expect(notice).toBeVisible(SLOW);
  await shot('workstation-update-success-notice');
  await page.setViewportSize({ width: 1280, height: 720 });
  await expect(notice.getByRole('button', { name: 'Đồng ý' })).toBeInViewport();
  await shot('workstation-update-success-notice-1280');
  await page.setViewportSize({ width: 1440, height: 900 });
  await notice.getByRole('button', { name: 'Đồng ý' }).click();
  await expect(notice).toBeHidden();
  await expect(
    page.getByRole('status').filter({ hasText: 'Cập nhật thông tin đăng ký thành công' }),
  ).toBeVisible();
  // The dialog closes with the answer; its fade-out (with its own Thoát) must end before the next click.
  await expect(dialog).toBeHidden();
  // Xử lý hồ sơ shows the dossier as the service now has it, not as it was opened.
  const processing = page.locator('.ant-descriptions').filter({ hasText: 'Tình trạng' });
  await expect(processing).toContainText('Đã duyệt');
  await expect(processing).not.toContainText('Hồ sơ chờ duyệt');
  await shot('workstation-update-success');
  const d = await serviceDossier('00012.GD/2020/001', 'cbhn', '001');
  expect(d.result).toBe('details_updated');
  await page.getByRole('button', { name: 'Thoát' }).click();
  await signOut();
});

test('a wrong Mã kiểm tra keeps the password; repeated wrong passwords keep asking for the captcha', async () => {
  for (let i = 0; i < 3; i++) {
    await fillSignIn('903', 'khoa903', `sai-${i}`);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await expect(page.getByRole('alert')).toContainText(/không đúng/u, SLOW);
    // a wrong password is cleared
    await expect(page.getByLabel('Mật khẩu', { exact: true })).toHaveValue('');
  }
  await expect(page.getByLabel('Mã kiểm tra')).toBeVisible(SLOW);
  await expect(page.getByAltText('Ảnh mã kiểm tra')).toBeVisible();
  await page.getByLabel('Mật khẩu', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Mã kiểm tra').fill('SAI99');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByRole('alert')).toContainText('Mã kiểm tra không đúng', SLOW);
  // the password stays; only a new code is asked for, with the focus on it
  await expect(page.getByLabel('Mật khẩu', { exact: true })).toHaveValue(PASSWORD);
  await expect(page.getByLabel('Mã kiểm tra')).toHaveValue('');
  await expect(page.getByLabel('Mã kiểm tra')).toBeFocused();
  await shot('workstation-captcha');
  await page.getByLabel('Mã kiểm tra').fill(CAPTCHA);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByText('Hồ sơ đăng ký giao dịch điện tử cá nhân')).toBeVisible(SLOW);
  await signOut();
});

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
] as const;
const COLUMNS = [
  'STT',
  'Số hồ sơ',
  'Ngày tiếp nhận',
  'Mã số BHXH',
  'Họ và tên',
  'Địa chỉ',
  'Người liên hệ',
  'Điện thoại',
  'Người duyệt',
  'Ngày duyệt',
  'Trạng thái',
];

/** Every one of Hình 3's columns has its header wholly inside the window, in the seed's order. */
async function expectAllColumnsVisible(width: number): Promise<void> {
  let right = 0;
  for (const title of COLUMNS) {
    const th = page.locator('.ant-table-thead th', { hasText: new RegExp(`^${title}$`, 'u') }).first();
    const box = await th.boundingBox();
    expect(box, title).not.toBeNull();
    expect(box!.width, `${title} has room`).toBeGreaterThan(20);
    expect(box!.x, `${title} after the previous column`).toBeGreaterThanOrEqual(right - 1);
    expect(box!.x + box!.width, `${title} inside ${width} px`).toBeLessThanOrEqual(width);
    right = box!.x + box!.width;
  }
}

for (const size of SIZES) {
  test(`at ${size.width}×${size.height}: all 11 columns on screen with the kind in the row; the detail opens on the decision with Ghi nhận in view, Esc = Thoát`, async () => {
    await page.setViewportSize(size);
    // Hình 1 at this size: Mã kiểm tra and Đăng nhập in view from the first attempt.
    await expect(page.getByAltText('Ảnh mã kiểm tra')).toBeInViewport(SLOW);
    await expect(page.getByRole('button', { name: 'Đăng nhập' })).toBeInViewport();
    await signIn('903', 'ttcntt');
    await expect(row('Lê Kim Cương')).toBeVisible();
    await expectAllColumnsVisible(size.width);
    await expect(row('00086.GD/2020/00115').locator('[data-kind="register"]')).toHaveText('Đăng ký');
    // phones in the national form, never +84; the seed's "1231231" as declared, marked, inside its cell
    await expect(page.locator('.ant-table-tbody')).not.toContainText('+84');
    await expect(row('00086.GD/2020/00115')).toContainText(/0\d{3} \d{3} \d{3}/u);
    const badPhone = row('00087.GD/2020/00115').locator('[data-mobile-valid="false"]');
    await expect(badPhone).toContainText('1231231');
    await expect(badPhone.getByText('không hợp lệ')).toBeVisible();
    const phoneHeader = await page.locator('.ant-table-thead th', { hasText: /^Điện thoại$/u }).boundingBox();
    const tagBox = await badPhone.getByText('không hợp lệ').boundingBox();
    expect(tagBox!.x + tagBox!.width, 'the tag inside the Điện thoại column').toBeLessThanOrEqual(
      phoneHeader!.x + phoneHeader!.width,
    );
    await shot(`review-list-${size.width}`);
    await openDossier('00086.GD/2020/00115');
    await expect(page.getByLabel('Hồ sơ hợp lệ', { exact: true })).toBeFocused();
    const ghiNhan = await page.getByRole('button', { name: 'Ghi nhận' }).boundingBox();
    expect(ghiNhan).not.toBeNull();
    expect(ghiNhan!.y + ghiNhan!.height).toBeLessThanOrEqual(size.height);
    await expect(page.locator('main, body').first()).not.toContainText('+84');
    await shot(`review-detail-${size.width}`);
    await page.keyboard.press('Escape');
    await expect(page.getByText('Xử lý hồ sơ')).toBeHidden();
    await expect(row('Lê Kim Cương')).toBeVisible();
    await signOut();
  });
}

for (const size of SIZES) {
  test(`Mở rộng at ${size.width}×${size.height}: dates typed as officers type them, a reversed range refused with a message`, async () => {
    await page.setViewportSize(size);
    await signIn('903', 'ttcntt');
    await page.getByRole('button', { name: 'Mở rộng' }).click();
    const from = page.getByLabel('Từ ngày');
    const to = page.getByLabel('Đến ngày');
    await expect(from).toHaveAttribute('placeholder', 'dd/MM/yyyy');
    await from.fill('12/8/2020');
    await from.press('Enter');
    await to.fill('01082020');
    await to.press('Enter');
    await expect(from).toHaveValue('12/08/2020');
    await expect(to).toHaveValue('01/08/2020');
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await expect(page.getByText('Đến ngày phải sau hoặc bằng Từ ngày: đổi lại khoảng ngày.')).toBeVisible();
    await shot(`review-dates-reversed-${size.width}`);
    await to.fill('31/08/2020');
    await to.press('Enter');
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await expect(page.getByText('Đến ngày phải sau hoặc bằng Từ ngày')).toBeHidden();
    // received 12/08/2020 in; 00074 (11/08/2020 17:21) out
    await expect(row('00089.GD/2020/00115')).toBeVisible();
    await expect(row('00074.GD/2020/00115')).toHaveCount(0);
    await page.getByRole('button', { name: 'Xóa điều kiện' }).click();
    await signOut();
  });
}

test('a code not in HGD: the warning pop-up (not a success) with In hướng dẫn TK1-TS, then the form is final with its own Trạng thái', async () => {
  await page.setViewportSize(SIZES[0]);
  await signIn('903', 'ttcntt');
  await openDossier('00087.GD/2020/00115');
  // the seed's phone as declared, marked as no mobile number
  const contact = page.locator('.ant-descriptions').filter({ hasText: 'Địa chỉ thư điện tử' });
  await expect(contact.locator('[data-mobile-valid="false"]')).toContainText('1231231không hợp lệ');
  await page.getByLabel('Hồ sơ hợp lệ', { exact: true }).check();
  await page.getByRole('button', { name: 'Ghi nhận' }).click();
  const warning = page.getByRole('dialog', {
    name: 'Chưa cấp được tài khoản: mã số BHXH không tồn tại trên Hệ thống HGD',
  });
  await expect(warning).toBeVisible(SLOW);
  await expect(warning).toContainText('Không có tài khoản nào được cấp');
  await expect(warning).toContainText('TK1-TS');
  await expect(warning.getByRole('button', { name: 'In hướng dẫn TK1-TS' })).toBeVisible();
  await expect(page.getByText('Cập nhật thành công')).toHaveCount(0);
  for (const size of [...SIZES].reverse()) {
    await page.setViewportSize(size);
    await expect(warning.getByRole('button', { name: 'In hướng dẫn TK1-TS' })).toBeInViewport();
    await expect(warning.getByRole('button', { name: 'Đã hiểu' })).toBeInViewport();
    await shot(`review-code-not-found-${size.width}`);
  }
  await warning.getByRole('button', { name: 'Đã hiểu' }).click();
  await expect(warning).toBeHidden();
  // final: no second Ghi nhận, the decision controls gone
  await expect(page.getByRole('button', { name: 'Ghi nhận' })).toHaveCount(0);
  await expect(page.getByLabel('Hồ sơ hợp lệ', { exact: true })).toHaveCount(0);
  // Loại đánh giá HS: the officer's evaluation, then the service's result
  const processing = page.locator('.ant-descriptions').filter({ hasText: 'Tình trạng' });
  await expect(processing).toContainText(/Loại đánh giá HSHồ sơ hợp lệ:\s*Mã số BHXH không có trên HGD/u);
  await shot('review-code-not-found-final');
  await page.keyboard.press('Escape');
  await expect(row('00087.GD/2020/00115')).toContainText('Mã số BHXH không có trên HGD');
  // its own entry in Mở rộng's Trạng thái
  await page.getByRole('button', { name: 'Mở rộng' }).click();
  await page.getByRole('combobox', { name: 'Trạng thái' }).click();
  await page.locator('.ant-select-item-option', { hasText: 'Mã số BHXH không có trên HGD' }).click();
  await page.getByRole('button', { name: 'Tra cứu' }).click();
  await expect(page.locator('.ant-table-row')).toHaveCount(1);
  await expect(row('00087.GD/2020/00115')).toBeVisible();
  await page.getByRole('button', { name: 'Xóa điều kiện' }).click();
  await signOut();
  await page.setViewportSize({ width: 1440, height: 900 });
});
