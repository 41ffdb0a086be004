// Tra cứu mã số BHXH (F3 on the declaration form): by ID number, or by full name and date of birth
// together (API.md: exact matches only, at most 5, never a browse). Online only; offline it says the
// code may stay empty (the service resolves it by the ID number when the declaration arrives).
import { Alert, Button, Form, Input, Modal, Radio, Table, Typography } from 'antd';
import { useState } from 'react';
import type { RegistryPerson } from '../../../contract/api';
import { ApiFailure, call, errorMessage } from '../api';
import { formatDate } from '../format';
import { Kbd } from './deskUi';

export function RegistrySearch({
  open,
  initial,
  onPick,
  onClose,
}: {
  open: boolean;
  initial: { idNumber: string; fullName: string; dateOfBirth: string };
  onPick: (p: RegistryPerson) => void;
  onClose: () => void;
}) {
  const [by, setBy] = useState<'idNumber' | 'name'>(initial.idNumber ? 'idNumber' : 'name');
  const [q, setQ] = useState(initial);
  const [items, setItems] = useState<RegistryPerson[] | null>(null);
  const [error, setError] = useState<{ message: string; fields: Record<string, string> } | null>(null);
  const [busy, setBusy] = useState(false);

  const search = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const res = await call(
        'desk.registrySearch',
        by === 'idNumber' ? { idNumber: q.idNumber } : { fullName: q.fullName, dateOfBirth: q.dateOfBirth },
      );
      setItems(res.items);
    } catch (err) {
      setItems(null);
      setError({
        message: errorMessage(err),
        fields: err instanceof ApiFailure ? (err.error.fields ?? {}) : {},
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title="Tra cứu mã số BHXH"
      onCancel={onClose}
      destroyOnHidden
      width={640}
      footer={[
        <Button key="close" onClick={onClose}>
          Đóng
        </Button>,
        <Button key="search" type="primary" loading={busy} onClick={() => void search()}>
          Tra cứu <Kbd>Enter</Kbd>
        </Button>,
      ]}
    >
      <Radio.Group value={by} onChange={(e) => setBy(e.target.value as 'idNumber' | 'name')}>
        <Radio value="idNumber">Theo số CCCD/CMND</Radio>
        <Radio value="name">Theo họ tên và ngày sinh</Radio>
      </Radio.Group>
      <Form layout="vertical" style={{ marginTop: 8 }} onFinish={() => void search()}>
        {by === 'idNumber' ? (
          <Form.Item
            label="Số CCCD/CMND"
            validateStatus={error?.fields.idNumber ? 'error' : undefined}
            help={error?.fields.idNumber}
          >
            <Input
              autoFocus
              aria-label="Số CCCD/CMND tra cứu"
              value={q.idNumber}
              onChange={(e) => setQ({ ...q, idNumber: e.target.value })}
              onPressEnter={() => void search()}
            />
          </Form.Item>
        ) : (
          <>
            <Form.Item
              label="Họ và tên"
              validateStatus={error?.fields.fullName ? 'error' : undefined}
              help={error?.fields.fullName}
            >
              <Input
                autoFocus
                aria-label="Họ và tên tra cứu"
                value={q.fullName}
                onChange={(e) => setQ({ ...q, fullName: e.target.value })}
              />
            </Form.Item>
            <Form.Item
              label="Ngày sinh (dd/MM/yyyy)"
              validateStatus={error?.fields.dateOfBirth ? 'error' : undefined}
              help={error?.fields.dateOfBirth}
            >
              <Input
                aria-label="Ngày sinh tra cứu"
                value={q.dateOfBirth}
                onChange={(e) => setQ({ ...q, dateOfBirth: e.target.value })}
                onPressEnter={() => void search()}
              />
            </Form.Item>
          </>
        )}
      </Form>
      {error && Object.keys(error.fields).length === 0 && (
        <Alert type="warning" showIcon role="alert" title={error.message} />
      )}
      {items && items.length === 0 && (
        <Alert
          type="info"
          showIcon
          title="Không tìm thấy người nào khớp đúng. Có thể để trống mã số BHXH: hệ thống tra theo số CCCD khi nhận tờ khai."
        />
      )}
      {items && items.length > 0 && (
        <Table<RegistryPerson>
          size="small"
          rowKey="bhxhCode"
          pagination={false}
          dataSource={items}
          columns={[
            { title: 'Mã số BHXH', dataIndex: 'bhxhCode' },
            { title: 'Họ và tên', dataIndex: 'fullName' },
            { title: 'Ngày sinh', dataIndex: 'dateOfBirth', render: (v: string) => formatDate(v) },
            { title: 'Giới tính', dataIndex: 'gender' },
            {
              title: '',
              key: 'pick',
              render: (_: unknown, p) => (
                <Button size="small" type="primary" onClick={() => onPick(p)}>
                  Chọn
                </Button>
              ),
            },
          ]}
        />
      )}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 8, marginBottom: 0 }}>
        Chỉ tìm người khớp đúng (tối đa 5 người); mỗi lần tra cứu được ghi nhật ký.
      </Typography.Paragraph>
    </Modal>
  );
}
