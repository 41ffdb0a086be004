// The mobile desk's steps as an officer does them in Chromium, shared by the desk's e2e spec and its
// browser benchmark (tests/bench/desk-ui.ts): signing in, the simulated reader (HID-POS at the node-hid
// boundary through the dev host's test control), a camera still, In tờ khai with the page's print()
// recorded, and the printed page "signed" and attached.
import { expect, type Locator, type Page } from '@playwright/test';
import { decodeQr, flat, pageImage, pdfText } from '../../unit/print/pdfTools.js';
import { fillCaptcha } from './captcha.js';
import { PASSWORD, SLOW } from './desk.js';
import { DESK_PERSON_QR } from './deskPeople.js';

/** The menu as an officer who unfolded it once has it (below 1600 px it folds to icons). */
export const MENU_UNFOLDED = `localStorage.setItem('bhxh.menu.collapsed', '0');`;

export { PRINT_SPY } from './printSpy.js';

/** The reader's text of Hoàng Văn Nam's CCCD QR (the demo data's registryNotes). */
export const READER_QR = DESK_PERSON_QR;

export const printCalls = (p: Page): Promise<string[]> =>
  p.evaluate(() => (globalThis as unknown as { __printCalls: string[] }).__printCalls);

/** Signs in as ttcntt (agency 903) unless someone already is; the menu shows Kê khai mới. */
export async function signInOn(p: Page): Promise<void> {
  const menu = p.getByRole('menuitem', { name: 'Kê khai mới' });
  const form = p.getByRole('button', { name: 'Đăng nhập' });
  await expect(menu.or(form)).toBeVisible(SLOW);
  if (await menu.isVisible()) return;
  await p.getByLabel('Cơ quan BHXH').click();
  await p.keyboard.type('903');
  await p.keyboard.press('Enter');
  await p.getByLabel('Tên đăng nhập').fill('ttcntt');
  await p.getByLabel('Mật khẩu', { exact: true }).fill(PASSWORD);
  await fillCaptcha(p);
  await form.click();
  await expect(menu).toBeVisible(SLOW);
}

/** The simulated HID-POS reader of the host at `base`: plug, unplug, or scan a text. */
export async function hid(
  p: Page,
  base: string,
  action: Record<string, string>,
): Promise<{ delivered?: boolean; open?: boolean }> {
  const res = await p.request.post(`${base}/api/test/hid`, { data: action });
  return (await res.json()) as { delivered?: boolean; open?: boolean };
}

/** The officer's form: the Mã tạm of the declaration on screen. */
export async function refOnScreen(p: Page): Promise<string> {
  const text = await p.getByLabel('Mã tạm').innerText();
  return /MT-[0-9A-Z]{4}-[0-9A-Z]{4}/u.exec(text)![0];
}

/** The camera dialog open and its preview running (a frame has arrived, Chụp is enabled). */
export async function cameraReady(p: Page, title: string) {
  const d = p.getByRole('dialog', { name: title });
  await expect(d.getByLabel('Hình từ camera')).toBeVisible(SLOW);
  await expect
    .poll(() => d.getByLabel('Hình từ camera').evaluate((v: { videoWidth: number }) => v.videoWidth), SLOW)
    .toBeGreaterThan(0);
  await expect(d.getByRole('button', { name: /^Chụp/u }).first()).toBeEnabled(SLOW);
  return d;
}

/**
 * A still by the keyboard alone: Alt+key opens the dialog, Enter takes the picture once the camera is
 * ready, Enter uses it. The focus is checked to be on the dialog's action before each key, and back on
 * the control the dialog was opened from once it has closed.
 */
