// HID-POS readers at the node-hid boundary: constructed Scanned Data Reports (64 bytes, report id 2,
// length, AIM symbology id, data, continuation flag) reassembled into UTF-8 Vietnamese text, bad
// bytes refused, and hot-plug (a reader plugged in later is opened; one unplugged is forgotten).

import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ReaderDevice, ReaderScan } from '../../../contract/scan.js';
import {
  buildHidPosReports,
  DEFAULT_LAYOUT,
  HidPosAssembler,
  HidReaderWatcher,
  listReaders,
  nodeHidBackend,
  parseHidPosReport,
  type HidBackend,
  type HidDeviceInfo,
  type HidHandle,
} from '../../../scanner/hid/hidPos.js';
import { parseCccdQr } from '../../../scanner/qr/cccdQr.js';
import { titleWithSkipReason } from '../../harness/skip.js';

// node-hid needs libusb-1.0 at run time; without it the binding cannot load (the watcher then runs without readers).
const NODE_HID_LOADS = await import('node-hid').then(
  () => true,
  () => false,
);

const QR =
  '001199012345|123456789|Nguyễn Thị Hồng Nhung|15031999|Nữ|Số 5, ngõ 12, phường Láng Hạ, quận Đống Đa, Hà Nội|01072021';

describe('HID-POS reports', () => {
  it('parses one Scanned Data Report: data, AIM symbology, continuation flag', () => {
    const report = Buffer.alloc(64);
    report[0] = 0x02;
    report[1] = 5;
    report.write(']Q1', 2, 'latin1');
    report.write('hello', 5, 'latin1');
    const parsed = parseHidPosReport(report);
    expect(parsed && Buffer.from(parsed.data).toString()).toBe('hello');
    expect(parsed).toMatchObject({ symbology: ']Q1', more: false });
    report[63] = 1;
    expect(parseHidPosReport(report)?.more).toBe(true);
    // another report id (a status or feature report) is not scan data
    report[0] = 0x04;
    expect(parseHidPosReport(report)).toBeNull();
  });

  it('reassembles an ID card QR split over several reports, diacritics intact (even split inside a character)', () => {
    // Choose a report size whose cuts fall inside a multi-byte UTF-8 character, as real readers do.
    const bytes = Buffer.from(QR, 'utf8');
    const size = [...Array(40).keys()].map((i) => i + 20).find((c) => (bytes[c - 5]! & 0xc0) === 0x80)!;
    const layout = { ...DEFAULT_LAYOUT, continuationOffset: size, reportSize: size + 1 };
    const reports = buildHidPosReports(QR, layout);
    expect(reports.length).toBeGreaterThan(2);
    const a = new HidPosAssembler(layout);
    const results = reports.map((r) => a.push(r));
    expect(results.slice(0, -1)).toEqual(reports.slice(0, -1).map(() => null));
    expect(results.at(-1)).toEqual({ ok: true, text: QR, symbology: ']Q1' });
    const parsed = parseCccdQr((results.at(-1) as { text: string }).text);
    expect(parsed.ok && parsed.recognition.fields.fullName).toBe('Nguyễn Thị Hồng Nhung');
  });

  it('refuses bytes that are not UTF-8 (a legacy-encoded code) and a stuck continuation flag', () => {
    const a = new HidPosAssembler();
    const report = Buffer.alloc(64);
    report[0] = 2;
    report[1] = 6;
    Buffer.from([0x48, 0xb5, 0x20, 0x4e, 0xe9, 0x69]).copy(report, 5); // "Hà Nội" in TCVN3 bytes
    expect(a.push(report)).toMatchObject({ ok: false, error: { code: 'legacy_encoding' } });
    const small = new HidPosAssembler(undefined, 200);
    const stuck = buildHidPosReports('x'.repeat(58))[0]!;
    stuck[63] = 1;
    const outcomes = Array.from({ length: 5 }, () => small.push(stuck));
    expect(outcomes.find((o) => o !== null)).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });
});

/** A HID device as node-hid presents it: an EventEmitter of input reports. */
class ConstructedDevice extends EventEmitter implements HidHandle {
  closed = false;
  close(): void {
    this.closed = true;
  }
}

class ConstructedBus implements HidBackend {
  list: HidDeviceInfo[] = [];
  handles = new Map<string, ConstructedDevice>();
  async devices(): Promise<HidDeviceInfo[]> {
    return this.list;
  }
  async open(path: string): Promise<HidHandle> {
    const d = new ConstructedDevice();
    this.handles.set(path, d);
    return d;
  }
}

