// Báo cáo: the supervisors' screen for the agency's daily report (from the central service) and this
// desk's end-of-day reconciliation (from the local outbox), each with a preview of its figures and
// rows, In and Lưu PDF. Issue 4 item 5. The menu shows it to supervisors only; the services refuse
// an officer as well.
import { FilePdfOutlined, PrinterOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, DatePicker, Descriptions, Form, Space, Table, Tabs, Tag } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState, type ReactNode } from 'react';
import type { DailyReport } from '../../../contract/api';
import { OUTCOME_LABEL, RESULT_LABEL, STATUS_LABEL } from '../../../contract/domain';
import type { OutboxItem, OutboxState } from '../../../contract/workstation';
import type { DailyReportJob, PrintJob, ReconciliationJob } from '../../../contract/workstationPrint';
import { call } from '../api';
import { formatDateTime } from '../format';
import { failureText, printJob, saveJob } from './deliver';

const STATE_LABEL: Readonly<Record<OutboxState, string>> = {
  synced: 'Đã được hệ thống xác nhận',
  queued: 'Đang chờ gửi',
  conflict: 'Xung đột: cán bộ khác đã duyệt trước',
  expired: 'Hồ sơ đã quá hạn',
  failed: 'Gửi không thành công',
  dismissed: 'Đã huỷ',
};
const STATE_COLOR: Readonly<Record<OutboxState, string>> = {
  synced: 'green',
  queued: 'orange',
  conflict: 'red',
  expired: 'default',
  failed: 'red',
  dismissed: 'default',
};

/** Today in Vietnam (the agency's working day), whatever the machine's zone. */
function vnToday(): Dayjs {
  return dayjs(new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10));
}

type Loaded<T> = { date: string; value: T & { job: PrintJob } };

/**
 * One report tab: a date, Xem báo cáo, In, Lưu PDF. The document is made once per date and reused
 * for In and Lưu PDF; In or Lưu PDF without a preview makes it first.
 */
function ReportPanel<T>({
  label,
  method,
  preview,
}: {
  label: string;
  method: (date: string) => Promise<T & { job: PrintJob }>;
  preview: (value: T) => ReactNode;
}) {
  const { message } = App.useApp();
  const [date, setDate] = useState<Dayjs | null>(vnToday);
  const [loaded, setLoaded] = useState<Loaded<T> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'view' | 'print' | 'save' | null>(null);

  async function ensure(): Promise<Loaded<T> | null> {
    if (!date) {
      setError(`Chọn ${label.toLowerCase()}.`);
      return null;
    }
    const day = date.format('YYYY-MM-DD');
    if (loaded?.date === day) return loaded;
    const value = await method(day);
    const next = { date: day, value };
    setLoaded(next);
    return next;
  }

  async function act(kind: 'view' | 'print' | 'save'): Promise<void> {
    setBusy(kind);
    setError(null);
    try {
      const l = await ensure();
      if (!l || kind === 'view') return;
      void message.success(kind === 'print' ? await printJob(l.value.job) : await saveJob(l.value.job));
    } catch (err) {
      const text = failureText(err);
      setError(text);
      // A job that expired is made again on the next click.
      setLoaded(null);
    } finally {
      setBusy(null);
    }
  }

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Form layout="inline" onFinish={() => void act('view')} aria-label={label} style={{ rowGap: 8 }}>
        <Form.Item label={label}>
          <DatePicker
            aria-label={label}
            format="DD/MM/YYYY"
            value={date}
            allowClear={false}
            disabledDate={(d) => d.isAfter(vnToday(), 'day')}
            onChange={(d) => {
              setDate(d);
              setLoaded(null);
              setError(null);
            }}
          />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={busy === 'view'} disabled={busy !== null}>
              Xem báo cáo
            </Button>
            <Button
              icon={<PrinterOutlined aria-hidden />}
              loading={busy === 'print'}
              disabled={busy !== null}
              onClick={() => void act('print')}
            >
              In
            </Button>
            <Button
              icon={<FilePdfOutlined aria-hidden />}
              loading={busy === 'save'}
              disabled={busy !== null}
              onClick={() => void act('save')}
            >
              Lưu PDF
            </Button>
          </Space>
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon message={error} role="alert" />}
      {loaded && (
        <section aria-label="Xem trước">
          <Space style={{ marginBottom: 8 }}>
            <Tag color="blue">{loaded.value.job.title}</Tag>
            <span>
              {loaded.value.job.pages} trang, tệp {loaded.value.job.fileName}
            </span>
          </Space>
          {preview(loaded.value)}
        </section>
      )}
    </Space>
  );
}

