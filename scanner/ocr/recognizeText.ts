// OCR of one page: clean the image (light, skew, border; see preprocess.ts), read the whole page once
// to find the layout (the form's or the card's labels and where their values stand), extract the
// fields, then read each numeric field's zone again with the right settings — one line, digits only —
// and keep the reading that passes the field's check. Two readings that agree raise the confidence;
// two valid readings that differ lower it and warn the officer. A chip card's birth date is read four
// times (the page, its zone as it is, and its zone cleaned of the card's background in two ways) and
// is reliable only when every reading agrees (settleDateReadings).
//
// The whole page is read (not its top half, as before): on the portal's print in a 13-pt serif the
// contact's e-mail and mobile stand at 55–62 % of the page, and sections 2 and 3 lower still.

import sharp from 'sharp';
import { FIELD_LABEL, type Recognition, type RecognizedField } from '../../contract/scan.js';
import { checkBhxhCode, checkMobile, parseCccd } from '../../contract/identity.js';
import { ScanError } from '../errors.js';
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
import { otsuThreshold, type Grey } from '../image/analyse.js';
import { mark } from '../trace.js';

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

function decodePgm(pgm: Buffer): Grey | null {
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/u.exec(pgm.subarray(0, 40).toString('latin1'));
  if (!header) return null;
  const body = pgm.subarray(header[0].length);
  return {
    data: new Uint8Array(body.buffer, body.byteOffset, body.length),
    width: Number(header[1]),
    height: Number(header[2]),
  };
}

async function enlargeGrey(grey: Grey, scale: number): Promise<Grey> {
  const { data, info } = await sharp(grey.data, {
    raw: { width: grey.width, height: grey.height, channels: 1 },
  })
    .resize(grey.width * scale, grey.height * scale, { kernel: 'lanczos3' })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}

/** A PGM zone enlarged `scale` times (Lanczos), or as it is. */
async function enlargePgm(pgm: Buffer, scale: number): Promise<Buffer> {
  if (scale === 1) return pgm;
  const grey = decodePgm(pgm);
  return grey ? encodePgm(await enlargeGrey(grey, scale)) : pgm;
}

/**
 * A card's date zone cleaned of its background, twice and differently, both enlarged 2×: (1) made
 * black and white at 0.85 × the enlarged zone's Otsu level, (2) every pixel lighter than 0.8 × the
 * zone's own Otsu level made white, the darker ones kept grey. The chip card's guilloche crosses the
 * month in a light grey stroke that tesseract reads into the digit (03 and 09 read as "08" by the
 * page and by the plain zone alike, at confidence 0.95–1); the text is darker than that stroke, so
 * both cuts remove it. Measured on the corpus's 72 chip-card fronts: each cut alone never returned a
 * wrong date where the plain zone returned two.
 */
export async function cleanedDateZones(pgm: Buffer): Promise<Buffer[]> {
  const zone = decodePgm(pgm);
  if (!zone) return [];
  const own = otsuThreshold(zone.data);
  const big = await enlargeGrey(zone, 2);
  const level = otsuThreshold(big.data) * 0.85;
  const binary = big.data.map((v) => (v > level ? 255 : 0));
  const clipped = big.data.map((v) => (v > own * 0.8 ? 255 : v));
  return [binary, clipped].map((data) => encodePgm({ ...big, data }));
}

/**
 * A card's birth date from its readings: the page's (`page`), the zone's as it is (`plain`) and the
 * two cleaned zones (`cleaned`); years already taken from the number where it gives one. Readings
 * that all agree make it reliable (0.95, or the page's own confidence when higher). Otherwise the
 * cleaned zones decide when they agree (or one of them alone read a date), else the page's reading
 * stays; and a date the readings disagree on never comes back at 0.9 or above.
 */
