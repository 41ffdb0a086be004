// Cài đặt: the machine's settings for an administrator (contract/workstationSettings.ts): the central
// service's address and the proxy, with Kiểm tra kết nối trying what is typed before it is saved; the
// workstation's name, default printer, eSCL scanners and how long ID images are kept; where updates
// come from; and Xuất nhật ký hỗ trợ for IT support. Values the administrator fixed for the whole
// machine are shown but cannot be changed here.
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Radio,
  Select,
  Space,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import type {
  UpdateStatus,
  ConnectionCheck,
  SettingKey,
  Settings,
  SettingsPatch,
  SettingsView,
} from '../../../contract/workstationSettings';
import { MAX_RETENTION_DAYS } from '../../../contract/workstationSettings';
import { ApiFailure, api, call, errorMessage } from '../api';

type FormValues = Omit<Settings, 'allowBasicTextKeychain'>;
const EDITABLE: Array<keyof FormValues> = [
  'serviceUrl',
  'proxy',
  'esclUrls',
  'workstationName',
  'defaultPrinter',
  'imageRetentionDays',
  'updateUrl',
];

/** The form's fields that differ from the saved settings (only those go to settings.update). */
function changes(view: SettingsView, values: FormValues): SettingsPatch {
  const patch: Record<string, unknown> = {};
  for (const key of EDITABLE) {
    if (view.locked.includes(key) || view.guarded.includes(key)) continue;
    const value = key === 'proxy' ? { ...values.proxy } : values[key];
    if (JSON.stringify(value) !== JSON.stringify(view.settings[key])) patch[key] = value;
  }
  return patch as SettingsPatch;
}

function download(dataUrl: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = dataUrl;
  a.download = fileName;
  a.click();
}

