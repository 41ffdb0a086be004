// Màn hình đăng nhập (Hình 1): Cơ quan BHXH (list from the service, cached for offline use), Tên đăng
// nhập, Mật khẩu, and Mã kiểm tra once the service asks for a captcha. Signing in without the service
// works for an officer who signed in online here in the last 7 days, and says so.
import { Alert, Button, Card, Form, Input, Select, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { Agency } from '../../contract/domain';
import type { SessionInfo } from '../../contract/workstation';
import { ApiFailure, call } from './api';

type SignInValues = { agencyCode: string; username: string; password: string; captchaAnswer?: string };

export function SignIn({
  onSignedIn,
  onSettings,
}: {
  onSignedIn: (s: SessionInfo) => void;
  /** Cài đặt máy trạm (a new machine must first reach its service). */
  onSettings?: () => void;
}) {
  const [form] = Form.useForm<SignInValues>();
  const [agencies, setAgencies] = useState<Agency[]>([]);
  const [captcha, setCaptcha] = useState<{ captchaId: string; svg: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    call('agencies.list', {})
      .then(setAgencies)
      .catch(() => setAgencies([]));
  }, []);

  const loadCaptcha = async (): Promise<void> => {
    try {
      setCaptcha(await call('session.captcha', {}));
      form.setFieldValue('captchaAnswer', '');
    } catch {
      setError('Không tải được mã kiểm tra. Thử lại.');
    }
  };

  const submit = async (v: SignInValues): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const s = await call('session.signIn', {
        agencyCode: v.agencyCode,
        username: v.username,
        password: v.password,
        ...(captcha ? { captchaId: captcha.captchaId, captchaAnswer: v.captchaAnswer ?? '' } : {}),
      });
      onSignedIn(s);
    } catch (err) {
      const e = err instanceof ApiFailure ? err.error : { code: 'x', message: 'Đăng nhập không thành công.' };
      setError(e.message);
      if (e.code === 'captcha_required' || e.code === 'captcha_invalid' || captcha) await loadCaptcha();
      form.setFieldValue('password', '');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#eef3f8' }}>
      <Card style={{ width: 440 }}>
        <Typography.Title level={4} style={{ textAlign: 'center', color: '#1565c0' }}>
          BẢO HIỂM XÃ HỘI VIỆT NAM
        </Typography.Title>
        <Typography.Title level={5} style={{ textAlign: 'center', marginTop: 0 }}>
          TIẾP NHẬN VÀ QUẢN LÝ HỒ SƠ
        </Typography.Title>
        <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)}>
          <Form.Item
            label="Cơ quan BHXH"
            name="agencyCode"
            rules={[{ required: true, message: 'Chọn cơ quan BHXH.' }]}
          >
            <Select
              aria-label="Cơ quan BHXH"
              showSearch
              optionFilterProp="label"
              placeholder="Chọn cơ quan BHXH"
              options={agencies.map((a) => ({ value: a.code, label: `${a.code} - ${a.name}` }))}
            />
          </Form.Item>
          <Form.Item
            label="Tên đăng nhập"
            name="username"
            rules={[{ required: true, message: 'Nhập tên đăng nhập.' }]}
          >
            <Input aria-label="Tên đăng nhập" autoComplete="username" />
          </Form.Item>
          <Form.Item label="Mật khẩu" name="password" rules={[{ required: true, message: 'Nhập mật khẩu.' }]}>
            <Input.Password aria-label="Mật khẩu" autoComplete="current-password" />
          </Form.Item>
          {captcha && (
            <Form.Item label="Mã kiểm tra" required>
              <Space align="center">
                <img
                  alt="Ảnh mã kiểm tra"
                  src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(captcha.svg)}`}
                  style={{ height: 40, border: '1px solid #d9d9d9', background: '#fff' }}
                />
                <Button onClick={() => void loadCaptcha()}>Đổi mã</Button>
              </Space>
              <Form.Item
                name="captchaAnswer"
                noStyle
                rules={[{ required: true, message: 'Nhập mã kiểm tra.' }]}
              >
                <Input aria-label="Mã kiểm tra" style={{ marginTop: 8 }} autoComplete="off" />
              </Form.Item>
            </Form.Item>
          )}
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} role="alert" />}
          <Button type="primary" htmlType="submit" block loading={busy}>
            Đăng nhập
          </Button>
        </Form>
        {onSettings && (
          <Button type="link" block onClick={onSettings} style={{ marginTop: 8 }}>
            Cài đặt máy trạm
          </Button>
        )}
      </Card>
    </div>
  );
}
