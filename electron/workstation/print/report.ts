// The supervisor's daily report (what the agency received and decided on a day, per officer, with
// the day's dossiers) and the workstation's end-of-day reconciliation (what this desk decided, what
// the service confirmed, what still waits or failed), signed off before the day is closed.

import { officerVerdicts, reportVerdicts, type DailyReport } from '../../../contract/api.js';
import {
  type Agency,
  KIND_LABEL,
  OUTCOME_LABEL,
  RESULT_LABEL,
  STATUS_LABEL,
  VERDICT_LABEL,
  VERDICTS,
  verdictOf,
  type Verdict,
} from '../../../contract/domain.js';
import { OUTBOX_STATE_LABEL } from '../../../contract/outbox.js';
import type { OutboxItem, OutboxState } from '../../../contract/workstation.js';
import { formatCount } from '../../../contract/text.js';
import { documentHeading, placeDateLine, signatureColumns } from './common.js';
import { dateTime, displayMobile, shortDate, vnDay } from './format.js';
import { type Column, createDocument, drawTable, finish, setFont, type Doc } from './pdf.js';

const FONT_SIZE = 10;
const TABLE_FONT = 8;

/** A document's centred title lines (shared with the mobile desk's sheet). */
export function title(doc: Doc, lines: readonly string[]): void {
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  setFont(doc, 'serifBold', 14);
  doc.text(lines[0] ?? '', left, doc.y, { width, align: 'center' });
  setFont(doc, 'serifItalic', FONT_SIZE + 1);
  for (const line of lines.slice(1)) doc.text(line, left, doc.y, { width, align: 'center' });
  doc.y += 10;
}

