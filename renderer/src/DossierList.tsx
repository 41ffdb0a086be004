// Hồ sơ ĐK GDĐT → Cá nhân (Hình 3, Hình 4): the seed's eleven columns in order, a virtualised antd Table
// that loads only the pages scrolled into view (so 200,000 rows scroll smoothly), sortable columns,
// keyboard navigation (↑/↓, Enter), double-click or the context menu to open a dossier, and the Mở rộng
// search panel whose Tra cứu runs on the local store (works offline; diacritics ignored, đ = d).
// Printing: rows are marked for printing with the checkbox column, Ctrl+click,
// Shift+click (a range) or Space; "In các hồ sơ đã chọn" prints their Mẫu 01 as one job with a progress
// bar and Huỷ; the context menu prints one row's Mẫu 01.
import {
  App,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Form,
  Input,
  Row,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import type { TableProps } from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { STATUS_LABEL, VERDICTS, VERDICT_LABEL } from '../../contract/domain';
import { formatCount } from '../../contract/text';
import type { DossierFilter, DossierRow, SortField } from '../../contract/workstation';
import { api, call } from './api';
import { fitColumns, listColumns, MARK_WIDTH } from './listColumns';
import { BatchPrintModal } from './print/BatchPrintModal';
import { failureText, printJob } from './print/deliver';

const PAGE = 200;
/**
 * Dates typed in Mở rộng: shown dd/MM/yyyy; typed also without leading zeros (1/8/2020) or without
 * slashes (01082020), as officers type them.
 */
const DATE_FORMATS = ['DD/MM/YYYY', 'D/M/YYYY', 'DDMMYYYY'];

type Placeholder = { id: string; placeholder: true };
type Item = DossierRow | Placeholder;
const isRow = (r: Item): r is DossierRow => !('placeholder' in r);

type SearchValues = {
  dossierNumber?: string;
  bhxhCode?: string;
  name?: string;
  from?: Dayjs | null;
  to?: Dayjs | null;
  status?: DossierFilter['status'];
  verdict?: DossierFilter['verdict'];
};

/** A row not loaded yet: asks for its page once the virtual list renders it. */
function RowPlaceholder({ index, request }: { index: number; request: (index: number) => void }) {
  useEffect(() => request(index), [index, request]);
  return <span style={{ color: '#bbb' }}>…</span>;
}

export function DossierList({ me, onOpen }: { me: readonly string[]; onOpen: (id: string) => void }) {
  const [filter, setFilter] = useState<DossierFilter>({});
  const [sort, setSort] = useState<{ field: SortField; order: 'asc' | 'desc' }>({
    field: 'receivedAt',
    order: 'desc',
  });
  const [total, setTotal] = useState<number | null>(null);
  const [rows, setRows] = useState<Map<number, DossierRow>>(new Map());
  const [expanded, setExpanded] = useState(false);
  const [selected, setSelected] = useState(0);
  const [menu, setMenu] = useState<{ x: number; y: number; id: string } | null>(null);
  /** Rows marked for printing (ids; kept across searches and sorting). */
  const [marked, setMarked] = useState<ReadonlySet<string>>(() => new Set());
  const [batch, setBatch] = useState<{ key: number; ids: string[] } | null>(null);
  const { message } = App.useApp();
  const [height, setHeight] = useState(() => Math.max(300, window.innerHeight - 260));
  const loading = useRef(new Set<number>());
  const generation = useRef(0);
  const tableRef = useRef<{ scrollTo: (c: { index: number }) => void; nativeElement: HTMLDivElement } | null>(
    null,
  );
  const [form] = Form.useForm<SearchValues>();
  // The table's width, for fitting the columns (listColumns.tsx).
  const [tableWidth, setTableWidth] = useState(1000);
  const tableBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = tableBox.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setTableWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  // Claims expire: the clock the list compares them with, refreshed every half minute.
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNowMs(Date.now()), 30_000);
    return () => clearInterval(t);
  }, []);

  const loadPage = useCallback(
    async (page: number, gen: number, reset = false) => {
      if (loading.current.has(page)) return;
      loading.current.add(page);
      try {
        const res = await call('dossiers.list', { filter, sort, offset: page * PAGE, limit: PAGE });
        if (gen !== generation.current) return;
        setTotal(res.total);
        setRows((prev) => {
          // A new filter, sort or refresh starts from an empty map: stale rows never mix in.
          const next = reset ? new Map<number, DossierRow>() : new Map(prev);
          res.rows.forEach((r, i) => next.set(res.offset + i, r));
          return next;
        });
      } catch {
        loading.current.delete(page);
      }
    },
    [filter, sort],
  );

  // New filter or sort: start again from the first page.
  useEffect(() => {
    generation.current += 1;
    loading.current = new Set();
    // The state changes after the fetch resolves, not synchronously in the effect.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void loadPage(0, generation.current, true);
  }, [loadPage]);

  /** Called by a placeholder row the virtual list rendered: fetch its page. */
  const requestRow = useCallback(
    (index: number) => {
      const page = Math.floor(index / PAGE);
      if (!loading.current.has(page)) void loadPage(page, generation.current);
    },
    [loadPage],
  );

  // Decisions and pulled changes: refresh what is loaded.
  useEffect(() => {
    return api.on((e) => {
      if (e.type === 'dossiers.changed' || e.type === 'decision.updated') {
        const pages = [...loading.current];
        generation.current += 1;
        loading.current = new Set();
        const gen = generation.current;
        const list = pages.length ? pages.sort((a, b) => a - b) : [0];
        list.forEach((p, i) => void loadPage(p, gen, i === 0));
      }
    });
  }, [loadPage]);

  // The rows fill the screen down to the status bar: the window's height less what is above the
  // table (header, Mở rộng when open), its column titles (two lines, 44 px) and what is below it
  // (the card's padding and the status bar, about 60 px).
  useEffect(() => {
    const onResize = (): void => {
      const top = tableBox.current?.getBoundingClientRect().top;
      if (top === undefined || tableBox.current?.offsetParent === null) return;
      setHeight(Math.max(220, Math.floor(window.innerHeight - top - 44 - 60)));
    };
    const frame = requestAnimationFrame(onResize);
    window.addEventListener('resize', onResize);
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener('resize', onResize);
    };
  }, [expanded]);

  useEffect(() => {
    if (!menu) return;
    const close = (): void => setMenu(null);
    window.addEventListener('click', close);
    return () => window.removeEventListener('click', close);
  }, [menu]);

  const data = useMemo<Item[]>(() => {
    const out: Item[] = new Array(total ?? 0);
    for (let i = 0; i < out.length; i++) out[i] = rows.get(i) ?? { id: `__${i}`, placeholder: true };
    return out;
  }, [rows, total]);

  const sortOrder = (field: SortField) =>
    sort.field === field ? (sort.order === 'asc' ? ('ascend' as const) : ('descend' as const)) : null;
  const text = (index: number, r: Item, value: (r: DossierRow) => React.ReactNode) => {
    if (!isRow(r)) return <RowPlaceholder index={index} request={requestRow} />;
    return value(r);
  };
  const specs = listColumns({
    claimOf: (r) =>
      r.claim && !me.includes(r.claim.claimedBy) && Date.parse(r.claim.claimedUntil) > nowMs
        ? r.claim.claimedBy
        : null,
  });
  // Kept free for the virtual list's scroll bar.
  const fitted = fitColumns(specs, Math.max(0, tableWidth - MARK_WIDTH - 8));
  const columns: TableProps<Item>['columns'] = specs.map((c, i) => ({
    title: c.title,
    key: c.key,
    width: fitted.widths[i],
    fixed: c.frozen ? ('left' as const) : undefined,
    className: c.width !== undefined ? 'ws-col-fixed' : 'ws-col-wrap',
    sorter: c.field !== null,
    sortOrder: c.field ? sortOrder(c.field) : null,
    sortDirections: ['ascend' as const, 'descend' as const, 'ascend' as const],
    render: (_: unknown, r: Item, index: number) => text(index, r, (row) => c.cell(row, index)),
    ...(c.field ? { dataIndex: c.field } : {}),
  }));
  // Marking rows for printing: a plain column of checkboxes (antd's rowSelection would walk all
  // 200,000 rows on every render). Its header stays empty: the seed's eleven titles are unchanged.
  columns.unshift({
    title: '',
    key: '__mark',
    width: MARK_WIDTH,
    fixed: 'left',
    align: 'center',
    render: (_: unknown, r: Item) =>
      isRow(r) ? (
        <Checkbox
          checked={marked.has(r.id)}
          onChange={() => toggleMark(r)}
          aria-label={`Chọn hồ sơ ${r.dossierNumber}`}
          tabIndex={-1}
        />
      ) : null,
  });

  const search = (v: SearchValues): void => {
    setFilter({
      ...(v.dossierNumber?.trim() ? { dossierNumber: v.dossierNumber.trim() } : {}),
      ...(v.bhxhCode?.trim() ? { bhxhCode: v.bhxhCode.trim() } : {}),
      ...(v.name?.trim() ? { name: v.name.trim() } : {}),
      ...(v.from ? { from: v.from.format('YYYY-MM-DD') } : {}),
      ...(v.to ? { to: v.to.format('YYYY-MM-DD') } : {}),
      ...(v.status ? { status: v.status } : {}),
      ...(v.verdict ? { verdict: v.verdict } : {}),
    });
    setSelected(0);
  };

  // Where the keyboard cursor is, set at once: a key pressed before the last move's row has taken the
  // focus (a held key, a busy machine) moves on from there, not from the row that still has the focus.
  const keyCursor = useRef<number | null>(null);

  const focusRow = (index: number): void => {
    if (total === null || total === 0) return;
    const i = Math.max(0, Math.min(total - 1, index));
    keyCursor.current = i;
    setSelected(i);
    tableRef.current?.scrollTo({ index: i });
    requestAnimationFrame(() => {
      if (keyCursor.current !== i) return; // a later move already went further
      const el = tableRef.current?.nativeElement.querySelector<HTMLElement>(`[data-row-index="${i}"]`);
      el?.focus();
    });
  };

  const toggleMark = (r: Item): void => {
    if (!isRow(r)) return;
    setMarked((prev) => {
      const next = new Set(prev);
      if (!next.delete(r.id)) next.add(r.id);
      return next;
    });
  };

  /** Shift+click: mark the loaded rows from the current row to this one. */
  const markRange = (from: number, to: number): void => {
    setMarked((prev) => {
      const next = new Set(prev);
      for (let i = Math.min(from, to); i <= Math.max(from, to); i++) {
        const row = rows.get(i);
        if (row) next.add(row.id);
      }
      return next;
    });
  };

  const printBatch = (): void => {
    if (marked.size === 0) return;
    setBatch({ key: Date.now(), ids: [...marked] });
  };

  const printOne = async (id: string): Promise<void> => {
    try {
      const job = await call('print.document', { dossierId: id, document: 'mau01' });
      void message.success(await printJob(job));
    } catch (err) {
      void message.error(failureText(err));
    }
  };

  const onRowKey = (e: KeyboardEvent, index: number, r: Item): void => {
    const steps: Readonly<Record<string, number>> = { ArrowDown: 1, ArrowUp: -1, PageDown: 15, PageUp: -15 };
    const step = steps[e.key];
    if (step !== undefined) {
      e.preventDefault();
      const from = keyCursor.current ?? index;
      // Shift with a move marks the rows passed over for printing, as Shift+click does.
      if (e.shiftKey && total) markRange(from, Math.max(0, Math.min(total - 1, from + step)));
      focusRow(from + step);
    } else if (e.key === ' ') {
      e.preventDefault();
      toggleMark(r);
    } else if (e.key === 'Enter' && isRow(r)) {
      e.preventDefault();
      onOpen(r.id);
    }
  };

  return (
    <Card
      size="small"
      styles={{ body: { padding: 8 } }}
      title={<Typography.Text strong>Hồ sơ đăng ký giao dịch điện tử cá nhân</Typography.Text>}
      extra={
        <Space>
          <Typography.Text type="secondary" aria-live="polite">
            {total === null ? 'Đang tải…' : `Tổng số: ${formatCount(total)} hồ sơ`}
            {marked.size > 0 && `, đã chọn ${formatCount(marked.size)}`}
          </Typography.Text>
          {marked.size > 0 && <Button onClick={() => setMarked(new Set())}>Bỏ chọn</Button>}
          <Button
            disabled={marked.size === 0}
            title="Chọn hồ sơ bằng ô đánh dấu, Ctrl+nhấp, Shift+nhấp hoặc phím cách"
            onClick={printBatch}
          >
            In các hồ sơ đã chọn
          </Button>
          <Button onClick={() => setExpanded((x) => !x)} aria-expanded={expanded}>
            Mở rộng
          </Button>
        </Space>
      }
    >
      {expanded && (
        <Form form={form} layout="vertical" onFinish={search} style={{ marginBottom: 8 }} role="search">
          <Row gutter={12}>
            <Col span={5}>
              <Form.Item label="Số hồ sơ" name="dossierNumber">
                <Input aria-label="Số hồ sơ" allowClear />
              </Form.Item>
            </Col>
            <Col span={4}>
              <Form.Item label="Mã số BHXH" name="bhxhCode">
                <Input aria-label="Mã số BHXH" allowClear inputMode="numeric" />
              </Form.Item>
            </Col>
            <Col span={5}>
              <Form.Item label="Họ và tên" name="name">
                <Input aria-label="Họ và tên" allowClear />
              </Form.Item>
            </Col>
            <Col span={5}>
              <Form.Item label="Từ ngày" name="from">
                <DatePicker
                  aria-label="Từ ngày"
                  format={DATE_FORMATS}
                  placeholder="dd/MM/yyyy"
                  style={{ width: '100%' }}
                />
              </Form.Item>
            </Col>
            <Col span={5}>
              <Form.Item
                label="Đến ngày"
                name="to"
                dependencies={['from']}
                rules={[
                  ({ getFieldValue }) => ({
                    validator: async (_r, to: Dayjs | null | undefined) => {
                      const from = getFieldValue('from') as Dayjs | null | undefined;
                      if (from && to && to.isBefore(from, 'day'))
                        throw new Error('Đến ngày phải sau hoặc bằng Từ ngày: đổi lại khoảng ngày.');
                    },
                  }),
                ]}
              >
                <DatePicker
                  aria-label="Đến ngày"
                  format={DATE_FORMATS}
                  placeholder="dd/MM/yyyy"
                  style={{ width: '100%' }}
                />
              </Form.Item>
            </Col>
          </Row>
          <Row gutter={12} align="bottom">
            <Col span={5}>
              <Form.Item label="Tình trạng" name="status">
                <Select
                  aria-label="Tình trạng"
                  allowClear
                  options={(['pending', 'decided', 'expired'] as const).map((s) => ({
                    value: s,
                    label: STATUS_LABEL[s],
                  }))}
                />
              </Form.Item>
            </Col>
            <Col span={5}>
              <Form.Item label="Trạng thái" name="verdict">
                <Select
                  aria-label="Trạng thái"
                  allowClear
                  options={VERDICTS.map((v) => ({ value: v, label: VERDICT_LABEL[v] }))}
                />
              </Form.Item>
            </Col>
            <Col span={14}>
              <Form.Item>
                <Space>
                  <Button type="primary" htmlType="submit">
                    Tra cứu
                  </Button>
                  <Button
                    onClick={() => {
                      form.resetFields();
                      search({});
                    }}
                  >
                    Xóa điều kiện
                  </Button>
                </Space>
              </Form.Item>
            </Col>
          </Row>
        </Form>
      )}
      <div ref={tableBox} className="ws-list">
        <Table<Item>
          ref={tableRef as never}
          virtual
          size="small"
          bordered
          rowKey="id"
          columns={columns}
          dataSource={data}
          pagination={false}
          scroll={{ x: fitted.total + MARK_WIDTH, y: height }}
          locale={{ emptyText: total === null ? 'Đang tải…' : 'Không có hồ sơ phù hợp.' }}
          showSorterTooltip={false}
          onChange={(_p, _f, sorter) => {
            const s = Array.isArray(sorter) ? sorter[0] : sorter;
            const field = (s?.field ?? s?.columnKey) as SortField | undefined;
            if (s?.order && field) setSort({ field, order: s.order === 'ascend' ? 'asc' : 'desc' });
            else setSort({ field: 'receivedAt', order: 'desc' });
          }}
          rowClassName={(r, index) =>
            // antd's own class for a selected row: the marked rows look as antd draws a selection.
            [
              index === selected && 'ws-row-selected',
              isRow(r) && marked.has(r.id) && 'ant-table-row-selected',
            ]
              .filter(Boolean)
              .join(' ')
          }
          onRow={(r, index = 0) => ({
            tabIndex: index === selected ? 0 : -1,
            'data-row-index': index,
            'aria-selected': index === selected,
            onFocus: () => {
              keyCursor.current = index;
            },
            onClick: (e: React.MouseEvent) => {
              // The checkbox column marks on its own; Ctrl+click toggles, Shift+click marks a range.
              if (!(e.target as HTMLElement).closest('.ant-checkbox-wrapper')) {
                if (e.ctrlKey || e.metaKey) toggleMark(r);
                else if (e.shiftKey) markRange(selected, index);
              }
              setSelected(index);
            },
            onDoubleClick: () => isRow(r) && onOpen(r.id),
            onKeyDown: (e: KeyboardEvent) => onRowKey(e, index, r),
            onContextMenu: (e: React.MouseEvent) => {
              if (!isRow(r)) return;
              e.preventDefault();
              setSelected(index);
              setMenu({ x: e.clientX, y: e.clientY, id: r.id });
            },
          })}
        />
      </div>
      {menu && (
        <div
          role="menu"
          onKeyDown={(e) => {
            const items = [...e.currentTarget.querySelectorAll<HTMLElement>('[role="menuitem"]')];
            const at = items.indexOf(document.activeElement as HTMLElement);
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault();
              const step = e.key === 'ArrowDown' ? 1 : items.length - 1;
              items[(at + step) % items.length]?.focus();
            } else if (e.key === 'Escape') {
              setMenu(null);
              focusRow(selected);
            }
          }}
          style={{
            position: 'fixed',
            left: menu.x,
            top: menu.y,
            zIndex: 1000,
            background: '#fff',
            boxShadow: '0 3px 12px rgba(0,0,0,.2)',
            borderRadius: 6,
            padding: 4,
          }}
        >
          <Space direction="vertical" size={0}>
            <Button type="text" role="menuitem" autoFocus onClick={() => onOpen(menu.id)}>
              Xem chi tiết hồ sơ
            </Button>
            <Button type="text" role="menuitem" onClick={() => void printOne(menu.id)}>
              In Mẫu 01
            </Button>
            {marked.size > 0 && (
              <Button type="text" role="menuitem" onClick={printBatch}>
                In các hồ sơ đã chọn ({marked.size})
              </Button>
            )}
          </Space>
        </div>
      )}
      {batch && <BatchPrintModal key={batch.key} ids={batch.ids} onClose={() => setBatch(null)} />}
    </Card>
  );
}
