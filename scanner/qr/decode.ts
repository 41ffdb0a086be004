// QR decoding from page images with zxing-wasm. The .wasm is read from node_modules and handed over as
// bytes: by default zxing-wasm fetches it from a CDN and, offline, never resolves (MACHINE-NOTES.md).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { prepareZXingModule, readBarcodes, type ReadResult } from 'zxing-wasm/reader';

const require = createRequire(import.meta.url);
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

/**
 * Every QR in an encoded image (PNG/JPEG). Tries the image as it is, then — for small codes in
 * photos and low-resolution scans — an enlarged, sharpened copy.
 */
export async function decodeQrCodes(
  bytes: Buffer,
  options: { width?: number; height?: number } = {},
): Promise<DecodedQr[]> {
  await initQrDecoder();
  const first = await readBarcodes(new Uint8Array(bytes), {
    formats: ['QRCode'],
    tryHarder: true,
    maxNumberOfSymbols: 4,
  });
  const found = toDecoded(first, 1);
  if (found.length > 0) return found;
  let width = options.width;
  let height = options.height;
  if (width === undefined || height === undefined) {
    const meta = await sharp(bytes).metadata();
    width = meta.width ?? 0;
    height = meta.height ?? 0;
  }
  // Enlarge small images (a card photo's QR spans a few hundred pixels) up to ~3000 px on the long side.
  const longSide = Math.max(width, height);
  const scale = longSide > 0 && longSide < 1600 ? Math.min(3, 3000 / longSide) : 1;
  const retry = await sharp(bytes)
    .resize(Math.round(width * scale), Math.round(height * scale), { kernel: 'lanczos3' })
    .greyscale()
    .normalise()
    .sharpen()
    .png({ compressionLevel: 1 })
    .toBuffer();
  const second = await readBarcodes(new Uint8Array(retry), {
    formats: ['QRCode'],
    tryHarder: true,
    binarizer: 'LocalAverage',
    maxNumberOfSymbols: 4,
  });
  return toDecoded(second, scale);
}
