// Helpers of the camera specs: a dossier of agency 903 put in through the service's intake (as the
// portal does), signing in and out of the shared dev host, opening a dossier from the list.
import { expect, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import type { SyntheticPerson } from '../../../contract/synthetic.js';
import { E2E_PORT, E2E_SECRET } from '../../../playwright.config.js';
import { fillCaptcha } from './captcha.js';

export const BASE = `http://127.0.0.1:${E2E_PORT}`;
export const HOME = `${BASE}/?k=${E2E_SECRET}`;
export const PASSWORD = 'Bhxh@2020';
export const SLOW = { timeout: 30_000 };
const LIST_TITLE = 'Hồ sơ đăng ký giao dịch điện tử cá nhân';

export async function serviceToken(page: Page): Promise<{ url: string; auth: Record<string, string> }> {
  const info = (await (await page.request.get(`${BASE}/api/test/info`)).json()) as { serviceUrl: string };
  const login = await page.request.post(`${info.serviceUrl}/api/v1/auth/login`, {
    data: { agencyCode: '903', username: 'ttcntt', password: PASSWORD },
  });
  const { token } = (await login.json()) as { token: string };
  return { url: info.serviceUrl, auth: { authorization: `Bearer ${token}` } };
}

/** A new pending dossier of agency 903 for `person`. */
export async function createDossier(
  page: Page,
  person: SyntheticPerson,
): Promise<{ id: string; dossierNumber: string }> {
  const { url, auth } = await serviceToken(page);
  const res = await page.request.post(`${url}/api/v1/dossiers`, {
    headers: auth,
    data: {
      clientId: randomUUID(),
      kind: 'register',
      agencyCode: '903',
      fullName: person.fullName,
      bhxhCode: person.bhxhCode,
      idKind: 'cccd',
      idNumber: person.idNumber,
      dateOfBirth: person.dateOfBirth,
      gender: person.gender,
      address: person.address,
      contactPerson: person.fullName,
      email: null,
      mobile: person.mobile,
      channel: 'portal',
      submissionMethod: 'counter',
    },
  });
  expect(res.status(), await res.text()).toBeLessThan(300);
  return (await res.json()) as { id: string; dossierNumber: string };
}

/** Signs in as ttcntt (agency 903) unless someone already is. */
export async function signIn(page: Page): Promise<void> {
  const list = page.getByText(LIST_TITLE);
  const form = page.getByRole('button', { name: 'Đăng nhập' });
  await expect(list.or(form)).toBeVisible(SLOW);
  if (await list.isVisible()) return;
  await page.getByLabel('Cơ quan BHXH').click();
  await page.keyboard.type('903');
  await page.keyboard.press('Enter');
  await page.getByLabel('Tên đăng nhập').fill('ttcntt');
  await page.getByLabel('Mật khẩu', { exact: true }).fill(PASSWORD);
  await fillCaptcha(page);
  await form.click();
  await expect(list).toBeVisible(SLOW);
}

/** Leaves the shared host as the other specs expect it: nobody signed in. */
export async function signOut(page: Page): Promise<void> {
  await page.request.post(`${BASE}/api/call/session.signOut`, { data: {} }).catch(() => undefined);
}

/** Opens a dossier from the list (the change feed brings new ones within seconds in test mode). */
export async function openDossier(page: Page, dossierNumber: string): Promise<void> {
  const row = page.locator('.ant-table-row', { hasText: dossierNumber });
  await expect(row).toBeVisible(SLOW);
  await row.dblclick();
  await expect(page.getByText(`Số hồ sơ: ${dossierNumber}`)).toBeVisible(SLOW);
  await expect(page.getByText('Ảnh CMND/CCCD')).toBeVisible(SLOW);
}

/** Thoát: back to the list (releases the dossier's claim). */
export async function backToList(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Thoát' }).click();
  await expect(page.getByText(LIST_TITLE)).toBeVisible(SLOW);
}
