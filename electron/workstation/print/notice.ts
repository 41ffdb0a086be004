// The notice of a decision handed to (or posted to) the declarant: approval with the account's user
// name and how the password arrives; rejection with the reason and what to do next; code not found
// with how to apply for a code (Tờ khai TK1-TS); and the notices of updated details and stopping.

import type { Agency, DecisionResult, Dossier, RejectionReason } from '../../../contract/domain.js';
import { documentHeading, placeDateLine, signatureColumns } from './common.js';
import { dateTime, displayMobile, maskedMobile, shortDate, vnDay } from './format.js';
import { createDocument, finish, PrintError, setFont, type Doc } from './pdf.js';

export type NoticeOptions = {
  /** The agency's standard reasons, to print the text of the dossier's reason codes. */
  reasons?: readonly RejectionReason[];
  /** Who signs for the agency (printed under the signature). */
  signer?: string | null;
};

const FONT_SIZE = 11;
const SUBJECT: Readonly<Record<DecisionResult, string>> = {
  account_issued:
    'Về việc chấp thuận đăng ký sử dụng phương thức giao dịch điện tử trong lĩnh vực bảo hiểm xã hội',
  rejected:
    'Về việc không chấp nhận đăng ký sử dụng phương thức giao dịch điện tử trong lĩnh vực bảo hiểm xã hội',
  code_not_found: 'Về việc chưa cấp được tài khoản giao dịch điện tử do chưa có mã số bảo hiểm xã hội',
  details_updated: 'Về việc điều chỉnh thông tin đăng ký giao dịch điện tử trong lĩnh vực bảo hiểm xã hội',
  account_stopped: 'Về việc ngừng sử dụng phương thức giao dịch điện tử trong lĩnh vực bảo hiểm xã hội',
};

/** What the decision concluded, also for dossiers imported without a stored result. */
export function noticeResult(dossier: Dossier): DecisionResult {
  if (dossier.status !== 'decided' || !dossier.outcome) {
    throw new PrintError(
      'not_decided',
      `Hồ sơ ${dossier.dossierNumber} chưa được duyệt: chưa có kết quả để in thông báo.`,
    );
  }
  if (dossier.result) return dossier.result;
  if (dossier.outcome === 'invalid') return 'rejected';
  if (dossier.accountResult === 'code_not_found') return 'code_not_found';
  return dossier.kind === 'update'
    ? 'details_updated'
    : dossier.kind === 'stop'
      ? 'account_stopped'
      : 'account_issued';
}

function paragraph(doc: Doc, text: string, options: { bold?: boolean; indent?: number } = {}): void {
  const left = doc.page.margins.left + (options.indent ?? 0);
  const width = doc.page.width - doc.page.margins.right - left;
  setFont(doc, options.bold ? 'serifBold' : 'serif', FONT_SIZE);
  doc.text(text, left, doc.y, { width, align: 'justify', lineGap: 1.5 });
  doc.y += 4;
}

function labelled(doc: Doc, label: string, value: string, indent = 14): void {
  const left = doc.page.margins.left + indent;
  const width = doc.page.width - doc.page.margins.right - left;
  setFont(doc, 'serif', FONT_SIZE);
  doc.text(`${label}: `, left, doc.y, { width, continued: true, lineGap: 1.5 });
  setFont(doc, 'serifBold', FONT_SIZE);
  doc.text(value, { width, lineGap: 1.5 });
  doc.y += 2;
}

function reasonText(dossier: Dossier, reasons: readonly RejectionReason[]): string {
  const byCode = new Map(reasons.map((r) => [r.code, r.text]));
  const parts = dossier.reasonCodes.map((code) => byCode.get(code) ?? code);
  if (dossier.reason?.trim()) parts.push(dossier.reason.trim());
  return parts.length > 0 ? parts.join('; ') : 'Hồ sơ không hợp lệ.';
}

