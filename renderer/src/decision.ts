// What the officer is told about a decision, one wording per outcome of API.md: an issued account is
// the only green success; a code not in HGD is a warning that says what to do next (guide the person
// through Tờ khai TK1-TS), never "thành công"; a rejection, a change of details and a stop each say
// what happened in their own words. Used by the decision bar, its pop-up notices and the list.
import type { DecisionResult, DownstreamStep, Verdict } from '../../contract/domain';
import { RESULT_LABEL, VERDICT_COLOR, VERDICT_LABEL } from '../../contract/domain';

export type NoticeKind = 'success' | 'info' | 'warning' | 'error';

export type DecisionNotice = {
  kind: NoticeKind;
  title: string;
  description: string;
  /** The same in a line, for the decision bar (the pop-up says it in full). */
  short?: string;
};

/** The notice of a decision the service has answered (Hình 8, Hình 12, the code-not-found warning). */
export function resultNotice(result: DecisionResult): DecisionNotice {
  switch (result) {
    case 'account_issued':
      return { kind: 'success', title: 'Cập nhật thành công', description: RESULT_LABEL.account_issued };
    case 'code_not_found':
      return {
        kind: 'warning',
        title: 'Chưa cấp được tài khoản: mã số BHXH không tồn tại trên Hệ thống HGD',
        description:
          'Hồ sơ hợp lệ nhưng Hệ thống cấp mã số BHXH và quản lý BHYT hộ gia đình (HGD) không có mã số BHXH này (hoặc họ tên không khớp), nên không có tài khoản nào được cấp và không có tin nhắn tài khoản. Hướng dẫn cá nhân kê khai Tờ khai TK1-TS để được cấp mã số BHXH, rồi đăng ký lại giao dịch điện tử; in hướng dẫn để đưa cho cá nhân.',
        short:
          'Không có tài khoản nào được cấp. Hướng dẫn cá nhân kê khai Tờ khai TK1-TS để được cấp mã số BHXH; in hướng dẫn để đưa cho cá nhân.',
      };
    case 'rejected':
      return {
        kind: 'info',
        title: 'Đã ghi nhận: hồ sơ không hợp lệ',
        description: RESULT_LABEL.rejected,
      };
    case 'details_updated':
      return {
        kind: 'success',
        title: 'Cập nhật thông tin đăng ký thành công',
        description: 'Thông tin đăng ký giao dịch điện tử của cá nhân đã được điều chỉnh theo tờ khai.',
      };
    case 'account_stopped':
      return {
        kind: 'success',
        title: 'Đã ngừng giao dịch điện tử',
        description: RESULT_LABEL.account_stopped,
      };
    default: {
      const never: never = result;
      return { kind: 'info', title: String(never), description: '' };
    }
  }
}

export function verdictTag(verdict: Verdict): { label: string; color: string } {
  return { label: VERDICT_LABEL[verdict], color: VERDICT_COLOR[verdict] };
}

const STEP_LABEL: Readonly<Record<DownstreamStep['step'], string>> = {
  registry_check: 'Kiểm tra trên Hệ thống HGD',
  account: 'Tài khoản giao dịch điện tử',
  sms: 'Tin nhắn (SMS)',
  email: 'Thư điện tử',
};
const STEP_STATE: Readonly<Record<DownstreamStep['state'], string>> = {
  done: 'hoàn tất',
  failed: 'lỗi',
  queued: 'chờ gửi',
  delivered: 'đã gửi',
  skipped: 'không áp dụng',
};
const STEP_COLOR: Readonly<Record<DownstreamStep['state'], string>> = {
  done: 'green',
  failed: 'red',
  queued: 'orange',
  delivered: 'green',
  skipped: 'default',
};

/**
 * A downstream step as the decision bar lists it ("Tin nhắn (SMS): đã gửi"), its colour and the
 * service's detail. A registry check that found no code is the code-not-found outcome, not a fault.
 */
export function stepText(s: DownstreamStep): { text: string; color: string; detail: string | null } {
  const noCode = s.step === 'registry_check' && s.state === 'failed';
  return {
    text: `${STEP_LABEL[s.step] ?? s.step}: ${noCode ? 'không có mã số hoặc họ tên không khớp' : (STEP_STATE[s.state] ?? s.state)}`,
    color: noCode ? 'gold' : (STEP_COLOR[s.state] ?? 'default'),
    detail: s.detail ?? null,
  };
}
