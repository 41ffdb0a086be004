// Generated test images for the scanner: Mẫu 01 pages in our printed style (sans-serif, QR with the
// dossier number) and in the portal's style (serif, no QR, number top right under "Mẫu số 01"),
// ID-card-like fronts (chip CCCD with its QR, old CMND), bare QR images, and the degradations
// recognition must survive (rotation 1–3°, noise, blur, JPEG quality 40, 150 dpi). Made at test time
// with sharp (SVG text in DejaVu fonts) and qrcode: no committed binaries.

import QRCode from 'qrcode';
import sharp, { type OverlayOptions } from 'sharp';
import type { SyntheticPerson } from '../../../../contract/synthetic.js';

export type FormData = SyntheticPerson & { dossierNumber: string };

const esc = (s: string): string => s.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;');

/** ddmmyyyy as on the card's QR. */
export function qrDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}${m}${y}`;
}
export function slashDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

export function cccdQrText(p: SyntheticPerson, issueDate = '2021-07-01', oldId = ''): string {
  return [p.idNumber, oldId, p.fullName, qrDate(p.dateOfBirth), p.gender, p.address, qrDate(issueDate)].join(
    '|',
  );
}

export async function qrPng(text: string, scale = 4, margin = 4): Promise<Buffer> {
  return QRCode.toBuffer(text, { errorCorrectionLevel: 'M', scale, margin });
}

type TextLine = {
  x: number;
  y: number;
  text: string;
  size: number;
  bold?: boolean;
  anchor?: 'start' | 'middle' | 'end';
};

function svgPage(width: number, height: number, family: string, lines: TextLine[]): Buffer {
  const body = lines
    .map(
      (l) =>
        `<text x="${l.x}" y="${l.y}" font-size="${l.size}" text-anchor="${l.anchor ?? 'start'}"${l.bold ? ' font-weight="bold"' : ''}>${esc(l.text)}</text>`,
    )
    .join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/><g font-family="${family}" fill="#000">${body}</g></svg>`,
  );
}

/** A Mẫu 01 first page at `dpi` (A4). `style: 'ours'` adds the QR with the dossier number. */
export async function mau01Page(data: FormData, style: 'ours' | 'portal', dpi = 300): Promise<Buffer> {
  const k = dpi / 300;
  const W = Math.round(2480 * k);
  const H = Math.round(3508 * k);
  const s = (v: number): number => Math.round(v * k);
  const size = style === 'ours' ? s(40) : s(42);
  const lh = s(66);
  const left = s(200);
  let y = s(330);
  const lines: TextLine[] = [
    {
      x: s(1240),
      y: s(200),
      text: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      size: s(44),
      bold: true,
      anchor: 'middle',
    },
    { x: s(1240), y: s(260), text: 'Độc lập - Tự do - Hạnh phúc', size: s(42), bold: true, anchor: 'middle' },
  ];
  if (style === 'portal') {
    lines.push({ x: s(2280), y: s(380), text: 'Mẫu số 01', size: s(40), anchor: 'end' });
    lines.push({ x: s(2280), y: s(440), text: data.dossierNumber, size: s(40), anchor: 'end' });
  } else {
    lines.push({ x: s(200), y: s(380), text: 'Mẫu số 01', size: s(40) });
    lines.push({ x: s(200), y: s(440), text: `Số hồ sơ: ${data.dossierNumber}`, size: s(40) });
  }
  y = s(600);
  lines.push({ x: s(1240), y, text: 'TỜ KHAI', size: s(50), bold: true, anchor: 'middle' });
  y += lh;
  lines.push({
    x: s(1240),
    y,
    text: 'Đăng ký sử dụng, điều chỉnh thông tin và ngừng sử dụng phương',
    size: s(40),
    bold: true,
    anchor: 'middle',
  });
  y += lh;
  lines.push({
    x: s(1240),
    y,
    text: 'thức giao dịch điện tử trong lĩnh vực bảo hiểm xã hội',
    size: s(40),
    bold: true,
    anchor: 'middle',
  });
  y += lh * 1.5;
  const field = (label: string, value: string): void => {
    lines.push({ x: left, y: Math.round(y), text: `${label} ${value}`, size });
    y += lh;
  };
  field('Kính gửi:', 'Bảo hiểm xã hội Việt Nam.');
  field('Tên cơ quan/tổ chức/cá nhân:', data.fullName);
  field('Mã số bảo hiểm xã hội:', data.bhxhCode);
  field('Số CMND/HC/CC:', data.idNumber);
  field('Địa chỉ liên hệ:', data.address);
  field('Số chứng thư số của cơ quan, tổ chức, cá nhân:', '');
  field('Tên tổ chức chứng thực chữ ký số:', '');
  field('Người liên hệ:', data.fullName);
  field('Địa chỉ thư điện tử:', data.email ?? '');
  field('Điện thoại di động:', data.mobile);
  y += lh / 2;
  for (const text of [
    'Theo Nghị định số 166/2016/NĐ-CP ngày 24 tháng 12 năm 2016 của Chính phủ, cơ quan/tổ chức/cá nhân',
    'tôi có đủ các điều kiện sử dụng phương thức giao dịch điện tử. Cơ quan/tổ chức/cá nhân tôi đăng ký,',
    'điều chỉnh thông tin và ngừng sử dụng phương thức giao dịch điện tử trong lĩnh vực bảo hiểm xã hội.',
    '1. Đăng ký sử dụng:',
    '- Đăng ký sử dụng phương thức giao dịch điện tử trong lĩnh vực Bảo hiểm xã hội',
  ]) {
    lines.push({ x: left, y: Math.round(y), text, size: s(36) });
    y += s(58);
  }
  const family = style === 'ours' ? 'DejaVu Sans' : 'DejaVu Serif';
  let page = sharp(svgPage(W, H, family, lines));
  if (style === 'ours') {
    const qr = await qrPng(`BHXH-GDDT|${data.dossierNumber}`, Math.max(2, Math.round(6 * k)));
    page = sharp(await page.png().toBuffer()).composite([{ input: qr, left: s(1950), top: s(300) }]);
  }
  // A greyscale PNG, as a document scanner in Gray mode delivers it.
  return sharp(await page.png().toBuffer())
    .greyscale()
    .toColourspace('b-w')
    .withMetadata({ density: dpi })
    .png()
    .toBuffer();
}

