// Chụp ảnh end to end in Debian's Chromium with its fake camera playing a generated ID card
// (tests/e2e/camera.setup.ts): the live preview in the guide frame, Chụp, Chụp lại, Dùng ảnh này;
// the still goes the way Đính kèm goes (encrypted store, durable upload, recognition: the card's
// QR read from the camera still fills Đối chiếu) and reaches the service byte for byte; offline it
// waits as "Ảnh chờ gửi"; a form page from a 1280×720 camera is too coarse for the quality gate and
// the dialog asks for a retake. Closing the dialog stops the camera.
import { expect, test, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import sharp from 'sharp';
import { cameraPerson } from './support/fakeCamera.js';
import {
  BASE,
  createDossier,
  HOME,
  openDossier,
  serviceToken,
  signIn,
  signOut,
  SLOW,
} from './support/desk.js';
import { setNetwork } from './testControl.js';

mkdirSync('artifacts/screens', { recursive: true });
test.describe.configure({ mode: 'serial' });

let page: Page;
const person = cameraPerson();
let dossier: { id: string; dossierNumber: string };

// The page's objects as far as these tests read them (the Node typings have no DOM).
type Track = { kind: string; readyState: string };
type Video = { videoWidth: number; videoHeight: number; srcObject: { getTracks(): Track[] } | null };
type PageGlobal = { cameraTracks: Track[] };

const slot = (role: string) => page.locator(`[data-role="${role}"]`);
const dialog = (name: string) => page.getByRole('dialog', { name });
const preview = () => page.getByLabel('Hình từ camera');

/** Screenshots at 1440×900 and at 1280×720 (the smaller laptop screen). */
async function shots(name: string): Promise<void> {
  await page.screenshot({ path: `artifacts/screens/camera-${name}.png` });
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.screenshot({ path: `artifacts/screens/camera-${name}-1280.png` });
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** Waits until the preview plays frames from the camera; returns the frame size. */
async function livePreview(): Promise<{ width: number; height: number }> {
  await expect(preview()).toBeVisible(SLOW);
  await expect.poll(() => preview().evaluate((v: Video) => v.videoWidth), SLOW).toBeGreaterThan(0);
  return preview().evaluate((v: Video) => ({ width: v.videoWidth, height: v.videoHeight }));
}

async function call<T>(method: string, input: unknown): Promise<T> {
  const res = await page.request.post(`${BASE}/api/call/${method}`, { data: input });
  const body = (await res.json()) as { ok: boolean; value: T };
  expect(body.ok).toBe(true);
  return body.value;
}

/** The bytes the workstation stored for a role (the latest image). */
async function storedBytes(role: string): Promise<Buffer> {
  const images = await call<Array<{ id: string; role: string; createdAt: string }>>('intake.images', {
    dossierId: dossier.id,
  });
  const image = images.filter((i) => i.role === role).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))[0];
  expect(image).toBeDefined();
  const content = await call<{ dataUrl: string }>('intake.content', { id: image!.id });
  return Buffer.from(content.dataUrl.replace(/^data:[^,]*,/u, ''), 'base64');
}

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  await page.goto(HOME);
  dossier = await createDossier(page, person);
});

test.afterAll(async () => {
  await setNetwork(page, true).catch(() => undefined);
  await signOut(page);
  await page.close();
});

test('sign in and open the dossier', async () => {
  await signIn(page);
  await openDossier(page, dossier.dossierNumber);
  await expect(slot('idFront').getByRole('button', { name: 'Chụp ảnh Mặt trước' })).toBeVisible();
  await expect(slot('photo').getByRole('button', { name: 'Chụp ảnh Ảnh cá nhân' })).toBeVisible();
  await expect(slot('formPage1').getByRole('button', { name: 'Chụp ảnh Trang tờ khai 1' })).toBeVisible();
});