export function settleDateReadings(
  page: { value: string; confidence: number } | undefined,
  plain: string | null,
  cleaned: Array<string | null>,
): { value: string; confidence: number; disagree: boolean } | null {
  const all = [page?.value ?? null, plain, ...cleaned].filter((v): v is string => v !== null);
  if (all.length === 0) return null;
  const first = all[0] as string;
  if (all.every((v) => v === first)) {
    // Zone readings alone (the page lost the date) stay below the reliable line however many agree.
    const confidence = !page
      ? all.length > 1
        ? 0.85
        : 0.7
      : all.length > 1
        ? Math.max(page.confidence, 0.95)
        : page.confidence;
    return { value: first, confidence, disagree: false };
  }
  const read = cleaned.filter((v): v is string => v !== null);
  const agreed = read.length > 0 && read.every((v) => v === read[0]) ? (read[0] as string) : null;
  const value = agreed ?? page?.value ?? plain ?? first;
  const backed = [page?.value ?? null, plain].filter((v) => v === value).length + (agreed ? read.length : 0);
  return { value, confidence: backed >= 2 ? 0.7 : 0.5, disagree: true };
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
  // A card's birth date (dd/mm/yyyy; dd-mm-yyyy on a CMND): its day and month are misread as often
  // as the year.
  dateOfBirth: {
    whitelist: '0123456789/-',
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
  mark('photo rectified (or not)');
  const prepared = await prepareForOcr(flat, { dpi: page.dpi });
  mark('cleaned: light, skew, border');
  // A portrait page is most likely a Mẫu 01: read it by its layout (two small passes), and the whole
  // page only when that finds too few of the form's labels.
  const portrait = prepared.height / prepared.width > 1.25;
  const byLayout = portrait
    ? await readFormByLayout(engine, prepared.grey, prepared.dpi, mau01LineNeed)
    : null;
  const ocr = byLayout?.page ?? (await engine.recognize({ image: prepared.bytes, dpi: prepared.dpi }));
  mark(byLayout ? 'OCR: two layout passes' : 'OCR: whole page');
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
    const cut = cutZone(prepared.grey, zone, pad);
    const readZone = async (image: Buffer, dpi: number): Promise<string | null> => {
      const again = await engine.recognize({ image, dpi, layout: 'line', whitelist: spec.whitelist });
      // The value is the longest digit run of the zone (a label's stray letters read as digits are short).
      const runs = again.text
        .replace(spec.keepSlash ? /[^\d/+\s-]/gu : /[^\d+\s]/gu, ' ')
        .split(/\s{2,}|\n/u)
        .map((r) => r.replace(/\s/gu, ''));
      const value = spec.read
        ? spec.read(again.text)
        : (runs.map(spec.check).find((v) => v !== null) ?? null);
      // A card's birth year is the one its number encodes (crossCheckCard): compare day and month.
      return value && field === 'dateOfBirth' && card?.ok
        ? `${card.value.yearOfBirth}${value.slice(4)}`
        : value;
    };
    const card =
      field === 'dateOfBirth' && recognition.fields.idNumber ? parseCccd(recognition.fields.idNumber) : null;
    const second = await readZone(await enlargePgm(cut, scale), prepared.dpi * scale);
    const first = recognition.fields[field] as string | undefined;
    if (field === 'dateOfBirth' && recognition.kind === 'cccd_front') {
      const cleaned: Array<string | null> = [];
      for (const image of await cleanedDateZones(cut)) cleaned.push(await readZone(image, prepared.dpi * 2));
      // The page's reading in another year than the number's: its year is taken from the number and
      // the reading counts as a weak one (its digits were misread at least once).
      const pageReading =
        first === undefined
          ? undefined
          : card?.ok && Number(first.slice(0, 4)) !== card.value.yearOfBirth
            ? { value: `${card.value.yearOfBirth}${first.slice(4)}`, confidence: 0.5 }
            : { value: first, confidence: recognition.confidence[field] ?? 0 };
      const settled = settleDateReadings(pageReading, second, cleaned);
      if (!settled) continue;
      recognition.fields.dateOfBirth = settled.value;
      recognition.confidence.dateOfBirth = settled.confidence;
      if (settled.disagree)
        recognition.warnings.push(`${FIELD_LABEL[field]}: các lần đọc cho kết quả khác nhau, cần xem lại.`);
      continue;
    }
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
  mark('zones read again');
  if (recognition.kind === 'cccd_front') sexFromNumber(found.builder);
  return recognition;
}
