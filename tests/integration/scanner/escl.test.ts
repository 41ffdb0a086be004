// eSCL: our client against the spec-following simulator (capabilities, flatbed and feeder jobs, a job
// that fails mid-way, busy device, empty feeder, cancel), and the simulator against a real client:
// Debian's sane-airscan, driven by scanimage through a SANE_CONFIG_DIR made from resources/sane/airscan.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir, copyFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { syntheticPeople } from '../../../contract/synthetic.js';
import { EsclDriver } from '../../../scanner/devices/escl.js';
import { defaultDrivers, ScannerHub } from '../../../scanner/devices/hub.js';
import { ScanError } from '../../../scanner/errors.js';
import { startEsclSimulator, type RunningSimulator } from '../../../scanner/escl/simulator.js';
import { recognizeDocument } from '../../../scanner/recognize.js';
import { binaryPresent, titleWithSkipReason } from '../../harness/skip.js';
import { cccdFront } from '../../unit/scanner/support/images.js';

let sim: RunningSimulator;
let out: string;
let cardPage: Buffer;
const person = syntheticPeople(1, 99)[0]!;

beforeAll(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'escl-test-'));
  // An ID card placed on an A4 platen: the card in the top-left corner of a white page.
  const card = await cccdFront(person);
  cardPage = await sharp({ create: { width: 2480, height: 3508, channels: 3, background: '#fff' } })
    .composite([{ input: card, left: 150, top: 150 }])
    .png()
    .toBuffer();
  sim = await startEsclSimulator({ pages: [cardPage, cardPage, cardPage] });
});
afterAll(async () => {
  await sim?.close();
  await rm(out, { recursive: true, force: true });
});
beforeEach(() => {
  sim.set({
    pages: [cardPage, cardPage, cardPage],
    busy: false,
    failAfterPages: undefined,
    fault: undefined,
    slowPages: false,
  });
});

