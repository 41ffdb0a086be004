// The bad-input corpus of the scanner part: each file or QR is refused with a clear Vietnamese error, no crash,
// no hang — through the same recognizeDocument the CLI and the workstation call.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCAN_ERROR_MESSAGE, type ScanErrorCode } from '../../../contract/scan.js';
import { syntheticPeople } from '../../../contract/synthetic.js';
import { ScanError } from '../../../scanner/errors.js';
import { recognizeDocument } from '../../../scanner/recognize.js';
import { corruptPng, pdfWithPages, pngDeclaring } from '../../unit/scanner/support/badFiles.js';
import { cccdFront, qrPng } from '../../unit/scanner/support/images.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'scan-bad-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(input: string | Buffer): Promise<{ error: ScanError; ms: number }> {
  const started = Date.now();
  const error = await recognizeDocument(typeof input === 'string' ? input : new Uint8Array(input)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'the input must be refused').toBeInstanceOf(ScanError);
  return { error: error as ScanError, ms: Date.now() - started };
}

function expectCode(error: ScanError, code: ScanErrorCode, detail: RegExp): void {
  expect(error.code).toBe(code);
  expect(error.message).toBe(SCAN_ERROR_MESSAGE[code]);
  expect(error.detail ?? '').toMatch(detail);
}

describe('bad input', () => {
  it('a zero-byte file', async () => {
    const file = path.join(dir, 'empty.png');
    await writeFile(file, Buffer.alloc(0));
    const { error } = await refusal(file);
    expectCode(error, 'bad_input', /rỗng/u);
  });

  it('a corrupt PNG (valid header, damaged data)', async () => {
    const [p] = syntheticPeople(1, 3);
    const { error, ms } = await refusal(corruptPng(await cccdFront(p!)));
    expectCode(error, 'bad_input', /PNG bị hỏng/u);
    expect(ms).toBeLessThan(5000);
  });

  it('a file that is not an image at all', async () => {
    const { error } = await refusal(Buffer.from('Xin chào, đây không phải ảnh'));
    expectCode(error, 'bad_input', /định dạng/u);
  });

  it('a 20,000 × 20,000 image is refused from its header, before decoding', async () => {
    const file = path.join(dir, 'huge.png');
    await writeFile(file, pngDeclaring(20_000, 20_000));
    const { error, ms } = await refusal(file);
    expectCode(error, 'payload_too_large', /20000 × 20000/u);
    expect(ms).toBeLessThan(2000);
  });

  it('a PDF with 500 pages is refused from its page count, before rendering', async () => {
    const file = path.join(dir, 'many.pdf');
    await writeFile(file, pdfWithPages(500));
    const { error, ms } = await refusal(file);
    expectCode(error, 'payload_too_large', /500 trang/u);
    expect(ms).toBeLessThan(5000);
  });

  it('a truncated PDF', async () => {
    const { error } = await refusal(pdfWithPages(2).subarray(0, 60));
    expect(['bad_input']).toContain(error.code);
  });

  it('a file path that does not exist', async () => {
    const { error } = await refusal(path.join(dir, 'no-such-file.jpg'));
    expectCode(error, 'bad_input', /ENOENT/u);
  });

  it('OCR without the bundled Vietnamese data fails at once (never downloads, never hangs)', async () => {
    const { OcrPool } = await import('../../../scanner/ocr/pool.js');
    const started = Date.now();
    const error = await OcrPool.start({ langPath: dir, size: 1 }).catch((e: unknown) => e);
    expect((error as ScanError).code).toBe('ocr_unavailable');
    expect((error as ScanError).message).toMatch(/dữ liệu tiếng Việt/u);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it.each([
    ['a QR with 3 fields', '001199012345|Nguyễn Thị A|15031999', 'qr_invalid', /chỉ có 3 trường/u],
    [
      'a first field that is not 12 digits',
      '0011990123|123456789|Nguyễn Thị A|15031999|Nữ|Hà Nội|01072021',
      'qr_invalid',
      /12 chữ số/u,
    ],
    [
      'a birth date 31/02',
      '001199012345||Nguyễn Thị A|31021999|Nữ|Hà Nội|01072021',
      'qr_invalid',
      /không có thật/u,
    ],
    [
      'text in a legacy encoding (TCVN3)',
      '001199012345||NguyÔn ThÞ A|15031999|N÷|Hµ Néi|01072021',
      'legacy_encoding',
      /TCVN3|bảng chữ/u,
    ],
  ] as const)('%s in an image QR', async (_name, text, code, detail) => {
    const { error } = await refusal(await qrPng(text, 6));
    expectCode(error, code, detail);
  });
});
