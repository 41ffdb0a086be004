// Mã kiểm tra on the sign-in screen (Hình 1): shown from the first attempt whenever the service
// answers; the dev host in test mode draws WS_TEST_CAPTCHA (TEST2). Offline there is none.
import { expect, type Page } from '@playwright/test';

export const CAPTCHA = process.env.WS_TEST_CAPTCHA ?? 'TEST2';

/** Waits for the captcha (or the offline note) and types the test captcha when there is one. */
export async function fillCaptcha(page: Page): Promise<void> {
  const image = page.getByAltText('Ảnh mã kiểm tra');
  const offline = page.getByText(/đăng nhập ngoại tuyến bằng thông tin đã lưu/u);
  await expect(image.or(offline)).toBeVisible({ timeout: 30_000 });
  if (await image.isVisible()) await page.getByLabel('Mã kiểm tra').fill(CAPTCHA);
}