export function heading(doc: Doc, text: string): void {
  setFont(doc, 'serifBold', FONT_SIZE + 1);
  if (doc.y + 60 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  doc.text(text, doc.page.margins.left, doc.y);
  doc.y += 4;
}

export type ColumnSpec = Column & { flex?: boolean; max?: number };

/**
 * Column widths: fixed ones as given; a column with `max` as wide as its longest cell (no wider than
 * max, so dossier numbers and codes stay on one line); flexible ones share what is left.
 */
/** A summary: one row of counts under equal, centred headers, the width of the page. */
export function summaryTable(doc: Doc, headers: readonly string[], counts: readonly number[]): void {
  drawTable(
    doc,
    fit(
      doc,
      headers.map((header) => ({ header, width: 1, flex: true, align: 'center' as const })),
      pageWidth(doc),
    ),
    [counts.map(n)],
    { fontSize: FONT_SIZE },
  );
}

export function fit(
  doc: Doc,
  columns: readonly ColumnSpec[],
  width: number,
  rows: ReadonlyArray<readonly string[]> = [],
  fontSize = TABLE_FONT,
): Column[] {
  const measured = columns.map((c, i) => {
    if (c.flex || c.max === undefined) return c.width;
    setFont(doc, 'condensed', fontSize);
    let w = c.width;
    for (const row of rows) w = Math.max(w, doc.widthOfString(row[i] ?? '') + 8);
    return Math.min(w, c.max);
  });
  const fixed = columns.reduce((sum, c, i) => sum + (c.flex ? 0 : (measured[i] ?? 0)), 0);
  const flexCount = columns.filter((c) => c.flex).length;
  const each = flexCount > 0 ? Math.max(40, (width - fixed) / flexCount) : 0;
  return columns.map((c, i) => ({
    header: c.header,
    width: c.flex ? each : (measured[i] ?? c.width),
    align: c.align ?? 'left',
  }));
}

export function pageWidth(doc: Doc): number {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}

/** A count as Vietnamese write it (1.234); shared with the mobile desk's sheet. */
export const n = formatCount;

/** Column titles of the verdict counts (contract VERDICT_LABEL, shortened to fit a sheet's column). */
const VERDICT_HEADER: Readonly<Record<Verdict, string>> = {
  valid: 'Hợp lệ, đã cấp tài khoản',
  code_not_found: 'Mã số BHXH không có trên HGD',
  invalid: 'Không hợp lệ',
  details_updated: 'Cập nhật thông tin',
  account_stopped: 'Ngừng giao dịch điện tử',
};

/** The daily report of an agency (A4 landscape: the dossier list has eleven columns). */
export function renderDailyReport(
  report: DailyReport,
  agency: Agency,
  options: { preparedBy?: string | null; generatedAt?: string } = {},
): Promise<Buffer> {
  const doc = createDocument({
    layout: 'landscape',
    margins: { top: 34, bottom: 34, left: 36, right: 36 },
    title: `Báo cáo ngày ${shortDate(report.date)} - ${agency.name}`,
  });
  documentHeading(doc, agency, placeDateLine(report.date), FONT_SIZE);
  title(doc, [
    'BÁO CÁO TIẾP NHẬN VÀ DUYỆT HỒ SƠ ĐĂNG KÝ GIAO DỊCH ĐIỆN TỬ',
    `Ngày ${shortDate(report.date)} - ${agency.name} (mã ${agency.code})`,
  ]);
  const width = pageWidth(doc);

  heading(doc, 'I. Tổng hợp');
  const verdicts = reportVerdicts(report);
  drawTable(
    doc,
    fit(
      doc,
      [
        { header: 'Tiếp nhận', width: 1, flex: true, align: 'center' },
        ...VERDICTS.map((v) => ({
          header: VERDICT_HEADER[v],
          width: 1,
          flex: true,
          align: 'center' as const,
        })),
        { header: 'Quá hạn, tự động xóa', width: 1, flex: true, align: 'center' },
        { header: 'Chờ duyệt cuối ngày', width: 1, flex: true, align: 'center' },
      ],
      width,
    ),
    [
      [
        n(report.received),
        ...VERDICTS.map((v) => n(verdicts[v])),
        n(report.expired),
        n(report.pendingAtDayEnd),
      ],
    ],
    { fontSize: FONT_SIZE },
  );
  if (report.delivery) {
    // The outbox when the report was read: SMS and e-mail of the agency's decisions not yet sent.
    const d = report.delivery;
    setFont(doc, 'serifItalic', FONT_SIZE);
    doc.text(
      `Tin nhắn SMS, thư điện tử chờ gửi lúc lập báo cáo: ${n(d.queued)}` +
        (d.lagSeconds > 0 ? ` (tin chờ lâu nhất đã quá ${n(Math.ceil(d.lagSeconds))} giây)` : ''),
      doc.page.margins.left,
      doc.y + 4,
      { width },
    );
  }
  doc.y += 12;

  heading(doc, 'II. Theo cán bộ xử lý');
  const officers = [...report.perOfficer].sort((a, b) => a.reviewer.localeCompare(b.reviewer, 'vi'));
  const perOfficer = officers.map((o) => officerVerdicts(o));
  const totals = Object.fromEntries(
    VERDICTS.map((v) => [v, perOfficer.reduce((sum, o) => sum + o[v], 0)]),
  ) as Record<Verdict, number>;
  const officerRows = officers.map((o, i) => [
    String(i + 1),
    o.reviewer,
    ...VERDICTS.map((v) => n(perOfficer[i]![v])),
    n(o.total),
  ]);
  officerRows.push([
    '',
    'Tổng cộng',
    ...VERDICTS.map((v) => n(totals[v])),
    n(officers.reduce((sum, o) => sum + o.total, 0)),
  ]);
  drawTable(
    doc,
    fit(
      doc,
      [
        { header: 'STT', width: 34, align: 'center' },
        { header: 'Cán bộ xử lý', width: 1, flex: true },
        ...VERDICTS.map((v) => ({ header: VERDICT_HEADER[v], width: 86, align: 'right' as const })),
        { header: 'Tổng số', width: 70, align: 'right' },
      ],
      width,
    ),
    officerRows,
    { fontSize: FONT_SIZE, boldRows: new Set([officerRows.length - 1]) },
  );
  doc.y += 12;

  heading(doc, `III. Danh sách hồ sơ trong ngày (${n(report.dossiers.length)} hồ sơ)`);
  const dossierRows = report.dossiers.map((d, i) => [
    String(i + 1),
    d.dossierNumber,
    dateTime(d.receivedAt ?? d.declaredAt),
    d.bhxhCode,
    d.fullName,
    d.address,
    displayMobile(d.mobile),
    KIND_LABEL[d.kind],
    STATUS_LABEL[d.status],
    verdictOf(d) ? VERDICT_LABEL[verdictOf(d)!] : '',
    d.reviewer ?? '',
    dateTime(d.decidedAt),
  ]);
  drawTable(
    doc,
    fit(
      doc,
      [
        { header: 'STT', width: 22, max: 34, align: 'center' },
        { header: 'Số hồ sơ', width: 60, max: 96 },
        { header: 'Ngày tiếp nhận', width: 50 },
        { header: 'Mã số BHXH', width: 44, max: 52 },
        { header: 'Họ và tên', width: 1, flex: true },
        { header: 'Địa chỉ liên hệ', width: 1, flex: true },
        { header: 'Điện thoại', width: 44, max: 58 },
        { header: 'Loại hồ sơ', width: 56 },
        { header: 'Tình trạng', width: 56 },
        { header: 'Trạng thái', width: 56 },
        { header: 'Người duyệt', width: 70 },
        { header: 'Ngày duyệt', width: 50 },
      ],
      width,
      dossierRows,
    ),
    dossierRows,
    { fontSize: TABLE_FONT },
  );
  if (options.generatedAt) {
    setFont(doc, 'serifItalic', TABLE_FONT);
    doc.text(`Lập lúc ${dateTime(options.generatedAt)}`, doc.page.margins.left, doc.y + 4, { width });
  }
  signatureColumns(
    doc,
    [
      { title: 'NGƯỜI LẬP BIỂU', hint: '(Ký, ghi rõ họ tên)', name: options.preparedBy ?? null },
      { title: 'LÃNH ĐẠO ĐƠN VỊ', hint: '(Ký, ghi rõ họ tên, đóng dấu)' },
    ],
    FONT_SIZE,
    48,
  );
  return finish(doc);
}

export type ReconciliationInput = {
  agency: Agency;
  /** The working day, YYYY-MM-DD (Asia/Ho_Chi_Minh). */
  date: string;
  /** The desk's name as an administrator set it (Tên máy trạm). */
  workstationName: string;
  /** Who worked at the desk (display names). */
  officer: string;
  /** The desk's outbox (sync.items): the day's decisions and anything older still not settled. */
  items: readonly OutboxItem[];
  generatedAt: string;
};

type Bucket = 'confirmed' | 'waiting' | 'failed' | 'dismissed';

const BUCKET: Readonly<Record<OutboxState, Bucket>> = {
  synced: 'confirmed',
  queued: 'waiting',
  conflict: 'failed',
  expired: 'failed',
  failed: 'failed',
  dismissed: 'dismissed',
};

const STATE_LABEL = OUTBOX_STATE_LABEL;

/** Which outbox entries belong on the day's sheet, in the order they were decided. */
export function reconciliationItems(items: readonly OutboxItem[], date: string): OutboxItem[] {
  return items
    .filter(
      (i) =>
        vnDay(i.createdAt) === date ||
        (vnDay(i.createdAt) < date && BUCKET[i.state] !== 'confirmed' && BUCKET[i.state] !== 'dismissed'),
    )
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The end-of-day reconciliation sheet of one desk (A4 landscape), with the supervisor's sign-off. */
export function renderReconciliation(input: ReconciliationInput): Promise<Buffer> {
  const doc = createDocument({
    layout: 'landscape',
    margins: { top: 34, bottom: 34, left: 36, right: 36 },
    title: `Đối chiếu cuối ngày ${shortDate(input.date)} - ${input.workstationName}`,
  });
  documentHeading(doc, input.agency, placeDateLine(input.date), FONT_SIZE);
  title(doc, [
    'BIÊN BẢN ĐỐI CHIẾU KẾT QUẢ DUYỆT HỒ SƠ CUỐI NGÀY',
    `Ngày ${shortDate(input.date)} - Máy trạm: ${input.workstationName}`,
    `Cán bộ: ${input.officer}`,
  ]);
  const width = pageWidth(doc);
  const items = reconciliationItems(input.items, input.date);
  const count = (b: Bucket): number => items.filter((i) => BUCKET[i.state] === b).length;
  const decidedToday = items.filter((i) => vnDay(i.createdAt) === input.date).length;

  heading(doc, 'I. Tổng hợp');
  summaryTable(
    doc,
    [
      'Đã duyệt tại máy trạm trong ngày',
      'Hệ thống trung tâm đã xác nhận',
      'Đang chờ gửi',
      'Không thành công / xung đột / quá hạn',
      'Đã bỏ qua',
    ],
    [decidedToday, count('confirmed'), count('waiting'), count('failed'), count('dismissed')],
  );
  doc.y += 8;
  const open = count('waiting') + count('failed');
  setFont(doc, open > 0 ? 'serifBold' : 'serif', FONT_SIZE);
  doc.text(
    open > 0
      ? `Còn ${n(open)} quyết định chưa được hệ thống trung tâm xác nhận: xử lý (gửi lại, hoặc bỏ qua sau khi đã xem) trước khi đóng ngày.`
      : 'Mọi quyết định trong ngày đã được hệ thống trung tâm xác nhận.',
    doc.page.margins.left,
    doc.y,
    { width },
  );
  doc.y += 10;
  // What the confirmed decisions concluded: an issued account apart from a code not in HGD.
  const confirmed = items.filter((i) => i.state === 'synced');
  drawTable(
    doc,
    fit(
      doc,
      VERDICTS.map((v) => ({ header: VERDICT_HEADER[v], width: 1, flex: true, align: 'center' as const })),
      width,
    ),
    [
      VERDICTS.map((v) =>
        n(confirmed.filter((i) => verdictOf({ outcome: i.outcome, result: i.result }) === v).length),
      ),
    ],
    { fontSize: FONT_SIZE },
  );
  doc.y += 10;

  heading(doc, 'II. Chi tiết');
  const rows = items.map((item, i) => [
    String(i + 1),
    item.dossierNumber,
    item.fullName,
    item.state === 'synced'
      ? VERDICT_LABEL[verdictOf({ outcome: item.outcome, result: item.result }) ?? 'valid']
      : OUTCOME_LABEL[item.outcome],
    item.officerName,
    dateTime(item.createdAt),
    STATE_LABEL[item.state],
    item.result ? RESULT_LABEL[item.result] : (item.lastError ?? ''),
    String(item.attempts),
  ]);
  drawTable(
    doc,
    fit(
      doc,
      [
        { header: 'STT', width: 22, max: 34, align: 'center' },
        { header: 'Số hồ sơ', width: 60, max: 96 },
        { header: 'Họ và tên', width: 110 },
        { header: 'Đánh giá', width: 80 },
        { header: 'Cán bộ xử lý', width: 90 },
        { header: 'Duyệt lúc', width: 50 },
        { header: 'Trạng thái đồng bộ', width: 100 },
        { header: 'Kết quả của hệ thống / lỗi', width: 1, flex: true },
        { header: 'Lần gửi', width: 34, align: 'right' },
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
      { title: 'CÁN BỘ TIẾP NHẬN', hint: '(Ký, ghi rõ họ tên)', name: input.officer },
      { title: 'LÃNH ĐẠO XÁC NHẬN ĐỐI CHIẾU', hint: '(Ký, ghi rõ họ tên; ghi rõ: khớp / không khớp)' },
    ],
    FONT_SIZE,
    48,
  );
  return finish(doc);
}
