// Danh sách kê khai tại bàn: the desk's declarations, today's and earlier, newest first, each person's
// state (Chờ gửi, Đã gửi with the dossier number, Cần sửa with the service's message, Đã tiếp nhận,
// Đã duyệt) and the step still open; a search by name (tone marks not needed), ID number, Mã tạm or
// dossier number; and Bảng kê cuối ngày, the desk's end-of-day sheet through the print layer.
// ↑/↓ and Enter or a double click open a declaration.
import { Alert, Button, Card, DatePicker, Input, Select, Space, Table, Tag, Typography, message } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useEffect, useState, type KeyboardEvent } from 'react';
import {
  DESK_STEP_LABEL,
  type DeskRow,
  type DeskState,
  type DeskStatus,
} from '../../../contract/workstationDesk';
import { RESULT_LABEL } from '../../../contract/domain';
import { api, call, errorMessage } from '../api';
import { formatDateTime } from '../format';
import { failureText, printJob } from '../print/deliver';
import { DeskStateTag, Kbd } from './deskUi';

function progress(r: DeskRow): string {
  const refused = r.steps.find((s) => s.state === 'failed');
  if (refused) return `${DESK_STEP_LABEL[refused.kind]}: ${refused.lastError ?? ''}`;
  const open = r.steps.find((s) => s.state === 'queued');
  if (open) {
    const done = r.steps.filter((s) => s.state === 'synced').length;
    return `Chờ: ${DESK_STEP_LABEL[open.kind]} (${done}/${r.steps.length} bước)`;
  }
  return r.result ? RESULT_LABEL[r.result] : r.outcome ? '' : 'Chờ cán bộ duyệt';
}

