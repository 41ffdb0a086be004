// The mobile desk's images of one declaration: Ảnh cá nhân, Mặt trước, Mặt sau and the signed page,
// each from the camera (Chụp ảnh, Alt+1…4: the capture dialog of capture/CameraCapture with the same
// quality gate as scans), a file (Đính kèm) or a scanner (Quét). The signed page is better scanned: a
// laptop camera gives an A4 page too few dots per inch, and the capture dialog says so. A signed page
// whose QR names another declaration's Mã tạm is flagged.
import { Alert, Button, Image, Space, Typography, message } from 'antd';
import { memo, useEffect, useRef, useState } from 'react';
import type { CameraVerdict } from '../../../contract/capture';
import type { DeskImage } from '../../../contract/workstationDesk';
import { call, errorMessage } from '../api';
import { CameraCapture, type CapturedStill } from '../capture/CameraCapture';
import { attachDeskStill } from '../intake/cameraIntake';
import { captureTarget, ScanDialog, type ScanTarget } from '../intake/ScanDialog';
import { DESK_ROLES, Kbd, readAsBase64 } from './deskUi';

const ACCEPT = '.png,.jpg,.jpeg,.tif,.tiff,.pdf,image/png,image/jpeg,image/tiff,application/pdf';

function Thumb({ image, label }: { image: DeskImage | undefined; label: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    if (!image || image.purgedAt || image.mediaType === 'application/pdf') return;
    call('desk.imageContent', { imageId: image.id })
      .then((c) => live && setSrc(c.dataUrl))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [image]);
  return (
    <div
      style={{
        width: 150,
        height: 96,
        border: '1px dashed #bbb',
        display: 'grid',
        placeItems: 'center',
        background: '#fafafa',
      }}
    >
      {image && src ? (
        <Image src={src} alt={label} height={92} style={{ objectFit: 'contain', maxWidth: 146 }} />
      ) : (
        <Typography.Text type="secondary" style={{ fontSize: 12, padding: 4, textAlign: 'center' }}>
          {image?.purgedAt
            ? 'Đã xoá khỏi máy trạm (hệ thống trung tâm giữ ảnh)'
            : image
              ? image.mediaType === 'application/pdf'
                ? 'Tệp PDF'
                : 'Đang tải…'
              : 'Chưa có ảnh'}
        </Typography.Text>
      )}
    </div>
  );
}

function recognitionNote(
  image: DeskImage | undefined,
  ref: string,
): { type: 'warning' | 'info'; text: string } | null {
  if (!image || image.recognizing || image.role === 'photo') return null;
  if (image.quality && !image.quality.ok)
    return { type: 'warning', text: `Ảnh chưa đạt chất lượng: ${image.quality.messages.join(' ')}` };
  const r = image.recognition;
  if (image.role.startsWith('formPage')) {
    const found = r?.fields.provisionalRef ?? r?.fields.dossierNumber;
    if (found && found !== ref)
      return {
        type: 'warning',
        text: `Trang đã ký mang mã ${found}, không phải tờ khai này (${ref}): kiểm tra lại giấy.`,
      };
    return found ? { type: 'info', text: `Đã đọc mã trên trang: ${found}.` } : null;
  }
  if (r?.kind === 'cccd_qr') return { type: 'info', text: 'Đã đọc mã QR của thẻ.' };
  if (r?.kind === 'cccd_front' || r?.kind === 'cmnd')
    return { type: 'info', text: 'Đã đọc chữ trên thẻ (gợi ý).' };
  return null;
}

