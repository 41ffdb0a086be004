// Mẫu 01 as printed: every label and value of the seed's form (Appendix 01 Bước 4) comes back from
// pdftotext with its diacritics and in the seed's order; the declared choices are marked; the QR
// decodes to the dossier number; long addresses and every tone mark survive wrapping.

import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { ALL_TONES_NAME } from '../../../contract/synthetic.js';
import {
  loadTemplates,
  mau01Values,
  parseTemplate,
  renderBlankMau01,
  renderMau01,
  templateById,
  templateForDate,
  TemplateError,
} from '../../../electron/workstation/print/index.js';
import { titleWithSkipReason } from '../../harness/skip.js';
import { demoAgency, demoDossiers, toDossier } from './demoDossiers.js';
import {
  decodeQr,
  flat,
  pageImage,
  pdfInfo,
  pdfText,
  positions,
  POPPLER,
  POPPLER_REASON,
} from './pdfTools.js';
import { loadDemo } from '../../fixtures/demo.js';
import { dossierNumberFromQr } from '../../../scanner/qr/formQr.js';

const t = (title: string): string => titleWithSkipReason(title, POPPLER, POPPLER_REASON);
const FORM_2020 = templateById('mau01-2020');

/** The seed's printed form, in order (Appendix 01 Bước 4), labels only. */
const SEED_ORDER = [
  'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
  'Độc lập - Tự do - Hạnh phúc',
  'Mẫu số 01',
  'TỜ KHAI',
  'Đăng ký sử dụng, điều chỉnh thông tin và ngừng sử dụng phương thức giao dịch điện tử trong lĩnh vực bảo hiểm xã hội',
  'Kính gửi: Bảo hiểm xã hội Việt Nam.',
  'Tên cơ quan/tổ chức/cá nhân:',
  'Mã số bảo hiểm xã hội:',
  'Số CMND/HC/CC:',
  'Địa chỉ liên hệ:',
  'Số chứng thư số của cơ quan, tổ chức, cá nhân:',
  'Tên tổ chức chứng thực chữ ký số:',
  'Thời hạn sử dụng chứng thư số: Từ',
  'Cá nhân tôi không có chứng thư số (không điền nội dung tại mục (*)), đề nghị cơ quan Bảo hiểm xã hội cấp mã xác thực giao dịch điện tử theo địa chỉ thư điện tử hoặc số điện thoại di động dưới đây:',
  'Người liên hệ:',
  'Địa chỉ thư điện tử:',
  'Điện thoại di động:',
  'Theo Nghị định số 166/2016/NĐ-CP ngày 24 tháng 12 năm 2016 của Chính phủ, cơ quan/tổ chức/cá nhân tôi có đủ các điều kiện sử dụng phương thức giao dịch điện tử.',
  '1. Đăng ký sử dụng:',
  '- Đăng ký sử dụng phương thức giao dịch điện tử trong lĩnh vực Bảo hiểm xã hội từ',
  '- Đăng ký giao dịch tại:',
  'Cổng thông tin điện tử của Bảo hiểm xã hội Việt Nam',
  'Tổ chức I-VAN',
  '2. Điều chỉnh thông tin:',
  '- Số chứng thư số của cơ quan, tổ chức, cá nhân:',
  '- Địa chỉ thư điện tử:',
  '- Số điện thoại di động:',
  '(Chỉ ghi những nội dung có thay đổi, bổ sung)',
  '3. Ngày ngừng sử dụng phương thức giao dịch:',
  '- Ngày ngừng giao dịch điện tử trong lĩnh vực bảo hiểm xã hội từ',
  '- Lý do ngừng:',
  'Cơ quan/tổ chức/cá nhân tôi cam kết hoàn toàn chịu trách nhiệm trước pháp luật về tính chính xác, trung thực của nội dung nêu trên và thực hiện giao dịch điện tử trong lĩnh vực bảo hiểm xã hội theo đúng quy định của pháp luật./.',
  'CHỮ KÝ SỐ CỦA CƠ QUAN, TỔ CHỨC, CÁ NHÂN',
] as const;

