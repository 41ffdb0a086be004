// OCR of one page: clean the image (light, skew, border; see preprocess.ts), read the whole page once
// to find the layout (the form's or the card's labels and where their values stand), extract the
// fields, then read each numeric field's zone again with the right settings — one line, digits only —
// and keep the reading that passes the field's check. Two readings that agree raise the confidence;
// two valid readings that differ lower it and warn the officer.
//
// The whole page is read (not its top half, as before): on the portal's print in a 13-pt serif the
// contact's e-mail and mobile stand at 55–62 % of the page, and sections 2 and 3 lower still.

import sharp from 'sharp';
import { FIELD_LABEL, type Recognition, type RecognizedField } from '../../contract/scan.js';
import { checkBhxhCode, checkMobile, parseCccd } from '../../contract/identity.js';
import { ScanError } from '../errors.js';
import type { Grey } from '../image/analyse.js';
import { greyOf } from '../image/grey.js';
import { rectifyPhoto } from '../image/rectify.js';
import type { PageImage } from '../image/load.js';
import {
  capitalWords,
  cleanEmail,
  extractWithZones,
  findDate,
  mau01LineNeed,
  settleCardName,
  sexFromNumber,
} from './extract.js';
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

/** A zone of the cleaned page with `margin` × its height of the page around it (a card's name line). */
export function cutLine(grey: Grey, box: OcrBox, margin: number): Buffer {
  const m = Math.round((box.y1 - box.y0) * margin);
  const x0 = Math.max(0, box.x0 - m);
  const y0 = Math.max(0, box.y0 - m);
  const x1 = Math.min(grey.width, box.x1 + m);
  const y1 = Math.min(grey.height, box.y1 + m);
  const w = x1 - x0;
  const out = new Uint8Array(w * (y1 - y0));
  for (let y = y0; y < y1; y++)
    out.set(grey.data.subarray(y * grey.width + x0, y * grey.width + x1), (y - y0) * w);
  return encodePgm({ data: out, width: w, height: y1 - y0 });
}

type Check = (digits: string) => string | null;
/** A PGM zone enlarged `scale` times (Lanczos), or as it is. */
async function enlargePgm(pgm: Buffer, scale: number): Promise<Buffer> {
  if (scale === 1) return pgm;
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/u.exec(pgm.subarray(0, 40).toString('latin1'));
  if (!header) return pgm;
  const width = Number(header[1]);
  const height = Number(header[2]);
  const { data, info } = await sharp(pgm.subarray(header[0].length), { raw: { width, height, channels: 1 } })
    .resize(width * scale, height * scale, { kernel: 'lanczos3' })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return encodePgm({
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  });
}

type ZoneSpec = {
  whitelist: string;
  check: Check;
  keepSlash?: boolean;
  enlargeBelowDpi?: number;
  /** the value from the whole zone's text (instead of its digit runs) */
  read?: (text: string) => string | null;
};
/** What an e-mail may hold, as tesseract's whitelist (the "@" OCR reads as "(@", "©" among them). */
const EMAIL_CHARACTERS = 'abcdefghijklmnopqrstuvwxyz0123456789@._-';
const readEmail = (text: string): string | null =>
  text
    .split(/\s+/u)
    .map((t) => cleanEmail(t))
    .find((v) => v !== null) ?? cleanEmail(text);
const EMAIL_ZONE: ZoneSpec = {
  whitelist: EMAIL_CHARACTERS,
  check: () => null,
  enlargeBelowDpi: 250,
  read: readEmail,
};
const NUMERIC: Partial<Record<RecognizedField, ZoneSpec>> = {
  email: EMAIL_ZONE,
  updateEmail: EMAIL_ZONE,
  // A card's birth date (dd/mm/yyyy): its day and month are misread as often as the year.
  dateOfBirth: {
    whitelist: '0123456789/',
    keepSlash: true,
    enlargeBelowDpi: 250,
    check: (d) => findDate(d),
  },
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
  // A phone photo (the paper on a desk, at an angle) is made rectangular first: the layout reader
  // needs level lines, and the light is evened out by prepareForOcr only once the desk is gone.
  const { grey: flat } = await rectifyPhoto(await regionForOcr(page));
  const prepared = await prepareForOcr(flat, { dpi: page.dpi });
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
  // A card's name in capitals: its line read again on its own, and the tone marks settled on both.
  if (found.nameWords && zones.fullName) {
    const again = await engine.recognize({
      image: cutLine(prepared.grey, zones.fullName, 0.25),
      dpi: prepared.dpi,
      layout: 'block',
    });
    const words = capitalWords(again.text.replace(/\n/gu, ' '));
    if (words) settleCardName(found.builder, [found.nameWords, words]);
  }
  const pad = Math.round(prepared.dpi / 12);
  for (const [field, zone] of Object.entries(zones) as Array<[RecognizedField, OcrBox]>) {
    const spec = NUMERIC[field];
    if (!spec) continue;
    // Small print (a card's date at 150–200 dpi) is read again twice as large: its digits are ~12 px.
    const scale = spec.enlargeBelowDpi && prepared.dpi < spec.enlargeBelowDpi ? 2 : 1;
    const again = await engine.recognize({
      image: await enlargePgm(cutZone(prepared.grey, zone, pad), scale),
      dpi: prepared.dpi * scale,
      layout: 'line',
      whitelist: spec.whitelist,
    });
    // The value is the longest digit run of the zone (a label's stray letters read as digits are short).
    const runs = again.text
      .replace(spec.keepSlash ? /[^\d/+\s]/gu : /[^\d+\s]/gu, ' ')
      .split(/\s{2,}|\n/u)
      .map((r) => r.replace(/\s/gu, ''));
    let second = spec.read ? spec.read(again.text) : (runs.map(spec.check).find((v) => v !== null) ?? null);
    // A card's birth year is the one its number encodes (crossCheckCard): compare day and month.
    const card =
      field === 'dateOfBirth' && recognition.fields.idNumber ? parseCccd(recognition.fields.idNumber) : null;
    if (second && card?.ok) second = `${card.value.yearOfBirth}${second.slice(4)}`;
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
  if (recognition.kind === 'cccd_front') sexFromNumber(found.builder);
  return recognition;
}