/** A chip CCCD front, 85.6 × 54 mm at `dpi`, with its QR top right (as the 2021 card has it). */
export async function cccdFront(
  p: SyntheticPerson,
  options: { dpi?: number; withQr?: boolean; issueDate?: string } = {},
): Promise<Buffer> {
  const dpi = options.dpi ?? 300;
  const k = dpi / 300;
  const W = Math.round(1011 * k);
  const H = Math.round(638 * k);
  const s = (v: number): number => Math.round(v * k);
  const lines: TextLine[] = [
    {
      x: s(470),
      y: s(60),
      text: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      size: s(22),
      bold: true,
      anchor: 'middle',
    },
    { x: s(470), y: s(92), text: 'Độc lập - Tự do - Hạnh phúc', size: s(22), bold: true, anchor: 'middle' },
    { x: s(470), y: s(140), text: 'CĂN CƯỚC CÔNG DÂN', size: s(34), bold: true, anchor: 'middle' },
    { x: s(300), y: s(200), text: `Số / No.: ${p.idNumber}`, size: s(32), bold: true },
    { x: s(300), y: s(250), text: 'Họ và tên / Full name:', size: s(22) },
    { x: s(300), y: s(292), text: p.fullName.toUpperCase(), size: s(30), bold: true },
    { x: s(300), y: s(340), text: `Ngày sinh / Date of birth: ${slashDate(p.dateOfBirth)}`, size: s(24) },
    {
      x: s(300),
      y: s(380),
      text: `Giới tính / Sex: ${p.gender}    Quốc tịch / Nationality: Việt Nam`,
      size: s(24),
    },
    { x: s(300), y: s(420), text: 'Quê quán / Place of origin:', size: s(22) },
    { x: s(300), y: s(455), text: p.address.split(', ').slice(-2).join(', '), size: s(24) },
    { x: s(300), y: s(500), text: 'Nơi thường trú / Place of residence:', size: s(22) },
    { x: s(300), y: s(540), text: p.address, size: s(24) },
  ];
  const svg = svgPage(W, H, 'DejaVu Sans', lines);
  const layers: OverlayOptions[] = [
    // the photo box
    {
      input: { create: { width: s(230), height: s(300), channels: 3, background: '#c8c8c8' } },
      left: s(40),
      top: s(180),
    },
  ];
  if (options.withQr !== false) {
    const qr = await qrPng(cccdQrText(p, options.issueDate), Math.max(1, Math.round(2 * k)), 2);
    layers.push({
      input: await sharp(qr).resize(s(180), s(180), { kernel: 'nearest' }).toBuffer(),
      left: s(810),
      top: s(20),
    });
  }
  return sharp(await sharp(svg).png().toBuffer())
    .composite(layers)
    .withMetadata({ density: dpi })
    .png()
    .toBuffer();
}

