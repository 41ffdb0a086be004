// "Ảnh CMND/CCCD" on the dossier detail: per role — Ảnh cá nhân, Mặt trước, Mặt sau,
// Trang tờ khai 1..n — the current image (antd preview: zoom, rotate), "Quét" from a scanner (progress,
// Huỷ), "Đính kèm" (file picker or drag and drop: PNG, JPEG, TIFF, PDF) and "Chụp ảnh" from the camera
// (capture/CameraCapture, stored the way Đính kèm stores a file), the quality gate's request
// to rescan, the upload state ("chờ đồng bộ" / "đã đồng bộ" / lỗi), and beside it "Đối chiếu": the
// dossier's values against what was recognised, mismatches in red, looser matches in amber.
// Recognition only suggests; the officer decides.
import { Alert, Button, Col, Image, Row, Space, Table, Tag, Tooltip, Typography, message } from 'antd';
import { useCallback, useEffect, useRef, useState, type DragEvent, type HTMLAttributes } from 'react';
import { KIND_LABEL as DOSSIER_KIND_LABEL, type Dossier, type DossierKind } from '../../../contract/domain';
import {
  RECOGNITION_SOURCE_LABEL,
  RELIABLE_CONFIDENCE,
  type FieldComparison,
  type RecognitionKind,
} from '../../../contract/scan';
import {
  MAX_ATTACH_BYTES,
  MAX_FORM_PAGES,
  roleLabel,
  type IntakeComparison,
  type IntakeImage,
} from '../../../contract/workstationIntake';
import { api, call, errorMessage } from '../api';
import { CameraCapture, type CapturedStill } from '../capture/CameraCapture';
import type { CameraVerdict } from '../../../contract/capture';
import { markedMobile } from '../../../contract/identity';
import { formatDate } from '../format';
import { attachCameraStill } from './cameraIntake';
import { captureTarget, ScanDialog, type ScanTarget } from './ScanDialog';

const ACCEPT = '.png,.jpg,.jpeg,.tif,.tiff,.pdf,image/png,image/jpeg,image/tiff,application/pdf';

const VERDICT: Readonly<Record<FieldComparison['verdict'], { text: string; color: string }>> = {
  match: { text: 'Khớp', color: 'green' },
  looser: { text: 'Gần khớp, cần xác minh', color: 'gold' },
  mismatch: { text: 'Không khớp', color: 'red' },
  missing: { text: 'Thiếu', color: 'default' },
};

const DATE_FIELDS: ReadonlySet<FieldComparison['field']> = new Set([
  'dateOfBirth',
  'issueDate',
  'effectiveDate',
  'stopDate',
]);

/**
 * Dates as the agency reads them (dd/MM/yyyy), phones in the national form (as the list shows them,
 * never +84), the form's kind by its section title; the rest as is.
 */
function shown(field: FieldComparison['field'], value: string): string {
  if (DATE_FIELDS.has(field)) return formatDate(value) || value;
  if (field === 'mobile') return markedMobile(value);
  if (field === 'dossierKind') return DOSSIER_KIND_LABEL[value as DossierKind] ?? value;
  return value;
}

/**
 * What a confidence means, for the officer who hovers it: a QR decodes exactly or not at all, an OCR
 * reading of RELIABLE_CONFIDENCE or more was right at least 99 % of the time on the corpus, one below
 * it may have a wrong character.
 */
function confidenceHint(kind: RecognitionKind | null, confidence: number): string {
  const pct = Math.round(confidence * 100);
  if (kind === 'cccd_qr' && confidence >= 1)
    return '100%: mã QR trên thẻ đọc được trọn vẹn và đúng định dạng, đúng như dữ liệu ghi trong thẻ.';
  const limit = Math.round(RELIABLE_CONFIDENCE * 100);
  return confidence >= RELIABLE_CONFIDENCE
    ? `${pct}%: chữ đọc rõ (từ ${limit}% trở lên, nhận dạng đúng ít nhất 99 lần trong 100). Vẫn đối chiếu với giấy tờ gốc.`
    : `${pct}% (dưới ${limit}%): ảnh mờ, lóa hoặc chữ khó đọc, có thể sai một vài ký tự. Đối chiếu từng ký tự với giấy tờ gốc.`;
}

const capitalize = (text: string): string => text.charAt(0).toLocaleUpperCase('vi') + text.slice(1);

/** Where a card was read: the image's role, or the QR reader. */
function cardPlace(role: string | null): string {
  return role === null ? 'mã QR quét bằng máy đọc' : `ảnh ${roleLabel(role)}`;
}

function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/u, ''));
    reader.onerror = () => reject(new Error('Không đọc được tệp.'));
    reader.readAsDataURL(file);
  });
}

