// In mẫu trắng: blank Mẫu 01 forms for people who fill one in by hand at the counter or a mobile desk.
// The edition in force today is chosen; an earlier one is picked from the list or by a date it was in
// force (a person re-submitting under the old decree), then the number of copies (1–200), In or Lưu
// PDF. One job holds every copy, each from a new page.
import { FilePdfOutlined, PrinterOutlined } from '@ant-design/icons';
import { Alert, App, Button, DatePicker, Form, InputNumber, Radio, Select, Space, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { formatCount } from '../../../contract/text';
import type { FormEdition } from '../../../contract/workstationPrint';
import { call } from '../api';
import { formatDate } from '../format';
import { failureText, printJob, saveJob } from './deliver';

type Values = { by: 'edition' | 'date'; templateId?: string; date?: Dayjs | null; copies: number };

function editionLabel(e: FormEdition): string {
  const span = `${formatDate(e.validFrom)} – ${e.validTo ? formatDate(e.validTo) : 'nay'}`;
  return `Mẫu 01 bản ${e.edition} (áp dụng ${span})${e.current ? ' — đang áp dụng' : ''}`;
}

export function BlankForms() {
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const by = Form.useWatch('by', form);
  const [editions, setEditions] = useState<FormEdition[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'print' | 'save' | null>(null);

  useEffect(() => {
    call('print.editions', {})
      .then((list) => {
        setEditions(list);
        form.setFieldValue('templateId', list.find((e) => e.current)?.id ?? list.at(-1)?.id);
      })
      .catch((err: unknown) => setError(failureText(err)));
  }, [form]);

  const act = async (kind: 'print' | 'save'): Promise<void> => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setBusy(kind);
    setError(null);
    try {
      const job = await call('print.blank', {
        copies: v.copies,
        ...(v.by === 'date' && v.date ? { date: v.date.format('YYYY-MM-DD') } : {}),
        ...(v.by === 'edition' && v.templateId ? { templateId: v.templateId } : {}),
      });
      void message.success(kind === 'print' ? await printJob(job) : await saveJob(job));
    } catch (err) {
      setError(failureText(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%', maxWidth: 720 }}>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        Tờ khai Mẫu 01 để trống cho người dân kê khai bằng tay. Mặc định là mẫu đang áp dụng; chọn mẫu cũ hơn
        khi cần.
      </Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        aria-label="In mẫu trắng"
        initialValues={{ by: 'edition', copies: 1 }}
        onFinish={() => void act('print')}
      >
        <Form.Item name="by" label="Chọn mẫu">
          <Radio.Group
            options={[
              { value: 'edition', label: 'Theo phiên bản' },
              { value: 'date', label: 'Theo ngày áp dụng' },
            ]}
          />
        </Form.Item>
        {by !== 'date' ? (
          <Form.Item
            name="templateId"
            label="Phiên bản mẫu"
            rules={[{ required: true, message: 'Chọn phiên bản mẫu.' }]}
          >
            <Select
              aria-label="Phiên bản mẫu"
              options={editions.map((e) => ({ value: e.id, label: editionLabel(e) }))}
            />
          </Form.Item>
        ) : (
          <Form.Item
            name="date"
            label="Ngày áp dụng mẫu"
            extra="Mẫu đang áp dụng vào ngày này được in (ví dụ 12/08/2020: mẫu theo Nghị định 166/2016/NĐ-CP)."
            rules={[{ required: true, message: 'Nhập ngày áp dụng mẫu (dd/MM/yyyy).' }]}
          >
            <DatePicker aria-label="Ngày áp dụng mẫu" format="DD/MM/YYYY" placeholder="dd/MM/yyyy" />
          </Form.Item>
        )}
        <Form.Item
          name="copies"
          label="Số bản"
          rules={[{ required: true, type: 'integer', min: 1, max: 200, message: 'Số bản từ 1 đến 200.' }]}
        >
          <InputNumber aria-label="Số bản" min={1} max={200} precision={0} style={{ width: 120 }} />
        </Form.Item>
        <Space>
          <Button
            type="primary"
            htmlType="submit"
            icon={<PrinterOutlined aria-hidden />}
            loading={busy === 'print'}
            disabled={busy !== null}
          >
            In mẫu trắng
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
      </Form>
      {error && <Alert type="error" showIcon title={error} role="alert" />}
      {editions.length > 0 && (
        <Typography.Text type="secondary">
          {formatCount(editions.length)} phiên bản mẫu trên máy trạm.
        </Typography.Text>
      )}
    </Space>
  );
}
