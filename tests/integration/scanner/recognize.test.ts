// Recognition end to end on generated images: the chip card's QR (clean and degraded), our Mẫu 01's
// QR, the printing module's real Mẫu 01 PDF, OCR of the portal's serif form, an ID card without a
// readable QR and an old CMND (a few pages only: OCR is the slow part), and the quality gate.

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticPeople, type SyntheticPerson } from '../../../contract/synthetic.js';
import { checkMobile } from '../../../contract/identity.js';
import { ScanError } from '../../../scanner/errors.js';
import { compareWithDossier } from '../../../scanner/match.js';
import { OcrPool } from '../../../scanner/ocr/pool.js';
import { assessQuality } from '../../../scanner/quality.js';
import { recognizeDocument } from '../../../scanner/recognize.js';
import {
  cccdFront,
  cmndFront,
  degrade,
  DEGRADATIONS,
  mau01Page,
  qrPng,
  cccdQrText,
} from '../../unit/scanner/support/images.js';

const people = syntheticPeople(4, 606);
const person = people[0] as SyntheticPerson;
const expectedQrFields = (p: SyntheticPerson): Record<string, string> => ({
  idNumber: p.idNumber,
  fullName: p.fullName,
  dateOfBirth: p.dateOfBirth,
  gender: p.gender,
  address: p.address,
  issueDate: '2021-07-01',
});

describe('QR recognition (no OCR)', () => {
  it('reads every CCCD field from the QR of a clean card scan', async () => {
    const { recognition } = await recognizeDocument(new Uint8Array(await cccdFront(person)));
    expect(recognition.kind).toBe('cccd_qr');
    expect(recognition.source).toBe('qr_image');
    expect(recognition.fields).toEqual(expectedQrFields(person));
  });

  it.each(Object.keys(DEGRADATIONS))('reads the card QR when the scan is degraded: %s', async (name) => {
    const p = people[1] as SyntheticPerson;
    const bytes = await degrade(await cccdFront(p), DEGRADATIONS[name]!);
    const { recognition } = await recognizeDocument(new Uint8Array(bytes));
    expect(recognition.fields).toEqual(expectedQrFields(p));
  });

  it('imports TIFF and JPEG files as well as PNG', async () => {
    const card = await cccdFront(person);
    for (const bytes of [
      await sharp(card).tiff().toBuffer(),
      await sharp(card).jpeg({ quality: 80 }).toBuffer(),
    ]) {
      const { recognition } = await recognizeDocument(new Uint8Array(bytes));
      expect(recognition.fields.idNumber).toBe(person.idNumber);
    }
  });

  it('reads a small QR in a large photo, turned 90° and 3°', async () => {
    const p = people[2] as SyntheticPerson;
    const qr = await qrPng(cccdQrText(p), 2, 2); // ~170 px square
    const photo = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#d8d4cc' } })
      .composite([{ input: qr, left: 900, top: 500 }])
      .rotate(93, { background: '#d8d4cc' })
      .jpeg({ quality: 70 })
      .toBuffer();
    const { recognition } = await recognizeDocument(new Uint8Array(photo));
    expect(recognition.fields.idNumber).toBe(p.idNumber);
    expect(recognition.fields.fullName).toBe(p.fullName);
  });

  it('finds the dossier number from the QR of a Mẫu 01 we printed', async () => {
    const bytes = await mau01Page({ ...person, dossierNumber: '00086.GD/2020/00115' }, 'ours');
    const { recognition } = await recognizeDocument(new Uint8Array(bytes));
    expect(recognition).toMatchObject({
      kind: 'mau01',
      fields: { dossierNumber: '00086.GD/2020/00115' },
      confidence: { dossierNumber: 1 },
    });
  });

  it('says clearly that a page without a QR needs OCR when OCR is off', async () => {
    const bytes = await mau01Page({ ...person, dossierNumber: '00001.GD/2024/903' }, 'portal', 150);
    const error = await recognizeDocument(new Uint8Array(bytes)).catch((e: unknown) => e);
    expect((error as ScanError).code).toBe('qr_not_found');
  });
});

