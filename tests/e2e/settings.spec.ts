// Cài đặt máy trạm in Chromium against the workstation's local host: opened from the sign-in screen
// (a new machine must reach its service first; on this one officers have signed in, so the service's
// address is no longer the sign-in screen's to change), Kiểm tra kết nối through the settings as typed,
// a new workstation name saved, Xuất nhật ký hỗ trợ downloading a zip of the logs and thong-tin.json;
// an officer has no Cài đặt, a supervisor has it in the menu, where an http:// service on another
// machine is refused with the https sentence and nothing saved. Screenshots at 1280×720 and 1440×900
// for docs/deploy.md.
import { fillCaptcha } from './support/captcha.js';
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { unzipSync } from 'fflate';
import { BASE, HOME, PASSWORD, SLOW, signOut } from './support/desk.js';

test.describe.configure({ mode: 'serial' });
mkdirSync('artifacts/screens', { recursive: true });

async function settingsView(page: Page): Promise<{ settings: Record<string, unknown> }> {
  const r = await page.request.post(`${BASE}/api/call/settings.get`, { data: {} });
  return ((await r.json()) as { value: { settings: Record<string, unknown> } }).value;
}

async function openFromSignIn(page: Page): Promise<void> {
  await page.goto(HOME);
  await page.getByRole('button', { name: 'Cài đặt máy trạm' }).click();
  await expect(page.getByText('Cài đặt máy trạm', { exact: true })).toBeVisible(SLOW);
  await expect(page.getByLabel('Địa chỉ dịch vụ trung tâm')).not.toHaveValue('');
}

test('Cài đặt from the sign-in screen: the address guarded, Kiểm tra kết nối, a new name saved', async ({
  page,
}) => {
  await signOut(page);
  await openFromSignIn(page);

  // Officers have signed in on this machine: where their passwords go is not the sign-in screen's to change.
  await expect(page.getByLabel('Địa chỉ dịch vụ trung tâm')).toBeDisabled();
  await expect(page.getByText(/Đã có người đăng nhập trên máy này/u).first()).toBeVisible();
  expect((await settingsView(page)).settings.serviceUrl).toMatch(/^http:\/\/127\.0\.0\.1:/u);

  await page.getByRole('button', { name: 'Kiểm tra kết nối' }).click();
  await expect(page.getByText('Kết nối được dịch vụ trung tâm.')).toBeVisible(SLOW);
  await expect(page.getByText(/Dịch vụ trung tâm trả lời sau \d+ ms/u)).toBeVisible();

  // Until one is saved, the name is the one the reconciliation prints (print.spec checks the sheet).
  await expect(page.getByLabel('Tên máy trạm')).toHaveValue(`Máy ${hostname()}`);
  // A new workstation name (NFC, trimmed), saved to the per-machine file.
  const name = 'Quầy 3 — BHXH Ba Đình';
  await page.getByLabel('Tên máy trạm').fill(` ${name} `);
  await page.getByLabel('Thời gian lưu ảnh (ngày)').fill('10');
  const saved = page.getByText('Đã lưu cài đặt máy trạm.').waitFor(SLOW);
  await page.getByRole('button', { name: 'Lưu' }).click();
  await saved;
  expect((await settingsView(page)).settings).toMatchObject({
    workstationName: name,
    imageRetentionDays: 10,
  });

  for (const [w, h] of [
    [1280, 720],
    [1440, 900],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.getByText('Cài đặt máy trạm', { exact: true }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `artifacts/screens/settings-${w}.png` });
  }
  await page.screenshot({ path: 'artifacts/screens/settings-full-1440.png', fullPage: true });

  // Xuất nhật ký hỗ trợ: a zip with the logs and thong-tin.json.
  const download = page.waitForEvent('download', SLOW);
  await page.getByRole('button', { name: 'Xuất nhật ký hỗ trợ' }).click();
  const file = await (await download).path();
  const zip = unzipSync(readFileSync(file));
  const entries = Object.keys(zip);
  expect(entries).toContain('thong-tin.json');
  expect(entries.some((e) => /^nhat-ky\/workstation\.\d+\.log$/u.test(e))).toBe(true);
  const about = JSON.parse(new TextDecoder().decode(zip['thong-tin.json'])) as {
    settings: { workstationName: string };
  };
  expect(about.settings.workstationName).toBe(name);

  await page.getByRole('button', { name: 'Quay lại đăng nhập' }).click();
  await expect(page.getByRole('button', { name: 'Đăng nhập' })).toBeVisible();
});

async function signInAs(page: Page, agency: string, username: string): Promise<void> {
  await page.goto(HOME);
  await page.getByLabel('Cơ quan BHXH').click();
  await page.keyboard.type(agency);
  await page.keyboard.press('Enter');
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu', { exact: true }).fill(PASSWORD);
  await fillCaptcha(page);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByText('Hồ sơ đăng ký giao dịch điện tử cá nhân')).toBeVisible(SLOW);
}

test('an officer has no Cài đặt and cannot change settings; a supervisor has it in the menu', async ({
  page,
}) => {
  await signInAs(page, '903', 'ttcntt');
  await expect(page.getByRole('menuitem', { name: 'Cài đặt' })).toHaveCount(0);
  const refused = await page.request.post(`${BASE}/api/call/settings.update`, {
    data: { patch: { workstationName: 'Máy của tôi' } },
  });
  expect(await refused.json()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  await signOut(page);

  await signInAs(page, '903', 'ld903');
  await page.getByRole('menuitem', { name: 'Cài đặt' }).click();
  await expect(page.getByLabel('Tên máy trạm')).toHaveValue('Quầy 3 — BHXH Ba Đình', SLOW);

  // A supervisor may change the address, but an http service on another machine is refused with the
  // https sentence under the field, and nothing is saved.
  const before = await settingsView(page);
  const serviceField = page.getByLabel('Địa chỉ dịch vụ trung tâm');
  await expect(serviceField).toBeEnabled();
  await serviceField.fill('http://10.20.30.40:8480');
  await page.getByRole('button', { name: 'Lưu' }).click();
  await expect(page.getByText(/phải dùng https:\/\//u)).toBeVisible(SLOW);
  expect((await settingsView(page)).settings.serviceUrl).toBe(before.settings.serviceUrl);
  await page.getByRole('button', { name: 'Huỷ thay đổi' }).click();
  await expect(serviceField).toHaveValue(before.settings.serviceUrl as string);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.screenshot({ path: 'artifacts/screens/settings-menu-1440.png' });
  await signOut(page);
});