describe('Mẫu 01 filled from the seed dossiers', () => {
  const dossiers = demoDossiers();

  it.skipIf(!POPPLER)(
    t('the seed example 00006.GD/2020/903 prints the seed text, values and order'),
    async () => {
      const d = dossiers.find((x) => x.dossierNumber === '00006.GD/2020/903');
      if (!d) throw new Error('seed dossier missing');
      const pdf = await renderMau01(d, demoAgency('903'), templateForDate('2020-08-10'));
      expect(pdfInfo(pdf)).toMatchObject({ pages: 1, width: 595.28, height: 841.89 });
      const text = flat(pdfText(pdf));
      expect(
        positions(text, SEED_ORDER).every((p) => p >= 0),
        `order/missing: ${JSON.stringify(positions(text, SEED_ORDER))}`,
      ).toBe(true);
      // The seed's values, exactly as Bước 4 shows them (the phone as declared: no digit grouping).
      for (const line of [
        '....., ngày 10 tháng 8 năm 2020',
        '00006.GD/2020/903',
        'Tên cơ quan/tổ chức/cá nhân: Nguyễn Thành Biên',
        'Mã số bảo hiểm xã hội: 0113098765',
        'Số CMND/HC/CC: 111987340908',
        'Địa chỉ liên hệ: Cụm 4, Xã Phúc Hòa, Huyện Phúc Thọ, Thành phố Hà Nội',
        'Thời hạn sử dụng chứng thư số: Từ ngày ... tháng ... năm ... đến ngày ... tháng ... năm ... (*)',
        'Người liên hệ: Nguyễn Thành Biên',
        'Địa chỉ thư điện tử: biennt@vss.gov.vn',
        'Điện thoại di động: 0983847986',
        '☒ 1. Đăng ký sử dụng:',
        'trong lĩnh vực Bảo hiểm xã hội từ ngày 10 tháng 8 năm 2020',
        '☒ Cổng thông tin điện tử của Bảo hiểm xã hội Việt Nam',
        '☐ Tổ chức I-VAN',
        '☐ 2. Điều chỉnh thông tin:',
        '☐ 3. Ngày ngừng sử dụng phương thức giao dịch:',
        '(Ký, ghi rõ họ tên) Nguyễn Thành Biên',
        'Cơ quan BHXH tiếp nhận: BHXH Tỉnh Test',
        'Hình thức nộp hồ sơ: Tại nơi tiếp nhận hồ sơ',
      ]) {
        expect(text).toContain(line);
      }
    },
  );

  // One test per dossier: each renders, reads back and decodes one PDF, so no test's time grows
  // with the size of the demo data (all of them in one test took 36 s on a busy machine).
  it.skipIf(!POPPLER).each(dossiers.map((d) => [d.dossierNumber, d] as const))(
    t('demo dossier %s: every field present with its diacritics, QR decodes to its number'),
    async (_number, d) => {
      const pdf = await renderMau01(d, demoAgency(d.agencyCode), templateForDate(d.declaredAt.slice(0, 10)));
      const text = flat(pdfText(pdf));
      expect(text).toContain(`Tên cơ quan/tổ chức/cá nhân: ${d.fullName}`);
      expect(text).toContain(`Mã số bảo hiểm xã hội: ${d.bhxhCode}`);
      expect(text).toContain(`Số CMND/HC/CC:${d.idNumber ? ` ${d.idNumber}` : ''}`);
      expect(text).toContain(`Địa chỉ liên hệ: ${d.address}`);
      expect(text).toContain(`Người liên hệ: ${d.contactPerson}`);
      expect(text).toContain(d.dossierNumber);
      if (d.email) expect(text).toContain(`Địa chỉ thư điện tử: ${d.email}`);
      expect(positions(text, SEED_ORDER).every((p) => p >= 0)).toBe(true);
      const codes = await decodeQr(pageImage(pdf, 100));
      expect(codes).toEqual([d.dossierNumber]);
      // …and the scanner's reader of our forms finds the dossier from it.
      expect(dossierNumberFromQr(codes[0] ?? '')).toBe(d.dossierNumber);
    },
  );

  it.skipIf(!POPPLER)(
    t('a change-of-details dossier marks section 2 with the new e-mail and phone'),
    async () => {
      const d = dossiers.find((x) => x.kind === 'update');
      if (!d) throw new Error('no update dossier in the demo data');
      const text = flat(pdfText(await renderMau01(d, demoAgency(d.agencyCode), FORM_2020)));
      expect(text).toContain('☐ 1. Đăng ký sử dụng:');
      // Section 1's date is not this dossier's: left as dots, not filled from effectiveDate.
      expect(text).toContain('trong lĩnh vực Bảo hiểm xã hội từ ngày ... tháng ... năm ...');
      expect(text).toContain('☐ Cổng thông tin điện tử của Bảo hiểm xã hội Việt Nam');
      expect(text).toContain('☒ 2. Điều chỉnh thông tin:');
      expect(text).toContain('- Địa chỉ thư điện tử: nhung.pham@example.vn');
      expect(text).toContain('- Số điện thoại di động: 0988123456');
    },
  );

  it.skipIf(!POPPLER)(t('stop, I-VAN and certificate sections print their values'), async () => {
    const base = loadDemo().dossiers[0];
    if (!base) throw new Error('no demo dossier');
    const stop = toDossier(base, {
      kind: 'stop',
      stop: { stopDate: '2026-03-01', reason: 'Chuyển sang giao dịch qua tổ chức I-VAN của đơn vị' },
    });
    const stopText = flat(pdfText(await renderMau01(stop, null, FORM_2020)));
    expect(stopText).toContain('☒ 3. Ngày ngừng sử dụng phương thức giao dịch:');
    expect(stopText).toContain('bảo hiểm xã hội từ ngày 1 tháng 3 năm 2026');
    expect(stopText).toContain('- Lý do ngừng: Chuyển sang giao dịch qua tổ chức I-VAN của đơn vị');
    expect(stopText).toContain('☐ 1. Đăng ký sử dụng:');

    const ivan = toDossier(base, {
      channel: 'ivan',
      ivanName: 'Công ty Cổ phần Dịch vụ I-VAN Thái Sơn',
      certificate: {
        serial: '5404F1A2B3C4D5E6',
        issuer: 'VNPT-CA',
        validFrom: '2020-01-15',
        validTo: '2023-01-14',
      },
    });
    const ivanText = flat(pdfText(await renderMau01(ivan, null, FORM_2020)));
    expect(ivanText).toContain('☐ Cổng thông tin điện tử của Bảo hiểm xã hội Việt Nam');
    expect(ivanText).toContain('☒ Tổ chức I-VAN');
    expect(ivanText).toContain(
      'Tên Tổ chức I-VAN (trong trường hợp giao dịch qua tổ chức I-VAN): Công ty Cổ phần Dịch vụ I-VAN Thái Sơn',
    );
    expect(ivanText).toContain('Số chứng thư số của cơ quan, tổ chức, cá nhân: 5404F1A2B3C4D5E6');
    expect(ivanText).toContain('Tên tổ chức chứng thực chữ ký số: VNPT-CA');
    expect(ivanText).toContain(
      'Thời hạn sử dụng chứng thư số: Từ ngày 15 tháng 1 năm 2020 đến ngày 14 tháng 1 năm 2023 (*)',
    );
  });

  it.skipIf(!POPPLER)(
    t('a 300-character address and a name with every tone mark wrap without loss'),
    async () => {
      const base = loadDemo().dossiers[0];
      if (!base) throw new Error('no demo dossier');
      let address = 'Số 27 ngõ 315 đường Nguyễn Khuyến, tổ dân phố Ỷ La, Khu đô thị Dương Nội';
      while (address.length < 300) address += ', thôn Đường Ẩm Ấp Ừng Ửng Ựa Ữu Ỵên Ỳ Ỹ Ỷ Ý Đồng Xuân';
      address = address.slice(0, 300).trimEnd();
      expect(address.length).toBeGreaterThanOrEqual(295);
      // Input arrives decomposed (as macOS and some PDFs give it): the form prints NFC.
      const d = toDossier(base, {
        fullName: ALL_TONES_NAME.normalize('NFD'),
        contactPerson: ALL_TONES_NAME,
        address: address.normalize('NFD'),
      });
      const pdf = await renderMau01(d, null, FORM_2020);
      const text = flat(pdfText(pdf)).normalize('NFC');
      const raw = pdfText(pdf);
      expect(raw).toBe(raw.normalize('NFC'));
      expect(text).toContain(`Tên cơ quan/tổ chức/cá nhân: ${ALL_TONES_NAME}`);
      expect(text).toContain(`Người liên hệ: ${ALL_TONES_NAME}`);
      expect(text).toContain(`Địa chỉ liên hệ: ${address}`);
      // The address wrapped over several lines, and still nothing fell off the page.
      const addressLines = raw.split('\n').filter((l) => l.includes('Ừng Ửng'));
      expect(addressLines.length).toBeGreaterThan(1);
      const layout = pdfText(pdf, { raw: false });
      expect(flat(layout)).toContain('Ỵên Ỳ Ỹ Ỷ Ý');
    },
  );

  it.skipIf(!POPPLER)(t('the personal photo is placed in its box'), async () => {
    const d = dossiers[0];
    if (!d) throw new Error('no demo dossier');
    const photo = await sharp({ create: { width: 300, height: 400, channels: 3, background: '#3366aa' } })
      .jpeg()
      .toBuffer();
    const withPhoto = await renderMau01(d, null, FORM_2020, { photo });
    const without = await renderMau01(d, null, FORM_2020);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'print-photo-'));
    try {
      writeFileSync(path.join(dir, 'a.pdf'), withPhoto);
      const { execFileSync } = await import('node:child_process');
      const list = execFileSync('pdfimages', ['-list', path.join(dir, 'a.pdf')], { encoding: 'utf8' });
      expect(list).toMatch(/\bimage\s+300\s+400\b/u);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The photo box is where the template says: blue pixels there on the rendering, none without.
    const tpl = FORM_2020.photo;
    const probe = async (pdf: Buffer): Promise<number[]> => {
      const img = sharp(pageImage(pdf, 72));
      const { data } = await img
        .extract({
          left: Math.round(tpl.x + tpl.width / 2),
          top: Math.round(tpl.y + tpl.height / 2),
          width: 1,
          height: 1,
        })
        .raw()
        .toBuffer({ resolveWithObject: true });
      return [...data.subarray(0, 3)];
    };
    const [r, g, b] = await probe(withPhoto);
    expect(b).toBeGreaterThan(120);
    expect(r).toBeLessThan(100);
    expect(g).toBeLessThan(140);
    expect(await probe(without)).toEqual([255, 255, 255]);
  });
});

