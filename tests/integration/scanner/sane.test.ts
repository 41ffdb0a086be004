// SANE through scanimage with Debian's `test` backend — a real SANE device with no hardware
// (resources/sane is its SANE_CONFIG_DIR): listing, capabilities, flatbed and multi-page feeder
// scans, progress, cancel, and each device fault as a typed error with its Vietnamese message.

import { mkdtemp, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCAN_ERROR_MESSAGE, type ScanProgress } from '../../../contract/scan.js';
import { SaneDriver } from '../../../scanner/devices/sane.js';
import { ScanError } from '../../../scanner/errors.js';
import { binaryPresent, titleWithSkipReason } from '../../harness/skip.js';

const HAVE_SANE = binaryPresent('/usr/bin/scanimage');
const CONFIG = path.resolve('resources/sane');
const t = (title: string): string =>
  titleWithSkipReason(title, HAVE_SANE, 'scanimage (sane-utils) is not installed');

let out: string;
beforeAll(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'sane-test-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe.skipIf(!HAVE_SANE)('SANE test device', () => {
  const sane = new SaneDriver({ configDir: CONFIG });

  it(t('lists the test device and reads its capabilities'), async () => {
    const devices = await sane.list();
    expect(devices.map((d) => d.id)).toContain('sane:test:0');
    const caps = await sane.capabilities('sane:test:0');
    expect(caps.resolutions).toEqual(expect.arrayContaining([150, 300, 600]));
    expect(caps.colorModes).toEqual(['color', 'gray']);
    expect(caps.sources).toEqual(['flatbed', 'feeder']);
    expect(caps.maxWidthMm).toBeGreaterThanOrEqual(210);
    expect(caps.maxHeightMm).toBeGreaterThanOrEqual(297);
  });

  it(t('scans one A4 page from the flatbed at the requested resolution, with progress'), async () => {
    const progress: ScanProgress[] = [];
    const pages = await sane.scan(
      'sane:test:0',
      { resolution: 100, colorMode: 'gray', source: 'flatbed', pageSize: 'A4' },
      { outDir: out, onProgress: (p) => progress.push(p) },
    );
    expect(pages).toHaveLength(1);
    const page = pages[0]!;
    // A4 at 100 dpi: 210 mm → 827 px, 297 mm → 1169 px (± rounding of the device's geometry)
    expect(Math.abs(page.width - 827)).toBeLessThanOrEqual(2);
    expect(Math.abs(page.height - 1169)).toBeLessThanOrEqual(2);
    const meta = await sharp(page.path).metadata();
    expect(meta.format).toBe('png');
    expect(meta.channels).toBe(1);
    // scanimage prints "Progress: n%" as the page comes in; how many lines arrive depends on pipe timing
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1)!.percent).toBe(100);
    const percents = progress.map((p) => p.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
  });

  it(
    t('scans every page of the feeder until it is empty (10 pages), each delivered as it completes'),
    async () => {
      const delivered: number[] = [];
      const pages = await sane.scan(
        'sane:test:0',
        { resolution: 50, colorMode: 'color', source: 'feeder', pageSize: 'A4' },
        { outDir: out, onPage: (p) => delivered.push(p.index) },
      );
      expect(pages).toHaveLength(10);
      expect(delivered).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      for (const p of pages) expect((await sharp(p.path).metadata()).channels).toBe(3);
    },
  );

  it(t('stops a feeder batch at maxPages'), async () => {
    const pages = await sane.scan(
      'sane:test:0',
      { resolution: 50, colorMode: 'gray', source: 'feeder', pageSize: 'A5', maxPages: 3 },
      { outDir: out },
    );
    expect(pages).toHaveLength(3);
  });

  it.each([
    ['SANE_STATUS_NO_DOCS', 'feeder_empty'],
    ['SANE_STATUS_COVER_OPEN', 'cover_open'],
    ['SANE_STATUS_JAMMED', 'jammed'],
    ['SANE_STATUS_DEVICE_BUSY', 'busy'],
    ['SANE_STATUS_IO_ERROR', 'io'],
  ] as const)(t('turns the device fault %s into the typed error %s'), async (status, code) => {
    const faulty = new SaneDriver({ configDir: CONFIG, extraArgs: ['--read-return-value', status] });
    for (const source of ['flatbed', 'feeder'] as const) {
      const dir = path.join(out, `fault-${status}-${source}`);
      const error = await faulty
        .scan('sane:test:0', { resolution: 50, colorMode: 'gray', source, pageSize: 'A4' }, { outDir: dir })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ScanError);
      expect((error as ScanError).code).toBe(code);
      expect((error as ScanError).message).toBe(SCAN_ERROR_MESSAGE[code]);
      // nothing half-scanned is left behind
      const left = await readdir(dir);
      for (const sub of left) expect(await readdir(path.join(dir, sub))).toEqual([]);
    }
  });

  it(t('reports a device that does not exist as no_device'), async () => {
    const error = await sane
      .scan(
        'sane:nosuch:0',
        { resolution: 50, colorMode: 'gray', source: 'flatbed', pageSize: 'A4' },
        { outDir: out },
      )
      .catch((e: unknown) => e);
    expect((error as ScanError).code).toBe('no_device');
  });

  it(t('cancels a running scan: the device stops and the call rejects with cancelled'), async () => {
    // read-delay slows the test device to ~a few seconds per page, so the abort lands mid-page.
    const slow = new SaneDriver({
      configDir: CONFIG,
      extraArgs: ['--read-delay=yes', '--read-delay-duration=20000'],
    });
    const controller = new AbortController();
    const started = Date.now();
    const progress: number[] = [];
    const scan = slow.scan(
      'sane:test:0',
      { resolution: 150, colorMode: 'gray', source: 'feeder', pageSize: 'A4' },
      {
        outDir: path.join(out, 'cancel'),
        signal: controller.signal,
        onProgress: (p) => {
          progress.push(p.percent);
          if (p.percent > 5) controller.abort();
        },
      },
    );
    const error = await scan.catch((e: unknown) => e);
    expect((error as ScanError).code).toBe('cancelled');
    expect((error as ScanError).message).toBe('Đã huỷ lượt quét.');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(Math.max(...progress)).toBeLessThan(100);
  });
});
