// Untrusted files in the decoder's worker thread (electron/workstation/intake/decoder.ts): a PDF drawn by
// pdf.js, and the limits that refuse in Vietnamese before any heavy work — a 30,000 × 30,000 PNG (its
// header is read, no pixel decoded), a 10,000-page PDF (its page tree is read, no page drawn), a file
// over the byte limit (never sent to the worker), a PDF that is not one; a worker killed mid-job (as
// the system would, out of memory) fails that job with a sentence and the next job gets a new worker.
import { deflateSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { WsFailure } from '../../../electron/workstation/errors.js';
import { createDecoder, MAX_DECODE_BYTES } from '../../../electron/workstation/intake/decoder.js';
import { silentLog } from '../../../electron/workstation/log.js';
import { REPO_ROOT } from '../../fixtures/demo.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ws-decoder-'));
const decoder = createDecoder({ log: silentLog(), ocrWorkers: 1 });
afterAll(async () => {
  await decoder.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function refusal(p: Promise<unknown>): Promise<WsFailure> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WsFailure);
  return err as WsFailure;
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid PNG header declaring 30,000 × 30,000 RGB (2.7 GB of pixels) with one row of data: a bomb. */
function bombPng(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(30_000, 0);
  ihdr.writeUInt32BE(30_000, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1 + 30_000 * 3))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A well-formed PDF of `n` empty A4 pages, with a correct cross-reference table. */
function manyPagePdf(n: number): Buffer {
  const objects: string[] = [];
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  const kids = Array.from({ length: n }, (_, i) => `${i + 3} 0 R`).join(' ');
  objects.push(`<< /Type /Pages /Kids [${kids}] /Count ${n} >>`);
  for (let i = 0; i < n; i++) objects.push('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>');
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

describe('the decoder worker', () => {
  it('draws a PDF with pdf.js: Mẫu 01 printed by the app, page 1 at 300 dpi', async () => {
    const pdf = path.join(tmp, 'blank.pdf');
    execFileSync(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'print.ts'), 'blank', '--out', pdf],
      {
        cwd: REPO_ROOT,
        stdio: 'pipe',
      },
    );
    const { pages, totalPages } = await decoder.prepare(readFileSync(pdf), { maxPages: 1 });
    expect(totalPages).toBe(1);
    expect(pages[0]).toMatchObject({ mediaType: 'image/jpeg', width: 2481, height: 3508, dpi: 300 });
    // The page is drawn, not blank: the form's text makes dark pixels.
    const stats = await sharp(pages[0]!.content).greyscale().stats();
    expect(stats.channels[0]!.min).toBeLessThan(60);
    expect(stats.channels[0]!.mean).toBeGreaterThan(200);
  });

  it('refuses a 30,000 × 30,000 PNG from its header, in Vietnamese', async () => {
    const err = await refusal(decoder.prepare(bombPng(), { fileName: 'bom.png', maxPages: 1 }));
    expect(err.error.code).toBe('payload_too_large');
    expect(err.error.message).toMatch(/30000 × 30000 điểm ảnh vượt giới hạn 50 triệu điểm ảnh/u);
  });

  it('refuses a 10,000-page PDF from its page tree, in Vietnamese', async () => {
    const err = await refusal(decoder.prepare(manyPagePdf(10_000), { fileName: 'dai.pdf', maxPages: 50 }));
    expect(err.error.code).toBe('payload_too_large');
    expect(err.error.message).toMatch(/10000 trang; chỉ nhận tối đa 50 trang/u);
  });

  it('refuses a file over the byte limit before the worker sees it, and a PDF that is not one', async () => {
    const big = Buffer.alloc(MAX_DECODE_BYTES + 1, 0x20);
    big.write('%PDF-1.4\n', 0, 'latin1');
    expect((await refusal(decoder.prepare(big, { maxPages: 1 }))).error).toMatchObject({
      code: 'payload_too_large',
      message: expect.stringMatching(/chỉ đọc tệp tối đa 64 MB/u),
    });
    const broken = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage', 'latin1');
    const err = await refusal(decoder.prepare(broken, { fileName: 'hong.pdf', maxPages: 1 }));
    expect(err.error.code).toBe('bad_input');
    expect(err.error.message).toMatch(/"hong\.pdf" bị hỏng/u);
  });

  it('a worker killed mid-job fails that job with a sentence; the next job runs in a new worker', async () => {
    const pdf = manyPagePdf(3);
    const refused = refusal(decoder.prepare(pdf, { maxPages: 3 }));
    await decoder.terminate();
    const err = await refused;
    expect(err.error.message).toMatch(/bộ đọc tệp dừng lại/u);
    const again = await decoder.prepare(pdf, { maxPages: 3 });
    expect(again.pages).toHaveLength(3);
  });
});
