// Image clean-up before OCR. Measured on the corpus (docs/scanner.md), tesseract reads a page best
// close to how it was scanned: its own Otsu binarisation beats ours (ours turned "@" into "(@" and
// merged tone marks into letters: Quỳnh → Quynh), and upscaling a 150–200-dpi scan to 300 dpi cost
// 2–4× the OCR time for no gain. So the clean-up only does what tesseract cannot:
//   * evens out the light (a photo's or a photocopy's shaded paper): each pixel divided by the paper's
//     brightness around it (a median of a 1/8-size copy), so one global threshold works again;
//   * deskews by projection profile (±6°, 0.1° steps) — tesseract copes with 1–2°, not with 3°;
//   * crops the white border; brings scans under 140 dpi up to 200 dpi (below that letters are a few
//     pixels high).
// Binarisation (Otsu) and the 3×3 median remain as options for comparisons. The page goes to tesseract
// as PGM: encoding a PNG costs more than the clean-up itself.

import sharp from 'sharp';
import { estimateSkew, otsuThreshold, type Grey } from '../image/analyse.js';
import { decodeGreyBytes } from '../image/grey.js';

export type Prepared = {
  /** the cleaned pixels (zones are cut from these) */
  grey: Grey;
  bytes: Buffer;
  width: number;
  height: number;
  dpi: number;
  skewDegrees: number;
  scale: number;
};

export async function shrinkGrey(grey: Grey, maxSide: number): Promise<Grey> {
  const scale = Math.min(1, maxSide / Math.max(grey.width, grey.height));
  if (scale === 1) return grey;
  const { data, info } = await sharp(grey.data, {
    raw: { width: grey.width, height: grey.height, channels: 1 },
  })
    .resize(Math.max(1, Math.round(grey.width * scale)), Math.max(1, Math.round(grey.height * scale)), {
      kernel: 'linear',
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

/** Binary PGM (P5): a format tesseract (native and WASM, through Leptonica) reads without decoding cost. */
export function encodePgm(grey: Grey): Buffer {
  const header = Buffer.from(`P5\n${grey.width} ${grey.height}\n255\n`, 'ascii');
  return Buffer.concat([header, Buffer.from(grey.data.buffer, grey.data.byteOffset, grey.data.byteLength)]);
}

/** Bounding box of the dark pixels, with a margin: crops the scanner's white border. */
function inkBox(
  grey: Grey,
  threshold: number,
  margin: number,
): { left: number; top: number; width: number; height: number } | null {
  const { data, width, height } = grey;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y += 2) {
    const row = y * width;
    for (let x = 0; x < width; x += 2) {
      if ((data[row + x] as number) < threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const left = Math.max(0, x0 - margin);
  const top = Math.max(0, y0 - margin);
  return {
    left,
    top,
    width: Math.min(width, x1 + margin) - left,
    height: Math.min(height, y1 + margin) - top,
  };
}

/** Divide by the paper's local brightness (median of a 1/8-size copy): uneven light becomes white paper. */
export async function flattenLight(grey: Grey): Promise<Grey> {
  const { width, height } = grey;
  const sw = Math.max(8, Math.round(width / 8));
  const sh = Math.max(8, Math.round(height / 8));
  const raw = { raw: { width, height, channels: 1 as const } };
  const small = await sharp(grey.data, raw).resize(sw, sh, { kernel: 'linear' }).median(7).raw().toBuffer();
  const background = await sharp(small, { raw: { width: sw, height: sh, channels: 1 } })
    .resize(width, height, { kernel: 'linear' })
    .toColourspace('b-w')
    .raw()
    .toBuffer();
  const out = new Uint8Array(grey.data.length);
  const divide = divisionTable();
  const data = grey.data;
  for (let i = 0; i < out.length; i++)
    out[i] = divide[((background[i] as number) << 8) | (data[i] as number)] as number;
  return { data: out, width, height };
}

let division: Uint8Array | null = null;
/**
 * min(255, round(v × 255 / max(40, bg))) for every background bg and pixel v, at [bg × 256 + v]: a
 * look-up per pixel instead of a division (a 300-dpi page has 8.7 million; the division loop took
 * about a third of the clean-up's time).
 */
function divisionTable(): Uint8Array {
  if (division) return division;
  division = new Uint8Array(256 * 256);
  for (let bg = 0; bg < 256; bg++)
    for (let v = 0; v < 256; v++)
      division[(bg << 8) | v] = Math.min(255, Math.round((v * 255) / Math.max(40, bg)));
  return division;
}

export type PrepareOptions = {
  dpi?: number | null;
  /** Otsu binarisation (default off: tesseract's own is better) */
  binarise?: boolean;
  /** 3×3 median against speckle (default off) */
  median?: boolean;
  /** scale scans below this dpi up to `upscaleTo` (default 140) */
  upscaleBelowDpi?: number;
  /** the dpi small scans are brought to (default 200) */
  upscaleTo?: number;
  /** even out the light first (default on) */
  flatten?: boolean;
};

export async function prepareForOcr(input: Buffer | Grey, options: PrepareOptions = {}): Promise<Prepared> {
  let source = Buffer.isBuffer(input) ? await decodeGreyBytes(input) : input;
  const dpi = options.dpi ?? 300;
  if (options.flatten !== false) source = await flattenLight(source);
  const skew = estimateSkew(await shrinkGrey(source, 1200), 6);
  const scale = dpi < (options.upscaleBelowDpi ?? 140) ? (options.upscaleTo ?? 200) / dpi : 1;
  let image = sharp(source.data, { raw: { width: source.width, height: source.height, channels: 1 } });
  if (scale !== 1)
    image = image.resize(Math.round(source.width * scale), Math.round(source.height * scale), {
      kernel: 'lanczos3',
    });
  // sharp rotates clockwise for positive angles; a page tilted counter-clockwise (positive skew) needs that.
  if (Math.abs(skew) >= 0.3) image = image.rotate(skew, { background: '#ffffff' });
  if (options.median) image = image.median(3);
  const { data, info } = await image.toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  let grey: Grey = {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
  const threshold = otsuThreshold(grey.data);
  const box = inkBox(grey, Math.min(threshold, 160), Math.round((20 * (dpi * scale)) / 300));
  if (box && (box.width < grey.width || box.height < grey.height) && box.width > 10 && box.height > 10) {
    const cropped = await sharp(grey.data, { raw: { width: grey.width, height: grey.height, channels: 1 } })
      .extract(box)
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true });
    grey = {
      data: new Uint8Array(cropped.data.buffer, cropped.data.byteOffset, cropped.data.length),
      width: cropped.info.width,
      height: cropped.info.height,
    };
  }
  if (options.binarise) {
    const t = Math.min(250, threshold + 10);
    const out = new Uint8Array(grey.data.length);
    for (let i = 0; i < out.length; i++) out[i] = (grey.data[i] as number) < t ? 0 : 255;
    grey = { ...grey, data: out };
  }
  let bytes: Buffer | null = null;
  return {
    grey,
    // Encoded only when asked (the whole page read at once): the layout reader stacks pieces of `grey`.
    get bytes(): Buffer {
      bytes ??= encodePgm(grey);
      return bytes;
    },
    width: grey.width,
    height: grey.height,
    dpi: Math.round(dpi * scale),
    skewDegrees: skew,
    scale,
  };
}