function UploadTag({ image }: { image: IntakeImage }) {
  if (image.state === 'synced') return <Tag color="green">đã đồng bộ</Tag>;
  if (image.state === 'failed')
    return (
      <Tag color="red" title={image.lastError ?? undefined}>
        lỗi đồng bộ
      </Tag>
    );
  return (
    <Tag color="blue" title={image.lastError ?? undefined}>
      chờ đồng bộ
    </Tag>
  );
}

function RoleSlot({
  dossierId,
  role,
  local,
  serviceId,
  onScan,
  onAttach,
  onCamera,
}: {
  dossierId: string;
  role: string;
  local: IntakeImage | undefined;
  serviceId: string | undefined;
  onScan: (role: string) => void;
  onAttach: (role: string, file: File) => Promise<void>;
  onCamera: (role: string) => void;
}) {
  const label = roleLabel(role);
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    const p = local
      ? call('intake.content', { id: local.id })
      : serviceId
        ? call('attachments.get', { id: serviceId, dossierId })
        : null;
    if (!p) return;
    p.then((a) => live && setSrc(a.mediaType === 'application/pdf' ? null : a.dataUrl)).catch(
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [local, serviceId, dossierId]);

  const attach = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    setBusy(true);
    try {
      await onAttach(role, file);
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };
  const onDrop = (e: DragEvent<HTMLDivElement>): void => {
    e.preventDefault();
    setOver(false);
    void attach(e.dataTransfer.files[0]);
  };
  const hasImage = !!local || !!serviceId;
  const quality = local?.quality && !local.quality.ok ? local.quality : null;

  return (
    <div style={{ width: 212 }} data-role={role}>
      <Space size={4} wrap>
        <Typography.Text>{label}:</Typography.Text>
        {local && <UploadTag image={local} />}
      </Space>
      <div
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        style={{
          width: 200,
          height: 130,
          border: `1px dashed ${over ? '#1677ff' : '#bbb'}`,
          display: 'grid',
          placeItems: 'center',
          marginTop: 4,
          background: over ? '#e6f4ff' : '#fafafa',
        }}
      >
        {src ? (
          <Image src={src} alt={label} height={126} style={{ objectFit: 'contain', maxWidth: 196 }} />
        ) : (
          <Typography.Text type="secondary" style={{ padding: 8, textAlign: 'center' }}>
            {!hasImage
              ? 'Chưa có ảnh — kéo thả tệp vào đây'
              : failed
                ? 'Không tải được ảnh (ngoại tuyến)'
                : 'Đang tải…'}
          </Typography.Text>
        )}
      </div>
      <Space size={4} wrap style={{ marginTop: 4 }}>
        <Button size="small" aria-label={`Quét ${label}`} onClick={() => onScan(role)}>
          Quét
        </Button>
        <Button
          size="small"
          aria-label={`Đính kèm ${label}`}
          loading={busy}
          onClick={() => input.current?.click()}
        >
          Đính kèm
        </Button>
        <Button size="small" aria-label={`Chụp ảnh ${label}`} onClick={() => onCamera(role)}>
          Chụp ảnh
        </Button>
        {local?.state === 'failed' && (
          <Button
            size="small"
            danger
            aria-label={`Thử lại ${label}`}
            onClick={() =>
              void call('intake.retry', { id: local.id }).catch((err: unknown) =>
                message.error(errorMessage(err)),
              )
            }
          >
            Thử lại
          </Button>
        )}
      </Space>
      <input
        ref={input}
        type="file"
        accept={ACCEPT}
        hidden
        aria-label={`Tệp ${label}`}
        onChange={(e) => void attach(e.target.files?.[0])}
      />
      {local?.state === 'failed' && local.lastError && (
        <Typography.Paragraph type="danger" style={{ fontSize: 12, margin: '4px 0 0' }}>
          {local.lastError}
        </Typography.Paragraph>
      )}
      {local?.recognizing && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '4px 0 0' }}>
          Đang nhận dạng…
        </Typography.Paragraph>
      )}
      {quality && (
        <Alert
          type="warning"
          showIcon
          style={{ marginTop: 4, fontSize: 12 }}
          title="Ảnh chưa đạt chất lượng: đề nghị quét lại."
          description={quality.messages.join(' ')}
        />
      )}
      {!quality && local?.recognitionError && !local.recognizing && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '4px 0 0' }}>
          Không nhận dạng được: {local.recognitionError}
        </Typography.Paragraph>
      )}
    </div>
  );
}