/** An old 9-digit CMND front (pre-2016 card), 85.6 × 54 mm. */
export async function cmndFront(p: SyntheticPerson & { cmnd: string }, dpi = 300): Promise<Buffer> {
  const k = dpi / 300;
  const s = (v: number): number => Math.round(v * k);
  const lines: TextLine[] = [
    {
      x: s(640),
      y: s(60),
      text: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      size: s(24),
      bold: true,
      anchor: 'middle',
    },
    { x: s(640), y: s(100), text: 'GIẤY CHỨNG MINH NHÂN DÂN', size: s(34), bold: true, anchor: 'middle' },
    { x: s(380), y: s(165), text: `SỐ ${p.cmnd}`, size: s(38), bold: true },
    { x: s(300), y: s(235), text: `Họ tên: ${p.fullName.toUpperCase()}`, size: s(28) },
    { x: s(300), y: s(300), text: `Sinh ngày: ${slashDate(p.dateOfBirth)}`, size: s(28) },
    { x: s(300), y: s(365), text: `Nguyên quán: ${p.address.split(', ').slice(-1).join('')}`, size: s(26) },
    { x: s(300), y: s(430), text: 'Nơi ĐKHK thường trú:', size: s(26) },
    { x: s(300), y: s(480), text: p.address, size: s(24) },
  ];
  const svg = svgPage(s(1011), s(638), 'DejaVu Serif', lines);
  return sharp(await sharp(svg).png().toBuffer())
    .composite([
      {
        input: { create: { width: s(230), height: s(300), channels: 3, background: '#c8c8c8' } },
        left: s(40),
        top: s(180),
      },
    ])
    .withMetadata({ density: dpi })
    .png()
    .toBuffer();
}

export type Degradation = {
  rotate?: number;
  noise?: number;
  blur?: number;
  jpegQuality?: number;
  dpi?: number;
};

/** The degraded set: rotated 1–3°, noise, blur, JPEG quality 40, 150 dpi (one or several). */
export const DEGRADATIONS: Readonly<Record<string, Degradation>> = {
  rotated: { rotate: 2 },
  noisy: { noise: 40 },
  blurred: { blur: 1.2 },
  jpeg40: { jpegQuality: 40 },
  dpi150: { dpi: 150 },
  combined: { rotate: -1.5, noise: 25, blur: 0.8, jpegQuality: 40 },
};

/** Deterministic salt-and-pepper-ish noise: grey speckles at `amount` per 1000 pixels. */
async function addNoise(png: Buffer, amount: number): Promise<Buffer> {
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  for (let i = 0; i < data.length; i++) {
    // Gaussian-ish jitter on every pixel plus sparse specks.
    const jitter = (rnd() + rnd() + rnd() - 1.5) * amount;
    let v = (data[i] ?? 255) + jitter;
    if (rnd() < 0.002) v = rnd() < 0.5 ? 0 : 255;
    data[i] = Math.max(0, Math.min(255, Math.round(v)));
  }
  return sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } })
    .png()
    .toBuffer();
}

export async function degrade(png: Buffer, d: Degradation, baseDpi = 300): Promise<Buffer> {
  let out = png;
  const meta = await sharp(png).metadata();
  let dpi = meta.density ?? baseDpi;
  if (d.dpi) {
    const scale = d.dpi / dpi;
    out = await sharp(out)
      .resize(Math.round((meta.width ?? 0) * scale))
      .png()
      .toBuffer();
    dpi = d.dpi;
  }
  if (d.rotate) out = await sharp(out).rotate(d.rotate, { background: '#ffffff' }).png().toBuffer();
  if (d.blur) out = await sharp(out).blur(d.blur).png().toBuffer();
  if (d.noise) out = await addNoise(out, d.noise);
  if (d.jpegQuality)
    return sharp(out).withMetadata({ density: dpi }).jpeg({ quality: d.jpegQuality }).toBuffer();
  return sharp(out).withMetadata({ density: dpi }).png().toBuffer();
}
