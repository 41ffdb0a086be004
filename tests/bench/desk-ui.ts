// The mobile desk in Chromium, as the officer sees it. The dev host (scripts/dev-host.ts in test mode:
// its own in-process service on PGlite, the simulated HID-POS reader at the node-hid boundary) started
// as the e2e's second desk is (tests/e2e/support/hosts.ts), Debian's Chromium with the fake camera
// showing an ID card, signed in, Kê khai mới open.
//
// 1. Reader scan → filled form (target p95 ≤ 300 ms): n times, a simulated HID-POS scan of a CCCD QR
//    (two people in turn, so every scan changes the form: the card's values replace what is shown;
//    each once the previous card's notices have gone, as one person follows another at a desk) and
//    the time until the form shows the card's name, ID number and birth date. Measured from just
//    before the test control's request to the animation frame on which the page shows the values (both
//    on the machine's clock).
// 2. The officer's own time per person on the keyboard-only path (aim ≤ 90 s), the network cut as at a
//    mobile desk: reader scan, Tab/Enter to Mã thẻ BHYT and its 15 characters (the BHXH code follows),
//    Enter on to the mobile and its 10 digits, Alt+1/2/3 with Enter, Enter for each still, Ctrl+P, the
//    printed page attached as the signed page (the file chooser opened with Enter on Đính kèm), Space on
//    Xác nhận nhân thân, Ctrl+Enter → "Đã lưu, chờ gửi". Every key is pressed (Tab until a control has
//    the focus: each press counted) with KEY_DELAY_MS between keys; the person's own time (handing the
//    card, signing the page) and the officer's reading are not included. It also counts any focus that
//    lands outside an open camera dialog.
//
// Needs `npm run build:renderer` first. Run: npx tsx tests/bench/desk-ui.ts [scans] [people]
import { expect, type Locator, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { syntheticPeople, type SyntheticPerson } from '../../contract/synthetic.js';
import { CHROMIUM_ARGS } from '../../playwright.config.js';
import { SLOW } from '../e2e/support/desk.js';
import {
  attachSignedByKeys,
  captureByKeys,
  hid,
  PRINT_SPY,
  printByKeys,
  signedCopy,
  signInOn,
  STRAY_FOCUS_SPY,
  strayFocus,
} from '../e2e/support/deskFlow.js';
import { DESK_PERSON } from '../e2e/support/deskPeople.js';
import { writeCameraFile } from '../e2e/support/fakeCamera.js';
import { startHost } from '../e2e/support/hosts.js';
import { cccdQrText } from '../unit/scanner/support/images.js';

const SCANS = Number(process.argv[2] ?? 40);
const PEOPLE = Number(process.argv[3] ?? 3);
/** Between two keys: a practised officer on a numeric-heavy form (150 ms ≈ 80 words a minute). */
const KEY_DELAY_MS = 150;

const load = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const stats = (xs: number[]): string =>
  `p50 ${pct(xs, 50).toFixed(0)} ms, p95 ${pct(xs, 95).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (n=${xs.length})`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

type Doc = { querySelector(selector: string): { value: string } | null };
const isFocused = (el: { ownerDocument: { activeElement: unknown } }): boolean =>
  el.ownerDocument.activeElement === el;

const dmy = (iso: string): string => iso.split('-').reverse().join('/');

/** Waits, on the page's animation frames, until the form shows the person; returns that moment (ms). */
async function shownAt(page: Page, p: SyntheticPerson): Promise<number> {
  const handle = await page.waitForFunction(
    // no named functions inside: the page would need tsx's __name helper
    (want: string[][]) => {
      const doc = (globalThis as unknown as { document: Doc }).document;
      return want.every(
        ([label, value]) => doc.querySelector(`input[aria-label="${label}"]`)?.value === value,
      )
        ? Date.now()
        : false;
    },
    [
      ['Tên cơ quan/tổ chức/cá nhân', p.fullName],
      ['Số CMND/HC/CC', p.idNumber],
      ['Ngày sinh', dmy(p.dateOfBirth)],
    ],
    { polling: 'raf', timeout: 30_000 },
  );
  return (await handle.jsonValue()) as number;
}

/** Tab (each press counted, KEY_DELAY_MS apart) until `target` has the focus. */
async function tabTo(page: Page, target: Locator, keys: { n: number }, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate(isFocused)) return;
    await page.keyboard.press('Tab');
    keys.n += 1;
    await page.waitForTimeout(KEY_DELAY_MS);
  }
  throw new Error(`Tab did not reach ${String(target)}`);
}

async function press(page: Page, key: string, keys: { n: number }): Promise<void> {
  await page.keyboard.press(key);
  keys.n += 1;
  await page.waitForTimeout(KEY_DELAY_MS);
}