describe('OCR recognition (warm pool, one worker)', () => {
  let pool: OcrPool;
  beforeAll(async () => {
    pool = await OcrPool.start({ size: 1 });
  }, 60_000);
  afterAll(async () => {
    await pool?.close();
  });

  it("recognises the printing module's real Mẫu 01 PDF (QR + OCR)", async () => {
    const print = await import('../../../electron/workstation/print/index.js');
    const { loadDemo } = await import('../../fixtures/demo.js');
    const { toDossier } = await import('../../unit/print/demoDossiers.js');
    const demo = loadDemo();
    const dossier = toDossier(demo.dossiers[0]!);
    const template = print.loadTemplates().find((t) => t.id === 'mau01-2020') ?? print.loadTemplates()[0]!;
    const pdf = await print.renderMau01(dossier, null, template);
    const { recognition } = await recognizeDocument(new Uint8Array(pdf), { ocr: pool, maxPages: 1 });
    expect(recognition.kind).toBe('mau01');
    expect(recognition.fields.dossierNumber).toBe(dossier.dossierNumber);
    expect(recognition.confidence.dossierNumber).toBe(1);
    expect(recognition.fields.bhxhCode).toBe(dossier.bhxhCode);
    expect(recognition.fields.fullName).toBe(dossier.fullName);
    if (dossier.idNumber) expect(recognition.fields.idNumber).toBe(dossier.idNumber);
    expect(recognition.fields.address).toBe(dossier.address);
    expect(recognition.fields.mobile).toBe(
      checkMobile(dossier.mobile).ok ? `+84${dossier.mobile.slice(1)}` : dossier.mobile,
    );
    if (dossier.email) expect(recognition.fields.email).toBe(dossier.email);
    // and the comparison with the dossier agrees on every field read
    const report = compareWithDossier(dossier, [recognition]);
    expect(report.mismatches).toEqual([]);
  });

  it('reads the portal\'s serif Mẫu 01 (no QR; number under "Mẫu số 01"), degraded', async () => {
    const p = people[3] as SyntheticPerson;
    const bytes = await degrade(
      await mau01Page({ ...p, dossierNumber: '00123.GD/2025/903' }, 'portal'),
      DEGRADATIONS.combined!,
    );
    const { recognition } = await recognizeDocument(new Uint8Array(bytes), { ocr: pool });
    expect(recognition.kind).toBe('mau01');
    expect(recognition.source).toBe('ocr');
    expect(recognition.fields.dossierNumber).toBe('00123.GD/2025/903');
    expect(recognition.fields.bhxhCode).toBe(p.bhxhCode);
    expect(recognition.fields.idNumber).toBe(p.idNumber);
    expect(recognition.fields.fullName).toBe(p.fullName);
    for (const c of Object.values(recognition.confidence)) expect(c).toBeGreaterThan(0.5);
  });

  it('reads a chip card front by OCR when it has no readable QR', async () => {
    const p = people[1] as SyntheticPerson;
    const bytes = await cccdFront(p, { withQr: false });
    const { recognition } = await recognizeDocument(new Uint8Array(bytes), { ocr: pool });
    expect(recognition.kind).toBe('cccd_front');
    expect(recognition.fields).toMatchObject({
      idNumber: p.idNumber,
      dateOfBirth: p.dateOfBirth,
      gender: p.gender,
    });
    expect(recognition.fields.fullName?.toLocaleLowerCase('vi')).toBe(p.fullName.toLocaleLowerCase('vi'));
  });

  it('reads an old CMND', async () => {
    const p = people[2] as SyntheticPerson;
    const bytes = await cmndFront({ ...p, cmnd: '012345678' });
    const { recognition } = await recognizeDocument(new Uint8Array(bytes), { ocr: pool });
    expect(recognition.kind).toBe('cmnd');
    expect(recognition.fields).toMatchObject({ idNumber: '012345678', dateOfBirth: p.dateOfBirth });
  });

  it('refuses a page too blurred to read, with the reason for the officer', async () => {
    const bytes = await sharp(
      await mau01Page({ ...person, dossierNumber: '00001.GD/2024/903' }, 'portal', 150),
    )
      .blur(5)
      .png()
      .toBuffer();
    const error = await recognizeDocument(new Uint8Array(bytes), { ocr: pool }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScanError);
    expect((error as ScanError).message).toMatch(/mờ/u);
  });
});

describe('quality gate', () => {
  it('accepts clean and degraded (rotated, noisy, JPEG 40, 150 dpi) pages', async () => {
    const page = await mau01Page({ ...person, dossierNumber: '00001.GD/2024/903' }, 'portal', 150);
    for (const d of [{}, { rotate: 2.5 }, { noise: 40 }, { jpegQuality: 40 }, { blur: 1 }]) {
      const q = await assessQuality(await degrade(page, d, 150));
      expect(q.problems, JSON.stringify(d)).toEqual([]);
    }
  });

  it('names each problem: low resolution, blur, skew, blank page', async () => {
    const page = await mau01Page({ ...person, dossierNumber: '00001.GD/2024/903' }, 'portal', 150);
    const low = await assessQuality(await degrade(page, { dpi: 75 }, 150));
    expect(low.problems).toContain('low_resolution');
    expect(low.messages.join(' ')).toMatch(/300 dpi/u);
    const blurred = await assessQuality(await sharp(page).blur(4).png().toBuffer());
    expect(blurred.problems).toContain('blurry');
    const skewed = await assessQuality(await sharp(page).rotate(9, { background: '#fff' }).png().toBuffer());
    expect(skewed.problems).toContain('skewed');
    expect(Math.abs(skewed.skewDegrees)).toBeGreaterThan(8);
    const blank = await assessQuality(
      await sharp({ create: { width: 1240, height: 1754, channels: 3, background: '#fff' } })
        .png()
        .toBuffer(),
    );
    expect(blank.problems).toEqual(['too_light']);
  });
});
