// Recognition of one document (image or PDF): QR first (the ID card's QR, the dossier number on forms
// we print), OCR as the fallback and for the printed fields. Returns {kind, fields, confidence} per
// contract/scan.ts. Recognition suggests; the officer decides (DESIGN.md §5).

import type { Recognition, RecognizedFields, QualityReport } from '../contract/scan.js';
import { ScanError } from './errors.js';
import { loadPages, type LoadOptions, type PageImage } from './image/load.js';
import { parseCccdQr } from './qr/cccdQr.js';
import { greyOf } from './image/grey.js';
import { decodeQrFromGrey, type DecodedQr } from './qr/decode.js';
import { dossierNumberFromQr, provisionalRefFromQr } from './qr/formQr.js';
import { assessQuality } from './quality.js';
import { recognizeTextPage, type TextRecognizer } from './ocr/recognizeText.js';

export type RecognizeOptions = LoadOptions & {
  /** an OCR pool; without it only QR codes are read */
  ocr?: TextRecognizer | null;
  /** run the quality gate and refuse poor images (default true when OCR is needed) */
  qualityGate?: boolean;
};

export type PageRecognition = Recognition & { page: number; quality?: QualityReport };

export type DocumentRecognition = {
  /** the best recognition of the document (the first page that yielded one) */
  recognition: PageRecognition;
  pages: PageRecognition[];
};

/** QR-only recognition of one page: an ID card QR or our form's QR, or null. */
export function recognizeFromQrs(codes: DecodedQr[]): Recognition | null {
  let firstError: ScanError | null = null;
  for (const code of codes) {
    const dossierNumber = dossierNumberFromQr(code.text);
    if (dossierNumber) {
      return {
        kind: 'mau01',
        fields: { dossierNumber },
        confidence: { dossierNumber: 1 },
        source: 'qr_image',
        warnings: [],
        raw: code.text,
      };
    }
    const provisionalRef = provisionalRefFromQr(code.text);
    if (provisionalRef) {
      return {
        kind: 'mau01',
        fields: { provisionalRef },
        confidence: { provisionalRef: 1 },
        source: 'qr_image',
        warnings: [],
        raw: code.text,
      };
    }
    const parsed = parseCccdQr(code.text);
    if (parsed.ok) return parsed.recognition;
    firstError ??= new ScanError(parsed.error.code, parsed.error.detail);
  }
  if (firstError) throw firstError;
  return null;
}

/** Merge QR fields over OCR fields: a decoded QR is exact, OCR is a guess. */
function mergeFields(base: Recognition, over: Recognition): Recognition {
  const fields: RecognizedFields = { ...base.fields, ...over.fields };
  return {
    kind: over.kind,
    fields,
    confidence: { ...base.confidence, ...over.confidence },
    source: over.source,
    warnings: [...base.warnings, ...over.warnings],
    ...(over.raw !== undefined ? { raw: over.raw } : {}),
  };
}

export async function recognizePage(
  page: PageImage,
  options: RecognizeOptions = {},
): Promise<PageRecognition> {
  const grey = await greyOf(page);
  const codes = await decodeQrFromGrey(grey);
  let qrError: ScanError | null = null;
  let fromQr: Recognition | null = null;
  try {
    fromQr = recognizeFromQrs(codes);
  } catch (error) {
    if (!(error instanceof ScanError)) throw error;
    qrError = error;
  }
  // An ID card QR carries everything: no OCR needed.
  if (fromQr && fromQr.kind === 'cccd_qr') return { ...fromQr, page: page.index };
  if (!options.ocr) {
    if (fromQr) return { ...fromQr, page: page.index };
    if (qrError) throw qrError;
    throw new ScanError('qr_not_found', 'Không có mã QR và chưa bật nhận dạng chữ (OCR).');
  }
  let quality: QualityReport | undefined;
  if (options.qualityGate !== false) {
    quality = await assessQuality(grey, { dpi: page.dpi });
    if (!quality.ok && !fromQr) {
      throw new ScanError(
        'bad_input',
        quality.messages.join(' '),
        `Ảnh chưa đủ chất lượng để đọc. ${quality.messages.join(' ')}`,
      );
    }
  }
  let fromText: Recognition;
  try {
    fromText = await recognizeTextPage(options.ocr, page);
  } catch (error) {
    // The form's QR already names the dossier: OCR failing on the rest is a warning, not a failure.
    if (!fromQr || !(error instanceof ScanError)) throw error;
    const warning = `Không đọc được chữ trên trang: ${error.detail ?? error.message}`;
    return {
      ...fromQr,
      warnings: [...fromQr.warnings, warning],
      page: page.index,
      ...(quality ? { quality } : {}),
    };
  }
  const merged = fromQr ? mergeFields(fromText, fromQr) : fromText;
  if (qrError) merged.warnings.push(`Mã QR trong ảnh không dùng được: ${qrError.detail ?? qrError.message}`);
  return { ...merged, page: page.index, ...(quality ? { quality } : {}) };
}

/** Recognise an image or PDF: each page in turn (PDFs are limited by MAX_PDF_PAGES). */
export async function recognizeDocument(
  input: string | Uint8Array,
  options: RecognizeOptions = {},
): Promise<DocumentRecognition> {
  const pages = await loadPages(input, options);
  const results: PageRecognition[] = [];
  let lastError: unknown = null;
  for (const page of pages) {
    try {
      results.push(await recognizePage(page, options));
    } catch (error) {
      if (!(error instanceof ScanError)) throw error;
      lastError = error;
    }
  }
  const best = results[0];
  if (!best) throw lastError ?? new ScanError('qr_not_found');
  return { recognition: best, pages: results };
}

/**
 * Text from a barcode/QR reader (HID-POS or keyboard wedge) → a recognition: the ID card's QR, or the
 * dossier number of a printed form. Throws a ScanError (qr_invalid, legacy_encoding) otherwise.
 */
export function recognizeReaderText(text: string): Recognition {
  const r = recognizeFromQrs([{ text: text.normalize('NFC'), position: [] }]);
  if (!r)
    throw new ScanError('qr_invalid', 'Mã đọc được không phải mã QR của thẻ CCCD, số hồ sơ hay mã tạm.');
  return { ...r, source: 'qr_reader' };
}
