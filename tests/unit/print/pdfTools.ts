// Reading our PDFs back the way a person or a scanner would: pdftotext for the text (diacritics
// included), pdftoppm for a page image, zxing-wasm (wasm bytes from node_modules, never a CDN) for
// the QR code on it. Shared by the printing tests.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { binaryPresent } from '../../harness/skip.js';

export const POPPLER = binaryPresent('/usr/bin/pdftotext') && binaryPresent('/usr/bin/pdftoppm');
export const POPPLER_REASON = 'poppler-utils (pdftotext, pdftoppm) not installed';

function withFile<T>(pdf: Uint8Array, fn: (file: string, dir: string) => T): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'print-test-'));
  try {
    const file = path.join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    return fn(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The text in content order (-raw), as pdftotext extracts it. */
export function pdfText(
  pdf: Uint8Array,
  options: { raw?: boolean; firstPage?: number; lastPage?: number } = {},
): string {
  return withFile(pdf, (file) => {
    const args = ['-enc', 'UTF-8'];
    if (options.raw !== false) args.push('-raw');
    if (options.firstPage) args.push('-f', String(options.firstPage));
    if (options.lastPage) args.push('-l', String(options.lastPage));
    return execFileSync('pdftotext', [...args, file, '-'], { encoding: 'utf8' });
  });
}

/** Whitespace (line breaks from wrapping included) collapsed to single spaces. */
export function flat(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

export function pdfInfo(pdf: Uint8Array): { pages: number; width: number; height: number } {
  const out = withFile(pdf, (file) => execFileSync('pdfinfo', [file], { encoding: 'utf8' }));
  const pages = Number(/Pages:\s+(\d+)/u.exec(out)?.[1] ?? 0);
  const size = /Page size:\s+([\d.]+) x ([\d.]+)/u.exec(out);
  return { pages, width: Number(size?.[1] ?? 0), height: Number(size?.[2] ?? 0) };
}

/** Page `page` rendered as PNG at `dpi`. */
export function pageImage(pdf: Uint8Array, dpi = 150, page = 1): Buffer {
  return withFile(pdf, (file, dir) => {
    const prefix = path.join(dir, 'page');
    execFileSync('pdftoppm', [
      '-r',
      String(dpi),
      '-png',
      '-f',
      String(page),
      '-l',
      String(page),
      '-singlefile',
      file,
      prefix,
    ]);
    return readFileSync(`${prefix}.png`);
  });
}

let prepared = false;

/** Every QR code's text found in a PNG. */
export async function decodeQr(png: Uint8Array): Promise<string[]> {
  if (!prepared) {
    const require = createRequire(import.meta.url);
    const wasm = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
    await prepareZXingModule({
      overrides: {
        wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer,
      },
      fireImmediately: true,
    });
    prepared = true;
  }
  const results = await readBarcodes(new Uint8Array(png), { formats: ['QRCode'], tryHarder: true });
  return results.filter((r) => r.isValid).map((r) => r.text);
}

/** Positions of each needle in the haystack, in order; -1 where missing. */
export function positions(haystack: string, needles: readonly string[]): number[] {
  let from = 0;
  return needles.map((n) => {
    const at = haystack.indexOf(n, from);
    if (at >= 0) from = at + n.length;
    return at;
  });
}
