// Mẫu 01 pages for the corpus: the portal's print (the seed letter's Appendix 01 Bước 4: the photo top
// left, "Mẫu số 01" and the dossier number top right, the fields as "label: value", values wrapping to
// the left margin, sections 1–3 below) in a chosen font, and our own print (the printing module's real
// PDF, rasterised with poppler's pdftoppm). A4 at the chosen dpi, greyscale or colour as a scanner
// gives it.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { Agency, Dossier, DossierKind } from '../../contract/domain.js';
import type { CorpusPerson } from './people.js';
import { svgDocument, textWidth, wrap, type FontFamily, type Run, type Shape } from './text.js';

const run = promisify(execFile);

export type Mau01Spec = {
  person: CorpusPerson;
  dossierNumber: string;
  kind: DossierKind;
  /** YYYY-MM-DD: the declaration date (also section 1's date for a registration) */
  declaredAt: string;
  dpi: number;
  font: FontFamily;
  /** font size in points (the portal prints 12–13) */
  size: number;
  /** values in bold (some browsers' print of the portal does, some not) */
  boldValues: boolean;
};

const longDate = (isoDate: string): string => {
  const [y, m, d] = isoDate.split('-').map(Number);
  return `ngày ${d} tháng ${m} năm ${y}`;
};

/**
 * The portal's print of Mẫu 01 on one A4 page: when the text would run past the bottom margin (a wide
 * font, a long address) the size steps down by half a point, as "fit to page" printing does.
 */
export async function portalMau01(spec: Mau01Spec): Promise<Buffer> {
  let size = spec.size;
  let page = layoutPortal(spec, size);
  while (page.overflow && size > 9) {
    size -= 0.5;
    page = layoutPortal(spec, size);
  }
  const svg = svgDocument(page.W, page.H, spec.font, page.runs, page.shapes);
  return sharp(svg).greyscale().toColourspace('b-w').withMetadata({ density: spec.dpi }).png().toBuffer();
}

