// Màn hình đăng nhập (Hình 1): Cơ quan BHXH (list from the service, cached for offline use), Tên đăng
// nhập, Mật khẩu and Mã kiểm tra from the first attempt, as the seed shows it, whenever the service
// answers (the service checks every captcha it is sent). Without the service no captcha can be
// drawn: signing in then works for an officer who signed in online here in the last 7 days, checked
// against the credential kept on this machine, and the screen says so. A wrong Mã kiểm tra keeps the
// password and asks only for the new code.
import { ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Select, Space, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Agency } from '../../contract/domain';
import type { SessionInfo } from '../../contract/workstation';
import { ApiFailure, call } from './api';

type SignInValues = { agencyCode: string; username: string; password: string; captchaAnswer?: string };

/** The captcha as drawn by the service, or why there is none. */
type Captcha = { captchaId: string; svg: string } | 'loading' | 'offline';

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
  const [captcha, setCaptcha] = useState<Captcha>('loading');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const captchaInput = useRef<{ focus: () => void } | null>(null);

  useEffect(() => {
    call('agencies.list', {})
      .then(setAgencies)
      .catch(() => setAgencies([]));
  }, []);

  const loadCaptcha = useCallback(async (): Promise<void> => {
    form.setFieldValue('captchaAnswer', '');
    try {
      setCaptcha(await call('session.captcha', {}));
    } catch {
      // no service: offline sign-in from this machine's credential, no captcha to show
      setCaptcha('offline');
    }
  }, [form]);

  useEffect(() => {
    // The captcha arrives from the service; the state is set when it answers.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void loadCaptcha();
  }, [loadCaptcha]);

  const submit = async (v: SignInValues): Promise<void> => {
    setBusy(true);
    setError(null);
    const shown = typeof captcha === 'object' ? captcha : null;
    try {
      const s = await call('session.signIn', {
        agencyCode: v.agencyCode,
        username: v.username,
        password: v.password,
        ...(shown ? { captchaId: shown.captchaId, captchaAnswer: (v.captchaAnswer ?? '').trim() } : {}),
      });
      onSignedIn(s);
    } catch (err) {
      const e = err instanceof ApiFailure ? err.error : { code: 'x', message: 'Đăng nhập không thành công.' };
      setError(e.message);
      // captcha_required while one was sent: the password was wrong (the third failure), not the code.
      const captchaOnly = e.code === 'captcha_invalid' || (e.code === 'captcha_required' && !shown);
      // A captcha is spent by any attempt: a new one each time. Only a wrong password clears the password.
      await loadCaptcha();
      if (!captchaOnly) form.setFieldValue('password', '');
      if (captchaOnly) captchaInput.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#eef3f8' }}>
      <Card style={{ width: 460 }}>
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
          {typeof captcha === 'object' && (
            <Form.Item label="Mã kiểm tra" required extra="Không phân biệt chữ hoa, chữ thường.">
              <Space align="center" wrap>
                <img
                  alt="Ảnh mã kiểm tra"
                  src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(captcha.svg)}`}
                  style={{ height: 56, border: '1px solid #d9d9d9', borderRadius: 4, background: '#fff' }}
                />
                <Button icon={<ReloadOutlined aria-hidden />} onClick={() => void loadCaptcha()}>
                  Đổi mã
                </Button>
              </Space>
              <Form.Item
                name="captchaAnswer"
                noStyle
                rules={[{ required: true, message: 'Nhập mã kiểm tra.' }]}
              >
                <Input
                  ref={captchaInput as never}
                  aria-label="Mã kiểm tra"
                  style={{ marginTop: 8, textTransform: 'uppercase', letterSpacing: 2 }}
                  autoComplete="off"
                  maxLength={8}
                />
              </Form.Item>
            </Form.Item>
          )}
          {captcha === 'offline' && (
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 16 }}
              title="Không kết nối được máy chủ: đăng nhập ngoại tuyến bằng thông tin đã lưu trên máy này (không cần mã kiểm tra)."
              action={
                <Button size="small" onClick={() => void loadCaptcha()}>
                  Thử lại
                </Button>
              }
            />
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
