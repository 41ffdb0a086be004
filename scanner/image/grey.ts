// The decoded greyscale pixels of a page, computed once and shared by QR decoding, the quality gate
// and OCR clean-up: decoding a 300-dpi PNG costs more than any of those steps on its own.

import sharp from 'sharp';
import type { Grey } from './analyse.js';
import type { PageImage } from './page.js';

const cache = new WeakMap<PageImage, Promise<Grey>>();

export async function decodeGreyBytes(bytes: Buffer): Promise<Grey> {
  const { data, info } = await sharp(bytes)
    .flatten({ background: '#ffffff' })
    .greyscale()
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}

/** Remember pixels already decoded for a page (the loader decodes once to validate the file). */
export function primeGrey(page: PageImage, grey: Grey): void {
  cache.set(page, Promise.resolve(grey));
}

export function greyOf(page: PageImage): Promise<Grey> {
  let g = cache.get(page);
  if (!g) {
    g = decodeGreyBytes(page.bytes);
    cache.set(page, g);
  }
  return g;
}

/** Resize raw greyscale (no decoding: fast). */
export async function resizeGrey(grey: Grey, width: number, height: number): Promise<Grey> {
  if (width === grey.width && height === grey.height) return grey;
  const { data, info } = await sharp(grey.data, {
    raw: { width: grey.width, height: grey.height, channels: 1 },
  })
    .resize(Math.max(1, Math.round(width)), Math.max(1, Math.round(height)), {
      kernel: width < grey.width ? 'linear' : 'lanczos3',
    })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}

/** The top `fraction` of the rows, without copying. */
export function topRows(grey: Grey, fraction: number): Grey {
  const height = Math.max(1, Math.round(grey.height * fraction));
  return { data: grey.data.subarray(0, grey.width * height), width: grey.width, height };
}

/** RGBA ImageData-shaped copy (zxing-wasm reads RGBA). */
export function greyToImageData(grey: Grey): {
  data: Uint8ClampedArray;
  width: number;
  height: number;
  colorSpace: 'srgb';
} {
  const out = new Uint8ClampedArray(grey.width * grey.height * 4);
  const src = grey.data;
  for (let i = 0, j = 0; i < src.length; i++, j += 4) {
    const v = src[i] as number;
    out[j] = v;
    out[j + 1] = v;
    out[j + 2] = v;
    out[j + 3] = 255;
  }
  return { data: out, width: grey.width, height: grey.height, colorSpace: 'srgb' };
}