describe('eSCL client against the simulator', () => {
  const driver = (): EsclDriver => new EsclDriver({ urls: [sim.url], retryDelayMs: 20 });

  it('lists the device and reads its capabilities', async () => {
    const devices = await driver().list();
    expect(devices).toEqual([
      expect.objectContaining({ id: `escl:${sim.url}`, backend: 'escl', name: 'BHXH eSCL Simulator' }),
    ]);
    const caps = await driver().capabilities(`escl:${sim.url}`);
    expect(caps).toMatchObject({ sources: ['flatbed', 'feeder'], colorModes: ['color', 'gray', 'bw'] });
    expect(caps.resolutions).toEqual([75, 100, 150, 200, 300, 600]);
    expect(caps.maxWidthMm).toBe(216);
    expect(caps.maxHeightMm).toBe(297);
  });

  it('lists the scanners that answer and logs the one that does not, by address', async () => {
    // A loopback port nothing listens on: the connection is refused at once.
    const closed = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as AddressInfo;
        srv.close(() => resolve(port));
      });
    });
    const gone = `http://127.0.0.1:${closed}/eSCL`;
    const warned: { obj: Record<string, unknown>; msg: string }[] = [];
    const hub = new ScannerHub(
      defaultDrivers({
        sane: false,
        wia: false,
        escl: { urls: [gone, sim.url], retryDelayMs: 20 },
        log: { warn: (obj, msg) => warned.push({ obj, msg }) },
      }),
    );
    expect((await hub.list()).map((d) => d.id)).toEqual([`escl:${sim.url}`]);
    expect(warned).toEqual([
      { obj: expect.objectContaining({ url: gone }) as unknown, msg: 'eSCL scanner did not answer' },
    ]);
  });

  it('scans the platen and the page is recognisable (the card QR decodes)', async () => {
    const progress: number[] = [];
    const pages = await driver().scan(
      `escl:${sim.url}`,
      { resolution: 300, colorMode: 'color', source: 'flatbed', pageSize: 'A4' },
      { outDir: out, onProgress: (p) => progress.push(p.percent) },
    );
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ mediaType: 'image/png', width: 2480, resolution: 300 });
    expect(progress.at(-1)).toBe(100);
    const { recognition } = await recognizeDocument(pages[0]!.path);
    expect(recognition.fields.idNumber).toBe(person.idNumber);
    // the protocol exchange a spec-following client makes
    expect(sim.requests).toEqual(
      expect.arrayContaining(['GET /eSCL/ScannerCapabilities', 'POST /eSCL/ScanJobs']),
    );
    expect(sim.requests.filter((r) => r.endsWith('/NextDocument')).length).toBe(2);
  });

  it('scans the feeder until it is empty, waiting through 503 "not ready" answers', async () => {
    sim.set({ slowPages: true });
    const delivered: number[] = [];
    const pages = await driver().scan(
      `escl:${sim.url}`,
      { resolution: 100, colorMode: 'gray', source: 'feeder', pageSize: 'A4' },
      { outDir: out, onPage: (p) => delivered.push(p.index) },
    );
    expect(pages).toHaveLength(3);
    expect(delivered).toEqual([0, 1, 2]);
    expect((await sharp(pages[0]!.path).metadata()).channels).toBe(1);
  });

  it('reports a job that fails mid-way (feeder jam after 2 pages) as jammed, keeping the 2 pages', async () => {
    sim.set({ failAfterPages: 2, fault: 'jam' });
    const error = (await driver()
      .scan(
        `escl:${sim.url}`,
        { resolution: 100, colorMode: 'gray', source: 'feeder', pageSize: 'A4' },
        { outDir: out },
      )
      .catch((e: unknown) => e)) as ScanError;
    expect(error).toBeInstanceOf(ScanError);
    expect(error.code).toBe('jammed');
    expect(error.message).toMatch(/kẹt/u);
    expect(error.partialPages).toHaveLength(2);
    expect(existsSync(error.partialPages[1]!.path)).toBe(true);
  });

  it('reports an open feeder door, an empty feeder and a busy device', async () => {
    sim.set({ failAfterPages: 0, fault: 'door_open' });
    const door = (await driver()
      .scan(
        `escl:${sim.url}`,
        { resolution: 100, colorMode: 'gray', source: 'feeder', pageSize: 'A4' },
        { outDir: out },
      )
      .catch((e: unknown) => e)) as ScanError;
    expect(door.code).toBe('cover_open');
    sim.set({ pages: [], failAfterPages: undefined });
    const empty = (await driver()
      .scan(
        `escl:${sim.url}`,
        { resolution: 100, colorMode: 'gray', source: 'feeder', pageSize: 'A4' },
        { outDir: out },
      )
      .catch((e: unknown) => e)) as ScanError;
    expect(empty.code).toBe('feeder_empty');
    sim.set({ busy: true });
    const busy = (await driver()
      .scan(
        `escl:${sim.url}`,
        { resolution: 100, colorMode: 'gray', source: 'flatbed', pageSize: 'A4' },
        { outDir: out },
      )
      .catch((e: unknown) => e)) as ScanError;
    expect(busy.code).toBe('busy');
  });

  it('cancels: the job is deleted on the device and the call rejects with cancelled', async () => {
    sim.set({ slowPages: true });
    const controller = new AbortController();
    const error = (await driver()
      .scan(
        `escl:${sim.url}`,
        { resolution: 100, colorMode: 'gray', source: 'feeder', pageSize: 'A4' },
        { outDir: out, signal: controller.signal, onPage: () => controller.abort() },
      )
      .catch((e: unknown) => e)) as ScanError;
    expect(error.code).toBe('cancelled');
    expect(sim.requests.some((r) => /^DELETE \/eSCL\/ScanJobs\//u.test(r))).toBe(true);
  });

  it('refuses a resolution the device does not offer, before starting a job', async () => {
    const before = sim.requests.filter((r) => r.startsWith('POST')).length;
    const error = (await driver()
      .scan(
        `escl:${sim.url}`,
        { resolution: 250, colorMode: 'gray', source: 'flatbed', pageSize: 'A4' },
        { outDir: out },
      )
      .catch((e: unknown) => e)) as ScanError;
    expect(error.code).toBe('unsupported');
    expect(sim.requests.filter((r) => r.startsWith('POST')).length).toBe(before);
  });
});