async function type(page: Page, text: string, keys: { n: number }): Promise<void> {
  await page.keyboard.type(text, { delay: KEY_DELAY_MS });
  keys.n += text.length;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-desk-ui-'));
const camera = await writeCameraFile(path.join(dir, 'camera.y4m'), { person: DESK_PERSON });
const host = await startHost({ port: await freePort(), dataDir: path.join(dir, 'host') });
const browser = await chromium.launch({
  executablePath: ['/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((p) => p),
  args: [
    ...CHROMIUM_ARGS,
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${camera}`,
  ],
});
try {
  const ctx = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
  const page = await ctx.newPage();
  await page.addInitScript({ content: PRINT_SPY + STRAY_FOCUS_SPY });
  // File choosers intercepted from the start: armed only when the wait begins, the interception can
  // reach the browser after the Enter that opens the chooser (a click's own checks leave it time).
  page.on('filechooser', () => undefined);
  await page.goto(host.home);
  await signInOn(page);
  await page.getByRole('menuitem', { name: 'Kê khai mới' }).click();
  await expect(page.getByText('Kê khai mới — Tờ khai Mẫu 01')).toBeVisible(SLOW);
  await page.getByRole('button', { name: 'Đặt tên bàn' }).click();
  await page.getByLabel('Tên bàn tiếp nhận lưu động').fill('KCN Quang Minh');
  await page.keyboard.press('Enter');
  const attached = page
    .getByText(/Đã kết nối máy đọc mã/u)
    .first()
    .waitFor({ state: 'visible', ...SLOW });
  await hid(page, host.url, { action: 'plug' });
  await attached;

  // 1. Reader scan → filled form.
  const people = syntheticPeople(2 + PEOPLE, 1612);
  const fills: number[] = [];
  const loadBefore = load();
  for (let i = 0; i < SCANS + 2; i++) {
    const p = people[i % 2]!;
    // one card at a time, as at a desk: the previous card's notices ("Đã điền từ mã QR…", 3 s) gone
    await expect(page.locator('.ant-message-notice')).toHaveCount(0, { timeout: 30_000 });
    const t0 = Date.now();
    const sent = await hid(page, host.url, { action: 'scan', text: cccdQrText(p) });
    if (!sent.delivered) throw new Error('the simulated reader did not take the scan');
    const ms = (await shownAt(page, p)) - t0;
    if (i >= 2) fills.push(ms); // the first two warm the page (code paths, fonts)
  }
  console.log(
    `Mobile desk in Chromium (${new Date().toISOString()}), load before ${loadBefore}, after ${load()}:`,
  );
  console.log(`  reader scan (HID-POS) → form shows the card's values: ${stats(fills)}; target p95 ≤ 300 ms`);

  // 2. The officer's own time per person, keyboard only, offline.
  await page.request.post(`${host.url}/api/test/network`, { data: { up: false } });
  await page.getByRole('button', { name: 'Huỷ tờ khai' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Huỷ tờ khai' }).click();
  const times: number[] = [];
  const keyCounts: number[] = [];
  const loadPeople = load();
  for (const p of people.slice(2)) {
    await expect(page.getByText('Kê khai mới — Tờ khai Mẫu 01')).toBeVisible(SLOW);
    await expect(page.getByLabel('Tên cơ quan/tổ chức/cá nhân')).toHaveValue('');
    const keys = { n: 0 };
    const t0 = Date.now();
    await hid(page, host.url, { action: 'scan', text: cccdQrText(p) });
    await shownAt(page, p);
    await tabTo(page, page.getByLabel('Mã thẻ BHYT'), keys);
    await type(page, `DN427${p.bhxhCode}`, keys);
    await press(page, 'Enter', keys);
    await expect(page.getByLabel('Mã số bảo hiểm xã hội')).toHaveValue(p.bhxhCode);
    const mobile = page.getByLabel('Điện thoại di động');
    for (let i = 0; i < 30 && !(await mobile.evaluate(isFocused)); i++) await press(page, 'Enter', keys);
    await type(page, p.mobile, keys);
    await press(page, 'Tab', keys);
    for (const [key, title] of [
      ['1', 'Chụp ảnh Ảnh cá nhân'],
      ['2', 'Chụp ảnh Mặt trước'],
      ['3', 'Chụp ảnh Mặt sau'],
    ] as const) {
      await captureByKeys(page, key, title);
      keys.n += 3;
    }
    const printed = await printByKeys(page);
    keys.n += 1;
    // the person signs the printed page and the officer has it as a file (the bench's own PDF → PNG
    // and its checks stand in for that; not timed)
    const signing = Date.now();
    const signed = await signedCopy(page, printed);
    const afterSigning = Date.now();
    await attachSignedByKeys(page, signed, (target) => tabTo(page, target, keys));
    keys.n += 1;
    await tabTo(page, page.getByRole('checkbox', { name: /Xác nhận nhân thân/u }), keys);
    await press(page, ' ', keys);
    await expect(page.getByRole('checkbox', { name: /Xác nhận nhân thân/u })).toBeChecked();
    const saved = page
      .getByText(/Đã lưu, chờ gửi — mã tạm/u)
      .first()
      .waitFor(SLOW);
    await press(page, 'Control+Enter', keys);
    await saved;
    times.push(Date.now() - t0 - (afterSigning - signing));
    keyCounts.push(keys.n);
    await page.keyboard.press('Control+n');
  }
  const stray = await strayFocus(page);
  console.log(
    `  officer's own time per person, keyboard only (${KEY_DELAY_MS} ms a key, offline), reader scan → ` +
      `"Đã lưu, chờ gửi": ${times.map((t) => `${(t / 1000).toFixed(1)} s`).join(', ')} ` +
      `(${keyCounts.join(', ')} keys); aim ≤ 90 s; load before ${loadPeople}, after ${load()}`,
  );
  console.log(
    `  focus outside an open camera dialog: ${stray.length} time(s)${stray.length ? `: ${stray.join(' | ')}` : ''}`,
  );
} finally {
  await browser.close();
  await host.kill();
  rmSync(dir, { recursive: true, force: true });
}
