// THIRD-PARTY.md is what scripts/third-party.ts finds the app carries (regenerated here and compared),
// and nothing shipped is under a licence an agency's distribution cannot take (GPL, AGPL; the LGPL only
// for libvips, a separately replaceable shared library) or under no known licence.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { forbiddenLicense, shippedPackages, thirdPartyMarkdown } from '../../scripts/third-party.js';
import { REPO_ROOT } from '../fixtures/demo.js';

// Reading every installed package's metadata: 15 s on a busy machine, so more than the unit
// project's 30 s hang watchdog allows for under heavier load.
vi.setConfig({ testTimeout: 300_000 });

describe('third-party licences', () => {
  it('THIRD-PARTY.md is current (npm run third-party)', async () => {
    const committed = readFileSync(path.join(REPO_ROOT, 'THIRD-PARTY.md'), 'utf8');
    expect(committed).toBe(await thirdPartyMarkdown());
  }, 60_000);

  it('ships no GPL or AGPL package, nothing unlicensed, and the LGPL only for libvips', async () => {
    const shipped = [...(await shippedPackages()).values()];
    expect(shipped.length).toBeGreaterThan(50);
    expect(shipped.filter((p) => forbiddenLicense(p.license)).map((p) => `${p.name} ${p.license}`)).toEqual(
      [],
    );
    expect(shipped.filter((p) => p.license === 'UNKNOWN').map((p) => p.name)).toEqual([]);
    expect(shipped.filter((p) => /LGPL/u.test(p.license)).map((p) => p.name)).toEqual(
      shipped.filter((p) => p.name.startsWith('@img/sharp-libvips-')).map((p) => p.name),
    );
    // what the check refuses
    expect(forbiddenLicense('AGPL-3.0')).toBe(true);
    expect(forbiddenLicense('GPL-2.0-or-later')).toBe(true);
    expect(forbiddenLicense('LGPL-3.0-or-later')).toBe(false);
    expect(forbiddenLicense('MIT')).toBe(false);
    const names = shipped.map((p) => p.name);
    for (const n of ['pdfjs-dist', '@napi-rs/canvas', 'sharp', 'react', 'antd', 'pino', 'electron-updater'])
      expect(names).toContain(n);
    for (const n of ['mupdf', 'fastify', 'pg', 'vitest']) expect(names).not.toContain(n);
  }, 60_000);
});
