// The plain pipeline the benchmarks compare against: the text of one full-page pass of native
// `tesseract -l vie --psm 3` read with a few regular expressions, as a script-writer would do it. It is
// the baseline, not the product: it knows nothing of the form's layout or of OCR's confusions.

import { checkMobile } from '../../contract/identity.js';

const after = (text: string, label: RegExp): string | null => {
  const m = label.exec(text);
  return m
    ? text
        .slice(m.index + m[0].length)
        .split('\n')[0]!
        .trim()
    : null;
};

export function plainMau01Fields(raw: string): Record<string, string> {
  const text = raw.normalize('NFC');
  const out: Record<string, string> = {};
  const dossier = /(\d{5})\s*\.\s*GD\s*\/\s*(\d{4})\s*\/\s*(\w+)/u.exec(text);
  if (dossier) out.dossierNumber = `${dossier[1]}.GD/${dossier[2]}/${dossier[3]}`;
  const name = after(text, /cơ quan\/tổ chức\/cá nhân\s*:?\s*/u);
  if (name) out.fullName = name;
  const bhxh = after(text, /Mã số bảo hiểm xã hội\s*:?\s*/u)?.replace(/\s/gu, '');
  if (bhxh && /^\d{10}$/u.test(bhxh)) out.bhxhCode = bhxh;
  const id = after(text, /Số CMND\/HC\/CC\s*:?\s*/u)?.replace(/\s/gu, '');
  if (id && /^\d{9}(\d{3})?$/u.test(id)) out.idNumber = id;
  // The address runs to the next label (it may wrap onto a second line).
  const address = /Địa chỉ liên hệ\s*:?\s*([\s\S]*?)\n\s*Số chứng thư/u.exec(text);
  if (address) out.address = address[1]!.replace(/\s+/gu, ' ').trim();
  const contact = after(text, /Người liên hệ\s*:?\s*/u);
  if (contact) out.contactPerson = contact;
  const email = /thư điện tử\s*:?\s*([^\s@]+@[^\s@]+\.[a-z]{2,})/iu.exec(text);
  if (email) out.email = email[1]!.toLowerCase();
  const mobile = after(text, /Điện thoại di động\s*:?\s*/u)?.replace(/[\s.]/gu, '');
  if (mobile) {
    const checked = checkMobile(mobile);
    if (checked.ok) out.mobile = checked.value;
  }
  return out;
}

/** The plain pipeline on a card: the first 12-digit (CCCD) or 9-digit (CMND) number, dates, the name. */
export function plainCardFields(
  raw: string,
  doc: 'cccd_front' | 'cccd_back' | 'cmnd',
): Record<string, string> {
  const text = raw.normalize('NFC');
  const out: Record<string, string> = {};
  const number = doc === 'cmnd' ? /\b(\d{9})\b/u.exec(text) : /\b(\d{12})\b/u.exec(text);
  if (number && doc !== 'cccd_back') out.idNumber = number[1]!;
  const dates = [...text.matchAll(/(\d{2})[/-](\d{2})[/-](\d{4})/gu)].map((m) => `${m[3]}-${m[2]}-${m[1]}`);
  if (doc === 'cccd_back') {
    if (dates[0]) out.issueDate = dates[0];
  } else if (dates[0]) out.dateOfBirth = dates[0];
  const name =
    doc === 'cmnd'
      ? /Họ tên\s*:?\s*(.+)/u.exec(text)
      : /(?:Full name|given name)\s*:?\s*\n+\s*(.+)/u.exec(text);
  if (name) {
    const n = name[1]!
      .trim()
      .toLocaleLowerCase('vi')
      .replace(/(^|\s)\p{L}/gu, (c) => c.toLocaleUpperCase('vi'));
    out.fullName = n;
  }
  const sex = /Sex\s*:?\s*(Nam|Nữ)/u.exec(text);
  if (sex) out.gender = sex[1]!;
  return out;
}