function ComparisonPanel({ report }: { report: IntakeComparison | null }) {
  const rows = (report?.fields ?? []).filter((f) => f.recognizedValue !== null);
  return (
    <section aria-label="Đối chiếu">
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        Đối chiếu
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        Nhận dạng chỉ để gợi ý; cán bộ đối chiếu với giấy tờ gốc và quyết định.
      </Typography.Paragraph>
      {rows.length === 0 ? (
        <Typography.Text type="secondary">
          Chưa có ảnh hay mã nào nhận dạng được để đối chiếu. Quét hoặc đính kèm ảnh CCCD, tờ khai, hoặc quét
          mã QR trên thẻ bằng máy đọc mã.
        </Typography.Text>
      ) : (
        <>
          {report && report.differentCards.length > 1 && (
            <Alert
              type="warning"
              showIcon
              role="alert"
              data-testid="different-cards"
              style={{ marginBottom: 8 }}
              title={`Hồ sơ có ảnh của ${report.differentCards.length} thẻ khác nhau.`}
              description={
                <>
                  {capitalize(
                    report.differentCards.map((c) => `${cardPlace(c.role)}: thẻ số ${c.idNumber}`).join('; '),
                  )}
                  . Một hồ sơ chỉ có thẻ của người khai: quét lại đúng thẻ trước khi duyệt.
                </>
              }
            />
          )}
          {report && report.mismatches.length > 0 && (
            <Alert
              type="error"
              showIcon
              role="alert"
              style={{ marginBottom: 8 }}
              title={`Có ${report.mismatches.length} trường không khớp với hồ sơ.`}
            />
          )}
          <Table<FieldComparison>
            size="small"
            pagination={false}
            tableLayout="fixed"
            rowKey="field"
            dataSource={rows}
            onRow={(r) =>
              ({
                'data-verdict': r.verdict,
                style:
                  r.verdict === 'mismatch'
                    ? { background: '#fff1f0', color: '#a8071a', fontWeight: 600 }
                    : r.verdict === 'looser'
                      ? { background: '#fffbe6' }
                      : undefined,
              }) as HTMLAttributes<HTMLElement>
            }
            columns={[
              { title: 'Trường', dataIndex: 'label', width: 110 },
              {
                title: 'Hồ sơ',
                dataIndex: 'dossierValue',
                render: (v: string | null, r) => (v === null ? '/' : shown(r.field, v)),
              },
              {
                title: 'Nhận dạng',
                dataIndex: 'recognizedValue',
                render: (v: string | null, r) => (v === null ? '' : shown(r.field, v)),
              },
              {
                title: 'Nguồn, độ tin cậy',
                dataIndex: 'source',
                width: 130,
                render: (k: RecognitionKind | null, r) => (
                  <>
                    {k ? RECOGNITION_SOURCE_LABEL[k] : ''}
                    {r.confidence !== null && (
                      <Tooltip title={confidenceHint(k, r.confidence)}>
                        <div
                          data-confidence={r.confidence}
                          style={{
                            cursor: 'help',
                            ...(r.confidence < RELIABLE_CONFIDENCE ? { color: '#ad6800' } : {}),
                          }}
                        >
                          {Math.round(r.confidence * 100)}%
                          {r.confidence < RELIABLE_CONFIDENCE && ' · cần kiểm tra'}
                        </div>
                      </Tooltip>
                    )}
                  </>
                ),
              },
              {
                title: 'Kết quả',
                dataIndex: 'verdict',
                width: 170,
                render: (v: FieldComparison['verdict'], r) => (
                  <span title={r.note}>
                    <Tag color={VERDICT[v].color} style={{ whiteSpace: 'normal' }}>
                      {VERDICT[v].text}
                    </Tag>
                    {r.note && (
                      <div style={{ fontSize: 12, fontWeight: 400, color: 'rgba(0,0,0,0.55)' }}>{r.note}</div>
                    )}
                  </span>
                ),
              },
            ]}
          />
          {report && report.sources.some((s) => s.source === 'qr_reader') && (
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 4 }}>
              Có dữ liệu từ máy đọc mã QR.
            </Typography.Paragraph>
          )}
        </>
      )}
    </section>
  );
}