function layoutPortal(
  spec: Mau01Spec,
  pointSize: number,
): { W: number; H: number; runs: Run[]; shapes: Shape[]; overflow: boolean } {
  const { person: p, dpi, font } = spec;
  const px = dpi / 72; // points → pixels
  const W = Math.round(8.27 * dpi);
  const H = Math.round(11.69 * dpi);
  const left = 56 * px; // 20 mm
  const right = W - 42 * px; // 15 mm
  const width = right - left;
  const size = pointSize * px;
  const lh = size * 1.38;
  const runs: Run[] = [];
  const shapes: Shape[] = [];
  let y = 40 * px + size;
  const centre = W / 2;
  // photo box (a greyish portrait) top left
  shapes.push({ kind: 'rect', x: left, y: 40 * px, w: 72 * px, h: 96 * px, fill: '#b9b4ad' });
  shapes.push({ kind: 'circle', cx: left + 36 * px, cy: 40 * px + 36 * px, r: 18 * px, fill: '#8d857c' });
  runs.push({
    x: centre,
    y,
    text: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
    size,
    style: 'bold',
    anchor: 'middle',
  });
  y += lh;
  runs.push({
    x: centre,
    y,
    text: 'Độc lập - Tự do - Hạnh phúc',
    size,
    style: 'bold',
    anchor: 'middle',
    underline: true,
  });
  y += lh * 1.2;
  runs.push({
    x: centre,
    y,
    text: `....., ${longDate(spec.declaredAt)}`,
    size,
    style: 'italic',
    anchor: 'middle',
  });
  y += lh * 1.2;
  runs.push({ x: right, y, text: 'Mẫu số 01', size, style: 'bold', anchor: 'end' });
  y += lh;
  runs.push({ x: right, y, text: spec.dossierNumber, size, style: 'bold', anchor: 'end' });
  y = Math.max(y + lh * 1.4, 40 * px + 96 * px + lh);
  runs.push({ x: centre, y, text: 'TỜ KHAI', size: size * 1.15, style: 'bold', anchor: 'middle' });
  y += lh * 1.15;
  for (const line of wrap(
    'Đăng ký sử dụng, điều chỉnh thông tin và ngừng sử dụng phương thức giao dịch điện tử trong lĩnh vực bảo hiểm xã hội',
    font,
    'bold',
    size,
    width * 0.9,
    width * 0.9,
  )) {
    runs.push({ x: centre, y, text: line, size, style: 'bold', anchor: 'middle' });
    y += lh;
  }
  y += lh * 0.3;
  runs.push({ x: centre, y, text: 'Kính gửi: Bảo hiểm xã hội Việt Nam.', size, anchor: 'middle' });
  y += lh * 1.3;

  const valueStyle = spec.boldValues ? 'bold' : 'regular';
  /** "label: value", the value wrapping onto lines that start at `x0` (the left margin, or an indent). */
  const field = (label: string, value: string, x0 = left): void => {
    const labelText = `${label}: `;
    const lw = textWidth(labelText, font, 'regular', size);
    // The value's first line is set right after the label by the renderer (its widths, not ours).
    const lines = value ? wrap(value, font, valueStyle, size, right - x0 - lw * 1.04, right - x0) : [''];
    lines.forEach((line, i) => {
      if (i === 0) runs.push({ x: x0, y, text: labelText, size, tail: { text: line, style: valueStyle } });
      else runs.push({ x: x0, y, text: line, size, style: valueStyle });
      y += lh;
    });
  };
  const paragraph = (text: string, x0 = left, style: 'regular' | 'bold' | 'italic' = 'regular'): void => {
    for (const line of wrap(text, font, style, size, right - x0, right - x0)) {
      runs.push({ x: x0, y, text: line, size, style });
      y += lh;
    }
  };
  field('Tên cơ quan/tổ chức/cá nhân', p.fullName);
  field('Mã số bảo hiểm xã hội', p.bhxhCode);
  field('Số CMND/HC/CC', p.idNumber);
  field('Địa chỉ liên hệ', p.address);
  field('Số chứng thư số của cơ quan, tổ chức, cá nhân', '');
  field('Tên tổ chức chứng thực chữ ký số', '');
  paragraph(
    'Thời hạn sử dụng chứng thư số: Từ ngày ... tháng ... năm ... đến ngày ... tháng ... năm ... (*)',
  );
  paragraph(
    'Cá nhân tôi không có chứng thư số (không điền nội dung tại mục (*)), đề nghị cơ quan Bảo hiểm xã hội cấp mã xác thực giao dịch điện tử theo địa chỉ thư điện tử hoặc số điện thoại di động dưới đây:',
  );
  field('Người liên hệ', p.fullName);
  field('Địa chỉ thư điện tử', p.email ?? '');
  field('Điện thoại di động', p.mobile);
  paragraph(
    'Theo Nghị định số 166/2016/NĐ-CP ngày 24 tháng 12 năm 2016 của Chính phủ, cơ quan/tổ chức/cá nhân tôi có đủ các điều kiện sử dụng phương thức giao dịch điện tử. Cơ quan/tổ chức/cá nhân tôi đăng ký, điều chỉnh thông tin và ngừng sử dụng phương thức giao dịch điện tử trong lĩnh vực bảo hiểm xã hội với cơ quan Bảo hiểm xã hội như sau:',
  );
  paragraph('1. Đăng ký sử dụng:', left, 'bold');
  const dots = 'ngày ... tháng ... năm ...';
  paragraph(
    `- Đăng ký sử dụng phương thức giao dịch điện tử trong lĩnh vực Bảo hiểm xã hội từ ${spec.kind === 'register' ? longDate(spec.declaredAt) : dots}`,
  );
  paragraph('- Đăng ký giao dịch tại:');
  paragraph('+ Cổng thông tin điện tử của Bảo hiểm xã hội Việt Nam', left + 14 * px);
  paragraph('+ Tổ chức I-VAN', left + 14 * px);
  paragraph('Tên Tổ chức I-VAN: (trong trường hợp giao dịch qua tổ chức I-VAN).');
  paragraph('2. Điều chỉnh thông tin:', left, 'bold');
  field('- Số chứng thư số của cơ quan, tổ chức, cá nhân', '');
  field('Tên tổ chức chứng thực chữ ký số', '');
  paragraph('Thời hạn sử dụng chứng thư số: Từ ngày ... tháng ... năm ... đến ngày ... tháng ... năm ...');
  field('- Địa chỉ thư điện tử', spec.kind === 'update' ? (p.updateEmail ?? '') : '');
  field('- Số điện thoại di động', spec.kind === 'update' ? (p.updateMobile ?? '') : '');
  paragraph('(Chỉ ghi những nội dung có thay đổi, bổ sung)', left, 'italic');
  paragraph('3. Ngày ngừng sử dụng phương thức giao dịch:', left, 'bold');
  paragraph(
    `- Ngày ngừng giao dịch điện tử trong lĩnh vực bảo hiểm xã hội từ ${spec.kind === 'stop' ? longDate(p.stopDate) : dots}`,
  );
  field('- Lý do ngừng', spec.kind === 'stop' ? p.stopReason : '');
  paragraph(
    'Cơ quan/tổ chức/cá nhân tôi cam kết hoàn toàn chịu trách nhiệm trước pháp luật về tính chính xác, trung thực của nội dung nêu trên và thực hiện giao dịch điện tử trong lĩnh vực bảo hiểm xã hội theo đúng quy định của pháp luật./.',
  );
  y += lh * 0.5;
  runs.push({
    x: left + width * 0.72,
    y,
    text: 'CHỮ KÝ SỐ CỦA CƠ QUAN,',
    size,
    style: 'bold',
    anchor: 'middle',
  });
  y += lh;
  runs.push({ x: left + width * 0.72, y, text: 'TỔ CHỨC, CÁ NHÂN', size, style: 'bold', anchor: 'middle' });
  return { W, H, runs, shapes, overflow: y > H - 34 * px };
}

