// OCR of one page: clean the image, recognise it with the pool (or any OcrEngine), extract fields.

import type { Recognition } from '../../contract/scan.js';
import { ScanError } from '../errors.js';
import type { PageImage } from '../image/load.js';
import { extractFields } from './extract.js';
import type { OcrEngine } from './pool.js';
import { prepareForOcr } from './preprocess.js';

export type TextRecognizer = OcrEngine;

export async function recognizeTextPage(engine: OcrEngine, page: PageImage): Promise<Recognition> {
  const prepared = await prepareForOcr(page.bytes, { dpi: page.dpi });
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