/** The notice of the decision on a dossier (PDF, A4 portrait). Throws PrintError when undecided. */
export async function renderDecisionNotice(
  dossier: Dossier,
  agency: Agency,
  result: DecisionResult = noticeResult(dossier),
  options: NoticeOptions = {},
): Promise<Buffer> {
  if (dossier.status !== 'decided') noticeResult(dossier);
  const doc = createDocument({
    margins: { top: 42, bottom: 42, left: 62, right: 48 },
    title: `Thông báo kết quả - ${dossier.dossierNumber}`,
  });
  const decidedDay = dossier.decidedAt ? vnDay(dossier.decidedAt) : null;
  documentHeading(doc, agency, placeDateLine(decidedDay), FONT_SIZE);
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;

  setFont(doc, 'serifBold', 14);
  doc.text('THÔNG BÁO', left, doc.y, { width, align: 'center' });
  setFont(doc, 'serifBold', FONT_SIZE + 1);
  doc.text(SUBJECT[result], left + 40, doc.y + 2, { width: width - 80, align: 'center' });
  doc.y += 10;
  setFont(doc, 'serif', FONT_SIZE);
  doc.text(`Kính gửi: Ông/Bà ${dossier.fullName}`, left, doc.y, { width, align: 'center' });
  doc.y += 8;

  labelled(doc, 'Số hồ sơ', dossier.dossierNumber, 0);
  labelled(doc, 'Mã số bảo hiểm xã hội', dossier.bhxhCode, 0);
  labelled(doc, 'Địa chỉ liên hệ', dossier.address, 0);
  doc.y += 4;
  const received = dossier.receivedAt ?? dossier.declaredAt;
  paragraph(
    doc,
    `${agency.name} đã nhận Tờ khai đăng ký sử dụng, điều chỉnh thông tin và ngừng sử dụng phương thức giao dịch điện tử trong lĩnh vực bảo hiểm xã hội (Mẫu số 01) của Ông/Bà, tiếp nhận ngày ${shortDate(received)}. Kết quả xử lý hồ sơ như sau:`,
  );

  switch (result) {
    case 'account_issued': {
      paragraph(
        doc,
        'Hồ sơ hợp lệ. Cơ quan Bảo hiểm xã hội đã cấp và kích hoạt tài khoản giao dịch điện tử cá nhân:',
        {
          bold: true,
        },
      );
      labelled(doc, 'Tên đăng nhập (tài khoản)', dossier.bhxhCode);
      labelled(
        doc,
        'Mật khẩu',
        `mật khẩu lần đầu được gửi bằng tin nhắn (SMS) tới số điện thoại di động đã đăng ký ${maskedMobile(dossier.mobile)}`,
      );
      if (dossier.email) {
        labelled(doc, 'Thông báo chấp thuận', `đã gửi vào địa chỉ thư điện tử ${dossier.email}`);
      }
      paragraph(
        doc,
        'Tài khoản dùng để đăng nhập Cổng dịch vụ công của Bảo hiểm xã hội Việt Nam (https://dichvucong.baohiemxahoi.gov.vn) và ứng dụng VssID. Ông/Bà có trách nhiệm đổi mật khẩu tài khoản đã được cấp lần đầu và thay đổi mật khẩu ít nhất 06 (sáu) tháng một lần để đảm bảo an toàn, bảo mật; không cung cấp mật khẩu cho người khác.',
      );
      break;
    }
    case 'rejected': {
      paragraph(
        doc,
        'Hồ sơ không hợp lệ. Cơ quan Bảo hiểm xã hội không chấp nhận đăng ký sử dụng phương thức giao dịch điện tử.',
        {
          bold: true,
        },
      );
      labelled(doc, 'Lý do', reasonText(dossier, options.reasons ?? []));
      paragraph(
        doc,
        'Đề nghị Ông/Bà căn cứ thông báo này để hoàn chỉnh thông tin đăng ký (kê khai lại Tờ khai Mẫu số 01 trên Cổng dịch vụ công của Bảo hiểm xã hội Việt Nam hoặc ứng dụng VssID, rồi nộp hồ sơ trong thời hạn 10 ngày) hoặc liên hệ với cơ quan Bảo hiểm xã hội nơi gần nhất để được hướng dẫn.',
      );
      break;
    }
    case 'code_not_found': {
      paragraph(
        doc,
        `Mã số bảo hiểm xã hội ${dossier.bhxhCode} không có trên Hệ thống cấp mã số BHXH và quản lý BHYT hộ gia đình (hoặc họ tên không khớp), nên chưa cấp được tài khoản giao dịch điện tử.`,
        { bold: true },
      );
      paragraph(
        doc,
        'Để được cấp mã số bảo hiểm xã hội, đề nghị Ông/Bà kê khai Tờ khai tham gia, điều chỉnh thông tin bảo hiểm xã hội, bảo hiểm y tế (Mẫu TK1-TS), kèm bản chụp giấy tờ tùy thân, và nộp tại cơ quan Bảo hiểm xã hội nơi cư trú hoặc qua Cổng dịch vụ công. Sau khi có mã số, Ông/Bà đăng ký lại giao dịch điện tử theo Tờ khai Mẫu số 01.',
      );
      break;
    }
    case 'details_updated': {
      paragraph(doc, 'Hồ sơ hợp lệ. Thông tin đăng ký giao dịch điện tử của Ông/Bà đã được điều chỉnh:', {
        bold: true,
      });
      const u = dossier.update;
      if (u?.email) labelled(doc, 'Địa chỉ thư điện tử mới', u.email);
      if (u?.mobile) labelled(doc, 'Số điện thoại di động mới', displayMobile(u.mobile));
      if (u?.certificate)
        labelled(doc, 'Chứng thư số mới', `${u.certificate.serial} (${u.certificate.issuer})`);
      if (!u?.email && !u?.mobile && !u?.certificate)
        labelled(doc, 'Nội dung', 'theo Tờ khai Mẫu số 01 đã nộp');
      break;
    }
    case 'account_stopped': {
      paragraph(doc, 'Hồ sơ hợp lệ. Tài khoản giao dịch điện tử của Ông/Bà đã ngừng sử dụng.', {
        bold: true,
      });
      if (dossier.stop) {
        labelled(doc, 'Ngừng từ ngày', shortDate(dossier.stop.stopDate));
        labelled(doc, 'Lý do ngừng', dossier.stop.reason);
      }
      break;
    }
    default: {
      const never: never = result;
      throw new PrintError('bad_input', `Kết quả không rõ: ${String(never)}`);
    }
  }

  const contact = [
    agency.address && `địa chỉ ${agency.address}`,
    agency.phone && `điện thoại ${agency.phone}`,
  ]
    .filter(Boolean)
    .join(', ');
  paragraph(doc, `Mọi thắc mắc xin liên hệ ${agency.name}${contact ? `, ${contact}` : ''}.`);
  if (dossier.reviewer || dossier.decidedAt) {
    setFont(doc, 'serifItalic', FONT_SIZE - 1);
    doc.text(
      `Cán bộ xử lý: ${dossier.reviewer ?? ''}${dossier.decidedAt ? ` - Ngày xử lý: ${dateTime(dossier.decidedAt)}` : ''}`,
      left,
      doc.y,
      { width },
    );
  }
  signatureColumns(
    doc,
    [
      { title: 'Nơi nhận:', hint: '- Như trên; - Lưu hồ sơ.' },
      {
        title: `THỦ TRƯỞNG ${agency.name.toLocaleUpperCase('vi')}`,
        hint: '(Ký, ghi rõ họ tên, đóng dấu)',
        name: options.signer ?? null,
      },
    ],
    FONT_SIZE,
  );
  return finish(doc);
}
