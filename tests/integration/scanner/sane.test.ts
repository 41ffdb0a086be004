// SANE through scanimage with Debian's `test` backend — a real SANE device with no hardware
// (resources/sane is its SANE_CONFIG_DIR): listing, capabilities, flatbed and multi-page feeder
// scans, progress, cancel, and each device fault as a typed error with its Vietnamese message.

import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCAN_ERROR_MESSAGE, type ScanProgress } from '../../../contract/scan.js';
import { defaultStallMs, SaneDriver } from '../../../scanner/devices/sane.js';
import { ScanError } from '../../../scanner/errors.js';
import { binaryPresent, titleWithSkipReason } from '../../harness/skip.js';

const HAVE_SANE = binaryPresent('/usr/bin/scanimage');
const CONFIG = path.resolve('resources/sane');
const t = (title: string): string =>
  titleWithSkipReason(title, HAVE_SANE, 'scanimage (sane-utils) is not installed');

/** A process that exists and is not a zombie. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/u.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

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
    // A short stall: scanimage has been seen to hang after reporting a fault on a loaded machine; the
    // watchdog then cuts it within seconds and the reported fault is still the error.
    const faulty = new SaneDriver({
      configDir: CONFIG,
      extraArgs: ['--read-return-value', status],
      stallTimeoutMs: 3000,
    });
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

  it(
    t('cuts a silent scan with the stall watchdog: máy quét không phản hồi, nothing left behind'),
    async () => {
      // The test device sleeps 0.2 s before each read, so scanimage is silent at least that long
      // between two progress lines; a 50 ms stall always finds that silence.
      const silent = new SaneDriver({
        configDir: CONFIG,
        extraArgs: ['--read-delay=yes', '--read-delay-duration=200000'],
        stallTimeoutMs: 50,
      });
      const dir = path.join(out, 'stall');
      const error = await silent
        .scan(
          'sane:test:0',
          { resolution: 150, colorMode: 'gray', source: 'flatbed', pageSize: 'A4' },
          { outDir: dir },
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ScanError);
      expect((error as ScanError).code).toBe('timeout');
      expect((error as ScanError).message).toContain('Máy quét không phản hồi');
      for (const sub of await readdir(dir)) expect(await readdir(path.join(dir, sub))).toEqual([]);
    },
  );

  it(
    t(
      'a scanimage that hangs after a fault, or exits leaving a reader holding its pipes, ends at once with the fault',
    ),
    async () => {
      // Stand-ins for the two ways scanimage was seen to hang, around the real scanimage (which still
      // answers the capability query): one reports the open cover and then never returns; the other
      // reports it and exits, leaving a forked reader process that keeps stdout and stderr open.
      const dir = path.join(out, 'hang');
      const scripts = await mkdtemp(path.join(tmpdir(), 'sane-hang-'));
      const pids = path.join(scripts, 'pids');
      const script = async (name: string, body: string): Promise<string> => {
        const file = path.join(scripts, name);
        await writeFile(
          file,
          `#!/bin/sh\ncase "$*" in *" -A"*) exec scanimage "$@";; esac\necho "scanimage: sane_read: Scanner cover is open" >&2\n${body}\n`,
        );
        await chmod(file, 0o755);
        return file;
      };
      const hangs = await script('hangs', `sleep 1000 & echo $! >> ${pids}; wait`);
      const leaves = await script('leaves', `sleep 1000 & echo $! >> ${pids}; exit 8`);
      try {
        for (const command of [hangs, leaves]) {
          const driver = new SaneDriver({ configDir: CONFIG, command, stallTimeoutMs: 2000 });
          const error = await driver
            .scan(
              'sane:test:0',
              { resolution: 100, colorMode: 'gray', source: 'flatbed', pageSize: 'A4' },
              { outDir: dir },
            )
            .catch((e: unknown) => e);
          expect((error as ScanError).code, path.basename(command)).toBe('cover_open');
        }
        // Every process the stand-ins started is gone: their process groups were killed (a signal
        // takes effect asynchronously: waited for, up to 10 s).
        for (const pid of (await readFile(pids, 'utf8')).trim().split('\n').map(Number)) {
          const until = Date.now() + 10_000;
          while (running(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
          expect(running(pid), `process ${pid}`).toBe(false);
        }
      } finally {
        await rm(scripts, { recursive: true, force: true });
      }
    },
  );

  it('scales the default stall with resolution and feeder pages, in seconds', () => {
    expect(defaultStallMs(300)).toBe(10_000);
    expect(defaultStallMs(150)).toBe(10_000);
    expect(defaultStallMs(600)).toBe(20_000);
    expect(defaultStallMs(1200)).toBe(40_000);
    expect(defaultStallMs(300, 11)).toBe(15_000);
    expect(defaultStallMs(1200, 50)).toBe(60_000);
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
