// One desk declaration: the Mã tạm, replaced on screen by the dossier number once the service has
// given it; each step of the person's chain (Gửi tờ khai, each image, Tiếp nhận bản giấy, Đánh giá
// hồ sơ) and its state; a refusal with the field and the service's message, and Sửa và gửi lại (the
// form, only the named field to retype) or Thử lại; the duplicates the service reported; the images
// (or that their local copies went after the retention period); Đánh giá hồ sơ when nobody decided;
// the service's downstream steps (registry, account, SMS); In tờ khai.
import { Alert, Button, Card, Descriptions, List, Space, Tag, Typography, message } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { KIND_LABEL, RESULT_LABEL } from '../../../contract/domain';
import { DESK_LABEL } from '../../../contract/deskForm';
import { DESK_STEP_LABEL, type DeskDeclaration, type DeskStep } from '../../../contract/workstationDesk';
import { roleLabel } from '../../../contract/workstationIntake';
import { api, call, errorMessage } from '../api';
import { formatDate, formatDateTime } from '../format';
import { failureText, printJob } from '../print/deliver';
import { DeskDecision, decisionInput, NO_DECISION, type DeskDecisionValue } from './DeskDecision';
import { DeskImages } from './DeskImages';
import { DeskStateTag } from './deskUi';

const STEP_STATE: Readonly<Record<DeskStep['state'], { text: string; color: string }>> = {
  queued: { text: 'chờ gửi', color: 'blue' },
  synced: { text: 'đã nhận', color: 'green' },
  failed: { text: 'bị từ chối', color: 'red' },
  dismissed: { text: 'đã thay', color: 'default' },
};

const SERVICE_STEP_STATE: Readonly<Record<string, string>> = {
  done: 'hoàn tất',
  failed: 'lỗi',
  queued: 'chờ gửi',
  delivered: 'đã gửi',
  skipped: 'không áp dụng',
};

const SERVICE_STEP: Readonly<Record<string, string>> = {
  registry_check: 'Kiểm tra trên Hệ thống HGD',
  account: 'Tài khoản giao dịch điện tử',
  sms: 'Tin nhắn (SMS)',
  email: 'Thư điện tử',
};

