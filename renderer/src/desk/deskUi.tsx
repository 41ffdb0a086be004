// Small pieces the mobile desk's screens share: the person's state as a coloured tag, where a field's
// value came from (the card's QR, an OCR suggestion, the BHYT card, the registry), the roles a desk
// takes images for, and reading a file as base64.
import { Tag } from 'antd';
import type { FieldSource } from '../../../contract/deskForm';
import { DESK_STATE_LABEL, type DeskState } from '../../../contract/workstationDesk';

const STATE_COLOR: Readonly<Record<DeskState, string>> = {
  draft: 'default',
  queued: 'blue',
  sent: 'cyan',
  needs_fix: 'red',
  received: 'geekblue',
  decided: 'green',
};

export function DeskStateTag({ state }: { state: DeskState }) {
  return <Tag color={STATE_COLOR[state]}>{DESK_STATE_LABEL[state]}</Tag>;
}

/** Where a value came from, beside its label ("từ thẻ", "gợi ý OCR 72%"). */
export function SourceTag({ source }: { source: FieldSource | undefined }) {
  if (!source) return null;
  switch (source.from) {
    case 'qr':
      return (
        <Tag color="green" style={{ marginInlineStart: 6 }}>
          từ thẻ (QR)
        </Tag>
      );
    case 'ocr':
      return (
        <Tag color="gold" style={{ marginInlineStart: 6 }} title="Gợi ý từ chữ trên thẻ: kiểm tra lại">
          gợi ý OCR {Math.round(source.confidence * 100)}%
        </Tag>
      );
    case 'bhyt':
      return (
        <Tag color="blue" style={{ marginInlineStart: 6 }}>
          từ thẻ BHYT
        </Tag>
      );
    case 'registry':
      return (
        <Tag color="blue" style={{ marginInlineStart: 6 }}>
          từ tra cứu
        </Tag>
      );
    default:
      return null;
  }
}

/** The roles a desk takes images for, in the form's order, with their labels and shortcut. */
export const DESK_ROLES: ReadonlyArray<{ role: string; label: string; key: string }> = [
  { role: 'photo', label: 'Ảnh cá nhân', key: '1' },
  { role: 'idFront', label: 'Mặt trước', key: '2' },
  { role: 'idBack', label: 'Mặt sau', key: '3' },
  { role: 'formPage1', label: 'Trang tờ khai đã ký', key: '4' },
];

export function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/u, ''));
    reader.onerror = () => reject(new Error('Không đọc được tệp.'));
    reader.readAsDataURL(file);
  });
}

/** A keyboard shortcut shown on a button. */
export function Kbd({ children }: { children: string }) {
  return (
    <span className="ws-kbd" aria-hidden>
      {children}
    </span>
  );
}
