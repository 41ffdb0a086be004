// Parts shared by the notices and reports: the two-column heading of an administrative document
// (agency on the left, the national motto on the right) and the signature columns.

import type { Agency } from '../../../contract/domain.js';
import { setFont, type Doc } from './pdf.js';

export const NATION = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM';
export const MOTTO = 'Độc lập - Tự do - Hạnh phúc';
export const PARENT_BODY = 'BẢO HIỂM XÃ HỘI VIỆT NAM';

/** Left: the parent body and the agency; right: the nation, the motto and the place/date line. */
export function documentHeading(doc: Doc, agency: Agency, dateLine: string, fontSize: number): void {
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const leftWidth = Math.min(250, width * 0.4);
  const rightWidth = Math.min(330, width - leftWidth - 8);
  const rightX = left + width - rightWidth;
  const top = doc.y;
  setFont(doc, 'serif', fontSize);
  doc.text(PARENT_BODY, left, top, { width: leftWidth, align: 'center' });
  setFont(doc, 'serifBold', fontSize);
  doc.text(agency.name.toLocaleUpperCase('vi'), left, doc.y, { width: leftWidth, align: 'center' });
  const leftBottom = doc.y;
  underline(doc, left + leftWidth / 2, leftBottom + 2, 60);
  setFont(doc, 'serifBold', fontSize);
  // The nation's name stays on one line: smaller type on a narrow page rather than a break.
  const nationWidth = doc.widthOfString(NATION);
  if (nationWidth > rightWidth - 2) doc.fontSize((fontSize * (rightWidth - 2)) / nationWidth);
  doc.text(NATION, rightX, top, { width: rightWidth, align: 'center' });
  doc.fontSize(fontSize);
  doc.text(MOTTO, rightX, doc.y, { width: rightWidth, align: 'center' });
  underline(doc, rightX + rightWidth / 2, doc.y + 1, doc.widthOfString(MOTTO));
  doc.y += 6;
  setFont(doc, 'serifItalic', fontSize);
  doc.text(dateLine, rightX, doc.y, { width: rightWidth, align: 'center' });
  doc.x = left;
  doc.y = Math.max(doc.y, leftBottom) + 14;
}

function underline(doc: Doc, centerX: number, y: number, length: number): void {
  doc
    .lineWidth(0.6)
    .moveTo(centerX - length / 2, y)
    .lineTo(centerX + length / 2, y)
    .stroke('#000000');
}

export type SignatureColumn = { title: string; hint?: string; name?: string | null };

/** Signature columns side by side at the bottom of a document, kept together on one page. */
export function signatureColumns(
  doc: Doc,
  columns: readonly SignatureColumn[],
  fontSize: number,
  room = 56,
): void {
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const needed = fontSize * 1.4 * 3 + room + 12;
  if (doc.y + needed > doc.page.height - doc.page.margins.bottom) doc.addPage();
  doc.y += 10;
  const top = doc.y;
  const colWidth = width / columns.length;
  let bottom = top;
  columns.forEach((col, i) => {
    const x = left + i * colWidth;
    setFont(doc, 'serifBold', fontSize);
    doc.text(col.title, x, top, { width: colWidth, align: 'center' });
    if (col.hint) {
      setFont(doc, 'serifItalic', fontSize - 1);
      doc.text(col.hint, x, doc.y, { width: colWidth, align: 'center' });
    }
    doc.y += room;
    if (col.name) {
      setFont(doc, 'serifBold', fontSize);
      doc.text(col.name, x, doc.y, { width: colWidth, align: 'center' });
    }
    bottom = Math.max(bottom, doc.y);
  });
  doc.x = left;
  doc.y = bottom;
}

/** "Hà Nội" is not known for every agency: the place is left for the pen, the date is printed. */
export function placeDateLine(day: string | null): string {
  const m = day ? /^(\d{4})-(\d{2})-(\d{2})/u.exec(day) : null;
  return m
    ? `....., ngày ${Number(m[3])} tháng ${Number(m[2])} năm ${m[1]}`
    : '....., ngày ..... tháng ..... năm .........';
}
