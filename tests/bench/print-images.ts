// Renders every printed document from the demo data and writes small PNGs of them to docs/images
// (print-*.png, 60 dpi) for docs/print.md and the README: `npx tsx tests/bench/print-images.ts`.
// Needs pdftoppm (poppler-utils). Not a test and not a benchmark; kept here beside the print bench.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { DailyReport } from '../../contract/api.js';
import type { OutboxItem } from '../../contract/workstation.js';
import {
  renderBlankMau01,
  renderDailyReport,
  renderDecisionNotice,
  renderMau01,
  renderReconciliation,
  templateById,
  templateForDate,
} from '../../electron/workstation/print/index.js';
import { REPO_ROOT } from '../fixtures/demo.js';
import { demoAgency, demoDossiers } from '../unit/print/demoDossiers.js';

const OUT = path.join(REPO_ROOT, 'docs', 'images');
const DPI = 60;

/** A neutral head-and-shoulders placeholder, so the photo box shows how a photo sits in it. */
async function placeholderPhoto(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="400">
    <rect width="300" height="400" fill="#dfe6ee"/>
    <circle cx="150" cy="150" r="78" fill="#8a9bb0"/>
    <path d="M20 400 C 30 270, 270 270, 280 400 Z" fill="#8a9bb0"/></svg>`;
  return await sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
}

/** pdftoppm's output re-encoded as a 32-colour palette PNG: a few tens of KB a page. */
async function png(name: string, pdf: Buffer): Promise<void> {
  const pngs: Array<{ from: string; to: string }> = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'print-images-'));
  try {
    const file = path.join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    execFileSync('pdftoppm', ['-r', String(DPI), '-png', file, path.join(dir, 'p')]);
    const pages = readdirSync(dir)
      .filter((f) => f.startsWith('p') && f.endsWith('.png'))
      .sort();
    pages.forEach((page, i) => {
      const target = path.join(OUT, pages.length === 1 ? `print-${name}.png` : `print-${name}-${i + 1}.png`);
      pngs.push({ from: path.join(dir, page), to: target });
    });
    for (const { from, to } of pngs) {
      await sharp(from).png({ palette: true, colours: 32, compressionLevel: 9 }).toFile(to);
      console.log(path.relative(REPO_ROOT, to));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const all = demoDossiers();
const find = (n: string) => {
  const d = all.find((x) => x.dossierNumber === n);
  if (!d) throw new Error(`no demo dossier ${n}`);
  return d;
};
const seed = find('00006.GD/2020/903');
await png(
  'mau01-filled',
  await renderMau01(seed, demoAgency('903'), templateForDate('2020-08-10'), {
    photo: await placeholderPhoto(),
  }),
);
await png('mau01-blank-2025', await renderBlankMau01(templateById('mau01-2025')));
const approved = find('00077.GD/2020/00115');
await png('notice-approved', await renderDecisionNotice(approved, demoAgency('00115')));
await png(
  'notice-rejected',
  await renderDecisionNotice(
    {
      ...approved,
      outcome: 'invalid',
      result: 'rejected',
      reasonCodes: ['HT'],
      reason: 'Ảnh chụp CCCD bị mờ',
    },
    demoAgency('00115'),
    undefined,
    { reasons: [{ code: 'HT', text: 'Họ tên không khớp với thẻ Căn cước', smsText: 'Ho ten khong khop' }] },
  ),
);
await png(
  'notice-code-not-found',
  await renderDecisionNotice({ ...approved, result: 'code_not_found' }, demoAgency('00115')),
);

const day = all.filter((d) => d.agencyCode === '00115' && d.receivedAt?.startsWith('2020-08-12'));
const report: DailyReport = {
  agencyCode: '00115',
  date: '2020-08-12',
  received: day.length,
  decidedValid: 2,
  decidedInvalid: 0,
  expired: 0,
  pendingAtDayEnd: 4,
  perOfficer: [{ reviewer: 'Trung tâm Công nghệ thông tin', valid: 2, invalid: 0, total: 2 }],
  perOutcome: { valid: 2 },
  dossiers: day,
};
await png(
  'report',
  await renderDailyReport(report, demoAgency('00115'), { preparedBy: 'Lãnh đạo BHXH Tỉnh Test' }),
);

const states: OutboxItem['state'][] = ['synced', 'synced', 'queued', 'failed', 'conflict'];
const items: OutboxItem[] = day.slice(0, 5).map((d, i) => ({
  id: `o${i}`,
  dossierId: d.id,
  dossierNumber: d.dossierNumber,
  fullName: d.fullName,
  outcome: i === 2 ? 'invalid' : 'valid',
  reasonCodes: [],
  reason: '',
  confirmUpdate: false,
  baseVersion: 1,
  username: 'ttcntt',
  officerName: 'Trung tâm Công nghệ thông tin',
  agencyCode: '903',
  dossierAgencyCode: '903',
  state: states[i] ?? 'queued',
  attempts: i + 1,
  lastError: i === 3 ? 'Máy chủ trả lỗi 503' : i === 4 ? 'Cán bộ khác đã duyệt hồ sơ trước' : null,
  result: i < 2 ? 'account_issued' : null,
  createdAt: `2020-08-12T0${i + 2}:00:00Z`,
  updatedAt: `2020-08-12T0${i + 2}:05:00Z`,
}));
await png(
  'reconciliation',
  await renderReconciliation({
    agency: demoAgency('00115'),
    date: '2020-08-12',
    workstationName: 'Quầy 1 - Bộ phận một cửa',
    officer: 'Trung tâm Công nghệ thông tin',
    items,
    generatedAt: '2020-08-12T10:30:00Z',
  }),
);
