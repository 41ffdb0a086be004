// The mobile desk's end-of-day sheet (Bảng kê kê khai tại bàn): who registered whom on the day, how
// many the service has, how many still wait or were refused, with each person's dossier number (or
// Mã tạm) and state, signed by the desk's officers and their supervisor. A4 landscape.

import type { Agency } from '../../../contract/domain.js';
import { RESULT_LABEL } from '../../../contract/domain.js';
import {
  DESK_STATE_LABEL,
  DESK_STEP_LABEL,
  type DeskRow,
  type DeskSheetJob,
} from '../../../contract/workstationDesk.js';
import { documentHeading, placeDateLine, signatureColumns } from './common.js';
import { dateTime, shortDate } from './format.js';
import { createDocument, drawTable, finish, setFont } from './pdf.js';
import { fit, heading, n, pageWidth, summaryTable, title } from './report.js';

const FONT_SIZE = 10;
const TABLE_FONT = 8;

export type DeskSheetInput = {
  agency: Agency;
  date: string;
  deskName: string;
  deviceId: string;
  rows: readonly DeskRow[];
  counts: DeskSheetJob['counts'];
  officers: DeskSheetJob['officers'];
  generatedAt: string;
};

/** The sheet's counts and officers from the day's rows. */
export function deskSheetCounts(rows: readonly DeskRow[]): Pick<DeskSheetJob, 'counts' | 'officers'> {
  const by = (s: DeskRow['state']): number => rows.filter((r) => r.state === s).length;
  const officers = new Map<string, number>();
  for (const r of rows) officers.set(r.officerName, (officers.get(r.officerName) ?? 0) + 1);
  return {
    counts: {
      registered: rows.length,
      sent: rows.filter((r) => r.dossierNumber !== null).length,
      pending: by('queued') + by('sent'),
      refused: by('needs_fix'),
      decided: by('decided'),
    },
    officers: [...officers].map(([name, registered]) => ({ name, registered })),
  };
}

/** Where one person stands, in a few words: the state, the step still open or refused. */
function stateText(r: DeskRow): string {
  const open = r.steps.find((s) => s.state === 'failed') ?? r.steps.find((s) => s.state === 'queued');
  const base = DESK_STATE_LABEL[r.state];
  if (r.state === 'needs_fix' && open)
    return `${base}: ${DESK_STEP_LABEL[open.kind]} — ${open.lastError ?? ''}`;
  if (r.state === 'sent' && open) return `${base}, chờ: ${DESK_STEP_LABEL[open.kind]}`;
  if (r.state === 'decided' && r.result) return `${base}: ${RESULT_LABEL[r.result]}`;
  return base;
}

export function renderDeskSheet(input: DeskSheetInput): Promise<Buffer> {
  const doc = createDocument({
    layout: 'landscape',
    margins: { top: 34, bottom: 34, left: 36, right: 36 },
    title: `Bảng kê kê khai tại bàn ${shortDate(input.date)}`,
  });
  documentHeading(doc, input.agency, placeDateLine(input.date), FONT_SIZE);
  title(doc, [
    'BẢNG KÊ TỜ KHAI ĐĂNG KÝ GIAO DỊCH ĐIỆN TỬ KÊ KHAI TẠI BÀN LƯU ĐỘNG',
    `Ngày ${shortDate(input.date)} - Bàn: ${input.deskName || '(chưa đặt tên)'} - Máy trạm ${input.deviceId}`,
  ]);
  const width = pageWidth(doc);
  const c = input.counts;
  heading(doc, 'I. Tổng hợp');
  summaryTable(
    doc,
    ['Số người đã kê khai', 'Đã gửi (có số hồ sơ)', 'Đang chờ gửi', 'Cần sửa (bị từ chối)', 'Đã duyệt'],
    [c.registered, c.sent, c.pending, c.refused, c.decided],
  );
  doc.y += 6;
  setFont(doc, 'serif', FONT_SIZE);
  doc.text(
    `Cán bộ kê khai: ${input.officers.map((o) => `${o.name} (${n(o.registered)} người)`).join('; ') || 'không có'}.`,
    doc.page.margins.left,
    doc.y,
    { width },
  );
  doc.y += 8;
  heading(doc, 'II. Chi tiết');
  const rows = [...input.rows]
    .sort((a, b) => a.declaredAt.localeCompare(b.declaredAt))
    .map((r, i) => [
      String(i + 1),
      dateTime(r.declaredAt),
      r.fullName,
      r.idNumber,
      r.dossierNumber ?? r.ref,
      r.officerName,
      stateText(r),
    ]);
  drawTable(
    doc,
    fit(
      doc,
      [
        { header: 'STT', width: 22, max: 34, align: 'center' },
        { header: 'Kê khai lúc', width: 60, max: 80 },
        { header: 'Họ và tên', width: 120 },
        { header: 'Số CMND/HC/CC', width: 64, max: 80 },
        { header: 'Số hồ sơ / Mã tạm', width: 70, max: 100 },
        { header: 'Cán bộ kê khai', width: 90 },
        { header: 'Tình trạng', width: 1, flex: true },
      ],
      width,
      rows,
    ),
    rows,
    { fontSize: TABLE_FONT },
  );
  setFont(doc, 'serifItalic', TABLE_FONT);
  doc.text(`Lập lúc ${dateTime(input.generatedAt)}`, doc.page.margins.left, doc.y + 4, { width });
  signatureColumns(
    doc,
    [
      {
        title: 'CÁN BỘ KÊ KHAI TẠI BÀN',
        hint: '(Ký, ghi rõ họ tên)',
        name: input.officers.map((o) => o.name).join(', '),
      },
      { title: 'LÃNH ĐẠO XÁC NHẬN', hint: '(Ký, ghi rõ họ tên)' },
    ],
    FONT_SIZE,
    48,
  );
  return finish(doc);
}
