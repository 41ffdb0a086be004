// Màn hình đăng nhập (Hình 1): Cơ quan BHXH, Tên đăng nhập, Mật khẩu, then Đăng nhập.
import { Button, Card, Form, Input, Select, Typography } from 'antd';

type SignInValues = { agencyCode: string; username: string; password: string };

export function SignIn() {
  const [form] = Form.useForm<SignInValues>();
  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#eef3f8' }}>
      <Card style={{ width: 420 }}>
        <Typography.Title level={4} style={{ textAlign: 'center' }}>
          TIẾP NHẬN VÀ QUẢN LÝ HỒ SƠ
        </Typography.Title>
        <Form form={form} layout="vertical" requiredMark={false}>
          <Form.Item
            label="Cơ quan BHXH"
            name="agencyCode"
            rules={[{ required: true, message: 'Chọn cơ quan BHXH.' }]}
          >
            <Select aria-label="Cơ quan BHXH" options={[]} placeholder="Chọn cơ quan BHXH" />
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
          <Button type="primary" htmlType="submit" block>
            Đăng nhập
          </Button>
        </Form>
      </Card>
    </div>
  );
}