const HAVE_AIRSCAN = binaryPresent('/usr/bin/scanimage') && existsSync('/etc/sane.d/airscan.conf');
const ta = (title: string): string =>
  titleWithSkipReason(title, HAVE_AIRSCAN, 'sane-airscan / scanimage not installed');

function scanimage(
  configDir: string,
  args: string[],
): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('scanimage', args, { env: { ...process.env, SANE_CONFIG_DIR: configDir } });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(chunks), stderr });
    });
  });
}

describe.skipIf(!HAVE_AIRSCAN)('the simulator against a real eSCL client (sane-airscan)', () => {
  let configDir: string;
  beforeAll(async () => {
    configDir = path.join(out, 'sane-airscan');
    await mkdir(configDir, { recursive: true });
    await copyFile(path.resolve('resources/sane/airscan/dll.conf'), path.join(configDir, 'dll.conf'));
    const template = await readFile(path.resolve('resources/sane/airscan/airscan.conf.template'), 'utf8');
    await writeFile(
      path.join(configDir, 'airscan.conf'),
      template.replaceAll('{{URL}}', sim.url).replaceAll('{{NAME}}', 'BHXH Sim'),
    );
  });

  it(ta('scanimage lists the simulator and scans its platen (the card QR still decodes)'), async () => {
    const list = await scanimage(configDir, ['-f', '%d%n']);
    const device = list.stdout
      .toString()
      .split('\n')
      .find((l) => l.startsWith('airscan:'));
    expect(device, list.stderr).toBeTruthy();
    const r = await scanimage(configDir, [
      '-d',
      device!,
      '--format=png',
      '--resolution',
      '300',
      '--mode',
      'Color',
      '-x',
      '210',
      '-y',
      '297',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const meta = await sharp(r.stdout).metadata();
    expect(meta.width).toBeGreaterThan(2400);
    const { recognition } = await recognizeDocument(new Uint8Array(r.stdout));
    expect(recognition.fields.fullName).toBe(person.fullName);
  });

  it(ta('scanimage scans the feeder in a batch until the simulator reports it empty'), async () => {
    const list = await scanimage(configDir, ['-f', '%d%n']);
    const device = list.stdout
      .toString()
      .split('\n')
      .find((l) => l.startsWith('airscan:'))!;
    const dir = path.join(out, 'airscan-batch');
    await mkdir(dir);
    const r = await scanimage(configDir, [
      '-d',
      device,
      '--format=png',
      '--resolution',
      '75',
      '--mode',
      'Gray',
      '--source',
      'ADF',
      `--batch=${dir}/p%d.png`,
    ]);
    expect(r.stderr).toMatch(/3 pages|out of documents/u);
    for (const n of [1, 2, 3]) expect(existsSync(path.join(dir, `p${n}.png`))).toBe(true);
    expect(existsSync(path.join(dir, 'p4.png'))).toBe(false);
  });

  it(ta('scanimage reports the mid-job jam as "Document feeder jammed"'), async () => {
    sim.set({ failAfterPages: 1, fault: 'jam' });
    const list = await scanimage(configDir, ['-f', '%d%n']);
    const device = list.stdout
      .toString()
      .split('\n')
      .find((l) => l.startsWith('airscan:'))!;
    const dir = path.join(out, 'airscan-jam');
    await mkdir(dir);
    const r = await scanimage(configDir, [
      '-d',
      device,
      '--format=png',
      '--resolution',
      '75',
      '--mode',
      'Gray',
      '--source',
      'ADF',
      `--batch=${dir}/p%d.png`,
    ]);
    expect(r.stderr).toMatch(/jammed/iu);
    expect(r.code).not.toBe(0);
  });
});