export async function captureByKeys(p: Page, key: string, title: string): Promise<void> {
  const opener = await p.evaluateHandle(
    () => (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement,
  );
  await p.keyboard.press(`Alt+${key}`);
  // the focus is in the dialog as soon as it shows, before the camera is ready: no key goes behind it
  const shown = p.getByRole('dialog', { name: title });
  await expect(shown).toBeVisible(SLOW);
  await expect
    .poll(() =>
      shown.evaluate((el) => {
        const dialog = el as unknown as { contains(x: unknown): boolean; ownerDocument: Focused };
        return dialog.contains(dialog.ownerDocument.activeElement);
      }),
    )
    .toBe(true);
  const d = await cameraReady(p, title);
  await expect(d.getByRole('button', { name: 'Chụp', exact: true })).toBeFocused();
  await p.keyboard.press('Enter');
  const use = d.getByRole('button', { name: /Dùng ảnh này/u });
  await expect(use).toBeFocused(SLOW);
  await p.keyboard.press('Enter');
  await expect(d).toBeHidden({ timeout: 60_000 });
  // closed: the focus is back on the control the dialog was opened from (where the officer was)
  expect(
    await opener.evaluate((el) => el === (el as { ownerDocument: Focused }).ownerDocument.activeElement),
  ).toBe(true);
  await opener.dispose();
}

type Focused = { activeElement: unknown };

/** In tờ khai by Ctrl+P: resolves with the printed PDF's address once the page called print(). */
export async function printByKeys(p: Page): Promise<string> {
  const before = (await printCalls(p)).length;
  await p.keyboard.press('Control+p');
  await expect.poll(async () => (await printCalls(p)).length, SLOW).toBe(before + 1);
  return (await printCalls(p))[before]!;
}

/**
 * The printed page, "signed" and scanned: its first page as PNG, after checking that it carries the
 * declaration's Mã tạm on the page and in its QR.
 */
export async function signedCopy(p: Page, printed: string): Promise<Buffer> {
  const pdf = Buffer.from(await (await p.request.get(printed)).body());
  const ref = await refOnScreen(p);
  expect(flat(pdfText(pdf))).toContain(`Mã tạm: ${ref}`);
  const png = pageImage(pdf, 200);
  expect(await decodeQr(png)).toContain(ref);
  return png;
}

/** The printed form of the declaration on screen (Ctrl+P), "signed" and scanned: its first page as PNG. */
export async function printAndSign(p: Page): Promise<Buffer> {
  return signedCopy(p, await printByKeys(p));
}

/** The signed page given as a file (Đính kèm); waits until the page's Mã tạm has been read. */
export async function attachSigned(p: Page, png: Buffer): Promise<void> {
  const chooser = p.waitForEvent('filechooser');
  await p.getByRole('button', { name: 'Đính kèm Trang tờ khai đã ký' }).click();
  await (await chooser).setFiles({ name: 'trang-da-ky.png', mimeType: 'image/png', buffer: png });
  await expect(p.locator('[data-role="formPage1"]').getByText(/Đã đọc mã trên trang: MT-/u)).toBeVisible({
    timeout: 90_000,
  });
}

/**
 * The signed page by the keyboard: `reach` moves the focus to Đính kèm (Tab by Tab), Enter opens the
 * file chooser, the file is chosen; resolves once the page is stored (its thumbnail shows).
 */
export async function attachSignedByKeys(
  p: Page,
  png: Buffer,
  reach: (button: Locator) => Promise<void>,
): Promise<void> {
  await reach(p.getByRole('button', { name: 'Đính kèm Trang tờ khai đã ký' }));
  const chooser = p.waitForEvent('filechooser');
  await p.keyboard.press('Enter');
  await (await chooser).setFiles({ name: 'trang-da-ky.png', mimeType: 'image/png', buffer: png });
  await expect(p.locator('[data-role="formPage1"] img')).toBeVisible({ timeout: 90_000 });
}

/**
 * Records every focus that lands outside a camera dialog while one is shown (the dialog's own focus
 * must stay in it while it is open): the element as `tag#id[aria-label]`.
 */
export const STRAY_FOCUS_SPY = `
  window.__strayFocus = [];
  window.addEventListener('focusin', (e) => {
    const open = [...document.querySelectorAll('[role="dialog"]')].filter(
      (d) => d.querySelector('[aria-label="Hình từ camera"]') && d.checkVisibility(),
    );
    const t = e.target;
    if (open.length === 0 || !(t instanceof Element) || open.some((d) => d.contains(t))) return;
    window.__strayFocus.push(t.tagName.toLowerCase() + (t.id ? '#' + t.id : '') +
      (t.getAttribute('aria-label') ? '[' + t.getAttribute('aria-label') + ']' : ''));
  }, true);`;

export const strayFocus = (p: Page): Promise<string[]> =>
  p.evaluate(() => (globalThis as unknown as { __strayFocus: string[] }).__strayFocus);
