// Printing many selected dossiers as one job: one page per form, streamed to a file, progress after
// each form, and a cancel that stops between forms.

import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { syntheticPeople } from '../../../contract/synthetic.js';
import {
  PrintError,
  renderMau01Batch,
  templateById,
  type BatchItem,
} from '../../../electron/workstation/print/index.js';
import { loadDemo } from '../../fixtures/demo.js';
import { titleWithSkipReason } from '../../harness/skip.js';
import { demoAgency, toDossier } from './demoDossiers.js';
import { decodeQr, flat, pageImage, pdfInfo, pdfText, POPPLER, POPPLER_REASON } from './pdfTools.js';

const t = (title: string): string => titleWithSkipReason(title, POPPLER, POPPLER_REASON);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function items(count: number): BatchItem[] {
  const base = loadDemo().dossiers[0];
  if (!base) throw new Error('no demo dossier');
  return syntheticPeople(count, 11).map((p, i) => ({
    dossier: toDossier(base, {
      dossierNumber: `${String(i + 1).padStart(5, '0')}.GD/2026/903`,
      fullName: p.fullName,
      contactPerson: p.fullName,
      bhxhCode: p.bhxhCode,
      idKind: 'cccd',
      idNumber: p.idNumber,
      address: p.address,
      mobile: p.mobile,
      email: p.email,
    }),
    agency: demoAgency('903'),
  }));
}

function tempFile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'print-batch-'));
  dirs.push(dir);
  return path.join(dir, 'batch.pdf');
}

describe('batch of Mẫu 01', () => {
  it.skipIf(!POPPLER)(t('25 dossiers → one PDF of 25 pages, each with its own values and QR'), async () => {
    const list = items(25);
    const file = tempFile();
    const progress: number[] = [];
    const result = await renderMau01Batch(list, createWriteStream(file), {
      template: templateById('mau01-2025'),
      total: list.length,
      onProgress: (done, total) => {
        expect(total).toBe(25);
        progress.push(done);
      },
    });
    expect(result.forms).toBe(25);
    expect(progress).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const pdf = readFileSync(file);
    expect(pdfInfo(pdf).pages).toBe(25);
    for (const page of [1, 13, 25]) {
      const item = list[page - 1];
      if (!item) throw new Error('missing item');
      const text = flat(pdfText(pdf, { firstPage: page, lastPage: page }));
      expect(text).toContain(`Tên cơ quan/tổ chức/cá nhân: ${item.dossier.fullName}`);
      expect(text).toContain(`Số định danh cá nhân/Hộ chiếu: ${item.dossier.idNumber}`);
      expect(text).toContain(`Địa chỉ liên hệ: ${item.dossier.address}`);
      expect(await decodeQr(pageImage(pdf, 100, page))).toEqual([item.dossier.dossierNumber]);
    }
  });

  it('cancelling stops between forms with a Vietnamese PrintError', async () => {
    const controller = new AbortController();
    let done = 0;
    const out = createWriteStream(tempFile());
    const run = renderMau01Batch(items(40), out, {
      template: templateById('mau01-2020'),
      signal: controller.signal,
      onProgress: (n) => {
        done = n;
        if (n === 5) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(new PrintError('cancelled', 'Đã huỷ in.'));
    expect(done).toBe(5);
    // The caller owns the output: it closes (and deletes) the incomplete file.
    await new Promise((resolve) => out.end(resolve));
  });

  it('an empty selection is refused', async () => {
    const out = createWriteStream(tempFile());
    await expect(renderMau01Batch([], out, { template: templateById('mau01-2020') })).rejects.toThrow(
      'Không có hồ sơ nào để in.',
    );
    await new Promise((resolve) => out.end(resolve));
  });
});