export function IntakePanel({ dossier }: { dossier: Dossier }) {
  const [images, setImages] = useState<IntakeImage[]>([]);
  const [report, setReport] = useState<IntakeComparison | null>(null);
  const [scanTarget, setScanTarget] = useState<ScanTarget | null>(null);
  // the role stays while the dialog closes, so its title does not change during the fade-out
  const [camera, setCamera] = useState<{ role: string; open: boolean }>({ role: 'idFront', open: false });
  const id = dossier.id;

  const refresh = useCallback(async () => {
    try {
      setImages(await call('intake.images', { dossierId: id }));
      setReport(await call('intake.compare', { dossierId: id }));
    } catch {
      // offline or signed out: what is shown stays
    }
  }, [id]);

  useEffect(() => {
    // refresh() sets state after the services answer, not synchronously in the effect.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void refresh();
    return api.on((e) => {
      if (e.type === 'intake.image' && e.image.dossierId === id) {
        setImages((list) => {
          const others = list.filter((i) => i.role !== e.image.role);
          const current = list.find((i) => i.role === e.image.role);
          // an event about an older image of the role does not replace the newer one
          if (current && current.id !== e.image.id && current.createdAt > e.image.createdAt) return list;
          return [...others, e.image];
        });
        if (!e.image.recognizing)
          void call('intake.compare', { dossierId: id }).then(setReport, () => undefined);
      } else if (e.type === 'reader.scan' && e.result.ok && e.result.match.dossierId === id) {
        void call('intake.compare', { dossierId: id }).then(setReport, () => undefined);
      }
    });
  }, [id, refresh]);

  const attach = async (role: string, file: File): Promise<void> => {
    if (file.size === 0) {
      void message.error(`Tệp "${file.name}" rỗng (0 byte): chọn lại tệp ảnh hoặc PDF.`);
      return;
    }
    if (file.size > MAX_ATTACH_BYTES) {
      void message.error(`Tệp quá lớn: chỉ nhận tệp tối đa ${MAX_ATTACH_BYTES / 1024 / 1024} MB.`);
      return;
    }
    try {
      const r = await call('intake.attach', {
        dossierId: id,
        role,
        fileName: file.name.normalize('NFC'),
        data: await readAsBase64(file),
      });
      for (const n of r.notes) void message.info(n);
      void message.success(`Đã lưu ${r.images.map((i) => roleLabel(i.role)).join(', ')}: chờ đồng bộ.`);
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };

  const capture = async (role: string, still: CapturedStill): Promise<CameraVerdict | void> => {
    const { result, verdict } = await attachCameraStill(id, role, still).catch((err: unknown) => {
      throw new Error(errorMessage(err));
    });
    for (const n of result.notes) void message.info(n);
    if (!verdict.ok) return verdict;
    void message.success(`Đã lưu ảnh chụp ${roleLabel(role)}: chờ đồng bộ.`);
    setCamera((c) => (c.role === role ? { ...c, open: false } : c));
  };

  const serviceIdOf = (role: string): string | undefined =>
    dossier.attachments.find((a) => a.role === role)?.id;
  const localOf = (role: string): IntakeImage | undefined => images.find((i) => i.role === role);
  const formPages = Math.min(
    MAX_FORM_PAGES,
    Math.max(
      0,
      ...[...images.map((i) => i.role), ...dossier.attachments.map((a) => a.role)].map((r) =>
        Number(/^formPage(\d+)$/u.exec(r)?.[1] ?? 0),
      ),
    ) + 1,
  );
  const roles = [
    'idFront',
    'idBack',
    'photo',
    ...Array.from({ length: formPages }, (_, i) => `formPage${i + 1}`),
  ];

  return (
    <>
      <Typography.Title level={5} style={{ marginTop: 12 }}>
        Ảnh CMND/CCCD
      </Typography.Title>
      <Row gutter={16}>
        <Col xs={24} xl={10}>
          <Image.PreviewGroup>
            <Space size="middle" wrap align="start">
              {roles.map((role) => (
                <RoleSlot
                  key={role}
                  dossierId={id}
                  role={role}
                  local={localOf(role)}
                  serviceId={serviceIdOf(role)}
                  onScan={(r) => setScanTarget({ role: r })}
                  onAttach={attach}
                  onCamera={(r) => setCamera({ role: r, open: true })}
                />
              ))}
            </Space>
          </Image.PreviewGroup>
        </Col>
        <Col xs={24} xl={14}>
          <ComparisonPanel report={report} />
        </Col>
      </Row>
      <ScanDialog
        target={scanTarget}
        onScan={async (req) => {
          const r = await call('intake.scan', { dossierId: id, ...req });
          void message.success(`Đã quét ${r.images.map((i) => roleLabel(i.role)).join(', ')}: chờ đồng bộ.`);
          return r.notes;
        }}
        onClose={() => setScanTarget(null)}
      />
      <CameraCapture
        open={camera.open}
        title={`Chụp ảnh ${roleLabel(camera.role)}`}
        target={captureTarget(camera.role)}
        onCapture={(still) => capture(camera.role, still)}
        onCancel={() => setCamera((c) => ({ ...c, open: false }))}
      />
    </>
  );
}
