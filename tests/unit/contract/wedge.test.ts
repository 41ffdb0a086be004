// The keyboard-wedge detector: reader bursts are recognised, people typing are not.

import { describe, expect, it } from 'vitest';
import { WedgeDetector, type WedgeKey } from '../../../contract/wedge.js';

function keys(text: string, start: number, gap: number | (() => number), end?: string): WedgeKey[] {
  const out: WedgeKey[] = [];
  let t = start;
  for (const key of [...text, ...(end ? [end] : [])]) {
    out.push({ key, time: t });
    t += typeof gap === 'number' ? gap : gap();
  }
  return out;
}

const QR = '001199012345||Nguyen Thi A|15031999|Nu|Ha Noi|01072021';

describe('WedgeDetector', () => {
  it('recognises a reader burst ended by Enter, with its text', () => {
    const d = new WedgeDetector();
    const results = keys(QR, 1000, 4, 'Enter').map((k) => d.push(k));
    const scan = results.at(-1);
    expect(results.slice(0, -1).every((r) => r === null)).toBe(true);
    expect(scan).toMatchObject({ text: QR, terminated: true, startedAt: 1000, meanGapMs: 4 });
  });

  it('ignores a person typing, even a fast typist ending with Enter', () => {
    const d = new WedgeDetector();
    let seed = 7;
    const jitter = (): number => {
      seed = (seed * 16807) % 2147483647;
      return 70 + (seed % 120);
    };
    expect(
      keys('Nguyễn Văn An 0983847986', 0, jitter, 'Enter')
        .map((k) => d.push(k))
        .filter(Boolean),
    ).toEqual([]);
  });

  it('ignores short bursts (a held key, a 3-key shortcut) and Shift presses in between', () => {
    const d = new WedgeDetector();
    expect(
      keys('aaaa', 0, 5, 'Enter')
        .map((k) => d.push(k))
        .filter(Boolean),
    ).toEqual([]);
    const withShift: WedgeKey[] = [];
    keys('ABCDEFGHIJ', 500, 3).forEach((k) => withShift.push({ key: 'Shift', time: k.time - 1 }, k));
    withShift.push({ key: 'Tab', time: 540 });
    expect(withShift.map((k) => d.push(k)).filter(Boolean)).toEqual([
      expect.objectContaining({ text: 'ABCDEFGHIJ' }),
    ]);
  });

  it('ends a burst without a terminator when the keys stop (flush), and when typing resumes slowly', () => {
    const d = new WedgeDetector();
    for (const k of keys('00006.GD/2020/903', 0, 5)) expect(d.push(k)).toBeNull();
    expect(d.bursting).toBe(true);
    expect(d.flush(90)).toBeNull(); // still within the gap
    expect(d.flush(300)).toMatchObject({ text: '00006.GD/2020/903', terminated: false });
    for (const k of keys('00086.GD/2020/00115', 1000, 5)) d.push(k);
    expect(d.push({ key: 'x', time: 2000 })).toMatchObject({ text: '00086.GD/2020/00115' });
  });

  it('keeps Vietnamese characters a reader sends as single keys (NFC)', () => {
    const d = new WedgeDetector();
    const text = 'Nguyễn Thị Hồng Nhung';
    const results = keys(text.normalize('NFC'), 0, 3, 'Enter').map((k) => d.push(k));
    expect(results.at(-1)?.text).toBe(text.normalize('NFC'));
  });
});

describe('reader text → recognition', () => {
  it('routes a wedge scan of an ID card QR, a form number, and refuses text a Telex input method mangled', async () => {
    const { recognizeReaderText } = await import('../../../scanner/recognize.js');
    const { ScanError } = await import('../../../scanner/errors.js');
    const d = new WedgeDetector();
    const typed = (text: string): string =>
      keys(text, 0, 3, 'Enter')
        .map((k) => d.push(k))
        .at(-1)!.text;
    // Without an input method the reader's keystrokes arrive without diacritics: accepted, and the
    // comparison will flag the name as "cần xác minh".
    const plain = recognizeReaderText(
      typed('001199012345||Nguyen Thi A|15031999|Nu|Ha Noi|01072021'.replace('|Nu|', '|Nữ|')),
    );
    expect(plain).toMatchObject({
      kind: 'cccd_qr',
      source: 'qr_reader',
      fields: { idNumber: '001199012345', fullName: 'Nguyen Thi A' },
    });
    expect(recognizeReaderText(typed('00006.GD/2020/903'))).toMatchObject({
      kind: 'mau01',
      fields: { dossierNumber: '00006.GD/2020/903' },
    });
    // With Telex on, "Nguyễn" typed as keys becomes "Nguyeenx"-like garbage
    let error: unknown = null;
    try {
      recognizeReaderText(typed('001199012345||Nguyeenx Thij A|15031999|Nuwx|Ha Noi|01072021'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScanError);
    expect((error as InstanceType<typeof ScanError>).code).toBe('legacy_encoding');
    expect((error as InstanceType<typeof ScanError>).message).toMatch(/HID-POS/u);
  });
});