const reader = (path: string): HidDeviceInfo => ({
  path,
  vendorId: 0x0c2e,
  productId: 0x0b61,
  manufacturer: 'Honeywell',
  product: 'Xenon 1950g',
  usagePage: 0x8c,
  usage: 0x02,
});
const keyboard: HidDeviceInfo = {
  path: '/dev/hidraw9',
  vendorId: 1,
  productId: 2,
  usagePage: 0x01,
  usage: 0x06,
};

describe('HidReaderWatcher (hot-plug)', () => {
  it('opens readers present at start, ignores keyboards, picks up a reader plugged in later, forgets one unplugged', async () => {
    const bus = new ConstructedBus();
    bus.list = [reader('/dev/hidraw1'), keyboard];
    const watcher = new HidReaderWatcher(bus, {
      pollMs: 60_000,
      now: () => new Date('2026-01-02T03:04:05Z'),
    });
    const attached: ReaderDevice[] = [];
    const detached: ReaderDevice[] = [];
    const scans: ReaderScan[] = [];
    watcher.on('attached', (r) => attached.push(r));
    watcher.on('detached', (r) => detached.push(r));
    watcher.on('scan', (s) => scans.push(s));
    await watcher.start();
    expect(attached.map((r) => r.id)).toEqual(['hid:/dev/hidraw1']);
    expect(attached[0]).toMatchObject({ kind: 'hid_pos', name: 'Honeywell Xenon 1950g' });

    for (const r of buildHidPosReports(QR)) bus.handles.get('/dev/hidraw1')!.emit('data', r);
    expect(scans).toEqual([
      { readerId: 'hid:/dev/hidraw1', text: QR, at: '2026-01-02T03:04:05.000Z', symbology: ']Q1' },
    ]);

    // plugged in later
    bus.list = [reader('/dev/hidraw1'), keyboard, reader('/dev/hidraw2')];
    await watcher.poll();
    expect(attached.map((r) => r.id)).toEqual(['hid:/dev/hidraw1', 'hid:/dev/hidraw2']);
    for (const r of buildHidPosReports('00006.GD/2020/903')) bus.handles.get('/dev/hidraw2')!.emit('data', r);
    expect(scans.at(-1)).toMatchObject({ readerId: 'hid:/dev/hidraw2', text: '00006.GD/2020/903' });

    // unplugged: the open handle errors (node-hid's behaviour) …
    bus.handles.get('/dev/hidraw2')!.emit('error', new Error('could not read from HID device'));
    expect(detached.map((r) => r.id)).toEqual(['hid:/dev/hidraw2']);
    // … or the device just vanishes from the list
    bus.list = [keyboard];
    await watcher.poll();
    expect(detached.map((r) => r.id)).toEqual(['hid:/dev/hidraw2', 'hid:/dev/hidraw1']);
    expect(bus.handles.get('/dev/hidraw1')!.closed).toBe(true);
    expect(watcher.readers).toEqual([]);
    await watcher.stop();
  });

  it('a half-received scan from an unplugged reader is dropped, not glued to the next scan', async () => {
    const bus = new ConstructedBus();
    bus.list = [reader('/dev/hidraw1')];
    const watcher = new HidReaderWatcher(bus, { pollMs: 60_000 });
    const scans: string[] = [];
    watcher.on('scan', (s) => scans.push(s.text));
    await watcher.start();
    const first = buildHidPosReports(QR);
    bus.handles.get('/dev/hidraw1')!.emit('data', first[0]!);
    bus.handles.get('/dev/hidraw1')!.emit('error', new Error('unplugged'));
    await watcher.poll(); // same path comes back: a new handle, a new assembler
    for (const r of buildHidPosReports('00006.GD/2020/903')) bus.handles.get('/dev/hidraw1')!.emit('data', r);
    expect(scans).toEqual(['00006.GD/2020/903']);
    await watcher.stop();
  });

  it.skipIf(!NODE_HID_LOADS)(
    titleWithSkipReason(
      'the real node-hid binding loads and enumerates (no readers on this machine is fine)',
      NODE_HID_LOADS,
      'node-hid cannot load (libusb-1.0 missing)',
    ),
    async () => {
      const backend = await nodeHidBackend();
      const readers = await listReaders(backend);
      expect(Array.isArray(readers)).toBe(true);
      for (const r of readers) expect(r.kind).toBe('hid_pos');
    },
  );
});