/** The Dossier our printing module prints for this person. */
export function dossierFor(spec: Omit<Mau01Spec, 'dpi' | 'font' | 'size' | 'boldValues'>): Dossier {
  const p = spec.person;
  return {
    id: '00000000-0000-4000-8000-000000000000',
    dossierNumber: spec.dossierNumber,
    kind: spec.kind,
    agencyCode: spec.dossierNumber.split('/')[2] ?? '903',
    fullName: p.fullName,
    bhxhCode: p.bhxhCode,
    idKind: 'cccd',
    idNumber: p.idNumber,
    dateOfBirth: p.dateOfBirth,
    gender: p.gender,
    address: p.address,
    contactPerson: p.fullName,
    email: p.email,
    mobile: p.mobile,
    certificate: null,
    channel: 'portal',
    ivanName: null,
    effectiveDate: spec.kind === 'register' ? spec.declaredAt : null,
    update: spec.kind === 'update' ? { email: p.updateEmail, mobile: p.updateMobile } : null,
    stop: spec.kind === 'stop' ? { stopDate: p.stopDate, reason: p.stopReason } : null,
    submissionMethod: 'counter',
    declaredAt: spec.declaredAt,
    receivedAt: null,
    expiresAt: null,
    status: 'pending',
    outcome: null,
    reason: null,
    reasonCodes: [],
    reviewer: null,
    decidedAt: null,
    accountResult: null,
    result: null,
    attachments: [],
    steps: [],
    claim: null,
    version: 1,
  };
}

/** Our own print: the printing module's Mẫu 01 PDF, first page rasterised at `dpi` by pdftoppm. */
export async function ourMau01(spec: Omit<Mau01Spec, 'font' | 'size' | 'boldValues'>): Promise<Buffer> {
  const print = await import('../../electron/workstation/print/index.js');
  const template = print.loadTemplates().find((t) => t.id === 'mau01-2020') ?? print.loadTemplates()[0]!;
  const agency: Agency | null = null;
  const pdf = await print.renderMau01(dossierFor(spec), agency, template);
  const dir = await mkdtemp(path.join(tmpdir(), 'corpus-pdf-'));
  try {
    await writeFile(path.join(dir, 'form.pdf'), pdf);
    await run('pdftoppm', [
      '-r',
      String(spec.dpi),
      '-gray',
      '-png',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      path.join(dir, 'form.pdf'),
      path.join(dir, 'page'),
    ]);
    const png = await readFile(path.join(dir, 'page.png'));
    return sharp(png).withMetadata({ density: spec.dpi }).png().toBuffer();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
