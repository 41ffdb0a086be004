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
import { mark } from './trace.js';

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

type TextResult = { ok: true; r: Recognition } | { ok: false; error: unknown };

/** Start reading a page's text: its result, and when its first OCR request went to the worker. */
function startText(
  ocr: TextRecognizer,
  page: PageImage,
): { result: Promise<TextResult>; started: Promise<void> } {
  let sent: () => void = () => undefined;
  const first = new Promise<void>((resolve) => (sent = resolve));
  const result = recognizeTextPage(
    {
      recognize: (request) => {
        sent();
        return ocr.recognize(request);
      },
    },
    page,
  ).then(
    (r): TextResult => ({ ok: true, r }),
    (error: unknown): TextResult => ({ ok: false, error }),
  );
  return { result, started: Promise.race([first, result.then(() => undefined)]) };
}

export async function recognizePage(
  page: PageImage,
  options: RecognizeOptions = {},
): Promise<PageRecognition> {
  mark('image decoded');
  const grey = await greyOf(page);
  mark('grey');
  const qrFrom = (codes: DecodedQr[]): { fromQr: Recognition | null; qrError: ScanError | null } => {
    try {
      return { fromQr: recognizeFromQrs(codes), qrError: null };
    } catch (error) {
      if (!(error instanceof ScanError)) throw error;
      return { fromQr: null, qrError: error };
    }
  };
  const portrait = grey.height / grey.width > 1.25;
  // A page (portrait) is read whatever its QR says (our print's QR names the dossier only): its OCR
  // starts first, and the QR's first pass and the quality gate (~0.1 s of this thread on a Mẫu 01
  // page) run while the OCR worker reads, instead of before it.
  let reading = portrait && options.ocr ? startText(options.ocr, page) : null;
  if (reading) await reading.started;
  // The cheap QR pass first: an ID card's QR carries everything, and then no OCR is needed.
  let { fromQr, qrError } = qrFrom(await decodeQrFromGrey(grey, { pass: 'first' }));
  mark('QR, first pass');
  if (fromQr && fromQr.kind === 'cccd_qr') return { ...fromQr, page: page.index };
  if (!options.ocr) {
    if (!fromQr) ({ fromQr, qrError } = qrFrom(await decodeQrFromGrey(grey, { pass: 'rest' })));
    if (fromQr) return { ...fromQr, page: page.index };
    if (qrError) throw qrError;
    throw new ScanError('qr_not_found', 'Không có mã QR và chưa bật nhận dạng chữ (OCR).');
  }
  // The slower QR passes: on a card (small) they run on this thread while the OCR worker reads the
  // text; on a page they run only if its text did not give the dossier number (the portal's print
  // has no QR: searching it at full size cost ~1 s of a 2-core machine's time for nothing).
  let laterQr: Promise<{ fromQr: Recognition | null; qrError: ScanError | null }> = fromQr
    ? Promise.resolve({ fromQr, qrError })
    : portrait
      ? Promise.resolve({ fromQr: null, qrError: null })
      : decodeQrFromGrey(grey, { pass: 'rest' }).then(qrFrom);
  let quality: QualityReport | undefined;
  if (options.qualityGate !== false) {
    // An ID card scanned at 150 dpi is 505 px wide: readable, so the size floor sits below it.
    quality = await assessQuality(grey, { dpi: page.dpi, thresholds: { minLongSidePx: 480 } });
    mark('quality gate');
    if (!quality.ok) {
      const later = await laterQr;
      if (later.fromQr?.kind === 'cccd_qr') return { ...later.fromQr, page: page.index };
      if (!later.fromQr) {
        throw new ScanError(
          'bad_input',
          quality.messages.join(' '),
          `Ảnh chưa đủ chất lượng để đọc. ${quality.messages.join(' ')}`,
        );
      }
    }
  }
  reading ??= startText(options.ocr, page);
  const textPromise = reading.result;
  if (portrait && !fromQr) {
    const text = await textPromise;
    if (!text.ok || !text.r.fields.dossierNumber)
      laterQr = decodeQrFromGrey(grey, { pass: 'rest' }).then(qrFrom);
  }
  ({ fromQr, qrError } = await laterQr);
  // A card's QR found by the slower passes: it is exact, OCR's reading is not needed.
  if (fromQr && fromQr.kind === 'cccd_qr') {
    await textPromise;
    return { ...fromQr, page: page.index, ...(quality ? { quality } : {}) };
  }
  const text = await textPromise;
  if (!text.ok) {
    const error = text.error;
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
  const merged = fromQr ? mergeFields(text.r, fromQr) : text.r;
  if (qrError) merged.warnings.push(`Mã QR trong ảnh không dùng được: ${qrError.detail ?? qrError.message}`);
  return { ...merged, page: page.index, ...(quality ? { quality } : {}) };
}

/** Recognise an image or PDF: each page in turn (PDFs are limited by MAX_PDF_PAGES). */
export async function recognizeDocument(
  input: string | Uint8Array,
  options: RecognizeOptions = {},
): Promise<DocumentRecognition> {
  mark('reading the file');
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