export function DeskDetail({
  id,
  onCorrect,
  onBack,
}: {
  id: string;
  onCorrect: (d: DeskDeclaration) => void;
  onBack: () => void;
}) {
  const [d, setD] = useState<DeskDeclaration | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [decision, setDecision] = useState<DeskDecisionValue>({ ...NO_DECISION, outcome: 'valid' });

  const load = useCallback(() => {
    call('desk.get', { id }).then(setD, (err: unknown) => setError(errorMessage(err)));
  }, [id]);
  useEffect(() => {
    load();
    return api.on((e) => {
      if (
        (e.type === 'desk.changed' && e.id === id) ||
        (e.type === 'desk.image' && e.image.declarationId === id)
      )
        load();
    });
  }, [id, load]);

  if (error)
    return <Alert type="error" showIcon title={error} action={<Button onClick={onBack}>Quay lại</Button>} />;
  if (!d) return null;
  const v = d.values;
  const decided = d.steps.find((s) => s.kind === 'decision' && s.state !== 'dismissed');
  const run = async (p: Promise<unknown>, ok: string): Promise<void> => {
    try {
      await p;
      void message.success(ok);
      load();
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };

  return (
    <Card
      size="small"
      title={
        <Space wrap>
          <Typography.Text strong>
            {d.dossierNumber ? `Số hồ sơ: ${d.dossierNumber}` : `Mã tạm: ${d.ref}`}
          </Typography.Text>
          {d.dossierNumber && <Typography.Text type="secondary">(mã tạm {d.ref})</Typography.Text>}
          <DeskStateTag state={d.state} />
        </Space>
      }
      extra={
        <Space>
          <Button
            onClick={() =>
              void call('desk.print', { id: d.id })
                .then(printJob)
                .then(
                  (t) => message.success(t),
                  (err: unknown) => message.error(failureText(err)),
                )
            }
          >
            In tờ khai
          </Button>
          <Button onClick={onBack}>Thoát</Button>
        </Space>
      }
    >
      {d.refused && (
        <Alert
          type="error"
          showIcon
          role="alert"
          style={{ marginBottom: 8 }}
          title={`${DESK_STEP_LABEL[d.refused.kind]}${d.refused.role ? ` (${roleLabel(d.refused.role)})` : ''} bị từ chối: ${d.refused.lastError ?? ''}`}
          description={
            d.refused.fields
              ? Object.entries(d.refused.fields)
                  .map(([f, m]) => `${DESK_LABEL[f as keyof typeof DESK_LABEL] ?? f}: ${m}`)
                  .join(' ')
              : undefined
          }
          action={
            d.refused.kind === 'intake' ? (
              <Button type="primary" onClick={() => onCorrect(d)}>
                Sửa và gửi lại
              </Button>
            ) : (
              <Button
                onClick={() => void run(call('desk.retry', { id: d.id }), 'Đã đưa lại vào hàng chờ gửi.')}
              >
                Thử lại
              </Button>
            )
          }
        />
      )}
      {d.duplicates.length > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 8 }}
          title={`Mã số BHXH này còn hồ sơ khác đang chờ duyệt: ${d.duplicates.map((x) => x.dossierNumber).join(', ')}. Kiểm tra trước khi duyệt.`}
        />
      )}
      {d.codeResolution === 'not_found' && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 8 }}
          title="Hệ thống không tìm thấy mã số BHXH theo số giấy tờ: hướng dẫn người kê khai thủ tục cấp mã số BHXH (Tờ khai TK1-TS)."
        />
      )}
      <Descriptions size="small" column={2} bordered style={{ marginBottom: 8 }}>
        <Descriptions.Item label={DESK_LABEL.fullName}>{v.fullName}</Descriptions.Item>
        <Descriptions.Item label="Loại tờ khai">{KIND_LABEL[v.kind]}</Descriptions.Item>
        <Descriptions.Item label={DESK_LABEL.bhxhCode}>
          {d.dossier?.bhxhCode || v.bhxhCode || (
            <Typography.Text type="secondary">tra theo số giấy tờ khi gửi</Typography.Text>
          )}
        </Descriptions.Item>
        <Descriptions.Item label={DESK_LABEL.idNumber}>{v.idNumber}</Descriptions.Item>
        <Descriptions.Item label={DESK_LABEL.dateOfBirth}>{v.dateOfBirth}</Descriptions.Item>
        <Descriptions.Item label={DESK_LABEL.gender}>{v.gender}</Descriptions.Item>
        <Descriptions.Item label={DESK_LABEL.address} span={2}>
          {v.address}
        </Descriptions.Item>
        <Descriptions.Item label={DESK_LABEL.mobile}>{v.mobile}</Descriptions.Item>
        <Descriptions.Item label={DESK_LABEL.email}>{v.email}</Descriptions.Item>
        <Descriptions.Item label="Bàn tiếp nhận">{d.deskName}</Descriptions.Item>
        <Descriptions.Item label="Kê khai lúc">{formatDateTime(d.declaredAt)}</Descriptions.Item>
        <Descriptions.Item label="Xác nhận nhân thân" span={2}>
          {d.identityConfirmedBy
            ? `${d.identityConfirmedBy} — ${formatDateTime(d.identityConfirmedAt)}`
            : 'chưa xác nhận'}
        </Descriptions.Item>
      </Descriptions>
      <Typography.Title level={5}>Các bước gửi</Typography.Title>
      <List
        size="small"
        dataSource={d.steps}
        renderItem={(s) => (
          <List.Item>
            <Space wrap>
              <Typography.Text>
                {DESK_STEP_LABEL[s.kind]}
                {s.role ? `: ${roleLabel(s.role)}` : ''}
                {s.kind === 'decision' && s.outcome
                  ? ` (${s.outcome === 'valid' ? 'hợp lệ' : 'không hợp lệ'})`
                  : ''}
              </Typography.Text>
              <Tag color={STEP_STATE[s.state].color}>{STEP_STATE[s.state].text}</Tag>
              {s.result && <Typography.Text type="secondary">{RESULT_LABEL[s.result]}</Typography.Text>}
              {s.state === 'queued' && s.attempts > 0 && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  đã thử {s.attempts} lần: {s.lastError}
                </Typography.Text>
              )}
            </Space>
          </List.Item>
        )}
      />
      {d.dossier && d.dossier.steps.length > 0 && (
        <>
          <Typography.Title level={5}>Xử lý trên hệ thống trung tâm</Typography.Title>
          <List
            size="small"
            dataSource={d.dossier.steps}
            renderItem={(s) => (
              <List.Item>
                {SERVICE_STEP[s.step] ?? s.step}: {SERVICE_STEP_STATE[s.state] ?? s.state} —{' '}
                {formatDateTime(s.at)} {s.detail ?? ''}
              </List.Item>
            )}
          />
        </>
      )}
      {!decided && d.state !== 'draft' && (
        <div style={{ marginTop: 8, maxWidth: 520 }}>
          <DeskDecision value={decision} onChange={setDecision} kind={v.kind} allowNone={false} />
          <Button
            type="primary"
            onClick={() => {
              const input = decisionInput(decision);
              if (input)
                void run(
                  call('desk.decide', { id: d.id, decision: input }),
                  'Đã ghi nhận đánh giá, chờ gửi.',
                );
            }}
          >
            Ghi nhận đánh giá
          </Button>
        </div>
      )}
      <Typography.Title level={5} style={{ marginTop: 12 }}>
        Ảnh CMND/CCCD
      </Typography.Title>
      {d.imagesPurgedAt && (
        <Typography.Paragraph type="secondary">
          Bản sao ảnh trên máy trạm đã được xoá ngày {formatDate(d.imagesPurgedAt)} sau thời hạn lưu; hệ thống
          trung tâm vẫn giữ ảnh.
        </Typography.Paragraph>
      )}
      <DeskImages
        declarationId={d.id}
        refCode={d.ref}
        images={d.images}
        readOnly={d.state === 'decided' || d.state === 'received'}
        onStored={load}
      />
    </Card>
  );
}
