// ID cards for the corpus, drawn to the ID-1 size (85.6 × 54 mm) at a chosen dpi: the chip CCCD of 2021
// (front: number, name, birth date, sex, origin, residence, QR top right; back: identifying marks, issue
// date, MRZ), the căn cước of July 2024 (front: number, name, birth date, sex, nationality, no QR; back:
// residence, place of birth, issue and expiry dates, QR, MRZ) and the old 9-digit CMND (typed values on
// dotted lines). Backgrounds carry the pale guilloche real cards have. The QR can be intact, partly
// covered (a sticker or a scratch over ~40 % of it, beyond its error correction) or missing.

import QRCode from 'qrcode';
import sharp, { type OverlayOptions } from 'sharp';
import type { CorpusPerson } from './people.js';
import { svgDocument, type FontFamily, type Run, type Shape } from './text.js';

export type QrState = 'intact' | 'covered' | 'missing';
export type CardKind = 'cccd2021_front' | 'cccd2021_back' | 'cccd2024_front' | 'cccd2024_back' | 'cmnd_front';

export type CardSpec = { kind: CardKind; person: CorpusPerson; dpi: number; qr: QrState; font: FontFamily };

const slash = (iso: string, sep = '/'): string => {
  const [y, m, d] = iso.split('-');
  return `${d}${sep}${m}${sep}${y}`;
};
const ddmmyyyy = (iso: string): string => slash(iso, '');

export function cardQrText(p: CorpusPerson): string {
  return [
    p.idNumber,
    p.cmnd,
    p.fullName,
    ddmmyyyy(p.dateOfBirth),
    p.gender,
    p.cardAddress,
    ddmmyyyy(p.cardIssueDate),
  ].join('|');
}

/** ICAO 9303 check digit. */
export function mrzCheck(value: string): string {
  const weights = [7, 3, 1];
  let sum = 0;
  [...value].forEach((c, i) => {
    const v = c === '<' ? 0 : /\d/u.test(c) ? Number(c) : c.charCodeAt(0) - 55;
    sum += v * (weights[i % 3] as number);
  });
  return String(sum % 10);
}

/** The three MRZ lines (TD1) of a Vietnamese ID card. */
export function mrzLines(p: CorpusPerson, expiry: string): string[] {
  const pad = (s: string, n: number): string => (s + '<'.repeat(n)).slice(0, n);
  const doc = p.idNumber.slice(3);
  const line1 = pad(`IDVNM${doc}${mrzCheck(doc)}${p.idNumber}<`, 29);
  const yymmdd = (iso: string): string => iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10);
  const dob = yymmdd(p.dateOfBirth);
  const exp = yymmdd(expiry);
  const l2 = pad(`${dob}${mrzCheck(dob)}${p.gender === 'Nam' ? 'M' : 'F'}${exp}${mrzCheck(exp)}VNM`, 29);
  const line2 = l2 + mrzCheck(line1.slice(5) + l2.slice(0, 7) + l2.slice(8, 15) + l2.slice(18, 29));
  const ascii = p.fullName
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/gu, '')
    .replace(/[đĐ]/gu, 'D')
    .toUpperCase();
  const [family, ...rest] = ascii.split(' ');
  const line3 = pad(`${family}<<${rest.join('<')}`, 30);
  return [line1 + '<', line2, line3];
}

/** The expiry date printed on a card: the 25th, 40th or 60th birthday after issue, as the law sets. */
export function cardExpiry(p: CorpusPerson): string {
  const birth = Number(p.dateOfBirth.slice(0, 4));
  const issued = Number(p.cardIssueDate.slice(0, 4));
  const age = issued - birth;
  const at = age < 23 ? 25 : age < 38 ? 40 : age < 58 ? 60 : null;
  return at === null ? '' : `${birth + at}${p.dateOfBirth.slice(4)}`;
}

type Canvas = { W: number; H: number; mm: (v: number) => number; runs: Run[]; shapes: Shape[] };

function canvas(dpi: number): Canvas {
  const mm = (v: number): number => (v * dpi) / 25.4;
  return { W: Math.round(mm(85.6)), H: Math.round(mm(54)), mm, runs: [], shapes: [] };
}