/** Drawn again only when its own props change (not for every key typed in the form beside it). */
export const DeskImages = memo(function DeskImages({
  declarationId,
  refCode,
  images,
  readOnly,
  onStored,
}: {
  declarationId: string;
  /** the declaration's Mã tạm (a signed page naming another is flagged) */
  refCode: string;
  images: readonly DeskImage[];
  readOnly?: boolean;
  onStored: (image: DeskImage) => void;
}) {
  const [camera, setCamera] = useState<{ role: string; open: boolean }>({ role: 'idFront', open: false });
  const [scanTarget, setScanTarget] = useState<ScanTarget | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const fileFor = useRef<string>('photo');
  const input = useRef<HTMLInputElement>(null);

  // Alt+1…4: Chụp ảnh for the role (the camera is what a desk always has).
  useEffect(() => {
    if (readOnly) return;
    const onKey = (e: KeyboardEvent): void => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const slot = DESK_ROLES.find((r) => r.key === e.key || `Digit${r.key}` === e.code);
      if (!slot) return;
      e.preventDefault();
      setCamera({ role: slot.role, open: true });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [readOnly]);

  const attachFile = async (role: string, file: File | undefined): Promise<void> => {
    if (!file) return;
    setBusy(role);
    try {
      const r = await call('desk.attach', {
        id: declarationId,
        role,
        fileName: file.name.normalize('NFC'),
        data: await readAsBase64(file),
        source: 'file',
      });
      for (const n of r.notes) void message.info(n);
      onStored(r.image);
    } catch (err) {
      void message.error(errorMessage(err));
    } finally {
      setBusy(null);
      if (input.current) input.current.value = '';
    }
  };

  const capture = async (role: string, still: CapturedStill): Promise<CameraVerdict | void> => {
    const { image, verdict } = await attachDeskStill(declarationId, role, still).catch((err: unknown) => {
      throw new Error(errorMessage(err));
    });
    if (image) onStored(image);
    if (verdict.ok) setCamera((c) => ({ ...c, open: false }));
    return verdict;
  };

  const label = DESK_ROLES.find((r) => r.role === camera.role)?.label ?? '';
  return (
    <section aria-label="Ảnh CMND/CCCD">
      <Space size={[12, 10]} wrap>
        {DESK_ROLES.map(({ role, label: l, key }) => {
          const image = images.find((i) => i.role === role);
          const note = recognitionNote(image, refCode);
          return (
            <div key={role} data-role={role} style={{ width: 190 }}>
              <Typography.Text strong={role === 'formPage1'}>
                {l}
                {role === 'formPage1' && <Typography.Text type="danger"> *</Typography.Text>}
              </Typography.Text>
              <Thumb image={image} label={l} />
              {!readOnly && (
                <Space size={2} wrap style={{ marginTop: 2 }}>
                  <Button
                    size="small"
                    aria-label={`Chụp ảnh ${l}`}
                    onClick={() => setCamera({ role, open: true })}
                  >
                    Chụp ảnh <Kbd>{`Alt+${key}`}</Kbd>
                  </Button>
                  <Button
                    size="small"
                    aria-label={`Đính kèm ${l}`}
                    loading={busy === role}
                    onClick={() => {
                      fileFor.current = role;
                      input.current?.click();
                    }}
                  >
                    Đính kèm
                  </Button>
                  <Button
                    size="small"
                    aria-label={`Quét ${l}`}
                    onClick={() => setScanTarget({ role, feeder: false })}
                  >
                    Quét
                  </Button>
                </Space>
              )}
              {image?.recognizing && (
                <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: 0 }}>
                  Đang nhận dạng…
                </Typography.Paragraph>
              )}
              {note && (
                <Alert
                  type={note.type}
                  showIcon
                  style={{ fontSize: 12, padding: '2px 8px', marginTop: 2 }}
                  title={note.text}
                />
              )}
            </div>
          );
        })}
      </Space>
      <input
        ref={input}
        type="file"
        accept={ACCEPT}
        hidden
        aria-label="Tệp ảnh"
        onChange={(e) => void attachFile(fileFor.current, e.target.files?.[0])}
      />
      <ScanDialog
        target={scanTarget}
        onScan={async (req) => {
          const r = await call('desk.scan', {
            id: declarationId,
            role: req.role,
            deviceId: req.deviceId,
            jobId: req.jobId,
            resolution: req.resolution,
            colorMode: req.colorMode,
          });
          onStored(r.image);
          return r.notes;
        }}
        onClose={() => setScanTarget(null)}
      />
      <CameraCapture
        open={camera.open}
        title={`Chụp ảnh ${label}`}
        target={captureTarget(camera.role)}
        onCapture={(still) => capture(camera.role, still)}
        onCancel={() => setCamera((c) => ({ ...c, open: false }))}
      />
    </section>
  );
});
