// Chi tiết hồ sơ (Hình 10) and Đánh giá hồ sơ (Hình 7, 8, 11, 12): the declaration as the form lays it
// out, the ID-card images and the personal photo (zoom and rotate in antd's Image preview), Xử lý hồ
// sơ, and the decision: Hồ sơ hợp lệ / Hồ sơ không hợp lệ with the agency's reasons, Ghi nhận / Thoát,
// and for change-of-details dossiers the Xác nhận step. Opening claims the dossier; Thoát releases it.
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Descriptions,
  Form,
  Input,
  Modal,
  Radio,
  Result,
  Space,
  Spin,
  Typography,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { DecisionResult, Outcome, RejectionReason } from '../../contract/domain';
import { KIND_LABEL, OUTCOME_LABEL, RESULT_LABEL, STATUS_LABEL } from '../../contract/domain';
import type { DossierView, OutboxItem } from '../../contract/workstation';
import { api, ApiFailure, call, errorMessage } from './api';
import { formatDate, formatDateTime } from './format';
import { IntakePanel } from './intake/IntakePanel';
import { DossierPrintActions } from './print/DossierPrintActions';

type DecisionValues = { outcome?: Outcome; reasonCodes?: string[]; reason?: string };

const STEP_LABEL: Readonly<Record<string, string>> = {
  registry_check: 'Kiểm tra trên Hệ thống HGD',
  account: 'Tài khoản giao dịch điện tử',
  sms: 'Tin nhắn (SMS)',
  email: 'Thư điện tử',
};
const STEP_STATE: Readonly<Record<string, string>> = {
  done: 'hoàn tất',
  failed: 'lỗi',
  queued: 'chờ gửi',
  delivered: 'đã gửi',
  skipped: 'không áp dụng',
};

function resultText(result: DecisionResult | null): string | null {
  return result ? RESULT_LABEL[result] : null;
}

