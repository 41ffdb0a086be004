// Đánh giá hồ sơ at the desk (optional at Ghi nhận, as in the review screen): Hồ sơ hợp lệ / Hồ sơ
// không hợp lệ with the agency's reasons and Nội dung đánh giá; a change of details approved needs
// the Xác nhận of Hình 11. "Chưa đánh giá" leaves the decision to a counter.
import { Checkbox, Form, Input, Radio, Select } from 'antd';
import { useEffect, useState } from 'react';
import type { RejectionReason } from '../../../contract/domain';
import { call } from '../api';

export type DeskDecisionValue = {
  outcome: 'none' | 'valid' | 'invalid';
  reasonCodes: string[];
  reason: string;
  confirmUpdate: boolean;
};

export const NO_DECISION: DeskDecisionValue = {
  outcome: 'none',
  reasonCodes: [],
  reason: '',
  confirmUpdate: false,
};

/** The decision as desk.record / desk.decide take it (null: not decided here). */
export function decisionInput(v: DeskDecisionValue) {
  if (v.outcome === 'none') return null;
  return {
    outcome: v.outcome,
    reasonCodes: v.outcome === 'invalid' ? v.reasonCodes : [],
    reason: v.outcome === 'invalid' ? v.reason : '',
    ...(v.outcome === 'valid' && v.confirmUpdate ? { confirmUpdate: true } : {}),
  };
}

export function DeskDecision({
  value,
  onChange,
  kind,
  error,
  allowNone = true,
}: {
  value: DeskDecisionValue;
  onChange: (v: DeskDecisionValue) => void;
  kind: 'register' | 'update' | 'stop';
  error?: string | undefined;
  allowNone?: boolean;
}) {
  const [reasons, setReasons] = useState<RejectionReason[]>([]);
  useEffect(() => {
    call('reasons.list', {})
      .then(setReasons)
      .catch(() => setReasons([]));
  }, []);
  return (
    <Form layout="vertical" component="div">
      <Form.Item label="Đánh giá hồ sơ" style={{ marginBottom: 6 }}>
        <Radio.Group
          aria-label="Đánh giá hồ sơ"
          value={value.outcome}
          onChange={(e) => onChange({ ...value, outcome: e.target.value as DeskDecisionValue['outcome'] })}
        >
          {allowNone && <Radio value="none">Chưa đánh giá</Radio>}
          <Radio value="valid">Hồ sơ hợp lệ</Radio>
          <Radio value="invalid">Hồ sơ không hợp lệ</Radio>
        </Radio.Group>
      </Form.Item>
      {value.outcome === 'invalid' && (
        <>
          <Form.Item label="Lý do" style={{ marginBottom: 6 }} validateStatus={error ? 'error' : undefined}>
            <Select
              mode="multiple"
              aria-label="Lý do"
              value={value.reasonCodes}
              onChange={(reasonCodes: string[]) => onChange({ ...value, reasonCodes })}
              options={reasons.map((r) => ({ value: r.code, label: r.text }))}
            />
          </Form.Item>
          <Form.Item
            label="Nội dung đánh giá"
            style={{ marginBottom: 6 }}
            validateStatus={error ? 'error' : undefined}
            help={error}
          >
            <Input.TextArea
              aria-label="Nội dung đánh giá"
              rows={2}
              value={value.reason}
              onChange={(e) => onChange({ ...value, reason: e.target.value })}
            />
          </Form.Item>
        </>
      )}
      {value.outcome === 'valid' && kind === 'update' && (
        <Checkbox
          checked={value.confirmUpdate}
          onChange={(e) => onChange({ ...value, confirmUpdate: e.target.checked })}
        >
          Xác nhận cập nhật thông tin đăng ký theo tờ khai điều chỉnh
        </Checkbox>
      )}
    </Form>
  );
}
