// The workstation's log keeps people out: personal fields of logged objects are replaced, and ID numbers,
// BHXH codes, phones, e-mails and names in any text (messages, errors, stacks) are masked; technical
// text stays readable. The file log rotates and the support zip carries the logs and thong-tin.json.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileLog, createStreamLog, maskPersonal } from '../../../electron/workstation/log.js';
import { SettingsStore } from '../../../electron/workstation/settings.js';
import { supportZip } from '../../../electron/workstation/support.js';
import { loadDemo } from '../../fixtures/demo.js';

const demo = loadDemo();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ws-log-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What must never appear in a log: the demo people's names, ID numbers, codes, phones and e-mails. */
function personalValues(): string[] {
  const out = new Set<string>();
  for (const d of demo.dossiers) {
    for (const v of [d.fullName, d.idNumber, d.bhxhCode, d.mobile, d.email])
      if (v && v.length >= 8) out.add(v);
  }
  return [...out];
}

function captured(): { log: ReturnType<typeof createStreamLog>; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { log: createStreamLog(stream, 'debug'), text: () => chunks.join('') };
}

describe('the log masks personal data', () => {
  it('masks names, ID numbers, BHXH codes, phones and e-mails in free text', () => {
    for (const d of demo.dossiers) {
      const sentence = `Không có hồ sơ của ${d.fullName}, CCCD ${d.idNumber ?? ''}, mã ${d.bhxhCode}, ĐT ${d.mobile}, ${d.email ?? ''}.`;
      const masked = maskPersonal(sentence);
      for (const v of [d.idNumber, d.bhxhCode, d.email])
        if (v && v.length >= 8) expect(masked).not.toContain(v);
      // A name is recognised in free text by its capitalised words (the seed's "Cao dồng 3" is not).
      if (d.fullName.split(' ').every((w) => /^\p{Lu}/u.test(w))) expect(masked).not.toContain(d.fullName);
      if (d.mobile.length >= 9) expect(masked).not.toContain(d.mobile);
    }
    expect(maskPersonal('NGUYỄN VĂN AN gọi +84 983 847 986')).toBe('[tên] gọi [số]');
  });

  it('keeps technical text readable', () => {
    const text =
      'call dossiers.get ms=12 outcome=ok; ECONNREFUSED 127.0.0.1:8480; SQLITE_BUSY; 2026-12-03T10:15:00Z';
    expect(maskPersonal(text)).toBe(text);
    expect(maskPersonal('Không kết nối được máy chủ (ECONNRESET).')).toBe(
      'Không kết nối được máy chủ (ECONNRESET).',
    );
  });

  it('replaces personal fields of logged objects and masks error messages and stacks', () => {
    const { log, text } = captured();
    const d = demo.dossiers[0]!;
    log.info({ dossier: { id: 'a1', ...d }, method: 'dossiers.open' }, 'opened');
    const err = new Error(`registry: ${d.fullName} (${d.idNumber}) not found`);
    log.error({ err }, `failed for ${d.fullName}`);
    log.warn({ input: { fullName: d.fullName, nested: [{ mobile: d.mobile }] } }, 'odd');
    const out = text();
    for (const v of personalValues()) expect(out).not.toContain(v);
    expect(out).toContain('"method":"dossiers.open"');
    expect(out).toContain('"fullName":"[ẩn]"');
    expect(out).toContain('registry: [tên] ([số]) not found');
    expect(out.split('\n').filter(Boolean)).toHaveLength(3);
  });
});

describe('the file log and the support zip', () => {
  it('writes JSON lines to a rotating file and zips them with thong-tin.json', async () => {
    const dir = path.join(tmp, 'logs');
    const fileLog = await createFileLog(dir, 'info');
    for (let i = 0; i < 5; i++) fileLog.log.info({ i }, 'line');
    await fileLog.close();
    const files = fileLog.files();
    expect(files.length).toBeGreaterThanOrEqual(1);
    const lines = readFileSync(files.at(-1)!, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);

    const settings = new SettingsStore({ userFile: path.join(tmp, 'settings.json'), systemFile: null });
    const { bytes, entries } = supportZip({
      app: { version: '1.2.3', deviceId: 'dev-1', serviceUrl: 'http://127.0.0.1:9', transport: 'http' },
      settings: settings.view(false),
      sync: null,
      logFiles: files,
      now: new Date('2026-12-03T03:00:00Z'),
    });
    const unzipped = unzipSync(bytes);
    expect(Object.keys(unzipped).sort()).toEqual([...entries].sort());
    expect(entries).toContain('thong-tin.json');
    expect(entries.filter((e) => e.startsWith('nhat-ky/'))).toHaveLength(files.length);
    const about = JSON.parse(new TextDecoder().decode(unzipped['thong-tin.json'])) as Record<string, unknown>;
    expect(about).toMatchObject({ app: { version: '1.2.3' }, settings: { imageRetentionDays: 7 } });
    expect((about.runtime as { node: string }).node).toBe(process.versions.node);
  });
});