export function DossierDetail({
  id,
  me,
  onClose,
}: {
  id: string;
  /** The signed-in officer's user name and display name: their own claim is not a warning. */
  me: readonly string[];
  onClose: () => void;
}) {
  const [view, setView] = useState<DossierView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [reasons, setReasons] = useState<RejectionReason[]>([]);
  const [busy, setBusy] = useState(false);
  const [confirmOpen, setConfirmOpen] = useState(false);
  const [done, setDone] = useState<{ item: OutboxItem; synced: boolean } | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [form] = Form.useForm<DecisionValues>();
  const outcome = Form.useWatch('outcome', form);

  const load = useCallback(async () => {
    try {
      const v = await call('dossiers.open', { id });
      setView(v);
      form.setFieldsValue({
        outcome: v.dossier.outcome ?? undefined,
        reasonCodes: v.dossier.reasonCodes ?? [],
        reason: v.dossier.reason ?? '',
      });
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  }, [id, form]);

  // After the decision reached the service: its state, reviewer, result and steps, as the store now has
  // them (the form keeps what the officer chose).
  const refresh = useCallback(() => {
    call('dossiers.get', { id })
      .then(setView)
      .catch(() => undefined);
  }, [id]);

  useEffect(() => {
    // load() sets state after the service answers, not synchronously in the effect.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    load().catch(() => undefined);
    call('reasons.list', {})
      .then(setReasons)
      .catch(() => setReasons([]));
    return () => {
      void call('dossiers.close', { id });
    };
  }, [id, load]);

  // The decision's later fate (synced after reconnecting, conflict) shows here as it happens.
  useEffect(
    () =>
      api.on((e) => {
        if (e.type === 'decision.updated' && e.item.dossierId === id) {
          setDone((d) =>
            d && d.item.id === e.item.id ? { item: e.item, synced: e.item.state === 'synced' } : d,
          );
          if (e.item.state === 'conflict') void load();
          else if (e.item.state === 'synced') refresh();
        }
      }),
    [id, load, refresh],
  );

  const record = async (confirmUpdate: boolean): Promise<void> => {
    const v = form.getFieldsValue();
    setBusy(true);
    setFormError(null);
    try {
      const res = await call('decisions.record', {
        dossierId: id,
        outcome: v.outcome!,
        reasonCodes: v.outcome === 'invalid' ? (v.reasonCodes ?? []) : [],
        reason: v.outcome === 'invalid' ? (v.reason ?? '') : '',
        ...(confirmUpdate ? { confirmUpdate: true } : {}),
      });
      setConfirmOpen(false);
      setDone(res);
      if (res.item.state === 'conflict') void load();
      else if (res.item.state === 'synced') refresh();
    } catch (err) {
      setFormError(errorMessage(err));
      if (err instanceof ApiFailure && err.error.fields?.reason) {
        form.setFields([{ name: 'reason', errors: [err.error.fields.reason] }]);
      }
    } finally {
      setBusy(false);
    }
  };

  const onSave = async (): Promise<void> => {
    setFormError(null);
    try {
      await form.validateFields();
    } catch {
      return;
    }
    if (view?.dossier.kind === 'update' && form.getFieldValue('outcome') === 'valid') {
      setConfirmOpen(true); // Hình 11
      return;
    }
    await record(false);
  };

  if (loadError) {
    return (
      <Result
        status="warning"
        title={loadError}
        extra={
          <Button type="primary" onClick={onClose}>
            Thoát
          </Button>
        }
      />
    );
  }
  if (!view) return <Spin description="Đang mở hồ sơ…" style={{ display: 'block', marginTop: 80 }} />;
  const d = view.dossier;
  const changes = d.update
    ? [
        d.update.email !== undefined ? ['Địa chỉ thư điện tử', d.email ?? '', d.update.email ?? ''] : null,
        d.update.mobile !== undefined ? ['Điện thoại di động', d.mobile, d.update.mobile ?? ''] : null,
        d.update.certificate !== undefined
          ? ['Chứng thư số', d.certificate?.serial ?? '', d.update.certificate?.serial ?? '']
          : null,
      ].filter((x): x is string[] => x !== null)
    : [];
  const conflict =
    done?.item.state === 'conflict' ? done.item : view.decision?.state === 'conflict' ? view.decision : null;

  return (
    <Card
      size="small"
      title={
        <Space direction="vertical" size={0}>
          <Typography.Text strong>TỜ KHAI</Typography.Text>
          <Typography.Text>
            Đăng ký sử dụng, điều chỉnh thông tin và ngừng sử dụng phương thức giao dịch điện tử trong lĩnh
            vực bảo hiểm xã hội — {KIND_LABEL[d.kind]}
          </Typography.Text>
        </Space>
      }
      extra={
        <Space>
          <Typography.Text strong>Số hồ sơ: {d.dossierNumber}</Typography.Text>
          <DossierPrintActions view={view} />
        </Space>
      }
    >
      <Typography.Paragraph>Kính gửi: Bảo hiểm xã hội Việt Nam.</Typography.Paragraph>
      {view.sameCode.length > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          title={`Mã số BHXH ${d.bhxhCode} còn hồ sơ khác: ${view.sameCode
            .map(
              (s) => `${s.dossierNumber} (${s.outcome ? OUTCOME_LABEL[s.outcome] : STATUS_LABEL[s.status]})`,
            )
            .join('; ')}. Kiểm tra trước khi duyệt.`}
        />
      )}
      {view.claim && !me.includes(view.claim.claimedBy) && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          title={`Hồ sơ đang xử lý bởi ${view.claim.claimedBy} đến ${formatDateTime(view.claim.claimedUntil)}.`}
        />
      )}
      {conflict && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          role="alert"
          title="Xung đột: hồ sơ đã được xử lý ở nơi khác trước khi đánh giá của bạn được đồng bộ."
          description={`${conflict.lastError ?? ''} Hiện tại: ${d.outcome ? OUTCOME_LABEL[d.outcome] : STATUS_LABEL[d.status]}${
            d.reviewer ? `, cán bộ xử lý ${d.reviewer}` : ''
          }. Đánh giá của bạn (${OUTCOME_LABEL[conflict.outcome]}) được giữ trong mục đồng bộ; đánh giá lại nếu cần.`}
        />
      )}
      <Descriptions size="small" bordered column={2} title="Thông tin cơ bản">
        <Descriptions.Item label="Họ và tên">{d.fullName}</Descriptions.Item>
        <Descriptions.Item label="Mã số bảo hiểm xã hội">{d.bhxhCode}</Descriptions.Item>
        <Descriptions.Item label="Số CMND/CCCD/Hộ chiếu">{d.idNumber ?? ''}</Descriptions.Item>
        <Descriptions.Item label="Ngày sinh">{formatDate(d.dateOfBirth)}</Descriptions.Item>
        <Descriptions.Item label="Địa chỉ liên hệ" span={2}>
          {d.address}
        </Descriptions.Item>
      </Descriptions>
      <Descriptions size="small" bordered column={2} title="Chứng thư số" style={{ marginTop: 12 }}>
        <Descriptions.Item label="Số chứng thư số">{d.certificate?.serial ?? ''}</Descriptions.Item>
        <Descriptions.Item label="Tổ chức cấp">{d.certificate?.issuer ?? ''}</Descriptions.Item>
        <Descriptions.Item label="Thời hạn sử dụng chứng thư số" span={2}>
          Từ ngày: {formatDate(d.certificate?.validFrom) || '/'} Đến ngày:{' '}
          {formatDate(d.certificate?.validTo) || '/'}
        </Descriptions.Item>
      </Descriptions>
      <Descriptions size="small" bordered column={3} title="Người liên hệ" style={{ marginTop: 12 }}>
        <Descriptions.Item label="Người liên hệ">{d.contactPerson}</Descriptions.Item>
        <Descriptions.Item label="Địa chỉ thư điện tử">{d.email ?? '/'}</Descriptions.Item>
        <Descriptions.Item label="Điện thoại di động">{d.mobile}</Descriptions.Item>
      </Descriptions>
      {d.kind === 'update' && changes.length > 0 && (
        <Descriptions size="small" bordered column={1} title="Thông tin điều chỉnh" style={{ marginTop: 12 }}>
          {changes.map(([label, from, to]) => (
            <Descriptions.Item key={label} label={label}>
              {from || '/'} → {to || '/'}
            </Descriptions.Item>
          ))}
        </Descriptions>
      )}
      <Descriptions size="small" bordered column={2} style={{ marginTop: 12 }}>
        <Descriptions.Item label="Đăng ký giao dịch tại">
          {d.channel === 'portal'
            ? 'Cổng thông tin điện tử của Bảo hiểm xã hội Việt Nam'
            : `Tổ chức I-VAN${d.ivanName ? `: ${d.ivanName}` : ''}`}
        </Descriptions.Item>
        <Descriptions.Item label="Hình thức nộp hồ sơ">
          {d.submissionMethod === 'post'
            ? 'Tại nhà thông qua dịch vụ bưu chính công ích'
            : 'Tại nơi tiếp nhận hồ sơ theo quy định của Bảo hiểm xã hội Việt Nam'}
        </Descriptions.Item>
        <Descriptions.Item label="Cơ quan tiếp nhận">{view.agencyName ?? d.agencyCode}</Descriptions.Item>
        <Descriptions.Item label="Địa chỉ cơ quan">
          {view.agencyAddress ?? ''} {view.agencyPhone ? `— Số điện thoại: ${view.agencyPhone}` : ''}
        </Descriptions.Item>
        <Descriptions.Item label="Ngày tiếp nhận">
          {formatDateTime(d.receivedAt ?? d.declaredAt)}
        </Descriptions.Item>
        <Descriptions.Item label="Ngày kê khai">{formatDateTime(d.declaredAt)}</Descriptions.Item>
      </Descriptions>
      <IntakePanel dossier={d} />

      <Typography.Title level={5} style={{ marginTop: 16 }}>
        Xử lý hồ sơ
      </Typography.Title>
      <Descriptions size="small" bordered column={3}>
        <Descriptions.Item label="Tình trạng">{STATUS_LABEL[d.status]}</Descriptions.Item>
        <Descriptions.Item label="Cán bộ xử lý">{d.reviewer ?? '/'}</Descriptions.Item>
        <Descriptions.Item label="Ngày xử lý">{formatDateTime(d.decidedAt) || '/'}</Descriptions.Item>
        {d.result && (
          <Descriptions.Item label="Kết quả" span={3}>
            {resultText(d.result)}
          </Descriptions.Item>
        )}
        {d.steps.length > 0 && (
          <Descriptions.Item label="Các bước sau duyệt" span={3}>
            {d.steps
              .map((s) => `${STEP_LABEL[s.step] ?? s.step}: ${STEP_STATE[s.state] ?? s.state}`)
              .join('; ')}
          </Descriptions.Item>
        )}
      </Descriptions>

      <Card size="small" title="Đánh giá hồ sơ" style={{ marginTop: 12 }}>
        <Form form={form} layout="vertical" disabled={busy}>
          <Form.Item
            name="outcome"
            label="Loại đánh giá hồ sơ"
            rules={[{ required: true, message: 'Chọn Hồ sơ hợp lệ hoặc Hồ sơ không hợp lệ.' }]}
          >
            <Radio.Group aria-label="Loại đánh giá hồ sơ">
              <Radio value="valid">Hồ sơ hợp lệ</Radio>
              <Radio value="invalid">Hồ sơ không hợp lệ</Radio>
            </Radio.Group>
          </Form.Item>
          {outcome === 'invalid' && (
            <>
              <Form.Item name="reasonCodes" label="Lý do">
                <Checkbox.Group
                  aria-label="Lý do"
                  style={{ display: 'flex', flexDirection: 'column', gap: 4 }}
                  options={reasons.map((r) => ({ value: r.code, label: r.text }))}
                />
              </Form.Item>
              <Form.Item
                name="reason"
                label="Nội dung đánh giá"
                dependencies={['reasonCodes']}
                rules={[
                  ({ getFieldValue }) => ({
                    validator: async (_r, value: string | undefined) => {
                      const codes = (getFieldValue('reasonCodes') as string[] | undefined) ?? [];
                      if (codes.length === 0 && !(value ?? '').trim())
                        throw new Error(
                          'Hồ sơ không hợp lệ cần có lý do: chọn lý do hoặc nhập nội dung đánh giá.',
                        );
                    },
                  }),
                ]}
              >
                <Input.TextArea aria-label="Nội dung đánh giá" rows={3} maxLength={2000} />
              </Form.Item>
            </>
          )}
          {formError && (
            <Alert type="error" showIcon title={formError} role="alert" style={{ marginBottom: 12 }} />
          )}
          {done && (
            <Alert
              role="status"
              style={{ marginBottom: 12 }}
              type={
                done.item.state === 'synced' ? 'success' : done.item.state === 'queued' ? 'info' : 'error'
              }
              showIcon
              title={
                done.item.state === 'synced'
                  ? done.item.result === 'details_updated'
                    ? 'Cập nhật thông tin đăng ký thành công'
                    : 'Cập nhật thành công'
                  : done.item.state === 'queued'
                    ? 'Đã ghi nhận, chờ đồng bộ'
                    : done.item.state === 'expired'
                      ? 'Hồ sơ đã quá hạn, không thể duyệt'
                      : 'Chưa đồng bộ được đánh giá'
              }
              description={resultText(done.item.result) ?? done.item.lastError ?? undefined}
            />
          )}
          <Space>
            <Button type="primary" loading={busy} onClick={() => void onSave()}>
              Ghi nhận
            </Button>
            <Button onClick={onClose} disabled={false}>
              Thoát
            </Button>
          </Space>
        </Form>
      </Card>

      <Modal
        open={confirmOpen}
        title="Thông báo thông tin đăng ký thay đổi thông tin"
        onCancel={() => setConfirmOpen(false)}
        footer={[
          <Button key="back" onClick={() => setConfirmOpen(false)}>
            Thoát
          </Button>,
          <Button key="ok" type="primary" loading={busy} onClick={() => void record(true)}>
            Xác nhận
          </Button>,
        ]}
      >
        <Typography.Paragraph>
          Cá nhân {d.fullName} (Mã số BHXH {d.bhxhCode}) đăng ký thay đổi thông tin giao dịch điện tử:
        </Typography.Paragraph>
        <ul>
          {changes.map(([label, from, to]) => (
            <li key={label}>
              {label}: {from || '/'} → {to || '/'}
            </li>
          ))}
        </ul>
        <Typography.Paragraph>Đồng ý cập nhật thông tin đăng ký của cá nhân?</Typography.Paragraph>
      </Modal>
    </Card>
  );
}
