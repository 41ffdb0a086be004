// The dev host's test control (scripts/dev-host.ts, test mode), shared by the specs.
import { expect, type Page } from '@playwright/test';
import { E2E_PORT } from '../../playwright.config.js';

/** Cuts (false) or restores (true) the workstation's loopback link to the central service. */
export async function setNetwork(page: Page, up: boolean): Promise<void> {
  const res = await page.request.post(`http://127.0.0.1:${E2E_PORT}/api/test/network`, { data: { up } });
  expect(res.ok()).toBe(true);
}
