// Báo cáo: the supervisors' screen for the agency's daily report (from the central service), this
// desk's end-of-day reconciliation (from the local outbox) and In mẫu trắng (blank Mẫu 01 forms).
// The reports open on today and show a preview of their figures and rows, with In and Lưu PDF;
// decisions are counted by Trạng thái (an issued account apart from a code not in HGD). The menu
// shows it to supervisors only; the services refuse an officer as well.
import { FilePdfOutlined, PrinterOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Form,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { officerVerdicts, reportVerdicts, type DailyReport } from '../../../contract/api';
import {
  OUTCOME_LABEL,
  RESULT_LABEL,
  STATUS_LABEL,
  VERDICT_COLOR,
  VERDICT_LABEL,
  VERDICTS,
  verdictOf,
} from '../../../contract/domain';
import {
  OUTBOX_STATE_COLOR as STATE_COLOR,
  OUTBOX_STATE_LABEL as STATE_LABEL,
} from '../../../contract/outbox';
import { formatCount } from '../../../contract/text';
import type { OutboxItem } from '../../../contract/workstation';
import type { DailyReportJob, PrintJob, ReconciliationJob } from '../../../contract/workstationPrint';
import { call } from '../api';
import { formatDateTime } from '../format';
import { BlankForms } from './BlankForms';
import { failureText, printJob, saveJob } from './deliver';

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
  // The screen opens on today's report.
  const opened = useRef(false);
  useEffect(() => {
    if (opened.current) return;
    opened.current = true;
    // act() sets state after the workstation answers, not synchronously in the effect.
    void act('view');
  });

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
              {formatCount(loaded.value.job.pages)} trang, tệp {loaded.value.job.fileName}
            </span>
          </Space>
          {preview(loaded.value)}
        </section>
      )}
    </Space>
  );
}

function DailyPreview({ report }: { report: DailyReport }) {
  const verdicts = reportVerdicts(report);
  const officers = report.perOfficer.map((o) => ({ ...o, v: officerVerdicts(o) }));
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Descriptions size="small" bordered column={8} layout="vertical" title="I. Tổng hợp">
        <Descriptions.Item label="Tiếp nhận">{formatCount(report.received)}</Descriptions.Item>
        {VERDICTS.map((v) => (
          <Descriptions.Item key={v} label={VERDICT_LABEL[v]}>
            <Tag color={VERDICT_COLOR[v]}>{formatCount(verdicts[v])}</Tag>
          </Descriptions.Item>
        ))}
        <Descriptions.Item label="Quá hạn, tự động xóa">{formatCount(report.expired)}</Descriptions.Item>
        <Descriptions.Item label="Chờ duyệt cuối ngày">
          {formatCount(report.pendingAtDayEnd)}
        </Descriptions.Item>
      </Descriptions>
      <Table
        size="small"
        bordered
        pagination={false}
        rowKey="reviewer"
        title={() => <strong>II. Theo cán bộ xử lý</strong>}
        dataSource={officers}
        locale={{ emptyText: 'Không có hồ sơ được xử lý trong ngày.' }}
        columns={[
          { title: 'Cán bộ xử lý', dataIndex: 'reviewer' },
          ...VERDICTS.map((v) => ({
            title: VERDICT_LABEL[v],
            key: v,
            width: 120,
            align: 'right' as const,
            render: (_x: unknown, o: (typeof officers)[number]) => formatCount(o.v[v]),
          })),
          {
            title: 'Tổng số',
            key: 'total',
            width: 90,
            align: 'right' as const,
            render: (_x: unknown, o: (typeof officers)[number]) => formatCount(o.total),
          },
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
          { title: 'STT', key: 'stt', width: 60, render: (_v, _r, i) => formatCount(i + 1) },
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
            width: 200,
            render: (_v, r) => {
              const v = verdictOf(r);
              return v ? <Tag color={VERDICT_COLOR[v]}>{VERDICT_LABEL[v]}</Tag> : STATUS_LABEL[r.status];
            },
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
      <Typography.Text>
        Máy trạm: <strong data-testid="workstation-name">{value.workstationName}</strong>
      </Typography.Text>
      <Descriptions size="small" bordered column={5} layout="vertical" title="I. Tổng hợp">
        <Descriptions.Item label="Đã duyệt tại máy trạm trong ngày">
          {formatCount(c.decidedToday)}
        </Descriptions.Item>
        <Descriptions.Item label="Hệ thống trung tâm đã xác nhận">
          {formatCount(c.confirmed)}
        </Descriptions.Item>
        <Descriptions.Item label="Đang chờ gửi">{formatCount(c.waiting)}</Descriptions.Item>
        <Descriptions.Item label="Không thành công / xung đột / quá hạn">
          {formatCount(c.failed)}
        </Descriptions.Item>
        <Descriptions.Item label="Đã bỏ qua">{formatCount(c.dismissed)}</Descriptions.Item>
      </Descriptions>
      <Descriptions size="small" bordered column={5} layout="vertical" title="Kết quả đã xác nhận">
        {VERDICTS.map((v) => (
          <Descriptions.Item key={v} label={VERDICT_LABEL[v]}>
            <Tag color={VERDICT_COLOR[v]}>{formatCount(c.verdicts[v])}</Tag>
          </Descriptions.Item>
        ))}
      </Descriptions>
      {c.waiting + c.failed > 0 && (
        <Alert
          type="warning"
          showIcon
          title={`Còn ${formatCount(c.waiting + c.failed)} quyết định chưa được hệ thống trung tâm xác nhận: xử lý (gửi lại, hoặc bỏ qua sau khi đã xem) trước khi đóng ngày.`}
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
          // Fixed columns leave Họ và tên about 120 px at 1280×720 with the menu open (it had none:
          // "Họ và / tên" broke word by word).
          { title: 'STT', key: 'stt', width: 56, render: (_v, _r, i) => formatCount(i + 1) },
          { title: 'Số hồ sơ', dataIndex: 'dossierNumber', width: 160 },
          { title: 'Họ và tên', dataIndex: 'fullName' },
          {
            title: 'Đánh giá',
            key: 'outcome',
            width: 200,
            render: (_v, r) => {
              const v = r.state === 'synced' ? verdictOf({ outcome: r.outcome, result: r.result }) : null;
              return v ? <Tag color={VERDICT_COLOR[v]}>{VERDICT_LABEL[v]}</Tag> : OUTCOME_LABEL[r.outcome];
            },
          },
          { title: 'Cán bộ xử lý', dataIndex: 'officerName', width: 170 },
          {
            title: 'Thời điểm',
            key: 'createdAt',
            width: 130,
            render: (_v, r) => formatDateTime(r.createdAt),
          },
          {
            title: 'Tình trạng',
            key: 'state',
            width: 200,
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
          { key: 'blank', label: 'In mẫu trắng', children: <BlankForms /> },
        ]}
      />
    </Card>
  );
}