export function DeskList({ onOpen, onNew }: { onOpen: (id: string) => void; onNew: () => void }) {
  const [rows, setRows] = useState<DeskRow[]>([]);
  const [query, setQuery] = useState('');
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [state, setState] = useState<DeskState | undefined>(undefined);
  const [selected, setSelected] = useState(0);
  const [status, setStatus] = useState<DeskStatus | null>(null);
  const [sheetDay, setSheetDay] = useState<Dayjs>(dayjs());
  const [printing, setPrinting] = useState(false);

  const load = useCallback(async () => {
    try {
      setRows(
        await call('desk.list', {
          query,
          ...(range?.[0] ? { from: range[0].format('YYYY-MM-DD') } : {}),
          ...(range?.[1] ? { to: range[1].format('YYYY-MM-DD') } : {}),
          ...(state && state !== 'draft' ? { state } : {}),
        }),
      );
      setStatus(await call('desk.status', {}));
    } catch (err) {
      void message.error(errorMessage(err));
    }
  }, [query, range, state]);

  useEffect(() => {
    const t = window.setTimeout(() => void load(), 150);
    return () => window.clearTimeout(t);
  }, [load]);

  // A chain moved: the list follows (at most a few times a second while a backlog drains).
  useEffect(() => {
    let timer: number | null = null;
    const off = api.on((e) => {
      if (e.type !== 'desk.changed' || timer !== null) return;
      timer = window.setTimeout(() => {
        timer = null;
        void load();
      }, 300);
    });
    return () => {
      off();
      if (timer !== null) window.clearTimeout(timer);
    };
  }, [load]);

  const sheet = async (): Promise<void> => {
    setPrinting(true);
    try {
      const r = await call('desk.sheet', { date: sheetDay.format('YYYY-MM-DD') });
      void message.success(await printJob(r.job));
    } catch (err) {
      void message.error(failureText(err));
    } finally {
      setPrinting(false);
    }
  };

  const onKey = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.key === 'ArrowDown') setSelected((i) => Math.min(rows.length - 1, i + 1));
    else if (e.key === 'ArrowUp') setSelected((i) => Math.max(0, i - 1));
    else if (e.key === 'Enter' && rows[selected]) onOpen(rows[selected].id);
    else return;
    e.preventDefault();
  };

  return (
    <Card
      size="small"
      title="Danh sách kê khai tại bàn"
      extra={
        <Space>
          {status && (
            <Typography.Text type="secondary">
              Hôm nay: {status.today} người · chờ gửi {status.queued} · cần sửa {status.needsFix}
            </Typography.Text>
          )}
          <Button type="primary" onClick={onNew}>
            Kê khai mới
          </Button>
        </Space>
      }
    >
      {status?.disk.message && (
        <Alert
          type={status.disk.level === 'full' ? 'error' : 'warning'}
          showIcon
          role="alert"
          title={status.disk.message}
          style={{ marginBottom: 8 }}
        />
      )}
      <Space wrap style={{ marginBottom: 8 }}>
        <Input.Search
          allowClear
          aria-label="Tìm tờ khai"
          placeholder="Họ tên (không cần dấu), số CCCD hoặc mã tạm"
          style={{ width: 340 }}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <DatePicker.RangePicker
          aria-label="Ngày kê khai"
          format="DD/MM/YYYY"
          value={range}
          onChange={(v) => setRange(v as [Dayjs | null, Dayjs | null] | null)}
          placeholder={['Từ ngày', 'Đến ngày']}
        />
        <Select
          allowClear
          aria-label="Trạng thái"
          placeholder="Trạng thái"
          style={{ width: 150 }}
          value={state}
          onChange={setState}
          options={[
            { value: 'queued', label: 'Chờ gửi' },
            { value: 'sent', label: 'Đã gửi' },
            { value: 'needs_fix', label: 'Cần sửa' },
            { value: 'received', label: 'Đã tiếp nhận' },
            { value: 'decided', label: 'Đã duyệt' },
          ]}
        />
        <Space.Compact>
          <DatePicker
            aria-label="Ngày của bảng kê"
            format="DD/MM/YYYY"
            allowClear={false}
            value={sheetDay}
            disabledDate={(d) => d.isAfter(dayjs(), 'day')}
            onChange={(d) => d && setSheetDay(d)}
          />
          <Button loading={printing} onClick={() => void sheet()}>
            In bảng kê cuối ngày
          </Button>
        </Space.Compact>
      </Space>
      <div tabIndex={0} onKeyDown={onKey} aria-label="Các tờ khai tại bàn">
        <Table<DeskRow>
          size="small"
          rowKey="id"
          dataSource={rows}
          pagination={{ pageSize: 50, showSizeChanger: false }}
          scroll={{ y: 'calc(100vh - 330px)' }}
          onRow={(r, i) => ({
            onDoubleClick: () => onOpen(r.id),
            onClick: () => setSelected(i ?? 0),
            className: i === selected ? 'ws-row-selected' : '',
          })}
          columns={[
            { title: 'STT', key: 'stt', width: 52, render: (_: unknown, _r, i) => i + 1 },
            {
              title: 'Số hồ sơ / Mã tạm',
              key: 'ref',
              width: 170,
              render: (_: unknown, r) =>
                r.dossierNumber ? (
                  <span title={`Mã tạm ${r.ref}`}>{r.dossierNumber}</span>
                ) : (
                  <Tag color="purple">{r.ref}</Tag>
                ),
            },
            {
              title: 'Kê khai lúc',
              dataIndex: 'declaredAt',
              width: 130,
              render: (v: string) => formatDateTime(v),
            },
            { title: 'Họ và tên', dataIndex: 'fullName', width: 170 },
            { title: 'Số CMND/HC/CC', dataIndex: 'idNumber', width: 125 },
            {
              title: 'Mã số BHXH',
              dataIndex: 'bhxhCode',
              width: 110,
              render: (v: string, r) =>
                v ||
                (r.codeResolution === 'not_found' ? (
                  <Tag color="orange">không tìm thấy</Tag>
                ) : (
                  <Typography.Text type="secondary">tra khi gửi</Typography.Text>
                )),
            },
            { title: 'Cán bộ', dataIndex: 'officerName', width: 120 },
            {
              title: 'Trạng thái',
              key: 'state',
              render: (_: unknown, r) => (
                <Space size={4} wrap>
                  <DeskStateTag state={r.state} />
                  <Typography.Text
                    type={r.state === 'needs_fix' ? 'danger' : 'secondary'}
                    style={{ fontSize: 12 }}
                  >
                    {progress(r)}
                  </Typography.Text>
                  {r.duplicates.length > 0 && (
                    <Tag color="orange" title={r.duplicates.map((d) => d.dossierNumber).join(', ')}>
                      Trùng mã: {r.duplicates.length} hồ sơ khác
                    </Tag>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </div>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 0 }}>
        <Kbd>↑</Kbd> <Kbd>↓</Kbd> chọn, <Kbd>Enter</Kbd> mở tờ khai.
      </Typography.Paragraph>
    </Card>
  );
}
