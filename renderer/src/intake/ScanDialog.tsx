// "Quét": the scan dialog of a role (Ảnh cá nhân, Mặt trước, Mặt sau, a form page) — the scanner, the
// feeder for form pages, resolution and colour, progress per page and Huỷ. The dossier's intake and
// the mobile desk's declaration both use it; `onScan` does the owner's scan call.
import { Alert, Button, Form, Modal, Progress, Radio, Select, Space, Typography, message } from 'antd';
import { useEffect, useState } from 'react';
import type { CaptureTarget } from '../../../contract/capture';
import type { ScanProgress, ScannerDevice } from '../../../contract/scan';
import { roleLabel } from '../../../contract/workstationIntake';
import { api, call, errorMessage } from '../api';

/** The role to scan into; `feeder: false` hides the feeder choice (one page only). */
export type ScanTarget = { role: string; feeder?: boolean };

/** The camera's guide frame for a role: the portrait, an ID card side, or an A4 form page. */
export function captureTarget(role: string): CaptureTarget {
  return role === 'photo' ? 'photo' : role.startsWith('formPage') ? 'page' : 'card';
}

export function ScanDialog({
  target,
  onScan,
  onClose,
}: {
  target: ScanTarget | null;
  /** Scans into the target's role; the notes to show (pages left out, formats converted). */
  onScan: (request: {
    role: string;
    deviceId: string;
    jobId: string;
    source: 'flatbed' | 'feeder';
    resolution: number;
    colorMode: 'color' | 'gray' | 'bw';
  }) => Promise<string[]>;
  onClose: () => void;
}) {
  const [devices, setDevices] = useState<ScannerDevice[] | null>(null);
  const [deviceError, setDeviceError] = useState<string | null>(null);
  const [deviceId, setDeviceId] = useState<string | undefined>(undefined);
  const [source, setSource] = useState<'flatbed' | 'feeder'>('flatbed');
  const [resolution, setResolution] = useState(300);
  const [colorMode, setColorMode] = useState<'color' | 'gray' | 'bw'>('color');
  const [jobId, setJobId] = useState<string | null>(null);
  const [progress, setProgress] = useState<ScanProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const role = target?.role ?? '';
  const isForm = role.startsWith('formPage');
  const allowFeeder = target?.feeder !== false;

  useEffect(() => {
    if (!target) return;
    let live = true;
    call('scanner.devices', {})
      .then((d) => {
        if (!live) return;
        setDevices(d.scanners);
        setDeviceId((cur) => cur ?? d.scanners[0]?.id);
      })
      .catch((err: unknown) => live && setDeviceError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, [target]);

  useEffect(
    () =>
      api.on((e) => {
        if (e.type === 'intake.progress' && e.jobId === jobId) setProgress(e.progress);
      }),
    [jobId],
  );

  const start = async (): Promise<void> => {
    if (!deviceId) return;
    const id = crypto.randomUUID();
    setJobId(id);
    setProgress(null);
    setError(null);
    try {
      const notes = await onScan({
        role,
        deviceId,
        jobId: id,
        source: isForm && allowFeeder ? source : 'flatbed',
        resolution,
        colorMode,
      });
      for (const n of notes) void message.info(n);
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setJobId(null);
    }
  };

  const cancel = async (): Promise<void> => {
    if (jobId) await call('intake.cancel', { jobId }).catch(() => undefined);
  };

  return (
    <Modal
      open={target !== null}
      title={`Quét ${roleLabel(role)}`}
      onCancel={() => (jobId ? void cancel() : onClose())}
      destroyOnHidden
      footer={[
        jobId ? (
          <Button key="cancel" danger onClick={() => void cancel()}>
            Huỷ
          </Button>
        ) : (
          <Button key="close" onClick={onClose}>
            Đóng
          </Button>
        ),
        <Button
          key="scan"
          type="primary"
          loading={jobId !== null}
          disabled={!deviceId}
          onClick={() => void start()}
        >
          Bắt đầu quét
        </Button>,
      ]}
    >
      {deviceError && <Alert type="error" showIcon role="alert" title={deviceError} />}
      <Form layout="vertical" disabled={jobId !== null}>
        <Form.Item label="Máy quét">
          <Select
            aria-label="Máy quét"
            loading={devices === null && !deviceError}
            value={deviceId}
            onChange={setDeviceId}
            notFoundContent="Không tìm thấy máy quét. Kiểm tra cáp nối, nguồn điện hoặc kết nối mạng."
            options={(devices ?? []).map((d) => ({ value: d.id, label: `${d.name} (${d.id})` }))}
          />
        </Form.Item>
        {isForm && allowFeeder && (
          <Form.Item label="Khay giấy">
            <Radio.Group value={source} onChange={(e) => setSource(e.target.value as 'flatbed' | 'feeder')}>
              <Radio value="flatbed">Mặt kính (một trang)</Radio>
              <Radio value="feeder">Khay nạp giấy (nhiều trang liên tiếp)</Radio>
            </Radio.Group>
          </Form.Item>
        )}
        <Space>
          <Form.Item label="Độ phân giải">
            <Select
              aria-label="Độ phân giải"
              style={{ width: 120 }}
              value={resolution}
              onChange={setResolution}
              options={[150, 200, 300, 600].map((r) => ({ value: r, label: `${r} dpi` }))}
            />
          </Form.Item>
          <Form.Item label="Chế độ màu">
            <Select
              aria-label="Chế độ màu"
              style={{ width: 140 }}
              value={colorMode}
              onChange={setColorMode}
              options={[
                { value: 'color', label: 'Màu' },
                { value: 'gray', label: 'Xám' },
                { value: 'bw', label: 'Đen trắng' },
              ]}
            />
          </Form.Item>
        </Space>
      </Form>
      {jobId && (
        <div role="status">
          <Typography.Text>
            {progress && progress.pagesDone >= progress.page
              ? `Đã quét ${progress.pagesDone} trang, đang lưu ảnh…`
              : `Đang quét trang ${progress?.page ?? 1}${progress && progress.pagesDone > 0 ? ` (đã xong ${progress.pagesDone} trang)` : ''}…`}
          </Typography.Text>
          <Progress percent={Math.round(progress?.percent ?? 0)} aria-label="Tiến độ quét" />
        </div>
      )}
      {error && <Alert type="error" showIcon role="alert" title={error} style={{ marginTop: 8 }} />}
    </Modal>
  );
}
