// Turns what the officer brings (a scanned page, a photo, a PDF) into page images the recogniser can
// read, refusing bad input with a clear ScanError before any heavy work: zero bytes, unknown or corrupt
// formats, pictures larger than MAX_PIXELS (read from the header: a 30,000 × 30,000 PNG is refused
// before one pixel is decoded), PDFs with more than MAX_PDF_PAGES pages (counted from the page tree:
// a 10,000-page PDF is refused before one page is drawn). Images decode with sharp (libvips), PDFs
// with pdf.js on a Skia canvas. The workstation runs this in a worker, never in its main process
// (electron/workstation/intake/decoder.ts).

import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as PdfJsModule from 'pdfjs-dist/legacy/build/pdf.mjs';
import sharp, { type Metadata } from 'sharp';
import { ScanError } from '../errors.js';
import { decodeGreyBytes, primeGrey } from './grey.js';
import type { PageImage } from './page.js';

// In the CommonJS bundle of Electron's main, esbuild leaves import.meta empty: fall back to the bundle's path.
const require = createRequire((import.meta as { url?: string }).url ?? __filename);

export type InputFormat = 'png' | 'jpeg' | 'tiff' | 'pdf' | 'webp';

/** 600 dpi A4 is 35 Mpx; anything beyond 50 Mpx is not a page or a card photo. */
export const MAX_PIXELS = 50_000_000;
export const MAX_PDF_PAGES = 50;
export const MAX_FILE_BYTES = 200 * 1024 * 1024;

export type { PageImage } from './page.js';

export function sniffFormat(bytes: Uint8Array): InputFormat | null {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (
    b.length >= 4 &&
    ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a) || (b[0] === 0x4d && b[1] === 0x4d && b[3] === 0x2a))
  )
    return 'tiff';
  if (b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[8] === 0x57 && b[9] === 0x45) return 'webp';
  // %PDF may follow a little junk (allowed by readers within the first 1024 bytes).
  const head = Buffer.from(b.subarray(0, 1024)).toString('latin1');
  if (head.includes('%PDF-')) return 'pdf';
  return null;
}

export type LoadOptions = {
  /** PDF rasterisation resolution (default 300 dpi) */
  pdfDpi?: number;
  maxPixels?: number;
  maxPdfPages?: number;
  /** read at most this many pages (default: all, within the limits) */
  maxPages?: number;
};