describe('blank Mẫu 01 and editions', () => {
  it.skipIf(!POPPLER)(
    t('the blank form has every label, dotted lines, no box ticked and no QR'),
    async () => {
      const pdf = await renderBlankMau01(FORM_2020);
      const text = flat(pdfText(pdf));
      expect(positions(text, SEED_ORDER).every((p) => p >= 0)).toBe(true);
      expect(text).not.toContain('☒');
      expect(text.match(/☐/gu)?.length).toBe(5);
      expect(text).toMatch(/Tên cơ quan\/tổ chức\/cá nhân: \.{20,}/u);
      expect(text).toContain('Ảnh cá nhân');
      expect(text).toContain('ngày .... tháng .... năm .......');
      expect(await decodeQr(pageImage(pdf, 100))).toEqual([]);
      // The signature stays with the commitment on the same page.
      const lastPage = pdfInfo(pdf).pages;
      const last = flat(pdfText(pdf, { firstPage: lastPage, lastPage }));
      expect(last).toContain('CHỮ KÝ SỐ CỦA CƠ QUAN, TỔ CHỨC, CÁ NHÂN');
      expect(last).toContain('theo đúng quy định của pháp luật./.');
    },
  );

  it('picks the edition in force on the day: Decree 166/2016 before July 2025, 164/2025 after', () => {
    expect(templateForDate('2020-08-10').id).toBe('mau01-2020');
    expect(templateForDate('2025-06-30').id).toBe('mau01-2020');
    expect(templateForDate('2025-07-01').id).toBe('mau01-2025');
    expect(templateForDate('2026-11-25').legalBasis).toContain('164/2025/NĐ-CP');
    expect(loadTemplates().map((x) => x.id)).toEqual(['mau01-2020', 'mau01-2025']);
  });

  it.skipIf(!POPPLER)(t('the 2025 edition prints its own legal line and identity label'), async () => {
    const text = flat(pdfText(await renderBlankMau01(templateById('mau01-2025'))));
    expect(text).toContain('Theo Nghị định số 164/2025/NĐ-CP của Chính phủ');
    expect(text).not.toContain('166/2016');
    expect(text).toContain('Số định danh cá nhân/Hộ chiếu:');
  });

  it.skipIf(!POPPLER)(
    t('a new edition is a JSON file: title, legal line and order change with no code'),
    async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'print-forms-'));
      try {
        const json = JSON.parse(readFileSync(path.resolve('resources/forms/mau01-2025.json'), 'utf8')) as {
          id: string;
          validFrom: string;
          legalBasis: string;
          blocks: Array<{ type: string; text?: string }>;
        };
        json.id = 'mau01-2030';
        json.validFrom = '2030-01-01';
        json.legalBasis = 'Nghị định số 999/2029/NĐ-CP (thử nghiệm)';
        const title = json.blocks.find((b) => b.text === 'TỜ KHAI');
        if (!title) throw new Error('no title block');
        title.text = 'TỜ KHAI (MẪU THỬ)';
        json.blocks.reverse();
        writeFileSync(path.join(dir, 'mau01-2030.json'), JSON.stringify(json));
        const edition = templateForDate('2031-05-05', dir);
        const base = demoDossiers()[0];
        if (!base) throw new Error('no demo dossier');
        const text = flat(pdfText(await renderMau01(base, null, edition)));
        expect(text).toContain('TỜ KHAI (MẪU THỬ)');
        expect(text).toContain('Theo Nghị định số 999/2029/NĐ-CP (thử nghiệm), cơ quan/tổ chức/cá nhân tôi');
        // Reversed order in the data → reversed order on paper.
        expect(text.indexOf('CHỮ KÝ SỐ')).toBeLessThan(text.indexOf('CỘNG HÒA XÃ HỘI'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('refuses a broken template with a Vietnamese message naming the field', () => {
    const good = JSON.parse(readFileSync(path.resolve('resources/forms/mau01-2020.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(() => parseTemplate({ ...good, legalBasis: '' }, 'hỏng.json')).toThrow(TemplateError);
    expect(() => parseTemplate({ ...good, blocks: [{ type: 'table' }] }, 'hỏng.json')).toThrow(
      /Mẫu biểu hỏng.json không hợp lệ: blocks/u,
    );
  });

  it('mau01Values prints the phone as declared (national form, no grouping) and legacy values as they are', () => {
    const [first] = demoDossiers();
    if (!first) throw new Error('no demo dossier');
    expect(mau01Values({ ...first, mobile: '+84983847986' }, null, FORM_2020).get('mobile')).toBe(
      '0983847986',
    );
    expect(mau01Values({ ...first, mobile: '1231231' }, null, FORM_2020).get('mobile')).toBe('1231231');
  });
});

afterAll(() => undefined);
