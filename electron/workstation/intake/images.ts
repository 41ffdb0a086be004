// What the intake keeps of a scanned or attached file: the bytes checked (format sniffed from the
// content, decoded in full so a corrupt file is refused here), split into pages, and made fit for the
// service's attachment endpoint (API.md: JPEG, PNG or PDF, size-limited), so an upload never fails on
// its format or size. TIFF, WebP and PDF pages become JPEG; a PNG or JPEG the officer brings is kept
// byte for byte when it is small enough.

import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { loadPages, sniffFormat, ScanError, type PageImage } from '../../../scanner/index.js';
import { SCAN_ERROR_MESSAGE } from '../../../contract/scan.js';
import { fail } from '../errors.js';

/** The service refuses larger bodies (server config attachmentMaxBytes, 10 MB by default). */
export const SERVICE_MAX_BYTES = 9.5 * 1024 * 1024;
/** A PNG or JPEG up to this size is stored as the officer brought it. */
const KEEP_AS_IS_BYTES = 8 * 1024 * 1024;
/** Longest side kept: A4 at 300 dpi. */
const MAX_SIDE = 3508;

export type PreparedPage = {
  content: Buffer;
  mediaType: 'image/jpeg' | 'image/png';
  sha256: string;
  width: number;
  height: number;
  dpi: number | null;
  /** the decoded page (recognition and the quality gate read it) */
  page: PageImage;
};

/** A Vietnamese error for a file that cannot be used, never a library's English message. */
function refuse(error: unknown, bytes: Uint8Array, fileName: string): never {
  const name = fileName ? `"${fileName}" ` : '';
  if (bytes.length === 0)
    fail('bad_input', `Tệp ${name}rỗng (0 byte): chọn lại tệp ảnh (PNG, JPEG, TIFF) hoặc PDF.`);
  if (sniffFormat(bytes) === null)
    fail(
      'bad_input',
      `Tệp ${name}không phải ảnh PNG, JPEG, TIFF hay tệp PDF (nội dung tệp không khớp với loại ảnh): chọn tệp khác.`,
    );
  if (error instanceof ScanError && error.code === 'payload_too_large')
    fail('payload_too_large', `${SCAN_ERROR_MESSAGE.payload_too_large} ${error.detail ?? ''}`.trim());
  fail('bad_input', `Tệp ${name}bị hỏng, không đọc được: quét hoặc chụp lại, hoặc chọn tệp khác.`);
}

async function toJpeg(page: PageImage, quality: number, maxSide: number): Promise<Buffer> {
  let img = sharp(page.bytes)
    .rotate()
    .flatten({ background: '#ffffff' })
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true });
  // A page made smaller keeps its paper size: its resolution falls with it.
  const scale = Math.min(1, maxSide / Math.max(page.width, page.height, 1));
  if (page.dpi) img = img.withMetadata({ density: Math.max(1, Math.round(page.dpi * scale)) });
  return img.jpeg({ quality, chromaSubsampling: '4:4:4' }).toBuffer();
}

/**
 * How the mobile desk keeps images for days offline: compact JPEG, at most `maxSide` pixels on the
 * long side, a JPEG already under `keepJpegUnder` bytes (a camera still) kept byte for byte.
 */
export type Compact = { quality: number; maxSide: number; keepJpegUnder: number };

/** Checks and prepares every page (at most `maxPages`) of a file or scan; throws a WsFailure when unusable. */
export async function preparePages(
  bytes: Buffer,
  options: { fileName?: string; maxPages: number; compact?: Compact },
): Promise<{ pages: PreparedPage[]; totalPages: number }> {
  let pages: PageImage[];
  try {
    pages = await loadPages(bytes, { maxPages: options.maxPages });
  } catch (error) {
    refuse(error, bytes, options.fileName ?? '');
  }
  const format = sniffFormat(bytes);
  const out: PreparedPage[] = [];
  for (const page of pages) {
    let content: Buffer;
    let mediaType: PreparedPage['mediaType'];
    // loadPages hands back the input itself when it needs no conversion (same bytes, maybe a new view).
    const kept =
      pages.length === 1 &&
      (format === 'png' || format === 'jpeg') &&
      page.bytes.length === bytes.length &&
      page.bytes.equals(bytes);
    const compact = options.compact;
    if (compact && !(kept && format === 'jpeg' && bytes.length <= compact.keepJpegUnder)) {
      content = await toJpeg(page, compact.quality, compact.maxSide);
      mediaType = 'image/jpeg';
    } else if (kept && bytes.length <= KEEP_AS_IS_BYTES) {
      content = bytes;
      mediaType = format === 'png' ? 'image/png' : 'image/jpeg';
    } else {
      content = await toJpeg(page, 85, MAX_SIDE);
      if (content.length > SERVICE_MAX_BYTES) content = await toJpeg(page, 70, 2480);
      mediaType = 'image/jpeg';
    }
    out.push({
      content,
      mediaType,
      sha256: createHash('sha256').update(content).digest('hex'),
      width: page.width,
      height: page.height,
      dpi: page.dpi,
      page,
    });
  }
  return { pages: out, totalPages: pages.length };
}
