// `npm run scan -- …` as operators use it: recognize prints {kind, fields, confidence}; a bad file is a
// JSON error with exit code 2; devices lists the SANE test device; scan writes feeder pages.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticPeople } from '../../../contract/synthetic.js';
import { binaryPresent, titleWithSkipReason } from '../../harness/skip.js';
import { cccdFront } from '../../unit/scanner/support/images.js';

const exec = promisify(execFile);
// What `npm run scan` runs: the launcher, which (re)builds the command's bundle when it is stale.
const SCRIPT = path.resolve('scripts/scan.mjs');
const HAVE_SANE = binaryPresent('/usr/bin/scanimage');

async function cli(...args: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  try {
    const { stdout } = await exec(process.execPath, [SCRIPT, ...args], { timeout: 60_000 });
    return { code: 0, json: JSON.parse(stdout) as Record<string, unknown> };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, json: JSON.parse(e.stdout || '{}') as Record<string, unknown> };
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'scan-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run scan', () => {
  it('recognize <image> prints the card QR as {kind, fields, confidence}', async () => {
    const p = syntheticPeople(1, 5)[0]!;
    const file = path.join(dir, 'card.png');
    await writeFile(file, await cccdFront(p));
    const { code, json } = await cli('recognize', file, '--no-ocr');
    expect(code).toBe(0);
    expect(json).toMatchObject({
      kind: 'cccd_qr',
      fields: { idNumber: p.idNumber, fullName: p.fullName, dateOfBirth: p.dateOfBirth, gender: p.gender },
      confidence: { idNumber: 1 },
    });
  });

  it('recognize <zero-byte file> exits 2 with a Vietnamese JSON error', async () => {
    const file = path.join(dir, 'empty.jpg');
    await writeFile(file, Buffer.alloc(0));
    const { code, json } = await cli('recognize', file);
    expect(code).toBe(2);
    expect(json).toMatchObject({ error: { code: 'bad_input', detail: 'Tệp rỗng (0 byte).' } });
  });

  it('recognize FILE… --json-lines: one line per file in order, a bad file as its error, exit 2', async () => {
    const p = syntheticPeople(1, 6)[0]!;
    const card = path.join(dir, 'card2.png');
    const empty = path.join(dir, 'empty2.png');
    await writeFile(card, await cccdFront(p));
    await writeFile(empty, Buffer.alloc(0));
    const out = await exec(process.execPath, [SCRIPT, 'recognize', card, empty, '--no-ocr', '--json-lines'], {
      timeout: 60_000,
    }).catch((e: { code: number; stdout: string }) => e);
    expect((out as { code?: number }).code).toBe(2);
    const lines = (out as { stdout: string }).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ file: card, kind: 'cccd_qr', fields: { idNumber: p.idNumber } });
    expect(lines[1]).toMatchObject({ file: empty, error: { code: 'bad_input' } });
  });

  it('devices --escl lists a network scanner; scan --device escl:… writes its page', async () => {
    const { startEsclSimulator } = await import('../../../scanner/escl/simulator.js');
    const sim = await startEsclSimulator({ feederSheets: 2 });
    try {
      const devices = await cli('devices', '--escl', sim.url);
      expect((devices.json.scanners as Array<{ id: string }>).map((d) => d.id)).toContain(`escl:${sim.url}`);
      const scan = await cli(
        'scan',
        '--escl',
        sim.url,
        '--device',
        `escl:${sim.url}`,
        '--out',
        dir,
        '--resolution',
        '75',
        '--source',
        'feeder',
      );
      expect(scan.code).toBe(0);
      expect((scan.json.pages as unknown[]).length).toBe(2);
    } finally {
      await sim.close();
    }
  });

  it.skipIf(!HAVE_SANE)(
    titleWithSkipReason(
      'devices lists the SANE test device; scan writes feeder pages',
      HAVE_SANE,
      'scanimage (sane-utils) is not installed',
    ),
    async () => {
      const devices = await cli('devices', '--sane-config', 'resources/sane');
      expect((devices.json.scanners as Array<{ id: string }>).map((d) => d.id)).toContain('sane:test:0');
      expect(Array.isArray(devices.json.readers)).toBe(true);
      const scan = await cli(
        'scan',
        '--sane-config',
        'resources/sane',
        '--device',
        'sane:test:0',
        '--out',
        dir,
        '--resolution',
        '50',
        '--source',
        'feeder',
        '--pages',
        '2',
        '--mode',
        'gray',
      );
      expect(scan.code).toBe(0);
      expect((scan.json.pages as unknown[]).length).toBe(2);
    },
  );
});
