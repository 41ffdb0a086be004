// OCR of one page: clean the image (light, skew, border; see preprocess.ts), read the whole page once
// to find the layout (the form's or the card's labels and where their values stand), extract the
// fields, then read each numeric field's zone again with the right settings — one line, digits only —
// and keep the reading that passes the field's check. Two readings that agree raise the confidence;
// two valid readings that differ lower it and warn the officer.
//
// The whole page is read (not its top half, as before): on the portal's print in a 13-pt serif the
// contact's e-mail and mobile stand at 55–62 % of the page, and sections 2 and 3 lower still.

import { FIELD_LABEL, type Recognition, type RecognizedField } from '../../contract/scan.js';
import { checkBhxhCode, checkMobile, parseCccd } from '../../contract/identity.js';
import { ScanError } from '../errors.js';
import type { Grey } from '../image/analyse.js';
import { greyOf } from '../image/grey.js';
import type { PageImage } from '../image/load.js';
import { extractWithZones, mau01LineNeed } from './extract.js';
import { readFormByLayout } from './layout.js';
import type { OcrBox, OcrEngine } from './pool.js';
import { encodePgm, prepareForOcr } from './preprocess.js';

export type TextRecognizer = OcrEngine;

/** The part of the page worth reading: all of it (kept as a function for callers and the bench). */
export async function regionForOcr(page: PageImage): Promise<Grey> {
  return greyOf(page);
}

/** A zone of the cleaned page with a white margin around it, as PGM. */
export function cutZone(grey: Grey, box: OcrBox, pad: number): Buffer {
  const x0 = Math.max(0, Math.floor(box.x0 - pad / 2));
  const y0 = Math.max(0, Math.floor(box.y0 - pad / 4));
  const x1 = Math.min(grey.width, Math.ceil(box.x1 + pad / 2));
  const y1 = Math.min(grey.height, Math.ceil(box.y1 + pad / 4));
  const w = x1 - x0 + 2 * pad;
  const h = y1 - y0 + 2 * pad;
  const out = new Uint8Array(w * h).fill(255);
  for (let y = y0; y < y1; y++) {
    const row = grey.data.subarray(y * grey.width + x0, y * grey.width + x1);
    out.set(row, (y - y0 + pad) * w + pad);
  }
  return encodePgm({ data: out, width: w, height: h });
}

type Check = (digits: string) => string | null;
const NUMERIC: Partial<Record<RecognizedField, { whitelist: string; check: Check }>> = {
  bhxhCode: { whitelist: '0123456789', check: (d) => (d.length === 10 && checkBhxhCode(d).ok ? d : null) },
  idNumber: {
    whitelist: '0123456789',
    check: (d) => (d.length === 12 && parseCccd(d).ok ? d : d.length === 9 ? d : null),
  },
  mobile: {
    whitelist: '0123456789+',
    check: (d) => {
      const c = checkMobile(d);
      return c.ok ? c.value : null;
    },
  },
};

export async function recognizeTextPage(engine: OcrEngine, page: PageImage): Promise<Recognition> {
  const prepared = await prepareForOcr(await regionForOcr(page), { dpi: page.dpi });
  // A portrait page is most likely a Mẫu 01: read it by its layout (two small passes), and the whole
  // page only when that finds too few of the form's labels.
  const portrait = prepared.height / prepared.width > 1.25;
  const byLayout = portrait
    ? await readFormByLayout(engine, prepared.grey, prepared.dpi, mau01LineNeed)
    : null;
  const ocr = byLayout?.page ?? (await engine.recognize({ image: prepared.bytes, dpi: prepared.dpi }));
  const found = extractWithZones(ocr, byLayout ? 'mau01' : undefined);
  if (!found) {
    throw new ScanError(
      'bad_input',
      'Không nhận ra loại giấy tờ (Mẫu 01, CCCD hoặc CMND) trong ảnh.',
      'Không nhận ra loại giấy tờ: ảnh không phải tờ khai Mẫu 01, thẻ CCCD hay CMND, hoặc chữ không đọc được.',
    );
  }
  const { recognition, zones } = found;
  const pad = Math.round(prepared.dpi / 12);
  for (const [field, zone] of Object.entries(zones) as Array<[RecognizedField, OcrBox]>) {
    const spec = NUMERIC[field];
    if (!spec) continue;
    const again = await engine.recognize({
      image: cutZone(prepared.grey, zone, pad),
      dpi: prepared.dpi,
      layout: 'line',
      whitelist: spec.whitelist,
    });
    // The value is the longest digit run of the zone (a label's stray letters read as digits are short).
    const runs = again.text
      .replace(/[^\d+\s]/gu, ' ')
      .split(/\s{2,}|\n/u)
      .map((r) => r.replace(/\s/gu, ''));
    const second = runs.map(spec.check).find((v) => v !== null) ?? null;
    const first = recognition.fields[field] as string | undefined;
    if (second === null) continue;
    if (first === undefined) {
      (recognition.fields as Record<string, string>)[field] = second;
      recognition.confidence[field] = 0.7;
    } else if (first === second) {
      recognition.confidence[field] = Math.max(recognition.confidence[field] ?? 0, 0.95);
    } else {
      recognition.confidence[field] = Math.min(recognition.confidence[field] ?? 0, 0.5);
      recognition.warnings.push(`${FIELD_LABEL[field]}: hai lần đọc cho kết quả khác nhau, cần xem lại.`);
    }
  }
  return recognition;
}
