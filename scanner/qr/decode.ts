// QR decoding from page images with zxing-wasm. The .wasm is read from node_modules and handed over as
// bytes: by default zxing-wasm fetches it from a CDN and, offline, never resolves (MACHINE-NOTES.md).
// Pages are read from their shared greyscale pixels: first downscaled (fast; a 300-dpi page's QR
// keeps ≥ 3 px per module at 1600 px), then at full size, then — for small codes in photos — enlarged.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { prepareZXingModule, readBarcodes, type ReadResult } from 'zxing-wasm/reader';
import type { Grey } from '../image/analyse.js';
import { decodeGreyBytes, greyToImageData, resizeGrey } from '../image/grey.js';

// In the CommonJS bundle of Electron's main, esbuild leaves import.meta empty: fall back to the bundle's path.
const require = createRequire((import.meta as { url?: string }).url ?? __filename);
let ready: Promise<unknown> | null = null;

/** Loads the zxing reader once per process, from local bytes only. */
export function initQrDecoder(): Promise<unknown> {
  if (!ready) {
    const wasm = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
    const wasmBinary = wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer;
    ready = prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
  }
  return ready;
}

export type DecodedQr = {
  text: string;
  /** corners in the image's pixel coordinates */
  position: { x: number; y: number }[];
};

function toDecoded(results: ReadResult[], scale: number): DecodedQr[] {
  return results
    .filter((r) => r.isValid && r.text !== '')
    .map((r) => ({
      text: r.text.normalize('NFC'),
      position: [r.position.topLeft, r.position.topRight, r.position.bottomRight, r.position.bottomLeft].map(
        (p) => ({
          x: Math.round(p.x / scale),
          y: Math.round(p.y / scale),
        }),
      ),
    }));
}

async function read(
  grey: Grey,
  tryHarder: boolean,
  binarizer: 'LocalAverage' | 'GlobalHistogram' = 'LocalAverage',
): Promise<ReadResult[]> {
  return readBarcodes(greyToImageData(grey) as unknown as Parameters<typeof readBarcodes>[0], {
    formats: ['QRCode'],
    tryHarder,
    binarizer,
    maxNumberOfSymbols: 4,
  });
}

/**
 * Every QR in a page's greyscale pixels. `pass: 'first'` tries only the cheapest reading (the
 * downscaled page, or the image as it is); `'rest'` only the slower ones after it; default both. The
 * recogniser tries the first pass before OCR and the rest while OCR runs: a page without a QR (the
 * portal's print) no longer waits ~1 s for three full-size searches before its text is read.
 */
export async function decodeQrFromGrey(
  grey: Grey,
  options: { pass?: 'first' | 'rest' | 'all' } = {},
): Promise<DecodedQr[]> {
  await initQrDecoder();
  const pass = options.pass ?? 'all';
  const longSide = Math.max(grey.width, grey.height);
  if (longSide > 1800) {
    if (pass !== 'rest') {
      const s = 1600 / longSide;
      const small = await resizeGrey(grey, grey.width * s, grey.height * s);
      // tryHarder here: a page placed 1–3° askew defeats the fast pass, and the full-size retry costs ~5×.
      const found = toDecoded(await read(small, true), s);
      if (found.length > 0 || pass === 'first') return found;
    }
  } else if (pass === 'first') {
    return toDecoded(await read(grey, true), 1);
  }
  const full = longSide <= 1800 && pass === 'rest' ? [] : toDecoded(await read(grey, true), 1);
  if (full.length > 0) return full;
  // Small codes (a card photo's QR spans a few hundred pixels): enlarge up to ~3000 px.
  if (longSide < 1600) {
    const s = Math.min(3, 3000 / longSide);
    const big = await resizeGrey(grey, grey.width * s, grey.height * s);
    return toDecoded(await read(big, true), s);
  }
  return toDecoded(await read(grey, true, 'GlobalHistogram'), 1);
}

/** Every QR in an encoded image (PNG/JPEG/TIFF/WebP bytes). */
export async function decodeQrCodes(bytes: Buffer): Promise<DecodedQr[]> {
  return decodeQrFromGrey(await decodeGreyBytes(bytes));
}