/** Pale guilloche: interleaved sine waves and a faint drum circle, as the printed security background. */
function guilloche(c: Canvas, colour: string, seed: number): void {
  for (let k = 0; k < 18; k++) {
    const amp = c.mm(1.2 + (k % 4) * 0.4);
    const y0 = c.mm(2 + k * 3);
    let d = `M0 ${y0.toFixed(1)}`;
    for (let x = 0; x <= c.W; x += Math.max(2, c.W / 120)) {
      const y = y0 + amp * Math.sin((x / c.W) * Math.PI * (6 + (k % 3)) + seed + k);
      d += ` L${x.toFixed(1)} ${y.toFixed(1)}`;
    }
    c.shapes.push({ kind: 'path', d, stroke: colour, strokeWidth: Math.max(1, c.mm(0.12)), opacity: 0.55 });
  }
  c.shapes.push({
    kind: 'circle',
    cx: c.W * 0.55,
    cy: c.H * 0.58,
    r: c.mm(15),
    fill: 'none',
    stroke: colour,
    strokeWidth: c.mm(0.6),
  });
}

function emblem(c: Canvas, x: number, y: number, r: number): void {
  c.shapes.push({ kind: 'circle', cx: c.mm(x), cy: c.mm(y), r: c.mm(r), fill: '#d8262c' });
  c.shapes.push({ kind: 'circle', cx: c.mm(x), cy: c.mm(y), r: c.mm(r * 0.45), fill: '#f2c21b' });
}

function photo(c: Canvas, x: number, y: number, w: number, h: number): void {
  c.shapes.push({ kind: 'rect', x: c.mm(x), y: c.mm(y), w: c.mm(w), h: c.mm(h), fill: '#9fb3c6' });
  c.shapes.push({
    kind: 'circle',
    cx: c.mm(x + w / 2),
    cy: c.mm(y + h * 0.38),
    r: c.mm(w * 0.26),
    fill: '#6f5f55',
  });
  c.shapes.push({
    kind: 'rect',
    x: c.mm(x + w * 0.15),
    y: c.mm(y + h * 0.66),
    w: c.mm(w * 0.7),
    h: c.mm(h * 0.34),
    fill: '#3d4a5c',
  });
}

function text(c: Canvas, x: number, y: number, t: string, sizeMm: number, extra: Partial<Run> = {}): void {
  c.runs.push({ x: c.mm(x), y: c.mm(y), text: t, size: c.mm(sizeMm), ...extra });
}

async function qrOverlay(
  c: Canvas,
  content: string,
  x: number,
  y: number,
  sizeMm: number,
  state: QrState,
): Promise<OverlayOptions[]> {
  if (state === 'missing') return [];
  const size = Math.round(c.mm(sizeMm));
  const qr = await sharp(await QRCode.toBuffer(content, { errorCorrectionLevel: 'L', margin: 1, scale: 4 }))
    .resize(size, size, { kernel: 'nearest' })
    .png()
    .toBuffer();
  const out: OverlayOptions[] = [{ input: qr, left: Math.round(c.mm(x)), top: Math.round(c.mm(y)) }];
  if (state === 'covered') {
    // A sticker over the left ~45 % of the code (both left finder patterns): unreadable.
    out.push({
      input: { create: { width: Math.round(size * 0.45), height: size, channels: 3, background: '#e9e4d8' } },
      left: Math.round(c.mm(x)),
      top: Math.round(c.mm(y)),
    });
  }
  return out;
}

async function render(
  c: Canvas,
  family: FontFamily,
  background: string,
  overlays: OverlayOptions[],
  dpi: number,
): Promise<Buffer> {
  const svg = svgDocument(c.W, c.H, family, c.runs, c.shapes, background);
  const base = await sharp(svg).png().toBuffer();
  const composed = overlays.length ? await sharp(base).composite(overlays).png().toBuffer() : base;
  return sharp(composed).withMetadata({ density: dpi }).png().toBuffer();
}