async function readInput(input: string | Uint8Array): Promise<Buffer> {
  if (typeof input !== 'string') return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  let size: number;
  try {
    size = (await stat(input)).size;
  } catch (error) {
    throw new ScanError(
      'bad_input',
      `Không mở được tệp: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  if (size > MAX_FILE_BYTES)
    throw new ScanError('payload_too_large', `Tệp nặng ${Math.round(size / 1048576)} MB.`);
  return readFile(input);
}

/** Loads every page of an image or PDF (within the limits) as PNG/JPEG bytes. */
export async function loadPages(input: string | Uint8Array, options: LoadOptions = {}): Promise<PageImage[]> {
  const bytes = await readInput(input);
  if (bytes.length === 0) throw new ScanError('bad_input', 'Tệp rỗng (0 byte).');
  const format = sniffFormat(bytes);
  if (format === null) throw new ScanError('bad_input', 'Không nhận ra định dạng tệp.');
  if (format === 'pdf') return loadPdf(bytes, options);
  return loadRaster(bytes, format, options);
}

async function loadRaster(bytes: Buffer, format: InputFormat, options: LoadOptions): Promise<PageImage[]> {
  const maxPixels = options.maxPixels ?? MAX_PIXELS;
  let meta: Metadata;
  try {
    // metadata() reads the header only: a 20,000 × 20,000 declaration is refused before decoding.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new ScanError('bad_input', `Ảnh ${format.toUpperCase()} bị hỏng: ${(error as Error).message}`);
  }
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (width <= 0 || height <= 0) throw new ScanError('bad_input', 'Ảnh không có kích thước.');
  if (width * height > maxPixels) {
    throw new ScanError(
      'payload_too_large',
      `Ảnh ${width} × ${height} điểm ảnh vượt giới hạn ${maxPixels / 1e6} triệu điểm ảnh.`,
    );
  }
  const dpi = meta.density && meta.density > 1 ? Math.round(meta.density) : null;
  const pageCount = Math.min(
    meta.pages ?? 1,
    options.maxPages ?? Number.POSITIVE_INFINITY,
    options.maxPdfPages ?? MAX_PDF_PAGES,
  );
  const pages: PageImage[] = [];
  for (let index = 0; index < pageCount; index++) {
    try {
      // rotate() applies EXIF orientation (phone photos); decode fully so corrupt data fails here.
      const image = sharp(bytes, { page: index, limitInputPixels: maxPixels, failOn: 'error' }).rotate();
      const keepAsIs =
        pageCount === 1 && (format === 'png' || format === 'jpeg') && (meta.orientation ?? 1) === 1;
      const out = keepAsIs ? bytes : await image.png({ compressionLevel: 1 }).toBuffer();
      // Decoding to greyscale now makes a truncated or corrupt file fail here (as bad_input), and the
      // pixels are kept for QR, the quality gate and OCR, which would decode the page anyway.
      const grey = await decodeGreyBytes(out);
      const page: PageImage = { index, bytes: out, width: grey.width, height: grey.height, dpi };
      primeGrey(page, grey);
      pages.push(page);
    } catch (error) {
      if (error instanceof ScanError) throw error;
      throw new ScanError('bad_input', `Ảnh ${format.toUpperCase()} bị hỏng: ${(error as Error).message}`);
    }
  }
  return pages;
}

type PdfJs = typeof PdfJsModule;
let pdfjsPromise: Promise<PdfJs> | null = null;
function loadPdfJs(): Promise<PdfJs> {
  pdfjsPromise ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjsPromise;
}

/** pdf.js's font data for PDFs that do not embed their fonts (the 14 standard ones, CJK maps). */
function pdfjsData(): { standardFontDataUrl: string; cMapUrl: string } {
  const pkg = path.dirname(require.resolve('pdfjs-dist/package.json'));
  return {
    standardFontDataUrl: `${path.join(pkg, 'standard_fonts')}${path.sep}`,
    cMapUrl: `${path.join(pkg, 'cmaps')}${path.sep}`,
  };
}

/**
 * PDF pages as PNG: pdf.js (Apache-2.0, the parser the service checks uploads with) draws each page on
 * a @napi-rs/canvas (MIT, Skia) at `pdfDpi`. The page count is read from the document's page tree
 * before any page is drawn, and each page's size is checked against the pixel limit before its canvas
 * is made. No scripts run (isEvalSupported false), no fonts are loaded from the system.
 */
async function loadPdf(bytes: Buffer, options: LoadOptions): Promise<PageImage[]> {
  const pdfjs = await loadPdfJs();
  const maxPdfPages = options.maxPdfPages ?? MAX_PDF_PAGES;
  const maxPixels = options.maxPixels ?? MAX_PIXELS;
  const dpi = options.pdfDpi ?? 300;
  let doc: Awaited<ReturnType<PdfJs['getDocument']>['promise']>;
  try {
    doc = await pdfjs.getDocument({
      // pdf.js may detach the buffer it is given: a copy keeps the caller's bytes intact.
      data: new Uint8Array(bytes),
      ...pdfjsData(),
      cMapPacked: true,
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      verbosity: 0,
    }).promise;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'PasswordException')
      throw new ScanError('bad_input', 'Tệp PDF có mật khẩu: mở khoá rồi đính kèm lại.');
    throw new ScanError('bad_input', `Tệp PDF bị hỏng: ${(error as Error).message}`);
  }
  try {
    const count = doc.numPages;
    if (count === 0) throw new ScanError('bad_input', 'Tệp PDF không có trang nào.');
    if (count > maxPdfPages) {
      throw new ScanError(
        'payload_too_large',
        `Tệp PDF có ${count} trang; chỉ nhận tối đa ${maxPdfPages} trang mỗi lần.`,
      );
    }
    const wanted = Math.min(count, options.maxPages ?? count);
    const pages: PageImage[] = [];
    for (let index = 0; index < wanted; index++) {
      try {
        const page = await doc.getPage(index + 1);
        const viewport = page.getViewport({ scale: dpi / 72 });
        const width = Math.ceil(viewport.width);
        const height = Math.ceil(viewport.height);
        if (width * height > maxPixels || width > 32_767 || height > 32_767) {
          throw new ScanError('payload_too_large', `Trang ${index + 1} của PDF quá lớn ở ${dpi} dpi.`);
        }
        const factory = doc.canvasFactory as { create(w: number, h: number): unknown };
        const { canvas, context } = factory.create(width, height) as {
          canvas: { toBuffer(type: 'image/png'): Buffer };
          context: object;
        };
        await page.render({ canvasContext: context as never, canvas: canvas as never, viewport }).promise;
        const png = canvas.toBuffer('image/png');
        page.cleanup();
        pages.push({ index, bytes: png, width, height, dpi });
      } catch (error) {
        if (error instanceof ScanError) throw error;
        throw new ScanError(
          'bad_input',
          `Không vẽ được trang ${index + 1} của PDF: ${(error as Error).message}`,
        );
      }
    }
    return pages;
  } finally {
    await doc.destroy();
  }
}
