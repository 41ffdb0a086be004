// Chụp ảnh when the camera cannot be used, with Chromium's own mechanisms (no mock of the dialog):
// this project's browser asks before using the camera (no --use-fake-ui-for-media-stream), so a
// context without the camera permission is refused, and it has two fake cameras; a browser started
// here with no camera (device-count=0) and one whose camera stops after a frame (the track ends, as
// when a USB camera is pulled out). A camera held by another program (NotReadableError) cannot be
// made here: tests/unit/renderer/capture.test.ts checks its message.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { CAMERA_ENDING_FILE, CHROMIUM_ARGS } from '../../playwright.config.js';
import { createRandom, syntheticPerson } from '../../contract/synthetic.js';
import { CAMERA_CHOICE_KEY } from '../../contract/capture.js';
import { backToList, BASE, createDossier, HOME, openDossier, signIn, signOut, SLOW } from './support/desk.js';

mkdirSync('artifacts/screens', { recursive: true });
test.describe.configure({ mode: 'serial' });

type Video = { videoWidth: number; srcObject: { getVideoTracks(): Array<{ label: string }> } | null };

let page: Page;
let dossier: { id: string; dossierNumber: string };
const person = syntheticPerson(createRandom(20261204), 8201);
const TITLE = 'Chụp ảnh Mặt trước';

async function openCamera(p: Page): Promise<ReturnType<Page['getByRole']>> {
  await p.getByRole('button', { name: TITLE }).click();
  const d = p.getByRole('dialog', { name: TITLE });
  await expect(d).toBeVisible();
  return d;
}

/** The label of the camera the preview shows, once it plays. */
async function liveCamera(p: Page): Promise<string> {
  const video = p.getByLabel('Hình từ camera');
  await expect.poll(() => video.evaluate((v: Video) => v.videoWidth), SLOW).toBeGreaterThan(0);
  return video.evaluate((v: Video) => v.srcObject?.getVideoTracks()[0]?.label ?? '');
}

/** Another Chromium with the given camera flags, on the dossier (the host's session is shared). */
async function otherBrowser(
  launch: (args: string[]) => Promise<Browser>,
  args: string[],
): Promise<{ browser: Browser; page: Page }> {
  const browser = await launch([...CHROMIUM_ARGS, ...args]);
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
  const p = await context.newPage();
  await p.goto(HOME);
  await openDossier(p, dossier.dossierNumber);
  return { browser, page: p };
}

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  await page.goto(HOME);
  dossier = await createDossier(page, person);
});

test.afterAll(async () => {
  await signOut(page);
  await page.close();
});

test('permission refused: a clear message; once allowed, Thử lại opens the camera', async () => {
  await signIn(page);
  await openDossier(page, dossier.dossierNumber);
  const d = await openCamera(page);
  await expect(d.getByRole('alert')).toContainText('Không được phép dùng camera', SLOW);
  await expect(d.getByRole('button', { name: 'Chụp' })).toBeDisabled();
  await page.screenshot({ path: 'artifacts/screens/camera-permission-refused.png' });
  await page.context().grantPermissions(['camera'], { origin: BASE });
  await d.getByRole('button', { name: 'Thử lại' }).click();
  expect(await liveCamera(page)).toMatch(/^fake_device_\d$/u);
  await expect(d.getByRole('alert')).toHaveCount(0);
  await d.getByRole('button', { name: 'Huỷ' }).click();
  await expect(d).toBeHidden();
});

test('two cameras: the officer picks one, and this machine remembers it next time', async () => {
  let d = await openCamera(page);
  const first = await liveCamera(page);
  const other = first === 'fake_device_0' ? 'fake_device_1' : 'fake_device_0';
  await d.getByRole('combobox', { name: 'Camera' }).click();
  await page.getByTitle(other).click();
  await expect.poll(() => liveCamera(page), SLOW).toBe(other);
  await page.screenshot({ path: 'artifacts/screens/camera-choose.png' });
  await page.keyboard.press('Escape');
  await expect(d).toBeHidden();
  // reopened (and after a reload): the chosen camera, not the system's default
  await page.reload();
  await openDossier(page, dossier.dossierNumber);
  d = await openCamera(page);
  expect(await liveCamera(page)).toBe(other);
  await expect(d.locator('.ant-select').first()).toContainText(other);
  await d.getByRole('button', { name: 'Huỷ' }).click();
  await expect(d).toBeHidden();
  // a remembered camera that is no longer there: the default one opens, no error
  await page.evaluate((key) => localStorage.setItem(key, 'a-camera-since-unplugged'), CAMERA_CHOICE_KEY);
  d = await openCamera(page);
  expect(await liveCamera(page)).toMatch(/^fake_device_\d$/u);
  await expect(d.getByRole('alert')).toHaveCount(0);
  await d.getByRole('button', { name: 'Huỷ' }).click();
  await backToList(page);
});

test('no camera on the machine: "Không tìm thấy camera…"', async ({ playwright, launchOptions }) => {
  const { browser, page: p } = await otherBrowser(
    (args) => playwright.chromium.launch({ ...launchOptions, args }),
    ['--use-fake-device-for-media-stream=device-count=0', '--use-fake-ui-for-media-stream'],
  );
  try {
    const d = await openCamera(p);
    await expect(d.getByRole('alert')).toContainText('Không tìm thấy camera', SLOW);
    await expect(d.getByRole('button', { name: 'Chụp' })).toBeDisabled();
    await p.screenshot({ path: 'artifacts/screens/camera-absent.png' });
    await p.setViewportSize({ width: 1280, height: 720 });
    await p.screenshot({ path: 'artifacts/screens/camera-absent-1280.png' });
  } finally {
    await browser.close();
  }
});

test('the camera stops sending (unplugged): the stream ending is said, not a frozen picture', async ({
  playwright,
  launchOptions,
}) => {
  const { browser, page: p } = await otherBrowser(
    (args) => playwright.chromium.launch({ ...launchOptions, args }),
    [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${CAMERA_ENDING_FILE}`,
    ],
  );
  try {
    const d = await openCamera(p);
    await expect(d.getByRole('alert')).toContainText('Camera đã ngừng gửi hình', SLOW);
    await expect(d.getByRole('button', { name: 'Chụp' })).toBeDisabled();
    await expect(p.getByLabel('Hình từ camera')).toBeHidden();
  } finally {
    await browser.close();
  }
});
