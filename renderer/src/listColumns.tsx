// The eleven columns of Hình 3 in the seed's order and titles, fitted to the screen: columns whose
// content has one length (numbers, dates, phones) get exactly that width on one line; the texts
// (names, address, reviewer, Trạng thái) share what is left and wrap to two lines. From 1280 px wide
// (the sider folded) all eleven fit; narrower, the table scrolls sideways with STT, Số hồ sơ and Họ
// và tên frozen on the left, so the row being read is never lost. Widths measured in Chromium at the
// list's 13 px: "00089.GD/2020/00115" 132 px, "12/08/2020 15:37" 102 px, "0888 888 888" 80 px, a
// Mã số BHXH 73 px, "200000" 44 px, each with 12 px of padding.
import { Tag } from 'antd';
import type { ReactNode } from 'react';
import { KIND_SHORT, VERDICT_COLOR, VERDICT_LABEL, verdictOf, type DossierKind } from '../../contract/domain';
import type { DossierRow, SortField } from '../../contract/workstation';
import { formatDateTime } from './format';
import { MobileText } from './MobileText';

export type ListColumn = {
  key: string;
  title: string;
  field: SortField | null;
  /** One-line content: this width exactly. */
  width?: number;
  /** Wrapping content: at least this wide, and a share of what is left. */
  min?: number;
  share?: number;
  frozen?: boolean;
  cell: (r: DossierRow, index: number) => ReactNode;
};

const KIND_COLOR: Readonly<Record<DossierKind, string>> = {
  register: '#5b6b7f',
  update: '#7b3fb3',
  stop: '#c2410c',
};

/** Two lines at most; the whole text in the tooltip. */
function wrap(text: string | null | undefined): ReactNode {
  if (!text) return null;
  return (
    <div className="ws-clamp2" title={text}>
      {text}
    </div>
  );
}

function oneLine(text: string | null | undefined): ReactNode {
  return text ? <span className="ws-nowrap">{text}</span> : null;
}

/** The list's columns; `claimedBy` is the other desk's claim to show (null for none or one's own). */
export function listColumns(options: { claimOf: (r: DossierRow) => string | null }): ListColumn[] {
  return [
    {
      key: 'stt',
      title: 'STT',
      field: null,
      width: 54,
      frozen: true,
      cell: (_r, i) => oneLine(String(i + 1)),
    },
    {
      key: 'dossierNumber',
      title: 'Số hồ sơ',
      field: 'dossierNumber',
      width: 146,
      frozen: true,
      cell: (r) => (
        <div>
          <div className="ws-nowrap">{r.dossierNumber}</div>
          <div className="ws-kind" style={{ color: KIND_COLOR[r.kind] }} data-kind={r.kind}>
            {KIND_SHORT[r.kind]}
          </div>
        </div>
      ),
    },
    {
      key: 'receivedAt',
      title: 'Ngày tiếp nhận',
      field: 'receivedAt',
      width: 114,
      cell: (r) => oneLine(formatDateTime(r.receivedAt ?? r.declaredAt)),
    },
    { key: 'bhxhCode', title: 'Mã số BHXH', field: 'bhxhCode', width: 86, cell: (r) => oneLine(r.bhxhCode) },
    {
      key: 'fullName',
      title: 'Họ và tên',
      field: 'fullName',
      min: 100,
      share: 1.2,
      frozen: true,
      cell: (r) => wrap(r.fullName),
    },
    {
      key: 'address',
      title: 'Địa chỉ',
      field: 'address',
      min: 124,
      share: 2.2,
      cell: (r) => wrap(r.address),
    },
    {
      key: 'contactPerson',
      title: 'Người liên hệ',
      field: 'contactPerson',
      min: 88,
      share: 1,
      cell: (r) => wrap(r.contactPerson),
    },
    {
      key: 'mobile',
      title: 'Điện thoại',
      field: 'mobile',
      width: 92,
      cell: (r) => <MobileText value={r.mobile} stacked />,
    },
    {
      key: 'reviewer',
      title: 'Người duyệt',
      field: 'reviewer',
      min: 96,
      share: 1.1,
      cell: (r) => {
        // A pending dossier has no reviewer: the column says who has it open on another desk.
        const claimedBy = options.claimOf(r);
        if (!r.reviewer && claimedBy)
          return (
            <Tag color="blue" className="ws-tag-wrap">
              Đang xử lý: {claimedBy}
            </Tag>
          );
        return wrap(r.reviewer);
      },
    },
    {
      key: 'decidedAt',
      title: 'Ngày duyệt',
      field: 'decidedAt',
      width: 114,
      cell: (r) => oneLine(formatDateTime(r.decidedAt)),
    },
    {
      key: 'verdict',
      title: 'Trạng thái',
      field: 'outcome',
      min: 124,
      share: 1.2,
      cell: (r) => {
        const v = verdictOf(r);
        return (
          <div className="ws-status-cell">
            {v && (
              <Tag color={VERDICT_COLOR[v]} className="ws-tag-wrap" data-verdict={v}>
                {VERDICT_LABEL[v]}
              </Tag>
            )}
            {r.localState === 'queued' && <Tag color="orange">Chờ đồng bộ</Tag>}
            {r.localState === 'conflict' && <Tag color="red">Xung đột</Tag>}
            {r.localState === 'failed' && <Tag color="red">Lỗi đồng bộ</Tag>}
            {r.localState === 'expired' && <Tag color="default">Quá hạn</Tag>}
          </div>
        );
      },
    },
  ];
}

/** The checkbox column that marks rows for printing (no title: the seed's eleven stay as they are). */
export const MARK_WIDTH = 34;

/**
 * Each column's width for a table `available` px wide (after the mark column): one-line columns as
 * given, wrapping ones their minimum plus a share of the rest. Returns the total (the table's
 * scroll width, larger than `available` only when even the minimums do not fit).
 */
export function fitColumns(
  columns: readonly ListColumn[],
  available: number,
): { widths: number[]; total: number } {
  const fixed = columns.reduce((s, c) => s + (c.width ?? c.min ?? 0), 0);
  const shares = columns.reduce((s, c) => s + (c.width === undefined ? (c.share ?? 1) : 0), 0);
  const spare = Math.max(0, available - fixed);
  const widths = columns.map((c) =>
    c.width !== undefined ? c.width : Math.floor((c.min ?? 0) + (spare * (c.share ?? 1)) / shares),
  );
  return { widths, total: widths.reduce((s, w) => s + w, 0) };
}