function DailyPreview({ report }: { report: DailyReport }) {
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Descriptions size="small" bordered column={5} layout="vertical" title="I. Tổng hợp">
        <Descriptions.Item label="Tiếp nhận">{report.received}</Descriptions.Item>
        <Descriptions.Item label="Duyệt hợp lệ">{report.decidedValid}</Descriptions.Item>
        <Descriptions.Item label="Duyệt không hợp lệ">{report.decidedInvalid}</Descriptions.Item>
        <Descriptions.Item label="Quá hạn, tự động xoá">{report.expired}</Descriptions.Item>
        <Descriptions.Item label="Chờ duyệt cuối ngày">{report.pendingAtDayEnd}</Descriptions.Item>
      </Descriptions>
      <Table
        size="small"
        bordered
        pagination={false}
        rowKey="reviewer"
        title={() => <strong>II. Theo cán bộ duyệt</strong>}
        dataSource={report.perOfficer}
        locale={{ emptyText: 'Không có hồ sơ được duyệt trong ngày.' }}
        columns={[
          { title: 'Cán bộ duyệt', dataIndex: 'reviewer' },
          { title: 'Hợp lệ', dataIndex: 'valid', width: 120, align: 'right' },
          { title: 'Không hợp lệ', dataIndex: 'invalid', width: 120, align: 'right' },
          { title: 'Tổng', dataIndex: 'total', width: 120, align: 'right' },
        ]}
      />
      <Table
        size="small"
        bordered
        rowKey="id"
        title={() => <strong>III. Danh sách hồ sơ</strong>}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        dataSource={report.dossiers}
        locale={{ emptyText: 'Không có hồ sơ.' }}
        columns={[
          { title: 'STT', key: 'stt', width: 60, render: (_v, _r, i) => i + 1 },
          { title: 'Số hồ sơ', dataIndex: 'dossierNumber', width: 170 },
          {
            title: 'Ngày tiếp nhận',
            key: 'receivedAt',
            width: 140,
            render: (_v, r) => formatDateTime(r.receivedAt ?? r.declaredAt),
          },
          { title: 'Mã số BHXH', dataIndex: 'bhxhCode', width: 120 },
          { title: 'Họ và tên', dataIndex: 'fullName' },
          { title: 'Người duyệt', dataIndex: 'reviewer', width: 200 },
          {
            title: 'Ngày duyệt',
            key: 'decidedAt',
            width: 140,
            render: (_v, r) => formatDateTime(r.decidedAt),
          },
          {
            title: 'Trạng thái',
            key: 'status',
            width: 170,
            render: (_v, r) => (r.outcome ? OUTCOME_LABEL[r.outcome] : STATUS_LABEL[r.status]),
          },
        ]}
      />
    </Space>
  );
}

function ReconciliationPreview({ value }: { value: Omit<ReconciliationJob, 'job'> }) {
  const c = value.counts;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Descriptions size="small" bordered column={5} layout="vertical" title="I. Tổng hợp">
        <Descriptions.Item label="Đã duyệt tại máy trạm trong ngày">{c.decidedToday}</Descriptions.Item>
        <Descriptions.Item label="Hệ thống trung tâm đã xác nhận">{c.confirmed}</Descriptions.Item>
        <Descriptions.Item label="Đang chờ gửi">{c.waiting}</Descriptions.Item>
        <Descriptions.Item label="Không thành công / xung đột / quá hạn">{c.failed}</Descriptions.Item>
        <Descriptions.Item label="Đã huỷ">{c.dismissed}</Descriptions.Item>
      </Descriptions>
      {c.waiting + c.failed > 0 && (
        <Alert
          type="warning"
          showIcon
          message={`Còn ${c.waiting + c.failed} quyết định chưa được hệ thống trung tâm xác nhận: xử lý (gửi lại, duyệt lại hoặc huỷ) trước khi đóng ngày.`}
        />
      )}
      <Table<OutboxItem>
        size="small"
        bordered
        rowKey="id"
        title={() => <strong>II. Chi tiết</strong>}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        dataSource={value.items}
        locale={{ emptyText: 'Máy trạm không có quyết định nào trong ngày.' }}
        columns={[
          { title: 'STT', key: 'stt', width: 60, render: (_v, _r, i) => i + 1 },
          { title: 'Số hồ sơ', dataIndex: 'dossierNumber', width: 170 },
          { title: 'Họ và tên', dataIndex: 'fullName' },
          {
            title: 'Đánh giá',
            key: 'outcome',
            width: 160,
            render: (_v, r) => OUTCOME_LABEL[r.outcome],
          },
          { title: 'Cán bộ', dataIndex: 'username', width: 120 },
          {
            title: 'Thời điểm',
            key: 'createdAt',
            width: 140,
            render: (_v, r) => formatDateTime(r.createdAt),
          },
          {
            title: 'Tình trạng',
            key: 'state',
            width: 240,
            render: (_v, r) => (
              <Space size={4} wrap>
                <Tag color={STATE_COLOR[r.state]}>{STATE_LABEL[r.state]}</Tag>
                {r.result && <span>{RESULT_LABEL[r.result]}</span>}
              </Space>
            ),
          },
        ]}
      />
    </Space>
  );
}

export function ReportsScreen() {
  return (
    <Card size="small" title={<strong>Báo cáo</strong>}>
      <Tabs
        items={[
          {
            key: 'daily',
            label: 'Báo cáo ngày',
            children: (
              <ReportPanel<Omit<DailyReportJob, 'job'>>
                label="Ngày báo cáo"
                method={(date) => call('print.dailyReport', { date })}
                preview={(v) => <DailyPreview report={v.report} />}
              />
            ),
          },
          {
            key: 'reconciliation',
            label: 'Đối chiếu cuối ngày',
            children: (
              <ReportPanel<Omit<ReconciliationJob, 'job'>>
                label="Ngày đối chiếu"
                method={(date) => call('print.reconciliation', { date })}
                preview={(v) => <ReconciliationPreview value={v} />}
              />
            ),
          },
        ]}
      />
    </Card>
  );
}