test('closing the dialog stops the camera (its light goes off)', async () => {
  await page.getByRole('button', { name: 'Chụp ảnh Mặt trước' }).click();
  await livePreview();
  await preview().evaluate((v: Video) => {
    (globalThis as unknown as PageGlobal).cameraTracks = v.srcObject?.getTracks() ?? [];
  });
  // from the keyboard: Tab to Huỷ, Enter does what Huỷ says (not the shortcut's Chụp)
  await expect(dialog('Chụp ảnh Mặt trước').getByRole('button', { name: 'Chụp' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog('Chụp ảnh Mặt trước').getByRole('button', { name: 'Huỷ' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog('Chụp ảnh Mặt trước')).toBeHidden();
  const states = await page.evaluate(() =>
    (globalThis as unknown as PageGlobal).cameraTracks.map((t) => `${t.kind}:${t.readyState}`),
  );
  // video only, never audio; stopped
  expect(states).toEqual(['video:ended']);
});

test('Chụp ảnh Mặt trước: live preview, Chụp, Chụp lại, Dùng ảnh này → stored, synced, read by QR', async () => {
  await page.getByRole('button', { name: 'Chụp ảnh Mặt trước' }).click();
  const d = dialog('Chụp ảnh Mặt trước');
  const frame = await livePreview();
  expect(frame).toEqual({ width: 1280, height: 720 });
  await expect(d.getByTestId('capture-guide')).toBeVisible();
  await expect(d.getByText('Đặt thẻ vừa khung, giữ yên và thẳng.')).toBeVisible();
  await expect(d.getByRole('button', { name: 'Chụp' })).toHaveAttribute('aria-keyshortcuts', 'Space Enter');
  await shots('live');

  // Space takes the picture (once: the still stays), once Chụp has the focus (the camera is ready)
  await expect(d.getByRole('button', { name: 'Chụp' })).toBeFocused(SLOW);
  await page.keyboard.press('Space');
  const still = d.getByRole('img', { name: 'Ảnh vừa chụp' });
  await expect(still).toBeVisible();
  await expect(preview()).toHaveCount(0);
  await expect(d.getByTestId('capture-info')).toContainText('958×604 điểm ảnh, khoảng 284 dpi');
  await shots('still');

  // Chụp lại: the live preview again, then the button takes another
  await d.getByRole('button', { name: 'Chụp lại' }).click();
  await livePreview();
  await expect(still).toHaveCount(0);
  await d.getByRole('button', { name: 'Chụp' }).click();
  await expect(still).toBeVisible();

  // Enter: Dùng ảnh này. The card's QR is read from the still, so the gate has nothing to refuse.
  // (The passing notice is awaited from before the key, so a busy machine cannot miss it.)
  await expect(d.getByRole('button', { name: 'Dùng ảnh này' })).toBeFocused(SLOW);
  const notice = page
    .getByText('Đã lưu ảnh chụp Mặt trước: chờ đồng bộ.')
    .waitFor({ state: 'visible', ...SLOW });
  await page.keyboard.press('Enter');
  await notice;
  await expect(d).toBeHidden(SLOW);
  await expect(slot('idFront').getByRole('img', { name: 'Mặt trước' })).toBeVisible(SLOW);
  await expect(slot('idFront').getByText('đã đồng bộ')).toBeVisible(SLOW);

  // the stored image: a JPEG of the guide frame with its resolution written in
  const bytes = await storedBytes('idFront');
  const meta = await sharp(bytes).metadata();
  expect({ format: meta.format, width: meta.width, height: meta.height, density: meta.density }).toEqual({
    format: 'jpeg',
    width: 958,
    height: 604,
    density: 284,
  });
  expect(bytes.length).toBeLessThan(250_000);
  console.log(`camera still, ID card front from 1280×720: ${bytes.length} bytes`);

  // the service holds exactly these bytes
  const { url, auth } = await serviceToken(page);
  const held = (await (
    await page.request.get(`${url}/api/v1/dossiers/${dossier.id}`, { headers: auth })
  ).json()) as {
    attachments: Array<{ role: string; sha256: string }>;
  };
  expect(held.attachments.filter((a) => a.role === 'idFront')).toEqual([
    expect.objectContaining({ sha256: createHash('sha256').update(bytes).digest('hex') }),
  ]);

  // the QR on the card, read from the camera still, matches the dossier
  const panel = page.getByRole('region', { name: 'Đối chiếu' });
  const idRow = panel.locator('[data-verdict="match"]', { hasText: 'Số CCCD/CMND' });
  await expect(idRow).toContainText(person.idNumber, SLOW);
  await expect(idRow).toContainText('Mã QR thẻ CCCD');
  await slot('idFront').scrollIntoViewIfNeeded();
  await shots('stored');
});

test('offline: a captured Mặt sau waits as "Ảnh chờ gửi" and goes when the network is back', async () => {
  const bar = page.getByRole('status', { name: 'Trạng thái đồng bộ' });
  await setNetwork(page, false);
  await page.getByRole('button', { name: 'Chụp ảnh Mặt sau' }).click();
  const d = dialog('Chụp ảnh Mặt sau');
  await livePreview();
  // the officer presses Enter once the dialog's Chụp has the focus (it takes it when the camera is ready)
  await expect(d.getByRole('button', { name: /^Chụp/u }).first()).toBeFocused(SLOW);
  await page.keyboard.press('Enter');
  await expect(d.getByRole('img', { name: 'Ảnh vừa chụp' })).toBeVisible(SLOW);
  await d.getByRole('button', { name: 'Dùng ảnh này' }).click();
  await expect(d).toBeHidden(SLOW);
  await expect(slot('idBack').getByRole('img', { name: 'Mặt sau' })).toBeVisible(SLOW);
  await expect(bar).toContainText('Ngoại tuyến', SLOW);
  await expect(bar.getByTestId('queued-uploads')).toHaveText('1', SLOW);
  await expect(slot('idBack').getByText('chờ đồng bộ')).toBeVisible();
  await setNetwork(page, true);
  await expect(slot('idBack').getByText('đã đồng bộ')).toBeVisible({ timeout: 30_000 });
  await expect(bar.getByTestId('queued-uploads')).toHaveCount(0, SLOW);
});

test('a form page from a 1280×720 camera is too coarse: the dialog says so and asks for a retake', async () => {
  await page.getByRole('button', { name: 'Chụp ảnh Trang tờ khai 1' }).click();
  const d = dialog('Chụp ảnh Trang tờ khai 1');
  await livePreview();
  // the warning before the picture is taken: A4 over 676 px is ~58 dpi
  await expect(d.getByText(/Camera này chỉ cho khoảng 58 dpi trên giấy tờ/u)).toBeVisible();
  await d.getByRole('button', { name: 'Chụp' }).click();
  await d.getByRole('button', { name: 'Dùng ảnh này' }).click();
  const refused = d.getByRole('alert').filter({ hasText: 'Ảnh chưa đạt chất lượng: đề nghị chụp lại.' });
  await expect(refused).toBeVisible(SLOW);
  await expect(refused).toContainText('Độ phân giải quá thấp để đọc chữ');
  await shots('refused');
  // Chụp lại goes back to the camera; Giữ ảnh này keeps the stored image with the gate's warning
  await page.keyboard.press('Space');
  await livePreview();
  await d.getByRole('button', { name: 'Chụp' }).click();
  await d.getByRole('button', { name: 'Dùng ảnh này' }).click();
  await expect(refused).toBeVisible(SLOW);
  await d.getByRole('button', { name: 'Giữ ảnh này' }).click();
  await expect(d).toBeHidden();
  await expect(slot('formPage1').getByText('Ảnh chưa đạt chất lượng: đề nghị quét lại.')).toBeVisible(SLOW);
});
