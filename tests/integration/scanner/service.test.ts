// ScannerService, the workstation's entry: a scan from the SANE test device with progress events and
// cancel, an eSCL scan of an ID card recognised and compared with a dossier, a HID-POS reader plugged
// in (constructed reports at the node-hid boundary) whose scan arrives as a recognition, and errors as values.

import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticPeople } from '../../../contract/synthetic.js';
import { startEsclSimulator, type RunningSimulator } from '../../../scanner/escl/simulator.js';
import {
  buildHidPosReports,
  type HidBackend,
  type HidDeviceInfo,
  type HidHandle,
} from '../../../scanner/hid/hidPos.js';
import { ScannerService } from '../../../scanner/service.js';
import { binaryPresent, titleWithSkipReason } from '../../harness/skip.js';
import { cccdFront, cccdQrText } from '../../unit/scanner/support/images.js';

class Device extends EventEmitter implements HidHandle {
  close(): void {}
}
const bus = { list: [] as HidDeviceInfo[], handles: new Map<string, Device>() };
const backend: HidBackend = {
  devices: async () => bus.list,
  open: async (p) => {
    const d = new Device();
    bus.handles.set(p, d);
    return d;
  },
};

const person = syntheticPeople(1, 321)[0]!;
let dir: string;
let sim: RunningSimulator;
let service: ScannerService;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'scan-service-'));
  const card = await cccdFront(person);
  const page = await sharp({ create: { width: 2480, height: 3508, channels: 3, background: '#fff' } })
    .composite([{ input: card, left: 200, top: 200 }])
    .png()
    .toBuffer();
  sim = await startEsclSimulator({ pages: [page] });
  service = await ScannerService.start({
    workDir: dir,
    hub: { sane: { configDir: path.resolve('resources/sane') }, escl: { urls: [sim.url] } },
    hid: backend,
    hidPollMs: 60_000,
    ocr: { size: 1 },
  });
});
afterAll(async () => {
  await service?.close();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('ScannerService', () => {
  it('lists scanners from every backend', async () => {
    const r = await service.devices();
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const ids = r.value.scanners.map((s) => s.id);
    expect(ids).toContain(`escl:${sim.url}`);
    if (binaryPresent('/usr/bin/scanimage')) expect(ids).toContain('sane:test:0');
  });

  it('scans from eSCL, recognises the card and compares it with the dossier', async () => {
    const pages: number[] = [];
    service.on('page', (e) => pages.push(e.page.index));
    const scan = await service.scan({
      deviceId: `escl:${sim.url}`,
      request: { resolution: 300, colorMode: 'color', source: 'flatbed', pageSize: 'A4' },
    });
    expect(scan.ok).toBe(true);
    if (!scan.ok) return;
    expect(pages).toEqual([0]);
    const rec = await service.recognize({ path: scan.value.pages[0]!.path });
    expect(rec.ok).toBe(true);
    if (!rec.ok) return;
    const report = service.compare({
      dossier: {
        fullName: person.fullName.toUpperCase(),
        idNumber: person.idNumber,
        dateOfBirth: '1990-01-01',
        gender: person.gender,
      },
      recognitions: [rec.value.recognition],
    });
    expect(report.mismatches).toEqual(['dateOfBirth']);
    expect(report.fields.find((f) => f.field === 'fullName')?.verdict).toBe('match');
  });

  it.skipIf(!binaryPresent('/usr/bin/scanimage'))(
    titleWithSkipReason(
      'cancels a SANE scan by job id; the error comes back as a value',
      binaryPresent('/usr/bin/scanimage'),
      'scanimage (sane-utils) is not installed',
    ),
    async () => {
      const jobId = 'job-1';
      const slow = await ScannerService.start({
        workDir: dir,
        hub: {
          sane: {
            configDir: path.resolve('resources/sane'),
            extraArgs: ['--read-delay=yes', '--read-delay-duration=20000'],
          },
        },
        hid: false,
      });
      slow.on('progress', (e) => {
        if (e.progress.percent > 2) slow.cancel({ jobId: e.jobId });
      });
      const r = await slow.scan({
        deviceId: 'sane:test:0',
        request: { resolution: 150, colorMode: 'gray', source: 'flatbed', pageSize: 'A4' },
        jobId,
      });
      expect(r).toMatchObject({ ok: false, error: { code: 'cancelled', message: 'Đã huỷ lượt quét.' } });
      await slow.close();
    },
  );

  it('picks up a HID-POS reader plugged in later and turns its scan into a recognition', async () => {
    const attached: string[] = [];
    const scans: unknown[] = [];
    service.on('readerAttached', (r) => attached.push(r.id));
    service.on('readerScan', (s) => scans.push(s));
    bus.list = [
      {
        path: '/dev/hidraw5',
        vendorId: 0x05e0,
        productId: 0x1200,
        product: 'DS4308',
        usagePage: 0x8c,
        usage: 0x02,
      },
    ];
    await service.pollReaders(); // what the 1-second timer does
    expect(attached).toEqual(['hid:/dev/hidraw5']);
    for (const r of buildHidPosReports(cccdQrText(person))) bus.handles.get('/dev/hidraw5')!.emit('data', r);
    expect(scans).toEqual([
      expect.objectContaining({
        readerId: 'hid:/dev/hidraw5',
        result: expect.objectContaining({
          ok: true,
          value: expect.objectContaining({ kind: 'cccd_qr', source: 'qr_reader' }),
        }),
      }),
    ]);
    const devices = await service.devices();
    expect(devices.ok && devices.value.readers.map((r) => r.id)).toEqual(['hid:/dev/hidraw5']);
  });

  it('returns bad input as a value, never throws', async () => {
    const r = await service.recognize({ bytes: new Uint8Array(0) });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });
});
