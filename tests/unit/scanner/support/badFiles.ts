// Hand-built bad inputs for the scanner's bad-input corpus: a PNG header that declares 20,000 × 20,000
// pixels (a few hundred bytes on disk, refused before decoding), a corrupt PNG, and a valid PDF with
// many empty pages.

import { deflateSync } from 'node:zlib';
import { pdfFromObjects } from '../../../fixtures/files.js';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A well-formed PNG header (valid CRCs) declaring width × height greyscale pixels, with one row of data. */
export function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(width + 1, 0))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A real PNG with its image data damaged (header intact, so only decoding finds it). */
export function corruptPng(valid: Buffer): Buffer {
  const out = Buffer.from(valid);
  const idat = out.indexOf('IDAT');
  for (let i = idat + 8; i < Math.min(out.length - 16, idat + 400); i++) out[i] = (out[i] as number) ^ 0x5a;
  return out;
}

/** A valid PDF 1.4 with `pages` empty A4 pages, cross-reference table included. */
export function pdfWithPages(pages: number): Buffer {
  const objects: string[] = [];
  const kids: string[] = [];
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  objects.push(''); // pages tree, filled below
  for (let i = 0; i < pages; i++) {
    kids.push(`${3 + i} 0 R`);
    objects.push('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>');
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages} >>`;
  return pdfFromObjects(objects);
}
