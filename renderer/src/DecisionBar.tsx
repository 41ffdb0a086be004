// Xử lý hồ sơ and Đánh giá hồ sơ (Hình 7, 10, 11, 12) as one bar kept at the bottom of the detail
// (sticky), so the decision is always reachable without scrolling. While the dossier waits for a
// decision: Loại đánh giá hồ sơ (Hồ sơ hợp lệ / không hợp lệ with the agency's reasons and Nội dung
// đánh giá), Ghi nhận and Thoát. Once a decision is recorded — synced or queued — or the service holds
// one, the bar is final: it shows the decision, what the service concluded and the steps after it,
// and only printing and Thoát remain (a second Ghi nhận could only come back as a conflict with the
// officer's own decision). A conflict is shown only for someone else's decision.
// Shortcuts: Alt+H Hồ sơ hợp lệ, Alt+K Hồ sơ không hợp lệ, Alt+G (or Ctrl+Enter) Ghi nhận, Esc Thoát.
import { PrinterOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Checkbox,
  Descriptions,
  Form,
  Input,
  Modal,
  Radio,
  Space,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import type { DecisionResult, Outcome, RejectionReason } from '../../contract/domain';
import { OUTCOME_LABEL, STATUS_LABEL, verdictOf } from '../../contract/domain';
import { markedMobile } from '../../contract/identity';
import type { DossierView, OutboxItem } from '../../contract/workstation';
import { ApiFailure, call, errorMessage } from './api';
import { resultNotice, stepText, verdictTag, type DecisionNotice } from './decision';
import { formatDateTime } from './format';
import { failureText, printJob } from './print/deliver';

export type DecisionValues = { outcome?: Outcome; reasonCodes?: string[]; reason?: string };

/** The bar's state: a form while undecided, final otherwise. */
type Final =
  | { kind: 'queued'; item: OutboxItem }
  | { kind: 'synced'; item: OutboxItem }
  | { kind: 'decided'; conflict: OutboxItem | null }
  | { kind: 'expired' };

export function finalState(view: DossierView, latest: OutboxItem | null): Final | null {
  const d = view.dossier;
  if (latest?.state === 'queued') return { kind: 'queued', item: latest };
  if (latest?.state === 'synced') return { kind: 'synced', item: latest };
  if (d.status === 'decided')
    return { kind: 'decided', conflict: latest?.state === 'conflict' ? latest : null };
  if (d.status === 'expired' || latest?.state === 'expired') return { kind: 'expired' };
  return null;
}

/** What the final bar says: the service's answer when there is one, else what is known here. */
function finalNotice(f: Final, view: DossierView): DecisionNotice {
  const d = view.dossier;
  if (f.kind === 'queued') {
    return {
      kind: 'info',
      title: 'Đã ghi nhận, chờ đồng bộ',
      description: `Đánh giá "${OUTCOME_LABEL[f.item.outcome]}" được lưu trên máy trạm và sẽ gửi lên hệ thống trung tâm khi có kết nối; kết quả (cấp tài khoản, tin nhắn) hiện tại đây khi đồng bộ xong.`,
    };
  }
  if (f.kind === 'expired') {
    return {
      kind: 'warning',
      title: 'Hồ sơ đã quá hạn, không thể duyệt',
      description: 'Quá 10 ngày kể từ ngày kê khai mà cá nhân chưa nộp hồ sơ giấy: tờ khai tự động xóa.',
    };
  }
  const result: DecisionResult | null =
    (f.kind === 'synced' ? f.item.result : null) ?? d.result ?? (d.outcome === 'invalid' ? 'rejected' : null);
  const base: DecisionNotice = result
    ? resultNotice(result)
    : { kind: 'success', title: OUTCOME_LABEL[d.outcome ?? 'valid'], description: '' };
  if (f.kind === 'decided' && f.conflict) {
    return {
      kind: 'error',
      title: `Xung đột: hồ sơ đã được ${d.reviewer ?? 'cán bộ khác'} xử lý trước khi đánh giá của bạn được đồng bộ`,
      description: `Kết quả hiện tại: ${base.title}. Đánh giá của bạn (${OUTCOME_LABEL[f.conflict.outcome]}) không được áp dụng; nó được giữ trong Chi tiết đồng bộ để đối chiếu.`,
    };
  }
  if (f.kind === 'decided') {
    // Someone else's decision (or one made here earlier): said as what happened, not as this officer's success.
    return {
      ...base,
      title: `${d.reviewer ? `${d.reviewer} đã xử lý` : 'Đã xử lý'}${d.decidedAt ? ` lúc ${formatDateTime(d.decidedAt)}` : ''}: ${base.title.replace(/^Cập nhật thành công$/u, 'hồ sơ hợp lệ, đã cấp tài khoản')}`,
    };
  }
  return base;
}

export type DecisionBarHandle = {
  /** Put the keyboard focus on the first decision control (or Thoát when final). */
  focus(): void;
};

type Props = {
  view: DossierView;
  latest: OutboxItem | null;
  reasons: readonly RejectionReason[];
  onRecorded: (res: { item: OutboxItem; synced: boolean }) => void;
  onClose: () => void;
};

export const DecisionBar = forwardRef<DecisionBarHandle, Props>(function DecisionBar(
  { view, latest, reasons, onRecorded, onClose },
  ref,
) {
  const { message } = App.useApp();
  const [form] = Form.useForm<DecisionValues>();
  const outcome = Form.useWatch('outcome', form);
  const [busy, setBusy] = useState(false);
  const [confirmOpen, setConfirmOpen] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [printing, setPrinting] = useState(false);
  const root = useRef<HTMLElement>(null);
  const busyRef = useRef(false);
  const d = view.dossier;
  const final = finalState(view, latest);

  useImperativeHandle(
    ref,
    () => ({
      focus() {
        const el = root.current;
        if (!el) return;
        const target = final
          ? el.querySelector<HTMLElement>('[data-focus="close"]')
          : (el.querySelector<HTMLElement>('input[type="radio"]:checked') ??
            el.querySelector<HTMLElement>('input[type="radio"]'));
        target?.focus();
      },
    }),
    [final],
  );

  const changes = d.update
    ? [
        d.update.email !== undefined ? ['Địa chỉ thư điện tử', d.email ?? '', d.update.email ?? ''] : null,
        d.update.mobile !== undefined
          ? ['Điện thoại di động', markedMobile(d.mobile), markedMobile(d.update.mobile)]
          : null,
        d.update.certificate !== undefined
          ? ['Chứng thư số', d.certificate?.serial ?? '', d.update.certificate?.serial ?? '']
          : null,
      ].filter((x): x is string[] => x !== null)
    : [];

  const record = async (confirmUpdate: boolean): Promise<void> => {
    if (busyRef.current) return;
    busyRef.current = true;
    const v = form.getFieldsValue();
    setBusy(true);
    setFormError(null);
    try {
      const res = await call('decisions.record', {
        dossierId: d.id,
        outcome: v.outcome!,
        reasonCodes: v.outcome === 'invalid' ? (v.reasonCodes ?? []) : [],
        reason: v.outcome === 'invalid' ? (v.reason ?? '') : '',
        ...(confirmUpdate ? { confirmUpdate: true } : {}),
      });
      setConfirmOpen(false);
      onRecorded(res);
    } catch (err) {
      setConfirmOpen(false);
      setFormError(errorMessage(err));
      if (err instanceof ApiFailure && err.error.fields?.reason) {
        form.setFields([{ name: 'reason', errors: [err.error.fields.reason] }]);
      }
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
  };

  const onSave = async (): Promise<void> => {
    if (final || busyRef.current) return;
    setFormError(null);
    try {
      await form.validateFields();
    } catch {
      return;
    }
    if (d.kind === 'update' && form.getFieldValue('outcome') === 'valid') {
      setConfirmOpen(true); // Hình 11
      return;
    }
    await record(false);
  };

  // Alt+H / Alt+K choose, Alt+G or Ctrl+Enter records: from anywhere in the detail, not in dialogs.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (final || confirmOpen || e.defaultPrevented) return;
      if ((e.target as HTMLElement | null)?.closest?.('[role="dialog"]')) return;
      const key = e.key.toLowerCase();
      const choose = (o: Outcome): void => {
        e.preventDefault();
        form.setFieldValue('outcome', o);
        root.current?.querySelector<HTMLElement>(`input[type="radio"][value="${o}"]`)?.focus();
      };
      if (e.altKey && !e.ctrlKey && !e.metaKey && (key === 'h' || e.code === 'KeyH')) choose('valid');
      else if (e.altKey && !e.ctrlKey && !e.metaKey && (key === 'k' || e.code === 'KeyK')) choose('invalid');
      else if (
        (e.altKey && !e.ctrlKey && (key === 'g' || e.code === 'KeyG')) ||
        ((e.ctrlKey || e.metaKey) && key === 'enter')
      ) {
        e.preventDefault();
        void onSave();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const printNotice = async (): Promise<void> => {
    setPrinting(true);
    try {
      const job = await call('print.document', { dossierId: d.id, document: 'notice' });
      void message.success(await printJob(job));
    } catch (err) {
      void message.error(failureText(err));
    } finally {
      setPrinting(false);
    }
  };

  const verdict = verdictOf(d);
  const processing = (
    <Descriptions
      size="small"
      bordered
      column={{ xs: 1, sm: 2, md: 3, xl: 5 }}
      className="ws-processing"
      styles={{ label: { whiteSpace: 'nowrap' } }}
    >
      <Descriptions.Item label="Tình trạng">
        <span className="ws-nowrap">{STATUS_LABEL[d.status]}</span>
      </Descriptions.Item>
      <Descriptions.Item label="Cán bộ xử lý">{d.reviewer ?? <Empty />}</Descriptions.Item>
      <Descriptions.Item label="Ngày xử lý">
        {d.decidedAt ? <span className="ws-nowrap">{formatDateTime(d.decidedAt)}</span> : <Empty />}
      </Descriptions.Item>
      {final && (
        // The officer's own evaluation (Hình 10's field); beside it what the service made of it when
        // that is more than the evaluation: a valid dossier whose code is not in HGD got no account.
        <Descriptions.Item label="Loại đánh giá HS">
          {verdict ? (
            <Space size={[6, 2]} wrap>
              {d.outcome && verdictTag(verdict).label !== OUTCOME_LABEL[d.outcome] && (
                <span className="ws-nowrap">{OUTCOME_LABEL[d.outcome]}:</span>
              )}
              <Tag color={verdictTag(verdict).color} style={{ marginInlineEnd: 0 }}>
                {verdictTag(verdict).label}
              </Tag>
            </Space>
          ) : (
            <Empty />
          )}
        </Descriptions.Item>
      )}
      {final && d.outcome === 'invalid' && (
        <Descriptions.Item label="Nội dung đánh giá">{d.reason || <Empty />}</Descriptions.Item>
      )}
    </Descriptions>
  );

  const closeButton = (
    <Tooltip title="Quay về danh sách hồ sơ (Esc)">
      <Button onClick={onClose} data-focus="close" aria-keyshortcuts="Escape">
        Thoát
      </Button>
    </Tooltip>
  );

  if (final) {
    const notice = finalNotice(final, view);
    const noCode =
      (final.kind === 'synced' ? final.item.result : d.result) === 'code_not_found' &&
      final.kind !== 'queued';
    return (
      <section ref={root} className="ws-decision-bar" aria-label="Xử lý hồ sơ" data-final="true">
        <Typography.Title level={5} style={{ margin: '0 0 6px' }}>
          Xử lý hồ sơ
        </Typography.Title>
        {processing}
        <Alert
          role="status"
          type={notice.kind}
          showIcon
          style={{ marginTop: 8 }}
          title={notice.title}
          description={
            <Space direction="vertical" size={4} style={{ width: '100%' }}>
              {(notice.short ?? notice.description) && <span>{notice.short ?? notice.description}</span>}
              {d.steps.length > 0 && final.kind !== 'queued' && (
                <Space size={[4, 4]} wrap aria-label="Các bước sau duyệt">
                  {d.steps.map((s) => {
                    const t = stepText(s);
                    return (
                      <Tag key={`${s.step}-${s.at}`} color={t.color} title={t.detail ?? undefined}>
                        {t.text}
                      </Tag>
                    );
                  })}
                </Space>
              )}
            </Space>
          }
          action={
            <Space direction="vertical" align="end">
              {noCode && (
                <Button
                  icon={<PrinterOutlined aria-hidden />}
                  loading={printing}
                  onClick={() => void printNotice()}
                  title="In thông báo hướng dẫn kê khai Tờ khai TK1-TS, có số hồ sơ, để đưa cho cá nhân"
                >
                  In hướng dẫn TK1-TS
                </Button>
              )}
              {closeButton}
            </Space>
          }
        />
      </section>
    );
  }

  return (
    <section ref={root} className="ws-decision-bar" aria-label="Xử lý hồ sơ">
      <Typography.Title level={5} style={{ margin: '0 0 6px' }}>
        Xử lý hồ sơ
      </Typography.Title>
      {processing}
      {latest?.state === 'failed' && (
        <Alert
          type="error"
          showIcon
          role="alert"
          style={{ marginTop: 8 }}
          title="Chưa đồng bộ được đánh giá trước"
          description={`${latest.lastError ?? ''} Đánh giá lại rồi Ghi nhận, hoặc Thử lại trong Chi tiết đồng bộ.`}
        />
      )}
      <Form
        form={form}
        layout="vertical"
        disabled={busy}
        style={{ marginTop: 8 }}
        initialValues={{ reasonCodes: [], reason: '' }}
      >
        <div className="ws-decision-row">
          <Form.Item
            name="outcome"
            label="Đánh giá hồ sơ"
            style={{ marginBottom: 0 }}
            rules={[{ required: true, message: 'Chọn Hồ sơ hợp lệ hoặc Hồ sơ không hợp lệ.' }]}
          >
            <Radio.Group aria-label="Loại đánh giá hồ sơ">
              <Tooltip title="Phím tắt: Alt+H">
                <Radio value="valid" aria-keyshortcuts="Alt+H">
                  Hồ sơ hợp lệ
                </Radio>
              </Tooltip>
              <Tooltip title="Phím tắt: Alt+K">
                <Radio value="invalid" aria-keyshortcuts="Alt+K">
                  Hồ sơ không hợp lệ
                </Radio>
              </Tooltip>
            </Radio.Group>
          </Form.Item>
          <span style={{ flex: 1 }} />
          <Space>
            <Tooltip title="Ghi nhận đánh giá (Alt+G hoặc Ctrl+Enter)">
              <Button
                type="primary"
                loading={busy}
                onClick={() => void onSave()}
                aria-keyshortcuts="Alt+G Control+Enter"
              >
                Ghi nhận
              </Button>
            </Tooltip>
            {closeButton}
          </Space>
        </div>
        {outcome === 'invalid' && (
          <div className="ws-reasons">
            <Form.Item name="reasonCodes" label="Lý do" style={{ marginBottom: 8 }}>
              <Checkbox.Group
                aria-label="Lý do"
                className="ws-reason-list"
                options={reasons.map((r) => ({ value: r.code, label: r.text }))}
              />
            </Form.Item>
            <Form.Item
              name="reason"
              label="Nội dung đánh giá"
              dependencies={['reasonCodes']}
              style={{ marginBottom: 8 }}
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
          </div>
        )}
        {formError && <Alert type="error" showIcon title={formError} role="alert" style={{ marginTop: 8 }} />}
      </Form>

      <Modal
        open={confirmOpen}
        title="Thông báo thông tin đăng ký thay đổi thông tin"
        onCancel={() => setConfirmOpen(false)}
        footer={[
          <Button key="back" onClick={() => setConfirmOpen(false)}>
            Thoát
          </Button>,
          <Button key="ok" type="primary" loading={busy} onClick={() => void record(true)} autoFocus>
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
    </section>
  );
});

/** An empty value, shown one way everywhere in the detail (the seed's "/"). */
export function Empty() {
  return (
    <Typography.Text type="secondary" aria-label="không có">
      /
    </Typography.Text>
  );
}

/**
 * The pop-up notices of the seed (Hình 12 for a change of details) and the warning of a code not in
 * HGD, which the officer must act on; the others are said in the bar.
 */
export function DecisionPopup({
  result,
  onClose,
  onPrintGuide,
}: {
  result: DecisionResult | null;
  onClose: () => void;
  onPrintGuide: () => void;
}) {
  const notice = result ? resultNotice(result) : null;
  const open = result === 'details_updated' || result === 'code_not_found';
  return (
    <Modal
      open={open}
      // room for the close button: a two-line title otherwise runs under its ×
      title={notice && <span style={{ display: 'block', paddingRight: 28 }}>{notice.title}</span>}
      onCancel={onClose}
      footer={[
        ...(result === 'code_not_found'
          ? [
              <Button key="print" icon={<PrinterOutlined aria-hidden />} onClick={onPrintGuide}>
                In hướng dẫn TK1-TS
              </Button>,
            ]
          : []),
        <Button key="ok" type="primary" onClick={onClose} autoFocus>
          {result === 'code_not_found' ? 'Đã hiểu' : 'Đồng ý'}
        </Button>,
      ]}
    >
      {notice && (
        <Alert
          type={notice.kind}
          showIcon
          title={notice.kind === 'warning' ? 'Không có tài khoản nào được cấp' : notice.title}
          description={notice.description}
        />
      )}
    </Modal>
  );
}
