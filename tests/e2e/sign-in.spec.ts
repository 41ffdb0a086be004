// First slice: the renderer's sign-in screen served by the workstation's local HTTP host.
import { expect, test } from '@playwright/test';
import { E2E_PORT, E2E_SECRET } from '../../playwright.config.js';

const base = `http://127.0.0.1:${E2E_PORT}`;

test('sign-in screen shows the seed labels (Hình 1)', async ({ page }) => {
  await page.goto(`${base}/?k=${E2E_SECRET}`);
  await expect(page.getByText('TIẾP NHẬN VÀ QUẢN LÝ HỒ SƠ')).toBeVisible();
  await expect(page.getByLabel('Tên đăng nhập')).toBeVisible();
  await expect(page.getByLabel('Mật khẩu', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByText('Nhập tên đăng nhập.')).toBeVisible();
  await page.screenshot({ path: 'artifacts/screens/sign-in.png', fullPage: true });
});

test('the local host refuses a request without the per-run secret', async ({ request }) => {
  const res = await request.get(`${base}/index.html`, { headers: { cookie: '' } });
  expect(res.status()).toBe(403);
});