export function SettingsScreen({ onBack }: { onBack?: () => void }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<FormValues>();
  const [view, setView] = useState<SettingsView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [check, setCheck] = useState<ConnectionCheck | null>(null);
  const [busy, setBusy] = useState<'save' | 'check' | 'export' | 'update' | null>(null);
  const [update, setUpdate] = useState<UpdateStatus | null>(null);
  const proxyMode = Form.useWatch(['proxy', 'mode'], form);

  useEffect(() => {
    call('settings.get', {})
      .then((v) => {
        setView(v);
        form.setFieldsValue(v.settings);
      })
      .catch((err: unknown) => setLoadError(errorMessage(err)));
    call('update.status', {})
      .then(setUpdate)
      .catch(() => setUpdate(null));
    return api.on((e) => {
      if (e.type === 'update.status') setUpdate(e.status);
    });
  }, [form]);

  if (loadError) return <Alert type="error" showIcon title={loadError} role="alert" />;
  if (!view) return null;
  const readOnly = !view.canEdit;
  const locked = (key: SettingKey): boolean =>
    readOnly || view.locked.includes(key) || view.guarded.includes(key);
  const lockNote = (key: SettingKey): string | undefined =>
    view.locked.includes(key)
      ? 'Quản trị viên đã đặt cho toàn máy: không đổi được ở đây.'
      : view.guarded.includes(key)
        ? 'Đã có người đăng nhập trên máy này: chỉ lãnh đạo đã đăng nhập được đổi mục này.'
        : undefined;

  /** A refusal's field sentences shown under their fields. */
  const showFieldErrors = (err: unknown): void => {
    const fields = err instanceof ApiFailure ? err.error.fields : undefined;
    if (!fields) return;
    form.setFields(
      Object.entries(fields).map(([name, text]) => ({ name: name.split('.') as never, errors: [text] })),
    );
  };

  const save = async (): Promise<void> => {
    const values = await form.validateFields();
    const patch = changes(view, values);
    if (Object.keys(patch).length === 0) {
      void message.info('Không có thay đổi nào để lưu.');
      return;
    }
    setBusy('save');
    try {
      const next = await call('settings.update', { patch });
      setView(next);
      form.setFieldsValue(next.settings);
      void message.success('Đã lưu cài đặt máy trạm.');
    } catch (err) {
      showFieldErrors(err);
      void message.error(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  const testConnection = async (): Promise<void> => {
    const values = await form.validateFields(['serviceUrl', 'proxy']);
    setBusy('check');
    setCheck(null);
    try {
      setCheck(
        await call('settings.testConnection', { patch: changes(view, { ...view.settings, ...values }) }),
      );
    } catch (err) {
      showFieldErrors(err);
      void message.error(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  const updateStep = async (method: 'update.check' | 'update.download'): Promise<void> => {
    setBusy('update');
    try {
      setUpdate(await call(method, {}));
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  const exportLogs = async (): Promise<void> => {
    setBusy('export');
    try {
      const out = await call('support.exportLogs', {});
      if (out.dataUrl) download(out.dataUrl, out.fileName);
      if (out.savedTo || out.dataUrl)
        void message.success(
          `Đã xuất nhật ký hỗ trợ (${out.entries.length} tệp, ${Math.ceil(out.bytes / 1024)} KB).`,
        );
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card
      title="Cài đặt máy trạm"
      extra={onBack && <Button onClick={onBack}>Quay lại đăng nhập</Button>}
      style={{ maxWidth: 880 }}
    >
      {readOnly && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title={
            view.locked.length >= EDITABLE.length
              ? 'Quản trị viên đã khoá cài đặt của máy này.'
              : 'Chỉ lãnh đạo hoặc quản trị viên được đổi cài đặt máy trạm.'
          }
        />
      )}
      <Form
        form={form}
        layout="horizontal"
        labelCol={{ span: 7 }}
        wrapperCol={{ span: 17 }}
        disabled={busy === 'save'}
      >
        <Typography.Title level={5} style={{ marginTop: 0 }}>
          Kết nối
        </Typography.Title>
        <Form.Item
          label="Địa chỉ dịch vụ trung tâm"
          name="serviceUrl"
          extra={lockNote('serviceUrl') ?? 'https:// bắt buộc, trừ máy chủ trên chính máy này (127.0.0.1).'}
          rules={[{ required: true, message: 'Nhập địa chỉ dịch vụ trung tâm.' }]}
        >
          <Input
            aria-label="Địa chỉ dịch vụ trung tâm"
            disabled={locked('serviceUrl')}
            placeholder="https://"
          />
        </Form.Item>
        <Form.Item label="Proxy" name={['proxy', 'mode']} extra={lockNote('proxy')}>
          <Radio.Group disabled={locked('proxy')} aria-label="Proxy">
            <Radio value="system">Theo cài đặt hệ thống</Radio>
            <Radio value="none">Không dùng proxy</Radio>
            <Radio value="fixed">Chỉ định proxy</Radio>
            <Radio value="pac">Tệp cấu hình tự động (PAC)</Radio>
          </Radio.Group>
        </Form.Item>
        {proxyMode === 'fixed' && (
          <>
            <Form.Item
              label="Địa chỉ proxy"
              name={['proxy', 'url']}
              rules={[{ required: true, message: 'Nhập địa chỉ proxy, ví dụ http://proxy.bhxh.local:3128.' }]}
            >
              <Input aria-label="Địa chỉ proxy" disabled={locked('proxy')} placeholder="http://proxy:3128" />
            </Form.Item>
            <Form.Item label="Không qua proxy với" name={['proxy', 'bypass']} initialValue="">
              <Input
                aria-label="Không qua proxy với"
                disabled={locked('proxy')}
                placeholder="*.bhxh.local, 10.0.0.5"
              />
            </Form.Item>
          </>
        )}
        {proxyMode === 'pac' && (
          <Form.Item
            label="Địa chỉ tệp PAC"
            name={['proxy', 'pacUrl']}
            rules={[{ required: true, message: 'Nhập địa chỉ tệp PAC.' }]}
          >
            <Input
              aria-label="Địa chỉ tệp PAC"
              disabled={locked('proxy')}
              placeholder="http://wpad/wpad.dat"
            />
          </Form.Item>
        )}
        <Form.Item wrapperCol={{ offset: 7, span: 17 }}>
          <Space direction="vertical" style={{ width: '100%' }}>
            <Button onClick={() => void testConnection()} loading={busy === 'check'} disabled={readOnly}>
              Kiểm tra kết nối
            </Button>
            {check && (
              <Alert
                role="status"
                type={check.ok ? 'success' : 'error'}
                showIcon
                title={check.ok ? 'Kết nối được dịch vụ trung tâm.' : 'Không kết nối được dịch vụ trung tâm.'}
                description={
                  <div>
                    <div>
                      {check.serviceUrl}, {check.route}
                    </div>
                    {check.steps.map((s) => (
                      <div key={s.step}>{s.message}</div>
                    ))}
                  </div>
                }
              />
            )}
          </Space>
        </Form.Item>

        <Typography.Title level={5}>Máy trạm</Typography.Title>
        <Form.Item
          label="Tên máy trạm"
          name="workstationName"
          extra={
            lockNote('workstationName') ?? 'In trên bảng đối chiếu cuối ngày, ví dụ "Quầy 3 — BHXH Ba Đình".'
          }
          rules={[{ required: true, whitespace: true, message: 'Nhập tên máy trạm.' }]}
        >
          <Input aria-label="Tên máy trạm" maxLength={100} disabled={locked('workstationName')} />
        </Form.Item>
        <Form.Item
          label="Máy in mặc định"
          name="defaultPrinter"
          extra={lockNote('defaultPrinter') ?? 'Để trống: máy in mặc định của hệ điều hành.'}
        >
          <Input aria-label="Máy in mặc định" maxLength={200} disabled={locked('defaultPrinter')} />
        </Form.Item>
        <Form.Item
          label="Máy quét eSCL"
          name="esclUrls"
          extra={
            lockNote('esclUrls') ??
            'Địa chỉ máy quét mạng, ví dụ http://192.168.1.20/eSCL; Enter sau mỗi địa chỉ.'
          }
        >
          <Select
            mode="tags"
            aria-label="Máy quét eSCL"
            open={false}
            suffixIcon={null}
            disabled={locked('esclUrls')}
          />
        </Form.Item>
        <Form.Item
          label="Thời gian lưu ảnh"
          extra={
            lockNote('imageRetentionDays') ??
            'Ảnh giấy tờ ở điểm tiếp nhận lưu động được giữ trên máy bấy nhiêu ngày sau khi đã gửi xong.'
          }
        >
          <Space>
            <Form.Item
              name="imageRetentionDays"
              noStyle
              rules={[{ required: true, message: 'Nhập số ngày lưu ảnh.' }]}
            >
              <InputNumber
                aria-label="Thời gian lưu ảnh (ngày)"
                min={0}
                max={MAX_RETENTION_DAYS}
                precision={0}
                disabled={locked('imageRetentionDays')}
              />
            </Form.Item>
            <span>ngày</span>
          </Space>
        </Form.Item>

        <Typography.Title level={5}>Cập nhật</Typography.Title>
        <Form.Item
          label="Địa chỉ cập nhật"
          name="updateUrl"
          extra={
            lockNote('updateUrl') ??
            'Thư mục trên máy chủ của cơ quan chứa bản cập nhật; để trống: không tự cập nhật.'
          }
        >
          <Input aria-label="Địa chỉ cập nhật" disabled={locked('updateUrl')} placeholder="https://" />
        </Form.Item>
        {update && (
          <Form.Item label="Phiên bản" wrapperCol={{ span: 17 }}>
            <Space direction="vertical">
              <Typography.Text>
                Đang dùng {update.current}
                {update.version && update.state !== 'none' ? `; bản mới: ${update.version}` : ''}
                {update.state === 'none' ? ' (mới nhất)' : ''}
                {update.state === 'downloading' ? ` — đang tải ${update.percent ?? 0}%` : ''}
                {update.state === 'ready'
                  ? ' — đã tải và kiểm tra, khởi động lại ở đầu trang để cập nhật'
                  : ''}
              </Typography.Text>
              {update.message && (
                <Typography.Text type={update.state === 'error' ? 'danger' : 'secondary'}>
                  {update.message}
                </Typography.Text>
              )}
              {update.state !== 'unavailable' && (
                <Space>
                  <Button onClick={() => void updateStep('update.check')} loading={busy === 'update'}>
                    Kiểm tra cập nhật
                  </Button>
                  {update.state === 'available' && (
                    <Button onClick={() => void updateStep('update.download')} loading={busy === 'update'}>
                      Tải bản cập nhật
                    </Button>
                  )}
                </Space>
              )}
            </Space>
          </Form.Item>
        )}

        <Form.Item wrapperCol={{ offset: 7, span: 17 }}>
          <Space>
            <Button type="primary" onClick={() => void save()} loading={busy === 'save'} disabled={readOnly}>
              Lưu
            </Button>
            <Button
              onClick={() => {
                form.setFieldsValue(view.settings);
                setCheck(null);
              }}
              disabled={readOnly}
            >
              Huỷ thay đổi
            </Button>
          </Space>
        </Form.Item>
      </Form>

      <Typography.Title level={5}>Hỗ trợ kỹ thuật</Typography.Title>
      <Space direction="vertical">
        <Typography.Text type="secondary">
          Tệp nén gồm nhật ký của máy trạm (không có thông tin cá nhân), phiên bản và cài đặt, để gửi bộ phận
          kỹ thuật.
        </Typography.Text>
        <Button onClick={() => void exportLogs()} loading={busy === 'export'}>
          Xuất nhật ký hỗ trợ
        </Button>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          Tệp cài đặt của máy: {view.files.user}
          {view.files.system ? ` — của quản trị viên (ưu tiên): ${view.files.system}` : ''}
        </Typography.Text>
      </Space>
    </Card>
  );
}