export async function renderCard(spec: CardSpec): Promise<Buffer> {
  const { person: p, dpi, font } = spec;
  const c = canvas(dpi);
  const red = '#c0161d';
  const header = (y: number, size = 2.1, x = 47): void => {
    text(c, x, y, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', size, { style: 'bold', anchor: 'middle' });
    text(c, x, y + size * 1.35, 'Độc lập - Tự do - Hạnh phúc', size, { style: 'bold', anchor: 'middle' });
  };
  switch (spec.kind) {
    case 'cccd2021_front': {
      guilloche(c, '#9cc9d9', 1);
      emblem(c, 10, 9, 5.5);
      header(5.5, 1.8, 41);
      text(c, 41, 11.8, 'SOCIALIST REPUBLIC OF VIET NAM', 1.5, { anchor: 'middle' });
      text(c, 41, 14.1, 'Independence - Freedom - Happiness', 1.5, { anchor: 'middle' });
      text(c, 44, 19.5, 'CĂN CƯỚC CÔNG DÂN', 3.4, { style: 'bold', anchor: 'middle', fill: red });
      text(c, 44, 22.3, 'Citizen Identity Card', 1.8, { anchor: 'middle' });
      photo(c, 3.5, 22.5, 20, 25);
      text(c, 26, 27.3, 'Số / No.:', 2.0);
      text(c, 38.5, 27.6, p.idNumber, 3.2, { style: 'bold' });
      text(c, 26, 30.8, 'Họ và tên / Full name:', 1.9);
      text(c, 26, 34.3, p.fullName.toLocaleUpperCase('vi'), 2.9, { style: 'bold' });
      text(c, 26, 37.8, 'Ngày sinh / Date of birth: ', 1.9, {
        tail: { text: slash(p.dateOfBirth), style: 'regular' },
      });
      text(c, 26, 41.0, `Giới tính / Sex: ${p.gender}`, 1.9);
      text(c, 50, 41.0, 'Quốc tịch / Nationality: Việt Nam', 1.7);
      text(c, 26, 44.2, 'Quê quán / Place of origin:', 1.9);
      text(c, 26, 47.0, p.placeOfOrigin, 2.1);
      const parts = p.cardAddress.split(', ');
      text(c, 26, 50.0, 'Nơi thường trú / Place of residence: ', 1.7, {
        tail: { text: parts[0] ?? '', style: 'regular' },
      });
      text(c, 26, 52.8, parts.slice(1).join(', '), 2.0);
      text(c, 3.5, 50.5, 'Có giá trị đến:', 1.5);
      text(c, 3.5, 52.6, slash(cardExpiry(p) || '2099-12-31'), 1.6);
      const qr = await qrOverlay(c, cardQrText(p), 68.5, 2.5, 15, spec.qr);
      return render(c, font, '#eef5f3', qr, dpi);
    }
    case 'cccd2021_back': {
      guilloche(c, '#a8cdd8', 2);
      text(c, 3.5, 6, 'Đặc điểm nhân dạng / Personal identification:', 1.8);
      text(c, 3.5, 9, 'Nốt ruồi C:1cm trên sau đầu mày phải', 2.0);
      text(c, 3.5, 13.5, 'Ngày, tháng, năm / Date, month, year: ', 1.8, {
        tail: { text: slash(p.cardIssueDate), style: 'regular' },
      });
      text(c, 22, 17, 'CỤC TRƯỞNG CỤC CẢNH SÁT', 1.6, { style: 'bold', anchor: 'middle' });
      text(c, 22, 19.5, 'QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI', 1.6, { style: 'bold', anchor: 'middle' });
      c.shapes.push({
        kind: 'circle',
        cx: c.mm(20),
        cy: c.mm(26),
        r: c.mm(5),
        fill: 'none',
        stroke: red,
        strokeWidth: c.mm(0.5),
      });
      text(c, 20, 33, 'Tô Văn Huệ', 2.0, { style: 'bold', anchor: 'middle' });
      for (const [x, label] of [
        [45, 'Ngón trỏ trái'],
        [66, 'Ngón trỏ phải'],
      ] as const) {
        c.shapes.push({
          kind: 'rect',
          x: c.mm(x),
          y: c.mm(4),
          w: c.mm(17),
          h: c.mm(22),
          fill: '#f4f4f0',
          stroke: '#777',
          strokeWidth: c.mm(0.15),
        });
        c.shapes.push({ kind: 'circle', cx: c.mm(x + 8.5), cy: c.mm(14), r: c.mm(6), fill: '#b9b9b9' });
        text(c, x + 8.5, 29, label, 1.5, { anchor: 'middle' });
      }
      mrz(c, mrzLines(p, cardExpiry(p) || '2099-12-31'));
      return render(c, font, '#eef5f3', [], dpi);
    }
    case 'cccd2024_front': {
      guilloche(c, '#e3b9a4', 3);
      emblem(c, 10, 9, 5.5);
      header(5.5, 2.0);
      text(c, 47, 12.2, 'SOCIALIST REPUBLIC OF VIET NAM', 1.6, { anchor: 'middle' });
      text(c, 47, 14.6, 'Independence - Freedom - Happiness', 1.6, { anchor: 'middle' });
      text(c, 47, 19.5, 'CĂN CƯỚC', 3.6, { style: 'bold', anchor: 'middle', fill: red });
      text(c, 47, 22.3, 'IDENTITY CARD', 1.8, { anchor: 'middle' });
      photo(c, 3.5, 22.5, 20, 25);
      text(c, 26, 26.5, 'Số định danh cá nhân/Personal identification number:', 1.6);
      text(c, 26, 30.3, p.idNumber, 3.2, { style: 'bold' });
      text(c, 26, 33.8, 'Họ, chữ đệm và tên khai sinh/Surname, middle name and given name:', 1.5);
      text(c, 26, 37.3, p.fullName.toLocaleUpperCase('vi'), 2.9, { style: 'bold' });
      text(c, 26, 41.0, 'Ngày, tháng, năm sinh/Date of birth: ', 1.8, {
        tail: { text: slash(p.dateOfBirth), style: 'regular' },
      });
      text(c, 26, 44.5, 'Giới tính/Sex: ', 1.8, { tail: { text: p.gender, style: 'regular' } });
      text(c, 26, 48.0, 'Quốc tịch/Nationality: Việt Nam', 1.8);
      return render(c, font, '#f7efe9', [], dpi);
    }
    case 'cccd2024_back': {
      guilloche(c, '#e3b9a4', 4);
      const qr = await qrOverlay(c, cardQrText(p), 3, 3, 16, spec.qr);
      const [a = '', ...b] = splitAddress(p.cardAddress);
      text(c, 22, 6, 'Nơi cư trú/Place of residence:', 1.7);
      text(c, 22, 9.2, a, 2.1);
      text(c, 22, 12.2, b.join(', '), 2.1);
      text(c, 22, 16, 'Nơi đăng ký khai sinh/Place of birth:', 1.7);
      text(c, 22, 19.2, p.placeOfOrigin, 2.1);
      text(c, 22, 23.5, 'Ngày, tháng, năm cấp/Date of issue: ', 1.7, {
        tail: { text: slash(p.cardIssueDate), style: 'regular' },
      });
      text(c, 22, 26.8, 'Ngày, tháng, năm hết hạn/Date of expiry: ', 1.7, {
        tail: { text: slash(cardExpiry(p) || '2099-12-31'), style: 'regular' },
      });
      text(c, 60, 31, 'BỘ CÔNG AN', 1.9, { style: 'bold', anchor: 'middle' });
      text(c, 60, 33.5, 'MINISTRY OF PUBLIC SECURITY', 1.5, { anchor: 'middle' });
      mrz(c, mrzLines(p, cardExpiry(p) || '2099-12-31'));
      return render(c, font, '#f7efe9', qr, dpi);
    }
    case 'cmnd_front': {
      guilloche(c, '#a9c7e8', 5);
      emblem(c, 14, 12, 8);
      photo(c, 5, 25, 18, 24);
      text(c, 56, 5.5, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 2.0, { style: 'bold', anchor: 'middle' });
      text(c, 56, 8.4, 'Độc lập - Tự do - Hạnh phúc', 2.0, { style: 'bold', anchor: 'middle' });
      text(c, 56, 13, 'GIẤY CHỨNG MINH NHÂN DÂN', 3.0, { style: 'bold', anchor: 'middle' });
      text(c, 56, 18.5, `SỐ ${p.cmnd}`, 3.8, { style: 'bold', anchor: 'middle', fill: red });
      const typed = 'DejaVu Sans Mono' as const;
      const dotted = (y: number): void => {
        c.shapes.push({
          kind: 'path',
          d: `M${c.mm(27)} ${c.mm(y + 0.6)} L${c.mm(83)} ${c.mm(y + 0.6)}`,
          stroke: '#555',
          strokeWidth: c.mm(0.12),
          opacity: 0.8,
        });
      };
      text(c, 27, 24, 'Họ tên: ', 2.1, { tail: { text: p.fullName.toLocaleUpperCase('vi'), style: 'bold' } });
      dotted(24);
      text(c, 27, 29, 'Sinh ngày: ', 2.1, { tail: { text: slash(p.dateOfBirth, '-'), style: 'regular' } });
      dotted(29);
      const origin = splitAddress(p.placeOfOrigin);
      text(c, 27, 34, 'Nguyên quán: ', 2.1, { tail: { text: origin[0] ?? '', style: 'regular' } });
      dotted(34);
      text(c, 27, 38.5, origin.slice(1).join(', '), 2.1, { family: typed });
      dotted(38.5);
      const [a = '', ...b] = splitAddress(p.cardAddress);
      text(c, 27, 43, 'Nơi ĐKHK thường trú: ', 2.1, { tail: { text: a, style: 'regular' } });
      dotted(43);
      text(c, 27, 47.5, b.join(', '), 2.1, { family: typed });
      dotted(47.5);
      return render(c, font, '#e9f1f8', [], dpi);
    }
    default: {
      const never: never = spec.kind;
      return never;
    }
  }
}

/** "hamlet, commune, district, province" → the first two parts on one line, the rest on the next. */
function splitAddress(address: string): string[] {
  const parts = address.split(', ');
  return [parts.slice(0, 2).join(', '), ...parts.slice(2)];
}

function mrz(c: Canvas, lines: string[]): void {
  lines.forEach((line, i) => {
    c.runs.push({
      x: c.mm(4),
      y: c.mm(41 + i * 4.5),
      text: line,
      size: c.mm(3.0),
      family: 'DejaVu Sans Mono',
    });
  });
}
