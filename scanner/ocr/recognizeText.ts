// OCR of one page: clean the image, recognise it with the pool (or any OcrEngine), extract fields.
// A page-shaped image (A4 portrait) is read from its top part only: every field of Mẫu 01 — the
// dossier number, name, codes, address, phone, e-mail — stands there, and OCR time grows with area.

import type { Recognition } from '../../contract/scan.js';
import { ScanError } from '../errors.js';
import type { Grey } from '../image/analyse.js';
import { greyOf, topRows } from '../image/grey.js';
import type { PageImage } from '../image/load.js';
import { extractFields } from './extract.js';
import type { OcrEngine } from './pool.js';
import { prepareForOcr } from './preprocess.js';

export type TextRecognizer = OcrEngine;

/** Fraction of an A4 page's height that holds the form's fields. */
export const FORM_FIELDS_HEIGHT = 0.55;

/** The part of the page worth reading: the top of a portrait page, the whole of a card. */
export async function regionForOcr(page: PageImage): Promise<Grey> {
  const grey = await greyOf(page);
  const portraitPage = grey.height / grey.width > 1.25;
  return portraitPage ? topRows(grey, FORM_FIELDS_HEIGHT) : grey;
}

export async function recognizeTextPage(engine: OcrEngine, page: PageImage): Promise<Recognition> {
  const prepared = await prepareForOcr(await regionForOcr(page), { dpi: page.dpi });
  const ocr = await engine.recognize({ image: prepared.bytes, dpi: prepared.dpi });
  const recognition = extractFields(ocr);
  if (!recognition) {
    throw new ScanError(
      'bad_input',
      'Không nhận ra loại giấy tờ (Mẫu 01, CCCD hoặc CMND) trong ảnh.',
      'Không nhận ra loại giấy tờ: ảnh không phải tờ khai Mẫu 01, thẻ CCCD hay CMND, hoặc chữ không đọc được.',
    );
  }
  return recognition;
}
